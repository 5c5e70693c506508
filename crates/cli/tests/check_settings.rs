//! `check --undisbursed-days` and `[checks] undisbursed_days`: layered like the other settings
//! (flag over variable over file over 365), refused with the setting named when out of range.

use std::process::Output;

mod kit;

fn run(dir: &std::path::Path, args: &[&str]) -> Output {
    kit::command(dir)
        .env_remove("AIDTRACE_UNDISBURSED_DAYS")
        .args(args)
        .output()
        .expect("run aidtrace")
}

const RECORDS: &str = r#"{"records": [
  {"record": "activity", "id": "act-a", "title": "Ventilators", "instrument": "grant_aid", "status": "implementation"},
  {"record": "flow", "id": "flow-a", "activity": "act-a", "kind": "commitment",
   "money": {"amount": "5000000", "currency": "EUR", "value_date": "2020-02-01"}}
]}"#;

fn store() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("r.json"), RECORDS).expect("write");
    assert!(run(dir.path(), &["load", "r.json"]).status.success());
    dir
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn an_old_commitment_without_disbursement_is_flagged_by_default() {
    let dir = store();
    let out = run(dir.path(), &["check", "--format", "csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("LEDGER-UNDISBURSED"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn the_flag_and_the_config_file_set_the_time() {
    let dir = store();
    // About 100 years: nothing committed in 2020 is overdue for a disbursement yet.
    let out = run(
        dir.path(),
        &["check", "--format", "csv", "--undisbursed-days", "36500"],
    );
    assert!(
        !stdout(&out).contains("LEDGER-UNDISBURSED"),
        "{}",
        stdout(&out)
    );
    std::fs::write(
        dir.path().join("aidtrace.toml"),
        "[checks]\nundisbursed_days = 36500\n",
    )
    .expect("write");
    let out = run(dir.path(), &["check", "--format", "csv"]);
    assert!(
        !stdout(&out).contains("LEDGER-UNDISBURSED"),
        "{}",
        stdout(&out)
    );
    // The flag wins over the file.
    let out = run(
        dir.path(),
        &["check", "--format", "csv", "--undisbursed-days", "30"],
    );
    assert!(
        stdout(&out).contains("LEDGER-UNDISBURSED"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn an_out_of_range_time_is_bad_input_naming_the_setting() {
    let dir = store();
    let out = run(dir.path(), &["check", "--undisbursed-days", "0"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--undisbursed-days (or checks.undisbursed_days) is 0"),
        "{err}"
    );
}
