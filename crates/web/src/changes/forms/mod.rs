//! Data-entry forms for activities (with their countries, regions, sectors, participants, legal
//! steps, target facilities, sources, flows and equipment lines on one page), flows, equipment
//! lines, organisations and facilities.
//!
//! Pages work without JavaScript: repeatable rows come as a few empty rows plus "add row" and
//! "remove" submit buttons that re-render the form without saving; `/static/forms.js` (allowed by
//! the `script-src 'self'` policy) adds and removes rows in place, sums percentages as they are
//! typed and shows the id a title will give. Every field problem is reported at once, next to
//! its field, in the reader's language, with what was typed kept. The write itself goes through
//! `edit::write` (validation against the store, scope, admin write or one proposed change), so
//! an activity with its flows and equipment lines is one change, approved together.

mod build;
mod render;
pub mod specs;

use std::collections::BTreeMap;

use aidtrace_domain::{Record, RecordId, RecordKind};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};

use crate::auth::{self, Caller};
use crate::changes::edit::{self, WriteOutcome};
use crate::changes::precondition::Precondition;
use crate::error::PageQuery;
use crate::error::{ApiError, PageError, PageResult};
use crate::i18n::{self, ta};
use crate::state::{AppState, blocking};

pub use build::slug;
pub use render::{INLINE_LIMIT, dom_id};

/// A form's values by input name (`title`, `countries[0].percentage`, `roles.donor`).
pub type Values = BTreeMap<String, String>;

/// One field's problem: the input's name, the refused text and the model's sentence (translated
/// when shown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub value: String,
    pub message: String,
    /// The problem as a message id, when the service's rule gave one.
    pub problem: Option<Box<aidtrace_domain::error::Problem>>,
    /// The form's own check, as a message of the web's catalogue.
    pub said: Option<crate::i18n::Msg>,
}

const SCRIPT: &str = include_str!("../../../assets/forms.js");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/forms/{collection}", post(submit))
        .route("/forms/{collection}/{id}", get(page))
        .route("/forms/suggest/{kind}", get(suggest))
        .route("/static/forms.js", get(script))
}

async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        SCRIPT,
    )
        .into_response()
}

#[derive(serde::Deserialize)]
struct SuggestQuery {
    #[serde(default)]
    q: String,
}

/// Type-ahead entries for long lists, as `[[id, label], …]` (signed-in users: the lists name
/// records of the whole ledger, as the forms do).
async fn suggest(
    State(state): State<AppState>,
    caller: Caller,
    Path(kind): Path<String>,
    crate::api::ApiQuery(q): crate::api::ApiQuery<SuggestQuery>,
) -> Result<Response, ApiError> {
    caller.require()?;
    let kind = RecordKind::parse(&kind)
        .filter(|k| {
            matches!(
                k,
                RecordKind::Organisation
                    | RecordKind::Activity
                    | RecordKind::Facility
                    | RecordKind::Source
            )
        })
        .ok_or_else(|| ApiError::not_found(format!("no list of {kind}")))?;
    let snap = state.snapshot().await?;
    Ok(axum::Json(render::suggest(&snap, kind, &q.q)).into_response())
}

/// The rows of group `name` in index order, each as field → text. Indices need not be
/// contiguous (a script may have removed a row); [`renumber`] makes them so.
pub fn group_rows(values: &Values, name: &str) -> Vec<BTreeMap<String, String>> {
    let mut rows: BTreeMap<usize, BTreeMap<String, String>> = BTreeMap::new();
    let lead = format!("{name}[");
    for (k, v) in values.range(lead.clone()..) {
        let Some(rest) = k.strip_prefix(&lead) else {
            break;
        };
        let Some((index, field)) = rest.split_once("].") else {
            continue;
        };
        let Ok(i) = index.parse::<usize>() else {
            continue;
        };
        // A bound on rows: a posted index of 10^9 must not make a billion-row form.
        if i > 10_000 {
            continue;
        }
        rows.entry(i)
            .or_default()
            .insert(field.to_string(), v.clone());
    }
    rows.into_values().collect()
}

fn set_rows(values: &mut Values, name: &str, rows: &[BTreeMap<String, String>]) {
    let lead = format!("{name}[");
    values.retain(|k, _| !k.starts_with(&lead));
    for (i, row) in rows.iter().enumerate() {
        for (field, v) in row {
            values.insert(format!("{name}[{i}].{field}"), v.clone());
        }
    }
}

/// Rows numbered 0, 1, 2 … in every group of `spec`, in their order.
pub fn renumber(spec: &specs::Spec, values: &mut Values) {
    for g in spec.groups {
        let rows = group_rows(values, g.name);
        set_rows(values, g.name, &rows);
    }
}

