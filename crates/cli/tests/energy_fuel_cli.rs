//! `aidtrace energy fuel` and `energy autonomy FACILITY` on a real SQLite demo store (issue 16):
//! the facility's autonomy read from its load survey, its own backup by condition and the fuel
//! recorded on site; without a recorded stock the fuel on site is unknown and said so, never a
//! silent 0; bad fuel figures exit 2 naming the field.

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

const TRIALS: &[&str] = &["--trials", "20"];

fn autonomy(dir: &std::path::Path, facility: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["energy", "autonomy", facility];
    args.extend_from_slice(TRIALS);
    args.extend_from_slice(extra);
    run(dir, &args)
}

#[test]
fn autonomy_of_a_hospital_reads_its_survey_backup_and_recorded_fuel() {
    let dir = demo();
    let out = autonomy(dir.path(), "fac-ua-illustrative-kharkiv-a", &[]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // The survey's averages (life support 65 kW, critical 158 kW), not assets' active kW.
    assert!(stdout.contains("loads from the load survey"), "{stdout}");
    assert!(stdout.contains("life_support 65"), "{stdout}");
    // 250 kVA working: × 0.8 × 0.75 = 150 kW usable.
    assert!(
        stdout.contains("own backup: 250 kVA, working, 150.0 kW usable"),
        "{stdout}"
    );
    assert!(
        stdout.contains("fuel on site: 1500 L on hand on 2025-12-01, as recorded; tank 2000 L"),
        "{stdout}"
    );
}

#[test]
fn autonomy_with_a_backup_needing_repair_counts_it_as_0_kw() {
    let dir = demo();
    let out = autonomy(dir.path(), "fac-ua-illustrative-kharkiv-b", &[]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stdout.contains("needs_repair, 0.0 kW usable"), "{stdout}");
}

#[test]
fn without_recorded_fuel_autonomy_says_the_fuel_on_site_is_unknown() {
    let dir = demo();
    // Hospital I records no fuel stock (its set needs repair, so capacity ends every tier at 0).
    let out = autonomy(dir.path(), "fac-ua-illustrative-chernihiv-i", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("fuel on site unknown"));
    assert!(text(&out.stdout).contains("fuel on site: fuel on site unknown"));
}

#[test]
fn fuel_recorded_with_energy_fuel_becomes_the_starting_fuel() {
    let dir = demo();
    let out = run(
        dir.path(),
        &[
            "energy",
            "fuel",
            "fac-ua-illustrative-chernihiv-i",
            "--tank-litres",
            "800",
            "--on-hand-litres",
            "640",
            "--as-of",
            "2025-12-15",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("written: pw-ua-illustrative-chernihiv-i"));
    let out = autonomy(dir.path(), "fac-ua-illustrative-chernihiv-i", &[]);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("640 L on hand on 2025-12-15, as recorded; tank 800 L"),
        "{stdout}"
    );
    assert!(!text(&out.stderr).contains("fuel on site unknown"));
}

#[test]
fn given_fuel_litres_beat_the_record() {
    let dir = demo();
    let out = autonomy(
        dir.path(),
        "fac-ua-illustrative-kharkiv-a",
        &["--fuel-litres", "99"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("fuel on site: 99 L, given"));
}

#[test]
fn autonomy_json_carries_the_store_reading_and_each_tiers_bound() {
    let dir = demo();
    let out = autonomy(
        dir.path(),
        "fac-ua-illustrative-kharkiv-a",
        &["--format", "json"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["store"]["fuel"]["id"], "recorded");
    assert_eq!(v["store"]["backup_kw"], 150.0);
    assert_eq!(v["hours_bound"].as_array().map(Vec::len), Some(3));
}

fn refused(args: &[&str], field: &str) {
    let dir = demo();
    let mut all = vec!["energy", "fuel"];
    all.extend_from_slice(args);
    let out = run(dir.path(), &all);
    assert_eq!(out.status.code(), Some(2), "{all:?}: {}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains(field),
        "{all:?}: {}",
        text(&out.stderr)
    );
}

const A: &str = "fac-ua-illustrative-kharkiv-a";

#[test]
fn more_fuel_on_hand_than_the_tank_exits_2_naming_the_field() {
    refused(
        &[
            A,
            "--on-hand-litres",
            "900",
            "--as-of",
            "2025-12-01",
            "--tank-litres",
            "500",
        ],
        "fuel.on_hand_litres",
    );
}

#[test]
fn fuel_on_hand_without_a_date_exits_2_naming_the_field() {
    refused(&[A, "--on-hand-litres", "100"], "fuel.as_of");
}

#[test]
fn a_negative_tank_exits_2_naming_the_field() {
    refused(&[A, "--tank-litres=-3"], "fuel.tank_litres");
}

#[test]
fn a_date_not_in_iso_form_exits_2_naming_the_flag() {
    refused(
        &[A, "--as-of", "15.12.2025", "--on-hand-litres", "1"],
        "--as-of",
    );
}

#[test]
fn no_figure_at_all_exits_2() {
    refused(&[A], "fuel:");
}

#[test]
fn a_facility_without_a_supply_record_exits_2() {
    refused(
        &["fac-ua-okhmatdyt", "--tank-litres", "100"],
        "no supply record",
    );
}

#[test]
fn survey_and_autonomy_count_the_same_usable_kw_of_one_backup() {
    let dir = demo();
    // Hospital C's 100 kVA set: 100 × 0.8 × 0.75 = 60 kW usable on both (it was "usable 80 kW
    // … covered" on the survey beside "60.0 kW of generators" in autonomy).
    let survey = run(
        dir.path(),
        &["energy", "survey", "fac-ua-illustrative-sumy-c"],
    );
    let s = text(&survey.stdout);
    assert!(
        s.contains("usable 60 kW (kVA × power factor 0.8 × derate 0.75"),
        "{s}"
    );
    let out = autonomy(dir.path(), "fac-ua-illustrative-sumy-c", &[]);
    let a = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        a.contains("own backup: 100 kVA, working, 60.0 kW usable"),
        "{a}"
    );
}

#[test]
fn autonomy_warns_when_the_fuel_reading_is_older_than_30_days() {
    let dir = demo();
    // The demo's readings are of 2025-12-01; consumption since is not deducted.
    let out = autonomy(dir.path(), "fac-ua-illustrative-kharkiv-a", &[]);
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let age = (chrono::Utc::now().date_naive()
        - chrono::NaiveDate::from_ymd_opt(2025, 12, 1).expect("date"))
    .num_days();
    let warning =
        format!("the fuel reading is {age} days old (measured 2025-12-01; older than 30 days)");
    assert!(stdout.contains(&format!("WARNING: {warning}")), "{stdout}");
    assert!(stderr.contains(&warning), "{stderr}");
}

#[test]
fn a_fuel_reading_of_today_gives_no_warning() {
    let dir = demo();
    let today = chrono::Utc::now().date_naive().to_string();
    let out = run(
        dir.path(),
        &[
            "energy",
            "fuel",
            "fac-ua-illustrative-kharkiv-a",
            "--on-hand-litres",
            "1200",
            "--as-of",
            &today,
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = autonomy(dir.path(), "fac-ua-illustrative-kharkiv-a", &[]);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(&format!("1200 L on hand on {today}")),
        "{stdout}"
    );
    assert!(!stdout.contains("WARNING"), "{stdout}");
    assert!(!text(&out.stderr).contains("fuel reading"));
}

#[test]
fn autonomy_without_a_working_set_says_0_kw_never_minus_0() {
    let dir = demo();
    // Hospital B's set needs repair: no generator, capacity ends every tier.
    let out = autonomy(dir.path(), "fac-ua-illustrative-kharkiv-b", &[]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stdout.contains("against 0.0 kW of generators"), "{stdout}");
    assert!(!stdout.contains("-0.0"), "{stdout}");
}
