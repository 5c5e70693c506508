//! `aidtrace asset …`, `aidtrace workorder …`, `aidtrace kpi …`, `aidtrace fhir …`: equipment
//! from grant line to working machine.

use std::path::PathBuf;

use aidtrace_domain::assets::donation::Verdict;
use aidtrace_domain::assets::instant;
use aidtrace_domain::assets::kpi::{GroupBy, Indicators, Period, PmStatus};
use aidtrace_domain::assets::{
    DowntimeCause, LifecycleState, Priority, WorkOrder, WorkOrderKind, WorkOrderStatus,
};
use aidtrace_domain::{CurrencyCode, Money, Record, RecordId, RecordKind};
use aidtrace_service::assets::{self as svc, HistorySource, NewEvent};
use aidtrace_service::{Aidtrace, ServiceError, fhir, records};
use chrono::{NaiveDate, NaiveDateTime, Utc};
use clap::{Args, Subcommand};
use rust_decimal::Decimal;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::cmd_asset_void::Voidable;
use crate::config::Settings;
use crate::error::service_error;
use crate::error::{CliError, CliResult, Outcome};
use crate::output::{Format, print_csv, print_json, print_table};

mod kpi_cmd;
mod workorder_cmd;

use kpi_cmd::kpi;
use workorder_cmd::workorder;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Equipment assets: list, show, lifecycle events, report down / back in service, checks
    #[command(subcommand)]
    Asset(AssetCommand),
    /// Maintenance work orders: list, open, close
    #[command(subcommand)]
    Workorder(WorkorderCommand),
    /// Equipment indicators: uptime, fleet functional, PM completion, MTBF, MTTR, COSR, age; money-to-machine
    #[command(subcommand)]
    Kpi(KpiCommand),
    /// FHIR R4 export of devices, models, facilities and organisations
    #[command(subcommand)]
    Fhir(FhirCommand),
}

