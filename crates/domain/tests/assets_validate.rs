//! Single-record rules of the asset records: each refusal names the field and the value.

use aidtrace_domain::assets::workorder::{ChecklistItem, Reading, ReadingKind, WorkResult};
use aidtrace_domain::assets::{
    Downtime, DowntimeCause, FacilityPower, MaintenancePlan, PartUse, PlanKind, PlanTrigger,
    Priority, WorkOrder, WorkOrderKind, WorkOrderStatus,
};
use aidtrace_domain::validate::validate;
use aidtrace_domain::{CurrencyCode, Money, Record, RecordId};
use chrono::NaiveDateTime;

fn id(s: &str) -> RecordId {
    RecordId::parse(s).expect("id")
}
fn t(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time")
}

fn order() -> WorkOrder {
    WorkOrder {
        id: id("w"),
        asset: id("a"),
        kind: WorkOrderKind::Corrective,
        status: WorkOrderStatus::Open,
        priority: Priority::Normal,
        opened: t("2025-01-02 00:00"),
        closed: None,
        plan: None,
        failure_cause: None,
        labour_hours: None,
        labour_cost: None,
        labour_rate: None,
        acknowledged: None,
        started: None,
        assignee: None,
        result: None,
        checklist: Vec::new(),
        readings: Vec::new(),
        parts: vec![],
        external_cost: None,
        provider: None,
        note: None,
        notice: None,
        voided: None,
    }
}

fn field_of(r: Record) -> (String, String) {
    let e = validate(&r).expect_err("refused");
    (e.field, e.value)
}

#[test]
fn downtime_ending_before_it_starts() {
    let d = Downtime {
        id: id("d"),
        asset: id("a"),
        start: t("2025-01-02 00:00"),
        end: Some(t("2025-01-01 00:00")),
        cause: DowntimeCause::Wear,
        planned: false,
        work_order: None,
        reported_by: None,
        note: None,
        voided: None,
    };
    assert_eq!(
        field_of(Record::Downtime(d)),
        ("end".into(), "2025-01-01 00:00:00".into())
    );
}

#[test]
fn work_order_closing_rules_and_implausible_amounts() {
    let mut w = order();
    w.status = WorkOrderStatus::Done;
    assert_eq!(field_of(Record::WorkOrder(w.clone())).0, "closed");
    w.closed = Some(t("2025-01-01 00:00"));
    assert_eq!(field_of(Record::WorkOrder(w.clone())).0, "closed");
    w.closed = Some(t("2025-01-03 00:00"));
    validate(&Record::WorkOrder(w.clone())).expect("valid");
    w.external_cost = Some(Money {
        amount: rust_decimal::Decimal::from(10_000_000_000_000_000u64),
        currency: CurrencyCode::parse("USD").expect("usd"),
        value_date: None,
    });
    assert_eq!(
        field_of(Record::WorkOrder(w.clone())).0,
        "external_cost.amount"
    );
    w.external_cost = None;
    w.parts = vec![PartUse {
        part: None,
        description: "valve".into(),
        quantity: 2_000_000,
        unit_cost: Money {
            amount: 1.into(),
            currency: CurrencyCode::parse("USD").expect("usd"),
            value_date: None,
        },
    }];
    assert_eq!(
        field_of(Record::WorkOrder(w)),
        ("parts[0].quantity".into(), "2000000".into())
    );
}

#[test]
fn plans_apply_to_a_model_or_an_asset_and_supplies_are_physical() {
    let plan = MaintenancePlan {
        id: id("p"),
        model: Some(id("m")),
        asset: Some(id("a")),
        kind: PlanKind::Inspection,
        trigger: PlanTrigger::EveryDays(30),
        window_days: 3,
        description: "monthly".into(),
        sources: vec![],
    };
    assert_eq!(field_of(Record::MaintenancePlan(plan.clone())).0, "model");
    let zero = MaintenancePlan {
        asset: None,
        trigger: PlanTrigger::EveryDays(0),
        ..plan
    };
    assert_eq!(
        field_of(Record::MaintenancePlan(zero)).0,
        "trigger.every_days"
    );
    let supply = FacilityPower {
        id: id("pw"),
        facility: id("f"),
        phases: 2,
        voltage: 230,
        frequency_hz: 50,
        available_kva: None,
        backup_kva: None,
        typical_outage_hours_per_day: None,
        backup_condition: None,
        building_loads: vec![],
        tier_overrides: vec![],
        fuel: None,
        note: None,
        sources: vec![],
    };
    assert_eq!(
        field_of(Record::FacilityPower(supply.clone())),
        ("phases".into(), "2".into())
    );
    let hz = FacilityPower {
        phases: 3,
        frequency_hz: 55,
        ..supply
    };
    assert_eq!(field_of(Record::FacilityPower(hz)).0, "frequency_hz");
}

