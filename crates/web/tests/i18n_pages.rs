//! Pages in Russian (and Ukrainian, Kazakh) over a real socket: the labels, headers, buttons,
//! hints and field errors each page shows in English are gone, and numbers and dates follow the
//! language. Every English label checked is first found on the English page, so a label that
//! disappears from the page cannot make the Russian check pass by accident.

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::form_fields::{
    drop_prefix, post_mode, post_new, set, small_activity, with_equipment_line,
};
use common::{Client, Req, env, login, spawn};

/// The text a reader sees: tags dropped, entities decoded.
fn visible(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

async fn page(c: &Client, uri: &str, lang: &str, session: Option<&str>) -> String {
    let mut cookie = format!("aidtrace_lang={lang}");
    if let Some(s) = session {
        cookie = format!("{cookie}; {s}");
    }
    let r = c.send(Req::get(uri).cookie(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{uri} in {lang}: {}", r.body);
    visible(&r.body)
}

/// Catalogue keys with a hyphen (`field-title`, `col-kind`, …): one of them in a page's text
/// means a lookup fell back to the key.
fn catalogue_keys() -> Vec<String> {
    let en = include_str!("../assets/i18n/en.ftl");
    en.lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_lowercase()))
        .filter_map(|l| l.split_once(" =").map(|(k, _)| k.to_string()))
        .filter(|k| k.contains('-'))
        .collect()
}

/// Each label is on the English page and on none of the translated ones, and no page shows a
/// bare catalogue key.
async fn check(c: &Client, uri: &str, session: Option<&str>, labels: &[&str]) {
    let keys = catalogue_keys();
    let en = page(c, uri, "en", session).await;
    for label in labels {
        assert!(en.contains(label), "{uri}: English page lacks {label:?}");
    }
    for lang in ["en", "ru", "uk", "kk"] {
        let text = page(c, uri, lang, session).await;
        let words: std::collections::BTreeSet<&str> = text
            .split(|ch: char| ch.is_whitespace() || "(),;:·".contains(ch))
            .collect();
        let bare: Vec<_> = keys.iter().filter(|k| words.contains(k.as_str())).collect();
        assert!(
            bare.is_empty(),
            "{uri} in {lang} shows catalogue keys {bare:?}"
        );
        if lang == "en" {
            continue;
        }
        let left: Vec<_> = labels.iter().filter(|l| text.contains(*l)).collect();
        assert!(left.is_empty(), "{uri} in {lang} still shows {left:?}");
    }
}

#[tokio::test]
async fn record_pages_have_no_english_labels_in_ru_uk_kk() {
    let e = env();
    let c = Client::Socket(spawn(e.state.clone()).await);
    check(
        &c,
        "/activities/act-kz-semey-equipment",
        None,
        &[
            "Instrument",
            "Participants",
            "Sectors",
            "Legal steps",
            "Stated equivalent",
            "as the source states it",
            "unit cost",
            "Sign in to see who changed what",
            "implementation",
            "rate of",
            "Public view",
        ],
    )
    .await;
    // Signed in: the change history table and the edit links.
    let (ada, _) = login(&c, "ada").await;
    check(
        &c,
        "/activities/act-kz-semey-equipment",
        Some(&ada),
        &["New flow", "New equipment line", "Edit", "when", "document"],
    )
    .await;
    check(
        &c,
        "/facilities/fac-semey-university-hospital",
        None,
        &[
            "Kind",
            "Location",
            "Status history",
            "Equipment for this facility",
            "university hospital",
        ],
    )
    .await;
    check(
        &c,
        "/quality",
        None,
        &[
            "rule",
            "severity",
            "message",
            "Rules",
            "Errors and warnings",
            "a flow cites no source",
            "disbursements exceed commitments",
        ],
    )
    .await;
    check(
        &c,
        "/activities",
        None,
        &["title", "instrument", "Search", "activities"],
    )
    .await;
    check(
        &c,
        "/energy?units=G30:30:2",
        None,
        &["Horizon", "Units by model", "Unmet critical", "Export"],
    )
    .await;
    check(&c, "/login", None, &["Name", "Password"]).await;
    check(
        &c,
        "/map",
        None,
        &["Facilities by coordinates", "no map tiles"],
    )
    .await;
    let (eve, _) = login(&c, "eve").await;
    check(
        &c,
        "/intake",
        Some(&eve),
        &[
            "Paste a press release",
            "Review queue",
            "Draft facts",
            "Article text",
        ],
    )
    .await;
    check(
        &c,
        "/changes",
        Some(&eve),
        &["Edits wait here", "No changes"],
    )
    .await;
    check(&c, "/import", Some(&eve), &["Validate", "strict"]).await;
}

#[tokio::test]
async fn numbers_and_dates_follow_the_language() {
    let e = env();
    let c = Client::Socket(spawn(e.state.clone()).await);
    let en = page(&c, "/activities/act-kz-semey-equipment", "en", None).await;
    let ru = page(&c, "/activities/act-kz-semey-equipment", "ru", None).await;
    // The commitment of 108,700,000 JPY and the rate date of its conversion.
    assert!(en.contains("108,700,000 JPY"), "{en}");
    assert!(ru.contains("108\u{a0}700\u{a0}000 JPY"), "{ru}");
    // Stored values are shown as words of the language (flow kind, instrument).
    assert!(en.contains("commitment: 108,700,000 JPY"));
    assert!(
        ru.contains("обязательство: 108\u{a0}700\u{a0}000 JPY"),
        "{ru}"
    );
    assert!(ru.contains("безвозмездная помощь"));
    // The rate date of that conversion (finding messages are the checks' English text and keep
    // ISO dates, so only the interface's own date is compared).
    let at = en
        .find("rate of ")
        .expect("a conversion on the English page")
        + "rate of ".len();
    let iso = regex_date(&en[at..], '-').expect("an ISO rate date");
    let (y, rest) = iso.split_at(4);
    let (m, d) = (&rest[1..3], &rest[4..6]);
    assert!(
        ru.contains(&format!("курс на {d}.{m}.{y}")),
        "rate date {iso} not shown as dd.mm.yyyy in Russian"
    );
    assert!(!ru.contains(&format!("курс на {iso}")));
    // Converted figures on the dashboard: a decimal comma in Russian, a point in English.
    let dash_en = page(&c, "/", "en", None).await;
    let dash_ru = page(&c, "/", "ru", None).await;
    assert!(dash_en.contains("691,254.78"), "{dash_en}");
    assert!(dash_ru.contains("691\u{a0}254,78"), "{dash_ru}");
    // The provisional mark speaks the language too, with the rate's date in its form.
    assert!(
        dash_en.contains("provisional: latest rate, of 2026-10-30"),
        "{dash_en}"
    );
    assert!(
        dash_ru.contains("предварительно: последний курс, на 30.10.2026"),
        "{dash_ru}"
    );
}

/// The first `yyyy-mm-dd` in `text` (with `sep` between the parts).
fn regex_date(text: &str, sep: char) -> Option<String> {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(9)).find_map(|i| {
        let s = text.get(i..i + 10)?;
        let ok = s.char_indices().all(|(k, ch)| match k {
            4 | 7 => ch == sep,
            _ => ch.is_ascii_digit(),
        });
        (ok && s.starts_with("20")).then(|| s.to_string())
    })
}

