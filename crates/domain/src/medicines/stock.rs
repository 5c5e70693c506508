//! Stock on hand derived from movements, never stored: a figure that is a sum of dated, audited
//! movements cannot drift from them. A movement that would take a facility's lot below zero, or
//! receive more of a lot than the accepted packing list holds, is refused with its reason.
//!
//! Lots and facilities are interned to indexes: a replay of millions of movements then hashes
//! each movement's three names once, against borrowed keys, and clones a name only the first
//! time it is seen (the string-keyed version cloned and hashed them per movement, 3× slower).

use std::collections::HashMap;

use chrono::NaiveDate;
use rustc_hash::FxHashMap;
use strum::VariantArray;

use super::{Consignment, ConsignmentDecision, DecisionOutcome, MovementKind, StockMovement};
use crate::codes::RecordId;

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

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StockError {
    #[error(
        "lot {lot} of product {product} is not on the accepted packing list of consignment {consignment}"
    )]
    NotOnPackingList {
        consignment: RecordId,
        product: RecordId,
        lot: String,
    },
    #[error(
        "receiving {quantity} would exceed the {remaining} base units of lot {lot} not yet received"
    )]
    BeyondPackingList {
        lot: String,
        quantity: u64,
        remaining: u64,
    },
    #[error("{facility} holds {on_hand} base units of lot {lot}, fewer than the {quantity} moved")]
    BeyondStock {
        facility: RecordId,
        lot: String,
        on_hand: u64,
        quantity: u64,
    },
    #[error("stock arithmetic would overflow")]
    Overflow,
}

impl StockError {
    /// The movement field the error is about.
    pub fn field(&self) -> &'static str {
        match self {
            Self::NotOnPackingList { .. } => "lot",
            Self::BeyondPackingList { .. } | Self::BeyondStock { .. } | Self::Overflow => {
                "quantity"
            }
        }
    }

    /// The refusal of a movement of `quantity`, with its message id and figures, so pages say
    /// it in the reader's language.
    pub fn validation(&self, quantity: u64) -> crate::error::ValidationError {
        use crate::error::{ProblemArg as A, ProblemId, ValidationError};
        let e = ValidationError::new(self.field(), quantity, self.to_string());
        let text = |v: &dyn std::fmt::Display| A::Text(v.to_string());
        match self {
            Self::NotOnPackingList { product, lot, .. } => e
                .because(ProblemId::NotOnPackingList)
                .arg("lot", text(lot))
                .arg("product", text(product)),
            Self::BeyondPackingList {
                lot,
                quantity,
                remaining,
            } => e
                .because(ProblemId::BeyondPackingList)
                .arg("lot", text(lot))
                .arg("quantity", text(quantity))
                .arg("remaining", text(remaining)),
            Self::BeyondStock {
                facility,
                lot,
                on_hand,
                quantity,
            } => e
                .because(ProblemId::BeyondStock)
                .arg("facility", text(facility))
                .arg("lot", text(lot))
                .arg("on_hand", text(on_hand))
                .arg("quantity", text(quantity)),
            Self::Overflow => e.because(ProblemId::StockOverflow),
        }
    }
}

const KINDS: usize = MovementKind::VARIANTS.len();

