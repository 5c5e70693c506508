//! `/changes` shows a proposed change as a comparison with the stored records, field by field,
//! in the reader's language, with the findings approval would add or clear; `/api/v1/changes`
//! carries the same review. Who proposed and who decided are told apart.

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{Method, StatusCode};
use common::form_fields::{post_new, set, small_activity, with_equipment_line};
use common::{Client, Req, env, login, propose_overspend};

#[tokio::test]
async fn the_approver_sees_fields_values_and_the_finding_a_change_would_add() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let id = propose_overspend(&e, &c).await;
    let (abe, _) = login(&c, "abe").await;
    let page = c.send(Req::get("/changes").cookie(&abe)).await;
    assert_eq!(page.status, StatusCode::OK);
    let body = page.body;
    let at = body
        .find(&format!("id=\"change-{id}\""))
        .expect("the change");
    let article = &body[at..];
    assert!(article.contains("class=\"record-diff added\""), "{article}");
    assert!(article.contains("data-field=\"money\""));
    assert!(
        article.contains("500,000,000 JPY"),
        "money readable: {article}"
    );
    assert!(article.contains(">Disbursement<") || article.contains(">disbursement<"));
    assert!(!article.contains("{&quot;"), "no raw JSON: {article}");
    assert!(article.contains("Findings approval would add"));
    assert!(
        article.contains("data-rule=\"LEDGER-OVERSPENT\""),
        "{article}"
    );
    assert!(article.contains("proposed by eve"));
    assert!(!article.contains("decided by"));
    assert!(
        article.contains("Grant aid for high-tech medical equipment at Semey State Medical University Hospital <code class=\"muted\">act-kz-semey-equipment</code>"),
        "the activity by its title beside its id: {article}"
    );
    assert!(
        article.contains("Government of Japan <code class=\"muted\">org-gov-japan</code>"),
        "the provider by its name: {article}"
    );
}

#[tokio::test]
async fn field_labels_and_dates_follow_the_readers_language() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    propose_overspend(&e, &c).await;
    let (abe, _) = login(&c, "abe").await;
    let body = c.send(Req::get("/changes?lang=ru").cookie(&abe)).await.body;
    assert!(body.contains("Сумма"), "ru label of money");
    assert!(body.contains("Предложено"));
    assert!(
        body.contains("500\u{a0}000\u{a0}000 JPY"),
        "ru digit groups"
    );
    assert!(body.contains("01.06.2024"), "ru date");
}

#[tokio::test]
async fn a_change_with_several_records_compares_each_with_its_stored_version() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (eve, csrf) = login(&c, "eve").await;
    let mut fields = with_equipment_line(
        small_activity("act-review-ventilators", "Ventilators for Semey"),
        "ICU ventilator",
        "4",
    );
    set(&mut fields, "equipment[0].id", "eq-review-vent");
    let r = post_new(&c, &eve, &csrf, "/forms/activities", &fields, "submit").await;
    assert!(r.status.is_redirection(), "{}: {}", r.status, r.body);
    let (abe, _) = login(&c, "abe").await;
    let list = c
        .send(Req::get("/api/v1/changes?state=submitted").cookie(&abe))
        .await
        .json();
    let change = &list[0];
    assert_eq!(change["record_id"], "act-review-ventilators");
    let records = change["review"]["records"].as_array().expect("records");
    let kinds: Vec<&str> = records.iter().filter_map(|r| r["kind"].as_str()).collect();
    assert_eq!(kinds, ["activity", "equipment_line"]);
    assert!(records.iter().all(|r| r["change"] == "added"));
    let page = c.send(Req::get("/changes").cookie(&abe)).await.body;
    assert!(page.contains("data-id=\"eq-review-vent\""), "{page}");
    assert!(page.contains("ICU ventilator"));
}

