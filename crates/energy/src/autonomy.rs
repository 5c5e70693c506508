//! Backup-power autonomy and survival for one facility.
//!
//! Loads are grouped in three cumulative tiers, served in priority order:
//! 1. `life_support`: must switch within 0.5 s (IEC 60364-7-710 group 2), so it needs a UPS or
//!    battery to bridge the generator start;
//! 2. `critical`: life-safety and critical branches, 10–15 s (NFPA 99/110 Type 10, IEC 710 15 s);
//! 3. `other` equipment.
//!
//! The simulator steps hour by hour. Generators start when the grid drops (failure to start with
//! probability `failure_to_start`), fail while running at rate 1/`mttf_h` and stay down until the
//! grid returns; fuel use is a·kW + idle(size) per running unit; a battery covers shortfalls
//! and recharges while the grid is up; solar offsets daytime load; fuel is resupplied every
//! `interval_h` hours with probability `probability`. A tier fails at the first hour its
//! (cumulative) load is not fully served. Everything is seeded: the same profile and seed give
//! the same numbers.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::diesel::{L_PER_KWH, idle_l_per_h};
use crate::error::{EnergyError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    LifeSupport,
    #[serde(alias = "life_safety")]
    Critical,
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
    /// Share of peak solar delivered on average during day hours.
    #[serde(default = "default_solar_factor")]
    pub solar_day_factor: f64,
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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Battery {
    pub kwh: f64,
    pub kw: f64,
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
}

impl Default for Reliability {
    fn default() -> Self {
        Reliability {
            failure_to_start: default_fts(),
            mttf_h: default_mttf(),
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
        },
        Regime {
            name: "rolling blocks 8 h/day".into(),
            rolling_hours_off_per_day: 8,
            strike_probability_per_day: 0.0,
            strike_outage_h: default_strike(),
        },
        Regime {
            name: "rolling blocks 16 h/day".into(),
            rolling_hours_off_per_day: 16,
            strike_probability_per_day: 0.0,
            strike_outage_h: default_strike(),
        },
        Regime {
            name: "rolling 4 h/day + strikes 5 %/day lasting 48-120 h".into(),
            rolling_hours_off_per_day: 4,
            strike_probability_per_day: 0.05,
            strike_outage_h: default_strike(),
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierAutonomy {
    pub tier: Tier,
    /// Hours a continuous outage is ridden through with the fuel on site, no failures, no
    /// resupply (capped at 8,760).
    pub hours: f64,
    pub limited_by: String,
    pub litres_per_day: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Survival {
    pub regime: String,
    pub duration_h: u32,
    pub life_support: f64,
    pub critical: f64,
    pub other: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub facility: String,
    pub assumptions: Vec<String>,
    pub loads: Vec<TierLoad>,
    pub autonomy: Vec<TierAutonomy>,
    pub survival: Vec<Survival>,
    pub warnings: Vec<String>,
}

const MAX_HOURS: usize = 8760;

impl Profile {
    pub fn from_json_slice(bytes: &[u8]) -> Result<Self> {
        let p: Profile = crate::error::parse_json("facility power profile JSON", bytes)?;
        p.validate()?;
        Ok(p)
    }

    pub fn validate(&self) -> Result<()> {
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

struct Unit {
    kw: f64,
    idle: f64,
    fts: f64,
    fail_per_h: f64,
}

struct Sim<'a> {
    p: &'a Profile,
    units: Vec<Unit>,
    loads: Vec<TierLoad>,
    tank: f64,
}

impl Sim<'_> {
    fn is_day(&self, hour: usize) -> bool {
        let h = (hour % 24) as u32;
        h >= self.p.day_hours[0] && h < self.p.day_hours[1]
    }

    fn load(&self, level: usize, hour: usize) -> f64 {
        let l = &self.loads[level];
        let (kw, solar) = if self.is_day(hour) {
            (l.day_kw, self.p.solar_kwp * self.p.solar_day_factor)
        } else {
            (l.night_kw, 0.0)
        };
        (kw - solar).max(0.0)
    }

    /// Runs one trial; `grid_off[h]` says whether the grid is down in hour h. Returns, per tier,
    /// the first hour it was not served (`horizon` if never). With `rng = None` nothing fails
    /// and no resupply arrives unless certain.
    fn run(&self, grid_off: &[bool], mut rng: Option<&mut ChaCha8Rng>) -> [usize; 3] {
        let horizon = grid_off.len();
        let mut first_fail = [horizon; 3];
        let mut fuel = self.p.fuel_litres;
        let (bat_kwh, bat_kw) = self
            .p
            .battery
            .as_ref()
            .map_or((0.0, 0.0), |b| (b.kwh, b.kw));
        let mut soc = bat_kwh;
        let mut up = vec![true; self.units.len()];
        let mut next_resupply = self.p.resupply.as_ref().map(|r| r.interval_h);
        let mut was_off = false;
        for h in 0..horizon {
            if let (Some(t), Some(r)) = (next_resupply, &self.p.resupply)
                && (h as f64) >= t
            {
                let arrives = match rng.as_deref_mut() {
                    Some(rng) => rng.random_bool(r.probability),
                    None => r.probability >= 1.0,
                };
                if arrives {
                    fuel = (fuel + r.litres).min(self.tank);
                }
                next_resupply = Some(t + r.interval_h);
            }
            if !grid_off[h] {
                was_off = false;
                up.iter_mut().for_each(|u| *u = true);
                soc = (soc + bat_kw).min(bat_kwh);
                continue;
            }
            if !was_off {
                // Outage starts: units try to start; life support needs a ≤0.5 s source.
                for (i, u) in self.units.iter().enumerate() {
                    if let Some(rng) = rng.as_deref_mut() {
                        up[i] = !rng.random_bool(u.fts);
                    }
                }
                let bridge = self.p.ups_kw + if soc > 0.0 { bat_kw } else { 0.0 };
                if bridge + 1e-9 < self.load(0, h) {
                    first_fail[0] = first_fail[0].min(h);
                }
            }
            was_off = true;
            let working: Vec<usize> = (0..self.units.len()).filter(|&i| up[i]).collect();
            let running = dispatch(&self.units, &working, self.load(2, h));
            let cap: f64 = running.iter().map(|&i| self.units[i].kw).sum();
            let soc_kw = bat_kw.min(soc);
            // Highest level whose load the units plus battery can carry this hour.
            let mut level: Option<usize> = None;
            for lv in 0..3 {
                if self.load(lv, h) <= cap + soc_kw + 1e-9 {
                    level = Some(lv);
                }
            }
            let served = level.map_or(0.0, |lv| self.load(lv, h));
            let gen_out = served.min(cap);
            let idle: f64 = running.iter().map(|&i| self.units[i].idle).sum();
            let need = if running.is_empty() {
                0.0
            } else {
                self.p.fuel_l_per_kwh * gen_out + idle
            };
            let mut ok_level = level;
            if need > fuel + 1e-9 {
                // Fuel runs out within the hour: only the battery is left.
                fuel = 0.0;
                ok_level = (0..3).filter(|&lv| self.load(lv, h) <= soc_kw + 1e-9).max();
                let s = ok_level.map_or(0.0, |lv| self.load(lv, h));
                soc -= s;
            } else {
                fuel -= need;
                soc -= served - gen_out;
            }
            soc = soc.max(0.0);
            for (lv, ff) in first_fail.iter_mut().enumerate() {
                if ok_level.is_none_or(|ok| lv > ok) && self.load(lv, h) > 1e-9 {
                    *ff = (*ff).min(h);
                }
            }
            if first_fail.iter().all(|&x| x < horizon) {
                break;
            }
            if let Some(rng) = rng.as_deref_mut() {
                for &i in &running {
                    if rng.random_bool(self.units[i].fail_per_h) {
                        up[i] = false;
                    }
                }
            }
        }
        first_fail
    }
}

/// Computes autonomy and survival for a validated profile.
pub fn assess(p: &Profile) -> Assessment {
    let loads = p.tier_loads();
    let units: Vec<Unit> = p
        .generators
        .iter()
        .map(|g| Unit {
            kw: g.prime_kw,
            idle: g.idle_l_per_h.unwrap_or_else(|| idle_l_per_h(g.prime_kw)),
            fts: g.failure_to_start.unwrap_or(p.reliability.failure_to_start),
            fail_per_h: (1.0 / g.mttf_h.unwrap_or(p.reliability.mttf_h)).min(1.0),
        })
        .collect();
    let sim = Sim {
        p,
        units,
        loads: loads.clone(),
        tank: p.tank_litres.unwrap_or(p.fuel_litres).max(p.fuel_litres),
    };
    let mut warnings = Vec::new();
    let cap: f64 = sim.units.iter().map(|u| u.kw).sum();
    let mut autonomy = Vec::new();
    for (lv, t) in TIERS.iter().enumerate() {
        // One tier at a time: a profile with only this tier's cumulative load.
        let only = Sim {
            p,
            units: sim
                .units
                .iter()
                .map(|u| Unit {
                    kw: u.kw,
                    idle: u.idle,
                    fts: 0.0,
                    fail_per_h: 0.0,
                })
                .collect(),
            loads: vec![loads[lv].clone(), loads[lv].clone(), loads[lv].clone()],
            tank: sim.tank,
        };
        let off = vec![true; MAX_HOURS];
        // Life-support bridging is reported in survival; autonomy is about energy.
        let ff = only.run(&off, None)[2];
        let peak = loads[lv].day_kw.max(loads[lv].night_kw);
        let limited_by = if ff >= MAX_HOURS {
            "none within a year".to_string()
        } else if peak > cap + p.battery.as_ref().map_or(0.0, |b| b.kw) {
            format!("capacity: {peak:.1} kW peak vs {cap:.1} kW of generators")
        } else if cap <= 0.0 {
            "no generator: battery energy".to_string()
        } else {
            "fuel".to_string()
        };
        let avg = (loads[lv].day_kw * f64::from(p.day_hours[1] - p.day_hours[0])
            + loads[lv].night_kw * f64::from(24 - (p.day_hours[1] - p.day_hours[0])))
            / 24.0;
        autonomy.push(TierAutonomy {
            tier: *t,
            hours: ff as f64,
            limited_by,
            litres_per_day: litres_per_day(&only.units, avg, p.fuel_l_per_kwh),
        });
    }
    for u in &sim.units {
        let night = loads[2].night_kw;
        if cap > 0.0 && night < 0.3 * u.kw && sim.units.len() == 1 {
            warnings.push(format!(
                "the {:.0} kW set runs below 30 % load at night ({night:.1} kW): wet stacking; plan load-bank runs",
                u.kw
            ));
        }
    }
    if p.ups_kw + p.battery.as_ref().map_or(0.0, |b| b.kw) < loads[0].day_kw.max(loads[0].night_kw)
        && loads[0].day_kw > 0.0
    {
        warnings.push(
            "life support has no UPS or battery able to carry it during the generator start (0.5 s class): every outage interrupts it"
                .into(),
        );
    }
    let horizon = p.durations_h.iter().copied().max().unwrap_or(168) as usize;
    // One simulator per tier: when judging tier t the facility sheds every lower-priority load,
    // as operators do in long outages, so survival agrees with the autonomy hours.
    let per_level: Vec<Sim> = (0..3)
        .map(|lv| Sim {
            p,
            units: sim
                .units
                .iter()
                .map(|u| Unit {
                    kw: u.kw,
                    idle: u.idle,
                    fts: u.fts,
                    fail_per_h: u.fail_per_h,
                })
                .collect(),
            loads: (0..3).map(|j| loads[j.min(lv)].clone()).collect(),
            tank: sim.tank,
        })
        .collect();
    let mut survival = Vec::new();
    for (ri, regime) in p.regimes.iter().enumerate() {
        let mut rng = ChaCha8Rng::seed_from_u64(p.seed ^ ((ri as u64 + 1) << 32));
        let mut survived = vec![[0u32; 3]; p.durations_h.len()];
        for _ in 0..p.trials {
            let off = grid_pattern(regime, horizon, &mut rng);
            let mut ff = [0usize; 3];
            let mut furthest = rng.get_word_pos();
            for lv in 0..3 {
                // Common random numbers: every tier sees the same failures in a trial.
                let mut r = rng.clone();
                ff[lv] = per_level[lv].run(&off, Some(&mut r))[lv];
                furthest = furthest.max(r.get_word_pos());
            }
            rng.set_word_pos(furthest);
            for (di, &d) in p.durations_h.iter().enumerate() {
                for lv in 0..3 {
                    if ff[lv] >= d as usize {
                        survived[di][lv] += 1;
                    }
                }
            }
        }
        for (di, &d) in p.durations_h.iter().enumerate() {
            let share = |lv: usize| f64::from(survived[di][lv]) / f64::from(p.trials);
            survival.push(Survival {
                regime: regime.name.clone(),
                duration_h: d,
                life_support: share(0),
                critical: share(1),
                other: share(2),
            });
        }
    }
    Assessment {
        facility: p.facility.clone(),
        assumptions: assumptions(p),
        loads,
        autonomy,
        survival,
        warnings,
    }
}

fn litres_per_day(units: &[Unit], kw: f64, slope: f64) -> f64 {
    let all: Vec<usize> = (0..units.len()).collect();
    let running = dispatch(units, &all, kw);
    let cap: f64 = running.iter().map(|&i| units[i].kw).sum();
    let idle: f64 = running.iter().map(|&i| units[i].idle).sum();
    24.0 * (slope * kw.min(cap) + idle)
}

/// Units to run for `load` kW: the smallest single unit that carries it (least idle fuel), or
/// else the largest units until the load is covered.
fn dispatch(units: &[Unit], working: &[usize], load: f64) -> Vec<usize> {
    if load <= 0.0 {
        return Vec::new();
    }
    if let Some(&one) = working
        .iter()
        .filter(|&&i| units[i].kw >= load)
        .min_by(|&&a, &&b| units[a].kw.total_cmp(&units[b].kw))
    {
        return vec![one];
    }
    let mut order = working.to_vec();
    order.sort_by(|&a, &b| units[b].kw.total_cmp(&units[a].kw));
    let mut cap = 0.0;
    let mut out = Vec::new();
    for i in order {
        if cap >= load {
            break;
        }
        cap += units[i].kw;
        out.push(i);
    }
    out
}

/// Which hours of the horizon the grid is down in one random draw of the regime.
fn grid_pattern(r: &Regime, horizon: usize, rng: &mut ChaCha8Rng) -> Vec<bool> {
    let mut off = vec![false; horizon];
    let days = horizon.div_ceil(24);
    let block = r.rolling_hours_off_per_day as usize;
    for d in 0..days {
        if block > 0 {
            let start = if block >= 24 {
                0
            } else {
                rng.random_range(0..24)
            };
            let a = (d * 24 + start).min(horizon);
            off[a..(d * 24 + start + block).min(horizon)].fill(true);
        }
        if r.strike_probability_per_day > 0.0 && rng.random_bool(r.strike_probability_per_day) {
            let len = rng.random_range(r.strike_outage_h[0]..=r.strike_outage_h[1]) as usize;
            let start = d * 24 + rng.random_range(0..24);
            let a = start.min(horizon);
            off[a..(start + len).min(horizon)].fill(true);
        }
    }
    off
}

fn assumptions(p: &Profile) -> Vec<String> {
    let mut a = vec![
        format!(
            "fuel use per running set: {} L/kWh delivered + idle L/h by size (interpolated: 1.35 @20 kW, 3.45 @100 kW, 9.15 @500 kW, 16.1 @1000 kW) unless given",
            p.fuel_l_per_kwh
        ),
        format!(
            "generator failure to start {} per outage start, failure while running 1/{} per hour (NREL REopt defaults unless edited); a failed set stays down until the grid returns",
            p.reliability.failure_to_start, p.reliability.mttf_h
        ),
        "tiers are cumulative (critical includes life support; other is the whole load); each tier's figures assume everything of lower priority is shed".into(),
        "life support counts as interrupted at an outage start unless UPS kW + battery kW cover it (0.5 s changeover)".into(),
        format!(
            "day hours {}:00–{}:00 use day loads{}; other hours night loads",
            p.day_hours[0],
            p.day_hours[1],
            if p.solar_kwp > 0.0 {
                format!(", minus solar {} kWp × {}", p.solar_kwp, p.solar_day_factor)
            } else {
                String::new()
            }
        ),
        format!(
            "fuel on site {} L, tank {} L",
            p.fuel_litres,
            p.tank_litres.unwrap_or(p.fuel_litres).max(p.fuel_litres)
        ),
        match &p.resupply {
            Some(r) => format!(
                "resupply {} L every {} h, arriving with probability {}",
                r.litres, r.interval_h, r.probability
            ),
            None => "no fuel resupply".into(),
        },
        match &p.battery {
            Some(b) => format!("battery {} kWh / {} kW, full at the start, recharges at {} kW when the grid is up", b.kwh, b.kw, b.kw),
            None => "no battery".into(),
        },
        "autonomy hours: continuous outage from midnight, fuel on site only, no failures, capped at 8,760 h".into(),
        format!(
            "survival: {} Monte Carlo trials per regime, seed {}, hourly steps; rolling blocks start at a random hour each day",
            p.trials, p.seed
        ),
    ];
    a.shrink_to_fit();
    a
}
