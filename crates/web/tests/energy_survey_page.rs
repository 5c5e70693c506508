//! The load survey on `/energy` and `/energy/survey/{id}` over real HTTP on the demo store:
//! oblasts with their ISO codes, unknown loads flagged as unknown (never 0), illustrative
//! hospitals marked, four languages, bad ids.

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{Client, env, spawn};

/// The `<tr>` of a table row with this id, as text.
fn row<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no row {id}"));
    let rest = &html[start..];
    &rest[..rest.find("</tr>").unwrap()]
}

#[tokio::test]
async fn energy_page_lists_oblasts_and_flags_unknown_loads() {
    let env = env();
    let client = Client::Socket(spawn(env.state.clone()).await);
    let page = client.get("/energy").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("id=\"energy-regions\""));
    assert!(page.body.contains("Kharkiv Oblast"));
    assert!(page.body.contains("UA-63"));
    assert!(page.body.contains("href=\"#energy-plan\""));
    // The blood centre's agitators state no kW: unknown, not covered, not 0.
    let blood = row(&page.body, "survey-fac-zhezbek-blood-centre");
    assert!(blood.contains("class=\"unknown\""), "{blood}");
    assert!(!blood.contains(">covered<"), "{blood}");
    // Okhmatdyt has no survey recorded.
    let okh = row(&page.body, "survey-fac-ua-okhmatdyt");
    assert!(okh.contains("not surveyed"), "{okh}");
    // Illustrative hospitals carry the badge.
    let a = row(&page.body, "survey-fac-ua-illustrative-kharkiv-a");
    assert!(a.contains("badge illustrative"), "{a}");
}

#[tokio::test]
async fn survey_page_shows_lines_with_unknowns_and_the_illustrative_note() {
    let env = env();
    let client = Client::InProcess(env.state.clone());
    let page = client
        .get("/energy/survey/fac-ua-illustrative-kyiv-oblast-h")
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("id=\"illustrative\""));
    assert!(page.body.contains("pharmacy cold room"));
    assert!(page.body.contains("unknown-row"));
    assert!(page.body.contains("medical gases"));
    assert!(page.body.contains("href=\"/energy#energy-plan\""));
}

#[tokio::test]
async fn survey_page_speaks_ukrainian() {
    let env = env();
    let client = Client::InProcess(env.state.clone());
    let page = client
        .get("/energy/survey/fac-zhezbek-blood-centre?lang=uk")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("життєзабезпечення"), "{}", page.body);
    assert!(page.body.contains("невідомо"));
}

#[tokio::test]
async fn facility_page_marks_illustrative_and_links_the_survey() {
    let env = env();
    let client = Client::InProcess(env.state.clone());
    let page = client.get("/facilities/fac-ua-illustrative-lviv-j").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"illustrative\""));
    assert!(
        page.body
            .contains("href=\"/energy/survey/fac-ua-illustrative-lviv-j\"")
    );
}

#[tokio::test]
async fn survey_of_an_unknown_facility_is_404() {
    let env = env();
    let client = Client::InProcess(env.state.clone());
    assert_eq!(
        client.get("/energy/survey/fac-nowhere").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        client.get("/energy/survey/%20bad%20id").await.status,
        StatusCode::NOT_FOUND
    );
}
