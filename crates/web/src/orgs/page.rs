//! `/organisations/{id}`: one organisation as the ledger knows it.

use aidtrace_domain::CurrencyCode;
use aidtrace_domain::model::OrgIdentifier;
use aidtrace_domain::org_profile::{FacilityLink, OrgProfile, OrgRef, org_profile};
use aidtrace_domain::scoped_totals::ScopedTotals;
use axum::extract::{Path, State};
use axum::response::Html;
use maud::{Markup, html};

use crate::auth::Caller;
use crate::auth::can_read;
use crate::error::parse_id;
use crate::error::{ApiError, PageResult};
use crate::i18n::{self, t, ta};
use crate::map::claims::{kind_total, organisation_section};
use crate::present::links::urlencode;
use crate::request_ctx::layout;
use crate::state::{AppState, Snapshot};
use crate::tables::enum_name;

fn org_link(o: &OrgRef) -> Markup {
    html! { a href=(format!("/organisations/{}", o.id)) { (o.name) } }
}

fn identifier(i: &OrgIdentifier) -> (String, String) {
    match i {
        OrgIdentifier::Iati(v) => (i18n::value("iati"), v.to_string()),
        OrgIdentifier::IatiAsPublished(v) => (i18n::value("iati_as_published"), v.clone()),
        OrgIdentifier::Registration(v) => (i18n::value("registration"), v.clone()),
        OrgIdentifier::Other(v) => (i18n::value("other"), v.clone()),
    }
}

