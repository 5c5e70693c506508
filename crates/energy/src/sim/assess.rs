//! `assess`: a facility profile → autonomy, the year sweep, Monte Carlo survival with
//! confidence intervals, unserved energy, warnings and the assumptions actually simulated.
//! `autonomy_with_units`: the same facility with the units a plan assigns it.

use serde::{Deserialize, Serialize};

use super::run::{monte_carlo, sweep, wilson};
use super::solar::{HOURS_PER_YEAR, SolarYear, YieldTable};
use super::{Bat, Drive, Plant, Resup, TOLERANCE_S, Unit, WET_STACK_BELOW};
use crate::autonomy::{
    Assessment, Generator, Limit, MAX_HOURS, Profile, Regime, Survival, TIERS, Tier, TierAutonomy,
    Unserved,
};
use crate::diesel::idle_l_per_h;

/// Non-cumulative (day, night) kW per tier.
fn tier_kw(p: &Profile) -> [(f64, f64); 3] {
    let cum = p.tier_loads();
    let mut out = [(0.0, 0.0); 3];
    for t in 0..3 {
        let (pd, pn) = if t == 0 {
            (0.0, 0.0)
        } else {
            (cum[t - 1].day_kw, cum[t - 1].night_kw)
        };
        out[t] = (cum[t].day_kw - pd, cum[t].night_kw - pn);
    }
    out
}

fn solar_year(p: &Profile, table: Option<&YieldTable>) -> Option<SolarYear> {
    let region = p.region.as_ref()?;
    match table {
        Some(t) => t.region(region).ok(),
        None => YieldTable::bundled().ok()?.region(region).ok(),
    }
}

/// The simulator's view of a validated profile.
pub fn plant(p: &Profile, table: Option<&YieldTable>) -> Plant {
    let kw = tier_kw(p);
    let mut load = [[0.0; 3]; 24];
    for (h, row) in load.iter_mut().enumerate() {
        let day = (h as u32) >= p.day_hours[0] && (h as u32) < p.day_hours[1];
        for t in 0..3 {
            row[t] = if day { kw[t].0 } else { kw[t].1 };
        }
    }
    let solar = if p.solar_kwp <= 0.0 {
        Vec::new()
    } else if let Some(y) = solar_year(p, table) {
        y.hourly().into_iter().map(|v| v * p.solar_kwp).collect()
    } else {
        (0..HOURS_PER_YEAR)
            .map(|h| {
                let hod = (h % 24) as u32;
                if hod >= p.day_hours[0] && hod < p.day_hours[1] {
                    p.solar_kwp * p.solar_day_factor
                } else {
                    0.0
                }
            })
            .collect()
    };
    let battery = p.battery.as_ref().filter(|b| b.kwh > 0.0).map(|b| Bat {
        kwh: b.kwh,
        kw: b.kw,
        eta: b.round_trip_efficiency.sqrt(),
        soc0_kwh: b.kwh * b.initial_soc,
        grid_forming: b.grid_forming,
    });
    let pv_islands = p.solar_grid_forming || battery.as_ref().is_some_and(|b| b.grid_forming);
    Plant {
        load,
        solar,
        pv_islands,
        units: p.generators.iter().map(|g| unit(p, g)).collect(),
        battery,
        ups_kw: p.ups_kw,
        changeover_s: p.changeover_s,
        fuel: p.fuel_litres,
        tank: p.tank_litres.unwrap_or(p.fuel_litres).max(p.fuel_litres),
        resupply: p.resupply.as_ref().map(|r| Resup {
            interval_h: r.interval_h,
            litres: r.litres,
            probability: r.probability,
        }),
        slope: p.fuel_l_per_kwh,
    }
}

fn unit(p: &Profile, g: &Generator) -> Unit {
    Unit {
        name: g.name.clone(),
        kw: g.prime_kw,
        idle: g.idle_l_per_h.unwrap_or_else(|| idle_l_per_h(g.prime_kw)),
        turndown: g.min_turndown.unwrap_or(p.min_turndown),
        fts: g.failure_to_start.unwrap_or(p.reliability.failure_to_start),
        availability: g
            .availability
            .unwrap_or(p.reliability.operational_availability),
        fail_per_h: (1.0 / g.mttf_h.unwrap_or(p.reliability.mttf_h)).min(1.0),
    }
}

