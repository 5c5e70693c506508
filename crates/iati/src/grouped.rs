//! Validation reports with repeated findings grouped: within one activity (or among a file's
//! own findings), findings with the same layer, rule, severity and message become one
//! [`IssueGroup`] with a count and the first [`FIRST_LINES`] lines. A codelist finding's message
//! is taken without the path it starts with ([`crate::codelists::message_without_path`]): the
//! same wrong code anywhere in the activity is one group, its lines saying where. A report then grows with
//! the distinct problems of each activity, not with how often a file repeats them, and the
//! grouping happens on the reading threads as each activity is checked, so no list of raw
//! findings is ever held for more than one activity.
//!
//! This is the shape of `aidtrace iati validate`'s reports (JSON, CSV, table) and of the web
//! import page; `docs/iati.md` documents the JSON.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::validate::{self, Issue, Layer, Options, Report, Severity, Summary};

/// Lines kept per group: enough to find the pattern in an editor, few enough that a finding
/// repeated on every transaction of a large activity stays one short entry.
pub const FIRST_LINES: usize = 5;

/// Distinct groups kept per activity (and per file for its own findings). An activity that
/// breaks more than this many different ways is counted past it in `unlisted`, so even a
/// hostile activity with a distinct message on each of its elements gives a bounded entry.
pub const MAX_GROUPS: usize = 200;

/// Findings that share layer, rule, severity and message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssueGroup {
    pub layer: Layer,
    /// The schema error kind, the codelist name, or the ruleset rule id (as in [`Issue`]).
    pub rule: String,
    pub severity: Severity,
    /// The findings' message; for the codelist layer without the leading path (`'EN' is not a
    /// code of the Language codelist`).
    pub message: String,
    /// Line and column of the first finding of the group.
    pub line: u64,
    pub column: u64,
    /// How many findings the group stands for (at least 1).
    pub count: u64,
    /// Lines of the first [`FIRST_LINES`] findings, in the order they were found (the first
    /// is `line`).
    pub lines: Vec<u64>,
    /// A codelist group's value and why it is refused ([`Issue::code`]): the same for every
    /// finding of the group, whose message names both. Not serialised, as in [`Issue`].
    #[serde(skip)]
    pub code: Option<crate::codelists::CodeFinding>,
}

/// Findings counted but not listed because their activity (or file) already had
/// [`MAX_GROUPS`] groups.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Unlisted {
    pub errors: u64,
    pub warnings: u64,
}

impl Unlisted {
    pub fn is_empty(&self) -> bool {
        self.errors == 0 && self.warnings == 0
    }
}

/// Groups findings as they are produced; memory is that of the distinct groups (at most
/// [`MAX_GROUPS`]), whatever the number of findings.
#[derive(Debug, Default)]
pub struct IssueGrouper {
    groups: Vec<IssueGroup>,
    index: FxHashMap<(Layer, Severity, String, String), usize>,
    unlisted: Unlisted,
}

impl IssueGrouper {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, mut issue: Issue) {
        if issue.layer == Layer::Codelist {
            // The path is where the value sits; the lines say that for each finding.
            let text = crate::codelists::message_without_path(&issue.message);
            if text.len() < issue.message.len() {
                issue.message = text.to_owned();
            }
        }
        let code = issue.code;
        let key = (issue.layer, issue.severity, issue.rule, issue.message);
        if let Some(&i) = self.index.get(&key) {
            let g = &mut self.groups[i];
            g.count += 1;
            if g.lines.len() < FIRST_LINES {
                g.lines.push(issue.line);
            }
            return;
        }
        if self.groups.len() >= MAX_GROUPS {
            match key.1 {
                Severity::Error => self.unlisted.errors += 1,
                Severity::Warning => self.unlisted.warnings += 1,
            }
            return;
        }
        self.groups.push(IssueGroup {
            layer: key.0,
            rule: key.2.clone(),
            severity: key.1,
            message: key.3.clone(),
            line: issue.line,
            column: issue.column,
            count: 1,
            lines: vec![issue.line],
            code,
        });
        self.index.insert(key, self.groups.len() - 1);
    }

    /// The groups in the order their first finding was met, and what was counted past them.
    pub fn finish(self) -> (Vec<IssueGroup>, Unlisted) {
        (self.groups, self.unlisted)
    }
}

/// Groups a list of findings (see [`IssueGrouper`]).
pub fn group_issues(issues: impl IntoIterator<Item = Issue>) -> (Vec<IssueGroup>, Unlisted) {
    let mut g = IssueGrouper::new();
    issues.into_iter().for_each(|i| g.push(i));
    g.finish()
}

