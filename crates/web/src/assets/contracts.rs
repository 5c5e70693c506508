//! Service contracts and spare parts pages (issue #17 items 5 and 6): `/assets/service` lists a
//! facility's (or one asset's) contracts with their standing, alerts and service-level checks,
//! and its spare-parts stock with the alerts below minimum; two forms add a contract and record a
//! part movement. Every field error of a form is shown at once, in the reader's language.
//!
//! The forms write at once (like "device down"), for callers who may report for the facility:
//! admins, its facility engineers, editors of the organisation operating it. The audit log names
//! them.

use std::collections::BTreeMap;

use aidtrace_domain::assets::contract::{self, Contract, CoveredHours, Day, SlaStatus, Standing};
use aidtrace_domain::assets::kpi::Fleet;
use aidtrace_domain::assets::parts::{PartMovement, PartMovementKind, StockLine};
use aidtrace_domain::assets::{ContractKind, instant};
use aidtrace_domain::coded::VariantArray;
use aidtrace_domain::{CurrencyCode, Ledger, Money, RecordId};
use aidtrace_service::assets::contracts::{self, ContractFilter, ContractRow};
use aidtrace_service::assets::parts;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use chrono::{NaiveDate, NaiveDateTime, Utc};
use maud::{Markup, html};
use rust_decimal::Decimal;

pub(super) use super::form_errors::FieldError;
use super::form_errors::{refused, said, shown};
use crate::api::readable;
use crate::auth::{self, Caller, Principal, Role};
use crate::error::{ApiError, PageResult, parse_id};
use crate::i18n::{self, t, ta};
use crate::labels::label;
use crate::request_ctx::layout;
use crate::state::{AppState, blocking};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assets/service", get(service_page))
        .route(
            "/assets/service/contract",
            get(contract_form).post(contract_submit),
        )
        .route(
            "/assets/service/movement",
            get(movement_form).post(movement_submit),
        )
}

pub(super) type FormMap = BTreeMap<String, String>;

/// Who may add contracts and record part movements at a facility: the same people who may report
/// its devices down.
pub(super) fn may_manage(p: &Principal, ledger: &Ledger, facility: &RecordId) -> bool {
    match p.role {
        Role::Admin => true,
        Role::FacilityEngineer => p.facilities.contains(facility.as_str()),
        Role::Editor => ledger
            .facilities
            .get(facility)
            .and_then(|f| f.operator.as_ref())
            .is_some_and(|o| p.organisations.contains(o.as_str())),
        Role::Approver | Role::Viewer => false,
    }
}

fn status_word(s: SlaStatus) -> String {
    label(s)
}

fn dec(d: Option<Decimal>) -> String {
    d.map(i18n::number).unwrap_or_else(|| "—".into())
}

fn sla_cell(r: &ContractRow) -> Markup {
    html! {
        span class=(if r.response.status == SlaStatus::Missed { "warn" } else { "" }) data-sla="response" data-status=(<&str>::from(r.response.status)) {
            (t("asset-service-response")) ": " (status_word(r.response.status))
            " (" (dec(r.response.worst_hours)) " / " (r.response.guaranteed_hours.map(|h| h.to_string()).unwrap_or_else(|| "—".into())) " " (t("unit-hours")) ")"
        }
        br;
        span class=(if r.uptime.status == SlaStatus::Missed { "warn" } else { "" }) data-sla="uptime" data-status=(<&str>::from(r.uptime.status)) {
            (t("asset-service-uptime")) ": " (status_word(r.uptime.status))
            " (" (dec(r.uptime.measured_pct)) " / " (dec(r.uptime.guaranteed_pct)) " %)"
        }
    }
}

fn contracts_table(ledger: &Ledger, rows: &[ContractRow]) -> Markup {
    html! {
        @if rows.is_empty() { p class="muted" id="no-contracts" { (t("asset-service-no-contracts")) } }
        @else {
            div class="scroll" {
            table class="list" id="contracts" {
                thead { tr {
                    th { (t("asset-id")) } th { (t("asset-service-vendor")) } th { (t("asset-kind")) }
                    th { (t("asset-start")) } th { (t("asset-end")) } th { (t("status")) }
                    th { (t("asset-service-annual-cost")) } th { (t("asset-service-sla")) }
                } }
                tbody { @for r in rows { tr data-contract=(r.contract.id) data-alert=(r.alert) {
                    td { (r.contract.id) }
                    td { (r.contract.vendor.as_ref().map_or_else(|| t("asset-not-recorded"), |v| ledger.org_name(v))) }
                    td { (label(r.contract.kind)) }
                    td { (i18n::date(r.contract.start)) }
                    td { (i18n::date(r.contract.end)) }
                    td { @if r.alert { b class="warn" { (label(r.standing)) } } @else { (label(r.standing)) }
                        @if r.standing == Standing::Expired && r.in_service_uncovered > 0 {
                            br; span class="warn" { (ta("asset-service-uncovered", &[("count", &r.in_service_uncovered.to_string())])) }
                        }
                    }
                    td { (r.contract.annual_cost.as_ref().map(|m| format!("{} {}", i18n::number(m.amount), m.currency)).unwrap_or_default()) }
                    td { (sla_cell(r)) }
                } } }
            }
            }
        }
    }
}

