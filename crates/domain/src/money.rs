//! Money keeps its currency and value date; a converted figure keeps its rate, the rate's date
//! and its source. Amounts are decimals, never floats.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};

use crate::codes::CurrencyCode;
use crate::error::{ProblemId, ValidationError};

/// An amount as a document or publisher states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"amount": "108700000", "currency": "JPY", "value_date": "2024-05-29"})))]
#[serde(deny_unknown_fields)]
pub struct Money {
    #[serde(with = "exact_decimal")]
    pub amount: Decimal,
    pub currency: CurrencyCode,
    /// The date the amount is valued at (IATI `value-date`); conversions use the rate of this date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_date: Option<NaiveDate>,
}

impl Money {
    pub fn new(
        amount: Decimal,
        currency: CurrencyCode,
        value_date: Option<NaiveDate>,
    ) -> Result<Self, ValidationError> {
        let money = Self {
            amount,
            currency,
            value_date,
        };
        money.validate()?;
        Ok(money)
    }

    /// Aid amounts are never negative here: a reversal is its own flow, so totals stay explainable.
    /// They are bounded by [`MAX_AMOUNT`] so that no realistic ledger's sums can overflow.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.amount.is_sign_negative() && !self.amount.is_zero() {
            return Err(negative("amount", self.amount));
        }
        within_bound("amount", self.amount)?;
        if let Some(d) = self.value_date {
            crate::model::plausible_date("value_date", d)?;
        }
        Ok(())
    }
}

/// The largest amount aidtrace accepts, in any currency: 10^18.
///
/// Why this number: the largest economies measured in their own currency units (Iran in rials,
/// Indonesia in rupiah, Viet Nam in dong) have annual GDPs of about 10^16 to 10^17 units, so no
/// real aid flow, budget or price comes near 10^18 units of any currency in use. Yet a
/// `rust_decimal` holds up to about 7.9 × 10^28, so ten billion flows at the bound still add up
/// without overflow, and an amount at the bound keeps ten decimal places exactly. Conversions
/// into a currency with a large rate (or totals of data written before this bound) can still
/// exceed the range; totals then show "overflow" and `check` reports LEDGER-OVERFLOW.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(0xA764_0000, 0x0DE0_B6B3, 0, false, 0);

/// The refusal of a negative amount in `field`.
pub fn negative(field: &str, amount: Decimal) -> ValidationError {
    ValidationError::new(field, amount, "must not be negative")
        .because(crate::error::ProblemId::Negative)
}

/// Refuses an amount above [`MAX_AMOUNT`], naming the field.
pub fn within_bound(field: &str, amount: Decimal) -> Result<(), ValidationError> {
    if amount.abs() > MAX_AMOUNT {
        return Err(ValidationError::new(
            field,
            amount,
            "is larger than any aid amount can be: at most 1000000000000000000 (10^18) units of any currency are accepted",
        )
        .because(crate::error::ProblemId::TooLarge));
    }
    Ok(())
}

/// A sum as pages show it: trailing zeros dropped down to the currency's minor unit, never
/// past it, and nothing rounded (100.500 USD is 100.50, 100 USD is 100.00, 108,700,000.0 JPY
/// is 108,700,000, 0.125 USD stays 0.125). A sum that dropped its trailing zero read
/// "12,425,000.5 USD" on a page. JSON, CSV and the CLI write sums normalised, as before
/// (`exact_decimal`, `Sum`'s `Display`).
pub fn in_minor_units(amount: Decimal, currency: &CurrencyCode) -> Decimal {
    let mut shown = amount.normalize();
    let digits = currency.minor_unit_digits();
    if shown.scale() < digits {
        // Only zeros are added; near a decimal's 28 digits `rescale` adds as many as fit
        // (1e27 USD gets one decimal), and never changes the value.
        shown.rescale(digits);
    }
    shown
}

/// A converted sum as reports give it: rounded to the currency's minor unit (half to even,
/// as each conversion is) and written to it ([`in_minor_units`]). Totals, scoped totals, the
/// summary and the flows list each did these two steps themselves.
pub fn rounded_to_minor_unit(amount: Decimal, currency: &CurrencyCode) -> Decimal {
    let rounded = amount.round_dp_with_strategy(
        currency.minor_unit_digits(),
        rust_decimal::RoundingStrategy::MidpointNearestEven,
    );
    in_minor_units(rounded, currency)
}

