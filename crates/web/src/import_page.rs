//! The IATI import page: upload a file, see its three-layer validation report, and (admins) import
//! it into the ledger with the same rules as `aidtrace iati import`.

use std::io::Write;

use aidtrace_iati::grouped::{GroupedReport, validate_reader_grouped};
use aidtrace_iati::validate::{Layer, Options, Severity};
use aidtrace_service::iati::{ImportOptions, Outcome};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::response::Html;
use axum::routing::get;
use maud::html;

use crate::auth::{self, Caller, Role};
use crate::error::{ApiError, PageResult};
use crate::i18n::{self, t, ta};
use crate::pages::layout;
use crate::state::{AppState, blocking};

/// Routes of this area, merged into [`crate::app`]. The upload has its own body limit (the
/// file's limit and room for the form's other fields); every other body keeps the small one.
pub fn routes(upload_limit: u64) -> Router<AppState> {
    let body = usize::try_from(upload_limit.saturating_add(FORM_ROOM)).unwrap_or(usize::MAX);
    Router::new().route(
        "/import",
        get(form).post(upload).layer(DefaultBodyLimit::max(body)),
    )
}

/// Bytes allowed besides the file: the CSRF token, the action, the strict box, multipart framing.
const FORM_ROOM: u64 = 64 * 1024;

/// `n` bytes in words: "256 MiB".
fn size_label(n: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else {
        format!("{n} bytes")
    }
}

fn too_large(limit: u64) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        format!(
            "the file is larger than the upload limit of {} (`serve --upload-limit-mb`); use `aidtrace iati import FILE` for larger files",
            size_label(limit)
        ),
    )
    .with_field("file")
}

fn upload_form(csrf: &str, is_admin: bool) -> maud::Markup {
    html! {
        form method="post" action="/import" enctype="multipart/form-data" class="form" id="import-form" {
            input type="hidden" name="csrf" value=(csrf);
            label { (t("import-file")) input type="file" name="file" id="file" accept=".xml,application/xml,text/xml" required; }
            label { input type="checkbox" name="strict" value="1"; " " (t("import-strict")) }
            button type="submit" name="action" value="validate" id="validate" { (t("import-validate")) }
            @if is_admin {
                " "
                button type="submit" name="action" value="import" id="import" { (t("import-go")) }
            }
        }
    }
}

pub async fn form(caller: Caller) -> PageResult<Html<String>> {
    let body = match caller.principal() {
        Some(p) => upload_form(p.csrf.as_deref().unwrap_or_default(), p.role == Role::Admin),
        None => html! {
            p id="import-status" { (t("import-sign-in")) " "
                code { "aidtrace iati validate FILE" } ", " code { "aidtrace iati import FILE" } }
        },
    };
    Ok(layout(&t("title-import"), &caller, body))
}

struct Upload {
    csrf: String,
    action: String,
    strict: bool,
    name: String,
    /// The file as received, on disk: a 200 MB upload never sits in memory.
    file: tempfile::NamedTempFile,
    size: u64,
}

