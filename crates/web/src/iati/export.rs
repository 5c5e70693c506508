//! IATI 2.03 export as a download: the activities of the list as filtered (`/activities?…`:
//! its search `q` and every field of the one filter, selected by `tables::selected_activities`
//! like the list and its CSV/XLSX) or one activity, checked by the project's own validator
//! before the file is offered.
//!
//! `/export/iati?…` shows what the download will hold and which activities are left out and
//! why; `/export/iati.xml?…` is the file itself (the same selection, made again: the export is
//! deterministic), with the left-out count in `X-Aidtrace-Left-Out`.

use std::sync::Arc;

use aidtrace_domain::{RecordId, RecordKind};
use aidtrace_service::Aidtrace;
use axum::Router;
use axum::extract::State;
use axum::http::{Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::html;

use crate::auth::Caller;
use crate::error::{ApiError, PageError};
use crate::i18n::{t, ta};
use crate::request_ctx::layout;
use crate::state::{AppState, Snapshot, blocking};
use crate::tables::ActivityFilter;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/export/iati", get(preview))
        .route("/export/iati.xml", get(download))
}

/// What an export holds: one activity (`activity=ID`, from its page) or the activity list's
/// selection (its search and the filter), read from the query string.
#[derive(Debug, Clone)]
enum Selection {
    One(String),
    List(Box<ActivityFilter>),
}

impl Selection {
    fn read(snap: &Snapshot, raw: Option<&str>) -> Result<Self, ApiError> {
        let (flows, own) =
            crate::flows::page_filter(snap, raw, &["q", "activity"]).map_err(|e| e.0)?;
        if let Some(id) = own.get("activity").filter(|v| !v.is_empty()) {
            return Ok(Self::One(id.clone()));
        }
        let pairs: std::collections::BTreeMap<&str, String> = flows.pairs().into_iter().collect();
        Ok(Self::List(Box::new(ActivityFilter {
            q: own.get("q").cloned().unwrap_or_default(),
            status: pairs.get("status").cloned().unwrap_or_default(),
            instrument: pairs.get("instrument").cloned().unwrap_or_default(),
            flows,
        })))
    }

    /// The query string that selects the same again (`?…`, empty for everything).
    fn query_string(&self) -> String {
        match self {
            Self::One(id) => format!("?activity={}", crate::present::links::urlencode(id)),
            Self::List(f) => crate::flows::query(&f.flows, &[("q", &f.q)]),
        }
    }
}

/// An export that passed the validator: the file, how many activities it holds, those left
/// out (record id and why), and what the export itself could not carry.
#[derive(Debug, Clone, Default)]
pub struct ValidatedExport {
    pub xml: axum::body::Bytes,
    pub activities: usize,
    pub left_out: Vec<LeftOut>,
    pub notes: Vec<String>,
}

/// An activity the file leaves out.
#[derive(Debug, Clone)]
pub struct LeftOut {
    pub activity: RecordId,
    /// Nothing dates it (said in the reader's language on the page).
    pub undated: bool,
    /// Its reporting organisation's name, when that one has no IATI organisation identifier.
    pub reporter_without_ref: Option<String>,
    /// The validator's other findings, the first few joined.
    pub reasons: String,
}

/// Why an activity is left out: what the ledger can say in the reader's language first, then
/// the validator's findings, joined by "; ".
fn left_out_reasons(l: &LeftOut) -> maud::Markup {
    let mut said = Vec::new();
    if l.undated {
        said.push(html! { span class="iati-undated" { (t("iati-export-undated")) } });
    }
    if let Some(name) = &l.reporter_without_ref {
        said.push(html! { span class="iati-no-reporter-ref" { (ta("iati-export-no-reporter-ref", &[("name", name)])) } });
    }
    if !l.reasons.is_empty() {
        said.push(html! { (l.reasons) });
    }
    html! { @for (i, part) in said.iter().enumerate() { @if i > 0 { "; " } (part) } }
}

/// Findings shown per left-out activity.
const REASONS_SHOWN: usize = 3;

/// Exports `ids` through the service, which runs the project's validator on each activity and
/// leaves out, with the validator's findings, those that would make the file fail.
pub fn export_validated(
    service: &Aidtrace,
    ids: Vec<RecordId>,
) -> Result<ValidatedExport, ApiError> {
    let mut xml = Vec::new();
    let report = service
        .export_iati_valid(&aidtrace_service::iati::ActivityFilter::Only(ids), &mut xml)
        .map_err(ApiError::from)?;
    Ok(ValidatedExport {
        xml: xml.into(),
        activities: report.activities,
        left_out: report
            .excluded
            .into_iter()
            .map(|x| {
                let reasons: Vec<String> = x.reasons.into_iter().take(REASONS_SHOWN).collect();
                LeftOut {
                    activity: x.activity,
                    undated: x.undated,
                    reporter_without_ref: x.reporter_without_ref,
                    reasons: reasons.join("; "),
                }
            })
            .collect(),
        notes: report.left_out.into_iter().chain(report.supplied).collect(),
    })
}

