//! A facility's electricity and building loads entered in the browser (`/forms/facility-power`,
//! issue 16 item 2), over real HTTP on 127.0.0.1: one row per building load with its kind from
//! the list, tier, average and peak kW and starting kVA, or empty for unknown; rows added and
//! removed without a script; every row's problem at once beside its field, in the reader's
//! language, with what was typed kept and nothing written; edit and delete of a stored load;
//! the write scoped to the facility's engineer; the survey page showing and linking it.

#![allow(clippy::unwrap_used)]

mod common;
mod html_kit;

use aidtrace_domain::RecordId;
use axum::http::{Method, StatusCode};
use common::form_fields::{Fields, post_mode, post_new, set};
use common::{Client, Env, Req, env, login, spawn};
use html_kit::Piece;

const FORM: &str = "/forms/facility-power";

async fn signed_in(name: &str) -> (Env, Client, String, String) {
    let env = env();
    let c = Client::Socket(spawn(env.state.clone()).await);
    let (cookie, csrf) = login(&c, name).await;
    (env, c, cookie, csrf)
}

/// A new power record for Okhmatdyt (which has none in the demo) with two loads, the second
/// without figures (unknown).
fn okhmatdyt() -> Fields {
    [
        ("facility", "fac-ua-okhmatdyt"),
        ("phases", "3"),
        ("voltage", "400"),
        ("frequency_hz", "50"),
        ("backup_kva", "250"),
        ("backup_condition", "working"),
        ("typical_outage_hours_per_day", "8"),
        ("building_loads[0].kind", "medical_gases"),
        ("building_loads[0].average_kw", "12.5"),
        ("building_loads[0].peak_kw", "20"),
        ("building_loads[0].starting_kva", "45"),
        ("building_loads[1].kind", "heating_pumps"),
        ("building_loads[1].tier", "critical"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
    .collect()
}

/// What a browser would send for the form on `html`: text inputs, selected options, textareas.
fn form_values(html: &str) -> Fields {
    let mut out = Fields::new();
    let mut select: Option<String> = None;
    let mut textarea: Option<String> = None;
    let attr = |attrs: &[(String, String)], k: &str| {
        attrs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    };
    for piece in html_kit::pieces(html) {
        match piece {
            Piece::Tag { name, attrs } => match name.as_str() {
                "input" => {
                    let (Some(n), kind) = (attr(&attrs, "name"), attr(&attrs, "type")) else {
                        continue;
                    };
                    if n == "csrf" || n == "_mode" {
                        continue;
                    }
                    if kind.as_deref() == Some("checkbox") && attr(&attrs, "checked").is_none() {
                        continue;
                    }
                    out.push((n, attr(&attrs, "value").unwrap_or_default()));
                }
                "select" => select = attr(&attrs, "name"),
                "option" => {
                    if let Some(s) = &select
                        && attr(&attrs, "selected").is_some()
                    {
                        out.push((s.clone(), attr(&attrs, "value").unwrap_or_default()));
                    }
                }
                "textarea" => {
                    textarea = attr(&attrs, "name");
                    if let Some(t) = &textarea {
                        out.push((t.clone(), String::new()));
                    }
                }
                _ => {}
            },
            Piece::Text(text) => {
                if let Some(t) = textarea.take() {
                    set(&mut out, &t, &text);
                }
            }
            Piece::Close(name) => {
                if name == "select" {
                    select = None;
                }
                if name == "textarea" {
                    textarea = None;
                }
            }
        }
    }
    out
}

/// The stored power record `id`.
fn power(env: &Env, id: &str) -> Option<aidtrace_domain::assets::FacilityPower> {
    let ledger = env.state.service().ledger().unwrap();
    ledger
        .facility_power
        .get(&RecordId::parse(id).unwrap())
        .cloned()
}

fn error_beside(body: &str, field: &str) -> String {
    let id = format!(
        "id=\"err-{}\"",
        field.replace(['[', ']', '.'], "-").replace("--", "-")
    );
    body.split(&id)
        .nth(1)
        .and_then(|s| s.split("</span>").next())
        .unwrap_or_else(|| panic!("no error beside {field}"))
        .to_string()
}

#[tokio::test]
async fn the_new_form_has_blank_load_rows_with_the_kinds_in_words() {
    let (_env, c, ada, _) = signed_in("ada").await;
    let r = c
        .send(Req::get(&format!("{FORM}/new?facility=fac-ua-okhmatdyt")).cookie(&ada))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("value=\"fac-ua-okhmatdyt\""),
        "facility not filled in"
    );
    for i in 0..3 {
        assert!(
            r.body
                .contains(&format!("name=\"building_loads[{i}].kind\""))
        );
        assert!(
            r.body
                .contains(&format!("name=\"building_loads[{i}].average_kw\""))
        );
    }
    assert!(!r.body.contains("name=\"building_loads[3].kind\""));
    assert!(
        r.body.contains(">medical gases</option>"),
        "kind not in words"
    );
    assert!(
        r.body.contains(">life support</option>"),
        "tier not in words"
    );
    assert!(r.body.contains("Average kW (empty: unknown)"));
    assert!(r.body.contains("id=\"add-building_loads\""));
}

#[tokio::test]
async fn a_new_record_is_written_and_the_survey_shows_its_loads_with_unknown_as_unknown() {
    let (env, c, ada, csrf) = signed_in("ada").await;
    let r = post_new(&c, &ada, &csrf, FORM, &okhmatdyt(), "submit").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.header("location"), "/energy/survey/fac-ua-okhmatdyt");
    let p = power(&env, "power-fac-ua-okhmatdyt").expect("written");
    assert_eq!(p.building_loads.len(), 2);
    assert_eq!(
        p.building_loads[0].average_kw,
        Some(rust_decimal::Decimal::new(125, 1))
    );
    assert_eq!(p.building_loads[1].average_kw, None, "empty is unknown");
    assert_eq!(p.building_loads[1].peak_kw, None);
    let page = c
        .send(Req::get("/energy/survey/fac-ua-okhmatdyt").cookie(&ada))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let table = page
        .body
        .split("id=\"loads-power-fac-ua-okhmatdyt\"")
        .nth(1)
        .and_then(|s| s.split("</table>").next())
        .expect("the loads table");
    assert!(table.contains("heating pumps"), "{table}");
    assert!(table.contains("class=\"unknown\""), "{table}");
    assert!(table.contains("12.5"), "{table}");
    // The write is in the record's audit trail, by the person who saved the form.
    let history = env
        .state
        .service()
        .history(
            aidtrace_domain::RecordKind::FacilityPower,
            &RecordId::parse("power-fac-ua-okhmatdyt").unwrap(),
        )
        .unwrap();
    assert_eq!(history.len(), 1, "{history:?}");
    assert!(history[0].actor.contains("ada"), "{:?}", history[0]);
}

