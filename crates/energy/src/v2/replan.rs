//! Re-planning a version 2 plan after losses: keep every surviving unit where it is, deploy
//! spare stock, and relocate an installed unit only when that move alone gains at least
//! `min_gain_per_move` of the objective.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::error::{EnergyError, Result};
use crate::instance::tol;
use crate::plan::{Assignment, Options};
use crate::replan::{Move, ReplanOptions, StockLoss};
use crate::v2::instance::{InstanceV2, PerTier};
use crate::v2::model::{Prep, Scratch, State, region_value};
use crate::v2::plan::{PlanV2, solve_prepared, to_plan};
use crate::v2::search::{Scoring, gain_add, greedy};

/// What happened since the current plan was made.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsV2 {
    #[serde(default)]
    pub destroyed_units: Vec<Assignment>,
    #[serde(default)]
    pub destroyed_stock: Vec<StockLoss>,
    /// Facilities out of service: their loads drop to 0 and their units become free to move.
    #[serde(default)]
    pub facilities_hit: Vec<String>,
    /// New loads for facilities whose situation changed.
    #[serde(default)]
    pub loads_kw: BTreeMap<String, PerTier>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplanV2 {
    pub plan: PlanV2,
    pub moves: Vec<Move>,
    pub units_moved: u32,
    pub objective_before: f64,
    pub reoptimised_objective: f64,
    pub instance: InstanceV2,
}

/// Per-facility unit lists from a plan's assignments, with the names checked.
pub(crate) fn units_from_assignments(
    inst: &InstanceV2,
    assignments: &[Assignment],
) -> Result<Vec<Vec<usize>>> {
    let fix: HashMap<&str, usize> = inst
        .facilities
        .iter()
        .enumerate()
        .map(|(i, f)| (f.id.as_str(), i))
        .collect();
    let six: HashMap<&str, usize> = inst
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

pub fn replan_v2(
    inst: &InstanceV2,
    current: &[Assignment],
    events: &EventsV2,
    opts: &ReplanOptions,
) -> Result<ReplanV2> {
    let start = Instant::now();
    let mut units = units_from_assignments(inst, current)?;
    let mut new = inst.clone();
    let fix: HashMap<&str, usize> = inst
        .facilities
        .iter()
        .enumerate()
        .map(|(i, f)| (f.id.as_str(), i))
        .collect();
    let six: HashMap<&str, usize> = inst
        .fleet
        .iter()
        .enumerate()
        .map(|(i, m)| (m.model.as_str(), i))
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
        new.facilities[f].loads_kw = PerTier::from_array([0.0; 3]);
    }
    for (id, loads) in &events.loads_kw {
        let f = find_f(format!("loads_kw.{id}"), id)?;
        new.facilities[f].loads_kw = *loads;
    }
    new.validate()?;
    let after_damage = units.clone();
    let prep = Prep::new(&new);
    let mut st = repair(&prep, units);
    let objective_before = st.objective(&prep);

    let half = Options {
        time_limit: opts.time_limit.mul_f64(0.5),
        seed: 0,
    };
    let (free_plan, ub) = solve_prepared(&prep, &half, Instant::now(), None);
    let reoptimised_objective = free_plan.objective(&prep);

    // Spare stock first: deploying it moves nothing that is already installed.
    st = greedy(&prep, st, Scoring::Value);
    relocate_worthwhile(
        &prep,
        &mut st,
        opts.min_gain_per_move,
        start + opts.time_limit,
    );
    let st = State::rebuild(&prep, st.units);
    let moves = diff(&new, &after_damage, &st.units);
    let units_moved = moves.iter().map(|m| m.units).sum();
    let plan = to_plan(&new, &prep, &st, ub, start.elapsed().as_secs_f64());
    Ok(ReplanV2 {
        plan,
        moves,
        units_moved,
        objective_before,
        reoptimised_objective,
        instance: new,
    })
}

