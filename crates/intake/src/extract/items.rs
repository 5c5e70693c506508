//! Items given ("3 CT scanners", "two new ambulances"): the dictionary and the generic counted
//! noun phrases, their modifiers, singular forms and quantities. Apart because it is the largest
//! self-contained reader and needs nothing of the extractor's state.

use std::sync::LazyLock;

use regex::Regex;
use rust_decimal::Decimal;

use super::roles::COUNTRY_BY_NAME;
use super::sentences::floor_boundary;
use crate::lexicon::{GENERIC_EQUIPMENT, ITEMS};
use crate::model::{Item, Span};
use crate::number::{parse_digits, parse_number_words};

struct ItemForm {
    canonical: &'static str,
}

static ITEM_RE: LazyLock<(Regex, Vec<(String, ItemForm)>)> = LazyLock::new(|| {
    let mut forms: Vec<(String, ItemForm)> = ITEMS
        .iter()
        .flat_map(|(canonical, forms)| {
            forms
                .iter()
                .map(move |f| (f.to_lowercase(), ItemForm { canonical }))
        })
        .collect();
    forms.sort_by_key(|(f, _)| std::cmp::Reverse(f.len()));
    let pattern = forms
        .iter()
        .map(|(f, _)| regex::escape(f))
        .collect::<Vec<_>>()
        .join("|");
    let re = crate::compile_regex(&format!(r"(?i)\b(?:{pattern})(?:e?s)?\b"));
    (re, forms)
});

/// " (CT) scanners" after a spelled-out item name.
static ABBREVIATED_HEAD_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"^\s*\(([A-Z]{2,6})\)\s+(devices|machines|machine|units|unit|systems|system|scanners|scanner|analy[sz]ers|monitors|equipment|apparatus)\b",
    )
});

/// A counted noun phrase not in the dictionary: "5 platelet storage devices", "12 delivery beds".
static GENERIC_ITEM_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"\b([a-z][a-z-]+(?:\s[a-z][a-z-]+){0,2})\s(devices|machines|units|systems|analy[sz]ers|monitors|scanners|kits|pumps|beds|chairs|sets|stations|lamps|tables|concentrators|cylinders|refrigerators|vehicles|trucks)\b",
    )
});

