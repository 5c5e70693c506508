//! The activity list's IATI export holds exactly the activities the list shows for the same
//! address, whatever filter field is set (over real HTTP on 127.0.0.1), and the list's CSV
//! export carries the same rows. One test per family of filter fields.
//!
//! Fixture: activity A (European Union, Kazakhstan / Abai region, sector 12191, Semey hospital,
//! implementation, technical cooperation, a 2023 disbursement) and activity B (JICA, an agency
//! under the Government of Japan; Ukraine, sector 12220, pipeline, loan, a 2024 commitment).

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{Client, Env, env, spawn};

const FIXTURE: &str = r#"{"records": [
  {"record": "organisation", "id": "org-test-eu", "name": "European Union", "kind": "multilateral", "roles": ["donor"]},
  {"record": "activity", "id": "act-test-a", "title": "Filter test activity A", "instrument": "technical_cooperation",
   "status": "implementation", "participants": [{"org": "org-test-eu", "role": "funding"}],
   "countries": [{"country": "KZ", "percentage": "100"}],
   "regions": [{"country": "KZ", "name": "Abai region", "percentage": "100"}],
   "sectors": [{"code": "12191", "percentage": "100"}],
   "facilities": ["fac-semey-university-hospital"]},
  {"record": "flow", "id": "f-test-a", "activity": "act-test-a", "kind": "disbursement",
   "money": {"amount": "1000", "currency": "USD", "value_date": "2023-05-01"}, "provider": "org-test-eu"},
  {"record": "activity", "id": "act-test-b", "title": "Filter test activity B", "instrument": "loan",
   "status": "pipeline", "participants": [{"org": "org-jica", "role": "funding"}],
   "countries": [{"country": "UA", "percentage": "100"}],
   "sectors": [{"code": "12220", "percentage": "100"}]},
  {"record": "flow", "id": "f-test-b", "activity": "act-test-b", "kind": "commitment",
   "money": {"amount": "2000", "currency": "USD", "value_date": "2024-05-01"}, "provider": "org-jica"}
]}"#;

async fn client() -> (Env, Client) {
    let env = env();
    env.state.service().load_json("test", FIXTURE).unwrap();
    let addr = spawn(env.state.clone()).await;
    (env, Client::Socket(addr))
}

async fn ok(c: &Client, path: &str) -> String {
    let r = c.get(path).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    r.body
}

/// Record ids linked from the rows of the activity list.
fn listed(body: &str) -> Vec<String> {
    let table = &body[body.find("id=\"table-activities\"").unwrap()..];
    let rows = &table[table.find("<tbody>").unwrap()..table.find("</tbody>").unwrap()];
    rows.split("<a href=\"/activities/")
        .skip(1)
        .map(|r| r.split('"').next().unwrap().to_string())
        .collect()
}

/// Record ids in the first column of the activities CSV.
fn csv_ids(body: &str) -> Vec<String> {
    body.lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect()
}

/// What the IATI export of `query` holds: the titles in the file and the left-out ids.
struct Exported {
    xml: String,
    left_out: Vec<String>,
}

impl Exported {
    /// An activity is selected when the file holds it or the preview says why it is not.
    fn has(&self, id: &str, title: &str) -> bool {
        self.xml.contains(title) || self.left_out.iter().any(|l| l == id)
    }
}

