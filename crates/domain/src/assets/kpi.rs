//! Healthcare-technology indicators over any period, per asset and aggregated by facility,
//! region, donor or model. The exact rules are in docs/assets.md; in short:
//!
//! * Operating time is the time an asset spends in an operational lifecycle state (commissioned,
//!   in service, down, under repair) within the period.
//! * Uptime % = (operating time − unplanned downtime) / operating time. Planned downtime
//!   (scheduled maintenance) is reported apart and not counted against uptime. An open episode
//!   runs to the period end.
//! * MTBF = (operating time − unplanned downtime) / unplanned episodes starting in the period.
//! * MTTR = duration of unplanned episodes ending in the period / their number (report to return
//!   to service; open episodes are not repairs yet).
//! * Fleet functional % at the period end = assets commissioned or in service without open
//!   unplanned downtime / assets in inventory (installed, commissioned, in service, down, under
//!   repair, in storage).
//! * PM completion = scheduled maintenance due in the period done within its window / due.
//! * COSR % (Cohen, AAMI) = annualised service cost (done maintenance work orders closed in the
//!   period, with in-house labour at its rate, plus prorated contract fees) / time-weighted
//!   acquisition cost (each asset's cost × its share of the period in inventory, so assets
//!   retired or added mid-period count for the time they were supported), for assets whose cost
//!   is known; the coverage (n of N) is reported beside it.
//! * Response time (request → acknowledged, request → started) and repair time (started →
//!   finished) from corrective work orders ([`super::workorder`]), beside MTTR.
//!
//! Aggregates are ratios of sums, never averages of per-asset ratios, so a group of one asset
//! gives that asset's figures and a large asset weighs as much as its hours.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::Serialize;

use super::history::Episode;
use super::lifecycle::{commissioned_at, retired_at, state_at};
use super::pm::pm_matches;
pub use super::pm::{DueItem, PmStatus};
use super::workorder::{ResponseSums, ResponseTimes};
use super::{
    Acquisition, Asset, AssetEvent, Downtime, DowntimeCause, LifecycleState, MaintenancePlan,
    MeterReading, WorkOrder, WorkOrderKind, WorkOrderStatus,
};
use crate::codes::RecordId;
use crate::ledger::Ledger;
use crate::money::Money;

/// A half-open period `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: NaiveDateTime,
    pub to: NaiveDateTime,
}

impl Period {
    pub fn new(from: NaiveDateTime, to: NaiveDateTime) -> Option<Self> {
        (to > from).then_some(Self { from, to })
    }

    /// Whole days, `from` 00:00 to the day after `to` 00:00 (both dates included).
    pub fn days(from: NaiveDate, to: NaiveDate) -> Option<Self> {
        let start = from.and_hms_opt(0, 0, 0)?;
        let end = to.succ_opt()?.and_hms_opt(0, 0, 0)?;
        Self::new(start, end)
    }

    /// The period cut at `now`: hours not lived yet are neither uptime nor downtime (a period
    /// to the end of today counted a device reported down at 19:12 as 4.8 h down at 19:12, and
    /// one to the end of the month as 580 h). `None` when the period begins after `now`.
    pub fn until(self, now: NaiveDateTime) -> Option<Self> {
        Self::new(self.from, self.to.min(now))
    }

    pub fn seconds(&self) -> i64 {
        (self.to - self.from).num_seconds()
    }

    /// The first day of the default period ending on `to`: 365 days with `to` included. The
    /// indicators page and `aidtrace kpi` both start there, so an engineer reading one and a
    /// report from the other see the same figures (the command line once took last calendar
    /// year, the page the last 365 days).
    pub fn default_from(to: NaiveDate) -> NaiveDate {
        to.checked_sub_days(chrono::Days::new(DEFAULT_DAYS - 1))
            .unwrap_or(NaiveDate::MIN)
    }
}

/// Days in the default period of the indicators.
pub const DEFAULT_DAYS: u64 = 365;

/// Converts money into the report currency; `None` when no rate is known.
pub type Converter<'a> = &'a dyn Fn(&Money) -> Option<Decimal>;

