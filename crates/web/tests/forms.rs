//! The data-entry forms (`/forms/...`, `web/src/forms/`): one activity page with its countries,
//! sectors, participants, sources, flows and equipment lines as one change; every field problem
//! at once, in the reader's language; countries and currencies by name; generated ids; rows
//! added and removed without a script.

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{Method, StatusCode};
use common::{Client, Env, Req, env, login};

use common::form_fields::{Fields, activity, set};

async fn post(
    c: &Client,
    cookie: &str,
    csrf: &str,
    path: &str,
    fields: &Fields,
    action: &str,
) -> common::Resp {
    common::form_fields::post_new(c, cookie, csrf, path, fields, action).await
}

async fn signed_in(name: &str) -> (Env, Client, String, String) {
    let env = env();
    let c = Client::InProcess(env.state.clone());
    let (cookie, csrf) = login(&c, name).await;
    (env, c, cookie, csrf)
}

fn change_number(location: &str) -> i64 {
    location.rsplit('-').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn an_editors_activity_with_flow_and_equipment_is_one_change_approved_together() {
    let (env, c, eve, csrf) = signed_in("eve").await;
    let before = env.record_count();
    let resp = post(
        &c,
        &eve,
        &csrf,
        "/forms/activities",
        &activity("Ventilators for Semey"),
        "submit",
    )
    .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    let location = resp.header("location");
    assert!(location.starts_with("/changes#change-"), "{location}");
    // Nothing enters the ledger before approval.
    assert_eq!(env.record_count(), before);
    let token = env.token("abe");
    let id = change_number(&location);
    let ok = c
        .send(
            Req::new(Method::POST, &format!("/api/v1/changes/{id}/approve"))
                .bearer(&token)
                .json(&serde_json::json!({})),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    // Activity, source, flow and equipment line arrive together.
    assert_eq!(env.record_count(), before + 4);
    let snap = env.state.service().ledger().unwrap();
    let act = snap
        .activities
        .values()
        .find(|a| a.title == "Ventilators for Semey")
        .unwrap();
    assert_eq!(act.id.as_str(), "act-ventilators-for-semey");
    let countries: Vec<&str> = act.countries.iter().map(|c| c.country.as_str()).collect();
    assert_eq!(countries, ["KZ", "KG"]);
    assert_eq!(act.sectors.len(), 2);
    assert_eq!(act.participants.len(), 2);
    assert_eq!(act.participants[1].org.as_str(), "org-moh-kz");
    assert_eq!(act.facilities.len(), 1);
    assert_eq!(act.legal_steps.len(), 1);
    let source = act.sources[0].source.clone();
    assert_eq!(source.as_str(), "src-embassy-press-release-on-ventilators");
    let flow = snap.flows.values().find(|f| f.activity == act.id).unwrap();
    assert_eq!(flow.money.currency.as_str(), "JPY");
    assert_eq!(flow.sources[0].source, source);
    assert_eq!(flow.sources[0].quote.as_deref(), Some("30 million yen"));
    let line = snap
        .equipment_lines
        .values()
        .find(|e| e.activity == act.id)
        .unwrap();
    assert_eq!(line.quantity, Some(4));
}

#[tokio::test]
async fn an_admins_activity_with_its_flow_is_written_at_once() {
    let (env, c, ada, csrf) = signed_in("ada").await;
    let resp = post(
        &c,
        &ada,
        &csrf,
        "/forms/activities",
        &activity("Admin grant"),
        "submit",
    )
    .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    assert_eq!(resp.header("location"), "/activities/act-admin-grant");
    let snap = env.state.service().ledger().unwrap();
    assert!(
        snap.flows
            .values()
            .any(|f| f.activity.as_str() == "act-admin-grant")
    );
    let page = c
        .send(Req::get("/activities/act-admin-grant").cookie(&ada))
        .await;
    assert!(page.body.contains("ICU ventilator"));
}

#[tokio::test]
async fn all_field_errors_are_shown_at_once_next_to_their_fields_with_values_kept() {
    let (env, c, eve, csrf) = signed_in("eve").await;
    let before = env.record_count();
    let mut f = activity("Bad input everywhere");
    set(&mut f, "countries[0].country", "Atlantis");
    set(&mut f, "sectors[0].code", "121");
    set(&mut f, "sectors[1].percentage", "20");
    set(&mut f, "flows[0].money.amount", "lots");
    set(&mut f, "flows[0].money.currency", "doubloons");
    set(&mut f, "equipment[0].quantity", "four");
    set(&mut f, "end_date", "2027-13-45");
    set(&mut f, "instrument", "");
    let resp = post(&c, &eve, &csrf, "/forms/activities", &f, "submit").await;
    assert_eq!(
        resp.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        resp.body
    );
    for id in [
        "err-countries-0-country",
        "err-sectors-0-code",
        "err-flows-0-money-amount",
        "err-flows-0-money-currency",
        "err-equipment-0-quantity",
        "err-end_date",
        "err-instrument",
    ] {
        assert!(
            resp.body.contains(&format!("id=\"{id}\"")),
            "{id} missing: {}",
            resp.body
        );
    }
    assert!(resp.body.contains("id=\"form-errors\""));
    // The list at the top names each field as the form labels it, not by its path.
    let list = &resp.body[resp.body.find("id=\"form-errors\"").unwrap()..];
    let list = &list[..list.find("</ul>").unwrap()];
    assert!(list.contains(">End date</a>"), "{list}");
    assert!(list.contains(">Flows, row 1: Amount</a>"), "{list}");
    assert!(!list.contains("<code>"), "{list}");
    // What was typed stays in the form.
    assert!(resp.body.contains("value=\"Atlantis\""));
    assert!(resp.body.contains("value=\"four\""));
    assert_eq!(env.record_count(), before);
}

#[tokio::test]
async fn percentages_that_do_not_add_up_are_refused_with_the_sum() {
    let (_env, c, eve, csrf) = signed_in("eve").await;
    let mut f = activity("Sums");
    set(&mut f, "sectors[1].percentage", "20");
    let resp = post(&c, &eve, &csrf, "/forms/activities", &f, "submit").await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.body.contains("id=\"err-sectors-percentage\""),
        "{}",
        resp.body
    );
    assert!(resp.body.contains("«90»"));
    // The server shows the same sum the script keeps live.
    assert!(resp.body.contains("<output id=\"sum-sectors\">90</output>"));
}

#[tokio::test]
async fn an_activity_without_a_quoted_source_is_refused() {
    let (_env, c, eve, csrf) = signed_in("eve").await;
    let mut f = activity("No source");
    f.retain(|(k, _)| !k.starts_with("new_source.") && k != "sources[0].quote");
    let resp = post(&c, &eve, &csrf, "/forms/activities", &f, "submit").await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.body.contains("id=\"err-sources-0-quote\""),
        "{}",
        resp.body
    );
    assert!(resp.body.contains("id=\"err-flows-0-source\""));
}

