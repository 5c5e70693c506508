//! A committed write applied to a ledger in place, and the part of a ledger a write can change
//! the reports of. Together they let a read model follow writes at a cost proportional to the
//! records touched, not to the ledger (issue #13): the records' maps and indexes are persistent
//! ([`super::Map`]), so `ledger.clone()` shares everything and this changes only what the
//! write touched.

use std::collections::BTreeSet;

use super::Ledger;
use crate::codes::RecordId;
use crate::model::{FlowKind, Record, RecordKind};

/// The kinds whose effect on the totals and findings stays within the activity families a
/// write of them reaches ([`Ledger::write_families`]): the activities and what hangs on them.
/// Budgets, partnerships, claims and donation checks hang on an activity and no check reads
/// them; a write of another kind (an organisation, a source, a facility) can change the
/// findings of any activity.
pub const FAMILY_KINDS: [RecordKind; 7] = [
    RecordKind::Flow,
    RecordKind::Activity,
    RecordKind::EquipmentLine,
    RecordKind::Budget,
    RecordKind::Partnership,
    RecordKind::Claim,
    RecordKind::DonationCheck,
];

/// `put` with each record once, the last one put standing, in the order of those last puts:
/// writes handed over together, or a batch, may put one record more than once, and
/// [`Ledger::apply_changes`] takes each record once.
pub fn last_of_each(mut put: Vec<Record>) -> Vec<Record> {
    let mut seen = BTreeSet::new();
    put.reverse();
    put.retain(|r| seen.insert((r.kind(), r.id().clone())));
    put.reverse();
    put
}

/// Inserts `id` into an id-ordered list, once.
fn insert_sorted(list: &mut Vec<RecordId>, id: &RecordId) {
    if let Err(at) = list.binary_search(id) {
        list.insert(at, id.clone());
    }
}

/// Takes `id` out of the list kept under `key`, dropping the list when it empties (as a
/// rebuilt index has no empty lists).
fn unlink(index: &mut super::Index<Vec<RecordId>>, key: &RecordId, id: &RecordId) {
    let emptied = match index.get_mut(key) {
        Some(list) => {
            if let Ok(at) = list.binary_search(id) {
                list.remove(at);
            }
            list.is_empty()
        }
        None => false,
    };
    if emptied {
        index.remove(key);
    }
}

fn link(index: &mut super::Index<Vec<RecordId>>, key: &RecordId, id: &RecordId) {
    insert_sorted(index.entry(key.clone()).or_default(), id);
}

