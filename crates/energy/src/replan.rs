//! Re-planning after losses: keep every surviving unit where it is, deploy spare stock, and
//! relocate a unit only when that relocation alone gains at least `min_gain_per_move`.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::bound::{self, Prices};
use crate::error::{EnergyError, Result};
use crate::instance::{Instance, Prepared, tol};
use crate::plan::{Assignment, Options, Plan, solve_prepared, to_plan, units_from_assignments};
use crate::search::{Scoring, greedy};
use crate::state::State;

/// What happened since the current plan was made.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Events {
    /// Units destroyed where they were installed.
    #[serde(default)]
    pub destroyed_units: Vec<Assignment>,
    /// Units destroyed in the depot, before being deployed.
    #[serde(default)]
    pub destroyed_stock: Vec<StockLoss>,
    /// Facilities out of service: their load drops to 0 and their units become free to move
    /// (list them under `destroyed_units` too if they were lost).
    #[serde(default)]
    pub facilities_hit: Vec<String>,
    /// New unmet critical load for facilities whose situation changed.
    #[serde(default)]
    pub unmet_kw: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockLoss {
    pub model: String,
    pub units: u32,
}

/// One relocation; `from`/`to` = None means the depot (spare stock).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Move {
    pub model: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub units: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Replan {
    /// The new plan on the updated instance, in the MODEL.md output format.
    pub plan: Plan,
    pub moves: Vec<Move>,
    pub units_moved: u32,
    /// Objective of the surviving plan before any move.
    pub objective_before: f64,
    /// Objective a from-scratch plan reaches ignoring how many units move (for comparison).
    pub reoptimised_objective: f64,
    /// The instance after the events, to feed the next re-plan.
    pub instance: Instance,
}

#[derive(Debug, Clone)]
pub struct ReplanOptions {
    pub time_limit: Duration,
    /// Minimum objective gain for relocating one already-installed unit, as a share of the
    /// current objective (0.005 = 0.5 %).
    pub min_gain_per_move: f64,
}

impl Default for ReplanOptions {
    fn default() -> Self {
        ReplanOptions {
            time_limit: Duration::from_secs(2),
            min_gain_per_move: 0.005,
        }
    }
}

