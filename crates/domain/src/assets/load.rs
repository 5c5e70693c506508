//! Critical load by tier: the tier of a device from its clinical role, building loads entered
//! per facility (medical gases, ventilation, sterilisation, pumps, life-safety lighting), per
//! facility tier overrides and the condition of the existing backup. The survey that adds them
//! up reads the store and lives in the service (`service/src/energy_survey.rs`).
//!
//! A figure nobody stated is `None` and stays "unknown" all the way to the page: summing it as
//! 0 is how a blood centre whose agitators have no kW rating was reported "covered".

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::codes::RecordId;
use crate::money::exact_decimal;

/// Tiers of critical load in the order they are kept running (MODEL-v2.md `loads_kw`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadTier {
    /// A patient dies or a stock is lost within minutes: ventilators, anaesthesia, infant
    /// incubators, dialysis in session, blood and vaccine cold chain.
    LifeSupport,
    /// Care that cannot wait: ICU/OR lighting and power, imaging needed for emergencies, labs.
    Critical,
    /// Everything else on the hospital's circuits.
    Essential,
}

impl LoadTier {
    /// Priority order, most urgent first.
    pub const ALL: [LoadTier; 3] = [Self::LifeSupport, Self::Critical, Self::Essential];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::LifeSupport => "life_support",
            Self::Critical => "critical",
            Self::Essential => "essential",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == raw)
    }

    /// Position in [`Self::ALL`].
    pub fn index(self) -> usize {
        match self {
            Self::LifeSupport => 0,
            Self::Critical => 1,
            Self::Essential => 2,
        }
    }
}

/// Generic device types by clinical role. A type that is not listed is `essential`; a facility
/// changes any of them with a [`TierOverride`]. Matching is on whole `_`-separated words, so
/// `neonatal_incubator` and `infant_incubator` both match `incubator` but `incubator_shaker`
/// in a lab would too: labs override it when that is wrong.
const ROLE_WORDS: &[(&str, LoadTier)] = &[
    // Life support: breathing, anaesthesia, newborns, dialysis, blood and vaccine cold chain.
    ("ventilator", LoadTier::LifeSupport),
    ("anaesthesia", LoadTier::LifeSupport),
    ("anesthesia", LoadTier::LifeSupport),
    ("incubator", LoadTier::LifeSupport),
    ("dialysis", LoadTier::LifeSupport),
    ("haemodialysis", LoadTier::LifeSupport),
    ("hemodialysis", LoadTier::LifeSupport),
    ("platelet", LoadTier::LifeSupport),
    ("blood_bank", LoadTier::LifeSupport),
    ("blood_storage", LoadTier::LifeSupport),
    ("blood_refrigerator", LoadTier::LifeSupport),
    ("plasma_freezer", LoadTier::LifeSupport),
    ("vaccine", LoadTier::LifeSupport),
    // Critical: theatre and ICU power, emergency imaging, laboratory.
    ("ct", LoadTier::Critical),
    ("xray", LoadTier::Critical),
    ("x_ray", LoadTier::Critical),
    ("radiography", LoadTier::Critical),
    ("ultrasound", LoadTier::Critical),
    ("operating", LoadTier::Critical),
    ("surgical", LoadTier::Critical),
    ("electrosurgical", LoadTier::Critical),
    ("monitor", LoadTier::Critical),
    ("defibrillator", LoadTier::Critical),
    ("infusion", LoadTier::Critical),
    ("suction", LoadTier::Critical),
    ("oxygen", LoadTier::Critical),
    ("laboratory", LoadTier::Critical),
    ("analyser", LoadTier::Critical),
    ("analyzer", LoadTier::Critical),
    ("centrifuge", LoadTier::Critical),
];

/// The tier of a generic device type from its clinical role (the most urgent role any of its
/// words names; `essential` when none does).
pub fn tier_of_generic_type(generic_type: &str) -> LoadTier {
    let words: Vec<&str> = generic_type.split('_').collect();
    let mut best = LoadTier::Essential;
    for (word, tier) in ROLE_WORDS {
        let hit = if word.contains('_') {
            generic_type.contains(word)
        } else {
            words.contains(word)
        };
        if hit && *tier < best {
            best = *tier;
        }
    }
    best
}

