//! Essential-equipment gaps and densities: the page and the API. Moved out of `asset_pages.rs`
//! unchanged to keep that file under 1,000 lines.

use super::*;
use crate::error::PageQuery;

/// `?at=`: the instant states are taken at, read by the shared parser (`assets::instant`, as in
/// the CLI): a bare date is 00:00 UTC of that day; a time may carry an offset. Default now.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct AtQuery {
    #[serde(default)]
    pub at: String,
}

impl AtQuery {
    fn resolve(&self) -> ApiResult<(NaiveDate, NaiveDateTime)> {
        let at = if self.at.trim().is_empty() {
            now()
        } else {
            instant::parse_field("at", &self.at).map_err(|e| {
                ApiError::bad_request("invalid_query", e.to_string())
                    .with_field("at")
                    .said(self.at.trim(), Msg::new("asset-err-time"))
            })?
        };
        Ok((at.date(), at))
    }
}

/// Gaps per facility and per region, from the snapshot's ledger (no second read of the store).
async fn gap_tables(state: &AppState, at: NaiveDateTime) -> ApiResult<(Vec<Gap>, Vec<RegionGap>)> {
    let snap = state.snapshot().await?;
    blocking(move || {
        let gaps = gaps::gaps(&Fleet::build(&snap.ledger), at);
        let regions = gaps::region_gaps(&gaps);
        Ok((gaps, regions))
    })
    .await
}

async fn density(state: &AppState, at: NaiveDateTime) -> ApiResult<DensityReport> {
    let snap = state.snapshot().await?;
    blocking(move || Ok(svc::density_report(&snap.ledger, at)?)).await
}

fn area_label(d: &gaps::Density) -> String {
    match (d.scope, &d.region) {
        (Scope::Region, Some(r)) => r.clone(),
        (Scope::National, _) => format!("{} · {}", d.country, t("asset-national")),
        _ => t("asset-no-region"),
    }
}

/// Why a row has no density, in the reader's language (the API keeps the English reason).
fn no_density_label(d: &gaps::Density) -> String {
    match (d.scope, d.population) {
        (Scope::NoRegion, _) => t("asset-density-no-region"),
        (_, None) => t("asset-density-no-population"),
        (_, Some(_)) => t("asset-density-zero-population"),
    }
}

