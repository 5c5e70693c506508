//! HTTP tests: pages, API, authorisation matrix, bad input, sessions, public view, exports.
//! Most run in-process; `every_endpoint_over_a_real_socket` repeats the endpoint list over TCP.

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{Method, StatusCode};
use common::form_fields::{set, small_activity, with_equipment_line};
use common::{Client, Req, env, env_with, login};
use serde_json::json;

const SEMEY_ACTIVITY: &str = "act-kz-semey-equipment";
const OTHER_ORG_ACTIVITY: &str = "act-ua-jica-generators";

/// Every read endpoint with the status an anonymous visitor gets (public view on).
const READS: &[(&str, u16)] = &[
    ("/", 200),
    ("/activities", 200),
    ("/activities?q=semey&status=implementation", 200),
    ("/activities/act-kz-semey-equipment", 200),
    ("/activities/no-such-thing", 404),
    ("/facilities", 200),
    ("/facilities/fac-semey-university-hospital", 200),
    ("/map", 200),
    ("/organisations", 200),
    ("/quality", 200),
    ("/import", 200),
    ("/login", 200),
    ("/changes", 401),
    ("/forms/activities/new", 401),
    ("/static/app.css", 200),
    ("/export/activities/csv", 200),
    ("/export/facilities/xlsx", 200),
    ("/export/organisations/csv", 200),
    ("/export/flows/csv", 200),
    ("/export/findings/xlsx", 200),
    ("/export/totals/csv?by=year", 200),
    ("/export/totals/csv?by=nonsense", 400),
    ("/export/activities/pdf", 404),
    ("/api/v1/openapi.json", 200),
    ("/api/v1/dashboard", 200),
    ("/api/v1/findings", 200),
    ("/api/v1/reports/totals?by=donor", 200),
    ("/api/v1/reports/totals?by=region&currency=JPY", 200),
    ("/api/v1/reports/totals?by=planet", 400),
    ("/api/v1/reports/totals?by=donor&currency=dollars", 400),
    ("/api/v1/reports/totals?by=donor&colour=red", 400),
    ("/api/v1/activities", 200),
    ("/api/v1/activities?page=2&per_page=3", 200),
    ("/api/v1/activities?page=0", 400),
    ("/api/v1/facilities", 200),
    ("/api/v1/organisations", 200),
    ("/api/v1/flows", 200),
    ("/api/v1/equipment-lines", 200),
    ("/api/v1/sources", 200),
    ("/api/v1/partnerships", 200),
    ("/api/v1/claims", 200),
    ("/api/v1/market-registrations", 200),
    ("/api/v1/budgets", 200),
    ("/api/v1/activities/act-kz-semey-equipment", 200),
    ("/api/v1/activities/nope", 404),
    ("/api/v1/activities/bad%20id", 404),
    ("/api/v1/planets", 404),
    ("/api/v1/changes", 401),
    ("/nowhere", 404),
];

async fn check_reads(client: &Client) {
    for (uri, want) in READS {
        let r = client.get(uri).await;
        assert_eq!(r.status.as_u16(), *want, "GET {uri}: {}", r.body);
        assert_eq!(r.header("x-frame-options"), "DENY", "{uri}");
        assert_eq!(r.header("x-content-type-options"), "nosniff", "{uri}");
        let csp = r.header("content-security-policy");
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{uri}: {csp}"
        );
        // Scripts are same-origin files only (optional helpers); none is inline.
        assert!(!r.body.contains("<script>"), "{uri} has an inline script");
        assert!(
            r.body
                .match_indices("<script")
                .all(|(i, _)| r.body[i..].starts_with("<script src=\"/static/")),
            "{uri} has a script not served by aidtrace"
        );
        assert!(
            !r.body.contains("http://") || uri.contains("export") || !r.body.contains("src=\"http"),
            "{uri} loads from elsewhere"
        );
        if uri.starts_with("/api/") {
            let v = r.json();
            if *want >= 400 {
                assert!(
                    v["code"].is_string() && v["message"].is_string(),
                    "{uri}: {v}"
                );
            }
        }
    }
}

#[tokio::test]
async fn every_read_endpoint_in_process() {
    let e = env();
    check_reads(&Client::InProcess(e.state.clone())).await;
}

