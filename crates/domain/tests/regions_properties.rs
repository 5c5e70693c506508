//! Properties of regional equity and scoped totals over random amounts and region splits: the
//! regions' parts add up exactly to the national figure, and no amount (however large) panics.

use aidtrace_domain::fx::RateTable;
use aidtrace_domain::model::{FlowKind, Record};
use aidtrace_domain::regions::regional_equity;
use aidtrace_domain::scoped_totals::scoped_totals;
use aidtrace_domain::totals::Sum;
use aidtrace_domain::{CountryCode, CurrencyCode, Ledger};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn ledger(amount: &str, pct_a: u32, kind: &str) -> Ledger {
    let json = serde_json::json!([
        {"record": "activity", "id": "a", "title": "A", "instrument": "grant_aid", "status": "implementation",
         "countries": [{"country": "KZ", "percentage": "100"}],
         "regions": [{"country": "KZ", "name": "A", "percentage": pct_a.to_string()},
                     {"country": "KZ", "name": "B", "percentage": (100 - pct_a).to_string()}]},
        {"record": "flow", "id": "f", "activity": "a", "kind": kind,
         "money": {"amount": amount, "currency": "USD", "value_date": "2024-01-02"}}
    ]);
    let records: Vec<Record> = serde_json::from_value(json).expect("fixture");
    Ledger::from_records(records)
}

fn original(row: &aidtrace_domain::regions::RegionRow) -> Sum {
    row.totals
        .of_kind(FlowKind::Disbursement)
        .and_then(|t| t.original.get(&CurrencyCode::usd()).copied())
        .unwrap_or(Sum::ZERO)
}

proptest! {
    #[test]
    fn region_parts_add_up_to_the_national_figure(
        units in 0u64..=1_000_000_000_000_000_000,
        cents in 0u32..=99,
        pct_a in 0u32..=100,
    ) {
        let amount = format!("{units}.{cents:02}");
        let l = ledger(&amount, pct_a, "disbursement");
        let kz = CountryCode::parse("KZ").expect("KZ");
        let rep = regional_equity(&l, &RateTable::default(), &kz, &CurrencyCode::usd(), FlowKind::Disbursement);
        let mut sum = Sum::ZERO;
        for r in &rep.regions {
            if let Sum::Exact(d) = original(r) {
                sum = sum.plus(d);
            }
        }
        prop_assert_eq!(sum, original(&rep.national));
        prop_assert_eq!(original(&rep.national), Sum::Exact(amount.parse::<Decimal>().expect("amount").normalize()));
        prop_assert!(rep.unspecified.totals.by_kind.is_empty());
    }

    #[test]
    fn any_stored_amount_gives_a_sum_or_overflow_never_a_panic(
        mantissa in any::<i64>(),
        scale in 0u32..=28,
        copies in 1usize..4,
    ) {
        let amount = Decimal::try_from_i128_with_scale(i128::from(mantissa).abs(), scale)
            .unwrap_or(Decimal::MAX);
        let l = ledger(&amount.to_string(), 50, "commitment");
        let flow = l.flows.values().next().expect("flow");
        let parts = std::iter::repeat_n((flow, Decimal::ONE), copies);
        let t = scoped_totals(&l, &RateTable::default(), &CurrencyCode::usd(), parts);
        prop_assert_eq!(t.by_kind.len(), 1);
        let kz = CountryCode::parse("KZ").expect("KZ");
        let rep = regional_equity(&l, &RateTable::default(), &kz, &CurrencyCode::usd(), FlowKind::Commitment);
        prop_assert_eq!(rep.regions.len(), 2);
    }
}
