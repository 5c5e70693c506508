//! Server-rendered pages (maud escapes every interpolated value). No page needs JavaScript.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::summary::TotalsSummary;
use aidtrace_domain::checks::Severity;
use aidtrace_domain::model::{Facility, GeoPoint};
use aidtrace_domain::totals::Sum;
use aidtrace_domain::{CurrencyCode, Money, RecordId, RecordKind};
use aidtrace_store::AccountStore;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{DOCTYPE, Markup, html};
use rust_decimal::Decimal;

use crate::auth::{self, Caller, SESSION_COOKIE};
use crate::edit::{self, Input, WriteOutcome};
use crate::error::{ApiError, PageError, PageResult};
use crate::i18n::{self, t, ta, tn};
use crate::precondition::Precondition;
use crate::state::{AppState, GROUPS, Snapshot, blocking};
use crate::svg;
use crate::tables::{self, ActivityFilter, Table, enum_name};

/// An exact decimal with the current language's separators.
pub fn group_digits(d: Decimal) -> String {
    crate::i18n::number(d)
}

/// A sum as a page shows it: grouped digits, or the word for a sum beyond a decimal's range.
fn sum_cell(s: Sum) -> String {
    match s {
        Sum::Exact(d) => group_digits(d),
        Sum::Overflow => t("totals-overflow"),
    }
}

fn money(m: &Money) -> String {
    format!("{} {}", group_digits(m.amount), m.currency)
}

/// The location a viewer may see: exact, or snapped to a grid of `blur` km for sensitive sites.
pub fn shown_location(f: &Facility, p: GeoPoint, blur: Option<Decimal>) -> (GeoPoint, bool) {
    match blur {
        Some(km) if f.sensitive && km > Decimal::ZERO => {
            // About 111 km per degree; snapping to a grid of that step keeps the true point within
            // the radius while revealing only the cell.
            let step = (km / Decimal::from(111)).max(Decimal::new(1, 3));
            let snap = |v: Decimal| ((v / step).round() * step).round_dp(3);
            (
                GeoPoint {
                    lat: snap(p.lat),
                    lon: snap(p.lon),
                },
                true,
            )
        }
        _ => (p, false),
    }
}

/// Whether a request is read as the public view, and the blur radius that applies to it.
fn blur_for(state: &AppState, caller: &Caller) -> Option<Decimal> {
    caller.principal().is_none().then_some(state.config.blur_km)
}

/// Pages need a signed-in user unless the public view is switched on.
pub(crate) fn can_read(state: &AppState, caller: &Caller) -> Result<(), PageError> {
    match caller {
        Caller::Signed(_) => Ok(()),
        Caller::Expired => Err(PageError(ApiError::unauthorized(t("err-session-expired")))),
        Caller::Anonymous if state.config.public_view => Ok(()),
        Caller::Anonymous => Err(PageError(ApiError::unauthorized(t("err-sign-in-needed")))),
    }
}

pub fn layout(title: &str, caller: &Caller, content: Markup) -> Html<String> {
    let principal = caller.principal();
    let links = html! {
        a href="/" { (t("nav-dashboard")) }
        a href="/activities" { (t("nav-activities")) }
        a href="/facilities" { (t("nav-facilities")) }
        a href="/map" { (t("nav-map")) }
        a href="/organisations" { (t("nav-organisations")) }
        a href="/quality" { (t("nav-quality")) }
        a href="/assets" { (t("nav-assets")) }
        a href="/energy" { (t("nav-energy")) }
        // Intake needs a signed-in reader; the link is not offered to the public view.
        @if principal.is_some() { a href="/intake" { (t("nav-intake")) } }
        @if principal.is_some() { a href="/changes" { (t("nav-changes")) } }
        a href="/import" { (t("nav-import")) }
        @if principal.is_some_and(|p| p.role == auth::Role::Admin) { a href="/rates" { (t("nav-rates")) } }
        a href="/api" { (t("nav-api")) }
    };
    Html(
        html! {
            (DOCTYPE)
            html lang=(i18n::current().code()) {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (title) " · aidtrace" }
                    link rel="stylesheet" href="/static/app.css";
                    script src="/static/tables.js" defer {}
                }
                body {
                    header {
                        a href="/" class="brand" { "aidtrace" }
                        // Two copies of the links: a bar on wide screens, a menu that opens
                        // without script on narrow ones; CSS shows one, so readers meet one.
                        nav class="main" aria-label=(t("nav-main")) { (links) }
                        details class="menu" {
                            summary { (t("nav-menu")) }
                            nav aria-label=(t("nav-main")) { (links) }
                        }
                        nav class="langs" aria-label=(t("language")) {
                            @for l in i18n::Lang::ALL {
                                a href=(crate::request_ctx::lang_href(l.code())) lang=(l.code()) class=(if l == i18n::current() { "current" } else { "" }) { (l.name()) }
                            }
                        }
                        div class="who" {
                            @match principal {
                                Some(p) => {
                                    span id="whoami" { (p.name) " (" (i18n::value(p.role.as_str())) ")" }
                                    form method="post" action="/logout" class="inline" {
                                        input type="hidden" name="csrf" value=(p.csrf.clone().unwrap_or_default());
                                        button type="submit" { (t("sign-out")) }
                                    }
                                }
                                None => {
                                    span class="muted" { (t("public-view")) }
                                    " "
                                    a href="/login" id="signin" { (t("sign-in")) }
                                }
                            }
                        }
                    }
                    main { h1 { (title) } (content) }
                    footer { (t("footer")) }
                }
            }
        }
        .into_string(),
    )
}

