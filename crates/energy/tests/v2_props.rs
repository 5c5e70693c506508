//! Version 2 properties: on tiny random instances the bound is at least the optimum found by
//! exhaustive enumeration and the plan reaches it; on generated instances of every variant every
//! plan passes the independent checker and the bound is at least the objective. Re-planning and
//! logistics on hand-computed cases.

use std::time::Duration;

use aidtrace_energy::Options;
use aidtrace_energy::replan::ReplanOptions;
use aidtrace_energy::v2::model::{Prep, State};
use aidtrace_energy::v2::{
    EventsV2, GenOptionsV2, InstanceV2, LogisticsOptions, VariantV2, check_plan_v2, generate_v2,
    logistics, replan_v2, solve_v2,
};
use proptest::prelude::*;
use serde_json::json;

fn opts(ms: u64) -> Options {
    Options {
        time_limit: Duration::from_millis(ms),
        seed: 0,
    }
}

/// Best objective over every assignment of allowed units (tiny instances only).
fn brute_force(prep: &Prep) -> f64 {
    let mut best = f64::NEG_INFINITY;
    let mut units = vec![Vec::new(); prep.nf];
    rec(prep, 0, &mut units, &mut best);
    best
}

fn rec(prep: &Prep, f: usize, units: &mut Vec<Vec<usize>>, best: &mut f64) {
    if f == prep.nf {
        let st = State::rebuild(prep, units.clone());
        if st.is_feasible(prep) {
            *best = best.max(st.objective(prep));
        }
        return;
    }
    // Every multiset of at most K allowed models at f.
    let allowed = prep.allowed[f].clone();
    let mut stack = Vec::new();
    multisets(prep, f, &allowed, 0, &mut stack, units, best);
}

fn multisets(
    prep: &Prep,
    f: usize,
    allowed: &[usize],
    from: usize,
    stack: &mut Vec<usize>,
    units: &mut Vec<Vec<usize>>,
    best: &mut f64,
) {
    units[f] = stack.clone();
    rec(prep, f + 1, units, best);
    if stack.len() >= prep.k as usize {
        return;
    }
    for j in from..allowed.len() {
        stack.push(allowed[j]);
        multisets(prep, f, allowed, j, stack, units, best);
        stack.pop();
    }
}

