//! The lifecycle state machine and the rules that look at an asset's whole history: events in
//! order, legal transitions, downtime that does not overlap, meters that never go backwards, no
//! work on a retired asset. Pure functions over slices; the service feeds them the stored history
//! plus the batch being written.

use std::borrow::Borrow;

use chrono::NaiveDateTime;

use super::{AssetEvent, Downtime, LifecycleState, MeterReading, WorkOrder, WorkOrderKind};
use crate::error::{ProblemArg, ProblemId, ValidationError};
use crate::model::RecordKind;

use LifecycleState as S;

/// States an asset's first event may have. `InService` lets an inventory register equipment that
/// was already working before aidtrace knew of it (the WHO baseline inventory).
pub const INITIAL: &[LifecycleState] = &[
    S::Planned,
    S::Procured,
    S::Shipped,
    S::Delivered,
    S::InStorage,
    S::Installed,
    S::InService,
];

/// The states that may follow `from`. Returning to service from storage or a transfer needs an
/// earlier commissioning; [`check_sequence`] enforces that.
pub fn allowed_next(from: LifecycleState) -> &'static [LifecycleState] {
    match from {
        S::Planned => &[S::Procured, S::Decommissioned],
        S::Procured => &[S::Shipped, S::Delivered, S::Decommissioned],
        S::Shipped => &[S::Delivered, S::CustomsHold, S::Lost],
        S::CustomsHold => &[S::Delivered, S::ReturnedToDonor, S::Lost],
        S::Delivered => &[
            S::Installed,
            S::InStorage,
            S::Transferred,
            S::DeadOnArrival,
            S::Rejected,
            S::Lost,
        ],
        S::Installed => &[
            S::Commissioned,
            S::InStorage,
            S::Decommissioned,
            S::DeadOnArrival,
            S::Rejected,
        ],
        // Repaired by the supplier it is installed again; else it goes back or is written off.
        S::DeadOnArrival => &[S::Installed, S::ReturnedToDonor, S::Decommissioned],
        S::Rejected => &[S::ReturnedToDonor, S::Decommissioned],
        S::ReturnedToDonor => &[],
        // Found again it is back in storage; else written off.
        S::Lost => &[S::InStorage, S::Decommissioned],
        S::Commissioned => &[S::InService, S::Down],
        S::InService => &[
            S::Down,
            S::UnderRepair,
            S::InStorage,
            S::Transferred,
            S::Decommissioned,
            S::Lost,
        ],
        S::Down => &[S::UnderRepair, S::InService, S::Decommissioned],
        S::UnderRepair => &[S::InService, S::Down, S::Decommissioned],
        S::InStorage => &[
            S::Installed,
            S::InService,
            S::Transferred,
            S::Decommissioned,
            S::Lost,
        ],
        S::Transferred => &[
            S::Delivered,
            S::Installed,
            S::InStorage,
            S::InService,
            S::Lost,
        ],
        S::Decommissioned => &[S::Disposed],
        S::Disposed => &[],
    }
}

fn names(states: &[LifecycleState]) -> String {
    if states.is_empty() {
        return "nothing (the asset has left for good)".to_string();
    }
    states
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Sorts events by time, then id, so equal timestamps have a stable order.
pub fn sort_events<E: Borrow<AssetEvent>>(events: &mut [E]) {
    events.sort_by(|a, b| {
        let (a, b) = (a.borrow(), b.borrow());
        a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id))
    });
}

