//! `/import` with several files and zip archives: the whole real 98-file set as one zip, a
//! multi-file upload, and bad input (not XML or zip, a member outside the archive's root, a
//! zip bomb, an upload too large once unpacked), each refused with a message naming the file
//! and nothing written.

#![allow(clippy::unwrap_used)]

mod common;
mod upload_kit;

use axum::http::{Method, StatusCode};
use common::{Client, Req, env, login};

fn activity(id: &str, title: &str) -> String {
    format!(
        r#"<?xml version="1.0"?>
<iati-activities version="2.03">
 <iati-activity last-updated-datetime="2024-01-01T00:00:00Z" default-currency="USD">
  <iati-identifier>{id}</iati-identifier>
  <reporting-org ref="XM-DAC-701-8" type="10"><narrative>JICA</narrative></reporting-org>
  <title><narrative>{title}</narrative></title>
  <description><narrative>Test</narrative></description>
  <activity-status code="2"/>
  <activity-date type="1" iso-date="2024-01-01"/>
  <transaction><transaction-type code="3"/><transaction-date iso-date="2024-02-01"/><value value-date="2024-02-01">1000</value></transaction>
 </iati-activity>
</iati-activities>"#
    )
}

fn post<'a>(cookie: &'a str, body: &'a [u8]) -> Req<'a> {
    Req::new(Method::POST, "/import")
        .cookie(cookie)
        .header("content-type", &upload_kit::import_form_type())
        .raw(body)
}

