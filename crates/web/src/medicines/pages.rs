//! Donated medicines in the browser: the consignments, each with its packing lines and the WHO
//! donation-guideline findings shown per line, stock on hand by facility with expiry bands, and a
//! donor's view of what became of what it sent. Every figure comes from `service::medicines` on
//! the snapshot, so the pages and `aidtrace medicine …` show the same numbers.

use std::collections::{BTreeMap, BTreeSet};

use aidtrace_domain::checks::Severity;
use aidtrace_domain::medicines::guidelines::{Finding, GuidelineConfig};
use aidtrace_domain::medicines::stock::ExpiryBand;
use aidtrace_domain::medicines::{Consignment, MovementKind};
use aidtrace_domain::{Ledger, RecordId};
use aidtrace_service::medicines::{self as service, StockRow};
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::get;
use chrono::{NaiveDate, Utc};
use maud::{Markup, html};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::auth::Caller;
use crate::auth::can_read;
use crate::dashboard::pages::citations;
use crate::error::PageQuery;
use crate::error::parse_id;
use crate::error::{ApiError, PageResult};
use crate::i18n::{self, t, ta};
use crate::labels::label;
use crate::present::format::group_digits;
use crate::present::format::money;
use crate::present::links::urlencode;
use crate::request_ctx::layout;
use crate::state::{AppState, Snapshot};
use crate::tables::{FileKind, Table};

/// Routes of this area, merged into [`crate::app`].
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/medicines", get(index))
        .route("/medicines/consignments/{id}", get(consignment))
        .route("/medicines/stock", get(stock))
        .route("/medicines/stock.csv", get(stock_file))
        .route("/medicines/stock.xlsx", get(stock_file))
        .route("/medicines/donors/{id}", get(donor))
}

fn service_error(e: aidtrace_service::ServiceError) -> ApiError {
    ApiError::from(e)
}

fn count(n: u64) -> String {
    group_digits(Decimal::from(n))
}

fn facility_link(ledger: &Ledger, id: &RecordId) -> Markup {
    let name = ledger
        .facilities
        .get(id)
        .map_or_else(|| id.to_string(), |f| f.name.clone());
    html! { a href=(format!("/facilities/{id}")) { (name) } }
}

fn donor_link(ledger: &Ledger, id: &RecordId) -> Markup {
    html! { a href=(format!("/medicines/donors/{id}")) { (ledger.org_name(id)) } }
}

fn consignment_link(id: &RecordId) -> Markup {
    html! { a href=(format!("/medicines/consignments/{id}")) { code { (id) } } }
}

/// A product as a reader knows it: INN, strength and form (the id when it is not recorded).
pub(crate) fn product_name(ledger: &Ledger, id: &RecordId) -> String {
    match ledger.medicine_products.get(id) {
        Some(p) => {
            let mut name = p.inn.clone();
            if let Some(s) = &p.strength {
                name.push(' ');
                name.push_str(s);
            }
            format!("{name}, {}", p.dosage_form)
        }
        None => id.to_string(),
    }
}

/// A base unit in the reader's language where the catalogue names it (`medicine-unit-tablet`),
/// else as recorded: the units are free text of the product records.
pub(crate) fn unit_word(unit: &str) -> String {
    let key = format!(
        "medicine-unit-{}",
        unit.trim().to_lowercase().replace(' ', "-")
    );
    let word = t(&key);
    if word == key { unit.to_string() } else { word }
}

fn base_unit(ledger: &Ledger, product: &RecordId) -> String {
    ledger
        .medicine_products
        .get(product)
        .map(|p| p.base_unit.clone())
        .unwrap_or_default()
}

/// A guideline finding in the reader's language, with its severity and rule id.
pub(crate) fn finding(f: &Finding) -> Markup {
    let args: Vec<(&str, &str)> = f.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let class = match f.severity {
        Severity::Error => "finding error",
        _ => "finding warning",
    };
    html! {
        li class=(class) data-rule=(f.rule.id()) {
            strong { (label(f.severity)) } " " code { (f.rule.id()) } ": " (ta(f.message_id, &args))
        }
    }
}

fn findings_of(snap: &Snapshot, c: &Consignment) -> PageResult<Vec<Finding>> {
    Ok(service::check_consignment_in(
        &snap.ledger,
        &c.id,
        &GuidelineConfig::default(),
        Utc::now().date_naive(),
    )
    .map_err(service_error)?)
}

