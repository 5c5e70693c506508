//! For any value date (or none), every flow is either converted, at an official rate or
//! provisionally at the latest one, or listed as unconvertible with the reason: never silently
//! dropped from the totals, never shown as zero.

use aidtrace_domain::checks;
use aidtrace_domain::fx::RateTable;
use aidtrace_domain::totals::{GroupBy, totals};
use aidtrace_domain::{CurrencyCode, Ledger, Record};
use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use serde_json::json;

/// Currencies with daily ECB rates, with IMF annual rates only, and with none at all (XDR,
/// a unit of account the tables do not quote against the dollar; and the dollar itself).
const CURRENCIES: &[&str] = &["JPY", "EUR", "KZT", "UAH", "USD", "XDR", "GBP"];

fn ledger(flows: &[(usize, Option<NaiveDate>)]) -> Ledger {
    let mut records = vec![
        json!({"record": "activity", "id": "act", "title": "Equipment", "instrument": "grant_aid", "status": "implementation"}),
    ];
    for (i, (currency, date)) in flows.iter().enumerate() {
        let mut money = json!({"amount": "1000", "currency": CURRENCIES[*currency]});
        if let Some(d) = date {
            money["value_date"] = json!(d.to_string());
        }
        records.push(json!({"record": "flow", "id": format!("f-{i}"), "activity": "act", "kind": "commitment", "money": money}));
    }
    Ledger::from_records(
        records
            .into_iter()
            .map(|r| serde_json::from_value::<Record>(r).expect("fixture record")),
    )
}

fn value_date() -> impl Strategy<Value = Option<NaiveDate>> {
    let first = NaiveDate::from_ymd_opt(1900, 1, 1).expect("date");
    // 1900 to about 2100: before the first rate, inside the tables, after the last rate.
    proptest::option::of((0u64..73_000).prop_map(move |d| first + Days::new(d)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_flow_is_converted_or_listed_as_unconvertible_with_its_reason(
        flows in proptest::collection::vec((0..CURRENCIES.len(), value_date()), 1..6)
    ) {
        let ledger = ledger(&flows);
        let rates = RateTable::builtin();
        let usd = CurrencyCode::usd();
        let report = totals(&ledger, &rates, GroupBy::Year, &usd);
        let findings = checks::run(&ledger, &rates);
        for flow in ledger.flows.values() {
            let converted: Vec<_> = report.rows.iter().flat_map(|r| &r.rates).filter(|u| u.flow == flow.id).collect();
            let unconverted: Vec<_> = report.rows.iter().flat_map(|r| &r.unconverted).filter(|u| u.flow == flow.id).collect();
            let missing = findings.iter().any(|f| f.rule == "FX-MISSING" && f.record == flow.id);
            let provisional = findings.iter().any(|f| f.rule == "FX-PROVISIONAL" && f.record == flow.id);
            // Counted in a row, in its original currency, whatever happens to the conversion.
            prop_assert!(report.rows.iter().any(|r| r.flows.contains(&flow.id)), "{} is in no row", flow.id);
            prop_assert!(
                converted.is_empty() != unconverted.is_empty(),
                "{} must be exactly one of converted ({converted:?}) or unconvertible ({unconverted:?})",
                flow.id
            );
            if let Some(u) = unconverted.first() {
                prop_assert!(!u.reason.trim().is_empty(), "{} unconvertible without a reason", flow.id);
                prop_assert!(missing, "{} unconvertible but no FX-MISSING finding", flow.id);
            } else {
                prop_assert!(!missing, "{} converted yet FX-MISSING", flow.id);
                for used in &converted {
                    prop_assert!(used.converted_amount > rust_decimal::Decimal::ZERO, "{} shown as zero", flow.id);
                    // Provisional exactly when the finding says so, and then with the rate's date.
                    prop_assert_eq!(used.provisional.is_some(), provisional, "{}", flow.id);
                    if let Some(rate_date) = used.provisional {
                        prop_assert_eq!(rate_date, used.rate_date);
                    }
                }
            }
        }
    }
}
