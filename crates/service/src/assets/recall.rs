//! Incidents and field safety notices (issue #17 item 7): recording them, finding the notices that
//! name a model, UDI-DI, lot or serial, listing the assets in the store a notice names, and
//! opening one recall-action work order per affected asset, whose completion is then tracked on
//! the notice. The matching rule itself is pure (`domain::assets::recall::affects`).

use aidtrace_domain::assets::recall::{self, FieldSafetyNotice, Incident, Match};
use aidtrace_domain::assets::{
    Asset, LifecycleState, Priority, WorkOrder, WorkOrderKind, WorkOrderStatus, instant,
};
use aidtrace_domain::error::ProblemId;
use aidtrace_domain::{Record, RecordId, RecordKind, ValidationError};
use chrono::NaiveDateTime;
use serde::Serialize;

use super::{HistorySource, asset_history, put_checked_from, refuse, stored};
use crate::Aidtrace;
use crate::error::{ServiceError, ServiceResult};

fn as_incident(r: Record) -> Option<Incident> {
    match r {
        Record::Incident(i) => Some(i),
        _ => None,
    }
}

fn as_notice(r: Record) -> Option<FieldSafetyNotice> {
    match r {
        Record::FieldSafetyNotice(n) => Some(n),
        _ => None,
    }
}

/// The rules of incidents and field safety notices across records, run by `Aidtrace::put` for
/// every batch holding one: not dated beyond now (as every history time), and an incident's
/// work order is of the same asset (an incident must not point at another device's repair).
pub fn check_incidents(app: &Aidtrace, batch: &[Record]) -> ServiceResult<()> {
    // A notice is dated by its issuer when it is issued: one dated ahead is a typing mistake
    // that would sit on every matching asset's page as if already in force. One stored as it is
    // (written before this rule) may be written again.
    let today = app.now().date();
    // A day of slack: "now" is UTC, and a notice issued today east of it is dated a day ahead.
    let latest = today.succ_opt().unwrap_or(today);
    for n in batch.iter().filter_map(|r| match r {
        Record::FieldSafetyNotice(n) if n.date > latest => Some(n),
        _ => None,
    }) {
        let stored = app.store().get(RecordKind::FieldSafetyNotice, &n.id)?;
        if !matches!(&stored, Some(Record::FieldSafetyNotice(old)) if old == n) {
            return Err(refuse(
                "field_safety_notice",
                &n.id,
                ValidationError::new(
                    "date",
                    n.date,
                    format!("is after today ({today}): a notice is dated when it is issued"),
                )
                .because(ProblemId::DateInFuture)
                .with_text("today", today),
            ));
        }
    }
    for i in batch.iter().filter_map(|r| match r {
        Record::Incident(i) => Some(i),
        _ => None,
    }) {
        instant::check_not_future("at", i.at, app.now())
            .map_err(|e| refuse("incident", &i.id, e))?;
        let Some(wo) = &i.work_order else { continue };
        let in_batch = batch.iter().find_map(|r| match r {
            Record::WorkOrder(w) if &w.id == wo => Some(w.clone()),
            _ => None,
        });
        let order = match in_batch {
            Some(w) => Some(w),
            None => match app.store().get(RecordKind::WorkOrder, wo)? {
                Some(Record::WorkOrder(w)) => Some(w),
                _ => None,
            },
        };
        // A missing order is reported by the reference check.
        if let Some(w) = order
            && w.asset != i.asset
        {
            return Err(refuse(
                "incident",
                &i.id,
                ValidationError::new(
                    "work_order",
                    wo,
                    format!("the work order is for asset {}, not {}", w.asset, i.asset),
                )
                .because(ProblemId::WorkOrderOtherAsset)
                .with_text("asset", &w.asset)
                .with_text("expected", &i.asset),
            ));
        }
    }
    Ok(())
}

/// Records an incident (one audited batch; refused with the field named, nothing written).
pub fn record_incident(app: &mut Aidtrace, actor: &str, incident: Incident) -> ServiceResult<()> {
    if app
        .store()
        .get(RecordKind::Incident, &incident.id)?
        .is_some()
    {
        return Err(refuse(
            "incident",
            &incident.id,
            ValidationError::new("id", &incident.id, "an incident with this id is recorded")
                .because(ProblemId::AlreadyExists),
        ));
    }
    app.put(actor, vec![Record::Incident(incident)])?;
    Ok(())
}

