//! The load survey by tier and the MODEL-v2 instance on a real SQLite store, against figures
//! computed by hand: unknown blocks "covered", tier from clinical role, per-facility overrides,
//! the builder refusing unknowns by name, the demo's Ukrainian hospitals.

mod kit;

use aidtrace_domain::assets::load::LoadTier;
use aidtrace_service::Aidtrace;
use aidtrace_service::energy::FleetUnit;
use aidtrace_service::energy_survey::{Coverage, Survey, SurveyOptions, TierBasis, survey};
use aidtrace_service::energy_v2::{SeasonSpec, V2Options, instance_v2};
use chrono::NaiveDateTime;
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

fn at() -> NaiveDateTime {
    NaiveDateTime::parse_from_str("2026-01-01T00:00:00", "%Y-%m-%dT%H:%M:%S").expect("time")
}

fn opts() -> SurveyOptions {
    SurveyOptions::new(at())
}

const FIXTURE: &str = r#"{"records": [
 {"record": "organisation", "id": "org-mfr", "name": "Maker", "kind": "manufacturer", "roles": ["manufacturer"]},
 {"record": "device_model", "id": "dm-vent", "manufacturer": "org-mfr", "model_name": "Vent", "generic_type": "icu_ventilator",
  "power": {"average_kw": "0.2", "peak_kw": "0.3", "peak_kva": "0.4", "starting_kva": "0.6"}},
 {"record": "device_model", "id": "dm-ct", "manufacturer": "org-mfr", "model_name": "CT", "generic_type": "ct_scanner",
  "power": {"average_kw": "10", "active_kw": "80", "peak_kva": "120", "starting_kva": "150"}},
 {"record": "device_model", "id": "dm-mri", "manufacturer": "org-mfr", "model_name": "MRI", "generic_type": "mri_scanner",
  "power": {"idle_kw": "14.5", "active_kw": "48.3"}},
 {"record": "device_model", "id": "dm-plt", "manufacturer": "org-mfr", "model_name": "Agitator", "generic_type": "platelet_storage"},

 {"record": "facility", "id": "fac-a", "name": "Hospital A", "kind": "regional_hospital", "country": "KZ", "region": "Abai region", "beds": 200},
 {"record": "facility_power", "id": "pw-a", "facility": "fac-a", "phases": 3, "voltage": 400, "frequency_hz": 50,
  "backup_kva": "20", "backup_condition": "working", "typical_outage_hours_per_day": "12",
  "building_loads": [
    {"kind": "medical_gases", "average_kw": "5", "peak_kw": "8", "starting_kva": "12"},
    {"kind": "heating_pumps", "average_kw": "3"}]},
 {"record": "asset", "id": "as-a-vent-1", "inventory_tag": "A1", "model": "dm-vent", "facility": "fac-a", "funding": {"acquisition": "purchase", "condition": "new"}, "criticality": "high"},
 {"record": "asset", "id": "as-a-vent-2", "inventory_tag": "A2", "model": "dm-vent", "facility": "fac-a", "funding": {"acquisition": "purchase", "condition": "new"}, "criticality": "high"},
 {"record": "asset", "id": "as-a-ct", "inventory_tag": "A3", "model": "dm-ct", "facility": "fac-a", "funding": {"acquisition": "purchase", "condition": "new"}, "criticality": "high"},
 {"record": "asset", "id": "as-a-ct-stored", "inventory_tag": "A4", "model": "dm-ct", "facility": "fac-a", "funding": {"acquisition": "purchase", "condition": "new"}, "criticality": "high"},
 {"record": "asset_event", "id": "ev-a1", "asset": "as-a-vent-1", "at": "2025-01-01T00:00:00", "state": "in_service"},
 {"record": "asset_event", "id": "ev-a2", "asset": "as-a-vent-2", "at": "2025-01-01T00:00:00", "state": "in_service"},
 {"record": "asset_event", "id": "ev-a3", "asset": "as-a-ct", "at": "2025-01-01T00:00:00", "state": "in_service"},

 {"record": "facility", "id": "fac-b", "name": "Blood centre B", "kind": "blood_centre", "country": "KZ", "region": "Jambyl region"},
 {"record": "facility_power", "id": "pw-b", "facility": "fac-b", "phases": 1, "voltage": 220, "frequency_hz": 50,
  "backup_kva": "10", "backup_condition": "working", "typical_outage_hours_per_day": "8"},
 {"record": "asset", "id": "as-b-plt-1", "inventory_tag": "B1", "model": "dm-plt", "facility": "fac-b", "funding": {"acquisition": "donation", "condition": "new"}, "criticality": "high"},
 {"record": "asset_event", "id": "ev-b1", "asset": "as-b-plt-1", "at": "2025-01-01T00:00:00", "state": "in_service"},

 {"record": "facility", "id": "fac-c", "name": "Hospital C", "kind": "district_hospital", "country": "KZ", "region": "Abai region"},
 {"record": "facility_power", "id": "pw-c", "facility": "fac-c", "phases": 3, "voltage": 400, "frequency_hz": 50,
  "backup_kva": "50", "backup_condition": "needs_repair",
  "building_loads": [{"kind": "medical_gases", "average_kw": "2"}],
  "tier_overrides": [
    {"asset": "as-c-mri", "tier": "critical", "note": "cryocooler"},
    {"generic_type": "ct_scanner", "tier": "life_support"}]},
 {"record": "asset", "id": "as-c-mri", "inventory_tag": "C1", "model": "dm-mri", "facility": "fac-c", "funding": {"acquisition": "purchase", "condition": "new"}, "criticality": "high"},
 {"record": "asset", "id": "as-c-ct", "inventory_tag": "C2", "model": "dm-ct", "facility": "fac-c", "funding": {"acquisition": "purchase", "condition": "new"}, "criticality": "high"},
 {"record": "asset", "id": "as-c-plt", "inventory_tag": "C3", "model": "dm-plt", "facility": "fac-c", "funding": {"acquisition": "purchase", "condition": "new"}, "criticality": "high"},
 {"record": "asset_event", "id": "ev-c1", "asset": "as-c-mri", "at": "2025-01-01T00:00:00", "state": "in_service"},
 {"record": "asset_event", "id": "ev-c2", "asset": "as-c-ct", "at": "2025-01-01T00:00:00", "state": "in_service"},
 {"record": "asset_event", "id": "ev-c3", "asset": "as-c-plt", "at": "2025-01-01T00:00:00", "state": "in_service"},

 {"record": "facility", "id": "fac-d", "name": "Clinic D", "kind": "primary_care", "country": "KZ"}
]}"#;

