//! Indicators count only hours already lived: a period that reaches past now ends now, and one
//! that begins later is refused. A device reported down an hour ago has been down an hour, not
//! until the end of the day or of the month asked for.

mod kit;

use aidtrace_domain::CurrencyCode;
use aidtrace_domain::RecordId;
use aidtrace_domain::assets::DowntimeCause;
use aidtrace_domain::assets::kpi::{GroupBy, Indicators, Period};
use aidtrace_service::assets::{self, HistorySource};
use aidtrace_service::{Aidtrace, ServiceError};
use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

const MRI: &str = "as-semey-mri-1";

fn now() -> NaiveDateTime {
    at("2026-12-07 19:00")
}

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time")
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

fn usd() -> CurrencyCode {
    CurrencyCode::parse("USD").expect("usd")
}

/// The demo with its MRI reported down an hour before now.
fn app_with_mri_down() -> (kit::Guard, Aidtrace) {
    let (dir, app) = kit::open();
    let mut app = app.with_clock(now);
    app.load_demo("test").expect("demo");
    assets::report_down(
        &mut app,
        HistorySource::Store,
        "engineer",
        assets::DeviceDown {
            asset: RecordId::parse(MRI).expect("id"),
            at: at("2026-12-07 18:00"),
            cause: DowntimeCause::Electrical,
            reported_by: None,
            note: None,
        },
    )
    .expect("down");
    (dir, app)
}

fn mri(app: &Aidtrace, from: &str, to: &str) -> Indicators {
    let period = Period::days(day(from), day(to)).expect("period");
    assets::indicators(app, period, GroupBy::Asset, &usd())
        .expect("kpi")
        .remove(MRI)
        .expect("the MRI")
}

#[test]
fn a_device_down_an_hour_ago_has_been_down_an_hour_in_todays_figures() {
    let (_dir, app) = app_with_mri_down();
    let today = mri(&app, "2026-12-07", "2026-12-07");
    assert_eq!(today.unplanned_downtime_hours, Decimal::ONE);
}

#[test]
fn a_period_to_the_end_of_the_month_counts_no_hour_after_now() {
    let (_dir, app) = app_with_mri_down();
    let month = mri(&app, "2026-12-01", "2026-12-31");
    let today = mri(&app, "2026-12-01", "2026-12-07");
    assert_eq!(month.unplanned_downtime_hours, Decimal::ONE);
    assert_eq!(month.operating_hours, today.operating_hours);
    assert_eq!(month.uptime_pct, today.uptime_pct);
}

#[test]
fn a_period_that_begins_after_now_is_refused() {
    let (_dir, app) = app_with_mri_down();
    let later = Period::days(day("2026-12-08"), day("2026-12-31")).expect("period");
    let refused = assets::indicators(&app, later, GroupBy::Asset, &usd()).expect_err("future");
    assert!(
        matches!(&refused, ServiceError::Invalid { error, .. } if error.field == "from"),
        "{refused:?}"
    );
    assert!(assets::lived_period(&app, later).is_err());
}
