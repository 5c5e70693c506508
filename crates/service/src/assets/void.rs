//! Voiding a wrong lifecycle event, and correcting it: the event stays stored with the reason,
//! and every report and rule reads the history without it (`domain::assets::correction`).

use aidtrace_domain::assets::correction::Void;

use super::*;

/// What a void wrote.
#[derive(Debug, Clone, Serialize)]
pub struct Voided {
    /// The voided event.
    pub event: RecordId,
    /// The downtime it had opened, voided with it (or replaced by the correction's).
    pub downtime: Option<RecordId>,
    /// The open work order of that downtime, cancelled when there is no correction.
    pub cancelled_work_order: Option<RecordId>,
    /// The correcting event, when a corrected time or state was given.
    pub correction: Option<RecordId>,
    /// The corrected downtime, when the voided one is replaced.
    pub corrected_downtime: Option<RecordId>,
    /// The downtime a voided return to service had closed, recorded again open (or ending at the
    /// corrected return).
    pub reopened_downtime: Option<RecordId>,
    /// The work order that return had closed as done, recorded again open (or done at the
    /// corrected return) under this id; the closed one is voided.
    pub reopened_work_order: Option<RecordId>,
}

/// The corrected facts of a voided event: the correction copies the voided event with these.
#[derive(Debug, Clone, Copy)]
pub struct Corrected {
    /// The corrected time; `None` keeps the voided event's.
    pub at: Option<NaiveDateTime>,
    /// The corrected state; `None` keeps the voided event's.
    pub state: Option<LifecycleState>,
}

