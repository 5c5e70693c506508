//! The import page's validation report in the reader's language: each group of findings is
//! headed from its fields (the layer, the schema error kind, the codelist with the code, the
//! rule with what it requires), and the validator's English message stays beside the heading,
//! marked `lang="en"`, as libxml2 and the validator word it (users search for it).

mod common;
mod html_kit;

use axum::http::{Method, StatusCode};
use common::{Client, Req, env, login};

/// One activity with one finding of each layer: an attribute the schema does not allow
/// (`activity-status/@bogus`), a code the Currency codelist lacks (`XXZ`), and no start date
/// (rule 6.11.1).
const XML: &str = r#"<?xml version="1.0"?>
<iati-activities version="2.03">
 <iati-activity last-updated-datetime="2024-01-01T00:00:00Z" default-currency="XXZ" xml:lang="en">
  <iati-identifier>XM-DAC-701-8-I18N</iati-identifier>
  <reporting-org ref="XM-DAC-701-8" type="10"><narrative>JICA</narrative></reporting-org>
  <title><narrative>Report in the reader's language</narrative></title>
  <description><narrative>Test</narrative></description>
  <participating-org role="1" ref="XM-DAC-701-8"/>
  <activity-status code="2" bogus="1"/>
  <sector code="12191"/>
  <recipient-country code="KZ"/>
  <transaction><transaction-type code="3"/><transaction-date iso-date="2024-02-01"/><value value-date="2024-02-01">1000</value></transaction>
 </iati-activity>
</iati-activities>"#;

const BOUNDARY: &str = "aidtrace-report-boundary";

fn multipart(csrf: &str) -> Vec<u8> {
    format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\nvalidate\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"three.xml\"\r\n\
         Content-Type: application/xml\r\n\r\n{XML}\r\n--{BOUNDARY}--\r\n"
    )
    .into_bytes()
}

/// The report's rows (`<tr class="issue-group">…</tr>`) after a viewer validates [`XML`] with
/// the interface in `lang`.
async fn report_rows(lang: &str) -> Vec<String> {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (vic, csrf) = login(&c, "vic").await;
    let cookie = format!("{vic}; aidtrace_lang={lang}");
    let body = multipart(&csrf);
    let r = c
        .send(
            Req::new(Method::POST, "/import")
                .cookie(&cookie)
                .header(
                    "content-type",
                    &format!("multipart/form-data; boundary={BOUNDARY}"),
                )
                .raw(&body),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
        .split("<tr class=\"issue-group\">")
        .skip(1)
        .map(|row| row.split("</tr>").next().unwrap_or_default().to_string())
        .collect()
}

/// The one row whose rule column holds `rule`.
fn row<'a>(rows: &'a [String], rule: &str) -> &'a str {
    let found: Vec<&String> = rows
        .iter()
        .filter(|r| r.contains(&format!("<code>{rule}</code>")))
        .collect();
    assert_eq!(found.len(), 1, "one {rule} row: {rows:#?}");
    found[0]
}

/// The row's heading, as a reader sees it.
fn heading(row: &str) -> String {
    let start = row
        .find("<span class=\"finding-heading\">")
        .expect("a heading");
    let rest = &row[start..];
    html_kit::unescape(&rest[rest.find('>').unwrap_or(0) + 1..rest.find("</span>").unwrap_or(0)])
}

/// The row's English original, marked as English.
fn original(row: &str) -> String {
    let marker = "<small class=\"muted finding-original\" lang=\"en\">";
    let start = row.find(marker).expect("the English message beside it") + marker.len();
    html_kit::unescape(&row[start..start + row[start..].find("</small>").unwrap_or(0)])
}

#[tokio::test]
async fn a_schema_finding_is_headed_in_ukrainian_by_its_kind_with_libxml2s_message_beside_it() {
    let rows = report_rows("uk").await;
    let r = row(&rows, "forbidden-attribute");
    assert_eq!(heading(r), "Атрибут, який схема тут не допускає");
    assert!(r.contains("<td>схема</td>"), "the layer in Ukrainian: {r}");
    assert_eq!(
        original(r),
        "Element 'activity-status', attribute 'bogus': The attribute 'bogus' is not allowed."
    );
}

#[tokio::test]
async fn a_codelist_finding_is_headed_in_ukrainian_with_its_code_and_list() {
    let rows = report_rows("uk").await;
    let r = row(&rows, "Currency");
    assert_eq!(heading(r), "«XXZ» — не код довідника Currency");
    assert!(r.contains("<td>довідник</td>"), "{r}");
    assert_eq!(original(r), "'XXZ' is not a code of the Currency codelist");
}

#[tokio::test]
async fn a_rule_finding_is_headed_in_russian_with_its_id_and_what_it_requires() {
    let rows = report_rows("ru").await;
    let r = row(&rows, "6.11.1");
    assert_eq!(
        heading(r),
        "Правило 6.11.1. Требование: указана плановая или фактическая дата начала"
    );
    assert!(r.contains("<td>правило</td>"), "{r}");
    assert!(
        original(r).contains("start date"),
        "the validator's own sentence: {r}"
    );
}

/// Outside the parts marked English (and codes), a Kazakh reader of the report reads Kazakh:
/// every text with a space in it has Cyrillic letters.
#[tokio::test]
async fn a_kazakh_report_shows_english_only_where_marked_english() {
    let rows = report_rows("kk").await;
    assert!(rows.len() >= 3, "{rows:#?}");
    for r in &rows {
        for text in html_kit::texts(r, true) {
            let cyrillic = text.chars().any(|c| ('\u{400}'..='\u{4ff}').contains(&c));
            assert!(
                !text.contains(' ') || cyrillic,
                "English left in {text:?}: {r}"
            );
        }
        assert!(r.contains("lang=\"en\""), "the English original kept: {r}");
    }
}

/// In English the codelist heading is the validator's sentence itself, so it is shown once.
#[tokio::test]
async fn an_english_reader_sees_a_codelist_message_once() {
    let rows = report_rows("en").await;
    let r = row(&rows, "Currency");
    assert_eq!(heading(r), "'XXZ' is not a code of the Currency codelist");
    assert!(!r.contains("finding-original"), "{r}");
    let rule = row(&rows, "6.11.1");
    assert_eq!(
        heading(rule),
        "Rule 6.11.1 requires: a planned or actual start date is given"
    );
}
