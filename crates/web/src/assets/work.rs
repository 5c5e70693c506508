//! Forms an engineer needs beside "device down" (issue #17 item 2): voiding a wrong lifecycle
//! event (with a corrected time or state when there is one), and a work order's progress —
//! acknowledge, start, finish with result, labour hours and rate, and parts. Who may use them is
//! who may report the asset down. Every field problem is reported at once next to its field in
//! the reader's language, with what was typed kept; nothing is written until all are right.

use std::collections::BTreeMap;

use aidtrace_domain::assets::workorder::WorkResult;
use aidtrace_domain::assets::{LifecycleState, PartUse, WorkOrderStatus, instant};
use aidtrace_domain::{CurrencyCode, Ledger, Money, RecordId};
use aidtrace_service::assets::{
    self as svc, Closing, Corrected, HistorySource, Progress, Step, Substance,
};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use chrono::NaiveDateTime;
use maud::{Markup, html};
use rust_decimal::Decimal;

use crate::assets::pages::{may_report, now};
use crate::auth::{self, Caller, Principal};
use crate::error::{ApiError, PageResult, parse_id};
use crate::format::datetime;
use crate::i18n;
use crate::i18n::t;
use crate::labels::label;
use crate::present::links::urlencode as enc;
use crate::request_ctx::layout;
use crate::state::{AppState, blocking};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/assets/{id}/events/{event}/void",
            get(void_form).post(void_submit),
        )
        .route(
            "/assets/{id}/work-orders/{wo}",
            get(progress_form).post(progress_submit),
        )
}

type FormMap = BTreeMap<String, String>;
use super::form_errors::{FieldError, said, sentence, shown, worded};

fn input<'f>(form: &'f FormMap, k: &str) -> &'f str {
    form.get(k).map(|s| s.trim()).unwrap_or_default()
}

/// A time field: empty is `default`; otherwise the shared parser (a bare date is 00:00 UTC).
fn time_field(
    form: &FormMap,
    field: &'static str,
    default: Option<NaiveDateTime>,
    problems: &mut Vec<FieldError>,
) -> Option<NaiveDateTime> {
    let raw = input(form, field);
    if raw.is_empty() {
        return default;
    }
    let parsed = instant::parse(raw);
    if parsed.is_none() {
        problems.push(said(field, "asset-err-time", raw));
    }
    parsed
}

/// The service's refusal as a field problem, in the reader's language where this form expects it.
fn service_problem(e: &ApiError) -> FieldError {
    let field = match e.field.as_deref() {
        Some("at" | "acknowledged" | "started" | "closed") => "at",
        Some("state") => "state",
        Some("reason") => "reason",
        Some("result") => "result",
        _ => "id",
    };
    if let Some(worded) = worded(field, e) {
        worded
    } else if e.message.contains("is in the future") {
        said(field, "asset-err-future", "")
    } else {
        sentence(field, e.message.clone())
    }
}

fn errors(problems: &[FieldError]) -> Markup {
    html! {
        @if !problems.is_empty() {
            div class="error" id="error" role="alert" {
                p { (t("asset-not-saved")) }
                ul { @for x in problems { li { (x.field) ": " (shown(x)) } } }
            }
        }
    }
}

fn field_error(problems: &[FieldError], f: &str) -> Markup {
    html! {
        @for x in problems.iter().filter(|x| x.field == f) {
            span class="error" id=(format!("error-{f}")) { (shown(x)) } br;
        }
    }
}

/// Signed in, CSRF checked on posts, the asset in the caller's scope, and the record of it.
async fn guard(
    state: &AppState,
    caller: &Caller,
    raw_asset: &str,
    csrf: Option<&str>,
) -> Result<(Principal, RecordId, std::sync::Arc<crate::state::Snapshot>), ApiError> {
    let p = caller.require()?.clone();
    if let Some(token) = csrf {
        auth::check_csrf(&p, token)?;
    }
    let asset = parse_id(raw_asset)?;
    let snap = state.snapshot().await?;
    may_report(&p, &snap.ledger, &asset)?;
    Ok((p, asset, snap))
}

// ---- voiding an event -------------------------------------------------------------------------

