//! Fuel logistics of a version 2 plan (issue 16 item 3): litres per day per facility and per
//! region, tank and days of autonomy on site, the resupply interval and deliveries to schedule,
//! and costs. Only the donated units' fuel is counted: the facility's own backup runs on its
//! own stock, outside the region's deliveries (MODEL-v2.md row 6).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{EnergyError, Result};
use crate::v2::instance::InstanceV2;
use crate::v2::model::{Prep, State};
use crate::v2::plan::{PlanV2, service};
use crate::v2::reason::LogisticsAssumption;
use crate::v2::replan::units_from_assignments;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticsOptions {
    /// € per litre delivered on site; None: costs are not computed.
    pub fuel_price_eur_per_l: Option<f64>,
    /// Days between deliveries where the facility's tank size is unknown.
    pub default_resupply_days: f64,
    /// Share of the tank kept as reserve when a delivery arrives (0.25: deliver at a quarter).
    pub reserve: f64,
}

impl Default for LogisticsOptions {
    fn default() -> Self {
        LogisticsOptions {
            fuel_price_eur_per_l: None,
            default_resupply_days: 7.0,
            reserve: 0.25,
        }
    }
}

impl LogisticsOptions {
    pub fn validate(&self) -> Result<()> {
        if let Some(p) = self.fuel_price_eur_per_l
            && !(p.is_finite() && (0.0..=1e6).contains(&p))
        {
            return Err(EnergyError::invalid(
                "fuel_price_eur_per_l",
                p,
                "must be a finite price ≥ 0",
            ));
        }
        if !(self.default_resupply_days.is_finite()
            && (1.0..=3660.0).contains(&self.default_resupply_days))
        {
            return Err(EnergyError::invalid(
                "resupply_days",
                self.default_resupply_days,
                "must be between 1 and 3660 days",
            ));
        }
        if !(self.reserve.is_finite() && (0.0..0.95).contains(&self.reserve)) {
            return Err(EnergyError::invalid(
                "reserve",
                self.reserve,
                "must be a fraction from 0 to 0.95",
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FacilityFuel {
    pub facility: String,
    pub region: String,
    pub units: u32,
    /// kW carried by donated units during outages.
    pub donated_kw: f64,
    pub litres_per_day: f64,
    pub tank_l: Option<f64>,
    /// Days a full tank lasts at the planned consumption (None: no tank given or no use).
    pub days_of_autonomy: Option<f64>,
    /// Days between deliveries: the tank above the reserve, or the default interval.
    pub resupply_days: f64,
    /// Where the tank is unknown: the tank the default interval needs, litres.
    pub tank_needed_l: Option<f64>,
    pub litres_per_delivery: f64,
    /// Deliveries to schedule over the horizon.
    pub deliveries: u32,
    pub eur_per_day: Option<f64>,
    /// Horizon cost per kW carried by donated units.
    pub eur_per_kw: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionFuel {
    pub region: String,
    pub outage_h_per_day: f64,
    pub litres_per_day: f64,
    pub deliverable_l_per_day: f64,
    /// litres_per_day / deliverable (0 when nothing is deliverable).
    pub utilisation: f64,
    pub facilities_supplied: u32,
    pub deliveries: u32,
    pub litres_over_horizon: f64,
    pub eur_per_day: Option<f64>,
    pub eur_over_horizon: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Logistics {
    pub horizon_days: f64,
    pub fuel: String,
    pub fuel_price_eur_per_l: Option<f64>,
    pub facilities: Vec<FacilityFuel>,
    pub regions: Vec<RegionFuel>,
    pub total_litres_per_day: f64,
    pub total_eur_per_day: Option<f64>,
    pub total_eur_over_horizon: Option<f64>,
    /// What the figures assume, in words (English; the CLI prints these).
    pub assumptions: Vec<String>,
    /// The same assumptions as message ids with their figures, for interfaces that translate.
    #[serde(default)]
    pub assumption_ids: Vec<LogisticsAssumption>,
}

/// Fuel logistics of `plan` (which must belong to `inst`): facilities with donated units only.
pub fn logistics(inst: &InstanceV2, plan: &PlanV2, opts: &LogisticsOptions) -> Result<Logistics> {
    opts.validate()?;
    let prep = Prep::new(inst);
    let st = State::rebuild(&prep, units_from_assignments(inst, &plan.assignments)?);
    let (_, donated) = service(&prep, &st);
    let price = opts.fuel_price_eur_per_l;
    let d = inst.horizon_days;
    let mut facilities = Vec::new();
    let mut per_region: BTreeMap<usize, (f64, u32, u32)> = BTreeMap::new();
    for (f, fac) in inst.facilities.iter().enumerate() {
        if st.units[f].is_empty() {
            continue;
        }
        let r = prep.region[f];
        let idle: f64 = st.units[f].iter().map(|&s| prep.idle[s]).sum();
        let lpd = prep.o[r] * (idle + prep.a * donated[f]);
        let usable = fac.tank_l.map(|t| t * (1.0 - opts.reserve));
        let days_of_autonomy = fac.tank_l.filter(|_| lpd > 0.0).map(|t| t / lpd);
        let resupply_days = match usable {
            Some(u) if lpd > 0.0 => (u / lpd).floor().clamp(1.0, d.max(1.0)),
            _ => opts.default_resupply_days.min(d.max(1.0)),
        };
        let tank_needed_l = fac
            .tank_l
            .is_none()
            .then(|| lpd * resupply_days / (1.0 - opts.reserve));
        let deliveries = if lpd > 0.0 {
            (d / resupply_days).ceil() as u32
        } else {
            0
        };
        let eur_per_day = price.map(|p| p * lpd);
        let eur_per_kw = price
            .filter(|_| donated[f] > 0.0)
            .map(|p| p * lpd * d / donated[f]);
        let e = per_region.entry(r).or_default();
        e.0 += lpd;
        e.1 += 1;
        e.2 += deliveries;
        facilities.push(FacilityFuel {
            facility: fac.id.clone(),
            region: fac.region.clone(),
            units: st.units[f].len() as u32,
            donated_kw: donated[f],
            litres_per_day: lpd,
            tank_l: fac.tank_l,
            days_of_autonomy,
            resupply_days,
            tank_needed_l,
            litres_per_delivery: lpd * resupply_days,
            deliveries,
            eur_per_day,
            eur_per_kw,
        });
    }
    let mut regions = Vec::new();
    for (r, reg) in inst.regions.iter().enumerate() {
        let (lpd, n, deliveries) = per_region.get(&r).copied().unwrap_or_default();
        regions.push(RegionFuel {
            region: reg.id.clone(),
            outage_h_per_day: reg.outage_h_per_day,
            litres_per_day: lpd,
            deliverable_l_per_day: reg.fuel_l_per_day,
            utilisation: if reg.fuel_l_per_day > 0.0 {
                lpd / reg.fuel_l_per_day
            } else {
                0.0
            },
            facilities_supplied: n,
            deliveries,
            litres_over_horizon: lpd * d,
            eur_per_day: price.map(|p| p * lpd),
            eur_over_horizon: price.map(|p| p * lpd * d),
        });
    }
    let total: f64 = regions.iter().map(|r| r.litres_per_day).sum();
    let mut assumption_ids = vec![
        LogisticsAssumption::LitresPerDay { l_per_kwh: prep.a },
        LogisticsAssumption::DonatedUnitsOnly,
        LogisticsAssumption::Deliveries {
            reserve_percent: opts.reserve * 100.0,
            default_resupply_days: opts.default_resupply_days,
        },
        LogisticsAssumption::DailyRate,
    ];
    if price.is_none() {
        assumption_ids.push(LogisticsAssumption::NoFuelPrice);
    }
    Ok(Logistics {
        horizon_days: d,
        fuel: inst.fuel().name().to_string(),
        fuel_price_eur_per_l: price,
        facilities,
        regions,
        total_litres_per_day: total,
        total_eur_per_day: price.map(|p| p * total),
        total_eur_over_horizon: price.map(|p| p * total * d),
        assumptions: assumption_ids
            .iter()
            .map(LogisticsAssumption::english)
            .collect(),
        assumption_ids,
    })
}
