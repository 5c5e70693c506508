//! The main pages in headless Chromium, signed in as an admin (who sees every page): at 390 px
//! the page itself never scrolls sideways; screenshots at 1,400 and 390 px go to
//! `target/tmp/screenshots/` (`pages-<name>-<width>.png`); every page passes the axe-core rules
//! for WCAG 2.1 A and AA. axe-core comes from npm into `target/npm` (`.ci/run` installs the
//! pinned version) and is injected through WebDriver; without it the accessibility part is
//! skipped with a note, except under `CI=true`.

#![allow(clippy::unwrap_used)]

mod browser_kit;
mod common;

use std::path::PathBuf;

use browser_kit::{Browser, set_width, shot};
use thirtyfour::prelude::*;

/// (screenshot name, path). Pages a crawl reaches are checked for content by `crawl.rs`; these
/// are the ones a reader lands on, with a record page of each main kind.
const PAGES: &[(&str, &str)] = &[
    ("dashboard", "/"),
    ("activities", "/activities"),
    ("activity", "/activities/act-kz-semey-equipment"),
    ("facilities", "/facilities"),
    ("facility", "/facilities/fac-semey-university-hospital"),
    ("map", "/map"),
    ("map-kz", "/map?country=KZ"),
    ("organisations", "/organisations"),
    ("quality", "/quality"),
    ("assets", "/assets"),
    ("asset-indicators", "/assets/indicators"),
    ("asset-gaps", "/assets/gaps"),
    ("energy", "/energy"),
    // A plan of the seed's generator lines: the tables and the per-oblast grid.
    (
        "energy-v2-plan",
        "/energy/v2?fuel_l_per_day=4000&install_units=3&country=UA",
    ),
    // A facility's load survey with its building loads, and their form (issue 16).
    (
        "energy-survey",
        "/energy/survey/fac-ua-illustrative-kharkiv-a",
    ),
    (
        "form-facility-power",
        "/forms/facility-power/pw-ua-illustrative-kharkiv-a",
    ),
    // Medicines (issue #15): the demo consignment with its findings per line, and stock.
    (
        "medicines-consignment",
        "/medicines/consignments/con-illustrative-ua-2026-01",
    ),
    ("medicines-stock", "/medicines/stock"),
    ("intake", "/intake"),
    ("import", "/import"),
    ("changes", "/changes"),
    ("form-activity", "/forms/activities/new"),
    (
        "form-facility",
        "/forms/facilities/fac-semey-university-hospital",
    ),
    ("org-review", "/organisations/review"),
    ("rates", "/rates"),
    ("api", "/api"),
    ("not-found", "/no-such-page"),
];

fn axe_source() -> Option<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/npm/node_modules/axe-core/axe.min.js");
    match std::fs::read_to_string(&path) {
        Ok(s) => Some(s),
        Err(_) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{} is missing; .ci/run installs axe-core",
                path.display()
            );
            eprintln!(
                "note: axe-core not installed (npm install --prefix target/npm axe-core); accessibility checks skipped"
            );
            None
        }
    }
}

async fn axe_violations(driver: &WebDriver, axe: &str) -> Vec<String> {
    driver.execute(axe, vec![]).await.unwrap();
    let out = driver
        .execute_async(
            r"const done = arguments[arguments.length - 1];
            axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
              .then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' — ' +
                  v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))))
              .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .unwrap();
    out.convert().unwrap()
}

async fn sign_in_admin(driver: &WebDriver, base: &str) {
    browser_kit::sign_in(driver, base, "ada", common::PASSWORD).await;
}

