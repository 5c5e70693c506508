//! `/map`: country outlines shaded by the aid each recipient country received, and the
//! facilities coloured by operating status, with both legends and the list of what the map
//! shows. `?country=KZ` (a code or a name) zooms to one country, `?country=world` shows the
//! whole world, `?kind=commitment` shades by another flow kind (disbursements by default).
//!
//! The public view sees sensitive facilities only at their blurred spot: every position, the
//! frame and the grouping of markers are computed from the shown coordinates, so nothing on
//! the page depends on where inside its cell a site really is.

use std::collections::BTreeMap;

use aidtrace_domain::CountryCode;
use aidtrace_domain::model::FlowKind;
use aidtrace_domain::totals::Sum;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Html;
use axum::routing::get;
use maud::html;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Deserialize;

use crate::auth::Caller;
use crate::auth::can_read;
use crate::error::PageQuery;
use crate::error::{ApiError, PageResult};
use crate::i18n::{self, t, ta};
use crate::map::geo::shown_location;
use crate::map::geo::{self, BBox, Projection};
use crate::map::svg::{Shade, Site};
use crate::present::format::group_digits;
use crate::request_ctx::layout;
use crate::state::AppState;
use crate::tables::enum_name;

pub fn routes() -> Router<AppState> {
    Router::new().route("/map", get(page))
}

/// Shades of the choropleth, lightest first (CSS classes `aid0` … `aid4`).
pub const CLASSES: usize = 5;
const WIDTH: f64 = 760.0;

#[derive(Debug, Default, Deserialize)]
pub struct MapQuery {
    #[serde(default)]
    country: Option<String>,
    #[serde(default)]
    kind: Option<String>,
}

/// What the frame shows.
enum View {
    /// The countries with facilities or aid, and every shown site.
    Overview,
    World,
    Country(CountryCode),
}

fn parse_view(raw: Option<&str>) -> Result<View, ApiError> {
    let raw = raw.map(str::trim).unwrap_or_default();
    if raw.is_empty() {
        return Ok(View::Overview);
    }
    if raw.eq_ignore_ascii_case("world") {
        return Ok(View::World);
    }
    // Said in the reader's language here: this parameter is the map page's own. A name that is
    // no country stays a 422 and a country without an outline a 400, as before.
    let refused = |status: StatusCode| {
        ApiError::new(
            status,
            "invalid_query",
            format!("country «{raw}»: {}", t("map-err-country")),
        )
        .with_field("country")
    };
    let code = CountryCode::lookup(raw).map_err(|_| refused(StatusCode::UNPROCESSABLE_ENTITY))?;
    if geo::country_bbox(code.as_str()).is_none() {
        return Err(refused(StatusCode::BAD_REQUEST));
    }
    Ok(View::Country(code))
}

fn parse_kind(raw: Option<&str>) -> Result<FlowKind, ApiError> {
    let raw = raw.map(str::trim).unwrap_or_default();
    if raw.is_empty() {
        return Ok(FlowKind::Disbursement);
    }
    serde_json::from_value(serde_json::Value::String(raw.to_string())).map_err(|_| {
        let all = FlowKind::ALL.map(FlowKind::as_str);
        ApiError::page_not_one_of(StatusCode::BAD_REQUEST, "invalid_query", "kind", raw, &all)
    })
}

