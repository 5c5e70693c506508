//! `/import` refusals in the reader's language: an upload over the limit, a zip with a path
//! outside its root, a zip bomb, a file neither XML nor zip, an unreadable archive and an
//! archive of skipped members each say why in Ukrainian or Russian, naming the file and the
//! limit (figures in the reader's number format), and write nothing. The refusals travel as
//! typed reasons (`iati::refusals`), so these fail if one is worded in English again.

#![allow(clippy::unwrap_used)]

mod common;
mod upload_kit;

use std::io::Write;

use axum::http::{Method, StatusCode};
use common::{Client, Req, env, login};

const XML: &str = r#"<?xml version="1.0"?>
<iati-activities version="2.03">
 <iati-activity last-updated-datetime="2024-01-01T00:00:00Z" default-currency="USD">
  <iati-identifier>XM-DAC-701-8-REFUSED</iati-identifier>
  <reporting-org ref="XM-DAC-701-8" type="10"><narrative>JICA</narrative></reporting-org>
  <title><narrative>Refused</narrative></title>
  <activity-status code="2"/>
  <activity-date type="1" iso-date="2024-01-01"/>
 </iati-activity>
</iati-activities>"#;

/// The refusal after `ada` imports `files` with the interface in `lang`, on a server taking
/// `limit` bytes per upload: said above the form (`import-error`) once the upload is in, on
/// an error page (`error`) while it is still arriving. Checks the status and that nothing
/// was written.
async fn refusal(lang: &str, limit: u64, files: &[(&str, &[u8])], status: StatusCode) -> String {
    let e = common::env_with(aidtrace_web::WebConfig {
        secure_cookies: false,
        upload_limit: limit,
        ..aidtrace_web::WebConfig::default()
    });
    let c = Client::InProcess(e.state.clone());
    let before = e.record_count();
    let (ada, csrf) = login(&c, "ada").await;
    let cookie = format!("{ada}; aidtrace_lang={lang}");
    let body = upload_kit::import_form(&csrf, "import", files);
    let r = c
        .send(
            Req::new(Method::POST, "/import")
                .cookie(&cookie)
                .header("content-type", &upload_kit::import_form_type())
                .raw(&body),
        )
        .await;
    let at = ["id=\"import-error\"", "id=\"error\""]
        .iter()
        .find_map(|id| r.body.find(id))
        .unwrap_or_else(|| {
            panic!(
                "no refusal ({}): {}",
                r.status,
                &r.body[..r.body.len().min(3000)]
            )
        });
    assert_eq!(r.status, status);
    assert_eq!(e.record_count(), before, "nothing written");
    let said = &r.body[at..];
    let end = said.find("</p>").unwrap();
    said[..end].to_string()
}

const MIB: u64 = 1024 * 1024;

