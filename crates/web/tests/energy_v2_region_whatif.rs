//! The per-region fuel delivery what-if of `/energy/v2` (issue 16 item 3, "what-ifs on fuel
//! price, delivery per region and outage hours"), over real HTTP on 127.0.0.1: the regions named
//! get their own litres per day, the others the form's figure; a region no planned facility is
//! in, a malformed entry or a region given twice is refused naming the field, nothing planned.

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{Method, StatusCode};
use common::{Client, Req, env, login, spawn};

const UNITS: &str = "JICA-100:100:6";

async fn post(fields: &[(&str, &str)]) -> common::Resp {
    let env = env();
    let client = Client::Socket(spawn(env.state.clone()).await);
    let (session, _) = login(&client, "vic").await;
    client
        .send(
            Req::new(Method::POST, "/energy/v2")
                .cookie(&session)
                .form(fields),
        )
        .await
}

/// The deliverable litres per day of `region` in the plan's regions table, as shown.
fn deliverable(body: &str, region: &str) -> String {
    let table = body.split("id=\"energy2-regions\"").nth(1).unwrap();
    let table = &table[..table.find("</table>").unwrap()];
    let row = table
        .split("<tr>")
        .find(|r| r.contains(&format!("<td>{region}</td>")))
        .unwrap_or_else(|| panic!("{region} not in {table}"));
    row.split("<td class=\"num\">")
        .nth(2)
        .unwrap()
        .split("</td>")
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn the_regions_named_get_their_own_delivery_and_the_others_the_default() {
    let r = post(&[
        ("units", UNITS),
        ("fuel_l_per_day", "4000"),
        ("region_fuel", "UA-63 = 150\nUA-46: 900"),
    ])
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(deliverable(&r.body, "UA-63"), "150");
    assert_eq!(deliverable(&r.body, "UA-46"), "900");
    assert_eq!(
        deliverable(&r.body, "UA-12").replace([',', '\u{a0}', ' '], ""),
        "4000"
    );
    // The export links repeat the what-if, so the files hold the plan shown.
    assert!(
        r.body.contains("region_fuel=UA-63"),
        "export links lose the what-if"
    );
    // Kharkiv's fuel per day in the logistics cannot exceed what can be delivered there.
    let logistics = r.body.split("id=\"energy2-logistics\"").nth(1).unwrap();
    assert!(logistics.contains("UA-63"));
}

#[tokio::test]
async fn a_region_without_a_planned_facility_is_refused_naming_the_field() {
    let r = post(&[("units", UNITS), ("region_fuel", "UA-99 = 100")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.body.contains("<strong>region_fuel</strong>"),
        "{}",
        r.body
    );
    assert!(r.body.contains("UA-99"));
    assert!(!r.body.contains("id=\"energy2-plan\""), "planned anyway");
}

#[tokio::test]
async fn a_malformed_entry_is_refused_naming_the_field_and_the_entry() {
    let r = post(&[("units", UNITS), ("region_fuel", "UA-63 lots")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.body.contains("<strong>region_fuel</strong>"),
        "{}",
        r.body
    );
    assert!(r.body.contains("UA-63 lots"));
    let r = post(&[("units", UNITS), ("region_fuel", "UA-63 = -5")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.body.contains("<strong>region_fuel</strong>"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn a_region_given_twice_is_refused() {
    let r = post(&[
        ("units", UNITS),
        ("region_fuel", "UA-63 = 100; UA-63 = 200"),
    ])
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.body.contains("<strong>region_fuel</strong>"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("id=\"energy2-plan\""), "planned anyway");
}
