//! Totals that never count the same money twice.
//!
//! The rule (also in docs/ledger.md):
//! 1. Totals are always per flow kind: pledges, commitments, disbursements and expenditures are
//!    never added to one another.
//! 2. A flow with child flows (`parent_flow` links) is an envelope: its children are counted, the
//!    envelope is not.
//! 3. A flow of an activity whose descendant activities report flows of the same kind is an
//!    envelope too (the programme's commitment when its projects report theirs).
//! 4. Claims (cumulative figures, capacities) are not flows and never enter totals.
//! 5. Pledges and commitments of cancelled activities are void and not counted; money that moved
//!    (disbursements, expenditures) still is.
//! 6. Shares split a flow across recipients, regions and sectors by the activity's percentages
//!    (inherited from the nearest ancestor that has them), so each dimension adds up to the whole.

use std::collections::BTreeMap;

use chrono::Datelike;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::codes::{CurrencyCode, RecordId};
use crate::filter::{Filter, Share, Split, split_shares};
use crate::fx::{ConversionError, RateTable};
use crate::ledger::{FlowConversion, Ledger, RateDateBasis};
use crate::model::{ActivityStatus, Flow, FlowKind};

/// The year key of flows without a value date (pages show it in the reader's language).
pub const UNDATED_KEY: &str = "(no value date)";

/// The key of flows whose activity does not state the grouping's dimension (recipient, sector,
/// region); pages show it in the reader's language.
pub const UNSPECIFIED_KEY: &str = "(unspecified)";

/// The donor key of flows with no provider the ledger can place; pages show it in the reader's
/// language.
pub const UNKNOWN_DONOR_KEY: &str = "(unknown donor)";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum GroupBy {
    Donor,
    Recipient,
    Region,
    Sector,
    Year,
    Facility,
}

impl GroupBy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Donor => "donor",
            Self::Recipient => "recipient",
            Self::Region => "region",
            Self::Sector => "sector",
            Self::Year => "year",
            Self::Facility => "facility",
        }
    }
}

/// Why a flow is left out of totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum Exclusion {
    /// Rule 2: counted through its child flows.
    EnvelopeWithChildFlows { children: Vec<RecordId> },
    /// Rule 3: sub-activities report flows of the same kind.
    EnvelopeWithChildActivities,
    /// Rule 5.
    CancelledActivity,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExcludedFlow {
    pub flow: RecordId,
    #[serde(flatten)]
    pub why: Exclusion,
}

/// How one flow's share was converted: enough to retrace the figure by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RateUse {
    pub flow: RecordId,
    #[serde(with = "crate::money::exact_decimal")]
    pub share: Decimal,
    #[serde(with = "crate::money::exact_decimal")]
    pub original_amount: Decimal,
    pub original_currency: CurrencyCode,
    #[serde(with = "crate::money::exact_decimal")]
    pub converted_amount: Decimal,
    #[serde(with = "crate::money::exact_decimal")]
    pub rate: Decimal,
    pub rate_date: chrono::NaiveDate,
    pub rate_date_basis: RateDateBasis,
    pub source: String,
    /// The date converted for: the value date, or the date the basis stands in for it.
    pub converted_for: chrono::NaiveDate,
    /// `Some(rate date)` when converted at the latest rate because none covers the date.
    pub provisional: Option<chrono::NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Unconverted {
    pub flow: RecordId,
    pub reason: String,
}

/// A sum of stored amounts. Amounts are bounded when written, but data written before the bound,
/// or a conversion into a currency with a large rate, can still exceed what a decimal holds
/// (about 7.9 × 10^28): such a sum is `Overflow`, shown as "overflow", never a wrong number and
/// never a crash. It serialises as the decimal string, or as the string `"overflow"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sum {
    Exact(Decimal),
    Overflow,
}

impl Sum {
    pub const ZERO: Self = Self::Exact(Decimal::ZERO);

    /// Adds with checked arithmetic; once overflowed, a sum stays overflowed.
    #[must_use]
    pub fn plus(self, value: Decimal) -> Self {
        match self {
            Self::Exact(total) => total.checked_add(value).map_or(Self::Overflow, Self::Exact),
            Self::Overflow => Self::Overflow,
        }
    }

