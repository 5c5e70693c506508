//! From the store to the energy models: the unmet critical load of each facility (the load
//! survey's life-support and critical tiers less its usable backup), its weight and region, and
//! a donated fleet given from outside.
//! Rules are in docs/energy.md, "Instances from the store".

use std::collections::{BTreeMap, HashMap};

use aidtrace_domain::assets::load::LoadTier;
use aidtrace_domain::assets::{Asset, AssetEvent, LifecycleState};
use aidtrace_domain::model::Facility;
use aidtrace_domain::{Ledger, RecordId};
use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use serde::{Deserialize, Serialize};

pub use aidtrace_energy;
use aidtrace_energy::{GenModel, Instance};

use crate::energy_survey::{SurveyOptions, surveys};
use crate::{ServiceError, ServiceResult};

/// kW drawn per kVA when only an apparent power is known (a common diesel-set rating basis):
/// MODEL-v2's default, the planners' own.
pub use aidtrace_energy::DEFAULT_POWER_FACTOR;

/// One facility's load as read from the store.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FacilityLoad {
    pub facility: String,
    pub name: String,
    pub region: String,
    pub weight: f64,
    /// Where the weight came from: `given`, `beds`, `population` or `equal`.
    pub weight_basis: &'static str,
    /// The load survey's known average kW of the life-support and critical tiers (the
    /// critical load of MODEL.md; essential loads are not in version 1).
    pub critical_kw: f64,
    /// The survey's usable backup: kVA × power factor × derate while working, 0 when it needs
    /// repair or is absent, 0 when unknown (`backup_unknown`).
    pub backup_kw: f64,
    /// No backup kVA recorded: counted as 0, so the unmet load may be overstated.
    pub backup_unknown: bool,
    /// max(0, critical − backup): what the donated fleet is asked to cover.
    pub unmet_kw: f64,
    /// Life-support and critical loads whose average kW nobody stated: left out of the sum, so
    /// the load is a lower bound (never reported as covered). A facility with no load survey at
    /// all counts 1.
    pub unknown_loads: usize,
}

/// A fleet file for `energy plan --from-db`: the units to allocate and what the store cannot say.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetSpec {
    pub fleet: Vec<FleetUnit>,
    /// Facility id → weight, overriding the beds/population rule.
    #[serde(default)]
    pub weights: BTreeMap<String, f64>,
    #[serde(default)]
    pub transport_kw: Option<BTreeMap<String, f64>>,
    #[serde(default)]
    pub fuel_litres: Option<f64>,
    #[serde(default)]
    pub hours: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetUnit {
    pub model: String,
    pub prime_kw: f64,
    pub count: u32,
    /// Default: the MODEL.md idle table for the size.
    #[serde(default)]
    pub idle_l_per_h: Option<f64>,
}

impl FleetSpec {
    pub fn from_json_slice(bytes: &[u8]) -> ServiceResult<Self> {
        let de = &mut serde_json::Deserializer::from_slice(bytes);
        serde_path_to_error::deserialize(de)
            .map_err(|e| ServiceError::Parse(format!("fleet file: {}: {}", e.path(), e.inner())))
    }
}

/// Everything `--from-db` needs besides the store.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    pub hours: f64,
    /// `None`: enough to run the fleet at the load it can cover for `hours` (see docs).
    pub fuel_litres: Option<f64>,
    pub fuel_l_per_kwh: f64,
    pub min_loading: f64,
    pub max_units_per_facility: u32,
    pub power_factor: f64,
    /// Usable / prime kW of every set, own backup and donated units alike (MODEL-v2's 0.75 by
    /// default; MODEL.md's `prime_kw` is the derated rating, so units enter the instance at
    /// `prime_kw × derate`).
    pub derate: f64,
    pub fleet: Vec<FleetUnit>,
    pub weights: BTreeMap<String, f64>,
    pub transport_kw: Option<BTreeMap<String, f64>>,
    /// Asset states are read at this time.
    pub at: NaiveDateTime,
}

impl StoreOptions {
    /// MODEL.md's usual figures (72 h, 0.25 L/kWh, 30 % minimum loading, 2 units per site).
    pub fn new(fleet: Vec<FleetUnit>, at: NaiveDateTime) -> Self {
        StoreOptions {
            hours: 72.0,
            fuel_litres: None,
            fuel_l_per_kwh: aidtrace_energy::diesel::L_PER_KWH,
            min_loading: 0.3,
            max_units_per_facility: 2,
            power_factor: DEFAULT_POWER_FACTOR,
            derate: crate::energy_autonomy_store::DEFAULT_DERATE,
            fleet,
            weights: BTreeMap::new(),
            transport_kw: None,
            at,
        }
    }
}