pub fn replan(
    inst: &Instance,
    current: &[Assignment],
    events: &Events,
    opts: &ReplanOptions,
) -> Result<Replan> {
    let start = Instant::now();
    let mut units = units_from_assignments(inst, current)?;
    let mut new = inst.clone();
    let fix: HashMap<String, usize> = inst
        .facilities
        .iter()
        .enumerate()
        .map(|(i, f)| (f.id.clone(), i))
        .collect();
    let six: HashMap<String, usize> = inst
        .fleet
        .iter()
        .enumerate()
        .map(|(i, m)| (m.model.clone(), i))
        .collect();
    let find_f = |field: String, id: &str| {
        fix.get(id).copied().ok_or_else(|| {
            EnergyError::invalid(field, format!("{id:?}"), "no such facility in the instance")
        })
    };
    let find_s = |field: String, id: &str| {
        six.get(id).copied().ok_or_else(|| {
            EnergyError::invalid(field, format!("{id:?}"), "no such model in the fleet")
        })
    };
    for (i, d) in events.destroyed_units.iter().enumerate() {
        let f = find_f(format!("destroyed_units[{i}].facility"), &d.facility)?;
        let s = find_s(format!("destroyed_units[{i}].model"), &d.model)?;
        for _ in 0..d.units {
            let Some(pos) = units[f].iter().position(|&x| x == s) else {
                return Err(EnergyError::invalid(
                    format!("destroyed_units[{i}].units"),
                    d.units,
                    format!(
                        "the current plan has fewer {} units at {}",
                        d.model, d.facility
                    ),
                ));
            };
            units[f].swap_remove(pos);
            // The current plan may claim more units than the fleet lists; never go below zero.
            new.fleet[s].count = new.fleet[s].count.saturating_sub(1);
        }
    }
    for (i, d) in events.destroyed_stock.iter().enumerate() {
        let s = find_s(format!("destroyed_stock[{i}].model"), &d.model)?;
        let c = &mut new.fleet[s].count;
        if d.units > *c {
            return Err(EnergyError::invalid(
                format!("destroyed_stock[{i}].units"),
                d.units,
                format!("only {c} units of {} remain", d.model),
            ));
        }
        *c -= d.units;
    }
    for (i, id) in events.facilities_hit.iter().enumerate() {
        let f = find_f(format!("facilities_hit[{i}]"), id)?;
        new.facilities[f].unmet_kw = 0.0;
    }
    for (id, &kw) in &events.unmet_kw {
        let f = find_f(format!("unmet_kw.{id}"), id)?;
        new.facilities[f].unmet_kw = kw;
    }
    new.validate()?;
    let after_damage = units.clone();
    let prep = Prepared::new(&new);

    let mut st = repair(&prep, units);
    let objective_before = st.objective(&prep);

    // A from-scratch plan gives both the bound and the reference of what full freedom buys.
    let half = Options {
        time_limit: opts.time_limit.mul_f64(0.5),
        seed: 0,
    };
    let (free_plan, ub) = solve_prepared(&prep, &half, Instant::now(), None);
    let reoptimised_objective = free_plan.objective(&prep);

    // Spare stock first: deploying it moves nothing that is already installed.
    let prices = tuned_prices(&prep, reoptimised_objective);
    st = greedy(&prep, st, Scoring::Priced(&prices));
    st = greedy(&prep, st, Scoring::Value);
    let deadline = start + opts.time_limit;
    relocate_worthwhile(&prep, &mut st, opts.min_gain_per_move, deadline);
    let st = State::rebuild(&prep, st.units);

    let moves = diff(&new, &after_damage, &st.units);
    let units_moved = moves.iter().map(|m| m.units).sum();
    let plan = to_plan(&new, &prep, &st, ub, start.elapsed().as_secs_f64());
    Ok(Replan {
        plan,
        moves,
        units_moved,
        objective_before,
        reoptimised_objective,
        instance: new,
    })
}

/// Makes the surviving assignment feasible for the updated instance by sending units back to the
/// depot: ineligible pairs first, then the least valuable units while a row is violated.
fn repair(prep: &Prepared, units: Vec<Vec<usize>>) -> State {
    let mut kept = vec![Vec::new(); prep.nf];
    for (f, list) in units.into_iter().enumerate() {
        for s in list {
            if prep.allowed[f].contains(&s) && kept[f].len() < prep.k as usize {
                kept[f].push(s);
            }
        }
    }
    let mut st = State::rebuild(prep, kept);
    // Lowest weight first: those units are the cheapest to withdraw.
    let order: Vec<usize> = prep.by_weight.iter().rev().copied().collect();
    for s in 0..prep.ns {
        for &f in &order {
            while st.used[s] > prep.n[s] && st.units[f].contains(&s) {
                st.remove(prep, f, s);
            }
        }
    }
    for &f in &order {
        let r = prep.region[f];
        while !st.region_fits(prep, f, 0.0) || st.idle_total > prep.fuel_h + tol(prep.fuel_h) {
            let Some(&s) = st.units[f].first() else { break };
            st.remove(prep, f, s);
            if prep.region_cap[r].is_none() && st.idle_total <= prep.fuel_h + tol(prep.fuel_h) {
                break;
            }
        }
    }
    st
}

fn tuned_prices(prep: &Prepared, target: f64) -> Prices {
    let mut prices = Prices::zero(prep);
    let mut best = prices.clone();
    let mut best_ub = f64::INFINITY;
    let mut theta = 1.0;
    for _ in 0..100 {
        let v = bound::evaluate(prep, &prices);
        if v.bound < best_ub {
            best_ub = v.bound;
            best = prices.clone();
        } else {
            theta *= 0.7;
        }
        if !bound::step(prep, &mut prices, &v, target, theta) {
            break;
        }
    }
    best
}

