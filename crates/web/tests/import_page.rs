//! The IATI upload page over HTTP: validation for any signed-in user, import for admins only,
//! CSRF on the upload, nothing written on refusal.

mod common;

use axum::http::{Method, StatusCode};
use common::{Client, Req, env, login};

const XML: &str = r#"<?xml version="1.0"?>
<iati-activities version="2.03">
 <iati-activity last-updated-datetime="2024-01-01T00:00:00Z" default-currency="USD">
  <iati-identifier>XM-DAC-701-8-WEBTEST</iati-identifier>
  <reporting-org ref="XM-DAC-701-8" type="10"><narrative>JICA</narrative></reporting-org>
  <title><narrative>Uploaded through the web</narrative></title>
  <description><narrative>Test</narrative></description>
  <activity-status code="2"/>
  <activity-date type="1" iso-date="2024-01-01"/>
  <transaction><transaction-type code="3"/><transaction-date iso-date="2024-02-01"/><value value-date="2024-02-01">1000</value></transaction>
 </iati-activity>
</iati-activities>"#;

const BOUNDARY: &str = "aidtrace-test-boundary";

fn multipart(csrf: &str, action: &str, file: &str) -> Vec<u8> {
    multipart_bytes(csrf, action, "upload.xml", file.as_bytes())
}

fn multipart_bytes(csrf: &str, action: &str, name: &str, file: &[u8]) -> Vec<u8> {
    let mut body = String::new();
    for (field, value) in [("csrf", csrf), ("action", action)] {
        body.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/xml\r\n\r\n"
    ));
    let mut bytes = body.into_bytes();
    bytes.extend_from_slice(file);
    bytes.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    bytes
}

fn upload<'a>(cookie: &'a str, body: &'a [u8]) -> Req<'a> {
    Req::new(Method::POST, "/import")
        .cookie(cookie)
        .header(
            "content-type",
            &format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .raw(body)
}

#[tokio::test]
async fn upload_validates_for_viewers_and_imports_for_admins() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let anonymous = c.get("/import").await;
    assert_eq!(anonymous.status, StatusCode::OK);
    assert!(
        anonymous.body.contains("Sign in to upload"),
        "{}",
        anonymous.body
    );

    let before = e.record_count();
    let (vic, vic_csrf) = login(&c, "vic").await;
    let body = multipart(&vic_csrf, "validate", XML);
    let r = c.send(upload(&vic, &body)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Validation of upload.xml"), "{}", r.body);
    assert!(r.body.contains("id=\"layers\""));
    assert_eq!(e.record_count(), before, "validation writes nothing");

    let body = multipart(&vic_csrf, "import", XML);
    let r = c.send(upload(&vic, &body)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(e.record_count(), before, "a refused import writes nothing");

    let (ada, ada_csrf) = login(&c, "ada").await;
    let body = multipart("forged", "import", XML);
    let r = c.send(upload(&ada, &body)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "forged CSRF");
    assert_eq!(e.record_count(), before);

    let body = multipart(&ada_csrf, "import", XML);
    let r = c.send(upload(&ada, &body)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("accepted: 1,"), "{}", r.body);
    // The import's own read gives the validation report beside the outcome.
    assert!(r.body.contains("Validation of upload.xml"), "{}", r.body);
    assert!(r.body.contains("id=\"layers\""), "{}", r.body);
    assert!(e.record_count() > before, "the import wrote the activity");
    let page = c
        .send(Req::get("/activities/iati-XM-DAC-701-8-WEBTEST").cookie(&ada))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Uploaded through the web"));

    let broken = &XML[..XML.len() / 2];
    let after_import = e.record_count();
    let body = multipart(&ada_csrf, "import", broken);
    let r = c.send(upload(&ada, &body)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("not well-formed"), "{}", r.body);
    assert!(r.body.contains("id=\"not-well-formed\""), "{}", r.body);
    assert_eq!(
        e.record_count(),
        after_import,
        "a broken file imports nothing"
    );
}

/// A real published file of 1.78 MB: seven times the form body limit, which used to refuse it
/// with "Error parsing multipart/form-data request".
fn real_file() -> Option<(String, Vec<u8>)> {
    let path = common::shared()?.join("iati/real-data/dportal-covid-2021/dportal_0.xml");
    let bytes = std::fs::read(&path).expect("the real file reads");
    assert!(
        bytes.len() > 1_700_000,
        "{} is a large file",
        path.display()
    );
    Some(("dportal_0.xml".into(), bytes))
}

#[tokio::test]
async fn a_real_file_larger_than_the_form_limit_validates_over_a_socket() {
    let Some((name, file)) = real_file() else {
        return;
    };
    let e = env();
    let c = Client::Socket(common::spawn(e.state.clone()).await);
    let (vic, csrf) = login(&c, "vic").await;
    let body = multipart_bytes(&csrf, "validate", &name, &file);
    let r = c.send(upload(&vic, &body)).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        &r.body[..r.body.len().min(2000)]
    );
    assert!(r.body.contains("Validation of dportal_0.xml"));
}

#[tokio::test]
async fn a_real_file_imports_for_an_admin() {
    let Some((name, file)) = real_file() else {
        return;
    };
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let before = e.record_count();
    let (ada, csrf) = login(&c, "ada").await;
    let body = multipart_bytes(&csrf, "import", &name, &file);
    let r = c.send(upload(&ada, &body)).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        &r.body[..r.body.len().min(2000)]
    );
    assert!(
        r.body.contains("id=\"import-result\""),
        "{}",
        &r.body[..r.body.len().min(4000)]
    );
    assert!(
        e.record_count() > before + 10,
        "the file's activities were written"
    );
}

