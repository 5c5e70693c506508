//! The dashboard, totals, activity and facility pages, data quality, sign-out, approval decisions
//! and the list exports, rendered on the server (maud escapes every interpolated value). No page
//! needs JavaScript.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::error::PageQuery;
use crate::summary::TotalsSummary;
use aidtrace_domain::totals::Sum;
use aidtrace_domain::{CurrencyCode, Money, RecordId, RecordKind};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{Markup, html};
use rust_decimal::Decimal;

use crate::auth::{self, Caller, SESSION_COOKIE};
use crate::changes::edit;
use crate::error::{ApiError, PageError, PageResult};
use crate::i18n::{self, t, ta, tn};
use crate::labels::{finding_message, label};
use crate::state::{AppState, GROUPS, Snapshot, blocking};
use crate::svg;
use crate::tables::{self, ActivityFilter};

use crate::auth::can_read;
use crate::error::parse_id;
use crate::map::geo::shown_location;
use crate::present::format::{group_digits, money, sum_cell};
use crate::present::links::urlencode;
use crate::present::table::{exports, header_label, table_html};
use crate::request_ctx::layout;

/// Whether a request is read as the public view, and the blur radius that applies to it.
fn blur_for(state: &AppState, caller: &Caller) -> Option<Decimal> {
    caller.principal().is_none().then_some(state.config.blur_km)
}

/// Rows of one grouping the dashboard shows: the largest converted totals. The others are one
/// click away on `/totals?by=…`, so the dashboard stays small (at a million flows it held every
/// row of every grouping: 598 KB).
pub const DASHBOARD_ROWS: usize = 25;

/// The rows a totals table shows: all of them, or beyond `limit` the `limit` largest converted
/// totals (an overflowing sum first, unconverted ones last), in the report's order.
fn shown_rows(report: &TotalsSummary, limit: Option<usize>) -> Vec<&crate::summary::RowSummary> {
    let Some(limit) = limit.filter(|l| report.rows.len() > *l) else {
        return report.rows.iter().collect();
    };
    let weight = |r: &crate::summary::RowSummary| match r.converted {
        Some(Sum::Overflow) => (2, Decimal::ZERO),
        Some(Sum::Exact(v)) => (1, v),
        None => (0, Decimal::ZERO),
    };
    let mut order: Vec<usize> = (0..report.rows.len()).collect();
    order.sort_by(|a, b| weight(&report.rows[*b]).cmp(&weight(&report.rows[*a])));
    order.truncate(limit);
    order.sort_unstable();
    order.into_iter().map(|i| &report.rows[i]).collect()
}

fn totals_section(report: &TotalsSummary, limit: Option<usize>) -> Markup {
    let by = report.by;
    let rows = shown_rows(report, limit);
    html! {
        section id=(format!("totals-{by}")) {
            h2 { (t(&format!("by-{by}"))) }
            @if rows.len() < report.rows.len() {
                p class="muted" id=(format!("totals-{by}-top")) {
                    (ta("totals-top", &[("shown", &rows.len().to_string()), ("total", &report.rows.len().to_string())])) " "
                    a href=(format!("/totals{}", crate::flows::query(&report.filter, &[("by", by)]))) id=(format!("totals-{by}-all")) { (t("totals-all-rows")) }
                }
            }
            table class="list" {
                thead { tr { th { (header_label(by)) } th { (t("col-kind")) } th { (t("totals-original")) } th { (ta("totals-converted", &[("currency", report.currency.as_str())])) } } }
                tbody {
                    @for row in rows {
                        @let cell = aidtrace_domain::filter::Filter { kind: Some(row.kind), ..report.filter.clone() };
                        @let drill = format!("/flows{}", crate::flows::query(&cell, &[("by", by), ("key", &row.key)]));
                        tr {
                            td { a href=(drill) class="drill" { (crate::labels::group_key(by, &row.key)) } }
                            td { (label(row.kind)) }
                            td { @for (c, a) in &row.original { span class="amt" { (sum_cell(*a)) " " (c) } br; } }
                            td {
                                @match row.converted {
                                    Some(Sum::Overflow) => { span class="muted" { (t("totals-overflow")) } }
                                    Some(Sum::Exact(v)) => {
                                        // The total links to its flows; the rates sit in a disclosure beside it (a
                                        // link inside a summary is a control nested in a control).
                                        a href=(drill) class="drill-total" { (group_digits(v.round_dp(2))) " " (report.currency) } @if !row.converted_complete { " (" (t("totals-partial")) ")" }
                                        @if row.rates.iter().any(|r| r.provisional.is_some()) { " " strong class="provisional" { "*" } }
                                        details {
                                            summary { (t("totals-rates")) }
                                            ul class="rates" {
                                                @for r in &row.rates {
                                                    li {
                                                        // Money already in the report's currency uses no rate, so no rate's date.
                                                        @if r.currency == report.currency { (ta("conv-same-currency", &[("currency", r.currency.as_str())])) }
                                                        @else { (ta("totals-rate-line", &[("currency", r.currency.as_str()), ("rate", &crate::format::rate(r.rate)), ("pair", &format!("{}/{}", report.currency, r.currency)), ("date", &i18n::date(r.rate_date)), ("basis", &label(r.basis)), ("source", &crate::labels::rate_source(&r.legs, &r.source))])) }
                                                        ", " (r.flows) " " (tn("card-flows", r.flows))
                                                        @if let Some(d) = r.provisional { " — " strong class="provisional" { (ta("conv-provisional", &[("date", &i18n::date(d))])) } } }
                                                }
                                                @if row.unconverted > 0 { li { (row.unconverted) " " (tn("card-flows", row.unconverted)) ": " (t("unconverted")) } }
                                            }
                                        }
                                    }
                                    None => { span class="muted" { (t("unconverted")) } }
                                }
                            }
                        }
                    }
                }
            }
            p class="muted" { (t("totals-rule")) ": " (t("totals-rule-text")) ". " (t("totals-attribution")) }
            (exports("totals", &crate::flows::query(&report.filter, &[("by", by)])))
        }
    }
}

