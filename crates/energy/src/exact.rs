//! Exact depth-first branch and bound for small instances, to prove optimality where the
//! Lagrangian duality gap leaves the bound a few per cent above the optimum.
//!
//! Each facility in turn is fixed to one configuration (multiset of at most K units). The bound at
//! a node is the Lagrangian of `bound.rs` at fixed multipliers, with the fixed facilities' inner
//! maxima restricted to their chosen configuration: by the same weak-duality argument it bounds
//! every completion, and it costs O(1) per node with suffix sums. Leaves are evaluated exactly.
//! If the search finishes, no plan beats the incumbent by more than `eps`.

use std::time::Instant;

use crate::bound::Prices;
use crate::instance::{Prepared, tol};
use crate::state::{State, fill};

/// More configurations than this at one facility, or facilities than `MAX_FACILITIES`: skip.
const MAX_CONFIGS: usize = 400;
pub const MAX_FACILITIES: usize = 150;

struct Config {
    units: Vec<usize>,
    term: f64,
    cap: f64,
    kw: f64,
    idle: f64,
}

/// Returns Some(best plan, proven) if the search ran; `proven` means the returned plan is optimal
/// within `eps` (relative 1e-9).
pub fn search(
    prep: &Prepared,
    prices: &Prices,
    incumbent: &State,
    deadline: Instant,
    node_limit: u64,
) -> Option<(State, bool)> {
    if prep.nf > MAX_FACILITIES {
        return None;
    }
    let mut base = prices.lambda * prep.fuel_h;
    for s in 0..prep.ns {
        base += prices.mu[s] * f64::from(prep.n[s]);
    }
    for r in 0..prep.nregions() {
        if let Some(t) = prep.region_cap[r] {
            base += prices.nu[r] * t;
        }
    }
    let mut configs: Vec<Vec<Config>> = Vec::with_capacity(prep.nf);
    for f in 0..prep.nf {
        let mut list = Vec::new();
        let mut stack = Vec::new();
        enumerate(prep, f, 0, &mut stack, &mut list);
        if list.len() > MAX_CONFIGS {
            return None;
        }
        let g = prep.w[f] - prices.lambda * prep.a;
        let mut out: Vec<Config> = list
            .into_iter()
            .map(|units| {
                let cap = State::cap_of(prep, f, &units);
                let cost: f64 = units.iter().map(|&s| prices.cost(prep, f, s)).sum();
                Config {
                    term: g.max(0.0) * cap - cost,
                    cap,
                    kw: units.iter().map(|&s| prep.p[s]).sum(),
                    idle: units.iter().map(|&s| prep.idle[s]).sum(),
                    units,
                }
            })
            .collect();
        out.sort_by(|a, b| b.term.total_cmp(&a.term));
        configs.push(out);
    }
    // Facilities with the largest stakes first, so that bad choices are pruned high in the tree.
    let mut order: Vec<usize> = (0..prep.nf).collect();
    let best = |f: usize| configs[f].first().map_or(0.0, |c| c.term.max(0.0));
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
        region_kw: vec![0.0; prep.nregions()],
        idle: 0.0,
        cap: vec![0.0; prep.nf],
        choice: vec![0; prep.nf],
        best_obj: incumbent.objective(prep),
        best_choice: None,
        nodes: 0,
        node_limit,
        deadline,
        aborted: false,
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
    prep: &Prepared,
    f: usize,
    from: usize,
    stack: &mut Vec<usize>,
    out: &mut Vec<Vec<usize>>,
) {
    out.push(stack.clone());
    if out.len() > MAX_CONFIGS || stack.len() >= prep.k as usize {
        return;
    }
    for j in from..prep.allowed[f].len() {
        let s = prep.allowed[f][j];
        let already = stack.iter().filter(|&&x| x == s).count() as u32;
        if already >= prep.n[s] {
            continue;
        }
        // More units once the load is covered only cost fuel; never optimal to enumerate.
        if State::cap_of(prep, f, stack) >= prep.u[f] {
            break;
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
    prep: &'a Prepared,
    configs: &'a [Vec<Config>],
    order: &'a [usize],
    suffix: &'a [f64],
    base: f64,
    used: Vec<u32>,
    region_kw: Vec<f64>,
    idle: f64,
    cap: Vec<f64>,
    choice: Vec<usize>,
    best_obj: f64,
    best_choice: Option<Vec<usize>>,
    nodes: u64,
    node_limit: u64,
    deadline: Instant,
    aborted: bool,
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
            let (obj, _) = fill(prep, &self.cap, self.idle);
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
            if self.idle + c.idle > prep.fuel_h + tol(prep.fuel_h)
                || prep.region_cap[r].is_some_and(|t| self.region_kw[r] + c.kw > t + tol(t))
                || c.units.iter().any(|&s| {
                    self.used[s] + c.units.iter().filter(|&&x| x == s).count() as u32 > prep.n[s]
                })
            {
                continue;
            }
            for &s in &c.units {
                self.used[s] += 1;
            }
            self.region_kw[r] += c.kw;
            self.idle += c.idle;
            self.cap[f] = c.cap;
            self.choice[f] = ci;
            let term = c.term;
            self.dfs(d + 1, partial + term);
            let c = &self.configs[f][ci];
            for &s in &c.units {
                self.used[s] -= 1;
            }
            self.region_kw[r] -= c.kw;
            self.idle -= c.idle;
            self.cap[f] = 0.0;
            if self.aborted {
                return;
            }
        }
    }
}
