//! Equipment services: the rules that need an asset's whole history (transition order, overlapping
//! downtime, meters going backwards, no work on retired assets), the "device down" flow,
//! indicators, donation fitness, gaps and densities. Everything writes through
//! [`Aidtrace::put`], so each call is one audited, all-or-nothing batch.
//!
//! Writers should use [`put_checked`] (or the helpers built on it) rather than `Aidtrace::put`:
//! `put` knows only single-record rules and references. [`check_stored`] finds breaches in data
//! that came in another way (a generic records file).

use std::collections::{BTreeMap, HashMap, HashSet};

use aidtrace_domain::assets::donation::{self, FitnessReport};
use aidtrace_domain::assets::gaps::{self, Density, Gap, ReferenceDensity};
use aidtrace_domain::assets::instant;
use aidtrace_domain::assets::kpi::{Fleet, GroupBy, Indicators, MoneyToMachine, Period};
use aidtrace_domain::assets::lifecycle::{self, sort_events, state_at};
use aidtrace_domain::assets::{
    Asset, AssetEvent, Downtime, DowntimeCause, LifecycleState, MeterReading, Priority, WorkOrder,
    WorkOrderKind, WorkOrderStatus,
};
use aidtrace_domain::error::ProblemId;
use aidtrace_domain::fx::RateTable;
use aidtrace_domain::{CurrencyCode, Ledger, Money, Record, RecordId, RecordKind, ValidationError};
use aidtrace_store::{ApplyReport, AssetQueries};
use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::{ServiceError, ServiceResult};
use crate::{Aidtrace, records};

mod contracted;
pub mod contracts;
mod detail;
pub mod parts;
mod recall;
mod reconcile;
mod rules;
mod void;
mod void_records;
mod workorders;

pub use contracted::contracted_uptime;
pub use detail::{AssetDetail, asset_detail, asset_detail_in};
pub use recall::{
    AffectedAsset, NoticeReport, asset_incidents, asset_notices, check_incidents, list_incidents,
    notice_report, open_recall_orders, record_incident, record_notice, search_notices,
};
pub use reconcile::{Change, reconcile};
pub use rules::{check_rules, check_rules_from, check_stored, put_checked, put_checked_from};
pub use void::{Corrected, Voided, void_event};
pub use void_records::{void_reading, void_work_order};
pub use workorders::{Progress, Step, Substance, progress_work_order};

/// Illustrative assets, events and plans for the seed scenario (see `demo/assets.json`).
pub const DEMO_JSON: &str = include_str!("../../demo/assets.json");

/// The demo asset records, parsed.
pub fn demo_records() -> ServiceResult<Vec<Record>> {
    records::records_from_json(DEMO_JSON)
}

fn stored<T>(
    app: &Aidtrace,
    kind: RecordKind,
    pick: fn(Record) -> Option<T>,
) -> ServiceResult<Vec<T>> {
    Ok(app
        .store()
        .list(kind)?
        .into_iter()
        .filter_map(pick)
        .collect())
}

fn as_event(r: Record) -> Option<AssetEvent> {
    match r {
        Record::AssetEvent(e) => Some(e),
        _ => None,
    }
}
fn as_downtime(r: Record) -> Option<Downtime> {
    match r {
        Record::Downtime(e) => Some(e),
        _ => None,
    }
}
fn as_reading(r: Record) -> Option<MeterReading> {
    match r {
        Record::MeterReading(e) => Some(e),
        _ => None,
    }
}
fn as_work_order(r: Record) -> Option<WorkOrder> {
    match r {
        Record::WorkOrder(e) => Some(e),
        _ => None,
    }
}
fn as_asset(r: Record) -> Option<Asset> {
    match r {
        Record::Asset(e) => Some(e),
        _ => None,
    }
}

fn refuse(kind: &str, id: &RecordId, e: ValidationError) -> ServiceError {
    ServiceError::invalid(format!("{kind} {id}"), e)
}

fn by_asset<T: Clone>(items: &[T], asset: impl Fn(&T) -> &RecordId) -> HashMap<RecordId, Vec<T>> {
    let mut out: HashMap<RecordId, Vec<T>> = HashMap::new();
    for i in items {
        out.entry(asset(i).clone()).or_default().push(i.clone());
    }
    out
}

/// Where the history rules read an asset's stored history from.
#[derive(Clone, Copy)]
pub enum HistorySource<'q> {
    /// Through the `Store` trait: every stored event, downtime, reading and work order is listed
    /// once per call. Works with any store; slow on very large ones.
    Store,
    /// Through per-asset indexes ([`AssetQueries`], part of every store): only the touched
    /// assets' histories are read.
    Indexed(&'q dyn AssetQueries),
}

