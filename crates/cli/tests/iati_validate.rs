//! `aidtrace iati validate` end to end: findings grouped in every format, and the output of
//! several files is the concatenation of each file's own output.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

mod kit;
use kit::{run, stdout};

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(out)))
}

/// Eight transactions with the same unknown transaction type (lines 4 to 11).
fn repeated() -> String {
    let mut doc = String::from(
        "<iati-activities version=\"2.03\">\n<iati-activity default-currency=\"USD\">\n<iati-identifier>XM-T-1</iati-identifier>\n",
    );
    for _ in 0..8 {
        doc.push_str("<transaction><transaction-type code=\"99\"/><transaction-date iso-date=\"2024-01-01\"/><value value-date=\"2024-01-01\">1</value></transaction>\n");
    }
    doc.push_str("</iati-activity>\n</iati-activities>\n");
    doc
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let bodies = [
        repeated(),
        "<iati-activities version=\"2.03\"><iati-activity><iati-identifier>XM-T-2</iati-identifier></iati-activity></iati-activities>".to_owned(),
        "<iati-activities version=\"2.03\"><iati-activity>".to_owned(),
    ];
    bodies
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let p = dir.join(format!("{i}.xml"));
            std::fs::write(&p, b).expect("write");
            p
        })
        .collect()
}

fn args<'a>(paths: &'a [PathBuf], format: &'a str) -> Vec<&'a str> {
    let mut a = vec![
        "iati",
        "validate",
        "--today",
        "2026-11-21",
        "--format",
        format,
    ];
    a.extend(paths.iter().map(|p| p.to_str().expect("path")));
    a
}

#[test]
fn json_output_is_grouped() {
    let dir = tempfile::tempdir().expect("tmp");
    let paths = files(dir.path());
    let out = run(dir.path(), &args(&paths[..1], "json"));
    assert_eq!(out.status.code(), Some(1), "errors found");
    let v = json(&out);
    let groups = v[0]["activities"][0]["errors"].as_array().expect("groups");
    let types: Vec<&Value> = groups
        .iter()
        .filter(|g| g["rule"] == "TransactionType")
        .collect();
    assert_eq!(types.len(), 1, "{groups:?}");
    assert_eq!(types[0]["count"], 8);
    assert_eq!(types[0]["lines"], serde_json::json!([4, 5, 6, 7, 8]));
    assert_eq!(types[0]["line"], 4);
    assert_eq!(v[0]["summary"]["errors"].as_u64(), {
        let errors = groups.iter().filter(|g| g["severity"] == "error");
        Some(errors.map(|g| g["count"].as_u64().unwrap_or(0)).sum())
    });
}

#[test]
fn table_and_csv_outputs_are_grouped() {
    let dir = tempfile::tempdir().expect("tmp");
    let paths = files(dir.path());
    let table = stdout(&run(dir.path(), &args(&paths[..1], "table")));
    let lines: Vec<&str> = table
        .lines()
        .filter(|l| l.contains("TransactionType"))
        .collect();
    assert_eq!(lines.len(), 1, "{table}");
    assert!(lines[0].contains("(×8: lines 4, 5, 6, 7, 8, …)"), "{table}");
    let csv = stdout(&run(dir.path(), &args(&paths[..1], "csv")));
    let rows: Vec<&str> = csv
        .lines()
        .filter(|l| l.contains("TransactionType"))
        .collect();
    assert_eq!(rows.len(), 1, "{csv}");
    assert!(rows[0].contains(",8,4,"), "count, line: {csv}");
    assert!(rows[0].contains(",4 5 6 7 8,"), "first lines: {csv}");
    assert!(
        csv.starts_with("file,identifier,layer,rule,severity,count,line,column,lines,message"),
        "{csv}"
    );
}

#[test]
fn several_files_give_the_concatenation_of_each_files_output() {
    let dir = tempfile::tempdir().expect("tmp");
    let paths = files(dir.path());
    let together = json(&run(dir.path(), &args(&paths, "json")));
    assert_eq!(together.as_array().map(Vec::len), Some(3));
    for (k, p) in paths.iter().enumerate() {
        let alone = json(&run(dir.path(), &args(std::slice::from_ref(p), "json")));
        assert_eq!(together[k], alone[0], "{}", p.display());
    }
    assert_eq!(together[2]["summary"]["well_formed"], false);
    // CSV: the rows of each file in turn, under one header.
    let csv = stdout(&run(dir.path(), &args(&paths, "csv")));
    let mut expected = String::new();
    for (k, p) in paths.iter().enumerate() {
        let alone = stdout(&run(dir.path(), &args(std::slice::from_ref(p), "csv")));
        let body = alone.split_once('\n').map_or("", |(_, rest)| rest);
        if k == 0 {
            expected.push_str(alone.lines().next().unwrap_or_default());
            expected.push('\n');
        }
        expected.push_str(body);
    }
    assert_eq!(csv, expected);
}
