//! Finds amounts of money in text: "108.7 million yen", "¥1.560 billion", "NPR 16, 05,750",
//! "70 crore rupees", "€498 000", "5 mln 400 thousand U.S. dollars", "three-point-two million
//! dollars", "USD$116,000", "K4.5 billion" (by context), with "up to" / "more than" / "about".

use std::sync::LazyLock;

use regex::Regex;
use rust_decimal::Decimal;

use crate::lexicon::{
    CURRENCY_ADJECTIVES, CURRENCY_CODES, CURRENCY_PREFIXES, CURRENCY_WORDS, resolve_ambiguous,
};
use crate::model::{Qualifier, Span};
use crate::number::{parse_digits, parse_number_words, scale_factor, scaled};

#[derive(Debug, Clone, PartialEq)]
pub struct MoneyMention {
    pub amount: Decimal,
    pub currency: String,
    pub qualifier: Option<Qualifier>,
    /// The amount with its currency (the qualifier is not included).
    pub span: Span,
}

const NUM: &str = r"(?:\d{1,2}(?:,\s?\d{2})+,\s?\d{3}\b|\d{1,3}(?:,\d{3}\b)+(?:\.\d+)?|\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?|\d{1,3}(?:[\x20\u{a0}\u{202f}]\d{3}\b)+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)";
const WORDNUM: &str = r"(?i:(?:(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|point|a)(?:[\s-]+(?:and[\s-]+)?)?)+)";
const SCALE: &str = r"(?:(?i:thousand|million|billion|trillion|crores?|lakhs?|lacs?|mln|bln|mio)\b|(?:mn|bn|m|k|tn|cr|M|B|K|bil)\b)";

fn escape_all(items: impl Iterator<Item = String>) -> String {
    let mut v: Vec<String> = items.collect();
    // Longest first so "US$" wins over "$" and "Sri Lankan" over "Sri".
    v.sort_by_key(|s| std::cmp::Reverse(s.len()));
    // The pattern is in verbose mode, where a literal space must be written as an escape.
    v.iter()
        .map(|s| regex::escape(s).replace(' ', r"\x20"))
        .collect::<Vec<_>>()
        .join("|")
}

