//! Map labels over real HTTP on 127.0.0.1: a facility with a very long name gets a label of at
//! most two short lines, shortened with "…", and its full name stays readable in a title.

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{Client, env, spawn};

const LONG: &str =
    "Regional Multidisciplinary Clinical Hospital named after a Very Long Name of the Abai Region";

#[tokio::test]
async fn a_long_facility_name_is_wrapped_and_shortened_never_clipped() {
    let env = env();
    let fixture = format!(
        r#"{{"records": [{{"record": "facility", "id": "fac-test-long-name", "name": "{LONG}",
            "kind": "regional_hospital", "country": "KZ", "region": "Abai region",
            "location": {{"lat": "47.5", "lon": "66.0"}}}}]}}"#
    );
    env.state.service().load_json("test", &fixture).unwrap();
    let c = Client::Socket(spawn(env.state.clone()).await);
    let r = c.get("/map?country=KZ").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let svg = &r.body[r.body.find("<svg class=\"map\"").unwrap()..r.body.find("</svg>").unwrap()];
    // Every label line is short; none holds the whole long name.
    for line in svg.split("<tspan").skip(1) {
        let text = &line[line.find('>').unwrap() + 1..line.find("</tspan>").unwrap()];
        assert!(text.trim_end().chars().count() <= 24, "{text}");
    }
    // The full name is in a title (the label's when shortened, the marker's always).
    assert!(svg.contains(&format!("<title>{LONG}")), "{svg}");
    assert!(svg.contains("class=\"label\""), "labels are drawn");
    // The site is in the list under the map with its full name.
    assert!(r.body[r.body.find("</svg>").unwrap()..].contains(LONG));
}