fn tiny() -> impl Strategy<Value = InstanceV2> {
    let facility = (
        0usize..2,
        (0.0f64..80.0, 0.0f64..80.0, 0.0f64..80.0),
        0.0f64..60.0,
        0.0f64..200.0,
        0.2f64..3.0,
    );
    (
        prop::collection::vec(facility, 1..4),
        prop::collection::vec((10.0f64..150.0, 1u32..3, 0.5f64..6.0), 1..3),
        prop::collection::vec((0.0f64..16.0, 0.0f64..2000.0, 0u32..3), 2..=2),
        1u32..3,
    )
        .prop_map(|(fs, ms, rs, k)| {
            let v = json!({
                "version": 2, "horizon_days": 30, "max_units_per_facility": k,
                "regions": rs.iter().enumerate().map(|(i, (o, fuel, inst))| json!({
                    "id": format!("R{i}"), "outage_h_per_day": o, "fuel_l_per_day": fuel,
                    "install_units": inst})).collect::<Vec<_>>(),
                "facilities": fs.iter().enumerate().map(|(i, (r, l, e, step, w))| json!({
                    "id": format!("F{i}"), "region": format!("R{r}"), "population_weight": w,
                    "loads_kw": {"life_support": l.0, "critical": l.1, "essential": l.2},
                    "existing_kw": e, "largest_step_kva": step})).collect::<Vec<_>>(),
                "fleet": ms.iter().enumerate().map(|(i, (kw, n, idle))| json!({
                    "model": format!("G{i}"), "prime_kw": kw, "count": n,
                    "idle_l_per_h": idle})).collect::<Vec<_>>(),
            });
            InstanceV2::from_json_str(&v.to_string()).expect("generated instance is valid")
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn tiny_instances_bound_is_at_least_the_optimum_and_the_plan_reaches_it(inst in tiny()) {
        let prep = Prep::new(&inst);
        let opt = brute_force(&prep);
        let plan = solve_v2(&inst, &opts(200));
        let problems = check_plan_v2(&inst, &plan);
        prop_assert!(problems.is_empty(), "{:?}", problems);
        let tol = 1e-6 * opt.abs().max(1.0);
        prop_assert!(plan.upper_bound >= opt - tol, "bound {} < optimum {}", plan.upper_bound, opt);
        prop_assert!(plan.objective <= opt + tol, "objective {} > optimum {}", plan.objective, opt);
        prop_assert!(plan.objective >= opt - tol, "objective {} < optimum {}", plan.objective, opt);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn generated_plans_pass_the_checker_and_stay_under_the_bound(
        seed in 0u64..1000,
        variant in 0usize..4,
        facilities in 5usize..60,
        units in 3u32..30,
    ) {
        let inst = generate_v2(&GenOptionsV2 {
            facilities,
            units,
            seed,
            variant: VariantV2::ALL[variant],
        });
        let plan = solve_v2(&inst, &opts(150));
        let problems = check_plan_v2(&inst, &plan);
        prop_assert!(problems.is_empty(), "{:?}", problems);
        prop_assert!(plan.upper_bound >= plan.objective);
        prop_assert!((0.0..=1.0).contains(&plan.gap));
        let deployed: u32 = plan.assignments.iter().map(|a| a.units).sum();
        let depot: u32 = plan.left_in_depot.iter().map(|d| d.units).sum();
        prop_assert_eq!(deployed + depot, inst.fleet.iter().map(|m| m.count).sum::<u32>());
    }
}

fn two_sites() -> InstanceV2 {
    InstanceV2::from_json_str(
        &json!({
          "version": 2, "horizon_days": 90, "fuel_l_per_kwh": 0.25, "max_units_per_facility": 1,
          "regions": [ {"id": "R1", "outage_h_per_day": 10.0, "fuel_l_per_day": 1e6, "install_units": 5} ],
          "facilities": [
            {"id": "A", "region": "R1", "loads_kw": {"life_support": 50.0, "critical": 0.0, "essential": 0.0},
             "existing_kw": 0.0, "largest_step_kva": 0.0, "tank_l": 1000.0},
            {"id": "B", "region": "R1", "loads_kw": {"life_support": 40.0, "critical": 0.0, "essential": 0.0},
             "existing_kw": 0.0, "largest_step_kva": 0.0} ],
          "fleet": [ {"model": "G100", "prime_kw": 100.0, "count": 2, "idle_l_per_h": 3.45} ]
        })
        .to_string(),
    )
    .expect("valid")
}

#[test]
fn replan_after_a_facility_is_hit_moves_nothing_installed_without_gain() {
    let inst = two_sites();
    let plan = solve_v2(&inst, &opts(200));
    assert_eq!(plan.assignments.len(), 2);
    let events = EventsV2 {
        facilities_hit: vec!["B".into()],
        ..EventsV2::default()
    };
    let r =
        replan_v2(&inst, &plan.assignments, &events, &ReplanOptions::default()).expect("replan");
    assert!(check_plan_v2(&r.instance, &r.plan).is_empty());
    // B's unit has nowhere useful to go (A holds one, the cap is 1): it goes back to the depot
    // with the reason, and A keeps its unit.
    assert!(r.plan.assignments.iter().all(|a| a.facility == "A"));
    assert_eq!(r.plan.left_in_depot.iter().map(|d| d.units).sum::<u32>(), 1);
}

#[test]
fn replan_after_stock_is_destroyed_keeps_the_installed_units() {
    let inst = two_sites();
    let plan = solve_v2(&inst, &opts(200));
    let events: EventsV2 = serde_json::from_value(json!({
        "destroyed_units": [{"facility": "B", "model": "G100", "units": 1}]
    }))
    .expect("events");
    let r =
        replan_v2(&inst, &plan.assignments, &events, &ReplanOptions::default()).expect("replan");
    assert_eq!(r.instance.fleet[0].count, 1);
    assert_eq!(r.units_moved, 0, "{:?}", r.moves);
}

#[test]
fn replan_refuses_a_destroyed_unit_the_plan_does_not_have() {
    let inst = two_sites();
    let events: EventsV2 = serde_json::from_value(json!({
        "destroyed_units": [{"facility": "A", "model": "G100", "units": 3}]
    }))
    .expect("events");
    let e = replan_v2(&inst, &[], &events, &ReplanOptions::default())
        .expect_err("nothing to destroy")
        .to_string();
    assert!(e.contains("destroyed_units[0]"), "{e}");
}

#[test]
fn logistics_per_facility_and_region_by_hand() {
    let inst = two_sites();
    let plan = solve_v2(&inst, &opts(200));
    let l = logistics(
        &inst,
        &plan,
        &LogisticsOptions {
            fuel_price_eur_per_l: Some(2.0),
            ..LogisticsOptions::default()
        },
    )
    .expect("logistics");
    let a = l.facilities.iter().find(|f| f.facility == "A").expect("A");
    // 10 h × (3.45 + 0.25 × 50) = 159.5 L/day; 1,000 L last 6.27 days; 750 L above the
    // reserve last 4.7 → every 4 days, 23 deliveries in 90 days.
    assert!((a.litres_per_day - 159.5).abs() < 1e-9);
    assert!((a.days_of_autonomy.expect("days") - 1000.0 / 159.5).abs() < 1e-9);
    assert_eq!(a.resupply_days, 4.0);
    assert_eq!(a.deliveries, 23);
    assert!((a.eur_per_kw.expect("€/kW") - 2.0 * 159.5 * 90.0 / 50.0).abs() < 1e-6);
    let b = l.facilities.iter().find(|f| f.facility == "B").expect("B");
    // No tank given: default 7-day interval, the tank that needs = 7 × L/day / 0.75.
    assert_eq!(b.resupply_days, 7.0);
    assert!((b.tank_needed_l.expect("tank") - 7.0 * b.litres_per_day / 0.75).abs() < 1e-9);
    let r = &l.regions[0];
    assert!((r.litres_per_day - (159.5 + 134.5)).abs() < 1e-9);
    assert!((l.total_eur_per_day.expect("€") - 2.0 * 294.0).abs() < 1e-9);
}

#[test]
fn logistics_refuses_a_negative_price_naming_it() {
    let inst = two_sites();
    let plan = solve_v2(&inst, &opts(100));
    let e = logistics(
        &inst,
        &plan,
        &LogisticsOptions {
            fuel_price_eur_per_l: Some(-1.0),
            ..LogisticsOptions::default()
        },
    )
    .expect_err("negative price")
    .to_string();
    assert!(e.contains("fuel_price") && e.contains("-1"), "{e}");
}

/// Numbers a hostile or careless file may hold.
fn any_number() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        Just(-1.0),
        Just(1e-300),
        Just(1e12),
        Just(1e13),
        Just(1e308),
        Just(24.0),
        Just(25.0),
        0.0f64..2000.0,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Arbitrary numbers in every numeric field: either a validation error or a plan the checker
    /// accepts, with logistics and explain computed; never a panic.
    #[test]
    fn arbitrary_numbers_fail_validation_or_plan_cleanly(
        n in prop::collection::vec(any_number(), 16),
        count in 0u32..5,
        k in 0u32..4,
        install in 0u32..4,
    ) {
        let v = json!({
          "version": 2, "horizon_days": n[0], "fuel_l_per_kwh": n[1], "derate": n[2].min(1.5),
          "power_factor": n[3].min(1.5), "min_loading": n[4].min(1.5), "max_units_per_facility": k,
          "tier_weights": {"life_support": n[5], "critical": n[6], "essential": 1.0},
          "regions": [ {"id": "R", "outage_h_per_day": n[7], "fuel_l_per_day": n[8], "install_units": install} ],
          "facilities": [ {"id": "F", "region": "R", "population_weight": n[9],
                           "loads_kw": {"life_support": n[10], "critical": n[11], "essential": 5.0},
                           "existing_kw": n[12], "largest_step_kva": n[13], "tank_l": n[14]} ],
          "fleet": [ {"model": "G", "prime_kw": n[15], "count": count} ]
        });
        if let Ok(inst) = InstanceV2::from_json_str(&v.to_string()) {
            let plan = solve_v2(&inst, &opts(50));
            let problems = check_plan_v2(&inst, &plan);
            prop_assert!(problems.is_empty(), "{:?}", problems);
            prop_assert!(plan.objective.is_finite() && plan.upper_bound.is_finite());
            let l = logistics(&inst, &plan, &LogisticsOptions::default());
            prop_assert!(l.is_ok());
            prop_assert!(aidtrace_energy::v2::explain_v2(&inst, &plan).is_ok());
        }
    }
}

#[test]
fn an_s_instance_is_proven_optimal_at_highs_optimum() {
    // HiGHS (bench/highs_reference.py, highspy 1.16) proves 16,991,793.585 optimal for this
    // instance; the branch and bound proves the same plan optimal.
    let inst = generate_v2(&GenOptionsV2 {
        facilities: 30,
        units: 15,
        seed: 1,
        variant: VariantV2::Normal,
    });
    let plan = solve_v2(&inst, &opts(5000));
    assert!(check_plan_v2(&inst, &plan).is_empty());
    assert!(
        (plan.objective - 16_991_793.585).abs() < 1e-3,
        "{}",
        plan.objective
    );
    assert_eq!(plan.status, aidtrace_energy::Status::Optimal);
}
