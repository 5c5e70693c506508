//! The rule- and dictionary-based extractor.
//!
//! Outline: split sentences; find countries, donors and agencies; decide the article's main donor
//! and recipient from how they are mentioned ("Japan will provide" vs "to Kazakhstan"); find
//! amounts, pair each with a stated equivalent in parentheses, merge repeated mentions; classify
//! each amount (cumulative, not aid, pledge, commitment, disbursement) by the cue words nearest to
//! it; attach items, facilities, region, programme and signing date from the amount's sentence and
//! the sentences that continue it ("The grant will be used to buy …").

use chrono::NaiveDate;

use crate::model::{Extraction, Span};
use crate::money::MoneyMention;

mod classify;
mod dates;
mod facts;
mod items;
mod pipeline;
mod roles;
mod sentences;

pub(crate) use roles::{donor_country_in, donor_named_in};

// The tests here and in `extract_issue14_tests.rs` reach these through `use super::*`.
#[cfg(test)]
use crate::model::{AmountKind, Fact, Instrument};
#[cfg(test)]
use rust_decimal::Decimal;
#[cfg(test)]
use sentences::split_sentences;

/// Press releases are kilobytes; anything past this is not an article and is refused with a
/// clear error instead of being processed for minutes.
pub const DEFAULT_MAX_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IntakeError {
    #[error("text is {bytes} bytes; the limit for one article is {limit} bytes")]
    TooLarge { bytes: usize, limit: usize },
    #[error("input is not UTF-8 text (invalid byte at offset {offset})")]
    NotUtf8 { offset: usize },
    #[error("input looks binary: {control} control characters in {chars} characters")]
    Binary { control: usize, chars: usize },
    /// Only English is read; saying so beats an empty "no aid facts" result.
    #[error("this text is in {language}; intake reads English only")]
    NotEnglish { language: &'static str },
    #[error(transparent)]
    Model(#[from] crate::decide::ModelError),
}

#[derive(Debug, Clone)]
pub struct ExtractOptions {
    /// Publication date: resolves "on the 29th" and "on Tuesday" in signing dates.
    pub published: Option<NaiveDate>,
    pub max_bytes: usize,
}

impl Default for ExtractOptions {
    fn default() -> Self {
        Self {
            published: None,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// Extracts from raw bytes, refusing non-UTF-8 input with the offset of the first bad byte.
pub fn extract_bytes(bytes: &[u8], opts: &ExtractOptions) -> Result<Extraction, IntakeError> {
    if bytes.len() > opts.max_bytes {
        return Err(IntakeError::TooLarge {
            bytes: bytes.len(),
            limit: opts.max_bytes,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| IntakeError::NotUtf8 {
        offset: e.valid_up_to(),
    })?;
    extract(text, opts)
}

/// Extracts draft facts from one article: the rules find the candidates, the shipped flow model
/// (`decide.rs`) decides which amounts are aid flows. Text in a language other than English is
/// refused with [`IntakeError::NotEnglish`].
pub fn extract(text: &str, opts: &ExtractOptions) -> Result<Extraction, IntakeError> {
    let model = crate::decide::shipped_model()?;
    let recipients = crate::recipient::shipped_model()?;
    let donors = crate::donor::shipped_model()?;
    let candidates = extract_candidates(text, opts)?;
    let mut extraction = candidates.extraction;
    model.apply(text, &mut extraction);
    crate::donor::apply(donors, text, &mut extraction, &candidates.donors);
    crate::recipient::apply(recipients, text, &mut extraction, &candidates.countries);
    crate::recipient::from_local_currency(&mut extraction);
    Ok(extraction)
}

/// A country named in the article with the role cues the rules saw around it: the candidates of
/// the learned recipient decision (`recipient.rs`).
#[derive(Debug, Clone)]
pub struct CountryMention {
    pub iso: &'static str,
    pub span: Span,
    pub donor_cue: bool,
    pub recipient_cue: bool,
    /// The rules' choice of recipient for the whole article.
    pub article_recipient: bool,
}

/// A dictionary donor named in the article (an agency, or a donor country's name or adjective):
/// the candidates of the learned donor decision (`donor.rs`).
#[derive(Debug, Clone)]
pub struct DonorMention {
    /// Index into [`DONORS`].
    pub donor: usize,
    pub span: Span,
    pub donor_cue: bool,
    pub recipient_cue: bool,
    /// Named by an agency name ("JICA", "UNICEF") rather than a country name.
    pub agency: bool,
    /// The rules' choice of donor for the whole article.
    pub article_donor: bool,
}

/// The rules' facts and the mentions they chose recipients and donors from.
pub struct Candidates {
    pub extraction: Extraction,
    pub countries: Vec<CountryMention>,
    pub donors: Vec<DonorMention>,
}

/// The rules alone, without the learned decision (the baseline of the grouped cross-validation).
pub fn extract_rules(text: &str, opts: &ExtractOptions) -> Result<Extraction, IntakeError> {
    extract_candidates(text, opts).map(|c| c.extraction)
}

/// The rules' facts with the candidates the learned decisions re-rank.
pub fn extract_candidates(text: &str, opts: &ExtractOptions) -> Result<Candidates, IntakeError> {
    if text.len() > opts.max_bytes {
        return Err(IntakeError::TooLarge {
            bytes: text.len(),
            limit: opts.max_bytes,
        });
    }
    let chars = text.chars().count();
    let control = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
        .count();
    if chars > 0 && control * 100 > chars {
        return Err(IntakeError::Binary { control, chars });
    }
    if let Some(language) = crate::language::unread_language(text) {
        return Err(IntakeError::NotEnglish { language });
    }
    Ok(Extractor::new(text, opts).run())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Entity {
    Country(&'static str),
    /// Index into `DONORS`, with the agency name as written.
    Agency(usize),
}

#[derive(Debug, Clone)]
struct Mention {
    entity: Entity,
    span: Span,
    donor_cue: bool,
    recipient_cue: bool,
}

struct Sentence {
    start: usize,
    end: usize,
}

struct Extractor<'t> {
    text: &'t str,
    opts: &'t ExtractOptions,
    sentences: Vec<Sentence>,
    mentions: Vec<Mention>,
    article_donor: Option<usize>,
    article_recipient: Option<&'static str>,
    /// Spans of every amount of the article, for assigning countries to the nearest one.
    amount_spans: Vec<Span>,
}

#[derive(Debug, Clone)]
struct Candidate {
    mention: MoneyMention,
    sentence: usize,
    equivalent: Option<MoneyMention>,
    repeated: Vec<Span>,
}

impl Candidate {
    /// The amount with its stated equivalent when that follows it directly: the unit that
    /// countries and donors of the sentence are assigned to by distance.
    fn region(&self) -> Span {
        let m = self.mention.span;
        match &self.equivalent {
            Some(e) if e.span.start >= m.end && e.span.start - m.end <= 40 => Span {
                start: m.start,
                end: e.span.end,
            },
            _ => m,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rules alone: these tests pin the candidate layer; the learned decision on top is
    /// measured on the labelled sets (`tests/labelled_set.rs`, `tests/corpus_cv.rs`).
    fn run(text: &str) -> Extraction {
        extract_rules(text, &ExtractOptions::default()).expect("extracts")
    }

    #[test]
    fn numbered_paragraphs_are_not_sentences() {
        let s =
            split_sentences("Title\n1. On May 3 it was signed.\n2. The grant is 5 million yen.");
        assert_eq!(s.len(), 3);
    }

    #[test]
    fn sentence_split_keeps_abbreviations() {
        let s = split_sentences("It costs 5 million U.S. dollars. Rs. 5 is small. Next one.");
        assert_eq!(s.len(), 3);
    }

    #[test]
    fn basic_grant() {
        let e = run(
            "Japan will provide 108.7 million yen (approximately 7 million US dollars) in grant aid to Kazakhstan to buy MRI machines and 3 CT scanners for the Semey State Medical University Hospital.",
        );
        assert_eq!(e.facts.len(), 1, "{:#?}", e.facts);
        let f = &e.facts[0];
        assert_eq!(f.donor.as_ref().map(|d| d.value.as_str()), Some("Japan"));
        assert_eq!(
            f.recipient_country.as_ref().map(|d| d.value.as_str()),
            Some("KZ")
        );
        assert_eq!(f.amount_kind.value, AmountKind::Commitment);
        assert_eq!(
            f.instrument.as_ref().map(|i| i.value),
            Some(Instrument::Grant)
        );
        assert_eq!(
            f.stated_equivalent
                .as_ref()
                .map(|m| m.value.currency.as_str()),
            Some("USD")
        );
        assert!(
            f.items
                .iter()
                .any(|i| i.name == "CT scanner" && i.quantity == Some(3))
        );
        assert!(
            f.facilities
                .iter()
                .any(|x| x.value == "Semey State Medical University Hospital"),
            "{:?}",
            f.facilities
        );
        let a = f.amount.as_ref().expect("amount");
        assert_eq!(
            &"Japan will provide 108.7 million yen"[a.span.start..a.span.end],
            "108.7 million yen"
        );
    }

    #[test]
    fn headline_is_the_title() {
        let text =
            "Japan funds MRI for Semey hospital\nJapan will provide $5 million to Kazakhstan.";
        let e = run(text);
        let title = e.title.expect("title");
        assert_eq!(title.value, "Japan funds MRI for Semey hospital");
        assert_eq!(&text[title.span.start..title.span.end], title.value);
        assert!(
            run("Japan will provide $5 million to Kazakhstan.")
                .title
                .is_none()
        );
    }

    #[test]
    fn cumulative_and_not_aid() {
        let e = run(
            "Over the more than two years of war, Japan has already provided Ukraine with more than $12 billion. The hospital's annual budget is $3 million.",
        );
        let kinds: Vec<AmountKind> = e.facts.iter().map(|f| f.amount_kind.value).collect();
        assert_eq!(kinds, vec![AmountKind::Cumulative, AmountKind::NotAid]);
    }

    #[test]
    fn billions_of_billions_do_not_panic() {
        let e = run(
            "Japan will provide 999,999,999,999,999,999,999 billion billion yen and 5 trillion trillion dollars to Nepal.",
        );
        assert!(e.facts.iter().all(|f| {
            f.amount
                .as_ref()
                .is_none_or(|a| a.value.amount > Decimal::ZERO)
        }));
        let digits = format!("Japan gave ${} to Nepal.", "9".repeat(5000));
        assert!(run(&digits).facts.is_empty());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        #[test]
        fn never_panics_on_aid_like_soup(s in "(Japan|KOICA|the World Bank|to Nepal|Sri Lanka|US\\$|USD|¥|€|Rs\\.?|K|Nu|NPR|[0-9]{1,4}|,|\\.| |-|million|billion|crore|lakh|yen|rupees|dollars|donated|signed on 3 May|since 2010|budget|5 ventilators|three-point-two|\\(|\\)|\n|é|日本){0,80}") {
            let e = extract(&s, &ExtractOptions { published: NaiveDate::from_ymd_opt(2024, 5, 30), ..ExtractOptions::default() });
            if let Ok(e) = e {
                for f in &e.facts {
                    for span in f.amount.iter().map(|a| a.span).chain(f.items.iter().map(|i| i.span)) {
                        proptest::prop_assert!(s.is_char_boundary(span.start) && s.is_char_boundary(span.end) && span.start <= span.end);
                    }
                }
            }
        }

        #[test]
        fn never_panics_on_any_text(s in "\\PC{0,300}") {
            let _ = extract(&s, &ExtractOptions::default());
        }
    }

    #[test]
    fn bad_input() {
        assert_eq!(run("").facts.len(), 0);
        assert!(matches!(
            extract_bytes(&[0xff, 0xfe, 0x00], &ExtractOptions::default()),
            Err(IntakeError::NotUtf8 { offset: 0 })
        ));
        let binary: String = (0..200u8).map(|b| char::from(b % 32)).collect();
        assert!(matches!(
            extract(&binary, &ExtractOptions::default()),
            Err(IntakeError::Binary { .. })
        ));
        let big = "a".repeat(DEFAULT_MAX_BYTES + 1);
        assert!(matches!(
            extract(&big, &ExtractOptions::default()),
            Err(IntakeError::TooLarge { .. })
        ));
        assert_eq!(
            extract(
                "日本政府は2024年5月29日、カザフスタンに1億870万円の無償資金協力を行う。",
                &ExtractOptions::default()
            ),
            Err(IntakeError::NotEnglish {
                language: "Japanese"
            })
        );
        assert_eq!(
            run("Das Krankenhaus erhält 5 Millionen Euro von der Regierung.")
                .facts
                .len(),
            0
        );
    }
}

#[cfg(test)]
#[path = "extract_issue14_tests.rs"]
mod issue14_tests;