    /// Adds an optional value, `None` standing for a term that itself overflowed.
    #[must_use]
    pub fn plus_checked(self, value: Option<Decimal>) -> Self {
        value.map_or(Self::Overflow, |v| self.plus(v))
    }

    pub fn exact(self) -> Option<Decimal> {
        match self {
            Self::Exact(d) => Some(d),
            Self::Overflow => None,
        }
    }

    pub fn is_overflow(self) -> bool {
        self == Self::Overflow
    }

    #[must_use]
    pub fn map(self, f: impl FnOnce(Decimal) -> Decimal) -> Self {
        match self {
            Self::Exact(d) => Self::Exact(f(d)),
            Self::Overflow => Self::Overflow,
        }
    }
}

impl std::fmt::Display for Sum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Exact(d) => write!(f, "{}", d.normalize()),
            Self::Overflow => f.write_str("overflow"),
        }
    }
}

impl Serialize for Sum {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Exact(d) => crate::money::exact_decimal::serialize(d, s),
            Self::Overflow => s.serialize_str("overflow"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotalsRow {
    pub key: String,
    pub kind: FlowKind,
    /// Sum in each original currency, exact (or overflow).
    pub original: BTreeMap<CurrencyCode, Sum>,
    /// Sum of the converted shares; `None` when nothing could be converted, `Overflow` when a
    /// converted share or the sum is beyond a decimal's range.
    pub converted: Option<Sum>,
    /// False when some flows could not be converted: the converted sum is then partial.
    pub converted_complete: bool,
    pub flows: Vec<RecordId>,
    pub rates: Vec<RateUse>,
    pub unconverted: Vec<Unconverted>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotalsReport {
    pub by: GroupBy,
    pub currency: CurrencyCode,
    pub rows: Vec<TotalsRow>,
    pub excluded: Vec<ExcludedFlow>,
    /// Claims present in the ledger; listed so readers see they were deliberately left out.
    pub claims_not_counted: Vec<RecordId>,
    /// The conditions the totals were computed under (the default: everything, in dollars).
    pub filter: Filter,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub rule: &'static str,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub attribution: &'static str,
}

pub const RULE: &str = "per kind; envelopes (flows with child flows, or activities whose sub-activities report the same kind) are counted through their parts; claims never counted; pledges and commitments of cancelled activities void";

/// Whether a flow counts in totals, and if not, why.
pub fn exclusion(ledger: &Ledger, flow: &Flow) -> Option<Exclusion> {
    exclusion_in(ledger, flow, &ActivityTerms::of(ledger, &flow.activity))
}

/// What of a flow's activity decides whether the flow counts: the same for all its flows, so
/// [`for_each_part`] works it out once per activity.
struct ActivityTerms<'a> {
    kinds_below: Option<&'a std::collections::BTreeSet<FlowKind>>,
    cancelled: bool,
}

impl<'a> ActivityTerms<'a> {
    fn of(ledger: &'a Ledger, activity: &RecordId) -> Self {
        Self {
            kinds_below: ledger.kinds_below(activity),
            cancelled: ledger
                .activities
                .get(activity)
                .is_some_and(|a| a.status == ActivityStatus::Cancelled),
        }
    }
}

fn exclusion_in(ledger: &Ledger, flow: &Flow, terms: &ActivityTerms<'_>) -> Option<Exclusion> {
    let children = ledger.flow_children(&flow.id);
    if !children.is_empty() {
        return Some(Exclusion::EnvelopeWithChildFlows {
            children: children.to_vec(),
        });
    }
    if terms.kinds_below.is_some_and(|k| k.contains(&flow.kind)) {
        return Some(Exclusion::EnvelopeWithChildActivities);
    }
    if terms.cancelled && matches!(flow.kind, FlowKind::Pledge | FlowKind::Commitment) {
        return Some(Exclusion::CancelledActivity);
    }
    None
}

/// The keys a flow falls under for a grouping, each with its share (fractions summing to 1, or
/// to the part the filter keeps when it restricts the grouping's own dimension).
/// `lineage` is the flow's activity's (`Ledger::lineage`), computed once per flow by the caller.
fn keys(
    ledger: &Ledger,
    flow: &Flow,
    lineage: &[&crate::model::Activity],
    by: GroupBy,
    filter: &Filter,
) -> Vec<(String, Decimal)> {
    let whole = |k: String| vec![(k, Decimal::ONE)];
    let split = |split: Split, label: &dyn Fn(&Share<'_>) -> String| {
        let shares = split_shares(lineage, split);
        if shares.is_empty() {
            // A restricted dimension keeps nothing of a flow that does not state it.
            return if filter.restricts(split) {
                Vec::new()
            } else {
                whole(UNSPECIFIED_KEY.to_string())
            };
        }
        shares
            .iter()
            .filter(|s| filter.keeps_share(s))
            .map(|s| (label(s), s.fraction().unwrap_or(Decimal::ZERO)))
            .collect()
    };
    match by {
        GroupBy::Donor => {
            let provider = Filter::donor_of(ledger, flow);
            whole(provider.map_or_else(
                || UNKNOWN_DONOR_KEY.to_string(),
                |p| {
                    if filter.agencies {
                        ledger.org_name(ledger.top_organisation(p))
                    } else {
                        ledger.org_name(p)
                    }
                },
            ))
        }
        GroupBy::Recipient => split(Split::Recipient, &|s| match s {
            Share::Country(c, _) => c.to_string(),
            _ => String::new(),
        }),
        GroupBy::Region => split(Split::Region, &|s| match s {
            Share::Region(c, n, _) => format!("{c} / {n}"),
            _ => String::new(),
        }),
        GroupBy::Sector => split(Split::Sector, &|s| match s {
            Share::Sector(code, _) => crate::sectors::label(code),
            _ => String::new(),
        }),
        GroupBy::Year => whole(
            flow.money
                .value_date
                .map_or_else(|| UNDATED_KEY.to_string(), |d| d.year().to_string()),
        ),
        GroupBy::Facility => {
            let facilities = lineage
                .iter()
                .find(|a| !a.facilities.is_empty())
                .map(|a| &a.facilities);
            match facilities {
                None => whole("(no facility)".to_string()),
                Some(list) => {
                    let names: Vec<String> = list
                        .iter()
                        .map(|f| {
                            ledger
                                .facilities
                                .get(f)
                                .map_or_else(|| f.to_string(), |x| x.name.clone())
                        })
                        .collect();
                    // Shared between facilities with no stated split: kept together rather than
                    // divided by a guess.
                    whole(names.join(" + "))
                }
            }
        }
    }
}

impl GroupBy {
    /// The percentage dimension a grouping splits by, if any.
    pub fn split(self) -> Option<Split> {
        match self {
            Self::Recipient => Some(Split::Recipient),
            Self::Region => Some(Split::Region),
            Self::Sector => Some(Split::Sector),
            Self::Donor | Self::Year | Self::Facility => None,
        }
    }

    pub const ALL: [GroupBy; 6] = [
        Self::Donor,
        Self::Recipient,
        Self::Region,
        Self::Sector,
        Self::Year,
        Self::Facility,
    ];

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == raw)
    }
}

