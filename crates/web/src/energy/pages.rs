//! Energy pages: the generator allocation plan for the store's facilities, as a table, a map
//! coloured by coverage, and a CSV of the same rows.
//!
//! The fleet comes from the query (`?units=G60:60:4,G150:150:2&fuel=…&hours=…&k=…`), else the
//! store's generator equipment lines not yet recorded as assets (as `/energy/v2` plans them,
//! `aidtrace_service::energy_fleet::fleet_from_lines`), else the illustrative fleet of
//! `aidtrace_service::energy::illustrative_fleet`; the page says which.

use std::collections::BTreeMap;
use std::time::Duration;

use aidtrace_service::energy::aidtrace_energy::{
    self, FacilityExplanation, Instance, Options, Plan,
};
use aidtrace_service::energy::{
    FacilityLoad, FleetUnit, StoreOptions, illustrative_fleet, instance_from_ledger, parse_unit,
};
use aidtrace_service::energy_fleet::fleet_from_lines;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use maud::{Markup, html};
use rust_decimal::prelude::ToPrimitive;

use crate::auth::Caller;
use crate::auth::can_read;
use crate::error::PageQuery;
use crate::error::{ApiError, PageResult};
use crate::i18n::{self, t, ta};
use crate::map::geo::shown_location;
use crate::present::links::urlencode;
use crate::request_ctx::layout;
use crate::state::{AppState, blocking};
use crate::tables::{self, Table};

/// Routes of this area, merged into [`crate::app`].
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/energy", get(page))
        .route("/energy.csv", get(csv))
        .route("/energy.xlsx", get(xlsx))
}

/// Time the solver may spend per request; small instances stop earlier, proven optimal.
const TIME_LIMIT: Duration = Duration::from_millis(500);

#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct PlanQuery {
    /// `MODEL:KW:COUNT` entries separated by commas.
    #[serde(default)]
    units: Option<String>,
    /// Litres for the whole fleet over the horizon.
    #[serde(default)]
    fuel: Option<f64>,
    #[serde(default)]
    hours: Option<f64>,
    /// Most units per facility.
    #[serde(default)]
    k: Option<u32>,
}

