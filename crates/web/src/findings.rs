//! The findings of a snapshot, in the order `checks::run_with` gives them (severity, rule,
//! record; for one record and rule, flows' before activities' and then in the order the rule
//! emits them), kept as sorted chunks shared between snapshots: the first snapshot fills them
//! from the checks' list in one pass (a million `LEDGER-NOSOURCE` at a million flows: building an
//! ordered map entry by entry took about a second before the first dashboard), the next snapshot
//! shares them and copies only the chunks holding the findings of the records a write reaches
//! (a persistent vector's insert in the middle cost about 0.25 ms each, 10 ms a write), and a
//! record's findings are found by a binary search per rule present.

use std::collections::BTreeMap;
use std::sync::Arc;

use aidtrace_domain::checks::{Finding, Severity};
use aidtrace_domain::{RecordId, RecordKind};
use serde::Serialize;

/// One finding with the rest of its place in the order: its kind's rank and how many findings
/// of the same rule, record and kind came before it.
#[derive(Clone)]
pub struct Entry {
    rank: u8,
    seq: u32,
    finding: Finding,
}

/// Where a finding sits: severity, rule, record, kind rank, sequence.
type Key<'a> = (Severity, &'static str, &'a RecordId, u8, u32);

impl Entry {
    fn key(&self) -> Key<'_> {
        let f = &self.finding;
        (f.severity, f.rule, &f.record, self.rank, self.seq)
    }
}

fn kind_rank(kind: RecordKind) -> u8 {
    match kind {
        RecordKind::Flow => 0,
        RecordKind::Activity => 1,
        other => (other as u8).saturating_add(2),
    }
}

/// Gives each finding of a list in the checks' order its place among the findings of the same
/// rule, record and kind before it in the list.
#[derive(Default)]
struct Placer {
    group: Option<(Severity, &'static str, RecordId)>,
    /// Per kind rank, how many findings of the current group had it.
    seen: Vec<(u8, u32)>,
}

impl Placer {
    fn entry(&mut self, finding: Finding) -> Entry {
        let group = (finding.severity, finding.rule, finding.record.clone());
        if self.group.as_ref() != Some(&group) {
            self.group = Some(group);
            self.seen.clear();
        }
        let rank = kind_rank(finding.record_kind);
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
        Entry { rank, seq, finding }
    }
}

/// Entries per chunk as built: a write copies the chunks it touches, so they stay small; a chunk
/// that grows to twice this splits.
const CHUNK: usize = 512;

/// The findings of a snapshot (see the module comment).
#[derive(Clone, Default)]
pub struct Findings {
    /// Sorted, each chunk non-empty, every entry of a chunk before every entry of the next.
    chunks: Vec<Arc<Vec<Entry>>>,
    len: usize,
    /// How many findings each rule has (with its severity): the dashboard's counts, and the
    /// rules to look in for a record's findings.
    rules: BTreeMap<(Severity, &'static str), usize>,
}

impl Findings {
    /// `list` as `checks::run_with` returns it.
    pub fn of(list: Vec<Finding>) -> Self {
        let mut out = Self::default();
        let mut placer = Placer::default();
        let mut sorted = true;
        let mut chunk: Vec<Entry> = Vec::with_capacity(CHUNK);
        // Straight into the chunks: the list is in order but where one rule finds a record's
        // activity before its flow, which the check below notices (a sort then puts it right).
        for f in list {
            *out.rules.entry((f.severity, f.rule)).or_default() += 1;
            let entry = placer.entry(f);
            let last = chunk
                .last()
                .or_else(|| out.chunks.last().and_then(|c| c.last()));
            sorted &= last.is_none_or(|l| l.key() < entry.key());
            chunk.push(entry);
            if chunk.len() == CHUNK {
                out.chunks.push(Arc::new(std::mem::replace(
                    &mut chunk,
                    Vec::with_capacity(CHUNK),
                )));
            }
        }
        if !chunk.is_empty() {
            out.chunks.push(Arc::new(chunk));
        }
        if !sorted {
            let mut all: Vec<Entry> = out
                .chunks
                .drain(..)
                .flat_map(Arc::unwrap_or_clone)
                .collect();
            all.sort_by(|a, b| a.key().cmp(&b.key()));
            out.chunks = all.chunks(CHUNK).map(|c| Arc::new(c.to_vec())).collect();
        }
        out.len = out.chunks.iter().map(|c| c.len()).sum();
        out
    }

