//! The season-allocation instance of `shared/energy/MODEL-v2.md`: input JSON, validation that
//! names the field, and the indexed form the solver reads.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::error::{EnergyError, Result};
use crate::fuel::FuelType;
use crate::instance::MAX_QUANTITY;

/// A tier of critical load. The enum owns its JSON name and its place in [`Tier::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    LifeSupport,
    Critical,
    Essential,
}

impl Tier {
    pub const ALL: [Tier; 3] = [Tier::LifeSupport, Tier::Critical, Tier::Essential];

    pub fn name(self) -> &'static str {
        match self {
            Tier::LifeSupport => "life_support",
            Tier::Critical => "critical",
            Tier::Essential => "essential",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// One value per tier (loads in kW, weights, served kW).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerTier {
    pub life_support: f64,
    pub critical: f64,
    pub essential: f64,
}

impl PerTier {
    pub fn get(&self, t: Tier) -> f64 {
        match t {
            Tier::LifeSupport => self.life_support,
            Tier::Critical => self.critical,
            Tier::Essential => self.essential,
        }
    }

    pub fn as_array(&self) -> [f64; 3] {
        [self.life_support, self.critical, self.essential]
    }

    pub fn from_array(a: [f64; 3]) -> Self {
        PerTier {
            life_support: a[0],
            critical: a[1],
            essential: a[2],
        }
    }

    pub fn total(&self) -> f64 {
        self.life_support + self.critical + self.essential
    }
}

fn default_tier_weights() -> PerTier {
    PerTier {
        life_support: 10.0,
        critical: 3.0,
        essential: 1.0,
    }
}

/// Condition of the facility's own backup: only a working set counts towards E_f.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BackupCondition {
    #[default]
    Working,
    /// Counted as 0 kW: a set that may not start is not backup (the plan's notes say so).
    NeedsRepair,
    Absent,
}

impl BackupCondition {
    pub fn name(self) -> &'static str {
        match self {
            BackupCondition::Working => "working",
            BackupCondition::NeedsRepair => "needs_repair",
            BackupCondition::Absent => "absent",
        }
    }
}

/// The input JSON of MODEL-v2.md, plus the optional inputs of issue 16 item 6 (kVA ratings,
/// fuel type, backup condition) and of fuel logistics (tank size).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceV2 {
    /// Must be 2; an instance without it is a version 1 instance (MODEL.md).
    pub version: u32,
    /// D: days of the season planned for.
    pub horizon_days: f64,
    /// Litres per kWh delivered; default: the slope of the fleet's fuel (0.25 diesel, 0.50 petrol).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fuel_l_per_kwh: Option<f64>,
    /// Share of prime power a set may carry on average (ISO 8528-1: 0.7–0.8).
    #[serde(default = "default_derate")]
    pub derate: f64,
    /// kW per kVA of the sets (nameplates assume 0.8).
    #[serde(default = "default_power_factor")]
    pub power_factor: f64,
    #[serde(default = "default_min_loading")]
    pub min_loading: f64,
    pub max_units_per_facility: u32,
    #[serde(default = "default_tier_weights")]
    pub tier_weights: PerTier,
    pub regions: Vec<Region>,
    pub facilities: Vec<FacilityV2>,
    pub fleet: Vec<ModelV2>,
}

