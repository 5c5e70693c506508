//! Incidents and field safety notices (issue #17 item 7), and the voids of item 2: work orders
//! and meter readings voided with a reason; voiding a return to service reopens its downtime.
//! On the demo's four Semey ventilators (model `dm-illustrative-ventilator`, no serials recorded).

mod kit;

use aidtrace_domain::assets::kpi::{GroupBy, Period};
use aidtrace_domain::assets::recall::{FieldSafetyNotice, Incident, Match, SerialRange, Severity};
use aidtrace_domain::assets::{
    DowntimeCause, LifecycleState, MeterKind, MeterReading, WorkOrderStatus,
};
use aidtrace_domain::{CurrencyCode, Record, RecordId, RecordKind};
use aidtrace_service::assets::{self, Closing, HistorySource, NewEvent, Substance};
use aidtrace_service::{Aidtrace, ServiceError};
use chrono::{NaiveDate, NaiveDateTime};

const VENTS: [&str; 4] = [
    "as-semey-vent-1",
    "as-semey-vent-2",
    "as-semey-vent-3",
    "as-semey-vent-4",
];

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
fn refused<T: std::fmt::Debug>(
    r: Result<T, ServiceError>,
    app: &Aidtrace,
    before: usize,
    field: &str,
) {
    let err = r.expect_err("must be refused");
    match &err {
        ServiceError::Invalid { error, .. } => assert_eq!(error.field, field, "{err}"),
        other => panic!("expected a field error, got {other}"),
    }
    assert_eq!(audit_len(app), before, "nothing may be written");
}

fn notice(serials: Vec<String>, ranges: Vec<SerialRange>) -> FieldSafetyNotice {
    FieldSafetyNotice {
        id: id("fsn-vent-2026-014"),
        issuer: id("org-mfr-unstated-icu"),
        reference: "FSN-2026-014".into(),
        date: NaiveDate::from_ymd_opt(2026, 2, 20).expect("date"),
        model: Some(id("dm-illustrative-ventilator")),
        udi_di: vec![],
        lots: vec![],
        serials,
        serial_ranges: ranges,
        action: "replace the oxygen sensor".into(),
    }
}

fn record(app: &mut Aidtrace, n: FieldSafetyNotice) {
    assets::record_notice(app, "engineer", n).expect("notice");
}

fn open_orders(app: &mut Aidtrace) -> Vec<RecordId> {
    assets::open_recall_orders(
        app,
        HistorySource::Store,
        "engineer",
        &id("fsn-vent-2026-014"),
        t("2026-02-21 08:00"),
    )
    .expect("orders")
}

fn report(app: &Aidtrace) -> assets::NoticeReport {
    assets::notice_report(app, &id("fsn-vent-2026-014")).expect("report")
}

/// A fifth ventilator with serial SN0150, never used.
fn add_serial_vent(app: &mut Aidtrace) {
    let Some(Record::Asset(mut a)) = app
        .store()
        .get(RecordKind::Asset, &id("as-semey-vent-4"))
        .expect("get")
    else {
        panic!("no vent-4");
    };
    a.id = id("as-semey-vent-9");
    a.inventory_tag = "SSMU-ICU-VENT-009".into();
    a.serial = Some("SN0150".into());
    app.put("test", vec![Record::Asset(a)]).expect("asset");
}

#[test]
fn a_notice_for_a_model_names_every_asset_of_it() {
    let (_d, mut app) = app();
    record(&mut app, notice(vec![], vec![]));
    let r = report(&app);
    let named: Vec<&str> = r.affected.iter().map(|a| a.asset.as_str()).collect();
    assert_eq!(named, VENTS);
    assert!(r.affected.iter().all(|a| a.matched == Match::Affected));
    assert_eq!(
        (r.to_act, r.done, r.in_progress, r.without_order),
        (4, 0, 0, 4)
    );
}