fn head(body: &str) -> &str {
    &body[..body.len().min(3000)]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_zipped_real_set_imports_with_a_summary_per_file() {
    let Some((_tmp, zip_path, count)) = upload_kit::real_set_zip() else {
        return;
    };
    let zip = std::fs::read(&zip_path).unwrap();
    let e = env();
    let c = Client::Socket(common::spawn(e.state.clone()).await);
    let before = e.record_count();
    let (ada, csrf) = login(&c, "ada").await;
    let body = upload_kit::import_form(&csrf, "import", &[("dportal-covid-2021.zip", &zip)]);
    let started = std::time::Instant::now();
    let r = c.send(post(&ada, &body)).await;
    eprintln!(
        "98 files ({} MB zipped) uploaded and imported in {:.1?}",
        zip.len() / 1_000_000,
        started.elapsed()
    );
    assert_eq!(r.status, StatusCode::OK, "{}", head(&r.body));
    assert!(
        r.body.contains(&format!("Validation of {count} files")),
        "{}",
        head(&r.body)
    );
    assert!(r.body.contains("id=\"layers\""));
    assert!(
        r.body.contains("id=\"issues-total\""),
        "grouped over all files"
    );
    // A file the service refuses is not called malformed.
    assert!(!r.body.contains("id=\"not-well-formed\""));
    let rows = r.body.matches("<tr class=\"file-outcome").count();
    assert_eq!(rows, count, "one summary row per file");
    assert!(
        r.body
            .contains("dportal-covid-2021.zip/dportal-covid-2021/dportal_0.xml")
    );
    assert!(r.body.contains("id=\"import-summary\""));
    assert!(
        e.record_count() > before + 9000,
        "the set's activities were written"
    );
}

#[tokio::test]
async fn several_files_at_once_validate_and_import_each() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let one = activity("XM-DAC-701-8-MULTI-1", "First of two");
    let two = activity("XM-DAC-701-8-MULTI-2", "Second of two");
    let files: &[(&str, &[u8])] = &[("one.xml", one.as_bytes()), ("two.xml", two.as_bytes())];

    let before = e.record_count();
    let (vic, vic_csrf) = login(&c, "vic").await;
    let r = c
        .send(post(
            &vic,
            &upload_kit::import_form(&vic_csrf, "validate", files),
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", head(&r.body));
    assert!(
        r.body.contains("Validation of 2 files"),
        "{}",
        head(&r.body)
    );
    assert!(r.body.contains("Validation of one.xml") && r.body.contains("Validation of two.xml"));
    assert!(
        !r.body.contains("id=\"import-summary\""),
        "a viewer sees the report only"
    );
    assert_eq!(e.record_count(), before, "validation writes nothing");

    let (ada, csrf) = login(&c, "ada").await;
    let r = c
        .send(post(&ada, &upload_kit::import_form(&csrf, "import", files)))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", head(&r.body));
    assert_eq!(
        r.body.matches("<tr class=\"file-outcome\"").count(),
        2,
        "{}",
        r.body
    );
    assert!(r.body.contains("accepted: 2,"), "{}", r.body);
    for id in ["iati-XM-DAC-701-8-MULTI-1", "iati-XM-DAC-701-8-MULTI-2"] {
        let page = c
            .send(Req::get(&format!("/activities/{id}")).cookie(&ada))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{id}");
    }

    // Again: nothing new, each file's records counted as unchanged.
    let after = e.record_count();
    let r = c
        .send(post(&ada, &upload_kit::import_form(&csrf, "import", files)))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(e.record_count(), after, "a second import is idempotent");
    assert!(
        !r.body.contains("<td class=\"unchanged\">0</td>"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn a_zip_with_xml_and_other_members_imports_the_xml_and_lists_the_rest() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let xml = activity("XM-DAC-701-8-ZIPPED", "Zipped");
    let zip = upload_kit::zip_of(&[
        ("set/a.xml", xml.as_bytes()),
        ("set/readme.pdf", b"%PDF-1.7 not xml"),
    ]);
    let (ada, csrf) = login(&c, "ada").await;
    let r = c
        .send(post(
            &ada,
            &upload_kit::import_form(&csrf, "import", &[("set.zip", &zip)]),
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", head(&r.body));
    assert!(
        r.body.contains("Validation of set.zip/set/a.xml"),
        "{}",
        r.body
    );
    assert!(r.body.contains("id=\"skipped\""), "{}", r.body);
    assert!(r.body.contains("set.zip/set/readme.pdf"), "{}", r.body);
    assert!(r.body.contains("accepted: 1,"), "{}", r.body);
}

/// Posts `files` as admin import and expects a refusal naming `names`, with nothing written.
async fn refused(files: &[(&str, &[u8])], status: StatusCode, names: &[&str]) {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let before = e.record_count();
    let (ada, csrf) = login(&c, "ada").await;
    let r = c
        .send(post(&ada, &upload_kit::import_form(&csrf, "import", files)))
        .await;
    assert_eq!(r.status, status, "{}", head(&r.body));
    for n in names {
        assert!(r.body.contains(n), "{n} not named: {}", head(&r.body));
    }
    assert_eq!(e.record_count(), before, "nothing written");
}

#[tokio::test]
async fn an_upload_neither_xml_nor_zip_is_refused_naming_the_file() {
    let xml = activity("XM-DAC-701-8-NEVER", "Never");
    refused(
        &[
            ("good.xml", xml.as_bytes()),
            ("scan.pdf", b"%PDF-1.7\n%binary"),
        ],
        StatusCode::BAD_REQUEST,
        &["scan.pdf", "neither an XML file nor a zip archive"],
    )
    .await;
}

#[tokio::test]
async fn a_refused_upload_is_said_above_the_form_to_choose_another() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (ada, csrf) = login(&c, "ada").await;
    let r = c
        .send(post(
            &ada,
            &upload_kit::import_form(&csrf, "validate", &[("scan.pdf", b"%PDF-1.7\n")]),
        ))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let error = r.body.find("id=\"import-error\"").expect("the refusal");
    assert!(r.body[error..].contains("scan.pdf"), "{}", head(&r.body));
    assert!(
        r.body[error..].contains("type=\"file\""),
        "the form follows the refusal: {}",
        head(&r.body)
    );
}

/// A zip holding a sound member and one named `member` is refused whole, naming the archive,
/// the member and why.
async fn refused_for_its_member_path(archive: &str, member: &str) {
    let xml = activity("XM-DAC-701-8-ESCAPE", "Escape");
    let zip = upload_kit::zip_of(&[("ok.xml", xml.as_bytes()), (member, xml.as_bytes())]);
    refused(
        &[(archive, &zip)],
        StatusCode::BAD_REQUEST,
        &[archive, member, "outside its root"],
    )
    .await;
}

#[tokio::test]
async fn a_zip_with_a_path_outside_its_root_is_refused() {
    refused_for_its_member_path("evil.zip", "../escape.xml").await;
}

#[tokio::test]
async fn a_zip_with_an_absolute_path_is_refused() {
    refused_for_its_member_path("rooted.zip", "/tmp/rooted.xml").await;
}

#[tokio::test]
async fn a_zip_with_a_drive_path_is_refused() {
    refused_for_its_member_path("drive.zip", "C:/data/drive.xml").await;
}

#[tokio::test]
async fn a_zip_bomb_is_refused_by_its_ratio() {
    // 20 MB of one repeated byte deflates to some twenty kilobytes: a ratio near 1,000.
    let mut bomb = b"<iati-activities>".to_vec();
    bomb.resize(20 * 1024 * 1024, b' ');
    let zip = upload_kit::zip_of(&[("bomb.xml", &bomb)]);
    assert!(zip.len() < 200 * 1024, "{} bytes", zip.len());
    refused(
        &[("bomb.zip", &zip)],
        StatusCode::BAD_REQUEST,
        &["bomb.zip/bomb.xml", "100 times"],
    )
    .await;
}

#[tokio::test]
async fn a_zip_larger_than_the_limit_once_unpacked_is_a_413_naming_the_limit() {
    let e = common::env_with(aidtrace_web::WebConfig {
        secure_cookies: false,
        upload_limit: 1024 * 1024,
        ..aidtrace_web::WebConfig::default()
    });
    let c = Client::InProcess(e.state.clone());
    let before = e.record_count();
    // Three members of 600 KB of ordinary text each: a sound ratio, too large together.
    let text: Vec<u8> = (0..600_000u32)
        .map(|i| {
            b"<abcdefghijklmnopqrstuvwxyz0123456789>"[(i.wrapping_mul(2_654_435_761) % 38) as usize]
        })
        .collect();
    let zip = upload_kit::zip_of(&[("a.xml", &text), ("b.xml", &text), ("c.xml", &text)]);
    assert!(
        zip.len() < 1024 * 1024,
        "the archive itself is within the limit"
    );
    let (ada, csrf) = login(&c, "ada").await;
    let r = c
        .send(post(
            &ada,
            &upload_kit::import_form(&csrf, "import", &[("big.zip", &zip)]),
        ))
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", head(&r.body));
    assert!(r.body.contains("1 MiB"), "{}", head(&r.body));
    assert_eq!(e.record_count(), before);
}

/// One small file to validate, as `vic` (a viewer) sends it.
fn one_file(csrf: &str) -> Vec<u8> {
    let one = activity("XM-DAC-701-8-SLOT-1", "Held up");
    upload_kit::import_form(csrf, "validate", &[("one.xml", one.as_bytes())])
}

#[tokio::test]
async fn an_accounts_second_upload_waits_for_its_first() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (vic, csrf) = login(&c, "vic").await;
    let body = one_file(&csrf);
    let first = e.state.upload_slots.try_take("vic").unwrap();

    let r = c.send(post(&vic, &body)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", head(&r.body));
    assert_eq!(r.header("retry-after"), "30");
    assert!(
        r.body.contains("An upload of yours is still being checked"),
        "{}",
        head(&r.body)
    );
    let uk = c
        .send(post(&format!("{vic}; aidtrace_lang=uk"), &body))
        .await;
    assert_eq!(uk.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        uk.body
            .contains("Ваше попереднє завантаження ще перевіряється"),
        "in the reader's language: {}",
        head(&uk.body)
    );

    drop(first);
    let r = c.send(post(&vic, &body)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", head(&r.body));
    assert!(
        e.state.upload_slots.try_take("vic").is_ok(),
        "the slot is free once the report is sent"
    );
}

#[tokio::test]
async fn uploads_beyond_the_servers_limit_are_refused_at_once() {
    let e = common::env_with(aidtrace_web::WebConfig {
        secure_cookies: false,
        max_concurrent_uploads: 1,
        ..aidtrace_web::WebConfig::default()
    });
    let c = Client::InProcess(e.state.clone());
    let (vic, csrf) = login(&c, "vic").await;
    let mut ada_busy = e.state.upload_slots.try_take("ada").unwrap();
    e.state.upload_slots.start_checking(&mut ada_busy).unwrap();

    let r = c.send(post(&vic, &one_file(&csrf))).await;
    assert_eq!(
        r.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        head(&r.body)
    );
    assert_eq!(r.header("retry-after"), "30");
    assert!(
        r.body.contains("Try again in a minute"),
        "{}",
        head(&r.body)
    );

    drop(ada_busy);
    let r = c.send(post(&vic, &one_file(&csrf))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", head(&r.body));
}

#[tokio::test]
async fn more_files_than_one_upload_holds_are_refused_naming_the_limit() {
    let tiny = activity("XM-DAC-701-8-MANY", "Many");
    let names: Vec<String> = (0..=1_000).map(|i| format!("p{i}.xml")).collect();
    let files: Vec<(&str, &[u8])> = names
        .iter()
        .map(|n| (n.as_str(), tiny.as_bytes()))
        .collect();
    refused(
        &files,
        StatusCode::PAYLOAD_TOO_LARGE,
        &["at most 1,000 files in one upload", "zip"],
    )
    .await;
}

#[tokio::test]
async fn a_plain_field_of_a_megabyte_is_refused_without_being_held() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (ada, _) = login(&c, "ada").await;
    let huge = "x".repeat(1024 * 1024);
    let xml = activity("XM-DAC-701-8-CSRF", "Csrf");
    let r = c
        .send(post(
            &ada,
            &upload_kit::import_form(&huge, "import", &[("a.xml", xml.as_bytes())]),
        ))
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", head(&r.body));
    assert!(r.body.contains("csrf"), "{}", head(&r.body));
}
