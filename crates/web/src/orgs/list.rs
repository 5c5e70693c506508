//! `/organisations`: every organisation, linking to its page, filtered by role (`?role=donor`).

use aidtrace_domain::model::{OrgRole, Organisation};
use axum::extract::State;
use axum::response::Html;
use maud::{Markup, html};

use crate::auth::can_read;
use crate::auth::{self, Caller};
use crate::error::PageQuery;
use crate::error::{ApiError, PageError, PageResult};
use crate::i18n::{self, t, ta};
use crate::present::table::exports;
use crate::request_ctx::layout;
use crate::state::AppState;
use crate::tables::enum_name;

/// Every role in the order the filter offers them.
pub const ROLES: [OrgRole; 8] = [
    OrgRole::Donor,
    OrgRole::DonorAgency,
    OrgRole::Recipient,
    OrgRole::Implementer,
    OrgRole::FacilityOperator,
    OrgRole::Academic,
    OrgRole::Manufacturer,
    OrgRole::Supplier,
];

#[derive(Debug, Default, serde::Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    role: Option<String>,
}

/// The role a `?role=` names; empty is every role.
fn parse_role(raw: Option<&str>) -> Result<Option<OrgRole>, PageError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(r) => ROLES
            .into_iter()
            .find(|x| enum_name(x) == r)
            .map(Some)
            .ok_or_else(|| {
                PageError(
                    ApiError::bad_request("invalid_role", ta("orgs-err-role", &[("role", r)]))
                        .with_field("role"),
                )
            }),
    }
}

/// The roles written on the organisation, then those only its flows and activities show,
/// said to be from them.
fn roles_text(o: &Organisation, in_records: Option<&Vec<OrgRole>>) -> String {
    let written = o.roles.iter().map(|r| i18n::value(&enum_name(r)));
    let shown = in_records
        .into_iter()
        .flatten()
        .filter(|r| !o.roles.contains(r))
        .map(|r| {
            ta(
                "orgs-role-in-records",
                &[("role", &i18n::value(&enum_name(r)))],
            )
        });
    written.chain(shown).collect::<Vec<_>>().join(", ")
}

fn filter_form(chosen: Option<OrgRole>) -> Markup {
    html! {
        form method="get" action="/organisations" class="filters" id="org-filter" {
            label for="role" { (t("orgs-filter-role")) }
            " "
            select name="role" id="role" {
                option value="" selected[chosen.is_none()] { (t("orgs-all-roles")) }
                @for r in ROLES {
                    option value=(enum_name(&r)) selected[chosen == Some(r)] { (i18n::value(&enum_name(&r))) }
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
    PageQuery(q): PageQuery<ListQuery>,
) -> PageResult<Html<String>> {
    can_read(&state, &caller)?;
    let role = parse_role(q.role.as_deref())?;
    let snap = state.snapshot().await?;
    // The first request of a snapshot passes over every flow: off the async threads.
    let warm = snap.clone();
    crate::state::blocking(move || {
        warm.memo.roles(&warm);
        Ok(())
    })
    .await?;
    let ledger = &snap.ledger;
    let in_records = snap.memo.roles(&snap);
    let plays = |o: &Organisation, r: OrgRole| {
        o.roles.contains(&r) || in_records.get(&o.id).is_some_and(|list| list.contains(&r))
    };
    let list: Vec<&Organisation> = ledger
        .organisations
        .values()
        .filter(|o| role.is_none_or(|r| plays(o, r)))
        .collect();
    let content = html! {
        @if caller.principal().is_some_and(auth::Principal::can_edit_something) { p { a href="/forms/organisations/new" { (t("new-organisation")) } } }
        (crate::orgs::review::admin_links(&caller, &snap))
        (filter_form(role))
        p class="muted" id="org-count" { (ta("orgs-count", &[("count", &list.len().to_string())])) }
        @if list.is_empty() { p class="muted" { (t("orgs-none-with-role")) } }
        @else {
            div class="table-wrap" {
                table class="list" id="table-organisations" {
                    thead { tr { th { (t("col-name")) } th { (t("col-kind")) } th { (t("col-country")) } th { (t("col-parent")) } th { (t("col-roles")) } } }
                    tbody { @for o in &list { tr id=(o.id) {
                        td { a href=(format!("/organisations/{}", o.id)) { (o.name) } }
                        td { (i18n::value(&enum_name(&o.kind))) }
                        td { (o.country.as_ref().map(|c| crate::labels::country(c.as_str())).unwrap_or_default()) }
                        td { @if let Some(p) = &o.parent { a href=(format!("/organisations/{p}")) { (ledger.org_name(p)) } } }
                        td { (roles_text(o, in_records.get(&o.id))) }
                    } } }
                }
            }
        }
        (exports("organisations", ""))
        p { (t("org-all-flows")) ": " (exports("flows", "")) }
    };
    Ok(layout(&t("title-organisations"), &caller, content))
}