fn stock_table(lines: &[StockLine]) -> Markup {
    html! {
        @if lines.is_empty() { p class="muted" id="no-parts" { (t("asset-service-no-parts")) } }
        @else {
            div class="scroll" {
            table class="list" id="parts-stock" {
                thead { tr {
                    th { (t("asset-service-part-number")) } th { (t("asset-service-part-name")) }
                    th { (t("asset-service-on-hand")) } th { (t("asset-service-minimum")) }
                } }
                tbody { @for l in lines { tr data-part=(l.part) data-below=(l.below_minimum) {
                    td { (l.part_number) } td { (l.name) }
                    td { (l.on_hand) " " (l.unit) }
                    td { (l.minimum.map(|m| m.to_string()).unwrap_or_else(|| "—".into()))
                        @if l.below_minimum { " " b class="warn" { (t("asset-service-below-minimum")) } } }
                } } }
            }
            }
        }
    }
}

pub(super) fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

/// `/assets/service?facility=F[&asset=A]`.
pub async fn service_page(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult<Html<String>> {
    readable(&state, &caller)?;
    let snap = state.snapshot().await?;
    let ledger = &snap.ledger;
    let asset = q
        .get("asset")
        .filter(|s| !s.is_empty())
        .map(|s| parse_id(s))
        .transpose()?;
    let facility = match (&asset, q.get("facility").filter(|s| !s.is_empty())) {
        (Some(a), _) => ledger
            .assets
            .get(a)
            .map(|a| a.facility.clone())
            .ok_or_else(|| ApiError::not_found(format!("no asset {a}")).with_field("asset"))?,
        (None, Some(f)) => parse_id(f)?,
        (None, None) => {
            return Err(
                ApiError::bad_request("missing_facility", "give facility or asset")
                    .with_field("facility")
                    .into(),
            );
        }
    };
    if !ledger.facilities.contains_key(&facility) {
        return Err(ApiError::not_found(format!("no facility {facility}"))
            .with_field("facility")
            .into());
    }
    let fleet = Fleet::build(ledger);
    let filter = ContractFilter {
        facility: Some(facility.clone()),
        asset: asset.clone(),
        ..ContractFilter::default()
    };
    let rows = contracts::rows(&fleet, &filter, now());
    let model = asset
        .as_ref()
        .and_then(|a| ledger.assets.get(a))
        .map(|a| a.model.clone());
    let lines: Vec<StockLine> = parts::stock_of(ledger, Some(&facility))?
        .into_iter()
        .filter(|l| {
            model.as_ref().is_none_or(|m| {
                ledger
                    .spare_parts
                    .get(&l.part)
                    .is_some_and(|p| &p.model == m)
            })
        })
        .collect();
    let covered = asset
        .as_ref()
        .map(|a| contracts::covered_orders(&fleet, a))
        .unwrap_or_default();
    let manage = caller
        .principal()
        .is_some_and(|p| may_manage(p, ledger, &facility));
    let name = ledger
        .facilities
        .get(&facility)
        .map_or_else(|| facility.to_string(), |f| f.name.clone());
    let alerts = rows.iter().filter(|r| r.alert).count();
    let below = lines.iter().filter(|l| l.below_minimum).count();
    let content = html! {
        p { a href=(format!("/assets?facility={facility}")) { (name) } @if let Some(a) = &asset { " · " a href=(format!("/assets/{a}")) { (a) } } }
        h2 { (t("asset-service-contracts")) }
        @if alerts > 0 { p class="finding warning" id="contract-alerts" { (ta("asset-service-contract-alerts", &[("count", &alerts.to_string())])) } }
        (contracts_table(ledger, &rows))
        @if !covered.is_empty() {
            h3 { (t("asset-service-covered-orders")) }
            ul id="covered-orders" { @for c in &covered { li { (c.work_order) " — " (c.contract) } } }
        }
        h2 { (t("asset-service-parts")) }
        @if below > 0 { p class="finding warning" id="parts-alerts" { (ta("asset-service-parts-alerts", &[("count", &below.to_string())])) } }
        (stock_table(&lines))
        (super::parts::catalogue_section(ledger, &facility, model.as_ref(), manage))
        @if manage {
            p {
                a class="button" id="add-contract" href=(format!("/assets/service/contract?facility={facility}")) { (t("asset-service-add-contract")) }
                " "
                a class="button" id="add-movement" href=(format!("/assets/service/movement?facility={facility}")) { (t("asset-service-add-movement")) }
            }
        }
    };
    Ok(layout(
        &format!("{} · {name}", t("asset-service-title")),
        &caller,
        content,
    ))
}

// ---- forms ----------------------------------------------------------------------------------

pub(super) fn errors_block(errors: &[FieldError], refusal: Option<&str>) -> Markup {
    html! {
        @if !errors.is_empty() || refusal.is_some() {
            div class="error" id="errors" role="alert" {
                p { (t("asset-not-saved")) }
                ul {
                    @for e in errors { li data-field=(e.field) { (e.field) ": " (shown(e)) } }
                    @if let Some(r) = refusal { li data-field="record" { (r) } }
                }
            }
        }
    }
}

pub(super) fn get_str<'a>(form: &'a FormMap, k: &str) -> &'a str {
    form.get(k).map(|s| s.trim()).unwrap_or_default()
}