/// Raw sums for one asset over a period; add them to aggregate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Sums {
    pub assets: u64,
    pub in_inventory: u64,
    pub functional: u64,
    pub operating_secs: i64,
    pub unplanned_down_secs: i64,
    pub planned_down_secs: i64,
    pub failures: u64,
    /// Failures by cause (user error and external power are the causes maintenance cannot fix).
    pub failures_by_cause: BTreeMap<DowntimeCause, u64>,
    /// Failures whose cause is the device's own ([`DowntimeCause::is_device_failure`]).
    pub device_failures: u64,
    pub repairs: u64,
    pub repair_secs: i64,
    pub pm_due: u64,
    pub pm_on_time: u64,
    pub pm_late: u64,
    /// Dues whose window closed by the period end with no work done.
    pub pm_missed: u64,
    /// The PM counts split by the model's risk class (`super::pm::by_risk`).
    pub pm_by_risk: BTreeMap<String, super::pm::PmCounts>,
    /// Annualised service cost of assets whose acquisition cost is known, report currency.
    pub service_cost: Decimal,
    pub acquisition_cost: Decimal,
    /// Assets left out of COSR: unknown acquisition cost or a cost with no exchange rate.
    pub cost_unknown: u64,
    /// Assets in inventory at some time in the period (N of COSR's coverage).
    pub cosr_population: u64,
    /// Those whose costs are known and counted in COSR (n of N).
    pub cosr_assets: u64,
    /// Response and repair times of corrective work orders.
    pub response: ResponseSums,
    /// Work orders open at the period end (opened before it, not closed by then): the backlog.
    pub backlog: u64,
    /// Corrective orders among them.
    pub backlog_corrective: u64,
    pub age_0_5: u64,
    pub age_6_10: u64,
    pub age_over_10: u64,
    pub age_unknown: u64,
    /// Assets older than their model's expected life at the period end.
    pub past_expected_life: u64,
    /// Assets whose age or model's expected life is not known.
    pub expected_life_unknown: u64,
}

impl Sums {
    pub fn add(&mut self, o: &Sums) {
        self.assets += o.assets;
        self.in_inventory += o.in_inventory;
        self.functional += o.functional;
        self.operating_secs += o.operating_secs;
        self.unplanned_down_secs += o.unplanned_down_secs;
        self.planned_down_secs += o.planned_down_secs;
        self.failures += o.failures;
        for (cause, n) in &o.failures_by_cause {
            *self.failures_by_cause.entry(*cause).or_default() += n;
        }
        self.device_failures += o.device_failures;
        self.repairs += o.repairs;
        self.repair_secs += o.repair_secs;
        self.pm_due += o.pm_due;
        self.pm_on_time += o.pm_on_time;
        self.pm_late += o.pm_late;
        self.pm_missed += o.pm_missed;
        for (k, c) in &o.pm_by_risk {
            self.pm_by_risk.entry(k.clone()).or_default().add(c);
        }
        self.service_cost += o.service_cost;
        self.acquisition_cost += o.acquisition_cost;
        self.cost_unknown += o.cost_unknown;
        self.cosr_population += o.cosr_population;
        self.cosr_assets += o.cosr_assets;
        self.response.add(&o.response);
        self.backlog += o.backlog;
        self.backlog_corrective += o.backlog_corrective;
        self.age_0_5 += o.age_0_5;
        self.age_6_10 += o.age_6_10;
        self.age_over_10 += o.age_over_10;
        self.age_unknown += o.age_unknown;
        self.past_expected_life += o.past_expected_life;
        self.expected_life_unknown += o.expected_life_unknown;
    }

