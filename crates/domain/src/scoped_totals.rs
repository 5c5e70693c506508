//! Totals of a chosen set of flows (an organisation's, an activity's, a region's share), per flow
//! kind and year, under the rules of [`crate::totals`]: envelopes, void pledges of cancelled
//! activities and claims are left out the same way, reversals subtract, every operation is
//! checked. Kinds are never added together; years of one kind may be (same kind).

use std::collections::BTreeMap;

use chrono::Datelike;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::codes::{CurrencyCode, RecordId};
use crate::fx::{ConversionError, RateTable};
use crate::ledger::Ledger;
use crate::model::{Flow, FlowKind};
use crate::totals::{ExcludedFlow, Sum, exclusion};

/// The sum of one flow kind in one year (the value date's; `None` when undated).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KindTotal {
    pub kind: FlowKind,
    /// Year of the value date; absent for the all-years row and for undated flows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// Sum in each original currency, exact (or overflow).
    pub original: BTreeMap<CurrencyCode, Sum>,
    /// Sum of the converted shares; `None` when nothing could be converted.
    pub converted: Option<Sum>,
    /// False when some flows could not be converted: the converted sum is then partial.
    pub converted_complete: bool,
    /// How many of the flows are converted provisionally (at the latest rate available).
    pub provisional: usize,
    pub flows: Vec<RecordId>,
}

/// Totals of a set of flows: per kind over all years, and per kind and year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScopedTotals {
    pub currency: CurrencyCode,
    /// One row per kind, all years together, in the kinds' order.
    pub by_kind: Vec<KindTotal>,
    /// One row per kind and year, by kind then year (undated last).
    pub by_kind_and_year: Vec<KindTotal>,
    /// Flows of the set left out of the sums, with the reason.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub excluded: Vec<ExcludedFlow>,
}

impl ScopedTotals {
    /// The all-years row of a kind.
    pub fn of_kind(&self, kind: FlowKind) -> Option<&KindTotal> {
        self.by_kind.iter().find(|r| r.kind == kind)
    }
}

fn empty(kind: FlowKind, year: Option<i32>) -> KindTotal {
    KindTotal {
        kind,
        year,
        original: BTreeMap::new(),
        converted: None,
        converted_complete: true,
        provisional: 0,
        flows: Vec::new(),
    }
}

/// Adds one flow's share to a row. Stored amounts are not trusted to be within the bound, so
/// every operation is checked and an overflow becomes the row's value.
fn add(
    row: &mut KindTotal,
    flow: &Flow,
    share: Decimal,
    conversion: &Result<crate::fx::Conversion, ConversionError>,
) {
    let signed = |amount: Decimal| {
        amount
            .checked_mul(share)
            .and_then(|v| v.checked_mul(flow.sign()))
    };
    let original = row
        .original
        .entry(flow.money.currency.clone())
        .or_insert(Sum::ZERO);
    *original = original.plus_checked(signed(flow.money.amount));
    if !row.flows.contains(&flow.id) {
        row.flows.push(flow.id.clone());
    }
    match conversion {
        Ok(c) => {
            row.converted = Some(
                row.converted
                    .unwrap_or(Sum::ZERO)
                    .plus_checked(signed(c.amount)),
            );
            if c.provisional.is_some() {
                row.provisional += 1;
            }
        }
        Err(ConversionError::Overflow) => row.converted = Some(Sum::Overflow),
        Err(_) => row.converted_complete = false,
    }
}

