//! `/energy/fuel/{facility}` over real HTTP on 127.0.0.1 (issue 16: fuel on site enterable from
//! the web), and the version 2 autonomy download words its text in the page's language with
//! the machine codes beside it.

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{Method, StatusCode};
use common::{Client, Req, env, login, spawn};

const A: &str = "fac-ua-illustrative-kharkiv-a";
const RECORD: &str = "pw-ua-illustrative-kharkiv-a";

async fn client() -> (common::Env, Client) {
    let env = env();
    let client = Client::Socket(spawn(env.state.clone()).await);
    (env, client)
}

/// The hidden `etag` of the loaded page's form.
fn etag_of(body: &str) -> String {
    let at = body.find("name=\"etag\" value=\"").expect("etag field") + 19;
    body[at..at + body[at..].find('"').unwrap()].replace("&quot;", "\"")
}

/// Posts the fuel form as `name`, with the ETag of the page it loaded.
async fn post_as(client: &Client, name: &str, fields: &[(&str, &str)]) -> common::Resp {
    let (session, csrf) = login(client, name).await;
    let page = client
        .send(Req::get(&format!("/energy/fuel/{A}")).cookie(&session))
        .await;
    let etag = etag_of(&page.body);
    let mut all = vec![
        ("csrf", csrf.as_str()),
        ("record", RECORD),
        ("etag", etag.as_str()),
    ];
    all.extend_from_slice(fields);
    client
        .send(
            Req::new(Method::POST, &format!("/energy/fuel/{A}"))
                .cookie(&session)
                .form(&all),
        )
        .await
}

#[tokio::test]
async fn the_page_shows_the_recorded_tank_and_fuel_on_hand() {
    let (_env, client) = client().await;
    let (session, _) = login(&client, "vic").await;
    let r = client
        .send(Req::get(&format!("/energy/fuel/{A}")).cookie(&session))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let facts = &r.body[r.body.find(&format!("id=\"fuel-{RECORD}\"")).unwrap()..];
    assert!(
        facts.contains("2,000") && facts.contains("1,500"),
        "{facts}"
    );
    assert!(facts.contains("2025-12-01"));
    // A viewer reads it but gets no form.
    assert!(!r.body.contains("name=\"etag\""));
}

#[tokio::test]
async fn an_admin_records_fuel_and_the_page_shows_it() {
    let (_env, client) = client().await;
    let r = post_as(
        &client,
        "ada",
        &[("on_hand_litres", "1200"), ("as_of", "2025-12-20")],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("id=\"fuel-saved\""), "{}", r.body);
    assert!(r.body.contains("1,200") && r.body.contains("2025-12-20"));
    // The tank left empty on the form keeps its recorded size.
    assert!(r.body.contains("2,000"));
}

#[tokio::test]
async fn more_fuel_than_the_tank_is_refused_naming_the_field_and_nothing_is_written() {
    let (_env, client) = client().await;
    let r = post_as(
        &client,
        "ada",
        &[("on_hand_litres", "2500"), ("as_of", "2025-12-20")],
    )
    .await;
    // The record's own rule refuses it: 422, as every refused record is.
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"fuel-error\""));
    assert!(r.body.contains("fuel.on_hand_litres"), "{}", r.body);
    assert!(r.body.contains("1,500"), "the recorded figure changed");
}