    pub fn indicators(&self) -> Indicators {
        let hours = |s: i64| (Decimal::from(s) / Decimal::from(3600)).round_dp(2);
        let pct = |num: Decimal, den: Decimal| {
            if den.is_zero() {
                return None;
            }
            num.checked_mul(Decimal::ONE_HUNDRED)
                .and_then(|n| n.checked_div(den))
                .map(|p| p.round_dp(2))
        };
        let up_secs = self.operating_secs - self.unplanned_down_secs;
        Indicators {
            assets: self.assets,
            in_inventory: self.in_inventory,
            functional: self.functional,
            fleet_functional_pct: pct(self.functional.into(), self.in_inventory.into()),
            operating_hours: hours(self.operating_secs),
            unplanned_downtime_hours: hours(self.unplanned_down_secs),
            planned_downtime_hours: hours(self.planned_down_secs),
            uptime_pct: pct(up_secs.into(), self.operating_secs.into()),
            uptime_all_pct: pct(
                (up_secs - self.planned_down_secs).into(),
                self.operating_secs.into(),
            ),
            failures: self.failures,
            failures_by_cause: self.failures_by_cause.clone(),
            mtbf_hours: (self.failures > 0).then(|| {
                (Decimal::from(up_secs) / Decimal::from(3600) / Decimal::from(self.failures))
                    .round_dp(2)
            }),
            device_failures: self.device_failures,
            device_mtbf_hours: (self.device_failures > 0).then(|| {
                (Decimal::from(up_secs) / Decimal::from(3600) / Decimal::from(self.device_failures))
                    .round_dp(2)
            }),
            repairs: self.repairs,
            mttr_hours: (self.repairs > 0).then(|| {
                (Decimal::from(self.repair_secs)
                    / Decimal::from(3600)
                    / Decimal::from(self.repairs))
                .round_dp(2)
            }),
            pm_due: self.pm_due,
            pm_on_time: self.pm_on_time,
            pm_late: self.pm_late,
            pm_completion_pct: pct(self.pm_on_time.into(), self.pm_due.into()),
            pm_missed: self.pm_missed,
            pm_by_risk_class: self
                .pm_by_risk
                .iter()
                .map(|(k, c)| (k.clone(), c.compliance()))
                .collect(),
            service_cost: self.service_cost.round_dp(2),
            acquisition_cost: self.acquisition_cost.round_dp(2),
            cosr_pct: pct(self.service_cost, self.acquisition_cost),
            cost_unknown: self.cost_unknown,
            cosr_population: self.cosr_population,
            cosr_assets: self.cosr_assets,
            response: self.response.means(),
            backlog: self.backlog,
            backlog_corrective: self.backlog_corrective,
            age: AgeProfile {
                years_0_5: self.age_0_5,
                years_6_10: self.age_6_10,
                over_10: self.age_over_10,
                unknown: self.age_unknown,
                past_expected_life: self.past_expected_life,
                expected_life_unknown: self.expected_life_unknown,
            },
        }
    }
}

/// Age of the inventory at the period end, in COCIR's bands (golden rule: ≥ 60 % up to 5 years,
/// ≤ 30 % 6–10 years, ≤ 10 % over 10), counted from the earlier of manufacture and first
/// installation (a 2005 device registered in 2025 is twenty years old, not new), and against
/// each model's expected life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgeProfile {
    pub years_0_5: u64,
    pub years_6_10: u64,
    pub over_10: u64,
    pub unknown: u64,
    pub past_expected_life: u64,
    pub expected_life_unknown: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Indicators {
    pub assets: u64,
    pub in_inventory: u64,
    pub functional: u64,
    pub fleet_functional_pct: Option<Decimal>,
    pub operating_hours: Decimal,
    pub unplanned_downtime_hours: Decimal,
    pub planned_downtime_hours: Decimal,
    pub uptime_pct: Option<Decimal>,
    /// Uptime counting planned downtime too: the share of operating time the device was
    /// available at all (what a clinician sees), beside `uptime_pct`, which leaves scheduled
    /// maintenance out (what maintenance is judged on).
    pub uptime_all_pct: Option<Decimal>,
    pub failures: u64,
    pub failures_by_cause: BTreeMap<DowntimeCause, u64>,
    /// All-cause MTBF: every unplanned stop while the asset was meant to work.
    pub mtbf_hours: Option<Decimal>,
    pub device_failures: u64,
    /// Device-attributable MTBF: only failures of the device itself (no power cuts, user errors,
    /// missing consumables or waits for parts).
    pub device_mtbf_hours: Option<Decimal>,
    pub repairs: u64,
    pub mttr_hours: Option<Decimal>,
    pub pm_due: u64,
    pub pm_on_time: u64,
    /// Done after the window, before the next due date; neither on time nor missed.
    pub pm_late: u64,
    pub pm_completion_pct: Option<Decimal>,
    /// Dues whose window closed by the period end with no work done.
    pub pm_missed: u64,
    /// PM compliance per risk class of the model (I, IIa, IIb, III, `unknown`).
    pub pm_by_risk_class: BTreeMap<String, super::pm::PmCompliance>,
    pub service_cost: Decimal,
    pub acquisition_cost: Decimal,
    pub cosr_pct: Option<Decimal>,
    pub cost_unknown: u64,
    /// COSR coverage: assets in inventory during the period (N) and those counted (n).
    pub cosr_population: u64,
    pub cosr_assets: u64,
    /// Mean response (request → acknowledged, → started) and hands-on repair time of
    /// corrective orders; `mttr_hours` is the time to restoration (report → return to service).
    pub response: ResponseTimes,
    /// Work orders open at the period end, and the corrective ones among them.
    pub backlog: u64,
    pub backlog_corrective: u64,
    pub age: AgeProfile,
}

