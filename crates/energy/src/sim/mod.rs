//! The hourly outage simulator behind `energy autonomy` (REopt's outage simulator extended
//! with random generator failures, as its backup-reliability model does).
//!
//! One step is one hour. While the grid is up the battery recharges. In an outage hour, in
//! order: solar (only if a battery or a grid-forming inverter keeps the island alive) serves the
//! load and its surplus charges the battery; the generators that are up run for the rest, fuel =
//! slope·max(load, turndown·kW) + idle per running set, and spare generator power charges the
//! battery; the battery covers what is left; anything still missing is shed from the lowest
//! tier up (`essential`/`other` first, life support last). At each outage start the changeover
//! gap (generator start and transfer, `changeover_s`) interrupts every tier whose tolerance is
//! shorter, unless UPS or battery power carries it.

pub mod assess;
pub mod plan_units;
pub mod run;
pub mod schedule;
pub mod solar;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use solar::HOURS_PER_YEAR;

/// Longest changeover each tier tolerates, seconds: 0.5 s (IEC 60364-7-710 group 2) for life
/// support, 15 s (IEC 710 safety services; NFPA 99 10 s) for critical, no limit for the rest.
pub const TOLERANCE_S: [f64; 3] = [0.5, 15.0, f64::INFINITY];

/// Average load below which a diesel set wet-stacks (NFPA 110 monthly test minimum, 30 %).
pub const WET_STACK_BELOW: f64 = 0.3;

const EPS: f64 = 1e-9;

#[derive(Debug, Clone)]
pub struct Unit {
    pub name: String,
    pub kw: f64,
    pub idle: f64,
    pub turndown: f64,
    pub fts: f64,
    pub availability: f64,
    pub fail_per_h: f64,
}

#[derive(Debug, Clone)]
pub struct Bat {
    pub kwh: f64,
    pub kw: f64,
    /// √ round-trip efficiency, applied on charge and on discharge.
    pub eta: f64,
    pub soc0_kwh: f64,
    /// A grid-forming battery inverter bridges the changeover and keeps PV connected.
    pub grid_forming: bool,
}

#[derive(Debug, Clone)]
pub struct Resup {
    pub interval_h: f64,
    pub litres: f64,
    pub probability: f64,
}

/// Everything a run needs, precomputed from a profile.
#[derive(Debug, Clone)]
pub struct Plant {
    /// Non-cumulative kW per tier for each hour of the day.
    pub load: [[f64; 3]; 24],
    /// PV kW for each hour of the year (empty: no PV).
    pub solar: Vec<f64>,
    /// PV keeps running in an outage (battery with grid-forming inverter, or a grid-forming PV
    /// inverter); otherwise anti-islanding disconnects it.
    pub pv_islands: bool,
    pub units: Vec<Unit>,
    pub battery: Option<Bat>,
    pub ups_kw: f64,
    pub changeover_s: f64,
    pub fuel: f64,
    pub tank: f64,
    pub resupply: Option<Resup>,
    pub slope: f64,
}

/// What one run produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Per tier, the first hour (from the run start) it was not fully served or was interrupted
    /// at a changeover; `horizon` if never. A tier counts as failed when any tier of higher
    /// priority fails too.
    pub first_fail: [usize; 3],
    pub unserved_kwh: [f64; 3],
    /// Litres burned in the first 168 h (or the whole run if shorter) and the hours that covers
    /// (the hour fuel runs out counts for the share of it the sets ran).
    pub fuel_week: f64,
    pub week_hours: f64,
    /// Per unit: hours run and kWh delivered.
    pub unit_hours: Vec<f64>,
    pub unit_kwh: Vec<f64>,
}

