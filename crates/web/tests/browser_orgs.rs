//! Browser test in headless Chromium through WebDriver: an admin uploads a small IATI file
//! whose publisher is "Japan - Ministry of Foreign Affairs" into the demo store, links that
//! unmatched publisher to the Government of Japan on the review page, and the dashboard's
//! totals by donor show one Japan. Screenshots go to `target/tmp/screenshots/`.
//!
//! Needs `chromium` and `chromium-driver` (Debian), as `browser.rs` does: skipped with a note
//! without chromedriver, failed under `CI=true`.

#![allow(clippy::unwrap_used)]

mod browser_kit;
mod common;

use browser_kit::{click, shot};
use thirtyfour::prelude::*;

const MOFA_FILE: &str = r#"<?xml version="1.0"?>
<iati-activities version="2.03">
 <iati-activity last-updated-datetime="2024-01-01T00:00:00Z" default-currency="JPY">
  <iati-identifier>JP-FA-BROWSER-1</iati-identifier>
  <reporting-org ref="JP-FA" type="10"><narrative>Japan - Ministry of Foreign Affairs</narrative></reporting-org>
  <title><narrative>Medical equipment for a regional hospital</narrative></title>
  <participating-org ref="JP-FA" role="1" type="10"><narrative>Japan - Ministry of Foreign Affairs</narrative></participating-org>
  <activity-status code="2"/>
  <activity-date type="1" iso-date="2024-01-01"/>
  <recipient-country code="KZ"/>
  <sector code="12191" vocabulary="1"/>
  <transaction><transaction-type code="2"/><transaction-date iso-date="2024-02-01"/><value value-date="2024-02-01">50000000</value><provider-org ref="JP-FA"><narrative>Japan - Ministry of Foreign Affairs</narrative></provider-org></transaction>
 </iati-activity>
</iati-activities>"#;

/// The donors of the dashboard's "by donor" table whose name mentions Japan.
async fn japanese_donors(driver: &WebDriver, base: &str) -> Vec<String> {
    driver.goto(base).await.unwrap();
    let mut names = Vec::new();
    for cell in driver
        .find_all(By::Css("#totals-donor tbody tr td:first-child"))
        .await
        .unwrap()
    {
        let name = cell.text().await.unwrap();
        if name.contains("Japan") && !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_links_an_imported_publisher_and_sees_one_japan() {
    let Some(browser) = browser_kit::start().await else {
        return;
    };
    let driver = browser.driver.clone();
    let env = common::env();
    let file = env.dir.path().join("japan-mofa.xml");
    std::fs::write(&file, MOFA_FILE).unwrap();
    let addr = common::spawn(env.state.clone()).await;
    let base = format!("http://{addr}");

    driver.goto(format!("{base}/login")).await.unwrap();
    driver
        .find(By::Id("name"))
        .await
        .unwrap()
        .send_keys("ada")
        .await
        .unwrap();
    driver
        .find(By::Id("password"))
        .await
        .unwrap()
        .send_keys(common::PASSWORD)
        .await
        .unwrap();
    click(&driver, By::Id("submit")).await;
    driver.query(By::Id("whoami")).first().await.unwrap();

    // The upload: the publisher is not in the ledger under that name or reference.
    driver.goto(format!("{base}/import")).await.unwrap();
    driver
        .find(By::Id("file"))
        .await
        .unwrap()
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    click(&driver, By::Id("import")).await;
    let Ok(result) = driver.query(By::Id("import-result")).first().await else {
        panic!("no import result: {}", driver.source().await.unwrap());
    };
    assert!(!result.text().await.unwrap().is_empty());
    let before = japanese_donors(&driver, &base).await;
    assert_eq!(before.len(), 2, "two Japans before: {before:?}");
    shot(&driver, "orgs-two-japans").await;

    // The review page lists it beside the organisations it may be.
    driver.goto(format!("{base}/organisations")).await.unwrap();
    click(&driver, By::Id("org-review-link")).await;
    let row = driver
        .query(By::Id("review-org-iati-JP-FA"))
        .first()
        .await
        .unwrap();
    assert!(
        row.text().await.unwrap().contains("Government of Japan"),
        "suggested: {}",
        row.text().await.unwrap()
    );
    shot(&driver, "orgs-review").await;
    let into = row.find(By::Css("input.into")).await.unwrap();
    into.clear().await.unwrap();
    into.send_keys("org-gov-japan").await.unwrap();
    row.find(By::Css("button.link"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // A merge cannot be undone: the page says what it does before it is done.
    click(&driver, By::Id("org-merge-confirmed")).await;
    let Ok(done) = driver.query(By::Id("org-done")).first().await else {
        panic!("no merge: {}", driver.source().await.unwrap());
    };
    assert!(
        done.text().await.unwrap().contains("org-gov-japan"),
        "{}",
        done.text().await.unwrap()
    );
    driver
        .query(By::Id("org-review-none"))
        .first()
        .await
        .unwrap();

    let after = japanese_donors(&driver, &base).await;
    assert_eq!(after, vec!["Government of Japan".to_string()]);
    shot(&driver, "orgs-one-japan").await;
    driver.quit().await.unwrap();
}

/// Past the inline limit the review page's type-ahead list is filled by the server as the admin
/// types (`tables.js` asks `/forms/suggest`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_merge_box_searches_a_long_list_of_organisations_as_the_admin_types() {
    let Some(browser) = browser_kit::start().await else {
        return;
    };
    let driver = browser.driver.clone();
    let env = common::env();
    let many: Vec<serde_json::Value> = (0..aidtrace_web::changes::forms::INLINE_LIMIT)
        .map(|i| {
            serde_json::json!({"record": "organisation", "id": format!("org-many-{i}"),
                "name": format!("Many {i}"), "kind": "ngo"})
        })
        .collect();
    {
        let mut service = env.state.service();
        service
            .load_json("test", &serde_json::Value::Array(many).to_string())
            .unwrap();
        service
            .import_iati(
                "importer",
                "japan-mofa.xml",
                || Ok(MOFA_FILE.as_bytes()),
                aidtrace_service::iati::ImportOptions::default(),
                &mut |_, _| {},
            )
            .unwrap();
    }
    env.state.invalidate();
    let addr = common::spawn(env.state.clone()).await;
    let base = format!("http://{addr}");
    browser_kit::sign_in(&driver, &base, "ada", common::PASSWORD).await;
    driver
        .goto(format!("{base}/organisations/review"))
        .await
        .unwrap();
    assert!(
        driver
            .find_all(By::Css("#org-choices option"))
            .await
            .unwrap()
            .is_empty(),
        "the long list is not sent with the page"
    );
    let into = driver.find(By::Css("input.into")).await.unwrap();
    into.send_keys("Government of").await.unwrap();
    let Ok(found) = driver
        .query(By::Css("#org-choices option[value='org-gov-japan']"))
        .first()
        .await
    else {
        panic!("no suggestion: {}", driver.source().await.unwrap());
    };
    assert_eq!(
        found.attr("value").await.unwrap().as_deref(),
        Some("org-gov-japan")
    );
}
