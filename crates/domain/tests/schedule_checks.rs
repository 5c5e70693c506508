//! Checks an aid officer expects that need today's date or the equipment lines: an activity past
//! its end date still in implementation (ACT-OVERDUE), a commitment without any disbursement
//! after the configured time (LEDGER-UNDISBURSED), equipment lines whose quantities × unit costs
//! do not add up to the commitment (EQ-SUM). Each case beside the one that must not be flagged.

use aidtrace_domain::checks::{self, Finding, Options};
use aidtrace_domain::fx::RateTable;
use aidtrace_domain::{Ledger, Record};
use chrono::NaiveDate;
use serde_json::{Value, json};

fn day(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

fn activity(id: &str, status: &str, end: Option<&str>) -> Value {
    let mut a = json!({"record": "activity", "id": id, "title": "Equipment", "instrument": "grant_aid", "status": status});
    if let Some(end) = end {
        a["start_date"] = json!("2020-01-01");
        a["end_date"] = json!(end);
    }
    a
}

fn flow(
    id: &str,
    activity: &str,
    kind: &str,
    amount: &str,
    currency: &str,
    date: Option<&str>,
) -> Value {
    let mut money = json!({"amount": amount, "currency": currency});
    if let Some(d) = date {
        money["value_date"] = json!(d);
    }
    json!({"record": "flow", "id": id, "activity": activity, "kind": kind, "money": money})
}

fn line(id: &str, quantity: Option<u32>, cost: Option<(&str, &str)>) -> Value {
    let mut l = json!({"record": "equipment_line", "id": id, "activity": "act", "category": "imaging", "description": "MRI scanner"});
    if let Some(q) = quantity {
        l["quantity"] = json!(q);
    }
    if let Some((amount, currency)) = cost {
        l["unit_cost"] = json!({"amount": amount, "currency": currency});
    }
    l
}

fn ledger(records: Vec<Value>) -> Ledger {
    Ledger::from_records(
        records
            .into_iter()
            .map(|r| serde_json::from_value::<Record>(r).expect("fixture record")),
    )
}

fn found(ledger: &Ledger, rule: &str, as_of: &str, days: u32) -> Vec<Finding> {
    let options = Options {
        as_of: Some(day(as_of)),
        undisbursed_after_days: days,
    };
    checks::run_with(ledger, &RateTable::default(), &options)
        .into_iter()
        .filter(|f| f.rule == rule)
        .collect()
}

const TODAY: &str = "2026-12-06";

#[test]
fn an_activity_past_its_end_date_still_in_implementation_is_flagged() {
    let l = ledger(vec![activity("act", "implementation", Some("2025-12-31"))]);
    let f = found(&l, "ACT-OVERDUE", TODAY, 365);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].record.as_str(), "act");
    assert!(
        f[0].message()
            .contains("ended on 2025-12-31, 340 days before 2026-12-06"),
        "{}",
        f[0].message()
    );
    assert!(f[0].severity.is_problem());
}

#[test]
fn a_closed_activity_past_its_end_date_is_not_overdue() {
    let l = ledger(vec![activity("act", "closed", Some("2025-12-31"))]);
    assert!(found(&l, "ACT-OVERDUE", TODAY, 365).is_empty());
}

#[test]
fn an_activity_ending_today_or_later_is_not_overdue() {
    let l = ledger(vec![
        activity("act", "implementation", Some(TODAY)),
        activity("act-later", "implementation", Some("2027-03-31")),
        activity("act-open", "implementation", None),
    ]);
    assert!(found(&l, "ACT-OVERDUE", TODAY, 365).is_empty());
}

#[test]
fn the_dated_rules_are_not_run_without_a_date() {
    let l = ledger(vec![
        activity("act", "implementation", Some("2020-12-31")),
        flow("c", "act", "commitment", "1000", "JPY", Some("2020-01-01")),
    ]);
    let rules: Vec<_> = checks::run(&l, &RateTable::default())
        .into_iter()
        .map(|f| f.rule)
        .collect();
    assert!(!rules.contains(&"ACT-OVERDUE"), "{rules:?}");
    assert!(!rules.contains(&"LEDGER-UNDISBURSED"), "{rules:?}");
}

#[test]
fn a_commitment_without_disbursement_after_a_year_is_flagged() {
    let l = ledger(vec![
        activity("act", "implementation", None),
        flow(
            "c",
            "act",
            "commitment",
            "108700000",
            "JPY",
            Some("2025-06-01"),
        ),
    ]);
    let f = found(&l, "LEDGER-UNDISBURSED", TODAY, 365);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].record.as_str(), "c");
    assert!(
        f[0].message()
            .contains("committed on 2025-06-01, 553 days before 2026-12-06 (limit 365 days)"),
        "{}",
        f[0].message()
    );
}

#[test]
fn a_commitment_with_a_disbursement_is_not_undisbursed() {
    let l = ledger(vec![
        activity("act", "implementation", None),
        flow("c", "act", "commitment", "1000", "JPY", Some("2024-06-01")),
        flow("d", "act", "disbursement", "10", "JPY", Some("2026-11-01")),
    ]);
    assert!(found(&l, "LEDGER-UNDISBURSED", TODAY, 365).is_empty());
}

