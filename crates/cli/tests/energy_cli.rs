//! `aidtrace energy plan --from-db` and `energy autonomy FACILITY` end to end on a real SQLite
//! demo store: the plan passes the independent checker, bad flags exit 2.

use std::path::PathBuf;

mod kit;
use kit::run;

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
            "weights": {"fac-ua-illustrative-mykolaiv-g": 30}}"#,
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
    // Semey's ventilators and CT state no average kW: said, not silently counted as 0.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "note: fac-semey-university-hospital: 4 life-support or critical load(s) state no average kW"
        ),
        "{stderr}"
    );
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).expect("plan JSON");
    // The weight-30 hospital's critical load from the survey (life support 13 + critical 31.6
    // kW, no backup) is covered in full.
    let covered = plan["covered_kw"]["fac-ua-illustrative-mykolaiv-g"]
        .as_f64()
        .expect("covered");
    assert!((covered - 44.6).abs() < 1e-6, "{plan}");
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
    // Four Kazakh facilities, the demo's eleven Ukrainian hospitals and its illustrative
    // medicines warehouse (a cold chain needs power too).
    assert_eq!(inst["facilities"].as_array().map(Vec::len), Some(16));

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

/// Two hospitals in two regions. UA-63 installs one unit only, so H1 gets one G100 (75 kW usable)
/// of the 180 kW above its own backup; H2's 60 kW need one G100; the third G100 and the 1,000 kW
/// set (30 % of it exceeds either hospital's whole load) stay in the depot.
const V2: &str = r#"{
  "version": 2, "horizon_days": 90, "fuel_l_per_kwh": 0.25, "max_units_per_facility": 2,
  "regions": [ {"id": "UA-63", "outage_h_per_day": 12.0, "fuel_l_per_day": 9000.0, "install_units": 1},
               {"id": "UA-32", "outage_h_per_day": 8.0, "fuel_l_per_day": 400.0, "install_units": 4} ],
  "facilities": [
    {"id": "H1", "region": "UA-63", "loads_kw": {"life_support": 40.0, "critical": 60.0, "essential": 100.0},
     "existing_kw": 20.0, "largest_step_kva": 90.0, "tank_l": 2000.0},
    {"id": "H2", "region": "UA-32", "population_weight": 2.0,
     "loads_kw": {"life_support": 20.0, "critical": 30.0, "essential": 10.0},
     "backup_condition": "absent", "largest_step_kva": 0.0} ],
  "fleet": [ {"model": "G100", "prime_kw": 100.0, "count": 3, "idle_l_per_h": 3.45},
             {"model": "G1000", "prime_kva": 1250.0, "count": 1, "idle_l_per_h": 16.1} ]
}"#;

fn v2_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("v2.json"), V2).expect("write instance");
    dir
}

fn v2_plan(d: &std::path::Path) -> serde_json::Value {
    let out = run(
        d,
        &[
            "energy",
            "plan",
            "v2.json",
            "--format",
            "json",
            "--time-limit",
            "0.5",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(d.join("plan.json"), &out.stdout).expect("write plan");
    serde_json::from_slice(&out.stdout).expect("plan JSON")
}

#[test]
fn a_version_2_instance_is_planned_with_model_version_2_and_passes_check() {
    let dir = v2_dir();
    let plan = v2_plan(dir.path());
    assert_eq!(plan["model_version"], 2);
    assert_eq!(plan["installed_units"]["UA-63"], 1);
    let check = run(dir.path(), &["energy", "check", "v2.json", "plan.json"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}

#[test]
fn a_fleet_model_larger_than_any_site_is_left_in_depot_with_the_reason() {
    let dir = v2_dir();
    let plan = v2_plan(dir.path());
    let depot = plan["left_in_depot"].as_array().expect("left_in_depot");
    let big = depot
        .iter()
        .find(|d| d["model"] == "G1000")
        .expect("G1000 in the depot");
    // 30 % of 1,000 kW exceeds both hospitals' whole load.
    assert_eq!(big["binding"], "eligibility", "{big}");
    assert_eq!(big["units"], 1);
}

#[test]
fn a_version_1_plan_says_it_solved_model_version_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("v1.json"),
        r#"{"hours": 72, "fuel_litres": 1000, "fuel_l_per_kwh": 0.25, "min_loading": 0.3,
            "max_units_per_facility": 2,
            "facilities": [{"id": "F1", "region": "R1", "weight": 1, "unmet_kw": 50}],
            "fleet": [{"model": "G60", "prime_kw": 60, "count": 1, "idle_l_per_h": 3.2}]}"#,
    )
    .expect("write");
    let out = run(
        dir.path(),
        &[
            "energy",
            "plan",
            "v1.json",
            "--format",
            "json",
            "--time-limit",
            "0.2",
        ],
    );
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).expect("plan JSON");
    assert_eq!(plan["model_version"], 1);
}