async fn start() -> Option<(Browser, common::Env, String)> {
    let browser = browser_kit::start().await?;
    let env = common::env();
    let addr = common::spawn(env.state.clone()).await;
    Some((browser, env, format!("http://{addr}")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_main_page_scrolls_sideways_at_390_px() {
    let Some((browser, _env, base)) = start().await else {
        return;
    };
    let driver = &browser.driver;
    sign_in_admin(driver, &base).await;
    set_width(driver, 390).await;
    let mut wide = Vec::new();
    for (name, path) in PAGES {
        driver.goto(format!("{base}{path}")).await.unwrap();
        let (scroll, inner): (i64, i64) = browser_kit::page_and_window_widths(driver).await;
        shot(driver, &format!("pages-{name}-390")).await;
        if scroll > inner {
            wide.push(format!("{path}: {scroll} px wide in {inner}"));
        }
    }
    assert!(
        wide.is_empty(),
        "pages wider than the phone:\n{}",
        wide.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chart_keeps_readable_labels_on_a_phone_and_scrolls_in_its_box() {
    let Some((browser, _env, base)) = start().await else {
        return;
    };
    let driver = &browser.driver;
    set_width(driver, 390).await;
    driver.goto(format!("{base}/")).await.unwrap();
    let (chart, frame, label): (f64, f64, f64) = driver
        .execute(
            "const svg = document.querySelector('.chart-scroll svg.chart');
             const text = svg.querySelector('text');
             return [svg.getBoundingClientRect().width,
                     svg.parentElement.getBoundingClientRect().width,
                     text.getBoundingClientRect().height];",
            vec![],
        )
        .await
        .unwrap()
        .convert()
        .unwrap();
    assert!(chart >= 600.0, "the chart keeps its size: {chart} px");
    assert!(frame < chart, "its box scrolls instead: {frame} px");
    assert!(label >= 8.0, "labels a person can read: {label} px high");
    let (scroll, inner) = browser_kit::page_and_window_widths(driver).await;
    assert!(scroll <= inner, "the page itself does not scroll sideways");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_table_overflows_a_main_page_at_1400_px() {
    let Some((browser, _env, base)) = start().await else {
        return;
    };
    let driver = &browser.driver;
    sign_in_admin(driver, &base).await;
    set_width(driver, 1400).await;
    let mut wide = Vec::new();
    for (name, path) in PAGES {
        driver.goto(format!("{base}{path}")).await.unwrap();
        shot(driver, &format!("pages-{name}-1400")).await;
        let (scroll, inner): (i64, i64) = browser_kit::page_and_window_widths(driver).await;
        if scroll > inner {
            wide.push(format!("{path}: {scroll} px wide in {inner}"));
        }
    }
    assert!(
        wide.is_empty(),
        "pages wider than the window:\n{}",
        wide.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn main_pages_pass_axe_wcag21_aa() {
    let Some(axe) = axe_source() else { return };
    let Some((browser, _env, base)) = start().await else {
        return;
    };
    let driver = &browser.driver;
    // The sign-in page as a visitor sees it, then every page as an admin at both widths.
    driver.goto(format!("{base}/login")).await.unwrap();
    let mut found: Vec<String> = axe_violations(driver, &axe)
        .await
        .into_iter()
        .map(|v| format!("/login: {v}"))
        .collect();
    sign_in_admin(driver, &base).await;
    for width in [1400, 390] {
        set_width(driver, width).await;
        for (_, path) in PAGES {
            driver.goto(format!("{base}{path}")).await.unwrap();
            found.extend(
                axe_violations(driver, &axe)
                    .await
                    .into_iter()
                    .map(|v| format!("{path} at {width} px: {v}")),
            );
        }
    }
    assert!(found.is_empty(), "axe violations:\n{}", found.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_menu_opens_without_script_on_a_phone() {
    let Some((browser, _env, base)) = start().await else {
        return;
    };
    let driver = &browser.driver;
    set_width(driver, 390).await;
    driver.goto(format!("{base}/")).await.unwrap();
    let bar = driver.find(By::Css("header nav.main")).await.unwrap();
    assert!(!bar.is_displayed().await.unwrap(), "the wide bar is hidden");
    let map_link = driver
        .find(By::Css("header details.menu a[href='/map']"))
        .await
        .unwrap();
    assert!(!map_link.is_displayed().await.unwrap());
    driver
        .find(By::Css("header details.menu summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    map_link.click().await.unwrap();
    browser_kit::wait_for(driver, By::Id("facility-map"), 10).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_map_shows_outlines_and_every_located_seed_facility() {
    let Some((browser, _env, base)) = start().await else {
        return;
    };
    let driver = &browser.driver;
    set_width(driver, 1400).await;
    driver.goto(format!("{base}/map")).await.unwrap();
    let outlines = driver
        .find_all(By::Css("#facility-map path[data-country]"))
        .await
        .unwrap();
    assert!(outlines.len() > 10, "{} outlines", outlines.len());
    let mut spots = Vec::new();
    for id in [
        "fac-semey-university-hospital",
        "fac-semey-city-emergency-hospital",
    ] {
        let marker = driver.find(By::Id(format!("map-{id}"))).await.unwrap();
        assert!(marker.is_displayed().await.unwrap(), "{id} is not drawn");
        let r = marker.rect().await.unwrap();
        spots.push((r.x, r.y, r.width));
    }
    // Recorded at the same spot, drawn apart: the markers do not overlap.
    let ((x0, y0, w), (x1, y1, _)) = (spots[0], spots[1]);
    assert!((x0 - x1).hypot(y0 - y1) >= w, "{spots:?}");
    shot(driver, "map-outlines").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_filter_starts_folded_on_a_phone_and_open_on_a_wide_screen() {
    let Some((browser, _env, base)) = start().await else {
        return;
    };
    let driver = &browser.driver;
    set_width(driver, 390).await;
    driver
        .goto(format!("{base}/?year_from=2024"))
        .await
        .unwrap();
    let apply = driver.find(By::Id("f-apply")).await.unwrap();
    assert!(!apply.is_displayed().await.unwrap(), "folded on a phone");
    let summary = driver.find(By::Id("filter-summary")).await.unwrap();
    assert_eq!(summary.text().await.unwrap(), "Filter (1 set)");
    summary.click().await.unwrap();
    assert!(apply.is_displayed().await.unwrap(), "opens on a tap");
    set_width(driver, 1400).await;
    driver.goto(format!("{base}/")).await.unwrap();
    let apply = driver.find(By::Id("f-apply")).await.unwrap();
    assert!(apply.is_displayed().await.unwrap(), "open on a wide screen");
}
