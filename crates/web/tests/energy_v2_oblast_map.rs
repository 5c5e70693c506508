//! The per-oblast view of a version 2 plan on `/energy/v2` (issue 16 item 3, "per-oblast view on
//! the map"), over real HTTP on 127.0.0.1: Ukraine's outline from the country outlines, one
//! circle per planned oblast at its administrative centre sized by fuel per day with the litres
//! as text, each circle one link to the oblast's row of the table beside the map, names in the
//! reader's language.

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{Method, StatusCode};
use common::{Client, Req, env, login, spawn};

const UNITS: &str = "JICA-100:100:6";

async fn plan(lang: &str) -> String {
    let env = env();
    let client = Client::Socket(spawn(env.state.clone()).await);
    let (session, _) = login(&client, "vic").await;
    let r = client
        .send(
            Req::new(Method::POST, "/energy/v2")
                .cookie(&format!("aidtrace_lang={lang}; {session}"))
                .form(&[("units", UNITS)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
}

fn svg(body: &str) -> &str {
    let s = body.split("id=\"energy2-oblasts\"").nth(1).expect("no map");
    &s[..s.find("</svg>").unwrap()]
}

/// The `<a …>…</a>` symbols of the map.
fn symbols(svg: &str) -> Vec<&str> {
    svg.split("<a ")
        .skip(1)
        .map(|s| &s[..s.find("</a>").unwrap()])
        .collect()
}

#[tokio::test]
async fn the_map_draws_ukraine_and_one_circle_per_planned_oblast() {
    let body = plan("en").await;
    let svg = svg(&body);
    let outline = svg
        .split("id=\"energy2-ukraine\" d=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap();
    assert!(outline.starts_with('M') && outline.len() > 200, "{outline}");
    // Each planned oblast of the table has its circle, and no other is drawn.
    let table = body.split("id=\"energy2-oblast-table\"").nth(1).unwrap();
    let rows = table.matches("<tr id=\"oblast-UA-").count();
    assert!(rows >= 5, "{rows} oblast rows");
    assert_eq!(symbols(svg).len(), rows);
    assert_eq!(svg.matches("<circle ").count(), rows);
    // Kharkiv: at its centre's place on the map, with litres as text and a title in words.
    let kharkiv = symbols(svg)
        .into_iter()
        .find(|s| s.contains("data-region=\"UA-63\""))
        .unwrap();
    assert!(kharkiv.contains("Kharkiv Oblast (UA-63)"), "{kharkiv}");
    assert!(kharkiv.contains("% of the load served"), "{kharkiv}");
    assert!(kharkiv.contains(" L</text>"), "{kharkiv}");
    assert!(kharkiv.contains("class=\"symbol aid"), "{kharkiv}");
    assert!(body.contains("Boundaries: Natural Earth"));
}

#[tokio::test]
async fn circles_are_placed_as_the_oblast_centres_are() {
    let body = plan("en").await;
    let svg = svg(&body);
    let attr = |s: &str, name: &str| -> f64 {
        s.split(&format!(" {name}=\""))
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    // (lon, lat) of each centre from the shipped table.
    let centres: Vec<(String, f64, f64)> = include_str!("../data/ua_oblast_centres.csv")
        .lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (
                c[0].to_string(),
                c[2].parse().unwrap(),
                c[1].parse().unwrap(),
            )
        })
        .collect();
    let drawn: Vec<(f64, f64, f64, f64)> = symbols(svg)
        .into_iter()
        .map(|s| {
            let code = s
                .split("data-region=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            let (_, lon, lat) = centres.iter().find(|c| c.0 == code).unwrap();
            (*lon, *lat, attr(s, "cx"), attr(s, "cy"))
        })
        .collect();
    assert!(drawn.len() >= 3);
    // West of another centre is left of it on the map, north of it is above it.
    for a in &drawn {
        for b in &drawn {
            if a.0 < b.0 {
                assert!(a.2 < b.2, "{a:?} {b:?}");
            }
            if a.1 < b.1 {
                assert!(a.3 > b.3, "{a:?} {b:?}");
            }
        }
    }
}

#[tokio::test]
async fn each_circle_is_one_link_to_its_oblasts_row_and_nothing_is_nested() {
    let body = plan("en").await;
    let svg = svg(&body);
    for s in symbols(svg) {
        let code = s
            .split("data-region=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert!(s.contains(&format!("href=\"#oblast-{code}\"")), "{s}");
        assert!(
            body.contains(&format!("<tr id=\"oblast-{code}\"")),
            "{code} has no row"
        );
        // axe nested-interactive: nothing focusable inside a link.
        assert!(!s.contains("<a ") && !s.contains("tabindex"), "{s}");
        assert!(s.contains("aria-label=\""), "{s}");
    }
    // The row lists the oblast's planned facilities as links.
    let row = body.split("<tr id=\"oblast-UA-63\"").nth(1).unwrap();
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("href=\"/facilities/fac-ua-illustrative-kharkiv-a\""),
        "{row}"
    );
}

#[tokio::test]
async fn the_largest_circle_is_the_oblast_needing_most_fuel() {
    let body = plan("en").await;
    let svg = svg(&body);
    let mut by_r: Vec<(f64, &str)> = symbols(svg)
        .into_iter()
        .map(|s| {
            let r: f64 = s
                .split(" r=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            (r, s)
        })
        .collect();
    // Drawn largest first, so smaller circles stay on top.
    let radii: Vec<f64> = by_r.iter().map(|(r, _)| *r).collect();
    assert!(radii.windows(2).all(|w| w[0] >= w[1]), "{radii:?}");
    by_r.sort_by(|a, b| b.0.total_cmp(&a.0));
    let litres = |s: &str| -> i64 {
        let t = s.split("class=\"label\"").nth(1).unwrap();
        let t = &t[t.find('>').unwrap() + 1..t.find(" L</text>").unwrap()];
        t.replace([',', ' ', '\u{a0}', '\u{202f}'], "")
            .parse()
            .unwrap()
    };
    let most = by_r.iter().map(|(_, s)| litres(s)).max().unwrap();
    assert_eq!(litres(by_r[0].1), most);
    assert!(
        body.contains("the largest circle is "),
        "size legend missing"
    );
}

#[tokio::test]
async fn oblast_names_are_in_the_readers_language() {
    let body = plan("ru").await;
    assert!(
        body.contains("Харьковская область (UA-63)"),
        "not in Russian"
    );
    assert!(!svg(&body).contains("Kharkiv Oblast"));
    let body = plan("kk").await;
    assert!(body.contains("Харьков облысы (UA-63)"), "not in Kazakh");
    let body = plan("uk").await;
    assert!(
        body.contains("Харківська область (UA-63)"),
        "not in Ukrainian"
    );
}
