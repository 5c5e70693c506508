//! Service contracts and warranties as records of their own (issue #17 item 6): who the vendor is
//! (an organisation, not necessarily the manufacturer), what the contract covers (listed assets, or
//! every asset of a model at a facility), when, at what yearly price, and its service-level terms.
//!
//! One truth: the `contracts` list an asset record carried before is read through
//! [`of_asset`] as contracts too (until `asset contract migrate` moves them into records), so
//! the cost of service, the expiry alerts and the work orders' coverage all read one list.

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::history::Episode;
use super::{Asset, AssetEvent, ContractKind, Reference, WorkOrder, WorkOrderKind, cite_refs, opt};
use crate::codes::RecordId;
use crate::error::{ProblemId, ValidationError};
use crate::model::{Citation, non_empty, plausible_date};
use crate::money::{Money, exact_decimal};

/// Days of the week a contract's covered hours apply to (ISO 8601 order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Day {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Day {
    fn of(t: NaiveDateTime) -> Self {
        use strum::VariantArray;
        Self::VARIANTS[t.weekday().num_days_from_monday() as usize]
    }
}

/// The hours the vendor answers and guarantees uptime in, e.g. 08–18 Monday to Friday (UTC,
/// as every stored time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoveredHours {
    /// First hour covered (0–23).
    pub from_hour: u8,
    /// Hour the cover ends (1–24, after `from_hour`).
    pub to_hour: u8,
    pub days: Vec<Day>,
}

impl CoveredHours {
    /// Seconds of `[a, b)` inside the covered hours. Walks day by day, so a span of years costs a
    /// few hundred steps.
    pub fn seconds_within(&self, a: NaiveDateTime, b: NaiveDateTime) -> i64 {
        self.windows(a, b)
            .iter()
            .map(|(s, e)| (*e - *s).num_seconds())
            .sum()
    }

    /// The covered stretches of `[a, b)`, in time order (one per covered day).
    pub fn windows(
        &self,
        a: NaiveDateTime,
        b: NaiveDateTime,
    ) -> Vec<(NaiveDateTime, NaiveDateTime)> {
        let mut out = Vec::new();
        let mut day = a.date();
        while day <= b.date() {
            let Some(midnight) = day.and_hms_opt(0, 0, 0) else {
                break;
            };
            if self.days.contains(&Day::of(midnight)) {
                let open = midnight + TimeDelta::hours(i64::from(self.from_hour));
                let close = midnight + TimeDelta::hours(i64::from(self.to_hour));
                let (s, e) = (open.max(a), close.min(b));
                if s < e {
                    out.push((s, e));
                }
            }
            let Some(next) = day.succ_opt() else { break };
            day = next;
        }
        out
    }
}

/// A service contract or warranty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    pub id: RecordId,
    /// The organisation that gives the service; empty only on a contract moved from an asset
    /// record that named no provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<RecordId>,
    pub kind: ContractKind,
    /// The assets covered; or, when empty, every asset of `model` at `facility`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assets: Vec<RecordId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<RecordId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facility: Option<RecordId>,
    /// First and last day covered (both included).
    pub start: NaiveDate,
    pub end: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual_cost: Option<Money>,
    /// Guaranteed time from a request to the vendor's response, in hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_hours: Option<u32>,
    /// Guaranteed uptime in percent, over `covered_hours` when given, else over all hours.
    #[serde(
        default,
        with = "exact_decimal::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub uptime_pct: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub covered_hours: Option<CoveredHours>,
    /// The contract's number or reference at the vendor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default)]
    pub sources: Vec<Citation>,
}

