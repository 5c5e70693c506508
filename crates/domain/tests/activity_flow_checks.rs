//! Checks an aid officer expects across an activity's flows: overspending (compared in the
//! flows' own currency when they share one, so neither a missing rate nor a rate's movement
//! decides it), disbursements before the commitment, providers outside the activity.

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
            .message()
            .contains("200000000 JPY against 108700000 JPY committed"),
        "{}",
        found[0].message()
    );
    assert!(
        found[0].message().contains("1.84×"),
        "{}",
        found[0].message()
    );
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
    assert!(found[0].message().contains("JPY"), "{}", found[0].message());
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
        found[0].message().contains("USD committed"),
        "{}",
        found[0].message()
    );
}

fn findings_of(ledger: &Ledger, rule: &str) -> Vec<Finding> {
    checks::run(ledger, &RateTable::builtin())
        .into_iter()
        .filter(|f| f.rule == rule)
        .collect()
}

#[test]
fn a_disbursement_before_the_first_commitment_is_flagged() {
    let l = ledger(&[
        ("c", "commitment", "100", "JPY", Some("2024-05-29")),
        ("d-early", "disbursement", "10", "JPY", Some("2024-01-10")),
        ("d-later", "disbursement", "10", "JPY", Some("2024-06-10")),
    ]);
    let found = findings_of(&l, "LEDGER-EARLY-DISBURSEMENT");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].record.as_str(), "d-early");
    assert!(
        found[0].message().contains("2024-05-29"),
        "{}",
        found[0].message()
    );
}

#[test]
fn undated_flows_are_not_compared_for_order() {
    let l = ledger(&[
        ("c", "commitment", "100", "JPY", None),
        ("d", "disbursement", "10", "JPY", Some("2024-01-10")),
    ]);
    assert!(findings_of(&l, "LEDGER-EARLY-DISBURSEMENT").is_empty());
}

/// Japan (with its embassy under it) and Korea; an activity Japan funds; flows by `providers`.
fn with_providers(providers: &[(&str, &str)]) -> Ledger {
    let mut records = vec![
        json!({"record": "organisation", "id": "gov-jp", "name": "Government of Japan", "kind": "government"}),
        json!({"record": "organisation", "id": "emb-jp", "name": "Embassy of Japan", "kind": "embassy", "parent": "gov-jp"}),
        json!({"record": "organisation", "id": "gov-kr", "name": "Republic of Korea", "kind": "government"}),
        json!({"record": "activity", "id": "act", "title": "Equipment", "instrument": "grant_aid", "status": "implementation",
            "participants": [{"org": "gov-jp", "role": "funding"}]}),
    ];
    for (id, provider) in providers {
        records.push(json!({"record": "flow", "id": id, "activity": "act", "kind": "disbursement",
            "provider": provider, "money": {"amount": "10", "currency": "JPY", "value_date": "2024-06-10"}}));
    }
    Ledger::from_records(
        records
            .into_iter()
            .map(|r| serde_json::from_value::<Record>(r).expect("fixture record")),
    )
}

#[test]
fn a_provider_outside_the_activity_is_flagged() {
    let l = with_providers(&[("f-kr", "gov-kr")]);
    let found = findings_of(&l, "LEDGER-PROVIDER");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].message().contains("Republic of Korea"),
        "{}",
        found[0].message()
    );
}

#[test]
fn a_provider_under_a_participating_government_is_a_participant() {
    let l = with_providers(&[("f-jp", "gov-jp"), ("f-emb", "emb-jp")]);
    assert!(findings_of(&l, "LEDGER-PROVIDER").is_empty());
}
