//! Arithmetic on stored amounts never panics: totals, checks and conversions over ledgers built
//! directly (bypassing validation, as data written before the bound or straight into the database
//! would be) with amounts at, under and far beyond the accepted bound. An overflowing sum is an
//! `Overflow` cell and a LEDGER-OVERFLOW finding.

use aidtrace_domain::checks;
use aidtrace_domain::fx::RateTable;
use aidtrace_domain::model::{
    Activity, ActivityStatus, CountryShare, Flow, FlowKind, Instrument, Record,
};
use aidtrace_domain::money::MAX_AMOUNT;
use aidtrace_domain::totals::{GroupBy, Sum, totals};
use aidtrace_domain::{CountryCode, CurrencyCode, Ledger, Money, RecordId};
use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;

const GROUPS: [GroupBy; 6] = [
    GroupBy::Donor,
    GroupBy::Recipient,
    GroupBy::Region,
    GroupBy::Sector,
    GroupBy::Year,
    GroupBy::Facility,
];

fn id(s: &str) -> RecordId {
    RecordId::parse(s).expect("fixture id")
}

fn cur(code: &str) -> CurrencyCode {
    CurrencyCode::parse(code).expect("currency")
}

fn activity(name: &str, percentage: Decimal) -> Record {
    Record::Activity(Activity {
        id: id(name),
        title: name.to_string(),
        instrument: Instrument::GrantAid,
        status: ActivityStatus::Implementation,
        iati_identifier: None,
        iati_last_updated: None,
        description: None,
        purpose: None,
        parent: None,
        reporting_org: None,
        participants: vec![],
        legal_steps: vec![],
        start_date: None,
        end_date: None,
        sectors: vec![],
        // Shares are not validated here either: a stored 250 % share must not panic.
        countries: vec![CountryShare {
            country: CountryCode::parse("KZ").expect("KZ"),
            percentage,
        }],
        regions: vec![],
        facilities: vec![],
        target_population: None,
        ceiling: None,
        sources: vec![],
        left_out: vec![],
    })
}

/// A flow built as a struct literal, so `Money::validate` (and its bound) never runs.
fn flow(i: usize, activity: &str, kind: FlowKind, amount: Decimal, currency: &str) -> Record {
    Record::Flow(Flow {
        id: id(&format!("f{i}")),
        activity: id(activity),
        kind,
        money: Money {
            amount,
            currency: cur(currency),
            value_date: NaiveDate::from_ymd_opt(2008, 6, 1),
        },
        provider: None,
        receiver: None,
        parent_flow: None,
        reversal: i % 3 == 2,
        stated_equivalent: None,
        recorded_rate: None,
        description: None,
        sources: vec![],
    })
}

fn huge_pair_ledger() -> Ledger {
    Ledger::from_records([
        activity("a", Decimal::ONE_HUNDRED),
        flow(0, "a", FlowKind::Commitment, Decimal::MAX, "USD"),
        flow(1, "a", FlowKind::Commitment, Decimal::MAX, "USD"),
    ])
}

#[test]
fn two_huge_stored_flows_give_an_overflow_cell_not_a_panic() {
    let ledger = huge_pair_ledger();
    let report = totals(
        &ledger,
        &RateTable::imf_annual(),
        GroupBy::Donor,
        &CurrencyCode::usd(),
    );
    let row = &report.rows[0];
    assert_eq!(row.original.get(&CurrencyCode::usd()), Some(&Sum::Overflow));
    assert_eq!(row.converted, Some(Sum::Overflow));
    let json = serde_json::to_value(row).expect("json");
    assert_eq!(json["converted"], "overflow");
    assert_eq!(json["original"]["USD"], "overflow");
}

#[test]
fn two_huge_stored_flows_give_a_ledger_overflow_finding() {
    let ledger = huge_pair_ledger();
    let findings = checks::run(&ledger, &RateTable::imf_annual());
    let overflow: Vec<_> = findings
        .iter()
        .filter(|f| f.rule == "LEDGER-OVERFLOW")
        .collect();
    assert!(
        overflow.iter().any(|f| f.record.as_str() == "a"),
        "{findings:?}"
    );
    assert!(
        overflow.iter().any(|f| f.record.as_str() == "f0"),
        "the amount beyond the bound is named: {findings:?}"
    );
    assert!(
        checks::RULES
            .iter()
            .any(|(r, _, _)| *r == "LEDGER-OVERFLOW"),
        "the rule is listed"
    );
}

