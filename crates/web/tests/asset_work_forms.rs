//! The forms beside "device down" over real HTTP on 127.0.0.1 (issue #17 item 2): voiding a wrong
//! lifecycle event, and a work order's progress (acknowledge, start, finish with result, labour
//! and parts). Every field problem is reported at once and nothing is written until all are right.

#![allow(clippy::unwrap_used)]

mod common;

use aidtrace_domain::RecordId;
use aidtrace_domain::assets::DowntimeCause;
use aidtrace_service::assets::{self, DeviceDown, DownReport, HistorySource};
use axum::http::{Method, StatusCode};
use common::{Client, Env, Req, env, login, spawn};

fn down(env: &Env) -> DownReport {
    env.with_service(|app| {
        assets::report_down(
            app,
            HistorySource::Store,
            "fen",
            DeviceDown {
                asset: RecordId::parse("as-semey-mri-1").unwrap(),
                at: chrono::NaiveDateTime::parse_from_str("2026-03-01 09:00", "%Y-%m-%d %H:%M")
                    .unwrap(),
                cause: DowntimeCause::Wear,
                reported_by: None,
                note: None,
            },
        )
        .unwrap()
    })
}

#[tokio::test]
async fn the_void_form_reports_every_field_problem_at_once_and_writes_nothing() {
    let env = env();
    let report = down(&env);
    let ev = report.event.unwrap();
    let client = Client::Socket(spawn(env.state.clone()).await);
    let (session, csrf) = login(&client, "fen").await;
    let before = env.record_count();
    let url = format!("/assets/as-semey-mri-1/events/{ev}/void?lang=uk");
    let r = client
        .send(Req::new(Method::POST, &url).cookie(&session).form(&[
            ("reason", " "),
            ("at", "завтра"),
            ("state", "broken"),
            ("csrf", &csrf),
        ]))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    for field in ["reason", "at", "state"] {
        assert!(
            r.body.contains(&format!("id=\"error-{field}\"")),
            "{field}: {}",
            r.body
        );
    }
    assert!(
        r.body.contains("вкажіть, чому запис помилковий"),
        "{}",
        r.body
    );
    assert_eq!(env.record_count(), before);
}

#[tokio::test]
async fn the_void_form_voids_the_event_and_the_page_lists_it_apart() {
    let env = env();
    let ev = down(&env).event.unwrap();
    let client = Client::Socket(spawn(env.state.clone()).await);
    let (session, csrf) = login(&client, "fen").await;
    let page = client
        .send(Req::get("/assets/as-semey-mri-1").cookie(&session))
        .await;
    let link = format!("/assets/as-semey-mri-1/events/{ev}/void");
    assert!(page.body.contains(&link), "{}", page.body);
    let r = client
        .send(Req::new(Method::POST, &link).cookie(&session).form(&[
            ("reason", "reported for the wrong machine"),
            ("csrf", &csrf),
        ]))
        .await;
    assert!(r.status.is_redirection(), "{}: {}", r.status, r.body);
    let page = client
        .send(Req::get("/assets/as-semey-mri-1").cookie(&session))
        .await;
    assert!(page.body.contains("id=\"voided-events\""), "{}", page.body);
    assert!(page.body.contains("reported for the wrong machine"));
}

