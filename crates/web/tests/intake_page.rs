//! The intake review page over real HTTP: an editor pastes the seed article, sees the facts with
//! their quoted spans and checks, rejects and accepts; forged CSRF tokens, viewers and anonymous
//! callers are refused and write nothing.

mod common;

use aidtrace_domain::RecordId;
use axum::http::{Method, StatusCode};
use common::{Client, Req, env, login, spawn};

fn seed_article() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../intake/tests/data/dev.jsonl"
    );
    std::fs::read_to_string(path)
        .expect("dev.jsonl")
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("json"))
        .find(|v| v["id"] == "d01")
        .and_then(|v| v["text"].as_str().map(String::from))
        .expect("d01")
}

fn audit_len(e: &common::Env) -> usize {
    e.state.service().verify_audit().expect("verify").entries
}

#[tokio::test]
async fn editor_submits_reviews_and_forged_tokens_are_refused() {
    let e = env();
    let c = Client::Socket(spawn(e.state.clone()).await);

    let anonymous = c.get("/intake").await;
    assert_eq!(
        anonymous.status,
        StatusCode::UNAUTHORIZED,
        "{}",
        anonymous.body
    );

    let (eve, csrf) = login(&c, "eve").await;
    let page = c.send(Req::get("/intake").cookie(&eve)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"intake-submit\""), "{}", page.body);

    // A forged token on the paste form writes nothing.
    let before = audit_len(&e);
    let text = seed_article();
    let forged = c
        .send(
            Req::new(Method::POST, "/intake")
                .cookie(&eve)
                .form(&[("csrf", "forged-token"), ("text", &text)]),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    assert_eq!(audit_len(&e), before);

    let sent = c
        .send(Req::new(Method::POST, "/intake").cookie(&eve).form(&[
            ("csrf", &csrf),
            ("text", &text),
            ("url", "https://example.org/semey"),
            ("published", "2024-05-30"),
        ]))
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(sent.header("location"), "/intake#draft-1");

    let page = c.send(Req::get("/intake").cookie(&eve)).await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    assert!(body.contains("id=\"draft-1\""), "{body}");
    assert!(body.contains("<mark>108.7 million yen</mark>"), "{body}");
    assert!(body.contains("<mark>68,790 US dollars</mark>"), "{body}");
    assert!(
        body.contains("ratio 9.7476"),
        "FX-equivalent flag shown: {body}"
    );
    assert!(
        body.contains("flow-kz-semey-commitment"),
        "the demo's flow is proposed as the same: {body}"
    );
    assert!(body.contains("id=\"accept-draft-1-0\""), "{body}");

    // Forged token on a review button: refused, nothing written.
    let before = audit_len(&e);
    let forged = c
        .send(
            Req::new(Method::POST, "/intake/draft-1/1/reject")
                .cookie(&eve)
                .form(&[("csrf", "nope"), ("reason", "x")]),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    // A bad edit: 422 naming the field, nothing written.
    let bad = c
        .send(
            Req::new(Method::POST, "/intake/draft-1/0/accept")
                .cookie(&eve)
                .form(&[("csrf", &csrf), ("set", "amount=lots")]),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("amount"), "{}", bad.body);
    // A fact that does not exist.
    let missing = c
        .send(
            Req::new(Method::POST, "/intake/draft-1/9/reject")
                .cookie(&eve)
                .form(&[("csrf", &csrf), ("reason", "x")]),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.body);
    assert_eq!(audit_len(&e), before);

    // A viewer sees the queue but may not review, even with a valid token of their own.
    let (vic, vic_csrf) = login(&c, "vic").await;
    let seen = c.send(Req::get("/intake").cookie(&vic)).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(!seen.body.contains("id=\"accept-draft-1-0\""));
    let refused = c
        .send(
            Req::new(Method::POST, "/intake/draft-1/1/reject")
                .cookie(&vic)
                .form(&[("csrf", &vic_csrf), ("reason", "x")]),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_eq!(audit_len(&e), before);

    // Reject with a reason, accept the other: the reason shows and the demo flow gains the
    // article as a source instead of a duplicate flow.
    let flows_before = e.state.service().ledger().expect("ledger").flows.len();
    let rejected = c
        .send(
            Req::new(Method::POST, "/intake/draft-1/1/reject")
                .cookie(&eve)
                .form(&[
                    ("csrf", &csrf),
                    ("reason", "older grant, recorded elsewhere"),
                ]),
        )
        .await;
    assert_eq!(rejected.status, StatusCode::SEE_OTHER, "{}", rejected.body);
    let accepted = c
        .send(
            Req::new(Method::POST, "/intake/draft-1/0/accept")
                .cookie(&eve)
                .form(&[("csrf", &csrf), ("set", "")]),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    // Eve's organisation requires approval: the acceptance waits as a submitted change and the
    // ledger is untouched until an approver approves it.
    let cites_article = |e: &common::Env| {
        let ledger = e.state.service().ledger().expect("ledger");
        ledger.flows[&RecordId::parse("flow-kz-semey-commitment").expect("id")]
            .sources
            .iter()
            .any(|s| s.source.as_str() == "src-intake-draft-1")
    };
    assert!(!cites_article(&e), "nothing written before approval");
    let page = c.send(Req::get("/intake").cookie(&eve)).await;
    assert!(
        page.body.contains("id=\"proposed-draft-1-0\""),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("id=\"accept-draft-1-0\""),
        "no second proposal"
    );
    let changes = c
        .send(Req::get("/api/v1/changes?state=submitted").bearer(&e.token("abe")))
        .await;
    let items = changes.json();
    let change = items
        .as_array()
        .and_then(|a| a.iter().find(|c| c["kind"] == "intake_draft"))
        .cloned()
        .unwrap_or_else(|| panic!("no submitted intake change: {items}"));
    assert_eq!(change["author"], "eve");
    assert_eq!(change["record_id"], "draft-1");
    let (abe, abe_csrf) = login(&c, "abe").await;
    let approved = c
        .send(
            Req::new(Method::POST, &format!("/changes/{}/approve", change["id"]))
                .cookie(&abe)
                .form(&[("csrf", &abe_csrf)]),
        )
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);
    assert!(
        cites_article(&e),
        "the approved acceptance is in the ledger"
    );
    let ledger = e.state.service().ledger().expect("ledger");
    assert_eq!(ledger.flows.len(), flows_before, "no duplicate flow");
    let flow = &ledger.flows[&RecordId::parse("flow-kz-semey-commitment").expect("id")];
    assert!(
        flow.sources
            .iter()
            .any(|s| s.source.as_str() == "src-intake-draft-1"
                && s.quote.as_deref() == Some("108.7 million yen")),
        "{:?}",
        flow.sources
    );
    let page = c.send(Req::get("/intake").cookie(&eve)).await;
    assert!(
        page.body.contains("older grant, recorded elsewhere"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("id=\"accept-draft-1-0\""),
        "reviewed facts lose their buttons"
    );
}
