//! Issue 16 item 5, second half: the units a version 2 plan assigns to a facility enter the
//! store as assets of the donating activity with their source, so the plan, the assets and the
//! ledger tell one story. Written through [`Aidtrace::put`] (asset rules, one transaction, one
//! audit entry per new record). Ids are derived from the activity, facility, model and unit
//! number, and a record already in the store is never rewritten: committing the same plan twice
//! writes nothing the second time, and later edits to a committed asset are kept.

use aidtrace_domain::error::ProblemId;
use aidtrace_domain::model::ParticipantRole;
use aidtrace_domain::{RecordId, RecordKind, ValidationError};
use aidtrace_store::ApplyReport;
use serde::Serialize;
use serde_json::{Value, json};

use crate::energy_plan_v2::StorePlanV2;
use crate::{Aidtrace, ServiceError, ServiceResult};

/// The device models' generic type; the load survey skips it (a source of power, not a load).
pub const GENERATOR_TYPE: &str = "generator";

/// The manufacturer written when a plan's model names none (the store needs one per model).
pub const UNSTATED_MANUFACTURER: &str = "org-mfr-unstated-generator";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommitReport {
    /// Ids of the assets written by this run (empty when the plan was committed before).
    pub written: Vec<String>,
    /// Ids of the plan's assets already in the store, left as they are.
    pub kept: Vec<String>,
    /// Device models and the manufacturer written by this run.
    pub catalogue: Vec<String>,
    pub created: usize,
}

/// Lower-case letters, digits and '-', for ids built from a model name.
fn slug(s: &str) -> String {
    aidtrace_domain::text::slug(s, 40)
}

/// A refusal of the plan or the form's fields, naming the field and value, with its message id
/// so a page words it in the reader's language.
fn refused(e: ValidationError) -> ServiceError {
    ServiceError::invalid("plan", e)
}

fn id(raw: &str, field: &str) -> ServiceResult<RecordId> {
    RecordId::parse(raw).map_err(|e| {
        refused(ValidationError {
            field: field.to_string(),
            ..e
        })
    })
}

/// The equipment line of `activity` the plan took `model` from, if it is still in the store.
fn line_of(
    ledger: &aidtrace_domain::Ledger,
    plan: &StorePlanV2,
    model: &str,
    activity: &RecordId,
) -> Option<String> {
    let raw = plan.fleet_lines.get(model)?;
    let line = ledger.equipment_lines.get(&RecordId::parse(raw).ok()?)?;
    (&line.activity == activity).then(|| line.id.to_string())
}

