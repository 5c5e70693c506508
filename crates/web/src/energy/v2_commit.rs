//! Writing a version 2 plan's assigned units as assets of the donating activity with their
//! source (issue 16 item 5), from the `/energy/v2` page: administrators only, with the session's
//! CSRF token. The plan is made again from the submitted form (the same inputs give the same
//! plan) and written by `aidtrace_service::energy_commit::commit_plan`: audited, and a second
//! submission writes nothing new.

use std::collections::HashMap;

use aidtrace_service::energy_commit::commit_plan;
use axum::extract::{Form, State};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use crate::auth::{self, Caller, Role};
use crate::energy::v2_page::{PlanForm, plan_form, plan_of};
use crate::error::{ApiError, PageError, PageResult};
use crate::i18n::{t, ta};
use crate::request_ctx::layout;
use crate::state::{AppState, blocking};

/// The plan form's fields, repeated as hidden inputs of the commit form.
fn hidden(form: &PlanForm) -> Markup {
    let pairs = [
        ("units", &form.units),
        ("fuel_price", &form.fuel_price),
        ("outage_h", &form.outage_h),
        ("fuel_l_per_day", &form.fuel_l_per_day),
        ("install_units", &form.install_units),
        ("fuel_on_site", &form.fuel_on_site),
        ("country", &form.country),
        ("fleet_activity", &form.fleet_activity),
        ("region_fuel", &form.region_fuel),
    ];
    html! {
        @for (k, v) in pairs {
            @if let Some(v) = v { input type="hidden" name=(k) value=(v); }
        }
    }
}

/// The commit form under a plan, for administrators; nothing for anyone else.
pub fn commit_form(caller: &Caller, form: &PlanForm) -> Markup {
    let Caller::Signed(p) = caller else {
        return html! {};
    };
    if p.role != Role::Admin {
        return html! {};
    }
    html! {
        h2 { (t("energy2-commit")) }
        form method="post" action="/energy/v2/commit" id="energy2-commit" {
            input type="hidden" name="csrf" value=(p.csrf.clone().unwrap_or_default());
            (hidden(form))
            p {
                label for="f-activity" { (t("energy2-commit-activity")) } br;
                input id="f-activity" name="activity" required value=(form.fleet_activity.clone().unwrap_or_default());
            }
            p {
                label for="f-source" { (t("energy2-commit-source")) } br;
                input id="f-source" name="source" required;
            }
            button type="submit" id="energy2-commit-submit" { (t("energy2-commit")) }
        }
    }
}

fn field(form: &HashMap<String, String>, k: &str) -> Option<String> {
    form.get(k).cloned()
}

/// `POST /energy/v2/commit`: 401 anonymous, 403 not an administrator or a forged token, 400
/// naming the field for bad input (nothing written), else the page with what was written.
pub async fn commit(
    State(state): State<AppState>,
    caller: Caller,
    Form(raw): Form<HashMap<String, String>>,
) -> PageResult<Response> {
    let principal = caller.require()?.clone();
    auth::check_csrf(
        &principal,
        raw.get("csrf").map(String::as_str).unwrap_or_default(),
    )?;
    if principal.role != Role::Admin {
        return Err(PageError(ApiError::forbidden(t("energy2-commit-admin"))));
    }
    let form = PlanForm {
        units: field(&raw, "units"),
        fuel_price: field(&raw, "fuel_price"),
        outage_h: field(&raw, "outage_h"),
        fuel_l_per_day: field(&raw, "fuel_l_per_day"),
        install_units: field(&raw, "install_units"),
        fuel_on_site: field(&raw, "fuel_on_site"),
        country: field(&raw, "country"),
        fleet_activity: field(&raw, "fleet_activity"),
        region_fuel: field(&raw, "region_fuel"),
    };
    let activity = raw
        .get("activity")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let source = raw
        .get("source")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let refused = |e: ApiError| -> PageResult<Response> {
        if e.status.is_client_error() {
            let content = plan_form(&form, Some(&e));
            Ok((e.status, layout(&t("energy2-title"), &caller, content)).into_response())
        } else {
            Err(PageError(e))
        }
    };
    let plan = match plan_of(&state, &form).await {
        Ok(p) => p,
        Err(e) => return refused(e),
    };
    let st = state.clone();
    let actor = principal.name.clone();
    let result = blocking(move || {
        let mut app = st.service();
        // The service's refusals name the field and carry a message id; the form's client
        // errors stay 400 as the plan form's own.
        commit_plan(&mut app, &actor, &plan, &activity, &source).map_err(|e| {
            let mut e = ApiError::from(e);
            if e.status.is_client_error() {
                e.status = axum::http::StatusCode::BAD_REQUEST;
                e.code = "invalid_form";
            }
            e
        })
    })
    .await;
    state.invalidate();
    let r = match result {
        Ok(r) => r,
        Err(e) => return refused(e),
    };
    let content = html! {
        h1 { (t("energy2-commit")) }
        p id="energy2-commit-done" {
            (ta("energy2-commit-done", &[("written", &r.written.len().to_string()), ("kept", &r.kept.len().to_string())]))
        }
        ul {
            @for id in &r.written { li { a href=(format!("/assets/{id}")) { (id) } } }
        }
        p { a href="/energy/v2" { (t("energy2-title")) } }
    };
    Ok(layout(&t("energy2-commit"), &caller, content).into_response())
}
