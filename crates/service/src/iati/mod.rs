//! IATI import and export of the ledger. Split by concern: `mapping` (pure: one IATI activity
//! into ledger records), `import` (the pipeline: read on all cores, judge, write one transaction
//! per file), `links` (fitting records to the ledger: parents, lines, citations), `export`.
//!
//! Import streams a file, validates each activity on the three layers, maps it into the
//! ledger and writes the accepted ones in one transaction per file.
//!
//! - Each activity is accepted or rejected on its own, with reasons; `strict` rejects the file
//!   when any activity is rejected or fails a validation layer.
//! - Re-importing is idempotent: the same identifier updates the same records, and an activity
//!   is only replaced by one whose `last-updated-datetime` is at least as new.
//! - Identifiers seen twice in a file, or already imported from another file, are reported.
//! - What the ledger has no place for yet (locations, results, supranational regions, other
//!   sector vocabularies) is listed per activity as a note, never dropped silently.

mod export;
mod import;
mod links;
mod mapping;

use serde::Serialize;

pub use aidtrace_domain::model::LeftOut;

pub use export::{ActivityFilter, ExcludedActivity, ExportReport};
pub use mapping::record_id;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Outcome {
    Accepted {
        notes: Vec<String>,
    },
    /// The stored version is newer, or as new and from another file: kept as it is (a tie
    /// between two files would otherwise flip the record on every re-import).
    KeptNewer {
        stored: String,
    },
    Rejected {
        reasons: Vec<String>,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct ActivityImport {
    pub identifier: String,
    pub line: u64,
    pub schema_valid: bool,
    pub codelists_valid: bool,
    pub rules_valid: bool,
    #[serde(flatten)]
    pub outcome: Outcome,
    /// Elements of an accepted activity left out because the ledger refuses them (the rest is
    /// imported); the activity record keeps them too, so they show on its page.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub left_out: Vec<LeftOut>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct LayerCounts {
    pub activities: usize,
    pub schema_valid: usize,
    pub codelists_valid: usize,
    pub rules_valid: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileImport {
    pub file: String,
    pub version: Option<String>,
    pub layers: LayerCounts,
    pub accepted: usize,
    pub rejected: usize,
    pub kept_newer: usize,
    /// Elements left out of accepted activities, over the file (each listed on its activity).
    pub left_out: usize,
    pub records_created: usize,
    pub records_updated: usize,
    pub records_unchanged: usize,
    /// Identifiers that appear more than once in this file (the last one wins, all are reported).
    pub duplicates_in_file: Vec<String>,
    /// Identifiers already imported from another file, with that file.
    pub duplicates_across_files: Vec<(String, String)>,
    /// Set when the whole file was refused (not well-formed, or `strict` with problems).
    pub refused: Option<String>,
    pub activities: Vec<ActivityImport>,
    /// The file's three-layer validation report, as `iati validate` gives it, when
    /// [`ImportOptions::validation_report`] asked for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation: Option<aidtrace_iati::validate::Report>,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    pub strict: bool,
    /// Keep every unit's findings for [`FileImport::validation`] (one read serves both).
    pub validation_report: bool,
}

/// Written where an activity has no description, which the 2.03 schema requires.
pub const NO_DESCRIPTION: &str = "No description was published for this activity.";
