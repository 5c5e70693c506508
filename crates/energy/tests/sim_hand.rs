//! Hand-computed cases for the hourly outage simulator (`energy autonomy`): each test states
//! the arithmetic it checks.

use aidtrace_energy::autonomy::{Generator, Profile, assess, autonomy_with_units};
use aidtrace_energy::sim::plan_units::units_from_plan;
use aidtrace_energy::sim::schedule::Schedule;
use aidtrace_energy::sim::solar::{YieldTable, day_length_h};
use aidtrace_energy::sim::{Drive, assess::plant};

/// A profile with one flat load per tier (kW), perfect generators and a cheap sweep; `extra` is
/// spliced in as more top-level fields.
fn profile(life: f64, critical: f64, other: f64, extra: &str) -> Profile {
    let text = format!(
        r#"{{"facility": "hand",
        "loads": [
          {{"department": "a", "tier": "life_support", "kw": {life}}},
          {{"department": "b", "tier": "critical", "kw": {critical}}},
          {{"department": "c", "tier": "other", "kw": {other}}}],
        "reliability": {{"failure_to_start": 0.0, "mttf_h": 1e12, "operational_availability": 1.0}},
        "durations_h": [24, 48, 72],
        "sweep_every_h": 24,
        "trials": 20,
        "seed": 3
        {extra}}}"#
    );
    Profile::from_json_slice(text.as_bytes()).expect("valid profile")
}

fn first_fail_under(p: &Profile, off: &dyn Fn(usize) -> bool, horizon: usize) -> [usize; 3] {
    plant(p, None)
        .run(Drive {
            start: 0,
            horizon,
            off,
            level: 2,
            stop_at_failure: false,
            rng: None,
            resupply: true,
            changeover: true,
        })
        .first_fail
}

const SIXTEEN_OFF: &str = "day,off_from,off_to\n1,00:00,16:00\n";

#[test]
fn a_battery_recharged_at_30_kw_survives_a_16_off_8_on_schedule() {
    // 10 kW for 16 h = 160 kWh delivered = 160 / 0.9 = 177.8 kWh drawn from 200 kWh (η = √0.81).
    // 8 h on at 30 kW × 0.9 = 216 kWh stored ≥ what was drawn: full again every day.
    let p = profile(
        10.0,
        0.0,
        0.0,
        r#", "fuel_litres": 0, "ups_kw": 10,
           "battery": {"kwh": 200, "kw": 30, "round_trip_efficiency": 0.81}"#,
    );
    let s = Schedule::from_csv(SIXTEEN_OFF).expect("schedule");
    let off = |k: usize| s.is_off(k);
    assert_eq!(first_fail_under(&p, &off, 24 * 14), [24 * 14; 3]);
}

#[test]
fn a_battery_recharged_at_20_kw_fails_in_hour_38_of_a_16_off_8_on_schedule() {
    // Day 1: 200 − 177.78 = 22.22 kWh, +8 h × 20 kW × 0.9 = 166.22 kWh at 24:00.
    // Day 2 draws 11.11 kWh/h: after 14 h 10.67 kWh are left, which delivers 9.6 kW < 10 kW,
    // so hour 24 + 14 = 38 is the first one short.
    let p = profile(
        10.0,
        0.0,
        0.0,
        r#", "fuel_litres": 0, "ups_kw": 10,
           "battery": {"kwh": 200, "kw": 20, "round_trip_efficiency": 0.81}"#,
    );
    let s = Schedule::from_csv(SIXTEEN_OFF).expect("schedule");
    let off = |k: usize| s.is_off(k);
    assert_eq!(first_fail_under(&p, &off, 24 * 7)[0], 38);
}

#[test]
fn the_same_schedule_in_the_monte_carlo_gives_p_1_at_24_h_and_0_at_48_h() {
    let mut p = profile(
        10.0,
        0.0,
        0.0,
        r#", "fuel_litres": 0, "ups_kw": 10,
           "battery": {"kwh": 200, "kw": 20, "round_trip_efficiency": 0.81}"#,
    );
    p.regimes[0].schedule = Some(Schedule::from_csv(SIXTEEN_OFF).expect("schedule"));
    p.regimes.truncate(1);
    let a = assess(&p);
    let at = |d: u32| {
        a.survival
            .iter()
            .find(|s| s.duration_h == d)
            .expect("row")
            .life_support
    };
    assert_eq!((at(24), at(48)), (1.0, 0.0));
}

