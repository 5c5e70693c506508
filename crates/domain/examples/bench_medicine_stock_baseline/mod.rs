//! The stock recompute as it was before lots and facilities were interned (string keys cloned
//! and hashed per movement), kept only so the benchmark measures both in the same run.

use std::collections::{BTreeMap, HashMap};

use aidtrace_domain::RecordId;
use aidtrace_domain::medicines::stock::StockError;
use aidtrace_domain::medicines::{
    Consignment, ConsignmentDecision, DecisionOutcome, MovementKind, StockMovement,
};

/// One lot of one product as delivered by one consignment: the unit the donor view follows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LotRef {
    pub consignment: RecordId,
    pub product: RecordId,
    pub lot: String,
}

impl LotRef {
    pub fn of(m: &StockMovement) -> Self {
        Self {
            consignment: m.consignment.clone(),
            product: m.product.clone(),
            lot: m.lot.clone(),
        }
    }
}

/// Stock on hand per facility and lot, plus what each lot went through.
#[derive(Debug, Clone, Default)]
pub struct Stock {
    /// Base units of each lot still to be received at its destination.
    receivable: HashMap<LotRef, u64>,
    /// Per facility: base units on hand of each lot (no zero entries).
    on_hand: HashMap<RecordId, HashMap<LotRef, u64>>,
    /// Per lot and movement kind: base units moved so far.
    moved: HashMap<LotRef, BTreeMap<MovementKind, u64>>,
}

impl Stock {
    /// Empty stock that may receive the lines of the given consignments that were accepted.
    /// A consignment without a decision, or rejected, receives nothing.
    pub fn new<'a>(
        consignments: impl IntoIterator<Item = &'a Consignment>,
        decisions: impl IntoIterator<Item = &'a ConsignmentDecision>,
    ) -> Self {
        let mut latest: HashMap<&RecordId, &ConsignmentDecision> = HashMap::new();
        for d in decisions {
            let newer = latest
                .get(&d.consignment)
                .is_none_or(|old| (old.decided_on, &old.id) <= (d.decided_on, &d.id));
            if newer {
                latest.insert(&d.consignment, d);
            }
        }
        let mut receivable: HashMap<LotRef, u64> = HashMap::new();
        for c in consignments {
            let Some(decision) = latest.get(&c.id) else {
                continue;
            };
            for (i, line) in c.lines.iter().enumerate() {
                let accepted = match decision.outcome {
                    DecisionOutcome::Accept => true,
                    DecisionOutcome::AcceptInPart => decision.accepted_lines.contains(&i),
                    DecisionOutcome::Reject => false,
                };
                if accepted {
                    let key = LotRef {
                        consignment: c.id.clone(),
                        product: line.product.clone(),
                        lot: line.lot.clone(),
                    };
                    let slot = receivable.entry(key).or_insert(0);
                    *slot = slot.saturating_add(line.quantity);
                }
            }
        }
        Self {
            receivable,
            ..Self::default()
        }
    }

    /// Applies one movement, or refuses it and leaves the stock unchanged.
    pub fn apply(&mut self, m: &StockMovement) -> Result<(), StockError> {
        let lot = LotRef::of(m);
        if m.kind == MovementKind::Receipt {
            let Some(remaining) = self.receivable.get(&lot).copied() else {
                return Err(StockError::NotOnPackingList {
                    consignment: lot.consignment,
                    product: lot.product,
                    lot: lot.lot,
                });
            };
            if m.quantity > remaining {
                return Err(StockError::BeyondPackingList {
                    lot: lot.lot,
                    quantity: m.quantity,
                    remaining,
                });
            }
        }
        if let Some(from) = m.from.as_ref().filter(|_| m.kind.takes_from()) {
            let held = self
                .on_hand
                .get(from)
                .and_then(|f| f.get(&lot))
                .copied()
                .unwrap_or(0);
            if held < m.quantity {
                return Err(StockError::BeyondStock {
                    facility: from.clone(),
                    lot: lot.lot,
                    on_hand: held,
                    quantity: m.quantity,
                });
            }
        }
        // Check the additions before changing anything, so a refused movement leaves no trace.
        if let Some(to) = m.to.as_ref().filter(|_| m.kind.puts_into()) {
            let held = self
                .on_hand
                .get(to)
                .and_then(|f| f.get(&lot))
                .copied()
                .unwrap_or(0);
            held.checked_add(m.quantity).ok_or(StockError::Overflow)?;
        }
        let moved_so_far = self
            .moved
            .get(&lot)
            .and_then(|k| k.get(&m.kind))
            .copied()
            .unwrap_or(0);
        let moved_after = moved_so_far
            .checked_add(m.quantity)
            .ok_or(StockError::Overflow)?;

        if m.kind == MovementKind::Receipt
            && let Some(r) = self.receivable.get_mut(&lot)
        {
            *r -= m.quantity;
        }
        if let Some(from) = m.from.as_ref().filter(|_| m.kind.takes_from())
            && let Some(held) = self.on_hand.get_mut(from)
        {
            if let Some(q) = held.get_mut(&lot) {
                *q -= m.quantity;
                if *q == 0 {
                    held.remove(&lot);
                }
            }
            if held.is_empty() {
                self.on_hand.remove(from);
            }
        }
        if let Some(to) = m.to.as_ref().filter(|_| m.kind.puts_into()) {
            let q = self
                .on_hand
                .entry(to.clone())
                .or_default()
                .entry(lot.clone())
                .or_insert(0);
            *q += m.quantity;
        }
        self.moved
            .entry(lot)
            .or_default()
            .insert(m.kind, moved_after);
        Ok(())
    }

    /// Applies movements in date order (then id, so the result does not depend on input order);
    /// stops at the first refused one and names it.
    pub fn replay<'a>(
        mut self,
        movements: impl IntoIterator<Item = &'a StockMovement>,
    ) -> Result<Self, (RecordId, StockError)> {
        let mut sorted: Vec<&StockMovement> = movements.into_iter().collect();
        sorted.sort_by(|a, b| (a.date, &a.id).cmp(&(b.date, &b.id)));
        for m in sorted {
            self.apply(m).map_err(|e| (m.id.clone(), e))?;
        }
        Ok(self)
    }

    /// Every lot on hand at one facility, sorted.
    pub fn at_facility(&self, facility: &RecordId) -> Vec<(&LotRef, u64)> {
        let mut rows: Vec<(&LotRef, u64)> = self
            .on_hand
            .get(facility)
            .map(|f| f.iter().map(|(k, q)| (k, *q)).collect())
            .unwrap_or_default();
        rows.sort();
        rows
    }

    /// Every (facility, lot, quantity) on hand, sorted.
    pub fn all(&self) -> Vec<(&RecordId, &LotRef, u64)> {
        let mut rows: Vec<(&RecordId, &LotRef, u64)> = self
            .on_hand
            .iter()
            .flat_map(|(f, lots)| lots.iter().map(move |(k, q)| (f, k, *q)))
            .collect();
        rows.sort();
        rows
    }
}
