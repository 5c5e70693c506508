//! Voiding a wrong work order or meter reading (entered for the wrong asset, a duplicate, a typo in
//! the value). As with events, the record stays stored with when, why and by whom it was voided
//! (the audit log keeps both versions), and no rule or report reads it: not backlog, response or
//! repair time, COSR or PM compliance for an order; not the "meters never decrease" rule or
//! meter-triggered due dates for a reading.

use aidtrace_domain::assets::correction::Void;

use super::*;

fn void_of(
    app: &Aidtrace,
    kind: &str,
    id: &RecordId,
    reason: &str,
    by: Option<String>,
) -> ServiceResult<Void> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(refuse(
            kind,
            id,
            ValidationError::new(
                "reason",
                reason,
                "a void needs the reason the entry was wrong",
            )
            .because(ProblemId::VoidNeedsReason),
        ));
    }
    Ok(Void {
        at: instant::whole_seconds(app.now()),
        reason: reason.to_string(),
        by,
    })
}

fn already(kind: &str, id: &RecordId, v: &Void) -> ServiceError {
    refuse(
        kind,
        id,
        ValidationError::new("voided", v.at, format!("already voided ({})", v.reason))
            .because(ProblemId::AlreadyVoided)
            .with_text("reason", &v.reason),
    )
}

/// Voids work order `id`. Refused when a live lifecycle event names it as the acceptance that
/// commissioned the asset (void or correct that event first) or a live downtime names it (void the
/// downtime's event first), so that no live record points at a voided one.
pub fn void_work_order(
    app: &mut Aidtrace,
    source: HistorySource<'_>,
    actor: &str,
    id: &RecordId,
    reason: &str,
    by: Option<String>,
) -> ServiceResult<()> {
    let Some(Record::WorkOrder(order)) = app.store().get(RecordKind::WorkOrder, id)? else {
        return Err(ServiceError::NotFound(format!(
            "id = {:?}: no work order with this id",
            id.as_str()
        )));
    };
    if let Some(v) = &order.voided {
        return Err(already("work_order", id, v));
    }
    let void = void_of(app, "work_order", id, reason, by)?;
    let history = asset_history(app, source, &order.asset)?;
    if let Some(e) = history
        .events
        .iter()
        .find(|e| e.acceptance.as_ref() == Some(id))
    {
        return Err(refuse(
            "work_order",
            id,
            ValidationError::new(
                "acceptance",
                &e.id,
                "event commissions the asset with this order; void or correct that event first",
            )
            .because(ProblemId::OrderCommissionsAsset),
        ));
    }
    if let Some(d) = history
        .downtimes
        .iter()
        .find(|d| d.work_order.as_ref() == Some(id))
    {
        return Err(refuse(
            "work_order",
            id,
            ValidationError::new(
                "downtime",
                &d.id,
                "downtime names this order; void the report that opened it first",
            )
            .because(ProblemId::OrderNamedByDowntime),
        ));
    }
    put_checked_from(
        app,
        source,
        actor,
        vec![Record::WorkOrder(WorkOrder {
            voided: Some(void),
            ..order
        })],
    )?;
    Ok(())
}

/// Voids meter reading `id`.
pub fn void_reading(
    app: &mut Aidtrace,
    source: HistorySource<'_>,
    actor: &str,
    id: &RecordId,
    reason: &str,
    by: Option<String>,
) -> ServiceResult<()> {
    let Some(Record::MeterReading(reading)) = app.store().get(RecordKind::MeterReading, id)? else {
        return Err(ServiceError::NotFound(format!(
            "id = {:?}: no meter reading with this id",
            id.as_str()
        )));
    };
    if let Some(v) = &reading.voided {
        return Err(already("meter_reading", id, v));
    }
    let void = void_of(app, "meter_reading", id, reason, by)?;
    put_checked_from(
        app,
        source,
        actor,
        vec![Record::MeterReading(MeterReading {
            voided: Some(void),
            ..reading
        })],
    )?;
    Ok(())
}