impl Ledger {
    /// The ancestors of an activity as the `kinds_below` index walks them: from its parent up,
    /// stopping at a repeat (a cycle in bad data) or at an id no activity has (that id is
    /// still included, as the index records it).
    fn ancestors_walk(&self, activity: &RecordId) -> Vec<RecordId> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        let mut current = self
            .activities
            .get(activity)
            .and_then(|a| a.parent.as_ref());
        while let Some(ancestor) = current {
            if !seen.insert(ancestor.clone()) {
                break;
            }
            out.push(ancestor.clone());
            current = self
                .activities
                .get(ancestor)
                .and_then(|a| a.parent.as_ref());
        }
        out
    }

    /// Where a change to `record` (as stored now) bears on `kinds_below`: the activities whose
    /// entry may change with it.
    fn kinds_touched(&self, kind: RecordKind, id: &RecordId, out: &mut BTreeSet<RecordId>) {
        match kind {
            RecordKind::Flow => {
                if let Some(f) = self.flows.get(id) {
                    out.extend(self.ancestors_walk(&f.activity));
                }
            }
            RecordKind::Activity => {
                out.insert(id.clone());
                out.extend(self.ancestors_walk(id));
            }
            _ => {}
        }
    }

    /// Takes one record out, with its index entries (`kinds_below` is the caller's).
    fn unindexed_remove(&mut self, kind: RecordKind, id: &RecordId) {
        match kind {
            RecordKind::Flow => {
                if let Some(old) = self.flows.remove(id) {
                    if let Some(parent) = &old.parent_flow {
                        unlink(&mut self.flow_children, parent, id);
                    }
                    unlink(&mut self.flows_by_activity, &old.activity, id);
                }
            }
            RecordKind::Activity => {
                if let Some(old) = self.activities.remove(id)
                    && let Some(parent) = &old.parent
                {
                    unlink(&mut self.activity_children, parent, id);
                }
            }
            RecordKind::EquipmentLine => {
                if let Some(old) = self.equipment_lines.remove(id) {
                    unlink(&mut self.equipment_by_activity, &old.activity, id);
                }
            }
            other => self.remove(other, id),
        }
    }

    /// Puts one record in, with its index entries (`kinds_below` is the caller's).
    fn indexed_insert(&mut self, record: Record) {
        let (kind, id) = (record.kind(), record.id().clone());
        self.unindexed_remove(kind, &id);
        match &record {
            Record::Flow(f) => {
                if let Some(parent) = &f.parent_flow {
                    link(&mut self.flow_children, parent, &id);
                }
                link(&mut self.flows_by_activity, &f.activity, &id);
            }
            Record::Activity(a) => {
                if let Some(parent) = &a.parent {
                    link(&mut self.activity_children, parent, &id);
                }
            }
            Record::EquipmentLine(e) => link(&mut self.equipment_by_activity, &e.activity, &id),
            _ => {}
        }
        self.insert(record);
    }

    /// This ledger after a committed write, changed in place: equal to
    /// [`Self::with_changes`] (and so to [`Self::from_records`] over the records as they now
    /// stand), but the indexes are updated where the write touched them instead of rebuilt, so
    /// the cost follows the write, not the ledger.
    pub fn apply_changes(&mut self, put: Vec<Record>, deleted: &[(RecordKind, RecordId)]) {
        // Activities whose `kinds_below` may change: where the records were, and where they go.
        let mut touched = BTreeSet::new();
        for (kind, id) in deleted {
            self.kinds_touched(*kind, id, &mut touched);
        }
        for r in &put {
            self.kinds_touched(r.kind(), r.id(), &mut touched);
        }
        for (kind, id) in deleted {
            self.unindexed_remove(*kind, id);
        }
        let mut placed = Vec::with_capacity(put.len());
        for record in put {
            placed.push((record.kind(), record.id().clone()));
            self.indexed_insert(record);
        }
        for (kind, id) in &placed {
            self.kinds_touched(*kind, id, &mut touched);
        }
        self.rekind(&touched);
    }

    /// Recomputes `kinds_below` for `targets` exactly as the full index does: every flow whose
    /// activity's ancestor walk reaches a target adds its kind there. Only activities at or
    /// below a target can reach it, so only their flows are walked.
    fn rekind(&mut self, targets: &BTreeSet<RecordId>) {
        if targets.is_empty() {
            return;
        }
        let mut candidates: BTreeSet<RecordId> = BTreeSet::new();
        for t in targets {
            self.kinds_below.remove(t);
            candidates.insert(t.clone());
            candidates.extend(self.descendants(t));
        }
        let mut found: Vec<(RecordId, FlowKind)> = Vec::new();
        for a in &candidates {
            let ancestors: Vec<RecordId> = self
                .ancestors_walk(a)
                .into_iter()
                .filter(|x| targets.contains(x))
                .collect();
            if ancestors.is_empty() {
                continue;
            }
            for flow in self.flows_of(a) {
                for x in &ancestors {
                    found.push((x.clone(), flow.kind));
                }
            }
        }
        for (x, kind) in found {
            self.kinds_below.entry(x).or_default().insert(kind);
        }
    }

    /// The activities whose reports a change to `seeds` can alter, closed so that the part of
    /// the ledger they span is self-contained for the totals and checks rules: each seed's
    /// whole activity tree (from its root down: shares, statuses and `kinds_below` pass along
    /// parent links), and the trees of flows linked to their flows by `parent_flow` either way
    /// (envelopes, donors found through the root flow). Ids no activity has are kept as given.
    pub fn families(&self, seeds: impl IntoIterator<Item = RecordId>) -> BTreeSet<RecordId> {
        let mut out: BTreeSet<RecordId> = BTreeSet::new();
        let mut queue: Vec<RecordId> = seeds.into_iter().collect();
        while let Some(seed) = queue.pop() {
            if out.contains(&seed) {
                continue;
            }
            // The root: the top of the parent chain (cycle-safe), then everything below it.
            let mut root = seed.clone();
            let mut seen = BTreeSet::new();
            while let Some(parent) = self.activities.get(&root).and_then(|a| a.parent.clone()) {
                if !seen.insert(root.clone()) {
                    break;
                }
                root = parent;
            }
            let mut tree = vec![root.clone(), seed];
            tree.extend(self.descendants(&root));
            for a in tree {
                if !out.insert(a.clone()) {
                    continue;
                }
                for flow in self.flows_of(&a) {
                    let linked = flow
                        .parent_flow
                        .iter()
                        .chain(self.flow_children(&flow.id))
                        .filter_map(|f| self.flows.get(f))
                        .map(|f| f.activity.clone());
                    queue.extend(linked.filter(|x| !out.contains(x)));
                }
            }
        }
        out
    }

    /// The activities a write from `self` to `after` reaches (`touched`: every record it put
    /// or deleted), as [`Self::families`] on both sides, closed until neither adds any: a flow
    /// moved from one activity to another, or a parent link changed, reaches both trees.
    /// Meaningful for writes of [`FAMILY_KINDS`] only.
    pub fn write_families(
        &self,
        after: &Ledger,
        touched: &[(RecordKind, RecordId)],
    ) -> BTreeSet<RecordId> {
        let mut seeds = Vec::new();
        for (kind, id) in touched {
            for side in [self, after] {
                match kind {
                    RecordKind::Activity => seeds.push(id.clone()),
                    RecordKind::Flow => {
                        seeds.extend(side.flows.get(id).map(|f| f.activity.clone()));
                    }
                    RecordKind::EquipmentLine => {
                        seeds.extend(side.equipment_lines.get(id).map(|e| e.activity.clone()));
                    }
                    _ => {}
                }
            }
        }
        let mut family = self.families(seeds);
        loop {
            let grown = self.families(after.families(family.iter().cloned()));
            if grown.len() == family.len() {
                return family;
            }
            family = grown;
        }
    }

    /// The records a [`Self::part`] for `family` judges in full: its activities, flows and
    /// equipment lines. Their findings on the part are their findings on the whole ledger, so
    /// a write's effect on the findings is the difference of these on the two sides.
    pub fn judged_in_part(&self, family: &BTreeSet<RecordId>) -> BTreeSet<(RecordKind, RecordId)> {
        let flows = self.flows.keys().map(|id| (RecordKind::Flow, id.clone()));
        let lines = self
            .equipment_lines
            .keys()
            .map(|id| (RecordKind::EquipmentLine, id.clone()));
        let activities = family.iter().map(|id| (RecordKind::Activity, id.clone()));
        flows.chain(lines).chain(activities).collect()
    }

    /// The part of this ledger the rules need to judge the activities `family` (see
    /// [`Self::families`]): those activities with their flows and equipment lines, and every
    /// organisation, source and facility (which the rules look up; they are few). The other
    /// kinds, which neither the totals nor the checks read, are left out.
    pub fn part(&self, family: &BTreeSet<RecordId>) -> Ledger {
        let mut part = Ledger {
            sources: self.sources.clone(),
            organisations: self.organisations.clone(),
            facilities: self.facilities.clone(),
            ..Ledger::default()
        };
        for a in family {
            if let Some(x) = self.activities.get(a) {
                part.activities.insert(a.clone(), x.clone());
            }
            for f in self.flows_of(a) {
                part.flows.insert(f.id.clone(), f.clone());
            }
            for e in self.equipment_of(a) {
                part.equipment_lines.insert(e.id.clone(), e.clone());
            }
        }
        part.reindexed()
    }

    /// Whether the indexes equal those a full rebuild gives (tests of [`Self::apply_changes`]).
    pub fn indexes_match_rebuild(&self) -> bool {
        let rebuilt = self.clone().reindexed();
        self.flow_children == rebuilt.flow_children
            && self.activity_children == rebuilt.activity_children
            && self.flows_by_activity == rebuilt.flows_by_activity
            && self.equipment_by_activity == rebuilt.equipment_by_activity
            && self.kinds_below == rebuilt.kinds_below
    }
}
