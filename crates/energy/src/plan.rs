//! `plan`: the anytime solver. A greedy plan exists within milliseconds; Lagrangian prices then
//! steer further greedy constructions while tightening the bound; local search and
//! ruin-and-recreate use whatever time is left.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::bound::{self, Prices};
use crate::instance::{Instance, Prepared};
use crate::search::{Scoring, greedy, local_search};
use crate::state::{State, covered, fill};

/// The output JSON of MODEL.md.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Which model was solved: 1 (MODEL.md); plan files written before the field are version 1.
    #[serde(default = "version_one")]
    pub model_version: u32,
    pub objective: f64,
    pub upper_bound: f64,
    pub gap: f64,
    pub status: Status,
    pub seconds: f64,
    pub assignments: Vec<Assignment>,
    pub covered_kw: BTreeMap<String, f64>,
}

fn version_one() -> u32 {
    1
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The bound meets the objective (relative gap ≤ 1e-7).
    Optimal,
    Feasible,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub facility: String,
    pub model: String,
    pub units: u32,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub time_limit: Duration,
    /// Seed for the randomised improvement phase; the same seed and a generous time limit give
    /// the same plan.
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            time_limit: Duration::from_secs(5),
            seed: 0,
        }
    }
}

/// Relative gap under which a plan is reported optimal.
pub const OPTIMAL_GAP: f64 = 1e-7;

/// Solves an already validated instance.
pub fn solve(inst: &Instance, opts: &Options) -> Plan {
    let start = Instant::now();
    let prep = Prepared::new(inst);
    let (st, ub) = solve_prepared(&prep, opts, start, None);
    to_plan(inst, &prep, &st, ub, start.elapsed().as_secs_f64())
}

