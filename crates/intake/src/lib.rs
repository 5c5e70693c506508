//! aidtrace-intake: from a press release or news item to draft aid facts with provenance.
//!
//! [`extract`] finds facts (donor, recipient, amount, kind, items, facilities, …) in English text
//! with dictionaries and rules, every value tied to its byte span. [`checks`] compares a stated
//! equivalent with the IMF rate of the year and proposes "same as" links to existing records.
//! [`eval`] scores the extractor against labelled articles (`shared/intake/FORMAT.md`).

pub mod checks;
pub mod cv;
pub mod decide;
pub mod donor;
pub mod eval;
pub mod extract;
pub mod gazetteer;
pub mod language;
pub mod lexicon;
pub mod model;
pub mod money;
pub mod number;
pub mod recipient;

pub use checks::{Check, ExistingRecord, RateLookup, RateTable, run_checks};
pub use extract::{ExtractOptions, IntakeError, extract, extract_bytes, extract_rules};
pub use model::{
    AmountKind, Extraction, Fact, Instrument, Item, Money, Qualifier, Sector, Sourced, Span,
};

/// Compiles one of the crate's constant patterns. Word boundaries are made ASCII (`(?-u:\b)`):
/// the texts are English, and an ASCII boundary lets the fast DFA engines run on any input
/// instead of falling back to the slow ones whenever a text contains "€" or "’".
pub(crate) fn compile_regex(pattern: &str) -> regex::Regex {
    let ascii = pattern.replace(r"\b", r"(?-u:\b)");
    regex::Regex::new(&ascii).expect("the crate's patterns are constants and compile")
}
