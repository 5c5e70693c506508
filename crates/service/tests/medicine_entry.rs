//! Consignment entry through the service, as the browser form uses it: every field problem at
//! once, the guideline findings of a consignment not yet saved, GS1 scans resolved to products
//! by GTIN, decision and movement records built without writing them, the write policy for
//! donors' editors and the destination's engineers, proposals refused when the stock would go
//! negative, and the dashboard's counts.

mod kit;

use std::collections::BTreeSet;

use aidtrace_domain::error::ProblemId;
use aidtrace_domain::medicines::guidelines::{GuidelineConfig, GuidelineRule as R};
use aidtrace_domain::medicines::{Consignment, DecisionOutcome, MovementKind, gs1};
use aidtrace_domain::{Record, RecordId, RecordKind};
use aidtrace_service::changes::{self, ChangeError, Written};
use aidtrace_service::medicine_entry as entry;
use aidtrace_service::medicines::{self, NewMovement};
use aidtrace_service::policy::{Actor, Role};
use aidtrace_service::{Aidtrace, ServiceError, medicine_cards};
use chrono::{NaiveDate, NaiveDateTime};

const CONSIGNMENT: &str = "con-illustrative-ua-2026-01";
const WAREHOUSE: &str = "fac-ua-illustrative-central-warehouse";
const HOSPITAL_A: &str = "fac-ua-illustrative-kharkiv-a";
const DONOR: &str = "org-illustrative-medicine-donor";
const AMOXICILLIN: &str = "med-illustrative-amoxicillin-500";
const AT: &str = "2026-12-06T09:00:00.000000Z";

fn now() -> NaiveDateTime {
    day(2026, 12, 6).and_hms_opt(9, 0, 0).expect("time")
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn id(s: &str) -> RecordId {
    RecordId::parse(s).expect("id")
}

fn app() -> (kit::Guard, Aidtrace) {
    let (dir, app) = kit::open();
    let mut app = app.with_clock(now);
    app.load_demo("test").expect("demo");
    (dir, app)
}

fn demo(app: &Aidtrace) -> Consignment {
    app.ledger()
        .expect("ledger")
        .consignments
        .get(&id(CONSIGNMENT))
        .cloned()
        .expect("demo consignment")
}

fn actor(role: Role, orgs: &[&str], facilities: &[&str]) -> Actor {
    let set = |v: &[&str]| -> BTreeSet<String> { v.iter().map(|s| (*s).to_string()).collect() };
    Actor {
        name: "someone".into(),
        role,
        organisations: set(orgs),
        facilities: set(facilities),
    }
}

fn records(app: &Aidtrace) -> usize {
    app.counts().expect("counts").values().sum()
}

#[test]
fn every_field_problem_of_a_consignment_is_named_at_once() {
    let (_d, app) = app();
    let mut c = demo(&app);
    c.arrived = Some(day(2026, 10, 1));
    c.lines[1].quantity = 0;
    c.lines[3].expiry = day(2026, 11, 1);
    let fields: Vec<String> = entry::consignment_problems(&c)
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(
        fields,
        ["arrived", "lines[1].quantity", "lines[3].expiry"],
        "{fields:?}"
    );
}

#[test]
fn a_consignment_with_no_lines_is_refused_naming_the_lines() {
    let (_d, app) = app();
    let mut c = demo(&app);
    c.lines.clear();
    let problems = entry::consignment_problems(&c);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].field, "lines");
}

#[test]
fn a_consignment_not_yet_saved_is_checked_line_by_line() {
    let (_d, app) = app();
    let mut c = demo(&app);
    c.id = id("con-draft");
    let ledger = app.ledger().expect("ledger");
    let found = entry::check_draft(&ledger, &c, &GuidelineConfig::default(), day(2026, 12, 6));
    let on = |line: usize, rule: R| found.iter().any(|f| f.line == Some(line) && f.rule == rule);
    assert!(!found.iter().any(|f| f.line == Some(0)), "{found:?}");
    assert!(on(1, R::ShortShelfLife));
    assert!(on(3, R::NotRegistered));
    assert!(on(4, R::NoInnOnLabel));
    // Nothing was stored by checking.
    assert!(!ledger.consignments.contains_key(&id("con-draft")));
}