fn store() -> (kit::Guard, Aidtrace) {
    let (dir, mut app) = kit::open();
    app.load_json("test", FIXTURE).expect("fixture");
    (dir, app)
}

fn survey_of(app: &Aidtrace, id: &str) -> Survey {
    survey(&app.ledger().expect("ledger"), id, opts()).expect("survey")
}

#[test]
fn tiers_add_up_to_the_hand_computed_averages() {
    let (_d, app) = store();
    let s = survey_of(&app, "fac-a");
    // Two ventilators at 0.2 kW and the medical gases at 5 kW; the CT at 10 kW; the heating
    // pumps at 3 kW. The stored CT has no state, so it draws nothing.
    assert_eq!(s.tier(LoadTier::LifeSupport).known_average_kw, d("5.4"));
    assert_eq!(s.tier(LoadTier::Critical).known_average_kw, d("10"));
    assert_eq!(s.tier(LoadTier::Essential).known_average_kw, d("3"));
    assert_eq!(s.tier(LoadTier::LifeSupport).lines, 3);
    assert_eq!(s.lines.len(), 5);
}

#[test]
fn coverage_is_cumulative_against_the_usable_backup() {
    let (_d, app) = store();
    let s = survey_of(&app, "fac-a");
    // 20 kVA × 0.8 × derate 0.75 = 12 kW (the prime rating is 16 kW): 5.4 fits, 5.4 + 10 =
    // 15.4 is 3.4 short, 15.4 + 3 = 18.4 is 6.4 short.
    assert_eq!(s.usable_backup_kw, Some(d("12")));
    assert_eq!(s.rated_backup_kw, Some(d("16")));
    assert_eq!(s.tier(LoadTier::LifeSupport).coverage, Coverage::Covered);
    assert_eq!(s.tier(LoadTier::Critical).coverage, Coverage::Short);
    assert_eq!(s.tier(LoadTier::Critical).short_kw, Some(d("3.4")));
    assert_eq!(s.tier(LoadTier::Essential).coverage, Coverage::Short);
    assert_eq!(s.tier(LoadTier::Essential).short_kw, Some(d("6.4")));
}