/// Makes the surviving assignment feasible for the updated instance by sending units back to
/// the depot: ineligible pairs and units over the cap first, then units of models over their
/// count, then units in regions over their installation or idle-fuel capacity.
fn repair(prep: &Prep, units: Vec<Vec<usize>>) -> State {
    let mut kept = vec![Vec::new(); prep.nf];
    for (f, list) in units.into_iter().enumerate() {
        for s in list {
            if prep.allowed[f].contains(&s) && kept[f].len() < prep.k as usize {
                kept[f].push(s);
            }
        }
    }
    let mut st = State::rebuild(prep, kept);
    let mut scratch = Scratch::default();
    for s in 0..prep.ns {
        for f in (0..prep.nf).rev() {
            while st.used[s] > prep.n[s] && st.units[f].contains(&s) {
                st.remove(prep, f, s, &mut scratch);
            }
        }
    }
    for r in 0..prep.nr {
        while st.installed[r] > prep.install[r] || st.idle[r] > prep.fuel_h[r] + tol(prep.fuel_h[r])
        {
            // Withdraw the unit whose loss costs least.
            let mut best: Option<(f64, usize, usize)> = None;
            for &f in &prep.by_region[r] {
                for &s in &st.units[f] {
                    let v = region_value(
                        prep,
                        &st.cap,
                        r,
                        st.idle[r] - prep.idle[s],
                        &[(f, -prep.u[s])],
                        &mut scratch,
                    );
                    if best.is_none_or(|(b, _, _)| v > b) {
                        best = Some((v, f, s));
                    }
                }
            }
            let Some((_, f, s)) = best else { break };
            st.remove(prep, f, s, &mut scratch);
        }
    }
    st
}

/// Applies the single best relocation of an installed unit while it gains at least `min_share`
/// of the objective.
fn relocate_worthwhile(prep: &Prep, st: &mut State, min_share: f64, deadline: Instant) {
    let mut scratch = Scratch::default();
    for _ in 0..1000 {
        if Instant::now() >= deadline {
            return;
        }
        let obj = st.objective(prep);
        let threshold = (min_share * obj).max(1e-9);
        let mut best: Option<(f64, usize, usize, usize)> = None;
        for f in 0..prep.nf {
            for &s in &st.units[f].clone() {
                let r = prep.region[f];
                let mut trial = st.clone();
                trial.remove(prep, f, s, &mut scratch);
                let loss = st.rv[r] - trial.rv[r];
                for g in 0..prep.nf {
                    if g == f || !prep.allowed[g].contains(&s) || !trial.can_add(prep, g, s) {
                        continue;
                    }
                    let d = gain_add(prep, &trial, g, s, &mut scratch) - loss;
                    if d >= threshold && best.is_none_or(|(b, ..)| d > b) {
                        best = Some((d, f, s, g));
                    }
                }
            }
        }
        let Some((_, f, s, g)) = best else { return };
        st.remove(prep, f, s, &mut scratch);
        st.add(prep, g, s, &mut scratch);
    }
}

fn diff(inst: &InstanceV2, before: &[Vec<usize>], after: &[Vec<usize>]) -> Vec<Move> {
    let mut out = Vec::new();
    for (s, m) in inst.fleet.iter().enumerate() {
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
        let id = |f: usize| Some(inst.facilities[f].id.clone());
        let (mut gi, mut ti) = (0, 0);
        while gi < gives.len() || ti < takes.len() {
            let (from, to, n) = match (gives.get(gi).copied(), takes.get(ti).copied()) {
                (Some((f, a)), Some((g, b))) => {
                    let n = a.min(b);
                    gives[gi].1 -= n;
                    takes[ti].1 -= n;
                    (id(f), id(g), n)
                }
                (Some((f, a)), None) => {
                    gives[gi].1 = 0;
                    (id(f), None, a)
                }
                (None, Some((g, b))) => {
                    takes[ti].1 = 0;
                    (None, id(g), b)
                }
                (None, None) => break,
            };
            if gives.get(gi).is_some_and(|x| x.1 == 0) {
                gi += 1;
            }
            if takes.get(ti).is_some_and(|x| x.1 == 0) {
                ti += 1;
            }
            out.push(Move {
                model: m.model.clone(),
                from,
                to,
                units: n,
            });
        }
    }
    out
}
