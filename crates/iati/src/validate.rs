//! The three validation layers over a stream: schema, codelists, rules; per file and per
//! activity (or organisation), with exact source positions.

use std::io::{BufRead, BufReader};
use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;

use crate::reader::{Unit, UnitReader};
use crate::schema::{self, SchemaError};
use crate::xml::{Element, Limits};
use crate::{codelists, rules};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    /// Not well-formed XML, or input refused (DTD, limits, encoding).
    Xml,
    Schema,
    Codelist,
    Rule,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One finding. `rule` is the schema error kind, the codelist name, or the ruleset rule id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub layer: Layer,
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    pub line: u64,
    pub column: u64,
    /// A codelist finding's value and why it is refused, as fields, for a page that words the
    /// finding in its reader's language; `None` on the other layers. Left out of the JSON and
    /// CSV reports, whose fields `docs/iati.md` fixes: their `message` says the same.
    #[serde(skip)]
    pub code: Option<codelists::CodeFinding>,
}

impl Issue {
    fn from_schema(e: SchemaError) -> Self {
        Issue {
            layer: Layer::Schema,
            rule: e.kind.code().to_owned(),
            severity: Severity::Error,
            message: e.message,
            line: e.line,
            column: e.column,
            code: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActivityReport {
    /// `iati-identifier` (or `organisation-identifier`), trimmed; empty if missing.
    pub identifier: String,
    pub line: u64,
    pub schema_valid: bool,
    pub codelists_valid: bool,
    pub rules_valid: bool,
    pub errors: Vec<Issue>,
}

impl ActivityReport {
    pub fn valid(&self) -> bool {
        self.schema_valid && self.codelists_valid && self.rules_valid
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub well_formed: bool,
    pub activities: usize,
    pub schema_valid: usize,
    pub codelists_valid: usize,
    pub rules_valid: usize,
    pub fully_valid: usize,
    pub errors: usize,
    pub warnings: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub file: String,
    /// Root element (`iati-activities`, `iati-organisations`…), if one was read.
    pub root: Option<String>,
    pub version: Option<String>,
    /// Findings on the file itself: not well-formed (then the only one), root attributes,
    /// root content model. Serialised as `errors`.
    #[serde(rename = "errors")]
    pub file_errors: Vec<Issue>,
    pub activities: Vec<ActivityReport>,
    pub summary: Summary,
}

impl Report {
    /// True when the file is well-formed and nothing at error severity was found.
    pub fn is_clean(&self) -> bool {
        self.summary.well_formed
            && !self
                .file_errors
                .iter()
                .chain(self.activities.iter().flat_map(|a| &a.errors))
                .any(|i| i.severity == Severity::Error)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// "Now" for the rules about dates in the future.
    pub today: NaiveDate,
    pub limits: Limits,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            today: chrono::Utc::now().date_naive(),
            limits: Limits::default(),
        }
    }
}

fn identifier(el: &Element) -> String {
    let id = if el.name == "iati-organisation" {
        "organisation-identifier"
    } else {
        "iati-identifier"
    };
    el.child(id)
        .map(|e| e.text().trim().to_owned())
        .unwrap_or_default()
}

/// Validates one unit through the three layers.
pub fn validate_unit(
    schema: &'static schema::Schema,
    unit: Unit,
    opts: &Options,
) -> ActivityReport {
    report_of(schema, &unit.element, unit.ty, unit.errors, opts)
}

/// What the three layers concluded about a unit.
pub(crate) struct Verdict {
    pub schema_valid: bool,
    pub codelists_valid: bool,
    pub rules_valid: bool,
}

/// The three layers over a unit, each finding handed to `sink` as it is made (the grouped
/// reports group them there instead of collecting them). Returns the unit's identifier and
/// line with the verdict.
pub(crate) fn check_unit(
    schema: &'static schema::Schema,
    unit: Unit,
    opts: &Options,
    sink: &mut impl FnMut(Issue),
) -> ((String, u64), Verdict) {
    let verdict = check_layers(schema, &unit.element, unit.ty, unit.errors, opts, sink);
    ((identifier(&unit.element), unit.element.line), verdict)
}

fn check_layers(
    schema: &'static schema::Schema,
    el: &Element,
    ty: Option<&'static schema::TypeDef>,
    mut schema_errors: Vec<SchemaError>,
    opts: &Options,
    sink: &mut impl FnMut(Issue),
) -> Verdict {
    if let Some(ty) = ty {
        schema::validate_element(schema, el, ty, &mut schema_errors);
    }
    let schema_valid = schema_errors.is_empty();
    schema_errors
        .into_iter()
        .map(Issue::from_schema)
        .for_each(&mut *sink);
    let mut codelists_valid = true;
    for c in codelists::check_unit(el) {
        codelists_valid &= !c.error;
        sink(codelist_issue(c));
    }
    let mut rules_valid = true;
    for r in rules::check_unit(el, opts.today) {
        rules_valid &= !r.error;
        sink(Issue {
            layer: Layer::Rule,
            rule: r.id.to_owned(),
            severity: if r.error {
                Severity::Error
            } else {
                Severity::Warning
            },
            message: r.message,
            line: r.line,
            column: r.column,
            code: None,
        });
    }
    Verdict {
        schema_valid,
        codelists_valid,
        rules_valid,
    }
}

/// The three layers over a unit's parts: its element, the type the root gave it and the
/// root's content-model errors it raised.
fn report_of(
    schema: &'static schema::Schema,
    el: &Element,
    ty: Option<&'static schema::TypeDef>,
    schema_errors: Vec<SchemaError>,
    opts: &Options,
) -> ActivityReport {
    let mut errors = Vec::new();
    let v = check_layers(schema, el, ty, schema_errors, opts, &mut |i| errors.push(i));
    ActivityReport {
        identifier: identifier(el),
        line: el.line,
        schema_valid: v.schema_valid,
        codelists_valid: v.codelists_valid,
        rules_valid: v.rules_valid,
        errors,
    }
}

/// What one pass over a file's units found at the file level.
pub(crate) struct FilePass {
    header: Option<crate::reader::FileHeader>,
    root_errors: Vec<SchemaError>,
    xml_error: Option<crate::xml::XmlError>,
}

/// Hands `work(unit)` for every unit after the first `skip` to `each`, in file order, with
/// the bytes read so far. Extension elements at root level are skipped (lax wildcard) and
/// not counted.
pub(crate) fn units_sequential<R: BufRead, T>(
    input: R,
    limits: Limits,
    skip: usize,
    work: &impl Fn(&'static schema::Schema, crate::reader::Unit) -> T,
    each: &mut impl FnMut(T, u64),
) -> FilePass {
    let mut units = UnitReader::with_limits(input, limits);
    let mut seen = 0usize;
    let mut xml_error = None;
    loop {
        match units.next_unit() {
            Ok(Some(unit)) => {
                if unit.element.ns.is_some() && unit.errors.is_empty() {
                    continue;
                }
                seen += 1;
                if seen > skip {
                    let done = work(units.schema(), unit);
                    each(done, units.bytes_read());
                }
            }
            Ok(None) => break,
            Err(e) => {
                xml_error = Some(e);
                break;
            }
        }
    }
    FilePass {
        header: units.header().cloned(),
        root_errors: units.root_errors().to_vec(),
        xml_error,
    }
}

/// The input on `threads` threads, chunk by chunk, finishing sequentially (from a fresh
/// `open()`) when the fast path meets anything unusual. Same results as
/// [`units_sequential`] (tested on every real file).
pub(crate) fn units_of_source<R: std::io::Read, T: Send>(
    open: &impl Fn() -> std::io::Result<R>,
    limits: Limits,
    threads: usize,
    work: &(impl Fn(&'static schema::Schema, crate::reader::Unit) -> T + Sync),
    each: &mut impl FnMut(T, u64),
) -> std::io::Result<FilePass> {
    let (delivered, fallback, head) =
        crate::parallel::run_chunked(open()?, limits, threads, work, each)?;
    if fallback.is_some() {
        let again = BufReader::with_capacity(256 * 1024, open()?);
        return Ok(units_sequential(again, limits, delivered, work, each));
    }
    // Every chunk was clean, so the root's content model held; only its start tag is left
    // to check, by the same reader that checks it on the sequential path.
    let head = head.map(|h| h.bytes).unwrap_or_default();
    let mut root = UnitReader::with_limits(&head[..], limits);
    let opened = root.open();
    Ok(FilePass {
        header: root.header().cloned(),
        root_errors: root.root_errors().to_vec(),
        xml_error: opened.err(),
    })
}

fn tally(summary: &mut Summary, r: &ActivityReport) {
    summary.activities += 1;
    summary.schema_valid += usize::from(r.schema_valid);
    summary.codelists_valid += usize::from(r.codelists_valid);
    summary.rules_valid += usize::from(r.rules_valid);
    summary.fully_valid += usize::from(r.valid());
    for i in &r.errors {
        match i.severity {
            Severity::Error => summary.errors += 1,
            Severity::Warning => summary.warnings += 1,
        }
    }
}

fn codelist_issue(c: codelists::CodelistIssue) -> Issue {
    Issue {
        layer: Layer::Codelist,
        rule: c.codelist.to_owned(),
        severity: if c.error {
            Severity::Error
        } else {
            Severity::Warning
        },
        message: c.message,
        line: c.line,
        column: c.column,
        code: Some(c.finding),
    }
}

fn root_element(h: &crate::reader::FileHeader) -> Element {
    Element {
        name: h.root.as_str().into(),
        attrs: h.attrs.clone(),
        line: h.line,
        column: h.column,
        ..Element::default()
    }
}

/// Findings on the file itself, in the order the sequential reader meets them: the root's
/// codelists, a well-formedness error, the root's schema findings.
fn file_issues(pass: &mut FilePass) -> Vec<Issue> {
    let mut file_errors: Vec<Issue> = pass
        .header
        .as_ref()
        .map(|h| {
            codelists::check_root(&root_element(h))
                .into_iter()
                .map(codelist_issue)
                .collect()
        })
        .unwrap_or_default();
    if let Some(e) = pass.xml_error.clone() {
        file_errors.push(Issue {
            layer: Layer::Xml,
            rule: "not-well-formed".into(),
            severity: Severity::Error,
            message: e.message,
            line: e.line,
            column: e.column,
            code: None,
        });
    }
    file_errors.extend(pass.root_errors.drain(..).map(Issue::from_schema));
    file_errors
}

pub(crate) fn file_report(name: &str, mut pass: FilePass, summary: Summary) -> Report {
    let file_errors = file_issues(&mut pass);
    let well_formed = pass.xml_error.is_none();
    finish_report(name, pass.header, file_errors, well_formed, summary)
}

fn finish_report(
    name: &str,
    header: Option<crate::reader::FileHeader>,
    file_errors: Vec<Issue>,
    well_formed: bool,
    mut summary: Summary,
) -> Report {
    summary.well_formed = well_formed;
    for i in &file_errors {
        match i.severity {
            Severity::Error => summary.errors += 1,
            Severity::Warning => summary.warnings += 1,
        }
    }
    Report {
        file: name.to_owned(),
        root: header.as_ref().map(|h| h.root.clone()),
        version: header.and_then(|h| h.version),
        file_errors,
        activities: Vec::new(),
        summary,
    }
}

/// Validates a stream, handing each activity report to `each` as soon as it is ready, so
/// memory stays bounded whatever the file size. Returns the file-level part of the report
/// (with an empty `activities` list) and the summary.
pub fn validate_stream<R: BufRead>(
    name: &str,
    input: R,
    opts: &Options,
    mut each: impl FnMut(ActivityReport),
) -> Report {
    let mut summary = Summary::default();
    let work = |schema: &'static schema::Schema, unit| validate_unit(schema, unit, opts);
    let pass = units_sequential(input, opts.limits, 0, &work, &mut |r: ActivityReport, _| {
        tally(&mut summary, &r);
        each(r);
    });
    file_report(name, pass, summary)
}

/// Validates a file on disk with its activities spread over `threads` threads (memory stays
/// bounded: a few chunks of about [`crate::parallel::CHUNK_TARGET`] bytes are in flight).
/// The reports are those of [`validate_stream`], in file order.
pub fn validate_path(
    path: &Path,
    opts: &Options,
    threads: usize,
    mut each: impl FnMut(ActivityReport),
) -> std::io::Result<Report> {
    let mut summary = Summary::default();
    let work = |schema: &'static schema::Schema, unit| validate_unit(schema, unit, opts);
    let open = || std::fs::File::open(path);
    let pass = units_of_source(
        &open,
        opts.limits,
        threads,
        &work,
        &mut |r: ActivityReport, _| {
            tally(&mut summary, &r);
            each(r);
        },
    )?;
    Ok(file_report(&path.display().to_string(), pass, summary))
}

/// Validates a stream and collects every activity report.
pub fn validate_reader<R: BufRead>(name: &str, input: R, opts: &Options) -> Report {
    let mut acts = Vec::new();
    let mut report = validate_stream(name, input, opts, |a| acts.push(a));
    report.activities = acts;
    report
}

/// Validates a file on disk, on one thread.
pub fn validate_file(path: &Path, opts: &Options) -> std::io::Result<Report> {
    let f = std::fs::File::open(path)?;
    Ok(validate_reader(
        &path.display().to_string(),
        BufReader::with_capacity(256 * 1024, f),
        opts,
    ))
}

/// Validates several files on `threads` threads, keeping the input order. Many files are
/// spread over the threads whole (a small file is one chunk, so cutting it gains nothing);
/// fewer files than twice the threads are each cut into chunks of whole activities.
pub fn validate_files(
    paths: &[std::path::PathBuf],
    opts: &Options,
    threads: usize,
) -> Vec<std::io::Result<Report>> {
    let threads = threads.max(1);
    if paths.len() < 2 * threads {
        return paths
            .iter()
            .map(|p| {
                let mut acts = Vec::new();
                let mut report = validate_path(p, opts, threads, |a| acts.push(a))?;
                report.activities = acts;
                Ok(report)
            })
            .collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let slots: Vec<std::sync::Mutex<Option<std::io::Result<Report>>>> =
        paths.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(p) = paths.get(i) else { break };
                    let r = validate_file(p, opts);
                    // A poisoned slot only means another worker panicked; this one is free.
                    if let Ok(mut slot) = slots[i].lock() {
                        *slot = Some(r);
                    }
                }
            });
        }
    });
    slots
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .ok()
                .flatten()
                .unwrap_or_else(|| Err(std::io::Error::other("validation worker failed")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_validation_keeps_order_and_results() {
        let dir = std::env::temp_dir().join(format!("aidtrace-iati-par-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("tmp dir");
        let mut paths = Vec::new();
        for i in 0..5 {
            let p = dir.join(format!("{i}.xml"));
            let body = if i == 3 {
                "<broken".to_owned()
            } else {
                format!(
                    "<iati-activities version=\"2.03\"><iati-activity><iati-identifier>X-{i}</iati-identifier></iati-activity></iati-activities>"
                )
            };
            std::fs::write(&p, body).expect("write");
            paths.push(p);
        }
        paths.push(dir.join("missing.xml"));
        let opts = Options::default();
        let par = validate_files(&paths, &opts, 2);
        let seq = validate_files(&paths, &opts, 1);
        assert_eq!(par.len(), 6);
        for (a, b) in par.iter().zip(&seq) {
            match (a, b) {
                (Ok(a), Ok(b)) => assert_eq!(a, b),
                (Err(_), Err(_)) => {}
                _ => panic!("parallel and sequential results differ"),
            }
        }
        assert!(!par[3].as_ref().expect("read").summary.well_formed);
        assert_eq!(
            par[4].as_ref().expect("read").activities[0].identifier,
            "X-4"
        );
        assert!(par[5].is_err());
        std::fs::remove_dir_all(&dir).ok();
    }
}

/// One root child read and checked: its report, and the model when it is an activity or
/// an organisation (what an importer accepts or rejects).
#[derive(Debug, Clone)]
pub struct Checked {
    pub report: ActivityReport,
    pub activity: Option<crate::model::IatiActivity>,
    pub organisation: Option<crate::model::IatiOrganisation>,
    /// 1-based (line, column) of the element's start tag.
    pub position: (u64, u64),
}

/// Checks a unit through the three layers and reads its model.
fn checked(schema: &'static schema::Schema, unit: Unit, opts: &Options) -> Checked {
    let Unit {
        element: el,
        ty,
        errors,
    } = unit;
    // A unit the root's content model rejected is not checked against a type, so it has no
    // schema errors without being schema-valid.
    let checked_by_schema = ty.is_some();
    let report = report_of(schema, &el, ty, errors, opts);
    let position = (el.line, el.column);
    let (activity, organisation) = match (el.is_iati(), el.name.as_str()) {
        (true, "iati-activity") if report.schema_valid && checked_by_schema => (
            Some(crate::model::IatiActivity::from_schema_valid_element(&el)),
            None,
        ),
        (true, "iati-activity") => (Some(crate::model::IatiActivity::from_element(&el)), None),
        (true, "iati-organisation") => (
            None,
            Some(crate::model::IatiOrganisation::from_element(&el)),
        ),
        _ => (None, None),
    };
    Checked {
        report,
        activity,
        organisation,
        position,
    }
}

/// What a whole-file pass found on the file itself.
#[derive(Debug, Clone)]
pub struct FileChecked {
    pub header: Option<crate::reader::FileHeader>,
    /// Findings on the file itself (root codelists, well-formedness, root content model).
    pub issues: Vec<Issue>,
    /// Set when the file stops being well-formed; nothing after it was read.
    pub xml_error: Option<crate::xml::XmlError>,
}

impl FileChecked {
    /// The validation report of the file, given every unit's report in file order: what
    /// [`validate_reader`] gives for the same input, so an importer need not read it twice.
    pub fn report(&self, name: &str, activities: Vec<ActivityReport>) -> Report {
        let mut summary = Summary::default();
        for a in &activities {
            tally(&mut summary, a);
        }
        let mut report = finish_report(
            name,
            self.header.clone(),
            self.issues.clone(),
            self.xml_error.is_none(),
            summary,
        );
        report.activities = activities;
        report
    }
}

/// For importers: every activity or organisation of the input with its model and its
/// three-layer report, in file order, parsed on `threads` threads; `each` also gets the
/// number of input bytes read so far. `open` is called again if the input has to be
/// re-read from the start on the sequential path (see [`validate_path`]).
pub fn check_source<R: std::io::Read>(
    open: impl Fn() -> std::io::Result<R>,
    opts: &Options,
    threads: usize,
    each: impl FnMut(Checked, u64),
) -> std::io::Result<FileChecked> {
    check_source_then(open, opts, threads, |c| c, each)
}

/// [`check_source`] with `then` applied to each unit on the thread that read it, so that an
/// importer's own per-activity work runs on all cores too.
pub fn check_source_then<R: std::io::Read, T: Send>(
    open: impl Fn() -> std::io::Result<R>,
    opts: &Options,
    threads: usize,
    then: impl Fn(Checked) -> T + Sync,
    mut each: impl FnMut(T, u64),
) -> std::io::Result<FileChecked> {
    let work = |schema: &'static schema::Schema, unit| then(checked(schema, unit, opts));
    let mut pass = units_of_source(&open, opts.limits, threads, &work, &mut each)?;
    let issues = file_issues(&mut pass);
    Ok(FileChecked {
        header: pass.header,
        issues,
        xml_error: pass.xml_error,
    })
}
