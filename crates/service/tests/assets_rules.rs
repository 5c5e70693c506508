//! Bad input is refused with a message naming the field and value, and nothing is written.

mod kit;

use aidtrace_domain::assets::disposal::{DataWipe, Disposal, DisposalMethod};
use aidtrace_domain::assets::kpi::{GroupBy, Period};
use aidtrace_domain::assets::{
    AssetEvent, Downtime, DowntimeCause, LifecycleState, MeterKind, MeterReading, Priority,
    WorkOrder, WorkOrderKind, WorkOrderStatus,
};
use aidtrace_domain::{CurrencyCode, Record, RecordId};
use aidtrace_service::assets::{self, HistorySource, NewEvent};
use aidtrace_service::{Aidtrace, ServiceError};
use chrono::{NaiveDate, NaiveDateTime};

fn app() -> (kit::Guard, Aidtrace) {
    let (dir, mut app) = kit::open();
    app.load_demo("test").expect("demo");
    (dir, app)
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

/// Asserts the call was refused as bad input naming `field`, and that nothing was written.
fn refused<T: std::fmt::Debug>(
    result: Result<T, ServiceError>,
    app: &Aidtrace,
    before: usize,
    field: &str,
    words: &str,
) {
    let err = result.expect_err("must be refused");
    assert!(err.is_bad_input(), "{err}");
    match &err {
        ServiceError::Invalid { error, .. } => assert_eq!(error.field, field, "{err}"),
        other => panic!("expected a field error, got {other}"),
    }
    assert!(err.to_string().contains(words), "{err}");
    assert_eq!(audit_len(app), before, "nothing may be written");
}

fn downtime(name: &str, asset: &str, start: &str, end: Option<&str>) -> Record {
    Record::Downtime(Downtime {
        id: id(name),
        asset: id(asset),
        start: t(start),
        end: end.map(t),
        cause: DowntimeCause::Electrical,
        planned: false,
        work_order: None,
        reported_by: None,
        note: None,
        voided: None,
    })
}

fn event(name: &str, asset: &str, at: &str, state: LifecycleState) -> Record {
    Record::AssetEvent(AssetEvent {
        id: id(name),
        asset: id(asset),
        at: t(at),
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
        // A disposed event carries its disposal record.
        disposal: (state == LifecycleState::Disposed).then(|| Disposal {
            method: DisposalMethod::Recycled,
            hazardous: vec![],
            data_wipe: DataWipe::NotApplicable,
            certificate: None,
        }),
    })
}

fn order(name: &str, asset: &str, opened: &str, status: WorkOrderStatus) -> WorkOrder {
    WorkOrder {
        id: id(name),
        asset: id(asset),
        kind: WorkOrderKind::Corrective,
        status,
        priority: Priority::Normal,
        opened: t(opened),
        closed: status.is_closed().then(|| t(opened)),
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
    }
}

#[test]
fn device_down_and_back_round_trip() {
    let (d, mut app) = app();
    // The phone flow reads histories through the per-asset indexes.
    let queries = d.asset_queries();
    let indexed = HistorySource::Indexed(&queries);
    let mri = id("as-semey-mri-1");
    let report = assets::report_down(
        &mut app,
        indexed,
        "engineer",
        assets::DeviceDown {
            asset: mri.clone(),
            at: t("2026-01-05 08:00"),
            cause: DowntimeCause::ExternalPower,
            reported_by: Some("night engineer".into()),
            note: None,
        },
    )
    .expect("down");
    assert!(report.event.is_some());
    assert_eq!(
        assets::state_of(&app, &mri, t("2026-01-05 09:00")).expect("state"),
        Some(LifecycleState::Down)
    );
    // Reporting again while down adds no second open episode.
    let before = audit_len(&app);
    refused(
        assets::report_down(
            &mut app,
            indexed,
            "engineer",
            assets::DeviceDown {
                asset: mri.clone(),
                at: t("2026-01-05 10:00"),
                cause: DowntimeCause::Wear,
                reported_by: None,
                note: None,
            },
        ),
        &app,
        before,
        "start",
        "overlaps",
    );
    assets::return_to_service(
        &mut app,
        indexed,
        "engineer",
        &mri,
        t("2026-01-05 14:00"),
        None,
    )
    .expect("up");
    let detail = assets::asset_detail(&app, &mri).expect("detail");
    let wo = detail
        .work_orders
        .iter()
        .find(|w| w.id == report.work_order)
        .expect("work order");
    assert_eq!(wo.status, WorkOrderStatus::Done);
    let usd = CurrencyCode::parse("USD").expect("usd");
    let jan = Period::days(
        NaiveDate::from_ymd_opt(2026, 1, 1).expect("d"),
        NaiveDate::from_ymd_opt(2026, 1, 31).expect("d"),
    )
    .expect("period");
    let k = assets::indicators(&app, jan, GroupBy::Asset, &usd).expect("kpi");
    assert_eq!(
        k["as-semey-mri-1"].mttr_hours,
        Some("6".parse().expect("6"))
    );
    assert!(app.verify_audit().expect("verify").problems.is_empty());
}

#[test]
fn an_asset_in_storage_cannot_be_reported_down() {
    let (_d, mut app) = app();
    let before = audit_len(&app);
    refused(
        assets::report_down(
            &mut app,
            HistorySource::Store,
            "e",
            assets::DeviceDown {
                asset: id("as-semey-vent-4"),
                at: t("2026-01-05 08:00"),
                cause: DowntimeCause::Wear,
                reported_by: None,
                note: None,
            },
        ),
        &app,
        before,
        "state",
        "in_storage",
    );
}

#[test]
fn illegal_transition_and_out_of_order_events_are_refused() {
    let (_d, mut app) = app();
    let before = audit_len(&app);
    let new = |state, at: &str| NewEvent {
        asset: id("as-semey-vent-4"),
        at: t(at),
        state,
        acceptance: None,
        to_facility: None,
        by: None,
        note: None,
        disposal: None,
    };
    refused(
        assets::record_event(
            &mut app,
            HistorySource::Store,
            "e",
            new(LifecycleState::InService, "2026-01-01 00:00"),
        ),
        &app,
        before,
        "state",
        "never commissioned",
    );
    refused(
        assets::record_event(
            &mut app,
            HistorySource::Store,
            "e",
            new(LifecycleState::Disposed, "2026-01-01 00:00"),
        ),
        &app,
        before,
        "state",
        "cannot go from in_storage to disposed",
    );
    refused(
        assets::record_event(
            &mut app,
            HistorySource::Store,
            "e",
            new(LifecycleState::Installed, "2024-10-01 00:00"),
        ),
        &app,
        before,
        "at",
        "out of order",
    );
    assets::record_event(
        &mut app,
        HistorySource::Store,
        "e",
        new(LifecycleState::Installed, "2026-01-01 00:00"),
    )
    .expect("storage → installed is legal");
}

#[test]
fn overlapping_and_backwards_downtime_is_refused_atomically() {
    let (_d, mut app) = app();
    let before = audit_len(&app);
    // A legal event and an overlapping downtime in one batch: neither is written.
    let batch = vec![
        event(
            "ev-x",
            "as-semey-ct-1",
            "2026-02-01 00:00",
            LifecycleState::Down,
        ),
        downtime(
            "dt-x",
            "as-semey-ct-1",
            "2025-06-10 00:00",
            Some("2025-06-11 00:00"),
        ),
    ];
    refused(
        assets::put_checked(&mut app, "e", batch),
        &app,
        before,
        "start",
        "overlaps downtime down-as-semey-ct-1-2025-06",
    );
    refused(
        assets::put_checked(
            &mut app,
            "e",
            vec![downtime(
                "dt-y",
                "as-semey-ct-1",
                "2026-03-02 00:00",
                Some("2026-03-01 00:00"),
            )],
        ),
        &app,
        before,
        "end",
        "ends before it starts",
    );
}

#[test]
fn no_work_on_a_disposed_asset_and_meters_never_go_back() {
    let (_d, mut app) = app();
    let endo = "as-semey-endo-3";
    assets::put_checked(
        &mut app,
        "e",
        vec![
            event(
                "ev-endo3-dec",
                endo,
                "2026-01-10 00:00",
                LifecycleState::Decommissioned,
            ),
            event(
                "ev-endo3-disp",
                endo,
                "2026-01-20 00:00",
                LifecycleState::Disposed,
            ),
        ],
    )
    .expect("retire");
    let before = audit_len(&app);
    refused(
        assets::put_checked(
            &mut app,
            "e",
            vec![Record::WorkOrder(order(
                "wo-late",
                endo,
                "2026-02-01 00:00",
                WorkOrderStatus::Open,
            ))],
        ),
        &app,
        before,
        "asset",
        "disposed",
    );
    refused(
        assets::put_checked(
            &mut app,
            "e",
            vec![Record::MeterReading(MeterReading {
                id: id("mr-back"),
                asset: id("as-semey-mri-1"),
                at: t("2026-01-31 18:00"),
                meter: MeterKind::Hours,
                value: 2500,
                voided: None,
            })],
        ),
        &app,
        before,
        "value",
        "goes backwards",
    );
}

#[test]
fn commissioning_needs_a_done_acceptance_of_the_same_asset() {
    let (_d, mut app) = app();
    let vent = "as-semey-vent-4";
    assets::put_checked(
        &mut app,
        "e",
        vec![event(
            "ev-v4-inst",
            vent,
            "2026-01-10 00:00",
            LifecycleState::Installed,
        )],
    )
    .expect("install");
    let mut acc = order("wo-v4-acc", vent, "2026-01-11 00:00", WorkOrderStatus::Open);
    acc.kind = WorkOrderKind::Acceptance;
    let mut commission = AssetEvent {
        id: id("ev-v4-comm"),
        asset: id(vent),
        at: t("2026-01-12 00:00"),
        state: LifecycleState::Commissioned,
        acceptance: Some(id("wo-v4-acc")),
        to_facility: None,
        from_facility: None,
        by: None,
        note: None,
        sources: vec![],
        recorded_at: None,
        corrects: None,
        voided: None,
        disposal: None,
    };
    let before = audit_len(&app);
    refused(
        assets::put_checked(
            &mut app,
            "e",
            vec![
                Record::WorkOrder(acc.clone()),
                Record::AssetEvent(commission.clone()),
            ],
        ),
        &app,
        before,
        "acceptance",
        "is not done",
    );
    commission.acceptance = None;
    refused(
        assets::put_checked(&mut app, "e", vec![Record::AssetEvent(commission.clone())]),
        &app,
        before,
        "acceptance",
        "needs the acceptance",
    );
    acc.status = WorkOrderStatus::Done;
    acc.closed = Some(t("2026-01-11 16:00"));
    commission.acceptance = Some(id("wo-v4-acc"));
    assets::put_checked(
        &mut app,
        "e",
        vec![Record::WorkOrder(acc), Record::AssetEvent(commission)],
    )
    .expect("commissioned");
}

#[test]
fn a_transfer_moves_the_asset_to_the_receiving_facility() {
    let (_d, mut app) = app();
    let ct = id("as-nct-ct-1");
    assets::record_event(
        &mut app,
        HistorySource::Store,
        "e",
        NewEvent {
            asset: ct.clone(),
            at: t("2026-02-01 00:00"),
            state: LifecycleState::Transferred,
            acceptance: None,
            to_facility: Some(id("fac-semey-city-emergency-hospital")),
            by: None,
            note: None,
            disposal: None,
        },
    )
    .expect("transfer");
    let rows =
        assets::list_assets(&app, Some(&id("fac-semey-city-emergency-hospital"))).expect("list");
    assert!(rows.iter().any(|r| r.id == ct), "{rows:?}");
    let before = audit_len(&app);
    refused(
        assets::record_event(
            &mut app,
            HistorySource::Store,
            "e",
            NewEvent {
                asset: ct,
                at: t("2026-02-02 00:00"),
                state: LifecycleState::Transferred,
                acceptance: None,
                to_facility: None,
                by: None,
                note: None,
                disposal: None,
            },
        ),
        &app,
        before,
        "state",
        "cannot go from transferred to transferred",
    );
}

/// The injected clock of the tests below: "now" is 2026-03-01 12:00 UTC.
fn fixed_now() -> NaiveDateTime {
    t("2026-03-01 12:00")
}

fn down_at(app: &mut Aidtrace, asset: &str, at: &str) -> Result<assets::DownReport, ServiceError> {
    assets::report_down(
        app,
        HistorySource::Store,
        "engineer",
        assets::DeviceDown {
            asset: id(asset),
            at: t(at),
            cause: DowntimeCause::Mechanical,
            reported_by: None,
            note: None,
        },
    )
}

#[test]
fn a_down_report_dated_in_the_future_is_refused_and_real_reports_still_go_in() {
    let (_d, app) = app();
    let mut app = app.with_clock(fixed_now);
    let before = audit_len(&app);
    refused(
        down_at(&mut app, "as-semey-mri-1", "2030-01-01 00:00"),
        &app,
        before,
        "at",
        "2030-01-01 00:00:00",
    );
    let err = down_at(&mut app, "as-semey-mri-1", "2030-01-01 00:00").expect_err("future");
    assert!(err.to_string().contains("in the future"), "{err}");
    // Nothing was locked: a report dated now goes in.
    down_at(&mut app, "as-semey-mri-1", "2026-03-01 11:00").expect("a real report");
}

#[test]
fn a_time_within_ten_minutes_ahead_is_accepted_and_eleven_is_not() {
    let (_d, app) = app();
    let mut app = app.with_clock(fixed_now);
    let before = audit_len(&app);
    refused(
        down_at(&mut app, "as-semey-mri-1", "2026-03-01 12:11"),
        &app,
        before,
        "at",
        "in the future",
    );
    down_at(&mut app, "as-semey-mri-1", "2026-03-01 12:10").expect("clock drift is tolerated");
}

#[test]
fn a_work_order_closed_in_the_future_is_refused() {
    let (_d, app) = app();
    let mut app = app.with_clock(fixed_now);
    let report = down_at(&mut app, "as-semey-mri-1", "2026-03-01 09:00").expect("down");
    let before = audit_len(&app);
    refused(
        assets::close_work_order(
            &mut app,
            HistorySource::Store,
            "engineer",
            assets::Closing {
                id: report.work_order,
                status: WorkOrderStatus::Done,
                at: t("2027-01-01 00:00"),
                labour_hours: None,
                external_cost: None,
                substance: Default::default(),
            },
        ),
        &app,
        before,
        "closed",
        "in the future",
    );
}

#[test]
fn decommissioning_closes_open_downtime_and_cancels_open_work_orders_with_a_reason() {
    use aidtrace_domain::RecordKind;
    let (_d, app) = app();
    let mut app = app.with_clock(fixed_now);
    let report = down_at(&mut app, "as-semey-mri-1", "2026-02-01 09:00").expect("down");
    assets::record_event(
        &mut app,
        HistorySource::Store,
        "engineer",
        NewEvent {
            asset: id("as-semey-mri-1"),
            at: t("2026-02-10 10:00"),
            state: LifecycleState::Decommissioned,
            acceptance: None,
            to_facility: None,
            by: None,
            note: Some("beyond repair".into()),
            disposal: None,
        },
    )
    .expect("decommission");
    let Some(Record::Downtime(d)) = app
        .store()
        .get(RecordKind::Downtime, &report.downtime)
        .expect("read")
    else {
        panic!("downtime gone");
    };
    assert_eq!(d.end, Some(t("2026-02-10 10:00")));
    assert!(
        d.note
            .as_deref()
            .is_some_and(|n| n.contains("decommissioned")),
        "{d:?}"
    );
    let Some(Record::WorkOrder(w)) = app
        .store()
        .get(RecordKind::WorkOrder, &report.work_order)
        .expect("read")
    else {
        panic!("work order gone");
    };
    assert_eq!(w.status, WorkOrderStatus::Cancelled);
    assert_eq!(w.closed, Some(t("2026-02-10 10:00")));
    assert!(
        w.note
            .as_deref()
            .is_some_and(|n| n.contains("decommissioned")),
        "{w:?}"
    );
}

#[test]
fn a_generic_load_refuses_a_downtime_in_the_future_and_stores_offsets_as_utc() {
    use aidtrace_domain::RecordKind;
    let (_d, app) = app();
    let mut app = app.with_clock(fixed_now);
    let file = |start: &str| {
        format!(
            r#"{{"records":[{{"record":"downtime","id":"down-load","asset":"as-semey-mri-1",
                "start":"{start}","cause":"wear","planned":false}}]}}"#
        )
    };
    let before = audit_len(&app);
    refused(
        app.load_json("loader", &file("2030-01-01T00:00:00")),
        &app,
        before,
        "start",
        "in the future",
    );
    app.load_json("loader", &file("2026-02-01T10:00:00+05:00"))
        .expect("offset accepted");
    let Some(Record::Downtime(d)) = app
        .store()
        .get(RecordKind::Downtime, &id("down-load"))
        .expect("read")
    else {
        panic!("not stored");
    };
    assert_eq!(d.start, t("2026-02-01 05:00"));
}

