//! Sweeps and Monte Carlo over [`Plant::run`]: outage starts at every hour of the year (REopt's
//! outage simulator) and seeded random trials per outage regime with generator failures (REopt's
//! backup-reliability model), with 95 % confidence intervals.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::solar::{HOURS_PER_YEAR, month_of};
use super::{Drive, Plant};
use crate::autonomy::{Regime, TIERS, Tier};

/// Share of starts that rode through a duration, per tier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DurationShare {
    pub duration_h: u32,
    pub p: f64,
}

/// One tier's results of the sweep of continuous outages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepTier {
    pub tier: Tier,
    /// Hours ridden through, capped at the sweep horizon: worst, mean and best start.
    pub min_h: f64,
    pub mean_h: f64,
    pub max_h: f64,
    pub p_survive: Vec<DurationShare>,
    /// Mean hours ridden through for outages starting in each month (January first).
    pub by_month_mean_h: Vec<f64>,
    /// Mean hours ridden through for outages starting at each hour of the day (0–23).
    pub by_hour_mean_h: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sweep {
    pub horizon_h: u32,
    pub starts: u32,
    pub every_h: u32,
    pub tiers: Vec<SweepTier>,
}

/// A continuous outage started at every `every_h`-th hour of the year, nothing failing,
/// deliveries arriving as scheduled; each tier with everything of lower priority shed.
pub fn sweep(plant: &Plant, horizon: usize, every_h: usize, durations: &[u32]) -> Sweep {
    let off = |_k: usize| true;
    let starts: Vec<usize> = (0..HOURS_PER_YEAR).step_by(every_h.max(1)).collect();
    let mut tiers = Vec::new();
    for (lv, &tier) in TIERS.iter().enumerate() {
        let mut hours = Vec::with_capacity(starts.len());
        let mut month = [(0.0, 0u32); 12];
        let mut hod = [(0.0, 0u32); 24];
        for &s in &starts {
            let o = plant.run(Drive {
                start: s,
                horizon,
                off: &off,
                level: lv,
                stop_at_failure: true,
                rng: None,
                resupply: true,
                changeover: false,
            });
            let h = o.first_fail[lv] as f64;
            hours.push(h);
            let m = &mut month[month_of(s)];
            m.0 += h;
            m.1 += 1;
            let d = &mut hod[s % 24];
            d.0 += h;
            d.1 += 1;
        }
        let n = hours.len().max(1) as f64;
        let mean_of = |(sum, c): (f64, u32)| if c > 0 { sum / f64::from(c) } else { 0.0 };
        tiers.push(SweepTier {
            tier,
            min_h: hours.iter().copied().fold(f64::INFINITY, f64::min),
            mean_h: hours.iter().sum::<f64>() / n,
            max_h: hours.iter().copied().fold(0.0, f64::max),
            p_survive: durations
                .iter()
                .map(|&d| DurationShare {
                    duration_h: d,
                    p: hours.iter().filter(|&&h| h >= f64::from(d)).count() as f64 / n,
                })
                .collect(),
            by_month_mean_h: month.into_iter().map(mean_of).collect(),
            by_hour_mean_h: hod.into_iter().map(mean_of).collect(),
        });
    }
    Sweep {
        horizon_h: horizon as u32,
        starts: starts.len() as u32,
        every_h: every_h.max(1) as u32,
        tiers,
    }
}

/// The 95 % Wilson score interval for `s` successes in `n` trials.
pub fn wilson(s: u32, n: u32) -> [f64; 2] {
    if n == 0 {
        return [0.0, 1.0];
    }
    let (z, n, p) = (1.96_f64, f64::from(n), f64::from(s) / f64::from(n));
    let den = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / den;
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / den;
    [(centre - half).max(0.0), (centre + half).min(1.0)]
}

/// Monte Carlo results of one regime.
#[derive(Debug, Clone, PartialEq)]
pub struct McResult {
    /// survived[duration index][tier]
    pub survived: Vec<[u32; 3]>,
    /// Mean and 95 % half-width of unserved kWh per tier over the horizon (whole load attempted).
    pub unserved_mean: [f64; 3],
    pub unserved_half: [f64; 3],
}

/// Which hours of a trial the grid is down, and the hour of the year the trial starts at.
pub fn grid_pattern(r: &Regime, horizon: usize, rng: &mut ChaCha8Rng) -> (usize, Vec<bool>) {
    let mut off = vec![false; horizon];
    if let Some(s) = &r.schedule {
        // Published schedules follow the clock: start at midnight of a random day of the year,
        // on a random day of the cycle.
        let day = rng.random_range(0..365usize);
        let cycle = rng.random_range(0..s.days.len());
        for (k, o) in off.iter_mut().enumerate() {
            *o = s.is_off(k + 24 * cycle);
        }
        return (day * 24, off);
    }
    let start = rng.random_range(0..HOURS_PER_YEAR);
    let days = horizon.div_ceil(24);
    let block = r.rolling_hours_off_per_day as usize;
    for d in 0..days {
        if block > 0 {
            let s = if block >= 24 {
                0
            } else {
                rng.random_range(0..24)
            };
            let a = (d * 24 + s).min(horizon);
            off[a..(d * 24 + s + block).min(horizon)].fill(true);
        }
        if r.strike_probability_per_day > 0.0 && rng.random_bool(r.strike_probability_per_day) {
            let len = rng.random_range(r.strike_outage_h[0]..=r.strike_outage_h[1]) as usize;
            let s = d * 24 + rng.random_range(0..24);
            let a = s.min(horizon);
            off[a..(s + len).min(horizon)].fill(true);
        }
    }
    (start, off)
}

/// `trials` seeded trials of one regime. Every tier sees the same grid pattern, failures and
/// deliveries in a trial (common random numbers), so the tiers' figures are comparable.
pub fn monte_carlo(
    plant: &Plant,
    regime: &Regime,
    seed: u64,
    trials: u32,
    horizon: usize,
    durations: &[u32],
) -> McResult {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut survived = vec![[0u32; 3]; durations.len()];
    let mut sum = [0.0; 3];
    let mut sum2 = [0.0; 3];
    for _ in 0..trials {
        let (start, pattern) = grid_pattern(regime, horizon, &mut rng);
        let off = |k: usize| pattern[k];
        let mut ff = [0usize; 3];
        let mut furthest = rng.get_word_pos();
        for lv in 0..3 {
            let mut r = rng.clone();
            let o = plant.run(Drive {
                start,
                horizon,
                off: &off,
                level: lv,
                stop_at_failure: lv < 2,
                rng: Some(&mut r),
                resupply: true,
                changeover: true,
            });
            ff[lv] = o.first_fail[lv];
            if lv == 2 {
                for t in 0..3 {
                    sum[t] += o.unserved_kwh[t];
                    sum2[t] += o.unserved_kwh[t] * o.unserved_kwh[t];
                }
            }
            furthest = furthest.max(r.get_word_pos());
        }
        rng.set_word_pos(furthest);
        for (di, &d) in durations.iter().enumerate() {
            for lv in 0..3 {
                if ff[lv] >= d as usize {
                    survived[di][lv] += 1;
                }
            }
        }
    }
    let n = f64::from(trials.max(1));
    let mut mean = [0.0; 3];
    let mut half = [0.0; 3];
    for t in 0..3 {
        mean[t] = sum[t] / n;
        let var = (sum2[t] / n - mean[t] * mean[t]).max(0.0);
        half[t] = 1.96 * (var / n).sqrt();
    }
    McResult {
        survived,
        unserved_mean: mean,
        unserved_half: half,
    }
}
