//! Instances and power profiles built from a real SQLite store holding the demo data.

mod kit;

use std::time::Duration;

use aidtrace_service::Aidtrace;
use aidtrace_service::energy::aidtrace_energy::{self, Options, check_plan, explain, solve};
use aidtrace_service::energy::{
    StoreOptions, facility_loads, illustrative_fleet, instance_from_ledger, parse_unit,
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

fn load_of<'a>(
    loads: &'a [aidtrace_service::energy::FacilityLoad],
    id: &str,
) -> &'a aidtrace_service::energy::FacilityLoad {
    loads
        .iter()
        .find(|l| l.facility == id)
        .expect("facility in the loads")
}

#[test]
fn version_1_loads_are_the_surveys_life_support_and_critical_tiers_less_usable_backup() {
    let (_d, app) = demo();
    let ledger = app.ledger().unwrap();
    let loads = facility_loads(&ledger, end_2025(), 0.8, 0.75, &Default::default()).unwrap();
    assert_eq!(loads.len(), ledger.facilities.len());
    // Hospital A: life support 35 + 30, critical 60 + 8 + 45 + 30 + 15 (averages, building
    // loads); the 225 kW of essential loads are not MODEL.md's critical load. Backup 250 kVA ×
    // 0.8 × derate 0.75 = 150 kW usable, working: 223 − 150 = 73 kW unmet.
    let a = load_of(&loads, "fac-ua-illustrative-kharkiv-a");
    assert!((a.critical_kw - 223.0).abs() < 1e-9, "{a:?}");
    assert!((a.backup_kw - 150.0).abs() < 1e-9, "{a:?}");
    assert!((a.unmet_kw - 73.0).abs() < 1e-9, "{a:?}");
    assert_eq!(a.unknown_loads, 0);
}

#[test]
fn version_1_counts_a_backup_that_needs_repair_as_0() {
    let (_d, app) = demo();
    let ledger = app.ledger().unwrap();
    let loads = facility_loads(&ledger, end_2025(), 0.8, 0.75, &Default::default()).unwrap();
    // Hospital B: 16.3 + 39.5 kW; its 60 kVA set needs repair (it was 48 kW before the survey).
    let b = load_of(&loads, "fac-ua-illustrative-kharkiv-b");
    assert_eq!(b.backup_kw, 0.0, "{b:?}");
    assert!((b.unmet_kw - 55.8).abs() < 1e-9, "{b:?}");
}

#[test]
fn version_1_reports_unknown_averages_instead_of_a_24_7_active_kw() {
    let (_d, app) = demo();
    let ledger = app.ledger().unwrap();
    let loads = facility_loads(&ledger, end_2025(), 0.8, 0.75, &Default::default()).unwrap();
    // Semey: ventilators (life support) and the CT (critical) state no average kW; the MRI's
    // 48.3 kW active draw is neither an average nor a critical load. Nothing is counted as
    // known, four loads are unknown: a lower bound, not 130 kW of "critical" load.
    let semey = load_of(&loads, "fac-semey-university-hospital");
    assert_eq!(semey.critical_kw, 0.0, "{semey:?}");
    assert_eq!(semey.unknown_loads, 4, "{semey:?}");
    // 60 kVA × 0.8 × 0.75.
    assert!((semey.backup_kw - 36.0).abs() < 1e-9);
    // Hospital E: one life-support building load not yet surveyed.
    let e = load_of(&loads, "fac-ua-illustrative-zaporizhzhia-e");
    assert_eq!(e.unknown_loads, 1, "{e:?}");
    assert!((e.critical_kw - 112.8).abs() < 1e-9, "{e:?}");
    // Okhmatdyt has no load survey: its load is unknown, not 0.
    let okh = load_of(&loads, "fac-ua-okhmatdyt");
    assert_eq!((okh.critical_kw, okh.unknown_loads), (0.0, 1), "{okh:?}");
    // The trauma centre records no backup kVA: 0 kW, said.
    let nct = load_of(&loads, "fac-national-center-traumatology");
    assert!(nct.backup_unknown, "{nct:?}");
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
    // Two 100 kW units count 2 × 75 kW usable; their idle fuel is that of 100 kW.
    let want = 72.0 * (0.25 * load.min(150.0) + 2.0 * idle);
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

/// The same backup and the same donated unit count the same usable kW in version 1 (`/energy`,
/// `plan --from-db`) as in the survey, `energy autonomy` and version 2: kVA × 0.8 × 0.75, and a
/// unit's prime kW × 0.75 (MODEL.md's `prime_kw` is the derated rating).
#[test]
fn version_1_counts_backup_and_units_at_the_usable_kw_version_2_plans_with() {
    let (_d, app) = demo();
    let ledger = app.ledger().unwrap();
    let opts = StoreOptions::new(vec![parse_unit("G30:30:1").unwrap()], end_2025());
    let (inst, loads) = instance_from_ledger(&ledger, &opts).unwrap();
    assert_eq!(inst.fleet[0].prime_kw, 22.5, "{:?}", inst.fleet);
    assert_eq!(
        inst.fleet[0].idle_l_per_h,
        aidtrace_energy::diesel::idle_l_per_h(30.0),
        "idle fuel of the full rating"
    );
    let a = load_of(&loads, "fac-ua-illustrative-kharkiv-a");
    let v2 = aidtrace_service::energy_v2::instance_v2(
        &ledger,
        &aidtrace_service::energy_v2::V2Options {
            spec: aidtrace_service::energy_v2::SeasonSpec::default(),
            fuel_l_per_day: Some(4000.0),
            install_units: Some(3),
            country: None,
            skip_unknown: true,
            survey: aidtrace_service::energy_survey::SurveyOptions::new(end_2025()),
            activity: None,
        },
    )
    .unwrap();
    let e_f = v2
        .instance
        .facilities
        .iter()
        .find(|f| f.id == "fac-ua-illustrative-kharkiv-a")
        .unwrap()
        .existing_kw;
    assert_eq!(e_f, Some(150.0));
    let survey = aidtrace_service::energy_survey::survey(
        &ledger,
        "fac-ua-illustrative-kharkiv-a",
        aidtrace_service::energy_survey::SurveyOptions::new(end_2025()),
    )
    .unwrap();
    assert_eq!(survey.usable_backup_kw, Some("150".parse().unwrap()));
    assert!((a.backup_kw - 150.0).abs() < 1e-9, "{a:?}");
}
