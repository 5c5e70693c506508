//! Incidents and field safety notices on the web (issue #17 item 7): the notices page with its
//! search by model, UDI-DI, lot or serial; one notice with the assets it names and the progress of
//! their recall-action orders (an admin opens the missing orders in one click); the incident form
//! of an asset; the incidents and notices sections of the asset page.
//!
//! Forms work without JavaScript, report every field problem at once next to its field in the
//! reader's language, and keep what was typed.

use std::collections::BTreeMap;

use aidtrace_domain::assets::recall::{FieldSafetyNotice, Incident, Match, Severity};
use aidtrace_domain::assets::{WorkOrder, WorkOrderStatus, instant};
use aidtrace_domain::{Ledger, RecordId};
use aidtrace_service::assets::{self as svc, HistorySource, NoticeReport};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::{Markup, html};

use crate::api::readable;
use crate::assets::pages::may_report;
use crate::assets::pages::now;
use crate::auth::{self, Caller, Principal, Role};
use crate::error::{ApiError, PageResult, parse_id};
use crate::format::datetime;
use crate::i18n::t;
use crate::labels::label;
use crate::present::links::urlencode as enc;
use crate::request_ctx::layout;
use crate::state::{AppState, blocking};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assets/recalls", get(notices_page))
        .route("/assets/recalls/{id}", get(notice_page))
        .route("/assets/recalls/{id}/orders", post(orders_submit))
        .route(
            "/assets/{id}/incident",
            get(incident_form).post(incident_submit),
        )
}

type FormMap = BTreeMap<String, String>;
use super::form_errors::{FieldError, said, sentence, shown, worded};

fn model_name(ledger: &Ledger, id: Option<&RecordId>) -> String {
    id.map(|m| {
        ledger
            .device_models
            .get(m)
            .map_or_else(|| m.to_string(), |x| x.model_name.clone())
    })
    .unwrap_or_default()
}

fn status_word(s: Option<WorkOrderStatus>) -> String {
    s.map_or_else(|| t("recall-no-order"), label)
}

// ---- notices --------------------------------------------------------------------------------

#[derive(Debug, Default, serde::Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

pub async fn notices_page(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<SearchQuery>,
) -> PageResult<Html<String>> {
    readable(&state, &caller)?;
    let snap = state.snapshot().await?;
    let st = state.clone();
    let term = query.q.trim().to_string();
    let search = term.clone();
    let reports: Vec<NoticeReport> = blocking(move || {
        let app = st.reader()?;
        let found = svc::search_notices(&app, &search)?;
        let mut out = Vec::new();
        for n in found {
            out.push(svc::notice_report(&app, &n.id)?);
        }
        Ok(out)
    })
    .await?;
    let ledger = &snap.ledger;
    let content = html! {
        p class="muted" { (t("recall-intro")) }
        form method="get" action="/assets/recalls" id="recall-search" {
            label { (t("recall-search")) br;
                input type="search" name="q" id="q" value=(term) placeholder="SN0123 / 0761234567890 / LOT-42";
            }
            " " button type="submit" { (t("recall-search-button")) }
        }
        @if reports.is_empty() { p class="muted" id="no-notices" { (t("recall-none")) } }
        @else {
            table class="list" id="notices" {
                thead { tr {
                    th { (t("recall-reference")) } th { (t("recall-date")) } th { (t("recall-issuer")) }
                    th { (t("assets-model")) } th { (t("recall-action")) } th { (t("recall-progress")) }
                } }
                tbody { @for r in &reports { tr data-notice=(r.notice.id) {
                    td { a href=(format!("/assets/recalls/{}", enc(r.notice.id.as_str()))) { (r.notice.reference) } }
                    td { (r.notice.date) }
                    td { (ledger.org_name(&r.notice.issuer)) }
                    td { (model_name(ledger, r.notice.model.as_ref())) }
                    td { (r.notice.action) }
                    td { (r.done) " / " (r.to_act) }
                } } }
            }
        }
    };
    Ok(layout(&t("recall-title"), &caller, content))
}

fn notice_facts(ledger: &Ledger, n: &FieldSafetyNotice) -> Markup {
    let list = |v: &[String]| v.join(", ");
    html! {
        dl class="facts" id="notice" {
            dt { (t("recall-reference")) } dd { (n.reference) }
            dt { (t("recall-date")) } dd { (n.date) }
            dt { (t("recall-issuer")) } dd { (ledger.org_name(&n.issuer)) }
            @if let Some(m) = &n.model { dt { (t("assets-model")) } dd { (model_name(ledger, Some(m))) } }
            @if !n.udi_di.is_empty() { dt { "UDI-DI" } dd { (list(&n.udi_di)) } }
            @if !n.lots.is_empty() { dt { (t("recall-lots")) } dd { (list(&n.lots)) } }
            @if !n.serials.is_empty() || !n.serial_ranges.is_empty() {
                dt { (t("recall-serials")) }
                dd { (list(&n.serials)) @for r in &n.serial_ranges { " " (r.from) "–" (r.to) } }
            }
            dt { (t("recall-action")) } dd { (n.action) }
        }
    }
}