/// `MODEL:KW:COUNT`, e.g. `G60:60:4` (a flag form of one fleet entry).
pub fn parse_unit(raw: &str) -> ServiceResult<FleetUnit> {
    let bad = |why: &str| ServiceError::Parse(format!("--unit {raw:?}: {why}"));
    let parts: Vec<&str> = raw.split(':').collect();
    let [model, kw, count] = parts[..] else {
        return Err(bad("expected MODEL:KW:COUNT, e.g. G60:60:4"));
    };
    if model.trim().is_empty() {
        return Err(bad("the model name is empty"));
    }
    let prime_kw: f64 = kw
        .parse()
        .map_err(|_| bad("KW is not a number"))
        .and_then(|v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(v)
            } else {
                Err(bad("KW must be a finite number > 0"))
            }
        })?;
    let count: u32 = count
        .parse()
        .map_err(|_| bad("COUNT is not a whole number ≥ 0"))?;
    Ok(FleetUnit {
        model: model.to_string(),
        prime_kw,
        count,
        idle_l_per_h: None,
    })
}

/// An illustrative fleet for pages shown without one: sizes within the 9–264 kW range UNOPS
/// delivered in 2023, counts chosen only to give a small plan something to allocate.
pub fn illustrative_fleet() -> Vec<FleetUnit> {
    [("G30", 30.0, 4), ("G100", 100.0, 2), ("G250", 250.0, 1)]
        .into_iter()
        .map(|(m, kw, n)| FleetUnit {
            model: m.to_string(),
            prime_kw: kw,
            count: n,
            idle_l_per_h: None,
        })
        .collect()
}

/// Usable kW of a donated unit of `prime_kw` (prime rating) at `derate`: the survey's rule
/// ([`crate::energy_survey::usable_of_prime`]) on the fleet's f64 figures.
pub fn usable_unit_kw(prime_kw: f64, derate: f64) -> f64 {
    match (Decimal::from_f64(prime_kw), Decimal::from_f64(derate)) {
        (Some(p), Some(d)) => crate::energy_survey::usable_of_prime(p, d)
            .to_f64()
            .unwrap_or(prime_kw * derate),
        _ => prime_kw * derate,
    }
}

fn kw(d: Option<Decimal>) -> Option<f64> {
    d.and_then(|v| v.to_f64())
}

/// Assets in these states are on site and need power (a broken device will be repaired onto the
/// same circuit); stored, planned, shipped or retired ones do not.
pub(crate) fn powered(state: Option<LifecycleState>) -> bool {
    use LifecycleState as S;
    matches!(
        state,
        Some(S::Installed | S::Commissioned | S::InService | S::Down | S::UnderRepair)
    )
}

pub(crate) struct AssetView<'a> {
    pub(crate) asset: &'a Asset,
    pub(crate) facility: RecordId,
    pub(crate) state: Option<LifecycleState>,
}

/// Each asset with its state at `at` and its facility after any transfer up to `at`.
pub(crate) fn asset_views(ledger: &Ledger, at: NaiveDateTime) -> Vec<AssetView<'_>> {
    let mut events: HashMap<&RecordId, Vec<&AssetEvent>> = HashMap::new();
    for e in ledger.asset_events.values().filter(|e| !e.is_void()) {
        events.entry(&e.asset).or_default().push(e);
    }
    ledger
        .assets
        .values()
        .map(|a| {
            let mut ev = events.remove(&a.id).unwrap_or_default();
            ev.sort_by(|x, y| x.at.cmp(&y.at).then(x.id.cmp(&y.id)));
            let ev: Vec<&AssetEvent> = ev.into_iter().filter(|e| e.at <= at).collect();
            let facility = ev
                .iter()
                .rev()
                .find_map(|e| e.to_facility.clone())
                .unwrap_or_else(|| a.facility.clone());
            AssetView {
                asset: a,
                facility,
                state: ev.last().map(|e| e.state),
            }
        })
        .collect()
}

pub(crate) fn region_of(f: &Facility) -> String {
    f.region
        .clone()
        .unwrap_or_else(|| format!("{} (country)", f.country))
}

/// Weight rule: given > 1 + beds/100 > 1 + population served/100,000 > 1.
pub(crate) fn weight_of(f: &Facility, given: &BTreeMap<String, f64>) -> (f64, &'static str) {
    if let Some(w) = given.get(f.id.as_str()) {
        (*w, "given")
    } else if let Some(b) = f.beds {
        (1.0 + f64::from(b) / 100.0, "beds")
    } else if let Some(p) = f.population_served {
        (1.0 + p as f64 / 100_000.0, "population")
    } else {
        (1.0, "equal")
    }
}

