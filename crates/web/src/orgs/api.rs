//! `GET /api/v1/organisations/{id}/summary`: the organisation's profile as JSON (the record
//! itself stays at `/api/v1/organisations/{id}`, where it is read and replaced with its ETag).

use aidtrace_domain::CurrencyCode;
use aidtrace_domain::org_profile::{OrgProfile, org_profile};
use axum::Json;
use axum::extract::{Path, State};

use crate::api::openapi::Op;
use crate::api::{ApiQuery, parse_id, readable};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::{AppState, blocking};

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryQuery {
    #[serde(default)]
    currency: Option<String>,
}

pub async fn summary(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
    ApiQuery(q): ApiQuery<SummaryQuery>,
) -> ApiResult<Json<OrgProfile>> {
    readable(&state, &caller)?;
    let id = parse_id(&raw)?;
    let currency = match q.currency.as_deref() {
        None => CurrencyCode::usd(),
        Some(c) => CurrencyCode::parse(c).map_err(|e| {
            ApiError::bad_request("invalid_currency", format!("currency: {}", e.message))
                .with_field("currency")
        })?,
    };
    let snap = state.snapshot().await?;
    // Every flow is looked at once per profile: off the async threads, as the totals report.
    blocking(move || {
        org_profile(&snap.ledger, &snap.rates, &id, &currency)
            .map(Json)
            .ok_or_else(|| ApiError::not_found(format!("no organisation {id}")))
    })
    .await
}

/// The operation in the OpenAPI document.
pub fn openapi_paths(doc: &mut utoipa::openapi::OpenApi) {
    Op::get(
        "organisation_summary",
        "An organisation as provider, receiver and participant: totals per flow kind and year (kinds never added together; agencies under it rolled up as provider), activities, facilities, partnerships, agencies, parents, sources and claims",
    )
    .tag("organisations")
    .path_id("id", "organisation id")
    .param_of::<CurrencyCode>(
        "currency",
        utoipa::openapi::path::ParameterIn::Query,
        false,
        "ISO 4217 code the totals are converted into, default USD",
    )
    .ok::<OrgProfile>("200", "The organisation's profile")
    .errors(&[400, 401, 404])
    .add(doc, "/api/v1/organisations/{id}/summary");
}
