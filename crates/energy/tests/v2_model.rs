//! Version 2 of the allocation model (MODEL-v2.md): hand-computed small instances, one per
//! constraint and per `left_in_depot` reason; the checker on every plan.

use aidtrace_energy::Options;
use aidtrace_energy::v2::{
    AnyInstance, Binding, InstanceV2, PlanV2, check_plan_v2, explain_v2, solve_v2,
};
use serde_json::{Value, json};

/// The example of MODEL-v2.md.
fn example() -> Value {
    json!({
      "version": 2, "horizon_days": 90, "fuel_l_per_kwh": 0.25, "derate": 0.75,
      "power_factor": 0.8, "min_loading": 0.3, "max_units_per_facility": 3,
      "tier_weights": {"life_support": 10.0, "critical": 3.0, "essential": 1.0},
      "regions": [ {"id": "UA-63", "outage_h_per_day": 12.0, "fuel_l_per_day": 9000.0, "install_units": 8} ],
      "facilities": [ {"id": "F001", "region": "UA-63", "population_weight": 1.0,
                       "loads_kw": {"life_support": 40.0, "critical": 120.0, "essential": 200.0},
                       "existing_kw": 50.0, "largest_step_kva": 90.0} ],
      "fleet": [ {"model": "G100", "prime_kw": 100.0, "count": 12, "idle_l_per_h": 3.45} ]
    })
}

/// One facility, one region of 10 outage hours, one G100 (75 kW usable, 125 kVA, 3.45 L/h).
fn small(fuel_l_per_day: f64) -> Value {
    json!({
      "version": 2, "horizon_days": 90, "fuel_l_per_kwh": 0.25, "max_units_per_facility": 3,
      "regions": [ {"id": "R1", "outage_h_per_day": 10.0, "fuel_l_per_day": fuel_l_per_day, "install_units": 5} ],
      "facilities": [ {"id": "A", "region": "R1",
                       "loads_kw": {"life_support": 30.0, "critical": 50.0, "essential": 0.0},
                       "backup_condition": "absent", "largest_step_kva": 0.0} ],
      "fleet": [ {"model": "G100", "prime_kw": 100.0, "count": 1, "idle_l_per_h": 3.45} ]
    })
}

fn parse(v: &Value) -> InstanceV2 {
    InstanceV2::from_json_str(&v.to_string()).expect("valid instance")
}