#[test]
fn explain_on_a_version_2_plan_names_the_binding_constraint() {
    let dir = v2_dir();
    v2_plan(dir.path());
    let out = run(
        dir.path(),
        &[
            "energy",
            "explain",
            "v2.json",
            "plan.json",
            "--format",
            "json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let h1 = rows
        .as_array()
        .and_then(|r| r.iter().find(|x| x["facility"] == "H1"))
        .expect("H1");
    // H1 could use a second G100 but UA-63 installs one unit only.
    assert_eq!(h1["binding"], "installation", "{h1}");
}

#[test]
fn replan_on_a_version_2_plan_redeploys_spare_stock() {
    let dir = v2_dir();
    let plan = v2_plan(dir.path());
    let at_h2 = plan["assignments"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["facility"] == "H2"))
        .expect("a unit at H2")
        .clone();
    let model = at_h2["model"].as_str().expect("model").to_string();
    let out = run(
        dir.path(),
        &[
            "energy",
            "replan",
            "v2.json",
            "--current",
            "plan.json",
            "--destroy",
            &format!("H2:{model}"),
            "--format",
            "json",
            "--time-limit",
            "0.5",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(r["plan"]["model_version"], 2);
    // A spare G100 from the depot replaces the destroyed one.
    assert!(
        r["moves"]
            .as_array()
            .expect("moves")
            .iter()
            .any(|m| m["to"] == "H2" && m["from"].is_null()),
        "{r}"
    );
}

#[test]
fn logistics_gives_litres_tank_days_deliveries_and_costs() {
    let dir = v2_dir();
    v2_plan(dir.path());
    let out = run(
        dir.path(),
        &[
            "energy",
            "logistics",
            "v2.json",
            "--plan",
            "plan.json",
            "--fuel-price",
            "1.5",
            "--format",
            "json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let h1 = v["logistics"]["facilities"]
        .as_array()
        .and_then(|r| r.iter().find(|x| x["facility"] == "H1"))
        .expect("H1")
        .clone();
    // One G100 carries 75 kW of H1's 180 kW above own backup: 12 h × (3.45 + 0.25 × 75) = 266.4 L/day.
    let lpd = h1["litres_per_day"].as_f64().expect("L/day");
    assert!((lpd - 266.4).abs() < 1e-6, "{h1}");
    // A 2,000 L tank lasts 7.5 days; delivering at a quarter left means every 5 days.
    assert!((h1["days_of_autonomy"].as_f64().expect("days") - 2000.0 / 266.4).abs() < 1e-9);
    assert_eq!(h1["resupply_days"], 5.0);
    assert_eq!(h1["deliveries"], 18);
    assert!((h1["eur_per_day"].as_f64().expect("€") - 1.5 * 266.4).abs() < 1e-6);
    assert_eq!(v["replanned"], false);
}

#[test]
fn logistics_what_if_on_delivery_replans_and_writes_csv() {
    let dir = v2_dir();
    let out = run(
        dir.path(),
        &[
            "energy",
            "logistics",
            "v2.json",
            "--delivery",
            "UA-32=0",
            "--format",
            "csv",
            "--time-limit",
            "0.3",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("region,facility,units"), "{text}");
    // Without deliveries to UA-32 nothing runs at H2.
    assert!(!text.contains(",H2,"), "{text}");
    let bad = run(
        dir.path(),
        &["energy", "logistics", "v2.json", "--outage", "UA-99=4"],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("UA-99"));
}

#[test]
fn a_version_2_facility_in_an_unknown_region_exits_2_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("bad.json"),
        V2.replace("\"region\": \"UA-32\"", "\"region\": \"UA-99\""),
    )
    .expect("write");
    let out = run(dir.path(), &["energy", "plan", "bad.json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("facilities[1]") && err.contains("UA-99"),
        "{err}"
    );
}

#[test]
fn gen_model_version_2_writes_an_instance_plan_accepts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(
        dir.path(),
        &[
            "energy",
            "gen",
            "--facilities",
            "12",
            "--units",
            "6",
            "--model-version",
            "2",
            "--variant",
            "step-heavy",
            "-o",
            "g.json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan = run(
        dir.path(),
        &[
            "energy",
            "plan",
            "g.json",
            "--format",
            "json",
            "--time-limit",
            "0.2",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&plan.stdout).expect("plan JSON");
    assert_eq!(v["model_version"], 2);
    let bad = run(
        dir.path(),
        &[
            "energy",
            "gen",
            "--facilities",
            "3",
            "--units",
            "2",
            "--model-version",
            "2",
            "--variant",
            "one-per-site",
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
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