#[tokio::test]
async fn every_endpoint_over_a_real_socket() {
    let e = env();
    let addr = common::spawn(e.state.clone()).await;
    let client = Client::Socket(addr);
    check_reads(&client).await;
    // One write and one sign-in over the socket too.
    let token = e.token("ada");
    let got = client
        .send(Req::get("/api/v1/organisations/org-moh-kz"))
        .await;
    let etag = got.header("etag");
    let mut org = got.json();
    org["name"] = json!("Ministry of Health (KZ)");
    let put = client
        .send(
            Req::new(Method::PUT, "/api/v1/organisations/org-moh-kz")
                .bearer(&token)
                .header("if-match", &etag)
                .json(&org),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    let (session, _) = login(&client, "abe").await;
    let changes = client
        .send(Req::get("/api/v1/changes").cookie(&session))
        .await;
    assert_eq!(changes.status, StatusCode::OK);
}

#[tokio::test]
async fn newcomer_walks_from_dashboard_to_semey_and_the_yen_dollar_mismatch() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let dash = c.get("/").await.body;
    assert!(dash.contains("Flows by donor and kind"), "bar chart");
    // Nothing in the seed scenario dates its money (the articles say "on the 29th" and
    // "previously"), so the chart by year has nothing to place and says so beside the count.
    assert!(dash.contains("No dated flows to plot"), "time series");
    assert!(dash.contains("id=\"dash-undated\""));
    assert!(dash.contains("id=\"findings-count\""));
    assert!(dash.contains("Government of Japan"));
    assert!(dash.contains("108,700,000 JPY"), "original currency shown");
    assert!(
        dash.contains("International Monetary Fund"),
        "rate source shown"
    );
    for g in ["donor", "recipient", "region", "sector", "year"] {
        assert!(dash.contains(&format!("id=\"totals-{g}\"")), "{g}");
    }
    let list = c.get("/activities?q=semey").await.body;
    assert!(list.contains("href=\"/activities/act-kz-semey-equipment\""));
    assert!(!list.contains("act-ua-jica-generators"), "search filters");
    let act = c.get("/activities/act-kz-semey-equipment").await.body;
    assert!(act.contains("FX-EQUIV"), "the flagged mismatch");
    assert!(act.contains("Stated equivalent"));
    assert!(act.contains("7,000,000 USD"));
    assert!(act.contains("MRI"), "equipment lines");
    assert!(act.contains("href=\"/facilities/fac-semey-university-hospital\""));
    assert!(act.contains("class=\"cite\""), "quoted sources");
    let fac = c
        .get("/facilities/fac-semey-university-hospital")
        .await
        .body;
    assert!(fac.contains("Semey State Medical University Hospital"));
    assert!(fac.contains("50.41"));
    let quality = c.get("/quality").await.body;
    assert!(
        quality.contains("href=\"/activities/act-kz-semey-equipment#flow-kz-semey-commitment\"")
    );
    let map = c.get("/map").await.body;
    assert!(
        map.contains("<svg") && map.contains("href=\"/facilities/fac-semey-university-hospital\"")
    );
    assert!(c.get("/import").await.body.contains("Sign in to upload"));
}