static MONEY_RE: LazyLock<Regex> = LazyLock::new(|| {
    // A prefix starting with a letter must start a word: "P" in "GDP 5 million dollars" is not
    // Botswana's pula, and the match must not swallow the real amount after it.
    let prefixes = escape_all(CURRENCY_PREFIXES.iter().map(|(p, _)| (*p).to_string()))
        .split('|')
        .map(|p| {
            if p.starts_with(|c: char| c.is_ascii_alphabetic()) {
                format!(r"\b{p}")
            } else {
                p.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("|");
    let codes = CURRENCY_CODES.join("|");
    let words = escape_all(CURRENCY_WORDS.iter().map(|(w, _)| (*w).to_string()));
    let adjectives = escape_all(CURRENCY_ADJECTIVES.iter().map(|(a, _, _)| (*a).to_string()));
    // Two branches so that only text with a currency matches at all: a currency before the
    // number (optionally one after too), or a currency after it. Without that, every "a" and
    // every number would be a candidate and the capture engine would run on each.
    let body = |s: &str| {
        format!(
            r"(?: (?P<num{s}>{NUM}) (?: [\s-]? (?P<scale{s}>{SCALE}) )?
                | \b(?P<wnum{s}>{WORDNUM}) [\s-]? (?P<wscale{s}>{SCALE}) )
              (?: \s (?:and\s)? (?P<num2{s}>{NUM}) \s (?P<scale2{s}>{SCALE}) )?"
        )
    };
    let post = |s: &str| {
        format!(
            r"[\s-] (?: (?P<postcode{s}>(?:{codes})\b) | (?P<adj{s}>(?i:{adjectives}))?\s?(?P<word{s}>(?i:{words}))\b )"
        )
    };
    let pattern = format!(
        r"(?x)
        (?: (?: (?P<pre>{prefixes}) \s? | (?P<precode>\b(?:{codes})) \s? ) {b1} (?: {p1} )? )
        | (?: {b2} {p2} )
        ",
        b1 = body("1"),
        p1 = post("1"),
        b2 = body("2"),
        p2 = post("2"),
    );
    crate::compile_regex(&pattern)
});

static QUALIFIER_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"(?i)\b(up to|as much as|a maximum of|a ceiling of|more than|over|in excess of|above|exceeding|approximately|approx\.?|about|around|some|roughly|an estimated|estimated at|close to|nearly|almost|at least|a minimum of|no less than|not less than)\s*$",
    )
});

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn qualifier_before(text: &str, start: usize) -> Option<Qualifier> {
    let from = floor_boundary(text, start.saturating_sub(24));
    let before = &text[from..start];
    let caps = QUALIFIER_RE.captures(before)?;
    let q = caps.get(1)?.as_str().to_ascii_lowercase();
    // "handed over $2 million" is a delivery, not "more than".
    if q == "over" {
        let lead = before[..caps.get(1)?.start()]
            .trim_end()
            .to_ascii_lowercase();
        if [
            "hand", "hands", "handed", "handing", "turned", "took", "taken",
        ]
        .iter()
        .any(|w| lead.ends_with(w))
        {
            return None;
        }
    }
    Some(match q.as_str() {
        "up to" | "as much as" | "a maximum of" | "a ceiling of" => Qualifier::UpTo,
        "more than" | "over" | "in excess of" | "above" | "exceeding" => Qualifier::MoreThan,
        "nearly" | "almost" | "close to" => Qualifier::Nearly,
        "at least" | "a minimum of" | "no less than" | "not less than" => Qualifier::AtLeast,
        _ => Qualifier::Approx,
    })
}

fn currency_of_word(
    adj: Option<&str>,
    word: &str,
    recipient: Option<&str>,
    donor_country: Option<&str>,
) -> Option<String> {
    let w = word.to_ascii_lowercase();
    let base = w.trim_end_matches('s');
    if let Some(a) = adj {
        let a = a.to_ascii_lowercase();
        if let Some((_, _, code)) = CURRENCY_ADJECTIVES
            .iter()
            .find(|(adj2, b, _)| *adj2 == a && (base == *b || w == *b || base.starts_with(b)))
        {
            return Some((*code).to_string());
        }
    }
    // A word shared by several currencies follows the recipient country ("rupees" in Sri Lanka).
    let ambiguous_base = match base {
        "rupee" | "kwacha" | "riyal" | "rial" | "dinar" | "franc" | "shilling" | "pound"
        | "peso" | "som" | "manat" | "dirham" => Some(base),
        _ => None,
    };
    if let Some(b) = ambiguous_base {
        // India's own grants are counted in Indian rupees whatever the recipient.
        if b == "rupee" && donor_country == Some("IN") {
            return Some("INR".to_string());
        }
        return resolve_ambiguous(b, recipient).map(str::to_string);
    }
    CURRENCY_WORDS
        .iter()
        .find(|(cw, _)| *cw == w)
        .map(|(_, code)| (*code).to_string())
}

fn currency_of_prefix(
    prefix: &str,
    recipient: Option<&str>,
    donor_country: Option<&str>,
) -> Option<String> {
    let p = prefix.trim();
    let (_, code) = CURRENCY_PREFIXES.iter().find(|(sym, _)| *sym == p)?;
    match code {
        Some("JPY") if donor_country == Some("CN") => Some("CNY".to_string()),
        Some(c) => Some((*c).to_string()),
        None if p.starts_with("Rs") => resolve_ambiguous("rupee", recipient).map(str::to_string),
        // "Sh500 million": the shilling of the recipient (Kenya, Uganda, Tanzania, Somalia).
        None if p == "Sh" => resolve_ambiguous("shilling", recipient).map(str::to_string),
        None if p == "₨" => resolve_ambiguous("rupee", recipient).map(str::to_string),
        None => resolve_ambiguous(&p.to_ascii_lowercase(), recipient).map(str::to_string),
    }
}

