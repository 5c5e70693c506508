//! Independent checker of a version 2 plan: works from the names in the output JSON and the raw
//! instance, re-deriving every row of MODEL-v2.md without the solver's indexed structures.

use std::collections::HashMap;

use crate::v2::instance::{InstanceV2, Tier};
use crate::v2::plan::PlanV2;

/// Every violated constraint or inconsistent figure, in words; empty means feasible and
/// consistent.
pub fn check_plan_v2(inst: &InstanceV2, plan: &PlanV2) -> Vec<String> {
    let mut problems = Vec::new();
    let rel = |x: f64| 1e-6 * x.abs().max(1.0);
    let pf = inst.power_factor;
    let a = inst.slope();
    if plan.model_version != 2 {
        problems.push(format!(
            "model_version {} is not 2: this is not a version 2 plan",
            plan.model_version
        ));
    }
    let facilities: HashMap<&str, &crate::v2::instance::FacilityV2> =
        inst.facilities.iter().map(|f| (f.id.as_str(), f)).collect();
    let models: HashMap<&str, &crate::v2::instance::ModelV2> =
        inst.fleet.iter().map(|m| (m.model.as_str(), m)).collect();
    let regions: HashMap<&str, &crate::v2::instance::Region> =
        inst.regions.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut per_model: HashMap<&str, u64> = HashMap::new();
    let mut per_facility_units: HashMap<&str, u64> = HashMap::new();
    let mut per_facility_kw: HashMap<&str, f64> = HashMap::new();
    let mut per_region_units: HashMap<&str, u64> = HashMap::new();
    let mut per_region_idle: HashMap<&str, f64> = HashMap::new();
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
        let p = m.prime_kw(pf);
        let kva = p / pf;
        let load = f.loads_kw.total();
        if kva + 1e-9 * kva.max(1.0) < f.largest_step_kva {
            problems.push(format!(
                "{} gets {} ({kva} kVA), which cannot start its largest step load of {} kVA",
                f.id, m.model, f.largest_step_kva
            ));
        }
        if inst.min_loading * p > load + rel(load) {
            problems.push(format!(
                "{} gets {} ({p} kW), which would run below {} loading on its {load} kW",
                f.id, m.model, inst.min_loading
            ));
        }
        let n = u64::from(a.units);
        *per_model.entry(m.model.as_str()).or_default() += n;
        *per_facility_units.entry(f.id.as_str()).or_default() += n;
        *per_facility_kw.entry(f.id.as_str()).or_default() += n as f64 * inst.derate * p;
        *per_region_units.entry(f.region.as_str()).or_default() += n;
        *per_region_idle.entry(f.region.as_str()).or_default() += n as f64 * m.idle(pf);
    }
    for m in &inst.fleet {
        let used = per_model.get(m.model.as_str()).copied().unwrap_or(0);
        if used > u64::from(m.count) {
            problems.push(format!(
                "model {} used {used} times, only {} exist",
                m.model, m.count
            ));
        }
        let depot: u64 = plan
            .left_in_depot
            .iter()
            .filter(|d| d.model == m.model)
            .map(|d| u64::from(d.units))
            .sum();
        if used + depot != u64::from(m.count) {
            problems.push(format!(
                "model {}: {used} assigned + {depot} in left_in_depot ≠ {} units",
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
    let mut objective = 0.0;
    let mut per_region_donated: HashMap<&str, f64> = HashMap::new();
    for (id, y) in &plan.served_kw {
        let Some(f) = facilities.get(id.as_str()) else {
            problems.push(format!("served_kw names unknown facility {id}"));
            continue;
        };
        let Some(r) = regions.get(f.region.as_str()) else {
            problems.push(format!("{id} is in unknown region {}", f.region));
            continue;
        };
        let mut total = 0.0;
        for t in Tier::ALL {
            let v = y.get(t);
            let l = f.loads_kw.get(t);
            if !(v.is_finite() && v >= -rel(0.0)) {
                problems.push(format!(
                    "served_kw[{id}].{} = {v} is negative or not finite",
                    t.name()
                ));
            }
            if v > l + rel(l) {
                problems.push(format!(
                    "served_kw[{id}].{} = {v} exceeds its load {l}",
                    t.name()
                ));
            }
            total += v;
            objective += inst.horizon_days
                * f.population_weight
                * inst.tier_weights.get(t)
                * r.outage_h_per_day
                * v;
        }
        let own = f.backup_kw(pf);
        let units = per_facility_kw.get(id.as_str()).copied().unwrap_or(0.0);
        if total > own + units + rel(own + units) {
            problems.push(format!(
                "{id} serves {total} kW but own backup {own} + usable donated {units} kW is less"
            ));
        }
        *per_region_donated.entry(f.region.as_str()).or_default() += (total - own).max(0.0);
    }
    for r in &inst.regions {
        let id = r.id.as_str();
        let units = per_region_units.get(id).copied().unwrap_or(0);
        if units > u64::from(r.install_units) {
            problems.push(format!(
                "region {id} installs {units} units, capacity {}",
                r.install_units
            ));
        }
        if plan.installed_units.get(id).copied().map(u64::from) != Some(units) && units > 0 {
            problems.push(format!(
                "installed_units[{id}] = {:?}, assignments say {units}",
                plan.installed_units.get(id)
            ));
        }
        let fuel = r.outage_h_per_day
            * (per_region_idle.get(id).copied().unwrap_or(0.0)
                + a * per_region_donated.get(id).copied().unwrap_or(0.0));
        if fuel > r.fuel_l_per_day + rel(r.fuel_l_per_day) {
            problems.push(format!(
                "region {id} needs {fuel} L/day, only {} L/day can be delivered",
                r.fuel_l_per_day
            ));
        }
        let stated = plan.fuel_l_per_day.get(id).copied().unwrap_or(0.0);
        if (stated - fuel).abs() > rel(fuel) {
            problems.push(format!(
                "fuel_l_per_day[{id}] = {stated}, the plan's units and service need {fuel}"
            ));
        }
    }
    if (objective - plan.objective).abs() > rel(objective) {
        problems.push(format!(
            "objective {} does not match D·Σ ρ·W·o·y = {objective}",
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