/// Checks a whole, time-sorted history of one asset against the state machine.
pub fn check_sequence<E: Borrow<AssetEvent>>(events: &[E]) -> Result<(), ValidationError> {
    let mut current: Option<LifecycleState> = None;
    let mut commissioned = false;
    for e in events {
        let e = e.borrow();
        let ok = match current {
            None => INITIAL.contains(&e.state),
            Some(from) => allowed_next(from).contains(&e.state),
        };
        if !ok {
            let expected = match current {
                None => names(INITIAL),
                Some(from) => names(allowed_next(from)),
            };
            let from = current.map_or("no earlier event", LifecycleState::as_str);
            let refused = ValidationError::new(
                "state",
                e.state.as_str(),
                format!(
                    "event {} at {}: cannot go from {from} to {}; allowed next: {expected}",
                    e.id,
                    e.at,
                    e.state.as_str()
                ),
            );
            let states = |list: &[LifecycleState]| ProblemArg::States(list.to_vec());
            let refused = match current {
                None => refused
                    .because(ProblemId::NotAFirstState)
                    .with_text("event", &e.id)
                    .arg("allowed", states(INITIAL)),
                Some(from) if allowed_next(from).is_empty() => refused
                    .because(ProblemId::AssetLeftForGood)
                    .with_text("event", &e.id)
                    .arg("from", states(&[from])),
                Some(from) => refused
                    .because(ProblemId::StateNotAllowedNext)
                    .with_text("event", &e.id)
                    .arg("from", states(&[from]))
                    .arg("allowed", states(allowed_next(from))),
            };
            return Err(refused);
        }
        if e.state == S::InService
            && matches!(current, Some(S::InStorage | S::Transferred))
            && !commissioned
        {
            return Err(ValidationError::new(
                "state",
                e.state.as_str(),
                format!(
                    "event {}: the asset was never commissioned; install and commission it first",
                    e.id
                ),
            )
            .because(ProblemId::NeverCommissioned)
            .with_text("event", &e.id));
        }
        if matches!(e.state, S::Commissioned | S::InService) {
            commissioned = true;
        }
        current = Some(e.state);
    }
    Ok(())
}

/// Adds `new` events to an asset's stored history (voided ones included) and returns the live
/// history after the batch (voided events left out), time-sorted. Events are append-only: a stored
/// event may be written again unchanged, or voided (its one accepted change), never altered
/// otherwise; a new event may not be earlier than the latest live one (a late entry would rewrite
/// the past indicators were computed from), unless it `corrects` a voided event of the same asset.
/// The live history must follow the state machine.
pub fn check_append(
    stored: &[AssetEvent],
    new: &[AssetEvent],
) -> Result<Vec<AssetEvent>, ValidationError> {
    let mut all: Vec<AssetEvent> = stored.to_vec();
    let mut fresh: Vec<AssetEvent> = Vec::new();
    for e in new {
        match all.iter_mut().find(|s| s.id == e.id) {
            Some(old) if old == e => {}
            Some(old) if super::correction::voids_event(old, e) => *old = e.clone(),
            Some(old) => {
                let refused = if old.voided.is_some() {
                    ValidationError::new(
                        "id",
                        &e.id,
                        "this event is voided; a voided event is not changed again",
                    )
                    .because(ProblemId::VoidedNotChanged)
                    .arg("kind", ProblemArg::Kind(RecordKind::AssetEvent))
                } else {
                    ValidationError::new(
                        "id",
                        &e.id,
                        "lifecycle events are append-only: record a new event (or void this one and record a correction) instead of changing it",
                    )
                    .because(ProblemId::EventNotChanged)
                };
                return Err(refused);
            }
            None => fresh.push(e.clone()),
        }
    }
    // The latest live stored event, after this batch's voids.
    let latest = all.iter().filter(|e| !e.is_void()).map(|e| e.at).max();
    for e in fresh.iter().filter(|e| !e.is_void()) {
        if let Some(target) = &e.corrects {
            let voided = all
                .iter()
                .chain(fresh.iter())
                .any(|o| &o.id == target && o.is_void() && o.asset == e.asset);
            if !voided {
                return Err(ValidationError::new(
                    "corrects",
                    target,
                    format!(
                        "event {}: a correction replaces a voided event of the same asset; void {target} first or in the same batch",
                        e.id
                    ),
                )
                .because(ProblemId::CorrectsUnvoided)
                .with_text("event", &e.id));
            }
            continue;
        }
        if let Some(latest) = latest
            && e.at < latest
        {
            return Err(ValidationError::new(
                "at",
                e.at,
                format!(
                    "event {} is out of order: the asset's latest event is at {latest}",
                    e.id
                ),
            )
            .because(ProblemId::EventOutOfOrder)
            .with_text("event", &e.id)
            .with_text("latest", latest));
        }
    }
    all.extend(fresh);
    all.retain(|e| !e.is_void());
    sort_events(&mut all);
    check_sequence(&all)?;
    Ok(all)
}

