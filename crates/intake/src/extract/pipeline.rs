//! The run over one article: sentences, entities and roles, then amounts paired with their
//! stated equivalents and merged across repeats, the window of sentences each amount speaks
//! for, and the totals among the facts. Apart as the driver the other stages plug into.

use std::sync::LazyLock;

use regex::Regex;
use rust_decimal::Decimal;

use super::roles::donor_of;
use super::sentences::{ceil_boundary, floor_boundary, split_sentences};
use super::{
    Candidate, Candidates, CountryMention, DonorMention, Entity, ExtractOptions, Extractor,
};
use crate::lexicon::DONORS;
use crate::model::{Extraction, Fact, Sourced, Span};
use crate::money::{CurrencyContext, MoneyMention, find_money};

static CONTINUATION_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"(?i)\b(?:(?:the|this|these|that|such) (?:grant|grants|funds?|funding|aid|assistance|project|money|donation|loan|support|equipment|consignment|package|shipment|items?|goods|supplies|contribution|financing|amount|programme|program)|it will|they will|will be used|will (?:also )?(?:install|buy|purchase|procure|equip|supply|pay for|finance|fund|cover)|(?:will be |be |is |are )?equipped with|are to be used|is to be used|will go|include|includes|including|consists? of|comprises?|covers?)\b",
    )
});

static NEW_TOPIC_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"(?i)^\W*(additionally|in addition|separately|meanwhile|previously|earlier|also|at the same time|besides|furthermore|moreover|currently|in another|on another)\b",
    )
});

pub(super) static BACKREF_START_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"(?i)^\W*(?:the|this|these|its|their) (?:equipment|donation|consignment|items|goods|supplies|package|shipment|delivery|gift|batch|centre|center|facility|building|ward|wing|unit|clinic|laboratory)\b|^\W*(?:it|they|all) (?:is|are|was|were) (?:worth|valued)|\b(?:worth|valued at|a value of|total value)\b",
    )
});

/// "EUR 10 million hospital grant (about USD 10.9 million)": an equivalent in brackets after the
/// amount's noun restates it; it is not a second flow.
static NOUN_THEN_BRACKET_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"(?i)^\s*(?:[a-z][a-z-]*\s+){1,3}\(\s*(?:or\s+|i\.e\.\s*|equivalent\s+to\s+|approximately|approx\.?|about|around|roughly|some|nearly|almost)?\s*$",
    )
});

static EQUIVALENT_SENTENCE_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"(?i)^\W*(?:the|this|that) (?:[a-z'-]+ ){0,2}?(?:loan|grant|amount|sum|funding|financing|contribution|assistance|aid|package|donation|credit|support|allocation)(?:\s*,[^;]{0,160}?)?\s*,?\s*(?:(?:is|was|are|were|and) )?(?:equivalent|equal) to\s+(?:about|around|approximately|roughly|some|nearly)?\s*$",
    )
});

static TOTAL_CUE_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"(?i)\b(a total of|in total|totall?ing|total of|altogether|overall|combined|the entire|whole package)\W*(?:\w+\W+){0,2}$",
    )
});

impl<'t> Extractor<'t> {
    pub(super) fn new(text: &'t str, opts: &'t ExtractOptions) -> Self {
        Self {
            text,
            opts,
            sentences: split_sentences(text),
            mentions: Vec::new(),
            article_donor: None,
            article_recipient: None,
            amount_spans: Vec::new(),
        }
    }

    fn sentence_of(&self, pos: usize) -> usize {
        self.sentences
            .partition_point(|s| s.end <= pos)
            .min(self.sentences.len().saturating_sub(1))
    }

