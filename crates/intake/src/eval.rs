//! Scores the extractor against labelled articles, following `shared/intake/FORMAT.md`.
//!
//! Predictions are every fact the extractor does not mark not-aid, as FORMAT.md says: a fact it
//! marks cumulative is a prediction too (an unmatched one is a false positive), so calling an
//! amount cumulative cannot hide an error. A cumulative prediction that matches a cumulative gold
//! fact is neutral; a flow prediction matching one is a cumulative leak.
//!
//! Name similarity ("token-set similarity"): names are lower-cased, split into word tokens,
//! stop words dropped and plurals reduced; equipment names are first mapped to the dictionary's
//! canonical name (so "ECG" = "electrocardiograph"). Similarity is |A∩B| / min(|A|,|B|) when both
//! names have at least two tokens (one name containing the other scores 1), else the Dice
//! coefficient 2|A∩B| / (|A|+|B|).

use std::collections::{BTreeSet, HashMap};
use std::io::BufRead;
use std::str::FromStr;
use std::sync::LazyLock;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};

use crate::extract::IntakeError;
use crate::lexicon::{DONORS, DonorKind, ITEMS};
use crate::model::{AmountKind, Extraction, Fact, Instrument, Qualifier, Sector};

#[derive(Debug, Clone, Deserialize)]
pub struct LabelledArticle {
    pub id: String,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default, deserialize_with = "lenient_date")]
    pub published: Option<NaiveDate>,
    pub text: String,
    #[serde(default)]
    pub facts: Vec<GoldFact>,
    #[serde(default)]
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GoldMoney {
    #[serde(deserialize_with = "de_decimal")]
    pub amount: Decimal,
    pub currency: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GoldItem {
    pub name: String,
    #[serde(default)]
    pub quantity: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GoldFact {
    #[serde(default)]
    pub donor: Option<String>,
    #[serde(default)]
    pub donor_agency: Option<String>,
    #[serde(default)]
    pub recipient_country: Option<String>,
    #[serde(default)]
    pub recipient_org: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default, deserialize_with = "de_decimal_opt")]
    pub amount: Option<Decimal>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub stated_equivalent: Option<GoldMoney>,
    pub amount_kind: AmountKind,
    #[serde(default, deserialize_with = "lenient_instrument")]
    pub instrument: Option<Instrument>,
    #[serde(default)]
    pub program: Option<String>,
    #[serde(default)]
    pub items: Vec<GoldItem>,
    #[serde(default)]
    pub facilities: Vec<String>,
    #[serde(default, deserialize_with = "lenient_date")]
    pub date_signed: Option<NaiveDate>,
    #[serde(default = "unspecified", deserialize_with = "lenient_sector")]
    pub sector: Sector,
    #[serde(default)]
    pub is_total: bool,
    #[serde(default, deserialize_with = "lenient_qualifier")]
    pub amount_qualifier: Option<Qualifier>,
    #[serde(default)]
    pub optional: bool,
}

fn unspecified() -> Sector {
    Sector::Unspecified
}

// Labels from elsewhere may carry a partial date ("2024-05") or a value outside the enums; such a
// field is read as unknown instead of rejecting the whole file. `amount_kind` stays strict: the
// scoring depends on it.

fn lenient_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    Ok(v.as_str()
        .and_then(|s| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()))
}

fn lenient_enum<'de, D: Deserializer<'de>, T: serde::de::DeserializeOwned>(
    d: D,
) -> Result<Option<T>, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    Ok(serde_json::from_value(v).ok())
}

fn lenient_instrument<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Instrument>, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    Ok(match v {
        serde_json::Value::Null => None,
        other => Some(serde_json::from_value(other).unwrap_or(Instrument::Other)),
    })
}

fn lenient_qualifier<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Qualifier>, D::Error> {
    lenient_enum(d)
}

fn lenient_sector<'de, D: Deserializer<'de>>(d: D) -> Result<Sector, D::Error> {
    Ok(lenient_enum(d)?.unwrap_or(Sector::Unspecified))
}