/// Rank classes: the countries sorted by amount split into up to [`CLASSES`] groups of similar
/// size (equal amounts share a class). Rank rather than value breaks keep two recipients of
/// very different size apart whatever the scale. Returns (code, class) and each class's range.
pub fn classify(
    values: &[(String, Decimal)],
) -> (BTreeMap<String, usize>, Vec<(Decimal, Decimal)>) {
    let mut sorted: Vec<&(String, Decimal)> =
        values.iter().filter(|(_, v)| *v > Decimal::ZERO).collect();
    sorted.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    let n = sorted.len();
    let classes = n.min(CLASSES);
    let mut of = BTreeMap::new();
    let mut ranges: Vec<(Decimal, Decimal)> = Vec::new();
    let mut first_rank: BTreeMap<Decimal, usize> = BTreeMap::new();
    for (rank, (code, v)) in sorted.iter().enumerate() {
        let r = *first_rank.entry(*v).or_insert(rank);
        let class = if classes == 0 { 0 } else { r * classes / n };
        // With fewer classes than shades, use the darker end so one recipient is clearly shaded.
        let class = class + (CLASSES - classes);
        of.insert(code.clone(), class);
        let slot = class - (CLASSES - classes);
        if ranges.len() <= slot {
            ranges.resize(slot + 1, (*v, *v));
        }
        let (lo, hi) = ranges[slot];
        ranges[slot] = (lo.min(*v), hi.max(*v));
    }
    (of, ranges)
}

fn status_of(f: &aidtrace_domain::model::Facility) -> (String, String) {
    match f.current_status() {
        Some(s) => {
            let name = enum_name(&s.status);
            let label = i18n::value(&name);
            (name, label)
        }
        None => ("unknown".to_string(), t("map-status-unknown")),
    }
}

/// The order of the status legend: working, then degrees of damage, then gone.
const STATUS_ORDER: [&str; 7] = [
    "operational",
    "restored",
    "under_repair",
    "damaged",
    "destroyed",
    "closed",
    "unknown",
];

pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    PageQuery(q): PageQuery<MapQuery>,
) -> PageResult<Html<String>> {
    can_read(&state, &caller)?;
    let view = parse_view(q.country.as_deref())?;
    let kind = parse_kind(q.kind.as_deref())?;
    let snap = state.snapshot().await?;
    let blur = caller.principal().is_none().then_some(state.config.blur_km);
    let ledger = &snap.ledger;

    let mut sites: Vec<Site> = Vec::new();
    // (country, city) of each site, for the list under the map.
    let mut site_place: Vec<(String, String)> = Vec::new();
    for f in ledger.facilities.values() {
        let Some(loc) = f.location else { continue };
        let (p, blurred) = shown_location(f, loc, blur);
        let (Some(lat), Some(lon)) = (p.lat.to_f64(), p.lon.to_f64()) else {
            continue;
        };
        let (status, status_label) = status_of(f);
        sites.push(Site {
            id: f.id.to_string(),
            name: f.name.clone(),
            lon,
            lat,
            blurred,
            status,
            status_label,
            href: format!("/facilities/{}", f.id),
        });
        site_place.push((f.country.to_string(), f.city.clone().unwrap_or_default()));
    }

    let received: Vec<(String, Decimal)> = snap
        .figures
        .totals
        .get("recipient")
        .map(|s| {
            s.rows
                .iter()
                .filter(|r| r.kind == kind)
                .filter_map(|r| match r.converted {
                    Some(Sum::Exact(v)) if geo::OUTLINES.countries.contains_key(&r.key) => {
                        Some((r.key.clone(), v))
                    }
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let kinds: Vec<FlowKind> = {
        let mut k: Vec<FlowKind> = snap
            .figures
            .totals
            .get("recipient")
            .map(|s| s.rows.iter().map(|r| r.kind).collect())
            .unwrap_or_default();
        k.sort_by_key(enum_name);
        k.dedup();
        k
    };
    let (class_of, ranges) = classify(&received);
    let kind_label = i18n::value(&enum_name(&kind));
    let shades: BTreeMap<String, Shade> = received
        .iter()
        .filter_map(|(code, v)| {
            Some((
                code.clone(),
                Shade {
                    class: *class_of.get(code)?,
                    title: format!(
                        "{}: {} USD ({kind_label})",
                        country_name(code),
                        group_digits(v.round_dp(0))
                    ),
                },
            ))
        })
        .collect();

    // The countries worth zooming to: those with facilities or aid, by name.
    let mut places: Vec<String> = site_place.iter().map(|(c, _)| c.clone()).collect();
    places.extend(received.iter().map(|(c, _)| c.clone()));
    places.extend(ledger.facilities.values().map(|f| f.country.to_string()));
    places.sort();
    places.dedup();
    places.retain(|c| geo::OUTLINES.countries.contains_key(c));
    // By the name the reader reads, not by code (Austria after Armenia, not before Bosnia).
    places.sort_by_cached_key(|c| country_name(c).to_lowercase());

    let frame = match &view {
        View::World => BBox::WORLD,
        View::Country(c) => geo::country_bbox(c.as_str())
            .unwrap_or(BBox::WORLD)
            .padded(0.08, 4.0),
        View::Overview => places
            .iter()
            .filter_map(|c| geo::country_bbox(c))
            .chain(BBox::of_points(sites.iter().map(|s| (s.lon, s.lat))))
            .reduce(BBox::union)
            .map_or(BBox::WORLD, |b| b.padded(0.08, 8.0)),
    };
    let proj = Projection::fit(frame, WIDTH, 320.0, 560.0);
    let focus = match &view {
        View::Country(c) => Some(c.as_str().to_string()),
        _ => None,
    };
    let title = match &view {
        View::Country(c) => format!("{} — {}", t("svg-map-title"), country_name(c.as_str())),
        _ => t("svg-map-title"),
    };
    let svg = crate::map::svg::map(
        &proj,
        &title,
        &t("map-attribution"),
        &shades,
        &sites,
        focus.as_deref(),
    );
    let statuses: Vec<&str> = STATUS_ORDER
        .iter()
        .copied()
        .filter(|s| sites.iter().any(|x| x.status == *s))
        .collect();
    let missing: Vec<_> = ledger
        .facilities
        .values()
        .filter(|f| f.location.is_none())
        .collect();
    let kind_q = if kind == FlowKind::Disbursement {
        String::new()
    } else {
        format!("&kind={}", enum_name(&kind))
    };
    let here = match &view {
        View::Overview => String::new(),
        View::World => "country=world".to_string(),
        View::Country(c) => format!("country={c}"),
    };
    let content = html! {
        nav class="map-zoom" aria-label=(t("map-zoom")) {
            (t("map-zoom")) ": "
            a href=(format!("/map?{}", kind_q.trim_start_matches('&'))) aria-current=[matches!(view, View::Overview).then_some("page")] { (t("map-overview")) }
            @for c in &places {
                " · "
                a href=(format!("/map?country={c}{kind_q}")) aria-current=[(focus.as_deref() == Some(c.as_str())).then_some("page")] { (country_name(c)) }
            }
            " · "
            a href=(format!("/map?country=world{kind_q}")) aria-current=[matches!(view, View::World).then_some("page")] { (t("map-world")) }
        }
        div class="map-frame" { (svg) }
        p class="muted attribution" { (t("map-attribution")) " (naturalearthdata.com). " (t("map-note")) }
        div class="legends" {
            section class="legend" aria-labelledby="legend-status" {
                h2 id="legend-status" { (t("map-legend-status")) }
                ul {
                    @for s in &statuses {
                        li { span class=(format!("swatch st-{s}")) {} " " (if *s == "unknown" { t("map-status-unknown") } else { i18n::value(s) }) }
                    }
                    @if sites.iter().any(|s| s.blurred) {
                        li { span class="swatch blurred" {} " " (t("map-blurred-legend")) }
                    }
                }
            }
            section class="legend" aria-labelledby="legend-aid" {
                h2 id="legend-aid" { (ta("map-legend-aid", &[("kind", &kind_label)])) }
                @if ranges.is_empty() {
                    p class="muted" { (t("map-no-aid")) }
                }
                ul {
                    @for (i, (lo, hi)) in ranges.iter().enumerate().rev() {
                        li {
                            span class=(format!("swatch aid{}", i + CLASSES - ranges.len())) {} " "
                            @if lo == hi { (group_digits(lo.round_dp(0))) } @else { (group_digits(lo.round_dp(0))) " – " (group_digits(hi.round_dp(0))) }
                            " USD"
                        }
                    }
                    li { span class="swatch none" {} " " (t("map-no-aid")) }
                }
                @if kinds.len() > 1 {
                    p {
                        (t("map-measure")) ": "
                        @for (i, k) in kinds.iter().enumerate() {
                            @if i > 0 { " · " }
                            @let q = if here.is_empty() { format!("kind={}", enum_name(k)) } else { format!("{here}&kind={}", enum_name(k)) };
                            a href=(format!("/map?{q}")) aria-current=[(*k == kind).then_some("page")] { (i18n::value(&enum_name(k))) }
                        }
                    }
                }
            }
        }
        h2 id="map-sites" { (t("map-sites")) }
        div class="table-scroll" {
            table class="list" {
                thead { tr { th { (t("col-name")) } th { (t("col-status")) } th { (t("col-country")) } th { (t("col-city")) } } }
                tbody {
                    @for (s, (c, city)) in sites.iter().zip(&site_place) {
                        tr {
                            td { a href=(s.href) { (s.name) } @if s.blurred { " (" (t("map-blurred")) ")" } }
                            td { span class=(format!("swatch st-{}", s.status)) {} " " (s.status_label) }
                            td { (country_name(c)) }
                            td { (city) }
                        }
                    }
                }
            }
        }
        @if !missing.is_empty() { p { (t("map-without-coordinates")) ": " @for f in missing { a href=(format!("/facilities/{}", f.id)) { (f.name) } "; " } } }
    };
    Ok(layout(&t("title-map"), &caller, content))
}

/// The country's name for the reader.
fn country_name(code: &str) -> String {
    crate::labels::country(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(v: i64) -> Decimal {
        Decimal::from(v)
    }

    #[test]
    fn one_recipient_gets_the_darkest_shade() {
        let (of, ranges) = classify(&[("KZ".into(), d(7))]);
        assert_eq!(of["KZ"], CLASSES - 1);
        assert_eq!(ranges, vec![(d(7), d(7))]);
    }

    #[test]
    fn more_aid_never_gets_a_lighter_shade() {
        let vals: Vec<(String, Decimal)> = (1..=12).map(|i| (format!("C{i}"), d(i * i))).collect();
        let (of, ranges) = classify(&vals);
        assert_eq!(ranges.len(), CLASSES);
        for w in vals.windows(2) {
            assert!(of[&w[0].0] <= of[&w[1].0]);
        }
        assert_eq!(of["C12"], CLASSES - 1);
        assert_eq!(of["C1"], 0);
    }

    #[test]
    fn equal_amounts_share_a_class_and_zero_is_unshaded() {
        let (of, _) = classify(&[
            ("A".into(), d(5)),
            ("B".into(), d(5)),
            ("C".into(), d(9)),
            ("Z".into(), d(0)),
        ]);
        assert_eq!(of["A"], of["B"]);
        assert!(!of.contains_key("Z"));
    }

    #[test]
    fn views_parse_codes_names_and_world() {
        assert!(matches!(parse_view(Some("kz")), Ok(View::Country(c)) if c.as_str() == "KZ"));
        assert!(matches!(parse_view(Some("Ukraine")), Ok(View::Country(c)) if c.as_str() == "UA"));
        assert!(matches!(parse_view(Some("world")), Ok(View::World)));
        assert!(matches!(parse_view(None), Ok(View::Overview)));
        let e = parse_view(Some("Atlantis")).err().expect("refused");
        assert_eq!(e.field.as_deref(), Some("country"));
    }

    #[test]
    fn kinds_parse_and_refuse() {
        assert_eq!(parse_kind(None).ok(), Some(FlowKind::Disbursement));
        assert_eq!(
            parse_kind(Some("commitment")).ok(),
            Some(FlowKind::Commitment)
        );
        assert!(parse_kind(Some("gift")).is_err());
    }
}
