//! The dashboard's chart by year places a flow in the year of its value date, or of the date
//! its rate was taken for (a signing, a source's publication), and never in the year of the
//! latest rate: a flow nothing dates is left out of the chart and counted beside it, as the
//! totals by year list it without a year. On the seed scenario the undated Semey commitment
//! and the undated Zhezbek grant had been charted in 2026.

#![allow(clippy::unwrap_used)]

mod common;

use aidtrace_domain::filter::Filter;
use aidtrace_web::summary::{Figures, figures};
use common::{Client, env};

fn demo_figures() -> Figures {
    let e = env();
    let (ledger, rates) = e.with_service(|s| (s.ledger().unwrap(), s.rates().unwrap()));
    figures(
        &ledger,
        &rates,
        &aidtrace_web::state::GROUPS,
        &Filter::default(),
    )
}

#[test]
fn flows_nothing_dates_are_not_charted_in_the_latest_rates_year() {
    let f = demo_figures();
    let years: Vec<i32> = f
        .series
        .iter()
        .flat_map(|(_, points)| points.iter().map(|(y, _)| *y))
        .collect();
    assert!(!years.contains(&2026), "charted years: {years:?}");
}

#[test]
fn flows_nothing_dates_are_counted_beside_the_chart() {
    assert_eq!(demo_figures().undated, 2);
}

#[tokio::test]
async fn the_dashboard_says_how_many_flows_the_chart_leaves_out() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let page = c.get("/").await.body;
    let note = page
        .split("id=\"dash-undated\"")
        .nth(1)
        .expect("the note is on the page");
    let note = &note[..note.find("</p>").unwrap()];
    assert!(note.contains("nothing dates"), "{note}");
    assert!(note.contains(": 2."), "{note}");
    let uk = c
        .send(common::Req::get("/").header("cookie", "aidtrace_lang=uk"))
        .await
        .body;
    assert!(uk.contains("Операцій, які нічим не датовано"));
}

#[tokio::test]
async fn dated_flows_are_charted_in_their_year() {
    let e = env();
    e.state
        .service()
        .load_json(
            "test",
            r#"{"records": [
  {"record": "flow", "id": "f-test-2023", "activity": "act-kz-semey-equipment", "kind": "disbursement",
   "money": {"amount": "1000", "currency": "USD", "value_date": "2023-05-01"}, "provider": "org-gov-japan"}]}"#,
        )
        .unwrap();
    let c = Client::InProcess(e.state.clone());
    let page = c.get("/").await.body;
    // One year: its dot, and no line (a line needs two consecutive years).
    assert!(page.contains("class=\"dot k-disbursement\""), "{page}");
    let f = figures(
        &e.with_service(|s| s.ledger().unwrap()),
        &e.with_service(|s| s.rates().unwrap()),
        &aidtrace_web::state::GROUPS,
        &Filter::default(),
    );
    let years: Vec<i32> = f
        .series
        .iter()
        .flat_map(|(_, points)| points.iter().map(|(y, _)| *y))
        .collect();
    assert_eq!(years, [2023]);
}

#[tokio::test]
async fn the_totals_rule_and_the_rates_used_are_worded_in_the_readers_language() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let uk = c
        .send(common::Req::get("/").header("cookie", "aidtrace_lang=uk"))
        .await
        .body;
    assert!(!uk.contains("per kind; envelopes"), "the rule in English");
    assert!(uk.contains("рахуються через свої частини"), "{uk}");
    // The yen's ECB leg, worded and with Ukrainian decimals ("175,68"), not "daily reference rate".
    assert!(!uk.contains("daily reference rate"), "a rate in English");
    assert!(uk.contains("щоденний референтний курс"), "{uk}");
    let en = c.get("/").await.body;
    assert!(en.contains("JPY per USD ≈"), "{en}");
    assert!(en.contains("daily reference rate of"), "{en}");
}

/// Two years with none between them are two dots, not a line across the empty years (a user
/// walk read 2021 joined straight to 2025 as a trend).
#[tokio::test]
async fn no_line_is_drawn_across_years_without_flows() {
    let e = env();
    e.state
        .service()
        .load_json(
            "test",
            r#"{"records": [
  {"record": "flow", "id": "f-test-2021", "activity": "act-kz-semey-equipment", "kind": "disbursement",
   "money": {"amount": "1000", "currency": "USD", "value_date": "2021-05-01"}, "provider": "org-gov-japan"},
  {"record": "flow", "id": "f-test-2025", "activity": "act-kz-semey-equipment", "kind": "disbursement",
   "money": {"amount": "2000", "currency": "USD", "value_date": "2025-05-01"}, "provider": "org-gov-japan"}]}"#,
        )
        .unwrap();
    let c = Client::InProcess(e.state.clone());
    let page = c.get("/").await.body;
    assert_eq!(
        page.matches("class=\"dot k-disbursement\"").count(),
        2,
        "{page}"
    );
    assert!(!page.contains("series k-disbursement"), "{page}");
}

/// The sector filter offers each DAC category before its purpose codes, so a whole category
/// can be chosen (the filter took "121", the list offered only 5-digit codes; found by a user
/// walk).
#[tokio::test]
async fn the_sector_filter_offers_whole_categories() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let page = c.get("/").await.body;
    let sectors = page
        .split("id=\"f-sector\"")
        .nth(1)
        .unwrap()
        .split("</select>")
        .next()
        .unwrap();
    let category = sectors.find("value=\"121\"").expect(sectors);
    let purpose = sectors.find("value=\"12191\"").expect(sectors);
    assert!(category < purpose, "{sectors}");
    assert!(
        sectors.contains("121 Health, General, all purposes"),
        "{sectors}"
    );
    let chosen = c.get("/?sector=121").await;
    assert_eq!(chosen.status, axum::http::StatusCode::OK);
    assert!(
        chosen.body.contains("value=\"121\" selected"),
        "{}",
        chosen.body
    );
}