/// JSON numbers are read through their decimal text so "108.7" stays exactly 108.7.
fn decimal_from_json(v: &serde_json::Value) -> Result<Option<Decimal>, String> {
    match v {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::Number(n) => {
            let s = n.to_string();
            Decimal::from_str(&s)
                .or_else(|_| Decimal::from_scientific(&s))
                .map(Some)
                .map_err(|e| format!("amount {s}: {e}"))
        }
        serde_json::Value::String(s) => Decimal::from_str(s.trim())
            .map(Some)
            .map_err(|e| format!("amount {s:?}: {e}")),
        other => Err(format!("amount must be a number, got {other}")),
    }
}

fn de_decimal_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    decimal_from_json(&v).map_err(serde::de::Error::custom)
}

fn de_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    decimal_from_json(&v)
        .map_err(serde::de::Error::custom)?
        .ok_or_else(|| serde::de::Error::custom("amount is null"))
}

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("line {line}: {message}")]
    Parse { line: usize, message: String },
    #[error("reading labels: {0}")]
    Io(#[from] std::io::Error),
}

/// Reads one labelled article per line; blank lines are skipped.
pub fn load_jsonl(reader: impl BufRead) -> Result<Vec<LabelledArticle>, EvalError> {
    let mut out = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let article: LabelledArticle =
            serde_json::from_str(&line).map_err(|e| EvalError::Parse {
                line: i + 1,
                message: e.to_string(),
            })?;
        out.push(article);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Aliases and similarity.

static COUNTRY_LOWER: LazyLock<HashMap<String, &'static str>> = LazyLock::new(|| {
    crate::gazetteer::COUNTRY_NAMES
        .iter()
        .map(|(iso, n)| (n.to_lowercase(), *iso))
        .collect()
});

static AGENCY_LOWER: LazyLock<HashMap<String, &'static str>> = LazyLock::new(|| {
    DONORS
        .iter()
        .flat_map(|d| {
            d.agencies
                .iter()
                .map(move |a| (a.to_lowercase(), d.canonical))
                .chain(std::iter::once((d.canonical.to_lowercase(), d.canonical)))
        })
        .collect()
});

/// The donor's canonical name: "Government of Japan", "Embassy of Japan", "JICA", "Japanese
/// government" all give "japan"; unknown names are compared as written (lower case).
pub fn canonical_donor(name: &str) -> String {
    let mut s = name.trim().to_lowercase().replace('’', "'");
    for prefix in [
        "the ",
        "government of the ",
        "government of ",
        "embassy of the ",
        "embassy of ",
        "people of the ",
        "people of ",
    ] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.to_string();
        }
    }
    for suffix in [
        "'s government",
        " government",
        " embassy",
        " side",
        " people",
        "'s",
    ] {
        if let Some(rest) = s.strip_suffix(suffix) {
            s = rest.trim().to_string();
        }
    }
    if let Some(c) = AGENCY_LOWER.get(&s) {
        return c.to_lowercase();
    }
    if let Some(iso) = COUNTRY_LOWER.get(&s) {
        if let Some(d) = DONORS
            .iter()
            .find(|d| d.kind == DonorKind::Bilateral && d.country == Some(*iso))
        {
            return d.canonical.to_lowercase();
        }
        return (*iso).to_lowercase();
    }
    // Free-form names ("Japan International Cooperation Agency (JICA)") through the dictionaries.
    if let Some(c) = crate::extract::donor_named_in(name) {
        return c.to_lowercase();
    }
    s
}

static ITEM_CANONICAL: LazyLock<HashMap<String, &'static str>> = LazyLock::new(|| {
    ITEMS
        .iter()
        .flat_map(|(c, forms)| {
            forms
                .iter()
                .map(move |f| (normalise_phrase(f), *c))
                .chain(std::iter::once((normalise_phrase(c), *c)))
        })
        .collect()
});

const STOP: &[&str] = &[
    "the", "of", "in", "a", "an", "and", "for", "at", "to", "on", "with",
];

fn singular_token(t: &str) -> String {
    if t.len() > 4 && t.ends_with("ies") {
        format!("{}y", &t[..t.len() - 3])
    } else if t.len() > 3 && t.ends_with('s') && !t.ends_with("ss") && !t.ends_with("us") {
        t[..t.len() - 1].to_string()
    } else {
        t.to_string()
    }
}

