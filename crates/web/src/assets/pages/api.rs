//! The JSON API of the equipment pages (`/api/v1/assets`, `/api/v1/reports/assets`,
//! `/api/v1/fhir/{type}`) and their OpenAPI paths. Kept apart from `pages.rs` so that file stays
//! under 1,000 lines.

use super::*;

pub async fn api_list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(filter): ApiQuery<AssetFilter>,
) -> ApiResult<Json<Value>> {
    readable(&state, &caller)?;
    filter.check_line(&state.snapshot().await?.ledger)?;
    let list = rows(&state, &filter).await?;
    Ok(Json(
        serde_json::json!({ "total": list.len(), "items": list }),
    ))
}

pub async fn api_detail(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
) -> ApiResult<Json<Value>> {
    readable(&state, &caller)?;
    let id = parse_id(&raw)?;
    let snap = state.snapshot().await?;
    let d = blocking(move || Ok(svc::asset_detail_in(&snap.ledger, &id)?)).await?;
    Ok(Json(serde_json::to_value(&d).map_err(ApiError::internal)?))
}

pub async fn api_indicators(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(raw): ApiQuery<IndicatorQuery>,
) -> ApiResult<Json<Value>> {
    readable(&state, &caller)?;
    let q = raw.resolve()?;
    let r = report(&state, &q).await?;
    Ok(Json(serde_json::json!({
        "from": q.from,
        "to": q.to,
        // Where the figures stop: the end of `to`, or now when that is still to come.
        "covers_until": r.lived.to,
        "by": q.by_name,
        "currency": q.currency,
        "groups": r.groups,
        "money_to_machine": r.money,
    })))
}

pub async fn api_fhir(
    State(state): State<AppState>,
    caller: Caller,
    Path(resource): Path<String>,
) -> ApiResult<Response> {
    readable(&state, &caller)?;
    if !FHIR_TYPES.contains(&resource.as_str()) {
        return Err(ApiError::not_found(format!(
            "no FHIR resource type {resource:?}; use one of {}",
            FHIR_TYPES.join(", ")
        ))
        .with_field("resource"));
    }
    let snap = state.snapshot().await?;
    // Sensitive facilities are exported without coordinates (fhir::export), for every caller.
    let mut bundles = aidtrace_service::fhir::export(&snap.ledger);
    let bundle = bundles
        .remove(resource.as_str())
        .ok_or_else(|| ApiError::not_found(format!("no {resource} bundle")))?;
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/fhir+json")],
        serde_json::to_vec(&bundle).map_err(ApiError::internal)?,
    )
        .into_response())
}

/// Adds this area's endpoints to the OpenAPI document.
pub fn openapi_paths(doc: &mut utoipa::openapi::OpenApi) {
    use crate::api::openapi::{Op, object};
    let filters = |b: Op| {
        b.query("facility", false, "facility id")
            .query("state", false, "lifecycle state, e.g. in_service, down")
            .query("donor", false, "donor organisation id")
            .query("activity", false, "funding activity id")
            .query(
                "line",
                false,
                "equipment line id: the assets bought under it (404 when no such line)",
            )
    };
    filters(Op::get("list_assets", "Asset register: state, open work orders, funding activity and equipment line, donor, failed donation checks").tag("assets"))
        .json("200", "The register", object("rows of the asset register"), false)
        .errors(&[400, 401, 404])
        .add(doc, "/api/v1/assets");
    Op::get("get_asset", "One asset with its lifecycle events, downtime, work orders, meter readings and donation checks")
        .tag("assets")
        .path_id("id", "asset id")
        .json("200", "The asset and its history", object("the asset record and its history"), false)
        .errors(&[400, 401, 404])
        .add(doc, "/api/v1/assets/{id}");
    Op::get("asset_indicators", "Equipment indicators (uptime %, fleet functional %, PM completion, MTBF, MTTR, COSR, age) per group over a period, and money-to-machine at its end")
        .tag("assets")
        .query_date("from", "first day (default: 364 days before `to`)")
        .query_date("to", "last day included (default: today)")
        .query_enum("by", false, "the grouping", &["facility", "region", "donor", "model", "asset", "all"])
        .param_of::<aidtrace_domain::CurrencyCode>("currency", ParameterIn::Query, false, "ISO 4217 code, default USD")
        .json("200", "Indicators per group", object("indicators per group and money-to-machine"), false)
        .errors(&[400, 401])
        .add(doc, "/api/v1/reports/assets");
    Op::get("asset_gaps", "Essential-equipment gaps at a date: per region and device type, and per facility (required by the standard for its kind, present, functional, gap)")
        .tag("assets")
        .query_date("at", "the day; states at its end (default: today)")
        .json("200", "Gaps per region and per facility", object("gaps per region and device type, and per facility"), false)
        .errors(&[400, 401])
        .add(doc, "/api/v1/reports/asset-gaps");
    Op::get("asset_density", "Devices per million population per region and nationally (units with the asset ids counted, population with its record and year), what is counted, and published reference figures with bound, year and source address")
        .tag("assets")
        .query_date("at", "the day; states at its end (default: today)")
        .json("200", "Density per region and nationally", object("density per region and nationally, with references"), false)
        .errors(&[400, 401])
        .add(doc, "/api/v1/reports/asset-density");
    Op::get("fhir_bundle", "FHIR R4 collection Bundle of Device, DeviceDefinition, Location or Organization resources (facilities as IHE mCSD; sensitive facilities without coordinates)")
        .tag("assets")
        .param("resource", ParameterIn::Path, true, "the FHIR resource type", crate::api::openapi::string(&FHIR_TYPES))
        .other("200", "A FHIR R4 Bundle (type collection)", "application/fhir+json")
        .errors(&[401, 404])
        .add(doc, "/api/v1/fhir/{resource}");
}