#[tokio::test]
async fn api_lists_paginate_and_totals_carry_rates() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let page = c.get("/api/v1/activities?per_page=4").await.json();
    assert_eq!(page["items"].as_array().unwrap().len(), 4);
    assert_eq!(page["total"], 9);
    assert_eq!(page["next"], "/api/v1/activities?page=2&per_page=4");
    let last = c.get("/api/v1/activities?page=3&per_page=4").await.json();
    assert_eq!(last["items"].as_array().unwrap().len(), 1);
    assert!(last["next"].is_null());
    let totals = c.get("/api/v1/reports/totals?by=donor").await.json();
    let row = &totals["rows"][0];
    // The undated Semey commitment: the latest rate (ECB, 2026-10-30), provisional.
    assert!(
        row["rates"][0]["source"]
            .as_str()
            .unwrap()
            .contains("European Central Bank")
    );
    assert_eq!(row["rates"][0]["provisional"], "2026-10-30");
    let dash = c.get("/api/v1/dashboard").await.json();
    assert_eq!(dash["counts"]["activities"], 9);
    assert_eq!(dash["findings"]["warnings"], 1);
    let row = &dash["totals"]["donor"]["rows"][0];
    assert_eq!(row["key"], "Government of Japan");
    assert_eq!(row["converted"], "691254.78");
    assert_eq!(row["provisional_flows"], 1);
    let doc = c.get("/api/v1/openapi.json").await.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for p in [
        "/api/v1/activities",
        "/api/v1/facilities/{id}",
        "/api/v1/reports/totals",
        "/api/v1/organisations",
    ] {
        assert!(doc["paths"][p].is_object(), "{p} documented");
    }
    assert!(doc["paths"]["/api/v1/flows/{id}"]["put"].is_object());
    // Budgets are shown on their activity, beside (not in) the totals.
    let admin = e.token("ada");
    let budget = json!({"id":"bud-semey-2024","activity":"act-kz-semey-equipment","kind":"original",
        "period_start":"2024-04-01","period_end":"2025-03-31","money":{"amount":"108700000","currency":"JPY"}});
    let r = c
        .send(
            Req::new(Method::PUT, "/api/v1/budgets/bud-semey-2024")
                .bearer(&admin)
                .json(&budget),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let page = c.get("/activities/act-kz-semey-equipment").await.body;
    assert!(page.contains("id=\"bud-semey-2024\""));
    assert_eq!(c.get("/api/v1/budgets").await.json()["total"], 1);
}

#[tokio::test]
async fn etag_if_match_guards_updates() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let token = e.token("ada");
    let uri = "/api/v1/activities/act-kz-semey-equipment";
    let first = c.get(uri).await;
    let etag = first.header("etag");
    assert!(etag.starts_with('"'));
    let mut body = first.json();
    body["description"] = json!("edited by A");
    let put = |b: &serde_json::Value, m: Option<&str>| {
        let mut r = Req::new(Method::PUT, uri).bearer(&token).json(b);
        if let Some(m) = m {
            r = r.header("if-match", m);
        }
        r
    };
    assert_eq!(
        c.send(put(&body, None)).await.status,
        StatusCode::PRECONDITION_REQUIRED
    );
    let ok = c.send(put(&body, Some(&etag))).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let new_etag = ok.header("etag");
    assert_ne!(new_etag, etag);
    // A second editor still holding the old ETag is refused, and the first edit stands.
    body["description"] = json!("edited by B");
    let stale = c.send(put(&body, Some(&etag))).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(stale.json()["code"], "precondition_failed");
    assert_eq!(c.get(uri).await.json()["description"], "edited by A");
    // Creating over an existing record fails its precondition (RFC 9110 §13.1.2).
    let create = c
        .send(
            Req::new(Method::PUT, uri)
                .bearer(&token)
                .header("if-none-match", "*")
                .json(&body),
        )
        .await;
    assert_eq!(create.status, StatusCode::PRECONDITION_FAILED);
}

