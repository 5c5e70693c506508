//! Totals as the dashboard shows them: per row the sums, and the distinct rates used (currency,
//! rate, rate date, basis, source, number of flows) instead of one entry per flow, so the page
//! and the dashboard JSON stay small at a million flows. The full per-flow detail is
//! `/api/v1/reports/totals`. The web pages and the CLI both summarise through here.

use std::collections::BTreeMap;

use aidtrace_domain::filter::Filter;
use aidtrace_domain::fx::ConversionError;
use aidtrace_domain::fx::RateTable;
use aidtrace_domain::ledger::RateDateBasis;
use aidtrace_domain::model::FlowKind;
use aidtrace_domain::totals::{Counted, GroupBy, Part, Sum, for_each_part};
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
    /// The legs `source` describes in English, for pages that word them in their language.
    #[serde(skip)]
    pub legs: Vec<aidtrace_domain::fx::RateLeg>,
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

/// One line of the time series: a flow kind and its (year, converted sum) points.
pub type Series = (String, Vec<(i32, Decimal)>);

/// How a rate is told apart in a row's summary.
type RateKey = (
    CurrencyCode,
    NaiveDate,
    RateText,
    &'static str,
    Option<NaiveDate>,
);

/// A rate as a summary orders it: by its text (as the summaries always have), without writing
/// the text for every part: two rates are only written out to be compared when they differ
/// (rare: currency and rate date come first in the key).
#[derive(Debug, Clone, Copy)]
struct RateText(Decimal);

impl Ord for RateText {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // Equal value and scale write the same text; anything else is told apart by the text,
        // so this agrees with comparing the strings.
        if self.0 == other.0 && self.0.scale() == other.0.scale() {
            return std::cmp::Ordering::Equal;
        }
        self.0.to_string().cmp(&other.0.to_string())
    }
}

impl PartialOrd for RateText {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for RateText {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}

impl Eq for RateText {}

/// Whether a report is being added to running sums or taken out of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sign {
    Add,
    Subtract,
}

/// The sums could not be taken apart exactly (an overflowed sum cannot be subtracted from):
/// compute them again from the whole ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Irreversible;

/// `total ± value`, counting the terms; subtracting from or with an overflow is
/// [`Irreversible`].
fn step(total: &mut (Sum, usize), value: Sum, sign: Sign) -> Result<(), Irreversible> {
    match sign {
        Sign::Add => {
            total.0 = match value {
                Sum::Exact(v) => total.0.plus(v),
                Sum::Overflow => Sum::Overflow,
            };
            total.1 += 1;
        }
        Sign::Subtract => {
            let (Sum::Exact(t), Sum::Exact(v)) = (total.0, value) else {
                return Err(Irreversible);
            };
            total.0 = Sum::Exact(t.checked_sub(v).ok_or(Irreversible)?);
            total.1 = total.1.checked_sub(1).ok_or(Irreversible)?;
        }
    }
    Ok(())
}

fn count(n: &mut usize, by: usize, sign: Sign) -> Result<(), Irreversible> {
    *n = match sign {
        Sign::Add => n.checked_add(by),
        Sign::Subtract => n.checked_sub(by),
    }
    .ok_or(Irreversible)?;
    Ok(())
}

/// The running sums of one row of a grouping: the unrounded sums with how many parts made
/// them, so parts can be taken out again and a row, a currency or a rate that no part is left
/// in disappears, as it would from a report of the whole ledger.
#[derive(Debug, Clone)]
struct RowAcc {
    original: BTreeMap<CurrencyCode, (Sum, usize)>,
    /// Parts converted, or whose conversion overflowed (both make `converted` a value).
    converted: (Sum, usize),
    /// Parts that could not be converted for another reason (the row is then incomplete).
    incomplete: usize,
    flows: usize,
    unconverted: usize,
    rates: BTreeMap<RateKey, RateSummary>,
    /// The decimal places of the converted terms, counted: a sum has the most places of its
    /// terms, so after a term goes the sum is shown with the places of those left.
    scales: BTreeMap<u32, usize>,
}

/// Counts one term's decimal places in or out.
fn scale_step(
    scales: &mut BTreeMap<u32, usize>,
    value: Decimal,
    sign: Sign,
) -> Result<(), Irreversible> {
    let n = scales.entry(value.scale()).or_default();
    count(n, 1, sign)?;
    if *n == 0 {
        scales.remove(&value.scale());
    }
    Ok(())
}

/// `value` with as many decimal places as the most any remaining term has.
fn places(value: Sum, scales: &BTreeMap<u32, usize>) -> Sum {
    value.map(|mut d| {
        d.rescale(scales.keys().next_back().copied().unwrap_or(0));
        d
    })
}

impl RowAcc {
    fn new() -> Self {
        Self {
            original: BTreeMap::new(),
            converted: (Sum::ZERO, 0),
            incomplete: 0,
            flows: 0,
            unconverted: 0,
            rates: BTreeMap::new(),
            scales: BTreeMap::new(),
        }
    }
}

