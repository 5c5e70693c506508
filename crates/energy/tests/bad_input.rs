//! Bad input gives an error naming the field and value, never a panic.

use aidtrace_energy::{EnergyError, Instance, Options, check_plan, solve};

const GOOD: &str = r#"{
  "hours": 72, "fuel_litres": 150000, "fuel_l_per_kwh": 0.25, "min_loading": 0.3,
  "max_units_per_facility": 2,
  "facilities": [ {"id": "F001", "region": "R1", "weight": 3.0, "unmet_kw": 180.0},
                  {"id": "F002", "region": "R2", "weight": 1.5, "unmet_kw": 40.0} ],
  "fleet": [ {"model": "G100", "prime_kw": 100.0, "count": 12, "idle_l_per_h": 3.45} ],
  "transport_kw": {"R1": 900.0}
}"#;

fn err(text: &str) -> String {
    match Instance::from_json_str(text) {
        Ok(_) => panic!("accepted bad input: {text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_model_md_example_parses_and_solves() {
    let inst = Instance::from_json_str(GOOD).expect("valid");
    let plan = solve(&inst, &Options::default());
    assert!(check_plan(&inst, &plan).is_empty());
    // F001 takes two 100 kW units (180 kW); F002's 40 kW still loads a 100 kW unit above 30 %.
    assert!(
        (plan.objective - (3.0 * 180.0 + 1.5 * 40.0)).abs() < 1e-9,
        "{}",
        plan.objective
    );
    assert_eq!(plan.status, aidtrace_energy::Status::Optimal);
}

#[test]
fn negative_values_name_field_and_value() {
    let e = err(&GOOD.replace("\"unmet_kw\": 180.0", "\"unmet_kw\": -5"));
    assert!(
        e.contains("facilities[0]") && e.contains("unmet_kw") && e.contains("-5"),
        "{e}"
    );
    let e = err(&GOOD.replace("\"prime_kw\": 100.0", "\"prime_kw\": -100"));
    assert!(
        e.contains("fleet[0]") && e.contains("prime_kw") && e.contains("-100"),
        "{e}"
    );
    let e = err(&GOOD.replace("\"prime_kw\": 100.0", "\"prime_kw\": 0"));
    assert!(e.contains("prime_kw"), "{e}");
    let e = err(&GOOD.replace("\"weight\": 3.0", "\"weight\": -1"));
    assert!(e.contains("weight"), "{e}");
    let e = err(&GOOD.replace("\"hours\": 72", "\"hours\": 0"));
    assert!(e.contains("hours"), "{e}");
    let e = err(&GOOD.replace("\"fuel_litres\": 150000", "\"fuel_litres\": -1"));
    assert!(e.contains("fuel_litres"), "{e}");
    let e = err(&GOOD.replace("\"min_loading\": 0.3", "\"min_loading\": 1.5"));
    assert!(e.contains("min_loading") && e.contains("1.5"), "{e}");
    let e = err(&GOOD.replace("{\"R1\": 900.0}", "{\"R1\": -900.0}"));
    assert!(e.contains("transport_kw.R1"), "{e}");
}

#[test]
fn unknown_transport_region_is_an_error() {
    let e = err(&GOOD.replace("{\"R1\": 900.0}", "{\"R9\": 900.0}"));
    assert!(
        e.contains("transport_kw.R9") && e.contains("no facility"),
        "{e}"
    );
}

#[test]
fn nan_infinity_missing_fields_and_wrong_types_are_parse_errors() {
    for bad in [
        GOOD.replace("\"unmet_kw\": 180.0", "\"unmet_kw\": NaN"),
        GOOD.replace("\"unmet_kw\": 180.0", "\"unmet_kw\": Infinity"),
        GOOD.replace("\"unmet_kw\": 180.0", "\"unmet_kw\": 1e999"),
        GOOD.replace(", \"unmet_kw\": 180.0", ""),
        GOOD.replace("\"count\": 12", "\"count\": -3"),
        GOOD.replace("\"count\": 12", "\"count\": 1.5"),
        GOOD.replace("\"hours\": 72,", ""),
        GOOD.replace("\"weight\": 3.0", "\"weight\": \"high\""),
        GOOD.replace("\"weight\": 3.0", "\"wieght\": 3.0"),
        GOOD[..GOOD.len() / 2].to_string(),
        String::new(),
        "[]".to_string(),
    ] {
        match Instance::from_json_str(&bad) {
            Err(EnergyError::Parse { .. }) => {}
            other => panic!("expected a parse error for {bad}, got {other:?}"),
        }
    }
    let e = err(&GOOD.replace(", \"unmet_kw\": 180.0", ""));
    assert!(e.contains("unmet_kw") && e.contains("line"), "{e}");
}

#[test]
fn duplicates_are_errors() {
    let e = err(&GOOD.replace("\"F002\"", "\"F001\""));
    assert!(e.contains("duplicate") && e.contains("F001"), "{e}");
    let dup = GOOD.replace(
        "\"fleet\": [ ",
        "\"fleet\": [ {\"model\": \"G100\", \"prime_kw\": 50.0, \"count\": 1, \"idle_l_per_h\": 2},",
    );
    let e = err(&dup);
    assert!(e.contains("duplicate") && e.contains("G100"), "{e}");
}

#[test]
fn zero_units_empty_fleet_and_no_fuel_are_answered() {
    let inst = Instance::from_json_str(&GOOD.replace("\"count\": 12", "\"count\": 0"))
        .expect("a model with zero units is valid");
    let plan = solve(&inst, &Options::default());
    assert_eq!(plan.objective, 0.0);
    assert!(plan.assignments.is_empty());
    let empty = GOOD.replace(
        "[ {\"model\": \"G100\", \"prime_kw\": 100.0, \"count\": 12, \"idle_l_per_h\": 3.45} ]",
        "[]",
    );
    let inst = Instance::from_json_str(&empty).expect("an empty fleet is valid");
    let plan = solve(&inst, &Options::default());
    assert_eq!(plan.objective, 0.0);
    let inst =
        Instance::from_json_str(&GOOD.replace("\"fuel_litres\": 150000", "\"fuel_litres\": 0"))
            .expect("no fuel is valid");
    let plan = solve(&inst, &Options::default());
    assert!(check_plan(&inst, &plan).is_empty());
    assert_eq!(plan.objective, 0.0);
}

#[test]
fn large_instance_parses_and_answers_within_its_time_limit() {
    // ≈3 MB here to keep the debug test fast; the 50 MB run is in docs/energy.md (release).
    let inst = aidtrace_energy::generate(&aidtrace_energy::GenOptions {
        facilities: 50_000,
        units: 2_000,
        seed: 9,
        variant: aidtrace_energy::Variant::Normal,
    });
    let text = serde_json::to_vec(&inst).expect("serialise");
    assert!(text.len() > 2_500_000, "{}", text.len());
    let parsed = Instance::from_json_slice(&text).expect("parses");
    let plan = solve(
        &parsed,
        &Options {
            time_limit: std::time::Duration::from_millis(300),
            seed: 0,
        },
    );
    assert!(check_plan(&parsed, &plan).is_empty());
    assert!(plan.objective > 0.0 && plan.objective <= plan.upper_bound);
}

#[test]
fn absurd_magnitudes_are_rejected() {
    let e = err(&GOOD.replace("\"unmet_kw\": 180.0", "\"unmet_kw\": 1e300"));
    assert!(e.contains("unmet_kw") && e.contains("at most"), "{e}");
    let e = err(&GOOD.replace("\"hours\": 72", "\"hours\": 1e-9"));
    assert!(e.contains("hours"), "{e}");
    let e = err(&GOOD.replace("\"prime_kw\": 100.0", "\"prime_kw\": 1e308"));
    assert!(e.contains("prime_kw"), "{e}");
}