/// Items in `text[start..end]`, with their quantity when a count stands before them.
pub(super) fn find_items(text: &str, start: usize, end: usize) -> Vec<Item> {
    let st = &text[start..end];
    let (re, forms) = &*ITEM_RE;
    let mut out: Vec<Item> = Vec::new();
    let mut taken: Vec<(usize, usize)> = Vec::new();
    for m in re.find_iter(st) {
        let lower = m.as_str().to_lowercase();
        let Some((_, form)) = forms.iter().find(|(f, _)| {
            lower == *f || lower.strip_suffix("es") == Some(f) || lower.strip_suffix('s') == Some(f)
        }) else {
            continue;
        };
        // "800-bed hospital" and "X-ray department" describe a building, not items.
        let after = &st[m.end()..];
        if after.starts_with('-')
            || (form.canonical == "X-ray machine" && after.trim_start().starts_with("department"))
        {
            continue;
        }
        let quantity = quantity_before(&st[..m.start()]).or_else(|| quantity_after(after));
        // A bare "vaccine" is an item only when counted ("500,000 doses of vaccine"); otherwise
        // it qualifies another noun ("vaccine cold chain").
        if lower.starts_with("vaccine") && !lower.contains("dose") && quantity.is_none() {
            continue;
        }
        taken.push((m.start(), m.end()));
        // The article's words, not the dictionary's coarser name: modifiers written before the
        // match ("portable digital X-ray units") are kept, and the matched words singular.
        let from = modifiers_start(st, m.start());
        let matched = singular_phrase(m.as_str());
        // A bare word of the dictionary's name ("X-ray", "500,000 doses of vaccine") takes the
        // dictionary's name, which adds the head noun the article implies.
        let bare = from == m.start()
            && !matched.contains(' ')
            && form
                .canonical
                .to_lowercase()
                .split(' ')
                .any(|w| w == matched.to_lowercase())
            && !form.canonical.eq_ignore_ascii_case(&matched);
        let mut words = if bare {
            form.canonical.to_string()
        } else {
            format!("{}{}", &st[from..m.start()], matched)
        };
        // "computed tomography (CT) scanners": the abbreviation and the head noun after the
        // spelled-out name are the article's name for the item.
        let mut end = m.end();
        if let Some(c) = ABBREVIATED_HEAD_RE.captures(after)
            && let (Some(abbr), Some(head), Some(all)) = (c.get(1), c.get(2), c.get(0))
        {
            words = format!("{} {}", abbr.as_str(), singular_item_word(head.as_str()));
            end = m.end() + all.end();
        }
        out.push(Item {
            name: words,
            canonical: Some(form.canonical.to_string()),
            quantity,
            span: Span {
                start: start + from,
                end: start + end,
            },
            quote: st[from..end].to_string(),
        });
    }
    for caps in GENERIC_ITEM_RE.captures_iter(st) {
        let (Some(whole), Some(mods), Some(head)) = (caps.get(0), caps.get(1), caps.get(2)) else {
            continue;
        };
        if taken
            .iter()
            .any(|(a, b)| *a < whole.end() && whole.start() < *b)
        {
            continue;
        }
        let Some(q) = quantity_before(&st[..whole.start()]) else {
            continue;
        };
        let words: Vec<&str> = mods
            .as_str()
            .split_whitespace()
            .filter(|w| {
                !matches!(
                    *w,
                    "new"
                        | "modern"
                        | "advanced"
                        | "additional"
                        | "other"
                        | "more"
                        | "medical"
                        | "high-tech"
                        | "the"
                        | "of"
                        | "and"
                        | "with"
                        | "essential"
                        | "basic"
                )
            })
            .collect();
        if words.is_empty()
            || words
                .iter()
                .any(|w| COUNTRY_BY_NAME.contains_key(capitalise(w).as_str()))
        {
            continue;
        }
        let head_singular = singular(head.as_str());
        let name = format!("{} {}", words.join(" "), head_singular);
        if GENERIC_EQUIPMENT.contains(&name.as_str()) {
            continue;
        }
        out.push(Item {
            name,
            canonical: None,
            quantity: Some(q),
            span: Span {
                start: start + whole.start(),
                end: start + whole.end(),
            },
            quote: whole.as_str().to_string(),
        });
    }
    out.sort_by_key(|i| i.span.start);
    // "magnetic resonance imaging (MRI) machines": a spelled-out name and its abbreviation with
    // the head noun are one item; the later words, which carry the head noun, name it.
    let mut merged: Vec<Item> = Vec::with_capacity(out.len());
    for item in out {
        if let Some(prev) = merged.last()
            && prev.canonical.is_some()
            && prev.canonical == item.canonical
            && item.span.start < prev.span.end
        {
            continue; // the abbreviation inside "computed tomography (CT) scanners"
        }
        if let Some(prev) = merged.last()
            && prev.canonical.is_some()
            && prev.canonical == item.canonical
            && text
                .get(prev.span.end..item.span.start)
                .is_some_and(|gap| gap.trim().is_empty() || gap.trim() == "(")
        {
            let prev = merged.pop().expect("checked above");
            merged.push(Item {
                quantity: prev.quantity.or(item.quantity),
                ..item
            });
            continue;
        }
        merged.push(item);
    }
    merged
}