impl Contract {
    pub fn references(&self) -> Vec<Reference<'_>> {
        use crate::model::RecordKind as K;
        let mut out = Vec::new();
        opt(&mut out, "vendor", K::Organisation, &self.vendor);
        out.extend(self.assets.iter().map(|a| ("assets", K::Asset, a)));
        opt(&mut out, "model", K::DeviceModel, &self.model);
        opt(&mut out, "facility", K::Facility, &self.facility);
        cite_refs(&mut out, &self.sources);
        out
    }

    /// Whether the contract names this asset, or its model at the facility it is at.
    pub fn covers_asset(&self, asset: &Asset) -> bool {
        if self.assets.is_empty() {
            self.model.as_ref() == Some(&asset.model)
                && self.facility.as_ref() == Some(&asset.facility)
        } else {
            self.assets.contains(&asset.id)
        }
    }

    /// `[start 00:00, day after end 00:00)`.
    pub fn span(&self) -> Option<(NaiveDateTime, NaiveDateTime)> {
        Some((
            self.start.and_hms_opt(0, 0, 0)?,
            self.end.succ_opt()?.and_hms_opt(0, 0, 0)?,
        ))
    }

    /// Whether the contract defines contracted hours: an uptime guarantee (over all hours unless
    /// it names covered hours) or covered hours of its own.
    pub fn defines_contracted_hours(&self) -> bool {
        self.uptime_pct.is_some() || self.covered_hours.is_some()
    }

    /// The contracted stretches of `[from, to)`: inside the contract's span, and inside its
    /// covered hours when it has them (all hours otherwise).
    pub fn contracted_windows(
        &self,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> Vec<(NaiveDateTime, NaiveDateTime)> {
        let Some((cs, ce)) = self.span() else {
            return Vec::new();
        };
        let (a, b) = (cs.max(from), ce.min(to));
        if a >= b {
            return Vec::new();
        }
        match &self.covered_hours {
            Some(h) => h.windows(a, b),
            None => vec![(a, b)],
        }
    }

    pub fn active_at(&self, t: NaiveDateTime) -> bool {
        self.span().is_some_and(|(a, b)| a <= t && t < b)
    }

    /// What the vendor bears for a work order of this kind under this contract.
    pub fn cover(&self, work: WorkOrderKind) -> Cover {
        use WorkOrderKind as W;
        let maintenance = matches!(
            work,
            W::Corrective
                | W::Preventive
                | W::Inspection
                | W::Calibration
                | W::ElectricalSafety
                | W::RecallAction
        );
        let scheduled = matches!(
            work,
            W::Preventive | W::Inspection | W::Calibration | W::ElectricalSafety
        );
        match self.kind {
            ContractKind::Warranty | ContractKind::FullService => Cover {
                service: maintenance,
                parts: maintenance,
            },
            ContractKind::PreventiveOnly => Cover {
                service: scheduled,
                parts: false,
            },
            ContractKind::PartsOnly => Cover {
                service: false,
                parts: maintenance,
            },
            // Billed per job: the vendor bears nothing in advance.
            ContractKind::TimeAndMaterials => Cover::default(),
        }
    }
}

/// What a contract makes the vendor bear for one work order: the service (the vendor's labour
/// and invoices, `external_cost`) and/or the parts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Cover {
    pub service: bool,
    pub parts: bool,
}

impl Cover {
    pub fn any(self) -> bool {
        self.service || self.parts
    }
}

/// The contracts that cover an asset: contract records naming it (or its model at its facility)
/// and the entries of its own `contracts` list not yet moved into records, read as contracts with
/// the id `<asset>.contract-<n>` (n from 1).
pub fn of_asset<'a>(
    asset: &Asset,
    records: impl IntoIterator<Item = &'a Contract>,
) -> Vec<Contract> {
    let mut out: Vec<Contract> = records
        .into_iter()
        .filter(|c| c.covers_asset(asset))
        .cloned()
        .collect();
    out.extend(embedded(asset));
    out
}

/// The asset record's own contract entries as contracts (see [`of_asset`]).
pub fn embedded(asset: &Asset) -> Vec<Contract> {
    asset
        .contracts
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            Some(Contract {
                id: RecordId::parse(&format!("{}.contract-{}", asset.id, i + 1)).ok()?,
                vendor: c.provider.clone(),
                kind: c.kind,
                assets: vec![asset.id.clone()],
                model: None,
                facility: None,
                start: c.start,
                end: c.end,
                annual_cost: c.annual_cost.clone(),
                response_hours: None,
                uptime_pct: None,
                covered_hours: None,
                reference: None,
                note: Some(format!("moved from asset {}", asset.id)),
                sources: vec![],
            })
        })
        .collect()
}

/// The first contract covering a work order at its request time, with what it covers.
pub fn covering<'c>(contracts: &'c [Contract], w: &WorkOrder) -> Option<(&'c Contract, Cover)> {
    contracts
        .iter()
        .filter(|c| c.active_at(w.opened))
        .map(|c| (c, c.cover(w.kind)))
        .find(|(_, cover)| cover.any())
}

