//! Builders shared by the asset tests, so a new field of `AssetEvent` is filled in one place.

#![allow(dead_code)]

use aidtrace_domain::RecordId;
use aidtrace_domain::assets::{AssetEvent, LifecycleState};
use chrono::NaiveDateTime;

pub fn id(s: &str) -> RecordId {
    RecordId::parse(s).expect("id")
}

/// A time written `YYYY-MM-DD HH:MM`.
pub fn t(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time")
}

/// An event of `asset` with only its id, time and state; tests set the rest with `..event(…)`.
pub fn event(event_id: &str, asset: &str, at: NaiveDateTime, state: LifecycleState) -> AssetEvent {
    AssetEvent {
        id: id(event_id),
        asset: id(asset),
        at,
        state,
        acceptance: None,
        to_facility: None,
        from_facility: None,
        by: None,
        note: None,
        sources: vec![],
        recorded_at: None,
        corrects: None,
        voided: None,
        disposal: None,
    }
}
