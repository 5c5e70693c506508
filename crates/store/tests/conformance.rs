//! The backend-independent store behaviour, one test per case per backend: SQLite files always,
//! PostgreSQL when `AIDTRACE_TEST_PG` names a server (always under CI).

use aidtrace_store::{PgStore, SqliteStore, Store, conformance, pg_testing::TestDatabase};

macro_rules! on_every_backend {
    ($($case:ident),+ $(,)?) => {
        mod sqlite {
            use super::*;
            $(
                #[test]
                fn $case() {
                    let dir = tempfile::tempdir().expect("tempdir");
                    let mut store = SqliteStore::open(&dir.path().join("aidtrace.db")).expect("open");
                    conformance::$case(&mut store);
                    assert!(store.integrity_check().expect("integrity").is_empty(), "integrity");
                }
            )+
        }
        mod postgres {
            use super::*;
            $(
                #[test]
                fn $case() {
                    let Some(db) = TestDatabase::create() else {
                        eprintln!("AIDTRACE_TEST_PG not set: PostgreSQL case skipped outside CI");
                        return;
                    };
                    let mut store = PgStore::connect(db.url()).expect("connect");
                    conformance::$case(&mut store);
                    assert!(store.verify_audit().expect("verify").ok(), "audit chain");
                }
            )+
        }
        /// Every case of the suite is listed above, so none is left out of a backend.
        #[test]
        fn every_case_runs_on_every_backend() {
            let listed = [$(stringify!($case)),+];
            let suite: Vec<&str> = conformance::CASES.iter().map(|(name, _)| *name).collect();
            assert_eq!(listed.to_vec(), suite);
        }
    };
}

on_every_backend!(
    put_then_get_returns_the_same_record,
    identical_put_is_a_no_op_without_audit,
    batch_is_atomic_when_one_change_fails,
    dangling_reference_is_refused,
    delete_of_referenced_record_is_refused,
    every_change_is_audited_and_chain_verifies,
    fx_rates_round_trip_and_are_audited,
    list_is_ordered_by_id,
    count_and_page_follow_the_list,
    ledger_version_moves_with_every_change_only,
    ledger_holds_every_record_across_chunks,
);

#[allow(dead_code)]
fn store_is_a_trait_object(_: &dyn Store) {}
