//! Where the store lives, named in one place: a bare path or `sqlite://PATH` is an SQLite file,
//! `postgres://…` (or `postgresql://…`) a PostgreSQL database. Nothing above the store crate
//! decides the backend from the text itself.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::{
    AccountStore, PgAccounts, PgStore, SqliteAccounts, SqliteStore, Store, StoreError, StoreResult,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreUrl {
    Sqlite(PathBuf),
    /// The full connection URL (kept with its password: [`fmt::Display`] hides it).
    Postgres(String),
}

impl FromStr for StoreUrl {
    type Err = StoreError;

    fn from_str(text: &str) -> StoreResult<Self> {
        let text = text.trim();
        if text.is_empty() {
            return Err(StoreError::InvalidRequest(
                "db is empty: give a file path, sqlite://PATH or postgres://USER@HOST/DATABASE"
                    .into(),
            ));
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(Self::Postgres(text.to_string()));
        }
        if let Some(path) = text.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(StoreError::InvalidRequest(
                    "db sqlite:// names no file: write sqlite://PATH".into(),
                ));
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if let Some((scheme, _)) = text.split_once("://") {
            return Err(StoreError::InvalidRequest(format!(
                "db {scheme}:// is not a store aidtrace can open: give a file path, sqlite://PATH or postgres://…"
            )));
        }
        Ok(Self::Sqlite(PathBuf::from(text)))
    }
}

impl From<&Path> for StoreUrl {
    fn from(path: &Path) -> Self {
        Self::Sqlite(path.to_path_buf())
    }
}

impl fmt::Display for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "{}", path.display()),
            Self::Postgres(url) => f.write_str(&crate::without_password(url)),
        }
    }
}

impl StoreUrl {
    /// The SQLite file, for what reads the file itself (tests that inspect it by hand); a
    /// PostgreSQL URL is refused, naming `what`.
    pub fn sqlite_path(&self, what: &str) -> StoreResult<&Path> {
        match self {
            Self::Sqlite(path) => Ok(path),
            Self::Postgres(_) => Err(StoreError::InvalidRequest(format!(
                "{what} works on an SQLite store only so far; {self} is PostgreSQL (see docs/storage.md)"
            ))),
        }
    }

    /// An SQLite file that is not there yet (commands that read a store refuse to create one);
    /// a PostgreSQL database is never "missing" here: connecting says whether it exists.
    pub fn is_missing_file(&self) -> bool {
        matches!(self, Self::Sqlite(path) if !path.is_file())
    }

    /// Opens (creating and migrating as needed) the record store this names.
    pub fn open(&self) -> StoreResult<Box<dyn Store>> {
        Ok(match self {
            Self::Sqlite(path) => Box::new(SqliteStore::open(path)?),
            Self::Postgres(url) => Box::new(PgStore::connect(url)?),
        })
    }

    /// Opens the web accounts, sessions, tokens and change queue kept beside the records
    /// (creating and migrating the store as needed).
    pub fn open_accounts(&self) -> StoreResult<Box<dyn AccountStore>> {
        Ok(match self {
            Self::Sqlite(path) => Box::new(SqliteAccounts::open(path)?),
            Self::Postgres(url) => Box::new(PgAccounts::connect(url)?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_path_and_sqlite_scheme_are_files() {
        assert_eq!(
            "data/a.db".parse::<StoreUrl>().expect("path"),
            StoreUrl::Sqlite(PathBuf::from("data/a.db"))
        );
        assert_eq!(
            "sqlite:///tmp/a.db".parse::<StoreUrl>().expect("sqlite"),
            StoreUrl::Sqlite(PathBuf::from("/tmp/a.db"))
        );
    }

    #[test]
    fn postgres_urls_are_postgres_and_shown_without_password() {
        let url: StoreUrl = "postgresql://u:pw@h:5432/d".parse().expect("pg");
        assert!(matches!(url, StoreUrl::Postgres(_)));
        assert_eq!(url.to_string(), "postgresql://u:***@h:5432/d");
    }

    #[test]
    fn other_schemes_and_empty_text_are_refused_by_name() {
        let err = "mysql://h/d".parse::<StoreUrl>().expect_err("mysql");
        assert!(err.to_string().contains("mysql://"), "{err}");
        assert!("".parse::<StoreUrl>().is_err());
        assert!("sqlite://".parse::<StoreUrl>().is_err());
    }

    #[test]
    fn sqlite_only_parts_refuse_postgres_naming_the_part() {
        let url: StoreUrl = "postgres://h/d".parse().expect("pg");
        let err = url.sqlite_path("web accounts").expect_err("refused");
        assert!(
            err.to_string()
                .contains("web accounts works on an SQLite store only"),
            "{err}"
        );
    }
}
