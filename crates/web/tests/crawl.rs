//! Every page reachable by links from the dashboard, as an anonymous reader, a viewer and an
//! admin, in each interface language: no error status, no raw stored value (`grant_aid`), no
//! Rust debug text (`RecordId(`), and on a translated page no interface text left in English
//! (compared with the message catalogues). Pages are found by following links, so pages added
//! later are crawled without changing this test. In-process requests: no browser needed.

#![allow(clippy::unwrap_used)]

mod common;
mod html_kit;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use common::{Client, Req};

/// Enough for every seed record's page and the list pages' variants; the crawl stops there.
const MAX_PAGES: usize = 800;

/// A catalogue's single-line messages without placeables: key → text.
fn catalogue(lang: &str) -> BTreeMap<String, String> {
    let path = format!("{}/assets/i18n/{lang}.ftl", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_lowercase()))
        .filter_map(|l| l.split_once(" = "))
        .filter(|(_, v)| !v.contains('{') && !v.trim().is_empty())
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// Catalogue entries whose English text is also a name that data holds as entered (device names
/// such as "CT scanner" in an equipment line, "Japan" in the country list): seeing one proves
/// nothing, so they are not compared.
const DATA_LIKE: &[&str] = &["asset-type-", "asset-area-"];

/// English interface texts whose translation into `lang` differs: seeing one on a `lang` page
/// means a string bypassed the catalogue. Returns text → key.
fn english_only(lang: &str) -> BTreeMap<String, String> {
    let en = catalogue("en");
    let other = catalogue(lang);
    en.into_iter()
        .filter(|(k, v)| {
            !DATA_LIKE.iter().any(|p| k.starts_with(p))
                && other.get(k).is_some_and(|o| o != v)
                && v.chars().any(|c| c.is_ascii_lowercase())
                && v.chars().count() >= 2
        })
        .map(|(k, v)| (v, k))
        .collect()
}

/// A catalogue's single-line messages with placeables, as the literal pieces between them:
/// key → pieces ("no change { $id } here" → ["no change ", " here"]).
fn patterns(lang: &str) -> BTreeMap<String, Vec<String>> {
    let path = format!("{}/assets/i18n/{lang}.ftl", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_lowercase()))
        .filter_map(|l| l.split_once(" = "))
        .filter(|(_, v)| v.contains('{') && !v.contains("->"))
        .map(|(k, v)| (k.trim().to_string(), literal_pieces(v.trim())))
        .collect()
}

/// The text of a message outside its `{ … }` placeables.
fn literal_pieces(message: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest = message;
    while let Some((before, after)) = rest.split_once('{') {
        pieces.push(before.to_string());
        rest = after.split_once('}').map_or("", |(_, a)| a);
    }
    pieces.push(rest.to_string());
    pieces.retain(|p| !p.trim().is_empty());
    pieces
}

/// English messages with arguments whose translation into `lang` differs, as their literal
/// pieces: a `lang` page holding all of a message's pieces in order holds an English sentence
/// built around values (an error naming a parameter, a count in a sentence). Only messages
/// with enough words to be telling: their longest piece has two words of letters and at least
/// ten characters, so a bare unit or separator is never taken for a sentence.
fn english_patterns(lang: &str) -> BTreeMap<String, Vec<String>> {
    let other = patterns(lang);
    patterns("en")
        .into_iter()
        .filter(|(k, pieces)| {
            let telling = pieces.iter().any(|p| {
                p.trim().chars().count() >= 10
                    && p.split_whitespace()
                        .filter(|w| w.chars().any(|c| c.is_ascii_alphabetic()))
                        .count()
                        >= 2
            });
            telling
                && !DATA_LIKE.iter().any(|d| k.starts_with(d))
                && other.get(k).is_some_and(|o| o != pieces)
        })
        .collect()
}

/// Whether `text` holds each of `pieces` in order.
fn holds_in_order(text: &str, pieces: &[String]) -> bool {
    let mut rest = text;
    for p in pieces {
        match rest.find(p.as_str()) {
            Some(at) => rest = &rest[at + p.len()..],
            None => return false,
        }
    }
    true
}

