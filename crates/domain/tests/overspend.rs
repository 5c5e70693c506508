//! LEDGER-OVERSPENT compares an activity's disbursements with its commitments in their own
//! currency when they share one, so neither a missing rate nor a rate's movement decides it.

use aidtrace_domain::checks::{self, Finding};
use aidtrace_domain::fx::RateTable;
use aidtrace_domain::{Ledger, Record};
use serde_json::json;

/// One activity with flows of (id, kind, amount, currency, value date).
fn ledger(flows: &[(&str, &str, &str, &str, Option<&str>)]) -> Ledger {
    let mut records = vec![
        json!({"record": "activity", "id": "act", "title": "Equipment", "instrument": "grant_aid", "status": "implementation"}),
    ];
    for (id, kind, amount, currency, date) in flows {
        let mut money = json!({"amount": amount, "currency": currency});
        if let Some(d) = date {
            money["value_date"] = json!(d);
        }
        records.push(
            json!({"record": "flow", "id": id, "activity": "act", "kind": kind, "money": money}),
        );
    }
    Ledger::from_records(
        records
            .into_iter()
            .map(|r| serde_json::from_value::<Record>(r).expect("fixture record")),
    )
}

fn overspent(ledger: &Ledger, rates: &RateTable) -> Vec<Finding> {
    checks::run(ledger, rates)
        .into_iter()
        .filter(|f| f.rule == "LEDGER-OVERSPENT")
        .collect()
}

#[test]
fn a_yen_disbursement_above_the_yen_commitment_is_flagged_without_any_rate() {
    let l = ledger(&[
        ("c", "commitment", "108700000", "JPY", Some("2024-05-29")),
        ("d", "disbursement", "200000000", "JPY", Some("2025-06-01")),
    ]);
    // No rates at all: the comparison needs none when both sides are in yen.
    let found = overspent(&l, &RateTable::default());
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0]
            .message
            .contains("200000000 JPY against 108700000 JPY committed"),
        "{}",
        found[0].message
    );
    assert!(found[0].message.contains("1.84×"), "{}", found[0].message);
}

#[test]
fn a_disbursement_within_the_commitment_in_one_currency_is_not_flagged() {
    let l = ledger(&[
        ("c", "commitment", "108700000", "JPY", Some("2024-05-29")),
        ("d", "disbursement", "100000000", "JPY", Some("2026-01-05")),
    ]);
    assert!(overspend_free(&l));
}

fn overspend_free(l: &Ledger) -> bool {
    overspent(l, &RateTable::builtin()).is_empty()
}

#[test]
fn the_yen_comparison_holds_even_where_converted_dollars_would_say_otherwise() {
    // 100 million yen committed when the yen was strong, 105 million disbursed later: more yen,
    // though fewer dollars after the yen fell. Overspending is a question of the grant's yen.
    let l = ledger(&[
        ("c", "commitment", "100000000", "JPY", Some("2012-01-05")),
        ("d", "disbursement", "105000000", "JPY", Some("2024-05-29")),
    ]);
    let found = overspent(&l, &RateTable::builtin());
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].message.contains("JPY"), "{}", found[0].message);
}

#[test]
fn mixed_currencies_are_compared_in_converted_dollars() {
    let l = ledger(&[
        ("c", "commitment", "1000", "USD", Some("2024-05-29")),
        ("d", "disbursement", "1000", "EUR", Some("2024-05-29")),
    ]);
    let found = overspent(&l, &RateTable::builtin());
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].message.contains("USD committed"),
        "{}",
        found[0].message
    );
}
