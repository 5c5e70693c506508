//! The findings of a snapshot, in the order `checks::run_with` gives them (severity, rule,
//! record; for one record and rule, flows' before activities' and then in the order the rule
//! emits them), kept as sorted chunks shared between snapshots. The first snapshot keeps the
//! checks' list itself and cuts it into ranges (at a million flows, a million `LEDGER-NOSOURCE`:
//! copying them into chunks held both copies at once, and the allocator kept the freed list's
//! 50 MB resident); a write copies only the ranges holding the findings of the records it
//! reaches into chunks of their own (a persistent vector's insert in the middle cost about
//! 0.25 ms each, 10 ms a write), and a record's findings are found by a binary search per rule
//! present.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use aidtrace_domain::checks::{Finding, Severity};
use aidtrace_domain::{RecordId, RecordKind};
use serde::Serialize;

/// Where a finding sits: severity, rule, record, kind rank. Findings with the same place keep
/// the order they were emitted in.
type Key<'a> = (Severity, &'static str, &'a RecordId, u8);

fn key(f: &Finding) -> Key<'_> {
    (f.severity, f.rule, &f.record, kind_rank(f.record_kind))
}

fn kind_rank(kind: RecordKind) -> u8 {
    match kind {
        RecordKind::Flow => 0,
        RecordKind::Activity => 1,
        other => (other as u8).saturating_add(2),
    }
}

/// Findings per chunk as cut: a write copies the chunks it touches, so they stay small; a chunk
/// that grows to twice this splits.
const CHUNK: usize = 512;

/// A run of findings in order: a range of the checks' list (shared by every snapshot until a
/// write touches it), or, with no range, a list of its own a write made.
#[derive(Clone)]
pub struct Chunk {
    list: Arc<Vec<Finding>>,
    range: Option<Range<usize>>,
}

impl Chunk {
    fn shared(list: &Arc<Vec<Finding>>, range: Range<usize>) -> Self {
        Self {
            list: list.clone(),
            range: Some(range),
        }
    }

    fn own(list: Vec<Finding>) -> Self {
        Self {
            list: Arc::new(list),
            range: None,
        }
    }

    fn as_slice(&self) -> &[Finding] {
        match &self.range {
            Some(range) => self.list.get(range.clone()).unwrap_or_default(),
            None => &self.list,
        }
    }

    /// The findings to change: a shared range is copied into a list of its own first.
    fn to_mut(&mut self) -> &mut Vec<Finding> {
        if let Some(range) = self.range.take() {
            self.list = Arc::new(self.list.get(range).unwrap_or_default().to_vec());
        }
        Arc::make_mut(&mut self.list)
    }
}

/// The findings of a snapshot (see the module comment).
#[derive(Clone, Default)]
pub struct Findings {
    /// Sorted, each chunk non-empty, every finding of a chunk before every finding of the next.
    chunks: Vec<Chunk>,
    len: usize,
    /// How many findings each rule has (with its severity): the dashboard's counts, and the
    /// rules to look in for a record's findings.
    rules: BTreeMap<(Severity, &'static str), usize>,
}

impl Findings {
    /// `list` as `checks::run_with` returns it.
    pub fn of(mut list: Vec<Finding>) -> Self {
        let mut out = Self::default();
        for f in &list {
            *out.rules.entry((f.severity, f.rule)).or_default() += 1;
        }
        // The list is in order but where one rule finds a record's activity before its flow; a
        // stable sort puts that right and keeps the emitted order of equal places.
        if !list.windows(2).all(|w| key(&w[0]) <= key(&w[1])) {
            list.sort_by(|a, b| key(a).cmp(&key(b)));
        }
        out.len = list.len();
        let list = Arc::new(list);
        out.chunks = (0..out.len)
            .step_by(CHUNK)
            .map(|start| Chunk::shared(&list, start..(start + CHUNK).min(out.len)))
            .collect();
        out
    }

    /// Where a finding with `key` goes after every finding with the same place: the chunk and
    /// the place in it.
    fn after(&self, key: &Key<'_>) -> (usize, usize) {
        let chunk = self
            .chunks
            .partition_point(|c| c.as_slice().last().is_some_and(|l| &self::key(l) <= key));
        let at = self.chunks.get(chunk).map_or(0, |c| {
            c.as_slice().partition_point(|e| &self::key(e) <= key)
        });
        (chunk, at)
    }

