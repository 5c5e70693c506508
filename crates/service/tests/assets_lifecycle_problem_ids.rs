//! Every refusal of the service's equipment lifecycle rules (part stock, voids, incidents and
//! notices, work order steps, contract migration) carries its message id, so a page in Russian,
//! Ukrainian or Kazakh words it instead of showing the English sentence. One test per refusal, on
//! the demo store: it makes the bad request through the public function and checks the id (and an
//! argument where the message has one).

mod kit;

use aidtrace_domain::assets::contract::Contract;
use aidtrace_domain::assets::parts::{PartMovement, PartMovementKind as K, SparePart};
use aidtrace_domain::assets::recall::{FieldSafetyNotice, Incident, Severity};
use aidtrace_domain::assets::{
    ContractKind, DowntimeCause, MeterKind, MeterReading, ServiceContract, WorkOrderStatus,
};
use aidtrace_domain::error::ProblemId;
use aidtrace_domain::{Record, RecordId, RecordKind, ValidationError};
use aidtrace_service::assets::contracts;
use aidtrace_service::assets::{
    self, Closing, DownReport, HistorySource, Progress, Step, Substance, parts,
};
use aidtrace_service::{Aidtrace, ServiceError};
use chrono::{NaiveDate, NaiveDateTime};

const MRI: &str = "as-semey-mri-1";
const SEMEY: &str = "fac-semey-university-hospital";

fn t(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time")
}
fn id(s: &str) -> RecordId {
    RecordId::parse(s).expect("id")
}
fn now() -> NaiveDateTime {
    t("2026-03-01 12:00")
}

fn demo() -> (kit::Guard, Aidtrace) {
    let (dir, mut app) = kit::open();
    app.load_demo("test").expect("demo");
    (dir, app.with_clock(now))
}

/// The model's refusal inside a service refusal; panics on any other error.
fn refusal<T: std::fmt::Debug>(r: Result<T, ServiceError>) -> ValidationError {
    match r.expect_err("must be refused") {
        ServiceError::Invalid { error, .. } => error,
        other => panic!("expected a field error, got {other}"),
    }
}

/// Asserts the refusal's id and returns it for its arguments.
fn assert_id<T: std::fmt::Debug>(r: Result<T, ServiceError>, id: ProblemId) -> ValidationError {
    let e = refusal(r);
    assert_eq!(e.problem.as_ref().map(|p| p.id), Some(id), "{e}");
    e
}

fn arg<'e>(e: &'e ValidationError, name: &str) -> Option<&'e str> {
    e.problem.as_deref().and_then(|p| p.text_arg(name))
}

fn down(app: &mut Aidtrace) -> DownReport {
    assets::report_down(
        app,
        HistorySource::Store,
        "engineer",
        assets::DeviceDown {
            asset: id(MRI),
            at: t("2026-02-02 08:00"),
            cause: DowntimeCause::Mechanical,
            reported_by: None,
            note: None,
        },
    )
    .expect("down")
}

// ---- part stock ----------------------------------------------------------------------------

fn coil(app: &mut Aidtrace) {
    parts::add_part(
        app,
        "engineer",
        SparePart {
            id: id("sp-mri-coil"),
            model: id("dm-illustrative-mri"),
            part_number: "HC-42".into(),
            name: "Head coil cable".into(),
            unit: "piece".into(),
            consumable: false,
            minimums: vec![],
            note: None,
            sources: vec![],
        },
    )
    .expect("part");
}

fn movement(name: &str, kind: K, quantity: i64, work_order: Option<&RecordId>) -> PartMovement {
    PartMovement {
        id: id(name),
        part: id("sp-mri-coil"),
        facility: id(SEMEY),
        at: t("2026-02-02 12:00"),
        kind,
        quantity,
        work_order: work_order.cloned(),
        note: None,
    }
}

fn moved(app: &mut Aidtrace, m: PartMovement) -> Result<(), ServiceError> {
    parts::record_movement(app, "e", m)
}

#[test]
fn a_stored_movement_rewritten() {
    let (_d, mut app) = demo();
    coil(&mut app);
    moved(&mut app, movement("pm-1", K::Receipt, 5, None)).expect("receipt");
    assert_id(
        moved(&mut app, movement("pm-1", K::Receipt, 50, None)),
        ProblemId::MovementNotRewritten,
    );
}

#[test]
fn a_part_used_on_another_models_order() {
    let (_d, mut app) = demo();
    coil(&mut app);
    moved(&mut app, movement("pm-1", K::Receipt, 5, None)).expect("receipt");
    let ct_order = id("wo-as-semey-ct-1-acceptance");
    let e = assert_id(
        moved(
            &mut app,
            movement("pm-2", K::Consumption, 1, Some(&ct_order)),
        ),
        ProblemId::PartForOtherModel,
    );
    assert_eq!(arg(&e, "part_model"), Some("dm-illustrative-mri"));
}