fn bar_rows(report: &TotalsSummary) -> Vec<svg::Bar> {
    // One bar per key and flow kind: kinds are never added together.
    let mut rows: Vec<svg::Bar> = report
        .rows
        .iter()
        .filter_map(|r| {
            Some(svg::Bar {
                label: r.key.clone(),
                kind: r.kind,
                value: r.converted?.exact()?,
            })
        })
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.value));
    rows.truncate(12);
    rows
}

pub async fn dashboard(
    State(state): State<AppState>,
    caller: Caller,
    uri: axum::http::Uri,
) -> PageResult<Response> {
    can_read(&state, &caller)?;
    let snap = state.snapshot().await?;
    let (filter, _) = crate::flows::page_filter(&snap, uri.query(), &[])?;
    // The dashboard's body is the same for every reader of a snapshot in one language and
    // filter, and it is the largest page, so it is rendered once per snapshot, language and
    // filter (the unfiltered one beside the snapshot, filtered ones in its memo).
    let lang = i18n::current();
    let memo_key = format!(
        "dashboard:{}{}",
        lang.code(),
        crate::flows::query(&filter, &[])
    );
    let unfiltered = filter == aidtrace_domain::filter::Filter::default();
    let cached = if unfiltered {
        snap.dashboard_html
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&lang)
            .cloned()
    } else {
        snap.memo.page(&memo_key)
    };
    let body = match cached {
        Some(body) => body,
        None => {
            let (s, f) = (snap.clone(), filter.clone());
            let (figures, counts) = blocking(move || {
                Ok((
                    crate::flows::figures(&s, &f),
                    crate::flows::counts::counts(&s, &f),
                ))
            })
            .await?;
            let body: Arc<str> = dashboard_body(&snap, &figures, &counts, &filter)
                .into_string()
                .into();
            if unfiltered {
                snap.dashboard_html
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .insert(lang, body.clone());
            } else {
                snap.memo.keep_page(memo_key, body.clone());
            }
            body
        }
    };
    Ok(crate::present::page::shared_page(
        &t("title-dashboard"),
        &crate::request_ctx::frame(&caller),
        body,
    ))
}

/// `/totals?by=…` (with the filter): every row of one grouping of the dashboard's totals.
pub async fn totals_page(
    State(state): State<AppState>,
    caller: Caller,
    uri: axum::http::Uri,
) -> PageResult<Html<String>> {
    can_read(&state, &caller)?;
    let snap = state.snapshot().await?;
    let (filter, own) = crate::flows::page_filter(&snap, uri.query(), &["by"])?;
    let by = own.get("by").map_or("donor", String::as_str).to_string();
    let (s, f) = (snap.clone(), filter.clone());
    let figures = blocking(move || Ok(crate::flows::figures(&s, &f))).await?;
    let report = figures.totals.get(by.as_str()).ok_or_else(|| {
        let all: Vec<&str> = GROUPS.iter().map(|g| g.as_str()).collect();
        PageError(
            ApiError::bad_request(
                "invalid_query",
                format!(
                    "by «{by}»: {}",
                    ta("filter-err-not-one-of", &[("allowed", &all.join(", "))])
                ),
            )
            .with_field("by"),
        )
    })?;
    let content = html! {
        (crate::flows::form(&snap, &filter, "/totals", &[("by", by.as_str())]))
        (totals_section(report, None))
        p { a href=(format!("/{}", crate::flows::query(&filter, &[]))) { (t("back-to-dashboard")) } }
    };
    Ok(layout(&t(&format!("by-{by}")), &caller, content))
}

