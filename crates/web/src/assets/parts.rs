//! The spare-parts catalogue on the service page (issue #17 item 5): the parts of the models at a
//! facility with their minimum level there, and one form to add a part to a model or edit it
//! (its minimum level at this facility included). A receipt is recorded with the movement form of
//! `contracts.rs`, opened from a part's row with the part and the kind chosen.
//!
//! The form writes at once for the same people as the other service forms (`may_manage`); every
//! field error is shown at once, in the reader's language, and nothing is written on any.

use aidtrace_domain::assets::parts::{PartMinimum, SparePart};
use aidtrace_domain::{Ledger, RecordId};
use aidtrace_service::assets::parts;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use maud::{Markup, html};

use super::contracts::{
    FieldError, FormCtx, FormMap, context, errors_block, get_str, id_field, parsed, text_input,
};
use super::form_errors::said;
use crate::auth::Caller;
use crate::error::PageResult;
use crate::i18n::t;
use crate::request_ctx::layout;
use crate::state::{AppState, blocking};

pub fn routes() -> Router<AppState> {
    Router::new().route("/assets/service/part", get(part_form).post(part_submit))
}

/// The catalogue of the models at `facility` (only `model` on one asset's view), with links to
/// edit a part and record a receipt for those who may manage the facility.
pub fn catalogue_section(
    ledger: &Ledger,
    facility: &RecordId,
    model: Option<&RecordId>,
    manage: bool,
) -> Markup {
    let here: std::collections::BTreeSet<&RecordId> = ledger
        .assets
        .values()
        .filter(|a| &a.facility == facility)
        .map(|a| &a.model)
        .collect();
    let list: Vec<&SparePart> = ledger
        .spare_parts
        .values()
        .filter(|p| model.map_or(here.contains(&p.model), |m| &p.model == m))
        .collect();
    let model_name = |m: &RecordId| {
        ledger
            .device_models
            .get(m)
            .map_or_else(|| m.to_string(), |d| d.model_name.clone())
    };
    html! {
        h3 { (t("asset-parts-catalogue")) }
        @if list.is_empty() { p class="muted" id="no-catalogue" { (t("asset-parts-none")) } }
        @else {
            div class="scroll" {
            table class="list" id="parts-catalogue" {
                thead { tr {
                    th { (t("asset-service-part-number")) } th { (t("asset-service-part-name")) }
                    th { (t("asset-parts-model")) } th { (t("asset-service-minimum")) }
                    @if manage { th {} }
                } }
                tbody { @for p in &list { tr data-catalogue=(p.id) {
                    td { (p.part_number) } td { (p.name) " (" (p.unit) ")" }
                    td { (model_name(&p.model)) }
                    td { (p.minimum_at(facility).map_or_else(|| "—".to_string(), |m| m.to_string())) }
                    @if manage { td {
                        a href=(format!("/assets/service/part?facility={facility}&id={}", p.id)) data-edit=(p.id) { (t("asset-parts-edit")) }
                        " · "
                        a href=(format!("/assets/service/movement?facility={facility}&part={}&kind=receipt", p.id)) data-receipt=(p.id) { (t("asset-parts-receipt")) }
                    } }
                } } }
            }
            }
        }
        @if manage {
            p { a class="button" id="add-part" href=(format!("/assets/service/part?facility={facility}")) { (t("asset-parts-add")) } }
        }
    }
}

fn part_page(
    caller: &Caller,
    ledger: &Ledger,
    ctx: &FormCtx,
    form: &FormMap,
    errors: &[FieldError],
    refusal: Option<&str>,
) -> Html<String> {
    let v = |k: &str| get_str(form, k).to_string();
    let editing = !v("editing").is_empty();
    layout(
        &t("asset-parts-add"),
        caller,
        html! {
            (errors_block(errors, refusal))
            form method="post" action="/assets/service/part" id="part-form" {
                input type="hidden" name="csrf" value=(ctx.principal.csrf.clone().unwrap_or_default());
                input type="hidden" name="facility" value=(ctx.facility);
                @if editing {
                    input type="hidden" name="editing" value="1";
                    input type="hidden" name="id" value=(v("id"));
                    p { (t("asset-id")) ": " b { (v("id")) } }
                } @else {
                    (text_input("id", "asset-id", &v("id"), "text"))
                }
                label { (t("asset-parts-model")) br;
                    select name="model" id="model" {
                        @for m in ledger.device_models.values() {
                            option value=(m.id) selected[v("model") == m.id.as_str()] { (m.model_name) " (" (m.id) ")" }
                        }
                    }
                }
                br;
                (text_input("part_number", "asset-service-part-number", &v("part_number"), "text"))
                (text_input("name", "asset-service-part-name", &v("name"), "text"))
                (text_input("unit", "asset-parts-unit", &v("unit"), "text"))
                label { input type="checkbox" name="consumable" value="on" checked[!v("consumable").is_empty()]; " " (t("asset-parts-consumable")) }
                br;
                (text_input("minimum", "asset-parts-minimum-here", &v("minimum"), "text"))
                label { (t("assets-note")) br; textarea name="note" rows="2" maxlength="1000" { (v("note")) } }
                br;
                button type="submit" id="submit-part" { (t("asset-parts-save")) }
            }
        },
    )
}

