//! The PostgreSQL backend called from a thread that drives a tokio runtime (a server task, an
//! async test), where the blocking client cannot block on its own runtime: every call leaves the
//! thread for one where it can, so the store works from any thread. Each runs when
//! `AIDTRACE_TEST_PG` names a server (always under CI).

use aidtrace_domain::{RecordId, RecordKind};
use aidtrace_store::{
    AccountStore, Change, PgAccounts, PgStore, Store, conformance, pg_testing::TestDatabase,
};

/// Runs `f` as a task of a current-thread runtime, as `#[tokio::test]` does.
fn on_runtime<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
        .block_on(f)
}

#[test]
fn reads_and_writes_work_on_a_runtime_thread() {
    let Some(db) = TestDatabase::create() else {
        eprintln!("AIDTRACE_TEST_PG is not set: PostgreSQL case skipped");
        return;
    };
    on_runtime(async {
        let mut store = PgStore::connect(db.url()).expect("connect");
        store
            .apply("t", &[Change::Put(conformance::org("a"))])
            .expect("write");
        let mut batch = store.begin_batch("t").expect("batch");
        batch.put(&conformance::org("b")).expect("put");
        assert!(
            batch
                .exists(RecordKind::Organisation, &RecordId::parse("b").expect("id"))
                .expect("exists")
        );
        batch.commit().expect("commit");
        assert_eq!(store.count(RecordKind::Organisation).expect("count"), 2);
        assert_eq!(store.ledger_version().expect("version"), 2);
        assert!(store.verify_audit().expect("verify").ok());
        drop(store);
    });
}

#[test]
fn an_unfinished_batch_dropped_on_a_runtime_thread_rolls_back() {
    let Some(db) = TestDatabase::create() else {
        eprintln!("AIDTRACE_TEST_PG is not set: PostgreSQL case skipped");
        return;
    };
    let mut store = on_runtime(async {
        let mut store = PgStore::connect(db.url()).expect("connect");
        let mut batch = store.begin_batch("t").expect("batch");
        batch.put(&conformance::org("never")).expect("put");
        drop(batch);
        store
    });
    assert_eq!(store.count(RecordKind::Organisation).expect("count"), 0);
    store
        .apply("t", &[Change::Put(conformance::org("after"))])
        .expect("the connection is usable after the rollback");
    assert_eq!(store.verify_audit().expect("verify").entries, 1);
}

#[test]
fn the_store_is_shared_by_threads() {
    let Some(db) = TestDatabase::create() else {
        eprintln!("AIDTRACE_TEST_PG is not set: PostgreSQL case skipped");
        return;
    };
    let mut store = PgStore::connect(db.url()).expect("connect");
    store
        .apply("t", &[Change::Put(conformance::org("shared"))])
        .expect("write");
    let store = &store;
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(move || {
                for _ in 0..10 {
                    assert_eq!(store.count(RecordKind::Organisation).expect("count"), 1);
                }
            });
        }
    });
}

#[test]
fn accounts_work_on_a_runtime_thread() {
    let Some(db) = TestDatabase::create() else {
        eprintln!("AIDTRACE_TEST_PG is not set: PostgreSQL case skipped");
        return;
    };
    on_runtime(async {
        let accounts = PgAccounts::connect(db.url()).expect("connect");
        assert!(accounts.accounts().expect("accounts").is_empty());
        assert!(accounts.ledger_version().expect("version") >= 0);
    });
}

#[test]
fn calls_on_a_marked_blocking_pool_thread_run_there() {
    // As the web layer's `state::blocking` runs its database work.
    let Some(db) = TestDatabase::create() else {
        eprintln!("AIDTRACE_TEST_PG is not set: PostgreSQL case skipped");
        return;
    };
    let url = db.url().to_string();
    let count = on_runtime(async move {
        tokio::task::spawn_blocking(move || {
            aidtrace_store::on_blocking_thread(|| {
                let mut store = PgStore::connect(&url).expect("connect");
                store
                    .apply("t", &[Change::Put(conformance::org("pooled"))])
                    .expect("write");
                store.count(RecordKind::Organisation).expect("count")
            })
        })
        .await
        .expect("the blocking task")
    });
    assert_eq!(count, 1);
}