/// The running sums behind one filter's [`Figures`]: reports of parts of a ledger are added
/// ([`Sign::Add`]) or taken out ([`Sign::Subtract`]) and [`FiguresAcc::finish`] rounds them as
/// `totals_where` does. [`figures`] adds the whole ledger's reports; a read model following
/// writes takes out the reports of the records a write touched, as they were, and adds them as
/// they are now. Every sum is still computed by the one totals implementation
/// (`aidtrace_domain::totals::totals_unrounded`); this only adds and subtracts its results.
#[derive(Debug, Clone)]
pub struct FiguresAcc {
    filter: Filter,
    groups: Vec<GroupBy>,
    /// Per grouping, in the order of `groups`: rows by key, then by flow kind (found by the
    /// part's borrowed key, without writing a key per part).
    rows: Vec<BTreeMap<String, BTreeMap<FlowKind, RowAcc>>>,
    /// Converted sums by flow kind and year of the date converted for.
    years: BTreeMap<(FlowKind, i32), (Sum, usize)>,
    /// The decimal places of each year's terms (see `RowAcc::scales`).
    year_scales: BTreeMap<(FlowKind, i32), BTreeMap<u32, usize>>,
    dated_by_fallback: usize,
    /// Flows nothing dates (no value date, dated legal step or dated source): converted at the
    /// latest rate, but placed in no year, as the totals by year place them under "no date".
    undated: usize,
}

impl FiguresAcc {
    pub fn new(groups: &[GroupBy], filter: &Filter) -> Self {
        Self {
            filter: filter.clone(),
            groups: groups.to_vec(),
            rows: groups.iter().map(|_| BTreeMap::new()).collect(),
            years: BTreeMap::new(),
            year_scales: BTreeMap::new(),
            dated_by_fallback: 0,
            undated: 0,
        }
    }

    /// Adds or takes out the totals of `ledger` (the whole ledger, or a self-contained part
    /// of it: `Ledger::part`) under every grouping, part by part as
    /// `aidtrace_domain::totals::for_each_part` hands them over (each flow's conversion once for
    /// all groupings). Added to empty sums in the ledger's order, each sum is the one
    /// `totals_unrounded` gives, term for term.
    pub fn apply(
        &mut self,
        ledger: &Ledger,
        rates: &RateTable,
        sign: Sign,
    ) -> Result<(), Irreversible> {
        let groups = self.groups.clone();
        let filter = self.filter.clone();
        let mut outcome = Ok(());
        for_each_part(ledger, rates, &groups, &filter, |g, counted| {
            if let (Ok(()), Counted::Part(part)) = (outcome, counted) {
                outcome = self.apply_part(g, part, sign);
            }
        });
        outcome
    }

    /// Adds or takes out one part of a flow in the grouping at `group` (an index of `groups`).
    fn apply_part(&mut self, group: usize, part: Part<'_>, sign: Sign) -> Result<(), Irreversible> {
        let by = self.groups.get(group).copied().ok_or(Irreversible)?;
        let rows = self.rows.get_mut(group).ok_or(Irreversible)?;
        let flow = part.flow;
        let kinds = match rows.get_mut(part.key) {
            Some(kinds) => kinds,
            None => rows.entry(part.key.to_string()).or_default(),
        };
        let acc = kinds.entry(flow.kind).or_insert_with(RowAcc::new);
        let currency = &flow.money.currency;
        let original = part.original.map_or(Sum::Overflow, Sum::Exact);
        match acc.original.get_mut(currency) {
            Some(cell) => {
                step(cell, original, sign)?;
                if cell.1 == 0 {
                    acc.original.remove(currency);
                }
            }
            None => {
                let mut cell = (Sum::ZERO, 0);
                step(&mut cell, original, sign)?;
                acc.original.insert(currency.clone(), cell);
            }
        }
        count(&mut acc.flows, 1, sign)?;
        match part.conversion {
            Ok(c) => {
                let converted = part.converted.map_or(Sum::Overflow, Sum::Exact);
                step(&mut acc.converted, converted, sign)?;
                if let (Some(_), Some(amount)) = (part.original, part.converted) {
                    // The basis's stored name orders as its JSON string did (a closing quote
                    // sorts before any letter), without writing JSON per part.
                    let key: RateKey = (
                        currency.clone(),
                        c.terms.rate_date,
                        RateText(c.terms.rate),
                        c.basis.into(),
                        c.provisional,
                    );
                    let emptied = match acc.rates.get_mut(&key) {
                        Some(entry) => {
                            count(&mut entry.flows, 1, sign)?;
                            entry.flows == 0
                        }
                        None => {
                            let mut entry = RateSummary {
                                currency: currency.clone(),
                                rate: c.terms.rate,
                                rate_date: c.terms.rate_date,
                                basis: c.basis,
                                source: c.terms.source.clone(),
                                legs: c.terms.legs.clone(),
                                provisional: c.provisional,
                                flows: 0,
                            };
                            count(&mut entry.flows, 1, sign)?;
                            acc.rates.insert(key.clone(), entry);
                            false
                        }
                    };
                    if emptied {
                        acc.rates.remove(&key);
                    }
                    scale_step(&mut acc.scales, amount, sign)?;
                    if by == GroupBy::Year && c.basis == RateDateBasis::LatestAvailableRate {
                        // The latest rate's year says when the rate was quoted, not when the
                        // money moved: charting it there put 2023's grant in this year.
                        count(&mut self.undated, 1, sign)?;
                    } else if by == GroupBy::Year {
                        if c.basis != RateDateBasis::ValueDate {
                            count(&mut self.dated_by_fallback, 1, sign)?;
                        }
                        let year = (flow.kind, c.day.year());
                        let point = self.years.entry(year).or_insert((Sum::ZERO, 0));
                        step(point, Sum::Exact(amount), sign)?;
                        if point.1 == 0 {
                            self.years.remove(&year);
                        }
                        let scales = self.year_scales.entry(year).or_default();
                        scale_step(scales, amount, sign)?;
                        if scales.is_empty() {
                            self.year_scales.remove(&year);
                        }
                    }
                }
            }
            Err(e) => {
                if *e == ConversionError::Overflow {
                    // The converted figure exists but no decimal holds it: the row's sum is
                    // overflow, not partial.
                    step(&mut acc.converted, Sum::Overflow, sign)?;
                } else {
                    count(&mut acc.incomplete, 1, sign)?;
                }
                count(&mut acc.unconverted, 1, sign)?;
            }
        }
        if acc.flows == 0 {
            kinds.remove(&flow.kind);
            if kinds.is_empty() {
                rows.remove(part.key);
            }
        }
        Ok(())
    }

