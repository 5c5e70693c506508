//! Lexical checks for the XSD built-in types the IATI schemas use (XSD 1.0 part 2).

use super::Datatype;

/// True when `raw` is in the lexical space of `dt` (after XSD whitespace collapsing).
pub fn check(dt: Datatype, raw: &str) -> bool {
    let v = raw.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r'));
    match dt {
        Datatype::String => true,
        Datatype::Decimal => is_decimal(v),
        Datatype::Date => is_date(v),
        Datatype::DateTime => is_datetime(v),
        Datatype::AnyUri => is_any_uri(v),
        Datatype::Boolean => matches!(v, "true" | "false" | "1" | "0"),
        Datatype::Int => integer(v).is_some_and(|(neg, digits)| {
            let mag: u64 = digits.parse().unwrap_or(u64::MAX);
            if neg {
                mag <= 2_147_483_648
            } else {
                mag <= 2_147_483_647
            }
        }),
        Datatype::PositiveInteger => {
            integer(v).is_some_and(|(neg, d)| !neg && d.bytes().any(|b| b != b'0'))
        }
        Datatype::NonNegativeInteger => {
            integer(v).is_some_and(|(neg, d)| !neg || d.bytes().all(|b| b == b'0'))
        }
        Datatype::NmToken => !v.is_empty() && v.chars().all(is_name_char),
        Datatype::Language => v.is_empty() || is_language(v),
    }
}

fn integer(v: &str) -> Option<(bool, &str)> {
    let (neg, digits) = match v.as_bytes().first()? {
        b'-' => (true, &v[1..]),
        b'+' => (false, &v[1..]),
        _ => (false, v),
    };
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some((neg, digits))
}

/// `[+-]?(\d+(\.\d*)?|\.\d+)` — no exponent, unlike xs:double.
pub fn is_decimal(v: &str) -> bool {
    let v = v.strip_prefix(['+', '-']).unwrap_or(v);
    let (int, frac) = match v.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (v, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    match frac {
        None => !int.is_empty() && digits(int),
        Some(f) => digits(int) && digits(f) && !(int.is_empty() && f.is_empty()),
    }
}

fn two(b: &[u8]) -> Option<u32> {
    (b.len() == 2 && b.iter().all(u8::is_ascii_digit))
        .then(|| u32::from(b[0] - b'0') * 10 + u32::from(b[1] - b'0'))
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// Parses `-?YYYY-MM-DD` and returns the rest of the string.
fn date_part(v: &str) -> Option<&str> {
    let (neg, body) = match v.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, v),
    };
    let dash = body.find('-')?;
    let ys = &body[..dash];
    if ys.len() < 4
        || !ys.bytes().all(|b| b.is_ascii_digit())
        || (ys.len() > 4 && ys.starts_with('0'))
    {
        return None;
    }
    let year: i64 = ys.parse().ok()?;
    if year == 0 {
        return None;
    }
    let rest = &body.as_bytes()[dash + 1..];
    if rest.len() < 5 || rest[2] != b'-' {
        return None;
    }
    let month = two(&rest[..2])?;
    let day = two(&rest[3..5])?;
    let year = if neg { -year } else { year };
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(&body[dash + 1 + 5..])
}

fn timezone(tz: &str) -> bool {
    if tz.is_empty() || tz == "Z" {
        return true;
    }
    let b = tz.as_bytes();
    if b.len() != 6 || !matches!(b[0], b'+' | b'-') || b[3] != b':' {
        return false;
    }
    match (two(&b[1..3]), two(&b[4..6])) {
        (Some(h), Some(m)) => m < 60 && (h < 14 || (h == 14 && m == 0)),
        _ => false,
    }
}

pub fn is_date(v: &str) -> bool {
    date_part(v).is_some_and(timezone)
}

