//! Contracts and spare parts through the service, on the demo store (SQLite, or PostgreSQL with
//! `AIDTRACE_TEST_BACKEND=postgres`): expiry alerts, SLA against a reported failure, one truth
//! for the asset record's own contracts, stock that never goes below zero, and each refusal
//! writing nothing.

mod kit;

use aidtrace_domain::assets::contract::{Contract, SlaStatus, Standing};
use aidtrace_domain::assets::parts::{PartMinimum, PartMovement, PartMovementKind, SparePart};
use aidtrace_domain::assets::{ContractKind, DowntimeCause, ServiceContract};
use aidtrace_domain::{CurrencyCode, Money, Record, RecordId, RecordKind};
use aidtrace_service::assets::contracts::{self, ContractFilter};
use aidtrace_service::assets::{self, HistorySource, Progress, Step, parts};
use aidtrace_service::{Aidtrace, ServiceError};
use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

fn t(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time")
}
fn day(s: &str) -> NaiveDate {
    s.parse().expect("date")
}
fn id(s: &str) -> RecordId {
    RecordId::parse(s).expect("id")
}
fn fixed_now() -> NaiveDateTime {
    t("2026-03-01 12:00")
}

const MRI: &str = "as-semey-mri-1";
const CT: &str = "as-semey-ct-1";
const SEMEY: &str = "fac-semey-university-hospital";
const VENDOR: &str = "org-mfr-unstated-imaging";

fn demo() -> (kit::Guard, Aidtrace) {
    let (dir, mut app) = kit::open();
    app.load_demo("test").expect("demo");
    (dir, app.with_clock(fixed_now))
}

fn audit_len(app: &Aidtrace) -> usize {
    app.verify_audit().expect("verify").entries
}

fn warranty(name: &str, start: &str, end: &str) -> Contract {
    Contract {
        id: id(name),
        vendor: Some(id(VENDOR)),
        kind: ContractKind::Warranty,
        assets: vec![id(MRI)],
        model: None,
        facility: None,
        start: day(start),
        end: day(end),
        annual_cost: None,
        response_hours: None,
        uptime_pct: None,
        covered_hours: None,
        reference: None,
        note: None,
        sources: vec![],
    }
}

fn rows(app: &Aidtrace, alerts_only: bool) -> Vec<contracts::ContractRow> {
    contracts::contracts(
        app,
        &ContractFilter {
            facility: Some(id(SEMEY)),
            alerts_only,
            ..ContractFilter::default()
        },
        fixed_now(),
    )
    .expect("contracts")
}

#[test]
fn a_contract_ending_within_sixty_days_is_an_alert() {
    let (_d, mut app) = demo();
    // 1 March to 20 March: 19 days left.
    contracts::add_contract(
        &mut app,
        "engineer",
        warranty("ct-mri", "2025-01-01", "2026-03-20"),
    )
    .expect("add");
    let all = rows(&app, false);
    let row = all
        .iter()
        .find(|r| r.contract.id == id("ct-mri"))
        .expect("row");
    assert_eq!(row.standing, Standing::EndingSoon);
    assert!(row.alert);
    assert_eq!(row.assets, vec![id(MRI)]);
    assert_eq!(rows(&app, true).len(), 1);
}

#[test]
fn an_expired_contract_alerts_only_while_its_working_device_has_no_other_cover() {
    let (_d, mut app) = demo();
    contracts::add_contract(
        &mut app,
        "engineer",
        warranty("ct-old", "2024-01-01", "2025-12-31"),
    )
    .expect("add");
    let old = rows(&app, false);
    let row = old
        .iter()
        .find(|r| r.contract.id == id("ct-old"))
        .expect("row");
    assert_eq!(row.standing, Standing::Expired);
    assert_eq!((row.in_service, row.in_service_uncovered), (1, 1));
    assert!(row.alert, "the MRI still works and nothing covers it");
    contracts::add_contract(
        &mut app,
        "engineer",
        warranty("ct-new", "2026-01-01", "2027-12-31"),
    )
    .expect("renewal");
    assert!(
        rows(&app, true).is_empty(),
        "renewed: neither contract needs attention"
    );
}

#[test]
fn a_contract_naming_an_unknown_vendor_is_refused_and_nothing_is_written() {
    let (_d, mut app) = demo();
    let before = audit_len(&app);
    let mut c = warranty("ct-x", "2025-01-01", "2026-12-31");
    c.vendor = Some(id("org-nobody"));
    let err = contracts::add_contract(&mut app, "engineer", c).expect_err("refused");
    assert!(err.to_string().contains("org-nobody"), "{err}");
    assert_eq!(audit_len(&app), before);
    let mut c = warranty("ct-y", "2025-01-01", "2026-12-31");
    c.end = day("2024-12-31");
    match contracts::add_contract(&mut app, "engineer", c) {
        Err(ServiceError::Invalid { error, .. }) => assert_eq!(error.field, "end"),
        other => panic!("expected a field error, got {other:?}"),
    }
    assert_eq!(audit_len(&app), before);
}