/// Incidents of one asset, oldest first.
pub fn asset_incidents(app: &Aidtrace, asset: &RecordId) -> ServiceResult<Vec<Incident>> {
    let mut out: Vec<Incident> = stored(app, RecordKind::Incident, as_incident)?
        .into_iter()
        .filter(|i| &i.asset == asset)
        .collect();
    out.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
    Ok(out)
}

/// Every incident, newest first.
pub fn list_incidents(app: &Aidtrace) -> ServiceResult<Vec<Incident>> {
    let mut out = stored(app, RecordKind::Incident, as_incident)?;
    out.sort_by(|a, b| (b.at, &b.id).cmp(&(a.at, &a.id)));
    Ok(out)
}

/// Records a field safety notice. A notice is the issuer's document: once stored it is not
/// rewritten (a revised notice is a new record with its own reference).
pub fn record_notice(
    app: &mut Aidtrace,
    actor: &str,
    notice: FieldSafetyNotice,
) -> ServiceResult<()> {
    if let Some(Record::FieldSafetyNotice(old)) =
        app.store().get(RecordKind::FieldSafetyNotice, &notice.id)?
        && old != notice
    {
        return Err(refuse(
            "field_safety_notice",
            &notice.id,
            ValidationError::new(
                "id",
                &notice.id,
                "a notice with this id is recorded with other content; a revised notice is a new record",
            )
            .because(ProblemId::NoticeNotRewritten),
        ));
    }
    app.put(actor, vec![Record::FieldSafetyNotice(notice)])?;
    Ok(())
}

/// Notices that name `term` as model id, UDI-DI, lot, serial (listed or in a range) or their own
/// reference; every notice for an empty term. Newest first.
pub fn search_notices(app: &Aidtrace, term: &str) -> ServiceResult<Vec<FieldSafetyNotice>> {
    let mut out: Vec<FieldSafetyNotice> = stored(app, RecordKind::FieldSafetyNotice, as_notice)?
        .into_iter()
        .filter(|n| term.trim().is_empty() || n.matches_term(term))
        .collect();
    out.sort_by(|a, b| (b.date, &b.id).cmp(&(a.date, &a.id)));
    Ok(out)
}

/// One asset a notice names, with what has been done about it.
#[derive(Debug, Clone, Serialize)]
pub struct AffectedAsset {
    pub asset: RecordId,
    pub inventory_tag: String,
    pub serial: Option<String>,
    pub lot: Option<String>,
    pub facility: RecordId,
    /// The asset's current state (`None` without events).
    pub state: Option<LifecycleState>,
    #[serde(rename = "match")]
    pub matched: Match,
    /// The recall-action order of this notice for this asset, when one was opened.
    pub work_order: Option<RecordId>,
    pub work_order_status: Option<WorkOrderStatus>,
}

impl AffectedAsset {
    /// Retired assets are listed (the notice names them) but get no order: no work is opened on a
    /// decommissioned asset.
    pub fn is_retired(&self) -> bool {
        self.state.is_some_and(LifecycleState::is_retired)
    }
}

/// A notice with the assets it names and the progress of its recall actions.
#[derive(Debug, Clone, Serialize)]
pub struct NoticeReport {
    pub notice: FieldSafetyNotice,
    pub affected: Vec<AffectedAsset>,
    /// Affected or unverified assets not retired: the ones that need an action.
    pub to_act: usize,
    /// Of those, with a done recall-action order.
    pub done: usize,
    /// Of those, with an order opened and not done yet.
    pub in_progress: usize,
    /// Of those, without an order.
    pub without_order: usize,
}

fn require_notice(app: &Aidtrace, id: &RecordId) -> ServiceResult<FieldSafetyNotice> {
    match app.store().get(RecordKind::FieldSafetyNotice, id)? {
        Some(Record::FieldSafetyNotice(n)) => Ok(n),
        _ => Err(ServiceError::NotFound(format!(
            "no field safety notice with id {id}"
        ))),
    }
}