#[test]
fn a_winter_night_empties_the_battery_before_sunrise() {
    // Kyiv, January: the day is 8.3 h long, sunrise ≈ 07:50 solar time. 20 kW from a full
    // 100 kWh battery (round trip 1) lasts hours 0–4; hour 5 is short. 50 kWp of PV never helps.
    let mut p = profile(
        0.0,
        20.0,
        0.0,
        r#", "fuel_litres": 0, "region": "UA-30", "solar_kwp": 50,
           "battery": {"kwh": 100, "kw": 50, "round_trip_efficiency": 1.0}"#,
    );
    p.sweep_every_h = 1;
    let a = assess(&p);
    assert_eq!(a.autonomy[1].hours, 5.0);
    // Over the year sweep, outages starting in June last longer on average than in January:
    // a June day yields 3.1 times as much (4.69 vs 1.50 kWh/kWp).
    let jan = a.sweep.tiers[1].by_month_mean_h[0];
    let jun = a.sweep.tiers[1].by_month_mean_h[5];
    assert!(jun > jan, "june {jun} vs january {jan}");
}

#[test]
fn winter_day_length_in_kyiv_is_7_8_hours() {
    // 16 December (n = 350): δ = 23.44°·sin(360°·634/365) = −23.36°;
    // cos ω = −tan 50.45°·tan δ = 0.5227, ω = 58.49°, day = 2ω/15 = 7.80 h.
    assert!((day_length_h(50.45, 11) - 7.80).abs() < 0.02);
}

#[test]
fn a_region_s_day_sums_to_its_monthly_yield() {
    let t = YieldTable::bundled().expect("bundled table");
    let kyiv = t.region("UA-30").expect("Kyiv city");
    for m in 0..12 {
        let sum: f64 = kyiv.day_shape(m).iter().sum();
        assert!((sum - kyiv.daily[m]).abs() < 1e-9, "month {m}");
    }
    assert_eq!(kyiv.day_shape(0)[0], 0.0);
    assert!(kyiv.daily[5] > 2.5 * kyiv.daily[0], "June vs January");
}

#[test]
fn a_500_kw_set_at_4_percent_load_warns_of_wet_stacking() {
    // 20 kW on 500 kW = 4 %.
    let p = profile(
        0.0,
        20.0,
        0.0,
        r#", "fuel_litres": 100000, "generators": [{"name": "big", "prime_kw": 500}]"#,
    );
    let a = assess(&p);
    assert!(
        a.warnings
            .iter()
            .any(|w| w.contains("wet-stacks") && w.contains("4 %")),
        "{:?}",
        a.warnings
    );
}

#[test]
fn turndown_charges_fuel_for_the_minimum_load() {
    // 0.25 × max(20, 0.3 × 500) + 9.15 = 46.65 L/h = 1,119.6 L/day; without turndown
    // 0.25 × 20 + 9.15 = 14.15 L/h = 339.6 L/day.
    let with = profile(
        0.0,
        20.0,
        0.0,
        r#", "fuel_litres": 100000, "min_turndown": 0.3,
           "generators": [{"name": "big", "prime_kw": 500}]"#,
    );
    let without = profile(
        0.0,
        20.0,
        0.0,
        r#", "fuel_litres": 100000, "generators": [{"name": "big", "prime_kw": 500}]"#,
    );
    assert!((assess(&with).autonomy[1].litres_per_day - 1119.6).abs() < 1e-6);
    assert!((assess(&without).autonomy[1].litres_per_day - 339.6).abs() < 1e-6);
}

const RESUPPLY: &str = r#", "fuel_litres": 500, "tank_litres": 1000,
    "generators": [{"name": "g", "prime_kw": 100, "idle_l_per_h": 3.45}],
    "resupply": {"interval_h": 48, "litres": 200, "probability": 1.0}"#;

#[test]
fn resupply_extends_autonomy_by_hand() {
    // 0.25 × 20 + 3.45 = 8.45 L/h. On site: 500 / 8.45 = 59.2 → hour 59 is short.
    // With 200 L at hour 48: 500 − 48 × 8.45 + 200 = 294.4 L → 34.8 h more → hour 82 short.
    let a = assess(&profile(0.0, 20.0, 0.0, RESUPPLY));
    assert_eq!(a.autonomy[1].hours, 59.0);
    assert_eq!(a.autonomy[1].hours_with_resupply, Some(82.0));
    assert!(a.assumptions.iter().any(|x| x.contains("resupply 200 L")));
}

