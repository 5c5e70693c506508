//! `aidtrace energy survey FACILITY` and `aidtrace energy instance --from-db --version 2` end to
//! end on a real SQLite demo store: unknown loads printed as unknown (exit 1), the v2 instance
//! refused with every unknown named (exit 2) or built without them, bad flags exit 2.

mod kit;
use kit::run;

fn demo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(dir.path(), &["demo"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn survey_of_the_blood_centre_prints_unknown_and_exits_1() {
    let dir = demo();
    let out = run(
        dir.path(),
        &[
            "energy",
            "survey",
            "fac-zhezbek-blood-centre",
            "--format",
            "csv",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("tier,origin,item,what,tier_basis,average_kw,peak_kw,kva,starting_kva")
    );
    let plt = lines
        .find(|l| l.contains("as-zhezbek-platelet-1"))
        .expect("platelet row");
    assert!(plt.starts_with("life_support,asset,"), "{plt}");
    assert!(plt.contains(",unknown,"), "{plt}");
}

#[test]
fn survey_json_of_an_illustrative_hospital_is_complete_and_exits_0() {
    let dir = demo();
    let out = run(
        dir.path(),
        &[
            "energy",
            "survey",
            "fac-ua-illustrative-kharkiv-a",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["region_code"], "UA-63");
    assert!(
        v["illustrative"]
            .as_str()
            .is_some_and(|n| n.contains("illustrative"))
    );
    // Medical gases 30 + ICU beds 35 (life support), as entered in demo/ukraine.json.
    assert_eq!(v["tiers"][0]["tier"], "life_support");
    assert_eq!(v["tiers"][0]["known_average_kw"], "65");
    assert_eq!(v["tiers"][0]["unknown"], 0);
}

#[test]
fn survey_table_names_the_facility_and_an_unknown_facility_exits_2() {
    let dir = demo();
    let out = run(
        dir.path(),
        &["energy", "survey", "fac-ua-illustrative-kyiv-oblast-h"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let t = text(&out.stdout);
    assert!(t.contains("ILLUSTRATIVE"), "{t}");
    assert!(t.contains("pharmacy cold room"), "{t}");
    let out = run(dir.path(), &["energy", "survey", "fac-nowhere"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("fac-nowhere"));
}

#[test]
fn instance_v2_refuses_unknown_loads_by_name() {
    let dir = demo();
    let out = run(
        dir.path(),
        &[
            "energy",
            "instance",
            "--from-db",
            "--version",
            "2",
            "--country",
            "UA",
            "--unit",
            "G100:100:12",
            "--fuel-l-per-day",
            "9000",
            "--install-units",
            "8",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    for needle in [
        "fac-ua-okhmatdyt",
        "fac-ua-illustrative-kyiv-oblast-h",
        "pharmacy cold room",
        "--skip-unknown",
    ] {
        assert!(err.contains(needle), "{needle} missing: {err}");
    }
}

#[test]
fn instance_v2_with_skip_unknown_prints_model_v2_json() {
    let dir = demo();
    let out = run(
        dir.path(),
        &[
            "energy",
            "instance",
            "--from-db",
            "--version",
            "2",
            "--country",
            "UA",
            "--skip-unknown",
            "--unit",
            "G100:100:12",
            "--unit",
            "G250:250:4",
            "--fuel-l-per-day",
            "9000",
            "--install-units",
            "8",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["version"], 2);
    let regions = v["regions"].as_array().expect("regions");
    assert!(
        regions
            .iter()
            .all(|r| r["id"].as_str().is_some_and(|id| id.starts_with("UA-")))
    );
    let kharkiv = regions.iter().find(|r| r["id"] == "UA-63").expect("UA-63");
    assert_eq!(kharkiv["outage_h_per_day"], 14.0);
    assert_eq!(kharkiv["fuel_l_per_day"], 9000.0);
    let facilities = v["facilities"].as_array().expect("facilities");
    assert!(facilities.iter().all(|f| f["id"] != "fac-ua-okhmatdyt"));
    // Hospital G has no backup (condition absent): 0 kW, known, not unknown.
    let g = facilities
        .iter()
        .find(|f| f["id"] == "fac-ua-illustrative-mykolaiv-g")
        .expect("G");
    assert_eq!(g["existing_kw"], 0.0);
    let err = text(&out.stderr);
    assert!(err.contains("left out: fac-ua-okhmatdyt"), "{err}");
}

#[test]
fn instance_version_1_and_a_bad_country_exit_2() {
    let dir = demo();
    let out = run(
        dir.path(),
        &["energy", "instance", "--from-db", "--version", "1"],
    );
    assert_eq!(out.status.code(), Some(2));
    let out = run(
        dir.path(),
        &[
            "energy",
            "instance",
            "--from-db",
            "--country",
            "Ukraine",
            "--unit",
            "G100:100:1",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--country"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn demo_twice_changes_nothing() {
    let dir = demo();
    let db = dir.path().join("aidtrace.db");
    let before = std::fs::read(&db).expect("db");
    let out = run(dir.path(), &["demo"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let conn = rusqlite::Connection::open(&db).expect("open");
    let n: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM facilities WHERE id LIKE 'fac-ua-%'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    // Eleven hospitals and the illustrative medicines warehouse.
    assert_eq!(n, 12);
    let entries_after: i64 = conn
        .query_row("SELECT COUNT(*) FROM audit_log", [], |r| r.get(0))
        .expect("audit");
    drop(conn);
    let out = run(dir.path(), &["demo"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let conn = rusqlite::Connection::open(&db).expect("open");
    let entries_again: i64 = conn
        .query_row("SELECT COUNT(*) FROM audit_log", [], |r| r.get(0))
        .expect("audit");
    assert_eq!(entries_after, entries_again);
    assert!(!before.is_empty());
}