#[derive(Debug, Default, Clone)]
struct StoredHistory {
    /// Live events and downtime: what every rule and report reads.
    events: Vec<AssetEvent>,
    downtimes: Vec<Downtime>,
    /// Voided ones, kept apart: only the append-only checks see them.
    voided_events: Vec<AssetEvent>,
    voided_downtimes: Vec<Downtime>,
    readings: Vec<MeterReading>,
    orders: Vec<WorkOrder>,
    /// Voided orders and readings, kept apart like voided events.
    voided_orders: Vec<WorkOrder>,
    voided_readings: Vec<MeterReading>,
}

fn stored_histories(
    app: &Aidtrace,
    source: HistorySource<'_>,
    assets: &HashSet<RecordId>,
) -> ServiceResult<HashMap<RecordId, StoredHistory>> {
    let mut out: HashMap<RecordId, StoredHistory> = assets
        .iter()
        .map(|a| (a.clone(), StoredHistory::default()))
        .collect();
    let mut keep = |r: Record| match r {
        Record::AssetEvent(e) => {
            if let Some(h) = out.get_mut(&e.asset) {
                if e.is_void() {
                    h.voided_events.push(e);
                } else {
                    h.events.push(e);
                }
            }
        }
        Record::Downtime(d) => {
            if let Some(h) = out.get_mut(&d.asset) {
                if d.is_void() {
                    h.voided_downtimes.push(d);
                } else {
                    h.downtimes.push(d);
                }
            }
        }
        Record::MeterReading(m) => {
            if let Some(h) = out.get_mut(&m.asset) {
                if m.is_void() {
                    h.voided_readings.push(m);
                } else {
                    h.readings.push(m);
                }
            }
        }
        Record::WorkOrder(w) => {
            if let Some(h) = out.get_mut(&w.asset) {
                if w.is_void() {
                    h.voided_orders.push(w);
                } else {
                    h.orders.push(w);
                }
            }
        }
        _ => {}
    };
    match source {
        HistorySource::Store => {
            for kind in [
                RecordKind::AssetEvent,
                RecordKind::Downtime,
                RecordKind::MeterReading,
                RecordKind::WorkOrder,
            ] {
                app.store().list(kind)?.into_iter().for_each(&mut keep);
            }
        }
        HistorySource::Indexed(q) => {
            for a in assets {
                q.asset_records(a)?.into_iter().for_each(&mut keep);
            }
        }
    }
    for h in out.values_mut() {
        sort_events(&mut h.events);
    }
    Ok(out)
}

/// Kinds whose records make up an asset's history: writing one runs the history rules.
pub fn is_history_kind(kind: RecordKind) -> bool {
    matches!(
        kind,
        RecordKind::Asset
            | RecordKind::AssetEvent
            | RecordKind::Downtime
            | RecordKind::MeterReading
            | RecordKind::WorkOrder
    )
}

/// Kinds that are never deleted: the history they record is what indicators are computed from.
pub fn is_append_only(kind: RecordKind) -> bool {
    matches!(
        kind,
        RecordKind::AssetEvent | RecordKind::Downtime | RecordKind::MeterReading
    )
}

fn fresh_id(app: &Aidtrace, kind: RecordKind, stem: &str) -> ServiceResult<RecordId> {
    for n in 0..1000 {
        let raw = if n == 0 {
            stem.to_string()
        } else {
            format!("{stem}-{n}")
        };
        let id = RecordId::parse(&raw).map_err(|e| ServiceError::invalid("id", e))?;
        if app.store().get(kind, &id)?.is_none() {
            return Ok(id);
        }
    }
    Err(ServiceError::Parse(format!("no free id for {stem}")))
}

fn stamp(at: NaiveDateTime) -> String {
    at.format("%Y%m%dT%H%M%S").to_string()
}

fn asset_history(
    app: &Aidtrace,
    source: HistorySource<'_>,
    asset: &RecordId,
) -> ServiceResult<StoredHistory> {
    let one: HashSet<RecordId> = std::iter::once(asset.clone()).collect();
    Ok(stored_histories(app, source, &one)?
        .remove(asset)
        .unwrap_or_default())
}

