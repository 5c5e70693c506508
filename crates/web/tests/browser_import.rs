//! Browser test in headless Chromium: an admin uploads the real 1.78 MB `dportal_0.xml`, then
//! the zipped 98-file set, through `/import` with the progress script, and sees the grouped
//! report and the per-file summary; then downloads the IATI export of the filtered activity
//! list. Screenshots go to `target/tmp/screenshots/`.

#![allow(clippy::unwrap_used)]

mod browser_kit;
mod common;
mod upload_kit;

use thirtyfour::prelude::*;

use browser_kit::{shot, wait_for};

/// Chooses `path` in the file input and presses the import button; returns the report page.
async fn upload(driver: &WebDriver, base: &str, path: &std::path::Path) -> String {
    driver.goto(format!("{base}/import")).await.unwrap();
    driver
        .find(By::Id("file"))
        .await
        .unwrap()
        .send_keys(path.to_string_lossy())
        .await
        .unwrap();
    driver
        .find(By::Id("import"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The script shows the bar while the bytes go, then puts the answer in place of the page.
    wait_for(
        driver,
        By::Css("body[data-upload='xhr'] #import-summary"),
        600,
    )
    .await;
    driver.source().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_uploads_real_files_and_downloads_an_export() {
    let (Some(one), Some((_tmp, set, count))) =
        (upload_kit::real_file(), upload_kit::real_set_zip())
    else {
        return;
    };
    let Some(browser) = browser_kit::start().await else {
        return;
    };
    let driver = &browser.driver;
    let env = common::env();
    let base = format!("http://{}", common::spawn(env.state.clone()).await);
    browser_kit::sign_in(driver, &base, "ada", common::PASSWORD).await;

    let page = upload(driver, &base, &one).await;
    assert!(page.contains("Validation of dportal_0.xml"), "{page}");
    assert!(page.contains("id=\"layers\""));
    assert!(page.contains("class=\"issue-group\""), "grouped findings");
    assert_eq!(page.matches("<tr class=\"file-outcome").count(), 1);
    shot(driver, "import-one-file").await;

    let page = upload(driver, &base, &set).await;
    assert!(
        page.contains(&format!("Validation of {count} files")),
        "{}",
        &page[..page.len().min(3000)]
    );
    assert!(page.contains("id=\"issues-total\""));
    assert_eq!(page.matches("<tr class=\"file-outcome").count(), count);
    shot(driver, "import-zipped-set").await;

    // The export of a filtered list: the preview, then the link to the validated file.
    driver
        .goto(format!("{base}/activities?q=covid"))
        .await
        .unwrap();
    driver
        .find(By::Id("activities-iati"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let ready = wait_for(driver, By::Id("iati-export-ready"), 120).await;
    let n: usize = ready
        .attr("data-count")
        .await
        .unwrap()
        .unwrap()
        .parse()
        .unwrap();
    assert!(n > 0);
    shot(driver, "iati-export").await;
    let href = driver
        .find(By::Id("iati-download"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert!(href.starts_with("/export/iati.xml?q=covid"), "{href}");
    driver.clone().quit().await.unwrap();
}