/// Computes autonomy and survival for a validated profile with the bundled solar table.
pub fn assess(p: &Profile) -> Assessment {
    assess_with_table(p, None)
}

/// [`assess`] with another solar yield table (the profile's `region` must be in it).
pub fn assess_with_table(p: &Profile, table: Option<&YieldTable>) -> Assessment {
    let pl = plant(p, table);
    let loads = p.tier_loads();
    let all_off = |_k: usize| true;
    let cap: f64 = pl.units.iter().map(|u| u.kw).sum();
    let bat_kw = pl.battery.as_ref().map_or(0.0, |b| b.kw);
    let mut autonomy = Vec::new();
    let mut week_runs = Vec::new();
    for (lv, t) in TIERS.iter().enumerate() {
        let det = |resupply: bool| {
            pl.run(Drive {
                start: 0,
                horizon: MAX_HOURS,
                off: &all_off,
                level: lv,
                stop_at_failure: true,
                rng: None,
                resupply,
                changeover: false,
            })
        };
        let o = det(false);
        let hours = o.first_fail[lv];
        let with = p.resupply.as_ref().map(|_| det(true).first_fail[lv] as f64);
        let load = loads[lv].day_kw.max(loads[lv].night_kw);
        let limit = if hours >= MAX_HOURS {
            Limit::NoneWithinYear
        } else if load > cap + bat_kw + 1e-9 {
            Limit::Capacity {
                load_kw: load,
                // A sum over no generator is -0.0 in f64; the JSON and text say 0.
                generator_kw: cap + 0.0,
            }
        } else if cap <= 0.0 {
            Limit::BatteryEnergy
        } else {
            Limit::Fuel
        };
        let litres_per_day = if o.week_hours > 0.0 {
            o.fuel_week * 24.0 / o.week_hours
        } else {
            0.0
        };
        autonomy.push(TierAutonomy {
            tier: *t,
            hours: hours as f64,
            hours_with_resupply: with,
            limited_by: limit.english(),
            limit: Some(limit),
            litres_per_day,
        });
        week_runs.push(o);
    }
    let mut warnings = Vec::new();
    if let Some(r) = &p.region
        && p.solar_kwp > 0.0
        && solar_year(p, table).is_none()
    {
        warnings.push(format!(
            "region {r:?} is not in the solar yield table used: solar falls back to the flat day factor {}",
            p.solar_day_factor
        ));
    }
    // Wet stacking: average load of each set while it ran in the first week, whole load.
    let full = &week_runs[2];
    for (i, u) in pl.units.iter().enumerate() {
        let h = full.unit_hours[i];
        if h > 0.0 {
            let avg = full.unit_kwh[i] / h;
            if avg < WET_STACK_BELOW * u.kw {
                warnings.push(format!(
                    "{:?} ({:.0} kW) averages {:.1} kW = {:.0} % of its rating while running: below {:.0} % it wet-stacks (unburnt fuel in the exhaust); plan load-bank runs or a smaller set",
                    u.name,
                    u.kw,
                    avg,
                    100.0 * avg / u.kw,
                    100.0 * WET_STACK_BELOW
                ));
            }
        }
    }
    let bridge = p.ups_kw
        + pl.battery
            .as_ref()
            .filter(|b| b.grid_forming)
            .map_or(0.0, |b| b.kw);
    if TOLERANCE_S[0] < p.changeover_s
        && bridge < loads[0].day_kw.max(loads[0].night_kw)
        && loads[0].day_kw.max(loads[0].night_kw) > 0.0
    {
        warnings.push(format!(
            "life support has no UPS or grid-forming battery able to carry it through the {} s changeover (0.5 s class): every outage interrupts it",
            p.changeover_s
        ));
    }
    if p.solar_kwp > 0.0 && !pl.pv_islands {
        warnings.push(
            "PV is disconnected in every outage (anti-islanding): there is no grid-forming battery or inverter, so solar counts for nothing during outages"
                .into(),
        );
    }
    let horizon = p.durations_h.iter().copied().max().unwrap_or(168) as usize;
    let sw = sweep(&pl, horizon, p.sweep_every_h as usize, &p.durations_h);
    let mut survival = Vec::new();
    let mut unserved = Vec::new();
    for (ri, regime) in p.regimes.iter().enumerate() {
        let r = monte_carlo(
            &pl,
            regime,
            p.seed ^ ((ri as u64 + 1) << 32),
            p.trials,
            horizon,
            &p.durations_h,
        );
        for (di, &d) in p.durations_h.iter().enumerate() {
            let s = r.survived[di];
            let share = |lv: usize| f64::from(s[lv]) / f64::from(p.trials);
            survival.push(Survival {
                regime: regime.name.clone(),
                duration_h: d,
                life_support: share(0),
                critical: share(1),
                other: share(2),
                life_support_ci: wilson(s[0], p.trials),
                critical_ci: wilson(s[1], p.trials),
                other_ci: wilson(s[2], p.trials),
            });
        }
        unserved.push(Unserved {
            regime: regime.name.clone(),
            horizon_h: horizon as u32,
            life_support_kwh: r.unserved_mean[0],
            critical_kwh: r.unserved_mean[1],
            other_kwh: r.unserved_mean[2],
            ci_half_kwh: r.unserved_half,
        });
    }
    Assessment {
        facility: p.facility.clone(),
        assumptions: assumptions(p, &pl, horizon),
        loads,
        autonomy,
        survival,
        unserved,
        sweep: sw,
        warnings,
    }
}

