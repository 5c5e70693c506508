//! `aidtrace iati …` subcommands. Thin: parse flags, call aidtrace-iati, print.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use aidtrace_iati::reader::ActivityReader;
use aidtrace_iati::validate::{self, Options, Report, Severity};
use aidtrace_iati::{conformance, writer};
use clap::Subcommand;
use comfy_table::Table;

use crate::config::Settings;
use crate::error::{CliError, CliResult, Outcome};
use crate::output::Format;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate IATI 2.03 activity/organisation files: schema, codelists, rules (exit 1 on errors)
    Validate {
        /// Files, or folders searched for *.xml
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// The date the "not in the future" rules compare with (YYYY-MM-DD; default today)
        #[arg(long)]
        today: Option<chrono::NaiveDate>,
    },
    /// Run the IATI-Schemas test suite (schema-tests folder) against the native schema layer
    Conformance {
        /// The schema-tests folder, e.g. ../shared/iati/schema-tests
        dir: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Import activity files into the ledger: each activity accepted or rejected on its own, each
    /// file atomic, re-imports idempotent (exit 1 when anything was rejected or refused)
    Import {
        /// Files, or folders searched for *.xml
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Refuse a whole file when any activity is rejected or fails a validation layer
        #[arg(long)]
        strict: bool,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Export ledger activities (all, or those named) as IATI 2.03
    Export {
        /// Activity record ids; all activities when none is given
        #[arg(long = "activity")]
        activities: Vec<String>,
        #[arg(long)]
        out: PathBuf,
    },
    /// Read an activity file and write it back as 2.03 in schema order (optionally a subset)
    Rewrite {
        input: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// Keep only these iati-identifiers (repeatable)
        #[arg(long = "activity", value_name = "ID")]
        activity: Vec<String>,
    },
}

pub fn run(command: Command, settings: &Settings) -> CliResult {
    match command {
        Command::Import {
            paths,
            strict,
            format,
        } => crate::iati_ledger::import(&paths, strict, format, settings),
        Command::Export { activities, out } => {
            crate::iati_ledger::export(&activities, &out, settings)
        }
        Command::Validate {
            paths,
            format,
            today,
        } => validate_cmd(&paths, format, today),
        Command::Conformance { dir, format } => conformance_cmd(&dir, format),
        Command::Rewrite {
            input,
            out,
            activity,
        } => rewrite_cmd(&input, &out, &activity),
    }
}

fn collect_xml(p: &Path, out: &mut Vec<PathBuf>) -> Result<(), CliError> {
    if p.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
            .map_err(|e| CliError::input(format!("cannot read folder {}: {e}", p.display())))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for e in entries {
            if e.is_dir() || e.extension().is_some_and(|x| x == "xml") {
                collect_xml(&e, out)?;
            }
        }
        Ok(())
    } else if p.is_file() {
        out.push(p.to_owned());
        Ok(())
    } else {
        Err(CliError::input(format!(
            "no such file or folder: {}",
            p.display()
        )))
    }
}

fn json_out<T: serde::Serialize>(v: &T) -> Result<(), CliError> {
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    serde_json::to_writer_pretty(&mut lock, v)
        .map_err(|e| CliError::failure(format!("cannot write JSON: {e}")))?;
    writeln!(lock)?;
    Ok(())
}

