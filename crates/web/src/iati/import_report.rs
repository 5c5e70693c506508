//! The report `/import` shows for an upload of one or many files: per file and in total, the
//! three layers' counts and the findings grouped by layer, rule and message with their count
//! and first locations (the grouping of `aidtrace iati validate`, taken one step further across
//! activities and files), then for an import each file's outcome.
//!
//! Each file's grouped report is folded into a few rows as soon as it is ready, so a 98-file
//! upload holds rows, not findings.

use std::collections::HashMap;

use aidtrace_iati::codelists::CodeFinding;
use aidtrace_iati::grouped::{FIRST_LINES, GroupedReport, IssueGroup};
use aidtrace_iati::validate::{Layer, Severity, Summary};
use aidtrace_service::iati::{FileImport, Outcome};
use maud::{Markup, html};

use crate::i18n::{self, t, ta};
use crate::iati::labels;

/// Rows shown per file and in total; the rest is counted in a line under the table.
const ROWS_PER_FILE: usize = 25;
const ROWS_TOTAL: usize = 100;
/// Rejected activities listed per file.
const REJECTED_SHOWN: usize = 20;

/// Findings of one layer, rule, severity and message, over activities (and files).
#[derive(Debug, Clone)]
pub struct Row {
    pub layer: Layer,
    pub severity: Severity,
    pub rule: String,
    pub message: String,
    pub count: u64,
    /// Activities (or files, for a file's own findings) with at least one such finding.
    pub places: u64,
    /// The first locations: file and line.
    pub first: Vec<(usize, u64)>,
    /// A codelist row's code and why it is refused, for its heading (the same for every group
    /// of the row: the message names both).
    pub code: Option<CodeFinding>,
}

type Key = (Layer, Severity, String, String);

/// Rows in the order their first finding was met.
#[derive(Debug, Default)]
pub struct Rows {
    rows: Vec<Row>,
    index: HashMap<Key, usize>,
}

impl Rows {
    fn add(&mut self, file: usize, g: &IssueGroup) {
        let key = (g.layer, g.severity, g.rule.clone(), g.message.clone());
        let i = *self.index.entry(key).or_insert_with(|| {
            self.rows.push(Row {
                layer: g.layer,
                severity: g.severity,
                rule: g.rule.clone(),
                message: g.message.clone(),
                count: 0,
                places: 0,
                first: Vec::new(),
                code: g.code.clone(),
            });
            self.rows.len() - 1
        });
        let row = &mut self.rows[i];
        row.count = row.count.saturating_add(g.count);
        row.places = row.places.saturating_add(1);
        for line in &g.lines {
            if row.first.len() >= FIRST_LINES {
                break;
            }
            row.first.push((file, *line));
        }
    }

    fn merge(&mut self, other: &Rows) {
        for r in &other.rows {
            let key = (r.layer, r.severity, r.rule.clone(), r.message.clone());
            match self.index.get(&key) {
                Some(&i) => {
                    let row = &mut self.rows[i];
                    row.count = row.count.saturating_add(r.count);
                    row.places = row.places.saturating_add(r.places);
                    let room = FIRST_LINES.saturating_sub(row.first.len());
                    row.first.extend(r.first.iter().take(room));
                }
                None => {
                    self.index.insert(key, self.rows.len());
                    self.rows.push(r.clone());
                }
            }
        }
    }

    pub fn rows(&self) -> &[Row] {
        &self.rows
    }
}

/// What happened to one file on import.
#[derive(Debug, Clone, Default)]
pub struct FileOutcome {
    pub accepted: usize,
    pub rejected: usize,
    pub kept_newer: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub refused: Option<String>,
    /// The first rejected activities: line, identifier, reasons.
    pub rejections: Vec<(u64, String, String)>,
    /// Elements accepted activities were imported without (a flawed budget, say).
    pub left_out: usize,
    /// The first of them: line, identifier, element, reason.
    pub left_out_shown: Vec<(u64, String, String, String)>,
}

