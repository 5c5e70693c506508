//! Regional equity: `/regions` (per region of a country, aid received per person, devices per
//! million and the facilities' operating status, ranked, with the national figure beside it),
//! its CSV `/regions.csv` (the columns of `aidtrace report regions --format csv`) and
//! `GET /api/v1/reports/regions`. The figures are the domain's `regions::regional_equity`.

use std::collections::BTreeSet;

use aidtrace_domain::model::FlowKind;
use aidtrace_domain::regions::{RegionRow, RegionalEquity, RowRole, TABLE_HEADER, regional_equity};
use aidtrace_domain::{CountryCode, CurrencyCode, Ledger};
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use maud::{Markup, html};

use crate::api::ApiQuery;
use crate::api::openapi::Op;
use crate::auth::Caller;
use crate::auth::can_read;
use crate::error::PageQuery;
use crate::error::{ApiError, ApiResult, PageError, PageResult};
use crate::i18n::{self, t, ta};
use crate::map::claims::kind_total;
use crate::present::format::group_digits;
use crate::present::links::urlencode;
use crate::request_ctx::layout;
use crate::state::{AppState, Snapshot, blocking};
use crate::tables::{Table, enum_name, to_csv};

/// Routes of this area, merged into [`crate::app`].
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/regions", get(page))
        .route("/regions.csv", get(csv))
        .route("/api/v1/reports/regions", get(api))
}

/// Unknown parameters (the language switch's `lang`) are ignored.
#[derive(Debug, Default, serde::Deserialize)]
pub struct RegionsQuery {
    #[serde(default)]
    country: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    currency: Option<String>,
}

/// Countries that have regions in the ledger (activity regions, facilities with a region,
/// regional population records), in code order.
fn countries(ledger: &Ledger) -> Vec<CountryCode> {
    let mut set: BTreeSet<CountryCode> = BTreeSet::new();
    for a in ledger.activities.values() {
        set.extend(a.regions.iter().map(|r| r.country.clone()));
    }
    set.extend(
        ledger
            .facilities
            .values()
            .filter(|f| f.region.is_some())
            .map(|f| f.country.clone()),
    );
    set.extend(
        ledger
            .populations
            .values()
            .filter(|p| p.region.is_some())
            .map(|p| p.country.clone()),
    );
    set.into_iter().collect()
}

struct Choice {
    country: Option<CountryCode>,
    kind: FlowKind,
    currency: CurrencyCode,
}

fn bad(field: &str, message: String) -> ApiError {
    ApiError::bad_request("invalid_parameter", message).with_field(field.to_string())
}

fn choose(q: &RegionsQuery, ledger: &Ledger) -> ApiResult<Choice> {
    let country = match q.country.as_deref().map(str::trim) {
        None | Some("") => countries(ledger).into_iter().next(),
        Some(c) => Some(CountryCode::parse(c).map_err(|e| {
            bad(
                "country",
                ta(
                    "regions-err-country",
                    &[("value", c), ("reason", &e.message)],
                ),
            )
        })?),
    };
    let kind = match q.kind.as_deref().map(str::trim) {
        None | Some("") => FlowKind::Disbursement,
        Some(k) => FlowKind::ALL
            .into_iter()
            .find(|x| x.as_str() == k)
            .ok_or_else(|| bad("kind", ta("regions-err-kind", &[("value", k)])))?,
    };
    let currency = match q.currency.as_deref().map(str::trim) {
        None | Some("") => CurrencyCode::usd(),
        Some(c) => CurrencyCode::parse(c).map_err(|e| {
            bad(
                "currency",
                ta(
                    "regions-err-currency",
                    &[("value", c), ("reason", &e.message)],
                ),
            )
        })?,
    };
    Ok(Choice {
        country,
        kind,
        currency,
    })
}

fn report(snap: &Snapshot, c: &Choice) -> Option<RegionalEquity> {
    c.country
        .as_ref()
        .map(|country| regional_equity(&snap.ledger, &snap.rates, country, &c.currency, c.kind))
}

fn status_cell(r: &RegionRow) -> Markup {
    html! {
        @if r.status.is_empty() { span class="muted" { "—" } }
        @for (i, s) in r.status.iter().enumerate() {
            @if i > 0 { ", " }
            @match s.status { Some(st) => { (i18n::value(&enum_name(&st))) } None => { (t("regions-no-status")) } }
            " " (s.facilities)
        }
    }
}

fn row_html(snap: &Snapshot, rep: &RegionalEquity, r: &RegionRow, role: RowRole) -> Markup {
    let totals = r.totals.of_kind(rep.kind);
    html! {
        tr class=(match role { RowRole::National => "national", RowRole::Unspecified => "unspecified", RowRole::Region => "region" }) {
            td { @if let Some(n) = r.rank { (n) } }
            th scope="row" {
                @match role {
                    RowRole::Region => { (r.region) }
                    RowRole::Unspecified => { (t("regions-unspecified")) }
                    RowRole::National => { (ta("regions-national", &[("country", &r.region)])) }
                }
            }
            td {
                @match &r.population {
                    Some(p) => {
                        (group_digits(p.population.into())) " (" (p.year) ")"
                        @for c in &p.sources {
                            @if let Some(s) = snap.ledger.sources.get(&c.source) {
                                br; span class="muted" { (t("regions-population-source")) ": "
                                    @match &s.url { Some(u) => { a href=(u) rel="noreferrer" { (s.publisher.clone().unwrap_or_else(|| s.title.clone())) } } None => { (s.title) } }
                                }
                            }
                        }
                        @if p.sources.is_empty() { br; span class="muted" { (t("regions-population-unsourced")) } }
                    }
                    None => { span class="muted" { (t("regions-no-population")) } }
                }
            }
            td { @match totals { Some(k) => { (kind_total(k, &rep.currency)) } None => { "0" } } }
            td class="per-person" { @match r.per_person { Some(v) => { b { (group_digits(v)) } " " (rep.currency) } None => { span class="muted" { "—" } } } }
            td { (r.devices) }
            td { @match r.devices_per_million { Some(v) => { (group_digits(v)) } None => { span class="muted" { "—" } } } }
            td { (status_cell(r)) }
        }
    }
}

