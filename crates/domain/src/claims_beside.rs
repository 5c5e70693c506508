//! Claims beside records: each claim (a cumulative figure, a capacity, another source's amount
//! for a recorded grant) next to what the ledger records for the same scope, so a reader sees
//! "claimed X, recorded Y". Claims are never added to any total: the recorded side is computed
//! from flows only, by [`crate::scoped_totals`].
//!
//! For a flow with a stated equivalent ("108.7 million yen (approximately 7 million US
//! dollars)") and claims that restate the same flow with another amount ("1.087 billion yen"),
//! [`equivalent_checks`] converts each figure at the reference rate and says which one the
//! stated equivalent supports, and whether the recorded amount differs from it by a power of
//! ten (a decimal slip). The recorded amount is never changed.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::checks::EQUIVALENT_TOLERANCE;
use crate::codes::{CountryCode, CurrencyCode, RecordId};
use crate::fx::RateTable;
use crate::ledger::Ledger;
use crate::model::{Claim, ClaimKind, Flow};
use crate::money::{Money, Qualifier, StatedEquivalent};
use crate::scoped_totals::{ScopedTotals, scoped_totals};

const HUNDRED: Decimal = Decimal::ONE_HUNDRED;

/// What a claim is about, from its most specific reference down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "scope", content = "id")]
pub enum ClaimScope {
    /// The recorded flow the claim restates.
    Flow(RecordId),
    /// An activity and its sub-activities.
    Activity(RecordId),
    /// The activities that supply a facility.
    Facility(RecordId),
    /// Flows the organisation (or an agency under it) provides.
    Organisation(RecordId),
    /// Nothing to compare with.
    None,
}

/// Equipment the ledger records for a quantity claim's scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordedQuantity {
    /// Sum of the stated quantities of the equipment lines.
    #[serde(with = "crate::money::exact_decimal")]
    pub quantity: Decimal,
    pub lines: Vec<RecordId>,
    /// Lines that state no quantity (counted in `lines`, not in `quantity`).
    pub lines_without_quantity: usize,
}

/// One claim and what the ledger records for the same scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClaimBeside {
    pub claim: RecordId,
    pub kind: ClaimKind,
    pub statement: String,
    pub scope: ClaimScope,
    /// The recipient country the comparison is limited to, when the claim names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<CountryCode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claimed_money: Option<Money>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "crate::money::exact_decimal::option"
    )]
    pub claimed_quantity: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qualifier: Option<Qualifier>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_start: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_end: Option<NaiveDate>,
    /// Flow totals of the scope per kind (in the claimed currency, or USD), for money claims.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded_money: Option<ScopedTotals>,
    /// Equipment lines of the scope, for quantity claims.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded_quantity: Option<RecordedQuantity>,
    pub sources: Vec<RecordId>,
}

fn scope_of(claim: &Claim) -> ClaimScope {
    if let Some(f) = &claim.flow {
        ClaimScope::Flow(f.clone())
    } else if let Some(a) = &claim.activity {
        ClaimScope::Activity(a.clone())
    } else if let Some(f) = &claim.facility {
        ClaimScope::Facility(f.clone())
    } else if let Some(o) = &claim.organisation {
        ClaimScope::Organisation(o.clone())
    } else {
        ClaimScope::None
    }
}

/// Whether `org` is `ancestor` or belongs to it (through `parent` links; cycle-safe).
pub fn is_under(ledger: &Ledger, org: &RecordId, ancestor: &RecordId) -> bool {
    let mut current = Some(org);
    for _ in 0..=ledger.organisations.len() {
        match current {
            Some(c) if c == ancestor => return true,
            Some(c) => current = ledger.organisations.get(c).and_then(|o| o.parent.as_ref()),
            None => return false,
        }
    }
    false
}

/// Who provides a flow: its own provider, its root flow's, or the funding participant of the
/// nearest activity that names one (the rule totals "by donor" use).
pub fn provider_of<'a>(ledger: &'a Ledger, flow: &'a Flow) -> Option<&'a RecordId> {
    flow.provider
        .as_ref()
        .or_else(|| ledger.root_flow(flow).provider.as_ref())
        .or_else(|| {
            ledger.lineage(&flow.activity).into_iter().find_map(|a| {
                a.participants
                    .iter()
                    .find(|p| p.role == crate::model::ParticipantRole::Funding)
                    .map(|p| &p.org)
            })
        })
}

