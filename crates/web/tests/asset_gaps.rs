//! Equipment gaps and densities beside national and reference figures (page, API, OpenAPI), the
//! register filtered by equipment line, the lifecycle rule refusing an illegal transition through
//! the phone form, and the asset pages in Russian, all over real HTTP on 127.0.0.1.

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{Method, StatusCode};
use common::{Client, Req, env, login, spawn};
use serde_json::Value;

fn ct_row<'a>(rows: &'a Value, scope: &str, region: Option<&str>) -> &'a Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["generic_type"] == "ct_scanner"
                && r["scope"] == scope
                && region.is_none_or(|g| r["region"] == g)
        })
        .unwrap_or_else(|| panic!("no CT row {scope} {region:?}"))
}

#[tokio::test]
async fn gaps_and_densities_beside_national_and_reference_figures() {
    let env = env();
    // A user-supplied figure whose source has no address: shown with its title and record.
    let user_figure = serde_json::json!([
        {"record": "source", "id": "src-yearbook", "title": "Statistical yearbook (test)",
         "kind": "official_document"},
        {"record": "density_reference", "id": "ref-kz-ct-test", "generic_type": "ct_scanner",
         "area": "Test area", "per_million": "7.5", "year": 2022,
         "sources": [{"source": "src-yearbook"}]}
    ]);
    env.state
        .service()
        .put(
            "test",
            aidtrace_service::records::records_from_json(&user_figure.to_string()).unwrap(),
        )
        .unwrap();
    let client = Client::Socket(spawn(env.state.clone()).await);

    let api = client
        .get("/api/v1/reports/asset-density?at=2025-12-31")
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let v = api.json();
    // Abai: 1 CT / 610,189 = 1.64; Jambyl: 0 / 1,222,513 = 0; national: 2 / 20,286,084 = 0.10.
    let rows = &v["rows"];
    assert_eq!(
        ct_row(rows, "region", Some("Abai region"))["per_million"],
        "1.64"
    );
    let jambyl = ct_row(rows, "region", Some("Jambyl region"));
    assert_eq!(
        (jambyl["units"].as_u64(), &jambyl["per_million"]),
        (Some(0), &Value::from("0"))
    );
    let national = ct_row(rows, "national", None);
    assert_eq!(national["per_million"], "0.10");
    assert_eq!(national["population_record"], "pop-kz-2025");
    assert_eq!(national["population_year"], 2025);
    // The traumatology centre records no region: its CT has no density and says why.
    let no_region = ct_row(rows, "no_region", None);
    assert!(no_region["per_million"].is_null());
    assert!(
        no_region["no_density"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    assert!(
        v["counted"]
            .as_str()
            .unwrap()
            .contains("never a sum of regions")
    );
    let oecd = v["references"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["generic_type"] == "ct_scanner" && r["area"] == "OECD average")
        .unwrap();
    assert_eq!(oecd["per_million"], "23.6");
    assert_eq!(
        (oecd["year"].as_u64(), oecd["year_to"].as_u64()),
        (Some(2011), Some(2012))
    );

    let gaps = client
        .get("/api/v1/reports/asset-gaps?at=2025-12-31")
        .await
        .json();
    let icu = gaps["regions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["region"] == "Abai region" && r["generic_type"] == "icu_ventilator")
        .unwrap();
    // Semey needs 6 ventilators, 2 work: the region is 4 short.
    assert_eq!(
        (icu["required"].as_u64(), icu["gap"].as_u64()),
        (Some(6), Some(4))
    );
    assert!(!gaps["facilities"].as_array().unwrap().is_empty());

    let page = client.get("/assets/gaps?at=2025-12-31").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let table = page
        .body
        .split("id=\"density-KZ-ct_scanner\"")
        .nth(1)
        .and_then(|rest| rest.split("</table>").next())
        .expect("CT density table");
    for needle in [
        "Abai region",
        "1.64",
        "KZ · national",
        "0.10",
        "pop-kz-2025",
        "Reference: OECD average",
        "23.6",
        "2011–2012",
        "href=\"https://medivit.com.ua/en/articles/37\"",
        "> 44",
        "href=\"https://radiologykey.com/access-to-imaging-technology-in-the-developing-world\"",
        "Reference: Test area",
        "7.5",
        "Statistical yearbook (test)",
        "ref-kz-ct-test",
    ] {
        let escaped = needle.replace('>', "&gt;");
        assert!(
            table.contains(needle) || table.contains(&escaped),
            "{needle} missing from the CT density table"
        );
    }
    assert!(page.body.contains("id=\"region-gaps\""));

    for bad in [
        "/assets/gaps?at=2025-02-30",
        "/api/v1/reports/asset-density?at=soon",
    ] {
        let r = client.get(bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
    }
    let r = client.get("/api/v1/reports/asset-gaps?at=31.12.2025").await;
    assert_eq!(r.json()["field"], "at");

    let doc = client.get("/api/v1/openapi.json").await.json();
    for p in [
        "/api/v1/reports/asset-gaps",
        "/api/v1/reports/asset-density",
    ] {
        assert!(doc["paths"][p].is_object(), "{p} missing from OpenAPI");
    }
}

#[tokio::test]
async fn assets_bought_by_one_equipment_line() {
    let env = env();
    let client = Client::Socket(spawn(env.state.clone()).await);
    let v = client.get("/api/v1/assets?line=eq-semey-mri").await.json();
    assert_eq!(v["total"], 1, "{v}");
    assert_eq!(v["items"][0]["id"], "as-semey-mri-1");
    let page = client.get("/assets?line=eq-semey-mri").await;
    assert!(page.body.contains("id=\"line-filter\""));
    assert!(page.body.contains("/assets/as-semey-mri-1\""));
    assert!(!page.body.contains("/assets/as-semey-ct-1\""));
    let r = client.get("/api/v1/assets?line=eq-nowhere").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["field"], "line");
}

#[tokio::test]
async fn the_phone_form_refuses_an_illegal_transition_and_writes_nothing() {
    let env = env();
    let client = Client::Socket(spawn(env.state.clone()).await);
    let (session, csrf) = login(&client, "fen").await;
    let before = env.record_count();

    // The fourth Semey ventilator is in storage: in_storage → down is not a lifecycle step.
    let r = client
        .send(
            Req::new(Method::POST, "/assets/as-semey-vent-4/down")
                .cookie(&session)
                .form(&[("cause", "mechanical"), ("csrf", &csrf)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"error\""));
    assert!(r.body.contains("in storage"), "names the state: {}", r.body);
    assert!(!r.body.contains("in_storage"), "by its label: {}", r.body);
    assert!(
        r.body.contains("id=\"down-form\""),
        "the form is shown again"
    );

    // The MRI works and has no open downtime: "back in service" has nothing to close.
    let r = client
        .send(
            Req::new(Method::POST, "/assets/as-semey-mri-1/up")
                .cookie(&session)
                .form(&[("csrf", &csrf)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("no open downtime"));
    assert_eq!(env.record_count(), before);

    // A legal report still goes through the same path.
    let r = client
        .send(
            Req::new(Method::POST, "/assets/as-semey-mri-1/down")
                .cookie(&session)
                .form(&[("cause", "wear"), ("csrf", &csrf)]),
        )
        .await;
    assert!(r.status.is_redirection(), "{}: {}", r.status, r.body);
    assert_eq!(env.record_count(), before + 3);
}

/// Labels the asset pages show in English; none may remain on the Russian pages.
const ENGLISH_LABELS: &[&str] = &[
    "Criticality",
    "Recorded by",
    "Work order",
    "Window (days)",
    "Done by work order",
    "Preventive maintenance",
    "Inventory tag",
    "Money to machine",
    "Period",
    "Donated equipment at",
    "Value unknown",
    "Uptime, %",
    "Fleet functional, %",
    "Report device down",
    "Essential-equipment gaps by region",
    "Devices per million population",
    "Per million",
    "population record",
    "Reference:",
    "OECD average",
    "in service",
    "Not saved",
];

#[tokio::test]
async fn asset_pages_in_russian_show_no_english_labels() {
    let env = env();
    let client = Client::Socket(spawn(env.state.clone()).await);
    let (session, csrf) = login(&client, "fen").await;
    let pages = [
        "/assets",
        "/assets/as-semey-mri-1",
        "/assets/indicators?from=2025-01-01&to=2025-12-31",
        "/assets/gaps?at=2025-12-31",
    ];
    let render = |lang: &'static str| {
        let client = &client;
        let session = &session;
        let csrf = &csrf;
        async move {
            let mut all = String::new();
            for p in pages {
                let sep = if p.contains('?') { '&' } else { '?' };
                let r = client
                    .send(Req::get(&format!("{p}{sep}lang={lang}")).cookie(session))
                    .await;
                assert_eq!(r.status, StatusCode::OK, "{p} {lang}");
                all.push_str(&r.body);
            }
            // The phone form with a refusal, for the error lead.
            let r = client
                .send(
                    Req::new(
                        Method::POST,
                        &format!("/assets/as-semey-vent-4/down?lang={lang}"),
                    )
                    .cookie(session)
                    .form(&[("cause", "wear"), ("csrf", csrf)]),
                )
                .await;
            all.push_str(&r.body);
            all
        }
    };
    let english = render("en").await;
    for label in ENGLISH_LABELS {
        assert!(
            english.contains(label),
            "{label:?} is not on the English pages"
        );
    }
    let russian = render("ru").await;
    for label in ENGLISH_LABELS {
        let at = russian.find(label).unwrap_or(0);
        assert!(
            !russian.contains(label),
            "{label:?} is on the Russian pages: …{}…",
            russian
                .get(at.saturating_sub(200)..at + 100)
                .unwrap_or_default()
        );
    }
    assert!(russian.contains("Нехватка основного оборудования по регионам"));
    assert!(russian.contains("Не сохранено"));
}
