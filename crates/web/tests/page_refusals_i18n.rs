//! Refusals a page shows are worded in the reader's language from a message id, not matched from
//! (or shown as) the English sentence the API and the logs keep: a page's own parameters (map
//! country and kind, export list and format, the approval action and change number, the review
//! action) and the approval workflow's refusals (`ChangeError` carries a `ProblemId`); a query
//! value a page cannot read (not axum's English text); the data-entry forms' own checks; the
//! phone "device down" form; the energy plan and its commit.

mod common;

use axum::http::{Method, StatusCode};
use common::form_fields::{activity, set};
use common::{Client, Req, env, login, propose_overspend};

/// The page's text between the error paragraph's tags.
fn error_of(body: &str) -> String {
    body.split("id=\"error\"")
        .nth(1)
        .and_then(|s| s.split("</p>").next())
        .unwrap_or_else(|| panic!("no error paragraph: {body}"))
        .to_string()
}

/// The text of the field problem shown next to the input with DOM id `err-…`.
fn field_error(body: &str, id: &str) -> String {
    body.split(&format!("id=\"{id}\""))
        .nth(1)
        .and_then(|s| s.split_once('>'))
        .and_then(|(_, s)| s.split("</span>").next())
        .unwrap_or_else(|| panic!("no {id}: {body}"))
        .to_string()
}

async fn get_in(c: &Client, uri: &str, lang: &str) -> common::Resp {
    let cookie = format!("aidtrace_lang={lang}");
    c.send(Req::get(uri).cookie(&cookie)).await
}

#[tokio::test]
async fn an_unknown_map_country_is_refused_in_kazakh() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let r = get_in(&c, "/map?country=Atlantis", "kk").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let err = error_of(&r.body);
    assert!(
        err.contains("картада контуры бар елдің") && err.contains("Atlantis"),
        "{err}"
    );
    assert!(!err.contains("not a country"), "{err}");
}

#[tokio::test]
async fn an_unknown_map_flow_kind_is_refused_in_russian() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let r = get_in(&c, "/map?kind=gift", "ru").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let err = error_of(&r.body);
    assert!(
        err.contains("допустимые значения") && err.contains("disbursement"),
        "{err}"
    );
    assert!(!err.contains("not accepted"), "{err}");
}

#[tokio::test]
async fn an_unknown_export_format_is_refused_in_ukrainian() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let r = get_in(&c, "/export/flows/pdf", "uk").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let err = error_of(&r.body);
    assert!(
        err.contains("допустимі значення: csv, xlsx") && err.contains("pdf"),
        "{err}"
    );
    assert!(!err.contains("use csv or xlsx"), "{err}");
}

#[tokio::test]
async fn an_unknown_export_list_is_refused_in_russian() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let r = get_in(&c, "/export/budgets/csv", "ru").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let err = error_of(&r.body);
    assert!(
        err.contains("допустимые значения") && err.contains("activities"),
        "{err}"
    );
    assert!(!err.contains("no list"), "{err}");
}

#[tokio::test]
async fn an_unknown_totals_grouping_in_an_export_is_refused_in_kazakh() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let r = get_in(&c, "/export/totals/csv?by=colour", "kk").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let err = error_of(&r.body);
    assert!(
        err.contains("рұқсат етілген мәндер") && err.contains("donor"),
        "{err}"
    );
    assert!(!err.contains("is not one of"), "{err}");
}

