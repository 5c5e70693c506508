//! The medicines' FHIR R4 export (`Medication`, `SupplyDelivery`) validates against HL7's FHIR R4
//! JSON Schema with the same validator as the equipment export, and carries the codes, batches,
//! statuses and places a receiving system needs.

mod fhir_kit;
mod kit;

use std::collections::HashMap;

use aidtrace_domain::RecordId;
use aidtrace_domain::medicines::{DecisionOutcome, MovementKind};
use aidtrace_service::Aidtrace;
use aidtrace_service::fhir_medicines::{self, ATC_SYSTEM, GTIN_SYSTEM};
use aidtrace_service::medicines::{self, NewMovement};
use chrono::{NaiveDate, NaiveDateTime};
use fhir_kit::{errors, shared, validator};
use serde_json::{Value, json};

const CONSIGNMENT: &str = "con-illustrative-ua-2026-01";

fn now() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 12, 6)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .expect("time")
}

fn id(s: &str) -> RecordId {
    RecordId::parse(s).expect("id")
}

/// The demo with lines 0 and 1 accepted and part of line 0 distributed to a hospital.
fn app() -> (kit::Guard, Aidtrace) {
    let (dir, app) = kit::open();
    let mut app = app.with_clock(now);
    app.load_demo("test").expect("demo");
    medicines::decide(
        &mut app,
        "test",
        &id(CONSIGNMENT),
        DecisionOutcome::AcceptInPart,
        vec![0, 1],
        None,
    )
    .expect("decide");
    medicines::record_movement(
        &mut app,
        "test",
        NewMovement {
            kind: MovementKind::Distribution,
            date: NaiveDate::from_ymd_opt(2026, 12, 1).expect("date"),
            consignment: id(CONSIGNMENT),
            product: id("med-illustrative-amoxicillin-500"),
            lot: "AMX2611".into(),
            from: Some(id("fac-ua-illustrative-central-warehouse")),
            to: Some(id("fac-ua-illustrative-kharkiv-a")),
            quantity: 5000,
            note: None,
        },
    )
    .expect("distribute");
    (dir, app)
}

fn resources(bundle: &Value) -> Vec<&Value> {
    bundle["entry"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| &e["resource"])
        .collect()
}

fn by_id<'a>(bundle: &'a Value, id: &str) -> &'a Value {
    resources(bundle)
        .into_iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no resource {id}"))
}

#[test]
fn medication_and_supply_delivery_bundles_validate_against_fhir_r4() {
    let Some(path) = shared() else { return };
    let schema = fhir_kit::schema(&path);
    let (dir, app) = app();
    let files = fhir_medicines::write(&app.ledger().expect("ledger"), &dir.path().join("fhir"))
        .expect("write");
    assert_eq!(files.len(), 2);
    let mut validators = HashMap::new();
    let mut counts: HashMap<String, usize> = HashMap::new();
    for file in files {
        let bundle: Value =
            serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("json");
        assert_eq!(bundle["type"], "collection");
        for r in resources(&bundle) {
            let kind = r["resourceType"].as_str().expect("type").to_string();
            let v = validators
                .entry(kind.clone())
                .or_insert_with(|| validator(&schema, &kind));
            let problems = errors(v, r);
            assert!(problems.is_empty(), "{kind} {}: {problems:#?}", r["id"]);
            *counts.entry(kind).or_insert(0) += 1;
        }
    }
    // Four products and the five lots of the demo consignment; five packing lines and one
    // distribution.
    assert_eq!(counts["Medication"], 9);
    assert_eq!(counts["SupplyDelivery"], 6);

    // The validator is not a rubber stamp for these types either.
    let delivery = validator(&schema, "SupplyDelivery");
    assert!(
        !errors(
            &delivery,
            &json!({ "resourceType": "SupplyDelivery", "status": "shipped" })
        )
        .is_empty()
    );
    let medication = validator(&schema, "Medication");
    assert!(
        !errors(
            &medication,
            &json!({ "resourceType": "Medication", "status": 3 })
        )
        .is_empty()
    );
    assert!(
        !errors(
            &medication,
            &json!({ "resourceType": "Medication", "colour": "red" })
        )
        .is_empty()
    );
}

