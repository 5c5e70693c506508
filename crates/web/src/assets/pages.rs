//! Equipment pages: asset register, asset detail, indicators, the phone "device down" form, and
//! their JSON API (`/api/v1/assets`, `/api/v1/reports/assets`, `/api/v1/fhir/{type}`), CSV and
//! XLSX.
//!
//! Reads use the snapshot's ledger (approved data only, like every other page) through the
//! service's asset functions. The "device down" and "back in service" reports are written
//! directly (not through the approval queue): a broken ventilator has to show as down now, and the
//! report only appends history (downtime, work order, lifecycle event) for one asset in the
//! reporter's scope; the audit log names the reporter.

use std::collections::BTreeMap;
use std::sync::Arc;

use aidtrace_domain::assets::donation::{ItemResult, Verdict};
use aidtrace_domain::assets::gaps::{self, Gap, RegionGap, Scope};
use aidtrace_domain::assets::instant;
use aidtrace_domain::assets::kpi::{Fleet, GroupBy, Indicators, MoneyToMachine, Period, PmStatus};
use aidtrace_domain::assets::{AssetEvent, Downtime, DowntimeCause, LifecycleState};
use aidtrace_domain::{CurrencyCode, Ledger, RecordId, RecordKind};
use aidtrace_service::assets::{self as svc, AssetRow, DensityReport, DeviceDown, HistorySource};
use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use chrono::{NaiveDate, NaiveDateTime, Utc};
use maud::{Markup, html};
use rust_decimal::Decimal;
use serde_json::Value;
use utoipa::openapi::path::ParameterIn;

use crate::api::ApiQuery;
use crate::api::readable;
use crate::auth::{self, Caller, Principal, Role};
use crate::error::parse_id;
use crate::error::{ApiError, ApiResult, PageError, PageResult};
use crate::error::{PageQuery, no_such};
use crate::format::{datetime, number_text};
use crate::i18n::Msg;
use crate::i18n::{self, t, tn};
use crate::labels::label;
use crate::present::links::urlencode as enc;
use crate::request_ctx::layout;
use crate::state::{AppState, Snapshot, blocking};
use crate::tables::{self, FileKind, Table};

mod api;
mod detail;
mod down;
mod gap_pages;
mod indicators;

pub use api::{api_detail, api_fhir, api_indicators, api_list, openapi_paths};
pub use detail::detail;
pub use down::{ReportPost, down_form, down_submit, up_submit};
pub use gap_pages::{AtQuery, api_density, api_gaps, gaps_page};
use indicators::report;
pub use indicators::{IndicatorQuery, indicators_file, indicators_page};

/// Routes of this area, merged into [`crate::app`].
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assets", get(register))
        .route("/assets/register.csv", get(register_file))
        .route("/assets/register.xlsx", get(register_file))
        .route("/assets/indicators", get(indicators_page))
        .route("/assets/indicators.csv", get(indicators_file))
        .route("/assets/indicators.xlsx", get(indicators_file))
        .route("/assets/gaps", get(gaps_page))
        .route("/assets/{id}", get(detail))
        .route("/assets/{id}/down", get(down_form).post(down_submit))
        .route("/assets/{id}/up", post(up_submit))
        .route("/a/{id}", get(short_url))
        .route("/api/v1/assets", get(api_list))
        .route("/api/v1/assets/{id}", get(api_detail))
        .route("/api/v1/reports/assets", get(api_indicators))
        .route("/api/v1/reports/asset-gaps", get(api_gaps))
        .route("/api/v1/reports/asset-density", get(api_density))
        .route("/api/v1/fhir/{resource}", get(api_fhir))
}

/// Downtime causes a reporter may choose, in the order the form shows them.
pub const CAUSES: [DowntimeCause; 9] = [
    DowntimeCause::Mechanical,
    DowntimeCause::Electrical,
    DowntimeCause::ExternalPower,
    DowntimeCause::UserError,
    DowntimeCause::Wear,
    DowntimeCause::ConsumablesOutOfStock,
    DowntimeCause::AwaitingParts,
    DowntimeCause::PlannedMaintenance,
    DowntimeCause::Other,
];

const FHIR_TYPES: [&str; 4] = ["Device", "DeviceDefinition", "Location", "Organization"];

