//! Learned decision on top of the rules: is a candidate amount an aid flow?
//!
//! The rules (`extract.rs`) find every amount and give it a kind from the nearest cue word. On
//! articles written by others those hand-ordered cues pull against each other ("a cost of",
//! "seeking", budgets beside grants), so a logistic regression over the words around the amount
//! and the rules' own findings re-decides flow versus not-a-flow. Features are hashed words and
//! flags; the weights live in `data/flow_model.json`, rebuilt by
//! `cargo run -p aidtrace-intake --example corpus_cv -- --write-weights` (deterministic: full-batch
//! gradient descent in a fixed order, weights rounded, so a rerun writes the same bytes).

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::eval::LabelledArticle;
use crate::model::{AmountKind, Extraction, Fact, Sourced};

/// Hash buckets for the sparse features: large enough that the few thousand distinct words of
/// the corpus rarely collide, small enough to ship as a readable file.
pub const BUCKETS: usize = 2048;
/// Words on each side of the amount that count as its context.
const WINDOW: usize = 8;

/// The shipped weights (file `crates/intake/data/flow_model.json`).
pub const MODEL_FILE: &str = "crates/intake/data/flow_model.json";
const MODEL_JSON: &str = include_str!("../data/flow_model.json");

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("model file {file} is unusable: {reason}")]
pub struct ModelError {
    pub file: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowModel {
    pub buckets: usize,
    /// A candidate scoring at least this is a flow.
    pub threshold: f64,
    pub bias: f64,
    pub weights: Vec<f64>,
}

static SHIPPED: LazyLock<Result<FlowModel, ModelError>> =
    LazyLock::new(|| FlowModel::from_json(MODEL_JSON, MODEL_FILE));

/// The model shipped with the crate, or an error naming its file when it does not parse.
pub fn shipped_model() -> Result<&'static FlowModel, ModelError> {
    SHIPPED.as_ref().map_err(Clone::clone)
}

impl FlowModel {
    /// Parses and checks a weights file; `file` names it in the error.
    pub fn from_json(json: &str, file: &str) -> Result<Self, ModelError> {
        let bad = |reason: String| ModelError {
            file: file.to_string(),
            reason,
        };
        let m: FlowModel = serde_json::from_str(json).map_err(|e| bad(e.to_string()))?;
        if m.buckets != BUCKETS || m.weights.len() != BUCKETS {
            return Err(bad(format!(
                "expected {BUCKETS} weights, found buckets {} and {} weights",
                m.buckets,
                m.weights.len()
            )));
        }
        if !m.bias.is_finite()
            || !m.threshold.is_finite()
            || m.weights.iter().any(|w| !w.is_finite())
        {
            return Err(bad("a weight is not a finite number".to_string()));
        }
        Ok(m)
    }

    /// Probability that the candidate is an aid flow.
    pub fn score(&self, features: &[usize]) -> f64 {
        let z = self.bias
            + features
                .iter()
                .map(|&f| self.weights.get(f).copied().unwrap_or(0.0))
                .sum::<f64>();
        sigmoid(z)
    }

    /// Re-decides every amount of the extraction: a rule flow the model rejects becomes not-aid,
    /// a rule non-flow the model accepts becomes a commitment (the rules' default kind). Each
    /// amount keeps the model's score so a reviewer sees how sure it was.
    pub fn apply(&self, text: &str, extraction: &mut Extraction) {
        let context = Context::new(text, &extraction.facts);
        for fact in &mut extraction.facts {
            let Some(amount) = &fact.amount else {
                continue;
            };
            let features = features_of(text, fact, &context);
            let p = self.score(&features);
            fact.flow_score = Some((p * 1000.0).round() / 1000.0);
            let is_flow = fact.amount_kind.value.is_flow();
            if is_flow && p < self.threshold {
                fact.amount_kind = Sourced {
                    value: AmountKind::NotAid,
                    span: amount.span,
                    quote: amount.quote.clone(),
                };
            } else if !is_flow && p >= self.threshold {
                fact.amount_kind = Sourced {
                    value: AmountKind::Commitment,
                    span: amount.span,
                    quote: amount.quote.clone(),
                };
            }
        }
    }
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z.clamp(-40.0, 40.0)).exp())
}

/// FNV-1a: stable across builds and platforms (the std hasher is randomised).
pub(crate) fn bucket(feature: &str) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in feature.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (h % BUCKETS as u64) as usize
}

pub(crate) fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            if w.chars().all(|c| c.is_ascii_digit()) {
                "#".to_string()
            } else {
                w.to_lowercase()
            }
        })
        .collect()
}

