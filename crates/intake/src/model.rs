//! What the extractor produces. Spans are **byte offsets into the UTF-8 text**, half-open
//! `[start, end)`, so `&text[start..end]` is the quoted words; `quote` repeats them so a reader
//! of the JSON does not need the text.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// A value with the words it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sourced<T> {
    pub value: T,
    pub span: Span,
    pub quote: String,
}

impl<T> Sourced<T> {
    pub fn new(value: T, text: &str, span: Span) -> Self {
        let quote = text
            .get(span.start..span.end)
            .unwrap_or_default()
            .to_string();
        Self { value, span, quote }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum AmountKind {
    Commitment,
    Disbursement,
    Pledge,
    Cumulative,
    NotAid,
}

impl AmountKind {
    /// A flow is a single transfer that may be recorded; cumulative and not-aid figures are not.
    pub fn is_flow(self) -> bool {
        matches!(self, Self::Commitment | Self::Disbursement | Self::Pledge)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Instrument {
    Grant,
    Loan,
    InKind,
    TechnicalCooperation,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sector {
    Health,
    Mixed,
    NonHealth,
    Unspecified,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Qualifier {
    Approx,
    MoreThan,
    Nearly,
    UpTo,
    AtLeast,
}

/// An amount of money as written: value in units (not millions) and ISO 4217 currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Money {
    /// Serialised as a decimal string so no precision is lost.
    pub amount: Decimal,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// The article's own words for the item, singular, with the modifiers written before it
    /// ("mobile digital X-ray unit"), so a reviewer and the equipment line keep what was said.
    pub name: String,
    /// The equipment dictionary's name for it ("X-ray machine"); `None` for a counted noun
    /// phrase the dictionary lacks and for drafts stored before issue 14's item change.
    #[serde(default)]
    pub canonical: Option<String>,
    pub quantity: Option<u64>,
    pub span: Span,
    pub quote: String,
}

/// One draft fact: who gives what to whom. Every field that came from the text carries its span.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    pub donor: Option<Sourced<String>>,
    pub donor_agency: Option<Sourced<String>>,
    /// A UN agency or NGO named as delivering the donor's money or goods.
    pub channel: Option<Sourced<String>>,
    /// ISO 3166-1 alpha-2.
    pub recipient_country: Option<Sourced<String>>,
    pub recipient_org: Option<Sourced<String>>,
    pub region: Option<Sourced<String>>,
    pub amount: Option<Sourced<Money>>,
    pub stated_equivalent: Option<Sourced<Money>>,
    pub amount_qualifier: Option<Qualifier>,
    /// The cue word that decided the kind (or the amount itself when no cue was found).
    pub amount_kind: Sourced<AmountKind>,
    pub instrument: Option<Sourced<Instrument>>,
    pub program: Option<Sourced<String>>,
    pub items: Vec<Item>,
    pub facilities: Vec<Sourced<String>>,
    pub date_signed: Option<Sourced<NaiveDate>>,
    pub sector: Sector,
    /// True when the amount is the sum of other facts in the article.
    pub is_total: bool,
    /// Other places where the same amount is mentioned again (title, summary).
    pub repeated_at: Vec<Span>,
    /// Results of the intake checks, filled by `checks::run_checks`.
    pub checks: Vec<crate::checks::Check>,
    /// The flow model's probability that this amount is an aid flow (`decide.rs`); `None` for
    /// facts without an amount and for drafts stored before the model existed.
    #[serde(default)]
    pub flow_score: Option<f64>,
    /// The recipient model's probability for the chosen recipient (`recipient.rs`), or for the
    /// best country when it chose none; `None` without an amount or a country in the article.
    #[serde(default)]
    pub recipient_score: Option<f64>,
    /// The donor model's probability for the chosen donor (`donor.rs`); `None` without an amount
    /// or a donor named in the article.
    #[serde(default)]
    pub donor_score: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extraction {
    /// The headline: the first line when it has no sentence-ending punctuation. With the
    /// article's address and date it makes the source of records accepted from this draft.
    pub title: Option<Sourced<String>>,
    pub facts: Vec<Fact>,
    /// Byte length of the text the spans refer to.
    pub text_bytes: usize,
}

impl Extraction {
    /// Facts that are single aid flows (not cumulative totals, not amounts that are not aid).
    pub fn flows(&self) -> impl Iterator<Item = &Fact> {
        self.facts.iter().filter(|f| f.amount_kind.value.is_flow())
    }
}