fn require_asset(app: &Aidtrace, asset: &RecordId) -> ServiceResult<Asset> {
    match app.store().get(RecordKind::Asset, asset)? {
        Some(Record::Asset(a)) => Ok(a),
        _ => Err(ServiceError::NotFound(format!("no asset with id {asset}"))),
    }
}

/// A lifecycle step for an asset, with a generated id.
pub struct NewEvent {
    pub asset: RecordId,
    pub at: NaiveDateTime,
    pub state: LifecycleState,
    pub acceptance: Option<RecordId>,
    pub to_facility: Option<RecordId>,
    pub by: Option<String>,
    pub note: Option<String>,
    /// Required to dispose of it.
    pub disposal: Option<aidtrace_domain::assets::disposal::Disposal>,
}

/// Records a lifecycle event; returns its id.
/// A transfer also moves the asset record to the receiving facility, in the same batch, and keeps
/// the facility it leaves on the event (`from_facility`), so the past stays where it happened.
pub fn record_event(
    app: &mut Aidtrace,
    source: HistorySource<'_>,
    actor: &str,
    e: NewEvent,
) -> ServiceResult<RecordId> {
    let mut asset = require_asset(app, &e.asset)?;
    let id = fresh_id(
        app,
        RecordKind::AssetEvent,
        &format!("ev-{}-{}", e.asset, stamp(e.at)),
    )?;
    let event = AssetEvent {
        id: id.clone(),
        asset: e.asset,
        at: e.at,
        state: e.state,
        acceptance: e.acceptance,
        // Where it leaves from: the time before the transfer stays attributed there.
        from_facility: (e.state == LifecycleState::Transferred).then(|| asset.facility.clone()),
        to_facility: e.to_facility,
        by: e.by,
        note: e.note,
        sources: vec![],
        recorded_at: Some(app.now()),
        corrects: None,
        voided: None,
        disposal: e.disposal,
    };
    let mut batch = Vec::new();
    if event.state.is_retired() {
        batch.extend(close_on_retirement(app, source, &event)?);
    } else {
        // One truth: the event opens or closes downtime so both say the same.
        let history = asset_history(app, source, &event.asset)?;
        batch.extend(reconcile::follow_event(app, &history, &event)?);
    }
    if event.state == LifecycleState::Transferred
        && let Some(to) = &event.to_facility
        && to != &asset.facility
    {
        asset.facility = to.clone();
        batch.push(Record::Asset(asset));
    }
    batch.push(Record::AssetEvent(event));
    put_checked_from(app, source, actor, batch)?;
    Ok(id)
}

/// Retiring an asset ends what was open on it: open downtime ends and open work orders are
/// cancelled at the retirement, each with the reason in its note. Left open, they would count as
/// downtime and backlog forever.
fn close_on_retirement(
    app: &Aidtrace,
    source: HistorySource<'_>,
    event: &AssetEvent,
) -> ServiceResult<Vec<Record>> {
    let history = asset_history(app, source, &event.asset)?;
    let reason = format!(
        "closed: the asset was {} at {}",
        event.state.as_str(),
        event.at
    );
    let with_reason = |note: Option<String>| {
        Some(match note {
            Some(n) if !n.is_empty() => format!("{n}; {reason}"),
            _ => reason.clone(),
        })
    };
    let mut out = Vec::new();
    for mut d in history.downtimes.into_iter().filter(|d| d.end.is_none()) {
        d.end = Some(event.at);
        d.note = with_reason(d.note.take());
        out.push(Record::Downtime(d));
    }
    for mut w in history.orders.into_iter().filter(|w| !w.status.is_closed()) {
        w.status = WorkOrderStatus::Cancelled;
        w.closed = Some(event.at);
        w.note = with_reason(w.note.take());
        out.push(Record::WorkOrder(w));
    }
    Ok(out)
}

/// What "device down" created.
#[derive(Debug, Clone, Serialize)]
pub struct DownReport {
    pub downtime: RecordId,
    pub work_order: RecordId,
    /// The lifecycle event, when the asset was in service (an asset already down gets none).
    pub event: Option<RecordId>,
}

/// The "device down" flow (a hospital engineer on a phone): opens a downtime episode and a
/// corrective work order and, if the asset was working, moves it to `down`, in one batch.
/// What a "device down" report says.
#[derive(Debug, Clone)]
pub struct DeviceDown {
    pub asset: RecordId,
    pub at: NaiveDateTime,
    pub cause: DowntimeCause,
    pub reported_by: Option<String>,
    pub note: Option<String>,
}