#[test]
fn largest_step_is_the_largest_starting_kva_and_says_what_it_misses() {
    let (_d, app) = store();
    let s = survey_of(&app, "fac-a");
    assert_eq!(s.largest_step_kva, Some(d("150")));
    // The heating pumps state no kVA.
    assert_eq!(s.step_unknown, 1);
}

#[test]
fn a_load_without_kw_is_unknown_and_blocks_covered() {
    let (_d, app) = store();
    let s = survey_of(&app, "fac-b");
    let ls = s.tier(LoadTier::LifeSupport);
    assert_eq!(ls.unknown, 1);
    assert_eq!(ls.known_average_kw, Decimal::ZERO);
    // 6 kW of usable backup and no known load: still not "covered".
    assert_eq!(ls.coverage, Coverage::Unknown);
    assert_eq!(s.coverage(), Coverage::Unknown);
    let unknown: Vec<_> = s.unknown_lines().map(|l| l.item.as_str()).collect();
    assert_eq!(unknown, ["as-b-plt-1"]);
}

#[test]
fn known_loads_beyond_a_backup_that_needs_repair_are_short_despite_unknowns() {
    let (_d, app) = store();
    let s = survey_of(&app, "fac-c");
    // A set that needs repair counts 0 kW; the CT (life support here) and the gases, 12 kW,
    // are known to be short whatever the agitator draws.
    assert_eq!(s.usable_backup_kw, Some(Decimal::ZERO));
    assert_eq!(s.tier(LoadTier::LifeSupport).coverage, Coverage::Short);
}

#[test]
fn tier_comes_from_the_clinical_role() {
    let (_d, app) = store();
    let s = survey_of(&app, "fac-a");
    let line = |id: &str| s.lines.iter().find(|l| l.item == id).expect(id);
    assert_eq!(line("as-a-vent-1").tier, LoadTier::LifeSupport);
    assert_eq!(line("as-a-ct").tier, LoadTier::Critical);
    assert_eq!(line("as-a-ct").tier_basis, TierBasis::ClinicalRole);
    assert_eq!(line("medical_gases").tier_basis, TierBasis::KindDefault);
    let b = survey_of(&app, "fac-b");
    assert_eq!(b.lines[0].tier, LoadTier::LifeSupport);
}

#[test]
fn a_facility_overrides_the_tier_of_an_asset_and_of_a_type() {
    let (_d, app) = store();
    let s = survey_of(&app, "fac-c");
    let line = |id: &str| s.lines.iter().find(|l| l.item == id).expect(id);
    // The MRI's role gives essential; this facility keeps it critical.
    assert_eq!(line("as-c-mri").tier, LoadTier::Critical);
    assert_eq!(line("as-c-mri").tier_basis, TierBasis::FacilityOverride);
    assert_eq!(line("as-c-ct").tier, LoadTier::LifeSupport);
    // Fac-a's CT keeps its role: the override is this facility's only.
    let a = survey_of(&app, "fac-a");
    let ct = a.lines.iter().find(|l| l.item == "as-a-ct").expect("ct");
    assert_eq!(ct.tier, LoadTier::Critical);
}