// ---- access ---------------------------------------------------------------------------------

/// Who may report an asset down or back in service: admins; facility engineers of the asset's
/// facility; editors whose organisations operate that facility. Approvers and viewers may not.
pub fn may_report(p: &Principal, ledger: &Ledger, asset: &RecordId) -> ApiResult<()> {
    let a = ledger.assets.get(asset).ok_or_else(|| {
        ApiError::not_found(format!("no asset {asset}"))
            .with_field("id")
            .said(asset.as_str(), no_such(RecordKind::Asset))
    })?;
    let allowed = match p.role {
        Role::Admin => true,
        Role::FacilityEngineer => p.facilities.contains(a.facility.as_str()),
        Role::Editor => ledger
            .facilities
            .get(&a.facility)
            .and_then(|f| f.operator.as_ref())
            .is_some_and(|o| p.organisations.contains(o.as_str())),
        Role::Approver | Role::Viewer => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "asset {asset} at {} is outside what {} ({}) may report",
            a.facility,
            p.name,
            p.role.as_str()
        )))
    }
}

fn parse_cause(raw: &str) -> ApiResult<DowntimeCause> {
    CAUSES
        .into_iter()
        .find(|c| c.as_str() == raw.trim())
        .ok_or_else(|| {
            let names: Vec<&str> = CAUSES.iter().map(|c| c.as_str()).collect();
            ApiError::bad_request(
                "invalid_cause",
                format!("cause {raw:?} is not one of {}", names.join(", ")),
            )
            .with_field("cause")
            .said(raw, Msg::new("asset-err-cause"))
        })
}

/// Now, in whole seconds: stored times carry no fractions, and ids are built from them. Shared
/// by the asset area's forms (phone forms, incidents, work-order progress).
pub(crate) fn now() -> NaiveDateTime {
    instant::whole_seconds(Utc::now().naive_utc())
}

// ---- filters and period ---------------------------------------------------------------------

/// Filters of the register (page, CSV and API share them).
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct AssetFilter {
    #[serde(default)]
    pub facility: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub donor: String,
    #[serde(default)]
    pub activity: String,
    /// The equipment line the assets were bought under (`funding.equipment_line`).
    #[serde(default)]
    pub line: String,
}

impl AssetFilter {
    fn matches(&self, r: &AssetRow) -> bool {
        let state = r.state.map_or("none", LifecycleState::as_str);
        (self.facility.is_empty() || r.facility.as_str() == self.facility)
            && (self.state.is_empty() || state == self.state)
            && (self.donor.is_empty() || r.donor.as_ref().is_some_and(|d| d.as_str() == self.donor))
            && (self.activity.is_empty()
                || r.activity
                    .as_ref()
                    .is_some_and(|a| a.as_str() == self.activity))
            && (self.line.is_empty()
                || r.equipment_line
                    .as_ref()
                    .is_some_and(|l| l.as_str() == self.line))
    }

    /// An unknown equipment line is an error rather than an empty list: a typo must not read
    /// as "this grant line bought nothing".
    fn check_line(&self, ledger: &Ledger) -> ApiResult<()> {
        if self.line.is_empty()
            || RecordId::parse(&self.line).is_ok_and(|l| ledger.equipment_lines.contains_key(&l))
        {
            return Ok(());
        }
        Err(
            ApiError::not_found(format!("no equipment line {:?}", self.line))
                .with_field("line")
                .said(self.line.clone(), no_such(RecordKind::EquipmentLine)),
        )
    }

    fn query(&self) -> String {
        format!(
            "?facility={}&state={}&donor={}&activity={}&line={}",
            enc(&self.facility),
            enc(&self.state),
            enc(&self.donor),
            enc(&self.activity),
            enc(&self.line)
        )
    }
}

// ---- data -----------------------------------------------------------------------------------

/// The assets, from the snapshot's ledger: reading the whole store again for each visitor let
/// sixteen anonymous requests hold every read connection for seconds.
async fn rows(state: &AppState, filter: &AssetFilter) -> ApiResult<Vec<AssetRow>> {
    let snap = state.snapshot().await?;
    let filter = filter.clone();
    blocking(move || {
        let rows = svc::list_assets_in(&snap.ledger, None);
        Ok(rows.into_iter().filter(|r| filter.matches(r)).collect())
    })
    .await
}

