//! A refusal of the service's rules reaches a Russian page in Russian: the intake review's "not
//! an editable field" carries a message id (`ValidationError::problem`), so the page words it from
//! the catalogue rather than showing the English sentence the CLI prints.

mod common;

use axum::http::{Method, StatusCode};
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

#[tokio::test]
async fn an_intake_refusal_is_worded_in_russian_on_a_russian_page() {
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

    let russian = format!("{eve}; aidtrace_lang=ru");
    let refused = c
        .send(
            Req::new(Method::POST, "/intake/draft-1/0/accept")
                .cookie(&russian)
                .form(&[("csrf", csrf.as_str()), ("set", "colour=red")]),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("это поле нельзя изменить"),
        "{}",
        refused.body
    );
    assert!(
        !refused.body.contains("not an editable field"),
        "{}",
        refused.body
    );
}
