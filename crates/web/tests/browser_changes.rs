//! Browser test of readable approval in headless Chromium: an editor proposes a disbursement
//! through the form, an approver sees the field-by-field comparison with the finding approval
//! would add (an overspend), approves it, and the flow is in the ledger. Screenshots go to
//! `target/tmp/screenshots/`.
//!
//! Needs `chromium` and `chromium-driver`. Without chromedriver the test is skipped with a note,
//! except when `CI=true`: then it fails.

#![allow(clippy::unwrap_used)]

mod common;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aidtrace_domain::{RecordId, RecordKind};
use thirtyfour::prelude::*;

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromedriver() -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("chromedriver"))
            .find(|p| p.is_file())
    })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn shot(driver: &WebDriver, name: &str) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    driver
        .screenshot(&dir.join(format!("{name}.png")))
        .await
        .unwrap();
}

async fn fill(driver: &WebDriver, id: &str, text: &str) {
    let el = driver.find(By::Id(id)).await.unwrap();
    el.clear().await.unwrap();
    el.send_keys(text).await.unwrap();
}

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

async fn click(driver: &WebDriver, by: By) {
    driver.find(by).await.unwrap().click().await.unwrap();
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
    let Some(chromedriver) = chromedriver() else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("chromedriver is not installed; CI must install chromium and chromium-driver");
        }
        eprintln!("note: skipping the browser test: chromedriver not found");
        return;
    };
    let env = common::env();
    let addr = common::spawn(env.state.clone()).await;
    let base = format!("http://{addr}");
    let port = free_port();
    let _driver_process = Driver(
        Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "chromedriver did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut caps = DesiredCapabilities::chrome();
    for arg in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,1000",
    ] {
        caps.add_arg(arg).unwrap();
    }
    let driver = WebDriver::new(format!("http://127.0.0.1:{port}"), caps)
        .await
        .unwrap();

    // The editor proposes a disbursement far above the activity's commitment.
    sign_in(&driver, &base, "eve").await;
    driver
        .goto(format!(
            "{base}/edit/flows/new?activity=act-kz-semey-equipment"
        ))
        .await
        .unwrap();
    fill(&driver, "f-id", "flow-browser-overspend").await;
    choose(&driver, "activity", "act-kz-semey-equipment").await;
    choose(&driver, "kind", "disbursement").await;
    fill(&driver, "f-money-amount", "500000000").await;
    fill(&driver, "f-money-currency", "JPY").await;
    choose(&driver, "provider", "org-gov-japan").await;
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