impl FileOutcome {
    fn of(r: &FileImport) -> Self {
        let rejections = r
            .activities
            .iter()
            .filter_map(|a| match &a.outcome {
                Outcome::Rejected { reasons } => {
                    Some((a.line, a.identifier.clone(), reasons.join("; ")))
                }
                _ => None,
            })
            .take(REJECTED_SHOWN)
            .collect();
        FileOutcome {
            accepted: r.accepted,
            rejected: r.rejected,
            kept_newer: r.kept_newer,
            created: r.records_created,
            updated: r.records_updated,
            unchanged: r.records_unchanged,
            refused: r.refused.clone(),
            rejections,
            left_out: r.left_out,
            left_out_shown: r
                .activities
                .iter()
                .flat_map(|a| {
                    a.left_out.iter().map(move |l| {
                        (
                            l.line,
                            a.identifier.clone(),
                            l.element.clone(),
                            l.reason.clone(),
                        )
                    })
                })
                .take(REJECTED_SHOWN)
                .collect(),
        }
    }
}

/// One file, folded.
#[derive(Debug)]
pub struct FileReport {
    pub name: String,
    pub summary: Summary,
    pub rows: Rows,
    pub outcome: Option<FileOutcome>,
}

impl FileReport {
    /// Folds a file's grouped report; `index` is the file's place in the upload.
    pub fn of(index: usize, name: String, r: &GroupedReport) -> Self {
        let mut rows = Rows::default();
        for g in &r.file_errors {
            rows.add(index, g);
        }
        for a in &r.activities {
            for g in &a.errors {
                rows.add(index, g);
            }
        }
        FileReport {
            name,
            summary: r.summary.clone(),
            rows,
            outcome: None,
        }
    }

    /// An imported file: its validation report and its outcome.
    pub fn imported(index: usize, name: String, mut r: FileImport) -> Self {
        let outcome = FileOutcome::of(&r);
        let mut report = match r.validation.take() {
            Some(v) => Self::of(index, name, &GroupedReport::from_report(v)),
            None => FileReport {
                name,
                summary: Summary::default(),
                rows: Rows::default(),
                outcome: None,
            },
        };
        report.outcome = Some(outcome);
        report
    }

    /// A file the service refused outright (nothing of it written), with why.
    pub fn failed(name: String, why: String) -> Self {
        FileReport {
            name,
            // Unknown, not "broken": the refusal's reason says what went wrong.
            summary: Summary {
                well_formed: true,
                ..Summary::default()
            },
            rows: Rows::default(),
            outcome: Some(FileOutcome {
                refused: Some(why),
                ..FileOutcome::default()
            }),
        }
    }
}

/// The whole upload.
#[derive(Debug, Default)]
pub struct UploadReport {
    pub files: Vec<FileReport>,
    /// Archive members not read, with why (worded when the report is shown).
    pub skipped: Vec<(String, crate::iati::refusals::Skip)>,
}

fn add_summary(total: &mut Summary, s: &Summary) {
    total.well_formed &= s.well_formed;
    total.activities += s.activities;
    total.schema_valid += s.schema_valid;
    total.codelists_valid += s.codelists_valid;
    total.rules_valid += s.rules_valid;
    total.fully_valid += s.fully_valid;
    total.errors += s.errors;
    total.warnings += s.warnings;
}

impl UploadReport {
    fn totals(&self) -> (Summary, Rows) {
        let mut summary = Summary {
            well_formed: true,
            ..Summary::default()
        };
        let mut rows = Rows::default();
        for f in &self.files {
            add_summary(&mut summary, &f.summary);
            rows.merge(&f.rows);
        }
        (summary, rows)
    }

    fn outcome_total(&self) -> Option<FileOutcome> {
        let mut any = false;
        let mut t = FileOutcome::default();
        for o in self.files.iter().filter_map(|f| f.outcome.as_ref()) {
            any = true;
            t.accepted += o.accepted;
            t.rejected += o.rejected;
            t.kept_newer += o.kept_newer;
            t.created += o.created;
            t.updated += o.updated;
            t.unchanged += o.unchanged;
        }
        any.then_some(t)
    }

