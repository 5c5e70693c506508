//! Claims beside records: the `/claims` list and the claim sections of the activity,
//! organisation and facility pages. Each claim stands next to what the ledger records for the
//! same scope ("claimed X, recorded Y"); nothing here adds a claim to a total. On an activity
//! page, a flow's stated equivalent is set against the recorded amount and every amount other
//! sources give for the same flow, with the one it supports (`claims_beside::equivalent_checks`).

use aidtrace_domain::RecordId;
use aidtrace_domain::claims_beside::{
    self, ClaimBeside, ClaimScope, EquivalentCandidate, EquivalentCheck,
};
use aidtrace_domain::model::Claim;
use aidtrace_domain::money::Qualifier;
use aidtrace_domain::scoped_totals::{KindTotal, ScopedTotals};
use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use maud::{Markup, html};

use crate::auth::Caller;
use crate::auth::can_read;
use crate::dashboard::pages::citations;
use crate::error::PageResult;
use crate::i18n::{self, t, ta};
use crate::present::format::group_digits;
use crate::present::format::money;
use crate::present::format::sum_cell;
use crate::request_ctx::layout;
use crate::state::{AppState, Snapshot};
use crate::tables::enum_name;

/// Routes of this area, merged into [`crate::app`].
pub fn routes() -> Router<AppState> {
    Router::new().route("/claims", get(list_page))
}

/// Whether a kind's total shows a converted sum beside the original ones.
fn shows_conversion(row: &KindTotal, currency: &aidtrace_domain::CurrencyCode) -> bool {
    row.converted.is_some()
        && (row.original.keys().any(|c| c != currency) || !row.converted_complete)
}

/// What "≈" and "*" mean under figures that use them, in words a phone shows (a tooltip
/// alone explained the "*", and nothing said where the rate came from).
fn conversion_notes(currency: &str, converted: bool, provisional: bool) -> Markup {
    html! {
        @if converted { p class="muted conv-note" { (ta("claims-converted-note", &[("currency", currency)])) } }
        @if provisional { p class="muted conv-note" { (t("claims-provisional-note")) } }
    }
}

/// A kind's total as a cell: each original currency, then the converted sum (marked partial or
/// provisional where it is).
pub fn kind_total(row: &KindTotal, currency: &aidtrace_domain::CurrencyCode) -> Markup {
    html! {
        @for (i, (c, v)) in row.original.iter().enumerate() {
            @if i > 0 { " + " }
            (sum_cell(*v)) " " (c)
        }
        @if let Some(conv) = row.converted {
            @if shows_conversion(row, currency) {
                " ≈ " (sum_cell(conv)) " " (currency)
                @if !row.converted_complete { " (" (t("claims-partial")) ")" }
                @if row.provisional > 0 { " " strong class="provisional" title=(t("claims-provisional")) { "*" } }
            }
        }
    }
}

/// An amount with the words that qualify it ("more than …"), placed as each language places
/// them (Kazakh puts most after the amount).
pub fn qualified(q: Option<Qualifier>, amount: &str) -> String {
    match q {
        Some(q) => ta(
            &format!("claims-q-{}", enum_name(&q)),
            &[("amount", amount)],
        ),
        None => amount.to_string(),
    }
}

fn claimed(b: &ClaimBeside) -> Markup {
    let quantity = b.claimed_quantity.map(|q| match &b.unit {
        Some(u) => format!("{} {u}", group_digits(q)),
        None => group_digits(q),
    });
    html! {
        @if let Some(m) = &b.claimed_money { (qualified(b.qualifier, &money(m))) }
        @if let Some(q) = &quantity {
            @if b.claimed_money.is_some() { "; " (q) } @else { (qualified(b.qualifier, q)) }
        }
        @if b.claimed_money.is_none() && b.claimed_quantity.is_none() { span class="muted" { (t("claims-no-figure")) } }
        @if b.period_start.is_some() || b.period_end.is_some() {
            " (" (b.period_start.map(i18n::date).unwrap_or_default()) " – " (b.period_end.map(i18n::date).unwrap_or_default()) ")"
        }
    }
}

fn recorded_money(totals: &ScopedTotals) -> Markup {
    html! {
        @if totals.by_kind.is_empty() {
            span class="recorded-none" { (t("claims-recorded-none")) }
        } @else {
            ul class="recorded" {
                @for row in &totals.by_kind {
                    li { (i18n::value(row.kind.as_str())) ": " (kind_total(row, &totals.currency)) }
                }
            }
        }
        @if !totals.excluded.is_empty() {
            p class="muted" { (ta("claims-excluded", &[("count", &totals.excluded.len().to_string())])) }
        }
        (conversion_notes(
            totals.currency.as_str(),
            totals.by_kind.iter().any(|r| shows_conversion(r, &totals.currency)),
            totals.by_kind.iter().any(|r| shows_conversion(r, &totals.currency) && r.provisional > 0),
        ))
    }
}

