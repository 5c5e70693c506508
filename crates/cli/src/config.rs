//! Settings, layered: built-in defaults, then a TOML file, then `AIDTRACE_*` environment
//! variables, then command-line flags (clap reads the last two; flags win).

use std::path::{Path, PathBuf};

use aidtrace_store::StoreUrl;
use serde::Deserialize;

use crate::error::CliError;

pub const DEFAULT_DB: &str = "aidtrace.db";
pub const DEFAULT_CONFIG: &str = "aidtrace.toml";

/// What the TOML file may set. Unknown keys are refused so a typo does not silently do nothing.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub db: Option<PathBuf>,
    pub actor: Option<String>,
    #[serde(default)]
    pub serve: ServeFile,
    #[serde(default)]
    pub checks: ChecksFile,
}

/// The `[checks]` table: settings of the data-quality checks, read by `check` and `serve`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecksFile {
    /// Days a dated commitment may wait for a disbursement before LEDGER-UNDISBURSED.
    pub undisbursed_days: Option<u32>,
}

/// The `[serve]` table: settings of `aidtrace serve` (its flags and `AIDTRACE_*` variables win).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeFile {
    pub public_url: Option<String>,
    pub trusted_proxies: Option<Vec<std::net::IpAddr>>,
    pub header_timeout: Option<u64>,
    pub idle_timeout: Option<u64>,
    pub max_connections: Option<u64>,
    pub max_connections_per_address: Option<u64>,
    pub max_hashes: Option<u64>,
    pub max_uploads: Option<u64>,
    pub read_connections: Option<u64>,
    pub upload_limit_mb: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// The store: an SQLite file (the default) or a PostgreSQL URL.
    pub db: StoreUrl,
    pub actor: String,
    pub serve: ServeFile,
    pub checks: ChecksFile,
}

impl FileConfig {
    /// Reads `path`; a missing default file is fine, a missing named file is an error.
    pub fn load(path: Option<&Path>) -> Result<Self, CliError> {
        let (path, required) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (PathBuf::from(DEFAULT_CONFIG), false),
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                return Ok(Self::default());
            }
            Err(e) => return Err(CliError::input(format!("config {}: {e}", path.display()))),
        };
        toml::from_str(&text)
            .map_err(|e| CliError::input(format!("config {}: {e}", path.display())))
    }
}

impl Settings {
    pub fn resolve(
        flag_db: Option<PathBuf>,
        flag_actor: Option<String>,
        file: FileConfig,
    ) -> Result<Self, CliError> {
        let actor = flag_actor
            .or(file.actor)
            .or_else(|| std::env::var("USER").ok().filter(|u| !u.is_empty()))
            .unwrap_or_else(|| "cli".to_string());
        let db = flag_db
            .or(file.db)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DB));
        let db = match db.to_str() {
            Some(text) => text
                .parse::<StoreUrl>()
                .map_err(|e| CliError::input(format!("--db: {e}")))?,
            // Not UTF-8: only a file path can be like that.
            None => StoreUrl::Sqlite(db),
        };
        Ok(Self {
            db,
            actor,
            serve: file.serve,
            checks: file.checks,
        })
    }

    /// The SQLite file, for tests that read it directly (`what` names the reader in the message a
    /// PostgreSQL URL gets). Every command works on both backends.
    #[cfg(test)]
    pub fn sqlite_path(&self, what: &str) -> Result<&Path, CliError> {
        self.db
            .sqlite_path(what)
            .map_err(|e| CliError::input(e.to_string()))
    }
}

impl Settings {
    /// Days a commitment may wait for a disbursement (LEDGER-UNDISBURSED): the flag (or
    /// `AIDTRACE_UNDISBURSED_DAYS`), else `[checks] undisbursed_days`, else 365; 1 to 36,500.
    pub fn undisbursed_days(&self, flag: Option<u32>) -> Result<u32, CliError> {
        let days = flag
            .or(self.checks.undisbursed_days)
            .unwrap_or(aidtrace_domain::checks::DEFAULT_UNDISBURSED_AFTER_DAYS);
        if (1..=36_500).contains(&days) {
            Ok(days)
        } else {
            Err(CliError::input(format!(
                "--undisbursed-days (or checks.undisbursed_days) is {days}; it must be 1 to 36500"
            )))
        }
    }
}
