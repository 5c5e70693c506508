//! `/energy/fuel/{facility}`: the tank size and the fuel on hand of a facility's own backup
//! (issue 16), the fuel its autonomy starts with. Shown to every reader, unknown where nobody
//! recorded it; a form per supply record for accounts that edit, written through the write
//! policy (`edit::write`: applied for administrators, proposed for approval otherwise) with the
//! session's CSRF token and the loaded version's ETag. Figures come from
//! `aidtrace_service::energy_fuel`.

use chrono::Utc;
use std::collections::HashMap;
use std::str::FromStr;

use aidtrace_domain::assets::FacilityPower;
use aidtrace_domain::{Record, RecordId, RecordKind};
use aidtrace_service::energy_fuel::{FuelEntry, fuel_record, supply_records};
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{Markup, html};
use rust_decimal::Decimal;

use crate::auth::can_read;
use crate::auth::{self, Caller};
use crate::changes::edit::WriteOutcome;
use crate::changes::precondition::Precondition;
use crate::error::{ApiError, PageError, PageResult};
use crate::i18n::{self, t, ta};
use crate::request_ctx::layout;
use crate::state::{AppState, blocking};

pub fn routes() -> Router<AppState> {
    Router::new().route("/energy/fuel/{id}", get(page_get).post(page_post))
}

fn litres(v: Option<Decimal>) -> Markup {
    match v {
        Some(d) => html! { (i18n::number(d.normalize())) },
        None => html! { span class="unknown" { (t("survey-unknown")) } },
    }
}

/// One supply record's fuel, and its form for accounts that edit.
/// `typed`: what was posted to this record and refused, shown again in its fields.
fn record_block(
    caller: &Caller,
    p: &FacilityPower,
    etag: &str,
    withheld: bool,
    typed: Option<&HashMap<String, String>>,
) -> Markup {
    let fuel = p.fuel.as_ref();
    let typed = typed.filter(|f| f.get("record").map(String::as_str) == Some(p.id.as_str()));
    let again = |name: &str| typed.and_then(|f| f.get(name)).cloned();
    let editor = match caller {
        Caller::Signed(pr) if pr.can_edit_something() => Some(pr),
        _ => None,
    };
    let rid = p.id.as_str();
    html! {
        section class="fuel-record" {
            h2 { (t("fuel-record")) " " (rid) }
            @if withheld {
                p class="muted" id=(format!("fuel-{rid}-withheld")) { (t("fuel-withheld")) }
            } @else {
            dl class="facts" id=(format!("fuel-{rid}")) {
                dt { (t("fuel-tank")) } dd { (litres(fuel.and_then(|f| f.tank_litres))) }
                dt { (t("fuel-on-hand")) } dd { (litres(fuel.and_then(|f| f.on_hand_litres))) }
                dt { (t("fuel-as-of")) } dd {
                    @match fuel.and_then(|f| f.as_of) {
                        Some(d) => (i18n::date(d)),
                        None => span class="unknown" { (t("survey-unknown")) },
                    }
                }
            }
            }
            @if let Some(pr) = editor {
                form method="post" action=(format!("/energy/fuel/{}", p.facility)) id=(format!("fuel-form-{rid}")) {
                    input type="hidden" name="csrf" value=(pr.csrf.clone().unwrap_or_default());
                    input type="hidden" name="record" value=(rid);
                    input type="hidden" name="etag" value=(etag);
                    p { label for=(format!("f-tank-{rid}")) { (t("fuel-tank")) } br;
                        input id=(format!("f-tank-{rid}")) name="tank_litres" inputmode="decimal" value=[again("tank_litres")]; }
                    p { label for=(format!("f-on-hand-{rid}")) { (t("fuel-on-hand")) } br;
                        input id=(format!("f-on-hand-{rid}")) name="on_hand_litres" inputmode="decimal" value=[again("on_hand_litres")]; }
                    p { label for=(format!("f-as-of-{rid}")) { (t("fuel-as-of")) } br;
                        input id=(format!("f-as-of-{rid}")) name="as_of" type="date" value=[again("as_of")]; }
                    button type="submit" { (t("fuel-save")) }
                }
            }
        }
    }
}

