//! Current exchange rates: the ECB daily table beside the IMF annual one, the order of preference,
//! and provisional conversions for dates after the rates available (issue #19, item 2).

use std::str::FromStr;

use aidtrace_domain::checks;
use aidtrace_domain::fx::{
    ConversionError, Frequency, RateOrigin, RateTable, ecb, parse_csv, parse_sdr_monthly_json,
};
use aidtrace_domain::totals::{GroupBy, totals};
use aidtrace_domain::{CurrencyCode, Ledger, Money, Record};
use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::json;

fn cur(code: &str) -> CurrencyCode {
    CurrencyCode::parse(code).expect("currency")
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::from_str(s).expect("date")
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

fn money(amount: &str, currency: &str, date: Option<&str>) -> Money {
    Money::new(dec(amount), cur(currency), date.map(day)).expect("money")
}

/// A ledger of one activity and one flow per (id, amount, currency, value date).
fn ledger(flows: &[(&str, &str, &str, Option<&str>)]) -> Ledger {
    let mut records = vec![
        json!({"record": "activity", "id": "act", "title": "Equipment", "instrument": "grant_aid", "status": "implementation"}),
    ];
    for (id, amount, currency, date) in flows {
        let mut m = json!({"amount": amount, "currency": currency});
        if let Some(d) = date {
            m["value_date"] = json!(d);
        }
        records.push(json!({"record": "flow", "id": id, "activity": "act", "kind": "commitment", "money": m}));
    }
    let records: Vec<Record> = records
        .into_iter()
        .map(|r| serde_json::from_value(r).expect("fixture record"))
        .collect();
    Ledger::from_records(records)
}

#[test]
fn the_shipped_ecb_table_parses_whole() {
    let table = ecb::shipped();
    assert!(table.days() > 7000, "{table:?}");
    assert_eq!(table.last_date(), Some(day("2026-10-30")));
    let (first, last, _) = table.span(&cur("JPY")).expect("JPY quoted");
    assert_eq!(first.date, day("1999-01-04"));
    assert_eq!(last.date, day("2026-10-30"));
    assert_eq!(last.units_per_eur, dec("175.68"));
    assert_eq!(last.usd_per_eur, dec("1.1172"));
    assert!(
        table.span(&cur("KZT")).is_none(),
        "the ECB does not quote KZT"
    );
}

#[test]
fn a_yen_flow_of_2025_06_01_converts_at_the_ecb_rate_of_the_friday_before() {
    let rates = RateTable::builtin();
    let c = rates
        .convert(&money("108700000", "JPY", Some("2025-06-01")), &cur("USD"))
        .expect("converted");
    // 2025-06-01 is a Sunday: Friday 30 May, 162.96 JPY and 1.1339 USD per EUR.
    // 108,700,000 × 1.1339 ÷ 162.96 = 756,350.82…, rounded once to the cent.
    let exact = dec("108700000") * dec("1.1339") / dec("162.96");
    assert_eq!(
        c.amount,
        exact.round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven)
    );
    assert_eq!(c.amount, dec("756350.82"));
    assert_eq!(c.rate_date, day("2025-05-30"));
    assert_eq!(c.provisional, None);
    assert!(c.source.contains("European Central Bank"), "{}", c.source);
    assert!(
        c.source.contains("162.96 JPY and 1.1339 USD per EUR"),
        "{}",
        c.source
    );
}

#[test]
fn euro_to_yen_on_one_ecb_day_is_the_published_rate_exactly() {
    let rates = RateTable::builtin();
    let c = rates
        .convert(&money("1234.5", "EUR", Some("2025-05-30")), &cur("JPY"))
        .expect("converted");
    // No cross rate rounded on the way: 1234.5 × 162.96 = 201,174.12 → 201,174 yen.
    assert_eq!(c.amount, dec("201174"));
    assert_eq!(c.rate, dec("162.96"));
}

#[test]
fn a_tenge_flow_uses_the_imf_annual_rate() {
    let rates = RateTable::builtin();
    let c = rates
        .convert(&money("1000000", "KZT", Some("2024-03-01")), &cur("USD"))
        .expect("converted");
    assert_eq!(c.provisional, None);
    assert!(
        c.source.starts_with("International Monetary Fund"),
        "{}",
        c.source
    );
    assert!(c.source.contains("annual average 2024"), "{}", c.source);
}