#[tokio::test]
async fn bad_input_is_a_clear_4xx_and_writes_nothing() {
    let e = env_with(aidtrace_web::WebConfig {
        secure_cookies: false,
        body_limit: 4096,
        ..aidtrace_web::WebConfig::default()
    });
    let c = Client::InProcess(e.state.clone());
    let token = e.token("ada");
    let before = e.record_count();
    let uri = "/api/v1/activities/act-new";
    let send = |body: &[u8]| Req::new(Method::PUT, uri).bearer(&token).raw(body);
    let cases: Vec<(Vec<u8>, u16, &str, Option<&str>)> = vec![
        (b"{\"id\": \"act-new\", ".to_vec(), 400, "malformed_json", None),
        (b"[1,2]".to_vec(), 400, "invalid_record", None),
        (vec![b' '; 10_000], 413, "too_large", None),
        (
            serde_json::to_vec(&json!({"id":"act-new","title":"T","instrument":"grant_aid","status":"pipeline","colour":"red"})).unwrap(),
            422, "invalid_record", None,
        ),
        (
            serde_json::to_vec(&json!({"id":"act-new","title":42,"instrument":"grant_aid","status":"pipeline"})).unwrap(),
            422, "invalid_record", Some("title"),
        ),
        (
            serde_json::to_vec(&json!({"id":"act-new","title":"T","instrument":"grant_aid","status":"pipeline","start_date":"2024-13-40"})).unwrap(),
            422, "invalid_record", Some("start_date"),
        ),
        (
            serde_json::to_vec(&json!({"id":"act-new","title":"T","instrument":"grant_aid","status":"pipeline","parent":"act-missing"})).unwrap(),
            422, "invalid_record", Some("parent"),
        ),
        (
            serde_json::to_vec(&json!({"id":"other-id","title":"T","instrument":"grant_aid","status":"pipeline"})).unwrap(),
            400, "invalid_record", Some("id"),
        ),
    ];
    for (body, status, code, field) in cases {
        let r = c.send(send(&body)).await;
        assert_eq!(r.status.as_u16(), status, "{}", r.body);
        let v = r.json();
        assert_eq!(v["code"], code, "{v}");
        if let Some(f) = field {
            assert_eq!(v["field"], f, "{v}");
        }
    }
    assert_eq!(e.record_count(), before, "nothing written");
    // Script in a text field is stored as text and escaped wherever it is shown.
    let evil = "<script>alert(1)</script>";
    let body = json!({"id":"act-new","title":evil,"instrument":"grant_aid","status":"pipeline"});
    assert_eq!(
        c.send(send(&serde_json::to_vec(&body).unwrap()).header("if-none-match", "*"))
            .await
            .status,
        StatusCode::OK
    );
    for page in ["/activities", "/activities/act-new", "/"] {
        let html = c.get(page).await.body;
        assert!(!html.contains(evil), "{page} unescaped");
    }
    assert!(
        c.get("/activities/act-new")
            .await
            .body
            .contains("&lt;script&gt;")
    );
}

/// Each role against each write: (role, own-org activity, other org's activity, facility in
/// the engineer's scope, approve a change).
#[tokio::test]
async fn authorisation_matrix() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let admin = e.token("ada");
    // A change to approve, proposed by the editor.
    // (who, own activity, other org's activity, facility, approve)
    let matrix: &[(Option<&str>, u16, u16, u16, u16)] = &[
        (None, 401, 401, 401, 401),
        (Some("vic"), 403, 403, 403, 403),
        (Some("eve"), 202, 403, 403, 403),
        (Some("fen"), 403, 403, 202, 403),
        (Some("abe"), 403, 403, 403, 200),
        (Some("ada"), 200, 200, 200, 200),
    ];
    for (who, want_own, want_other, want_fac, want_approve) in matrix {
        // Current versions: earlier rows may have changed them.
        let own = c.get(&format!("/api/v1/activities/{SEMEY_ACTIVITY}")).await;
        let own_etag = own.header("etag");
        let own_body = own.json();
        let other = c
            .get(&format!("/api/v1/activities/{OTHER_ORG_ACTIVITY}"))
            .await;
        let other_etag = other.header("etag");
        let other_body = other.json();
        let fac = c
            .get("/api/v1/facilities/fac-semey-university-hospital")
            .await;
        let fac_etag = fac.header("etag");
        let mut fac_body = fac.json();
        fac_body["beds"] = json!(700);
        let token = who.map(|w| e.token(w));
        let auth = |r: Req<'static>| match &token {
            Some(t) => r.bearer(t),
            None => r,
        };
        let put = |uri: &'static str, etag: &str, body: &serde_json::Value| {
            auth(Req::new(Method::PUT, uri))
                .header("if-match", etag)
                .json(body)
        };
        let r = c
            .send(put(
                "/api/v1/activities/act-kz-semey-equipment",
                &own_etag,
                &own_body,
            ))
            .await;
        assert_eq!(r.status.as_u16(), *want_own, "{who:?} own: {}", r.body);
        let r = c
            .send(put(
                "/api/v1/activities/act-ua-jica-generators",
                &other_etag,
                &other_body,
            ))
            .await;
        assert_eq!(r.status.as_u16(), *want_other, "{who:?} other: {}", r.body);
        let r = c
            .send(put(
                "/api/v1/facilities/fac-semey-university-hospital",
                &fac_etag,
                &fac_body,
            ))
            .await;
        assert_eq!(r.status.as_u16(), *want_fac, "{who:?} facility: {}", r.body);
        // A fresh change from the editor for each approval attempt.
        let editor = e.token("eve");
        let mut body = c
            .get(&format!("/api/v1/activities/{SEMEY_ACTIVITY}"))
            .await
            .json();
        body["description"] = json!(format!("proposal for {who:?}"));
        let cur = c
            .get(&format!("/api/v1/activities/{SEMEY_ACTIVITY}"))
            .await
            .header("etag");
        let proposed = c
            .send(
                Req::new(Method::PUT, "/api/v1/activities/act-kz-semey-equipment")
                    .bearer(&editor)
                    .header("if-match", &cur)
                    .json(&body),
            )
            .await;
        assert_eq!(proposed.status, StatusCode::ACCEPTED, "{}", proposed.body);
        let id = proposed.json()["change"].as_i64().unwrap();
        let r = c
            .send(auth(Req::new(
                Method::POST,
                Box::leak(format!("/api/v1/changes/{id}/approve").into_boxed_str()),
            )))
            .await;
        assert_eq!(
            r.status.as_u16(),
            *want_approve,
            "{who:?} approve: {}",
            r.body
        );
        if *want_approve != 200 {
            // Clear it so it cannot be approved later by mistake.
            c.send(
                Req::new(
                    Method::POST,
                    Box::leak(format!("/api/v1/changes/{id}/reject").into_boxed_str()),
                )
                .bearer(&admin),
            )
            .await;
        }
    }
    // Editors' proposals never reach the ledger or the public view until approved.
    // What is left waiting is exactly the editor's and the engineer's own proposals.
    let changes = c
        .send(Req::get("/api/v1/changes?state=submitted").bearer(&admin))
        .await
        .json();
    let mut authors: Vec<&str> = changes
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["author"].as_str().unwrap())
        .collect();
    authors.sort_unstable();
    assert_eq!(authors, ["eve", "fen"]);
}

