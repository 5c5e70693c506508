//! Browser test of readable approval in headless Chromium: an editor proposes a disbursement
//! through the form, an approver sees the field-by-field comparison with the finding approval
//! would add (an overspend), approves it, and the flow is in the ledger. Screenshots go to
//! `target/tmp/screenshots/`.
//!
//! Needs `chromium` and `chromium-driver`. Without chromedriver the test is skipped with a note,
//! except when `CI=true`: then it fails.

#![allow(clippy::unwrap_used)]

mod browser_kit;
mod common;

use aidtrace_domain::{RecordId, RecordKind};
use browser_kit::{click, fill, set_width, shot};
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
    click(driver, By::Id("submit")).await;
    driver.query(By::Id("whoami")).first().await.unwrap();
}

async fn sign_out(driver: &WebDriver) {
    click(driver, By::Css("header form button")).await;
    driver.query(By::Id("signin")).first().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approver_reads_the_comparison_and_the_finding_preview_then_approves() {
    let Some(browser) = browser_kit::start().await else {
        return;
    };
    let driver = browser.driver.clone();
    let env = common::env();
    let addr = common::spawn(env.state.clone()).await;
    let base = format!("http://{addr}");

    // The editor proposes a disbursement far above the activity's commitment.
    sign_in(&driver, &base, "eve").await;
    driver
        .goto(format!(
            "{base}/forms/flows/new?activity=act-kz-semey-equipment"
        ))
        .await
        .unwrap();
    fill(&driver, "f-id", "flow-browser-overspend").await;
    choose(&driver, "kind", "disbursement").await;
    fill(&driver, "f-money-amount", "500000000").await;
    fill(&driver, "f-money-currency", "JPY").await;
    fill(&driver, "f-provider", "org-gov-japan").await;
    fill(&driver, "f-sources-0-source", "src-kz-semey-grant").await;
    fill(&driver, "f-sources-0-quote", "a further 500 million yen").await;
    click(&driver, By::Id("submit-approval")).await;
    driver
        .query(By::Css("article.change.submitted"))
        .first()
        .await
        .unwrap();
    sign_out(&driver).await;

    // The approver reads the comparison and the preview.
    sign_in(&driver, &base, "abe").await;
    driver.goto(format!("{base}/changes")).await.unwrap();
    let article = driver
        .query(By::Css("article.change.submitted"))
        .first()
        .await
        .unwrap();
    let section = article
        .find(By::Css("section.record-diff.added"))
        .await
        .unwrap();
    assert_eq!(
        section.attr("data-id").await.unwrap().as_deref(),
        Some("flow-browser-overspend")
    );
    let money = section
        .find(By::Css("tr[data-field='money'] td.after"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(money.contains("500,000,000 JPY"), "{money}");
    let label = section
        .find(By::Css("tr[data-field='money'] th"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(label, "Amount");
    let finding = article
        .find(By::Css(
            "ul.findings.added li[data-rule='LEDGER-OVERSPENT']",
        ))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(finding.contains("act-kz-semey-equipment"), "{finding}");
    let who = article
        .find(By::Css(".who"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(who.contains("proposed by eve"), "{who}");
    assert!(!who.contains("decided by"), "{who}");
    shot(&driver, "changes-review").await;

    let (right, width): (f64, f64) = driver
        .execute(
            "const cells = [...document.querySelectorAll('table.diff td.after')];
             return [Math.max(...cells.map(c => c.getBoundingClientRect().right)),
                     document.documentElement.clientWidth];",
            vec![],
        )
        .await
        .unwrap()
        .convert()
        .unwrap();
    assert!(
        right <= width,
        "the proposed column ends at {right} px of {width}"
    );
    shot(&driver, "changes-review-390").await;
    set_width(&driver, 1400).await;
    driver.goto(format!("{base}/changes")).await.unwrap();

    click(&driver, By::Css("article.change.submitted button.approve")).await;
    let decided = driver
        .query(By::Css("article.change.approved"))
        .first()
        .await
        .unwrap();
    let who = decided
        .find(By::Css(".who"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(who.contains("decided by abe"), "{who}");
    driver.quit().await.unwrap();

    let stored = env
        .state
        .service()
        .store()
        .get(
            RecordKind::Flow,
            &RecordId::parse("flow-browser-overspend").unwrap(),
        )
        .unwrap();
    assert!(stored.is_some(), "approved flow is in the ledger");
}

/// On a phone the comparison's proposed column is on the screen: a changed activity whose new
/// purpose holds a long unbroken token (a reference number, an address) kept the table wider
/// than the phone, its proposed column scrolled off inside the table (found by a user walk).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approver_on_a_phone_sees_the_proposed_column() {
    let Some(browser) = browser_kit::start().await else {
        return;
    };
    let driver = browser.driver.clone();
    let env = common::env();
    let addr = common::spawn(env.state.clone()).await;
    let base = format!("http://{addr}");
    let api = common::Client::Socket(addr);
    let path = "/api/v1/activities/act-kz-semey-equipment";
    let read = api.get(path).await;
    let etag = read.header("etag");
    let mut activity = read.json();
    activity["record"] = "activity".into();
    activity["purpose"] = format!(
        "Equip the hospital; procurement reference {}",
        "JICAKZ2025SEMEY".repeat(5)
    )
    .into();
    let r = api
        .send(
            common::Req::new(axum::http::Method::PUT, path)
                .bearer(&env.token("eve"))
                .header("if-match", &etag)
                .json(&activity),
        )
        .await;
    assert_eq!(r.status, axum::http::StatusCode::ACCEPTED, "{}", r.body);

    sign_in(&driver, &base, "abe").await;
    set_width(&driver, 390).await;
    driver.goto(format!("{base}/changes")).await.unwrap();
    driver
        .query(By::Css("tr[data-field='purpose'] td.after"))
        .first()
        .await
        .unwrap();
    let (right, width): (f64, f64) = driver
        .execute(
            "const cells = [...document.querySelectorAll('table.diff td.after')];
             return [Math.max(...cells.map(c => c.getBoundingClientRect().right)),
                     document.documentElement.clientWidth];",
            vec![],
        )
        .await
        .unwrap()
        .convert()
        .unwrap();
    shot(&driver, "changes-review-390").await;
    assert!(
        right <= width,
        "the proposed column ends at {right} px of {width}"
    );
    driver.quit().await.unwrap();
}