#[test]
fn resupply_arriving_for_sure_survives_72_h_but_not_96_h() {
    let mut p = profile(0.0, 20.0, 0.0, RESUPPLY);
    p.durations_h = vec![72, 96];
    p.regimes.truncate(1);
    let a = assess(&p);
    let ps: Vec<f64> = a.survival.iter().map(|s| s.critical).collect();
    assert_eq!(ps, vec![1.0, 0.0]);
}

#[test]
fn pv_without_a_battery_is_disconnected_in_an_outage() {
    // A June noon outage: with a grid-forming PV inverter 100 kWp carries 10 kW for a while;
    // without one (and no battery) anti-islanding drops PV and nothing carries the load.
    let mut p = profile(
        0.0,
        10.0,
        0.0,
        r#", "fuel_litres": 0, "region": "UA-30", "solar_kwp": 100"#,
    );
    p.sweep_every_h = 1;
    let off = assess(&p);
    p.solar_grid_forming = true;
    let on = assess(&p);
    assert_eq!(off.sweep.tiers[1].max_h, 0.0);
    assert!(
        off.warnings
            .iter()
            .any(|w| w.contains("PV is disconnected"))
    );
    assert!(on.sweep.tiers[1].by_hour_mean_h[12] >= 1.0);
}

fn life_support_p24(extra: &str) -> f64 {
    let mut p = profile(
        5.0,
        0.0,
        0.0,
        &format!(
            r#", "fuel_litres": 10000, "generators": [{{"name": "g", "prime_kw": 50}}] {extra}"#
        ),
    );
    p.regimes.truncate(1);
    assess(&p).survival[0].life_support
}

