//! JSON API under `/api/v1`. Collections are plural; records are the model's own JSON form.
//! Updates need the ETag from the last read in `If-Match`, so concurrent edits never overwrite
//! each other silently.

pub mod docs;
pub mod openapi;
pub mod types;

use aidtrace_domain::totals::GroupBy;
use aidtrace_domain::{Record, RecordKind};
use aidtrace_store::ChangeState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::openapi::path::ParameterIn;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaType, Type};
use utoipa::openapi::{Ref, RefOr, Schema};
use utoipa::{OpenApi, PartialSchema};

use crate::api::openapi::{Access, Op};
use crate::auth::Caller;
use crate::changes::edit::{self, WriteOutcome};
use crate::changes::precondition::Precondition;
use crate::error::{ApiError, ApiResult};
use crate::state::{AppState, blocking};

/// Collections and the record kind each holds.
pub const COLLECTIONS: &[(&str, RecordKind)] = &[
    ("activities", RecordKind::Activity),
    ("facilities", RecordKind::Facility),
    ("organisations", RecordKind::Organisation),
    ("flows", RecordKind::Flow),
    ("equipment-lines", RecordKind::EquipmentLine),
    ("partnerships", RecordKind::Partnership),
    ("sources", RecordKind::Source),
    ("claims", RecordKind::Claim),
    ("market-registrations", RecordKind::MarketRegistration),
    ("budgets", RecordKind::Budget),
];

fn collection(name: &str) -> ApiResult<RecordKind> {
    COLLECTIONS
        .iter()
        .find(|(c, _)| *c == name)
        .map(|(_, k)| *k)
        .ok_or_else(|| {
            let names: Vec<&str> = COLLECTIONS.iter().map(|(c, _)| *c).collect();
            ApiError::not_found(format!(
                "no collection {name:?}; collections are {}",
                names.join(", ")
            ))
        })
}

pub(crate) fn readable(state: &AppState, caller: &Caller) -> ApiResult<()> {
    match caller {
        Caller::Signed(_) => Ok(()),
        Caller::Anonymous if state.config.public_view => Ok(()),
        other => other.require().map(|_| ()),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    #[serde(default = "one")]
    page: usize,
    #[serde(default = "fifty")]
    per_page: usize,
    /// Text search (ids, titles, names).
    #[serde(default)]
    q: String,
}

fn one() -> usize {
    1
}
fn fifty() -> usize {
    50
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Value>,
    pub page: usize,
    pub per_page: usize,
    pub total: usize,
    pub next: Option<String>,
}

fn query<T: serde::de::DeserializeOwned>(raw: Option<&str>) -> ApiResult<T> {
    // `lang` chooses the language of every response (the i18n middleware reads it), so it is
    // not one of an endpoint's own parameters.
    let own: Vec<&str> = raw
        .unwrap_or_default()
        .split('&')
        .filter(|pair| *pair != "lang" && !pair.starts_with("lang="))
        .collect();
    serde_urlencoded_like(&own.join("&"))
}

/// A query string read as `T`, refusing a bad one with the API's JSON error (axum's own `Query`
/// answers in plain text, which the OpenAPI document does not describe).
pub struct ApiQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequestParts<S>
    for ApiQuery<T>
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        query(parts.uri.query()).map(Self)
    }
}

/// Query strings parsed with the same rules as forms, so errors name the parameter.
fn serde_urlencoded_like<T: serde::de::DeserializeOwned>(raw: &str) -> ApiResult<T> {
    axum::extract::Query::<T>::try_from_uri(
        &format!("/?{raw}")
            .parse()
            .map_err(|_| ApiError::bad_request("invalid_query", "unreadable query string"))?,
    )
    .map(|q| q.0)
    .map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))
}

/// The JSON a viewer may see of a record: sensitive facilities' coordinates are blurred for
/// the public, and their location note left out.
fn visible(state: &AppState, caller: &Caller, record: &Record) -> Value {
    let mut value = serde_json::to_value(record).unwrap_or(Value::Null);
    let Record::Facility(f) = record else {
        return value;
    };
    if caller.principal().is_some() {
        return value;
    }
    if let Some(p) = f.location {
        let (shown, blurred) = crate::map::geo::shown_location(f, p, Some(state.config.blur_km));
        if blurred {
            value["location"] =
                serde_json::json!({"lat": shown.lat.to_string(), "lon": shown.lon.to_string()});
            value["location_blurred_km"] = Value::String(state.config.blur_km.to_string());
        }
    }
    // Staff write directions there ("rear entrance, Sumska St 42"): as exact as coordinates,
    // so a facility whose site is hidden never shows it, with coordinates on record or not.
    if f.sensitive
        && state.config.blur_km > rust_decimal::Decimal::ZERO
        && let Some(fields) = value.as_object_mut()
    {
        fields.remove("location_note");
    }
    value
}

