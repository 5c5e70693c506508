//! `aidtrace changes list/show/approve/reject`: the web's approval queue decided from the CLI,
//! on a real SQLite store with changes queued through the store's own `ChangeStore`.

use std::process::Output;

use aidtrace_store::{ChangeState, ChangeStore, SqliteAccounts};
use serde_json::{Value, json};

mod kit;

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    /// A store with the seed scenario.
    fn new() -> Self {
        let env = Self {
            dir: tempfile::tempdir().expect("tempdir"),
        };
        let out = env.run(&["demo"]);
        assert_eq!(code(&out), 0, "{}", text(&out.stderr));
        env
    }

    fn run(&self, args: &[&str]) -> Output {
        kit::command(self.dir.path())
            .env("AIDTRACE_ACTOR", "carol")
            .args(args)
            .output()
            .expect("run aidtrace")
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        assert_eq!(code(&out), 0, "{}", text(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)))
    }

    /// Queues a submitted change proposing a disbursement on the seed's Semey activity, as the
    /// web application does for an editor.
    fn propose_disbursement(&self, id: &str, amount: &str) -> i64 {
        let doc = json!([{"record": "flow", "id": id, "activity": "act-kz-semey-equipment",
            "kind": "disbursement", "money": {"amount": amount, "currency": "JPY", "value_date": "2024-06-01"}}]);
        let mut queue =
            SqliteAccounts::open(&self.dir.path().join("aidtrace.db")).expect("open queue");
        queue
            .add_change(
                "flow",
                id,
                &doc.to_string(),
                None,
                ChangeState::Submitted,
                "eve",
                "2026-01-02T03:04:05.000000Z",
            )
            .expect("add change")
    }
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn list_shows_queued_changes_filtered_by_state() {
    let env = Env::new();
    let id = env.propose_disbursement("flow-cli-1", "500000000");
    let all = env.json(&["changes", "list", "--format", "json"]);
    assert_eq!(all.as_array().expect("list").len(), 1);
    assert_eq!(all[0]["id"], id);
    assert_eq!(all[0]["state"], "submitted");
    assert_eq!(all[0]["author"], "eve");
    assert_eq!(all[0]["decided_by"], Value::Null);
    let approved = env.json(&["changes", "list", "--state", "approved", "--format", "json"]);
    assert_eq!(approved, json!([]));
    let csv = env.run(&["changes", "list", "--format", "csv"]);
    assert!(text(&csv.stdout).starts_with("id,state,record,proposed_by"));
    let table = env.run(&["changes", "list"]);
    assert!(text(&table.stdout).contains("flow flow-cli-1"));
}

#[test]
fn show_compares_field_by_field_and_previews_findings() {
    let env = Env::new();
    let id = env.propose_disbursement("flow-cli-2", "500000000");
    let v = env.json(&["changes", "show", &id.to_string(), "--format", "json"]);
    let record = &v["review"]["records"][0];
    assert_eq!(record["change"], "added");
    let money = record["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .find(|f| f["field"] == "money")
        .expect("money field");
    assert_eq!(money["after"]["type"], "money");
    assert_eq!(money["after"]["value"]["currency"], "JPY");
    let added: Vec<&str> = v["review"]["findings"]["added"]
        .as_array()
        .expect("added")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(added.contains(&"LEDGER-OVERSPENT"), "{added:?}");
    let table = text(&env.run(&["changes", "show", &id.to_string()]).stdout);
    assert!(table.contains("proposed by eve"), "{table}");
    assert!(table.contains("500000000 JPY (2024-06-01)"), "{table}");
    assert!(table.contains("finding added"), "{table}");
}

#[test]
fn approve_writes_the_records_and_names_the_approver() {
    let env = Env::new();
    let id = env.propose_disbursement("flow-cli-3", "1000").to_string();
    let out = env.run(&["changes", "approve", &id]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("approved"));
    let flow = env.run(&["show", "flow", "flow-cli-3", "--format", "json"]);
    assert_eq!(code(&flow), 0, "{}", text(&flow.stderr));
    let list = env.json(&["changes", "list", "--format", "json"]);
    assert_eq!(list[0]["state"], "approved");
    assert_eq!(list[0]["decided_by"], "carol");
    // A decided change cannot be decided again.
    let again = env.run(&["changes", "approve", &id]);
    assert_eq!(code(&again), 2);
    assert!(text(&again.stderr).contains("is approved, not submitted"));
}

#[test]
fn reject_needs_a_reason_and_writes_nothing() {
    let env = Env::new();
    let id = env.propose_disbursement("flow-cli-4", "1000").to_string();
    assert_eq!(code(&env.run(&["changes", "reject", &id])), 2);
    let blank = env.run(&["changes", "reject", &id, "--reason", "  "]);
    assert_eq!(code(&blank), 2);
    assert!(text(&blank.stderr).contains("--reason"));
    let out = env.run(&[
        "changes",
        "reject",
        &id,
        "--reason",
        "duplicate of the June report",
    ]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let list = env.json(&["changes", "list", "--format", "json"]);
    assert_eq!(list[0]["state"], "rejected");
    assert_eq!(list[0]["note"], "duplicate of the June report");
    assert_eq!(code(&env.run(&["show", "flow", "flow-cli-4"])), 2);
}

#[test]
fn an_unknown_change_is_bad_input() {
    let env = Env::new();
    let out = env.run(&["changes", "show", "999"]);
    assert_eq!(code(&out), 2);
    assert!(text(&out.stderr).contains("no change 999"));
    assert_eq!(code(&env.run(&["changes", "approve", "999"])), 2);
}