/// Loads that belong to the building rather than to one device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuildingLoadKind {
    /// Oxygen plant, vacuum and compressed medical air.
    MedicalGases,
    /// Operating theatre and ICU ventilation.
    OrIcuVentilation,
    /// ICU and operating theatre lighting and sockets.
    IcuOrPower,
    Sterilisation,
    /// Heating circulation pumps (a winter outage without them empties wards).
    HeatingPumps,
    /// Escape and safety lighting, fire alarm.
    LifeSafetyLighting,
    /// Water supply pumps.
    WaterPumps,
    /// Cold rooms and pharmacy refrigeration.
    Refrigeration,
    Other,
}

impl BuildingLoadKind {
    pub const ALL: [BuildingLoadKind; 9] = [
        Self::MedicalGases,
        Self::OrIcuVentilation,
        Self::IcuOrPower,
        Self::Sterilisation,
        Self::HeatingPumps,
        Self::LifeSafetyLighting,
        Self::WaterPumps,
        Self::Refrigeration,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::MedicalGases => "medical_gases",
            Self::OrIcuVentilation => "or_icu_ventilation",
            Self::IcuOrPower => "icu_or_power",
            Self::Sterilisation => "sterilisation",
            Self::HeatingPumps => "heating_pumps",
            Self::LifeSafetyLighting => "life_safety_lighting",
            Self::WaterPumps => "water_pumps",
            Self::Refrigeration => "refrigeration",
            Self::Other => "other",
        }
    }

    /// The tier when the entry does not state one: oxygen and vacuum keep patients breathing;
    /// theatre/ICU ventilation, power and lighting and sterilisation are what surgery needs;
    /// escape lighting is a safety service (IEC 60364-7-710, 15 s class).
    pub fn default_tier(self) -> LoadTier {
        match self {
            Self::MedicalGases => LoadTier::LifeSupport,
            Self::OrIcuVentilation
            | Self::IcuOrPower
            | Self::Sterilisation
            | Self::LifeSafetyLighting
            | Self::WaterPumps => LoadTier::Critical,
            Self::HeatingPumps | Self::Refrigeration | Self::Other => LoadTier::Essential,
        }
    }
}

/// One building load of a facility. Average kW is the mean draw over an outage day (what fuel
/// and the allocation model count); peak kW and the kVA it takes to start it size the set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildingLoad {
    pub kind: BuildingLoadKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Default: [`BuildingLoadKind::default_tier`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<LoadTier>,
    #[serde(
        default,
        with = "exact_decimal::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub average_kw: Option<Decimal>,
    #[serde(
        default,
        with = "exact_decimal::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub peak_kw: Option<Decimal>,
    #[serde(
        default,
        with = "exact_decimal::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub starting_kva: Option<Decimal>,
}

impl BuildingLoad {
    pub fn tier(&self) -> LoadTier {
        self.tier.unwrap_or_else(|| self.kind.default_tier())
    }
}

/// A facility's own tier for one asset or for every asset of a generic type (an MRI whose
/// cryocooler must not stop, a lab incubator that is not a newborn's). An asset override wins
/// over a type override.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierOverride {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset: Option<RecordId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generic_type: Option<String>,
    pub tier: LoadTier,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// State of the facility's own backup set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackupCondition {
    Working,
    NeedsRepair,
    Absent,
}

impl BackupCondition {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Working => "working",
            Self::NeedsRepair => "needs_repair",
            Self::Absent => "absent",
        }
    }
}

/// Fuel for the facility's own backup sets: the tank's size and what was on hand at a date
/// (the outage simulator's starting fuel; without it the fuel on site is unknown, never 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FuelStock {
    /// Litres the tank(s) hold when full; `None` when nobody recorded it.
    #[serde(
        default,
        with = "crate::money::exact_decimal::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub tank_litres: Option<rust_decimal::Decimal>,
    /// Litres on hand on `as_of`; `None` when only the tank is known.
    #[serde(
        default,
        with = "crate::money::exact_decimal::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub on_hand_litres: Option<rust_decimal::Decimal>,
    /// The day the stock was measured (required with `on_hand_litres`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<chrono::NaiveDate>,
}

/// Litres above this are refused as implausible for one facility's backup fuel (a large
/// hospital keeps tens of thousands of litres).
pub const MAX_FUEL_LITRES: u32 = 10_000_000;

/// kW and kVA figures above this are refused as implausible for one load (the largest hospital
/// loads are a few MW); the cap keeps sums over any store far from decimal overflow.
pub const MAX_KW: u32 = 100_000;

