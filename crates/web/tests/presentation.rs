//! Human presentation on real pages over HTTP: data-quality findings in the reader's language,
//! coded values as labels, times without fractions of a second, and a number copied from a page
//! ("68 790,50") accepted by a form in that page's language.

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{Method, StatusCode};
use common::{Client, Req, env, login};

const SEMEY: &str = "/activities/act-kz-semey-equipment";

async fn page(c: &Client, uri: &str, cookie: &str) -> String {
    let r = c.send(Req::get(uri).cookie(cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.body);
    r.body
}

#[tokio::test]
async fn check_messages_are_translated_on_a_russian_page() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let body = page(&c, SEMEY, "aidtrace_lang=ru").await;
    // The seed's stated dollar equivalent disagrees with the yen amount (FX-EQUIV).
    assert!(body.contains("FX-EQUIV"), "{body}");
    assert!(
        body.contains("заявленный эквивалент"),
        "the FX-EQUIV message in Russian: {body}"
    );
    assert!(
        !body.contains("is more than") && !body.contains("the conversion of"),
        "an English check sentence on a Russian page: {body}"
    );
    let quality = page(&c, "/quality", "aidtrace_lang=uk").await;
    assert!(quality.contains("заявлений еквівалент"), "{quality}");
}

#[tokio::test]
async fn the_cli_and_api_keep_the_english_sentence() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let r = c
        .send(Req::get("/api/v1/findings").cookie("aidtrace_lang=kk"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("stated equivalent"), "{}", r.body);
}

#[tokio::test]
async fn coded_values_show_as_labels_not_stored_names() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    for lang in ["en", "ru", "uk", "kk"] {
        let cookie = format!("aidtrace_lang={lang}");
        for uri in ["/", "/activities", SEMEY, "/organisations", "/quality"] {
            let body = page(&c, uri, &cookie).await;
            for raw in [
                ">incoming_commitment<",
                ">donor_agency<",
                "latest_available_rate",
                "grant_aid<",
                "RecordId(",
                "LatestAvailableRate",
                "LegalStep",
            ] {
                assert!(!body.contains(raw), "{uri} in {lang} shows {raw}");
            }
        }
    }
    let orgs = page(&c, "/organisations", "aidtrace_lang=ru").await;
    assert!(!orgs.contains("donor donor_agency"), "{orgs}");
}

#[tokio::test]
async fn history_times_have_no_fractions_of_a_second() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (cookie, _) = login(&c, "ada").await;
    let body = page(&c, SEMEY, &format!("{cookie}; aidtrace_lang=ru")).await;
    assert!(body.contains("id=\"history\""), "{body}");
    let history = &body[body.find("id=\"history\"").unwrap()..];
    assert!(history.contains(" UTC"), "{history}");
    // An RFC 3339 time with fractions ("…T08:16:40.123456Z") would show a 'T' and a point.
    let cells: Vec<&str> = history.split("<td>").skip(1).take(12).collect();
    for cell in cells {
        assert!(
            !(cell.contains('T') && cell.contains("Z<")),
            "a raw timestamp: {cell}"
        );
    }
}

#[tokio::test]
async fn a_number_as_a_russian_page_shows_it_is_accepted_by_the_form() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (ada, csrf) = login(&c, "ada").await;
    let fields = [
        ("title", "Grant in roubles format"),
        ("instrument", "grant_aid"),
        ("status", "implementation"),
        ("countries[0].country", "KZ"),
        ("countries[0].percentage", "100"),
        ("sectors[0].code", "12191"),
        ("sectors[0].percentage", "100"),
        ("participants[0].org", "org-embassy-japan-kz"),
        ("participants[0].role", "funding"),
        ("sources[0].quote", "68 790,50 yen"),
        ("new_source.title", "Press release in Russian"),
        ("new_source.kind", "press_release"),
        ("flows[0].kind", "commitment"),
        ("flows[0].money.amount", "68\u{a0}790,50"),
        ("flows[0].money.currency", "JPY"),
        ("flows[0].money.value_date", "2026-02-20"),
        ("flows[0].provider", "org-embassy-japan-kz"),
        ("flows[0].quote", "68 790,50"),
        ("csrf", &csrf),
        ("_mode", "new"),
        ("_action", "submit"),
    ];
    let resp = c
        .send(
            Req::new(Method::POST, "/forms/activities")
                .cookie(&format!("{ada}; aidtrace_lang=ru"))
                .form(&fields),
        )
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    let ledger = e.state.service().ledger().unwrap();
    let flow = ledger
        .flows
        .values()
        .find(|f| f.activity.as_str() == "act-grant-in-roubles-format")
        .expect("the flow was written");
    assert_eq!(flow.money.amount, "68790.50".parse().unwrap());
}

#[tokio::test]
async fn an_ambiguous_number_is_refused_naming_the_value() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (ada, csrf) = login(&c, "ada").await;
    let before = e.record_count();
    let fields = [
        ("title", "Refused"),
        ("instrument", "grant_aid"),
        ("status", "implementation"),
        ("flows[0].kind", "commitment"),
        ("flows[0].money.amount", "1,2,3"),
        ("flows[0].money.currency", "JPY"),
        ("csrf", &csrf),
        ("_mode", "new"),
        ("_action", "submit"),
    ];
    let resp = c
        .send(
            Req::new(Method::POST, "/forms/activities")
                .cookie(&format!("{ada}; aidtrace_lang=ru"))
                .form(&fields),
        )
        .await;
    assert_eq!(
        resp.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        resp.body
    );
    assert!(resp.body.contains("1,2,3"), "{}", resp.body);
    assert_eq!(e.record_count(), before);
}
