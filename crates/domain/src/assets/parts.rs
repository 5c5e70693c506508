//! Spare parts and consumables per device model (issue #17 item 5): a catalogue entry per part
//! with its minimum level per facility, and dated movements (receipt, consumption by a work order,
//! adjustment after a count). Stock on hand is derived from the movements, never stored, so it
//! cannot drift from them; a movement that would take a facility's stock of a part below zero is
//! refused.
//!
//! Not shared with the medicines stock (`medicines::stock`): that one follows lots of donated
//! consignments and caps receipts by the accepted packing list; a part has no lot nor
//! consignment. What is the same (a balance that never goes negative, checked arithmetic, the
//! refusal naming the quantity) is the few lines of [`Stock::apply`].

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::{Reference, cite_refs, instant, opt};
use crate::codes::RecordId;
use crate::error::{ProblemId, ValidationError};
use crate::model::{Citation, non_empty};

/// The lowest stock a facility should hold of a part before it reorders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartMinimum {
    pub facility: RecordId,
    pub quantity: u64,
}

/// A spare part or consumable of a device model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SparePart {
    pub id: RecordId,
    pub model: RecordId,
    /// The manufacturer's part number.
    pub part_number: String,
    pub name: String,
    /// What one unit of quantity is (piece, box of 10, litre…); quantities are whole units.
    pub unit: String,
    #[serde(default)]
    pub consumable: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub minimums: Vec<PartMinimum>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default)]
    pub sources: Vec<Citation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum PartMovementKind {
    /// Into the facility's store (delivery, donation).
    Receipt,
    /// Used by a work order (which the movement names).
    Consumption,
    /// A correction after a count: `quantity` is added (positive) or taken (negative).
    Adjustment,
}

/// A dated movement of one part at one facility.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartMovement {
    pub id: RecordId,
    pub part: RecordId,
    pub facility: RecordId,
    #[serde(deserialize_with = "instant::serde_utc::deserialize")]
    pub at: NaiveDateTime,
    pub kind: PartMovementKind,
    /// Whole units: positive for receipts and consumption; for an adjustment, the signed change.
    pub quantity: i64,
    /// The work order that consumed the part (required for consumption).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_order: Option<RecordId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl SparePart {
    pub fn references(&self) -> Vec<Reference<'_>> {
        use crate::model::RecordKind as K;
        let mut out = vec![("model", K::DeviceModel, &self.model)];
        out.extend(
            self.minimums
                .iter()
                .map(|m| ("minimums.facility", K::Facility, &m.facility)),
        );
        cite_refs(&mut out, &self.sources);
        out
    }

    pub fn minimum_at(&self, facility: &RecordId) -> Option<u64> {
        self.minimums
            .iter()
            .find(|m| &m.facility == facility)
            .map(|m| m.quantity)
    }
}

impl PartMovement {
    pub fn references(&self) -> Vec<Reference<'_>> {
        use crate::model::RecordKind as K;
        let mut out = vec![
            ("part", K::SparePart, &self.part),
            ("facility", K::Facility, &self.facility),
        ];
        opt(&mut out, "work_order", K::WorkOrder, &self.work_order);
        out
    }

    /// The signed change to stock on hand.
    pub fn delta(&self) -> i64 {
        match self.kind {
            PartMovementKind::Receipt | PartMovementKind::Adjustment => self.quantity,
            PartMovementKind::Consumption => self.quantity.saturating_neg(),
        }
    }
}

/// Quantities above this are refused as implausible; it keeps every sum of movements far from
/// overflow.
pub const MAX_QUANTITY: i64 = 1_000_000_000;

pub fn validate_part(p: &SparePart) -> Result<(), ValidationError> {
    non_empty("part_number", &p.part_number)?;
    non_empty("name", &p.name)?;
    non_empty("unit", &p.unit)?;
    let mut seen = std::collections::BTreeSet::new();
    for m in &p.minimums {
        if !seen.insert(&m.facility) {
            return Err(ValidationError::new(
                "minimums.facility",
                &m.facility,
                "has two minimum levels",
            )
            .because(ProblemId::TwoMinimums));
        }
        if m.quantity > MAX_QUANTITY as u64 {
            return Err(
                ValidationError::new("minimums.quantity", m.quantity, "implausibly large")
                    .because(ProblemId::QuantityTooLarge)
                    .with_text("max", "10^9"),
            );
        }
    }
    Ok(())
}

