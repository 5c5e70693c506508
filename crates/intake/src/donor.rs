//! Learned decision on top of the rules: who pays for an amount.
//!
//! The rules give an amount the nearest donor of its sentence, else the article's donor, and
//! demote UN agencies to channels by a fixed order. Articles by other writers name several
//! donors and channels in one sentence ("Norway's NOK 60 million through the ICRC and NOK 40
//! million through WHO", "co-financed by the OPEC Fund and the Saudi Fund"), where a fixed order
//! picks the channel or the wrong co-financier. So every dictionary donor named in the article
//! is scored as the payer of each amount by a logistic regression over how it is named (its
//! kind, cues, distance and the words between it and the amount, "through"/"via"/"by" before
//! it, the rules' own pick); the best one wins. A donor the dictionaries lack ("funded by the X
//! Foundation") is kept as a candidate in the rules' own words.
//!
//! Weights: `data/donor_model.json`, the same format and training as the flow model
//! (`decide.rs`), rebuilt by `cargo run -p aidtrace-intake --example corpus_cv -- --write-weights`.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use crate::decide::{Example, FlowModel, ModelError, bucket, sentence_bounds, words};
use crate::eval::{LabelledArticle, canonical_donor};
use crate::extract::DonorMention;
use crate::lexicon::{DONORS, DonorKind};
use crate::model::{Extraction, Fact, Sourced, Span};
use crate::recipient::{distance, distance_bucket, near, starting_in};

/// The shipped weights (file `crates/intake/data/donor_model.json`).
pub const MODEL_FILE: &str = "crates/intake/data/donor_model.json";
const MODEL_JSON: &str = include_str!("../data/donor_model.json");

static SHIPPED: LazyLock<Result<FlowModel, ModelError>> =
    LazyLock::new(|| FlowModel::from_json(MODEL_JSON, MODEL_FILE));

/// The donor model shipped with the crate, or an error naming its file.
pub fn shipped_model() -> Result<&'static FlowModel, ModelError> {
    SHIPPED.as_ref().map_err(Clone::clone)
}

/// One donor's mentions in text order; `donor` is `None` for the rules' own pick of a donor the
/// dictionaries lack.
struct Candidate<'a> {
    donor: Option<usize>,
    name: String,
    mentions: Vec<&'a DonorMention>,
}

fn candidates<'a>(donors: &'a [DonorMention]) -> Vec<Candidate<'a>> {
    let mut by_donor: BTreeMap<usize, Vec<&DonorMention>> = BTreeMap::new();
    for m in donors {
        by_donor.entry(m.donor).or_default().push(m);
    }
    by_donor
        .into_iter()
        .filter_map(|(d, mentions)| {
            Some(Candidate {
                donor: Some(d),
                name: DONORS.get(d)?.canonical.to_string(),
                mentions,
            })
        })
        .collect()
}

fn kind_name(c: &Candidate<'_>) -> &'static str {
    match c.donor.and_then(|d| DONORS.get(d)).map(|d| d.kind) {
        Some(DonorKind::Bilateral) => "bilateral",
        Some(DonorKind::Multilateral) => "multilateral",
        Some(DonorKind::Channel) => "channel",
        None => "unknown",
    }
}

/// Features of "`c` pays for the amount of `fact`".
fn features(
    text: &str,
    amounts: &[Span],
    fact: &Fact,
    amount: Span,
    c: &Candidate<'_>,
) -> Vec<usize> {
    let mut f: Vec<String> = Vec::new();
    let (s, e) = sentence_bounds(text, amount.start, amount.end);
    let rules_pick = fact.donor.as_ref().is_some_and(|d| d.value == c.name);
    let kind = kind_name(c);
    f.push(format!("kind:{kind}"));
    f.push(format!("rules:{rules_pick}"));
    f.push(format!("rules:{rules_pick}:{kind}"));
    let recipient_is_its_country = c
        .donor
        .and_then(|d| DONORS.get(d))
        .and_then(|d| d.country)
        .is_some_and(|iso| {
            fact.recipient_country
                .as_ref()
                .is_some_and(|r| r.value == iso)
        });
    if recipient_is_its_country {
        f.push("has:recipient_country".to_string());
    }
    let nearest = c
        .mentions
        .iter()
        .min_by_key(|m| (distance(m.span, amount), m.span.start));
    let Some(nearest) = nearest else {
        // The rules' own organisation: only its kind and the pick itself are known.
        f.push("has:no_mention".to_string());
        return finish(&f);
    };
    let in_sentence = nearest.span.start >= s && nearest.span.end <= e;
    let after = nearest.span.start >= amount.end;
    let nearer_other = starting_in(amounts, |a| a.start, s, e).iter().any(|o| {
        *o != amount
            && o.start >= s
            && o.end <= e
            && distance(nearest.span, *o) < distance(nearest.span, amount)
    });
    for (name, on) in [
        ("article", nearest.article_donor),
        ("sentence", in_sentence),
        ("after", after),
        ("nearer_other", nearer_other),
        ("agency", nearest.agency),
        ("cue_d", nearest.donor_cue),
        ("cue_r", nearest.recipient_cue),
        ("any_cue_d", c.mentions.iter().any(|m| m.donor_cue)),
    ] {
        if on {
            f.push(format!("has:{name}"));
            f.push(format!("has:{name}:{kind}"));
        }
    }
    f.push(format!("mentions:{}", c.mentions.len().min(4)));
    f.push(format!(
        "dist:{in_sentence}:{}",
        distance_bucket(distance(nearest.span, amount))
    ));
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
        f.push(format!("cb{i}:{kind}:{w}"));
    }
    for (i, w) in after_words.iter().take(2).enumerate() {
        f.push(format!("ca{i}:{w}"));
    }
    if in_sentence {
        let (from, to) = if after {
            (amount.end, nearest.span.start)
        } else {
            (nearest.span.end, amount.start)
        };
        let between = words(text.get(from..to).unwrap_or_default());
        if between.len() <= 10 {
            for w in &between {
                f.push(format!("btw:{after}:{w}"));
            }
        } else {
            f.push(format!("btw_far:{after}"));
        }
    }
    finish(&f)
}

