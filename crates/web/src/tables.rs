//! Lists and reports as plain tables, so a page, its CSV and its XLSX show the same figures.

use crate::summary::TotalsSummary;
use aidtrace_domain::CurrencyCode;
use aidtrace_domain::RecordKind;
use aidtrace_domain::checks::Finding;
use aidtrace_domain::coded::Coded;
use aidtrace_domain::fx::Conversion;
use aidtrace_domain::ledger::Ledger;
use aidtrace_domain::ledger::RateDateBasis;
use aidtrace_domain::model::FlowKind;
use aidtrace_domain::sheet::formula_safe;
use aidtrace_domain::totals::Sum;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::error::ApiError;
use crate::state::Snapshot;

pub use crate::present::table::Table;

/// Search and filters of the activity list.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct ActivityFilter {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub instrument: String,
    /// The dashboard's filter, read apart (`filters::page_filter`): an activity is listed when
    /// the filter keeps it or one of its flows.
    #[serde(skip)]
    pub flows: aidtrace_domain::filter::Filter,
}

impl ActivityFilter {
    pub fn matches(&self, a: &aidtrace_domain::model::Activity) -> bool {
        let q = self.q.trim().to_lowercase();
        let text_ok = q.is_empty()
            || a.id.as_str().to_lowercase().contains(&q)
            || a.title.to_lowercase().contains(&q)
            || a.description
                .as_deref()
                .is_some_and(|d| d.to_lowercase().contains(&q));
        let status_ok = self.status.is_empty() || a.status.code() == self.status;
        let instrument_ok = self.instrument.is_empty() || a.instrument.code() == self.instrument;
        text_ok && status_ok && instrument_ok
    }
}

/// The snake_case name serde gives a unit enum variant.
pub fn enum_name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

/// The activities the list shows for `filter`, in the ledger's order: the page, its CSV/XLSX
/// and its IATI export all select through this one function, so they hold the same activities.
pub fn selected_activities<'a>(
    snap: &'a Snapshot,
    filter: &'a ActivityFilter,
) -> impl Iterator<Item = &'a aidtrace_domain::model::Activity> + 'a {
    let ledger = &snap.ledger;
    ledger
        .activities
        .values()
        .filter(move |a| filter.matches(a) && filter.flows.keeps_activity(ledger, a))
}