/// Stock on hand per facility and lot, plus what each lot went through. Lots and facilities are
/// held once each and referred to by their index.
#[derive(Debug, Clone, Default)]
pub struct Stock {
    lots: Vec<LotRef>,
    // Fx rather than SipHash: the keys are the ledger's own names and indexes, not input an
    // attacker chooses to collide, and hashing is most of a replay's work.
    lot_index: FxHashMap<LotRef, usize>,
    /// Per lot: base units still to be received at its destination; `None` when the lot is not
    /// on an accepted packing list.
    receivable: Vec<Option<u64>>,
    /// Per lot and movement kind: base units moved so far.
    moved: Vec<[u64; KINDS]>,
    facilities: Vec<RecordId>,
    facility_index: FxHashMap<RecordId, usize>,
    /// Per facility: base units on hand of each lot (no zero entries).
    on_hand: Vec<FxHashMap<usize, u64>>,
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
        let mut stock = Self::default();
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
                    let ix = stock.lot_ix(LotRef {
                        consignment: c.id.clone(),
                        product: line.product.clone(),
                        lot: line.lot.clone(),
                    });
                    let slot = &mut stock.receivable[ix];
                    *slot = Some(slot.unwrap_or(0).saturating_add(line.quantity));
                }
            }
        }
        stock
    }

    /// The index of a lot, added when first seen.
    fn lot_ix(&mut self, lot: LotRef) -> usize {
        if let Some(&ix) = self.lot_index.get(&lot) {
            return ix;
        }
        let ix = self.lots.len();
        self.lots.push(lot.clone());
        self.lot_index.insert(lot, ix);
        self.receivable.push(None);
        self.moved.push([0; KINDS]);
        ix
    }

    /// The index of a facility, added when first seen.
    fn facility_ix(&mut self, facility: &RecordId) -> usize {
        if let Some(&ix) = self.facility_index.get(facility) {
            return ix;
        }
        let ix = self.facilities.len();
        self.facilities.push(facility.clone());
        self.facility_index.insert(facility.clone(), ix);
        self.on_hand.push(FxHashMap::default());
        ix
    }

    /// Applies one movement, or refuses it and leaves the stock unchanged.
    pub fn apply(&mut self, m: &StockMovement) -> Result<(), StockError> {
        let lot = self.lot_ix(LotRef::of(m));
        let from = m
            .from
            .as_ref()
            .filter(|_| m.kind.takes_from())
            .map(|f| self.facility_ix(f));
        let to =
            m.to.as_ref()
                .filter(|_| m.kind.puts_into())
                .map(|f| self.facility_ix(f));
        self.apply_ix(m.kind, lot, from, to, m.quantity)
    }

    /// [`Self::apply`] on interned lot and facilities (`from` and `to` only where the kind uses
    /// them).
    fn apply_ix(
        &mut self,
        kind: MovementKind,
        lot: usize,
        from: Option<usize>,
        to: Option<usize>,
        quantity: u64,
    ) -> Result<(), StockError> {
        if kind == MovementKind::Receipt {
            let Some(remaining) = self.receivable[lot] else {
                let l = &self.lots[lot];
                return Err(StockError::NotOnPackingList {
                    consignment: l.consignment.clone(),
                    product: l.product.clone(),
                    lot: l.lot.clone(),
                });
            };
            if quantity > remaining {
                return Err(StockError::BeyondPackingList {
                    lot: self.lots[lot].lot.clone(),
                    quantity,
                    remaining,
                });
            }
        }
        if let Some(from) = from {
            let held = self.on_hand[from].get(&lot).copied().unwrap_or(0);
            if held < quantity {
                return Err(StockError::BeyondStock {
                    facility: self.facilities[from].clone(),
                    lot: self.lots[lot].lot.clone(),
                    on_hand: held,
                    quantity,
                });
            }
        }
        // Check the additions before changing anything, so a refused movement leaves no trace.
        if let Some(to) = to {
            let held = self.on_hand[to].get(&lot).copied().unwrap_or(0);
            held.checked_add(quantity).ok_or(StockError::Overflow)?;
        }
        let moved_after = self.moved[lot][kind as usize]
            .checked_add(quantity)
            .ok_or(StockError::Overflow)?;

        if kind == MovementKind::Receipt
            && let Some(r) = self.receivable[lot].as_mut()
        {
            *r -= quantity;
        }
        if let Some(from) = from {
            let held = &mut self.on_hand[from];
            if let Some(q) = held.get_mut(&lot) {
                *q -= quantity;
                if *q == 0 {
                    held.remove(&lot);
                }
            }
        }
        if let Some(to) = to {
            *self.on_hand[to].entry(lot).or_insert(0) += quantity;
        }
        self.moved[lot][kind as usize] = moved_after;
        Ok(())
    }

    /// Applies movements in date order (then id, so the result does not depend on input order);
    /// stops at the first refused one and names it.
    pub fn replay<'a>(
        mut self,
        movements: impl IntoIterator<Item = &'a StockMovement>,
    ) -> Result<Self, (RecordId, StockError)> {
        let movements: Vec<&StockMovement> = movements.into_iter().collect();
        // The sort keys are copied out so comparing two does not reach into both movements; the
        // position breaks ties between equal ids as a stable sort would.
        let mut order: Vec<(NaiveDate, &str, usize)> = movements
            .iter()
            .enumerate()
            .map(|(i, m)| (m.date, m.id.as_str(), i))
            .collect();
        order.sort_unstable();
        // Borrowed keys for this replay only: a name is cloned into the stock once, not per
        // movement.
        let mut lots: FxHashMap<(&str, &str, &str), usize> = FxHashMap::default();
        lots.reserve(self.lots.len());
        let mut facilities: FxHashMap<&str, usize> = FxHashMap::default();
        for m in order.into_iter().map(|(_, _, i)| movements[i]) {
            let key = (m.consignment.as_str(), m.product.as_str(), m.lot.as_str());
            let lot = match lots.get(&key) {
                Some(&ix) => ix,
                None => {
                    let ix = self.lot_ix(LotRef::of(m));
                    lots.insert(key, ix);
                    ix
                }
            };
            let mut facility = |f: &'a RecordId| match facilities.get(f.as_str()) {
                Some(&ix) => ix,
                None => {
                    let ix = self.facility_ix(f);
                    facilities.insert(f.as_str(), ix);
                    ix
                }
            };
            let from = m
                .from
                .as_ref()
                .filter(|_| m.kind.takes_from())
                .map(&mut facility);
            let to =
                m.to.as_ref()
                    .filter(|_| m.kind.puts_into())
                    .map(&mut facility);
            self.apply_ix(m.kind, lot, from, to, m.quantity)
                .map_err(|e| (m.id.clone(), e))?;
        }
        Ok(self)
    }

    fn lot_of(&self, lot: &LotRef) -> Option<usize> {
        self.lot_index.get(lot).copied()
    }

    /// Base units of `lot` on hand at `facility`.
    pub fn on_hand(&self, facility: &RecordId, lot: &LotRef) -> u64 {
        let (Some(&f), Some(l)) = (self.facility_index.get(facility), self.lot_of(lot)) else {
            return 0;
        };
        self.on_hand[f].get(&l).copied().unwrap_or(0)
    }

    /// Every lot on hand at one facility, sorted.
    pub fn at_facility(&self, facility: &RecordId) -> Vec<(&LotRef, u64)> {
        let mut rows: Vec<(&LotRef, u64)> = self
            .facility_index
            .get(facility)
            .map(|&f| {
                self.on_hand[f]
                    .iter()
                    .map(|(&l, &q)| (&self.lots[l], q))
                    .collect()
            })
            .unwrap_or_default();
        rows.sort();
        rows
    }

    /// Every (facility, lot, quantity) on hand, sorted.
    pub fn all(&self) -> Vec<(&RecordId, &LotRef, u64)> {
        let mut rows: Vec<(&RecordId, &LotRef, u64)> = self
            .on_hand
            .iter()
            .enumerate()
            .flat_map(|(f, lots)| {
                lots.iter()
                    .map(move |(&l, &q)| (&self.facilities[f], &self.lots[l], q))
            })
            .collect();
        rows.sort();
        rows
    }

    /// Base units of a lot moved by each kind of movement so far.
    pub fn moved(&self, lot: &LotRef, kind: MovementKind) -> u64 {
        self.lot_of(lot).map_or(0, |l| self.moved[l][kind as usize])
    }

    /// Base units of a lot on hand anywhere.
    pub fn on_hand_anywhere(&self, lot: &LotRef) -> u64 {
        let Some(l) = self.lot_of(lot) else {
            return 0;
        };
        self.on_hand
            .iter()
            .filter_map(|f| f.get(&l))
            .fold(0u64, |a, q| a.saturating_add(*q))
    }

    /// Base units of a lot accepted but not yet received.
    pub fn still_receivable(&self, lot: &LotRef) -> u64 {
        self.lot_of(lot)
            .and_then(|l| self.receivable[l])
            .unwrap_or(0)
    }
}

/// How far ahead a lot expires, the bands stock reports group by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum ExpiryBand {
    Expired,
    Within30Days,
    Within90Days,
    Within180Days,
    Later,
}

impl ExpiryBand {
    pub fn of(expiry: NaiveDate, today: NaiveDate) -> Self {
        let days = (expiry - today).num_days();
        match days {
            d if d < 0 => Self::Expired,
            d if d <= 30 => Self::Within30Days,
            d if d <= 90 => Self::Within90Days,
            d if d <= 180 => Self::Within180Days,
            _ => Self::Later,
        }
    }
}