fn normalise_phrase(s: &str) -> String {
    tokens_raw(s).join(" ")
}

fn tokens_raw(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty() && !STOP.contains(t))
        .map(singular_token)
        .collect()
}

fn item_tokens(name: &str) -> BTreeSet<String> {
    let norm = normalise_phrase(name);
    let canonical = ITEM_CANONICAL
        .get(&norm)
        .map_or(norm, |c| normalise_phrase(c));
    canonical
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

fn name_tokens(name: &str) -> BTreeSet<String> {
    tokens_raw(name).into_iter().collect()
}

/// Token-set similarity as documented at the top of this module.
pub fn token_set_similarity(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let inter = a.intersection(b).count() as f64;
    let (la, lb) = (a.len() as f64, b.len() as f64);
    if a.len() >= 2 && b.len() >= 2 {
        inter / la.min(lb)
    } else {
        2.0 * inter / (la + lb)
    }
}

pub fn item_similarity(a: &str, b: &str) -> f64 {
    token_set_similarity(&item_tokens(a), &item_tokens(b))
}

pub fn facility_similarity(a: &str, b: &str) -> f64 {
    token_set_similarity(&name_tokens(a), &name_tokens(b))
}

// ---------------------------------------------------------------------------------------------
// Report.

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Prf {
    pub tp: usize,
    pub fp: usize,
    #[serde(rename = "fn")]
    pub fn_: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Prf {
    pub fn from_counts(tp: usize, fp: usize, fn_: usize) -> Self {
        let p = if tp + fp == 0 {
            1.0
        } else {
            tp as f64 / (tp + fp) as f64
        };
        let r = if tp + fn_ == 0 {
            1.0
        } else {
            tp as f64 / (tp + fn_) as f64
        };
        let f1 = if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        };
        Self {
            tp,
            fp,
            fn_,
            precision: round4(p),
            recall: round4(r),
            f1: round4(f1),
        }
    }
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ItemScores {
    pub gold: usize,
    pub predicted: usize,
    pub matched: usize,
    pub matched_with_quantity: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub f1_with_quantity: f64,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct FieldAccuracy {
    pub correct: usize,
    pub total: usize,
    pub accuracy: f64,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Fields {
    pub amount_kind: FieldAccuracy,
    pub instrument: FieldAccuracy,
    pub stated_equivalent: FieldAccuracy,
    pub date_signed: FieldAccuracy,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ArticleError {
    pub article: String,
    pub kind: &'static str,
    pub detail: String,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct EvalReport {
    pub articles: usize,
    pub gold_core: usize,
    pub predicted: usize,
    pub strict: Prf,
    pub lenient: Prf,
    pub items: ItemScores,
    pub facilities: ItemScores,
    pub fields: Fields,
    pub not_aid_facts: usize,
    pub not_aid_fp: usize,
    pub cumulative_leaks: usize,
    pub totals_beside_parts: usize,
    pub negative_articles: usize,
    pub negative_with_predictions: usize,
    pub extraction_errors: usize,
    pub errors: Vec<ArticleError>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Core,
    Neutral,
    Cumulative,
    NotAid,
}

fn class_of(g: &GoldFact) -> Class {
    match g.amount_kind {
        AmountKind::NotAid => Class::NotAid,
        AmountKind::Cumulative => Class::Cumulative,
        _ if !g.optional && matches!(g.sector, Sector::Health | Sector::Mixed) => Class::Core,
        _ => Class::Neutral,
    }
}

fn within_1pct(pred: Decimal, gold: Decimal) -> bool {
    if gold.is_zero() {
        return pred.is_zero();
    }
    (pred - gold).abs() <= gold.abs() / Decimal::from(100)
}

fn same_opt(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        (None, None) => true,
        _ => false,
    }
}

/// How well `p` matches `g`, or `None`; lower is better.
fn match_cost(g: &GoldFact, p: &Fact, lenient: bool) -> Option<Decimal> {
    let p_amount = p.amount.as_ref().map(|a| &a.value);
    if class_of(g) == Class::NotAid {
        let (Some(ga), Some(gc), Some(pa)) = (g.amount, g.currency.as_deref(), p_amount) else {
            return None;
        };
        return (gc.eq_ignore_ascii_case(&pa.currency) && within_1pct(pa.amount, ga))
            .then(|| relative(pa.amount, ga));
    }
    let donor_ok = match (&g.donor, &p.donor) {
        (Some(gd), Some(pd)) => canonical_donor(gd) == canonical_donor(&pd.value),
        (None, None) => true,
        _ => false,
    };
    let recipient_ok = same_opt(
        g.recipient_country.as_deref(),
        p.recipient_country.as_ref().map(|r| r.value.as_str()),
    );
    if !donor_ok || !recipient_ok {
        return None;
    }
    match (g.amount, p_amount) {
        (Some(ga), Some(pa)) => {
            let gc = g.currency.as_deref().unwrap_or("");
            if gc.eq_ignore_ascii_case(&pa.currency) && within_1pct(pa.amount, ga) {
                return Some(relative(pa.amount, ga));
            }
            if lenient
                && let Some(eq) = &g.stated_equivalent
                && eq.currency.eq_ignore_ascii_case(&pa.currency)
                && within_1pct(pa.amount, eq.amount)
            {
                return Some(relative(pa.amount, eq.amount) + Decimal::ONE);
            }
            None
        }
        (None, None) => {
            // Amountless: at least one matching item (with its quantity where the gold has one).
            let ok = g.items.iter().any(|gi| {
                p.items.iter().any(|pi| {
                    item_similarity(&gi.name, &pi.name) >= 0.8
                        && gi.quantity.is_none_or(|q| pi.quantity == Some(q))
                })
            });
            ok.then_some(Decimal::ZERO)
        }
        _ => None,
    }
}

fn relative(p: Decimal, g: Decimal) -> Decimal {
    if g.is_zero() {
        Decimal::ZERO
    } else {
        ((p - g) / g).abs()
    }
}

/// One-to-one greedy matching: all candidate pairs of one gold class sorted by cost, taken while
/// both sides are free; classes in the order given.
fn greedy_match(gold: &[GoldFact], preds: &[&Fact], lenient: bool) -> Vec<(usize, usize)> {
    let mut gold_used = vec![false; gold.len()];
    let mut pred_used = vec![false; preds.len()];
    let mut pairs = Vec::new();
    for class in [
        Class::Core,
        Class::Neutral,
        Class::Cumulative,
        Class::NotAid,
    ] {
        let mut candidates: Vec<(Decimal, usize, usize)> = Vec::new();
        for (gi, g) in gold
            .iter()
            .enumerate()
            .filter(|(_, g)| class_of(g) == class)
        {
            for (pi, p) in preds.iter().enumerate() {
                if let Some(cost) = match_cost(g, p, lenient) {
                    candidates.push((cost, gi, pi));
                }
            }
        }
        candidates.sort();
        for (_, gi, pi) in candidates {
            if !gold_used[gi] && !pred_used[pi] {
                gold_used[gi] = true;
                pred_used[pi] = true;
                pairs.push((gi, pi));
            }
        }
    }
    pairs
}

fn match_names<'a>(
    gold: &'a [(String, Option<u64>)],
    pred: &'a [(String, Option<u64>)],
    sim: fn(&str, &str) -> f64,
    threshold: f64,
) -> (usize, usize) {
    let mut candidates: Vec<(i64, usize, usize)> = Vec::new();
    for (gi, (g, _)) in gold.iter().enumerate() {
        for (pi, (p, _)) in pred.iter().enumerate() {
            let s = sim(g, p);
            if s >= threshold {
                candidates.push(((-(s * 1000.0)) as i64, gi, pi));
            }
        }
    }
    candidates.sort();
    let mut gu = vec![false; gold.len()];
    let mut pu = vec![false; pred.len()];
    let (mut matched, mut with_q) = (0, 0);
    for (_, gi, pi) in candidates {
        if !gu[gi] && !pu[pi] {
            gu[gi] = true;
            pu[pi] = true;
            matched += 1;
            if gold[gi].1 == pred[pi].1 {
                with_q += 1;
            }
        }
    }
    (matched, with_q)
}

fn finish_items(s: &mut ItemScores) {
    let prf = Prf::from_counts(s.matched, s.predicted - s.matched, s.gold - s.matched);
    s.precision = prf.precision;
    s.recall = prf.recall;
    s.f1 = prf.f1;
    s.f1_with_quantity = Prf::from_counts(
        s.matched_with_quantity,
        s.predicted - s.matched_with_quantity,
        s.gold - s.matched_with_quantity,
    )
    .f1;
}

fn add_field(f: &mut FieldAccuracy, ok: bool) {
    f.total += 1;
    if ok {
        f.correct += 1;
    }
}

fn describe_gold(g: &GoldFact) -> String {
    format!(
        "{} -> {} {} {} {:?}",
        g.donor.as_deref().unwrap_or("?"),
        g.recipient_country.as_deref().unwrap_or("?"),
        g.amount
            .map(|a| a.to_string())
            .unwrap_or_else(|| "-".to_string()),
        g.currency.as_deref().unwrap_or(""),
        g.amount_kind
    )
}

fn describe_pred(p: &Fact) -> String {
    format!(
        "{} -> {} {} {:?}",
        p.donor.as_ref().map_or("?", |d| d.value.as_str()),
        p.recipient_country
            .as_ref()
            .map_or("?", |d| d.value.as_str()),
        p.amount.as_ref().map_or("-".to_string(), |a| format!(
            "{} {}",
            a.value.amount, a.value.currency
        )),
        p.amount_kind.value
    )
}

/// Runs `extract` on every article and scores the result.
pub fn evaluate<F>(articles: &[LabelledArticle], mut extract: F) -> EvalReport
where
    F: FnMut(&LabelledArticle) -> Result<Extraction, IntakeError>,
{
    let mut r = EvalReport {
        articles: articles.len(),
        ..EvalReport::default()
    };
    let (mut s_tp, mut s_fp, mut s_fn) = (0, 0, 0);
    let (mut l_tp, mut l_fp, mut l_fn) = (0, 0, 0);
    for article in articles {
        let extraction = match extract(article) {
            Ok(e) => e,
            Err(e) => {
                r.extraction_errors += 1;
                r.errors.push(ArticleError {
                    article: article.id.clone(),
                    kind: "extraction_error",
                    detail: e.to_string(),
                });
                Extraction {
                    title: None,
                    facts: Vec::new(),
                    text_bytes: article.text.len(),
                }
            }
        };
        let preds: Vec<&Fact> = extraction
            .facts
            .iter()
            .filter(|f| f.amount_kind.value != AmountKind::NotAid)
            .collect();
        let gold = &article.facts;
        let core = gold.iter().filter(|g| class_of(g) == Class::Core).count();
        r.gold_core += core;
        r.predicted += preds.len();
        r.not_aid_facts += gold.iter().filter(|g| class_of(g) == Class::NotAid).count();
        if !gold.iter().any(|g| g.amount_kind.is_flow()) {
            r.negative_articles += 1;
            if !preds.is_empty() {
                r.negative_with_predictions += 1;
            }
        }
        for lenient in [false, true] {
            let pairs = greedy_match(gold, &preds, lenient);
            let mut tp = 0;
            let mut bad = 0;
            for &(gi, pi) in &pairs {
                match class_of(&gold[gi]) {
                    Class::Core => tp += 1,
                    Class::Neutral => {}
                    // Called cumulative, as the gold says: no claim of a flow.
                    Class::Cumulative if preds[pi].amount_kind.value == AmountKind::Cumulative => {}
                    Class::Cumulative => {
                        bad += 1;
                        if !lenient {
                            r.cumulative_leaks += 1;
                            r.errors.push(ArticleError {
                                article: article.id.clone(),
                                kind: "cumulative_leak",
                                detail: describe_pred(preds[pi]),
                            });
                        }
                    }
                    Class::NotAid => {
                        bad += 1;
                        if !lenient {
                            r.not_aid_fp += 1;
                            r.errors.push(ArticleError {
                                article: article.id.clone(),
                                kind: "not_aid_fp",
                                detail: describe_pred(preds[pi]),
                            });
                        }
                    }
                }
            }
            let unmatched_preds = preds.len() - pairs.len();
            let fp = unmatched_preds + bad;
            let fn_ = core - tp;
            if lenient {
                l_tp += tp;
                l_fp += fp;
                l_fn += fn_;
                continue;
            }
            s_tp += tp;
            s_fp += fp;
            s_fn += fn_;
            for (pi, p) in preds.iter().enumerate() {
                if !pairs.iter().any(|&(_, x)| x == pi) {
                    r.errors.push(ArticleError {
                        article: article.id.clone(),
                        kind: "false_positive",
                        detail: describe_pred(p),
                    });
                }
            }
            for (gi, g) in gold.iter().enumerate() {
                if class_of(g) == Class::Core && !pairs.iter().any(|&(x, _)| x == gi) {
                    r.errors.push(ArticleError {
                        article: article.id.clone(),
                        kind: "missed",
                        detail: describe_gold(g),
                    });
                }
            }
            let matched_any_part = pairs
                .iter()
                .any(|&(gi, _)| !gold[gi].is_total && class_of(&gold[gi]) != Class::NotAid);
            r.totals_beside_parts += pairs
                .iter()
                .filter(|&&(gi, _)| gold[gi].is_total && matched_any_part)
                .count();
            for &(gi, pi) in pairs
                .iter()
                .filter(|&&(gi, _)| class_of(&gold[gi]) == Class::Core)
            {
                let g = &gold[gi];
                let p = preds[pi];
                let gi_items: Vec<(String, Option<u64>)> = g
                    .items
                    .iter()
                    .map(|i| (i.name.clone(), i.quantity))
                    .collect();
                let pi_items: Vec<(String, Option<u64>)> = p
                    .items
                    .iter()
                    .map(|i| (i.name.clone(), i.quantity))
                    .collect();
                let (m, mq) = match_names(&gi_items, &pi_items, item_similarity, 0.8);
                r.items.gold += gi_items.len();
                r.items.predicted += pi_items.len();
                r.items.matched += m;
                r.items.matched_with_quantity += mq;
                if m < gi_items.len().max(pi_items.len()) {
                    r.errors.push(ArticleError {
                        article: article.id.clone(),
                        kind: "items",
                        detail: format!("gold {gi_items:?} predicted {pi_items:?}"),
                    });
                }
                let gf: Vec<(String, Option<u64>)> =
                    g.facilities.iter().map(|f| (f.clone(), None)).collect();
                let pf: Vec<(String, Option<u64>)> = p
                    .facilities
                    .iter()
                    .map(|f| (f.value.clone(), None))
                    .collect();
                let (fm, fmq) = match_names(&gf, &pf, facility_similarity, 0.85);
                r.facilities.gold += gf.len();
                r.facilities.predicted += pf.len();
                r.facilities.matched += fm;
                r.facilities.matched_with_quantity += fmq;
                let date_ok = g.date_signed == p.date_signed.as_ref().map(|d| d.value);
                if !date_ok {
                    r.errors.push(ArticleError {
                        article: article.id.clone(),
                        kind: "fields",
                        detail: format!(
                            "date signed gold {:?} predicted {:?}",
                            g.date_signed,
                            p.date_signed.as_ref().map(|d| d.value)
                        ),
                    });
                }
                let kind_ok = g.amount_kind == p.amount_kind.value;
                let instrument_ok = g.instrument == p.instrument.as_ref().map(|i| i.value);
                add_field(&mut r.fields.amount_kind, kind_ok);
                add_field(&mut r.fields.instrument, instrument_ok);
                if !kind_ok || !instrument_ok {
                    r.errors.push(ArticleError {
                        article: article.id.clone(),
                        kind: "fields",
                        detail: format!(
                            "kind gold {:?} predicted {:?}; instrument gold {:?} predicted {:?}",
                            g.amount_kind,
                            p.amount_kind.value,
                            g.instrument,
                            p.instrument.as_ref().map(|i| i.value)
                        ),
                    });
                }
                let eq_ok = match (&g.stated_equivalent, &p.stated_equivalent) {
                    (None, None) => true,
                    (Some(ge), Some(pe)) => {
                        ge.currency == pe.value.currency && within_1pct(pe.value.amount, ge.amount)
                    }
                    _ => false,
                };
                add_field(&mut r.fields.stated_equivalent, eq_ok);
                add_field(&mut r.fields.date_signed, date_ok);
            }
        }
    }
    r.strict = Prf::from_counts(s_tp, s_fp, s_fn);
    r.lenient = Prf::from_counts(l_tp, l_fp, l_fn);
    finish_items(&mut r.items);
    finish_items(&mut r.facilities);
    for f in [
        &mut r.fields.amount_kind,
        &mut r.fields.instrument,
        &mut r.fields.stated_equivalent,
        &mut r.fields.date_signed,
    ] {
        f.accuracy = if f.total == 0 {
            1.0
        } else {
            round4(f.correct as f64 / f.total as f64)
        };
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{ExtractOptions, extract};

    #[test]
    fn donor_aliases() {
        for name in [
            "Japan",
            "Government of Japan",
            "Embassy of Japan",
            "JICA",
            "Japanese Government",
            "the Japanese government",
        ] {
            assert_eq!(canonical_donor(name), "japan", "{name}");
        }
        for name in ["Republic of Korea", "South Korea", "KOICA", "Korea"] {
            assert_eq!(canonical_donor(name), "republic of korea", "{name}");
        }
        assert_eq!(canonical_donor("USAID"), "united states");
        assert_eq!(canonical_donor("United States"), "united states");
        assert_eq!(canonical_donor("KSrelief"), "saudi arabia");
        assert_eq!(
            canonical_donor("Japan International Cooperation Agency (JICA)"),
            "japan"
        );
        assert_eq!(
            canonical_donor("the Government of Japan, through UNICEF"),
            "japan"
        );
        assert_eq!(canonical_donor("Some Foundation"), "some foundation");
        assert_ne!(
            canonical_donor("World Bank"),
            canonical_donor("Asian Development Bank")
        );
    }

    #[test]
    fn similarity() {
        assert!(item_similarity("ECG", "electrocardiograph") >= 0.8);
        assert!(item_similarity("MRI machines", "magnetic resonance imaging scanner") >= 0.8);
        assert!(item_similarity("CT scanner", "MRI machine") < 0.8);
        assert!(
            facility_similarity(
                "blood center in Jambyl region",
                "Zhezbek blood center in the Jambyl region"
            ) >= 0.85
        );
        assert!(
            facility_similarity(
                "Semey City Emergency Hospital",
                "Semey State Medical University Hospital"
            ) < 0.85
        );
    }

    const LINE: &str = r#"{"id":"t1","published":"2024-05-30","text":"Japan will provide 108.7 million yen (approximately 7 million US dollars) in grant aid to Kazakhstan. The hospital's annual budget is 5 million US dollars.","facts":[{"donor":"Government of Japan","recipient_country":"KZ","amount":108700000,"currency":"JPY","stated_equivalent":{"amount":7000000,"currency":"USD"},"amount_kind":"commitment","instrument":"grant","sector":"health","items":[],"facilities":[]},{"amount":5000000,"currency":"USD","amount_kind":"not_aid","sector":"health"}]}"#;

    #[test]
    fn scores_a_labelled_line() {
        let articles = load_jsonl(LINE.as_bytes()).expect("parses");
        assert_eq!(
            articles[0].facts[0].amount,
            Some(Decimal::from(108_700_000))
        );
        let report = evaluate(&articles, |a| {
            extract(
                &a.text,
                &ExtractOptions {
                    published: a.published,
                    ..ExtractOptions::default()
                },
            )
        });
        assert_eq!(report.gold_core, 1);
        assert_eq!(report.strict.tp, 1, "{report:#?}");
        assert_eq!(report.strict.fp, 0, "{report:#?}");
        assert_eq!(report.not_aid_fp, 0);
    }

    #[test]
    fn a_prediction_on_a_not_aid_amount_is_a_false_positive() {
        let articles = load_jsonl(LINE.as_bytes()).expect("parses");
        // An extractor that calls every amount a commitment walks into the trap.
        let report = evaluate(&articles, |a| {
            let mut e = extract(&a.text, &ExtractOptions::default())?;
            for f in &mut e.facts {
                f.amount_kind.value = AmountKind::Commitment;
            }
            Ok(e)
        });
        assert_eq!(report.not_aid_fp, 1);
        assert_eq!(report.strict.fp, 1);
    }

    /// The commitment of `LINE` is the only gold core fact; every fact the extractor emits is
    /// turned into `kind`, so the commitment and the budget both become predictions of it.
    fn scored_as(kind: AmountKind, line: &str) -> EvalReport {
        let articles = load_jsonl(line.as_bytes()).expect("parses");
        evaluate(&articles, |a| {
            let mut e = extract(&a.text, &ExtractOptions::default())?;
            for f in &mut e.facts {
                f.amount_kind.value = kind;
            }
            Ok(e)
        })
    }

    #[test]
    fn a_fact_marked_cumulative_is_still_a_prediction() {
        // Marking both amounts cumulative must not hide them: the commitment still matches its
        // gold fact, and the budget is still a prediction on a not-aid amount.
        let report = scored_as(AmountKind::Cumulative, LINE);
        assert_eq!(report.predicted, 2, "{report:#?}");
        assert_eq!(report.strict.tp, 1, "{report:#?}");
        assert_eq!(report.not_aid_fp, 1, "{report:#?}");
        assert_eq!(report.strict.fp, 1, "{report:#?}");
    }

    #[test]
    fn an_unmatched_fact_marked_cumulative_is_a_false_positive() {
        let line = r#"{"id":"c","text":"Japan has provided more than 12 billion dollars since 1996.","facts":[]}"#;
        let report = scored_as(AmountKind::Cumulative, line);
        assert_eq!(report.predicted, 1, "{report:#?}");
        assert_eq!(report.strict.fp, 1, "{report:#?}");
        assert_eq!(report.negative_with_predictions, 1, "{report:#?}");
    }

    #[test]
    fn a_cumulative_fact_called_cumulative_is_neutral_and_called_a_flow_leaks() {
        let line = r#"{"id":"c","text":"Japan has provided more than 12 billion dollars since 1996.","facts":[{"donor":"Japan","amount":12000000000,"currency":"USD","amount_kind":"cumulative","sector":"mixed"}]}"#;
        let neutral = scored_as(AmountKind::Cumulative, line);
        assert_eq!(
            (neutral.strict.fp, neutral.cumulative_leaks),
            (0, 0),
            "{neutral:#?}"
        );
        let leak = scored_as(AmountKind::Disbursement, line);
        assert_eq!((leak.strict.fp, leak.cumulative_leaks), (1, 1), "{leak:#?}");
    }

    #[test]
    fn a_fact_marked_not_aid_is_not_a_prediction() {
        let report = scored_as(AmountKind::NotAid, LINE);
        assert_eq!((report.predicted, report.strict.fp), (0, 0), "{report:#?}");
    }

    #[test]
    fn labels_from_elsewhere_are_read_leniently() {
        let line = r#"{"id":"x","published":20240501,"text":"t","extra":1,"facts":[{"amount":5,"currency":"usd","amount_kind":"pledge","instrument":"blended","amount_qualifier":"about","sector":"health","date_signed":"May 2024"}]}"#;
        let a = load_jsonl(line.as_bytes()).expect("parses");
        let f = &a[0].facts[0];
        assert_eq!(a[0].published, None);
        assert_eq!(f.instrument, Some(Instrument::Other));
        assert_eq!(f.amount_qualifier, None);
        assert_eq!(f.date_signed, None);
        assert_eq!(f.sector, Sector::Health);
        assert!(
            load_jsonl(r#"{"id":"x","text":"t","facts":[{"amount_kind":"maybe"}]}"#.as_bytes())
                .is_err()
        );
    }

    #[test]
    fn bad_lines_name_the_line() {
        let err = load_jsonl("\n{\"id\": 5}\n".as_bytes()).expect_err("must fail");
        assert!(err.to_string().starts_with("line 2:"), "{err}");
    }
}