#[tokio::test]
async fn an_upload_over_the_limit_is_a_413_naming_the_limit_and_writes_nothing() {
    let e = common::env_with(aidtrace_web::WebConfig {
        secure_cookies: false,
        upload_limit: 1024 * 1024,
        ..aidtrace_web::WebConfig::default()
    });
    let c = Client::Socket(common::spawn(e.state.clone()).await);
    let before = e.record_count();
    let (ada, csrf) = login(&c, "ada").await;
    let big = format!("{XML}{}", " ".repeat(1024 * 1024 + 1));
    let body = multipart(&csrf, "import", &big);
    let r = c.send(upload(&ada, &body)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.body.contains("1 MiB"), "{}", r.body);
    assert_eq!(e.record_count(), before);
}

#[tokio::test]
async fn other_bodies_keep_the_small_limit() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let token = e.token("ada");
    let r = c
        .send(
            Req::new(Method::PUT, "/api/v1/sources/src-big")
                .bearer(&token)
                .raw(&vec![b' '; 300 * 1024]),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
}

/// Eight transactions with the same unknown transaction type, on lines 4 to 11.
fn repeated_findings() -> String {
    let mut doc = String::from(
        "<iati-activities version=\"2.03\">\n<iati-activity default-currency=\"USD\">\n<iati-identifier>XM-T-REPEAT</iati-identifier>\n",
    );
    for _ in 0..8 {
        doc.push_str("<transaction><transaction-type code=\"99\"/><transaction-date iso-date=\"2024-01-01\"/><value value-date=\"2024-01-01\">1</value></transaction>\n");
    }
    doc.push_str("</iati-activity>\n</iati-activities>\n");
    doc
}

fn transaction_type_rows(body: &str) -> Vec<&str> {
    body.split("<tr class=\"issue-group\">")
        .skip(1)
        .map(|row| row.split("</tr>").next().unwrap_or_default())
        .filter(|row| row.contains("TransactionType"))
        .collect()
}

#[tokio::test]
async fn the_report_groups_repeated_findings_with_count_and_first_lines() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let xml = repeated_findings();
    for (user, action) in [("vic", "validate"), ("ada", "import")] {
        let (cookie, csrf) = login(&c, user).await;
        let body = multipart(&csrf, action, &xml);
        let r = c.send(upload(&cookie, &body)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let rows = transaction_type_rows(&r.body);
        assert_eq!(
            rows.len(),
            1,
            "{action}: one row for eight findings: {}",
            r.body
        );
        assert!(
            rows[0].contains("<td class=\"count\">8</td>"),
            "{action}: {}",
            rows[0]
        );
        assert!(
            rows[0].contains("<td class=\"lines\">4, 5, 6, 7, 8, …</td>"),
            "{action}: {}",
            rows[0]
        );
    }
}
