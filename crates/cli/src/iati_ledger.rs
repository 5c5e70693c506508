//! `aidtrace iati import` and `aidtrace iati export`: IATI files into and out of the ledger.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use aidtrace_domain::RecordId;
use aidtrace_service::Aidtrace;
use aidtrace_service::iati::{ImportOptions, Outcome};
use comfy_table::Table;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;

use crate::config::Settings;
use crate::error::{CliError, CliResult, Outcome as Exit};
use crate::output::Format;

fn xml_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let entries = std::fs::read_dir(path)
                .map_err(|e| CliError::input(format!("{}: {e}", path.display())))?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("xml")))
                .collect();
            found.sort();
            files.extend(found);
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            return Err(CliError::input(format!(
                "PATH = {:?}: no such file or folder",
                path.display().to_string()
            )));
        }
    }
    Ok(files)
}

fn open(settings: &Settings) -> Result<Aidtrace, CliError> {
    Aidtrace::open(&settings.db).map_err(|e| CliError::failure(e.to_string()))
}

fn progress_bar(total_bytes: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total_bytes), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {bar:30} {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec}) {msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

pub fn import(paths: &[PathBuf], strict: bool, format: Format, settings: &Settings) -> CliResult {
    let files = xml_files(paths)?;
    let total: u64 = files
        .iter()
        .filter_map(|f| f.metadata().ok())
        .map(|m| m.len())
        .sum();
    let mut app = open(settings)?;
    let bar = progress_bar(total);
    // Where each file starts in the bar, and the activities of the files already done.
    let starts: Vec<u64> = files
        .iter()
        .scan(0u64, |acc, f| {
            let start = *acc;
            *acc += f.metadata().map(|m| m.len()).unwrap_or(0);
            Some(start)
        })
        .collect();
    let (mut current, mut done_activities, mut in_current) = (0usize, 0usize, 0usize);
    let reports = app
        .import_iati_files(
            &settings.actor,
            &files,
            ImportOptions {
                strict,
                ..ImportOptions::default()
            },
            &mut |file, bytes, activities| {
                if file != current {
                    done_activities += in_current;
                    current = file;
                }
                in_current = activities;
                bar.set_position(starts.get(file).copied().unwrap_or(0) + bytes);
                bar.set_message(format!("{} activities", done_activities + activities));
            },
        )
        .map_err(|e| {
            if e.is_bad_input() {
                CliError::input(e.to_string())
            } else {
                CliError::failure(e.to_string())
            }
        })?;
    bar.finish_and_clear();
    let problems = reports
        .iter()
        .any(|r| r.refused.is_some() || r.rejected > 0 || r.left_out > 0);
    match format {
        Format::Json => {
            let text = serde_json::to_string_pretty(&json!({ "files": reports }))
                .map_err(|e| CliError::failure(e.to_string()))?;
            println!("{text}");
        }
        Format::Table | Format::Csv => {
            let header = [
                "file",
                "activities",
                "schema valid",
                "codelists valid",
                "rules valid",
                "accepted",
                "rejected",
                "kept newer",
                "left out",
                "records written",
            ];
            let rows: Vec<Vec<String>> = reports
                .iter()
                .map(|r| {
                    vec![
                        r.file.clone(),
                        r.layers.activities.to_string(),
                        r.layers.schema_valid.to_string(),
                        r.layers.codelists_valid.to_string(),
                        r.layers.rules_valid.to_string(),
                        r.accepted.to_string(),
                        r.rejected.to_string(),
                        r.kept_newer.to_string(),
                        r.left_out.to_string(),
                        (r.records_created + r.records_updated).to_string(),
                    ]
                })
                .collect();
            if format == Format::Csv {
                let mut w = csv::Writer::from_writer(std::io::stdout());
                let fail = |e: csv::Error| CliError::failure(e.to_string());
                w.write_record(header).map_err(fail)?;
                for row in &rows {
                    w.write_record(crate::output::sheet_row(row))
                        .map_err(fail)?;
                }
                w.flush()?;
            } else {
                let mut table = Table::new();
                table.load_preset(comfy_table::presets::UTF8_BORDERS_ONLY);
                table.set_header(header.to_vec());
                for row in rows {
                    table.add_row(row);
                }
                println!("{table}");
                for r in &reports {
                    if let Some(why) = &r.refused {
                        println!("{}: refused: {why}", r.file);
                    }
                    for id in &r.duplicates_in_file {
                        println!("{}: identifier {id} appears more than once", r.file);
                    }
                    for (id, other) in &r.duplicates_across_files {
                        println!("{}: identifier {id} was also imported from {other}", r.file);
                    }
                    // Elements an accepted activity was imported without, each also a finding
                    // (IATI-LEFT-OUT) on the activity.
                    let left_out = r
                        .activities
                        .iter()
                        .flat_map(|a| a.left_out.iter().map(move |l| (a, l)));
                    for (a, l) in left_out.take(50) {
                        println!(
                            "{}: line {}: {} {} left out: {}",
                            r.file, l.line, a.identifier, l.element, l.reason
                        );
                    }
                    for a in r.activities.iter().take(20) {
                        if let Outcome::Rejected { reasons } = &a.outcome {
                            println!(
                                "{}: line {}: {} rejected: {}",
                                r.file,
                                a.line,
                                a.identifier,
                                reasons.join("; ")
                            );
                        }
                    }
                }
            }
        }
    }
    Ok(if problems {
        Exit::ProblemsFound
    } else {
        Exit::Clean
    })
}

pub fn export(ids: &[String], out: &Path, settings: &Settings) -> CliResult {
    let ids: Vec<RecordId> = ids
        .iter()
        .map(|raw| RecordId::parse(raw).map_err(|e| CliError::input(format!("--activity: {e}"))))
        .collect::<Result<_, _>>()?;
    let app = open(settings)?;
    // Write to a temporary file beside the target, then rename, so a failed export leaves nothing half-written.
    let tmp = out.with_extension("xml.partial");
    let file =
        File::create(&tmp).map_err(|e| CliError::input(format!("--out {}: {e}", out.display())))?;
    let mut writer = BufWriter::new(file);
    let report = app.export_iati(&ids, &mut writer).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        if e.is_bad_input() {
            CliError::input(e.to_string())
        } else {
            CliError::failure(e.to_string())
        }
    })?;
    writer.flush()?;
    drop(writer);
    std::fs::rename(&tmp, out)?;
    println!(
        "{}: {} activities, {} transactions, {} budgets",
        out.display(),
        report.activities,
        report.flows,
        report.budgets
    );
    for line in &report.left_out {
        println!("left out: {line}");
    }
    for line in &report.supplied {
        println!("supplied: {line}");
    }
    // The file itself validates clean; activities that would not are named with the findings.
    for x in &report.excluded {
        println!(
            "activity {} ({}) not exported: {}",
            x.activity,
            x.identifier,
            x.explained().join("; ")
        );
    }
    Ok(Exit::Clean)
}
