//! `aidtrace energy plan --from-db` and `energy autonomy FACILITY` end to end on a real SQLite
//! demo store: the plan passes the independent checker, bad flags exit 2.

use std::path::PathBuf;
use std::process::{Command, Output};

fn run(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aidtrace"))
        .current_dir(dir)
        .env_remove("AIDTRACE_DB")
        .env_remove("AIDTRACE_CONFIG")
        .env("AIDTRACE_ACTOR", "tester")
        .args(args)
        .output()
        .expect("run aidtrace")
}

fn demo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("aidtrace.db");
    let out = run(dir.path(), &["demo"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir, db)
}

#[test]
fn plan_from_db_is_feasible_and_bad_flags_exit_2() {
    let (dir, _db) = demo();
    let d = dir.path();
    let fleet = d.join("fleet.json");
    std::fs::write(
        &fleet,
        r#"{"fleet": [{"model": "G100", "prime_kw": 100, "count": 1}],
            "weights": {"fac-national-center-traumatology": 3}}"#,
    )
    .expect("write fleet");
    let out = run(
        d,
        &[
            "energy",
            "plan",
            "--from-db",
            "--fleet",
            "fleet.json",
            "--unit",
            "G30:30:2",
            "--fuel-litres",
            "5000",
            "--at",
            "2025-12-31T00:00:00",
            "--time-limit",
            "0.3",
            "--format",
            "json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).expect("plan JSON");
    // The weight-3 trauma centre gets the one 100 kW unit.
    let a = plan["assignments"].as_array().expect("assignments");
    assert!(
        a.iter()
            .any(|x| x["facility"] == "fac-national-center-traumatology" && x["model"] == "G100"),
        "{plan}"
    );
    std::fs::write(d.join("plan.json"), &out.stdout).expect("write plan");
    // The instance the store gave, saved by the same run: the independent checker accepts the plan.
    let out = run(
        d,
        &[
            "energy",
            "plan",
            "--from-db",
            "--fleet",
            "fleet.json",
            "--unit",
            "G30:30:2",
            "--fuel-litres",
            "5000",
            "--at",
            "2025-12-31T00:00:00",
            "--time-limit",
            "0.3",
            "--format",
            "json",
            "--save-instance",
            "instance.json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(d.join("plan.json"), &out.stdout).expect("write plan");
    let check = run(d, &["energy", "check", "instance.json", "plan.json"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let inst: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("instance.json")).expect("instance"))
            .expect("instance JSON");
    assert_eq!(inst["fuel_litres"], 5000.0);
    // Four Kazakh facilities and the demo's eleven Ukrainian hospitals.
    assert_eq!(inst["facilities"].as_array().map(Vec::len), Some(15));

    for bad in [
        &["energy", "plan", "--from-db"][..],
        &["energy", "plan", "--from-db", "--unit", "G30:x:2"],
        &[
            "energy",
            "plan",
            "--from-db",
            "--unit",
            "G30:30:2",
            "--hours",
            "0",
        ],
        &[
            "energy",
            "plan",
            "--from-db",
            "--unit",
            "G30:30:2",
            "--min-loading",
            "1.5",
        ],
        &[
            "energy",
            "plan",
            "--from-db",
            "--unit",
            "G30:30:2",
            "--at",
            "yesterday",
        ],
        &["energy", "plan", "--from-db", "--fleet", "missing.json"],
        &["energy", "plan", "plan.json", "--unit", "G30:30:2"],
        &["energy", "plan", "plan.json", "--from-db"],
        &["energy", "plan"],
        &["energy", "autonomy", "fac-nowhere"],
        &[
            "energy",
            "autonomy",
            "fac-semey-university-hospital",
            "--fuel-litres",
            "-1",
        ],
    ] {
        let out = run(d, bad);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{bad:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // A store that does not exist is refused, not created.
    let out = run(
        d,
        &[
            "--db",
            "nope.db",
            "energy",
            "plan",
            "--from-db",
            "--unit",
            "G30:30:2",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(!d.join("nope.db").exists());
}

#[test]
fn autonomy_from_store_prints_assumptions() {
    let (dir, _db) = demo();
    let out = run(
        dir.path(),
        &[
            "energy",
            "autonomy",
            "fac-semey-university-hospital",
            "--fuel-litres",
            "3000",
            "--trials",
            "100",
            "--format",
            "json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let a: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(a["facility"], "fac-semey-university-hospital");
    assert!(!a["assumptions"].as_array().expect("assumptions").is_empty());
}

/// A `transport_kw` region no facility is in is planned (MODEL.md row 6 is empty for it) and
/// noted on stderr, so the JSON on stdout stays the plan alone.
#[test]
fn plan_notes_a_transport_region_without_facilities_on_stderr() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inst = dir.path().join("inst.json");
    std::fs::write(
        &inst,
        r#"{"hours": 72, "fuel_litres": 150000, "fuel_l_per_kwh": 0.25, "min_loading": 0.3,
            "max_units_per_facility": 2,
            "facilities": [{"id": "F001", "region": "R1", "weight": 3.0, "unmet_kw": 180.0}],
            "fleet": [{"model": "G100", "prime_kw": 100.0, "count": 12, "idle_l_per_h": 3.45}],
            "transport_kw": {"R1": 900.0, "R9": 50.0}}"#,
    )
    .expect("write instance");
    let out = run(
        dir.path(),
        &[
            "energy",
            "plan",
            "inst.json",
            "--format",
            "json",
            "--time-limit",
            "0.5",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("note: transport_kw.R9") && stderr.contains("binds nothing"),
        "{stderr}"
    );
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).expect("plan JSON");
    assert_eq!(plan["objective"], serde_json::json!(540.0));
}
