//! The packing-list upload over HTTP on the demo (XLSX written in the test with
//! rust_xlsxwriter): a preview with every line's findings that writes nothing, the save that
//! replaces the undecided consignment's packing list, refusals by line and field in the reader's
//! language, the FHIR downloads, and a consignment's in-kind value on its activity's page and the
//! dashboard.

#![allow(clippy::unwrap_used)]

mod common;

use aidtrace_domain::medicines::DecisionOutcome;
use aidtrace_domain::{Record, RecordId};
use aidtrace_service::medicines;
use axum::http::{Method, StatusCode};
use common::{Client, Env, Req, login};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

const CONSIGNMENT: &str = "con-illustrative-ua-2026-01";
const AMOXICILLIN: &str = "med-illustrative-amoxicillin-500";
const ACTIVITY: &str = "act-ua-japan-health";
const BOUNDARY: &str = "aidtrace-packing-boundary";

fn id(s: &str) -> RecordId {
    RecordId::parse(s).unwrap()
}

async fn http(env: &Env) -> Client {
    Client::Socket(common::spawn(env.state.clone()).await)
}

/// A workbook of amoxicillin lines, one per (lot, quantity), expiring 2029-05-31.
fn workbook(columns: &[&str], lines: &[(&str, f64)]) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, name) in columns.iter().enumerate() {
        sheet.write_string(0, c as u16, *name).unwrap();
    }
    let expiry = ExcelDateTime::from_ymd(2029, 5, 31).unwrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (r, (lot, quantity)) in lines.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, AMOXICILLIN).unwrap();
        sheet.write_number(r, 1, *quantity).unwrap();
        sheet.write_string(r, 2, *lot).unwrap();
        sheet
            .write_datetime_with_format(r, 3, &expiry, &date)
            .unwrap();
        sheet.write_string(r, 4, "uk").unwrap();
    }
    book.save_to_buffer().unwrap()
}

fn good_workbook() -> Vec<u8> {
    workbook(
        &["product", "quantity", "lot", "expiry", "label_languages"],
        &[("UP1", 100.0), ("UP2", 200.0)],
    )
}

fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut bytes = Vec::new();
    for (field, value) in fields {
        bytes.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((name, content)) = file {
        bytes.extend_from_slice(format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        bytes.extend_from_slice(content);
        bytes.extend_from_slice(b"\r\n");
    }
    bytes.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    bytes
}

fn post<'a>(cookie: &'a str, body: &'a [u8]) -> Req<'a> {
    Req::new(Method::POST, "/medicines/packing")
        .cookie(cookie)
        .header(
            "content-type",
            &format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .raw(body)
}

/// The value of the hidden input `name` of a page, unescaped as a browser would.
fn hidden(html: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    let at = html.find(&key).unwrap_or_else(|| panic!("no {name}")) + key.len();
    html[at..]
        .split('"')
        .next()
        .unwrap()
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn lines_of(env: &Env) -> usize {
    env.with_service(|app| {
        app.ledger().unwrap().consignments[&id(CONSIGNMENT)]
            .lines
            .len()
    })
}

async fn preview(c: &Client, cookie: &str, csrf: &str, file: &[u8], name: &str) -> common::Resp {
    let body = multipart(
        &[
            ("csrf", csrf),
            ("consignment", CONSIGNMENT),
            ("action", "preview"),
        ],
        Some((name, file)),
    );
    c.send(post(cookie, &body)).await
}

#[tokio::test]
async fn a_preview_shows_the_lines_with_their_checks_and_writes_nothing() {
    let env = common::env();
    let c = http(&env).await;
    let (ada, csrf) = login(&c, "ada").await;
    let r = preview(&c, &ada, &csrf, &good_workbook(), "list.xlsx").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("id=\"packing-preview-lines\""),
        "{}",
        r.body
    );
    assert!(r.body.contains("UP1") && r.body.contains("UP2"));
    assert!(
        r.body.contains("2 lines read, nothing saved yet"),
        "{}",
        r.body
    );
    assert_eq!(lines_of(&env), 5, "the preview wrote nothing");
}

#[tokio::test]
async fn saving_the_preview_replaces_the_packing_list() {
    let env = common::env();
    let c = http(&env).await;
    let (ada, csrf) = login(&c, "ada").await;
    let shown = preview(&c, &ada, &csrf, &good_workbook(), "list.xlsx").await;
    let lines = hidden(&shown.body, "lines");
    let etag = hidden(&shown.body, "etag");
    let body = multipart(
        &[
            ("csrf", &csrf),
            ("consignment", CONSIGNMENT),
            ("action", "save"),
            ("etag", &etag),
            ("lines", &lines),
        ],
        None,
    );
    let r = c.send(post(&ada, &body)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("id=\"packing-saved\""), "{}", r.body);
    assert_eq!(lines_of(&env), 2);
}

#[tokio::test]
async fn a_save_over_a_consignment_changed_since_the_preview_is_refused() {
    let env = common::env();
    let c = http(&env).await;
    let (ada, csrf) = login(&c, "ada").await;
    let shown = preview(&c, &ada, &csrf, &good_workbook(), "list.xlsx").await;
    env.with_service(|app| {
        let mut con = app.ledger().unwrap().consignments[&id(CONSIGNMENT)].clone();
        con.request_reference = Some("changed meanwhile".into());
        app.put("test", vec![Record::Consignment(con)]).unwrap();
    });
    let body = multipart(
        &[
            ("csrf", &csrf),
            ("consignment", CONSIGNMENT),
            ("action", "save"),
            ("etag", &hidden(&shown.body, "etag")),
            ("lines", &hidden(&shown.body, "lines")),
        ],
        None,
    );
    let r = c.send(post(&ada, &body)).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{}", r.body);
    assert_eq!(lines_of(&env), 5);
}

#[tokio::test]
async fn a_bad_file_is_refused_line_by_line_in_the_readers_language() {
    let env = common::env();
    let c = http(&env).await;
    let (ada, csrf) = login(&c, "ada").await;
    let bad = workbook(
        &["product", "quantity", "lot", "expiry", "label_languages"],
        &[("OK1", 10.0), ("ZERO", 0.0)],
    );
    let body = multipart(
        &[
            ("csrf", &csrf),
            ("consignment", CONSIGNMENT),
            ("action", "preview"),
        ],
        Some(("list.xlsx", &bad)),
    );
    let cookie = format!("{ada}; aidtrace_lang=uk");
    let r = c.send(post(&cookie, &body)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let errors = &r.body[r.body.find("id=\"packing-errors\"").unwrap()..];
    assert!(errors.contains("data-code=\"quantity\""), "{errors}");
    assert!(errors.contains("<td class=\"num\">2</td>"), "{errors}");
    assert!(errors.contains("Кількість — ціле число"), "{errors}");
    assert!(r.body.contains("Файл відхилено"), "{}", r.body);
    assert_eq!(lines_of(&env), 5);
}

#[tokio::test]
async fn unknown_columns_are_named() {
    let env = common::env();
    let c = http(&env).await;
    let (ada, csrf) = login(&c, "ada").await;
    let csv = format!("product,quantity,colour\n{AMOXICILLIN},1,red\n");
    let r = preview(&c, &ada, &csrf, csv.as_bytes(), "list.csv").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("data-code=\"unknown_column\""),
        "{}",
        r.body
    );
    assert!(r.body.contains("<code>colour</code>"), "{}", r.body);
}

#[tokio::test]
async fn a_decided_consignment_keeps_its_packing_list() {
    let env = common::env();
    env.with_service(|app| {
        medicines::decide(
            app,
            "seed",
            &id(CONSIGNMENT),
            DecisionOutcome::Reject,
            vec![],
            Some("labels unreadable".into()),
        )
        .unwrap();
    });
    let c = http(&env).await;
    let (ada, csrf) = login(&c, "ada").await;
    let r = preview(&c, &ada, &csrf, &good_workbook(), "list.xlsx").await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("already decided"), "{}", r.body);
    let form = c.send(Req::get("/medicines/packing").cookie(&ada)).await;
    assert!(form.body.contains("id=\"packing-none\""), "{}", form.body);
}

#[tokio::test]
async fn a_preview_without_a_file_or_a_session_is_refused() {
    let env = common::env();
    let c = http(&env).await;
    let anonymous = c.get("/medicines/packing").await;
    assert_eq!(anonymous.status, StatusCode::OK);
    assert!(anonymous.body.contains("id=\"packing-sign-in\""));
    let (ada, csrf) = login(&c, "ada").await;
    let body = multipart(
        &[
            ("csrf", &csrf),
            ("consignment", CONSIGNMENT),
            ("action", "preview"),
        ],
        None,
    );
    let r = c.send(post(&ada, &body)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let forged = multipart(
        &[
            ("csrf", "forged"),
            ("consignment", CONSIGNMENT),
            ("action", "preview"),
        ],
        Some(("list.xlsx", &good_workbook())),
    );
    let r = c.send(post(&ada, &forged)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}

#[tokio::test]
async fn a_viewer_is_not_offered_the_upload_and_its_preview_is_refused_unread() {
    let env = common::env();
    let c = http(&env).await;
    let (vic, csrf) = login(&c, "vic").await;
    let page = c
        .send(common::Req::get("/medicines/packing").cookie(&vic))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("id=\"packing-read-only\""),
        "{}",
        page.body
    );
    assert!(!page.body.contains("id=\"packing-form\""), "{}", page.body);
    let r = preview(&c, &vic, &csrf, &good_workbook(), "list.xlsx").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(lines_of(&env), 5);
}

#[tokio::test]
async fn the_fhir_bundles_download() {
    let env = common::env();
    let c = http(&env).await;
    let index = c.get("/medicines").await;
    assert!(
        index
            .body
            .contains("href=\"/medicines/fhir/Medication.json\"")
    );
    assert!(index.body.contains("href=\"/medicines/packing\""));
    for kind in ["Medication", "SupplyDelivery"] {
        let r = c.get(&format!("/medicines/fhir/{kind}.json")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.header("content-type"), "application/fhir+json");
        let bundle = r.json();
        assert_eq!(bundle["resourceType"], "Bundle");
        assert_eq!(bundle["entry"][0]["resource"]["resourceType"], kind);
    }
    let r = c.get("/medicines/fhir/Device.json").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_in_kind_value_shows_on_the_activity_page_and_the_dashboard() {
    let env = common::env();
    env.with_service(|app| {
        let mut con = app.ledger().unwrap().consignments[&id(CONSIGNMENT)].clone();
        con.activity = Some(id(ACTIVITY));
        app.put("test", vec![Record::Consignment(con)]).unwrap();
        medicines::decide(
            app,
            "seed",
            &id(CONSIGNMENT),
            DecisionOutcome::Accept,
            vec![],
            None,
        )
        .unwrap();
    });
    env.state.invalidate();
    let c = http(&env).await;
    let page = c.get(&format!("/activities/{ACTIVITY}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let note = &page.body[page.body.find("class=\"in-kind\"").expect("in-kind note")..];
    assert!(note.contains(CONSIGNMENT), "{note}");
    assert!(note.contains("world market wholesale price"), "{note}");
    let dash = c.get("/").await;
    let line = &dash.body[dash
        .body
        .find("id=\"dash-in-kind\"")
        .expect("dashboard line")..];
    assert!(line.contains("2,130"), "{line}");
}
