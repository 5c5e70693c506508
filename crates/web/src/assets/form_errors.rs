//! One field-error type for the asset area's hand-made forms (service contracts, parts, work
//! orders, incidents): the form engine's [`FieldError`], with the form's own checks as message ids
//! (`said`) and the service's sentences kept as they are. Before, three types did the same.

pub(super) use crate::changes::forms::FieldError;
use crate::i18n::Msg;

/// The form's own check: message id `key` of the catalogue, with the value refused.
pub(super) fn said(field: &str, key: &'static str, value: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_string(),
        value: value.into(),
        message: key.to_string(),
        problem: None,
        said: Some(Msg::new(key)),
    }
}

/// A refusal of the service, its sentence shown as it is (it names the field and value).
pub(super) fn sentence(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_string(),
        value: String::new(),
        message: message.into(),
        problem: None,
        said: None,
    }
}

/// A rule of the record refused under the form's `field`, worded by its message id where the
/// rule has one.
pub(super) fn refused(field: &str, e: &aidtrace_domain::ValidationError) -> FieldError {
    FieldError {
        field: field.to_string(),
        value: e.value.clone(),
        message: e.message.clone(),
        problem: e.problem.clone(),
        said: None,
    }
}

/// A refusal of the service under the form's `field`: worded from its message id (or the web's
/// own wording) where it carries one, else `None` for the form to word it itself.
pub(super) fn worded(field: &str, e: &crate::error::ApiError) -> Option<FieldError> {
    let p = e.problem.as_deref()?;
    (p.id.is_some() || p.said.is_some()).then(|| FieldError {
        field: field.to_string(),
        value: p.value.clone(),
        message: p.message.clone(),
        problem: p.id.clone(),
        said: p.said.clone(),
    })
}

/// The problem in the reader's language: a message id worded with the value, else the sentence.
pub(super) fn shown(e: &FieldError) -> String {
    match (&e.said, &e.problem) {
        (Some(m), _) => m.with_value(&e.value),
        (None, Some(p)) => crate::labels::problem_text(p, &e.value),
        (None, None) => e.message.clone(),
    }
}