    /// Where `key` is or would go: the chunk and the place in it.
    fn position(&self, key: &Key<'_>) -> (usize, usize) {
        let chunk = self
            .chunks
            .partition_point(|c| c.last().is_some_and(|l| l.key() < *key));
        let at = self
            .chunks
            .get(chunk)
            .map_or(0, |c| c.partition_point(|e| e.key() < *key));
        (chunk, at)
    }

    /// Adds the findings of records that have none of their kind here (all of each record's,
    /// in the checks' order).
    pub(crate) fn extend(&mut self, list: Vec<Finding>) {
        let mut placer = Placer::default();
        for f in list {
            *self.rules.entry((f.severity, f.rule)).or_default() += 1;
            let entry = placer.entry(f);
            let (mut chunk, mut at) = self.position(&entry.key());
            if chunk == self.chunks.len() {
                // After every entry: at the end of the last chunk, or in a first chunk.
                match self.chunks.len().checked_sub(1) {
                    Some(last) => {
                        chunk = last;
                        at = self.chunks[last].len();
                    }
                    None => self.chunks.push(Arc::new(Vec::new())),
                }
            }
            let target = Arc::make_mut(&mut self.chunks[chunk]);
            target.insert(at, entry);
            if target.len() >= 2 * CHUNK {
                let upper = target.split_off(CHUNK);
                self.chunks.insert(chunk + 1, Arc::new(upper));
            }
            self.len += 1;
        }
    }

    /// The places (chunk, place in it) of the findings about `id` whose kind rank `rank`
    /// accepts, in order.
    fn places_about(&self, id: &RecordId, rank: impl Fn(u8) -> bool) -> Vec<(usize, usize)> {
        let mut places = Vec::new();
        for &(severity, rule) in self.rules.keys() {
            let (mut chunk, mut at) = self.position(&(severity, rule, id, 0, 0));
            while let Some(e) = self.chunks.get(chunk).and_then(|c| c.get(at)) {
                let f = &e.finding;
                if (f.severity, f.rule, &f.record) != (severity, rule, id) {
                    break;
                }
                if rank(e.rank) {
                    places.push((chunk, at));
                }
                at += 1;
                if self.chunks.get(chunk).is_some_and(|c| at == c.len()) {
                    chunk += 1;
                    at = 0;
                }
            }
        }
        places.sort_unstable();
        places
    }

    /// Takes out every finding about one record of `kind`.
    pub(crate) fn remove(&mut self, kind: RecordKind, id: &RecordId) {
        let rank = kind_rank(kind);
        // From the last, so each place still names the finding it was found at.
        for (chunk, at) in self.places_about(id, |r| r == rank).into_iter().rev() {
            let Some(target) = self.chunks.get_mut(chunk) else {
                continue;
            };
            let target = Arc::make_mut(target);
            if at >= target.len() {
                continue;
            }
            let gone = target.remove(at);
            if target.is_empty() {
                self.chunks.remove(chunk);
            }
            self.len = self.len.saturating_sub(1);
            let rule = (gone.finding.severity, gone.finding.rule);
            let emptied = self.rules.get_mut(&rule).is_some_and(|n| {
                *n = n.saturating_sub(1);
                *n == 0
            });
            if emptied {
                self.rules.remove(&rule);
            }
        }
    }