pub fn report_down(
    app: &mut Aidtrace,
    source: HistorySource<'_>,
    actor: &str,
    down: DeviceDown,
) -> ServiceResult<DownReport> {
    let DeviceDown {
        asset,
        at,
        cause,
        reported_by,
        note,
    } = down;
    let asset = &asset;
    let a = require_asset(app, asset)?;
    let state = asset_history(app, source, asset)?
        .events
        .last()
        .map(|e| e.state);
    if !matches!(
        state,
        Some(
            LifecycleState::InService
                | LifecycleState::Commissioned
                | LifecycleState::Down
                | LifecycleState::UnderRepair
        )
    ) {
        return Err(refuse(
            "asset",
            asset,
            ValidationError::new(
                "state",
                state.map_or("none", LifecycleState::as_str),
                "only an asset in service can be reported down",
            )
            .because(ProblemId::NotInService),
        ));
    }
    let stem = format!("{}-{}", a.id, stamp(at));
    let wo_id = fresh_id(app, RecordKind::WorkOrder, &format!("wo-{stem}"))?;
    let dt_id = fresh_id(app, RecordKind::Downtime, &format!("down-{stem}"))?;
    // Scheduled maintenance taken through the same "out of use" form is preventive work at normal
    // priority, not a failure: it must not become an urgent corrective order or mark the device
    // down (which dropped functional % and counted as a failure).
    let planned = cause == DowntimeCause::PlannedMaintenance;
    let mut batch = vec![
        Record::WorkOrder(WorkOrder {
            id: wo_id.clone(),
            asset: asset.clone(),
            kind: if planned {
                WorkOrderKind::Preventive
            } else {
                WorkOrderKind::Corrective
            },
            status: WorkOrderStatus::Open,
            priority: if !planned && a.criticality == aidtrace_domain::assets::Criticality::High {
                Priority::Urgent
            } else {
                Priority::Normal
            },
            opened: at,
            closed: None,
            plan: None,
            failure_cause: (!planned).then_some(cause),
            labour_hours: None,
            labour_cost: None,
            labour_rate: None,
            acknowledged: None,
            started: None,
            assignee: None,
            result: None,
            checklist: Vec::new(),
            readings: Vec::new(),
            parts: vec![],
            external_cost: None,
            provider: None,
            note: note.clone(),
            notice: None,
            voided: None,
        }),
        Record::Downtime(Downtime {
            id: dt_id.clone(),
            asset: asset.clone(),
            start: at,
            end: None,
            cause,
            planned,
            work_order: Some(wo_id.clone()),
            reported_by: reported_by.clone(),
            note,
            voided: None,
        }),
    ];
    let mut event = None;
    if !planned
        && matches!(
            state,
            Some(LifecycleState::InService | LifecycleState::Commissioned)
        )
    {
        let id = fresh_id(app, RecordKind::AssetEvent, &format!("ev-{stem}"))?;
        batch.push(Record::AssetEvent(AssetEvent {
            id: id.clone(),
            asset: asset.clone(),
            at,
            state: LifecycleState::Down,
            acceptance: None,
            to_facility: None,
            from_facility: None,
            by: reported_by,
            note: Some(down_note(cause)),
            sources: vec![],
            recorded_at: Some(instant::whole_seconds(app.now())),
            corrects: None,
            voided: None,
            disposal: None,
        }));
        event = Some(id);
    }
    put_checked_from(app, source, actor, batch)?;
    Ok(DownReport {
        downtime: dt_id,
        work_order: wo_id,
        event,
    })
}

/// The English note of the `down` event [`report_down`] writes (the CLI's history shows it). Pages
/// do not read it back: they take the cause from the downtime record ([`down_cause_of`]).
pub fn down_note(cause: DowntimeCause) -> String {
    format!("reported down: {}", cause.as_str())
}

/// The cause of a `down` event: the unplanned downtime of the same asset that starts at the
/// event, as [`report_down`] records them together.
pub fn down_cause_of(event: &AssetEvent, downtimes: &[Downtime]) -> Option<DowntimeCause> {
    if event.state != LifecycleState::Down {
        return None;
    }
    downtimes
        .iter()
        .find(|d| d.asset == event.asset && d.start == event.at && !d.planned)
        .map(|d| d.cause)
}

