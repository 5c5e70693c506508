//! GS1 element strings as a barcode scanner types them into a field: GTIN (AI 01), expiry (17),
//! batch/lot (10) and serial (21), written with parentheses (`(01)09501101020917(17)261231(10)A1`)
//! or raw, where a variable-length field ends at a group separator (ASCII 29, FNC1) or at the
//! end. A symbology identifier (`]C1`, `]d2`, `]Q3`, `]e0`) in front is skipped.
//!
//! Dates follow the GS1 General Specifications (section 7.12): the century is the one that puts
//! the year nearest to today (at most 49 years ahead, 50 behind), and day `00` means the last day
//! of the month.

use chrono::{Datelike, NaiveDate};

/// ASCII group separator: what FNC1 becomes when a scanner types a GS1 barcode.
pub const GROUP_SEPARATOR: char = '\u{1d}';

/// The fields of one scanned element string.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Gs1Fields {
    pub gtin: Option<String>,
    pub expiry: Option<NaiveDate>,
    pub lot: Option<String>,
    pub serial: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Gs1Error {
    #[error("empty element string")]
    Empty,
    #[error(
        "AI ({0}) is not one aidtrace reads: use 01 (GTIN), 17 (expiry), 10 (lot) or 21 (serial)"
    )]
    UnknownAi(String),
    #[error("AI ({ai}) appears twice")]
    Repeated { ai: &'static str },
    #[error("AI ({ai}) needs {expected} characters, found {found:?}")]
    WrongLength {
        ai: &'static str,
        expected: usize,
        found: String,
    },
    #[error("a GTIN is 8, 12, 13 or 14 digits, found {0:?}")]
    GtinDigits(String),
    #[error("GTIN {gtin} has check digit {found}, expected {expected}")]
    CheckDigit {
        gtin: String,
        found: char,
        expected: char,
    },
    #[error("expiry {0:?} is not a date (YYMMDD)")]
    ImpossibleDate(String),
    #[error("AI ({ai}) value {value:?} must be 1 to 20 GS1 characters")]
    BadText { ai: &'static str, value: String },
}

impl Gs1Error {
    /// The packing-line field the error is about, so forms can name it.
    pub fn field(&self) -> &'static str {
        match self {
            Self::Empty | Self::UnknownAi(_) | Self::Repeated { .. } => "gs1",
            Self::WrongLength { ai, .. } | Self::BadText { ai, .. } => match *ai {
                "01" => "gtin",
                "17" => "expiry",
                "10" => "lot",
                _ => "serial",
            },
            Self::GtinDigits(_) | Self::CheckDigit { .. } => "gtin",
            Self::ImpossibleDate(_) => "expiry",
        }
    }
}

/// The GS1 mod-10 check digit of `body` (all digits but the last).
fn check_digit(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| u32::from(d - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    // `sum % 10` is below 10, so the cast cannot truncate.
    #[allow(clippy::cast_possible_truncation)]
    let r = (10 - (sum % 10) as u8) % 10;
    r
}

/// Verifies a GTIN-8/12/13/14 and its check digit.
pub fn check_gtin(gtin: &str) -> Result<(), Gs1Error> {
    let b = gtin.as_bytes();
    if !matches!(b.len(), 8 | 12 | 13 | 14) || !b.iter().all(u8::is_ascii_digit) {
        return Err(Gs1Error::GtinDigits(gtin.to_string()));
    }
    let (body, last) = b.split_at(b.len() - 1);
    let expected = check_digit(body);
    if last[0] - b'0' != expected {
        return Err(Gs1Error::CheckDigit {
            gtin: gtin.to_string(),
            found: char::from(last[0]),
            expected: char::from(b'0' + expected),
        });
    }
    Ok(())
}

/// Reads a GS1 YYMMDD date; `today` picks the century.
pub fn parse_date(raw: &str, today: NaiveDate) -> Result<NaiveDate, Gs1Error> {
    let bad = || Gs1Error::ImpossibleDate(raw.to_string());
    if raw.len() != 6 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| raw.get(r).and_then(|s| s.parse::<u32>().ok());
    let (yy, mm, dd) = match (num(0..2), num(2..4), num(4..6)) {
        (Some(y), Some(m), Some(d)) => (i32::try_from(y).map_err(|_| bad())?, m, d),
        _ => return Err(bad()),
    };
    let this_year = today.year();
    let century = this_year - this_year.rem_euclid(100);
    let diff = yy - this_year.rem_euclid(100);
    let year = if diff >= 51 {
        century - 100 + yy
    } else if diff <= -50 {
        century + 100 + yy
    } else {
        century + yy
    };
    if dd == 0 {
        // Day 00: the last day of the month.
        let first_of_next = if mm == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, mm + 1, 1)
        };
        return match (NaiveDate::from_ymd_opt(year, mm, 1), first_of_next) {
            (Some(_), Some(next)) => next.pred_opt().ok_or_else(bad),
            _ => Err(bad()),
        };
    }
    NaiveDate::from_ymd_opt(year, mm, dd).ok_or_else(bad)
}

