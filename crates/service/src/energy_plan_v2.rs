//! A MODEL-v2 plan over the store's facilities, end to end (issue 16, "Done when"): the instance
//! from the load survey (`energy_v2.rs`), the solver's plan with the reason every undeployed unit
//! stays in the depot, why each facility got what it got, the fuel logistics, and each planned
//! facility's autonomy with the units it is given. The CLI (`energy plan --from-db --version 2`)
//! and the `/energy` page call this one function, so both show the same figures.

use std::collections::BTreeMap;
use std::time::Duration;

use aidtrace_domain::Ledger;
use aidtrace_energy::sim::assess::TierHours;
use aidtrace_energy::sim::assess::{AutonomySummary, autonomy_with_units};
use aidtrace_energy::sim::plan_units::units_from_plan_v2;
use aidtrace_energy::v2::{
    FacilityExplanationV2, InstanceV2, Logistics, LogisticsOptions, PlanV2, explain_v2, logistics,
    solve_v2,
};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use crate::energy_autonomy_store::{HoursBound, bound_of, survey_profile};
use crate::energy_notes::{FuelBasis, PlanNote};
use crate::energy_survey::{Survey, surveys};
use crate::energy_v2::{LeftOut, V2Options, instance_v2};
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

impl FacilityAutonomy {
    /// How far a tier's hours (and P) can be trusted given where the fuel came from: unknown
    /// fuel leaves fuel-bound hours unknown, a delivery without the own stock is a lower bound.
    /// Planned facilities have every load and the backup known (the instance refuses unknowns).
    pub fn bound(&self, h: &TierHours) -> HoursBound {
        let known = self.fuel_basis_why.as_ref().and_then(FuelBasis::known);
        match bound_of(h.tier, h.limit.as_ref(), &[], false, known.is_some()) {
            HoursBound::Exact
                if known == Some(false)
                    && !matches!(
                        h.limit,
                        Some(aidtrace_energy::autonomy::Limit::Capacity { .. })
                    ) =>
            {
                HoursBound::AtLeast
            }
            b => b,
        }
    }
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
        let recorded = match (s.fuel_on_hand_litres, s.fuel_as_of) {
            (Some(l), Some(d)) => Some((f64_of(l), d.to_string())),
            _ => None,
        };
        let (fuel_on_site_l, basis) = match (req.fuel_on_site_l, fuel, recorded) {
            (Some(l), _, _) => (l, FuelBasis::Given),
            (None, Some(x), Some((r, as_of))) => (
                r + x.litres_per_delivery,
                FuelBasis::RecordedAndDelivery {
                    recorded_litres: r,
                    as_of,
                    litres_per_day: x.litres_per_day,
                    resupply_days: x.resupply_days,
                },
            ),
            (None, Some(x), None) => (
                x.litres_per_delivery,
                FuelBasis::OneDelivery {
                    litres_per_day: x.litres_per_day,
                    resupply_days: x.resupply_days,
                },
            ),
            (None, None, Some((r, as_of))) => (r, FuelBasis::Recorded { litres: r, as_of }),
            // Unknown: simulated on 0 L, and the tables show fuel-bound hours as unknown.
            (None, None, None) => (0.0, FuelBasis::NoUnits),
        };
        // The own backup at the usable kW the planner counted (E_f, already derated), idle fuel
        // of its full rating.
        let own_kw = f.existing_kw.unwrap_or(0.0);
        let full_kw = s.rated_backup_kw.map_or(own_kw, f64_of);
        let profile = survey_profile(
            s,
            own_kw,
            full_kw,
            fuel_on_site_l,
            s.fuel_tank_litres.map(f64_of),
            instance.slope(),
        )?;
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
