//! Headless Chromium through chromedriver for browser tests: start both, sign in, wait. Every
//! browser test starts its session here.
//!
//! Without chromedriver a test is skipped with a note, except under `CI=true`: then it fails,
//! so CI cannot pass without running it.

#![allow(dead_code, clippy::unwrap_used)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

use thirtyfour::prelude::*;

/// chromedriver, killed and reaped when dropped (after the WebDriver session is closed).
pub struct Browser {
    pub driver: WebDriver,
    process: Child,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.process.kill();
        // Reaping avoids leaving chromedriver behind as a zombie.
        let _ = self.process.wait();
    }
}

fn chromedriver() -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("chromedriver"))
            .find(|p| p.is_file())
    })
}

/// A port for the next chromedriver of this process: taken in turn from a range below the
/// kernel's ephemeral ports (32768 and up), so neither another test's server (bound to port 0)
/// nor a parallel test thread of this binary is handed the same one between our choosing it and
/// chromedriver binding it. A browser test once failed with "error sending request for url
/// (…/session)" while several sessions started side by side.
fn next_port() -> u16 {
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let base = 12_000 + (std::process::id() % 200) as u16 * 40;
    let port = base + NEXT.fetch_add(1, Ordering::Relaxed) % 40;
    if TcpListener::bind(("127.0.0.1", port)).is_ok() {
        port
    } else {
        // Taken by something else on the machine: any free port will do.
        TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }
}

/// Starts chromedriver and a headless Chromium session; `None` (with a note) when chromedriver
/// is missing outside CI. A session that fails to start (chromedriver lost its port, Chromium
/// slow to come up on a loaded machine) is tried again on another port, twice at most.
pub async fn start() -> Option<Browser> {
    let Some(chromedriver) = chromedriver() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "chromedriver is not installed; CI must install chromium and chromium-driver"
        );
        eprintln!(
            "note: skipping the browser test: chromedriver not found (apt-get install chromium chromium-driver)"
        );
        return None;
    };
    let mut last_error = String::new();
    for _ in 0..3 {
        let port = next_port();
        let mut process = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        match WebDriver::new(format!("http://127.0.0.1:{port}"), capabilities()).await {
            Ok(driver) => return Some(Browser { driver, process }),
            Err(e) => {
                last_error = e.to_string();
                eprintln!("note: browser session on port {port} failed ({e}); trying again");
                let _ = process.kill();
                let _ = process.wait();
            }
        }
    }
    panic!("no browser session after three tries: {last_error}");
}

fn capabilities() -> thirtyfour::ChromeCapabilities {
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
    caps
}

pub async fn shot(driver: &WebDriver, name: &str) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    driver
        .screenshot(&dir.join(format!("{name}.png")))
        .await
        .unwrap();
}

pub async fn fill(driver: &WebDriver, id: &str, text: &str) {
    let el = match driver.find(By::Id(id)).await {
        Ok(el) => el,
        Err(_) => panic!(
            "no #{id} at {}",
            driver
                .current_url()
                .await
                .map_or_else(|e| e.to_string(), |u| u.to_string())
        ),
    };
    el.clear().await.unwrap();
    el.send_keys(text).await.unwrap();
}

pub async fn sign_in(driver: &WebDriver, base: &str, name: &str, password: &str) {
    driver.goto(format!("{base}/login")).await.unwrap();
    fill(driver, "name", name).await;
    fill(driver, "password", password).await;
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

/// Gives the page an inner width of `width` px; the window is a little wider than its viewport.
pub async fn set_width(driver: &WebDriver, width: u32) {
    driver.set_window_rect(0, 0, width, 900).await.unwrap();
    let inner: i64 = driver
        .execute("return window.innerWidth;", vec![])
        .await
        .unwrap()
        .convert()
        .unwrap();
    if inner != i64::from(width) {
        // The window frame takes what the viewport lacks.
        let adjusted = u32::try_from(2 * i64::from(width) - inner).unwrap();
        driver.set_window_rect(0, 0, adjusted, 900).await.unwrap();
    }
}

/// The page's scroll width beside the viewport's: wider means the page scrolls sideways.
pub async fn page_and_window_widths(driver: &WebDriver) -> (i64, i64) {
    driver
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            vec![],
        )
        .await
        .unwrap()
        .convert()
        .unwrap()
}

/// Waits up to `secs` until the page's address contains `needle`: after a form submits, the old
/// page stays in place until the new one arrives, so an element found too early goes stale.
pub async fn wait_for_url(driver: &WebDriver, needle: &str, secs: u64) {
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let url = driver.current_url().await.unwrap().to_string();
        if url.contains(needle) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "after {secs} s the address is still {url}, without {needle}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits up to `secs` for an element.
pub async fn wait_for(driver: &WebDriver, by: By, secs: u64) -> WebElement {
    driver
        .query(by)
        .wait(Duration::from_secs(secs), Duration::from_millis(200))
        .first()
        .await
        .unwrap()
}

/// Waits up to ten seconds for an element, scrolls to it and clicks it. A plain `find` right
/// after a click that loads a page races the page: it failed on CI when the next page was slow.
pub async fn click(driver: &WebDriver, by: By) {
    let element = wait_for(driver, by, 10).await;
    element.scroll_into_view().await.unwrap();
    element.click().await.unwrap();
}
