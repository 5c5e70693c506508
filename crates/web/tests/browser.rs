//! Browser test in headless Chromium through WebDriver: sign in, see the dashboard's charts,
//! create an activity with an equipment line, get a field error, approve it, see it in the
//! public view. Screenshots go to `target/tmp/screenshots/`.
//!
//! Needs `chromium` and `chromium-driver` (Debian). Without chromedriver the test is skipped
//! with a note, except when `CI=true`: then it fails, so CI cannot pass without running it.

#![allow(clippy::unwrap_used)]

mod browser_kit;
mod common;

use browser_kit::{fill, shot};
use thirtyfour::prelude::*;

async fn choose(driver: &WebDriver, name: &str, value: &str) {
    driver
        .find(By::Css(format!(
            "select[name='{name}'] option[value='{value}']"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn sign_in(driver: &WebDriver, base: &str, name: &str) {
    driver.goto(format!("{base}/login")).await.unwrap();
    fill(driver, "name", name).await;
    fill(driver, "password", common::PASSWORD).await;
    driver
        .find(By::Id("submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let who = driver.query(By::Id("whoami")).first().await.unwrap();
    assert!(who.text().await.unwrap().starts_with(name));
}

async fn sign_out(driver: &WebDriver) {
    driver
        .find(By::Css("header form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    driver.query(By::Id("signin")).first().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_walkthrough() {
    let Some(browser) = browser_kit::start().await else {
        return;
    };
    let driver = browser.driver.clone();
    let env = common::env();
    let addr = common::spawn(env.state.clone()).await;
    let base = format!("http://{addr}");

    // The public dashboard with its charts, then the Semey walk.
    driver.goto(&base).await.unwrap();
    // The chart by donor; the seed's money is undated, so the chart by year has nothing to
    // place and a note counts what it leaves out.
    assert!(
        !driver
            .find_all(By::Css("svg.chart"))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(driver.find(By::Id("dash-undated")).await.is_ok());
    shot(&driver, "dashboard").await;
    driver
        .goto(format!("{base}/activities/act-kz-semey-equipment"))
        .await
        .unwrap();
    assert!(driver.source().await.unwrap().contains("FX-EQUIV"));
    shot(&driver, "activity-semey").await;
    driver.goto(format!("{base}/map")).await.unwrap();
    shot(&driver, "map").await;

    // An editor creates an activity with an equipment line; bad input gets a field error.
    sign_in(&driver, &base, "eve").await;
    driver
        .goto(format!("{base}/forms/activities/new"))
        .await
        .unwrap();
    fill(&driver, "f-id", "act-kz-browser-ventilators").await;
    fill(&driver, "f-title", "Ventilators (browser test)").await;
    choose(&driver, "instrument", "grant_aid").await;
    choose(&driver, "status", "pipeline").await;
    fill(&driver, "f-countries-0-country", "KZ").await;
    fill(&driver, "f-countries-0-percentage", "100").await;
    fill(&driver, "f-participants-0-org", "org-embassy-japan-kz").await;
    choose(&driver, "participants[0].role", "funding").await;
    fill(&driver, "f-sources-0-source", "src-kz-semey-grant").await;
    fill(&driver, "f-sources-0-quote", "medical equipment").await;
    fill(&driver, "f-equipment-0-id", "eq-browser-ventilators").await;
    fill(&driver, "f-equipment-0-description", "ICU ventilator").await;
    choose(&driver, "equipment[0].category", "intensive_care").await;
    fill(&driver, "f-equipment-0-quantity", "four").await;
    driver
        .find(By::Id("submit-approval"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let Ok(err) = driver
        .query(By::Id("err-equipment-0-quantity"))
        .first()
        .await
    else {
        panic!("no field error: {}", driver.source().await.unwrap());
    };
    assert!(err.text().await.unwrap().contains("whole number"));
    shot(&driver, "field-error").await;
    fill(&driver, "f-equipment-0-quantity", "4").await;
    driver
        .find(By::Id("submit-approval"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    driver
        .query(By::Css("article.change"))
        .first()
        .await
        .unwrap();
    assert!(
        driver
            .current_url()
            .await
            .unwrap()
            .path()
            .starts_with("/changes")
    );
    sign_out(&driver).await;

    // Not public before approval.
    driver
        .goto(format!("{base}/activities/act-kz-browser-ventilators"))
        .await
        .unwrap();
    assert!(driver.find(By::Id("error")).await.is_ok());

    // The approver approves it.
    sign_in(&driver, &base, "abe").await;
    driver.goto(format!("{base}/changes")).await.unwrap();
    shot(&driver, "changes").await;
    driver
        .find(By::Css("button.approve"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    driver
        .query(By::Css("article.change.approved"))
        .first()
        .await
        .unwrap();
    sign_out(&driver).await;

    // Public view shows it.
    driver
        .goto(format!("{base}/activities/act-kz-browser-ventilators"))
        .await
        .unwrap();
    let page = driver.source().await.unwrap();
    assert!(page.contains("ICU ventilator"), "{page}");
    shot(&driver, "public-activity").await;
    driver.quit().await.unwrap();
}