#[test]
fn a_tenge_flow_of_2025_is_provisional_at_the_imf_2024_rate() {
    let rates = RateTable::builtin();
    let c = rates
        .convert(&money("1000000", "KZT", Some("2025-06-01")), &cur("USD"))
        .expect("converted provisionally");
    assert_eq!(c.provisional, Some(day("2024-12-31")));
    assert_eq!(c.rate_date, day("2024-12-31"));
}

#[test]
fn a_2027_value_date_is_provisional_with_the_latest_rate_date() {
    let rates = RateTable::builtin();
    let c = rates
        .convert(&money("1000", "JPY", Some("2027-03-01")), &cur("USD"))
        .expect("converted provisionally");
    assert_eq!(c.provisional, Some(day("2026-10-30")));
    assert_eq!(c.rate_date, day("2026-10-30"));
    assert!(c.to_string().contains("provisional"), "{c}");
    assert!(!c.amount.is_zero());
}

#[test]
fn the_saturday_after_the_last_ecb_day_is_provisional_too() {
    // The business-day window bridges gaps inside the series only: past its end nobody knows
    // whether the next business day's rate has been published.
    let rates = RateTable::builtin();
    let c = rates
        .convert(&money("1000", "JPY", Some("2026-10-31")), &cur("USD"))
        .expect("converted provisionally");
    assert_eq!(c.provisional, Some(day("2026-10-30")));
}

#[test]
fn a_date_before_every_rate_is_unconverted_with_its_reason() {
    let rates = RateTable::builtin();
    let err = rates
        .convert(&money("1000", "JPY", Some("1901-01-01")), &cur("USD"))
        .expect_err("no rate");
    assert!(matches!(err, ConversionError::MissingRate { .. }), "{err}");
}

#[test]
fn an_imported_rate_wins_over_the_ecb_daily_rate() {
    let mut rates = RateTable::builtin();
    rates.extend(
        parse_csv(
            "Date,Rate,Currency,Frequency,Source\n2025-12-31,150,JPY,A,My ministry\n",
            RateOrigin::Imported,
        )
        .expect("rates"),
    );
    let leg = rates.lookup(&cur("JPY"), day("2025-06-02")).expect("leg");
    assert_eq!(leg.source, "My ministry");
    let leg = rates.lookup(&cur("GBP"), day("2025-06-02")).expect("leg");
    assert_eq!(leg.source, "European Central Bank");
}

#[test]
fn an_undated_flow_is_provisional_at_the_latest_rate() {
    let ledger = ledger(&[("f-undated", "108700000", "JPY", None)]);
    let rates = RateTable::builtin();
    let flow = ledger.flows.values().next().expect("flow");
    let (c, converted_for, _) = ledger
        .convert_flow(flow, &rates, &CurrencyCode::usd())
        .expect("converted");
    assert_eq!(converted_for, day("2026-10-30"));
    assert_eq!(c.provisional, Some(day("2026-10-30")));
    let report = totals(&ledger, &rates, GroupBy::Donor, &CurrencyCode::usd());
    let used = &report.rows[0].rates[0];
    assert_eq!(used.provisional, Some(day("2026-10-30")));
}

#[test]
fn fx_provisional_lists_flows_after_the_rates_and_undated_ones() {
    let ledger = ledger(&[
        ("f-2025", "1000", "JPY", Some("2025-06-01")),
        ("f-2027", "1000", "JPY", Some("2027-01-04")),
        ("f-undated", "1000", "KZT", None),
    ]);
    let findings = checks::run(&ledger, &RateTable::builtin());
    let provisional: Vec<(&str, &str)> = findings
        .iter()
        .filter(|f| f.rule == "FX-PROVISIONAL")
        .map(|f| (f.record.as_str(), f.message()))
        .collect();
    assert_eq!(provisional.len(), 2, "{provisional:?}");
    assert_eq!(provisional[0].0, "f-2027");
    assert!(
        provisional[0].1.contains("of 2026-10-30"),
        "{}",
        provisional[0].1
    );
    assert_eq!(provisional[1].0, "f-undated");
    assert!(
        provisional[1].1.contains("of 2024-12-31"),
        "{}",
        provisional[1].1
    );
    assert!(
        checks::RULES.iter().any(|(r, _, _)| *r == "FX-PROVISIONAL"),
        "the rule is listed"
    );
}