/// Voids event `event` for `reason` and, with `correct`, records the corrected event in the same
/// batch. A `down` or `under_repair` event opened a downtime at the same instant (`report_down`,
/// `record_event`): that downtime is voided too, so the episode disappears from uptime and MTBF;
/// with a correction that still leaves the asset out of use it is recorded again from the
/// corrected time, else its open work order is cancelled with the reason. Nothing is written on
/// refusal.
pub fn void_event(
    app: &mut Aidtrace,
    source: HistorySource<'_>,
    actor: &str,
    event: &RecordId,
    reason: &str,
    by: Option<String>,
    correct: Option<Corrected>,
) -> ServiceResult<Voided> {
    let old = match app.store().get(RecordKind::AssetEvent, event)? {
        Some(Record::AssetEvent(e)) => e,
        _ => {
            return Err(ServiceError::NotFound(format!(
                "event = {:?}: no lifecycle event with this id",
                event.as_str()
            )));
        }
    };
    if let Some(v) = &old.voided {
        return Err(refuse(
            "asset_event",
            event,
            ValidationError::new(
                "voided",
                v.at,
                format!("the event is already voided ({})", v.reason),
            )
            .because(ProblemId::AlreadyVoided)
            .with_text("reason", &v.reason),
        ));
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(refuse(
            "asset_event",
            event,
            ValidationError::new(
                "reason",
                reason,
                "a void needs the reason the event was wrong",
            )
            .because(ProblemId::VoidNeedsReason),
        ));
    }
    let now = instant::whole_seconds(app.now());
    let void = Void {
        at: now,
        reason: reason.to_string(),
        by: by.clone(),
    };
    let history = asset_history(app, source, &old.asset)?;
    let mut batch = Vec::new();
    let mut out = Voided {
        event: event.clone(),
        downtime: None,
        cancelled_work_order: None,
        correction: None,
        corrected_downtime: None,
        reopened_downtime: None,
        reopened_work_order: None,
    };

    // The downtime the event opened: unplanned, same asset, starting at the event.
    let opened = matches!(
        old.state,
        LifecycleState::Down | LifecycleState::UnderRepair
    )
    .then(|| {
        history
            .downtimes
            .iter()
            .find(|d| d.start == old.at && !d.planned)
            .cloned()
    })
    .flatten();
    let correct = correct.map(|c| (c.at.unwrap_or(old.at), c.state.unwrap_or(old.state)));
    let corrected_state = correct.map(|(_, state)| state);
    let still_out = matches!(
        corrected_state,
        Some(LifecycleState::Down | LifecycleState::UnderRepair)
    );
    if let Some(d) = &opened {
        out.downtime = Some(d.id.clone());
        batch.push(Record::Downtime(Downtime {
            voided: Some(void.clone()),
            ..d.clone()
        }));
        if let (true, Some((at, _))) = (still_out, correct) {
            let id = fresh_id(
                app,
                RecordKind::Downtime,
                &format!("down-{}-{}", old.asset, stamp(at)),
            )?;
            out.corrected_downtime = Some(id.clone());
            batch.push(Record::Downtime(Downtime {
                id,
                start: at,
                note: Some(format!("corrects downtime {}: {reason}", d.id)),
                voided: None,
                ..d.clone()
            }));
        } else if let Some(wo) = &d.work_order
            && let Some(Record::WorkOrder(mut w)) = app.store().get(RecordKind::WorkOrder, wo)?
            && !w.status.is_closed()
            // An order opened beyond now (stored before such times were refused) cannot be
            // closed without writing a time in the future; it stays open for `asset check`.
            && w.opened <= now
        {
            out.cancelled_work_order = Some(w.id.clone());
            w.status = WorkOrderStatus::Cancelled;
            w.closed = Some(now);
            let why = format!("cancelled: the report was voided ({reason})");
            w.note = Some(match w.note.take() {
                Some(n) if !n.is_empty() => format!("{n}; {why}"),
                _ => why,
            });
            batch.push(Record::WorkOrder(w));
        }
    }
    // A return to service ended the downtime that ends at it (`record_event`, "back in
    // service"): voiding the return reopens that episode. A stored downtime is closed once and
    // never reopened, so the closed record is voided and recorded again open, or ending at the
    // corrected return when the correction is still a return.
    let returns =
        |s: LifecycleState| matches!(s, LifecycleState::InService | LifecycleState::Commissioned);
    if returns(old.state)
        && let Some(d) = history
            .downtimes
            .iter()
            .find(|d| d.end == Some(old.at) && !d.planned)
    {
        let id = fresh_id(
            app,
            RecordKind::Downtime,
            &format!("down-{}-{}-reopened", old.asset, stamp(d.start)),
        )?;
        let corrected_return = correct.filter(|(_, s)| returns(*s)).map(|(at, _)| at);
        // The return closed the episode's order as done at the same instant: a closed order is
        // closed once (`rules::check_closed_once`), so as with the downtime the closed order is
        // voided and recorded again, open (or done at the corrected return).
        let mut work_order = d.work_order.clone();
        if let Some(wo) = &d.work_order
            && let Some(Record::WorkOrder(w)) = app.store().get(RecordKind::WorkOrder, wo)?
            && w.status == WorkOrderStatus::Done
            && w.closed == Some(old.at)
            && !w.is_void()
        {
            let reopened = fresh_id(app, RecordKind::WorkOrder, &format!("{}-reopened", w.id))?;
            out.reopened_work_order = Some(reopened.clone());
            work_order = Some(reopened.clone());
            let why = format!(
                "reopens work order {}: the return to service {} was voided ({reason})",
                w.id, old.id
            );
            batch.push(Record::WorkOrder(WorkOrder {
                voided: Some(void.clone()),
                ..w.clone()
            }));
            batch.push(Record::WorkOrder(WorkOrder {
                id: reopened,
                status: match (corrected_return, &w.assignee) {
                    (Some(_), _) => WorkOrderStatus::Done,
                    (None, Some(_)) => WorkOrderStatus::Assigned,
                    (None, None) => WorkOrderStatus::Open,
                },
                closed: corrected_return,
                // Pass or fail belongs to a done order; reopened, the result is not known yet.
                result: corrected_return.and(w.result),
                note: Some(match &w.note {
                    Some(n) if !n.is_empty() => format!("{n}; {why}"),
                    _ => why,
                }),
                voided: None,
                ..w
            }));
        }
        out.reopened_downtime = Some(id.clone());
        batch.push(Record::Downtime(Downtime {
            voided: Some(void.clone()),
            ..d.clone()
        }));
        batch.push(Record::Downtime(Downtime {
            id,
            work_order,
            end: corrected_return,
            note: Some(format!(
                "reopens downtime {}: the return to service {} was voided ({reason})",
                d.id, old.id
            )),
            voided: None,
            ..d.clone()
        }));
    }
    batch.push(Record::AssetEvent(AssetEvent {
        voided: Some(void),
        ..old.clone()
    }));
    if let Some((at, state)) = correct {
        let id = fresh_id(
            app,
            RecordKind::AssetEvent,
            &format!("ev-{}-{}", old.asset, stamp(at)),
        )?;
        out.correction = Some(id.clone());
        batch.push(Record::AssetEvent(AssetEvent {
            id,
            at,
            state,
            by: by.or_else(|| old.by.clone()),
            note: Some(format!("corrects event {}: {reason}", old.id)),
            recorded_at: Some(now),
            corrects: Some(old.id.clone()),
            voided: None,
            // The disposal record belongs to a disposed event only.
            disposal: old
                .disposal
                .clone()
                .filter(|_| state == LifecycleState::Disposed),
            ..old
        }));
    }
    put_checked_from(app, source, actor, batch)?;
    Ok(out)
}
