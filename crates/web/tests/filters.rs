//! The one filter over real HTTP on 127.0.0.1: each parameter on the totals API, the dashboard,
//! the activity list, `/flows` and the exports; bad values refused with a 400 naming the field
//! (in the reader's language on pages); a drill-down list adds up to the total it came from.
//!
//! The seed's two flows have no value date, so a small fixture adds dated, split flows: a donor
//! whose activity is 60 % Kazakhstan / 40 % Ukraine and 50 % 12191 / 50 % 12220, one flow of it
//! provided by JICA (an agency under the Government of Japan) and an envelope commitment.

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{Client, Env, env, spawn};
use serde_json::Value;

const FIXTURE: &str = r#"{"records": [
  {"record": "organisation", "id": "org-test-eu", "name": "European Union", "kind": "multilateral", "roles": ["donor"]},
  {"record": "activity", "id": "act-test-split", "title": "Split test activity", "instrument": "technical_cooperation",
   "status": "implementation", "participants": [{"org": "org-test-eu", "role": "funding"}],
   "countries": [{"country": "KZ", "percentage": "60"}, {"country": "UA", "percentage": "40"}],
   "regions": [{"country": "KZ", "name": "Abai region", "percentage": "60"}, {"country": "UA", "name": "Kharkiv oblast", "percentage": "40"}],
   "sectors": [{"code": "12191", "percentage": "50"}, {"code": "12220", "percentage": "50"}]},
  {"record": "flow", "id": "f-test-2023", "activity": "act-test-split", "kind": "disbursement",
   "money": {"amount": "1000", "currency": "USD", "value_date": "2023-05-01"}, "provider": "org-test-eu"},
  {"record": "flow", "id": "f-test-2024", "activity": "act-test-split", "kind": "disbursement",
   "money": {"amount": "2000", "currency": "USD", "value_date": "2024-05-01"}, "provider": "org-test-eu",
   "sources": [{"source": "src-kz-semey-grant", "quote": "a quote for the test flow"}]},
  {"record": "flow", "id": "f-test-envelope", "activity": "act-test-split", "kind": "commitment",
   "money": {"amount": "5000", "currency": "USD", "value_date": "2024-01-01"}, "provider": "org-test-eu"},
  {"record": "flow", "id": "f-test-2024-c", "activity": "act-test-split", "kind": "commitment",
   "money": {"amount": "5000", "currency": "USD", "value_date": "2024-01-10"}, "provider": "org-test-eu",
   "parent_flow": "f-test-envelope"},
  {"record": "flow", "id": "f-test-jica", "activity": "act-test-split", "kind": "disbursement",
   "money": {"amount": "300", "currency": "USD", "value_date": "2024-03-01"}, "provider": "org-jica"}
]}"#;

async fn client() -> (Env, Client) {
    let env = env();
    env.state.service().load_json("test", FIXTURE).unwrap();
    let addr = spawn(env.state.clone()).await;
    (env, Client::Socket(addr))
}

/// The converted total of one row of `/api/v1/reports/totals`, as its exact string.
fn cell(report: &Value, key: &str, kind: &str) -> Option<String> {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key && r["kind"] == kind)
        .map(|r| r["converted"].as_str().unwrap().to_string())
}

fn keys(report: &Value) -> Vec<String> {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} · {}",
                r["key"].as_str().unwrap(),
                r["kind"].as_str().unwrap()
            )
        })
        .collect()
}

async fn totals(c: &Client, query: &str) -> Value {
    let r = c.get(&format!("/api/v1/reports/totals?{query}")).await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.body);
    r.json()
}

#[tokio::test]
async fn years_keep_flows_dated_in_the_range() {
    let (_e, c) = client().await;
    let r = totals(&c, "by=donor&donor=org-test-eu&year_from=2024&year_to=2024").await;
    assert_eq!(
        cell(&r, "European Union", "disbursement").as_deref(),
        Some("2000")
    );
    assert_eq!(
        cell(&r, "European Union", "commitment").as_deref(),
        Some("5000")
    );
    let r = totals(&c, "by=donor&donor=org-test-eu&year_to=2023").await;
    assert_eq!(
        cell(&r, "European Union", "disbursement").as_deref(),
        Some("1000")
    );
    assert_eq!(cell(&r, "European Union", "commitment"), None);
}