pub fn validate(c: &Contract) -> Result<(), ValidationError> {
    problems(c).into_iter().next().map_or(Ok(()), Err)
}

/// Every rule the contract breaks, not only the first: a form shows them all at once, each
/// with its message id where a person entering one can break it.
pub fn problems(c: &Contract) -> Vec<ValidationError> {
    let mut found = Vec::new();
    let mut check = |rule: Result<(), ValidationError>| {
        if let Err(e) = rule {
            found.push(e);
        }
    };
    check(plausible_date("start", c.start));
    check(plausible_date("end", c.end));
    if c.end < c.start {
        check(Err(ValidationError::new("end", c.end, "is before start")
            .because(ProblemId::EndBeforeStart)
            .with_text("start", c.start)));
    }
    match (c.assets.is_empty(), &c.model, &c.facility) {
        (false, None, None) | (true, Some(_), Some(_)) => {}
        (false, _, _) => check(Err(ValidationError::new(
            "assets",
            c.assets.len(),
            "a contract covers either listed assets or a model at a facility, not both",
        )
        .because(ProblemId::AssetsOrModelNotBoth))),
        (true, None, _) => check(Err(ValidationError::new(
            "model",
            "",
            "name the assets covered, or the model and the facility",
        )
        .because(ProblemId::AssetsOrModelNeeded))),
        (true, Some(_), None) => check(Err(ValidationError::new(
            "facility",
            "",
            "a model's contract names the facility it covers",
        )
        .because(ProblemId::ModelNeedsFacility))),
    }
    let mut seen = std::collections::BTreeSet::new();
    for a in &c.assets {
        if !seen.insert(a) {
            check(Err(ValidationError::new("assets", a, "is listed twice")
                .because(ProblemId::ListedTwice)));
        }
    }
    if let Some(m) = &c.annual_cost {
        check(super::validate::money("annual_cost", m));
    }
    if c.response_hours == Some(0) {
        check(Err(ValidationError::new(
            "response_hours",
            0,
            "must be at least 1 hour",
        )
        .because(ProblemId::ResponseAtLeastOneHour)));
    }
    if let Some(u) = c.uptime_pct
        && (u <= Decimal::ZERO || u > Decimal::ONE_HUNDRED)
    {
        check(Err(ValidationError::new(
            "uptime_pct",
            u,
            "must be above 0 and at most 100",
        )
        .because(ProblemId::PercentRange)));
    }
    if let Some(h) = &c.covered_hours {
        if h.from_hour > 23 || h.to_hour > 24 || h.to_hour <= h.from_hour {
            check(Err(ValidationError::new(
                "covered_hours",
                format!("{}-{}", h.from_hour, h.to_hour),
                "hours run from 0–23 to a later hour up to 24",
            )
            .because(ProblemId::CoveredHoursRange)));
        }
        if h.days.is_empty() {
            check(Err(ValidationError::new(
                "covered_hours.days",
                "",
                "name at least one day",
            )
            .because(ProblemId::NoCoveredDay)));
        }
    }
    if let Some(r) = &c.reference {
        check(non_empty("reference", r));
    }
    found
}

/// Where a contract stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Standing {
    NotStarted,
    Active,
    /// Ends within the alert horizon.
    EndingSoon,
    Expired,
}

/// A contract's standing on `today` with `within_days` of warning: ending soon when its last day
/// is `today` .. `today + within_days`.
pub fn standing(c: &Contract, today: NaiveDate, within_days: u32) -> Standing {
    if today < c.start {
        Standing::NotStarted
    } else if today > c.end {
        Standing::Expired
    } else if (c.end - today).num_days() <= i64::from(within_days) {
        Standing::EndingSoon
    } else {
        Standing::Active
    }
}

/// Met, missed, or not measurable (no guarantee, or nothing to measure it on).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum SlaStatus {
    Met,
    Missed,
    NotMeasurable,
}

/// The response-time term against the corrective orders requested under the contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResponseCheck {
    pub status: SlaStatus,
    pub guaranteed_hours: Option<u32>,
    /// Orders with a response time (acknowledged, else started).
    pub orders: u64,
    /// Of those, answered later than guaranteed.
    pub late: u64,
    /// The slowest response, hours (2 decimals).
    pub worst_hours: Option<Decimal>,
    /// Corrective orders not answered yet or without the time recorded.
    pub unmeasured: u64,
}

