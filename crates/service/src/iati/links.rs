//! Fitting an accepted activity's records to the ledger as it stands: parents that come later
//! in the file (or the run), equipment lines and citations pointing at records this ledger
//! lacks, and the organisations and sources first named here.

use std::collections::HashMap;

use aidtrace_domain::model::{Citation, Record};
use aidtrace_domain::{RecordId, RecordKind};

use super::mapping::Orgs;
use super::{ActivityImport, FileImport, Outcome};
use crate::RecordWriter;
use crate::error::{ServiceError, ServiceResult};

/// A parent link an import kept out because the parent was in neither the file nor the
/// ledger, with the activity's report entry and the note it was given.
pub(super) struct MissingParent {
    pub(super) child: RecordId,
    pub(super) parent: RecordId,
    pub(super) entry: usize,
    pub(super) note: String,
}

/// An accepted activity's records not written yet, and its report entry.
pub(super) struct Pending {
    pub(super) id: RecordId,
    pub(super) records: Vec<Record>,
    pub(super) entry: usize,
    /// `scan::identifier_key` of its parent's identifier, if it names one.
    pub(super) parent_key: Option<u64>,
}

/// Accepted activities whose parent the file has not brought yet but holds further on, written
/// at its end; a later copy of one replaces it. A parent the file does not hold at all (nor the
/// ledger) is dropped at once, with a note and a record of it in `missing`.
#[derive(Default)]
pub(super) struct WaitingForParent {
    pub(super) slots: Vec<Option<Pending>>,
    pub(super) slot_of: crate::FastMap<RecordId, usize>,
    /// How often each identifier occurs in the file (`scan::identifier_counts`).
    pub(super) in_file: HashMap<u64, u32>,
    pub(super) missing: Vec<MissingParent>,
}

impl WaitingForParent {
    pub(super) fn new(in_file: HashMap<u64, u32>) -> Self {
        Self {
            slots: Vec::new(),
            slot_of: Default::default(),
            in_file,
            missing: Vec::new(),
        }
    }
}

/// Takes out a parent link the ledger cannot hold, noting it on the activity and keeping it
/// for a later file of the run to fill in.
pub(super) fn drop_parent_link(
    activity: &mut aidtrace_domain::model::Activity,
    entry: usize,
    missing: &mut Vec<MissingParent>,
    notes: &mut Vec<String>,
) {
    if let Some(parent) = activity.parent.take() {
        let note = format!("parent activity {parent} is not in the ledger; link kept out");
        missing.push(MissingParent {
            child: activity.id.clone(),
            parent,
            entry,
            note: note.clone(),
        });
        notes.push(note);
    }
}

pub(super) fn add_note(report: &mut FileImport, entry: usize, note: String) {
    if let Some(ActivityImport {
        outcome: Outcome::Accepted { notes },
        ..
    }) = report.activities.get_mut(entry)
    {
        notes.push(note);
    }
}

/// Where an accepted copy goes: into the transaction now, or to wait for its parent.
pub(super) struct Out<'a, 'w> {
    writer: &'a mut RecordWriter<'w>,
    waiting: &'a mut WaitingForParent,
    report: &'a mut FileImport,
    orgs: &'a Orgs,
}

impl<'a, 'w> Out<'a, 'w> {
    pub(super) fn new(
        writer: &'a mut RecordWriter<'w>,
        waiting: &'a mut WaitingForParent,
        report: &'a mut FileImport,
        orgs: &'a Orgs,
    ) -> Self {
        Self {
            writer,
            waiting,
            report,
            orgs,
        }
    }

    pub(super) fn write_or_wait(
        &mut self,
        copy: Pending,
        file_source: &RecordId,
        file_name: &str,
    ) -> ServiceResult<()> {
        // A later copy replaces an earlier one still waiting for its parent.
        if let Some(slot) = self.waiting.slot_of.remove(&copy.id) {
            self.waiting.slots[slot] = None;
        }
        let parent = copy.records.iter().find_map(|r| match r {
            Record::Activity(a) => a.parent.clone(),
            _ => None,
        });
        let mut records = copy.records;
        let mut notes = Vec::new();
        if let Some(p) = &parent
            && !self.writer.exists(RecordKind::Activity, p)?
        {
            // Only a parent the file holds further on is worth waiting for; the scan names
            // every identifier of the file (one it cannot see is linked when the run ends).
            let in_file = copy
                .parent_key
                .is_some_and(|key| self.waiting.in_file.contains_key(&key));
            if in_file {
                self.waiting
                    .slot_of
                    .insert(copy.id.clone(), self.waiting.slots.len());
                self.waiting.slots.push(Some(Pending { records, ..copy }));
                return Ok(());
            }
            for record in &mut records {
                if let Record::Activity(a) = record {
                    drop_parent_link(a, copy.entry, &mut self.waiting.missing, &mut notes);
                }
            }
        }
        let group = settle_links(self.writer, records, self.orgs, file_source, &mut |n| {
            notes.push(n)
        })?;
        self.writer
            .put_group(group)
            .map_err(|e| in_file(file_name, e))?;
        for note in notes {
            add_note(self.report, copy.entry, note);
        }
        Ok(())
    }
}