/// Writes every unit `plan` assigns as an asset of `activity` citing `source`.
pub fn commit_plan(
    app: &mut Aidtrace,
    actor: &str,
    plan: &StorePlanV2,
    activity: &str,
    source: &str,
) -> ServiceResult<CommitReport> {
    let ledger = app.ledger()?;
    let act_id = id(activity, "activity")?;
    let act = ledger.activities.get(&act_id).ok_or_else(|| {
        refused(ValidationError::no_such_record(
            "activity",
            activity,
            RecordKind::Activity,
        ))
    })?;
    let src_id = id(source, "source")?;
    if !ledger.sources.contains_key(&src_id) {
        return Err(refused(ValidationError::no_such_record(
            "source",
            source,
            RecordKind::Source,
        )));
    }
    if plan.plan.assignments.is_empty() {
        return Err(refused(
            ValidationError::new(
                "plan.assignments",
                "[]",
                "the plan assigns no unit, so there is nothing to record",
            )
            .because(ProblemId::EmptyPlan),
        ));
    }
    // The donor is the activity's funder where it names one.
    let donor = act
        .participants
        .iter()
        .find(|p| p.role == ParticipantRole::Funding)
        .map(|p| p.org.to_string());
    let mut records: Vec<Value> = Vec::new();
    let mut catalogue = Vec::new();
    let manufacturer = id(UNSTATED_MANUFACTURER, "manufacturer")?;
    let mut need_manufacturer = false;
    let mut written = Vec::new();
    let mut kept = Vec::new();
    for (i, a) in plan.plan.assignments.iter().enumerate() {
        let fac = id(&a.facility, &format!("plan.assignments[{i}].facility"))?;
        if !ledger.facilities.contains_key(&fac) {
            return Err(refused(ValidationError::no_such_record(
                format!("plan.assignments[{i}].facility"),
                &a.facility,
                RecordKind::Facility,
            )));
        }
        let model = plan
            .instance
            .fleet
            .iter()
            .find(|m| m.model == a.model)
            .ok_or_else(|| {
                refused(
                    ValidationError::new(
                        format!("plan.assignments[{i}].model"),
                        &a.model,
                        "not in the plan's fleet",
                    )
                    .because(ProblemId::NotInPlanFleet),
                )
            })?;
        let kw = model.prime_kw(plan.instance.power_factor);
        if !(kw.is_finite() && kw > 0.0) || a.units > 1000 {
            return Err(refused(
                ValidationError::new(
                    format!("plan.assignments[{i}]"),
                    format!("{} × {} ({kw} kW)", a.units, a.model),
                    format!(
                        "{} units of {:?} at {kw} kW is not a plan to record",
                        a.units, a.model
                    ),
                )
                .because(ProblemId::PlanNotRecordable),
            ));
        }
        let kw_text = format!("{kw:.0}");
        let dm = id(
            &format!("dm-gen-{}-{kw_text}kw", slug(&a.model)),
            &format!("plan.assignments[{i}].model"),
        )?;
        if !ledger.device_models.contains_key(&dm) && !catalogue.contains(&dm.to_string()) {
            need_manufacturer |= !ledger.organisations.contains_key(&manufacturer);
            catalogue.push(dm.to_string());
            records.push(json!({
                "record": "device_model",
                "id": dm.to_string(),
                "manufacturer": UNSTATED_MANUFACTURER,
                "model_name": format!("{} generator set, {kw_text} kW prime", a.model),
                "generic_type": GENERATOR_TYPE,
                "sources": [{"source": source}],
            }));
        }
        for n in 1..=a.units {
            let asset = id(
                &format!("as-{activity}-{}-{}-{n}", a.facility, slug(&a.model)),
                &format!("plan.assignments[{i}]"),
            )?;
            if ledger.assets.contains_key(&asset) {
                kept.push(asset.to_string());
                continue;
            }
            let mut funding = json!({
                "activity": activity,
                "acquisition": "donation",
                "condition": "new",
            });
            if let Some(d) = &donor {
                funding["donor"] = json!(d);
            }
            // The line the unit was planned from, so the next plan leaves it out of the depot.
            if let Some(line) = line_of(&ledger, plan, &a.model, &act_id) {
                funding["equipment_line"] = json!(line);
            }
            written.push(asset.to_string());
            records.push(json!({
                "record": "asset",
                "id": asset.to_string(),
                "inventory_tag": format!("{}-{}-{n}", slug(activity), slug(&a.model)),
                "model": dm.to_string(),
                "facility": a.facility,
                "funding": funding,
                "criticality": "high",
                "note": format!(
                    "assigned by an energy plan (model version 2): unit {n} of {} {} at this facility; no delivery recorded yet",
                    a.units, a.model
                ),
                "sources": [{"source": source}],
            }));
        }
    }
    if need_manufacturer {
        catalogue.insert(0, UNSTATED_MANUFACTURER.to_string());
        records.insert(
            0,
            json!({
                "record": "organisation",
                "id": UNSTATED_MANUFACTURER,
                "name": "Manufacturer not stated (generator sets recorded from an energy plan)",
                "kind": "manufacturer",
                "roles": ["manufacturer"],
            }),
        );
    }
    let report = if records.is_empty() {
        ApplyReport::default()
    } else {
        let text = Value::Array(records).to_string();
        let recs = crate::records::records_from_json(&text)?;
        app.put(actor, recs)?
    };
    Ok(CommitReport {
        written,
        kept,
        catalogue,
        created: report.created,
    })
}
