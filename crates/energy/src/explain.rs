//! Why each facility got what it got: weight, load, coverage, and the constraint that stopped it
//! from getting more.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::instance::{Instance, Prepared, tol};
use crate::plan::{Plan, units_from_assignments};
use crate::state::{State, fill};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FacilityExplanation {
    pub facility: String,
    pub region: String,
    pub weight: f64,
    pub unmet_kw: f64,
    pub covered_kw: f64,
    pub uncovered_kw: f64,
    /// "model×n" for each model it received.
    pub units: Vec<String>,
    /// Short key of the constraint that binds: `covered`, `no_eligible_model`, `units_per_site`,
    /// `fuel`, `fleet`, `transport`, `priority`.
    pub binding: String,
    /// One sentence a donor can read out.
    pub reason: String,
}

/// Explains every facility of `plan` (which must belong to `inst`).
pub fn explain(inst: &Instance, plan: &Plan) -> Result<Vec<FacilityExplanation>> {
    let prep = Prepared::new(inst);
    let st = State::rebuild(&prep, units_from_assignments(inst, &plan.assignments)?);
    let (_, wstar) = fill(&prep, &st.cap, st.idle_total);
    let mut out = Vec::with_capacity(prep.nf);
    for f in 0..prep.nf {
        let fac = &inst.facilities[f];
        let y = plan.covered_kw.get(&fac.id).copied().unwrap_or(0.0);
        let mut units: Vec<String> = plan
            .assignments
            .iter()
            .filter(|a| a.facility == fac.id)
            .map(|a| format!("{}×{}", a.model, a.units))
            .collect();
        units.sort();
        let left = (fac.unmet_kw - y).max(0.0);
        let (binding, reason) = reason(inst, &prep, &st, f, y, wstar);
        out.push(FacilityExplanation {
            facility: fac.id.clone(),
            region: fac.region.clone(),
            weight: fac.weight,
            unmet_kw: fac.unmet_kw,
            covered_kw: y,
            uncovered_kw: left,
            units,
            binding: binding.to_string(),
            reason,
        });
    }
    Ok(out)
}

fn reason(
    inst: &Instance,
    prep: &Prepared,
    st: &State,
    f: usize,
    y: f64,
    wstar: f64,
) -> (&'static str, String) {
    let u = prep.u[f];
    if y >= u - tol(u) {
        return ("covered", "its whole unmet critical load is covered".into());
    }
    if prep.allowed[f].is_empty() {
        let why = if prep.k == 0 {
            "max_units_per_facility is 0".to_string()
        } else if prep.w[f] <= 0.0 {
            "its weight is 0, so covering it adds nothing".to_string()
        } else {
            let smallest = inst
                .fleet
                .iter()
                .filter(|m| m.count > 0)
                .map(|m| m.prime_kw)
                .fold(f64::INFINITY, f64::min);
            format!(
                "no model in stock fits: the smallest ({smallest} kW) would run below {} % load on {u} kW, \
                 or exceeds the region's transport limit or the whole fuel budget",
                inst.min_loading * 100.0
            )
        };
        return ("no_eligible_model", why);
    }
    if y < st.cap[f] - tol(st.cap[f]) {
        return (
            "fuel",
            format!(
                "its units could carry {:.1} kW but fuel ran out: fuel goes first to facilities with weight above {wstar}",
                st.cap[f]
            ),
        );
    }
    if st.units[f].len() >= prep.k as usize {
        return (
            "units_per_site",
            format!("it already has the maximum of {} units", prep.k),
        );
    }
    let free: Vec<usize> = prep.allowed[f]
        .iter()
        .copied()
        .filter(|&s| st.used[s] < prep.n[s])
        .collect();
    if free.is_empty() {
        return (
            "fleet",
            "every model that fits it is fully allocated to facilities where a unit adds more weighted kW"
                .into(),
        );
    }
    let r = prep.region[f];
    if free.iter().all(|&s| !st.region_fits(prep, f, prep.p[s])) {
        return (
            "transport",
            format!(
                "region {} has used {:.0} of its {:.0} kW transport limit",
                prep.region_names[r],
                st.transport[r],
                prep.region_cap[r].unwrap_or(f64::INFINITY)
            ),
        );
    }
    if free
        .iter()
        .all(|&s| st.idle_total + prep.idle[s] > prep.fuel_h + tol(prep.fuel_h))
    {
        return (
            "fuel",
            "the fuel budget cannot pay even the idle consumption of another unit".into(),
        );
    }
    (
        "priority",
        format!(
            "free units exist, but their idle fuel is worth more at facilities above weight {wstar}"
        ),
    )
}
