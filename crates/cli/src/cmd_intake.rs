//! `aidtrace intake …` subcommands. Thin: parse flags, call aidtrace-intake, print.

use clap::Subcommand;

use crate::error::{CliResult, Outcome};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Placeholder until the intake commands land.
    Info,
}

pub fn run(command: Command) -> CliResult {
    match command {
        Command::Info => Ok(Outcome::Clean),
    }
}