fn void_page(
    caller: &Caller,
    p: &Principal,
    ledger: &Ledger,
    asset: &RecordId,
    event: &RecordId,
    form: &FormMap,
    problems: &[FieldError],
) -> Html<String> {
    let e = ledger.asset_events.get(event);
    let csrf = p.csrf.clone().unwrap_or_default();
    let value = |k: &str| form.get(k).cloned().unwrap_or_default();
    layout(
        &t("asset-void-event"),
        caller,
        html! {
            p { a href=(format!("/assets/{}", enc(asset.as_str()))) { (asset) } }
            @if let Some(e) = e { p id="voided-event" { (datetime(e.at)) " · " (label(e.state)) } }
            p class="muted" { (t("asset-void-explained")) }
            (errors(problems))
            form method="post" action=(format!("/assets/{}/events/{}/void", enc(asset.as_str()), enc(event.as_str()))) class="phone" id="void-form" {
                input type="hidden" name="csrf" value=(csrf);
                label { (t("asset-void-reason")) br;
                    (field_error(problems, "reason"))
                    textarea name="reason" id="reason" rows="3" maxlength="1000" { (value("reason")) }
                }
                br;
                label { (t("asset-corrected-at")) br;
                    (field_error(problems, "at"))
                    input type="text" name="at" id="at" inputmode="numeric" placeholder="2025-03-01T10:00+05:00" value=(value("at"));
                }
                br;
                label { (t("asset-corrected-state")) br;
                    (field_error(problems, "state"))
                    select name="state" id="state" {
                        option value="" { "—" }
                        @for s in LifecycleState::ALL { option value=(s.as_str()) selected[value("state") == s.as_str()] { (label(s)) } }
                    }
                }
                br;
                button type="submit" id="submit-void" { (t("asset-void-event")) }
            }
        },
    )
}

pub async fn void_form(
    State(state): State<AppState>,
    caller: Caller,
    Path((raw, raw_event)): Path<(String, String)>,
) -> PageResult<Html<String>> {
    let (p, asset, snap) = guard(&state, &caller, &raw, None).await?;
    let event = parse_id(&raw_event)?;
    Ok(void_page(
        &caller,
        &p,
        &snap.ledger,
        &asset,
        &event,
        &FormMap::new(),
        &[],
    ))
}

pub async fn void_submit(
    State(state): State<AppState>,
    caller: Caller,
    Path((raw, raw_event)): Path<(String, String)>,
    Form(form): Form<FormMap>,
) -> PageResult<Response> {
    let (p, asset, snap) = guard(&state, &caller, &raw, Some(input(&form, "csrf"))).await?;
    let event = parse_id(&raw_event)?;
    if snap
        .ledger
        .asset_events
        .get(&event)
        .is_some_and(|e| e.asset != asset)
    {
        return Err(ApiError::not_found(format!("no event {event} of asset {asset}")).into());
    }
    let mut problems = Vec::new();
    let reason = input(&form, "reason").to_string();
    if reason.is_empty() {
        problems.push(said("reason", "asset-err-void-reason", ""));
    }
    let at = time_field(&form, "at", None, &mut problems);
    let state_raw = input(&form, "state");
    let corrected_state = if state_raw.is_empty() {
        None
    } else {
        let s = LifecycleState::parse(state_raw);
        if s.is_none() {
            problems.push(said("state", "asset-err-state", state_raw));
        }
        s
    };
    let again = |problems: Vec<FieldError>, status: StatusCode| {
        (
            status,
            void_page(&caller, &p, &snap.ledger, &asset, &event, &form, &problems),
        )
            .into_response()
    };
    if !problems.is_empty() {
        return Ok(again(problems, StatusCode::BAD_REQUEST));
    }
    let correct = (at.is_some() || corrected_state.is_some()).then_some(Corrected {
        at,
        state: corrected_state,
    });
    let st = state.clone();
    let (name, ev) = (p.name.clone(), event.clone());
    let result = blocking(move || {
        let mut app = st.service();
        let queries = st.reader()?;
        Ok(svc::void_event(
            &mut app,
            HistorySource::Indexed(queries.store()),
            &name,
            &ev,
            &reason,
            Some(name.clone()),
            correct,
        )?)
    })
    .await;
    state.invalidate();
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/assets/{}", enc(asset.as_str()))).into_response()),
        Err(e) if e.status.is_client_error() => Ok(again(vec![service_problem(&e)], e.status)),
        Err(e) => Err(e.into()),
    }
}

// ---- a work order's progress ----------------------------------------------------------------

const STEPS: [&str; 3] = ["acknowledge", "start", "finish"];

