//! `/energy/v2`: plan a donated generator fleet over the store's facilities with version 2 of the
//! model (MODEL-v2.md) from the browser: a form (fleet units, fuel price, outage what-if, fuel
//! deliverable and units installable per region), then the assignments, the units left in the
//! depot with their reasons, the fuel logistics per region (oblast) and per facility, and each
//! planned facility's autonomy with its units. CSV and XLSX of the plan and of the logistics.
//! The figures come from `aidtrace_service::energy_plan_v2`, as `energy plan --from-db
//! --version 2` prints them.
//!
//! The form is accepted as a GET query (so export links repeat the plan shown) and as a POST;
//! planning writes nothing, so neither needs a CSRF token. Writing the plan's units as assets is
//! `v2_commit.rs`.

use std::collections::BTreeMap;
use std::time::Duration;

use aidtrace_domain::{CountryCode, RecordId};
use aidtrace_service::energy::parse_unit;
use aidtrace_service::energy_plan_v2::{PlanRequest, StorePlanV2, plan_from_store};
use aidtrace_service::energy_survey::SurveyOptions;
use aidtrace_service::energy_v2::{RegionSpec, SeasonSpec, V2Options};
use axum::Router;
use axum::extract::{Form, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{Markup, html};
use rust_decimal::prelude::ToPrimitive;

use crate::auth::Caller;
use crate::auth::can_read;
use crate::error::PageQuery;
use crate::error::{ApiError, PageError, PageResult};
use crate::i18n::{self, t};
use crate::present::links::urlencode;
use crate::request_ctx::layout;
use crate::state::{AppState, blocking};
use crate::tables::{self, Table};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/energy/v2", get(page_get).post(page_post))
        .route(
            "/energy/v2/commit",
            axum::routing::post(crate::energy::v2_commit::commit),
        )
        .route("/energy/v2/{table}", get(download))
}

/// The solver's budget per request; the demo's instance is proven optimal in milliseconds.
const TIME_LIMIT: Duration = Duration::from_millis(700);

/// Defaults the form shows, so every figure of a plan is an input the reader can see.
pub const DEFAULT_FUEL_L_PER_DAY: &str = "4000";
pub const DEFAULT_INSTALL_UNITS: &str = "3";
pub const DEFAULT_COUNTRY: &str = "UA";

/// `/energy/v2` planning the store's generator lines with the form's defaults (a GET query).
pub fn default_plan_href() -> String {
    format!(
        "/energy/v2?fuel_l_per_day={DEFAULT_FUEL_L_PER_DAY}&install_units={DEFAULT_INSTALL_UNITS}&country={DEFAULT_COUNTRY}"
    )
}

/// The plan form as submitted: text as typed, parsed by [`PlanForm::request`] in the reader's
/// language so a refusal can name the field and repeat the value.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct PlanForm {
    /// `MODEL:KW:COUNT` entries separated by commas or new lines.
    #[serde(default)]
    pub units: Option<String>,
    #[serde(default)]
    pub fuel_price: Option<String>,
    #[serde(default)]
    pub outage_h: Option<String>,
    #[serde(default)]
    pub fuel_l_per_day: Option<String>,
    #[serde(default)]
    pub install_units: Option<String>,
    #[serde(default)]
    pub fuel_on_site: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    /// The donating activity whose generator equipment lines are planned (`activity` is the
    /// commit form's own field).
    #[serde(default)]
    pub fleet_activity: Option<String>,
    /// What-if per region: `REGION = litres per day` entries, one per line (or `;`), overriding
    /// `fuel_l_per_day` for those regions.
    #[serde(default)]
    pub region_fuel: Option<String>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A refused field: the English sentence for the logs, `said` for the page.
fn bad(
    field: &'static str,
    value: &str,
    why: impl std::fmt::Display,
    said: &'static str,
) -> ApiError {
    ApiError::bad_request("invalid_form", format!("{field} = {value:?}: {why}"))
        .with_field(field)
        .said(value, i18n::Msg::new(said))
}

/// The service's bounds on the what-ifs (`energy_plan_v2::plan_from_store`).
const MAX_FUEL_PRICE_EUR_PER_L: f64 = 1000.0;
const MAX_FUEL_ON_SITE_L: f64 = 10_000_000.0;

impl PlanForm {
    fn number(&self, field: &'static str, v: &Option<String>) -> Result<Option<f64>, ApiError> {
        let Some(raw) = given(v) else {
            return Ok(None);
        };
        let d = crate::format::parse_number(i18n::current(), raw)
            .map_err(|e| bad(field, raw, e, "energy2-err-number"))?;
        let x = d.to_f64().filter(|x| x.is_finite() && *x >= 0.0);
        x.map(Some)
            .ok_or_else(|| bad(field, raw, "must be a number ≥ 0", "energy2-err-number"))
    }

