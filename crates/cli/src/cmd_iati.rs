//! `aidtrace iati …` subcommands. Thin: parse flags, call aidtrace-iati, print.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use aidtrace_iati::grouped::{
    self, ActivityGroups, FileEvent, GroupedReport, IssueGroup, JsonReports,
};
use aidtrace_iati::reader::ActivityReader;
use aidtrace_iati::validate::{Options, Severity};
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
    /// Import activity files into the ledger: each activity accepted or rejected on its own (a
    /// budget or transaction the ledger refuses is left out with a finding, the rest imported),
    /// each file atomic, re-imports idempotent (exit 1 when anything was left out, rejected or
    /// refused)
    Import {
        /// Files, or folders searched for *.xml
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// All or nothing: an element the ledger refuses rejects its whole activity (instead of
        /// being left out), and any rejected activity or failed validation layer refuses the file
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
    // Files are independent: validate them on all cores. Each file's result is written as soon
    // as it and the files before it are done, and a large file's activities as they are
    // checked, so memory does not grow with the input.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut out = ValidateOutput::new(format);
    let mut clean = true;
    let mut unreadable: Option<CliError> = None;
    let run = grouped::validate_files_grouped(&files, &opts, threads, |k, event| match event {
        FileEvent::Activity(a) => out.activity(&files[k], &a),
        FileEvent::Done(Ok(r)) => {
            clean &= r.is_clean();
            out.file(&r)
        }
        FileEvent::Done(Err(e)) => {
            unreadable = Some(CliError::input(format!(
                "cannot read {}: {e}",
                files[k].display()
            )));
            Err(std::io::Error::other("unreadable file"))
        }
    });
    if let Some(e) = unreadable {
        return Err(e);
    }
    match run.and_then(|()| out.finish()) {
        Ok(()) => {}
        // `| head`: the reader has what it wanted.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(CliError::failure(format!("cannot write the report: {e}"))),
    }
    Ok(if clean {
        Outcome::Clean
    } else {
        Outcome::ProblemsFound
    })
}

/// Error groups the table output lists (above the summary table) before it points to json or
/// csv for the rest.
const TABLE_GROUPS: usize = 50;

/// `iati validate`'s output, written file by file (and activity by activity for json and csv)
/// as the validation hands results out.
enum ValidateOutput {
    Json(JsonReports<BufWriter<std::io::Stdout>>),
    // Boxed: the CSV writer's buffers make it the large variant, and only one is ever made.
    Csv(Box<csv::Writer<BufWriter<std::io::Stdout>>>, bool),
    /// Summary rows (one per file, printed at the end) and how many error groups were listed.
    Table(Vec<[String; 8]>, usize),
}

impl ValidateOutput {
    fn new(format: Format) -> Self {
        let stdout = || BufWriter::new(std::io::stdout());
        match format {
            Format::Json => Self::Json(JsonReports::new(stdout())),
            Format::Csv => Self::Csv(Box::new(csv::Writer::from_writer(stdout())), false),
            Format::Table => Self::Table(Vec::new(), 0),
        }
    }

    fn activity(&mut self, file: &Path, a: &ActivityGroups) -> std::io::Result<()> {
        let name = file.display().to_string();
        match self {
            Self::Json(w) => w.activity(&name, a),
            Self::Csv(w, header) => csv_groups(w, header, &name, &a.identifier, &a.errors),
            Self::Table(_, shown) => {
                table_groups(shown, &name, &a.identifier, &a.errors);
                Ok(())
            }
        }
    }

    fn file(&mut self, r: &GroupedReport) -> std::io::Result<()> {
        match self {
            Self::Json(w) => w.file(r),
            Self::Csv(w, header) => {
                csv_groups(w, header, &r.file, "", &r.file_errors)?;
                w.flush()
            }
            Self::Table(rows, shown) => {
                table_groups(shown, &r.file, "", &r.file_errors);
                let s = &r.summary;
                rows.push([
                    r.file.clone(),
                    s.activities.to_string(),
                    s.schema_valid.to_string(),
                    s.codelists_valid.to_string(),
                    s.rules_valid.to_string(),
                    s.errors.to_string(),
                    s.warnings.to_string(),
                    s.well_formed.to_string(),
                ]);
                Ok(())
            }
        }
    }

    fn finish(self) -> std::io::Result<()> {
        match self {
            Self::Json(w) => w.finish().map(drop),
            Self::Csv(mut w, header) => {
                if !header {
                    w.write_record(CSV_HEADER)?;
                }
                w.flush()
            }
            Self::Table(rows, shown) => {
                if shown > TABLE_GROUPS {
                    crate::output::out("… more errors: use --format json or csv for all of them");
                }
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
                for r in rows {
                    t.add_row(r);
                }
                crate::output::out(&t.to_string());
                Ok(())
            }
        }
    }
}

const CSV_HEADER: [&str; 10] = [
    "file",
    "identifier",
    "layer",
    "rule",
    "severity",
    "count",
    "line",
    "column",
    "lines",
    "message",
];

/// One CSV row per group; `lines` holds the first few lines, separated by spaces.
fn csv_groups(
    w: &mut csv::Writer<BufWriter<std::io::Stdout>>,
    header: &mut bool,
    file: &str,
    id: &str,
    groups: &[IssueGroup],
) -> std::io::Result<()> {
    if !*header {
        w.write_record(CSV_HEADER)?;
        *header = true;
    }
    for g in groups {
        let lines: Vec<String> = g.lines.iter().map(u64::to_string).collect();
        w.serialize((
            file,
            id,
            g.layer,
            &g.rule,
            g.severity,
            g.count,
            g.line,
            g.column,
            lines.join(" "),
            &g.message,
        ))?;
    }
    Ok(())
}

/// Prints the error groups among `groups` until [`TABLE_GROUPS`] have been listed, then only
/// counts them (so the caller knows to say there are more).
fn table_groups(shown: &mut usize, file: &str, id: &str, groups: &[IssueGroup]) {
    for g in groups.iter().filter(|g| g.severity == Severity::Error) {
        *shown += 1;
        if *shown > TABLE_GROUPS {
            return;
        }
        let times = if g.count > 1 {
            let lines: Vec<String> = g.lines.iter().map(u64::to_string).collect();
            let more = if g.count > g.lines.len() as u64 {
                ", …"
            } else {
                ""
            };
            format!(" (×{}: lines {}{more})", g.count, lines.join(", "))
        } else {
            String::new()
        };
        crate::output::out(&format!(
            "{file}:{}:{}: [{:?}/{}] {id} {}{times}",
            g.line, g.column, g.layer, g.rule, g.message
        ));
    }
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
