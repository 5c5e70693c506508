//! Money keeps its currency and value date; a converted figure keeps its rate, the rate's date
//! and its source. Amounts are decimals, never floats.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};

use crate::codes::CurrencyCode;
use crate::error::ValidationError;

/// An amount as a document or publisher states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.amount.is_sign_negative() && !self.amount.is_zero() {
            return Err(ValidationError::new(
                "amount",
                self.amount,
                "must not be negative",
            ));
        }
        Ok(())
    }
}

/// How a document qualifies a figure ("approximately 7 million", "more than 100", "up to").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
    use std::str::FromStr;

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
            Decimal::from_str(v.trim())
                .or_else(|_| Decimal::from_scientific(v.trim()))
                .map_err(|_| E::custom(format!("{v:?} is not a decimal number")))
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

    #[test]
    fn negative_amounts_are_refused_with_the_field_named() {
        let err = Money::new(Decimal::new(-5, 0), CurrencyCode::usd(), None).unwrap_err();
        assert_eq!(err.field, "amount");
        assert_eq!(err.value, "-5");
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
