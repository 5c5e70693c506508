//! Property tests: arbitrary values and bytes never panic the parsers; whatever parses solves to
//! a plan the checker accepts; autonomy responds monotonically to fuel and load.

use std::time::Duration;

use aidtrace_energy::autonomy::{Profile, assess};
use aidtrace_energy::{Instance, Options, check_plan, solve};
use proptest::prelude::*;

const TEMPLATE: &str = r#"{"hours": HOURS, "fuel_litres": FUEL, "fuel_l_per_kwh": 0.25, "min_loading": MINL,
  "max_units_per_facility": 2,
  "facilities": [ {"id": "F1", "region": "R1", "weight": W1, "unmet_kw": U1},
                  {"id": "F2", "region": "R2", "weight": 2.0, "unmet_kw": U2} ],
  "fleet": [ {"model": "A", "prime_kw": P1, "count": 3, "idle_l_per_h": 2.0},
             {"model": "B", "prime_kw": 250, "count": 1, "idle_l_per_h": IDLE} ],
  "transport_kw": {"R1": T1}}"#;

fn num() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => (0u32..2000).prop_map(|v| v.to_string()),
        4 => (-1e3f64..1e6).prop_map(|v| format!("{v}")),
        1 => Just("0".to_string()),
        1 => Just("-0.0".to_string()),
        1 => Just("1e308".to_string()),
        1 => Just("1e11".to_string()),
        1 => Just("5e-324".to_string()),
        1 => Just("\"12\"".to_string()),
        1 => Just("null".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_numbers_parse_or_fail_cleanly(vals in prop::collection::vec(num(), 10)) {
        let mut text = TEMPLATE.to_string();
        for (key, v) in ["HOURS", "FUEL", "MINL", "W1", "U1", "U2", "P1", "IDLE", "T1"].iter().zip(&vals) {
            text = text.replace(key, v);
        }
        if let Ok(inst) = Instance::from_json_str(&text) {
            let plan = solve(&inst, &Options { time_limit: Duration::from_millis(20), seed: 1 });
            let problems = check_plan(&inst, &plan);
            prop_assert!(problems.is_empty(), "{text}\n{problems:?}");
            prop_assert!(plan.objective <= plan.upper_bound);
            prop_assert!(plan.objective.is_finite() && plan.upper_bound.is_finite());
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = Instance::from_json_slice(&bytes);
        let _ = Profile::from_json_slice(&bytes);
    }

    #[test]
    fn autonomy_is_monotone_in_fuel_and_load(fuel in 0.0f64..5000.0, extra in 0.0f64..500.0, kw in 1.0f64..150.0) {
        let make = |fuel: f64, kw: f64| {
            let text = format!(r#"{{"facility": "x", "loads": [{{"department": "d", "tier": "critical", "kw": {kw}}}],
                "generators": [{{"name": "g", "prime_kw": 160}}], "fuel_litres": {fuel}, "trials": 1, "regimes": [], "sweep_every_h": 720}}"#);
            Profile::from_json_slice(text.as_bytes()).expect("valid")
        };
        let base = assess(&make(fuel, kw)).autonomy[1].hours;
        let more_fuel = assess(&make(fuel + extra, kw)).autonomy[1].hours;
        let more_load = assess(&make(fuel, kw + 5.0)).autonomy[1].hours;
        prop_assert!(more_fuel >= base);
        prop_assert!(more_load <= base);
    }
}