#[tokio::test]
async fn field_error_and_form_in_russian() {
    let e = env();
    let c = Client::Socket(spawn(e.state.clone()).await);
    let (eve, csrf) = login(&c, "eve").await;
    let cookie = format!("aidtrace_lang=ru; {eve}");
    let mut fields = with_equipment_line(
        small_activity("act-ru-form", "Кислородные концентраторы"),
        "Концентратор",
        "four",
    );
    set(&mut fields, "equipment[0].id", "eq-ru-form");
    let r = post_new(&c, &cookie, &csrf, "/forms/activities", &fields, "submit").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let err = r
        .body
        .split("id=\"err-equipment-0-quantity\"")
        .nth(1)
        .and_then(|s| s.split("</span>").next())
        .unwrap_or_else(|| panic!("no error next to the quantity field: {}", r.body));
    assert!(err.contains("целое число"), "{err}");
    assert!(err.contains("four"), "the refused value is named: {err}");
    let text = visible(&r.body);
    for english in [
        "Title",
        "Quantity",
        "Funding organisation",
        "Save draft",
        "Submit for approval",
        "a whole number",
        "New activity",
    ] {
        assert!(!text.contains(english), "{english:?} on the Russian form");
    }
    assert!(text.contains("Количество") && text.contains("Отправить на утверждение"));
    // The input is kept.
    assert!(r.body.contains("value=\"four\""));
    // The same mistake in English reads in English (the check above is not vacuous).
    let en = format!("aidtrace_lang=en; {eve}");
    let r = post_new(&c, &en, &csrf, "/forms/activities", &fields, "submit").await;
    assert!(
        visible(&r.body).contains("Enter a whole number"),
        "{}",
        r.body
    );
    // An id that is taken: the message beside the id field, in Russian, naming the id.
    let mut taken = small_activity("act-kz-semey-equipment", "Кислородные концентраторы");
    drop_prefix(&mut taken, "equipment[");
    let r = post_new(&c, &cookie, &csrf, "/forms/activities", &taken, "submit").await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let err = r
        .body
        .split("id=\"err-id\"")
        .nth(1)
        .and_then(|s| s.split("</span>").next())
        .unwrap_or_else(|| panic!("no error next to the id field: {}", r.body));
    assert!(
        err.contains("уже есть") && err.contains("act-kz-semey-equipment"),
        "{err}"
    );

    // An activity outside eve's organisations: refused, said in Russian.
    let edit = c
        .send(Req::get("/forms/activities/act-kz-jica-training").cookie(&cookie))
        .await;
    assert_eq!(edit.status, StatusCode::OK);
    let etag = edit
        .body
        .split("name=\"_etag\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .replace("&quot;", "\"");
    let mut foreign = small_activity("act-kz-jica-training", "Чужой проект");
    set(&mut foreign, "_etag", &etag);
    let r = post_mode(
        &c,
        &cookie,
        &csrf,
        "/forms/activities",
        &foreign,
        "submit",
        "edit",
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let text = visible(&r.body);
    assert!(
        text.contains("вне того, что может изменять ваша учётная запись"),
        "{text}"
    );
    assert!(!text.contains("outside what"), "{text}");
}

#[tokio::test]
async fn a_first_visit_is_answered_in_the_browsers_language() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let ru = c
        .send(Req::get("/").header("accept-language", "ru-RU,ru;q=0.9,en;q=0.8"))
        .await;
    assert_eq!(ru.status, StatusCode::OK);
    assert!(ru.body.contains("<html lang=\"ru\""), "{}", &ru.body[..200]);
    assert!(ru.header("vary").to_lowercase().contains("accept-language"));
    let chosen = c
        .send(
            Req::get("/")
                .header("accept-language", "ru-RU")
                .header("cookie", "aidtrace_lang=kk"),
        )
        .await;
    assert!(
        chosen.body.contains("<html lang=\"kk\""),
        "a language chosen on the site stands over the browser's"
    );
    let other = c
        .send(Req::get("/").header("accept-language", "de-DE"))
        .await;
    assert!(other.body.contains("<html lang=\"en\""));
}

#[tokio::test]
async fn a_citation_names_the_field_it_supports_in_the_readers_language() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let uk = c
        .get("/activities/act-kz-semey-equipment?lang=uk")
        .await
        .body;
    assert!(
        uk.contains("підтверджує <span class=\"cited-field\" title=\"money\">Сума</span>"),
        "{uk}"
    );
    assert!(!uk.contains("підтверджує <code>money"));
}
