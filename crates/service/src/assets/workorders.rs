//! The steps of a work order between opening and closing (acknowledged, started) and what is
//! recorded when it closes (result, checklist, readings, labour rate, parts). Response time is
//! measured from these times (docs/assets.md, "Response time and repair time"), so a step is
//! recorded once: moving an acknowledgement later would rewrite a reported figure.

use aidtrace_domain::assets::workorder::{ChecklistItem, Reading, WorkResult};
use aidtrace_domain::assets::{PartUse, WorkOrder, WorkOrderStatus};
use aidtrace_domain::error::ProblemId;
use aidtrace_domain::{Money, Record, RecordId, RecordKind, ValidationError};
use chrono::NaiveDateTime;

use super::{HistorySource, put_checked_from, refuse};
use crate::Aidtrace;
use crate::error::{ServiceError, ServiceResult};

/// A step of a work order before it is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A technician took the request on: the order becomes `assigned`.
    Acknowledged,
    /// Hands-on work began.
    Started,
}

/// Records `step` of work order `id` at `at`, with who does the work.
#[derive(Debug, Clone)]
pub struct Progress {
    pub id: RecordId,
    pub step: Step,
    pub at: NaiveDateTime,
    pub assignee: Option<String>,
}

/// What is found when an order closes; empty parts leave the order as it was.
#[derive(Debug, Clone, Default)]
pub struct Substance {
    pub result: Option<WorkResult>,
    pub assignee: Option<String>,
    pub labour_rate: Option<Money>,
    pub parts: Vec<PartUse>,
    pub checklist: Vec<ChecklistItem>,
    pub readings: Vec<Reading>,
}

impl Substance {
    pub(super) fn apply(self, w: &mut WorkOrder) {
        if self.result.is_some() {
            w.result = self.result;
        }
        if self.assignee.is_some() {
            w.assignee = self.assignee;
        }
        if self.labour_rate.is_some() {
            w.labour_rate = self.labour_rate;
        }
        w.parts.extend(self.parts);
        w.checklist.extend(self.checklist);
        w.readings.extend(self.readings);
    }
}

/// Records an acknowledgement or a start. Refused on a closed order and when the step was
/// recorded already; the times' order (requested ≤ acknowledged ≤ started) and "not in the
/// future" are checked by the work order's rules.
pub fn progress_work_order(
    app: &mut Aidtrace,
    source: HistorySource<'_>,
    actor: &str,
    progress: Progress,
) -> ServiceResult<()> {
    let Progress {
        id,
        step,
        at,
        assignee,
    } = progress;
    let Some(Record::WorkOrder(mut w)) = app.store().get(RecordKind::WorkOrder, &id)? else {
        return Err(ServiceError::NotFound(format!(
            "no work order with id {id}"
        )));
    };
    if w.status.is_closed() {
        return Err(refuse(
            "work_order",
            &id,
            ValidationError::new(
                "status",
                w.status.as_str(),
                "the order is closed; a closed order is not changed again",
            )
            .because(ProblemId::OrderClosed),
        ));
    }
    let (field, slot) = match step {
        Step::Acknowledged => ("acknowledged", &mut w.acknowledged),
        Step::Started => ("started", &mut w.started),
    };
    if let Some(before) = *slot {
        return Err(refuse(
            "work_order",
            &id,
            ValidationError::new(
                field,
                at,
                format!("was recorded already at {before}; a step is recorded once"),
            )
            .because(ProblemId::StepRecordedAlready)
            .with_text("at", before),
        ));
    }
    *slot = Some(at);
    if w.status == WorkOrderStatus::Open {
        w.status = WorkOrderStatus::Assigned;
    }
    if assignee.is_some() {
        w.assignee = assignee;
    }
    put_checked_from(app, source, actor, vec![Record::WorkOrder(w)])?;
    Ok(())
}
