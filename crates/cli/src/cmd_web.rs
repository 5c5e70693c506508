//! `aidtrace serve`, `aidtrace user …`, `aidtrace token …`: the web application and its accounts.

use std::io::Read;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use aidtrace_store::{Account, AccountStore};
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
    /// The address users reach the server at, e.g. https://aid.example.org behind a TLS proxy;
    /// an https address makes cookies Secure whatever address the server listens on
    #[arg(long, env = "AIDTRACE_PUBLIC_URL")]
    public_url: Option<String>,
    /// Reverse proxy whose X-Forwarded-For header names the client (repeatable; comma-separated
    /// in the environment). Without it the header is ignored
    #[arg(
        long = "trusted-proxy",
        env = "AIDTRACE_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<IpAddr>,
    /// Seconds a client may take to send a request's headers (and a kept-alive connection may
    /// wait idle for its next request) [default: 10]
    #[arg(long, env = "AIDTRACE_HEADER_TIMEOUT")]
    header_timeout: Option<u64>,
    /// Seconds a request body or a response may pause before the connection is closed
    /// [default: 30]
    #[arg(long, env = "AIDTRACE_IDLE_TIMEOUT")]
    idle_timeout: Option<u64>,
    /// Connections served at once (more wait in the listen queue) [default: 1024]
    #[arg(long, env = "AIDTRACE_MAX_CONNECTIONS")]
    max_connections: Option<u64>,
    /// Connections one client address (an IPv6 /64) may hold at once; trusted proxies are
    /// exempt [default: 64]
    #[arg(long, env = "AIDTRACE_MAX_CONNECTIONS_PER_ADDRESS")]
    max_connections_per_address: Option<u64>,
    /// Password hashes computed at once, 19 MiB each [default: the number of cores]
    #[arg(long, env = "AIDTRACE_MAX_HASHES")]
    max_hashes: Option<u64>,
    /// IATI uploads checked at once on `/import`, one per account; more get 503 at once
    /// [default: the number of cores]
    #[arg(long, env = "AIDTRACE_MAX_UPLOADS")]
    max_uploads: Option<u64>,
    /// Store connections opened, at most, for reads beside the one writing connection, so
    /// reads never wait for a write [default: 4]
    #[arg(long, env = "AIDTRACE_READ_CONNECTIONS")]
    read_connections: Option<u64>,
    /// Largest IATI file accepted by the upload page, in MiB (larger files: `iati import`)
    /// [default: 256]
    #[arg(long, env = "AIDTRACE_UPLOAD_LIMIT_MB")]
    upload_limit_mb: Option<u64>,
    /// Days a dated commitment may go without any disbursement before it is flagged
    /// (LEDGER-UNDISBURSED) [default: 365]
    #[arg(long, env = "AIDTRACE_UNDISBURSED_DAYS")]
    undisbursed_days: Option<u32>,
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
    /// Disable an account: end its sessions, delete its API tokens and refuse its sign-in
    /// (`user add` with a new password enables it again)
    Disable {
        #[arg(long)]
        name: String,
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
fn open_accounts(settings: &Settings) -> Result<Box<dyn AccountStore>, CliError> {
    let mut accounts = settings
        .db
        .open_accounts()
        .map_err(|e| CliError::failure(e.to_string()))?;
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
            aidtrace_web::add_user(&mut *accounts, &account, password, PasswordCost::default())
                .map_err(web_error)?;
            println!(
                "account {name} saved ({}); its sessions were ended",
                account.role
            );
            Ok(Outcome::Clean)
        }
        Command::User {
            command: UserCommand::Disable { name },
        } => {
            let mut accounts = open_accounts(settings)?;
            let done = accounts
                .disable_account(&name, &aidtrace_web::auth::now_rfc3339())
                .map_err(|e| CliError::failure(e.to_string()))?
                .ok_or_else(|| CliError::input(format!("no account named {name:?} (--name)")))?;
            if done.already {
                println!("account {name} was already disabled");
            } else {
                println!("account {name} disabled");
            }
            println!(
                "ended {} session(s), revoked {} token(s)",
                done.sessions, done.tokens
            );
            Ok(Outcome::Clean)
        }
        Command::User {
            command: UserCommand::List,
        } => {
            let accounts = open_accounts(settings)?;
            let failure = |e: aidtrace_store::StoreError| CliError::failure(e.to_string());
            for a in accounts.accounts().map_err(failure)? {
                let disabled = accounts
                    .disabled_at(&a.name)
                    .map_err(failure)?
                    .map(|at| format!("\tdisabled={at}"))
                    .unwrap_or_default();
                println!(
                    "{}\t{}\torgs={}\tfacilities={}{disabled}",
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
            let token = aidtrace_web::create_token(&mut *accounts, &name, &label, days)
                .map_err(web_error)?;
            println!("{token}");
            eprintln!("send it as `Authorization: Bearer <token>`; it is not shown again");
            Ok(Outcome::Clean)
        }
        Command::Token {
            command: TokenCommand::Revoke { name, label },
        } => {
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

/// Whether cookies are marked Secure: when users reach the server over https (behind a TLS
/// proxy, `--public-url https://…`), and whenever it listens beyond the loopback interface
/// (browsers keep `Secure` cookies sent over plain HTTP only from loopback addresses).
fn secure_cookies(addr: &SocketAddr, public_url: Option<&str>) -> Result<bool, CliError> {
    match public_url {
        None => Ok(!addr.ip().is_loopback()),
        Some(url) if url.starts_with("https://") => Ok(true),
        Some(url) if url.starts_with("http://") => Ok(!addr.ip().is_loopback()),
        Some(url) => Err(CliError::input(format!(
            "--public-url {url:?} must start with https:// (or http://)"
        ))),
    }
}

/// A serve setting from the flag (or its variable), else the `[serve]` table, else `default`,
/// checked to lie within `lo..=hi`.
fn setting(
    name: &str,
    flag: Option<u64>,
    file: Option<u64>,
    default: u64,
    (lo, hi): (u64, u64),
) -> Result<u64, CliError> {
    let v = flag.or(file).unwrap_or(default);
    if (lo..=hi).contains(&v) {
        Ok(v)
    } else {
        Err(CliError::input(format!(
            "--{name} (or serve.{}) is {v}; it must be {lo} to {hi}",
            name.replace('-', "_")
        )))
    }
}

fn serve(args: ServeArgs, settings: &Settings) -> CliResult {
    let defaults = WebConfig::default();
    let file = &settings.serve;
    let size = |v: u64| usize::try_from(v).unwrap_or(usize::MAX);
    let public_url = args.public_url.as_deref().or(file.public_url.as_deref());
    let trusted_proxies = if args.trusted_proxies.is_empty() {
        file.trusted_proxies.clone().unwrap_or_default()
    } else {
        args.trusted_proxies
    };
    let config = WebConfig {
        public_view: !args.no_public,
        blur_km: args.blur_km,
        secure_cookies: secure_cookies(&args.addr, public_url)?,
        trusted_proxies,
        header_read_timeout: Duration::from_secs(setting(
            "header-timeout",
            args.header_timeout,
            file.header_timeout,
            defaults.header_read_timeout.as_secs(),
            (1, 3600),
        )?),
        idle_timeout: Duration::from_secs(setting(
            "idle-timeout",
            args.idle_timeout,
            file.idle_timeout,
            defaults.idle_timeout.as_secs(),
            (1, 3600),
        )?),
        max_connections: size(setting(
            "max-connections",
            args.max_connections,
            file.max_connections,
            defaults.max_connections as u64,
            (1, 1_000_000),
        )?),
        max_connections_per_address: size(setting(
            "max-connections-per-address",
            args.max_connections_per_address,
            file.max_connections_per_address,
            defaults.max_connections_per_address as u64,
            (1, 1_000_000),
        )?),
        max_concurrent_hashes: size(setting(
            "max-hashes",
            args.max_hashes,
            file.max_hashes,
            defaults.max_concurrent_hashes as u64,
            (1, 256),
        )?),
        max_concurrent_uploads: size(setting(
            "max-uploads",
            args.max_uploads,
            file.max_uploads,
            defaults.max_concurrent_uploads as u64,
            (1, 256),
        )?),
        read_connections: size(setting(
            "read-connections",
            args.read_connections,
            file.read_connections,
            defaults.read_connections as u64,
            (1, 256),
        )?),
        upload_limit: setting(
            "upload-limit-mb",
            args.upload_limit_mb,
            file.upload_limit_mb,
            256,
            (1, 65_536),
        )?
        .saturating_mul(1024 * 1024),
        undisbursed_after_days: settings.undisbursed_days(args.undisbursed_days)?,
        ..defaults
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
    // The store is complete now: build the reports while the server starts listening.
    state.warm_up();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(aidtrace_web::serve(state, args.addr))?;
    Ok(Outcome::Clean)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Behind a TLS proxy the server listens on loopback, yet its cookies must be Secure.
    #[test]
    fn an_https_public_url_makes_cookies_secure_even_on_loopback() {
        let loopback: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let everywhere: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        assert!(!secure_cookies(&loopback, None).unwrap());
        assert!(secure_cookies(&loopback, Some("https://aid.example.org")).unwrap());
        assert!(!secure_cookies(&loopback, Some("http://127.0.0.1:8080")).unwrap());
        assert!(secure_cookies(&everywhere, None).unwrap());
        assert!(secure_cookies(&everywhere, Some("http://aid.example.org")).unwrap());
        assert!(secure_cookies(&loopback, Some("aid.example.org")).is_err());
    }

    /// Flag (or its variable) over the `[serve]` table over the built-in default; out of range
    /// is an input error naming both spellings.
    #[test]
    fn serve_settings_layer_flag_over_file_over_default() {
        assert_eq!(
            setting("idle-timeout", None, None, 30, (1, 60)).unwrap(),
            30
        );
        assert_eq!(
            setting("idle-timeout", None, Some(5), 30, (1, 60)).unwrap(),
            5
        );
        assert_eq!(
            setting("idle-timeout", Some(7), Some(5), 30, (1, 60)).unwrap(),
            7
        );
        let e = setting("idle-timeout", None, Some(0), 30, (1, 60)).unwrap_err();
        assert!(e.to_string().contains("serve.idle_timeout"), "{e}");
        let file: crate::config::FileConfig = toml::from_str(
            "[serve]\npublic_url = \"https://aid.example.org\"\ntrusted_proxies = [\"10.0.0.2\"]\nheader_timeout = 5\n",
        )
        .unwrap();
        assert_eq!(file.serve.header_timeout, Some(5));
        assert_eq!(file.serve.trusted_proxies.unwrap().len(), 1);
        assert!(toml::from_str::<crate::config::FileConfig>("[serve]\nsecure = true\n").is_err());
    }
}
