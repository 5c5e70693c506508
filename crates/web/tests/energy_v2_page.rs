//! `/energy/v2` over real HTTP on 127.0.0.1: plan the demo's illustrative Ukrainian hospitals
//! with model version 2 from the form, see the assignments, the depot, the per-oblast fuel
//! logistics and each hospital's autonomy; the same rows in CSV and XLSX; bad input refused with
//! the field named and nothing planned.

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{Method, StatusCode};
use common::{Client, Req, env, login, spawn};

const UNITS: &str = "JICA-100:100:6";

async fn client() -> (common::Env, Client) {
    let env = env();
    let client = Client::Socket(spawn(env.state.clone()).await);
    (env, client)
}

async fn signed_post(client: &Client, fields: &[(&str, &str)]) -> common::Resp {
    let (session, _) = login(client, "vic").await;
    client
        .send(
            Req::new(Method::POST, "/energy/v2")
                .cookie(&session)
                .form(fields),
        )
        .await
}

#[tokio::test]
async fn posting_the_form_shows_assignments_depot_logistics_and_autonomy() {
    let (_env, client) = client().await;
    let r = signed_post(&client, &[("units", UNITS), ("fuel_price", "1.5")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for id in [
        "id=\"energy2-plan\"",
        "id=\"energy2-logistics\"",
        "id=\"energy2-autonomy\"",
        "id=\"energy2-left-out\"",
        "id=\"energy2-illustrative\"",
        "id=\"energy2-notes\"",
        "id=\"energy2-regions\"",
    ] {
        assert!(r.body.contains(id), "{id} missing");
    }
    assert!(r.body.contains("energy2-depot"), "depot section missing");
    // Oblasts by ISO 3166-2 code, the illustrative hospitals by name, the unknown one listed.
    assert!(r.body.contains("UA-63"));
    assert!(r.body.contains("(illustrative)"));
    assert!(r.body.contains("Okhmatdyt"));
    assert!(r.body.contains("JICA-100"));
}

#[tokio::test]
async fn the_page_is_translated() {
    let (_env, client) = client().await;
    let (session, _) = login(&client, "vic").await;
    let r = client
        .send(
            Req::new(Method::POST, "/energy/v2")
                .cookie(&format!("aidtrace_lang=uk; {session}"))
                .form(&[("units", UNITS)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Логістика пального"), "not in Ukrainian");
}

#[tokio::test]
async fn a_unit_without_kw_is_refused_naming_the_field() {
    let (_env, client) = client().await;
    let r = signed_post(&client, &[("units", "JICA-100:lots:6")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("id=\"energy2-error\""));
    assert!(r.body.contains("<strong>units</strong>"), "{}", r.body);
    assert!(r.body.contains("JICA-100:lots:6"));
    assert!(!r.body.contains("id=\"energy2-plan\""), "planned anyway");
}

#[tokio::test]
async fn an_outage_what_if_beyond_a_day_is_refused_naming_the_field() {
    let (_env, client) = client().await;
    let r = signed_post(&client, &[("units", UNITS), ("outage_h", "30")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("<strong>outage_h</strong>"), "{}", r.body);
}

#[tokio::test]
async fn a_negative_fuel_price_is_refused_naming_the_field() {
    let (_env, client) = client().await;
    let r = signed_post(&client, &[("units", UNITS), ("fuel_price", "-2")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("<strong>fuel_price</strong>"), "{}", r.body);
}

#[tokio::test]
async fn no_units_and_an_activity_without_generator_lines_is_refused_naming_units() {
    let (_env, client) = client().await;
    let r = signed_post(
        &client,
        &[
            ("units", " "),
            ("fleet_activity", "act-ua-japan-health"),
            ("fuel_price", "1"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("<strong>units</strong>"), "{}", r.body);
    assert!(!r.body.contains("id=\"energy2-plan\""), "planned anyway");
}

#[tokio::test]
async fn an_unknown_fleet_activity_is_refused_naming_the_field() {
    let (_env, client) = client().await;
    let r = signed_post(&client, &[("fleet_activity", "act-nope")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.body.contains("<strong>fleet_activity</strong>"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn the_seeds_generator_lines_are_planned_with_no_units_typed() {
    let (_env, client) = client().await;
    // What the form sends as it stands: its defaults, the units box empty.
    let r = signed_post(
        &client,
        &[
            ("units", ""),
            ("fuel_l_per_day", "4000"),
            ("install_units", "3"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("JICA-100kW"), "{}", r.body);
    assert!(r.body.contains("JICA-250kVA"), "{}", r.body);
    assert!(r.body.contains("id=\"energy2-plan\""));
    // The invented ratings are said to be illustrative.
    assert!(
        r.body
            .contains("eq-ua-jica-gen-100kw (JICA-100kW): illustrative")
    );
}

#[tokio::test]
async fn committing_a_plan_of_the_lines_records_each_unit_against_its_line() {
    let (env, client) = client().await;
    let r = commit_as(
        &client,
        "ada",
        &[
            ("units", ""),
            ("activity", "act-ua-jica-generators"),
            ("source", "src-ua-japan-health-2024-05"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let ledger = env.state.service().ledger().unwrap();
    let on_line: Vec<_> = ledger
        .assets
        .values()
        .filter(|a| {
            a.funding
                .equipment_line
                .as_ref()
                .is_some_and(|l| l.as_str().starts_with("eq-ua-jica-gen-"))
        })
        .collect();
    assert!(!on_line.is_empty(), "no asset names its line");
    // The demo plan places all 8 sets: the next plan from the lines has none left and says why.
    assert_eq!(on_line.len(), 8);
    let again = signed_post(&client, &[("units", "")]).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "{}", again.body);
    assert!(
        again.body.contains("<strong>units</strong>"),
        "{}",
        again.body
    );
    assert!(
        again.body.contains("already recorded as assets"),
        "{}",
        again.body
    );
}

#[tokio::test]
async fn plan_and_logistics_csv_have_the_pages_rows() {
    let (_env, client) = client().await;
    let (session, _) = login(&client, "vic").await;
    let q = format!("?units={}&fuel_price=1.5", common::enc(UNITS));
    let plan = client
        .send(Req::get(&format!("/energy/v2/plan.csv{q}")).cookie(&session))
        .await;
    assert_eq!(plan.status, StatusCode::OK, "{}", plan.body);
    let lines: Vec<&str> = plan.body.lines().collect();
    assert!(lines[0].starts_with("facility,name,region,load_kw"));
    assert!(lines.len() >= 8, "{}", plan.body);
    assert!(plan.body.contains("JICA-100×"));
    let log = client
        .send(Req::get(&format!("/energy/v2/logistics.csv{q}")).cookie(&session))
        .await;
    assert_eq!(log.status, StatusCode::OK);
    assert!(log.body.starts_with("region,facility,outage_h_per_day"));
    assert!(log.body.lines().any(|l| l.starts_with("UA-63,*,")));
}

#[tokio::test]
async fn plan_xlsx_is_a_workbook() {
    let (_env, client) = client().await;
    let (session, _) = login(&client, "vic").await;
    let q = format!("?units={}", common::enc(UNITS));
    for stem in ["plan", "logistics", "autonomy"] {
        let r = client
            .send(Req::get(&format!("/energy/v2/{stem}.xlsx{q}")).cookie(&session))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{stem}");
        assert!(r.header("content-type").contains("spreadsheetml"), "{stem}");
    }
}

#[tokio::test]
async fn an_unknown_download_is_not_found() {
    let (_env, client) = client().await;
    let (session, _) = login(&client, "vic").await;
    let r = client
        .send(Req::get("/energy/v2/secrets.csv?units=G:1:1").cookie(&session))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_energy_page_links_to_version_2() {
    let (_env, client) = client().await;
    let (session, _) = login(&client, "vic").await;
    let r = client.send(Req::get("/energy").cookie(&session)).await;
    assert!(r.body.contains("href=\"/energy/v2\""));
}

async fn commit_as(client: &Client, name: &str, fields: &[(&str, &str)]) -> common::Resp {
    let (session, csrf) = login(client, name).await;
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    client
        .send(
            Req::new(Method::POST, "/energy/v2/commit")
                .cookie(&session)
                .form(&all),
        )
        .await
}

const COMMIT: &[(&str, &str)] = &[
    ("units", UNITS),
    ("activity", "act-ua-jica-generators"),
    ("source", "src-ua-japan-health-2024-05"),
];

#[tokio::test]
async fn an_admin_sees_the_commit_form_and_a_viewer_does_not() {
    let (_env, client) = client().await;
    let r = signed_post(&client, &[("units", UNITS)]).await;
    assert!(!r.body.contains("id=\"energy2-commit\""));
    let (session, _) = login(&client, "ada").await;
    let r = client
        .send(
            Req::new(Method::POST, "/energy/v2")
                .cookie(&session)
                .form(&[("units", UNITS)]),
        )
        .await;
    assert!(r.body.contains("id=\"energy2-commit\""));
}

#[tokio::test]
async fn an_admin_commits_the_plan_once_and_a_second_time_writes_nothing() {
    let (env, client) = client().await;
    let before = env.state.service().ledger().unwrap().assets.len();
    let r = commit_as(&client, "ada", COMMIT).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("id=\"energy2-commit-done\""));
    let after = env.state.service().ledger().unwrap().assets.len();
    assert!(after > before);
    let again = commit_as(&client, "ada", COMMIT).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(env.state.service().ledger().unwrap().assets.len(), after);
}

#[tokio::test]
async fn a_viewer_may_not_commit_and_nothing_is_written() {
    let (env, client) = client().await;
    let before = env.state.service().ledger().unwrap().assets.len();
    let r = commit_as(&client, "vic", COMMIT).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(env.state.service().ledger().unwrap().assets.len(), before);
}

#[tokio::test]
async fn a_commit_without_the_csrf_token_is_refused() {
    let (env, client) = client().await;
    let before = env.state.service().ledger().unwrap().assets.len();
    let (session, _) = login(&client, "ada").await;
    let r = client
        .send(
            Req::new(Method::POST, "/energy/v2/commit")
                .cookie(&session)
                .form(COMMIT),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(env.state.service().ledger().unwrap().assets.len(), before);
}

#[tokio::test]
async fn a_commit_to_an_unknown_activity_is_refused_naming_the_field() {
    let (env, client) = client().await;
    let before = env.state.service().ledger().unwrap().assets.len();
    let r = commit_as(
        &client,
        "ada",
        &[
            ("units", UNITS),
            ("activity", "act-nope"),
            ("source", "src-ua-japan-health-2024-05"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("<strong>activity</strong>"), "{}", r.body);
    assert_eq!(env.state.service().ledger().unwrap().assets.len(), before);
}

/// A plan posted with the page in Ukrainian.
async fn ukrainian_plan(fields: &[(&str, &str)]) -> String {
    let (_env, client) = client().await;
    let (session, _) = login(&client, "vic").await;
    let r = client
        .send(
            Req::new(Method::POST, "/energy/v2")
                .cookie(&format!("aidtrace_lang=uk; {session}"))
                .form(fields),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
}

/// The element with `id` up to its closing `end` tag.
fn section<'a>(body: &'a str, id: &str, end: &str) -> &'a str {
    let from = body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no {id}"));
    let rest = &body[from..];
    &rest[..rest.find(end).unwrap()]
}

fn assert_not_english(part: &str, english: &[&str], ukrainian: &str) {
    for e in english {
        assert!(!part.contains(e), "English {e:?} in {part}");
    }
    assert!(part.contains(ukrainian), "{ukrainian:?} missing in {part}");
}

#[tokio::test]
async fn the_ukrainian_page_words_the_plans_notes_in_ukrainian() {
    let body = ukrainian_plan(&[("units", ""), ("outage_h", "16")]).await;
    let notes = section(&body, "energy2-notes", "</ul>");
    assert_not_english(
        notes,
        &[
            "assumes the changeover gap",
            "what-if:",
            "outage hours per day in every region",
            "is a lower bound",
            "units from the plan run at their usable power",
            "largest_step_kva",
        ],
        "перерву під час перемикання",
    );
    assert!(notes.contains("сценарій: 16 год відключень"), "{notes}");
    assert!(notes.contains("найбільший ступінь навантаження — нижня межа"));
    // The generator line's own note is data as entered; the words around it are Ukrainian.
    assert!(
        notes.contains("лінія обладнання eq-ua-jica-gen-100kw (JICA-100kW): ілюстративні дані")
    );
}

#[tokio::test]
async fn the_ukrainian_page_words_the_logistics_assumptions_in_ukrainian() {
    let body = ukrainian_plan(&[("units", UNITS)]).await;
    let part = section(&body, "energy2-assumptions", "</ul>");
    assert_not_english(
        part,
        &[
            "litres per day",
            "only the donated units",
            "a delivery arrives",
            "daily rate",
            "no fuel price given",
        ],
        "ціну пального не задано",
    );
    assert!(part.contains("0,25 л/кВт·год"), "{part}");
    assert!(part.contains("25 % (резерв)"), "{part}");
}

#[tokio::test]
async fn the_ukrainian_page_words_why_facilities_are_left_out_in_ukrainian() {
    let body = ukrainian_plan(&[("units", UNITS)]).await;
    let part = section(&body, "energy2-left-out", "</table>");
    assert_not_english(
        part,
        &[
            "average kW unknown",
            "no load survey",
            "existing backup unknown",
            "largest step load unknown",
            "load of asset",
            "building load",
        ],
        "немає обстеження навантажень",
    );
    // A building load's kind by its label, the tier by its name: no stored value.
    assert!(!part.contains("icu_or_power"), "{part}");
    assert!(!part.contains("life_support"), "{part}");
    assert!(part.contains("середня потужність невідома"), "{part}");
}

#[tokio::test]
async fn the_ukrainian_page_words_each_facilitys_fuel_basis_in_ukrainian() {
    let body = ukrainian_plan(&[("units", UNITS)]).await;
    let part = section(&body, "energy2-fuel-basis", "</ul>");
    assert_not_english(
        part,
        &[
            "one delivery of the logistics plan",
            "days between deliveries",
            "no units planned",
        ],
        "одна поставка за планом логістики",
    );
    let given = ukrainian_plan(&[("units", UNITS), ("fuel_on_site", "500")]).await;
    let part = section(&given, "energy2-fuel-basis", "</ul>");
    assert_not_english(part, &["given by the planner"], "задано планувальником");
}

#[tokio::test]
async fn the_ukrainian_page_words_what_limits_each_tiers_autonomy_in_ukrainian() {
    let body = ukrainian_plan(&[("units", UNITS)]).await;
    let part = section(&body, "energy2-autonomy", "</table>");
    assert_not_english(
        part,
        &[
            "<td>fuel</td>",
            "none within a year",
            "kW of generators",
            "battery energy",
        ],
        "<td>пальне</td>",
    );
}

#[tokio::test]
async fn the_energy_page_links_to_a_plan_with_the_default_inputs() {
    let (_env, client) = client().await;
    let page = client.get("/energy").await;
    let href = "/energy/v2?fuel_l_per_day=4000&amp;install_units=3&amp;country=UA";
    assert!(page.body.contains(href), "no link to a planned page");
    // The link itself plans the store's generator lines, as the form would.
    let r = client.get(&href.replace("&amp;", "&")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("id=\"energy2-plan\""));
    assert!(r.body.contains("JICA-250kVA"));
    assert!(r.body.contains("id=\"energy2-autonomy\""));
    assert!(r.body.contains("id=\"energy2-oblasts\""));
}

mod form_parsing {
    use aidtrace_web::energy::v2_page::PlanForm;
    use proptest::prelude::*;

    const FIELDS: [&str; 9] = [
        "fleet_activity",
        "units",
        "fuel_price",
        "outage_h",
        "fuel_l_per_day",
        "install_units",
        "fuel_on_site",
        "country",
        "region_fuel",
    ];

    proptest! {
        /// Whatever is typed, the form is read or refused with one of its own fields named;
        /// never a panic.
        #[test]
        fn any_input_is_read_or_refused_naming_a_field(
            units in ".{0,40}",
            price in ".{0,12}",
            outage in ".{0,12}",
            fuel in ".{0,12}",
            install in ".{0,12}",
            region in ".{0,24}",
        ) {
            let form = PlanForm {
                units: Some(units),
                fuel_price: Some(price),
                outage_h: Some(outage),
                fuel_l_per_day: Some(fuel),
                install_units: Some(install),
                fuel_on_site: None,
                country: None,
                fleet_activity: None,
                region_fuel: Some(region),
            };
            if let Err(e) = form.request() {
                let field = e.field.clone().unwrap_or_default();
                prop_assert!(FIELDS.contains(&field.as_str()), "{field}: {}", e.message);
            }
        }

        /// A well-formed fleet and figures are read exactly.
        #[test]
        fn well_formed_input_is_read_exactly(kw in 1u32..5000, count in 1u32..200, h in 0u32..=24) {
            let form = PlanForm {
                units: Some(format!("G:{kw}:{count}")),
                outage_h: Some(h.to_string()),
                ..PlanForm::default()
            };
            let r = form.request().expect("read");
            prop_assert_eq!(r.build.spec.fleet.len(), 1);
            prop_assert_eq!(r.build.spec.fleet[0].count, count);
            prop_assert!((r.build.spec.fleet[0].prime_kw - f64::from(kw)).abs() < 1e-9);
            prop_assert_eq!(r.outage_h_per_day, Some(f64::from(h)));
        }
    }
}

#[tokio::test]
async fn an_old_fuel_reading_is_warned_about_with_its_date_and_age() {
    let (_env, client) = client().await;
    let r = signed_post(&client, &[("units", UNITS), ("fuel_price", "1.5")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // The demo's stocks were measured on 2025-12-01 and are not drawn down since.
    let age = (chrono::Utc::now().date_naive()
        - chrono::NaiveDate::from_ymd_opt(2025, 12, 1).unwrap())
    .num_days();
    assert!(
        r.body.contains(&format!(
            "WARNING: this reading is {age} days old (measured "
        )),
        "{}",
        r.body
    );
    assert!(r.body.contains("older than 30 days"));
}

#[tokio::test]
async fn the_plan_gives_the_critical_kwh_served_and_explains_the_weighted_objective() {
    let (_env, client) = client().await;
    let r = signed_post(&client, &[("units", UNITS)]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("id=\"energy2-served-kwh\""));
    assert!(
        r.body
            .contains("Critical energy served over the 90-day season: "),
        "{}",
        r.body
    );
    assert!(r.body.contains("a score for comparing plans, not energy"));
}
