//! Voiding a return to service (issue #17 item 9, "void and correct events"): the return had
//! closed the downtime and, as done, the work order of that downtime; voiding it reopens both.
//! A closed record is closed once, so each is voided and recorded again under a new id. On the
//! demo's Semey ventilator 1.

mod kit;

use aidtrace_domain::assets::{DowntimeCause, LifecycleState, WorkOrderStatus};
use aidtrace_domain::{RecordId, RecordKind};
use aidtrace_service::Aidtrace;
use aidtrace_service::assets::{self, Corrected, HistorySource};
use chrono::NaiveDateTime;

fn app() -> (kit::Guard, Aidtrace) {
    let (dir, mut app) = kit::open();
    app.load_demo("test").expect("demo");
    (dir, app.with_clock(|| t("2026-03-01 12:00")))
}
fn id(s: &str) -> RecordId {
    RecordId::parse(s).expect("id")
}
fn t(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time")
}

/// Down at 09:00, back at 19:00 on 10 Feb 2026; returns (work order, the in_service event).
fn down_and_back(app: &mut Aidtrace) -> (RecordId, RecordId) {
    let vent = id("as-semey-vent-1");
    let down = assets::report_down(
        app,
        HistorySource::Store,
        "engineer",
        assets::DeviceDown {
            asset: vent.clone(),
            at: t("2026-02-10 09:00"),
            cause: DowntimeCause::Mechanical,
            reported_by: None,
            note: None,
        },
    )
    .expect("down");
    let up = assets::return_to_service(
        app,
        HistorySource::Store,
        "engineer",
        &vent,
        t("2026-02-10 19:00"),
        None,
    )
    .expect("up")
    .expect("an in_service event");
    (down.work_order, up)
}

fn order(app: &Aidtrace, w: &RecordId) -> aidtrace_domain::assets::WorkOrder {
    match app.store().get(RecordKind::WorkOrder, w).expect("get") {
        Some(aidtrace_domain::Record::WorkOrder(w)) => w,
        other => panic!("no order {w}: {other:?}"),
    }
}

#[test]
fn voiding_a_return_to_service_reopens_the_work_order_it_closed() {
    let (_d, mut app) = app();
    let (wo, up) = down_and_back(&mut app);
    assert_eq!(order(&app, &wo).status, WorkOrderStatus::Done);
    let done = assets::void_event(
        &mut app,
        HistorySource::Store,
        "engineer",
        &up,
        "it was not working yet",
        None,
        None,
    )
    .expect("void");
    let reopened = done.reopened_work_order.expect("the order is reopened");
    assert!(order(&app, &wo).is_void(), "the closed order is voided");
    let w = order(&app, &reopened);
    assert!(!w.status.is_closed(), "{:?}", w.status);
    assert_eq!((w.closed, w.opened), (None, t("2026-02-10 09:00")));
    // The reopened downtime points at the reopened order, so the next return closes both.
    let detail = assets::asset_detail(&app, &id("as-semey-vent-1")).expect("detail");
    let open: Vec<_> = detail
        .downtimes
        .iter()
        .filter(|d| d.end.is_none())
        .collect();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].work_order.as_ref(), Some(&reopened));
    assets::return_to_service(
        &mut app,
        HistorySource::Store,
        "engineer",
        &id("as-semey-vent-1"),
        t("2026-02-11 10:00"),
        None,
    )
    .expect("back again");
    let w = order(&app, &reopened);
    assert_eq!(
        (w.status, w.closed),
        (WorkOrderStatus::Done, Some(t("2026-02-11 10:00")))
    );
}

#[test]
fn a_corrected_return_closes_the_reopened_order_at_the_corrected_time() {
    let (_d, mut app) = app();
    let (wo, up) = down_and_back(&mut app);
    let done = assets::void_event(
        &mut app,
        HistorySource::Store,
        "engineer",
        &up,
        "back at 21:00, not 19:00",
        None,
        Some(Corrected {
            at: Some(t("2026-02-10 21:00")),
            state: Some(LifecycleState::InService),
        }),
    )
    .expect("void and correct");
    let reopened = done.reopened_work_order.expect("recorded again");
    assert!(order(&app, &wo).is_void());
    let w = order(&app, &reopened);
    assert_eq!(
        (w.status, w.closed),
        (WorkOrderStatus::Done, Some(t("2026-02-10 21:00")))
    );
}