/// The part of a flow a filter keeps, before any grouping: `Some(fraction > 0)` when the flow
/// passes every condition, `None` when it is left out or overflows. The flow lists use it, so
/// a list and its totals keep the same flows.
pub fn kept_part(ledger: &Ledger, flow: &Flow, filter: &Filter) -> Option<Decimal> {
    if !filter.keeps_flow(ledger, flow) {
        return None;
    }
    filter
        .fraction(ledger, flow, None)
        .filter(|f| *f > Decimal::ZERO)
}

/// The groups a flow counts under for a grouping, each with the fraction of the flow it takes,
/// once the filter has kept what it keeps: `None` when the filter keeps nothing of the flow.
/// A fraction is `None` when it overflowed (percentages far beyond 100 in bad data): the cell
/// then becomes overflow like any other sum beyond a decimal's range. [`totals_where`] and the
/// flow lists behind each total both use it, so a list always adds up to its total.
pub fn flow_parts(
    ledger: &Ledger,
    flow: &Flow,
    by: GroupBy,
    filter: &Filter,
    unfiltered: bool,
) -> Option<Vec<(String, Option<Decimal>)>> {
    let lineage = ledger.lineage(&flow.activity);
    parts_in(ledger, flow, &lineage, by, filter, unfiltered)
}