#[test]
fn idle_and_active_kw_alone_leave_the_average_unknown() {
    let (_d, app) = store();
    let s = survey_of(&app, "fac-c");
    let mri = s.lines.iter().find(|l| l.item == "as-c-mri").expect("mri");
    assert_eq!(mri.average_kw, None);
    assert_eq!(mri.peak_kw, Some(d("48.3")));
}

#[test]
fn a_facility_with_nothing_recorded_is_not_surveyed_and_unknown() {
    let (_d, app) = store();
    let s = survey_of(&app, "fac-d");
    assert!(!s.surveyed);
    assert_eq!(s.usable_backup_kw, None);
    assert_eq!(s.coverage(), Coverage::Unknown);
}

#[test]
fn an_override_of_a_missing_asset_is_refused_and_nothing_written() {
    let (_d, mut app) = store();
    let before = app.ledger().expect("ledger").facility_power.len();
    let err = app
        .load_json(
            "test",
            r#"{"records": [{"record": "facility_power", "id": "pw-x", "facility": "fac-d", "phases": 1,
                "voltage": 220, "frequency_hz": 50,
                "tier_overrides": [{"asset": "as-nope", "tier": "critical"}]}]}"#,
        )
        .expect_err("dangling asset");
    assert!(err.to_string().contains("as-nope"), "{err}");
    assert_eq!(app.ledger().expect("ledger").facility_power.len(), before);
}

#[test]
fn an_override_naming_both_asset_and_type_is_refused_with_its_field() {
    let (_d, mut app) = store();
    let err = app
        .load_json(
            "test",
            r#"{"records": [{"record": "facility_power", "id": "pw-x", "facility": "fac-d", "phases": 1,
                "voltage": 220, "frequency_hz": 50,
                "tier_overrides": [{"asset": "as-c-ct", "generic_type": "ct_scanner", "tier": "critical"}]}]}"#,
        )
        .expect_err("both");
    assert!(err.to_string().contains("tier_overrides[0]"), "{err}");
}

#[test]
fn a_negative_building_load_is_refused_with_its_field() {
    let (_d, mut app) = store();
    let err = app
        .load_json(
            "test",
            r#"{"records": [{"record": "facility_power", "id": "pw-x", "facility": "fac-d", "phases": 1,
                "voltage": 220, "frequency_hz": 50,
                "building_loads": [{"kind": "sterilisation", "average_kw": "-1"}]}]}"#,
        )
        .expect_err("negative");
    assert!(
        err.to_string().contains("building_loads[0].average_kw"),
        "{err}"
    );
}

fn v2(skip_unknown: bool) -> V2Options {
    V2Options {
        spec: SeasonSpec {
            fleet: vec![FleetUnit {
                model: "G100".into(),
                prime_kw: 100.0,
                count: 3,
                idle_l_per_h: Some(3.45),
            }],
            ..SeasonSpec::default()
        },
        fuel_l_per_day: Some(5000.0),
        install_units: Some(4),
        country: None,
        skip_unknown,
        survey: opts(),
        activity: None,
    }
}

#[test]
fn the_v2_builder_refuses_unknown_loads_naming_facility_and_asset() {
    let (_d, app) = store();
    let err = instance_v2(&app.ledger().expect("ledger"), &v2(false)).expect_err("unknowns");
    let msg = err.to_string();
    for needle in [
        "fac-b",
        "as-b-plt-1",
        "fac-c",
        "as-c-mri",
        "fac-d",
        "not planned as 0",
    ] {
        assert!(msg.contains(needle), "{needle} missing in {msg}");
    }
}