#[tokio::test]
async fn a_donor_includes_its_agencies_unless_asked_apart() {
    let (_e, c) = client().await;
    let rolled = totals(&c, "by=donor&donor=org-gov-japan&kind=disbursement").await;
    let japan = cell(&rolled, "Government of Japan", "disbursement").unwrap();
    // The seed's 68,790 USD grassroots grant and the 300 USD JICA flow of the fixture.
    assert_eq!(japan, "69090");
    let apart = totals(
        &c,
        "by=donor&donor=org-gov-japan&kind=disbursement&agencies=false",
    )
    .await;
    assert_eq!(
        cell(&apart, "Government of Japan", "disbursement").as_deref(),
        Some("68790")
    );
    let agencies = totals(
        &c,
        "by=donor&agencies=false&kind=disbursement&instrument=technical_cooperation",
    )
    .await;
    assert_eq!(
        cell(
            &agencies,
            "Japan International Cooperation Agency (JICA)",
            "disbursement"
        )
        .as_deref(),
        Some("300")
    );
}

#[tokio::test]
async fn a_recipient_keeps_its_percentage_of_split_flows() {
    let (_e, c) = client().await;
    let r = totals(&c, "by=donor&donor=org-test-eu&recipient=UA").await;
    // 40 % of 1,000 + 2,000 disbursed, and of the 5,000 commitment (its envelope not counted).
    assert_eq!(
        cell(&r, "European Union", "disbursement").as_deref(),
        Some("1200")
    );
    assert_eq!(
        cell(&r, "European Union", "commitment").as_deref(),
        Some("2000")
    );
    // Grouped by the filtered dimension, only the country's row is left, not squared.
    let r = totals(&c, "by=recipient&donor=org-test-eu&recipient=UA").await;
    assert_eq!(keys(&r), vec!["UA · commitment", "UA · disbursement"]);
    assert_eq!(cell(&r, "UA", "disbursement").as_deref(), Some("1200"));
}

#[tokio::test]
async fn a_region_keeps_its_percentage() {
    let (_e, c) = client().await;
    let r = totals(
        &c,
        "by=donor&donor=org-test-eu&kind=disbursement&region=KZ:Abai%20region",
    )
    .await;
    assert_eq!(
        cell(&r, "European Union", "disbursement").as_deref(),
        Some("1800")
    );
}

#[tokio::test]
async fn a_sector_category_keeps_the_codes_under_it() {
    let (_e, c) = client().await;
    let r = totals(
        &c,
        "by=recipient&donor=org-test-eu&kind=disbursement&sector=122",
    )
    .await;
    // Half of 3,000 in sector 122xx, split 60/40 by country.
    assert_eq!(cell(&r, "KZ", "disbursement").as_deref(), Some("900"));
    assert_eq!(cell(&r, "UA", "disbursement").as_deref(), Some("600"));
}

#[tokio::test]
async fn a_facility_keeps_the_flows_of_activities_naming_it() {
    let (_e, c) = client().await;
    let r = totals(&c, "by=donor&facility=fac-zhezbek-blood-centre").await;
    assert_eq!(keys(&r), vec!["Government of Japan · disbursement"]);
    assert_eq!(r["rows"][0]["flows"][0], "flow-kz-ggp-zhezbek");
}

#[tokio::test]
async fn kind_status_and_instrument_keep_their_flows() {
    let (_e, c) = client().await;
    let r = totals(&c, "by=donor&kind=commitment").await;
    assert!(
        keys(&r).iter().all(|k| k.ends_with("commitment")),
        "{:?}",
        keys(&r)
    );
    let r = totals(&c, "by=donor&status=cancelled").await;
    assert!(keys(&r).is_empty());
    let r = totals(
        &c,
        "by=donor&instrument=technical_cooperation&agencies=false",
    )
    .await;
    assert!(
        !keys(&r)
            .iter()
            .any(|k| k.starts_with("Government of Japan")),
        "{:?}",
        keys(&r)
    );
}

#[tokio::test]
async fn the_display_currency_converts_the_totals() {
    let (_e, c) = client().await;
    let r = totals(&c, "by=donor&donor=org-test-eu&currency=EUR").await;
    assert_eq!(r["currency"], "EUR");
    assert_eq!(r["filter"]["currency"], "EUR");
    let eur = cell(&r, "European Union", "disbursement").unwrap();
    assert_ne!(eur, "3000");
}

