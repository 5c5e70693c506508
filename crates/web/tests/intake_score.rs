//! The review queue shows how sure the flow model was about each amount (issue 14), labelled in
//! the reader's language, so a reviewer can weigh a low-confidence fact before accepting it.

mod common;

use aidtrace_service::intake::aidtrace_intake::{ExtractOptions, extract};
use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use common::{Client, Req, env, login, spawn};

fn seed_article() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../intake/tests/data/dev.jsonl"
    );
    std::fs::read_to_string(path)
        .expect("dev.jsonl")
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("json"))
        .find(|v| v["id"] == "d01")
        .and_then(|v| v["text"].as_str().map(String::from))
        .expect("d01")
}

fn first_fact(text: &str) -> aidtrace_service::intake::aidtrace_intake::Fact {
    let opts = ExtractOptions {
        published: NaiveDate::from_ymd_opt(2024, 5, 30),
        ..ExtractOptions::default()
    };
    let ex = extract(text, &opts).expect("extract");
    ex.facts.into_iter().next().expect("a fact")
}

/// A score as the page should print it: a whole percentage.
fn percent(p: Option<f64>) -> String {
    let p = p.expect("the first fact has an amount and a score");
    format!("{}", (p * 100.0).round())
}

/// The first fact's flow score as the page should print it.
fn first_score_percent(text: &str) -> String {
    percent(first_fact(text).flow_score)
}

/// Submits the seed article as eve and returns the queue page in the language of `lang`.
async fn queue_page(lang: &str) -> String {
    let e = env();
    let c = Client::Socket(spawn(e.state.clone()).await);
    let (eve, csrf) = login(&c, "eve").await;
    let sent = c
        .send(Req::new(Method::POST, "/intake").cookie(&eve).form(&[
            ("csrf", csrf.as_str()),
            ("text", &seed_article()),
            ("published", "2024-05-30"),
        ]))
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let cookie = format!("{eve}; aidtrace_lang={lang}");
    let page = c.send(Req::get("/intake").cookie(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.body
}

/// The text of the element with `id`, up to its closing tag.
fn element<'a>(body: &'a str, id: &str) -> &'a str {
    let at = body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no element {id}: {body}"));
    let rest = &body[at..];
    &rest[..rest.find("</").unwrap_or(rest.len())]
}

#[tokio::test]
async fn the_queue_shows_the_model_score_of_each_amount_in_english() {
    let body = queue_page("en").await;
    let line = element(&body, "score-draft-1-0");
    let expected = format!("{}%", first_score_percent(&seed_article()));
    assert!(
        line.contains("Model confidence that this amount is aid"),
        "{line}"
    );
    assert!(line.contains(&expected), "{expected} in {line}");
}

#[tokio::test]
async fn the_model_score_label_is_translated_on_a_russian_page() {
    let body = queue_page("ru").await;
    let line = element(&body, "score-draft-1-0");
    let expected = format!("{}\u{a0}%", first_score_percent(&seed_article()));
    assert!(line.contains("Уверенность модели"), "{line}");
    assert!(!line.contains("Model confidence"), "{line}");
    assert!(line.contains(&expected), "{expected} in {line}");
}

#[tokio::test]
async fn the_queue_shows_the_donor_and_recipient_scores_beside_it() {
    let body = queue_page("en").await;
    let line = element(&body, "score-draft-1-0");
    let fact = first_fact(&seed_article());
    let donor = format!("donor: {}%", percent(fact.donor_score));
    let recipient = format!("recipient: {}%", percent(fact.recipient_score));
    assert!(line.contains(&donor), "{donor} in {line}");
    assert!(line.contains(&recipient), "{recipient} in {line}");
}
