//! A MODEL-v2 plan over the demo store's Ukrainian hospitals (issue 16, "Done when"), on a real
//! SQLite store: every hospital with known loads is planned, the one with unknown loads is listed
//! (never planned as 0), and every planned hospital has its autonomy with the units it is given.

mod kit;

use std::time::Duration;

use aidtrace_service::Aidtrace;
use aidtrace_service::energy::FleetUnit;
use aidtrace_service::energy_plan_v2::{PlanRequest, StorePlanV2, plan_from_store};
use aidtrace_service::energy_survey::{SurveyOptions, surveys};
use aidtrace_service::energy_v2::{SeasonSpec, V2Options};
use chrono::NaiveDateTime;

fn at() -> NaiveDateTime {
    NaiveDateTime::parse_from_str("2026-01-15T00:00:00", "%Y-%m-%dT%H:%M:%S").expect("at")
}

fn request() -> PlanRequest {
    PlanRequest {
        build: V2Options {
            spec: SeasonSpec {
                fleet: vec![FleetUnit {
                    model: "JICA-100".into(),
                    prime_kw: 100.0,
                    count: 6,
                    idle_l_per_h: None,
                }],
                ..SeasonSpec::default()
            },
            fuel_l_per_day: Some(4000.0),
            install_units: Some(3),
            country: Some(aidtrace_domain::CountryCode::parse("UA").expect("UA")),
            skip_unknown: true,
            survey: SurveyOptions::new(at()),
            activity: None,
        },
        fuel_price_eur_per_l: Some(1.5),
        outage_h_per_day: None,
        fuel_on_site_l: None,
        time_limit: Duration::from_millis(300),
        seed: 0,
    }
}

fn demo() -> (kit::Guard, Aidtrace) {
    let (dir, mut app) = kit::open();
    app.load_demo("test").expect("demo");
    (dir, app)
}

fn planned() -> StorePlanV2 {
    let (_d, app) = demo();
    plan_from_store(&app.ledger().expect("ledger"), &request()).expect("plan")
}

#[test]
fn every_ukrainian_hospital_with_known_loads_is_in_the_plan() {
    let (_d, app) = demo();
    let ledger = app.ledger().expect("ledger");
    let p = plan_from_store(&ledger, &request()).expect("plan");
    let known: Vec<String> = surveys(&ledger, SurveyOptions::new(at()))
        .expect("surveys")
        .into_iter()
        .filter(|s| {
            s.country == "UA"
                && s.surveyed
                && s.unknown_lines().next().is_none()
                && s.usable_backup_kw.is_some()
                && s.largest_step_kva.is_some()
        })
        .map(|s| s.facility)
        .collect();
    assert!(known.len() >= 7, "{known:?}");
    for id in &known {
        assert!(
            p.instance.facilities.iter().any(|f| &f.id == id),
            "{id} missing from the instance"
        );
        assert!(
            p.explain.iter().any(|e| &e.facility == id),
            "{id} missing from explain"
        );
        assert!(
            p.autonomy.iter().any(|a| &a.facility == id),
            "{id} missing from autonomy"
        );
    }
}

#[test]
fn a_hospital_with_unknown_loads_is_listed_and_not_planned_as_zero() {
    let p = planned();
    let okh = p
        .left_out
        .iter()
        .find(|l| l.facility == "fac-ua-okhmatdyt")
        .expect("listed");
    assert!(!okh.reasons.is_empty());
    assert!(!p.instance.facilities.iter().any(|f| f.id == okh.facility));
    // Every planned hospital carries a load: nothing entered as 0 for an unknown.
    for f in &p.instance.facilities {
        assert!(f.loads_kw.total() > 0.0, "{}", f.id);
    }
}

#[test]
fn every_unit_is_assigned_or_left_in_the_depot_with_a_reason() {
    let p = planned();
    let assigned: u32 = p.plan.assignments.iter().map(|a| a.units).sum();
    let depot: u32 = p.plan.left_in_depot.iter().map(|d| d.units).sum();
    assert_eq!(assigned + depot, 6);
    assert!(assigned > 0);
    assert!(p.plan.left_in_depot.iter().all(|d| !d.reason.is_empty()));
}

#[test]
fn regions_are_oblasts_and_logistics_cover_each_region_of_the_plan() {
    let p = planned();
    for r in &p.logistics.regions {
        assert!(r.region.starts_with("UA-"), "{}", r.region);
    }
    for a in &p.plan.assignments {
        let region = &p
            .instance
            .facilities
            .iter()
            .find(|f| f.id == a.facility)
            .expect("facility")
            .region;
        assert!(p.logistics.regions.iter().any(|r| &r.region == region));
    }
    assert!(p.logistics.total_eur_per_day.is_some());
}