/// Back in service: closes the open downtime (and its work order, as done) and records the
/// `in_service` event, in one batch. Planned work that never took the asset out of service (see
/// [`report_down`]) needs no event: `None`.
pub fn return_to_service(
    app: &mut Aidtrace,
    source: HistorySource<'_>,
    actor: &str,
    asset: &RecordId,
    at: NaiveDateTime,
    note: Option<String>,
) -> ServiceResult<Option<RecordId>> {
    require_asset(app, asset)?;
    let history = asset_history(app, source, asset)?;
    let still_in_service = history
        .events
        .last()
        .is_some_and(|e| e.state == LifecycleState::InService);
    let open = history
        .downtimes
        .into_iter()
        .find(|d| d.end.is_none())
        .ok_or_else(|| {
            refuse(
                "asset",
                asset,
                ValidationError::new("downtime", "", "the asset has no open downtime")
                    .because(ProblemId::NoOpenDowntime),
            )
        })?;
    let mut batch = Vec::new();
    if let Some(wo) = &open.work_order
        && let Some(Record::WorkOrder(mut w)) = app.store().get(RecordKind::WorkOrder, wo)?
        && !w.status.is_closed()
    {
        w.status = WorkOrderStatus::Done;
        w.closed = Some(at);
        batch.push(Record::WorkOrder(w));
    }
    let mut closed = open;
    closed.end = Some(at);
    batch.push(Record::Downtime(closed));
    if still_in_service {
        put_checked_from(app, source, actor, batch)?;
        return Ok(None);
    }
    let id = fresh_id(
        app,
        RecordKind::AssetEvent,
        &format!("ev-{asset}-{}", stamp(at)),
    )?;
    batch.push(Record::AssetEvent(AssetEvent {
        id: id.clone(),
        asset: asset.clone(),
        at,
        state: LifecycleState::InService,
        acceptance: None,
        to_facility: None,
        from_facility: None,
        by: None,
        note,
        sources: vec![],
        recorded_at: Some(instant::whole_seconds(app.now())),
        corrects: None,
        voided: None,
        disposal: None,
    }));
    put_checked_from(app, source, actor, batch)?;
    Ok(Some(id))
}

/// Closing a work order: done or cancelled, when, with its labour and cost.
#[derive(Debug, Clone)]
pub struct Closing {
    pub id: RecordId,
    pub status: WorkOrderStatus,
    pub at: NaiveDateTime,
    pub labour_hours: Option<Decimal>,
    pub external_cost: Option<Money>,
    /// Result, checklist, readings, labour rate and parts found on closing.
    pub substance: Substance,
}

/// Closes a work order as done or cancelled, with its labour and cost.
pub fn close_work_order(
    app: &mut Aidtrace,
    source: HistorySource<'_>,
    actor: &str,
    closing: Closing,
) -> ServiceResult<()> {
    let Closing {
        id,
        status,
        at,
        labour_hours,
        external_cost,
        substance,
    } = closing;
    let id = &id;
    let Some(Record::WorkOrder(mut w)) = app.store().get(RecordKind::WorkOrder, id)? else {
        return Err(ServiceError::NotFound(format!(
            "no work order with id {id}"
        )));
    };
    if !status.is_closed() {
        return Err(refuse(
            "work_order",
            id,
            ValidationError::new(
                "status",
                format!("{status:?}"),
                "close as done or cancelled",
            )
            .because(ProblemId::CloseAsDoneOrCancelled),
        ));
    }
    w.status = status;
    w.closed = Some(at);
    if labour_hours.is_some() {
        w.labour_hours = labour_hours;
    }
    if external_cost.is_some() {
        w.external_cost = external_cost;
    }
    substance.apply(&mut w);
    put_checked_from(app, source, actor, vec![Record::WorkOrder(w)])?;
    Ok(())
}

/// A converter into `currency` using the rate table (at the money's value date, else `fallback`).
pub fn converter(
    rates: &RateTable,
    currency: &CurrencyCode,
    fallback: chrono::NaiveDate,
) -> impl Fn(&Money) -> Option<Decimal> {
    move |m: &Money| {
        if &m.currency == currency {
            return Some(m.amount);
        }
        rates
            .convert_on(m, currency, m.value_date.unwrap_or(fallback))
            .ok()
            .map(|c| c.amount)
    }
}

/// The part of `period` lived by now, which the indicators cover: a period reaching into the
/// future ends now, and one that begins later is refused.
pub fn lived_period(app: &Aidtrace, period: Period) -> ServiceResult<Period> {
    period.until(app.now()).ok_or_else(|| {
        ServiceError::invalid(
            "period",
            aidtrace_domain::ValidationError::new(
                "from",
                period.from.date(),
                "the period begins in the future; indicators count only time already past",
            )
            .because(aidtrace_domain::error::ProblemId::PeriodInFuture),
        )
    })
}

