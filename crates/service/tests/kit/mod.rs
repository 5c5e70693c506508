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
    sqlite: Option<std::path::PathBuf>,
}

impl Guard {
    /// The per-asset history indexes, which exist on SQLite only so far (`None` on PostgreSQL,
    /// where the asset rules read histories through the `Store` trait).
    #[allow(dead_code)]
    pub fn asset_queries(&self) -> Option<aidtrace_store::SqliteAssetQueries> {
        self.sqlite
            .as_ref()
            .map(|path| aidtrace_store::SqliteAssetQueries::open(path).expect("asset queries"))
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
    let sqlite = (!on_postgres()).then(|| dir.path().join("aidtrace.db"));
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
            sqlite,
        },
        app,
    )
}