/// The sentence around `[start, end)`: back to the previous sentence end or line break, forward
/// to the next one.
pub(crate) fn sentence_bounds(text: &str, start: usize, end: usize) -> (usize, usize) {
    let is_end = |c: char| matches!(c, '\n' | '!' | '?' | ';');
    let before = text.get(..start).unwrap_or_default();
    let s = before
        .char_indices()
        .rev()
        .find(|&(i, c)| is_end(c) || (c == '.' && before[i + 1..].starts_with(' ')))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let after = text.get(end..).unwrap_or_default();
    let e = after
        .char_indices()
        .find(|&(i, c)| is_end(c) || (c == '.' && after[i + 1..].starts_with([' ', '\n'])))
        .map_or(text.len(), |(i, _)| end + i);
    (s, e)
}

/// What the features of one amount need from the whole article, computed once per article so a
/// long document stays linear: the amounts of each currency, sorted, and where the headline ends.
pub struct Context {
    by_currency: std::collections::HashMap<String, Vec<rust_decimal::Decimal>>,
    headline_end: usize,
    /// The article asks for money ("appeal", "is seeking"): its amounts are needs, not gifts.
    appeal: bool,
    /// No fact of the article has a donor: a budget or purchase story, not an aid one.
    no_donor: bool,
    /// Where each amount starts, sorted, to count the amounts of a sentence.
    amount_starts: Vec<usize>,
}

/// Words anywhere in the amount's sentence that tell what kind of money it is, beyond the
/// eight-word window: project totals, co-financing by others, the recipient's own share,
/// appeals, budgets and purchases. Each is a feature; the model learns its weight.
const SENTENCE_CUES: &[&str] = &[
    "total cost",
    "project cost",
    "total project",
    "bringing the total",
    "co-financ",
    "cofinanc",
    "also financed",
    "also funded",
    "equity",
    "commercial bank",
    "private sector",
    "counterpart",
    "own resources",
    "will cover",
    "contribute",
    "seeking",
    "appeal",
    "is needed",
    "are needed",
    "needs",
    "budget",
    "allocated",
    "purchased",
    "procured",
    "tender",
    "investment",
    "invest",
    "revenue",
    "worth",
    "estimated",
    "loss",
    "damage",
    "in total",
    "of which",
    "including",
    "each",
    "per ",
];

/// The recipient's own government as the sentence's subject: "The Government of Tajikistan will
/// cover", "Bangladesh will provide", "the ministry allocated".
const OWN_GOVERNMENT: &[&str] = &[
    "government",
    "ministry",
    "minister",
    "local budget",
    "regional budget",
    "state budget",
    "akimat",
    "municipal",
    "authorities",
];

static COUNTRY_NAMES_BY_ISO: LazyLock<std::collections::HashMap<&'static str, Vec<String>>> =
    LazyLock::new(|| {
        let mut m: std::collections::HashMap<&'static str, Vec<String>> =
            std::collections::HashMap::new();
        for (iso, name) in crate::gazetteer::COUNTRY_NAMES.iter() {
            m.entry(*iso).or_default().push(name.to_lowercase());
        }
        m
    });

impl Context {
    pub fn new(text: &str, facts: &[Fact]) -> Self {
        let mut by_currency: std::collections::HashMap<String, Vec<rust_decimal::Decimal>> =
            std::collections::HashMap::new();
        for a in facts.iter().filter_map(|f| f.amount.as_ref()) {
            by_currency
                .entry(a.value.currency.clone())
                .or_default()
                .push(a.value.amount);
        }
        by_currency.values_mut().for_each(|v| v.sort_unstable());
        let lower = text.to_lowercase();
        let mut amount_starts: Vec<usize> = facts
            .iter()
            .filter_map(|f| f.amount.as_ref().map(|a| a.span.start))
            .collect();
        amount_starts.sort_unstable();
        Self {
            by_currency,
            headline_end: text.find('\n').unwrap_or(text.len()),
            appeal: [
                "appeal",
                "is seeking",
                "are seeking",
                "funding gap",
                "calls for",
            ]
            .iter()
            .any(|c| lower.contains(c)),
            no_donor: facts.iter().all(|f| f.donor.is_none()),
            amount_starts,
        }
    }
}