#[tokio::test]
async fn every_bad_row_is_reported_at_once_with_values_kept_and_nothing_written() {
    let (env, c, ada, csrf) = signed_in("ada").await;
    let before = env.record_count();
    let mut f = okhmatdyt();
    set(&mut f, "building_loads[0].average_kw", "-5");
    set(&mut f, "building_loads[1].average_kw", "30");
    set(&mut f, "building_loads[1].peak_kw", "20");
    set(&mut f, "building_loads[2].kind", "other");
    set(&mut f, "building_loads[2].average_kw", "3");
    set(&mut f, "building_loads[3].peak_kw", "lots");
    set(&mut f, "building_loads[3].kind", "");
    let r = post_new(&c, &ada, &csrf, FORM, &f, "submit").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(error_beside(&r.body, "building_loads[0].average_kw").contains("negative"));
    assert!(error_beside(&r.body, "building_loads[1].average_kw").contains("above the peak"));
    assert!(error_beside(&r.body, "building_loads[2].description").contains("description"));
    assert!(error_beside(&r.body, "building_loads[3].peak_kw").contains("lots"));
    assert!(error_beside(&r.body, "building_loads[3].kind").contains("Required"));
    // What was typed is shown again.
    assert!(r.body.contains("value=\"lots\""));
    assert!(r.body.contains("value=\"-5\""));
    assert_eq!(env.record_count(), before, "something was written");
    assert!(power(&env, "power-fac-ua-okhmatdyt").is_none());
}

