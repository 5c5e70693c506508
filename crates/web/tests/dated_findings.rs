//! The web findings include the dated checks, with the server's `undisbursed_after_days`
//! (`serve --undisbursed-days`): an old commitment with nothing disbursed is listed, unless the
//! server allows it more time.

#![allow(clippy::unwrap_used)]

mod common;

use aidtrace_web::WebConfig;
use axum::http::{Method, StatusCode};
use common::{Client, Req, env_with, spawn};
use serde_json::json;

async fn findings_with(days: u32) -> Vec<String> {
    let e = env_with(WebConfig {
        secure_cookies: false,
        undisbursed_after_days: days,
        ..WebConfig::default()
    });
    let c = Client::Socket(spawn(e.state.clone()).await);
    let admin = e.token("ada");
    let flow = json!({"id": "flow-old-commitment", "activity": "act-kz-semey-equipment",
        "kind": "commitment", "money": {"amount": "1000", "currency": "EUR", "value_date": "2020-01-06"}});
    let r = c
        .send(
            Req::new(Method::PUT, "/api/v1/flows/flow-old-commitment")
                .bearer(&admin)
                .header("if-none-match", "*")
                .json(&flow),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let all = c.get("/api/v1/findings").await.json();
    all.as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "LEDGER-UNDISBURSED")
        .map(|f| f["record"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn an_old_commitment_without_disbursement_is_a_finding_on_the_api() {
    assert_eq!(
        findings_with(365).await,
        vec!["flow-old-commitment".to_string()]
    );
}

#[tokio::test]
async fn the_server_s_undisbursed_time_is_honoured() {
    assert!(findings_with(36_500).await.is_empty());
}
