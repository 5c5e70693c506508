//! The aidtrace model: who gives what to whom, through which agreement, for which facility and
//! equipment, and where each fact comes from. Unknown facts stay `None`; nothing is invented.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::codes::{CountryCode, CurrencyCode, IatiOrgId, RecordId};
use crate::error::ValidationError;
use crate::money::{Money, Qualifier, StatedEquivalent, exact_decimal};

/// A pointer from a fact to the document that states it, with the words it quotes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Citation {
    pub source: RecordId,
    /// The quoted span, verbatim from the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    /// Which field of the record the quote supports (e.g. `money`, `stated_equivalent`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum SourceKind {
    NewsArticle,
    PressRelease,
    OfficialDocument,
    IatiFile,
    Dataset,
    Other,
}

/// A document facts are cited from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub id: RecordId,
    pub title: String,
    pub kind: SourceKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

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

/// What a flow is. The first four are aidtrace's core kinds; the rest complete IATI's transaction
/// types so imported data keeps its meaning. Totals never add one kind to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum FlowKind {
    Pledge,
    Commitment,
    Disbursement,
    Expenditure,
    /// Money received from another activity: counted where it was disbursed.
    IncomingFunds,
    IncomingCommitment,
    IncomingPledge,
    InterestPayment,
    LoanRepayment,
    Reimbursement,
    PurchaseOfEquity,
    SaleOfEquity,
    CreditGuarantee,
}

impl FlowKind {
    pub const ALL: [FlowKind; 13] = [
        Self::Pledge,
        Self::Commitment,
        Self::Disbursement,
        Self::Expenditure,
        Self::IncomingFunds,
        Self::IncomingCommitment,
        Self::IncomingPledge,
        Self::InterestPayment,
        Self::LoanRepayment,
        Self::Reimbursement,
        Self::PurchaseOfEquity,
        Self::SaleOfEquity,
        Self::CreditGuarantee,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pledge => "pledge",
            Self::Commitment => "commitment",
            Self::Disbursement => "disbursement",
            Self::Expenditure => "expenditure",
            Self::IncomingFunds => "incoming_funds",
            Self::IncomingCommitment => "incoming_commitment",
            Self::IncomingPledge => "incoming_pledge",
            Self::InterestPayment => "interest_payment",
            Self::LoanRepayment => "loan_repayment",
            Self::Reimbursement => "reimbursement",
            Self::PurchaseOfEquity => "purchase_of_equity",
            Self::SaleOfEquity => "sale_of_equity",
            Self::CreditGuarantee => "credit_guarantee",
        }
    }

    /// IATI TransactionType code (2.x numeric).
    pub fn iati_code(self) -> &'static str {
        match self {
            Self::IncomingFunds => "1",
            Self::Commitment => "2",
            Self::Disbursement => "3",
            Self::Expenditure => "4",
            Self::InterestPayment => "5",
            Self::LoanRepayment => "6",
            Self::Reimbursement => "7",
            Self::PurchaseOfEquity => "8",
            Self::SaleOfEquity => "9",
            Self::CreditGuarantee => "10",
            Self::IncomingCommitment => "11",
            Self::Pledge => "12",
            Self::IncomingPledge => "13",
        }
    }

    pub fn from_iati_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.iati_code() == code.trim())
    }

    /// Incoming kinds record the receiving side of money another activity sends.
    pub fn is_incoming(self) -> bool {
        matches!(
            self,
            Self::IncomingFunds | Self::IncomingCommitment | Self::IncomingPledge
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum BudgetKind {
    Original,
    Revised,
    /// IATI planned disbursement: when money is expected to move, not a budget line.
    PlannedDisbursement,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum BudgetStatus {
    Indicative,
    Committed,
}

/// Money planned for a period of an activity. Budgets are plans, never flows: they are reported
/// beside totals, not in them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Budget {
    pub id: RecordId,
    pub activity: RecordId,
    pub kind: BudgetKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<BudgetStatus>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub money: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<RecordId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receiver: Option<RecordId>,
    #[serde(default)]
    pub sources: Vec<Citation>,
}

/// A rate a publisher used for its own conversion (kept apart from aidtrace's own conversions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RecordedRate {
    #[serde(with = "exact_decimal")]
    pub rate: Decimal,
    pub to: CurrencyCode,
    pub rate_date: NaiveDate,
    pub source: String,
}

/// Money moving (or promised to move) for an activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Flow {
    pub id: RecordId,
    pub activity: RecordId,
    pub kind: FlowKind,
    pub money: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<RecordId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receiver: Option<RecordId>,
    /// The flow this one passes on or breaks down (a programme's commitment for a project's
    /// commitment, a donor's transfer for an agency's disbursement). A flow with children is an
    /// envelope: totals count its children instead of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_flow: Option<RecordId>,
    /// A reversal takes money back (IATI publishes it as a negative value): the amount stays
    /// positive and totals subtract it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reversal: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stated_equivalent: Option<Box<StatedEquivalent>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_rate: Option<Box<RecordedRate>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub sources: Vec<Citation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum ClaimKind {
    /// A running total such as "more than 12 billion dollars since the war began".
    CumulativeFunding,
    /// A physical quantity or capacity, e.g. "more than 100 generators, over 130 MW".
    Capacity,
    Quantity,
    /// Another source's figure for an amount the ledger records (`flow`): a second report of
    /// the same signing that gives 1.087 billion yen where the recorded one says 108.7 million.
    StatedAmount,
    Other,
}

