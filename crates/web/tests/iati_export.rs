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

/// The number the preview says the download holds (0 when it offers none).
fn ready_count(body: &str) -> usize {
    match body.find("data-count=\"") {
        Some(at) => {
            let rest = &body[at + "data-count=\"".len()..];
            rest.split('"').next().unwrap().parse().unwrap()
        }
        None => {
            assert!(body.contains("id=\"iati-export-empty\""), "{body}");
            0
        }
    }
}

/// Left-out activities the preview lists, each with a reason.
fn left_out_rows(body: &str) -> usize {
    let rows: Vec<&str> = body
        .split("<tr><td><a href=\"/activities/")
        .skip(1)
        .collect();
    for r in &rows {
        let reason = r.split("<td>").nth(1).unwrap_or_default();
        assert!(reason.len() > "</td></tr>".len(), "a reason for each: {r}");
    }
    rows.len()
}

/// The preview of `query` and its download agree: the file (when one is offered) passes the
/// validator with the activities the preview counts, and every selected activity is either
/// in it or listed with a reason. Returns (exported, left out).
async fn check_export(c: &Client, cookie: &str, query: &str, selected: usize) -> (usize, usize) {
    let preview = c
        .send(Req::get(&format!("/export/iati{query}")).cookie(cookie))
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let n = ready_count(&preview.body);
    let left_out = left_out_rows(&preview.body);
    assert_eq!(n + left_out, selected, "{}", preview.body);
    let file = c
        .send(Req::get(&format!("/export/iati.xml{query}")).cookie(cookie))
        .await;
    if n == 0 {
        assert_eq!(file.status, StatusCode::NOT_FOUND, "no file to offer");
        return (n, left_out);
    }
    assert_eq!(file.status, StatusCode::OK, "{}", file.body);
    assert!(file.header("content-type").starts_with("application/xml"));
    assert!(file.header("content-disposition").starts_with("attachment"));
    assert_eq!(file.header("x-aidtrace-left-out"), left_out.to_string());
    assert_valid(&file.body, n);
    (n, left_out)
}

#[tokio::test]
async fn the_filtered_list_exports_a_valid_file_or_says_what_it_left_out() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (vic, _) = login(&c, "vic").await;
    let list = c.send(Req::get("/activities?q=semey").cookie(&vic)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains("href=\"/export/iati?q=semey\""),
        "the list links its own filter: {}",
        list.body
    );
    let shown = list.body.matches("<tr><td><a href=\"/activities/").count();
    assert!(shown >= 2, "{}", list.body);
    check_export(&c, &vic, "?q=semey&status=&instrument=", shown).await;
}

#[tokio::test]
async fn every_activity_is_exported_valid_or_left_out_with_a_reason() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (vic, _) = login(&c, "vic").await;
    let total = e.state.service().counts().unwrap()[aidtrace_domain::RecordKind::Activity.as_str()];
    check_export(&c, &vic, "", total).await;
}

#[tokio::test]
async fn an_activity_page_offers_its_own_export() {
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
    let (n, _) = check_export(&c, &ada, &format!("?activity={id}"), 1).await;
    if n == 1 {
        let file = c
            .send(Req::get(&format!("/export/iati.xml?activity={id}")).cookie(&ada))
            .await;
        assert!(
            file.header("content-disposition")
                .contains(&format!("{id}.xml"))
        );
    }
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

#[tokio::test]
async fn an_undated_activity_is_said_to_need_a_start_date_in_the_readers_language() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (vic, _) = login(&c, "vic").await;
    let query = "/export/iati?activity=act-kz-semey-equipment";
    let en = c.send(Req::get(query).cookie(&vic)).await.body;
    let row = &en[en.find("id=\"iati-left-out\"").expect("left out")..];
    assert!(
        row.contains("nothing dates it: IATI requires a planned or actual start date"),
        "{row}"
    );
    assert!(
        !row.contains("not expected"),
        "the schema's words for the missing date are not shown: {row}"
    );
    assert!(
        row.contains(">Grant aid for high-tech medical equipment at Semey State Medical University Hospital</a>"),
        "the activity by its title: {row}"
    );
    let uk = c
        .send(Req::get(&format!("{query}&lang=uk")).cookie(&vic))
        .await
        .body;
    assert!(uk.contains("ніщо не датує проєкт"), "{uk}");
}

#[tokio::test]
async fn an_activity_whose_reporter_has_no_iati_identifier_is_said_so_by_name_in_russian() {
    let e = env();
    e.with_service(|app| {
        app.load_json(
            "test",
            r#"[
  {"record": "organisation", "id": "o-who-kz", "name": "WHO Kazakhstan", "kind": "multilateral"},
  {"record": "activity", "id": "a-who-oxygen", "title": "Oxygen plants", "instrument": "grant_aid",
   "status": "implementation", "start_date": "2024-01-01", "reporting_org": "o-who-kz",
   "participants": [{"org": "o-who-kz", "role": "funding"}]}
]"#,
        )
        .unwrap()
    });
    e.state.invalidate();
    let c = Client::InProcess(e.state.clone());
    let (vic, _) = login(&c, "vic").await;
    let ru = c
        .send(Req::get("/export/iati?activity=a-who-oxygen&lang=ru").cookie(&vic))
        .await
        .body;
    let row = &ru[ru.find("id=\"iati-left-out\"").expect("left out")..];
    assert!(
        row.contains("у отчитывающейся организации «WHO Kazakhstan» нет идентификатора"),
        "{row}"
    );
    assert!(!row.contains("reporting-org"), "no schema jargon: {row}");
}

/// Takes every permit to build an export, as many exports in progress would.
fn all_builders_busy(e: &common::Env) -> tokio::sync::OwnedSemaphorePermit {
    let building = e.state.exports_building.clone();
    let n = u32::try_from(building.available_permits()).unwrap();
    building.try_acquire_many_owned(n).unwrap()
}

#[tokio::test]
async fn exports_beyond_what_the_server_builds_at_once_wait_their_turn() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let busy = all_builders_busy(&e);
    let r = c.get("/export/iati.xml").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert_eq!(r.header("retry-after"), "5");
    assert!(r.body.contains("building other IATI exports"), "{}", r.body);
    drop(busy);
    let built = c.get("/export/iati.xml").await;
    assert_eq!(built.status, StatusCode::OK, "{}", built.body);
    let _busy = all_builders_busy(&e);
    let again = c.get("/export/iati.xml").await;
    assert_eq!(
        again.status,
        StatusCode::OK,
        "an export already built from this snapshot is given again without building: {}",
        again.body
    );
    assert_eq!(again.body, built.body);
}
