//! A candidate allocation z (units per facility) with the running sums the moves need, and the
//! exact objective for a given z.

use crate::instance::{Prepared, tol};

/// Given z, the best y is a fractional knapsack on the single fuel row: cover facilities in
/// decreasing weight while fuel lasts. Returns (objective, fuel-marginal weight), where the
/// marginal weight is the weight of the facility that ran out of fuel (0 if fuel is not binding):
/// the value one more litre-per-hour of fuel would buy is marginal/a.
pub fn fill(prep: &Prepared, cap: &[f64], idle_total: f64) -> (f64, f64) {
    let mut budget = prep.fuel_h - idle_total;
    if budget < -tol(prep.fuel_h) {
        return (f64::NEG_INFINITY, 0.0);
    }
    budget = budget.max(0.0);
    let mut obj = 0.0;
    for &f in &prep.by_weight {
        let c = cap[f];
        if c <= 0.0 {
            continue;
        }
        let y = if prep.a > 0.0 {
            c.min(budget / prep.a)
        } else {
            c
        };
        obj += prep.w[f] * y;
        budget -= prep.a * y;
        if y < c {
            return (obj, prep.w[f]);
        }
    }
    (obj, 0.0)
}

/// The y of [`fill`], facility by facility.
pub fn covered(prep: &Prepared, cap: &[f64], idle_total: f64) -> Vec<f64> {
    let mut budget = (prep.fuel_h - idle_total).max(0.0);
    let mut y = vec![0.0; prep.nf];
    for &f in &prep.by_weight {
        let c = cap[f];
        if c <= 0.0 {
            continue;
        }
        let v = if prep.a > 0.0 {
            c.min(budget / prep.a)
        } else {
            c
        };
        y[f] = v.max(0.0);
        budget -= prep.a * y[f];
    }
    y
}

#[derive(Debug, Clone)]
pub struct State {
    /// Model index of every unit at facility f.
    pub units: Vec<Vec<usize>>,
    pub cap: Vec<f64>,
    pub used: Vec<u32>,
    pub transport: Vec<f64>,
    pub idle_total: f64,
}

impl State {
    pub fn empty(prep: &Prepared) -> Self {
        State {
            units: vec![Vec::new(); prep.nf],
            cap: vec![0.0; prep.nf],
            used: vec![0; prep.ns],
            transport: vec![0.0; prep.nregions()],
            idle_total: 0.0,
        }
    }

    pub fn cap_of(prep: &Prepared, f: usize, units: &[usize]) -> f64 {
        let s: f64 = units.iter().map(|&s| prep.m(f, s)).sum();
        s.min(prep.u[f])
    }

    /// Coverage at f if the multiset changes by adding `add` and removing one unit of `remove`.
    pub fn cap_with(
        &self,
        prep: &Prepared,
        f: usize,
        add: Option<usize>,
        remove: Option<usize>,
    ) -> f64 {
        let mut total: f64 = self.units[f].iter().map(|&s| prep.m(f, s)).sum();
        if let Some(s) = add {
            total += prep.m(f, s);
        }
        if let Some(s) = remove {
            total -= prep.m(f, s);
        }
        total.max(0.0).min(prep.u[f])
    }

    pub fn can_add(&self, prep: &Prepared, f: usize, s: usize, freed_slot: bool) -> bool {
        let slots = self.units[f].len() - usize::from(freed_slot);
        slots < prep.k as usize && self.used[s] < prep.n[s] && self.region_fits(prep, f, prep.p[s])
    }

    pub fn region_fits(&self, prep: &Prepared, f: usize, extra_kw: f64) -> bool {
        let r = prep.region[f];
        match prep.region_cap[r] {
            None => true,
            Some(t) => self.transport[r] + extra_kw <= t + tol(t),
        }
    }

    pub fn add(&mut self, prep: &Prepared, f: usize, s: usize) {
        self.units[f].push(s);
        self.used[s] += 1;
        self.transport[prep.region[f]] += prep.p[s];
        self.idle_total += prep.idle[s];
        self.cap[f] = Self::cap_of(prep, f, &self.units[f]);
    }

    pub fn remove(&mut self, prep: &Prepared, f: usize, s: usize) -> bool {
        let Some(pos) = self.units[f].iter().position(|&x| x == s) else {
            return false;
        };
        self.units[f].swap_remove(pos);
        self.used[s] -= 1;
        self.transport[prep.region[f]] -= prep.p[s];
        self.idle_total -= prep.idle[s];
        self.cap[f] = Self::cap_of(prep, f, &self.units[f]);
        true
    }

    pub fn objective(&self, prep: &Prepared) -> f64 {
        fill(prep, &self.cap, self.idle_total).0
    }

    /// Recomputes the running sums from `units`, removing float drift after many moves.
    pub fn rebuild(prep: &Prepared, units: Vec<Vec<usize>>) -> Self {
        let mut st = State::empty(prep);
        for (f, list) in units.into_iter().enumerate() {
            for s in list {
                st.add(prep, f, s);
            }
        }
        st
    }

    pub fn is_feasible(&self, prep: &Prepared) -> bool {
        (0..prep.ns).all(|s| self.used[s] <= prep.n[s])
            && self.units.iter().all(|u| u.len() <= prep.k as usize)
            && (0..prep.nregions())
                .all(|r| prep.region_cap[r].is_none_or(|t| self.transport[r] <= t + tol(t)))
            && self.idle_total <= prep.fuel_h + tol(prep.fuel_h)
            && self
                .units
                .iter()
                .enumerate()
                .all(|(f, list)| list.iter().all(|s| prep.allowed[f].contains(s)))
    }
}
