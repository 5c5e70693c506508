//! The read model follows writes: one through the API (its records applied to the published
//! ledger), one by another process on the same file (picked up by the ledger-version check
//! after `snapshot_ttl`), and API lists paged from the store.

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{Method, StatusCode};
use common::{Client, Req, env};
use serde_json::json;

fn flow(id: &str, amount: &str) -> serde_json::Value {
    json!({"record": "flow", "id": id, "activity": "act-kz-semey-equipment",
        "kind": "disbursement",
        "money": {"amount": amount, "currency": "JPY", "value_date": "2024-05-01"}})
}

#[tokio::test]
async fn a_flow_put_through_the_api_shows_in_the_next_dashboard() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let before = c.get("/api/v1/dashboard").await.json();
    let admin = e.token("ada");
    let put = c
        .send(
            Req::new(Method::PUT, "/api/v1/flows/flow-read-model-1")
                .bearer(&admin)
                .json(&flow("flow-read-model-1", "50000000")),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    let after = c.get("/api/v1/dashboard").await.json();
    assert_ne!(
        before["totals"]["donor"], after["totals"]["donor"],
        "the disbursement changes the donor totals"
    );
}

#[tokio::test]
async fn a_write_by_another_process_shows_after_the_ttl() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let before = c.get("/api/v1/dashboard").await.json();
    let record =
        aidtrace_service::records::record_from_json(flow("flow-read-model-2", "70000000")).unwrap();
    let mut other = aidtrace_service::Aidtrace::open(&e.db).unwrap();
    other.put("cli", vec![record]).unwrap();
    drop(other);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let after = c.get("/api/v1/dashboard").await.json();
    assert_ne!(before["totals"]["donor"], after["totals"]["donor"]);
}

#[tokio::test]
async fn an_api_list_pages_the_store_in_id_order() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let all = c.get("/api/v1/organisations?per_page=500").await.json();
    let total = all["total"].as_u64().unwrap();
    assert!(total > 3);
    let ids: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted);
    let page = c
        .get("/api/v1/organisations?per_page=2&page=2")
        .await
        .json();
    assert_eq!(page["total"].as_u64().unwrap(), total);
    let second: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(second, ids[2..4]);
}