fn text_of(record: &Record) -> String {
    let mut s = record.id().to_string();
    match record {
        Record::Activity(a) => s.push_str(&a.title),
        Record::Facility(f) => s.push_str(&f.name),
        Record::Organisation(o) => s.push_str(&o.name),
        Record::Source(x) => s.push_str(&x.title),
        Record::EquipmentLine(e) => s.push_str(&e.description),
        Record::Flow(f) => s.push_str(f.description.as_deref().unwrap_or_default()),
        Record::Claim(c) => s.push_str(&c.statement),
        _ => {}
    }
    s.to_lowercase()
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    uri: axum::http::Uri,
) -> ApiResult<Json<Page>> {
    readable(&state, &caller)?;
    let kind = collection(&name)?;
    let q: PageQuery = query(uri.query())?;
    if q.page == 0 || q.per_page == 0 || q.per_page > 500 {
        return Err(
            ApiError::bad_request("invalid_query", "page starts at 1; per_page is 1-500")
                .with_field(if q.page == 0 { "page" } else { "per_page" }),
        );
    }
    let needle = q.q.trim().to_lowercase();
    let offset = (q.page - 1).saturating_mul(q.per_page);
    let (per_page, st) = (q.per_page, state.clone());
    // The records are read from the store a page at a time (the server keeps no second copy
    // of them beside the ledger); a search reads the kind once and filters it.
    let (page, total) = blocking(move || {
        let service = st.reader()?;
        if needle.is_empty() {
            let total = service.store().count(kind)?;
            Ok((service.store().page(kind, offset, per_page)?, total))
        } else {
            let matching: Vec<Record> = service
                .store()
                .list(kind)?
                .into_iter()
                .filter(|r| text_of(r).contains(&needle))
                .collect();
            let total = matching.len();
            Ok((
                matching.into_iter().skip(offset).take(per_page).collect(),
                total,
            ))
        }
    })
    .await?;
    let items = page.iter().map(|r| visible(&state, &caller, r)).collect();
    let next = (q.page.saturating_mul(q.per_page) < total)
        .then(|| format!("/api/v1/{name}?page={}&per_page={}", q.page + 1, q.per_page));
    Ok(Json(Page {
        items,
        page: q.page,
        per_page: q.per_page,
        total,
        next,
    }))
}

pub(crate) use crate::error::parse_id;

pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path((name, raw)): Path<(String, String)>,
) -> ApiResult<Response> {
    readable(&state, &caller)?;
    let kind = collection(&name)?;
    let id = parse_id(&raw)?;
    let st = state.clone();
    let rid = id.clone();
    let record = blocking(move || Ok(st.reader()?.store().get(kind, &rid)?))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no {} {id}", kind.as_str())))?;
    let body = visible(&state, &caller, &record);
    // A validator is derived from what this reader sees: hashed from the stored record, an
    // anonymous reader could test candidate coordinates of a blurred facility against it. Only
    // signed-in callers can write, and they see the stored record, so their tag is the one
    // `If-Match` is checked against.
    let etag = if caller.principal().is_some() {
        edit::etag(&record)
    } else {
        edit::etag_of_json(&body)
    };
    Ok(([(header::ETAG, etag)], Json(body)).into_response())
}

fn body_json(body: Result<Bytes, BytesRejection>) -> ApiResult<Value> {
    let bytes = body.map_err(|e| {
        let status = e.status();
        ApiError::new(
            status,
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                "too_large"
            } else {
                "unreadable_body"
            },
            e.body_text(),
        )
    })?;
    serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::bad_request("malformed_json", format!("the body is not JSON: {e}")))
}

pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path((name, raw)): Path<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let principal = caller.require()?.clone();
    let kind = collection(&name)?;
    let id = crate::error::parse_new_id(&raw)?;
    let mut value = body_json(body)?;
    let Some(obj) = value.as_object_mut() else {
        return Err(ApiError::bad_request(
            "invalid_record",
            "a record is a JSON object",
        ));
    };
    match obj.get("record").and_then(Value::as_str) {
        None => {
            obj.insert("record".into(), Value::String(kind.as_str().into()));
        }
        Some(tag) if tag == kind.as_str() => {}
        Some(tag) => {
            return Err(ApiError::bad_request(
                "invalid_record",
                format!("a {tag} cannot be stored in {name}"),
            )
            .with_field("record"));
        }
    }
    if obj.get("id").and_then(Value::as_str) != Some(id.as_str()) {
        return Err(ApiError::bad_request(
            "invalid_record",
            format!("the body's id must be \"{id}\", as in the URL"),
        )
        .with_field("id"));
    }
    let record = aidtrace_service::records::record_from_json(value)
        .map_err(|e| edit::invalid(kind.as_str(), e))?;
    // Checked with the write under the service lock: checking existence here first would let two
    // concurrent creates of one id both pass and the second overwrite the first.
    let precondition = Precondition::from_headers(&headers)?;
    let st = state.clone();
    let outcome =
        blocking(move || edit::write(&st, &principal, vec![record], &precondition, true)).await?;
    Ok(match &outcome {
        WriteOutcome::Applied { etag } => {
            let mut resp = (StatusCode::OK, Json(&outcome)).into_response();
            if let Ok(v) = HeaderValue::from_str(etag) {
                resp.headers_mut().insert(header::ETAG, v);
            }
            resp
        }
        WriteOutcome::Proposed { .. } => (StatusCode::ACCEPTED, Json(&outcome)).into_response(),
    })
}

pub async fn findings(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    readable(&state, &caller)?;
    let snap = state.snapshot().await?;
    Ok(Json(&snap.findings).into_response())
}

pub async fn dashboard(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    readable(&state, &caller)?;
    let snap = state.snapshot().await?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        Bytes::from_owner(snap.dashboard_json.clone()),
    )
        .into_response())
}

/// `GET /api/v1/reports/totals?by=…&<filter>`: the grouping and the dashboard's filter
/// (`crate::flows`), every parameter checked and a refused one named in a 400.
pub async fn totals(
    State(state): State<AppState>,
    caller: Caller,
    uri: axum::http::Uri,
) -> ApiResult<Response> {
    readable(&state, &caller)?;
    let snap = state.snapshot().await?;
    let (filter, own) = crate::flows::api_filter(&snap, uri.query(), &["by"])?;
    let raw = own.get("by").map(String::as_str).unwrap_or_default();
    let by = GroupBy::parse(raw).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_query",
            format!("by={raw:?} is not one of donor, recipient, region, sector, year, facility"),
        )
        .with_field("by")
    })?;
    // The full report (one rate entry per flow) is computed on demand, off the async threads.
    let body = blocking(move || {
        let report = aidtrace_domain::totals::totals_where(&snap.ledger, &snap.rates, by, &filter);
        serde_json::to_vec(&report).map_err(ApiError::internal)
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangesQuery {
    #[serde(default)]
    state: Option<String>,
    #[serde(default = "one")]
    page: usize,
    #[serde(default = "hundred")]
    per_page: usize,
}

fn hundred() -> usize {
    100
}

/// Changes one `GET /api/v1/changes` gives at most: each pending one carries its review.
const CHANGES_PER_PAGE_AT_MOST: usize = 500;

pub async fn changes(
    State(state): State<AppState>,
    caller: Caller,
    uri: axum::http::Uri,
) -> ApiResult<Response> {
    caller.require()?;
    let q: ChangesQuery = query(uri.query())?;
    let filter = match q.state.as_deref() {
        None | Some("") => None,
        Some(s) => Some(ChangeState::parse(s).ok_or_else(|| {
            ApiError::bad_request(
                "invalid_query",
                format!("state={s:?} is not draft, submitted, approved or rejected"),
            )
            .with_field("state")
        })?),
    };
    if q.page == 0 || q.per_page == 0 || q.per_page > CHANGES_PER_PAGE_AT_MOST {
        return Err(ApiError::bad_request(
            "invalid_query",
            format!("page must be 1 or more and per_page 1 to {CHANGES_PER_PAGE_AT_MOST}"),
        )
        .with_field(if q.page == 0 { "page" } else { "per_page" }));
    }
    let st = state.clone();
    let (list, total) = blocking(move || {
        crate::changes::page::views_page(
            &st,
            filter,
            (q.page - 1).saturating_mul(q.per_page),
            q.per_page,
        )
    })
    .await?;
    Ok((
        [(
            header::HeaderName::from_static("x-total-count"),
            total.to_string(),
        )],
        Json(list),
    )
        .into_response())
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// Why (shown with the decision).
    #[serde(default)]
    note: Option<String>,
}

pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path((raw_id, action)): Path<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let p = caller.require()?.clone();
    let id = edit::change_id(&raw_id)?;
    let decision = edit::decision(&action)?;
    let raw = body_json(body.map(|b| {
        if b.is_empty() {
            Bytes::from_static(b"{}")
        } else {
            b
        }
    }))?;
    let body: DecisionBody = serde_json::from_value(raw)
        .map_err(|e| ApiError::bad_request("invalid_body", e.to_string()))?;
    let st = state.clone();
    let to = blocking(move || edit::decide(&st, &p, id, decision, body.note.as_deref())).await?;
    Ok(Json(crate::api::types::Decided {
        change: id,
        state: to.into(),
    })
    .into_response())
}

#[derive(OpenApi)]
#[openapi(info(
    title = "aidtrace API",
    description = "Medical aid from agreement to working equipment. Records use the model's JSON form; amounts are exact decimal strings. Errors are `{code, field, message}` (schema ApiError) with a 4xx status for anything the client can fix. `?lang=en|ru|uk|kk` on any request chooses the language of messages."
))]
struct ApiDoc;