/// The facility's page body; `notice` is a refusal or what was written.
async fn body(
    state: &AppState,
    caller: &Caller,
    raw: &str,
    notice: Option<Markup>,
    typed: Option<&HashMap<String, String>>,
) -> Result<Markup, ApiError> {
    let id = RecordId::parse(raw)
        .map_err(|_| ApiError::not_found(ta("err-no-facility-id", &[("id", raw)])))?;
    let snap = state.snapshot().await?;
    let Some(f) = snap.ledger.facilities.get(&id) else {
        return Err(ApiError::not_found(ta(
            "err-no-facility-id",
            &[("id", id.as_str())],
        )));
    };
    let records = supply_records(&snap.ledger, &id);
    let st = state.clone();
    let ids: Vec<RecordId> = records.iter().map(|p| p.id.clone()).collect();
    let etags: Vec<String> = blocking(move || {
        let app = st.reader()?;
        ids.iter()
            .map(|i| {
                aidtrace_service::changes::current_etag(&app, RecordKind::FacilityPower, i)
                    .map(Option::unwrap_or_default)
                    .map_err(ApiError::internal)
            })
            .collect()
    })
    .await?;
    let signed_editor = matches!(caller, Caller::Signed(p) if p.can_edit_something());
    // As the plan's autonomy: a sensitive hospital's fuel is not the public's to read.
    let withheld = f.sensitive && caller.principal().is_none();
    Ok(html! {
        p { a href=(format!("/facilities/{}", f.id)) { (f.name) } " · " a href=(format!("/energy/survey/{}", f.id)) { (t("survey-title")) } }
        @if let Some(n) = notice { (n) }
        p { (t("fuel-intro")) }
        @if records.is_empty() {
            p id="fuel-no-supply" { (t("fuel-no-supply")) }
        }
        @for (p, e) in records.iter().zip(&etags) { (record_block(caller, p, e, withheld, typed)) }
        @if !signed_editor && !records.is_empty() {
            p class="muted" { (t("fuel-sign-in")) }
        }
    })
}

async fn page_get(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
) -> PageResult<Response> {
    can_read(&state, &caller)?;
    let content = body(&state, &caller, &raw, None, None).await?;
    Ok(layout(&t("fuel-title"), &caller, content).into_response())
}

/// A litres field: empty keeps the recorded figure; a comma is read as the decimal point.
fn decimal(form: &HashMap<String, String>, name: &str) -> Result<Option<Decimal>, ApiError> {
    match form.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => Decimal::from_str(&v.replace(',', "."))
            .map(Some)
            .map_err(|_| {
                ApiError::bad_request("invalid_form", format!("{name} = {v:?}: not a number"))
                    .with_field(name)
            }),
    }
}

fn entry_of(form: &HashMap<String, String>) -> Result<FuelEntry, ApiError> {
    let as_of = match form
        .get("as_of")
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
    {
        None => None,
        Some(v) => Some(
            chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
                ApiError::bad_request(
                    "invalid_form",
                    format!("as_of = {v:?}: not a date (YYYY-MM-DD)"),
                )
                .with_field("as_of")
            })?,
        ),
    };
    Ok(FuelEntry {
        record: form.get("record").cloned(),
        tank_litres: decimal(form, "tank_litres")?,
        on_hand_litres: decimal(form, "on_hand_litres")?,
        as_of,
    })
}

/// `POST /energy/fuel/{id}`: 401 anonymous, 403 a forged token or a record outside the
/// account's scope, 400 naming the field for bad input (nothing written), 412 when the record
/// changed since the form was loaded.
async fn page_post(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> PageResult<Response> {
    let principal = caller.require()?.clone();
    auth::check_csrf(
        &principal,
        form.get("csrf").map(String::as_str).unwrap_or_default(),
    )?;
    let etag = form.get("etag").cloned().unwrap_or_default();
    let snap = state.snapshot().await?;
    let written = match entry_of(&form).and_then(|entry| {
        fuel_record(&snap.ledger, &raw, &entry, Utc::now().date_naive()).map_err(|e| {
            if matches!(e, aidtrace_service::ServiceError::Invalid { .. }) {
                return ApiError::from(e);
            }
            let msg = e.to_string();
            let field = if msg.starts_with("record") {
                "record"
            } else {
                "fuel"
            };
            ApiError::bad_request("invalid_form", msg).with_field(field)
        })
    }) {
        Ok(record) => {
            let st = state.clone();
            let pr = principal.clone();
            blocking(move || {
                crate::changes::edit::write(
                    &st,
                    &pr,
                    vec![Record::FacilityPower(record)],
                    &Precondition::Loaded(etag),
                    true,
                )
            })
            .await
        }
        Err(e) => Err(e),
    };
    let refused = written.is_err();
    let (status, notice) = match written {
        Ok(WriteOutcome::Applied { .. }) => (
            StatusCode::OK,
            html! { p class="notice" role="status" id="fuel-saved" { (t("fuel-saved")) } },
        ),
        Ok(WriteOutcome::Proposed { change, .. }) => (
            StatusCode::OK,
            html! { p class="notice" role="status" id="fuel-proposed" { (ta("fuel-proposed", &[("change", &change.to_string())])) } },
        ),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::NOT_FOUND => (
            e.status,
            html! {
                p class="error" role="alert" id="fuel-error" {
                    (t("fuel-refused"))
                    @if let Some(f) = &e.field { " " strong { (f) } }
                    ": " (crate::error::error_text(&e))
                }
            },
        ),
        Err(e) => return Err(PageError(e)),
    };
    // A refused reading keeps what was typed, so it is corrected rather than typed again.
    let typed = refused.then_some(&form);
    let content = body(&state, &caller, &raw, Some(notice), typed).await?;
    Ok((status, layout(&t("fuel-title"), &caller, content)).into_response())
}
