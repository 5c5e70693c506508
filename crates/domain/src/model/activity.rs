//! Activities and their agreements: instrument, status, participants, legal steps, and the
//! sector, country and region shares.

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
pub enum Instrument {
    /// Project grant aid: exchange of notes, grant agreement, contracts, payments.
    GrantAid,
    /// Small grants to local bodies with a ceiling and a one-year window (Japan's GGP).
    GrassrootsGrant,
    TechnicalCooperation,
    TrainingExchange,
    Loan,
    InKind,
    BudgetSupport,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum ActivityStatus {
    Pipeline,
    Implementation,
    Finalisation,
    Closed,
    Cancelled,
    Suspended,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum ParticipantRole {
    Funding,
    Accountable,
    Extending,
    Implementing,
    Beneficiary,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Participant {
    pub org: RecordId,
    pub role: ParticipantRole,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum LegalStepKind {
    IntergovernmentalAgreement,
    ExchangeOfNotes,
    GrantAgreement,
    GrantContract,
    Contract,
    ContractVerification,
    BankingArrangement,
    AuthorisationToPay,
    Payment,
    Audit,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Signatory {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<RecordId>,
}

/// A dated legal step of an agreement (signing, exchange of notes, a contract, a payment order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LegalStep {
    pub kind: LegalStepKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    #[serde(default)]
    pub signatories: Vec<Signatory>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(default)]
    pub sources: Vec<Citation>,
}

/// OECD DAC sector with its share of the activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SectorShare {
    /// 5-digit DAC purpose code, e.g. 12191 (medical services).
    pub code: String,
    #[serde(with = "exact_decimal")]
    pub percentage: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CountryShare {
    pub country: CountryCode,
    #[serde(with = "exact_decimal")]
    pub percentage: Decimal,
}

/// A subnational region (oblast, region) of a recipient country.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegionShare {
    pub country: CountryCode,
    pub name: String,
    #[serde(with = "exact_decimal")]
    pub percentage: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Activity {
    pub id: RecordId,
    pub title: String,
    pub instrument: Instrument,
    pub status: ActivityStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iati_identifier: Option<String>,
    /// The publisher's `last-updated-datetime`: a re-import only replaces an activity with a
    /// version at least as new.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iati_last_updated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// Programme → project hierarchy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<RecordId>,
    /// Who published the activity (IATI `reporting-org`), when it came from a publisher.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reporting_org: Option<RecordId>,
    #[serde(default)]
    pub participants: Vec<Participant>,
    #[serde(default)]
    pub legal_steps: Vec<LegalStep>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<NaiveDate>,
    #[serde(default)]
    pub sectors: Vec<SectorShare>,
    #[serde(default)]
    pub countries: Vec<CountryShare>,
    #[serde(default)]
    pub regions: Vec<RegionShare>,
    #[serde(default)]
    pub facilities: Vec<RecordId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_population: Option<String>,
    /// A ceiling the instrument sets (a grassroots grant's maximum amount).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ceiling: Option<Money>,
    #[serde(default)]
    pub sources: Vec<Citation>,
    /// Elements of the published activity an import left out because the ledger refuses them
    /// (a budget that ends before it starts, a value that is not a number), the rest being
    /// imported. Part of the record, so a re-import of the same file changes nothing and one
    /// of a corrected file clears them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub left_out: Vec<LeftOut>,
}

/// One element an import left out of an activity: where it was published and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LeftOut {
    /// The file it was read from.
    pub file: String,
    /// 1-based line of the element in that file.
    pub line: u64,
    /// Which element, e.g. `budget 2`, `transaction 5`.
    pub element: String,
    pub reason: String,
}
