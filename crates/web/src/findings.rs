//! The findings of a snapshot, in the order `checks::run_with` gives them (severity, rule,
//! record; for one record and rule, flows' before activities' and then in the order the rule
//! emits them), kept as a sorted persistent vector: the first snapshot builds it from the
//! checks' list in one pass (a million `LEDGER-NOSOURCE` at a million flows: building an ordered
//! map entry by entry took about a second before the first dashboard), the next snapshot shares
//! it and replaces only the findings of the records a write reaches, and a record's findings are
//! found by a binary search per rule present.

use std::collections::BTreeMap;

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

/// The findings of a snapshot (see the module comment).
#[derive(Clone, Default)]
pub struct Findings {
    ordered: imbl::Vector<Entry>,
    /// How many findings each rule has (with its severity): the dashboard's counts, and the
    /// rules to look in for a record's findings.
    rules: BTreeMap<(Severity, &'static str), usize>,
}

impl Findings {
    /// `list` as `checks::run_with` returns it.
    pub fn of(list: Vec<Finding>) -> Self {
        let mut rules = BTreeMap::new();
        let mut placer = Placer::default();
        let mut sorted = true;
        let mut last: Option<(Severity, &'static str, RecordId, u8, u32)> = None;
        // Straight into the vector: the list is in order but where one rule finds a record's
        // activity before its flow, which the check below notices (a sort then puts it right).
        let mut ordered: imbl::Vector<Entry> = list
            .into_iter()
            .map(|f| {
                *rules.entry((f.severity, f.rule)).or_default() += 1;
                let entry = placer.entry(f);
                let (severity, rule, record, rank, seq) = entry.key();
                let key = (severity, rule, record.clone(), rank, seq);
                sorted &= last.as_ref().is_none_or(|l| *l < key);
                last = Some(key);
                entry
            })
            .collect();
        if !sorted {
            let mut entries: Vec<Entry> = ordered.into_iter().collect();
            entries.sort_by(|a, b| a.key().cmp(&b.key()));
            ordered = entries.into();
        }
        Self { ordered, rules }
    }

    /// Adds the findings of records that have none of their kind here (all of each record's,
    /// in the checks' order).
    pub(crate) fn extend(&mut self, list: Vec<Finding>) {
        let mut placer = Placer::default();
        for f in list {
            *self.rules.entry((f.severity, f.rule)).or_default() += 1;
            let entry = placer.entry(f);
            let at = self
                .ordered
                .binary_search_by(|e| e.key().cmp(&entry.key()))
                .unwrap_or_else(|at| at);
            self.ordered.insert(at, entry);
        }
    }

    /// The places of the findings about `id` whose kind rank `rank` accepts, in order.
    fn places_about(&self, id: &RecordId, rank: impl Fn(u8) -> bool) -> Vec<usize> {
        let mut places = Vec::new();
        for &(severity, rule) in self.rules.keys() {
            let first = (severity, rule, id, 0, 0);
            let mut at = self
                .ordered
                .binary_search_by(|e| e.key().cmp(&first))
                .unwrap_or_else(|at| at);
            while let Some(e) = self.ordered.get(at) {
                let f = &e.finding;
                if (f.severity, f.rule, &f.record) != (severity, rule, id) {
                    break;
                }
                if rank(e.rank) {
                    places.push(at);
                }
                at += 1;
            }
        }
        places.sort_unstable();
        places
    }

    /// Takes out every finding about one record of `kind`.
    pub(crate) fn remove(&mut self, kind: RecordKind, id: &RecordId) {
        let rank = kind_rank(kind);
        // From the last, so each place still names the finding it was found at.
        for at in self.places_about(id, |r| r == rank).into_iter().rev() {
            let gone = self.ordered.remove(at);
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
        self.ordered
            .iter()
            .map(finding_of as fn(&Entry) -> &Finding)
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
        let mut places: Vec<usize> = ids
            .iter()
            .flat_map(|id| self.places_about(id, |_| true))
            .collect();
        places.sort_unstable();
        places.dedup();
        places
            .into_iter()
            .filter_map(|at| self.ordered.get(at))
            .map(|e| &e.finding)
            .collect()
    }
}

fn finding_of(e: &Entry) -> &Finding {
    &e.finding
}

/// The findings in the checks' order.
pub type FindingsIter<'a> = std::iter::Map<
    imbl::vector::Iter<'a, Entry, imbl::shared_ptr::DefaultSharedPtr>,
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
        Finding {
            rule,
            severity,
            record_kind: kind,
            record: RecordId::parse(id).expect("id"),
            message: format!("{rule} about {id}").into(),
            ratio: None,
            detail: Message::new("ledger-nosource"),
        }
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
        fs.into_iter().map(|f| f.message.to_string()).collect()
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
}