/// One activity (or organisation) with its findings grouped: [`validate::ActivityReport`]
/// with `errors` as groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActivityGroups {
    /// `iati-identifier` (or `organisation-identifier`), trimmed; empty if missing.
    pub identifier: String,
    pub line: u64,
    pub schema_valid: bool,
    pub codelists_valid: bool,
    pub rules_valid: bool,
    /// Errors and warnings, grouped.
    pub errors: Vec<IssueGroup>,
    #[serde(skip_serializing_if = "Unlisted::is_empty")]
    pub unlisted: Unlisted,
}

impl ActivityGroups {
    pub fn valid(&self) -> bool {
        self.schema_valid && self.codelists_valid && self.rules_valid
    }

    pub fn from_report(r: validate::ActivityReport) -> Self {
        let (errors, unlisted) = group_issues(r.errors);
        ActivityGroups {
            identifier: r.identifier,
            line: r.line,
            schema_valid: r.schema_valid,
            codelists_valid: r.codelists_valid,
            rules_valid: r.rules_valid,
            errors,
            unlisted,
        }
    }
}

/// A file's validation report with grouped findings: [`Report`] with `errors` (the file's own
/// findings) and each activity's `errors` as groups. The fields serialise in this order, which
/// is also the order [`JsonReports`] streams them in: `activities` before what is only known
/// at the end of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupedReport {
    pub file: String,
    pub activities: Vec<ActivityGroups>,
    /// Root element (`iati-activities`, `iati-organisations`…), if one was read.
    pub root: Option<String>,
    pub version: Option<String>,
    /// Findings on the file itself, grouped. Serialised as `errors`.
    #[serde(rename = "errors")]
    pub file_errors: Vec<IssueGroup>,
    #[serde(skip_serializing_if = "Unlisted::is_empty")]
    pub unlisted: Unlisted,
    /// Counts over every finding, grouped or not (`errors`, `warnings` count findings, not
    /// groups).
    pub summary: Summary,
}

impl GroupedReport {
    /// True when the file is well-formed and nothing at error severity was found.
    pub fn is_clean(&self) -> bool {
        self.summary.well_formed && self.summary.errors == 0
    }

    /// Groups a report made by the ungrouped API (e.g. the one an import returns).
    pub fn from_report(r: Report) -> Self {
        let (file_errors, unlisted) = group_issues(r.file_errors);
        GroupedReport {
            file: r.file,
            activities: r
                .activities
                .into_iter()
                .map(ActivityGroups::from_report)
                .collect(),
            root: r.root,
            version: r.version,
            file_errors,
            unlisted,
            summary: r.summary,
        }
    }

    fn file_part(r: Report) -> Self {
        debug_assert!(r.activities.is_empty());
        Self::from_report(r)
    }
}

/// Checks one unit through the three layers, grouping its findings as they come.
fn group_unit(
    schema: &'static crate::schema::Schema,
    unit: crate::reader::Unit,
    opts: &Options,
) -> ActivityGroups {
    let mut grouper = IssueGrouper::new();
    let (head, verdict) = validate::check_unit(schema, unit, opts, &mut |i| grouper.push(i));
    let (errors, unlisted) = grouper.finish();
    ActivityGroups {
        identifier: head.0,
        line: head.1,
        schema_valid: verdict.schema_valid,
        codelists_valid: verdict.codelists_valid,
        rules_valid: verdict.rules_valid,
        errors,
        unlisted,
    }
}

fn tally(summary: &mut Summary, a: &ActivityGroups) {
    summary.activities += 1;
    summary.schema_valid += usize::from(a.schema_valid);
    summary.codelists_valid += usize::from(a.codelists_valid);
    summary.rules_valid += usize::from(a.rules_valid);
    summary.fully_valid += usize::from(a.valid());
    count_findings(summary, &a.errors, a.unlisted);
}

fn count_findings(summary: &mut Summary, groups: &[IssueGroup], unlisted: Unlisted) {
    let mut errors = unlisted.errors;
    let mut warnings = unlisted.warnings;
    for g in groups {
        match g.severity {
            Severity::Error => errors += g.count,
            Severity::Warning => warnings += g.count,
        }
    }
    summary.errors += usize::try_from(errors).unwrap_or(usize::MAX);
    summary.warnings += usize::try_from(warnings).unwrap_or(usize::MAX);
}

/// Validates a stream, handing each activity's grouped report to `each` as soon as it is
/// ready. Returns the file's report with an empty `activities` list.
pub fn validate_stream_grouped<R: io::BufRead>(
    name: &str,
    input: R,
    opts: &Options,
    mut each: impl FnMut(ActivityGroups),
) -> GroupedReport {
    let mut summary = Summary::default();
    let work = |schema, unit| group_unit(schema, unit, opts);
    let pass = validate::units_sequential(input, opts.limits, 0, &work, &mut |a, _| {
        tally(&mut summary, &a);
        each(a);
    });
    let mut r = GroupedReport::file_part(validate::file_report(name, pass, Summary::default()));
    add_summary(&mut r, summary);
    r
}

