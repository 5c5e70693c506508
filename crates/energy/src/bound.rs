//! The upper bound: Lagrangian relaxation of the fleet-count, fuel and transport rows.
//!
//! For any multipliers μ_s, λ, ν_r ≥ 0, weak duality gives
//!   OPT ≤ Σ_s μ_s N_s + λ·F/H + Σ_r ν_r T_r + Σ_f max_{z_f, y_f} [ (w_f − λa)·y_f − Σ_s c_fs z_fs ]
//! with c_fs = μ_s + λ·idle_s + ν_{r(f)}·P_s, where the inner maximum keeps rows 1, 3, 4 and the
//! per-facility consequences of rows 2 and 6 (z_fs ≤ N_s, Σ_s P_s z_fs ≤ T_r) and is solved
//! *exactly over the integers* by enumeration. The bound therefore never exceeds the LP relaxation
//! at the LP's optimal duals and is valid for every multiplier vector, however badly optimised:
//! no LP solver output has to be trusted. Multipliers are tuned by a Polyak subgradient method.

use crate::instance::Prepared;

/// Lagrange multipliers in model units (value per unit, per L/h of fuel, per kW in a region).
#[derive(Debug, Clone)]
pub struct Prices {
    pub mu: Vec<f64>,
    pub lambda: f64,
    pub nu: Vec<f64>,
}

impl Prices {
    pub fn zero(prep: &Prepared) -> Self {
        Prices {
            mu: vec![0.0; prep.ns],
            lambda: 0.0,
            nu: vec![0.0; prep.nregions()],
        }
    }

    /// Reduced cost of placing one unit of s at f.
    #[inline]
    pub fn cost(&self, prep: &Prepared, f: usize, s: usize) -> f64 {
        self.mu[s] + self.lambda * prep.idle[s] + self.nu[prep.region[f]] * prep.p[s]
    }
}

/// The Lagrangian value (a valid upper bound) and the row usage of the inner maximiser.
#[derive(Debug, Clone)]
pub struct LagrangeValue {
    pub bound: f64,
    pub used: Vec<f64>,
    pub fuel: f64,
    pub region_kw: Vec<f64>,
}

/// Above this many enumeration nodes a facility's inner problem is bounded by a simple
/// relaxation instead (still valid, only weaker); it never triggers with few models and K ≤ 3.
const NODE_LIMIT: usize = 20_000;

pub fn evaluate(prep: &Prepared, prices: &Prices) -> LagrangeValue {
    let mut bound = prices.lambda * prep.fuel_h;
    for s in 0..prep.ns {
        bound += prices.mu[s] * f64::from(prep.n[s]);
    }
    for r in 0..prep.nregions() {
        if let Some(t) = prep.region_cap[r] {
            bound += prices.nu[r] * t;
        }
    }
    let mut used = vec![0.0; prep.ns];
    let mut fuel = 0.0;
    let mut region_kw = vec![0.0; prep.nregions()];
    let mut cand: Vec<Cand> = Vec::new();
    for f in 0..prep.nf {
        let g = prep.w[f] - prices.lambda * prep.a;
        if g <= 0.0 || prep.allowed[f].is_empty() {
            continue;
        }
        cand.clear();
        for &s in &prep.allowed[f] {
            let m = prep.m(f, s);
            let c = prices.cost(prep, f, s);
            // A unit whose cost exceeds the most it can add is never in an optimal inner solution.
            if c < g * m {
                cand.push(Cand {
                    s,
                    m,
                    c,
                    p: prep.p[s],
                    max: prep.n[s].min(prep.k),
                });
            }
        }
        if cand.is_empty() {
            continue;
        }
        let t_left = prep.region_cap[prep.region[f]].unwrap_or(f64::INFINITY);
        let mut search = Search {
            cand: &cand,
            g,
            u: prep.u[f],
            best: 0.0,
            best_set: Vec::new(),
            stack: Vec::new(),
            nodes: 0,
        };
        search.rec(0, prep.k, 0.0, 0.0, t_left);
        let value = if search.nodes > NODE_LIMIT {
            let ratio = cand.iter().map(|c| c.c / c.m).fold(f64::INFINITY, f64::min);
            let max_m = cand.iter().map(|c| c.m).fold(0.0, f64::max);
            (g - ratio).max(0.0) * prep.u[f].min(f64::from(prep.k) * max_m)
        } else {
            search.best
        };
        bound += value;
        let set = search.best_set;
        let cover: f64 = set
            .iter()
            .map(|&s| prep.m(f, s))
            .sum::<f64>()
            .min(prep.u[f]);
        for &s in &set {
            used[s] += 1.0;
            fuel += prep.idle[s];
            region_kw[prep.region[f]] += prep.p[s];
        }
        if !set.is_empty() {
            fuel += prep.a * cover;
        }
    }
    // Guard the last bits of floating-point rounding so the bound stays valid.
    bound *= 1.0 + 1e-12;
    LagrangeValue {
        bound,
        used,
        fuel,
        region_kw,
    }
}

