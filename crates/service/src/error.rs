use aidtrace_domain::ValidationError;
use aidtrace_store::StoreError;

/// Errors of the service layer. `is_bad_input` separates what the user must fix (exit code 2,
/// HTTP 4xx) from what went wrong inside (exit code 1, HTTP 5xx).
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A record breaks a rule; `record` says which (e.g. `flow f-1` or `records[3]`).
    #[error("{record}: {error}")]
    Invalid {
        record: String,
        error: ValidationError,
    },
    #[error("{0}")]
    Parse(String),
    #[error("{0}")]
    NotFound(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Io(String),
}

impl ServiceError {
    pub fn invalid(record: impl Into<String>, error: ValidationError) -> Self {
        Self::Invalid {
            record: record.into(),
            error,
        }
    }

    pub fn is_bad_input(&self) -> bool {
        match self {
            Self::Invalid { .. } | Self::Parse(_) | Self::NotFound(_) => true,
            Self::Store(StoreError::Integrity(_) | StoreError::InvalidRequest(_)) => true,
            Self::Store(_) | Self::Io(_) => false,
        }
    }

    /// Stable machine-readable code for APIs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid { .. } => "invalid_record",
            Self::Parse(_) => "unreadable_input",
            Self::NotFound(_) => "not_found",
            Self::Store(StoreError::Integrity(_)) => "integrity",
            Self::Store(StoreError::InvalidRequest(_)) => "invalid_request",
            Self::Store(_) => "storage",
            Self::Io(_) => "io",
        }
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
