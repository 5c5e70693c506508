//! One error type for the API (JSON `{code, field, message}`) and one for pages (an HTML page
//! with the same message). Both keep internal causes on the server and show users what to fix.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use aidtrace_service::ServiceError;
use aidtrace_store::StoreError;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"code": "invalid_query", "field": "per_page", "message": "page starts at 1; per_page is 1-500"}))]
pub struct ApiError {
    #[serde(skip)]
    pub status: StatusCode,
    /// Stable machine-readable code, e.g. `invalid_record`, `forbidden`, `precondition_failed`.
    pub code: &'static str,
    /// The field at fault (dotted path), when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub message: String,
    /// The refused value and the model's sentence about it, kept apart so a form can say it in
    /// the reader's language (the `message` above stays English for the API and the logs).
    /// Boxed: handlers return `ApiResult`s and errors stay small.
    #[serde(skip)]
    pub problem: Option<Box<FieldProblem>>,
}

/// A refused value, the model's English sentence about it and, where the rule gives one, the
/// same as a message id with arguments, so a page words it from the catalogue instead of
/// matching the sentence.
#[derive(Debug, Clone)]
pub struct FieldProblem {
    pub value: String,
    pub message: String,
    pub id: Option<Box<aidtrace_domain::error::Problem>>,
    /// The page's own wording of the refusal (a message id of the web's catalogue), for
    /// refusals made by the web itself rather than the model.
    pub said: Option<crate::i18n::Msg>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            field: None,
            message: message.into(),
            problem: None,
        }
    }

    pub fn with_problem(mut self, value: impl Into<String>, message: impl Into<String>) -> Self {
        self.problem = Some(Box::new(FieldProblem {
            value: value.into(),
            message: message.into(),
            id: None,
            said: None,
        }));
        self
    }

    /// A refusal of `value` with its message id: `message` stays the English sentence for the
    /// API and the logs, a page words `problem` from the catalogue (`verr-<id>`).
    pub fn because(
        mut self,
        value: impl Into<String>,
        problem: aidtrace_domain::error::Problem,
    ) -> Self {
        self.problem = Some(Box::new(FieldProblem {
            value: value.into(),
            message: self.message.clone(),
            id: Some(Box::new(problem)),
            said: None,
        }));
        self
    }

    /// The model's refusal of a value: its text for the page and, where it has one, its
    /// message id.
    pub fn with_validation(mut self, e: &aidtrace_domain::ValidationError) -> Self {
        self.problem = Some(Box::new(FieldProblem {
            value: e.value.clone(),
            message: e.message.clone(),
            id: e.problem.clone(),
            said: None,
        }));
        self
    }

    /// A refusal of `value` the web makes itself: `message` stays the English sentence for the
    /// API and the logs, a page shows `said` in the reader's language.
    pub fn said(mut self, value: impl Into<String>, said: crate::i18n::Msg) -> Self {
        self.problem = Some(Box::new(FieldProblem {
            value: value.into(),
            message: self.message.clone(),
            id: None,
            said: Some(said),
        }));
        self
    }

    /// A page's refusal of one of its own parameters, in the reader's language ("action «x»:
    /// not one of: link, keep"), naming the field. For pages only: the API's messages stay
    /// English whatever the reader's language.
    pub fn page_not_one_of(
        status: StatusCode,
        code: &'static str,
        field: &str,
        value: &str,
        allowed: &[&str],
    ) -> Self {
        let why = crate::i18n::ta("filter-err-not-one-of", &[("allowed", &allowed.join(", "))]);
        Self::new(status, code, format!("{field} «{value}»: {why}")).with_field(field)
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        let field = field.into();
        self.field = (!field.is_empty()).then_some(field);
        self
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", what)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        // The cause can name files and SQL; it goes to the server log, not to the client.
        eprintln!("aidtrace-web: internal error: {cause}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error; the server log has the details",
        )
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match &e {
            ServiceError::Invalid { record, error } => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_record",
                format!("{record}: {} (value {:?})", error.message, error.value),
            )
            .with_field(error.field.clone())
            .with_validation(error),
            ServiceError::NotFound(m) => Self::not_found(m.clone()),
            _ if e.is_bad_input() => {
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, e.code(), e.to_string())
            }
            _ => Self::internal(e),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ServiceError::from(e).into()
    }
}

impl From<aidtrace_domain::ValidationError> for ApiError {
    fn from(e: aidtrace_domain::ValidationError) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_record",
            if e.value.is_empty() {
                e.message.clone()
            } else {
                format!("{} (value {:?})", e.message, e.value)
            },
        )
        .with_validation(&e)
        .with_field(e.field)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(&self)).into_response()
    }
}

/// A page-level error: the same facts as [`ApiError`], rendered as HTML.
#[derive(Debug)]
pub struct PageError(pub ApiError);

impl<E: Into<ApiError>> From<E> for PageError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let e = self.0;
        let body = crate::request_ctx::error_page(e.status, &error_text(&e), e.field.as_deref());
        (e.status, body).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
pub type PageResult<T> = Result<T, PageError>;