/// The form as the stored part fills it (to edit), or as the query gives it.
fn prefilled(ledger: &Ledger, facility: &RecordId, q: &FormMap) -> FormMap {
    let mut form = q.clone();
    let stored = RecordId::parse(get_str(q, "id"))
        .ok()
        .and_then(|id| ledger.spare_parts.get(&id));
    if let Some(p) = stored {
        form.insert("editing".into(), "1".into());
        form.insert("model".into(), p.model.to_string());
        form.insert("part_number".into(), p.part_number.clone());
        form.insert("name".into(), p.name.clone());
        form.insert("unit".into(), p.unit.clone());
        if p.consumable {
            form.insert("consumable".into(), "on".into());
        }
        if let Some(m) = p.minimum_at(facility) {
            form.insert("minimum".into(), m.to_string());
        }
        if let Some(n) = &p.note {
            form.insert("note".into(), n.clone());
        }
    }
    form
}

pub async fn part_form(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<FormMap>,
) -> PageResult<Html<String>> {
    let snap = state.snapshot().await?;
    let ctx = context(&caller, &snap.ledger, &q, false)?;
    let form = prefilled(&snap.ledger, &ctx.facility, &q);
    Ok(part_page(&caller, &snap.ledger, &ctx, &form, &[], None))
}

/// Every field's problem at once, then the record's own rules; `None` when any failed. An edit
/// keeps the part's minimums at other facilities and its sources.
fn part_of(
    ledger: &Ledger,
    form: &FormMap,
    facility: &RecordId,
    errors: &mut Vec<FieldError>,
) -> Option<SparePart> {
    let id = id_field(errors, form, "id", true);
    let editing = !get_str(form, "editing").is_empty();
    let stored = id.as_ref().and_then(|i| ledger.spare_parts.get(i));
    match (editing, stored, &id) {
        (false, Some(_), Some(i)) => {
            errors.push(said("id", "asset-parts-err-taken", i.to_string()))
        }
        (true, None, Some(i)) => {
            errors.push(said("id", "asset-parts-err-not-found", i.to_string()))
        }
        _ => {}
    }
    let model = id_field(errors, form, "model", true);
    if let Some(m) = &model
        && !ledger.device_models.contains_key(m)
    {
        errors.push(said("model", "asset-parts-err-model", m.to_string()));
    }
    let text = |errors: &mut Vec<FieldError>, field: &'static str| {
        let raw = get_str(form, field);
        if raw.is_empty() {
            errors.push(said(field, "asset-service-err-required", String::new()));
        }
        raw.to_string()
    };
    let part_number = text(errors, "part_number");
    let name = text(errors, "name");
    let unit = text(errors, "unit");
    let minimum: Option<u64> = parsed(errors, form, "minimum", "asset-service-err-whole", false);
    if !errors.is_empty() {
        return None;
    }
    let mut minimums: Vec<PartMinimum> = stored
        .map(|p| p.minimums.clone())
        .unwrap_or_default()
        .into_iter()
        .filter(|m| &m.facility != facility)
        .collect();
    if let Some(quantity) = minimum {
        minimums.push(PartMinimum {
            facility: facility.clone(),
            quantity,
        });
    }
    let note = get_str(form, "note");
    let part = SparePart {
        id: id?,
        model: model?,
        part_number,
        name,
        unit,
        consumable: !get_str(form, "consumable").is_empty(),
        minimums,
        note: (!note.is_empty()).then(|| note.to_string()),
        sources: stored.map(|p| p.sources.clone()).unwrap_or_default(),
    };
    if let Err(e) = aidtrace_domain::assets::parts::validate_part(&part) {
        errors.push(said(
            match e.field.as_str() {
                "part_number" => "part_number",
                "name" => "name",
                "unit" => "unit",
                _ => "minimum",
            },
            "asset-service-err-rule",
            e.value,
        ));
        return None;
    }
    Some(part)
}

pub async fn part_submit(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<FormMap>,
) -> PageResult<Response> {
    let snap = state.snapshot().await?;
    let ledger = &snap.ledger;
    let ctx = context(&caller, ledger, &form, true)?;
    let mut errors = Vec::new();
    let Some(part) = part_of(ledger, &form, &ctx.facility, &mut errors) else {
        return Ok((
            axum::http::StatusCode::BAD_REQUEST,
            part_page(&caller, ledger, &ctx, &form, &errors, None),
        )
            .into_response());
    };
    let st = state.clone();
    let actor = ctx.principal.name.clone();
    let result = blocking(move || {
        let mut app = st.service();
        Ok(parts::add_part(&mut app, &actor, part)?)
    })
    .await;
    state.invalidate();
    match result {
        Ok(()) => {
            Ok(Redirect::to(&format!("/assets/service?facility={}", ctx.facility)).into_response())
        }
        Err(e) if e.status.is_client_error() => Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            part_page(&caller, ledger, &ctx, &form, &errors, Some(&e.message)),
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}
