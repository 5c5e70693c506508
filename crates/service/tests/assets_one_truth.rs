//! One truth for state and downtime (issue #17 item 1): the lifecycle events and the downtime
//! records never give two answers. Histories written through the generic loader (which knows no
//! history rules) reproduce the cases; every report must read them the same way, and
//! `reconcile` must bring the records in line, list what it changed and change nothing twice.

mod kit;

use aidtrace_domain::assets::kpi::{GroupBy, Indicators, Period};
use aidtrace_domain::assets::{AssetEvent, LifecycleState};
use aidtrace_domain::{CurrencyCode, Record, RecordId};
use aidtrace_service::Aidtrace;
use aidtrace_service::assets::{self, HistorySource, NewEvent};
use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

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
fn dec(s: &str) -> Decimal {
    s.parse().expect("decimal")
}
fn usd() -> CurrencyCode {
    CurrencyCode::parse("USD").expect("usd")
}

/// An event stored through the generic loader, as older stores and records files hold them.
fn put_event(app: &mut Aidtrace, name: &str, asset: &str, at: &str, state: LifecycleState) {
    app.put(
        "loader",
        vec![Record::AssetEvent(AssetEvent {
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
            disposal: None,
        })],
    )
    .expect("generic put");
}

fn month(y: i32, m: u32) -> Period {
    let from = NaiveDate::from_ymd_opt(y, m, 1).expect("from");
    let to = from
        .checked_add_months(chrono::Months::new(1))
        .and_then(|d| d.pred_opt())
        .expect("to");
    Period::days(from, to).expect("period")
}

fn of_asset(app: &Aidtrace, period: Period, asset: &str) -> Indicators {
    assets::indicators(app, period, GroupBy::Asset, &usd())
        .expect("kpi")
        .remove(asset)
        .expect("asset row")
}

fn functional_in_gaps(app: &Aidtrace, at: NaiveDateTime, generic: &str) -> u32 {
    assets::equipment_gaps(app, at)
        .expect("gaps")
        .iter()
        .filter(|g| g.facility == id("fac-semey-university-hospital") && g.generic_type == generic)
        .map(|g| g.functional)
        .sum()
}

fn endoscope_under_repair_by_an_event() -> (kit::Guard, Aidtrace) {
    let (d, mut app) = app();
    put_event(
        &mut app,
        "ev-endo-1-repair",
        "as-semey-endo-1",
        "2026-01-10 08:00",
        LifecycleState::UnderRepair,
    );
    (d, app)
}

#[test]
fn an_endoscope_put_under_repair_by_an_event_is_down_in_every_report() {
    let (_d, app) = endoscope_under_repair_by_an_event();
    let jan = of_asset(&app, month(2026, 1), "as-semey-endo-1");
    // 31 days operating; down from 10 Jan 08:00 to the period end: 21 days 16 h = 520 h.
    assert_eq!(jan.operating_hours, dec("744"));
    assert_eq!(jan.unplanned_downtime_hours, dec("520"), "{jan:?}");
    assert_eq!(jan.failures, 1);
    assert_eq!(jan.functional, 0);
    assert_ne!(jan.uptime_pct, Some(dec("100")), "{jan:?}");
    let feb1 = t("2026-02-01 00:00");
    let money = assets::money_to_machine(&app, feb1, None, &usd()).expect("money");
    let before = {
        let (_d2, clean) = app_clean();
        assets::money_to_machine(&clean, feb1, None, &usd()).expect("money")
    };
    assert_eq!(money.idle.count, before.idle.count + 1);
    assert_eq!(money.in_service.count + 1, before.in_service.count);
    let rows = assets::list_assets(&app, None).expect("list");
    let row = rows
        .iter()
        .find(|r| r.id == id("as-semey-endo-1"))
        .expect("row");
    assert_eq!(row.down_since, Some(t("2026-01-10 08:00")));
}

fn app_clean() -> (kit::Guard, Aidtrace) {
    app()
}

#[test]
fn a_ventilator_back_in_service_with_its_downtime_still_open_is_working_in_every_report() {
    let (_d, mut app) = app();
    let dec1 = "2025-12-01 00:00";
    let before_gaps = functional_in_gaps(&app, t("2025-12-15 00:00"), "icu_ventilator");
    put_event(
        &mut app,
        "ev-vent-2-back",
        "as-semey-vent-2",
        dec1,
        LifecycleState::InService,
    );
    let december = of_asset(&app, month(2025, 12), "as-semey-vent-2");
    assert_eq!(
        december.unplanned_downtime_hours,
        Decimal::ZERO,
        "{december:?}"
    );
    assert_eq!(december.uptime_pct, Some(dec("100")));
    assert_eq!(december.functional, 1);
    // November: down from 20 Nov 07:30 to 1 Dec 00:00 = 256.5 h, then repaired.
    let november = of_asset(&app, month(2025, 11), "as-semey-vent-2");
    assert_eq!(
        november.unplanned_downtime_hours,
        dec("256.5"),
        "{november:?}"
    );
    assert_eq!(
        functional_in_gaps(&app, t("2025-12-15 00:00"), "icu_ventilator"),
        before_gaps + 1
    );
    let money = assets::money_to_machine(&app, t("2025-12-15 00:00"), None, &usd()).expect("m");
    let (_d2, clean) = app_clean();
    let was = assets::money_to_machine(&clean, t("2025-12-15 00:00"), None, &usd()).expect("m");
    assert_eq!(money.in_service.count, was.in_service.count + 1);
    let rows = assets::list_assets(&app, None).expect("list");
    let row = rows
        .iter()
        .find(|r| r.id == id("as-semey-vent-2"))
        .expect("row");
    assert_eq!(row.down_since, None);
}

