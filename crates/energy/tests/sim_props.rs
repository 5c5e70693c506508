//! Property tests for the outage simulator's parsers and arithmetic.

use aidtrace_energy::autonomy::{Profile, assess};
use aidtrace_energy::sim::schedule::Schedule;
use aidtrace_energy::sim::solar::YieldTable;
use proptest::prelude::*;

fn profile(kw: f64, fuel: f64, bat_kwh: f64, solar: f64, gen_kw: f64) -> Profile {
    let text = format!(
        r#"{{"facility": "p", "region": "UA-63",
        "loads": [{{"department": "a", "tier": "life_support", "kw": {}}},
                  {{"department": "b", "tier": "critical", "kw": {kw}}},
                  {{"department": "c", "tier": "other", "kw": {}, "night_kw": {}}}],
        "generators": [{{"name": "g", "prime_kw": {gen_kw}}}],
        "battery": {{"kwh": {bat_kwh}, "kw": 20, "round_trip_efficiency": 0.85}},
        "solar_kwp": {solar}, "fuel_litres": {fuel}, "ups_kw": 5,
        "trials": 5, "durations_h": [24, 48], "sweep_every_h": 720,
        "regimes": [{{"name": "r", "rolling_hours_off_per_day": 12}}]}}"#,
        kw / 4.0,
        kw * 2.0,
        kw
    );
    Profile::from_json_slice(text.as_bytes()).expect("valid profile")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn schedule_text_never_panics_and_parses_to_sorted_hours(text in "[0-9:,\\n a-z]{0,200}") {
        let csv = format!("day,off_from,off_to\n{text}");
        if let Ok(s) = Schedule::from_csv(&csv) {
            prop_assert!(s.validate("s").is_ok(), "{s:?}");
        }
    }

    #[test]
    fn yield_table_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = YieldTable::from_json_slice(&bytes);
    }

    #[test]
    fn more_fuel_or_battery_never_shortens_autonomy(
        kw in 1.0f64..80.0, fuel in 0.0f64..3000.0, bat in 0.0f64..200.0,
        solar in 0.0f64..100.0, extra in 0.0f64..500.0,
    ) {
        let base = assess(&profile(kw, fuel, bat, solar, 100.0));
        let more_fuel = assess(&profile(kw, fuel + extra, bat, solar, 100.0));
        let more_bat = assess(&profile(kw, fuel, bat + extra, solar, 100.0));
        for t in 0..3 {
            prop_assert!(more_fuel.autonomy[t].hours >= base.autonomy[t].hours);
            prop_assert!(more_bat.autonomy[t].hours >= base.autonomy[t].hours);
        }
    }

    #[test]
    fn unserved_energy_is_between_zero_and_the_demand(
        kw in 1.0f64..80.0, fuel in 0.0f64..2000.0, bat in 0.0f64..200.0,
        solar in 0.0f64..100.0, gen_kw in 1.0f64..300.0,
    ) {
        let a = assess(&profile(kw, fuel, bat, solar, gen_kw));
        let u = &a.unserved[0];
        // Day loads are the largest: 48 h of them bound what can go unserved.
        let cap = [kw / 4.0, kw, kw * 2.0].map(|v| v * 48.0 + 1e-6);
        for (v, c) in [u.life_support_kwh, u.critical_kwh, u.other_kwh].into_iter().zip(cap) {
            prop_assert!(v >= 0.0 && v <= c, "{v} vs {c}");
        }
        for s in &a.survival {
            for (p, ci) in [(s.life_support, s.life_support_ci), (s.critical, s.critical_ci), (s.other, s.other_ci)] {
                prop_assert!((0.0..=1.0).contains(&p) && ci[0] <= p && p <= ci[1], "{s:?}");
            }
        }
    }
}