fn recorded(b: &ClaimBeside) -> Markup {
    html! {
        @if let Some(totals) = &b.recorded_money { (recorded_money(totals)) }
        @if let Some(q) = &b.recorded_quantity {
            @if q.lines.is_empty() {
                span class="recorded-none" { (t("claims-recorded-no-lines")) }
            } @else {
                (ta("claims-recorded-lines", &[("quantity", &group_digits(q.quantity)), ("lines", &q.lines.len().to_string()), ("unstated", &q.lines_without_quantity.to_string())]))
            }
        }
        @if b.recorded_money.is_none() && b.recorded_quantity.is_none() {
            span class="recorded-none" { (t("claims-recorded-not-comparable")) }
        }
    }
}

fn scope_link(snap: &Snapshot, scope: &ClaimScope) -> Markup {
    let ledger = &snap.ledger;
    html! {
        @match scope {
            ClaimScope::Flow(f) => {
                @let activity = ledger.flows.get(f).map(|x| x.activity.clone());
                @match activity {
                    Some(a) => { (t("claims-scope-flow")) " " a href=(format!("/activities/{a}#{f}")) { (ledger.activities.get(&a).map_or(a.to_string(), |x| x.title.clone())) } }
                    None => { (f) }
                }
            }
            ClaimScope::Activity(a) => { (t("claims-scope-activity")) " " a href=(format!("/activities/{a}")) { (ledger.activities.get(a).map_or(a.to_string(), |x| x.title.clone())) } }
            ClaimScope::Facility(f) => { (t("claims-scope-facility")) " " a href=(format!("/facilities/{f}")) { (ledger.facility_name(f)) } }
            ClaimScope::Organisation(o) => { (t("claims-scope-organisation")) " " a href=(format!("/organisations/{o}")) { (ledger.org_name(o)) } }
            ClaimScope::None => { span class="muted" { (t("claims-scope-none")) } }
        }
    }
}

/// One claim beside its records.
pub fn claim_article(snap: &Snapshot, claim: &Claim, b: &ClaimBeside) -> Markup {
    html! {
        article class="claim" id=(claim.id) {
            p class="claim-statement" { b { (i18n::value(&enum_name(&claim.kind))) } ": " (claim.statement) }
            dl class="facts claim-figures" {
                dt { (t("claims-claimed")) } dd class="claimed" { (claimed(b)) }
                dt { (t("claims-recorded")) } dd class="recorded" { (recorded(b)) }
                dt { (t("claims-scope")) } dd { (scope_link(snap, &b.scope)) @if let Some(c) = &b.country { " · " (crate::labels::country(c.as_str())) } }
            }
            (citations(snap, &claim.sources))
        }
    }
}

/// A section of claims (nothing when there are none).
pub fn section(snap: &Snapshot, claims: &[&Claim]) -> Markup {
    if claims.is_empty() {
        return html! {};
    }
    html! {
        section id="claims" {
            h2 { (t("claims-title")) }
            p class="muted" { (t("claims-never-counted")) }
            @for c in claims {
                (claim_article(snap, c, &claims_beside::claim_beside(&snap.ledger, &snap.rates, c)))
            }
        }
    }
}

/// The claims about an activity, with the stated-equivalent comparison of its flows first.
pub fn activity_section(snap: &Snapshot, activity: &RecordId) -> Markup {
    let checks = claims_beside::equivalent_checks(&snap.ledger, &snap.rates, activity);
    let claims = claims_beside::about_activity(&snap.ledger, activity);
    html! {
        @for check in checks.iter().filter(|c| c.candidates.len() > 1) { (equivalent(snap, check)) }
        (section(snap, &claims))
    }
}

pub fn organisation_section(snap: &Snapshot, org: &RecordId) -> Markup {
    section(snap, &claims_beside::about_organisation(&snap.ledger, org))
}

pub fn facility_section(snap: &Snapshot, facility: &RecordId) -> Markup {
    section(snap, &claims_beside::about_facility(&snap.ledger, facility))
}