fn dashboard_body(
    snap: &Snapshot,
    figures: &crate::summary::Figures,
    counts: &crate::flows::counts::Counts,
    filter: &aidtrace_domain::filter::Filter,
) -> Markup {
    let (series, dated_by_fallback) = (&figures.series, figures.dated_by_fallback);
    let unit = filter.currency.as_str();
    html! {
        (crate::flows::form(snap, filter, "/", &[]))
        p id="dash-flows-links" {
            a href=(format!("/flows{}", crate::flows::query(filter, &[]))) id="dash-flows" { (t("flows-of-filter")) }
            " · " a href=(format!("/flows{}", crate::flows::query(filter, &[("excluded", "1")]))) id="dash-excluded" { (t("flows-show-excluded")) }
        }
        section class="cards" id="dash-cards" {
            div class="card" id="card-activities" { b { (counts.activities) } " " (tn("card-activities", counts.activities)) }
            div class="card" id="card-flows" { b { (counts.flows) } " " (tn("card-flows", counts.flows)) }
            div class="card" id="card-facilities" { b { (counts.facilities) } " " (tn("card-facilities", counts.facilities)) }
            div class="card" id="card-organisations" { b { (counts.organisations) } " " (tn("card-organisations", counts.organisations)) }
            @let problems = counts.problems();
            a class="card warn" href="/quality" id="findings-count" {
                b { (problems) } " " (tn("card-problems", problems))
                span class="muted" { " (" (ta("dash-severity-counts", &[("errors", &counts.errors.to_string()), ("warnings", &counts.warnings.to_string()), ("notes", &counts.notes.to_string())])) ")" }
            }
        }
        (crate::medicines::cards::cards(snap))
        @if !filter.is_everything() {
            p class="muted" id="dash-counts-filtered" { (ta("dash-counts-filtered", &[("total", &snap.findings.len().to_string())])) }
        }
        @if let Some(donors) = figures.totals.get("donor") {
            (svg::bar_chart(&t("chart-by-donor"), unit, &bar_rows(donors)))
        }
        (svg::time_series(&t("chart-by-year"), unit, series))
        @if dated_by_fallback > 0 {
            p class="muted" id="dash-dated-by-fallback" { (ta("dash-dated-by-fallback", &[("count", &dated_by_fallback.to_string())])) }
        }
        @if figures.undated > 0 {
            p class="muted" id="dash-undated" { (ta("dash-undated", &[("count", &figures.undated.to_string())])) }
        }
        @let provisional = figures.totals.get("donor").map_or(0, crate::summary::provisional_flows);
        @if provisional > 0 {
            p class="muted" id="dash-provisional" { strong class="provisional" { "* " } (ta("dash-provisional", &[("count", &provisional.to_string())])) }
        }
        (crate::medicines::import::dashboard_in_kind(snap, filter))
        @for g in GROUPS {
            @if let Some(report) = figures.totals.get(g.as_str()) { (totals_section(report, Some(DASHBOARD_ROWS))) }
        }
    }
}

pub async fn activities(
    State(state): State<AppState>,
    caller: Caller,
    uri: axum::http::Uri,
) -> PageResult<Html<String>> {
    can_read(&state, &caller)?;
    let snap = state.snapshot().await?;
    let (flows, own) = crate::flows::page_filter(&snap, uri.query(), &["q"])?;
    let q = own.get("q").cloned().unwrap_or_default();
    let pairs: BTreeMap<&str, String> = flows.pairs().into_iter().collect();
    let filter = ActivityFilter {
        q: q.clone(),
        status: pairs.get("status").cloned().unwrap_or_default(),
        instrument: pairs.get("instrument").cloned().unwrap_or_default(),
        flows: flows.clone(),
    };
    let table = tables::activities(&snap, &filter);
    let query = crate::flows::query(&flows, &[("q", &q)]);
    let can_edit = caller
        .principal()
        .is_some_and(auth::Principal::can_edit_something);
    let content = html! {
        (crate::flows::form_with_search(&snap, &flows, "/activities", &q))
        p { (table.rows.len()) " " (tn("card-activities", table.rows.len())) @if can_edit { " · " a href="/forms/activities/new" id="new-activity" { (t("new-activity")) } } }
        @if [aidtrace_domain::filter::Split::Recipient, aidtrace_domain::filter::Split::Region, aidtrace_domain::filter::Split::Sector].into_iter().any(|s| flows.restricts(s)) {
            p class="muted" id="activities-whole" { (t("activities-whole-note")) }
        }
        (table_html(&table, Some("/activities/")))
        (exports("activities", &query))
        p class="exports" { a href=(format!("/export/iati{query}")) id="activities-iati" { "IATI XML" } }
    };
    Ok(layout(&t("title-activities"), &caller, content))
}

fn conversion(snap: &Snapshot, m: &Money) -> Markup {
    let usd = CurrencyCode::usd();
    if m.currency == usd {
        return html! {};
    }
    let when = m.value_date.or_else(|| snap.rates.latest_date(&m.currency));
    match when.map(|d| snap.rates.convert_on(m, &usd, d)) {
        Some(Ok(c)) => html! {
            details class="conv" {
                @let provisional = c.provisional.or(m.value_date.is_none().then_some(c.rate_date));
                summary { "≈ " (group_digits(c.amount.round_dp(2))) " " (c.currency) @if provisional.is_some() { " " strong class="provisional" { "*" } } }
                (ta("conv-detail", &[("amount", &format!("{} {}", group_digits(c.from.amount), c.from.currency)), ("rate", &group_digits(c.rate)), ("pair", &format!("{}/{}", c.currency, c.from.currency)), ("date", &i18n::date(c.rate_date))]))
                @if m.value_date.is_none() { " (" (t("conv-no-value-date")) ")" }
                @if let Some(d) = provisional { " — " strong class="provisional" { (ta("conv-provisional", &[("date", &i18n::date(d))])) } }
                ". " (t("source")) ": " (crate::labels::rate_source(&c.legs, &c.source))
            }
        },
        Some(Err(e)) => {
            html! { span class="muted" { (t("unconverted")) ": " (crate::labels::conversion_error(&e)) } }
        }
        None => html! { span class="muted" { (t("unconverted")) ": " (t("conv-no-rate")) } },
    }
}

