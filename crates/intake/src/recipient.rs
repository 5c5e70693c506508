//! Learned decision on top of the rules: which country receives an amount, or none.
//!
//! The rules give an amount the country nearest to it in its sentence, else the article's
//! recipient. On articles by other writers that goes wrong in two ways the rules cannot weigh
//! against each other: a regional or multi-country amount ("for the Sahel", "across five
//! countries") gets a country, and a ceremony venue or an ambassador's "to X" beats the real
//! recipient. So every country named in the article is scored as the recipient of each amount
//! by a logistic regression over how it is named (cues, distance and words between it and the
//! amount, the rules' own choice) and over the words around the amount; the best country wins
//! when it scores at least the threshold, else the amount has no single recipient.
//!
//! Weights: `data/recipient_model.json`, the same format and training as the flow model
//! (`decide.rs`), rebuilt by `cargo run -p aidtrace-intake --example corpus_cv -- --write-weights`.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use crate::decide::{Example, FlowModel, ModelError, bucket, sentence_bounds, words};
use crate::eval::LabelledArticle;
use crate::extract::{CountryMention, donor_country_in};
use crate::model::{Extraction, Fact, Sourced, Span};

/// The shipped weights (file `crates/intake/data/recipient_model.json`).
pub const MODEL_FILE: &str = "crates/intake/data/recipient_model.json";
const MODEL_JSON: &str = include_str!("../data/recipient_model.json");

static SHIPPED: LazyLock<Result<FlowModel, ModelError>> =
    LazyLock::new(|| FlowModel::from_json(MODEL_JSON, MODEL_FILE));

/// The recipient model shipped with the crate, or an error naming its file.
pub fn shipped_model() -> Result<&'static FlowModel, ModelError> {
    SHIPPED.as_ref().map_err(Clone::clone)
}

/// Words on each side of the amount that describe it ("for the region", "across").
const WINDOW: usize = 6;

pub(crate) fn distance(a: Span, b: Span) -> usize {
    if a.end <= b.start {
        b.start - a.end
    } else {
        a.start.saturating_sub(b.end)
    }
}

/// How far (bytes) from an amount a mention can still name its donor or recipient: beyond any
/// news article (the corpus' longest is under 2 KB), and it keeps a long document linear.
pub(crate) const REACH: usize = 4000;

/// The part of a slice sorted by start whose starts lie in `[from, to)`, by binary search.
pub(crate) fn starting_in<T>(
    sorted: &[T],
    start_of: impl Fn(&T) -> usize,
    from: usize,
    to: usize,
) -> &[T] {
    let a = sorted.partition_point(|x| start_of(x) < from);
    let b = sorted.partition_point(|x| start_of(x) < to).max(a);
    &sorted[a..b]
}

/// The mentions within [`REACH`] of an amount.
pub(crate) fn near<T>(sorted: &[T], start_of: impl Fn(&T) -> usize, amount: Span) -> &[T] {
    starting_in(
        sorted,
        start_of,
        amount.start.saturating_sub(REACH),
        amount.end.saturating_add(REACH),
    )
}

/// A coarse logarithmic bucket of a byte distance.
pub(crate) fn distance_bucket(d: usize) -> u32 {
    (d + 1).ilog2().min(12)
}

/// One country's mentions, in text order.
struct Candidate<'a> {
    iso: &'static str,
    mentions: Vec<&'a CountryMention>,
}

fn candidates(countries: &[CountryMention]) -> Vec<Candidate<'_>> {
    let mut by_iso: BTreeMap<&'static str, Vec<&CountryMention>> = BTreeMap::new();
    for m in countries {
        by_iso.entry(m.iso).or_default().push(m);
    }
    by_iso
        .into_iter()
        .map(|(iso, mentions)| Candidate { iso, mentions })
        .collect()
}

/// What the features need from the article as a whole, computed once.
struct Article<'a> {
    text: &'a str,
    countries: &'a [CountryMention],
    headline_end: usize,
    amounts: Vec<Span>,
    distinct: usize,
}