/// Checks that the list, its CSV and its IATI export select the same activities for `query`,
/// and returns the export.
async fn same_selection(c: &Client, query: &str) -> Exported {
    let list = listed(&ok(c, &format!("/activities{query}")).await);
    let csv = csv_ids(&ok(c, &format!("/export/activities/csv{query}")).await);
    assert_eq!(list, csv, "{query}: the CSV holds the list's rows");
    let preview = ok(c, &format!("/export/iati{query}")).await;
    let left_out: Vec<String> = match preview.find("id=\"iati-left-out\"") {
        None => Vec::new(),
        Some(at) => preview[at..]
            .split("<td><a href=\"/activities/")
            .skip(1)
            .map(|r| r.split('"').next().unwrap().to_string())
            .collect(),
    };
    for id in &left_out {
        assert!(
            list.contains(id),
            "{query}: left out {id} is not in the list"
        );
    }
    let file = c.get(&format!("/export/iati.xml{query}")).await;
    let xml = if file.status == StatusCode::OK {
        file.body
    } else {
        assert_eq!(file.status, StatusCode::NOT_FOUND, "{query}: {}", file.body);
        String::new()
    };
    let in_file = xml.matches("</iati-activity>").count();
    assert_eq!(
        in_file + left_out.len(),
        list.len(),
        "{query}: every listed activity is in the file or left out with a reason\n{preview}"
    );
    // The preview's download link carries the whole filter: it gives the same file.
    if in_file > 0 {
        let at = preview.find("id=\"iati-download\"").unwrap();
        let start = preview[..at].rfind("href=\"").unwrap() + "href=\"".len();
        let href = preview[start..]
            .split('"')
            .next()
            .unwrap()
            .replace("&amp;", "&");
        let ids = |x: &str| -> Vec<String> {
            x.lines()
                .filter(|l| l.contains("<iati-identifier>"))
                .map(str::to_string)
                .collect()
        };
        assert_eq!(ids(&ok(c, &href).await), ids(&xml), "{query}: {href}");
    }
    Exported { xml, left_out }
}

const A: (&str, &str) = ("act-test-a", "Filter test activity A");
const B: (&str, &str) = ("act-test-b", "Filter test activity B");

async fn assert_selects(c: &Client, query: &str, a: bool, b: bool) {
    let e = same_selection(c, query).await;
    assert_eq!(e.has(A.0, A.1), a, "{query}: activity A");
    assert_eq!(e.has(B.0, B.1), b, "{query}: activity B");
}

#[tokio::test]
async fn without_a_filter_everything_listed_is_exported_or_left_out() {
    let (_e, c) = client().await;
    assert_selects(&c, "", true, true).await;
}

#[tokio::test]
async fn years_select_the_activities_with_flows_dated_in_the_range() {
    let (_e, c) = client().await;
    assert_selects(&c, "?year_from=2024&year_to=2024", false, true).await;
    assert_selects(&c, "?year_to=2023", true, false).await;
}

#[tokio::test]
async fn a_donor_selects_its_activities_with_or_without_its_agencies() {
    let (_e, c) = client().await;
    assert_selects(&c, "?donor=org-test-eu", true, false).await;
    assert_selects(&c, "?donor=org-gov-japan", false, true).await;
    assert_selects(&c, "?donor=org-gov-japan&agencies=false", false, false).await;
}

#[tokio::test]
async fn recipient_region_and_sector_select_by_their_shares() {
    let (_e, c) = client().await;
    assert_selects(&c, "?recipient=UA", false, true).await;
    assert_selects(&c, "?region=KZ%3AAbai%20region", true, false).await;
    assert_selects(&c, "?sector=122", false, true).await;
    assert_selects(&c, "?sector=12191", true, false).await;
}

#[tokio::test]
async fn a_facility_selects_the_activities_naming_it() {
    let (_e, c) = client().await;
    assert_selects(&c, "?facility=fac-semey-university-hospital", true, false).await;
}

#[tokio::test]
async fn kind_status_and_instrument_select_their_activities() {
    let (_e, c) = client().await;
    assert_selects(&c, "?kind=commitment", false, true).await;
    assert_selects(&c, "?status=pipeline", false, true).await;
    assert_selects(&c, "?instrument=loan", false, true).await;
    assert_selects(&c, "?q=filter%20test&status=implementation", true, false).await;
}

#[tokio::test]
async fn the_display_currency_changes_no_selection() {
    let (_e, c) = client().await;
    assert_selects(&c, "?donor=org-test-eu&currency=EUR", true, false).await;
}

#[tokio::test]
async fn a_bad_filter_value_on_the_export_is_refused_naming_the_field() {
    let (_e, c) = client().await;
    let r = c.get("/export/iati.xml?year_from=soon").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body.contains("year_from") || r.body.contains("soon"),
        "{}",
        r.body
    );
}
