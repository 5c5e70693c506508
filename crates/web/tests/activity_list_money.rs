//! The activity list's money columns follow the filter's currency and say when a figure rests
//! on a provisional rate, on the page and in its exports, as the dashboard and the flow list do.

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{Method, StatusCode};
use common::{Client, Req, env};
use serde_json::json;

/// Records a flow of `act-kz-semey-equipment` through the API as the admin.
async fn put_flow(e: &common::Env, c: &Client, id: &str, kind: &str, provider: &str) {
    put_flow_json(
        e,
        c,
        id,
        json!({"id": id, "activity": "act-kz-semey-equipment", "kind": kind,
            "provider": provider,
            "money": {"amount": "1000", "currency": "USD", "value_date": "2026-01-10"}}),
    )
    .await;
}

async fn put_flow_json(e: &common::Env, c: &Client, id: &str, flow: serde_json::Value) {
    let r = c
        .send(
            Req::new(Method::PUT, &format!("/api/v1/flows/{id}"))
                .bearer(&e.token("ada"))
                .header("if-none-match", "*")
                .json(&flow),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

/// The CSV's row of `id`, by header.
fn row(csv: &str, id: &str) -> std::collections::BTreeMap<String, String> {
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let record = reader
        .records()
        .map(Result::unwrap)
        .find(|r| &r[0] == id)
        .unwrap_or_else(|| panic!("no {id} in {csv}"));
    headers
        .iter()
        .zip(record.iter())
        .map(|(h, v)| (h.to_string(), v.to_string()))
        .collect()
}

#[tokio::test]
async fn an_undated_commitment_is_marked_provisional_in_the_list_export() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let csv = c.get("/export/activities/csv").await.body;
    let semey = row(&csv, "act-kz-semey-equipment");
    assert_eq!(semey["committed"], "691254.78");
    assert_eq!(semey["currency"], "USD");
    assert_eq!(semey["provisional_rate_of"], "2026-10-30");
}

#[tokio::test]
async fn the_list_sums_in_the_filters_currency() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let csv = c.get("/export/activities/csv?currency=JPY").await.body;
    let semey = row(&csv, "act-kz-semey-equipment");
    assert_eq!(semey["currency"], "JPY");
    assert_eq!(
        semey["committed"], "108700000",
        "the grant as signed, in yen"
    );
    assert_eq!(
        semey["provisional_rate_of"], "",
        "a yen grant summed in yen uses no rate, so nothing about it is provisional"
    );
}

#[tokio::test]
async fn the_list_page_names_its_currency_and_the_provisional_rate() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let page = c.get("/activities?currency=KZT").await.body;
    assert!(page.contains("provisional: latest rate of"), "{page}");
    let semey = &page[page.find("act-kz-semey-equipment").unwrap()..];
    let semey = &semey[..semey.find("</tr>").unwrap()];
    assert!(semey.contains(">KZT<"), "{semey}");
}

#[tokio::test]
async fn under_a_donor_a_co_funded_grant_shows_that_donors_money() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    put_flow(
        &e,
        &c,
        "flow-kz-cofunding",
        "commitment",
        "org-gov-kazakhstan",
    )
    .await;
    let all = c.get("/export/activities/csv").await.body;
    assert_eq!(
        row(&all, "act-kz-semey-equipment")["committed"],
        "692254.78"
    );
    let japan = c
        .get("/export/activities/csv?donor=org-gov-japan")
        .await
        .body;
    assert_eq!(
        row(&japan, "act-kz-semey-equipment")["committed"],
        "691254.78",
        "Japan's commitment only"
    );
    let kazakhstan = c
        .get("/export/activities/csv?donor=org-gov-kazakhstan")
        .await
        .body;
    let semey = row(&kazakhstan, "act-kz-semey-equipment");
    assert_eq!(semey["committed"], "1000");
    assert_eq!(
        semey["provisional_rate_of"], "",
        "the undated yen commitment is not Kazakhstan's, so no provisional rate is in its sum"
    );
}

#[tokio::test]
async fn a_kind_condition_leaves_the_other_kind_out_of_the_row() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    put_flow(
        &e,
        &c,
        "flow-kz-first-payment",
        "disbursement",
        "org-gov-japan",
    )
    .await;
    let csv = c.get("/export/activities/csv?kind=disbursement").await.body;
    let semey = row(&csv, "act-kz-semey-equipment");
    assert_eq!(semey["disbursed"], "1000");
    assert_eq!(semey["committed"], "", "commitments are filtered out");
}

