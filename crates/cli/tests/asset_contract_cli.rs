//! `aidtrace asset contract …` and `aidtrace asset part …` on a real SQLite file with the demo:
//! add, list in table/csv/json, alerts with their exit code, migrate, stock from movements and
//! the refusals (exit 2, nothing written).

use std::process::Output;

mod kit;
use kit::{code, json, run, stderr, stdout};

fn ok(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    stdout(out)
}

fn demo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    ok(&run(dir.path(), &["demo"]));
    dir
}

fn add_warranty(dir: &std::path::Path, id: &str, end: &str) -> Output {
    run(
        dir,
        &[
            "asset",
            "contract",
            "add",
            "--id",
            id,
            "--vendor",
            "org-mfr-unstated-imaging",
            "--kind",
            "warranty",
            "--asset",
            "as-semey-mri-1",
            "--start",
            "2025-01-01",
            "--end",
            end,
            "--annual-cost",
            "5000",
            "--currency",
            "USD",
            "--response-hours",
            "4",
            "--uptime-pct",
            "95",
            "--hours",
            "8-18",
        ],
    )
}

#[test]
fn a_contract_is_added_and_listed_in_each_format() {
    let dir = demo();
    let p = dir.path();
    assert!(ok(&add_warranty(p, "ct-mri", "2026-12-31")).contains("added contract ct-mri"));
    let table = ok(&run(
        p,
        &["asset", "contract", "list", "--today", "2026-03-01"],
    ));
    assert!(
        table.contains("ct-mri") && table.contains("warranty"),
        "{table}"
    );
    let csv = ok(&run(
        p,
        &[
            "asset",
            "contract",
            "list",
            "--today",
            "2026-03-01",
            "--format",
            "csv",
        ],
    ));
    assert!(
        csv.starts_with("id,vendor,kind,start,end,standing"),
        "{csv}"
    );
    assert!(csv.contains("ct-mri,org-mfr-unstated-imaging,warranty,2025-01-01,2026-12-31,active"));
    let out = run(
        p,
        &[
            "asset",
            "contract",
            "list",
            "--today",
            "2026-03-01",
            "--format",
            "json",
        ],
    );
    let rows = json(&out);
    assert_eq!(rows[0]["contract"]["id"], "ct-mri");
    assert_eq!(rows[0]["standing"], "active");
    assert_eq!(rows[0]["contract"]["covered_hours"]["days"][4], "fri");
}

#[test]
fn alerts_exit_one_when_a_contract_ends_within_the_horizon() {
    let dir = demo();
    let p = dir.path();
    ok(&add_warranty(p, "ct-mri", "2026-03-20"));
    let out = run(
        p,
        &[
            "asset",
            "contract",
            "alerts",
            "--today",
            "2026-03-01",
            "--format",
            "csv",
        ],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stdout(&out).contains("ct-mri"), "{}", stdout(&out));
    assert!(
        stdout(&out).contains(",ending_soon,yes,"),
        "{}",
        stdout(&out)
    );
    // With a 10-day horizon it is not yet an alert.
    let out = run(
        p,
        &[
            "asset",
            "contract",
            "alerts",
            "--today",
            "2026-03-01",
            "--within",
            "10",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stdout(&out));
}

#[test]
fn bad_contract_options_are_refused_naming_them_and_nothing_is_written() {
    let dir = demo();
    let p = dir.path();
    let out = run(
        p,
        &[
            "asset",
            "contract",
            "add",
            "--id",
            "ct-x",
            "--vendor",
            "org-mfr-unstated-imaging",
            "--kind",
            "lifetime",
            "--asset",
            "as-semey-mri-1",
            "--start",
            "2025-01-01",
            "--end",
            "2025-12-31",
        ],
    );
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--kind"), "{}", stderr(&out));
    let out = run(
        p,
        &[
            "asset",
            "contract",
            "add",
            "--id",
            "ct-x",
            "--vendor",
            "org-mfr-unstated-imaging",
            "--kind",
            "warranty",
            "--asset",
            "as-semey-mri-1",
            "--start",
            "2025-01-01",
            "--end",
            "2025-12-31",
            "--annual-cost",
            "10",
        ],
    );
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--currency"), "{}", stderr(&out));
    let out = run(
        p,
        &[
            "asset",
            "contract",
            "add",
            "--id",
            "ct-x",
            "--vendor",
            "org-mfr-unstated-imaging",
            "--kind",
            "warranty",
            "--start",
            "2025-01-01",
            "--end",
            "2025-12-31",
        ],
    );
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("model"), "{}", stderr(&out));
    let list = ok(&run(p, &["asset", "contract", "list", "--format", "json"]));
    assert_eq!(list.trim(), "[]");
}

