//! Reading records from JSON with errors that name the record and the field.

use aidtrace_domain::error::{ProblemArg, ProblemId};
use aidtrace_domain::model::{
    Activity, Budget, Claim, EquipmentLine, Facility, Flow, MarketRegistration, Organisation,
    Partnership, Source,
};
use aidtrace_domain::{Record, RecordKind, ValidationError};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{ServiceError, ServiceResult};

fn typed<T: DeserializeOwned>(
    value: Value,
    wrap: fn(T) -> Record,
) -> Result<Record, ValidationError> {
    serde_path_to_error::deserialize::<_, T>(value)
        .map(wrap)
        .map_err(|e| {
            let field = e.path().to_string();
            let message = e.inner().to_string();
            let refusal = ValidationError::new(
                if field == "." { String::new() } else { field },
                "",
                &message,
            );
            with_problem(refusal, &message)
        })
}

/// The message id of a refusal serde reports only as text: a field missing, a value not among
/// a field's choices, or a code's own refusal. Other texts (a date or a number unreadable, a
/// value of another type) stay without one; pages say them through their English sentence.
fn with_problem(refusal: ValidationError, message: &str) -> ValidationError {
    // serde quotes names in backticks: "missing field `activity`".
    let quoted = |text: &str| text.split('`').nth(1).map(str::to_string);
    if let Some(rest) = message.strip_prefix("missing field ")
        && let Some(name) = quoted(rest)
    {
        return refusal
            .because(ProblemId::MissingField)
            .with_text("name", name);
    }
    if let Some(rest) = message.strip_prefix("unknown variant ")
        && let Some((_, expected)) = rest.split_once(", expected ")
    {
        // "one of `a`, `b`" or "`a` or `b`": the names alone, so no English word is left.
        let names: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        return refusal
            .because(ProblemId::UnknownChoice)
            .with_text("expected", names.join(", "));
    }
    match aidtrace_domain::codes::problem_in(message) {
        Some(id) => refusal.because(id),
        None => refusal,
    }
}

