//! The OpenAPI document served at /api/v1/openapi.json (over a real socket): it parses as
//! OpenAPI 3.1, every parameter, body and response of every operation has a schema, errors use
//! the ApiError shape, and every /api/v1 route the router serves is documented. The full
//! validation (openapi-spec-validator, schemathesis) is scripts/api-conformance.sh.

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{Method, StatusCode};
use common::{Client, Req, env, spawn};
use serde_json::Value;

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

async fn document() -> Value {
    let e = env();
    let c = Client::Socket(spawn(e.state.clone()).await);
    let r = c.get("/api/v1/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    r.json()
}

/// Every (path, method, operation) in the document.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in METHODS {
            if let Some(op) = item.get(m) {
                out.push((path.clone(), m.to_string(), op.clone()));
            }
        }
    }
    out
}

#[tokio::test]
async fn the_document_parses_as_openapi_3_1() {
    let doc = document().await;
    assert_eq!(doc["openapi"], "3.1.0");
    let parsed: utoipa::openapi::OpenApi = serde_json::from_value(doc.clone()).unwrap();
    assert!(
        parsed.paths.paths.len() >= 20,
        "{} paths",
        parsed.paths.paths.len()
    );
    assert!(operations(&doc).len() >= 40);
}

#[tokio::test]
async fn every_parameter_of_every_operation_has_a_schema() {
    let doc = document().await;
    for (path, method, op) in operations(&doc) {
        for p in op["parameters"].as_array().into_iter().flatten() {
            assert!(
                p["schema"].is_object(),
                "{method} {path}: parameter {} has no schema",
                p["name"]
            );
        }
        // Path templates and path parameters agree.
        for segment in path.split('/').filter(|s| s.starts_with('{')) {
            let name = segment.trim_matches(['{', '}']);
            assert!(
                op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|p| p["name"] == name && p["in"] == "path"),
                "{method} {path}: {name} undeclared"
            );
        }
    }
}

#[tokio::test]
async fn every_body_and_response_has_a_schema_and_errors_are_api_errors() {
    let doc = document().await;
    for (path, method, op) in operations(&doc) {
        if let Some(body) = op.get("requestBody") {
            for (media, content) in body["content"].as_object().unwrap() {
                assert!(
                    content["schema"].is_object(),
                    "{method} {path}: body {media}"
                );
            }
        }
        let responses = op["responses"].as_object().unwrap();
        assert!(
            responses.keys().any(|s| s.starts_with('2')),
            "{method} {path}: no success"
        );
        for (status, response) in responses {
            let content = response["content"].as_object();
            assert!(content.is_some(), "{method} {path} {status}: no content");
            for (media, c) in content.unwrap() {
                assert!(
                    c["schema"].is_object(),
                    "{method} {path} {status} {media}: no schema"
                );
                if status.starts_with('4') {
                    assert_eq!(
                        c["schema"]["$ref"], "#/components/schemas/ApiError",
                        "{method} {path} {status}"
                    );
                }
            }
        }
    }
    // Every reference resolves.
    let text = doc.to_string();
    for part in text.split("\"#/components/schemas/").skip(1) {
        let name = &part[..part.find('"').unwrap()];
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "schema {name} is referred to but missing"
        );
    }
}

/// Routes as the router declares them (`.route("/api/v1/…"` in the crate's sources), with
/// `{collection}` expanded to the collections: each must be a path of the document.
#[tokio::test]
async fn every_api_route_is_documented() {
    let doc = document().await;
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut routes = Vec::new();
    // Modules may be folders (`forms/`): read every `.rs` file below `src`.
    let mut files = Vec::new();
    let mut dirs = vec![src];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        for part in text.split(".route(\"").skip(1) {
            let path = &part[..part.find('"').unwrap()];
            if path.starts_with("/api/") {
                routes.push(path.to_string());
            }
        }
    }
    assert!(routes.len() >= 10, "{routes:?}");
    for route in routes {
        let expanded: Vec<String> = if route.contains("{collection}") {
            aidtrace_web::api::COLLECTIONS
                .iter()
                .map(|(c, _)| route.replace("{collection}", c))
                .collect()
        } else {
            vec![route]
        };
        for path in expanded {
            assert!(
                doc["paths"][&path].is_object(),
                "{path} is served but not documented"
            );
        }
    }
}

#[tokio::test]
async fn a_proposed_change_has_exactly_the_fields_its_schema_lists() {
    let e = env();
    let c = Client::Socket(spawn(e.state.clone()).await);
    let doc = c.get("/api/v1/openapi.json").await.json();
    let editor = e.token("eve");
    let path = "/api/v1/activities/act-kz-semey-equipment";
    let cur = c.send(Req::get(path).bearer(&editor)).await;
    let mut body = cur.json();
    body["description"] = Value::String("a proposal".into());
    let r = c
        .send(
            Req::new(Method::PUT, path)
                .bearer(&editor)
                .header("if-match", &cur.header("etag"))
                .json(&body),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let list = c
        .send(Req::get("/api/v1/changes").bearer(&editor))
        .await
        .json();
    let row = list[0].as_object().unwrap();
    let schema = doc["components"]["schemas"]["ChangeRow"]["properties"]
        .as_object()
        .unwrap();
    let mut sent: Vec<&String> = row.keys().collect();
    let mut documented: Vec<&String> = schema.keys().collect();
    sent.sort();
    documented.sort();
    assert_eq!(sent, documented);
}

#[tokio::test]
async fn each_collection_schema_has_a_seed_record_as_its_example() {
    let doc = document().await;
    for name in ["Activity", "Flow", "Organisation", "Facility", "Source"] {
        let schema = &doc["components"]["schemas"][name];
        let example = &schema["examples"][0];
        assert!(example["id"].is_string(), "{name}: {example}");
        assert!(
            schema["properties"]["record"].is_object(),
            "{name}: no record tag"
        );
    }
}