pub fn error_page(status: StatusCode, message: &str, field: Option<&str>) -> Html<String> {
    let title = i18n::t_opt(&format!("status-{}", status.as_u16()))
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("Error").to_string());
    layout(
        &title,
        &crate::request_ctx::caller(),
        html! {
            p class="error" id="error" { (message) }
            @if let Some(f) = field { p { (t("error-field")) ": " code { (f) } } }
            @if status == StatusCode::UNAUTHORIZED { p { a href="/login" { (t("sign-in")) } } }
            p { a href="/" { (t("back-to-dashboard")) } }
        },
    )
}

/// The message of an error shown on a page: the field problem in the reader's language when the
/// error carries one, else the error's own text.
pub fn error_text(e: &ApiError) -> String {
    match &e.problem {
        Some((value, message)) => i18n::field_problem(value, message),
        None => e.message.clone(),
    }
}

/// Headers of a shared table in the reader's language (`col-<name>`); exports keep the stable
/// machine names so scripts reading them do not depend on the language.
pub fn header_label(h: &str) -> String {
    i18n::t_opt(&format!("col-{h}")).unwrap_or_else(|| h.to_string())
}

/// Columns whose cells are stored enum values, shown as their labels.
const VALUE_COLUMNS: &[&str] = &["instrument", "status", "kind", "severity", "record_kind"];

