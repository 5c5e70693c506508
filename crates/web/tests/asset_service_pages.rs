//! Contracts and spare parts pages over real HTTP (127.0.0.1:0) on the demo store: the facility
//! page with its alerts and SLA status, the two forms (every field error at once, in the reader's
//! language, nothing written), who may use them, CSRF.

#![allow(clippy::unwrap_used)]

mod common;

use aidtrace_domain::assets::ContractKind;
use aidtrace_domain::assets::contract::Contract;
use aidtrace_domain::assets::parts::{PartMinimum, SparePart};
use aidtrace_domain::{Record, RecordId};
use axum::http::{Method, StatusCode};
use common::{Client, Env, Req, env, login, spawn};

const SEMEY: &str = "fac-semey-university-hospital";
const PAGE: &str = "/assets/service?facility=fac-semey-university-hospital";

fn id(s: &str) -> RecordId {
    RecordId::parse(s).unwrap()
}

/// A warranty on the MRI ending within the alert horizon of today, and a part with a minimum of
/// 2 and no stock.
fn seed(env: &Env) {
    let today = chrono::Utc::now().date_naive();
    env.with_service(|app| {
        app.put(
            "test",
            vec![
                Record::Contract(Contract {
                    id: id("ct-mri"),
                    vendor: Some(id("org-mfr-unstated-imaging")),
                    kind: ContractKind::Warranty,
                    assets: vec![id("as-semey-mri-1")],
                    model: None,
                    facility: None,
                    start: today - chrono::Duration::days(300),
                    end: today + chrono::Duration::days(10),
                    annual_cost: None,
                    response_hours: Some(4),
                    uptime_pct: None,
                    covered_hours: None,
                    reference: None,
                    note: None,
                    sources: vec![],
                }),
                Record::SparePart(SparePart {
                    id: id("sp-coil"),
                    model: id("dm-illustrative-mri"),
                    part_number: "HC-42".into(),
                    name: "Head coil cable".into(),
                    unit: "piece".into(),
                    consumable: false,
                    minimums: vec![PartMinimum {
                        facility: id(SEMEY),
                        quantity: 2,
                    }],
                    note: None,
                    sources: vec![],
                }),
            ],
        )
        .unwrap();
    });
}

async fn http(env: &Env) -> Client {
    Client::Socket(spawn(env.state.clone()).await)
}

#[tokio::test]
async fn the_facility_page_shows_contract_alerts_sla_and_parts_below_minimum() {
    let env = env();
    seed(&env);
    let client = http(&env).await;
    let page = client.get(PAGE).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("id=\"contract-alerts\""),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("data-contract=\"ct-mri\" data-alert=\"true\"")
    );
    assert!(page.body.contains("Ending soon"));
    assert!(
        page.body
            .contains("data-sla=\"response\" data-status=\"not_measurable\"")
    );
    assert!(
        page.body
            .contains("data-part=\"sp-coil\" data-below=\"true\"")
    );
    assert!(page.body.contains("id=\"parts-alerts\""));
    // The asset page links to its own view, which shows the same contract.
    let asset = client.get("/assets/as-semey-mri-1").await;
    assert!(asset.body.contains("/assets/service?asset=as-semey-mri-1"));
    let own = client.get("/assets/service?asset=as-semey-mri-1").await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.body.contains("ct-mri"));
    // The CT's view has no contract.
    let ct = client.get("/assets/service?asset=as-semey-ct-1").await;
    assert!(ct.body.contains("id=\"no-contracts\""));
}

#[tokio::test]
async fn the_page_is_in_the_readers_language() {
    let env = env();
    seed(&env);
    let client = http(&env).await;
    for (lang, words) in [
        (
            "ru",
            [
                "Договоры и запасные части",
                "Скоро истекает",
                "ниже минимума",
            ],
        ),
        (
            "uk",
            [
                "Договори та запасні частини",
                "Незабаром спливає",
                "нижче мінімуму",
            ],
        ),
        (
            "kk",
            [
                "Шарттар мен қосалқы бөлшектер",
                "Жақында аяқталады",
                "ең төменгі деңгейден аз",
            ],
        ),
    ] {
        let page = client
            .send(Req::get(PAGE).header("cookie", &format!("aidtrace_lang={lang}")))
            .await;
        for w in words {
            assert!(page.body.contains(w), "{lang}: {w}");
        }
        assert!(!page.body.contains("Ending soon"), "{lang}");
    }
}