#[test]
fn the_v2_builder_leaves_unknowns_out_when_asked_and_lists_them() {
    let (_d, app) = store();
    let b = instance_v2(&app.ledger().expect("ledger"), &v2(true)).expect("instance");
    let ids: Vec<_> = b
        .instance
        .facilities
        .iter()
        .map(|f| f.id.as_str())
        .collect();
    assert_eq!(ids, ["fac-a"]);
    let out: Vec<_> = b.left_out.iter().map(|l| l.facility.as_str()).collect();
    assert_eq!(out, ["fac-b", "fac-c", "fac-d"]);
    let f = &b.instance.facilities[0];
    assert!((f.loads_kw.life_support - 5.4).abs() < 1e-9);
    assert!((f.loads_kw.critical - 10.0).abs() < 1e-9);
    assert!((f.loads_kw.essential - 3.0).abs() < 1e-9);
    // 20 kVA × 0.8 × derate 0.75.
    let e = f.existing_kw.expect("existing_kw");
    assert!((e - 12.0).abs() < 1e-9, "{e}");
    assert!((f.largest_step_kva - 150.0).abs() < 1e-9);
    // 1 + 200 beds / 100.
    assert!((f.population_weight - 3.0).abs() < 1e-9);
    assert_eq!(f.region, "Abai region");
    let r = &b.instance.regions[0];
    assert_eq!(
        (
            r.id.as_str(),
            r.outage_h_per_day,
            r.fuel_l_per_day,
            r.install_units
        ),
        ("Abai region", 12.0, 5000.0, 4)
    );
}

#[test]
fn the_store_built_instance_is_the_solvers_input_and_round_trips() {
    let (_d, app) = store();
    let b = instance_v2(&app.ledger().expect("ledger"), &v2(true)).expect("instance");
    let text = serde_json::to_string(&b.instance).expect("json");
    let back = aidtrace_energy::v2::InstanceV2::from_json_str(&text).expect("valid MODEL-v2");
    assert_eq!(back, b.instance);
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(v["version"], 2);
    assert_eq!(v["fleet"][0]["prime_kw"], 100.0);
    let plan = aidtrace_energy::v2::solve_v2(
        &back,
        &aidtrace_energy::Options {
            time_limit: std::time::Duration::from_millis(300),
            seed: 0,
        },
    );
    assert!(plan.objective >= 0.0);
}

#[test]
fn a_region_without_fuel_figures_is_refused_by_name() {
    let (_d, app) = store();
    let mut o = v2(true);
    o.fuel_l_per_day = None;
    let err = instance_v2(&app.ledger().expect("ledger"), &o).expect_err("no fuel");
    assert!(
        err.to_string()
            .contains("regions[Abai region].fuel_l_per_day"),
        "{err}"
    );
}

#[test]
fn demo_ukrainian_hospitals_are_illustrative_oblasts_with_iso_codes() {
    let (_dir, mut app) = kit::open();
    app.load_demo("test").expect("demo");
    let ledger = app.ledger().expect("ledger");
    let ua: Vec<_> = ledger
        .facilities
        .values()
        .filter(|f| f.country.as_str() == "UA")
        .collect();
    assert!((8..=15).contains(&ua.len()), "{}", ua.len());
    for f in &ua {
        if f.id.as_str() == "fac-ua-okhmatdyt" {
            // Real: sourced damage, nothing invented.
            assert!(f.illustrative.is_none());
            assert!(!f.status_history[0].sources.is_empty());
            assert!(!ledger.facility_power.values().any(|p| p.facility == f.id));
        } else {
            assert!(f.illustrative.is_some(), "{}", f.id);
            assert!(f.name.contains("(illustrative)"), "{}", f.name);
            assert!(!f.status_history.is_empty(), "{}", f.id);
        }
    }
    let mut o = v2(true);
    o.country = Some(aidtrace_domain::CountryCode::parse("UA").expect("UA"));
    let b = instance_v2(&ledger, &o).expect("instance");
    assert!(b.instance.regions.iter().all(|r| r.id.starts_with("UA-")));
    assert!(b.instance.regions.iter().any(|r| r.id == "UA-63"));
    let out: Vec<_> = b.left_out.iter().map(|l| l.facility.as_str()).collect();
    assert!(out.contains(&"fac-ua-okhmatdyt"), "{out:?}");
    assert!(
        b.instance.facilities.len() >= 7,
        "{}",
        b.instance.facilities.len()
    );
}

