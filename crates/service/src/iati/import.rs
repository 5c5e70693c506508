//! The import pipeline: files are read and checked on all cores, each activity mapped on the
//! thread that read it; the writer judges each against the ledger (newer wins, repeated
//! identifiers, parents) and writes the file in one transaction.

use std::collections::{HashMap, HashSet};

use aidtrace_domain::model::{Record, Source, SourceKind};
use aidtrace_domain::{RecordId, RecordKind};
use aidtrace_iati::validate::{ActivityReport, Checked, Options, check_source_then};
use chrono::DateTime;

use super::links::{
    MissingParent, Out, Pending, WaitingForParent, add_note, drop_parent_link, in_file,
    settle_links,
};
use super::mapping::{MapContext, Mapped, Orgs, map_activity, record_id};
use super::{ActivityImport, FileImport, ImportOptions, LayerCounts, Outcome};
use crate::error::{ServiceError, ServiceResult};
use crate::{Aidtrace, RecordWriter};

/// For an activity another file already brought: only a strictly newer timestamp replaces
/// it; without timestamps on both sides the stored one stays.
fn strictly_newer(incoming: Option<&str>, stored: Option<&str>) -> bool {
    let parse = |s: &str| DateTime::parse_from_rfc3339(s.trim()).ok();
    match (incoming.and_then(parse), stored.and_then(parse)) {
        (Some(i), Some(s)) => i > s,
        (Some(_), None) => true,
        _ => false,
    }
}

fn newer_or_same(incoming: Option<&str>, stored: Option<&str>) -> bool {
    let parse = |s: &str| DateTime::parse_from_rfc3339(s.trim()).ok();
    match (incoming.and_then(parse), stored.and_then(parse)) {
        (Some(i), Some(s)) => i >= s,
        _ => true,
    }
}

/// An activity as the reading threads hand it to the writer: mapped into ledger records there,
/// with the organisations and sources it names.
struct ReadActivity {
    identifier: String,
    /// `record_id("iati-", identifier)` and `scan::identifier_key(identifier)`, worked out
    /// here rather than on the writer.
    id: RecordId,
    key: u64,
    last_updated: Option<String>,
    mapped: Result<Mapped, Vec<String>>,
    orgs: Orgs,
}

/// Which of the three layers a unit passed.
#[derive(Clone, Copy)]
struct Layers {
    schema_valid: bool,
    codelists_valid: bool,
    rules_valid: bool,
}

/// One unit of a file: the layers it passed, its whole report when the import gives a
/// validation report, and where it starts.
struct ReadUnit {
    layers: Layers,
    report: Option<ActivityReport>,
    position: (u64, u64),
    activity: Option<ReadActivity>,
}

/// Mapping runs on the thread that read the activity, so the writer only writes; the
/// findings are kept only when asked for.
fn read_unit(checked: Checked, file: &FileContext<'_>, keep_report: bool) -> ReadUnit {
    let activity = checked.activity.map(|a| {
        let mut orgs = Orgs::default();
        let id = record_id("iati-", &a.identifier);
        let mapped = if a.identifier.trim().is_empty() {
            Err(vec!["no iati-identifier".to_string()])
        } else {
            let ctx = MapContext {
                source: &file.source,
                file: file.name,
                line: checked.position.0,
                strict: file.strict,
            };
            map_activity(&a, &id, &ctx, &mut orgs)
        };
        ReadActivity {
            key: aidtrace_iati::scan::identifier_key(&a.identifier),
            id,
            identifier: a.identifier,
            last_updated: a.last_updated_datetime,
            mapped,
            orgs,
        }
    });
    let report = checked.report;
    ReadUnit {
        layers: Layers {
            schema_valid: report.schema_valid,
            codelists_valid: report.codelists_valid,
            rules_valid: report.rules_valid,
        },
        report: keep_report.then_some(report),
        position: checked.position,
        activity,
    }
}

/// What the reading side of an import hands to the writing side, file after file: each
/// activity with its three-layer report and the file bytes read when it was ready, then the
/// file's own findings (or why it could not be read).
enum Parsed {
    /// A file begins: how often each identifier occurs in it (`scan::identifier_counts`),
    /// counted on the reading side so that the writer only writes.
    Begin(HashMap<u64, u32>),
    Unit(Box<ReadUnit>, u64),
    End(std::io::Result<aidtrace_iati::validate::FileChecked>),
}

