//! Equipment pages over real HTTP (127.0.0.1:0): register, device-down reporting and who may do
//! it, CSRF, bad input, FHIR bundles, CSV, OpenAPI entries, and the public view's coordinates.

#![allow(clippy::unwrap_used)]

mod common;

use aidtrace_domain::model::GeoPoint;
use aidtrace_domain::{Record, RecordId, RecordKind};
use aidtrace_store::Account;
use axum::http::{Method, StatusCode};
use common::{CHEAP, Client, PASSWORD, Req, env, login, spawn};
use rust_decimal::Decimal;

const MRI: &str = "as-semey-mri-1";

async fn state_of(client: &Client, id: &str) -> String {
    let r = client.get(&format!("/api/v1/assets/{id}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()["state"].as_str().unwrap_or_default().to_string()
}

/// Uptime % of one asset over today (the day the test runs), as a decimal.
async fn uptime_today(client: &Client, id: &str) -> Decimal {
    let today = chrono::Utc::now().date_naive();
    let r = client
        .get(&format!(
            "/api/v1/reports/assets?by=asset&from={today}&to={today}"
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = &r.json()["groups"][id]["uptime_pct"];
    let raw = v
        .as_str()
        .map(String::from)
        .unwrap_or_else(|| v.to_string());
    raw.parse()
        .unwrap_or_else(|_| panic!("uptime of {id}: {v}"))
}

#[tokio::test]
async fn equipment_pages_over_http() {
    let env = env();
    // A second engineer, of another facility.
    let zed = Account {
        name: "zed".into(),
        role: "facility_engineer".into(),
        organisations: vec![],
        facilities: vec!["fac-zhezbek-blood-centre".into()],
    };
    env.with_accounts(|a| aidtrace_web::add_user(a, &zed, PASSWORD, CHEAP).unwrap());
    let client = Client::Socket(spawn(env.state.clone()).await);

    // Register: every demo asset, each linked to its activity and equipment line.
    let page = client.get("/assets").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for id in [
        MRI,
        "as-zhezbek-platelet-5",
        "as-nct-ct-1",
        "as-semey-emergency-call",
    ] {
        assert!(
            page.body.contains(&format!("/assets/{id}\"")),
            "{id} missing"
        );
    }
    assert!(
        page.body
            .contains("/activities/act-kz-semey-equipment#eq-semey-mri")
    );
    let api = client.get("/api/v1/assets").await.json();
    assert_eq!(api["total"], 16);
    let csv = client.get("/assets/register.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert_eq!(csv.body.lines().count(), 17, "{}", csv.body);
    let zhezbek = client
        .get("/api/v1/assets?facility=fac-zhezbek-blood-centre")
        .await
        .json();
    assert_eq!(zhezbek["total"], 5);
    let detail = client.get(&format!("/assets/{MRI}")).await;
    assert_eq!(detail.status, StatusCode::OK);
    assert!(detail.body.contains("id=\"events\""));
    assert!(detail.body.contains("id=\"om-payer\""));
    // Anonymous visitors get no report button.
    assert!(!detail.body.contains("id=\"report-down\""));
    let short = client.get(&format!("/a/{MRI}")).await;
    assert!(short.status.is_redirection());
    assert_eq!(short.header("location"), format!("/assets/{MRI}"));

    // Indicators page, CSV and API.
    let ind = client
        .get("/assets/indicators?from=2025-01-01&to=2025-12-31&by=facility")
        .await;
    assert_eq!(ind.status, StatusCode::OK, "{}", ind.body);
    assert!(ind.body.contains("fac-semey-university-hospital"));
    assert!(ind.body.contains("id=\"m2m-never_installed\""));
    let ind_csv = client
        .get("/assets/indicators.csv?from=2025-01-01&to=2025-12-31&by=donor")
        .await;
    assert!(
        ind_csv.body.starts_with("group,assets,"),
        "{}",
        ind_csv.body
    );
    let bad = client.get("/api/v1/reports/assets?by=colour").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json()["field"], "by");
    let bad = client.get("/api/v1/reports/assets?from=2025-13-01").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let report = client
        .get("/api/v1/reports/assets?from=2025-01-01&to=2025-12-31&by=all")
        .await
        .json();
    assert_eq!(report["money_to_machine"]["donated"]["count"], 16);

    // The MRI works before anyone reports it.
    assert_eq!(state_of(&client, MRI).await, "in_service");
    let uptime_before = uptime_today(&client, MRI).await;
    assert_eq!(uptime_before, Decimal::from(100));
    let before = env.record_count();
    let down = format!("/assets/{MRI}/down");

    // Refused: anonymous, a viewer, an approver, an engineer of another facility.
    let r = client
        .send(Req::new(Method::POST, &down).form(&[("cause", "mechanical"), ("csrf", "x")]))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(client.get(&down).await.status, StatusCode::UNAUTHORIZED);
    for name in ["vic", "abe", "zed"] {
        let (session, csrf) = login(&client, name).await;
        let r = client.send(Req::get(&down).cookie(&session)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{name} form");
        let r = client
            .send(
                Req::new(Method::POST, &down)
                    .cookie(&session)
                    .form(&[("cause", "mechanical"), ("csrf", &csrf)]),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{name}: {}", r.body);
    }
    assert_eq!(env.record_count(), before);

    // The engineer of the MRI's facility: forged CSRF, then a bad cause, then a real report.
    let (session, csrf) = login(&client, "fen").await;
    let form = client.send(Req::get(&down).cookie(&session)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("name=\"cause\""));
    assert!(form.body.contains("width=device-width"));
    let r = client
        .send(
            Req::new(Method::POST, &down)
                .cookie(&session)
                .form(&[("cause", "mechanical"), ("csrf", &"0".repeat(64))]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = client
        .send(
            Req::new(Method::POST, &down)
                .cookie(&session)
                .form(&[("cause", "gremlins"), ("csrf", &csrf)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("gremlins"));
    assert_eq!(env.record_count(), before);
    assert_eq!(state_of(&client, MRI).await, "in_service");

    // Down since two hours ago: today's figures count those hours, and none still to come.
    let since = (chrono::Utc::now() - chrono::Duration::hours(2))
        .format("%Y-%m-%dT%H:%M+00:00")
        .to_string();
    let r = client
        .send(Req::new(Method::POST, &down).cookie(&session).form(&[
            ("cause", "external_power"),
            ("note", "mains failed in the night"),
            ("at", &since),
            ("csrf", &csrf),
        ]))
        .await;
    assert!(r.status.is_redirection(), "{}: {}", r.status, r.body);
    // A downtime, a corrective work order and a `down` event.
    assert_eq!(env.record_count(), before + 3);
    assert_eq!(state_of(&client, MRI).await, "down");
    let uptime_after = uptime_today(&client, MRI).await;
    assert!(
        uptime_after < uptime_before,
        "{uptime_after} !< {uptime_before}"
    );
    let down_list = client.get("/api/v1/assets?state=down").await.json();
    assert!(
        down_list["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == MRI)
    );
    let history = env.with_service(|s| {
        s.history(RecordKind::Asset, &RecordId::parse(MRI).unwrap())
            .is_ok()
    });
    assert!(history);

    // Back in service.
    let r = client
        .send(
            Req::new(Method::POST, &format!("/assets/{MRI}/up"))
                .cookie(&session)
                .form(&[("csrf", &csrf)]),
        )
        .await;
    assert!(r.status.is_redirection(), "{}: {}", r.status, r.body);
    assert_eq!(state_of(&client, MRI).await, "in_service");

    // FHIR bundles.
    for t in ["Device", "DeviceDefinition", "Location", "Organization"] {
        let r = client.get(&format!("/api/v1/fhir/{t}")).await;
        assert_eq!(r.status, StatusCode::OK, "{t}");
        assert_eq!(r.header("content-type"), "application/fhir+json");
        let b = r.json();
        assert_eq!(b["resourceType"], "Bundle");
        assert!(!b["entry"].as_array().unwrap().is_empty(), "{t} empty");
    }
    let devices = client.get("/api/v1/fhir/Device").await.json();
    assert_eq!(devices["entry"].as_array().unwrap().len(), 16);
    assert_eq!(
        client.get("/api/v1/fhir/Patient").await.status,
        StatusCode::NOT_FOUND
    );

    // OpenAPI lists the new endpoints.
    let doc = client.get("/api/v1/openapi.json").await.json();
    for p in [
        "/api/v1/assets",
        "/api/v1/assets/{id}",
        "/api/v1/reports/assets",
        "/api/v1/fhir/{resource}",
    ] {
        assert!(doc["paths"][p].is_object(), "{p} missing from OpenAPI");
    }

    // The facility page links to its equipment.
    let fac = client
        .get("/facilities/fac-semey-university-hospital")
        .await;
    assert!(
        fac.body
            .contains("/assets?facility=fac-semey-university-hospital")
    );
}

#[tokio::test]
async fn public_view_never_shows_sensitive_coordinates() {
    let env = env();
    env.with_service(|app| {
        let id = RecordId::parse("fac-semey-university-hospital").unwrap();
        let Some(Record::Facility(mut f)) = app.store().get(RecordKind::Facility, &id).unwrap()
        else {
            panic!("no Semey facility in the demo");
        };
        f.sensitive = true;
        f.location = Some(GeoPoint {
            lat: "50.411371".parse().unwrap(),
            lon: "80.227694".parse().unwrap(),
        });
        app.put("test", vec![Record::Facility(f)]).unwrap();
    });
    let client = Client::Socket(spawn(env.state.clone()).await);
    for uri in [
        "/assets",
        "/assets/as-semey-mri-1",
        "/assets/indicators?by=facility",
        "/assets/register.csv",
        "/api/v1/assets",
        "/api/v1/assets/as-semey-mri-1",
        "/api/v1/fhir/Location",
        "/api/v1/fhir/Organization",
        "/api/v1/fhir/Device",
    ] {
        let r = client.get(uri).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}");
        assert!(!r.body.contains("50.411371"), "{uri} shows the latitude");
        assert!(!r.body.contains("80.227694"), "{uri} shows the longitude");
    }
    // The Location still exists, only without a position.
    let loc = client.get("/api/v1/fhir/Location").await.json();
    assert!(loc.to_string().contains("fac-semey-university-hospital"));
}

/// The indicators page shows missed PM and PM compliance split by the models' risk class, as
/// `aidtrace asset kpi show` does (demo 2025: PM fell due on the MRI).
#[tokio::test]
async fn indicators_page_splits_pm_by_risk_class() {
    let env = env();
    let client = Client::Socket(spawn(env.state.clone()).await);
    let page = client
        .get("/assets/indicators?from=2025-01-01&to=2025-12-31&by=all")
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("id=\"table-asset-pm-risk\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("PM missed"), "{}", page.body);
    let csv = client
        .get("/assets/indicators.csv?from=2025-01-01&to=2025-12-31&by=all")
        .await;
    assert!(
        csv.body.contains(",pm_late,pm_missed,pm_completion_pct,"),
        "{}",
        csv.body
    );
}

#[tokio::test]
async fn indicators_reaching_past_now_end_now_and_say_so() {
    let env = env();
    let client = Client::InProcess(env.state.clone());
    let page = client
        .get("/assets/indicators?from=2026-01-01&to=2999-12-31&by=facility")
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("hours still to come are not counted"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("2999-12-31 (both days"),
        "{}",
        page.body
    );
    let past = client
        .get("/assets/indicators?from=2025-01-01&to=2025-12-31&by=facility")
        .await;
    assert!(!past.body.contains("hours still to come"));
    let api = client
        .get("/api/v1/reports/assets?from=2026-01-01&to=2999-12-31")
        .await
        .json();
    let until = api["covers_until"].as_str().unwrap_or_default().to_string();
    assert!(until.starts_with("20"), "{api}");
    assert!(until.as_str() < "2999", "{until}");
    let later = client
        .get("/api/v1/reports/assets?from=2999-01-01&to=2999-12-31")
        .await;
    assert_eq!(later.status, StatusCode::BAD_REQUEST, "{}", later.body);
    assert_eq!(later.json()["field"], "from");
}

#[tokio::test]
async fn indicator_groups_are_named_and_linked_not_shown_by_id() {
    let env = env();
    let client = Client::InProcess(env.state.clone());
    let name = env
        .state
        .snapshot_blocking()
        .unwrap()
        .ledger
        .facilities
        .get(&RecordId::parse("fac-semey-university-hospital").unwrap())
        .unwrap()
        .name
        .clone();
    let page = client
        .get("/assets/indicators?from=2025-01-01&to=2025-12-31&by=facility")
        .await;
    let link = format!(
        "<a href=\"/facilities/fac-semey-university-hospital\" title=\"fac-semey-university-hospital\">{name}</a>"
    );
    assert!(page.body.contains(&link), "{link} in {}", page.body);
    let by_asset = client
        .get("/assets/indicators?from=2025-01-01&to=2025-12-31&by=asset")
        .await;
    assert!(by_asset.body.contains(&format!("href=\"/assets/{MRI}\"")));
}

#[tokio::test]
async fn a_mean_time_between_failures_from_fewer_than_three_is_marked_indicative() {
    let env = env();
    let client = Client::InProcess(env.state.clone());
    let csv = client
        .get("/assets/indicators.csv?from=2025-01-01&to=2025-12-31&by=asset")
        .await
        .body;
    let mut rows = csv.lines();
    let header: Vec<&str> = rows.next().unwrap().split(',').collect();
    let at = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let few = rows
        .map(|r| r.split(',').collect::<Vec<&str>>())
        .filter(|r| !r[at("mtbf_hours")].is_empty())
        .filter(|r| r[at("failures")].parse::<u64>().unwrap() < 3)
        .count();
    assert!(
        few > 0,
        "the demo has an MTBF from one or two failures: {csv}"
    );
    let page = client
        .get("/assets/indicators?from=2025-01-01&to=2025-12-31&by=asset")
        .await
        .body;
    let marks = page.matches("<abbr class=\"provisional\"").count();
    assert!(marks >= few, "{marks} marks for {few} thin MTBFs");
}

#[tokio::test]
async fn a_reported_failure_has_rows_anchored_by_record_id_on_the_asset_page() {
    let env = env();
    let client = Client::Socket(spawn(env.state.clone()).await);
    let (session, csrf) = login(&client, "fen").await;
    let r = client
        .send(
            Req::new(Method::POST, &format!("/assets/{MRI}/down"))
                .cookie(&session)
                .form(&[("cause", "mechanical"), ("csrf", &csrf)]),
        )
        .await;
    assert!(r.status.is_redirection(), "{}: {}", r.status, r.body);
    // A finding about the downtime or its work order links to `/assets/{asset}#{record}`
    // (`tables::record_href`): each row carries its record's id.
    let page = client.get(&format!("/assets/{MRI}")).await.body;
    for table in ["downtimes", "work-orders", "events"] {
        let start = page.find(&format!("id=\"{table}\"")).unwrap();
        let rows = &page[start..];
        let end = rows.find("</table>").unwrap();
        assert!(
            rows[..end].contains("<tr id=\""),
            "{table}: {}",
            &rows[..end]
        );
    }
}