#[tokio::test]
async fn a_zero_commitment_is_refused_but_a_zero_interest_payment_is_not() {
    let (env, c, ada, csrf) = signed_in("ada").await;
    let mut f = activity("Zero");
    set(&mut f, "flows[0].money.amount", "0");
    let resp = post(&c, &ada, &csrf, "/forms/activities", &f, "submit").await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.body.contains("id=\"err-flows-0-money-amount\""),
        "{}",
        resp.body
    );
    assert!(resp.body.contains("only for interest payments"));
    set(&mut f, "flows[0].kind", "interest_payment");
    let resp = post(&c, &ada, &csrf, "/forms/activities", &f, "submit").await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    assert!(
        env.state
            .service()
            .ledger()
            .unwrap()
            .flows
            .values()
            .any(|f| f.money.amount.is_zero())
    );
}

#[tokio::test]
async fn countries_and_currencies_are_accepted_by_name_in_any_case() {
    let (env, c, ada, csrf) = signed_in("ada").await;
    for (i, (country, currency)) in [("Kazakhstan", "yen"), ("kazakhstan", "JPY"), ("KZ", "Yen")]
        .iter()
        .enumerate()
    {
        let mut f = activity(&format!("By name {i}"));
        f.retain(|(k, _)| !k.starts_with("countries[1]"));
        set(&mut f, "countries[0].country", country);
        set(&mut f, "countries[0].percentage", "100");
        set(&mut f, "flows[0].money.currency", currency);
        let resp = post(&c, &ada, &csrf, "/forms/activities", &f, "submit").await;
        assert_eq!(
            resp.status,
            StatusCode::SEE_OTHER,
            "{country}: {}",
            resp.body
        );
    }
    let snap = env.state.service().ledger().unwrap();
    let made: Vec<_> = snap
        .activities
        .values()
        .filter(|a| a.title.starts_with("By name"))
        .collect();
    assert_eq!(made.len(), 3);
    assert!(made.iter().all(|a| a.countries[0].country.as_str() == "KZ"));
    assert!(
        snap.flows
            .values()
            .filter(|f| f.activity.as_str().starts_with("act-by-name"))
            .all(|f| f.money.currency.as_str() == "JPY")
    );
}

