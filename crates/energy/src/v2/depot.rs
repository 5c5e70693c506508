//! Why units stay in the depot, and why a facility got no more: the binding reason, found by
//! trying one more unit where it could go.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::instance::tol;
use crate::v2::instance::InstanceV2;
use crate::v2::model::{Prep, Scratch, State, eligible, region_fill};
use crate::v2::reason::{BlockedAt, Reason};
use crate::v2::search::gain_add;

/// The constraint that keeps a unit in the depot or a facility from getting more. The enum owns
/// its JSON key and its sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Binding {
    /// Row 5: the set cannot start the largest step load, or would run below minimum loading.
    Eligibility,
    /// The model has 0 kW.
    ZeroKw,
    /// The region has no outage hours, or the facility weight (or every tier weight) is 0.
    NoValue,
    /// The load above own backup is already carried.
    NoRemainingLoad,
    /// Row 4: `max_units_per_facility` reached.
    FacilityCap,
    /// Row 7: the region's installation capacity is used.
    Installation,
    /// Row 6: the region's daily fuel is spent (idle fuel of one more unit does not fit, or the
    /// kW it could carry have no fuel).
    Fuel,
    /// Row 3: every unit of the models that fit is placed where it adds more.
    Fleet,
    /// The facility's whole load is served.
    Covered,
}

impl Binding {
    pub fn key(self) -> &'static str {
        match self {
            Binding::Eligibility => "eligibility",
            Binding::ZeroKw => "zero_kw",
            Binding::NoValue => "no_value",
            Binding::NoRemainingLoad => "no_remaining_load",
            Binding::FacilityCap => "facility_cap",
            Binding::Installation => "installation",
            Binding::Fuel => "fuel",
            Binding::Fleet => "fleet",
            Binding::Covered => "covered",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Binding::Eligibility => "no eligible facility: largest step load or minimum loading",
            Binding::ZeroKw => "the model has 0 kW",
            Binding::NoValue => "no outage hours or zero weight where it could go",
            Binding::NoRemainingLoad => "no remaining load: own backup and placed units carry it",
            Binding::FacilityCap => "per-facility cap (max_units_per_facility)",
            Binding::Installation => "installation capacity in its regions",
            Binding::Fuel => "fuel in its regions",
            Binding::Fleet => "fleet: every fitting unit is placed",
            Binding::Covered => "whole load served",
        }
    }
}

/// Units of one model left in the depot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DepotEntry {
    pub model: String,
    pub units: u32,
    pub binding: Binding,
    /// The binding reason in words, with the figures behind it.
    pub reason: String,
    /// The same as a message id with its figures (absent in files written before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<Reason>,
}

fn entry(model: String, units: u32, binding: Binding, why: Reason) -> DepotEntry {
    DepotEntry {
        model,
        units,
        binding,
        reason: why.english(),
        why: Some(why),
    }
}

/// What stops one more unit of s at f, or None if it could go there with a gain.
pub(crate) fn blocker(
    prep: &Prep,
    st: &State,
    f: usize,
    s: usize,
    scratch: &mut Scratch,
) -> Option<Binding> {
    let r = prep.region[f];
    if !prep.pieces[f].iter().any(|&(rate, _, _)| rate > 0.0) {
        return Some(if prep.room[f] <= 0.0 {
            Binding::NoRemainingLoad
        } else {
            Binding::NoValue
        });
    }
    if st.cap[f] >= prep.room[f] - tol(prep.room[f]) {
        return Some(Binding::NoRemainingLoad);
    }
    if st.units[f].len() >= prep.k as usize {
        return Some(Binding::FacilityCap);
    }
    if st.installed[r] >= prep.install[r] {
        return Some(Binding::Installation);
    }
    if st.idle[r] + prep.idle[s] > prep.fuel_h[r] + tol(prep.fuel_h[r]) {
        return Some(Binding::Fuel);
    }
    if gain_add(prep, st, f, s, scratch) <= 1e-9 {
        // Room, a slot, installation and idle fuel are there, yet the unit adds nothing: the
        // kW it could carry have no fuel left in the region.
        return Some(Binding::Fuel);
    }
    None
}

pub(crate) fn left_in_depot(inst: &InstanceV2, prep: &Prep, st: &State) -> Vec<DepotEntry> {
    let mut out = Vec::new();
    let mut scratch = Scratch::default();
    for s in 0..prep.ns {
        let spare = prep.n[s].saturating_sub(st.used[s]);
        if spare == 0 {
            continue;
        }
        let model = inst.fleet[s].model.clone();
        if prep.u[s] <= 0.0 {
            out.push(entry(model, spare, Binding::ZeroKw, Reason::DepotZeroKw));
            continue;
        }
        let (mut step, mut light) = (0usize, 0usize);
        let mut counts: BTreeMap<Binding, Vec<usize>> = BTreeMap::new();
        for f in 0..prep.nf {
            if !eligible(inst, &prep.kva, &prep.p, &prep.ltot, f, s) {
                if prep.kva[s] + tol(prep.kva[s]) < inst.facilities[f].largest_step_kva {
                    step += 1;
                } else {
                    light += 1;
                }
                continue;
            }
            let b = blocker(prep, st, f, s, &mut scratch).unwrap_or(Binding::Fuel);
            counts.entry(b).or_default().push(f);
        }
        if counts.is_empty() {
            out.push(entry(
                model,
                spare,
                Binding::Eligibility,
                Reason::DepotEligibility {
                    kva: prep.kva[s],
                    step_facilities: step,
                    min_loading_percent: inst.min_loading * 100.0,
                    prime_kw: prep.p[s],
                    light_facilities: light,
                },
            ));
            continue;
        }
        // The binding reason is the one that blocks most eligible facilities that still have
        // load to carry; "no remaining load" only when it is the only one.
        let main = counts
            .iter()
            .filter(|(b, _)| **b != Binding::NoRemainingLoad && **b != Binding::NoValue)
            .max_by_key(|(b, fs)| (fs.len(), std::cmp::Reverse(**b)))
            .or_else(|| counts.iter().max_by_key(|(_, fs)| fs.len()))
            .map(|(b, _)| *b)
            .unwrap_or(Binding::Fuel);
        let mut by = Vec::new();
        for (b, fs) in &counts {
            let mut regions: Vec<String> = Vec::new();
            if matches!(b, Binding::Installation | Binding::Fuel) {
                regions = fs
                    .iter()
                    .map(|&f| inst.regions[prep.region[f]].id.clone())
                    .collect();
                regions.sort_unstable();
                regions.dedup();
                regions.truncate(8);
            }
            by.push(BlockedAt {
                binding: *b,
                facilities: fs.len(),
                regions,
            });
        }
        out.push(entry(
            model,
            spare,
            main,
            Reason::DepotBlocked {
                main,
                by,
                ineligible: step + light,
            },
        ));
    }
    out
}

/// The region's fuel marginal: the value per kW of the last piece fuel reached (0 when fuel does
/// not bind).
pub(crate) fn fuel_marginal(prep: &Prep, st: &State, r: usize) -> f64 {
    region_fill(prep, &st.cap, r, st.idle[r]).1
}