#[test]
fn asset_check_reports_events_and_downtime_that_disagree() {
    let (_d, app) = endoscope_under_repair_by_an_event();
    let problems = assets::check_stored(&app.ledger().expect("ledger"), t("2026-12-01 00:00"));
    assert!(
        problems
            .iter()
            .any(|p| p.contains("as-semey-endo-1") && p.contains("disagree")),
        "{problems:?}"
    );
}

#[test]
fn reconcile_lists_its_changes_keeps_every_figure_and_changes_nothing_twice() {
    let (_d, mut app) = endoscope_under_repair_by_an_event();
    put_event(
        &mut app,
        "ev-vent-2-back",
        "as-semey-vent-2",
        "2025-12-01 00:00",
        LifecycleState::InService,
    );
    let year = Period::days(
        NaiveDate::from_ymd_opt(2025, 1, 1).expect("d"),
        NaiveDate::from_ymd_opt(2026, 1, 31).expect("d"),
    )
    .expect("p");
    let figures = assets::indicators(&app, year, GroupBy::Asset, &usd()).expect("kpi");
    let dry = assets::reconcile(&mut app, "admin", false).expect("dry run");
    assert_eq!(dry.len(), 2, "{dry:?}");
    let changes = assets::reconcile(&mut app, "admin", true).expect("reconcile");
    assert_eq!(changes.len(), 2);
    assert!(
        changes
            .iter()
            .any(|c| c.asset == id("as-semey-vent-2") && c.what.contains("ev-vent-2-back")),
        "{changes:?}"
    );
    assert!(
        changes
            .iter()
            .any(|c| c.asset == id("as-semey-endo-1") && c.what.contains("ev-endo-1-repair")),
        "{changes:?}"
    );
    let detail = assets::asset_detail(&app, &id("as-semey-vent-2")).expect("detail");
    let closed = detail
        .downtimes
        .iter()
        .find(|d| d.id == id("down-as-semey-vent-2-2025-11"))
        .expect("downtime");
    assert_eq!(closed.end, Some(t("2025-12-01 00:00")));
    assert!(
        assets::reconcile(&mut app, "admin", true)
            .expect("again")
            .is_empty()
    );
    let problems = assets::check_stored(&app.ledger().expect("ledger"), t("2026-12-01 00:00"));
    assert!(
        problems.iter().all(|p| !p.contains("disagree")),
        "{problems:?}"
    );
    assert_eq!(
        assets::indicators(&app, year, GroupBy::Asset, &usd()).expect("kpi"),
        figures,
        "reconcile writes down what the reports already read"
    );
}

#[test]
fn lifecycle_events_open_and_close_downtime_when_recorded_through_the_service() {
    let (_d, mut app) = app();
    let endo = id("as-semey-endo-3");
    let step = |app: &mut Aidtrace, at: &str, state| {
        assets::record_event(
            app,
            HistorySource::Store,
            "engineer",
            NewEvent {
                asset: endo.clone(),
                at: t(at),
                state,
                acceptance: None,
                to_facility: None,
                by: None,
                note: None,
                disposal: None,
            },
        )
        .expect("event")
    };
    step(&mut app, "2026-01-10 08:00", LifecycleState::UnderRepair);
    let open = assets::asset_detail(&app, &endo).expect("detail").downtimes;
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0].start, t("2026-01-10 08:00"));
    assert_eq!(open[0].end, None);
    step(&mut app, "2026-01-12 08:00", LifecycleState::InService);
    let closed = assets::asset_detail(&app, &endo).expect("detail").downtimes;
    assert_eq!(closed.len(), 1);
    assert_eq!(closed[0].end, Some(t("2026-01-12 08:00")));
    let jan = of_asset(&app, month(2026, 1), "as-semey-endo-3");
    assert_eq!(jan.unplanned_downtime_hours, dec("48"));
    let problems = assets::check_stored(&app.ledger().expect("ledger"), t("2026-12-01 00:00"));
    assert!(problems.is_empty(), "{problems:?}");
}