/// Parses a decimal amount written as text ("68790.50", "1.2e6") and refuses one whose digits
/// cannot all be kept: `rust_decimal` holds 28 to 29 significant digits and would otherwise round
/// the rest away silently (29 decimal places, or a long integer part with many decimals).
pub fn parse_exact(text: &str) -> Result<Decimal, InexactDecimal> {
    use std::str::FromStr;
    let t = text.trim();
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], t[i + 1..].parse::<i64>().ok()),
        None => (t, Some(0)),
    };
    let parsed = if t.contains(['e', 'E']) {
        Decimal::from_scientific(t)
    } else {
        Decimal::from_str(t)
    };
    let (Ok(value), Some(exponent)) = (parsed, exponent) else {
        return Err(InexactDecimal {
            text: text.to_string(),
            problem: ProblemId::NotADecimal,
        });
    };
    // The decimal places the text writes, after the exponent moves the point.
    let written = mantissa
        .split_once('.')
        .map_or(0, |(_, f)| f.bytes().filter(u8::is_ascii_digit).count());
    let written = i64::try_from(written)
        .unwrap_or(i64::MAX)
        .saturating_sub(exponent)
        .max(0);
    if i64::from(value.scale()) != written {
        return Err(InexactDecimal {
            text: text.to_string(),
            problem: ProblemId::TooManyDigits,
        });
    }
    Ok(value)
}

/// Why [`parse_exact`] refused a text: not a decimal at all ([`ProblemId::NotADecimal`]), or
/// one with more digits than can be kept ([`ProblemId::TooManyDigits`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InexactDecimal {
    pub text: String,
    pub problem: ProblemId,
}

impl std::fmt::Display for InexactDecimal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = &self.text;
        if self.problem == ProblemId::TooManyDigits {
            write!(
                f,
                "{text:?} has more digits than can be kept exactly (at most 28 significant digits); it is refused rather than rounded"
            )
        } else {
            write!(f, "{text:?} is not a decimal number")
        }
    }
}

/// How a document qualifies a figure ("approximately 7 million", "more than 100", "up to").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Qualifier {
    Exactly,
    Approximately,
    MoreThan,
    AtLeast,
    UpTo,
    Nearly,
}

/// A figure a document states as the equivalent of an amount ("108.7 million yen (approximately 7
/// million US dollars)"). It is a claim kept beside the amount, never used in its place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StatedEquivalent {
    #[serde(with = "exact_decimal")]
    pub amount: Decimal,
    pub currency: CurrencyCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualifier: Option<Qualifier>,
}

/// Serde for decimal amounts that refuses JSON floats: `108.7` as a JSON number has already been
/// rounded to binary by the time we see it, so only strings ("108.7") and integers are accepted.
pub mod exact_decimal {
    use super::*;
    use serde::de::{self, Visitor};
    use std::fmt;