#[tokio::test]
async fn a_facility_in_kazakhstan_by_name_and_an_organisation_with_roles() {
    let (env, c, ada, csrf) = signed_in("ada").await;
    let fac: Fields = [
        ("name", "Pavlodar Regional Hospital"),
        ("kind", "regional_hospital"),
        ("country", "kazakhstan"),
        ("city", "Pavlodar"),
        ("location.lat", "52.28"),
        ("location.lon", "76.95"),
        ("beds", "450"),
        ("status_history[0].status", "operational"),
        ("status_history[0].date", "2026-01-01"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
    .collect();
    let resp = post(&c, &ada, &csrf, "/forms/facilities", &fac, "submit").await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    assert_eq!(
        resp.header("location"),
        "/facilities/fac-pavlodar-regional-hospital"
    );
    let org: Fields = [
        ("name", "Korea International Cooperation Agency"),
        ("kind", "government_agency"),
        ("roles.donor_agency", "on"),
        ("country", "South Korea"),
        ("identifiers[0].scheme", "iati"),
        ("identifiers[0].value", "KR-GOV-010"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
    .collect();
    let resp = post(&c, &ada, &csrf, "/forms/organisations", &org, "submit").await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    let snap = env.state.service().ledger().unwrap();
    let fac = snap
        .facilities
        .values()
        .find(|f| f.name == "Pavlodar Regional Hospital")
        .unwrap();
    assert_eq!(fac.country.as_str(), "KZ");
    assert_eq!(fac.status_history.len(), 1);
    let koica = snap
        .organisations
        .values()
        .find(|o| o.name.starts_with("Korea International"))
        .unwrap();
    assert_eq!(koica.country.as_ref().unwrap().as_str(), "KR");
    assert_eq!(koica.roles.len(), 1);
    assert_eq!(koica.identifiers.len(), 1);
}

#[tokio::test]
async fn ids_come_from_the_title_and_get_a_suffix_when_taken() {
    let (env, c, ada, csrf) = signed_in("ada").await;
    for _ in 0..2 {
        let resp = post(
            &c,
            &ada,
            &csrf,
            "/forms/activities",
            &activity("Same title"),
            "submit",
        )
        .await;
        assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    }
    let snap = env.state.service().ledger().unwrap();
    assert!(
        snap.activities
            .keys()
            .any(|k| k.as_str() == "act-same-title")
    );
    assert!(
        snap.activities
            .keys()
            .any(|k| k.as_str() == "act-same-title-2")
    );
    // An id typed before the first save is used as typed.
    let mut f = activity("Typed id");
    set(&mut f, "id", "act-kz-my-own-id");
    let resp = post(&c, &ada, &csrf, "/forms/activities", &f, "submit").await;
    assert_eq!(resp.header("location"), "/activities/act-kz-my-own-id");
}

#[tokio::test]
async fn a_generated_id_is_shown_for_editing_when_the_form_comes_back() {
    let (_env, c, eve, csrf) = signed_in("eve").await;
    let mut f = activity("Shown id");
    set(&mut f, "instrument", "");
    let resp = post(&c, &eve, &csrf, "/forms/activities", &f, "submit").await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.body
            .contains("name=\"id\" id=\"f-id\" value=\"act-shown-id\""),
        "{}",
        resp.body
    );
}

#[tokio::test]
async fn script_in_every_text_field_is_stored_as_text_and_shown_escaped() {
    let (env, c, ada, csrf) = signed_in("ada").await;
    let evil = "<script>alert(1)</script>";
    let mut f = activity(evil);
    for k in [
        "description",
        "purpose",
        "target_population",
        "iati_identifier",
        "legal_steps[0].reference",
        "sources[0].quote",
        "new_source.title",
        "new_source.publisher",
        "flows[0].description",
        "flows[0].quote",
        "equipment[0].description",
    ] {
        set(&mut f, k, evil);
    }
    let resp = post(&c, &ada, &csrf, "/forms/activities", &f, "submit").await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    let snap = env.state.service().ledger().unwrap();
    let act = snap.activities.values().find(|a| a.title == evil).unwrap();
    assert_eq!(act.description.as_deref(), Some(evil));
    let page = c
        .send(Req::get(&format!("/activities/{}", act.id)).cookie(&ada))
        .await;
    assert!(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!page.body.contains(evil));
    // A refused form shows the typed script as text as well.
    set(&mut f, "instrument", "");
    let again = post(&c, &ada, &csrf, "/forms/activities", &f, "submit").await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!again.body.contains(evil));
}

#[tokio::test]
async fn add_row_without_a_script_re_renders_with_one_more_row_and_writes_nothing() {
    let (env, c, eve, csrf) = signed_in("eve").await;
    let before = env.record_count();
    let mut f = activity("Rows");
    set(&mut f, "_add", "countries");
    let resp = post(&c, &eve, &csrf, "/forms/activities", &f, "submit").await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
    assert!(resp.body.contains("name=\"countries[2].country\""));
    assert!(resp.body.contains("value=\"Kazakhstan\""));
    assert_eq!(env.record_count(), before);
}

#[tokio::test]
async fn remove_row_without_a_script_drops_that_row() {
    let (_env, c, eve, csrf) = signed_in("eve").await;
    let mut f = activity("Rows");
    set(&mut f, "_remove", "countries.0");
    let resp = post(&c, &eve, &csrf, "/forms/activities", &f, "submit").await;
    assert_eq!(resp.status, StatusCode::OK);
    assert!(!resp.body.contains("value=\"Kazakhstan\""));
    assert!(
        resp.body
            .contains("name=\"countries[0].country\" id=\"f-countries-0-country\" value=\"kg\""),
        "{}",
        resp.body
    );
}

#[tokio::test]
async fn field_errors_speak_the_readers_language() {
    let (_env, c, eve, csrf) = signed_in("eve").await;
    let mut f = activity("Язык");
    set(&mut f, "sectors[1].percentage", "20");
    set(&mut f, "countries[0].country", "Атлантида");
    let mut all: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    all.push(("csrf", &csrf));
    all.push(("_mode", "new"));
    let resp = c
        .send(
            Req::new(Method::POST, "/forms/activities")
                .cookie(&format!("{eve}; aidtrace_lang=ru"))
                .form(&all),
        )
        .await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.body.contains("проценты должны в сумме давать 100"),
        "{}",
        resp.body
    );
    assert!(resp.body.contains("не код и не название страны"));
}

#[tokio::test]
async fn long_choice_lists_have_type_ahead() {
    let (_env, c, eve, _csrf) = signed_in("eve").await;
    let page = c.send(Req::get("/forms/activities/new").cookie(&eve)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("list=\"dl-country\""));
    let countries = page
        .body
        .split("<datalist id=\"dl-country\">")
        .nth(1)
        .unwrap()
        .split("</datalist>")
        .next()
        .unwrap();
    assert!(countries.matches("<option").count() > 200);
    assert!(countries.contains("<option value=\"KZ\">Kazakhstan</option>"));
    assert!(page.body.contains("list=\"dl-currency\""));
    assert!(page.body.contains("list=\"dl-organisation\""));
    assert!(
        page.body
            .contains("<script src=\"/static/forms.js\" defer></script>")
    );
    // The lists travel with every form: keep the page small (long lists go to /forms/suggest).
    eprintln!("activity form: {} bytes", page.body.len());
    assert!(page.body.len() < 150_000, "{} bytes", page.body.len());
    let js = c.get("/static/forms.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.header("content-type").starts_with("text/javascript"));
}

#[tokio::test]
async fn a_stored_activity_opens_with_its_flows_and_lines_and_saves_back_unchanged() {
    let (env, c, ada, csrf) = signed_in("ada").await;
    let page = c
        .send(Req::get("/forms/activities/act-kz-semey-equipment").cookie(&ada))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("value=\"flow-kz-semey-commitment\""));
    let before = env.state.service().ledger().unwrap();
    let act_before = before
        .activities
        .values()
        .find(|a| a.id.as_str() == "act-kz-semey-equipment")
        .unwrap()
        .clone();
    // Post back every input as the page shows it.
    let mut fields = shown_values(&page.body);
    fields.retain(|(k, _)| k != "csrf");
    fields.push(("_action".into(), "submit".into()));
    fields.push(("csrf".into(), csrf.clone()));
    let all: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let resp = c
        .send(
            Req::new(Method::POST, "/forms/activities")
                .cookie(&ada)
                .form(&all),
        )
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    let after = env.state.service().ledger().unwrap();
    let act_after = after
        .activities
        .values()
        .find(|a| a.id.as_str() == "act-kz-semey-equipment")
        .unwrap();
    assert_eq!(&act_before, act_after);
    assert_eq!(before.flows, after.flows);
    assert_eq!(before.equipment_lines, after.equipment_lines);
}

/// Every input, select and textarea of a form page with the value it shows, as a browser posts them.
fn shown_values(doc: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    for piece in doc.split("<input").skip(1) {
        let tag = piece.split('>').next().unwrap();
        let attr = |a: &str| {
            tag.split(&format!(" {a}=\""))
                .nth(1)
                .map(|s| s.split('"').next().unwrap().to_string())
        };
        let Some(name) = attr("name") else { continue };
        if tag.contains("type=\"checkbox\"") {
            if tag.contains(" checked") {
                fields.push((html_unescape(&name), "on".into()));
            }
            continue;
        }
        let value = attr("value").unwrap_or_default();
        fields.push((html_unescape(&name), html_unescape(&value)));
    }
    for piece in doc.split("<select name=\"").skip(1) {
        let name = piece.split('"').next().unwrap().to_string();
        let selected = piece
            .split("</select>")
            .next()
            .unwrap()
            .split("<option value=\"")
            .skip(1)
            .find(|o| o.contains("\" selected"))
            .map(|o| o.split('"').next().unwrap().to_string())
            .unwrap_or_default();
        fields.push((name, selected));
    }
    for piece in doc.split("<textarea name=\"").skip(1) {
        let name = piece.split('"').next().unwrap().to_string();
        let text = piece
            .split_once('>')
            .unwrap()
            .1
            .split("</textarea>")
            .next()
            .unwrap();
        fields.push((name, html_unescape(text)));
    }
    fields
}

fn html_unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn a_flow_needs_a_source_and_quote() {
    let (env, c, eve, csrf) = signed_in("eve").await;
    let mut f: Fields = [
        ("activity", "act-kz-semey-equipment"),
        ("kind", "disbursement"),
        ("money.amount", "1000000"),
        ("money.currency", "yen"),
        ("money.value_date", "2026-05-01"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
    .collect();
    let before = env.record_count();
    let resp = post(&c, &eve, &csrf, "/forms/flows", &f, "submit").await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.body.contains("id=\"err-sources-0-quote\""),
        "{}",
        resp.body
    );
    set(&mut f, "sources[0].source", "src-kz-semey-grant");
    set(&mut f, "sources[0].quote", "the first payment");
    let resp = post(&c, &eve, &csrf, "/forms/flows", &f, "submit").await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    assert!(resp.header("location").starts_with("/changes#change-"));
    assert_eq!(env.record_count(), before);
}

#[tokio::test]
async fn a_stored_flow_is_edited_in_its_own_form() {
    let (env, c, ada, csrf) = signed_in("ada").await;
    let page = c
        .send(Req::get("/forms/flows/flow-kz-semey-commitment").cookie(&ada))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("value=\"108700000\""));
    let mut fields = shown_values(&page.body);
    fields.retain(|(k, _)| k != "csrf" && k != "money.value_date");
    fields.push(("money.value_date".into(), "2025-06-01".into()));
    fields.push(("_action".into(), "submit".into()));
    fields.push(("csrf".into(), csrf.clone()));
    let all: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let resp = c
        .send(
            Req::new(Method::POST, "/forms/flows")
                .cookie(&ada)
                .form(&all),
        )
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    assert_eq!(
        resp.header("location"),
        "/activities/act-kz-semey-equipment"
    );
    let ledger = env.state.service().ledger().unwrap();
    let flow = ledger
        .flows
        .values()
        .find(|f| f.id.as_str() == "flow-kz-semey-commitment")
        .unwrap();
    assert_eq!(flow.money.value_date.unwrap().to_string(), "2025-06-01");
    // What the form does not show is kept: the stated equivalent and the citation's field.
    assert!(flow.stated_equivalent.is_some());
    assert_eq!(flow.sources[0].field.as_deref(), Some("money"));
    // A second save of the page as loaded is refused: the flow moved on since.
    let stale = c
        .send(
            Req::new(Method::POST, "/forms/flows")
                .cookie(&ada)
                .form(&all),
        )
        .await;
    assert_eq!(
        stale.status,
        StatusCode::PRECONDITION_FAILED,
        "{}",
        stale.body
    );
    assert!(stale.body.contains("id=\"form-errors\""));
}

#[tokio::test]
async fn a_flows_parent_is_chosen_among_its_activitys_flows_only() {
    let (_env, c, eve, _csrf) = signed_in("eve").await;
    let page = c
        .send(Req::get("/forms/flows/new?activity=act-kz-semey-equipment").cookie(&eve))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let flows = page
        .body
        .split("<datalist id=\"dl-flow\">")
        .nth(1)
        .expect("a list of parent flows")
        .split("</datalist>")
        .next()
        .unwrap();
    assert!(
        flows.contains("value=\"flow-kz-semey-commitment\""),
        "{flows}"
    );
    assert!(
        !flows.contains("flow-kz-ggp-zhezbek"),
        "another activity's flow: {flows}"
    );
}

#[tokio::test]
async fn long_lists_are_searched_on_the_server_for_signed_in_users() {
    let (_env, c, eve, _csrf) = signed_in("eve").await;
    let resp = c
        .send(Req::get("/forms/suggest/organisation?q=JAPAN").cookie(&eve))
        .await;
    assert_eq!(resp.status, StatusCode::OK);
    let entries = resp.json();
    let ids: Vec<&str> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e[0].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"org-gov-japan"), "{ids:?}");
    assert!(!ids.contains(&"org-moh-ua"));
    assert_eq!(
        c.get("/forms/suggest/organisation?q=japan").await.status,
        StatusCode::UNAUTHORIZED
    );
    let other = c
        .send(Req::get("/forms/suggest/asset?q=x").cookie(&eve))
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_sector_given_by_its_name_or_label_is_stored_as_its_code() {
    let (env, c, ada, csrf) = signed_in("ada").await;
    let mut f = activity("Sectors by name");
    set(&mut f, "sectors[0].code", "медицинские услуги");
    set(
        &mut f,
        "sectors[1].code",
        "12230 Basic health infrastructure",
    );
    let resp = post(&c, &ada, &csrf, "/forms/activities", &f, "submit").await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    let snap = env.state.service().ledger().unwrap();
    let act = snap
        .activities
        .values()
        .find(|a| a.title == "Sectors by name")
        .unwrap();
    let codes: Vec<&str> = act.sectors.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(codes, ["12191", "12230"]);
}