#[tokio::test]
async fn the_problems_are_said_in_russian() {
    let (_env, c, ada, csrf) = signed_in("ada").await;
    let cookie = format!("aidtrace_lang=ru; {ada}");
    let mut f = okhmatdyt();
    set(&mut f, "building_loads[1].average_kw", "30");
    set(&mut f, "building_loads[1].peak_kw", "20");
    set(&mut f, "building_loads[2].kind", "other");
    set(&mut f, "phases", "2");
    let r = post_new(&c, &cookie, &csrf, FORM, &f, "submit").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        error_beside(&r.body, "building_loads[1].average_kw")
            .contains("средняя мощность больше пиковой (20 кВт)")
    );
    assert!(error_beside(&r.body, "building_loads[2].description").contains("нужно описание"));
    assert!(error_beside(&r.body, "phases").contains("1 или 3"));
    assert!(r.body.contains("Нагрузки здания"));
}

/// The record's own rules carry message ids, so a refusal the form has no check of its own for
/// is worded in the reader's language, not as "not accepted" with the English sentence.
#[tokio::test]
async fn outage_hours_beyond_a_day_are_refused_in_ukrainian() {
    let (env, c, ada, csrf) = signed_in("ada").await;
    let before = env.record_count();
    let cookie = format!("aidtrace_lang=uk; {ada}");
    let mut f = okhmatdyt();
    set(&mut f, "typical_outage_hours_per_day", "30");
    let r = post_new(&c, &cookie, &csrf, FORM, &f, "submit").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let err = error_beside(&r.body, "typical_outage_hours_per_day");
    assert!(
        err.contains("має бути від 0 до 24") && err.contains("30"),
        "{err}"
    );
    assert!(!err.contains("не приймається"), "{err}");
    assert!(!err.contains("must be between"), "{err}");
    assert_eq!(env.record_count(), before, "something was written");
}

#[tokio::test]
async fn add_row_shows_one_more_blank_row_and_writes_nothing() {
    let (env, c, ada, csrf) = signed_in("ada").await;
    let before = env.record_count();
    let mut f = okhmatdyt();
    set(&mut f, "building_loads[2].kind", "sterilisation");
    set(&mut f, "_add", "building_loads");
    let r = post_new(&c, &ada, &csrf, FORM, &f, "submit").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("name=\"building_loads[3].kind\""));
    assert!(!r.body.contains("name=\"building_loads[4].kind\""));
    assert!(r.body.contains("value=\"12.5\""), "typed values lost");
    assert_eq!(env.record_count(), before);
}

