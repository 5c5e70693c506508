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

mod down;
mod gap_pages;

pub use down::{ReportPost, down_form, down_submit, up_submit};
pub use gap_pages::{AtQuery, api_density, api_gaps, gaps_page};

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

/// Indicator query: whole days `from`..=`to`, a grouping and a report currency.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct IndicatorQuery {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub by: String,
    #[serde(default)]
    pub currency: String,
}

struct Resolved {
    period: Period,
    /// `period` cut at now: what the figures cover (hours still to come are not counted).
    lived: Period,
    from: NaiveDate,
    to: NaiveDate,
    by: GroupBy,
    by_name: &'static str,
    currency: CurrencyCode,
}

const GROUPINGS: [(&str, GroupBy); 6] = [
    ("facility", GroupBy::Facility),
    ("region", GroupBy::Region),
    ("donor", GroupBy::Donor),
    ("model", GroupBy::Model),
    ("asset", GroupBy::Asset),
    ("all", GroupBy::All),
];

impl IndicatorQuery {
    /// Defaults: the last 365 days to today, by facility, in USD.
    fn resolve(&self) -> ApiResult<Resolved> {
        let today = Utc::now().date_naive();
        let date = |field: &'static str, raw: &str, default: NaiveDate| {
            if raw.trim().is_empty() {
                return Ok(default);
            }
            NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| {
                ApiError::bad_request(
                    "invalid_query",
                    format!("{field} = {raw:?} is not a date (YYYY-MM-DD)"),
                )
                .with_field(field)
                .said(raw.trim(), Msg::new("err-date"))
            })
        };
        let to = date("to", &self.to, today)?;
        let from = date("from", &self.from, Period::default_from(to))?;
        let period = Period::days(from, to).ok_or_else(|| {
            ApiError::bad_request("invalid_query", format!("from = {from} is after to = {to}"))
                .with_field("from")
                .said(i18n::date(from), Msg::new("query-err-from-after-to"))
        })?;
        // A period of hours still to come is a query to fix (400), refused before the service
        // would refuse it as a rule of the indicators.
        let Some(lived) = period.until(Utc::now().naive_utc()) else {
            return Err(ApiError::bad_request(
                "invalid_query",
                format!("from = {from}: the period begins in the future; indicators count only time already past"),
            )
            .with_field("from")
            .said(i18n::date(from), Msg::new("verr-period-in-future")));
        };
        let by_raw = if self.by.is_empty() {
            "facility"
        } else {
            self.by.as_str()
        };
        let (by_name, by) = GROUPINGS
            .into_iter()
            .find(|(n, _)| *n == by_raw)
            .ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_query",
                    format!(
                        "by = {by_raw:?} is not one of facility, region, donor, model, asset, all"
                    ),
                )
                .with_field("by")
            })?;
        let currency = if self.currency.trim().is_empty() {
            CurrencyCode::usd()
        } else {
            CurrencyCode::parse(self.currency.trim()).map_err(|e| {
                ApiError::bad_request(
                    "invalid_query",
                    format!("currency = {:?}: {}", self.currency, e.message),
                )
                .with_field("currency")
            })?
        };
        Ok(Resolved {
            period,
            lived,
            from,
            to,
            by,
            by_name,
            currency,
        })
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

struct Report {
    groups: BTreeMap<String, Indicators>,
    money: MoneyToMachine,
    /// The part of the asked period the figures cover: it ends now if it reached further.
    lived: Period,
}

