//! The approval workflow: an edit is written at once when its author writes directly (see
//! [`crate::policy`]), otherwise it waits in the change queue ([`ChangeStore`]) as a draft or a
//! submitted change until an approver approves (it then enters the ledger through
//! [`Aidtrace::put`], like any write) or rejects it. The web application and the CLI both drive
//! it; they only map requests and errors.

use aidtrace_domain::error::ProblemId;
use aidtrace_domain::validate::validate;
use aidtrace_domain::{Ledger, Record, RecordId, RecordKind, ValidationError};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub use aidtrace_store::{ChangeRow, ChangeState, ChangeStore};

use crate::policy::Actor;
use crate::{Aidtrace, ServiceError, ServiceResult};

/// What may be done to a change: its author submits a draft; an approver approves or rejects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Submit,
    Approve,
    Reject,
}

impl Decision {
    pub const ALL: [Decision; 3] = [Self::Submit, Self::Approve, Self::Reject];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Approve => "approve",
            Self::Reject => "reject",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == raw)
    }

    /// The state a change must be in for this decision, and the state it moves to.
    pub fn transition(self) -> (ChangeState, ChangeState) {
        match self {
            Self::Submit => (ChangeState::Draft, ChangeState::Submitted),
            Self::Approve => (ChangeState::Submitted, ChangeState::Approved),
            Self::Reject => (ChangeState::Submitted, ChangeState::Rejected),
        }
    }
}

/// Why the workflow refused; each names what an interface needs to explain it.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    /// The actor may not do this; `value` is the record id at fault, when one is. `problem`
    /// says why as a message id, so a page words it in the reader's language.
    #[error("{message}")]
    Forbidden {
        message: String,
        value: String,
        problem: ProblemId,
    },
    /// The change is not in the state the decision needs (or another approver decided first).
    #[error("{message}")]
    WrongState { message: String, problem: ProblemId },
    /// The records the change would write moved on after it was made.
    #[error("{message}")]
    Conflict { message: String, value: String },
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<aidtrace_store::StoreError> for ChangeError {
    fn from(e: aidtrace_store::StoreError) -> Self {
        Self::Service(e.into())
    }
}

pub type ChangeResult<T> = Result<T, ChangeError>;

/// A strong validator for the stored form of a record (the web's ETag, a change's base).
pub fn etag(record: &Record) -> String {
    etag_of_bytes(&serde_json::to_vec(record).unwrap_or_default())
}

pub fn etag_of_bytes(bytes: &[u8]) -> String {
    format!("\"{}\"", &hex::encode(Sha256::digest(bytes))[..32])
}

/// The ETag of the stored version of a record, `None` when there is none.
pub fn current_etag(
    app: &Aidtrace,
    kind: RecordKind,
    id: &RecordId,
) -> ServiceResult<Option<String>> {
    Ok(app.store().get(kind, id)?.as_ref().map(etag))
}

/// Field problems of a batch, each naming the record and the field: every record on its own,
/// then every reference (to a record of the batch or a stored one). Proposals are checked as
/// writes are, so nobody approves a change that cannot be written.
pub fn check_batch(app: &Aidtrace, records: &[Record]) -> ServiceResult<()> {
    let label = |r: &Record| format!("{} {}", r.kind().as_str(), r.id());
    for record in records {
        validate(record).map_err(|e| ServiceError::invalid(label(record), e))?;
    }
    for record in records {
        for (field, kind, target) in record.references() {
            let in_batch = records.iter().any(|r| r.kind() == kind && r.id() == target);
            if in_batch || app.store().get(kind, target)?.is_some() {
                continue;
            }
            return Err(ServiceError::invalid(
                label(record),
                ValidationError::no_such_record(field, target, kind),
            ));
        }
    }
    // A proposed movement the stock refuses would only fail when approved.
    if records
        .iter()
        .any(|r| crate::medicines::touches_stock(r.kind()))
    {
        crate::medicines::check_stock(app, records)?;
    }
    Ok(())
}

/// Refuses the batch unless `actor` may write every record of it into `ledger`.
pub fn authorise(ledger: &Ledger, actor: &Actor, records: &[Record]) -> ChangeResult<()> {
    for record in records {
        actor
            .may_write(record, ledger, records)
            .map_err(|message| ChangeError::Forbidden {
                message,
                value: record.id().to_string(),
                problem: ProblemId::OutOfScope,
            })?;
    }
    Ok(())
}

/// What became of a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// In the ledger now; the main record's new ETag.
    Applied { etag: String },
    /// Waiting in the queue as change `change`, in `state`.
    Proposed { change: i64, state: ChangeState },
}

/// Validates and authorises `records` (the first is the main one), then writes them when
/// `actor` writes directly, or queues them as a change made against the main record's current
/// version (a draft, or submitted when `submit`). The caller holds whatever lock serialises
/// writes, so a precondition it checked beforehand still holds.
pub fn write(
    app: &mut Aidtrace,
    queue: &mut dyn ChangeStore,
    actor: &Actor,
    records: Vec<Record>,
    submit: bool,
    at: &str,
) -> ChangeResult<Written> {
    let Some(main) = records.first() else {
        return Err(ServiceError::Parse("nothing to write".into()).into());
    };
    let (kind, id) = (main.kind(), main.id().clone());
    check_batch(app, &records)?;
    let ledger = crate::policy_scope::decision_ledger(app, actor, &records)?;
    authorise(&ledger, actor, &records)?;
    if actor.writes_directly_in(&ledger) {
        app.put(&actor.name, records)?;
        let etag = current_etag(app, kind, &id)?.unwrap_or_default();
        return Ok(Written::Applied { etag });
    }
    let base = current_etag(app, kind, &id)?;
    let state = if submit {
        ChangeState::Submitted
    } else {
        ChangeState::Draft
    };
    let change = propose(
        queue,
        (kind, &id),
        &records,
        base.as_deref(),
        state,
        &actor.name,
        at,
    )?;
    Ok(Written::Proposed { change, state })
}

