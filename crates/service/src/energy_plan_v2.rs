//! A MODEL-v2 plan over the store's facilities, end to end (issue 16, "Done when"): the instance
//! from the load survey (`energy_v2.rs`), the solver's plan with the reason every undeployed unit
//! stays in the depot, why each facility got what it got, the fuel logistics, and each planned
//! facility's autonomy with the units it is given. The CLI (`energy plan --from-db --version 2`)
//! and the `/energy` page call this one function, so both show the same figures.

use std::collections::BTreeMap;
use std::time::Duration;

use aidtrace_domain::Ledger;
use aidtrace_energy::autonomy::Profile;
use aidtrace_energy::sim::assess::{AutonomySummary, autonomy_with_units};
use aidtrace_energy::sim::plan_units::units_from_plan_v2;
use aidtrace_energy::v2::{
    FacilityExplanationV2, InstanceV2, Logistics, LogisticsOptions, PlanV2, explain_v2, logistics,
    solve_v2,
};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use crate::energy_notes::{FuelBasis, PlanNote};
use crate::energy_survey::{Survey, surveys};
use crate::energy_v2::{LeftOut, V2Options, instance_v2, region_id};
use crate::{ServiceError, ServiceResult};

/// What a planner chooses beyond the instance: prices, what-ifs and the solver's budget.
#[derive(Debug, Clone)]
pub struct PlanRequest {
    pub build: V2Options,
    /// € per litre delivered; costs are left out without it.
    pub fuel_price_eur_per_l: Option<f64>,
    /// What-if: outage hours per day in every region, replacing the recorded schedules.
    pub outage_h_per_day: Option<f64>,
    /// Fuel on site at each planned facility at the start of an outage; `None`: one delivery
    /// of the logistics plan (its litres per delivery).
    pub fuel_on_site_l: Option<f64>,
    pub time_limit: Duration,
    pub seed: u64,
}

/// One planned facility's autonomy with the units the plan gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FacilityAutonomy {
    pub facility: String,
    pub name: String,
    pub region: String,
    /// The fuel the simulation starts with and where the figure comes from.
    pub fuel_on_site_l: f64,
    /// In English (the CLI and the JSON).
    pub fuel_basis: String,
    /// The same as a message id with its figures, for interfaces that translate.
    #[serde(default)]
    pub fuel_basis_why: Option<FuelBasis>,
    pub summary: AutonomySummary,
}

/// Everything a plan page or `--format json` shows; `instance` and `plan` together are what
/// `energy commit-plan` reads back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StorePlanV2 {
    pub instance: InstanceV2,
    pub plan: PlanV2,
    /// Facilities not planned and why (unknown loads, destroyed or closed): never a 0 load.
    pub left_out: Vec<LeftOut>,
    /// The notes in English (the CLI and the JSON).
    pub notes: Vec<String>,
    /// The same notes as message ids with their figures, for interfaces that translate.
    #[serde(default)]
    pub note_ids: Vec<PlanNote>,
    pub explain: Vec<FacilityExplanationV2>,
    pub logistics: Logistics,
    pub autonomy: Vec<FacilityAutonomy>,
    /// Facility id → name, for tables a person reads.
    pub names: BTreeMap<String, String>,
    /// Facility id → the note that marks its data as illustrative.
    pub illustrative: BTreeMap<String, String>,
    /// Fleet model → the equipment line its units come from, where the fleet is the store's
    /// (`energy commit-plan` records each unit against its line).
    #[serde(default)]
    pub fleet_lines: BTreeMap<String, String>,
}

impl StorePlanV2 {
    pub fn from_json_slice(bytes: &[u8]) -> ServiceResult<Self> {
        let de = &mut serde_json::Deserializer::from_slice(bytes);
        serde_path_to_error::deserialize(de).map_err(|e| {
            ServiceError::Parse(format!(
                "plan file (the JSON of `energy plan --from-db --version 2 --format json`): {}: {}",
                e.path(),
                e.inner()
            ))
        })
    }

    /// The facility's name, or its id where the store has none.
    pub fn name_of<'a>(&'a self, facility: &'a str) -> &'a str {
        self.names.get(facility).map_or(facility, String::as_str)
    }
}

