//! GS1 element strings as scanners type them: both notations, separators, check digits, dates.

use aidtrace_domain::medicines::gs1::{self, GROUP_SEPARATOR, Gs1Error, Gs1Fields};
use chrono::NaiveDate;
use proptest::prelude::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("test date")
}

fn today() -> NaiveDate {
    day(2026, 12, 6)
}

const GTIN: &str = "09501101020917";

#[test]
fn bracketed_string_fills_every_field() {
    let f = gs1::parse("(01)09501101020917(17)281231(10)AB12(21)S9", today()).expect("parses");
    assert_eq!(
        f,
        Gs1Fields {
            gtin: Some(GTIN.into()),
            expiry: Some(day(2028, 12, 31)),
            lot: Some("AB12".into()),
            serial: Some("S9".into()),
        }
    );
}

#[test]
fn raw_string_with_group_separator_ends_the_lot() {
    let raw = format!("]C101{GTIN}17181231{}LOT7{GROUP_SEPARATOR}21X1", "10");
    let f = gs1::parse(&raw, today()).expect("parses");
    assert_eq!(f.gtin.as_deref(), Some(GTIN));
    assert_eq!(f.expiry, Some(day(2018, 12, 31)));
    assert_eq!(f.lot.as_deref(), Some("LOT7"));
    assert_eq!(f.serial.as_deref(), Some("X1"));
}

#[test]
fn raw_string_lot_runs_to_the_end() {
    let f = gs1::parse("010950110102091710B-77", today()).expect("parses");
    assert_eq!(f.lot.as_deref(), Some("B-77"));
}

#[test]
fn wrong_check_digit_is_refused_naming_the_gtin() {
    let err = gs1::parse("(01)09501101020918(10)A", today()).expect_err("bad check digit");
    assert!(
        matches!(
            err,
            Gs1Error::CheckDigit {
                expected: '7',
                found: '8',
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(err.field(), "gtin");
}

#[test]
fn impossible_date_is_refused_naming_the_expiry() {
    let err = gs1::parse("(01)09501101020917(17)261331", today()).expect_err("month 13");
    assert_eq!(err, Gs1Error::ImpossibleDate("261331".into()));
    assert_eq!(err.field(), "expiry");
    let err = gs1::parse("(17)270230", today()).expect_err("30 February");
    assert_eq!(err.field(), "expiry");
}

#[test]
fn day_00_is_the_last_day_of_the_month() {
    let f = gs1::parse("(17)280200", today()).expect("parses");
    assert_eq!(f.expiry, Some(day(2028, 2, 29)));
    let f = gs1::parse("(17)271200", today()).expect("parses");
    assert_eq!(f.expiry, Some(day(2027, 12, 31)));
}

#[test]
fn century_is_the_one_nearest_today() {
    assert_eq!(gs1::parse_date("760101", today()), Ok(day(2076, 1, 1)));
    assert_eq!(gs1::parse_date("770101", today()), Ok(day(1977, 1, 1)));
    assert_eq!(
        gs1::parse_date("990101", day(2051, 1, 1)),
        Ok(day(2099, 1, 1))
    );
    assert_eq!(
        gs1::parse_date("010101", day(2099, 6, 1)),
        Ok(day(2101, 1, 1))
    );
}

#[test]
fn unknown_ai_is_refused() {
    let err = gs1::parse("(00)123456789012345678", today()).expect_err("SSCC not read");
    assert!(matches!(err, Gs1Error::UnknownAi(ai) if ai == "00"));
}

#[test]
fn short_gtin_is_refused() {
    let err = gs1::parse("(01)0950110102091", today()).expect_err("13 digits under AI 01");
    assert_eq!(err.field(), "gtin");
}

#[test]
fn repeated_ai_is_refused() {
    let err = gs1::parse("(10)A(10)B", today()).expect_err("two lots");
    assert_eq!(err, Gs1Error::Repeated { ai: "10" });
}

#[test]
fn empty_input_is_refused() {
    assert_eq!(gs1::parse("  ", today()), Err(Gs1Error::Empty));
    assert_eq!(gs1::parse("]C1", today()), Err(Gs1Error::Empty));
}

#[test]
fn gtin_lengths_8_12_13_14_are_checked() {
    for ok in ["96385074", "036000291452", "9501101020917", GTIN] {
        assert_eq!(gs1::check_gtin(ok), Ok(()), "{ok}");
    }
    assert!(gs1::check_gtin("12345").is_err());
    assert!(gs1::check_gtin("0950110102091A").is_err());
}

fn with_check_digit(body: &str) -> String {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, d)| u32::from(d - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

proptest! {
    /// Whatever is typed, the parser answers with fields or an error, never a panic.
    #[test]
    fn any_input_never_panics(s in "\\PC{0,60}") {
        let _ = gs1::parse(&s, today());
    }

    /// Fields written out in either notation read back as the same fields.
    #[test]
    fn round_trips_in_both_notations(
        body in "[0-9]{13}",
        y in 0i32..100, m in 1u32..13, d in 1u32..29,
        lot in "[A-Za-z0-9-]{1,20}",
        serial in proptest::option::of("[A-Za-z0-9]{1,20}"),
    ) {
        let gtin = with_check_digit(&body);
        let expiry = gs1::parse_date(&format!("{y:02}{m:02}{d:02}"), today()).expect("valid date");
        let fields = Gs1Fields { gtin: Some(gtin.clone()), expiry: Some(expiry), lot: Some(lot.clone()), serial: serial.clone() };
        prop_assert_eq!(gs1::parse(&gs1::to_bracketed(&fields), today()), Ok(fields.clone()));
        let mut raw = format!("01{gtin}17{}10{lot}", expiry.format("%y%m%d"));
        if let Some(s) = &serial {
            raw.push(GROUP_SEPARATOR);
            raw.push_str(&format!("21{s}"));
        }
        prop_assert_eq!(gs1::parse(&raw, today()), Ok(fields));
    }

    /// Changing the check digit of a valid GTIN is always caught.
    #[test]
    fn every_wrong_check_digit_is_caught(body in "[0-9]{13}", delta in 1u8..10) {
        let good = with_check_digit(&body);
        let last = good.as_bytes()[13] - b'0';
        let bad = format!("{body}{}", (last + delta) % 10);
        prop_assert!(gs1::check_gtin(&bad).is_err());
    }
}
