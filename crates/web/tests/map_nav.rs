//! The map page (outlines, markers, legends, zoom) and the navigation details of issue 18:
//! error pages keep the signed-in header, the language switch keeps the query, the API page is
//! readable HTML, the facilities list searches. Real SQLite, the app in-process.

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{Method, StatusCode};
use common::{Client, Req, env};
use serde_json::json;

fn client() -> (common::Env, Client) {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    (e, c)
}

/// The `cx`/`cy` of the marker with this id.
fn marker_at(body: &str, id: &str) -> (String, String) {
    let at = body.find(&format!("id=\"map-{id}\"")).unwrap();
    let tag_start = body[..at].rfind("<circle").unwrap();
    let tag = &body[tag_start..at];
    let attr = |name: &str| {
        let i = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        tag[i..].split('"').next().unwrap().to_string()
    };
    (attr("cx"), attr("cy"))
}

#[tokio::test]
async fn the_map_draws_country_outlines_with_their_attribution() {
    let (_e, c) = client();
    let r = c.get("/map").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("data-country=\"KZ\""),
        "no Kazakhstan outline"
    );
    assert!(r.body.contains("class=\"land\"") || r.body.contains("data-country=\"CN\""));
    assert!(r.body.contains("Boundaries: Natural Earth"));
    assert!(
        !r.body.contains("role=\"img\""),
        "a map with links is not an image"
    );
}

#[tokio::test]
async fn every_located_seed_facility_has_its_own_marker() {
    let (_e, c) = client();
    let body = c.get("/map").await.body;
    let a = marker_at(&body, "fac-semey-university-hospital");
    let b = marker_at(&body, "fac-semey-city-emergency-hospital");
    // Both are recorded at the centre of Semey; neither may hide the other.
    assert_ne!(a, b);
    assert!(body.contains("href=\"/facilities/fac-semey-university-hospital\""));
    assert!(
        body.contains("id=\"map-sites\""),
        "the list of what the map shows"
    );
}

#[tokio::test]
async fn the_recipient_country_is_shaded_with_a_legend() {
    let (_e, c) = client();
    let body = c.get("/map").await.body;
    assert!(
        body.contains("class=\"country aid4\" data-country=\"KZ\""),
        "Kazakhstan received the seed's disbursement"
    );
    assert!(body.contains("id=\"legend-aid\""));
    assert!(body.contains("swatch aid4"));
}

#[tokio::test]
async fn a_zoom_to_a_country_by_code_or_name_focuses_it() {
    let (_e, c) = client();
    let kz = c.get("/map?country=kz").await;
    assert_eq!(kz.status, StatusCode::OK);
    assert!(kz.body.contains("focus\" data-country=\"KZ\""));
    assert!(kz.body.contains("aria-current=\"page\">Kazakhstan</a>"));
    let ua = c.get("/map?country=Ukraine").await;
    assert_eq!(ua.status, StatusCode::OK);
    assert!(ua.body.contains("focus\" data-country=\"UA\""));
    let world = c.get("/map?country=world").await;
    assert!(
        world.body.contains("data-country=\"BR\""),
        "the world shows Brazil"
    );
}

#[tokio::test]
async fn an_unknown_country_is_refused_with_the_field_named() {
    let (_e, c) = client();
    let r = c.get("/map?country=Atlantis").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Atlantis"), "{}", r.body);
    assert!(r.body.contains("country"));
    let r = c.get("/map?kind=gift").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("gift"));
}