#[tokio::test]
async fn approval_refuses_a_change_whose_record_moved_on() {
    let e = env();
    approval_conflict(&e, &Client::InProcess(e.state.clone())).await;
}

#[tokio::test]
async fn approval_over_a_real_socket() {
    let e = env();
    approval_conflict(&e, &Client::Socket(common::spawn(e.state.clone()).await)).await;
}

async fn approval_conflict(e: &common::Env, c: &Client) {
    let (eve, admin) = (e.token("eve"), e.token("ada"));
    let uri = "/api/v1/activities/act-kz-semey-equipment";
    let got = c.get(uri).await;
    let etag = got.header("etag");
    let mut body = got.json();
    body["description"] = json!("editor's version");
    let proposed = c
        .send(
            Req::new(Method::PUT, uri)
                .bearer(&eve)
                .header("if-match", &etag)
                .json(&body),
        )
        .await
        .json();
    body["description"] = json!("admin's version");
    assert_eq!(
        c.send(
            Req::new(Method::PUT, uri)
                .bearer(&admin)
                .header("if-match", &etag)
                .json(&body)
        )
        .await
        .status,
        StatusCode::OK
    );
    let id = proposed["change"].as_i64().unwrap();
    let r = c
        .send(
            Req::new(
                Method::POST,
                Box::leak(format!("/api/v1/changes/{id}/approve").into_boxed_str()),
            )
            .bearer(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(c.get(uri).await.json()["description"], "admin's version");
}

#[tokio::test]
async fn forms_csrf_field_errors_approval_and_public_view() {
    let e = env();
    forms_flow(&e, &Client::InProcess(e.state.clone())).await;
}

#[tokio::test]
async fn forms_over_a_real_socket() {
    let e = env();
    forms_flow(&e, &Client::Socket(common::spawn(e.state.clone()).await)).await;
}

async fn forms_flow(e: &common::Env, c: &Client) {
    let (eve, csrf) = login(c, "eve").await;
    let before = e.record_count();
    let fields = |csrf: &str, start: &str| -> Vec<(String, String)> {
        let mut f = with_equipment_line(
            small_activity("act-kz-new-ventilators", "Ventilators for Semey"),
            "ICU ventilator",
            "4",
        );
        set(&mut f, "equipment[0].id", "eq-new-ventilators");
        set(&mut f, "start_date", start);
        set(&mut f, "csrf", csrf);
        set(&mut f, "_mode", "new");
        set(&mut f, "_action", "submit");
        f
    };
    let post = |f: Vec<(String, String)>, cookie: &str| {
        let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        Req::new(Method::POST, "/forms/activities")
            .cookie(cookie)
            .form(&pairs)
    };
    // Forged CSRF token.
    let r = c.send(post(fields("forged", "2025-01-01"), &eve)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Expired or unknown session.
    let r = c
        .send(post(
            fields(&csrf, "2025-01-01"),
            "aidtrace_session=deadbeef",
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("expired"));
    // Bad date: the error sits next to the field.
    let r = c.send(post(fields(&csrf, "2025-02-30"), &eve)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"err-start_date\""), "{}", r.body);
    assert!(
        r.body.contains("value=\"Ventilators for Semey\""),
        "input kept"
    );
    assert_eq!(e.record_count(), before);
    assert_eq!(
        c.send(Req::get("/api/v1/changes").cookie(&eve))
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        0
    );
    // Good input: proposed, not yet public.
    let r = c.send(post(fields(&csrf, "2025-01-01"), &eve)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        c.get("/activities/act-kz-new-ventilators").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(e.record_count(), before);
    // The approver approves through the page.
    let (abe, abe_csrf) = login(c, "abe").await;
    let changes = c.send(Req::get("/changes").cookie(&abe)).await.body;
    let at = changes.find("id=\"approve-").unwrap() + "id=\"approve-".len();
    let id: i64 = changes[at..].split('"').next().unwrap().parse().unwrap();
    let forged = c
        .send(
            Req::new(
                Method::POST,
                Box::leak(format!("/changes/{id}/approve").into_boxed_str()),
            )
            .cookie(&abe)
            .form(&[("csrf", &csrf)]),
        )
        .await;
    assert_eq!(
        forged.status,
        StatusCode::FORBIDDEN,
        "another session's token"
    );
    let ok = c
        .send(
            Req::new(
                Method::POST,
                Box::leak(format!("/changes/{id}/approve").into_boxed_str()),
            )
            .cookie(&abe)
            .form(&[("csrf", &abe_csrf)]),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(e.record_count(), before + 2);
    let public = c.get("/activities/act-kz-new-ventilators").await.body;
    assert!(public.contains("ICU ventilator"));
    // The editor adds a flow from the activity page's link; the activity is pre-selected.
    let act = c
        .send(Req::get("/activities/act-kz-semey-equipment").cookie(&eve))
        .await
        .body;
    assert!(act.contains("href=\"/forms/flows/new?activity=act-kz-semey-equipment\""));
    let form = c
        .send(Req::get("/forms/flows/new?activity=act-kz-semey-equipment").cookie(&eve))
        .await
        .body;
    assert!(
        form.contains("name=\"activity\" id=\"f-activity\" value=\"act-kz-semey-equipment\""),
        "{form}"
    );
    // Viewers get no forms.
    let (vic, _) = login(c, "vic").await;
    assert_eq!(
        c.send(Req::get("/forms/flows/new").cookie(&vic))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Sign out ends the session.
    let out = c
        .send(
            Req::new(Method::POST, "/logout")
                .cookie(&abe)
                .form(&[("csrf", &abe_csrf)]),
        )
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(
        c.send(Req::get("/changes").cookie(&abe)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn login_is_rate_limited_and_wrong_passwords_fail() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let form = c.get("/login").await;
        let cookie = form.cookies().into_iter().next().unwrap();
        let token = common::hidden_csrf(&form.body);
        let r = c
            .send(Req::new(Method::POST, "/login").cookie(&cookie).form(&[
                ("name", "vic"),
                ("password", "wrong password"),
                ("csrf", &token),
            ]))
            .await;
        statuses.push(r.status.as_u16());
    }
    assert_eq!(&statuses[..5], &[401; 5]);
    assert_eq!(statuses[6], 429);
    // Without the login cookie the form is refused (login CSRF).
    let r = c
        .send(Req::new(Method::POST, "/login").form(&[
            ("name", "ada"),
            ("password", common::PASSWORD),
            ("csrf", "x"),
        ]))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn public_view_blurs_sensitive_sites_and_can_be_switched_off() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let admin = e.token("ada");
    let fac = json!({"id":"fac-kharkiv-secret","name":"Hospital under shelling","kind":"regional_hospital","country":"UA",
        "location":{"lat":"49.9935","lon":"36.2304"},"sensitive":true});
    let r = c
        .send(
            Req::new(Method::PUT, "/api/v1/facilities/fac-kharkiv-secret")
                .bearer(&admin)
                .json(&fac),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for uri in [
        "/api/v1/facilities/fac-kharkiv-secret",
        "/api/v1/facilities",
        "/facilities/fac-kharkiv-secret",
        "/facilities",
        "/map",
        "/export/facilities/csv",
    ] {
        let public = c.get(uri).await.body;
        assert!(
            !public.contains("49.9935") && !public.contains("36.2304"),
            "{uri} leaks: {public}"
        );
        let signed = c.send(Req::get(uri).bearer(&admin)).await.body;
        if !uri.contains("map") {
            assert!(signed.contains("49.9935"), "{uri} signed-in sees exact");
        }
    }
    let api = c.get("/api/v1/facilities/fac-kharkiv-secret").await.json();
    assert_eq!(api["location_blurred_km"], "10");
    // The list's exports say which points are a cell's centre, and nothing about exact ones.
    let csv = c.get("/export/facilities/csv").await.body;
    let header = csv.lines().next().unwrap();
    assert!(header.ends_with(",location_blurred_km"), "{header}");
    let secret = csv
        .lines()
        .find(|l| l.starts_with("fac-kharkiv-secret,"))
        .unwrap();
    assert!(secret.ends_with(",10"), "{secret}");
    let signed = c
        .send(Req::get("/export/facilities/csv").bearer(&admin))
        .await
        .body;
    let exact = signed
        .lines()
        .find(|l| l.starts_with("fac-kharkiv-secret,"))
        .unwrap();
    assert!(
        exact.ends_with(','),
        "signed in: exact, not blurred: {exact}"
    );
    // Public view off: anonymous visitors must sign in.
    let closed = env_with(aidtrace_web::WebConfig {
        public_view: false,
        secure_cookies: false,
        ..aidtrace_web::WebConfig::default()
    });
    let c = Client::InProcess(closed.state.clone());
    assert_eq!(c.get("/").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        c.get("/api/v1/activities").await.status,
        StatusCode::UNAUTHORIZED
    );
    let viewer = closed.token("vic");
    assert_eq!(
        c.send(Req::get("/api/v1/activities").bearer(&viewer))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        c.send(Req::get("/api/v1/activities").bearer("forged"))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn exports_show_the_page_figures() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let csv = c.get("/export/activities/csv?q=semey").await;
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(csv.body.starts_with("id,title,instrument,status"));
    assert!(csv.body.contains("act-kz-semey-equipment"));
    assert!(
        !csv.body.contains("act-ua-jica-generators"),
        "filters apply to exports"
    );
    let xlsx = c.get("/export/activities/xlsx").await;
    assert_eq!(&xlsx.bytes[..2], b"PK", "an XLSX is a zip");
    let totals = c.get("/export/totals/csv?by=donor").await.body;
    assert!(totals.contains("108700000 JPY"));
    assert!(totals.contains("International Monetary Fund"));
}

#[tokio::test]
async fn language_switch_translates_and_formats_numbers() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let ru = c.get("/?lang=ru").await;
    assert!(ru.body.contains("<html lang=\"ru\""));
    assert!(ru.body.contains("Сводка"));
    assert!(
        ru.body.contains("108\u{a0}700\u{a0}000 JPY"),
        "Russian number format"
    );
    let cookie = ru
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("aidtrace_lang="))
        .unwrap();
    assert_eq!(cookie, "aidtrace_lang=ru");
    // The cookie keeps the choice on the next page.
    let next = c.send(Req::get("/activities").cookie(&cookie)).await.body;
    assert!(next.contains("Проекты"));
    for (lang, word) in [("uk", "Огляд"), ("kk", "Шолу"), ("en", "Dashboard")] {
        assert!(
            c.get(&format!("/?lang={lang}")).await.body.contains(word),
            "{lang}"
        );
    }
    // An unknown language falls back to English.
    assert!(c.get("/?lang=xx").await.body.contains("<html lang=\"en\""));
}