async fn index(State(state): State<AppState>, caller: Caller) -> PageResult<Html<String>> {
    can_read(&state, &caller)?;
    let snap = state.snapshot().await?;
    let ledger = &snap.ledger;
    let decisions = service::latest_decisions(ledger);
    let donors: BTreeSet<&RecordId> = ledger.consignments.values().map(|c| &c.donor).collect();
    let mut rows = Vec::new();
    for c in ledger.consignments.values() {
        let found = findings_of(&snap, c)?;
        let errors = found
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        rows.push((c, errors, found.len() - errors));
    }
    let content = html! {
        p { (t("medp-intro")) }
        p { a href="/medicines/stock" id="medicine-stock" { (t("medp-stock-link")) } }
        (crate::medicines::import::index_links())
        (crate::medicines::actions::new_link(&caller))
        h2 { (t("medp-consignments")) }
        @if rows.is_empty() { p class="muted" { (t("none-recorded")) } }
        @else {
            table class="list" id="medicine-consignments" {
                thead { tr {
                    th { (t("medp-col-consignment")) } th { (t("medp-col-donor")) } th { (t("medp-col-destination")) }
                    th { (t("medp-col-arrived")) } th { (t("medp-col-lines")) } th { (t("medp-col-findings")) } th { (t("medp-col-decision")) }
                } }
                tbody { @for (c, errors, warnings) in &rows { tr {
                    td { (consignment_link(&c.id)) }
                    td { (donor_link(ledger, &c.donor)) }
                    td { (facility_link(ledger, &c.destination)) }
                    td { @if let Some(d) = c.arrived { (i18n::date(d)) } @else { span class="muted" { (t("medp-not-arrived")) } } }
                    td class="num" { (c.lines.len()) }
                    td { (label(Severity::Error)) ": " (errors) " · " (label(Severity::Warning)) ": " (warnings) }
                    td { @match decisions.get(&c.id) { Some(d) => { (label(d.outcome)) } None => { span class="muted" { (t("medp-undecided")) } } } }
                } } }
            }
        }
        h2 { (t("medp-donors")) }
        ul id="medicine-donors" { @for d in &donors { li { (donor_link(ledger, d)) } } }
    };
    Ok(layout(&t("title-medicines"), &caller, content))
}