mod properties {
    use aidtrace_domain::Ledger;
    use aidtrace_domain::assets::FacilityPower;
    use aidtrace_domain::assets::load::{BuildingLoad, BuildingLoadKind, LoadTier};
    use aidtrace_domain::model::{Facility, FacilityKind, Record};
    use aidtrace_domain::{CountryCode, RecordId};
    use aidtrace_service::energy_survey::{Coverage, surveys};
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    fn ledger(loads: &[(usize, Option<u32>)], backup_tenths: Option<u32>) -> Ledger {
        let id = RecordId::parse("fac-p").expect("id");
        let facility = Facility {
            id: id.clone(),
            name: "P".into(),
            kind: FacilityKind::Other,
            country: CountryCode::parse("UA").expect("UA"),
            region: None,
            city: None,
            operator: None,
            location: None,
            location_note: None,
            beds: None,
            population_served: None,
            sensitive: false,
            illustrative: None,
            status_history: vec![],
            sources: vec![],
        };
        let power = FacilityPower {
            id: RecordId::parse("pw-p").expect("id"),
            facility: id,
            phases: 3,
            voltage: 400,
            frequency_hz: 50,
            available_kva: None,
            backup_kva: backup_tenths.map(|b| Decimal::new(i64::from(b), 1)),
            typical_outage_hours_per_day: None,
            backup_condition: None,
            building_loads: loads
                .iter()
                .map(|(tier, avg)| BuildingLoad {
                    kind: BuildingLoadKind::Other,
                    description: Some("load".into()),
                    tier: Some(LoadTier::ALL[*tier]),
                    average_kw: avg.map(|a| Decimal::new(i64::from(a), 1)),
                    peak_kw: None,
                    starting_kva: None,
                })
                .collect(),
            tier_overrides: vec![],
            fuel: None,
            note: None,
            sources: vec![],
        };
        Ledger::from_records([Record::Facility(facility), Record::FacilityPower(power)])
    }

    proptest! {
        /// Tier sums are the sums of the stated figures; a tier is covered exactly when every
        /// load up to it is stated and their sum fits the usable backup; short exactly when the
        /// stated sum alone exceeds it.
        #[test]
        fn coverage_follows_the_hand_rule(
            loads in proptest::collection::vec((0usize..3, proptest::option::of(0u32..1_000_000)), 0..12),
            backup in proptest::option::of(0u32..2_000_000),
        ) {
            let l = ledger(&loads, backup);
            let s = surveys(&l, super::opts()).expect("survey").remove(0);
            let usable = backup.map(|b| Decimal::new(i64::from(b), 1) * Decimal::new(8, 1) * Decimal::new(75, 2));
            prop_assert_eq!(s.usable_backup_kw, usable);
            let mut cumulative = Decimal::ZERO;
            let mut unknown = 0;
            for tier in LoadTier::ALL {
                let mine: Vec<_> = loads.iter().filter(|(t, _)| LoadTier::ALL[*t] == tier).collect();
                let known: Decimal = mine.iter().filter_map(|(_, a)| a.map(|a| Decimal::new(i64::from(a), 1))).sum();
                cumulative += known;
                unknown += mine.iter().filter(|(_, a)| a.is_none()).count();
                let ts = s.tier(tier);
                prop_assert_eq!(ts.known_average_kw, known);
                let expected = match usable {
                    Some(b) if cumulative > b => Coverage::Short,
                    Some(_) if !loads.is_empty() && unknown == 0 => Coverage::Covered,
                    _ => Coverage::Unknown,
                };
                prop_assert_eq!(ts.coverage, expected);
            }
        }
    }
}
