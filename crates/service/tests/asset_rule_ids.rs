//! Every refusal of the rules across an asset's history (`assets::check_rules`) carries a message
//! id, so a page words it in the reader's language instead of "not accepted" and the English
//! sentence; figures and record ids of the sentence travel as the id's arguments.

mod kit;

use aidtrace_domain::error::{ProblemArg, ProblemId};
use aidtrace_domain::{Record, RecordKind, ValidationError};
use aidtrace_service::records::record_from_json;
use aidtrace_service::{Aidtrace, ServiceError, assets};
use serde_json::{Value, json};

fn app() -> (kit::Guard, Aidtrace) {
    let (dir, mut app) = kit::open();
    app.load_demo("test").expect("demo");
    (dir, app)
}

fn rec(v: Value) -> Record {
    record_from_json(v.clone()).unwrap_or_else(|e| panic!("{e}: {v}"))
}

/// `v` with the top-level fields of `patch` set (a `null` removes the field).
fn with(mut v: Value, patch: Value) -> Value {
    let (Some(o), Value::Object(p)) = (v.as_object_mut(), patch) else {
        panic!("records are objects");
    };
    for (k, x) in p {
        if x.is_null() {
            o.remove(&k);
        } else {
            o.insert(k, x);
        }
    }
    v
}

/// The refusal of writing `batch` over the demo after `stored` went in through the generic
/// loader (which knows no history rules).
fn refusal(stored: Vec<Value>, batch: Vec<Value>) -> ValidationError {
    let (_d, mut app) = app();
    if !stored.is_empty() {
        app.put("loader", stored.into_iter().map(rec).collect())
            .expect("generic put");
    }
    let batch: Vec<Record> = batch.into_iter().map(rec).collect();
    match assets::check_rules(&app, &batch).expect_err("refused") {
        ServiceError::Invalid { error, .. } => error,
        other => panic!("expected a record's refusal, got {other}"),
    }
}

fn void() -> Value {
    json!({"at": "2025-04-02T08:00:00", "reason": "entered for the wrong machine"})
}

fn voided_order() -> Value {
    json!({"record": "work_order", "id": "wo-void-1", "asset": "as-semey-mri-1",
        "kind": "corrective", "status": "cancelled", "priority": "normal",
        "opened": "2025-04-01T08:00:00", "closed": "2025-04-01T09:00:00", "voided": void()})
}

fn voided_reading() -> Value {
    json!({"record": "meter_reading", "id": "mr-void-1", "asset": "as-semey-mri-1",
        "at": "2025-04-01T08:00:00", "meter": "hours", "value": 300, "voided": void()})
}

fn voided_downtime() -> Value {
    json!({"record": "downtime", "id": "down-void-1", "asset": "as-semey-mri-1",
        "start": "2025-04-01T08:00:00", "end": "2025-04-01T09:00:00",
        "cause": "external_power", "voided": void()})
}

/// A new open order of the demo MRI carrying out `plan`.
fn order_under(plan: &str) -> Value {
    json!({"record": "work_order", "id": "wo-new-1", "asset": "as-semey-mri-1",
        "kind": "preventive", "status": "open", "priority": "normal",
        "opened": "2025-06-02T08:00:00", "plan": plan})
}

fn kind_arg(err: &ValidationError) -> Option<RecordKind> {
    err.problem
        .as_ref()
        .and_then(|p| p.args.iter().find(|(n, _)| *n == "kind"))
        .and_then(|(_, a)| match a {
            ProblemArg::Kind(k) => Some(*k),
            ProblemArg::Text(_) | ProblemArg::States(_) => None,
        })
}

fn text_arg<'e>(err: &'e ValidationError, name: &str) -> Option<&'e str> {
    err.problem.as_ref().and_then(|p| p.text_arg(name))
}

/// One test per refusal of a voided record changed again: the id, with the record's kind.
macro_rules! voided_refusals {
    ($($name:ident: $stored:expr, $changed:expr => $kind:ident;)*) => {$(
        #[test]
        fn $name() {
            let err = refusal(vec![$stored], vec![$changed]);
            assert_eq!(
                err.problem.as_ref().map(|p| p.id),
                Some(ProblemId::VoidedNotChanged),
                "{err}"
            );
            assert_eq!(kind_arg(&err), Some(RecordKind::$kind), "{err}");
        }
    )*};
}