async fn consignment(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
) -> PageResult<Html<String>> {
    can_read(&state, &caller)?;
    let id = parse_id(&raw)?;
    let snap = state.snapshot().await?;
    let ledger = &snap.ledger;
    let c = ledger.consignments.get(&id).ok_or_else(|| {
        ApiError::not_found(ta("medp-err-no-consignment", &[("id", id.as_str())]))
    })?;
    let found = findings_of(&snap, c)?;
    let decisions = service::latest_decisions(ledger);
    let decision = decisions.get(&c.id);
    let currency = c.declared_value.as_ref().map(|m| m.currency.to_string());
    let whole: Vec<&Finding> = found.iter().filter(|f| f.line.is_none()).collect();
    let content = html! {
        dl class="facts" id="consignment-facts" {
            dt { (t("medp-col-donor")) } dd { a href=(format!("/organisations/{}", c.donor)) { (ledger.org_name(&c.donor)) } " · " a href=(format!("/medicines/donors/{}", c.donor)) id="consignment-donor-view" { (t("medp-donor-view-link")) } }
            @if let Some(a) = &c.activity { dt { (t("field-activity")) } dd { a href=(format!("/activities/{a}")) { (ledger.activities.get(a).map_or_else(|| a.to_string(), |x| x.title.clone())) } } }
            dt { (t("medp-mode")) } dd { (label(c.mode)) }
            dt { (t("medp-shipped")) } dd { (i18n::date(c.shipped)) }
            dt { (t("medp-col-arrived")) } dd { @if let Some(d) = c.arrived { (i18n::date(d)) } @else { span class="muted" { (t("medp-not-arrived")) } } }
            dt { (t("medp-col-destination")) } dd { (facility_link(ledger, &c.destination)) " (" (label(c.destination_kind)) ")" }
            dt { (t("medp-recipient")) } dd { (crate::labels::country(c.recipient_country.as_str())) " · " (c.recipient_languages.join(", ")) }
            dt { (t("medp-declared-value")) } dd { @if let Some(v) = &c.declared_value { (money(v)) " · " } (label(c.value_basis)) }
            dt { (t("medp-request")) } dd { @match &c.request_reference { Some(r) => { (r) } None => { span class="muted" { (t("medp-unannounced")) } } } }
            dt { (t("medp-col-decision")) } dd id="consignment-decision" {
                @match decision {
                    Some(d) => {
                        (label(d.outcome)) " · " (i18n::date(d.decided_on))
                        @if !d.accepted_lines.is_empty() {
                            " · " (ta("medp-accepted-lines", &[("lines", &d.accepted_lines.iter().map(|i| (i + 1).to_string()).collect::<Vec<_>>().join(", "))]))
                        }
                        @if let Some(r) = &d.reason { " — " (r) }
                    }
                    None => { span class="muted" { (t("medp-undecided")) } }
                }
            }
        }
        (crate::medicines::actions::links(&caller, &c.id))
        h2 { (t("medp-checks")) }
        p class="muted" { (t("medp-checks-note")) }
        @if !whole.is_empty() {
            ul class="findings" id="consignment-findings" { @for f in &whole { (finding(f)) } }
        }
        h2 { (t("medp-packing-list")) }
        table class="list" id="packing-lines" {
            thead { tr {
                th { (t("medp-col-line")) } th { (t("medp-col-product")) } th { (t("medp-col-checks")) } th { (t("medp-col-lot")) } th { (t("medp-col-expiry")) }
                th { (t("medp-col-quantity")) } th { (t("medp-col-unit-value")) } th { (t("medp-col-labels")) } th { (t("medp-col-inn-on-label")) }
            } }
            tbody { @for (i, line) in c.lines.iter().enumerate() {
                @let own: Vec<&Finding> = found.iter().filter(|f| f.line == Some(i)).collect();
                tr id=(format!("line-{}", i + 1)) class=(if own.is_empty() { "passes" } else { "fails" }) {
                    td class="num" { (i + 1) }
                    td { (product_name(ledger, &line.product)) }
                    // The findings come right after the product: on a phone the table scrolls,
                    // and what the reader decides on is seen first.
                    td class="checks" {
                        @if own.is_empty() { span class="passes" { (t("medp-passes")) } }
                        @else { ul class="findings" { @for f in &own { (finding(f)) } } }
                    }
                    td { code { (line.lot) } }
                    td { (i18n::date(line.expiry)) }
                    td class="num" { (count(line.quantity)) " " (unit_word(&base_unit(ledger, &line.product))) }
                    td class="num" { @if let Some(v) = line.unit_value { (i18n::number(v)) @if let Some(cur) = &currency { " " (cur) } } }
                    td { (line.label_languages.join(", ")) }
                    td { (if line.inn_on_label { t("medp-yes") } else { t("medp-no") }) }
                }
            } }
        }
        h2 { (t("sources")) }
        (citations(&snap, &c.sources))
    };
    Ok(layout(
        &ta("title-consignment", &[("id", id.as_str())]),
        &caller,
        content,
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StockQuery {
    facility: String,
    at: String,
}

/// The day expiry bands count from: `at` (YYYY-MM-DD) or today.
fn day(raw: &str) -> Result<NaiveDate, ApiError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(Utc::now().date_naive());
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
        ApiError::bad_request("invalid_query", ta("medp-err-at", &[("value", raw)]))
            .with_field("at")
    })
}

/// Stock rows as a table, each lot with its expiry band.
fn stock_table(ledger: &Ledger, rows: &[StockRow], id: &str) -> Markup {
    if rows.is_empty() {
        return html! { p class="muted" id=(id) { (t("medp-no-stock")) } };
    }
    html! {
        table class="list" id=(id) {
            thead { tr {
                th { (t("medp-col-facility")) } th { (t("medp-col-product")) } th { (t("medp-col-lot")) } th { (t("medp-col-expiry")) }
                th { (t("medp-col-band")) } th { (t("medp-col-on-hand")) } th { (t("medp-col-donor")) } th { (t("medp-col-consignment")) }
            } }
            tbody { @for r in rows {
                tr class=(r.band.map_or("", |b| <&str>::from(b))) {
                    td { (facility_link(ledger, &r.facility)) }
                    td { (product_name(ledger, &r.product)) }
                    td { code { (r.lot) } }
                    td { @if let Some(e) = r.expiry { (i18n::date(e)) } }
                    td { @if let Some(b) = r.band { (label(b)) } }
                    td class="num" { (count(r.on_hand)) " " (unit_word(&r.base_unit)) }
                    td { @if let Some(d) = &r.donor { (donor_link(ledger, d)) } }
                    td { (consignment_link(&r.consignment)) }
                }
            } }
        }
    }
}

