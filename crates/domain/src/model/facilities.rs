//! Facilities and the equipment in them: kinds, status history, location, equipment lines and
//! generator ratings.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::provenance::Citation;
use crate::codes::{CountryCode, RecordId};
use crate::money::{Money, exact_decimal};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum FacilityKind {
    UniversityHospital,
    EmergencyHospital,
    RegionalHospital,
    DistrictHospital,
    NationalCentre,
    BloodCentre,
    PrimaryCare,
    Laboratory,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum FacilityStatus {
    Operational,
    Damaged,
    Destroyed,
    UnderRepair,
    Restored,
    Closed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    pub status: FacilityStatus,
    pub date: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default)]
    pub sources: Vec<Citation>,
}

/// WGS84 point in decimal degrees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GeoPoint {
    #[serde(with = "exact_decimal")]
    pub lat: Decimal,
    #[serde(with = "exact_decimal")]
    pub lon: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Facility {
    pub id: RecordId,
    pub name: String,
    pub kind: FacilityKind,
    pub country: CountryCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<RecordId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<GeoPoint>,
    /// Where the location is illustrative (the city centre rather than the building), say so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beds: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population_served: Option<u64>,
    /// Facilities under attack: public views blur their coordinates.
    #[serde(default)]
    pub sensitive: bool,
    /// Set on demonstration records that are not facts (what is illustrative and why); every
    /// page showing the facility says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub illustrative: Option<String>,
    #[serde(default)]
    pub status_history: Vec<StatusChange>,
    #[serde(default)]
    pub sources: Vec<Citation>,
}

impl Facility {
    /// The latest status by date (the history may be entered out of order).
    pub fn current_status(&self) -> Option<&StatusChange> {
        self.status_history.iter().max_by_key(|s| s.date)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum EquipmentCategory {
    Imaging,
    Endoscopy,
    IntensiveCare,
    Laboratory,
    BloodBank,
    Surgical,
    Communication,
    Power,
    Other,
}

/// A line of equipment an activity buys: what, how many, for which facility.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EquipmentLine {
    pub id: RecordId,
    pub activity: RecordId,
    pub category: EquipmentCategory,
    /// Generic device name, e.g. "MRI scanner", "platelet storage device".
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_cost: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facility: Option<RecordId>,
    /// Assets this line became (filled in as equipment is delivered and registered).
    #[serde(default)]
    pub assets: Vec<RecordId>,
    /// For a line of generator sets: the rating the energy planner plans with (issue 16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generator: Option<GeneratorRating>,
    #[serde(default)]
    pub sources: Vec<Citation>,
}

/// What a generator set burns; each has its own fuel curve in the energy planner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum GeneratorFuel {
    #[default]
    Diesel,
    Petrol,
}

/// The rating of one set of an equipment line of generators: prime kW, or kVA (the planner
/// applies its power factor), exactly one of the two.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GeneratorRating {
    /// The name planners use for the set, e.g. "JICA-100kW"; plans and assets name it so.
    pub model: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prime_kw: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prime_kva: Option<Decimal>,
    #[serde(default)]
    pub fuel: GeneratorFuel,
    /// Why the rating or the quantity is not a sourced fact, where it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub illustrative: Option<String>,
}
