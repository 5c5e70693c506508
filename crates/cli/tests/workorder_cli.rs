//! `aidtrace workorder open / ack / start / close` with result, labour rate, parts, checklist
//! and readings, on a real SQLite file with the demo.

use std::process::Output;

use serde_json::Value;

mod kit;
use kit::run;

fn ok(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const ORDER: &str = "wo-as-semey-mri-1-20260201T080000";

/// The demo with an open corrective order on the MRI, acknowledged and started.
fn started_order() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    ok(&run(dir.path(), &["demo"]));
    let p = dir.path();
    ok(&run(
        p,
        &[
            "workorder",
            "open",
            "as-semey-mri-1",
            "--kind",
            "corrective",
            "--at",
            "2026-02-01T08:00:00",
        ],
    ));
    ok(&run(
        p,
        &[
            "workorder",
            "ack",
            ORDER,
            "--at",
            "2026-02-01T09:00:00",
            "--assignee",
            "A. Nurlanov",
        ],
    ));
    ok(&run(
        p,
        &["workorder", "start", ORDER, "--at", "2026-02-01T10:00:00"],
    ));
    dir
}

const READING: &str =
    "electrical_safety;protective earth resistance;0.12;Ω;..0.3;ESA-615 #3301;2025-11-01";

#[test]
fn a_work_order_is_closed_with_result_labour_at_a_rate_parts_checklist_and_reading() {
    let dir = started_order();
    let p = dir.path();
    ok(&run(
        p,
        &[
            "workorder",
            "close",
            ORDER,
            "--at",
            "2026-02-02T10:00:00",
            "--labour-hours",
            "24",
            "--rate",
            "12",
            "--currency",
            "USD",
            "--part",
            "cold head seal:2:35",
            "--check",
            "helium level=pass",
            "--reading",
            READING,
            "--result",
            "pass",
        ],
    ));
    let json: Value = serde_json::from_str(&ok(&run(
        p,
        &[
            "workorder",
            "list",
            "--asset",
            "as-semey-mri-1",
            "--format",
            "json",
        ],
    )))
    .expect("json");
    let order = json
        .as_array()
        .expect("list")
        .iter()
        .find(|w| w["id"] == ORDER)
        .expect("the order");
    assert_eq!(order["acknowledged"], "2026-02-01T09:00:00");
    assert_eq!(order["started"], "2026-02-01T10:00:00");
    assert_eq!(order["assignee"], "A. Nurlanov");
    assert_eq!(order["result"], "pass");
    assert_eq!(order["labour_rate"]["amount"], "12");
    assert_eq!(order["parts"][0]["quantity"], 2);
    assert_eq!(order["checklist"][0]["item"], "helium level");
    assert_eq!(order["readings"][0]["instrument"], "ESA-615 #3301");
    assert_eq!(order["readings"][0]["max"], "0.3");
}

#[test]
fn a_pass_with_a_reading_out_of_tolerance_is_refused_naming_the_field() {
    let dir = started_order();
    let out = run(
        dir.path(),
        &[
            "workorder",
            "close",
            ORDER,
            "--at",
            "2026-02-02T10:00:00",
            "--reading",
            &READING.replace(";0.12;", ";0.42;"),
            "--result",
            "pass",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("result") && err.contains("out of tolerance"),
        "{err}"
    );
}

#[test]
fn a_malformed_part_is_refused_naming_the_option() {
    let dir = started_order();
    let out = run(
        dir.path(),
        &[
            "workorder",
            "close",
            ORDER,
            "--currency",
            "USD",
            "--part",
            "seal:two:35",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--part") && err.contains("two"), "{err}");
}
