//! The IATI import page: upload a file, see its three-layer validation report, and (admins) import
//! it into the ledger with the same rules as `aidtrace iati import`.

use std::io::Cursor;

use aidtrace_iati::validate::{Layer, Options, Severity, validate_reader};
use aidtrace_service::iati::{ImportOptions, Outcome};
use axum::Router;
use axum::extract::{Multipart, State};
use axum::response::Html;
use axum::routing::get;
use maud::html;

use crate::auth::{self, Caller, Role};
use crate::error::{ApiError, PageResult};
use crate::i18n::t;
use crate::pages::layout;
use crate::state::{AppState, blocking};

/// Routes of this area, merged into [`crate::app`].
pub fn routes() -> Router<AppState> {
    Router::new().route("/import", get(form).post(upload))
}

fn upload_form(csrf: &str, is_admin: bool) -> maud::Markup {
    html! {
        form method="post" action="/import" enctype="multipart/form-data" class="form" id="import-form" {
            input type="hidden" name="csrf" value=(csrf);
            label { "IATI 2.03 activity file (XML)" input type="file" name="file" id="file" accept=".xml,application/xml,text/xml" required; }
            label { input type="checkbox" name="strict" value="1"; " strict: refuse the whole file on any problem" }
            button type="submit" name="action" value="validate" id="validate" { "Validate" }
            @if is_admin {
                " "
                button type="submit" name="action" value="import" id="import" { "Validate and import" }
            }
        }
    }
}

pub async fn form(caller: Caller) -> PageResult<Html<String>> {
    let body = match caller.principal() {
        Some(p) => upload_form(p.csrf.as_deref().unwrap_or_default(), p.role == Role::Admin),
        None => html! {
            p id="import-status" { "Sign in to upload an IATI file. Files can also be checked and imported with "
                code { "aidtrace iati validate FILE" } " and " code { "aidtrace iati import FILE" } "." }
        },
    };
    Ok(layout(&t("title-import"), &caller, body))
}

struct Upload {
    csrf: String,
    action: String,
    strict: bool,
    name: String,
    bytes: Vec<u8>,
}

async fn read_upload(mut multipart: Multipart) -> Result<Upload, ApiError> {
    let bad = |m: String| ApiError::bad_request("invalid_upload", m);
    let mut upload = Upload {
        csrf: String::new(),
        action: "validate".into(),
        strict: false,
        name: String::new(),
        bytes: Vec::new(),
    };
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| bad(format!("upload: {e}")))?
    {
        match field.name().unwrap_or_default() {
            "csrf" => upload.csrf = field.text().await.map_err(|e| bad(format!("csrf: {e}")))?,
            "action" => {
                upload.action = field
                    .text()
                    .await
                    .map_err(|e| bad(format!("action: {e}")))?
            }
            "strict" => {
                upload.strict = !field
                    .text()
                    .await
                    .map_err(|e| bad(format!("strict: {e}")))?
                    .is_empty()
            }
            "file" => {
                upload.name = field.file_name().unwrap_or("upload.xml").to_string();
                upload.bytes = field
                    .bytes()
                    .await
                    .map_err(|e| bad(format!("file: {e}")))?
                    .to_vec();
            }
            other => return Err(bad(format!("unknown form field {other:?}"))),
        }
    }
    if upload.bytes.is_empty() {
        return Err(
            ApiError::bad_request("invalid_upload", "file: no file was uploaded")
                .with_field("file"),
        );
    }
    Ok(upload)
}

pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    multipart: Multipart,
) -> PageResult<Html<String>> {
    let principal = caller.require()?.clone();
    let upload = read_upload(multipart).await?;
    auth::check_csrf(&principal, &upload.csrf)?;
    let import = match upload.action.as_str() {
        "validate" => false,
        "import" if principal.role == Role::Admin => true,
        "import" => {
            return Err(ApiError::forbidden("only an admin imports files into the ledger").into());
        }
        other => {
            return Err(ApiError::bad_request(
                "invalid_upload",
                format!("action = {other:?}: expected validate or import"),
            )
            .with_field("action")
            .into());
        }
    };
    let name = upload.name.clone();
    let bytes = upload.bytes;
    let report = validate_reader(&name, Cursor::new(bytes.as_slice()), &Options::default());
    let imported = if import {
        let st = state.clone();
        let actor = principal.name.clone();
        let file = name.clone();
        let options = ImportOptions {
            strict: upload.strict,
        };
        let result = blocking(move || {
            st.service()
                .import_iati(&actor, &file, Cursor::new(bytes), options, &mut |_, _| {})
                .map_err(ApiError::from)
        })
        .await?;
        state.invalidate();
        Some(result)
    } else {
        None
    };
    let s = &report.summary;
    let body = html! {
        h2 id="report-title" { "Validation of " (name) }
        @if !s.well_formed {
            p class="error" id="not-well-formed" { "The file is not well-formed XML." }
        }
        table id="layers" {
            tr { th { "activities" } th { "schema valid" } th { "codelists valid" } th { "rules valid" } th { "errors" } th { "warnings" } }
            tr { td { (s.activities) } td { (s.schema_valid) } td { (s.codelists_valid) } td { (s.rules_valid) } td { (s.errors) } td { (s.warnings) } }
        }
        @for issue in &report.file_errors {
            p class="error" { "line " (issue.line) ", column " (issue.column) ": " (issue.message) }
        }
        @if let Some(r) = &imported {
            h2 { "Import" }
            @if let Some(why) = &r.refused {
                p class="error" id="import-refused" { "Refused: " (why) }
            } @else {
                p id="import-result" { (r.accepted) " accepted, " (r.rejected) " rejected, " (r.kept_newer) " kept (stored version newer); "
                    (r.records_created) " records created, " (r.records_updated) " updated." }
            }
            @for a in r.activities.iter().filter(|a| matches!(a.outcome, Outcome::Rejected { .. })).take(100) {
                @if let Outcome::Rejected { reasons } = &a.outcome {
                    p class="error" { "line " (a.line) ": " (a.identifier) " rejected: " (reasons.join("; ")) }
                }
            }
        }
        h2 { "Problems by activity" }
        table id="issues" {
            tr { th { "activity" } th { "line" } th { "layer" } th { "rule" } th { "severity" } th { "message" } }
            @for a in &report.activities {
                @for e in a.errors.iter().take(20) {
                    tr {
                        td { (a.identifier) } td { (e.line) }
                        td { (match e.layer { Layer::Xml => "xml", Layer::Schema => "schema", Layer::Codelist => "codelist", Layer::Rule => "rule" }) }
                        td { (e.rule) }
                        td { (if e.severity == Severity::Error { "error" } else { "warning" }) }
                        td { (e.message) }
                    }
                }
            }
        }
        (upload_form(principal.csrf.as_deref().unwrap_or_default(), principal.role == Role::Admin))
    };
    Ok(layout(&t("title-import"), &caller, body))
}