/// Totals by kind, then by kind and year, each linking to its flows on `/flows` (with the
/// organisation as donor) where `donor_link` is set.
pub(crate) fn totals_table(totals: &ScopedTotals, id: &str, donor_link: bool) -> Markup {
    let link = |year: Option<i32>, kind: &str| {
        let mut q = format!("/flows?donor={}&kind={kind}", urlencode(id));
        if let Some(y) = year {
            q.push_str(&format!("&year_from={y}&year_to={y}"));
        }
        q
    };
    html! {
        @if totals.by_kind.is_empty() {
            p class="muted" { (t("orgp-no-flows")) }
        } @else {
            div class="table-wrap" {
                table class="list" {
                    thead { tr { th { (t("col-kind")) } th { (t("col-year")) } th { (t("col-amount")) } th { (t("orgp-col-flows")) } } }
                    tbody {
                        @for row in &totals.by_kind {
                            tr class="kind-total" {
                                td { b { (i18n::value(row.kind.as_str())) } }
                                td { (t("orgp-all-years")) }
                                td { b { (kind_total(row, &totals.currency)) } }
                                td { @if donor_link { a href=(link(None, row.kind.as_str())) { (row.flows.len()) } } @else { (row.flows.len()) } }
                            }
                            @for y in totals.by_kind_and_year.iter().filter(|y| y.kind == row.kind) {
                                tr {
                                    td {}
                                    td { @match y.year { Some(v) => { (v) } None => { span class="muted" { (t("orgp-undated")) } } } }
                                    td { (kind_total(y, &totals.currency)) }
                                    td { @if donor_link && y.year.is_some() { a href=(link(y.year, y.kind.as_str())) { (y.flows.len()) } } @else { (y.flows.len()) } }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if !totals.excluded.is_empty() {
            p class="muted" { (ta("claims-excluded", &[("count", &totals.excluded.len().to_string())])) }
        }
    }
}

fn sources(snap: &Snapshot, p: &OrgProfile) -> Markup {
    html! {
        @if p.sources.is_empty() { p class="muted" { (t("none-recorded")) } }
        ul id="org-sources" {
            @for id in &p.sources {
                li {
                    @match snap.ledger.sources.get(id) {
                        Some(s) => {
                            @match &s.url { Some(u) => { a href=(u) rel="noreferrer" { (s.title) } } None => { (s.title) } }
                            @if let Some(p) = &s.publisher { ", " (p) }
                            @if let Some(d) = s.published { ", " (i18n::date(d)) }
                        }
                        None => { (id) }
                    }
                }
            }
        }
        (crate::dashboard::pages::citations(snap, &p.organisation.sources))
    }
}

/// What the organisation does in its activities, in the reader's language, each once: an
/// imported publisher has no roles recorded yet appears as funder, provider and reporter.
fn roles_seen(p: &OrgProfile) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let mut add = |label: String| {
        if !seen.contains(&label) {
            seen.push(label);
        }
    };
    for a in &p.activities {
        for r in a.roles.iter().filter(|r| r.org == p.organisation.id) {
            add(i18n::value(&enum_name(&r.role)));
        }
        if a.provider {
            add(t("orgp-provides"));
        }
        if a.receiver {
            add(t("orgp-receives"));
        }
        if a.reporting {
            add(t("orgp-reports"));
        }
    }
    seen
}

fn body(snap: &Snapshot, p: &OrgProfile) -> Markup {
    let o = &p.organisation;
    let ledger = &snap.ledger;
    html! {
        dl class="facts" id="org-facts" {
            dt { (t("field-id")) } dd { code { (o.id) } }
            dt { (t("field-kind")) } dd { (i18n::value(&enum_name(&o.kind))) }
            @if let Some(c) = &o.country { dt { (t("col-country")) } dd { (crate::labels::country(c.as_str())) } }
            dt { (t("col-roles")) } dd id="org-roles" {
                @if o.roles.is_empty() {
                    span class="muted" { (t("orgp-no-roles")) }
                    @let seen = roles_seen(p);
                    @if !seen.is_empty() { " · " span id="org-roles-seen" { (ta("orgp-roles-seen", &[("roles", &seen.join(", "))])) } }
                }
                @for (i, r) in o.roles.iter().enumerate() { @if i > 0 { ", " } (i18n::value(&enum_name(r))) }
            }
            @if !p.parents.is_empty() {
                dt { (t("orgp-parent")) } dd id="org-parent" { @for (i, x) in p.parents.iter().enumerate() { @if i > 0 { " ← " } (org_link(x)) } }
            }
            @if !p.agencies.is_empty() {
                dt { (t("orgp-agencies")) } dd id="org-agencies" { @for (i, x) in p.agencies.iter().enumerate() { @if i > 0 { ", " } (org_link(x)) } }
            }
            dt { (t("orgp-identifiers")) } dd id="org-identifiers" {
                @if o.identifiers.is_empty() { span class="muted" { (t("none-recorded")) } }
                @for (i, x) in o.identifiers.iter().enumerate() {
                    @if i > 0 { "; " }
                    @let (scheme, value) = identifier(x);
                    (scheme) ": " code { (value) }
                }
            }
            @if !o.aliases.is_empty() {
                dt { (t("orgp-aliases")) } dd id="org-aliases" {
                    @for (i, a) in o.aliases.iter().enumerate() {
                        @if i > 0 { "; " }
                        (a.name) @if let Some(m) = &a.merged_id { " (" (ta("orgp-merged-id", &[("id", m.as_str())])) ")" }
                    }
                }
            }
        }
        @if crate::medicines::pages::org_is_medicine_donor(ledger, &o.id) { p { a href=(format!("/medicines/donors/{}", o.id)) id="org-medicines" { (t("medp-donor-view-link")) } } }
        h2 { (t("orgp-as-provider")) }
        p class="muted" { (t("orgp-provider-note")) }
        section id="org-as-provider" { (totals_table(&p.as_provider, o.id.as_str(), true)) }
        h2 { (t("orgp-as-receiver")) }
        section id="org-as-receiver" { (totals_table(&p.as_receiver, o.id.as_str(), false)) }
        h2 { (t("orgp-activities")) }
        @if p.activities.is_empty() { p class="muted" { (t("none-recorded")) } }
        @else {
            div class="table-wrap" {
                table class="list" id="org-activities" {
                    thead { tr { th { (t("col-activity")) } th { (t("col-status")) } th { (t("orgp-col-part")) } } }
                    tbody { @for a in &p.activities { tr {
                        td { a href=(format!("/activities/{}", a.id)) { (a.title) } }
                        td { (i18n::value(&enum_name(&a.status))) }
                        td {
                            @for (i, r) in a.roles.iter().enumerate() {
                                @if i > 0 { ", " }
                                (i18n::value(&enum_name(&r.role)))
                                @if r.org != o.id { " (" a href=(format!("/organisations/{}", r.org)) { (ledger.org_name(&r.org)) } ")" }
                            }
                            @if a.provider { @if !a.roles.is_empty() { "; " } (t("orgp-provides")) }
                            @if a.receiver { "; " (t("orgp-receives")) }
                            @if a.reporting { "; " (t("orgp-reports")) }
                        }
                    } } }
                }
            }
        }
        h2 { (t("orgp-facilities")) }
        @if p.facilities.is_empty() { p class="muted" { (t("none-recorded")) } }
        ul id="org-facilities" {
            @for f in &p.facilities {
                li {
                    a href=(format!("/facilities/{}", f.id)) { (f.name) }
                    " — "
                    @match f.link { FacilityLink::Operator => { (t("orgp-operates")) } FacilityLink::Supported => { (t("orgp-supports")) } }
                    @for a in &f.activities { " · " a href=(format!("/activities/{a}")) { (ledger.activities.get(a).map_or(a.to_string(), |x| x.title.clone())) } }
                }
            }
        }
        @if !p.partnerships.is_empty() {
            h2 { (t("act-partnerships")) }
            ul id="org-partnerships" {
                @for x in &p.partnerships {
                    li { (org_link(&x.lead)) " " (t("partner-with")) " " @for (i, o) in x.partners.iter().enumerate() { @if i > 0 { ", " } (org_link(o)) } }
                }
            }
        }
        (organisation_section(snap, &o.id))
        h2 { (t("sources")) }
        (sources(snap, p))
    }
}

pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
) -> PageResult<Html<String>> {
    can_read(&state, &caller)?;
    let id = parse_id(&raw)?;
    let snap = state.snapshot().await?;
    let profile = org_profile(&snap.ledger, &snap.rates, &id, &CurrencyCode::usd())
        .ok_or_else(|| ApiError::not_found(ta("orgp-err-none", &[("id", id.as_str())])))?;
    let content = body(&snap, &profile);
    Ok(layout(&profile.organisation.name, &caller, content))
}
