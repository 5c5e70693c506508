//! IATI export as a download from the activity list (its filter) and from an activity page:
//! the file offered passes the project's own validator, and what was left out is listed.

#![allow(clippy::unwrap_used)]

mod common;

use aidtrace_iati::validate::{Options, Severity, validate_reader};
use axum::http::StatusCode;
use common::{Client, Req, env, login};

/// The download's body passes the three layers with no error, and holds `activities`
/// activities.
fn assert_valid(xml: &str, activities: usize) {
    let report = validate_reader("download.xml", xml.as_bytes(), &Options::default());
    let errors: Vec<_> = report
        .file_errors
        .iter()
        .chain(report.activities.iter().flat_map(|a| &a.errors))
        .filter(|i| i.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{xml}");
    assert_eq!(report.activities.len(), activities, "{xml}");
}

/// The number the preview says the download holds.
fn ready_count(body: &str) -> usize {
    let at = body.find("data-count=\"").expect(body) + "data-count=\"".len();
    body[at..].split('"').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn the_filtered_list_exports_a_valid_file() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (vic, _) = login(&c, "vic").await;
    let list = c.send(Req::get("/activities?q=semey").cookie(&vic)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body
            .contains("href=\"/export/iati?q=semey&amp;status=&amp;instrument=\""),
        "the list links its own filter: {}",
        list.body
    );
    let preview = c
        .send(Req::get("/export/iati?q=semey&status=&instrument=").cookie(&vic))
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let n = ready_count(&preview.body);
    assert!(n >= 1, "{}", preview.body);
    let file = c
        .send(Req::get("/export/iati.xml?q=semey&status=&instrument=").cookie(&vic))
        .await;
    assert_eq!(file.status, StatusCode::OK, "{}", file.body);
    assert!(file.header("content-type").starts_with("application/xml"));
    assert!(file.header("content-disposition").starts_with("attachment"));
    assert_valid(&file.body, n);
    assert!(file.body.contains("act-kz-semey") || file.body.contains("Semey"));
}

#[tokio::test]
async fn every_activity_exports_valid_or_is_left_out_with_a_reason() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (vic, _) = login(&c, "vic").await;
    let preview = c.send(Req::get("/export/iati").cookie(&vic)).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let n = ready_count(&preview.body);
    let file = c.send(Req::get("/export/iati.xml").cookie(&vic)).await;
    assert_eq!(file.status, StatusCode::OK, "{}", file.body);
    assert_valid(&file.body, n);
    let left_out: usize = file.header("x-aidtrace-left-out").parse().unwrap();
    let rows = preview
        .body
        .matches("<tr><td><a href=\"/activities/")
        .count();
    assert_eq!(
        rows, left_out,
        "each left-out activity listed: {}",
        preview.body
    );
    let total = e.state.service().counts().unwrap()[&aidtrace_domain::RecordKind::Activity];
    assert_eq!(n + left_out, total, "every activity is exported or listed");
}

#[tokio::test]
async fn an_activity_page_offers_its_own_valid_export() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let id = "act-kz-semey-equipment";
    let page = c.get(&format!("/activities/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains(&format!("href=\"/export/iati?activity={id}\"")),
        "{}",
        page.body
    );
    let (ada, _) = login(&c, "ada").await;
    let file = c
        .send(Req::get(&format!("/export/iati.xml?activity={id}")).cookie(&ada))
        .await;
    if file.status == StatusCode::NOT_FOUND {
        // Left out: the preview must say why.
        let preview = c
            .send(Req::get(&format!("/export/iati?activity={id}")).cookie(&ada))
            .await;
        assert!(
            preview.body.contains("id=\"iati-left-out\""),
            "{}",
            preview.body
        );
        return;
    }
    assert_eq!(file.status, StatusCode::OK, "{}", file.body);
    assert!(
        file.header("content-disposition")
            .contains(&format!("{id}.xml"))
    );
    assert_valid(&file.body, 1);
}

#[tokio::test]
async fn an_unknown_activity_or_an_empty_filter_offers_no_file() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let r = c.get("/export/iati.xml?activity=act-nope").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = c.get("/export/iati.xml?activity=bad%20id").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = c.get("/export/iati?q=no-such-activity-anywhere").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("id=\"iati-export-empty\""), "{}", r.body);
    let r = c.get("/export/iati.xml?q=no-such-activity-anywhere").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
