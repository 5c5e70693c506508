//! `plan` on a version 2 instance: the anytime solver (greedy, Lagrangian-priced greedy with the
//! subgradient bound, local search, ruin-and-recreate) and the output JSON of MODEL-v2.md with
//! the reason every undeployed unit stays in the depot.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::plan::{Assignment, OPTIMAL_GAP, Options, Status};
use crate::v2::bound::{self, Prices};
use crate::v2::depot::{DepotEntry, left_in_depot};
use crate::v2::instance::{InstanceV2, PerTier, Tier};
use crate::v2::model::{Prep, State, region_fill};
use crate::v2::search::{Scoring, greedy, local_search};

/// The output JSON of MODEL-v2.md.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanV2 {
    /// Which model was solved: 2 (MODEL-v2.md).
    pub model_version: u32,
    pub objective: f64,
    pub upper_bound: f64,
    pub gap: f64,
    pub status: Status,
    pub seconds: f64,
    pub assignments: Vec<Assignment>,
    /// kW per tier carried during outages by own backup and donated units together, every
    /// facility.
    pub served_kw: BTreeMap<String, PerTier>,
    /// Litres per day each region must receive for the donated units, every region.
    pub fuel_l_per_day: BTreeMap<String, f64>,
    pub installed_units: BTreeMap<String, u32>,
    /// Every unit not assigned, grouped by model, with the binding reason.
    pub left_in_depot: Vec<DepotEntry>,
}

/// Solves an already validated version 2 instance.
/// Critical energy the plan serves over the horizon, unweighted, by tier (kWh):
/// D · Σ_f o_{r(f)} · y_{f,t}. The objective weighs the same kWh by tier weight W_t and facility
/// weight ρ_f, so it ranks plans but is not energy; this is the figure in kWh an engineer reads.
pub fn served_kwh(inst: &InstanceV2, plan: &PlanV2) -> PerTier {
    let outage: BTreeMap<&str, f64> = inst
        .regions
        .iter()
        .map(|r| (r.id.as_str(), r.outage_h_per_day))
        .collect();
    let mut kwh = PerTier {
        life_support: 0.0,
        critical: 0.0,
        essential: 0.0,
    };
    for f in &inst.facilities {
        let Some(y) = plan.served_kw.get(&f.id) else {
            continue;
        };
        let hours = inst.horizon_days * outage.get(f.region.as_str()).copied().unwrap_or(0.0);
        kwh.life_support += hours * y.life_support;
        kwh.critical += hours * y.critical;
        kwh.essential += hours * y.essential;
    }
    kwh
}

pub fn solve_v2(inst: &InstanceV2, opts: &Options) -> PlanV2 {
    let start = Instant::now();
    let prep = Prep::new(inst);
    let (st, ub) = solve_prepared(&prep, opts, start, None);
    to_plan(inst, &prep, &st, ub, start.elapsed().as_secs_f64())
}

fn close(ub: f64, obj: f64) -> bool {
    ub - obj <= OPTIMAL_GAP * ub.abs().max(1e-12)
}

