//! The ledger commands: demo data, loading records, reports, checks, rates, audit, backup.

use std::path::{Path, PathBuf};

use aidtrace_domain::checks::Finding;
use aidtrace_domain::fx::IMF_ATTRIBUTION;
use aidtrace_domain::fx::coverage::CoverageRow;
use aidtrace_domain::totals::{GroupBy, Sum, TotalsReport};
use aidtrace_domain::{CurrencyCode, Money, RecordId, RecordKind};
use aidtrace_service::Aidtrace;
use chrono::NaiveDate;
use clap::{Subcommand, ValueEnum};
use rust_decimal::Decimal;
use serde_json::json;

use crate::config::Settings;
use crate::error::service_error;
use crate::error::{CliError, CliResult, Outcome};
use crate::output::{Format, print_csv, print_json, print_table};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create or refresh the seed scenario (idempotent: a second run changes nothing)
    Demo,
    /// Load records from a JSON file ({"records": [...]}); all or nothing
    Load { file: PathBuf },
    /// Show one record with its change history
    Show {
        /// Record kind: source, organisation, facility, activity, flow, equipment_line, partnership, market_registration, claim
        kind: String,
        id: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// List records of one kind
    List {
        kind: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Reports on the ledger
    #[command(subcommand)]
    Report(ReportCommand),
    /// Data-quality findings (exit 1 when any error or warning is found)
    Check {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Days a dated commitment may go without any disbursement before it is flagged
        /// (LEDGER-UNDISBURSED) [default: 365, or `[checks] undisbursed_days`]
        #[arg(long, env = "AIDTRACE_UNDISBURSED_DAYS")]
        undisbursed_days: Option<u32>,
    },
    /// Exchange rates
    #[command(subcommand)]
    Fx(FxCommand),
    /// The tamper-evident audit trail
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Write a consistent copy of the database to FILE (never overwrites)
    Backup { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Totals per flow kind, in original currencies and converted, with the rate used, of the
    /// flows the filter keeps (the same filter as the web dashboard and
    /// /api/v1/reports/totals)
    Totals {
        #[arg(long, value_enum)]
        by: By,
        #[command(flatten)]
        // Boxed: the filter flags make this variant much larger than the others.
        filter: Box<crate::filter_args::FilterArgs>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Per region of a country: aid per person (population from its records, with the
    /// source), devices per million, facilities' operating status, ranked, national beside
    Regions {
        /// ISO 3166-1 alpha-2 code of the country
        #[arg(long)]
        country: String,
        /// The flow kind regions are ranked by
        #[arg(long, default_value = "disbursement")]
        kind: String,
        #[arg(long, default_value = "USD")]
        currency: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum By {
    Donor,
    Recipient,
    Region,
    Sector,
    Year,
    Facility,
}

impl From<By> for GroupBy {
    fn from(b: By) -> Self {
        match b {
            By::Donor => Self::Donor,
            By::Recipient => Self::Recipient,
            By::Region => Self::Region,
            By::Sector => Self::Sector,
            By::Year => Self::Year,
            By::Facility => Self::Facility,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum FxCommand {
    /// Convert an amount at the rate of a date, showing the rate and its source
    Convert {
        /// Taken as given (negative numbers too) so a bad amount gets our message, not clap's.
        #[arg(allow_hyphen_values = true)]
        amount: String,
        currency: String,
        #[arg(long)]
        to: String,
        #[arg(long)]
        date: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Import rates from a CSV in the IMF form: Date,Rate,Currency,Frequency(A|M|D),Source
    /// (or the IMF monthly SDR table in IATI.cloud's JSON form); all rows or none, audited
    Import { file: PathBuf },
    /// First and last date per currency and source of the rates in use (built-in and imported)
    Coverage {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain and compare it with the data (exit 1 on any problem)
    Verify {
        /// The head hash recorded earlier, to detect a rewrite of the whole chain
        #[arg(long)]
        expect_head: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

fn open(settings: &Settings) -> Result<Aidtrace, CliError> {
    Aidtrace::open(&settings.db).map_err(service_error)
}

fn read_file(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|e| CliError::input(format!("{}: {e}", path.display())))
}

fn parse_kind(raw: &str) -> Result<RecordKind, CliError> {
    RecordKind::parse(raw).ok_or_else(|| {
        let kinds: Vec<&str> = RecordKind::ALL.iter().map(|k| k.as_str()).collect();
        CliError::input(format!(
            "kind = {raw:?}: expected one of {}",
            kinds.join(", ")
        ))
    })
}

fn parse_id(raw: &str) -> Result<RecordId, CliError> {
    RecordId::parse(raw).map_err(|e| CliError::input(e.to_string()))
}

pub fn run(command: Command, settings: &Settings) -> CliResult {
    match command {
        Command::Demo => {
            let mut app = open(settings)?;
            let report = app.load_demo(&settings.actor).map_err(service_error)?;
            println!(
                "seed scenario in {}: {} created, {} updated, {} unchanged",
                &settings.db, report.created, report.updated, report.unchanged
            );
            Ok(Outcome::Clean)
        }
        Command::Load { file } => {
            let text = read_file(&file)?;
            let mut app = open(settings)?;
            let report = app
                .load_json(&settings.actor, &text)
                .map_err(service_error)?;
            println!(
                "{}: {} created, {} updated, {} unchanged",
                file.display(),
                report.created,
                report.updated,
                report.unchanged
            );
            Ok(Outcome::Clean)
        }
        Command::Show { kind, id, format } => show(settings, &kind, &id, format),
        Command::List { kind, format } => list(settings, &kind, format),
        Command::Report(ReportCommand::Totals { by, filter, format }) => {
            let filter = filter.parse()?;
            let app = open(settings)?;
            let report = app
                .totals_where(by.into(), &filter)
                .map_err(service_error)?;
            print_totals(&report, format)?;
            Ok(Outcome::Clean)
        }
        Command::Report(ReportCommand::Regions {
            country,
            kind,
            currency,
            format,
        }) => crate::cmd_report::regions(settings, &country, &kind, &currency, format),
        Command::Check {
            format,
            undisbursed_days,
        } => {
            let days = settings.undisbursed_days(undisbursed_days)?;
            let app = open(settings)?;
            let findings = app.check_with(days).map_err(service_error)?;
            print_findings(&findings, format)?;
            Ok(if findings.iter().any(|f| f.severity.is_problem()) {
                Outcome::ProblemsFound
            } else {
                Outcome::Clean
            })
        }
        Command::Fx(FxCommand::Convert {
            amount,
            currency,
            to,
            date,
            format,
        }) => convert(settings, &amount, &currency, &to, &date, format),
        Command::Fx(FxCommand::Coverage { format }) => {
            let app = open(settings)?;
            let rows = app.rate_coverage().map_err(service_error)?;
            print_coverage(&rows, format)?;
            Ok(Outcome::Clean)
        }
        Command::Fx(FxCommand::Import { file }) => {
            let text = read_file(&file)?;
            let mut app = open(settings)?;
            let report = app
                .import_rates(&settings.actor, &text)
                .map_err(service_error)?;
            println!(
                "{}: {} rates added, {} replaced, {} unchanged",
                file.display(),
                report.created,
                report.updated,
                report.unchanged
            );
            Ok(Outcome::Clean)
        }
        Command::Audit(AuditCommand::Verify {
            expect_head,
            format,
        }) => {
            let app = open(settings)?;
            let mut v = app.verify_audit().map_err(service_error)?;
            if let Some(expected) = expect_head
                && expected != v.head
            {
                v.problems.push(format!(
                    "head is {} but {expected} was expected (the chain was rewritten)",
                    v.head
                ));
            }
            match format {
                Format::Json => print_json(
                    &json!({"ok": v.ok(), "entries": v.entries, "head": v.head, "problems": v.problems}),
                )?,
                Format::Csv => print_csv(
                    &["problem"],
                    &v.problems
                        .iter()
                        .map(|p| vec![p.clone()])
                        .collect::<Vec<_>>(),
                )?,
                Format::Table => {
                    println!("{} audit entries; head {}", v.entries, v.head);
                    for p in &v.problems {
                        println!("problem: {p}");
                    }
                    println!(
                        "{}",
                        if v.ok() {
                            "audit trail verified"
                        } else {
                            "AUDIT TRAIL BROKEN"
                        }
                    );
                }
            }
            Ok(if v.ok() {
                Outcome::Clean
            } else {
                Outcome::ProblemsFound
            })
        }
        Command::Backup { file } => {
            let app = open(settings)?;
            app.backup(&file).map_err(service_error)?;
            println!("backup written to {}", file.display());
            Ok(Outcome::Clean)
        }
    }
}

fn show(settings: &Settings, kind: &str, id: &str, format: Format) -> CliResult {
    let kind = parse_kind(kind)?;
    let id = parse_id(id)?;
    let app = open(settings)?;
    let record = app
        .store()
        .get(kind, &id)
        .map_err(|e| service_error(e.into()))?
        .ok_or_else(|| CliError::input(format!("{} {id} does not exist", kind.as_str())))?;
    let history = app.history(kind, &id).map_err(service_error)?;
    match format {
        Format::Json => print_json(&json!({"record": record, "history": history}))?,
        Format::Table | Format::Csv => {
            let text = serde_json::to_string_pretty(&record)
                .map_err(|e| CliError::failure(e.to_string()))?;
            println!("{text}");
            let rows: Vec<Vec<String>> = history
                .iter()
                .map(|e| {
                    vec![
                        e.seq.to_string(),
                        e.at.clone(),
                        e.actor.clone(),
                        e.action.clone(),
                    ]
                })
                .collect();
            print_table(&["seq", "at", "actor", "action"], &rows);
        }
    }
    Ok(Outcome::Clean)
}

fn list(settings: &Settings, kind: &str, format: Format) -> CliResult {
    let kind = parse_kind(kind)?;
    let app = open(settings)?;
    let records = app
        .store()
        .list(kind)
        .map_err(|e| service_error(e.into()))?;
    match format {
        Format::Json => print_json(&records)?,
        _ => {
            let rows: Vec<Vec<String>> = records
                .iter()
                .map(|r| {
                    let v = serde_json::to_value(r).unwrap_or_default();
                    let name = ["name", "title", "description", "statement"]
                        .iter()
                        .find_map(|k| v.get(*k).and_then(|x| x.as_str()))
                        .unwrap_or("")
                        .to_string();
                    vec![r.id().to_string(), name]
                })
                .collect();
            if format == Format::Csv {
                print_csv(&["id", "name"], &rows)?;
            } else {
                print_table(&["id", "name"], &rows);
            }
        }
    }
    Ok(Outcome::Clean)
}

fn decimal_text(d: Decimal) -> String {
    d.normalize().to_string()
}

fn print_totals(report: &TotalsReport, format: Format) -> Result<(), CliError> {
    if format == Format::Json {
        return print_json(report);
    }
    let converted_header = format!("converted ({})", report.currency);
    let header = [
        report.by.as_str(),
        "kind",
        "original",
        converted_header.as_str(),
        "flows",
        "rates used",
    ];
    let rows: Vec<Vec<String>> = report
        .rows
        .iter()
        .map(|r| {
            let original: Vec<String> = r
                .original
                .iter()
                .map(|(c, v)| match v {
                    Sum::Exact(d) => format!("{} {c}", decimal_text(*d)),
                    overflow => format!("{overflow} {c}"),
                })
                .collect();
            // An overflowed sum prints as "overflow", never as a number.
            let mut converted = match (r.converted, r.converted_complete) {
                (Some(Sum::Overflow), _) => {
                    "overflow (see `aidtrace check`, rule LEDGER-OVERFLOW)".to_string()
                }
                (Some(Sum::Exact(v)), true) => decimal_text(v),
                (Some(Sum::Exact(v)), false) => format!(
                    "{} (partial: {} unconverted)",
                    decimal_text(v),
                    r.unconverted.len()
                ),
                (None, _) => "unconverted".to_string(),
            };
            let provisional = r.rates.iter().filter(|u| u.provisional.is_some()).count();
            if provisional > 0 {
                converted.push_str(&format!(
                    " (provisional: {provisional} flow(s) at the latest rate)"
                ));
            }
            let rates: Vec<String> = r
                .rates
                .iter()
                .map(|u| {
                    let mark = u
                        .provisional
                        .map(|d| format!(", provisional: latest rate, of {d}"))
                        .unwrap_or_default();
                    format!(
                        "{}: {} ({}{mark})",
                        u.flow,
                        u.source,
                        u.rate_date_basis.label()
                    )
                })
                .collect();
            vec![
                r.key.clone(),
                r.kind.as_str().to_string(),
                original.join("; "),
                converted,
                r.flows.len().to_string(),
                rates.join("\n"),
            ]
        })
        .collect();
    if format == Format::Csv {
        return print_csv(&header, &rows);
    }
    print_table(&header, &rows);
    for e in &report.excluded {
        println!("not counted: flow {} ({:?})", e.flow, e.why);
    }
    if !report.claims_not_counted.is_empty() {
        let claims: Vec<String> = report
            .claims_not_counted
            .iter()
            .map(ToString::to_string)
            .collect();
        println!("claims, never counted: {}", claims.join(", "));
    }
    println!("rule: {}", report.rule);
    println!("{IMF_ATTRIBUTION}");
    Ok(())
}

fn print_findings(findings: &[Finding], format: Format) -> Result<(), CliError> {
    if format == Format::Json {
        let problems = findings.iter().filter(|f| f.severity.is_problem()).count();
        return print_json(
            &json!({"findings": findings, "problems": problems, "total": findings.len()}),
        );
    }
    let rows: Vec<Vec<String>> = findings
        .iter()
        .map(|f| {
            vec![
                f.rule.to_string(),
                f.severity.as_str().to_string(),
                format!("{} {}", f.record_kind.as_str(), f.record),
                f.message().to_string(),
            ]
        })
        .collect();
    let header = ["rule", "severity", "record", "message"];
    if format == Format::Csv {
        print_csv(&header, &rows)
    } else {
        print_table(&header, &rows);
        Ok(())
    }
}

fn convert(
    settings: &Settings,
    amount: &str,
    currency: &str,
    to: &str,
    date: &str,
    format: Format,
) -> CliResult {
    let amount = aidtrace_domain::money::parse_exact(amount).map_err(|e| {
        CliError::input(format!(
            "AMOUNT: {e}; expected a decimal number such as 108700000 or 68790.50"
        ))
    })?;
    let currency = CurrencyCode::parse(currency).map_err(|e| CliError::input(e.to_string()))?;
    let to = CurrencyCode::parse(to).map_err(|e| CliError::input(format!("--to: {e}")))?;
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map_err(|_| CliError::input(format!("--date = {date:?}: expected YYYY-MM-DD")))?;
    let money =
        Money::new(amount, currency, Some(date)).map_err(|e| CliError::input(e.to_string()))?;
    let app = open(settings)?;
    let conversion = app.convert(&money, &to).map_err(service_error)?;
    match format {
        Format::Json => print_json(&conversion)?,
        Format::Csv => print_csv(
            &[
                "amount",
                "currency",
                "converted",
                "to",
                "rate",
                "rate_date",
                "source",
                "provisional",
            ],
            &[vec![
                decimal_text(money.amount),
                money.currency.to_string(),
                decimal_text(conversion.amount),
                to.to_string(),
                decimal_text(conversion.rate),
                conversion.rate_date.to_string(),
                conversion.source.clone(),
                conversion
                    .provisional
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            ]],
        )?,
        Format::Table => {
            println!(
                "{} {} = {} {}",
                decimal_text(money.amount),
                money.currency,
                decimal_text(conversion.amount),
                to
            );
            println!(
                "rate: {} {to} per {} (rate date {})",
                decimal_text(conversion.rate),
                money.currency,
                conversion.rate_date
            );
            println!("source: {}", conversion.source);
            if let Some(d) = conversion.provisional {
                println!(
                    "provisional: {date} is after the rates available; converted at the latest rate, of {d}"
                );
            }
        }
    }
    Ok(Outcome::Clean)
}

fn print_coverage(rows: &[CoverageRow], format: Format) -> Result<(), CliError> {
    if format == Format::Json {
        return print_json(&json!({"coverage": rows}));
    }
    let header = [
        "currency",
        "source",
        "frequency",
        "origin",
        "first",
        "last",
        "rates",
    ];
    let lines: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.currency.to_string(),
                r.source.clone(),
                r.frequency.as_str().to_string(),
                r.origin.as_str().to_string(),
                r.first.to_string(),
                r.last.to_string(),
                r.rates.to_string(),
            ]
        })
        .collect();
    if format == Format::Csv {
        return print_csv(&header, &lines);
    }
    print_table(&header, &lines);
    println!("a value date after a currency's last date converts provisionally at its latest rate");
    println!("{IMF_ATTRIBUTION}");
    Ok(())
}