#[test]
fn recall_orders_are_opened_once_per_affected_asset() {
    let (_d, mut app) = app();
    record(&mut app, notice(vec![], vec![]));
    let opened = open_orders(&mut app);
    assert_eq!(opened.len(), 4);
    let Some(Record::WorkOrder(w)) = app
        .store()
        .get(RecordKind::WorkOrder, &opened[0])
        .expect("get")
    else {
        panic!("no order");
    };
    assert_eq!(w.notice, Some(id("fsn-vent-2026-014")));
    assert_eq!(w.status, WorkOrderStatus::Open);
    assert_eq!(w.kind, aidtrace_domain::assets::WorkOrderKind::RecallAction);
    let r = report(&app);
    assert_eq!(
        (r.to_act, r.done, r.in_progress, r.without_order),
        (4, 0, 4, 0)
    );
    // Asking again opens nothing and writes nothing.
    let before = audit_len(&app);
    assert!(open_orders(&mut app).is_empty());
    assert_eq!(audit_len(&app), before);
}

#[test]
fn closing_a_recall_order_counts_the_asset_done() {
    let (_d, mut app) = app();
    record(&mut app, notice(vec![], vec![]));
    let opened = open_orders(&mut app);
    assets::close_work_order(
        &mut app,
        HistorySource::Store,
        "engineer",
        Closing {
            id: opened[0].clone(),
            status: WorkOrderStatus::Done,
            at: t("2026-02-22 10:00"),
            labour_hours: None,
            external_cost: None,
            substance: Substance::default(),
        },
    )
    .expect("close");
    let r = report(&app);
    assert_eq!(
        (r.to_act, r.done, r.in_progress, r.without_order),
        (4, 1, 3, 0)
    );
}

#[test]
fn a_serial_range_names_the_asset_inside_it_and_flags_those_without_a_serial() {
    let (_d, mut app) = app();
    add_serial_vent(&mut app);
    record(
        &mut app,
        notice(
            vec![],
            vec![SerialRange {
                from: "SN0100".into(),
                to: "SN0199".into(),
            }],
        ),
    );
    let r = report(&app);
    let m = |a: &str| {
        r.affected
            .iter()
            .find(|x| x.asset.as_str() == a)
            .map(|x| x.matched)
    };
    assert_eq!(m("as-semey-vent-9"), Some(Match::Affected));
    assert_eq!(m("as-semey-vent-1"), Some(Match::Unverified));
    assert_eq!(r.affected.len(), 5);
}

#[test]
fn a_notice_listing_another_serial_leaves_a_serialled_asset_out() {
    let (_d, mut app) = app();
    add_serial_vent(&mut app);
    record(&mut app, notice(vec!["SN0999".into()], vec![]));
    let r = report(&app);
    assert!(
        !r.affected
            .iter()
            .any(|a| a.asset.as_str() == "as-semey-vent-9")
    );
}

#[test]
fn search_finds_the_notice_by_serial_and_by_model() {
    let (_d, mut app) = app();
    record(
        &mut app,
        notice(
            vec![],
            vec![SerialRange {
                from: "SN0100".into(),
                to: "SN0199".into(),
            }],
        ),
    );
    for term in ["SN0150", "dm-illustrative-ventilator", "FSN-2026-014"] {
        let found = assets::search_notices(&app, term).expect("search");
        assert_eq!(found.len(), 1, "{term}");
    }
    assert!(
        assets::search_notices(&app, "SN0200")
            .expect("search")
            .is_empty()
    );
}

#[test]
fn a_retired_asset_is_listed_but_gets_no_recall_order() {
    let (_d, mut app) = app();
    assets::record_event(
        &mut app,
        HistorySource::Store,
        "engineer",
        NewEvent {
            asset: id("as-semey-vent-3"),
            at: t("2026-02-01 08:00"),
            state: LifecycleState::Decommissioned,
            acceptance: None,
            to_facility: None,
            by: None,
            note: None,
            disposal: None,
        },
    )
    .expect("decommission");
    record(&mut app, notice(vec![], vec![]));
    let opened = open_orders(&mut app);
    assert_eq!(opened.len(), 3);
    let r = report(&app);
    assert_eq!(r.affected.len(), 4);
    assert_eq!(r.to_act, 3);
}