    pub fn serialize<S: serde::Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&value.normalize().to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        d.deserialize_any(ExactDecimal)
    }

    struct ExactDecimal;

    impl Visitor<'_> for ExactDecimal {
        type Value = Decimal;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a decimal amount as a string (\"108700000\", \"68790.50\") or an integer")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
            super::parse_exact(v).map_err(E::custom)
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
            Err(E::custom(format!(
                "{v} is a binary floating-point number; write amounts as strings, e.g. \"{v}\", to keep them exact"
            )))
        }
    }

    /// The same, for optional fields.
    pub mod option {
        use super::*;

        pub fn serialize<S: serde::Serializer>(
            value: &Option<Decimal>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Some(v) => super::serialize(v, s),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
            #[derive(Deserialize)]
            struct Wrapped(#[serde(with = "super")] Decimal);
            Ok(Option::<Wrapped>::deserialize(d)?.map(|Wrapped(v)| v))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever text comes in, the parser either keeps it exactly or refuses it; it never
        /// panics and never returns a rounded value.
        #[test]
        fn parse_exact_keeps_or_refuses(int in "[0-9]{0,30}", frac in "[0-9]{0,32}") {
            let text = format!("{int}.{frac}");
            if let Ok(d) = parse_exact(&text) {
                let int = int.trim_start_matches('0');
                let frac = frac.trim_end_matches('0');
                let canonical = format!(
                    "{}{}{}",
                    if int.is_empty() { "0" } else { int },
                    if frac.is_empty() { "" } else { "." },
                    frac
                );
                prop_assert_eq!(d.normalize().to_string(), canonical);
            }
        }
    }

    proptest! {
        /// A sum written to its currency's minor unit keeps its value, never panics, and has
        /// exactly the currency's decimals unless its own digits go further.
        #[test]
        fn a_sum_keeps_its_value_and_the_currency_decimals(
            m in any::<i64>(),
            scale in 0u32..=28,
            currency in prop::sample::select(vec!["USD", "JPY", "KWD", "KZT"]),
        ) {
            let d = Decimal::new(m, scale);
            let currency = CurrencyCode::parse(currency).unwrap();
            let shown = in_minor_units(d, &currency);
            prop_assert_eq!(shown, d);
            let digits = currency.minor_unit_digits();
            let own = d.normalize().scale();
            if own >= digits {
                prop_assert_eq!(shown.scale(), own);
            } else if d.abs() < Decimal::from(10u64.pow(18)) {
                prop_assert_eq!(shown.scale(), digits);
            }
        }
    }

    #[test]
    fn sums_show_the_minor_unit_and_nothing_is_rounded() {
        let usd = CurrencyCode::usd();
        let jpy = CurrencyCode::parse("JPY").unwrap();
        let shown = |text: &str, c: &CurrencyCode| {
            in_minor_units(text.parse::<Decimal>().unwrap(), c).to_string()
        };
        assert_eq!(shown("12425000.5", &usd), "12425000.50");
        assert_eq!(shown("100", &usd), "100.00");
        assert_eq!(shown("100.500", &usd), "100.50");
        assert_eq!(shown("0.125", &usd), "0.125");
        assert_eq!(shown("108700000.0", &jpy), "108700000");
    }

    #[test]
    fn negative_amounts_are_refused_with_the_field_named() {
        let err = Money::new(Decimal::new(-5, 0), CurrencyCode::usd(), None).unwrap_err();
        assert_eq!(err.field, "amount");
        assert_eq!(err.value, "-5");
    }

    #[test]
    fn amounts_beyond_the_bound_are_refused_with_the_field_named() {
        assert!(Money::new(MAX_AMOUNT, CurrencyCode::usd(), None).is_ok());
        let err = Money::new(MAX_AMOUNT + Decimal::ONE, CurrencyCode::usd(), None).unwrap_err();
        assert_eq!(err.field, "amount");
        assert!(err.message.contains("10^18"), "{err}");
        assert_eq!(MAX_AMOUNT, Decimal::from(10u64.pow(18)));
    }

    #[test]
    fn value_dates_outside_the_plausible_years_are_refused() {
        for bad in ["0000-01-01", "1899-12-31", "2101-01-01"] {
            let d = NaiveDate::parse_from_str(bad, "%Y-%m-%d").unwrap();
            let err = Money::new(Decimal::ONE, CurrencyCode::usd(), Some(d)).unwrap_err();
            assert_eq!(err.field, "value_date", "{bad}");
        }
        let ok = NaiveDate::from_ymd_opt(2100, 12, 31);
        assert!(Money::new(Decimal::ONE, CurrencyCode::usd(), ok).is_ok());
    }

    #[test]
    fn twenty_nine_decimal_places_are_refused_not_rounded() {
        let err = parse_exact("0.12345678901234567890123456789")
            .unwrap_err()
            .to_string();
        assert!(err.contains("refused rather than rounded"), "{err}");
        // A long integer part with many decimals would be rounded to fewer places, too.
        assert!(parse_exact("123456789012345678.123456789012").is_err());
        let err = serde_json::from_str::<Money>(
            r#"{"amount":"1.00000000000000000000000000001","currency":"USD"}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("rounded"), "{err}");
    }

    #[test]
    fn exact_amounts_keep_every_digit() {
        for (text, want) in [
            ("68790.50", "68790.50"),
            ("44414.824494500004", "44414.824494500004"),
            (
                "0.1234567890123456789012345678",
                "0.1234567890123456789012345678",
            ),
            ("1.2e6", "1200000"),
            ("1.25E1", "12.5"),
            ("2.5e-3", "0.0025"),
            (" 7 ", "7"),
        ] {
            assert_eq!(parse_exact(text).unwrap().to_string(), want, "{text}");
        }
        assert!(parse_exact("abc").is_err());
        assert!(parse_exact("1e-30").is_err());
    }

    #[test]
    fn amounts_deserialize_from_strings_and_integers_but_not_floats() {
        let m: Money = serde_json::from_str(r#"{"amount":"108.7","currency":"JPY"}"#).unwrap();
        assert_eq!(m.amount, Decimal::new(1087, 1));
        let m: Money = serde_json::from_str(r#"{"amount":68790,"currency":"USD"}"#).unwrap();
        assert_eq!(m.amount, Decimal::from(68790));
        let err =
            serde_json::from_str::<Money>(r#"{"amount":108.7,"currency":"JPY"}"#).unwrap_err();
        assert!(err.to_string().contains("floating-point"), "{err}");
        let err =
            serde_json::from_str::<Money>(r#"{"amount":"abc","currency":"JPY"}"#).unwrap_err();
        assert!(err.to_string().contains("\"abc\""), "{err}");
        let err = serde_json::from_str::<Money>(r#"{"amount":"1","currency":"XXQ"}"#).unwrap_err();
        assert!(err.to_string().contains("XXQ"), "{err}");
    }
}
