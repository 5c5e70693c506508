//! An independent feasibility checker: works from the names in the output JSON and the raw
//! instance, re-deriving every row of the model without the solver's indexed structures.

use std::collections::HashMap;

use crate::instance::Instance;
use crate::plan::Plan;

/// Returns every violated constraint, in words; empty means the plan is feasible and its
/// objective and gap are consistent with its assignments and covered loads.
pub fn check_plan(inst: &Instance, plan: &Plan) -> Vec<String> {
    let mut problems = Vec::new();
    let rel = |x: f64| 1e-6 * x.abs().max(1.0);
    let facilities: HashMap<&str, &crate::instance::Facility> =
        inst.facilities.iter().map(|f| (f.id.as_str(), f)).collect();
    let models: HashMap<&str, &crate::instance::GenModel> =
        inst.fleet.iter().map(|m| (m.model.as_str(), m)).collect();
    let mut per_model: HashMap<&str, u64> = HashMap::new();
    let mut per_facility_units: HashMap<&str, u64> = HashMap::new();
    let mut per_facility_cap: HashMap<&str, f64> = HashMap::new();
    let mut per_region_kw: HashMap<&str, f64> = HashMap::new();
    let mut idle_lph = 0.0;
    for a in &plan.assignments {
        let (Some(f), Some(m)) = (
            facilities.get(a.facility.as_str()),
            models.get(a.model.as_str()),
        ) else {
            problems.push(format!("unknown facility or model in {a:?}"));
            continue;
        };
        if a.units == 0 {
            continue;
        }
        if inst.min_loading * m.prime_kw > f.unmet_kw {
            problems.push(format!(
                "{} gets {} which would run below {} loading",
                f.id, m.model, inst.min_loading
            ));
        }
        let n = u64::from(a.units);
        *per_model.entry(m.model.as_str()).or_default() += n;
        *per_facility_units.entry(f.id.as_str()).or_default() += n;
        *per_facility_cap.entry(f.id.as_str()).or_default() +=
            n as f64 * m.prime_kw.min(f.unmet_kw);
        *per_region_kw.entry(f.region.as_str()).or_default() += n as f64 * m.prime_kw;
        idle_lph += n as f64 * m.idle_l_per_h;
    }
    for m in &inst.fleet {
        let used = per_model.get(m.model.as_str()).copied().unwrap_or(0);
        if used > u64::from(m.count) {
            problems.push(format!(
                "model {} used {used} times, only {} exist",
                m.model, m.count
            ));
        }
    }
    for (f, n) in &per_facility_units {
        if *n > u64::from(inst.max_units_per_facility) {
            problems.push(format!(
                "{f} has {n} units, limit {}",
                inst.max_units_per_facility
            ));
        }
    }
    if let Some(t) = &inst.transport_kw {
        for (r, kw) in &per_region_kw {
            if let Some(limit) = t.get(*r)
                && *kw > limit + rel(*limit)
            {
                problems.push(format!("region {r} receives {kw} kW, limit {limit}"));
            }
        }
    }
    let mut objective = 0.0;
    let mut cover_total = 0.0;
    for (id, &y) in &plan.covered_kw {
        let Some(f) = facilities.get(id.as_str()) else {
            problems.push(format!("covered_kw names unknown facility {id}"));
            continue;
        };
        if !(y.is_finite() && y >= -rel(0.0)) {
            problems.push(format!("covered_kw[{id}] = {y} is negative or not finite"));
        }
        if y > f.unmet_kw + rel(f.unmet_kw) {
            problems.push(format!(
                "covered_kw[{id}] = {y} exceeds unmet {}",
                f.unmet_kw
            ));
        }
        let cap = per_facility_cap.get(id.as_str()).copied().unwrap_or(0.0);
        if y > cap + rel(cap) {
            problems.push(format!(
                "covered_kw[{id}] = {y} exceeds its units' {cap} kW"
            ));
        }
        objective += f.weight * y;
        cover_total += y;
    }
    let fuel = inst.hours * idle_lph + inst.hours * inst.fuel_l_per_kwh * cover_total;
    if fuel > inst.fuel_litres + rel(inst.fuel_litres) {
        problems.push(format!("fuel {fuel} L exceeds {} L", inst.fuel_litres));
    }
    if (objective - plan.objective).abs() > rel(objective) {
        problems.push(format!(
            "objective {} does not match Σ w·y = {objective}",
            plan.objective
        ));
    }
    if plan.objective > plan.upper_bound + rel(plan.upper_bound) {
        problems.push(format!(
            "objective {} exceeds upper bound {}",
            plan.objective, plan.upper_bound
        ));
    }
    let gap = if plan.upper_bound > 0.0 {
        (plan.upper_bound - plan.objective) / plan.upper_bound
    } else {
        0.0
    };
    if (gap - plan.gap).abs() > 1e-6 {
        problems.push(format!("gap {} should be {gap}", plan.gap));
    }
    problems
}