/// The state at `t` (the latest event at or before `t`), from time-sorted events.
pub fn state_at<E: Borrow<AssetEvent>>(events: &[E], t: NaiveDateTime) -> Option<LifecycleState> {
    let n = events.partition_point(|e| e.borrow().at <= t);
    n.checked_sub(1).map(|i| events[i].borrow().state)
}

/// When the asset was first commissioned, or first in service when registered already working.
pub fn commissioned_at<E: Borrow<AssetEvent>>(events: &[E]) -> Option<NaiveDateTime> {
    events
        .iter()
        .map(Borrow::borrow)
        .find(|e| matches!(e.state, S::Commissioned | S::InService))
        .map(|e| e.at)
}

/// Whether the asset is a baseline registration: its first event is `in_service`, i.e. it was
/// registered as already working (a baseline inventory) rather than commissioned after an
/// acceptance test. [`commissioned_at`] then gives the registration date, which is not when it
/// was commissioned: money-to-machine counts such assets apart (issue #17 item 10).
pub fn is_baseline<E: Borrow<AssetEvent>>(events: &[E]) -> bool {
    events
        .iter()
        .map(Borrow::borrow)
        .find(|e| e.voided.is_none())
        .is_some_and(|e| e.state == S::InService)
}

/// When the asset left service for good.
pub fn retired_at<E: Borrow<AssetEvent>>(events: &[E]) -> Option<NaiveDateTime> {
    events
        .iter()
        .map(Borrow::borrow)
        .find(|e| e.state.is_retired())
        .map(|e| e.at)
}

fn overlaps(a: &Downtime, b: &Downtime) -> bool {
    let a_end = a.end.unwrap_or(NaiveDateTime::MAX);
    let b_end = b.end.unwrap_or(NaiveDateTime::MAX);
    a.start < b_end && b.start < a_end
}

/// Downtime of one asset: episodes may not overlap, nor start before the asset exists in the
/// events, nor after it was retired.
pub fn check_downtimes<E: Borrow<AssetEvent>>(
    stored: &[Downtime],
    new: &[Downtime],
    events: &[E],
) -> Result<(), ValidationError> {
    let mut all: Vec<&Downtime> = stored
        .iter()
        .filter(|s| !s.is_void() && !new.iter().any(|n| n.id == s.id))
        .collect();
    for d in new.iter().filter(|d| !d.is_void()) {
        if let Some(other) = all.iter().find(|o| overlaps(o, d)) {
            let end = other
                .end
                .map_or_else(|| "still open".to_string(), |e| e.to_string());
            return Err(ValidationError::new(
                "start",
                d.start,
                format!(
                    "downtime {} overlaps downtime {} ({} to {end}) of the same asset; close that one first",
                    d.id, other.id, other.start
                ),
            )
            .because(ProblemId::DowntimeOverlaps)
            .with_text("downtime", &d.id)
            .with_text("other", &other.id)
            .with_text("start", other.start)
            .with_text(
                "end",
                other.end.map_or_else(|| "open".to_string(), |e| e.to_string()),
            ));
        }
        if let Some(first) = events.first().map(Borrow::borrow)
            && d.start < first.at
        {
            return Err(ValidationError::new(
                "start",
                d.start,
                format!(
                    "downtime {} starts before the asset's first lifecycle event ({})",
                    d.id, first.at
                ),
            )
            .because(ProblemId::DowntimeBeforeFirstEvent)
            .with_text("downtime", &d.id)
            .with_text("first", first.at));
        }
        if let Some(retired) = retired_at(events)
            && d.start >= retired
        {
            return Err(ValidationError::new(
                "start",
                d.start,
                format!(
                    "downtime {} starts after the asset was retired ({retired})",
                    d.id
                ),
            )
            .because(ProblemId::DowntimeAfterRetired)
            .with_text("downtime", &d.id)
            .with_text("retired", retired));
        }
        all.push(d);
    }
    Ok(())
}

