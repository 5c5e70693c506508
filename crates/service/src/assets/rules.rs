//! The rules across an asset's history (append-only lifecycle in order, acceptance before
//! commissioning, no work on retired assets, closed orders closed once, plans of the right
//! model, no times beyond now), checked before a batch is written and over stored data.

use super::*;
use aidtrace_domain::assets::correction;
use aidtrace_domain::error::ProblemArg;

/// A change to a voided record of `kind`: a voided entry is not changed again.
fn voided(id: &RecordId, kind: RecordKind, message: &str) -> ValidationError {
    ValidationError::new("voided", id, message)
        .because(ProblemId::VoidedNotChanged)
        .arg("kind", ProblemArg::Kind(kind))
}

/// The rules across an asset's history, for a batch about to be written. Nothing is written.
pub fn check_rules(app: &Aidtrace, batch: &[Record]) -> ServiceResult<()> {
    check_rules_from(app, HistorySource::Store, batch)
}

/// [`check_rules`], reading stored histories from `source`.
pub fn check_rules_from(
    app: &Aidtrace,
    source: HistorySource<'_>,
    batch: &[Record],
) -> ServiceResult<()> {
    let pick = |k: RecordKind| batch.iter().filter(move |r| r.kind() == k);
    let new_events: Vec<AssetEvent> = pick(RecordKind::AssetEvent)
        .cloned()
        .filter_map(as_event)
        .collect();
    let new_downtimes: Vec<Downtime> = pick(RecordKind::Downtime)
        .cloned()
        .filter_map(as_downtime)
        .collect();
    let new_readings: Vec<MeterReading> = pick(RecordKind::MeterReading)
        .cloned()
        .filter_map(as_reading)
        .collect();
    let new_orders: Vec<WorkOrder> = pick(RecordKind::WorkOrder)
        .cloned()
        .filter_map(as_work_order)
        .collect();
    let new_assets: Vec<Asset> = pick(RecordKind::Asset)
        .cloned()
        .filter_map(as_asset)
        .collect();
    // "Recorded at" is checked on writes only (stored ones came from the writer's clock), and
    // not on a voided event (voiding one stamped by a wrong clock is how it is undone).
    for e in new_events.iter().filter(|e| !e.is_void()) {
        if let Some(r) = e.recorded_at {
            instant::check_not_future("recorded_at", r, app.now())
                .map_err(|err| refuse("asset_event", &e.id, err))?;
        }
    }
    check_not_future(
        app.now(),
        &new_events,
        &new_downtimes,
        &new_readings,
        &new_orders,
    )?;
    let touched: HashSet<RecordId> = new_events
        .iter()
        .map(|e| e.asset.clone())
        .chain(new_downtimes.iter().map(|d| d.asset.clone()))
        .chain(new_readings.iter().map(|r| r.asset.clone()))
        .chain(new_orders.iter().map(|w| w.asset.clone()))
        .collect();
    let stored = if touched.is_empty() {
        HashMap::new()
    } else {
        stored_histories(app, source, &touched)?
    };
    let empty = StoredHistory::default();
    let old = |asset: &RecordId| stored.get(asset).unwrap_or(&empty);

    // Lifecycle: append-only, in order, legal transitions.
    let mut histories: HashMap<RecordId, Vec<AssetEvent>> = HashMap::new();
    for (asset, events) in by_asset(&new_events, |e| &e.asset) {
        let h = old(&asset);
        let before: Vec<AssetEvent> = h.events.iter().chain(&h.voided_events).cloned().collect();
        let live =
            lifecycle::check_append(&before, &events).map_err(|e| refuse("asset", &asset, e))?;
        histories.insert(asset, live);
    }
    let history = |asset: &RecordId| -> &[AssetEvent] {
        histories
            .get(asset)
            .map_or(old(asset).events.as_slice(), Vec::as_slice)
    };

    // Commissioning needs a passed acceptance of the same asset.
    for e in new_events
        .iter()
        .filter(|e| e.state == LifecycleState::Commissioned)
    {
        let Some(acc) = &e.acceptance else { continue };
        let stored_order = match app.store().get(RecordKind::WorkOrder, acc)? {
            Some(Record::WorkOrder(w)) => Some(w),
            _ => None,
        };
        let order = new_orders
            .iter()
            .find(|w| &w.id == acc)
            .or(stored_order.as_ref())
            .ok_or_else(|| {
                refuse(
                    "asset_event",
                    &e.id,
                    ValidationError::no_such_record("acceptance", acc, RecordKind::WorkOrder),
                )
            })?;
        lifecycle::check_acceptance(e, order).map_err(|err| refuse("asset_event", &e.id, err))?;
    }

    // No work on a retired asset (rewriting a stored order unchanged is not new work).
    for w in &new_orders {
        let h = old(&w.asset);
        if h.orders.iter().chain(&h.voided_orders).any(|s| s == w) {
            continue;
        }
        if h.voided_orders.iter().any(|s| s.id == w.id) {
            return Err(refuse(
                "work_order",
                &w.id,
                voided(
                    &w.id,
                    RecordKind::WorkOrder,
                    "this work order is voided; a voided order is not changed again",
                ),
            ));
        }
        // Voiding is the one change a closed order accepts; the void is checked on its own.
        if h.orders
            .iter()
            .any(|s| s.id == w.id && correction::voids_order(s, w))
        {
            continue;
        }
        check_closed_once(w, old(&w.asset).orders.iter().find(|s| s.id == w.id))?;
        check_plan_fits(app, w, &new_assets, batch)?;
        lifecycle::check_work_order(w, history(&w.asset))
            .map_err(|e| refuse("work_order", &w.id, e))?;
    }
    for d in &new_downtimes {
        let h = old(&d.asset);
        let stored = h.downtimes.iter().chain(&h.voided_downtimes);
        check_downtime_change(d, stored.clone().find(|s| s.id == d.id))?;
    }
    for (asset, downs) in by_asset(&new_downtimes, |d| &d.asset) {
        lifecycle::check_downtimes(&old(&asset).downtimes, &downs, history(&asset))
            .map_err(|e| refuse("asset", &asset, e))?;
    }
    for r in &new_readings {
        let h = old(&r.asset);
        if h.voided_readings.iter().any(|s| s.id == r.id && s != r) {
            return Err(refuse(
                "meter_reading",
                &r.id,
                voided(
                    &r.id,
                    RecordKind::MeterReading,
                    "this meter reading is voided; a voided reading is not changed again",
                ),
            ));
        }
    }
    for (asset, readings) in by_asset(&new_readings, |r| &r.asset) {
        lifecycle::check_readings(&old(&asset).readings, &readings)
            .map_err(|e| refuse("asset", &asset, e))?;
    }

    // Accessory chains must not loop: follow each new asset's parents through the batch and the
    // store.
    let in_batch: HashMap<&RecordId, &Asset> = new_assets.iter().map(|a| (&a.id, a)).collect();
    for a in &new_assets {
        let mut seen = HashSet::new();
        let mut current = Some(a.id.clone());
        while let Some(id) = current {
            if !seen.insert(id.clone()) {
                return Err(refuse(
                    "asset",
                    &a.id,
                    ValidationError::new(
                        "parent",
                        a.parent
                            .as_ref()
                            .map(ToString::to_string)
                            .unwrap_or_default(),
                        "this parent link makes a cycle",
                    )
                    .because(ProblemId::ParentCycle),
                ));
            }
            current = match in_batch.get(&id) {
                Some(b) => b.parent.clone(),
                None => match app.store().get(RecordKind::Asset, &id)? {
                    Some(Record::Asset(b)) => b.parent,
                    _ => None,
                },
            };
        }
    }
    Ok(())
}