struct Cand {
    s: usize,
    m: f64,
    c: f64,
    p: f64,
    max: u32,
}

struct Search<'a> {
    cand: &'a [Cand],
    g: f64,
    u: f64,
    best: f64,
    best_set: Vec<usize>,
    stack: Vec<usize>,
    nodes: usize,
}

impl Search<'_> {
    fn rec(&mut self, j: usize, k_left: u32, cover: f64, cost: f64, t_left: f64) {
        self.nodes += 1;
        let v = self.g * cover.min(self.u) - cost;
        if v > self.best {
            self.best = v;
            self.best_set.clone_from(&self.stack);
        }
        if j >= self.cand.len() || k_left == 0 || cover >= self.u || self.nodes > NODE_LIMIT {
            return;
        }
        // Skip model j entirely, or take 1, 2, … of it.
        self.rec(j + 1, k_left, cover, cost, t_left);
        let c = &self.cand[j];
        let mut taken = 0;
        let (mut cv, mut co, mut tl) = (cover, cost, t_left);
        while taken < c.max.min(k_left) && c.p <= tl + crate::instance::tol(tl) && cv < self.u {
            taken += 1;
            cv += c.m;
            co += c.c;
            tl -= c.p;
            self.stack.push(c.s);
            self.rec(j + 1, k_left - taken, cv, co, tl);
        }
        for _ in 0..taken {
            self.stack.pop();
        }
    }
}

/// Polyak subgradient step on the normalised rows. `target` is the best known plan value.
/// Returns false when the inner maximiser is feasible for every relaxed row and complementary,
/// i.e. nothing left to move.
pub fn step(
    prep: &Prepared,
    prices: &mut Prices,
    val: &LagrangeValue,
    target: f64,
    theta: f64,
) -> bool {
    // Normalised slack of each relaxed row (rhs − lhs)/scale: a subgradient of the dual function
    // in the coordinates v = multiplier·scale.
    let mut g2 = 0.0;
    let mut gs = vec![0.0; prep.ns];
    for s in 0..prep.ns {
        let scale = f64::from(prep.n[s].max(1));
        gs[s] = (f64::from(prep.n[s]) - val.used[s]) / scale;
        if prices.mu[s] > 0.0 || gs[s] < 0.0 {
            g2 += gs[s] * gs[s];
        }
    }
    let fscale = prep.fuel_h.max(1.0);
    let gf = (prep.fuel_h - val.fuel) / fscale;
    if prices.lambda > 0.0 || gf < 0.0 {
        g2 += gf * gf;
    }
    let mut gr = vec![0.0; prep.nregions()];
    for r in 0..prep.nregions() {
        if let Some(t) = prep.region_cap[r] {
            gr[r] = (t - val.region_kw[r]) / t.max(1.0);
            if prices.nu[r] > 0.0 || gr[r] < 0.0 {
                g2 += gr[r] * gr[r];
            }
        }
    }
    if g2 <= 1e-18 {
        return false;
    }
    let t = theta * (val.bound - target).max(1e-9 * val.bound.abs().max(1.0)) / g2;
    for s in 0..prep.ns {
        let scale = f64::from(prep.n[s].max(1));
        prices.mu[s] = (prices.mu[s] - t * gs[s] / scale).max(0.0);
    }
    prices.lambda = (prices.lambda - t * gf / fscale).max(0.0);
    for r in 0..prep.nregions() {
        if let Some(tr) = prep.region_cap[r] {
            prices.nu[r] = (prices.nu[r] - t * gr[r] / tr.max(1.0)).max(0.0);
        }
    }
    true
}