/// Applies an "add row" (`_add=group`) or "remove row" (`_remove=group.index`) button; `true`
/// when the post was one of those (re-render, write nothing).
fn row_action(spec: &specs::Spec, values: &mut Values, form: &Values) -> bool {
    if let Some(g) = form.get("_add") {
        if let Some(group) = spec.groups.iter().find(|x| x.name == g) {
            let mut rows = group_rows(values, group.name);
            let shown = rows.len().max(group.min_rows);
            rows.resize_with(shown + 1, || {
                group
                    .fields
                    .iter()
                    .map(|f| (f.name.to_string(), String::new()))
                    .collect()
            });
            set_rows(values, group.name, &rows);
        }
        return true;
    }
    if let Some(r) = form.get("_remove") {
        if let Some((g, i)) = r.rsplit_once('.')
            && let Ok(i) = i.parse::<usize>()
        {
            let mut rows = group_rows(values, g);
            if i < rows.len() {
                rows.remove(i);
            }
            set_rows(values, g, &rows);
        }
        return true;
    }
    false
}

/// The values of a stored record (and, for an activity, its flows and equipment lines).
fn values_of(spec: &specs::Spec, record: &Record, ledger: &aidtrace_domain::Ledger) -> Values {
    use serde_json::Value;
    let json = serde_json::to_value(record).unwrap_or(Value::Null);
    let text = |v: Option<&Value>| match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(true)) => "on".into(),
        Some(Value::Bool(false)) | Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let path = |v: &Value, p: &str| -> Option<Value> {
        p.split('.').try_fold(v, |v, k| v.get(k)).cloned()
    };
    let mut out = Values::new();
    let fill = |out: &mut Values, prefix: &str, fields: &[specs::Field], v: &Value| {
        for f in fields {
            match f.input {
                specs::In::Multi(_) => {
                    for x in path(v, f.name)
                        .and_then(|a| a.as_array().cloned())
                        .unwrap_or_default()
                    {
                        out.insert(
                            format!("{prefix}{}.{}", f.name, text(Some(&x))),
                            "on".into(),
                        );
                    }
                }
                _ => {
                    out.insert(
                        format!("{prefix}{}", f.name),
                        text(path(v, f.name).as_ref()),
                    );
                }
            }
        }
    };
    fill(&mut out, "", spec.fields, &json);
    let cite = |out: &mut Values, prefix: &str, v: &Value| {
        if let Some(c) = v.get("sources").and_then(|s| s.get(0)) {
            out.insert(format!("{prefix}source"), text(c.get("source")));
            out.insert(format!("{prefix}quote"), text(c.get("quote")));
        }
    };
    for g in spec.groups {
        let items: Vec<Value> = match (g.name, g.record) {
            ("flows", Some(_)) => ledger
                .flows
                .values()
                .filter(|f| f.activity == *record.id())
                .filter_map(|f| serde_json::to_value(Record::Flow(f.clone())).ok())
                .collect(),
            ("equipment", Some(_)) => ledger
                .equipment_lines
                .values()
                .filter(|e| e.activity == *record.id())
                .filter_map(|e| serde_json::to_value(Record::EquipmentLine(e.clone())).ok())
                .collect(),
            ("facilities", _) => json
                .get("facilities")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|id| serde_json::json!({ "facility": id }))
                .collect(),
            (name, _) => json
                .get(name)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
        };
        for (i, item) in items.iter().enumerate() {
            let prefix = format!("{}[{i}].", g.name);
            fill(&mut out, &prefix, g.fields, item);
            if g.record.is_some() {
                cite(&mut out, &prefix, item);
            }
        }
    }
    out
}

fn spec_of(collection: &str) -> Result<&'static specs::Spec, PageError> {
    specs::spec(collection).ok_or_else(|| {
        PageError(ApiError::not_found(ta(
            "err-no-form",
            &[("collection", collection)],
        )))
    })
}

pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Path((collection, raw)): Path<(String, String)>,
    PageQuery(prefill): PageQuery<Values>,
) -> PageResult<Html<String>> {
    let p = caller.require()?;
    if !p.can_edit_something() {
        return Err(PageError(ApiError::forbidden(ta(
            "err-may-not-edit",
            &[("name", &p.name), ("role", &i18n::value(p.role.as_str()))],
        ))));
    }
    let spec = spec_of(&collection)?;
    let snap = state.snapshot().await?;
    if raw == "new" {
        // Links such as "New flow" on an activity pass the activity in the query.
        let mut values = prefill;
        values.retain(|k, _| !k.starts_with('_') && k != "csrf");
        renumber(spec, &mut values);
        let ctx = render::Page {
            caller: &caller,
            snap: &snap,
            spec,
            mode: "new",
            etag: "",
        };
        return Ok(render::form(&ctx, &values, &[]));
    }
    let id = RecordId::parse(&raw).map_err(|e| PageError(ApiError::from(e)))?;
    let st = state.clone();
    let (kind, kid) = (spec.kind, id.clone());
    // The ETag comes from the store, not the snapshot, so a save compares with what is stored.
    let record = blocking(move || Ok(st.reader()?.store().get(kind, &kid)?))
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!("no {} {id}", kind.as_str()))
                .with_field("id")
                .said(id.as_str(), crate::error::no_such(kind))
        })?;
    let values = values_of(spec, &record, &snap.ledger);
    let etag = edit::etag(&record);
    let ctx = render::Page {
        caller: &caller,
        snap: &snap,
        spec,
        mode: "edit",
        etag: &etag,
    };
    Ok(render::form(&ctx, &values, &[]))
}

pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    Path(collection): Path<String>,
    Form(form): Form<Values>,
) -> PageResult<Response> {
    let p = caller.require()?.clone();
    auth::check_csrf(&p, form.get("csrf").map(String::as_str).unwrap_or_default())?;
    let spec = spec_of(&collection)?;
    let mode = if form.get("_mode").map(String::as_str) == Some("edit") {
        "edit"
    } else {
        "new"
    };
    let etag = form.get("_etag").cloned().unwrap_or_default();
    let submit_now = form.get("_action").map(String::as_str) != Some("draft");
    let mut values = form.clone();
    values.retain(|k, _| !k.starts_with('_') && k != "csrf");
    renumber(spec, &mut values);
    let snap = state.snapshot().await?;
    let ctx = render::Page {
        caller: &caller,
        snap: &snap,
        spec,
        mode,
        etag: &etag,
    };
    if row_action(spec, &mut values, &form) {
        return Ok(render::form(&ctx, &values, &[]).into_response());
    }
    let built = build::build(spec, &values, mode, &snap.ledger);
    if !built.errors.is_empty() {
        let page = render::form(&ctx, &built.values, &built.errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let records = built.records;
    let located: Vec<(String, RecordKind, RecordId)> = built
        .located
        .iter()
        .map(|(prefix, r)| (prefix.clone(), r.0, r.1.clone()))
        .collect();
    let precondition = if mode == "new" {
        Precondition::New
    } else {
        Precondition::Loaded(etag.clone())
    };
    let target = landing(&records);
    let st = state.clone();
    let result: Result<WriteOutcome, ApiError> =
        blocking(move || edit::write(&st, &p, records, &precondition, submit_now)).await;
    match result {
        Ok(WriteOutcome::Applied { .. }) => Ok(Redirect::to(&target).into_response()),
        Ok(WriteOutcome::Proposed { change, .. }) => {
            Ok(Redirect::to(&format!("/changes#change-{change}")).into_response())
        }
        Err(e) if e.status.is_client_error() => {
            let err = locate(&e, &located);
            let page = render::form(&ctx, &built.values, &[err]);
            Ok((e.status, page).into_response())
        }
        Err(e) => Err(PageError(e)),
    }
}

/// Where a saved form leads: the activity (or the activity a flow or line belongs to), the
/// facility, or the organisation list.
fn landing(records: &[Record]) -> String {
    match records.first() {
        Some(Record::Activity(a)) => format!("/activities/{}", a.id),
        Some(Record::Flow(f)) => format!("/activities/{}", f.activity),
        Some(Record::EquipmentLine(e)) => format!("/activities/{}", e.activity),
        Some(Record::Facility(f)) => format!("/facilities/{}", f.id),
        Some(Record::FacilityPower(p)) => format!("/energy/survey/{}", p.facility),
        _ => "/organisations".into(),
    }
}

/// An error of the write (a reference to nothing, an id taken meanwhile, a scope refusal) placed
/// on the form: the message starts with "kind id:" of the record at fault, which names the row.
fn locate(e: &ApiError, located: &[(String, RecordKind, RecordId)]) -> FieldError {
    let (value, message, problem, said) = match e.problem.as_deref() {
        Some(p) => (
            p.value.clone(),
            p.message.clone(),
            p.id.clone(),
            p.said.clone(),
        ),
        None => (String::new(), e.message.clone(), None, None),
    };
    let prefix = located
        .iter()
        .find(|(_, kind, id)| e.message.starts_with(&format!("{} {id}", kind.as_str())))
        .map(|(p, _, _)| p.clone())
        .unwrap_or_default();
    let field = match &e.field {
        Some(f) => format!("{prefix}{f}"),
        None => String::new(),
    };
    FieldError {
        field,
        value,
        message,
        problem,
        said,
    }
}
