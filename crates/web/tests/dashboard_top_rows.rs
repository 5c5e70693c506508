//! The dashboard shows the largest rows of each grouping and links to all of them (over real
//! HTTP on 127.0.0.1), and its cached body is sent whole (a frame written per request around a
//! shared body, with the right length).

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{Client, Env, env, spawn};

/// Thirty donors, donor `i` giving `i × 100` USD.
fn fixture() -> String {
    let mut records = vec![
        r#"{"record": "activity", "id": "act-test-many", "title": "Many donors", "instrument": "grant_aid", "status": "implementation"}"#.to_string(),
    ];
    for i in 1..=30 {
        records.push(format!(
            r#"{{"record": "organisation", "id": "org-top-{i}", "name": "Top donor {i:02}", "kind": "government", "roles": ["donor"]}}"#
        ));
        records.push(format!(
            r#"{{"record": "flow", "id": "f-top-{i}", "activity": "act-test-many", "kind": "disbursement",
                "money": {{"amount": "{}", "currency": "USD", "value_date": "2024-01-01"}}, "provider": "org-top-{i}"}}"#,
            i * 100
        ));
    }
    format!(r#"{{"records": [{}]}}"#, records.join(","))
}

async fn client() -> (Env, Client) {
    let env = env();
    env.state.service().load_json("test", &fixture()).unwrap();
    let addr = spawn(env.state.clone()).await;
    (env, Client::Socket(addr))
}

fn section<'a>(body: &'a str, id: &str) -> &'a str {
    let at = body.find(&format!("<section id=\"{id}\"")).unwrap();
    &body[at..at + body[at..].find("</section>").unwrap()]
}

#[tokio::test]
async fn a_grouping_with_many_rows_shows_the_largest_and_links_to_all() {
    let (_e, c) = client().await;
    let r = c.get("/").await;
    assert_eq!(r.status, StatusCode::OK);
    let donors = section(&r.body, "totals-donor");
    assert_eq!(donors.matches("<tr>").count(), 1 + 25, "header and 25 rows");
    assert!(donors.contains("Top donor 30"), "the largest is shown");
    assert!(
        !donors.contains("Top donor 01"),
        "the smallest is left to the full list"
    );
    assert!(donors.contains(r#"id="totals-donor-top""#));
    assert!(donors.contains(r#"href="/totals?by=donor""#), "{donors}");
    let all = c.get("/totals?by=donor").await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    let table = section(&all.body, "totals-donor");
    assert!(table.contains("Top donor 01") && table.contains("Top donor 30"));
    assert!(!table.contains("totals-donor-top"));
}

#[tokio::test]
async fn the_full_list_keeps_the_filter_and_refuses_an_unknown_grouping() {
    let (_e, c) = client().await;
    let r = c.get("/?year_from=2024").await;
    let donors = section(&r.body, "totals-donor");
    assert!(
        donors.contains(r#"href="/totals?year_from=2024&amp;by=donor""#),
        "{donors}"
    );
    let all = c.get("/totals?year_from=2024&by=donor").await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(
        all.body.contains(
            r#"<input type="number" name="year_from" min="1900" max="2200" value="2024""#
        )
    );
    let bad = c.get("/totals?by=planet").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("planet"));
}

#[tokio::test]
async fn the_shared_dashboard_body_is_sent_whole_in_its_frame() {
    let (_e, c) = client().await;
    for _ in 0..2 {
        // The second answer comes from the cache.
        let r = c.get("/?lang=uk").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.header("content-type").starts_with("text/html"));
        assert_eq!(r.header("content-length"), r.body.len().to_string());
        assert!(r.body.starts_with("<!DOCTYPE html>"), "{}", &r.body[..80]);
        assert!(r.body.trim_end().ends_with("</html>"));
        assert!(!r.body.contains("aidtrace-content-mark"));
        assert!(r.body.contains("<html lang=\"uk\">"));
        assert!(r.body.contains("id=\"totals-donor\""));
        assert!(r.body.contains("no-store") || r.header("cache-control") == "no-store");
    }
}
