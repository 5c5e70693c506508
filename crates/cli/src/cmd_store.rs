//! `aidtrace store …`: the store as a whole, across backends.

use clap::Subcommand;

use crate::error::{CliError, CliResult, Outcome, service_error};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Copy a whole store into an empty one, SQLite ⇄ PostgreSQL (records, rates, the audit
    /// chain; both chains verified). Web accounts, sessions, tokens and the change queue stay on
    /// SQLite for now and are not copied.
    Copy {
        /// The store to read: a file, sqlite://PATH or postgres://…
        from: String,
        /// The empty store to fill: a file, sqlite://PATH or postgres://…
        to: String,
    },
}

pub fn run(command: Command) -> CliResult {
    match command {
        Command::Copy { from, to } => {
            let parse = |field: &str, text: &str| {
                text.parse::<aidtrace_store::StoreUrl>()
                    .map_err(|e| CliError::input(format!("{field}: {e}")))
            };
            let (from, to) = (parse("FROM", &from)?, parse("TO", &to)?);
            let report = aidtrace_service::store_copy::copy(&from, &to).map_err(service_error)?;
            println!(
                "copied {from} into {to}: {} records, {} rates, {} rows of accounts, sessions, tokens and changes, {} audit entries; both audit chains verified",
                report.records, report.rates, report.web_rows, report.audit_entries
            );
            Ok(Outcome::Clean)
        }
    }
}