pub async fn gaps_page(
    State(state): State<AppState>,
    caller: Caller,
    PageQuery(raw): PageQuery<AtQuery>,
) -> PageResult<Html<String>> {
    readable(&state, &caller)?;
    let (day, at) = raw.resolve()?;
    let snap = state.snapshot().await?;
    let ledger = &snap.ledger;
    let (facility_gaps, region_gaps) = gap_tables(&state, at).await?;
    let density = density(&state, at).await?;
    let mut groups: Vec<(&str, &str)> = density
        .rows
        .iter()
        .map(|d| (d.country.as_str(), d.generic_type.as_str()))
        .collect();
    groups.dedup();
    let content = html! {
        form method="get" action="/assets/gaps" class="filters" {
            label { (t("asset-at-date")) " " input type="date" name="at" value=(day); }
            button type="submit" { (t("filter")) }
        }
        h2 { (t("asset-gaps-by-region")) }
        @if region_gaps.is_empty() { p class="muted" { (t("asset-no-standards")) } }
        @else {
            table class="list" id="region-gaps" {
                thead { tr { th { (t("asset-region")) } th { (t("asset-device")) } th { (t("asset-facilities")) } th { (t("asset-required")) } th { (t("asset-present")) } th { (t("asset-functional")) } th { (t("asset-gap")) } } }
                tbody { @for g in &region_gaps { tr {
                    td { (g.region) } td { (word("type", &g.generic_type)) } td { (g.facilities) } td { (g.required) } td { (g.present) } td { (g.functional) }
                    td { @if g.gap > 0 { b class="warn" { (g.gap) } } @else { (g.gap) } }
                } } }
            }
        }
        h2 { (t("asset-gaps-by-facility")) }
        @if !facility_gaps.is_empty() {
            table class="list" id="facility-gaps" {
                thead { tr { th { (t("assets-facility")) } th { (t("asset-region")) } th { (t("asset-device")) } th { (t("asset-required")) } th { (t("asset-present")) } th { (t("asset-functional")) } th { (t("asset-gap")) } } }
                tbody { @for g in &facility_gaps { tr {
                    td { a href=(format!("/assets?facility={}", g.facility)) { (ledger.facility_name(&g.facility)) } }
                    td { (g.region) } td { (word("type", &g.generic_type)) } td { (g.required) } td { (g.present) } td { (g.functional) }
                    td { @if g.gap > 0 { b class="warn" { (g.gap) } } @else { (g.gap) } }
                } } }
            }
        }
        p class="muted" { (t("asset-gaps-rule")) }
        h2 id="density" { (t("asset-density-title")) }
        p class="muted" id="density-counted" { (t("asset-density-counted")) }
        @for (country, generic_type) in &groups {
            h3 { (word("type", generic_type)) " · " (country) }
            table class="list density" id=(format!("density-{country}-{generic_type}")) {
                thead { tr { th { (t("asset-area")) } th { (t("asset-units")) } th { (t("asset-population")) } th { (t("asset-year")) } th { (t("asset-per-million")) } th { (t("asset-source")) } } }
                tbody {
                    @for d in density.rows.iter().filter(|d| d.country == *country && d.generic_type == *generic_type) {
                        tr class=(if d.scope == Scope::National { "national" } else { "" }) {
                            td { @if d.scope == Scope::National { b { (area_label(d)) } } @else { (area_label(d)) } }
                            td { (d.units) }
                            td { (d.population.map(|p| i18n::number(Decimal::from(p))).unwrap_or_default()) }
                            td { (d.population_year.map(|y| y.to_string()).unwrap_or_default()) }
                            td { @match d.per_million { Some(v) => { (i18n::number(v)) }, None => { span class="muted" { (no_density_label(d)) } } } }
                            td { @if let Some(p) = &d.population_record { (t("asset-population-record")) " " code { (p) } } }
                        }
                    }
                    @for x in density.references_for(generic_type) {
                        tr class="reference" {
                            td { (t("asset-reference")) ": " (area_word(&x.area)) }
                            td {} td {}
                            td { (x.years()) }
                            td { (x.bound.sign()) (i18n::number(x.per_million)) }
                            td {
                                @if x.source_url.is_empty() { (x.source_title) } @else { a href=(x.source_url) rel="noopener" { (x.source_title) } }
                                @if let Some(id) = &x.record { " · " code { (id) } }
                            }
                        }
                    }
                }
            }
        }
        p class="exports" { (t("export")) ": " a href=(format!("/api/v1/reports/asset-gaps?at={day}")) { "JSON (" (t("asset-gap")) ")" } " · " a href=(format!("/api/v1/reports/asset-density?at={day}")) { "JSON (" (t("asset-per-million")) ")" } }
    };
    Ok(layout(&t("asset-title-gaps"), &caller, content))
}

pub async fn api_gaps(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(raw): ApiQuery<AtQuery>,
) -> ApiResult<Json<Value>> {
    readable(&state, &caller)?;
    let (_, at) = raw.resolve()?;
    let (facilities, regions) = gap_tables(&state, at).await?;
    Ok(Json(serde_json::json!({
        "at": at,
        "regions": regions,
        "facilities": facilities,
    })))
}

pub async fn api_density(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(raw): ApiQuery<AtQuery>,
) -> ApiResult<Json<Value>> {
    readable(&state, &caller)?;
    let (_, at) = raw.resolve()?;
    let report = density(&state, at).await?;
    Ok(Json(
        serde_json::to_value(&report).map_err(ApiError::internal)?,
    ))
}