#[tokio::test]
async fn bad_filter_values_are_refused_naming_the_field() {
    let (_e, c) = client().await;
    for (query, field) in [
        ("by=donor&year_from=20x4", "year_from"),
        ("by=donor&year_from=2025&year_to=2024", "year_from"),
        ("by=donor&donor=org-nobody", "donor"),
        ("by=donor&recipient=XX", "recipient"),
        ("by=donor&sector=1219", "sector"),
        ("by=donor&kind=gift", "kind"),
        ("by=donor&status=ongoing", "status"),
        ("by=donor&instrument=bond", "instrument"),
        ("by=donor&currency=dollars", "currency"),
        ("by=donor&agencies=maybe", "agencies"),
        ("by=donor&facility=fac-nowhere", "facility"),
        ("by=donor&region=KZ:%E2%80%AEofficial%20notice", "region"),
        ("by=donor&region=%E2%81%A7Abai", "region"),
        ("by=donor&colour=red", "colour"),
        ("by=donor&kind=pledge&kind=commitment", "kind"),
        ("by=planet", "by"),
    ] {
        let r = c.get(&format!("/api/v1/reports/totals?{query}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(r.json()["field"], field, "{query}: {}", r.body);
    }
}

#[tokio::test]
async fn a_bad_filter_on_a_page_is_explained_in_the_readers_language() {
    let (_e, c) = client().await;
    let r = c.get("/?year_from=abc&lang=ru").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("не год от 1900 до 2200"), "{}", r.body);
    assert!(r.body.contains("«abc»"));
    let r = c.get("/flows?sort=sideways&lang=uk").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("допустимі значення"), "{}", r.body);
}

#[tokio::test]
async fn the_dashboard_shows_the_filtered_totals_and_keeps_the_filter_in_its_links() {
    let (_e, c) = client().await;
    let all = c.get("/").await;
    assert!(all.body.contains("Government of Japan"));
    let r = c
        .get("/?donor=org-test-eu&year_from=2024&year_to=2024")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let totals = &r.body[r.body.find("id=\"totals-donor\"").unwrap()..];
    assert!(totals.contains("European Union"));
    assert!(!totals.contains("Government of Japan"));
    // The form shows the filter; the exports and the drill-down carry it.
    assert!(
        r.body.contains(r#"<option value="org-test-eu" selected>"#),
        "donor kept in the form"
    );
    assert!(r.body.contains(
        "/export/totals/csv?year_from=2024&amp;year_to=2024&amp;donor=org-test-eu&amp;by=donor"
    ));
    assert!(r.body.contains("/flows?year_from=2024&amp;year_to=2024&amp;donor=org-test-eu&amp;kind=disbursement&amp;by=donor&amp;key=European%20Union"));
}

#[tokio::test]
async fn a_drilled_total_lists_the_flows_that_add_up_to_it() {
    let (_e, c) = client().await;
    let r = totals(&c, "by=recipient&donor=org-test-eu&kind=disbursement").await;
    assert_eq!(cell(&r, "UA", "disbursement").as_deref(), Some("1200"));
    let page = c
        .get("/flows?donor=org-test-eu&kind=disbursement&by=recipient&key=UA")
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains(r#"data-kind="disbursement">1,200.00 USD"#),
        "{}",
        page.body
    );
    // Each flow with its share, activity, source quote and history.
    assert!(page.body.contains("line-f-test-2024"));
    assert!(page.body.contains("40 %"));
    assert!(
        page.body
            .contains(r#"href="/activities/act-test-split#f-test-2024""#)
    );
    assert!(
        page.body
            .contains(r#"href="/activities/act-test-split#history""#)
    );
    assert!(!page.body.contains("line-f-test-envelope"));
}

#[tokio::test]
async fn excluded_flows_are_one_click_away_with_their_reason() {
    let (_e, c) = client().await;
    let r = c.get("/flows?donor=org-test-eu").await;
    assert!(
        r.body
            .contains(r#"href="/flows?donor=org-test-eu&amp;excluded=1""#),
        "{}",
        r.body
    );
    let r = c.get("/flows?donor=org-test-eu&excluded=1").await;
    assert_eq!(r.status, StatusCode::OK);
    let row = &r.body[r.body.find("excluded-f-test-envelope").unwrap()..];
    assert!(row.contains("an envelope counted through its parts"));
    assert!(row.contains("f-test-2024-c"));
}

#[tokio::test]
async fn flows_are_sorted_and_paged() {
    let (_e, c) = client().await;
    let r = c.get("/flows?donor=org-test-eu&sort=date").await;
    let a = r.body.find("line-f-test-2023").unwrap();
    let b = r.body.find("line-f-test-2024\"").unwrap();
    assert!(a < b, "earliest first");
    let r = c.get("/flows?donor=org-test-eu&sort=-date").await;
    assert!(r.body.find("line-f-test-2024\"").unwrap() < r.body.find("line-f-test-2023").unwrap());
    let r = c.get("/flows?page=2").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        !r.body.contains("line-f-test"),
        "page 2 of a one-page list is empty"
    );
    let r = c.get("/flows?page=0").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_kept_flow_list_is_worded_in_each_readers_language() {
    let (_e, c) = client().await;
    let en = c.get("/flows?donor=org-test-eu").await;
    assert!(
        en.body.contains("Flows not counted, and why"),
        "{}",
        en.body
    );
    // The same address in Russian right after: the body kept for English is not sent.
    let ru = c.get("/flows?donor=org-test-eu&lang=ru").await;
    assert_eq!(ru.status, StatusCode::OK);
    assert!(
        ru.body.contains("Неучтённые операции и причины"),
        "{}",
        ru.body
    );
    assert!(
        !ru.body.contains("Flows not counted, and why"),
        "{}",
        ru.body
    );
}

#[tokio::test]
async fn a_kept_flow_list_keeps_each_readers_own_header() {
    let (_e, c) = client().await;
    let public = c.get("/flows?donor=org-test-eu").await;
    assert!(!public.body.contains("id=\"whoami\""), "{}", public.body);
    let (ada, _csrf) = common::login(&c, "ada").await;
    let mine = c
        .send(common::Req::get("/flows?donor=org-test-eu").cookie(&ada))
        .await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.body.contains("id=\"whoami\">ada"), "{}", mine.body);
    assert!(mine.body.contains("line-f-test-2024"), "{}", mine.body);
}

#[tokio::test]
async fn a_kept_flow_list_shows_a_flow_written_after_it() {
    let (e, c) = client().await;
    let before = c.get("/flows?donor=org-test-eu").await;
    assert!(!before.body.contains("line-f-test-late"), "{}", before.body);
    e.state
        .service()
        .load_json(
            "test",
            r#"{"records": [{"record": "flow", "id": "f-test-late", "activity": "act-test-split", "kind": "disbursement",
               "money": {"amount": "70", "currency": "USD", "value_date": "2024-07-01"}, "provider": "org-test-eu"}]}"#,
        )
        .unwrap();
    e.state.invalidate();
    let after = c.get("/flows?donor=org-test-eu").await;
    assert!(after.body.contains("line-f-test-late"), "{}", after.body);
}

