mod cmd_asset;
mod cmd_asset_contract;
mod cmd_asset_disposal;
mod cmd_asset_recall;
mod cmd_asset_void;
mod cmd_changes;
mod cmd_energy;
mod cmd_energy_autonomy;
mod cmd_energy_fuel;
mod cmd_energy_loads;
mod cmd_energy_plan_db;
mod cmd_energy_v2;
mod cmd_iati;
mod cmd_intake;
mod cmd_ledger;
mod cmd_medicine;
mod cmd_org;
mod cmd_report;
mod cmd_store;
mod cmd_web;
mod cmd_workorder;
mod config;
mod error;
mod filter_args;
mod iati_ledger;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

// Parsing IATI builds many small, short-lived trees: mimalloc makes validation and import
// about a sixth faster than the system allocator (see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "aidtrace",
    version,
    about = "Trace medical aid from agreement to working equipment"
)]
struct Cli {
    /// The store: an SQLite file (or sqlite://PATH) or a postgres:// URL [default: ./aidtrace.db]
    #[arg(long, global = true, env = "AIDTRACE_DB")]
    db: Option<PathBuf>,
    /// Who the audit log records as making changes [default: $USER]
    #[arg(long, global = true, env = "AIDTRACE_ACTOR")]
    actor: Option<String>,
    /// TOML settings file (keys: db, actor) [default: ./aidtrace.toml when present]
    #[arg(long, global = true, env = "AIDTRACE_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    #[command(flatten)]
    Ledger(cmd_ledger::Command),
    #[command(flatten)]
    Web(cmd_web::Command),
    #[command(flatten)]
    Assets(cmd_asset::Command),
    /// IATI 2.03: validate, import, export
    #[command(subcommand)]
    Iati(cmd_iati::Command),
    /// Energy resilience: generator fleet allocation, autonomy
    #[command(subcommand)]
    Energy(cmd_energy::Command),
    /// Intake of press releases and news into draft facts
    #[command(subcommand)]
    Intake(cmd_intake::Command),
    /// Proposed changes from the web application: list, compare, approve, reject
    #[command(subcommand)]
    Changes(cmd_changes::Command),
    /// Organisations: merge two into one, review what imports created, aliases
    #[command(subcommand)]
    Org(cmd_org::Command),
    /// The store as a whole: copy between SQLite and PostgreSQL
    #[command(subcommand)]
    Store(cmd_store::Command),
    /// Donated medicines and supplies: consignments, guideline checks, decisions, stock, donor view
    #[command(subcommand)]
    Medicine(cmd_medicine::Command),
}

fn settings(
    db: Option<PathBuf>,
    actor: Option<String>,
    config: Option<PathBuf>,
) -> Result<config::Settings, error::CliError> {
    let file = config::FileConfig::load(config.as_deref())?;
    config::Settings::resolve(db, actor, file)
}

fn run(cli: Cli) -> error::CliResult {
    match cli.command {
        Command::Ledger(c) => cmd_ledger::run(c, &settings(cli.db, cli.actor, cli.config)?),
        Command::Web(c) => cmd_web::run(c, &settings(cli.db, cli.actor, cli.config)?),
        Command::Assets(c) => cmd_asset::run(c, &settings(cli.db, cli.actor, cli.config)?),
        Command::Iati(c) => cmd_iati::run(c, &settings(cli.db, cli.actor, cli.config)?),
        Command::Energy(c) => cmd_energy::run(c, &settings(cli.db, cli.actor, cli.config)?),
        Command::Intake(c) => cmd_intake::run(c, &settings(cli.db, cli.actor, cli.config)?),
        Command::Changes(c) => cmd_changes::run(c, &settings(cli.db, cli.actor, cli.config)?),
        Command::Org(c) => cmd_org::run(c, &settings(cli.db, cli.actor, cli.config)?),
        Command::Store(c) => cmd_store::run(c),
        Command::Medicine(c) => cmd_medicine::run(c, &settings(cli.db, cli.actor, cli.config)?),
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(error::Outcome::Clean) => ExitCode::SUCCESS,
        Ok(error::Outcome::ProblemsFound) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}
