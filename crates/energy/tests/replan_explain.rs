use std::time::Duration;

use aidtrace_energy::replan::ReplanOptions;
use aidtrace_energy::{
    Assignment, Events, GenOptions, Instance, Options, Variant, check_plan, explain, generate,
    replan, solve,
};

fn setup() -> (Instance, aidtrace_energy::Plan) {
    let inst = generate(&GenOptions {
        facilities: 60,
        units: 30,
        seed: 5,
        variant: Variant::Normal,
    });
    let plan = solve(
        &inst,
        &Options {
            time_limit: Duration::from_millis(400),
            seed: 0,
        },
    );
    (inst, plan)
}

fn ropts() -> ReplanOptions {
    ReplanOptions {
        time_limit: Duration::from_millis(400),
        min_gain_per_move: 0.005,
    }
}

#[test]
fn replanning_without_events_moves_nothing() {
    let (inst, plan) = setup();
    let r = replan(&inst, &plan.assignments, &Events::default(), &ropts()).expect("replans");
    assert!(check_plan(&r.instance, &r.plan).is_empty());
    assert_eq!(r.units_moved, 0, "{:?}", r.moves);
    assert!(r.plan.objective >= plan.objective - 1e-6 * plan.objective);
}

#[test]
fn a_destroyed_unit_is_replaced_with_few_moves() {
    let (inst, plan) = setup();
    let lost = plan.assignments[0].clone();
    let events = Events {
        destroyed_units: vec![Assignment {
            units: 1,
            ..lost.clone()
        }],
        ..Events::default()
    };
    let r = replan(&inst, &plan.assignments, &events, &ropts()).expect("replans");
    assert!(
        check_plan(&r.instance, &r.plan).is_empty(),
        "{:?}",
        check_plan(&r.instance, &r.plan)
    );
    let model = r
        .instance
        .fleet
        .iter()
        .find(|m| m.model == lost.model)
        .expect("model");
    let original = inst
        .fleet
        .iter()
        .find(|m| m.model == lost.model)
        .expect("model");
    assert_eq!(model.count + 1, original.count);
    assert!(r.plan.objective >= r.objective_before - 1e-9);
    // Far fewer moves than a fresh plan would make, which reshuffles freely.
    assert!(r.units_moved <= 4, "{:?}", r.moves);
    assert!(r.plan.objective <= r.plan.upper_bound);
}

#[test]
fn a_hit_facility_frees_its_units() {
    let (inst, plan) = setup();
    let hit = plan.assignments[0].facility.clone();
    let events = Events {
        facilities_hit: vec![hit.clone()],
        ..Events::default()
    };
    let r = replan(&inst, &plan.assignments, &events, &ropts()).expect("replans");
    assert!(check_plan(&r.instance, &r.plan).is_empty());
    assert!(r.plan.assignments.iter().all(|a| a.facility != hit));
    assert!(
        r.moves
            .iter()
            .any(|m| m.from.as_deref() == Some(hit.as_str()))
    );
}

#[test]
fn unknown_names_in_events_are_errors() {
    let (inst, plan) = setup();
    let events = Events {
        facilities_hit: vec!["NOPE".into()],
        ..Events::default()
    };
    let e = replan(&inst, &plan.assignments, &events, &ropts()).expect_err("unknown facility");
    assert!(e.to_string().contains("facilities_hit[0]") && e.to_string().contains("NOPE"));
    let events = Events {
        destroyed_units: vec![Assignment {
            facility: plan.assignments[0].facility.clone(),
            model: plan.assignments[0].model.clone(),
            units: 99,
        }],
        ..Events::default()
    };
    let e = replan(&inst, &plan.assignments, &events, &ropts()).expect_err("too many destroyed");
    assert!(e.to_string().contains("destroyed_units[0].units"), "{e}");
}

#[test]
fn explanations_cover_every_facility_and_are_consistent() {
    let (inst, plan) = setup();
    let rows = explain(&inst, &plan).expect("explains");
    assert_eq!(rows.len(), inst.facilities.len());
    for r in &rows {
        assert!((r.covered_kw + r.uncovered_kw - r.unmet_kw).abs() < 1e-6);
        if r.binding == "covered" {
            assert!(r.uncovered_kw < 1e-6);
        } else {
            assert!(!r.reason.is_empty());
        }
        if r.binding == "units_per_site" {
            let n: u32 = plan
                .assignments
                .iter()
                .filter(|a| a.facility == r.facility)
                .map(|a| a.units)
                .sum();
            assert_eq!(n, inst.max_units_per_facility);
        }
    }
    assert!(rows.iter().any(|r| r.binding == "covered"));
    assert!(rows.iter().any(|r| r.binding != "covered"));
}
