//! What the rate table covers: per currency and source, the first and last date with a rate.
//! Shown by `aidtrace fx coverage` and the `/rates` page so a reader sees where conversions turn
//! provisional (after the last date) or impossible (before the first).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::{Frequency, RateOrigin, RateTable, ecb};
use crate::codes::CurrencyCode;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageRow {
    pub currency: CurrencyCode,
    pub source: String,
    pub frequency: Frequency,
    pub origin: RateOrigin,
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub rates: usize,
}

impl RateTable {
    /// One row per currency, source, frequency and origin, sorted by currency then source.
    pub fn coverage(&self) -> Vec<CoverageRow> {
        let mut rows: BTreeMap<(CurrencyCode, String, Frequency, bool), CoverageRow> =
            BTreeMap::new();
        for e in self.entries() {
            let key = (
                e.currency.clone(),
                e.source.clone(),
                e.frequency,
                e.origin == RateOrigin::Imported,
            );
            let row = rows.entry(key).or_insert_with(|| CoverageRow {
                currency: e.currency.clone(),
                source: e.source.clone(),
                frequency: e.frequency,
                origin: e.origin,
                first: e.date,
                last: e.date,
                rates: 0,
            });
            row.first = row.first.min(e.date);
            row.last = row.last.max(e.date);
            row.rates += 1;
        }
        if let Some(table) = self.ecb() {
            for currency in table.currencies() {
                let Some((first, last, count)) = table.span(&currency) else {
                    continue;
                };
                rows.insert(
                    (
                        currency.clone(),
                        ecb::ECB_SOURCE.to_string(),
                        Frequency::Daily,
                        false,
                    ),
                    CoverageRow {
                        currency,
                        source: ecb::ECB_SOURCE.to_string(),
                        frequency: Frequency::Daily,
                        origin: RateOrigin::BuiltIn,
                        first: first.date,
                        last: last.date,
                        rates: count,
                    },
                );
            }
        }
        rows.into_values().collect()
    }
}

impl Frequency {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Annual => "annual",
            Self::Monthly => "monthly",
            Self::Daily => "daily",
        }
    }
}

impl RateOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BuiltIn => "built_in",
            Self::Imported => "imported",
        }
    }
}
