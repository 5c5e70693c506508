//! Numbers as press releases write them: digit groups in three conventions (western "11,703",
//! Indian "16, 05,750", spaced "498 000"), decimal points before a scale word ("¥1.560 billion"),
//! scale words including crore and lakh, and spelled-out numbers ("three-point-two").
//!
//! Everything is `Decimal` with checked arithmetic: a number too large for `Decimal` (about 7.9e28)
//! is `None`, never a wrap-around or a panic.

use rust_decimal::Decimal;

/// Longest digit string accepted; longer ones cannot be money and would overflow anyway.
const MAX_DIGITS: usize = 28;

/// Parses a digit string as found in text. Grouping separators (`,`, space, no-break space, thin
/// space, `.` when it separates several three-digit groups) are removed; a single `.` or a
/// trailing `,dd` is the decimal mark.
pub fn parse_digits(raw: &str) -> Option<Decimal> {
    let s: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}'))
        .collect();
    if s.is_empty() || !s.chars().next()?.is_ascii_digit() {
        return None;
    }
    let dots = s.matches('.').count();
    let commas = s.matches(',').count();
    let normalised = if dots > 0 && commas > 0 {
        // Both marks: the last one is the decimal mark, the other groups thousands.
        let last_dot = s.rfind('.')?;
        let last_comma = s.rfind(',')?;
        if last_dot > last_comma {
            s.replace(',', "")
        } else {
            s.replace('.', "").replace(',', ".")
        }
    } else if dots > 1 {
        s.replace('.', "")
    } else if commas == 1 {
        // "4,5" (decimal comma) versus "11,703" (thousands): three digits after the comma group.
        let after = s.rsplit(',').next()?.len();
        if after == 3 {
            s.replace(',', "")
        } else if commas == 1
            && after <= 2
            && !s.starts_with('0')
            && s.split(',').next()?.len() <= 3
        {
            s.replace(',', ".")
        } else {
            s.replace(',', "")
        }
    } else {
        s.replace(',', "")
    };
    let digit_count = normalised.chars().filter(char::is_ascii_digit).count();
    if digit_count > MAX_DIGITS {
        return None;
    }
    normalised.parse::<Decimal>().ok()
}

/// Multiplier of a scale word, or `None` when the word is not a scale.
pub fn scale_factor(word: &str) -> Option<Decimal> {
    let w = word.trim().trim_end_matches('.').to_ascii_lowercase();
    let exp: u32 = match w.as_str() {
        "hundred" => 2,
        "thousand" | "k" => 3,
        "lakh" | "lakhs" | "lac" | "lacs" => 5,
        "million" | "millions" | "mln" | "mn" | "m" | "mio" => 6,
        "crore" | "crores" | "cr" => 7,
        "billion" | "billions" | "bn" | "bln" => 9,
        "trillion" | "trillions" | "tn" => 12,
        _ => return None,
    };
    Some(Decimal::from(10u64.pow(exp)))
}

fn unit_word(w: &str) -> Option<u32> {
    Some(match w {
        "zero" | "nil" => 0,
        "one" | "a" | "an" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "thirteen" => 13,
        "fourteen" => 14,
        "fifteen" => 15,
        "sixteen" => 16,
        "seventeen" => 17,
        "eighteen" => 18,
        "nineteen" => 19,
        "twenty" => 20,
        "thirty" => 30,
        "forty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        "seventy" => 70,
        "eighty" => 80,
        "ninety" => 90,
        _ => return None,
    })
}

/// True for words that can be part of a spelled-out number.
pub fn is_number_word(w: &str) -> bool {
    let w = w.to_ascii_lowercase();
    (unit_word(&w).is_some() && w != "a" && w != "an")
        || matches!(w.as_str(), "hundred" | "point" | "dozen")
}