#[test]
fn the_response_guarantee_is_checked_against_a_reported_failure() {
    let (_d, mut app) = demo();
    let mut c = warranty("ct-sla", "2026-01-01", "2026-12-31");
    c.response_hours = Some(4);
    contracts::add_contract(&mut app, "engineer", c).expect("add");
    let report = assets::report_down(
        &mut app,
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
    .expect("down");
    // Acknowledged six hours later: the 4-hour guarantee is missed.
    assets::progress_work_order(
        &mut app,
        HistorySource::Store,
        "engineer",
        Progress {
            id: report.work_order.clone(),
            step: Step::Acknowledged,
            at: t("2026-02-02 14:00"),
            assignee: None,
        },
    )
    .expect("ack");
    let all = rows(&app, false);
    let row = all
        .iter()
        .find(|r| r.contract.id == id("ct-sla"))
        .expect("row");
    assert_eq!(row.response.status, SlaStatus::Missed);
    assert_eq!((row.response.orders, row.response.late), (1, 1));
    assert_eq!(row.response.worst_hours, Some(Decimal::from(6)));
    assert!(row.sla_missed());
    // The order was requested under the warranty: covered, its invoice the vendor's.
    let ledger = app.ledger().expect("ledger");
    let fleet = aidtrace_domain::assets::kpi::Fleet::build(&ledger);
    let covered = contracts::covered_orders(&fleet, &id(MRI));
    assert!(
        covered
            .iter()
            .any(|c| c.work_order == report.work_order && c.contract == id("ct-sla"))
    );
}

#[test]
fn the_asset_records_own_contracts_move_into_records_once_with_the_same_figures() {
    let (_d, mut app) = demo();
    let Some(Record::Asset(mut mri)) = app.store().get(RecordKind::Asset, &id(MRI)).expect("get")
    else {
        panic!("the MRI is in the demo")
    };
    mri.contracts = vec![ServiceContract {
        kind: ContractKind::FullService,
        provider: Some(id(VENDOR)),
        start: day("2025-01-01"),
        end: day("2027-12-31"),
        annual_cost: Some(Money {
            amount: Decimal::from(12_000),
            currency: CurrencyCode::parse("USD").expect("usd"),
            value_date: None,
        }),
    }];
    assets::put_checked_from(
        &mut app,
        HistorySource::Store,
        "engineer",
        vec![Record::Asset(mri)],
    )
    .expect("asset");
    let before = rows(&app, false);
    assert_eq!(before.len(), 1);
    assert!(before[0].embedded);
    assert_eq!(before[0].contract.id, id("as-semey-mri-1.contract-1"));

    let dry = contracts::migrate_embedded(&mut app, "engineer", true).expect("dry run");
    assert_eq!(dry.len(), 1);
    assert!(
        app.store()
            .get(RecordKind::Contract, &id("as-semey-mri-1.contract-1"))
            .expect("get")
            .is_none()
    );
    let moved = contracts::migrate_embedded(&mut app, "engineer", false).expect("migrate");
    assert_eq!(moved.len(), 1);
    let after = rows(&app, false);
    assert_eq!(after.len(), 1, "one contract, not two");
    assert!(!after[0].embedded);
    assert_eq!(
        after[0].contract.annual_cost,
        before[0].contract.annual_cost
    );
    let Some(Record::Asset(mri)) = app.store().get(RecordKind::Asset, &id(MRI)).expect("get")
    else {
        panic!("the MRI")
    };
    assert!(mri.contracts.is_empty());
    assert!(
        contracts::migrate_embedded(&mut app, "engineer", false)
            .expect("again")
            .is_empty()
    );
}

fn coil(app: &mut Aidtrace, minimum: u64) {
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
            minimums: vec![PartMinimum {
                facility: id(SEMEY),
                quantity: minimum,
            }],
            note: None,
            sources: vec![],
        },
    )
    .expect("part");
}

fn movement(
    name: &str,
    kind: PartMovementKind,
    quantity: i64,
    work_order: Option<&RecordId>,
    at: &str,
) -> PartMovement {
    PartMovement {
        id: id(name),
        part: id("sp-mri-coil"),
        facility: id(SEMEY),
        at: t(at),
        kind,
        quantity,
        work_order: work_order.cloned(),
        note: None,
    }
}

fn mri_order(app: &mut Aidtrace) -> RecordId {
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
    .work_order
}

fn refused_field(result: Result<(), ServiceError>) -> String {
    match result.expect_err("refused") {
        ServiceError::Invalid { error, .. } => error.field,
        other => panic!("expected a field error, got {other}"),
    }
}

