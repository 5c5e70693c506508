//! The write path shared by forms and the API: the web's side of the approval workflow, which
//! lives in the service (`aidtrace_service::changes`, rules in `aidtrace_service::policy`). This
//! module checks the request's precondition, takes the locks, and maps the workflow's answers
//! to HTTP errors.

use std::collections::BTreeMap;

use aidtrace_domain::{Ledger, Record, RecordKind, ValidationError};
use aidtrace_service::changes::{self, ChangeError, Written};
use axum::http::StatusCode;
use serde_json::{Map, Value};

pub use aidtrace_service::changes::{Decision, etag};

use crate::auth::{Principal, now_rfc3339};
use crate::error::ApiError;
use crate::precondition::Precondition;
use crate::state::AppState;

/// A validator of a response body that is not the stored record (the public view of one).
pub fn etag_of_json(value: &Value) -> String {
    changes::etag_of_bytes(&serde_json::to_vec(value).unwrap_or_default())
}

pub fn invalid(record: &str, e: ValidationError) -> ApiError {
    let message = if e.value.is_empty() {
        format!("{record}: {}", e.message)
    } else {
        format!("{record}: {} (value {:?})", e.message, e.value)
    };
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_record", message)
        .with_problem(e.value, e.message)
        .with_field(e.field)
}

