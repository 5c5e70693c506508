//! The upper bound of a version 2 plan: Lagrangian relaxation of the fleet rows (3), the
//! regional fuel rows (6) and the regional installation rows (7).
//!
//! For any μ_s, λ_r, ν_r ≥ 0 weak duality gives
//!   OPT ≤ C + Σ_s μ_s N_s + Σ_r (λ_r F_r/o_r + ν_r I_r)
//!       + Σ_f max_{z_f} [ h_f(Σ_s U_s z_{f,s}; λ_r a) − Σ_s (μ_s + λ_r a_s + ν_r) z_{f,s} ]
//! where C is the value carried by own backup, and h_f(c; π) = Σ over f's load pieces above
//! E_f of (rate − π)⁺ · (the part of the piece within c): the best service of c donated kW when
//! each kW carried costs π. The inner maximum keeps rows 1, 2, 4 and 5 and is solved exactly
//! over the integers by enumeration (few models, few units per site), so the bound holds for
//! every multiplier vector: no LP solver's output has to be trusted. Multipliers are tuned by a
//! Polyak subgradient method.

use crate::v2::model::{Prep, facility_value};

#[derive(Debug, Clone)]
pub struct Prices {
    pub mu: Vec<f64>,
    /// Per litre per outage hour in region r.
    pub lambda: Vec<f64>,
    pub nu: Vec<f64>,
}

impl Prices {
    pub fn zero(prep: &Prep) -> Self {
        Prices {
            mu: vec![0.0; prep.ns],
            lambda: vec![0.0; prep.nr],
            nu: vec![0.0; prep.nr],
        }
    }

    #[inline]
    pub fn cost(&self, prep: &Prep, f: usize, s: usize) -> f64 {
        let r = prep.region[f];
        self.mu[s] + self.lambda[r] * prep.idle[s] + self.nu[r]
    }
}

#[derive(Debug, Clone)]
pub struct LagrangeValue {
    pub bound: f64,
    pub used: Vec<f64>,
    pub fuel: Vec<f64>,
    pub installed: Vec<f64>,
}

/// Above this many enumeration nodes a facility's inner problem is bounded by a simple
/// relaxation instead (still valid, only weaker).
const NODE_LIMIT: usize = 20_000;

pub fn evaluate(prep: &Prep, prices: &Prices) -> LagrangeValue {
    let mut bound = prep.constant();
    for s in 0..prep.ns {
        bound += prices.mu[s] * f64::from(prep.n[s]);
    }
    for r in 0..prep.nr {
        if prep.fuel_h[r].is_finite() {
            bound += prices.lambda[r] * prep.fuel_h[r];
        }
        bound += prices.nu[r] * f64::from(prep.install[r]);
    }
    let mut used = vec![0.0; prep.ns];
    let mut fuel = vec![0.0; prep.nr];
    let mut installed = vec![0.0; prep.nr];
    let mut cand: Vec<Cand> = Vec::new();
    for f in 0..prep.nf {
        if prep.allowed[f].is_empty() {
            continue;
        }
        let r = prep.region[f];
        let price = prices.lambda[r] * prep.a;
        let pieces = &prep.pieces[f];
        cand.clear();
        for &s in &prep.allowed[f] {
            let m = prep.m(f, s);
            let c = prices.cost(prep, f, s);
            // A unit costing more than the most it can add alone is never in an optimal inner
            // solution (h is concave in c).
            if c < facility_value(pieces, m, price).0 {
                cand.push(Cand {
                    s,
                    m,
                    c,
                    max: prep.n[s].min(prep.k),
                });
            }
        }
        if cand.is_empty() {
            continue;
        }
        let mut search = Search {
            cand: &cand,
            pieces,
            price,
            room: prep.room[f],
            best: 0.0,
            best_set: Vec::new(),
            stack: Vec::new(),
            nodes: 0,
        };
        search.rec(0, prep.k, 0.0, 0.0);
        if search.nodes > NODE_LIMIT {
            // Every kW carried costs at least the cheapest cost per kW of any candidate.
            let ratio = cand.iter().map(|c| c.c / c.m).fold(f64::INFINITY, f64::min);
            let max_m = cand.iter().map(|c| c.m).fold(0.0, f64::max);
            let reach = prep.room[f].min(f64::from(prep.k) * max_m);
            bound += facility_value(pieces, reach, price + ratio.max(0.0)).0;
        } else {
            bound += search.best;
        }
        let set = search.best_set;
        let cap: f64 = set.iter().map(|&s| prep.u[s]).sum();
        for &s in &set {
            used[s] += 1.0;
            fuel[r] += prep.idle[s];
            installed[r] += 1.0;
        }
        if !set.is_empty() {
            fuel[r] += prep.a * facility_value(pieces, cap, price).1;
        }
    }
    // Guard the last bits of floating-point rounding so the bound stays valid.
    bound *= 1.0 + 1e-12;
    LagrangeValue {
        bound,
        used,
        fuel,
        installed,
    }
}

