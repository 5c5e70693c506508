//! `aidtrace workorder ack|start` and what `workorder close` records beyond status and cost:
//! result, assignee, labour rate, parts, checklist items and IEC 62353 / calibration readings.

use aidtrace_domain::Money;
use aidtrace_domain::assets::PartUse;
use aidtrace_domain::assets::workorder::{ChecklistItem, Reading, ReadingKind, WorkResult};
use aidtrace_service::assets::{self as svc, HistorySource, Progress, Step, Substance};
use chrono::NaiveDate;
use clap::Args;
use rust_decimal::Decimal;

use crate::cmd_asset::{currency, open, queries, rid, time, value};
use crate::config::Settings;
use crate::error::service_error;
use crate::error::{CliError, CliResult, Outcome};

#[derive(Debug, Args)]
pub struct StepArgs {
    /// Work order id
    pub id: String,
    /// When (default now; a bare date is 00:00 UTC, offsets are converted)
    #[arg(long)]
    pub at: Option<String>,
    /// Who does the work
    #[arg(long)]
    pub assignee: Option<String>,
}

#[derive(Debug, Args)]
pub struct SubstanceArgs {
    /// pass or fail
    #[arg(long)]
    pub result: Option<String>,
    /// Who did the work
    #[arg(long)]
    pub assignee: Option<String>,
    /// Cost of one labour hour in --currency (labour cost = hours × rate)
    #[arg(long, requires = "currency")]
    pub rate: Option<Decimal>,
    /// A part used, "DESCRIPTION:QUANTITY:UNIT_COST" in --currency (repeat for more)
    #[arg(long = "part", requires = "currency")]
    pub parts: Vec<String>,
    /// A checklist item and its result, "ITEM=pass" or "ITEM=fail" (repeat for more)
    #[arg(long = "check")]
    pub checks: Vec<String>,
    /// A reading, "KIND;QUANTITY;VALUE;UNIT;MIN..MAX;INSTRUMENT;CALIBRATED" with KIND
    /// electrical_safety or calibration, either bound may be empty ("..0.3"), CALIBRATED the date
    /// the instrument was last calibrated (repeat for more)
    #[arg(long = "reading")]
    pub readings: Vec<String>,
}

pub fn step(args: StepArgs, step: Step, settings: &Settings) -> CliResult {
    let mut app = open(settings)?;
    let id = rid("id", &args.id)?;
    svc::progress_work_order(
        &mut app,
        HistorySource::Indexed(&queries(settings)?),
        settings.actor.as_str(),
        Progress {
            id: id.clone(),
            step,
            at: time("at", args.at.as_ref())?,
            assignee: args.assignee,
        },
    )
    .map_err(service_error)?;
    let done = match step {
        Step::Acknowledged => "acknowledged",
        Step::Started => "started",
    };
    println!("{done} {id}");
    Ok(Outcome::Clean)
}

fn decimal(field: &str, raw: &str) -> Result<Decimal, CliError> {
    raw.trim()
        .parse()
        .map_err(|_| CliError::input(format!("{field}: {raw:?} is not a number")))
}

fn money(amount: Decimal, currency_code: Option<&str>) -> Result<Money, CliError> {
    let code = currency_code.ok_or_else(|| CliError::input("--currency is needed"))?;
    Ok(Money {
        amount,
        currency: currency(code)?,
        value_date: None,
    })
}

fn part(raw: &str, currency_code: Option<&str>) -> Result<PartUse, CliError> {
    let mut it = raw.rsplitn(3, ':');
    let (Some(cost), Some(qty), Some(description)) = (it.next(), it.next(), it.next()) else {
        return Err(CliError::input(format!(
            "--part {raw:?}: expected DESCRIPTION:QUANTITY:UNIT_COST"
        )));
    };
    let quantity = qty
        .trim()
        .parse()
        .map_err(|_| CliError::input(format!("--part {raw:?}: quantity {qty:?} is not a count")))?;
    Ok(PartUse {
        part: None,
        description: description.trim().to_string(),
        quantity,
        unit_cost: money(decimal("--part", cost)?, currency_code)?,
    })
}

fn check(raw: &str) -> Result<ChecklistItem, CliError> {
    let Some((item, result)) = raw.rsplit_once('=') else {
        return Err(CliError::input(format!(
            "--check {raw:?}: expected ITEM=pass or ITEM=fail"
        )));
    };
    Ok(ChecklistItem {
        item: item.trim().to_string(),
        result: value("check", result)?,
        note: None,
    })
}

fn bound(raw: &str) -> Result<Option<Decimal>, CliError> {
    let raw = raw.trim();
    (!raw.is_empty())
        .then(|| decimal("--reading", raw))
        .transpose()
}

fn reading(raw: &str) -> Result<Reading, CliError> {
    let parts: Vec<&str> = raw.split(';').collect();
    let [
        kind,
        quantity,
        reading_value,
        unit,
        tolerance,
        instrument,
        calibrated,
    ] = parts[..]
    else {
        return Err(CliError::input(format!(
            "--reading {raw:?}: expected KIND;QUANTITY;VALUE;UNIT;MIN..MAX;INSTRUMENT;CALIBRATED"
        )));
    };
    let Some((min, max)) = tolerance.split_once("..") else {
        return Err(CliError::input(format!(
            "--reading {raw:?}: tolerance {tolerance:?} is not MIN..MAX"
        )));
    };
    let kind: ReadingKind = value("reading", kind)?;
    Ok(Reading {
        kind,
        quantity: quantity.trim().to_string(),
        unit: unit.trim().to_string(),
        value: decimal("--reading", reading_value)?,
        min: bound(min)?,
        max: bound(max)?,
        instrument: instrument.trim().to_string(),
        instrument_calibrated: NaiveDate::parse_from_str(calibrated.trim(), "%Y-%m-%d").map_err(
            |_| CliError::input(format!("--reading {raw:?}: {calibrated:?} is not a date")),
        )?,
    })
}

/// What `workorder close` records beyond status and cost; every refusal names the option and
/// the value.
pub fn substance(args: SubstanceArgs, currency_code: Option<&str>) -> Result<Substance, CliError> {
    let result: Option<WorkResult> = args
        .result
        .as_deref()
        .map(|r| value("result", r))
        .transpose()?;
    Ok(Substance {
        result,
        assignee: args.assignee,
        labour_rate: args.rate.map(|r| money(r, currency_code)).transpose()?,
        parts: args
            .parts
            .iter()
            .map(|p| part(p, currency_code))
            .collect::<Result<_, _>>()?,
        checklist: args
            .checks
            .iter()
            .map(|c| check(c))
            .collect::<Result<_, _>>()?,
        readings: args
            .readings
            .iter()
            .map(|r| reading(r))
            .collect::<Result<_, _>>()?,
    })
}
