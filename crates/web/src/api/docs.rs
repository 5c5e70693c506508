//! `/api`: the OpenAPI document rendered as a page by the server (no script, no viewer
//! fetched from elsewhere): every operation with its parameters, body and responses, and every
//! schema with its fields and the example the document carries. The interface around it
//! follows the reader's language; the API's own descriptions are the document's (English).

use std::sync::LazyLock;

use axum::Router;
use axum::response::Html;
use axum::routing::get;
use maud::{Markup, html};
use serde_json::Value;

use crate::auth::Caller;
use crate::i18n::t;
use crate::request_ctx::layout;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api", get(page))
}

/// The document is built from constant tables and the seed; it is the same for every request.
static DOC: LazyLock<Value> =
    LazyLock::new(|| serde_json::to_value(crate::api::openapi()).unwrap_or(Value::Null));

const METHODS: [&str; 5] = ["get", "put", "post", "patch", "delete"];

fn anchor(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// A schema in a few words: a link for a named one, the type with its values otherwise.
fn schema_text(s: &Value) -> Markup {
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or(r);
        return html! { a href=(format!("#schema-{}", anchor(name))) { code { (name) } } };
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(list) = s.get(key).and_then(Value::as_array) {
            return html! {
                @for (i, item) in list.iter().enumerate() {
                    @if i > 0 { " | " }
                    (schema_text(item))
                }
            };
        }
    }
    let ty = match s.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" | "),
        _ => String::new(),
    };
    html! {
        @if ty.contains("array") {
            code { "array" } " [" (s.get("items").map_or(html! {}, schema_text)) "]"
        } @else if !ty.is_empty() {
            code { (ty) }
        }
        @if let Some(f) = s.get("format").and_then(Value::as_str) { " (" code { (f) } ")" }
        @if let Some(values) = s.get("enum").and_then(Value::as_array) {
            ": " @for (i, v) in values.iter().enumerate() { @if i > 0 { ", " } code { (v.as_str().map_or_else(|| v.to_string(), str::to_string)) } }
        }
    }
}

/// The document's descriptions mark identifiers with backticks (Markdown code spans); shown as
/// code, the rest as text.
fn described(text: &str) -> Markup {
    html! {
        @for (i, part) in text.split('`').enumerate() {
            @if i % 2 == 1 { code { (part) } } @else { (part) }
        }
    }
}