fn dec(d: Option<Decimal>) -> String {
    d.map(|v| v.round_dp(1).to_string()).unwrap_or_default()
}

fn register_table(ledger: &Ledger, rows: &[AssetRow]) -> Table {
    Table {
        name: "assets".into(),
        headers: vec![
            "id",
            "inventory_tag",
            "model",
            "facility",
            "state",
            "since",
            "down_since",
            "open_work_orders",
            "activity",
            "equipment_line",
            "donor",
            "donation_failures",
        ],
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.id.to_string(),
                    r.inventory_tag.clone(),
                    r.model.clone(),
                    ledger
                        .facilities
                        .get(&r.facility)
                        .map_or_else(|| r.facility.to_string(), |f| f.name.clone()),
                    r.state
                        .map(LifecycleState::as_str)
                        .unwrap_or("")
                        .to_string(),
                    r.since.map(|d| d.to_string()).unwrap_or_default(),
                    r.down_since.map(|d| d.to_string()).unwrap_or_default(),
                    r.open_work_orders.to_string(),
                    r.activity
                        .as_ref()
                        .map(|a| a.to_string())
                        .unwrap_or_default(),
                    r.equipment_line
                        .as_ref()
                        .map(|a| a.to_string())
                        .unwrap_or_default(),
                    r.donor
                        .as_ref()
                        .map(|d| ledger.org_name(d))
                        .unwrap_or_default(),
                    r.donation_failures.join("; "),
                ]
            })
            .collect(),
    }
}

// ---- pages ----------------------------------------------------------------------------------

/// A failed donation check: its item labelled and its reason in the reader's language.
fn donation_failure(i: &ItemResult) -> String {
    format!(
        "{}: {}",
        crate::labels::label(i.item),
        crate::labels::donation_reason(i)
    )
}

/// The interface word for a stored value (`asset-<group>-<value>`, `_` as `-`), or the value
/// itself when the catalogue has none (a user-defined device type, a new enum variant).
fn word(group: &str, raw: &str) -> String {
    let key = format!("asset-{group}-{}", raw.replace('_', "-"));
    let text = t(&key);
    if text == key { raw.to_string() } else { text }
}

/// The area of a reference figure in the reader's language when the catalogue knows it (the
/// shipped areas), keyed by its words in lower case joined by `-`.
fn area_word(area: &str) -> String {
    let slug: Vec<String> = area
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let key = format!("asset-area-{}", slug.join("-"));
    let text = t(&key);
    if text == key { area.to_string() } else { text }
}

/// The downloads under a list. Both files carry the list's query, so they hold the rows shown.
fn export_links(base: &str, query: &str, json: &str) -> Markup {
    html! {
        p class="exports" {
            (t("export")) ": "
            a href=(format!("{base}.csv{query}")) { "CSV" } " · "
            a href=(format!("{base}.xlsx{query}")) { "XLSX" } " · "
            a href=(json) { "JSON" }
        }
    }
}

fn state_word(s: Option<LifecycleState>) -> String {
    s.map_or_else(|| "—".to_string(), |s| word("state", s.as_str()))
}

