//! Defects found by testing the API as an attacker would (issue #12): a validator that leaked
//! blurred coordinates, creates that raced into overwrites, conditional headers read loosely,
//! editors rewriting shared sources, and error answers outside the JSON shape; and (fifteenth
//! session) approvals posted cross-site with the session cookie, and a blurred facility's
//! location note given to the public.

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{Method, StatusCode};
use common::{Client, Req, env, login, propose_overspend};
use serde_json::json;

/// A demo store, an in-process client and an admin's bearer token (the store lives as long as
/// the returned `Env`).
fn as_admin() -> (common::Env, Client, String) {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let admin = e.token("ada");
    (e, c, admin)
}

const SECRET: &str = "/api/v1/facilities/fac-secret";

fn secret_at(lat: &str, lon: &str) -> serde_json::Value {
    json!({"id":"fac-secret","name":"Hospital under shelling","kind":"regional_hospital","country":"UA",
        "location":{"lat":lat,"lon":lon},"sensitive":true})
}

/// Everything an anonymous reader observes of a response: status, every header, the body.
async fn observed(c: &Client, uri: &str) -> (StatusCode, Vec<(String, String)>, Vec<u8>) {
    let r = c.get(uri).await;
    let mut headers: Vec<(String, String)> = r
        .headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_string()))
        .collect();
    headers.sort();
    (r.status, headers, r.bytes)
}

