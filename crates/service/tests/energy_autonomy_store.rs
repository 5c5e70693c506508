//! A facility's outage profile read from its load survey (issue 16: `energy autonomy FACILITY`
//! and the autonomy beside a version 2 plan), the fuel on site recorded on its supply record,
//! and what the store cannot say turning figures into bounds or "unknown", never 0. Real
//! SQLite; figures by hand.

#![allow(clippy::unwrap_used)]

mod kit;

use aidtrace_domain::assets::load::LoadTier;
use aidtrace_energy::autonomy::{Limit, Tier, assess};
use aidtrace_service::Aidtrace;
use aidtrace_service::energy_autonomy_store::{HoursBound, StoreProfile, store_profile};
use aidtrace_service::energy_fuel::{FuelEntry, FuelOnSite, record_fuel};
use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

fn at() -> NaiveDateTime {
    NaiveDateTime::parse_from_str("2026-01-01T00:00:00", "%Y-%m-%dT%H:%M:%S").expect("time")
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

fn d(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

/// fac-w: 100 kVA working, life support 10 kW (gases), critical 20 kW (ventilation) and one
/// critical load without a figure; no fuel recorded. fac-r: a 50 kVA set that needs repair.
/// fac-n: no supply record at all.
const FIXTURE: &str = r#"{"records": [
 {"record": "facility", "id": "fac-w", "name": "Hospital W", "kind": "regional_hospital", "country": "UA", "region": "Kharkiv Oblast"},
 {"record": "facility_power", "id": "pw-w", "facility": "fac-w", "phases": 3, "voltage": 400, "frequency_hz": 50,
  "backup_kva": "100", "backup_condition": "working",
  "building_loads": [
    {"kind": "medical_gases", "average_kw": "10"},
    {"kind": "or_icu_ventilation", "average_kw": "20"},
    {"kind": "sterilisation"}]},
 {"record": "facility", "id": "fac-r", "name": "Hospital R", "kind": "district_hospital", "country": "UA", "region": "Sumy Oblast"},
 {"record": "facility_power", "id": "pw-r", "facility": "fac-r", "phases": 3, "voltage": 400, "frequency_hz": 50,
  "backup_kva": "50", "backup_condition": "needs_repair",
  "building_loads": [{"kind": "medical_gases", "average_kw": "4"}],
  "fuel": {"tank_litres": "300", "on_hand_litres": "200", "as_of": "2025-12-01"}},
 {"record": "facility", "id": "fac-n", "name": "Clinic N", "kind": "primary_care", "country": "UA", "region": "Sumy Oblast"}
]}"#;

fn store() -> (kit::Guard, Aidtrace) {
    let (dir, mut app) = kit::open();
    app.load_json("test", FIXTURE).expect("fixture");
    (dir, app)
}

fn profile(app: &Aidtrace, facility: &str, fuel: Option<f64>) -> StoreProfile {
    store_profile(&app.ledger().unwrap(), facility, at(), 0.8, fuel).expect("profile")
}

fn tier_hours(sp: &StoreProfile, tier: Tier) -> (f64, Option<Limit>) {
    let a = assess(&sp.profile);
    let h = a.autonomy.iter().find(|h| h.tier == tier).expect("tier");
    (h.hours, h.limit)
}

#[test]
fn loads_are_the_surveys_average_kw_per_tier_not_active_kw() {
    let (_d, app) = store();
    let sp = profile(&app, "fac-w", Some(1000.0));
    // Life support 10 kW (medical gases), critical 20 kW (ventilation): the survey's averages.
    let kw: Vec<(String, f64)> = sp
        .profile
        .loads
        .iter()
        .map(|l| {
            (
                serde_json::to_value(l.tier)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_string(),
                l.devices
                    .as_ref()
                    .unwrap()
                    .iter()
                    .map(|x| x.watts * f64::from(x.count))
                    .sum::<f64>()
                    / 1000.0,
            )
        })
        .collect();
    assert_eq!(
        kw,
        vec![("life_support".into(), 10.0), ("critical".into(), 20.0)]
    );
}

#[test]
fn a_working_backup_is_one_set_at_kva_times_power_factor_times_derate() {
    let (_d, app) = store();
    let sp = profile(&app, "fac-w", Some(1000.0));
    // 100 kVA × 0.8 × 0.75 = 60 kW usable.
    assert_eq!(sp.profile.generators.len(), 1);
    assert!((sp.profile.generators[0].prime_kw - 60.0).abs() < 1e-9);
    assert_eq!(sp.backup_kw, Some(60.0));
    assert!(
        sp.notes
            .iter()
            .any(|n| n.contains("= 60.0 kW usable (working)"))
    );
}

