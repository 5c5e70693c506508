//! PM compliance split by risk class (issue #17 item 3: "PM compliance on time, late, missed,
//! split by risk class"). A programme looks at the high-risk classes first (life support and
//! class III devices are where a missed inspection harms a patient), so the split is shown beside
//! the fleet figure rather than only the one percentage.
//!
//! The PM schedule itself lives here too (moved from `kpi.rs` to keep that file readable): due
//! dates per plan, matched on time or late to done orders, and where each due stands.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDateTime};
use rust_decimal::Decimal;
use serde::Serialize;

use super::kpi::{Fleet, History, Sums};
use super::lifecycle::{commissioned_at, retired_at, state_at};
use super::{
    AssetEvent, LifecycleState, MaintenancePlan, PlanTrigger, RiskClass, WorkOrder, WorkOrderStatus,
};
use crate::codes::RecordId;

/// Due dates in the period and how they stand at its end.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PmCounts {
    pub due: u64,
    pub on_time: u64,
    pub late: u64,
    pub missed: u64,
}

impl PmCounts {
    pub fn add(&mut self, o: &PmCounts) {
        self.due += o.due;
        self.on_time += o.on_time;
        self.late += o.late;
        self.missed += o.missed;
    }

    pub fn compliance(&self) -> PmCompliance {
        PmCompliance {
            due: self.due,
            on_time: self.on_time,
            late: self.late,
            missed: self.missed,
            completion_pct: (self.due > 0).then(|| {
                (Decimal::from(self.on_time) * Decimal::ONE_HUNDRED / Decimal::from(self.due))
                    .round_dp(2)
            }),
        }
    }
}

/// [`PmCounts`] with on-time completion % = on time / due × 100 (the fleet's `pm_completion_pct`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PmCompliance {
    pub due: u64,
    pub on_time: u64,
    pub late: u64,
    pub missed: u64,
    pub completion_pct: Option<Decimal>,
}

/// One asset's PM counts under its model's risk class (`unknown` when the model has none); empty
/// when nothing fell due.
pub fn by_risk(risk: Option<RiskClass>, s: &Sums) -> BTreeMap<String, PmCounts> {
    let mut out = BTreeMap::new();
    if s.pm_due > 0 {
        out.insert(
            risk.map_or("unknown", RiskClass::code).to_string(),
            PmCounts {
                due: s.pm_due,
                on_time: s.pm_on_time,
                late: s.pm_late,
                missed: s.pm_missed,
            },
        );
    }
    out
}

/// Due dates of a plan for one asset (all of them, before filtering by period).
fn due_dates(
    plan: &MaintenancePlan,
    history: &History<'_>,
    anchor: NaiveDateTime,
    until: NaiveDateTime,
) -> Vec<NaiveDateTime> {
    let mut out = Vec::new();
    match plan.trigger {
        PlanTrigger::EveryDays(days) => {
            let step = Duration::days(i64::from(days));
            let mut due = anchor.checked_add_signed(step);
            while let Some(d) = due.filter(|d| *d < until) {
                out.push(d);
                due = d.checked_add_signed(step);
            }
        }
        PlanTrigger::EveryMeter { meter, every } => {
            let mut next = every;
            for r in history.readings.iter().filter(|r| r.meter == meter) {
                if r.value >= next && r.at >= anchor {
                    out.push(r.at);
                    // One reading may pass several thresholds; the work due is done once.
                    next = (r.value / every + 1).saturating_mul(every);
                }
            }
        }
    }
    out
}

/// One due date of a maintenance plan for an asset, and the order that met it on time, or late.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueItem {
    pub asset: RecordId,
    pub plan: RecordId,
    pub description: String,
    pub due: NaiveDateTime,
    pub window_days: u32,
    /// Done within ± the window.
    pub done_by: Option<RecordId>,
    /// Done after the window closed but before the plan's next due date: late, not missed.
    pub done_late_by: Option<RecordId>,
}

/// Where a due date stands: the one reading for the CLI, the pages and the indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum PmStatus {
    OnTime,
    Late,
    /// The window has closed with no work done (yet).
    Missed,
    /// The window is still open.
    ToDo,
}

impl PmStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OnTime => "on_time",
            Self::Late => "late",
            Self::Missed => "missed",
            Self::ToDo => "to_do",
        }
    }
}

impl DueItem {
    /// The item's standing at `now`: missed only once its window has closed (a PM done inside
    /// the window was shown as missed as soon as the due date passed).
    pub fn status(&self, now: NaiveDateTime) -> PmStatus {
        if self.done_by.is_some() {
            return PmStatus::OnTime;
        }
        if self.done_late_by.is_some() {
            return PmStatus::Late;
        }
        let window = Duration::days(i64::from(self.window_days));
        match self.due.checked_add_signed(window) {
            Some(end) if now > end => PmStatus::Missed,
            _ => PmStatus::ToDo,
        }
    }
}