fn progress_page(
    caller: &Caller,
    p: &Principal,
    ledger: &Ledger,
    asset: &RecordId,
    wo: &RecordId,
    form: &FormMap,
    problems: &[FieldError],
) -> Html<String> {
    let w = ledger.work_orders.get(wo);
    let csrf = p.csrf.clone().unwrap_or_default();
    let value = |k: &str| form.get(k).cloned().unwrap_or_default();
    layout(
        &format!("{} {wo}", t("asset-work-order")),
        caller,
        html! {
            p { a href=(format!("/assets/{}", enc(asset.as_str()))) { (asset) } }
            @if let Some(w) = w {
                dl class="facts" id="order" {
                    dt { (t("asset-kind")) } dd { (label(w.kind)) }
                    dt { (t("status")) } dd id="order-status" data-status=(w.status.as_str()) { (label(w.status)) }
                    dt { (t("asset-opened")) } dd { (datetime(w.opened)) }
                    @if let Some(a) = w.acknowledged { dt { (t("wo-acknowledged")) } dd { (datetime(a)) } }
                    @if let Some(s) = w.started { dt { (t("wo-started")) } dd { (datetime(s)) } }
                    @if let Some(c) = w.closed { dt { (t("asset-closed")) } dd { (datetime(c)) } }
                    @if let Some(a) = &w.assignee { dt { (t("wo-assignee")) } dd { (a) } }
                    @if let Some(r) = w.result { dt { (t("wo-result")) } dd { (t(&format!("wo-result-{}", <&str>::from(r)))) } }
                    // What the repair cost, as recorded: the indicators' service cost is read
                    // from these.
                    @if let Some(h) = w.labour_hours { dt { (t("wo-labour-hours")) } dd id="order-labour-hours" { (i18n::number(h.normalize())) } }
                    @if let Some(c) = labour_cost(w) { dt { (t("wo-labour-cost")) } dd id="order-labour-cost" { (crate::format::money(&c)) } }
                    @if !w.parts.is_empty() {
                        dt { (t("wo-parts-used")) }
                        dd id="order-parts" { ul { @for p in &w.parts {
                            li { (p.description) " × " (p.quantity) " — " (crate::format::money(&p.unit_cost)) }
                        } } }
                    }
                    @if let Some(c) = &w.external_cost { dt { (t("wo-external-cost")) } dd { (crate::format::money(c)) } }
                }
            }
            // A repair that passed does not end the downtime by itself (the device may wait for a
            // check or a part); the engineer is shown where to say it works again.
            @if w.is_some_and(|w| w.result == Some(WorkResult::Pass)) && still_down(ledger, asset) {
                p class="notice" id="still-down" {
                    (t("wo-still-down")) " "
                    a href=(format!("/assets/{}/down", enc(asset.as_str()))) { (t("assets-back-in-service")) }
                }
            }
            (errors(problems))
            @if w.is_some_and(|w| !w.status.is_closed()) {
                form method="post" action=(format!("/assets/{}/work-orders/{}", enc(asset.as_str()), enc(wo.as_str()))) class="phone" id="progress-form" {
                    input type="hidden" name="csrf" value=(csrf);
                    label { (t("wo-step")) br;
                        (field_error(problems, "step"))
                        select name="step" id="step" {
                            @for s in STEPS { option value=(s) selected[value("step") == s] { (t(&format!("wo-step-{s}"))) } }
                        }
                    }
                    br;
                    label { (t("asset-when")) br;
                        (field_error(problems, "at"))
                        input type="text" name="at" id="at" inputmode="numeric" placeholder="2025-03-01T10:00+05:00" value=(value("at"));
                    }
                    br;
                    label { (t("wo-assignee")) br; input type="text" name="assignee" id="assignee" maxlength="200" value=(value("assignee")); }
                    br;
                    fieldset {
                        legend { (t("wo-finish-details")) }
                        label { (t("wo-result")) br;
                            (field_error(problems, "result"))
                            select name="result" id="result" {
                                option value="" { "—" }
                                @for r in ["pass", "fail"] { option value=(r) selected[value("result") == r] { (t(&format!("wo-result-{r}"))) } }
                            }
                        }
                        br;
                        label { (t("wo-labour-hours")) br;
                            (field_error(problems, "labour_hours"))
                            input type="text" name="labour_hours" id="labour_hours" inputmode="decimal" value=(value("labour_hours"));
                        }
                        br;
                        label { (t("wo-labour-rate")) br;
                            (field_error(problems, "labour_rate"))
                            input type="text" name="labour_rate" id="labour_rate" inputmode="decimal" value=(value("labour_rate"));
                        }
                        br;
                        label { (t("wo-currency")) br;
                            (field_error(problems, "currency"))
                            input type="text" name="currency" id="currency" maxlength="3" placeholder="USD" value=(value("currency"));
                        }
                        br;
                        label { (t("wo-parts")) br;
                            (field_error(problems, "parts"))
                            textarea name="parts" id="parts" rows="3" placeholder="cold head seal:2:35" { (value("parts")) }
                        }
                    }
                    button type="submit" id="submit-progress" { (t("wo-save")) }
                }
            }
        },
    )
}