pub(crate) fn citations(snap: &Snapshot, list: &[aidtrace_domain::model::Citation]) -> Markup {
    html! {
        @for c in list {
            blockquote class="cite" {
                @if let Some(q) = &c.quote { "“" (q) "”" }
                footer {
                    "— "
                    @match snap.ledger.sources.get(&c.source) {
                        Some(s) => {
                            @match &s.url { Some(u) => { a href=(u) rel="noreferrer" { (s.title) } } None => { (s.title) } }
                            @if let Some(p) = &s.publisher { ", " (p) }
                            @if let Some(d) = s.published { ", " (i18n::date(d)) }
                        }
                        None => { (c.source) }
                    }
                    @if let Some(f) = &c.field { " (" (t("cite-supports")) " " span class="cited-field" title=(f) { (crate::labels::record_field(f)) } ")" }
                }
            }
        }
    }
}

async fn history_of(
    state: &AppState,
    caller: &Caller,
    items: Vec<(RecordKind, RecordId)>,
) -> Result<Vec<aidtrace_store::AuditEntry>, ApiError> {
    // The audit trail holds full before/after documents (exact coordinates included), so only
    // signed-in users see it.
    if caller.principal().is_none() {
        return Ok(Vec::new());
    }
    let state = state.clone();
    blocking(move || {
        let service = state.reader()?;
        let mut all = Vec::new();
        for (kind, id) in &items {
            all.extend(service.history(*kind, id)?);
        }
        all.sort_by_key(|e| e.seq);
        Ok(all)
    })
    .await
}

fn history_html(caller: &Caller, entries: &[aidtrace_store::AuditEntry]) -> Markup {
    html! {
        h2 { (t("history")) }
        @if caller.principal().is_none() {
            p class="muted" { (t("history-sign-in")) }
        } @else if entries.is_empty() {
            p class="muted" { (t("history-none")) }
        } @else {
            table class="list" id="history" {
                thead { tr { th { "#" } th { (t("col-when")) } th { (t("col-who")) } th { (t("col-action")) } th { (t("col-record")) } th { (t("col-after")) } } }
                tbody { @for e in entries { tr {
                    td { (e.seq) } td { (crate::format::timestamp(&e.at)) } td { (e.actor) } td { (i18n::value(&e.action)) } td { (i18n::value(&e.kind)) " " (e.record_id) }
                    td { details { summary { (t("history-document")) } pre { (e.after.clone().unwrap_or_default()) } } }
                } } }
            }
            p class="muted" { (t("history-chain")) " " code { "aidtrace audit verify" } }
        }
    }
}

fn findings_html(snap: &Snapshot, ids: &[&RecordId]) -> Markup {
    let list = snap.findings_for(ids);
    html! {
        h2 { (t("findings")) }
        @if list.is_empty() { p class="muted" { (t("none")) } }
        ul class="findings" {
            @for f in list {
                li class=(f.severity.as_str()) { b { (f.rule) } " " (label(f.severity)) " — " (label(f.record_kind)) " " (f.record) ": " (finding_message(f)) }
            }
        }
    }
}

/// Assets bought through an equipment line: those whose funding names the line, and those the
/// line lists as delivered (either side may be recorded first), each once, by inventory tag.
fn assets_of_line(ledger: &aidtrace_domain::Ledger, line: &RecordId) -> Vec<(RecordId, String)> {
    let listed = ledger.equipment_lines.get(line).map(|e| &e.assets);
    let mut out: Vec<(RecordId, String)> = ledger
        .assets
        .values()
        .filter(|a| {
            a.funding.equipment_line.as_ref() == Some(line)
                || listed.is_some_and(|l| l.contains(&a.id))
        })
        .map(|a| (a.id.clone(), a.inventory_tag.clone()))
        .collect();
    out.sort();
    out
}

fn edit_link(caller: &Caller, collection: &str, id: &RecordId) -> Markup {
    html! {
        @if caller.principal().is_some_and(auth::Principal::can_edit_something) {
            p { a href=(format!("/forms/{collection}/{id}")) class="edit" { (t("edit")) } }
        }
    }
}