pub fn is_datetime(v: &str) -> bool {
    let Some(rest) = date_part(v) else {
        return false;
    };
    let Some(t) = rest.strip_prefix('T') else {
        return false;
    };
    let b = t.as_bytes();
    if b.len() < 8 || b[2] != b':' || b[5] != b':' {
        return false;
    }
    let (Some(h), Some(m), Some(s)) = (two(&b[..2]), two(&b[3..5]), two(&b[6..8])) else {
        return false;
    };
    let mut rest = &t[8..];
    let mut frac_nonzero = false;
    if let Some(f) = rest.strip_prefix('.') {
        let n = f.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        frac_nonzero = f[..n].bytes().any(|b| b != b'0');
        rest = &f[n..];
    }
    let time_ok = (h < 24 && m < 60 && s < 60) || (h == 24 && m == 0 && s == 0 && !frac_nonzero);
    time_ok && timezone(rest)
}

/// libxml2 accepts almost any string as xs:anyURI; it rejects only what cannot be
/// escaped into a URI reference. We mirror that leniency: no control characters.
fn is_any_uri(v: &str) -> bool {
    !v.chars().any(|c| c.is_control())
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ':' | '\u{B7}')
}

fn is_language(v: &str) -> bool {
    let mut parts = v.split('-');
    let first = parts.next().unwrap_or("");
    let ok_first = (1..=8).contains(&first.len()) && first.bytes().all(|b| b.is_ascii_alphabetic());
    ok_first
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decimals() {
        for ok in ["1", "-1.5", "+.5", "5.", "0001.000", " 12 "] {
            assert!(check(Datatype::Decimal, ok), "{ok}");
        }
        for bad in ["", ".", "1e-10", "1,000", "--1", "NaN", "1.2.3"] {
            assert!(!check(Datatype::Decimal, bad), "{bad}");
        }
    }

    #[test]
    fn dates_and_datetimes() {
        for ok in [
            "2020-02-29",
            "2019-12-31Z",
            "2019-12-31+05:30",
            "12345-01-01",
        ] {
            assert!(check(Datatype::Date, ok), "{ok}");
        }
        for bad in [
            "2019-02-29",
            "2019-13-01",
            "19-01-01",
            "2019-1-01",
            "2019-01-01T00:00:00",
            "0000-01-01",
        ] {
            assert!(!check(Datatype::Date, bad), "{bad}");
        }
        for ok in [
            "2019-01-01T00:00:00",
            "2019-01-01T24:00:00Z",
            "2019-01-01T10:11:12.123+01:00",
        ] {
            assert!(check(Datatype::DateTime, ok), "{ok}");
        }
        for bad in [
            "2019-01-01",
            "2019-01-01T25:00:00",
            "2019-01-01T10:11",
            "2019-01-01T10:11:12.",
        ] {
            assert!(!check(Datatype::DateTime, bad), "{bad}");
        }
    }

    #[test]
    fn integers_booleans_languages() {
        assert!(check(Datatype::Int, "-2147483648"));
        assert!(!check(Datatype::Int, "2147483648"));
        assert!(!check(Datatype::PositiveInteger, "0"));
        assert!(check(Datatype::NonNegativeInteger, "-0"));
        assert!(!check(Datatype::NonNegativeInteger, "-1"));
        assert!(check(Datatype::Boolean, "1"));
        assert!(!check(Datatype::Boolean, "yes"));
        assert!(check(Datatype::Language, "en-GB"));
        assert!(!check(Datatype::Language, "english language"));
    }

    proptest! {
        #[test]
        fn decimal_agrees_with_rust_decimal(s in "[+-]?[0-9]{0,6}(\\.[0-9]{0,6})?") {
            let ours = is_decimal(&s);
            let theirs = s.parse::<rust_decimal::Decimal>().is_ok();
            // rust_decimal accepts "5." and rejects nothing we accept except the bare forms.
            if ours { prop_assert!(theirs || s.ends_with('.') || s.starts_with(['+', '.']) || s.starts_with("-."), "{s}"); }
        }

        #[test]
        fn date_agrees_with_chrono(y in 1000i32..3000, m in 1u32..13, d in 1u32..32) {
            let s = format!("{y:04}-{m:02}-{d:02}");
            prop_assert_eq!(is_date(&s), chrono::NaiveDate::from_ymd_opt(y, m, d).is_some());
        }
    }
}