fn facility_of(q: &FormMap) -> String {
    get_str(q, "facility").to_string()
}

pub(super) struct FormCtx {
    pub(super) principal: Principal,
    pub(super) facility: RecordId,
}

/// Signed in, may manage the named facility (which exists); on a post also the CSRF token.
pub(super) fn context(
    caller: &Caller,
    ledger: &Ledger,
    form: &FormMap,
    post: bool,
) -> Result<FormCtx, ApiError> {
    let principal = caller.require()?.clone();
    if post {
        auth::check_csrf(&principal, get_str(form, "csrf"))?;
    }
    let facility = parse_id(&facility_of(form)).map_err(|e| e.with_field("facility"))?;
    if !ledger.facilities.contains_key(&facility) {
        return Err(ApiError::not_found(format!("no facility {facility}")).with_field("facility"));
    }
    if !may_manage(&principal, ledger, &facility) {
        return Err(ApiError::forbidden(format!(
            "{} ({}) may not manage equipment service at {facility}",
            principal.name,
            principal.role.as_str()
        )));
    }
    Ok(FormCtx {
        principal,
        facility,
    })
}

pub(super) fn text_input(name: &str, label_key: &str, value: &str, kind: &str) -> Markup {
    html! {
        label { (t(label_key)) br; input type=(kind) name=(name) id=(name) value=(value); }
        br;
    }
}

fn contract_page(
    caller: &Caller,
    ctx: &FormCtx,
    form: &FormMap,
    errors: &[FieldError],
    refusal: Option<&str>,
) -> Html<String> {
    let v = |k: &str| get_str(form, k).to_string();
    let days: Vec<&str> = form
        .iter()
        .filter(|(k, _)| k.starts_with("day-"))
        .map(|(k, _)| &k[4..])
        .collect();
    layout(
        &t("asset-service-add-contract"),
        caller,
        html! {
            (errors_block(errors, refusal))
            form method="post" action="/assets/service/contract" id="contract-form" {
                input type="hidden" name="csrf" value=(ctx.principal.csrf.clone().unwrap_or_default());
                input type="hidden" name="facility" value=(ctx.facility);
                (text_input("id", "asset-id", &v("id"), "text"))
                (text_input("vendor", "asset-service-vendor", &v("vendor"), "text"))
                label { (t("asset-kind")) br;
                    select name="kind" id="kind" {
                        @for k in ContractKind::VARIANTS {
                            @let name = <&str>::from(*k);
                            option value=(name) selected[v("kind") == name] { (label(*k)) }
                        }
                    }
                }
                br;
                (text_input("assets", "asset-service-assets", &v("assets"), "text"))
                (text_input("model", "assets-model", &v("model"), "text"))
                (text_input("start", "asset-start", &v("start"), "date"))
                (text_input("end", "asset-end", &v("end"), "date"))
                (text_input("annual_cost", "asset-service-annual-cost", &v("annual_cost"), "text"))
                (text_input("currency", "asset-service-currency", &v("currency"), "text"))
                (text_input("response_hours", "asset-service-response-hours", &v("response_hours"), "text"))
                (text_input("uptime_pct", "asset-service-uptime-pct", &v("uptime_pct"), "text"))
                (text_input("from_hour", "asset-service-from-hour", &v("from_hour"), "text"))
                (text_input("to_hour", "asset-service-to-hour", &v("to_hour"), "text"))
                fieldset { legend { (t("asset-service-days")) }
                    @for d in Day::VARIANTS {
                        @let name = <&str>::from(*d);
                        label { input type="checkbox" name=(format!("day-{name}")) value="on" checked[days.contains(&name)]; " " (label(*d)) } " "
                    }
                }
                button type="submit" id="submit-contract" { (t("asset-service-add-contract")) }
            }
        },
    )
}