pub async fn notice_page(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
) -> PageResult<Html<String>> {
    readable(&state, &caller)?;
    let id = parse_id(&raw)?;
    let snap = state.snapshot().await?;
    let st = state.clone();
    let nid = id.clone();
    let r = blocking(move || Ok(svc::notice_report(&*st.reader()?, &nid)?)).await?;
    let ledger = &snap.ledger;
    let admin = caller
        .principal()
        .filter(|p| p.role == Role::Admin)
        .cloned();
    let content = html! {
        (notice_facts(ledger, &r.notice))
        p id="recall-progress" data-done=(r.done) data-to-act=(r.to_act) {
            (t("recall-progress")) ": " b { (r.done) " / " (r.to_act) } " · "
            (t("recall-in-progress")) " " (r.in_progress) " · " (t("recall-without-order")) " " (r.without_order)
        }
        h2 { (t("recall-affected")) }
        @if r.affected.is_empty() { p class="muted" id="no-affected" { (t("recall-no-affected")) } }
        @else {
            table class="list" id="affected" {
                thead { tr {
                    th { (t("assets-tag")) } th { (t("assets-facility")) } th { (t("asset-serial")) } th { (t("recall-lot")) }
                    th { (t("status")) } th { (t("recall-match")) } th { (t("asset-work-order")) }
                } }
                tbody { @for a in &r.affected { tr data-asset=(a.asset) data-match=(a.matched.as_str()) {
                    td { a href=(format!("/assets/{}", enc(a.asset.as_str()))) { (a.inventory_tag) } }
                    td { (ledger.facility_name(&a.facility)) }
                    td { (a.serial.clone().unwrap_or_default()) }
                    td { (a.lot.clone().unwrap_or_default()) }
                    td { (a.state.map(label).unwrap_or_default()) }
                    td { (label(a.matched)) }
                    td { @if let Some(w) = &a.work_order { (w) " · " } (status_word(a.work_order_status)) }
                } } }
            }
        }
        @if let Some(p) = admin.filter(|_| r.without_order > 0) {
            form method="post" action=(format!("/assets/recalls/{}/orders", enc(id.as_str()))) id="orders-form" {
                input type="hidden" name="csrf" value=(p.csrf.clone().unwrap_or_default());
                button type="submit" id="open-orders" { (t("recall-open-orders")) " (" (r.without_order) ")" }
            }
        }
    };
    Ok(layout(
        &format!("{} · {}", t("recall-notice"), r.notice.reference),
        &caller,
        content,
    ))
}

/// Opens the missing recall-action orders of a notice. Admins only: the orders reach every
/// facility the notice names, beyond any one engineer's scope.
pub async fn orders_submit(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
    Form(form): Form<FormMap>,
) -> PageResult<Response> {
    let p = caller.require()?.clone();
    auth::check_csrf(&p, form.get("csrf").map(String::as_str).unwrap_or_default())?;
    if p.role != Role::Admin {
        return Err(ApiError::forbidden(format!(
            "{} ({}) may not open recall-action orders; an admin may",
            p.name,
            p.role.as_str()
        ))
        .into());
    }
    let id = parse_id(&raw)?;
    let st = state.clone();
    let (name, nid) = (p.name.clone(), id.clone());
    let result = blocking(move || {
        let mut app = st.service();
        let queries = st.reader()?;
        Ok(svc::open_recall_orders(
            &mut app,
            HistorySource::Indexed(queries.store()),
            &name,
            &nid,
            now(),
        )?)
    })
    .await;
    state.invalidate();
    result?;
    Ok(Redirect::to(&format!("/assets/recalls/{}", enc(id.as_str()))).into_response())
}

// ---- the asset page's sections ----------------------------------------------------------------

/// What the asset page shows of incidents and notices.
pub struct AssetSafety {
    pub incidents: Vec<Incident>,
    pub notices: Vec<(FieldSafetyNotice, Match, Option<WorkOrder>)>,
}

/// Reads the asset's incidents and the notices that name it (call inside `blocking`).
pub fn asset_safety(
    app: &aidtrace_service::Aidtrace,
    asset: &aidtrace_domain::assets::Asset,
) -> aidtrace_service::ServiceResult<AssetSafety> {
    Ok(AssetSafety {
        incidents: svc::asset_incidents(app, &asset.id)?,
        notices: svc::asset_notices(app, HistorySource::Store, asset)?,
    })
}