    pub fn render(&self) -> Markup {
        let (summary, total_rows) = self.totals();
        let many = self.files.len() > 1;
        let title = if many {
            ta(
                "import-report-title-files",
                &[("count", &self.files.len().to_string())],
            )
        } else {
            let name = self.files.first().map(|f| f.name.as_str()).unwrap_or("");
            ta("import-report-title", &[("file", name)])
        };
        html! {
            h2 id="report-title" { (title) }
            // Several files: each says so in its own section.
            @if !many && !summary.well_formed {
                p class="error" id="not-well-formed" { (t("import-not-well-formed")) }
            }
            (layers(&summary, Some("layers")))
            @if !self.skipped.is_empty() {
                h3 { (t("import-skipped")) }
                ul id="skipped" {
                    @for (name, why) in &self.skipped { li { code { (name) } ": " (why.text()) } }
                }
            }
            @if let Some(total) = self.outcome_total() { (self.outcomes(&total)) }
            @if many {
                h3 { (t("import-problems-total")) }
                (rows_table(self, total_rows.rows(), ROWS_TOTAL, "issues-total", true))
            }
            @for (i, f) in self.files.iter().enumerate() {
                section class="file-report" id=(format!("file-{i}")) {
                    @if many { h3 { (ta("import-report-title", &[("file", &f.name)])) } (layers(&f.summary, None)) }
                    @if many && !f.summary.well_formed {
                        p class="error" { (t("import-not-well-formed")) }
                    }
                    h3 { (t("import-problems-grouped")) }
                    (rows_table(self, f.rows.rows(), ROWS_PER_FILE, if many { "" } else { "issues" }, false))
                }
            }
        }
    }

    fn outcomes(&self, total: &FileOutcome) -> Markup {
        html! {
            h2 id="import-title" { (t("title-import")) }
            p id="import-result" { (ta("import-result", &[
                ("accepted", &total.accepted.to_string()), ("rejected", &total.rejected.to_string()),
                ("kept", &total.kept_newer.to_string()), ("created", &total.created.to_string()),
                ("updated", &total.updated.to_string())])) }
            table id="import-summary" class="list" {
                tr {
                    th { (t("import-col-file")) } th { (t("import-col-accepted")) } th { (t("import-col-rejected")) }
                    th { (t("import-col-kept")) } th { (t("import-col-created")) } th { (t("import-col-updated")) }
                    th { (t("import-col-unchanged")) } th { (t("import-col-refused")) }
                }
                @for f in &self.files {
                    @if let Some(o) = &f.outcome {
                        tr class=(if o.refused.is_some() { "file-outcome refused" } else { "file-outcome" }) {
                            td { (f.name) } td { (o.accepted) } td { (o.rejected) } td { (o.kept_newer) }
                            td class="created" { (o.created) } td class="updated" { (o.updated) } td class="unchanged" { (o.unchanged) }
                            td class="refused" { @if let Some(why) = &o.refused { (t("import-refused")) ": " (why) } }
                        }
                    }
                }
                tr class="total" {
                    th { (t("import-total")) } td { (total.accepted) } td { (total.rejected) } td { (total.kept_newer) }
                    td { (total.created) } td { (total.updated) } td { (total.unchanged) }
                    td { (self.files.iter().filter(|f| f.outcome.as_ref().is_some_and(|o| o.refused.is_some())).count()) }
                }
            }
            @for f in &self.files {
                @if let Some(o) = &f.outcome {
                    @for (line, id, why) in &o.rejections {
                        p class="error rejected" { (f.name) ", " (ta("import-line", &[("line", &line.to_string())])) ": " (id) " — " (t("import-rejected")) ": " (why) }
                    }
                    @if o.rejected > o.rejections.len() {
                        p class="muted" { (f.name) ": " (ta("import-more-rejected", &[("count", &(o.rejected - o.rejections.len()).to_string())])) }
                    }
                    @if o.left_out > 0 {
                        p class="import-left-out" { (f.name) ": " (ta("import-left-out-count", &[("count", &o.left_out.to_string())])) }
                    }
                    @for (line, id, element, reason) in &o.left_out_shown {
                        p class="warn left-out" { (f.name) ", " (ta("import-line", &[("line", &line.to_string())])) ": " (id) " — " (ta("import-left-out", &[("element", element), ("reason", reason)])) }
                    }
                }
            }
        }
    }
}