/// A facility's autonomy with the units a plan assigns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutonomySummary {
    pub facility: String,
    /// Names of the units added to the facility's own generators.
    pub units_added: Vec<String>,
    /// Per tier: hours of a continuous outage from 1 January 00:00 on the fuel on site, no
    /// failures (as [`TierAutonomy::hours`]).
    pub hours: Vec<TierHours>,
    /// P(survive 24 / 72 / 168 h) per tier in a continuous outage starting at a random hour of
    /// the year, with start failures and failures while running, with 95 % intervals.
    pub survival: Vec<Survival>,
    /// What was simulated, as [`Assessment`] prints it; the caller that added the units puts
    /// how it counted them first (`sim::plan_units::PlanUnits::assumption`).
    #[serde(default)]
    pub assumptions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierHours {
    pub tier: Tier,
    pub hours: f64,
    pub limited_by: String,
    #[serde(default)]
    pub limit: Option<Limit>,
    /// Litres per day in the first week of that outage, counting solar and battery.
    pub litres_per_day: f64,
}

/// Durations `autonomy_with_units` reports.
pub const SUMMARY_DURATIONS: [u32; 3] = [24, 72, 168];

/// The profile plus `units` (e.g. a plan's assignment to this facility), assessed in a
/// continuous outage only: hours of autonomy and P(survive 24/72/168 h) per tier.
pub fn autonomy_with_units(profile: &Profile, units: &[Generator]) -> AutonomySummary {
    autonomy_with_units_in(profile, units, None)
}

/// [`autonomy_with_units`] with another solar yield table (`None`: the bundled one).
pub fn autonomy_with_units_in(
    profile: &Profile,
    units: &[Generator],
    table: Option<&YieldTable>,
) -> AutonomySummary {
    let mut p = profile.clone();
    p.generators.extend(units.iter().cloned());
    p.durations_h = SUMMARY_DURATIONS.to_vec();
    p.regimes = vec![crate::autonomy::default_regimes().swap_remove(0)];
    // The sweep is not part of the summary; one start a day keeps it cheap.
    p.sweep_every_h = 24;
    let a = assess_with_table(&p, table);
    AutonomySummary {
        facility: p.facility.clone(),
        units_added: units.iter().map(|u| u.name.clone()).collect(),
        hours: a
            .autonomy
            .iter()
            .map(|t| TierHours {
                tier: t.tier,
                hours: t.hours,
                limited_by: t.limited_by.clone(),
                limit: t.limit,
                litres_per_day: t.litres_per_day,
            })
            .collect(),
        survival: a.survival,
        assumptions: a.assumptions,
    }
}

