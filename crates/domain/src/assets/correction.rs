//! Voids and corrections of an asset's history. Events and downtime are append-only, so a wrong
//! entry (a typo in the time, a "device down" sent for the wrong machine) is never edited or
//! deleted: it is marked void, with when, why and by whom, and every report and rule then reads
//! the history without it. A correcting event names the event it replaces (`corrects`) and may lie
//! before the asset's latest event, which an ordinary new event may not. The audit log keeps both
//! versions of the voided record.

use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::instant::{self, FUTURE_TOLERANCE_MINUTES};
use super::{AssetEvent, Downtime, MeterReading, WorkOrder};
use crate::error::{ProblemId, ValidationError};

/// Why and when an entry was voided. `at` is when the void was recorded, not when the voided
/// entry happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Void {
    #[serde(deserialize_with = "instant::serde_utc::deserialize")]
    pub at: NaiveDateTime,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

/// Single-record rule of a void: a reason is required (a void without one cannot be reviewed).
pub fn check_void(void: &Void) -> Result<(), ValidationError> {
    if void.reason.trim().is_empty() {
        return Err(ValidationError::new(
            "voided.reason",
            &void.reason,
            "a void needs the reason the entry was wrong",
        )
        .because(ProblemId::VoidNeedsReason));
    }
    Ok(())
}

/// An entry cannot have been recorded before it happened (beyond the clock-drift tolerance).
pub fn check_recorded_after(
    at: NaiveDateTime,
    recorded_at: Option<NaiveDateTime>,
) -> Result<(), ValidationError> {
    let Some(recorded) = recorded_at else {
        return Ok(());
    };
    if at > recorded + Duration::minutes(FUTURE_TOLERANCE_MINUTES) {
        return Err(ValidationError::new(
            "recorded_at",
            recorded,
            format!(
                "is before the time the event happened ({at}); an event is recorded after it happens"
            ),
        )
        .because(ProblemId::RecordedBeforeEvent)
        .with_text("at", at));
    }
    Ok(())
}

/// Is `new` the stored `old` with a void added and nothing else changed? That is the one change
/// a stored event accepts.
pub fn voids_event(old: &AssetEvent, new: &AssetEvent) -> bool {
    old.voided.is_none()
        && new.voided.is_some()
        && AssetEvent {
            voided: None,
            ..new.clone()
        } == *old
}

/// [`voids_event`] for downtime records.
pub fn voids_downtime(old: &Downtime, new: &Downtime) -> bool {
    old.voided.is_none()
        && new.voided.is_some()
        && Downtime {
            voided: None,
            ..new.clone()
        } == *old
}

/// [`voids_event`] for work orders.
pub fn voids_order(old: &WorkOrder, new: &WorkOrder) -> bool {
    old.voided.is_none()
        && new.voided.is_some()
        && WorkOrder {
            voided: None,
            ..new.clone()
        } == *old
}

/// [`voids_event`] for meter readings.
pub fn voids_reading(old: &MeterReading, new: &MeterReading) -> bool {
    old.voided.is_none()
        && new.voided.is_some()
        && MeterReading {
            voided: None,
            ..new.clone()
        } == *old
}

impl AssetEvent {
    /// A voided event is kept for the record but read by no report or rule.
    pub fn is_void(&self) -> bool {
        self.voided.is_some()
    }
}

impl Downtime {
    /// A voided downtime is kept for the record but read by no report or rule.
    pub fn is_void(&self) -> bool {
        self.voided.is_some()
    }
}

impl WorkOrder {
    /// A voided order (entered for the wrong asset, a duplicate) is kept for the record but read
    /// by no report or rule: not backlog, not COSR, not PM compliance.
    pub fn is_void(&self) -> bool {
        self.voided.is_some()
    }
}

impl MeterReading {
    /// A voided reading is kept for the record but read by no rule (meters never decrease) or
    /// meter-triggered PM due date.
    pub fn is_void(&self) -> bool {
        self.voided.is_some()
    }
}
