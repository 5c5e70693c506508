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
use super::mapping::{Mapped, Orgs, map_activity, record_id};
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
fn read_unit(checked: Checked, file_source: &RecordId, keep_report: bool) -> ReadUnit {
    let activity = checked.activity.map(|a| {
        let mut orgs = Orgs::default();
        let id = record_id("iati-", &a.identifier);
        let mapped = if a.identifier.trim().is_empty() {
            Err(vec!["no iati-identifier".to_string()])
        } else {
            map_activity(&a, &id, file_source, &mut orgs)
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
    Unit(Box<ReadUnit>, u64),
    End(std::io::Result<aidtrace_iati::validate::FileChecked>),
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
fn read_files<R: std::io::Read>(
    sources: &[(String, Opener<'_, R>)],
    every_unit: bool,
    tx: &std::sync::mpsc::SyncSender<Parsed>,
) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    for (name, open) in sources {
        let file_source = record_id("src-iati-", name);
        let mut gone = false;
        let file = check_source_then(
            open,
            &Options::default(),
            threads,
            |checked| read_unit(checked, &file_source, every_unit),
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
            &mut |_, bytes, activities| progress(bytes, activities),
        )?;
        reports
            .pop()
            .ok_or_else(|| ServiceError::Io(format!("{file_name}: nothing was read")))
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
        self.import_sources(actor, &named, options, progress)
    }

    fn import_sources<R: std::io::Read>(
        &mut self,
        actor: &str,
        sources: &[(String, Opener<'_, R>)],
        options: ImportOptions,
        progress: &mut dyn FnMut(usize, u64, usize),
    ) -> ServiceResult<Vec<FileImport>> {
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel(READ_AHEAD);
            let every_unit = options.validation_report;
            scope.spawn(move || read_files(sources, every_unit, &tx));
            let mut reports = Vec::with_capacity(sources.len());
            let mut unlinked = Vec::new();
            for (i, source) in sources.iter().enumerate() {
                let (_, open) = source;
                // A file that cannot be opened is reported by the reader; no counts then.
                let counts = open()
                    .and_then(aidtrace_iati::scan::identifier_counts)
                    .unwrap_or_default();
                // Returning drops `rx`, which stops the reader before the scope waits for it.
                let (report, missing) = self.import_parsed(
                    actor,
                    source,
                    &rx,
                    counts,
                    options,
                    &mut |bytes, activities| progress(i, bytes, activities),
                )?;
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
                reports.push(report);
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
        reports: &mut [FileImport],
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
            let report = &mut reports[file];
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
        parsed: &std::sync::mpsc::Receiver<Parsed>,
        identifier_counts: HashMap<u64, u32>,
        options: ImportOptions,
        progress: &mut dyn FnMut(u64, usize),
    ) -> ServiceResult<(FileImport, Vec<MissingParent>)> {
        let source_id = record_id("src-iati-", file_name);
        let source = Record::Source(Source {
            id: source_id.clone(),
            title: format!("IATI file {file_name}"),
            kind: SourceKind::IatiFile,
            url: None,
            publisher: None,
            published: None,
            language: None,
        });
        let mut report = FileImport {
            file: file_name.to_string(),
            version: None,
            layers: LayerCounts::default(),
            accepted: 0,
            rejected: 0,
            kept_newer: 0,
            records_created: 0,
            records_updated: 0,
            records_unchanged: 0,
            duplicates_in_file: vec![],
            duplicates_across_files: vec![],
            refused: None,
            activities: vec![],
            validation: None,
        };
        let mut unit_reports = Vec::new();
        let mut orgs = Orgs::default();
        // Copies of each identifier read so far (by `scan::identifier_key`, as the scan counts).
        let mut seen: HashMap<u64, u32> = HashMap::new();
        // What the ledger held before this file, for the activities the file names: a later
        // copy in the same file is judged against that, not against the earlier copy.
        let mut before_file: HashMap<RecordId, Option<StoredActivity>> = HashMap::new();
        let mut waiting = WaitingForParent::new(identifier_counts);
        // The last copy of an identifier the file repeats is the one written. Where the latest
        // accepted earlier copy starts is kept; if the last copy is not accepted, that copy is
        // read again and written (holding copies instead would let memory grow with the file).
        let mut earlier_copies: HashMap<RecordId, EarlierCopy> = HashMap::new();
        let mut to_read_again: Vec<EarlierCopy> = Vec::new();
        let mut writer = self.writer(actor)?;
        writer.defer_reference_checks()?;
        writer.put_group(vec![source])?;
        let file = loop {
            let (unit, bytes) = match parsed.recv() {
                Ok(Parsed::Unit(unit, bytes)) => (*unit, bytes),
                Ok(Parsed::End(Ok(file))) => break file,
                Ok(Parsed::End(Err(e))) => {
                    return Err(ServiceError::NotFound(format!("{file_name}: {e}")));
                }
                Err(_) => {
                    return Err(ServiceError::Io(format!(
                        "{file_name}: the reader stopped unexpectedly"
                    )));
                }
            };
            let check = unit.layers;
            if let Some(full) = unit.report {
                unit_reports.push(full);
            }
            let Some(activity) = unit.activity else {
                continue;
            };
            let line = unit.position.0;
            report.layers.activities += 1;
            report.layers.schema_valid += usize::from(check.schema_valid);
            report.layers.codelists_valid += usize::from(check.codelists_valid);
            report.layers.rules_valid += usize::from(check.rules_valid);
            progress(bytes, report.layers.activities);
            let key = activity.key;
            let count = seen.entry(key).or_default();
            *count += 1;
            let nth = *count;
            if nth == 2 {
                report.duplicates_in_file.push(activity.identifier.clone());
            }
            let id = activity.id;
            let copies_in_file = waiting.in_file.get(&key).copied();
            let last_copy = copies_in_file.is_none_or(|copies| nth >= copies);
            let stored = if copies_in_file == Some(1) {
                // Read once: nothing to remember (a file of a million activities stays small).
                stored_activity(&writer, &id)?
            } else {
                match before_file.get(&id) {
                    Some(stored) => stored.clone(),
                    None => {
                        let found = stored_activity(&writer, &id)?;
                        before_file.insert(id.clone(), found.clone());
                        found
                    }
                }
            };
            let entry = ActivityImport {
                identifier: activity.identifier.clone(),
                line,
                schema_valid: check.schema_valid,
                codelists_valid: check.codelists_valid,
                rules_valid: check.rules_valid,
                outcome: Outcome::Accepted { notes: vec![] },
            };
            if let Some(stored) = &stored {
                // The file an activity came from is its first citation (the import puts it
                // there); later ones are provenance another aidtrace carried along.
                let other_file = stored.origin.as_ref().filter(|s| **s != source_id);
                if let Some(other) = other_file {
                    report
                        .duplicates_across_files
                        .push((activity.identifier.clone(), other.to_string()));
                }
                let incoming = activity.last_updated.as_deref();
                let kept = stored.last_updated.as_deref();
                let wins = if other_file.is_some() {
                    strictly_newer(incoming, kept)
                } else {
                    newer_or_same(incoming, kept)
                };
                if !wins {
                    report.kept_newer += 1;
                    report.activities.push(ActivityImport {
                        outcome: Outcome::KeptNewer {
                            stored: kept.unwrap_or_default().to_string(),
                        },
                        ..entry
                    });
                    if last_copy && let Some(earlier) = earlier_copies.remove(&id) {
                        to_read_again.push(earlier);
                    }
                    continue;
                }
            }
            orgs.merge(activity.orgs);
            let mapped = activity.mapped;
            let entry_index = report.activities.len();
            match mapped {
                Ok(mapped) => {
                    report.accepted += 1;
                    report.activities.push(ActivityImport {
                        outcome: Outcome::Accepted {
                            notes: mapped.notes,
                        },
                        ..entry
                    });
                    let replaced = if last_copy {
                        Out::new(&mut writer, &mut waiting, &mut report, &orgs).write_or_wait(
                            Pending {
                                id: id.clone(),
                                records: mapped.records,
                                entry: entry_index,
                                parent_key: mapped.parent_key,
                            },
                            &source_id,
                            file_name,
                        )?;
                        // A copy the scan did not count comes after the counted last one: it
                        // replaces an earlier copy even if that was due to be read again.
                        earlier_copies.remove(&id).or_else(|| {
                            let at = to_read_again.iter().position(|c| c.id == id)?;
                            Some(to_read_again.remove(at))
                        })
                    } else {
                        let copy = EarlierCopy {
                            id: id.clone(),
                            at: unit.position,
                            entry: entry_index,
                        };
                        earlier_copies.insert(id.clone(), copy)
                    };
                    if let Some(earlier) = replaced {
                        add_note(
                            &mut report,
                            earlier.entry,
                            format!(
                                "not written: a later copy in this file (line {line}) replaces it"
                            ),
                        );
                    }
                }
                Err(reasons) => {
                    report.rejected += 1;
                    report.activities.push(ActivityImport {
                        outcome: Outcome::Rejected { reasons },
                        ..entry
                    });
                    if last_copy && let Some(earlier) = earlier_copies.remove(&id) {
                        to_read_again.push(earlier);
                    }
                }
            }
        };
        report.version = file.header.as_ref().and_then(|h| h.version.clone());
        if options.validation_report {
            report.validation = Some(file.report(file_name, unit_reports));
        }
        // Returning before the commit drops the writer, which rolls the transaction back.
        if let Some(e) = file.xml_error {
            report.refused = Some(format!("not well-formed XML: {e}"));
            return Ok((report, vec![]));
        }
        let layer_failures = report.layers.activities * 3
            - report.layers.schema_valid
            - report.layers.codelists_valid
            - report.layers.rules_valid;
        if options.strict && (report.rejected > 0 || layer_failures > 0) {
            report.refused = Some(format!(
                "strict: {} activities rejected, {} validation layer failures; nothing imported",
                report.rejected, layer_failures
            ));
            return Ok((report, vec![]));
        }
        // Copies whose last copy never came (the scan counted one the parser did not read,
        // inside a comment say) are written too.
        to_read_again.extend(earlier_copies.into_values());
        // In file order, as the copies would have been written.
        to_read_again.sort_by_key(|c| c.entry);
        if !to_read_again.is_empty() {
            let again = read_again(open, &to_read_again, &source_id)?;
            for (copy, found) in to_read_again.into_iter().zip(again) {
                match found {
                    // Its organisations were taken in when it was first read.
                    Some(mapped) => {
                        Out::new(&mut writer, &mut waiting, &mut report, &orgs).write_or_wait(
                            Pending {
                                id: copy.id,
                                records: mapped.records,
                                entry: copy.entry,
                                parent_key: mapped.parent_key,
                            },
                            &source_id,
                            file_name,
                        )?;
                    }
                    None => add_note(
                        &mut report,
                        copy.entry,
                        "not written: the file changed before this copy could be read again"
                            .to_string(),
                    ),
                }
            }
        }
        // The file has said all it will: a parent that is neither in it nor in the ledger is
        // dropped, with a note on the activity.
        let waiting_ids: HashSet<RecordId> = waiting.slot_of.into_keys().collect();
        let mut missing_parents = waiting.missing;
        let waiting: Vec<Pending> = waiting.slots.into_iter().flatten().collect();
        let mut group: Vec<Record> = Vec::new();
        let mut in_group: HashSet<(RecordKind, RecordId)> = HashSet::new();
        for Pending {
            mut records, entry, ..
        } in waiting
        {
            let mut notes = Vec::new();
            for record in &mut records {
                if let Record::Activity(a) = record
                    && let Some(parent) = &a.parent
                    && !waiting_ids.contains(parent)
                    && !writer.exists(RecordKind::Activity, parent)?
                {
                    drop_parent_link(a, entry, &mut missing_parents, &mut notes);
                }
            }
            let settled =
                settle_links(&writer, records, &orgs, &source_id, &mut |n| notes.push(n))?;
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
                add_note(&mut report, entry, note);
            }
        }
        if !group.is_empty() {
            writer.put_group(group).map_err(|e| in_file(file_name, e))?;
        }
        let applied = writer.commit()?;
        report.records_created = applied.created;
        report.records_updated = applied.updated;
        report.records_unchanged = applied.unchanged;
        Ok((report, missing_parents))
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
    file_source: &RecordId,
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
        if let Ok(mapped) = map_activity(&activity, &copy.id, file_source, &mut Orgs::default()) {
            found[i] = Some(mapped);
        }
    }
    Ok(found)
}
