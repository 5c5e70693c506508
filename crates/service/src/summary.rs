//! Totals as the dashboard shows them: per row the sums, and the distinct rates used (currency,
//! rate, rate date, basis, source, number of flows) instead of one entry per flow, so the page
//! and the dashboard JSON stay small at a million flows. The full per-flow detail is
//! `/api/v1/reports/totals`. The web pages and the CLI both summarise through here.

use std::collections::BTreeMap;

use aidtrace_domain::filter::Filter;
use aidtrace_domain::fx::RateTable;
use aidtrace_domain::ledger::RateDateBasis;
use aidtrace_domain::model::FlowKind;
use aidtrace_domain::totals::{GroupBy, Sum, TotalsReport, totals_where};
use aidtrace_domain::{CurrencyCode, Ledger};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct RateSummary {
    pub currency: CurrencyCode,
    pub rate: Decimal,
    pub rate_date: NaiveDate,
    pub basis: RateDateBasis,
    pub source: String,
    /// `Some(rate date)`: the latest rate, used because none covers the flows' date.
    pub provisional: Option<NaiveDate>,
    pub flows: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct RowSummary {
    pub key: String,
    pub kind: FlowKind,
    pub original: BTreeMap<CurrencyCode, Sum>,
    pub converted: Option<Sum>,
    pub converted_complete: bool,
    pub flows: usize,
    pub unconverted: usize,
    pub rates: Vec<RateSummary>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TotalsSummary {
    pub by: &'static str,
    pub currency: CurrencyCode,
    pub rule: &'static str,
    pub attribution: &'static str,
    /// The conditions the totals were computed under.
    pub filter: Filter,
    pub rows: Vec<RowSummary>,
}

impl TotalsSummary {
    pub fn of(report: &TotalsReport) -> Self {
        let rows = report
            .rows
            .iter()
            .map(|row| {
                type Key = (CurrencyCode, NaiveDate, String, String, Option<NaiveDate>);
                let mut rates: BTreeMap<Key, RateSummary> = BTreeMap::new();
                for u in &row.rates {
                    let basis = serde_json::to_string(&u.rate_date_basis).unwrap_or_default();
                    rates
                        .entry((
                            u.original_currency.clone(),
                            u.rate_date,
                            u.rate.to_string(),
                            basis,
                            u.provisional,
                        ))
                        .or_insert_with(|| RateSummary {
                            currency: u.original_currency.clone(),
                            rate: u.rate,
                            rate_date: u.rate_date,
                            basis: u.rate_date_basis,
                            source: u.source.clone(),
                            provisional: u.provisional,
                            flows: 0,
                        })
                        .flows += 1;
                }
                RowSummary {
                    key: row.key.clone(),
                    kind: row.kind,
                    original: row.original.clone(),
                    converted: row.converted,
                    converted_complete: row.converted_complete,
                    flows: row.flows.len(),
                    unconverted: row.unconverted.len(),
                    rates: rates.into_values().collect(),
                }
            })
            .collect();
        Self {
            by: report.by.as_str(),
            currency: report.currency.clone(),
            rule: report.rule,
            attribution: report.attribution,
            filter: report.filter.clone(),
            rows,
        }
    }
}

/// One line of the time series: a flow kind and its (year, converted sum) points.
pub type Series = (String, Vec<(i32, Decimal)>);

/// Converted sums by flow kind and year of the date converted for (the value date, or the date
/// the rate was taken from when there is none), and how many flows had no value date.
pub fn by_year(report: &TotalsReport) -> (Vec<Series>, usize) {
    let mut by_kind_year: BTreeMap<(FlowKind, i32), Sum> = BTreeMap::new();
    let mut fallback = 0;
    for row in &report.rows {
        for u in &row.rates {
            if u.rate_date_basis != RateDateBasis::ValueDate {
                fallback += 1;
            }
            let point = by_kind_year
                .entry((row.kind, u.converted_for.year()))
                .or_insert(Sum::ZERO);
            *point = point.plus(u.converted_amount);
        }
    }
    let series = FlowKind::ALL
        .iter()
        .filter_map(|kind| {
            let pts: Vec<(i32, Decimal)> = by_kind_year
                .iter()
                .filter(|((k, _), _)| k == kind)
                // A year whose sum overflowed has no height to draw; the totals table beside the
                // chart shows it as overflow.
                .filter_map(|((_, y), v)| Some((*y, v.exact()?)))
                .collect();
            (!pts.is_empty()).then(|| (kind.as_str().to_string(), pts))
        })
        .collect();
    (series, fallback)
}

/// How many flows of a grouping are converted at a provisional rate (each flow is counted once:
/// use a grouping that does not split flows, such as by donor).
pub fn provisional_flows(report: &TotalsSummary) -> usize {
    report
        .rows
        .iter()
        .flat_map(|r| &r.rates)
        .filter(|r| r.provisional.is_some())
        .map(|r| r.flows)
        .sum()
}

/// What the dashboard shows for one filter: the summarised totals of each grouping, the time
/// series by kind and year, and how many flows the series places by a fallback date.
#[derive(Debug, Clone)]
pub struct Figures {
    pub totals: BTreeMap<&'static str, TotalsSummary>,
    pub series: Vec<Series>,
    pub dated_by_fallback: usize,
}

/// The dashboard's figures under `filter`, each grouping through the one totals implementation.
pub fn figures(ledger: &Ledger, rates: &RateTable, groups: &[GroupBy], filter: &Filter) -> Figures {
    let mut totals = BTreeMap::new();
    let mut series = Vec::new();
    let mut dated_by_fallback = 0;
    for g in groups {
        // The full report holds one rate entry per flow; only its summary is kept.
        let report = totals_where(ledger, rates, *g, filter);
        if *g == GroupBy::Year {
            (series, dated_by_fallback) = by_year(&report);
        }
        totals.insert(g.as_str(), TotalsSummary::of(&report));
    }
    Figures {
        totals,
        series,
        dated_by_fallback,
    }
}
