//! The dated checks read "today" from the service's injectable clock (the domain has none), and
//! the time a commitment may wait for a disbursement is the caller's setting.

mod kit;

use aidtrace_service::Aidtrace;
use chrono::NaiveDateTime;

const RECORDS: &str = r#"{"records": [
  {"record": "activity", "id": "act-late", "title": "Ventilators", "instrument": "grant_aid",
   "status": "implementation", "start_date": "2025-01-01", "end_date": "2026-01-31"},
  {"record": "flow", "id": "flow-late-commitment", "activity": "act-late", "kind": "commitment",
   "money": {"amount": "5000000", "currency": "EUR", "value_date": "2025-02-01"}}
]}"#;

fn at(now: fn() -> NaiveDateTime) -> (kit::Guard, Aidtrace) {
    let (dir, app) = kit::open();
    let mut app = app.with_clock(now);
    app.load_json("test", RECORDS).expect("load");
    (dir, app)
}

fn end_of_2025() -> NaiveDateTime {
    "2025-12-31T12:00:00".parse().expect("time")
}

fn autumn_2026() -> NaiveDateTime {
    "2026-10-01T12:00:00".parse().expect("time")
}

fn rules(findings: &[aidtrace_domain::checks::Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.rule).collect()
}

#[test]
fn before_the_end_date_and_within_a_year_nothing_dated_is_flagged() {
    let (_d, app) = at(end_of_2025);
    let found = app.check().expect("check");
    assert!(!rules(&found).contains(&"ACT-OVERDUE"), "{found:?}");
    assert!(!rules(&found).contains(&"LEDGER-UNDISBURSED"), "{found:?}");
}

#[test]
fn the_clock_s_date_makes_the_activity_overdue_and_the_commitment_undisbursed() {
    let (_d, app) = at(autumn_2026);
    let found = app.check().expect("check");
    let overdue = found
        .iter()
        .find(|f| f.rule == "ACT-OVERDUE")
        .expect("overdue");
    assert_eq!(overdue.record.as_str(), "act-late");
    let stuck = found
        .iter()
        .find(|f| f.rule == "LEDGER-UNDISBURSED")
        .expect("undisbursed");
    assert_eq!(stuck.record.as_str(), "flow-late-commitment");
}

#[test]
fn a_longer_undisbursed_time_is_honoured() {
    let (_d, app) = at(autumn_2026);
    let found = app.check_with(1000).expect("check");
    assert!(!rules(&found).contains(&"LEDGER-UNDISBURSED"), "{found:?}");
}
