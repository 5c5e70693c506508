//! The few stored records a write-policy decision reads, gathered into a small [`Ledger`] so
//! that authorising one edit costs a handful of indexed reads instead of loading the whole
//! ledger (at a million flows that load took most of the 28.7 s a single `PUT` took).
//!
//! [`Actor::may_write`] and [`Actor::writes_directly_in`] read: the stored version of each
//! record of the batch, the activity a flow or equipment line belongs to (before and after the
//! edit), the facilities a medicines record is scoped by, the facility a facility power record
//! belongs to (before and after the edit), and the actor's own organisations (whether they skip
//! approval). Those are exactly the records gathered here. The one rule that looks wider, an
//! editor changing a stored source (every record citing it), takes the whole ledger: that case
//! is rare and must stay exact.

use std::collections::BTreeMap;

use aidtrace_domain::{Ledger, Record, RecordId, RecordKind};

use crate::policy::{Actor, Role};
use crate::{Aidtrace, ServiceResult};

/// A ledger holding what [`Actor::may_write`] and [`Actor::writes_directly_in`] read for
/// `batch`; their answers on it are the answers they give on the whole ledger.
pub fn decision_ledger(app: &Aidtrace, actor: &Actor, batch: &[Record]) -> ServiceResult<Ledger> {
    // Admins are allowed everything and write directly before either rule reads the ledger.
    if actor.role == Role::Admin {
        return Ok(Ledger::default());
    }
    let store = app.store();
    let mut wanted: BTreeMap<(RecordKind, RecordId), Option<Record>> = BTreeMap::new();
    let mut fetch = |kind: RecordKind, id: &RecordId| -> ServiceResult<Option<Record>> {
        if let Some(found) = wanted.get(&(kind, id.clone())) {
            return Ok(found.clone());
        }
        let found = store.get(kind, id)?;
        wanted.insert((kind, id.clone()), found.clone());
        Ok(found)
    };
    for org in &actor.organisations {
        if let Ok(id) = RecordId::parse(org) {
            fetch(RecordKind::Organisation, &id)?;
        }
    }
    for record in batch {
        let stored = fetch(record.kind(), record.id())?;
        if actor.role == Role::Editor && matches!(stored, Some(Record::Source(_))) {
            return app.ledger();
        }
        for version in std::iter::once(record).chain(stored.as_ref()) {
            if let Some(activity) = activity_of(version) {
                fetch(RecordKind::Activity, activity)?;
            }
            // Medicines are scoped by the facility that receives or holds them (a decision by
            // its consignment's destination, read from the batch or the store).
            for facility in facilities_of(version) {
                fetch(RecordKind::Facility, facility)?;
            }
            if let Record::ConsignmentDecision(d) = version
                && let Some(Record::Consignment(c)) =
                    fetch(RecordKind::Consignment, &d.consignment)?
            {
                fetch(RecordKind::Facility, &c.destination)?;
            }
            // An editor may enter a facility's power record when their organisation operates it.
            if let Record::FacilityPower(p) = version {
                fetch(RecordKind::Facility, &p.facility)?;
            }
        }
    }
    Ok(Ledger::from_records(wanted.into_values().flatten()))
}

/// The facilities whose operators or engineers decide who may edit a medicines record.
fn facilities_of(record: &Record) -> Vec<&RecordId> {
    match record {
        Record::Consignment(c) => vec![&c.destination],
        Record::StockMovement(m) => m.from.iter().chain(m.to.iter()).collect(),
        _ => Vec::new(),
    }
}

/// The activity whose participants decide who may edit `record`, for the kinds the policy
/// scopes by activity.
fn activity_of(record: &Record) -> Option<&RecordId> {
    match record {
        Record::Flow(f) => Some(&f.activity),
        Record::EquipmentLine(e) => Some(&e.activity),
        _ => None,
    }
}
