//! `aidtrace medicine …` on a real SQLite file with the demo: the newcomer's walk from findings to
//! decision, distribution to two facilities, stock and the donor's view.

use std::process::Output;

use serde_json::Value;

mod kit;
use kit::{run, stdout};

const CONSIGNMENT: &str = "con-illustrative-ua-2026-01";
const AMOXICILLIN: &str = "med-illustrative-amoxicillin-500";
const WAREHOUSE: &str = "fac-ua-illustrative-central-warehouse";

fn ok(out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn demo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    ok(&run(dir.path(), &["demo"]));
    dir
}

fn distribute(dir: &std::path::Path, to: &str, quantity: &str) -> Output {
    run(
        dir,
        &[
            "medicine",
            "move",
            CONSIGNMENT,
            "--kind",
            "distribution",
            "--product",
            AMOXICILLIN,
            "--lot",
            "AMX2611",
            "--from",
            WAREHOUSE,
            "--to",
            to,
            "--quantity",
            quantity,
            "--date",
            "2026-12-01",
        ],
    )
}

#[test]
fn check_lists_the_demo_findings_and_exits_1() {
    let dir = demo();
    let out = run(
        dir.path(),
        &["medicine", "check", CONSIGNMENT, "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(1));
    let findings: Value = serde_json::from_str(&stdout(&out)).expect("json");
    let rules: Vec<&str> = findings
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(rules.contains(&"MED-NOT-REGISTERED"), "{rules:?}");
    assert!(rules.contains(&"MED-NO-INN"), "{rules:?}");
}

#[test]
fn decide_distribute_to_two_facilities_then_stock_and_donor_view() {
    let dir = demo();
    ok(&run(
        dir.path(),
        &[
            "medicine",
            "decide",
            CONSIGNMENT,
            "--outcome",
            "accept-in-part",
            "--lines",
            "0,1",
        ],
    ));
    ok(&distribute(
        dir.path(),
        "fac-ua-illustrative-kharkiv-a",
        "5000",
    ));
    ok(&distribute(
        dir.path(),
        "fac-ua-illustrative-sumy-c",
        "3000",
    ));
    let refused = distribute(dir.path(), "fac-ua-illustrative-sumy-c", "99999");
    assert_eq!(refused.status.code(), Some(2), "bad input");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("quantity"));

    let csv = run(dir.path(), &["medicine", "stock", "--format", "csv"]);
    ok(&csv);
    let text = stdout(&csv);
    assert!(
        text.starts_with("facility,product,inn,lot,expiry,band,on_hand"),
        "{text}"
    );
    assert!(text.contains("fac-ua-illustrative-kharkiv-a,med-illustrative-amoxicillin-500,amoxicillin,AMX2611,2029-05-31,later,5000"), "{text}");

    let donor = run(
        dir.path(),
        &[
            "medicine",
            "donor",
            "org-illustrative-medicine-donor",
            "--format",
            "json",
        ],
    );
    ok(&donor);
    let rows: Value = serde_json::from_str(&stdout(&donor)).expect("json");
    let amx = rows
        .as_array()
        .expect("array")
        .iter()
        .find(|r| r["lot"] == "AMX2611")
        .expect("lot");
    assert_eq!(amx["moved"]["distribution"], 8000);
    assert_eq!(amx["on_hand"], 20000);
}