/// The core loop, reusable by re-planning. `seed_state` is an extra starting plan.
pub(crate) fn solve_prepared(
    prep: &Prepared,
    opts: &Options,
    start: Instant,
    seed_state: Option<State>,
) -> (State, f64) {
    // A little headroom: the last ruin-and-recreate round and the output are not interruptible.
    let deadline = start + opts.time_limit.mul_f64(0.95);
    let mut best = greedy(prep, State::empty(prep), Scoring::Value);
    // One greedy construction's duration: a ruin-and-recreate round costs about two of them plus
    // local search, and is not interruptible, so no round starts without that much time left.
    let greedy_time = start.elapsed();
    let mut best_obj = best.objective(prep);
    let consider = |st: State, best: &mut State, best_obj: &mut f64| {
        let o = st.objective(prep);
        if o > *best_obj {
            *best = st;
            *best_obj = o;
        }
    };
    consider(
        greedy(prep, State::empty(prep), Scoring::Density),
        &mut best,
        &mut best_obj,
    );
    if let Some(s) = seed_state {
        consider(s, &mut best, &mut best_obj);
    }

    // Phase 1: subgradient on the Lagrangian dual, with a priced greedy as primal heuristic.
    let mut prices = Prices::zero(prep);
    let (_, wstar) = fill(prep, &best.cap, best.idle_total);
    if prep.a > 0.0 {
        prices.lambda = wstar / prep.a;
    }
    let mut ub = f64::INFINITY;
    let mut best_prices = prices.clone();
    let mut theta = 1.0;
    let mut since_improve = 0;
    let phase1_end = start + opts.time_limit.mul_f64(0.45);
    for iter in 0..200_000 {
        let val = bound::evaluate(prep, &prices);
        if ub.is_infinite() || val.bound < ub - 1e-9 * ub.abs().max(1.0) {
            ub = val.bound;
            best_prices = prices.clone();
            since_improve = 0;
        } else {
            since_improve += 1;
            // Patient halving: measured on M instances, patience 15 stalls ≈1 % above the
            // dual optimum that patience 100 reaches in 0.1 s.
            if since_improve >= 100 {
                theta *= 0.5;
                since_improve = 0;
                prices = best_prices.clone();
            }
        }
        if (iter < 500 && (iter % 5 == 0 || since_improve == 0)) || iter % 100 == 0 {
            let priced = greedy(prep, State::empty(prep), Scoring::Priced(&prices));
            let filled = greedy(prep, priced, Scoring::Density);
            let o = filled.objective(prep);
            if o > best_obj {
                best = filled;
                best_obj = o;
            }
        }
        if ub - best_obj <= OPTIMAL_GAP * ub.abs().max(1e-12)
            || theta < 1e-7
            || Instant::now() >= phase1_end
        {
            break;
        }
        if !bound::step(prep, &mut prices, &val, best_obj, theta) {
            break;
        }
    }
    if ub.is_infinite() {
        ub = bound::evaluate(prep, &prices).bound;
    }

    // Phase 2: local search on the best plan, then ruin-and-recreate around it.
    if ub - best_obj > OPTIMAL_GAP * ub.abs().max(1e-12) {
        best_obj = local_search(prep, &mut best, deadline);
        // Small instances: a short branch and bound often closes the Lagrangian duality gap at
        // once; if not, ruin-and-recreate gets most of the time and the search resumes at the end.
        let try_exact =
            |frac: f64, nodes: u64, best: &mut State, best_obj: &mut f64, ub: &mut f64| {
                if prep.nf > crate::exact::MAX_FACILITIES {
                    return;
                }
                let now = Instant::now();
                let budget = (start + opts.time_limit.mul_f64(frac)).max(now);
                if let Some((st, proven)) =
                    crate::exact::search(prep, &best_prices, best, budget.min(deadline), nodes)
                {
                    let o = st.objective(prep);
                    if o > *best_obj {
                        *best = st;
                        *best_obj = o;
                    }
                    if proven {
                        *ub = ub.min(*best_obj * (1.0 + 1e-9));
                    }
                }
            };
        try_exact(0.6, 200_000, &mut best, &mut best_obj, &mut ub);
        let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
        let mut rounds = 0u32;
        let mut exact_done = false;
        let mut last_round = Duration::ZERO;
        let mut cur = best.clone();
        let mut cur_obj = best_obj;
        while Instant::now() < deadline
            && ub - best_obj > OPTIMAL_GAP * ub.abs().max(1e-12)
            && rounds < 10_000
            && prep.nf > 1
        {
            rounds += 1;
            let round_start = Instant::now();
            if round_start + last_round.max(greedy_time * 3) > deadline {
                break;
            }
            if !exact_done && Instant::now() >= start + opts.time_limit.mul_f64(0.75) {
                exact_done = true;
                try_exact(0.95, 50_000_000, &mut best, &mut best_obj, &mut ub);
                continue;
            }
            // Threshold acceptance: the walk may step to a slightly worse plan early on, which gets
            // it out of local optima that pure improvement keeps (measured on M instances).
            let progress = (Instant::now() - start).as_secs_f64() / opts.time_limit.as_secs_f64();
            let threshold = 0.002 * (1.0 - progress / 0.95).max(0.0);
            let mut cand = cur.clone();
            let share = rng.random_range(0.05..0.3);
            match rng.random_range(0..3) {
                // Random facilities.
                0 => {
                    for f in 0..prep.nf {
                        if !cand.units[f].is_empty() && rng.random_bool(share) {
                            for s in cand.units[f].clone() {
                                cand.remove(prep, f, s);
                            }
                        }
                    }
                }
                // One region: rebalances against its transport limit.
                1 => {
                    let r = rng.random_range(0..prep.nregions().max(1));
                    for f in 0..prep.nf {
                        if prep.region[f] == r && rng.random_bool((2.0 * share).min(1.0)) {
                            for s in cand.units[f].clone() {
                                cand.remove(prep, f, s);
                            }
                        }
                    }
                }
                // Units of two models: lets large and small units trade places.
                _ => {
                    let a = rng.random_range(0..prep.ns.max(1));
                    let b = rng.random_range(0..prep.ns.max(1));
                    for f in 0..prep.nf {
                        for s in cand.units[f].clone() {
                            if (s == a || s == b) && rng.random_bool((2.0 * share).min(1.0)) {
                                cand.remove(prep, f, s);
                            }
                        }
                    }
                }
            }
            let scoring = if rng.random_bool(0.5) {
                Scoring::Priced(&best_prices)
            } else {
                Scoring::Density
            };
            let cand = greedy(prep, cand, scoring);
            let mut cand = greedy(prep, cand, Scoring::Value);
            let o = local_search(prep, &mut cand, deadline);
            if o > best_obj {
                best = cand.clone();
                best_obj = o;
            }
            if o >= cur_obj * (1.0 - threshold) {
                cur = cand;
                cur_obj = o;
            }
            last_round = round_start.elapsed();
        }
        if !exact_done && ub - best_obj > OPTIMAL_GAP * ub.abs().max(1e-12) {
            try_exact(0.95, 50_000_000, &mut best, &mut best_obj, &mut ub);
        }
    }
    let best = State::rebuild(prep, best.units);
    debug_assert!(best.is_feasible(prep), "solver produced an infeasible plan");
    let obj = best.objective(prep);
    (best, ub.max(obj))
}

