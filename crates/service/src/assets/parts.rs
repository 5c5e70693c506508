//! Spare parts and consumables (issue #17 item 5): the catalogue per device model, movements that
//! keep stock on hand (derived, never stored) from going below zero, and the alerts below a
//! facility's minimum level.

use std::collections::{BTreeSet, HashMap};

use aidtrace_domain::assets::parts::{
    PartMovement, PartMovementKind, SparePart, Stock, StockLine, stock_lines,
};
use aidtrace_domain::error::ProblemId;
use aidtrace_domain::{Ledger, Record, RecordId, RecordKind, ValidationError};

use super::refuse;
use crate::Aidtrace;
use crate::error::{ServiceError, ServiceResult};

/// Whether a batch of this kind must be checked against the part stock before it is written.
pub fn touches_parts(kind: RecordKind) -> bool {
    matches!(kind, RecordKind::PartMovement | RecordKind::SparePart)
}

/// The rules across records for a batch touching parts, run by `Aidtrace::put` before anything is
/// written:
/// - a stored movement is never rewritten (a wrong count is corrected by an adjustment);
/// - a consumption's work order is of an asset of the part's model, at the movement's facility;
/// - replaying every movement of each touched part (stored and new, in time order) never takes a
///   facility's stock below zero.
pub fn check_parts(app: &Aidtrace, batch: &[Record]) -> ServiceResult<()> {
    let new: Vec<&PartMovement> = batch
        .iter()
        .filter_map(|r| match r {
            Record::PartMovement(m) => Some(m),
            _ => None,
        })
        .collect();
    if new.is_empty() {
        return Ok(());
    }
    // The movement's own rules first, so a consumption without its work order is told so rather
    // than about the stock.
    for m in &new {
        aidtrace_domain::assets::parts::validate_movement(m)
            .map_err(|e| refuse("part_movement", &m.id, e))?;
    }
    let in_batch = |kind: RecordKind, id: &RecordId| {
        batch
            .iter()
            .rev()
            .find(|r| r.kind() == kind && r.id() == id)
            .cloned()
    };
    let get = |kind: RecordKind, id: &RecordId| -> ServiceResult<Option<Record>> {
        match in_batch(kind, id) {
            Some(r) => Ok(Some(r)),
            None => Ok(app.store().get(kind, id)?),
        }
    };
    for m in &new {
        let stored = app.store().get(RecordKind::PartMovement, &m.id)?;
        if let Some(Record::PartMovement(old)) = &stored
            && old != *m
        {
            return Err(refuse(
                "part_movement",
                &m.id,
                ValidationError::new(
                    "id",
                    &m.id,
                    "a stored movement is not rewritten: record an adjustment instead",
                )
                .because(ProblemId::MovementNotRewritten),
            ));
        }
        // A receipt dated ahead counted as stock on hand today (3 oxygen cells due in March
        // showed 5 on hand where 2, below the minimum, were), as asset history refuses it too.
        if stored.is_none() {
            aidtrace_domain::assets::instant::check_not_future("at", m.at, app.now())
                .map_err(|e| refuse("part_movement", &m.id, e))?;
        }
        if m.kind == PartMovementKind::Consumption
            && let Some(wo) = &m.work_order
        {
            let Some(Record::SparePart(part)) = get(RecordKind::SparePart, &m.part)? else {
                return Err(ServiceError::NotFound(format!(
                    "no spare part with id {}",
                    m.part
                )));
            };
            let Some(Record::WorkOrder(w)) = get(RecordKind::WorkOrder, wo)? else {
                return Err(ServiceError::NotFound(format!(
                    "no work order with id {wo}"
                )));
            };
            let Some(Record::Asset(a)) = get(RecordKind::Asset, &w.asset)? else {
                return Err(ServiceError::NotFound(format!(
                    "no asset with id {}",
                    w.asset
                )));
            };
            if a.model != part.model {
                return Err(refuse(
                    "part_movement",
                    &m.id,
                    ValidationError::new(
                        "work_order",
                        wo,
                        format!(
                            "is for asset {} of model {}, the part is for model {}",
                            a.id, a.model, part.model
                        ),
                    )
                    .because(ProblemId::PartForOtherModel)
                    .with_text("asset", &a.id)
                    .with_text("model", &a.model)
                    .with_text("part_model", &part.model),
                ));
            }
            if a.facility != m.facility {
                return Err(refuse(
                    "part_movement",
                    &m.id,
                    ValidationError::new(
                        "facility",
                        &m.facility,
                        format!("the work order's asset {} is at {}", a.id, a.facility),
                    )
                    .because(ProblemId::AssetAtOtherFacility)
                    .with_text("asset", &a.id)
                    .with_text("facility", &a.facility),
                ));
            }
        }
    }
    let touched: BTreeSet<&RecordId> = new.iter().map(|m| &m.part).collect();
    let mut all: HashMap<RecordId, PartMovement> = app
        .store()
        .list(RecordKind::PartMovement)?
        .into_iter()
        .filter_map(|r| match r {
            Record::PartMovement(m) if touched.contains(&m.part) => Some((m.id.clone(), m)),
            _ => None,
        })
        .collect();
    for m in &new {
        all.insert(m.id.clone(), (*m).clone());
    }
    Stock::replay(all.values()).map_err(|e| {
        refuse(
            "part_movement",
            &e.movement,
            ValidationError::new(
                "quantity",
                e.quantity,
                format!(
                    "{} holds {} of part {} then: stock may not go below zero",
                    e.facility, e.on_hand, e.part
                ),
            )
            .because(ProblemId::PartBelowZero)
            .with_text("facility", &e.facility)
            .with_text("on_hand", e.on_hand)
            .with_text("part", &e.part),
        )
    })?;
    Ok(())
}