fn yes_no(b: bool) -> String {
    if b { t("asset-yes") } else { t("recall-no") }
}

/// The incidents and field safety notices sections of the asset page.
pub fn asset_sections(id: &RecordId, s: &AssetSafety, may_record: bool) -> Markup {
    html! {
        h2 { (t("incident-title")) }
        @if s.incidents.is_empty() { p class="muted" { "—" } }
        @else {
            table class="list" id="incidents" {
                thead { tr {
                    th { (t("asset-at")) } th { (t("incident-severity")) } th { (t("incident-description")) }
                    th { (t("incident-patient-harm")) } th { (t("incident-reported")) } th { (t("asset-work-order")) }
                } }
                tbody { @for i in &s.incidents { tr id=(i.id) data-incident=(i.id) {
                    td { (datetime(i.at)) } td { (label(i.severity)) } td { (i.description) }
                    td { (yes_no(i.patient_harm)) } td { (yes_no(i.reported_to_regulator)) }
                    td { (i.work_order.as_ref().map(ToString::to_string).unwrap_or_default()) }
                } } }
            }
        }
        @if may_record {
            p { a class="button" id="record-incident" href=(format!("/assets/{}/incident", enc(id.as_str()))) { (t("incident-record")) } }
        }
        h2 { (t("recall-title")) }
        @if s.notices.is_empty() { p class="muted" id="asset-notices-none" { "—" } }
        @else {
            ul id="asset-notices" { @for (n, m, w) in &s.notices {
                li class="finding warning" data-notice=(n.id) {
                    a href=(format!("/assets/recalls/{}", enc(n.id.as_str()))) { (n.reference) } " (" (n.date) "): " (n.action)
                    " · " (label(*m)) " · " (status_word(w.as_ref().map(|w| w.status)))
                }
            } }
        }
    }
}

// ---- the incident form ------------------------------------------------------------------------

fn incident_page(
    caller: &Caller,
    p: &Principal,
    ledger: &Ledger,
    id: &RecordId,
    form: &FormMap,
    problems: &[FieldError],
) -> Html<String> {
    let csrf = p.csrf.clone().unwrap_or_default();
    let value = |k: &str| form.get(k).cloned().unwrap_or_default();
    let checked = |k: &str| form.get(k).is_some_and(|v| v == "yes");
    let problem = |f: &str| problems.iter().find(|x| x.field == f).map(shown);
    let orders: Vec<&WorkOrder> = ledger
        .work_orders
        .values()
        .filter(|w| &w.asset == id && !w.is_void())
        .collect();
    let tag = ledger
        .assets
        .get(id)
        .map_or_else(|| id.to_string(), |a| a.inventory_tag.clone());
    let field_error = |f: &str| {
        html! { @if let Some(m) = problem(f) { span class="error" id=(format!("error-{f}")) { (m) } br; } }
    };
    layout(
        &format!("{} {tag}", t("incident-record")),
        caller,
        html! {
            p { a href=(format!("/assets/{}", enc(id.as_str()))) { (id) } }
            @if !problems.is_empty() {
                div class="error" id="error" role="alert" {
                    p { (t("asset-not-saved")) }
                    ul { @for x in problems { li { (x.field) ": " (shown(x)) } } }
                }
            }
            form method="post" action=(format!("/assets/{}/incident", enc(id.as_str()))) class="phone" id="incident-form" {
                input type="hidden" name="csrf" value=(csrf);
                label { (t("incident-severity")) br;
                    (field_error("severity"))
                    select name="severity" id="severity" {
                        option value="" { "—" }
                        @for s in [Severity::NearMiss, Severity::Minor, Severity::Serious, Severity::Death] {
                            option value=(s.as_str()) selected[value("severity") == s.as_str()] { (label(s)) }
                        }
                    }
                }
                br;
                label { (t("asset-when")) br;
                    (field_error("at"))
                    input type="text" name="at" id="at" inputmode="numeric" placeholder="2025-03-01T10:00+05:00" value=(value("at"));
                }
                br;
                label { (t("incident-description")) br;
                    (field_error("description"))
                    textarea name="description" id="description" rows="4" maxlength="2000" { (value("description")) }
                }
                br;
                label { input type="checkbox" name="patient_harm" value="yes" checked[checked("patient_harm")]; " " (t("incident-patient-harm")) }
                br;
                label { input type="checkbox" name="reported_to_regulator" value="yes" checked[checked("reported_to_regulator")]; " " (t("incident-reported")) }
                br;
                label { (t("asset-work-order")) br;
                    (field_error("work_order"))
                    select name="work_order" id="work_order" {
                        option value="" { "—" }
                        @for w in &orders { option value=(w.id) selected[value("work_order") == w.id.as_str()] { (w.id) " · " (label(w.kind)) } }
                    }
                }
                br;
                button type="submit" id="submit-incident" { (t("incident-record")) }
            }
        },
    )
}