/// A stored downtime record changes only by being closed (an end where it had none) or by a note:
/// `asset load` of an edited file used to rewrite start, end, cause or planned flag of episodes
/// already reported, silently. A correction is a new record (or `asset reconcile`).
fn check_downtime_change(new: &Downtime, stored: Option<&Downtime>) -> ServiceResult<()> {
    let Some(old) = stored else { return Ok(()) };
    if old == new || correction::voids_downtime(old, new) {
        return Ok(());
    }
    if old.voided.is_some() {
        return Err(refuse(
            "downtime",
            &new.id,
            voided(
                &old.id,
                RecordKind::Downtime,
                "this downtime is voided; a voided downtime is not changed again",
            ),
        ));
    }
    let closing = old.end.is_none() || old.end == new.end;
    fn same(d: &Downtime) -> (NaiveDateTime, DowntimeCause, bool, Option<&RecordId>) {
        (d.start, d.cause, d.planned, d.work_order.as_ref())
    }
    if closing && same(old) == same(new) {
        return Ok(());
    }
    let (field, value) = if old.start != new.start {
        ("start", new.start.to_string())
    } else if !closing {
        (
            "end",
            new.end
                .map_or_else(|| "(open)".to_string(), |e| e.to_string()),
        )
    } else if old.cause != new.cause {
        ("cause", new.cause.as_str().to_string())
    } else if old.planned != new.planned {
        ("planned", new.planned.to_string())
    } else {
        (
            "work_order",
            new.work_order
                .as_ref()
                .map_or_else(|| "(none)".to_string(), ToString::to_string),
        )
    };
    Err(refuse(
        "downtime",
        &new.id,
        ValidationError::new(
            field,
            value,
            "a stored downtime is only closed (an end where it had none) or annotated, never rewritten; record a new downtime instead",
        )
        .because(ProblemId::DowntimeRewritten),
    ))
}

