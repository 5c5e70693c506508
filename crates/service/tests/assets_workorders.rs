//! Work orders with substance: acknowledged and started times, assignee, result, checklist,
//! readings, labour at a rate and parts, through the service; response times from them.

mod kit;

use aidtrace_domain::assets::kpi::{GroupBy, Period};
use aidtrace_domain::assets::workorder::{ChecklistItem, WorkResult};
use aidtrace_domain::assets::{DowntimeCause, PartUse, WorkOrderStatus};
use aidtrace_domain::{CurrencyCode, Money, Record, RecordId, RecordKind};
use aidtrace_service::assets::{self, HistorySource, Progress, Step, Substance};
use aidtrace_service::{Aidtrace, ServiceError};
use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

fn t(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time")
}
fn d(s: &str) -> Decimal {
    s.parse().expect("decimal")
}
fn usd(amount: &str) -> Money {
    Money {
        amount: d(amount),
        currency: CurrencyCode::parse("USD").expect("usd"),
        value_date: None,
    }
}
fn fixed_now() -> NaiveDateTime {
    t("2026-03-01 12:00")
}

/// A demo store whose MRI was reported down on 1 Feb 2026 08:00; returns the order's id.
fn app_with_open_order() -> (kit::Guard, Aidtrace, RecordId) {
    let (dir, mut app) = kit::open();
    app.load_demo("test").expect("demo");
    let mut app = app.with_clock(fixed_now);
    let report = assets::report_down(
        &mut app,
        HistorySource::Store,
        "engineer",
        assets::DeviceDown {
            asset: RecordId::parse("as-semey-mri-1").expect("id"),
            at: t("2026-02-01 08:00"),
            cause: DowntimeCause::Mechanical,
            reported_by: None,
            note: None,
        },
    )
    .expect("down");
    (dir, app, report.work_order)
}

fn step(app: &mut Aidtrace, id: &RecordId, step: Step, at: &str) -> Result<(), ServiceError> {
    assets::progress_work_order(
        app,
        HistorySource::Store,
        "engineer",
        Progress {
            id: id.clone(),
            step,
            at: t(at),
            assignee: Some("A. Nurlanov".into()),
        },
    )
}

fn audit_len(app: &Aidtrace) -> usize {
    app.verify_audit().expect("verify").entries
}

fn refused_field(result: Result<(), ServiceError>, app: &Aidtrace, before: usize) -> String {
    let err = result.expect_err("must be refused");
    assert_eq!(audit_len(app), before, "nothing may be written");
    match err {
        ServiceError::Invalid { error, .. } => error.field,
        other => panic!("expected a field error, got {other}"),
    }
}

#[test]
fn a_work_order_is_acknowledged_started_and_closed_with_its_results() {
    let (_d, mut app, wo) = app_with_open_order();
    step(&mut app, &wo, Step::Acknowledged, "2026-02-01 09:00").expect("ack");
    step(&mut app, &wo, Step::Started, "2026-02-01 10:00").expect("start");
    assets::close_work_order(
        &mut app,
        HistorySource::Store,
        "engineer",
        assets::Closing {
            id: wo.clone(),
            status: WorkOrderStatus::Done,
            at: t("2026-02-02 10:00"),
            labour_hours: Some(d("24")),
            external_cost: None,
            substance: Substance {
                result: Some(WorkResult::Pass),
                labour_rate: Some(usd("12")),
                parts: vec![PartUse {
                    part: None,
                    description: "cold head seal".into(),
                    quantity: 2,
                    unit_cost: usd("35"),
                }],
                checklist: vec![ChecklistItem {
                    item: "helium level".into(),
                    result: WorkResult::Pass,
                    note: None,
                }],
                ..Substance::default()
            },
        },
    )
    .expect("close");
    let Some(Record::WorkOrder(w)) = app.store().get(RecordKind::WorkOrder, &wo).expect("get")
    else {
        panic!("the order is stored")
    };
    assert_eq!(w.acknowledged, Some(t("2026-02-01 09:00")));
    assert_eq!(w.started, Some(t("2026-02-01 10:00")));
    assert_eq!(w.assignee.as_deref(), Some("A. Nurlanov"));
    assert_eq!(w.result, Some(WorkResult::Pass));
    // 24 h × 12 USD = 288 USD labour, 2 × 35 USD parts.
    let costs: Vec<Decimal> = w.costs().iter().map(|m| m.amount).collect();
    assert_eq!(costs, vec![d("288"), d("70")]);

    let february = Period::days(
        NaiveDate::from_ymd_opt(2026, 2, 1).expect("d"),
        NaiveDate::from_ymd_opt(2026, 2, 28).expect("d"),
    )
    .expect("period");
    let usd_code = CurrencyCode::parse("USD").expect("usd");
    let by = assets::indicators(&app, february, GroupBy::Asset, &usd_code).expect("kpi");
    let mri = &by["as-semey-mri-1"];
    assert_eq!(mri.response.mean_hours_to_acknowledge, Some(d("1")));
    assert_eq!(mri.response.mean_hours_to_start, Some(d("2")));
    assert_eq!(mri.response.mean_repair_hours, Some(d("24")));
}

#[test]
fn an_acknowledgement_is_recorded_once() {
    let (_d, mut app, wo) = app_with_open_order();
    step(&mut app, &wo, Step::Acknowledged, "2026-02-01 09:00").expect("ack");
    let before = audit_len(&app);
    let again = step(&mut app, &wo, Step::Acknowledged, "2026-02-01 11:00");
    assert_eq!(refused_field(again, &app, before), "acknowledged");
}

#[test]
fn an_acknowledgement_before_the_request_is_refused() {
    let (_d, mut app, wo) = app_with_open_order();
    let before = audit_len(&app);
    let early = step(&mut app, &wo, Step::Acknowledged, "2026-02-01 07:00");
    assert_eq!(refused_field(early, &app, before), "acknowledged");
}

#[test]
fn a_start_in_the_future_is_refused() {
    let (_d, mut app, wo) = app_with_open_order();
    let before = audit_len(&app);
    let future = step(&mut app, &wo, Step::Started, "2026-03-02 00:00");
    assert_eq!(refused_field(future, &app, before), "started");
}