/// Hashed features of one candidate amount: the rules' findings and the words around it.
pub fn features_of(text: &str, fact: &Fact, context: &Context) -> Vec<usize> {
    let Some(amount) = &fact.amount else {
        return Vec::new();
    };
    let (start, end) = (amount.span.start, amount.span.end);
    let mut f: Vec<String> = Vec::new();
    let kind: &'static str = fact.amount_kind.value.into();
    f.push(format!("kind={kind}"));
    // The cue word that decided the rules' kind ("budget", "since", "handed over").
    if fact.amount_kind.span != amount.span {
        f.push(format!("cue:{}", fact.amount_kind.quote.to_lowercase()));
        f.push(format!(
            "cue:{kind}:{}",
            fact.amount_kind.quote.to_lowercase()
        ));
    }
    if let Some(i) = &fact.instrument {
        f.push(format!("instrument:{:?}", i.value));
    }
    f.push(format!("sector:{:?}", fact.sector));
    let digits = amount.value.amount.trunc().to_string().len();
    f.push(format!("digits:{}", digits.min(14)));
    for (name, on) in [
        ("donor", fact.donor.is_some()),
        ("recipient", fact.recipient_country.is_some()),
        ("items", !fact.items.is_empty()),
        ("facility", !fact.facilities.is_empty()),
        ("total", fact.is_total),
        ("equivalent", fact.stated_equivalent.is_some()),
        ("repeated", !fact.repeated_at.is_empty()),
        ("signed", fact.date_signed.is_some()),
        ("channel", fact.channel.is_some()),
        ("qualifier", fact.amount_qualifier.is_some()),
        ("usd", amount.value.currency == "USD"),
        // Most ISO 4217 codes start with the issuing country's code: an amount in the
        // recipient's own money is often its budget or a stated equivalent, in the donor's money
        // the grant itself.
        (
            "local_currency",
            fact.recipient_country
                .as_ref()
                .is_some_and(|r| amount.value.currency.starts_with(r.value.as_str())),
        ),
        (
            "donor_currency",
            fact.donor
                .as_ref()
                .and_then(|d| crate::extract::donor_country_in(&d.value))
                .is_some_and(|iso| amount.value.currency.starts_with(iso)),
        ),
        ("headline", start < context.headline_end),
    ] {
        if on {
            f.push(format!("has:{name}"));
        }
    }
    let empty = Vec::new();
    let same = context
        .by_currency
        .get(&amount.value.currency)
        .unwrap_or(&empty);
    let same_currency = same.len().saturating_sub(1);
    f.push(format!("others:{}", same_currency.min(3)));
    let larger = same.len() - same.partition_point(|a| *a <= amount.value.amount);
    f.push(format!("larger:{}", larger.min(3)));
    let (s, e) = sentence_bounds(text, start, end);
    let left = words(text.get(s..start).unwrap_or_default());
    let right = words(text.get(end..e).unwrap_or_default());
    for (i, w) in left.iter().rev().take(WINDOW).enumerate() {
        f.push(format!("l:{w}"));
        if i < 3 {
            f.push(format!("l3:{w}"));
        }
    }
    for (i, w) in right.iter().take(WINDOW).enumerate() {
        f.push(format!("r:{w}"));
        if i < 3 {
            f.push(format!("r3:{w}"));
        }
    }
    for pair in left.windows(2).rev().take(WINDOW) {
        f.push(format!("lb:{} {}", pair[0], pair[1]));
    }
    for pair in right.windows(2).take(WINDOW) {
        f.push(format!("rb:{} {}", pair[0], pair[1]));
    }
    for w in left.iter().chain(right.iter()) {
        f.push(format!("s:{w}"));
    }
    sentence_features(text, fact, context, (s, start, end, e), &mut f);
    let mut out: Vec<usize> = f.iter().map(|s| bucket(s)).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Features of the amount's sentence and article: cue phrases anywhere in the sentence, who
/// the subject before the amount is (the donor, or the recipient's own government), how many
/// amounts share the sentence, and article-wide appeal and donor-less flags.
fn sentence_features(
    text: &str,
    fact: &Fact,
    context: &Context,
    (s, start, end, e): (usize, usize, usize, usize),
    f: &mut Vec<String>,
) {
    let sentence = text.get(s..e).unwrap_or_default().to_lowercase();
    let before = text.get(s..start).unwrap_or_default().to_lowercase();
    for cue in SENTENCE_CUES {
        if sentence.contains(cue) {
            f.push(format!("sc:{cue}"));
        }
    }
    let donor_here = fact
        .donor
        .as_ref()
        .is_some_and(|d| d.span.start >= s && d.span.end <= e);
    let donor_before = fact
        .donor
        .as_ref()
        .is_some_and(|d| d.span.start >= s && d.span.end <= start);
    if donor_here {
        f.push("has:donor_in_sentence".to_string());
    }
    if donor_before {
        f.push("has:donor_before".to_string());
    }
    let recipient_before = fact.recipient_country.as_ref().is_some_and(|r| {
        COUNTRY_NAMES_BY_ISO
            .get(r.value.as_str())
            .is_some_and(|names| names.iter().any(|n| before.contains(n.as_str())))
    });
    let government_before = OWN_GOVERNMENT.iter().any(|g| before.contains(g));
    if recipient_before && !donor_before {
        f.push("has:recipient_subject".to_string());
    }
    if government_before && !donor_before {
        f.push("has:government_subject".to_string());
    }
    if recipient_before && government_before && !donor_before {
        f.push("has:recipient_government_subject".to_string());
    }
    let starts = &context.amount_starts;
    let in_sentence = starts.partition_point(|&a| a < e) - starts.partition_point(|&a| a < s);
    f.push(format!("amounts_in_sentence:{}", in_sentence.min(4)));
    if end < e
        && text
            .get(end..e)
            .is_some_and(|r| r.trim_start().starts_with('('))
    {
        f.push("has:bracket_after".to_string());
    }
    if context.appeal {
        f.push("has:article_appeal".to_string());
    }
    if context.no_donor {
        f.push("has:article_no_donor".to_string());
    }
}

/// One training example: the candidate's features and whether the labels say yes (a flow for the
/// flow model, the recipient for the recipient model).
pub struct Example {
    pub features: Vec<usize>,
    pub positive: bool,
}

/// Candidates of one labelled article, labelled by the gold facts: an amount matching (same
/// currency, within 1 %) a gold flow is positive; one matching a not-aid or cumulative fact, or
/// nothing, is negative.
pub fn examples_of(article: &LabelledArticle, extraction: &Extraction) -> Vec<Example> {
    let text = &article.text;
    let context = Context::new(text, &extraction.facts);
    extraction
        .facts
        .iter()
        .filter_map(|fact| {
            let amount = fact.amount.as_ref()?;
            let matched = article.facts.iter().find(|g| {
                g.amount.is_some_and(|ga| {
                    let tolerance = ga.abs() / rust_decimal::Decimal::from(100);
                    (ga - amount.value.amount).abs() <= tolerance
                }) && g
                    .currency
                    .as_deref()
                    .is_some_and(|c| c.eq_ignore_ascii_case(&amount.value.currency))
            });
            Some(Example {
                features: features_of(text, fact, &context),
                positive: matched.is_some_and(|g| g.amount_kind.is_flow()),
            })
        })
        .collect()
}

/// Logistic regression by full-batch gradient descent with L2: deterministic (fixed order, no
/// random start), and a few hundred passes over a few thousand examples take well under a second.
pub fn train(examples: &[Example]) -> FlowModel {
    const EPOCHS: usize = 400;
    const RATE: f64 = 0.5;
    const L2: f64 = 0.002;
    let mut w = vec![0.0_f64; BUCKETS];
    let mut bias = 0.0_f64;
    let n = examples.len().max(1) as f64;
    let mut grad = vec![0.0_f64; BUCKETS];
    for _ in 0..EPOCHS {
        grad.iter_mut().for_each(|g| *g = 0.0);
        let mut gbias = 0.0;
        for ex in examples {
            let z = bias + ex.features.iter().map(|&f| w[f]).sum::<f64>();
            let err = sigmoid(z) - if ex.positive { 1.0 } else { 0.0 };
            gbias += err;
            for &f in &ex.features {
                grad[f] += err;
            }
        }
        bias -= RATE * gbias / n;
        for (wi, gi) in w.iter_mut().zip(&grad) {
            *wi -= RATE * (gi / n + L2 * *wi);
        }
    }
    let round = |x: f64| (x * 1e6).round() / 1e6;
    FlowModel {
        buckets: BUCKETS,
        threshold: 0.5,
        bias: round(bias),
        weights: w.into_iter().map(round).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_model_parses() {
        let m = shipped_model().expect("shipped weights parse");
        assert_eq!(m.weights.len(), BUCKETS);
    }

    #[test]
    fn a_corrupt_model_file_is_named_in_the_error() {
        let e = FlowModel::from_json("{\"buckets\": 3", "weights.json").unwrap_err();
        assert_eq!(e.file, "weights.json");
        let e = FlowModel::from_json(
            "{\"buckets\":2048,\"threshold\":0.5,\"bias\":0,\"weights\":[1.0]}",
            "short.json",
        )
        .unwrap_err();
        assert!(e.to_string().contains("short.json"), "{e}");
    }

    #[test]
    fn hashing_is_stable() {
        assert_eq!(bucket("l:grant"), bucket("l:grant"));
        assert!(bucket("l:grant") < BUCKETS);
    }

    #[test]
    fn sentence_bounds_stop_at_line_breaks_and_full_stops() {
        let text = "First one. Japan gave $5 million here. Next";
        let start = text.find('$').unwrap();
        let (s, e) = sentence_bounds(text, start, start + 10);
        assert_eq!(&text[s..e], " Japan gave $5 million here");
    }
}