/// The English names of countries and DAC sectors that a `lang` page should show in `lang`
/// (country names from `domain/data/country_names.tsv`, sector labels "12191 Medical services"
/// and category names): seeing one means a name bypassed `labels::country` or
/// `labels::sector`. Returns text → what it names.
fn english_names(lang: &str) -> BTreeMap<String, String> {
    let data = format!("{}/../domain/data", env!("CARGO_MANIFEST_DIR"));
    let read = |file: &str| std::fs::read_to_string(format!("{data}/{file}")).unwrap();
    let column = ["en", "ru", "uk", "kk"]
        .iter()
        .position(|l| *l == lang)
        .unwrap();
    let mut names = BTreeMap::new();
    for file in ["country_names.tsv", "sector_categories.tsv"] {
        for line in read(file).lines().filter(|l| !l.starts_with('#')).skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() == 5 && cols[1] != cols[column + 1] {
                names.insert(cols[1].to_string(), format!("{file} {}", cols[0]));
            }
        }
    }
    for line in read("sectors.csv").lines().skip(1) {
        if let Some((code, rest)) = line.split_once(',')
            && let Some((name, _)) = rest.rsplit_once(',')
        {
            let name = name.trim_matches('"');
            names.insert(format!("{code} {name}"), format!("sector {code}"));
        }
    }
    names
}

/// A text cut where pages join pieces (labels and values, list separators), each piece trimmed
/// of surrounding punctuation.
fn segments(text: &str) -> Vec<String> {
    text.split([':', '·', '—', ';', '|', '\n'])
        .map(|s| {
            s.trim_matches(|c: char| c.is_whitespace() || ".,!?…/*()«»\"".contains(c))
                .to_string()
        })
        .filter(|s| !s.is_empty())
        .collect()
}

