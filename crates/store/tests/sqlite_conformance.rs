//! SQLite-only behaviour of the store (files, backups, tampering by hand); the shared cases are in
//! `conformance.rs`.

use aidtrace_store::{SqliteStore, Store, conformance};

#[test]
fn a_store_reopens_with_its_data_and_migrations_are_idempotent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("aidtrace.db");
    {
        let mut store = SqliteStore::open(&path).expect("open");
        store
            .apply("t", &[aidtrace_store::Change::Put(conformance::org("o1"))])
            .expect("put");
    }
    let store = SqliteStore::open(&path).expect("reopen");
    assert_eq!(
        store
            .list(aidtrace_domain::RecordKind::Organisation)
            .expect("list")
            .len(),
        1
    );
    assert!(store.verify_audit().expect("verify").ok());
}

/// A store in a new folder holding `records`, put in one batch.
fn store_with(
    records: &[aidtrace_domain::Record],
) -> (tempfile::TempDir, std::path::PathBuf, SqliteStore) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("aidtrace.db");
    let mut store = SqliteStore::open(&path).expect("open");
    let changes: Vec<_> = records
        .iter()
        .cloned()
        .map(aidtrace_store::Change::Put)
        .collect();
    store.apply("t", &changes).expect("put");
    (dir, path, store)
}

#[test]
fn altering_any_audit_row_by_hand_is_detected() {
    let (dir, path, mut store) = store_with(&[
        conformance::activity("a1"),
        conformance::flow("f1", "a1", "10"),
        conformance::org("o1"),
    ]);
    store
        .apply(
            "t",
            &[aidtrace_store::Change::Put(conformance::flow(
                "f1", "a1", "12",
            ))],
        )
        .expect("update");
    assert!(store.verify_audit().expect("verify").ok());
    drop(store);
    // Entry 2 creates f1 (its text is not stored again: entry 4's `before` holds it), entry 3
    // creates o1 (its text is its row), entry 4 updates f1.
    let tamper = [
        "UPDATE audit_log SET actor = 'mallory' WHERE seq = 1",
        "UPDATE audit_log SET after = '{}' WHERE seq = 2",
        "UPDATE audit_log SET before = replace(before, '\"10\"', '\"99\"') WHERE seq = 4",
        "UPDATE audit_log SET after = replace(after, '\"12\"', '\"99\"') WHERE seq = 4",
        "UPDATE audit_log SET at = '2020-01-01T00:00:00Z' WHERE seq = 3",
        "DELETE FROM audit_log WHERE seq = 3",
        "UPDATE flows SET doc = replace(doc, '\"12\"', '\"11\"')",
        "UPDATE organisations SET doc = replace(doc, 'o1', 'o2')",
    ];
    for (i, sql) in tamper.iter().enumerate() {
        let copy = dir.path().join(format!("copy-{i}.db"));
        SqliteStore::open(&path)
            .expect("open")
            .backup(&copy)
            .expect("backup");
        let conn = rusqlite::Connection::open(&copy).expect("raw open");
        conn.execute_batch(&format!(
            "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; {sql};"
        ))
        .expect("tamper");
        drop(conn);
        let v = SqliteStore::open(&copy)
            .expect("open copy")
            .verify_audit()
            .expect("verify");
        assert!(!v.ok(), "tampering not detected: {sql}");
    }
}

#[test]
fn the_audit_log_refuses_updates_through_sql() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("aidtrace.db");
    let mut store = SqliteStore::open(&path).expect("open");
    store
        .apply("t", &[aidtrace_store::Change::Put(conformance::org("o1"))])
        .expect("put");
    drop(store);
    let conn = rusqlite::Connection::open(&path).expect("raw open");
    assert!(
        conn.execute("UPDATE audit_log SET actor = 'x'", [])
            .is_err()
    );
    assert!(conn.execute("DELETE FROM audit_log", []).is_err());
}

#[test]
fn backup_is_a_consistent_copy_and_never_overwrites() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = SqliteStore::open(&dir.path().join("a.db")).expect("open");
    store
        .apply("t", &[aidtrace_store::Change::Put(conformance::org("o1"))])
        .expect("put");
    let target = dir.path().join("backup.db");
    store.backup(&target).expect("backup");
    let copy = SqliteStore::open(&target).expect("open backup");
    assert_eq!(
        copy.list(aidtrace_domain::RecordKind::Organisation)
            .expect("list")
            .len(),
        1
    );
    assert!(copy.verify_audit().expect("verify").ok());
    assert!(
        store.backup(&target).is_err(),
        "an existing file must not be overwritten"
    );
}

