//! Instances and power profiles built from a real SQLite store holding the demo data.

mod kit;

use std::time::Duration;

use aidtrace_service::Aidtrace;
use aidtrace_service::energy::aidtrace_energy::{self, Options, check_plan, explain, solve};
use aidtrace_service::energy::{
    StoreOptions, facility_loads, illustrative_fleet, instance_from_ledger, parse_unit,
    profile_from_ledger,
};
use chrono::NaiveDateTime;

fn end_2025() -> NaiveDateTime {
    NaiveDateTime::parse_from_str("2025-12-31T23:59:59", "%Y-%m-%dT%H:%M:%S").expect("date")
}

fn demo() -> (kit::Guard, Aidtrace) {
    let (dir, mut app) = kit::open();
    app.load_demo("test").expect("demo");
    (dir, app)
}

#[test]
fn demo_loads_follow_assets_and_backup() {
    let (_d, app) = demo();
    let ledger = app.ledger().unwrap();
    let loads = facility_loads(&ledger, end_2025(), 0.8, &Default::default());
    assert_eq!(loads.len(), ledger.facilities.len());
    let semey = loads
        .iter()
        .find(|l| l.facility == "fac-semey-university-hospital")
        .unwrap();
    // MRI 48.3 + CT 80 + three endoscopes 0.605 (ventilators state no kW), minus 60 kVA × 0.8.
    assert!((semey.critical_kw - 130.115).abs() < 1e-9, "{semey:?}");
    assert!((semey.backup_kw - 48.0).abs() < 1e-9);
    assert!((semey.unmet_kw - 82.115).abs() < 1e-9);
    // The ventilators on site at the year end state no kW: counted, not guessed.
    assert_eq!(semey.assets_without_kw, 3);
    let nct = loads
        .iter()
        .find(|l| l.facility == "fac-national-center-traumatology")
        .unwrap();
    assert!((nct.unmet_kw - 80.0).abs() < 1e-9, "{nct:?}");
}

#[test]
fn plan_from_demo_store_is_feasible() {
    let (_d, app) = demo();
    let ledger = app.ledger().unwrap();
    let mut opts = StoreOptions::new(illustrative_fleet(), end_2025());
    opts.fuel_litres = Some(5_000.0);
    let (inst, loads) = instance_from_ledger(&ledger, &opts).unwrap();
    assert_eq!(inst.facilities.len(), loads.len());
    let plan = solve(
        &inst,
        &Options {
            time_limit: Duration::from_millis(300),
            seed: 1,
        },
    );
    assert_eq!(check_plan(&inst, &plan), Vec::<String>::new());
    assert!(plan.objective > 0.0, "{plan:?}");
    assert!(plan.objective <= plan.upper_bound + 1e-6);
    assert_eq!(explain(&inst, &plan).unwrap().len(), inst.facilities.len());
}

#[test]
fn default_fuel_and_given_weights() {
    let (_d, app) = demo();
    let ledger = app.ledger().unwrap();
    let mut opts = StoreOptions::new(vec![parse_unit("G100:100:2").unwrap()], end_2025());
    opts.weights
        .insert("fac-national-center-traumatology".into(), 7.5);
    let (inst, loads) = instance_from_ledger(&ledger, &opts).unwrap();
    let nct = loads
        .iter()
        .find(|l| l.facility == "fac-national-center-traumatology")
        .unwrap();
    assert_eq!((nct.weight, nct.weight_basis), (7.5, "given"));
    let idle = aidtrace_energy::diesel::idle_l_per_h(100.0);
    let load: f64 = loads.iter().map(|l| l.unmet_kw).sum();
    let want = 72.0 * (0.25 * load.min(200.0) + 2.0 * idle);
    assert!((inst.fuel_litres - want).abs() < 1e-6);
}

#[test]
fn bad_options_are_refused_with_field_and_value() {
    let (_d, app) = demo();
    let ledger = app.ledger().unwrap();
    for raw in ["G60:sixty:2", "G60:60", "G60:-5:1", ":60:1", "G60:60:-1"] {
        let e = parse_unit(raw).err().unwrap().to_string();
        assert!(e.contains(raw), "{e}");
    }
    let e = instance_from_ledger(&ledger, &StoreOptions::new(vec![], end_2025()))
        .err()
        .unwrap();
    assert!(e.to_string().contains("fleet"), "{e}");
    let mut opts = StoreOptions::new(illustrative_fleet(), end_2025());
    opts.weights.insert("fac-nowhere".into(), 2.0);
    let e = instance_from_ledger(&ledger, &opts)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("fac-nowhere"), "{e}");
    let mut opts = StoreOptions::new(illustrative_fleet(), end_2025());
    opts.fuel_litres = Some(-1.0);
    let e = instance_from_ledger(&ledger, &opts)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("fuel_litres"), "{e}");
    let mut opts = StoreOptions::new(illustrative_fleet(), end_2025());
    opts.power_factor = 1.5;
    assert!(instance_from_ledger(&ledger, &opts).is_err());
}

#[test]
fn autonomy_profile_from_store() {
    let (_d, app) = demo();
    let ledger = app.ledger().unwrap();
    let mut p = profile_from_ledger(
        &ledger,
        "fac-semey-university-hospital",
        2_000.0,
        end_2025(),
        0.8,
    )
    .unwrap();
    p.trials = 50;
    assert_eq!(p.generators.len(), 1);
    assert!((p.generators[0].prime_kw - 48.0).abs() < 1e-9);
    let a = aidtrace_energy::autonomy::assess(&p);
    assert!(!a.autonomy.is_empty());
    let e = profile_from_ledger(&ledger, "fac-nowhere", 1.0, end_2025(), 0.8)
        .err()
        .unwrap();
    assert!(e.to_string().contains("fac-nowhere"));
}