/// The share of a flow that goes to `country` (1 when no country is asked for), from the nearest
/// activity of its lineage that states countries.
pub fn country_share(ledger: &Ledger, flow: &Flow, country: Option<&CountryCode>) -> Decimal {
    let Some(country) = country else {
        return Decimal::ONE;
    };
    ledger
        .lineage(&flow.activity)
        .into_iter()
        .find(|a| !a.countries.is_empty())
        .map_or(Decimal::ZERO, |a| {
            a.countries
                .iter()
                .filter(|c| &c.country == country)
                .map(|c| c.percentage / HUNDRED)
                .fold(Decimal::ZERO, |s, p| s.checked_add(p).unwrap_or(s))
        })
}

fn in_period(claim: &Claim, flow: &Flow) -> bool {
    // An undated flow cannot be placed outside the period, so it stays in (its rate basis is
    // shown beside the figure).
    flow.money.value_date.is_none_or(|d| {
        claim.period_start.is_none_or(|s| d >= s) && claim.period_end.is_none_or(|e| d <= e)
    })
}

/// The flows of a claim's scope, each with the share that belongs to it.
fn scope_flows<'a>(
    ledger: &'a Ledger,
    claim: &Claim,
    scope: &ClaimScope,
) -> Vec<(&'a Flow, Decimal)> {
    let activities = |root: &RecordId| {
        let mut list = vec![root.clone()];
        list.extend(ledger.descendants(root));
        list
    };
    let flows: Vec<&Flow> = match scope {
        ClaimScope::Flow(f) => ledger.flows.get(f).into_iter().collect(),
        ClaimScope::Activity(a) => activities(a)
            .iter()
            .flat_map(|a| ledger.flows_of(a))
            .collect(),
        ClaimScope::Facility(fac) => ledger
            .activities
            .values()
            .filter(|a| a.facilities.contains(fac))
            .flat_map(|a| ledger.flows_of(&a.id))
            .collect(),
        ClaimScope::Organisation(o) => ledger
            .flows
            .values()
            .filter(|f| provider_of(ledger, f).is_some_and(|p| is_under(ledger, p, o)))
            .collect(),
        ClaimScope::None => Vec::new(),
    };
    flows
        .into_iter()
        .filter(|f| in_period(claim, f))
        .map(|f| (f, country_share(ledger, f, claim.country.as_ref())))
        .filter(|(_, share)| !share.is_zero())
        .collect()
}

fn recorded_quantity(ledger: &Ledger, scope: &ClaimScope) -> Option<RecordedQuantity> {
    let activities: Vec<RecordId> = match scope {
        ClaimScope::Activity(a) => {
            let mut list = vec![a.clone()];
            list.extend(ledger.descendants(a));
            list
        }
        ClaimScope::Flow(f) => ledger
            .flows
            .get(f)
            .map(|f| f.activity.clone())
            .into_iter()
            .collect(),
        _ => return None,
    };
    let mut out = RecordedQuantity {
        quantity: Decimal::ZERO,
        lines: Vec::new(),
        lines_without_quantity: 0,
    };
    for a in &activities {
        for line in ledger.equipment_of(a) {
            out.lines.push(line.id.clone());
            match line.quantity {
                Some(q) => out.quantity += Decimal::from(q),
                None => out.lines_without_quantity += 1,
            }
        }
    }
    Some(out)
}

/// One claim beside what the ledger records for its scope.
pub fn claim_beside(ledger: &Ledger, rates: &RateTable, claim: &Claim) -> ClaimBeside {
    let scope = scope_of(claim);
    let currency = claim
        .money
        .as_ref()
        .map_or_else(CurrencyCode::usd, |m| m.currency.clone());
    let recorded_money = (claim.money.is_some()
        || matches!(
            claim.kind,
            ClaimKind::CumulativeFunding | ClaimKind::StatedAmount
        ))
    .then(|| scoped_totals(ledger, rates, &currency, scope_flows(ledger, claim, &scope)));
    let recorded_quantity = (claim.kind == ClaimKind::Quantity)
        .then(|| recorded_quantity(ledger, &scope))
        .flatten();
    let mut sources: Vec<RecordId> = claim.sources.iter().map(|c| c.source.clone()).collect();
    sources.dedup();
    ClaimBeside {
        claim: claim.id.clone(),
        kind: claim.kind,
        statement: claim.statement.clone(),
        scope,
        country: claim.country.clone(),
        claimed_money: claim.money.clone(),
        claimed_quantity: claim.quantity,
        unit: claim.unit.clone(),
        qualifier: claim.qualifier,
        period_start: claim.period_start,
        period_end: claim.period_end,
        recorded_money,
        recorded_quantity,
        sources,
    }
}