#[tokio::test]
async fn a_figure_that_is_not_a_number_is_refused_naming_the_field() {
    let (_env, client) = client().await;
    let r = post_as(&client, "ada", &[("tank_litres", "lots")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.body.contains("<strong>tank_litres</strong>"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn a_post_without_the_csrf_token_is_refused() {
    let (_env, client) = client().await;
    let (session, _) = login(&client, "ada").await;
    let r = client
        .send(
            Req::new(Method::POST, &format!("/energy/fuel/{A}"))
                .cookie(&session)
                .form(&[("record", RECORD), ("tank_litres", "10")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}

#[tokio::test]
async fn an_unknown_facility_is_not_found() {
    let (_env, client) = client().await;
    let (session, _) = login(&client, "vic").await;
    let r = client
        .send(Req::get("/energy/fuel/fac-nowhere").cookie(&session))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_page_is_in_ukrainian() {
    let (_env, client) = client().await;
    let (session, _) = login(&client, "vic").await;
    let r = client
        .send(
            Req::get(&format!("/energy/fuel/{A}")).cookie(&format!("aidtrace_lang=uk; {session}")),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Пальне на місці"), "{}", r.body);
    assert!(r.body.contains("01.12.2025"));
    assert!(!r.body.contains("Fuel on hand"));
}

/// The autonomy CSV of the default plan, with the page in `lang`.
async fn autonomy_csv(lang: &str) -> String {
    let (_env, client) = client().await;
    let (session, _) = login(&client, "vic").await;
    let r = client
        .send(
            Req::get("/energy/v2/autonomy.csv?fuel_l_per_day=4000&install_units=3&country=UA")
                .cookie(&format!("aidtrace_lang={lang}; {session}")),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
}

#[tokio::test]
async fn the_autonomy_download_has_code_columns_beside_the_worded_ones() {
    let body = autonomy_csv("en").await;
    let header = body.lines().next().unwrap();
    assert_eq!(
        header,
        "facility,name,units_added,fuel_on_site_l,fuel_basis,fuel_basis_text,tier,hours,hours_bound,\
         p_survive_24h_percent,p_survive_72h_percent,p_survive_168h_percent,limit,limited_by"
    );
    // Hospital A's recorded illustrative stock is its starting fuel.
    let a = body.lines().find(|l| l.starts_with(A)).expect("hospital A");
    assert!(a.contains("recorded"), "{a}");
    assert!(
        a.contains("1500 L on 2025-12-01") || a.contains("1,500 L on 2025-12-01"),
        "{a}"
    );
}

#[tokio::test]
async fn the_ukrainian_autonomy_download_words_limits_and_fuel_in_ukrainian() {
    let body = autonomy_csv("uk").await;
    for line in body.lines().skip(1) {
        assert!(!line.contains("none within a year"), "{line}");
        assert!(!line.contains("kW of generators"), "{line}");
        assert!(!line.contains("the facility's recorded stock"), "{line}");
        assert!(
            !line.contains("one delivery of the logistics plan"),
            "{line}"
        );
    }
    assert!(body.contains("записаний запас закладу"), "{body}");
}

#[tokio::test]
async fn the_ukrainian_plan_download_words_why_in_ukrainian_beside_the_binding_code() {
    let (_env, client) = client().await;
    let (session, _) = login(&client, "vic").await;
    let r = client
        .send(
            Req::get("/energy/v2/plan.csv?fuel_l_per_day=4000&install_units=3&country=UA")
                .cookie(&format!("aidtrace_lang=uk; {session}")),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.lines().next().unwrap().ends_with(",binding,why"));
    for english in [
        "whole outage load is served",
        "no model can start",
        "L/day are spent",
        "installations",
        "maximum of",
        "units could carry",
    ] {
        for line in r.body.lines().skip(1) {
            let why = line.rsplit(',').next().unwrap_or_default();
            assert!(!why.contains(english), "English {english:?} in {line}");
        }
    }
}

#[tokio::test]
async fn a_reading_dated_after_today_is_refused_naming_the_date_and_nothing_is_written() {
    let (_env, client) = client().await;
    let r = post_as(
        &client,
        "ada",
        &[("on_hand_litres", "800"), ("as_of", "2999-06-01")],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"fuel-error\""));
    assert!(r.body.contains("as_of"), "{}", r.body);
    assert!(r.body.contains("after today"), "{}", r.body);
    assert!(r.body.contains("1,500"), "the recorded figure changed");
    // What was typed is in the form again, to be corrected rather than typed anew.
    assert!(r.body.contains("value=\"2999-06-01\""), "{}", r.body);
    assert!(r.body.contains("value=\"800\""), "{}", r.body);
}

#[tokio::test]
async fn a_sensitive_hospitals_fuel_and_autonomy_are_withheld_from_the_public() {
    let (_env, client) = client().await;
    let public = client.get(&format!("/energy/fuel/{A}")).await;
    assert_eq!(public.status, StatusCode::OK, "{}", public.body);
    assert!(
        public
            .body
            .contains(&format!("id=\"fuel-{RECORD}-withheld\""))
    );
    assert!(!public.body.contains("1,500"), "{}", public.body);
    let (session, _) = login(&client, "vic").await;
    let signed = client
        .send(Req::get(&format!("/energy/fuel/{A}")).cookie(&session))
        .await;
    assert!(signed.body.contains("1,500"));

    let query = "fuel_l_per_day=4000&install_units=3&country=UA";
    let csv = client
        .get(&format!("/energy/v2/autonomy.csv?{query}"))
        .await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    assert!(!csv.body.contains(A), "{}", csv.body);
    // A facility not marked sensitive keeps its row.
    assert!(
        csv.body.contains("fac-ua-illustrative-odesa-f"),
        "{}",
        csv.body
    );
    let page = client.get(&format!("/energy/v2?{query}")).await;
    assert!(
        page.body.contains("id=\"autonomy-withheld\""),
        "{}",
        page.body
    );
    let signed_csv = client
        .send(Req::get(&format!("/energy/v2/autonomy.csv?{query}")).cookie(&session))
        .await;
    assert!(signed_csv.body.contains(A));
}
