//! `aidtrace report regions`: regional equity of one country (aid per person, devices per
//! million, facilities' status per region, ranked, with the national figure), as a table, the
//! CSV the web page exports, or JSON.

use aidtrace_domain::model::FlowKind;
use aidtrace_domain::regions::TABLE_HEADER;
use aidtrace_domain::{CountryCode, CurrencyCode};
use aidtrace_service::Aidtrace;

use crate::config::Settings;
use crate::error::{CliError, CliResult, Outcome, service_error};
use crate::output::{Format, print_csv, print_json, print_table};

/// The flow kind regions are ranked by, as `--kind` takes it (`commitment`, `disbursement` …).
pub fn parse_kind(raw: &str) -> Result<FlowKind, CliError> {
    FlowKind::ALL
        .into_iter()
        .find(|k| k.as_str() == raw.trim())
        .ok_or_else(|| {
            let names: Vec<&str> = FlowKind::ALL.iter().map(|k| k.as_str()).collect();
            CliError::input(format!(
                "--kind: {raw:?} is not a flow kind (one of {})",
                names.join(", ")
            ))
        })
}

pub fn regions(
    settings: &Settings,
    country: &str,
    kind: &str,
    currency: &str,
    format: Format,
) -> CliResult {
    let country = CountryCode::parse(country)
        .map_err(|e| CliError::input(format!("--country: {}", e.message)))?;
    let currency = CurrencyCode::parse(currency)
        .map_err(|e| CliError::input(format!("--currency: {}", e.message)))?;
    let kind = parse_kind(kind)?;
    let app = Aidtrace::open(&settings.db).map_err(service_error)?;
    let report = app
        .regional_equity(&country, kind, &currency)
        .map_err(service_error)?;
    match format {
        Format::Json => print_json(&report)?,
        Format::Csv => print_csv(&TABLE_HEADER, &report.table_rows())?,
        Format::Table => print_table(&TABLE_HEADER, &report.table_rows()),
    }
    Ok(Outcome::Clean)
}