pub fn validate_movement(m: &PartMovement) -> Result<(), ValidationError> {
    if m.quantity.unsigned_abs() > MAX_QUANTITY as u64 {
        return Err(ValidationError::new(
            "quantity",
            m.quantity,
            "implausibly large: quantities above 10^9 are refused",
        )
        .because(ProblemId::QuantityTooLarge)
        .with_text("max", "10^9"));
    }
    match m.kind {
        PartMovementKind::Receipt | PartMovementKind::Consumption if m.quantity <= 0 => Err(
            ValidationError::new("quantity", m.quantity, "must be a positive whole number")
                .because(ProblemId::MustBePositive),
        ),
        PartMovementKind::Adjustment if m.quantity == 0 => Err(ValidationError::new(
            "quantity",
            0,
            "an adjustment changes the stock: give a positive or negative number",
        )
        .because(ProblemId::AdjustmentZero)),
        PartMovementKind::Consumption if m.work_order.is_none() => Err(ValidationError::new(
            "work_order",
            "",
            "consumption names the work order that used the part",
        )
        .because(ProblemId::ConsumptionNeedsWorkOrder)),
        PartMovementKind::Receipt | PartMovementKind::Adjustment if m.work_order.is_some() => {
            Err(ValidationError::new(
                "work_order",
                m.work_order
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                "only a consumption names a work order",
            )
            .because(ProblemId::OnlyConsumptionNamesWorkOrder))
        }
        _ => Ok(()),
    }
}

/// Why a movement was refused by the stock.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "movement {movement}: quantity = {quantity}: {facility} holds {on_hand} of part {part}, stock may not go below zero"
)]
pub struct BelowZero {
    pub movement: RecordId,
    pub part: RecordId,
    pub facility: RecordId,
    pub on_hand: u64,
    pub quantity: i64,
}

/// Stock on hand per (part, facility), replayed from movements in time order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stock {
    on_hand: BTreeMap<(RecordId, RecordId), u64>,
}

impl Stock {
    /// Applies one movement, or refuses it (stock unchanged) when the balance would go below
    /// zero.
    pub fn apply(&mut self, m: &PartMovement) -> Result<(), BelowZero> {
        let key = (m.part.clone(), m.facility.clone());
        let now = self.on_hand.get(&key).copied().unwrap_or(0);
        let next = i128::from(now) + i128::from(m.delta());
        let Ok(next) = u64::try_from(next) else {
            return Err(BelowZero {
                movement: m.id.clone(),
                part: m.part.clone(),
                facility: m.facility.clone(),
                on_hand: now,
                quantity: m.quantity,
            });
        };
        self.on_hand.insert(key, next);
        Ok(())
    }

    /// Replays movements sorted by time (then id, so equal times have one order).
    pub fn replay<'a>(
        movements: impl IntoIterator<Item = &'a PartMovement>,
    ) -> Result<Self, BelowZero> {
        let mut sorted: Vec<&PartMovement> = movements.into_iter().collect();
        sorted.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
        let mut stock = Self::default();
        for m in sorted {
            stock.apply(m)?;
        }
        Ok(stock)
    }

    pub fn on_hand(&self, part: &RecordId, facility: &RecordId) -> u64 {
        self.on_hand
            .get(&(part.clone(), facility.clone()))
            .copied()
            .unwrap_or(0)
    }

    /// Every (part, facility) that has had a movement, with its stock.
    pub fn rows(&self) -> impl Iterator<Item = (&RecordId, &RecordId, u64)> {
        self.on_hand.iter().map(|((p, f), q)| (p, f, *q))
    }
}

/// One line of a stock report: a part at a facility, its stock and minimum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StockLine {
    pub part: RecordId,
    pub part_number: String,
    pub name: String,
    pub unit: String,
    pub facility: RecordId,
    pub on_hand: u64,
    pub minimum: Option<u64>,
    /// Stock below the facility's minimum level.
    pub below_minimum: bool,
}

/// Stock lines of every part that has a movement or a minimum at a facility, sorted by facility
/// then part number; `facility` limits them to one.
pub fn stock_lines<'a>(
    parts: impl IntoIterator<Item = &'a SparePart>,
    stock: &Stock,
    facility: Option<&RecordId>,
) -> Vec<StockLine> {
    let parts: BTreeMap<&RecordId, &SparePart> = parts.into_iter().map(|p| (&p.id, p)).collect();
    let mut keys: std::collections::BTreeSet<(RecordId, RecordId)> = stock
        .rows()
        .map(|(p, f, _)| (f.clone(), p.clone()))
        .collect();
    for p in parts.values() {
        for m in &p.minimums {
            keys.insert((m.facility.clone(), p.id.clone()));
        }
    }
    let mut out: Vec<StockLine> = keys
        .into_iter()
        .filter(|(f, _)| facility.is_none_or(|x| x == f))
        .filter_map(|(f, p)| {
            let part = parts.get(&p)?;
            let on_hand = stock.on_hand(&p, &f);
            let minimum = part.minimum_at(&f);
            Some(StockLine {
                part: p.clone(),
                part_number: part.part_number.clone(),
                name: part.name.clone(),
                unit: part.unit.clone(),
                facility: f.clone(),
                on_hand,
                minimum,
                below_minimum: minimum.is_some_and(|m| on_hand < m),
            })
        })
        .collect();
    out.sort_by(|a, b| (&a.facility, &a.part_number).cmp(&(&b.facility, &b.part_number)));
    out
}
