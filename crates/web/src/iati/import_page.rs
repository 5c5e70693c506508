//! The IATI import page: upload files (XML, or zip archives of them), see their three-layer
//! validation report per file and in total, and (admins) import them into the ledger with the
//! same rules as `aidtrace iati import`, each file atomically. Receiving and unpacking safely
//! is [`crate::iati::upload`]; the report is [`crate::iati::import_report`].

use aidtrace_iati::grouped::{FileEvent, validate_files_grouped};
use aidtrace_iati::validate::Options;
use aidtrace_service::iati::ImportOptions;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use maud::html;

use crate::auth::{self, Caller, Role};
use crate::error::{ApiError, PageResult};
use crate::i18n::{self, t};
use crate::iati::import_report::{FileReport, UploadReport};
use crate::iati::upload;
use crate::request_ctx::layout;
use crate::state::{AppState, blocking};

/// Routes of this area, merged into [`crate::app`]. The upload has its own body limit (the
/// file's limit and room for the form's other fields); every other body keeps the small one.
pub fn routes(upload_limit: u64) -> Router<AppState> {
    let body = usize::try_from(upload_limit.saturating_add(FORM_ROOM)).unwrap_or(usize::MAX);
    Router::new()
        .route(
            "/import",
            get(form).post(upload).layer(DefaultBodyLimit::max(body)),
        )
        .route("/static/upload.js", get(upload_js))
}

/// Bytes allowed besides the files: the CSRF token, the action, the strict box, multipart framing.
const FORM_ROOM: u64 = 64 * 1024;

/// The upload progress bar: a script of our own (the CSP allows no other), optional: without
/// it the form posts as any form does.
const UPLOAD_JS: &str = include_str!("../../assets/upload.js");

async fn upload_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        UPLOAD_JS,
    )
        .into_response()
}

fn upload_form(csrf: &str, is_admin: bool) -> maud::Markup {
    html! {
        form method="post" action="/import" enctype="multipart/form-data" class="form" id="import-form" data-checking=(t("import-checking")) data-failed=(t("import-failed")) {
            input type="hidden" name="csrf" value=(csrf);
            label { (t("import-file")) input type="file" name="file" id="file" multiple accept=".xml,.zip,application/xml,text/xml,application/zip" required; }
            p class="muted" { (t("import-file-hint")) }
            label { input type="checkbox" name="strict" value="1"; " " (t("import-strict")) }
            button type="submit" name="action" value="validate" id="validate" { (t("import-validate")) }
            @if is_admin {
                " "
                button type="submit" name="action" value="import" id="import" { (t("import-go")) }
            }
            p id="upload-status" hidden {
                progress id="upload-progress" max="100" value="0" {}
                " " span id="upload-percent" {}
            }
        }
        script src="/static/upload.js" defer {}
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

pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    multipart: Multipart,
) -> PageResult<Response> {
    let principal = caller.require()?.clone();
    // The account's place is taken before the body is read, the server's once it is in; both
    // are held by the checking thread until the report is built (a client that hangs up does
    // not free them while its upload is still being checked).
    let mut slot = match state.upload_slots.try_take(&principal.name) {
        Ok(slot) => slot,
        Err(refused) => return Ok(refused.into_response()),
    };
    let limit = state.config.upload_limit;
    let received = upload::receive(multipart, limit).await?;
    auth::check_csrf(&principal, &received.csrf)?;
    if let Err(refused) = state.upload_slots.start_checking(&mut slot) {
        return Ok(refused.into_response());
    }
    let import = match received.action.as_str() {
        "validate" => false,
        "import" if principal.role == Role::Admin => true,
        "import" => {
            return Err(ApiError::forbidden(t("import-err-admin")).into());
        }
        other => {
            return Err(ApiError::page_not_one_of(
                axum::http::StatusCode::BAD_REQUEST,
                "invalid_upload",
                "action",
                other,
                &["validate", "import"],
            )
            .into());
        }
    };
    let options = ImportOptions {
        strict: received.strict,
        validation_report: true,
    };
    let st = state.clone();
    let actor = principal.name.clone();
    let lang = i18n::current();
    // Unpacking and checking take seconds of CPU: off the async workers. An import gives the
    // validation report from the same read.
    let refused_form = |e: ApiError| {
        let body = html! {
            p id="import-error" class="error" role="alert" { (crate::error::error_text(&e)) }
            (upload_form(principal.csrf.as_deref().unwrap_or_default(), principal.role == Role::Admin))
        };
        (e.status, layout(&t("title-import"), &caller, body)).into_response()
    };
    let checked = blocking(move || {
        let _slot = slot;
        i18n::scope(lang, || {
            let unpacked = upload::unpack(received.files, limit)?;
            let mut report = UploadReport {
                skipped: unpacked.skipped.clone(),
                ..UploadReport::default()
            };
            let paths: Vec<_> = unpacked.files.iter().map(|f| f.path.clone()).collect();
            let names: Vec<_> = unpacked.files.iter().map(|f| f.name.clone()).collect();
            if import {
                import_each(&st, &actor, &paths, names, options, &mut report)?;
            } else {
                validate(&paths, names, &mut report)?;
            }
            Ok(report)
        })
    })
    .await;
    // A refused upload (not XML, a zip bomb, too large unpacked) is said above the form, so the
    // next file can be chosen at once.
    let report = match checked {
        Ok(report) => report,
        Err(e) => {
            // Files an import took before the refusal stay written: the ledger is re-read.
            if import {
                state.invalidate_later();
            }
            if e.status.is_client_error() {
                return Ok(refused_form(e));
            }
            return Err(e.into());
        }
    };
    // The page shows the upload's report, not the ledger: the read model's refresh (seconds
    // after a large import) runs after the response, and the next page waits for it.
    if import {
        state.invalidate_later();
    }
    let body = html! {
        (report.render())
        (upload_form(principal.csrf.as_deref().unwrap_or_default(), principal.role == Role::Admin))
    };
    Ok(layout(&t("title-import"), &caller, body).into_response())
}

/// Imports the files through the same pipeline as `aidtrace iati import` (the next files read
/// and checked on all cores while one is written), each atomically: a file the service cannot
/// write (one record it refuses outright) is that file's refusal, with the reason, and the
/// next file still goes in.
fn import_each(
    state: &AppState,
    actor: &str,
    paths: &[std::path::PathBuf],
    names: Vec<String>,
    options: ImportOptions,
    report: &mut UploadReport,
) -> Result<(), ApiError> {
    let mut service = state.service();
    let results = service.import_iati_files_each(actor, paths, options, &mut |_, _, _| {})?;
    for (i, (result, name)) in results.into_iter().zip(names).enumerate() {
        match result {
            Ok(r) => report.files.push(FileReport::imported(i, name, r)),
            Err(e) => report
                .files
                .push(FileReport::failed(name, ApiError::from(e).message)),
        }
    }
    Ok(())
}

/// Validates the files on all cores, each folded into its rows as soon as it is done.
fn validate(
    paths: &[std::path::PathBuf],
    names: Vec<String>,
    report: &mut UploadReport,
) -> Result<(), ApiError> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let mut activities = Vec::new();
    let mut names = names.into_iter();
    validate_files_grouped(paths, &Options::default(), threads, |i, event| {
        match event {
            FileEvent::Activity(a) => activities.push(a),
            FileEvent::Done(r) => {
                let mut r = r?;
                r.activities = std::mem::take(&mut activities);
                let name = names.next().unwrap_or_default();
                report.files.push(FileReport::of(i, name, &r));
            }
        }
        Ok(())
    })
    .map_err(ApiError::internal)
}