/// Dated location (issue #17 item 2): a CT in service at the National Center for Traumatology is
/// transferred on 15 Jan to Semey City Emergency Hospital and in service there from 16 Jan; it
/// fails for 24 h at the first and for 12 h at the second. January's figures split by hand:
/// - NCT: operating 1–15 Jan = 336 h, downtime 24 h, 1 failure, MTTR 24 h;
/// - Semey City Emergency: the CT 16 Jan–1 Feb = 384 h plus its staff call system 744 h =
///   1,128 h, downtime 12 h, 1 failure, MTTR 12 h.
#[test]
fn a_transfer_mid_period_splits_the_indicators_between_both_facilities() {
    let (dir, mut app) = app();
    let ct = id("as-nct-ct-1");
    let (nct, sche) = (
        id("fac-national-center-traumatology"),
        id("fac-semey-city-emergency-hospital"),
    );
    let down = |app: &mut Aidtrace, from: &str, to: &str| {
        assets::report_down(
            app,
            HistorySource::Store,
            "engineer",
            assets::DeviceDown {
                asset: ct.clone(),
                at: t(from),
                cause: aidtrace_domain::assets::DowntimeCause::Mechanical,
                reported_by: None,
                note: None,
            },
        )
        .expect("down");
        assets::return_to_service(app, HistorySource::Store, "engineer", &ct, t(to), None)
            .expect("up");
    };
    let step = |app: &mut Aidtrace, at: &str, state, to: Option<RecordId>| {
        assets::record_event(
            app,
            HistorySource::Store,
            "engineer",
            NewEvent {
                asset: ct.clone(),
                at: t(at),
                state,
                acceptance: None,
                to_facility: to,
                by: None,
                note: None,
                disposal: None,
            },
        )
        .expect("event");
    };
    down(&mut app, "2026-01-05 00:00", "2026-01-06 00:00");
    step(
        &mut app,
        "2026-01-15 00:00",
        LifecycleState::Transferred,
        Some(sche.clone()),
    );
    step(
        &mut app,
        "2026-01-16 00:00",
        LifecycleState::InService,
        None,
    );
    down(&mut app, "2026-01-20 00:00", "2026-01-20 12:00");
    let by_facility =
        assets::indicators(&app, month(2026, 1), GroupBy::Facility, &usd()).expect("kpi");
    let at_nct = &by_facility[nct.as_str()];
    assert_eq!(at_nct.operating_hours, dec("336"), "{at_nct:?}");
    assert_eq!(at_nct.unplanned_downtime_hours, dec("24"));
    assert_eq!(at_nct.failures, 1);
    assert_eq!(at_nct.mttr_hours, Some(dec("24")));
    assert_eq!(
        at_nct.in_inventory, 0,
        "the CT is elsewhere at the period end"
    );
    let at_sche = &by_facility[sche.as_str()];
    assert_eq!(at_sche.operating_hours, dec("1128"), "{at_sche:?}");
    assert_eq!(at_sche.unplanned_downtime_hours, dec("12"));
    assert_eq!(at_sche.failures, 1);
    assert_eq!(at_sche.mttr_hours, Some(dec("12")));
    assert_eq!(at_sche.in_inventory, 2);
    // One facility's page reads the same split.
    let one = assets::facility_indicators(&app, &nct, month(2026, 1), &usd()).expect("one");
    assert_eq!(&one, at_nct);
    // And so does the indexed read of a facility page, for the facility the CT left and the one
    // it went to (it read only the assets there now: the CT's January at NCT was lost, and its
    // whole month counted at Semey).
    let queries = dir.asset_queries();
    let rates = app.rates().expect("rates");
    for (f, expected) in [(&nct, at_nct), (&sche, at_sche)] {
        let indexed =
            assets::facility_indicators_indexed(&queries, &rates, f, month(2026, 1), &usd())
                .expect("indexed");
        assert_eq!(&indexed, expected, "{f}");
    }
    // December, before the transfer, stays entirely at NCT.
    let december =
        assets::indicators(&app, month(2025, 12), GroupBy::Facility, &usd()).expect("kpi");
    assert_eq!(december[nct.as_str()].operating_hours, dec("744"));
    assert_eq!(december[nct.as_str()].in_inventory, 1);
}

/// `asset load` of an edited file rewrote a closed downtime silently (issue #17 item 5): now a
/// stored downtime is only closed or annotated; anything else is refused naming the field.
#[test]
fn loading_a_rewritten_downtime_is_refused_and_closing_an_open_one_is_not() {
    let (_d, mut app) = app();
    let detail = assets::asset_detail(&app, &id("as-semey-mri-1")).expect("detail");
    let mut closed = detail
        .downtimes
        .iter()
        .find(|d| d.id == id("down-as-semey-mri-1-2025-03"))
        .expect("downtime")
        .clone();
    closed.end = Some(t("2025-03-11 08:00"));
    let before = app.verify_audit().expect("audit").entries;
    let err = assets::put_checked(&mut app, "loader", vec![Record::Downtime(closed)])
        .expect_err("rewriting a closed downtime");
    assert!(err.is_bad_input(), "{err}");
    assert!(err.to_string().contains("end"), "{err}");
    assert!(err.to_string().contains("never rewritten"), "{err}");
    assert_eq!(app.verify_audit().expect("audit").entries, before);
    let vent = assets::asset_detail(&app, &id("as-semey-vent-2")).expect("detail");
    let mut open = vent
        .downtimes
        .iter()
        .find(|d| d.end.is_none())
        .expect("open")
        .clone();
    open.end = Some(t("2025-12-01 00:00"));
    assets::put_checked(&mut app, "loader", vec![Record::Downtime(open)]).expect("closing");
}