pub async fn register(
    State(state): State<AppState>,
    caller: Caller,
    PageQuery(filter): PageQuery<AssetFilter>,
) -> PageResult<Html<String>> {
    readable(&state, &caller)?;
    let snap = state.snapshot().await?;
    let ledger = &snap.ledger;
    filter.check_line(ledger)?;
    let all = rows(&state, &AssetFilter::default()).await?;
    let list: Vec<&AssetRow> = all.iter().filter(|r| filter.matches(r)).collect();
    let facilities: Vec<&RecordId> = {
        let mut v: Vec<&RecordId> = ledger.assets.values().map(|a| &a.facility).collect();
        v.sort();
        v.dedup();
        v
    };
    let donors = {
        let mut v: Vec<&RecordId> = all.iter().filter_map(|r| r.donor.as_ref()).collect();
        v.sort();
        v.dedup();
        ledger.org_choices(v)
    };
    let content = html! {
        form method="get" action="/assets" class="filters" {
            label { (t("assets-facility")) " " select name="facility" id="f-facility" {
                option value="" { (t("any")) }
                @for f in &facilities { option value=(f) selected[filter.facility == f.as_str()] { (ledger.facility_name(f)) } }
            } }
            label { (t("status")) " " select name="state" id="f-state" {
                option value="" { (t("any")) }
                @for s in LifecycleState::ALL { option value=(s.as_str()) selected[filter.state == s.as_str()] { (word("state", s.as_str())) } }
            } }
            label { (t("assets-donor")) " " select name="donor" id="f-donor" {
                option value="" { (t("any")) }
                @for (d, name) in &donors { option value=(d) selected[filter.donor == d.as_str()] { (name) } }
            } }
            @if !filter.activity.is_empty() { input type="hidden" name="activity" value=(filter.activity); }
            @if !filter.line.is_empty() { input type="hidden" name="line" value=(filter.line); }
            button type="submit" { (t("filter")) }
        }
        @if let Some(l) = RecordId::parse(&filter.line).ok().and_then(|l| ledger.equipment_lines.get(&l)) {
            p id="line-filter" { (t("asset-bought-by-line")) ": " a href=(format!("/activities/{}#{}", l.activity, l.id)) { (l.description) } }
        }
        p { (list.len()) " " (tn("assets-count", list.len())) " · " a href="/assets/indicators" { (t("title-asset-indicators")) } " · " a href="/assets/gaps" { (t("asset-title-gaps")) } }
        table class="list" id="table-assets" {
            thead { tr {
                th { (t("asset-id")) } th { (t("assets-tag")) } th { (t("assets-model")) } th { (t("assets-facility")) }
                th { (t("status")) } th { (t("assets-since")) } th { (t("assets-open-orders")) }
                th { (t("assets-money-to-machine")) } th { (t("assets-donor")) } th { (t("assets-donation-failures")) }
            } }
            tbody { @for r in &list { tr id=(format!("asset-{}", r.id)) {
                td { a href=(format!("/assets/{}", r.id)) { (r.id) } }
                td { (r.inventory_tag) }
                td { (r.model) }
                td { a href=(format!("/facilities/{}", r.facility)) { (ledger.facility_name(&r.facility)) } }
                td class=(format!("state {}", r.state.map_or("none", LifecycleState::as_str))) { (state_word(r.state)) }
                td { (r.since.map(datetime).unwrap_or_default()) @if let Some(d) = r.down_since { br; span class="warn" { (t("asset-down-since")) " " (datetime(d)) } } }
                td { (r.open_work_orders) }
                td {
                    @if let Some(a) = &r.activity {
                        a href=(format!("/activities/{a}")) { (ledger.activities.get(a).map_or_else(|| a.to_string(), |x| x.title.clone())) }
                        @if let Some(l) = &r.equipment_line { " → " a href=(format!("/activities/{a}#{l}")) { (ledger.equipment_lines.get(l).map_or_else(|| l.to_string(), |x| x.description.clone())) } }
                    }
                }
                td { (r.donor.as_ref().map(|d| ledger.org_name(d)).unwrap_or_default()) }
                td { @for f in &r.donation_failed_items { span class="finding error" { (donation_failure(f)) } br; } }
            } } }
        }
        (export_links("/assets/register", &filter.query(), "/api/v1/assets"))
    };
    Ok(layout(&t("title-assets"), &caller, content))
}

/// The register as CSV or XLSX (the route's extension), with the page's filters.
pub async fn register_file(
    State(state): State<AppState>,
    caller: Caller,
    kind: FileKind,
    PageQuery(filter): PageQuery<AssetFilter>,
) -> PageResult<Response> {
    readable(&state, &caller)?;
    let snap = state.snapshot().await?;
    filter.check_line(&snap.ledger)?;
    let list = rows(&state, &filter).await?;
    Ok(tables::download(
        &register_table(&snap.ledger, &list),
        kind,
    )?)
}

pub async fn short_url(Path(raw): Path<String>) -> PageResult<Redirect> {
    let id = parse_id(&raw)?;
    Ok(Redirect::to(&format!("/assets/{id}")))
}
