//! The fuel stock on a facility's supply record (issue 16: the simulator's starting fuel):
//! each bad figure is refused naming its field.

use aidtrace_domain::assets::FacilityPower;
use aidtrace_domain::assets::load::FuelStock;
use aidtrace_domain::validate::validate;
use aidtrace_domain::{Record, RecordId};
use chrono::NaiveDate;
use rust_decimal::Decimal;

fn supply(fuel: FuelStock) -> Record {
    Record::FacilityPower(FacilityPower {
        id: RecordId::parse("pw").expect("id"),
        facility: RecordId::parse("f").expect("id"),
        phases: 3,
        voltage: 400,
        frequency_hz: 50,
        available_kva: None,
        backup_kva: None,
        typical_outage_hours_per_day: None,
        backup_condition: None,
        building_loads: vec![],
        tier_overrides: vec![],
        fuel: Some(fuel),
        note: None,
        sources: vec![],
    })
}

fn stock(tank: Option<i64>, on_hand: Option<i64>, as_of: Option<&str>) -> FuelStock {
    FuelStock {
        tank_litres: tank.map(Decimal::from),
        on_hand_litres: on_hand.map(Decimal::from),
        as_of: as_of.map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("date")),
    }
}

fn refused(fuel: FuelStock) -> (String, String) {
    let e = validate(&supply(fuel)).expect_err("refused");
    (e.field, e.value)
}

#[test]
fn a_tank_with_fuel_on_hand_at_a_date_is_valid() {
    validate(&supply(stock(Some(2000), Some(1500), Some("2025-12-01")))).expect("valid");
}

#[test]
fn a_tank_size_alone_is_valid() {
    validate(&supply(stock(Some(2000), None, None))).expect("valid");
}

#[test]
fn a_negative_tank_is_refused() {
    assert_eq!(
        refused(stock(Some(-1), None, None)),
        ("fuel.tank_litres".into(), "-1".into())
    );
}

#[test]
fn negative_fuel_on_hand_is_refused() {
    assert_eq!(
        refused(stock(None, Some(-5), Some("2025-12-01"))).0,
        "fuel.on_hand_litres"
    );
}

#[test]
fn more_fuel_than_the_tank_holds_is_refused() {
    assert_eq!(
        refused(stock(Some(1000), Some(1200), Some("2025-12-01"))),
        ("fuel.on_hand_litres".into(), "1200".into())
    );
}

#[test]
fn fuel_on_hand_without_a_date_is_refused() {
    assert_eq!(refused(stock(None, Some(500), None)).0, "fuel.as_of");
}

#[test]
fn a_date_without_fuel_on_hand_is_refused() {
    assert_eq!(
        refused(stock(Some(500), None, Some("2025-12-01"))).0,
        "fuel.as_of"
    );
}

#[test]
fn an_implausibly_large_tank_is_refused() {
    assert_eq!(
        refused(stock(Some(20_000_000), None, None)).0,
        "fuel.tank_litres"
    );
}

#[test]
fn an_unknown_key_in_the_fuel_stock_is_refused() {
    let bad = r#"{"id":"pw","facility":"f","phases":3,"voltage":400,"frequency_hz":50,
        "fuel":{"tank_litres":"100","litres":"50"}}"#;
    assert!(serde_json::from_str::<FacilityPower>(bad).is_err());
}
