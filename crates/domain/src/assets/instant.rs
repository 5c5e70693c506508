//! Times of asset history: one parser for what people type (CLI and web share it), the rule
//! against times in the future, and a serde reader that accepts UTC offsets in records files.
//!
//! Stored times are UTC instants without offset. The clock is not read here: callers pass `now`.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Timelike};

use crate::error::ValidationError;

/// How far past `now` a time may lie: clocks of phones and laptops drift by minutes.
pub const FUTURE_TOLERANCE_MINUTES: i64 = 10;

/// What [`parse`] accepts, for messages.
pub const FORMATS: &str = "YYYY-MM-DD (the start of that day, UTC), YYYY-MM-DDTHH:MM[:SS] (UTC), \
     or with an offset: YYYY-MM-DDTHH:MM[:SS]Z or ±HH:MM";

pub fn whole_seconds(t: NaiveDateTime) -> NaiveDateTime {
    t.with_nanosecond(0).unwrap_or(t)
}

/// Parses a time as the instant it names, in UTC. A bare date means the start of that day
/// (00:00:00 UTC) everywhere, so a date typed in the CLI and on the web is the same instant. A
/// time with an offset (`2025-03-01T10:00:00+05:00`) is converted to UTC (05:00:00); a time
/// without one is UTC. Fractions of a second are kept, so stored records read back unchanged.
pub fn parse(raw: &str) -> Option<NaiveDateTime> {
    let s = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.naive_utc());
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%d %H:%M%:z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(s, f) {
            return Some(t.naive_utc());
        }
    }
    let naive = s.strip_suffix('Z').unwrap_or(s);
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(naive, f) {
            return Some(t);
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
}

/// [`parse`] with an error naming the field and the value.
pub fn parse_field(field: &str, raw: &str) -> Result<NaiveDateTime, ValidationError> {
    parse(raw).ok_or_else(|| {
        ValidationError::new(field, raw, format!("expected {FORMATS}"))
            .because(crate::error::ProblemId::NotATime)
    })
}

/// Refuses a time later than `now` plus [`FUTURE_TOLERANCE_MINUTES`]: a report dated in the
/// future would make every real event after it "out of order" and lock the asset.
pub fn check_not_future(
    field: &str,
    at: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<(), ValidationError> {
    let limit = now + Duration::minutes(FUTURE_TOLERANCE_MINUTES);
    if at > limit {
        return Err(ValidationError::new(
            field,
            at,
            format!(
                "is in the future: now is {} UTC (at most {FUTURE_TOLERANCE_MINUTES} minutes ahead is accepted)",
                whole_seconds(now)
            ),
        )
        .because(crate::error::ProblemId::InTheFuture)
        .arg(
            "minutes",
            crate::error::ProblemArg::Text(FUTURE_TOLERANCE_MINUTES.to_string()),
        ));
    }
    Ok(())
}

/// Serde reader for record times: accepts what [`parse`] accepts (offsets included) and stores
/// the UTC instant; writing stays the plain UTC form, so stored records hash as before.
pub mod serde_utc {
    use chrono::NaiveDateTime;
    use serde::{Deserialize, Deserializer, de::Error};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDateTime, D::Error> {
        let raw = String::deserialize(d)?;
        super::parse(&raw).ok_or_else(|| {
            D::Error::custom(format!(
                "{raw:?} is not a time: expected {}",
                super::FORMATS
            ))
        })
    }

    pub mod option {
        use chrono::NaiveDateTime;
        use serde::{Deserialize, Deserializer, de::Error};

        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<NaiveDateTime>, D::Error> {
            match Option::<String>::deserialize(d)? {
                None => Ok(None),
                Some(raw) => crate::assets::instant::parse(&raw)
                    .map(Some)
                    .ok_or_else(|| {
                        D::Error::custom(format!(
                            "{raw:?} is not a time: expected {}",
                            crate::assets::instant::FORMATS
                        ))
                    }),
            }
        }
    }
}