/// A done or cancelled order is closed once: closing it again with other figures would rewrite
/// what the report of that period said (a correction is a new, audited record).
fn check_closed_once(order: &WorkOrder, stored: Option<&WorkOrder>) -> ServiceResult<()> {
    let Some(before) = stored.filter(|s| s.status.is_closed()) else {
        return Ok(());
    };
    Err(refuse(
        "work_order",
        &order.id,
        ValidationError::new(
            "status",
            before.status.as_str(),
            format!(
                "the order was closed ({}) at {}; a closed order is not changed again, record a correction as a new work order",
                before.status.as_str(),
                before
                    .closed
                    .map_or_else(|| "an unknown time".to_string(), |c| c.to_string()),
            ),
        )
        .because(ProblemId::ClosedOnce)
        // A closed order always has its time (the single-record rule); "?" never shows.
        .with_text("closed", before.closed.map_or_else(|| "?".to_string(), |c| c.to_string())),
    ))
}

/// The plan an order carries out must belong to the order's asset or to its model: a PM done
/// under another model's plan would mark that plan's dues as met.
fn check_plan_fits(
    app: &Aidtrace,
    order: &WorkOrder,
    new_assets: &[Asset],
    batch: &[Record],
) -> ServiceResult<()> {
    let Some(plan_id) = &order.plan else {
        return Ok(());
    };
    let plan = match batch
        .iter()
        .find(|r| r.kind() == RecordKind::MaintenancePlan && r.id() == plan_id)
    {
        Some(Record::MaintenancePlan(p)) => Some(p.clone()),
        _ => match app.store().get(RecordKind::MaintenancePlan, plan_id)? {
            Some(Record::MaintenancePlan(p)) => Some(p),
            _ => None,
        },
    };
    // A missing plan is a reference error, reported by the reference check.
    let Some(plan) = plan else { return Ok(()) };
    let asset = match new_assets.iter().find(|a| a.id == order.asset) {
        Some(a) => Some(a.clone()),
        None => match app.store().get(RecordKind::Asset, &order.asset)? {
            Some(Record::Asset(a)) => Some(a),
            _ => None,
        },
    };
    let Some(asset) = asset else { return Ok(()) };
    let fits = match (&plan.asset, &plan.model) {
        (Some(for_asset), _) => for_asset == &asset.id,
        (None, Some(model)) => model == &asset.model,
        (None, None) => true,
    };
    if fits {
        return Ok(());
    }
    let refusal = ValidationError::new(
        "plan",
        plan_id,
        format!(
            "the plan is for {}, not for asset {} (model {})",
            plan.asset.as_ref().map_or_else(
                || format!(
                    "model {}",
                    plan.model
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default()
                ),
                |a| format!("asset {a}")
            ),
            asset.id,
            asset.model
        ),
    );
    let refusal = match (&plan.asset, &plan.model) {
        (Some(a), _) => refusal
            .because(ProblemId::PlanForOtherAsset)
            .with_text("plan_asset", a),
        (None, m) => refusal.because(ProblemId::PlanForOtherModel).with_text(
            "plan_model",
            m.as_ref().map(ToString::to_string).unwrap_or_default(),
        ),
    };
    Err(refuse(
        "work_order",
        &order.id,
        refusal
            .with_text("asset", &asset.id)
            .with_text("model", &asset.model),
    ))
}

