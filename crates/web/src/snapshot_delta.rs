//! A snapshot after a write, derived from the one before it at a cost that follows the write
//! (issue #13): the ledger is cloned in O(1) (its big maps are persistent) and changed where the
//! write touched it; findings, the records-by-activity index and the dashboard's sums are
//! changed only for the activity families the write reaches (`Ledger::families`): what those
//! families contributed is taken out, as they were, and added again, as they are now, each
//! through the one implementation of the rules (`checks::run_with` and `totals_unrounded` run
//! on `Ledger::part`). A write this cannot follow exactly (another kind of record, a new day for
//! the dated rules, a sum that overflowed) is left to a full rebuild.

use std::collections::BTreeSet;
use std::time::Instant;

use aidtrace_domain::checks::{Finding, Severity};
use aidtrace_domain::{Ledger, Record, RecordId, RecordKind};
use aidtrace_service::Aidtrace;
use aidtrace_service::summary::Sign;
use serde::Serialize;

use crate::error::ApiError;
use crate::state::{Snapshot, WebConfig};

/// Where a finding sits in the order of `checks::run_with` (severity, rule, record; for one
/// record and rule, flows' before activities' and then in the order the rule emits them).
type FindingKey = (Severity, &'static str, RecordId, u8, u32);

/// Gives each finding of a list in the checks' order its key: its place among the findings of
/// the same rule, record and kind before it in the list.
#[derive(Default)]
struct Placer {
    group: Option<(Severity, &'static str, RecordId)>,
    /// Per kind rank, how many findings of the current group had it.
    seen: Vec<(u8, u32)>,
}

impl Placer {
    fn key(&mut self, f: &Finding) -> FindingKey {
        let group = (f.severity, f.rule, f.record.clone());
        if self.group.as_ref() != Some(&group) {
            self.group = Some(group);
            self.seen.clear();
        }
        let rank = kind_rank(f.record_kind);
        let seq = match self.seen.iter_mut().find(|(r, _)| *r == rank) {
            Some((_, n)) => {
                *n = n.saturating_add(1);
                *n
            }
            None => {
                self.seen.push((rank, 0));
                0
            }
        };
        (f.severity, f.rule, f.record.clone(), rank, seq)
    }
}

/// Inserts `entries` (distinct keys) so the B-tree's leaves end up full: in key order a leaf
/// splits at its middle and its left half is never filled again, so the entries at even
/// places go in first (half-full leaves) and those at odd places then fill each leaf's other
/// half without a split.
fn fill<K: Ord + Clone, V: Clone>(map: &mut imbl::OrdMap<K, V>, mut entries: Vec<(K, V)>) {
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut odd = Vec::with_capacity(entries.len() / 2);
    for (i, (k, v)) in entries.into_iter().enumerate() {
        if i % 2 == 0 {
            map.insert(k, v);
        } else {
            odd.push((k, v));
        }
    }
    for (k, v) in odd {
        map.insert(k, v);
    }
}

fn kind_rank(kind: RecordKind) -> u8 {
    match kind {
        RecordKind::Flow => 0,
        RecordKind::Activity => 1,
        other => (other as u8).saturating_add(2),
    }
}

/// The findings of a snapshot, in the order the checks give them. Persistent, so the next
/// snapshot shares them and replaces only those of the records a write reaches. A record's
/// findings are found by rule: a range of the ordered map per rule present, so no second map by
/// record is kept (at a million flows it cost about 70 bytes per finding, and a second B-tree
/// to build before the first dashboard).
#[derive(Clone, Default)]
pub struct Findings {
    /// Each finding behind its own `Arc`: the B-tree's leaves hold 16 entries inline and fill
    /// only half when findings arrive in key order, so inline findings wasted as much as they
    /// used (a million `LEDGER-NOSOURCE` at a million flows).
    ordered: imbl::OrdMap<FindingKey, std::sync::Arc<Finding>>,
    /// How many findings each rule has (with its severity): the dashboard's counts, and the
    /// rules to look in for a record's findings.
    rules: std::collections::BTreeMap<(Severity, &'static str), usize>,
}

impl Findings {
    /// `list` as `checks::run_with` returns it, filled through [`fill`] so the map's leaves end
    /// up full rather than half full.
    pub fn of(list: Vec<Finding>) -> Self {
        let mut out = Self::default();
        let mut placer = Placer::default();
        let mut ordered = Vec::with_capacity(list.len());
        for f in list {
            *out.rules.entry((f.severity, f.rule)).or_default() += 1;
            ordered.push((placer.key(&f), std::sync::Arc::new(f)));
        }
        fill(&mut out.ordered, ordered);
        out
    }

    /// Adds the findings of records that have none of their kind here (all of each record's,
    /// in the checks' order).
    fn extend(&mut self, list: Vec<Finding>) {
        let mut placer = Placer::default();
        for f in list {
            *self.rules.entry((f.severity, f.rule)).or_default() += 1;
            self.ordered.insert(placer.key(&f), std::sync::Arc::new(f));
        }
    }

    /// The keys of the findings about `id` whose kind rank `rank` accepts, rule by rule.
    fn keys_about(&self, id: &RecordId, rank: impl Fn(u8) -> bool) -> Vec<FindingKey> {
        let mut keys = Vec::new();
        for &(severity, rule) in self.rules.keys() {
            let from = (severity, rule, id.clone(), 0, 0);
            let to = (severity, rule, id.clone(), u8::MAX, u32::MAX);
            keys.extend(
                self.ordered
                    .range(from..=to)
                    .map(|(k, _)| k)
                    .filter(|k| rank(k.3))
                    .cloned(),
            );
        }
        keys
    }

    /// Takes out every finding about one record.
    fn remove(&mut self, kind: RecordKind, id: &RecordId) {
        let rank = kind_rank(kind);
        for key in self.keys_about(id, |r| r == rank) {
            if self.ordered.remove(&key).is_some() {
                let rule = (key.0, key.1);
                let emptied = self.rules.get_mut(&rule).is_some_and(|n| {
                    *n = n.saturating_sub(1);
                    *n == 0
                });
                if emptied {
                    self.rules.remove(&rule);
                }
            }
        }
    }

    pub fn iter(&self) -> FindingsIter<'_> {
        self.ordered
            .values()
            .map(unshared as fn(&std::sync::Arc<Finding>) -> &Finding)
    }

    pub fn len(&self) -> usize {
        self.ordered.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ordered.is_empty()
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.rules
            .iter()
            .filter(|((s, _), _)| *s == severity)
            .map(|(_, n)| n)
            .sum()
    }

    /// A copy, for rules that take the findings as a list.
    pub fn to_vec(&self) -> Vec<Finding> {
        self.iter().cloned().collect()
    }

    /// The findings about any of `ids`, in the checks' order.
    pub fn about<'a>(&'a self, ids: &[&RecordId]) -> Vec<&'a Finding> {
        let mut keys: Vec<FindingKey> = ids
            .iter()
            .flat_map(|id| self.keys_about(id, |_| true))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        keys.iter()
            .filter_map(|k| self.ordered.get(k))
            .map(|f| &**f)
            .collect()
    }
}