/// The reader's messages about one file, as the writer takes them: remembers whether the
/// file's end has come, so that a file the writer gave up on can be skipped to its end and
/// the next file taken (see [`Aidtrace::import_iati_files_each`]).
struct FileMessages<'r> {
    rx: &'r std::sync::mpsc::Receiver<Parsed>,
    file_name: &'r str,
    ended: bool,
}

impl<'r> FileMessages<'r> {
    fn new(rx: &'r std::sync::mpsc::Receiver<Parsed>, file_name: &'r str) -> Self {
        Self {
            rx,
            file_name,
            ended: false,
        }
    }

    fn next(&mut self) -> ServiceResult<Parsed> {
        if self.ended {
            return Err(self.stopped());
        }
        let message = self.rx.recv().map_err(|_| self.stopped())?;
        self.ended = matches!(message, Parsed::End(_));
        Ok(message)
    }

    /// The identifier counts the reader sends first for every file.
    fn counts(&mut self) -> ServiceResult<HashMap<u64, u32>> {
        match self.next()? {
            Parsed::Begin(counts) => Ok(counts),
            _ => Err(self.stopped()),
        }
    }

    /// Passes over what is left of the file; an error only when the reader has gone.
    fn skip_rest(&mut self) -> ServiceResult<()> {
        while !self.ended {
            self.next()?;
        }
        Ok(())
    }

    fn stopped(&self) -> ServiceError {
        ServiceError::Io(format!(
            "{}: the reader stopped unexpectedly",
            self.file_name
        ))
    }
}

/// How an import gets a file's bytes from the start (called again if the parallel reader hands
/// over to the sequential one).
type Opener<'a, R> = &'a (dyn Fn() -> std::io::Result<R> + Sync);

/// Activities read ahead of the writer at most: enough for the reader to run a few files
/// ahead while one is written, few enough to keep memory small whatever the file size.
const READ_AHEAD: usize = 512;

/// Reads and checks the files one after the other on all cores (see
/// `aidtrace_iati::validate::check_source`), sending what it finds to the writer. Stops when
/// the writer has gone.
/// What every activity of a file is mapped with.
struct FileContext<'a> {
    name: &'a str,
    /// `record_id("src-iati-", name)`.
    source: RecordId,
    strict: bool,
}

