//! EQ-OVERCOST: an activity's equipment lines costing more than its funding. Compared in the one
//! currency the lines and the funding share when they share one (no rate, no rounding decides
//! it), otherwise in converted dollars with each line's total converted once.

use aidtrace_domain::checks::{self, Finding};
use aidtrace_domain::fx::RateTable;
use aidtrace_domain::{Ledger, Record};
use serde_json::json;

/// One activity with a commitment and equipment lines of (quantity, unit cost, currency).
fn ledger(commitment: (&str, &str), lines: &[(Option<u32>, &str, &str)]) -> Ledger {
    let mut records = vec![
        json!({"record": "activity", "id": "act", "title": "Ventilators", "instrument": "grant_aid", "status": "implementation"}),
        json!({"record": "flow", "id": "c", "activity": "act", "kind": "commitment",
               "money": {"amount": commitment.0, "currency": commitment.1, "value_date": "2024-05-29"}}),
    ];
    for (n, (qty, cost, currency)) in lines.iter().enumerate() {
        records.push(
            json!({"record": "equipment_line", "id": format!("eq-{n}"), "activity": "act",
            "category": "intensive_care", "description": "ventilator", "quantity": qty,
            "unit_cost": {"amount": cost, "currency": currency}}),
        );
    }
    Ledger::from_records(
        records
            .into_iter()
            .map(|r| serde_json::from_value::<Record>(r).expect("fixture record")),
    )
}

fn overcost(ledger: &Ledger) -> Vec<Finding> {
    checks::run(ledger, &RateTable::builtin())
        .into_iter()
        .filter(|f| f.rule == "EQ-OVERCOST")
        .collect()
}

#[test]
fn lines_adding_up_to_the_commitment_in_its_currency_are_not_flagged() {
    // Found by a user: two lines of 12,425,000 KZT against 24,850,000 KZT committed were "a
    // cent over" once each side was converted to dollars and rounded.
    let l = ledger(("24850000", "KZT"), &[(Some(2), "12425000", "KZT")]);
    assert!(overcost(&l).is_empty(), "{:?}", overcost(&l));
}

#[test]
fn lines_above_the_commitment_in_its_currency_are_flagged_in_that_currency() {
    let l = ledger(
        ("24850000", "KZT"),
        &[(Some(2), "12425000", "KZT"), (Some(1), "1", "KZT")],
    );
    let found = overcost(&l);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0]
            .message()
            .contains("cost 24850001 KZT, more than the 24850000 KZT funded"),
        "{}",
        found[0].message()
    );
}

#[test]
fn lines_in_another_currency_than_the_funding_are_compared_in_dollars() {
    // 1,000,000 JPY committed; lines of 1,000,000 USD cost far more at any rate.
    let l = ledger(("1000000", "JPY"), &[(Some(1), "1000000", "USD")]);
    let found = overcost(&l);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].message().contains(" USD, more than the "),
        "{}",
        found[0].message()
    );
}

#[test]
fn lines_over_a_commitment_in_their_own_currency_are_flagged_without_any_rate() {
    let l = ledger(("1000", "UAH"), &[(Some(2), "600", "UAH")]);
    let found: Vec<Finding> = checks::run(&l, &RateTable::default())
        .into_iter()
        .filter(|f| f.rule == "EQ-OVERCOST")
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].message().contains("1200 UAH"),
        "{}",
        found[0].message()
    );
}

#[test]
fn a_line_without_a_quantity_adds_nothing_and_raises_nothing() {
    let l = ledger(("100", "USD"), &[(None, "500", "USD")]);
    assert!(overcost(&l).is_empty(), "{:?}", overcost(&l));
}

#[test]
fn commitments_in_several_currencies_are_compared_in_dollars_not_against_disbursements() {
    // Commitments of 1,000,000 USD and 1,000 KZT, a disbursement of 10 KZT, lines of 500 KZT:
    // the lines are far below what is committed; the disbursement alone is not the funding.
    let flow = |id: &str, kind: &str, amount: &str, currency: &str| {
        json!({"record": "flow", "id": id, "activity": "act", "kind": kind,
            "money": {"amount": amount, "currency": currency, "value_date": "2024-05-29"}})
    };
    let records = [
        json!({"record": "activity", "id": "act", "title": "Ventilators", "instrument": "grant_aid", "status": "implementation"}),
        flow("c1", "commitment", "1000000", "USD"),
        flow("c2", "commitment", "1000", "KZT"),
        flow("d", "disbursement", "10", "KZT"),
        json!({"record": "equipment_line", "id": "eq", "activity": "act", "category": "intensive_care",
            "description": "ventilator", "quantity": 1, "unit_cost": {"amount": "500", "currency": "KZT"}}),
    ];
    let l = Ledger::from_records(
        records
            .into_iter()
            .map(|r| serde_json::from_value::<Record>(r).expect("fixture record")),
    );
    assert!(overcost(&l).is_empty(), "{:?}", overcost(&l));
}