#[tokio::test]
async fn an_upload_over_the_limit_is_refused_in_ukrainian_naming_the_limit() {
    // 150,000 bytes on a server taking 100,000: the limit is said in bytes, grouped as
    // Ukrainian groups figures.
    let mut big = XML.as_bytes().to_vec();
    big.resize(150_000, b' ');
    let said = refusal(
        "uk",
        100_000,
        &[("big.xml", &big)],
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    assert!(
        said.contains("файл більший за межу завантаження 100\u{a0}000 байтів"),
        "{said}"
    );
    assert!(said.contains("Нічого не записано"), "{said}");
    assert!(!said.contains("larger than"), "{said}");
}

#[tokio::test]
async fn an_upload_over_a_limit_in_mebibytes_is_refused_in_russian() {
    let mut big = XML.as_bytes().to_vec();
    big.resize(usize::try_from(MIB).unwrap() + 10, b' ');
    let said = refusal(
        "ru",
        MIB,
        &[("big.xml", &big)],
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    assert!(said.contains("файл больше предела загрузки 1 МБ"), "{said}");
}

#[tokio::test]
async fn a_zip_with_a_path_outside_its_root_is_refused_in_ukrainian() {
    let zip = upload_kit::zip_of(&[
        ("ok.xml", XML.as_bytes()),
        ("../escape.xml", XML.as_bytes()),
    ]);
    let said = refusal(
        "uk",
        256 * MIB,
        &[("evil.zip", &zip)],
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(
        said.contains("у evil.zip є елемент поза коренем архіву (../escape.xml)"),
        "{said}"
    );
}

#[tokio::test]
async fn a_zip_bomb_is_refused_in_russian_naming_the_ratio() {
    let mut bomb = b"<iati-activities>".to_vec();
    bomb.resize(20 * 1024 * 1024, b' ');
    let zip = upload_kit::zip_of(&[("bomb.xml", &bomb)]);
    let said = refusal(
        "ru",
        256 * MIB,
        &[("bomb.zip", &zip)],
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(
        said.contains("bomb.zip/bomb.xml распаковывается более чем в 100 раз"),
        "{said}"
    );
    assert!(said.contains("zip-бомба"), "{said}");
}

#[tokio::test]
async fn a_file_neither_xml_nor_zip_is_refused_in_ukrainian() {
    let said = refusal(
        "uk",
        256 * MIB,
        &[
            ("good.xml", XML.as_bytes()),
            ("scan.pdf", b"%PDF-1.7\n%binary"),
        ],
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(
        said.contains("scan.pdf не є ні файлом XML, ні zip-архівом"),
        "{said}"
    );
}

#[tokio::test]
async fn an_archive_cut_short_is_refused_in_russian_without_the_readers_english() {
    let zip = upload_kit::zip_of(&[("a.xml", XML.as_bytes())]);
    // The local header survives (it still sniffs as a zip), the central directory does not.
    let cut = &zip[..zip.len() / 2];
    let said = refusal(
        "ru",
        256 * MIB,
        &[("cut.zip", cut)],
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(
        said.contains("cut.zip не читается как zip-архив: архив повреждён или неполон"),
        "{said}"
    );
    assert!(
        !said.contains("EOCD") && !said.contains("invalid"),
        "{said}"
    );
}

#[tokio::test]
async fn an_archive_of_skipped_members_is_refused_in_ukrainian_saying_why_each() {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file("set/readme.pdf", upload_kit::fast()).unwrap();
    w.write_all(b"%PDF-1.7 not xml").unwrap();
    w.add_symlink("set/link.xml", "/etc/passwd", upload_kit::fast())
        .unwrap();
    let zip = w.finish().unwrap().into_inner();
    let said = refusal(
        "uk",
        256 * MIB,
        &[("set.zip", &zip)],
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(
        said.contains("у завантаженні немає жодного файлу XML"),
        "{said}"
    );
    assert!(
        said.contains("set.zip/set/readme.pdf: не XML: пропущено"),
        "{said}"
    );
    assert!(
        said.contains("set.zip/set/link.xml: посилання, а не файл: пропущено"),
        "{said}"
    );
}

#[tokio::test]
async fn a_skipped_member_is_listed_in_russian_beside_the_report() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let before = e.record_count();
    let (vic, csrf) = login(&c, "vic").await;
    let zip = upload_kit::zip_of(&[("a.xml", XML.as_bytes()), ("notes.txt", b"plain text")]);
    // A viewer validates: the report comes, nothing is written.
    let body = upload_kit::import_form(&csrf, "validate", &[("set.zip", &zip)]);
    let cookie = format!("{vic}; aidtrace_lang=ru");
    let r = c
        .send(
            Req::new(Method::POST, "/import")
                .cookie(&cookie)
                .header("content-type", &upload_kit::import_form_type())
                .raw(&body),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        &r.body[..r.body.len().min(3000)]
    );
    let list = &r.body[r.body.find("id=\"skipped\"").expect("the skipped list")..];
    assert!(
        list.contains("set.zip/notes.txt</code>: не XML: пропущено"),
        "{list}"
    );
    assert!(r.body.contains("Пропущенные элементы архива"));
    assert_eq!(e.record_count(), before, "nothing written");
}
