//! PostgreSQL-only behaviour: several writers on one database, migrations, bad URLs, a connection
//! killed in the middle of a write, tampering by hand. Each runs when `AIDTRACE_TEST_PG` names a
//! server (always under CI).

use aidtrace_domain::RecordKind;
use aidtrace_store::{Change, PgStore, Store, StoreError, conformance, pg_testing::TestDatabase};

fn raw(db: &TestDatabase) -> postgres::Client {
    postgres::Client::connect(db.url(), postgres::NoTls).expect("raw connect")
}

#[test]
fn writers_in_several_connections_keep_one_chain() {
    let Some(db) = TestDatabase::create() else {
        return;
    };
    PgStore::connect(db.url()).expect("migrate");
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let url = db.url().to_string();
            std::thread::spawn(move || {
                let mut store = PgStore::connect(&url).expect("connect");
                for i in 0..25 {
                    store
                        .apply("t", &[Change::Put(conformance::org(&format!("w{w}o{i}")))])
                        .expect("write");
                }
            })
        })
        .collect();
    for w in writers {
        w.join().expect("writer");
    }
    let store = PgStore::connect(db.url()).expect("connect");
    let v = store.verify_audit().expect("verify");
    assert!(v.ok(), "{:?}", v.problems);
    assert_eq!(v.entries, 100);
    assert_eq!(
        store.list(RecordKind::Organisation).expect("list").len(),
        100
    );
}

#[test]
fn two_processes_migrating_at_once_both_start() {
    let Some(db) = TestDatabase::create() else {
        return;
    };
    let starts: Vec<_> = (0..3)
        .map(|_| {
            let url = db.url().to_string();
            std::thread::spawn(move || PgStore::connect(&url).map(|_| ()))
        })
        .collect();
    for s in starts {
        s.join().expect("thread").expect("migrated");
    }
}

#[test]
fn a_database_of_a_newer_schema_is_refused() {
    let Some(db) = TestDatabase::create() else {
        return;
    };
    PgStore::connect(db.url()).expect("migrate");
    raw(&db)
        .batch_execute("INSERT INTO aidtrace_schema (version) VALUES (999)")
        .expect("bump");
    let err = PgStore::connect(db.url()).err().expect("refused");
    assert!(err.to_string().contains("schema version 999"), "{err}");
}

#[test]
fn a_database_holding_other_tables_of_the_same_names_is_refused() {
    let Some(db) = TestDatabase::create() else {
        return;
    };
    raw(&db)
        .batch_execute("CREATE TABLE flows (x int)")
        .expect("foreign table");
    let err = PgStore::connect(db.url()).err().expect("refused");
    assert!(err.to_string().contains("use an empty database"), "{err}");
}

#[test]
fn an_unreachable_server_is_named_without_its_password() {
    let err = PgStore::connect("postgres://me:secret@127.0.0.1:1/nothing")
        .err()
        .expect("refused");
    let message = err.to_string();
    assert!(
        message.contains("cannot connect to PostgreSQL at postgres://me:***@127.0.0.1:1/nothing"),
        "{message}"
    );
    assert!(!message.contains("secret"), "{message}");
}

#[test]
fn a_connection_killed_mid_write_leaves_nothing_half_written() {
    let Some(db) = TestDatabase::create() else {
        return;
    };
    let mut store = PgStore::connect(db.url()).expect("connect");
    store
        .apply("t", &[Change::Put(conformance::org("before"))])
        .expect("first write");
    let mut batch = store.begin_batch("t").expect("batch");
    for i in 0..50 {
        batch
            .put(&conformance::org(&format!("half{i}")))
            .expect("put");
    }
    // Another session ends this one's backend before it commits.
    raw(&db)
        .batch_execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .expect("terminate");
    let commit = batch.commit();
    assert!(matches!(commit, Err(StoreError::Database(_))), "{commit:?}");
    let store = PgStore::connect(db.url()).expect("reconnect");
    assert_eq!(store.list(RecordKind::Organisation).expect("list").len(), 1);
    let v = store.verify_audit().expect("verify");
    assert!(v.ok(), "{:?}", v.problems);
    assert_eq!(v.entries, 1);
}