impl From<ChangeError> for ApiError {
    fn from(e: ChangeError) -> Self {
        match e {
            ChangeError::Forbidden { message, value } => {
                let problem = if value.is_empty() {
                    message.clone()
                } else {
                    "outside what you may edit".to_string()
                };
                ApiError::forbidden(message).with_problem(value, problem)
            }
            ChangeError::WrongState { message, problem } => {
                let e = ApiError::new(StatusCode::CONFLICT, "wrong_state", message);
                if problem.is_empty() {
                    e
                } else {
                    e.with_problem("", problem)
                }
            }
            ChangeError::Conflict { message, value } => {
                ApiError::new(StatusCode::CONFLICT, "conflict", message)
                    .with_problem(value, "changed after this edit was made")
            }
            ChangeError::Service(aidtrace_service::ServiceError::Invalid { record, error }) => {
                invalid(&record, error)
            }
            ChangeError::Service(e) => e.into(),
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum WriteOutcome {
    /// The change is in the ledger; `etag` is the main record's new ETag.
    Applied { etag: String },
    /// The change waits for an approver.
    Proposed { change: i64, state: String },
}

/// Validates, authorises and writes or proposes `records` (the first is the main one).
/// `precondition` is checked against the stored main record under the service lock, in the same
/// step as the write, so a concurrent write of the same id cannot slip in between.
pub fn write(
    state: &AppState,
    principal: &Principal,
    records: Vec<Record>,
    precondition: &Precondition,
    submit: bool,
) -> Result<WriteOutcome, ApiError> {
    let Some(main) = records.first() else {
        return Err(ApiError::bad_request("empty", "nothing to write"));
    };
    let (kind, id) = (main.kind(), main.id().clone());
    let mut service = state.service();
    let current = changes::current_etag(&service, kind, &id)?;
    precondition.check(
        current.as_deref(),
        &format!("{} {id}", kind.as_str()),
        id.as_str(),
    )?;
    let written = changes::write(
        &mut service,
        &mut *state.accounts(),
        principal,
        records,
        submit,
        &now_rfc3339(),
    )?;
    drop(service);
    Ok(match written {
        Written::Applied { etag } => {
            state.invalidate();
            WriteOutcome::Applied { etag }
        }
        Written::Proposed { change, state } => WriteOutcome::Proposed {
            change,
            state: state.as_str().to_string(),
        },
    })
}

/// The number of a proposed change in a URL; anything else names no change (404, as an unknown
/// number does), in the caller's error shape rather than the framework's plain text.
pub fn change_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .map_err(|_| ApiError::not_found(format!("no change {raw:?}")).with_field("id"))
}

/// The decision an action in a URL names (`/changes/{id}/{action}`).
pub fn decision(action: &str) -> Result<Decision, ApiError> {
    Decision::parse(action).ok_or_else(|| {
        ApiError::not_found(format!(
            "no action {action:?}; use approve, reject or submit"
        ))
    })
}

pub fn decide(
    state: &AppState,
    principal: &Principal,
    id: i64,
    decision: Decision,
    note: Option<&str>,
) -> Result<changes::ChangeState, ApiError> {
    // The service lock serialises decisions with every ledger write, so the ETag checked by the
    // workflow is still current when the change is applied.
    let mut service = state.service();
    let to = changes::decide(
        &mut service,
        &mut *state.accounts(),
        principal,
        id,
        decision,
        note,
        &now_rfc3339(),
    )?;
    drop(service);
    if decision == Decision::Approve {
        state.invalidate();
    }
    Ok(to)
}

// ---- forms: a flat set of named inputs mapped onto a record's JSON -------------------------

#[derive(Debug, Clone, Copy)]
pub enum Input {
    Text,
    LongText,
    Date,
    /// Exact decimal, kept as a string so no float ever touches it.
    Decimal,
    Integer,
    Checkbox,
    Choice(&'static [&'static str]),
    /// An id of an existing record of this kind.
    Ref(RecordKind),
}

pub struct FieldSpec {
    pub name: &'static str,
    /// Catalogue key of the label (see `assets/i18n`), so the form speaks the reader's language.
    pub label: &'static str,
    pub input: Input,
    pub required: bool,
}

const fn f(name: &'static str, label: &'static str, input: Input, required: bool) -> FieldSpec {
    FieldSpec {
        name,
        label,
        input,
        required,
    }
}

pub const ORG_KINDS: &[&str] = &[
    "government",
    "government_agency",
    "ministry",
    "embassy",
    "multilateral",
    "ngo",
    "university",
    "facility_operator",
    "manufacturer",
    "supplier",
    "other",
];
pub const INSTRUMENTS: &[&str] = &[
    "grant_aid",
    "grassroots_grant",
    "technical_cooperation",
    "training_exchange",
    "loan",
    "in_kind",
    "budget_support",
    "other",
];
pub const ACTIVITY_STATUSES: &[&str] = &[
    "pipeline",
    "implementation",
    "finalisation",
    "closed",
    "cancelled",
    "suspended",
];
pub const FLOW_KINDS: &[&str] = &["pledge", "commitment", "disbursement", "expenditure"];
pub const FACILITY_KINDS: &[&str] = &[
    "university_hospital",
    "emergency_hospital",
    "regional_hospital",
    "district_hospital",
    "national_centre",
    "blood_centre",
    "primary_care",
    "laboratory",
    "other",
];
pub const EQUIPMENT_CATEGORIES: &[&str] = &[
    "imaging",
    "endoscopy",
    "intensive_care",
    "laboratory",
    "blood_bank",
    "surgical",
    "communication",
    "power",
    "other",
];

/// The kinds that have a data-entry form, with their URL names.
pub const EDITABLE: &[(&str, RecordKind)] = &[
    ("organisations", RecordKind::Organisation),
    ("activities", RecordKind::Activity),
    ("flows", RecordKind::Flow),
    ("equipment-lines", RecordKind::EquipmentLine),
    ("facilities", RecordKind::Facility),
];

pub fn form_fields(kind: RecordKind) -> &'static [FieldSpec] {
    use Input::*;
    const ORG: &[FieldSpec] = &[
        f("id", "field-id", Text, true),
        f("name", "field-name", Text, true),
        f("kind", "field-kind", Choice(ORG_KINDS), true),
        f("country", "field-country", Text, false),
        f(
            "parent",
            "field-parent",
            Ref(RecordKind::Organisation),
            false,
        ),
    ];
    const ACTIVITY: &[FieldSpec] = &[
        f("id", "field-id", Text, true),
        f("title", "field-title", Text, true),
        f("instrument", "field-instrument", Choice(INSTRUMENTS), true),
        f("status", "field-status", Choice(ACTIVITY_STATUSES), true),
        f(
            "funding_org",
            "field-funding-org",
            Ref(RecordKind::Organisation),
            false,
        ),
        f("recipient_country", "field-recipient-country", Text, false),
        f("start_date", "field-start-date", Date, false),
        f("end_date", "field-end-date", Date, false),
        f("description", "field-description", LongText, false),
        f("equipment.id", "field-equipment-id", Text, false),
        f("equipment.description", "field-equipment", Text, false),
        f(
            "equipment.category",
            "field-equipment-category",
            Choice(EQUIPMENT_CATEGORIES),
            false,
        ),
        f("equipment.quantity", "field-quantity", Integer, false),
        f(
            "equipment.facility",
            "field-for-facility",
            Ref(RecordKind::Facility),
            false,
        ),
    ];
    const FLOW: &[FieldSpec] = &[
        f("id", "field-id", Text, true),
        f(
            "activity",
            "field-activity",
            Ref(RecordKind::Activity),
            true,
        ),
        f("kind", "field-kind", Choice(FLOW_KINDS), true),
        f("money.amount", "field-amount", Decimal, true),
        f("money.currency", "field-currency", Text, true),
        f("money.value_date", "field-value-date", Date, false),
        f(
            "provider",
            "field-provider",
            Ref(RecordKind::Organisation),
            false,
        ),
        f(
            "receiver",
            "field-receiver",
            Ref(RecordKind::Organisation),
            false,
        ),
        f("description", "field-description", LongText, false),
    ];
    const EQUIPMENT: &[FieldSpec] = &[
        f("id", "field-id", Text, true),
        f(
            "activity",
            "field-activity",
            Ref(RecordKind::Activity),
            true,
        ),
        f(
            "category",
            "field-category",
            Choice(EQUIPMENT_CATEGORIES),
            true,
        ),
        f("description", "field-description", Text, true),
        f("quantity", "field-quantity", Integer, false),
        f(
            "facility",
            "field-facility",
            Ref(RecordKind::Facility),
            false,
        ),
        f("unit_cost.amount", "field-unit-cost", Decimal, false),
        f(
            "unit_cost.currency",
            "field-unit-cost-currency",
            Text,
            false,
        ),
    ];
    const FACILITY: &[FieldSpec] = &[
        f("id", "field-id", Text, true),
        f("name", "field-name", Text, true),
        f("kind", "field-kind", Choice(FACILITY_KINDS), true),
        f("country", "field-country", Text, true),
        f("region", "field-region", Text, false),
        f("city", "field-city", Text, false),
        f(
            "operator",
            "field-operator",
            Ref(RecordKind::Organisation),
            false,
        ),
        f("location.lat", "field-lat", Decimal, false),
        f("location.lon", "field-lon", Decimal, false),
        f("beds", "field-beds", Integer, false),
        f("sensitive", "field-sensitive", Checkbox, false),
    ];
    match kind {
        RecordKind::Organisation => ORG,
        RecordKind::Activity => ACTIVITY,
        RecordKind::Flow => FLOW,
        RecordKind::EquipmentLine => EQUIPMENT,
        RecordKind::Facility => FACILITY,
        _ => &[],
    }
}

