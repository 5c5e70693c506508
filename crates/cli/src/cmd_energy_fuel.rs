//! `aidtrace energy fuel FACILITY`: record the tank size and the fuel on hand of a facility's
//! backup (service `energy_fuel`), the outage simulator's starting fuel. Thin: flags to an
//! entry, print what was written.

use rust_decimal::Decimal;

use crate::config::Settings;
use crate::error::{CliError, CliResult, Outcome, service_error};
use crate::output::out;

#[derive(Debug, clap::Args)]
pub struct FuelArgs {
    /// Facility id in the store
    facility: String,
    /// Litres the backup's tank(s) hold when full
    #[arg(long)]
    tank_litres: Option<Decimal>,
    /// Litres on hand (give --as-of with it)
    #[arg(long)]
    on_hand_litres: Option<Decimal>,
    /// The day the fuel on hand was measured (YYYY-MM-DD)
    #[arg(long)]
    as_of: Option<String>,
    /// The supply record (facility_power id) when the facility has several
    #[arg(long)]
    record: Option<String>,
}

pub fn run(a: FuelArgs, settings: &Settings) -> CliResult {
    let as_of = a
        .as_of
        .as_deref()
        .map(|raw| {
            chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .map_err(|e| CliError::input(format!("--as-of {raw:?}: {e} (YYYY-MM-DD)")))
        })
        .transpose()?;
    if settings.db.is_missing_file() {
        return Err(CliError::input(format!(
            "--db {}: no such store (create it with `aidtrace demo` or `ledger load`)",
            &settings.db
        )));
    }
    let mut app = aidtrace_service::Aidtrace::open(&settings.db).map_err(service_error)?;
    let id = aidtrace_service::energy_fuel::record_fuel(
        &mut app,
        settings.actor.as_str(),
        &a.facility,
        &aidtrace_service::energy_fuel::FuelEntry {
            record: a.record,
            tank_litres: a.tank_litres,
            on_hand_litres: a.on_hand_litres,
            as_of,
        },
    )
    .map_err(service_error)?;
    out(&format!("written: {id} (fuel of facility {})", a.facility));
    Ok(Outcome::Clean)
}
