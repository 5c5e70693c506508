//! `aidtrace asset density` and `aidtrace asset list --line` on a real SQLite file with the demo.

use std::process::{Command, Output};

use serde_json::Value;

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

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn demo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(dir.path(), &["demo"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

#[test]
fn density_shows_regions_national_and_sourced_references() {
    let dir = demo();
    let table = run(dir.path(), &["asset", "density", "--at", "2025-12-31"]);
    assert_eq!(table.status.code(), Some(0));
    assert!(
        stdout(&table).contains("never a sum of regions"),
        "says what is counted"
    );
    let out = run(
        dir.path(),
        &["asset", "density", "--at", "2025-12-31", "--format", "csv"],
    );
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let line = |needle: &str| {
        text.lines()
            .find(|l| l.contains("ct_scanner") && l.contains(needle))
            .unwrap_or_else(|| panic!("no CT line with {needle:?} in\n{text}"))
            .to_string()
    };
    // Abai: 1 CT / 603,000 = 1.66; Jambyl: none / 1,220,000 = 0; national: Semey's and the
    // traumatology centre's CT / 20,030,000 = 0.0998… → 0.10.
    assert!(line("KZ Abai region").contains("1.66"));
    assert!(line("KZ Jambyl region").contains("pop-kz-jambyl-2024"));
    assert!(line("KZ (national)").contains("0.10"));
    assert!(line("facilities without a region").contains("no population applies"));
    let oecd = line("reference: OECD average");
    assert!(
        oecd.contains("23.6") && oecd.contains("2011–2012"),
        "{oecd}"
    );
    assert!(
        oecd.contains("https://medivit.com.ua/en/articles/37"),
        "{oecd}"
    );
    assert!(line("reference: WHO: high-income countries").contains("> 44"));

    let out = run(
        dir.path(),
        &["asset", "density", "--at", "2025-12-31", "--format", "json"],
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let national = v["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["scope"] == "national" && r["generic_type"] == "ct_scanner")
        .expect("national CT");
    assert_eq!(national["per_million"], "0.10");
    assert_eq!(national["assets"].as_array().map(Vec::len), Some(2));
    assert!(v["references"].as_array().is_some_and(|r| r.len() >= 10));

    let bad = run(dir.path(), &["asset", "density", "--at", "31/12/2025"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("at"));
}

#[test]
fn list_the_assets_bought_by_one_equipment_line() {
    let dir = demo();
    let out = run(
        dir.path(),
        &[
            "asset",
            "list",
            "--line",
            "eq-zhezbek-platelet-storage",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let mut ids: Vec<&str> = v
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    ids.sort_unstable();
    // The grant's five platelet storage devices, and nothing else.
    assert_eq!(
        ids,
        (1..=5)
            .map(|i| format!("as-zhezbek-platelet-{i}"))
            .collect::<Vec<_>>()
    );
    let out = run(dir.path(), &["asset", "list", "--line", "eq-nowhere"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line") && err.contains("eq-nowhere"), "{err}");
}

#[test]
fn gaps_per_facility_and_per_region() {
    let dir = demo();
    let out = run(
        dir.path(),
        &[
            "asset",
            "gaps",
            "--at",
            "2025-12-31",
            "--by",
            "region",
            "--format",
            "csv",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.starts_with("region,device,facilities,required,present,functional,gap"));
    // Abai: Semey needs 6 ICU ventilators; 3 are present, 2 work: 4 short.
    assert!(
        text.lines()
            .any(|l| l == "Abai region,icu_ventilator,1,6,3,2,4"),
        "{text}"
    );
    let out = run(dir.path(), &["asset", "gaps", "--by", "country"]);
    assert_eq!(out.status.code(), Some(2));
}
