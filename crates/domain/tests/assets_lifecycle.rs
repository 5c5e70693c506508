//! The lifecycle state machine and the history rules.

use aidtrace_domain::assets::lifecycle::{
    allowed_next, check_append, check_downtimes, check_readings, check_sequence, check_work_order,
};
use aidtrace_domain::assets::{
    AssetEvent, Downtime, DowntimeCause, LifecycleState, MeterKind, MeterReading, Priority,
    WorkOrder, WorkOrderKind, WorkOrderStatus,
};
use proptest::prelude::*;

mod asset_kit;
use asset_kit::{event, id, t};

fn ev(n: &str, at: &str, state: LifecycleState) -> AssetEvent {
    event(n, "a1", t(at), state)
}

#[test]
fn the_happy_path_is_legal() {
    use LifecycleState as S;
    let path = [
        S::Planned,
        S::Procured,
        S::Shipped,
        S::Delivered,
        S::Installed,
        S::Commissioned,
        S::InService,
        S::Down,
        S::UnderRepair,
        S::InService,
        S::InStorage,
        S::InService,
        S::Decommissioned,
        S::Disposed,
    ];
    let events: Vec<AssetEvent> = path
        .iter()
        .enumerate()
        .map(|(i, s)| {
            ev(
                &format!("e{i:02}"),
                &format!("2025-01-{:02} 00:00", i + 1),
                *s,
            )
        })
        .collect();
    check_sequence(&events).expect("legal");
}

#[test]
fn illegal_transitions_name_the_state_and_the_options() {
    use LifecycleState as S;
    let e = check_sequence(&[
        ev("e1", "2025-01-01 00:00", S::Delivered),
        ev("e2", "2025-01-02 00:00", S::InService),
    ])
    .expect_err("delivered → in service skips installation");
    assert_eq!(e.field, "state");
    assert_eq!(e.value, "in_service");
    assert!(e.message.contains("from delivered"), "{e}");
    assert!(e.message.contains("installed"), "{e}");
    // Disposal is final.
    let e = check_sequence(&[
        ev("e1", "2025-01-01 00:00", S::InService),
        ev("e2", "2025-01-02 00:00", S::Decommissioned),
        ev("e3", "2025-01-03 00:00", S::Disposed),
        ev("e4", "2025-01-04 00:00", S::InService),
    ])
    .expect_err("nothing after disposal");
    assert!(e.message.contains("disposed"), "{e}");
    // Never-commissioned equipment cannot go from storage into service.
    check_sequence(&[
        ev("e1", "2025-01-01 00:00", S::Delivered),
        ev("e2", "2025-01-02 00:00", S::InStorage),
        ev("e3", "2025-01-03 00:00", S::InService),
    ])
    .expect_err("never commissioned");
    // A first event of `down` is meaningless.
    check_sequence(&[ev("e1", "2025-01-01 00:00", S::Down)]).expect_err("first down");
}

#[test]
fn events_out_of_order_and_edited_events_are_refused() {
    use LifecycleState as S;
    let stored = vec![
        ev("e1", "2025-01-01 00:00", S::InService),
        ev("e2", "2025-01-05 00:00", S::Down),
    ];
    let e = check_append(&stored, &[ev("e3", "2025-01-03 00:00", S::InService)])
        .expect_err("earlier than the latest event");
    assert_eq!(e.field, "at");
    assert!(e.message.contains("out of order"), "{e}");
    let mut changed = stored[1].clone();
    changed.state = S::UnderRepair;
    let e = check_append(&stored, &[changed]).expect_err("append-only");
    assert!(e.message.contains("append-only"), "{e}");
    check_append(&stored, &[stored[1].clone()]).expect("rewriting the same event is a no-op");
    check_append(&stored, &[ev("e3", "2025-01-06 00:00", S::UnderRepair)]).expect("in order");
}

fn dt(n: &str, start: &str, end: Option<&str>) -> Downtime {
    Downtime {
        id: id(n),
        asset: id("a1"),
        start: t(start),
        end: end.map(t),
        cause: DowntimeCause::Electrical,
        planned: false,
        work_order: None,
        reported_by: None,
        note: None,
        voided: None,
    }
}

