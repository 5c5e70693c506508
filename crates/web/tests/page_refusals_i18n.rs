//! Refusals a page shows are worded in the reader's language from a message id, not matched from
//! (or shown as) the English sentence the API and the logs keep: a page's own parameters (map
//! country and kind, export list and format, the approval action and change number, the review
//! action) and the approval workflow's refusals (`ChangeError` carries a `ProblemId`).

mod common;

use axum::http::{Method, StatusCode};
use common::{Client, Req, env, login};
use serde_json::json;

/// The page's text between the error paragraph's tags.
fn error_of(body: &str) -> String {
    body.split("id=\"error\"")
        .nth(1)
        .and_then(|s| s.split("</p>").next())
        .unwrap_or_else(|| panic!("no error paragraph: {body}"))
        .to_string()
}

async fn get_in(c: &Client, uri: &str, lang: &str) -> common::Resp {
    let cookie = format!("aidtrace_lang={lang}");
    c.send(Req::get(uri).cookie(&cookie)).await
}

#[tokio::test]
async fn an_unknown_map_country_is_refused_in_kazakh() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let r = get_in(&c, "/map?country=Atlantis", "kk").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let err = error_of(&r.body);
    assert!(
        err.contains("картада контуры бар елдің") && err.contains("Atlantis"),
        "{err}"
    );
    assert!(!err.contains("not a country"), "{err}");
}

#[tokio::test]
async fn an_unknown_map_flow_kind_is_refused_in_russian() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let r = get_in(&c, "/map?kind=gift", "ru").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let err = error_of(&r.body);
    assert!(
        err.contains("допустимые значения") && err.contains("disbursement"),
        "{err}"
    );
    assert!(!err.contains("not accepted"), "{err}");
}

#[tokio::test]
async fn an_unknown_export_format_is_refused_in_ukrainian() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let r = get_in(&c, "/export/flows/pdf", "uk").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let err = error_of(&r.body);
    assert!(
        err.contains("допустимі значення: csv, xlsx") && err.contains("pdf"),
        "{err}"
    );
    assert!(!err.contains("use csv or xlsx"), "{err}");
}

#[tokio::test]
async fn an_unknown_export_list_is_refused_in_russian() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let r = get_in(&c, "/export/budgets/csv", "ru").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let err = error_of(&r.body);
    assert!(
        err.contains("допустимые значения") && err.contains("activities"),
        "{err}"
    );
    assert!(!err.contains("no list"), "{err}");
}

#[tokio::test]
async fn an_unknown_totals_grouping_in_an_export_is_refused_in_kazakh() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let r = get_in(&c, "/export/totals/csv?by=colour", "kk").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let err = error_of(&r.body);
    assert!(
        err.contains("рұқсат етілген мәндер") && err.contains("donor"),
        "{err}"
    );
    assert!(!err.contains("is not one of"), "{err}");
}

#[tokio::test]
async fn a_change_number_that_is_no_number_is_refused_in_russian() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (ada, csrf) = login(&c, "ada").await;
    let cookie = format!("aidtrace_lang=ru; {ada}");
    let r = c
        .send(
            Req::new(Method::POST, "/changes/seven/approve")
                .cookie(&cookie)
                .form(&[("csrf", &csrf)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let err = error_of(&r.body);
    assert!(
        err.contains("нет изменения с таким номером") && err.contains("seven"),
        "{err}"
    );
    assert!(!err.contains("no change"), "{err}");
}

#[tokio::test]
async fn an_unknown_approval_action_is_refused_in_kazakh() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (ada, csrf) = login(&c, "ada").await;
    let cookie = format!("aidtrace_lang=kk; {ada}");
    let r = c
        .send(
            Req::new(Method::POST, "/changes/1/frobnicate")
                .cookie(&cookie)
                .form(&[("csrf", &csrf)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let err = error_of(&r.body);
    assert!(
        err.contains("рұқсат етілген мәндер") && err.contains("approve"),
        "{err}"
    );
    assert!(!err.contains("no action"), "{err}");
}

#[tokio::test]
async fn an_editor_approving_is_refused_in_ukrainian() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    // An editor of the embassy proposes a flow through the API: it waits for an approver.
    let flow = json!({"record": "flow", "id": "flow-refusal-uk", "activity": "act-kz-semey-equipment",
        "kind": "disbursement", "money": {"amount": "1000", "currency": "JPY", "value_date": "2024-06-01"},
        "provider": "org-gov-japan"});
    let proposed = c
        .send(
            Req::new(Method::PUT, "/api/v1/flows/flow-refusal-uk")
                .bearer(&e.token("eve"))
                .json(&flow),
        )
        .await;
    assert_eq!(proposed.status, StatusCode::ACCEPTED, "{}", proposed.body);
    let id = proposed.json()["change"].as_i64().expect("change id");
    let (eve, csrf) = login(&c, "eve").await;
    let cookie = format!("aidtrace_lang=uk; {eve}");
    let r = c
        .send(
            Req::new(Method::POST, &format!("/changes/{id}/approve"))
                .cookie(&cookie)
                .form(&[("csrf", &csrf)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let err = error_of(&r.body);
    assert!(
        err.contains("не може затверджувати чи відхиляти зміни"),
        "{err}"
    );
    assert!(!err.contains("may not approve"), "{err}");
}

#[tokio::test]
async fn an_unknown_review_action_is_refused_in_ukrainian() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (ada, csrf) = login(&c, "ada").await;
    let cookie = format!("aidtrace_lang=uk; {ada}");
    let r = c
        .send(
            Req::new(Method::POST, "/organisations/review")
                .cookie(&cookie)
                .form(&[("csrf", &csrf), ("org", "org-jica"), ("action", "burn")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let err = error_of(&r.body);
    assert!(
        err.contains("допустимі значення: link, keep") && err.contains("burn"),
        "{err}"
    );
    assert!(!err.contains("expected link or keep"), "{err}");
}