    pub(super) fn sentence_text(&self, idx: usize) -> &'t str {
        self.sentences
            .get(idx)
            .map_or("", |s| &self.text[s.start..s.end])
    }

    pub(super) fn run(mut self) -> Candidates {
        let text = self.text;
        if self.sentences.is_empty() {
            return Candidates {
                extraction: Extraction {
                    title: None,
                    facts: Vec::new(),
                    text_bytes: text.len(),
                },
                countries: Vec::new(),
                donors: Vec::new(),
            };
        }
        self.find_entities();
        self.decide_roles();
        let donor_country = self
            .article_donor
            .and_then(|d| DONORS.get(d))
            .and_then(|d| d.country);
        let mentions = find_money(
            text,
            CurrencyContext {
                recipient: self.article_recipient,
                donor_country,
            },
        );
        let candidates = self.group_mentions(mentions);
        self.amount_spans = candidates.iter().map(Candidate::region).collect();
        let mut facts: Vec<Fact> = Vec::new();
        let primary_sentences: Vec<usize> = candidates.iter().map(|c| c.sentence).collect();
        for c in &candidates {
            facts.push(self.build_fact(c, &primary_sentences));
        }
        mark_totals(&mut facts, &candidates, text);
        // A single flow without a named facility takes the one named in the headline or lead
        // ("New maternity wing opens at Gulu Regional Referral Hospital").
        let flows = facts
            .iter()
            .filter(|f| f.amount_kind.value.is_flow())
            .count();
        if flows == 1
            && let Some(fact) = facts
                .iter_mut()
                .find(|f| f.amount_kind.value.is_flow() && f.facilities.is_empty())
        {
            for si in 0..self.sentences.len().min(2) {
                for f in self.facilities_in(si) {
                    if !fact.facilities.iter().any(|x| x.value == f.value) {
                        fact.facilities.push(f);
                    }
                }
            }
        }
        multi_country_totals(&mut facts);
        if !facts.iter().any(|f| f.amount_kind.value.is_flow()) {
            facts.extend(self.amountless_facts());
        }
        let countries = self
            .mentions
            .iter()
            .filter_map(|m| match m.entity {
                Entity::Country(iso) => Some(CountryMention {
                    iso,
                    span: m.span,
                    donor_cue: m.donor_cue,
                    recipient_cue: m.recipient_cue,
                    article_recipient: Some(iso) == self.article_recipient,
                }),
                Entity::Agency(_) => None,
            })
            .collect();
        let donors = self
            .mentions
            .iter()
            .filter_map(|m| {
                let donor = donor_of(m.entity)?;
                Some(DonorMention {
                    donor,
                    span: m.span,
                    donor_cue: m.donor_cue,
                    recipient_cue: m.recipient_cue,
                    agency: matches!(m.entity, Entity::Agency(_)),
                    article_donor: Some(donor) == self.article_donor,
                })
            })
            .collect();
        Candidates {
            extraction: Extraction {
                title: self.title(),
                facts,
                text_bytes: text.len(),
            },
            countries,
            donors,
        }
    }

    fn title(&self) -> Option<Sourced<String>> {
        let first = self.sentences.first()?;
        let line = &self.text[first.start..first.end];
        let trimmed = line.trim();
        let is_headline =
            line.ends_with('\n') && !trimmed.ends_with(['.', '!', '?']) && trimmed.len() <= 300;
        if !is_headline || trimmed.is_empty() {
            return None;
        }
        let start = first.start + (line.len() - line.trim_start().len());
        Some(Sourced::new(
            trimmed.to_string(),
            self.text,
            Span {
                start,
                end: start + trimmed.len(),
            },
        ))
    }

    /// Pairs each amount with a stated equivalent that follows it and merges repeated mentions of
    /// the same amount (headline and body) into one candidate.
    fn group_mentions(&self, mentions: Vec<MoneyMention>) -> Vec<Candidate> {
        let text = self.text;
        let mut out: Vec<Candidate> = Vec::new();
        let mut i = 0;
        while i < mentions.len() {
            let m = mentions[i].clone();
            let mut equivalent = None;
            if let Some(next) = mentions.get(i + 1)
                && next.currency != m.currency
                && next.span.start >= m.span.end
                && next.span.start - m.span.end <= 40
                && (is_equivalent_gap(&text[m.span.end..next.span.start])
                    || NOUN_THEN_BRACKET_RE.is_match(&text[m.span.end..next.span.start]))
            {
                equivalent = Some(next.clone());
                i += 1;
            }
            i += 1;
            let sentence = self.sentence_of(m.span.start);
            // "The loan is equivalent to about 13 billion CFA francs." restates the last amount,
            // also a sentence or two later and with an aside ("The Danish funding, equivalent to
            // about ₴375 million, will cover …"; "The financing, provided by BMZ through KfW and
            // equivalent to about ₴1.37 billion, …").
            let lead_start = self.sentences.get(sentence).map_or(0, |s| s.start);
            if let Some(last) = out.last_mut()
                && last.equivalent.is_none()
                && last.sentence < sentence
                && sentence <= last.sentence + 3
                && last.mention.currency != m.currency
                && EQUIVALENT_SENTENCE_RE.is_match(&text[lead_start..m.span.start])
            {
                last.equivalent = Some(m);
                continue;
            }
            let same = |a: &MoneyMention, b: &MoneyMention| {
                a.currency == b.currency && within(a.amount, b.amount, Decimal::new(5, 3))
            };
            // Two equal amounts in one sentence ("a $50 million grant and a $50 million
            // credit") are two flows; repeats come in other sentences (headline, summary).
            // "Japan gave $2 million … Korea also gave $2 million": equal amounts in sentences
            // naming different donors are two flows, not a repeat.
            let donors_differ = |a: usize, b: usize| {
                let (da, db) = (self.donors_in_sentence(a), self.donors_in_sentence(b));
                !da.is_empty() && !db.is_empty() && da.iter().all(|d| !db.contains(d))
            };
            if let Some(existing) = out.iter_mut().find(|c| {
                (same(&c.mention, &m)
                    && c.sentence != sentence
                    && !donors_differ(c.sentence, sentence))
                    || c.equivalent.as_ref().is_some_and(|e| same(e, &m))
                    || equivalent.as_ref().is_some_and(|e| same(e, &c.mention))
            }) {
                let restates_main = same(&existing.mention, &m);
                let gives_original = !restates_main
                    && equivalent
                        .as_ref()
                        .is_some_and(|e| same(e, &existing.mention));
                if gives_original || (restates_main && existing.sentence == 0 && sentence != 0) {
                    // A headline often gives only the rounded or converted figure; the body's
                    // original amount, with its cues, becomes the fact.
                    existing.repeated.push(existing.mention.span);
                    existing.mention = m;
                    existing.sentence = sentence;
                    if equivalent.is_some() {
                        existing.equivalent = equivalent;
                    }
                } else {
                    existing.repeated.push(m.span);
                    if existing.equivalent.is_none()
                        && equivalent
                            .as_ref()
                            .is_some_and(|e| e.currency != existing.mention.currency)
                    {
                        existing.equivalent = equivalent;
                    }
                }
                continue;
            }
            out.push(Candidate {
                mention: m,
                sentence,
                equivalent,
                repeated: Vec::new(),
            });
        }
        out
    }

    pub(super) fn window(&self, sentence: usize, primary_sentences: &[usize]) -> Vec<usize> {
        let mut w = Vec::new();
        // An amount sentence that points back ("The equipment is worth …") takes the previous one.
        if sentence > 0
            && !primary_sentences.contains(&(sentence - 1))
            && BACKREF_START_RE.is_match(self.sentence_text(sentence))
        {
            w.push(sentence - 1);
        }
        w.push(sentence);
        let mut next = sentence + 1;
        let mut skipped = 0;
        while next < self.sentences.len() && next <= sentence + 3 {
            let s = self.sentence_text(next);
            if primary_sentences.contains(&next) || NEW_TOPIC_RE.is_match(s) {
                break;
            }
            if CONTINUATION_RE.is_match(s) {
                w.push(next);
            } else {
                // One aside ("Notes were exchanged on Monday by …") may sit between the amount
                // and the sentence listing what it buys; two end the story of this amount.
                skipped += 1;
                if skipped > 1 {
                    break;
                }
            }
            next += 1;
        }
        w
    }
}

