//! Every refusal of the equipment lifecycle rules (history, work orders, parts, recalls,
//! contracts, voids, coverage windows, reference figures) carries its message id, so a page in
//! Russian, Ukrainian or Kazakh words it instead of showing the English sentence. One test per
//! refusal: it builds the bad input, calls the public rule and checks the id (and an argument
//! where the message has one).

use aidtrace_domain::ValidationError;
use aidtrace_domain::assets::contract::{self, Contract};
use aidtrace_domain::assets::correction::{self, Void};
use aidtrace_domain::assets::coverage::Coverage;
use aidtrace_domain::assets::disposal::{self, DataWipe, Disposal, DisposalMethod};
use aidtrace_domain::assets::gaps::parse_references;
use aidtrace_domain::assets::instant;
use aidtrace_domain::assets::lifecycle::{
    check_acceptance, check_append, check_downtimes, check_readings, check_sequence,
    check_work_order,
};
use aidtrace_domain::assets::parts::{
    PartMinimum, PartMovement, PartMovementKind, SparePart, validate_movement, validate_part,
};
use aidtrace_domain::assets::recall::{
    FieldSafetyNotice, Incident, SerialRange, Severity, validate_incident, validate_notice,
};
use aidtrace_domain::assets::workorder::{self, ChecklistItem, Reading, ReadingKind, WorkResult};
use aidtrace_domain::assets::{
    AssetEvent, ContractKind, Downtime, DowntimeCause, LifecycleState as S, MeterKind,
    MeterReading, Priority, WorkOrder, WorkOrderKind, WorkOrderStatus,
};
use aidtrace_domain::error::{ProblemArg, ProblemId};
use aidtrace_domain::{CurrencyCode, Money, RecordKind};
use chrono::NaiveDate;
use rust_decimal::Decimal;

mod asset_kit;
use asset_kit::{event, id, t};

/// One test per refusal: `$refusal` must be an `Err` whose id is `$id`, and each named text
/// argument must have the value given.
macro_rules! refused {
    ($($name:ident: $refusal:expr => $id:ident $(, $arg:literal = $value:expr)*;)+) => {$(
        #[test]
        fn $name() {
            let e: ValidationError = $refusal.expect_err("refused");
            let problem = e.problem.as_deref();
            assert_eq!(problem.map(|p| p.id), Some(ProblemId::$id), "{e}");
            $(
                assert_eq!(
                    problem.and_then(|p| p.text_arg($arg)),
                    Some(String::from($value).as_str()),
                    "{e}"
                );
            )*
        }
    )+};
}

fn ev(n: &str, at: &str, state: S) -> AssetEvent {
    event(n, "a1", t(at), state)
}

fn void() -> Void {
    Void {
        at: t("2025-02-01 00:00"),
        reason: "entered for the wrong machine".into(),
        by: None,
    }
}

fn voided(e: AssetEvent) -> AssetEvent {
    AssetEvent {
        voided: Some(void()),
        ..e
    }
}

fn dt(n: &str, start: &str, end: Option<&str>) -> Downtime {
    Downtime {
        id: id(n),
        asset: id("a1"),
        start: t(start),
        end: end.map(t),
        cause: DowntimeCause::Electrical,
        planned: false,
        work_order: None,
        reported_by: None,
        note: None,
        voided: None,
    }
}

fn reading(n: &str, at: &str, value: u64) -> MeterReading {
    MeterReading {
        id: id(n),
        asset: id("a1"),
        at: t(at),
        meter: MeterKind::Hours,
        value,
        voided: None,
    }
}