fn f64_of(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// Plan the donated fleet over the store's facilities with version 2 of the model.
pub fn plan_from_store(ledger: &Ledger, req: &PlanRequest) -> ServiceResult<StorePlanV2> {
    if let Some(p) = req.fuel_price_eur_per_l
        && !(p.is_finite() && (0.0..=1000.0).contains(&p))
    {
        return Err(ServiceError::Parse(format!(
            "fuel_price = {p}: must be between 0 and 1000 € per litre"
        )));
    }
    if let Some(l) = req.fuel_on_site_l
        && !(l.is_finite() && (0.0..=1e7).contains(&l))
    {
        return Err(ServiceError::Parse(format!(
            "fuel_on_site_l = {l}: must be between 0 and 10,000,000 litres"
        )));
    }
    let built = instance_v2(ledger, &req.build)?;
    let mut instance = built.instance;
    let mut notes = built.notes;
    if let Some(h) = req.outage_h_per_day {
        if !(h.is_finite() && (0.0..=24.0).contains(&h)) {
            return Err(ServiceError::Parse(format!(
                "outage_h_per_day = {h}: must be between 0 and 24 hours"
            )));
        }
        for r in &mut instance.regions {
            r.outage_h_per_day = h;
        }
        notes.push(PlanNote::OutageWhatIf { hours: h });
    }
    let plan = solve_v2(
        &instance,
        &aidtrace_energy::Options {
            time_limit: req.time_limit,
            seed: req.seed,
        },
    );
    let explain =
        explain_v2(&instance, &plan).map_err(|e| ServiceError::Parse(format!("explain: {e}")))?;
    let lopts = LogisticsOptions {
        fuel_price_eur_per_l: req.fuel_price_eur_per_l,
        ..LogisticsOptions::default()
    };
    let logistics = logistics(&instance, &plan, &lopts)
        .map_err(|e| ServiceError::Parse(format!("logistics: {e}")))?;
    let all = surveys(ledger, req.build.survey)?;
    let by_id: BTreeMap<&str, &Survey> = all.iter().map(|s| (s.facility.as_str(), s)).collect();
    let mut names = BTreeMap::new();
    let mut illustrative = BTreeMap::new();
    for s in &all {
        let listed = instance.facilities.iter().any(|f| f.id == s.facility)
            || built.left_out.iter().any(|l| l.facility == s.facility);
        if listed {
            names.insert(s.facility.clone(), s.name.clone());
            if let Some(n) = &s.illustrative {
                illustrative.insert(s.facility.clone(), n.clone());
            }
        }
    }
    let mut autonomy = Vec::new();
    // The simulator counts the seconds between grid loss and generator pickup as a failure of
    // every tier a UPS or battery does not bridge. The store records neither, and counting the
    // gap would give P = 0 at every hospital, which says nothing about the plan; so the profiles
    // start with the generators carrying the load, and the note says so.
    notes.push(PlanNote::ChangeoverBridged);
    let mut derate_note: Option<f64> = None;
    for f in &instance.facilities {
        let Some(s) = by_id.get(f.id.as_str()) else {
            continue;
        };
        let units = units_from_plan_v2(&instance, &plan, &f.id);
        if derate_note.is_none() {
            derate_note = Some(units.derate);
        }
        let fuel = logistics.facilities.iter().find(|x| x.facility == f.id);
        let (fuel_on_site_l, basis) = match (req.fuel_on_site_l, fuel) {
            (Some(l), _) => (l, FuelBasis::Given),
            (None, Some(x)) => (
                x.litres_per_delivery,
                FuelBasis::OneDelivery {
                    litres_per_day: x.litres_per_day,
                    resupply_days: x.resupply_days,
                },
            ),
            (None, None) => (0.0, FuelBasis::NoUnits),
        };
        // The own backup at the usable kW the planner counted (E_f, already derated).
        let own_kw = f.existing_kw.unwrap_or(0.0);
        let profile = profile_of(s, &instance, own_kw, fuel_on_site_l)?;
        let mut summary = autonomy_with_units(&profile, &units.units);
        summary.assumptions.insert(0, units.assumption);
        autonomy.push(FacilityAutonomy {
            facility: f.id.clone(),
            name: s.name.clone(),
            region: f.region.clone(),
            fuel_on_site_l,
            fuel_basis: basis.english(),
            fuel_basis_why: Some(basis),
            summary,
        });
    }
    if let Some(derate) = derate_note {
        notes.push(PlanNote::UnitsDerated { derate });
    }
    Ok(StorePlanV2 {
        instance,
        plan,
        left_out: built.left_out,
        notes: notes.iter().map(PlanNote::english).collect(),
        note_ids: notes,
        explain,
        logistics,
        autonomy,
        names,
        illustrative,
        fleet_lines: built
            .fleet_lines
            .iter()
            .map(|(m, l)| (m.clone(), l.to_string()))
            .collect(),
    })
}

/// The simulator's profile of a surveyed facility: the same average load per tier the plan
/// used, its usable own backup (`own_kw`, derated as the planner counted it) as one generator, its region for the solar table (no solar
/// recorded in the store, so it only names the region) and the fuel on site.
fn profile_of(
    s: &Survey,
    inst: &InstanceV2,
    own_kw: f64,
    fuel_litres: f64,
) -> ServiceResult<Profile> {
    let loads: Vec<serde_json::Value> = s
        .tiers
        .iter()
        .filter(|t| t.known_average_kw > Decimal::ZERO)
        .map(|t| {
            serde_json::json!({
                "department": format!("{} loads", t.tier.as_str()),
                "tier": t.tier.as_str(),
                "devices": [{"name": format!("{} average", t.tier.as_str()), "watts": f64_of(t.known_average_kw) * 1000.0}],
            })
        })
        .collect();
    let mut generators = Vec::new();
    if own_kw > 0.0 {
        // Idle fuel of the set's full usable rating, not of its derated power.
        let full_kw = s.usable_backup_kw.map_or(own_kw, f64_of);
        generators.push(serde_json::json!({
            "name": "existing backup",
            "prime_kw": own_kw,
            "idle_l_per_h": aidtrace_energy::diesel::idle_l_per_h(full_kw),
        }));
    }
    let v = serde_json::json!({
        "facility": s.facility,
        "region": region_id(s),
        "grid": {"connected": true},
        // See the note on the changeover gap in `plan_from_store`.
        "changeover_s": 0.0,
        "loads": loads,
        "generators": generators,
        "fuel_litres": fuel_litres,
        "fuel_l_per_kwh": inst.slope(),
    });
    let bytes = serde_json::to_vec(&v).map_err(|e| ServiceError::Io(e.to_string()))?;
    Profile::from_json_slice(&bytes)
        .map_err(|e| ServiceError::Parse(format!("facility {}: profile: {e}", s.facility)))
}