fn plan(v: &Value) -> (InstanceV2, PlanV2) {
    let inst = parse(v);
    let plan = solve_v2(&inst, &Options::default());
    let problems = check_plan_v2(&inst, &plan);
    assert!(problems.is_empty(), "{problems:?}");
    (inst, plan)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

fn err(v: &Value) -> String {
    match InstanceV2::from_json_str(&v.to_string()) {
        Ok(_) => panic!("accepted bad input: {v}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_model_v2_example_is_planned_as_computed_by_hand() {
    let (_, p) = plan(&example());
    // Three units (the per-facility cap) carry 3 × 75 = 225 kW above the own 50 kW: 275 kW
    // served, life support 40 and critical 120 in full, essential 115.
    assert_eq!(p.model_version, 2);
    assert_eq!(p.assignments.len(), 1);
    assert_eq!(p.assignments[0].units, 3);
    let y = p.served_kw["F001"];
    assert!(close(y.life_support, 40.0) && close(y.critical, 120.0) && close(y.essential, 115.0));
    // D·ρ·o·Σ W·y = 90 · 12 · (400 + 360 + 115).
    assert!(close(p.objective, 1080.0 * 875.0), "{}", p.objective);
    // Fuel: 12 h × (3 × 3.45 L/h + 0.25 × 225 kW) = 799.2 L/day.
    assert!(
        close(p.fuel_l_per_day["UA-63"], 799.2),
        "{:?}",
        p.fuel_l_per_day
    );
    assert_eq!(p.installed_units["UA-63"], 3);
    assert_eq!(p.status, aidtrace_energy::Status::Optimal);
}

#[test]
fn units_over_the_per_facility_cap_stay_in_the_depot_with_that_reason() {
    let (_, p) = plan(&example());
    assert_eq!(p.left_in_depot.len(), 1);
    assert_eq!(p.left_in_depot[0].units, 9);
    assert_eq!(p.left_in_depot[0].binding, Binding::FacilityCap);
}

#[test]
fn region_fuel_limits_the_load_carried_highest_tier_first() {
    // 134.5 L/day at 10 h: 3.45 L/h idle leaves 10 L/h, i.e. 40 kW at 0.25 L/kWh.
    let (_, p) = plan(&small(134.5));
    let y = p.served_kw["A"];
    assert!(
        close(y.life_support, 30.0) && close(y.critical, 10.0),
        "{y:?}"
    );
    assert!(close(p.objective, 90.0 * 10.0 * (10.0 * 30.0 + 3.0 * 10.0)));
    assert!(close(p.fuel_l_per_day["R1"], 134.5));
}

#[test]
fn own_backup_is_fuelled_outside_the_region_and_serves_first() {
    let mut v = small(134.5);
    v["facilities"][0]["backup_condition"] = json!("working");
    v["facilities"][0]["existing_kw"] = json!(20.0);
    let (_, p) = plan(&v);
    // Own 20 kW carry life support; the 40 kW fuel allows go to life support 10 + critical 30.
    let y = p.served_kw["A"];
    assert!(
        close(y.life_support, 30.0) && close(y.critical, 30.0),
        "{y:?}"
    );
    assert!(close(p.objective, 900.0 * (300.0 + 90.0)));
}

#[test]
fn backup_that_needs_repair_counts_as_zero() {
    let mut v = small(134.5);
    v["facilities"][0]["backup_condition"] = json!("needs_repair");
    v["facilities"][0]["existing_kw"] = json!(20.0);
    let (inst, p) = plan(&v);
    assert!(close(p.objective, 900.0 * (300.0 + 30.0)));
    assert!(inst.notes().iter().any(|n| n.contains("needs repair")));
}

#[test]
fn a_set_that_cannot_start_the_largest_step_load_is_ineligible() {
    let mut v = small(1e6);
    v["facilities"][0]["largest_step_kva"] = json!(200.0);
    let (_, p) = plan(&v);
    assert!(p.assignments.is_empty());
    assert_eq!(p.left_in_depot[0].binding, Binding::Eligibility);
    assert!(
        p.left_in_depot[0].reason.contains("step load"),
        "{}",
        p.left_in_depot[0].reason
    );
}

#[test]
fn a_set_that_would_run_below_minimum_loading_is_ineligible() {
    let mut v = small(1e6);
    // 30 % of 100 kW = 30 kW > the whole 25 kW load.
    v["facilities"][0]["loads_kw"] =
        json!({"life_support": 10.0, "critical": 15.0, "essential": 0.0});
    let (_, p) = plan(&v);
    assert!(p.assignments.is_empty());
    assert_eq!(p.left_in_depot[0].binding, Binding::Eligibility);
}

#[test]
fn installation_capacity_is_counted_in_units() {
    let mut v = small(1e6);
    v["regions"][0]["install_units"] = json!(1);
    v["fleet"][0]["count"] = json!(2);
    v["facilities"][0]["loads_kw"] =
        json!({"life_support": 100.0, "critical": 100.0, "essential": 0.0});
    let (_, p) = plan(&v);
    assert_eq!(p.installed_units["R1"], 1);
    assert_eq!(p.left_in_depot[0].units, 1);
    assert_eq!(p.left_in_depot[0].binding, Binding::Installation);
}

#[test]
fn a_unit_beyond_the_remaining_load_stays_with_that_reason() {
    let mut v = small(1e6);
    v["fleet"][0]["count"] = json!(2);
    v["facilities"][0]["loads_kw"] =
        json!({"life_support": 30.0, "critical": 20.0, "essential": 0.0});
    let (_, p) = plan(&v);
    assert_eq!(p.assignments[0].units, 1);
    assert_eq!(p.left_in_depot[0].binding, Binding::NoRemainingLoad);
}

#[test]
fn a_region_without_fuel_for_idle_running_gets_no_unit() {
    // 30 L/day over 10 h = 3 L/h < 3.45 L/h idle.
    let (_, p) = plan(&small(30.0));
    assert!(p.assignments.is_empty());
    assert_eq!(p.left_in_depot[0].binding, Binding::Fuel);
    assert!(close(p.objective, 0.0));
}

#[test]
fn units_given_in_kva_use_the_power_factor() {
    let mut v = small(1e6);
    v["fleet"][0] =
        json!({"model": "G125kVA", "prime_kva": 125.0, "count": 1, "idle_l_per_h": 3.45});
    let (_, p) = plan(&v);
    // 125 kVA × 0.8 = 100 kW prime, 75 kW usable.
    let y = p.served_kw["A"];
    assert!(close(y.life_support + y.critical, 75.0), "{y:?}");
}

#[test]
fn petrol_sets_take_their_idle_and_slope_from_the_petrol_curve() {
    let mut v = small(1e6);
    v.as_object_mut().expect("object").remove("fuel_l_per_kwh");
    v["fleet"][0] = json!({"model": "P5", "prime_kw": 5.0, "count": 2, "fuel": "petrol"});
    v["facilities"][0]["loads_kw"] =
        json!({"life_support": 4.0, "critical": 2.0, "essential": 0.0});
    let (inst, p) = plan(&v);
    assert!(close(inst.slope(), 0.5));
    // Two sets carry 2 × 3.75 kW ≥ 6 kW: fuel 10 h × (2 × 0.6 L/h + 0.5 × 6 kW) = 42 L/day.
    assert!(
        close(p.fuel_l_per_day["R1"], 42.0),
        "{:?}",
        p.fuel_l_per_day
    );
}

#[test]
fn tier_weights_decide_who_gets_the_last_unit() {
    let v = json!({
      "version": 2, "horizon_days": 30, "max_units_per_facility": 1,
      "regions": [ {"id": "R1", "outage_h_per_day": 8.0, "fuel_l_per_day": 1e6, "install_units": 5} ],
      "facilities": [
        {"id": "Life", "region": "R1", "loads_kw": {"life_support": 60.0, "critical": 0.0, "essential": 0.0},
         "existing_kw": 0.0, "largest_step_kva": 0.0},
        {"id": "Ess", "region": "R1", "population_weight": 5.0,
         "loads_kw": {"life_support": 0.0, "critical": 0.0, "essential": 75.0},
         "existing_kw": 0.0, "largest_step_kva": 0.0} ],
      "fleet": [ {"model": "G100", "prime_kw": 100.0, "count": 1} ]
    });
    let (_, p) = plan(&v);
    // Life: 10 × 60 = 600 per hour-day; Ess: 5 × 1 × 75 = 375.
    assert_eq!(p.assignments[0].facility, "Life");
}

#[test]
fn explain_names_fuel_as_binding_where_units_could_carry_more() {
    let (inst, p) = plan(&small(134.5));
    let rows = explain_v2(&inst, &p).expect("explain");
    assert_eq!(rows[0].binding, Binding::Fuel, "{}", rows[0].reason);
    assert!(close(rows[0].unserved_kw.critical, 40.0));
}

#[test]
fn a_version_1_instance_is_planned_with_the_version_1_model() {
    let v1 = r#"{"hours": 72, "fuel_litres": 1000, "fuel_l_per_kwh": 0.25, "min_loading": 0.3,
      "max_units_per_facility": 2,
      "facilities": [{"id": "F1", "region": "R1", "weight": 1, "unmet_kw": 50}],
      "fleet": [{"model": "G60", "prime_kw": 60, "count": 1, "idle_l_per_h": 3.2}]}"#;
    assert!(matches!(
        AnyInstance::from_json_slice(v1.as_bytes()).expect("v1"),
        AnyInstance::V1(_)
    ));
    assert!(matches!(
        AnyInstance::from_json_slice(example().to_string().as_bytes()).expect("v2"),
        AnyInstance::V2(_)
    ));
}

#[test]
fn an_unknown_version_names_the_field() {
    let mut v = example();
    v["version"] = json!(3);
    let e = AnyInstance::from_json_slice(v.to_string().as_bytes())
        .expect_err("version 3")
        .to_string();
    assert!(e.contains("version") && e.contains('3'), "{e}");
}

#[test]
fn a_facility_in_an_unknown_region_names_field_and_value() {
    let mut v = example();
    v["facilities"][0]["region"] = json!("UA-99");
    let e = err(&v);
    assert!(
        e.contains("facilities[0]") && e.contains("region") && e.contains("UA-99"),
        "{e}"
    );
}

#[test]
fn a_negative_load_names_field_and_value() {
    let mut v = example();
    v["facilities"][0]["loads_kw"]["critical"] = json!(-5.0);
    let e = err(&v);
    assert!(e.contains("loads_kw.critical") && e.contains("-5"), "{e}");
}

#[test]
fn an_absent_tier_load_names_the_field() {
    let mut v = example();
    v["facilities"][0]["loads_kw"]
        .as_object_mut()
        .expect("object")
        .remove("essential");
    let e = err(&v);
    assert!(
        e.contains("essential") && e.contains("facilities[0]"),
        "{e}"
    );
}

#[test]
fn nan_is_not_json_and_is_refused_with_its_place() {
    let text = example()
        .to_string()
        .replace("\"existing_kw\":50.0", "\"existing_kw\":NaN");
    let e = InstanceV2::from_json_str(&text)
        .expect_err("NaN")
        .to_string();
    assert!(e.contains("line") || e.contains("existing_kw"), "{e}");
}

#[test]
fn absent_own_backup_must_be_said_not_assumed() {
    let mut v = example();
    v["facilities"][0]
        .as_object_mut()
        .expect("object")
        .remove("existing_kw");
    let e = err(&v);
    assert!(e.contains("existing_kw") && e.contains("absent"), "{e}");
}

#[test]
fn a_fleet_mixing_diesel_and_petrol_is_refused() {
    let mut v = example();
    v["fleet"]
        .as_array_mut()
        .expect("array")
        .push(json!({"model": "P5", "prime_kw": 5.0, "count": 1, "fuel": "petrol"}));
    let e = err(&v);
    assert!(e.contains("fleet[1]") && e.contains("petrol"), "{e}");
}

#[test]
fn more_than_24_outage_hours_per_day_is_refused() {
    let mut v = example();
    v["regions"][0]["outage_h_per_day"] = json!(25.0);
    let e = err(&v);
    assert!(e.contains("outage_h_per_day") && e.contains("25"), "{e}");
}

#[test]
fn a_model_given_in_kw_and_kva_is_refused() {
    let mut v = example();
    v["fleet"][0]["prime_kva"] = json!(125.0);
    let e = err(&v);
    assert!(e.contains("prime_kva"), "{e}");
}

#[test]
fn the_checker_catches_a_plan_over_the_region_fuel() {
    let (inst, mut p) = plan(&small(134.5));
    p.served_kw.get_mut("A").expect("A").critical = 50.0;
    let problems = check_plan_v2(&inst, &p);
    assert!(problems.iter().any(|x| x.contains("L/day")), "{problems:?}");
}

#[test]
fn the_checker_catches_an_ineligible_assignment() {
    let mut v = small(1e6);
    let (_, p) = plan(&v);
    v["facilities"][0]["largest_step_kva"] = json!(200.0);
    let problems = check_plan_v2(&parse(&v), &p);
    assert!(
        problems.iter().any(|x| x.contains("step load")),
        "{problems:?}"
    );
}
