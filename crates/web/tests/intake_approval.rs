//! Accepting an intake fact writes ledger records, so it follows the organisation's approval rule:
//! an editor whose organisation skips approval writes at once; otherwise the acceptance waits as
//! a submitted change (the other case is walked in tests/intake_page.rs).

#![allow(clippy::unwrap_used)]

mod common;

use aidtrace_domain::{Record, RecordId, RecordKind};
use axum::http::{Method, StatusCode};
use common::{Client, Req, env, login, spawn};

fn seed_article() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../intake/tests/data/dev.jsonl"
    );
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["id"] == "d01")
        .and_then(|v| v["text"].as_str().map(String::from))
        .unwrap()
}

fn cites_article(e: &common::Env) -> bool {
    let ledger = e.with_service(|s| s.ledger().unwrap());
    ledger.flows[&RecordId::parse("flow-kz-semey-commitment").unwrap()]
        .sources
        .iter()
        .any(|s| s.source.as_str() == "src-intake-draft-1")
}

fn open_changes(e: &common::Env) -> usize {
    e.with_accounts(|a| a.changes(None).unwrap().len())
}

async fn paste_and_accept(c: &Client, session: &str, csrf: &str) {
    let sent = c
        .send(Req::new(Method::POST, "/intake").cookie(session).form(&[
            ("csrf", csrf),
            ("text", &seed_article()),
            ("url", "https://example.org/semey"),
        ]))
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let accepted = c
        .send(
            Req::new(Method::POST, "/intake/draft-1/0/accept")
                .cookie(session)
                .form(&[("csrf", csrf), ("set", "")]),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
}

#[tokio::test]
async fn editor_of_an_organisation_requiring_approval_proposes() {
    let e = env();
    let c = Client::Socket(spawn(e.state.clone()).await);
    let (eve, csrf) = login(&c, "eve").await;
    paste_and_accept(&c, &eve, &csrf).await;
    assert!(!cites_article(&e));
    assert_eq!(open_changes(&e), 1);
    let change = e.with_accounts(|a| a.changes(None).unwrap().remove(0));
    assert_eq!(change.state.as_str(), "submitted");
    assert_eq!(
        (change.kind.as_str(), change.record_id.as_str()),
        ("intake_draft", "draft-1")
    );
    // The stored draft still has the fact pending until the approval.
    let draft = e.with_service(|s| {
        s.store()
            .get(
                RecordKind::IntakeDraft,
                &RecordId::parse("draft-1").unwrap(),
            )
            .unwrap()
    });
    let Some(Record::IntakeDraft(d)) = draft else {
        panic!("no draft")
    };
    assert_eq!(format!("{:?}", d.facts[0].status), "Pending");
}

#[tokio::test]
async fn editor_of_an_organisation_skipping_approval_writes_directly() {
    let e = env();
    e.with_service(|service| {
        let Some(Record::Organisation(mut org)) = service
            .store()
            .get(
                RecordKind::Organisation,
                &RecordId::parse("org-embassy-japan-kz").unwrap(),
            )
            .unwrap()
        else {
            panic!("the demo has the embassy");
        };
        org.skip_approval = true;
        service.put("ada", vec![Record::Organisation(org)]).unwrap();
    });
    e.state.invalidate();
    let c = Client::Socket(spawn(e.state.clone()).await);
    let (eve, csrf) = login(&c, "eve").await;
    paste_and_accept(&c, &eve, &csrf).await;
    assert!(cites_article(&e), "written at once");
    assert_eq!(open_changes(&e), 0, "no change proposed");
    let audit = e.with_service(|s| s.verify_audit().unwrap());
    assert!(audit.ok(), "{:?}", audit.problems);
}

/// The acceptance cites the article on the demo's existing flow; an edit of that flow made while
/// the acceptance waits must not be overwritten by approving it.
#[tokio::test]
async fn approval_refuses_an_acceptance_whose_flow_moved_on() {
    let e = env();
    let c = Client::Socket(spawn(e.state.clone()).await);
    let (eve, csrf) = login(&c, "eve").await;
    paste_and_accept(&c, &eve, &csrf).await;
    let flow_id = RecordId::parse("flow-kz-semey-commitment").unwrap();
    e.with_service(|service| {
        let Some(Record::Flow(mut flow)) = service.store().get(RecordKind::Flow, &flow_id).unwrap()
        else {
            panic!("the demo has the flow");
        };
        flow.description = Some("corrected meanwhile by an admin".into());
        service.put("ada", vec![Record::Flow(flow)]).unwrap();
    });
    e.state.invalidate();
    let change = e.with_accounts(|a| a.changes(None).unwrap().remove(0));
    let (abe, abe_csrf) = login(&c, "abe").await;
    let r = c
        .send(
            Req::new(Method::POST, &format!("/changes/{}/approve", change.id))
                .cookie(&abe)
                .form(&[("csrf", &abe_csrf)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let stored = e.with_service(|s| s.store().get(RecordKind::Flow, &flow_id).unwrap());
    let Some(Record::Flow(flow)) = stored else {
        panic!("flow");
    };
    assert_eq!(
        flow.description.as_deref(),
        Some("corrected meanwhile by an admin"),
        "the admin's edit stands"
    );
    assert!(
        !cites_article(&e),
        "nothing of the refused change was written"
    );
}

/// Skipping approval is about the editor's own organisation; a fact that writes records outside
/// the editor's scope still waits for an approver.
#[tokio::test]
async fn an_acceptance_outside_the_editors_scope_waits_even_when_their_organisation_skips_approval()
{
    let e = env();
    e.with_service(|service| {
        let Some(Record::Organisation(mut org)) = service
            .store()
            .get(
                RecordKind::Organisation,
                &RecordId::parse("org-gov-ukraine").unwrap(),
            )
            .unwrap()
        else {
            panic!("the demo has Ukraine's government");
        };
        org.skip_approval = true;
        service.put("ada", vec![Record::Organisation(org)]).unwrap();
    });
    let zed = aidtrace_store::Account {
        name: "zed".into(),
        role: "editor".into(),
        organisations: vec!["org-gov-ukraine".into()],
        facilities: vec![],
    };
    e.with_accounts(|a| aidtrace_web::add_user(a, &zed, common::PASSWORD, common::CHEAP).unwrap());
    e.state.invalidate();
    let c = Client::Socket(spawn(e.state.clone()).await);
    let (session, csrf) = login(&c, "zed").await;
    paste_and_accept(&c, &session, &csrf).await;
    assert!(!cites_article(&e), "the Semey flow is not zed's to write");
    assert_eq!(open_changes(&e), 1, "the acceptance waits for an approver");
}
