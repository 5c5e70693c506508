//! MODEL-v2 instances (`shared/energy/MODEL-v2.md`) from the store: regions with their outage
//! hours, facilities with their average load by tier, usable existing backup and largest step
//! load, from the load survey (`energy_survey.rs`). A load nobody stated is never sent as 0:
//! the builder refuses and names the facility and the asset, or, when asked, leaves the
//! facility out and lists it. Region logistics (fuel per day, units installable) and the fleet
//! are not in the store and come from the caller.
//!
//! The instance is the solver's own type (`aidtrace_energy::v2::InstanceV2`), validated by it
//! before it is returned.

use std::collections::BTreeMap;

use aidtrace_domain::CountryCode;
use aidtrace_domain::assets::load::LoadTier;
use aidtrace_domain::model::FacilityStatus;
use aidtrace_domain::{Ledger, RecordId};
use aidtrace_energy::v2::{BackupCondition, FacilityV2, InstanceV2, ModelV2, Region};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use crate::energy::{FleetUnit, weight_of};
use crate::energy_notes::{LeftOutReason, PlanNote};
use crate::energy_survey::{Survey, SurveyOptions, surveys};
use crate::{ServiceError, ServiceResult};

/// One number per tier: the energy crate's own type, so the builder's output is the solver's
/// input and nothing is copied between two mirrors of MODEL-v2.md.
pub use aidtrace_energy::v2::PerTier as TierValues;

fn set_tier(v: &mut TierValues, tier: LoadTier, x: f64) {
    match tier {
        LoadTier::LifeSupport => v.life_support = x,
        LoadTier::Critical => v.critical = x,
        LoadTier::Essential => v.essential = x,
    }
}

/// What the caller gives for one region; anything absent comes from the store (outage hours)
/// or the defaults of [`V2Options`].
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionSpec {
    #[serde(default)]
    pub outage_h_per_day: Option<f64>,
    #[serde(default)]
    pub fuel_l_per_day: Option<f64>,
    #[serde(default)]
    pub install_units: Option<u32>,
}

/// A season file for `energy instance --from-db --version 2`: the fleet and what the store
/// cannot say. Every field but `fleet` may be left out.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeasonSpec {
    #[serde(default)]
    pub fleet: Vec<FleetUnit>,
    /// Region id (ISO 3166-2 code, or the region name where there is none) → figures.
    #[serde(default)]
    pub regions: BTreeMap<String, RegionSpec>,
    /// Facility id → population weight, overriding the beds/population rule.
    #[serde(default)]
    pub weights: BTreeMap<String, f64>,
    #[serde(default)]
    pub horizon_days: Option<f64>,
    #[serde(default)]
    pub fuel_l_per_kwh: Option<f64>,
    #[serde(default)]
    pub derate: Option<f64>,
    #[serde(default)]
    pub power_factor: Option<f64>,
    #[serde(default)]
    pub min_loading: Option<f64>,
    #[serde(default)]
    pub max_units_per_facility: Option<u32>,
    #[serde(default)]
    pub tier_weights: Option<TierValues>,
}

impl SeasonSpec {
    pub fn from_json_slice(bytes: &[u8]) -> ServiceResult<Self> {
        let de = &mut serde_json::Deserializer::from_slice(bytes);
        serde_path_to_error::deserialize(de)
            .map_err(|e| ServiceError::Parse(format!("season file: {}: {}", e.path(), e.inner())))
    }
}

#[derive(Debug, Clone)]
pub struct V2Options {
    pub spec: SeasonSpec,
    /// Fuel deliverable per day to every region the spec does not give.
    pub fuel_l_per_day: Option<f64>,
    /// Units installable in every region the spec does not give.
    pub install_units: Option<u32>,
    /// Only facilities of this country.
    pub country: Option<CountryCode>,
    /// Leave facilities with unknown figures out (listed) instead of refusing.
    pub skip_unknown: bool,
    pub survey: SurveyOptions,
    /// The donating activity whose generator equipment lines join the fleet. Without it, and
    /// with no units in the spec, the fleet is every generator line not yet recorded as assets.
    pub activity: Option<RecordId>,
}