/// Two parts of a 1,000-dollar envelope within the activity: 600 and 400.
async fn break_down(e: &common::Env, c: &Client) {
    put_flow(e, c, "flow-kz-envelope", "commitment", "org-gov-kazakhstan").await;
    for (id, amount) in [("flow-kz-part-a", "600"), ("flow-kz-part-b", "400")] {
        put_flow_json(
            e,
            c,
            id,
            json!({"id": id, "activity": "act-kz-semey-equipment", "kind": "commitment",
                "provider": "org-gov-kazakhstan", "parent_flow": "flow-kz-envelope",
                "money": {"amount": amount, "currency": "USD", "value_date": "2026-01-10"}}),
        )
        .await;
    }
}

#[tokio::test]
async fn an_envelope_broken_down_in_the_activity_counts_once() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    break_down(&e, &c).await;
    let csv = c
        .get("/export/activities/csv?donor=org-gov-kazakhstan")
        .await
        .body;
    assert_eq!(
        row(&csv, "act-kz-semey-equipment")["committed"],
        "1000",
        "the envelope's 1,000 through its parts, not 2,000"
    );
}

#[tokio::test]
async fn the_list_row_agrees_with_the_totals_report_under_a_donor() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    break_down(&e, &c).await;
    let totals: serde_json::Value = serde_json::from_str(
        &c.get("/api/v1/reports/totals?by=donor&donor=org-gov-kazakhstan")
            .await
            .body,
    )
    .unwrap();
    let commitment = totals["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "commitment")
        .cloned()
        .unwrap();
    assert_eq!(commitment["converted"], "1000", "{commitment}");
    let csv = c
        .get("/export/activities/csv?donor=org-gov-kazakhstan")
        .await
        .body;
    assert_eq!(
        row(&csv, "act-kz-semey-equipment")["committed"],
        commitment["converted"].as_str().unwrap()
    );
}

#[tokio::test]
async fn the_activity_page_totals_its_flows_as_the_list_does_and_lists_them_by_date() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    for (id, date) in [
        ("flow-kz-later", "2026-03-01"),
        ("flow-kz-earlier", "2025-02-01"),
    ] {
        put_flow_json(
            &e,
            &c,
            id,
            json!({"id": id, "activity": "act-kz-semey-equipment", "kind": "disbursement",
                "provider": "org-gov-japan",
                "money": {"amount": "1000", "currency": "USD", "value_date": date}}),
        )
        .await;
    }
    let page = c.get("/activities/act-kz-semey-equipment").await.body;
    let totals = &page[page.find("id=\"activity-totals\"").expect("totals")..];
    let totals = &totals[..totals.find("<article").expect("the flows after the totals")];
    let csv = c.get("/export/activities/csv").await.body;
    let disbursed = row(&csv, "act-kz-semey-equipment")["disbursed"].clone();
    assert_eq!(disbursed, "2000");
    assert!(
        totals.contains("2,000"),
        "the list's 2000 on the page: {totals}"
    );
    let at = |id: &str| page.find(&format!("id=\"{id}\"")).unwrap();
    assert!(at("flow-kz-earlier") < at("flow-kz-later"), "by value date");
    assert!(
        at("flow-kz-later") < at("flow-kz-semey-commitment"),
        "the undated commitment last"
    );
}

#[tokio::test]
async fn a_share_condition_on_the_list_says_rows_keep_their_whole_money() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let plain = c.get("/activities").await.body;
    assert!(!plain.contains("id=\"activities-whole\""));
    let by_country = c.get("/activities?recipient=KZ").await.body;
    assert!(
        by_country.contains("id=\"activities-whole\""),
        "{by_country}"
    );
    assert!(by_country.contains("only the named share"));
}

#[tokio::test]
async fn the_activity_page_says_why_an_envelope_is_not_in_its_totals() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    break_down(&e, &c).await;
    let page = c.get("/activities/act-kz-semey-equipment").await.body;
    let excluded = &page[page
        .find("id=\"activity-excluded\"")
        .expect("the left-out flows")..];
    let excluded = &excluded[..excluded.find("</ul>").unwrap()];
    assert!(excluded.contains("flow-kz-envelope"), "{excluded}");
    assert!(
        excluded.contains("an envelope counted through its parts"),
        "{excluded}"
    );
    assert!(
        !excluded.contains("flow-kz-part-a</code>:"),
        "a part is counted: {excluded}"
    );
}

#[tokio::test]
async fn money_already_in_the_lists_currency_shows_no_rate_or_rate_date() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let drill = c
        .get("/flows?by=donor&key=Government%20of%20Japan&kind=disbursement")
        .await
        .body;
    let rate = &drill[drill.find("<td class=\"rate\">").expect("a rate cell")..];
    let rate = &rate[..rate.find("</td>").unwrap()];
    assert!(rate.contains("USD: same currency, no rate"), "{rate}");
    assert!(!rate.contains("latest available rate"), "{rate}");
    let dashboard = c.get("/").await.body;
    assert!(dashboard.contains("USD: same currency, no rate"));
}