/// A figure a source states that is not a flow. Claims are shown with their source and never
/// enter totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Claim {
    pub id: RecordId,
    pub kind: ClaimKind,
    pub statement: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity: Option<RecordId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<RecordId>,
    /// The recorded flow this figure restates (a stated amount of the same grant).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow: Option<RecordId>,
    /// The facility the figure is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facility: Option<RecordId>,
    /// The recipient country the figure is about ("to Ukraine"): what the ledger records for
    /// the same scope counts only that country's share of each flow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<CountryCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub money: Option<Money>,
    #[serde(
        default,
        with = "exact_decimal::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub quantity: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualifier: Option<Qualifier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_start: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_end: Option<NaiveDate>,
    #[serde(default)]
    pub sources: Vec<Citation>,
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum DraftStatus {
    Pending,
    Accepted,
    Rejected,
}

/// A reviewer's decision on one extracted fact of an intake draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DraftFact {
    /// Position of the fact in the draft's extraction (`facts[index]`).
    pub index: u32,
    pub status: DraftStatus,
    /// Why a fact was rejected; kept so a later reviewer sees the reasoning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<String>,
    /// Reviewer edits applied on acceptance, `field -> value` as typed.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub edits: std::collections::BTreeMap<String, String>,
    /// Records the acceptance created or updated (activity, flow, organisations, equipment lines).
    #[serde(default)]
    pub records: Vec<RecordId>,
    /// Existing flows the intake checks matched as "same as": accepting links to them instead of
    /// writing a duplicate.
    #[serde(default)]
    pub same_as: Vec<RecordId>,
}

/// A pasted article waiting for review: its text, the extractor's output (the intake crate's
/// `Extraction` as JSON, with checks) and the review state of each fact. Drafts are not ledger
/// facts; accepted facts become ordinary records citing the draft's source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IntakeDraft {
    pub id: RecordId,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<NaiveDate>,
    pub text: String,
    pub extraction: serde_json::Value,
    pub facts: Vec<DraftFact>,
    pub submitted_by: String,
    /// The `Source` record written on the first acceptance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<RecordId>,
}

impl Flow {
    /// +1 for money moving as the kind says, −1 for a reversal.
    pub fn sign(&self) -> Decimal {
        if self.reversal {
            Decimal::NEGATIVE_ONE
        } else {
            Decimal::ONE
        }
    }
}

