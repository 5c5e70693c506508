//! The service tests' shared setup: an empty store on the backend the environment chooses, so
//! every test that uses it runs on SQLite (the default) and on PostgreSQL
//! (`AIDTRACE_TEST_BACKEND=postgres` with `AIDTRACE_TEST_PG` naming a server; `.ci/run` runs the
//! suite both ways).

use std::ops::Deref;

use aidtrace_service::Aidtrace;
use aidtrace_store::StoreUrl;
use aidtrace_store::pg_testing::TestDatabase;

/// Keeps the test's folder (for files it writes) and, on PostgreSQL, its database alive.
pub struct Guard {
    dir: tempfile::TempDir,
    _database: Option<TestDatabase>,
    url: StoreUrl,
}

impl Guard {
    /// The web accounts, sessions, tokens and change queue beside the test's records.
    #[allow(dead_code)]
    pub fn accounts(&self) -> Box<dyn aidtrace_store::AccountStore> {
        self.url.open_accounts().expect("accounts")
    }

    /// A second connection to the store, for its per-asset history indexes (`AssetQueries`).
    #[allow(dead_code)]
    pub fn asset_queries(&self) -> Box<dyn aidtrace_store::Store> {
        self.url.open().expect("asset queries")
    }
}

impl Deref for Guard {
    type Target = tempfile::TempDir;
    fn deref(&self) -> &tempfile::TempDir {
        &self.dir
    }
}

/// Whether this run's service tests use PostgreSQL.
#[allow(dead_code)]
pub fn on_postgres() -> bool {
    std::env::var("AIDTRACE_TEST_BACKEND").as_deref() == Ok("postgres")
}

/// An empty, migrated store and the service over it.
pub fn open() -> (Guard, Aidtrace) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (url, database) = if on_postgres() {
        let database = TestDatabase::create()
            .expect("AIDTRACE_TEST_BACKEND=postgres needs AIDTRACE_TEST_PG naming a server");
        (
            StoreUrl::Postgres(database.url().to_string()),
            Some(database),
        )
    } else {
        (StoreUrl::Sqlite(dir.path().join("aidtrace.db")), None)
    };
    let app = Aidtrace::open(&url).expect("open the test store");
    (
        Guard {
            dir,
            _database: database,
            url,
        },
        app,
    )
}
