//! `aidtrace medicine …`: donated medicines and supplies, from the packing list to the shelf.

use std::path::PathBuf;

use aidtrace_domain::coded::Coded;
use aidtrace_domain::medicines::guidelines::{Finding, GuidelineConfig};
use aidtrace_domain::medicines::{Consignment, DecisionOutcome, MovementKind};
use aidtrace_domain::{CountryCode, Record, RecordId};
use aidtrace_service::medicines::{self as svc, NewMovement, PackingFormat};
use aidtrace_service::{Aidtrace, fhir_medicines};
use chrono::NaiveDate;
use clap::{Subcommand, ValueEnum};

use crate::config::Settings;
use crate::error::{CliError, CliResult, Outcome, service_error};
use crate::output::{Format, print_csv, print_json, print_table};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load medicine records (products, essential-medicines entries…) from a JSON records file;
    /// all or nothing
    Load { file: PathBuf },
    /// Import an essential medicines list (CSV: inn, dosage_form, strength) citing its source
    Essential {
        file: PathBuf,
        /// The source record the list comes from
        #[arg(long)]
        source: String,
        /// The country whose national list it is (omit for the WHO Model List)
        #[arg(long)]
        country: Option<String>,
    },
    /// Record a consignment: its header as JSON (a consignment without lines) and its packing
    /// list as CSV or XLSX (first sheet; columns product, quantity, lot, expiry, manufactured,
    /// unit_value, label_languages, inn_on_label, serial, gs1); prints the guideline findings
    Consignment {
        #[arg(long)]
        header: PathBuf,
        /// The packing list: `.xlsx` is read as a workbook, anything else as CSV
        #[arg(long)]
        packing: PathBuf,
        /// Preview: print the lines read and the findings, write nothing
        #[arg(long)]
        dry_run: bool,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// The WHO donation-guideline findings on a consignment (exit 1 when there are any)
    Check {
        consignment: String,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Accept, accept in part (with --lines) or reject a consignment; accepted lines are received
    /// at its destination
    Decide {
        consignment: String,
        #[arg(long, value_enum)]
        outcome: OutcomeArg,
        /// Packing-line numbers accepted (from 0), comma separated
        #[arg(long, value_delimiter = ',')]
        lines: Vec<usize>,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Record a movement of one lot: distribution (--from, --to), use, loss, expiry or
    /// destruction (--from)
    Move {
        consignment: String,
        #[arg(long, value_enum)]
        kind: KindArg,
        #[arg(long)]
        product: String,
        #[arg(long)]
        lot: String,
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        quantity: u64,
        /// YYYY-MM-DD [default: today]
        #[arg(long)]
        date: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// Stock on hand by facility and lot with its expiry band (30/90/180 days, expired)
    Stock {
        #[arg(long)]
        facility: Option<String>,
        #[arg(long)]
        donor: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// What became of what a donor sent: received, distributed, used, lost, expired, destroyed,
    /// on hand, by lot
    Donor {
        donor: String,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Write FHIR R4 collection Bundles of Medication (products and lots) and SupplyDelivery
    /// (packing lines and distributions) into a folder
    Fhir {
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OutcomeArg {
    Accept,
    AcceptInPart,
    Reject,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    Distribution,
    Use,
    Loss,
    Expiry,
    Destruction,
}

fn open(settings: &Settings) -> Result<Aidtrace, CliError> {
    Aidtrace::open(&settings.db).map_err(service_error)
}

fn rid(field: &str, raw: &str) -> Result<RecordId, CliError> {
    RecordId::parse(raw).map_err(|e| CliError::input(format!("{field}: {e}")))
}

fn read(path: &PathBuf) -> Result<String, CliError> {
    std::fs::read_to_string(path)
        .map_err(|e| CliError::input(format!("cannot read {}: {e}", path.display())))
}

fn findings_out(findings: &[Finding], format: Format) -> CliResult {
    let header = ["rule", "severity", "line", "message"];
    let rows: Vec<Vec<String>> = findings
        .iter()
        .map(|f| {
            vec![
                f.rule.id().to_string(),
                f.severity.code().to_string(),
                f.line.map(|l| l.to_string()).unwrap_or_default(),
                f.english(),
            ]
        })
        .collect();
    match format {
        Format::Table => print_table(&header, &rows),
        Format::Csv => print_csv(&header, &rows)?,
        Format::Json => {
            let out: Vec<serde_json::Value> = findings
                .iter()
                .map(|f| {
                    serde_json::json!({
                        "rule": f.rule.id(),
                        "severity": f.severity.code(),
                        "line": f.line,
                        "message_id": f.message_id,
                        "args": f.args.iter().map(|(k, v)| (k.to_string(), v.clone())).collect::<std::collections::BTreeMap<_, _>>(),
                        "message": f.english(),
                    })
                })
                .collect();
            print_json(&out)?;
        }
    }
    Ok(if findings.is_empty() {
        Outcome::Clean
    } else {
        Outcome::ProblemsFound
    })
}

/// The lines a packing list gave, each with the rule ids of its findings, then the findings.
fn preview_out(preview: &svc::ConsignmentPreview, format: Format) -> CliResult {
    if format == Format::Json {
        print_json(preview)?;
        return Ok(if preview.findings.is_empty() {
            Outcome::Clean
        } else {
            Outcome::ProblemsFound
        });
    }
    let header = [
        "line",
        "product",
        "lot",
        "expiry",
        "quantity",
        "unit_value",
        "findings",
    ];
    let rows: Vec<Vec<String>> = preview
        .consignment
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let rules: Vec<&str> = preview
                .findings
                .iter()
                .filter(|f| f.line == Some(i))
                .map(|f| f.rule.id())
                .collect();
            vec![
                i.to_string(),
                l.product.to_string(),
                l.lot.clone(),
                l.expiry.to_string(),
                l.quantity.to_string(),
                l.unit_value.map(|v| v.to_string()).unwrap_or_default(),
                rules.join(" "),
            ]
        })
        .collect();
    if format == Format::Csv {
        print_csv(&header, &rows)?;
        return Ok(if preview.findings.is_empty() {
            Outcome::Clean
        } else {
            Outcome::ProblemsFound
        });
    }
    print_table(&header, &rows);
    findings_out(&preview.findings, format)
}

pub fn run(command: Command, settings: &Settings) -> CliResult {
    let actor = settings.actor.as_str();
    match command {
        Command::Load { file } => {
            let mut app = open(settings)?;
            let report = app.load_json(actor, &read(&file)?).map_err(service_error)?;
            println!("{} records changed", report.changed());
            Ok(Outcome::Clean)
        }
        Command::Essential {
            file,
            source,
            country,
        } => {
            let mut app = open(settings)?;
            let country = country
                .map(|c| {
                    CountryCode::parse(&c).map_err(|e| CliError::input(format!("--country: {e}")))
                })
                .transpose()?;
            let entries =
                svc::parse_essential_list(&read(&file)?, &rid("--source", &source)?, country)
                    .map_err(|errors| {
                        CliError::input(
                            errors
                                .iter()
                                .map(ToString::to_string)
                                .collect::<Vec<_>>()
                                .join("\n"),
                        )
                    })?;
            let records: Vec<Record> = entries.into_iter().map(Record::EssentialMedicine).collect();
            let report = app.put(actor, records).map_err(service_error)?;
            println!("{} records changed", report.changed());
            Ok(Outcome::Clean)
        }
        Command::Consignment {
            header,
            packing,
            dry_run,
            format,
        } => {
            let mut app = open(settings)?;
            let mut value: serde_json::Value = serde_json::from_str(&read(&header)?)
                .map_err(|e| CliError::input(format!("--header: not valid JSON: {e}")))?;
            if let Some(obj) = value.as_object_mut() {
                obj.remove("record");
                obj.entry("lines").or_insert_with(|| serde_json::json!([]));
            }
            let consignment: Consignment = serde_json::from_value(value)
                .map_err(|e| CliError::input(format!("--header: {e}")))?;
            let bytes = std::fs::read(&packing)
                .map_err(|e| CliError::input(format!("cannot read {}: {e}", packing.display())))?;
            let packing_format = PackingFormat::detect(&packing.to_string_lossy(), &bytes);
            if dry_run {
                let preview = svc::preview_consignment(&app, consignment, &bytes, packing_format)
                    .map_err(service_error)?;
                eprintln!(
                    "preview of {} lines, nothing recorded (--dry-run)",
                    preview.consignment.lines.len()
                );
                return preview_out(&preview, format);
            }
            let findings =
                svc::record_consignment_from(&mut app, actor, consignment, &bytes, packing_format)
                    .map_err(service_error)?;
            findings_out(&findings, format)
        }
        Command::Check {
            consignment,
            format,
        } => {
            let app = open(settings)?;
            let findings = svc::check_consignment(
                &app,
                &rid("consignment", &consignment)?,
                &GuidelineConfig::default(),
            )
            .map_err(service_error)?;
            findings_out(&findings, format)
        }
        Command::Decide {
            consignment,
            outcome,
            lines,
            reason,
        } => {
            let mut app = open(settings)?;
            let outcome = match outcome {
                OutcomeArg::Accept => DecisionOutcome::Accept,
                OutcomeArg::AcceptInPart => DecisionOutcome::AcceptInPart,
                OutcomeArg::Reject => DecisionOutcome::Reject,
            };
            let id = svc::decide(
                &mut app,
                actor,
                &rid("consignment", &consignment)?,
                outcome,
                lines,
                reason,
            )
            .map_err(service_error)?;
            println!("recorded decision {id}");
            Ok(Outcome::Clean)
        }
        Command::Move {
            consignment,
            kind,
            product,
            lot,
            from,
            to,
            quantity,
            date,
            note,
        } => {
            let mut app = open(settings)?;
            let date = match date {
                Some(d) => NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                    .map_err(|_| CliError::input(format!("--date {d:?}: a date is YYYY-MM-DD")))?,
                None => app.now().date(),
            };
            let kind = match kind {
                KindArg::Distribution => MovementKind::Distribution,
                KindArg::Use => MovementKind::Use,
                KindArg::Loss => MovementKind::Loss,
                KindArg::Expiry => MovementKind::Expiry,
                KindArg::Destruction => MovementKind::Destruction,
            };
            let id = svc::record_movement(
                &mut app,
                actor,
                NewMovement {
                    kind,
                    date,
                    consignment: rid("consignment", &consignment)?,
                    product: rid("--product", &product)?,
                    lot,
                    from: from.map(|f| rid("--from", &f)).transpose()?,
                    to: to.map(|t| rid("--to", &t)).transpose()?,
                    quantity,
                    note,
                },
            )
            .map_err(service_error)?;
            println!("recorded movement {id}");
            Ok(Outcome::Clean)
        }
        Command::Stock {
            facility,
            donor,
            format,
        } => {
            let app = open(settings)?;
            let ledger = app.ledger().map_err(service_error)?;
            let facility = facility.map(|f| rid("--facility", &f)).transpose()?;
            let donor = donor.map(|d| rid("--donor", &d)).transpose()?;
            let rows =
                svc::stock_report(&ledger, app.now().date(), facility.as_ref(), donor.as_ref())
                    .map_err(service_error)?;
            if format == Format::Json {
                print_json(&rows)?;
                return Ok(Outcome::Clean);
            }
            let header = [
                "facility",
                "product",
                "inn",
                "lot",
                "expiry",
                "band",
                "on_hand",
                "unit",
                "consignment",
                "donor",
            ];
            let table: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        r.facility.to_string(),
                        r.product.to_string(),
                        r.inn.clone(),
                        r.lot.clone(),
                        r.expiry.map(|d| d.to_string()).unwrap_or_default(),
                        r.band.map(|b| b.code().to_string()).unwrap_or_default(),
                        r.on_hand.to_string(),
                        r.base_unit.clone(),
                        r.consignment.to_string(),
                        r.donor
                            .as_ref()
                            .map(ToString::to_string)
                            .unwrap_or_default(),
                    ]
                })
                .collect();
            if format == Format::Csv {
                print_csv(&header, &table)?;
            } else {
                print_table(&header, &table);
            }
            Ok(Outcome::Clean)
        }
        Command::Fhir { out } => {
            let app = open(settings)?;
            let ledger = app.ledger().map_err(service_error)?;
            for path in fhir_medicines::write(&ledger, &out).map_err(service_error)? {
                println!("{}", path.display());
            }
            Ok(Outcome::Clean)
        }
        Command::Donor { donor, format } => {
            let app = open(settings)?;
            let ledger = app.ledger().map_err(service_error)?;
            let rows = svc::donor_view(&ledger, &rid("donor", &donor)?).map_err(service_error)?;
            if format == Format::Json {
                print_json(&rows)?;
                return Ok(Outcome::Clean);
            }
            let mut header = vec!["consignment", "inn", "lot", "expiry", "sent", "decision"];
            header.extend(MovementKind::all().iter().map(|k| k.code()));
            header.push("on_hand");
            let table: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    let mut row = vec![
                        r.consignment.to_string(),
                        r.inn.clone(),
                        r.lot.clone(),
                        r.expiry.to_string(),
                        r.sent.to_string(),
                        r.decision.map(|d| d.code().to_string()).unwrap_or_default(),
                    ];
                    row.extend(
                        MovementKind::all()
                            .iter()
                            .map(|k| r.moved.get(k).copied().unwrap_or(0).to_string()),
                    );
                    row.push(r.on_hand.to_string());
                    row
                })
                .collect();
            if format == Format::Csv {
                print_csv(&header, &table)?;
            } else {
                print_table(&header, &table);
            }
            Ok(Outcome::Clean)
        }
    }
}