#[test]
fn a_part_used_at_another_facility_than_the_orders_asset() {
    let (_d, mut app) = demo();
    coil(&mut app);
    let wo = down(&mut app).work_order;
    let elsewhere = PartMovement {
        facility: id("fac-zhezbek-blood-centre"),
        ..movement("pm-1", K::Consumption, 1, Some(&wo))
    };
    let e = assert_id(moved(&mut app, elsewhere), ProblemId::AssetAtOtherFacility);
    assert_eq!(arg(&e, "facility"), Some(SEMEY));
}

#[test]
fn a_part_stock_taken_below_zero() {
    let (_d, mut app) = demo();
    coil(&mut app);
    moved(&mut app, movement("pm-1", K::Receipt, 1, None)).expect("receipt");
    let e = assert_id(
        moved(&mut app, movement("pm-2", K::Adjustment, -2, None)),
        ProblemId::PartBelowZero,
    );
    assert_eq!(arg(&e, "on_hand"), Some("1"));
    assert_eq!(arg(&e, "part"), Some("sp-mri-coil"));
}

// ---- voids ---------------------------------------------------------------------------------

fn void_order(app: &mut Aidtrace, wo: &RecordId, reason: &str) -> Result<(), ServiceError> {
    assets::void_work_order(app, HistorySource::Store, "e", wo, reason, None)
}

#[test]
fn a_work_order_void_without_reason() {
    let (_d, mut app) = demo();
    let wo = down(&mut app).work_order;
    assert_id(void_order(&mut app, &wo, " "), ProblemId::VoidNeedsReason);
}

#[test]
fn a_work_order_voided_twice() {
    let (_d, mut app) = demo();
    let wo = id("wo-as-semey-ct-1-acceptance");
    let fresh = Record::WorkOrder(aidtrace_domain::assets::WorkOrder {
        id: id("wo-extra"),
        ..match app.store().get(RecordKind::WorkOrder, &wo).expect("get") {
            Some(Record::WorkOrder(w)) => w,
            _ => panic!("the CT's acceptance is in the demo"),
        }
    });
    assets::put_checked_from(&mut app, HistorySource::Store, "e", vec![fresh]).expect("order");
    void_order(&mut app, &id("wo-extra"), "entered twice").expect("void");
    let e = assert_id(
        void_order(&mut app, &id("wo-extra"), "again"),
        ProblemId::AlreadyVoided,
    );
    assert_eq!(arg(&e, "reason"), Some("entered twice"));
}

#[test]
fn an_acceptance_that_commissioned_the_asset_voided() {
    let (_d, mut app) = demo();
    assert_id(
        void_order(&mut app, &id("wo-as-semey-vent-1-acceptance"), "wrong"),
        ProblemId::OrderCommissionsAsset,
    );
}

#[test]
fn a_work_order_a_downtime_names_voided() {
    let (_d, mut app) = demo();
    let wo = down(&mut app).work_order;
    assert_id(
        void_order(&mut app, &wo, "wrong machine"),
        ProblemId::OrderNamedByDowntime,
    );
}

#[test]
fn a_meter_reading_voided_without_reason_and_twice() {
    let (_d, mut app) = demo();
    let reading = Record::MeterReading(MeterReading {
        id: id("mr-vent-1"),
        asset: id("as-semey-vent-1"),
        at: t("2026-02-01 08:00"),
        meter: MeterKind::Hours,
        value: 1_000_000,
        voided: None,
    });
    assets::put_checked_from(&mut app, HistorySource::Store, "e", vec![reading]).expect("reading");
    let void = |app: &mut Aidtrace, reason: &str| {
        assets::void_reading(
            app,
            HistorySource::Store,
            "e",
            &id("mr-vent-1"),
            reason,
            None,
        )
    };
    assert_id(void(&mut app, ""), ProblemId::VoidNeedsReason);
    void(&mut app, "typo").expect("void");
    assert_id(void(&mut app, "again"), ProblemId::AlreadyVoided);
}

#[test]
fn an_event_voided_without_reason_and_twice() {
    let (_d, mut app) = demo();
    let event = down(&mut app).event.expect("the MRI was in service");
    let void = |app: &mut Aidtrace, reason: &str| {
        assets::void_event(app, HistorySource::Store, "e", &event, reason, None, None)
    };
    assert_id(void(&mut app, " "), ProblemId::VoidNeedsReason);
    void(&mut app, "wrong machine").expect("void");
    let e = assert_id(void(&mut app, "again"), ProblemId::AlreadyVoided);
    assert_eq!(arg(&e, "reason"), Some("wrong machine"));
}

// ---- incidents and notices -----------------------------------------------------------------

fn incident(work_order: Option<&str>) -> Incident {
    Incident {
        id: id("inc-vent-1"),
        asset: id("as-semey-vent-1"),
        at: t("2026-02-10 09:00"),
        severity: Severity::Serious,
        description: "oxygen sensor read 21 % at 60 % set".into(),
        patient_harm: false,
        reported_to_regulator: true,
        work_order: work_order.map(id),
        reported_by: None,
    }
}