voided_refusals! {
    a_voided_order_changed_again:
        voided_order(), with(voided_order(), json!({"voided": null})) => WorkOrder;
    a_voided_reading_changed_again:
        voided_reading(), with(voided_reading(), json!({"value": 310})) => MeterReading;
    a_voided_downtime_changed_again:
        voided_downtime(), with(voided_downtime(), json!({"note": "again"})) => Downtime;
}

#[test]
fn an_accessory_chain_that_loops() {
    let asset = |id: &str, parent: &str| {
        json!({"record": "asset", "id": id, "inventory_tag": id, "model": "dm-illustrative-mri",
            "facility": "fac-semey-university-hospital", "criticality": "low", "parent": parent,
            "funding": {"acquisition": "donation", "condition": "new"}})
    };
    let err = refusal(
        vec![],
        vec![
            asset("as-loop-a", "as-loop-b"),
            asset("as-loop-b", "as-loop-a"),
        ],
    );
    assert_eq!(
        err.problem.as_ref().map(|p| p.id),
        Some(ProblemId::ParentCycle),
        "{err}"
    );
}

#[test]
fn a_closed_downtime_rewritten() {
    let closed = json!({"record": "downtime", "id": "down-as-semey-mri-1-2025-03",
        "asset": "as-semey-mri-1", "start": "2025-03-10T08:00:00", "cause": "external_power",
        "planned": false, "end": "2025-03-11T08:00:00",
        "work_order": "wo-as-semey-mri-1-2025-03"});
    let err = refusal(vec![], vec![closed]);
    assert_eq!(
        err.problem.as_ref().map(|p| p.id),
        Some(ProblemId::DowntimeRewritten),
        "{err}"
    );
}

#[test]
fn a_done_order_changed_again_names_when_it_was_closed() {
    let done = json!({"record": "work_order", "id": "wo-as-semey-mri-1-2025-03",
        "asset": "as-semey-mri-1", "kind": "corrective", "status": "done", "priority": "urgent",
        "opened": "2025-03-10T08:00:00", "closed": "2025-03-12T16:00:00", "labour_hours": "12",
        "failure_cause": "external_power"});
    let err = refusal(vec![], vec![done]);
    assert_eq!(
        err.problem.as_ref().map(|p| p.id),
        Some(ProblemId::ClosedOnce),
        "{err}"
    );
    assert_eq!(
        text_arg(&err, "closed"),
        Some("2025-03-12 16:00:00"),
        "{err}"
    );
    assert_eq!(err.value, "done");
}

#[test]
fn an_order_under_another_models_plan() {
    let err = refusal(vec![], vec![order_under("plan-ventilator-half-yearly")]);
    assert_eq!(
        err.problem.as_ref().map(|p| p.id),
        Some(ProblemId::PlanForOtherModel),
        "{err}"
    );
    assert_eq!(
        text_arg(&err, "plan_model"),
        Some("dm-illustrative-ventilator")
    );
    assert_eq!(text_arg(&err, "asset"), Some("as-semey-mri-1"));
    assert_eq!(text_arg(&err, "model"), Some("dm-illustrative-mri"));
}

#[test]
fn an_order_under_another_assets_plan() {
    let plan = json!({"record": "maintenance_plan", "id": "plan-vent-2-only",
        "asset": "as-semey-vent-2", "kind": "inspection", "trigger": {"every_days": 182},
        "window_days": 14, "description": "inspection of one ventilator"});
    let err = refusal(vec![], vec![plan, order_under("plan-vent-2-only")]);
    assert_eq!(
        err.problem.as_ref().map(|p| p.id),
        Some(ProblemId::PlanForOtherAsset),
        "{err}"
    );
    assert_eq!(text_arg(&err, "plan_asset"), Some("as-semey-vent-2"));
    assert_eq!(text_arg(&err, "asset"), Some("as-semey-mri-1"));
    assert_eq!(text_arg(&err, "model"), Some("dm-illustrative-mri"));
}