#[test]
fn autonomy_adds_exactly_the_assigned_units_with_three_survival_figures() {
    let p = planned();
    for a in &p.autonomy {
        let units: u32 = p
            .plan
            .assignments
            .iter()
            .filter(|x| x.facility == a.facility)
            .map(|x| x.units)
            .sum();
        assert_eq!(
            a.summary.units_added.len(),
            units as usize,
            "{}",
            a.facility
        );
        assert!(!a.summary.hours.is_empty());
        let durations: Vec<u32> = a.summary.survival.iter().map(|s| s.duration_h).collect();
        assert_eq!(durations, [24, 72, 168], "{}", a.facility);
        for s in &a.summary.survival {
            assert!((0.0..=1.0).contains(&s.life_support), "{}", a.facility);
        }
    }
}

#[test]
fn an_outage_what_if_outside_a_day_is_refused_by_name() {
    let (_d, app) = demo();
    let mut r = request();
    r.outage_h_per_day = Some(25.0);
    let e = plan_from_store(&app.ledger().expect("ledger"), &r).expect_err("25 h");
    assert!(e.to_string().contains("outage_h_per_day = 25"), "{e}");
}

#[test]
fn the_plan_json_reads_back() {
    let p = planned();
    let text = serde_json::to_vec(&p).expect("json");
    let back = StorePlanV2::from_json_slice(&text).expect("back");
    assert_eq!(back.plan.assignments, p.plan.assignments);
}

mod commit {
    use super::*;
    use aidtrace_service::energy_commit::commit_plan;

    const ACT: &str = "act-ua-jica-generators";
    const SRC: &str = "src-ua-japan-health-2024-05";

    #[test]
    fn committing_a_plan_writes_each_assigned_unit_as_an_asset_of_the_activity() {
        let (_d, mut app) = demo();
        let p = plan_from_store(&app.ledger().expect("ledger"), &request()).expect("plan");
        let units: u32 = p.plan.assignments.iter().map(|a| a.units).sum();
        let r = commit_plan(&mut app, "test", &p, ACT, SRC).expect("commit");
        assert_eq!(r.written.len(), units as usize);
        let ledger = app.ledger().expect("ledger");
        for id in &r.written {
            let a = ledger
                .assets
                .get(&aidtrace_domain::RecordId::parse(id).expect("id"))
                .expect("asset written");
            assert_eq!(a.funding.activity.as_ref().map(|x| x.as_str()), Some(ACT));
            assert_eq!(a.sources[0].source.as_str(), SRC);
            assert!(
                p.plan
                    .assignments
                    .iter()
                    .any(|x| x.facility == a.facility.as_str())
            );
        }
    }

    #[test]
    fn committing_the_same_plan_twice_writes_nothing_new() {
        let (_d, mut app) = demo();
        let p = plan_from_store(&app.ledger().expect("ledger"), &request()).expect("plan");
        let first = commit_plan(&mut app, "test", &p, ACT, SRC).expect("first");
        assert!(first.created > 0);
        let records = app.ledger().expect("ledger").assets.len();
        let second = commit_plan(&mut app, "test", &p, ACT, SRC).expect("second");
        assert_eq!(second.created, 0);
        assert!(second.written.is_empty());
        assert_eq!(second.kept.len(), first.written.len());
        assert_eq!(app.ledger().expect("ledger").assets.len(), records);
    }

    #[test]
    fn committed_generators_are_not_loads_and_the_plan_is_unchanged() {
        let (_d, mut app) = demo();
        let before = plan_from_store(&app.ledger().expect("ledger"), &request()).expect("plan");
        commit_plan(&mut app, "test", &before, ACT, SRC).expect("commit");
        let after = plan_from_store(&app.ledger().expect("ledger"), &request()).expect("plan");
        assert_eq!(before.instance.facilities, after.instance.facilities);
    }

    #[test]
    fn an_unknown_activity_or_source_is_refused_and_nothing_written() {
        let (_d, mut app) = demo();
        let p = plan_from_store(&app.ledger().expect("ledger"), &request()).expect("plan");
        let n = app.ledger().expect("ledger").assets.len();
        let e = commit_plan(&mut app, "test", &p, "act-nope", SRC).expect_err("activity");
        assert!(e.to_string().contains("activity = \"act-nope\""), "{e}");
        let e = commit_plan(&mut app, "test", &p, ACT, "src-nope").expect_err("source");
        assert!(e.to_string().contains("source = \"src-nope\""), "{e}");
        assert_eq!(app.ledger().expect("ledger").assets.len(), n);
    }
}