/// [`validate_stream_grouped`] collecting the activities (for input already in memory, such
/// as an upload).
pub fn validate_reader_grouped<R: io::BufRead>(
    name: &str,
    input: R,
    opts: &Options,
) -> GroupedReport {
    let mut acts = Vec::new();
    let mut r = validate_stream_grouped(name, input, opts, |a| acts.push(a));
    r.activities = acts;
    r
}

/// One file on `threads` threads (chunks of whole activities), handing each activity's
/// grouped report to `each` in file order as soon as it and those before it are ready.
/// Returns the file's report with an empty `activities` list.
pub fn validate_path_grouped(
    path: &Path,
    opts: &Options,
    threads: usize,
    mut each: impl FnMut(ActivityGroups),
) -> io::Result<GroupedReport> {
    let mut summary = Summary::default();
    let work = |schema, unit| group_unit(schema, unit, opts);
    let open = || std::fs::File::open(path);
    let pass = validate::units_of_source(&open, opts.limits, threads, &work, &mut |a, _| {
        tally(&mut summary, &a);
        each(a);
    })?;
    let name = path.display().to_string();
    let mut r = GroupedReport::file_part(validate::file_report(&name, pass, Summary::default()));
    add_summary(&mut r, summary);
    Ok(r)
}

/// Adds the activities' counts to a file part whose summary holds only its own findings.
fn add_summary(r: &mut GroupedReport, activities: Summary) {
    let own = std::mem::take(&mut r.summary);
    r.summary = Summary {
        well_formed: own.well_formed,
        errors: own.errors + activities.errors,
        warnings: own.warnings + activities.warnings,
        ..activities
    };
}

/// What [`validate_files_grouped`] hands out, per file, in input order: each activity, then
/// the file's report.
#[derive(Debug)]
pub enum FileEvent {
    Activity(ActivityGroups),
    /// The file is done: its report without activities (each was handed out before), or why
    /// it could not be read.
    Done(io::Result<GroupedReport>),
}

/// A file at most this large is validated whole on one thread, beside other such files; a
/// larger one is cut into chunks over all threads with its activities handed out as they come.
/// Whole-file results wait for the files before them, so this bounds what waits.
pub const WHOLE_FILE_MAX: u64 = 16 * 1024 * 1024;

/// Validates files on `threads` threads and hands their results to `each(file index, event)`
/// in input order, each file as soon as it and every file before it are done, so output can be
/// written while later files are still being read. At most a few files per thread are read
/// ahead of the one being handed out, and a large file's activities are handed out as they are
/// checked: memory stays bounded whatever the number and size of the files. An error returned
/// by `each` stops the run (after the activities of the file in progress) and is returned.
pub fn validate_files_grouped(
    paths: &[PathBuf],
    opts: &Options,
    threads: usize,
    mut each: impl FnMut(usize, FileEvent) -> io::Result<()>,
) -> io::Result<()> {
    let threads = threads.max(1);
    let small = |p: &PathBuf| std::fs::metadata(p).map_or(true, |m| m.len() <= WHOLE_FILE_MAX);
    let mut i = 0;
    while i < paths.len() {
        let run = paths[i..].iter().take_while(|p| small(p)).count();
        if run >= 2 * threads {
            whole_files(&paths[i..i + run], opts, threads, &mut |k, e| {
                each(i + k, e)
            })?;
            i += run;
            continue;
        }
        // Few small files, or a large one: each file cut into chunks over all threads.
        let mut failed = Ok(());
        let r = validate_path_grouped(&paths[i], opts, threads, |a| {
            if failed.is_ok() {
                failed = each(i, FileEvent::Activity(a));
            }
        });
        failed?;
        each(i, FileEvent::Done(r))?;
        i += 1;
    }
    Ok(())
}

