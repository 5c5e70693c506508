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
    assert_eq!(inst["facilities"].as_array().map(Vec::len), Some(4));

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

fn energy_data(name: &str) -> String {
    format!("{}/../energy/data/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn autonomy_of_the_example_profile_prints_every_part() {
    let dir = tempfile::tempdir().expect("tempdir");
    let profile = energy_data("example_profile.json");
    let out = run(
        dir.path(),
        &["energy", "autonomy", &profile, "--trials", "100"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for part in [
        "with resupply h",
        "year sweep: continuous outage starting every 1 h of the year (8760 starts)",
        "mean h by start month",
        "mean h by start hour",
        "P critical [95 %]",
        "unserved kWh life support",
        "monthly yields of region UA-30",
        "'autonomy h' counts fuel on site only",
    ] {
        assert!(stdout.contains(part), "{part}\n{stdout}");
    }
}

#[test]
fn autonomy_with_a_schedule_csv_simulates_it_as_a_regime() {
    let dir = tempfile::tempdir().expect("tempdir");
    let profile = energy_data("example_profile.json");
    let schedule = energy_data("example_schedule.csv");
    let out = run(
        dir.path(),
        &[
            "energy",
            "autonomy",
            &profile,
            "--trials",
            "50",
            "--schedule",
            &schedule,
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
    let regimes: Vec<&str> = a["unserved"]
        .as_array()
        .expect("unserved")
        .iter()
        .filter_map(|u| u["regime"].as_str())
        .collect();
    assert!(
        regimes.contains(&"schedule example_schedule.csv"),
        "{regimes:?}"
    );
}

#[test]
fn an_overlapping_schedule_exits_2_naming_the_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("group.csv"),
        "day,off_from,off_to\n1,00:00,04:00\n1,02:00,06:00\n",
    )
    .expect("write");
    let profile = energy_data("example_profile.json");
    let out = run(
        dir.path(),
        &["energy", "autonomy", &profile, "--schedule", "group.csv"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("group.csv") && stderr.contains("line 3"),
        "{stderr}"
    );
}

#[test]
fn a_solar_table_missing_a_month_exits_2_naming_region_and_month() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("table.json"),
        r#"{"source": "test", "regions": [{"id": "UA-30", "name": "Kyiv city", "latitude": 50.45,
            "monthly_kwh_per_kwp_day": {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5,
            "jun": 5, "jul": 5, "aug": 4, "sep": 3, "oct": 2, "nov": 1}}]}"#,
    )
    .expect("write");
    let profile = energy_data("example_profile.json");
    let out = run(
        dir.path(),
        &[
            "energy",
            "autonomy",
            &profile,
            "--solar-table",
            "table.json",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("UA-30") && stderr.contains("dec"),
        "{stderr}"
    );
}

fn plan_files(dir: &std::path::Path) {
    std::fs::write(
        dir.join("inst.json"),
        r#"{"hours": 72, "fuel_litres": 150000, "fuel_l_per_kwh": 0.25, "min_loading": 0.3,
            "max_units_per_facility": 2,
            "facilities": [{"id": "F001", "region": "R1", "weight": 3.0, "unmet_kw": 180.0}],
            "fleet": [{"model": "G100", "prime_kw": 100.0, "count": 12, "idle_l_per_h": 3.45}]}"#,
    )
    .expect("write instance");
    std::fs::write(
        dir.join("plan.json"),
        r#"{"objective": 540.0, "assignments": [{"facility": "F001", "model": "G100", "units": 2}]}"#,
    )
    .expect("write plan");
    std::fs::write(
        dir.join("profile.json"),
        r#"{"facility": "F001", "loads": [{"department": "ICU", "tier": "critical", "kw": 20}],
            "fuel_litres": 1000, "trials": 100}"#,
    )
    .expect("write profile");
}

#[test]
fn autonomy_with_plan_counts_the_units_the_plan_assigns() {
    // Two G100 (3.45 L/h idle); 20 kW runs on one: 1000 / (0.25 × 20 + 3.45) = 118.3 → 118 h.
    let dir = tempfile::tempdir().expect("tempdir");
    plan_files(dir.path());
    let out = run(
        dir.path(),
        &[
            "energy",
            "autonomy",
            "profile.json",
            "--with-plan",
            "plan.json",
            "--instance",
            "inst.json",
            "--facility",
            "F001",
            "--format",
            "json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(s["units_added"].as_array().map(Vec::len), Some(2));
    assert_eq!(s["hours"][1]["hours"], serde_json::json!(118.0));
    let durations: Vec<u64> = s["survival"]
        .as_array()
        .expect("survival")
        .iter()
        .filter_map(|r| r["duration_h"].as_u64())
        .collect();
    assert_eq!(durations, vec![24, 72, 168]);
}

#[test]
fn autonomy_with_plan_for_an_unknown_facility_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    plan_files(dir.path());
    let out = run(
        dir.path(),
        &[
            "energy",
            "autonomy",
            "profile.json",
            "--with-plan",
            "plan.json",
            "--instance",
            "inst.json",
            "--facility",
            "F404",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("F404"), "{stderr}");
}

#[test]
fn autonomy_with_plan_without_the_instance_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    plan_files(dir.path());
    let out = run(
        dir.path(),
        &[
            "energy",
            "autonomy",
            "profile.json",
            "--with-plan",
            "plan.json",
            "--facility",
            "F001",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_solar_table_of_ones_own_serves_a_region_the_bundled_one_lacks() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("table.json"),
        r#"{"source": "site survey", "regions": [{"id": "SITE-1", "name": "Roof", "latitude": 49.0,
            "monthly_kwh_per_kwp_day": {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5,
            "jun": 5, "jul": 5, "aug": 4, "sep": 3, "oct": 2, "nov": 1, "dec": 0.8}}]}"#,
    )
    .expect("write table");
    std::fs::write(
        dir.path().join("profile.json"),
        r#"{"facility": "clinic", "region": "SITE-1", "solar_kwp": 10,
            "battery": {"kwh": 20, "kw": 5},
            "loads": [{"department": "ward", "tier": "critical", "kw": 2}],
            "fuel_litres": 0, "trials": 20, "sweep_every_h": 24}"#,
    )
    .expect("write profile");
    let out = run(
        dir.path(),
        &[
            "energy",
            "autonomy",
            "profile.json",
            "--solar-table",
            "table.json",
            "--trials",
            "10",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("region SITE-1"), "{stdout}");
    // Without the table the region is unknown: exit 2 naming it.
    let out = run(dir.path(), &["energy", "autonomy", "profile.json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("SITE-1"), "{stderr}");
}
