//! Validating newtypes for the identifiers that come from outside: currency and country codes,
//! record identifiers, IATI organisation identifiers. Once built, a value is known good.

use std::collections::HashSet;
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Deserializer, Serialize};

use crate::error::{ProblemId, ValidationError};

const CURRENCIES_CSV: &str = include_str!("../data/currencies.csv");
const COUNTRIES_CSV: &str = include_str!("../data/countries.csv");

fn codes_from(csv_text: &'static str) -> HashSet<&'static str> {
    csv_text
        .lines()
        .skip(1)
        .filter_map(|line| line.split(',').next())
        .filter(|code| !code.is_empty())
        .collect()
}

fn withdrawn_from(csv_text: &'static str) -> HashSet<&'static str> {
    csv_text
        .lines()
        .skip(1)
        .filter(|line| line.ends_with(",1"))
        .filter_map(|line| line.split(',').next())
        .collect()
}

fn known_currencies() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| codes_from(CURRENCIES_CSV))
}

fn withdrawn_currencies() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| withdrawn_from(CURRENCIES_CSV))
}

fn known_countries() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| codes_from(COUNTRIES_CSV))
}

const CURRENCY_REFUSAL: &str = "not an ISO 4217 currency code (e.g. USD, JPY, KZT)";
const COUNTRY_REFUSAL: &str = "not an ISO 3166-1 alpha-2 country code (e.g. KZ, UA, JP)";
const ID_REFUSAL: &str = "an id is 1-200 characters of letters, digits, '-', '_', '.', ':', with at least one letter or digit";
const IATI_ORG_ID_REFUSAL: &str =
    "an IATI organisation identifier looks like AGENCY-PREFIX-NUMBER, e.g. XM-DAC-701-8";

/// The message id of a code's refusal found in `message`: a record read through serde carries
/// the refusal of its codes only as text (`currency = "XYZ": not an ISO 4217 …`).
pub fn problem_in(message: &str) -> Option<ProblemId> {
    [
        (CURRENCY_REFUSAL, ProblemId::NotACurrencyCode),
        (COUNTRY_REFUSAL, ProblemId::NotACountryCode),
        (ID_REFUSAL, ProblemId::NotAnId),
        (IATI_ORG_ID_REFUSAL, ProblemId::NotAnIatiOrgId),
    ]
    .into_iter()
    .find_map(|(sentence, id)| message.contains(sentence).then_some(id))
}

macro_rules! string_newtype_serde {
    ($ty:ident) => {
        impl Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                $ty::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
        // Debug shows the text as a quoted string, so a message built with `{:?}` never shows
        // the type's name (`RecordId("…")`) to a user.
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl $ty {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl std::str::FromStr for $ty {
            type Err = ValidationError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
    };
}

/// ISO 4217 alphabetic code, checked against the IATI Currency codelist shipped in `data/`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
// The code list's own `&'static str`: 16 bytes and no allocation per amount (a million flows
// each held a `String` of three letters).
pub struct CurrencyCode(&'static str);
string_newtype_serde!(CurrencyCode);

impl CurrencyCode {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let code = raw.trim();
        match known_currencies().get(code) {
            Some(known) if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) => {
                Ok(Self(known))
            }
            _ => Err(ValidationError::new("currency", raw, CURRENCY_REFUSAL)
                .because(ProblemId::NotACurrencyCode)),
        }
    }

    pub fn usd() -> Self {
        Self("USD")
    }

    /// Withdrawn codes (e.g. BYR) stay valid for historic records; checks warn about them.
    pub fn is_withdrawn(&self) -> bool {
        withdrawn_currencies().contains(self.0)
    }

    /// Decimal places of the currency's minor unit (ISO 4217 exponent), used to round converted figures.
    pub fn minor_unit_digits(&self) -> u32 {
        const ZERO: &[&str] = &[
            "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
            "VND", "VUV", "XAF", "XOF", "XPF",
        ];
        const THREE: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];
        if ZERO.contains(&self.0) {
            0
        } else if THREE.contains(&self.0) {
            3
        } else {
            2
        }
    }
}

/// ISO 3166-1 alpha-2 code, checked against the IATI Country codelist.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode(&'static str);
string_newtype_serde!(CountryCode);

impl CountryCode {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let code = raw.trim();
        if let Some(known) = known_countries().get(code).filter(|_| code.len() == 2) {
            Ok(Self(known))
        } else {
            Err(ValidationError::new("country", raw, COUNTRY_REFUSAL)
                .because(ProblemId::NotACountryCode))
        }
    }
}

/// Identifier of a record inside aidtrace: short, stable, URL- and CLI-safe.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
// Shared, not copied: a flow's `activity`, the indexes and every finding about a record hold
// the same allocation as the record's own id (`Ledger` interns them), and a clone is a count.
pub struct RecordId(std::sync::Arc<str>);
string_newtype_serde!(RecordId);

impl RecordId {
    pub const MAX_LEN: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':');
        // At least one letter or digit: ids of punctuation alone ("." and ".." above all) read
        // as path segments in URLs and file names.
        if raw.is_empty()
            || raw.len() > Self::MAX_LEN
            || !raw.chars().all(ok_char)
            || !raw.chars().any(|c| c.is_ascii_alphanumeric())
        {
            return Err(ValidationError::new("id", raw, ID_REFUSAL).because(ProblemId::NotAnId));
        }
        Ok(Self(raw.into()))
    }
}

/// IATI organisation identifier such as `XM-DAC-701-8` (registration agency prefix, then the
/// agency's number). Checked for shape only: the agency list changes faster than releases.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IatiOrgId(String);
string_newtype_serde!(IatiOrgId);

impl IatiOrgId {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/');
        let mut parts = raw.splitn(3, '-');
        let prefix_ok = matches!((parts.next(), parts.next(), parts.next()), (Some(a), Some(b), Some(_)) if !a.is_empty() && !b.is_empty());
        if !prefix_ok || raw.len() > 200 || !raw.chars().all(ok_char) {
            return Err(
                ValidationError::new("iati_org_id", raw, IATI_ORG_ID_REFUSAL)
                    .because(ProblemId::NotAnIatiOrgId),
            );
        }
        Ok(Self(raw.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currencies_from_the_codelist_parse_and_others_do_not() {
        assert!(CurrencyCode::parse("JPY").is_ok());
        assert!(CurrencyCode::parse("KZT").is_ok());
        assert!(CurrencyCode::parse("UAH").is_ok());
        let err = CurrencyCode::parse("XYZ").unwrap_err();
        assert_eq!(err.field, "currency");
        assert_eq!(err.value, "XYZ");
        assert!(CurrencyCode::parse("jpy").is_err());
        assert!(CurrencyCode::parse("").is_err());
    }

    #[test]
    fn countries_from_the_codelist_parse() {
        assert!(CountryCode::parse("KZ").is_ok());
        assert!(CountryCode::parse("UA").is_ok());
        assert!(CountryCode::parse("QQ").is_err());
    }

    #[test]
    fn iati_org_ids_need_an_agency_prefix() {
        assert!(IatiOrgId::parse("XM-DAC-701-8").is_ok());
        assert!(IatiOrgId::parse("JP-IN-1234").is_ok());
        assert!(IatiOrgId::parse("nonsense").is_err());
        assert!(IatiOrgId::parse("XM DAC 701").is_err());
    }

    #[test]
    fn record_ids_reject_spaces_and_empty() {
        assert!(RecordId::parse("act-jp-kz-semey").is_ok());
        assert!(RecordId::parse("").is_err());
        assert!(RecordId::parse("a b").is_err());
    }
}