/// The uptime term against the covered assets' downtime over the contract's span so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UptimeCheck {
    pub status: SlaStatus,
    pub guaranteed_pct: Option<Decimal>,
    /// Hours the covered assets were operational inside the covered hours.
    pub hours: Decimal,
    pub unplanned_down_hours: Decimal,
    pub measured_pct: Option<Decimal>,
}

/// One covered asset's history as the SLA check reads it (live events time-sorted, effective
/// episodes, work orders).
pub struct AssetHistory<'a> {
    pub events: &'a [&'a AssetEvent],
    pub episodes: &'a [Episode],
    pub work_orders: &'a [&'a WorkOrder],
}

fn hours(secs: i64) -> Decimal {
    (Decimal::from(secs) / Decimal::from(3600)).round_dp(2)
}

/// Seconds of `[a, b)` the contract counts: inside its covered hours, or all of them.
fn counted(c: &Contract, a: NaiveDateTime, b: NaiveDateTime) -> i64 {
    if b <= a {
        return 0;
    }
    match &c.covered_hours {
        Some(h) => h.seconds_within(a, b),
        None => (b - a).num_seconds(),
    }
}

/// Checks the contract's service-level terms up to `now` against the covered assets' histories.
/// Response is measured from the request (`opened`) to `acknowledged`, else `started`, counting
/// only covered hours when the contract has them; uptime = (operational − unplanned downtime) /
/// operational time, both inside the contract's span up to now and its covered hours, summed over
/// the assets (a ratio of sums).
pub fn check_sla(
    c: &Contract,
    histories: &[AssetHistory<'_>],
    now: NaiveDateTime,
) -> (ResponseCheck, UptimeCheck) {
    let Some((from, to)) = c.span() else {
        return (
            ResponseCheck {
                status: SlaStatus::NotMeasurable,
                guaranteed_hours: c.response_hours,
                orders: 0,
                late: 0,
                worst_hours: None,
                unmeasured: 0,
            },
            UptimeCheck {
                status: SlaStatus::NotMeasurable,
                guaranteed_pct: c.uptime_pct,
                hours: Decimal::ZERO,
                unplanned_down_hours: Decimal::ZERO,
                measured_pct: None,
            },
        );
    };
    let to = to.min(now);
    let windows = c.contracted_windows(from, to);
    let (mut orders, mut late, mut unmeasured, mut worst) = (0u64, 0u64, 0u64, None::<i64>);
    let (mut up_secs, mut down_secs) = (0i64, 0i64);
    for h in histories {
        for w in h
            .work_orders
            .iter()
            .filter(|w| w.kind == WorkOrderKind::Corrective && w.opened >= from && w.opened < to)
        {
            match w.acknowledged.or(w.started) {
                Some(r) => {
                    let secs = counted(c, w.opened, r);
                    orders += 1;
                    worst = Some(worst.map_or(secs, |x| x.max(secs)));
                    if let Some(g) = c.response_hours
                        && secs > i64::from(g) * 3600
                    {
                        late += 1;
                    }
                }
                None => unmeasured += 1,
            }
        }
        if from < to {
            // The same figure `kpi contracted` shows for the asset (`coverage::uptime_within`).
            let (up, down) = super::coverage::uptime_within(
                h.events,
                h.episodes,
                super::kpi::Period { from, to },
                &windows,
            );
            up_secs += up;
            down_secs += down;
        }
    }
    let response = ResponseCheck {
        status: match (c.response_hours, orders) {
            (None, _) | (_, 0) => SlaStatus::NotMeasurable,
            (Some(_), _) if late > 0 => SlaStatus::Missed,
            _ => SlaStatus::Met,
        },
        guaranteed_hours: c.response_hours,
        orders,
        late,
        worst_hours: worst.map(hours),
        unmeasured,
    };
    let measured = (up_secs > 0).then(|| {
        (Decimal::from(up_secs - down_secs) * Decimal::ONE_HUNDRED / Decimal::from(up_secs))
            .round_dp(2)
    });
    let uptime = UptimeCheck {
        status: match (c.uptime_pct, measured) {
            (Some(g), Some(m)) if m >= g => SlaStatus::Met,
            (Some(_), Some(_)) => SlaStatus::Missed,
            _ => SlaStatus::NotMeasurable,
        },
        guaranteed_pct: c.uptime_pct,
        hours: hours(up_secs),
        unplanned_down_hours: hours(down_secs),
        measured_pct: measured,
    };
    (response, uptime)
}

/// A contract as one asset's indicators read it: the contract and how many assets share its fee
/// (a contract listing assets splits its yearly price evenly over those it lists; a
/// model-at-facility contract over the assets of that model at the facility).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    pub contract: Contract,
    pub assets: u64,
}