/// The ids of the field errors a form page shows (`id="err-…"`).
fn error_ids(body: &str) -> Vec<&str> {
    body.match_indices("id=\"err-")
        .filter_map(|(at, _)| {
            let rest = &body[at + 4..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

#[tokio::test]
async fn the_models_rules_are_reported_with_the_field_errors_in_one_round() {
    let (env, c, eve, csrf) = signed_in("eve").await;
    let before = env.record_count();
    let mut f = activity("One round");
    // A field the form cannot read, beside rules of the model the record breaks.
    set(&mut f, "flows[0].money.amount", "lots");
    set(&mut f, "end_date", "2026-01-01");
    set(&mut f, "sectors[0].code", "121");
    set(&mut f, "sectors[1].percentage", "20");
    let resp = post(&c, &eve, &csrf, "/forms/activities", &f, "submit").await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ids = error_ids(&resp.body);
    for id in [
        "err-flows-0-money-amount",
        "err-end_date",
        "err-sectors-0-code",
        // A wrong code does not hide that the shares add up to 90.
        "err-sectors-percentage",
    ] {
        assert!(ids.contains(&id), "{id} missing: {ids:?}");
    }
    assert_eq!(env.record_count(), before);
}

#[tokio::test]
async fn the_models_refusals_are_worded_in_the_readers_language() {
    let (_env, c, ada, csrf) = signed_in("ada").await;
    let fac: Fields = [
        ("name", "Pavlodar Regional Hospital"),
        ("kind", "regional_hospital"),
        ("country", "kazakhstan"),
        ("location.lat", "91"),
        ("location.lon", "200"),
        ("status_history[0].status", "operational"),
        ("status_history[0].date", "1800-01-01"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
    .collect();
    let ru = format!("{ada}; aidtrace_lang=ru");
    let resp = post(&c, &ru, &csrf, "/forms/facilities", &fac, "submit").await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ids = error_ids(&resp.body);
    for id in [
        "err-location-lat",
        "err-location-lon",
        "err-status_history-0-date",
    ] {
        assert!(ids.contains(&id), "{id} missing: {ids:?}");
    }
    for russian in [
        "широта должна быть от -90 до 90",
        "долгота должна быть от -180 до 180",
        "год должен быть от",
    ] {
        assert!(resp.body.contains(russian), "{russian}: {}", resp.body);
    }
    for english in ["latitude must be", "longitude must be", "the year must lie"] {
        assert!(!resp.body.contains(english), "{english} in a Russian page");
    }
}

#[tokio::test]
async fn a_rule_of_a_row_after_an_empty_row_is_shown_beside_that_row() {
    let (_env, c, eve, csrf) = signed_in("eve").await;
    let mut f = activity("Rows after an empty one");
    // The first legal step left empty, the second dated before the years the ledger accepts.
    set(&mut f, "legal_steps[0].kind", "");
    set(&mut f, "legal_steps[0].date", "");
    set(&mut f, "legal_steps[1].kind", "grant_contract");
    set(&mut f, "legal_steps[1].date", "1800-01-01");
    let resp = post(&c, &eve, &csrf, "/forms/activities", &f, "submit").await;
    assert_eq!(
        resp.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        resp.body
    );
    let ids = error_ids(&resp.body);
    assert!(ids.contains(&"err-legal_steps-1-date"), "{ids:?}");
    assert!(!ids.contains(&"err-legal_steps-0-date"), "{ids:?}");
}
