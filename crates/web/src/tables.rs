//! Lists and reports as plain tables, so a page, its CSV and its XLSX show the same figures.

use crate::summary::TotalsSummary;
use aidtrace_domain::RecordKind;
use aidtrace_domain::checks::Finding;
use aidtrace_domain::sheet::formula_safe;
use rust_decimal::Decimal;

use crate::error::ApiError;
use crate::state::Snapshot;

pub struct Table {
    pub name: String,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

/// Search and filters of the activity list.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct ActivityFilter {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub instrument: String,
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
        let status_ok = self.status.is_empty() || enum_name(&a.status) == self.status;
        let instrument_ok =
            self.instrument.is_empty() || enum_name(&a.instrument) == self.instrument;
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

pub fn activities(snap: &Snapshot, filter: &ActivityFilter) -> Table {
    let ledger = &snap.ledger;
    let rows = ledger
        .activities
        .values()
        .filter(|a| filter.matches(a))
        .map(|a| {
            let funders: Vec<String> = a
                .participants
                .iter()
                .filter(|p| p.role == aidtrace_domain::model::ParticipantRole::Funding)
                .map(|p| ledger.org_name(&p.org))
                .collect();
            vec![
                a.id.to_string(),
                a.title.clone(),
                enum_name(&a.instrument),
                enum_name(&a.status),
                funders.join("; "),
                a.countries
                    .iter()
                    .map(|c| c.country.to_string())
                    .collect::<Vec<_>>()
                    .join(" "),
                a.start_date.map(|d| d.to_string()).unwrap_or_default(),
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
        ],
        rows,
    }
}

pub fn facilities(snap: &Snapshot, blur: Option<Decimal>) -> Table {
    let rows = snap
        .ledger
        .facilities
        .values()
        .map(|f| {
            let loc = f.location.map(|p| crate::pages::shown_location(f, p, blur));
            vec![
                f.id.to_string(),
                f.name.clone(),
                enum_name(&f.kind),
                f.country.to_string(),
                f.region.clone().unwrap_or_default(),
                f.city.clone().unwrap_or_default(),
                f.current_status()
                    .map(|s| enum_name(&s.status))
                    .unwrap_or_default(),
                loc.map(|(p, _)| p.lat.to_string()).unwrap_or_default(),
                loc.map(|(p, _)| p.lon.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    Table {
        name: "facilities".into(),
        headers: vec![
            "id", "name", "kind", "country", "region", "city", "status", "lat", "lon",
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
                enum_name(&o.kind),
                o.country
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                o.parent
                    .as_ref()
                    .map(|p| ledger.org_name(p))
                    .unwrap_or_default(),
                o.roles.iter().map(enum_name).collect::<Vec<_>>().join(" "),
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
    let rows = ledger
        .flows
        .values()
        .map(|f| {
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
                    f.message.clone(),
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
pub fn record_href(snap: &Snapshot, kind: RecordKind, id: &str) -> String {
    let ledger = &snap.ledger;
    let rid = aidtrace_domain::RecordId::parse(id).ok();
    match kind {
        RecordKind::Activity => format!("/activities/{id}"),
        RecordKind::Facility => format!("/facilities/{id}"),
        RecordKind::Organisation => format!("/organisations/{id}"),
        RecordKind::Flow => rid.and_then(|r| ledger.flows.get(&r)).map_or_else(
            || "/activities".into(),
            |f| format!("/activities/{}#{id}", f.activity),
        ),
        RecordKind::EquipmentLine => rid
            .and_then(|r| ledger.equipment_lines.get(&r))
            .map_or_else(
                || "/activities".into(),
                |e| format!("/activities/{}#{id}", e.activity),
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
            // Strings throughout: amounts stay the exact decimals shown on the page.
            sheet
                .write_string(r, col, cell)
                .map_err(ApiError::internal)?;
        }
    }
    book.save_to_buffer().map_err(ApiError::internal)
}