fn order() -> WorkOrder {
    WorkOrder {
        id: id("w1"),
        asset: id("a1"),
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

/// A done acceptance test of a1 closed on 3 January.
fn acceptance() -> WorkOrder {
    WorkOrder {
        kind: WorkOrderKind::Acceptance,
        status: WorkOrderStatus::Done,
        closed: Some(t("2025-01-03 00:00")),
        ..order()
    }
}

fn commissioning() -> AssetEvent {
    AssetEvent {
        acceptance: Some(id("w1")),
        ..ev("e1", "2025-01-04 00:00", S::Commissioned)
    }
}

fn done_with(result: WorkResult) -> WorkOrder {
    WorkOrder {
        status: WorkOrderStatus::Done,
        closed: Some(t("2025-01-05 00:00")),
        result: Some(result),
        ..order()
    }
}

fn measured(value: &str, min: Option<&str>, max: Option<&str>) -> Reading {
    let d = |s: &str| s.parse::<Decimal>().expect("decimal");
    Reading {
        kind: ReadingKind::ElectricalSafety,
        quantity: "protective earth resistance".into(),
        unit: "Ω".into(),
        value: d(value),
        min: min.map(d),
        max: max.map(d),
        instrument: "analyser-7".into(),
        instrument_calibrated: NaiveDate::from_ymd_opt(2024, 11, 1).expect("date"),
    }
}

fn with_reading(r: Reading) -> WorkOrder {
    WorkOrder {
        readings: vec![r],
        ..done_with(WorkResult::Pass)
    }
}

fn part() -> SparePart {
    SparePart {
        id: id("sp-1"),
        model: id("dm-1"),
        part_number: "O2-CELL".into(),
        name: "oxygen cell".into(),
        unit: "piece".into(),
        consumable: true,
        minimums: vec![],
        note: None,
        sources: vec![],
    }
}

fn minimum(quantity: u64) -> PartMinimum {
    PartMinimum {
        facility: id("fac-1"),
        quantity,
    }
}

fn movement(kind: PartMovementKind, quantity: i64, work_order: Option<&str>) -> PartMovement {
    PartMovement {
        id: id("pm-1"),
        part: id("sp-1"),
        facility: id("fac-1"),
        at: t("2025-01-02 00:00"),
        kind,
        quantity,
        work_order: work_order.map(id),
        note: None,
    }
}

fn incident() -> Incident {
    Incident {
        id: id("inc-1"),
        asset: id("a1"),
        at: t("2025-01-02 00:00"),
        severity: Severity::Minor,
        description: "alarm did not sound".into(),
        patient_harm: false,
        reported_to_regulator: false,
        work_order: None,
        reported_by: Some(" ".into()),
    }
}

fn notice() -> FieldSafetyNotice {
    FieldSafetyNotice {
        id: id("fsn-1"),
        issuer: id("org-m"),
        reference: "FSN-2025-01".into(),
        date: NaiveDate::from_ymd_opt(2025, 1, 2).expect("date"),
        model: Some(id("dm-1")),
        udi_di: vec![],
        lots: vec![],
        serials: vec![],
        serial_ranges: vec![],
        action: "replace the battery".into(),
    }
}

fn with_range(from: &str, to: &str) -> FieldSafetyNotice {
    FieldSafetyNotice {
        serial_ranges: vec![SerialRange {
            from: from.into(),
            to: to.into(),
        }],
        ..notice()
    }
}

fn contract_of(assets: &[&str], model: Option<&str>, facility: Option<&str>) -> Contract {
    let day = |s: &str| s.parse::<NaiveDate>().expect("date");
    Contract {
        id: id("ct-1"),
        vendor: None,
        kind: ContractKind::Warranty,
        assets: assets.iter().map(|a| id(a)).collect(),
        model: model.map(id),
        facility: facility.map(id),
        start: day("2025-01-01"),
        end: day("2025-12-31"),
        annual_cost: None,
        response_hours: None,
        uptime_pct: None,
        covered_hours: None,
        reference: None,
        note: None,
        sources: vec![],
    }
}

fn disposal(hazardous: &[&str], certificate: Option<&str>) -> Disposal {
    Disposal {
        method: DisposalMethod::Recycled,
        hazardous: hazardous.iter().map(|h| h.to_string()).collect(),
        data_wipe: DataWipe::NotApplicable,
        certificate: certificate.map(str::to_string),
    }
}

const HEADER: &str = "generic_type,area,bound,per_million,year,source_url,source_title\n";

/// Reference figures with one row.
fn references(row: &str) -> Result<(), ValidationError> {
    parse_references(&format!("{HEADER}{row}\n")).map(drop)
}

refused! {
    a_history_beginning_in_a_later_state:
        check_sequence(&[ev("e1", "2025-01-01 00:00", S::Down)]) => NotAFirstState,
        "event" = "e1";
    a_transition_off_the_table:
        check_sequence(&[
            ev("e1", "2025-01-01 00:00", S::Delivered),
            ev("e2", "2025-01-02 00:00", S::InService),
        ]) => StateNotAllowedNext, "event" = "e2";
    an_event_after_disposal:
        check_sequence(&[
            ev("e1", "2025-01-01 00:00", S::InService),
            ev("e2", "2025-01-02 00:00", S::Decommissioned),
            ev("e3", "2025-01-03 00:00", S::Disposed),
            ev("e4", "2025-01-04 00:00", S::InService),
        ]) => AssetLeftForGood, "event" = "e4";
    service_from_storage_never_commissioned:
        check_sequence(&[
            ev("e1", "2025-01-01 00:00", S::Delivered),
            ev("e2", "2025-01-02 00:00", S::InStorage),
            ev("e3", "2025-01-03 00:00", S::InService),
        ]) => NeverCommissioned, "event" = "e3";
    a_stored_event_changed:
        check_append(
            &[ev("e1", "2025-01-01 00:00", S::InService)],
            &[ev("e1", "2025-01-01 00:00", S::Down)],
        ) => EventNotChanged;
    a_correction_of_a_live_event:
        check_append(
            &[ev("e1", "2025-01-01 00:00", S::InService)],
            &[AssetEvent {
                corrects: Some(id("e1")),
                ..ev("e2", "2025-01-02 00:00", S::InService)
            }],
        ) => CorrectsUnvoided, "event" = "e2";
    an_event_before_the_latest:
        check_append(
            &[
                ev("e1", "2025-01-01 00:00", S::InService),
                ev("e2", "2025-01-05 00:00", S::Down),
            ],
            &[ev("e3", "2025-01-03 00:00", S::InService)],
        ) => EventOutOfOrder, "latest" = "2025-01-05 00:00:00";
    downtime_overlapping_an_open_one:
        check_downtimes(
            &[dt("d1", "2025-01-02 00:00", None)],
            &[dt("d2", "2025-02-01 00:00", None)],
            &[ev("e1", "2025-01-01 00:00", S::InService)],
        ) => DowntimeOverlaps, "other" = "d1", "end" = "open";
    downtime_overlapping_a_closed_one:
        check_downtimes(
            &[dt("d1", "2025-01-02 00:00", Some("2025-01-03 00:00"))],
            &[dt("d2", "2025-01-02 12:00", None)],
            &[ev("e1", "2025-01-01 00:00", S::InService)],
        ) => DowntimeOverlaps, "end" = "2025-01-03 00:00:00";
    downtime_before_the_asset_existed:
        check_downtimes(
            &[],
            &[dt("d1", "2024-12-01 00:00", None)],
            &[ev("e1", "2025-01-01 00:00", S::InService)],
        ) => DowntimeBeforeFirstEvent, "first" = "2025-01-01 00:00:00";
    downtime_after_retirement:
        check_downtimes(
            &[],
            &[dt("d1", "2025-03-01 00:00", None)],
            &[
                ev("e1", "2025-01-01 00:00", S::InService),
                ev("e2", "2025-02-01 00:00", S::Decommissioned),
            ],
        ) => DowntimeAfterRetired, "downtime" = "d1";
    a_meter_going_backwards:
        check_readings(
            &[reading("r1", "2025-01-01 00:00", 200)],
            &[reading("r2", "2025-02-01 00:00", 150)],
        ) => ReadingGoesBackwards, "other" = "r1", "value" = "200";
    work_on_a_disposed_asset:
        check_work_order(
            &WorkOrder { opened: t("2025-03-05 00:00"), ..order() },
            &[
                ev("e1", "2025-01-01 00:00", S::InService),
                ev("e2", "2025-02-01 00:00", S::Decommissioned),
                ev("e3", "2025-03-01 00:00", S::Disposed),
            ],
        ) => WorkOnRetiredAsset, "order" = "w1";
    an_acceptance_of_another_asset:
        check_acceptance(&commissioning(), &WorkOrder { asset: id("a2"), ..acceptance() })
            => WorkOrderOtherAsset, "asset" = "a2", "expected" = "a1";
    an_acceptance_that_is_a_repair:
        check_acceptance(
            &commissioning(),
            &WorkOrder { kind: WorkOrderKind::Corrective, ..acceptance() },
        ) => NotAnAcceptance;
    an_acceptance_not_done:
        check_acceptance(
            &commissioning(),
            &WorkOrder { status: WorkOrderStatus::Assigned, closed: None, ..acceptance() },
        ) => AcceptanceNotDone;
    an_acceptance_closed_after_commissioning:
        check_acceptance(
            &commissioning(),
            &WorkOrder { closed: Some(t("2025-01-05 00:00")), ..acceptance() },
        ) => AcceptanceClosedAfter, "at" = "2025-01-04 00:00:00";
    a_step_before_the_request:
        workorder::validate(&WorkOrder { acknowledged: Some(t("2025-01-01 00:00")), ..order() })
            => BeforeEarlierStep, "step" = "opened", "at" = "2025-01-02 00:00:00";
    a_start_before_the_acknowledgement:
        workorder::validate(&WorkOrder {
            acknowledged: Some(t("2025-01-03 00:00")),
            started: Some(t("2025-01-02 12:00")),
            ..order()
        }) => BeforeEarlierStep, "step" = "acknowledged";
    a_result_on_an_open_order:
        workorder::validate(&WorkOrder { result: Some(WorkResult::Pass), ..order() })
            => ResultOnlyWhenDone;
    a_pass_with_a_failed_checklist_item:
        workorder::validate(&WorkOrder {
            checklist: vec![ChecklistItem {
                item: "alarm test".into(),
                result: WorkResult::Fail,
                note: None,
            }],
            ..done_with(WorkResult::Pass)
        }) => ChecklistItemFailed, "item" = "alarm test";
    a_reading_without_tolerance:
        workorder::validate(&with_reading(measured("0.1", None, None))) => ToleranceNeeded;
    a_reading_with_min_above_max:
        workorder::validate(&with_reading(measured("0.1", Some("0.5"), Some("0.3"))))
            => MinAboveMax, "max" = "0.3";
    an_instrument_calibrated_after_the_work:
        workorder::validate(&with_reading(Reading {
            instrument_calibrated: NaiveDate::from_ymd_opt(2025, 2, 1).expect("date"),
            ..measured("0.1", None, Some("0.3"))
        })) => CalibratedAfterWork, "done" = "2025-01-05";
    a_pass_out_of_tolerance:
        workorder::validate(&with_reading(measured("0.5", None, Some("0.3"))))
            => OutOfTolerance, "value" = "0.5", "unit" = "Ω";
    a_negative_labour_rate:
        workorder::validate(&WorkOrder {
            labour_rate: Some(Money {
                amount: "-5".parse().expect("decimal"),
                currency: CurrencyCode::parse("USD").expect("usd"),
                value_date: None,
            }),
            ..order()
        }) => Negative;
    two_minimums_at_one_facility:
        validate_part(&SparePart { minimums: vec![minimum(2), minimum(3)], ..part() })
            => TwoMinimums;
    an_implausible_minimum:
        validate_part(&SparePart { minimums: vec![minimum(2_000_000_000)], ..part() })
            => QuantityTooLarge, "max" = "10^9";
    an_implausible_movement:
        validate_movement(&movement(PartMovementKind::Receipt, 2_000_000_000, None))
            => QuantityTooLarge;
    a_receipt_of_nothing:
        validate_movement(&movement(PartMovementKind::Receipt, 0, None)) => MustBePositive;
    an_adjustment_of_nothing:
        validate_movement(&movement(PartMovementKind::Adjustment, 0, None)) => AdjustmentZero;
    a_consumption_without_its_order:
        validate_movement(&movement(PartMovementKind::Consumption, 1, None))
            => ConsumptionNeedsWorkOrder;
    a_receipt_naming_an_order:
        validate_movement(&movement(PartMovementKind::Receipt, 1, Some("w1")))
            => OnlyConsumptionNamesWorkOrder;
    an_empty_reporter:
        validate_incident(&incident()) => LeaveOutNotEmpty;
    a_notice_naming_nothing:
        validate_notice(&FieldSafetyNotice { model: None, ..notice() }) => NoticeNamesNothing;
    an_empty_lot_on_a_notice:
        validate_notice(&FieldSafetyNotice { lots: vec![" ".into()], ..notice() }) => Empty;
    a_range_without_an_end:
        validate_notice(&with_range("SN100", " ")) => RangeNeedsBothEnds;
    a_range_of_unequal_ends:
        validate_notice(&with_range("SN100", "SN1000")) => RangeEndsDiffer;
    a_range_running_backwards:
        validate_notice(&with_range("SN200", "SN100")) => RangeBackwards;
    a_contract_of_assets_and_a_model:
        contract::validate(&contract_of(&["a1"], Some("dm-1"), Some("fac-1")))
            => AssetsOrModelNotBoth;
    a_contract_of_nothing:
        contract::validate(&contract_of(&[], None, None)) => AssetsOrModelNeeded;
    a_model_contract_without_its_facility:
        contract::validate(&contract_of(&[], Some("dm-1"), None)) => ModelNeedsFacility;
    a_contract_listing_an_asset_twice:
        contract::validate(&contract_of(&["a1", "a1"], None, None)) => ListedTwice;
    a_void_without_reason:
        correction::check_void(&Void { reason: " ".into(), ..void() }) => VoidNeedsReason;
    an_entry_recorded_before_it_happened:
        correction::check_recorded_after(t("2025-01-02 00:00"), Some(t("2025-01-01 00:00")))
            => RecordedBeforeEvent, "at" = "2025-01-02 00:00:00";
    a_hazard_without_a_name:
        disposal::check(&disposal(&[" "], None)) => Empty;
    an_empty_certificate:
        disposal::check(&disposal(&[], Some(""))) => LeaveOutNotEmpty;
    a_window_in_no_form:
        Coverage::parse("weekdays") => CoverageForm;
    a_window_of_an_unknown_day:
        Coverage::parse("mon-fry 08:00-17:00") => CoverageDays;
    a_window_of_an_unknown_single_day:
        Coverage::parse("mon,fry 08:00-17:00") => CoverageDays;
    a_window_of_days_backwards:
        Coverage::parse("fri-mon 08:00-17:00") => DayRangeOrder;
    a_window_of_unreadable_hours:
        Coverage::parse("mon-fri 8-17") => CoverageHoursForm;
    a_window_ending_before_it_starts:
        Coverage::parse("mon-fri 17:00-08:00") => CoverageEndsBeforeStart;
    a_window_with_an_unsigned_offset:
        Coverage::parse("mon-fri 08:00-17:00 05:00") => OffsetForm;
    a_window_with_an_unreadable_offset:
        Coverage::parse("mon-fri 08:00-17:00 +5h") => OffsetForm;
    a_time_in_no_form:
        instant::parse_field("at", "yesterday") => NotATime;
    a_reference_header_of_other_columns:
        parse_references("type,area\nx,y\n") => ExpectedColumns;
    a_reference_row_that_is_not_csv:
        parse_references(&format!("{HEADER}ventilator,KZ,equal\n")) => UnreadableCsv;
    a_reference_of_no_generic_type:
        references("Ventilator,KZ,equal,5,2020,https://x.org,WHO") => GenericTypeFormat;
    a_reference_without_area:
        references("ventilator,,equal,5,2020,https://x.org,WHO") => Empty;
    a_reference_of_an_unknown_bound:
        references("ventilator,KZ,roughly,5,2020,https://x.org,WHO") => UnknownChoice;
    a_reference_of_a_negative_density:
        references("ventilator,KZ,equal,-5,2020,https://x.org,WHO") => PerMillion;
    a_reference_of_no_year:
        references("ventilator,KZ,equal,5,2020-2019,https://x.org,WHO") => YearOrRange;
    a_reference_of_no_address:
        references("ventilator,KZ,equal,5,2020,x.org,WHO") => NotAWebAddress;
    a_reference_without_title:
        references("ventilator,KZ,equal,5,2020,https://x.org,") => Empty;
}

#[test]
fn a_voided_event_changed_names_its_kind() {
    let e = voided(ev("e1", "2025-01-01 00:00", S::InService));
    let changed = AssetEvent {
        note: Some("edited".into()),
        ..e.clone()
    };
    let err = check_append(&[e], &[changed]).expect_err("voided stays as it is");
    let problem = err.problem.as_deref().expect("an id");
    assert_eq!(problem.id, ProblemId::VoidedNotChanged);
    assert_eq!(
        problem.args,
        vec![("kind", ProblemArg::Kind(RecordKind::AssetEvent))]
    );
}

/// The states argument `name` of the refusal's message id (worded by their labels on pages).
fn states_arg(e: &ValidationError, name: &str) -> Vec<S> {
    let p = e.problem.as_ref().expect("a message id");
    p.args
        .iter()
        .find_map(|(n, a)| match a {
            ProblemArg::States(states) if *n == name => Some(states.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

#[test]
fn a_transition_off_the_table_names_the_states_as_states() {
    let e = check_sequence(&[
        ev("e1", "2025-01-01 00:00", S::Delivered),
        ev("e2", "2025-01-02 00:00", S::InService),
    ])
    .unwrap_err();
    assert_eq!(states_arg(&e, "from"), vec![S::Delivered]);
    assert!(states_arg(&e, "allowed").contains(&S::Installed), "{e:?}");
}

#[test]
fn work_on_a_disposed_asset_names_its_state_as_a_state() {
    let e = check_work_order(
        &WorkOrder {
            opened: t("2025-03-05 00:00"),
            ..order()
        },
        &[
            ev("e1", "2025-01-01 00:00", S::InService),
            ev("e2", "2025-02-01 00:00", S::Decommissioned),
            ev("e3", "2025-03-01 00:00", S::Disposed),
        ],
    )
    .unwrap_err();
    assert_eq!(states_arg(&e, "state"), vec![S::Disposed]);
}