pub(super) fn id_field(
    errors: &mut Vec<FieldError>,
    form: &FormMap,
    field: &'static str,
    required: bool,
) -> Option<RecordId> {
    let raw = get_str(form, field);
    if raw.is_empty() {
        if required {
            errors.push(said(field, "asset-service-err-required", String::new()));
        }
        return None;
    }
    match RecordId::parse(raw) {
        Ok(id) => Some(id),
        Err(_) => {
            errors.push(said(field, "asset-service-err-id", raw.to_string()));
            None
        }
    }
}

pub(super) fn parsed<T: std::str::FromStr>(
    errors: &mut Vec<FieldError>,
    form: &FormMap,
    field: &'static str,
    key: &'static str,
    required: bool,
) -> Option<T> {
    let raw = get_str(form, field);
    if raw.is_empty() {
        if required {
            errors.push(said(field, "asset-service-err-required", String::new()));
        }
        return None;
    }
    match raw.parse() {
        Ok(v) => Some(v),
        Err(_) => {
            errors.push(said(field, key, raw.to_string()));
            None
        }
    }
}

/// The variant of `E` whose stored name the form's `field` holds (the form offers them all in a
/// select), or a field error naming the value given.
fn choice<E>(errors: &mut Vec<FieldError>, form: &FormMap, field: &'static str) -> Option<E>
where
    E: VariantArray + Copy + Into<&'static str>,
{
    let raw = get_str(form, field);
    let found = E::VARIANTS.iter().copied().find(|k| (*k).into() == raw);
    if found.is_none() {
        errors.push(said(field, "asset-service-err-kind", raw.to_string()));
    }
    found
}

/// Every field's problem at once, then the record's own rules; `None` when any field failed.
fn contract_of(
    form: &FormMap,
    facility: &RecordId,
    errors: &mut Vec<FieldError>,
) -> Option<Contract> {
    let id = id_field(errors, form, "id", true);
    let vendor = id_field(errors, form, "vendor", true);
    let kind: Option<ContractKind> = choice(errors, form, "kind");
    let mut assets = Vec::new();
    for raw in get_str(form, "assets")
        .split([',', ' '])
        .filter(|s| !s.is_empty())
    {
        match RecordId::parse(raw) {
            Ok(a) => assets.push(a),
            Err(_) => errors.push(said("assets", "asset-service-err-id", raw.to_string())),
        }
    }
    let model = id_field(errors, form, "model", false);
    if assets.is_empty() && model.is_none() && get_str(form, "assets").is_empty() {
        errors.push(said("assets", "asset-service-err-scope", String::new()));
    }
    let start: Option<NaiveDate> = parsed(errors, form, "start", "asset-service-err-date", true);
    let end: Option<NaiveDate> = parsed(errors, form, "end", "asset-service-err-date", true);
    let amount: Option<Decimal> = parsed(
        errors,
        form,
        "annual_cost",
        "asset-service-err-number",
        false,
    );
    let currency_raw = get_str(form, "currency");
    let currency = if currency_raw.is_empty() {
        if amount.is_some() {
            errors.push(said(
                "currency",
                "asset-service-err-required",
                String::new(),
            ));
        }
        None
    } else {
        match CurrencyCode::parse(currency_raw) {
            Ok(c) => Some(c),
            Err(_) => {
                errors.push(said(
                    "currency",
                    "asset-service-err-currency",
                    currency_raw.to_string(),
                ));
                None
            }
        }
    };
    let response_hours: Option<u32> = parsed(
        errors,
        form,
        "response_hours",
        "asset-service-err-whole",
        false,
    );
    let uptime_pct: Option<Decimal> = parsed(
        errors,
        form,
        "uptime_pct",
        "asset-service-err-number",
        false,
    );
    let from_hour: Option<u8> = parsed(errors, form, "from_hour", "asset-service-err-hour", false);
    let to_hour: Option<u8> = parsed(errors, form, "to_hour", "asset-service-err-hour", false);
    let days: Vec<Day> = Day::VARIANTS
        .iter()
        .copied()
        .filter(|d| form.contains_key(&format!("day-{}", <&str>::from(*d))))
        .collect();
    let covered_hours = match (from_hour, to_hour) {
        (Some(from_hour), Some(to_hour)) => Some(CoveredHours {
            from_hour,
            to_hour,
            days,
        }),
        (None, None) => None,
        (None, Some(_)) => {
            errors.push(said(
                "from_hour",
                "asset-service-err-required",
                String::new(),
            ));
            None
        }
        (Some(_), None) => {
            errors.push(said("to_hour", "asset-service-err-required", String::new()));
            None
        }
    };
    // A field already refused leaves a hole; the record's rules still run on the rest, with a
    // stand-in there whose own findings are dropped below (its field has its error already), so
    // the form is corrected in one round.
    let stand_in_date = start.or(end).unwrap_or_default();
    let c = Contract {
        id: match id {
            Some(id) => id,
            None => RecordId::parse("contract").ok()?,
        },
        vendor,
        kind: kind.unwrap_or(ContractKind::VARIANTS[0]),
        model: model.clone(),
        facility: model.as_ref().map(|_| facility.clone()),
        assets: if model.is_some() { vec![] } else { assets },
        start: start.unwrap_or(stand_in_date),
        end: end.unwrap_or(stand_in_date),
        annual_cost: match (amount, currency) {
            (Some(amount), Some(currency)) => Some(Money {
                amount,
                currency,
                value_date: None,
            }),
            _ => None,
        },
        response_hours,
        uptime_pct,
        covered_hours,
        reference: None,
        note: None,
        sources: vec![],
    };
    // The record's own rules (uptime range, hours order, days…), each beside its field, with the
    // fields' own problems: one round of corrections, not one per rule.
    for e in contract::problems(&c) {
        let field: &'static str = match e.field.split('.').next().unwrap_or_default() {
            "covered_hours" if e.field.ends_with(".days") => "days",
            "uptime_pct" => "uptime_pct",
            "response_hours" => "response_hours",
            "covered_hours" => "from_hour",
            "annual_cost" => "annual_cost",
            "assets" => "assets",
            "end" => "end",
            "start" => "start",
            _ => "record",
        };
        if errors.iter().all(|x| x.field != field) {
            // A rule without a message id is said generally in the reader's language rather
            // than in the model's English.
            errors.push(match e.problem {
                Some(_) => refused(field, &e),
                None => said(field, "asset-service-err-rule", e.value),
            });
        }
    }
    if !errors.is_empty() {
        return None;
    }
    Some(c)
}

