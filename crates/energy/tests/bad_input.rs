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

/// MODEL.md row 6 for a listed region no facility is in sums over no facility: it holds for
/// every plan. Such an instance was refused before; it plans as if the key were absent, and the
/// key is noted.
#[test]
fn a_transport_limit_for_a_region_without_facilities_plans_and_is_noted() {
    let text = GOOD.replace("{\"R1\": 900.0}", "{\"R1\": 900.0, \"R9\": 50.0}");
    let inst = Instance::from_json_str(&text).expect("a vacuous row 6 is valid");
    let notes = inst.notes();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].contains("transport_kw.R9") && notes[0].contains("no facility"),
        "{notes:?}"
    );
    let plan = solve(&inst, &Options::default());
    assert!(check_plan(&inst, &plan).is_empty());
    let without = solve(
        &Instance::from_json_str(GOOD).expect("valid"),
        &Options::default(),
    );
    assert_eq!(plan.objective, without.objective);
    assert!(
        Instance::from_json_str(GOOD)
            .expect("valid")
            .notes()
            .is_empty(),
        "nothing to note in the MODEL.md example"
    );
}

/// A JSON object may repeat a key; a map keeps the last value silently. Two limits for one
/// region cannot both be T_r, so the instance is refused and the field named.
#[test]
fn a_region_listed_twice_in_transport_kw_is_refused() {
    let e = err(&GOOD.replace("{\"R1\": 900.0}", "{\"R1\": 900.0, \"R1\": 100.0}"));
    assert!(
        e.contains("transport_kw") && e.contains("\"R1\" is listed twice"),
        "{e}"
    );
}

/// A value of the wrong type names its field, not only a line and column.
#[test]
fn wrong_types_name_the_field() {
    for (bad, field) in [
        (
            GOOD.replace("\"count\": 12", "\"count\": -3"),
            "fleet[0].count",
        ),
        (
            GOOD.replace("\"count\": 12", "\"count\": 1.5"),
            "fleet[0].count",
        ),
        (
            GOOD.replace("\"weight\": 1.5", "\"weight\": \"high\""),
            "facilities[1].weight",
        ),
        (
            GOOD.replace(
                "\"max_units_per_facility\": 2",
                "\"max_units_per_facility\": -1",
            ),
            "max_units_per_facility",
        ),
        (
            GOOD.replace("{\"R1\": 900.0}", "{\"R1\": \"lots\"}"),
            "transport_kw",
        ),
    ] {
        let e = err(&bad);
        assert!(e.contains(field), "{field} not named: {e}");
    }
}

/// MODEL.md puts no lower limit on P_s beyond a rating: a 0 kW model covers nothing
/// (min(P, U) = 0) and was refused before; it is valid, noted and never assigned.
#[test]
fn a_zero_kw_model_plans_and_is_never_assigned() {
    let text = GOOD.replace(
        "\"fleet\": [ ",
        "\"fleet\": [ {\"model\": \"G0\", \"prime_kw\": 0, \"count\": 5, \"idle_l_per_h\": 1},",
    );
    let inst = Instance::from_json_str(&text).expect("a 0 kW model is valid");
    assert!(
        inst.notes().iter().any(|n| n.contains("G0")),
        "{:?}",
        inst.notes()
    );
    let plan = solve(&inst, &Options::default());
    assert!(check_plan(&inst, &plan).is_empty());
    assert!(plan.assignments.iter().all(|a| a.model != "G0"));
    assert!((plan.objective - (3.0 * 180.0 + 1.5 * 40.0)).abs() < 1e-9);
}

/// Ids are labels: MODEL.md makes only their uniqueness matter (the output is keyed by them).
/// An empty facility id was refused before, while an empty model name was accepted.
#[test]
fn empty_facility_ids_and_model_names_plan() {
    let text = GOOD.replace("\"F002\"", "\"\"").replace("\"G100\"", "\"\"");
    let inst = Instance::from_json_str(&text).expect("empty labels are valid");
    let plan = solve(&inst, &Options::default());
    assert!(check_plan(&inst, &plan).is_empty());
    assert_eq!(plan.covered_kw.get(""), Some(&40.0));
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
