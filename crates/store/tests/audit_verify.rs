//! `audit verify` over a long log (creates, updates and deletes of many records in many
//! transactions): an altered entry or a row changed by hand anywhere in it is found and named.

use std::path::{Path, PathBuf};

use aidtrace_domain::{RecordId, RecordKind};
use aidtrace_store::{AuditVerification, Change, SqliteStore, Store, conformance};

const RECORDS: usize = 240;

/// Activities, flows and organisations created in batches of 40, then every third flow updated
/// and every fifth organisation deleted, a batch at a time: about 900 entries.
fn long_store() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("long.db");
    let mut store = SqliteStore::open(&path).expect("open");
    for start in (0..RECORDS).step_by(40) {
        let mut changes = Vec::new();
        for i in start..start + 40 {
            changes.push(Change::Put(conformance::activity(&format!("a{i:03}"))));
            changes.push(Change::Put(conformance::flow(
                &format!("f{i:03}"),
                &format!("a{i:03}"),
                "10",
            )));
            changes.push(Change::Put(conformance::org(&format!("o{i:03}"))));
        }
        store.apply("t", &changes).expect("create");
    }
    for start in (0..RECORDS).step_by(40) {
        let mut changes = Vec::new();
        for i in (start..start + 40).filter(|i| i % 3 == 0) {
            changes.push(Change::Put(conformance::flow(
                &format!("f{i:03}"),
                &format!("a{i:03}"),
                "12",
            )));
        }
        for i in (start..start + 40).filter(|i| i % 5 == 0) {
            changes.push(Change::Delete(
                RecordKind::Organisation,
                RecordId::parse(&format!("o{i:03}")).expect("id"),
            ));
        }
        store.apply("t", &changes).expect("change");
    }
    (dir, path)
}

/// A copy of the store changed by `sql` (run with the log's append-only triggers dropped),
/// then verified.
fn verify_after(path: &Path, sql: &str) -> AuditVerification {
    let copy = path.with_file_name(format!("copy-{}.db", sql.len()));
    let _ = std::fs::remove_file(&copy);
    SqliteStore::open(path)
        .expect("open")
        .backup(&copy)
        .expect("backup");
    let conn = rusqlite::Connection::open(&copy).expect("raw open");
    conn.execute_batch(&format!(
        "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; {sql};"
    ))
    .expect("tamper");
    drop(conn);
    SqliteStore::open(&copy)
        .expect("open copy")
        .verify_audit()
        .expect("verify")
}

/// The sequence number of an entry, read straight from the log.
fn seq_of(path: &Path, action: &str, kind: &str, id: &str) -> i64 {
    rusqlite::Connection::open(path)
        .expect("raw open")
        .query_row(
            "SELECT seq FROM audit_log WHERE action = ?1 AND kind = ?2 AND record_id = ?3",
            [action, kind, id],
            |r| r.get(0),
        )
        .expect("entry")
}

#[test]
fn a_long_clean_log_verifies_with_its_head_and_count() {
    let (_dir, path) = long_store();
    let store = SqliteStore::open(&path).expect("open");
    let log = store.audit_log(None).expect("log");
    let v = store.verify_audit().expect("verify");
    assert!(v.ok(), "{:?}", v.problems);
    assert_eq!(v.entries, log.len());
    assert!(v.entries > 800, "{}", v.entries);
    assert_eq!(Some(&v.head), log.last().map(|e| &e.hash));
}

#[test]
fn an_altered_update_in_the_middle_of_a_long_log_is_named() {
    let (_dir, path) = long_store();
    let seq = seq_of(&path, "update", "flow", "f120");
    let v = verify_after(
        &path,
        &format!(
            "UPDATE audit_log SET after = replace(after, '\"12\"', '\"13\"') WHERE seq = {seq}"
        ),
    );
    assert!(
        v.problems.contains(&format!(
            "entry {seq}: content does not match its hash (altered)"
        )),
        "{:?}",
        v.problems
    );
    // The row no longer equals what the (altered) entry says it became.
    assert!(
        v.problems
            .contains(&"flow f120: stored record differs from its last audited state".to_string()),
        "{:?}",
        v.problems
    );
    assert_eq!(v.problems.len(), 2, "{:?}", v.problems);
}

#[test]
fn a_create_whose_text_is_the_next_entrys_before_is_checked_through_it() {
    let (_dir, path) = long_store();
    let create = seq_of(&path, "create", "flow", "f111");
    let update = seq_of(&path, "update", "flow", "f111");
    let v = verify_after(
        &path,
        &format!(
            "UPDATE audit_log SET before = replace(before, '\"10\"', '\"99\"') WHERE seq = {update}"
        ),
    );
    for seq in [create, update] {
        assert!(
            v.problems.contains(&format!(
                "entry {seq}: content does not match its hash (altered)"
            )),
            "entry {seq}: {:?}",
            v.problems
        );
    }
}

