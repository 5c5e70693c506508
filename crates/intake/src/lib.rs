//! aidtrace-intake: from a press release or news item to draft aid facts with provenance.
//!
//! [`extract`] finds facts (donor, recipient, amount, kind, items, facilities, …) in English text
//! with dictionaries and rules, every value tied to its byte span. [`checks`] compares a stated
//! equivalent with the IMF rate of the year and proposes "same as" links to existing records.
//! [`eval`] scores the extractor against labelled articles (`shared/intake/FORMAT.md`).

pub mod checks;
pub mod eval;
pub mod extract;
pub mod lexicon;
pub mod model;
pub mod money;
pub mod number;

pub use checks::{Check, ExistingRecord, RateLookup, RateTable, run_checks};
pub use extract::{ExtractOptions, IntakeError, extract, extract_bytes};
pub use model::{
    AmountKind, Extraction, Fact, Instrument, Item, Money, Qualifier, Sector, Sourced, Span,
};
