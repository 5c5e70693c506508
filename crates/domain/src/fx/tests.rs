//! The rate table, conversions and the rate file readers.

use super::*;
use proptest::prelude::*;
use std::str::FromStr;

fn cur(code: &str) -> CurrencyCode {
    CurrencyCode::parse(code).unwrap()
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::from_str(s).unwrap()
}

fn money(amount: &str, currency: &str, date: &str) -> Money {
    Money::new(
        Decimal::from_str(amount).unwrap(),
        cur(currency),
        Some(day(date)),
    )
    .unwrap()
}

#[test]
fn the_shipped_table_parses_and_has_the_seed_years() {
    let parsed = parse_csv(IMF_ANNUAL_CSV, RateOrigin::BuiltIn).unwrap();
    assert!(parsed.len() > 10_000);
    let table = RateTable::imf_annual();
    let jpy = table.lookup(&cur("JPY"), day("2024-05-29")).unwrap();
    assert_eq!(
        jpy.units_per_usd.round_dp(3),
        Decimal::from_str("151.366").unwrap()
    );
    assert_eq!(jpy.source, "International Monetary Fund");
    let kzt = table.lookup(&cur("KZT"), day("2024-01-01")).unwrap();
    assert_eq!(
        kzt.units_per_usd.round_dp(2),
        Decimal::from_str("468.96").unwrap()
    );
    let uah = table.lookup(&cur("UAH"), day("2024-12-31")).unwrap();
    assert_eq!(
        uah.units_per_usd.round_dp(2),
        Decimal::from_str("40.15").unwrap()
    );
}

#[test]
fn the_seed_yen_amount_is_about_0_72_million_dollars() {
    let table = RateTable::imf_annual();
    let c = table
        .convert(&money("108700000", "JPY", "2024-05-29"), &cur("USD"))
        .unwrap();
    assert_eq!(c.amount, Decimal::from_str("718125.54").unwrap());
    assert_eq!(c.rate_date, day("2024-12-31"));
    assert!(
        c.source.contains("International Monetary Fund"),
        "{}",
        c.source
    );
    assert!(c.source.contains("annual average 2024"), "{}", c.source);
}

#[test]
fn cross_rates_go_through_the_dollar_and_round_to_the_minor_unit() {
    let table = RateTable::imf_annual();
    let c = table
        .convert(&money("1000000", "KZT", "2024-03-01"), &cur("JPY"))
        .unwrap();
    // 1,000,000 × 151.3662913 / 468.9625 = 322,768.1… → JPY has no minor unit.
    assert_eq!(c.amount, Decimal::from_str("322768").unwrap());
    assert_eq!(c.legs.len(), 2);
}

#[test]
fn missing_rates_are_errors_never_zero() {
    let table = RateTable::imf_annual();
    let err = table
        .convert(&money("5", "JPY", "1900-01-01"), &cur("USD"))
        .unwrap_err();
    assert!(matches!(err, ConversionError::MissingRate { .. }));
    let no_date = Money::new(Decimal::ONE, cur("JPY"), None).unwrap();
    assert_eq!(
        table.convert(&no_date, &cur("USD")).unwrap_err(),
        ConversionError::NoValueDate
    );
}

#[test]
fn more_specific_and_imported_rates_win() {
    let mut table = RateTable::imf_annual();
    let imported = parse_csv(
        "Date,Rate,Currency,Frequency,Source\n2024-05-01,156.0,JPY,M,Bank of Japan\n2024-12-31,150,JPY,A,My ministry\n",
        RateOrigin::Imported,
    )
    .unwrap();
    table.extend(imported);
    assert_eq!(
        table.lookup(&cur("JPY"), day("2024-05-20")).unwrap().source,
        "Bank of Japan"
    );
    assert_eq!(
        table.lookup(&cur("JPY"), day("2024-07-20")).unwrap().source,
        "My ministry"
    );
}

#[test]
fn bad_csv_rows_name_the_line_and_field() {
    let err = parse_csv(
        "Date,Rate,Currency,Frequency,Source\n2024-12-31,-1,JPY,A,x\n",
        RateOrigin::Imported,
    )
    .unwrap_err();
    assert_eq!(err.field, "line 2: Rate");
    let err = parse_csv(
        "Date,Rate,Currency,Frequency,Source\n2024-13-31,1,JPY,A,x\n",
        RateOrigin::Imported,
    )
    .unwrap_err();
    assert_eq!(err.field, "line 2: Date");
    let err = parse_csv(
        "Date,Rate,Currency,Frequency,Source\n2024-12-31,1,QQQ,A,x\n",
        RateOrigin::Imported,
    )
    .unwrap_err();
    assert_eq!(err.field, "line 2: Currency.currency");
    let err = parse_csv(
        "Date,Rate,Currency,Frequency,Source\n2024-12-31,1,JPY,W,x\n",
        RateOrigin::Imported,
    )
    .unwrap_err();
    assert_eq!(err.field, "line 2: Frequency");
    let err = parse_csv("When,Rate\n", RateOrigin::Imported).unwrap_err();
    assert!(err.field.starts_with("header"));
}

fn amount_strategy() -> impl Strategy<Value = Decimal> {
    (0u64..1_000_000_000_000u64, 0u32..3)
        .prop_map(|(n, scale)| Decimal::from_i128_with_scale(i128::from(n), scale))
}