/// What to group assets by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum GroupBy {
    Asset,
    Facility,
    Region,
    Donor,
    Model,
    All,
}

/// One asset's history, time-sorted, borrowed from the ledger.
#[derive(Debug, Default)]
pub struct History<'a> {
    pub events: Vec<&'a AssetEvent>,
    pub downtimes: Vec<&'a Downtime>,
    /// The effective downtime every indicator reads: recorded episodes and lifecycle events
    /// merged into one truth ([`super::history::episodes`]).
    pub episodes: Vec<Episode>,
    pub work_orders: Vec<&'a WorkOrder>,
    pub readings: Vec<&'a MeterReading>,
    /// Contracts covering the asset (records and its own legacy entries), with how many assets
    /// share each fee (`contract::of_asset`).
    pub contracts: Vec<super::contract::Share>,
}

/// An index over the ledger's assets for indicator queries: histories per asset, assets per
/// facility, plans per model. Building it is the "full recompute" cost; a facility query then only
/// touches that facility's assets.
pub struct Fleet<'a> {
    pub ledger: &'a Ledger,
    pub assets: Vec<&'a Asset>,
    pub histories: Vec<History<'a>>,
    index: HashMap<&'a RecordId, usize>,
    by_facility: HashMap<&'a RecordId, Vec<usize>>,
    plans_by_model: HashMap<&'a RecordId, Vec<&'a MaintenancePlan>>,
    plans_by_asset: HashMap<&'a RecordId, Vec<&'a MaintenancePlan>>,
}

impl<'a> Fleet<'a> {
    pub fn build(ledger: &'a Ledger) -> Self {
        let assets: Vec<&Asset> = ledger.assets.values().collect();
        let index: HashMap<&RecordId, usize> =
            assets.iter().enumerate().map(|(i, a)| (&a.id, i)).collect();
        let mut histories: Vec<History<'a>> =
            (0..assets.len()).map(|_| History::default()).collect();
        let mut by_facility: HashMap<&RecordId, Vec<usize>> = HashMap::new();
        for (i, a) in assets.iter().enumerate() {
            by_facility.entry(&a.facility).or_default().push(i);
        }
        // Voided entries stay stored for the record; no indicator reads them.
        for e in ledger.asset_events.values().filter(|e| !e.is_void()) {
            if let Some(&i) = index.get(&e.asset) {
                histories[i].events.push(e);
            }
        }
        for d in ledger.downtimes.values().filter(|d| !d.is_void()) {
            if let Some(&i) = index.get(&d.asset) {
                histories[i].downtimes.push(d);
            }
        }
        for w in ledger.work_orders.values().filter(|w| !w.is_void()) {
            if let Some(&i) = index.get(&w.asset) {
                histories[i].work_orders.push(w);
            }
        }
        for r in ledger.meter_readings.values().filter(|r| !r.is_void()) {
            if let Some(&i) = index.get(&r.asset) {
                histories[i].readings.push(r);
            }
        }
        super::contract::attach(ledger, &assets, &mut histories);
        for h in &mut histories {
            super::lifecycle::sort_events(&mut h.events);
            h.downtimes.sort_by_key(|d| d.start);
            h.work_orders.sort_by_key(|w| w.closed.unwrap_or(w.opened));
            h.readings.sort_by_key(|r| (r.meter, r.at));
            h.episodes = super::history::episodes(&h.events, &h.downtimes);
        }
        let mut plans_by_model: HashMap<&RecordId, Vec<&MaintenancePlan>> = HashMap::new();
        let mut plans_by_asset: HashMap<&RecordId, Vec<&MaintenancePlan>> = HashMap::new();
        for p in ledger.maintenance_plans.values() {
            if let Some(m) = &p.model {
                plans_by_model.entry(m).or_default().push(p);
            }
            if let Some(a) = &p.asset {
                plans_by_asset.entry(a).or_default().push(p);
            }
        }
        Self {
            ledger,
            assets,
            histories,
            index,
            by_facility,
            plans_by_model,
            plans_by_asset,
        }
    }

