use thiserror::Error;

/// Everything that can go wrong with user-supplied energy data. Messages name the field and the
/// offending value so a planner can fix the file without reading code.
#[derive(Debug, Error)]
pub enum EnergyError {
    /// The JSON itself is malformed, a field is missing, or a value has the wrong type
    /// (serde_json reports line and column; NaN and Infinity are not JSON and land here too).
    #[error("cannot read {what}: {source}")]
    Parse {
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
    /// The JSON is well formed but a value is outside what the model allows.
    #[error("{field} = {value}: {reason}")]
    Invalid {
        field: String,
        value: String,
        reason: String,
    },
}

impl EnergyError {
    pub(crate) fn invalid(
        field: impl Into<String>,
        value: impl std::fmt::Display,
        reason: impl Into<String>,
    ) -> Self {
        Self::Invalid {
            field: field.into(),
            value: value.to_string(),
            reason: reason.into(),
        }
    }
}

pub type Result<T> = std::result::Result<T, EnergyError>;