pub(crate) fn to_plan(inst: &Instance, prep: &Prepared, st: &State, ub: f64, seconds: f64) -> Plan {
    let y = covered(prep, &st.cap, st.idle_total);
    let mut assignments = Vec::new();
    let mut covered_kw = BTreeMap::new();
    let mut objective = 0.0;
    for f in 0..prep.nf {
        if st.units[f].is_empty() {
            continue;
        }
        let mut counts: BTreeMap<usize, u32> = BTreeMap::new();
        for &s in &st.units[f] {
            *counts.entry(s).or_default() += 1;
        }
        for (s, units) in counts {
            assignments.push(Assignment {
                facility: inst.facilities[f].id.clone(),
                model: inst.fleet[s].model.clone(),
                units,
            });
        }
        covered_kw.insert(inst.facilities[f].id.clone(), y[f]);
        objective += prep.w[f] * y[f];
    }
    let upper_bound = ub.max(objective);
    let gap = if upper_bound > 0.0 {
        ((upper_bound - objective) / upper_bound).max(0.0)
    } else {
        0.0
    };
    Plan {
        model_version: 1,
        objective,
        upper_bound,
        gap,
        status: if gap <= OPTIMAL_GAP {
            Status::Optimal
        } else {
            Status::Feasible
        },
        seconds,
        assignments,
        covered_kw,
    }
}

/// Converts a plan's assignments back to per-facility unit lists (for re-planning).
pub(crate) fn units_from_assignments(
    inst: &Instance,
    assignments: &[Assignment],
) -> crate::error::Result<Vec<Vec<usize>>> {
    use crate::error::EnergyError;
    let fix: std::collections::HashMap<&str, usize> = inst
        .facilities
        .iter()
        .enumerate()
        .map(|(i, f)| (f.id.as_str(), i))
        .collect();
    let six: std::collections::HashMap<&str, usize> = inst
        .fleet
        .iter()
        .enumerate()
        .map(|(i, m)| (m.model.as_str(), i))
        .collect();
    let mut units = vec![Vec::new(); inst.facilities.len()];
    for (i, a) in assignments.iter().enumerate() {
        let f = *fix.get(a.facility.as_str()).ok_or_else(|| {
            EnergyError::invalid(
                format!("assignments[{i}].facility"),
                format!("{:?}", a.facility),
                "no such facility in the instance",
            )
        })?;
        let s = *six.get(a.model.as_str()).ok_or_else(|| {
            EnergyError::invalid(
                format!("assignments[{i}].model"),
                format!("{:?}", a.model),
                "no such model in the fleet",
            )
        })?;
        if a.units > 10_000 {
            return Err(EnergyError::invalid(
                format!("assignments[{i}].units"),
                a.units,
                "implausibly many units at one facility",
            ));
        }
        units[f].extend(std::iter::repeat_n(s, a.units as usize));
    }
    Ok(units)
}
