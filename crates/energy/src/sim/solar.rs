//! Solar output by hour of the year from a per-region monthly yield table.
//!
//! The table (`data/solar_yield.json`, built by `scripts/solar-yield-table.py` with pvlib) gives,
//! per region, the mean daily PV yield of each month in kWh per kWp. An hour's output spreads that
//! month's daily yield over the daylight hours of the month's middle day with a half-sine shape:
//! day length from the solar declination and the region's latitude (local solar time, noon at
//! 12:00). The shape is simple on purpose: a planner can check any hour by hand.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{EnergyError, Result};

/// Month names used in tables and messages (also the order of `monthly_kwh_per_kwp_day`).
pub const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Days per month of the simulated (non-leap) year.
pub const MONTH_DAYS: [usize; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

pub const HOURS_PER_YEAR: usize = 8760;

/// The table shipped with the crate.
pub const BUNDLED: &str = include_str!("../../data/solar_yield.json");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YieldTable {
    /// Where the figures come from and how they were computed.
    pub source: String,
    pub regions: Vec<RegionYield>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionYield {
    /// Key used in a profile's `region` (e.g. "UA-32", "KZ-ABA").
    pub id: String,
    pub name: String,
    pub latitude: f64,
    /// kWh per kWp per day, month by month; keys `jan` … `dec`, every month required.
    pub monthly_kwh_per_kwp_day: BTreeMap<String, f64>,
}

/// A region's yields checked and ordered January to December.
#[derive(Debug, Clone, PartialEq)]
pub struct SolarYear {
    pub region: String,
    pub latitude: f64,
    pub daily: [f64; 12],
}

impl YieldTable {
    pub fn from_json_slice(bytes: &[u8]) -> Result<Self> {
        let t: YieldTable = crate::error::parse_json("solar yield table JSON", bytes)?;
        for r in &t.regions {
            r.year()?;
        }
        Ok(t)
    }

    pub fn bundled() -> Result<Self> {
        Self::from_json_slice(BUNDLED.as_bytes())
    }

    /// The region's year, or an error naming the region (and the ids the table knows).
    pub fn region(&self, id: &str) -> Result<SolarYear> {
        match self.regions.iter().find(|r| r.id == id || r.name == id) {
            Some(r) => r.year(),
            None => Err(EnergyError::invalid(
                "region",
                format!("{id:?}"),
                format!(
                    "not in the solar yield table; known: {}",
                    self.regions
                        .iter()
                        .map(|r| r.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }
}

impl RegionYield {
    /// Checks every month is present, finite and ≥ 0, and no unknown month key is given.
    pub fn year(&self) -> Result<SolarYear> {
        let at = format!("solar yield region {:?}", self.id);
        if !(self.latitude.is_finite() && (-66.0..=66.0).contains(&self.latitude)) {
            return Err(EnergyError::invalid(
                format!("{at}.latitude"),
                self.latitude,
                "must be between -66 and 66 (the day-length formula needs a sunrise)",
            ));
        }
        for k in self.monthly_kwh_per_kwp_day.keys() {
            if !MONTHS.contains(&k.as_str()) {
                return Err(EnergyError::invalid(
                    format!("{at}.monthly_kwh_per_kwp_day"),
                    format!("{k:?}"),
                    "unknown month; use jan … dec",
                ));
            }
        }
        let mut daily = [0.0; 12];
        for (m, name) in MONTHS.iter().enumerate() {
            let Some(&v) = self.monthly_kwh_per_kwp_day.get(*name) else {
                return Err(EnergyError::invalid(
                    format!("{at}.monthly_kwh_per_kwp_day.{name}"),
                    "missing",
                    format!("month {name} is missing for region {:?}", self.id),
                ));
            };
            if !(v.is_finite() && (0.0..=12.0).contains(&v)) {
                return Err(EnergyError::invalid(
                    format!("{at}.monthly_kwh_per_kwp_day.{name}"),
                    v,
                    "must be between 0 and 12 kWh/kWp/day",
                ));
            }
            daily[m] = v;
        }
        Ok(SolarYear {
            region: self.id.clone(),
            latitude: self.latitude,
            daily,
        })
    }
}

/// Month (0-based) of an hour of the year (wraps after 8,760 h).
pub fn month_of(hour_of_year: usize) -> usize {
    let mut d = (hour_of_year % HOURS_PER_YEAR) / 24;
    for (m, &n) in MONTH_DAYS.iter().enumerate() {
        if d < n {
            return m;
        }
        d -= n;
    }
    11
}

/// Day length in hours on the middle day of `month` at `latitude` (Cooper's declination).
pub fn day_length_h(latitude: f64, month: usize) -> f64 {
    let first: usize = MONTH_DAYS[..month].iter().sum();
    let n = (first + MONTH_DAYS[month] / 2 + 1) as f64;
    let decl = 23.44_f64.to_radians() * (2.0 * std::f64::consts::PI * (284.0 + n) / 365.0).sin();
    let x = (-latitude.to_radians().tan() * decl.tan()).clamp(-1.0, 1.0);
    2.0 * x.acos().to_degrees() / 15.0
}

impl SolarYear {
    /// kW per kWp for each hour of the day in `month`; sums to the month's daily yield.
    pub fn day_shape(&self, month: usize) -> [f64; 24] {
        let len = day_length_h(self.latitude, month);
        let rise = 12.0 - len / 2.0;
        let mut w = [0.0; 24];
        // Integral of the half sine over each hour, so short winter days keep their energy.
        let cum = |t: f64| -> f64 {
            let x = ((t - rise) / len).clamp(0.0, 1.0);
            (1.0 - (std::f64::consts::PI * x).cos()) / 2.0
        };
        for (h, v) in w.iter_mut().enumerate() {
            *v = cum(h as f64 + 1.0) - cum(h as f64);
        }
        let total: f64 = w.iter().sum();
        if total > 0.0 {
            for v in &mut w {
                *v *= self.daily[month] / total;
            }
        }
        w
    }

    /// kW per kWp for every hour of the year.
    pub fn hourly(&self) -> Vec<f64> {
        let mut out = Vec::with_capacity(HOURS_PER_YEAR);
        for (m, &days) in MONTH_DAYS.iter().enumerate() {
            let shape = self.day_shape(m);
            for _ in 0..days {
                out.extend_from_slice(&shape);
            }
        }
        out
    }
}