#[tokio::test]
async fn markers_take_the_colour_of_the_current_status() {
    let (e, c) = client();
    let admin = e.token("ada");
    let fac = json!({"id":"fac-kharkiv-1","name":"Kharkiv Regional Hospital","kind":"regional_hospital","country":"UA",
        "location":{"lat":"49.99","lon":"36.23"},
        "status_history":[{"status":"operational","date":"2022-01-01"},{"status":"damaged","date":"2024-05-01"}]});
    let r = c
        .send(
            Req::new(Method::PUT, "/api/v1/facilities/fac-kharkiv-1")
                .bearer(&admin)
                .json(&fac),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let body = c.get("/map?country=UA").await.body;
    assert!(body.contains("class=\"site st-damaged\" id=\"map-fac-kharkiv-1\""));
    assert!(
        body.contains("swatch st-damaged"),
        "the legend names the status"
    );
    let ru = c.get("/map?country=UA&lang=ru").await.body;
    assert!(
        ru.contains("повреждено") || ru.contains("поврежд"),
        "label in Russian"
    );
}

#[tokio::test]
async fn the_public_map_shows_a_sensitive_site_only_as_its_area() {
    let (e, c) = client();
    let admin = e.token("ada");
    let fac = json!({"id":"fac-secret","name":"Hospital under shelling","kind":"regional_hospital","country":"UA",
        "location":{"lat":"49.9935","lon":"36.2304"},"sensitive":true});
    let r = c
        .send(
            Req::new(Method::PUT, "/api/v1/facilities/fac-secret")
                .bearer(&admin)
                .json(&fac),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let public = c.get("/map").await.body;
    assert!(public.contains("class=\"blurred st-unknown\""));
    assert!(!public.contains("id=\"map-fac-secret\""), "no exact marker");
    let signed = c.send(Req::get("/map").bearer(&admin)).await.body;
    assert!(signed.contains("id=\"map-fac-secret\""));
}

#[tokio::test]
async fn an_error_page_keeps_the_signed_in_header() {
    let (e, c) = client();
    let admin = e.token("ada");
    for uri in [
        "/no-such-page",
        "/activities/no-such-activity",
        "/map?country=Atlantis",
    ] {
        let r = c.send(Req::get(uri).bearer(&admin)).await;
        assert!(r.status.is_client_error(), "{uri}: {}", r.status);
        assert!(r.body.contains("id=\"whoami\""), "{uri} lost the header");
    }
    let anonymous = c.get("/no-such-page").await;
    assert!(anonymous.body.contains("id=\"signin\""));
}

#[tokio::test]
async fn the_language_switch_keeps_the_path_and_query() {
    let (_e, c) = client();
    let body = c.get("/map?country=KZ&lang=uk").await.body;
    assert!(body.contains("href=\"?country=KZ&amp;lang=ru\""), "{body}");
    assert!(body.contains("href=\"?country=KZ&amp;lang=en\""));
    let plain = c.get("/facilities").await.body;
    assert!(plain.contains("href=\"?lang=kk\""));
}

#[tokio::test]
async fn the_api_link_opens_a_readable_reference_with_examples() {
    let (_e, c) = client();
    let dash = c.get("/").await.body;
    assert!(dash.contains("href=\"/api\""));
    let r = c.get("/api").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header("content-type").starts_with("text/html"));
    assert!(r.body.contains("<code>GET /api/v1/facilities</code>"));
    assert!(r.body.contains("id=\"schema-Facility\""));
    assert!(r.body.contains("<pre><code>{"), "an example record");
    assert!(r.body.contains("href=\"/api/v1/openapi.json\""));
    let ru = c.get("/api?lang=ru").await.body;
    assert!(ru.contains("Справочник API"));
}

#[tokio::test]
async fn the_facilities_list_searches_names_and_places() {
    let (_e, c) = client();
    let body = c.get("/facilities?q=semey").await.body;
    assert!(body.contains("fac-semey-university-hospital"));
    assert!(!body.contains("fac-zhezbek-blood-centre"));
    let body = c.get("/facilities?q=SEMEY+emergency").await.body;
    assert!(body.contains("fac-semey-city-emergency-hospital"));
    assert!(!body.contains("fac-semey-university-hospital\""));
    let none = c.get("/facilities?status=destroyed").await.body;
    assert!(!none.contains("fac-semey-city-emergency-hospital"));
    assert!(none.contains("id=\"status\""));
}

/// The world view draws every country once; it stays small enough for a phone connection.
#[tokio::test]
async fn the_world_map_stays_under_half_a_megabyte() {
    let (_e, c) = client();
    for uri in ["/map", "/map?country=world", "/map?country=KZ"] {
        let r = c.get(uri).await;
        eprintln!("{uri}: {} bytes", r.body.len());
        assert!(r.body.len() < 500_000, "{uri}: {} bytes", r.body.len());
    }
}

#[tokio::test]
async fn a_missing_page_says_so_in_the_readers_language() {
    let (_e, c) = client();
    let r = c.get("/no-such-page?lang=uk").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(
        r.body.contains("Сторінки /no-such-page немає."),
        "{}",
        r.body
    );
    let api = c.get("/api/v1/no-such").await;
    assert_eq!(api.json()["code"], "not_found");
}

#[tokio::test]
async fn the_table_helper_script_is_served_from_the_binary() {
    let (_e, c) = client();
    let page = c.get("/facilities").await.body;
    assert!(page.contains("<script src=\"/static/tables.js\" defer></script>"));
    let js = c.get("/static/tables.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.header("content-type").starts_with("text/javascript"));
    assert!(js.body.contains("tabindex"));
}

#[tokio::test]
async fn the_facilities_export_holds_the_searched_rows() {
    let (_e, c) = client();
    let page = c.get("/facilities?q=semey").await.body;
    assert!(page.contains("href=\"/export/facilities/csv?q=semey&amp;status=\""));
    let csv = c.get("/export/facilities/csv?q=semey&status=").await.body;
    assert!(csv.contains("fac-semey-university-hospital"));
    assert!(!csv.contains("fac-zhezbek-blood-centre"));
    let all = c.get("/export/facilities/csv").await.body;
    assert!(all.contains("fac-zhezbek-blood-centre"));
}

#[tokio::test]
async fn the_zoom_list_is_in_the_order_of_the_names_read() {
    let (e, c) = client();
    for (id, country) in [("fac-test-ch", "CH"), ("fac-test-de", "DE")] {
        let r = c
            .send(
                Req::new(Method::PUT, &format!("/api/v1/facilities/{id}"))
                    .bearer(&e.token("ada"))
                    .header("if-none-match", "*")
                    .json(&json!({"id": id, "name": id, "kind": "other", "country": country})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let page = c.get("/map").await.body;
    let zoom = &page[page.find("class=\"map-zoom\"").unwrap()..];
    let at = |name: &str| zoom.find(name).unwrap_or_else(|| panic!("{name}: {zoom}"));
    assert!(
        at(">Germany<") < at(">Switzerland<"),
        "DE after CH by code, before it by name"
    );
    let ru = c.get("/map?lang=ru").await.body;
    let zoom = &ru[ru.find("class=\"map-zoom\"").unwrap()..];
    assert!(zoom.find(">Германия<").unwrap() < zoom.find(">Швейцария<").unwrap());
}
