//! The exchange-rates page in Ukrainian: a refused rate file names where each bad value sits
//! ("рядок 3: Date") and why, a file that is not text or a form with an unknown field is refused
//! in Ukrainian, the sources under the coverage are named in Ukrainian, and nothing of this is
//! an English sentence. Codes (`<code>`) and the file's own column names stay as written.

mod common;
mod html_kit;

use axum::http::{Method, StatusCode};
use common::{Client, Req, env, login};

const BOUNDARY: &str = "aidtrace-rates-i18n-boundary";

/// A multipart body of (name, value) fields; `file` is sent as an uploaded file.
fn multipart(fields: &[(&str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        let head = if *name == "file" {
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"rates.csv\"\r\nContent-Type: text/csv\r\n\r\n"
            )
        } else {
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n")
        };
        body.extend_from_slice(head.as_bytes());
        body.extend_from_slice(value);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// An admin's answer to `fields` posted to /rates with the interface in Ukrainian.
async fn post_uk(
    fields: impl FnOnce(&str) -> Vec<(&'static str, Vec<u8>)>,
) -> (StatusCode, String) {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (ada, csrf) = login(&c, "ada").await;
    let fields = fields(&csrf);
    let refs: Vec<(&str, &[u8])> = fields.iter().map(|(n, v)| (*n, v.as_slice())).collect();
    let body = multipart(&refs);
    let r = c
        .send(
            Req::new(Method::POST, "/rates")
                .cookie(&format!("aidtrace_lang=uk; {ada}"))
                .header(
                    "content-type",
                    &format!("multipart/form-data; boundary={BOUNDARY}"),
                )
                .raw(&body),
        )
        .await;
    let stored = e.state.service().store().fx_rates().map_or(0, |r| r.len());
    assert_eq!(stored, 0, "nothing written");
    (r.status, r.body)
}

fn form(csrf: &str, action: &str, file: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("csrf", csrf.as_bytes().to_vec()),
        ("action", action.as_bytes().to_vec()),
        ("file", file.to_vec()),
    ]
}

/// The page's main part, without the coverage table (its sources are data as stored).
fn main_part(html: &str) -> &str {
    let main = html.find("<main").map_or(html, |i| &html[i..]);
    main.find("id=\"coverage\"").map_or(main, |i| &main[..i])
}

/// Texts a reader sees (outside `<code>` and `lang="en"`) with English in them: two words of
/// Latin letters in a row, not codes ("USD, JPY" is not, "International Monetary Fund" is), even
/// after a Ukrainian lead ("Джерело: International Monetary Fund").
fn english_sentences(html: &str) -> Vec<String> {
    let latin = |w: &str| {
        let w = w.trim_matches(|c: char| ",.;:()«»".contains(c));
        // Codes such as USD are no English.
        w.len() > 1
            && w.chars().all(|c| c.is_ascii_alphabetic())
            && w.chars().any(|c| c.is_ascii_lowercase())
    };
    html_kit::texts(html, true)
        .into_iter()
        .filter(|t| {
            let words: Vec<&str> = t.split_whitespace().collect();
            words
                .windows(2)
                .any(|pair| latin(pair[0]) && latin(pair[1]))
        })
        .collect()
}

/// The refused file's list of problems.
fn refusals(html: &str) -> &str {
    let start = html
        .find("id=\"rates-errors\"")
        .expect("the list of problems");
    &html[start..start + html[start..].find("</section>").expect("its end")]
}

const BAD_ROWS: &[u8] = b"Date,Rate,Currency,Frequency,Source\n\
2025-06-30,0,KZT,M,x\n\
30.10.2025,510,KZT,M,x\n\
2025-08-31,5,QQQ,M,x\n";

#[tokio::test]
async fn a_refused_rows_place_is_named_in_ukrainian() {
    let (status, body) = post_uk(|csrf| form(csrf, "preview", BAD_ROWS)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let list = refusals(&body);
    for place in ["рядок 2: Rate", "рядок 3: Date", "рядок 4: Currency"] {
        assert!(list.contains(place), "{place}: {list}");
    }
    assert!(!list.contains("line "), "{list}");
    assert_eq!(english_sentences(main_part(&body)), Vec::<String>::new());
}

/// A file sent back by hand to be imported gets the same list, not an error page naming only
/// its first bad row in English.
#[tokio::test]
async fn a_bad_file_sent_to_be_imported_lists_every_refused_row_in_ukrainian() {
    let (status, body) = post_uk(|csrf| {
        vec![
            ("csrf", csrf.as_bytes().to_vec()),
            ("action", b"import".to_vec()),
            ("name", b"r.csv".to_vec()),
            ("text", BAD_ROWS.to_vec()),
        ]
    })
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let list = refusals(&body);
    assert_eq!(list.matches("<li>").count(), 3, "{list}");
    assert!(list.contains("r.csv не імпортовано"), "{list}");
    assert!(list.contains("рядок 2: Rate"), "{list}");
    assert!(list.contains("курс має бути більшим за нуль"), "{list}");
    assert!(!list.contains("line "), "{list}");
    assert_eq!(english_sentences(main_part(&body)), Vec::<String>::new());
}

#[tokio::test]
async fn a_wrong_header_is_named_in_ukrainian() {
    let (status, body) = post_uk(|csrf| form(csrf, "preview", b"Date,Price\n2025-06-30,1\n")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let list = refusals(&body);
    assert!(list.contains("рядок заголовків, стовпець 2"), "{list}");
    assert!(!list.contains("header column"), "{list}");
}

#[tokio::test]
async fn a_file_that_is_not_text_is_refused_in_ukrainian() {
    let (status, body) = post_uk(|csrf| form(csrf, "preview", b"\xff\xfe\x00rates")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body.contains(
            "файл: це не текст у UTF-8 (потрібен файл курсів CSV або JSON) — «rates.csv»"
        ),
        "{body}"
    );
    assert_eq!(english_sentences(main_part(&body)), Vec::<String>::new());
}

#[tokio::test]
async fn an_unknown_form_field_is_refused_in_ukrainian() {
    let (status, body) = post_uk(|csrf| {
        vec![
            ("csrf", csrf.as_bytes().to_vec()),
            ("colour", b"blue".to_vec()),
        ]
    })
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body.contains("у формі є поле, якого ця сторінка не знає — «colour»"),
        "{body}"
    );
    assert!(!body.contains("unknown form field"), "{body}");
}

#[tokio::test]
async fn a_form_field_too_long_is_refused_in_ukrainian() {
    let (status, body) = post_uk(|_| vec![("csrf", vec![b'a'; 5_000])]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(body.contains("довше за 4096 байтів"), "{body}");
    assert_eq!(english_sentences(main_part(&body)), Vec::<String>::new());
}

#[tokio::test]
async fn a_rate_file_past_the_body_limit_is_refused_in_ukrainian() {
    let big = b"Date,Rate,Currency,Frequency,Source\n".repeat(10_000);
    let (status, body) = post_uk(|csrf| form(csrf, "preview", &big)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(body.contains("завеликий обсяг для цієї форми"), "{body}");
    assert_eq!(english_sentences(main_part(&body)), Vec::<String>::new());
}

/// The line under the coverage table names the publishers in Ukrainian (the table's source
/// column holds the names as stored with the rates).
#[tokio::test]
async fn the_sources_under_the_coverage_are_named_in_ukrainian() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (ada, _) = login(&c, "ada").await;
    let page = c
        .send(Req::get("/rates").cookie(&format!("aidtrace_lang=uk; {ada}")))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let after = &page.body[page.body.find("id=\"coverage\"").expect("the coverage")..];
    let line = &after[after.find("</table>").expect("its end")..];
    let line = &line[..line.find("</p>").expect("the line under it")];
    assert!(
        line.contains("Джерело: Міжнародний валютний фонд; Європейський центральний банк"),
        "{line}"
    );
    assert!(!line.contains("International Monetary Fund"), "{line}");
    assert_eq!(
        english_sentences(main_part(&page.body)),
        Vec::<String>::new()
    );
}