fn far_future_now() -> NaiveDateTime {
    t("2031-01-01 00:00")
}

#[test]
fn asset_check_reports_a_future_time_stored_before_such_times_were_refused() {
    // A store written while the clock read 2031 (or by a release that let such times in) still
    // holds a report dated 2030; the check at the real date names it so it can be corrected.
    let (_d, app) = app();
    let mut app = app.with_clock(far_future_now);
    down_at(&mut app, "as-semey-mri-1", "2030-01-01 00:00").expect("not future in 2031");
    let ledger = app.ledger().expect("ledger");
    assert!(assets::check_stored(&ledger, far_future_now()).is_empty());
    let problems = assets::check_stored(&ledger, fixed_now());
    assert!(
        problems
            .iter()
            .any(|p| p.contains("2030-01-01 00:00:00") && p.contains("in the future")),
        "{problems:?}"
    );
}

fn closing(id: &RecordId, at: &str, hours: &str) -> assets::Closing {
    assets::Closing {
        id: id.clone(),
        status: WorkOrderStatus::Done,
        at: t(at),
        labour_hours: Some(hours.parse().expect("hours")),
        external_cost: None,
        substance: Default::default(),
    }
}

#[test]
fn a_done_work_order_is_closed_once() {
    let (_d, app) = app();
    let mut app = app.with_clock(fixed_now);
    let report = down_at(&mut app, "as-semey-mri-1", "2026-03-01 09:00").expect("down");
    let order = report.work_order;
    let first = closing(&order, "2026-03-01 11:00", "2");
    assets::close_work_order(&mut app, HistorySource::Store, "engineer", first).expect("close");
    let before = audit_len(&app);
    let again = closing(&order, "2026-03-01 11:30", "40");
    refused(
        assets::close_work_order(&mut app, HistorySource::Store, "engineer", again),
        &app,
        before,
        "status",
        "not changed again",
    );
}