fn default_derate() -> f64 {
    crate::DEFAULT_DERATE
}
fn default_power_factor() -> f64 {
    crate::DEFAULT_POWER_FACTOR
}
fn default_min_loading() -> f64 {
    0.3
}
fn one() -> f64 {
    1.0
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    pub id: String,
    /// o_r: expected outage hours per day.
    pub outage_h_per_day: f64,
    /// F_r: litres that can be delivered to the region per day.
    pub fuel_l_per_day: f64,
    /// I_r: units that can be installed in the region within the horizon.
    pub install_units: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FacilityV2 {
    pub id: String,
    pub region: String,
    /// ρ_f ≥ 0, scales all its tiers.
    #[serde(default = "one")]
    pub population_weight: f64,
    /// L_{f,t}: average load per tier during an outage, kW. All three tiers must be given.
    pub loads_kw: PerTier,
    /// Own backup in kW; or give `existing_kva`; may be left out only when `backup_condition` is
    /// "absent".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub existing_kw: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub existing_kva: Option<f64>,
    #[serde(default)]
    pub backup_condition: BackupCondition,
    /// S_f: largest single load started on generator power, kVA (0 if none).
    pub largest_step_kva: f64,
    /// Fuel tank on site, litres (fuel logistics only; unknown if left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tank_l: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelV2 {
    pub model: String,
    /// P_s; or give `prime_kva` (then P_s = prime_kva · power_factor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prime_kw: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prime_kva: Option<f64>,
    pub count: u32,
    /// a_s; default from the fuel type's curve at the prime rating.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_l_per_h: Option<f64>,
    #[serde(default)]
    pub fuel: FuelType,
}

impl ModelV2 {
    /// P_s in kW (valid after validation).
    pub fn prime_kw(&self, power_factor: f64) -> f64 {
        self.prime_kw
            .or(self.prime_kva.map(|kva| kva * power_factor))
            .unwrap_or(0.0)
    }

    pub fn idle(&self, power_factor: f64) -> f64 {
        self.idle_l_per_h
            .unwrap_or_else(|| self.fuel.idle_l_per_h(self.prime_kw(power_factor)))
    }
}

impl FacilityV2 {
    /// E_f: usable own backup in kW; a set that needs repair counts 0.
    pub fn backup_kw(&self, power_factor: f64) -> f64 {
        match self.backup_condition {
            BackupCondition::Working => self
                .existing_kw
                .or(self.existing_kva.map(|kva| kva * power_factor))
                .unwrap_or(0.0),
            BackupCondition::NeedsRepair | BackupCondition::Absent => 0.0,
        }
    }
}

/// The "version" field of an energy instance: absent → 1.
pub fn version_of(bytes: &[u8]) -> Result<u32> {
    #[derive(Deserialize)]
    struct Probe {
        #[serde(default)]
        version: Option<serde_json::Value>,
    }
    let probe: Probe = crate::error::parse_json("instance JSON", bytes)?;
    match probe.version {
        None => Ok(1),
        Some(serde_json::Value::Number(n)) if n.as_u64() == Some(2) => Ok(2),
        Some(v) => Err(EnergyError::invalid(
            "version",
            v,
            "must be 2 (MODEL-v2.md), or left out for a version 1 instance (MODEL.md)",
        )),
    }
}

impl InstanceV2 {
    pub fn from_json_slice(bytes: &[u8]) -> Result<Self> {
        let inst: InstanceV2 = crate::error::parse_json("version 2 instance JSON", bytes)?;
        inst.validate()?;
        Ok(inst)
    }

    pub fn from_json_str(text: &str) -> Result<Self> {
        Self::from_json_slice(text.as_bytes())
    }

    /// The fuel every unit burns (one per instance: F_r is litres of one fuel).
    pub fn fuel(&self) -> FuelType {
        self.fleet.first().map(|m| m.fuel).unwrap_or_default()
    }

    /// a: litres per kWh, given or from the fleet's fuel.
    pub fn slope(&self) -> f64 {
        self.fuel_l_per_kwh
            .unwrap_or_else(|| self.fuel().l_per_kwh())
    }

    /// Checks every value the model depends on; the first problem found is reported.
    pub fn validate(&self) -> Result<()> {
        if self.version != 2 {
            return Err(EnergyError::invalid(
                "version",
                self.version,
                "must be 2 for this format",
            ));
        }
        positive("horizon_days", self.horizon_days)?;
        at_most("horizon_days", self.horizon_days, 3660.0)?;
        if let Some(a) = self.fuel_l_per_kwh {
            non_negative("fuel_l_per_kwh", a)?;
            at_most("fuel_l_per_kwh", a, 1e3)?;
        }
        fraction("derate", self.derate, false)?;
        fraction("power_factor", self.power_factor, false)?;
        fraction("min_loading", self.min_loading, true)?;
        for t in Tier::ALL {
            let field = format!("tier_weights.{}", t.name());
            non_negative(&field, self.tier_weights.get(t))?;
            at_most(&field, self.tier_weights.get(t), MAX_QUANTITY)?;
        }
        let mut regions: HashMap<&str, usize> = HashMap::new();
        for (i, r) in self.regions.iter().enumerate() {
            if let Some(first) = regions.insert(&r.id, i) {
                return Err(EnergyError::invalid(
                    format!("regions[{i}].id"),
                    format!("{:?}", r.id),
                    format!("duplicate of regions[{first}].id"),
                ));
            }
            let at = format!("regions[{i}] (id {:?})", r.id);
            non_negative(&format!("{at}.outage_h_per_day"), r.outage_h_per_day)?;
            at_most(&format!("{at}.outage_h_per_day"), r.outage_h_per_day, 24.0)?;
            non_negative(&format!("{at}.fuel_l_per_day"), r.fuel_l_per_day)?;
            at_most(
                &format!("{at}.fuel_l_per_day"),
                r.fuel_l_per_day,
                MAX_QUANTITY,
            )?;
        }
        let mut ids: HashSet<&str> = HashSet::new();
        for (i, f) in self.facilities.iter().enumerate() {
            if !ids.insert(&f.id) {
                return Err(EnergyError::invalid(
                    format!("facilities[{i}].id"),
                    format!("{:?}", f.id),
                    "duplicate facility id",
                ));
            }
            let at = format!("facilities[{i}] (id {:?})", f.id);
            if !regions.contains_key(f.region.as_str()) {
                let mut known: Vec<&str> = self.regions.iter().map(|r| r.id.as_str()).collect();
                known.truncate(30);
                return Err(EnergyError::invalid(
                    format!("{at}.region"),
                    format!("{:?}", f.region),
                    format!("not in regions (known: {})", known.join(", ")),
                ));
            }
            non_negative(&format!("{at}.population_weight"), f.population_weight)?;
            at_most(
                &format!("{at}.population_weight"),
                f.population_weight,
                MAX_QUANTITY,
            )?;
            for t in Tier::ALL {
                let field = format!("{at}.loads_kw.{}", t.name());
                non_negative(&field, f.loads_kw.get(t))?;
                at_most(&field, f.loads_kw.get(t), MAX_QUANTITY)?;
            }
            match (f.existing_kw, f.existing_kva) {
                (Some(_), Some(_)) => {
                    return Err(EnergyError::invalid(
                        format!("{at}.existing_kva"),
                        f.existing_kva.unwrap_or(0.0),
                        "give existing_kw or existing_kva, not both",
                    ));
                }
                (None, None) if f.backup_condition != BackupCondition::Absent => {
                    return Err(EnergyError::invalid(
                        format!("{at}.existing_kw"),
                        "absent",
                        "give the own backup in kW (0 if none) or set backup_condition to \"absent\"",
                    ));
                }
                (kw, kva) => {
                    if let Some(v) = kw {
                        non_negative(&format!("{at}.existing_kw"), v)?;
                        at_most(&format!("{at}.existing_kw"), v, MAX_QUANTITY)?;
                    }
                    if let Some(v) = kva {
                        non_negative(&format!("{at}.existing_kva"), v)?;
                        at_most(&format!("{at}.existing_kva"), v, MAX_QUANTITY)?;
                    }
                }
            }
            non_negative(&format!("{at}.largest_step_kva"), f.largest_step_kva)?;
            at_most(
                &format!("{at}.largest_step_kva"),
                f.largest_step_kva,
                MAX_QUANTITY,
            )?;
            if let Some(t) = f.tank_l {
                non_negative(&format!("{at}.tank_l"), t)?;
                at_most(&format!("{at}.tank_l"), t, MAX_QUANTITY)?;
            }
        }
        let mut models: HashMap<&str, usize> = HashMap::new();
        for (i, m) in self.fleet.iter().enumerate() {
            if let Some(first) = models.insert(&m.model, i) {
                return Err(EnergyError::invalid(
                    format!("fleet[{i}].model"),
                    format!("{:?}", m.model),
                    format!("duplicate of fleet[{first}].model; merge the counts"),
                ));
            }
            let at = format!("fleet[{i}] (model {:?})", m.model);
            match (m.prime_kw, m.prime_kva) {
                (Some(kw), None) => {
                    non_negative(&format!("{at}.prime_kw"), kw)?;
                    at_most(&format!("{at}.prime_kw"), kw, MAX_QUANTITY)?;
                }
                (None, Some(kva)) => {
                    non_negative(&format!("{at}.prime_kva"), kva)?;
                    at_most(&format!("{at}.prime_kva"), kva, MAX_QUANTITY)?;
                }
                (None, None) => {
                    return Err(EnergyError::invalid(
                        format!("{at}.prime_kw"),
                        "absent",
                        "give prime_kw or prime_kva",
                    ));
                }
                (Some(_), Some(kva)) => {
                    return Err(EnergyError::invalid(
                        format!("{at}.prime_kva"),
                        kva,
                        "give prime_kw or prime_kva, not both",
                    ));
                }
            }
            if let Some(idle) = m.idle_l_per_h {
                non_negative(&format!("{at}.idle_l_per_h"), idle)?;
                at_most(&format!("{at}.idle_l_per_h"), idle, MAX_QUANTITY)?;
            }
            if m.fuel != self.fuel() {
                return Err(EnergyError::invalid(
                    format!("{at}.fuel"),
                    m.fuel.name(),
                    format!(
                        "the fleet mixes {} and {}: a region's fuel_l_per_day is litres of one fuel, \
                         so plan each fuel as its own instance",
                        self.fuel().name(),
                        m.fuel.name()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// What a valid instance holds that the reader should know: backup not counted, regions
    /// without facilities or outages, models of 0 kW.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        let used: HashSet<&str> = self.facilities.iter().map(|f| f.region.as_str()).collect();
        for r in &self.regions {
            if !used.contains(r.id.as_str()) {
                notes.push(format!(
                    "region {:?} has no facility: its fuel and installation capacity are unused",
                    r.id
                ));
            } else if r.outage_h_per_day <= 0.0 {
                notes.push(format!(
                    "region {:?} has 0 outage hours per day: serving it adds nothing, no unit goes there",
                    r.id
                ));
            }
        }
        for f in &self.facilities {
            if f.backup_condition == BackupCondition::NeedsRepair {
                let kw = f
                    .existing_kw
                    .or(f.existing_kva.map(|k| k * self.power_factor))
                    .unwrap_or(0.0);
                notes.push(format!(
                    "{}: its own backup ({kw} kW) needs repair and is counted as 0 kW",
                    f.id
                ));
            }
        }
        for m in &self.fleet {
            if m.prime_kw(self.power_factor) <= 0.0 && m.count > 0 {
                notes.push(format!(
                    "model {:?} has 0 kW: its units carry nothing and stay in the depot",
                    m.model
                ));
            }
        }
        notes
    }
}

fn fraction(field: &str, v: f64, zero_ok: bool) -> Result<()> {
    if !v.is_finite() || !(0.0..=1.0).contains(&v) || (!zero_ok && v == 0.0) {
        let range = if zero_ok {
            "0 and 1"
        } else {
            "0 (excluded) and 1"
        };
        return Err(EnergyError::invalid(
            field,
            v,
            format!("must be a fraction between {range}"),
        ));
    }
    Ok(())
}

fn at_most(field: &str, v: f64, max: f64) -> Result<()> {
    if v > max {
        return Err(EnergyError::invalid(
            field,
            v,
            format!("must be at most {max}"),
        ));
    }
    Ok(())
}

fn non_negative(field: &str, v: f64) -> Result<()> {
    if !v.is_finite() || v < 0.0 {
        return Err(EnergyError::invalid(
            field,
            v,
            "must be a finite number ≥ 0",
        ));
    }
    Ok(())
}

fn positive(field: &str, v: f64) -> Result<()> {
    if !v.is_finite() || v <= 0.0 {
        return Err(EnergyError::invalid(
            field,
            v,
            "must be a finite number > 0",
        ));
    }
    Ok(())
}