/// Ukraine's regions by ISO 3166-2:UA code (24 oblasts, the Autonomous Republic of Crimea and
/// the two cities with special status), the ids MODEL-v2 instances use for regions.
pub const UA_REGIONS: [(&str, &str); 27] = [
    ("UA-05", "Vinnytsia Oblast"),
    ("UA-07", "Volyn Oblast"),
    ("UA-09", "Luhansk Oblast"),
    ("UA-12", "Dnipropetrovsk Oblast"),
    ("UA-14", "Donetsk Oblast"),
    ("UA-18", "Zhytomyr Oblast"),
    ("UA-21", "Zakarpattia Oblast"),
    ("UA-23", "Zaporizhzhia Oblast"),
    ("UA-26", "Ivano-Frankivsk Oblast"),
    ("UA-30", "Kyiv"),
    ("UA-32", "Kyiv Oblast"),
    ("UA-35", "Kirovohrad Oblast"),
    ("UA-40", "Sevastopol"),
    ("UA-43", "Autonomous Republic of Crimea"),
    ("UA-46", "Lviv Oblast"),
    ("UA-48", "Mykolaiv Oblast"),
    ("UA-51", "Odesa Oblast"),
    ("UA-53", "Poltava Oblast"),
    ("UA-56", "Rivne Oblast"),
    ("UA-59", "Sumy Oblast"),
    ("UA-61", "Ternopil Oblast"),
    ("UA-63", "Kharkiv Oblast"),
    ("UA-65", "Kherson Oblast"),
    ("UA-68", "Khmelnytskyi Oblast"),
    ("UA-71", "Cherkasy Oblast"),
    ("UA-74", "Chernihiv Oblast"),
    ("UA-77", "Chernivtsi Oblast"),
];

/// The ISO 3166-2 code of a Ukrainian region given by its English name (any case) or by its
/// code; `None` for other countries and unknown names.
pub fn ua_region_code(country: &str, region: &str) -> Option<&'static str> {
    if country != "UA" {
        return None;
    }
    let r = region.trim();
    UA_REGIONS
        .iter()
        .find(|(code, name)| code.eq_ignore_ascii_case(r) || name.eq_ignore_ascii_case(r))
        .map(|(code, _)| *code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ventilator_is_life_support() {
        assert_eq!(
            tier_of_generic_type("icu_ventilator"),
            LoadTier::LifeSupport
        );
    }

    #[test]
    fn platelet_storage_is_life_support() {
        assert_eq!(
            tier_of_generic_type("platelet_storage"),
            LoadTier::LifeSupport
        );
    }

    #[test]
    fn ct_is_critical_but_a_word_inside_another_is_not_matched() {
        assert_eq!(tier_of_generic_type("ct_scanner"), LoadTier::Critical);
        // "ct" inside "ctg" or "ejector" is not a CT scanner.
        assert_eq!(tier_of_generic_type("ctg_recorder"), LoadTier::Essential);
        assert_eq!(tier_of_generic_type("smoke_ejector"), LoadTier::Essential);
    }

    #[test]
    fn mri_and_unknown_types_are_essential() {
        assert_eq!(tier_of_generic_type("mri_scanner"), LoadTier::Essential);
        assert_eq!(
            tier_of_generic_type("staff_call_system"),
            LoadTier::Essential
        );
    }

    #[test]
    fn the_most_urgent_word_wins() {
        assert_eq!(
            tier_of_generic_type("transport_ventilator_monitor"),
            LoadTier::LifeSupport
        );
        // A blood gas analyser is a lab device, not blood cold chain.
        assert_eq!(
            tier_of_generic_type("blood_gas_analyser"),
            LoadTier::Critical
        );
    }

    #[test]
    fn oblast_names_and_codes_map_to_iso_codes() {
        assert_eq!(ua_region_code("UA", "Kharkiv Oblast"), Some("UA-63"));
        assert_eq!(ua_region_code("UA", "kharkiv oblast"), Some("UA-63"));
        assert_eq!(ua_region_code("UA", "UA-30"), Some("UA-30"));
        assert_eq!(ua_region_code("KZ", "Kharkiv Oblast"), None);
        assert_eq!(ua_region_code("UA", "Atlantis"), None);
    }

    #[test]
    fn building_load_default_tiers() {
        let l = BuildingLoad {
            kind: BuildingLoadKind::MedicalGases,
            description: None,
            tier: None,
            average_kw: None,
            peak_kw: None,
            starting_kva: None,
        };
        assert_eq!(l.tier(), LoadTier::LifeSupport);
        let l = BuildingLoad {
            tier: Some(LoadTier::Essential),
            ..l
        };
        assert_eq!(l.tier(), LoadTier::Essential);
    }
}
