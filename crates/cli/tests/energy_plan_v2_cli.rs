//! `aidtrace energy plan --from-db --version 2` and `energy commit-plan` end to end on a real
//! SQLite demo store: the illustrative Ukrainian hospitals planned with explain, fuel logistics
//! and autonomy; the JSON plan committed as assets once (a second run writes nothing); bad input
//! exits 2 naming the flag or field.

mod kit;
use kit::run;

fn demo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(dir.path(), &["demo"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    dir
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const PLAN: &[&str] = &[
    "energy",
    "plan",
    "--from-db",
    "--version",
    "2",
    "--unit",
    "JICA-100:100:6",
    "--fuel-l-per-day",
    "4000",
    "--install-units",
    "3",
    "--country",
    "UA",
    "--skip-unknown",
    "--fuel-price",
    "1.5",
    "--time-limit",
    "0.5",
];

#[test]
fn plan_from_db_version_2_prints_plan_explain_logistics_and_autonomy() {
    let dir = demo();
    let out = run(dir.path(), PLAN);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stdout.contains("JICA-100"), "{stdout}");
    assert!(stdout.contains("model version 2"));
    assert!(stdout.contains("UA-63"));
    assert!(stdout.contains("P(72 h)"));
    assert!(stdout.contains("ILLUSTRATIVE"));
    // The hospital with unknown loads is named on stderr, never planned as 0.
    assert!(text(&out.stderr).contains("left out: fac-ua-okhmatdyt"));
}

/// The demo's only figures beyond the store: what a region can deliver and install.
const NO_UNITS: &[&str] = &[
    "energy",
    "plan",
    "--from-db",
    "--version",
    "2",
    "--fuel-l-per-day",
    "4000",
    "--install-units",
    "3",
    "--country",
    "UA",
    "--skip-unknown",
    "--time-limit",
    "0.5",
];

#[test]
fn plan_from_db_version_2_without_units_plans_the_seeds_generator_lines() {
    let dir = demo();
    let out = run(dir.path(), NO_UNITS);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    // Both lines of the JICA activity, the kVA one at the power factor.
    assert!(stdout.contains("JICA-100kW"), "{stdout}");
    assert!(stdout.contains("JICA-250kVA"), "{stdout}");
    // Their ratings are invented, and the output says so.
    assert!(
        stderr.contains("equipment line eq-ua-jica-gen-100kw (JICA-100kW): illustrative"),
        "{stderr}"
    );
}

#[test]
fn the_fleet_of_the_lines_is_the_lines_quantities_and_ratings() {
    let dir = demo();
    let mut args = NO_UNITS.to_vec();
    args.extend(["--format", "json"]);
    let out = run(dir.path(), &args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let fleet = v["instance"]["fleet"].as_array().expect("fleet");
    let by = |m: &str| fleet.iter().find(|x| x["model"] == m).cloned().expect(m);
    assert_eq!(by("JICA-100kW")["count"], 6);
    assert_eq!(by("JICA-100kW")["prime_kw"], 100.0);
    assert_eq!(by("JICA-250kVA")["count"], 2);
    assert_eq!(by("JICA-250kVA")["prime_kva"], 250.0);
    assert_eq!(v["fleet_lines"]["JICA-100kW"], "eq-ua-jica-gen-100kw");
}

#[test]
fn an_activity_without_generator_lines_exits_2_naming_the_fleet() {
    let dir = demo();
    let mut args = NO_UNITS.to_vec();
    args.extend(["--activity", "act-ua-japan-health"]);
    let out = run(dir.path(), &args);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("fleet = []"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn an_unknown_fleet_activity_exits_2_naming_it() {
    let dir = demo();
    let mut args = NO_UNITS.to_vec();
    args.extend(["--activity", "act-nope"]);
    let out = run(dir.path(), &args);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("act-nope"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn units_recorded_from_a_plan_of_the_lines_are_not_planned_again() {
    // The demo plan places all 8 sets (6 × JICA-100kW, 2 × JICA-250kVA); once recorded, the
    // lines have nothing left, and the refusal says why instead of planning 0 units.
    let dir = demo();
    let mut args = NO_UNITS.to_vec();
    args.extend(["--format", "json"]);
    let out = run(dir.path(), &args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let first: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let placed: u64 = first["plan"]["assignments"]
        .as_array()
        .expect("assignments")
        .iter()
        .map(|a| a["units"].as_u64().expect("units"))
        .sum();
    assert_eq!(placed, 8);
    std::fs::write(dir.path().join("plan.json"), &out.stdout).expect("write plan");
    let commit = run(
        dir.path(),
        &[
            "energy",
            "commit-plan",
            "plan.json",
            "--activity",
            "act-ua-jica-generators",
            "--source",
            "src-ua-japan-health-2024-05",
            "--format",
            "json",
        ],
    );
    assert!(commit.status.success(), "{}", text(&commit.stderr));
    let again = run(dir.path(), NO_UNITS);
    let stderr = text(&again.stderr);
    assert_eq!(again.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "eq-ua-jica-gen-100kw (JICA-100kW): all 6 sets are already recorded as assets"
        ),
        "{stderr}"
    );
}

#[test]
fn a_version_1_flag_with_version_2_exits_2() {
    let dir = demo();
    let mut args = PLAN.to_vec();
    args.extend(["--hours", "72"]);
    let out = run(dir.path(), &args);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--hours"));
}

#[test]
fn commit_plan_writes_the_units_once() {
    let dir = demo();
    let mut args = PLAN.to_vec();
    args.extend(["--format", "json"]);
    let out = run(dir.path(), &args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    std::fs::write(dir.path().join("plan.json"), &out.stdout).expect("write plan");
    let commit = [
        "energy",
        "commit-plan",
        "plan.json",
        "--activity",
        "act-ua-jica-generators",
        "--source",
        "src-ua-japan-health-2024-05",
        "--format",
        "json",
    ];
    let first = run(dir.path(), &commit);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let v: serde_json::Value = serde_json::from_slice(&first.stdout).expect("json");
    let written = v["written"].as_array().expect("written").len();
    assert!(written > 0);
    let second = run(dir.path(), &commit);
    assert!(second.status.success(), "{}", text(&second.stderr));
    let v: serde_json::Value = serde_json::from_slice(&second.stdout).expect("json");
    assert_eq!(v["written"].as_array().expect("written").len(), 0);
    assert_eq!(v["kept"].as_array().expect("kept").len(), written);
    assert_eq!(v["created"], 0);
}

#[test]
fn commit_plan_with_an_unknown_activity_exits_2_naming_it() {
    let dir = demo();
    let mut args = PLAN.to_vec();
    args.extend(["--format", "json"]);
    let out = run(dir.path(), &args);
    std::fs::write(dir.path().join("plan.json"), &out.stdout).expect("write plan");
    let bad = run(
        dir.path(),
        &[
            "energy",
            "commit-plan",
            "plan.json",
            "--activity",
            "act-nope",
            "--source",
            "src-ua-japan-health-2024-05",
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("act-nope"));
}

#[test]
fn commit_plan_of_a_file_that_is_no_plan_exits_2() {
    let dir = demo();
    std::fs::write(dir.path().join("x.json"), b"{\"plan\": 3}").expect("write");
    let out = run(
        dir.path(),
        &[
            "energy",
            "commit-plan",
            "x.json",
            "--activity",
            "act-ua-jica-generators",
            "--source",
            "src-ua-japan-health-2024-05",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("x.json"));
}

#[test]
fn plan_states_the_critical_kwh_served_beside_the_weighted_objective() {
    let dir = demo();
    let out = run(dir.path(), PLAN);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        stdout.contains("critical energy served over the 90-day horizon: "),
        "{stdout}"
    );
    assert!(
        stdout.contains("a score for comparing plans, not energy"),
        "{stdout}"
    );
    assert!(!stdout.contains("kWh (weighted)"), "{stdout}");
}

#[test]
fn logistics_total_reads_as_a_daily_rate() {
    let dir = demo();
    let out = run(dir.path(), PLAN);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        stdout.contains("L per day (a daily rate, on every day of the 90-day horizon)"),
        "{stdout}"
    );
    assert!(!stdout.contains("over 90 days:"), "{stdout}");
}