#[test]
fn a_medication_carries_gtin_atc_form_strength_and_its_batch() {
    let (_dir, app) = app();
    let bundles = fhir_medicines::export(&app.ledger().expect("ledger"));
    let lot = by_id(
        &bundles["Medication"],
        &fhir_medicines::lot_medication_id(
            &id(CONSIGNMENT),
            &id("med-illustrative-amoxicillin-500"),
            "AMX2611",
        ),
    );
    let coding = lot["code"]["coding"].as_array().expect("coding");
    assert!(coding.contains(&json!({ "system": GTIN_SYSTEM, "code": "09501101020917" })));
    assert!(coding.contains(&json!({ "system": ATC_SYSTEM, "code": "J01CA04" })));
    assert_eq!(lot["form"]["text"], "capsule");
    assert_eq!(lot["ingredient"][0]["strength"]["numerator"]["value"], 500);
    assert_eq!(lot["ingredient"][0]["strength"]["numerator"]["unit"], "mg");
    assert_eq!(lot["batch"]["lotNumber"], "AMX2611");
    let expiry = &app.ledger().expect("ledger").consignments[&id(CONSIGNMENT)].lines[0].expiry;
    assert_eq!(lot["batch"]["expirationDate"], expiry.to_string());
    // A product without a GTIN keeps its ATC code only.
    let paracetamol = by_id(&bundles["Medication"], "med-illustrative-paracetamol-500");
    assert_eq!(
        paracetamol["code"]["coding"]
            .as_array()
            .expect("coding")
            .len(),
        1
    );
    assert!(paracetamol.get("batch").is_none());
}

#[test]
fn deliveries_follow_the_decision_and_the_distribution() {
    let (_dir, app) = app();
    let bundles = fhir_medicines::export(&app.ledger().expect("ledger"));
    let deliveries = &bundles["SupplyDelivery"];
    let line = |i| {
        by_id(
            deliveries,
            &fhir_medicines::line_delivery_id(&id(CONSIGNMENT), i),
        )
    };
    assert_eq!(line(0)["status"], "completed");
    assert_eq!(line(1)["status"], "completed");
    assert_eq!(line(2)["status"], "abandoned");
    assert_eq!(
        line(0)["supplier"]["reference"],
        "Organization/org-illustrative-medicine-donor"
    );
    assert_eq!(
        line(0)["destination"]["reference"],
        "Location/fac-ua-illustrative-central-warehouse"
    );
    assert_eq!(line(0)["suppliedItem"]["quantity"]["value"], 20000);
    assert_eq!(line(0)["occurrenceDateTime"], "2026-11-20");
    let moved = resources(deliveries)
        .into_iter()
        .find(|r| r["partOf"].is_array())
        .expect("the distribution");
    assert_eq!(moved["status"], "completed");
    assert_eq!(
        moved["partOf"][0]["reference"],
        format!(
            "SupplyDelivery/{}",
            fhir_medicines::line_delivery_id(&id(CONSIGNMENT), 0)
        )
    );
    assert_eq!(
        moved["supplier"]["reference"],
        "Organization/fac-ua-illustrative-central-warehouse.org"
    );
    assert_eq!(
        moved["destination"]["reference"],
        "Location/fac-ua-illustrative-kharkiv-a"
    );
    assert_eq!(moved["suppliedItem"]["quantity"]["value"], 5000);
    assert_eq!(moved["occurrenceDateTime"], "2026-12-01");
}

#[test]
fn an_undecided_consignment_is_in_progress() {
    let (dir, app) = kit::open();
    let mut app = app.with_clock(now);
    app.load_demo("test").expect("demo");
    let bundles = fhir_medicines::export(&app.ledger().expect("ledger"));
    let first = by_id(
        &bundles["SupplyDelivery"],
        &fhir_medicines::line_delivery_id(&id(CONSIGNMENT), 0),
    );
    assert_eq!(first["status"], "in-progress");
    drop(dir);
}