fn regime_text(r: &Regime) -> String {
    match &r.schedule {
        Some(s) => format!(
            "{}: published schedule, {}-day cycle, {:.1} h off per day on average (intervals widened to whole hours), starting at midnight of a random day of the year",
            r.name,
            s.days.len(),
            s.mean_off_per_day()
        ),
        None if r.rolling_hours_off_per_day >= 24 => format!(
            "{}: grid off for the whole horizon from a random hour of the year",
            r.name
        ),
        None => format!(
            "{}: {} h off per day as one block at a random hour{}; outage starts at a random hour of the year",
            r.name,
            r.rolling_hours_off_per_day,
            if r.strike_probability_per_day > 0.0 {
                format!(
                    ", plus a {} per day chance of a {}–{} h outage",
                    r.strike_probability_per_day, r.strike_outage_h[0], r.strike_outage_h[1]
                )
            } else {
                String::new()
            }
        ),
    }
}

fn assumptions(p: &Profile, pl: &Plant, horizon: usize) -> Vec<String> {
    let mut a = vec![
        format!(
            "fuel per running set: {} L/kWh × max(load, {} × rated kW) + idle L/h by size (interpolated: 1.35 @20 kW, 3.45 @100 kW, 9.15 @500 kW, 16.1 @1000 kW) unless given; sets share the load in proportion to their rating; spare generator power charges the battery",
            p.fuel_l_per_kwh, p.min_turndown
        ),
        format!(
            "generators: in service at an outage start with probability {}, fail to start {}, fail while running 1/{} per hour (NREL REopt defaults unless edited); a failed set stays down until the grid returns",
            p.reliability.operational_availability,
            p.reliability.failure_to_start,
            p.reliability.mttf_h
        ),
        "tiers are cumulative (critical includes life support; other is the whole load); each tier's hours and survival assume everything of lower priority is shed; unserved kWh attempt the whole load and shed the lowest tier first".into(),
        format!(
            "changeover {} s at each outage start: life support (0.5 s class) and critical (15 s) are interrupted when the gap is longer than they tolerate unless UPS ({} kW, life support only) or a grid-forming battery carries them; solar never bridges it",
            p.changeover_s, p.ups_kw
        ),
        format!(
            "day hours {}:00–{}:00 use day loads, other hours night loads",
            p.day_hours[0], p.day_hours[1]
        ),
        if p.solar_kwp <= 0.0 {
            "no solar".to_string()
        } else {
            let src = match &p.region {
                Some(r) => format!(
                    "{} kWp with the monthly yields of region {r} (data/solar_yield.json: mean day of each month, half-sine over the day length)",
                    p.solar_kwp
                ),
                None => format!(
                    "{} kWp × {} during day hours, the same in every month (no region given)",
                    p.solar_kwp, p.solar_day_factor
                ),
            };
            if pl.pv_islands {
                format!("solar {src}; surplus charges the battery")
            } else {
                format!("solar {src}, but disconnected in outages: no grid-forming battery or inverter")
            }
        },
        match &p.battery {
            Some(b) => format!(
                "battery {} kWh / {} kW, round-trip efficiency {}, {} % charged at the start, recharged from the grid at up to {} kW between outages; {}",
                b.kwh,
                b.kw,
                b.round_trip_efficiency,
                100.0 * b.initial_soc,
                b.kw,
                if b.grid_forming {
                    "grid-forming inverter"
                } else {
                    "grid-following inverter (does not bridge the changeover, PV off in outages)"
                }
            ),
            None => "no battery".into(),
        },
        format!(
            "fuel on site {} L, tank {} L",
            p.fuel_litres, pl.tank
        ),
        match &p.resupply {
            Some(r) => format!(
                "resupply {} L (up to the tank) every {} h from the outage start: in the Monte Carlo each delivery arrives with probability {}; 'autonomy h' counts fuel on site only, 'with resupply h' every delivery arriving",
                r.litres, r.interval_h, r.probability
            ),
            None => "no fuel resupply: every figure uses the fuel on site only".into(),
        },
        "autonomy hours: continuous outage from 1 January 00:00 (winter solar), no failures, energy only (the changeover gap counts in survival), capped at 8,760 h; litres per day over its first week".into(),
        format!(
            "year sweep: a continuous outage starting every {} h of the year, up to {horizon} h, nothing failing, deliveries as scheduled, energy only (REopt outage simulator); results by month and hour of day",
            p.sweep_every_h
        ),
        format!(
            "survival: {} seeded Monte Carlo trials per regime (seed {}), hourly steps, horizon {horizon} h, 95 % Wilson intervals",
            p.trials, p.seed
        ),
    ];
    for r in &p.regimes {
        a.push(format!("regime {}", regime_text(r)));
    }
    a
}