/// Where the modifiers written just before an item start: up to three lower-case (or
/// hyphenated, or acronym) words such as "portable", "solar-powered", "neonatal", "PSA", stopping
/// at a count, a function word, a verb ("donated", "including") or punctuation.
fn modifiers_start(st: &str, item_start: usize) -> usize {
    const STOP: &[&str] = &[
        "a",
        "an",
        "the",
        "of",
        "and",
        "or",
        "with",
        "for",
        "to",
        "in",
        "on",
        "at",
        "by",
        "from",
        "as",
        "its",
        "their",
        "his",
        "her",
        "our",
        "this",
        "these",
        "those",
        "that",
        "which",
        "new",
        "modern",
        "additional",
        "other",
        "more",
        "some",
        "several",
        "various",
        "many",
        "latest",
        "high-tech",
        "state-of-the-art",
        "much-needed",
        "urgently",
        "needed",
        "such",
        "including",
        "includes",
        "include",
        "providing",
        "supplying",
        "using",
        "worth",
        "plus",
        "also",
        "both",
        "all",
        "each",
        "per",
        "up",
        "over",
        "about",
        "than",
        "into",
        "will",
        "be",
        "is",
        "are",
        "was",
        "were",
        "has",
        "have",
        "had",
        "it",
        "they",
        "we",
        "who",
        "buy",
        "purchase",
        "procure",
        "provide",
        "supply",
        "deliver",
        "donate",
        "receive",
        "units",
        "sets",
        "pieces",
        "pcs",
        "doses",
        "kits",
        "boxes",
        "items",
        "batch",
        "batches",
        "lot",
        "consignment",
        "shipment",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "twenty",
        "thirty",
        "fifty",
        "hundred",
        "thousand",
        "dozen",
        "million",
        "run",
        "install",
        "build",
        "equip",
        "help",
        "support",
        "operate",
        "give",
        "hand",
        "send",
        "ship",
        "get",
        "fund",
        "finance",
        "bring",
        "set",
    ];
    let mut from = item_start;
    let mut count = 0;
    while count < 3 {
        let before = &st[..from];
        let trimmed = before.trim_end_matches(' ');
        if trimmed.len() == before.len() || trimmed.len() + 1 < before.len() {
            break; // no single space before: punctuation, line break or start
        }
        let word_start = trimmed
            .char_indices()
            .rev()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '-'))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let word = &trimmed[word_start..];
        let lower = word.to_ascii_lowercase();
        let acronym = word.len() >= 2 && word.chars().all(|c| c.is_ascii_uppercase());
        let plain = word.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && word.chars().all(|c| c.is_ascii_lowercase() || c == '-');
        // Past participles, adverbs and third-person verbs ("KOICA donates CT scanners") are not
        // modifiers; a noun used as a modifier is singular ("blood gas analyser").
        let verb_like = !word.contains('-')
            && (lower.ends_with("ed")
                || lower.ends_with("ing")
                || lower.ends_with("ly")
                || (lower.ends_with('s')
                    && !["ss", "us", "is", "as"].iter().any(|e| lower.ends_with(e))));
        if word.is_empty()
            || !(acronym || plain)
            || verb_like
            || STOP.contains(&lower.as_str())
            || word.starts_with('-')
        {
            break;
        }
        from = word_start;
        count += 1;
    }
    from
}

/// The matched item words in the singular ("X-ray units" → "X-ray unit").
fn singular_phrase(words: &str) -> String {
    match words.rsplit_once(' ') {
        Some((head, last)) => format!("{head} {}", singular_item_word(last)),
        None => singular_item_word(words),
    }
}

fn singular_item_word(w: &str) -> String {
    let lower = w.to_ascii_lowercase();
    if lower.ends_with("ss") || lower.ends_with("us") || lower.ends_with("is") || w.len() < 4 {
        w.to_string()
    } else if lower.ends_with("ches") || lower.ends_with("shes") || lower.ends_with("xes") {
        w[..w.len() - 2].to_string()
    } else if lower.ends_with("ies") {
        format!("{}y", &w[..w.len() - 3])
    } else {
        w.strip_suffix('s').unwrap_or(w).to_string()
    }
}