#[test]
fn stock_comes_from_movements_and_alerts_below_the_minimum() {
    let (_d, mut app) = demo();
    coil(&mut app, 2);
    let wo = mri_order(&mut app);
    use PartMovementKind as K;
    parts::record_movement(
        &mut app,
        "e",
        movement("pm-1", K::Receipt, 3, None, "2026-01-10 09:00"),
    )
    .expect("receipt");
    assert!(
        parts::alerts(&app, Some(&id(SEMEY)))
            .expect("alerts")
            .is_empty()
    );
    parts::record_movement(
        &mut app,
        "e",
        movement("pm-2", K::Consumption, 2, Some(&wo), "2026-02-02 12:00"),
    )
    .expect("used");
    let lines = parts::stock(&app, Some(&id(SEMEY))).expect("stock");
    assert_eq!(lines.len(), 1);
    assert_eq!((lines[0].on_hand, lines[0].minimum), (1, Some(2)));
    assert!(lines[0].below_minimum);
    assert_eq!(parts::alerts(&app, None).expect("alerts").len(), 1);
}

#[test]
fn a_movement_taking_stock_below_zero_is_refused_and_nothing_is_written() {
    let (_d, mut app) = demo();
    coil(&mut app, 0);
    let wo = mri_order(&mut app);
    use PartMovementKind as K;
    parts::record_movement(
        &mut app,
        "e",
        movement("pm-1", K::Receipt, 1, None, "2026-01-10 09:00"),
    )
    .expect("receipt");
    let before = audit_len(&app);
    let err = refused_field(parts::record_movement(
        &mut app,
        "e",
        movement("pm-2", K::Consumption, 2, Some(&wo), "2026-02-02 12:00"),
    ));
    assert_eq!(err, "quantity");
    // An adjustment down beyond the stock too, and a movement dated before the receipt.
    assert_eq!(
        refused_field(parts::record_movement(
            &mut app,
            "e",
            movement("pm-3", K::Adjustment, -2, None, "2026-02-03 12:00"),
        )),
        "quantity"
    );
    assert_eq!(
        refused_field(parts::record_movement(
            &mut app,
            "e",
            movement("pm-4", K::Adjustment, -1, None, "2026-01-01 12:00"),
        )),
        "quantity"
    );
    assert_eq!(audit_len(&app), before);
    assert_eq!(parts::stock(&app, None).expect("stock")[0].on_hand, 1);
}

#[test]
fn a_consumption_must_be_by_a_work_order_of_that_model_at_that_facility() {
    let (_d, mut app) = demo();
    coil(&mut app, 0);
    use PartMovementKind as K;
    parts::record_movement(
        &mut app,
        "e",
        movement("pm-1", K::Receipt, 5, None, "2026-01-10 09:00"),
    )
    .expect("receipt");
    let before = audit_len(&app);
    // The CT's acceptance order: another model.
    let ct_order = id(&format!("wo-{CT}-acceptance"));
    assert_eq!(
        refused_field(parts::record_movement(
            &mut app,
            "e",
            movement(
                "pm-2",
                K::Consumption,
                1,
                Some(&ct_order),
                "2026-02-02 12:00"
            ),
        )),
        "work_order"
    );
    let wo = mri_order(&mut app);
    let before_other = audit_len(&app);
    let mut elsewhere = movement("pm-3", K::Consumption, 1, Some(&wo), "2026-02-02 12:00");
    elsewhere.facility = id("fac-zhezbek-blood-centre");
    assert_eq!(
        refused_field(parts::record_movement(&mut app, "e", elsewhere)),
        "facility"
    );
    assert_eq!(audit_len(&app), before_other);
    assert!(before_other > before, "only the down report was written");
}

/// A receipt of `quantity` coils at Semey at `at`.
fn receipt(app: &mut Aidtrace, name: &str, quantity: i64, at: &str) -> Result<(), ServiceError> {
    parts::record_movement(
        app,
        "e",
        movement(name, PartMovementKind::Receipt, quantity, None, at),
    )
}

#[test]
fn a_stored_movement_is_never_rewritten() {
    let (_d, mut app) = demo();
    coil(&mut app, 0);
    receipt(&mut app, "pm-1", 5, "2026-01-10 09:00").expect("receipt");
    let before = audit_len(&app);
    assert_eq!(
        refused_field(receipt(&mut app, "pm-1", 50, "2026-01-10 09:00")),
        "id"
    );
    assert_eq!(audit_len(&app), before);
    // Writing the same movement again changes nothing and is accepted.
    receipt(&mut app, "pm-1", 5, "2026-01-10 09:00").expect("same");
}

#[test]
fn a_receipt_dated_ahead_of_now_is_refused_and_nothing_is_written() {
    let (_d, mut app) = demo();
    coil(&mut app, 4);
    receipt(&mut app, "pm-1", 2, "2026-01-10 09:00").expect("receipt");
    let before = audit_len(&app);
    // Three cells due in a week are not on the shelf today (now is 2026-03-01 12:00).
    assert_eq!(
        refused_field(receipt(&mut app, "pm-2", 3, "2026-03-08 09:00")),
        "at"
    );
    assert_eq!(audit_len(&app), before);
    let lines = parts::stock(&app, Some(&id(SEMEY))).expect("stock");
    assert_eq!((lines[0].on_hand, lines[0].below_minimum), (2, true));
    // Within the few minutes a clock may be ahead, it is taken.
    receipt(&mut app, "pm-3", 1, "2026-03-01 12:01").expect("a minute ahead");
}