/// The message of an error shown on a page: the field problem in the reader's language when the
/// error carries one, else the error's own text.
pub fn error_text(e: &ApiError) -> String {
    match e.problem.as_deref() {
        Some(p) => match (&p.said, &p.id) {
            (Some(said), _) => said.with_value(&p.value),
            (None, Some(id)) => crate::labels::problem_text(id, &p.value),
            (None, None) => crate::i18n::field_problem(&p.value, &p.message),
        },
        None => e.message.clone(),
    }
}

/// A record id from an address that is read (`/activities/{id}`, `GET /api/v1/flows/{id}`, …).
/// Pages and the API answer alike: text that cannot be a record id names nothing there, so it
/// is a 404 naming the field `id` and why, as for an id no record has. An address written to
/// takes [`parse_new_id`].
pub fn parse_id(raw: &str) -> Result<aidtrace_domain::RecordId, ApiError> {
    aidtrace_domain::RecordId::parse(raw).map_err(|e| {
        ApiError::not_found(format!(
            "{} {raw:?}: {}",
            crate::i18n::t("err-no-record"),
            e.message
        ))
        .with_field("id")
        .with_validation(&e)
    })
}

/// A record id from an address written to (`PUT /api/v1/{collection}/{id}`): an id no record
/// may have is the client's mistake in what it asks to create, a 400 `invalid_id` naming `id`.
pub fn parse_new_id(raw: &str) -> Result<aidtrace_domain::RecordId, ApiError> {
    aidtrace_domain::RecordId::parse(raw)
        .map_err(|e| ApiError::bad_request("invalid_id", e.message).with_field("id"))
}

/// "No {kind} has this id", the kind by its label in the reader's language: a page's 404 for an
/// address naming no record (the id is the refused value).
pub fn no_such(kind: aidtrace_domain::RecordKind) -> crate::i18n::Msg {
    use crate::labels::Label;
    crate::i18n::Msg::new("err-no-such-id").arg_key("kind", kind.label_key())
}

/// A page's query string read as `T`. A value `T` refuses is a 400 page naming the parameter and
/// the value in the reader's language; axum's own `Query` answers with its English text.
pub struct PageQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequestParts<S>
    for PageQuery<T>
{
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        page_query(parts.uri.query()).map(Self).map_err(PageError)
    }
}

fn query_of<T: serde::de::DeserializeOwned>(
    raw: &str,
) -> Option<Result<T, axum::extract::rejection::QueryRejection>> {
    let uri: axum::http::Uri = format!("/?{raw}").parse().ok()?;
    Some(axum::extract::Query::<T>::try_from_uri(&uri).map(|q| q.0))
}

/// The parameter serde names in a refusal of a query string (`year_from`), if it names one.
fn refused_path(e: &axum::extract::rejection::QueryRejection) -> Option<String> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(p) = err.downcast_ref::<serde_path_to_error::Error<serde::de::value::Error>>() {
            return Some(p.path().to_string());
        }
        source = err.source();
    }
    None
}

/// [`PageQuery`]'s reading: `T` from the query string, or a 400 naming the parameter at fault
/// and its value (the English `message` for the logs, the page's words in `said`).
pub fn page_query<T: serde::de::DeserializeOwned>(raw: Option<&str>) -> Result<T, ApiError> {
    let raw = raw.unwrap_or_default();
    let unreadable = || {
        ApiError::bad_request("invalid_query", "unreadable query string")
            .said("", crate::i18n::Msg::new("query-err-unreadable"))
    };
    let e = match query_of::<T>(raw).ok_or_else(unreadable)? {
        Ok(v) => return Ok(v),
        Err(e) => e,
    };
    // The parameters one by one (empty pieces are no parameter), decoded.
    let pieces: Vec<&str> = raw.split('&').filter(|p| !p.is_empty()).collect();
    let decoded: Vec<(String, String)> = pieces
        .iter()
        .map(|p| {
            query_of::<Vec<(String, String)>>(p)
                .and_then(Result::ok)
                .and_then(|mut v| v.pop())
                .unwrap_or_else(|| (p.to_string(), String::new()))
        })
        .collect();
    // The parameter serde names; where it names none (a flattened part of `T`), the one whose
    // removal lets the rest be read.
    let path = refused_path(&e);
    let at = decoded
        .iter()
        .position(|(k, _)| path.as_deref() == Some(k.as_str()))
        .or_else(|| {
            (0..pieces.len()).find(|&i| {
                let rest: Vec<&str> = pieces
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, p)| *p)
                    .collect();
                matches!(query_of::<T>(&rest.join("&")), Some(Ok(_)))
            })
        });
    Err(match at.and_then(|i| decoded.get(i)) {
        Some((name, value)) => ApiError::bad_request(
            "invalid_query",
            format!("{name} = {value:?}: {}", e.body_text()),
        )
        .with_field(name.clone())
        .said(
            value.clone(),
            crate::i18n::Msg::new("query-err-param").arg("param", name.clone()),
        ),
        None => ApiError::bad_request("invalid_query", e.body_text())
            .said("", crate::i18n::Msg::new("query-err-unreadable")),
    })
}