fn finish(f: &[String]) -> Vec<usize> {
    let mut out: Vec<usize> = f.iter().map(|s| bucket(s)).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The candidates of one fact: every dictionary donor named in the article, plus the rules'
/// pick when the dictionaries lack it.
fn fact_candidates<'a>(all: &[Candidate<'a>], fact: &Fact) -> Vec<Candidate<'a>> {
    let mut out: Vec<Candidate<'a>> = all
        .iter()
        .map(|c| Candidate {
            donor: c.donor,
            name: c.name.clone(),
            mentions: c.mentions.clone(),
        })
        .collect();
    if let Some(d) = &fact.donor
        && !out.iter().any(|c| c.name == d.value)
    {
        out.push(Candidate {
            donor: None,
            name: d.value.clone(),
            mentions: Vec::new(),
        });
    }
    out
}

/// The amounts of the article in text order, for finding those of one sentence by binary search.
fn sorted_amounts(extraction: &Extraction) -> Vec<Span> {
    let mut amounts: Vec<Span> = extraction
        .facts
        .iter()
        .filter_map(|f| f.amount.as_ref().map(|a| a.span))
        .collect();
    amounts.sort_unstable_by_key(|a| (a.start, a.end));
    amounts
}

/// Re-decides the donor of every amount: the best-scoring candidate wins. A changed donor takes
/// the span of its mention nearest the amount, and the agency name when it was named by one.
pub fn apply(model: &FlowModel, text: &str, extraction: &mut Extraction, donors: &[DonorMention]) {
    if donors.is_empty() {
        return;
    }
    let amounts = sorted_amounts(extraction);
    for fact in &mut extraction.facts {
        let Some(amount) = fact.amount.as_ref().map(|a| a.span) else {
            continue;
        };
        let all = candidates(near(donors, |m| m.span.start, amount));
        let cands = fact_candidates(&all, fact);
        let best = cands
            .iter()
            .map(|c| (model.score(&features(text, &amounts, fact, amount, c)), c))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let Some((p, c)) = best else { continue };
        fact.donor_score = Some((p * 1000.0).round() / 1000.0);
        if fact.donor.as_ref().is_some_and(|d| d.value == c.name) {
            continue;
        }
        let Some(m) = c
            .mentions
            .iter()
            .min_by_key(|m| (distance(m.span, amount), m.span.start))
        else {
            continue;
        };
        fact.donor = Some(Sourced {
            value: c.name.clone(),
            span: m.span,
            quote: text
                .get(m.span.start..m.span.end)
                .unwrap_or_default()
                .to_string(),
        });
        fact.donor_agency = m
            .agency
            .then(|| Sourced::new(text[m.span.start..m.span.end].to_string(), text, m.span))
            .filter(|a| a.value != c.name);
    }
}

/// Training examples of one labelled article: for every amount matching a gold flow, each
/// candidate donor, positive when it is the gold donor after aliasing.
pub fn examples_of(
    article: &LabelledArticle,
    extraction: &Extraction,
    donors: &[DonorMention],
) -> Vec<Example> {
    let text = &article.text;
    let amounts = sorted_amounts(extraction);
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
        let Some(gold_donor) = gold.and_then(|g| g.donor.as_deref()) else {
            continue;
        };
        let gold_donor = canonical_donor(gold_donor);
        let all = candidates(near(donors, |m| m.span.start, amount.span));
        for c in fact_candidates(&all, fact) {
            out.push(Example {
                features: features(text, &amounts, fact, amount.span, &c),
                positive: canonical_donor(&c.name) == gold_donor,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_donor_model_parses() {
        assert!(shipped_model().is_ok());
    }
}