/// How many lots each expiry band holds, and of each product how many base units: units of
/// different medicines are not added up (100,000 paracetamol and 6,000 multivitamin tablets
/// read "106,000 tablet").
fn bands_table(ledger: &Ledger, rows: &[StockRow]) -> Markup {
    type Units<'r> = BTreeMap<(String, &'r str), u64>;
    let mut by_band: BTreeMap<ExpiryBand, (usize, Units<'_>)> = BTreeMap::new();
    for r in rows {
        if let Some(b) = r.band {
            let slot = by_band.entry(b).or_default();
            slot.0 += 1;
            let key = (product_name(ledger, &r.product), r.base_unit.as_str());
            let units = slot.1.entry(key).or_insert(0);
            *units = units.saturating_add(r.on_hand);
        }
    }
    html! {
        table class="list" id="stock-bands" {
            thead { tr { th { (t("medp-col-band")) } th { (t("medp-lots")) } th { (t("medp-col-on-hand")) } } }
            tbody { @for (band, (lots, units)) in &by_band {
                tr class=(<&str>::from(*band)) {
                    td { (label(*band)) }
                    td class="num" { (lots) }
                    td { @for (i, ((product, unit), q)) in units.iter().enumerate() { @if i > 0 { "; " } (product) ": " (count(*q)) " " (unit_word(unit)) } }
                }
            } }
        }
    }
}

/// Facilities that hold or have held medicine stock, or receive consignments.
fn stock_facilities(ledger: &Ledger) -> BTreeSet<&RecordId> {
    let mut out: BTreeSet<&RecordId> = ledger
        .consignments
        .values()
        .map(|c| &c.destination)
        .collect();
    for m in ledger.stock_movements.values() {
        out.extend(m.to.iter());
    }
    out
}

/// Whether a facility page should link to its medicine stock.
pub fn facility_has_medicines(ledger: &Ledger, facility: &RecordId) -> bool {
    ledger
        .consignments
        .values()
        .any(|c| &c.destination == facility)
        || ledger
            .stock_movements
            .values()
            .any(|m| m.to.as_ref() == Some(facility))
}

/// Whether an organisation page should link to the donor view.
pub fn org_is_medicine_donor(ledger: &Ledger, org: &RecordId) -> bool {
    ledger.consignments.values().any(|c| &c.donor == org)
}

/// The facility a stock query names, refused when it is not recorded.
fn facility_of(ledger: &Ledger, raw: &str) -> Result<Option<RecordId>, ApiError> {
    match raw.trim() {
        "" => Ok(None),
        raw => {
            let id = parse_id(raw)?;
            if !ledger.facilities.contains_key(&id) {
                return Err(ApiError::not_found(ta(
                    "err-no-facility-id",
                    &[("id", id.as_str())],
                )));
            }
            Ok(Some(id))
        }
    }
}

/// The stock page's rows as a CSV or XLSX file (machine names: ids, ISO dates, band codes).
async fn stock_file(
    State(state): State<AppState>,
    caller: Caller,
    kind: FileKind,
    PageQuery(q): PageQuery<StockQuery>,
) -> PageResult<axum::response::Response> {
    can_read(&state, &caller)?;
    let at = day(&q.at)?;
    let snap = state.snapshot().await?;
    let facility = facility_of(&snap.ledger, &q.facility)?;
    let rows =
        service::stock_report(&snap.ledger, at, facility.as_ref(), None).map_err(service_error)?;
    let table = Table {
        name: "medicine_stock".into(),
        headers: vec![
            "facility",
            "product",
            "inn",
            "lot",
            "expiry",
            "band",
            "on_hand",
            "base_unit",
            "consignment",
            "donor",
        ],
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.facility.to_string(),
                    r.product.to_string(),
                    r.inn.clone(),
                    r.lot.clone(),
                    r.expiry.map(|e| e.to_string()).unwrap_or_default(),
                    r.band
                        .map(|b| <&str>::from(b).to_string())
                        .unwrap_or_default(),
                    r.on_hand.to_string(),
                    r.base_unit.clone(),
                    r.consignment.to_string(),
                    r.donor
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                ]
            })
            .collect(),
    };
    Ok(crate::tables::download(&table, kind)?)
}