pub async fn progress_form(
    State(state): State<AppState>,
    caller: Caller,
    Path((raw, raw_wo)): Path<(String, String)>,
) -> PageResult<Html<String>> {
    let (p, asset, snap) = guard(&state, &caller, &raw, None).await?;
    let wo = parse_id(&raw_wo)?;
    if snap
        .ledger
        .work_orders
        .get(&wo)
        .is_none_or(|w| w.asset != asset)
    {
        return Err(ApiError::not_found(format!("no work order {wo} of asset {asset}")).into());
    }
    Ok(progress_page(
        &caller,
        &p,
        &snap.ledger,
        &asset,
        &wo,
        &FormMap::new(),
        &[],
    ))
}

fn decimal_field(
    form: &FormMap,
    field: &'static str,
    problems: &mut Vec<FieldError>,
) -> Option<Decimal> {
    let raw = input(form, field);
    if raw.is_empty() {
        return None;
    }
    match raw.replace(',', ".").parse::<Decimal>() {
        Ok(d) if !d.is_sign_negative() => Some(d),
        _ => {
            problems.push(said(field, "wo-err-number", raw));
            None
        }
    }
}

/// What the finish step records, read from the form: every problem collected.
struct Finish {
    result: Option<WorkResult>,
    labour_hours: Option<Decimal>,
    rate: Option<Money>,
    parts: Vec<PartUse>,
}

fn parse_finish(form: &FormMap, problems: &mut Vec<FieldError>) -> Finish {
    let result = match input(form, "result") {
        "" => None,
        "pass" => Some(WorkResult::Pass),
        "fail" => Some(WorkResult::Fail),
        raw => {
            problems.push(said("result", "wo-err-result", raw));
            None
        }
    };
    let labour_hours = decimal_field(form, "labour_hours", problems);
    let rate_amount = decimal_field(form, "labour_rate", problems);
    let parts_raw = input(form, "parts");
    let currency_raw = input(form, "currency");
    let needs_currency = rate_amount.is_some() || !parts_raw.is_empty();
    let currency = if currency_raw.is_empty() {
        if needs_currency {
            problems.push(said("currency", "wo-err-currency", ""));
        }
        None
    } else {
        match CurrencyCode::parse(&currency_raw.to_uppercase()) {
            Ok(c) => Some(c),
            Err(_) => {
                problems.push(said("currency", "wo-err-currency", currency_raw));
                None
            }
        }
    };
    let money = |amount: Decimal| {
        currency.clone().map(|currency| Money {
            amount,
            currency,
            value_date: None,
        })
    };
    let mut parts = Vec::new();
    for line in parts_raw.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let mut it = line.rsplitn(3, ':');
        let parsed = match (it.next(), it.next(), it.next()) {
            (Some(cost), Some(qty), Some(desc)) if !desc.trim().is_empty() => qty
                .trim()
                .parse::<u32>()
                .ok()
                .zip(cost.trim().replace(',', ".").parse::<Decimal>().ok())
                .filter(|(_, c)| !c.is_sign_negative())
                .map(|(q, c)| (desc.trim().to_string(), q, c)),
            _ => None,
        };
        match parsed {
            Some((description, quantity, cost)) => {
                if let Some(unit_cost) = money(cost) {
                    parts.push(PartUse {
                        // Free text here; a catalogued part is named through the CLI or records.
                        part: None,
                        description,
                        quantity,
                        unit_cost,
                    });
                }
            }
            None => problems.push(said("parts", "wo-err-part", line)),
        }
    }
    Finish {
        result,
        labour_hours,
        rate: rate_amount.and_then(money),
        parts,
    }
}