/// Indicators for every group over the part of a period lived by now ([`lived_period`]), in
/// `currency`.
pub fn indicators(
    app: &Aidtrace,
    period: Period,
    by: GroupBy,
    currency: &CurrencyCode,
) -> ServiceResult<BTreeMap<String, Indicators>> {
    let period = lived_period(app, period)?;
    Ok(indicators_in(
        &app.ledger()?,
        &app.rates()?,
        period,
        by,
        currency,
    ))
}

/// [`indicators`] over a ledger and rates already read (a server's snapshot), for a period
/// already cut at now ([`lived_period`]).
pub fn indicators_in(
    ledger: &Ledger,
    rates: &RateTable,
    period: Period,
    by: GroupBy,
    currency: &CurrencyCode,
) -> BTreeMap<String, Indicators> {
    let convert = converter(rates, currency, period.to.date());
    Fleet::build(ledger).grouped(by, period, &convert)
}

/// Indicators for one facility, over the part of the period lived by now.
pub fn facility_indicators(
    app: &Aidtrace,
    facility: &RecordId,
    period: Period,
    currency: &CurrencyCode,
) -> ServiceResult<Indicators> {
    let period = lived_period(app, period)?;
    let ledger = app.ledger()?;
    if !ledger.facilities.contains_key(facility) {
        return Err(ServiceError::NotFound(format!(
            "no facility with id {facility}"
        )));
    }
    let rates = app.rates()?;
    let convert = converter(&rates, currency, period.to.date());
    let fleet = Fleet::build(&ledger);
    // Every asset that stayed here during the period, for the time it stayed (dated location).
    let mut total = aidtrace_domain::assets::kpi::Sums::default();
    for i in 0..fleet.assets.len() {
        for (at, sums) in fleet.sums_by_facility(i, period, &convert) {
            if &at == facility {
                total.add(&sums);
            }
        }
    }
    Ok(total.indicators())
}

/// Money-to-machine for all donated assets, or those of one activity (and its sub-activities).
pub fn money_to_machine(
    app: &Aidtrace,
    at: NaiveDateTime,
    activity: Option<&RecordId>,
    currency: &CurrencyCode,
) -> ServiceResult<MoneyToMachine> {
    Ok(money_to_machine_in(
        &app.ledger()?,
        &app.rates()?,
        at,
        activity,
        currency,
    ))
}

/// [`money_to_machine`] over a ledger and rates already read.
pub fn money_to_machine_in(
    ledger: &Ledger,
    rates: &RateTable,
    at: NaiveDateTime,
    activity: Option<&RecordId>,
    currency: &CurrencyCode,
) -> MoneyToMachine {
    let convert = converter(rates, currency, at.date());
    let fleet = Fleet::build(ledger);
    let scope: Option<HashSet<RecordId>> = activity.map(|a| {
        let mut s: HashSet<RecordId> = ledger.descendants(a).into_iter().collect();
        s.insert(a.clone());
        s
    });
    let picked: Vec<usize> = (0..fleet.assets.len())
        .filter(|&i| {
            scope.as_ref().is_none_or(|s| {
                fleet.assets[i]
                    .funding
                    .activity
                    .as_ref()
                    .is_some_and(|a| s.contains(a))
            })
        })
        .collect();
    fleet.money_to_machine(picked, at, &convert)
}

/// One row of an asset list.
#[derive(Debug, Clone, Serialize)]
pub struct AssetRow {
    pub id: RecordId,
    pub inventory_tag: String,
    pub model: String,
    pub facility: RecordId,
    pub state: Option<LifecycleState>,
    pub since: Option<NaiveDateTime>,
    pub down_since: Option<NaiveDateTime>,
    pub open_work_orders: usize,
    pub activity: Option<RecordId>,
    pub equipment_line: Option<RecordId>,
    pub donor: Option<RecordId>,
    /// Failed donation fitness items (a failed item shows on the asset), "item: reason" in
    /// English for the CLI and the API.
    pub donation_failures: Vec<String>,
    /// The same items with their structured reasons, for pages.
    #[serde(skip)]
    pub donation_failed_items: Vec<donation::ItemResult>,
}

/// Assets with their current state, optionally of one facility.
pub fn list_assets(app: &Aidtrace, facility: Option<&RecordId>) -> ServiceResult<Vec<AssetRow>> {
    Ok(list_assets_in(&app.ledger()?, facility))
}