fn is_equivalent_gap(gap: &str) -> bool {
    static GAP_RE: LazyLock<Regex> = LazyLock::new(|| {
        crate::compile_regex(
            r"(?i)^\s*[,(\[–—-]?\s*(?:or|i\.e\.|equivalent to|equivalent of|the equivalent of|equal to|which is|worth|amounting to)?\s*(?:approximately|approx\.?|about|around|roughly|some|nearly|almost|over|more than|an estimated|est\.)?\s*$",
        )
    });
    GAP_RE.is_match(gap)
}

pub(super) fn within(a: Decimal, b: Decimal, tolerance: Decimal) -> bool {
    if b.is_zero() {
        return a.is_zero();
    }
    ((a - b) / b).abs() <= tolerance
}

/// A total is an amount that the other amounts of the same currency add up to, or one introduced
/// as "a total of" while smaller amounts exist.
fn mark_totals(facts: &mut [Fact], candidates: &[Candidate], text: &str) {
    let amounts: Vec<Option<(Decimal, String)>> = facts
        .iter()
        .map(|f| {
            f.amount
                .as_ref()
                .map(|a| (a.value.amount, a.value.currency.clone()))
        })
        .collect();
    for (i, fact) in facts.iter_mut().enumerate() {
        let Some((total, currency)) = &amounts[i] else {
            continue;
        };
        let parts: Vec<Decimal> = amounts
            .iter()
            .enumerate()
            .filter(|(j, a)| *j != i && a.as_ref().is_some_and(|(v, c)| c == currency && v < total))
            .filter_map(|(_, a)| a.as_ref().map(|(v, _)| *v))
            .collect();
        let cue = has_total_cue(text, candidates[i].mention.span.start)
            || has_parts_after(text, candidates[i].region().end);
        if parts.is_empty() || (parts.len() == 1 && !cue) {
            continue;
        }
        let sum: Decimal = parts.iter().copied().sum();
        if within(sum, *total, Decimal::new(1, 2)) || cue {
            fact.is_total = true;
        }
    }
}