#[test]
fn migrations_are_listed_in_file_name_order() {
    let source = include_str!("../src/sqlite.rs");
    let listed: Vec<&str> = source
        .lines()
        .filter_map(|l| l.trim().strip_prefix("M::up(include_str!(\"../migrations/"))
        .filter_map(|l| l.split('"').next())
        .collect();
    let mut files: Vec<String> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
            .expect("migrations dir")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect();
    files.sort();
    assert_eq!(
        listed, files,
        "every migration file is applied, in name order"
    );
}

#[test]
fn a_created_record_is_stored_once_and_its_history_still_shows_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("aidtrace.db");
    let mut store = SqliteStore::open(&path).expect("open");
    let put = |store: &mut SqliteStore, amount: &str| {
        store
            .apply(
                "t",
                &[
                    aidtrace_store::Change::Put(conformance::activity("a1")),
                    aidtrace_store::Change::Put(conformance::flow("f1", "a1", amount)),
                ],
            )
            .expect("put");
    };
    put(&mut store, "10");
    let raw = |path: &std::path::Path| -> Vec<Option<String>> {
        let conn = rusqlite::Connection::open(path).expect("raw open");
        let mut stmt = conn
            .prepare("SELECT after FROM audit_log ORDER BY seq")
            .expect("query");
        stmt.query_map([], |r| r.get(0))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("rows")
    };
    assert_eq!(
        raw(&path),
        vec![None, None],
        "a create does not store the text again"
    );
    let flow_id = aidtrace_domain::RecordId::parse("f1").expect("id");
    let history = |store: &SqliteStore| {
        store
            .audit_log(Some((aidtrace_domain::RecordKind::Flow, &flow_id)))
            .expect("history")
    };
    let created = history(&store);
    assert!(
        created[0]
            .after
            .as_deref()
            .is_some_and(|a| a.contains("\"10\""))
    );
    put(&mut store, "12");
    let changed = history(&store);
    assert_eq!(changed.len(), 2);
    assert_eq!(
        changed[0].after, created[0].after,
        "the create still shows what it wrote"
    );
    assert_eq!(changed[1].before, created[0].after);
    assert!(
        changed[1]
            .after
            .as_deref()
            .is_some_and(|a| a.contains("\"12\""))
    );
    assert!(store.verify_audit().expect("verify").ok());
    // A row changed by hand is named as a changed record, not only as an altered entry.
    drop(store);
    rusqlite::Connection::open(&path)
        .expect("raw open")
        .execute_batch("UPDATE activities SET doc = replace(doc, 'a1', 'a2')")
        .expect("tamper");
    let v = SqliteStore::open(&path)
        .expect("open")
        .verify_audit()
        .expect("verify");
    assert!(
        v.problems
            .iter()
            .any(|p| p.contains("activity a1: the stored record is not what its create entry")),
        "{:?}",
        v.problems
    );
}

#[test]
fn the_audit_log_keeps_every_entry_through_the_action_check_migration() {
    let (_dir, path, store) = store_with(&[
        conformance::activity("a1"),
        conformance::flow("f1", "a1", "10"),
    ]);
    let before = store.audit_log(None).expect("log");
    drop(store);
    // Back to the table as the sixth migration left it.
    let conn = rusqlite::Connection::open(&path).expect("raw open");
    conn.execute_batch(
        "CREATE TABLE old_log AS SELECT * FROM audit_log;
         DROP TABLE audit_log;
         CREATE TABLE audit_log (
             seq INTEGER PRIMARY KEY NOT NULL, at TEXT NOT NULL, actor TEXT NOT NULL,
             action TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
             kind TEXT NOT NULL, record_id TEXT NOT NULL, before TEXT, after TEXT,
             prev_hash TEXT NOT NULL, hash TEXT NOT NULL) STRICT;
         INSERT INTO audit_log SELECT * FROM old_log;
         DROP TABLE old_log;
         ALTER TABLE web_accounts DROP COLUMN disabled_at;
         PRAGMA user_version = 6;",
    )
    .expect("downgrade");
    drop(conn);
    let store = SqliteStore::open(&path).expect("migrate");
    assert_eq!(store.audit_log(None).expect("log"), before);
    assert!(store.verify_audit().expect("verify").ok());
    let conn = rusqlite::Connection::open(&path).expect("raw open");
    let check: String = conn
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE name = 'audit_log'",
            [],
            |r| r.get(0),
        )
        .expect("schema");
    assert!(check.contains("action = 'create' OR"), "{check}");
    assert!(
        conn.execute("DELETE FROM audit_log", []).is_err(),
        "the log stays append-only"
    );
}
