//! Server-rendered pages (maud escapes every interpolated value). No page needs JavaScript.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::summary::TotalsSummary;
use aidtrace_domain::checks::Severity;
use aidtrace_domain::model::{Facility, GeoPoint};
use aidtrace_domain::{CurrencyCode, Money, RecordId, RecordKind};
use aidtrace_store::{AccountStore, ChangeState};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{DOCTYPE, Markup, html};
use rust_decimal::Decimal;

use crate::auth::{self, Caller, LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use crate::edit::{self, Decision, Input, WriteOutcome};
use crate::error::{ApiError, PageError, PageResult};
use crate::i18n::{self, t, tn};
use crate::state::{AppState, GROUPS, Snapshot, blocking};
use crate::svg;
use crate::tables::{self, ActivityFilter, Table, enum_name};

/// An exact decimal with the current language's separators.
pub fn group_digits(d: Decimal) -> String {
    crate::i18n::number(d)
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
fn can_read(state: &AppState, caller: &Caller) -> Result<(), PageError> {
    match caller {
        Caller::Signed(_) => Ok(()),
        Caller::Expired => Err(PageError(ApiError::unauthorized(
            "your session has expired or was signed out; sign in again",
        ))),
        Caller::Anonymous if state.config.public_view => Ok(()),
        Caller::Anonymous => Err(PageError(ApiError::unauthorized(
            "sign in to see this page (the public view is switched off)",
        ))),
    }
}

pub fn layout(title: &str, caller: &Caller, content: Markup) -> Html<String> {
    let principal = caller.principal();
    Html(
        html! {
            (DOCTYPE)
            html lang=(i18n::current().code()) {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (title) " · aidtrace" }
                    link rel="stylesheet" href="/static/app.css";
                }
                body {
                    header {
                        a href="/" class="brand" { "aidtrace" }
                        nav {
                            a href="/" { (t("nav-dashboard")) }
                            a href="/activities" { (t("nav-activities")) }
                            a href="/facilities" { (t("nav-facilities")) }
                            a href="/map" { (t("nav-map")) }
                            a href="/organisations" { (t("nav-organisations")) }
                            a href="/quality" { (t("nav-quality")) }
                            a href="/assets" { (t("nav-assets")) }
                            a href="/energy" { (t("nav-energy")) }
                            a href="/intake" { (t("nav-intake")) }
                            @if principal.is_some() { a href="/changes" { (t("nav-changes")) } }
                            a href="/import" { (t("nav-import")) }
                            a href="/api/v1/openapi.json" { (t("nav-api")) }
                        }
                        nav class="langs" aria-label=(t("language")) {
                            @for l in i18n::Lang::ALL {
                                a href=(format!("?lang={}", l.code())) lang=(l.code()) class=(if l == i18n::current() { "current" } else { "" }) { (l.name()) }
                            }
                        }
                        div class="who" {
                            @match principal {
                                Some(p) => {
                                    span id="whoami" { (p.name) " (" (p.role.as_str()) ")" }
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
    let title = status.canonical_reason().unwrap_or("Error");
    layout(
        title,
        &Caller::Anonymous,
        html! {
            p class="error" id="error" { (message) }
            @if let Some(f) = field { p { "Field: " code { (f) } } }
            @if status == StatusCode::UNAUTHORIZED { p { a href="/login" { "Sign in" } } }
            p { a href="/" { "Back to the dashboard" } }
        },
    )
}

fn table_html(table: &Table, link: Option<&str>) -> Markup {
    html! {
        table class="list" id=(format!("table-{}", table.name)) {
            thead { tr { @for h in &table.headers { th { (h) } } } }
            tbody {
                @for row in &table.rows {
                    tr {
                        @for (i, cell) in row.iter().enumerate() {
                            td {
                                @if i == 0 && let Some(prefix) = link {
                                    a href=(format!("{prefix}{cell}")) { (cell) }
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
                thead { tr { th { "" (by) } th { "kind" } th { "original currencies" } th { "converted (" (report.currency) ")" } } }
                tbody {
                    @for row in &report.rows {
                        tr {
                            td { (row.key) }
                            td { (row.kind.as_str()) }
                            td { @for (c, a) in &row.original { span class="amt" { (group_digits(*a)) " " (c) } br; } }
                            td {
                                @match row.converted {
                                    Some(v) => {
                                        details {
                                            summary { (group_digits(v.round_dp(2))) " " (report.currency) @if !row.converted_complete { " (partial)" } }
                                            ul class="rates" {
                                                @for r in &row.rates {
                                                    li { (r.currency) " at " (r.rate) " " (report.currency) "/" (r.currency) ", rate of " (i18n::date(r.rate_date)) " (" (enum_name(&r.basis)) "; " (r.source) "), " (r.flows) " flow(s)" }
                                                }
                                                @if row.unconverted > 0 { li { (row.unconverted) " flow(s) unconverted" } }
                                            }
                                        }
                                    }
                                    None => { span class="muted" { "unconverted" } }
                                }
                            }
                        }
                    }
                }
            }
            p class="muted" { "Rule: " (report.rule) ". " (report.attribution) }
            (exports("totals", &format!("?by={by}")))
        }
    }
}

fn bar_rows(report: &TotalsSummary) -> Vec<(String, Decimal)> {
    // One bar per key and flow kind: kinds are never added together.
    let mut rows: Vec<(String, Decimal)> = report
        .rows
        .iter()
        .filter_map(|r| Some((format!("{} · {}", r.key, r.kind.as_str()), r.converted?)))
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
                span class="muted" { " (" (count(Severity::Error)) " errors, " (count(Severity::Warning)) " warnings, " (count(Severity::Info)) " notes)" }
            }
        }
        @if let Some(donors) = snap.totals.get("donor") {
            (svg::bar_chart(&t("chart-by-donor"), "USD", &bar_rows(donors)))
        }
        (svg::time_series(&t("chart-by-year"), "USD", series))
        @if dated_by_fallback > 0 {
            p class="muted" { (dated_by_fallback) " flow(s) have no value date and are placed in the year of the rate used for them (see each conversion's basis)." }
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
            label { (t("status")) " " select name="status" { option value="" { (t("any")) } @for s in edit::ACTIVITY_STATUSES { option value=(s) selected[filter.status == *s] { (s) } } } }
            label { (t("instrument")) " " select name="instrument" { option value="" { (t("any")) } @for s in edit::INSTRUMENTS { option value=(s) selected[filter.instrument == *s] { (s) } } } }
            button type="submit" { (t("filter")) }
        }
        p { (table.rows.len()) " activities" @if can_edit { " · " a href="/edit/activities/new" id="new-activity" { "New activity" } } }
        (table_html(&table, Some("/activities/")))
        (exports("activities", &query))
    };
    Ok(layout(&t("title-activities"), &caller, content))
}

fn urlencode(s: &str) -> String {
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
            "no record {:?}: {}",
            raw, e.message
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
                summary { "≈ " (group_digits(c.amount.round_dp(2))) " " (c.currency) }
                (c.from.amount) " " (c.from.currency) " at " (c.rate) " " (c.currency) "/" (c.from.currency) ", rate of " (c.rate_date)
                @if m.value_date.is_none() { " (no value date: latest rate)" }
                ". Source: " (c.source)
            }
        },
        Some(Err(e)) => html! { span class="muted" { "unconverted: " (e) } },
        None => html! { span class="muted" { "unconverted: no rate" } },
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
                            @if let Some(d) = &s.published { ", " (d) }
                        }
                        None => { (c.source) }
                    }
                    @if let Some(f) = &c.field { " (supports " code { (f) } ")" }
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
            p class="muted" { "Sign in to see who changed what (the audit trail)." }
        } @else if entries.is_empty() {
            p class="muted" { "No changes recorded." }
        } @else {
            table class="list" id="history" {
                thead { tr { th { "#" } th { "when" } th { "who" } th { "action" } th { "record" } th { "after" } } }
                tbody { @for e in entries { tr {
                    td { (e.seq) } td { (e.at) } td { (e.actor) } td { (e.action) } td { (e.kind) " " (e.record_id) }
                    td { details { summary { "document" } pre { (e.after.clone().unwrap_or_default()) } } }
                } } }
            }
            p class="muted" { "Entries are hash-chained; " code { "aidtrace audit verify" } " checks the chain." }
        }
    }
}

fn findings_html(snap: &Snapshot, ids: &[&RecordId]) -> Markup {
    let list = snap.findings_for(ids);
    html! {
        h2 { (t("findings")) }
        @if list.is_empty() { p class="muted" { "None." } }
        ul class="findings" {
            @for f in list {
                li class=(f.severity.as_str()) { b { (f.rule) } " " (f.severity.as_str()) " — " (f.record_kind.as_str()) " " (f.record) ": " (f.message) }
            }
        }
    }
}

fn edit_link(caller: &Caller, collection: &str, id: &RecordId) -> Markup {
    html! {
        @if caller.principal().is_some_and(auth::Principal::can_edit_something) {
            p { a href=(format!("/edit/{collection}/{id}")) class="edit" { "Edit" } }
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
        .ok_or_else(|| ApiError::not_found(format!("no activity {id}")))?;
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
            dt { "Id" } dd { code { (a.id) } }
            dt { "Instrument" } dd { (enum_name(&a.instrument)) }
            dt { "Status" } dd { (enum_name(&a.status)) }
            @if let Some(p) = &a.parent { dt { "Part of" } dd { a href=(format!("/activities/{p}")) { (ledger.activities.get(p).map_or(p.to_string(), |x| x.title.clone())) } } }
            @if !children.is_empty() { dt { "Sub-activities" } dd { @for c in children { a href=(format!("/activities/{c}")) { (ledger.activities.get(c).map_or(c.to_string(), |x| x.title.clone())) } br; } } }
            @if let Some(d) = &a.description { dt { "Description" } dd { (d) } }
            @if let Some(d) = &a.purpose { dt { "Purpose" } dd { (d) } }
            @if let Some(d) = a.start_date { dt { "Start" } dd { (i18n::date(d)) } }
            @if let Some(d) = a.end_date { dt { "End" } dd { (i18n::date(d)) } }
            @if let Some(c) = &a.ceiling { dt { "Ceiling" } dd { (money(c)) (conversion(&snap, c)) } }
            dt { "Participants" } dd { @for p in &a.participants { (ledger.org_name(&p.org)) " (" (enum_name(&p.role)) ")" br; } }
            @if !a.countries.is_empty() { dt { "Countries" } dd { @for c in &a.countries { (c.country) " " (c.percentage) "% " } } }
            @if !a.regions.is_empty() { dt { "Regions" } dd { @for r in &a.regions { (r.name) " (" (r.country) ") " (r.percentage) "% " } } }
            @if !a.sectors.is_empty() { dt { "Sectors" } dd { @for s in &a.sectors { (s.code) " " (s.percentage) "% " } } }
        }
        @if !a.legal_steps.is_empty() {
            h2 { "Legal steps" }
            ul { @for s in &a.legal_steps { li { (enum_name(&s.kind)) @if let Some(d) = s.date { " " (d) } @if let Some(r) = &s.reference { " ref " (r) } @for g in &s.signatories { " · " (g.name) @if let Some(t) = &g.title { ", " (t) } } (citations(&snap, &s.sources)) } } }
        }
        h2 { (t("flows")) }
        @if can_edit { p { a href=(format!("/edit/flows/new?activity={id}")) { "New flow" } " · " a href=(format!("/edit/equipment-lines/new?activity={id}")) { "New equipment line" } } }
        @if flows.is_empty() { p class="muted" { "No flows recorded." } }
        @for f in &flows {
            article class="flow" id=(f.id) {
                h3 { (f.kind.as_str()) ": " (money(&f.money)) }
                (edit_link(&caller, "flows", &f.id))
                (conversion(&snap, &f.money))
                @if let Some(v) = f.money.value_date { p { "Value date " (v) } }
                @if let Some(p) = &f.provider { p { "From " (ledger.org_name(p)) } }
                @if let Some(r) = &f.receiver { p { "To " (ledger.org_name(r)) } }
                @if let Some(s) = &f.stated_equivalent {
                    p class="stated" { "Stated equivalent: " @if let Some(q) = s.qualifier { (enum_name(&q)) " " } (group_digits(s.amount)) " " (s.currency) " (as the source states it; not used in totals)" }
                }
                @if let Some(d) = &f.description { p { (d) } }
                @for finding in snap.findings_for(&[&f.id]) {
                    p class=(format!("finding {}", finding.severity.as_str())) { b { (finding.rule) } " " (finding.message) }
                }
                (citations(&snap, &f.sources))
            }
        }
        @if !budgets.is_empty() {
            h2 { "Budgets" }
            table class="list" id="budgets" {
                thead { tr { th { "kind" } th { "period" } th { "amount" } th { "status" } } }
                tbody { @for b in &budgets { tr id=(b.id) {
                    td { (enum_name(&b.kind)) } td { (b.period_start) " – " (b.period_end) }
                    td { (money(&b.money)) (conversion(&snap, &b.money)) }
                    td { (b.status.as_ref().map(enum_name).unwrap_or_default()) }
                } } }
            }
            p class="muted" { "Budgets are plans, not flows: they never enter totals." }
        }
        h2 { (t("equipment")) }
        @if lines.is_empty() { p class="muted" { "No equipment lines." } }
        @if !lines.is_empty() {
            table class="list" id="equipment" {
                thead { tr { th { "id" } th { "equipment" } th { "category" } th { "quantity" } th { "unit cost" } th { "facility" } } }
                tbody { @for e in &lines { tr id=(e.id) {
                    td { @if can_edit { a href=(format!("/edit/equipment-lines/{}", e.id)) { (e.id) } } @else { (e.id) } } td { (e.description) } td { (enum_name(&e.category)) }
                    td { (e.quantity.map(|q| q.to_string()).unwrap_or_default()) }
                    td { @if let Some(c) = &e.unit_cost { (money(c)) (conversion(&snap, c)) } }
                    td { @if let Some(f) = &e.facility { a href=(format!("/facilities/{f}")) { (ledger.facilities.get(f).map_or(f.to_string(), |x| x.name.clone())) } } }
                } } }
            }
        }
        h2 { "Facilities" }
        ul { @for f in &a.facilities { li { a href=(format!("/facilities/{f}")) { (ledger.facilities.get(f).map_or(f.to_string(), |x| x.name.clone())) } } } }
        @if !partnerships.is_empty() {
            h2 { "Partnerships" }
            @for p in &partnerships { p { (ledger.org_name(&p.lead)) " with " @for o in &p.partners { (ledger.org_name(o)) "; " } @if let Some(n) = p.participants { " (" (n) " participants)" } } (citations(&snap, &p.sources)) }
        }
        h2 { (t("sources")) }
        (citations(&snap, &a.sources))
        (findings_html(&snap, &related))
        (history_html(&caller, &history))
    };
    Ok(layout(&a.title, &caller, content))
}

pub async fn facilities(State(state): State<AppState>, caller: Caller) -> PageResult<Html<String>> {
    can_read(&state, &caller)?;
    let snap = state.snapshot().await?;
    let table = tables::facilities(&snap, blur_for(&state, &caller));
    let content = html! {
        p { a href="/map" { "Show them on the map" } @if caller.principal().is_some_and(auth::Principal::can_edit_something) { " · " a href="/edit/facilities/new" { "New facility" } } }
        (table_html(&table, Some("/facilities/")))
        (exports("facilities", ""))
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
        .ok_or_else(|| ApiError::not_found(format!("no facility {id}")))?;
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
            dt { "Kind" } dd { (enum_name(&f.kind)) }
            dt { "Country" } dd { (f.country) }
            @if let Some(r) = &f.region { dt { "Region" } dd { (r) } }
            @if let Some(c) = &f.city { dt { "City" } dd { (c) } }
            @if let Some(o) = &f.operator { dt { "Operator" } dd { (ledger.org_name(o)) } }
            @if let Some(b) = f.beds { dt { "Beds" } dd { (b) } }
            @if let Some(p) = f.population_served { dt { "Population served" } dd { (p) } }
            dt { "Location" } dd id="location" {
                @match location {
                    Some((p, true)) => { (p.lat) ", " (p.lon) " (blurred to about " (state.config.blur_km) " km: this site is marked sensitive)" }
                    Some((p, false)) => { (p.lat) ", " (p.lon) @if let Some(n) = &f.location_note { " — " (n) } }
                    None => { span class="muted" { "no coordinates" } }
                }
            }
        }
        h2 { "Status history" }
        @if f.status_history.is_empty() { p class="muted" { "No status recorded." } }
        ul { @for s in &f.status_history { li { (i18n::date(s.date)) ": " (enum_name(&s.status)) @if let Some(n) = &s.note { " — " (n) } (citations(&snap, &s.sources)) } } }
        h2 { "Equipment for this facility" }
        p { a href=(format!("/assets?facility={id}")) id="facility-assets" { (t("assets-of-facility")) } }
        @if lines.is_empty() { p class="muted" { "None recorded." } }
        ul id="facility-equipment" { @for e in &lines { li { (e.description) @if let Some(q) = e.quantity { " × " (q) } " — " a href=(format!("/activities/{}#{}", e.activity, e.id)) { (ledger.activities.get(&e.activity).map_or(e.activity.to_string(), |a| a.title.clone())) } } } }
        h2 { "Activities" }
        ul { @for a in &acts { li { a href=(format!("/activities/{}", a.id)) { (a.title) } } } }
        @if !partnerships.is_empty() {
            h2 { "Partnerships of the operator" }
            @for p in &partnerships { p { (ledger.org_name(&p.lead)) " with " @for o in &p.partners { (ledger.org_name(o)) "; " } @for a in &p.areas { (enum_name(a)) " " } } }
        }
        h2 { (t("sources")) }
        (citations(&snap, &f.sources))
        (findings_html(&snap, &[&f.id]))
        (history_html(&caller, &history))
    };
    Ok(layout(&f.name, &caller, content))
}

pub async fn map(State(state): State<AppState>, caller: Caller) -> PageResult<Html<String>> {
    can_read(&state, &caller)?;
    let snap = state.snapshot().await?;
    let blur = blur_for(&state, &caller);
    let points: Vec<svg::MapPoint> = snap
        .ledger
        .facilities
        .values()
        .filter_map(|f| {
            use rust_decimal::prelude::ToPrimitive;
            let (p, blurred) = shown_location(f, f.location?, blur);
            Some(svg::MapPoint {
                id: f.id.to_string(),
                name: f.name.clone(),
                lat: p.lat.to_f64()?,
                lon: p.lon.to_f64()?,
                blurred,
                href: format!("/facilities/{}", f.id),
            })
        })
        .collect();
    let missing: Vec<_> = snap
        .ledger
        .facilities
        .values()
        .filter(|f| f.location.is_none())
        .collect();
    let content = html! {
        (svg::facility_map(&points))
        p class="muted" { "Drawn from the facilities' coordinates (WGS84, equirectangular); no map tiles are loaded. Coordinates marked illustrative are city centres." }
        @if !missing.is_empty() { p { "Without coordinates: " @for f in missing { a href=(format!("/facilities/{}", f.id)) { (f.name) } "; " } } }
    };
    Ok(layout(&t("title-map"), &caller, content))
}

pub async fn organisations(
    State(state): State<AppState>,
    caller: Caller,
) -> PageResult<Html<String>> {
    can_read(&state, &caller)?;
    let snap = state.snapshot().await?;
    let table = tables::organisations(&snap);
    let content = html! {
        @if caller.principal().is_some_and(auth::Principal::can_edit_something) { p { a href="/edit/organisations/new" { "New organisation" } } }
        table class="list" {
            thead { tr { @for h in &table.headers { th { (h) } } } }
            tbody { @for row in &table.rows { tr id=(row[0]) { @for c in row { td { (c) } } } } }
        }
        (exports("organisations", ""))
        p { "All flows: " (exports("flows", "")) }
    };
    Ok(layout(&t("title-organisations"), &caller, content))
}

pub async fn quality(State(state): State<AppState>, caller: Caller) -> PageResult<Html<String>> {
    can_read(&state, &caller)?;
    let snap = state.snapshot().await?;
    let content = html! {
        p { "The findings of " code { "aidtrace check" } ". Errors and warnings are problems; notes are context." }
        table class="list" id="findings" {
            thead { tr { th { "rule" } th { "severity" } th { "record" } th { "message" } } }
            tbody {
                @for f in &snap.findings {
                    tr class=(f.severity.as_str()) {
                        td { (f.rule) } td { (f.severity.as_str()) }
                        td { a href=(tables::record_href(&snap, f.record_kind, f.record.as_str())) { (f.record_kind.as_str()) " " (f.record) } }
                        td { (f.message) }
                    }
                }
            }
        }
        (exports("findings", ""))
        h2 { "Rules" }
        dl { @for (rule, sev, what) in aidtrace_domain::checks::RULES { dt { (rule) " (" (sev.as_str()) ")" } dd { (what) } } }
    };
    Ok(layout(&t("title-quality"), &caller, content))
}

// ---- sign in / out ------------------------------------------------------------------------

pub async fn login_form(State(state): State<AppState>, caller: Caller) -> PageResult<Response> {
    let token = auth::random_token()?;
    let page = layout(
        &t("title-sign-in"),
        &caller,
        html! {
            form method="post" action="/login" class="form" id="login" {
                input type="hidden" name="csrf" value=(token);
                label { "Name" input type="text" name="name" id="name" autocomplete="username" required; }
                label { "Password" input type="password" name="password" id="password" autocomplete="current-password" required; }
                button type="submit" id="submit" { "Sign in" }
            }
        },
    );
    Ok((
        [(
            header::SET_COOKIE,
            auth::set_cookie(&state, LOGIN_CSRF_COOKIE, &token, 3600),
        )],
        page,
    )
        .into_response())
}

#[derive(serde::Deserialize)]
pub struct LoginForm {
    name: String,
    password: String,
    csrf: String,
}

pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> PageResult<Response> {
    // Login forms carry a token that must match a cookie only this site could have set.
    let cookie = auth::cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if cookie.is_empty() || !auth::same_secret(cookie, &form.csrf) {
        return Err(PageError(ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "the sign-in form's security token is missing or wrong; reload the sign-in page",
        )));
    }
    if state
        .login_limiter
        .check_key(&form.name.to_lowercase())
        .is_err()
    {
        return Err(PageError(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many sign-in attempts for this name; wait a minute",
        )));
    }
    let st = state.clone();
    let token = blocking(move || {
        let found = st.accounts().account(&form.name)?;
        // Unknown names cost a hash check too, so timing does not tell which names exist.
        let ok = match &found {
            Some((_, hash)) => auth::verify_password(&form.password, hash),
            None => {
                let _ = auth::verify_password(&form.password, auth::dummy_hash());
                false
            }
        };
        if !ok {
            return Ok(None);
        }
        auth::start_session(&st, &form.name).map(Some)
    })
    .await?;
    let Some(token) = token else {
        return Err(PageError(ApiError::unauthorized(
            "unknown name or wrong password",
        )));
    };
    let ttl = state.config.session_ttl.as_secs();
    let mut resp = Redirect::to("/").into_response();
    let headers = resp.headers_mut();
    if let Ok(v) = auth::set_cookie(&state, SESSION_COOKIE, &token, ttl).parse() {
        headers.append(header::SET_COOKIE, v);
    }
    if let Ok(v) = auth::set_cookie(&state, LOGIN_CSRF_COOKIE, "", 0).parse() {
        headers.append(header::SET_COOKIE, v);
    }
    Ok(resp)
}

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
        .ok_or_else(|| PageError(ApiError::not_found(format!("no form for {collection:?}"))))
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
    let title = format!(
        "{} {}",
        if mode == "new" { "New" } else { "Edit" },
        kind.as_str().replace('_', " ")
    );
    layout(
        &title,
        caller,
        html! {
            @if let Some(e) = general { p class="error" id="form-error" { (e.message) @if let Some(f) = &e.field { " (" code { (f) } ")" } } }
            form method="post" action=(format!("/edit/{collection}")) class="form" id="record-form" novalidate {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="_mode" value=(mode);
                input type="hidden" name="_etag" value=(etag);
                @for spec in edit::form_fields(kind) {
                    @let v = values.get(spec.name).cloned().unwrap_or_default();
                    @let err = field_error(spec.name);
                    @let input_id = format!("f-{}", spec.name.replace('.', "-"));
                    div class=(if err.is_some() { "field invalid" } else { "field" }) {
                        label for=(input_id) { (spec.label) @if spec.required { " *" } }
                        @match spec.input {
                            Input::LongText => { textarea name=(spec.name) id=(input_id) { (v) } }
                            Input::Checkbox => { input type="checkbox" name=(spec.name) id=(input_id) checked[!v.is_empty()]; }
                            Input::Choice(list) => {
                                select name=(spec.name) id=(input_id) {
                                    option value="" { "—" }
                                    @for c in list { option value=(c) selected[v == *c] { (c) } }
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
                        @if let Some(e) = err { span class="field-error" id=(format!("err-{}", spec.name.replace('.', "-"))) { (e.message) } }
                    }
                }
                @if caller.principal().is_some_and(auth::Principal::writes_directly) {
                    button type="submit" name="_action" value="submit" id="save" { "Save" }
                } @else {
                    button type="submit" name="_action" value="draft" id="save-draft" { "Save draft" }
                    " "
                    button type="submit" name="_action" value="submit" id="submit-approval" { "Submit for approval" }
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
        return Err(PageError(ApiError::forbidden(format!(
            "{} ({}) may not edit records",
            p.name,
            p.role.as_str()
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
    let if_match = if mode == "new" {
        String::new()
    } else {
        form.get("_etag").cloned().unwrap_or_default()
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
        edit::write(&st, &pp, records, Some(&if_match), submit)
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

pub async fn changes(State(state): State<AppState>, caller: Caller) -> PageResult<Html<String>> {
    let p = caller.require()?.clone();
    let st = state.clone();
    let list = blocking(move || Ok(st.accounts().changes(None)?)).await?;
    let csrf = p.csrf.clone().unwrap_or_default();
    let content = html! {
        p { "Edits wait here until an approver approves them; only approved changes enter the ledger and the public view." }
        @if list.is_empty() { p class="muted" { "No changes." } }
        @for c in &list {
            article class=(format!("change {}", c.state.as_str())) id=(format!("change-{}", c.id)) {
                h3 { "#" (c.id) " " (c.kind) " " (c.record_id) " — " span class="state" { (c.state.as_str()) } }
                p class="muted" { "by " (c.author) " at " (c.created_at) @if let Some(d) = &c.decided_by { " · decided by " (d) " at " (c.updated_at) } @if let Some(n) = &c.note { " · " (n) } }
                details { summary { "proposed records" } pre { (c.doc) } }
                @if c.state == ChangeState::Submitted && p.can_approve() {
                    form method="post" action=(format!("/changes/{}/approve", c.id)) class="inline" {
                        input type="hidden" name="csrf" value=(csrf);
                        button type="submit" class="approve" id=(format!("approve-{}", c.id)) { "Approve" }
                    }
                    form method="post" action=(format!("/changes/{}/reject", c.id)) class="inline" {
                        input type="hidden" name="csrf" value=(csrf);
                        input type="text" name="note" placeholder="reason";
                        button type="submit" class="reject" { "Reject" }
                    }
                }
                @if c.state == ChangeState::Draft && c.author == p.name {
                    form method="post" action=(format!("/changes/{}/submit", c.id)) class="inline" {
                        input type="hidden" name="csrf" value=(csrf);
                        button type="submit" { "Submit for approval" }
                    }
                }
            }
        }
    };
    Ok(layout(&t("title-changes"), &caller, content))
}

pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, action)): Path<(i64, String)>,
    Form(form): Form<CsrfForm>,
) -> PageResult<Response> {
    let p = caller.require()?.clone();
    auth::check_csrf(&p, &form.csrf)?;
    let decision = match action.as_str() {
        "approve" => Decision::Approve,
        "reject" => Decision::Reject,
        "submit" => Decision::Submit,
        _ => {
            return Err(PageError(ApiError::not_found(format!(
                "no action {action:?}"
            ))));
        }
    };
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
        "facilities" => tables::facilities(&snap, blur_for(&state, &caller)),
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
