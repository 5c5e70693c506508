//! Intake drafts: facts read from a document by the extractor, waiting for review.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::codes::RecordId;

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