/// Repeatedly applies the single best relocation of an installed unit while it gains at least
/// `min_share` of the objective.
fn relocate_worthwhile(prep: &Prepared, st: &mut State, min_share: f64, deadline: Instant) {
    for _ in 0..1000 {
        if Instant::now() >= deadline {
            return;
        }
        let obj = st.objective(prep);
        let threshold = (min_share * obj).max(1e-9);
        let mut best: Option<(f64, usize, usize, usize)> = None;
        for s in 0..prep.ns {
            let holders: Vec<usize> = (0..prep.nf).filter(|&f| st.units[f].contains(&s)).collect();
            if holders.is_empty() {
                continue;
            }
            // The receiver that gains most from one more s, ignoring fuel (checked exactly below).
            let mut takers: Vec<(f64, usize)> = (0..prep.nf)
                .filter(|&g| st.units[g].len() < prep.k as usize && prep.allowed[g].contains(&s))
                .map(|g| {
                    (
                        prep.w[g] * (st.cap_with(prep, g, Some(s), None) - st.cap[g]),
                        g,
                    )
                })
                .filter(|&(v, _)| v > threshold)
                .collect();
            takers.sort_by(|a, b| b.0.total_cmp(&a.0));
            takers.truncate(3);
            let mut givers: Vec<(f64, usize)> = holders
                .iter()
                .map(|&f| {
                    (
                        prep.w[f] * (st.cap[f] - st.cap_with(prep, f, None, Some(s))),
                        f,
                    )
                })
                .collect();
            givers.sort_by(|a, b| a.0.total_cmp(&b.0));
            givers.truncate(3);
            for &(_, g) in &takers {
                for &(_, f) in &givers {
                    if f == g
                        || (prep.region[f] != prep.region[g] && !st.region_fits(prep, g, prep.p[s]))
                    {
                        continue;
                    }
                    st.remove(prep, f, s);
                    st.add(prep, g, s);
                    let gain = st.objective(prep) - obj;
                    st.remove(prep, g, s);
                    st.add(prep, f, s);
                    if gain >= threshold && best.is_none_or(|b| gain > b.0) {
                        best = Some((gain, s, f, g));
                    }
                }
            }
        }
        let Some((_, s, f, g)) = best else { return };
        st.remove(prep, f, s);
        st.add(prep, g, s);
    }
}

/// Matches removed and added units per model into moves; unmatched ones go to or come from the
/// depot.
fn diff(inst: &Instance, before: &[Vec<usize>], after: &[Vec<usize>]) -> Vec<Move> {
    let ns = inst.fleet.len();
    let mut out = Vec::new();
    for s in 0..ns {
        let mut gives: Vec<(usize, u32)> = Vec::new();
        let mut takes: Vec<(usize, u32)> = Vec::new();
        for f in 0..before.len() {
            let b = before[f].iter().filter(|&&x| x == s).count() as u32;
            let a = after[f].iter().filter(|&&x| x == s).count() as u32;
            if b > a {
                gives.push((f, b - a));
            } else if a > b {
                takes.push((f, a - b));
            }
        }
        let name = &inst.fleet[s].model;
        let id = |f: usize| Some(inst.facilities[f].id.clone());
        let (mut gi, mut ti) = (0, 0);
        while gi < gives.len() || ti < takes.len() {
            match (gives.get(gi).copied(), takes.get(ti).copied()) {
                (Some((f, a)), Some((g, b))) => {
                    let n = a.min(b);
                    out.push(Move {
                        model: name.clone(),
                        from: id(f),
                        to: id(g),
                        units: n,
                    });
                    gives[gi].1 -= n;
                    takes[ti].1 -= n;
                    if gives[gi].1 == 0 {
                        gi += 1;
                    }
                    if takes[ti].1 == 0 {
                        ti += 1;
                    }
                }
                (Some((f, a)), None) => {
                    out.push(Move {
                        model: name.clone(),
                        from: id(f),
                        to: None,
                        units: a,
                    });
                    gi += 1;
                }
                (None, Some((g, b))) => {
                    out.push(Move {
                        model: name.clone(),
                        from: None,
                        to: id(g),
                        units: b,
                    });
                    ti += 1;
                }
                (None, None) => break,
            }
        }
    }
    out
}