pub async fn progress_submit(
    State(state): State<AppState>,
    caller: Caller,
    Path((raw, raw_wo)): Path<(String, String)>,
    Form(form): Form<FormMap>,
) -> PageResult<Response> {
    let (p, asset, snap) = guard(&state, &caller, &raw, Some(input(&form, "csrf"))).await?;
    let wo = parse_id(&raw_wo)?;
    match snap.ledger.work_orders.get(&wo) {
        Some(w) if w.asset == asset => {}
        _ => {
            return Err(ApiError::not_found(format!("no work order {wo} of asset {asset}")).into());
        }
    }
    let mut problems = Vec::new();
    let step = input(&form, "step").to_string();
    if !STEPS.contains(&step.as_str()) {
        problems.push(said("step", "wo-err-step", &step));
    }
    let at = time_field(&form, "at", Some(now()), &mut problems).unwrap_or_else(now);
    let assignee = Some(input(&form, "assignee").to_string()).filter(|a| !a.is_empty());
    let finish = parse_finish(&form, &mut problems);
    let again = |problems: Vec<FieldError>, status: StatusCode| {
        (
            status,
            progress_page(&caller, &p, &snap.ledger, &asset, &wo, &form, &problems),
        )
            .into_response()
    };
    if !problems.is_empty() {
        return Ok(again(problems, StatusCode::BAD_REQUEST));
    }
    let st = state.clone();
    let (name, id) = (p.name.clone(), wo.clone());
    let result = blocking(move || {
        let mut app = st.service();
        let queries = st.reader()?;
        let source = HistorySource::Indexed(queries.store());
        match step.as_str() {
            "acknowledge" | "start" => svc::progress_work_order(
                &mut app,
                source,
                &name,
                Progress {
                    id,
                    step: if step == "start" {
                        Step::Started
                    } else {
                        Step::Acknowledged
                    },
                    at,
                    assignee,
                },
            )?,
            _ => svc::close_work_order(
                &mut app,
                source,
                &name,
                Closing {
                    id,
                    status: WorkOrderStatus::Done,
                    at,
                    labour_hours: finish.labour_hours,
                    external_cost: None,
                    substance: Substance {
                        result: finish.result,
                        assignee,
                        labour_rate: finish.rate,
                        parts: finish.parts,
                        ..Substance::default()
                    },
                },
            )?,
        }
        Ok(())
    })
    .await;
    state.invalidate();
    match result {
        Ok(()) => Ok(Redirect::to(&format!(
            "/assets/{}/work-orders/{}",
            enc(asset.as_str()),
            enc(wo.as_str())
        ))
        .into_response()),
        Err(e) if e.status.is_client_error() => Ok(again(vec![service_problem(&e)], e.status)),
        Err(e) => Err(e.into()),
    }
}

/// Whether the asset has an unplanned downtime still open.
fn still_down(ledger: &aidtrace_domain::Ledger, asset: &RecordId) -> bool {
    ledger
        .downtimes
        .values()
        .any(|d| &d.asset == asset && d.end.is_none() && !d.planned && !d.is_void())
}

/// The labour's cost as recorded, or its hours at the rate (in-house work).
fn labour_cost(w: &aidtrace_domain::assets::WorkOrder) -> Option<aidtrace_domain::Money> {
    if let Some(c) = &w.labour_cost {
        return Some(c.clone());
    }
    let (hours, rate) = (w.labour_hours?, w.labour_rate.as_ref()?);
    Some(aidtrace_domain::Money {
        amount: rate.amount.checked_mul(hours)?.normalize(),
        currency: rate.currency.clone(),
        value_date: rate.value_date,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> FormMap {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    #[test]
    fn every_finish_problem_is_reported_at_once() {
        let mut problems = Vec::new();
        parse_finish(
            &form(&[
                ("result", "ok"),
                ("labour_hours", "-2"),
                ("labour_rate", "ten"),
                ("parts", "seal:two:35"),
            ]),
            &mut problems,
        );
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            ["result", "labour_hours", "labour_rate", "currency", "parts"]
        );
    }

    #[test]
    fn a_part_line_is_description_quantity_and_unit_cost() {
        let mut problems = Vec::new();
        let f = parse_finish(
            &form(&[("parts", "cold head: seal:2:35.5"), ("currency", "usd")]),
            &mut problems,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(f.parts[0].description, "cold head: seal");
        assert_eq!(f.parts[0].quantity, 2);
        assert_eq!(f.parts[0].unit_cost.amount, Decimal::new(355, 1));
    }
}