/// A stored enum value such as `grant_aid` or `latest_available_rate`: lower-case words joined
/// by underscores, nothing else.
fn is_raw_value(s: &str) -> bool {
    let words: Vec<&str> = s.split('_').collect();
    words.len() >= 2
        && words.iter().all(|w| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// Where a link on `from` leads, if it is a page of this site worth visiting.
fn target(from: &str, href: &str) -> Option<String> {
    let href = href.split('#').next().unwrap_or_default();
    if href.is_empty() || href.starts_with("//") {
        return None;
    }
    let url = if href.starts_with('/') {
        href.to_string()
    } else if let Some(q) = href.strip_prefix('?') {
        // The language switch shows the same page in another language: the crawl of that
        // language covers it.
        if q.split('&').any(|kv| kv.starts_with("lang=")) {
            return None;
        }
        format!("{}?{q}", from.split('?').next().unwrap_or("/"))
    } else {
        return None;
    };
    (url != "/logout").then_some(url)
}

fn is_page(url: &str, content_type: &str) -> bool {
    content_type.starts_with("text/html") && !url.starts_with("/api/v1/")
}

async fn crawl(role: Option<&str>, lang: &str) {
    let env = common::env();
    let client = Client::InProcess(env.state.clone());
    let token = role.map(|r| env.token(r));
    let english = if lang == "en" {
        BTreeMap::new()
    } else {
        let mut texts = english_only(lang);
        texts.extend(english_names(lang));
        texts
    };
    let sentences = if lang == "en" {
        BTreeMap::new()
    } else {
        english_patterns(lang)
    };
    let cookie = format!("aidtrace_lang={lang}");
    let mut queue: VecDeque<(String, String)> = VecDeque::from([("/".to_string(), "-".into())]);
    let mut seen: BTreeSet<String> = BTreeSet::from(["/".to_string()]);
    let mut problems: Vec<String> = Vec::new();
    let mut pages = 0;
    while let Some((url, from)) = queue.pop_front() {
        if pages >= MAX_PAGES {
            break;
        }
        pages += 1;
        let mut req = Req::get(&url).header("cookie", &cookie);
        if let Some(t) = &token {
            req = req.bearer(t);
        }
        let resp = client.send(req).await;
        if resp.status.as_u16() >= 400 {
            problems.push(format!(
                "{url} (linked from {from}): status {}",
                resp.status
            ));
            continue;
        }
        let content_type = resp.header("content-type");
        if !is_page(&url, &content_type) {
            continue;
        }
        let body = &resp.body;
        if body.contains("RecordId(") {
            problems.push(format!("{url}: Rust debug text RecordId("));
        }
        // Text marked `lang="en"` (the API's own descriptions, naming its identifiers) is left
        // out of both checks.
        for text in html_kit::texts(body, true) {
            for word in text.split(|c: char| c.is_whitespace() || "()[]{};:,.«»\"'=/".contains(c))
            {
                if is_raw_value(word) {
                    problems.push(format!("{url}: raw value {word:?} in {text:?}"));
                }
            }
        }
        for text in html_kit::texts(body, true) {
            for seg in segments(&text) {
                if let Some(key) = english.get(&seg) {
                    problems.push(format!("{url}: English {seg:?} ({key}) in {text:?}"));
                }
            }
            for (key, pieces) in &sentences {
                if holds_in_order(&text, pieces) {
                    problems.push(format!("{url}: English sentence ({key}) in {text:?}"));
                }
            }
        }
        for href in html_kit::links(body) {
            if let Some(next) = target(&url, &href)
                && seen.insert(next.clone())
            {
                queue.push_back((next, url.clone()));
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(pages >= 10, "only {pages} pages reached from the dashboard");
    for must in [
        "/map",
        "/api",
        "/facilities",
        "/activities/act-kz-semey-equipment",
        // A planned version 2 page (plan, oblast view, autonomy beside it).
        "/energy/v2?fuel_l_per_day=4000&install_units=3&country=UA",
    ] {
        assert!(
            seen.contains(must),
            "{must} is not reachable from the dashboard"
        );
    }
    assert!(
        problems.is_empty(),
        "{} problems on {pages} pages as {} in {lang}:\n{}",
        problems.len(),
        role.unwrap_or("anonymous"),
        problems
            .iter()
            .take(400)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

macro_rules! crawls {
    ($($name:ident: $role:expr, $lang:expr;)*) => {
        $(
            #[tokio::test]
            async fn $name() {
                crawl($role, $lang).await;
            }
        )*
    };
}

crawls! {
    anonymous_en: None, "en";
    anonymous_ru: None, "ru";
    anonymous_uk: None, "uk";
    anonymous_kk: None, "kk";
    viewer_en: Some("vic"), "en";
    viewer_ru: Some("vic"), "ru";
    viewer_uk: Some("vic"), "uk";
    viewer_kk: Some("vic"), "kk";
    admin_en: Some("ada"), "en";
    admin_ru: Some("ada"), "ru";
    admin_uk: Some("ada"), "uk";
    admin_kk: Some("ada"), "kk";
}

#[test]
fn english_country_and_sector_names_are_known_for_translated_pages() {
    let ru = english_names("ru");
    assert!(ru.contains_key("Brazil"), "{} names", ru.len());
    assert!(ru.contains_key("12191 Medical services"));
    assert!(ru.contains_key("Health, General"));
    assert!(!english_names("en").contains_key("Brazil"));
}

#[test]
fn segments_cut_labels_from_values() {
    assert_eq!(
        segments("Status: under repair · 2024"),
        ["Status", "under repair", "2024"]
    );
}

#[test]
fn raw_values_are_snake_case_words() {
    assert!(is_raw_value("incoming_commitment"));
    assert!(is_raw_value("latest_available_rate"));
    assert!(!is_raw_value("operational"));
    assert!(!is_raw_value("fac-semey"));
    assert!(!is_raw_value("Semey_City"));
}

#[test]
fn links_resolve_within_the_site() {
    assert_eq!(
        target("/map", "/facilities/a#x").as_deref(),
        Some("/facilities/a")
    );
    assert_eq!(
        target("/map?country=KZ", "?kind=commitment").as_deref(),
        Some("/map?kind=commitment")
    );
    assert_eq!(target("/map", "?lang=ru"), None);
    assert_eq!(target("/", "//evil.example/"), None);
    assert_eq!(target("/", "https://example.org/"), None);
    assert_eq!(target("/", "/logout"), None);
}

#[test]
fn html_pieces_split_tags_and_text() {
    let html = r#"<!DOCTYPE html><p class="a>b">Hello &amp; bye<a href="/x?a=1&amp;b=2" title="T">link</a><code>per_page</code></p><script>if (a<b) {}</script>"#;
    assert_eq!(html_kit::links(html), ["/x?a=1&b=2"]);
    assert_eq!(html_kit::texts(html, false), ["Hello & bye", "T", "link"]);
}

#[test]
fn text_marked_english_can_be_left_out() {
    let html = r#"<p>Статус <span lang="en" title="x">grant aid<br>more</span> конец</p>"#;
    assert_eq!(html_kit::texts(html, true), ["Статус", "конец"]);
    assert_eq!(html_kit::texts(html, false).len(), 5);
}

#[test]
fn english_sentences_with_values_are_recognised() {
    assert_eq!(
        literal_pieces("the address parameter “{ $param }” does not accept this value"),
        ["the address parameter “", "” does not accept this value"]
    );
    let ru = english_patterns("ru");
    let pieces = ru.get("query-err-param").expect("a telling message");
    assert!(holds_in_order(
        "the address parameter “year_from” does not accept this value — «abc»",
        pieces
    ));
    assert!(!holds_in_order(
        "параметр адреса «year_from» не принимает это значение",
        pieces
    ));
    // A message that is mostly its values tells nothing.
    assert!(!english_patterns("ru").contains_key("form-new"));
}

#[test]
fn every_translated_catalogue_differs_somewhere_from_english() {
    for lang in ["ru", "uk", "kk"] {
        assert!(english_only(lang).len() > 100, "{lang}");
    }
}