#[test]
fn a_recorded_notice_is_not_rewritten_with_other_content() {
    let (_d, mut app) = app();
    record(&mut app, notice(vec![], vec![]));
    let before = audit_len(&app);
    let mut changed = notice(vec![], vec![]);
    changed.action = "nothing".into();
    refused(
        assets::record_notice(&mut app, "engineer", changed),
        &app,
        before,
        "id",
    );
}

#[test]
fn a_notice_dated_after_today_is_refused_and_nothing_is_written() {
    let (_d, mut app) = app();
    let before = audit_len(&app);
    let mut ahead = notice(vec![], vec![]);
    // Now is 2026-03-01.
    ahead.date = NaiveDate::from_ymd_opt(2027, 2, 1).expect("date");
    refused(
        assets::record_notice(&mut app, "engineer", ahead),
        &app,
        before,
        "date",
    );
    let mut today = notice(vec![], vec![]);
    today.date = NaiveDate::from_ymd_opt(2026, 3, 1).expect("date");
    record(&mut app, today);
}

fn incident(at: &str, work_order: Option<&str>) -> Incident {
    Incident {
        id: id("inc-vent-1"),
        asset: id("as-semey-vent-1"),
        at: t(at),
        severity: Severity::Serious,
        description: "oxygen sensor read 21 % at 60 % set".into(),
        patient_harm: false,
        reported_to_regulator: true,
        work_order: work_order.map(id),
        reported_by: Some("A. Nurlanov".into()),
    }
}

#[test]
fn an_incident_is_listed_on_its_asset() {
    let (_d, mut app) = app();
    assets::record_incident(
        &mut app,
        "engineer",
        incident("2026-02-10 09:00", Some("wo-as-semey-vent-1-acceptance")),
    )
    .expect("incident");
    let list = assets::asset_incidents(&app, &id("as-semey-vent-1")).expect("list");
    assert_eq!(list.len(), 1);
    assert!(
        assets::asset_incidents(&app, &id("as-semey-vent-2"))
            .expect("list")
            .is_empty()
    );
}

#[test]
fn an_incident_dated_in_the_future_is_refused() {
    let (_d, mut app) = app();
    let before = audit_len(&app);
    refused(
        assets::record_incident(&mut app, "engineer", incident("2030-01-01 00:00", None)),
        &app,
        before,
        "at",
    );
}

#[test]
fn an_incident_naming_another_assets_work_order_is_refused() {
    let (_d, mut app) = app();
    let before = audit_len(&app);
    refused(
        assets::record_incident(
            &mut app,
            "engineer",
            incident("2026-02-10 09:00", Some("wo-as-semey-vent-2-acceptance")),
        ),
        &app,
        before,
        "work_order",
    );
}

#[test]
fn an_incident_loaded_through_put_is_checked_too() {
    let (_d, mut app) = app();
    let before = audit_len(&app);
    refused(
        app.put(
            "test",
            vec![Record::Incident(incident("2030-01-01 00:00", None))],
        ),
        &app,
        before,
        "at",
    );
}

// ---- voids of work orders, meter readings and returns to service ----------------------------

fn february_backlog(app: &Aidtrace) -> u64 {
    let period = Period::days(
        NaiveDate::from_ymd_opt(2026, 2, 1).expect("d"),
        NaiveDate::from_ymd_opt(2026, 2, 28).expect("d"),
    )
    .expect("period");
    let usd = CurrencyCode::parse("USD").expect("usd");
    assets::indicators(app, period, GroupBy::All, &usd)
        .expect("kpi")
        .into_values()
        .map(|i| i.backlog)
        .sum()
}