/// Codes written in news that are not ISO 4217: the IMF's SDR, China's RMB, Israel's NIS.
fn code_alias(code: &str) -> &str {
    match code {
        "SDR" => "XDR",
        "RMB" => "CNY",
        "NIS" => "ILS",
        other => other,
    }
}

/// An amount that is not money although a currency code stands beside it: an exchange rate
/// ("EUR 1 = USD 1.09") or a Sustainable Development Goal ("SDG 3", not 3 Sudanese pounds).
fn not_money(text: &str, start: usize, end: usize, currency: &str, amount: Decimal) -> bool {
    let before = text[..start].trim_end();
    let after = text[end..].trim_start();
    if before.ends_with('=') || after.starts_with('=') {
        return true;
    }
    let written = &text[start..end];
    currency == "SDG"
        && written.starts_with("SDG")
        && amount <= Decimal::from(17)
        && amount.fract().is_zero()
}

/// Context that resolves ambiguous currency symbols.
#[derive(Debug, Clone, Copy, Default)]
pub struct CurrencyContext<'a> {
    pub recipient: Option<&'a str>,
    pub donor_country: Option<&'a str>,
}

/// All amounts of money in `text`, in order. Mentions without a currency, of zero, or too large
/// for `Decimal` are skipped.
pub fn find_money(text: &str, ctx: CurrencyContext<'_>) -> Vec<MoneyMention> {
    let mut out = Vec::new();
    for caps in MONEY_RE.captures_iter(text) {
        let Some(whole) = caps.get(0) else { continue };
        let pre = caps.name("pre");
        let precode = caps.name("precode");
        // The two branches of the pattern name their groups with suffixes 1 and 2.
        let g = |first: &str, second: &str| caps.name(first).or_else(|| caps.name(second));
        let postcode = g("postcode1", "postcode2");
        let word = g("word1", "word2");
        if pre.is_none() && precode.is_none() && postcode.is_none() && word.is_none() {
            continue;
        }
        // A prefix glued to the previous word ("UK" in "MK", "Rs" in "Mrs") is not a currency.
        if let Some(p) = pre.or(precode) {
            let prev = text[..p.start()].chars().next_back();
            let first = p.as_str().chars().next();
            if first.is_some_and(char::is_alphabetic) && prev.is_some_and(char::is_alphanumeric) {
                continue;
            }
        }
        // Spelled-out amounts always have a scale word ("two dollars" is not aid news).
        let scale = g("scale1", "scale2")
            .or_else(|| g("wscale1", "wscale2"))
            .map(|m| m.as_str());
        // "5m" or "3k" are only money with a prefix currency; "130 m" is a length.
        if let Some(s) = scale
            && matches!(s, "m" | "k" | "mn" | "cr" | "M" | "B" | "K" | "bil")
            && pre.is_none()
            && precode.is_none()
        {
            continue;
        }
        let base = if let Some(n) = g("num1", "num2") {
            let prev = text[..n.start()].chars().next_back();
            if prev.is_some_and(|c| c.is_ascii_digit() || c == '.' || c == ',') {
                continue;
            }
            parse_digits(n.as_str())
        } else if let Some(w) = g("wnum1", "wnum2") {
            // Spelled-out amounts need a scale word: "two dollars" is not aid news.
            if scale.is_none() {
                continue;
            }
            parse_number_words(w.as_str().trim())
        } else {
            None
        };
        let Some(base) = base else { continue };
        let Some(mut amount) = scaled(base, scale.and_then(scale_factor)) else {
            continue;
        };
        if let (Some(n2), Some(s2)) = (g("num21", "num22"), g("scale21", "scale22")) {
            let Some(part) =
                parse_digits(n2.as_str()).and_then(|v| scaled(v, scale_factor(s2.as_str())))
            else {
                continue;
            };
            let Some(sum) = amount.checked_add(part) else {
                continue;
            };
            amount = sum;
        }
        if amount.is_zero() {
            continue;
        }
        let currency = if let Some(p) = pre {
            currency_of_prefix(p.as_str(), ctx.recipient, ctx.donor_country)
        } else if let Some(c) = precode.or(postcode) {
            Some(code_alias(c.as_str()).to_string())
        } else if let Some(w) = word {
            currency_of_word(
                g("adj1", "adj2").map(|m| m.as_str()),
                w.as_str(),
                ctx.recipient,
                ctx.donor_country,
            )
        } else {
            None
        };
        let Some(currency) = currency else { continue };
        if not_money(text, whole.start(), whole.end(), &currency, amount) {
            continue;
        }
        // "5 %" after a currency symbol is a rate, not money.
        let after = text[whole.end()..].chars().next();
        if after == Some('%') {
            continue;
        }
        let mut start = whole.start();
        let end = whole.end();
        // Trim leading blanks the optional groups may have taken.
        while text[start..end].starts_with(char::is_whitespace) {
            start += text[start..].chars().next().map_or(1, char::len_utf8);
        }
        let mut end_trim = end;
        while end_trim > start && text[..end_trim].ends_with(char::is_whitespace) {
            end_trim = floor_boundary(text, end_trim - 1);
        }
        out.push(MoneyMention {
            amount: amount.normalize(),
            currency,
            qualifier: qualifier_before(text, start),
            span: Span {
                start,
                end: end_trim,
            },
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn one(text: &str, recipient: Option<&str>) -> (String, String) {
        let found = find_money(
            text,
            CurrencyContext {
                recipient,
                donor_country: None,
            },
        );
        assert_eq!(found.len(), 1, "{text}: {found:?}");
        (found[0].amount.to_string(), found[0].currency.clone())
    }

    fn pair(a: &str, c: &str) -> (String, String) {
        (
            Decimal::from_str(a)
                .expect("test literal")
                .normalize()
                .to_string(),
            c.to_string(),
        )
    }

    #[test]
    fn formats_from_the_issue() {
        assert_eq!(
            one("will provide 108.7 million yen in grant aid", None),
            pair("108700000", "JPY")
        );
        assert_eq!(
            one("a loan of 11,703 million yen", None),
            pair("11703000000", "JPY")
        );
        assert_eq!(
            one("worth Nu 319 million", Some("BT")),
            pair("319000000", "BTN")
        );
        assert_eq!(
            one("K4.5 billion for drugs", Some("MW")),
            pair("4500000000", "MWK")
        );
        assert_eq!(
            one("cost NPR 16, 05,750 in total", Some("NP")),
            pair("1605750", "NPR")
        );
        assert_eq!(one("70 crore rupees", Some("IN")), pair("700000000", "INR"));
        assert_eq!(one("€498 000 for the clinic", None), pair("498000", "EUR"));
        assert_eq!(
            one("5 mln 400 thousand U.S. dollars", None),
            pair("5400000", "USD")
        );
        assert_eq!(
            one("three-point-two million dollars", None),
            pair("3200000", "USD")
        );
        assert_eq!(one("USD$116,000 in kind", None), pair("116000", "USD"));
        assert_eq!(one("Rs. 25 million", Some("LK")), pair("25000000", "LKR"));
        assert_eq!(one("Rs 25 million", Some("IN")), pair("25000000", "INR"));
        assert_eq!(one("68,790 US dollars", None), pair("68790", "USD"));
        assert_eq!(one("$1.2bn", None), pair("1200000000", "USD"));
        assert_eq!(
            one("2 billion Sri Lankan rupees", Some("IN")),
            pair("2000000000", "LKR")
        );
        // An article before a code must not swallow the code ("a" is also a number word).
        assert_eq!(
            one("signed a USD 98 million loan", None),
            pair("98000000", "USD")
        );
        assert_eq!(one("a million dollars", None), pair("1000000", "USD"));
        assert_eq!(one("GH¢8.9 billion", None), pair("8900000000", "GHS"));
        assert_eq!(one("Sh500 million", Some("UG")), pair("500000000", "UGX"));
    }

    #[test]
    fn prefix_and_equivalent() {
        let found = find_money("¥1.560 billion (US$14 million)", CurrencyContext::default());
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].amount, Decimal::from(1_560_000_000u64));
        assert_eq!(found[0].currency, "JPY");
        assert_eq!(found[1].amount, Decimal::from(14_000_000u64));
        assert_eq!(found[1].currency, "USD");
    }

    #[test]
    fn qualifiers() {
        let q = |t: &str| find_money(t, CurrencyContext::default())[0].qualifier;
        assert_eq!(q("up to $5 million"), Some(Qualifier::UpTo));
        assert_eq!(q("more than $12 billion"), Some(Qualifier::MoreThan));
        assert_eq!(
            q("approximately 7 million US dollars"),
            Some(Qualifier::Approx)
        );
        assert_eq!(q("$7 million"), None);
    }

    #[test]
    fn not_money() {
        let none = |t: &str| find_money(t, CurrencyContext::default()).is_empty();
        assert!(none("130 MW of generators"));
        assert!(none("5 platelet storage devices"));
        assert!(none("K4.5 billion in an unknown country"));
        assert!(none("one of the hospitals"));
        assert!(none(""));
        assert!(none("日本政府将提供1.087亿日元"));
    }

    proptest::proptest! {
        #[test]
        fn finder_never_panics_and_spans_are_boundaries(s in "(US\\$|USD\\$|¥|€|£|₹|Rs\\.?|K|Nu|NPR|[0-9]{1,4}|,|\\.| |\u{a0}|million|mln|bn|crore|lakh|thousand|yen|rupees|dollars|U\\.S\\. dollars|point|three|a|up to|over|\\(|\\)|ü|€){0,40}") {
            for m in find_money(&s, CurrencyContext { recipient: Some("MW"), donor_country: None }) {
                proptest::prop_assert!(s.is_char_boundary(m.span.start) && s.is_char_boundary(m.span.end));
                proptest::prop_assert!(m.amount > Decimal::ZERO);
            }
        }

        #[test]
        fn grouped_amounts_roundtrip(n in 1u64..1_000_000_000_000u64) {
            let plain = n.to_string();
            let mut grouped = String::new();
            for (i, c) in plain.chars().enumerate() {
                if i > 0 && (plain.len() - i) % 3 == 0 {
                    grouped.push(',');
                }
                grouped.push(c);
            }
            let found = find_money(&format!("a grant of US${grouped} for the clinic"), CurrencyContext::default());
            proptest::prop_assert_eq!(found.len(), 1);
            proptest::prop_assert_eq!(found[0].amount, Decimal::from(n));
        }

        #[test]
        fn scaled_amounts_roundtrip(int in 1u32..1000, frac in 0u32..100) {
            let text = format!("{int}.{frac:02} million yen");
            let found = find_money(&text, CurrencyContext::default());
            let expected = (Decimal::from(int) + Decimal::new(i64::from(frac), 2)) * Decimal::from(1_000_000);
            proptest::prop_assert_eq!(found.len(), 1);
            proptest::prop_assert_eq!(found[0].amount, expected.normalize());
        }
    }

    #[test]
    fn huge_numbers_do_not_panic() {
        let text = "9999999999999999999999999999 trillion dollars and 5 billion billion dollars";
        let found = find_money(text, CurrencyContext::default());
        assert!(found.iter().all(|m| m.amount > Decimal::ZERO));
    }
}

/// Candidate-layer cases of issue 14, each in a sentence written for the test.
#[cfg(test)]
mod issue14_tests {
    use super::*;

    fn found(text: &str, recipient: Option<&str>) -> Vec<(String, String)> {
        find_money(
            text,
            CurrencyContext {
                recipient,
                donor_country: None,
            },
        )
        .into_iter()
        .map(|m| (m.amount.normalize().to_string(), m.currency))
        .collect()
    }

    fn one(amount: &str, currency: &str) -> Vec<(String, String)> {
        vec![(amount.to_string(), currency.to_string())]
    }

    #[test]
    fn currency_word_before_the_number() {
        assert_eq!(
            found("The ministry received Euro 7.5 million for clinics.", None),
            one("7500000", "EUR")
        );
        assert_eq!(
            found("Beijing offered RMB 5 million in emergency supplies.", None),
            one("5000000", "CNY")
        );
    }

    #[test]
    fn number_scale_and_currency_joined_by_hyphens() {
        assert_eq!(
            found(
                "The bank approved a 25-million-euro grant for maternity wards.",
                None
            ),
            one("25000000", "EUR")
        );
    }

    #[test]
    fn a_spelled_out_number_after_the_article_is_not_one_more() {
        assert_eq!(
            found(
                "Officials welcomed a twelve million dollar grant on Monday.",
                None
            ),
            one("12000000", "USD")
        );
        assert_eq!(
            found("It costs a hundred million dollars.", None),
            one("100000000", "USD")
        );
    }

    #[test]
    fn local_symbols_and_names() {
        assert_eq!(
            found("Gear valued at Le 9 million arrived.", None),
            one("9000000", "SLE")
        );
        assert_eq!(
            found("A lab worth P2.6 million opened.", Some("BW")),
            one("2600000", "BWP")
        );
        assert_eq!(
            found("Drugs valued at L15 million were sent.", Some("HN")),
            one("15000000", "HNL")
        );
        assert_eq!(
            found("Scanners worth N2.5 billion landed.", Some("NG")),
            one("2500000000", "NGN")
        );
        assert_eq!(
            found("Beds valued at J$18.5 million came.", None),
            one("18500000", "JMD")
        );
        assert_eq!(
            found("Kits valued at S/ 1.2 million came.", None),
            one("1200000", "PEN")
        );
        assert_eq!(
            found("A deal of 13.5 million tala was signed.", None),
            one("13500000", "WST")
        );
        assert_eq!(
            found("They gave 4.2 million zlotys for burns units.", None),
            one("4200000", "PLN")
        );
        assert_eq!(
            found("Ambulances valued at 52 million gourdes.", None),
            one("52000000", "HTG")
        );
        assert_eq!(
            found(
                "Clinics got Rf 3 million; later 2 million rufiyaa came.",
                None
            )
            .len(),
            2
        );
        assert_eq!(
            found("A credit of SDR 20.5 million was approved.", None),
            one("20500000", "XDR")
        );
        assert_eq!(
            found("A grant of T$2 million for Vaiola.", None),
            one("2000000", "TOP")
        );
    }

    #[test]
    fn single_letters_need_the_recipient_and_a_word_start() {
        assert!(found("Drugs valued at L15 million were sent.", None).is_empty());
        assert_eq!(
            found("GDP 5 million dollars is not a pula amount.", Some("BW")),
            one("5000000", "USD")
        );
    }

    #[test]
    fn numbers_beside_a_currency_code_that_are_not_money() {
        assert!(found("At the rate used, EUR 1 = USD 1.09 throughout.", None).is_empty());
        assert!(found("The project serves SDG 3 on good health.", None).is_empty());
        assert_eq!(
            found("Sudan's clinics received SDG 300 million.", None),
            one("300000000", "SDG")
        );
    }
}