#[tokio::test]
async fn exports_carry_the_filter() {
    let (_e, c) = client().await;
    let r = c.get("/export/totals/csv?by=donor&donor=org-test-eu").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("European Union"));
    assert!(!r.body.contains("Government of Japan"));
    let r = c
        .get("/export/flows/csv?donor=org-test-eu&recipient=UA&kind=disbursement")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let header = r.body.lines().next().unwrap();
    assert!(header.contains("converted,converted_currency,rate,rate_date,rate_basis,rate_source"));
    let line = r
        .body
        .lines()
        .find(|l| l.starts_with("f-test-2024,"))
        .unwrap();
    assert!(line.contains(",800,USD,0.4,800,USD,"), "{line}");
    let r = c.get("/export/flows/csv?year_from=x").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_activity_list_keeps_activities_the_filter_keeps() {
    let (_e, c) = client().await;
    let r = c.get("/activities?donor=org-test-eu").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("act-test-split"));
    assert!(!r.body.contains("act-kz-semey-equipment\""));
    let r = c.get("/activities?recipient=UA&q=split").await;
    assert!(r.body.contains("act-test-split"));
}

#[tokio::test]
async fn the_openapi_document_describes_the_filter() {
    let (_e, c) = client().await;
    let doc = c.get("/api/v1/openapi.json").await.json();
    let params = doc["paths"]["/api/v1/reports/totals"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let names: Vec<&str> = params.iter().map(|p| p["name"].as_str().unwrap()).collect();
    for p in aidtrace_domain::filter::PARAMS {
        assert!(names.contains(&p), "{p} documented: {names:?}");
    }
}

/// The activities a donor funds are its activities before any flow of theirs is recorded: the
/// seed scenario's Japan funds seven (its organisation page lists them), two of which have
/// money; a year condition still asks for a flow.
#[tokio::test]
async fn a_donor_keeps_the_activities_it_funds_without_flows() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let csv = c
        .get("/export/activities/csv?donor=org-gov-japan")
        .await
        .body;
    let ids: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap_or_default())
        .collect();
    assert!(ids.contains(&"act-kz-medical-hub"), "{ids:?}");
    assert!(ids.contains(&"act-kz-semey-equipment"), "{ids:?}");
    let dated = c
        .get("/export/activities/csv?donor=org-gov-japan&year_from=2020")
        .await
        .body;
    assert!(!dated.contains("act-kz-medical-hub"), "{dated}");
}

#[tokio::test]
async fn the_filter_box_says_how_many_conditions_are_set() {
    let (_e, c) = client().await;
    let plain = c.get("/").await.body;
    assert!(
        plain.contains("<summary id=\"filter-summary\">Filter</summary>"),
        "{plain}"
    );
    let set = c.get("/activities?year_from=2024&currency=yen").await.body;
    assert!(
        set.contains("<summary id=\"filter-summary\">Filter (2 set)</summary>"),
        "{set}"
    );
    assert!(
        set.contains("<details class=\"filter-box\" id=\"filter-box\" open>"),
        "open without script: {set}"
    );
}