/// The body of `GET /api/v1/{collection}`, with `T` as the type of its items.
fn page_schema<T: utoipa::ToSchema>() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(SchemaType::new(Type::Object))
        .property(
            "items",
            ArrayBuilder::new().items(Ref::from_schema_name(T::name())),
        )
        .property("page", openapi::integer(1, None))
        .property("per_page", openapi::integer(1, Some(500)))
        .property("total", openapi::integer(0, None))
        .property(
            "next",
            ObjectBuilder::new()
                .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                .description(Some("the next page's address; null on the last page")),
        )
        .required("items")
        .required("page")
        .required("per_page")
        .required("total")
        .required("next")
        .into()
}

/// The three operations of one collection, with `T` the record type it holds.
fn collection_paths<T: utoipa::ToSchema>(
    doc: &mut utoipa::openapi::OpenApi,
    name: &str,
    kind: RecordKind,
) {
    let k = kind.as_str();
    let record = || RefOr::Ref(Ref::from_schema_name(T::name()));
    Op::get(
        &format!("list_{}", name.replace('-', "_")),
        &format!("List {name} (approved data; paginated)"),
    )
    .tag(name)
    .paged("1-500, default 50")
    .query("q", false, "text search in ids and titles")
    .uses::<T>()
    .json("200", "A page of records", page_schema::<T>(), false)
    .errors(&[400, 401])
    .add(doc, &format!("/api/v1/{name}"));
    Op::get(&format!("get_{k}"), &format!("One {k}, with its ETag"))
        .tag(name)
        .path_id("id", "record id")
        .uses::<T>()
        .json(
            "200",
            "The record; the ETag header identifies this version",
            record(),
            true,
        )
        .errors(&[400, 401, 404])
        .add(doc, &format!("/api/v1/{name}/{{id}}"));
    Op::put(&format!("put_{k}"), &format!("Create or replace a {k}"))
        .describe("Admins write at once (200, new ETag); other roles propose a change for approval (202). Updating an existing record needs If-Match with its current ETag; `If-None-Match: *` creates only. The body is the record; its `record` tag may be left out and its `id` must be the one in the path.")
        .tag(name)
        .path_id("id", "record id")
        .param("If-Match", ParameterIn::Header, false, "ETag of the version being replaced (or `*`)", openapi::string(&[]))
        .param("If-None-Match", ParameterIn::Header, false, "`*`: create only", openapi::string(&[]))
        .body::<T>("The record in the model's JSON form")
        .ok::<WriteOutcome>("200", "Written; the ETag header is the new version")
        .ok::<WriteOutcome>("202", "Proposed for approval")
        .errors(&[400, 401, 403, 404, 409, 412, 413, 422, 428])
        .add(doc, &format!("/api/v1/{name}/{{id}}"));
}
/// The OpenAPI 3.1 document, built from the same tables the router uses; each schema comes from
/// the Rust type that reads or writes it (see `crate::api::openapi` for adding a route).
pub fn openapi() -> utoipa::openapi::OpenApi {
    use aidtrace_domain::model as m;
    let mut doc = ApiDoc::openapi();
    openapi::add_security(&mut doc);
    for (name, kind) in COLLECTIONS {
        let d = &mut doc;
        match kind {
            RecordKind::Activity => collection_paths::<m::Activity>(d, name, *kind),
            RecordKind::Facility => collection_paths::<m::Facility>(d, name, *kind),
            RecordKind::Organisation => collection_paths::<m::Organisation>(d, name, *kind),
            RecordKind::Flow => collection_paths::<m::Flow>(d, name, *kind),
            RecordKind::EquipmentLine => collection_paths::<m::EquipmentLine>(d, name, *kind),
            RecordKind::Partnership => collection_paths::<m::Partnership>(d, name, *kind),
            RecordKind::Source => collection_paths::<m::Source>(d, name, *kind),
            RecordKind::Claim => collection_paths::<m::Claim>(d, name, *kind),
            RecordKind::MarketRegistration => {
                collection_paths::<m::MarketRegistration>(d, name, *kind);
            }
            RecordKind::Budget => collection_paths::<m::Budget>(d, name, *kind),
            // Not served as a collection (see COLLECTIONS); a new one needs its schema here.
            _ => {}
        }
    }
    crate::flows::openapi_params(
        Op::get("totals", "Totals by donor, recipient, region, sector, year or facility, per flow kind, in original currencies and converted (each conversion with rate, date and source), of the flows the filter keeps")
            .describe("The filter is the dashboard's (the same parameters as `/`, `/flows` and `aidtrace report totals`): value-date years, donor (agencies rolled up or not), recipient country, region, sector, facility, flow kind, activity status, instrument, display currency. Recipient, region and sector keep the matching percentage of a flow split between several. A refused value is a 400 naming the parameter.")
            .query_enum("by", true, "the grouping", &["donor", "recipient", "region", "sector", "year", "facility"]),
    )
        .ok::<aidtrace_domain::totals::TotalsReport>("200", "The totals report")
        .errors(&[400, 401])
        .add(&mut doc, "/api/v1/reports/totals");
    Op::get("findings", "Data-quality findings (as `aidtrace check`)")
        .ok_list::<aidtrace_domain::checks::Finding>("200", "Every finding, most severe first")
        .errors(&[401])
        .add(&mut doc, "/api/v1/findings");
    Op::get(
        "dashboard",
        "Counts, findings counts and USD totals by every grouping",
    )
    .ok::<crate::api::types::Dashboard>("200", "The dashboard's figures")
    .errors(&[401])
    .add(&mut doc, "/api/v1/dashboard");
    Op::get("changes", "Proposed changes, newest first (signed in). Drafts and submitted changes carry `review`: each record compared field by field with the stored one, and the findings approval would add or clear")
        .access(Access::SignedIn)
        .query_enum(
            "state",
            false,
            "only changes in this state",
            &["draft", "submitted", "approved", "rejected"],
        )
        .paged("changes per page, 1-500, default 100")
        .ok_list::<crate::api::types::ChangeRowSchema>("200", "The changes, newest first, one page (`X-Total-Count` says how many there are)")
        .errors(&[400])
        .add(&mut doc, "/api/v1/changes");
    Op::post("decide", "Approve, reject (approvers) or submit (author) a change; approval refuses (409) a change whose record moved on")
        .param("id", ParameterIn::Path, true, "change id", openapi::integer(1, None))
        .param("action", ParameterIn::Path, true, "what to do", openapi::string(&["approve", "reject", "submit"]))
        .optional_body("An optional note (`{\"note\": \"…\"}`); an empty body is none", DecisionBody::schema())
        .ok::<crate::api::types::Decided>("200", "The change's new state")
        .errors(&[400, 403, 404, 409, 413, 422])
        .add(&mut doc, "/api/v1/changes/{id}/{action}");
    Op::get("openapi", "This document")
        .json(
            "200",
            "The OpenAPI 3.1 document",
            ObjectBuilder::new()
                .schema_type(SchemaType::new(Type::Object))
                .into(),
            false,
        )
        .add(&mut doc, "/api/v1/openapi.json");
    crate::assets::pages::openapi_paths(&mut doc);
    crate::orgs::openapi_paths(&mut doc);
    crate::map::regions::openapi_paths(&mut doc);
    openapi::tag_records(&mut doc, COLLECTIONS);
    doc
}

pub async fn openapi_json() -> Response {
    Json(openapi()).into_response()
}
