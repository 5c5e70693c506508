//! One parser for asset times (CLI and web), offsets stored as UTC instants, and no times in the
//! future.

use aidtrace_domain::assets::AssetEvent;
use aidtrace_domain::assets::instant::{self, check_not_future, parse, parse_field};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use proptest::prelude::*;

fn t(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").expect("time")
}

#[test]
fn a_bare_date_is_the_start_of_that_day_utc() {
    assert_eq!(parse("2025-03-01"), Some(t("2025-03-01 00:00:00")));
}

#[test]
fn a_time_with_an_offset_is_stored_as_the_utc_instant() {
    assert_eq!(
        parse("2025-03-01T10:00:00+05:00"),
        Some(t("2025-03-01 05:00:00"))
    );
    assert_eq!(
        parse("2025-03-01T10:00+05:00"),
        Some(t("2025-03-01 05:00:00"))
    );
    assert_eq!(
        parse("2025-03-01T01:00:00-03:00"),
        Some(t("2025-03-01 04:00:00"))
    );
}

#[test]
fn z_and_no_offset_are_utc() {
    assert_eq!(
        parse("2025-03-01T10:00:00Z"),
        Some(t("2025-03-01 10:00:00"))
    );
    assert_eq!(parse("2025-03-01T10:00"), Some(t("2025-03-01 10:00:00")));
    assert_eq!(parse("2025-03-01 10:00:30"), Some(t("2025-03-01 10:00:30")));
}

#[test]
fn a_bad_time_names_the_field_and_value() {
    let e = parse_field("--at", "01.03.2025").expect_err("bad");
    assert_eq!(e.field, "--at");
    assert_eq!(e.value, "01.03.2025");
    assert!(e.message.contains("YYYY-MM-DD"), "{e}");
}

#[test]
fn a_time_past_the_tolerance_is_refused_naming_field_and_value() {
    let now = t("2026-03-01 12:00:00");
    assert!(check_not_future("at", now + Duration::minutes(10), now).is_ok());
    let e = check_not_future("start", t("2030-01-01 00:00:00"), now).expect_err("future");
    assert_eq!(e.field, "start");
    assert_eq!(e.value, "2030-01-01 00:00:00");
    assert!(e.message.contains("in the future"), "{e}");
}

#[test]
fn records_files_accept_offsets_and_store_the_instant() {
    let json =
        r#"{"id":"ev-1","asset":"as-1","at":"2025-03-01T10:00:00+05:00","state":"installed"}"#;
    let e: AssetEvent = serde_json::from_str(json).expect("offset accepted");
    assert_eq!(e.at, t("2025-03-01 05:00:00"));
    // Written back in the plain UTC form, so stored records hash as before.
    let back = serde_json::to_string(&e).expect("json");
    assert!(back.contains("\"at\":\"2025-03-01T05:00:00\""), "{back}");
}

proptest! {
    #[test]
    fn any_offset_gives_the_same_instant(secs in 0i64..4_000_000_000, off_min in -840i32..=840) {
        let utc = NaiveDate::from_ymd_opt(1970, 1, 1).expect("d").and_hms_opt(0, 0, 0).expect("t")
            + Duration::seconds(secs);
        let local = utc + Duration::minutes(i64::from(off_min));
        let sign = if off_min < 0 { '-' } else { '+' };
        let raw = format!(
            "{}{sign}{:02}:{:02}",
            local.format("%Y-%m-%dT%H:%M:%S"),
            off_min.abs() / 60,
            off_min.abs() % 60
        );
        prop_assert_eq!(instant::parse(&raw), Some(utc), "{}", raw);
    }

}
