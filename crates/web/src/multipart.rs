//! Reading multipart forms (the IATI upload, rate files, packing lists): a body past its limit
//! is a 413 naming the field, as any other body is, and the plain fields beside a file (a CSRF
//! token, an action) are read only up to a few kilobytes, so no field is held whole because a
//! client made it large.

use axum::extract::multipart::{Field, MultipartError};
use axum::http::StatusCode;

use crate::error::ApiError;
use crate::i18n::Msg;

/// Bytes a plain field beside an upload may hold.
pub const SMALL_FIELD: usize = 4 * 1024;

/// The error for a part that could not be read: 413 when the body went past its limit, 400
/// otherwise; both name `field`. The message keeps the multipart reader's English detail for
/// the API and the logs; a page says why in its reader's language, beside the field it names.
pub fn unreadable(field: &str, e: &MultipartError) -> ApiError {
    let (status, code, said) = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "upload-err-too-large",
        )
    } else {
        (
            StatusCode::BAD_REQUEST,
            "invalid_upload",
            "upload-err-unreadable",
        )
    };
    ApiError::new(status, code, format!("{field}: {}", e.body_text()))
        .said("", Msg::new(said))
        .with_field(field)
}

/// A plain field's text, read chunk by chunk and refused with 413 past [`SMALL_FIELD`] bytes.
pub async fn small_text(mut field: Field<'_>, name: &str) -> Result<String, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|e| unreadable(name, &e))? {
        if bytes.len().saturating_add(chunk.len()) > SMALL_FIELD {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("{name}: longer than {SMALL_FIELD} bytes"),
            )
            .said(
                "",
                Msg::new("upload-err-field-too-long").arg("max", SMALL_FIELD.to_string()),
            )
            .with_field(name));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| {
        ApiError::bad_request("invalid_upload", format!("{name}: not UTF-8 text"))
            .said("", Msg::new("upload-err-not-utf8"))
            .with_field(name)
    })
}