/// [`list_assets`] over a ledger already read (a server's snapshot: a page need not read the
/// whole store again for each visitor).
pub fn list_assets_in(ledger: &Ledger, facility: Option<&RecordId>) -> Vec<AssetRow> {
    let fleet = Fleet::build(ledger);
    let fitness = all_fitness(ledger);
    let mut out = Vec::new();
    for (i, a) in fleet.assets.iter().enumerate() {
        if facility.is_some_and(|f| f != &a.facility) {
            continue;
        }
        let h = &fleet.histories[i];
        let last = h.events.last();
        out.push(AssetRow {
            id: a.id.clone(),
            inventory_tag: a.inventory_tag.clone(),
            model: ledger
                .device_models
                .get(&a.model)
                .map_or_else(|| a.model.to_string(), |m| m.model_name.clone()),
            facility: a.facility.clone(),
            state: last.map(|e| e.state),
            since: last.map(|e| e.at),
            // The same effective episodes the indicators read (one truth for state and downtime).
            down_since: h
                .episodes
                .iter()
                .find(|d| d.end.is_none() && !d.planned)
                .map(|d| d.start),
            open_work_orders: h
                .work_orders
                .iter()
                .filter(|w| !w.status.is_closed())
                .count(),
            activity: a.funding.activity.clone(),
            equipment_line: a.funding.equipment_line.clone(),
            donor: fleet.donor(i).cloned(),
            donation_failures: failures_of(&fitness, &a.id)
                .iter()
                .map(|i| format!("{}: {}", i.item.as_str(), i.reason))
                .collect(),
            donation_failed_items: failures_of(&fitness, &a.id),
        });
    }
    out
}

/// The assets an equipment line became (assets name their line in `funding.equipment_line`).
/// An unknown line is an error, so a typo never reads as "this line bought nothing".
pub fn line_assets(app: &Aidtrace, line: &RecordId) -> ServiceResult<Vec<RecordId>> {
    if app.store().get(RecordKind::EquipmentLine, line)?.is_none() {
        return Err(ServiceError::NotFound(format!(
            "line = {:?}: no equipment line with this id",
            line.as_str()
        )));
    }
    Ok(stored(app, RecordKind::Asset, as_asset)?
        .into_iter()
        .filter(|a| a.funding.equipment_line.as_ref() == Some(line))
        .map(|a| a.id)
        .collect())
}

type Fitness = (Option<RecordId>, FitnessReport);

fn all_fitness(ledger: &Ledger) -> Vec<Fitness> {
    let registrations: Vec<_> = ledger.registrations.values().collect();
    ledger
        .donation_checks
        .values()
        .filter_map(|c| {
            let model = ledger.device_models.get(&c.model)?;
            let facility = ledger.facilities.get(&c.facility)?;
            let supply = ledger
                .facility_power
                .values()
                .find(|p| p.facility == c.facility);
            Some((
                c.asset.clone(),
                donation::score(c, model, facility, supply, &registrations),
            ))
        })
        .collect()
}

fn failures_of(fitness: &[Fitness], asset: &RecordId) -> Vec<donation::ItemResult> {
    fitness
        .iter()
        .filter(|(a, _)| a.as_ref() == Some(asset))
        .flat_map(|(_, r)| {
            r.items
                .iter()
                .filter(|i| i.outcome == donation::Outcome::Fail)
                .cloned()
        })
        .collect()
}

/// Donation fitness reports: all, or those of one activity or one asset.
pub fn donation_fitness(
    app: &Aidtrace,
    activity: Option<&RecordId>,
    asset: Option<&RecordId>,
) -> ServiceResult<Vec<FitnessReport>> {
    let ledger = app.ledger()?;
    let registrations: Vec<_> = ledger.registrations.values().collect();
    let mut out = Vec::new();
    for c in ledger.donation_checks.values() {
        if activity.is_some_and(|a| c.activity.as_ref() != Some(a)) {
            continue;
        }
        if asset.is_some_and(|a| c.asset.as_ref() != Some(a)) {
            continue;
        }
        let model = ledger.device_models.get(&c.model).ok_or_else(|| {
            ServiceError::NotFound(format!("donation check {}: no model {}", c.id, c.model))
        })?;
        let facility = ledger.facilities.get(&c.facility).ok_or_else(|| {
            ServiceError::NotFound(format!(
                "donation check {}: no facility {}",
                c.id, c.facility
            ))
        })?;
        let supply = ledger
            .facility_power
            .values()
            .find(|p| p.facility == c.facility);
        out.push(donation::score(c, model, facility, supply, &registrations));
    }
    Ok(out)
}