#[test]
fn a_conversion_into_a_large_rate_currency_can_overflow_even_under_the_bound() {
    // 10^18 US dollars is 6.7 × 10^27 Zimbabwe dollars of 2008; twelve such flows add up to more
    // than a decimal holds although each amount is within the bound.
    let mut records = vec![activity("a", Decimal::ONE_HUNDRED)];
    records.extend((0..12).map(|i| flow(i * 3, "a", FlowKind::Commitment, MAX_AMOUNT, "USD")));
    let ledger = Ledger::from_records(records);
    let report = totals(
        &ledger,
        &RateTable::imf_annual(),
        GroupBy::Donor,
        &cur("ZWG"),
    );
    assert_eq!(report.rows[0].converted, Some(Sum::Overflow));
    assert!(matches!(
        report.rows[0].original.get(&CurrencyCode::usd()),
        Some(Sum::Exact(_))
    ));
}

fn amount() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        (0u64..1_000_000_000u64).prop_map(Decimal::from),
        Just(MAX_AMOUNT),
        (0u64..1_000_000u64).prop_map(|n| MAX_AMOUNT - Decimal::from(n)),
        (1u32..28).prop_map(|scale| Decimal::MAX / Decimal::from(10u64.pow(scale % 10))),
        Just(Decimal::MAX),
        (
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
            any::<bool>(),
            0u32..29
        )
            .prop_map(|(lo, mid, hi, neg, scale)| Decimal::from_parts(lo, mid, hi, neg, scale)),
    ]
}

fn ledger_of(amounts: &[(Decimal, usize, usize)], percentage: Decimal) -> Ledger {
    let currencies = ["USD", "ZWG", "KWD", "JPY"];
    let mut records = vec![
        activity("a", percentage),
        activity("b", Decimal::ONE_HUNDRED),
    ];
    for (i, (amount, c, k)) in amounts.iter().enumerate() {
        let kind = [FlowKind::Commitment, FlowKind::Disbursement][k % 2];
        let act = if i % 2 == 0 { "a" } else { "b" };
        records.push(flow(i, act, kind, *amount, currencies[c % 4]));
    }
    Ledger::from_records(records)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn totals_and_checks_never_panic_on_any_stored_amount(
        amounts in proptest::collection::vec((amount(), 0usize..4, 0usize..2), 0..12),
        percentage in prop_oneof![Just(Decimal::ONE_HUNDRED), (1u32..1_000_000).prop_map(Decimal::from)],
    ) {
        let ledger = ledger_of(&amounts, percentage);
        let rates = RateTable::imf_annual();
        for currency in ["USD", "ZWG", "KWD"] {
            for by in GROUPS {
                let report = totals(&ledger, &rates, by, &cur(currency));
                prop_assert!(serde_json::to_string(&report).is_ok());
            }
        }
        let findings = checks::run(&ledger, &rates);
        // Every amount beyond the bound is named by a finding.
        for (i, (a, _, _)) in amounts.iter().enumerate() {
            if a.abs() > MAX_AMOUNT {
                let name = format!("f{i}");
                prop_assert!(findings.iter().any(|f| f.rule == "LEDGER-OVERFLOW" && f.record.as_str() == name));
            }
        }
    }

    #[test]
    fn within_the_bound_totals_in_dollars_never_overflow(
        amounts in proptest::collection::vec(
            (prop_oneof![Just(MAX_AMOUNT), (0u64..u64::MAX).prop_map(Decimal::from)], 0usize..4, 0usize..2),
            0..12,
        ),
    ) {
        let amounts: Vec<_> = amounts.into_iter().filter(|(a, _, _)| *a <= MAX_AMOUNT).collect();
        let ledger = ledger_of(&amounts, Decimal::ONE_HUNDRED);
        let rates = RateTable::imf_annual();
        for by in GROUPS {
            for row in totals(&ledger, &rates, by, &CurrencyCode::usd()).rows {
                prop_assert!(row.original.values().all(|s| !s.is_overflow()));
                prop_assert!(row.converted.is_none_or(|s| !s.is_overflow()));
            }
        }
        prop_assert!(!checks::run(&ledger, &rates).iter().any(|f| f.rule == "LEDGER-OVERFLOW"));
    }

    #[test]
    fn conversion_never_panics_and_within_the_bound_always_reaches_dollars(
        a in amount(),
        from in 0usize..6,
        to in 0usize..6,
        year in 1990i32..2025,
    ) {
        let codes = ["USD", "ZWG", "KWD", "JPY", "IRR", "LBP"];
        let rates = RateTable::imf_annual();
        let day = NaiveDate::from_ymd_opt(year, 6, 1).expect("date");
        let money = Money { amount: a, currency: cur(codes[from]), value_date: Some(day) };
        let result = rates.convert_on(&money, &cur(codes[to]), day);
        if a.abs() <= MAX_AMOUNT && codes[to] == "USD" {
            prop_assert!(
                !matches!(result, Err(aidtrace_domain::fx::ConversionError::Overflow)),
                "{a} {} to USD overflowed", codes[from]
            );
        }
    }
}
