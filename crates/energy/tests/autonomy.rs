use aidtrace_energy::autonomy::{Profile, Tier, assess};

fn text(extra: &str) -> String {
    format!(
        r#"{{
        "facility": "Test hospital",
        "loads": [
            {{"department": "ICU", "tier": "life_support", "kw": 20}},
            {{"department": "OR", "tier": "critical", "devices": [
                {{"name": "anaesthesia", "watts": 5000, "count": 2}},
                {{"name": "lights", "watts": 10000, "count": 1, "night": false}}]}},
            {{"department": "kitchen", "tier": "other", "kw": 30, "night_kw": 10}}
        ],
        "generators": [{{"name": "G1", "prime_kw": 100, "idle_l_per_h": 3.45}}],
        "fuel_litres": 1000,
        "trials": 300,
        "seed": 11
        {extra}
    }}"#
    )
}

fn profile(extra: &str) -> Profile {
    Profile::from_json_slice(text(extra).as_bytes()).expect("valid profile")
}

#[test]
fn tier_loads_are_cumulative_with_day_night_shapes() {
    let p = profile("");
    let l = p.tier_loads();
    assert_eq!(l[0].tier, Tier::LifeSupport);
    assert!((l[0].day_kw - 20.0).abs() < 1e-9);
    assert!((l[1].day_kw - 40.0).abs() < 1e-9 && (l[1].night_kw - 30.0).abs() < 1e-9);
    assert!((l[2].day_kw - 70.0).abs() < 1e-9 && (l[2].night_kw - 40.0).abs() < 1e-9);
}

#[test]
fn autonomy_hours_follow_the_fuel_arithmetic() {
    // Life support alone: 20 kW → 0.25·20 + 3.45 = 8.45 L/h → 1000/8.45 = 118.3 → fails in hour 118.
    let a = assess(&profile(""));
    assert_eq!(a.autonomy[0].hours, 118.0);
    assert_eq!(a.autonomy[0].limited_by, "fuel");
    assert!(a.autonomy[1].hours < a.autonomy[0].hours);
    assert!(a.autonomy[2].hours < a.autonomy[1].hours);
    assert!(!a.assumptions.is_empty());
}

#[test]
fn survival_is_deterministic_and_monotone_in_duration() {
    let p = profile("");
    let a = assess(&p);
    let b = assess(&p);
    assert_eq!(a, b);
    for pair in a.survival.windows(2) {
        if pair[0].regime == pair[1].regime {
            assert!(pair[1].other <= pair[0].other + 1e-12);
            assert!(pair[1].critical <= pair[0].critical + 1e-12);
        }
    }
    // Continuous outage, no resupply: the full load (≈58 kW average) cannot last 168 h on 1000 L.
    let cont168 = a
        .survival
        .iter()
        .find(|s| s.regime.starts_with("continuous") && s.duration_h == 168)
        .expect("row");
    assert_eq!(cont168.other, 0.0);
    // No UPS or battery: life support is interrupted at the generator start.
    assert_eq!(cont168.life_support, 0.0);
    assert!(a.warnings.iter().any(|w| w.contains("life support")));
}

#[test]
fn ups_resupply_and_perfect_reliability_ride_through() {
    let p = profile(
        r#", "ups_kw": 25, "resupply": {"interval_h": 24, "litres": 2000}, "tank_litres": 3000,
           "reliability": {"failure_to_start": 0.0, "mttf_h": 1e12, "operational_availability": 1.0}"#,
    );
    let a = assess(&p);
    for s in &a.survival {
        assert_eq!(s.life_support, 1.0, "{s:?}");
        assert_eq!(s.other, 1.0, "{s:?}");
    }
}

#[test]
fn failures_lower_survival() {
    let base =
        r#", "ups_kw": 25, "resupply": {"interval_h": 24, "litres": 2000}, "tank_litres": 3000"#;
    let good = assess(&profile(&format!(
        r#"{base}, "reliability": {{"failure_to_start": 0.0, "mttf_h": 1e12, "operational_availability": 1.0}}"#
    )));
    let bad = assess(&profile(&format!(
        r#"{base}, "reliability": {{"failure_to_start": 0.3, "mttf_h": 50}}"#
    )));
    let sum = |a: &aidtrace_energy::autonomy::Assessment| -> f64 {
        a.survival.iter().map(|s| s.critical).sum()
    };
    assert!(sum(&bad) < sum(&good));
}

#[test]
fn bad_profiles_name_the_field() {
    let cases = [
        (r#""kw": 20}"#, r#""kw": -20}"#, "loads[0]"),
        (
            r#""fuel_litres": 1000"#,
            r#""fuel_litres": -1"#,
            "fuel_litres",
        ),
        (r#""prime_kw": 100"#, r#""prime_kw": 0"#, "prime_kw"),
        (r#""trials": 300"#, r#""trials": 0"#, "trials"),
        (
            r#""kw": 30, "night_kw": 10"#,
            r#""kw": 30, "devices": []"#,
            "not both",
        ),
    ];
    let good = text("");
    for (from, to, needle) in cases {
        let text = good.replace(from, to);
        assert_ne!(text, good, "replacement {from} not found");
        let e = Profile::from_json_slice(text.as_bytes()).expect_err(needle);
        assert!(e.to_string().contains(needle), "{e}");
    }
    let e = Profile::from_json_slice(br#"{"facility": "x"}"#).expect_err("missing");
    assert!(e.to_string().contains("loads"), "{e}");
}