/// Any record the store keeps. The `record` tag is the record kind as used in the audit log and
/// the CLI (`kind` is taken: several records have a kind of their own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum Record {
    Source(Source),
    Organisation(Organisation),
    Facility(Facility),
    Activity(Activity),
    Flow(Flow),
    Budget(Budget),
    EquipmentLine(EquipmentLine),
    Partnership(Partnership),
    MarketRegistration(MarketRegistration),
    Claim(Claim),
    DeviceModel(crate::assets::DeviceModel),
    FacilityPower(crate::assets::FacilityPower),
    Population(crate::assets::Population),
    EquipmentStandard(crate::assets::EquipmentStandard),
    Asset(crate::assets::Asset),
    MaintenancePlan(crate::assets::MaintenancePlan),
    WorkOrder(crate::assets::WorkOrder),
    AssetEvent(crate::assets::AssetEvent),
    Downtime(crate::assets::Downtime),
    MeterReading(crate::assets::MeterReading),
    DonationCheck(crate::assets::DonationCheck),
    IntakeDraft(IntakeDraft),
    DensityReference(crate::assets::DensityReference),
    MedicineProduct(crate::medicines::MedicineProduct),
    EssentialMedicine(crate::medicines::EssentialMedicine),
    Consignment(crate::medicines::Consignment),
    ConsignmentDecision(crate::medicines::ConsignmentDecision),
    StockMovement(crate::medicines::StockMovement),
    Contract(crate::assets::contract::Contract),
    SparePart(crate::assets::parts::SparePart),
    PartMovement(crate::assets::parts::PartMovement),
    Incident(crate::assets::recall::Incident),
    FieldSafetyNotice(crate::assets::recall::FieldSafetyNotice),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum RecordKind {
    Source,
    Organisation,
    Facility,
    Activity,
    Flow,
    Budget,
    EquipmentLine,
    Partnership,
    MarketRegistration,
    Claim,
    DeviceModel,
    FacilityPower,
    Population,
    EquipmentStandard,
    Asset,
    MaintenancePlan,
    WorkOrder,
    AssetEvent,
    Downtime,
    MeterReading,
    DonationCheck,
    IntakeDraft,
    DensityReference,
    MedicineProduct,
    EssentialMedicine,
    Consignment,
    ConsignmentDecision,
    StockMovement,
    Contract,
    SparePart,
    PartMovement,
    Incident,
    FieldSafetyNotice,
}