/// Meter readings of one asset never go backwards in time order, per meter.
pub fn check_readings(
    stored: &[MeterReading],
    new: &[MeterReading],
) -> Result<(), ValidationError> {
    let mut all: Vec<&MeterReading> = stored
        .iter()
        .filter(|s| !new.iter().any(|n| n.id == s.id))
        .chain(new.iter())
        // A voided reading was entered wrong: it says nothing about the meter.
        .filter(|r| !r.is_void())
        .collect();
    all.sort_by(|a, b| {
        (a.meter, a.at, a.value)
            .cmp(&(b.meter, b.at, b.value))
            .then_with(|| a.id.cmp(&b.id))
    });
    for pair in all.windows(2) {
        let (prev, next) = (pair[0], pair[1]);
        if prev.meter == next.meter && next.value < prev.value {
            let (bad, other) = if new.iter().any(|n| n.id == next.id) {
                (next, prev)
            } else {
                (prev, next)
            };
            return Err(ValidationError::new(
                "value",
                bad.value,
                format!(
                    "meter reading {} goes backwards: reading {} at {} says {}",
                    bad.id, other.id, other.at, other.value
                ),
            )
            .because(ProblemId::ReadingGoesBackwards)
            .with_text("reading", &bad.id)
            .with_text("other", &other.id)
            .with_text("at", other.at)
            .with_text("value", other.value));
        }
    }
    Ok(())
}

/// A work order must not be opened on a retired asset, and an acceptance that commissions an
/// asset must be done.
pub fn check_work_order<E: Borrow<AssetEvent>>(
    order: &WorkOrder,
    events: &[E],
) -> Result<(), ValidationError> {
    if let Some(state) = state_at(events, order.opened)
        && state.is_retired()
    {
        return Err(ValidationError::new(
            "asset",
            &order.asset,
            format!(
                "work order {}: the asset is {} at {}; no work can be ordered on it",
                order.id,
                state.as_str(),
                order.opened
            ),
        )
        .because(ProblemId::WorkOnRetiredAsset)
        .with_text("order", &order.id)
        .arg("state", ProblemArg::States(vec![state]))
        .with_text("at", order.opened));
    }
    Ok(())
}

/// The acceptance work order named by a commissioning event must be a done acceptance of the
/// same asset, closed no later than the commissioning.
pub fn check_acceptance(event: &AssetEvent, order: &WorkOrder) -> Result<(), ValidationError> {
    let fail = |why: String, id: ProblemId| {
        Err(ValidationError::new("acceptance", &order.id, why).because(id))
    };
    if order.asset != event.asset {
        return fail(
            format!("work order {} is for asset {}", order.id, order.asset),
            ProblemId::WorkOrderOtherAsset,
        )
        .map_err(|e| {
            e.with_text("asset", &order.asset)
                .with_text("expected", &event.asset)
        });
    }
    if order.kind != WorkOrderKind::Acceptance {
        return fail(
            format!("work order {} is not an acceptance test", order.id),
            ProblemId::NotAnAcceptance,
        );
    }
    if order.status != super::WorkOrderStatus::Done {
        return fail(
            format!("acceptance {} is not done", order.id),
            ProblemId::AcceptanceNotDone,
        );
    }
    if order.closed.is_some_and(|c| c > event.at) {
        return fail(
            format!(
                "acceptance {} was closed after the commissioning at {}",
                order.id, event.at
            ),
            ProblemId::AcceptanceClosedAfter,
        )
        .map_err(|e| e.with_text("at", event.at));
    }
    Ok(())
}
