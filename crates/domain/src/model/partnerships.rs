//! Partnerships between organisations and the registrations of products on a market.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::provenance::Citation;
use crate::codes::{CountryCode, RecordId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum PartnershipArea {
    AcademicExchange,
    ClinicalInternships,
    JointResearch,
    FacultyExchange,
    Training,
    Other,
}

/// An institutional partnership, e.g. a university with its partner universities abroad.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Partnership {
    pub id: RecordId,
    pub lead: RecordId,
    pub partners: Vec<RecordId>,
    #[serde(default)]
    pub areas: Vec<PartnershipArea>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participants: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity: Option<RecordId>,
    #[serde(default)]
    pub sources: Vec<Citation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum ProductKind {
    Medicine,
    MedicalDevice,
}

/// Products of one origin registered in a recipient country's market.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MarketRegistration {
    pub id: RecordId,
    pub country: CountryCode,
    pub origin_country: CountryCode,
    pub product_kind: ProductKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manufacturer: Option<RecordId>,
    #[serde(default)]
    pub products: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<NaiveDate>,
    #[serde(default)]
    pub sources: Vec<Citation>,
}