struct Cand {
    s: usize,
    m: f64,
    c: f64,
    max: u32,
}

struct Search<'a> {
    cand: &'a [Cand],
    pieces: &'a [(f64, f64, crate::v2::instance::Tier)],
    price: f64,
    room: f64,
    best: f64,
    best_set: Vec<usize>,
    stack: Vec<usize>,
    nodes: usize,
}

impl Search<'_> {
    fn rec(&mut self, j: usize, k_left: u32, cover: f64, cost: f64) {
        self.nodes += 1;
        let v = facility_value(self.pieces, cover, self.price).0 - cost;
        if v > self.best {
            self.best = v;
            self.best_set.clone_from(&self.stack);
        }
        if j >= self.cand.len() || k_left == 0 || cover >= self.room || self.nodes > NODE_LIMIT {
            return;
        }
        self.rec(j + 1, k_left, cover, cost);
        let c = &self.cand[j];
        let mut taken = 0;
        let (mut cv, mut co) = (cover, cost);
        while taken < c.max.min(k_left) && cv < self.room {
            taken += 1;
            cv += c.m;
            co += c.c;
            self.stack.push(c.s);
            self.rec(j + 1, k_left - taken, cv, co);
        }
        for _ in 0..taken {
            self.stack.pop();
        }
    }
}

/// Polyak subgradient step on the normalised rows; false when nothing is left to move.
pub fn step(
    prep: &Prep,
    prices: &mut Prices,
    val: &LagrangeValue,
    target: f64,
    theta: f64,
) -> bool {
    let mut g2 = 0.0;
    let gs: Vec<f64> = (0..prep.ns)
        .map(|s| (f64::from(prep.n[s]) - val.used[s]) / f64::from(prep.n[s].max(1)))
        .collect();
    for s in 0..prep.ns {
        if prices.mu[s] > 0.0 || gs[s] < 0.0 {
            g2 += gs[s] * gs[s];
        }
    }
    let mut gf = vec![0.0; prep.nr];
    let mut gi = vec![0.0; prep.nr];
    for r in 0..prep.nr {
        if prep.fuel_h[r].is_finite() {
            gf[r] = (prep.fuel_h[r] - val.fuel[r]) / prep.fuel_h[r].max(1.0);
            if prices.lambda[r] > 0.0 || gf[r] < 0.0 {
                g2 += gf[r] * gf[r];
            }
        }
        let cap = f64::from(prep.install[r]);
        gi[r] = (cap - val.installed[r]) / cap.max(1.0);
        if prices.nu[r] > 0.0 || gi[r] < 0.0 {
            g2 += gi[r] * gi[r];
        }
    }
    if g2 <= 1e-18 {
        return false;
    }
    let t = theta * (val.bound - target).max(1e-9 * val.bound.abs().max(1.0)) / g2;
    for s in 0..prep.ns {
        prices.mu[s] = (prices.mu[s] - t * gs[s] / f64::from(prep.n[s].max(1))).max(0.0);
    }
    for r in 0..prep.nr {
        if prep.fuel_h[r].is_finite() {
            prices.lambda[r] = (prices.lambda[r] - t * gf[r] / prep.fuel_h[r].max(1.0)).max(0.0);
        }
        let cap = f64::from(prep.install[r]).max(1.0);
        prices.nu[r] = (prices.nu[r] - t * gi[r] / cap).max(0.0);
    }
    true
}
