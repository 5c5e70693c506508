//! The outage simulator's profile of a facility in the store, read from its **load survey**
//! (`energy_survey.rs`): average kW per tier from the catalogue and the building loads, the own
//! backup by its condition, and the fuel on site. `energy autonomy FACILITY` and each facility's
//! autonomy beside a version 2 plan are built here, so both read the store the same way.
//! What the store does not say is carried beside the profile (unknown loads, unknown backup,
//! unknown fuel) and turns the hours into a bound or "unknown", never a silent 0.

use aidtrace_domain::Ledger;
use aidtrace_domain::assets::load::{BackupCondition, LoadTier};
use aidtrace_energy::autonomy::{Limit, Profile, Tier};
use aidtrace_energy::sim::solar::YieldTable;
use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use serde::Serialize;

use crate::energy_fuel::FuelOnSite;
use crate::energy_survey::{Survey, SurveyOptions, survey};
use crate::energy_v2::region_id;
use crate::{ServiceError, ServiceResult};

/// MODEL-v2's default derating, the planners' own (the survey's
/// [`crate::energy_survey::DEFAULT_DERATE`] in exact decimals).
pub use aidtrace_energy::DEFAULT_DERATE;

/// How far a tier's hours can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HoursBound {
    /// Every input is known.
    Exact,
    /// A load of this tier or a more urgent one has no stated average: the real load is larger,
    /// so the hours and P(survive) are at most the figures shown.
    AtMost,
    /// The fuel on site is only partly known (a delivery, the own stock unrecorded): at least.
    AtLeast,
    /// The figure depends on what nobody recorded (the fuel on site, the backup's kVA).
    Unknown,
}

impl HoursBound {
    pub fn key(self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::AtMost => "at_most",
            Self::AtLeast => "at_least",
            Self::Unknown => "unknown",
        }
    }

    /// The figure with its bound for a reader of English (`≤ 12`, `≥ 40`, `unknown`).
    pub fn english(self, figure: &str) -> String {
        match self {
            Self::Exact => figure.to_string(),
            Self::AtMost => format!("≤ {figure}"),
            Self::AtLeast => format!("≥ {figure}"),
            Self::Unknown => "unknown".into(),
        }
    }
}

/// A load of the survey nobody stated an average kW for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnknownLoad {
    pub tier: LoadTier,
    pub item: String,
    pub what: String,
}

/// The profile and what the store could not say.
#[derive(Debug, Clone, Serialize)]
pub struct StoreProfile {
    #[serde(skip)]
    pub profile: Profile,
    pub facility: String,
    pub name: String,
    pub fuel: FuelOnSite,
    pub tank_litres: Option<f64>,
    pub backup_kva: Option<f64>,
    pub backup_condition: Option<BackupCondition>,
    /// The own backup's kW the simulation counts: kVA × power factor × derate while working.
    pub backup_kw: Option<f64>,
    pub unknown_loads: Vec<UnknownLoad>,
    /// The recorded fuel reading when it is older than `energy_fuel::STALE_AFTER_DAYS` at `at`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stale_fuel: Option<crate::energy_fuel::StaleReading>,
    /// The store reading in English, printed first among the assumptions.
    pub notes: Vec<String>,
}

impl StoreProfile {
    /// The bound on a tier's (cumulative) hours, given what ended them.
    pub fn bound(&self, tier: Tier, limit: Option<&Limit>) -> HoursBound {
        bound_of(
            tier,
            limit,
            &self.unknown_loads,
            self.backup_kw.is_none(),
            self.fuel.is_known(),
        )
    }
}

/// The simulator's tier of a survey tier (MODEL-v2's essential is its `other`).
pub fn sim_tier(t: LoadTier) -> Tier {
    match t {
        LoadTier::LifeSupport => Tier::LifeSupport,
        LoadTier::Critical => Tier::Critical,
        LoadTier::Essential => Tier::Other,
    }
}

/// See [`StoreProfile::bound`]: `fuel_known` false means the simulation started on 0 L for
/// lack of a figure, so hours that fuel ended are unknown (capacity ends them whatever the fuel).
pub fn bound_of(
    tier: Tier,
    limit: Option<&Limit>,
    unknown_loads: &[UnknownLoad],
    backup_unknown: bool,
    fuel_known: bool,
) -> HoursBound {
    let capacity = matches!(limit, Some(Limit::Capacity { .. }));
    let loads_unknown = unknown_loads.iter().any(|u| sim_tier(u.tier) <= tier);
    if backup_unknown || (!fuel_known && !capacity) {
        HoursBound::Unknown
    } else if loads_unknown {
        HoursBound::AtMost
    } else {
        HoursBound::Exact
    }
}