    /// A number ≥ 0 no larger than `max`, checked here so the refusal is worded in the reader's
    /// language (the service checks the same ranges for the CLI, in English).
    fn at_most(
        &self,
        field: &'static str,
        v: &Option<String>,
        max: f64,
        said: &'static str,
    ) -> Result<Option<f64>, ApiError> {
        let x = self.number(field, v)?;
        match x {
            Some(x) if x > max => Err(bad(
                field,
                given(v).unwrap_or_default(),
                format!("must be between 0 and {max}"),
                said,
            )),
            _ => Ok(x),
        }
    }

    /// The service request, or a 400 naming the first field that cannot be read.
    pub fn request(&self) -> Result<PlanRequest, ApiError> {
        let raw_units = given(&self.units).unwrap_or_default();
        let mut fleet = Vec::new();
        for u in raw_units
            .split([',', '\n', ';'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            fleet.push(parse_unit(u).map_err(|e| bad("units", u, e, "energy2-err-unit"))?);
        }
        // No units typed: the store's generator equipment lines (of `activity` if given).
        let activity = match given(&self.fleet_activity) {
            Some(raw) => Some(
                aidtrace_domain::RecordId::parse(raw)
                    .map_err(|e| bad("fleet_activity", raw, e, "err-id"))?,
            ),
            None => None,
        };
        let country_raw = given(&self.country).unwrap_or(DEFAULT_COUNTRY);
        let country = CountryCode::parse(country_raw)
            .map_err(|e| bad("country", country_raw, e, "err-country"))?;
        let fuel_l_per_day = self
            .number("fuel_l_per_day", &self.fuel_l_per_day)?
            .or_else(|| DEFAULT_FUEL_L_PER_DAY.parse().ok());
        let install_units = match given(&self.install_units) {
            Some(raw) => Some(
                raw.parse::<u32>()
                    .map_err(|e| bad("install_units", raw, e, "err-whole-number"))?,
            ),
            None => DEFAULT_INSTALL_UNITS.parse().ok(),
        };
        let regions = self.region_fuel()?;
        let outage = self.number("outage_h", &self.outage_h)?;
        if let Some(h) = outage
            && h > 24.0
        {
            return Err(bad(
                "outage_h",
                given(&self.outage_h).unwrap_or_default(),
                "must be between 0 and 24 hours per day",
                "energy2-err-outage",
            ));
        }
        Ok(PlanRequest {
            build: V2Options {
                spec: SeasonSpec {
                    fleet,
                    regions,
                    ..SeasonSpec::default()
                },
                fuel_l_per_day,
                install_units,
                country: Some(country),
                skip_unknown: true,
                survey: SurveyOptions::new(chrono::Utc::now().naive_utc()),
                activity,
            },
            fuel_price_eur_per_l: self.at_most(
                "fuel_price",
                &self.fuel_price,
                MAX_FUEL_PRICE_EUR_PER_L,
                "energy2-err-fuel-price",
            )?,
            outage_h_per_day: outage,
            fuel_on_site_l: self.at_most(
                "fuel_on_site",
                &self.fuel_on_site,
                MAX_FUEL_ON_SITE_L,
                "energy2-err-fuel-on-site",
            )?,
            time_limit: TIME_LIMIT,
            seed: 0,
        })
    }

    /// The per-region fuel what-if as the season's regions (the service refuses a region no
    /// planned facility is in, naming it).
    fn region_fuel(&self) -> Result<BTreeMap<String, RegionSpec>, ApiError> {
        let mut out = BTreeMap::new();
        let Some(raw) = given(&self.region_fuel) else {
            return Ok(out);
        };
        for entry in raw
            .split(['\n', ';'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let Some((region, litres)) = entry.split_once(['=', ':']) else {
                return Err(bad(
                    "region_fuel",
                    entry,
                    "expected REGION = litres per day, e.g. UA-63 = 1500",
                    "energy2-err-region-fuel",
                ));
            };
            let region = region.trim();
            if region.is_empty() {
                return Err(bad(
                    "region_fuel",
                    entry,
                    "the region is missing",
                    "energy2-err-region-fuel",
                ));
            }
            let litres = self
                .number("region_fuel", &Some(litres.trim().to_string()))
                .map_err(|_| {
                    bad(
                        "region_fuel",
                        entry,
                        "must be a number ≥ 0",
                        "energy2-err-number",
                    )
                })?
                .ok_or_else(|| {
                    bad(
                        "region_fuel",
                        entry,
                        "the litres per day are missing",
                        "energy2-err-region-fuel",
                    )
                })?;
            let spec = RegionSpec {
                fuel_l_per_day: Some(litres),
                ..RegionSpec::default()
            };
            if out.insert(region.to_string(), spec).is_some() {
                return Err(bad(
                    "region_fuel",
                    entry,
                    "this region is given twice",
                    "energy2-err-region-twice",
                ));
            }
        }
        Ok(out)
    }

    /// The form as a query string, for the export links of the plan shown.
    fn to_query(&self) -> String {
        let pairs = [
            ("units", &self.units),
            ("fuel_price", &self.fuel_price),
            ("outage_h", &self.outage_h),
            ("fuel_l_per_day", &self.fuel_l_per_day),
            ("install_units", &self.install_units),
            ("fuel_on_site", &self.fuel_on_site),
            ("country", &self.country),
            ("fleet_activity", &self.fleet_activity),
            ("region_fuel", &self.region_fuel),
        ];
        let parts: Vec<String> = pairs
            .iter()
            .filter_map(|(k, v)| given(v).map(|v| format!("{k}={}", urlencode(v))))
            .collect();
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

/// The plan for a submitted form (a 400 naming the field for bad input).
/// The plan as `caller` may read it: for the public, the autonomy of facilities whose site is
/// hidden (`sensitive`) is left out, with its fuel on site, since how many hours a hospital
/// under shelling keeps its power tells an attacker when it goes dark; with how many were left
/// out.
pub async fn plan_for(
    state: &AppState,
    caller: &Caller,
    form: &PlanForm,
) -> Result<(StorePlanV2, usize), ApiError> {
    let mut p = plan_of(state, form).await?;
    if caller.principal().is_some() {
        return Ok((p, 0));
    }
    let snap = state.snapshot().await?;
    let hidden = |id: &str| {
        RecordId::parse(id)
            .ok()
            .and_then(|id| snap.ledger.facilities.get(&id))
            .is_some_and(|f| f.sensitive)
    };
    let before = p.autonomy.len();
    p.autonomy.retain(|a| !hidden(&a.facility));
    let withheld = before - p.autonomy.len();
    Ok((p, withheld))
}

pub async fn plan_of(state: &AppState, form: &PlanForm) -> Result<StorePlanV2, ApiError> {
    let req = form.request()?;
    let snap = state.snapshot().await?;
    blocking(move || {
        plan_from_store(&snap.ledger, &req).map_err(|e| {
            let msg = e.to_string();
            // The service names the field first ("outage_h_per_day = 25: …").
            let field = msg
                .split([' ', '=', ':'])
                .next()
                .filter(|f| !f.is_empty())
                .unwrap_or("units");
            // The service's names for what the form calls otherwise.
            let field = match field {
                "fleet" => "units",
                "activity" => "fleet_activity",
                f if f.starts_with("regions[") => "region_fuel",
                f => f,
            }
            .to_string();
            if e.is_bad_input() {
                ApiError::bad_request("invalid_form", msg).with_field(field)
            } else {
                ApiError::internal(msg)
            }
        })
    })
    .await
}

async fn page_get(
    State(state): State<AppState>,
    caller: Caller,
    PageQuery(form): PageQuery<PlanForm>,
) -> PageResult<Response> {
    let asked = !form.to_query().is_empty();
    render(state, caller, form, asked).await
}

async fn page_post(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<PlanForm>,
) -> PageResult<Response> {
    render(state, caller, form, true).await
}

/// `asked`: a plan was requested (a POST, or a GET with a query); a bare GET shows the form,
/// and a request with every field empty plans the store's generator lines.
async fn render(
    state: AppState,
    caller: Caller,
    form: PlanForm,
    asked: bool,
) -> PageResult<Response> {
    can_read(&state, &caller)?;
    if !asked {
        let body = layout(&t("energy2-title"), &caller, plan_form(&form, None));
        return Ok(body.into_response());
    }
    match plan_for(&state, &caller, &form).await {
        Ok((p, withheld)) => {
            let commit = crate::energy::v2_commit::commit_form(&caller, &form);
            let content = html! {
                (plan_form(&form, None))
                (crate::energy::v2_tables::results(&p, &form.to_query()))
                @if withheld > 0 {
                    p class="muted" id="autonomy-withheld" {
                        (crate::i18n::ta("energy2-autonomy-withheld", &[("count", &withheld.to_string())]))
                    }
                }
                (commit)
            };
            Ok(layout(&t("energy2-title"), &caller, content).into_response())
        }
        Err(e) if e.status.is_client_error() && e.field.is_some() => {
            let content = plan_form(&form, Some(&e));
            Ok((e.status, layout(&t("energy2-title"), &caller, content)).into_response())
        }
        Err(e) => Err(PageError(e)),
    }
}

/// The form, with the refusal above it and the field marked when there is one.
pub fn plan_form(form: &PlanForm, error: Option<&ApiError>) -> Markup {
    let field = error.and_then(|e| e.field.as_deref());
    let val = |v: &Option<String>, d: &str| given(v).unwrap_or(d).to_string();
    let input = |name: &'static str, label: String, value: String, hint: String| {
        html! {
            p {
                label for=(format!("f-{name}")) { (label) }
                br;
                input id=(format!("f-{name}")) name=(name) value=(value)
                    aria-invalid=[(field == Some(name)).then_some("true")];
                " " small class="muted" { (hint) }
            }
        }
    };
    html! {
        h1 { (t("energy2-title")) }
        p { (t("energy2-intro")) }
        @if let Some(e) = error {
            p class="error" role="alert" id="energy2-error" {
                (t("energy2-refused")) " " strong { (e.field.clone().unwrap_or_default()) } ": " (crate::error::error_text(e))
            }
        }
        form method="post" action="/energy/v2" id="energy2-form" {
            p {
                label for="f-units" { (t("energy2-units")) }
                br;
                textarea id="f-units" name="units" rows="3" cols="50"
                    aria-invalid=[(field == Some("units")).then_some("true")] { (val(&form.units, "")) }
                " " small class="muted" { (t("energy2-units-hint")) }
            }
            (input("fuel_price", t("energy2-fuel-price"), val(&form.fuel_price, ""), t("energy2-fuel-price-hint")))
            (input("outage_h", t("energy2-outage"), val(&form.outage_h, ""), t("energy2-outage-hint")))
            (input("fuel_l_per_day", t("energy2-fuel-per-day"), val(&form.fuel_l_per_day, DEFAULT_FUEL_L_PER_DAY), String::new()))
            p {
                label for="f-region_fuel" { (t("energy2-region-fuel")) }
                br;
                textarea id="f-region_fuel" name="region_fuel" rows="2" cols="30"
                    aria-invalid=[(field == Some("region_fuel")).then_some("true")] { (val(&form.region_fuel, "")) }
                " " small class="muted" { (t("energy2-region-fuel-hint")) }
            }
            (input("install_units", t("energy2-install-units"), val(&form.install_units, DEFAULT_INSTALL_UNITS), String::new()))
            (input("fuel_on_site", t("energy2-fuel-on-site"), val(&form.fuel_on_site, ""), t("energy2-fuel-on-site-hint")))
            (input("country", t("energy2-country"), val(&form.country, DEFAULT_COUNTRY), String::new()))
            (input("fleet_activity", t("energy2-activity"), val(&form.fleet_activity, ""), t("energy2-activity-hint")))
            button type="submit" id="energy2-submit" { (t("energy2-plan")) }
        }
    }
}

/// `/energy/v2/{plan,logistics,autonomy}.{csv,xlsx}` for the plan of the query.
/// A download name that is none of the plan's tables, refused in the reader's language.
fn not_a_table(name: &str) -> ApiError {
    ApiError::page_not_one_of(
        axum::http::StatusCode::NOT_FOUND,
        "not_found",
        "table",
        name,
        &["plan", "logistics", "autonomy"],
    )
}

async fn download(
    State(state): State<AppState>,
    caller: Caller,
    axum::extract::Path(name): axum::extract::Path<String>,
    PageQuery(form): PageQuery<PlanForm>,
) -> PageResult<Response> {
    can_read(&state, &caller)?;
    let (stem, ext) = name.rsplit_once('.').ok_or_else(|| not_a_table(&name))?;
    let table_of: fn(&StorePlanV2) -> Table = match stem {
        "plan" => crate::energy::v2_tables::plan_table,
        "logistics" => crate::energy::v2_tables::logistics_table,
        "autonomy" => crate::energy::v2_tables::autonomy_table,
        _ => return Err(PageError(not_a_table(stem))),
    };
    if !matches!(ext, "csv" | "xlsx") {
        return Err(PageError(ApiError::page_not_one_of(
            axum::http::StatusCode::NOT_FOUND,
            "not_found",
            "format",
            ext,
            &["csv", "xlsx"],
        )));
    }
    let (p, _) = plan_for(&state, &caller, &form).await?;
    let table = table_of(&p);
    let (body, mime) = if ext == "csv" {
        (tables::to_csv(&table)?, "text/csv; charset=utf-8")
    } else {
        (tables::to_xlsx(&table)?, tables::XLSX_MIME)
    };
    let disposition = format!("attachment; filename=\"energy-v2-{stem}.{ext}\"");
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}