pub async fn activity(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
) -> PageResult<Html<String>> {
    can_read(&state, &caller)?;
    let id = parse_id(&raw)?;
    let snap = state.snapshot().await?;
    let ledger = &snap.ledger;
    let a = ledger
        .activities
        .get(&id)
        .ok_or_else(|| ApiError::not_found(ta("err-no-activity-id", &[("id", id.as_str())])))?;
    let mut flows: Vec<_> = snap
        .of_activity(&id, RecordKind::Flow)
        .into_iter()
        .filter_map(|f| ledger.flows.get(f))
        .collect();
    // In the order the money moved, undated last: a reader checks them against the totals.
    flows.sort_by(|a, b| {
        let when =
            |f: &aidtrace_domain::model::Flow| (f.money.value_date.is_none(), f.money.value_date);
        when(a).cmp(&when(b)).then_with(|| a.id.cmp(&b.id))
    });
    let totals = aidtrace_domain::scoped_totals::scoped_totals(
        ledger,
        &snap.rates,
        &aidtrace_domain::CurrencyCode::usd(),
        flows.iter().map(|f| (*f, rust_decimal::Decimal::ONE)),
    );
    let lines: Vec<_> = snap
        .of_activity(&id, RecordKind::EquipmentLine)
        .into_iter()
        .filter_map(|e| ledger.equipment_lines.get(e))
        .collect();
    let partnerships: Vec<_> = snap
        .of_activity(&id, RecordKind::Partnership)
        .into_iter()
        .filter_map(|p| ledger.partnerships.get(p))
        .collect();
    let budgets: Vec<_> = snap
        .of_activity(&id, RecordKind::Budget)
        .into_iter()
        .filter_map(|b| ledger.budgets.get(b))
        .collect();
    let children = ledger.activity_children(&id);
    let mut related: Vec<&RecordId> = vec![&a.id];
    related.extend(flows.iter().map(|f| &f.id));
    related.extend(lines.iter().map(|e| &e.id));
    related.extend(budgets.iter().map(|b| &b.id));
    let mut hist_items = vec![(RecordKind::Activity, id.clone())];
    hist_items.extend(flows.iter().map(|f| (RecordKind::Flow, f.id.clone())));
    hist_items.extend(
        lines
            .iter()
            .map(|e| (RecordKind::EquipmentLine, e.id.clone())),
    );
    let history = history_of(&state, &caller, hist_items).await?;
    let can_edit = caller
        .principal()
        .is_some_and(auth::Principal::can_edit_something);
    let content = html! {
        (edit_link(&caller, "activities", &id))
        dl class="facts" {
            dt { (t("field-id")) } dd { code { (a.id) } }
            dt { (t("field-instrument")) } dd { (label(a.instrument)) }
            dt { (t("field-status")) } dd { (label(a.status)) }
            @if let Some(p) = &a.parent { dt { (t("act-part-of")) } dd { a href=(format!("/activities/{p}")) { (ledger.activities.get(p).map_or(p.to_string(), |x| x.title.clone())) } } }
            @if !children.is_empty() { dt { (t("act-children")) } dd { @for c in children { a href=(format!("/activities/{c}")) { (ledger.activities.get(c).map_or(c.to_string(), |x| x.title.clone())) } br; } } }
            @if let Some(d) = &a.description { dt { (t("field-description")) } dd { (d) } }
            @if let Some(d) = &a.purpose { dt { (t("act-purpose")) } dd { (d) } }
            @if let Some(d) = a.start_date { dt { (t("field-start-date")) } dd { (i18n::date(d)) } }
            @if let Some(d) = a.end_date { dt { (t("field-end-date")) } dd { (i18n::date(d)) } }
            @if let Some(c) = &a.ceiling { dt { (t("act-ceiling")) } dd { (money(c)) (conversion(&snap, c)) } }
            dt { (t("act-participants")) } dd { @for p in &a.participants { (ledger.org_name(&p.org)) " (" (label(p.role)) ")" br; } }
            @if !a.countries.is_empty() { dt { (t("act-countries")) } dd { @for c in &a.countries { (crate::labels::country(c.country.as_str())) " " (crate::format::percent(c.percentage)) " " } } }
            @if !a.regions.is_empty() { dt { (t("act-regions")) } dd { @for r in &a.regions { (r.name) " (" (crate::labels::country(r.country.as_str())) ") " (crate::format::percent(r.percentage)) " " } } }
            @if !a.sectors.is_empty() { dt { (t("act-sectors")) } dd { @for s in &a.sectors { (crate::labels::sector_markup(&s.code)) " " (crate::format::percent(s.percentage)) br; } } }
        }
        p class="exports" { (t("export")) ": " a href=(format!("/export/iati?activity={id}")) id="activity-iati" { "IATI XML" } }
        @if !a.legal_steps.is_empty() {
            h2 { (t("act-legal-steps")) }
            ul { @for s in &a.legal_steps { li { (label(s.kind)) @if let Some(d) = s.date { " " (i18n::date(d)) } @if let Some(r) = &s.reference { " " (t("act-ref")) " " (r) } @for g in &s.signatories { " · " (g.name) @if let Some(t) = &g.title { ", " (t) } } (citations(&snap, &s.sources)) } } }
        }
        h2 { (t("flows")) }
        @if can_edit { p { a href=(format!("/forms/flows/new?activity={id}")) { (t("new-flow")) } " · " a href=(format!("/forms/equipment-lines/new?activity={id}")) { (t("new-equipment-line")) } } }
        @if flows.is_empty() { p class="muted" { (t(if can_edit { "act-no-flows" } else { "act-no-flows-public" })) } }
        @else {
            div id="activity-totals" {
                (crate::orgs::totals_table(&totals, "", false))
                // Why a flow the list's row counts is not in these totals (an envelope counted
                // through its parts, a cancelled activity's pledge): the same rules as the
                // dashboard's, said per flow.
                @if !totals.excluded.is_empty() {
                    ul id="activity-excluded" class="muted" {
                        @for x in &totals.excluded {
                            li { a href=(format!("#{}", x.flow)) { code { (x.flow) } } ": " (crate::flows::list::reason(&snap, &x.why)) }
                        }
                    }
                }
            }
        }
        @for f in &flows {
            article class="flow" id=(f.id) {
                h3 { (label(f.kind)) ": " (money(&f.money)) }
                (edit_link(&caller, "flows", &f.id))
                (conversion(&snap, &f.money))
                @if let Some(v) = f.money.value_date { p { (t("field-value-date")) ": " (i18n::date(v)) } }
                @if let Some(p) = &f.provider { p { (t("flow-from")) ": " (ledger.org_name(p)) } }
                @if let Some(r) = &f.receiver { p { (t("flow-to")) ": " (ledger.org_name(r)) } }
                @if let Some(s) = &f.stated_equivalent {
                    p class="stated" { (t("flow-stated")) ": " (crate::labels::qualified(s.qualifier, &format!("{} {}", group_digits(s.amount), s.currency))) " (" (t("flow-stated-note")) ")" }
                }
                @if let Some(d) = &f.description { p { (d) } }
                (crate::medicines::import::in_kind_note(&snap, &f.id))
                @for finding in snap.findings_for(&[&f.id]) {
                    p class=(format!("finding {}", finding.severity.as_str())) { b { (finding.rule) } " " (finding_message(finding)) }
                }
                (citations(&snap, &f.sources))
            }
        }
        (crate::map::claims::activity_section(&snap, &id))
        @if !budgets.is_empty() {
            h2 { (t("act-budgets")) }
            table class="list" id="budgets" {
                thead { tr { th { (t("col-kind")) } th { (t("col-period")) } th { (t("col-amount")) } th { (t("col-status")) } } }
                tbody { @for b in &budgets { tr id=(b.id) {
                    td { (label(b.kind)) } td { (i18n::date(b.period_start)) " – " (i18n::date(b.period_end)) }
                    td { (money(&b.money)) (conversion(&snap, &b.money)) }
                    td { (b.status.map(label).unwrap_or_default()) }
                } } }
            }
            p class="muted" { (t("act-budgets-note")) }
        }
        h2 { (t("equipment")) }
        @if lines.is_empty() { p class="muted" { (t(if can_edit { "act-no-equipment" } else { "act-no-equipment-public" })) } }
        @if !lines.is_empty() {
            table class="list" id="equipment" {
                thead { tr { th { (t("col-id")) } th { (t("col-equipment")) } th { (t("col-category")) } th { (t("col-quantity")) } th { (t("col-unit-cost")) } th { (t("col-facility")) } th { (t("col-assets")) } } }
                tbody { @for e in &lines { tr id=(e.id) {
                    td { @if can_edit { a href=(format!("/forms/equipment-lines/{}", e.id)) { (e.id) } } @else { (e.id) } } td { (e.description) } td { (label(e.category)) }
                    td { (e.quantity.map(|q| group_digits(Decimal::from(q))).unwrap_or_default()) }
                    td { @if let Some(c) = &e.unit_cost { (money(c)) (conversion(&snap, c)) } }
                    td { @if let Some(f) = &e.facility { a href=(format!("/facilities/{f}")) { (ledger.facility_name(f)) } } }
                    td class="line-assets" {
                        @let linked = assets_of_line(ledger, &e.id);
                        @if linked.is_empty() { span class="muted" { "—" } }
                        @for (i, (aid, tag)) in linked.iter().enumerate() {
                            @if i > 0 { ", " }
                            a href=(format!("/assets/{aid}")) class="asset-link" { (tag) }
                        }
                        @if linked.len() > 1 { " (" a href=(format!("/assets?line={}", e.id)) { (t("act-line-register")) } ")" }
                    }
                } } }
            }
            p { a href=(format!("/assets?activity={id}")) id="activity-assets" { (t("act-assets-link")) } }
        }
        h2 { (t("nav-facilities")) }
        ul { @for f in &a.facilities { li { a href=(format!("/facilities/{f}")) { (ledger.facility_name(f)) } } } }
        @if !partnerships.is_empty() {
            h2 { (t("act-partnerships")) }
            @for p in &partnerships { p { (ledger.org_name(&p.lead)) " " (t("partner-with")) " " @for o in &p.partners { (ledger.org_name(o)) "; " } @if let Some(n) = p.participants { " (" (tn("partner-participants", n as usize)) ")" } } (citations(&snap, &p.sources)) }
        }
        h2 { (t("sources")) }
        (citations(&snap, &a.sources))
        (findings_html(&snap, &related))
        (history_html(&caller, &history))
    };
    Ok(layout(&a.title, &caller, content))
}