#[test]
fn a_scan_finds_the_product_by_its_gtin_in_any_length() {
    let (_d, app) = app();
    let ledger = app.ledger().expect("ledger");
    let today = day(2026, 12, 6);
    let s = entry::scan(&ledger, "(01)09501101020917(17)290531(10)AMX2611", today).expect("scan");
    assert_eq!(s.product, Some(id(AMOXICILLIN)));
    assert_eq!(s.fields.lot.as_deref(), Some("AMX2611"));
    assert_eq!(s.fields.expiry, Some(day(2029, 5, 31)));
    assert_eq!(
        entry::product_by_gtin(&ledger, "9501101020917"),
        Some(id(AMOXICILLIN))
    );
}

#[test]
fn a_scan_of_a_gtin_no_product_has_leaves_the_product_open() {
    let (_d, app) = app();
    let ledger = app.ledger().expect("ledger");
    // 4006381333931 is a valid GTIN-13 (check digit 1) that no demo product carries.
    let s = entry::scan(&ledger, "(01)04006381333931(10)X1", day(2026, 12, 6)).expect("scan");
    assert_eq!(s.product, None);
}

#[test]
fn a_scan_with_a_wrong_check_digit_is_refused_naming_the_gtin() {
    let (_d, app) = app();
    let ledger = app.ledger().expect("ledger");
    let e = entry::scan(&ledger, "(01)09501101020918(10)AMX2611", day(2026, 12, 6))
        .expect_err("wrong check digit");
    assert!(matches!(e, gs1::Gs1Error::CheckDigit { .. }), "{e:?}");
    assert_eq!(e.field(), "gtin");
}

#[test]
fn a_scan_with_an_impossible_date_is_refused_naming_the_expiry() {
    let (_d, app) = app();
    let ledger = app.ledger().expect("ledger");
    let e = entry::scan(&ledger, "(01)09501101020917(17)291331", day(2026, 12, 6))
        .expect_err("month 13");
    assert_eq!(e.field(), "expiry");
}