    pub fn position(&self, asset: &RecordId) -> Option<usize> {
        self.index.get(asset).copied()
    }

    pub fn facility_assets(&self, facility: &RecordId) -> &[usize] {
        self.by_facility.get(facility).map_or(&[], Vec::as_slice)
    }

    pub(super) fn plans(&self, i: usize) -> impl Iterator<Item = &'a MaintenancePlan> + '_ {
        let a = self.assets[i];
        self.plans_by_model
            .get(&a.model)
            .into_iter()
            .flatten()
            .chain(self.plans_by_asset.get(&a.id).into_iter().flatten())
            .copied()
    }

    /// The donor an asset is attributed to: its funding donor, else the funding participant of
    /// its activity, rolled up to the top organisation (JICA → Government of Japan).
    pub fn donor(&self, i: usize) -> Option<&'a RecordId> {
        let a = self.assets[i];
        let direct = a.funding.donor.as_ref().or_else(|| {
            let activity = self.ledger.activities.get(a.funding.activity.as_ref()?)?;
            activity
                .participants
                .iter()
                .find(|p| p.role == crate::model::ParticipantRole::Funding)
                .map(|p| &p.org)
        })?;
        Some(self.ledger.top_organisation(direct))
    }

    /// The key of an asset in a grouping.
    pub fn key(&self, i: usize, by: GroupBy) -> String {
        let a = self.assets[i];
        match by {
            GroupBy::Asset => a.id.to_string(),
            GroupBy::Facility => a.facility.to_string(),
            GroupBy::Region => self.ledger.facilities.get(&a.facility).map_or_else(
                || "unknown".to_string(),
                |f| {
                    format!(
                        "{}/{}",
                        f.country,
                        f.region.as_deref().unwrap_or("unknown region")
                    )
                },
            ),
            GroupBy::Donor => self
                .donor(i)
                .map_or_else(|| "unknown".to_string(), ToString::to_string),
            GroupBy::Model => a.model.to_string(),
            GroupBy::All => "all".to_string(),
        }
    }

    /// Sums for one asset.
    pub fn sums(&self, i: usize, period: Period, convert: Converter<'_>) -> Sums {
        let model = self.ledger.device_models.get(&self.assets[i].model);
        let mut s = asset_sums(
            self.assets[i],
            &self.histories[i],
            self.plans(i),
            model.and_then(|m| m.expected_life_years),
            period,
            convert,
        );
        s.pm_by_risk = super::pm::by_risk(model.and_then(|m| m.risk_class), &s);
        s
    }

    /// Indicators for a set of assets.
    pub fn indicators(
        &self,
        assets: impl IntoIterator<Item = usize>,
        period: Period,
        convert: Converter<'_>,
    ) -> Indicators {
        let mut total = Sums::default();
        for i in assets {
            total.add(&self.sums(i, period, convert));
        }
        total.indicators()
    }

    /// Indicators for every group, keyed and sorted by the group key.
    pub fn grouped(
        &self,
        by: GroupBy,
        period: Period,
        convert: Converter<'_>,
    ) -> BTreeMap<String, Indicators> {
        let mut groups: BTreeMap<String, Sums> = BTreeMap::new();
        for i in 0..self.assets.len() {
            // By place, each stay counts where it happened (dated location history).
            if matches!(by, GroupBy::Facility | GroupBy::Region) {
                for (facility, sums) in self.sums_by_facility(i, period, convert) {
                    groups
                        .entry(self.facility_key(&facility, by))
                        .or_default()
                        .add(&sums);
                }
                continue;
            }
            groups
                .entry(self.key(i, by))
                .or_default()
                .add(&self.sums(i, period, convert));
        }
        groups
            .into_iter()
            .map(|(k, s)| (k, s.indicators()))
            .collect()
    }
}

/// Intervals `[start, end)` in which the asset is in an operational state, clipped to the period.
pub(super) fn operating_intervals(
    events: &[&AssetEvent],
    period: Period,
) -> Vec<(NaiveDateTime, NaiveDateTime)> {
    state_intervals(events, period, LifecycleState::is_operational)
}