pub async fn facilities(
    State(state): State<AppState>,
    caller: Caller,
    PageQuery(filter): PageQuery<crate::dashboard::facility_filter::FacilityFilter>,
) -> PageResult<Html<String>> {
    can_read(&state, &caller)?;
    let snap = state.snapshot().await?;
    let table = filter.apply(tables::facilities(&snap, blur_for(&state, &caller)));
    let content = html! {
        form method="get" action="/facilities" class="filters" role="search" {
            label { (t("search")) " " input type="search" name="q" value=(filter.q) id="q"; }
            label { (t("status")) " " select name="status" id="status" {
                option value="" { (t("any")) }
                @for s in crate::changes::forms::specs::FACILITY_STATUSES { option value=(s) selected[filter.status == *s] { (i18n::value(s)) } }
                option value="none" selected[filter.status == "none"] { (t("map-status-unknown")) }
            } }
            button type="submit" { (t("filter")) }
        }
        p { (table.rows.len()) " " (tn("card-facilities", table.rows.len())) " · " a href="/map" { (t("fac-show-map")) } @if caller.principal().is_some_and(auth::Principal::can_edit_something) { " · " a href="/forms/facilities/new" { (t("new-facility")) } } }
        (table_html(&table, Some("/facilities/")))
        (exports("facilities", &format!("?q={}&status={}", urlencode(&filter.q), urlencode(&filter.status))))
    };
    Ok(layout(&t("title-facilities"), &caller, content))
}