fn unshared(f: &std::sync::Arc<Finding>) -> &Finding {
    f
}

/// The findings in the checks' order.
pub type FindingsIter<'a> = std::iter::Map<
    imbl::ordmap::Values<
        'a,
        FindingKey,
        std::sync::Arc<Finding>,
        imbl::shared_ptr::DefaultSharedPtr,
    >,
    fn(&'a std::sync::Arc<Finding>) -> &'a Finding,
>;

impl<'a> IntoIterator for &'a Findings {
    type Item = &'a Finding;
    type IntoIter = FindingsIter<'a>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl Serialize for Findings {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

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

/// The kinds a snapshot follows incrementally: the activity families and what hangs on them.
const FOLLOWED: [RecordKind; 7] = [
    RecordKind::Flow,
    RecordKind::Activity,
    RecordKind::EquipmentLine,
    RecordKind::Budget,
    RecordKind::Partnership,
    RecordKind::Claim,
    RecordKind::DonationCheck,
];

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

/// The activity a record's rules hang on (flows, equipment lines) or that it is.
fn seed(kind: RecordKind, ledger: &Ledger, id: &RecordId, out: &mut Vec<RecordId>) {
    match kind {
        RecordKind::Activity => out.push(id.clone()),
        RecordKind::Flow => out.extend(ledger.flows.get(id).map(|f| f.activity.clone())),
        RecordKind::EquipmentLine => {
            out.extend(ledger.equipment_lines.get(id).map(|e| e.activity.clone()));
        }
        _ => {}
    }
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
        // Writes handed over together may put one record more than once: the last one stands.
        let mut put = put;
        let mut seen = BTreeSet::new();
        put.reverse();
        put.retain(|r| seen.insert((r.kind(), r.id().clone())));
        put.reverse();
        let followed = put
            .iter()
            .map(Record::kind)
            .chain(deleted.iter().map(|(k, _)| *k))
            .all(|k| FOLLOWED.contains(&k));
        let options = service.check_options(config.undisbursed_after_days);
        if !followed || options != self.check_options {
            return Ok(None);
        }
        let old = &self.ledger;
        let mut seeds = Vec::new();
        let mut records_before = Vec::new();
        for (kind, id) in put
            .iter()
            .map(|r| (r.kind(), r.id().clone()))
            .chain(deleted.iter().cloned())
        {
            seed(kind, old, &id, &mut seeds);
            records_before.extend(old.get(kind, &id));
        }
        let mut ledger = old.clone();
        ledger.apply_changes(put.clone(), deleted);
        for r in &put {
            seed(r.kind(), &ledger, r.id(), &mut seeds);
        }
        // The families as they were and as they are, until each side's closure adds nothing.
        let mut family = old.families(seeds);
        loop {
            let grown = old.families(ledger.families(family.iter().cloned()));
            if grown.len() == family.len() {
                break;
            }
            family = grown;
        }
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
        let about = |part: &Ledger| -> BTreeSet<(RecordKind, RecordId)> {
            let flows = part.flows.keys().map(|id| (RecordKind::Flow, id.clone()));
            let lines = part
                .equipment_lines
                .keys()
                .map(|id| (RecordKind::EquipmentLine, id.clone()));
            let acts = family.iter().map(|id| (RecordKind::Activity, id.clone()));
            flows.chain(lines).chain(acts).collect()
        };
        for (kind, id) in about(&before) {
            findings.remove(kind, &id);
        }
        let judged = about(&after);
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
