//! Voids, corrections and "recorded at" (issue #17 item 9): a wrong lifecycle event is voided
//! with a reason and read by no report; a correction replaces it; an event written through the
//! service carries the time it was recorded. Refusals name the field and write nothing.

mod kit;

use aidtrace_domain::assets::kpi::{GroupBy, Indicators, Period};
use aidtrace_domain::assets::{AssetEvent, DowntimeCause, LifecycleState, WorkOrderStatus};
use aidtrace_domain::{CurrencyCode, Record, RecordId, RecordKind};
use aidtrace_service::assets::{self, Corrected, HistorySource, NewEvent};
use aidtrace_service::{Aidtrace, ServiceError};
use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

const MRI: &str = "as-semey-mri-1";

fn app() -> (kit::Guard, Aidtrace) {
    let (dir, mut app) = kit::open();
    app.load_demo("test").expect("demo");
    (dir, app.with_clock(now))
}
fn now() -> NaiveDateTime {
    t("2026-03-01 12:00")
}
fn id(s: &str) -> RecordId {
    RecordId::parse(s).expect("id")
}
fn t(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time")
}
fn audit_len(app: &Aidtrace) -> usize {
    app.verify_audit().expect("verify").entries
}
fn down_at(app: &mut Aidtrace, at: &str) -> assets::DownReport {
    assets::report_down(
        app,
        HistorySource::Store,
        "engineer",
        assets::DeviceDown {
            asset: id(MRI),
            at: t(at),
            cause: DowntimeCause::Mechanical,
            reported_by: None,
            note: None,
        },
    )
    .expect("down")
}
fn void(
    app: &mut Aidtrace,
    event: &RecordId,
    reason: &str,
    correct: Option<Corrected>,
) -> Result<assets::Voided, ServiceError> {
    assets::void_event(
        app,
        HistorySource::Store,
        "engineer",
        event,
        reason,
        None,
        correct,
    )
}
fn event(app: &Aidtrace, e: &RecordId) -> AssetEvent {
    match app.store().get(RecordKind::AssetEvent, e).expect("get") {
        Some(Record::AssetEvent(e)) => e,
        other => panic!("no event {e}: {other:?}"),
    }
}
fn february(app: &Aidtrace) -> Indicators {
    let period = Period::days(
        NaiveDate::from_ymd_opt(2026, 2, 1).expect("d"),
        NaiveDate::from_ymd_opt(2026, 2, 28).expect("d"),
    )
    .expect("period");
    let usd = CurrencyCode::parse("USD").expect("usd");
    assets::indicators(app, period, GroupBy::Asset, &usd)
        .expect("kpi")
        .remove(MRI)
        .expect("row")
}
fn state(app: &Aidtrace) -> Option<LifecycleState> {
    assets::list_assets(app, None)
        .expect("list")
        .into_iter()
        .find(|r| r.id == id(MRI))
        .and_then(|r| r.state)
}
/// Asserts a refusal naming `field`, and that nothing was written.
fn refused<T: std::fmt::Debug>(
    r: Result<T, ServiceError>,
    app: &Aidtrace,
    before: usize,
    field: &str,
) {
    let err = r.expect_err("must be refused");
    assert!(err.is_bad_input(), "{err}");
    match &err {
        ServiceError::Invalid { error, .. } => assert_eq!(error.field, field, "{err}"),
        other => panic!("expected a field error, got {other}"),
    }
    assert_eq!(audit_len(app), before, "nothing may be written");
}

#[test]
fn an_event_recorded_through_the_service_carries_the_time_it_was_recorded() {
    let (_d, mut app) = app();
    let report = down_at(&mut app, "2026-02-10 09:00");
    let e = event(&app, &report.event.expect("down event"));
    assert_eq!(e.at, t("2026-02-10 09:00"));
    assert_eq!(e.recorded_at, Some(now()));
}

#[test]
fn a_down_report_for_the_wrong_machine_is_voided_and_no_report_reads_it() {
    let (_d, mut app) = app();
    let working = february(&app);
    let problems = assets::check_stored(&app.ledger().expect("ledger"), now());
    let report = down_at(&mut app, "2026-02-10 09:00");
    assert_ne!(
        february(&app).unplanned_downtime_hours,
        working.unplanned_downtime_hours
    );
    let ev = report.event.expect("down event");
    let done = void(&mut app, &ev, "reported for the wrong machine", None).expect("void");
    assert_eq!(done.downtime.as_ref(), Some(&report.downtime));
    assert_eq!(done.cancelled_work_order.as_ref(), Some(&report.work_order));
    let after = february(&app);
    assert_eq!(
        after.unplanned_downtime_hours,
        working.unplanned_downtime_hours
    );
    assert_eq!(after.failures, working.failures);
    assert_eq!(state(&app), Some(LifecycleState::InService));
    // Kept for the record, with the reason and when it was voided.
    let kept = event(&app, &ev);
    let v = kept.voided.expect("voided");
    assert_eq!(
        (v.at, v.reason.as_str()),
        (now(), "reported for the wrong machine")
    );
    let detail = assets::asset_detail(&app, &id(MRI)).expect("detail");
    assert!(detail.voided_events.iter().any(|e| e.id == ev));
    assert!(!detail.events.iter().any(|e| e.id == ev));
    assert!(
        detail
            .voided_downtimes
            .iter()
            .any(|d| d.id == report.downtime)
    );
    let order = match app
        .store()
        .get(RecordKind::WorkOrder, &report.work_order)
        .expect("get")
    {
        Some(Record::WorkOrder(w)) => w,
        other => panic!("{other:?}"),
    };
    assert_eq!(order.status, WorkOrderStatus::Cancelled);
    assert!(order.note.unwrap_or_default().contains("voided"));
    assert_eq!(
        assets::check_stored(&app.ledger().expect("ledger"), now()),
        problems
    );
}