pub async fn facility(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
) -> PageResult<Html<String>> {
    can_read(&state, &caller)?;
    let id = parse_id(&raw)?;
    let snap = state.snapshot().await?;
    let ledger = &snap.ledger;
    let f = ledger
        .facilities
        .get(&id)
        .ok_or_else(|| ApiError::not_found(ta("err-no-facility-id", &[("id", id.as_str())])))?;
    let lines: Vec<_> = ledger
        .equipment_lines
        .values()
        .filter(|e| e.facility.as_ref() == Some(&id))
        .collect();
    let acts: Vec<_> = ledger
        .activities
        .values()
        .filter(|a| a.facilities.contains(&id) || lines.iter().any(|e| e.activity == a.id))
        .collect();
    let partnerships: Vec<_> = ledger
        .partnerships
        .values()
        .filter(|p| {
            f.operator
                .as_ref()
                .is_some_and(|o| &p.lead == o || p.partners.contains(o))
        })
        .collect();
    let history = history_of(&state, &caller, vec![(RecordKind::Facility, id.clone())]).await?;
    let location = f
        .location
        .map(|p| shown_location(f, p, blur_for(&state, &caller)));
    let content = html! {
        (edit_link(&caller, "facilities", &id))
        @if let Some(n) = &f.illustrative { p class="illustrative" id="illustrative" { strong { (t("illustrative")) } ": " (n) } }
        dl class="facts" {
            dt { (t("field-kind")) } dd { (label(f.kind)) }
            dt { (t("fac-country")) } dd { (crate::labels::country(f.country.as_str())) }
            @if let Some(r) = &f.region { dt { (t("field-region")) } dd { (r) } }
            @if let Some(c) = &f.city { dt { (t("field-city")) } dd { (c) } }
            @if let Some(o) = &f.operator { dt { (t("field-operator")) } dd { (ledger.org_name(o)) } }
            @if let Some(b) = f.beds { dt { (t("field-beds")) } dd { (group_digits(Decimal::from(b))) } }
            @if let Some(p) = f.population_served { dt { (t("fac-population")) } dd { (group_digits(Decimal::from(p))) } }
            dt { (t("fac-location")) } dd id="location" {
                @match location {
                    Some((p, true)) => { (group_digits(p.lat)) "; " (group_digits(p.lon)) " (" (ta("fac-blurred", &[("km", &group_digits(state.config.blur_km))])) ")" }
                    Some((p, false)) => { (group_digits(p.lat)) "; " (group_digits(p.lon)) @if let Some(n) = &f.location_note { " — " (n) } }
                    None => { span class="muted" { (t("fac-no-coordinates")) } }
                }
            }
        }
        (crate::map::claims::facility_section(&snap, &id))
        h2 { (t("fac-status-history")) }
        @if f.status_history.is_empty() { p class="muted" { (t("fac-no-status")) } }
        ul { @for s in &f.status_history { li { (i18n::date(s.date)) ": " (label(s.status)) @if let Some(n) = &s.note { " — " (n) } (citations(&snap, &s.sources)) } } }
        p { a href=(format!("/energy/survey/{id}")) id="facility-survey" { (t("survey-title")) } }
        h2 { (t("fac-equipment")) }
        p { a href=(format!("/assets?facility={id}")) id="facility-assets" { (t("assets-of-facility")) } }
        p { a href=(format!("/assets/service?facility={id}")) id="facility-service" { (t("asset-service-title")) } }
        @if crate::medicines::pages::facility_has_medicines(ledger, &id) { p { a href=(format!("/medicines/stock?facility={id}")) id="facility-medicines" { (t("medp-facility-stock")) } } }
        @if lines.is_empty() { p class="muted" { (t("none-recorded")) } }
        ul id="facility-equipment" { @for e in &lines { li { (e.description) @if let Some(q) = e.quantity { " × " (group_digits(Decimal::from(q))) } " — " a href=(format!("/activities/{}#{}", e.activity, e.id)) { (ledger.activities.get(&e.activity).map_or(e.activity.to_string(), |a| a.title.clone())) } } } }
        h2 { (t("nav-activities")) }
        ul { @for a in &acts { li { a href=(format!("/activities/{}", a.id)) { (a.title) } } } }
        @if !partnerships.is_empty() {
            h2 { (t("fac-operator-partnerships")) }
            @for p in &partnerships { p { (ledger.org_name(&p.lead)) " " (t("partner-with")) " " @for o in &p.partners { (ledger.org_name(o)) "; " } @for a in &p.areas { (label(*a)) " " } } }
        }
        h2 { (t("sources")) }
        (citations(&snap, &f.sources))
        (findings_html(&snap, &[&f.id]))
        (history_html(&caller, &history))
    };
    Ok(layout(&f.name, &caller, content))
}