/// One record from a JSON object carrying its kind in `"record"`.
pub fn record_from_json(mut value: Value) -> Result<Record, ValidationError> {
    let Some(object) = value.as_object_mut() else {
        return Err(
            ValidationError::new("", value.to_string(), "a record is a JSON object")
                .because(ProblemId::NotAnObject),
        );
    };
    let tag = object.remove("record").ok_or_else(|| {
        ValidationError::new(
            "record",
            "",
            "missing: say which kind of record this is, e.g. \"flow\"",
        )
        .because(ProblemId::NoRecordKind)
    })?;
    let tag_str = tag.as_str().unwrap_or_default();
    let kind = RecordKind::parse(tag_str).ok_or_else(|| {
        let kinds: Vec<&str> = RecordKind::ALL.iter().map(|k| k.as_str()).collect();
        ValidationError::new(
            "record",
            &tag,
            format!("unknown record kind; expected one of {}", kinds.join(", ")),
        )
        .because(ProblemId::UnknownRecordKind)
        .arg("expected", ProblemArg::Text(kinds.join(", ")))
    })?;
    match kind {
        RecordKind::Source => typed::<Source>(value, Record::Source),
        RecordKind::Organisation => typed::<Organisation>(value, Record::Organisation),
        RecordKind::Facility => typed::<Facility>(value, Record::Facility),
        RecordKind::Activity => typed::<Activity>(value, Record::Activity),
        RecordKind::Flow => typed::<Flow>(value, Record::Flow),
        RecordKind::Budget => typed::<Budget>(value, Record::Budget),
        RecordKind::EquipmentLine => typed::<EquipmentLine>(value, Record::EquipmentLine),
        RecordKind::Partnership => typed::<Partnership>(value, Record::Partnership),
        RecordKind::MarketRegistration => {
            typed::<MarketRegistration>(value, Record::MarketRegistration)
        }
        RecordKind::Claim => typed::<Claim>(value, Record::Claim),
        RecordKind::DeviceModel => {
            typed::<aidtrace_domain::assets::DeviceModel>(value, Record::DeviceModel)
        }
        RecordKind::FacilityPower => {
            typed::<aidtrace_domain::assets::FacilityPower>(value, Record::FacilityPower)
        }
        RecordKind::Population => {
            typed::<aidtrace_domain::assets::Population>(value, Record::Population)
        }
        RecordKind::EquipmentStandard => {
            typed::<aidtrace_domain::assets::EquipmentStandard>(value, Record::EquipmentStandard)
        }
        RecordKind::Asset => typed::<aidtrace_domain::assets::Asset>(value, Record::Asset),
        RecordKind::MaintenancePlan => {
            typed::<aidtrace_domain::assets::MaintenancePlan>(value, Record::MaintenancePlan)
        }
        RecordKind::WorkOrder => {
            typed::<aidtrace_domain::assets::WorkOrder>(value, Record::WorkOrder)
        }
        RecordKind::AssetEvent => {
            typed::<aidtrace_domain::assets::AssetEvent>(value, Record::AssetEvent)
        }
        RecordKind::Downtime => typed::<aidtrace_domain::assets::Downtime>(value, Record::Downtime),
        RecordKind::MeterReading => {
            typed::<aidtrace_domain::assets::MeterReading>(value, Record::MeterReading)
        }
        RecordKind::DonationCheck => {
            typed::<aidtrace_domain::assets::DonationCheck>(value, Record::DonationCheck)
        }
        RecordKind::IntakeDraft => {
            typed::<aidtrace_domain::model::IntakeDraft>(value, Record::IntakeDraft)
        }
        RecordKind::DensityReference => {
            typed::<aidtrace_domain::assets::DensityReference>(value, Record::DensityReference)
        }
        RecordKind::MedicineProduct => {
            typed::<aidtrace_domain::medicines::MedicineProduct>(value, Record::MedicineProduct)
        }
        RecordKind::EssentialMedicine => {
            typed::<aidtrace_domain::medicines::EssentialMedicine>(value, Record::EssentialMedicine)
        }
        RecordKind::Consignment => {
            typed::<aidtrace_domain::medicines::Consignment>(value, Record::Consignment)
        }
        RecordKind::ConsignmentDecision => {
            typed::<aidtrace_domain::medicines::ConsignmentDecision>(
                value,
                Record::ConsignmentDecision,
            )
        }
        RecordKind::StockMovement => {
            typed::<aidtrace_domain::medicines::StockMovement>(value, Record::StockMovement)
        }
        RecordKind::Contract => {
            typed::<aidtrace_domain::assets::contract::Contract>(value, Record::Contract)
        }
        RecordKind::SparePart => {
            typed::<aidtrace_domain::assets::parts::SparePart>(value, Record::SparePart)
        }
        RecordKind::PartMovement => {
            typed::<aidtrace_domain::assets::parts::PartMovement>(value, Record::PartMovement)
        }
        RecordKind::Incident => {
            typed::<aidtrace_domain::assets::recall::Incident>(value, Record::Incident)
        }
        RecordKind::FieldSafetyNotice => {
            typed::<aidtrace_domain::assets::recall::FieldSafetyNotice>(
                value,
                Record::FieldSafetyNotice,
            )
        }
    }
}

/// A records file: `{"records": [...]}` or a bare array.
pub fn records_from_json(text: &str) -> ServiceResult<Vec<Record>> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| ServiceError::Parse(format!("not valid JSON: {e}")))?;
    let items = match value {
        Value::Array(items) => items,
        Value::Object(mut map) => match map.remove("records") {
            Some(Value::Array(items)) => items,
            _ => {
                return Err(ServiceError::Parse(
                    "expected {\"records\": [...]} or a JSON array of records".to_string(),
                ));
            }
        },
        _ => {
            return Err(ServiceError::Parse(
                "expected a JSON array of records".to_string(),
            ));
        }
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let label = item.get("id").and_then(Value::as_str).map_or_else(
                || format!("records[{i}]"),
                |id| format!("records[{i}] ({id})"),
            );
            record_from_json(item).map_err(|e| ServiceError::invalid(label, e))
        })
        .collect()
}