#[tokio::test]
async fn anonymous_responses_do_not_depend_on_exact_coordinates_inside_a_blur_cell() {
    let (_e, c, admin) = as_admin();
    let put = |body: serde_json::Value, etag: Option<String>| {
        let mut r = Req::new(Method::PUT, SECRET).bearer(&admin).json(&body);
        if let Some(t) = etag {
            r = r.header("if-match", &t);
        }
        r
    };
    // Two exact locations a few hundred metres apart, inside one 10 km cell.
    let r = c.send(put(secret_at("49.9935", "36.2504"), None)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let uris = [
        SECRET,
        "/api/v1/facilities",
        "/facilities/fac-secret",
        "/facilities",
        "/map",
        "/export/facilities/csv",
        "/export/facilities/xlsx",
    ];
    let mut first = Vec::new();
    for uri in uris {
        first.push(observed(&c, uri).await);
    }
    let etag = c.send(Req::get(SECRET).bearer(&admin)).await.header("etag");
    let r = c
        .send(put(secret_at("49.9951", "36.2488"), Some(etag.clone())))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_ne!(r.header("etag"), etag, "the stored record did change");
    for (uri, before) in uris.iter().zip(first) {
        let after = observed(&c, uri).await;
        assert_eq!(before.0, after.0, "{uri}: status");
        assert_eq!(before.1, after.1, "{uri}: headers differ");
        assert!(before.2 == after.2, "{uri}: bodies differ");
    }
}

#[tokio::test]
async fn signed_in_readers_get_the_stored_records_etag() {
    let (_e, c, admin) = as_admin();
    let r = c
        .send(
            Req::new(Method::PUT, SECRET)
                .bearer(&admin)
                .json(&secret_at("49.9935", "36.2304")),
        )
        .await;
    let written = r.header("etag");
    let read = c.send(Req::get(SECRET).bearer(&admin)).await.header("etag");
    assert_eq!(written, read);
    let public = c.get(SECRET).await.header("etag");
    assert_ne!(public, written, "the public tag is not the stored record's");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_of_one_id_never_overwrite() {
    let e = env();
    let addr = common::spawn(e.state.clone()).await;
    let c = Client::Socket(addr);
    let admin = e.token("ada");
    let mut tasks = Vec::new();
    for writer in ["A", "B"] {
        for i in 0..20 {
            let c = c.clone();
            let admin = admin.clone();
            tasks.push(tokio::spawn(async move {
                let uri = format!("/api/v1/sources/src-race-{i}");
                let body = json!({"id": format!("src-race-{i}"), "kind": "news_article",
                    "title": format!("written by {writer}")});
                let r = c
                    .send(Req::new(Method::PUT, &uri).bearer(&admin).json(&body))
                    .await;
                (i, writer, r.status)
            }));
        }
    }
    let mut winners = std::collections::BTreeMap::new();
    for t in tasks {
        let (i, writer, status) = t.await.unwrap();
        match status {
            StatusCode::OK => assert!(winners.insert(i, writer).is_none(), "{i} created twice"),
            StatusCode::PRECONDITION_REQUIRED => {}
            other => panic!("unexpected {other} for {i}"),
        }
    }
    assert_eq!(winners.len(), 20, "every id created exactly once");
    for (i, writer) in winners {
        let stored = c.get(&format!("/api/v1/sources/src-race-{i}")).await.json();
        assert_eq!(stored["title"], format!("written by {writer}"), "{i}");
    }
}

async fn put_with(c: &Client, token: &str, header: (&str, &str)) -> common::Resp {
    let uri = "/api/v1/sources/src-kz-semey-grant";
    let mut body = c.send(Req::get(uri).bearer(token)).await.json();
    body["title"] = json!("retitled");
    c.send(
        Req::new(Method::PUT, uri)
            .bearer(token)
            .header(header.0, header.1)
            .json(&body),
    )
    .await
}

#[tokio::test]
async fn if_match_star_replaces_an_existing_record() {
    let (_e, c, admin) = as_admin();
    let r = put_with(&c, &admin, ("if-match", "*")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn if_match_star_does_not_create() {
    let (_e, c, admin) = as_admin();
    let r = c
        .send(
            Req::new(Method::PUT, "/api/v1/sources/src-new")
                .bearer(&admin)
                .header("if-match", "*")
                .json(&json!({"id":"src-new","kind":"news_article","title":"T"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{}", r.body);
    assert_eq!(
        c.get("/api/v1/sources/src-new").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_weak_tag_never_satisfies_if_match() {
    let (_e, c, admin) = as_admin();
    let uri = "/api/v1/sources/src-kz-semey-grant";
    let etag = c.send(Req::get(uri).bearer(&admin)).await.header("etag");
    let r = put_with(&c, &admin, ("if-match", &format!("W/{etag}"))).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{}", r.body);
}

#[tokio::test]
async fn a_tag_list_matches_any_of_its_tags() {
    let (_e, c, admin) = as_admin();
    let uri = "/api/v1/sources/src-kz-semey-grant";
    let etag = c.send(Req::get(uri).bearer(&admin)).await.header("etag");
    let r = put_with(&c, &admin, ("if-match", &format!("\"stale\", {etag}"))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn if_none_match_star_over_an_existing_record_fails_its_precondition() {
    let (_e, c, admin) = as_admin();
    let r = put_with(&c, &admin, ("if-none-match", "*")).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{}", r.body);
    assert_eq!(r.json()["code"], "precondition_failed");
}

#[tokio::test]
async fn a_malformed_if_match_is_a_400_naming_the_header() {
    let (_e, c, admin) = as_admin();
    let r = put_with(&c, &admin, ("if-match", "no-quotes")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.json()["field"], "If-Match");
}

#[tokio::test]
async fn dot_ids_are_refused() {
    let (_e, c, admin) = as_admin();
    for id in [".", "..", "...", ".-_:"] {
        let r = c
            .send(
                Req::new(Method::PUT, &format!("/api/v1/sources/{id}"))
                    .bearer(&admin)
                    .json(&json!({"id": id, "kind":"news_article","title":"T"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{id}: {}", r.body);
        assert_eq!(r.json()["field"], "id", "{id}");
    }
}

#[tokio::test]
async fn an_id_mismatch_message_shows_no_debug_text() {
    let (_e, c, admin) = as_admin();
    let r = c
        .send(
            Req::new(Method::PUT, "/api/v1/sources/src-a")
                .bearer(&admin)
                .json(&json!({"id":"src-b","kind":"news_article","title":"T"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(!r.body.contains("RecordId("), "{}", r.body);
    assert!(r.body.contains("src-a"), "{}", r.body);
}

#[tokio::test]
async fn a_non_numeric_change_id_is_a_json_404() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let approver = e.token("abe");
    let r = c
        .send(Req::new(Method::POST, "/api/v1/changes/abc/approve").bearer(&approver))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert!(r.header("content-type").starts_with("application/json"));
    assert_eq!(r.json()["code"], "not_found");
}

#[tokio::test]
async fn lang_is_accepted_on_api_lists() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    for uri in [
        "/api/v1/activities?lang=ru",
        "/api/v1/activities?page=1&lang=kk",
        "/api/v1/reports/totals?by=donor&lang=uk",
    ] {
        let r = c.get(uri).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.body);
    }
    // Other unknown parameters are still refused, naming themselves.
    let r = c.get("/api/v1/activities?colour=red").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("colour"), "{}", r.body);
}

#[tokio::test]
async fn an_editor_may_not_rewrite_a_source_other_organisations_cite() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let editor = e.token("eve");
    // The Semey article is cited by the Government of Japan, which eve does not hold.
    let r = put_with(&c, &editor, ("if-match", "*")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let stored = c.get("/api/v1/sources/src-kz-semey-grant").await.json();
    assert_ne!(stored["title"], "retitled");
}

#[tokio::test]
async fn an_editor_may_add_a_source() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let editor = e.token("eve");
    let r = c
        .send(
            Req::new(Method::PUT, "/api/v1/sources/src-eve-new")
                .bearer(&editor)
                .json(&json!({"id":"src-eve-new","kind":"news_article","title":"T"})),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
}

#[tokio::test]
async fn an_editor_may_edit_a_source_only_their_records_cite() {
    let (e, c, admin) = as_admin();
    let editor = e.token("eve");
    let source = json!({"id":"src-embassy","kind":"news_article","title":"Embassy release"});
    let activity = json!({"id":"act-embassy","title":"Embassy grant","instrument":"grant_aid","status":"pipeline",
        "participants":[{"org":"org-embassy-japan-kz","role":"extending"}],
        "sources":[{"source":"src-embassy","quote":"release"}]});
    for (uri, body) in [
        ("/api/v1/sources/src-embassy", &source),
        ("/api/v1/activities/act-embassy", &activity),
    ] {
        let r = c
            .send(Req::new(Method::PUT, uri).bearer(&admin).json(body))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let mut edited = source.clone();
    edited["title"] = json!("Embassy release (corrected)");
    let r = c
        .send(
            Req::new(Method::PUT, "/api/v1/sources/src-embassy")
                .bearer(&editor)
                .header("if-match", "*")
                .json(&edited),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    // Once another organisation's record cites it too, it is no longer the editor's alone.
    let mut flow_activity = c
        .send(Req::get("/api/v1/activities/act-ua-jica-generators").bearer(&admin))
        .await
        .json();
    flow_activity["sources"]
        .as_array_mut()
        .unwrap()
        .push(json!({"source":"src-embassy","quote":"release"}));
    let r = c
        .send(
            Req::new(Method::PUT, "/api/v1/activities/act-ua-jica-generators")
                .bearer(&admin)
                .header("if-match", "*")
                .json(&flow_activity),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = c
        .send(
            Req::new(Method::PUT, "/api/v1/sources/src-embassy")
                .bearer(&editor)
                .header("if-match", "*")
                .json(&edited),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}

/// The state of change `id` as the approvers' list gives it.
async fn change_state(e: &common::Env, c: &Client, id: i64) -> String {
    let list = c
        .send(Req::get("/api/v1/changes").bearer(&e.token("abe")))
        .await
        .json();
    let change = list
        .as_array()
        .unwrap()
        .iter()
        .find(|ch| ch["id"] == id)
        .cloned()
        .unwrap();
    change["state"].as_str().unwrap().to_string()
}

/// What a form on another site can send with the approver's cookie: a simple request, no
/// custom header.
fn cross_site_approval(id: i64, session: &str) -> Req<'_> {
    Req::new(
        Method::POST,
        Box::leak(format!("/api/v1/changes/{id}/approve").into_boxed_str()),
    )
    .cookie(session)
    .header("content-type", "text/plain")
    .header("origin", "https://evil.example")
}

#[tokio::test]
async fn an_approval_posted_with_the_session_cookie_alone_is_refused() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let id = propose_overspend(&e, &c).await;
    let (abe, _) = login(&c, "abe").await;
    let r = c.send(cross_site_approval(id, &abe)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(r.json()["code"], "csrf");
    assert!(r.body.contains("X-CSRF-Token"), "{}", r.body);
    assert_eq!(change_state(&e, &c, id).await, "submitted");
}

#[tokio::test]
async fn an_approval_with_another_sessions_token_is_refused() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let id = propose_overspend(&e, &c).await;
    let (abe, _) = login(&c, "abe").await;
    let (_, other_csrf) = login(&c, "ada").await;
    let r = c
        .send(cross_site_approval(id, &abe).header("x-csrf-token", &other_csrf))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(change_state(&e, &c, id).await, "submitted");
}

#[tokio::test]
async fn an_approval_with_the_sessions_csrf_header_goes_through() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let id = propose_overspend(&e, &c).await;
    let (abe, csrf) = login(&c, "abe").await;
    let r = c
        .send(cross_site_approval(id, &abe).header("x-csrf-token", &csrf))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(change_state(&e, &c, id).await, "approved");
}

#[tokio::test]
async fn a_record_put_with_the_session_cookie_alone_is_refused() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (ada, _) = login(&c, "ada").await;
    let r = c
        .send(
            Req::new(Method::PUT, SECRET)
                .cookie(&ada)
                .json(&secret_at("49.9935", "36.2304")),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(c.get(SECRET).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_blurred_facility_leaves_out_its_location_note_for_the_public() {
    let (_e, c, admin) = as_admin();
    let mut facility = secret_at("49.987654", "36.234567");
    facility["location_note"] = json!("rear entrance, Sumska St 42");
    let r = c
        .send(Req::new(Method::PUT, SECRET).bearer(&admin).json(&facility))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for uri in [
        SECRET,
        "/api/v1/facilities",
        "/api/v1/facilities?q=shelling",
    ] {
        let r = c.get(uri).await;
        assert!(!r.body.contains("Sumska"), "{uri}: {}", r.body);
        let json = r.json();
        let secret = match json["items"].as_array() {
            Some(items) => items
                .iter()
                .find(|f| f["id"] == "fac-secret")
                .unwrap()
                .clone(),
            None => json,
        };
        assert_eq!(secret["location_blurred_km"], "10", "{uri}: {secret}");
        assert!(secret.get("location_note").is_none(), "{uri}: {secret}");
    }
    let signed_in = c.send(Req::get(SECRET).bearer(&admin)).await.json();
    assert_eq!(signed_in["location_note"], "rear entrance, Sumska St 42");
}

#[tokio::test]
async fn a_hidden_facility_without_coordinates_leaves_out_its_location_note_for_the_public() {
    let (_e, c, admin) = as_admin();
    let mut facility = secret_at("0", "0");
    if let Some(fields) = facility.as_object_mut() {
        fields.remove("location");
    }
    facility["location_note"] = json!("28 Chornovola St, use the rear gate");
    let r = c
        .send(Req::new(Method::PUT, SECRET).bearer(&admin).json(&facility))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for uri in [
        SECRET,
        "/api/v1/facilities",
        "/api/v1/facilities?q=shelling",
        "/facilities/fac-secret",
        "/facilities",
    ] {
        let r = c.get(uri).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}");
        assert!(!r.body.contains("Chornovola"), "{uri}: {}", r.body);
    }
    let signed_in = c.send(Req::get(SECRET).bearer(&admin)).await.json();
    assert_eq!(
        signed_in["location_note"],
        "28 Chornovola St, use the rear gate"
    );
}
