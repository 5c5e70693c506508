//! `aidtrace asset void`: a wrong lifecycle event is voided (kept with its reason, read by no
//! report) and, with `--at`/`--state`, replaced by the corrected event in the same batch.

use aidtrace_domain::assets::{LifecycleState, instant};
use aidtrace_service::assets::{self as svc, Corrected, HistorySource};

use crate::cmd_asset::{open, queries, rid};
use crate::config::Settings;
use crate::error::{CliError, CliResult, Outcome, service_error};

pub(crate) fn void(
    settings: &Settings,
    event: &str,
    reason: &str,
    by: Option<String>,
    at: Option<String>,
    state: Option<String>,
) -> CliResult {
    let state = state
        .map(|raw| {
            LifecycleState::parse(raw.trim()).ok_or_else(|| {
                let all: Vec<&str> = LifecycleState::ALL.iter().map(|s| s.as_str()).collect();
                CliError::input(format!(
                    "--state {raw:?}: expected one of {}",
                    all.join(", ")
                ))
            })
        })
        .transpose()?;
    let at = at
        .map(|raw| instant::parse_field("--at", &raw).map_err(|e| CliError::input(e.to_string())))
        .transpose()?;
    let event = rid("event", event)?;
    let mut app = open(settings)?;
    let correct = (at.is_some() || state.is_some()).then_some(Corrected { at, state });
    let q = queries(settings)?;
    let done = svc::void_event(
        &mut app,
        HistorySource::Indexed(&q),
        settings.actor.as_str(),
        &event,
        reason,
        by,
        correct,
    )
    .map_err(service_error)?;
    println!("voided {}", done.event);
    if let Some(d) = &done.downtime {
        println!("voided downtime {d}");
    }
    if let Some(w) = &done.cancelled_work_order {
        println!("cancelled work order {w}");
    }
    if let Some(c) = &done.correction {
        println!("recorded correction {c}");
    }
    if let Some(d) = &done.reopened_downtime {
        println!("reopened downtime {d} (the return to service was voided)");
    }
    if let Some(w) = &done.reopened_work_order {
        println!("reopened work order {w} (the return to service had closed it)");
    }
    if let Some(d) = &done.corrected_downtime {
        println!("recorded downtime {d} from the corrected time");
    }
    Ok(Outcome::Clean)
}

/// What `void_record` voids.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Voidable {
    WorkOrder,
    Reading,
}

/// `aidtrace workorder void` and `aidtrace asset void-reading`.
pub(crate) fn void_record(
    settings: &Settings,
    what: Voidable,
    id: &str,
    reason: &str,
    by: Option<String>,
) -> CliResult {
    let id = rid("id", id)?;
    let mut app = open(settings)?;
    let q = queries(settings)?;
    let source = HistorySource::Indexed(&q);
    let actor = settings.actor.as_str();
    match what {
        Voidable::WorkOrder => {
            svc::void_work_order(&mut app, source, actor, &id, reason, by)
                .map_err(service_error)?;
            println!("voided work order {id}");
        }
        Voidable::Reading => {
            svc::void_reading(&mut app, source, actor, &id, reason, by).map_err(service_error)?;
            println!("voided meter reading {id}");
        }
    }
    Ok(Outcome::Clean)
}
