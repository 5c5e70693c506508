//! Backup-power autonomy and survival for one facility.
//!
//! Loads are grouped in three cumulative tiers, served in priority order:
//! 1. `life_support`: must switch within 0.5 s (IEC 60364-7-710 group 2), so it needs a UPS or
//!    battery to bridge the generator start;
//! 2. `critical`: life-safety and critical branches, 10–15 s (NFPA 99/110 Type 10, IEC 710 15 s);
//! 3. `other` equipment.
//!
//! This module holds the profile (input JSON), its validation and the result types; the hourly
//! simulator is [`crate::sim`] and [`assess`] / [`autonomy_with_units`] are in
//! `sim/assess.rs`. Everything is seeded: the same profile and seed give the same numbers.

use serde::{Deserialize, Serialize};

use crate::diesel::L_PER_KWH;
use crate::error::{EnergyError, Result};
pub use crate::sim::assess::{
    AutonomySummary, assess, assess_with_table, autonomy_with_units, autonomy_with_units_in,
};
pub use crate::sim::run::{DurationShare, Sweep, SweepTier};
use crate::sim::schedule::Schedule;
use crate::sim::solar::YieldTable;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    LifeSupport,
    #[serde(alias = "life_safety")]
    Critical,
    /// Everything else (MODEL-v2 calls it `essential`; both names are read).
    #[serde(alias = "essential")]
    Other,
}

pub const TIERS: [Tier; 3] = [Tier::LifeSupport, Tier::Critical, Tier::Other];

impl Tier {
    pub fn name(self) -> &'static str {
        match self {
            Tier::LifeSupport => "life_support",
            Tier::Critical => "critical",
            Tier::Other => "other",
        }
    }
}

/// A facility power profile (input JSON of `aidtrace energy autonomy`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub facility: String,
    /// Region id or name in the solar yield table (`data/solar_yield.json`, e.g. "UA-30" for
    /// Kyiv city); with `solar_kwp`, solar output follows that region's month and hour.
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub grid: Option<Grid>,
    pub loads: Vec<Department>,
    /// Hours [start, end) counted as day for day/night load shapes and solar.
    #[serde(default = "default_day")]
    pub day_hours: [u32; 2],
    #[serde(default)]
    pub generators: Vec<Generator>,
    /// Diesel on site at the start.
    pub fuel_litres: f64,
    /// Tank capacity; resupply cannot exceed it. Defaults to `fuel_litres`.
    #[serde(default)]
    pub tank_litres: Option<f64>,
    #[serde(default)]
    pub battery: Option<Battery>,
    /// UPS power dedicated to life support (bridges the generator start).
    #[serde(default)]
    pub ups_kw: f64,
    #[serde(default)]
    pub solar_kwp: f64,
    /// Without `region` only: share of peak solar delivered on average during day hours, the
    /// same in every month (the older, flat model).
    #[serde(default = "default_solar_factor")]
    pub solar_day_factor: f64,
    /// The PV inverter can form a grid on its own (rare); otherwise PV runs in an outage only
    /// with a grid-forming battery.
    #[serde(default)]
    pub solar_grid_forming: bool,
    /// Seconds from grid loss until the generators carry the load (start + transfer switch);
    /// NFPA 110 Type 10 by default.
    #[serde(default = "default_changeover")]
    pub changeover_s: f64,
    /// Minimum load as a share of rated kW that fuel is charged for (fuel = slope·max(load,
    /// turndown·kW) + idle); REopt's default for grid-connected sites is 0.
    #[serde(default)]
    pub min_turndown: f64,
    /// The year sweep starts a continuous outage every this many hours (1 = every hour).
    #[serde(default = "one_u32")]
    pub sweep_every_h: u32,
    #[serde(default)]
    pub resupply: Option<Resupply>,
    #[serde(default)]
    pub reliability: Reliability,
    #[serde(default = "default_slope")]
    pub fuel_l_per_kwh: f64,
    #[serde(default = "default_regimes")]
    pub regimes: Vec<Regime>,
    #[serde(default = "default_durations")]
    pub durations_h: Vec<u32>,
    #[serde(default = "default_trials")]
    pub trials: u32,
    #[serde(default)]
    pub seed: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grid {
    #[serde(default)]
    pub connected: bool,
    #[serde(default)]
    pub phases: Option<u32>,
    #[serde(default)]
    pub voltage_v: Option<f64>,
}

