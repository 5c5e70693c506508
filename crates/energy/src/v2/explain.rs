//! Why each facility got what it got in a version 2 plan: loads by tier, own backup, what is
//! served, and the constraint that stopped it from getting more.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::instance::tol;
use crate::v2::depot::{Binding, blocker, fuel_marginal};
use crate::v2::instance::{BackupCondition, InstanceV2, PerTier};
use crate::v2::model::{Prep, Scratch, State, eligible};
use crate::v2::plan::{PlanV2, service};
use crate::v2::reason::Reason;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FacilityExplanationV2 {
    pub facility: String,
    pub region: String,
    pub population_weight: f64,
    pub loads_kw: PerTier,
    /// E_f as counted (0 when the own backup needs repair or is absent).
    pub own_backup_kw: f64,
    pub backup_condition: BackupCondition,
    pub served_kw: PerTier,
    pub unserved_kw: PerTier,
    /// "model×n" for each model it received.
    pub units: Vec<String>,
    pub binding: Binding,
    /// One sentence a donor can read out.
    pub reason: String,
    /// The same as a message id with its figures (absent in files written before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<Reason>,
    /// The own backup needs repair and counted 0 kW (said after the reason).
    #[serde(default)]
    pub backup_needs_repair: bool,
}

/// Explains every facility of a version 2 `plan` (which must belong to `inst`).
pub fn explain_v2(inst: &InstanceV2, plan: &PlanV2) -> Result<Vec<FacilityExplanationV2>> {
    let prep = Prep::new(inst);
    let units = crate::v2::replan::units_from_assignments(inst, &plan.assignments)?;
    let st = State::rebuild(&prep, units);
    let (served, donated) = service(&prep, &st);
    let mut scratch = Scratch::default();
    let mut out = Vec::with_capacity(prep.nf);
    for (f, fac) in inst.facilities.iter().enumerate() {
        let y = served[f];
        let load = prep.load[f];
        let unserved = [
            (load[0] - y[0]).max(0.0),
            (load[1] - y[1]).max(0.0),
            (load[2] - y[2]).max(0.0),
        ];
        let mut units: Vec<String> = plan
            .assignments
            .iter()
            .filter(|a| a.facility == fac.id)
            .map(|a| format!("{}×{}", a.model, a.units))
            .collect();
        units.sort();
        let (binding, why) = reason(inst, &prep, &st, f, donated[f], &mut scratch);
        let mut reason = why.english();
        let backup_needs_repair =
            fac.backup_condition == BackupCondition::NeedsRepair && binding != Binding::Covered;
        if backup_needs_repair {
            reason.push_str("; its own backup needs repair and counts as 0 kW");
        }
        out.push(FacilityExplanationV2 {
            facility: fac.id.clone(),
            region: fac.region.clone(),
            population_weight: fac.population_weight,
            loads_kw: fac.loads_kw,
            own_backup_kw: prep.e[f],
            backup_condition: fac.backup_condition,
            served_kw: PerTier::from_array(y),
            unserved_kw: PerTier::from_array(unserved),
            units,
            binding,
            reason,
            why: Some(why),
            backup_needs_repair,
        });
    }
    Ok(out)
}

fn reason(
    inst: &InstanceV2,
    prep: &Prep,
    st: &State,
    f: usize,
    donated: f64,
    scratch: &mut Scratch,
) -> (Binding, Reason) {
    let r = prep.region[f];
    let region = &inst.regions[r];
    if prep.room[f] <= tol(prep.ltot[f]) {
        return (Binding::Covered, Reason::CoveredByOwnBackup);
    }
    let carried = st.cap[f].min(prep.room[f]);
    if donated >= prep.room[f] - tol(prep.room[f]) {
        return (Binding::Covered, Reason::Covered);
    }
    if !prep.pieces[f].iter().any(|&(rate, _, _)| rate > 0.0) {
        return (
            Binding::NoValue,
            Reason::NoValue {
                region: region.id.clone(),
                outage_h_per_day: region.outage_h_per_day,
                weight: inst.facilities[f].population_weight,
            },
        );
    }
    if donated < carried - tol(carried) {
        return (
            Binding::Fuel,
            Reason::FuelFirst {
                carried_kw: carried,
                region: region.id.clone(),
                fuel_l_per_day: region.fuel_l_per_day,
                // The marginal value per kW is D·o_r·ρ·W; D and o_r are the region's, so the
                // weight a reader can compare with the inputs is what is left.
                weight_above: fuel_marginal(prep, st, r)
                    / (inst.horizon_days * prep.o[r]).max(f64::MIN_POSITIVE),
            },
        );
    }
    let fits: Vec<usize> = (0..prep.ns)
        .filter(|&s| prep.u[s] > 0.0 && eligible(inst, &prep.kva, &prep.p, &prep.ltot, f, s))
        .collect();
    if fits.is_empty() {
        let step = inst.facilities[f].largest_step_kva;
        let biggest = prep.kva.iter().copied().fold(0.0, f64::max);
        let why = if biggest < step {
            Reason::NoModelStartsStep {
                step_kva: step,
                largest_kva: biggest,
            }
        } else {
            Reason::BelowMinLoading {
                step_kva: step,
                min_loading_percent: inst.min_loading * 100.0,
                load_kw: prep.ltot[f],
            }
        };
        return (Binding::Eligibility, why);
    }
    let free: Vec<usize> = fits
        .iter()
        .copied()
        .filter(|&s| st.used[s] < prep.n[s])
        .collect();
    if free.is_empty() {
        return (Binding::Fleet, Reason::FleetPlaced);
    }
    let blocks: Vec<Option<Binding>> = free
        .iter()
        .map(|&s| blocker(prep, st, f, s, scratch))
        .collect();
    for b in [Binding::FacilityCap, Binding::Installation, Binding::Fuel] {
        if blocks.iter().all(|x| *x == Some(b)) || (blocks.contains(&Some(b)) && b != Binding::Fuel)
        {
            let text = match b {
                Binding::FacilityCap => Reason::FacilityCap { max_units: prep.k },
                Binding::Installation => Reason::InstallationUsed {
                    region: region.id.clone(),
                    install_units: region.install_units,
                },
                _ => Reason::FuelSpent {
                    region: region.id.clone(),
                    fuel_l_per_day: region.fuel_l_per_day,
                },
            };
            return (b, text);
        }
    }
    if blocks.iter().all(Option::is_some) {
        return (
            Binding::Fuel,
            Reason::FuelCannotRun {
                region: region.id.clone(),
                fuel_l_per_day: region.fuel_l_per_day,
            },
        );
    }
    (Binding::Fleet, Reason::FreeUnitReplan)
}
