//! The activity page lists, for each equipment line, the assets bought through it (each linked
//! to its asset page) and links the register filtered to the activity, on the demo data over a
//! real socket.

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{Client, env, spawn};

/// The `<tr id="line">` row of the equipment table.
fn line_row<'a>(html: &'a str, line: &str) -> &'a str {
    let table = html.split("id=\"equipment\"").nth(1).unwrap();
    let row = table
        .split(&format!("<tr id=\"{line}\">"))
        .nth(1)
        .unwrap_or_else(|| panic!("no row for {line}"));
    row.split("</tr>").next().unwrap()
}

fn asset_links(row: &str) -> Vec<String> {
    row.split("href=\"/assets/")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn equipment_lines_list_their_assets() {
    let e = env();
    let c = Client::Socket(spawn(e.state.clone()).await);
    let page = c.get("/activities/act-kz-semey-equipment").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);

    let icu = line_row(&page.body, "eq-semey-icu");
    let mut links = asset_links(icu);
    links.sort();
    assert_eq!(
        links,
        [
            "as-semey-vent-1",
            "as-semey-vent-2",
            "as-semey-vent-3",
            "as-semey-vent-4"
        ]
    );
    assert!(
        icu.contains("SSMU-ICU-VENT-003"),
        "inventory tags shown: {icu}"
    );
    assert!(icu.contains("href=\"/assets?line=eq-semey-icu\""));
    let mri = line_row(&page.body, "eq-semey-mri");
    assert_eq!(asset_links(mri), ["as-semey-mri-1"]);
    // A line nothing was registered for says so instead of borrowing another line's assets.
    let other = line_row(&page.body, "eq-semey-other");
    assert!(asset_links(other).is_empty(), "{other}");

    assert!(
        page.body
            .contains("href=\"/assets?activity=act-kz-semey-equipment\""),
        "no link to the activity's register"
    );
    let register = c.get("/assets?activity=act-kz-semey-equipment").await;
    assert_eq!(register.status, StatusCode::OK);
    for id in ["as-semey-vent-1", "as-semey-mri-1", "as-semey-endo-2"] {
        assert!(register.body.contains(id), "{id} not in the register");
    }
    assert!(!register.body.contains("as-zhezbek-platelet-1"));
    let asset = c.get("/assets/as-semey-vent-1").await;
    assert_eq!(asset.status, StatusCode::OK, "the linked asset page opens");
}

#[tokio::test]
async fn an_asset_funded_by_a_line_appears_once_it_is_recorded() {
    let e = env();
    let c = Client::Socket(spawn(e.state.clone()).await);
    let before = c.get("/activities/act-kz-semey-equipment").await;
    assert!(asset_links(line_row(&before.body, "eq-semey-other")).is_empty());
    // Re-point one endoscope at the "other devices" line, as a correction would.
    let id = aidtrace_domain::RecordId::parse("as-semey-endo-3").unwrap();
    let mut record = match e
        .state
        .service()
        .store()
        .get(aidtrace_domain::RecordKind::Asset, &id)
        .unwrap()
    {
        Some(aidtrace_domain::Record::Asset(a)) => a,
        other => panic!("{other:?}"),
    };
    record.funding.equipment_line =
        Some(aidtrace_domain::RecordId::parse("eq-semey-other").unwrap());
    e.state
        .service()
        .put("test", vec![aidtrace_domain::Record::Asset(record)])
        .unwrap();
    e.state.invalidate();
    let after = c.get("/activities/act-kz-semey-equipment").await;
    assert_eq!(
        asset_links(line_row(&after.body, "eq-semey-other")),
        ["as-semey-endo-3"]
    );
    assert!(
        !asset_links(line_row(&after.body, "eq-semey-endoscopes"))
            .contains(&"as-semey-endo-3".to_string())
    );
}

#[tokio::test]
async fn an_activity_without_flows_tells_the_public_so_without_staff_instructions() {
    let e = env();
    let c = Client::Socket(spawn(e.state.clone()).await);
    let page = c.get("/activities/act-ua-japan-health").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("No flows recorded."), "{}", page.body);
    assert!(!page.body.contains("an editor adds them"), "{}", page.body);
}

#[tokio::test]
async fn an_activity_without_flows_tells_an_editor_how_to_add_them() {
    let e = env();
    let c = Client::Socket(spawn(e.state.clone()).await);
    let (session, _) = common::login(&c, "ada").await;
    let page = c
        .send(common::Req::get("/activities/act-ua-japan-health").cookie(&session))
        .await;
    assert!(page.body.contains("an editor adds them"), "{}", page.body);
}