/// The activities the query selects, in the ledger's order, with the identifier the export
/// writes for each.
async fn run(
    state: &AppState,
    caller: &Caller,
    uri: &Uri,
) -> Result<(Selection, Arc<ValidatedExport>), ExportError> {
    crate::auth::can_read(state, caller)?;
    let snap = state.snapshot().await?;
    let selection = Selection::read(&snap, uri.query())?;
    let ids: Vec<RecordId> = match &selection {
        Selection::List(filter) => crate::tables::selected_activities(&snap, filter)
            .map(|a| a.id.clone())
            .collect(),
        Selection::One(raw) => {
            let id = RecordId::parse(raw).map_err(|e| {
                ApiError::not_found(format!("activity {raw:?}: {}", e.message))
                    .with_field("activity")
                    .said(raw.as_str(), crate::error::no_such(RecordKind::Activity))
            })?;
            if !snap.ledger.activities.contains_key(&id) {
                return Err(
                    ApiError::not_found(format!("activity {raw} does not exist"))
                        .with_field("activity")
                        .said(raw.as_str(), crate::error::no_such(RecordKind::Activity))
                        .into(),
                );
            }
            vec![id]
        }
    };
    if ids.is_empty() {
        // An empty list would mean "every activity" to the service.
        return Ok((selection, Arc::default()));
    }
    // The same selection of the same snapshot is built once; other exports, which anyone may
    // ask for and which take seconds and tens of megabytes at scale, are built only as many at
    // once as the server checks uploads, and beyond that refused with Retry-After.
    let key = selection.query_string();
    if let Some(done) = snap.memo.export(&key) {
        return Ok((selection, done));
    }
    let building = state
        .exports_building
        .clone()
        .try_acquire_owned()
        .map_err(|_| {
            ExportError::Busy(crate::auth::guard::Refused {
                error: Box::new(ApiError::new(
                    axum::http::StatusCode::SERVICE_UNAVAILABLE,
                    "busy",
                    t("iati-export-busy"),
                )),
                retry_after_secs: EXPORT_RETRY_AFTER_SECS,
            })
        })?;
    let st = state.clone();
    // The permit goes with the build: a client that hangs up drops this handler, not the
    // blocking build, which must keep its place until it ends.
    let export = Arc::new(
        blocking(move || {
            let _building = building;
            export_validated(&*st.reader()?, ids)
        })
        .await?,
    );
    snap.memo.keep_export(key, Arc::clone(&export));
    Ok((selection, export))
}

/// Why an export is not given: the page's error, or a busy server (503 with `Retry-After`).
pub enum ExportError {
    Page(PageError),
    Busy(crate::auth::guard::Refused),
}

impl<E: Into<PageError>> From<E> for ExportError {
    fn from(e: E) -> Self {
        Self::Page(e.into())
    }
}

impl IntoResponse for ExportError {
    fn into_response(self) -> Response {
        match self {
            Self::Page(e) => e.into_response(),
            Self::Busy(r) => r.into_response(),
        }
    }
}

/// Seconds a client refused for a busy server is asked to wait: about what an export of a
/// large ledger takes.
const EXPORT_RETRY_AFTER_SECS: u64 = 5;

pub async fn preview(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
) -> Result<Response, ExportError> {
    let (selection, export) = run(&state, &caller, &uri).await?;
    let snap = state.snapshot().await?;
    let query = selection.query_string();
    let body = html! {
        @if export.activities == 0 {
            p id="iati-export-empty" class="muted" { (t("iati-export-none")) }
        } @else {
            p id="iati-export-ready" data-count=(export.activities) {
                (ta("iati-export-ready", &[("count", &export.activities.to_string())])) " "
                a href=(format!("/export/iati.xml{query}")) id="iati-download" download="aidtrace-iati.xml" { (t("iati-export-download")) }
            }
        }
        @if !export.left_out.is_empty() {
            h2 { (t("iati-export-left-out")) }
            table id="iati-left-out" class="list" {
                tr { th { (t("col-activity")) } th { (t("iati-export-reason")) } }
                @for l in &export.left_out {
                    tr {
                        td {
                            a href=(format!("/activities/{}", l.activity)) { (snap.ledger.record_name(&l.activity).unwrap_or(l.activity.as_str())) }
                            " " code class="muted" { (l.activity) }
                        }
                        td {
                            (left_out_reasons(l))
                        }
                    }
                }
            }
        }
        @if !export.notes.is_empty() {
            h2 { (t("iati-export-notes")) }
            ul id="iati-notes" { @for n in &export.notes { li { (n) } } }
        }
        p { a href=(match &selection { Selection::List(_) => format!("/activities{query}"), Selection::One(id) => format!("/activities/{}", crate::present::links::urlencode(id)) }) { (t("iati-export-back")) } }
    };
    Ok(layout(&t("title-iati-export"), &caller, body).into_response())
}

pub async fn download(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
) -> Result<Response, ExportError> {
    let (selection, export) = run(&state, &caller, &uri).await?;
    if export.activities == 0 {
        return Err(ApiError::not_found(t("iati-export-none")).into());
    }
    let name = match &selection {
        Selection::List(_) => "aidtrace-iati.xml".to_string(),
        // Record ids are letters, digits and `-_.:`; the name stays a plain token.
        Selection::One(id) => format!("{}.xml", id.replace(':', "_")),
    };
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/xml; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (
                header::HeaderName::from_static("x-aidtrace-left-out"),
                export.left_out.len().to_string(),
            ),
        ],
        export.xml.clone(),
    )
        .into_response())
}
