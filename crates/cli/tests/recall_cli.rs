//! `aidtrace asset incident …`, `aidtrace asset recall …`, `aidtrace workorder void` and
//! `aidtrace asset void-reading` on a real SQLite file with the demo.

use serde_json::Value;

mod kit;
use kit::{run, stderr, stdout};

fn demo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(dir.path(), &["demo"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    dir
}

fn ok(dir: &tempfile::TempDir, args: &[&str]) -> String {
    let out = run(dir.path(), args);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

fn add_notice(dir: &tempfile::TempDir) {
    ok(
        dir,
        &[
            "asset",
            "recall",
            "add",
            "fsn-vent-1",
            "--issuer",
            "org-mfr-unstated-icu",
            "--reference",
            "FSN-2026-014",
            "--date",
            "2026-02-20",
            "--model",
            "dm-illustrative-ventilator",
            "--serial-range",
            "SN0100..SN0199",
            "--action",
            "replace the oxygen sensor",
        ],
    );
}

#[test]
fn a_notice_is_found_by_serial_and_lists_the_ventilators_to_check() {
    let dir = demo();
    add_notice(&dir);
    let found = ok(
        &dir,
        &["asset", "recall", "search", "SN0150", "--format", "csv"],
    );
    assert!(found.contains("fsn-vent-1"), "{found}");
    let none = ok(
        &dir,
        &["asset", "recall", "search", "SN0200", "--format", "csv"],
    );
    assert!(!none.contains("fsn-vent-1"), "{none}");
    let shown = ok(
        &dir,
        &["asset", "recall", "show", "fsn-vent-1", "--format", "json"],
    );
    let v: Value = serde_json::from_str(&shown).expect("json");
    let affected = v["affected"].as_array().expect("affected");
    assert_eq!(affected.len(), 4, "{shown}");
    // The demo's ventilators have no serial recorded: each must be checked, none is left out.
    assert!(affected.iter().all(|a| a["match"] == "unverified"));
    assert_eq!(v["without_order"], 4);
}

#[test]
fn recall_orders_are_opened_once_and_their_completion_shows() {
    let dir = demo();
    add_notice(&dir);
    let first = ok(
        &dir,
        &[
            "asset",
            "recall",
            "orders",
            "fsn-vent-1",
            "--at",
            "2026-02-21T08:00",
        ],
    );
    assert!(first.contains("4 recall-action orders opened"), "{first}");
    let again = ok(
        &dir,
        &[
            "asset",
            "recall",
            "orders",
            "fsn-vent-1",
            "--at",
            "2026-02-21T08:00",
        ],
    );
    assert!(again.contains("0 recall-action orders opened"), "{again}");
    let order = first
        .lines()
        .find_map(|l| l.strip_prefix("opened work order "))
        .expect("an order id")
        .to_string();
    ok(
        &dir,
        &[
            "workorder",
            "close",
            &order,
            "--at",
            "2026-02-22T10:00",
            "--result",
            "pass",
        ],
    );
    let table = ok(&dir, &["asset", "recall", "show", "fsn-vent-1"]);
    assert!(
        table.contains("4 to act on, 1 done, 3 in progress, 0 without an order"),
        "{table}"
    );
}

#[test]
fn a_notice_with_a_bad_serial_range_is_refused_naming_the_option() {
    let dir = demo();
    let out = run(
        dir.path(),
        &[
            "asset",
            "recall",
            "add",
            "fsn-x",
            "--issuer",
            "org-mfr-unstated-icu",
            "--reference",
            "R",
            "--date",
            "2026-02-20",
            "--model",
            "dm-illustrative-ventilator",
            "--serial-range",
            "SN0100",
            "--action",
            "inspect",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--serial-range"), "{}", stderr(&out));
}

#[test]
fn an_incident_is_recorded_and_listed() {
    let dir = demo();
    ok(
        &dir,
        &[
            "asset",
            "incident",
            "add",
            "as-semey-vent-1",
            "--severity",
            "serious",
            "--description",
            "oxygen reading wrong",
            "--at",
            "2026-02-10T14:00+05:00",
            "--reported-to-regulator",
            "--id",
            "inc-1",
        ],
    );
    let list = ok(
        &dir,
        &[
            "asset",
            "incident",
            "list",
            "--asset",
            "as-semey-vent-1",
            "--format",
            "json",
        ],
    );
    let v: Value = serde_json::from_str(&list).expect("json");
    assert_eq!(v[0]["id"], "inc-1");
    assert_eq!(v[0]["at"], "2026-02-10T09:00:00");
    assert_eq!(v[0]["reported_to_regulator"], true);
    assert_eq!(v[0]["patient_harm"], false);
}

#[test]
fn an_incident_with_an_unknown_severity_is_refused_naming_the_option() {
    let dir = demo();
    let out = run(
        dir.path(),
        &[
            "asset",
            "incident",
            "add",
            "as-semey-vent-1",
            "--severity",
            "bad",
            "--description",
            "x",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--severity"), "{}", stderr(&out));
}

#[test]
fn an_incident_in_the_future_is_refused() {
    let dir = demo();
    let out = run(
        dir.path(),
        &[
            "asset",
            "incident",
            "add",
            "as-semey-vent-1",
            "--severity",
            "minor",
            "--description",
            "x",
            "--at",
            "2099-01-01",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("in the future"), "{}", stderr(&out));
}

#[test]
fn a_work_order_is_voided_with_its_reason() {
    let dir = demo();
    add_notice(&dir);
    let first = ok(
        &dir,
        &[
            "asset",
            "recall",
            "orders",
            "fsn-vent-1",
            "--at",
            "2026-02-21T08:00",
        ],
    );
    let order = first
        .lines()
        .find_map(|l| l.strip_prefix("opened work order "))
        .expect("an order id")
        .to_string();
    let out = ok(
        &dir,
        &["workorder", "void", &order, "--reason", "duplicate"],
    );
    assert!(out.contains("voided work order"), "{out}");
    let again = run(
        dir.path(),
        &["workorder", "void", &order, "--reason", "again"],
    );
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("voided"), "{}", stderr(&again));
}

#[test]
fn an_unknown_meter_reading_cannot_be_voided() {
    let dir = demo();
    let out = run(
        dir.path(),
        &["asset", "void-reading", "mr-none", "--reason", "typo"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("mr-none"), "{}", stderr(&out));
}

#[test]
fn contracted_uptime_takes_a_typed_coverage_window_and_refuses_a_bad_one() {
    let dir = demo();
    let out = ok(
        &dir,
        &[
            "kpi",
            "contracted",
            "--from",
            "2025-01-01",
            "--to",
            "2025-12-31",
            "--coverage",
            "mon-fri 08:00-17:00 +05:00",
            "--format",
            "json",
        ],
    );
    let v: Value = serde_json::from_str(&out).expect("json");
    assert!(!v["all"]["contracted_hours"].is_null(), "{out}");
    let bad = run(
        dir.path(),
        &["kpi", "contracted", "--coverage", "mon-fri 17:00-08:00"],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("--coverage"), "{}", stderr(&bad));
}
