//! The write path shared by forms and the API: the web's side of the approval workflow, which
//! lives in the service (`aidtrace_service::changes`, rules in `aidtrace_service::policy`). This
//! module checks the request's precondition, takes the locks, and maps the workflow's answers
//! to HTTP errors.

use aidtrace_domain::error::{Problem, ProblemId};
use aidtrace_domain::{Record, ValidationError};
use aidtrace_service::changes::{self, ChangeError, Written};
use axum::http::StatusCode;
use serde_json::Value;

pub use aidtrace_service::changes::{Decision, etag};

use crate::auth::{Principal, now_rfc3339};
use crate::changes::precondition::Precondition;
use crate::error::ApiError;
use crate::state::AppState;

/// A validator of a response body that is not the stored record (the public view of one).
pub fn etag_of_json(value: &Value) -> String {
    changes::etag_of_bytes(&serde_json::to_vec(value).unwrap_or_default())
}

pub fn invalid(record: &str, e: ValidationError) -> ApiError {
    let message = if e.value.is_empty() {
        format!("{record}: {}", e.message)
    } else {
        format!("{record}: {} (value {:?})", e.message, e.value)
    };
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_record", message)
        .with_validation(&e)
        .with_field(e.field)
}

impl From<ChangeError> for ApiError {
    fn from(e: ChangeError) -> Self {
        match e {
            ChangeError::Forbidden {
                message,
                value,
                problem,
            } => ApiError::forbidden(message).because(value, Problem::new(problem)),
            ChangeError::WrongState { message, problem } => {
                ApiError::new(StatusCode::CONFLICT, "wrong_state", message)
                    .because("", Problem::new(problem))
            }
            ChangeError::Conflict { message, value } => {
                ApiError::new(StatusCode::CONFLICT, "conflict", message)
                    .because(value, Problem::new(ProblemId::ChangedSinceEdit))
            }
            ChangeError::Service(aidtrace_service::ServiceError::Invalid { record, error }) => {
                invalid(&record, error)
            }
            ChangeError::Service(e) => e.into(),
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum WriteOutcome {
    /// The change is in the ledger; `etag` is the main record's new ETag.
    Applied { etag: String },
    /// The change waits for an approver.
    Proposed { change: i64, state: String },
}

/// Validates, authorises and writes or proposes `records` (the first is the main one).
/// `precondition` is checked against the stored main record under the service lock, in the same
/// step as the write, so a concurrent write of the same id cannot slip in between.
pub fn write(
    state: &AppState,
    principal: &Principal,
    records: Vec<Record>,
    precondition: &Precondition,
    submit: bool,
) -> Result<WriteOutcome, ApiError> {
    let Some(main) = records.first() else {
        return Err(ApiError::bad_request("empty", "nothing to write"));
    };
    let (kind, id) = (main.kind(), main.id().clone());
    let mut service = state.service();
    let current = changes::current_etag(&service, kind, &id)?;
    precondition.check(
        current.as_deref(),
        &format!("{} {id}", kind.as_str()),
        id.as_str(),
    )?;
    // The versions around the write tell the read model whether what it holds plus these
    // records is the whole new ledger (see `crate::read_model`).
    let before = service.store().ledger_version()?;
    let in_flight = state.write_in_flight();
    let delta_records = records.clone();
    let written = changes::write(
        &mut service,
        &mut *state.accounts(),
        principal,
        records,
        submit,
        &now_rfc3339(),
    )?;
    let after = service.store().ledger_version()?;
    drop(service);
    Ok(match written {
        Written::Applied { etag } => {
            if after != before {
                in_flight.written(crate::read_model::Delta {
                    before,
                    after,
                    put: delta_records,
                    deleted: Vec::new(),
                });
            }
            WriteOutcome::Applied { etag }
        }
        Written::Proposed { change, state } => WriteOutcome::Proposed {
            change,
            state: state.as_str().to_string(),
        },
    })
}

/// The number of a proposed change in a URL; anything else names no change (404, as an unknown
/// number does), in the caller's error shape rather than the framework's plain text.
pub fn change_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>().map_err(|_| {
        ApiError::not_found(format!("no change {raw:?}"))
            .with_field("id")
            .because(raw, Problem::new(ProblemId::NoSuchChange))
    })
}

/// The decision an action in a URL names (`/changes/{id}/{action}`).
pub fn decision(action: &str) -> Result<Decision, ApiError> {
    Decision::parse(action).ok_or_else(|| {
        ApiError::not_found(format!(
            "no action {action:?}; use approve, reject or submit"
        ))
    })
}

pub fn decide(
    state: &AppState,
    principal: &Principal,
    id: i64,
    decision: Decision,
    note: Option<&str>,
) -> Result<changes::ChangeState, ApiError> {
    // The service lock serialises decisions with every ledger write, so the ETag checked by the
    // workflow is still current when the change is applied.
    let mut service = state.service();
    // An approval hands its records to the read model as a direct write does, so the reports
    // follow by a delta and the approver's next page shows the change: a whole re-read of the
    // store (seconds after an IATI import) left that page on the old snapshot, and a new
    // activity answered 404.
    let approving = match decision {
        Decision::Approve => {
            let change = changes::get(&*state.accounts(), id).ok();
            let records = change
                .map(|c| changes::records_of(&c))
                .transpose()
                .ok()
                .flatten();
            records.map(|r| (service.store().ledger_version(), r))
        }
        _ => None,
    };
    let in_flight = approving.as_ref().map(|_| state.write_in_flight());
    let to = changes::decide(
        &mut service,
        &mut *state.accounts(),
        principal,
        id,
        decision,
        note,
        &now_rfc3339(),
    )
    .map_err(|e| match e {
        // The only record `decide` looks up by number is the change itself.
        ChangeError::Service(aidtrace_service::ServiceError::NotFound(m)) => ApiError::not_found(m)
            .with_field("id")
            .because(id.to_string(), Problem::new(ProblemId::NoSuchChange)),
        e => e.into(),
    })?;
    let after = service.store().ledger_version();
    drop(service);
    match (approving, in_flight, after) {
        (Some((Ok(before), put)), Some(in_flight), Ok(after)) if after != before => {
            in_flight.written(crate::read_model::Delta {
                before,
                after,
                put,
                deleted: Vec::new(),
            });
        }
        // Nothing committed: dropping `in_flight` has the versions compared again.
        (Some((Ok(_), _)), Some(_), Ok(_)) => {}
        _ if decision == Decision::Approve => state.invalidate(),
        _ => {}
    }
    Ok(to)
}

/// Choice lists of the data-entry forms (`forms/specs.rs`) and the list filters, in the order
/// they are offered.
pub const ORG_KINDS: &[&str] = &[
    "government",
    "government_agency",
    "ministry",
    "embassy",
    "multilateral",
    "ngo",
    "university",
    "facility_operator",
    "manufacturer",
    "supplier",
    "other",
];
pub const INSTRUMENTS: &[&str] = &[
    "grant_aid",
    "grassroots_grant",
    "technical_cooperation",
    "training_exchange",
    "loan",
    "in_kind",
    "budget_support",
    "other",
];
pub const ACTIVITY_STATUSES: &[&str] = &[
    "pipeline",
    "implementation",
    "finalisation",
    "closed",
    "cancelled",
    "suspended",
];
pub const FLOW_KINDS: &[&str] = &["pledge", "commitment", "disbursement", "expenditure"];
pub const FACILITY_KINDS: &[&str] = &[
    "university_hospital",
    "emergency_hospital",
    "regional_hospital",
    "district_hospital",
    "national_centre",
    "blood_centre",
    "primary_care",
    "laboratory",
    "other",
];
pub const EQUIPMENT_CATEGORIES: &[&str] = &[
    "imaging",
    "endoscopy",
    "intensive_care",
    "laboratory",
    "blood_bank",
    "surgical",
    "communication",
    "power",
    "other",
];