    /// The figures as a report of the whole ledger gives them: converted sums rounded to the
    /// currency's minor unit, every sum written to its currency's minor unit
    /// ([`aidtrace_domain::money::in_minor_units`]).
    pub fn finish(&self) -> Figures {
        let currency = &self.filter.currency;
        let round = |d: Decimal| aidtrace_domain::money::rounded_to_minor_unit(d, currency);
        let totals = self
            .groups
            .iter()
            .zip(&self.rows)
            .map(|(g, rows)| {
                let rows = rows
                    .iter()
                    .flat_map(|(key, kinds)| kinds.iter().map(move |(kind, acc)| (key, kind, acc)))
                    .map(|(key, kind, acc)| RowSummary {
                        key: key.clone(),
                        kind: *kind,
                        original: acc
                            .original
                            .iter()
                            .map(|(c, (s, _))| {
                                (
                                    c.clone(),
                                    s.map(|d| aidtrace_domain::money::in_minor_units(d, c)),
                                )
                            })
                            .collect(),
                        converted: (acc.converted.1 > 0)
                            .then(|| places(acc.converted.0, &acc.scales).map(round)),
                        converted_complete: acc.incomplete == 0,
                        flows: acc.flows,
                        unconverted: acc.unconverted,
                        rates: acc.rates.values().cloned().collect(),
                    })
                    .collect();
                let summary = TotalsSummary {
                    by: g.as_str(),
                    currency: currency.clone(),
                    rule: aidtrace_domain::totals::RULE,
                    attribution: aidtrace_domain::fx::IMF_ATTRIBUTION,
                    filter: self.filter.clone(),
                    rows,
                };
                (g.as_str(), summary)
            })
            .collect();
        let series = FlowKind::ALL
            .iter()
            .filter_map(|kind| {
                let pts: Vec<(i32, Decimal)> = self
                    .years
                    .iter()
                    .filter(|((k, _), _)| k == kind)
                    // A year whose sum overflowed has no height to draw; the totals table beside
                    // the chart shows it as overflow.
                    .filter_map(|(at, (v, _))| {
                        let scales = self.year_scales.get(at).cloned().unwrap_or_default();
                        Some((at.1, places(*v, &scales).exact()?))
                    })
                    .collect();
                (!pts.is_empty()).then(|| (kind.as_str().to_string(), pts))
            })
            .collect();
        Figures {
            totals,
            series,
            dated_by_fallback: self.dated_by_fallback,
            undated: self.undated,
        }
    }
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
    /// Flows left out of the series: nothing dates them (see `FiguresAcc::undated`).
    pub undated: usize,
}

/// The dashboard's figures under `filter`, each grouping through the one totals implementation.
pub fn figures(ledger: &Ledger, rates: &RateTable, groups: &[GroupBy], filter: &Filter) -> Figures {
    figures_acc(ledger, rates, groups, filter).finish()
}

/// The running sums behind [`figures`], kept by a read model to follow writes.
pub fn figures_acc(
    ledger: &Ledger,
    rates: &RateTable,
    groups: &[GroupBy],
    filter: &Filter,
) -> FiguresAcc {
    let mut acc = FiguresAcc::new(groups, filter);
    // Adding to empty sums takes nothing apart, so it does not fail.
    let _ = acc.apply(ledger, rates, Sign::Add);
    acc
}
