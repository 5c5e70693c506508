//! `aidtrace changes …`: the approval queue the web application fills, decided from the command
//! line. The workflow is the service's (`aidtrace_service::changes`); whoever runs the CLI on the
//! database can write the ledger directly anyway, so they act with an administrator's powers,
//! recorded under the CLI's actor (`--actor`, `AIDTRACE_ACTOR`, the settings file or `$USER`).

use aidtrace_domain::checks;
use aidtrace_service::Aidtrace;
use aidtrace_service::change_review::{self, ChangeReview, RecordDiff};
use aidtrace_service::changes::{self, ChangeError, ChangeRow, ChangeState, Decision};
use aidtrace_service::policy::Actor;
use aidtrace_store::AccountStore;
use clap::{Subcommand, ValueEnum};
use serde_json::json;

use crate::config::Settings;
use crate::error::{CliError, CliResult, Outcome, service_error};
use crate::output::{Format, print_csv, print_json, print_table};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StateArg {
    Draft,
    Submitted,
    Approved,
    Rejected,
}

impl From<StateArg> for ChangeState {
    fn from(s: StateArg) -> Self {
        match s {
            StateArg::Draft => Self::Draft,
            StateArg::Submitted => Self::Submitted,
            StateArg::Approved => Self::Approved,
            StateArg::Rejected => Self::Rejected,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Proposed changes, newest first
    List {
        /// Only changes in this state
        #[arg(long, value_enum)]
        state: Option<StateArg>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// One change: each record compared field by field with the stored one, and the findings
    /// approving it would add or clear
    Show {
        id: i64,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Approve a submitted change: its records enter the ledger
    Approve { id: i64 },
    /// Reject a submitted change, saying why
    Reject {
        id: i64,
        #[arg(long)]
        reason: String,
    },
}

fn open(settings: &Settings) -> Result<(Aidtrace, Box<dyn AccountStore>), CliError> {
    if settings.db.is_missing_file() {
        return Err(CliError::input(format!(
            "--db {}: no such store",
            &settings.db
        )));
    }
    let app = Aidtrace::open(&settings.db).map_err(service_error)?;
    let mut queue = settings
        .db
        .open_accounts()
        .map_err(|e| service_error(e.into()))?;
    queue.set_actor(&settings.actor);
    Ok((app, queue))
}

fn change_error(e: ChangeError) -> CliError {
    match e {
        ChangeError::Service(e) => service_error(e),
        // Refusals and conflicts are about the input (the change named, its state).
        other => CliError::input(other.to_string()),
    }
}

fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

pub fn run(command: Command, settings: &Settings) -> CliResult {
    match command {
        Command::List { state, format } => {
            let (_, queue) = open(settings)?;
            let list = queue
                .changes(state.map(Into::into))
                .map_err(|e| service_error(e.into()))?;
            print_list(&list, format)?;
        }
        Command::Show { id, format } => {
            let (app, queue) = open(settings)?;
            let change = changes::get(&*queue, id).map_err(service_error)?;
            let records = changes::records_of(&change).map_err(service_error)?;
            let ledger = app.ledger().map_err(service_error)?;
            let rates = app.rates().map_err(service_error)?;
            let options = app.check_options(settings.undisbursed_days(None)?);
            let mut outside = Vec::new();
            for r in records
                .iter()
                .filter(|r| !change_review::in_ledger(r.kind()))
            {
                outside.extend(
                    app.store()
                        .get(r.kind(), r.id())
                        .map_err(|e| service_error(e.into()))?,
                );
            }
            let before = || checks::run_with(&ledger, &rates, &options);
            let review =
                change_review::review(&ledger, &outside, &rates, &options, before, &records);
            print_review(&change, &review, format)?;
        }
        Command::Approve { id } => decide(settings, id, Decision::Approve, None)?,
        Command::Reject { id, reason } => {
            if reason.trim().is_empty() {
                return Err(CliError::input("--reason: say why the change is rejected"));
            }
            decide(settings, id, Decision::Reject, Some(reason.trim()))?;
        }
    }
    Ok(Outcome::Clean)
}

fn decide(
    settings: &Settings,
    id: i64,
    decision: Decision,
    note: Option<&str>,
) -> Result<(), CliError> {
    let (mut app, mut queue) = open(settings)?;
    let actor = Actor::operator(&settings.actor);
    let to = changes::decide(&mut app, &mut *queue, &actor, id, decision, note, &now())
        .map_err(change_error)?;
    println!("change {id} {}", to.as_str());
    Ok(())
}

fn print_list(list: &[ChangeRow], format: Format) -> Result<(), CliError> {
    if format == Format::Json {
        return print_json(list);
    }
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|c| {
            vec![
                c.id.to_string(),
                c.state.as_str().to_string(),
                format!("{} {}", c.kind, c.record_id),
                c.author.clone(),
                c.created_at.clone(),
                c.decided_by.clone().unwrap_or_default(),
                c.note.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let header = [
        "id",
        "state",
        "record",
        "proposed_by",
        "proposed_at",
        "decided_by",
        "note",
    ];
    if format == Format::Csv {
        print_csv(&header, &rows)
    } else {
        print_table(&header, &rows);
        Ok(())
    }
}

fn diff_rows(d: &RecordDiff) -> Vec<Vec<String>> {
    let record = format!("{} {}", d.kind.as_str(), d.id);
    let plain =
        |v: &Option<change_review::Shown>| v.as_ref().map(|v| v.plain()).unwrap_or_default();
    d.fields
        .iter()
        .map(|f| {
            vec![
                record.clone(),
                f.field.clone(),
                serde_json::to_value(f.change)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                plain(&f.before),
                plain(&f.after),
            ]
        })
        .collect()
}

fn print_review(change: &ChangeRow, review: &ChangeReview, format: Format) -> Result<(), CliError> {
    if format == Format::Json {
        return print_json(&json!({"change": change, "review": review}));
    }
    let mut rows: Vec<Vec<String>> = review.records.iter().flat_map(diff_rows).collect();
    for (what, list) in [
        ("finding added", &review.findings.added),
        ("finding cleared", &review.findings.cleared),
    ] {
        for f in list {
            rows.push(vec![
                format!("{} {}", f.record_kind.as_str(), f.record),
                f.rule.to_string(),
                what.to_string(),
                String::new(),
                f.message().to_string(),
            ]);
        }
    }
    let header = ["record", "field", "change", "stored", "proposed"];
    if format == Format::Csv {
        return print_csv(&header, &rows);
    }
    println!(
        "change {} ({}) proposed by {} at {}{}",
        change.id,
        change.state.as_str(),
        change.author,
        change.created_at,
        change
            .decided_by
            .as_ref()
            .map(|d| format!("; decided by {d} at {}", change.updated_at))
            .unwrap_or_default()
    );
    for d in &review.records {
        if d.fields.is_empty() {
            println!("{} {}: no change", d.kind.as_str(), d.id);
        }
    }
    print_table(&header, &rows);
    Ok(())
}