pub async fn contract_form(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<FormMap>,
) -> PageResult<Html<String>> {
    let snap = state.snapshot().await?;
    let ctx = context(&caller, &snap.ledger, &q, false)?;
    Ok(contract_page(&caller, &ctx, &q, &[], None))
}

pub async fn contract_submit(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<FormMap>,
) -> PageResult<Response> {
    let snap = state.snapshot().await?;
    let ctx = context(&caller, &snap.ledger, &form, true)?;
    let mut errors = Vec::new();
    let Some(c) = contract_of(&form, &ctx.facility, &mut errors) else {
        return Ok((
            axum::http::StatusCode::BAD_REQUEST,
            contract_page(&caller, &ctx, &form, &errors, None),
        )
            .into_response());
    };
    let st = state.clone();
    let actor = ctx.principal.name.clone();
    let result = blocking(move || {
        let mut app = st.service();
        Ok(contracts::add_contract(&mut app, &actor, c)?)
    })
    .await;
    state.invalidate();
    match result {
        Ok(()) => {
            Ok(Redirect::to(&format!("/assets/service?facility={}", ctx.facility)).into_response())
        }
        Err(e) if e.status.is_client_error() => Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            contract_page(&caller, &ctx, &form, &errors, Some(&e.message)),
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

fn movement_page(
    caller: &Caller,
    ledger: &Ledger,
    ctx: &FormCtx,
    form: &FormMap,
    errors: &[FieldError],
    refusal: Option<&str>,
) -> Html<String> {
    let v = |k: &str| get_str(form, k).to_string();
    layout(
        &t("asset-service-add-movement"),
        caller,
        html! {
            (errors_block(errors, refusal))
            form method="post" action="/assets/service/movement" id="movement-form" {
                input type="hidden" name="csrf" value=(ctx.principal.csrf.clone().unwrap_or_default());
                input type="hidden" name="facility" value=(ctx.facility);
                label { (t("asset-service-part")) br;
                    select name="part" id="part" {
                        @for p in ledger.spare_parts.values() {
                            option value=(p.id) selected[v("part") == p.id.as_str()] { (p.part_number) " · " (p.name) }
                        }
                    }
                }
                br;
                label { (t("asset-kind")) br;
                    select name="kind" id="kind" {
                        @for k in PartMovementKind::VARIANTS {
                            @let name = <&str>::from(*k);
                            option value=(name) selected[v("kind") == name] { (label(*k)) }
                        }
                    }
                }
                br;
                (text_input("quantity", "asset-service-quantity", &v("quantity"), "text"))
                (text_input("work_order", "asset-work-order", &v("work_order"), "text"))
                (text_input("at", "asset-when", &v("at"), "text"))
                label { (t("assets-note")) br; textarea name="note" rows="2" maxlength="1000" { (v("note")) } }
                br;
                button type="submit" id="submit-movement" { (t("asset-service-add-movement")) }
            }
        },
    )
}

pub async fn movement_form(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<FormMap>,
) -> PageResult<Html<String>> {
    let snap = state.snapshot().await?;
    let ctx = context(&caller, &snap.ledger, &q, false)?;
    Ok(movement_page(&caller, &snap.ledger, &ctx, &q, &[], None))
}

fn movement_of(
    form: &FormMap,
    facility: &RecordId,
    errors: &mut Vec<FieldError>,
) -> Option<PartMovement> {
    let part = id_field(errors, form, "part", true);
    let kind: Option<PartMovementKind> = choice(errors, form, "kind");
    let quantity: Option<i64> = parsed(errors, form, "quantity", "asset-service-err-whole", true);
    let work_order = id_field(errors, form, "work_order", false);
    let at_raw = get_str(form, "at");
    let at = if at_raw.is_empty() {
        Some(chrono::Timelike::with_nanosecond(&now(), 0).unwrap_or_else(now))
    } else {
        let at = instant::parse(at_raw);
        if at.is_none() {
            errors.push(said("at", "asset-service-err-time", at_raw.to_string()));
        }
        at
    };
    let note = get_str(form, "note");
    let m = PartMovement {
        id: RecordId::parse("pm-pending").ok()?,
        part: part?,
        facility: facility.clone(),
        at: at?,
        kind: kind?,
        quantity: quantity?,
        work_order,
        note: (!note.is_empty()).then(|| note.to_string()),
    };
    if !errors.is_empty() {
        return None;
    }
    if let Err(e) = aidtrace_domain::assets::parts::validate_movement(&m) {
        errors.push(said(
            if e.field == "work_order" {
                "work_order"
            } else {
                "quantity"
            },
            "asset-service-err-rule",
            e.value,
        ));
        return None;
    }
    Some(m)
}

pub async fn movement_submit(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<FormMap>,
) -> PageResult<Response> {
    let snap = state.snapshot().await?;
    let ledger = &snap.ledger;
    let ctx = context(&caller, ledger, &form, true)?;
    let mut errors = Vec::new();
    let Some(mut m) = movement_of(&form, &ctx.facility, &mut errors) else {
        return Ok((
            axum::http::StatusCode::BAD_REQUEST,
            movement_page(&caller, ledger, &ctx, &form, &errors, None),
        )
            .into_response());
    };
    let st = state.clone();
    let actor = ctx.principal.name.clone();
    let result = blocking(move || {
        let mut app = st.service();
        m.id = parts::movement_id(&app, &m.part, m.at)?;
        Ok(parts::record_movement(&mut app, &actor, m)?)
    })
    .await;
    state.invalidate();
    match result {
        Ok(()) => {
            Ok(Redirect::to(&format!("/assets/service?facility={}", ctx.facility)).into_response())
        }
        Err(e) if e.status.is_client_error() => {
            // Going below zero is the refusal this form expects: say it in the reader's language.
            let text = if e.message.contains("below zero") {
                format!("{} ({})", t("asset-service-err-below-zero"), e.message)
            } else {
                e.message.clone()
            };
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                movement_page(&caller, ledger, &ctx, &form, &errors, Some(&text)),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}