impl PlanQuery {
    /// The same parameters as a query string, so the CSV link exports the plan shown.
    fn to_query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(u) = &self.units {
            parts.push(format!("units={}", urlencode(u)));
        }
        if let Some(f) = self.fuel {
            parts.push(format!("fuel={f}"));
        }
        if let Some(h) = self.hours {
            parts.push(format!("hours={h}"));
        }
        if let Some(k) = self.k {
            parts.push(format!("k={k}"));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

/// Where the page's fleet came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FleetSource {
    /// `?units=…`.
    Query,
    /// The store's generator lines; `illustrative` when a line marks its figures so.
    Store { illustrative: bool },
    /// No units given and no generator line in the store.
    Illustrative,
}

struct Computed {
    inst: Instance,
    loads: Vec<FacilityLoad>,
    plan: Plan,
    why: Vec<FacilityExplanation>,
    /// The fleet as given (prime kW), beside the instance's usable kW.
    fleet: Vec<FleetUnit>,
    source: FleetSource,
}

/// The store's generator lines as version 1 units (prime kW at the survey's power factor, idle
/// fuel from the line's fuel curve), as `/energy/v2` takes them.
fn store_fleet(
    ledger: &aidtrace_domain::Ledger,
) -> Result<Option<(Vec<FleetUnit>, bool)>, ApiError> {
    let lines = fleet_from_lines(ledger, None)
        .map_err(|e| ApiError::bad_request("invalid_store_fleet", e.to_string()))?;
    if lines.models.is_empty() {
        return Ok(None);
    }
    let pf = aidtrace_service::energy::DEFAULT_POWER_FACTOR;
    let illustrative = lines.notes.iter().any(|n| {
        matches!(
            n,
            aidtrace_service::energy_notes::PlanNote::LineIllustrative { .. }
        )
    });
    let fleet = lines
        .models
        .iter()
        .map(|m| FleetUnit {
            model: m.model.clone(),
            prime_kw: m.prime_kw(pf),
            count: m.count,
            idle_l_per_h: Some(m.idle(pf)),
        })
        .collect();
    Ok(Some((fleet, illustrative)))
}

fn compute(ledger: &aidtrace_domain::Ledger, q: &PlanQuery) -> Result<Computed, ApiError> {
    let bad = |field: &'static str, msg: String| {
        ApiError::bad_request("invalid_query", msg).with_field(field)
    };
    let (fleet, source) = match q.units.as_deref().map(str::trim) {
        Some(raw) if !raw.is_empty() => (
            raw.split(',')
                .map(|u| parse_unit(u.trim()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| bad("units", format!("units: {e}")))?,
            FleetSource::Query,
        ),
        _ => match store_fleet(ledger)? {
            Some((fleet, illustrative)) => (fleet, FleetSource::Store { illustrative }),
            None => (illustrative_fleet(), FleetSource::Illustrative),
        },
    };
    let mut opts = StoreOptions::new(fleet.clone(), chrono::Utc::now().naive_utc());
    opts.fuel_litres = q.fuel;
    if let Some(h) = q.hours {
        opts.hours = h;
    }
    if let Some(k) = q.k {
        opts.max_units_per_facility = k;
    }
    let (inst, loads) =
        instance_from_ledger(ledger, &opts).map_err(|e| bad("units", e.to_string()))?;
    let plan = aidtrace_energy::solve(
        &inst,
        &Options {
            time_limit: TIME_LIMIT,
            seed: 0,
        },
    );
    let why = aidtrace_energy::explain(&inst, &plan).map_err(ApiError::internal)?;
    Ok(Computed {
        inst,
        loads,
        plan,
        why,
        fleet,
        source,
    })
}

async fn computed(state: &AppState, q: PlanQuery) -> Result<Computed, ApiError> {
    let snap = state.snapshot().await?;
    blocking(move || compute(&snap.ledger, &q)).await
}

fn units_by_model(plan: &Plan) -> BTreeMap<&str, Vec<String>> {
    let mut by: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for a in &plan.assignments {
        by.entry(a.facility.as_str())
            .or_default()
            .push(format!("{}×{}", a.model, a.units));
    }
    by
}

/// The plan's rows, shared by the page and the CSV so both show the same figures.
fn plan_table(c: &Computed) -> Table {
    let units = units_by_model(&c.plan);
    let why: BTreeMap<&str, &FacilityExplanation> =
        c.why.iter().map(|w| (w.facility.as_str(), w)).collect();
    let rows = c
        .loads
        .iter()
        .map(|l| {
            let covered = c.plan.covered_kw.get(&l.facility).copied().unwrap_or(0.0);
            vec![
                l.facility.clone(),
                l.name.clone(),
                l.region.clone(),
                format!("{:.2}", l.weight),
                format!("{:.1}", l.unmet_kw),
                units
                    .get(l.facility.as_str())
                    .map(|u| u.join(" "))
                    .unwrap_or_default(),
                format!("{covered:.1}"),
                binding_shown(
                    why.get(l.facility.as_str()).map(|w| w.binding.as_str()),
                    l.unknown_loads,
                ),
                l.unknown_loads.to_string(),
            ]
        })
        .collect();
    Table {
        name: "energy-plan".into(),
        headers: vec![
            "facility",
            "name",
            "region",
            "weight",
            "unmet_kw",
            "units",
            "covered_kw",
            "binding",
            // Critical devices whose model states no kW: the unmet load is a lower bound.
            "loads_without_kw",
        ],
        rows,
    }
}

/// The binding constraint as the table and CSV give it. The solver only sees the known load, so
/// for a facility with life-support or critical loads of unknown kW its "covered" means only that
/// the known part fits: that is `load_unknown`, never `covered` (as the map's colour).
fn binding_shown(binding: Option<&str>, without_kw: usize) -> String {
    match binding {
        Some("covered") | None if without_kw > 0 => "load_unknown".into(),
        other => other.unwrap_or_default().to_string(),
    }
}

/// The map tooltip: covered of unmet kW, or for a facility whose load is partly unknown, what
/// is known and that the load is unknown (never "covered").
fn coverage_note(covered: f64, unmet: f64, without_kw: usize) -> String {
    if without_kw > 0 {
        ta(
            "energy-load-unknown-of",
            &[
                ("count", &without_kw.to_string()),
                ("covered", &float(covered, 1)),
                ("unmet", &float(unmet, 1)),
            ],
        )
    } else {
        ta(
            "energy-covered-of",
            &[("covered", &float(covered, 1)), ("unmet", &float(unmet, 1))],
        )
    }
}

/// Fill colour by share of unmet load covered; grey when there is nothing to cover. A facility
/// with critical devices of unknown kW is never "covered": its load is only a lower bound.
fn coverage_colour(unmet: f64, covered: f64, without_kw: usize) -> &'static str {
    if without_kw > 0 && covered >= unmet - 1e-6 {
        "#5b7fa6"
    } else if unmet <= 0.0 {
        "#8c8c8c"
    } else if covered >= unmet - 1e-6 {
        "#1a9850"
    } else if covered > 0.0 {
        "#f0a030"
    } else {
        "#c0392b"
    }
}