async fn stock(
    State(state): State<AppState>,
    caller: Caller,
    PageQuery(q): PageQuery<StockQuery>,
) -> PageResult<Html<String>> {
    can_read(&state, &caller)?;
    let at = day(&q.at)?;
    let snap = state.snapshot().await?;
    let ledger = &snap.ledger;
    let facility = facility_of(ledger, &q.facility)?;
    let rows = service::stock_report(ledger, at, facility.as_ref(), None).map_err(service_error)?;
    let query = format!(
        "?facility={}&at={}",
        urlencode(facility.as_ref().map_or("", RecordId::as_str)),
        at.format("%Y-%m-%d")
    );
    let title = match &facility {
        Some(f) => ta(
            "title-medicine-stock-at",
            &[("facility", &ledger.facility_name(f))],
        ),
        None => t("title-medicine-stock"),
    };
    let content = html! {
        p class="muted" { (ta("medp-stock-note", &[("date", &i18n::date(at))])) }
        // Stock on a later day is what today's records leave then, not a forecast of use.
        @if at > Utc::now().date_naive() { p class="notice" id="stock-projection" { (t("medp-stock-projection")) } }
        form method="get" action="/medicines/stock" class="filters" id="stock-filter" {
            label { (t("medp-col-facility")) " " select name="facility" id="facility" {
                option value="" { (t("medp-all-facilities")) }
                @for f in stock_facilities(ledger) {
                    option value=(f) selected[facility.as_ref() == Some(f)] { (ledger.facility_name(f)) }
                }
            } }
            label { (t("medp-at")) " " input type="date" name="at" id="at" value=(at.format("%Y-%m-%d")); }
            button type="submit" { (t("filter")) }
        }
        @if let Some(f) = &facility { p { a href=(format!("/facilities/{f}")) { (t("medp-facility-page")) } " · " a href=(format!("/medicines/stock?at={}", urlencode(&at.format("%Y-%m-%d").to_string()))) { (t("medp-all-facilities")) } } }
        h2 { (t("medp-bands")) }
        (bands_table(ledger, &rows))
        h2 { (t("medp-lots")) }
        (stock_table(ledger, &rows, "stock-lots"))
        p class="exports" id="stock-exports" {
            (t("export")) ": "
            a href=(format!("/medicines/stock.csv{query}")) { "CSV" } " · "
            a href=(format!("/medicines/stock.xlsx{query}")) { "XLSX" }
        }
    };
    Ok(layout(&title, &caller, content))
}

async fn donor(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
) -> PageResult<Html<String>> {
    can_read(&state, &caller)?;
    let id = parse_id(&raw)?;
    let snap = state.snapshot().await?;
    let ledger = &snap.ledger;
    if !ledger.organisations.contains_key(&id) {
        return Err(ApiError::not_found(ta("orgp-err-none", &[("id", id.as_str())])).into());
    }
    let lots = service::donor_view(ledger, &id).map_err(service_error)?;
    let today = Utc::now().date_naive();
    let stock = service::stock_report(ledger, today, None, Some(&id)).map_err(service_error)?;
    let kinds = [
        MovementKind::Receipt,
        MovementKind::Distribution,
        MovementKind::Use,
        MovementKind::Loss,
        MovementKind::Expiry,
        MovementKind::Destruction,
    ];
    let content = html! {
        p { a href=(format!("/organisations/{id}")) { (t("medp-org-page")) } " · " a href="/medicines" { (t("title-medicines")) } }
        p class="muted" { (t("medp-donor-note")) }
        h2 { (t("medp-donor-lots")) }
        @if lots.is_empty() { p class="muted" { (t("none-recorded")) } }
        @else {
            table class="list" id="donor-lots" {
                thead { tr {
                    th { (t("medp-col-consignment")) } th { (t("medp-col-product")) } th { (t("medp-col-lot")) } th { (t("medp-col-expiry")) }
                    th { (t("medp-col-sent")) } th { (t("medp-col-decision")) }
                    @for k in kinds { th { (label(k)) } }
                    th { (t("medp-col-on-hand")) }
                } }
                tbody { @for r in &lots {
                    tr id=(format!("lot-{}", r.lot)) {
                        td { (consignment_link(&r.consignment)) }
                        td { (product_name(ledger, &r.product)) }
                        td { code { (r.lot) } }
                        td { (i18n::date(r.expiry)) }
                        td class="num" { (count(r.sent)) }
                        td { @match r.decision { Some(d) => { (label(d)) } None => { span class="muted" { (t("medp-undecided")) } } } }
                        @for k in kinds { td class="num" data-kind=(<&str>::from(k)) { (count(r.moved.get(&k).copied().unwrap_or(0))) } }
                        td class="num" { (count(r.on_hand)) }
                    }
                } }
            }
        }
        h2 { (t("medp-donor-stock")) }
        (stock_table(ledger, &stock, "donor-stock"))
    };
    Ok(layout(
        &ta("title-medicine-donor", &[("donor", &ledger.org_name(&id))]),
        &caller,
        content,
    ))
}