#[tokio::test]
async fn submitting_ones_own_draft_is_not_a_decision() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (eve, csrf) = login(&c, "eve").await;
    let fields = small_activity("act-review-draft", "Oxygen for Semey");
    let r = post_new(&c, &eve, &csrf, "/forms/activities", &fields, "draft").await;
    assert!(r.status.is_redirection(), "{}: {}", r.status, r.body);
    let list = c
        .send(Req::get("/api/v1/changes").cookie(&eve))
        .await
        .json();
    let id = list[0]["id"].as_i64().expect("id");
    assert_eq!(list[0]["state"], "draft");
    let r = c
        .send(
            Req::new(Method::POST, &format!("/changes/{id}/submit"))
                .cookie(&eve)
                .form(&[("csrf", &csrf)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let list = c
        .send(Req::get("/api/v1/changes").cookie(&eve))
        .await
        .json();
    assert_eq!(list[0]["state"], "submitted");
    assert_eq!(list[0]["decided_by"], serde_json::Value::Null);
    let page = c.send(Req::get("/changes").cookie(&eve)).await.body;
    assert!(!page.contains("decided by"), "{page}");
}

/// The preview judges the ledger with the page's dated rules on both sides: an overdue activity
/// the change does not touch is not listed as cleared (after an IATI import every change read
/// as clearing thousands of ACT-OVERDUE, and `/changes` grew to 17.7 MB).
#[tokio::test]
async fn an_untouched_overdue_activity_is_not_listed_as_cleared() {
    let e = env();
    e.state
        .service()
        .load_json(
            "test",
            r#"{"records": [{"record": "activity", "id": "act-test-overdue", "title": "Ended long ago",
                "instrument": "grant_aid", "status": "implementation",
                "participants": [{"org": "org-gov-japan", "role": "funding"}],
                "start_date": "2019-01-01", "end_date": "2021-06-30"}]}"#,
        )
        .unwrap();
    let c = Client::InProcess(e.state.clone());
    let findings = c.get("/api/v1/findings?per_page=500").await.body;
    assert!(
        findings.contains("ACT-OVERDUE"),
        "the page's ledger has one"
    );
    let id = propose_overspend(&e, &c).await;
    let (abe, _) = login(&c, "abe").await;
    let body = c.send(Req::get("/changes").cookie(&abe)).await.body;
    let at = body.find(&format!("id=\"change-{id}\"")).unwrap();
    let article = &body[at..];
    assert!(
        article.contains("data-rule=\"LEDGER-OVERSPENT\""),
        "{article}"
    );
    assert!(!article.contains("data-rule=\"ACT-OVERDUE\""), "{article}");
}

/// `n` decided changes straight in the queue (half approved, half rejected), oldest first.
fn decide_many(e: &common::Env, n: usize) -> Vec<i64> {
    use aidtrace_store::ChangeState;
    e.with_accounts(|a| {
        (0..n)
            .map(|i| {
                let id = a
                    .add_change(
                        "activity",
                        &format!("act-old-{i}"),
                        "[]",
                        None,
                        ChangeState::Submitted,
                        "eve",
                        "2026-01-01T00:00:00Z",
                    )
                    .unwrap();
                let to = if i % 2 == 0 {
                    ChangeState::Approved
                } else {
                    ChangeState::Rejected
                };
                assert!(
                    a.set_change_state(
                        id,
                        ChangeState::Submitted,
                        to,
                        "abe",
                        None,
                        "2026-01-02T00:00:00Z"
                    )
                    .unwrap()
                );
                id
            })
            .collect()
    })
}

#[tokio::test]
async fn decided_changes_come_twenty_to_a_page_with_the_pending_ones_first() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let old = decide_many(&e, 25);
    let pending = propose_overspend(&e, &c).await;
    let (abe, _) = login(&c, "abe").await;
    let first = c.send(Req::get("/changes").cookie(&abe)).await.body;
    assert!(first.contains("Waiting for a decision (1)"), "{first}");
    assert!(first.contains("Decided (25)"));
    let shown = |body: &str| {
        old.iter()
            .filter(|id| body.contains(&format!("id=\"change-{id}\"")))
            .count()
    };
    assert_eq!(shown(&first), 20);
    assert!(
        first.contains(&format!("id=\"change-{}\"", old[24])),
        "newest first"
    );
    assert!(first.contains("page 1 of 2"));
    assert!(
        first.contains("href=\"/changes?pending=1&amp;page=2#changes-decided\""),
        "{first}"
    );
    let second = c.send(Req::get("/changes?page=2").cookie(&abe)).await.body;
    assert_eq!(shown(&second), 5);
    assert!(second.contains(&format!("id=\"change-{}\"", old[0])));
    assert!(
        second.contains(&format!("id=\"approve-{pending}\"")),
        "the pending change on every page"
    );
}