fn given_by(snap: &Snapshot, c: &EquivalentCandidate, flow: &RecordId) -> Markup {
    let ledger = &snap.ledger;
    let mut sources: Vec<&RecordId> = Vec::new();
    if c.recorded
        && let Some(f) = ledger.flows.get(flow)
    {
        sources.extend(f.sources.iter().map(|s| &s.source));
    }
    for claim in c.claims.iter().filter_map(|id| ledger.claims.get(id)) {
        sources.extend(claim.sources.iter().map(|s| &s.source));
    }
    sources.dedup();
    html! {
        @for (i, s) in sources.iter().enumerate() {
            @if i > 0 { "; " }
            @match ledger.sources.get(*s) {
                Some(src) => {
                    @match &src.url { Some(u) => { a href=(u) rel="noreferrer" { (src.publisher.clone().unwrap_or_else(|| src.title.clone())) } } None => { (src.publisher.clone().unwrap_or_else(|| src.title.clone())) } }
                    @if let Some(d) = src.published { " " (i18n::date(d)) }
                    @if let Some(l) = &src.language { " [" (l) "]" }
                }
                None => { (s) }
            }
        }
    }
}

fn candidate_money(c: &EquivalentCandidate) -> String {
    money(&c.amount)
}

/// The stated equivalent of one flow against every amount given for it.
fn equivalent(snap: &Snapshot, check: &EquivalentCheck) -> Markup {
    let stated = qualified(
        check.stated.qualifier,
        &format!(
            "{} {}",
            group_digits(check.stated.amount),
            check.stated.currency
        ),
    );
    let recorded = check.recorded();
    let supported = check.supported();
    html! {
        section class="equivalent" id=(format!("equivalent-{}", check.flow)) {
            h2 { (t("equiv-title")) }
            p { (ta("equiv-intro", &[("stated", &stated)])) }
            div class="table-wrap" {
                table class="list" {
                    thead { tr {
                        th { (t("equiv-col-figure")) } th { (t("equiv-col-given-by")) } th { (t("equiv-col-rate-date")) }
                        th { (ta("equiv-col-converted", &[("currency", check.stated.currency.as_str())])) } th { (t("equiv-col-ratio")) } th { (t("equiv-col-verdict")) }
                    } }
                    tbody {
                        @for (i, c) in check.candidates.iter().enumerate() {
                            tr class=(if check.supports == Some(i) { "supported" } else { "" }) {
                                td { (candidate_money(c)) " " span class="muted" { @if c.recorded { "(" (t("equiv-recorded")) ")" } @else { "(" (t("equiv-claimed")) ")" } } }
                                td { (given_by(snap, c, &check.flow)) }
                                td { @if let Some(d) = c.rate_date { (i18n::date(d)) @if c.provisional { " " strong class="provisional" title=(t("claims-provisional")) { "*" } } } }
                                td { @match c.converted { Some(v) => { (group_digits(v)) } None => { span class="muted" { (t("unconverted")) } } } }
                                td { @if let Some(r) = c.ratio { (group_digits(r.round_dp(2))) } }
                                td {
                                    @if check.supports == Some(i) { b { (t("equiv-supports-this")) } }
                                    @else if c.supported { (t("equiv-consistent")) }
                                    @else { (t("equiv-not-supported")) }
                                }
                            }
                        }
                    }
                }
            }
            @if check.candidates.iter().any(|c| c.provisional) { p class="muted conv-note" { (t("claims-provisional-note")) } }
            p id=(format!("equivalent-verdict-{}", check.flow)) class="verdict" {
                @match supported {
                    Some(s) => {
                        (ta("equiv-verdict", &[("stated", &stated), ("amount", &candidate_money(s))]))
                        @if let (Some(r), false) = (recorded, s.recorded) {
                            @if let Some(f) = s.factor_to_recorded {
                                " " (ta("equiv-slip", &[("recorded", &candidate_money(r)), ("factor", &group_digits(f)), ("amount", &candidate_money(s))]))
                            }
                        }
                    }
                    None => { (ta("equiv-none", &[("stated", &stated)])) }
                }
                " " (t("equiv-unchanged"))
            }
        }
    }
}

/// `/claims`: every claim beside its records.
pub async fn list_page(State(state): State<AppState>, caller: Caller) -> PageResult<Html<String>> {
    can_read(&state, &caller)?;
    let snap = state.snapshot().await?;
    let list = claims_beside::claims_beside(&snap.ledger, &snap.rates);
    let content = html! {
        p { (t("claims-intro")) }
        p class="muted" { (t("claims-never-counted")) }
        @if list.is_empty() { p class="muted" { (t("claims-empty")) } }
        @for b in &list {
            @if let Some(c) = snap.ledger.claims.get(&b.claim) { (claim_article(&snap, c, b)) }
        }
    };
    Ok(layout(&t("title-claims"), &caller, content))
}
