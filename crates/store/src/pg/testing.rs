//! Throwaway PostgreSQL databases for tests: `AIDTRACE_TEST_PG` names a server (see
//! `scripts/pg-throwaway.sh`); each test gets a new, empty database that is dropped afterwards.

use postgres::{Client, NoTls};

/// The environment variable naming the PostgreSQL server tests run against.
pub const TEST_PG_ENV: &str = "AIDTRACE_TEST_PG";

/// An empty database on the test server, dropped when this is dropped.
pub struct TestDatabase {
    server: String,
    name: String,
    url: String,
}

impl TestDatabase {
    /// A new database on the server `AIDTRACE_TEST_PG` names, or `None` when it names none.
    /// Under CI (`CI=true`) a missing server is a failure, not a skip: CI starts one.
    pub fn create() -> Option<Self> {
        let server = match std::env::var(TEST_PG_ENV) {
            Ok(url) if !url.is_empty() => url,
            _ => {
                assert!(
                    std::env::var("CI").as_deref() != Ok("true"),
                    "{TEST_PG_ENV} is not set under CI: .ci/run starts a PostgreSQL server for the tests"
                );
                return None;
            }
        };
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).expect("random name");
        let name = format!("aidtrace_test_{}", hex::encode(bytes));
        // Through `blocking`, so an async test may call this too (see `Drop`).
        let create = format!("CREATE DATABASE {name}");
        super::blocking(|| {
            let mut admin = Client::connect(&server, NoTls)
                .unwrap_or_else(|e| panic!("cannot reach the test PostgreSQL server: {e}"));
            admin.batch_execute(&create).expect("create test database");
        });
        let url = with_database(&server, &name);
        Some(Self { server, name, url })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Runs one statement on this database behind the store's back (for tests that alter rows
    /// by hand, as a damaged or legacy database would hold them); the number of rows it changed.
    /// Callable from any thread, an async test's included.
    pub fn execute(&self, sql: &str) -> Result<u64, String> {
        super::blocking(|| {
            let mut client = Client::connect(&self.url, NoTls).map_err(|e| e.to_string())?;
            client.execute(sql, &[]).map_err(|e| e.to_string())
        })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // Through `blocking`: an async test drops it on a thread that drives a runtime, where
        // the blocking client cannot run.
        let (server, name) = (&self.server, &self.name);
        super::blocking(|| {
            if let Ok(mut admin) = Client::connect(server, NoTls) {
                let _ =
                    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        });
    }
}

/// `url` with its database (the path) replaced by `database`, keeping any query.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let (scheme, rest) = base.split_once("://").unwrap_or(("postgres", base));
    let authority = rest.split('/').next().unwrap_or(rest);
    let mut out = format!("{scheme}://{authority}/{database}");
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}