#[test]
fn an_incident_naming_another_assets_order() {
    let (_d, mut app) = demo();
    let e = assert_id(
        assets::record_incident(
            &mut app,
            "engineer",
            incident(Some("wo-as-semey-vent-2-acceptance")),
        ),
        ProblemId::WorkOrderOtherAsset,
    );
    assert_eq!(arg(&e, "asset"), Some("as-semey-vent-2"));
    assert_eq!(arg(&e, "expected"), Some("as-semey-vent-1"));
}

#[test]
fn an_incident_recorded_twice() {
    let (_d, mut app) = demo();
    assets::record_incident(&mut app, "engineer", incident(None)).expect("incident");
    assert_id(
        assets::record_incident(&mut app, "engineer", incident(None)),
        ProblemId::AlreadyExists,
    );
}

#[test]
fn a_notice_rewritten_with_other_content() {
    let (_d, mut app) = demo();
    let notice = FieldSafetyNotice {
        id: id("fsn-vent-2026-014"),
        issuer: id("org-mfr-unstated-icu"),
        reference: "FSN-2026-014".into(),
        date: NaiveDate::from_ymd_opt(2026, 2, 20).expect("date"),
        model: Some(id("dm-illustrative-ventilator")),
        udi_di: vec![],
        lots: vec![],
        serials: vec![],
        serial_ranges: vec![],
        action: "replace the oxygen sensor".into(),
    };
    assets::record_notice(&mut app, "engineer", notice.clone()).expect("notice");
    let changed = FieldSafetyNotice {
        action: "stop using the device".into(),
        ..notice
    };
    assert_id(
        assets::record_notice(&mut app, "engineer", changed),
        ProblemId::NoticeNotRewritten,
    );
}

// ---- work order steps ----------------------------------------------------------------------

fn step(app: &mut Aidtrace, wo: &RecordId, step: Step, at: &str) -> Result<(), ServiceError> {
    assets::progress_work_order(
        app,
        HistorySource::Store,
        "engineer",
        Progress {
            id: wo.clone(),
            step,
            at: t(at),
            assignee: None,
        },
    )
}

fn close(app: &mut Aidtrace, wo: &RecordId, status: WorkOrderStatus) -> Result<(), ServiceError> {
    assets::close_work_order(
        app,
        HistorySource::Store,
        "engineer",
        Closing {
            id: wo.clone(),
            status,
            at: t("2026-02-03 10:00"),
            labour_hours: None,
            external_cost: None,
            substance: Substance::default(),
        },
    )
}

#[test]
fn a_step_recorded_twice() {
    let (_d, mut app) = demo();
    let wo = down(&mut app).work_order;
    step(&mut app, &wo, Step::Acknowledged, "2026-02-02 09:00").expect("ack");
    let e = assert_id(
        step(&mut app, &wo, Step::Acknowledged, "2026-02-02 10:00"),
        ProblemId::StepRecordedAlready,
    );
    assert_eq!(arg(&e, "at"), Some("2026-02-02 09:00:00"));
}

#[test]
fn a_step_on_a_closed_order() {
    let (_d, mut app) = demo();
    let wo = down(&mut app).work_order;
    close(&mut app, &wo, WorkOrderStatus::Cancelled).expect("cancel");
    assert_id(
        step(&mut app, &wo, Step::Started, "2026-02-04 09:00"),
        ProblemId::OrderClosed,
    );
}

#[test]
fn a_closing_that_does_not_close() {
    let (_d, mut app) = demo();
    let wo = down(&mut app).work_order;
    assert_id(
        close(&mut app, &wo, WorkOrderStatus::Assigned),
        ProblemId::CloseAsDoneOrCancelled,
    );
}

// ---- contract migration --------------------------------------------------------------------

#[test]
fn a_migrated_contract_whose_id_another_record_holds() {
    let (_d, mut app) = demo();
    let day = |s: &str| s.parse::<NaiveDate>().expect("date");
    contracts::add_contract(
        &mut app,
        "engineer",
        Contract {
            id: id("as-semey-mri-1.contract-1"),
            vendor: None,
            kind: ContractKind::Warranty,
            assets: vec![id(MRI)],
            model: None,
            facility: None,
            start: day("2024-01-01"),
            end: day("2024-12-31"),
            annual_cost: None,
            response_hours: None,
            uptime_pct: None,
            covered_hours: None,
            reference: None,
            note: None,
            sources: vec![],
        },
    )
    .expect("contract");
    let Some(Record::Asset(mut mri)) = app.store().get(RecordKind::Asset, &id(MRI)).expect("get")
    else {
        panic!("the MRI is in the demo")
    };
    mri.contracts = vec![ServiceContract {
        kind: ContractKind::FullService,
        provider: None,
        start: day("2025-01-01"),
        end: day("2027-12-31"),
        annual_cost: None,
    }];
    assets::put_checked_from(
        &mut app,
        HistorySource::Store,
        "e",
        vec![Record::Asset(mri)],
    )
    .expect("asset");
    assert_id(
        contracts::migrate_embedded(&mut app, "engineer", false),
        ProblemId::ContractIdTaken,
    );
}
