//! The activity list's money columns follow the filter's currency and say when a figure rests
//! on a provisional rate, on the page and in its exports, as the dashboard and the flow list do.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Client, env};

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