/// A department's load, as a total (`kw`, optional `night_kw`) or as a device list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Department {
    pub department: String,
    pub tier: Tier,
    #[serde(default)]
    pub kw: Option<f64>,
    #[serde(default)]
    pub night_kw: Option<f64>,
    #[serde(default)]
    pub devices: Option<Vec<Device>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Device {
    pub name: String,
    pub watts: f64,
    #[serde(default = "one_u32")]
    pub count: u32,
    /// Share of time switched on (1 = always).
    #[serde(default = "one_f64")]
    pub duty: f64,
    /// Whether it also runs at night.
    #[serde(default = "yes")]
    pub night: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Generator {
    pub name: String,
    pub prime_kw: f64,
    #[serde(default)]
    pub idle_l_per_h: Option<f64>,
    #[serde(default)]
    pub failure_to_start: Option<f64>,
    #[serde(default)]
    pub mttf_h: Option<f64>,
    /// Share of outage starts at which the set is in service (not under repair).
    #[serde(default)]
    pub availability: Option<f64>,
    /// Overrides the profile's `min_turndown` for this set.
    #[serde(default)]
    pub min_turndown: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Battery {
    pub kwh: f64,
    pub kw: f64,
    /// Energy out / energy in over a full cycle.
    #[serde(default = "default_rte")]
    pub round_trip_efficiency: f64,
    /// State of charge when the simulation starts, as a share of `kwh`.
    #[serde(default = "one_f64")]
    pub initial_soc: f64,
    /// The battery inverter forms the grid in an outage: it bridges the changeover and keeps
    /// PV connected. A battery behind a grid-following inverter does neither.
    #[serde(default = "yes")]
    pub grid_forming: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resupply {
    pub interval_h: f64,
    pub litres: f64,
    #[serde(default = "one_f64")]
    pub probability: f64,
}

/// Defaults from NREL REopt's backup-reliability model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reliability {
    #[serde(default = "default_fts")]
    pub failure_to_start: f64,
    #[serde(default = "default_mttf")]
    pub mttf_h: f64,
    /// Share of outage starts at which a set is in service (REopt ERP default 0.995).
    #[serde(default = "default_availability")]
    pub operational_availability: f64,
}

impl Default for Reliability {
    fn default() -> Self {
        Reliability {
            failure_to_start: default_fts(),
            mttf_h: default_mttf(),
            operational_availability: default_availability(),
        }
    }
}

/// Grid availability pattern. `rolling_hours_off_per_day` = 24 is a continuous outage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Regime {
    pub name: String,
    /// One block of this many hours off per day, starting at a random hour each day.
    #[serde(default)]
    pub rolling_hours_off_per_day: u32,
    /// Each day, the chance that a strike starts a multi-day outage.
    #[serde(default)]
    pub strike_probability_per_day: f64,
    /// Length of a strike outage, uniform between the two values (hours).
    #[serde(default = "default_strike")]
    pub strike_outage_h: [u32; 2],
    /// A published group schedule (hours off per day of a repeating cycle); when given, the
    /// fields above are not used. `energy autonomy --schedule FILE.csv` fills it from a CSV.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,
}

fn default_day() -> [u32; 2] {
    [8, 20]
}
fn default_solar_factor() -> f64 {
    0.35
}
fn default_slope() -> f64 {
    L_PER_KWH
}
fn default_changeover() -> f64 {
    10.0
}
fn default_rte() -> f64 {
    0.9
}
fn default_availability() -> f64 {
    0.995
}
fn default_fts() -> f64 {
    0.0094
}
fn default_mttf() -> f64 {
    1100.0
}
fn default_trials() -> u32 {
    2000
}
fn default_durations() -> Vec<u32> {
    vec![24, 72, 96, 168]
}
fn default_strike() -> [u32; 2] {
    [48, 120]
}
fn one_u32() -> u32 {
    1
}
fn one_f64() -> f64 {
    1.0
}
fn yes() -> bool {
    true
}

/// Outage regimes seen in Ukraine since 2022 (shared/research/energy.md §3): continuous loss
/// after a strike, scheduled blocks of 8 and 16 hours a day, and 4-hour blocks with a 5 % daily
/// chance of a 2–5 day outage.
pub fn default_regimes() -> Vec<Regime> {
    vec![
        Regime {
            name: "continuous outage (after a strike)".into(),
            rolling_hours_off_per_day: 24,
            strike_probability_per_day: 0.0,
            strike_outage_h: default_strike(),
            schedule: None,
        },
        Regime {
            name: "rolling blocks 8 h/day".into(),
            rolling_hours_off_per_day: 8,
            strike_probability_per_day: 0.0,
            strike_outage_h: default_strike(),
            schedule: None,
        },
        Regime {
            name: "rolling blocks 16 h/day".into(),
            rolling_hours_off_per_day: 16,
            strike_probability_per_day: 0.0,
            strike_outage_h: default_strike(),
            schedule: None,
        },
        Regime {
            name: "rolling 4 h/day + strikes 5 %/day lasting 48-120 h".into(),
            rolling_hours_off_per_day: 4,
            strike_probability_per_day: 0.05,
            strike_outage_h: default_strike(),
            schedule: None,
        },
    ]
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierLoad {
    pub tier: Tier,
    /// Cumulative: this tier plus every higher-priority tier.
    pub day_kw: f64,
    pub night_kw: f64,
}

/// What ends a tier's autonomy, as data (the `/energy/v2` page words it in the reader's
/// language); [`Limit::english`] is the `limited_by` text the CLI prints.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "id", rename_all = "snake_case")]
pub enum Limit {
    /// Still running at the one-year cap.
    NoneWithinYear,
    /// The tier's load exceeds the generators' (and battery's) kW. The load is the higher of
    /// the tier's day and night averages, as the simulator runs them, not a surveyed peak:
    /// pages once called it "peak", which engineers compared with the survey's peaks.
    Capacity {
        #[serde(alias = "peak_kw")]
        load_kw: f64,
        generator_kw: f64,
    },
    /// No generator: the battery's energy runs out.
    BatteryEnergy,
    Fuel,
}

/// kW to one decimal, never "-0.0" (no generator sums to -0.0 kW).
pub fn kw1(v: f64) -> String {
    let s = format!("{v:.1}");
    if s == "-0.0" { "0.0".into() } else { s }
}

impl Limit {
    pub fn english(&self) -> String {
        match self {
            Limit::NoneWithinYear => "none within a year".into(),
            Limit::Capacity {
                load_kw,
                generator_kw,
            } => format!(
                "capacity: an average load of {} kW (day or night, the higher) against {} kW of generators",
                kw1(*load_kw),
                kw1(*generator_kw)
            ),
            Limit::BatteryEnergy => "no generator: battery energy".into(),
            Limit::Fuel => "fuel".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierAutonomy {
    pub tier: Tier,
    /// Hours a continuous outage starting on 1 January at 00:00 (a winter start) is ridden
    /// through with the fuel on site only, no failures (capped at 8,760).
    pub hours: f64,
    /// The same with the resupply deliveries arriving as scheduled (`None`: no resupply given).
    pub hours_with_resupply: Option<f64>,
    /// [`Limit::english`] of `limit`.
    pub limited_by: String,
    #[serde(default)]
    pub limit: Option<Limit>,
    /// Litres burned per day in the first week of that outage (or until it fails), counting
    /// what solar and the battery carry.
    pub litres_per_day: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Survival {
    pub regime: String,
    pub duration_h: u32,
    pub life_support: f64,
    pub critical: f64,
    pub other: f64,
    /// 95 % Wilson confidence intervals of the three shares.
    pub life_support_ci: [f64; 2],
    pub critical_ci: [f64; 2],
    pub other_ci: [f64; 2],
}

/// Expected energy not served per tier in one regime over the longest duration, the whole load
/// attempted and lower tiers shed first; mean over the trials ± 95 % half-width.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unserved {
    pub regime: String,
    pub horizon_h: u32,
    pub life_support_kwh: f64,
    pub critical_kwh: f64,
    pub other_kwh: f64,
    pub ci_half_kwh: [f64; 3],
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub facility: String,
    pub assumptions: Vec<String>,
    pub loads: Vec<TierLoad>,
    pub autonomy: Vec<TierAutonomy>,
    pub survival: Vec<Survival>,
    pub unserved: Vec<Unserved>,
    /// Continuous outages started at every hour of the year (REopt's outage simulator).
    pub sweep: Sweep,
    pub warnings: Vec<String>,
}

pub(crate) const MAX_HOURS: usize = 8760;

impl Profile {
    pub fn from_json_slice(bytes: &[u8]) -> Result<Self> {
        Self::from_json_slice_with_table(bytes, None)
    }

    /// Parses and validates with `table` as the solar yield table (`None`: the bundled one).
    pub fn from_json_slice_with_table(bytes: &[u8], table: Option<&YieldTable>) -> Result<Self> {
        let p: Profile = crate::error::parse_json("facility power profile JSON", bytes)?;
        p.validate_with_table(table)?;
        Ok(p)
    }

    /// Validates against the bundled solar yield table.
    pub fn validate(&self) -> Result<()> {
        self.validate_with_table(None)
    }

    /// Validates; `region` must be in `table` (`None`: the bundled table).
    pub fn validate_with_table(&self, table: Option<&YieldTable>) -> Result<()> {
        let nn = |field: String, v: f64| {
            if v.is_finite() && v >= 0.0 {
                Ok(())
            } else {
                Err(EnergyError::invalid(
                    field,
                    v,
                    "must be a finite number ≥ 0",
                ))
            }
        };
        let prob = |field: String, v: f64| {
            if v.is_finite() && (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(EnergyError::invalid(
                    field,
                    v,
                    "must be a probability between 0 and 1",
                ))
            }
        };
        if self.loads.is_empty() {
            return Err(EnergyError::invalid(
                "loads",
                "[]",
                "list at least one department",
            ));
        }
        for (i, d) in self.loads.iter().enumerate() {
            let at = format!("loads[{i}] ({:?})", d.department);
            match (&d.kw, &d.devices) {
                (Some(kw), None) => {
                    nn(format!("{at}.kw"), *kw)?;
                    if let Some(n) = d.night_kw {
                        nn(format!("{at}.night_kw"), n)?;
                    }
                }
                (None, Some(devs)) => {
                    if d.night_kw.is_some() {
                        return Err(EnergyError::invalid(
                            format!("{at}.night_kw"),
                            "set",
                            "with a device list, mark devices with \"night\": false instead",
                        ));
                    }
                    for (j, dev) in devs.iter().enumerate() {
                        nn(format!("{at}.devices[{j}].watts"), dev.watts)?;
                        prob(format!("{at}.devices[{j}].duty"), dev.duty)?;
                    }
                }
                _ => {
                    return Err(EnergyError::invalid(
                        at,
                        "kw/devices",
                        "give either \"kw\" (department total) or \"devices\", not both or neither",
                    ));
                }
            }
        }
        if self.day_hours[0] >= self.day_hours[1] || self.day_hours[1] > 24 {
            return Err(EnergyError::invalid(
                "day_hours",
                format!("{:?}", self.day_hours),
                "must be [start, end) with 0 ≤ start < end ≤ 24",
            ));
        }
        for (i, g) in self.generators.iter().enumerate() {
            let at = format!("generators[{i}] ({:?})", g.name);
            if !(g.prime_kw.is_finite() && g.prime_kw > 0.0) {
                return Err(EnergyError::invalid(
                    format!("{at}.prime_kw"),
                    g.prime_kw,
                    "must be > 0",
                ));
            }
            if let Some(v) = g.idle_l_per_h {
                nn(format!("{at}.idle_l_per_h"), v)?;
            }
            if let Some(v) = g.failure_to_start {
                prob(format!("{at}.failure_to_start"), v)?;
            }
            if let Some(v) = g.availability {
                prob(format!("{at}.availability"), v)?;
            }
            if let Some(v) = g.min_turndown {
                prob(format!("{at}.min_turndown"), v)?;
            }
            if let Some(v) = g.mttf_h
                && !(v.is_finite() && v > 0.0)
            {
                return Err(EnergyError::invalid(
                    format!("{at}.mttf_h"),
                    v,
                    "must be > 0",
                ));
            }
        }
        nn("fuel_litres".into(), self.fuel_litres)?;
        if let Some(t) = self.tank_litres {
            nn("tank_litres".into(), t)?;
        }
        if let Some(b) = &self.battery {
            nn("battery.kwh".into(), b.kwh)?;
            nn("battery.kw".into(), b.kw)?;
            if !(b.round_trip_efficiency.is_finite()
                && b.round_trip_efficiency > 0.0
                && b.round_trip_efficiency <= 1.0)
            {
                return Err(EnergyError::invalid(
                    "battery.round_trip_efficiency",
                    b.round_trip_efficiency,
                    "must be in (0, 1]",
                ));
            }
            prob("battery.initial_soc".into(), b.initial_soc)?;
        }
        if !(self.changeover_s.is_finite() && (0.0..=3600.0).contains(&self.changeover_s)) {
            return Err(EnergyError::invalid(
                "changeover_s",
                self.changeover_s,
                "must be between 0 and 3600 seconds",
            ));
        }
        prob("min_turndown".into(), self.min_turndown)?;
        prob(
            "reliability.operational_availability".into(),
            self.reliability.operational_availability,
        )?;
        if !(1..=8760).contains(&self.sweep_every_h) {
            return Err(EnergyError::invalid(
                "sweep_every_h",
                self.sweep_every_h,
                "must be 1..=8760",
            ));
        }
        if let Some(r) = &self.region {
            match table {
                Some(t) => t.region(r)?,
                None => YieldTable::bundled()?.region(r)?,
            };
        }
        nn("ups_kw".into(), self.ups_kw)?;
        nn("solar_kwp".into(), self.solar_kwp)?;
        prob("solar_day_factor".into(), self.solar_day_factor)?;
        nn("fuel_l_per_kwh".into(), self.fuel_l_per_kwh)?;
        if let Some(r) = &self.resupply {
            if !(r.interval_h.is_finite() && r.interval_h >= 1.0) {
                return Err(EnergyError::invalid(
                    "resupply.interval_h",
                    r.interval_h,
                    "must be ≥ 1 hour",
                ));
            }
            nn("resupply.litres".into(), r.litres)?;
            prob("resupply.probability".into(), r.probability)?;
        }
        prob(
            "reliability.failure_to_start".into(),
            self.reliability.failure_to_start,
        )?;
        if !(self.reliability.mttf_h.is_finite() && self.reliability.mttf_h > 0.0) {
            return Err(EnergyError::invalid(
                "reliability.mttf_h",
                self.reliability.mttf_h,
                "must be > 0",
            ));
        }
        for (i, r) in self.regimes.iter().enumerate() {
            if r.rolling_hours_off_per_day > 24 {
                return Err(EnergyError::invalid(
                    format!("regimes[{i}].rolling_hours_off_per_day"),
                    r.rolling_hours_off_per_day,
                    "at most 24",
                ));
            }
            prob(
                format!("regimes[{i}].strike_probability_per_day"),
                r.strike_probability_per_day,
            )?;
            if let Some(s) = &r.schedule {
                s.validate(&format!("regimes[{i}].schedule"))?;
            }
            if r.strike_outage_h[0] > r.strike_outage_h[1] {
                return Err(EnergyError::invalid(
                    format!("regimes[{i}].strike_outage_h"),
                    format!("{:?}", r.strike_outage_h),
                    "must be [min, max]",
                ));
            }
        }
        for (i, &d) in self.durations_h.iter().enumerate() {
            if d == 0 || d as usize > MAX_HOURS {
                return Err(EnergyError::invalid(
                    format!("durations_h[{i}]"),
                    d,
                    "must be 1..=8760",
                ));
            }
        }
        if self.trials == 0 || self.trials > 1_000_000 {
            return Err(EnergyError::invalid(
                "trials",
                self.trials,
                "must be 1..=1000000",
            ));
        }
        Ok(())
    }

    /// Cumulative (day, night) kW for each tier.
    pub fn tier_loads(&self) -> Vec<TierLoad> {
        let mut day = [0.0; 3];
        let mut night = [0.0; 3];
        for d in &self.loads {
            let t = d.tier as usize;
            match (&d.kw, &d.devices) {
                (Some(kw), _) => {
                    day[t] += kw;
                    night[t] += d.night_kw.unwrap_or(*kw);
                }
                (None, Some(devs)) => {
                    for dev in devs {
                        let kw = dev.watts * f64::from(dev.count) * dev.duty / 1000.0;
                        day[t] += kw;
                        if dev.night {
                            night[t] += kw;
                        }
                    }
                }
                (None, None) => {}
            }
        }
        let mut out = Vec::new();
        let (mut cd, mut cn) = (0.0, 0.0);
        for t in TIERS {
            cd += day[t as usize];
            cn += night[t as usize];
            out.push(TierLoad {
                tier: t,
                day_kw: cd,
                night_kw: cn,
            });
        }
        out
    }
}

#[cfg(test)]
mod limit_tests {
    use super::Limit;

    #[test]
    fn a_capacity_limit_says_it_is_an_average_load_not_a_peak() {
        let limit = Limit::Capacity {
            load_kw: 112.0,
            generator_kw: 75.0,
        };
        let text = limit.english();
        assert!(text.contains("average load of 112.0 kW"), "{text}");
        assert!(!text.contains("peak"), "{text}");
    }

    #[test]
    fn a_capacity_limit_stored_under_its_old_name_still_reads() {
        let old = r#"{"id":"capacity","peak_kw":112.0,"generator_kw":75.0}"#;
        let limit: Limit = serde_json::from_str(old).expect("old JSON");
        assert_eq!(
            limit,
            Limit::Capacity {
                load_kw: 112.0,
                generator_kw: 75.0
            }
        );
    }
}