/// Intervals `[start, end)` in which the asset's state satisfies `keep`, clipped to the period.
pub(crate) fn state_intervals(
    events: &[&AssetEvent],
    period: Period,
    keep: impl Fn(LifecycleState) -> bool,
) -> Vec<(NaiveDateTime, NaiveDateTime)> {
    let mut out = Vec::new();
    for (k, e) in events.iter().enumerate() {
        if !keep(e.state) {
            continue;
        }
        let end = events.get(k + 1).map_or(NaiveDateTime::MAX, |n| n.at);
        let (s, t) = (e.at.max(period.from), end.min(period.to));
        if s < t {
            match out.last_mut() {
                Some((_, last_end)) if *last_end == s => *last_end = t,
                _ => out.push((s, t)),
            }
        }
    }
    out
}

fn overlap_secs(
    intervals: &[(NaiveDateTime, NaiveDateTime)],
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> i64 {
    intervals
        .iter()
        .map(|&(s, t)| {
            let (a, b) = (s.max(start), t.min(end));
            if a < b { (b - a).num_seconds() } else { 0 }
        })
        .sum()
}

fn maintenance_kind(kind: WorkOrderKind) -> bool {
    matches!(
        kind,
        WorkOrderKind::Corrective
            | WorkOrderKind::Preventive
            | WorkOrderKind::Inspection
            | WorkOrderKind::Calibration
            | WorkOrderKind::RecallAction
            | WorkOrderKind::ElectricalSafety
    )
}

const INVENTORY: &[LifecycleState] = &[
    LifecycleState::Installed,
    LifecycleState::Commissioned,
    LifecycleState::InService,
    LifecycleState::Down,
    LifecycleState::UnderRepair,
    LifecycleState::InStorage,
];

/// When the asset's life began: the earlier of its manufacture and its first installation (or
/// commissioning, or first service when registered already working) at or before `at`. Taking
/// commissioning alone made a 2005 device registered in 2025 look new.
fn born_at(asset: &Asset, events: &[&AssetEvent], at: NaiveDateTime) -> Option<NaiveDateTime> {
    let installed = events
        .iter()
        .filter(|e| e.at <= at)
        .find(|e| {
            matches!(
                e.state,
                LifecycleState::Installed
                    | LifecycleState::Commissioned
                    | LifecycleState::InService
            )
        })
        .map(|e| e.at);
    let made = asset.manufacture_date.and_then(|d| d.and_hms_opt(0, 0, 0));
    match (made, installed) {
        (Some(m), Some(i)) => Some(m.min(i)),
        (m, i) => m.or(i),
    }
}

/// Whether `at` is no later than `years` calendar years after `born`.
fn within_years(born: NaiveDateTime, at: NaiveDateTime, years: u32) -> bool {
    years
        .checked_mul(12)
        .and_then(|months| born.checked_add_months(chrono::Months::new(months)))
        .is_none_or(|limit| at <= limit)
}

fn asset_sums<'a>(
    asset: &Asset,
    h: &History<'_>,
    plans: impl Iterator<Item = &'a MaintenancePlan>,
    expected_life_years: Option<u32>,
    period: Period,
    convert: Converter<'_>,
) -> Sums {
    let mut s = Sums {
        assets: 1,
        ..Sums::default()
    };
    let end = period.to;
    let last = end
        .checked_sub_signed(Duration::nanoseconds(1))
        .unwrap_or(end);
    let state_end = state_at(&h.events, last);
    let intervals = operating_intervals(&h.events, period);
    s.operating_secs = intervals.iter().map(|(a, b)| (*b - *a).num_seconds()).sum();
    let mut down_at_end = false;
    for d in &h.episodes {
        let d_end = d.end.unwrap_or(NaiveDateTime::MAX);
        let secs = overlap_secs(&intervals, d.start, d_end);
        if d.planned {
            s.planned_down_secs += secs;
            continue;
        }
        s.unplanned_down_secs += secs;
        // A failure is counted where it starts, and only while the asset was meant to be working.
        if !d.continuation && intervals.iter().any(|(a, b)| d.start >= *a && d.start < *b) {
            s.failures += 1;
            *s.failures_by_cause.entry(d.cause).or_default() += 1;
            if d.cause.is_device_failure() {
                s.device_failures += 1;
            }
        }
        if let Some(e) = d.end
            && e >= period.from
            && e < end
        {
            s.repairs += 1;
            s.repair_secs += (e - d.start).num_seconds();
        }
        if d.start <= last && d.end.is_none_or(|e| e > last) {
            down_at_end = true;
        }
    }
    // Backlog: orders open at the period end. An order of a retired asset was closed (cancelled)
    // when it was decommissioned, so it leaves the backlog then.
    for w in &h.work_orders {
        s.response.count(w, period.from, end);
        if w.opened <= last && w.closed.is_none_or(|c| c > last) {
            s.backlog += 1;
            if w.kind == WorkOrderKind::Corrective {
                s.backlog_corrective += 1;
            }
        }
    }
    if let Some(state) = state_end
        && INVENTORY.contains(&state)
    {
        s.in_inventory = 1;
        if matches!(
            state,
            LifecycleState::Commissioned | LifecycleState::InService
        ) && !down_at_end
        {
            s.functional = 1;
        }
        match born_at(asset, &h.events, last) {
            Some(born) => {
                if within_years(born, last, 5) {
                    s.age_0_5 = 1;
                } else if within_years(born, last, 10) {
                    s.age_6_10 = 1;
                } else {
                    s.age_over_10 = 1;
                }
                match expected_life_years {
                    Some(life) if !within_years(born, last, life) => s.past_expected_life = 1,
                    Some(_) => {}
                    None => s.expected_life_unknown = 1,
                }
            }
            None => {
                s.age_unknown = 1;
                s.expected_life_unknown = 1;
            }
        }
    }

    // Scheduled maintenance: every due date since commissioning is matched (so earlier dues use
    // up their orders), then those in the period are counted.
    let stop = retired_at(&h.events).unwrap_or(NaiveDateTime::MAX).min(end);
    for item in pm_matches(plans, h, stop) {
        if item.due >= period.from {
            s.pm_due += 1;
            match item.status(end) {
                PmStatus::OnTime => s.pm_on_time += 1,
                PmStatus::Late => s.pm_late += 1,
                PmStatus::Missed => s.pm_missed += 1,
                PmStatus::ToDo => {}
            }
        }
    }

    // Cost of service (Cohen, AAMI), annualised, over the acquisition cost weighted by the share
    // of the period the asset was in inventory: an asset retired or added mid-period counts for
    // the time it was supported instead of dropping out or weighing a full year.
    let supported: i64 = state_intervals(&h.events, period, |st| INVENTORY.contains(&st))
        .iter()
        .map(|(a, b)| (*b - *a).num_seconds())
        .sum();
    if supported > 0 {
        s.cosr_population = 1;
        match cosr_terms(asset, h, period, supported, convert) {
            Some((service, acquisition)) => {
                s.service_cost = service;
                s.acquisition_cost = acquisition;
                s.cosr_assets = 1;
            }
            None => s.cost_unknown = 1,
        }
    }
    s
}