pub async fn quality(State(state): State<AppState>, caller: Caller) -> PageResult<Html<String>> {
    can_read(&state, &caller)?;
    let snap = state.snapshot().await?;
    let content = html! {
        p { (t("quality-intro")) " (" code { "aidtrace check" } ")" }
        table class="list" id="findings" {
            thead { tr { th { (t("col-rule")) } th { (t("col-severity")) } th { (t("col-record")) } th { (t("col-message")) } } }
            tbody {
                @for f in &snap.findings {
                    tr class=(f.severity.as_str()) {
                        td { (f.rule) } td { (label(f.severity)) }
                        td { a href=(tables::record_href(&snap.ledger, f.record_kind, f.record.as_str())) { (label(f.record_kind)) " " (f.record) } }
                        td { (finding_message(f)) }
                    }
                }
            }
        }
        (exports("findings", ""))
        h2 { (t("quality-rules")) }
        dl { @for (rule, sev, what) in aidtrace_domain::checks::RULES { dt { (rule) " (" (label(*sev)) ")" } dd { (i18n::t_opt(&format!("rule-{rule}")).unwrap_or_else(|| (*what).to_string())) } } }
    };
    Ok(layout(&t("title-quality"), &caller, content))
}

// ---- sign in / out ------------------------------------------------------------------------

// `/login` lives in `auth/login.rs`.

#[derive(serde::Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    note: String,
}

pub async fn logout(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> PageResult<Response> {
    let p = caller.require()?;
    auth::check_csrf(p, &form.csrf)?;
    if let Some(token) = auth::cookie(&headers, SESSION_COOKIE) {
        let hash = auth::token_hash(token);
        let st = state.clone();
        blocking(move || Ok(st.accounts().delete_session(&hash)?)).await?;
    }
    let mut resp = Redirect::to("/").into_response();
    if let Ok(v) = auth::set_cookie(&state, SESSION_COOKIE, "", 0).parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}

// ---- data entry and approval --------------------------------------------------------------

pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path((raw_id, action)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> PageResult<Response> {
    let p = caller.require()?.clone();
    auth::check_csrf(&p, &form.csrf)?;
    let id = edit::change_id(&raw_id)?;
    let decision = edit::decision(&action).map_err(|_| {
        let all = edit::Decision::ALL.map(edit::Decision::as_str);
        ApiError::page_not_one_of(StatusCode::NOT_FOUND, "not_found", "action", &action, &all)
    })?;
    let note = (!form.note.trim().is_empty()).then(|| form.note.trim().to_string());
    let st = state.clone();
    blocking(move || edit::decide(&st, &p, id, decision, note.as_deref())).await?;
    Ok(Redirect::to(&format!("/changes#change-{id}")).into_response())
}

// ---- exports -------------------------------------------------------------------------------

#[derive(serde::Deserialize, Default)]
pub struct ExportQuery {
    #[serde(default)]
    by: String,
    #[serde(flatten)]
    filter: ActivityFilter,
}

/// The lists `/export/{list}/{format}` gives.
const EXPORTS: [&str; 6] = [
    "activities",
    "facilities",
    "organisations",
    "flows",
    "findings",
    "totals",
];

pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Path((list, format)): Path<(String, String)>,
    PageQuery(q): PageQuery<ExportQuery>,
    uri: axum::http::Uri,
) -> PageResult<Response> {
    can_read(&state, &caller)?;
    let snap: Arc<Snapshot> = state.snapshot().await?;
    let table = match list.as_str() {
        "activities" => {
            let (flows, _) = crate::flows::page_filter(&snap, uri.query(), &["q"])?;
            let filter = ActivityFilter { flows, ..q.filter };
            tables::activities(&snap, &filter)
        }
        // The facilities list's search and status travel in the same parameters.
        "facilities" => crate::dashboard::facility_filter::FacilityFilter {
            q: q.filter.q.clone(),
            status: q.filter.status.clone(),
        }
        .apply(tables::facilities(&snap, blur_for(&state, &caller))),
        "organisations" => tables::organisations(&snap),
        "flows" => {
            let req = crate::flows::list::Request::read(&snap, uri.query())?;
            let s = snap.clone();
            blocking(move || Ok(crate::flows::list::table(&s, &req))).await?
        }
        "findings" => tables::findings(&snap.findings.to_vec()),
        "totals" => {
            let (filter, _) = crate::flows::page_filter(&snap, uri.query(), &["by"])?;
            let by = if q.by.is_empty() {
                "donor"
            } else {
                q.by.as_str()
            };
            let s = snap.clone();
            let figures = blocking(move || Ok(crate::flows::figures(&s, &filter))).await?;
            let report = figures.totals.get(by).ok_or_else(|| {
                let all = GROUPS.map(|g| g.as_str());
                ApiError::page_not_one_of(StatusCode::BAD_REQUEST, "invalid_query", "by", by, &all)
            })?;
            tables::totals(report)
        }
        _ => {
            return Err(PageError(ApiError::page_not_one_of(
                StatusCode::NOT_FOUND,
                "not_found",
                "list",
                &list,
                &EXPORTS,
            )));
        }
    };
    let (body, mime) = match format.as_str() {
        "csv" => (tables::to_csv(&table)?, "text/csv; charset=utf-8"),
        "xlsx" => (
            tables::to_xlsx(&table)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        _ => {
            return Err(PageError(ApiError::page_not_one_of(
                StatusCode::NOT_FOUND,
                "not_found",
                "format",
                &format,
                &["csv", "xlsx"],
            )));
        }
    };
    let disposition = format!("attachment; filename=\"{}.{format}\"", table.name);
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}