/// Parses a spelled-out number below one thousand, optionally with "point" decimals:
/// "three-point-two", "two hundred and fifty", "a hundred", "twenty five".
/// Scale words (thousand, million) are handled by the caller.
pub fn parse_number_words(raw: &str) -> Option<Decimal> {
    let lower = raw.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || c == '-')
        .filter(|w| !w.is_empty() && *w != "and")
        .collect();
    // "a twelve million dollar grant": the article "a" is not the number one when another
    // number word follows it (it is in "a hundred").
    let words: Vec<&str> = words
        .iter()
        .enumerate()
        .filter(|&(i, w)| {
            *w != "a"
                || words
                    .get(i + 1)
                    .is_none_or(|n| matches!(*n, "hundred" | "dozen"))
        })
        .map(|(_, w)| *w)
        .collect();
    if words.is_empty() {
        return None;
    }
    let mut integer: u32 = 0;
    let mut current: u32 = 0;
    let mut seen = false;
    let mut iter = words.iter();
    let mut decimals = String::new();
    while let Some(w) = iter.next() {
        match *w {
            "point" => {
                for d in iter.by_ref() {
                    let v = unit_word(d).filter(|v| *v < 10)?;
                    decimals.push(char::from_digit(v, 10)?);
                }
                if decimals.is_empty() {
                    return None;
                }
                break;
            }
            "hundred" => {
                current = current.max(1).checked_mul(100)?;
                seen = true;
            }
            "dozen" => {
                current = current.max(1).checked_mul(12)?;
                seen = true;
            }
            other => {
                let v = unit_word(other)?;
                current = current.checked_add(v)?;
                seen = true;
            }
        }
    }
    if !seen {
        return None;
    }
    integer = integer.checked_add(current)?;
    let text = if decimals.is_empty() {
        integer.to_string()
    } else {
        format!("{integer}.{decimals}")
    };
    text.parse().ok()
}

/// Multiplies with overflow reported as `None`.
pub fn scaled(value: Decimal, factor: Option<Decimal>) -> Option<Decimal> {
    match factor {
        Some(f) => value.checked_mul(f),
        None => Some(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("test literal")
    }

    #[test]
    fn digit_conventions() {
        assert_eq!(parse_digits("108.7"), Some(d("108.7")));
        assert_eq!(parse_digits("11,703"), Some(d("11703")));
        assert_eq!(parse_digits("16, 05,750"), Some(d("1605750")));
        assert_eq!(parse_digits("498 000"), Some(d("498000")));
        assert_eq!(parse_digits("498\u{a0}000"), Some(d("498000")));
        assert_eq!(parse_digits("1.560"), Some(d("1.560")));
        assert_eq!(parse_digits("1.234.567"), Some(d("1234567")));
        assert_eq!(parse_digits("1.234.567,89"), Some(d("1234567.89")));
        assert_eq!(parse_digits("1,234,567.89"), Some(d("1234567.89")));
        assert_eq!(parse_digits("4,5"), Some(d("4.5")));
        assert_eq!(parse_digits("68,790"), Some(d("68790")));
        assert_eq!(parse_digits(""), None);
        assert_eq!(parse_digits("9".repeat(40).as_str()), None);
    }

    #[test]
    fn words() {
        assert_eq!(parse_number_words("three-point-two"), Some(d("3.2")));
        assert_eq!(parse_number_words("two hundred and fifty"), Some(d("250")));
        assert_eq!(parse_number_words("twenty five"), Some(d("25")));
        assert_eq!(parse_number_words("a"), Some(d("1")));
        assert_eq!(parse_number_words("point"), None);
        assert_eq!(parse_number_words("banana"), None);
    }

    #[test]
    fn scales() {
        assert_eq!(scale_factor("crore"), Some(d("10000000")));
        assert_eq!(scale_factor("lakh"), Some(d("100000")));
        assert_eq!(scale_factor("mln"), Some(d("1000000")));
        assert_eq!(scale_factor("bn"), Some(d("1000000000")));
        assert_eq!(scale_factor("apple"), None);
        // billions of billions still fit; a further factor overflows to None, never panics.
        let big = scaled(d("5"), scale_factor("trillion"))
            .and_then(|v| scaled(v, scale_factor("trillion")));
        assert_eq!(big, Some(d("5000000000000000000000000")));
        assert_eq!(big.and_then(|v| scaled(v, scale_factor("trillion"))), None);
    }

    proptest! {
        #[test]
        fn western_grouping_roundtrips(n in 0u64..1_000_000_000_000u64) {
            let plain = n.to_string();
            let mut grouped = String::new();
            for (i, c) in plain.chars().enumerate() {
                if i > 0 && (plain.len() - i) % 3 == 0 {
                    grouped.push(',');
                }
                grouped.push(c);
            }
            prop_assert_eq!(parse_digits(&grouped), Some(Decimal::from(n)));
            let spaced = grouped.replace(',', " ");
            prop_assert_eq!(parse_digits(&spaced), Some(Decimal::from(n)));
        }

        #[test]
        fn decimals_roundtrip(int in 0u32..100_000, frac in 0u32..1000) {
            let text = format!("{int}.{frac:03}");
            prop_assert_eq!(parse_digits(&text), Decimal::from_str(&text).ok());
        }

        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = parse_digits(&s);
            let _ = parse_number_words(&s);
            let _ = scale_factor(&s);
        }

        #[test]
        fn digit_soup_never_panics(s in "[0-9., \u{a0}]{0,60}") {
            let _ = parse_digits(&s);
        }
    }
}