/// No history time beyond now (plus a small tolerance): one report dated in the future would
/// make every real event after it "out of order" and lock the asset.
fn check_not_future(
    now: NaiveDateTime,
    events: &[AssetEvent],
    downtimes: &[Downtime],
    readings: &[MeterReading],
    orders: &[WorkOrder],
) -> ServiceResult<()> {
    let at = |kind: &str, id: &RecordId, field: &str, t: NaiveDateTime| {
        instant::check_not_future(field, t, now).map_err(|e| refuse(kind, id, e))
    };
    // A voided entry's times are no longer claims (voiding one dated 2030 is how it is undone).
    for e in events {
        if let Some(v) = &e.voided {
            at("asset_event", &e.id, "voided.at", v.at)?;
            continue;
        }
        at("asset_event", &e.id, "at", e.at)?;
    }
    for d in downtimes {
        if let Some(v) = &d.voided {
            at("downtime", &d.id, "voided.at", v.at)?;
            continue;
        }
        at("downtime", &d.id, "start", d.start)?;
        if let Some(end) = d.end {
            at("downtime", &d.id, "end", end)?;
        }
    }
    for r in readings {
        at("meter_reading", &r.id, "at", r.at)?;
    }
    for w in orders {
        at("work_order", &w.id, "opened", w.opened)?;
        if let Some(closed) = w.closed {
            at("work_order", &w.id, "closed", closed)?;
        }
        for (field, t) in [("acknowledged", w.acknowledged), ("started", w.started)] {
            if let Some(t) = t {
                at("work_order", &w.id, field, t)?;
            }
        }
    }
    Ok(())
}

/// Checks the asset rules, then writes the batch atomically.
pub fn put_checked(
    app: &mut Aidtrace,
    actor: &str,
    records: Vec<Record>,
) -> ServiceResult<ApplyReport> {
    put_checked_from(app, HistorySource::Store, actor, records)
}

/// [`put_checked`], reading stored histories from `source`.
pub fn put_checked_from(
    app: &mut Aidtrace,
    source: HistorySource<'_>,
    actor: &str,
    records: Vec<Record>,
) -> ServiceResult<ApplyReport> {
    check_rules_from(app, source, &records)?;
    super::parts::check_parts(app, &records)?;
    app.write_batch(actor, records)
}

/// Breaches of the asset rules in stored data (for records that came in through a generic
/// import, which only checks single records and references, or that were stored before times
/// beyond `now` were refused: such a time still locks its asset until it is corrected).
pub fn check_stored(ledger: &Ledger, now: NaiveDateTime) -> Vec<String> {
    let mut out = Vec::new();
    let fleet = Fleet::build(ledger);
    for (i, asset) in fleet.assets.iter().enumerate() {
        let h = &fleet.histories[i];
        let events: Vec<AssetEvent> = h.events.iter().map(|e| (*e).clone()).collect();
        let downs: Vec<Downtime> = h.downtimes.iter().map(|d| (*d).clone()).collect();
        let readings: Vec<MeterReading> = h.readings.iter().map(|r| (*r).clone()).collect();
        let orders: Vec<WorkOrder> = h.work_orders.iter().map(|w| (*w).clone()).collect();
        if let Err(e) = check_not_future(now, &events, &downs, &readings, &orders) {
            out.push(e.to_string());
        }
        if let Err(e) = lifecycle::check_sequence(&h.events) {
            out.push(format!("asset {}: {e}", asset.id));
        }
        if let Err(e) = lifecycle::check_downtimes(&[], &downs, &h.events) {
            out.push(format!("asset {}: {e}", asset.id));
        }
        if let Err(e) = lifecycle::check_readings(&[], &readings) {
            out.push(format!("asset {}: {e}", asset.id));
        }
        for d in aidtrace_domain::assets::history::differences(&h.episodes) {
            out.push(format!(
                "asset {}: events and downtime disagree: {d}; `aidtrace asset reconcile` fixes it",
                asset.id
            ));
        }
        for w in &h.work_orders {
            if let Err(e) = lifecycle::check_work_order(w, &h.events) {
                out.push(format!("work_order {}: {e}", w.id));
            }
        }
    }
    out
}
