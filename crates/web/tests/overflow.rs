//! Stored amounts whose sum exceeds a decimal (written behind validation's back, as data stored
//! before the amount bound would be) used to panic while building the snapshot, so every page
//! answered 500. Now the pages answer and show the sum as overflow.

mod common;

use axum::http::StatusCode;
use common::{Client, env};

const FLOWS: &str = r#"{"records": [
  {"record": "activity", "id": "a-huge", "title": "Huge", "instrument": "grant_aid", "status": "implementation"},
  {"record": "flow", "id": "f-huge-1", "activity": "a-huge", "kind": "commitment", "money": {"amount": "5", "currency": "USD", "value_date": "2024-01-01"}},
  {"record": "flow", "id": "f-huge-2", "activity": "a-huge", "kind": "commitment", "money": {"amount": "5", "currency": "USD", "value_date": "2024-01-01"}}
]}"#;

fn huge_env() -> common::Env {
    let e = env();
    e.state
        .service()
        .load_json("test", FLOWS)
        .expect("valid flows");
    // The largest decimal, twice: each fits, their sum does not.
    let changed = match &e.database {
        Some(pg) => pg
            .execute(
                "UPDATE flows SET doc = jsonb_set(doc::jsonb, '{money,amount}', '\"79228162514264337593543950335\"')::text WHERE id LIKE 'f-huge-%'",
            )
            .expect("update"),
        None => rusqlite::Connection::open(e.dir.path().join("web.db"))
            .expect("open")
            .execute(
                "UPDATE flows SET doc = json_set(doc, '$.money.amount', '79228162514264337593543950335') WHERE id LIKE 'f-huge-%'",
                [],
            )
            .expect("update") as u64,
    };
    assert_eq!(changed, 2);
    e.state.invalidate();
    e
}

#[tokio::test]
async fn the_dashboard_shows_an_overflowing_total_as_overflow() {
    let e = huge_env();
    let c = Client::InProcess(e.state.clone());
    let page = c.get("/").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("overflow"), "{}", page.body);
    let api = c.get("/api/v1/dashboard").await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    assert!(api.body.contains("\"overflow\""), "{}", api.body);
}

#[tokio::test]
async fn the_totals_export_and_the_quality_page_name_the_overflow() {
    let e = huge_env();
    let c = Client::InProcess(e.state.clone());
    let csv = c.get("/export/totals/csv?by=donor").await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    assert!(csv.body.contains("overflow"), "{}", csv.body);
    let quality = c.get("/quality").await;
    assert_eq!(quality.status, StatusCode::OK, "{}", quality.body);
    assert!(quality.body.contains("LEDGER-OVERFLOW"), "{}", quality.body);
}