    pub fn iter(&self) -> FindingsIter<'_> {
        self.chunks
            .iter()
            .flat_map(chunk_entries as fn(&Arc<Vec<Entry>>) -> std::slice::Iter<'_, Entry>)
            .map(finding_of as fn(&Entry) -> &Finding)
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
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
        let mut places: Vec<(usize, usize)> = ids
            .iter()
            .flat_map(|id| self.places_about(id, |_| true))
            .collect();
        places.sort_unstable();
        places.dedup();
        places
            .into_iter()
            .filter_map(|(chunk, at)| self.chunks.get(chunk)?.get(at))
            .map(|e| &e.finding)
            .collect()
    }
}

fn chunk_entries(chunk: &Arc<Vec<Entry>>) -> std::slice::Iter<'_, Entry> {
    chunk.iter()
}

fn finding_of(e: &Entry) -> &Finding {
    &e.finding
}

/// The findings in the checks' order.
pub type FindingsIter<'a> = std::iter::Map<
    std::iter::FlatMap<
        std::slice::Iter<'a, Arc<Vec<Entry>>>,
        std::slice::Iter<'a, Entry>,
        fn(&'a Arc<Vec<Entry>>) -> std::slice::Iter<'a, Entry>,
    >,
    fn(&'a Entry) -> &'a Finding,
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

#[cfg(test)]
mod tests {
    use aidtrace_domain::checks::{Finding, Message, Severity};
    use aidtrace_domain::{RecordId, RecordKind};

    use super::Findings;

    fn finding(rule: &'static str, severity: Severity, kind: RecordKind, id: &str) -> Finding {
        Finding::new(
            rule,
            severity,
            kind,
            RecordId::parse(id).expect("id"),
            format!("{rule} about {id}"),
        )
        .said(Message::new("ledger-nosource"))
    }

    /// In the checks' order: severity, rule, record; a record's flow finding before its
    /// activity finding under one rule; two findings of one rule about one record as emitted.
    fn list() -> Vec<Finding> {
        vec![
            finding("A-RULE", Severity::Error, RecordKind::Activity, "x-1"),
            finding("A-RULE", Severity::Error, RecordKind::Flow, "x-1"),
            finding("A-RULE", Severity::Error, RecordKind::Flow, "x-2"),
            finding("B-RULE", Severity::Warning, RecordKind::Flow, "x-1"),
            finding("B-RULE", Severity::Warning, RecordKind::Flow, "x-1"),
            finding("C-RULE", Severity::Info, RecordKind::Flow, "x-3"),
        ]
    }

    fn messages<'a>(fs: impl IntoIterator<Item = &'a Finding>) -> Vec<String> {
        fs.into_iter().map(|f| f.message().to_string()).collect()
    }

    #[test]
    fn a_list_keeps_the_checks_order_with_flows_before_activities() {
        let findings = Findings::of(list());
        let mut want = messages(&list());
        want.swap(0, 1);
        assert_eq!(messages(&findings), want);
        assert_eq!(findings.count(Severity::Warning), 2);
        assert_eq!(findings.len(), 6);
    }

    #[test]
    fn a_record_s_findings_are_found_across_rules_in_order() {
        let findings = Findings::of(list());
        let id = RecordId::parse("x-1").expect("id");
        let about: Vec<_> = findings.about(&[&id]).into_iter().cloned().collect();
        assert_eq!(about.len(), 4);
        assert!(about.iter().all(|f| f.record == id));
        assert_eq!(about[0].record_kind, RecordKind::Flow);
        assert_eq!(about[1].record_kind, RecordKind::Activity);
    }

    #[test]
    fn removing_a_record_s_findings_of_one_kind_and_adding_them_again_restores_the_list() {
        let whole = Findings::of(list());
        let id = RecordId::parse("x-1").expect("id");
        let mut changed = whole.clone();
        changed.remove(RecordKind::Flow, &id);
        assert_eq!(changed.len(), 3);
        assert_eq!(changed.count(Severity::Warning), 0);
        // The activity's own finding stays.
        assert_eq!(changed.about(&[&id]).len(), 1);
        changed.extend(
            list()
                .into_iter()
                .filter(|f| f.record == id && f.record_kind == RecordKind::Flow)
                .collect(),
        );
        assert_eq!(messages(&changed), messages(&whole));
        assert_eq!(changed.count(Severity::Warning), 2);
        // The snapshot the change started from is untouched.
        assert_eq!(whole.len(), 6);
    }

    /// Across chunk boundaries: findings taken out and put back (one chunk emptied, one grown
    /// past twice its size and split) come back in order, and the original is shared, not
    /// changed.
    #[test]
    fn findings_across_chunks_taken_out_and_put_back_keep_their_order() {
        let many = |range: std::ops::Range<usize>| -> Vec<Finding> {
            range
                .map(|i| {
                    finding(
                        "A-RULE",
                        Severity::Info,
                        RecordKind::Flow,
                        &format!("f-{i:05}"),
                    )
                })
                .collect()
        };
        let n = 3 * super::CHUNK + 7;
        let whole = Findings::of(many(0..n));
        let mut changed = whole.clone();
        let gone: Vec<usize> = (super::CHUNK - 3..2 * super::CHUNK + 3).collect();
        for i in &gone {
            changed.remove(
                RecordKind::Flow,
                &RecordId::parse(&format!("f-{i:05}")).expect("id"),
            );
        }
        assert_eq!(changed.len(), n - gone.len());
        for i in &gone {
            changed.extend(many(*i..*i + 1));
        }
        assert_eq!(messages(&changed), messages(&whole));
        assert_eq!(changed.len(), n);
        assert_eq!(whole.len(), n);
        let id = RecordId::parse(&format!("f-{:05}", super::CHUNK)).expect("id");
        assert_eq!(changed.about(&[&id]).len(), 1);
        // Put back at the end, past every chunk: the last chunk grows and splits.
        let mut grown = Findings::of(many(0..10));
        grown.extend(many(10..3 * super::CHUNK));
        assert_eq!(
            messages(&grown),
            messages(&Findings::of(many(0..3 * super::CHUNK)))
        );
    }
}