struct Point {
    id: String,
    name: String,
    lat: f64,
    lon: f64,
    blurred: bool,
    colour: &'static str,
    note: String,
}

/// Equirectangular projection of the points' bounding box, padded as on the facility map.
fn coverage_map(points: &[Point]) -> Markup {
    if points.is_empty() {
        return html! { p class="muted" { (t("energy-no-coordinates")) } };
    }
    let (lat0, lat1, lon0, lon1) = crate::svg::map_bounds(points.iter().map(|p| (p.lat, p.lon)));
    let (w, h) = (760.0, 460.0);
    let px = |lon: f64| (lon - lon0) / (lon1 - lon0) * w;
    let py = |lat: f64| h - (lat - lat0) / (lat1 - lat0) * h;
    // Sites at one spot (city-centre coordinates) get their labels stacked.
    let mut seen: std::collections::HashMap<(i64, i64), usize> = std::collections::HashMap::new();
    html! {
        svg class="map" id="energy-map" role="group" aria-label=(t("energy-map")) viewBox=(format!("0 0 {w} {h}")) width=(w) height=(h) {
            title { (t("energy-map")) }
            rect x="0" y="0" width=(w) height=(h) class="sea" {}
            @for p in points {
                @let row = {
                    let n = seen.entry(((p.lat * 1000.0).round() as i64, (p.lon * 1000.0).round() as i64)).or_insert(0);
                    *n += 1;
                    *n - 1
                };
                a href=(format!("/facilities/{}", p.id)) {
                    @if p.blurred {
                        circle cx=(px(p.lon)) cy=(py(p.lat)) r="14" fill=(p.colour) fill-opacity="0.4" class="blurred" {
                            title { (p.name) " (" (t("energy-blurred")) "): " (p.note) }
                        }
                    } @else {
                        circle cx=(px(p.lon)) cy=(py(p.lat)) r="7" fill=(p.colour) stroke="#333" id=(format!("energy-{}", p.id)) {
                            title { (p.name) ": " (p.note) }
                        }
                    }
                    text x=(px(p.lon) + 10.0) y=((row as f64).mul_add(14.0, py(p.lat) + 4.0)) class="label" { (p.name) }
                }
            }
        }
    }
}

pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    PageQuery(q): PageQuery<PlanQuery>,
) -> PageResult<Html<String>> {
    can_read(&state, &caller)?;
    let snap = state.snapshot().await?;
    let c = computed(&state, q.clone()).await?;
    let survey = crate::energy::survey::overview(&snap.ledger)?;
    let table = plan_table(&c);
    // The public view blurs sensitive facilities, as the facility map does.
    let blur = caller.principal().is_none().then_some(state.config.blur_km);
    let points: Vec<Point> = c
        .loads
        .iter()
        .filter_map(|l| {
            let f = snap
                .ledger
                .facilities
                .values()
                .find(|f| f.id.as_str() == l.facility)?;
            let (p, blurred) = shown_location(f, f.location?, blur);
            let covered = c.plan.covered_kw.get(&l.facility).copied().unwrap_or(0.0);
            Some(Point {
                id: l.facility.clone(),
                name: f.name.clone(),
                lat: p.lat.to_f64()?,
                lon: p.lon.to_f64()?,
                blurred,
                colour: coverage_colour(l.unmet_kw, covered, l.unknown_loads),
                note: coverage_note(covered, l.unmet_kw, l.unknown_loads),
            })
        })
        .collect();
    // Each model's prime rating beside the usable kW the plan counts (the instance's P_s).
    let fleet: Vec<String> = c
        .fleet
        .iter()
        .zip(&c.inst.fleet)
        .map(|(u, m)| {
            ta(
                "energy-fleet-unit",
                &[
                    ("model", &u.model),
                    ("prime", &float(u.prime_kw, 1)),
                    ("usable", &float(m.prime_kw, 1)),
                    ("count", &m.count.to_string()),
                ],
            )
        })
        .collect();
    let csv_href = format!("/energy.csv{}", q.to_query());
    let xlsx_href = format!("/energy.xlsx{}", q.to_query());
    let content = html! {
        p {
            (t("energy-fleet")) ": " (fleet.join(", "))
            @match c.source {
                FleetSource::Illustrative => { " — " em id="energy-fleet-source" { (t("energy-fleet-illustrative")) } }
                FleetSource::Store { illustrative } => {
                    " — " em id="energy-fleet-source" { (t("energy-fleet-store")) @if illustrative { "; " (t("energy-fleet-store-illustrative")) } }
                }
                FleetSource::Query => {}
            }
        }
        p {
            (t("energy-horizon")) ": " (float(c.inst.hours, 1)) " " (t("unit-hours")) "; "
            (t("energy-fuel")) ": " (float(c.inst.fuel_litres, 0)) " " (t("unit-litres")) "; "
            (t("energy-max-units")) ": " (c.inst.max_units_per_facility)
        }
        p id="energy-objective" {
            (t("energy-objective")) ": " strong { (float(c.plan.objective, 1)) } "; "
            (t("energy-bound")) ": " (float(c.plan.upper_bound, 1)) "; "
            (t("energy-gap")) ": " (float(c.plan.gap * 100.0, 3)) " % ("
            (i18n::value(&format!("{:?}", c.plan.status).to_lowercase())) ")"
        }
        p { a href="/energy/v2" id="energy2-link" { (t("energy2-link")) } }
        // A plan with the form's defaults by a plain link, so readers (and the page crawl) reach
        // a planned page without filling the form.
        p { a href=(crate::energy::v2_page::default_plan_href()) id="energy2-default-plan" { (t("energy2-link-default-plan")) } }
        (survey)
        h2 id="energy-plan-title" { (t("survey-plan")) }
        table id="energy-plan" {
            thead { tr {
                th { (t("energy-facility")) } th { (t("energy-region")) } th { (t("energy-weight")) }
                th { (t("energy-unmet-kw")) } th { (t("energy-units")) } th { (t("energy-covered-kw")) }
                th { (t("energy-binding")) }
            } }
            tbody {
                @for r in &table.rows {
                    tr {
                        td { a href=(format!("/facilities/{}", r[0])) { (r[1]) } }
                        td { (r[2]) } td class="num" { (shown_number(&r[3])) } td class="num" {
                            @if r[8] != "0" { span title=(ta("energy-without-kw", &[("count", &r[8])])) { "≥ " (shown_number(&r[4])) } } @else { (shown_number(&r[4])) }
                        }
                        td { (r[5]) } td class="num" { (shown_number(&r[6])) } td { (i18n::value(&r[7])) }
                    }
                }
            }
        }
        p class="exports" { (t("export")) ": " a href=(csv_href) { "CSV" } " · " a href=(xlsx_href) id="energy-xlsx" { "XLSX" } }
        (coverage_map(&points))
        p class="muted" { (t("energy-note")) }
    };
    Ok(layout(&t("title-energy"), &caller, content))
}

/// A figure of the shared table (written with a point, for the CSV) in the reader's format.
fn shown_number(cell: &str) -> String {
    cell.parse::<rust_decimal::Decimal>()
        .map_or_else(|_| cell.to_string(), i18n::number)
}

/// A solver figure rounded to `dp` places in the reader's format (never a float's long tail).
fn float(v: f64, dp: u32) -> String {
    rust_decimal::Decimal::from_f64_retain(v).map_or_else(
        || format!("{v}"),
        |d| i18n::number(d.round_dp(dp).normalize()),
    )
}

pub async fn xlsx(
    State(state): State<AppState>,
    caller: Caller,
    PageQuery(q): PageQuery<PlanQuery>,
) -> PageResult<Response> {
    can_read(&state, &caller)?;
    let c = computed(&state, q).await?;
    let body = tables::to_xlsx(&plan_table(&c))?;
    Ok((
        [
            (header::CONTENT_TYPE, tables::XLSX_MIME),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"energy-plan.xlsx\"",
            ),
        ],
        body,
    )
        .into_response())
}

pub async fn csv(
    State(state): State<AppState>,
    caller: Caller,
    PageQuery(q): PageQuery<PlanQuery>,
) -> PageResult<Response> {
    can_read(&state, &caller)?;
    let c = computed(&state, q).await?;
    let body = tables::to_csv(&plan_table(&c))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"energy-plan.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}