    /// Where the first finding at or after `key` is: the chunk and the place in it.
    fn before(&self, key: &Key<'_>) -> (usize, usize) {
        let chunk = self
            .chunks
            .partition_point(|c| c.as_slice().last().is_some_and(|l| &self::key(l) < key));
        let at = self
            .chunks
            .get(chunk)
            .map_or(0, |c| c.as_slice().partition_point(|e| &self::key(e) < key));
        (chunk, at)
    }

    /// Adds the findings of records that have none of their kind here (all of each record's,
    /// in the checks' order: each goes after those of the same place already added).
    pub(crate) fn extend(&mut self, list: Vec<Finding>) {
        for f in list {
            *self.rules.entry((f.severity, f.rule)).or_default() += 1;
            let (mut chunk, mut at) = self.after(&key(&f));
            if chunk == self.chunks.len() {
                // After every finding: at the end of the last chunk, or in a first chunk.
                match self.chunks.len().checked_sub(1) {
                    Some(last) => {
                        chunk = last;
                        at = self.chunks[last].as_slice().len();
                    }
                    None => self.chunks.push(Chunk::own(Vec::new())),
                }
            }
            let target = self.chunks[chunk].to_mut();
            target.insert(at, f);
            if target.len() >= 2 * CHUNK {
                let upper = target.split_off(CHUNK);
                self.chunks.insert(chunk + 1, Chunk::own(upper));
            }
            self.len += 1;
        }
    }

    /// The places (chunk, place in it) of the findings about `id` whose kind rank `rank`
    /// accepts, in order.
    fn places_about(&self, id: &RecordId, rank: impl Fn(u8) -> bool) -> Vec<(usize, usize)> {
        let mut places = Vec::new();
        for &(severity, rule) in self.rules.keys() {
            let (mut chunk, mut at) = self.before(&(severity, rule, id, 0));
            while let Some(f) = self.chunks.get(chunk).and_then(|c| c.as_slice().get(at)) {
                if (f.severity, f.rule, &f.record) != (severity, rule, id) {
                    break;
                }
                if rank(kind_rank(f.record_kind)) {
                    places.push((chunk, at));
                }
                at += 1;
                if self
                    .chunks
                    .get(chunk)
                    .is_some_and(|c| at == c.as_slice().len())
                {
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
            if at >= target.as_slice().len() {
                continue;
            }
            let target = target.to_mut();
            let gone = target.remove(at);
            if target.is_empty() {
                self.chunks.remove(chunk);
            }
            self.len = self.len.saturating_sub(1);
            let rule = (gone.severity, gone.rule);
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
            .flat_map(chunk_findings as fn(&Chunk) -> std::slice::Iter<'_, Finding>)
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
            .filter_map(|(chunk, at)| self.chunks.get(chunk)?.as_slice().get(at))
            .collect()
    }
}

fn chunk_findings(chunk: &Chunk) -> std::slice::Iter<'_, Finding> {
    chunk.as_slice().iter()
}

/// The findings in the checks' order.
pub type FindingsIter<'a> = std::iter::FlatMap<
    std::slice::Iter<'a, Chunk>,
    std::slice::Iter<'a, Finding>,
    fn(&'a Chunk) -> std::slice::Iter<'a, Finding>,
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

    /// One finding of one rule about each flow `f-NNNNN` of `range`.
    fn many(range: std::ops::Range<usize>) -> Vec<Finding> {
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

    /// The first list is cut into ranges, not copied; a change copies only the range it
    /// touches.
    #[test]
    fn a_change_copies_only_the_range_it_touches() {
        let whole = Findings::of(many(0..3 * super::CHUNK));
        assert!(whole.chunks.iter().all(|c| c.range.is_some()));
        let mut changed = whole.clone();
        changed.remove(
            RecordKind::Flow,
            &RecordId::parse(&format!("f-{:05}", super::CHUNK + 1)).expect("id"),
        );
        let shared: Vec<bool> = changed.chunks.iter().map(|c| c.range.is_some()).collect();
        assert_eq!(shared, [true, false, true]);
        assert!(whole.chunks.iter().all(|c| c.range.is_some()));
    }
}