/// The unmet critical load of every facility in the ledger (all of them, also those at 0), from
/// the load survey as version 2 reads it: average kW by tier (not a device's active kW as if it
/// ran all day), tiers from the clinical role, building loads, and the backup's condition.
pub fn facility_loads(
    ledger: &Ledger,
    at: NaiveDateTime,
    power_factor: f64,
    derate: f64,
    weights: &BTreeMap<String, f64>,
) -> ServiceResult<Vec<FacilityLoad>> {
    let pf = Decimal::from_f64(power_factor)
        .ok_or_else(|| invalid("power_factor", power_factor, "must be in (0, 1]"))?;
    let derate =
        Decimal::from_f64(derate).ok_or_else(|| invalid("derate", derate, "must be in (0, 1]"))?;
    let all = surveys(
        ledger,
        SurveyOptions {
            power_factor: pf,
            derate,
            ..SurveyOptions::new(at)
        },
    )?;
    let critical = [LoadTier::LifeSupport, LoadTier::Critical];
    Ok(all
        .iter()
        .filter_map(|s| {
            let f = RecordId::parse(&s.facility)
                .ok()
                .and_then(|id| ledger.facilities.get(&id))?;
            let critical_kw: f64 = critical
                .iter()
                .map(|t| s.tier(*t).known_average_kw.to_f64().unwrap_or(0.0))
                .sum();
            // A facility nobody surveyed has a wholly unknown load, not a load of 0.
            let unknown_loads = critical.iter().map(|t| s.tier(*t).unknown).sum::<usize>()
                + usize::from(!s.surveyed);
            let backup_kw = kw(s.usable_backup_kw).unwrap_or(0.0);
            let (weight, weight_basis) = weight_of(f, weights);
            Some(FacilityLoad {
                facility: s.facility.clone(),
                name: s.name.clone(),
                region: region_of(f),
                weight,
                weight_basis,
                critical_kw,
                backup_kw,
                backup_unknown: s.usable_backup_kw.is_none(),
                unmet_kw: (critical_kw - backup_kw).max(0.0),
                unknown_loads,
            })
        })
        .collect())
}

fn invalid(field: &str, value: impl std::fmt::Display, reason: &str) -> ServiceError {
    ServiceError::Parse(format!("{field} = {value}: {reason}"))
}

/// The MODEL.md instance for the ledger's facilities and the given fleet, validated.
pub fn instance_from_ledger(
    ledger: &Ledger,
    opts: &StoreOptions,
) -> ServiceResult<(Instance, Vec<FacilityLoad>)> {
    if !(opts.power_factor.is_finite() && opts.power_factor > 0.0 && opts.power_factor <= 1.0) {
        return Err(invalid(
            "power_factor",
            opts.power_factor,
            "must be in (0, 1]",
        ));
    }
    if opts.fleet.is_empty() {
        return Err(invalid(
            "fleet",
            "[]",
            "give the donated units (--unit MODEL:KW:COUNT or --fleet FILE)",
        ));
    }
    for id in opts.weights.keys() {
        if RecordId::parse(id)
            .ok()
            .is_none_or(|r| !ledger.facilities.contains_key(&r))
        {
            return Err(invalid(
                &format!("weights[{id:?}]"),
                id,
                "no facility with this id in the store",
            ));
        }
    }
    if !(opts.derate.is_finite() && opts.derate > 0.0 && opts.derate <= 1.0) {
        return Err(invalid("derate", opts.derate, "must be in (0, 1]"));
    }
    let loads = facility_loads(
        ledger,
        opts.at,
        opts.power_factor,
        opts.derate,
        &opts.weights,
    )?;
    // MODEL.md's P_s is the derated prime rating: a unit counts at usable kW (the survey's rule,
    // `energy_survey::usable_of_prime`), its idle fuel that of its full rating.
    let fleet: Vec<GenModel> = opts
        .fleet
        .iter()
        .map(|u| GenModel {
            model: u.model.clone(),
            prime_kw: usable_unit_kw(u.prime_kw, opts.derate),
            count: u.count,
            idle_l_per_h: u
                .idle_l_per_h
                .unwrap_or_else(|| aidtrace_energy::diesel::idle_l_per_h(u.prime_kw)),
        })
        .collect();
    let fuel_litres = match opts.fuel_litres {
        Some(l) => l,
        None => {
            // Enough to run every unit for the whole horizon at the load the fleet can cover.
            let load: f64 = loads.iter().map(|l| l.unmet_kw).sum();
            let fleet_kw: f64 = fleet.iter().map(|m| m.prime_kw * f64::from(m.count)).sum();
            let idle: f64 = fleet
                .iter()
                .map(|m| m.idle_l_per_h * f64::from(m.count))
                .sum();
            opts.hours * (opts.fuel_l_per_kwh * load.min(fleet_kw) + idle)
        }
    };
    let inst = Instance {
        hours: opts.hours,
        fuel_litres,
        fuel_l_per_kwh: opts.fuel_l_per_kwh,
        min_loading: opts.min_loading,
        max_units_per_facility: opts.max_units_per_facility,
        facilities: loads
            .iter()
            .map(|l| aidtrace_energy::Facility {
                id: l.facility.clone(),
                region: l.region.clone(),
                weight: l.weight,
                unmet_kw: l.unmet_kw,
            })
            .collect(),
        fleet,
        transport_kw: opts.transport_kw.clone(),
    };
    inst.validate()
        .map_err(|e| ServiceError::Parse(e.to_string()))?;
    Ok((inst, loads))
}