impl RecordKind {
    /// In dependency order: a record only refers to kinds listed before it (activities refer to
    /// their parent activity too), so writing in this order never trips a foreign key.
    pub const ALL: [RecordKind; 33] = [
        Self::Source,
        Self::Organisation,
        Self::Facility,
        Self::Activity,
        Self::Flow,
        Self::Budget,
        Self::EquipmentLine,
        Self::Partnership,
        Self::MarketRegistration,
        Self::Claim,
        Self::DeviceModel,
        Self::FacilityPower,
        Self::Population,
        Self::EquipmentStandard,
        Self::Asset,
        Self::MaintenancePlan,
        Self::WorkOrder,
        Self::AssetEvent,
        Self::Downtime,
        Self::MeterReading,
        Self::DonationCheck,
        Self::IntakeDraft,
        Self::DensityReference,
        Self::MedicineProduct,
        Self::EssentialMedicine,
        Self::Consignment,
        Self::ConsignmentDecision,
        Self::StockMovement,
        Self::Contract,
        Self::SparePart,
        Self::PartMovement,
        Self::Incident,
        Self::FieldSafetyNotice,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Source => "source",
            Self::Organisation => "organisation",
            Self::Facility => "facility",
            Self::Activity => "activity",
            Self::Flow => "flow",
            Self::Budget => "budget",
            Self::EquipmentLine => "equipment_line",
            Self::Partnership => "partnership",
            Self::MarketRegistration => "market_registration",
            Self::Claim => "claim",
            Self::DeviceModel => "device_model",
            Self::FacilityPower => "facility_power",
            Self::Population => "population",
            Self::EquipmentStandard => "equipment_standard",
            Self::Asset => "asset",
            Self::MaintenancePlan => "maintenance_plan",
            Self::WorkOrder => "work_order",
            Self::AssetEvent => "asset_event",
            Self::Downtime => "downtime",
            Self::MeterReading => "meter_reading",
            Self::DonationCheck => "donation_check",
            Self::IntakeDraft => "intake_draft",
            Self::DensityReference => "density_reference",
            Self::MedicineProduct => "medicine_product",
            Self::EssentialMedicine => "essential_medicine",
            Self::Consignment => "consignment",
            Self::ConsignmentDecision => "consignment_decision",
            Self::StockMovement => "stock_movement",
            Self::Contract => "contract",
            Self::SparePart => "spare_part",
            Self::PartMovement => "part_movement",
            Self::Incident => "incident",
            Self::FieldSafetyNotice => "field_safety_notice",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

impl Record {
    pub fn kind(&self) -> RecordKind {
        match self {
            Self::Source(_) => RecordKind::Source,
            Self::Organisation(_) => RecordKind::Organisation,
            Self::Facility(_) => RecordKind::Facility,
            Self::Activity(_) => RecordKind::Activity,
            Self::Flow(_) => RecordKind::Flow,
            Self::Budget(_) => RecordKind::Budget,
            Self::EquipmentLine(_) => RecordKind::EquipmentLine,
            Self::Partnership(_) => RecordKind::Partnership,
            Self::MarketRegistration(_) => RecordKind::MarketRegistration,
            Self::Claim(_) => RecordKind::Claim,
            Self::DeviceModel(_) => RecordKind::DeviceModel,
            Self::FacilityPower(_) => RecordKind::FacilityPower,
            Self::Population(_) => RecordKind::Population,
            Self::EquipmentStandard(_) => RecordKind::EquipmentStandard,
            Self::Asset(_) => RecordKind::Asset,
            Self::MaintenancePlan(_) => RecordKind::MaintenancePlan,
            Self::WorkOrder(_) => RecordKind::WorkOrder,
            Self::AssetEvent(_) => RecordKind::AssetEvent,
            Self::Downtime(_) => RecordKind::Downtime,
            Self::MeterReading(_) => RecordKind::MeterReading,
            Self::DonationCheck(_) => RecordKind::DonationCheck,
            Self::IntakeDraft(_) => RecordKind::IntakeDraft,
            Self::DensityReference(_) => RecordKind::DensityReference,
            Self::MedicineProduct(_) => RecordKind::MedicineProduct,
            Self::EssentialMedicine(_) => RecordKind::EssentialMedicine,
            Self::Consignment(_) => RecordKind::Consignment,
            Self::ConsignmentDecision(_) => RecordKind::ConsignmentDecision,
            Self::StockMovement(_) => RecordKind::StockMovement,
            Self::Contract(_) => RecordKind::Contract,
            Self::SparePart(_) => RecordKind::SparePart,
            Self::PartMovement(_) => RecordKind::PartMovement,
            Self::Incident(_) => RecordKind::Incident,
            Self::FieldSafetyNotice(_) => RecordKind::FieldSafetyNotice,
        }
    }

    pub fn id(&self) -> &RecordId {
        match self {
            Self::Source(r) => &r.id,
            Self::Organisation(r) => &r.id,
            Self::Facility(r) => &r.id,
            Self::Activity(r) => &r.id,
            Self::Flow(r) => &r.id,
            Self::Budget(r) => &r.id,
            Self::EquipmentLine(r) => &r.id,
            Self::Partnership(r) => &r.id,
            Self::MarketRegistration(r) => &r.id,
            Self::Claim(r) => &r.id,
            Self::DeviceModel(r) => &r.id,
            Self::FacilityPower(r) => &r.id,
            Self::Population(r) => &r.id,
            Self::EquipmentStandard(r) => &r.id,
            Self::Asset(r) => &r.id,
            Self::MaintenancePlan(r) => &r.id,
            Self::WorkOrder(r) => &r.id,
            Self::AssetEvent(r) => &r.id,
            Self::Downtime(r) => &r.id,
            Self::MeterReading(r) => &r.id,
            Self::DonationCheck(r) => &r.id,
            Self::IntakeDraft(r) => &r.id,
            Self::DensityReference(r) => &r.id,
            Self::MedicineProduct(r) => &r.id,
            Self::EssentialMedicine(r) => &r.id,
            Self::Consignment(r) => &r.id,
            Self::ConsignmentDecision(r) => &r.id,
            Self::StockMovement(r) => &r.id,
            Self::Contract(r) => &r.id,
            Self::SparePart(r) => &r.id,
            Self::PartMovement(r) => &r.id,
            Self::Incident(r) => &r.id,
            Self::FieldSafetyNotice(r) => &r.id,
        }
    }

    /// Every (kind, id) this record refers to, with the field that holds the reference, so the
    /// service can refuse a record that points at nothing.
    pub fn references(&self) -> Vec<(&'static str, RecordKind, &RecordId)> {
        fn citations<'a>(
            out: &mut Vec<(&'static str, RecordKind, &'a RecordId)>,
            sources: &'a [Citation],
        ) {
            out.extend(
                sources
                    .iter()
                    .map(|c| ("sources.source", RecordKind::Source, &c.source)),
            );
        }
        let mut refs = Vec::new();
        match self {
            Self::Source(_) => {}
            Self::Organisation(o) => {
                citations(&mut refs, &o.sources);
                if let Some(p) = &o.parent {
                    refs.push(("parent", RecordKind::Organisation, p));
                }
            }
            Self::Facility(f) => {
                citations(&mut refs, &f.sources);
                for s in &f.status_history {
                    citations(&mut refs, &s.sources);
                }
                if let Some(o) = &f.operator {
                    refs.push(("operator", RecordKind::Organisation, o));
                }
            }
            Self::Activity(a) => {
                citations(&mut refs, &a.sources);
                if let Some(p) = &a.parent {
                    refs.push(("parent", RecordKind::Activity, p));
                }
                if let Some(r) = &a.reporting_org {
                    refs.push(("reporting_org", RecordKind::Organisation, r));
                }
                for p in &a.participants {
                    refs.push(("participants.org", RecordKind::Organisation, &p.org));
                }
                for step in &a.legal_steps {
                    citations(&mut refs, &step.sources);
                    for s in step.signatories.iter().filter_map(|s| s.org.as_ref()) {
                        refs.push(("legal_steps.signatories.org", RecordKind::Organisation, s));
                    }
                }
                for f in &a.facilities {
                    refs.push(("facilities", RecordKind::Facility, f));
                }
            }
            Self::Flow(f) => {
                citations(&mut refs, &f.sources);
                refs.push(("activity", RecordKind::Activity, &f.activity));
                if let Some(p) = &f.provider {
                    refs.push(("provider", RecordKind::Organisation, p));
                }
                if let Some(r) = &f.receiver {
                    refs.push(("receiver", RecordKind::Organisation, r));
                }
                if let Some(p) = &f.parent_flow {
                    refs.push(("parent_flow", RecordKind::Flow, p));
                }
            }
            Self::Budget(b) => {
                citations(&mut refs, &b.sources);
                refs.push(("activity", RecordKind::Activity, &b.activity));
                if let Some(p) = &b.provider {
                    refs.push(("provider", RecordKind::Organisation, p));
                }
                if let Some(r) = &b.receiver {
                    refs.push(("receiver", RecordKind::Organisation, r));
                }
            }
            Self::EquipmentLine(e) => {
                citations(&mut refs, &e.sources);
                refs.push(("activity", RecordKind::Activity, &e.activity));
                if let Some(f) = &e.facility {
                    refs.push(("facility", RecordKind::Facility, f));
                }
            }
            Self::Partnership(p) => {
                citations(&mut refs, &p.sources);
                refs.push(("lead", RecordKind::Organisation, &p.lead));
                for o in &p.partners {
                    refs.push(("partners", RecordKind::Organisation, o));
                }
                if let Some(a) = &p.activity {
                    refs.push(("activity", RecordKind::Activity, a));
                }
            }
            Self::MarketRegistration(m) => {
                citations(&mut refs, &m.sources);
                if let Some(o) = &m.manufacturer {
                    refs.push(("manufacturer", RecordKind::Organisation, o));
                }
            }
            Self::Claim(c) => {
                citations(&mut refs, &c.sources);
                if let Some(a) = &c.activity {
                    refs.push(("activity", RecordKind::Activity, a));
                }
                if let Some(o) = &c.organisation {
                    refs.push(("organisation", RecordKind::Organisation, o));
                }
                if let Some(f) = &c.flow {
                    refs.push(("flow", RecordKind::Flow, f));
                }
                if let Some(f) = &c.facility {
                    refs.push(("facility", RecordKind::Facility, f));
                }
            }
            Self::DeviceModel(r) => refs.extend(r.references()),
            Self::FacilityPower(r) => refs.extend(r.references()),
            Self::Population(r) => refs.extend(r.references()),
            Self::EquipmentStandard(r) => refs.extend(r.references()),
            Self::Asset(r) => refs.extend(r.references()),
            Self::MaintenancePlan(r) => refs.extend(r.references()),
            Self::WorkOrder(r) => refs.extend(r.references()),
            Self::AssetEvent(r) => refs.extend(r.references()),
            Self::Downtime(r) => refs.extend(r.references()),
            Self::MeterReading(r) => refs.extend(r.references()),
            Self::DonationCheck(r) => refs.extend(r.references()),
            Self::IntakeDraft(d) => {
                if let Some(s) = &d.source {
                    refs.push(("source", RecordKind::Source, s));
                }
            }
            Self::DensityReference(r) => refs.extend(r.references()),
            Self::MedicineProduct(r) => refs.extend(r.references()),
            Self::EssentialMedicine(r) => refs.extend(r.references()),
            Self::Consignment(r) => refs.extend(r.references()),
            Self::ConsignmentDecision(r) => refs.extend(r.references()),
            Self::StockMovement(r) => refs.extend(r.references()),
            Self::Contract(r) => refs.extend(r.references()),
            Self::SparePart(r) => refs.extend(r.references()),
            Self::PartMovement(r) => refs.extend(r.references()),
            Self::Incident(r) => refs.extend(r.references()),
            Self::FieldSafetyNotice(r) => refs.extend(r.references()),
        }
        refs
    }
}

/// Convenience for citing a source without a quote.
pub fn cite(source: &RecordId, quote: &str) -> Citation {
    Citation {
        source: source.clone(),
        quote: Some(quote.to_string()),
        field: None,
    }
}

pub(crate) fn non_empty(field: &str, value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        Err(ValidationError::new(field, value, "must not be empty")
            .because(crate::error::ProblemId::Empty))
    } else {
        Ok(())
    }
}

/// The years a date may fall in: aid records begin in the 20th century and the longest loans
/// (40 years and a grace period) end before 2100. A year outside is a typo (0, 10000, 2204).
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

/// Refuses a date whose year lies outside [`YEARS`], naming the field.
pub fn plausible_date(field: &str, date: NaiveDate) -> Result<(), ValidationError> {
    use chrono::Datelike;
    if YEARS.contains(&date.year()) {
        Ok(())
    } else {
        Err(ValidationError::new(
            field,
            date,
            format!(
                "the year must lie between {} and {}",
                YEARS.start(),
                YEARS.end()
            ),
        )
        .because(crate::error::ProblemId::YearOutOfRange)
        .with_text("from", YEARS.start())
        .with_text("to", YEARS.end()))
    }
}

/// The same for a list of optional dates, each with its field.
pub fn plausible_dates(dates: &[(&str, Option<NaiveDate>)]) -> Result<(), ValidationError> {
    for (field, date) in dates {
        if let Some(d) = date {
            plausible_date(field, *d)?;
        }
    }
    Ok(())
}
