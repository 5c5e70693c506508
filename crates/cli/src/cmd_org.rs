//! `aidtrace org …`: one donor, one organisation. Thin: parse, call the service
//! (`service/src/orgs.rs`), print.

use aidtrace_domain::RecordId;
use aidtrace_service::Aidtrace;
use clap::Subcommand;

use crate::config::Settings;
use crate::error::{CliError, CliResult, Outcome, service_error};
use crate::output::{Format, out, print_csv, print_json, print_table};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Merge organisation FROM into INTO: every reference moves to INTO, FROM is deleted and its
    /// id and name are kept as an alias of INTO (with its identifiers), so a later import naming
    /// FROM links to INTO. One audited transaction; running it again changes nothing.
    Merge {
        from: String,
        into: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Organisations imports created that no admin has reviewed, with the established
    /// organisations each may duplicate. Link one with `org merge`, or keep it with `org keep`.
    Review {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Keep an organisation an import created as a new one (takes it off the review list).
    Keep { id: String },
    /// Add a reviewed alias: an import naming the organisation so links to it.
    Alias { id: String, name: String },
    /// Every alias, with the organisation it names (and the id of a merged organisation).
    Aliases {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

fn open(settings: &Settings) -> Result<Aidtrace, CliError> {
    Aidtrace::open(&settings.db).map_err(service_error)
}

fn id(field: &str, raw: &str) -> Result<RecordId, CliError> {
    RecordId::parse(raw).map_err(|e| CliError::input(format!("{field} = {raw:?}: {e}")))
}

pub fn run(command: Command, settings: &Settings) -> CliResult {
    let actor = settings.actor.as_str();
    match command {
        Command::Merge { from, into, format } => {
            let (from, into) = (id("FROM", &from)?, id("INTO", &into)?);
            let mut app = open(settings)?;
            let mut report = app
                .merge_organisations(actor, &from, &into)
                .map_err(service_error)?;
            let mut accounts = settings
                .db
                .open_accounts()
                .map_err(|e| service_error(e.into()))?;
            accounts.set_actor(actor);
            report.accounts_rescoped =
                aidtrace_service::orgs::move_account_scopes(&mut *accounts, &from, &into)
                    .map_err(service_error)?;
            if format == Format::Json {
                print_json(&report)?;
            } else if report.already_merged {
                out(&format!(
                    "{from} was merged into {into} already: nothing changed"
                ));
            } else {
                let moved: Vec<String> = report
                    .moved
                    .iter()
                    .map(|(kind, n)| format!("{n} {kind}"))
                    .collect();
                out(&format!(
                    "merged {from} into {into}: references moved in {}; {from} kept as an alias",
                    if moved.is_empty() {
                        "no record".to_string()
                    } else {
                        moved.join(", ")
                    }
                ));
            }
            if format != Format::Json && !report.accounts_rescoped.is_empty() {
                out(&format!(
                    "accounts now scoped to {into} instead of {from} (signed out): {}",
                    report.accounts_rescoped.join(", ")
                ));
            }
        }
        Command::Review { format } => {
            let items = open(settings)?
                .organisations_to_review()
                .map_err(service_error)?;
            let header = ["id", "name", "may be"];
            let rows: Vec<Vec<String>> = items
                .iter()
                .map(|i| {
                    vec![
                        i.organisation.id.to_string(),
                        i.organisation.name.clone(),
                        i.suggestions
                            .iter()
                            .map(|s| format!("{} ({})", s.id, s.name))
                            .collect::<Vec<_>>()
                            .join("; "),
                    ]
                })
                .collect();
            match format {
                Format::Json => print_json(&items)?,
                Format::Csv => print_csv(&header, &rows)?,
                Format::Table => print_table(&header, &rows),
            }
        }
        Command::Keep { id: raw } => {
            let org = id("ID", &raw)?;
            let report = open(settings)?
                .keep_organisation(actor, &org)
                .map_err(service_error)?;
            out(&if report.changed() == 0 {
                format!("{org} was kept already: nothing changed")
            } else {
                format!("{org} kept as a new organisation")
            });
        }
        Command::Alias { id: raw, name } => {
            let org = id("ID", &raw)?;
            let report = open(settings)?
                .add_alias(actor, &org, &name)
                .map_err(service_error)?;
            out(&if report.changed() == 0 {
                format!("{org} has this alias already: nothing changed")
            } else {
                format!("{org}: alias {:?} added", name.trim())
            });
        }
        Command::Aliases { format } => {
            let rows = open(settings)?.aliases().map_err(service_error)?;
            let header = ["organisation", "name", "alias", "merged id"];
            let table: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        r.organisation.to_string(),
                        r.organisation_name.clone(),
                        r.alias.clone(),
                        r.merged_id
                            .as_ref()
                            .map(ToString::to_string)
                            .unwrap_or_default(),
                    ]
                })
                .collect();
            match format {
                Format::Json => print_json(&rows)?,
                Format::Csv => print_csv(&header, &table)?,
                Format::Table => print_table(&header, &table),
            }
        }
    }
    Ok(Outcome::Clean)
}