/// Every claim beside its records, by claim id.
pub fn claims_beside(ledger: &Ledger, rates: &RateTable) -> Vec<ClaimBeside> {
    ledger
        .claims
        .values()
        .map(|c| claim_beside(ledger, rates, c))
        .collect()
}

/// Claims about an activity: its own, and those restating one of its flows.
pub fn about_activity<'a>(ledger: &'a Ledger, activity: &RecordId) -> Vec<&'a Claim> {
    ledger
        .claims
        .values()
        .filter(|c| {
            c.activity.as_ref() == Some(activity)
                || c.flow
                    .as_ref()
                    .and_then(|f| ledger.flows.get(f))
                    .is_some_and(|f| &f.activity == activity)
        })
        .collect()
}

/// Claims about an organisation or an agency under it.
pub fn about_organisation<'a>(ledger: &'a Ledger, org: &RecordId) -> Vec<&'a Claim> {
    ledger
        .claims
        .values()
        .filter(|c| {
            c.organisation
                .as_ref()
                .is_some_and(|o| is_under(ledger, o, org))
        })
        .collect()
}

/// Claims about a facility: naming it, or about an activity that supplies it.
pub fn about_facility<'a>(ledger: &'a Ledger, facility: &RecordId) -> Vec<&'a Claim> {
    let supplies = |a: &RecordId| {
        ledger
            .lineage(a)
            .iter()
            .any(|x| x.facilities.contains(facility))
    };
    ledger
        .claims
        .values()
        .filter(|c| {
            c.facility.as_ref() == Some(facility) || c.activity.as_ref().is_some_and(&supplies)
        })
        .collect()
}

/// One figure a stated equivalent may stand for: the recorded amount or a claimed one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EquivalentCandidate {
    pub amount: Money,
    /// True for the amount the ledger records.
    pub recorded: bool,
    /// Claims that give this amount.
    pub claims: Vec<RecordId>,
    /// The date whose rate converts it: the flow's rate date for the recorded amount, the
    /// earliest dated source (or period end) for a claimed one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_date: Option<NaiveDate>,
    /// The amount at the reference rate in the stated equivalent's currency.
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "crate::money::exact_decimal::option"
    )]
    pub converted: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_source: Option<String>,
    /// Converted at the latest rate available, not the date's own.
    pub provisional: bool,
    /// Stated equivalent ÷ converted amount.
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "crate::money::exact_decimal::option"
    )]
    pub ratio: Option<Decimal>,
    /// Within the tolerance of the FX-EQUIV rule (25 %).
    pub supported: bool,
    /// This amount ÷ the recorded amount when that is a power of ten other than 1 (10, 0.1 …),
    /// the mark of a decimal slip in one of the texts.
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "crate::money::exact_decimal::option"
    )]
    pub factor_to_recorded: Option<Decimal>,
}

/// A flow's stated equivalent against the recorded amount and every claimed amount for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EquivalentCheck {
    pub flow: RecordId,
    pub stated: StatedEquivalent,
    /// The recorded amount first, then each distinct claimed amount.
    pub candidates: Vec<EquivalentCandidate>,
    /// Index into `candidates` of the amount the stated equivalent supports (the supported
    /// one whose ratio is nearest 1), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports: Option<usize>,
}

impl EquivalentCheck {
    pub fn supported(&self) -> Option<&EquivalentCandidate> {
        self.supports.and_then(|i| self.candidates.get(i))
    }

    pub fn recorded(&self) -> Option<&EquivalentCandidate> {
        self.candidates.iter().find(|c| c.recorded)
    }
}

/// `a ÷ b` when it is exactly 10^n for some n ≠ 0 (|n| ≤ 12).
fn power_of_ten(a: Decimal, b: Decimal) -> Option<Decimal> {
    if b.is_zero() || a == b {
        return None;
    }
    let q = a.checked_div(b)?.normalize();
    let ten = Decimal::TEN;
    let mut p = Decimal::ONE;
    for _ in 0..12 {
        p = p.checked_mul(ten)?;
        if q == p || Some(q) == Decimal::ONE.checked_div(p).map(|d| d.normalize()) {
            return Some(q);
        }
    }
    None
}

fn claim_date(ledger: &Ledger, claim: &Claim) -> Option<NaiveDate> {
    claim
        .sources
        .iter()
        .filter_map(|c| ledger.sources.get(&c.source).and_then(|s| s.published))
        .min()
        .or(claim.period_end)
}