#[test]
fn a_backup_that_needs_repair_counts_0_kw_and_the_hours_are_exactly_0() {
    let (_d, app) = store();
    let sp = profile(&app, "fac-r", None);
    assert!(sp.profile.generators.is_empty());
    assert!(
        sp.notes
            .iter()
            .any(|n| n.contains("needs_repair: counted as 0 kW"))
    );
    let (hours, limit) = tier_hours(&sp, Tier::LifeSupport);
    assert_eq!(hours, 0.0);
    // No set to carry it: capacity ends it whatever the fuel, so the 0 is a figure.
    assert!(matches!(limit, Some(Limit::Capacity { .. })), "{limit:?}");
    assert_eq!(
        sp.bound(Tier::LifeSupport, limit.as_ref()),
        HoursBound::Exact
    );
}

#[test]
fn without_a_recorded_stock_the_fuel_on_site_is_unknown_and_fuel_bound_hours_are_unknown() {
    let (_d, app) = store();
    let sp = profile(&app, "fac-w", None);
    assert_eq!(sp.fuel, FuelOnSite::Unknown);
    assert!(sp.notes.iter().any(|n| n.contains("fuel on site unknown")));
    let (_, limit) = tier_hours(&sp, Tier::LifeSupport);
    assert_eq!(limit, Some(Limit::Fuel));
    assert_eq!(
        sp.bound(Tier::LifeSupport, limit.as_ref()),
        HoursBound::Unknown
    );
}

#[test]
fn an_unknown_critical_load_makes_critical_and_essential_hours_upper_bounds() {
    let (_d, app) = store();
    let sp = profile(&app, "fac-w", Some(1000.0));
    assert_eq!(sp.unknown_loads.len(), 1);
    assert_eq!(sp.unknown_loads[0].tier, LoadTier::Critical);
    assert_eq!(sp.unknown_loads[0].item, "sterilisation");
    let fuel = Some(Limit::Fuel);
    assert_eq!(
        sp.bound(Tier::LifeSupport, fuel.as_ref()),
        HoursBound::Exact
    );
    assert_eq!(sp.bound(Tier::Critical, fuel.as_ref()), HoursBound::AtMost);
    assert_eq!(sp.bound(Tier::Other, fuel.as_ref()), HoursBound::AtMost);
}

#[test]
fn given_fuel_runs_the_simulation_by_hand() {
    let (_d, app) = store();
    let sp = profile(&app, "fac-w", Some(1000.0));
    // Life support alone: 10 kW on a 60 kW set: 0.25 L/kWh × 10 + idle of the 80 kW rating.
    let idle = aidtrace_energy::diesel::idle_l_per_h(80.0);
    let expected = (1000.0 / (0.25 * 10.0 + idle)).floor();
    let (hours, _) = tier_hours(&sp, Tier::LifeSupport);
    assert!((hours - expected).abs() <= 1.0, "{hours} vs {expected}");
}

#[test]
fn the_recorded_stock_is_the_starting_fuel_and_the_tank_the_profiles() {
    let (_d, mut app) = store();
    record_fuel(
        &mut app,
        "test",
        "fac-w",
        &FuelEntry {
            tank_litres: Some(d("2000")),
            on_hand_litres: Some(d("1500")),
            as_of: Some(day("2025-12-01")),
            record: None,
        },
    )
    .expect("recorded");
    let sp = profile(&app, "fac-w", None);
    assert_eq!(
        sp.fuel,
        FuelOnSite::Recorded {
            litres: 1500.0,
            as_of: day("2025-12-01")
        }
    );
    assert_eq!(sp.profile.fuel_litres, 1500.0);
    assert_eq!(sp.profile.tank_litres, Some(2000.0));
    // Given on the command line, the figure wins over the record.
    assert_eq!(profile(&app, "fac-w", Some(10.0)).profile.fuel_litres, 10.0);
}

#[test]
fn a_new_reading_keeps_the_tank_and_replaces_litres_and_date() {
    let (_d, mut app) = store();
    let entry = |tank: Option<&str>, on_hand: &str, date: &str| FuelEntry {
        tank_litres: tank.map(d),
        on_hand_litres: Some(d(on_hand)),
        as_of: Some(day(date)),
        record: None,
    };
    record_fuel(
        &mut app,
        "test",
        "fac-r",
        &entry(Some("400"), "350", "2025-12-10"),
    )
    .unwrap();
    record_fuel(&mut app, "test", "fac-r", &entry(None, "120", "2025-12-20")).unwrap();
    let l = app.ledger().unwrap();
    let fuel = l
        .facility_power
        .values()
        .find(|p| p.id.as_str() == "pw-r")
        .unwrap()
        .fuel
        .clone()
        .unwrap();
    assert_eq!(fuel.tank_litres, Some(d("400")));
    assert_eq!(fuel.on_hand_litres, Some(d("120")));
    assert_eq!(fuel.as_of, Some(day("2025-12-20")));
}

#[test]
fn more_fuel_than_the_tank_is_refused_naming_the_field_and_nothing_is_written() {
    let (_d, mut app) = store();
    let e = record_fuel(
        &mut app,
        "test",
        "fac-r",
        &FuelEntry {
            on_hand_litres: Some(d("900")),
            as_of: Some(day("2025-12-10")),
            ..FuelEntry::default()
        },
    )
    .expect_err("refused");
    assert!(e.to_string().contains("fuel.on_hand_litres"), "{e}");
    let l = app.ledger().unwrap();
    let fuel = l
        .facility_power
        .values()
        .find(|p| p.id.as_str() == "pw-r")
        .unwrap()
        .fuel
        .clone()
        .unwrap();
    assert_eq!(fuel.on_hand_litres, Some(d("200")));
}