#[test]
fn coverage_names_first_and_last_date_per_currency_and_source() {
    let rates = RateTable::builtin();
    let rows = rates.coverage();
    let jpy: Vec<_> = rows
        .iter()
        .filter(|r| r.currency.as_str() == "JPY")
        .collect();
    let ecb = jpy
        .iter()
        .find(|r| r.source == "European Central Bank")
        .expect("ECB row");
    assert_eq!(
        (ecb.first, ecb.last),
        (day("1999-01-04"), day("2026-10-30"))
    );
    assert_eq!(ecb.frequency, Frequency::Daily);
    let imf = jpy
        .iter()
        .find(|r| r.source == "International Monetary Fund")
        .expect("IMF row");
    assert_eq!(imf.last, day("2024-12-31"));
    assert!(rows.iter().any(|r| r.currency.as_str() == "UAH"));
}

#[test]
fn a_duplicate_date_for_one_currency_and_frequency_names_both_lines() {
    let err = parse_csv(
        "Date,Rate,Currency,Frequency,Source\n2025-01-02,150,JPY,D,x\n2025-01-03,151,JPY,D,x\n2025-01-02,152,JPY,D,y\n",
        RateOrigin::Imported,
    )
    .expect_err("duplicate");
    assert_eq!(err.field, "line 4: Date");
    assert!(err.message.contains("line 2"), "{}", err.message);
}

#[test]
fn a_zero_rate_names_its_line() {
    let err = parse_csv(
        "Date,Rate,Currency,Frequency,Source\n2025-01-02,150,JPY,D,x\n2025-01-03,0,JPY,D,x\n",
        RateOrigin::Imported,
    )
    .expect_err("zero");
    assert_eq!(err.field, "line 3: Rate");
}

#[test]
fn a_duplicate_month_in_the_sdr_json_is_refused() {
    let json = r#"[{"year": 2024, "month": 5, "currency_id": "JPY", "value": 0.0048},
                  {"year": 2024, "month": 5, "currency_id": "JPY", "value": 0.0049}]"#;
    let err = parse_sdr_monthly_json(json, "x").expect_err("duplicate");
    assert_eq!(err.field, "[1].month");
}