fn validate_cmd(paths: &[PathBuf], format: Format, today: Option<chrono::NaiveDate>) -> CliResult {
    let mut files = Vec::new();
    for p in paths {
        collect_xml(p, &mut files)?;
    }
    let mut opts = Options::default();
    if let Some(t) = today {
        opts.today = t;
    }
    // Files are independent: validate them on all cores, reports stay in input order.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut reports: Vec<Report> = Vec::new();
    for (f, r) in files
        .iter()
        .zip(validate::validate_files(&files, &opts, threads))
    {
        reports.push(r.map_err(|e| CliError::input(format!("cannot read {}: {e}", f.display())))?);
    }
    let clean = reports.iter().all(Report::is_clean);
    match format {
        Format::Json => json_out(&reports)?,
        Format::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout());
            w.write_record([
                "file",
                "identifier",
                "layer",
                "rule",
                "severity",
                "line",
                "column",
                "message",
            ])
            .map_err(|e| CliError::failure(e.to_string()))?;
            for r in &reports {
                let rows = r.file_errors.iter().map(|i| ("", i)).chain(
                    r.activities
                        .iter()
                        .flat_map(|a| a.errors.iter().map(move |i| (a.identifier.as_str(), i))),
                );
                for (id, i) in rows {
                    w.serialize((
                        &r.file, id, i.layer, &i.rule, i.severity, i.line, i.column, &i.message,
                    ))
                    .map_err(|e| CliError::failure(e.to_string()))?;
                }
            }
            w.flush()?;
        }
        Format::Table => {
            let mut t = Table::new();
            t.set_header([
                "file",
                "activities",
                "schema-valid",
                "codelists-valid",
                "rules-valid",
                "errors",
                "warnings",
                "well-formed",
            ]);
            for r in &reports {
                let s = &r.summary;
                t.add_row([
                    r.file.clone(),
                    s.activities.to_string(),
                    s.schema_valid.to_string(),
                    s.codelists_valid.to_string(),
                    s.rules_valid.to_string(),
                    s.errors.to_string(),
                    s.warnings.to_string(),
                    s.well_formed.to_string(),
                ]);
            }
            println!("{t}");
            let mut shown = 0;
            for r in &reports {
                let errs = r.file_errors.iter().map(|i| ("", i)).chain(
                    r.activities
                        .iter()
                        .flat_map(|a| a.errors.iter().map(move |i| (a.identifier.as_str(), i))),
                );
                for (id, i) in errs.filter(|(_, i)| i.severity == Severity::Error) {
                    if shown == 50 {
                        println!("… more errors: use --format json or csv for all of them");
                        break;
                    }
                    println!(
                        "{}:{}:{}: [{:?}/{}] {} {}",
                        r.file, i.line, i.column, i.layer, i.rule, id, i.message
                    );
                    shown += 1;
                }
            }
        }
    }
    Ok(if clean {
        Outcome::Clean
    } else {
        Outcome::ProblemsFound
    })
}

fn conformance_cmd(dir: &Path, format: Format) -> CliResult {
    if !dir.is_dir() {
        return Err(CliError::input(format!("not a folder: {}", dir.display())));
    }
    let report = conformance::run(dir)
        .map_err(|e| CliError::input(format!("cannot read {}: {e}", dir.display())))?;
    match format {
        Format::Json => json_out(&report)?,
        Format::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout());
            w.write_record(["path", "schema", "expected", "ok", "first_error"])
                .map_err(|e| CliError::failure(e.to_string()))?;
            for c in &report.cases {
                let first = c
                    .errors
                    .first()
                    .map(|e| e.message.clone())
                    .or(c.xml_error.clone())
                    .unwrap_or_default();
                w.serialize((&c.path, c.schema, c.expected, c.ok, first))
                    .map_err(|e| CliError::failure(e.to_string()))?;
            }
            w.flush()?;
        }
        Format::Table => {
            let mut t = Table::new();
            t.set_header(["cases", "passed", "failed"]);
            t.add_row([
                report.total.to_string(),
                report.passed.to_string(),
                report.failed.to_string(),
            ]);
            println!("{t}");
            for c in report.cases.iter().filter(|c| !c.ok) {
                println!("FAIL {} (expected {:?})", c.path, c.expected);
            }
        }
    }
    Ok(if report.failed == 0 {
        Outcome::Clean
    } else {
        Outcome::ProblemsFound
    })
}

fn rewrite_cmd(input: &Path, out: &Path, only: &[String]) -> CliResult {
    let f = File::open(input)
        .map_err(|e| CliError::input(format!("cannot open {}: {e}", input.display())))?;
    let mut reader = ActivityReader::new(BufReader::with_capacity(256 * 1024, f));
    let mut kept = Vec::new();
    while let Some((a, _, _)) = reader
        .next_activity()
        .map_err(|e| CliError::input(format!("{}: not well-formed: {e}", input.display())))?
    {
        if only.is_empty() || only.contains(&a.identifier) {
            kept.push(a);
        }
    }
    let header = reader.header().cloned();
    let missing: Vec<&String> = only
        .iter()
        .filter(|id| !kept.iter().any(|a| &a.identifier == *id))
        .collect();
    if !missing.is_empty() {
        return Err(CliError::input(format!(
            "activities not found in {}: {missing:?}",
            input.display()
        )));
    }
    let file = File::create(out)
        .map_err(|e| CliError::input(format!("cannot create {}: {e}", out.display())))?;
    let mut w = BufWriter::new(file);
    writer::write_activities(&mut w, header.as_ref(), &kept)?;
    w.flush()?;
    eprintln!("wrote {} activities to {}", kept.len(), out.display());
    Ok(Outcome::Clean)
}