#[test]
fn fuel_for_a_facility_without_a_supply_record_is_refused() {
    let (_d, mut app) = store();
    let e = record_fuel(
        &mut app,
        "test",
        "fac-n",
        &FuelEntry {
            tank_litres: Some(d("100")),
            ..FuelEntry::default()
        },
    )
    .expect_err("refused");
    assert!(e.to_string().contains("no supply record"), "{e}");
}

#[test]
fn an_empty_fuel_entry_is_refused() {
    let (_d, mut app) = store();
    let e = record_fuel(&mut app, "test", "fac-w", &FuelEntry::default()).expect_err("refused");
    assert!(e.to_string().starts_with("fuel:"), "{e}");
}

#[test]
fn a_facility_with_nothing_surveyed_has_no_profile_and_says_why() {
    let (_d, app) = store();
    let e = store_profile(&app.ledger().unwrap(), "fac-n", at(), 0.8, None).expect_err("refused");
    assert!(e.to_string().contains("nothing surveyed"), "{e}");
    let e =
        store_profile(&app.ledger().unwrap(), "fac-nowhere", at(), 0.8, None).expect_err("refused");
    assert!(e.to_string().contains("fac-nowhere"), "{e}");
}

#[test]
fn negative_given_fuel_is_refused_naming_it() {
    let (_d, app) = store();
    let e =
        store_profile(&app.ledger().unwrap(), "fac-w", at(), 0.8, Some(-1.0)).expect_err("refused");
    assert!(e.to_string().contains("fuel_litres = -1"), "{e}");
}

#[test]
fn the_demos_illustrative_hospital_a_starts_from_its_illustrative_stock() {
    let (_d, mut app) = kit::open();
    app.load_demo("test").expect("demo");
    let sp = profile(&app, "fac-ua-illustrative-kharkiv-a", None);
    assert_eq!(
        sp.fuel,
        FuelOnSite::Recorded {
            litres: 1500.0,
            as_of: day("2025-12-01")
        }
    );
    // 250 kVA × 0.8 × 0.75 = 150 kW usable; survey averages 65 kW life support, 158 critical.
    assert!((sp.profile.generators[0].prime_kw - 150.0).abs() < 1e-9);
    // Okhmatdyt records no stock: unknown, never 0.
    let ok = store_profile(&app.ledger().unwrap(), "fac-ua-okhmatdyt", at(), 0.8, None);
    if let Ok(sp) = ok {
        assert_eq!(sp.fuel, FuelOnSite::Unknown);
    }
}

#[test]
fn a_fuel_reading_dated_after_today_is_refused_and_nothing_is_written() {
    let (_d, mut app) = store();
    let app_now = app.now().date();
    // Today in UTC+5 may be tomorrow in UTC: the day after is refused.
    let tomorrow = app_now
        .checked_add_days(chrono::Days::new(2))
        .expect("the day after tomorrow");
    let refused = record_fuel(
        &mut app,
        "test",
        "fac-w",
        &FuelEntry {
            tank_litres: None,
            on_hand_litres: Some(d("800")),
            as_of: Some(tomorrow),
            record: None,
        },
    )
    .expect_err("a reading of tomorrow");
    assert!(
        matches!(&refused, aidtrace_service::ServiceError::Invalid { error, .. } if error.field == "as_of"),
        "{refused:?}"
    );
    let sp = profile(&app, "fac-w", None);
    assert_ne!(sp.fuel.litres(), 800.0);
    record_fuel(
        &mut app,
        "test",
        "fac-w",
        &FuelEntry {
            tank_litres: None,
            on_hand_litres: Some(d("800")),
            as_of: Some(app_now),
            record: None,
        },
    )
    .expect("a reading of today");
}

#[test]
fn a_supply_record_loaded_with_a_reading_dated_ahead_is_refused_too() {
    let (_d, mut app) = store();
    let ledger = app.ledger().expect("ledger");
    let mut power = ledger
        .facility_power
        .values()
        .find(|p| p.facility.as_str() == "fac-w")
        .cloned()
        .expect("fac-w's supply record");
    let ahead = app
        .now()
        .date()
        .checked_add_days(chrono::Days::new(10))
        .expect("date");
    power.fuel = Some(aidtrace_domain::assets::load::FuelStock {
        tank_litres: Some(d("2000")),
        on_hand_litres: Some(d("800")),
        as_of: Some(ahead),
    });
    let refused = app
        .put(
            "loader",
            vec![aidtrace_domain::Record::FacilityPower(power)],
        )
        .expect_err("a reading of next week");
    assert!(
        matches!(&refused, aidtrace_service::ServiceError::Invalid { error, .. } if error.field == "fuel.as_of"),
        "{refused:?}"
    );
}