/// A facility not in the instance and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeftOut {
    pub facility: String,
    pub name: String,
    /// The reasons in English (the CLI and the JSON).
    pub reasons: Vec<String>,
    /// The same reasons as message ids with their figures, for interfaces that translate.
    #[serde(default)]
    pub why: Vec<LeftOutReason>,
}

impl LeftOut {
    fn new(s: &Survey, why: Vec<LeftOutReason>) -> Self {
        LeftOut {
            facility: s.facility.clone(),
            name: s.name.clone(),
            reasons: why.iter().map(LeftOutReason::english).collect(),
            why,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct V2Build {
    pub instance: InstanceV2,
    /// Facilities left out: unknown figures (with `skip_unknown`), destroyed or closed.
    pub left_out: Vec<LeftOut>,
    /// Figures the instance rests on that a reader should know (lower bounds, assumed backup).
    pub notes: Vec<PlanNote>,
    /// Fleet model → the equipment line it was taken from (`energy_fleet`).
    pub fleet_lines: BTreeMap<String, RecordId>,
}

fn invalid(field: &str, value: impl std::fmt::Display, reason: &str) -> ServiceError {
    ServiceError::Parse(format!("{field} = {value}: {reason}"))
}

fn in_range(field: &str, v: f64, lo: f64, hi: f64, open_lo: bool) -> ServiceResult<f64> {
    let ok = v.is_finite() && v <= hi && if open_lo { v > lo } else { v >= lo };
    if ok {
        Ok(v)
    } else {
        let l = if open_lo { "(" } else { "[" };
        Err(invalid(field, v, &format!("must be in {l}{lo}, {hi}]")))
    }
}

fn f64_of(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// The region id of a survey: the ISO 3166-2 code where known, else the region's name.
pub fn region_id(s: &Survey) -> String {
    s.region_code.clone().unwrap_or_else(|| s.region.clone())
}

/// Why a surveyed facility cannot enter the instance as it stands, naming every unknown.
fn unknowns(s: &Survey) -> Vec<LeftOutReason> {
    let mut out = Vec::new();
    if !s.surveyed {
        out.push(LeftOutReason::NoSurvey);
    }
    for l in s.unknown_lines() {
        out.push(LeftOutReason::UnknownLoad {
            tier: l.tier,
            building: l.origin == crate::energy_survey::Origin::Building,
            item: l.item.clone(),
            what: l.what.clone(),
        });
    }
    if s.usable_backup_kw.is_none() {
        out.push(LeftOutReason::BackupUnknown);
    }
    if s.surveyed && s.largest_step_kva.is_none() {
        out.push(LeftOutReason::StepUnknown);
    }
    out
}

/// The MODEL-v2 instance for the store's facilities (of one country if asked), or an error
/// naming every facility and asset whose figures are unknown.
pub fn instance_v2(ledger: &Ledger, opts: &V2Options) -> ServiceResult<V2Build> {
    let spec = &opts.spec;
    let horizon_days = in_range(
        "horizon_days",
        spec.horizon_days.unwrap_or(90.0),
        0.0,
        366.0,
        true,
    )?;
    let mut fuel_l_per_kwh = in_range(
        "fuel_l_per_kwh",
        spec.fuel_l_per_kwh
            .unwrap_or(aidtrace_energy::diesel::L_PER_KWH),
        0.0,
        2.0,
        true,
    )?;
    let derate = in_range(
        "derate",
        spec.derate.unwrap_or(aidtrace_energy::DEFAULT_DERATE),
        0.0,
        1.0,
        true,
    )?;
    let power_factor = in_range(
        "power_factor",
        spec.power_factor
            .unwrap_or(f64_of(opts.survey.power_factor)),
        0.0,
        1.0,
        true,
    )?;
    let min_loading = in_range(
        "min_loading",
        spec.min_loading.unwrap_or(0.3),
        0.0,
        1.0,
        false,
    )?;
    let tier_weights = spec.tier_weights.unwrap_or(TierValues {
        life_support: 10.0,
        critical: 3.0,
        essential: 1.0,
    });
    for (name, w) in [
        ("tier_weights.life_support", tier_weights.life_support),
        ("tier_weights.critical", tier_weights.critical),
        ("tier_weights.essential", tier_weights.essential),
    ] {
        in_range(name, w, 0.0, 1e6, false)?;
    }
    // The store's generator lines: asked for by activity, or the default when no unit is given.
    let from_lines = if opts.activity.is_some() || spec.fleet.is_empty() {
        crate::energy_fleet::fleet_from_lines(ledger, opts.activity.as_ref())?
    } else {
        crate::energy_fleet::LineFleet::default()
    };
    if spec.fleet.is_empty() && from_lines.models.is_empty() {
        // Say why the lines there are gave nothing (recorded already, no quantity).
        let why = if from_lines.notes.is_empty() {
            String::new()
        } else {
            format!(
                " ({})",
                from_lines
                    .notes
                    .iter()
                    .map(PlanNote::english)
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        };
        return Err(invalid(
            "fleet",
            "[]",
            &format!(
                "no donated units to plan: record generator equipment lines (rating and quantity) of the donating activity, or give the units (--unit MODEL:KW:COUNT or the season file's fleet){why}"
            ),
        ));
    }
    let mut fleet = Vec::new();
    for (i, u) in spec.fleet.iter().enumerate() {
        let prime_kw = in_range(&format!("fleet[{i}].prime_kw"), u.prime_kw, 0.0, 1e5, true)?;
        let idle = u
            .idle_l_per_h
            .unwrap_or_else(|| aidtrace_energy::diesel::idle_l_per_h(prime_kw));
        fleet.push(ModelV2 {
            model: u.model.clone(),
            prime_kw: Some(prime_kw),
            prime_kva: None,
            count: u.count,
            idle_l_per_h: Some(in_range(
                &format!("fleet[{i}].idle_l_per_h"),
                idle,
                0.0,
                1e4,
                false,
            )?),
            fuel: Default::default(),
        });
    }
    fleet.extend(from_lines.models);
    // Without a figure, the fleet's own fuel curve (mixed fuels are refused by the solver).
    if spec.fuel_l_per_kwh.is_none()
        && let Some(m) = fleet.first()
    {
        fuel_l_per_kwh = m.fuel.l_per_kwh();
    }
    for (id, w) in &spec.weights {
        in_range(&format!("weights[{id:?}]"), *w, 0.0, 1e6, false)?;
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
    let pf = Decimal::from_f64_retain(power_factor).unwrap_or(opts.survey.power_factor);
    let all = surveys(
        ledger,
        SurveyOptions {
            power_factor: pf,
            derate: Decimal::from_f64_retain(derate).unwrap_or(opts.survey.derate),
            ..opts.survey
        },
    )?;
    let mut left_out = Vec::new();
    let mut refused = Vec::new();
    let mut kept = Vec::new();
    for s in all {
        if opts
            .country
            .as_ref()
            .is_some_and(|c| c.as_str() != s.country)
        {
            continue;
        }
        if let Some(st @ (FacilityStatus::Destroyed | FacilityStatus::Closed)) = s.status {
            let status = serde_json::to_value(st)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            left_out.push(LeftOut::new(&s, vec![LeftOutReason::Status { status }]));
            continue;
        }
        let why = unknowns(&s);
        if why.is_empty() {
            kept.push(s);
        } else {
            let l = LeftOut::new(&s, why);
            if opts.skip_unknown {
                left_out.push(l);
            } else {
                refused.push(l);
            }
        }
    }
    if !refused.is_empty() {
        let lines: Vec<String> = refused
            .iter()
            .map(|l| {
                format!(
                    "facility {} ({}): {}",
                    l.facility,
                    l.name,
                    l.reasons.join("; ")
                )
            })
            .collect();
        return Err(ServiceError::Parse(format!(
            "unknown loads are not planned as 0; state them, or give --skip-unknown to leave these facilities out:\n{}",
            lines.join("\n")
        )));
    }
    // Regions of the kept facilities; outage hours: the caller's, else the worst schedule
    // recorded at any of the region's facilities.
    let mut regions: BTreeMap<String, Option<Decimal>> = BTreeMap::new();
    for s in &kept {
        let e = regions.entry(region_id(s)).or_default();
        *e = (*e).max(s.outage_h_per_day);
    }
    let mut out_regions = Vec::new();
    for (id, recorded) in &regions {
        let given = spec.regions.get(id);
        let outage = match given
            .and_then(|r| r.outage_h_per_day)
            .or(recorded.map(f64_of))
        {
            Some(h) => in_range(
                &format!("regions[{id}].outage_h_per_day"),
                h,
                0.0,
                24.0,
                false,
            )?,
            None => {
                return Err(invalid(
                    &format!("regions[{id}].outage_h_per_day"),
                    "unknown",
                    "no facility of the region records typical_outage_hours_per_day; give it in the season file",
                ));
            }
        };
        let fuel = given
            .and_then(|r| r.fuel_l_per_day)
            .or(opts.fuel_l_per_day)
            .ok_or_else(|| {
                invalid(
                    &format!("regions[{id}].fuel_l_per_day"),
                    "not given",
                    "give --fuel-l-per-day or the season file's regions",
                )
            })?;
        let install_units = given
            .and_then(|r| r.install_units)
            .or(opts.install_units)
            .ok_or_else(|| {
                invalid(
                    &format!("regions[{id}].install_units"),
                    "not given",
                    "give --install-units or the season file's regions",
                )
            })?;
        out_regions.push(Region {
            id: id.clone(),
            outage_h_per_day: outage,
            fuel_l_per_day: in_range(
                &format!("regions[{id}].fuel_l_per_day"),
                fuel,
                0.0,
                1e9,
                false,
            )?,
            install_units,
        });
    }
    for id in spec.regions.keys() {
        if !regions.contains_key(id) {
            return Err(invalid(
                &format!("regions[{id}]"),
                id,
                "no facility of the instance is in this region",
            ));
        }
    }
    let mut notes = from_lines.notes;
    let facilities = kept
        .iter()
        .map(|s| {
            let mut loads = TierValues {
                life_support: 0.0,
                critical: 0.0,
                essential: 0.0,
            };
            for t in &s.tiers {
                set_tier(&mut loads, t.tier, f64_of(t.known_average_kw));
            }
            if s.step_unknown > 0 {
                notes.push(PlanNote::StepLowerBound {
                    facility: s.facility.clone(),
                    unknown: s.step_unknown,
                });
            }
            if s.backup_condition.is_none() && s.backup_kva.is_some_and(|k| k > Decimal::ZERO) {
                notes.push(PlanNote::BackupConditionAssumed {
                    facility: s.facility.clone(),
                });
            }
            let f = RecordId::parse(&s.facility)
                .ok()
                .and_then(|id| ledger.facilities.get(&id));
            let population_weight = f.map_or(1.0, |f| weight_of(f, &spec.weights).0);
            FacilityV2 {
                id: s.facility.clone(),
                region: region_id(s),
                population_weight,
                loads_kw: loads,
                // The set's usable continuous power: the survey's (`generator_kw`, derated by
                // this instance's derate as donated units are; a set that needs repair is 0).
                existing_kw: Some(f64_of(s.usable_backup_kw.unwrap_or_default())),
                existing_kva: None,
                backup_condition: BackupCondition::Working,
                largest_step_kva: s.largest_step_kva.map_or(0.0, f64_of),
                tank_l: None,
            }
        })
        .collect();
    let instance = InstanceV2 {
        version: 2,
        horizon_days,
        fuel_l_per_kwh: Some(fuel_l_per_kwh),
        derate,
        power_factor,
        min_loading,
        max_units_per_facility: spec.max_units_per_facility.unwrap_or(3),
        tier_weights,
        regions: out_regions,
        facilities,
        fleet,
    };
    // The solver's own checks (ids, regions, eligibility) name the field; a store-built instance
    // that fails them is a bug or a bad season file, never a silent plan.
    instance
        .validate()
        .map_err(|e| ServiceError::Parse(format!("instance built from the store: {e}")))?;
    Ok(V2Build {
        instance,
        left_out,
        notes,
        fleet_lines: from_lines.lines,
    })
}
