//! The units a plan assigns to one facility, as generators a profile can take
//! ([`crate::autonomy::autonomy_with_units`]). Reads only what it needs from the plan
//! (`assignments`) and the instance (`fleet`, `facilities[].id`), so version 1 and version 2
//! plans and instances both work.

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
}

#[derive(Deserialize)]
struct FleetModel {
    model: String,
    prime_kw: f64,
    #[serde(default)]
    idle_l_per_h: Option<f64>,
}

#[derive(Deserialize)]
struct FacilityId {
    id: String,
}

/// One generator per unit the plan assigns to `facility`, named "MODEL #n (plan)", with the
/// model's prime kW and idle fuel from the instance's fleet.
pub fn units_from_plan(plan: &[u8], instance: &[u8], facility: &str) -> Result<Vec<Generator>> {
    let plan: PlanFile = crate::error::parse_json("plan JSON", plan)?;
    let inst: InstanceFile = crate::error::parse_json("instance JSON", instance)?;
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
        if !(m.prime_kw.is_finite() && m.prime_kw > 0.0) {
            return Err(EnergyError::invalid(
                format!("fleet model {:?}.prime_kw", m.model),
                m.prime_kw,
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
        for n in 0..a.units {
            out.push(Generator {
                name: format!("{} #{} (plan)", a.model, n + 1),
                prime_kw: m.prime_kw,
                idle_l_per_h: m.idle_l_per_h,
                failure_to_start: None,
                mttf_h: None,
                availability: None,
                min_turndown: None,
            });
        }
    }
    Ok(out)
}

/// [`units_from_plan`] on typed version 2 values: one generator per unit the plan assigns to
/// `facility`, with its model's prime kW (from kVA where the model gives only that) and idle fuel.
/// Models missing from the fleet are skipped (a plan checked against its instance has none).
pub fn units_from_plan_v2(
    inst: &crate::v2::InstanceV2,
    plan: &crate::v2::PlanV2,
    facility: &str,
) -> Vec<Generator> {
    let mut out = Vec::new();
    for a in plan.assignments.iter().filter(|a| a.facility == facility) {
        let Some(m) = inst.fleet.iter().find(|m| m.model == a.model) else {
            continue;
        };
        for n in 0..a.units {
            out.push(Generator {
                name: format!("{} #{} (plan)", a.model, n + 1),
                prime_kw: m.prime_kw(inst.power_factor),
                idle_l_per_h: Some(m.idle(inst.power_factor)),
                failure_to_start: None,
                mttf_h: None,
                availability: None,
                min_turndown: None,
            });
        }
    }
    out
}