/// GS1 AI 82 character set: what a lot or serial may hold.
fn gs1_text(ai: &'static str, value: &str) -> Result<String, Gs1Error> {
    let ok = !value.is_empty()
        && value.len() <= 20
        && value.bytes().all(|b| {
            b.is_ascii_graphic()
                && !matches!(
                    b,
                    b'(' | b')'
                        | b'~'
                        | b'\\'
                        | b'`'
                        | b'@'
                        | b'['
                        | b']'
                        | b'{'
                        | b'}'
                        | b'^'
                        | b'|'
                        | b'$'
                        | b'#'
                )
        });
    if ok {
        Ok(value.to_string())
    } else {
        Err(Gs1Error::BadText {
            ai,
            value: value.to_string(),
        })
    }
}

/// Parses one element string. `today` resolves the century of the expiry date.
pub fn parse(input: &str, today: NaiveDate) -> Result<Gs1Fields, Gs1Error> {
    let mut s = input.trim_matches(|c: char| c.is_whitespace() && c != GROUP_SEPARATOR);
    for prefix in ["]C1", "]d2", "]Q3", "]e0", "]J1"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest;
        }
    }
    s = s.trim_start_matches(GROUP_SEPARATOR);
    if s.is_empty() {
        return Err(Gs1Error::Empty);
    }
    let elements = if s.starts_with('(') {
        bracketed(s)?
    } else {
        raw(s)?
    };
    let mut out = Gs1Fields::default();
    for (ai, value) in elements {
        match ai {
            "01" => {
                if out.gtin.is_some() {
                    return Err(Gs1Error::Repeated { ai });
                }
                if value.len() != 14 {
                    return Err(Gs1Error::WrongLength {
                        ai,
                        expected: 14,
                        found: value,
                    });
                }
                check_gtin(&value)?;
                out.gtin = Some(value);
            }
            "17" => {
                if out.expiry.is_some() {
                    return Err(Gs1Error::Repeated { ai });
                }
                out.expiry = Some(parse_date(&value, today)?);
            }
            "10" => {
                if out.lot.is_some() {
                    return Err(Gs1Error::Repeated { ai });
                }
                out.lot = Some(gs1_text(ai, &value)?);
            }
            _ => {
                if out.serial.is_some() {
                    return Err(Gs1Error::Repeated { ai: "21" });
                }
                out.serial = Some(gs1_text("21", &value)?);
            }
        }
    }
    Ok(out)
}

/// The AIs read here, with their fixed length (`None`: variable, up to 20).
fn known_ai(ai: &str) -> Option<(&'static str, Option<usize>)> {
    match ai {
        "01" => Some(("01", Some(14))),
        "17" => Some(("17", Some(6))),
        "10" => Some(("10", None)),
        "21" => Some(("21", None)),
        _ => None,
    }
}

/// `(01)…(17)…(10)…`: each value runs to the next `(` (group separators, if typed, are dropped).
fn bracketed(s: &str) -> Result<Vec<(&'static str, String)>, Gs1Error> {
    let mut out = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        let Some(after_open) = rest.strip_prefix('(') else {
            return Err(Gs1Error::UnknownAi(rest.chars().take(4).collect()));
        };
        let Some(close) = after_open.find(')') else {
            return Err(Gs1Error::UnknownAi(after_open.to_string()));
        };
        let (ai_raw, tail) = after_open.split_at(close);
        let tail = &tail[1..];
        let (ai, _) = known_ai(ai_raw).ok_or_else(|| Gs1Error::UnknownAi(ai_raw.to_string()))?;
        let end = tail.find('(').unwrap_or(tail.len());
        let value: String = tail[..end]
            .chars()
            .filter(|&c| c != GROUP_SEPARATOR)
            .collect();
        out.push((ai, value));
        rest = &tail[end..];
    }
    Ok(out)
}

/// Raw: fixed-length AIs take their length, variable ones run to a group separator or the end.
fn raw(s: &str) -> Result<Vec<(&'static str, String)>, Gs1Error> {
    let mut out = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        let ai_raw = rest.get(..2).unwrap_or(rest);
        let (ai, fixed) =
            known_ai(ai_raw).ok_or_else(|| Gs1Error::UnknownAi(ai_raw.to_string()))?;
        let tail = &rest[2..];
        let (value, next) = match fixed {
            Some(n) => {
                let value = tail
                    .get(..n)
                    .filter(|v| !v.contains(GROUP_SEPARATOR))
                    .ok_or_else(|| Gs1Error::WrongLength {
                        ai,
                        expected: n,
                        found: tail.split(GROUP_SEPARATOR).next().unwrap_or("").to_string(),
                    })?;
                (value, &tail[n..])
            }
            None => match tail.find(GROUP_SEPARATOR) {
                Some(i) => (&tail[..i], &tail[i..]),
                None => (tail, ""),
            },
        };
        out.push((ai, value.to_string()));
        rest = next.trim_start_matches(GROUP_SEPARATOR);
    }
    Ok(out)
}

/// Writes fields back as a bracketed element string (for tests and for showing what was read).
pub fn to_bracketed(f: &Gs1Fields) -> String {
    let mut s = String::new();
    if let Some(g) = &f.gtin {
        s.push_str(&format!("(01){g}"));
    }
    if let Some(d) = f.expiry {
        s.push_str(&format!("(17){}", d.format("%y%m%d")));
    }
    if let Some(l) = &f.lot {
        s.push_str(&format!("(10){l}"));
    }
    if let Some(x) = &f.serial {
        s.push_str(&format!("(21){x}"));
    }
    s
}