#[test]
fn the_changeover_gap_interrupts_life_support_without_ups_or_battery() {
    // PV without a battery does not bridge the 10 s start either.
    assert_eq!(
        life_support_p24(r#", "solar_kwp": 100, "region": "UA-30""#),
        0.0
    );
}

#[test]
fn a_ups_bridges_the_changeover_gap() {
    assert_eq!(life_support_p24(r#", "ups_kw": 5"#), 1.0);
}

#[test]
fn a_grid_forming_battery_bridges_the_changeover_gap() {
    assert_eq!(
        life_support_p24(r#", "battery": {"kwh": 10, "kw": 10}"#),
        1.0
    );
}

#[test]
fn a_grid_following_battery_does_not_bridge_the_changeover_gap() {
    assert_eq!(
        life_support_p24(r#", "battery": {"kwh": 10, "kw": 10, "grid_forming": false}"#),
        0.0
    );
}

#[test]
fn partial_service_sheds_the_lowest_tier_and_counts_unserved_kwh() {
    // 30 kW of generator for 10 + 10 + 20 kW: 10 kW of "other" is shed every hour,
    // 10 × 72 h = 720 kWh over the horizon; life support and critical are whole.
    let mut p = profile(
        10.0,
        10.0,
        20.0,
        r#", "fuel_litres": 100000, "ups_kw": 10,
           "generators": [{"name": "g", "prime_kw": 30}]"#,
    );
    p.regimes.truncate(1);
    let a = assess(&p);
    let u = &a.unserved[0];
    assert_eq!(
        (u.life_support_kwh, u.critical_kwh, u.other_kwh),
        (0.0, 0.0, 720.0)
    );
    let s72 = a.survival.iter().find(|s| s.duration_h == 72).expect("row");
    assert_eq!((s72.life_support, s72.critical, s72.other), (1.0, 1.0, 0.0));
}

#[test]
fn monte_carlo_is_seeded_and_its_interval_holds_the_estimate() {
    let mut p = profile(
        5.0,
        10.0,
        20.0,
        r#", "fuel_litres": 800, "ups_kw": 5,
           "generators": [{"name": "g", "prime_kw": 50}]"#,
    );
    p.trials = 200;
    p.reliability.failure_to_start = 0.2;
    p.reliability.mttf_h = 40.0;
    let a = assess(&p);
    assert_eq!(a, assess(&p));
    for s in &a.survival {
        for (v, ci) in [
            (s.life_support, s.life_support_ci),
            (s.critical, s.critical_ci),
            (s.other, s.other_ci),
        ] {
            assert!(ci[0] <= v && v <= ci[1], "{s:?}");
        }
    }
    assert!(
        a.survival
            .iter()
            .any(|s| s.critical > 0.0 && s.critical < 1.0)
    );
}

#[test]
fn units_from_a_plan_add_autonomy() {
    // No own generator: critical 20 kW fails at once. With a 100 kW unit (idle 3.45 L/h):
    // 1000 / 8.45 = 118.3 → 118 h, and a continuous outage of 24 h is survived.
    let p = profile(0.0, 20.0, 0.0, r#", "fuel_litres": 1000"#);
    let unit = Generator {
        name: "G100 (plan)".into(),
        prime_kw: 100.0,
        idle_l_per_h: Some(3.45),
        failure_to_start: None,
        mttf_h: None,
        availability: None,
        min_turndown: None,
    };
    let before = autonomy_with_units(&p, &[]);
    let after = autonomy_with_units(&p, &[unit]);
    assert_eq!(before.hours[1].hours, 0.0);
    assert_eq!(after.hours[1].hours, 118.0);
    let lpd = after.hours[1].litres_per_day;
    assert!((lpd - 24.0 * 8.45).abs() < 1e-9, "{lpd}");
    assert_eq!(after.units_added, vec!["G100 (plan)".to_string()]);
    let p24 = after
        .survival
        .iter()
        .find(|s| s.duration_h == 24)
        .expect("24 h");
    assert_eq!(p24.critical, 1.0);
}

#[test]
fn an_unknown_region_is_refused_naming_it() {
    let text = r#"{"facility": "x", "region": "Atlantis", "solar_kwp": 5,
        "loads": [{"department": "d", "tier": "critical", "kw": 1}], "fuel_litres": 0}"#;
    let e = Profile::from_json_slice(text.as_bytes()).expect_err("unknown region");
    assert!(e.to_string().contains("Atlantis"), "{e}");
}

#[test]
fn a_yield_table_with_a_missing_month_is_refused_naming_region_and_month() {
    let months = r#""jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 5, "jul": 5,
        "aug": 4, "sep": 3, "oct": 2, "dec": 1"#;
    let text = format!(
        r#"{{"source": "test", "regions": [{{"id": "UA-99", "name": "Test oblast",
        "latitude": 50, "monthly_kwh_per_kwp_day": {{{months}}}}}]}}"#
    );
    let e = YieldTable::from_json_slice(text.as_bytes()).expect_err("missing month");
    let msg = e.to_string();
    assert!(msg.contains("UA-99") && msg.contains("nov"), "{msg}");
}

#[test]
fn the_bundled_yield_table_has_every_oblast_kyiv_and_the_demo_regions() {
    let t = YieldTable::bundled().expect("bundled table");
    assert_eq!(
        t.regions.iter().filter(|r| r.id.starts_with("UA-")).count(),
        25
    );
    for r in ["UA-30", "Abai region", "Jambyl region"] {
        t.region(r).expect(r);
    }
}

#[test]
fn a_schedule_with_overlapping_hours_is_refused_naming_the_line() {
    let e = Schedule::from_csv("day,off_from,off_to\n1,00:00,04:00\n1,03:00,06:00\n")
        .expect_err("overlap");
    let msg = e.to_string();
    assert!(
        msg.contains("line 3") && msg.contains("overlaps line 2"),
        "{msg}"
    );
}

#[test]
fn a_schedule_with_unsorted_hours_is_refused_naming_the_line() {
    let e = Schedule::from_csv("day,off_from,off_to\n2,00:00,04:00\n1,08:00,12:00\n")
        .expect_err("unsorted");
    let msg = e.to_string();
    assert!(msg.contains("line 3") && msg.contains("unsorted"), "{msg}");
}

#[test]
fn a_schedule_widens_half_hours_and_repeats_its_cycle() {
    let s = Schedule::from_csv("day,off_from,off_to\n1,00:30,02:30\n2,22:00,24:00\n")
        .expect("schedule");
    assert_eq!(s.days, vec![vec![[0, 3]], vec![[22, 24]]]);
    assert!(s.is_off(0) && s.is_off(2) && !s.is_off(3));
    assert!(s.is_off(46) && s.is_off(48 + 2) && !s.is_off(48 + 3));
}