#[test]
fn overlapping_downtime_is_refused() {
    let events = [ev("e1", "2025-01-01 00:00", LifecycleState::InService)];
    let stored = [dt("d1", "2025-01-02 00:00", Some("2025-01-03 00:00"))];
    let e = check_downtimes(&stored, &[dt("d2", "2025-01-02 12:00", None)], &events)
        .expect_err("overlap");
    assert_eq!(e.field, "start");
    assert!(e.message.contains("overlaps downtime d1"), "{e}");
    // Touching is not overlapping: one ends when the next begins.
    check_downtimes(
        &stored,
        &[dt("d2", "2025-01-03 00:00", Some("2025-01-04 00:00"))],
        &events,
    )
    .expect("adjacent");
    // An open episode blocks everything after it.
    let open = [dt("d1", "2025-01-02 00:00", None)];
    check_downtimes(&open, &[dt("d2", "2025-02-01 00:00", None)], &events).expect_err("open");
    // Closing the open episode (same id) is fine.
    check_downtimes(
        &open,
        &[dt("d1", "2025-01-02 00:00", Some("2025-01-02 05:00"))],
        &events,
    )
    .expect("closing");
    check_downtimes(&[], &[dt("d9", "2024-12-01 00:00", None)], &events)
        .expect_err("before the asset existed");
}

fn reading(n: &str, at: &str, value: u64) -> MeterReading {
    MeterReading {
        id: id(n),
        asset: id("a1"),
        at: t(at),
        meter: MeterKind::Hours,
        value,
        voided: None,
    }
}

#[test]
fn meters_never_go_backwards() {
    let stored = [
        reading("r1", "2025-01-01 00:00", 100),
        reading("r2", "2025-02-01 00:00", 200),
    ];
    let e = check_readings(&stored, &[reading("r3", "2025-03-01 00:00", 150)]).expect_err("back");
    assert_eq!((e.field.as_str(), e.value.as_str()), ("value", "150"));
    // A reading slipped in between must fit between its neighbours.
    check_readings(&stored, &[reading("r3", "2025-01-15 00:00", 150)]).expect("between");
    check_readings(&stored, &[reading("r3", "2025-01-15 00:00", 250)]).expect_err("too high");
    let mut exams = reading("r4", "2025-03-01 00:00", 5);
    exams.meter = MeterKind::Exams;
    check_readings(&stored, &[exams]).expect("another meter starts at its own value");
}

#[test]
fn no_work_order_on_a_disposed_asset() {
    use LifecycleState as S;
    let events = [
        ev("e1", "2025-01-01 00:00", S::InService),
        ev("e2", "2025-02-01 00:00", S::Decommissioned),
        ev("e3", "2025-03-01 00:00", S::Disposed),
    ];
    let mut w = WorkOrder {
        id: id("w1"),
        asset: id("a1"),
        kind: WorkOrderKind::Corrective,
        status: WorkOrderStatus::Open,
        priority: Priority::Normal,
        opened: t("2025-03-05 00:00"),
        closed: None,
        plan: None,
        failure_cause: None,
        labour_hours: None,
        labour_cost: None,
        labour_rate: None,
        acknowledged: None,
        started: None,
        assignee: None,
        result: None,
        checklist: Vec::new(),
        readings: Vec::new(),
        parts: vec![],
        external_cost: None,
        provider: None,
        note: None,
        notice: None,
        voided: None,
    };
    let e = check_work_order(&w, &events).expect_err("disposed");
    assert!(e.message.contains("disposed"), "{e}");
    w.opened = t("2025-01-15 00:00");
    check_work_order(&w, &events).expect("opened while in service");
}

proptest! {
    /// Any random walk along allowed transitions is accepted, and stepping off the table is not.
    #[test]
    fn random_walks_follow_the_table(choices in prop::collection::vec(0usize..8, 1..30), bad in 0usize..13) {
        use LifecycleState as S;
        let mut events = vec![ev("e000", "2025-01-01 00:00", S::Delivered)];
        let mut state = S::Delivered;
        let mut commissioned = false;
        for (i, c) in choices.iter().enumerate() {
            let next: Vec<S> = allowed_next(state)
                .iter()
                .copied()
                .filter(|s| !(*s == S::InService && matches!(state, S::InStorage | S::Transferred) && !commissioned))
                .collect();
            if next.is_empty() { break; }
            state = next[c % next.len()];
            commissioned |= matches!(state, S::Commissioned | S::InService);
            let at = t("2025-01-01 00:00") + chrono::Duration::hours(i as i64 + 1);
            events.push(AssetEvent { at, ..ev(&format!("e{:03}", i + 1), "2025-01-01 00:00", state) });
        }
        prop_assert!(check_sequence(&events).is_ok());
        let wrong = LifecycleState::ALL[bad];
        if !allowed_next(state).contains(&wrong) {
            let at = events.last().map(|e| e.at).expect("one") + chrono::Duration::hours(1);
            events.push(AssetEvent { at, ..ev("e999", "2025-01-01 00:00", wrong) });
            prop_assert!(check_sequence(&events).is_err());
        }
    }
}
