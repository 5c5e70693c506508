//! Figures and moments as a reader of each language writes them, and numbers read back in the
//! form a page displays them ("68 790,50" in Russian, "68,790.50" in English), so a figure copied
//! from a page into a form is accepted. Numbers and dates themselves are in `i18n`
//! (`number`, `date`); this module adds rates, percentages, times and the number reader.
//!
//! Imports nothing from the crate but `i18n`.

use chrono::{DateTime, NaiveDateTime};
use rust_decimal::Decimal;

use super::i18n::{self, Lang};

pub use aidtrace_domain::fx::{RATE_DIGITS, significant};

/// A rate rounded to [`RATE_DIGITS`] significant digits (whole part always kept), trailing
/// zeros dropped, in the reader's number format: 151.3662913027518 → "151.366". Lists,
/// summaries and derived rates use it; a published rate is shown as published.
pub fn rate(d: Decimal) -> String {
    i18n::number(significant(d, RATE_DIGITS))
}

/// A percentage: "50%" in English, "50 %" (no-break space, as CLDR writes it) in Russian,
/// Ukrainian and Kazakh.
pub fn percent(d: Decimal) -> String {
    let n = i18n::number(d.normalize());
    match i18n::current() {
        Lang::En => format!("{n}%"),
        Lang::Ru | Lang::Uk | Lang::Kk => format!("{n}\u{a0}%"),
    }
}

/// A number stored as exact decimal text (list cells shared with the CSV) in the reader's
/// format; text that is not a number is shown as it is.
pub fn number_text(raw: &str) -> String {
    raw.parse::<Decimal>()
        .map_or_else(|_| raw.to_string(), i18n::number)
}

/// An ISO date stored as text in the reader's format; other text as it is.
pub fn date_text(raw: &str) -> String {
    raw.parse::<chrono::NaiveDate>()
        .map_or_else(|_| raw.to_string(), i18n::date)
}

/// A moment without seconds' fractions: "2025-03-01 10:00" (en) or "01.03.2025 10:00".
pub fn datetime(at: NaiveDateTime) -> String {
    match i18n::current() {
        Lang::En => at.format("%Y-%m-%d %H:%M").to_string(),
        Lang::Ru | Lang::Uk | Lang::Kk => at.format("%d.%m.%Y %H:%M").to_string(),
    }
}

/// A stored RFC 3339 timestamp (audit entries, changes) in UTC, to the second: "2026-12-06
/// 08:16:40 UTC" (en) or "06.12.2026 08:16:40 UTC". Text that is not a timestamp is shown as
/// it is, so a page never fails on it.
pub fn timestamp(raw: &str) -> String {
    let Ok(at) = DateTime::parse_from_rfc3339(raw.trim()) else {
        return raw.to_string();
    };
    let at = at.naive_utc();
    let shown = match i18n::current() {
        Lang::En => at.format("%Y-%m-%d %H:%M:%S"),
        Lang::Ru | Lang::Uk | Lang::Kk => at.format("%d.%m.%Y %H:%M:%S"),
    };
    format!("{shown} UTC")
}

/// Reads a number as a page in `lang` displays it, or as plain machine text: grouping spaces
/// (ordinary, no-break, narrow or thin) are dropped; in Russian, Ukrainian and Kazakh a comma is
/// the decimal sign; in English a comma groups thousands when every group after it has three
/// digits, and is otherwise read as a decimal comma. A point is always a decimal point, except
/// that a text using both signs takes the last one as the decimal sign. The result keeps every
/// written digit (`money::parse_exact`): nothing is rounded.
pub fn parse_number(lang: Lang, raw: &str) -> Result<Decimal, String> {
    let compact: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '\''))
        .collect();
    let refused = || format!("{raw:?} is not a decimal number");
    if compact.is_empty() {
        return Err(refused());
    }
    let commas = compact.matches(',').count();
    let points = compact.matches('.').count();
    let canonical = match (commas, points) {
        (0, _) => compact,
        (_, 0) => {
            let groups_of_three = compact
                .split(',')
                .skip(1)
                .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
            if lang == Lang::En && groups_of_three {
                compact.replace(',', "")
            } else if commas == 1 {
                compact.replace(',', ".")
            } else {
                return Err(refused());
            }
        }
        _ => {
            let last_comma = compact.rfind(',').unwrap_or(0);
            let last_point = compact.rfind('.').unwrap_or(0);
            if last_point > last_comma && points == 1 {
                compact.replace(',', "")
            } else if last_comma > last_point && commas == 1 {
                compact.replace('.', "").replace(',', ".")
            } else {
                return Err(refused());
            }
        }
    };
    // Exponents are for machine text only; a page never shows one.
    if canonical.contains(['e', 'E']) && canonical != raw.trim() {
        return Err(refused());
    }
    aidtrace_domain::money::parse_exact(&canonical).map_err(|_| refused())
}