pub(crate) fn solve_prepared(
    prep: &Prep,
    opts: &Options,
    start: Instant,
    seed_state: Option<State>,
) -> (State, f64) {
    let deadline = start + opts.time_limit.mul_f64(0.95);
    let mut best = greedy(prep, State::empty(prep), Scoring::Value);
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

    // Phase 1: subgradient on the Lagrangian dual; a priced greedy is the primal heuristic.
    let mut prices = Prices::zero(prep);
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
            if since_improve >= 60 {
                theta *= 0.5;
                since_improve = 0;
                prices = best_prices.clone();
            }
        }
        if (iter < 300 && (iter % 5 == 0 || since_improve == 0)) || iter % 100 == 0 {
            let priced = greedy(prep, State::empty(prep), Scoring::Priced(&prices));
            let filled = greedy(prep, priced, Scoring::Value);
            consider(filled, &mut best, &mut best_obj);
        }
        if close(ub, best_obj) || theta < 1e-7 || Instant::now() >= phase1_end {
            break;
        }
        if !bound::step(prep, &mut prices, &val, best_obj, theta) {
            break;
        }
    }
    if ub.is_infinite() {
        ub = bound::evaluate(prep, &prices).bound;
    }

    // Phase 2: local search, then ruin-and-recreate around the best plan.
    if !close(ub, best_obj) {
        best_obj = local_search(prep, &mut best, deadline);
        // Small instances: a short branch and bound often closes the Lagrangian duality gap.
        let try_exact =
            |frac: f64, nodes: u64, best: &mut State, best_obj: &mut f64, ub: &mut f64| {
                let budget = (start + opts.time_limit.mul_f64(frac)).max(Instant::now());
                if let Some((st, proven)) =
                    crate::v2::exact::search(prep, &best_prices, best, budget.min(deadline), nodes)
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
        try_exact(0.6, 2_000_000, &mut best, &mut best_obj, &mut ub);
        let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
        let mut cur = best.clone();
        let mut cur_obj = best_obj;
        let mut last_round = Duration::ZERO;
        let mut rounds = 0u32;
        while Instant::now() < deadline && !close(ub, best_obj) && rounds < 10_000 && prep.nf > 1 {
            rounds += 1;
            let round_start = Instant::now();
            if round_start + last_round.max(greedy_time * 3) > deadline {
                break;
            }
            let progress =
                (Instant::now() - start).as_secs_f64() / opts.time_limit.as_secs_f64().max(1e-9);
            let threshold = 0.002 * (1.0 - progress / 0.95).max(0.0);
            let mut cand = cur.clone();
            let share = rng.random_range(0.05..0.3);
            match rng.random_range(0..3) {
                0 => {
                    for f in 0..prep.nf {
                        if !cand.units[f].is_empty() && rng.random_bool(share) {
                            for s in cand.units[f].clone() {
                                cand.pop(prep, f, s);
                            }
                        }
                    }
                }
                1 => {
                    let r = rng.random_range(0..prep.nr.max(1));
                    for &f in prep.by_region.get(r).map(Vec::as_slice).unwrap_or(&[]) {
                        if rng.random_bool((2.0 * share).min(1.0)) {
                            for s in cand.units[f].clone() {
                                cand.pop(prep, f, s);
                            }
                        }
                    }
                }
                _ => {
                    let a = rng.random_range(0..prep.ns.max(1));
                    let b = rng.random_range(0..prep.ns.max(1));
                    for f in 0..prep.nf {
                        for s in cand.units[f].clone() {
                            if (s == a || s == b) && rng.random_bool((2.0 * share).min(1.0)) {
                                cand.pop(prep, f, s);
                            }
                        }
                    }
                }
            }
            let cand = State::rebuild(prep, cand.units);
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
    }
    if !close(ub, best_obj) && Instant::now() < deadline {
        try_exact_end(
            prep,
            &best_prices,
            &mut best,
            &mut best_obj,
            &mut ub,
            deadline,
        );
    }
    let best = State::rebuild(prep, best.units);
    debug_assert!(best.is_feasible(prep), "solver produced an infeasible plan");
    let obj = best.objective(prep);
    (best, ub.max(obj))
}

/// The branch and bound once more with whatever time is left.
fn try_exact_end(
    prep: &Prep,
    prices: &Prices,
    best: &mut State,
    best_obj: &mut f64,
    ub: &mut f64,
    deadline: Instant,
) {
    if let Some((st, proven)) = crate::v2::exact::search(prep, prices, best, deadline, 50_000_000) {
        let o = st.objective(prep);
        if o > *best_obj {
            *best = st;
            *best_obj = o;
        }
        if proven {
            *ub = ub.min(*best_obj * (1.0 + 1e-9));
        }
    }
}

/// The served kW per facility and tier, and the donated-carried kW per facility, of a state.
pub(crate) fn service(prep: &Prep, st: &State) -> (Vec<[f64; 3]>, Vec<f64>) {
    let mut served = vec![[0.0; 3]; prep.nf];
    let mut donated = vec![0.0; prep.nf];
    for f in 0..prep.nf {
        // Own backup carries each tier's load except the pieces left above E_f.
        served[f] = prep.load[f];
        for &(_, len, t) in &prep.pieces[f] {
            served[f][t.index()] = (served[f][t.index()] - len).max(0.0);
        }
    }
    for r in 0..prep.nr {
        let (items, _) = region_fill(prep, &st.cap, r, st.idle[r]);
        for (f, t, kw) in items {
            served[f][t.index()] += kw;
            donated[f] += kw;
        }
    }
    (served, donated)
}

pub(crate) fn to_plan(inst: &InstanceV2, prep: &Prep, st: &State, ub: f64, seconds: f64) -> PlanV2 {
    let (served, donated) = service(prep, st);
    let mut assignments = Vec::new();
    let mut served_kw = BTreeMap::new();
    let mut objective = 0.0;
    let w = inst.tier_weights;
    for (f, fac) in inst.facilities.iter().enumerate() {
        let mut counts: BTreeMap<usize, u32> = BTreeMap::new();
        for &s in &st.units[f] {
            *counts.entry(s).or_default() += 1;
        }
        for (s, units) in counts {
            assignments.push(Assignment {
                facility: fac.id.clone(),
                model: inst.fleet[s].model.clone(),
                units,
            });
        }
        let y = served[f];
        let scale = inst.horizon_days * fac.population_weight * prep.o[prep.region[f]];
        for t in Tier::ALL {
            objective += scale * w.get(t) * y[t.index()];
        }
        served_kw.insert(fac.id.clone(), PerTier::from_array(y));
    }
    let mut fuel_l_per_day = BTreeMap::new();
    let mut installed_units = BTreeMap::new();
    let mut g = vec![0.0; prep.nr];
    for f in 0..prep.nf {
        g[prep.region[f]] += donated[f];
    }
    for (r, reg) in inst.regions.iter().enumerate() {
        fuel_l_per_day.insert(reg.id.clone(), prep.o[r] * (st.idle[r] + prep.a * g[r]));
        installed_units.insert(reg.id.clone(), st.installed[r]);
    }
    let upper_bound = ub.max(objective);
    let gap = if upper_bound > 0.0 {
        ((upper_bound - objective) / upper_bound).max(0.0)
    } else {
        0.0
    };
    PlanV2 {
        model_version: 2,
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
        served_kw,
        fuel_l_per_day,
        installed_units,
        left_in_depot: left_in_depot(inst, prep, st),
    }
}