#[test]
fn migrate_moves_nothing_on_the_demo_and_says_so() {
    let dir = demo();
    let out = ok(&run(
        dir.path(),
        &["asset", "contract", "migrate", "--dry-run"],
    ));
    assert!(out.contains("nothing to move"), "{out}");
}

#[test]
fn parts_stock_follows_movements_and_alerts_below_the_minimum() {
    let dir = demo();
    let p = dir.path();
    ok(&run(
        p,
        &[
            "asset",
            "part",
            "add",
            "--id",
            "sp-coil",
            "--model",
            "dm-illustrative-mri",
            "--number",
            "HC-42",
            "--name",
            "Head coil cable",
            "--unit",
            "piece",
            "--min",
            "fac-semey-university-hospital=2",
        ],
    ));
    ok(&run(
        p,
        &[
            "asset",
            "part",
            "move",
            "sp-coil",
            "--facility",
            "fac-semey-university-hospital",
            "--kind",
            "receipt",
            "--quantity",
            "3",
            "--at",
            "2026-01-10T09:00",
        ],
    ));
    ok(&run(
        p,
        &[
            "asset",
            "part",
            "move",
            "sp-coil",
            "--facility",
            "fac-semey-university-hospital",
            "--kind",
            "adjustment",
            "--quantity",
            "-2",
            "--at",
            "2026-01-11T09:00",
        ],
    ));
    let out = run(p, &["asset", "part", "stock", "--format", "json"]);
    let lines = json(&out);
    assert_eq!(lines[0]["on_hand"], 1);
    assert_eq!(lines[0]["below_minimum"], true);
    let out = run(p, &["asset", "part", "alerts", "--format", "csv"]);
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).contains("fac-semey-university-hospital,sp-coil,HC-42"));
    let list = ok(&run(p, &["asset", "part", "list"]));
    assert!(list.contains("HC-42"), "{list}");
    // Two more would leave −1: refused, exit 2, the stock unchanged.
    let out = run(
        p,
        &[
            "asset",
            "part",
            "move",
            "sp-coil",
            "--facility",
            "fac-semey-university-hospital",
            "--kind",
            "adjustment",
            "--quantity",
            "-2",
            "--at",
            "2026-01-12T09:00",
        ],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("quantity"), "{}", stderr(&out));
    let lines = json(&run(p, &["asset", "part", "stock", "--format", "json"]));
    assert_eq!(lines[0]["on_hand"], 1);
}

#[test]
fn a_consumption_without_a_work_order_is_refused() {
    let dir = demo();
    let p = dir.path();
    ok(&run(
        p,
        &[
            "asset",
            "part",
            "add",
            "--id",
            "sp-coil",
            "--model",
            "dm-illustrative-mri",
            "--number",
            "HC-42",
            "--name",
            "Head coil cable",
            "--unit",
            "piece",
        ],
    ));
    let out = run(
        p,
        &[
            "asset",
            "part",
            "move",
            "sp-coil",
            "--facility",
            "fac-semey-university-hospital",
            "--kind",
            "consumption",
            "--quantity",
            "1",
            "--at",
            "2026-01-12T09:00",
        ],
    );
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("work_order"), "{}", stderr(&out));
}

#[test]
fn contracted_uptime_is_read_from_the_contract_and_agrees_with_its_sla_check() {
    let dir = demo();
    let p = dir.path();
    ok(&add_warranty(p, "ct-mri", "2025-12-31"));
    let kpi = json(&run(
        p,
        &[
            "kpi",
            "contracted",
            "--from",
            "2025-01-01",
            "--to",
            "2025-12-31",
            "--format",
            "json",
        ],
    ));
    let mri = &kpi["as-semey-mri-1"];
    assert_eq!(mri["contracts"][0], "ct-mri", "{kpi}");
    assert_eq!(mri["guaranteed_pct"], "95", "{kpi}");
    // Only assets whose contracts define contracted hours are listed (and "all").
    assert_eq!(kpi.as_object().map(|o| o.len()), Some(2), "{kpi}");
    let list = json(&run(
        p,
        &[
            "asset",
            "contract",
            "list",
            "--today",
            "2026-03-01",
            "--format",
            "json",
        ],
    ));
    let sla = &list[0]["uptime"];
    assert_eq!(mri["uptime_pct"], sla["measured_pct"], "{list}");
    assert_eq!(mri["contracted_hours"], sla["hours"], "{list}");
    assert_eq!(mri["sla"], sla["status"], "{list}");
}
