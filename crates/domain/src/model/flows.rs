//! Money: flows (commitments, disbursements, reversals), budgets, recorded rates and claims.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::provenance::Citation;
use crate::codes::{CountryCode, CurrencyCode, RecordId};
use crate::money::{Money, Qualifier, StatedEquivalent, exact_decimal};

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