/// One asset's annualised service cost and time-weighted acquisition cost in the report
/// currency; `None` when any of its costs is unknown or has no rate (the asset is left out
/// rather than understated) or the arithmetic overflows.
fn cosr_terms(
    asset: &Asset,
    h: &History<'_>,
    period: Period,
    supported_secs: i64,
    convert: Converter<'_>,
) -> Option<(Decimal, Decimal)> {
    let cost = asset.cost.as_ref().and_then(convert)?;
    let mut spent = Decimal::ZERO;
    for w in &h.work_orders {
        let closed_in = w.closed.is_some_and(|c| c >= period.from && c < period.to);
        if w.status == WorkOrderStatus::Done && closed_in && maintenance_kind(w.kind) {
            // What a warranty or contract makes the vendor bear is paid by its fee, below.
            for m in super::contract::borne_costs(&h.contracts, w) {
                spent = spent.checked_add(convert(&m)?)?;
            }
        }
    }
    let _ = asset;
    for s in &h.contracts {
        if let Some((fee, share)) = super::contract::fee_share(s, period.from, period.to) {
            spent = spent.checked_add(convert(&fee)?.checked_mul(share)?)?;
        }
    }
    let period_secs = Decimal::from(period.seconds());
    let annual = spent
        .checked_mul(Decimal::from(SECONDS_PER_YEAR))?
        .checked_div(period_secs)?;
    let weighted = cost
        .checked_mul(Decimal::from(supported_secs))?
        .checked_div(period_secs)?;
    Some((annual, weighted))
}

/// 365.25 days.
const SECONDS_PER_YEAR: i64 = 31_557_600;