/// No maintenance falls due while the asset is out of service (in storage, down, awaiting parts,
/// transferred): such dues counted as missed work nobody could do. A due date that falls then is
/// deferred to the asset's return to service; none when it does not return.
fn in_service_due(events: &[&AssetEvent], due: NaiveDateTime) -> Option<NaiveDateTime> {
    let serving =
        |s: LifecycleState| matches!(s, LifecycleState::Commissioned | LifecycleState::InService);
    if state_at(events, due).is_some_and(serving) {
        return Some(due);
    }
    events
        .iter()
        .find(|e| e.at > due && serving(e.state))
        .map(|e| e.at)
}

/// Due dates of every plan of an asset from commissioning until `stop`, in time order, each
/// matched to at most one done order of the plan (or of its kind, when the order names no plan)
/// closed within ± the window.
pub(super) fn pm_matches<'a>(
    plans: impl Iterator<Item = &'a MaintenancePlan>,
    h: &History<'_>,
    stop: NaiveDateTime,
) -> Vec<DueItem> {
    let Some(anchor) = commissioned_at(&h.events) else {
        return Vec::new();
    };
    let Some(asset) = h.events.first().map(|e| &e.asset) else {
        return Vec::new();
    };
    let mut dues: Vec<(&MaintenancePlan, NaiveDateTime)> = Vec::new();
    for plan in plans {
        for due in due_dates(plan, h, anchor, stop) {
            if let Some(due) = in_service_due(&h.events, due).filter(|d| *d < stop) {
                dues.push((plan, due));
            }
        }
    }
    dues.sort_by_key(|(p, d)| (*d, p.id.clone()));
    let fits = |plan: &MaintenancePlan, w: &WorkOrder| {
        w.status == WorkOrderStatus::Done
            && (w.plan.as_ref() == Some(&plan.id)
                || (w.plan.is_none() && w.kind == plan.kind.work_order_kind()))
    };
    let mut used: Vec<bool> = vec![false; h.work_orders.len()];
    let mut items: Vec<DueItem> = dues
        .iter()
        .map(|&(plan, due)| {
            let window = Duration::days(i64::from(plan.window_days));
            let hit = h.work_orders.iter().enumerate().find(|(k, w)| {
                !used[*k]
                    && fits(plan, w)
                    && w.closed.is_some_and(|c| {
                        due.checked_sub_signed(window).is_none_or(|lo| c >= lo)
                            && due.checked_add_signed(window).is_none_or(|hi| c <= hi)
                    })
            });
            let done_by = hit.map(|(k, w)| {
                used[k] = true;
                w.id.clone()
            });
            DueItem {
                asset: asset.clone(),
                plan: plan.id.clone(),
                description: plan.description.clone(),
                due,
                window_days: plan.window_days,
                done_by,
                done_late_by: None,
            }
        })
        .collect();
    // Late work: an order of the plan done after the window closed and before the plan's next
    // due date meets the earlier due late (it disappeared before, neither on time nor missed).
    for n in 0..items.len() {
        if items[n].done_by.is_some() {
            continue;
        }
        let (plan, due) = dues[n];
        let window = Duration::days(i64::from(plan.window_days));
        let next = dues[n + 1..]
            .iter()
            .find(|(p, _)| p.id == plan.id)
            .map_or(stop, |(_, d)| *d);
        let hit = h.work_orders.iter().enumerate().find(|(k, w)| {
            !used[*k]
                && fits(plan, w)
                && w.closed.is_some_and(|c| {
                    due.checked_add_signed(window).is_some_and(|hi| c > hi) && c < next
                })
        });
        if let Some((k, w)) = hit {
            used[k] = true;
            items[n].done_late_by = Some(w.id.clone());
        }
    }
    items
}

impl Fleet<'_> {
    /// Scheduled maintenance due in `[from, to)` for the given assets, met or not.
    pub fn pm_schedule(
        &self,
        assets: impl IntoIterator<Item = usize>,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> Vec<DueItem> {
        let mut out = Vec::new();
        for i in assets {
            let h = &self.histories[i];
            let stop = retired_at(&h.events).unwrap_or(NaiveDateTime::MAX).min(to);
            out.extend(
                pm_matches(self.plans(i), h, stop)
                    .into_iter()
                    .filter(|d| d.due >= from),
            );
        }
        out.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.asset.cmp(&b.asset)));
        out
    }
}