/// An exact decimal with the current language's separators.
pub fn group_digits(d: Decimal) -> String {
    i18n::number(d)
}

/// A sum as a page shows it: grouped digits, or the word for a sum beyond a decimal's range.
pub fn sum_cell(s: aidtrace_domain::totals::Sum) -> String {
    match s {
        aidtrace_domain::totals::Sum::Exact(d) => group_digits(d),
        aidtrace_domain::totals::Sum::Overflow => i18n::t("totals-overflow"),
    }
}

/// An amount with its currency ("68,790.50 USD").
pub fn money(m: &aidtrace_domain::Money) -> String {
    format!("{} {}", group_digits(m.amount), m.currency)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn dec(s: &str) -> Decimal {
        s.parse().expect("decimal")
    }

    #[test]
    fn rates_keep_six_significant_digits() {
        i18n::scope(Lang::En, || {
            assert_eq!(rate(dec("151.3662913027518")), "151.366");
            assert_eq!(rate(dec("0.006606543")), "0.00660654");
            assert_eq!(rate(dec("1")), "1");
            assert_eq!(rate(dec("12345678.91")), "12,345,679");
        });
        i18n::scope(Lang::Ru, || assert_eq!(rate(dec("151.3662913")), "151,366"));
    }

    #[test]
    fn percentages_follow_the_language() {
        i18n::scope(Lang::En, || assert_eq!(percent(dec("50.0")), "50%"));
        i18n::scope(Lang::Uk, || assert_eq!(percent(dec("12.5")), "12,5\u{a0}%"));
    }

    #[test]
    fn times_have_no_fractions_of_seconds() {
        let raw = "2026-12-06T08:16:40.123456Z";
        i18n::scope(Lang::En, || {
            assert_eq!(timestamp(raw), "2026-12-06 08:16:40 UTC");
        });
        i18n::scope(Lang::Kk, || {
            assert_eq!(timestamp(raw), "06.12.2026 08:16:40 UTC");
            let at = NaiveDateTime::parse_from_str("2025-03-01 10:00:59.5", "%Y-%m-%d %H:%M:%S%.f")
                .expect("time");
            assert_eq!(datetime(at), "01.03.2025 10:00");
        });
        assert_eq!(timestamp("not a time"), "not a time");
    }

    #[test]
    fn numbers_are_read_as_the_page_shows_them() {
        assert_eq!(
            parse_number(Lang::Ru, "68\u{a0}790,50"),
            Ok(dec("68790.50"))
        );
        assert_eq!(parse_number(Lang::Ru, "68 790,50"), Ok(dec("68790.50")));
        assert_eq!(parse_number(Lang::En, "68,790.50"), Ok(dec("68790.50")));
        assert_eq!(parse_number(Lang::En, "68790.50"), Ok(dec("68790.50")));
        assert_eq!(parse_number(Lang::Uk, "68790.50"), Ok(dec("68790.50")));
        assert_eq!(parse_number(Lang::En, "1,234"), Ok(dec("1234")));
        assert_eq!(parse_number(Lang::Ru, "1,234"), Ok(dec("1.234")));
        assert_eq!(parse_number(Lang::En, "12,5"), Ok(dec("12.5")));
        assert_eq!(parse_number(Lang::Kk, "-1 000,5"), Ok(dec("-1000.5")));
    }

    #[test]
    fn ambiguous_or_broken_numbers_are_refused() {
        for raw in ["", "1,2,3", "1.2.3", "1,2.3,4", "abc", "1 2e5", "--1"] {
            assert!(parse_number(Lang::Ru, raw).is_err(), "{raw:?}");
        }
    }

    fn any_decimal() -> impl Strategy<Value = Decimal> {
        (any::<i64>(), 0u32..=10).prop_map(|(m, scale)| Decimal::new(m, scale))
    }

    proptest! {
        /// What a page shows is read back as the same number, in every language.
        #[test]
        fn display_then_parse_round_trips(d in any_decimal(), lang in 0usize..4) {
            let lang = Lang::ALL[lang];
            let shown = i18n::scope(lang, || i18n::number(d));
            prop_assert_eq!(parse_number(lang, &shown), Ok(d));
        }

        /// No text makes the reader panic.
        #[test]
        fn any_text_is_read_or_refused(raw in "\\PC{0,24}", lang in 0usize..4) {
            let _ = parse_number(Lang::ALL[lang], &raw);
        }

        /// Rounding to significant digits keeps a rate within half a unit of its last digit.
        #[test]
        fn rates_stay_close(m in 1i64..i64::MAX, scale in 0u32..=12) {
            let d = Decimal::new(m, scale);
            let r = significant(d, RATE_DIGITS);
            let diff = (r - d).abs();
            prop_assert!(diff <= d * Decimal::new(5, 6), "{d} -> {r}");
        }
    }
}