#[test]
fn an_entry_removed_from_the_middle_breaks_the_sequence_and_the_link() {
    let (_dir, path) = long_store();
    let seq = seq_of(&path, "create", "organisation", "o101");
    let v = verify_after(&path, &format!("DELETE FROM audit_log WHERE seq = {seq}"));
    let next = seq + 1;
    assert!(
        v.problems
            .iter()
            .any(|p| p.starts_with(&format!("entry {next}: expected sequence number {seq}"))),
        "{:?}",
        v.problems
    );
    assert!(
        v.problems.contains(&format!(
            "entry {next}: does not link to the previous entry's hash"
        )),
        "{:?}",
        v.problems
    );
    assert!(
        v.problems
            .contains(&"organisation o101: exists with no audit entry".to_string()),
        "{:?}",
        v.problems
    );
}

#[test]
fn a_row_changed_by_hand_after_its_update_is_named() {
    let (_dir, path) = long_store();
    let v = verify_after(
        &path,
        "UPDATE flows SET doc = replace(doc, '\"12\"', '\"11\"') WHERE id = 'f150'",
    );
    assert_eq!(
        v.problems,
        ["flow f150: stored record differs from its last audited state"]
    );
}

#[test]
fn a_row_changed_by_hand_whose_only_entry_is_its_create_is_named() {
    let (_dir, path) = long_store();
    let seq = seq_of(&path, "create", "activity", "a133");
    let v = verify_after(
        &path,
        "UPDATE activities SET doc = replace(doc, 'a133', 'a134') WHERE id = 'a133'",
    );
    assert!(
        v.problems.contains(&format!(
            "activity a133: the stored record is not what its create entry {seq} recorded (changed outside aidtrace)"
        )),
        "{:?}",
        v.problems
    );
}

/// Before the streamed check, a created record whose row was deleted by hand showed only as an
/// altered create entry; it is now named as missing too.
#[test]
fn a_row_deleted_by_hand_is_named_as_missing() {
    let (_dir, path) = long_store();
    let v = verify_after(&path, "DELETE FROM organisations WHERE id = 'o133'");
    assert!(
        v.problems
            .contains(&"organisation o133: audited but missing from the store".to_string()),
        "{:?}",
        v.problems
    );
    let v = verify_after(
        &path,
        "DELETE FROM flows WHERE id = 'f150'; DELETE FROM activities WHERE id = 'a150'",
    );
    for named in [
        "flow f150: audited but missing from the store",
        "activity a150: audited but missing from the store",
    ] {
        assert!(
            v.problems.contains(&named.to_string()),
            "{named}: {:?}",
            v.problems
        );
    }
}

#[test]
fn a_row_added_by_hand_is_named() {
    let (_dir, path) = long_store();
    let v = verify_after(
        &path,
        "INSERT INTO organisations (id, doc) VALUES ('o999', '{}')",
    );
    assert_eq!(
        v.problems,
        ["organisation o999: exists with no audit entry"]
    );
}

#[test]
fn a_deleted_record_put_back_by_hand_is_named() {
    let (_dir, path) = long_store();
    let seq = seq_of(&path, "delete", "organisation", "o100");
    let v = verify_after(
        &path,
        &format!(
            "INSERT INTO organisations (id, doc) SELECT record_id, before FROM audit_log WHERE seq = {seq}"
        ),
    );
    assert_eq!(
        v.problems,
        ["organisation o100: exists although the log records its deletion"]
    );
}

#[test]
fn an_entry_moved_to_a_kind_no_table_holds_is_named() {
    let (_dir, path) = long_store();
    let seq = seq_of(&path, "create", "organisation", "o121");
    let v = verify_after(
        &path,
        &format!("UPDATE audit_log SET kind = 'widget' WHERE seq = {seq}"),
    );
    for named in [
        format!("entry {seq}: content does not match its hash (altered)"),
        "widget o121: audited but missing from the store".to_string(),
        "organisation o121: exists with no audit entry".to_string(),
    ] {
        assert!(v.problems.contains(&named), "{named}: {:?}", v.problems);
    }
}

#[test]
fn fx_rates_changed_by_hand_are_named() {
    let (_dir, path) = long_store();
    let mut store = SqliteStore::open(&path).expect("open");
    let rates = aidtrace_domain::fx::parse_csv(
        "Date,Rate,Currency,Frequency,Source\n2024-05-01,156.1,JPY,M,Bank of Japan\n",
        aidtrace_domain::fx::RateOrigin::Imported,
    )
    .expect("csv");
    store.put_fx_rates("t", &rates).expect("rates");
    drop(store);
    let v = verify_after(
        &path,
        "UPDATE fx_rates SET doc = replace(doc, '156.1', '158')",
    );
    assert_eq!(v.problems.len(), 1, "{:?}", v.problems);
    assert!(
        v.problems[0].starts_with("fx_rate JPY:2024-05-01")
            && v.problems[0].ends_with("stored record differs from its last audited state"),
        "{:?}",
        v.problems
    );
}