fn any_day() -> impl Strategy<Value = NaiveDate> {
    // 1940 … 2035: before, inside and after every table.
    (0i64..35_000).prop_map(|n| day("1940-01-01") + chrono::Days::new(n.unsigned_abs()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_flow_is_converted_or_listed_as_unconverted_with_its_reason(
        dates in proptest::collection::vec((proptest::option::of(any_day()), 0usize..7), 1..8)
    ) {
        let currencies = ["JPY", "KZT", "UAH", "EUR", "GBP", "USD", "RUB"];
        let ids: Vec<String> = (0..dates.len()).map(|i| format!("f{i}")).collect();
        let dates_text: Vec<Option<String>> = dates.iter().map(|(d, _)| d.map(|d| d.to_string())).collect();
        let specs: Vec<(&str, &str, &str, Option<&str>)> = dates
            .iter()
            .enumerate()
            .map(|(i, (_, c))| (ids[i].as_str(), "1000", currencies[*c], dates_text[i].as_deref()))
            .collect();
        let ledger = ledger(&specs);
        let rates = RateTable::builtin();
        let usd = CurrencyCode::usd();
        let report = totals(&ledger, &rates, GroupBy::Donor, &usd);
        for (i, (date, c)) in dates.iter().enumerate() {
            let id = ids[i].as_str();
            let used = report.rows.iter().flat_map(|r| &r.rates).find(|u| u.flow.as_str() == id);
            let missing = report.rows.iter().flat_map(|r| &r.unconverted).find(|u| u.flow.as_str() == id);
            match (used, missing) {
                (Some(u), None) => {
                    prop_assert!(!u.converted_amount.is_zero(), "{id} shown as zero");
                    let latest = rates.latest_date(&cur(currencies[*c]));
                    match date {
                        // Undated: provisional, except the dollar, which needs no rate.
                        None => prop_assert_eq!(u.provisional.is_some(), currencies[*c] != "USD"),
                        Some(d) if latest.is_some_and(|l| *d > l) && currencies[*c] != "USD" => {
                            prop_assert_eq!(u.provisional, latest, "{} on {}", id, d);
                        }
                        Some(_) => prop_assert!(u.provisional.is_none()),
                    }
                }
                (None, Some(m)) => {
                    prop_assert!(!m.reason.is_empty());
                    // Only a date before the first rate (or in a gap) leaves a flow unconverted.
                    let d = date.expect("an undated flow always converts");
                    prop_assert!(m.reason.contains(&d.to_string()), "{}", m.reason);
                }
                other => prop_assert!(false, "{id}: {other:?}"),
            }
        }
    }
}

proptest! {
    /// The memo of conversions that sums over many flows use gives `convert_on`'s amount,
    /// rate, date, source and provisional status (or its error) for any currency pair and day:
    /// before, inside and after the rates shipped, and twice over (the second time from its
    /// memo).
    #[test]
    fn conversions_equal_convert_on(
        from in prop::sample::select(vec!["USD", "EUR", "JPY", "GBP", "KZT", "UAH", "XOF", "ZWL", "DEM"]),
        to in prop::sample::select(vec!["USD", "EUR", "JPY"]),
        days in 0i64..20_000,
        cents in 1i64..1_000_000_000_000,
    ) {
        let rates = RateTable::builtin();
        let mut conversions = aidtrace_domain::fx::Conversions::new(&rates);
        let on = day("1975-01-01") + chrono::Duration::days(days);
        let m = money(&format!("{}", Decimal::new(cents, 2)), from, Some("2020-01-01"));
        let want = rates.convert_on(&m, &cur(to), on);
        for _ in 0..2 {
            prop_assert_eq!(conversions.convert_on(&m, &cur(to), on), want.clone().map(|c| c.amount));
            let terms = conversions.terms(&m.currency, &cur(to), on);
            match &want {
                Ok(c) => {
                    let t = terms.expect("terms where convert_on converts");
                    prop_assert_eq!(
                        (&t.currency, t.rate, t.rate_date, &t.source, t.provisional),
                        (&c.currency, c.rate, c.rate_date, &c.source, c.provisional)
                    );
                }
                // An amount too large to convert is the amount's error, not the terms'.
                Err(ConversionError::Overflow) => {}
                Err(e) => prop_assert_eq!(terms.err(), Some(e.clone())),
            }
        }
    }

    /// A flow's conversion through the memo is its conversion: amount, terms, provisional
    /// status (an undated flow's included), the day converted for and why.
    #[test]
    fn a_flow_converted_through_the_memo_is_converted_alike(
        currency in prop::sample::select(vec!["USD", "EUR", "JPY", "KZT", "UAH", "DEM"]),
        to in prop::sample::select(vec!["USD", "EUR"]),
        days in prop::option::of(0i64..20_000),
        cents in 1i64..1_000_000_000_000,
    ) {
        let date = days.map(|d| (day("1975-01-01") + chrono::Duration::days(d)).to_string());
        let amount = Decimal::new(cents, 2).to_string();
        let ledger = ledger(&[("f-1", &amount, currency, date.as_deref())]);
        let rates = RateTable::builtin();
        let mut conversions = aidtrace_domain::fx::Conversions::new(&rates);
        let flow = ledger.flows.values().next().expect("flow");
        let want = ledger.convert_flow(flow, &rates, &cur(to));
        let got = ledger.convert_flow_with(flow, &mut conversions, &cur(to));
        match (want, got) {
            (Ok((c, on, basis)), Ok(g)) => prop_assert_eq!(
                (c.amount, c.rate, c.rate_date, &c.source, c.provisional, on, basis),
                (g.amount, g.terms.rate, g.terms.rate_date, &g.terms.source, g.provisional, g.day, g.basis)
            ),
            (Err(e), Err(g)) => prop_assert_eq!(e, g),
            (want, got) => prop_assert!(false, "{want:?} against {got:?}"),
        }
    }
}
