//! `aidtrace serve`, `aidtrace user …`, `aidtrace token …`: the web application and its accounts.

use std::io::Read;
use std::net::SocketAddr;

use aidtrace_store::{Account, SqliteAccounts};
use aidtrace_web::{ApiError, AppState, PasswordCost, WebConfig};
use clap::{Args, Subcommand};
use rust_decimal::Decimal;

use crate::config::Settings;
use crate::error::{CliError, CliResult, Outcome};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web application and JSON API (/api/v1) on the database
    Serve(ServeArgs),
    /// Web accounts
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// API tokens for machine clients
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Load the seed scenario first when the store is empty
    #[arg(long)]
    demo: bool,
    /// Require sign-in for every page (no public read-only view)
    #[arg(long)]
    no_public: bool,
    /// Radius in km to which the public view blurs sensitive facilities' coordinates
    #[arg(long, default_value = "10")]
    blur_km: Decimal,
    /// Largest IATI file accepted by the upload page, in MiB (larger files: `iati import`)
    #[arg(long, default_value = "256", value_parser = clap::value_parser!(u64).range(1..=65536))]
    upload_limit_mb: u64,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account, or replace its role, scopes and password
    Add {
        #[arg(long)]
        name: String,
        /// admin | editor | approver | facility_engineer | viewer
        #[arg(long)]
        role: String,
        /// Organisation an editor may edit (repeatable)
        #[arg(long = "org")]
        orgs: Vec<String>,
        /// Facility a facility engineer may edit (repeatable)
        #[arg(long = "facility")]
        facilities: Vec<String>,
        /// Read the password from standard input (required: passwords never go on the command line)
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts
    List,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for an account; the token is printed once
    Create {
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "api")]
        label: String,
        /// Days until the token expires (default: never)
        #[arg(long)]
        days: Option<u32>,
    },
    /// Revoke (delete) an account's tokens with this label
    Revoke {
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "api")]
        label: String,
    },
}

/// The accounts store of the database, with changes audited as the CLI's actor.
fn open_accounts(settings: &Settings) -> Result<SqliteAccounts, CliError> {
    let mut accounts =
        SqliteAccounts::open(&settings.db).map_err(|e| CliError::failure(e.to_string()))?;
    accounts.set_actor(&settings.actor);
    Ok(accounts)
}

fn web_error(e: ApiError) -> CliError {
    let field = e.field.map(|f| format!(" ({f})")).unwrap_or_default();
    if e.status.is_client_error() {
        CliError::input(format!("{}{field}", e.message))
    } else {
        CliError::failure(format!("{}{field}", e.message))
    }
}

pub fn run(command: Command, settings: &Settings) -> CliResult {
    match command {
        Command::Serve(args) => serve(args, settings),
        Command::User {
            command:
                UserCommand::Add {
                    name,
                    role,
                    orgs,
                    facilities,
                    password_stdin,
                },
        } => {
            if !password_stdin {
                return Err(CliError::input(
                    "give the password on standard input with --password-stdin",
                ));
            }
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']);
            let mut accounts = open_accounts(settings)?;
            let account = Account {
                name: name.clone(),
                role,
                organisations: orgs,
                facilities,
            };
            aidtrace_web::add_user(&mut accounts, &account, password, PasswordCost::default())
                .map_err(web_error)?;
            println!("account {name} saved ({})", account.role);
            Ok(Outcome::Clean)
        }
        Command::User {
            command: UserCommand::List,
        } => {
            let accounts =
                SqliteAccounts::open(&settings.db).map_err(|e| CliError::failure(e.to_string()))?;
            use aidtrace_store::AccountStore;
            for a in accounts
                .accounts()
                .map_err(|e| CliError::failure(e.to_string()))?
            {
                println!(
                    "{}\t{}\torgs={}\tfacilities={}",
                    a.name,
                    a.role,
                    a.organisations.join(","),
                    a.facilities.join(",")
                );
            }
            Ok(Outcome::Clean)
        }
        Command::Token {
            command: TokenCommand::Create { name, label, days },
        } => {
            let mut accounts = open_accounts(settings)?;
            let token = aidtrace_web::create_token(&mut accounts, &name, &label, days)
                .map_err(web_error)?;
            println!("{token}");
            eprintln!("send it as `Authorization: Bearer <token>`; it is not shown again");
            Ok(Outcome::Clean)
        }
        Command::Token {
            command: TokenCommand::Revoke { name, label },
        } => {
            use aidtrace_store::AccountStore;
            let mut accounts = open_accounts(settings)?;
            let n = accounts
                .revoke_tokens(&name, &label)
                .map_err(|e| CliError::failure(e.to_string()))?;
            if n == 0 {
                return Err(CliError::input(format!(
                    "no token of account {name:?} has label {label:?} (--name, --label)"
                )));
            }
            println!("revoked {n} token(s) of {name} labelled {label}");
            Ok(Outcome::Clean)
        }
    }
}

fn serve(args: ServeArgs, settings: &Settings) -> CliResult {
    let config = WebConfig {
        public_view: !args.no_public,
        blur_km: args.blur_km,
        // Browsers drop `Secure` cookies sent over plain HTTP except on the loopback interface;
        // anywhere else the server must sit behind TLS, and cookies are marked Secure.
        secure_cookies: !args.addr.ip().is_loopback(),
        upload_limit: args.upload_limit_mb.saturating_mul(1024 * 1024),
        ..WebConfig::default()
    };
    let state = AppState::open(&settings.db, config).map_err(web_error)?;
    if args.demo {
        let mut service = state.service();
        let empty = service
            .counts()
            .map_err(|e| CliError::failure(e.to_string()))?
            .values()
            .all(|n| *n == 0);
        if empty {
            let report = service
                .load_demo(&settings.actor)
                .map_err(|e| CliError::failure(e.to_string()))?;
            println!("seed scenario loaded: {} records", report.created);
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(aidtrace_web::serve(state, args.addr))?;
    Ok(Outcome::Clean)
}