async fn read_upload(mut multipart: Multipart, limit: u64) -> Result<Upload, ApiError> {
    let bad = |m: String| ApiError::bad_request("invalid_upload", m);
    // The body limit ends the stream with 413 when the whole request is too large.
    let unreadable = |what: &str, e: axum::extract::multipart::MultipartError| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            too_large(limit)
        } else {
            bad(format!("{what}: {}", e.body_text()))
        }
    };
    let mut upload = Upload {
        csrf: String::new(),
        action: "validate".into(),
        strict: false,
        name: String::new(),
        file: tempfile::NamedTempFile::new().map_err(ApiError::internal)?,
        size: 0,
    };
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| unreadable("upload", e))?
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
                while let Some(chunk) = field.chunk().await.map_err(|e| unreadable("file", e))? {
                    upload.size = upload.size.saturating_add(chunk.len() as u64);
                    if upload.size > limit {
                        return Err(too_large(limit));
                    }
                    // Chunks are small and land in the page cache; a blocking write here costs
                    // less than a hop to the blocking pool per chunk.
                    upload.file.write_all(&chunk).map_err(ApiError::internal)?;
                }
            }
            other => return Err(bad(format!("unknown form field {other:?}"))),
        }
    }
    upload.file.flush().map_err(ApiError::internal)?;
    if upload.size == 0 {
        return Err(
            ApiError::bad_request("invalid_upload", t("import-err-no-file")).with_field("file"),
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
    let upload = read_upload(multipart, state.config.upload_limit).await?;
    auth::check_csrf(&principal, &upload.csrf)?;
    let import = match upload.action.as_str() {
        "validate" => false,
        "import" if principal.role == Role::Admin => true,
        "import" => {
            return Err(ApiError::forbidden(t("import-err-admin")).into());
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
    let received = upload.file;
    let options = ImportOptions {
        strict: upload.strict,
        validation_report: true,
    };
    let st = state.clone();
    let actor = principal.name.clone();
    let file = name.clone();
    // Checking a large file takes seconds of CPU: off the async workers. An import gives the
    // validation report from the same read.
    let (report, imported) = blocking(move || {
        if !import {
            let reader = std::io::BufReader::new(received.reopen().map_err(ApiError::internal)?);
            let report = validate_reader_grouped(&file, reader, &Options::default());
            return Ok((report, None));
        }
        let mut imported = st
            .service()
            .import_iati(&actor, &file, || received.reopen(), options, &mut |_, _| {})
            .map_err(ApiError::from)?;
        let report = imported.validation.take().ok_or_else(|| {
            ApiError::internal(format!("{file}: the import kept no validation report"))
        })?;
        Ok((GroupedReport::from_report(report), Some(imported)))
    })
    .await?;
    if imported.is_some() {
        state.invalidate();
    }
    let s = &report.summary;
    let body = html! {
        h2 id="report-title" { (ta("import-report-title", &[("file", &name)])) }
        @if !s.well_formed {
            p class="error" id="not-well-formed" { (t("import-not-well-formed")) }
        }
        table id="layers" {
            tr { th { (t("import-col-activities")) } th { (t("import-col-schema")) } th { (t("import-col-codelists")) } th { (t("import-col-rules")) } th { (t("import-col-errors")) } th { (t("import-col-warnings")) } }
            tr { td { (s.activities) } td { (s.schema_valid) } td { (s.codelists_valid) } td { (s.rules_valid) } td { (s.errors) } td { (s.warnings) } }
        }
        @for issue in &report.file_errors {
            p class="error" { (ta("import-at", &[("line", &issue.line.to_string()), ("column", &issue.column.to_string())])) ": " (issue.message)
                @if issue.count > 1 { " (×" (issue.count) ")" } }
        }
        @if let Some(r) = &imported {
            h2 { (t("title-import")) }
            @if let Some(why) = &r.refused {
                p class="error" id="import-refused" { (t("import-refused")) ": " (why) }
            } @else {
                p id="import-result" { (ta("import-result", &[
                    ("accepted", &r.accepted.to_string()), ("rejected", &r.rejected.to_string()),
                    ("kept", &r.kept_newer.to_string()), ("created", &r.records_created.to_string()),
                    ("updated", &r.records_updated.to_string())])) }
            }
            @for a in r.activities.iter().filter(|a| matches!(a.outcome, Outcome::Rejected { .. })).take(100) {
                @if let Outcome::Rejected { reasons } = &a.outcome {
                    p class="error" { (ta("import-line", &[("line", &a.line.to_string())])) ": " (a.identifier) " — " (t("import-rejected")) ": " (reasons.join("; ")) }
                }
            }
            // Elements an accepted activity was imported without (a flawed budget, say).
            @if r.left_out > 0 {
                p id="import-left-out" { (ta("import-left-out-count", &[("count", &r.left_out.to_string())])) }
            }
            @for (a, l) in r.activities.iter().flat_map(|a| a.left_out.iter().map(move |l| (a, l))).take(100) {
                p class="warn left-out" { (ta("import-line", &[("line", &l.line.to_string())])) ": " (a.identifier) " — " (ta("import-left-out", &[("element", &l.element), ("reason", &l.reason)])) }
            }
        }
        h2 { (t("import-problems")) }
        // Repeated findings of an activity are one row with their count and first lines, the
        // grouping of `aidtrace iati validate`.
        table id="issues" {
            tr { th { (t("col-activity")) } th { (t("col-line")) } th { (t("col-layer")) } th { (t("col-rule")) } th { (t("col-severity")) } th { (t("col-message")) } th { (t("import-col-count")) } th { (t("import-col-lines")) } }
            @for a in &report.activities {
                @for g in a.errors.iter().take(20) {
                    tr class="issue-group" {
                        td { (a.identifier) } td { (g.line) }
                        td { (match g.layer { Layer::Xml => "XML".to_string(), Layer::Schema => t("import-layer-schema"), Layer::Codelist => t("import-layer-codelist"), Layer::Rule => t("import-layer-rule") }) }
                        td { (g.rule) }
                        td { (i18n::value(if g.severity == Severity::Error { "error" } else { "warning" })) }
                        td { (g.message) }
                        td class="count" { (g.count) }
                        td class="lines" { (g.lines.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")) @if g.count > g.lines.len() as u64 { ", …" } }
                    }
                }
            }
        }
        (upload_form(principal.csrf.as_deref().unwrap_or_default(), principal.role == Role::Admin))
    };
    Ok(layout(&t("title-import"), &caller, body))
}
