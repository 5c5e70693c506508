//! The dashboard's count cards follow the filter in the address (over real HTTP on 127.0.0.1):
//! activities, flows, facilities, organisations and findings count what the filter selects, by
//! the rules of the lists they lead to; unfiltered they count the whole ledger.

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{Client, Env, env, spawn};

const FIXTURE: &str = r#"{"records": [
  {"record": "organisation", "id": "org-test-eu", "name": "European Union", "kind": "multilateral", "roles": ["donor"]},
  {"record": "activity", "id": "act-test-split", "title": "Split test activity", "instrument": "technical_cooperation",
   "status": "implementation", "participants": [{"org": "org-test-eu", "role": "funding"}],
   "countries": [{"country": "KZ", "percentage": "60"}, {"country": "UA", "percentage": "40"}]},
  {"record": "flow", "id": "f-test-2023", "activity": "act-test-split", "kind": "disbursement",
   "money": {"amount": "1000", "currency": "USD", "value_date": "2023-05-01"}, "provider": "org-test-eu"},
  {"record": "flow", "id": "f-test-2024", "activity": "act-test-split", "kind": "disbursement",
   "money": {"amount": "2000", "currency": "USD", "value_date": "2024-05-01"}, "provider": "org-test-eu"},
  {"record": "flow", "id": "f-test-jica", "activity": "act-test-split", "kind": "disbursement",
   "money": {"amount": "300", "currency": "USD", "value_date": "2024-03-01"}, "provider": "org-jica"}
]}"#;

async fn client() -> (Env, Client) {
    let env = env();
    env.state.service().load_json("test", FIXTURE).unwrap();
    let addr = spawn(env.state.clone()).await;
    (env, Client::Socket(addr))
}

/// The number on the card `id` of a dashboard page.
fn card(body: &str, id: &str) -> usize {
    let at = body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no card {id}"));
    let rest = &body[at..];
    let start = rest.find("<b>").unwrap() + 3;
    let end = rest.find("</b>").unwrap();
    rest[start..end].parse().unwrap()
}

async fn dashboard(c: &Client, query: &str) -> String {
    let r = c.get(&format!("/{query}")).await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.body);
    r.body
}

#[tokio::test]
async fn unfiltered_cards_count_the_whole_ledger() {
    let (env, c) = client().await;
    let body = dashboard(&c, "").await;
    let ledger = env.state.service().ledger().unwrap();
    assert_eq!(card(&body, "card-activities"), ledger.activities.len());
    assert_eq!(card(&body, "card-flows"), ledger.flows.len());
    assert_eq!(card(&body, "card-facilities"), ledger.facilities.len());
    assert_eq!(
        card(&body, "card-organisations"),
        ledger.organisations.len()
    );
    assert!(!body.contains("dash-counts-filtered"));
}

#[tokio::test]
async fn a_donor_filter_counts_only_its_activities_flows_and_organisations() {
    let (_e, c) = client().await;
    let body = dashboard(&c, "?donor=org-test-eu").await;
    assert_eq!(card(&body, "card-activities"), 1);
    // The flow JICA provided belongs to the activity but not to this donor.
    assert_eq!(card(&body, "card-flows"), 2);
    assert_eq!(card(&body, "card-facilities"), 0);
    assert_eq!(card(&body, "card-organisations"), 1);
    assert!(body.contains("id=\"dash-counts-filtered\""));
}

#[tokio::test]
async fn a_year_range_counts_the_flows_dated_in_it() {
    let (_e, c) = client().await;
    let body = dashboard(&c, "?donor=org-test-eu&year_from=2024&year_to=2024").await;
    assert_eq!(card(&body, "card-flows"), 1);
    let body = dashboard(&c, "?year_from=2024&year_to=2024").await;
    // EU's 2024 flow and JICA's: two providers, one activity.
    assert_eq!(card(&body, "card-flows"), 2);
    assert_eq!(card(&body, "card-activities"), 1);
    assert_eq!(card(&body, "card-organisations"), 2);
}

#[tokio::test]
async fn the_activities_card_agrees_with_the_filtered_activity_list() {
    let (_e, c) = client().await;
    for query in [
        "?recipient=UA",
        "?status=implementation",
        "?kind=commitment",
    ] {
        let body = dashboard(&c, query).await;
        let list = c.get(&format!("/activities{query}")).await.body;
        let table = &list[list.find("id=\"table-activities\"").unwrap()..];
        let rows = &table[table.find("<tbody>").unwrap()..table.find("</tbody>").unwrap()];
        let listed = rows.matches("<tr>").count();
        assert_eq!(card(&body, "card-activities"), listed, "{query}");
    }
}

#[tokio::test]
async fn a_facility_filter_counts_that_facility_and_its_findings_only() {
    let (_e, c) = client().await;
    let all = dashboard(&c, "").await;
    let body = dashboard(&c, "?facility=fac-semey-university-hospital").await;
    assert_eq!(card(&body, "card-facilities"), 1);
    assert!(card(&body, "card-activities") >= 1);
    // The findings card counts no more than the whole ledger's.
    assert!(card(&body, "findings-count") <= card(&all, "findings-count"));
    assert!(card(&body, "card-activities") < card(&all, "card-activities"));
}