#[test]
fn a_voided_work_order_leaves_the_backlog_and_stays_stored() {
    let (_d, mut app) = app();
    record(&mut app, notice(vec![], vec![]));
    let before = february_backlog(&app);
    let opened = open_orders(&mut app);
    assert_eq!(february_backlog(&app), before + 4);
    assets::void_work_order(
        &mut app,
        HistorySource::Store,
        "engineer",
        &opened[0],
        "opened twice",
        Some("A. Nurlanov".into()),
    )
    .expect("void");
    assert_eq!(february_backlog(&app), before + 3);
    let Some(Record::WorkOrder(w)) = app
        .store()
        .get(RecordKind::WorkOrder, &opened[0])
        .expect("get")
    else {
        panic!("gone");
    };
    let v = w.voided.expect("voided");
    assert_eq!((v.at, v.reason.as_str()), (now(), "opened twice"));
    // The notice counts the asset as without an order again.
    assert_eq!(report(&app).without_order, 1);
}

#[test]
fn a_work_order_is_voided_once() {
    let (_d, mut app) = app();
    record(&mut app, notice(vec![], vec![]));
    let opened = open_orders(&mut app);
    let void = |app: &mut Aidtrace| {
        assets::void_work_order(app, HistorySource::Store, "e", &opened[0], "twice", None)
    };
    void(&mut app).expect("void");
    let before = audit_len(&app);
    refused(void(&mut app), &app, before, "voided");
}

#[test]
fn a_void_without_a_reason_is_refused() {
    let (_d, mut app) = app();
    record(&mut app, notice(vec![], vec![]));
    let opened = open_orders(&mut app);
    let before = audit_len(&app);
    refused(
        assets::void_work_order(&mut app, HistorySource::Store, "e", &opened[0], " ", None),
        &app,
        before,
        "reason",
    );
}

#[test]
fn an_acceptance_that_commissioned_an_asset_cannot_be_voided_alone() {
    let (_d, mut app) = app();
    let before = audit_len(&app);
    refused(
        assets::void_work_order(
            &mut app,
            HistorySource::Store,
            "e",
            &id("wo-as-semey-vent-1-acceptance"),
            "wrong",
            None,
        ),
        &app,
        before,
        "acceptance",
    );
}

fn reading(name: &str, at: &str, value: u64) -> Record {
    Record::MeterReading(MeterReading {
        id: id(name),
        asset: id("as-semey-vent-1"),
        at: t(at),
        meter: MeterKind::Hours,
        value,
        voided: None,
    })
}

#[test]
fn a_voided_meter_reading_no_longer_blocks_a_lower_correct_one() {
    let (_d, mut app) = app();
    app.put("test", vec![reading("mr-typo", "2026-02-01 08:00", 90_000)])
        .expect("typo");
    let before = audit_len(&app);
    refused(
        app.put("test", vec![reading("mr-right", "2026-02-02 08:00", 9_000)]),
        &app,
        before,
        "value",
    );
    assets::void_reading(
        &mut app,
        HistorySource::Store,
        "engineer",
        &id("mr-typo"),
        "typed a zero too many",
        None,
    )
    .expect("void");
    app.put("test", vec![reading("mr-right", "2026-02-02 08:00", 9_000)])
        .expect("the correct reading goes in");
}

#[test]
fn voiding_a_return_to_service_reopens_its_downtime() {
    let (_d, mut app) = app();
    let vent = id("as-semey-vent-1");
    let down = assets::report_down(
        &mut app,
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
        &mut app,
        HistorySource::Store,
        "engineer",
        &vent,
        t("2026-02-10 19:00"),
        None,
    )
    .expect("up")
    .expect("an in_service event");
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
    let reopened = done.reopened_downtime.expect("reopened");
    let detail = assets::asset_detail(&app, &vent).expect("detail");
    let live: Vec<_> = detail
        .downtimes
        .iter()
        .filter(|d| d.end.is_none())
        .collect();
    assert_eq!(live.len(), 1, "{:?}", detail.downtimes);
    assert_eq!(live[0].id, reopened);
    assert_eq!(live[0].start, t("2026-02-10 09:00"));
    assert!(
        detail
            .voided_downtimes
            .iter()
            .any(|d| d.id == down.downtime)
    );
    // The events and the records agree again: nothing for `asset reconcile` to do.
    assert!(
        assets::reconcile(&mut app, "engineer", false)
            .expect("reconcile")
            .is_empty()
    );
}