/// [`flow_parts`] with the flow's lineage already looked up.
fn parts_in(
    ledger: &Ledger,
    flow: &Flow,
    lineage: &[&crate::model::Activity],
    by: GroupBy,
    filter: &Filter,
    unfiltered: bool,
) -> Option<Vec<(String, Option<Decimal>)>> {
    let weight = kept_weight(ledger, flow, by, filter, unfiltered)?;
    let keys = keys(ledger, flow, lineage, by, filter);
    if keys.is_empty() {
        return None;
    }
    Some(
        keys.into_iter()
            .map(|(k, share)| (k, weight.and_then(|w| share.checked_mul(w))))
            .collect(),
    )
}

/// Totals of the whole ledger in one currency (no other condition).
pub fn totals(
    ledger: &Ledger,
    rates: &RateTable,
    by: GroupBy,
    currency: &CurrencyCode,
) -> TotalsReport {
    let filter = Filter {
        currency: currency.clone(),
        ..Filter::default()
    };
    totals_where(ledger, rates, by, &filter)
}

/// Totals of the flows a filter keeps, in the filter's currency. The one implementation of the
/// rules above: every page, export, API call and CLI report of totals goes through it.
pub fn totals_where(
    ledger: &Ledger,
    rates: &RateTable,
    by: GroupBy,
    filter: &Filter,
) -> TotalsReport {
    let mut report = totals_unrounded(ledger, rates, by, filter);
    let currency = report.currency.clone();
    for row in &mut report.rows {
        row.converted = row
            .converted
            .map(|v| v.map(|d| crate::money::rounded_to_minor_unit(d, &currency)));
        for (currency, v) in &mut row.original {
            *v = v.map(|d| crate::money::in_minor_units(d, currency));
        }
    }
    report
}

/// [`totals_where`] before its last step: converted sums not yet rounded to the currency's
/// minor unit, original sums not normalised. Sums of parts of a ledger add up to the sums of
/// the whole, so a read model can subtract what a write's records contributed and add what
/// they contribute now, then round (`aidtrace_service::summary`), without a second
/// implementation of the rules.
pub fn totals_unrounded(
    ledger: &Ledger,
    rates: &RateTable,
    by: GroupBy,
    filter: &Filter,
) -> TotalsReport {
    let mut rows: BTreeMap<(String, FlowKind), TotalsRow> = BTreeMap::new();
    let mut excluded = Vec::new();
    for_each_part(ledger, rates, &[by], filter, |_, counted| match counted {
        Counted::Excluded(flow, why) => excluded.push(ExcludedFlow {
            flow: flow.id.clone(),
            why,
        }),
        Counted::Part(part) => add_part(&mut rows, part),
    });
    let rows = rows.into_values().collect();
    TotalsReport {
        by,
        currency: filter.currency.clone(),
        rows,
        excluded,
        claims_not_counted: ledger.claims.keys().cloned().collect(),
        filter: filter.clone(),
        rule: RULE,
        attribution: crate::fx::IMF_ATTRIBUTION,
    }
}

/// What becomes of one flow under one grouping, as [`for_each_part`] hands it over.
pub enum Counted<'a> {
    /// The filter keeps the flow but the rules leave it out (reports list it as excluded).
    Excluded(&'a Flow, Exclusion),
    /// One part of a counted flow: its share of one row.
    Part(Part<'a>),
}

/// One part of a counted flow in the row of `key`: what a report adds to that row.
pub struct Part<'a> {
    pub key: &'a str,
    pub flow: &'a Flow,
    /// The fraction of the flow in this row; `None` when it overflowed.
    pub share: Option<Decimal>,
    /// The part in the flow's currency, signed; `None` when it overflowed.
    pub original: Option<Decimal>,
    /// The whole flow's conversion into the filter's currency (one per flow, shared by its
    /// parts), with the date converted for and why that date.
    pub conversion: &'a Result<FlowConversion<'a>, ConversionError>,
    /// The part converted, signed; `None` when the conversion failed or the part overflowed.
    pub converted: Option<Decimal>,
}

