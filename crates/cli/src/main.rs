mod cmd_energy;
mod cmd_iati;
mod cmd_intake;
mod error;
mod output;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "aidtrace", version, about = "Trace medical aid from agreement to working equipment")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// IATI 2.03: validate, import, export
    #[command(subcommand)]
    Iati(cmd_iati::Command),
    /// Energy resilience: generator fleet allocation, autonomy
    #[command(subcommand)]
    Energy(cmd_energy::Command),
    /// Intake of press releases and news into draft facts
    #[command(subcommand)]
    Intake(cmd_intake::Command),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Iati(c) => cmd_iati::run(c),
        Command::Energy(c) => cmd_energy::run(c),
        Command::Intake(c) => cmd_intake::run(c),
    };
    match result {
        Ok(error::Outcome::Clean) => ExitCode::SUCCESS,
        Ok(error::Outcome::ProblemsFound) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}
