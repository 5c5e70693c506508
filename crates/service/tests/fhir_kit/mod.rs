//! HL7's FHIR R4 JSON Schema (in ../shared) as a validator per resource type, so errors name the
//! field: shared by the equipment and the medicines exports' tests.

use std::path::PathBuf;

use serde_json::{Value, json};

/// The schema's path, or `None` (and a note) when it is missing outside CI; CI must have it.
pub fn shared() -> Option<PathBuf> {
    let dir = std::env::var("AIDTRACE_SHARED").map_or_else(
        |_| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")),
        PathBuf::from,
    );
    let schema = dir.join("fhir/fhir.schema.json");
    if schema.exists() {
        return Some(schema);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{} is missing; CI must have the shared reference files",
        schema.display()
    );
    eprintln!("skipping: {} not found", schema.display());
    None
}

/// The schema, read once per test.
pub fn schema(path: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read schema")).expect("json")
}

/// A validator for one resource type's definition.
pub fn validator(schema: &Value, definition: &str) -> jsonschema::Validator {
    let root = json!({
        "$schema": "http://json-schema.org/draft-06/schema#",
        "$ref": format!("#/definitions/{definition}"),
        "definitions": schema["definitions"].clone(),
    });
    jsonschema::draft6::new(&root).expect("schema compiles")
}

/// Every error of `instance`, with where it is.
pub fn errors(v: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    v.iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}