/// The profile of `facility` from its survey at `at`; `fuel_litres` overrides the recorded stock.
pub fn store_profile(
    ledger: &Ledger,
    facility: &str,
    at: NaiveDateTime,
    power_factor: f64,
    fuel_litres: Option<f64>,
) -> ServiceResult<StoreProfile> {
    let pf = Decimal::from_f64(power_factor)
        .filter(|_| power_factor.is_finite())
        .ok_or_else(|| {
            ServiceError::Parse(format!("power_factor = {power_factor}: must be in (0, 1]"))
        })?;
    if let Some(l) = fuel_litres
        && !(l.is_finite() && (0.0..=1e7).contains(&l))
    {
        return Err(ServiceError::Parse(format!(
            "fuel_litres = {l}: must be between 0 and 10,000,000 litres"
        )));
    }
    let s = survey(
        ledger,
        facility,
        SurveyOptions {
            power_factor: pf,
            ..SurveyOptions::new(at)
        },
    )?;
    let unknown_loads: Vec<UnknownLoad> = s
        .unknown_lines()
        .map(|l| UnknownLoad {
            tier: l.tier,
            item: l.item.clone(),
            what: l.what.clone(),
        })
        .collect();
    if s.tiers.iter().all(|t| t.known_average_kw <= Decimal::ZERO) {
        let why = if s.surveyed {
            format!(
                "no load states an average kW ({} unknown: {})",
                unknown_loads.len(),
                unknown_loads
                    .iter()
                    .map(|u| format!("{} {}", u.item, u.what))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else {
            "nothing surveyed (no powered asset, no building load)".into()
        };
        return Err(ServiceError::NotFound(format!(
            "facility {facility:?}: {why}, so its autonomy is unknown; see `aidtrace energy survey {facility}`"
        )));
    }
    let fuel = FuelOnSite::of(fuel_litres, &s);
    let tank_litres = s.fuel_tank_litres.and_then(|t| t.to_f64());
    let full_kw = s.rated_backup_kw.and_then(|k| k.to_f64());
    let backup_kw = s.usable_backup_kw.and_then(|k| k.to_f64());
    let profile = survey_profile(
        &s,
        backup_kw.unwrap_or(0.0),
        full_kw.unwrap_or(0.0),
        fuel.litres(),
        tank_litres,
        aidtrace_energy::diesel::L_PER_KWH,
    )?;
    let mut notes = vec![format!(
        "loads from the load survey: average kW per tier ({}), tiers by clinical role or the facility's overrides",
        s.tiers
            .iter()
            .map(|t| format!("{} {:.1} kW", t.tier.as_str(), t.known_average_kw))
            .collect::<Vec<_>>()
            .join(", ")
    )];
    if !unknown_loads.is_empty() {
        notes.push(format!(
            "{} load(s) state no average kW and are not simulated, so the hours and P of their tier and every less urgent one are at most the figures shown: {}",
            unknown_loads.len(),
            unknown_loads
                .iter()
                .map(|u| format!("{} {} ({})", u.item, u.what, u.tier.as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let condition = s
        .backup_condition
        .map_or("condition not recorded", BackupCondition::as_str);
    notes.push(match (s.backup_kva, s.backup_condition, backup_kw) {
        (_, Some(BackupCondition::NeedsRepair | BackupCondition::Absent), _) => format!(
            "own backup: {} kVA, {condition}: counted as 0 kW",
            s.backup_kva.map_or_else(|| "no".into(), |k| k.to_string())
        ),
        (Some(kva), _, Some(kw)) => format!(
            "own backup: {kva} kVA × power factor {pf} × derate {} = {kw:.1} kW usable ({condition}), idle fuel of its full rating",
            s.derate
        ),
        _ => "own backup: no kVA recorded, so every figure below is unknown (simulated without it)"
            .into(),
    });
    notes.push(format!(
        "fuel on site: {}{}",
        fuel.english(),
        tank_litres.map_or_else(String::new, |t| format!("; tank {t:.0} L"))
    ));
    let stale_fuel = fuel.stale(at.date());
    if let Some(st) = &stale_fuel {
        notes.push(format!("WARNING: {}", st.english()));
    }
    Ok(StoreProfile {
        profile,
        facility: s.facility.clone(),
        name: s.name.clone(),
        fuel,
        tank_litres,
        backup_kva: s.backup_kva.and_then(|k| k.to_f64()),
        backup_condition: s.backup_condition,
        backup_kw,
        unknown_loads,
        stale_fuel,
        notes,
    })
}

/// The simulator's profile of a surveyed facility: the known average load per tier, the usable
/// own backup (`own_kw`, derated as the planner counts it; idle fuel of `full_kw`) as one
/// generator, its region where the solar table knows it (the store records no solar, so it
/// only names the region), grid connected, the fuel on site and the tank. The changeover gap
/// is taken as bridged (`changeover_s` 0): the store records no UPS or battery, and counting
/// the gap gives P = 0 everywhere, which says nothing (the assumptions say so).
pub(crate) fn survey_profile(
    s: &Survey,
    own_kw: f64,
    full_kw: f64,
    fuel_litres: f64,
    tank_litres: Option<f64>,
    slope: f64,
) -> ServiceResult<Profile> {
    let loads: Vec<serde_json::Value> = s
        .tiers
        .iter()
        .filter(|t| t.known_average_kw > Decimal::ZERO)
        .map(|t| {
            serde_json::json!({
                "department": format!("{} loads", t.tier.as_str()),
                "tier": t.tier.as_str(),
                "devices": [{"name": format!("{} average", t.tier.as_str()), "watts": t.known_average_kw.to_f64().unwrap_or(0.0) * 1000.0}],
            })
        })
        .collect();
    let mut generators = Vec::new();
    if own_kw > 0.0 {
        generators.push(serde_json::json!({
            "name": "existing backup",
            "prime_kw": own_kw,
            "idle_l_per_h": aidtrace_energy::diesel::idle_l_per_h(full_kw.max(own_kw)),
        }));
    }
    let region = region_id(s);
    let known_region = YieldTable::bundled()
        .ok()
        .is_some_and(|t| t.region(&region).is_ok());
    let mut v = serde_json::json!({
        "facility": s.facility,
        "grid": {"connected": true},
        "changeover_s": 0.0,
        "loads": loads,
        "generators": generators,
        "fuel_litres": fuel_litres,
        "fuel_l_per_kwh": slope,
    });
    if known_region {
        v["region"] = serde_json::json!(region);
    }
    if let Some(t) = tank_litres {
        v["tank_litres"] = serde_json::json!(t);
    }
    let bytes = serde_json::to_vec(&v).map_err(|e| ServiceError::Io(e.to_string()))?;
    Profile::from_json_slice(&bytes)
        .map_err(|e| ServiceError::Parse(format!("facility {}: profile: {e}", s.facility)))
}
