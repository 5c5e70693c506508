//! Where a fact comes from: the [`Source`] documents and the [`Citation`]s that point into them.
//! Apart because every other record cites through these.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::codes::RecordId;

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