#[test]
fn the_essential_tier_of_model_v2_is_read_as_other() {
    let text = r#"{"facility": "x", "fuel_litres": 0,
        "loads": [{"department": "d", "tier": "essential", "kw": 3}]}"#;
    let p = Profile::from_json_slice(text.as_bytes()).expect("essential is accepted");
    assert_eq!(p.tier_loads()[2].day_kw, 3.0);
}

#[test]
fn an_inline_schedule_with_overlapping_hours_is_refused_naming_the_field() {
    let text = r#"{"facility": "x", "fuel_litres": 0,
        "loads": [{"department": "d", "tier": "critical", "kw": 3}],
        "regimes": [{"name": "group 2", "schedule": {"days": [[[0, 4], [3, 8]]]}}]}"#;
    let e = Profile::from_json_slice(text.as_bytes()).expect_err("overlap");
    assert!(
        e.to_string().contains("regimes[0].schedule.days[0][1]"),
        "{e}"
    );
}

#[test]
fn the_wilson_interval_of_0_in_100_reaches_3_7_percent() {
    // s = 0: upper = z² / (n + z²) = 3.8416 / 103.8416 = 0.03699.
    let ci = aidtrace_energy::sim::run::wilson(0, 100);
    assert_eq!(ci[0], 0.0);
    assert!((ci[1] - 0.036_995).abs() < 1e-5, "{ci:?}");
}

/// A version 2 instance and plan giving F1 `units` × G100 (100 kW prime), derate 0.75.
fn v2_plan_files(units: u32) -> (Vec<u8>, Vec<u8>) {
    let inst = r#"{"version": 2, "derate": 0.75, "power_factor": 0.8,
        "fleet": [{"model": "G100", "prime_kw": 100, "count": 2, "idle_l_per_h": 3.45}],
        "facilities": [{"id": "F1"}]}"#;
    let plan =
        format!(r#"{{"assignments": [{{"facility": "F1", "model": "G100", "units": {units}}}]}}"#);
    (plan.into_bytes(), inst.as_bytes().to_vec())
}

#[test]
fn a_plans_unit_counts_at_its_derated_usable_kw() {
    // 0.75 × 100 kW = 75 kW usable; the idle fuel stays the full set's 3.45 L/h.
    let (plan, inst) = v2_plan_files(1);
    let pu = units_from_plan(&plan, &inst, "F1").expect("units");
    assert_eq!(pu.units.len(), 1);
    assert_eq!(pu.units[0].prime_kw, 75.0);
    assert_eq!(pu.units[0].idle_l_per_h, Some(3.45));
    assert_eq!(pu.derate, 0.75);
    assert!(
        pu.assumption.contains("0.75 × prime kW"),
        "{}",
        pu.assumption
    );
}

#[test]
fn a_critical_load_above_the_usable_kw_is_not_carried_by_one_unit() {
    // Critical 80 kW: one unit at 100 kW prime would carry it, at 75 kW usable it cannot (0 h);
    // two units (150 kW usable, sharing the load) run 1000 L / (0.25 × 80 + 2 × 3.45) L/h =
    // 1000 / 26.9 = 37.2 → 37 h.
    let p = profile(0.0, 80.0, 0.0, r#", "fuel_litres": 1000"#);
    let (plan, inst) = v2_plan_files(1);
    let one = units_from_plan(&plan, &inst, "F1").expect("units");
    let a = autonomy_with_units(&p, &one.units);
    assert_eq!(a.hours[1].hours, 0.0);
    let (plan, inst) = v2_plan_files(2);
    let two = units_from_plan(&plan, &inst, "F1").expect("units");
    let a = autonomy_with_units(&p, &two.units);
    assert_eq!(a.hours[1].hours, 37.0);
}

#[test]
fn a_version_1_instance_takes_model_v2s_default_derate_and_says_so() {
    let inst = br#"{"fleet": [{"model": "G100", "prime_kw": 100, "count": 1}], "facilities": [{"id": "F1"}]}"#;
    let plan = br#"{"assignments": [{"facility": "F1", "model": "G100", "units": 1}]}"#;
    let pu = units_from_plan(plan, inst, "F1").expect("units");
    assert_eq!(pu.units[0].prime_kw, 75.0);
    // Idle by the size of the full 100 kW set (MODEL.md table).
    assert_eq!(pu.units[0].idle_l_per_h, Some(3.45));
    assert!(
        pu.assumption.contains("states no derate"),
        "{}",
        pu.assumption
    );
}