impl<'a> Article<'a> {
    fn new(text: &'a str, facts: &[Fact], countries: &'a [CountryMention]) -> Self {
        let mut isos: Vec<&str> = countries.iter().map(|c| c.iso).collect();
        isos.sort_unstable();
        isos.dedup();
        let mut amounts: Vec<Span> = facts
            .iter()
            .filter_map(|f| f.amount.as_ref().map(|a| a.span))
            .collect();
        amounts.sort_unstable_by_key(|a| (a.start, a.end));
        Self {
            text,
            countries,
            headline_end: text.find('\n').unwrap_or(text.len()),
            amounts,
            distinct: isos.len(),
        }
    }
}

/// Features of "country `c` receives the amount of `fact`".
fn features(article: &Article<'_>, fact: &Fact, amount: Span, c: &Candidate<'_>) -> Vec<usize> {
    let text = article.text;
    let mut f: Vec<String> = Vec::new();
    let (s, e) = sentence_bounds(text, amount.start, amount.end);
    let rules_pick = fact
        .recipient_country
        .as_ref()
        .is_some_and(|r| r.value == c.iso);
    let donor_country = fact.donor.as_ref().and_then(|d| donor_country_in(&d.value));
    let Some(nearest) = c
        .mentions
        .iter()
        .min_by_key(|m| (distance(m.span, amount), m.span.start))
    else {
        return Vec::new();
    };
    let in_sentence = nearest.span.start >= s && nearest.span.end <= e;
    // Nearer to another amount of the sentence than to this one: "Tonga $30 million, Samoa $20 million".
    let sentence_amounts = starting_in(&article.amounts, |a| a.start, s, e);
    let nearer_other = sentence_amounts.iter().any(|o| {
        *o != amount
            && o.start >= s
            && o.end <= e
            && distance(nearest.span, *o) < distance(nearest.span, amount)
    });
    let after = nearest.span.start >= amount.end;
    for (name, on) in [
        ("rules", rules_pick),
        ("article", nearest.article_recipient),
        ("donor_country", donor_country == Some(c.iso)),
        ("sentence", in_sentence),
        ("after", after),
        ("nearer_other", nearer_other),
        ("cue_r", nearest.recipient_cue),
        ("cue_d", nearest.donor_cue),
        ("any_cue_r", c.mentions.iter().any(|m| m.recipient_cue)),
        ("any_cue_d", c.mentions.iter().any(|m| m.donor_cue)),
        (
            "headline",
            c.mentions
                .iter()
                .any(|m| m.span.start < article.headline_end),
        ),
        ("none_found", fact.recipient_country.is_none()),
    ] {
        if on {
            f.push(format!("has:{name}"));
        }
    }
    f.push(format!("rules_x_sentence:{rules_pick}:{in_sentence}"));
    // Several countries in the amount's sentence ("in Burkina Faso, Mali, Niger and Chad") speak
    // for a regional amount, unless this one is named right after it ("€6 million to Burkina Faso").
    let mut here: Vec<&str> = starting_in(article.countries, |m| m.span.start, s, e)
        .iter()
        .filter(|m| m.span.start >= s && m.span.end <= e)
        .map(|m| m.iso)
        .collect();
    here.sort_unstable();
    here.dedup();
    f.push(format!("sent_countries:{}", here.len().min(4)));
    f.push(format!("sent_countries:{rules_pick}:{}", here.len().min(4)));
    let listed = |gap: &str| {
        let g = gap.trim();
        g == "," || g == "and" || g == ", and" || g == "&"
    };
    // Names are short: a neighbour in a list starts at most ~80 bytes before this one.
    let neighbours = starting_in(
        article.countries,
        |m| m.span.start,
        nearest.span.start.saturating_sub(80),
        nearest.span.end.saturating_add(8),
    );
    let in_list = neighbours.iter().any(|m| {
        m.iso != c.iso
            && ((m.span.end <= nearest.span.start
                && nearest.span.start - m.span.end <= 6
                && text.get(m.span.end..nearest.span.start).is_some_and(listed))
                || (m.span.start >= nearest.span.end
                    && m.span.start - nearest.span.end <= 6
                    && text.get(nearest.span.end..m.span.start).is_some_and(listed)))
    });
    if in_list {
        f.push("has:in_list".to_string());
        f.push(format!("in_list:{rules_pick}"));
    }
    f.push(format!("mentions:{}", c.mentions.len().min(4)));
    f.push(format!("distinct:{}", article.distinct.min(5)));
    f.push(format!(
        "dist:{}:{}",
        in_sentence,
        distance_bucket(distance(nearest.span, amount))
    ));
    let in_sentence_countries = sentence_amounts.iter().filter(|o| o.end <= e).count();
    f.push(format!(
        "amounts_in_sentence:{}",
        in_sentence_countries.min(3)
    ));
    // The words right before and after the name ("to X", "in X", "X's ministry", "X's embassy").
    let before = words(
        text.get(s.min(nearest.span.start)..nearest.span.start)
            .unwrap_or_default(),
    );
    let after_words = words(
        text.get(nearest.span.end..e.max(nearest.span.end))
            .unwrap_or_default(),
    );
    for (i, w) in before.iter().rev().take(2).enumerate() {
        f.push(format!("cb{i}:{w}"));
    }
    for (i, w) in after_words.iter().take(2).enumerate() {
        f.push(format!("ca{i}:{w}"));
    }
    // The words between the amount and the name, when both are in one sentence and close.
    if in_sentence {
        let (from, to) = if after {
            (amount.end, nearest.span.start)
        } else {
            (nearest.span.end, amount.start)
        };
        let between = words(text.get(from..to).unwrap_or_default());
        if between.len() <= 8 {
            for w in &between {
                f.push(format!("btw:{after}:{w}"));
            }
            if let Some(w) = between.first() {
                f.push(format!("btw_first:{after}:{w}"));
            }
        }
    }
    // The amount's own context: "for the region", "across", "countries" speak against any single
    // country; crossed with the rules' pick so they can lower the chosen one.
    let left = words(text.get(s..amount.start).unwrap_or_default());
    let right = words(text.get(amount.end..e).unwrap_or_default());
    for w in left
        .iter()
        .rev()
        .take(WINDOW)
        .chain(right.iter().take(WINDOW))
    {
        f.push(format!("a:{w}"));
        if rules_pick {
            f.push(format!("ar:{w}"));
        }
    }
    let mut out: Vec<usize> = f.iter().map(|s| bucket(s)).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Re-decides the recipient of every amount: the best-scoring country named in the article when
/// it scores at least the threshold, else none. Amountless facts keep the rules' recipient.
pub fn apply(
    model: &FlowModel,
    text: &str,
    extraction: &mut Extraction,
    countries: &[CountryMention],
) {
    if countries.is_empty() {
        return;
    }
    let article = Article::new(text, &extraction.facts, countries);
    for fact in &mut extraction.facts {
        let Some(amount) = fact.amount.as_ref().map(|a| a.span) else {
            continue;
        };
        let cands = candidates(near(countries, |m| m.span.start, amount));
        let best = cands
            .iter()
            .map(|c| (model.score(&features(&article, fact, amount, c)), c))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let Some((p, c)) = best else { continue };
        fact.recipient_score = Some((p * 1000.0).round() / 1000.0);
        if p < model.threshold {
            fact.recipient_country = None;
            continue;
        }
        if fact
            .recipient_country
            .as_ref()
            .is_some_and(|r| r.value == c.iso)
        {
            continue;
        }
        if let Some(m) = c
            .mentions
            .iter()
            .min_by_key(|m| (distance(m.span, amount), m.span.start))
        {
            fact.recipient_country = Some(Sourced::new(c.iso.to_string(), text, m.span));
        }
    }
}

/// Training examples of one labelled article: for every amount matching a gold flow (same
/// currency, within 1 %), each country named in the article, positive when it is the gold
/// recipient.
pub fn examples_of(
    article: &LabelledArticle,
    extraction: &Extraction,
    countries: &[CountryMention],
) -> Vec<Example> {
    let context = Article::new(&article.text, &extraction.facts, countries);
    let mut out = Vec::new();
    for fact in &extraction.facts {
        let Some(amount) = &fact.amount else { continue };
        let gold = article.facts.iter().find(|g| {
            g.amount_kind.is_flow()
                && g.amount.is_some_and(|ga| {
                    let tolerance = ga.abs() / rust_decimal::Decimal::from(100);
                    (ga - amount.value.amount).abs() <= tolerance
                })
                && g.currency
                    .as_deref()
                    .is_some_and(|c| c.eq_ignore_ascii_case(&amount.value.currency))
        });
        let Some(gold) = gold else { continue };
        for c in &candidates(near(countries, |m| m.span.start, amount.span)) {
            out.push(Example {
                features: features(&context, fact, amount.span, c),
                positive: gold
                    .recipient_country
                    .as_deref()
                    .is_some_and(|r| r.eq_ignore_ascii_case(c.iso)),
            });
        }
    }
    out
}

/// Currencies that donors pay in: an amount in one of them says nothing about where it goes.
const DONOR_CURRENCIES: &[&str] = &[
    "USD", "EUR", "GBP", "CHF", "JPY", "CNY", "AUD", "CAD", "NZD", "SEK", "NOK", "DKK", "KRW",
    "KWD", "AED", "SAR", "QAR", "INR", "TRY", "XDR",
];

/// An amount without a recipient, written in the money of a country that is not a usual donor's
/// and not the donor's own ("KSh 450 million", "J$18.5 million"), is spent in that country: a
/// foundation or company giving at home names no country ("M-PESA Foundation … Nairobi"), and
/// a donor's grant stated in the recipient's money is the recipient's. ISO 4217 codes begin with
/// the issuing country's ISO 3166 code (the codes of currency unions, XOF or EUR, name no
/// country). Runs after the recipient model, which keeps its choice wherever it made one.
pub fn from_local_currency(extraction: &mut Extraction) {
    for fact in &mut extraction.facts {
        if fact.recipient_country.is_some() {
            continue;
        }
        let Some(amount) = &fact.amount else { continue };
        let code = amount.value.currency.as_str();
        if DONOR_CURRENCIES.contains(&code) || code.len() != 3 || code.starts_with('X') {
            continue;
        }
        let iso = &code[..2];
        let donor_home = fact.donor.as_ref().and_then(|d| donor_country_in(&d.value));
        if donor_home == Some(iso) || !crate::gazetteer::is_country(iso) {
            continue;
        }
        fact.recipient_country = Some(Sourced {
            value: iso.to_string(),
            span: amount.span,
            quote: amount.quote.clone(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recipient_of(text: &str) -> Option<String> {
        let e = crate::extract(text, &crate::ExtractOptions::default()).expect("extracts");
        e.facts
            .iter()
            .find(|f| f.amount.is_some())
            .and_then(|f| f.recipient_country.as_ref().map(|r| r.value.clone()))
    }

    #[test]
    fn a_home_foundation_giving_in_local_money_gives_to_that_country() {
        let text = "M-PESA Foundation funds maternity wing\nThe M-PESA Foundation has committed \
                    KSh 450 million to build a maternity wing at a county hospital in Nairobi.";
        assert_eq!(recipient_of(text).as_deref(), Some("KE"));
    }

    #[test]
    fn a_donor_currency_names_no_recipient() {
        let text = "Fund pledges money\nThe Pandemic Fund pledged US$ 5 million for the region.";
        assert_eq!(recipient_of(text), None);
    }

    #[test]
    fn the_shipped_recipient_model_parses() {
        assert!(shipped_model().is_ok());
    }

    #[test]
    fn only_mentions_within_reach_of_an_amount_are_candidates() {
        let spans: Vec<Span> = [0, 10, 5000, 9000]
            .iter()
            .map(|&start| Span {
                start,
                end: start + 5,
            })
            .collect();
        let amount = Span {
            start: 5100,
            end: 5110,
        };
        let got: Vec<usize> = near(&spans, |s| s.start, amount)
            .iter()
            .map(|s| s.start)
            .collect();
        assert_eq!(got, [5000, 9000]);
    }

    #[test]
    fn distance_buckets_grow_with_the_gap() {
        assert_eq!(distance_bucket(0), 0);
        assert!(distance_bucket(10) < distance_bucket(200));
        assert_eq!(distance_bucket(usize::MAX - 1), 12);
    }
}