/// Money-to-machine: what donated equipment became, at a point in time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MoneyToMachine {
    pub donated: Bucket,
    /// Ever commissioned (or registered already working).
    pub commissioned: Bucket,
    /// Of `commissioned`, the baseline registrations: first recorded already in service (an
    /// inventory of equipment found working), never commissioned in aidtrace. Their first date
    /// is when they were registered, not commissioned, so they have no months to commissioning.
    pub baseline: Bucket,
    /// Commissioned and working now.
    pub in_service: Bucket,
    /// Commissioned but not working now: down, under repair, in storage.
    pub idle: Bucket,
    /// Never reached installation.
    pub never_installed: Bucket,
    pub retired: Bucket,
    /// Months from the agreement to commissioning, per commissioned asset whose agreement date
    /// is known.
    pub months_to_commissioning: Vec<(RecordId, Decimal)>,
    pub median_months_to_commissioning: Option<Decimal>,
    /// Commissioned assets whose agreement date is unknown: no funding activity, or one with no
    /// dated legal step nor start date.
    pub agreement_date_unknown: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Bucket {
    pub count: u64,
    /// Value in the report currency of the assets whose cost is known and convertible.
    pub value: Decimal,
    pub value_unknown: u64,
}

impl Bucket {
    fn add(&mut self, value: Option<Decimal>) {
        self.count += 1;
        match value {
            Some(v) => self.value += v,
            None => self.value_unknown += 1,
        }
    }
}

/// The date an activity's agreement was made: its earliest dated legal step, else its start.
pub fn agreement_date(ledger: &Ledger, activity: &RecordId) -> Option<NaiveDate> {
    ledger.lineage(activity).into_iter().find_map(|a| {
        a.legal_steps
            .iter()
            .filter_map(|s| s.date)
            .min()
            .or(a.start_date)
    })
}

impl Fleet<'_> {
    /// Money-to-machine over the given assets (donations only), at `at`.
    pub fn money_to_machine(
        &self,
        assets: impl IntoIterator<Item = usize>,
        at: NaiveDateTime,
        convert: Converter<'_>,
    ) -> MoneyToMachine {
        let mut out = MoneyToMachine::default();
        for i in assets {
            let a = self.assets[i];
            if a.funding.acquisition != Acquisition::Donation {
                continue;
            }
            let h = &self.histories[i];
            let value = a.cost.as_ref().and_then(convert);
            out.donated.add(value);
            let state = state_at(&h.events, at);
            let commissioned = commissioned_at(&h.events).filter(|c| *c <= at);
            let installed = h.events.iter().any(|e| {
                e.at <= at
                    && matches!(
                        e.state,
                        LifecycleState::Installed
                            | LifecycleState::Commissioned
                            | LifecycleState::InService
                    )
            });
            if !installed {
                out.never_installed.add(value);
            }
            let Some(c) = commissioned else {
                if state.is_some_and(LifecycleState::is_retired) && installed {
                    out.retired.add(value);
                }
                continue;
            };
            out.commissioned.add(value);
            let baseline = super::lifecycle::is_baseline(&h.events);
            if baseline {
                out.baseline.add(value);
            }
            let open_down = super::history::down_at(&h.episodes, at);
            match state {
                Some(s) if s.is_retired() => out.retired.add(value),
                Some(LifecycleState::InService | LifecycleState::Commissioned) if !open_down => {
                    out.in_service.add(value);
                }
                _ => out.idle.add(value),
            }
            let agreed = a
                .funding
                .activity
                .as_ref()
                .and_then(|act| agreement_date(self.ledger, act));
            match agreed {
                _ if baseline => {}
                Some(d) => {
                    let days = (c.date() - d).num_days();
                    let months = (Decimal::from(days) / Decimal::new(304_375, 4)).round_dp(1);
                    out.months_to_commissioning.push((a.id.clone(), months));
                }
                None => out.agreement_date_unknown += 1,
            }
        }
        let mut months: Vec<Decimal> = out
            .months_to_commissioning
            .iter()
            .map(|(_, m)| *m)
            .collect();
        months.sort();
        out.median_months_to_commissioning = match months.len() {
            0 => None,
            n if n % 2 == 1 => Some(months[n / 2]),
            n => Some(((months[n / 2 - 1] + months[n / 2]) / Decimal::TWO).round_dp(1)),
        };
        out
    }
}
