//! Organisations: their kinds, roles, identifiers and aliases.

use serde::{Deserialize, Serialize};

use super::provenance::Citation;
use crate::codes::{CountryCode, IatiOrgId, RecordId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum OrgKind {
    Government,
    GovernmentAgency,
    Ministry,
    Embassy,
    Multilateral,
    Ngo,
    University,
    FacilityOperator,
    Manufacturer,
    Supplier,
    Other,
}

impl OrgKind {
    /// Whether an organisation of this kind and one of `other` could be one body recorded
    /// twice: governments with their ministries, agencies and embassies, companies with
    /// companies, and so on; `Other` (a kind nobody stated) could be anything. The organisation
    /// review suggests no merge across kinds: a development bank is not a blood bank's maker.
    pub fn may_be_same_as(self, other: Self) -> bool {
        fn family(k: OrgKind) -> Option<u8> {
            match k {
                OrgKind::Government
                | OrgKind::GovernmentAgency
                | OrgKind::Ministry
                | OrgKind::Embassy => Some(0),
                OrgKind::Multilateral => Some(1),
                OrgKind::Ngo => Some(2),
                OrgKind::University => Some(3),
                OrgKind::FacilityOperator => Some(4),
                OrgKind::Manufacturer | OrgKind::Supplier => Some(5),
                OrgKind::Other => None,
            }
        }
        match (family(self), family(other)) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
    }
}

/// What an organisation may appear as. An organisation can hold several roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum OrgRole {
    Donor,
    DonorAgency,
    Recipient,
    Implementer,
    FacilityOperator,
    Academic,
    Manufacturer,
    Supplier,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "scheme", content = "value", rename_all = "snake_case")]
pub enum OrgIdentifier {
    /// IATI organisation identifier, e.g. `XM-DAC-701-8` (JICA).
    Iati(IatiOrgId),
    /// An identifier as an IATI publisher wrote it when it is not in the AGENCY-NUMBER form
    /// (older data uses bare DAC codes such as `44000`).
    IatiAsPublished(String),
    /// National company or charity register number, with the register named in the value.
    Registration(String),
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    pub id: RecordId,
    pub name: String,
    pub kind: OrgKind,
    #[serde(default)]
    pub roles: Vec<OrgRole>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<CountryCode>,
    /// The organisation this one belongs to (JICA and the embassy belong to the Government of Japan).
    /// Totals "by donor" roll agencies up to their top-level parent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<RecordId>,
    #[serde(default)]
    pub identifiers: Vec<OrgIdentifier>,
    #[serde(default)]
    pub sources: Vec<Citation>,
    /// Edits by this organisation's editors enter the ledger without the approval step. As in
    /// AMP each organisation decides; the default is to require approval.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub skip_approval: bool,
    /// Other names this organisation goes by, and the organisations merged into it: an import
    /// that names one of them links to this organisation instead of creating another
    /// (`service/src/orgs.rs`). Only admins add them, so the list is a reviewed one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<OrgAlias>,
    /// An admin has reviewed this organisation, created by an import, and kept it as a new one
    /// (until then it is listed for review beside the organisations it may duplicate).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reviewed: bool,
}

impl Organisation {
    /// An organisation with only its id, name and kind: no roles, country, parent, identifiers,
    /// sources or aliases, approval required, not reviewed.
    pub fn new(id: RecordId, name: impl Into<String>, kind: OrgKind) -> Self {
        Self {
            id,
            name: name.into(),
            kind,
            roles: Vec::new(),
            country: None,
            parent: None,
            identifiers: Vec::new(),
            sources: Vec::new(),
            skip_approval: false,
            aliases: Vec::new(),
            reviewed: false,
        }
    }
}

/// A name by which an organisation is also known, or (with `merged_id`) the name and id of an
/// organisation merged into it, so references to the old id still find it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrgAlias {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_id: Option<RecordId>,
}