#[tokio::test]
async fn a_page_past_the_end_shows_the_last_and_a_bad_one_is_refused() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let old = decide_many(&e, 3);
    let (abe, _) = login(&c, "abe").await;
    let past = c.send(Req::get("/changes?page=99").cookie(&abe)).await;
    assert_eq!(past.status, StatusCode::OK);
    assert!(past.body.contains(&format!("id=\"change-{}\"", old[0])));
    let bad = c.send(Req::get("/changes?page=two").cookie(&abe)).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("page"), "{}", bad.body);
}

#[tokio::test]
async fn pending_changes_come_twenty_to_a_page_too() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let ids: Vec<i64> = e.with_accounts(|a| {
        (0..21)
            .map(|i| {
                a.add_change(
                    "activity",
                    &format!("act-wait-{i}"),
                    "[]",
                    None,
                    aidtrace_store::ChangeState::Submitted,
                    "eve",
                    "2026-01-01T00:00:00Z",
                )
                .unwrap()
            })
            .collect()
    });
    let (abe, _) = login(&c, "abe").await;
    let first = c.send(Req::get("/changes").cookie(&abe)).await.body;
    assert!(first.contains("Waiting for a decision (21)"), "{first}");
    let approvable = |body: &str| {
        ids.iter()
            .filter(|id| body.contains(&format!("id=\"approve-{id}\"")))
            .count()
    };
    assert_eq!(approvable(&first), 20);
    assert!(
        first.contains("href=\"/changes?pending=2&amp;page=1#changes-pending\""),
        "{first}"
    );
    let second = c
        .send(Req::get("/changes?pending=2").cookie(&abe))
        .await
        .body;
    assert_eq!(approvable(&second), 1);
    assert!(
        second.contains(&format!("id=\"approve-{}\"", ids[0])),
        "the oldest last"
    );
}

#[tokio::test]
async fn the_api_gives_changes_a_page_at_a_time_with_the_total() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let old = decide_many(&e, 5);
    let token = e.token("abe");
    let r = c
        .send(Req::get("/api/v1/changes?per_page=2&page=2").bearer(&token))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.header("x-total-count"), "5");
    let ids: Vec<i64> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [old[2], old[1]], "newest first, the second pair");
    for (query, field) in [("page=0", "page"), ("per_page=501", "per_page")] {
        let bad = c
            .send(Req::get(&format!("/api/v1/changes?{query}")).bearer(&token))
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(bad.json()["field"], field, "{query}");
    }
}

#[tokio::test]
async fn a_proposed_new_activity_is_headed_by_its_title_not_its_id() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let activity = serde_json::json!({"record": "activity", "id": "act-review-ventilators",
        "title": "Ventilators for the Semey city emergency hospital", "instrument": "grant_aid",
        "status": "pipeline", "participants": [{"org": "org-embassy-japan-kz", "role": "funding"}]});
    let r = c
        .send(
            Req::new(Method::PUT, "/api/v1/activities/act-review-ventilators")
                .bearer(&e.token("eve"))
                .json(&activity),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let id = r.json()["change"].as_i64().unwrap();
    let (abe, _) = login(&c, "abe").await;
    let body = c.send(Req::get("/changes").cookie(&abe)).await.body;
    let at = body
        .find(&format!("id=\"change-{id}\""))
        .expect("the change");
    let heading = &body[at..at + body[at..].find("</h3>").unwrap()];
    assert!(
        heading.contains(
            "Ventilators for the Semey city emergency hospital <code class=\"muted\">act-review-ventilators</code>"
        ),
        "{heading}"
    );
}
