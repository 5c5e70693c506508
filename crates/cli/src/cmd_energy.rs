//! `aidtrace energy …` subcommands. Thin: parse flags, call aidtrace-energy, print.

use clap::Subcommand;

use crate::error::{CliResult, Outcome};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Placeholder until the energy commands land.
    Info,
}

pub fn run(command: Command) -> CliResult {
    match command {
        Command::Info => Ok(Outcome::Clean),
    }
}