fn example_of(s: &Value) -> Option<&Value> {
    s.get("examples")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
        .or_else(|| s.get("example"))
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

fn operation(path: &str, method: &str, op: &Value) -> Markup {
    let id = op
        .get("operationId")
        .and_then(Value::as_str)
        .unwrap_or(path);
    let text = |k: &str| {
        op.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let params = op
        .get("parameters")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    html! {
        section class="api-op" id=(format!("op-{}", anchor(id))) {
            h3 { code { (method.to_uppercase()) " " (path) } }
            p lang="en" { (described(&text("summary"))) }
            @if !text("description").is_empty() { p lang="en" { (described(&text("description"))) } }
            @if !params.is_empty() {
                h4 { (t("api-parameters")) }
                table class="list" {
                    thead { tr { th { (t("col-name")) } th { (t("api-in")) } th { (t("api-type")) } th { (t("api-description")) } } }
                    tbody {
                        @for p in &params {
                            tr {
                                td { code { (p["name"].as_str().unwrap_or_default()) } @if p["required"].as_bool() == Some(true) { " " span class="muted" { (t("api-required")) } } }
                                td { (p["in"].as_str().unwrap_or_default()) }
                                td { (schema_text(&p["schema"])) }
                                td lang="en" { (described(p["description"].as_str().unwrap_or_default())) }
                            }
                        }
                    }
                }
            }
            @if let Some(body) = op.get("requestBody") {
                h4 { (t("api-request-body")) }
                p lang="en" { (described(body["description"].as_str().unwrap_or_default())) }
                @if let Some(content) = body.get("content").and_then(Value::as_object) {
                    @for (media, c) in content {
                        p { code { (media) } ": " (schema_text(&c["schema"])) }
                    }
                }
            }
            @if let Some(responses) = op.get("responses").and_then(Value::as_object) {
                h4 { (t("api-responses")) }
                ul {
                    @for (status, r) in responses {
                        li {
                            strong { (status) } " " span lang="en" { (described(r["description"].as_str().unwrap_or_default())) }
                            @if let Some(content) = r.get("content").and_then(Value::as_object) {
                                @for (media, c) in content { " — " code { (media) } " " (schema_text(&c["schema"])) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn schema_section(name: &str, s: &Value) -> Markup {
    let required: Vec<&str> = s
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    html! {
        section class="api-schema" id=(format!("schema-{}", anchor(name))) {
            h3 { code { (name) } }
            @if let Some(d) = s.get("description").and_then(Value::as_str) { p lang="en" { (described(d)) } }
            @if let Some(props) = s.get("properties").and_then(Value::as_object) {
                table class="list" {
                    thead { tr { th { (t("col-name")) } th { (t("api-type")) } th { (t("api-description")) } } }
                    tbody {
                        @for (field, p) in props {
                            tr {
                                td { code { (field) } @if required.contains(&field.as_str()) { " " span class="muted" { (t("api-required")) } } }
                                td { (schema_text(p)) }
                                td lang="en" { (described(p.get("description").and_then(Value::as_str).unwrap_or_default())) }
                            }
                        }
                    }
                }
            } @else {
                p { (schema_text(s)) }
            }
            @if let Some(example) = example_of(s) {
                details class="example" {
                    summary { (t("api-example")) }
                    pre { code { (pretty(example)) } }
                }
            }
        }
    }
}

pub async fn page(caller: Caller) -> Html<String> {
    let doc = &*DOC;
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    let ops: Vec<(String, &str, Value)> = paths
        .iter()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter_map(move |m| item.get(*m).map(|op| (path.clone(), *m, op.clone())))
        })
        .collect();
    let schemas = doc["components"]["schemas"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let content = html! {
        p { (t("api-intro")) " " a href="/api/v1/openapi.json" id="openapi-json" { "openapi.json" } }
        p class="muted" { (t("api-english")) }
        @if let Some(d) = doc["info"]["description"].as_str() { p lang="en" { (described(d)) } }
        h2 { (t("api-operations")) }
        div class="table-scroll" {
            table class="list" id="api-index" {
                tbody {
                    @for (path, method, op) in &ops {
                        @let id = op.get("operationId").and_then(Value::as_str).unwrap_or(path);
                        tr {
                            td { code { (method.to_uppercase()) } }
                            td { a href=(format!("#op-{}", anchor(id))) { code { (path) } } }
                            td lang="en" { (described(op.get("summary").and_then(Value::as_str).unwrap_or_default())) }
                        }
                    }
                }
            }
        }
        @for (path, method, op) in &ops { (operation(path, method, op)) }
        h2 { (t("api-schemas")) }
        @for (name, s) in &schemas { (schema_section(name, s)) }
    };
    layout(&t("api-title"), &caller, content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_has_operations_and_schemas() {
        assert!(DOC["paths"].as_object().is_some_and(|p| p.len() > 10));
        assert!(
            DOC["components"]["schemas"]
                .as_object()
                .is_some_and(|s| s.len() > 5)
        );
    }

    #[test]
    fn references_link_to_their_schema() {
        let m = schema_text(&serde_json::json!({"$ref": "#/components/schemas/Facility"}));
        assert_eq!(
            m.into_string(),
            "<a href=\"#schema-Facility\"><code>Facility</code></a>"
        );
    }

    #[test]
    fn backticks_become_code() {
        let m = described("send `If-Match` first").into_string();
        assert_eq!(m, "send <code>If-Match</code> first");
    }

    #[test]
    fn enums_list_their_values() {
        let m =
            schema_text(&serde_json::json!({"type": "string", "enum": ["a", "b"]})).into_string();
        assert!(m.contains("<code>a</code>, <code>b</code>"), "{m}");
    }
}
