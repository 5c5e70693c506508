//! `fhir export` output validates against HL7's FHIR R4 JSON Schema (in ../shared), each
//! resource against its own definition so errors name the field.

mod fhir_kit;
mod kit;

use aidtrace_service::fhir;
use fhir_kit::{errors, shared, validator};
use serde_json::{Value, json};

#[test]
fn exported_bundles_validate_against_fhir_r4() {
    let Some(path) = shared() else { return };
    let schema = fhir_kit::schema(&path);
    let (dir, mut app) = kit::open();
    app.load_demo("test").expect("demo");
    let out = dir.path().join("fhir");
    let files = fhir::write(&app.ledger().expect("ledger"), &out).expect("export");
    assert_eq!(files.len(), 4);

    let mut validators = std::collections::HashMap::new();
    let mut counts = std::collections::BTreeMap::new();
    for file in files {
        let bundle: Value =
            serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("json");
        assert_eq!(bundle["resourceType"], "Bundle");
        assert_eq!(bundle["type"], "collection");
        for entry in bundle["entry"].as_array().expect("entries") {
            let resource = &entry["resource"];
            let kind = resource["resourceType"].as_str().expect("type").to_string();
            let v = validators
                .entry(kind.clone())
                .or_insert_with(|| validator(&schema, &kind));
            let problems = errors(v, resource);
            assert!(
                problems.is_empty(),
                "{kind} {}: {problems:#?}",
                resource["id"]
            );
            *counts.entry(kind).or_insert(0) += 1;
        }
    }
    assert_eq!(counts["Device"], 16);
    // One Location per demo facility: four in Kazakhstan, eleven hospitals in Ukraine (ten
    // illustrative) and the illustrative medicines warehouse.
    assert_eq!(counts["Location"], 16);
    assert!(counts["DeviceDefinition"] >= 6);

    // The validator is not a rubber stamp: a status outside R4's value set and an unknown element
    // are refused.
    let device = validator(&schema, "Device");
    let bad_status = json!({ "resourceType": "Device", "id": "x", "status": "under_repair" });
    assert!(!errors(&device, &bad_status).is_empty());
    let unknown = json!({ "resourceType": "Device", "id": "x", "colour": "red" });
    assert!(!errors(&device, &unknown).is_empty());
}

#[test]
fn lifecycle_state_travels_in_the_extension() {
    let (_dir, mut app) = kit::open();
    app.load_demo("test").expect("demo");
    let bundles = fhir::export(&app.ledger().expect("ledger"));
    let vent = bundles["Device"]["entry"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| &e["resource"])
        .find(|r| r["id"] == "as-semey-vent-2")
        .expect("ventilator 2");
    assert_eq!(vent["status"], "inactive");
    let state = vent["extension"]
        .as_array()
        .expect("ext")
        .iter()
        .find(|e| e["url"] == format!("{}lifecycle-state", fhir::EXT_BASE))
        .expect("lifecycle extension");
    assert_eq!(state["valueCode"], "down");
    assert_eq!(
        vent["location"]["reference"],
        "Location/fac-semey-university-hospital"
    );
}

#[test]
fn fhir_ids_are_valid_and_distinct() {
    assert_eq!(fhir::fhir_id("as-semey-mri-1"), "as-semey-mri-1");
    let a = fhir::fhir_id("a_b");
    let b = fhir::fhir_id("a:b");
    assert_ne!(a, b);
    let long = fhir::fhir_id(&"x".repeat(150));
    assert!(long.len() <= 64, "{long}");
    for id in [a, b, long] {
        assert!(
            id.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        );
    }
}