#[test]
fn a_work_order_under_another_models_plan_is_refused() {
    use aidtrace_domain::RecordKind;
    let (_d, app) = app();
    let mut app = app.with_clock(fixed_now);
    let Some(Record::WorkOrder(mut w)) = app
        .store()
        .get(RecordKind::WorkOrder, &id("wo-as-semey-mri-1-acceptance"))
        .expect("get")
    else {
        panic!("the demo has the MRI's acceptance")
    };
    w.id = id("wo-mri-pm-under-ct-plan");
    w.kind = WorkOrderKind::Preventive;
    w.plan = Some(id("plan-ct-half-yearly"));
    w.opened = t("2026-02-01 08:00");
    w.closed = Some(t("2026-02-01 12:00"));
    let before = audit_len(&app);
    refused(
        assets::put_checked(&mut app, "engineer", vec![Record::WorkOrder(w.clone())]),
        &app,
        before,
        "plan",
        "dm-illustrative-ct",
    );
    w.plan = Some(id("plan-mri-quarterly"));
    assets::put_checked(&mut app, "engineer", vec![Record::WorkOrder(w)])
        .expect("the MRI's own plan fits");
}

#[test]
fn planned_maintenance_reported_through_device_down_is_preventive_work_and_keeps_the_asset_in_service()
 {
    use aidtrace_domain::RecordKind;
    let (_d, app) = app();
    let mut app = app.with_clock(fixed_now);
    let mri = id("as-semey-mri-1");
    let report = assets::report_down(
        &mut app,
        HistorySource::Store,
        "engineer",
        assets::DeviceDown {
            asset: mri.clone(),
            at: t("2026-02-10 08:00"),
            cause: DowntimeCause::PlannedMaintenance,
            reported_by: None,
            note: None,
        },
    )
    .expect("planned work");
    assert_eq!(report.event, None, "no 'down' event for planned work");
    let Some(Record::WorkOrder(w)) = app
        .store()
        .get(RecordKind::WorkOrder, &report.work_order)
        .expect("get")
    else {
        panic!("the work order was written")
    };
    assert_eq!(
        (w.kind, w.priority, w.failure_cause),
        (WorkOrderKind::Preventive, Priority::Normal, None)
    );
    let Some(Record::Downtime(d)) = app
        .store()
        .get(RecordKind::Downtime, &report.downtime)
        .expect("get")
    else {
        panic!("the downtime was written")
    };
    assert!(d.planned);
    let up = assets::return_to_service(
        &mut app,
        HistorySource::Store,
        "engineer",
        &mri,
        t("2026-02-10 12:00"),
        None,
    )
    .expect("done");
    assert_eq!(up, None, "the asset never left service");
    let detail = assets::asset_detail(&app, &mri).expect("detail");
    assert_eq!(detail.state, Some(LifecycleState::InService));
}