#[test]
fn the_monthly_sdr_table_becomes_units_per_dollar() {
    let json = r#"[{"year": 2024, "month": 5, "currency_id": "USD", "value": 0.7546},
                  {"year": 2024, "month": 5, "currency_id": "JPY", "value": 0.00484508},
                  {"year": 2024, "month": 6, "currency_id": "JPY", "value": 0.0048}]"#;
    let entries = parse_sdr_monthly_json(json, "IMF monthly").unwrap();
    assert_eq!(entries.len(), 1, "June has no dollar value, so no JPY rate");
    assert_eq!(entries[0].frequency, Frequency::Monthly);
    assert_eq!(
        entries[0].units_per_usd.round_dp(3),
        Decimal::from_str("155.746").unwrap()
    );
    assert!(parse_sdr_monthly_json("{}", "x").is_err());
    let bad = r#"[{"year": 2024, "month": 13, "currency_id": "JPY", "value": 1}]"#;
    assert_eq!(
        parse_sdr_monthly_json(bad, "x").unwrap_err().field,
        "[0].month"
    );
}

proptest! {
    #[test]
    fn converting_to_the_same_currency_is_identity(amount in amount_strategy(), year in 1995i32..2024) {
        let table = RateTable::imf_annual();
        let m = Money::new(amount, cur("USD"), NaiveDate::from_ymd_opt(year, 6, 1)).unwrap();
        let c = table.convert(&m, &cur("USD")).unwrap();
        prop_assert_eq!(c.amount, amount.round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven));
        prop_assert_eq!(c.rate, Decimal::ONE);
    }

    #[test]
    fn round_trip_loses_at_most_rounding(amount in amount_strategy(), year in 2000i32..2024) {
        let table = RateTable::imf_annual();
        let m = Money::new(amount, cur("EUR"), NaiveDate::from_ymd_opt(year, 6, 1)).unwrap();
        let there = table.convert(&m, &cur("JPY")).unwrap();
        let back_money = Money::new(there.amount, cur("JPY"), m.value_date).unwrap();
        let back = table.convert(&back_money, &cur("EUR")).unwrap();
        // One yen of rounding is at most 1/rate euros, plus the final cent.
        let tolerance = Decimal::ONE / there.rate + Decimal::new(1, 2);
        prop_assert!((back.amount - amount).abs() <= tolerance, "{} vs {}", back.amount, amount);
    }

    #[test]
    fn conversion_is_monotonic_and_never_negative(a in amount_strategy(), b in amount_strategy(), year in 2000i32..2024) {
        let table = RateTable::imf_annual();
        let date = NaiveDate::from_ymd_opt(year, 1, 1);
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let lo_c = table.convert(&Money::new(lo, cur("KZT"), date).unwrap(), &cur("USD")).unwrap();
        let hi_c = table.convert(&Money::new(hi, cur("KZT"), date).unwrap(), &cur("USD")).unwrap();
        prop_assert!(lo_c.amount <= hi_c.amount);
        prop_assert!(!lo_c.amount.is_sign_negative() || lo_c.amount.is_zero());
    }

    #[test]
    fn going_through_the_dollar_matches_the_direct_cross_rate(amount in amount_strategy(), year in 2000i32..2024) {
        let table = RateTable::imf_annual();
        let date = NaiveDate::from_ymd_opt(year, 3, 3);
        let m = Money::new(amount, cur("GBP"), date).unwrap();
        let direct = table.convert(&m, &cur("EUR")).unwrap();
        let usd = table.convert(&m, &cur("USD")).unwrap();
        let via = table.convert(&Money::new(usd.amount, cur("USD"), date).unwrap(), &cur("EUR")).unwrap();
        // The dollar leg rounds to the cent once; that cent can move the result by under 2 euro cents.
        prop_assert!((direct.amount - via.amount).abs() <= Decimal::new(2, 2));
    }

    #[test]
    fn csv_parser_never_panics(text in ".{0,400}") {
        let _ = parse_csv(&text, RateOrigin::Imported);
    }
}

/// An ECB cross rate is a quotient of two published figures: the description shows it to six
/// significant digits beside the figures themselves (a journalist saw "≈157.2502685285").
#[test]
fn an_ecb_cross_rate_is_described_to_six_significant_digits() {
    let table = RateTable::builtin();
    let c = table
        .convert(&money("108700000", "JPY", "2026-10-30"), &cur("USD"))
        .unwrap();
    assert!(c.source.contains("JPY per USD ≈157.25 ("), "{}", c.source);
    assert!(c.source.contains("175.68"), "{}", c.source);
    assert!(!c.source.contains("157.2502"), "{}", c.source);
}

#[test]
fn significant_digits_keep_the_whole_part_and_small_rates() {
    let d = |s: &str| Decimal::from_str(s).unwrap();
    assert_eq!(significant(d("157.2502685285"), RATE_DIGITS), d("157.25"));
    assert_eq!(significant(d("0.0063592896"), RATE_DIGITS), d("0.00635929"));
    assert_eq!(significant(d("12345678.91"), RATE_DIGITS), d("12345679"));
    assert_eq!(significant(Decimal::ZERO, RATE_DIGITS), Decimal::ZERO);
}