#[test]
fn a_disbursement_in_a_sub_activity_counts_for_the_programme_commitment() {
    let mut project = activity("act-project", "implementation", None);
    project["parent"] = json!("act");
    let l = ledger(vec![
        activity("act", "implementation", None),
        project,
        flow("c", "act", "commitment", "1000", "JPY", Some("2024-06-01")),
        flow(
            "d",
            "act-project",
            "disbursement",
            "10",
            "JPY",
            Some("2026-11-01"),
        ),
    ]);
    assert!(found(&l, "LEDGER-UNDISBURSED", TODAY, 365).is_empty());
}

#[test]
fn a_commitment_younger_than_the_configured_time_is_not_undisbursed() {
    let l = ledger(vec![
        activity("act", "implementation", None),
        flow("c", "act", "commitment", "1000", "JPY", Some("2025-06-01")),
    ]);
    assert!(found(&l, "LEDGER-UNDISBURSED", TODAY, 1000).is_empty());
}

#[test]
fn the_configured_time_can_be_shorter_than_a_year() {
    let l = ledger(vec![
        activity("act", "implementation", None),
        flow("c", "act", "commitment", "1000", "JPY", Some("2026-10-01")),
    ]);
    assert!(found(&l, "LEDGER-UNDISBURSED", TODAY, 365).is_empty());
    let f = found(&l, "LEDGER-UNDISBURSED", TODAY, 30);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].message().contains("(limit 30 days)"),
        "{}",
        f[0].message()
    );
}

#[test]
fn an_undated_commitment_or_a_cancelled_activity_is_not_undisbursed() {
    let l = ledger(vec![
        activity("act", "implementation", None),
        flow("c", "act", "commitment", "1000", "JPY", None),
        activity("act-cancelled", "cancelled", None),
        flow(
            "c2",
            "act-cancelled",
            "commitment",
            "1000",
            "JPY",
            Some("2020-01-01"),
        ),
    ]);
    assert!(found(&l, "LEDGER-UNDISBURSED", TODAY, 365).is_empty());
}

fn with_lines(commitment: (&str, &str), lines: Vec<Value>) -> Ledger {
    let mut records = vec![
        activity("act", "implementation", None),
        flow(
            "c",
            "act",
            "commitment",
            commitment.0,
            commitment.1,
            Some("2026-01-05"),
        ),
        flow(
            "d",
            "act",
            "disbursement",
            commitment.0,
            commitment.1,
            Some("2026-02-05"),
        ),
    ];
    records.extend(lines);
    ledger(records)
}

#[test]
fn equipment_lines_below_the_commitment_in_its_currency_are_flagged() {
    let l = with_lines(
        ("108700000", "JPY"),
        vec![
            line("eq-mri", Some(1), Some(("60000000", "JPY"))),
            line("eq-us", Some(2), Some(("10000000", "JPY"))),
        ],
    );
    let f = found(&l, "EQ-SUM", TODAY, 365);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].record.as_str(), "act");
    assert!(
        f[0].message().contains("2 equipment lines (quantity × unit cost) add up to 80000000 JPY, but the commitments are 108700000 JPY"),
        "{}",
        f[0].message()
    );
    assert_eq!(
        f[0].ratio().map(|r| r.to_string()).as_deref(),
        Some("0.7360")
    );
}

#[test]
fn equipment_lines_above_the_commitment_are_flagged() {
    let l = with_lines(
        ("1000", "EUR"),
        vec![line("eq", Some(3), Some(("400", "EUR")))],
    );
    let f = found(&l, "EQ-SUM", TODAY, 365);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].message()
            .starts_with("1 equipment line (quantity × unit cost) add up to 1200 EUR"),
        "{}",
        f[0].message()
    );
}

#[test]
fn equipment_lines_within_one_percent_of_the_commitment_are_not_flagged() {
    let l = with_lines(
        ("1000", "EUR"),
        vec![
            line("eq-a", Some(3), Some(("330", "EUR"))),
            line("eq-b", Some(1), Some(("5", "EUR"))),
        ],
    );
    assert!(found(&l, "EQ-SUM", TODAY, 365).is_empty());
}

#[test]
fn a_line_without_quantity_or_cost_leaves_the_sum_unknown_and_unflagged() {
    let l = with_lines(
        ("1000", "EUR"),
        vec![
            line("eq-a", Some(1), Some(("10", "EUR"))),
            line("eq-b", None, Some(("10", "EUR"))),
        ],
    );
    assert!(found(&l, "EQ-SUM", TODAY, 365).is_empty());
    let l = with_lines(
        ("1000", "EUR"),
        vec![
            line("eq-a", Some(1), Some(("10", "EUR"))),
            line("eq-b", Some(4), None),
        ],
    );
    assert!(found(&l, "EQ-SUM", TODAY, 365).is_empty());
}

#[test]
fn lines_in_another_currency_than_the_commitment_are_not_compared() {
    let l = with_lines(
        ("1000", "EUR"),
        vec![line("eq", Some(1), Some(("10", "JPY")))],
    );
    assert!(found(&l, "EQ-SUM", TODAY, 365).is_empty());
}
