//! `aidtrace iati import` keeps what is sound in a flawed activity (and `--strict` does not);
//! `aidtrace iati export` writes only what `aidtrace iati validate` accepts. Real SQLite files,
//! the real binary.

use std::path::PathBuf;
use std::process::Output;

use serde_json::Value;

mod kit;
use kit::{code, run};

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(out)))
}

/// A budget that ends before it starts on line 8, beside a sound commitment.
const FLAWED: &str = r#"<?xml version="1.0"?>
<iati-activities version="2.03">
 <iati-activity last-updated-datetime="2024-05-01T00:00:00Z" default-currency="USD">
  <iati-identifier>XM-FLAWED-1</iati-identifier>
  <reporting-org ref="XM-DAC-701-8" type="10"><narrative>JICA</narrative></reporting-org>
  <title><narrative>Clinic equipment</narrative></title>
  <activity-date type="1" iso-date="2024-01-01"/>
  <budget type="1"><period-start iso-date="2024-06-01"/><period-end iso-date="2024-01-31"/><value value-date="2024-01-01">100</value></budget>
  <transaction><transaction-type code="2"/><transaction-date iso-date="2024-02-01"/><value value-date="2024-02-01">1000</value></transaction>
 </iati-activity>
</iati-activities>"#;

fn flawed_file(dir: &std::path::Path) -> String {
    let path = dir.join("flawed.xml");
    std::fs::write(&path, FLAWED).expect("write");
    path.to_str().expect("path").to_string()
}

#[test]
fn import_leaves_a_flawed_budget_out_names_it_and_keeps_the_rest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = flawed_file(dir.path());
    let out = run(dir.path(), &["iati", "import", &file]);
    assert_eq!(code(&out), 1, "something was left out: {}", text(&out));
    assert!(
        text(&out).contains("flawed.xml: line 8: XM-FLAWED-1 budget 1 left out:"),
        "{}",
        text(&out)
    );
    let json = json(&run(
        dir.path(),
        &["iati", "import", &file, "--format", "json"],
    ));
    let file_report = &json["files"][0];
    assert_eq!(file_report["accepted"], 1);
    assert_eq!(file_report["left_out"], 1);
    assert_eq!(
        file_report["records_created"], 0,
        "re-import changes nothing"
    );
    assert_eq!(file_report["activities"][0]["left_out"][0]["line"], 8);
    let check = run(dir.path(), &["check", "--format", "json"]);
    assert!(text(&check).contains("IATI-LEFT-OUT"), "{}", text(&check));
    let flows = run(dir.path(), &["list", "flow", "--format", "json"]);
    assert!(
        text(&flows).contains("iati-XM-FLAWED-1-t1"),
        "{}",
        text(&flows)
    );
}

#[test]
fn strict_import_rejects_the_flawed_activity_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = flawed_file(dir.path());
    let out = run(
        dir.path(),
        &["iati", "import", &file, "--strict", "--format", "json"],
    );
    assert_eq!(code(&out), 1, "{}", text(&out));
    let report = json(&out);
    assert!(report["files"][0]["refused"].is_string(), "{report}");
    assert_eq!(report["files"][0]["rejected"], 1);
    let flows = run(dir.path(), &["list", "flow", "--format", "json"]);
    assert!(!text(&flows).contains("XM-FLAWED"), "{}", text(&flows));
}

/// Errors `aidtrace iati validate` finds in a file (any layer).
fn validate_errors(dir: &std::path::Path, file: &str) -> Value {
    let out = run(dir, &["iati", "validate", file, "--format", "json"]);
    let report = json(&out);
    let report = if report.is_array() {
        report[0].clone()
    } else {
        report
    };
    report["summary"]["errors"].clone()
}

#[test]
fn the_demo_export_passes_the_projects_validator() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert_eq!(code(&run(dir.path(), &["demo"])), 0);
    let out = run(dir.path(), &["iati", "export", "--out", "demo.xml"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(validate_errors(dir.path(), "demo.xml"), 0);
}

#[test]
fn a_reexported_real_file_passes_the_projects_validator() {
    let shared = std::env::var("AIDTRACE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let file = shared.join("iati/real-data/dportal-covid-2021/dportal_0.xml");
    if !file.exists() {
        assert!(
            std::env::var("CI").is_err(),
            "{} is missing under CI",
            file.display()
        );
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    run(
        dir.path(),
        &["iati", "import", file.to_str().expect("path")],
    );
    let out = run(dir.path(), &["iati", "export", "--out", "again.xml"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(validate_errors(dir.path(), "again.xml"), 0);
}