/// A done PM order with a checklist and an IEC 62353 reading that is valid as it stands.
fn done_with_substance() -> WorkOrder {
    let mut w = order();
    w.kind = WorkOrderKind::ElectricalSafety;
    w.status = WorkOrderStatus::Done;
    w.acknowledged = Some(t("2025-01-02 01:00"));
    w.started = Some(t("2025-01-02 03:00"));
    w.closed = Some(t("2025-01-02 05:00"));
    w.result = Some(WorkResult::Pass);
    w.checklist = vec![ChecklistItem {
        item: "mains cable intact".into(),
        result: WorkResult::Pass,
        note: None,
    }];
    w.readings = vec![Reading {
        kind: ReadingKind::ElectricalSafety,
        quantity: "protective earth resistance".into(),
        unit: "Ω".into(),
        value: "0.12".parse().expect("decimal"),
        min: None,
        max: Some("0.3".parse().expect("decimal")),
        instrument: "ESA-615 #3301".into(),
        instrument_calibrated: chrono::NaiveDate::from_ymd_opt(2024, 11, 1).expect("date"),
    }];
    w
}

#[test]
fn work_order_with_results_readings_and_times_is_valid() {
    validate(&Record::WorkOrder(done_with_substance())).expect("valid");
}

#[test]
fn work_order_acknowledged_before_it_was_requested_is_refused() {
    let mut w = done_with_substance();
    w.acknowledged = Some(t("2025-01-01 23:00"));
    assert_eq!(
        field_of(Record::WorkOrder(w)),
        ("acknowledged".into(), "2025-01-01 23:00:00".into())
    );
}

#[test]
fn work_order_started_after_it_was_finished_is_refused() {
    let mut w = done_with_substance();
    w.started = Some(t("2025-01-02 06:00"));
    assert_eq!(field_of(Record::WorkOrder(w)).0, "closed");
}

#[test]
fn work_order_passed_with_a_failed_checklist_item_is_refused() {
    let mut w = done_with_substance();
    w.checklist[0].result = WorkResult::Fail;
    assert_eq!(
        field_of(Record::WorkOrder(w)),
        ("result".into(), "pass".into())
    );
}

#[test]
fn work_order_passed_with_a_reading_out_of_tolerance_is_refused() {
    let mut w = done_with_substance();
    w.readings[0].value = "0.31".parse().expect("decimal");
    let e = validate(&Record::WorkOrder(w.clone())).expect_err("refused");
    assert_eq!((e.field.as_str(), e.value.as_str()), ("result", "pass"));
    assert!(e.message.contains("protective earth resistance"), "{e}");
    w.result = Some(WorkResult::Fail);
    validate(&Record::WorkOrder(w)).expect("a failed test is recorded as failed");
}

#[test]
fn reading_without_tolerance_is_refused() {
    let mut w = done_with_substance();
    w.readings[0].max = None;
    assert_eq!(field_of(Record::WorkOrder(w)).0, "readings[0].max");
}

#[test]
fn reading_by_an_instrument_calibrated_after_the_work_is_refused() {
    let mut w = done_with_substance();
    w.readings[0].instrument_calibrated = chrono::NaiveDate::from_ymd_opt(2025, 2, 1).expect("d");
    assert_eq!(
        field_of(Record::WorkOrder(w)),
        (
            "readings[0].instrument_calibrated".into(),
            "2025-02-01".into()
        )
    );
}

#[test]
fn open_work_order_with_a_result_is_refused() {
    let mut w = order();
    w.result = Some(WorkResult::Fail);
    assert_eq!(
        field_of(Record::WorkOrder(w)),
        ("result".into(), "fail".into())
    );
}

mod building_loads {
    use aidtrace_domain::assets::load::{BuildingLoad, BuildingLoadKind};
    use aidtrace_domain::assets::validate::building_load_problems;
    use rust_decimal::Decimal;

    fn load(kind: BuildingLoadKind, avg: Option<i64>, peak: Option<i64>) -> BuildingLoad {
        BuildingLoad {
            kind,
            description: None,
            tier: None,
            average_kw: avg.map(Decimal::from),
            peak_kw: peak.map(Decimal::from),
            starting_kva: None,
        }
    }

    fn fields(i: usize, l: &BuildingLoad) -> Vec<String> {
        building_load_problems(i, l)
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_load_with_unknown_figures_has_no_problem() {
        assert!(fields(0, &load(BuildingLoadKind::MedicalGases, None, None)).is_empty());
    }

    #[test]
    fn every_problem_of_a_load_is_named_at_once() {
        let mut l = load(BuildingLoadKind::Other, Some(-1), Some(-2));
        l.starting_kva = Some(Decimal::from(200_000));
        assert_eq!(
            fields(3, &l),
            [
                "building_loads[3].average_kw",
                "building_loads[3].peak_kw",
                "building_loads[3].starting_kva",
                "building_loads[3].description",
            ]
        );
    }

    #[test]
    fn an_average_above_its_peak_is_named_on_the_average() {
        let problems = building_load_problems(
            1,
            &load(BuildingLoadKind::Sterilisation, Some(30), Some(20)),
        );
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, "building_loads[1].average_kw");
        assert!(problems[0].message.contains("above the peak 20"));
    }

    #[test]
    fn other_with_a_description_is_accepted() {
        let mut l = load(BuildingLoadKind::Other, Some(2), Some(3));
        l.description = Some("laundry".into());
        assert!(fields(0, &l).is_empty());
    }
}