pub fn activities(snap: &Snapshot, filter: &ActivityFilter) -> Table {
    let ledger = &snap.ledger;
    let currency = &filter.flows.currency;
    let rows = selected_activities(snap, filter)
        .map(|a| {
            let committed = activity_sum(snap, &a.id, FlowKind::Commitment, &filter.flows);
            let disbursed = activity_sum(snap, &a.id, FlowKind::Disbursement, &filter.flows);
            let provisional = committed.provisional.max(disbursed.provisional);
            let funders: Vec<String> = a
                .participants
                .iter()
                .filter(|p| p.role == aidtrace_domain::model::ParticipantRole::Funding)
                .map(|p| ledger.org_name(&p.org))
                .collect();
            vec![
                a.id.to_string(),
                a.title.clone(),
                a.instrument.code().to_string(),
                a.status.code().to_string(),
                funders.join("; "),
                a.countries
                    .iter()
                    .map(|c| c.country.to_string())
                    .collect::<Vec<_>>()
                    .join(" "),
                a.start_date.map(|d| d.to_string()).unwrap_or_default(),
                a.end_date.map(|d| d.to_string()).unwrap_or_default(),
                a.sectors
                    .iter()
                    .map(|s| {
                        format!(
                            "{} ({}%)",
                            aidtrace_domain::sectors::label(&s.code),
                            s.percentage.normalize()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
                committed.text,
                disbursed.text,
                currency.to_string(),
                provisional.map(|d| d.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    Table {
        name: "activities".into(),
        headers: vec![
            "id",
            "title",
            "instrument",
            "status",
            "funding",
            "countries",
            "start",
            "end",
            "sectors",
            "committed",
            "disbursed",
            "currency",
            "provisional_rate_of",
        ],
        rows,
    }
}

/// An activity's own flows of one kind in the list's currency.
struct ActivitySum {
    /// Signed, to two places; empty when it has none or one cannot be converted, "overflow"
    /// when the sum is beyond a decimal.
    text: String,
    /// The latest rate's date when a flow was converted at it for want of a rate of its own
    /// date (the figure is provisional, as everywhere it is shown).
    provisional: Option<chrono::NaiveDate>,
}

/// An activity's own flows of `kind` in `currency`, as the activity page converts them.
///
/// Only the flows the filter keeps whole count (years, donor, kind, facility, as on the
/// dashboard): under `donor=Japan` a co-funded grant shows Japan's commitment, not every
/// donor's. An envelope broken down within the activity counts through its parts. The
/// percentage conditions (recipient, region, sector) select the activity but do not split its
/// row. The row is the activity's own money: unlike totals it keeps a programme's flows when its
/// sub-activities report the same kind, an envelope whose parts sit in other activities, and a
/// cancelled activity's pledges; the activity page lists each such flow with the reason totals
/// leave it out.
fn activity_sum(
    snap: &Snapshot,
    activity: &aidtrace_domain::RecordId,
    kind: FlowKind,
    filter: &aidtrace_domain::filter::Filter,
) -> ActivitySum {
    let ledger = &snap.ledger;
    let mut sum = Sum::ZERO;
    let mut any = false;
    let mut provisional = None;
    // An envelope whose child flows sit in this activity is counted through them, as totals
    // count it: its commitment and its parts' would otherwise both be in the row. One whose
    // parts sit in other activities stays: the row then shows what this activity passed on.
    let carried_here = |f: &aidtrace_domain::model::Flow| {
        ledger
            .flow_children(&f.id)
            .iter()
            .any(|c| ledger.flows.get(c).is_some_and(|c| &c.activity == activity))
    };
    for f in ledger
        .flows_of(activity)
        .filter(|f| f.kind == kind && filter.keeps_flow(ledger, f) && !carried_here(f))
    {
        let Ok((c, _, _)) = ledger.convert_flow(f, &snap.rates, &filter.currency) else {
            return ActivitySum {
                text: String::new(),
                provisional: None,
            };
        };
        provisional = provisional.max(c.provisional);
        sum = sum.plus_checked(c.amount.checked_mul(f.sign()));
        any = true;
    }
    let text = match sum {
        _ if !any => String::new(),
        Sum::Exact(d) => d.round_dp(2).normalize().to_string(),
        Sum::Overflow => "overflow".into(),
    };
    ActivitySum { text, provisional }
}

pub fn facilities(snap: &Snapshot, blur: Option<Decimal>) -> Table {
    let rows = snap
        .ledger
        .facilities
        .values()
        .map(|f| {
            let loc = f
                .location
                .map(|p| crate::map::geo::shown_location(f, p, blur));
            vec![
                f.id.to_string(),
                f.name.clone(),
                f.kind.code().to_string(),
                f.country.to_string(),
                f.region.clone().unwrap_or_default(),
                f.city.clone().unwrap_or_default(),
                f.current_status()
                    .map(|s| s.status.code().to_string())
                    .unwrap_or_default(),
                loc.map(|(p, _)| p.lat.to_string()).unwrap_or_default(),
                loc.map(|(p, _)| p.lon.to_string()).unwrap_or_default(),
                // A blurred point is a cell's centre: say so, and how large the cell is, so
                // nobody reads it as where the site is.
                match (loc, blur) {
                    (Some((_, true)), Some(km)) => km.normalize().to_string(),
                    _ => String::new(),
                },
            ]
        })
        .collect();
    Table {
        name: "facilities".into(),
        headers: vec![
            "id",
            "name",
            "kind",
            "country",
            "region",
            "city",
            "status",
            "lat",
            "lon",
            "location_blurred_km",
        ],
        rows,
    }
}

pub fn organisations(snap: &Snapshot) -> Table {
    let ledger = &snap.ledger;
    let rows = ledger
        .organisations
        .values()
        .map(|o| {
            vec![
                o.id.to_string(),
                o.name.clone(),
                o.kind.code().to_string(),
                o.country
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                o.parent
                    .as_ref()
                    .map(|p| ledger.org_name(p))
                    .unwrap_or_default(),
                o.roles
                    .iter()
                    .map(|r| r.code())
                    .collect::<Vec<_>>()
                    .join(" "),
            ]
        })
        .collect();
    Table {
        name: "organisations".into(),
        headers: vec!["id", "name", "kind", "country", "parent", "roles"],
        rows,
    }
}

pub fn flows(snap: &Snapshot) -> Table {
    let ledger = &snap.ledger;
    let usd = CurrencyCode::usd();
    let rows = ledger
        .flows
        .values()
        .map(|f| {
            let converted = ledger.convert_flow(f, &snap.rates, &usd).ok();
            let conv = |g: &dyn Fn(&(Conversion, chrono::NaiveDate, RateDateBasis)) -> String| {
                converted.as_ref().map(g).unwrap_or_default()
            };
            vec![
                f.id.to_string(),
                f.activity.to_string(),
                f.kind.as_str().to_string(),
                f.money.amount.to_string(),
                f.money.currency.to_string(),
                f.money
                    .value_date
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                f.provider
                    .as_ref()
                    .map(|p| ledger.org_name(p))
                    .unwrap_or_default(),
                f.receiver
                    .as_ref()
                    .map(|p| ledger.org_name(p))
                    .unwrap_or_default(),
                conv(&|(c, _, _)| c.amount.round_dp(2).normalize().to_string()),
                conv(&|(c, _, _)| c.rate.to_string()),
                conv(&|(c, _, _)| c.rate_date.to_string()),
                conv(&|(_, _, b)| b.code().to_string()),
                conv(&|(c, _, _)| c.source.clone()),
                conv(&|(c, _, _)| c.provisional.map(|d| d.to_string()).unwrap_or_default()),
            ]
        })
        .collect();
    Table {
        name: "flows".into(),
        headers: vec![
            "id",
            "activity",
            "kind",
            "amount",
            "currency",
            "value_date",
            "provider",
            "receiver",
            "converted_usd",
            "rate",
            "rate_date",
            "rate_basis",
            "rate_source",
            "provisional_rate_of",
        ],
        rows,
    }
}

pub fn findings(list: &[Finding]) -> Table {
    Table {
        name: "findings".into(),
        headers: vec!["rule", "severity", "record_kind", "record", "message"],
        rows: list
            .iter()
            .map(|f| {
                vec![
                    f.rule.to_string(),
                    f.severity.as_str().to_string(),
                    f.record_kind.as_str().to_string(),
                    f.record.to_string(),
                    f.message().to_string(),
                ]
            })
            .collect(),
    }
}

pub fn totals(report: &TotalsSummary) -> Table {
    Table {
        name: format!("totals-by-{}", report.by),
        headers: vec![
            "key",
            "kind",
            "original",
            "converted",
            "currency",
            "complete",
            "flows",
            "rates",
            "rate_source",
            "provisional_flows",
        ],
        rows: report
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.key.clone(),
                    r.kind.as_str().to_string(),
                    r.original
                        .iter()
                        .map(|(c, a)| format!("{a} {c}"))
                        .collect::<Vec<_>>()
                        .join("; "),
                    r.converted.map(|d| d.to_string()).unwrap_or_default(),
                    report.currency.to_string(),
                    r.converted_complete.to_string(),
                    r.flows.to_string(),
                    r.rates
                        .iter()
                        .map(|u| {
                            let mark = u
                                .provisional
                                .map(|d| format!(", provisional: latest rate, of {d}"))
                                .unwrap_or_default();
                            format!(
                                "{} at {} ({}, {} flows{mark})",
                                u.currency, u.rate, u.rate_date, u.flows
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; "),
                    report.attribution.to_string(),
                    r.rates
                        .iter()
                        .filter(|u| u.provisional.is_some())
                        .map(|u| u.flows)
                        .sum::<usize>()
                        .to_string(),
                ]
            })
            .collect(),
    }
}

/// Where a finding's record is shown.
pub fn record_href(ledger: &Ledger, kind: RecordKind, id: &str) -> String {
    let rid = aidtrace_domain::RecordId::parse(id).ok();
    // A record shown on its activity's or its asset's page is linked there, at its own anchor.
    let on_activity = |activity: Option<&aidtrace_domain::RecordId>| {
        activity.map_or_else(|| "/activities".into(), |a| format!("/activities/{a}#{id}"))
    };
    let on_asset = |asset: Option<&aidtrace_domain::RecordId>| {
        asset.map_or_else(|| "/assets".into(), |a| format!("/assets/{a}#{id}"))
    };
    match kind {
        RecordKind::Activity => format!("/activities/{id}"),
        RecordKind::Facility => format!("/facilities/{id}"),
        RecordKind::Organisation => format!("/organisations/{id}"),
        RecordKind::Flow => on_activity(
            rid.as_ref()
                .and_then(|r| ledger.flows.get(r))
                .map(|f| &f.activity),
        ),
        RecordKind::EquipmentLine => on_activity(
            rid.as_ref()
                .and_then(|r| ledger.equipment_lines.get(r))
                .map(|e| &e.activity),
        ),
        RecordKind::Budget => on_activity(
            rid.as_ref()
                .and_then(|r| ledger.budgets.get(r))
                .map(|b| &b.activity),
        ),
        RecordKind::Asset => format!("/assets/{id}"),
        RecordKind::WorkOrder => on_asset(
            rid.as_ref()
                .and_then(|r| ledger.work_orders.get(r))
                .map(|w| &w.asset),
        ),
        RecordKind::Downtime => on_asset(
            rid.as_ref()
                .and_then(|r| ledger.downtimes.get(r))
                .map(|d| &d.asset),
        ),
        RecordKind::AssetEvent => on_asset(
            rid.as_ref()
                .and_then(|r| ledger.asset_events.get(r))
                .map(|e| &e.asset),
        ),
        RecordKind::MeterReading => on_asset(
            rid.as_ref()
                .and_then(|r| ledger.meter_readings.get(r))
                .map(|m| &m.asset),
        ),
        RecordKind::Incident => on_asset(
            rid.as_ref()
                .and_then(|r| ledger.incidents.get(r))
                .map(|i| &i.asset),
        ),
        RecordKind::FieldSafetyNotice => format!("/assets/recalls/{id}"),
        RecordKind::Consignment => format!("/medicines/consignments/{id}"),
        RecordKind::Claim => format!("/claims#{id}"),
        RecordKind::FacilityPower => rid
            .as_ref()
            .and_then(|r| ledger.facility_power.get(r))
            .map_or_else(
                || "/energy".into(),
                |p| format!("/energy/survey/{}", p.facility),
            ),
        _ => "/quality".into(),
    }
}

pub fn to_csv(table: &Table) -> Result<Vec<u8>, ApiError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&table.headers).map_err(ApiError::internal)?;
    for row in &table.rows {
        w.write_record(row.iter().map(|c| formula_safe(c).into_owned()))
            .map_err(ApiError::internal)?;
    }
    w.into_inner().map_err(ApiError::internal)
}

pub const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The two files a list downloads as. As an extractor it is read from the route's extension, so
/// a list needs one handler for `….csv` and `….xlsx` and both answer with the same rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Csv,
    Xlsx,
}

impl FileKind {
    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
        }
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for FileKind {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        let path = parts.uri.path();
        match path.rsplit_once('.').map(|(_, ext)| ext) {
            Some("csv") => Ok(Self::Csv),
            Some("xlsx") => Ok(Self::Xlsx),
            // Only reachable if a route without either extension is given a download handler.
            _ => Err(ApiError::not_found(format!(
                "{path:?} names no csv or xlsx file"
            ))),
        }
    }
}

/// The table as an attachment named after it.
pub fn download(table: &Table, kind: FileKind) -> Result<axum::response::Response, ApiError> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let (body, mime) = match kind {
        FileKind::Csv => (to_csv(table)?, "text/csv; charset=utf-8"),
        FileKind::Xlsx => (to_xlsx(table)?, XLSX_MIME),
    };
    let disposition = format!(
        "attachment; filename=\"{}.{}\"",
        table.name,
        kind.extension()
    );
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

/// What a column's cells are, for the spreadsheet: lists are tables of text shared with the
/// page and the CSV, and the spreadsheet writer reads the figures and dates back by column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    Number,
    Date,
}

/// Headers of figures by their unit or measure (`covered_kw`, `uptime_pct`, `fuel_on_site_l`,
/// `repair_hours`): energy and equipment tables name their columns so.
const NUMBER_SUFFIXES: [&str; 12] = [
    "_kw", "_kwh", "_kva", "_l", "_litres", "_day", "_hours", "_h", "_pct", "_percent", "_cost",
    "_days",
];

/// Counts and figures of the equipment and energy tables whose headers have no unit.
const NUMBER_COLUMNS: [&str; 19] = [
    "hours",
    "units",
    "units_added",
    "weight",
    "assets",
    "in_inventory",
    "functional",
    "failures",
    "device_failures",
    "repairs",
    "pm_due",
    "pm_on_time",
    "pm_late",
    "pm_missed",
    "cost_unknown",
    "backlog",
    "backlog_corrective",
    "cosr_assets",
    "open_work_orders",
];

/// The kind of a column, by its header (the same names on every list). A cell of a number
/// column that is not a number ("≥ 459", "unknown") stays text.
pub fn column_kind(header: &str) -> ColumnKind {
    if NUMBER_COLUMNS.contains(&header) || NUMBER_SUFFIXES.iter().any(|s| header.ends_with(s)) {
        return ColumnKind::Number;
    }
    match header {
        "amount"
        | "converted"
        | "converted_usd"
        | "committed"
        | "disbursed"
        | "rate"
        | "flows"
        | "provisional_flows"
        | "lat"
        | "lon"
        | "location_blurred_km"
        | "quantity"
        | "unit_cost"
        | "on_hand" => ColumnKind::Number,
        "start"
        | "end"
        | "value_date"
        | "rate_date"
        | "provisional_rate_of"
        | "since"
        | "down_since"
        | "date"
        | "expiry" => ColumnKind::Date,
        _ => ColumnKind::Text,
    }
}

fn excel_date(cell: &str) -> Option<rust_xlsxwriter::ExcelDateTime> {
    use chrono::Datelike;
    let d = cell.parse::<chrono::NaiveDate>().ok()?;
    let y = u16::try_from(d.year()).ok()?;
    let m = u8::try_from(d.month()).ok()?;
    let day = u8::try_from(d.day()).ok()?;
    rust_xlsxwriter::ExcelDateTime::from_ymd(y, m, day).ok()
}

/// Characters a spreadsheet cell holds (Excel's limit, which the writer enforces).
const XLSX_CELL_CHARS: usize = 32_767;

/// A cell's text as a spreadsheet can hold it: a longer text is cut, saying so, rather than
/// failing the whole download (record text has no such limit; the CSV keeps it whole).
fn xlsx_text(cell: &str) -> String {
    const CUT: &str = " [… cut: the CSV export has the whole text]";
    if cell.chars().count() <= XLSX_CELL_CHARS {
        return cell.to_string();
    }
    let kept: String = cell
        .chars()
        .take(XLSX_CELL_CHARS - CUT.chars().count())
        .collect();
    format!("{kept}{CUT}")
}

pub fn to_xlsx(table: &Table) -> Result<Vec<u8>, ApiError> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    // A fixed creation date instead of the clock: the same rows give the same bytes, so a
    // download reveals nothing but its rows (and can be compared or cached).
    let epoch = ExcelDateTime::from_ymd(2000, 1, 1).map_err(ApiError::internal)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&epoch));
    let sheet = book.add_worksheet();
    let name: String = table.name.chars().take(31).collect();
    sheet.set_name(&name).map_err(ApiError::internal)?;
    let bold = Format::new().set_bold();
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in table.headers.iter().enumerate() {
        let col = u16::try_from(c).map_err(ApiError::internal)?;
        sheet
            .write_string_with_format(0, col, *h, &bold)
            .map_err(ApiError::internal)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = u32::try_from(r + 1).map_err(ApiError::internal)?;
        for (c, cell) in row.iter().enumerate() {
            let col = u16::try_from(c).map_err(ApiError::internal)?;
            let kind = table
                .headers
                .get(c)
                .map_or(ColumnKind::Text, |h| column_kind(h));
            // Numbers and dates as a spreadsheet's own cells, so it can add and sort them; a
            // spreadsheet number is a binary float, so the CSV keeps the exact decimals. A cell
            // that does not read as its column's kind ("overflow", empty) stays text.
            let number = (kind == ColumnKind::Number)
                .then(|| cell.parse::<Decimal>().ok().and_then(|d| d.to_f64()))
                .flatten();
            let date = (kind == ColumnKind::Date)
                .then(|| excel_date(cell))
                .flatten();
            if let Some(n) = number {
                sheet.write_number(r, col, n).map_err(ApiError::internal)?;
            } else if let Some(d) = date {
                sheet
                    .write_datetime_with_format(r, col, &d, &date_format)
                    .map_err(ApiError::internal)?;
            } else if !cell.is_empty() {
                sheet
                    .write_string(r, col, xlsx_text(cell))
                    .map_err(ApiError::internal)?;
            }
        }
    }
    book.save_to_buffer().map_err(ApiError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aidtrace_domain::RecordId;
    use aidtrace_domain::assets::WorkOrder;

    fn id(raw: &str) -> RecordId {
        RecordId::parse(raw).unwrap()
    }

    #[test]
    fn an_asset_is_linked_to_its_own_page() {
        let href = record_href(&Ledger::default(), RecordKind::Asset, "as-semey-mri-1");
        assert_eq!(href, "/assets/as-semey-mri-1");
    }

    #[test]
    fn a_work_order_is_linked_to_its_assets_page_at_its_anchor() {
        let mut ledger = Ledger::default();
        let w: WorkOrder = serde_json::from_value(serde_json::json!({
            "id": "wo-1", "asset": "as-1", "kind": "corrective", "status": "open",
            "priority": "urgent", "opened": "2026-01-05T08:00:00Z"
        }))
        .unwrap();
        ledger.work_orders.insert(id("wo-1"), w);
        assert_eq!(
            record_href(&ledger, RecordKind::WorkOrder, "wo-1"),
            "/assets/as-1#wo-1"
        );
    }

    #[test]
    fn a_downtime_of_an_unknown_record_falls_back_to_the_asset_list() {
        let ledger = Ledger::default();
        assert_eq!(
            record_href(&ledger, RecordKind::Downtime, "dt-9"),
            "/assets"
        );
    }

    #[test]
    fn a_recall_a_consignment_and_a_claim_have_their_pages() {
        let ledger = Ledger::default();
        assert_eq!(
            record_href(&ledger, RecordKind::FieldSafetyNotice, "fsn-1"),
            "/assets/recalls/fsn-1"
        );
        assert_eq!(
            record_href(&ledger, RecordKind::Consignment, "cons-1"),
            "/medicines/consignments/cons-1"
        );
        assert_eq!(
            record_href(&ledger, RecordKind::Claim, "cl-1"),
            "/claims#cl-1"
        );
    }

    #[test]
    fn a_kind_without_a_page_goes_to_the_quality_list() {
        assert_eq!(
            record_href(&Ledger::default(), RecordKind::Source, "src-1"),
            "/quality"
        );
    }
}