#[test]
fn a_down_report_at_the_wrong_time_is_corrected_before_the_latest_event() {
    let (_d, mut app) = app();
    let report = down_at(&mut app, "2026-02-10 09:00");
    assets::return_to_service(
        &mut app,
        HistorySource::Store,
        "engineer",
        &id(MRI),
        t("2026-02-10 19:00"),
        None,
    )
    .expect("up");
    let working = {
        let (_d2, clean) = app_clean();
        february(&clean)
    };
    // It failed at 07:00, not 09:00: 12 h down, not 10 h.
    let ev = report.event.expect("down event");
    let done = void(
        &mut app,
        &ev,
        "the night shift reported it two hours late",
        Some(Corrected {
            at: Some(t("2026-02-10 07:00")),
            state: None,
        }),
    )
    .expect("correct");
    let fixed = event(&app, done.correction.as_ref().expect("correction"));
    assert_eq!(fixed.at, t("2026-02-10 07:00"));
    assert_eq!(fixed.corrects, Some(ev));
    assert_eq!(fixed.recorded_at, Some(now()));
    let after = february(&app);
    assert_eq!(
        after.unplanned_downtime_hours - working.unplanned_downtime_hours,
        Decimal::from(12),
        "{after:?}"
    );
    assert_eq!(after.failures, working.failures + 1);
    assert!(done.cancelled_work_order.is_none(), "the repair was real");
}

fn app_clean() -> (kit::Guard, Aidtrace) {
    app()
}

#[test]
fn a_void_without_a_reason_is_refused() {
    let (_d, mut app) = app();
    let ev = down_at(&mut app, "2026-02-10 09:00").event.expect("event");
    let before = audit_len(&app);
    refused(void(&mut app, &ev, " ", None), &app, before, "reason");
}

#[test]
fn an_event_is_voided_once() {
    let (_d, mut app) = app();
    let ev = down_at(&mut app, "2026-02-10 09:00").event.expect("event");
    void(&mut app, &ev, "wrong machine", None).expect("void");
    let before = audit_len(&app);
    refused(void(&mut app, &ev, "again", None), &app, before, "voided");
}

#[test]
fn a_voided_event_cannot_be_written_back_live() {
    let (_d, mut app) = app();
    let ev = down_at(&mut app, "2026-02-10 09:00").event.expect("event");
    void(&mut app, &ev, "wrong machine", None).expect("void");
    let live = AssetEvent {
        voided: None,
        ..event(&app, &ev)
    };
    let before = audit_len(&app);
    refused(
        assets::put_checked(&mut app, "loader", vec![Record::AssetEvent(live)]),
        &app,
        before,
        "id",
    );
}

#[test]
fn voiding_an_unknown_event_names_it() {
    let (_d, mut app) = app();
    let err = void(&mut app, &id("ev-nowhere"), "typo", None).expect_err("unknown");
    assert!(matches!(err, ServiceError::NotFound(_)), "{err}");
    assert!(err.to_string().contains("ev-nowhere"), "{err}");
}

#[test]
fn a_correction_that_breaks_the_state_machine_is_refused() {
    let (_d, mut app) = app();
    let ev = down_at(&mut app, "2026-02-10 09:00").event.expect("event");
    let before = audit_len(&app);
    // in_service → planned is not a legal step.
    refused(
        void(
            &mut app,
            &ev,
            "wrong state",
            Some(Corrected {
                at: None,
                state: Some(LifecycleState::Planned),
            }),
        ),
        &app,
        before,
        "state",
    );
}

fn under_repair(at: &str) -> NewEvent {
    NewEvent {
        asset: id(MRI),
        at: t(at),
        state: LifecycleState::UnderRepair,
        acceptance: None,
        to_facility: None,
        by: None,
        note: None,
        disposal: None,
    }
}

#[test]
fn an_event_stored_in_the_future_no_longer_locks_its_asset_once_voided() {
    let (_d, app) = app();
    // Stored when the clock read 2031 (as stores written before future times were refused).
    let mut app = app.with_clock(|| t("2031-01-01 00:00"));
    let locked = down_at(&mut app, "2030-01-01 00:00").event.expect("event");
    let mut app = app.with_clock(now);
    // Locked: the open 2030 report leaves no place for a real event before it.
    let err = assets::record_event(
        &mut app,
        HistorySource::Store,
        "engineer",
        under_repair("2026-02-20 08:00"),
    )
    .expect_err("locked");
    assert!(err.to_string().contains("2030-01-01"), "{err}");
    void(
        &mut app,
        &locked,
        "dated 2030 by a phone with a wrong clock",
        None,
    )
    .expect("void");
    assets::record_event(
        &mut app,
        HistorySource::Store,
        "engineer",
        under_repair("2026-02-20 08:00"),
    )
    .expect("unlocked");
    assert_eq!(state(&app), Some(LifecycleState::UnderRepair));
}
