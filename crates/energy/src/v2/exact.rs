//! Exact depth-first branch and bound for small version 2 instances, to prove optimality where
//! the Lagrangian duality gap leaves the bound above the optimum (as `crate::exact` does for
//! version 1).
//!
//! Each facility in turn is fixed to one configuration (multiset of at most K units, never more
//! than its load above own backup needs). The node bound is the Lagrangian of `v2/bound.rs` at
//! fixed multipliers with the fixed facilities restricted to their configuration: by the same
//! weak-duality argument it bounds every completion. Leaves are evaluated exactly, region by
//! region. If the search finishes, no plan beats the incumbent by more than a relative 1e-9.

use std::time::Instant;

use crate::instance::tol;
use crate::v2::bound::Prices;
use crate::v2::model::{Prep, Scratch, State, facility_value, region_value};

const MAX_CONFIGS: usize = 400;
pub const MAX_FACILITIES: usize = 150;

struct Config {
    units: Vec<usize>,
    term: f64,
    cap: f64,
    idle: f64,
}

/// Some(best plan, proven) if the search ran.
pub fn search(
    prep: &Prep,
    prices: &Prices,
    incumbent: &State,
    deadline: Instant,
    node_limit: u64,
) -> Option<(State, bool)> {
    if prep.nf > MAX_FACILITIES {
        return None;
    }
    let mut base = prep.constant();
    for s in 0..prep.ns {
        base += prices.mu[s] * f64::from(prep.n[s]);
    }
    for r in 0..prep.nr {
        if prep.fuel_h[r].is_finite() {
            base += prices.lambda[r] * prep.fuel_h[r];
        }
        base += prices.nu[r] * f64::from(prep.install[r]);
    }
    let mut configs: Vec<Vec<Config>> = Vec::with_capacity(prep.nf);
    for f in 0..prep.nf {
        let mut list = Vec::new();
        let mut stack = Vec::new();
        enumerate(prep, f, 0, &mut stack, &mut list);
        if list.len() > MAX_CONFIGS {
            return None;
        }
        let price = prices.lambda[prep.region[f]] * prep.a;
        let mut out: Vec<Config> = list
            .into_iter()
            .map(|units| {
                let cap: f64 = units.iter().map(|&s| prep.u[s]).sum();
                let cost: f64 = units.iter().map(|&s| prices.cost(prep, f, s)).sum();
                Config {
                    term: facility_value(&prep.pieces[f], cap, price).0 - cost,
                    cap,
                    idle: units.iter().map(|&s| prep.idle[s]).sum(),
                    units,
                }
            })
            .collect();
        out.sort_by(|a, b| b.term.total_cmp(&a.term));
        configs.push(out);
    }
    let best = |f: usize| configs[f].first().map_or(0.0, |c| c.term.max(0.0));
    let mut order: Vec<usize> = (0..prep.nf).collect();
    order.sort_by(|&a, &b| best(b).total_cmp(&best(a)));
    let mut suffix = vec![0.0; prep.nf + 1];
    for d in (0..prep.nf).rev() {
        suffix[d] = suffix[d + 1] + best(order[d]);
    }
    let mut bb = Bb {
        prep,
        configs: &configs,
        order: &order,
        suffix: &suffix,
        base,
        used: vec![0; prep.ns],
        installed: vec![0; prep.nr],
        idle: vec![0.0; prep.nr],
        cap: vec![0.0; prep.nf],
        choice: vec![0; prep.nf],
        best_obj: incumbent.objective(prep),
        best_choice: None,
        nodes: 0,
        node_limit,
        deadline,
        aborted: false,
        scratch: Scratch::default(),
    };
    bb.dfs(0, 0.0);
    let proven = !bb.aborted;
    let state = match bb.best_choice {
        Some(choice) => {
            let units = (0..prep.nf)
                .map(|f| configs[f][choice[f]].units.clone())
                .collect();
            State::rebuild(prep, units)
        }
        None => incumbent.clone(),
    };
    Some((state, proven))
}

fn enumerate(
    prep: &Prep,
    f: usize,
    from: usize,
    stack: &mut Vec<usize>,
    out: &mut Vec<Vec<usize>>,
) {
    out.push(stack.clone());
    if out.len() > MAX_CONFIGS || stack.len() >= prep.k as usize {
        return;
    }
    let cap: f64 = stack.iter().map(|&s| prep.u[s]).sum();
    // More units once the load above own backup is carried only cost fuel.
    if cap >= prep.room[f] {
        return;
    }
    for j in from..prep.allowed[f].len() {
        let s = prep.allowed[f][j];
        let already = stack.iter().filter(|&&x| x == s).count() as u32;
        if already >= prep.n[s] {
            continue;
        }
        stack.push(s);
        enumerate(prep, f, j, stack, out);
        stack.pop();
        if out.len() > MAX_CONFIGS {
            return;
        }
    }
}

struct Bb<'a> {
    prep: &'a Prep,
    configs: &'a [Vec<Config>],
    order: &'a [usize],
    suffix: &'a [f64],
    base: f64,
    used: Vec<u32>,
    installed: Vec<u32>,
    idle: Vec<f64>,
    cap: Vec<f64>,
    choice: Vec<usize>,
    best_obj: f64,
    best_choice: Option<Vec<usize>>,
    nodes: u64,
    node_limit: u64,
    deadline: Instant,
    aborted: bool,
    scratch: Scratch,
}

impl Bb<'_> {
    fn dfs(&mut self, d: usize, partial: f64) {
        if self.aborted {
            return;
        }
        self.nodes += 1;
        if self.nodes > self.node_limit
            || (self.nodes.is_multiple_of(4096) && Instant::now() >= self.deadline)
        {
            self.aborted = true;
            return;
        }
        let prep = self.prep;
        if d == prep.nf {
            let mut obj = prep.constant();
            for r in 0..prep.nr {
                obj += region_value(prep, &self.cap, r, self.idle[r], &[], &mut self.scratch);
            }
            if obj > self.best_obj {
                self.best_obj = obj;
                self.best_choice = Some(self.choice.clone());
            }
            return;
        }
        let f = self.order[d];
        let r = prep.region[f];
        for ci in 0..self.configs[f].len() {
            let c = &self.configs[f][ci];
            let bound = (self.base + partial + c.term + self.suffix[d + 1]) * (1.0 + 1e-12);
            if bound <= self.best_obj * (1.0 + 1e-9) {
                // Configurations are sorted by term: the rest are no better.
                break;
            }
            let n = c.units.len() as u32;
            if self.installed[r] + n > prep.install[r]
                || self.idle[r] + c.idle > prep.fuel_h[r] + tol(prep.fuel_h[r])
                || c.units.iter().any(|&s| {
                    self.used[s] + c.units.iter().filter(|&&x| x == s).count() as u32 > prep.n[s]
                })
            {
                continue;
            }
            for &s in &c.units {
                self.used[s] += 1;
            }
            self.installed[r] += n;
            self.idle[r] += c.idle;
            self.cap[f] = c.cap;
            self.choice[f] = ci;
            let term = c.term;
            self.dfs(d + 1, partial + term);
            let c = &self.configs[f][ci];
            for &s in &c.units {
                self.used[s] -= 1;
            }
            self.installed[r] -= n;
            self.idle[r] -= c.idle;
            self.cap[f] = 0.0;
            if self.aborted {
                return;
            }
        }
    }
}
