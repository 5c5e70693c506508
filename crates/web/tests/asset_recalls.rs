//! Incidents and field safety notices over real HTTP on 127.0.0.1 (issue #17 item 7): the notices
//! page searches by serial; a notice lists the assets it names and an admin opens their
//! recall-action orders; the incident form reports every field problem at once in the reader's
//! language and writes nothing until all are right.

#![allow(clippy::unwrap_used)]

mod common;

use aidtrace_domain::RecordId;
use aidtrace_domain::assets::recall::{FieldSafetyNotice, SerialRange};
use aidtrace_service::assets;
use axum::http::{Method, StatusCode};
use common::{Client, Env, Req, env, login, spawn};

fn id(s: &str) -> RecordId {
    RecordId::parse(s).unwrap()
}

fn with_notice() -> Env {
    let env = env();
    env.with_service(|app| {
        assets::record_notice(
            app,
            "ada",
            FieldSafetyNotice {
                id: id("fsn-vent-1"),
                issuer: id("org-mfr-unstated-icu"),
                reference: "FSN-2026-014".into(),
                date: chrono::NaiveDate::from_ymd_opt(2026, 2, 20).unwrap(),
                model: Some(id("dm-illustrative-ventilator")),
                udi_di: vec![],
                lots: vec![],
                serials: vec![],
                serial_ranges: vec![SerialRange {
                    from: "SN0100".into(),
                    to: "SN0199".into(),
                }],
                action: "replace the oxygen sensor".into(),
            },
        )
        .unwrap();
    });
    env
}

#[tokio::test]
async fn the_notices_page_finds_a_notice_by_serial_in_the_readers_language() {
    let env = with_notice();
    let client = Client::Socket(spawn(env.state.clone()).await);
    let (session, _) = login(&client, "fen").await;
    let hit = client
        .send(Req::get("/assets/recalls?q=SN0150&lang=kk").cookie(&session))
        .await;
    assert_eq!(hit.status, StatusCode::OK, "{}", hit.body);
    assert!(
        hit.body.contains("data-notice=\"fsn-vent-1\""),
        "{}",
        hit.body
    );
    assert!(
        hit.body
            .contains("Қауіпсіздік шаралары туралы хабарламалар")
    );
    let miss = client
        .send(Req::get("/assets/recalls?q=SN0200").cookie(&session))
        .await;
    assert!(miss.body.contains("id=\"no-notices\""), "{}", miss.body);
}

#[tokio::test]
async fn an_admin_opens_the_recall_orders_and_the_notice_shows_their_progress() {
    let env = with_notice();
    let client = Client::Socket(spawn(env.state.clone()).await);
    let (session, csrf) = login(&client, "ada").await;
    let page = client
        .send(Req::get("/assets/recalls/fsn-vent-1").cookie(&session))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for vent in ["as-semey-vent-1", "as-semey-vent-4"] {
        assert!(
            page.body
                .contains(&format!("data-asset=\"{vent}\" data-match=\"unverified\"")),
            "{}",
            page.body
        );
    }
    assert!(page.body.contains("id=\"open-orders\""));
    let posted = client
        .send(
            Req::new(Method::POST, "/assets/recalls/fsn-vent-1/orders")
                .cookie(&session)
                .form(&[("csrf", &csrf)]),
        )
        .await;
    assert!(
        posted.status.is_redirection(),
        "{}: {}",
        posted.status,
        posted.body
    );
    let after = client
        .send(Req::get("/assets/recalls/fsn-vent-1").cookie(&session))
        .await;
    assert!(
        after.body.contains("data-done=\"0\" data-to-act=\"4\""),
        "{}",
        after.body
    );
    assert!(
        !after.body.contains("id=\"open-orders\""),
        "nothing left to open"
    );
    assert!(after.body.contains("wo-recall-fsn-vent-1-as-semey-vent-1"));
}

#[tokio::test]
async fn an_engineer_may_not_open_recall_orders_and_nothing_is_written() {
    let env = with_notice();
    let client = Client::Socket(spawn(env.state.clone()).await);
    let (session, csrf) = login(&client, "fen").await;
    let before = env.record_count();
    let posted = client
        .send(
            Req::new(Method::POST, "/assets/recalls/fsn-vent-1/orders")
                .cookie(&session)
                .form(&[("csrf", &csrf)]),
        )
        .await;
    assert_eq!(posted.status, StatusCode::FORBIDDEN, "{}", posted.body);
    assert_eq!(env.record_count(), before);
}

#[tokio::test]
async fn the_incident_form_reports_every_field_problem_at_once_and_writes_nothing() {
    let env = env();
    let client = Client::Socket(spawn(env.state.clone()).await);
    let (session, csrf) = login(&client, "fen").await;
    let before = env.record_count();
    let r = client
        .send(
            Req::new(Method::POST, "/assets/as-semey-vent-1/incident?lang=ru")
                .cookie(&session)
                .form(&[
                    ("severity", ""),
                    ("at", "вчера"),
                    ("description", ""),
                    ("csrf", &csrf),
                ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    for field in ["severity", "at", "description"] {
        assert!(
            r.body.contains(&format!("id=\"error-{field}\"")),
            "{field}: {}",
            r.body
        );
    }
    assert!(r.body.contains("выберите тяжесть"), "{}", r.body);
    assert!(r.body.contains("вчера"), "keeps what was typed");
    assert_eq!(env.record_count(), before);
}

#[tokio::test]
async fn the_incident_form_refuses_a_time_in_the_future() {
    let env = env();
    let client = Client::Socket(spawn(env.state.clone()).await);
    let (session, csrf) = login(&client, "fen").await;
    let before = env.record_count();
    let r = client
        .send(
            Req::new(Method::POST, "/assets/as-semey-vent-1/incident")
                .cookie(&session)
                .form(&[
                    ("severity", "minor"),
                    ("at", "2099-01-01"),
                    ("description", "alarm did not sound"),
                    ("csrf", &csrf),
                ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"error-at\""), "{}", r.body);
    assert_eq!(env.record_count(), before);
}

#[tokio::test]
async fn a_recorded_incident_shows_on_the_asset_page() {
    let env = env();
    let client = Client::Socket(spawn(env.state.clone()).await);
    let (session, csrf) = login(&client, "fen").await;
    let r = client
        .send(
            Req::new(Method::POST, "/assets/as-semey-vent-1/incident")
                .cookie(&session)
                .form(&[
                    ("severity", "serious"),
                    ("at", "2026-02-10T14:00+05:00"),
                    ("description", "oxygen reading wrong"),
                    ("reported_to_regulator", "yes"),
                    ("csrf", &csrf),
                ]),
        )
        .await;
    assert!(r.status.is_redirection(), "{}: {}", r.status, r.body);
    let page = client
        .send(Req::get("/assets/as-semey-vent-1?lang=uk").cookie(&session))
        .await;
    assert!(
        page.body
            .contains("data-incident=\"inc-as-semey-vent-1-20260210T090000\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("серйозний"), "{}", page.body);
}

#[tokio::test]
async fn a_viewer_may_not_record_an_incident() {
    let env = env();
    let client = Client::Socket(spawn(env.state.clone()).await);
    let (session, _) = login(&client, "vic").await;
    let r = client
        .send(Req::get("/assets/as-semey-vent-1/incident").cookie(&session))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}