/// A total whose parts go to different countries belongs to no single country.
fn multi_country_totals(facts: &mut [Fact]) {
    let recipients: Vec<(bool, Option<String>, Option<String>)> = facts
        .iter()
        .map(|f| {
            (
                f.is_total,
                f.recipient_country.as_ref().map(|r| r.value.clone()),
                f.amount.as_ref().map(|a| a.value.currency.clone()),
            )
        })
        .collect();
    for (i, fact) in facts.iter_mut().enumerate() {
        if !fact.is_total {
            continue;
        }
        let currency = &recipients[i].2;
        let mut parts: Vec<&String> = recipients
            .iter()
            .enumerate()
            .filter(|(j, r)| *j != i && !r.0 && &r.2 == currency)
            .filter_map(|(_, r)| r.1.as_ref())
            .collect();
        parts.sort();
        parts.dedup();
        if parts.len() >= 2 {
            fact.recipient_country = None;
        }
    }
}

/// "US$ 1 billion, of which US$ 200 million …", "CHF 5 million, including CHF 1.5 million".
fn has_parts_after(text: &str, end: usize) -> bool {
    static PARTS_RE: LazyLock<Regex> = LazyLock::new(|| {
        crate::compile_regex(
            r"(?i)^[^.;]{0,80}?,?\s*(?:of which|out of which|of this|including|includes)\b",
        )
    });
    let to = ceil_boundary(text, end + 90);
    PARTS_RE.is_match(&text[end..to])
}

fn has_total_cue(text: &str, pos: usize) -> bool {
    let from = floor_boundary(text, pos.saturating_sub(40));
    TOTAL_CUE_RE.is_match(&text[from..pos])
}
