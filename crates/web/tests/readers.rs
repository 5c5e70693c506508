//! Reads that need the store take a connection of their own (`readers.rs`), so they never wait
//! for the writing connection, and they see what a write committed.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use aidtrace_web::state::WebConfig;
use axum::http::{Method, StatusCode};
use common::{Client, Req, env, env_with};
use serde_json::json;

/// Far longer than any read takes; reaching it means the read queued behind the writer.
const NEVER: Duration = Duration::from_secs(60);

/// Holds the writing connection on a thread of its own, as a long import does, until dropped.
struct HeldWriter(
    Option<std::sync::mpsc::Sender<()>>,
    Option<std::thread::JoinHandle<()>>,
);

fn hold_writer(state: &aidtrace_web::state::AppState) -> HeldWriter {
    let state = state.clone();
    let (held_tx, held_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let thread = std::thread::spawn(move || {
        let _writer = state.service();
        held_tx.send(()).unwrap();
        let _ = release_rx.recv();
    });
    held_rx.recv().unwrap();
    HeldWriter(Some(release_tx), Some(thread))
}

impl Drop for HeldWriter {
    fn drop(&mut self) {
        drop(self.0.take());
        if let Some(t) = self.1.take() {
            t.join().unwrap();
        }
    }
}

/// `uri` read by an admin while the writing connection is held; fails if the read waits for it.
async fn read_beside_a_held_writer(uri: &str) -> common::Resp {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let admin = e.token("ada");
    let writer = hold_writer(&e.state);
    let got = tokio::time::timeout(NEVER, c.send(Req::get(uri).bearer(&admin)))
        .await
        .unwrap_or_else(|_| panic!("{uri} waited for the writing connection"));
    drop(writer);
    got
}

#[tokio::test]
async fn a_list_page_answers_while_a_write_holds_the_writing_connection() {
    let list = read_beside_a_held_writer("/api/v1/flows?per_page=5").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(
        !list.json()["items"].as_array().unwrap().is_empty(),
        "{}",
        list.body
    );
}

#[tokio::test]
async fn a_single_record_answers_while_a_write_holds_the_writing_connection() {
    let one = read_beside_a_held_writer("/api/v1/flows/flow-kz-semey-commitment").await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.body);
}

#[tokio::test]
async fn an_asset_page_answers_while_a_write_holds_the_writing_connection() {
    let page = read_beside_a_held_writer("/assets/as-semey-mri-1").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("id=\"events\""), "{}", page.body);
}

#[tokio::test]
async fn a_read_after_a_write_shows_what_it_committed() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let admin = e.token("ada");
    // Open a reading connection first, so the read below reuses one that predates the write.
    let warm = c
        .send(Req::get("/api/v1/flows?per_page=1").bearer(&admin))
        .await;
    assert_eq!(warm.status, StatusCode::OK, "{}", warm.body);
    let put = c
        .send(
            Req::new(Method::PUT, "/api/v1/flows/flow-readers-1")
                .bearer(&admin)
                .json(&json!({"record": "flow", "id": "flow-readers-1",
                    "activity": "act-kz-semey-equipment", "kind": "disbursement",
                    "money": {"amount": "1234", "currency": "JPY", "value_date": "2024-05-01"}})),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    let got = c
        .send(Req::get("/api/v1/flows/flow-readers-1").bearer(&admin))
        .await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.body);
    assert_eq!(got.json()["money"]["amount"], "1234", "{}", got.body);
}

#[tokio::test]
async fn one_reading_connection_serves_reads_one_after_another() {
    let e = env_with(WebConfig {
        secure_cookies: false,
        read_connections: 1,
        ..WebConfig::default()
    });
    let c = Client::InProcess(e.state.clone());
    let admin = e.token("ada");
    for _ in 0..3 {
        let list = tokio::time::timeout(
            NEVER,
            c.send(Req::get("/api/v1/flows?per_page=2").bearer(&admin)),
        )
        .await
        .expect("a read kept the only reading connection");
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    }
}