/// Adds (or replaces) a catalogue entry.
pub fn add_part(app: &mut Aidtrace, actor: &str, part: SparePart) -> ServiceResult<()> {
    app.put(actor, vec![Record::SparePart(part)])?;
    Ok(())
}

/// Records one movement; the stock rules run before it is written.
pub fn record_movement(app: &mut Aidtrace, actor: &str, m: PartMovement) -> ServiceResult<()> {
    app.put(actor, vec![Record::PartMovement(m)])?;
    Ok(())
}

/// A fresh movement id `pm-<part>-<timestamp>` (with a suffix when taken).
pub fn movement_id(
    app: &Aidtrace,
    part: &RecordId,
    at: chrono::NaiveDateTime,
) -> ServiceResult<RecordId> {
    super::fresh_id(
        app,
        RecordKind::PartMovement,
        &format!("pm-{part}-{}", super::stamp(at)),
    )
}

/// Stock per part and facility (only `facility` when given), with minimum levels.
pub fn stock(app: &Aidtrace, facility: Option<&RecordId>) -> ServiceResult<Vec<StockLine>> {
    if let Some(f) = facility
        && app.store().get(RecordKind::Facility, f)?.is_none()
    {
        return Err(ServiceError::NotFound(format!("no facility with id {f}")));
    }
    stock_of(&app.ledger()?, facility)
}

/// [`stock`] on a ledger already read (the web's snapshot).
pub fn stock_of(ledger: &Ledger, facility: Option<&RecordId>) -> ServiceResult<Vec<StockLine>> {
    let stock = Stock::replay(ledger.part_movements.values())
        .map_err(|e| ServiceError::Parse(format!("stored part movements break the stock: {e}")))?;
    Ok(stock_lines(ledger.spare_parts.values(), &stock, facility))
}

/// The lines below their facility's minimum.
pub fn alerts(app: &Aidtrace, facility: Option<&RecordId>) -> ServiceResult<Vec<StockLine>> {
    Ok(stock(app, facility)?
        .into_iter()
        .filter(|l| l.below_minimum)
        .collect())
}

/// The catalogue, for one model or all, sorted by model then part number.
pub fn catalogue(app: &Aidtrace, model: Option<&RecordId>) -> ServiceResult<Vec<SparePart>> {
    if let Some(m) = model
        && app.store().get(RecordKind::DeviceModel, m)?.is_none()
    {
        return Err(ServiceError::NotFound(format!(
            "no device model with id {m}"
        )));
    }
    let mut out: Vec<SparePart> = app
        .store()
        .list(RecordKind::SparePart)?
        .into_iter()
        .filter_map(|r| match r {
            Record::SparePart(p) if model.is_none_or(|m| &p.model == m) => Some(p),
            _ => None,
        })
        .collect();
    out.sort_by(|a, b| (&a.model, &a.part_number).cmp(&(&b.model, &b.part_number)));
    Ok(out)
}
