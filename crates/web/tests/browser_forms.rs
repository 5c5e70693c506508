//! Browser test of the one-page activity form in headless Chromium: an editor enters an activity
//! with two countries, two sectors, a participant, a source, one flow and one equipment line,
//! sees the percentage sum update as typed, adds and removes a row in place, gets every error at
//! once on bad input, fixes them and submits one change, which an approver approves.
//!
//! Needs `chromium` and `chromedriver`; skipped with a note without them, failed under `CI=true`.

#![allow(clippy::unwrap_used)]

mod browser_kit;
mod common;

use browser_kit::{click, fill};
use thirtyfour::prelude::*;

async fn choose(driver: &WebDriver, name: &str, value: &str) {
    driver
        .find(By::Css(format!(
            "select[name='{name}'] option[value='{value}']"
        )))
        .await
        .unwrap_or_else(|_| panic!("no option {value} of {name}"))
        .click()
        .await
        .unwrap();
}

async fn sign_in(driver: &WebDriver, base: &str, name: &str) {
    driver.goto(format!("{base}/login")).await.unwrap();
    fill(driver, "name", name).await;
    fill(driver, "password", common::PASSWORD).await;
    click(driver, By::Css("#submit")).await;
    let who = driver.query(By::Id("whoami")).first().await.unwrap();
    assert!(who.text().await.unwrap().starts_with(name));
}

async fn text_of(driver: &WebDriver, id: &str) -> String {
    driver.find(By::Id(id)).await.unwrap().text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_activity_form_one_change() {
    let Some(browser) = browser_kit::start().await else {
        return;
    };
    let driver = browser.driver.clone();
    let env = common::env();
    let addr = common::spawn(env.state.clone()).await;
    let base = format!("http://{addr}");

    sign_in(&driver, &base, "eve").await;
    driver
        .goto(format!("{base}/forms/activities/new"))
        .await
        .unwrap();
    // Type-ahead on the long lists.
    let country = driver.find(By::Id("f-countries-0-country")).await.unwrap();
    assert_eq!(
        country.attr("list").await.unwrap().as_deref(),
        Some("dl-country")
    );
    assert!(
        driver
            .find_all(By::Css("datalist#dl-country option"))
            .await
            .unwrap()
            .len()
            > 200
    );

    fill(&driver, "f-title", "Browser ventilators").await;
    // The script shows the id the title will give.
    let id_hint = driver
        .find(By::Id("f-id"))
        .await
        .unwrap()
        .attr("placeholder")
        .await
        .unwrap();
    assert_eq!(id_hint.as_deref(), Some("act-browser-ventilators"));
    choose(&driver, "instrument", "grant_aid").await;
    choose(&driver, "status", "implementation").await;
    fill(&driver, "f-countries-0-country", "Kazakhstan").await;
    fill(&driver, "f-countries-0-percentage", "50").await;
    fill(&driver, "f-countries-1-country", "Atlantis").await;
    fill(&driver, "f-countries-1-percentage", "50").await;
    fill(&driver, "f-sectors-0-code", "12191").await;
    fill(&driver, "f-sectors-0-percentage", "70").await;
    fill(&driver, "f-sectors-1-code", "12230").await;
    fill(&driver, "f-sectors-1-percentage", "20").await;
    // The sum follows the typing.
    assert_eq!(text_of(&driver, "sum-sectors").await, "90");

    // A row is added and removed in place, without a round trip.
    click(&driver, By::Css("#add-regions")).await;
    assert_eq!(
        driver
            .find_all(By::Css("#group-regions .row"))
            .await
            .unwrap()
            .len(),
        2
    );
    click(
        &driver,
        By::Css("#group-regions .row[data-index='1'] .remove-row"),
    )
    .await;
    assert_eq!(
        driver
            .find_all(By::Css("#group-regions .row"))
            .await
            .unwrap()
            .len(),
        1
    );

    fill(&driver, "f-participants-0-org", "org-embassy-japan-kz").await;
    choose(&driver, "participants[0].role", "funding").await;
    fill(&driver, "f-sources-0-quote", "Japan provides ventilators").await;
    fill(&driver, "f-new_source-title", "Embassy note on ventilators").await;
    choose(&driver, "flows[0].kind", "commitment").await;
    fill(&driver, "f-flows-0-money-amount", "0").await;
    fill(&driver, "f-flows-0-money-currency", "yen").await;
    fill(
        &driver,
        "f-flows-0-quote",
        "ventilators worth 20 million yen",
    )
    .await;
    fill(&driver, "f-equipment-0-description", "ICU ventilator").await;
    choose(&driver, "equipment[0].category", "intensive_care").await;
    fill(&driver, "f-equipment-0-quantity", "four").await;
    click(&driver, By::Css("#submit-approval")).await;

    // Every problem at once, beside its field.
    let Ok(list) = driver.query(By::Id("form-errors")).first().await else {
        panic!("no error list: {}", driver.source().await.unwrap());
    };
    assert!(list.text().await.unwrap().contains('4'));
    for id in [
        "err-countries-1-country",
        "err-sectors-percentage",
        "err-flows-0-money-amount",
        "err-equipment-0-quantity",
    ] {
        assert!(driver.find(By::Id(id)).await.is_ok(), "no {id}");
    }
    assert!(
        text_of(&driver, "err-sectors-percentage")
            .await
            .contains("100")
    );

    fill(&driver, "f-countries-1-country", "kg").await;
    fill(&driver, "f-sectors-1-percentage", "30").await;
    assert_eq!(text_of(&driver, "sum-sectors").await, "100");
    fill(&driver, "f-flows-0-money-amount", "20000000").await;
    fill(&driver, "f-equipment-0-quantity", "4").await;
    click(&driver, By::Css("#submit-approval")).await;
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

    // One change holds all four records; the approver approves it once.
    let before = env.record_count();
    driver
        .find(By::Css("header form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // Wait for the signed-out page: going to /login before the sign-out's redirect lands let
    // the redirect replace the login page.
    driver.query(By::Id("signin")).first().await.unwrap();
    sign_in(&driver, &base, "abe").await;
    driver.goto(format!("{base}/changes")).await.unwrap();
    click(&driver, By::Css("button.approve")).await;
    driver
        .query(By::Css("article.change.approved"))
        .first()
        .await
        .unwrap();
    assert_eq!(env.record_count(), before + 4);
    let ledger = env.state.service().ledger().unwrap();
    let act = ledger
        .activities
        .values()
        .find(|a| a.id.as_str() == "act-browser-ventilators")
        .unwrap();
    assert_eq!(act.countries.len(), 2);
    assert_eq!(act.sectors.len(), 2);
    driver.quit().await.unwrap();
}