fn get_path<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |v, k| v.get(k))
}

fn set_path(v: &mut Map<String, Value>, path: &str, value: Option<Value>) {
    match path.split_once('.') {
        None => {
            match value {
                Some(x) => v.insert(path.to_string(), x),
                None => v.remove(path),
            };
        }
        Some((head, rest)) => {
            if value.is_none() && !v.contains_key(head) {
                return;
            }
            let child = v
                .entry(head.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(m) = child {
                set_path(m, rest, value);
                if m.is_empty() {
                    v.remove(head);
                }
            }
        }
    }
}

/// The form values of a stored record, for pre-filling an edit form.
pub fn form_values(record: &Record, ledger: &Ledger) -> BTreeMap<String, String> {
    let json = serde_json::to_value(record).unwrap_or(Value::Null);
    let mut out = BTreeMap::new();
    for spec in form_fields(record.kind()) {
        let v = get_path(&json, spec.name);
        let s = match v {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Bool(b)) => {
                if *b {
                    "on".into()
                } else {
                    String::new()
                }
            }
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        out.insert(spec.name.to_string(), s);
    }
    if let Record::Activity(a) = record {
        if let Some(p) = a
            .participants
            .iter()
            .find(|p| p.role == aidtrace_domain::model::ParticipantRole::Funding)
        {
            out.insert("funding_org".into(), p.org.to_string());
        }
        if let [c] = a.countries.as_slice() {
            out.insert("recipient_country".into(), c.country.to_string());
        }
        let _ = ledger;
    }
    out
}

/// Builds the batch a form describes: the main record (starting from the stored version, so
/// fields the form does not show are kept) and, for an activity, its first equipment line.
pub fn records_from_form(
    kind: RecordKind,
    form: &BTreeMap<String, String>,
    stored: Option<&Record>,
) -> Result<Vec<Record>, ValidationError> {
    let mut obj = match stored.map(serde_json::to_value) {
        Some(Ok(Value::Object(m))) => m,
        _ => Map::new(),
    };
    obj.remove("record");
    let mut equipment = Map::new();
    for spec in form_fields(kind) {
        let raw = form.get(spec.name).map(|s| s.trim()).unwrap_or_default();
        if spec.required && raw.is_empty() {
            return Err(ValidationError::new(spec.name, "", "required"));
        }
        let value = match spec.input {
            Input::Checkbox => Some(Value::Bool(!raw.is_empty())),
            _ if raw.is_empty() => None,
            Input::Integer => Some(Value::Number(
                raw.parse::<u64>()
                    .map_err(|_| ValidationError::new(spec.name, raw, "a whole number, e.g. 2"))?
                    .into(),
            )),
            _ => Some(Value::String(raw.to_string())),
        };
        if let Some(rest) = spec.name.strip_prefix("equipment.") {
            if let Some(v) = value {
                equipment.insert(rest.to_string(), v);
            }
            continue;
        }
        match spec.name {
            "funding_org" => {
                let mut parts: Vec<Value> = obj
                    .get("participants")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                parts.retain(|p| p.get("role").and_then(Value::as_str) != Some("funding"));
                if let Some(org) = value {
                    parts.insert(0, serde_json::json!({"org": org, "role": "funding"}));
                }
                obj.insert("participants".into(), Value::Array(parts));
            }
            "recipient_country" => {
                let countries = value
                    .map(|c| vec![serde_json::json!({"country": c, "percentage": "100"})])
                    .unwrap_or_default();
                obj.insert("countries".into(), Value::Array(countries));
            }
            name => set_path(&mut obj, name, value),
        }
    }
    obj.insert("record".into(), Value::String(kind.as_str().into()));
    let main = aidtrace_service::records::record_from_json(Value::Object(obj))?;
    let mut out = vec![main];
    if !equipment.is_empty() {
        let activity = out[0].id().to_string();
        equipment.insert("record".into(), Value::String("equipment_line".into()));
        equipment.insert("activity".into(), Value::String(activity));
        let line = aidtrace_service::records::record_from_json(Value::Object(equipment))
            .map_err(|e| e.within("equipment"))?;
        out.push(line);
    }
    Ok(out)
}
