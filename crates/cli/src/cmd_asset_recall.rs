//! `aidtrace asset incident …` and `aidtrace asset recall …`: adverse events with one device, and
//! field safety notices with the assets they name and the recall-action orders that carry them out.

use aidtrace_domain::assets::recall::{FieldSafetyNotice, Incident, SerialRange, Severity};
use aidtrace_service::assets::{self as svc, HistorySource};
use chrono::NaiveDate;
use clap::Subcommand;

use crate::cmd_asset::{open, queries, rid, time, value};
use crate::config::Settings;
use crate::error::{CliError, CliResult, Outcome, service_error};
use crate::output::{Format, print_csv, print_json, print_table};

#[derive(Debug, Subcommand)]
pub enum IncidentCommand {
    /// Record an incident (adverse event) with one asset
    Add {
        asset: String,
        /// near_miss, minor, serious, death
        #[arg(long)]
        severity: String,
        /// What happened
        #[arg(long)]
        description: String,
        /// When it happened [default: now]
        #[arg(long)]
        at: Option<String>,
        /// A patient was harmed
        #[arg(long)]
        patient_harm: bool,
        /// It was reported to the regulator
        #[arg(long)]
        reported_to_regulator: bool,
        /// The work order that investigated or repaired the device (of the same asset)
        #[arg(long)]
        work_order: Option<String>,
        #[arg(long)]
        by: Option<String>,
        /// [default: inc-ASSET-TIME]
        #[arg(long)]
        id: Option<String>,
    },
    /// List incidents, newest first
    List {
        #[arg(long)]
        asset: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum RecallCommand {
    /// Record a field safety notice
    Add {
        id: String,
        /// The issuing manufacturer or regulator (an organisation id)
        #[arg(long)]
        issuer: String,
        /// The issuer's reference, e.g. FSN-2026-014
        #[arg(long)]
        reference: String,
        #[arg(long)]
        date: NaiveDate,
        /// The affected model (a device_model id)
        #[arg(long)]
        model: Option<String>,
        /// An affected UDI-DI (repeat for more)
        #[arg(long = "udi-di")]
        udi_di: Vec<String>,
        /// An affected lot (repeat for more)
        #[arg(long = "lot")]
        lots: Vec<String>,
        /// An affected serial number (repeat for more)
        #[arg(long = "serial")]
        serials: Vec<String>,
        /// An affected serial range, FROM..TO (repeat for more)
        #[arg(long = "serial-range")]
        serial_ranges: Vec<String>,
        /// What the user must do
        #[arg(long)]
        action: String,
    },
    /// Notices naming a model id, UDI-DI, lot, serial or reference (all notices without TERM)
    Search {
        term: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// The assets a notice names, with their recall-action orders
    Show {
        id: String,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Open one recall-action work order per affected asset that has none (idempotent)
    Orders {
        id: String,
        #[arg(long)]
        at: Option<String>,
    },
}

pub(crate) fn incident(c: IncidentCommand, settings: &Settings) -> CliResult {
    match c {
        IncidentCommand::Add {
            asset,
            severity,
            description,
            at,
            patient_harm,
            reported_to_regulator,
            work_order,
            by,
            id,
        } => {
            let severity: Severity = value("severity", &severity)?;
            let at = time("at", at.as_ref())?;
            let asset = rid("asset", &asset)?;
            let id = match id {
                Some(id) => rid("--id", &id)?,
                None => rid(
                    "--id",
                    &format!("inc-{asset}-{}", at.format("%Y%m%dT%H%M%S")),
                )?,
            };
            let work_order = work_order.map(|w| rid("--work-order", &w)).transpose()?;
            let mut app = open(settings)?;
            svc::record_incident(
                &mut app,
                settings.actor.as_str(),
                Incident {
                    id: id.clone(),
                    asset,
                    at,
                    severity,
                    description,
                    patient_harm,
                    reported_to_regulator,
                    work_order,
                    reported_by: by,
                },
            )
            .map_err(service_error)?;
            println!("recorded incident {id}");
            Ok(Outcome::Clean)
        }
        IncidentCommand::List { asset, format } => {
            let app = open(settings)?;
            let list = match asset {
                Some(a) => svc::asset_incidents(&app, &rid("--asset", &a)?),
                None => svc::list_incidents(&app),
            }
            .map_err(service_error)?;
            let header = [
                "id",
                "asset",
                "at",
                "severity",
                "patient_harm",
                "reported_to_regulator",
                "work_order",
                "description",
            ];
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|i| {
                    vec![
                        i.id.to_string(),
                        i.asset.to_string(),
                        i.at.to_string(),
                        i.severity.as_str().to_string(),
                        i.patient_harm.to_string(),
                        i.reported_to_regulator.to_string(),
                        i.work_order
                            .as_ref()
                            .map(ToString::to_string)
                            .unwrap_or_default(),
                        i.description.clone(),
                    ]
                })
                .collect();
            emit(format, &list, &header, &rows)
        }
    }
}

fn emit<T: serde::Serialize>(
    format: Format,
    json: &T,
    header: &[&str],
    rows: &[Vec<String>],
) -> CliResult {
    match format {
        Format::Json => print_json(json)?,
        Format::Csv => print_csv(header, rows)?,
        Format::Table => print_table(header, rows),
    }
    Ok(Outcome::Clean)
}

fn serial_range(raw: &str) -> Result<SerialRange, CliError> {
    let (from, to) = raw
        .split_once("..")
        .ok_or_else(|| CliError::input(format!("--serial-range {raw:?}: expected FROM..TO")))?;
    Ok(SerialRange {
        from: from.trim().to_string(),
        to: to.trim().to_string(),
    })
}

pub(crate) fn recall(c: RecallCommand, settings: &Settings) -> CliResult {
    match c {
        RecallCommand::Add {
            id,
            issuer,
            reference,
            date,
            model,
            udi_di,
            lots,
            serials,
            serial_ranges,
            action,
        } => {
            let notice = FieldSafetyNotice {
                id: rid("id", &id)?,
                issuer: rid("--issuer", &issuer)?,
                reference,
                date,
                model: model.map(|m| rid("--model", &m)).transpose()?,
                udi_di,
                lots,
                serials,
                serial_ranges: serial_ranges
                    .iter()
                    .map(|r| serial_range(r))
                    .collect::<Result<_, _>>()?,
                action,
            };
            let mut app = open(settings)?;
            svc::record_notice(&mut app, settings.actor.as_str(), notice).map_err(service_error)?;
            println!("recorded field safety notice {id}");
            Ok(Outcome::Clean)
        }
        RecallCommand::Search { term, format } => {
            let app = open(settings)?;
            let found =
                svc::search_notices(&app, term.as_deref().unwrap_or("")).map_err(service_error)?;
            let header = ["id", "reference", "date", "issuer", "model", "action"];
            let rows: Vec<Vec<String>> = found
                .iter()
                .map(|n| {
                    vec![
                        n.id.to_string(),
                        n.reference.clone(),
                        n.date.to_string(),
                        n.issuer.to_string(),
                        n.model
                            .as_ref()
                            .map(ToString::to_string)
                            .unwrap_or_default(),
                        n.action.clone(),
                    ]
                })
                .collect();
            emit(format, &found, &header, &rows)
        }
        RecallCommand::Show { id, format } => {
            let app = open(settings)?;
            let report = svc::notice_report(&app, &rid("id", &id)?).map_err(service_error)?;
            if format == Format::Table {
                println!(
                    "{} {} ({}): {} to act on, {} done, {} in progress, {} without an order",
                    report.notice.id,
                    report.notice.reference,
                    report.notice.date,
                    report.to_act,
                    report.done,
                    report.in_progress,
                    report.without_order
                );
            }
            let header = [
                "asset",
                "inventory_tag",
                "facility",
                "serial",
                "lot",
                "state",
                "match",
                "work_order",
                "status",
            ];
            let rows: Vec<Vec<String>> = report
                .affected
                .iter()
                .map(|a| {
                    vec![
                        a.asset.to_string(),
                        a.inventory_tag.clone(),
                        a.facility.to_string(),
                        a.serial.clone().unwrap_or_default(),
                        a.lot.clone().unwrap_or_default(),
                        a.state.map(|s| s.as_str()).unwrap_or_default().to_string(),
                        a.matched.as_str().to_string(),
                        a.work_order
                            .as_ref()
                            .map(ToString::to_string)
                            .unwrap_or_default(),
                        a.work_order_status
                            .map(|s| s.as_str())
                            .unwrap_or_default()
                            .to_string(),
                    ]
                })
                .collect();
            emit(format, &report, &header, &rows)
        }
        RecallCommand::Orders { id, at } => {
            let at = time("at", at.as_ref())?;
            let id = rid("id", &id)?;
            let mut app = open(settings)?;
            let q = queries(settings)?;
            let opened = svc::open_recall_orders(
                &mut app,
                HistorySource::Indexed(&q),
                settings.actor.as_str(),
                &id,
                at,
            )
            .map_err(service_error)?;
            for w in &opened {
                println!("opened work order {w}");
            }
            println!("{} recall-action orders opened", opened.len());
            Ok(Outcome::Clean)
        }
    }
}