/// Queues `records` as one change named by `(kind, id)` (usually the first record; an intake
/// acceptance is named by its draft).
#[allow(clippy::too_many_arguments)]
pub fn propose(
    queue: &mut dyn ChangeStore,
    (kind, id): (RecordKind, &RecordId),
    records: &[Record],
    base: Option<&str>,
    state: ChangeState,
    author: &str,
    at: &str,
) -> ChangeResult<i64> {
    if records.is_empty() {
        return Err(ServiceError::Parse("nothing to propose".into()).into());
    }
    let doc = serde_json::to_string(records)
        .map_err(|e| ServiceError::Io(format!("cannot write the change: {e}")))?;
    Ok(queue.add_change(kind.as_str(), id.as_str(), &doc, base, state, author, at)?)
}

/// The records a change would write, in its order (the main one first).
pub fn records_of(change: &ChangeRow) -> ServiceResult<Vec<Record>> {
    let values: Vec<Value> = serde_json::from_str(&change.doc)
        .map_err(|e| ServiceError::Parse(format!("change {}: {e}", change.id)))?;
    values
        .into_iter()
        .map(crate::records::record_from_json)
        .collect::<Result<_, _>>()
        .map_err(|e| ServiceError::invalid(format!("change {}", change.id), e))
}

const BATCH_BASE: &str = "batch:";

/// A version of every record a batch writes, as stored now (absent ones included), for changes
/// whose batch touches records besides its main one (an intake acceptance also cites the article
/// on existing flows): approval refuses the change if any of them moved on, not only the main
/// record, so no edit made meanwhile is overwritten.
pub fn batch_base(app: &Aidtrace, records: &[Record]) -> ServiceResult<String> {
    let mut h = Sha256::new();
    for r in records {
        let tag = current_etag(app, r.kind(), r.id())?.unwrap_or_else(|| "-".to_string());
        h.update(format!("{}/{}={tag};", r.kind().as_str(), r.id()).as_bytes());
    }
    Ok(format!("{BATCH_BASE}{}", &hex::encode(h.finalize())[..32]))
}

/// Whether the records a change would write are still as they were when it was made.
pub fn is_current(app: &Aidtrace, change: &ChangeRow, records: &[Record]) -> ServiceResult<bool> {
    let now = match change.base_etag.as_deref() {
        Some(base) if base.starts_with(BATCH_BASE) => Some(batch_base(app, records)?),
        _ => {
            let kind = RecordKind::parse(&change.kind).ok_or_else(|| {
                ServiceError::Parse(format!("change {} has kind {:?}", change.id, change.kind))
            })?;
            let id = RecordId::parse(&change.record_id)
                .map_err(|e| ServiceError::invalid(format!("change {}", change.id), e))?;
            current_etag(app, kind, &id)?
        }
    };
    Ok(now == change.base_etag)
}

/// The change `id`, or `NotFound`.
pub fn get(queue: &dyn ChangeStore, id: i64) -> ServiceResult<ChangeRow> {
    queue
        .change(id)?
        .ok_or_else(|| ServiceError::NotFound(format!("no change {id}")))
}

/// Applies `decision` to change `id` as `actor` and returns the state it moved to. Approval
/// writes the change's records (audited as the approver, naming the author) only if none of
/// them moved on since the change was made. The caller holds the lock that serialises ledger
/// writes, so that check is still true when the records are written.
pub fn decide(
    app: &mut Aidtrace,
    queue: &mut dyn ChangeStore,
    actor: &Actor,
    id: i64,
    decision: Decision,
    note: Option<&str>,
    at: &str,
) -> ChangeResult<ChangeState> {
    let change = get(queue, id)?;
    match decision {
        Decision::Submit if change.author != actor.name && !actor.writes_directly() => {
            return Err(ChangeError::Forbidden {
                message: "only the author submits a draft".into(),
                value: String::new(),
                problem: ProblemId::NotAuthor,
            });
        }
        Decision::Approve | Decision::Reject if !actor.can_approve() => {
            return Err(ChangeError::Forbidden {
                message: format!(
                    "{} ({}) may not approve or reject changes",
                    actor.name,
                    actor.role.as_str()
                ),
                value: String::new(),
                problem: ProblemId::MayNotApprove,
            });
        }
        _ => {}
    }
    let (from, to) = decision.transition();
    if change.state != from {
        return Err(ChangeError::WrongState {
            message: format!(
                "change {id} is {}, not {}",
                change.state.as_str(),
                from.as_str()
            ),
            problem: ProblemId::ChangeNotInState,
        });
    }
    if decision == Decision::Approve {
        let records = records_of(&change)?;
        if !is_current(app, &change, &records)? {
            return Err(ChangeError::Conflict {
                message: format!(
                    "{} {} changed after this edit was made; reject it and redo the edit on the current version",
                    change.kind, change.record_id
                ),
                value: change.record_id.clone(),
            });
        }
        app.put(
            &format!("{} (proposed by {})", actor.name, change.author),
            records,
        )?;
    }
    if !queue.set_change_state(id, from, to, &actor.name, note, at)? {
        return Err(ChangeError::WrongState {
            message: format!("change {id} was decided by someone else meanwhile"),
            problem: ProblemId::DecidedMeanwhile,
        });
    }
    Ok(to)
}
