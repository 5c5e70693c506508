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