#[tokio::test]
async fn an_unknown_facility_is_not_found_and_a_missing_one_names_the_field() {
    let env = env();
    let client = http(&env).await;
    let r = client.get("/assets/service?facility=fac-nowhere").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = client.get("/assets/service").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("facility"));
}

#[tokio::test]
async fn the_contract_form_shows_every_field_error_at_once_and_writes_nothing() {
    let env = env();
    let client = http(&env).await;
    let (session, csrf) = login(&client, "fen").await;
    let form = client
        .send(Req::get(&format!("/assets/service/contract?facility={SEMEY}")).cookie(&session))
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let before = env.record_count();
    let r = post_contract_ru(
        &client,
        &session,
        &csrf,
        &[
            ("id", ""),
            ("start", "2025-13-01"),
            ("end", "soon"),
            ("uptime_pct", "most"),
        ],
    )
    .await;
    assert_fields_marked(&r, &["id", "start", "end", "uptime_pct"]);
    assert!(r.body.contains("обязательное поле"), "{}", r.body);
    assert!(r.body.contains("не дата"));
    assert_eq!(env.record_count(), before);
}

#[tokio::test]
async fn a_valid_contract_is_written_and_shown() {
    let env = env();
    let client = http(&env).await;
    let (session, csrf) = login(&client, "fen").await;
    let r = client
        .send(
            Req::new(Method::POST, "/assets/service/contract")
                .cookie(&session)
                .form(&[
                    ("csrf", &csrf),
                    ("facility", SEMEY),
                    ("id", "ct-new"),
                    ("vendor", "org-mfr-unstated-imaging"),
                    ("kind", "full_service"),
                    ("assets", "as-semey-mri-1"),
                    ("start", "2025-01-01"),
                    ("end", "2030-12-31"),
                    ("annual_cost", "12000"),
                    ("currency", "USD"),
                    ("uptime_pct", "95"),
                    ("from_hour", "8"),
                    ("to_hour", "18"),
                    ("day-mon", "on"),
                    ("day-fri", "on"),
                ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = client.get(PAGE).await;
    assert!(
        page.body.contains("data-contract=\"ct-new\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("Full service"));
}

#[tokio::test]
async fn an_unknown_vendor_is_refused_by_the_service_with_the_form_again() {
    let env = env();
    let client = http(&env).await;
    let (session, csrf) = login(&client, "fen").await;
    let before = env.record_count();
    let r = client
        .send(
            Req::new(Method::POST, "/assets/service/contract")
                .cookie(&session)
                .form(&[
                    ("csrf", &csrf),
                    ("facility", SEMEY),
                    ("id", "ct-x"),
                    ("vendor", "org-nobody"),
                    ("kind", "warranty"),
                    ("assets", "as-semey-mri-1"),
                    ("start", "2025-01-01"),
                    ("end", "2025-12-31"),
                ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("org-nobody"));
    assert!(r.body.contains("id=\"contract-form\""));
    assert_eq!(env.record_count(), before);
}

#[tokio::test]
async fn only_people_who_may_report_for_the_facility_use_the_forms() {
    let env = env();
    let client = http(&env).await;
    let url = format!("/assets/service/movement?facility={SEMEY}");
    assert_eq!(client.get(&url).await.status, StatusCode::UNAUTHORIZED);
    for name in ["vic", "abe"] {
        let (session, _) = login(&client, name).await;
        let r = client.send(Req::get(&url).cookie(&session)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{name}");
    }
    let (session, _) = login(&client, "ada").await;
    let r = client.send(Req::get(&url).cookie(&session)).await;
    assert_eq!(r.status, StatusCode::OK);
    // A forged post is refused before anything else.
    let (session, _) = login(&client, "fen").await;
    let r = client
        .send(
            Req::new(Method::POST, "/assets/service/movement")
                .cookie(&session)
                .form(&[("csrf", &"0".repeat(64)), ("facility", SEMEY)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_movement_is_recorded_and_one_below_zero_is_refused_in_the_readers_language() {
    let env = env();
    seed(&env);
    let client = http(&env).await;
    let (session, csrf) = login(&client, "fen").await;
    let uk = format!("{session}; aidtrace_lang=uk");
    let post = |kind: &'static str, quantity: &'static str| {
        Req::new(Method::POST, "/assets/service/movement")
            .cookie(&uk)
            .form(&[
                ("csrf", &csrf),
                ("facility", SEMEY),
                ("part", "sp-coil"),
                ("kind", kind),
                ("quantity", quantity),
                ("at", "2026-01-10T09:00"),
            ])
    };
    let r = client.send(post("receipt", "3")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = client.get(PAGE).await;
    assert!(
        page.body
            .contains("data-part=\"sp-coil\" data-below=\"false\"")
    );
    let before = env.record_count();
    let r = client.send(post("adjustment", "-5")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("Відхилено"), "{}", r.body);
    // Two field errors at once: no quantity, a kind that is not offered.
    let r = client
        .send(
            Req::new(Method::POST, "/assets/service/movement")
                .cookie(&session)
                .form(&[
                    ("csrf", &csrf),
                    ("facility", SEMEY),
                    ("part", "sp-coil"),
                    ("kind", "theft"),
                    ("quantity", ""),
                ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("data-field=\"kind\"") && r.body.contains("data-field=\"quantity\""));
    assert_eq!(env.record_count(), before);
}

#[tokio::test]
async fn the_facility_page_links_to_its_service_page() {
    let env = env();
    let client = http(&env).await;
    let page = client.get(&format!("/facilities/{SEMEY}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!(
        "href=\"/assets/service?facility={SEMEY}\" id=\"facility-service\""
    )));
}

fn part_form<'a>(csrf: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("csrf", csrf),
        ("facility", SEMEY),
        ("model", "dm-illustrative-ventilator"),
        ("part_number", "F-100"),
        ("name", "Bacterial filter"),
        ("unit", "box of 10"),
        ("consumable", "on"),
    ];
    form.extend_from_slice(extra);
    form
}

#[tokio::test]
async fn a_part_is_added_with_a_minimum_edited_and_received() {
    let env = env();
    let client = http(&env).await;
    let (session, csrf) = login(&client, "fen").await;
    let post = |form: Vec<(&str, &str)>| {
        Req::new(Method::POST, "/assets/service/part")
            .cookie(&session)
            .form(&form)
    };
    let r = client
        .send(post(part_form(
            &csrf,
            &[("id", "sp-filter"), ("minimum", "4")],
        )))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = client.send(Req::get(PAGE).cookie(&session)).await;
    assert!(
        page.body.contains("data-catalogue=\"sp-filter\""),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("data-part=\"sp-filter\" data-below=\"true\"")
    );
    // Edit: the form comes filled in; the minimum goes down to 0 and the part is no longer short.
    let edit = client
        .send(
            Req::get(&format!(
                "/assets/service/part?facility={SEMEY}&id=sp-filter"
            ))
            .cookie(&session),
        )
        .await;
    assert!(edit.body.contains("value=\"F-100\""), "{}", edit.body);
    assert!(edit.body.contains("name=\"editing\""));
    let r = client
        .send(post(part_form(
            &csrf,
            &[("id", "sp-filter"), ("editing", "1"), ("minimum", "0")],
        )))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = client.send(Req::get(PAGE).cookie(&session)).await;
    assert!(
        page.body
            .contains("data-part=\"sp-filter\" data-below=\"false\"")
    );
    // "Record a receipt" opens the movement form with the part and the kind chosen.
    let url = format!("/assets/service/movement?facility={SEMEY}&part=sp-filter&kind=receipt");
    assert!(
        page.body.contains(&url.replace('&', "&amp;")),
        "{}",
        page.body
    );
    let receipt = client.send(Req::get(&url).cookie(&session)).await;
    assert!(
        receipt.body.contains("value=\"receipt\" selected"),
        "{}",
        receipt.body
    );
    assert!(receipt.body.contains("value=\"sp-filter\" selected"));
}

#[tokio::test]
async fn the_part_form_shows_every_field_error_at_once_in_the_readers_language() {
    let env = env();
    seed(&env);
    let client = http(&env).await;
    let (session, csrf) = login(&client, "fen").await;
    let before = env.record_count();
    let r = client
        .send(
            Req::new(Method::POST, "/assets/service/part")
                .cookie(&format!("{session}; aidtrace_lang=kk"))
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("facility", SEMEY),
                    ("id", "sp-coil"),
                    ("model", "dm-nothing"),
                    ("part_number", ""),
                    ("name", "Coil"),
                    ("unit", "piece"),
                    ("minimum", "many"),
                ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    for field in ["id", "model", "part_number", "minimum"] {
        assert!(
            r.body.contains(&format!("data-field=\"{field}\"")),
            "{field}: {}",
            r.body
        );
    }
    assert!(
        r.body.contains("тізілімде мұндай бұйым үлгісі жоқ"),
        "{}",
        r.body
    );
    assert_eq!(env.record_count(), before);
    // A viewer may not use the form.
    let (viewer, _) = login(&client, "vic").await;
    let r = client
        .send(Req::get(&format!("/assets/service/part?facility={SEMEY}")).cookie(&viewer))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_contract_form_shows_the_records_rules_beside_the_field_errors_in_one_round() {
    let env = env();
    let client = http(&env).await;
    let (session, csrf) = login(&client, "fen").await;
    let before = env.record_count();
    let r = post_contract_ru(
        &client,
        &session,
        &csrf,
        &[
            ("id", "svc-one-round"),
            ("start", "2026-01-01"),
            ("end", "2026-12-31"),
            ("response_hours", "-4"),
            ("annual_cost", "-100"),
            ("currency", "USD"),
            ("uptime_pct", "150"),
            ("from_hour", "25"),
            ("to_hour", "3"),
            ("day-mon", "on"),
        ],
    )
    .await;
    assert_fields_marked(
        &r,
        &["response_hours", "annual_cost", "uptime_pct", "from_hour"],
    );
    // The rules in Russian, not "breaks the record's rules".
    assert!(r.body.contains("не может быть отрицательным"), "{}", r.body);
    assert!(r.body.contains("доля должна быть больше 0"), "{}", r.body);
    assert!(r.body.contains("часы идут от 0–23"), "{}", r.body);
    assert_eq!(env.record_count(), before);
}

#[tokio::test]
async fn the_contract_form_shows_the_records_rules_even_when_the_id_dates_and_currency_are_unreadable()
 {
    let env = env();
    let client = http(&env).await;
    let (session, csrf) = login(&client, "fen").await;
    let before = env.record_count();
    let r = post_contract_ru(
        &client,
        &session,
        &csrf,
        &[
            ("id", "no spaces allowed"),
            ("start", "2026-02-30"),
            ("end", "2026-12-31"),
            ("annual_cost", "100"),
            ("currency", "doubloons"),
            ("response_hours", "0"),
            ("uptime_pct", "150"),
            ("from_hour", "9"),
            ("to_hour", "17"),
        ],
    )
    .await;
    // The unreadable fields and the record's rules (no day covered, uptime, response) at once.
    assert_fields_marked(
        &r,
        &[
            "id",
            "start",
            "currency",
            "response_hours",
            "uptime_pct",
            "days",
        ],
    );
    assert!(r.body.contains("доля должна быть больше 0"), "{}", r.body);
    assert_eq!(env.record_count(), before);
}

#[tokio::test]
async fn a_contract_ending_before_it_starts_is_refused_beside_its_end_with_the_start_named() {
    let env = env();
    let client = http(&env).await;
    let (session, csrf) = login(&client, "fen").await;
    let before = env.record_count();
    let r = post_contract_ru(
        &client,
        &session,
        &csrf,
        &[
            ("id", "svc-backwards"),
            ("start", "2026-06-01"),
            ("end", "2026-01-31"),
        ],
    )
    .await;
    assert_fields_marked(&r, &["end"]);
    assert!(
        r.body.contains("конец раньше начала (2026-06-01)"),
        "{}",
        r.body
    );
    assert_eq!(env.record_count(), before);
}

/// Posts the contract form for the Semey MRI in Russian, `fields` beside the vendor and kind.
async fn post_contract_ru(
    client: &Client,
    session: &str,
    csrf: &str,
    fields: &[(&str, &str)],
) -> common::Resp {
    let mut all = vec![
        ("csrf", csrf),
        ("facility", SEMEY),
        ("vendor", "org-mfr-unstated-imaging"),
        ("kind", "warranty"),
        ("assets", "as-semey-mri-1"),
    ];
    all.extend_from_slice(fields);
    client
        .send(
            Req::new(Method::POST, "/assets/service/contract")
                .cookie(&format!("{session}; aidtrace_lang=ru"))
                .form(&all),
        )
        .await
}

/// A refused form (400) that marks each of `fields`.
fn assert_fields_marked(r: &common::Resp, fields: &[&str]) {
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    for field in fields {
        assert!(
            r.body.contains(&format!("data-field=\"{field}\"")),
            "{field}: {}",
            r.body
        );
    }
}