fn table_html(table: &Table, link: Option<&str>) -> Markup {
    let value_col: Vec<bool> = table
        .headers
        .iter()
        .map(|h| VALUE_COLUMNS.contains(h))
        .collect();
    html! {
        table class="list" id=(format!("table-{}", table.name)) {
            thead { tr { @for h in &table.headers { th { (header_label(h)) } } } }
            tbody {
                @for row in &table.rows {
                    tr {
                        @for (i, cell) in row.iter().enumerate() {
                            td {
                                @if i == 0 && let Some(prefix) = link {
                                    a href=(format!("{prefix}{cell}")) { (cell) }
                                } @else if value_col.get(i).copied().unwrap_or(false) {
                                    (i18n::value(cell))
                                } @else { (cell) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn exports(list: &str, query: &str) -> Markup {
    html! {
        p class="exports" {
            (t("export")) ": "
            a href=(format!("/export/{list}/csv{query}")) { "CSV" } " · "
            a href=(format!("/export/{list}/xlsx{query}")) { "XLSX" }
        }
    }
}

fn totals_section(report: &TotalsSummary) -> Markup {
    let by = report.by;
    html! {
        section id=(format!("totals-{by}")) {
            h2 { (t(&format!("by-{by}"))) }
            table class="list" {
                thead { tr { th { (header_label(by)) } th { (t("col-kind")) } th { (t("totals-original")) } th { (ta("totals-converted", &[("currency", report.currency.as_str())])) } } }
                tbody {
                    @for row in &report.rows {
                        tr {
                            td { (row.key) }
                            td { (i18n::value(row.kind.as_str())) }
                            td { @for (c, a) in &row.original { span class="amt" { (sum_cell(*a)) " " (c) } br; } }
                            td {
                                @match row.converted {
                                    Some(Sum::Overflow) => { span class="muted" { (t("totals-overflow")) } }
                                    Some(Sum::Exact(v)) => {
                                        details {
                                            summary { (group_digits(v.round_dp(2))) " " (report.currency) @if !row.converted_complete { " (" (t("totals-partial")) ")" }
                                                @if row.rates.iter().any(|r| r.provisional.is_some()) { " " strong class="provisional" { "*" } } }
                                            ul class="rates" {
                                                @for r in &row.rates {
                                                    li { (ta("totals-rate-line", &[("currency", r.currency.as_str()), ("rate", &group_digits(r.rate)), ("pair", &format!("{}/{}", report.currency, r.currency)), ("date", &i18n::date(r.rate_date)), ("basis", &i18n::value(&enum_name(&r.basis))), ("source", &r.source)])) ", " (r.flows) " " (tn("card-flows", r.flows))
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
            p class="muted" { (t("totals-rule")) ": " (report.rule) ". " (report.attribution) }
            (exports("totals", &format!("?by={by}")))
        }
    }
}

fn bar_rows(report: &TotalsSummary) -> Vec<(String, Decimal)> {
    // One bar per key and flow kind: kinds are never added together.
    let mut rows: Vec<(String, Decimal)> = report
        .rows
        .iter()
        .filter_map(|r| {
            Some((
                format!("{} · {}", r.key, i18n::value(r.kind.as_str())),
                r.converted?.exact()?,
            ))
        })
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.1));
    rows.truncate(12);
    rows
}

pub async fn dashboard(State(state): State<AppState>, caller: Caller) -> PageResult<Html<String>> {
    can_read(&state, &caller)?;
    let snap = state.snapshot().await?;
    // The dashboard's body is the same for every reader of a snapshot in one language, and it is
    // the largest page, so it is rendered once per snapshot and language.
    let lang = i18n::current();
    let cached = snap
        .dashboard_html
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(&lang)
        .cloned();
    let body = match cached {
        Some(body) => body,
        None => {
            let body: Arc<str> = dashboard_body(&snap).into_string().into();
            snap.dashboard_html
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(lang, body.clone());
            body
        }
    };
    Ok(layout(
        &t("title-dashboard"),
        &caller,
        maud::PreEscaped(body.to_string()),
    ))
}

fn dashboard_body(snap: &Snapshot) -> Markup {
    let ledger = &snap.ledger;
    let count = |s: Severity| snap.findings.iter().filter(|f| f.severity == s).count();
    let (series, dated_by_fallback) = (&snap.series, snap.dated_by_fallback);
    html! {
        section class="cards" {
            div class="card" { b { (ledger.activities.len()) } " " (tn("card-activities", ledger.activities.len())) }
            div class="card" { b { (ledger.flows.len()) } " " (tn("card-flows", ledger.flows.len())) }
            div class="card" { b { (ledger.facilities.len()) } " " (tn("card-facilities", ledger.facilities.len())) }
            div class="card" { b { (ledger.organisations.len()) } " " (tn("card-organisations", ledger.organisations.len())) }
            @let problems = count(Severity::Error) + count(Severity::Warning);
            a class="card warn" href="/quality" id="findings-count" {
                b { (problems) } " " (tn("card-problems", problems))
                span class="muted" { " (" (ta("dash-severity-counts", &[("errors", &count(Severity::Error).to_string()), ("warnings", &count(Severity::Warning).to_string()), ("notes", &count(Severity::Info).to_string())])) ")" }
            }
        }
        @if let Some(donors) = snap.totals.get("donor") {
            (svg::bar_chart(&t("chart-by-donor"), "USD", &bar_rows(donors)))
        }
        (svg::time_series(&t("chart-by-year"), "USD", series))
        @if dated_by_fallback > 0 {
            p class="muted" { (ta("dash-dated-by-fallback", &[("count", &dated_by_fallback.to_string())])) }
        }
        @let provisional = snap.totals.get("donor").map_or(0, crate::summary::provisional_flows);
        @if provisional > 0 {
            p class="muted" id="dash-provisional" { strong class="provisional" { "* " } (ta("dash-provisional", &[("count", &provisional.to_string())])) }
        }
        @for g in GROUPS {
            @if let Some(report) = snap.totals.get(g.as_str()) { (totals_section(report)) }
        }
    }
}

pub async fn activities(
    State(state): State<AppState>,
    caller: Caller,
    Query(filter): Query<ActivityFilter>,
) -> PageResult<Html<String>> {
    can_read(&state, &caller)?;
    let snap = state.snapshot().await?;
    let table = tables::activities(&snap, &filter);
    let query = format!(
        "?q={}&status={}&instrument={}",
        urlencode(&filter.q),
        urlencode(&filter.status),
        urlencode(&filter.instrument)
    );
    let can_edit = caller
        .principal()
        .is_some_and(auth::Principal::can_edit_something);
    let content = html! {
        form method="get" action="/activities" class="filters" {
            label { (t("search")) " " input type="search" name="q" value=(filter.q) id="q"; }
            label { (t("status")) " " select name="status" { option value="" { (t("any")) } @for s in edit::ACTIVITY_STATUSES { option value=(s) selected[filter.status == *s] { (i18n::value(s)) } } } }
            label { (t("instrument")) " " select name="instrument" { option value="" { (t("any")) } @for s in edit::INSTRUMENTS { option value=(s) selected[filter.instrument == *s] { (i18n::value(s)) } } } }
            button type="submit" { (t("filter")) }
        }
        p { (table.rows.len()) " " (tn("card-activities", table.rows.len())) @if can_edit { " · " a href="/forms/activities/new" id="new-activity" { (t("new-activity")) } } }
        (table_html(&table, Some("/activities/")))
        (exports("activities", &query))
        p class="exports" { a href=(format!("/export/iati{query}")) id="activities-iati" { "IATI XML" } }
    };
    Ok(layout(&t("title-activities"), &caller, content))
}

pub(crate) fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn parse_id(raw: &str) -> Result<RecordId, PageError> {
    RecordId::parse(raw).map_err(|e| {
        PageError(ApiError::not_found(format!(
            "{} {raw:?}: {}",
            t("err-no-record"),
            e.message
        )))
    })
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
                ". " (t("source")) ": " (c.source)
            }
        },
        Some(Err(e)) => html! { span class="muted" { (t("unconverted")) ": " (e) } },
        None => html! { span class="muted" { (t("unconverted")) ": " (t("conv-no-rate")) } },
    }
}

fn citations(snap: &Snapshot, list: &[aidtrace_domain::model::Citation]) -> Markup {
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
                    @if let Some(f) = &c.field { " (" (t("cite-supports")) " " code { (f) } ")" }
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
        let service = state.service();
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
                    td { (e.seq) } td { (e.at) } td { (e.actor) } td { (i18n::value(&e.action)) } td { (i18n::value(&e.kind)) " " (e.record_id) }
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
                li class=(f.severity.as_str()) { b { (f.rule) } " " (i18n::value(f.severity.as_str())) " — " (i18n::value(f.record_kind.as_str())) " " (f.record) ": " (f.message) }
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
    let flows: Vec<_> = snap
        .of_activity(&id, RecordKind::Flow)
        .into_iter()
        .filter_map(|f| ledger.flows.get(f))
        .collect();
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
            dt { (t("field-instrument")) } dd { (i18n::value(&enum_name(&a.instrument))) }
            dt { (t("field-status")) } dd { (i18n::value(&enum_name(&a.status))) }
            @if let Some(p) = &a.parent { dt { (t("act-part-of")) } dd { a href=(format!("/activities/{p}")) { (ledger.activities.get(p).map_or(p.to_string(), |x| x.title.clone())) } } }
            @if !children.is_empty() { dt { (t("act-children")) } dd { @for c in children { a href=(format!("/activities/{c}")) { (ledger.activities.get(c).map_or(c.to_string(), |x| x.title.clone())) } br; } } }
            @if let Some(d) = &a.description { dt { (t("field-description")) } dd { (d) } }
            @if let Some(d) = &a.purpose { dt { (t("act-purpose")) } dd { (d) } }
            @if let Some(d) = a.start_date { dt { (t("field-start-date")) } dd { (i18n::date(d)) } }
            @if let Some(d) = a.end_date { dt { (t("field-end-date")) } dd { (i18n::date(d)) } }
            @if let Some(c) = &a.ceiling { dt { (t("act-ceiling")) } dd { (money(c)) (conversion(&snap, c)) } }
            dt { (t("act-participants")) } dd { @for p in &a.participants { (ledger.org_name(&p.org)) " (" (i18n::value(&enum_name(&p.role))) ")" br; } }
            @if !a.countries.is_empty() { dt { (t("act-countries")) } dd { @for c in &a.countries { (c.country) " " (group_digits(c.percentage)) "% " } } }
            @if !a.regions.is_empty() { dt { (t("act-regions")) } dd { @for r in &a.regions { (r.name) " (" (r.country) ") " (group_digits(r.percentage)) "% " } } }
            @if !a.sectors.is_empty() { dt { (t("act-sectors")) } dd { @for s in &a.sectors { (s.code) " " (group_digits(s.percentage)) "% " } } }
        }
        p class="exports" { (t("export")) ": " a href=(format!("/export/iati?activity={id}")) id="activity-iati" { "IATI XML" } }
        @if !a.legal_steps.is_empty() {
            h2 { (t("act-legal-steps")) }
            ul { @for s in &a.legal_steps { li { (i18n::value(&enum_name(&s.kind))) @if let Some(d) = s.date { " " (i18n::date(d)) } @if let Some(r) = &s.reference { " " (t("act-ref")) " " (r) } @for g in &s.signatories { " · " (g.name) @if let Some(t) = &g.title { ", " (t) } } (citations(&snap, &s.sources)) } } }
        }
        h2 { (t("flows")) }
        @if can_edit { p { a href=(format!("/forms/flows/new?activity={id}")) { (t("new-flow")) } " · " a href=(format!("/forms/equipment-lines/new?activity={id}")) { (t("new-equipment-line")) } } }
        @if flows.is_empty() { p class="muted" { (t("act-no-flows")) } }
        @for f in &flows {
            article class="flow" id=(f.id) {
                h3 { (i18n::value(f.kind.as_str())) ": " (money(&f.money)) }
                (edit_link(&caller, "flows", &f.id))
                (conversion(&snap, &f.money))
                @if let Some(v) = f.money.value_date { p { (t("field-value-date")) ": " (i18n::date(v)) } }
                @if let Some(p) = &f.provider { p { (t("flow-from")) ": " (ledger.org_name(p)) } }
                @if let Some(r) = &f.receiver { p { (t("flow-to")) ": " (ledger.org_name(r)) } }
                @if let Some(s) = &f.stated_equivalent {
                    p class="stated" { (t("flow-stated")) ": " @if let Some(q) = s.qualifier { (i18n::value(&enum_name(&q))) " " } (group_digits(s.amount)) " " (s.currency) " (" (t("flow-stated-note")) ")" }
                }
                @if let Some(d) = &f.description { p { (d) } }
                @for finding in snap.findings_for(&[&f.id]) {
                    p class=(format!("finding {}", finding.severity.as_str())) { b { (finding.rule) } " " (finding.message) }
                }
                (citations(&snap, &f.sources))
            }
        }
        @if !budgets.is_empty() {
            h2 { (t("act-budgets")) }
            table class="list" id="budgets" {
                thead { tr { th { (t("col-kind")) } th { (t("col-period")) } th { (t("col-amount")) } th { (t("col-status")) } } }
                tbody { @for b in &budgets { tr id=(b.id) {
                    td { (i18n::value(&enum_name(&b.kind))) } td { (i18n::date(b.period_start)) " – " (i18n::date(b.period_end)) }
                    td { (money(&b.money)) (conversion(&snap, &b.money)) }
                    td { (b.status.as_ref().map(|s| i18n::value(&enum_name(s))).unwrap_or_default()) }
                } } }
            }
            p class="muted" { (t("act-budgets-note")) }
        }
        h2 { (t("equipment")) }
        @if lines.is_empty() { p class="muted" { (t("act-no-equipment")) } }
        @if !lines.is_empty() {
            table class="list" id="equipment" {
                thead { tr { th { (t("col-id")) } th { (t("col-equipment")) } th { (t("col-category")) } th { (t("col-quantity")) } th { (t("col-unit-cost")) } th { (t("col-facility")) } th { (t("col-assets")) } } }
                tbody { @for e in &lines { tr id=(e.id) {
                    td { @if can_edit { a href=(format!("/forms/equipment-lines/{}", e.id)) { (e.id) } } @else { (e.id) } } td { (e.description) } td { (i18n::value(&enum_name(&e.category))) }
                    td { (e.quantity.map(|q| group_digits(Decimal::from(q))).unwrap_or_default()) }
                    td { @if let Some(c) = &e.unit_cost { (money(c)) (conversion(&snap, c)) } }
                    td { @if let Some(f) = &e.facility { a href=(format!("/facilities/{f}")) { (ledger.facilities.get(f).map_or(f.to_string(), |x| x.name.clone())) } } }
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
        ul { @for f in &a.facilities { li { a href=(format!("/facilities/{f}")) { (ledger.facilities.get(f).map_or(f.to_string(), |x| x.name.clone())) } } } }
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
    Query(filter): Query<crate::facility_filter::FacilityFilter>,
) -> PageResult<Html<String>> {
    can_read(&state, &caller)?;
    let snap = state.snapshot().await?;
    let table = filter.apply(tables::facilities(&snap, blur_for(&state, &caller)));
    let content = html! {
        form method="get" action="/facilities" class="filters" role="search" {
            label { (t("search")) " " input type="search" name="q" value=(filter.q) id="q"; }
            label { (t("status")) " " select name="status" id="status" {
                option value="" { (t("any")) }
                @for s in crate::forms::specs::FACILITY_STATUSES { option value=(s) selected[filter.status == *s] { (i18n::value(s)) } }
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
        dl class="facts" {
            dt { (t("field-kind")) } dd { (i18n::value(&enum_name(&f.kind))) }
            dt { (t("fac-country")) } dd { (f.country) }
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
        h2 { (t("fac-status-history")) }
        @if f.status_history.is_empty() { p class="muted" { (t("fac-no-status")) } }
        ul { @for s in &f.status_history { li { (i18n::date(s.date)) ": " (i18n::value(&enum_name(&s.status))) @if let Some(n) = &s.note { " — " (n) } (citations(&snap, &s.sources)) } } }
        h2 { (t("fac-equipment")) }
        p { a href=(format!("/assets?facility={id}")) id="facility-assets" { (t("assets-of-facility")) } }
        @if lines.is_empty() { p class="muted" { (t("none-recorded")) } }
        ul id="facility-equipment" { @for e in &lines { li { (e.description) @if let Some(q) = e.quantity { " × " (group_digits(Decimal::from(q))) } " — " a href=(format!("/activities/{}#{}", e.activity, e.id)) { (ledger.activities.get(&e.activity).map_or(e.activity.to_string(), |a| a.title.clone())) } } } }
        h2 { (t("nav-activities")) }
        ul { @for a in &acts { li { a href=(format!("/activities/{}", a.id)) { (a.title) } } } }
        @if !partnerships.is_empty() {
            h2 { (t("fac-operator-partnerships")) }
            @for p in &partnerships { p { (ledger.org_name(&p.lead)) " " (t("partner-with")) " " @for o in &p.partners { (ledger.org_name(o)) "; " } @for a in &p.areas { (i18n::value(&enum_name(a))) " " } } }
        }
        h2 { (t("sources")) }
        (citations(&snap, &f.sources))
        (findings_html(&snap, &[&f.id]))
        (history_html(&caller, &history))
    };
    Ok(layout(&f.name, &caller, content))
}

pub async fn organisations(
    State(state): State<AppState>,
    caller: Caller,
) -> PageResult<Html<String>> {
    can_read(&state, &caller)?;
    let snap = state.snapshot().await?;
    let table = tables::organisations(&snap);
    let content = html! {
        @if caller.principal().is_some_and(auth::Principal::can_edit_something) { p { a href="/forms/organisations/new" { (t("new-organisation")) } } }
        (crate::org_pages::admin_links(&caller, &snap))
        table class="list" {
            thead { tr { @for h in &table.headers { th { (header_label(h)) } } } }
            tbody { @for row in &table.rows { tr id=(row[0]) { @for (i, c) in row.iter().enumerate() { td {
                @if table.headers.get(i).is_some_and(|h| VALUE_COLUMNS.contains(h)) { (i18n::value(c)) } @else { (c) }
            } } } } }
        }
        (exports("organisations", ""))
        p { (t("org-all-flows")) ": " (exports("flows", "")) }
    };
    Ok(layout(&t("title-organisations"), &caller, content))
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
                        td { (f.rule) } td { (i18n::value(f.severity.as_str())) }
                        td { a href=(tables::record_href(&snap, f.record_kind, f.record.as_str())) { (i18n::value(f.record_kind.as_str())) " " (f.record) } }
                        td { (f.message) }
                    }
                }
            }
        }
        (exports("findings", ""))
        h2 { (t("quality-rules")) }
        dl { @for (rule, sev, what) in aidtrace_domain::checks::RULES { dt { (rule) " (" (i18n::value(sev.as_str())) ")" } dd { (i18n::t_opt(&format!("rule-{rule}")).unwrap_or_else(|| (*what).to_string())) } } }
    };
    Ok(layout(&t("title-quality"), &caller, content))
}

// ---- sign in / out ------------------------------------------------------------------------

// `/login` lives in `login.rs`.

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

fn kind_of(collection: &str) -> Result<RecordKind, PageError> {
    edit::EDITABLE
        .iter()
        .find(|(c, _)| *c == collection)
        .map(|(_, k)| *k)
        .ok_or_else(|| {
            PageError(ApiError::not_found(ta(
                "err-no-form",
                &[("collection", collection)],
            )))
        })
}

#[allow(clippy::too_many_arguments)]
fn form_page(
    caller: &Caller,
    snap: &Snapshot,
    collection: &str,
    kind: RecordKind,
    values: &BTreeMap<String, String>,
    mode: &str,
    etag: &str,
    error: Option<&ApiError>,
) -> Html<String> {
    let csrf = caller
        .principal()
        .and_then(|p| p.csrf.clone())
        .unwrap_or_default();
    let field_error = |name: &str| error.filter(|e| e.field.as_deref() == Some(name));
    let known: Vec<&str> = edit::form_fields(kind).iter().map(|s| s.name).collect();
    let general = error.filter(|e| e.field.as_deref().is_none_or(|f| !known.contains(&f)));
    let options = |k: RecordKind| -> Vec<(String, String)> {
        let l = &snap.ledger;
        match k {
            RecordKind::Organisation => l
                .organisations
                .values()
                .map(|o| (o.id.to_string(), o.name.clone()))
                .collect(),
            RecordKind::Facility => l
                .facilities
                .values()
                .map(|o| (o.id.to_string(), o.name.clone()))
                .collect(),
            RecordKind::Activity => l
                .activities
                .values()
                .map(|o| (o.id.to_string(), o.title.clone()))
                .collect(),
            _ => Vec::new(),
        }
    };
    let kind_label = i18n::value(kind.as_str());
    let title = if mode == "new" {
        ta("form-new", &[("kind", &kind_label)])
    } else {
        ta("form-edit", &[("kind", &kind_label)])
    };
    layout(
        &title,
        caller,
        html! {
            @if let Some(e) = general { p class="error" id="form-error" { (error_text(e)) @if let Some(f) = &e.field { " (" code { (f) } ")" } } }
            form method="post" action=(format!("/edit/{collection}")) class="form" id="record-form" novalidate {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="_mode" value=(mode);
                input type="hidden" name="_etag" value=(etag);
                @for spec in edit::form_fields(kind) {
                    @let v = values.get(spec.name).cloned().unwrap_or_default();
                    @let err = field_error(spec.name);
                    @let input_id = format!("f-{}", spec.name.replace('.', "-"));
                    div class=(if err.is_some() { "field invalid" } else { "field" }) {
                        label for=(input_id) { (t(spec.label)) @if spec.required { " *" } }
                        @match spec.input {
                            Input::LongText => { textarea name=(spec.name) id=(input_id) { (v) } }
                            Input::Checkbox => { input type="checkbox" name=(spec.name) id=(input_id) checked[!v.is_empty()]; }
                            Input::Choice(list) => {
                                select name=(spec.name) id=(input_id) {
                                    option value="" { "—" }
                                    @for c in list { option value=(c) selected[v == *c] { (i18n::value(c)) } }
                                }
                            }
                            Input::Ref(k) => {
                                select name=(spec.name) id=(input_id) {
                                    option value="" { "—" }
                                    @for (id, name) in options(k) { option value=(id) selected[v == id] { (name) " (" (id) ")" } }
                                }
                            }
                            Input::Date => { input type="date" name=(spec.name) id=(input_id) value=(v); }
                            Input::Text | Input::Decimal | Input::Integer => {
                                input type="text" name=(spec.name) id=(input_id) value=(v) readonly[spec.name == "id" && mode != "new"];
                            }
                        }
                        @if let Some(e) = err { span class="field-error" id=(format!("err-{}", spec.name.replace('.', "-"))) { (error_text(e)) } }
                    }
                }
                @if caller.principal().is_some_and(auth::Principal::writes_directly) {
                    button type="submit" name="_action" value="submit" id="save" { (t("form-save")) }
                } @else {
                    button type="submit" name="_action" value="draft" id="save-draft" { (t("form-save-draft")) }
                    " "
                    button type="submit" name="_action" value="submit" id="submit-approval" { (t("form-submit")) }
                }
            }
        },
    )
}

pub async fn edit_form(
    State(state): State<AppState>,
    caller: Caller,
    Path((collection, raw)): Path<(String, String)>,
    Query(prefill): Query<BTreeMap<String, String>>,
) -> PageResult<Html<String>> {
    let p = caller.require()?;
    if !p.can_edit_something() {
        return Err(PageError(ApiError::forbidden(ta(
            "err-may-not-edit",
            &[("name", &p.name), ("role", &i18n::value(p.role.as_str()))],
        ))));
    }
    let kind = kind_of(&collection)?;
    let snap = state.snapshot().await?;
    if raw == "new" {
        // Links such as "New flow" on an activity pass the activity in the query.
        let known: Vec<&str> = edit::form_fields(kind).iter().map(|f| f.name).collect();
        let mut values = prefill;
        values.retain(|k, _| known.contains(&k.as_str()));
        return Ok(form_page(
            &caller,
            &snap,
            &collection,
            kind,
            &values,
            "new",
            "",
            None,
        ));
    }
    let id = parse_id(&raw)?;
    let st = state.clone();
    let kid = id.clone();
    let record = blocking(move || Ok(st.service().store().get(kind, &kid)?))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no {} {id}", kind.as_str())))?;
    let values = edit::form_values(&record, &snap.ledger);
    Ok(form_page(
        &caller,
        &snap,
        &collection,
        kind,
        &values,
        "edit",
        &edit::etag(&record),
        None,
    ))
}

pub async fn edit_submit(
    State(state): State<AppState>,
    caller: Caller,
    Path(collection): Path<String>,
    Form(form): Form<BTreeMap<String, String>>,
) -> PageResult<Response> {
    let p = caller.require()?.clone();
    auth::check_csrf(&p, form.get("csrf").map(String::as_str).unwrap_or_default())?;
    let kind = kind_of(&collection)?;
    let mode = form.get("_mode").cloned().unwrap_or_default();
    let submit = form.get("_action").map(String::as_str) != Some("draft");
    let precondition = if mode == "new" {
        Precondition::New
    } else {
        Precondition::Loaded(form.get("_etag").cloned().unwrap_or_default())
    };
    let snap = state.snapshot().await?;
    let st = state.clone();
    let form2 = form.clone();
    let pp = p.clone();
    let result: Result<WriteOutcome, ApiError> = blocking(move || {
        let stored = match form2.get("id").map(|s| RecordId::parse(s.trim())) {
            Some(Ok(id)) if mode != "new" => st.service().store().get(kind, &id)?,
            _ => None,
        };
        let records = edit::records_from_form(kind, &form2, stored.as_ref())
            .map_err(|e| edit::invalid(kind.as_str(), e))?;
        edit::write(&st, &pp, records, &precondition, submit)
    })
    .await;
    match result {
        Ok(WriteOutcome::Applied { .. }) => {
            let id = form.get("id").cloned().unwrap_or_default();
            let to = match kind {
                RecordKind::Facility => format!("/facilities/{id}"),
                RecordKind::Activity => format!("/activities/{id}"),
                _ => "/".into(),
            };
            Ok(Redirect::to(&to).into_response())
        }
        Ok(WriteOutcome::Proposed { change, .. }) => {
            Ok(Redirect::to(&format!("/changes#change-{change}")).into_response())
        }
        Err(e) if e.status.is_client_error() => {
            let mut values = form.clone();
            values.retain(|k, _| !k.starts_with('_') && k != "csrf");
            let mode = form.get("_mode").cloned().unwrap_or_default();
            let etag = form.get("_etag").cloned().unwrap_or_default();
            let page = form_page(
                &caller,
                &snap,
                &collection,
                kind,
                &values,
                &mode,
                &etag,
                Some(&e),
            );
            Ok((e.status, page).into_response())
        }
        Err(e) => Err(PageError(e)),
    }
}

pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path((raw_id, action)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> PageResult<Response> {
    let p = caller.require()?.clone();
    auth::check_csrf(&p, &form.csrf)?;
    let id = edit::change_id(&raw_id)?;
    let decision = edit::decision(&action)?;
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

pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Path((list, format)): Path<(String, String)>,
    Query(q): Query<ExportQuery>,
) -> PageResult<Response> {
    can_read(&state, &caller)?;
    let snap: Arc<Snapshot> = state.snapshot().await?;
    let table = match list.as_str() {
        "activities" => tables::activities(&snap, &q.filter),
        // The facilities list's search and status travel in the same parameters.
        "facilities" => crate::facility_filter::FacilityFilter {
            q: q.filter.q.clone(),
            status: q.filter.status.clone(),
        }
        .apply(tables::facilities(&snap, blur_for(&state, &caller))),
        "organisations" => tables::organisations(&snap),
        "flows" => tables::flows(&snap),
        "findings" => tables::findings(&snap.findings),
        "totals" => {
            let by = if q.by.is_empty() {
                "donor"
            } else {
                q.by.as_str()
            };
            let report = snap.totals.get(by).ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_query",
                    format!("by={by:?} is not one of donor, recipient, region, sector, year"),
                )
                .with_field("by")
            })?;
            tables::totals(report)
        }
        _ => return Err(PageError(ApiError::not_found(format!("no list {list:?}")))),
    };
    let (body, mime) = match format.as_str() {
        "csv" => (tables::to_csv(&table)?, "text/csv; charset=utf-8"),
        "xlsx" => (
            tables::to_xlsx(&table)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        _ => {
            return Err(PageError(ApiError::not_found(format!(
                "no format {format:?}; use csv or xlsx"
            ))));
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
