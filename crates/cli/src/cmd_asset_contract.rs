//! `aidtrace asset contract …` (service contracts and warranties: add, list, alerts, migrate) and
//! `aidtrace asset part …` (spare parts per model: add, list, move, stock, alerts).

use aidtrace_domain::Money;
use aidtrace_domain::assets::ContractKind;
use aidtrace_domain::assets::contract::{Contract, CoveredHours, Day, SlaStatus};
use aidtrace_domain::assets::parts::{
    PartMinimum, PartMovement, PartMovementKind, SparePart, StockLine,
};
use aidtrace_service::assets::contracts::{self, ContractFilter, ContractRow};
use aidtrace_service::assets::parts;
use chrono::{NaiveDate, NaiveDateTime};
use clap::{Args, Subcommand};
use rust_decimal::Decimal;

use crate::cmd_asset::{currency, emit, open, rid, time, value};
use crate::config::Settings;
use crate::error::{CliError, CliResult, Outcome, service_error};
use crate::output::Format;

#[derive(Debug, Subcommand)]
pub enum ContractCommand {
    /// Add a service contract or warranty (listed assets, or a model at a facility)
    Add(Box<ContractAdd>),
    /// Contracts with their standing, covered assets and service-level checks
    List {
        #[arg(long)]
        facility: Option<String>,
        #[arg(long)]
        asset: Option<String>,
        /// The day to judge standing on [default: today]
        #[arg(long)]
        today: Option<NaiveDate>,
        /// Warning horizon in days
        #[arg(long, default_value_t = contracts::DEFAULT_ALERT_DAYS)]
        within: u32,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Contracts ending within the horizon, or expired with assets still in service (exit 1 when
    /// any)
    Alerts {
        #[arg(long)]
        facility: Option<String>,
        #[arg(long)]
        today: Option<NaiveDate>,
        #[arg(long, default_value_t = contracts::DEFAULT_ALERT_DAYS)]
        within: u32,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Move the contracts asset records carry into contract records (one truth); idempotent
    Migrate {
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Args)]
pub struct ContractAdd {
    #[arg(long)]
    id: String,
    /// The vendor organisation
    #[arg(long)]
    vendor: String,
    /// warranty, full_service, preventive_only, time_and_materials, parts_only
    #[arg(long)]
    kind: String,
    /// An asset covered (repeat for several)
    #[arg(long = "asset")]
    assets: Vec<String>,
    /// With --facility: every asset of this model there
    #[arg(long)]
    model: Option<String>,
    #[arg(long)]
    facility: Option<String>,
    /// First day covered
    #[arg(long)]
    start: NaiveDate,
    /// Last day covered
    #[arg(long)]
    end: NaiveDate,
    /// Yearly price (with --currency)
    #[arg(long)]
    annual_cost: Option<Decimal>,
    #[arg(long)]
    currency: Option<String>,
    /// Guaranteed response time in hours
    #[arg(long)]
    response_hours: Option<u32>,
    /// Guaranteed uptime in percent
    #[arg(long)]
    uptime_pct: Option<Decimal>,
    /// Covered hours, e.g. 8-18
    #[arg(long)]
    hours: Option<String>,
    /// Covered days, e.g. mon,tue,wed,thu,fri [default with --hours: mon–fri]
    #[arg(long, value_delimiter = ',')]
    days: Vec<String>,
    #[arg(long)]
    reference: Option<String>,
    #[arg(long)]
    note: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum PartCommand {
    /// Add a spare part or consumable of a device model to the catalogue
    Add {
        #[arg(long)]
        id: String,
        #[arg(long)]
        model: String,
        #[arg(long)]
        number: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        unit: String,
        #[arg(long)]
        consumable: bool,
        /// Minimum level at a facility, FACILITY=QUANTITY (repeat)
        #[arg(long = "min")]
        minimums: Vec<String>,
    },
    /// The catalogue
    List {
        #[arg(long)]
        model: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Record a movement: receipt, consumption (with --work-order) or adjustment (signed)
    Move {
        part: String,
        #[arg(long)]
        facility: String,
        #[arg(long)]
        kind: String,
        #[arg(long, allow_hyphen_values = true)]
        quantity: i64,
        #[arg(long)]
        work_order: Option<String>,
        #[arg(long)]
        at: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// Stock on hand per part and facility, from the movements
    Stock {
        #[arg(long)]
        facility: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Parts below their facility's minimum level (exit 1 when any)
    Alerts {
        #[arg(long)]
        facility: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

fn noon(today: Option<NaiveDate>) -> Result<NaiveDateTime, CliError> {
    match today {
        // The end of that day: standing is judged on the whole day.
        Some(d) => d
            .and_hms_opt(23, 59, 59)
            .ok_or_else(|| CliError::input("--today: no such day")),
        None => time("today", None),
    }
}

fn covered_hours(
    hours: Option<&String>,
    days: &[String],
) -> Result<Option<CoveredHours>, CliError> {
    let Some(raw) = hours else {
        if days.is_empty() {
            return Ok(None);
        }
        return Err(CliError::input("--days needs --hours"));
    };
    let bad = || CliError::input(format!("--hours {raw:?}: expected FROM-TO, e.g. 8-18"));
    let (a, b) = raw.split_once('-').ok_or_else(bad)?;
    let from_hour: u8 = a.trim().parse().map_err(|_| bad())?;
    let to_hour: u8 = b.trim().parse().map_err(|_| bad())?;
    let days: Vec<Day> = if days.is_empty() {
        vec![Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri]
    } else {
        days.iter()
            .map(|d| value("days", d))
            .collect::<Result<_, _>>()?
    };
    Ok(Some(CoveredHours {
        from_hour,
        to_hour,
        days,
    }))
}

fn status(s: SlaStatus) -> &'static str {
    s.into()
}

fn dec(v: Option<Decimal>) -> String {
    v.map(|d| d.to_string()).unwrap_or_default()
}

pub(crate) fn contract(c: ContractCommand, settings: &Settings) -> CliResult {
    let actor = settings.actor.as_str();
    match c {
        ContractCommand::Add(a) => {
            let a = *a;
            let kind: ContractKind = value("kind", &a.kind)?;
            let annual_cost = match (a.annual_cost, &a.currency) {
                (Some(amount), Some(code)) => Some(Money {
                    amount,
                    currency: currency(code)?,
                    value_date: None,
                }),
                (Some(_), None) => return Err(CliError::input("--annual-cost needs --currency")),
                (None, _) => None,
            };
            let c = Contract {
                id: rid("--id", &a.id)?,
                vendor: Some(rid("--vendor", &a.vendor)?),
                kind,
                assets: a
                    .assets
                    .iter()
                    .map(|x| rid("--asset", x))
                    .collect::<Result<_, _>>()?,
                model: a.model.as_deref().map(|m| rid("--model", m)).transpose()?,
                facility: a
                    .facility
                    .as_deref()
                    .map(|f| rid("--facility", f))
                    .transpose()?,
                start: a.start,
                end: a.end,
                annual_cost,
                response_hours: a.response_hours,
                uptime_pct: a.uptime_pct,
                covered_hours: covered_hours(a.hours.as_ref(), &a.days)?,
                reference: a.reference,
                note: a.note,
                sources: vec![],
            };
            let id = c.id.clone();
            let mut app = open(settings)?;
            contracts::add_contract(&mut app, actor, c).map_err(service_error)?;
            println!("added contract {id}");
            Ok(Outcome::Clean)
        }
        ContractCommand::List {
            facility,
            asset,
            today,
            within,
            format,
        } => list(settings, facility, asset, today, within, false, format),
        ContractCommand::Alerts {
            facility,
            today,
            within,
            format,
        } => list(settings, facility, None, today, within, true, format),
        ContractCommand::Migrate { dry_run } => {
            let mut app = open(settings)?;
            let moved =
                contracts::migrate_embedded(&mut app, actor, dry_run).map_err(service_error)?;
            for m in &moved {
                println!("asset {}: contract {}", m.asset, m.contract);
            }
            match (moved.len(), dry_run) {
                (0, _) => println!("no asset record carries contracts; nothing to move"),
                (n, true) => println!("{n} contract(s) would be moved (dry run)"),
                (n, false) => println!("{n} contract(s) moved into contract records"),
            }
            Ok(Outcome::Clean)
        }
    }
}

fn list(
    settings: &Settings,
    facility: Option<String>,
    asset: Option<String>,
    today: Option<NaiveDate>,
    within: u32,
    alerts_only: bool,
    format: Format,
) -> CliResult {
    let filter = ContractFilter {
        facility: facility
            .as_deref()
            .map(|f| rid("--facility", f))
            .transpose()?,
        asset: asset.as_deref().map(|a| rid("--asset", a)).transpose()?,
        alerts_only,
        within_days: Some(within),
    };
    let now = noon(today)?;
    let app = open(settings)?;
    let rows = contracts::contracts(&app, &filter, now).map_err(service_error)?;
    let header = [
        "id",
        "vendor",
        "kind",
        "start",
        "end",
        "standing",
        "alert",
        "assets",
        "in service",
        "annual cost",
        "response",
        "response h (worst / guaranteed)",
        "uptime",
        "uptime % (measured / guaranteed)",
    ];
    let table: Vec<Vec<String>> = rows.iter().map(row).collect();
    emit(format, &rows, &header, &table)?;
    Ok(if alerts_only && !rows.is_empty() {
        Outcome::ProblemsFound
    } else {
        Outcome::Clean
    })
}

fn row(r: &ContractRow) -> Vec<String> {
    let c = &r.contract;
    let kind: &str = c.kind.into();
    let standing: &str = r.standing.into();
    vec![
        c.id.to_string(),
        c.vendor
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        kind.to_string(),
        c.start.to_string(),
        c.end.to_string(),
        standing.to_string(),
        if r.alert { "yes" } else { "" }.to_string(),
        r.assets
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" "),
        r.in_service.to_string(),
        c.annual_cost
            .as_ref()
            .map(|m| format!("{} {}", m.amount, m.currency))
            .unwrap_or_default(),
        status(r.response.status).to_string(),
        format!(
            "{} / {}",
            dec(r.response.worst_hours),
            r.response
                .guaranteed_hours
                .map(|h| h.to_string())
                .unwrap_or_default()
        ),
        status(r.uptime.status).to_string(),
        format!(
            "{} / {}",
            dec(r.uptime.measured_pct),
            dec(r.uptime.guaranteed_pct)
        ),
    ]
}

fn stock_rows(lines: &[StockLine]) -> Vec<Vec<String>> {
    lines
        .iter()
        .map(|l| {
            vec![
                l.facility.to_string(),
                l.part.to_string(),
                l.part_number.clone(),
                l.name.clone(),
                l.on_hand.to_string(),
                l.unit.clone(),
                l.minimum.map(|m| m.to_string()).unwrap_or_default(),
                if l.below_minimum { "below minimum" } else { "" }.to_string(),
            ]
        })
        .collect()
}

const STOCK_HEADER: [&str; 8] = [
    "facility",
    "part",
    "part number",
    "name",
    "on hand",
    "unit",
    "minimum",
    "alert",
];

pub(crate) fn part(c: PartCommand, settings: &Settings) -> CliResult {
    let actor = settings.actor.as_str();
    match c {
        PartCommand::Add {
            id,
            model,
            number,
            name,
            unit,
            consumable,
            minimums,
        } => {
            let minimums = minimums
                .iter()
                .map(|raw| {
                    let bad =
                        || CliError::input(format!("--min {raw:?}: expected FACILITY=QUANTITY"));
                    let (f, q) = raw.split_once('=').ok_or_else(bad)?;
                    Ok(PartMinimum {
                        facility: rid("--min", f.trim())?,
                        quantity: q.trim().parse().map_err(|_| bad())?,
                    })
                })
                .collect::<Result<Vec<_>, CliError>>()?;
            let p = SparePart {
                id: rid("--id", &id)?,
                model: rid("--model", &model)?,
                part_number: number,
                name,
                unit,
                consumable,
                minimums,
                note: None,
                sources: vec![],
            };
            let mut app = open(settings)?;
            parts::add_part(&mut app, actor, p).map_err(service_error)?;
            println!("added part {id}");
            Ok(Outcome::Clean)
        }
        PartCommand::List { model, format } => {
            let app = open(settings)?;
            let model = model.as_deref().map(|m| rid("--model", m)).transpose()?;
            let list = parts::catalogue(&app, model.as_ref()).map_err(service_error)?;
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|p| {
                    vec![
                        p.id.to_string(),
                        p.model.to_string(),
                        p.part_number.clone(),
                        p.name.clone(),
                        p.unit.clone(),
                        if p.consumable { "yes" } else { "" }.to_string(),
                        p.minimums
                            .iter()
                            .map(|m| format!("{}={}", m.facility, m.quantity))
                            .collect::<Vec<_>>()
                            .join(" "),
                    ]
                })
                .collect();
            let header = [
                "id",
                "model",
                "part number",
                "name",
                "unit",
                "consumable",
                "minimums",
            ];
            emit(format, &list, &header, &rows)?;
            Ok(Outcome::Clean)
        }
        PartCommand::Move {
            part,
            facility,
            kind,
            quantity,
            work_order,
            at,
            note,
        } => {
            let kind: PartMovementKind = value("kind", &kind)?;
            let part = rid("part", &part)?;
            let at = time("at", at.as_ref())?;
            let mut app = open(settings)?;
            let id = parts::movement_id(&app, &part, at).map_err(service_error)?;
            let m = PartMovement {
                id: id.clone(),
                part,
                facility: rid("--facility", &facility)?,
                at,
                kind,
                quantity,
                work_order: work_order
                    .as_deref()
                    .map(|w| rid("--work-order", w))
                    .transpose()?,
                note,
            };
            parts::record_movement(&mut app, actor, m).map_err(service_error)?;
            println!("recorded movement {id}");
            Ok(Outcome::Clean)
        }
        PartCommand::Stock { facility, format } => {
            let app = open(settings)?;
            let facility = facility
                .as_deref()
                .map(|f| rid("--facility", f))
                .transpose()?;
            let lines = parts::stock(&app, facility.as_ref()).map_err(service_error)?;
            emit(format, &lines, &STOCK_HEADER, &stock_rows(&lines))?;
            Ok(Outcome::Clean)
        }
        PartCommand::Alerts { facility, format } => {
            let app = open(settings)?;
            let facility = facility
                .as_deref()
                .map(|f| rid("--facility", f))
                .transpose()?;
            let lines = parts::alerts(&app, facility.as_ref()).map_err(service_error)?;
            emit(format, &lines, &STOCK_HEADER, &stock_rows(&lines))?;
            Ok(if lines.is_empty() {
                Outcome::Clean
            } else {
                Outcome::ProblemsFound
            })
        }
    }
}