/// Files validated whole on `threads` threads, handed out in order; a worker starts a file
/// only when it is fewer than `2 × threads` files ahead of the one being handed out.
fn whole_files(
    paths: &[PathBuf],
    opts: &Options,
    threads: usize,
    each: &mut impl FnMut(usize, FileEvent) -> io::Result<()>,
) -> io::Result<()> {
    use std::sync::{Mutex, mpsc};
    let window = 2 * threads;
    let (job_tx, job_rx) = mpsc::sync_channel::<usize>(window);
    let job_rx = Mutex::new(job_rx);
    let (done_tx, done_rx) = mpsc::channel::<(usize, io::Result<GroupedReport>)>();
    std::thread::scope(|s| {
        for _ in 0..threads {
            let done_tx = done_tx.clone();
            let job_rx = &job_rx;
            s.spawn(move || {
                loop {
                    let next = match job_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok(k) = next else { return };
                    let r = validate_file_grouped(&paths[k], opts);
                    if done_tx.send((k, r)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done_tx);
        let mut pending = std::collections::BTreeMap::new();
        let (mut sent, mut next) = (0usize, 0usize);
        let outcome = loop {
            if next == paths.len() {
                break Ok(());
            }
            while sent < paths.len() && sent < next + window {
                if job_tx.send(sent).is_err() {
                    break;
                }
                sent += 1;
            }
            let Ok((k, r)) = done_rx.recv() else {
                break Err(io::Error::other("validation worker failed"));
            };
            pending.insert(k, r);
            let mut failed = Ok(());
            while let Some(r) = pending.remove(&next) {
                failed = hand_out(next, r, each);
                next += 1;
                if failed.is_err() {
                    break;
                }
            }
            if let Err(e) = failed {
                break Err(e);
            }
        };
        // Workers finish the file in hand and stop when the job channel closes.
        drop(job_tx);
        outcome
    })
}

fn hand_out(
    k: usize,
    r: io::Result<GroupedReport>,
    each: &mut impl FnMut(usize, FileEvent) -> io::Result<()>,
) -> io::Result<()> {
    let r = match r {
        Ok(mut r) => {
            for a in std::mem::take(&mut r.activities) {
                each(k, FileEvent::Activity(a))?;
            }
            Ok(r)
        }
        Err(e) => Err(e),
    };
    each(k, FileEvent::Done(r))
}

/// One file on one thread, activities collected.
fn validate_file_grouped(path: &Path, opts: &Options) -> io::Result<GroupedReport> {
    let f = std::fs::File::open(path)?;
    Ok(validate_reader_grouped(
        &path.display().to_string(),
        io::BufReader::with_capacity(256 * 1024, f),
        opts,
    ))
}

/// Writes grouped reports as one JSON array while they are made: per file
/// `{"file", "activities": [...], "root", "version", "errors", "summary"}` (as
/// [`GroupedReport`] serialises), one activity per line. The result parses to what
/// `serde_json` gives for the `Vec<GroupedReport>` of the same files.
pub struct JsonReports<W: Write> {
    out: W,
    files: usize,
    activities_in_file: usize,
    in_file: bool,
}

impl<W: Write> JsonReports<W> {
    pub fn new(out: W) -> Self {
        JsonReports {
            out,
            files: 0,
            activities_in_file: 0,
            in_file: false,
        }
    }

    fn start_file(&mut self, name: &str) -> io::Result<()> {
        if self.in_file {
            return Ok(());
        }
        self.out
            .write_all(if self.files == 0 { b"[\n" } else { b",\n" })?;
        self.out.write_all(b"{\"file\":")?;
        serde_json::to_writer(&mut self.out, name)?;
        self.out.write_all(b",\"activities\":[")?;
        self.files += 1;
        self.activities_in_file = 0;
        self.in_file = true;
        Ok(())
    }

    /// An activity of the file `file` (the name its report will carry).
    pub fn activity(&mut self, file: &str, a: &ActivityGroups) -> io::Result<()> {
        self.start_file(file)?;
        self.out.write_all(if self.activities_in_file == 0 {
            b"\n"
        } else {
            b",\n"
        })?;
        serde_json::to_writer(&mut self.out, a)?;
        self.activities_in_file += 1;
        Ok(())
    }

    /// The end of a file: its report, whose own `activities` are written after those handed
    /// to [`Self::activity`]. Flushes the writer.
    pub fn file(&mut self, r: &GroupedReport) -> io::Result<()> {
        for a in &r.activities {
            self.activity(&r.file, a)?;
        }
        self.start_file(&r.file)?;
        if self.activities_in_file > 0 {
            self.out.write_all(b"\n")?;
        }
        #[derive(Serialize)]
        struct Tail<'a> {
            root: &'a Option<String>,
            version: &'a Option<String>,
            errors: &'a [IssueGroup],
            #[serde(skip_serializing_if = "Unlisted::is_empty")]
            unlisted: Unlisted,
            summary: &'a Summary,
        }
        let tail = serde_json::to_vec(&Tail {
            root: &r.root,
            version: &r.version,
            errors: &r.file_errors,
            unlisted: r.unlisted,
            summary: &r.summary,
        })?;
        // `{"root":…}` becomes `],"root":…}`: the rest of the file's object.
        self.out.write_all(b"],")?;
        self.out.write_all(tail.get(1..).unwrap_or_default())?;
        self.in_file = false;
        // A file's result is out as soon as it is done, not when the buffer fills.
        self.out.flush()
    }

    /// Closes the array; gives the writer back.
    pub fn finish(mut self) -> io::Result<W> {
        self.out
            .write_all(if self.files == 0 { b"[]\n" } else { b"\n]\n" })?;
        self.out.flush()?;
        Ok(self.out)
    }
}