fn form(ledger: &Ledger, c: &Choice) -> Markup {
    html! {
        form method="get" action="/regions" class="filters" id="regions-filter" {
            label for="country" { (t("col-country")) } " "
            select name="country" id="country" {
                @for code in countries(ledger) {
                    option value=(code) selected[c.country.as_ref() == Some(&code)] { (crate::labels::country(code.as_str())) }
                }
            }
            " "
            label for="kind" { (t("regions-rank-by")) } " "
            select name="kind" id="kind" {
                @for k in [FlowKind::Disbursement, FlowKind::Commitment, FlowKind::Expenditure, FlowKind::Pledge] {
                    option value=(k.as_str()) selected[c.kind == k] { (i18n::value(k.as_str())) }
                }
            }
            " "
            button type="submit" { (t("orgs-filter-apply")) }
        }
    }
}

pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    PageQuery(q): PageQuery<RegionsQuery>,
) -> PageResult<Html<String>> {
    can_read(&state, &caller)?;
    let snap = state.snapshot().await?;
    let choice = choose(&q, &snap.ledger).map_err(PageError)?;
    let rep = report(&snap, &choice);
    let content = html! {
        p { (t("regions-intro")) }
        (form(&snap.ledger, &choice))
        @match &rep {
            None => { p class="muted" { (t("regions-none")) } }
            Some(rep) => {
                p class="muted" { (ta("regions-ranked-by", &[("kind", &i18n::value(rep.kind.as_str())), ("currency", rep.currency.as_str())])) }
                div class="table-wrap" {
                    table class="list" id="regions-table" {
                        thead { tr {
                            th { (t("regions-col-rank")) } th { (t("col-region")) } th { (t("regions-col-population")) }
                            th { (ta("regions-col-received", &[("kind", &i18n::value(rep.kind.as_str()))])) }
                            th { (ta("regions-col-per-person", &[("currency", rep.currency.as_str())])) }
                            th { (t("regions-col-devices")) } th { (t("regions-col-devices-per-million")) } th { (t("regions-col-status")) }
                        } }
                        tbody { @for (r, role) in rep.all_rows() { (row_html(&snap, rep, r, role)) } }
                    }
                }
                p class="muted" { (t("regions-method")) }
                p class="exports" {
                    (t("export")) ": "
                    a id="regions-csv" href=(format!("/regions.csv?country={}&kind={}&currency={}", urlencode(rep.country.as_str()), rep.kind.as_str(), urlencode(rep.currency.as_str()))) { "CSV" }
                    " · "
                    a href=(format!("/api/v1/reports/regions?country={}&kind={}", urlencode(rep.country.as_str()), rep.kind.as_str())) { "JSON" }
                }
            }
        }
    };
    Ok(layout(&t("title-regions"), &caller, content))
}

pub async fn csv(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<RegionsQuery>,
) -> ApiResult<Response> {
    crate::api::readable(&state, &caller)?;
    let snap = state.snapshot().await?;
    let choice = choose(&q, &snap.ledger)?;
    let rep = report(&snap, &choice)
        .ok_or_else(|| ApiError::not_found("no country has regions in the ledger"))?;
    let table = Table {
        name: "regions".into(),
        headers: TABLE_HEADER.to_vec(),
        rows: rep.table_rows(),
    };
    let bytes = to_csv(&table)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"regions.csv\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

pub async fn api(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<RegionsQuery>,
) -> ApiResult<axum::Json<RegionalEquity>> {
    crate::api::readable(&state, &caller)?;
    let snap = state.snapshot().await?;
    let choice = choose(&q, &snap.ledger)?;
    // Every flow is split by region once per request: off the async threads.
    blocking(move || {
        report(&snap, &choice)
            .map(axum::Json)
            .ok_or_else(|| ApiError::not_found("no country has regions in the ledger"))
    })
    .await
}

/// The operation in the OpenAPI document.
pub fn openapi_paths(doc: &mut utoipa::openapi::OpenApi) {
    let kinds: Vec<&str> = FlowKind::ALL.iter().map(|k| k.as_str()).collect();
    Op::get(
        "regional_equity",
        "Per region of a country: aid received per person (population from its records, with the source), devices per million and facilities' operating status, ranked, with the national figure and the part no region is stated for",
    )
    .param_of::<CountryCode>(
        "country",
        utoipa::openapi::path::ParameterIn::Query,
        false,
        "ISO 3166-1 alpha-2 code; default the first country with regions",
    )
    .query_enum("kind", false, "the flow kind regions are ranked by, default disbursement", &kinds)
    .param_of::<CurrencyCode>(
        "currency",
        utoipa::openapi::path::ParameterIn::Query,
        false,
        "ISO 4217 code, default USD",
    )
    .ok::<RegionalEquity>("200", "The regional equity report")
    .errors(&[400, 401, 404])
    .add(doc, "/api/v1/reports/regions");
}