/// The rules above applied to every flow of `ledger` under each of `groups` at once: for each
/// flow (in the ledger's order) and each grouping (in the order given), `visit` gets the
/// grouping's index and either the flow's exclusion or its parts, in key order. A flow the
/// filter drops is not handed over. The work per flow that does not depend on the grouping
/// (its lineage, exclusion and conversion) is done once, not once per grouping: this is what
/// makes the dashboard's five groupings over a million flows affordable. [`totals_unrounded`]
/// is this with one grouping, so both keep one implementation of the rules.
pub fn for_each_part(
    ledger: &Ledger,
    rates: &RateTable,
    groups: &[GroupBy],
    filter: &Filter,
    mut visit: impl FnMut(usize, Counted<'_>),
) {
    let currency = &filter.currency;
    let unfiltered = filter.is_everything();
    // Per grouping: the keys of the flow before and what they were worked out from.
    let mut memos: Vec<KeyMemo> = groups.iter().map(|_| KeyMemo::default()).collect();
    // Per grouping: the part of the current flow the filter keeps, `None` when it keeps none.
    let mut weights: Vec<Option<Option<Decimal>>> = Vec::with_capacity(groups.len());
    let mut conversions = crate::fx::Conversions::new(rates);
    // The lineage of the activity of the flow before, and what decides exclusions there: an
    // activity's flows usually come one after another (ids sort by activity), so most flows
    // reuse them.
    let mut last_activity: Option<(&RecordId, Vec<&crate::model::Activity>, ActivityTerms<'_>)> =
        None;
    for flow in ledger.flows.values() {
        if last_activity
            .as_ref()
            .is_none_or(|(activity, _, _)| **activity != flow.activity)
        {
            last_activity = Some((
                &flow.activity,
                ledger.lineage(&flow.activity),
                ActivityTerms::of(ledger, &flow.activity),
            ));
        }
        let Some((_, lineage, terms)) = &last_activity else {
            continue;
        };
        weights.clear();
        for (by, memo) in groups.iter().zip(&mut memos) {
            let weight = kept_weight(ledger, flow, *by, filter, unfiltered);
            if weight.is_some() {
                memo.refresh(ledger, flow, lineage, *by, filter);
            }
            weights.push(weight.filter(|_| !memo.keys.is_empty()));
        }
        if weights.iter().all(Option::is_none) {
            continue;
        }
        if let Some(why) = exclusion_in(ledger, flow, terms) {
            for (g, _) in weights.iter().enumerate().filter(|(_, w)| w.is_some()) {
                visit(g, Counted::Excluded(flow, why.clone()));
            }
            continue;
        }
        let conversion = ledger.convert_flow_with(flow, &mut conversions, currency);
        let converted_amount = conversion.as_ref().ok().map(|c| c.amount);
        for (g, (weight, memo)) in weights.iter().zip(&memos).enumerate() {
            let Some(weight) = weight else {
                continue;
            };
            for (key, share) in &memo.keys {
                // Unfiltered, the weight is one: the share as it is (a product with one would
                // be the same decimal).
                let share = if unfiltered {
                    Some(*share)
                } else {
                    weight.and_then(|w| share.checked_mul(w))
                };
                // Stored data is not trusted to be within the bound (it may predate it, or
                // shares may not add up): every operation is checked and an overflow becomes
                // the cell's value.
                let signed = |amount: Decimal| {
                    share
                        .and_then(|share| amount.checked_mul(share))
                        .and_then(|v| v.checked_mul(flow.sign()))
                };
                let part = Part {
                    key: key.as_str(),
                    flow,
                    share,
                    original: signed(flow.money.amount),
                    conversion: &conversion,
                    converted: converted_amount.and_then(signed),
                };
                visit(g, Counted::Part(part));
            }
        }
    }
}

/// The part of a flow the filter keeps outside a grouping's own dimension (which [`keys`]
/// restricts): `None` when the filter drops the flow, which is then neither counted nor listed
/// as excluded.
fn kept_weight(
    ledger: &Ledger,
    flow: &Flow,
    by: GroupBy,
    filter: &Filter,
    unfiltered: bool,
) -> Option<Option<Decimal>> {
    let weight = if unfiltered {
        Some(Decimal::ONE)
    } else if filter.keeps_flow(ledger, flow) {
        filter.fraction(ledger, flow, by.split())
    } else {
        return None;
    };
    (weight != Some(Decimal::ZERO)).then_some(weight)
}

/// What a flow's keys under one grouping are worked out from, besides the filter (the same for
/// a whole run): consecutive flows with the same basis have the same keys, so the names are
/// looked up and written once per activity, donor or year instead of once per flow.
#[derive(PartialEq)]
enum KeyBasis<'a> {
    Donor(Option<&'a RecordId>),
    Lineage(Option<&'a RecordId>),
    Year(Option<i32>),
}

#[derive(Default)]
struct KeyMemo<'a> {
    basis: Option<KeyBasis<'a>>,
    keys: Vec<(String, Decimal)>,
}

impl<'a> KeyMemo<'a> {
    fn refresh(
        &mut self,
        ledger: &'a Ledger,
        flow: &'a Flow,
        lineage: &[&'a crate::model::Activity],
        by: GroupBy,
        filter: &Filter,
    ) {
        let basis = match by {
            GroupBy::Donor => KeyBasis::Donor(Filter::donor_of(ledger, flow)),
            GroupBy::Year => KeyBasis::Year(flow.money.value_date.map(|d| d.year())),
            GroupBy::Recipient | GroupBy::Region | GroupBy::Sector | GroupBy::Facility => {
                KeyBasis::Lineage(lineage.first().map(|a| &a.id))
            }
        };
        if self.basis.as_ref() != Some(&basis) {
            self.keys = keys(ledger, flow, lineage, by, filter);
            self.basis = Some(basis);
        }
    }
}

/// Adds one part to the report's rows.
fn add_part(rows: &mut BTreeMap<(String, FlowKind), TotalsRow>, part: Part<'_>) {
    let flow = part.flow;
    let row = rows
        .entry((part.key.to_string(), flow.kind))
        .or_insert_with(|| TotalsRow {
            key: part.key.to_string(),
            kind: flow.kind,
            original: BTreeMap::new(),
            converted: None,
            converted_complete: true,
            flows: Vec::new(),
            rates: Vec::new(),
            unconverted: Vec::new(),
        });
    let original = row
        .original
        .entry(flow.money.currency.clone())
        .or_insert(Sum::ZERO);
    *original = original.plus_checked(part.original);
    row.flows.push(flow.id.clone());
    match part.conversion {
        Ok(c) => {
            row.converted = Some(
                row.converted
                    .unwrap_or(Sum::ZERO)
                    .plus_checked(part.converted),
            );
            if let (Some(original), Some(converted)) = (part.original, part.converted) {
                row.rates.push(RateUse {
                    flow: flow.id.clone(),
                    share: part.share.unwrap_or(Decimal::ZERO),
                    original_amount: original,
                    original_currency: flow.money.currency.clone(),
                    converted_amount: converted,
                    rate: c.terms.rate,
                    rate_date: c.terms.rate_date,
                    rate_date_basis: c.basis,
                    source: c.terms.source.clone(),
                    converted_for: c.day,
                    provisional: c.provisional,
                });
            }
        }
        Err(ConversionError::Overflow) => {
            // The converted figure exists but no decimal holds it: the sum is overflow, not
            // partial.
            row.converted = Some(Sum::Overflow);
            row.unconverted.push(Unconverted {
                flow: flow.id.clone(),
                reason: ConversionError::Overflow.to_string(),
            });
        }
        Err(e) => {
            row.converted_complete = false;
            row.unconverted.push(Unconverted {
                flow: flow.id.clone(),
                reason: e.to_string(),
            });
        }
    }
}
