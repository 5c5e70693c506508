//! The units a plan assigns to one facility, as generators a profile can take
//! ([`crate::autonomy::autonomy_with_units`]). Reads only what it needs from the plan
//! (`assignments`) and the instance (`fleet`, `facilities[].id`), so version 1 and version 2
//! plans and instances both work.
//!
//! A unit enters the simulator at its **usable** power, MODEL-v2's derating (`derate` × prime
//! kW; ISO 8528-1: a prime-rated set should average at most 70–80 % of prime), the same figure
//! the planner counted it at; its idle fuel stays that of its full rating. A version 1 instance
//! has no `derate`, so MODEL-v2's default applies. [`PlanUnits::assumption`] says which.

use serde::Deserialize;

use crate::autonomy::Generator;
use crate::error::{EnergyError, Result};

#[derive(Deserialize)]
struct PlanFile {
    assignments: Vec<PlanAssignment>,
}

#[derive(Deserialize)]
struct PlanAssignment {
    facility: String,
    model: String,
    units: u32,
}

#[derive(Deserialize)]
struct InstanceFile {
    fleet: Vec<FleetModel>,
    #[serde(default)]
    facilities: Vec<FacilityId>,
    /// Version 2 only.
    #[serde(default)]
    derate: Option<f64>,
    #[serde(default)]
    power_factor: Option<f64>,
}

#[derive(Deserialize)]
struct FleetModel {
    model: String,
    #[serde(default)]
    prime_kw: Option<f64>,
    #[serde(default)]
    prime_kva: Option<f64>,
    #[serde(default)]
    idle_l_per_h: Option<f64>,
}

/// MODEL-v2's default derating (usable / prime kW), for instances that state none.
pub const DEFAULT_DERATE: f64 = 0.75;
/// MODEL-v2's default power factor, for kVA ratings of instances that state none.
pub const DEFAULT_POWER_FACTOR: f64 = 0.8;

/// A plan's units at one facility and the sentence that says how they were counted.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanUnits {
    pub units: Vec<Generator>,
    pub derate: f64,
    /// For the printed assumptions.
    pub assumption: String,
}

fn assumption(derate: f64, stated: bool) -> String {
    format!(
        "units from the plan run at their usable power, {derate} × prime kW ({}; MODEL-v2 derating, as the planner counted them); their idle fuel is that of the full prime rating",
        if stated {
            "the instance's derate"
        } else {
            "MODEL-v2's default: the instance states no derate"
        }
    )
}

fn plan_unit(model: &str, n: u32, prime_kw: f64, idle_l_per_h: f64, derate: f64) -> Generator {
    Generator {
        name: format!("{model} #{n} (plan)"),
        prime_kw: prime_kw * derate,
        idle_l_per_h: Some(idle_l_per_h),
        failure_to_start: None,
        mttf_h: None,
        availability: None,
        min_turndown: None,
    }
}

#[derive(Deserialize)]
struct FacilityId {
    id: String,
}

/// One generator per unit the plan assigns to `facility`, named "MODEL #n (plan)", with the
/// model's usable kW (derated, see the module comment) and idle fuel from the instance's fleet.
pub fn units_from_plan(plan: &[u8], instance: &[u8], facility: &str) -> Result<PlanUnits> {
    let plan: PlanFile = crate::error::parse_json("plan JSON", plan)?;
    let inst: InstanceFile = crate::error::parse_json("instance JSON", instance)?;
    let derate = inst.derate.unwrap_or(DEFAULT_DERATE);
    if !(derate.is_finite() && derate > 0.0 && derate <= 1.0) {
        return Err(EnergyError::invalid("derate", derate, "must be in (0, 1]"));
    }
    let pf = inst.power_factor.unwrap_or(DEFAULT_POWER_FACTOR);
    if !(pf.is_finite() && pf > 0.0 && pf <= 1.0) {
        return Err(EnergyError::invalid(
            "power_factor",
            pf,
            "must be in (0, 1]",
        ));
    }
    let known = inst.facilities.iter().any(|f| f.id == facility)
        || plan.assignments.iter().any(|a| a.facility == facility);
    if !known {
        return Err(EnergyError::invalid(
            "--facility",
            format!("{facility:?}"),
            "is neither in the instance's facilities nor in the plan's assignments",
        ));
    }
    let mut out = Vec::new();
    for (i, a) in plan.assignments.iter().enumerate() {
        if a.facility != facility {
            continue;
        }
        let Some(m) = inst.fleet.iter().find(|m| m.model == a.model) else {
            return Err(EnergyError::invalid(
                format!("assignments[{i}].model"),
                format!("{:?}", a.model),
                "is not in the instance's fleet (give the instance the plan was made for)",
            ));
        };
        if a.units > 1000 {
            return Err(EnergyError::invalid(
                format!("assignments[{i}].units"),
                a.units,
                "more than 1,000 units at one facility is not a plan the simulator can check",
            ));
        }
        let prime_kw = m
            .prime_kw
            .or(m.prime_kva.map(|kva| kva * pf))
            .unwrap_or(0.0);
        if !(prime_kw.is_finite() && prime_kw > 0.0) {
            return Err(EnergyError::invalid(
                format!("fleet model {:?}.prime_kw", m.model),
                prime_kw,
                "must be > 0 to run a facility",
            ));
        }
        if let Some(v) = m.idle_l_per_h
            && !(v.is_finite() && v >= 0.0)
        {
            return Err(EnergyError::invalid(
                format!("fleet model {:?}.idle_l_per_h", m.model),
                v,
                "must be a finite number ≥ 0",
            ));
        }
        // The idle term of the full rating: derating limits the load, not the engine's size.
        let idle = m
            .idle_l_per_h
            .unwrap_or_else(|| crate::diesel::idle_l_per_h(prime_kw));
        for n in 0..a.units {
            out.push(plan_unit(&a.model, n + 1, prime_kw, idle, derate));
        }
    }
    Ok(PlanUnits {
        units: out,
        derate,
        assumption: assumption(derate, inst.derate.is_some()),
    })
}

/// [`units_from_plan`] on typed version 2 values: one generator per unit the plan assigns to
/// `facility`, at its model's usable kW (`derate` × prime kW, from kVA where the model gives
/// only that) with the idle fuel of its full rating. Models missing from the fleet are skipped
/// (a plan checked against its instance has none).
pub fn units_from_plan_v2(
    inst: &crate::v2::InstanceV2,
    plan: &crate::v2::PlanV2,
    facility: &str,
) -> PlanUnits {
    let mut out = Vec::new();
    for a in plan.assignments.iter().filter(|a| a.facility == facility) {
        let Some(m) = inst.fleet.iter().find(|m| m.model == a.model) else {
            continue;
        };
        for n in 0..a.units {
            out.push(plan_unit(
                &a.model,
                n + 1,
                m.prime_kw(inst.power_factor),
                m.idle(inst.power_factor),
                inst.derate,
            ));
        }
    }
    PlanUnits {
        units: out,
        derate: inst.derate,
        assumption: assumption(inst.derate, true),
    }
}