#[test]
fn a_rejection_without_a_reason_is_refused_and_nothing_is_written() {
    let (_d, mut app) = app();
    let before = records(&app);
    let e = medicines::decide(
        &mut app,
        "test",
        &id(CONSIGNMENT),
        DecisionOutcome::Reject,
        vec![],
        Some("  ".into()),
    )
    .expect_err("no reason");
    match e {
        ServiceError::Invalid { error, .. } => {
            assert_eq!(error.field, "reason");
            assert_eq!(error.problem.map(|p| p.id), Some(ProblemId::ReasonNeeded));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(records(&app), before);
}

#[test]
fn decision_records_are_built_without_writing_them() {
    let (_d, app) = app();
    let before = records(&app);
    let batch = entry::decision_records(
        &app,
        &id(CONSIGNMENT),
        DecisionOutcome::AcceptInPart,
        vec![1, 0, 1],
        None,
    )
    .expect("records");
    assert_eq!(records(&app), before);
    let Record::ConsignmentDecision(d) = &batch[0] else {
        panic!("the decision comes first: {batch:?}")
    };
    assert_eq!(d.accepted_lines, [0, 1]);
    assert!(d.findings_seen.iter().any(|r| r == "MED-SHELF-LIFE"));
    let receipts: Vec<u64> = batch[1..]
        .iter()
        .map(|r| match r {
            Record::StockMovement(m) if m.kind == MovementKind::Receipt => m.quantity,
            other => panic!("a receipt: {other:?}"),
        })
        .collect();
    assert_eq!(receipts, [20_000, 50_000]);
}

#[test]
fn a_line_accepted_that_the_packing_list_lacks_is_refused() {
    let (_d, app) = app();
    let e = entry::decision_records(
        &app,
        &id(CONSIGNMENT),
        DecisionOutcome::AcceptInPart,
        vec![7],
        None,
    )
    .expect_err("no line 7");
    assert!(e.to_string().contains("accepted_lines"), "{e}");
}

#[test]
fn the_donors_editor_records_a_consignment_and_others_may_not() {
    let (_d, app) = app();
    let mut c = demo(&app);
    c.id = id("con-editor-entry");
    let batch = vec![Record::Consignment(c)];
    let ledger = app.ledger().expect("ledger");
    let donor_editor = actor(Role::Editor, &[DONOR], &[]);
    assert!(donor_editor.may_write(&batch[0], &ledger, &batch).is_ok());
    let other = actor(Role::Editor, &["org-embassy-japan-kz"], &[]);
    assert!(other.may_write(&batch[0], &ledger, &batch).is_err());
}

#[test]
fn the_destinations_engineer_decides_and_moves_its_stock_and_others_may_not() {
    let (_d, app) = app();
    let ledger = app.ledger().expect("ledger");
    let batch = entry::decision_records(
        &app,
        &id(CONSIGNMENT),
        DecisionOutcome::Accept,
        vec![],
        None,
    )
    .expect("records");
    let here = actor(Role::FacilityEngineer, &[], &[WAREHOUSE]);
    let elsewhere = actor(Role::FacilityEngineer, &[], &[HOSPITAL_A]);
    for r in &batch {
        assert!(here.may_write(r, &ledger, &batch).is_ok(), "{r:?}");
        assert!(elsewhere.may_write(r, &ledger, &batch).is_err(), "{r:?}");
    }
}

fn distribution(q: u64) -> NewMovement {
    NewMovement {
        kind: MovementKind::Distribution,
        date: day(2026, 12, 1),
        consignment: id(CONSIGNMENT),
        product: id(AMOXICILLIN),
        lot: "AMX2611".into(),
        from: Some(id(WAREHOUSE)),
        to: Some(id(HOSPITAL_A)),
        quantity: q,
        note: None,
    }
}

#[test]
fn a_proposed_movement_beyond_stock_is_refused_before_it_is_queued() {
    let (guard, mut app) = app();
    let mut queue = guard.accounts();
    medicines::decide(
        &mut app,
        "test",
        &id(CONSIGNMENT),
        DecisionOutcome::AcceptInPart,
        vec![0],
        None,
    )
    .expect("accept");
    let engineer = actor(Role::FacilityEngineer, &[], &[WAREHOUSE]);
    let too_much = entry::movement_record(&app, distribution(20_001)).expect("record");
    let e = changes::write(&mut app, &mut *queue, &engineer, vec![too_much], true, AT)
        .expect_err("beyond stock");
    match e {
        ChangeError::Service(ServiceError::Invalid { error, .. }) => {
            assert_eq!(error.field, "quantity");
            let p = error.problem.expect("problem id");
            assert_eq!(p.id, ProblemId::BeyondStock);
            assert_eq!(p.text_arg("on_hand"), Some("20000"));
            assert_eq!(p.text_arg("lot"), Some("AMX2611"));
        }
        other => panic!("{other:?}"),
    }
    assert!(queue.changes(None).expect("queue").is_empty());
    let fits = entry::movement_record(&app, distribution(5_000)).expect("record");
    let written =
        changes::write(&mut app, &mut *queue, &engineer, vec![fits], true, AT).expect("proposed");
    assert!(matches!(written, Written::Proposed { .. }), "{written:?}");
}

#[test]
fn the_dashboard_counts_come_from_the_stock_the_movements_give() {
    let (_d, mut app) = app();
    let ledger = app.ledger().expect("ledger");
    let before = medicine_cards::counts(&ledger, day(2026, 12, 6)).expect("counts");
    assert_eq!(before.received, 0);
    assert!(before.open_findings > 0);
    medicines::decide(
        &mut app,
        "test",
        &id(CONSIGNMENT),
        DecisionOutcome::AcceptInPart,
        vec![0, 1],
        None,
    )
    .expect("accept");
    medicines::record_movement(&mut app, "test", distribution(5_000)).expect("distribute");
    let ledger = app.ledger().expect("ledger");
    let after = medicine_cards::counts(&ledger, day(2026, 12, 6)).expect("counts");
    assert_eq!(after.received, 1);
    assert_eq!(after.open_findings, 0);
    assert_eq!(after.expiring_90_days, 0);
    // The paracetamol lot PCM0427 (expiry 2027-04-30) is within 90 days on 2027-02-15, and
    // expired on 2027-05-01; the amoxicillin at two facilities is one lot, counted once.
    let feb = medicine_cards::counts(&ledger, day(2027, 2, 15)).expect("counts");
    assert_eq!(feb.expiring_90_days, 1);
    let may = medicine_cards::counts(&ledger, day(2027, 5, 1)).expect("counts");
    assert_eq!((may.expiring_90_days, may.expired), (0, 1));
}

#[test]
fn a_consignment_id_is_made_from_the_donor_and_the_shipment_date() {
    let (_d, app) = app();
    let made = entry::consignment_id(&app, &id(DONOR), day(2026, 12, 2)).expect("id");
    assert_eq!(made.as_str(), "con-illustrative-medicine-donor-20261202");
    assert!(
        app.store()
            .get(RecordKind::Consignment, &made)
            .expect("get")
            .is_none()
    );
}