/// The indicators of the snapshot's ledger and rates (see [`rows`]).
async fn report(state: &AppState, q: &Resolved) -> ApiResult<Report> {
    let snap = state.snapshot().await?;
    let (lived, by, currency) = (q.lived, q.by, q.currency.clone());
    blocking(move || {
        let groups = svc::indicators_in(&snap.ledger, &snap.rates, lived, by, &currency);
        // Money-to-machine is a point-in-time figure: taken at the period's end.
        let money = svc::money_to_machine_in(&snap.ledger, &snap.rates, lived.to, None, &currency);
        Ok(Report {
            groups,
            money,
            lived,
        })
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

const INDICATOR_HEADERS: [&str; 32] = [
    "group",
    "assets",
    "in_inventory",
    "functional",
    "fleet_functional_pct",
    "operating_hours",
    "unplanned_downtime_hours",
    "planned_downtime_hours",
    "uptime_pct",
    "uptime_all_pct",
    "failures",
    "mtbf_hours",
    "device_failures",
    "device_mtbf_hours",
    "repairs",
    "mttr_hours",
    "pm_due",
    "pm_on_time",
    "pm_late",
    "pm_missed",
    "pm_completion_pct",
    "service_cost",
    "acquisition_cost",
    "cosr_pct",
    "cost_unknown",
    "backlog",
    "backlog_corrective",
    "cosr_assets",
    "cosr_population",
    "hours_to_acknowledge",
    "hours_to_start",
    "repair_hours",
];

/// Whether cell `i` of `row` is a mean time between failures drawn from fewer than three of
/// them: one failure gave "MTBF 61,291 h" for eight devices, minutes after it happened.
fn few_failures(headers: &[&str], row: &[String], i: usize) -> bool {
    let count_of = |name: &str| {
        headers
            .iter()
            .position(|h| *h == name)
            .and_then(|at| row.get(at))
            .and_then(|v| v.parse::<u64>().ok())
    };
    let failures = match headers.get(i) {
        Some(&"mtbf_hours") => count_of("failures"),
        Some(&"device_mtbf_hours") => count_of("device_failures"),
        _ => return false,
    };
    !row[i].is_empty() && failures.is_some_and(|n| n < 3)
}

/// A group of the indicators as the page names it: a facility, donor, model or asset by its name
/// with a link to it (the CSV keeps the id); a region or "all" as it is.
fn group_cell(snap: &crate::state::Snapshot, by: GroupBy, key: &str) -> Markup {
    let ledger = &snap.ledger;
    let Ok(id) = RecordId::parse(key) else {
        return html! { (key) };
    };
    let (kind, name) = match by {
        GroupBy::Facility => (
            RecordKind::Facility,
            ledger.record_name(&id).map(String::from),
        ),
        GroupBy::Donor => (
            RecordKind::Organisation,
            ledger.record_name(&id).map(String::from),
        ),
        GroupBy::Model => (
            RecordKind::DeviceModel,
            ledger.device_models.get(&id).map(|m| m.model_name.clone()),
        ),
        GroupBy::Asset => (
            RecordKind::Asset,
            ledger.assets.get(&id).map(|a| a.inventory_tag.clone()),
        ),
        GroupBy::Region | GroupBy::All => return html! { (key) },
    };
    let href = match kind {
        RecordKind::DeviceModel => None,
        other => Some(crate::tables::record_href(&snap.ledger, other, key)),
    };
    match (name, href) {
        (Some(name), Some(href)) => html! { a href=(href) title=(key) { (name) } },
        (Some(name), None) => html! { span title=(key) { (name) } },
        (None, _) => html! { (key) },
    }
}

fn indicator_table(groups: &BTreeMap<String, Indicators>) -> Table {
    Table {
        name: "asset-indicators".into(),
        headers: INDICATOR_HEADERS.to_vec(),
        rows: groups
            .iter()
            .map(|(k, i)| {
                vec![
                    k.clone(),
                    i.assets.to_string(),
                    i.in_inventory.to_string(),
                    i.functional.to_string(),
                    dec(i.fleet_functional_pct),
                    dec(Some(i.operating_hours)),
                    dec(Some(i.unplanned_downtime_hours)),
                    dec(Some(i.planned_downtime_hours)),
                    dec(i.uptime_pct),
                    dec(i.uptime_all_pct),
                    i.failures.to_string(),
                    dec(i.mtbf_hours),
                    i.device_failures.to_string(),
                    dec(i.device_mtbf_hours),
                    i.repairs.to_string(),
                    dec(i.mttr_hours),
                    i.pm_due.to_string(),
                    i.pm_on_time.to_string(),
                    i.pm_late.to_string(),
                    i.pm_missed.to_string(),
                    dec(i.pm_completion_pct),
                    i.service_cost.round_dp(2).to_string(),
                    i.acquisition_cost.round_dp(2).to_string(),
                    dec(i.cosr_pct),
                    i.cost_unknown.to_string(),
                    i.backlog.to_string(),
                    i.backlog_corrective.to_string(),
                    i.cosr_assets.to_string(),
                    i.cosr_population.to_string(),
                    dec(i.response.mean_hours_to_acknowledge),
                    dec(i.response.mean_hours_to_start),
                    dec(i.response.mean_repair_hours),
                ]
            })
            .collect(),
    }
}

/// PM compliance of each group split by the models' risk class, as the CLI's `kpi show` gives
/// it; groups with nothing due are left out.
fn pm_by_risk_table(groups: &BTreeMap<String, Indicators>) -> Markup {
    let rows: Vec<(&String, &String, &aidtrace_domain::assets::pm::PmCompliance)> = groups
        .iter()
        .flat_map(|(g, i)| {
            i.pm_by_risk_class
                .iter()
                .map(move |(class, c)| (g, class, c))
        })
        .collect();
    html! {
        @if !rows.is_empty() {
            h2 { (t("asset-pm-risk-title")) }
            table class="list" id="table-asset-pm-risk" {
                thead { tr {
                    th { (word("ind", "group")) } th { (t("asset-pm-risk-class")) }
                    th { (word("ind", "pm_due")) } th { (word("ind", "pm_on_time")) }
                    th { (word("ind", "pm_late")) } th { (word("ind", "pm_missed")) }
                    th { (word("ind", "pm_completion_pct")) }
                } }
                tbody { @for (g, class, c) in rows { tr {
                    td { (g) } td { @if class.as_str() == "unknown" { (t("asset-pm-risk-unknown")) } @else { (class) } } td { (c.due) } td { (c.on_time) } td { (c.late) } td { (c.missed) }
                    td { (number_text(&dec(c.completion_pct))) }
                } } }
            }
        }
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

/// An event's note. A `down` event recorded with its downtime shows the downtime's cause by its
/// label (the note the service wrote for it is the English of the same, so it is not repeated);
/// any other note as written.
fn event_note(e: &AssetEvent, downtimes: &[Downtime]) -> String {
    let mut note = e.note.clone().unwrap_or_default();
    if let Some(d) = &e.disposal {
        let mut parts = vec![label(d.method), label(d.data_wipe)];
        if !d.hazardous.is_empty() {
            parts.push(format!(
                "{}: {}",
                t("asset-disposal-hazardous"),
                d.hazardous.join(", ")
            ));
        }
        parts.extend(d.certificate.clone());
        if !note.is_empty() {
            parts.push(note);
        }
        note = parts.join(" · ");
    }
    match svc::down_cause_of(e, downtimes) {
        Some(cause) if note.is_empty() || note == svc::down_note(cause) => {
            format!("{}: {}", t("assets-report-down"), label(cause))
        }
        Some(cause) => format!("{}: {} · {note}", t("assets-report-down"), label(cause)),
        None => note,
    }
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
    let donors: Vec<RecordId> = {
        let mut v: Vec<RecordId> = all.iter().filter_map(|r| r.donor.clone()).collect();
        v.sort();
        v.dedup();
        v
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
                @for d in &donors { option value=(d) selected[filter.donor == d.as_str()] { (ledger.org_name(d)) } }
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

fn reportable(caller: &Caller, ledger: &Ledger, asset: &RecordId) -> bool {
    caller
        .principal()
        .is_some_and(|p| may_report(p, ledger, asset).is_ok())
}

pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
) -> PageResult<Html<String>> {
    readable(&state, &caller)?;
    let id = parse_id(&raw)?;
    let snap = state.snapshot().await?;
    let ledger = &snap.ledger;
    let st = state.clone();
    let aid = id.clone();
    let shared = snap.clone();
    let (d, pm, safety) = blocking(move || {
        // The asset's history from the snapshot, not the whole store read again per visitor.
        let d = svc::asset_detail_in(&shared.ledger, &aid)?;
        let today = Utc::now().naive_utc();
        let from = d
            .events
            .first()
            .map_or(today - chrono::Duration::days(365), |e| e.at);
        let pm = svc::pm_schedule_in(
            &shared.ledger,
            Some(&d.asset.facility),
            from,
            today + chrono::Duration::days(180),
        )
        .into_iter()
        .filter(|i| i.asset == aid)
        .collect::<Vec<_>>();
        let safety = crate::assets::recalls::asset_safety(&*st.reader()?, &d.asset)?;
        Ok((d, pm, safety))
    })
    .await?;
    let a = &d.asset;
    let org = |o: &Option<RecordId>| o.as_ref().map(|o| ledger.org_name(o));
    let model = ledger.device_models.get(&a.model);
    let failed: Vec<String> = d
        .donation
        .iter()
        .flat_map(|r| {
            r.items
                .iter()
                .filter(|i| i.outcome == aidtrace_domain::assets::donation::Outcome::Fail)
                .map(donation_failure)
        })
        .collect();
    // Voiding an event and a work order's progress are for who may report the asset down.
    let may_act = reportable(&caller, ledger, &id);
    let content = html! {
        dl class="facts" {
            dt { (t("status")) } dd id="asset-state" data-state=(d.state.map_or("none", LifecycleState::as_str)) { (state_word(d.state)) }
            dt { (t("assets-tag")) } dd { (a.inventory_tag) }
            @if let Some(s) = &a.serial { dt { (t("asset-serial")) } dd { (s) } }
            dt { (t("assets-model")) } dd { (model.map_or_else(|| a.model.to_string(), |m| m.model_name.clone())) @if let Some(m) = model { " — " (ledger.org_name(&m.manufacturer)) } }
            dt { (t("assets-facility")) } dd { a href=(format!("/facilities/{}", a.facility)) { (ledger.facility_name(&a.facility)) } @if let Some(l) = &a.location { " · " (l) } }
            dt { (t("asset-criticality")) } dd { (label(a.criticality)) }
            @if aidtrace_domain::assets::lifecycle::is_baseline(&d.events) { dt { (t("asset-baseline")) } dd id="baseline" { (t("asset-baseline-note")) " " (d.events.first().map(|e| datetime(e.at)).unwrap_or_default()) } }
            dt { (t("assets-money-to-machine")) } dd id="money-to-machine" {
                @if let Some(act) = &a.funding.activity { a href=(format!("/activities/{act}")) { (ledger.activities.get(act).map_or_else(|| act.to_string(), |x| x.title.clone())) } }
                @if let (Some(act), Some(l)) = (&a.funding.activity, &a.funding.equipment_line) { " → " a href=(format!("/activities/{act}#{l}")) { (ledger.equipment_lines.get(l).map_or_else(|| l.to_string(), |x| x.description.clone())) } }
                " (" (label(a.funding.acquisition)) ", " (label(a.funding.condition)) ")"
            }
            @if let Some(c) = &a.cost { dt { (t("asset-cost")) } dd { (i18n::number(c.amount)) " " (c.currency) } }
            dt { (t("assets-responsible")) } dd { (org(&a.responsible).unwrap_or_else(|| "—".into())) }
            dt { (t("assets-om-payer")) } dd id="om-payer" { (org(&a.om_payer).unwrap_or_else(|| t("asset-not-recorded"))) }
            @if let Some(n) = &a.note { dt { (t("assets-note")) } dd class="muted" { (n) } }
        }
        @if reportable(&caller, ledger, &id) {
            p { a class="button" id="report-down" href=(format!("/assets/{id}/down")) { (t("assets-report-down")) } }
        }
        p class="muted" { (t("assets-short-url")) ": " code { "/a/" (id) } }
        p { a id="service-link" href=(format!("/assets/service?asset={id}")) { (t("asset-service-title")) } }
        @if !d.donation.is_empty() {
            h2 { (t("donation-verdict")) }
            ul id="donation-verdicts" { @for r in &d.donation {
                li class=(verdict_class(&r.verdict)) data-verdict=(r.verdict.as_str()) {
                    (r.check) ": " b { (t(&format!("donation-verdict-{}", r.verdict.as_str().replace('_', "-")))) }
                    @if !r.verdict.items().is_empty() {
                        " — " (r.verdict.items().iter().map(|i| t(&format!("donation-item-{}", i.as_str().replace('_', "-")))).collect::<Vec<_>>().join(", "))
                    }
                }
                @for i in r.items.iter().filter(|i| i.disagreement.is_some()) {
                    li class="finding warning" { (t("donation-disagreement")) " · " (t(&format!("donation-item-{}", i.item.as_str().replace('_', "-")))) ": " (i.disagreement.clone().unwrap_or_default()) }
                }
            } }
        }
        @if !failed.is_empty() {
            h2 { (t("assets-donation-failures")) }
            ul id="donation-failures" { @for f in &failed { li class="finding error" { (f) } } }
        }
        h2 { (t("assets-events")) }
        table class="list" id="events" {
            thead { tr { th { (t("asset-at")) } th { (t("status")) } th { (t("asset-by-whom")) } th { (t("assets-note")) } th { (t("asset-recorded-at")) } @if may_act { th { (t("asset-void-event")) } } } }
            tbody { @for e in &d.events { tr id=(e.id) { td { (datetime(e.at)) } td { (label(e.state)) } td { (e.by.clone().unwrap_or_default()) } td { (event_note(e, &d.downtimes)) } td { (e.recorded_at.map(datetime).unwrap_or_default()) }
                @if may_act { td { a href=(format!("/assets/{id}/events/{}/void", e.id)) { (t("asset-void-event")) } } } } } }
        }
        @if !d.voided_events.is_empty() {
            // Kept for the record: a wrong entry is voided, never edited or deleted.
            h2 { (t("assets-voided")) }
            table class="list" id="voided-events" {
                thead { tr { th { (t("asset-at")) } th { (t("status")) } th { (t("asset-voided-at")) } th { (t("asset-void-reason")) } } }
                tbody { @for e in &d.voided_events { tr {
                    td { s { (datetime(e.at)) } } td { s { (label(e.state)) } }
                    td { (e.voided.as_ref().map(|v| datetime(v.at)).unwrap_or_default()) }
                    td { (e.voided.as_ref().map(|v| v.reason.clone()).unwrap_or_default()) }
                } } }
            }
        }
        h2 { (t("assets-downtime")) }
        @if d.downtimes.is_empty() { p class="muted" { "—" } }
        @else {
            table class="list" id="downtimes" {
                thead { tr { th { (t("asset-start")) } th { (t("asset-end")) } th { (t("assets-cause")) } th { (t("asset-planned")) } th { (t("asset-work-order")) } } }
                tbody { @for x in &d.downtimes { tr id=(x.id) {
                    td { (datetime(x.start)) } td { @match x.end { Some(e) => { (datetime(e)) }, None => { b { (t("asset-open")) } } } }
                    td { (label(x.cause)) } td { (if x.planned { t("asset-yes") } else { String::new() }) }
                    td { (x.work_order.as_ref().map(|w| w.to_string()).unwrap_or_default()) }
                } } }
            }
        }
        h2 { (t("assets-work-orders")) }
        @if d.work_orders.is_empty() { p class="muted" { "—" } }
        @else {
            table class="list" id="work-orders" {
                thead { tr { th { (t("asset-id")) } th { (t("asset-kind")) } th { (t("status")) } th { (t("asset-priority")) } th { (t("asset-opened")) } th { (t("asset-closed")) } th { (t("assets-note")) } } }
                tbody { @for w in &d.work_orders { tr id=(w.id) {
                    td { @if may_act { a href=(format!("/assets/{id}/work-orders/{}", w.id)) { (w.id) } } @else { (w.id) } } td { (label(w.kind)) } td { (label(w.status)) } td { (label(w.priority)) }
                    td { (datetime(w.opened)) } td { (w.closed.map(datetime).unwrap_or_default()) } td { (w.note.clone().unwrap_or_default()) }
                } } }
            }
        }
        (crate::assets::recalls::asset_sections(&id, &safety, reportable(&caller, ledger, &id)))
        h2 { (t("assets-pm-schedule")) }
        @if pm.is_empty() { p class="muted" { "—" } }
        @else {
            table class="list" id="pm-schedule" {
                thead { tr { th { (t("asset-due")) } th { (t("asset-plan")) } th { (t("asset-window-days")) } th { (t("asset-done-by")) } } }
                tbody { @for i in &pm { tr {
                    td { (datetime(i.due)) } td { (i.description) } td { "± " (i.window_days) }
                    td { @match (i.status(now()), i.done_by.as_ref().or(i.done_late_by.as_ref())) {
                        (PmStatus::OnTime, Some(w)) => { (w) },
                        (PmStatus::Late, Some(w)) => { span class="warn" { (t("asset-late")) } " " (w) },
                        (PmStatus::Missed, _) => { span class="warn" { (t("asset-missed")) } },
                        _ => { (t("asset-to-do")) },
                    } }
                } } }
            }
        }
    };
    Ok(layout(
        &format!("{} · {}", a.inventory_tag, a.id),
        &caller,
        content,
    ))
}

pub async fn short_url(Path(raw): Path<String>) -> PageResult<Redirect> {
    let id = parse_id(&raw)?;
    Ok(Redirect::to(&format!("/assets/{id}")))
}

fn indicator_query_string(q: &Resolved) -> String {
    format!(
        "?from={}&to={}&by={}&currency={}",
        q.from, q.to, q.by_name, q.currency
    )
}

pub async fn indicators_page(
    State(state): State<AppState>,
    caller: Caller,
    PageQuery(raw): PageQuery<IndicatorQuery>,
) -> PageResult<Html<String>> {
    readable(&state, &caller)?;
    let q = raw.resolve()?;
    let r = report(&state, &q).await?;
    let snap = state.snapshot().await?;
    let table = indicator_table(&r.groups);
    let query = indicator_query_string(&q);
    let m = &r.money;
    let buckets = [
        ("donated", &m.donated),
        ("commissioned", &m.commissioned),
        ("baseline", &m.baseline),
        ("in_service", &m.in_service),
        ("idle", &m.idle),
        ("never_installed", &m.never_installed),
        ("retired", &m.retired),
    ];
    let content = html! {
        form method="get" action="/assets/indicators" class="filters" {
            label { (t("assets-from")) " " input type="date" name="from" value=(q.from); }
            label { (t("assets-to")) " " input type="date" name="to" value=(q.to); }
            label { (t("assets-by")) " " select name="by" { @for (n, _) in GROUPINGS { option value=(n) selected[n == q.by_name] { (word("by", n)) } } } }
            label { (t("assets-currency")) " " input type="text" name="currency" value=(q.currency) size="4"; }
            button type="submit" { (t("filter")) }
        }
        p class="muted" {
            (t("asset-period")) " " (i18n::date(q.from)) " – "
            @if r.lived.to < q.period.to {
                (i18n::date(r.lived.to.date())) " " (r.lived.to.format("%H:%M")) " UTC " (t("asset-period-until-now"))
            } @else {
                (i18n::date(q.to))
            }
            " " (t("asset-period-rules")) " * " (t("asset-mtbf-few"))
        }
        div class="scroll" {
            table class="list" id="table-asset-indicators" {
                thead { tr { @for h in &table.headers { th { (word("ind", h)) } } } }
                tbody { @for row in &table.rows { tr { @for (i, c) in row.iter().enumerate() { td {
                    @if i == 0 { (group_cell(&snap, q.by, c)) } @else { (number_text(c)) }
                    @if few_failures(&table.headers, row, i) { " " abbr class="provisional" title=(t("asset-mtbf-few")) { "*" } }
                } } } } }
            }
        }
        (pm_by_risk_table(&r.groups))
        h2 { (t("assets-money-to-machine")) }
        p class="muted" { (t("asset-donated-at")) " " (i18n::date(q.to)) ", " (t("asset-value-in")) " " (q.currency) "." }
        table class="list" id="money-to-machine" {
            thead { tr { th { "" } th { (t("asset-count")) } th { (t("asset-value")) } th { (t("asset-value-unknown")) } } }
            tbody { @for (name, b) in buckets { tr id=(format!("m2m-{name}")) { td { (word("m2m", name)) } td { (b.count) } td { (i18n::number(b.value.round_dp(2))) } td { (b.value_unknown) } } } }
        }
        @if let Some(med) = m.median_months_to_commissioning { p { (t("asset-median-months")) ": " (i18n::number(med.round_dp(1))) } }
        @if m.agreement_date_unknown > 0 { p class="muted" { (t("asset-no-dated-agreement")) ": " (m.agreement_date_unknown) } }
        (export_links("/assets/indicators", &query, &format!("/api/v1/reports/assets{query}")))
    };
    Ok(layout(&t("title-asset-indicators"), &caller, content))
}

/// The indicator table as CSV or XLSX (the route's extension), for the page's query.
pub async fn indicators_file(
    State(state): State<AppState>,
    caller: Caller,
    kind: FileKind,
    PageQuery(raw): PageQuery<IndicatorQuery>,
) -> PageResult<Response> {
    readable(&state, &caller)?;
    let q = raw.resolve()?;
    let r = report(&state, &q).await?;
    Ok(tables::download(&indicator_table(&r.groups), kind)?)
}

fn verdict_class(v: &Verdict) -> &'static str {
    match v {
        Verdict::Fit => "finding",
        Verdict::NotFit { .. } => "finding error",
        Verdict::NotAssessed { .. } => "finding warning",
    }
}

// ---- JSON API -------------------------------------------------------------------------------

pub async fn api_list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(filter): ApiQuery<AssetFilter>,
) -> ApiResult<Json<Value>> {
    readable(&state, &caller)?;
    filter.check_line(&state.snapshot().await?.ledger)?;
    let list = rows(&state, &filter).await?;
    Ok(Json(
        serde_json::json!({ "total": list.len(), "items": list }),
    ))
}

pub async fn api_detail(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
) -> ApiResult<Json<Value>> {
    readable(&state, &caller)?;
    let id = parse_id(&raw)?;
    let snap = state.snapshot().await?;
    let d = blocking(move || Ok(svc::asset_detail_in(&snap.ledger, &id)?)).await?;
    Ok(Json(serde_json::to_value(&d).map_err(ApiError::internal)?))
}

pub async fn api_indicators(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(raw): ApiQuery<IndicatorQuery>,
) -> ApiResult<Json<Value>> {
    readable(&state, &caller)?;
    let q = raw.resolve()?;
    let r = report(&state, &q).await?;
    Ok(Json(serde_json::json!({
        "from": q.from,
        "to": q.to,
        // Where the figures stop: the end of `to`, or now when that is still to come.
        "covers_until": r.lived.to,
        "by": q.by_name,
        "currency": q.currency,
        "groups": r.groups,
        "money_to_machine": r.money,
    })))
}

pub async fn api_fhir(
    State(state): State<AppState>,
    caller: Caller,
    Path(resource): Path<String>,
) -> ApiResult<Response> {
    readable(&state, &caller)?;
    if !FHIR_TYPES.contains(&resource.as_str()) {
        return Err(ApiError::not_found(format!(
            "no FHIR resource type {resource:?}; use one of {}",
            FHIR_TYPES.join(", ")
        ))
        .with_field("resource"));
    }
    let snap = state.snapshot().await?;
    // Sensitive facilities are exported without coordinates (fhir::export), for every caller.
    let mut bundles = aidtrace_service::fhir::export(&snap.ledger);
    let bundle = bundles
        .remove(resource.as_str())
        .ok_or_else(|| ApiError::not_found(format!("no {resource} bundle")))?;
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/fhir+json")],
        serde_json::to_vec(&bundle).map_err(ApiError::internal)?,
    )
        .into_response())
}

// ---- OpenAPI --------------------------------------------------------------------------------

/// Adds this area's endpoints to the OpenAPI document.
pub fn openapi_paths(doc: &mut utoipa::openapi::OpenApi) {
    use crate::api::openapi::{Op, object};
    let filters = |b: Op| {
        b.query("facility", false, "facility id")
            .query("state", false, "lifecycle state, e.g. in_service, down")
            .query("donor", false, "donor organisation id")
            .query("activity", false, "funding activity id")
            .query(
                "line",
                false,
                "equipment line id: the assets bought under it (404 when no such line)",
            )
    };
    filters(Op::get("list_assets", "Asset register: state, open work orders, funding activity and equipment line, donor, failed donation checks").tag("assets"))
        .json("200", "The register", object("rows of the asset register"), false)
        .errors(&[400, 401, 404])
        .add(doc, "/api/v1/assets");
    Op::get("get_asset", "One asset with its lifecycle events, downtime, work orders, meter readings and donation checks")
        .tag("assets")
        .path_id("id", "asset id")
        .json("200", "The asset and its history", object("the asset record and its history"), false)
        .errors(&[400, 401, 404])
        .add(doc, "/api/v1/assets/{id}");
    Op::get("asset_indicators", "Equipment indicators (uptime %, fleet functional %, PM completion, MTBF, MTTR, COSR, age) per group over a period, and money-to-machine at its end")
        .tag("assets")
        .query_date("from", "first day (default: 364 days before `to`)")
        .query_date("to", "last day included (default: today)")
        .query_enum("by", false, "the grouping", &["facility", "region", "donor", "model", "asset", "all"])
        .param_of::<aidtrace_domain::CurrencyCode>("currency", ParameterIn::Query, false, "ISO 4217 code, default USD")
        .json("200", "Indicators per group", object("indicators per group and money-to-machine"), false)
        .errors(&[400, 401])
        .add(doc, "/api/v1/reports/assets");
    Op::get("asset_gaps", "Essential-equipment gaps at a date: per region and device type, and per facility (required by the standard for its kind, present, functional, gap)")
        .tag("assets")
        .query_date("at", "the day; states at its end (default: today)")
        .json("200", "Gaps per region and per facility", object("gaps per region and device type, and per facility"), false)
        .errors(&[400, 401])
        .add(doc, "/api/v1/reports/asset-gaps");
    Op::get("asset_density", "Devices per million population per region and nationally (units with the asset ids counted, population with its record and year), what is counted, and published reference figures with bound, year and source address")
        .tag("assets")
        .query_date("at", "the day; states at its end (default: today)")
        .json("200", "Density per region and nationally", object("density per region and nationally, with references"), false)
        .errors(&[400, 401])
        .add(doc, "/api/v1/reports/asset-density");
    Op::get("fhir_bundle", "FHIR R4 collection Bundle of Device, DeviceDefinition, Location or Organization resources (facilities as IHE mCSD; sensitive facilities without coordinates)")
        .tag("assets")
        .param("resource", ParameterIn::Path, true, "the FHIR resource type", crate::api::openapi::string(&FHIR_TYPES))
        .other("200", "A FHIR R4 Bundle (type collection)", "application/fhir+json")
        .errors(&[401, 404])
        .add(doc, "/api/v1/fhir/{resource}");
}