#[derive(Debug, Subcommand)]
pub enum AssetCommand {
    /// List assets with their current state
    List {
        #[arg(long)]
        facility: Option<String>,
        /// Only the assets bought under this equipment line (exit 2 when no such line)
        #[arg(long)]
        line: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// One asset with its events, downtime, work orders and donation checks (JSON)
    Show { id: String },
    /// Load asset records (models, assets, events, downtime, work orders…) from a JSON records
    /// file, checking the lifecycle rules; all or nothing
    Load { file: PathBuf },
    /// Record a lifecycle event (planned, procured, shipped, delivered, installed, commissioned,
    /// in_service, down, under_repair, in_storage, transferred, decommissioned, disposed,
    /// customs_hold, dead_on_arrival, rejected, returned_to_donor, lost)
    Event {
        id: String,
        state: String,
        /// When it happened: YYYY-MM-DDTHH:MM[:SS] (UTC, or with Z / ±HH:MM), or YYYY-MM-DD
        /// (00:00 UTC that day); at most 10 minutes ahead of now [default: now]
        #[arg(long)]
        at: Option<String>,
        /// The done acceptance work order (required to commission)
        #[arg(long)]
        acceptance: Option<String>,
        /// The receiving facility (required for a transfer)
        #[arg(long)]
        to_facility: Option<String>,
        #[arg(long)]
        by: Option<String>,
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        disposal: crate::cmd_asset_disposal::DisposalArgs,
    },
    /// Report a device down: opens a downtime episode and a corrective work order
    Down {
        id: String,
        /// mechanical, electrical, external_power, user_error, wear, consumables_out_of_stock,
        /// awaiting_parts, planned_maintenance, other
        #[arg(long)]
        cause: String,
        #[arg(long)]
        at: Option<String>,
        #[arg(long)]
        by: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// Back in service: closes the open downtime and its work order
    Up {
        id: String,
        #[arg(long)]
        at: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// Void a wrong lifecycle event: it stays stored with the reason and no report reads it (the
    /// downtime it opened is voided with it); with --at and/or --state, record the corrected event
    /// in the same batch
    Void {
        event: String,
        /// Why the event was wrong (required)
        #[arg(long)]
        reason: String,
        #[arg(long)]
        by: Option<String>,
        /// The corrected time (same formats as `event --at`)
        #[arg(long)]
        at: Option<String>,
        /// The corrected state [default: the voided event's]
        #[arg(long)]
        state: Option<String>,
    },
    /// Void a wrong meter reading: it stays stored with the reason and no rule or due date reads it
    VoidReading {
        id: String,
        /// Why the reading was wrong (required)
        #[arg(long)]
        reason: String,
        #[arg(long)]
        by: Option<String>,
    },
    /// Incidents (adverse events) with one device: add, list
    #[command(subcommand)]
    Incident(crate::cmd_asset_recall::IncidentCommand),
    /// Field safety notices (recalls): add, search, show the affected assets, open recall-action
    /// work orders
    #[command(subcommand)]
    Recall(crate::cmd_asset_recall::RecallCommand),
    /// Check stored asset histories against the lifecycle rules (exit 1 on breaches)
    Check,
    /// Bring downtime records in line with the lifecycle events (stores written before events
    /// opened and closed downtime) and list each change; idempotent
    Reconcile {
        /// List what would change, write nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// WHO donation fitness checks: fit, not fit or not assessed (exit 1 unless every check is fit)
    Fitness {
        #[arg(long)]
        activity: Option<String>,
        #[arg(long)]
        asset: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Essential-equipment gaps per facility, or per region and device type
    Gaps {
        #[arg(long)]
        at: Option<String>,
        /// facility, or region (a region's gap is the sum of its facilities' gaps)
        #[arg(long, value_enum, default_value_t = GapsBy::Facility)]
        by: GapsBy,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Equipment per million population by region and nationally
    Density {
        #[arg(long)]
        at: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Service contracts and warranties: add, list, alerts, migrate
    #[command(subcommand)]
    Contract(crate::cmd_asset_contract::ContractCommand),
    /// Spare parts and consumables: add, list, move, stock, alerts
    #[command(subcommand)]
    Part(crate::cmd_asset_contract::PartCommand),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GapsBy {
    Facility,
    Region,
}

#[derive(Debug, Subcommand)]
pub enum WorkorderCommand {
    /// List work orders
    List {
        #[arg(long)]
        asset: Option<String>,
        /// Only those not done or cancelled
        #[arg(long)]
        open: bool,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Scheduled maintenance due in a period, met on time, missed or still to do
    Due {
        #[arg(long)]
        facility: Option<String>,
        /// First day [default: today]
        #[arg(long)]
        from: Option<NaiveDate>,
        /// Last day, included [default: 90 days after --from]
        #[arg(long)]
        to: Option<NaiveDate>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Open a work order
    Open {
        asset: String,
        /// corrective, preventive, inspection, calibration, installation, acceptance, recall_action,
        /// electrical_safety
        #[arg(long)]
        kind: String,
        /// routine, normal, urgent, emergency, safety
        #[arg(long, default_value = "normal")]
        priority: String,
        #[arg(long)]
        plan: Option<String>,
        #[arg(long)]
        at: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// Record that a technician took a work order on (response time starts at the request)
    Ack(crate::cmd_workorder::StepArgs),
    /// Record that hands-on work on a work order began (repair time runs from here)
    Start(crate::cmd_workorder::StepArgs),
    /// Void a work order entered wrong (wrong asset, duplicate): it stays stored with the reason
    /// and no indicator reads it
    Void {
        id: String,
        /// Why the order was wrong (required)
        #[arg(long)]
        reason: String,
        #[arg(long)]
        by: Option<String>,
    },
    /// Close a work order as done or cancelled
    Close {
        id: String,
        #[arg(long, default_value = "done")]
        status: String,
        #[arg(long)]
        at: Option<String>,
        /// Labour hours
        #[arg(long, visible_alias = "labour-hours")]
        hours: Option<Decimal>,
        /// Vendor or other cost, e.g. 250
        #[arg(long, requires = "currency")]
        cost: Option<Decimal>,
        /// Currency of --cost, --rate and --part costs
        #[arg(long)]
        currency: Option<String>,
        #[command(flatten)]
        substance: crate::cmd_workorder::SubstanceArgs,
    },
}

#[derive(Debug, Args)]
pub struct PeriodArgs {
    /// First day of the period [default: 364 days before --to, so 365 days in all, as on the
    /// indicators page]
    #[arg(long)]
    from: Option<NaiveDate>,
    /// Last day of the period, included [default: today]
    #[arg(long)]
    to: Option<NaiveDate>,
    /// Currency costs are reported in
    #[arg(long, default_value = "USD")]
    currency: String,
}

#[derive(Debug, Subcommand)]
pub enum KpiCommand {
    /// Indicators per group over a period
    Show {
        #[command(flatten)]
        period: PeriodArgs,
        /// asset, facility, region, donor, model, all
        #[arg(long, default_value = "facility")]
        by: String,
        /// Only this facility
        #[arg(long)]
        facility: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Uptime over contracted hours, read from each asset's contracts (span, covered hours,
    /// uptime guarantee checked), per asset and in all
    Contracted {
        #[command(flatten)]
        period: PeriodArgs,
        /// Instead of the contracts' hours, this window for every asset ("what if"), e.g.
        /// "mon-fri 08:00-17:00 +05:00" or "24x7"
        #[arg(long)]
        coverage: Option<String>,
        #[arg(long)]
        facility: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Money-to-machine: what donated equipment became
    Money {
        /// Point in time [default: now]
        #[arg(long)]
        at: Option<String>,
        #[arg(long)]
        activity: Option<String>,
        #[arg(long, default_value = "USD")]
        currency: String,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum FhirCommand {
    /// Write Device, DeviceDefinition, Location and Organization bundles as JSON into DIR
    Export {
        #[arg(long)]
        out: PathBuf,
    },
}

pub(crate) fn open(settings: &Settings) -> Result<Aidtrace, CliError> {
    Aidtrace::open(&settings.db).map_err(service_error)
}

/// Per-asset reads for the history rules, so a write does not list the whole store: a second
/// connection to the store, read while the service's connection writes.
pub(crate) fn queries(settings: &Settings) -> Result<Box<dyn aidtrace_store::Store>, CliError> {
    settings
        .db
        .open()
        .map_err(|e| service_error(ServiceError::Store(e)))
}

pub(crate) fn rid(field: &str, raw: &str) -> Result<RecordId, CliError> {
    RecordId::parse(raw).map_err(|e| CliError::input(format!("{field}: {e}")))
}

fn opt_rid(field: &str, raw: Option<&String>) -> Result<Option<RecordId>, CliError> {
    raw.map(|r| rid(field, r)).transpose()
}

/// Parses a snake_case value of a domain enum through its serde names.
pub(crate) fn value<T: DeserializeOwned>(field: &str, raw: &str) -> Result<T, CliError> {
    serde_json::from_value(serde_json::Value::String(raw.trim().to_string()))
        .map_err(|e| CliError::input(format!("--{field} {raw:?}: {e}")))
}

/// A time from the command line through the shared parser (`assets::instant`, also used by the
/// web): a bare date is 00:00 UTC of that day; offsets are converted to UTC. Default now.
pub(crate) fn time(field: &str, raw: Option<&String>) -> Result<NaiveDateTime, CliError> {
    let Some(raw) = raw else {
        return Ok(Utc::now().naive_utc());
    };
    instant::parse_field(&format!("--{field}"), raw).map_err(|e| CliError::input(e.to_string()))
}

pub(crate) fn currency(raw: &str) -> Result<CurrencyCode, CliError> {
    CurrencyCode::parse(raw).map_err(|e| CliError::input(format!("--currency: {e}")))
}

/// The period asked for, whole days; one reaching past now is said to end now, as the
/// indicators count it (hours still to come are neither up nor down).
fn period(args: &PeriodArgs) -> Result<Period, CliError> {
    let to = args.to.unwrap_or_else(|| Utc::now().date_naive());
    let from = args.from.unwrap_or_else(|| Period::default_from(to));
    let asked = Period::days(from, to)
        .ok_or_else(|| CliError::input(format!("--to {to} is before --from {from}")))?;
    let now = Utc::now().naive_utc();
    if asked.to > now && asked.from < now {
        eprintln!(
            "note: the period ends now ({} UTC); hours still to come are not counted",
            now.format("%Y-%m-%d %H:%M")
        );
    }
    Ok(asked)
}

pub(crate) fn emit<T: Serialize>(
    format: Format,
    json: &T,
    header: &[&str],
    rows: &[Vec<String>],
) -> Result<(), CliError> {
    match format {
        Format::Json => print_json(json),
        Format::Csv => print_csv(header, rows),
        Format::Table => {
            print_table(header, rows);
            Ok(())
        }
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

pub fn run(command: Command, settings: &Settings) -> CliResult {
    match command {
        Command::Asset(c) => asset(c, settings),
        Command::Workorder(c) => workorder(c, settings),
        Command::Kpi(c) => kpi(c, settings),
        Command::Fhir(FhirCommand::Export { out }) => {
            let app = open(settings)?;
            let ledger = app.ledger().map_err(service_error)?;
            for path in fhir::write(&ledger, &out).map_err(service_error)? {
                println!("wrote {}", path.display());
            }
            Ok(Outcome::Clean)
        }
    }
}

fn asset(c: AssetCommand, settings: &Settings) -> CliResult {
    let actor = settings.actor.as_str();
    match c {
        AssetCommand::List {
            facility,
            line,
            format,
        } => {
            let app = open(settings)?;
            let facility = opt_rid("--facility", facility.as_ref())?;
            let line = opt_rid("--line", line.as_ref())?;
            let mut rows_data = svc::list_assets(&app, facility.as_ref()).map_err(service_error)?;
            if let Some(line) = &line {
                let bought = svc::line_assets(&app, line).map_err(service_error)?;
                rows_data.retain(|r| bought.contains(&r.id));
            }
            let rows: Vec<Vec<String>> = rows_data
                .iter()
                .map(|r| {
                    vec![
                        r.id.to_string(),
                        r.inventory_tag.clone(),
                        r.model.clone(),
                        r.facility.to_string(),
                        r.state.map_or("", LifecycleState::as_str).to_string(),
                        opt(r.since),
                        opt(r.down_since),
                        r.open_work_orders.to_string(),
                        opt(r.equipment_line.as_ref()),
                        opt(r.donor.as_ref()),
                        r.donation_failures.join("; "),
                    ]
                })
                .collect();
            let header = [
                "id",
                "tag",
                "model",
                "facility",
                "state",
                "since",
                "down since",
                "open WOs",
                "equipment line",
                "donor",
                "donation check failures",
            ];
            emit(format, &rows_data, &header, &rows)?;
            Ok(Outcome::Clean)
        }
        AssetCommand::Show { id } => {
            let app = open(settings)?;
            let detail = svc::asset_detail(&app, &rid("id", &id)?).map_err(service_error)?;
            print_json(&detail)?;
            Ok(Outcome::Clean)
        }
        AssetCommand::Load { file } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| CliError::input(format!("{}: {e}", file.display())))?;
            let mut app = open(settings)?;
            let recs = records::records_from_json(&text).map_err(service_error)?;
            let q = queries(settings)?;
            let report = svc::put_checked_from(&mut app, HistorySource::Indexed(&q), actor, recs)
                .map_err(service_error)?;
            println!(
                "{} created, {} updated, {} unchanged",
                report.created, report.updated, report.unchanged
            );
            Ok(Outcome::Clean)
        }
        AssetCommand::Event {
            id,
            state,
            at,
            acceptance,
            to_facility,
            by,
            note,
            disposal,
        } => {
            let mut app = open(settings)?;
            let state = LifecycleState::parse(state.trim()).ok_or_else(|| {
                let all: Vec<&str> = LifecycleState::ALL.iter().map(|s| s.as_str()).collect();
                CliError::input(format!(
                    "state {state:?}: expected one of {}",
                    all.join(", ")
                ))
            })?;
            let event = NewEvent {
                asset: rid("id", &id)?,
                at: time("at", at.as_ref())?,
                state,
                acceptance: opt_rid("--acceptance", acceptance.as_ref())?,
                to_facility: opt_rid("--to-facility", to_facility.as_ref())?,
                by,
                note,
                disposal: disposal.record()?,
            };
            let q = queries(settings)?;
            let ev = svc::record_event(&mut app, HistorySource::Indexed(&q), actor, event)
                .map_err(service_error)?;
            println!("recorded {ev}: {id} is {}", state.as_str());
            Ok(Outcome::Clean)
        }
        AssetCommand::Down {
            id,
            cause,
            at,
            by,
            note,
        } => {
            let mut app = open(settings)?;
            let cause: DowntimeCause = value("cause", &cause)?;
            let report = svc::report_down(
                &mut app,
                HistorySource::Indexed(&queries(settings)?),
                actor,
                svc::DeviceDown {
                    asset: rid("id", &id)?,
                    at: time("at", at.as_ref())?,
                    cause,
                    reported_by: by,
                    note,
                },
            )
            .map_err(service_error)?;
            println!(
                "{id} is down: downtime {}, work order {}",
                report.downtime, report.work_order
            );
            // The event's id is what `asset void` takes when the report was wrong.
            if let Some(ev) = &report.event {
                println!("recorded event {ev}");
            }
            Ok(Outcome::Clean)
        }
        AssetCommand::Up { id, at, note } => {
            let mut app = open(settings)?;
            let ev = svc::return_to_service(
                &mut app,
                HistorySource::Indexed(&queries(settings)?),
                actor,
                &rid("id", &id)?,
                time("at", at.as_ref())?,
                note,
            )
            .map_err(service_error)?;
            match ev {
                Some(ev) => println!("{id} is back in service ({ev})"),
                None => println!("{id}: the planned work is done (the asset stayed in service)"),
            }
            Ok(Outcome::Clean)
        }
        AssetCommand::Void {
            event,
            reason,
            by,
            at,
            state,
        } => crate::cmd_asset_void::void(settings, &event, &reason, by, at, state),
        AssetCommand::Contract(c) => crate::cmd_asset_contract::contract(c, settings),
        AssetCommand::Part(c) => crate::cmd_asset_contract::part(c, settings),
        AssetCommand::VoidReading { id, reason, by } => {
            crate::cmd_asset_void::void_record(settings, Voidable::Reading, &id, &reason, by)
        }
        AssetCommand::Incident(c) => crate::cmd_asset_recall::incident(c, settings),
        AssetCommand::Recall(c) => crate::cmd_asset_recall::recall(c, settings),
        AssetCommand::Check => {
            let app = open(settings)?;
            let problems = svc::check_stored(&app.ledger().map_err(service_error)?, app.now());
            for p in &problems {
                println!("{p}");
            }
            if problems.is_empty() {
                println!("asset histories follow the lifecycle rules");
                Ok(Outcome::Clean)
            } else {
                Ok(Outcome::ProblemsFound)
            }
        }
        AssetCommand::Reconcile { dry_run } => {
            let mut app = open(settings)?;
            let changes = svc::reconcile(&mut app, actor, !dry_run).map_err(service_error)?;
            for c in &changes {
                println!("asset {}: downtime {}: {}", c.asset, c.downtime, c.what);
            }
            match (changes.len(), dry_run) {
                (0, _) => println!("events and downtime agree; nothing to change"),
                (n, true) => println!("{n} change(s) would be written (dry run)"),
                (n, false) => println!("{n} change(s) written"),
            }
            Ok(Outcome::Clean)
        }
        AssetCommand::Fitness {
            activity,
            asset,
            format,
        } => {
            let app = open(settings)?;
            let reports = svc::donation_fitness(
                &app,
                opt_rid("--activity", activity.as_ref())?.as_ref(),
                opt_rid("--asset", asset.as_ref())?.as_ref(),
            )
            .map_err(service_error)?;
            let rows: Vec<Vec<String>> = reports
                .iter()
                .flat_map(|r| {
                    r.items.iter().map(|i| {
                        vec![
                            r.check.clone(),
                            r.verdict.as_str().to_string(),
                            i.item.as_str().to_string(),
                            format!("{:?}", i.outcome).to_lowercase(),
                            if i.computed { "records" } else { "attested" }.to_string(),
                            i.attested
                                .map(|a| format!("{a:?}").to_lowercase())
                                .unwrap_or_default(),
                            match &i.disagreement {
                                Some(d) => format!("{} (disagreement: {d})", i.reason),
                                None => i.reason.clone(),
                            },
                        ]
                    })
                })
                .collect();
            emit(
                format,
                &reports,
                &[
                    "check", "verdict", "item", "outcome", "from", "attested", "reason",
                ],
                &rows,
            )?;
            if format == Format::Table {
                for r in &reports {
                    println!("{}", verdict_line(&r.check, &r.verdict));
                }
            }
            // Not assessed is not fit either: a script gating a shipment must stop on both.
            Ok(if reports.iter().all(|r| r.is_fit()) {
                Outcome::Clean
            } else {
                Outcome::ProblemsFound
            })
        }
        AssetCommand::Gaps { at, by, format } => {
            let app = open(settings)?;
            let gaps =
                svc::equipment_gaps(&app, time("at", at.as_ref())?).map_err(service_error)?;
            if by == GapsBy::Region {
                let regions = aidtrace_domain::assets::gaps::region_gaps(&gaps);
                let rows: Vec<Vec<String>> = regions
                    .iter()
                    .map(|g| {
                        vec![
                            g.region.clone(),
                            g.generic_type.clone(),
                            g.facilities.to_string(),
                            g.required.to_string(),
                            g.present.to_string(),
                            g.functional.to_string(),
                            g.gap.to_string(),
                        ]
                    })
                    .collect();
                emit(
                    format,
                    &regions,
                    &[
                        "region",
                        "device",
                        "facilities",
                        "required",
                        "present",
                        "functional",
                        "gap",
                    ],
                    &rows,
                )?;
                return Ok(Outcome::Clean);
            }
            let rows: Vec<Vec<String>> = gaps
                .iter()
                .map(|g| {
                    vec![
                        g.facility.to_string(),
                        g.region.clone(),
                        g.generic_type.clone(),
                        g.required.to_string(),
                        g.present.to_string(),
                        g.functional.to_string(),
                        g.gap.to_string(),
                    ]
                })
                .collect();
            emit(
                format,
                &gaps,
                &[
                    "facility",
                    "region",
                    "device",
                    "required",
                    "present",
                    "functional",
                    "gap",
                ],
                &rows,
            )?;
            Ok(Outcome::Clean)
        }
        AssetCommand::Density { at, format } => {
            let app = open(settings)?;
            let report =
                svc::equipment_density(&app, time("at", at.as_ref())?).map_err(service_error)?;
            let rows = density_rows(&report);
            emit(
                format,
                &report,
                &[
                    "device",
                    "area",
                    "units",
                    "population",
                    "year",
                    "per_million",
                    "source",
                ],
                &rows,
            )?;
            if format == Format::Table {
                println!("\n{}", report.counted);
            }
            Ok(Outcome::Clean)
        }
    }
}

/// `dc-1: not assessed (missing: recipient_request, …)`.
fn verdict_line(check: &str, verdict: &Verdict) -> String {
    let names: Vec<&str> = verdict.items().iter().map(|i| i.as_str()).collect();
    match verdict {
        Verdict::Fit => format!("{check}: fit"),
        Verdict::NotFit { .. } => format!("{check}: not fit (failed: {})", names.join(", ")),
        Verdict::NotAssessed { .. } => {
            format!("{check}: not assessed (missing: {})", names.join(", "))
        }
    }
}

/// Per country and device type: each region, the devices at facilities without a region, the
/// national figure, then the published reference figures for that type with year and source.
fn density_rows(report: &svc::DensityReport) -> Vec<Vec<String>> {
    use aidtrace_domain::assets::gaps::Scope;
    let mut rows = Vec::new();
    let mut groups: Vec<(&str, &str)> = report
        .rows
        .iter()
        .map(|d| (d.country.as_str(), d.generic_type.as_str()))
        .collect();
    groups.dedup();
    for (country, generic_type) in groups {
        let of_group = || {
            report
                .rows
                .iter()
                .filter(move |d| d.country == country && d.generic_type == generic_type)
        };
        let ordered = of_group()
            .filter(|d| d.scope == Scope::Region)
            .chain(of_group().filter(|d| d.scope == Scope::NoRegion))
            .chain(of_group().filter(|d| d.scope == Scope::National));
        for d in ordered {
            let area = match (d.scope, &d.region) {
                (Scope::Region, Some(r)) => format!("{country} {r}"),
                (Scope::NoRegion, _) | (Scope::Region, None) => {
                    format!("{country} (facilities without a region)")
                }
                (Scope::National, _) => format!("{country} (national)"),
            };
            let source = match (&d.population_record, &d.no_density) {
                (_, Some(why)) => why.clone(),
                (Some(p), None) => format!("population record {p}"),
                (None, None) => String::new(),
            };
            rows.push(vec![
                generic_type.to_string(),
                area,
                d.units.to_string(),
                opt(d.population),
                opt(d.population_year),
                opt(d.per_million),
                source,
            ]);
        }
        for r in report.references_for(generic_type) {
            rows.push(vec![
                generic_type.to_string(),
                format!("reference: {}", r.area),
                String::new(),
                String::new(),
                r.years(),
                r.figure(),
                match (&r.record, r.source_url.is_empty()) {
                    (Some(id), true) => format!("{} (record {id})", r.source_title),
                    (Some(id), false) => {
                        format!("{} <{}> (record {id})", r.source_title, r.source_url)
                    }
                    (None, _) => format!("{} <{}>", r.source_title, r.source_url),
                },
            ]);
        }
    }
    rows
}