fn capitalise(w: &str) -> String {
    let mut c = w.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn singular(w: &str) -> String {
    if let Some(s) = w.strip_suffix("ies") {
        format!("{s}y")
    } else if w.ends_with("ses") || w.ends_with("xes") {
        w[..w.len() - 2].to_string()
    } else {
        w.strip_suffix('s').unwrap_or(w).to_string()
    }
}

/// A count just before an item: "5 platelet storage devices", "two new ambulances",
/// "more than 100 generators", "12 units of".
fn quantity_before(before: &str) -> Option<u64> {
    static Q_RE: LazyLock<Regex> = LazyLock::new(|| {
        crate::compile_regex(
            r"(?i)(?:^|[\s(])(?P<n>\d{1,3}(?:,\d{3})*|\d+|(?:an|a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|dozen)(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine|hundred|dozen))*)\s+(?:(?:units|sets|pieces|pcs|doses|kits|boxes)\s+of\s+)?(?:(?:[A-Za-z][\w-]*)\s+){0,3}$",
        )
    });
    let tail_start = floor_boundary(before, before.len().saturating_sub(60));
    let full_tail = &before[tail_start..];
    // The count nearest to the item wins ("4 ventilators and a dialysis machine" gives the
    // machine 1, not 4): try the shortest suffixes that start at a word first.
    let starts = std::iter::once(0).chain(
        full_tail
            .char_indices()
            .filter(|(_, c)| c.is_whitespace() || *c == '(')
            .map(|(i, _)| i),
    );
    let mut starts: Vec<usize> = starts.collect();
    starts.reverse();
    let (tail, caps) = starts.into_iter().find_map(|st| {
        let t = &full_tail[st..];
        Q_RE.captures(t)
            .filter(|c| c.get(0).is_some_and(|m| m.start() == 0))
            .map(|c| (t, c))
    })?;
    let n = caps.name("n")?;
    let between = &tail[n.end()..];
    // Words between the count and the item must be modifiers, not verbs or another noun phrase
    // ("12 units of", "500,000 doses of COVID-19 vaccine" are fine).
    let lower = between.trim_start().to_ascii_lowercase();
    let modifiers = [
        "units of ",
        "sets of ",
        "pieces of ",
        "pcs of ",
        "doses of ",
        "kits of ",
        "boxes of ",
    ]
    .iter()
    .find_map(|p| lower.strip_prefix(p))
    .unwrap_or(&lower);
    let stop = [
        "and", "or", "of", "with", "to", "for", "in", "by", "from", "were", "was", "are", "is",
        "have", "has", "million", "billion", "thousand", "percent",
    ];
    if modifiers.split_whitespace().any(|w| {
        stop.contains(&w)
            || w.ends_with(',')
            || w.chars()
                .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
    }) {
        return None;
    }
    let raw = n.as_str();
    let value = if raw.chars().next()?.is_ascii_digit() {
        parse_digits(raw)?
    } else if raw.eq_ignore_ascii_case("a") || raw.eq_ignore_ascii_case("an") {
        Decimal::ONE
    } else {
        parse_number_words(raw)?
    };
    let q = u64::try_from(value.trunc().mantissa()).ok()?;
    // A year before a noun ("2024 ambulances" is rare; "in 2024 ventilators …" is a date).
    if (1900..=2100).contains(&q) && raw.len() == 4 {
        return None;
    }
    (q > 0).then_some(q)
}

fn quantity_after(after: &str) -> Option<u64> {
    static QA_RE: LazyLock<Regex> = LazyLock::new(|| {
        crate::compile_regex(r"^\s*\((?P<n>\d[\d,]*)\s*(?:units?|pieces|pcs|sets)?\)")
    });
    let caps = QA_RE.captures(after)?;
    let v = parse_digits(caps.name("n")?.as_str())?;
    u64::try_from(v.trunc().mantissa()).ok().filter(|q| *q > 0)
}