/// The stored organisation `id` with the name a later activity of the file gave it, when it is
/// stored under its reference alone (an earlier activity named it only by `@ref`); `None` when
/// it is not stored or someone has named it since.
fn stored_stand_in_named(
    writer: &RecordWriter<'_>,
    id: &RecordId,
    orgs: &Orgs,
) -> ServiceResult<Option<Record>> {
    let (Some(Record::Organisation(mut stored)), Some(known)) = (
        writer.get(RecordKind::Organisation, id)?,
        orgs.records.get(id),
    ) else {
        return Ok(None);
    };
    let by_reference = stored.name.is_empty()
        || stored.identifiers.iter().any(|i| match i {
            aidtrace_domain::model::OrgIdentifier::Iati(v) => v.as_str() == stored.name,
            aidtrace_domain::model::OrgIdentifier::IatiAsPublished(v) => *v == stored.name,
            _ => false,
        });
    if !by_reference || known.name.is_empty() || known.name == stored.name {
        return Ok(None);
    }
    stored.name.clone_from(&known.name);
    Ok(Some(Record::Organisation(stored)))
}

pub(super) fn in_file(file_name: &str, e: ServiceError) -> ServiceError {
    match e {
        ServiceError::Invalid { record, error } => ServiceError::Invalid {
            record: format!("{file_name}: {record}"),
            error,
        },
        other => other,
    }
}

/// Fits an activity's records to the ledger as it stands: links to records it does not hold
/// (an equipment line's facility, a cited source) are dropped with a note; what this ledger
/// recorded about a line stays (its assets, its facility when the file's is unknown here), and
/// a line whose id belongs to another activity here is kept out. The organisations and
/// sources the records name that the ledger lacks are added, so that their first mention
/// creates them.
pub(super) fn settle_links(
    writer: &RecordWriter<'_>,
    records: Vec<Record>,
    orgs: &Orgs,
    file_source: &RecordId,
    note: &mut dyn FnMut(String),
) -> ServiceResult<Vec<Record>> {
    let known_source = |id: &RecordId| -> ServiceResult<bool> {
        Ok(id == file_source
            || orgs.sources.contains_key(id)
            || writer.exists(RecordKind::Source, id)?)
    };
    let mut out = Vec::with_capacity(records.len());
    for mut record in records {
        match &mut record {
            Record::Activity(a) => keep_known_citations(&mut a.sources, &known_source, note)?,
            // A budget carried as aidtrace data cites the exporting ledger's sources.
            Record::Budget(b) => keep_known_citations(&mut b.sources, &known_source, note)?,
            Record::EquipmentLine(line) => {
                if let Some(Record::EquipmentLine(stored)) =
                    writer.get(RecordKind::EquipmentLine, &line.id)?
                {
                    if stored.activity != line.activity {
                        note(format!(
                            "equipment line {}: this ledger has a line with that id under activity {}; kept out",
                            line.id, stored.activity
                        ));
                        continue;
                    }
                    line.assets = stored.assets;
                    let known = match &line.facility {
                        Some(f) => writer.exists(RecordKind::Facility, f)?,
                        None => false,
                    };
                    if !known {
                        line.facility = stored.facility;
                    }
                }
                if let Some(facility) = line.facility.clone()
                    && !writer.exists(RecordKind::Facility, &facility)?
                {
                    line.facility = None;
                    note(format!(
                        "equipment line {}: facility {facility} is not in the ledger; link kept out",
                        line.id
                    ));
                }
                keep_known_citations(&mut line.sources, &known_source, note)?;
            }
            _ => {}
        }
        out.push(record);
    }
    orgs.links.link(writer, &mut out, &orgs.records)?;
    let mut parties: Vec<Record> = Vec::new();
    let mut added: crate::FastSet<(RecordKind, &RecordId)> = Default::default();
    for record in &out {
        for (_, kind, target) in record.references() {
            // Every transaction names its two organisations again: the record is copied only
            // when it is to be written, not to be thrown away because it exists already.
            // (A pending alias is only ever kept for an organisation not stored yet, so taking
            // it here, at its first write, is where it was taken before too.)
            let described = match kind {
                RecordKind::Organisation => orgs.records.contains_key(target),
                RecordKind::Source => target != file_source && orgs.sources.contains_key(target),
                _ => false,
            };
            if described
                && kind == RecordKind::Organisation
                && orgs.renamed.contains(target)
                && !added.contains(&(kind, target))
                && let Some(named) = stored_stand_in_named(writer, target, orgs)?
            {
                added.insert((kind, target));
                parties.push(named);
                continue;
            }
            if !described || added.contains(&(kind, target)) || writer.exists(kind, target)? {
                continue;
            }
            let party = match kind {
                RecordKind::Organisation => orgs
                    .records
                    .get(target)
                    .cloned()
                    .map(|o| Record::Organisation(orgs.links.with_aliases(o))),
                _ => orgs.sources.get(target).cloned().map(Record::Source),
            };
            if let Some(party) = party {
                added.insert((kind, target));
                parties.push(party);
            }
        }
    }
    out.extend(parties);
    Ok(out)
}

/// Keeps the citations whose source is in this import or already in the ledger.
fn keep_known_citations(
    citations: &mut Vec<Citation>,
    known: &dyn Fn(&RecordId) -> ServiceResult<bool>,
    note: &mut dyn FnMut(String),
) -> ServiceResult<()> {
    let mut kept = Vec::with_capacity(citations.len());
    for c in citations.drain(..) {
        if known(&c.source)? {
            kept.push(c);
        } else {
            note(format!(
                "citation of source {} kept out: no such source",
                c.source
            ));
        }
    }
    *citations = kept;
    Ok(())
}