fn layers(s: &Summary, id: Option<&str>) -> Markup {
    html! {
        table id=[id] class="layers" {
            tr { th { (t("import-col-activities")) } th { (t("import-col-schema")) } th { (t("import-col-codelists")) } th { (t("import-col-rules")) } th { (t("import-col-errors")) } th { (t("import-col-warnings")) } }
            tr { td { (s.activities) } td { (s.schema_valid) } td { (s.codelists_valid) } td { (s.rules_valid) } td { (s.errors) } td { (s.warnings) } }
        }
    }
}

/// A row's finding: a heading in the reader's language from the row's fields, then the
/// validator's English message as it words it (users search for it), unless the heading is that
/// very sentence (an English codelist finding).
fn message_cell(r: &Row) -> Markup {
    let heading = labels::heading(r.layer, &r.rule, r.code.as_ref());
    html! {
        td class="message" {
            span class="finding-heading" { (heading) }
            @if heading != r.message {
                br;
                small class="muted finding-original" lang="en" { (r.message) }
            }
        }
    }
}

fn rows_table(
    report: &UploadReport,
    rows: &[Row],
    max: usize,
    id: &str,
    with_file: bool,
) -> Markup {
    let id = (!id.is_empty()).then_some(id);
    let locations = |r: &Row| {
        let shown: Vec<String> = r
            .first
            .iter()
            .map(|(file, line)| match report.files.get(*file) {
                Some(f) if with_file => format!("{}:{line}", f.name),
                _ => line.to_string(),
            })
            .collect();
        let more = if r.count > r.first.len() as u64 {
            ", …"
        } else {
            ""
        };
        format!("{}{more}", shown.join(", "))
    };
    html! {
        @if rows.is_empty() {
            p class="muted" { (t("import-no-problems")) }
        } @else {
            table id=[id] class="issues" {
                tr { th { (t("col-layer")) } th { (t("col-rule")) } th { (t("col-severity")) } th { (t("col-message")) } th { (t("import-col-count")) } th { (t("import-col-places")) } th { (t("import-col-lines")) } }
                @for r in rows.iter().take(max) {
                    tr class="issue-group" {
                        td { (labels::layer(r.layer)) }
                        td { code { (r.rule) } }
                        td { (i18n::value(if r.severity == Severity::Error { "error" } else { "warning" })) }
                        (message_cell(r))
                        td class="count" { (r.count) }
                        td class="places" { (r.places) }
                        td class="lines" { (locations(r)) }
                    }
                }
            }
            @if rows.len() > max {
                p class="muted" { (ta("import-more-groups", &[("count", &(rows.len() - max).to_string())])) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(rule: &str, count: u64, lines: &[u64]) -> IssueGroup {
        IssueGroup {
            layer: Layer::Rule,
            rule: rule.into(),
            severity: Severity::Error,
            message: format!("{rule} broken"),
            line: lines[0],
            column: 1,
            count,
            lines: lines.to_vec(),
            code: None,
        }
    }

    #[test]
    fn rows_add_up_over_activities_and_files_keeping_the_first_locations() {
        let mut a = Rows::default();
        a.add(0, &group("6.2.2", 3, &[4, 9, 12]));
        a.add(0, &group("6.2.2", 2, &[40, 41]));
        a.add(0, &group("4.1.1", 1, &[2]));
        let mut b = Rows::default();
        b.add(1, &group("6.2.2", 7, &[5, 6, 7, 8, 10]));
        let mut total = Rows::default();
        total.merge(&a);
        total.merge(&b);
        let r = &total.rows()[0];
        assert_eq!((r.rule.as_str(), r.count, r.places), ("6.2.2", 12, 3));
        assert_eq!(r.first, vec![(0, 4), (0, 9), (0, 12), (0, 40), (0, 41)]);
        assert_eq!(total.rows()[1].count, 1);
        assert_eq!(total.rows().len(), 2);
    }
}
