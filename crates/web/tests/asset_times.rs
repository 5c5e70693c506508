//! Asset times over real HTTP on 127.0.0.1: a report dated in the future is refused on the phone
//! form naming the field and value (the API writes no asset history); times with offsets are stored as UTC instants;
//! a bare date means 00:00 UTC as in the CLI; the asset page shows the donation verdict.

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{Method, StatusCode};
use common::{Client, Req, env, login, spawn};

#[tokio::test]
async fn the_phone_form_refuses_a_time_in_the_future_and_writes_nothing() {
    let env = env();
    let client = Client::Socket(spawn(env.state.clone()).await);
    let (session, csrf) = login(&client, "fen").await;
    let before = env.record_count();
    let r = client
        .send(
            Req::new(Method::POST, "/assets/as-semey-mri-1/down")
                .cookie(&session)
                .form(&[("cause", "wear"), ("at", "2030-01-01"), ("csrf", &csrf)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"error\""), "{}", r.body);
    assert!(
        r.body.contains("2030-01-01 00:00:00"),
        "names the value: {}",
        r.body
    );
    assert_eq!(env.record_count(), before);
}

#[tokio::test]
async fn the_phone_form_stores_a_time_with_an_offset_as_utc() {
    let env = env();
    let client = Client::Socket(spawn(env.state.clone()).await);
    let (session, csrf) = login(&client, "fen").await;
    let r = client
        .send(
            Req::new(Method::POST, "/assets/as-semey-mri-1/down")
                .cookie(&session)
                .form(&[
                    ("cause", "wear"),
                    ("at", "2026-03-01T10:00+05:00"),
                    ("csrf", &csrf),
                ]),
        )
        .await;
    assert!(r.status.is_redirection(), "{}: {}", r.status, r.body);
    let admin = env.token("ada");
    let d = client
        .send(Req::get("/api/v1/assets/as-semey-mri-1").bearer(&admin))
        .await
        .json();
    let starts = d["downtimes"].to_string();
    assert!(starts.contains("2026-03-01T05:00:00"), "{starts}");
}

#[tokio::test]
async fn a_bare_date_is_the_start_of_the_day_utc_as_in_the_cli() {
    let env = env();
    let client = Client::Socket(spawn(env.state.clone()).await);
    let bare = client.get("/api/v1/reports/asset-gaps?at=2025-12-31").await;
    assert_eq!(bare.status, StatusCode::OK, "{}", bare.body);
    assert_eq!(bare.json()["at"], "2025-12-31T00:00:00");
    let offset = client
        .get("/api/v1/reports/asset-gaps?at=2025-12-31T05:00%2B05:00")
        .await;
    assert_eq!(
        offset.json()["at"],
        "2025-12-31T00:00:00",
        "{}",
        offset.body
    );
}

#[tokio::test]
async fn the_asset_page_shows_the_donation_verdict_in_the_readers_language() {
    let env = env();
    let client = Client::Socket(spawn(env.state.clone()).await);
    let (session, _) = login(&client, "fen").await;
    let page = client
        .send(Req::get("/assets/as-semey-mri-1?lang=ru").cookie(&session))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    // The demo's registration counts Japanese devices but names no model: not assessed.
    assert!(
        page.body.contains("data-verdict=\"not_assessed\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("не оценено"), "{}", page.body);
    assert!(page.body.contains("регистрация на рынке получателя"));
}

#[tokio::test]
async fn the_asset_page_lists_a_voided_event_apart_with_its_reason() {
    use aidtrace_domain::RecordId;
    use aidtrace_domain::assets::DowntimeCause;
    use aidtrace_service::assets::{self, DeviceDown, HistorySource};
    let env = env();
    let mri = RecordId::parse("as-semey-mri-1").unwrap();
    let at = chrono::NaiveDateTime::parse_from_str("2026-03-01 09:00", "%Y-%m-%d %H:%M").unwrap();
    {
        let mut app = env.state.service();
        let down = DeviceDown {
            asset: mri.clone(),
            at,
            cause: DowntimeCause::Wear,
            reported_by: None,
            note: None,
        };
        let report = assets::report_down(&mut app, HistorySource::Store, "fen", down).unwrap();
        let ev = report.event.unwrap();
        assets::void_event(
            &mut app,
            HistorySource::Store,
            "fen",
            &ev,
            "reported for the wrong machine",
            None,
            None,
        )
        .unwrap();
    }
    let client = Client::Socket(spawn(env.state.clone()).await);
    let (session, _) = login(&client, "fen").await;
    let page = client
        .send(Req::get("/assets/as-semey-mri-1?lang=ru").cookie(&session))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"voided-events\""), "{}", page.body);
    assert!(page.body.contains("reported for the wrong machine"));
    assert!(page.body.contains("Аннулированные записи"));
    assert!(page.body.contains("Когда записано"));
}