/// How a run is driven.
pub struct Drive<'a> {
    /// Hour of the year the run starts at (solar).
    pub start: usize,
    pub horizon: usize,
    /// Grid off in run hour k.
    pub off: &'a dyn Fn(usize) -> bool,
    /// Serve tiers 0..=level; lower tiers are shed from the start.
    pub level: usize,
    /// Stop as soon as the lowest-priority served tier has failed (autonomy and sweeps; not for
    /// unserved kWh).
    pub stop_at_failure: bool,
    /// Deliveries arrive as scheduled when `None`; with a generator they arrive with their
    /// probability (and units fail at random).
    pub rng: Option<&'a mut ChaCha8Rng>,
    /// Count resupply deliveries at all.
    pub resupply: bool,
    /// Count the changeover gap as an interruption (survival); autonomy hours and the sweep
    /// measure energy only.
    pub changeover: bool,
}

impl Plant {
    pub fn solar_at(&self, hour_of_year: usize) -> f64 {
        if self.pv_islands && !self.solar.is_empty() {
            self.solar[hour_of_year % HOURS_PER_YEAR]
        } else {
            0.0
        }
    }

    pub fn run(&self, mut d: Drive<'_>) -> Outcome {
        let n = self.units.len();
        let mut out = Outcome {
            first_fail: [d.horizon; 3],
            unserved_kwh: [0.0; 3],
            fuel_week: 0.0,
            week_hours: 0.0,
            unit_hours: vec![0.0; n],
            unit_kwh: vec![0.0; n],
        };
        let mut fuel = self.fuel;
        let (bkwh, bkw, eta, gf) = self.battery.as_ref().map_or((0.0, 0.0, 1.0, false), |b| {
            (b.kwh, b.kw, b.eta, b.grid_forming)
        });
        let mut soc = self.battery.as_ref().map_or(0.0, |b| b.soc0_kwh);
        let mut up = vec![true; n];
        // Buffers reused every hour: the Monte Carlo runs millions of hours.
        let mut by_kw_desc: Vec<usize> = (0..n).collect();
        by_kw_desc.sort_by(|&a, &b| self.units[b].kw.total_cmp(&self.units[a].kw));
        let mut running: Vec<usize> = Vec::with_capacity(n);
        let mut next_resupply = self.resupply.as_ref().map(|r| r.interval_h);
        let mut was_off = false;
        let fail = |ff: &mut [usize; 3], from: usize, k: usize| {
            for f in ff.iter_mut().skip(from) {
                *f = (*f).min(k);
            }
        };
        for k in 0..d.horizon {
            let hoy = (d.start + k) % HOURS_PER_YEAR;
            if d.resupply
                && let (Some(t), Some(r)) = (next_resupply, &self.resupply)
                && (k as f64) >= t
            {
                let arrives = match d.rng.as_deref_mut() {
                    Some(rng) => rng.random_bool(r.probability),
                    None => true,
                };
                if arrives {
                    fuel = (fuel + r.litres).min(self.tank).max(fuel);
                }
                next_resupply = Some(t + r.interval_h);
            }
            let mut l = self.load[hoy % 24];
            for (t, v) in l.iter_mut().enumerate() {
                if t > d.level {
                    *v = 0.0;
                }
            }
            if !(d.off)(k) {
                was_off = false;
                up.iter_mut().for_each(|u| *u = true);
                soc += (bkw.min((bkwh - soc).max(0.0) / eta)) * eta;
                if k < 168 {
                    out.week_hours += 1.0;
                }
                continue;
            }
            if !was_off {
                // Outage starts: units may be out of service or fail to start.
                if let Some(rng) = d.rng.as_deref_mut() {
                    for (i, u) in self.units.iter().enumerate() {
                        up[i] = rng.random_bool(u.availability) && !rng.random_bool(u.fts);
                    }
                }
                // The changeover gap: only UPS (life support) and a grid-forming battery bridge.
                let bat_bridge = if !d.changeover {
                    f64::INFINITY
                } else if gf && soc > EPS {
                    bkw
                } else {
                    0.0
                };
                let mut need_bat = (l[0] - self.ups_kw).max(0.0);
                for t in 0..=d.level {
                    if t > 0 {
                        need_bat += l[t];
                    }
                    if TOLERANCE_S[t] < self.changeover_s && need_bat > bat_bridge + EPS {
                        fail(&mut out.first_fail, t, k);
                        break;
                    }
                }
            }
            was_off = true;
            let demand: f64 = l.iter().sum();
            let pv = self.solar_at(hoy);
            let net = demand - pv;
            let mut short = 0.0;
            let mut frac = 1.0;
            let mut hour_share = 1.0;
            if net <= 0.0 {
                soc += (-net).min(bkw).min((bkwh - soc).max(0.0) / eta) * eta;
            } else {
                dispatch_into(&self.units, &up, &by_kw_desc, net, &mut running);
                let cap: f64 = running.iter().map(|&i| self.units[i].kw).sum();
                let mut gen_out = net.min(cap);
                let mut charge = if running.is_empty() {
                    0.0
                } else {
                    (cap - gen_out).min(bkw).min((bkwh - soc).max(0.0) / eta)
                };
                let need: f64 = running
                    .iter()
                    .map(|&i| {
                        let u = &self.units[i];
                        let o = (gen_out + charge) * u.kw / cap;
                        self.slope * o.max(u.turndown * u.kw) + u.idle
                    })
                    .sum();
                if need > fuel + EPS {
                    // Fuel runs out within the hour: the sets run for the share it lasts.
                    frac = if need > 0.0 { fuel / need } else { 0.0 };
                    // An hour that starts with an empty tank is served (or not) by the battery
                    // and solar for all of it.
                    hour_share = if fuel > 0.0 { frac } else { 1.0 };
                    gen_out *= frac;
                    charge *= frac;
                    if k < 168 {
                        out.fuel_week += fuel;
                    }
                    fuel = 0.0;
                } else {
                    fuel -= need;
                    if k < 168 {
                        out.fuel_week += need;
                    }
                }
                for &i in &running {
                    out.unit_hours[i] += frac;
                    out.unit_kwh[i] += (gen_out + charge) * self.units[i].kw / cap;
                }
                soc += charge * eta;
                let rem = net - gen_out;
                let dis = rem.min(bkw).min(soc * eta);
                soc = (soc - dis / eta).max(0.0);
                short = rem - dis;
                if let Some(rng) = d.rng.as_deref_mut() {
                    for &i in &running {
                        if rng.random_bool(self.units[i].fail_per_h) {
                            up[i] = false;
                        }
                    }
                }
            }
            if k < 168 {
                out.week_hours += hour_share;
            }
            if short > 1e-6 {
                // Shed from the lowest tier up.
                for t in (0..3).rev() {
                    let cut = short.min(l[t]);
                    if cut > 0.0 {
                        out.unserved_kwh[t] += cut;
                        short -= cut;
                        fail(&mut out.first_fail, t, k);
                    }
                    if short <= 1e-6 {
                        break;
                    }
                }
            }
            // A failure of any tier marks every lower-priority tier too, so the served tier with
            // the lowest priority is the last to fail.
            if d.stop_at_failure && out.first_fail[d.level] < d.horizon {
                break;
            }
        }
        out
    }
}

/// Units to run for `load` kW into `out`: the smallest single unit that is up and carries it
/// (least idle fuel), or else the largest units that are up until the load is covered.
/// `by_kw_desc` lists the units by rating, largest first (ties in input order).
pub fn dispatch_into(
    units: &[Unit],
    up: &[bool],
    by_kw_desc: &[usize],
    load: f64,
    out: &mut Vec<usize>,
) {
    out.clear();
    if load <= 0.0 {
        return;
    }
    let mut best: Option<usize> = None;
    for &i in by_kw_desc {
        if up[i] && units[i].kw >= load && best.is_none_or(|b| units[i].kw < units[b].kw) {
            best = Some(i);
        }
    }
    if let Some(b) = best {
        out.push(b);
        return;
    }
    let mut cap = 0.0;
    for &i in by_kw_desc {
        if cap >= load {
            break;
        }
        if up[i] {
            cap += units[i].kw;
            out.push(i);
        }
    }
}