#[tokio::test]
async fn a_work_order_is_acknowledged_started_and_finished_with_labour_and_parts() {
    let env = env();
    let wo = down(&env).work_order;
    let client = Client::Socket(spawn(env.state.clone()).await);
    let (session, csrf) = login(&client, "fen").await;
    let url = format!("/assets/as-semey-mri-1/work-orders/{wo}");
    for (step, at) in [
        ("acknowledge", "2026-03-01T10:00"),
        ("start", "2026-03-01T11:00"),
    ] {
        let r = client
            .send(Req::new(Method::POST, &url).cookie(&session).form(&[
                ("step", step),
                ("at", at),
                ("assignee", "A. Nurlanov"),
                ("csrf", &csrf),
            ]))
            .await;
        assert!(
            r.status.is_redirection(),
            "{step}: {}: {}",
            r.status,
            r.body
        );
    }
    let r = client
        .send(Req::new(Method::POST, &url).cookie(&session).form(&[
            ("step", "finish"),
            ("at", "2026-03-01T15:00"),
            ("result", "pass"),
            ("labour_hours", "4"),
            ("labour_rate", "12.5"),
            ("currency", "USD"),
            ("parts", "cold head seal:2:35"),
            ("csrf", &csrf),
        ]))
        .await;
    assert!(r.status.is_redirection(), "{}: {}", r.status, r.body);
    let admin = env.token("ada");
    let d = client
        .send(Req::get("/api/v1/assets/as-semey-mri-1").bearer(&admin))
        .await
        .json();
    let order = d["work_orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["id"] == wo.as_str())
        .unwrap()
        .clone();
    assert_eq!(order["status"], "done", "{order}");
    assert_eq!(order["acknowledged"], "2026-03-01T10:00:00");
    assert_eq!(order["started"], "2026-03-01T11:00:00");
    assert_eq!(order["closed"], "2026-03-01T15:00:00");
    assert_eq!(order["result"], "pass");
    assert_eq!(order["assignee"], "A. Nurlanov");
    assert!(order["labour_hours"].to_string().contains('4'), "{order}");
    assert!(
        order["labour_rate"]["amount"].to_string().contains("12.5"),
        "{order}"
    );
    assert_eq!(order["parts"][0]["quantity"], 2);
    // A done order shows no form: it is closed once.
    let page = client.send(Req::get(&url).cookie(&session)).await;
    assert!(!page.body.contains("id=\"progress-form\""), "{}", page.body);
    // What the repair cost is on its page: 4 h at 12.5 USD, two seals at 35 USD.
    assert!(
        page.body
            .contains("<dd id=\"order-labour-cost\">50 USD</dd>"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("cold head seal × 2 — 35 USD"),
        "{}",
        page.body
    );
    // The repair passed but nobody said the MRI works again: the page says where to.
    assert!(page.body.contains("id=\"still-down\""), "{}", page.body);
    assert!(page.body.contains("href=\"/assets/as-semey-mri-1/down\""));
}

#[tokio::test]
async fn the_progress_form_reports_every_field_problem_at_once_and_writes_nothing() {
    let env = env();
    let wo = down(&env).work_order;
    let client = Client::Socket(spawn(env.state.clone()).await);
    let (session, csrf) = login(&client, "fen").await;
    let before = env.record_count();
    let url = format!("/assets/as-semey-mri-1/work-orders/{wo}?lang=kk");
    let r = client
        .send(Req::new(Method::POST, &url).cookie(&session).form(&[
            ("step", "finish"),
            ("at", "soon"),
            ("result", "ok"),
            ("labour_hours", "-1"),
            ("parts", "seal"),
            ("csrf", &csrf),
        ]))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    for field in ["at", "result", "labour_hours", "currency", "parts"] {
        assert!(
            r.body.contains(&format!("id=\"error-{field}\"")),
            "{field}: {}",
            r.body
        );
    }
    assert!(
        r.body.contains("«жарамды» немесе «жарамсыз» таңдаңыз"),
        "{}",
        r.body
    );
    assert_eq!(env.record_count(), before);
}

#[tokio::test]
async fn a_step_before_the_request_is_refused_naming_the_time() {
    let env = env();
    let wo = down(&env).work_order;
    let client = Client::Socket(spawn(env.state.clone()).await);
    let (session, csrf) = login(&client, "fen").await;
    let before = env.record_count();
    let url = format!("/assets/as-semey-mri-1/work-orders/{wo}");
    let r = client
        .send(Req::new(Method::POST, &url).cookie(&session).form(&[
            ("step", "acknowledge"),
            ("at", "2026-02-01T10:00"),
            ("csrf", &csrf),
        ]))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"error-at\""), "{}", r.body);
    assert_eq!(env.record_count(), before);
}

#[tokio::test]
async fn a_viewer_may_not_open_the_work_order_form() {
    let env = env();
    let wo = down(&env).work_order;
    let client = Client::Socket(spawn(env.state.clone()).await);
    let (session, _) = login(&client, "vic").await;
    let r = client
        .send(Req::get(&format!("/assets/as-semey-mri-1/work-orders/{wo}")).cookie(&session))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}

/// A refusal of the asset history rules reaches a Ukrainian page worded from its message id
/// (`verr-event-out-of-order`), not as "not accepted" with the English sentence.
#[tokio::test]
async fn a_report_out_of_order_is_worded_in_the_readers_language() {
    let env = env();
    let client = Client::Socket(spawn(env.state.clone()).await);
    let (session, csrf) = login(&client, "fen").await;
    let before = env.record_count();
    // The MRI's latest event is its return to service on 2025-03-12 16:00.
    let r = client
        .send(
            Req::new(Method::POST, "/assets/as-semey-mri-1/down?lang=uk")
                .cookie(&session)
                .form(&[
                    ("cause", "mechanical"),
                    ("at", "2025-03-01T10:00"),
                    ("csrf", &csrf),
                ]),
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.body);
    assert!(
        r.body
            .contains("записано не за порядком: остання подія виробу — 2025-03-12 16:00:00"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("Це значення не приймається"), "{}", r.body);
    assert!(!r.body.contains("is out of order"), "{}", r.body);
    assert_eq!(env.record_count(), before);
}

#[tokio::test]
async fn a_step_before_the_request_is_worded_in_ukrainian_on_the_work_order_page() {
    let env = env();
    let wo = down(&env).work_order;
    let client = Client::Socket(spawn(env.state.clone()).await);
    let (session, csrf) = login(&client, "fen").await;
    let url = format!("/assets/as-semey-mri-1/work-orders/{wo}?lang=uk");
    let r = client
        .send(Req::new(Method::POST, &url).cookie(&session).form(&[
            ("step", "acknowledge"),
            ("at", "2026-02-01T10:00"),
            ("csrf", &csrf),
        ]))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("раніше, ніж"), "{}", r.body);
    assert!(!r.body.contains("is before the"), "{}", r.body);
}