pub async fn incident_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
) -> PageResult<Html<String>> {
    let p = caller.require()?.clone();
    let id = parse_id(&raw)?;
    let snap = state.snapshot().await?;
    may_report(&p, &snap.ledger, &id)?;
    Ok(incident_page(
        &caller,
        &p,
        &snap.ledger,
        &id,
        &FormMap::new(),
        &[],
    ))
}

/// Reads the form; every field problem is collected, none stops the others being checked.
fn parse_incident(id: &RecordId, form: &FormMap) -> Result<Incident, Vec<FieldError>> {
    let mut problems = Vec::new();
    let get = |k: &str| form.get(k).map(|s| s.trim()).unwrap_or_default();
    let severity = [
        Severity::NearMiss,
        Severity::Minor,
        Severity::Serious,
        Severity::Death,
    ]
    .into_iter()
    .find(|s| s.as_str() == get("severity"));
    if severity.is_none() {
        problems.push(said("severity", "incident-err-severity", ""));
    }
    let at = if get("at").is_empty() {
        Some(now())
    } else {
        let parsed = instant::parse(get("at"));
        if parsed.is_none() {
            problems.push(said("at", "asset-err-time", get("at")));
        }
        parsed
    };
    let description = get("description");
    if description.is_empty() {
        problems.push(said("description", "incident-err-description", ""));
    } else if description.chars().count() > 2000 {
        problems.push(said("description", "incident-err-description-long", ""));
    }
    let work_order = match get("work_order") {
        "" => None,
        raw => match RecordId::parse(raw) {
            Ok(w) => Some(w),
            Err(_) => {
                problems.push(said("work_order", "incident-err-work-order", raw));
                None
            }
        },
    };
    match (severity, at, problems.is_empty()) {
        (Some(severity), Some(at), true) => Ok(Incident {
            id: RecordId::parse(&format!("inc-{id}-{}", at.format("%Y%m%dT%H%M%S")))
                .map_err(|_| vec![said("at", "asset-err-time", "")])?,
            asset: id.clone(),
            at,
            severity,
            description: description.to_string(),
            patient_harm: get("patient_harm") == "yes",
            reported_to_regulator: get("reported_to_regulator") == "yes",
            work_order,
            reported_by: None,
        }),
        _ => Err(problems),
    }
}

/// A refusal of the service as a field problem in the reader's language when it is one this form
/// expects; any other keeps the service's sentence, which names the field and value.
fn service_problem(e: &ApiError) -> FieldError {
    let field = match e.field.as_deref() {
        Some("at") => "at",
        Some("work_order") => "work_order",
        Some("description") => "description",
        _ => "id",
    };
    if let Some(worded) = worded(field, e) {
        worded
    } else if e.message.contains("is in the future") {
        said(field, "asset-err-future", "")
    } else if e.message.contains("the work order is for asset") {
        said(field, "incident-err-work-order-asset", "")
    } else if e.message.contains("an incident with this id is recorded") {
        said(field, "incident-err-duplicate", "")
    } else {
        sentence(field, e.message.clone())
    }
}

pub async fn incident_submit(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
    Form(form): Form<FormMap>,
) -> PageResult<Response> {
    let p = caller.require()?.clone();
    auth::check_csrf(&p, form.get("csrf").map(String::as_str).unwrap_or_default())?;
    let id = parse_id(&raw)?;
    let snap = state.snapshot().await?;
    may_report(&p, &snap.ledger, &id)?;
    let again = |problems: Vec<FieldError>, status: StatusCode| {
        (
            status,
            incident_page(&caller, &p, &snap.ledger, &id, &form, &problems),
        )
            .into_response()
    };
    let mut incident = match parse_incident(&id, &form) {
        Ok(i) => i,
        Err(problems) => return Ok(again(problems, StatusCode::BAD_REQUEST)),
    };
    incident.reported_by = Some(p.name.clone());
    let st = state.clone();
    let name = p.name.clone();
    let result = blocking(move || {
        let mut app = st.service();
        Ok(svc::record_incident(&mut app, &name, incident)?)
    })
    .await;
    state.invalidate();
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/assets/{}", enc(id.as_str()))).into_response()),
        Err(e) if e.status.is_client_error() => Ok(again(vec![service_problem(&e)], e.status)),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> FormMap {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    #[test]
    fn every_field_problem_is_reported_at_once() {
        let id = RecordId::parse("as-1").expect("id");
        let problems = parse_incident(
            &id,
            &form(&[
                ("severity", "bad"),
                ("at", "yesterday"),
                ("work_order", "a b"),
            ]),
        )
        .expect_err("refused");
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["severity", "at", "description", "work_order"]);
    }
}
