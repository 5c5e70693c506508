//! Browser test in headless Chromium: an admin uploads the real 1.78 MB `dportal_0.xml`, then
//! the zipped 98-file set, through `/import` with the progress script, and sees the grouped
//! report and the per-file summary; then opens the IATI export of an activity. Screenshots go to `target/tmp/screenshots/`.

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
    // Clicked from the page, so the driver does not wait for a navigation that the script
    // replaces with its own request.
    driver
        .execute("document.getElementById('import').click();", Vec::new())
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
async fn an_admin_uploads_real_files_and_opens_an_export() {
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

    // The export from an activity page: the preview offers the validated file, or says why
    // the activity was left out.
    driver
        .goto(format!("{base}/activities/act-kz-semey-equipment"))
        .await
        .unwrap();
    driver
        .find(By::Id("activity-iati"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let answer = wait_for(driver, By::Css("#iati-export-ready, #iati-left-out"), 60).await;
    if answer.id().await.unwrap().as_deref() == Some("iati-export-ready") {
        let href = driver
            .find(By::Id("iati-download"))
            .await
            .unwrap()
            .attr("href")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(href, "/export/iati.xml?activity=act-kz-semey-equipment");
    }
    shot(driver, "iati-export").await;
    driver.clone().quit().await.unwrap();
}