#[tokio::test]
async fn a_stored_load_is_edited_and_the_others_kept() {
    let (env, c, ada, csrf) = signed_in("ada").await;
    let id = "pw-ua-illustrative-kharkiv-a";
    let stored = power(&env, id).unwrap();
    let page = c.send(Req::get(&format!("{FORM}/{id}")).cookie(&ada)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let mut f = form_values(&page.body);
    assert_eq!(
        f.iter()
            .filter(|(k, _)| k.ends_with("].kind") && k.starts_with("building_loads["))
            .count(),
        stored.building_loads.len()
    );
    set(&mut f, "building_loads[0].average_kw", "33");
    let r = post_mode(&c, &ada, &csrf, FORM, &f, "submit", "edit").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let now = power(&env, id).unwrap();
    assert_eq!(
        now.building_loads[0].average_kw,
        Some(rust_decimal::Decimal::from(33))
    );
    assert_eq!(now.building_loads.len(), stored.building_loads.len());
    assert_eq!(now.building_loads[1..], stored.building_loads[1..]);
    assert_eq!(now.tier_overrides, stored.tier_overrides);
    assert_eq!(
        now.sources, stored.sources,
        "sources the form does not show are kept"
    );
}

#[tokio::test]
async fn a_stored_load_is_deleted_with_remove_then_save() {
    let (env, c, ada, csrf) = signed_in("ada").await;
    let id = "pw-ua-illustrative-kharkiv-a";
    let stored = power(&env, id).unwrap();
    let page = c.send(Req::get(&format!("{FORM}/{id}")).cookie(&ada)).await;
    let mut f = form_values(&page.body);
    f.push(("_mode".into(), "edit".into()));
    // "Remove" on the first row re-renders the form without it; nothing is written yet.
    set(&mut f, "_remove", "building_loads.0");
    let mut all: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    all.push(("csrf", &csrf));
    let r = c
        .send(Req::new(Method::POST, FORM).cookie(&ada).form(&all))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(power(&env, id).unwrap(), stored, "written before save");
    let f = form_values(&r.body);
    let r = post_mode(&c, &ada, &csrf, FORM, &f, "submit", "edit").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let now = power(&env, id).unwrap();
    assert_eq!(now.building_loads, stored.building_loads[1..]);
}

#[tokio::test]
async fn a_facility_engineer_enters_the_loads_of_their_facility_only() {
    let (env, c, fen, csrf) = signed_in("fen").await;
    // Their own facility: written at once (facility engineers write directly).
    let id = "pw-semey-university-hospital";
    let page = c.send(Req::get(&format!("{FORM}/{id}")).cookie(&fen)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let mut f = form_values(&page.body);
    set(&mut f, "building_loads[0].kind", "or_icu_ventilation");
    set(&mut f, "building_loads[0].average_kw", "18");
    let r = post_mode(&c, &fen, &csrf, FORM, &f, "submit", "edit").await;
    assert!(r.status.is_redirection(), "{}: {}", r.status, r.body);
    // Another facility's record: refused, nothing written.
    let other = "pw-ua-illustrative-kharkiv-a";
    let stored = power(&env, other).unwrap();
    let page = c
        .send(Req::get(&format!("{FORM}/{other}")).cookie(&fen))
        .await;
    let mut f = form_values(&page.body);
    set(&mut f, "building_loads[0].average_kw", "1");
    let r = post_mode(&c, &fen, &csrf, FORM, &f, "submit", "edit").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(power(&env, other).unwrap(), stored);
}

#[tokio::test]
async fn the_survey_page_links_editors_to_the_form_and_not_viewers() {
    let (_env, c, ada, _) = signed_in("ada").await;
    let with = c
        .send(Req::get("/energy/survey/fac-ua-illustrative-kharkiv-a").cookie(&ada))
        .await;
    assert!(
        with.body
            .contains("href=\"/forms/facility-power/pw-ua-illustrative-kharkiv-a\"")
    );
    assert!(
        with.body
            .contains("id=\"loads-pw-ua-illustrative-kharkiv-a\"")
    );
    let none = c
        .send(Req::get("/energy/survey/fac-ua-okhmatdyt").cookie(&ada))
        .await;
    assert!(none.body.contains("id=\"no-power-record\""));
    assert!(
        none.body
            .contains("href=\"/forms/facility-power/new?facility=fac-ua-okhmatdyt\"")
    );
    let (vic, _) = login(&c, "vic").await;
    let viewer = c
        .send(Req::get("/energy/survey/fac-ua-illustrative-kharkiv-a").cookie(&vic))
        .await;
    assert_eq!(viewer.status, StatusCode::OK);
    assert!(!viewer.body.contains("/forms/facility-power/"));
    assert!(
        viewer
            .body
            .contains("id=\"loads-pw-ua-illustrative-kharkiv-a\"")
    );
}
