//! A record is written with an INSERT when new and an UPDATE when it exists (not one upsert
//! for both, see `write_sql` in `src/sqlite.rs`): both must keep the indexed and foreign-key
//! columns beside the JSON in step with the record.

use aidtrace_domain::Record;
use aidtrace_store::{Change, SqliteStore, Store, conformance};

fn columns(path: &std::path::Path, id: &str) -> (String, String, String) {
    let conn = rusqlite::Connection::open(path).expect("open");
    conn.query_row(
        "SELECT activity_id, amount, doc FROM flows WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .expect("row")
}

#[test]
fn an_update_rewrites_the_key_columns_and_an_insert_writes_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("w.db");
    let mut store = SqliteStore::open(&path).expect("open");
    store
        .apply(
            "t",
            &[
                Change::Put(conformance::activity("a1")),
                Change::Put(conformance::activity("a2")),
                Change::Put(conformance::flow("f1", "a1", "10")),
            ],
        )
        .expect("insert");
    let (activity, amount, _) = columns(&path, "f1");
    assert_eq!((activity.as_str(), amount.as_str()), ("a1", "10"));
    // The same flow moved to another activity with another amount: an update.
    let report = store
        .apply("t", &[Change::Put(conformance::flow("f1", "a2", "25"))])
        .expect("update");
    assert_eq!((report.created, report.updated), (0, 1));
    let (activity, amount, doc) = columns(&path, "f1");
    assert_eq!((activity.as_str(), amount.as_str()), ("a2", "25"));
    let Record::Flow(stored) = serde_json::from_str::<Record>(&doc).expect("doc") else {
        panic!("not a flow: {doc}");
    };
    assert_eq!(stored.activity.as_str(), "a2");
    // An update naming an activity that does not exist is refused at the commit, as before.
    assert!(
        store
            .apply(
                "t",
                &[Change::Put(conformance::flow("f1", "nowhere", "25"))]
            )
            .is_err()
    );
    assert_eq!(columns(&path, "f1").0, "a2");
    assert!(store.verify_audit().expect("verify").ok());
    assert!(store.integrity_check().expect("check").is_empty());
}

/// The kind of each audit entry of `id`, in order.
fn actions(store: &SqliteStore, kind: aidtrace_domain::RecordKind, id: &str) -> Vec<String> {
    let id = aidtrace_domain::RecordId::parse(id).expect("id");
    store
        .audit_log(Some((kind, &id)))
        .expect("log")
        .into_iter()
        .map(|e| e.action)
        .collect()
}

/// After a new record the next one is inserted without reading first (see `put_record`): an
/// existing record met then must still be updated, with its old text in the audit entry.
#[test]
fn an_existing_record_after_a_new_one_in_a_batch_is_updated_and_audited() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("w.db");
    let mut store = SqliteStore::open(&path).expect("open");
    store
        .apply(
            "t",
            &[
                Change::Put(conformance::activity("a1")),
                Change::Put(conformance::flow("f1", "a1", "10")),
            ],
        )
        .expect("first");
    let report = store
        .apply(
            "t",
            &[
                Change::Put(conformance::flow("f2", "a1", "5")),
                Change::Put(conformance::flow("f1", "a1", "11")),
            ],
        )
        .expect("second");
    assert_eq!((report.created, report.updated), (1, 1));
    assert_eq!(columns(&path, "f1").1, "11");
    let log = store.audit_log(None).expect("log");
    let update = log.last().expect("entries");
    assert_eq!(
        (update.action.as_str(), update.record_id.as_str()),
        ("update", "f1")
    );
    let old = serde_json::to_string(&conformance::flow("f1", "a1", "10")).expect("json");
    assert_eq!(update.before.as_deref(), Some(old.as_str()));
    assert_eq!(
        actions(&store, aidtrace_domain::RecordKind::Flow, "f1"),
        ["create", "update"]
    );
    assert!(store.verify_audit().expect("verify").ok());
}

/// The same, with the existing record unchanged: nothing is written for it and no entry made.
#[test]
fn an_unchanged_record_after_a_new_one_in_a_batch_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("w.db");
    let mut store = SqliteStore::open(&path).expect("open");
    store
        .apply(
            "t",
            &[
                Change::Put(conformance::activity("a1")),
                Change::Put(conformance::flow("f1", "a1", "10")),
            ],
        )
        .expect("first");
    let entries = store.audit_log(None).expect("log").len();
    let report = store
        .apply(
            "t",
            &[
                Change::Put(conformance::flow("f2", "a1", "5")),
                Change::Put(conformance::flow("f1", "a1", "10")),
            ],
        )
        .expect("second");
    assert_eq!(
        (report.created, report.updated, report.unchanged),
        (1, 0, 1)
    );
    assert_eq!(store.audit_log(None).expect("log").len(), entries + 1);
    assert!(store.verify_audit().expect("verify").ok());
}