#[tokio::test]
async fn a_change_number_that_is_no_number_is_refused_in_russian() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (ada, csrf) = login(&c, "ada").await;
    let cookie = format!("aidtrace_lang=ru; {ada}");
    let r = c
        .send(
            Req::new(Method::POST, "/changes/seven/approve")
                .cookie(&cookie)
                .form(&[("csrf", &csrf)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let err = error_of(&r.body);
    assert!(
        err.contains("нет изменения с таким номером") && err.contains("seven"),
        "{err}"
    );
    assert!(!err.contains("no change"), "{err}");
}

#[tokio::test]
async fn an_unknown_approval_action_is_refused_in_kazakh() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (ada, csrf) = login(&c, "ada").await;
    let cookie = format!("aidtrace_lang=kk; {ada}");
    let r = c
        .send(
            Req::new(Method::POST, "/changes/1/frobnicate")
                .cookie(&cookie)
                .form(&[("csrf", &csrf)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let err = error_of(&r.body);
    assert!(
        err.contains("рұқсат етілген мәндер") && err.contains("approve"),
        "{err}"
    );
    assert!(!err.contains("no action"), "{err}");
}

#[tokio::test]
async fn an_editor_approving_is_refused_in_ukrainian() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    // An editor of the embassy proposes a flow through the API: it waits for an approver.
    let id = propose_overspend(&e, &c).await;
    let (eve, csrf) = login(&c, "eve").await;
    let cookie = format!("aidtrace_lang=uk; {eve}");
    let r = c
        .send(
            Req::new(Method::POST, &format!("/changes/{id}/approve"))
                .cookie(&cookie)
                .form(&[("csrf", &csrf)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let err = error_of(&r.body);
    assert!(
        err.contains("не може затверджувати чи відхиляти зміни"),
        "{err}"
    );
    assert!(!err.contains("may not approve"), "{err}");
}

#[tokio::test]
async fn an_unknown_review_action_is_refused_in_ukrainian() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (ada, csrf) = login(&c, "ada").await;
    let cookie = format!("aidtrace_lang=uk; {ada}");
    let r = c
        .send(
            Req::new(Method::POST, "/organisations/review")
                .cookie(&cookie)
                .form(&[("csrf", &csrf), ("org", "org-jica"), ("action", "burn")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let err = error_of(&r.body);
    assert!(
        err.contains("допустимі значення: link, keep") && err.contains("burn"),
        "{err}"
    );
    assert!(!err.contains("expected link or keep"), "{err}");
}

#[tokio::test]
async fn a_query_value_a_page_cannot_read_is_refused_in_russian() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (vic, _) = login(&c, "vic").await;
    let r = c
        .send(Req::get("/energy?fuel=abc").cookie(&format!("aidtrace_lang=ru; {vic}")))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let err = error_of(&r.body);
    assert!(
        err.contains("параметр адреса «fuel» не принимает") && err.contains("abc"),
        "{err}"
    );
    assert!(!err.contains("Failed to deserialize"), "{err}");
}

#[tokio::test]
async fn a_query_value_in_a_flattened_part_is_named_in_kazakh() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    // The export's query holds the activity list's search beside the filter; a second `q`
    // cannot be read into its one text.
    let r = get_in(&c, "/export/activities/csv?q=a&q=b", "kk").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let err = error_of(&r.body);
    assert!(err.contains("мекенжайдың «q» параметрі"), "{err}");
    assert!(!err.contains("Failed to deserialize"), "{err}");
}

#[tokio::test]
async fn a_change_number_no_change_has_is_refused_in_kazakh() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (ada, csrf) = login(&c, "ada").await;
    let r = c
        .send(
            Req::new(Method::POST, "/changes/99999/approve")
                .cookie(&format!("aidtrace_lang=kk; {ada}"))
                .form(&[("csrf", &csrf)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let err = error_of(&r.body);
    assert!(
        err.contains("бекіту кезегінде мұндай нөмірлі өзгеріс жоқ") && err.contains("99999"),
        "{err}"
    );
    assert!(!err.contains("no change"), "{err}");
}

/// The activity form posted by the embassy's editor with one field changed, in `lang`.
async fn activity_form_in(lang: &str, field: &str, value: &str) -> String {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (eve, csrf) = login(&c, "eve").await;
    let mut f = activity("Refusals in other languages");
    set(&mut f, field, value);
    let cookie = format!("aidtrace_lang={lang}; {eve}");
    let r =
        common::form_fields::post_new(&c, &cookie, &csrf, "/forms/activities", &f, "submit").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    r.body
}

#[tokio::test]
async fn a_sector_code_of_three_digits_is_refused_on_the_form_in_russian() {
    let body = activity_form_in("ru", "sectors[0].code", "121").await;
    let err = field_error(&body, "err-sectors-0-code");
    assert!(
        err.contains("укажите код цели DAC (5 цифр") && err.contains("121"),
        "{err}"
    );
}

#[tokio::test]
async fn a_sector_code_the_dac_list_lacks_is_refused_on_the_form_in_ukrainian() {
    let body = activity_form_in("uk", "sectors[0].code", "99999").await;
    let err = field_error(&body, "err-sectors-0-code");
    assert!(
        err.contains("такого коду цілі OECD DAC немає") && err.contains("99999"),
        "{err}"
    );
}

#[tokio::test]
async fn percentages_not_adding_up_are_refused_on_the_form_in_ukrainian() {
    let body = activity_form_in("uk", "sectors[1].percentage", "20").await;
    let err = field_error(&body, "err-sectors-percentage");
    assert!(
        err.contains("відсотки мають у сумі давати 100") && err.contains("90"),
        "{err}"
    );
}

#[tokio::test]
async fn an_unknown_country_is_refused_on_the_form_in_kazakh() {
    let body = activity_form_in("kk", "countries[0].country", "Atlantis").await;
    let err = field_error(&body, "err-countries-0-country");
    assert!(
        err.contains("ел коды да, атауы да емес") && err.contains("Atlantis"),
        "{err}"
    );
    assert!(!err.contains("not a country"), "{err}");
}

#[tokio::test]
async fn a_zero_commitment_is_refused_on_the_form_in_russian() {
    let body = activity_form_in("ru", "flows[0].money.amount", "0").await;
    let err = field_error(&body, "err-flows-0-money-amount");
    assert!(
        err.contains("сумма 0 допускается только для процентов"),
        "{err}"
    );
    assert!(!err.contains("an amount of 0"), "{err}");
}

#[tokio::test]
async fn an_unknown_source_is_refused_on_the_form_in_ukrainian() {
    let body = activity_form_in("uk", "sources[0].source", "src-nowhere").await;
    let err = field_error(&body, "err-sources-0-source");
    assert!(
        err.contains("з таким ідентифікатором не існує") && err.contains("src-nowhere"),
        "{err}"
    );
    assert!(!err.contains("no source"), "{err}");
}

#[tokio::test]
async fn a_choice_not_offered_is_refused_on_the_form_in_kazakh() {
    let body = activity_form_in("kk", "instrument", "gift").await;
    let err = field_error(&body, "err-instrument");
    assert!(
        err.contains("нұсқалардың ішінде жоқ") && err.contains("gift"),
        "{err}"
    );
}

/// The phone "device down" (or "back in service") form of `asset` posted by the admin in `lang`.
async fn report_in(lang: &str, asset: &str, what: &str, fields: &[(&str, &str)]) -> common::Resp {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (ada, csrf) = login(&c, "ada").await;
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    c.send(
        Req::new(Method::POST, &format!("/assets/{asset}/{what}"))
            .cookie(&format!("aidtrace_lang={lang}; {ada}"))
            .form(&all),
    )
    .await
}

#[tokio::test]
async fn reporting_down_a_device_in_storage_is_refused_in_russian_naming_its_state() {
    let r = report_in("ru", "as-semey-vent-4", "down", &[("cause", "mechanical")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let err = error_of(&r.body);
    assert!(
        err.contains("отметить неисправным можно только работающее изделие")
            && err.contains("на складе"),
        "{err}"
    );
    assert!(!err.contains("in_storage"), "{err}");
}

#[tokio::test]
async fn a_cause_not_listed_is_refused_in_kazakh() {
    let r = report_in("kk", "as-semey-mri-1", "down", &[("cause", "gremlins")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let err = error_of(&r.body);
    assert!(
        err.contains("тізімдегі себептердің бірін таңдаңыз") && err.contains("gremlins"),
        "{err}"
    );
    assert!(!err.contains("is not one of"), "{err}");
}

#[tokio::test]
async fn a_report_dated_in_the_future_is_refused_in_ukrainian() {
    let r = report_in(
        "uk",
        "as-semey-mri-1",
        "down",
        &[("cause", "mechanical"), ("at", "2199-01-01")],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let err = error_of(&r.body);
    assert!(
        err.contains("час у майбутньому (більш ніж на 10 хв наперед)"),
        "{err}"
    );
    assert!(!err.contains("is in the future"), "{err}");
}

#[tokio::test]
async fn closing_a_downtime_that_is_not_open_is_refused_in_russian() {
    let r = report_in("ru", "as-semey-mri-1", "up", &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let err = error_of(&r.body);
    assert!(err.contains("у изделия нет открытого простоя"), "{err}");
    assert!(!err.contains("no open downtime"), "{err}");
}

#[tokio::test]
async fn a_time_that_is_no_time_is_refused_in_kazakh() {
    let r = report_in(
        "kk",
        "as-semey-mri-1",
        "down",
        &[("cause", "mechanical"), ("at", "yesterday")],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let err = error_of(&r.body);
    assert!(
        err.contains("уақыт түсініксіз түрде") && err.contains("yesterday"),
        "{err}"
    );
}

/// The energy plan (or its commit) posted in `lang` by `name`: the page's refusal paragraph.
async fn energy_in(
    lang: &str,
    name: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (session, csrf) = login(&c, name).await;
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    let r = c
        .send(
            Req::new(Method::POST, path)
                .cookie(&format!("aidtrace_lang={lang}; {session}"))
                .form(&all),
        )
        .await;
    let err = r
        .body
        .split("id=\"energy2-error\"")
        .nth(1)
        .and_then(|s| s.split("</p>").next())
        .unwrap_or_else(|| panic!("no refusal: {}", r.body))
        .to_string();
    (r.status, err)
}

#[tokio::test]
async fn an_energy_plan_with_a_fuel_price_that_is_no_number_is_refused_in_russian() {
    let (status, err) = energy_in(
        "ru",
        "vic",
        "/energy/v2",
        &[("units", "JICA-100:100:6"), ("fuel_price", "cheap")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        err.contains("введите число не меньше 0") && err.contains("cheap"),
        "{err}"
    );
}

#[tokio::test]
async fn an_energy_plan_with_a_fuel_price_out_of_range_is_refused_in_ukrainian() {
    let (status, err) = energy_in(
        "uk",
        "vic",
        "/energy/v2",
        &[("units", "JICA-100:100:6"), ("fuel_price", "5000")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        err.contains("Вкажіть ціну пального") && err.contains("5000"),
        "{err}"
    );
}

#[tokio::test]
async fn an_energy_plan_with_too_much_fuel_on_site_is_refused_in_kazakh() {
    let (status, err) = energy_in(
        "kk",
        "vic",
        "/energy/v2",
        &[("units", "JICA-100:100:6"), ("fuel_on_site", "20000000")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        err.contains("Орындағы отын қорын") && err.contains("20000000"),
        "{err}"
    );
}

#[tokio::test]
async fn an_energy_plan_with_a_region_fuel_line_it_cannot_read_is_refused_in_russian() {
    let (status, err) = energy_in(
        "ru",
        "vic",
        "/energy/v2",
        &[("units", "JICA-100:100:6"), ("region_fuel", "Kharkiv 1500")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        err.contains("Укажите по одному региону") && err.contains("Kharkiv 1500"),
        "{err}"
    );
}

#[tokio::test]
async fn committing_a_plan_to_an_unknown_activity_is_refused_in_kazakh() {
    let (status, err) = energy_in(
        "kk",
        "ada",
        "/energy/v2/commit",
        &[
            ("units", "JICA-100:100:6"),
            ("activity", "act-nope"),
            ("source", "src-ua-japan-health-2024-05"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        err.contains("мұндай идентификаторы бар") && err.contains("act-nope"),
        "{err}"
    );
    assert!(!err.contains("no such activity"), "{err}");
}