fn candidate(
    ledger: &Ledger,
    rates: &RateTable,
    flow: &Flow,
    amount: Money,
    date: Option<NaiveDate>,
    stated: &StatedEquivalent,
    recorded: bool,
) -> EquivalentCandidate {
    // The recorded amount is converted as everywhere else (its rate date and basis, provisional
    // when nothing dates it); a claimed one at the date of its earliest dated report.
    let conversion = if recorded {
        ledger
            .convert_flow(flow, rates, &stated.currency)
            .ok()
            .map(|(c, _, _)| c)
    } else {
        date.or_else(|| ledger.rate_date(flow, rates).map(|(d, _)| d))
            .or_else(|| rates.latest_date(&amount.currency))
            .and_then(|d| rates.convert_on(&amount, &stated.currency, d).ok())
    };
    let ratio = conversion
        .as_ref()
        .and_then(|c| stated.amount.checked_div(c.amount))
        .map(|r| r.round_dp(4));
    let supported = ratio
        .and_then(|r| r.checked_sub(Decimal::ONE))
        .is_some_and(|d| d.abs() <= EQUIVALENT_TOLERANCE);
    EquivalentCandidate {
        factor_to_recorded: (amount.currency == flow.money.currency)
            .then(|| power_of_ten(amount.amount, flow.money.amount))
            .flatten(),
        recorded,
        claims: Vec::new(),
        rate_date: conversion.as_ref().map(|c| c.rate_date),
        converted: conversion
            .as_ref()
            .map(|c| c.amount.round_dp(stated.currency.minor_unit_digits())),
        rate_source: conversion.as_ref().map(|c| c.source.clone()),
        provisional: conversion.as_ref().is_some_and(|c| c.provisional.is_some()),
        ratio,
        supported,
        amount,
    }
}

/// For each flow of `activity` with a stated equivalent: the recorded amount and each amount
/// claimed for the same flow (claims with `flow` set, in any currency), converted at the
/// reference rate, and which one the stated equivalent supports.
pub fn equivalent_checks(
    ledger: &Ledger,
    rates: &RateTable,
    activity: &RecordId,
) -> Vec<EquivalentCheck> {
    ledger
        .flows_of(activity)
        .filter_map(|flow| {
            let stated = flow.stated_equivalent.clone()?;
            let mut candidates = vec![candidate(
                ledger,
                rates,
                flow,
                flow.money.clone(),
                None,
                &stated,
                true,
            )];
            let mut restating: Vec<&Claim> = ledger
                .claims
                .values()
                // A figure in the equivalent's own currency restates the equivalent, not the
                // amount: it cannot tell which amount the equivalent stands for.
                .filter(|c| {
                    c.flow.as_ref() == Some(&flow.id)
                        && c.money
                            .as_ref()
                            .is_some_and(|m| m.currency != stated.currency)
                })
                .collect();
            // The earliest dated report of an amount first, so its date converts it.
            restating.sort_by_key(|c| (claim_date(ledger, c).is_none(), claim_date(ledger, c)));
            for claim in restating {
                let Some(money) = claim.money.as_ref() else {
                    continue;
                };
                let same = |c: &EquivalentCandidate| {
                    c.amount.amount == money.amount && c.amount.currency == money.currency
                };
                if let Some(existing) = candidates.iter_mut().find(|c| same(c)) {
                    existing.claims.push(claim.id.clone());
                    continue;
                }
                let amount = Money {
                    amount: money.amount,
                    currency: money.currency.clone(),
                    value_date: None,
                };
                let mut c = candidate(
                    ledger,
                    rates,
                    flow,
                    amount,
                    claim_date(ledger, claim),
                    &stated,
                    false,
                );
                c.claims.push(claim.id.clone());
                candidates.push(c);
            }
            let distance = |c: &EquivalentCandidate| {
                c.ratio
                    .and_then(|r| r.checked_sub(Decimal::ONE))
                    .map(|d| d.abs())
            };
            let supports = candidates
                .iter()
                .enumerate()
                .filter(|(_, c)| c.supported)
                .min_by_key(|(_, c)| distance(c))
                .map(|(i, _)| i);
            Some(EquivalentCheck {
                flow: flow.id.clone(),
                stated: *stated,
                candidates,
                supports,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_power_of_ten_is_found_both_ways() {
        let small = Decimal::from(108_700_000);
        let big = Decimal::from(1_087_000_000);
        assert_eq!(power_of_ten(big, small), Some(Decimal::TEN));
        assert_eq!(power_of_ten(small, big), Some(Decimal::new(1, 1)));
        assert_eq!(power_of_ten(big, big), None);
        assert_eq!(power_of_ten(Decimal::from(3), Decimal::ONE), None);
        assert_eq!(power_of_ten(Decimal::ONE, Decimal::ZERO), None);
    }
}