fn read_files<R: std::io::Read>(
    sources: &[(String, Opener<'_, R>)],
    every_unit: bool,
    strict: bool,
    tx: &std::sync::mpsc::SyncSender<Parsed>,
) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    for (name, open) in sources {
        let file = FileContext {
            name,
            source: record_id("src-iati-", name),
            strict,
        };
        // A file that cannot be opened is reported at its end; no counts then.
        let counts = open()
            .and_then(aidtrace_iati::scan::identifier_counts)
            .unwrap_or_default();
        if tx.send(Parsed::Begin(counts)).is_err() {
            return;
        }
        let mut gone = false;
        let file = check_source_then(
            open,
            &Options::default(),
            threads,
            |checked| read_unit(checked, &file, every_unit),
            |unit, bytes| {
                if !gone && (every_unit || unit.activity.is_some()) {
                    gone = tx.send(Parsed::Unit(Box::new(unit), bytes)).is_err();
                }
            },
        );
        if gone || tx.send(Parsed::End(file)).is_err() {
            return;
        }
    }
}

impl Aidtrace {
    /// Imports one IATI activity file, atomically. `open` gives the file's bytes from the
    /// start (it is called again only if the parallel reader hands over to the sequential
    /// one); `progress` is told the bytes read and activities seen.
    pub fn import_iati<R: std::io::Read>(
        &mut self,
        actor: &str,
        file_name: &str,
        open: impl Fn() -> std::io::Result<R> + Sync,
        options: ImportOptions,
        progress: &mut dyn FnMut(u64, usize),
    ) -> ServiceResult<FileImport> {
        let mut reports = self.import_sources(
            actor,
            &[(file_name.to_string(), &open)],
            options,
            false,
            &mut |_, bytes, activities| progress(bytes, activities),
        )?;
        reports
            .pop()
            .ok_or_else(|| ServiceError::Io(format!("{file_name}: nothing was read")))?
    }

    /// Imports files one after the other, each atomically, while the reader runs ahead on
    /// other threads (the next file is read and checked while this one is written). Stops at
    /// the first file that cannot be read or written; `progress` is told the file's index,
    /// its bytes read and its activities seen.
    pub fn import_iati_files(
        &mut self,
        actor: &str,
        files: &[std::path::PathBuf],
        options: ImportOptions,
        progress: &mut dyn FnMut(usize, u64, usize),
    ) -> ServiceResult<Vec<FileImport>> {
        with_file_sources(files, |sources| {
            self.import_sources(actor, sources, options, false, progress)?
                .into_iter()
                .collect()
        })
    }

    /// As [`Self::import_iati_files`] (the same read-ahead on all cores, one transaction per
    /// file, parents linked across the run), but a file that cannot be read or written is
    /// that file's error, with nothing of it written, and the next file still goes in: an
    /// upload of many files reports on each. The outer error is one that stops the whole run
    /// (the store failing at the end of the run).
    pub fn import_iati_files_each(
        &mut self,
        actor: &str,
        files: &[std::path::PathBuf],
        options: ImportOptions,
        progress: &mut dyn FnMut(usize, u64, usize),
    ) -> ServiceResult<Vec<ServiceResult<FileImport>>> {
        with_file_sources(files, |sources| {
            self.import_sources(actor, sources, options, true, progress)
        })
    }

    /// `keep_going`: a file's error is its entry in the result, and the run goes on with
    /// the next file; otherwise the first such error ends the run.
    fn import_sources<R: std::io::Read>(
        &mut self,
        actor: &str,
        sources: &[(String, Opener<'_, R>)],
        options: ImportOptions,
        keep_going: bool,
        progress: &mut dyn FnMut(usize, u64, usize),
    ) -> ServiceResult<Vec<ServiceResult<FileImport>>> {
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel(READ_AHEAD);
            let every_unit = options.validation_report;
            let strict = options.strict;
            scope.spawn(move || read_files(sources, every_unit, strict, &tx));
            let mut reports = Vec::with_capacity(sources.len());
            let mut unlinked = Vec::new();
            for (i, source) in sources.iter().enumerate() {
                let mut messages = FileMessages::new(&rx, &source.0);
                // Returning drops `rx`, which stops the reader before the scope waits for it.
                let imported = self.import_parsed(
                    actor,
                    source,
                    &mut messages,
                    options,
                    &mut |bytes, activities| progress(i, bytes, activities),
                );
                let (report, missing) = match imported {
                    Ok(done) => done,
                    Err(e) if keep_going => {
                        // Its transaction was rolled back; the reader may be mid-way in it.
                        messages.skip_rest()?;
                        reports.push(Err(e));
                        continue;
                    }
                    Err(e) => return Err(e),
                };
                // A later file's copy of a child replaces the earlier one, parent link and all.
                let replaced: HashSet<RecordId> = report
                    .activities
                    .iter()
                    .filter(|_| report.refused.is_none())
                    .filter(|a| matches!(a.outcome, Outcome::Accepted { .. }))
                    .map(|a| record_id("iati-", &a.identifier))
                    .collect();
                unlinked.retain(|(_, m): &(usize, MissingParent)| !replaced.contains(&m.child));
                unlinked.extend(missing.into_iter().map(|m| (i, m)));
                reports.push(Ok(report));
            }
            self.link_later_parents(actor, &unlinked, &mut reports)?;
            Ok(reports)
        })
    }

    /// A parent may come in a later file of the same run: once all files are in, such links
    /// are made (in one more transaction), so that one run gives the whole hierarchy and
    /// running it again changes nothing.
    fn link_later_parents(
        &mut self,
        actor: &str,
        unlinked: &[(usize, MissingParent)],
        reports: &mut [ServiceResult<FileImport>],
    ) -> ServiceResult<()> {
        if unlinked.is_empty() {
            return Ok(());
        }
        let mut writer = self.writer(actor)?;
        let mut linked = Vec::new();
        for (file, missing) in unlinked {
            if !writer.exists(RecordKind::Activity, &missing.parent)? {
                continue;
            }
            let Some(Record::Activity(mut child)) =
                writer.get(RecordKind::Activity, &missing.child)?
            else {
                continue;
            };
            if child.parent.is_some() {
                continue;
            }
            child.parent = Some(missing.parent.clone());
            let (note, made) = match writer.put_group(vec![Record::Activity(child)]) {
                Ok(()) => (
                    format!(
                        "parent activity {} came later in the run; linked at the end of the import",
                        missing.parent
                    ),
                    true,
                ),
                Err(ServiceError::Invalid { error, .. }) => (
                    format!(
                        "parent activity {} came later in the run; link kept out: {error}",
                        missing.parent
                    ),
                    false,
                ),
                Err(other) => return Err(other),
            };
            linked.push((*file, missing, note, made));
        }
        writer.commit()?;
        for (file, missing, note, made) in linked {
            let Some(Ok(report)) = reports.get_mut(file) else {
                continue;
            };
            report.records_updated += usize::from(made);
            if let Some(ActivityImport {
                outcome: Outcome::Accepted { notes },
                ..
            }) = report.activities.get_mut(missing.entry)
            {
                notes.retain(|n| *n != missing.note);
                notes.push(note);
            }
        }
        Ok(())
    }

    /// Writes a parsed file into the ledger, atomically: activity by activity into one
    /// transaction while the reader goes on, committed when the file has been read and passes.
    /// `progress` is told the bytes read and activities seen.
    fn import_parsed<R: std::io::Read>(
        &mut self,
        actor: &str,
        (file_name, open): &(String, Opener<'_, R>),
        messages: &mut FileMessages<'_>,
        options: ImportOptions,
        progress: &mut dyn FnMut(u64, usize),
    ) -> ServiceResult<(FileImport, Vec<MissingParent>)> {
        let identifier_counts = messages.counts()?;
        let links = crate::orgs::ImportLinks::for_import(self)?;
        let mut run = FileRun::start(self.writer(actor)?, file_name, identifier_counts)?;
        run.orgs.links = links;
        let file = loop {
            match messages.next()? {
                Parsed::Unit(unit, bytes) => run.take(*unit, bytes, progress)?,
                Parsed::End(Ok(file)) => break file,
                Parsed::End(Err(e)) => {
                    return Err(ServiceError::NotFound(format!("{file_name}: {e}")));
                }
                Parsed::Begin(_) => return Err(messages.stopped()),
            }
        };
        // Returning before the commit drops the writer, which rolls the transaction back.
        let (report, missing, committed) = run.finish(file, options, *open)?;
        // Only a committed file's organisations may join the index the next file matches against.
        if let Some(orgs) = committed {
            orgs.links.finish(self, &orgs.records);
        }
        Ok((report, missing))
    }
}

/// One file's import while it runs: its report, the open transaction, and what the writer has
/// to remember from one activity to the next.
struct FileRun<'a, 'w> {
    file_name: &'a str,
    source_id: RecordId,
    writer: RecordWriter<'w>,
    report: FileImport,
    /// Every unit's findings, kept when a validation report was asked for.
    unit_reports: Vec<ActivityReport>,
    /// Organisations and sources the activities taken so far name (the first mention stays).
    orgs: Orgs,
    /// Copies of each identifier read so far (by `scan::identifier_key`, as the scan counts).
    seen: crate::FastMap<u64, u32>,
    /// What the ledger held before this file, for the activities the file names: a later
    /// copy in the same file is judged against that, not against the earlier copy.
    before_file: crate::FastMap<RecordId, Option<StoredActivity>>,
    waiting: WaitingForParent,
    /// The last copy of an identifier the file repeats is the one written. Where the latest
    /// accepted earlier copy starts is kept; if the last copy is not accepted, that copy is
    /// read again and written (holding copies instead would let memory grow with the file).
    earlier_copies: crate::FastMap<RecordId, EarlierCopy>,
    to_read_again: Vec<EarlierCopy>,
}

/// Where a copy stands among the copies of its identifier in the file.
#[derive(Clone, Copy)]
struct CopyOf {
    /// How many copies the byte scan counted (`None`: one it could not see).
    in_file: Option<u32>,
    /// Whether no later copy is to come: only the last copy is written.
    last: bool,
}

impl<'a, 'w> FileRun<'a, 'w> {
    /// Opens the file's transaction with the file itself as the source every record cites.
    fn start(
        mut writer: RecordWriter<'w>,
        file_name: &'a str,
        identifier_counts: HashMap<u64, u32>,
    ) -> ServiceResult<Self> {
        let source_id = record_id("src-iati-", file_name);
        writer.defer_reference_checks()?;
        writer.put_group(vec![Record::Source(Source {
            id: source_id.clone(),
            title: format!("IATI file {file_name}"),
            kind: SourceKind::IatiFile,
            url: None,
            publisher: None,
            published: None,
            language: None,
        })])?;
        Ok(Self {
            file_name,
            source_id,
            writer,
            report: FileImport {
                file: file_name.to_string(),
                version: None,
                layers: LayerCounts::default(),
                accepted: 0,
                rejected: 0,
                kept_newer: 0,
                left_out: 0,
                records_created: 0,
                records_updated: 0,
                records_unchanged: 0,
                duplicates_in_file: vec![],
                duplicates_across_files: vec![],
                refused: None,
                activities: vec![],
                validation: None,
            },
            unit_reports: Vec::new(),
            orgs: Orgs::default(),
            seen: Default::default(),
            before_file: Default::default(),
            waiting: WaitingForParent::new(identifier_counts),
            earlier_copies: Default::default(),
            to_read_again: Vec::new(),
        })
    }

    /// One unit from the reader: its layers are counted, its activity judged against the
    /// ledger and accepted (written, or remembered as an earlier copy) or rejected.
    fn take(
        &mut self,
        unit: ReadUnit,
        bytes: u64,
        progress: &mut dyn FnMut(u64, usize),
    ) -> ServiceResult<()> {
        if let Some(full) = unit.report {
            self.unit_reports.push(full);
        }
        let Some(activity) = unit.activity else {
            return Ok(());
        };
        self.count_layers(unit.layers);
        progress(bytes, self.report.layers.activities);
        let copy = self.count_copy(&activity);
        let stored = self.stored_before_file(&activity.id, copy)?;
        let entry = ActivityImport {
            identifier: activity.identifier.clone(),
            line: unit.position.0,
            schema_valid: unit.layers.schema_valid,
            codelists_valid: unit.layers.codelists_valid,
            rules_valid: unit.layers.rules_valid,
            outcome: Outcome::Accepted { notes: vec![] },
            left_out: vec![],
        };
        if let Some(stored) = &stored
            && !self.incoming_wins(&activity, stored)
        {
            self.report.kept_newer += 1;
            self.report.activities.push(ActivityImport {
                outcome: Outcome::KeptNewer {
                    stored: stored.last_updated.clone().unwrap_or_default(),
                },
                ..entry
            });
            self.not_written(&activity.id, copy);
            return Ok(());
        }
        self.orgs.merge(activity.orgs);
        match activity.mapped {
            Ok(mapped) => self.accept(activity.id, mapped, entry, unit.position, copy),
            Err(reasons) => {
                self.report.rejected += 1;
                self.report.activities.push(ActivityImport {
                    outcome: Outcome::Rejected { reasons },
                    ..entry
                });
                self.not_written(&activity.id, copy);
                Ok(())
            }
        }
    }

    fn count_layers(&mut self, layers: Layers) {
        let counts = &mut self.report.layers;
        counts.activities += 1;
        counts.schema_valid += usize::from(layers.schema_valid);
        counts.codelists_valid += usize::from(layers.codelists_valid);
        counts.rules_valid += usize::from(layers.rules_valid);
    }

    /// Counts this copy of the identifier; the second copy reports the identifier as repeated.
    fn count_copy(&mut self, activity: &ReadActivity) -> CopyOf {
        let count = self.seen.entry(activity.key).or_default();
        *count += 1;
        let nth = *count;
        if nth == 2 {
            self.report
                .duplicates_in_file
                .push(activity.identifier.clone());
        }
        let in_file = self.waiting.in_file.get(&activity.key).copied();
        CopyOf {
            in_file,
            last: in_file.is_none_or(|copies| nth >= copies),
        }
    }

    /// The ledger's copy as it was before this file.
    fn stored_before_file(
        &mut self,
        id: &RecordId,
        copy: CopyOf,
    ) -> ServiceResult<Option<StoredActivity>> {
        if copy.in_file == Some(1) {
            // Read once: nothing to remember (a file of a million activities stays small).
            return stored_activity(&self.writer, id);
        }
        if let Some(stored) = self.before_file.get(id) {
            return Ok(stored.clone());
        }
        let found = stored_activity(&self.writer, id)?;
        self.before_file.insert(id.clone(), found.clone());
        Ok(found)
    }

    /// Newer wins; against a copy another file brought, only a strictly newer one (which is
    /// reported as a duplicate across files).
    fn incoming_wins(&mut self, activity: &ReadActivity, stored: &StoredActivity) -> bool {
        // The file an activity came from is its first citation (the import puts it there);
        // later ones are provenance another aidtrace carried along.
        let other_file = stored.origin.as_ref().filter(|s| **s != self.source_id);
        if let Some(other) = other_file {
            self.report
                .duplicates_across_files
                .push((activity.identifier.clone(), other.to_string()));
        }
        let incoming = activity.last_updated.as_deref();
        let kept = stored.last_updated.as_deref();
        if other_file.is_some() {
            strictly_newer(incoming, kept)
        } else {
            newer_or_same(incoming, kept)
        }
    }

    /// The last copy is not written: the latest accepted earlier copy is read again instead.
    fn not_written(&mut self, id: &RecordId, copy: CopyOf) {
        if copy.last
            && let Some(earlier) = self.earlier_copies.remove(id)
        {
            self.to_read_again.push(earlier);
        }
    }

    /// An accepted copy: the last one is written (or waits for its parent), an earlier one is
    /// remembered by position; the copy it replaces gets a note.
    fn accept(
        &mut self,
        id: RecordId,
        mapped: Mapped,
        entry: ActivityImport,
        at: (u64, u64),
        copy: CopyOf,
    ) -> ServiceResult<()> {
        let line = entry.line;
        let entry_index = self.report.activities.len();
        self.report.accepted += 1;
        let left_out = mapped.left_out().to_vec();
        self.report.left_out += left_out.len();
        self.report.activities.push(ActivityImport {
            outcome: Outcome::Accepted {
                notes: mapped.notes,
            },
            left_out,
            ..entry
        });
        let replaced = if copy.last {
            self.write_or_wait(Pending {
                id: id.clone(),
                records: mapped.records,
                entry: entry_index,
                parent_key: mapped.parent_key,
            })?;
            // A copy the scan did not count comes after the counted last one: it replaces an
            // earlier copy even if that was due to be read again.
            self.earlier_copies.remove(&id).or_else(|| {
                let at = self.to_read_again.iter().position(|c| c.id == id)?;
                Some(self.to_read_again.remove(at))
            })
        } else {
            let copy = EarlierCopy {
                id: id.clone(),
                at,
                entry: entry_index,
            };
            self.earlier_copies.insert(id, copy)
        };
        if let Some(earlier) = replaced {
            add_note(
                &mut self.report,
                earlier.entry,
                format!("not written: a later copy in this file (line {line}) replaces it"),
            );
        }
        Ok(())
    }

    /// Writes an accepted copy now, or keeps it until its parent has come.
    fn write_or_wait(&mut self, copy: Pending) -> ServiceResult<()> {
        Out::new(
            &mut self.writer,
            &mut self.waiting,
            &mut self.report,
            &self.orgs,
        )
        .write_or_wait(copy, &self.source_id, self.file_name)
    }

    /// After the last unit: refuses the file (not well-formed, or `strict` with problems), or
    /// writes what waited (earlier copies to read again, children of later parents) and
    /// commits. Returns the report, the parent links kept out, for a later file to fill, and
    /// the file's organisations when it was committed.
    fn finish<R: std::io::Read>(
        mut self,
        file: aidtrace_iati::validate::FileChecked,
        options: ImportOptions,
        open: Opener<'_, R>,
    ) -> ServiceResult<(FileImport, Vec<MissingParent>, Option<Orgs>)> {
        self.report.version = file.header.as_ref().and_then(|h| h.version.clone());
        if options.validation_report {
            let units = std::mem::take(&mut self.unit_reports);
            self.report.validation = Some(file.report(self.file_name, units));
        }
        // Returning before the commit drops the writer, which rolls the transaction back.
        if let Some(e) = file.xml_error {
            return Ok((
                self.refused(format!("not well-formed XML: {e}")),
                vec![],
                None,
            ));
        }
        if let Some(why) = self.strict_refusal(options) {
            return Ok((self.refused(why), vec![], None));
        }
        self.write_earlier_copies(open, options.strict)?;
        let missing_parents = self.write_waiting()?;
        let applied = self.writer.commit()?;
        self.report.records_created = applied.created;
        self.report.records_updated = applied.updated;
        self.report.records_unchanged = applied.unchanged;
        Ok((self.report, missing_parents, Some(self.orgs)))
    }

    /// The report of a file refused whole: nothing of it is written, so no activity stays
    /// "accepted" (a truncated file read "2 accepted, 0 rejected" beside its refusal); each one
    /// read is rejected with the file's reason after its own.
    fn refused(mut self, why: String) -> FileImport {
        let report = &mut self.report;
        for a in &mut report.activities {
            let reason = format!("not imported: the file was refused ({why})");
            a.outcome = match std::mem::replace(&mut a.outcome, Outcome::Accepted { notes: vec![] })
            {
                Outcome::Rejected { mut reasons } => {
                    reasons.push(reason);
                    Outcome::Rejected { reasons }
                }
                _ => Outcome::Rejected {
                    reasons: vec![reason],
                },
            };
            a.left_out.clear();
        }
        report.rejected += report.accepted + report.kept_newer;
        report.accepted = 0;
        report.kept_newer = 0;
        report.left_out = 0;
        report.refused = Some(why);
        self.report
    }

    fn strict_refusal(&self, options: ImportOptions) -> Option<String> {
        let layers = &self.report.layers;
        let layer_failures = layers.activities * 3
            - layers.schema_valid
            - layers.codelists_valid
            - layers.rules_valid;
        (options.strict && (self.report.rejected > 0 || layer_failures > 0)).then(|| {
            format!(
                "strict: {} activities rejected, {} validation layer failures; nothing imported",
                self.report.rejected, layer_failures
            )
        })
    }

    /// Earlier copies whose last copy was not written are read again and written, in file
    /// order, as they would have been.
    fn write_earlier_copies<R: std::io::Read>(
        &mut self,
        open: Opener<'_, R>,
        strict: bool,
    ) -> ServiceResult<()> {
        let mut copies = std::mem::take(&mut self.to_read_again);
        // Copies whose last copy never came (the scan counted one the parser did not read,
        // inside a comment say) are written too.
        copies.extend(std::mem::take(&mut self.earlier_copies).into_values());
        copies.sort_by_key(|c| c.entry);
        if copies.is_empty() {
            return Ok(());
        }
        let file = FileContext {
            name: self.file_name,
            source: self.source_id.clone(),
            strict,
        };
        let again = read_again(open, &copies, &file)?;
        for (copy, found) in copies.into_iter().zip(again) {
            match found {
                // Its organisations were taken in when it was first read.
                Some(mapped) => self.write_or_wait(Pending {
                    id: copy.id,
                    records: mapped.records,
                    entry: copy.entry,
                    parent_key: mapped.parent_key,
                })?,
                None => add_note(
                    &mut self.report,
                    copy.entry,
                    "not written: the file changed before this copy could be read again"
                        .to_string(),
                ),
            }
        }
        Ok(())
    }

    /// The file has said all it will: activities waiting for a parent are written in one
    /// group, and a parent that is neither in the file nor in the ledger is dropped, with a
    /// note on the activity.
    fn write_waiting(&mut self) -> ServiceResult<Vec<MissingParent>> {
        let waiting = std::mem::take(&mut self.waiting);
        let waiting_ids: HashSet<RecordId> = waiting.slot_of.into_keys().collect();
        let mut missing_parents = waiting.missing;
        let mut group: Vec<Record> = Vec::new();
        let mut in_group: HashSet<(RecordKind, RecordId)> = HashSet::new();
        for Pending {
            mut records, entry, ..
        } in waiting.slots.into_iter().flatten()
        {
            let mut notes = Vec::new();
            for record in &mut records {
                if let Record::Activity(a) = record
                    && let Some(parent) = &a.parent
                    && !waiting_ids.contains(parent)
                    && !self.writer.exists(RecordKind::Activity, parent)?
                {
                    drop_parent_link(a, entry, &mut missing_parents, &mut notes);
                }
            }
            let settled = settle_links(
                &self.writer,
                records,
                &self.orgs,
                &self.source_id,
                &mut |n| notes.push(n),
            )?;
            // Organisations and sources several waiting activities name are written once; a
            // line id another waiting activity has already is kept out, as it would be if that
            // activity had been written first.
            for record in settled {
                if in_group.insert((record.kind(), record.id().clone())) {
                    group.push(record);
                } else if record.kind() == RecordKind::EquipmentLine {
                    notes.push(format!(
                        "equipment line {}: another activity of this file has a line with that id; kept out",
                        record.id()
                    ));
                }
            }
            for note in notes {
                add_note(&mut self.report, entry, note);
            }
        }
        if !group.is_empty() {
            self.writer
                .put_group(group)
                .map_err(|e| in_file(self.file_name, e))?;
        }
        Ok(missing_parents)
    }
}

/// What an import needs to know of an activity the ledger held before the file.
#[derive(Clone)]
struct StoredActivity {
    /// The source it was imported from (its first citation).
    origin: Option<RecordId>,
    last_updated: Option<String>,
}

fn stored_activity(
    writer: &RecordWriter<'_>,
    id: &RecordId,
) -> ServiceResult<Option<StoredActivity>> {
    Ok(match writer.get(RecordKind::Activity, id)? {
        Some(Record::Activity(a)) => Some(StoredActivity {
            origin: a.sources.into_iter().next().map(|c| c.source),
            last_updated: a.iati_last_updated,
        }),
        _ => None,
    })
}

/// An accepted copy of a repeated identifier that a later copy may replace: where it starts in
/// the file, and its report entry.
struct EarlierCopy {
    id: RecordId,
    at: (u64, u64),
    entry: usize,
}

/// Reads the file again for the copies that turned out to be needed, mapped as on the first
/// read; `None` for a copy no longer found where it was (the file changed meanwhile).
fn read_again<R: std::io::Read>(
    open: Opener<'_, R>,
    copies: &[EarlierCopy],
    file: &FileContext<'_>,
) -> ServiceResult<Vec<Option<Mapped>>> {
    let wanted: HashMap<(u64, u64), usize> = copies
        .iter()
        .enumerate()
        .map(|(i, copy)| (copy.at, i))
        .collect();
    let mut found: Vec<Option<Mapped>> = copies.iter().map(|_| None).collect();
    let input = open().map_err(|e| ServiceError::Io(format!("reading the file again: {e}")))?;
    let mut reader = aidtrace_iati::reader::ActivityReader::new(std::io::BufReader::new(input));
    let mut left = copies.len();
    while left > 0
        && let Ok(Some((activity, line, column))) = reader.next_activity()
    {
        let Some(&i) = wanted.get(&(line, column)) else {
            continue;
        };
        left -= 1;
        let copy = &copies[i];
        if record_id("iati-", &activity.identifier) != copy.id {
            continue;
        }
        let ctx = MapContext {
            source: &file.source,
            file: file.name,
            line,
            strict: file.strict,
        };
        if let Ok(mapped) = map_activity(&activity, &copy.id, &ctx, &mut Orgs::default()) {
            found[i] = Some(mapped);
        }
    }
    Ok(found)
}

/// The files as named sources (by their base names, which the records cite), for
/// [`Aidtrace::import_sources`].
fn with_file_sources<T>(
    files: &[std::path::PathBuf],
    then: impl FnOnce(&[(String, Opener<'_, std::fs::File>)]) -> T,
) -> T {
    let opens: Vec<_> = files
        .iter()
        .map(|f| move || std::fs::File::open(f))
        .collect();
    let named: Vec<(String, Opener<'_, std::fs::File>)> = files
        .iter()
        .zip(&opens)
        .map(|(f, open)| {
            let name = f.file_name().map_or_else(
                || f.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            (name, open as Opener<'_, std::fs::File>)
        })
        .collect();
    then(&named)
}