/// Sums `parts` (a flow and the share of it that belongs to the scope, 1 for the whole flow)
/// per kind and per kind and year, converted into `currency` at each flow's rate date. A flow
/// listed twice is counted twice: callers pass each flow once.
pub fn scoped_totals<'a>(
    ledger: &Ledger,
    rates: &RateTable,
    currency: &CurrencyCode,
    parts: impl IntoIterator<Item = (&'a Flow, Decimal)>,
) -> ScopedTotals {
    let mut by_kind: BTreeMap<FlowKind, KindTotal> = BTreeMap::new();
    // Undated sorts last: `(kind, None)` would sort first, so the key uses i32::MAX for it.
    let mut by_year: BTreeMap<(FlowKind, i32), KindTotal> = BTreeMap::new();
    let mut excluded = Vec::new();
    for (flow, share) in parts {
        if let Some(why) = exclusion(ledger, flow) {
            excluded.push(ExcludedFlow {
                flow: flow.id.clone(),
                why,
            });
            continue;
        }
        let conversion = ledger
            .convert_flow(flow, rates, currency)
            .map(|(c, _, _)| c);
        let year = flow.money.value_date.map(|d| d.year());
        add(
            by_kind
                .entry(flow.kind)
                .or_insert_with(|| empty(flow.kind, None)),
            flow,
            share,
            &conversion,
        );
        add(
            by_year
                .entry((flow.kind, year.unwrap_or(i32::MAX)))
                .or_insert_with(|| empty(flow.kind, year)),
            flow,
            share,
            &conversion,
        );
    }
    let finish = |mut row: KindTotal| {
        row.converted = row
            .converted
            .map(|v| v.map(|d| crate::money::rounded_to_minor_unit(d, currency)));
        for (currency, v) in &mut row.original {
            *v = v.map(|d| crate::money::in_minor_units(d, currency));
        }
        row
    };
    ScopedTotals {
        currency: currency.clone(),
        by_kind: by_kind.into_values().map(finish).collect(),
        by_kind_and_year: by_year.into_values().map(finish).collect(),
        excluded,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Record;

    fn ledger(json: &str) -> Ledger {
        let records: Vec<Record> = serde_json::from_str(json).unwrap();
        Ledger::from_records(records)
    }

    const BASE: &str = r#"[
        {"record":"activity","id":"a","title":"A","instrument":"grant_aid","status":"implementation"},
        {"record":"flow","id":"c1","activity":"a","kind":"commitment","money":{"amount":"100","currency":"USD","value_date":"2024-01-02"}},
        {"record":"flow","id":"d1","activity":"a","kind":"disbursement","money":{"amount":"30","currency":"USD","value_date":"2024-03-01"}},
        {"record":"flow","id":"d2","activity":"a","kind":"disbursement","money":{"amount":"20","currency":"USD","value_date":"2025-03-01"}},
        {"record":"flow","id":"d3","activity":"a","kind":"disbursement","reversal":true,"money":{"amount":"5","currency":"USD","value_date":"2025-04-01"}}
    ]"#;

    #[test]
    fn kinds_are_never_added_together_and_reversals_subtract() {
        let l = ledger(BASE);
        let t = scoped_totals(
            &l,
            &RateTable::default(),
            &CurrencyCode::usd(),
            l.flows.values().map(|f| (f, Decimal::ONE)),
        );
        let c = t.of_kind(FlowKind::Commitment).unwrap();
        assert_eq!(c.converted, Some(Sum::Exact(Decimal::from(100))));
        let d = t.of_kind(FlowKind::Disbursement).unwrap();
        assert_eq!(d.converted, Some(Sum::Exact(Decimal::from(45))));
        let years: Vec<(FlowKind, Option<i32>)> = t
            .by_kind_and_year
            .iter()
            .map(|r| (r.kind, r.year))
            .collect();
        assert_eq!(
            years,
            vec![
                (FlowKind::Commitment, Some(2024)),
                (FlowKind::Disbursement, Some(2024)),
                (FlowKind::Disbursement, Some(2025)),
            ]
        );
        let d2025 = &t.by_kind_and_year[2];
        assert_eq!(d2025.converted, Some(Sum::Exact(Decimal::from(15))));
    }

    #[test]
    fn a_share_takes_its_part_of_each_flow() {
        let l = ledger(BASE);
        let half = Decimal::new(5, 1);
        let t = scoped_totals(
            &l,
            &RateTable::default(),
            &CurrencyCode::usd(),
            l.flows.values().map(|f| (f, half)),
        );
        let c = t.of_kind(FlowKind::Commitment).unwrap();
        assert_eq!(c.converted, Some(Sum::Exact(Decimal::from(50))));
    }

    #[test]
    fn an_envelope_is_excluded_with_its_reason() {
        let json = r#"[
            {"record":"activity","id":"a","title":"A","instrument":"grant_aid","status":"implementation"},
            {"record":"flow","id":"env","activity":"a","kind":"commitment","money":{"amount":"100","currency":"USD"}},
            {"record":"flow","id":"part","activity":"a","kind":"commitment","parent_flow":"env","money":{"amount":"60","currency":"USD"}}
        ]"#;
        let l = ledger(json);
        let t = scoped_totals(
            &l,
            &RateTable::default(),
            &CurrencyCode::usd(),
            l.flows.values().map(|f| (f, Decimal::ONE)),
        );
        assert_eq!(t.excluded.len(), 1);
        assert_eq!(t.excluded[0].flow.as_str(), "env");
        let c = t.of_kind(FlowKind::Commitment).unwrap();
        assert_eq!(
            c.original.get(&CurrencyCode::usd()),
            Some(&Sum::Exact(Decimal::from(60)))
        );
    }

    #[test]
    fn an_amount_beyond_a_decimal_is_overflow_not_a_panic() {
        let json = r#"[
            {"record":"activity","id":"a","title":"A","instrument":"grant_aid","status":"implementation"},
            {"record":"flow","id":"x","activity":"a","kind":"commitment","money":{"amount":"79228162514264337593543950335","currency":"USD"}},
            {"record":"flow","id":"y","activity":"a","kind":"commitment","money":{"amount":"79228162514264337593543950335","currency":"USD"}}
        ]"#;
        let l = ledger(json);
        let t = scoped_totals(
            &l,
            &RateTable::default(),
            &CurrencyCode::usd(),
            l.flows.values().map(|f| (f, Decimal::ONE)),
        );
        let c = t.of_kind(FlowKind::Commitment).unwrap();
        assert_eq!(c.original.get(&CurrencyCode::usd()), Some(&Sum::Overflow));
    }
}
