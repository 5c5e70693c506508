//! Browser test of `/energy/v2` in headless Chromium: an administrator follows the link from
//! `/energy`, enters the JICA fleet, sees the plan, the per-oblast logistics and the autonomy,
//! gets the field named on bad input, and records the plan's units as assets of the activity.
//!
//! Needs `chromium` and `chromedriver`; skipped with a note without them, failed under `CI=true`.

#![allow(clippy::unwrap_used)]

mod browser_kit;
mod common;

use browser_kit::{click, fill, wait_for};
use thirtyfour::prelude::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_plan_version_2_and_record_the_units() {
    let Some(browser) = browser_kit::start().await else {
        return;
    };
    let driver = browser.driver.clone();
    let env = common::env();
    let addr = common::spawn(env.state.clone()).await;
    let base = format!("http://{addr}");
    browser_kit::sign_in(&driver, &base, "ada", common::PASSWORD).await;
    driver.goto(format!("{base}/energy")).await.unwrap();
    click(&driver, By::Id("energy2-link")).await;
    wait_for(&driver, By::Id("energy2-form"), 10).await;

    // Bad input: the field is named and nothing is planned.
    fill(&driver, "f-units", "JICA-100:lots:6").await;
    click(&driver, By::Id("energy2-submit")).await;
    let err = wait_for(&driver, By::Id("energy2-error"), 10).await;
    assert!(err.text().await.unwrap().contains("units"));
    assert!(driver.find(By::Id("energy2-plan")).await.is_err());

    fill(&driver, "f-units", "JICA-100:100:6").await;
    fill(&driver, "f-fuel_price", "1.5").await;
    click(&driver, By::Id("energy2-submit")).await;
    let plan = wait_for(&driver, By::Id("energy2-plan"), 20).await;
    let rows = plan.find_all(By::Css("tbody tr")).await.unwrap();
    assert!(rows.len() >= 7, "{} rows", rows.len());
    let logistics = driver.find(By::Id("energy2-logistics")).await.unwrap();
    assert!(logistics.text().await.unwrap().contains("UA-63"));
    let autonomy = driver.find(By::Id("energy2-autonomy")).await.unwrap();
    assert!(autonomy.text().await.unwrap().contains("(illustrative)"));

    let before = env.state.service().ledger().unwrap().assets.len();
    fill(&driver, "f-activity", "act-ua-jica-generators").await;
    fill(&driver, "f-source", "src-ua-japan-health-2024-05").await;
    click(&driver, By::Id("energy2-commit-submit")).await;
    let done = wait_for(&driver, By::Id("energy2-commit-done"), 20).await;
    assert!(!done.text().await.unwrap().is_empty());
    assert!(env.state.service().ledger().unwrap().assets.len() > before);
    driver.quit().await.unwrap();
}