#[test]
fn the_audit_log_refuses_updates_deletes_and_truncation() {
    let Some(db) = TestDatabase::create() else {
        return;
    };
    let mut store = PgStore::connect(db.url()).expect("connect");
    store
        .apply("t", &[Change::Put(conformance::org("o1"))])
        .expect("put");
    let mut conn = raw(&db);
    for sql in [
        "UPDATE audit_log SET actor = 'x'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ] {
        assert!(conn.batch_execute(sql).is_err(), "{sql} was allowed");
    }
}

#[test]
fn altering_any_audit_row_by_hand_is_detected() {
    let tamper = [
        "UPDATE audit_log SET actor = 'mallory' WHERE seq = 1",
        "UPDATE audit_log SET after = '{}' WHERE seq = 2",
        "UPDATE audit_log SET before = replace(before, '\"10\"', '\"99\"') WHERE seq = 4",
        "UPDATE audit_log SET at = '2020-01-01T00:00:00Z' WHERE seq = 3",
        "DELETE FROM audit_log WHERE seq = 3",
        "UPDATE flows SET doc = replace(doc, '\"12\"', '\"11\"')",
        "UPDATE organisations SET doc = replace(doc, 'o1', 'o2')",
    ];
    for sql in tamper {
        let Some(db) = TestDatabase::create() else {
            return;
        };
        let mut store = PgStore::connect(db.url()).expect("connect");
        store
            .apply(
                "t",
                &[
                    Change::Put(conformance::activity("a1")),
                    Change::Put(conformance::flow("f1", "a1", "10")),
                    Change::Put(conformance::org("o1")),
                ],
            )
            .expect("put");
        store
            .apply("t", &[Change::Put(conformance::flow("f1", "a1", "12"))])
            .expect("update");
        assert!(store.verify_audit().expect("verify").ok());
        raw(&db)
            .batch_execute(&format!(
                "ALTER TABLE audit_log DISABLE TRIGGER USER; {sql}; ALTER TABLE audit_log ENABLE TRIGGER USER;"
            ))
            .expect("tamper");
        let v = store.verify_audit().expect("verify");
        assert!(!v.ok(), "tampering not detected: {sql}");
    }
}

#[test]
fn amounts_are_numeric_columns() {
    let Some(db) = TestDatabase::create() else {
        return;
    };
    let mut store = PgStore::connect(db.url()).expect("connect");
    store
        .apply(
            "t",
            &[
                Change::Put(conformance::activity("a1")),
                Change::Put(conformance::flow("f1", "a1", "1250.50")),
                Change::Put(conformance::flow("f2", "a1", "0.25")),
            ],
        )
        .expect("put");
    let sum: rust_decimal::Decimal = raw(&db)
        .query_one("SELECT sum(amount)::text FROM flows", &[])
        .map(|r| r.get::<_, String>(0).parse().expect("decimal"))
        .expect("sum");
    assert_eq!(sum.to_string(), "1250.75");
}

#[test]
fn a_read_only_database_at_the_current_schema_opens_for_reading() {
    // As a hot standby would be: the schema check takes no lock and runs no DDL when the
    // schema is current, so reports run there; writes are refused by the server, by name.
    let Some(db) = TestDatabase::create() else {
        return;
    };
    let mut store = PgStore::connect(db.url()).expect("migrate");
    store
        .apply("t", &[Change::Put(conformance::org("on-primary"))])
        .expect("write");
    drop(store);
    let mut admin = raw(&db);
    let name: String = admin
        .query_one("SELECT current_database()", &[])
        .expect("name")
        .get(0);
    admin
        .batch_execute(&format!(
            "ALTER DATABASE {name} SET default_transaction_read_only = on"
        ))
        .expect("read-only");
    drop(admin);
    let mut store = PgStore::connect(db.url()).expect("a read-only database opens");
    assert_eq!(store.count(RecordKind::Organisation).expect("count"), 1);
    assert!(store.verify_audit().expect("verify").ok());
    let refused = store
        .apply("t", &[Change::Put(conformance::org("on-standby"))])
        .expect_err("a write is refused");
    assert!(refused.to_string().contains("read-only"), "{refused}");
}

#[test]
fn a_url_naming_a_missing_database_says_so() {
    let Some(db) = TestDatabase::create() else {
        return;
    };
    let (server, _) = db.url().rsplit_once('/').expect("a path");
    let url = format!("{server}/aidtrace_no_such_database");
    let err = PgStore::connect(&url).err().expect("refused").to_string();
    assert!(err.contains("aidtrace_no_such_database"), "{err}");
    assert!(err.contains("does not exist"), "{err}");
}
