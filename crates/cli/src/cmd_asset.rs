//! `aidtrace asset …`, `aidtrace workorder …`, `aidtrace kpi …`, `aidtrace fhir …`: equipment
//! from grant line to working machine.

use clap::Subcommand;

use crate::config::Settings;
use crate::error::{CliError, CliResult};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Assets: register, move through the lifecycle, report down (placeholder until the assets work lands)
    #[command(subcommand)]
    Asset(AssetCommand),
}

#[derive(Debug, Subcommand)]
pub enum AssetCommand {
    /// List assets
    List,
}

pub fn run(command: Command, _settings: &Settings) -> CliResult {
    match command {
        Command::Asset(AssetCommand::List) => Err(CliError::failure("asset tracking is not built yet")),
    }
}
