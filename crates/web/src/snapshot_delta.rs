//! A snapshot after a write, derived from the one before it at a cost that follows the write
//! (issue #13): the ledger is cloned in O(1) (its big maps are persistent) and changed where the
//! write touched it; findings, the records-by-activity index and the dashboard's sums are
//! changed only for the activity families the write reaches (`Ledger::write_families`): what those
//! families contributed is taken out, as they were, and added again, as they are now, each
//! through the one implementation of the rules (`checks::run_with` and `totals_unrounded` run
//! on `Ledger::part`). A write this cannot follow exactly (another kind of record, a new day for
//! the dated rules, a sum that overflowed) is left to a full rebuild.

use std::time::Instant;

use aidtrace_domain::checks::Finding;
use aidtrace_domain::ledger::{FAMILY_KINDS, last_of_each};
use aidtrace_domain::{Record, RecordId, RecordKind};
use aidtrace_service::Aidtrace;
use aidtrace_service::summary::Sign;

use crate::error::ApiError;
use crate::state::{Snapshot, WebConfig};

/// Where each kind sits in a records-by-activity list: the order the full index adds them in.
fn index_rank(kind: RecordKind) -> u8 {
    match kind {
        RecordKind::Flow => 0,
        RecordKind::Budget => 1,
        RecordKind::EquipmentLine => 2,
        RecordKind::Partnership => 3,
        RecordKind::Claim => 4,
        _ => 5,
    }
}

/// Records-by-activity entries of a record: the activities it names in an `activity` field.
/// None for a flow: the ledger indexes flows by activity itself (`Snapshot::of_activity`).
pub(crate) fn indexed_under(record: &Record) -> Vec<RecordId> {
    if record.kind() == RecordKind::Flow {
        return Vec::new();
    }
    record
        .references()
        .into_iter()
        .filter(|(field, kind, _)| *field == "activity" && *kind == RecordKind::Activity)
        .map(|(_, _, target)| target.clone())
        .collect()
}

/// Whether each read-model step's time goes to stderr (`AIDTRACE_READ_MODEL_TIMING`).
pub(crate) fn timing() -> bool {
    std::env::var_os("AIDTRACE_READ_MODEL_TIMING").is_some()
}

/// ", resident N MB" from `/proc/self/status` where it exists, for the timing lines: where the
/// first snapshot's memory goes, step by step.
pub(crate) fn resident() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
            let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(format!(", resident {} MB", kb / 1024))
        })
        .unwrap_or_default()
}

impl Snapshot {
    /// This snapshot after a committed write, derived incrementally; `Ok(None)` when the write
    /// needs a full rebuild (see the module comment).
    pub fn after_write(
        &self,
        service: &Aidtrace,
        config: &WebConfig,
        put: Vec<Record>,
        deleted: &[(RecordKind, RecordId)],
        version: i64,
    ) -> Result<Option<Self>, ApiError> {
        let started = Instant::now();
        let put = last_of_each(put);
        let followed = put
            .iter()
            .map(Record::kind)
            .chain(deleted.iter().map(|(k, _)| *k))
            .all(|k| FAMILY_KINDS.contains(&k));
        let options = service.check_options(config.undisbursed_after_days);
        if !followed || options != self.check_options {
            return Ok(None);
        }
        let old = &self.ledger;
        let touched: Vec<(RecordKind, RecordId)> = put
            .iter()
            .map(|r| (r.kind(), r.id().clone()))
            .chain(deleted.iter().cloned())
            .collect();
        let records_before: Vec<Record> = touched
            .iter()
            .filter_map(|(kind, id)| old.get(*kind, id))
            .collect();
        let mut ledger = old.clone();
        ledger.apply_changes(put.clone(), deleted);
        let family = old.write_families(&ledger, &touched);
        let before = old.part(&family);
        let after = ledger.part(&family);
        let rates = &self.rates;
        let mut acc = self.figures_acc.clone();
        let undone = acc
            .apply(&before, rates, Sign::Subtract)
            .and_then(|()| acc.apply(&after, rates, Sign::Add));
        if undone.is_err() {
            return Ok(None);
        }
        let summed = started.elapsed();
        let mut findings = self.findings.clone();
        for (kind, id) in before.judged_in_part(&family) {
            findings.remove(kind, &id);
        }
        let judged = after.judged_in_part(&family);
        let fresh: Vec<Finding> = aidtrace_domain::checks::run_with(&after, rates, &options)
            .into_iter()
            .filter(|f| judged.contains(&(f.record_kind, f.record.clone())))
            .collect();
        findings.extend(fresh);
        let checked = started.elapsed();
        let mut by_activity = self.by_activity.clone();
        for r in &records_before {
            for a in indexed_under(r) {
                let emptied = by_activity.get_mut(&a).is_some_and(|list| {
                    list.retain(|(k, id)| !(*k == r.kind() && id == r.id()));
                    list.is_empty()
                });
                if emptied {
                    by_activity.remove(&a);
                }
            }
        }
        for r in &put {
            for a in indexed_under(r) {
                let list = by_activity.entry(a).or_default();
                let entry = (r.kind(), r.id().clone());
                let at = list.partition_point(|(k, id)| {
                    (index_rank(*k), id) < (index_rank(entry.0), &entry.1)
                });
                if list.get(at) != Some(&entry) {
                    list.insert(at, entry);
                }
            }
        }
        let figures = acc.finish();
        let snapshot = Self::assemble(
            version,
            ledger,
            self.rates.clone(),
            options,
            findings,
            by_activity,
            acc,
            figures,
        )?;
        if timing() {
            eprintln!(
                "aidtrace-web: read model: write of {} records applied incrementally ({} activities, {} flows re-judged): sums {:?}, checks {:?}, total {:?}",
                put.len() + deleted.len(),
                family.len(),
                after.flows.len(),
                summed,
                checked - summed,
                started.elapsed()
            );
        }
        Ok(Some(snapshot))
    }
}