/// The assets a notice names, sorted by facility and inventory tag, with the live recall-action
/// orders that carry it out.
pub fn notice_report(app: &Aidtrace, id: &RecordId) -> ServiceResult<NoticeReport> {
    let notice = require_notice(app, id)?;
    let ledger = app.ledger()?;
    let mut affected = Vec::new();
    for a in ledger.assets.values() {
        let Some(model) = ledger.device_models.get(&a.model) else {
            continue;
        };
        let Some(matched) = recall::affects(&notice, a, model) else {
            continue;
        };
        let state = ledger
            .asset_events
            .values()
            .filter(|e| e.asset == a.id && !e.is_void())
            .max_by(|x, y| (x.at, &x.id).cmp(&(y.at, &y.id)))
            .map(|e| e.state);
        let order = ledger
            .work_orders
            .values()
            .filter(|w| w.asset == a.id && w.notice.as_ref() == Some(id) && !w.is_void())
            .max_by_key(|w| w.opened);
        affected.push(AffectedAsset {
            asset: a.id.clone(),
            inventory_tag: a.inventory_tag.clone(),
            serial: a.serial.clone(),
            lot: recall::lot_of(a),
            facility: a.facility.clone(),
            state,
            matched,
            work_order: order.map(|w| w.id.clone()),
            work_order_status: order.map(|w| w.status),
        });
    }
    affected.sort_by(|x, y| (&x.facility, &x.inventory_tag).cmp(&(&y.facility, &y.inventory_tag)));
    let acting: Vec<&AffectedAsset> = affected.iter().filter(|a| !a.is_retired()).collect();
    let done = acting
        .iter()
        .filter(|a| a.work_order_status == Some(WorkOrderStatus::Done))
        .count();
    let without_order = acting.iter().filter(|a| a.work_order.is_none()).count();
    Ok(NoticeReport {
        to_act: acting.len(),
        in_progress: acting.len() - done - without_order,
        done,
        without_order,
        notice,
        affected,
    })
}

/// Opens one recall-action work order (priority `safety`, linked to the notice) at `at` for each
/// asset the notice names that is not retired and has none yet, in one audited batch. Asking again
/// opens only the missing ones. Returns the ids of the orders opened.
pub fn open_recall_orders(
    app: &mut Aidtrace,
    source: HistorySource<'_>,
    actor: &str,
    id: &RecordId,
    at: NaiveDateTime,
) -> ServiceResult<Vec<RecordId>> {
    let report = notice_report(app, id)?;
    let mut batch = Vec::new();
    for a in report
        .affected
        .iter()
        .filter(|a| !a.is_retired() && a.work_order.is_none())
    {
        let wo_id = super::fresh_id(
            app,
            RecordKind::WorkOrder,
            &format!("wo-recall-{}-{}", report.notice.id, a.asset),
        )?;
        let note = match a.matched {
            Match::Affected => format!(
                "{} {}: {}",
                report.notice.reference, report.notice.date, report.notice.action
            ),
            Match::Unverified => format!(
                "{} {}: check the serial or lot first (not recorded); {}",
                report.notice.reference, report.notice.date, report.notice.action
            ),
        };
        batch.push(Record::WorkOrder(recall_order(
            wo_id, &a.asset, id, at, note,
        )));
    }
    let ids: Vec<RecordId> = batch.iter().map(|r| r.id().clone()).collect();
    if !batch.is_empty() {
        put_checked_from(app, source, actor, batch)?;
    }
    Ok(ids)
}

fn recall_order(
    id: RecordId,
    asset: &RecordId,
    notice: &RecordId,
    at: NaiveDateTime,
    note: String,
) -> WorkOrder {
    WorkOrder {
        id,
        asset: asset.clone(),
        kind: WorkOrderKind::RecallAction,
        status: WorkOrderStatus::Open,
        priority: Priority::Safety,
        opened: at,
        closed: None,
        acknowledged: None,
        started: None,
        assignee: None,
        result: None,
        checklist: Vec::new(),
        readings: Vec::new(),
        plan: None,
        failure_cause: None,
        labour_hours: None,
        labour_cost: None,
        labour_rate: None,
        parts: Vec::new(),
        external_cost: None,
        provider: None,
        note: Some(note),
        notice: Some(notice.clone()),
        voided: None,
    }
}

/// The recall-action orders of one asset's notices, for the asset page.
pub fn asset_notices(
    app: &Aidtrace,
    source: HistorySource<'_>,
    asset: &Asset,
) -> ServiceResult<Vec<(FieldSafetyNotice, Match, Option<WorkOrder>)>> {
    let Some(Record::DeviceModel(model)) =
        app.store().get(RecordKind::DeviceModel, &asset.model)?
    else {
        return Ok(Vec::new());
    };
    let orders = asset_history(app, source, &asset.id)?.orders;
    let mut out = Vec::new();
    for n in search_notices(app, "")? {
        if let Some(m) = recall::affects(&n, asset, &model) {
            let order = orders
                .iter()
                .filter(|w| w.notice.as_ref() == Some(&n.id) && !w.is_void())
                .max_by_key(|w| w.opened)
                .cloned();
            out.push((n, m, order));
        }
    }
    Ok(out)
}
