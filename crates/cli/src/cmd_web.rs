//! `aidtrace serve`, `aidtrace user …`, `aidtrace token …`: the web application and its accounts.

use clap::Subcommand;

use crate::config::Settings;
use crate::error::{CliError, CliResult};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web application and API (placeholder until the web crate lands)
    Serve,
}

pub fn run(command: Command, _settings: &Settings) -> CliResult {
    match command {
        Command::Serve => Err(CliError::failure("the web application is not built yet")),
    }
}