pub fn equipment_gaps(app: &Aidtrace, at: NaiveDateTime) -> ServiceResult<Vec<Gap>> {
    let ledger = app.ledger()?;
    Ok(gaps::gaps(&Fleet::build(&ledger), at))
}

/// Densities per region and nationally beside the reference figures, with what is counted.
#[derive(Debug, Clone, Serialize)]
pub struct DensityReport {
    pub at: NaiveDateTime,
    /// What units and populations are, in words (`gaps::DENSITY_COUNTS`).
    pub counted: &'static str,
    pub rows: Vec<Density>,
    /// Published figures, each with its year and source: those shipped with aidtrace, then the
    /// users' `density_reference` records.
    pub references: Vec<ReferenceDensity>,
}

impl DensityReport {
    /// The reference figures for one generic type, in file order.
    pub fn references_for<'a>(
        &'a self,
        generic_type: &'a str,
    ) -> impl Iterator<Item = &'a ReferenceDensity> + 'a {
        self.references
            .iter()
            .filter(move |r| r.generic_type == generic_type)
    }
}

pub fn equipment_density(app: &Aidtrace, at: NaiveDateTime) -> ServiceResult<DensityReport> {
    density_report(&app.ledger()?, at)
}

/// [`equipment_density`] on a ledger already in memory (the web's snapshot).
pub fn density_report(ledger: &Ledger, at: NaiveDateTime) -> ServiceResult<DensityReport> {
    // The shipped file is tested; failing here means the binary was built from a broken copy.
    let mut references = gaps::shipped_references()
        .map_err(|e| ServiceError::Io(format!("shipped device density references: {e}")))?;
    references.extend(gaps::record_references(ledger));
    Ok(DensityReport {
        at,
        counted: gaps::DENSITY_COUNTS,
        rows: gaps::density(&Fleet::build(ledger), at),
        references,
    })
}

/// The asset's state at a time, from stored events.
pub fn state_of(
    app: &Aidtrace,
    asset: &RecordId,
    at: NaiveDateTime,
) -> ServiceResult<Option<LifecycleState>> {
    Ok(state_at(
        &asset_history(app, HistorySource::Store, asset)?.events,
        at,
    ))
}

/// One facility's indicators read through the store's facility indexes, without loading the
/// whole ledger: what a facility page under load should call. Over `period` as given (it has no
/// clock): given the period [`lived_period`] cuts at now, it gives the same figures as
/// [`facility_indicators`].
pub fn facility_indicators_indexed(
    queries: &dyn AssetQueries,
    rates: &RateTable,
    facility: &RecordId,
    period: Period,
    currency: &CurrencyCode,
) -> ServiceResult<Indicators> {
    let records = queries.facility_records(facility)?;
    if !records.iter().any(|r| r.kind() == RecordKind::Facility) {
        return Err(ServiceError::NotFound(format!(
            "no facility with id {facility}"
        )));
    }
    let ledger = Ledger::from_records(records);
    let convert = converter(rates, currency, period.to.date());
    let fleet = Fleet::build(&ledger);
    // The records hold every asset that was here at some time: each stay is attributed to the
    // facility the asset was at then, as `facility_indicators` does.
    let mut total = aidtrace_domain::assets::kpi::Sums::default();
    for i in 0..fleet.assets.len() {
        for (at, sums) in fleet.sums_by_facility(i, period, &convert) {
            if &at == facility {
                total.add(&sums);
            }
        }
    }
    Ok(total.indicators())
}

/// Scheduled maintenance due in `[from, to)`, for one facility or all, each with the work order
/// that met it on time (if any): the engineer's to-do list and the PM completion detail.
pub fn pm_schedule(
    app: &Aidtrace,
    facility: Option<&RecordId>,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> ServiceResult<Vec<aidtrace_domain::assets::kpi::DueItem>> {
    Ok(pm_schedule_in(&app.ledger()?, facility, from, to))
}

/// [`pm_schedule`] over a ledger already read.
pub fn pm_schedule_in(
    ledger: &Ledger,
    facility: Option<&RecordId>,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Vec<aidtrace_domain::assets::kpi::DueItem> {
    let fleet = Fleet::build(ledger);
    let picked: Vec<usize> = match facility {
        Some(f) => fleet.facility_assets(f).to_vec(),
        None => (0..fleet.assets.len()).collect(),
    };
    fleet.pm_schedule(picked, from, to)
}