/// The costs of a work order the hospital bears: all of them, less what the contract covering
/// the order at its request time makes the vendor bear (its service: `external_cost`; its parts).
/// In-house labour always counts.
pub fn borne_costs(shares: &[Share], w: &WorkOrder) -> Vec<Money> {
    let cover = shares
        .iter()
        .filter(|s| s.contract.active_at(w.opened))
        .fold(Cover::default(), |acc, s| {
            let c = s.contract.cover(w.kind);
            Cover {
                service: acc.service || c.service,
                parts: acc.parts || c.parts,
            }
        });
    let mut out: Vec<Money> = Vec::new();
    out.extend(super::workorder::labour_cost(w));
    if !cover.parts {
        for p in &w.parts {
            let mut m = p.unit_cost.clone();
            m.amount = m.amount.saturating_mul(Decimal::from(p.quantity));
            out.push(m);
        }
    }
    if !cover.service {
        out.extend(w.external_cost.iter().cloned());
    }
    out
}

/// This asset's share of a contract's fee over `[from, to)`: yearly price × days of the
/// contract inside the period / 365.25 / assets sharing it; `None` without a price, or when the
/// contract lies outside the period. The caller converts the currency.
pub fn fee_share(s: &Share, from: NaiveDateTime, to: NaiveDateTime) -> Option<(Money, Decimal)> {
    let fee = s.contract.annual_cost.as_ref()?;
    let (cs, ce) = s.contract.span()?;
    let (a, b) = (cs.max(from), ce.min(to));
    if a >= b || s.assets == 0 {
        return None;
    }
    let share = Decimal::from((b - a).num_seconds())
        .checked_div(Decimal::from(31_557_600i64 * i64::try_from(s.assets).ok()?))?;
    Some((fee.clone(), share))
}

/// Fills each history's contracts: the contract records covering its asset and the asset's own
/// legacy entries, each with the number of assets sharing its fee. Contracts are indexed by
/// asset and by (model, facility), so this stays linear in assets + contracts.
pub(crate) fn attach(
    ledger: &crate::ledger::Ledger,
    assets: &[&Asset],
    histories: &mut [super::kpi::History<'_>],
) {
    use std::collections::HashMap;
    let mut by_asset: HashMap<&RecordId, Vec<&Contract>> = HashMap::new();
    let mut by_model_at: HashMap<(&RecordId, &RecordId), Vec<&Contract>> = HashMap::new();
    for c in ledger.contracts.values() {
        if c.assets.is_empty() {
            if let (Some(m), Some(f)) = (&c.model, &c.facility) {
                by_model_at.entry((m, f)).or_default().push(c);
            }
        } else {
            for a in &c.assets {
                by_asset.entry(a).or_default().push(c);
            }
        }
    }
    let covering = |a: &Asset| -> Vec<&Contract> {
        let mut v: Vec<&Contract> = by_asset.get(&a.id).cloned().unwrap_or_default();
        v.extend(
            by_model_at
                .get(&(&a.model, &a.facility))
                .into_iter()
                .flatten()
                .copied(),
        );
        v
    };
    let mut sharing: HashMap<RecordId, u64> = HashMap::new();
    for a in assets {
        for c in covering(a) {
            *sharing.entry(c.id.clone()).or_default() += 1;
        }
    }
    for (a, h) in assets.iter().zip(histories.iter_mut()) {
        h.contracts = covering(a)
            .into_iter()
            .map(|c| Share {
                contract: c.clone(),
                // A list fixes its own share; a model's contract is shared by the assets of
                // that model at the facility (all in any ledger that holds the facility).
                assets: if c.assets.is_empty() {
                    sharing.get(&c.id).copied().unwrap_or(1)
                } else {
                    c.assets.len() as u64
                },
            })
            .chain(embedded(a).into_iter().map(|c| Share {
                contract: c,
                assets: 1,
            }))
            .collect();
    }
}
