//! Medicines through the service: the demo consignment's findings, decisions that receive stock,
//! distributions refused beyond stock, packing lists from CSV with per-line errors and nothing
//! written, and the donor's view.

mod kit;

use aidtrace_domain::medicines::guidelines::GuidelineRule as R;
use aidtrace_domain::medicines::{Consignment, DecisionOutcome, MovementKind};
use aidtrace_domain::{Record, RecordId, RecordKind};
use aidtrace_service::medicines::{self, NewMovement};
use aidtrace_service::{Aidtrace, ServiceError};
use chrono::{NaiveDate, NaiveDateTime};

const CONSIGNMENT: &str = "con-illustrative-ua-2026-01";
const WAREHOUSE: &str = "fac-ua-illustrative-central-warehouse";
const HOSPITAL_A: &str = "fac-ua-illustrative-kharkiv-a";
const HOSPITAL_B: &str = "fac-ua-illustrative-sumy-c";

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

fn distribute(
    app: &mut Aidtrace,
    lot: &str,
    product: &str,
    to: &str,
    q: u64,
) -> Result<RecordId, ServiceError> {
    medicines::record_movement(
        app,
        "test",
        NewMovement {
            kind: MovementKind::Distribution,
            date: day(2026, 12, 1),
            consignment: id(CONSIGNMENT),
            product: id(product),
            lot: lot.into(),
            from: Some(id(WAREHOUSE)),
            to: Some(id(to)),
            quantity: q,
            note: None,
        },
    )
}

#[test]
fn demo_consignment_findings_mix_passing_and_failing_lines() {
    let (_dir, app) = app();
    let found: Vec<(R, Option<usize>)> =
        medicines::check_consignment(&app, &id(CONSIGNMENT), &Default::default())
            .expect("check")
            .into_iter()
            .map(|f| (f.rule, f.line))
            .collect();
    assert_eq!(
        found,
        vec![
            // The demo declares 2,130 USD for lines adding up to 2,820 USD.
            (R::ValueMismatch, None),
            (R::ShortShelfLife, Some(1)),
            (R::LabelLanguage, Some(2)),
            (R::ValueAboveReference, Some(2)),
            (R::NotRegistered, Some(3)),
            (R::NotEssential, Some(4)),
            (R::LabelLanguage, Some(4)),
            (R::NoInnOnLabel, Some(4)),
        ]
    );
}

#[test]
fn demo_loads_twice_without_change() {
    let (_dir, mut app) = app();
    assert_eq!(app.load_demo("test").expect("again").changed(), 0);
}

#[test]
fn accepting_in_part_receives_the_accepted_lines_and_distribution_is_bounded() {
    let (_dir, mut app) = app();
    medicines::decide(
        &mut app,
        "test",
        &id(CONSIGNMENT),
        DecisionOutcome::AcceptInPart,
        vec![0, 1],
        Some("lines 2-4 fail the guidelines".into()),
    )
    .expect("decide");
    distribute(
        &mut app,
        "AMX2611",
        "med-illustrative-amoxicillin-500",
        HOSPITAL_A,
        5000,
    )
    .expect("to A");
    distribute(
        &mut app,
        "AMX2611",
        "med-illustrative-amoxicillin-500",
        HOSPITAL_B,
        3000,
    )
    .expect("to B");
    let err = distribute(
        &mut app,
        "AMX2611",
        "med-illustrative-amoxicillin-500",
        HOSPITAL_B,
        12001,
    )
    .expect_err("beyond stock");
    assert!(err.is_bad_input(), "{err}");
    assert!(err.to_string().contains("quantity"), "{err}");
    let err = distribute(
        &mut app,
        "CFX2808",
        "med-illustrative-ceftriaxone-1g",
        HOSPITAL_B,
        1,
    )
    .expect_err("line 3 was not accepted");
    assert!(err.to_string().contains("lot"), "{err}");

    let ledger = app.ledger().expect("ledger");
    let stock = medicines::stock_report(&ledger, day(2026, 12, 6), None, None).expect("stock");
    let at = |f: &str, lot: &str| {
        stock
            .iter()
            .find(|r| r.facility == id(f) && r.lot == lot)
            .map(|r| r.on_hand)
    };
    assert_eq!(at(WAREHOUSE, "AMX2611"), Some(12000));
    assert_eq!(at(HOSPITAL_A, "AMX2611"), Some(5000));
    assert_eq!(at(HOSPITAL_B, "AMX2611"), Some(3000));
    assert_eq!(at(WAREHOUSE, "PCM0427"), Some(50000));
    let band = stock
        .iter()
        .find(|r| r.lot == "PCM0427")
        .and_then(|r| r.band);
    assert_eq!(
        band,
        Some(aidtrace_domain::medicines::stock::ExpiryBand::Within180Days)
    );

    let view =
        medicines::donor_view(&ledger, &id("org-illustrative-medicine-donor")).expect("donor view");
    let amx = view.iter().find(|r| r.lot == "AMX2611").expect("lot");
    assert_eq!(amx.sent, 20000);
    assert_eq!(amx.moved.get(&MovementKind::Receipt), Some(&20000));
    assert_eq!(amx.moved.get(&MovementKind::Distribution), Some(&8000));
    assert_eq!(amx.on_hand, 20000);
    let cfx = view.iter().find(|r| r.lot == "CFX2808").expect("lot");
    assert_eq!(cfx.moved.get(&MovementKind::Receipt), Some(&0));
    assert_eq!(cfx.decision, Some(DecisionOutcome::AcceptInPart));
}

#[test]
fn the_decision_records_the_findings_seen_and_is_audited() {
    let (_dir, mut app) = app();
    let decision = medicines::decide(
        &mut app,
        "coordinator",
        &id(CONSIGNMENT),
        DecisionOutcome::Reject,
        vec![],
        Some("fails the guidelines".into()),
    )
    .expect("decide");
    let ledger = app.ledger().expect("ledger");
    let d = ledger.consignment_decisions.get(&decision).expect("stored");
    assert!(d.findings_seen.iter().any(|r| r == "MED-SHELF-LIFE"));
    let log = app.store().audit_log(None).expect("log");
    assert!(
        log.iter()
            .any(|e| e.kind == RecordKind::ConsignmentDecision.as_str()
                && e.record_id == decision.as_str()
                && e.actor == "coordinator")
    );
    assert!(
        ledger.stock_movements.is_empty(),
        "a rejection receives nothing"
    );
}

#[test]
fn a_decision_naming_a_line_that_does_not_exist_is_refused() {
    let (_dir, mut app) = app();
    let err = medicines::decide(
        &mut app,
        "test",
        &id(CONSIGNMENT),
        DecisionOutcome::AcceptInPart,
        vec![9],
        None,
    )
    .expect_err("line 9");
    assert!(err.to_string().contains("accepted_lines"), "{err}");
    assert!(
        app.ledger()
            .expect("ledger")
            .consignment_decisions
            .is_empty()
    );
}

fn header() -> Consignment {
    let (_dir, app) = app();
    let mut c = app
        .ledger()
        .expect("ledger")
        .consignments
        .get(&id(CONSIGNMENT))
        .cloned()
        .expect("demo");
    c.id = id("con-test-csv");
    c.lines.clear();
    c
}

#[test]
fn a_packing_list_from_csv_with_typed_and_scanned_lines_is_recorded() {
    let (_dir, mut app) = app();
    let csv = "product,quantity,lot,expiry,gs1,label_languages,unit_value\n\
               med-illustrative-amoxicillin-500,100,,,(01)09501101020917(17)290531(10)SCAN1,uk,0.04\n\
               med-illustrative-paracetamol-500,200,TYPED2,2029-01-31,,uk;en,0.005\n";
    let mut c = header();
    // The value these lines add up to (100 × 0.04 + 200 × 0.005 USD).
    if let Some(declared) = &mut c.declared_value {
        declared.amount = rust_decimal::Decimal::new(5, 0);
    }
    let findings = medicines::record_consignment(&mut app, "test", c, csv).expect("recorded");
    assert!(findings.is_empty(), "{findings:?}");
    let ledger = app.ledger().expect("ledger");
    let c = ledger
        .consignments
        .get(&id("con-test-csv"))
        .expect("stored");
    assert_eq!(c.lines[0].lot, "SCAN1");
    assert_eq!(c.lines[0].expiry, day(2029, 5, 31));
    assert_eq!(
        c.lines[1].label_languages,
        vec!["uk".to_string(), "en".to_string()]
    );
}

#[test]
fn a_packing_list_with_errors_names_each_line_and_field_and_writes_nothing() {
    let (_dir, mut app) = app();
    let csv = "product,quantity,lot,expiry,gs1\n\
               med-illustrative-amoxicillin-500,0,A,2029-01-31,\n\
               med-illustrative-amoxicillin-500,5,,,(01)09501101020918(17)290531(10)X\n\
               med-illustrative-amoxicillin-500,5,,,(17)291331(10)X\n\
               med-illustrative-amoxicillin-500,-3,A,2029-01-31,\n";
    let err = medicines::record_consignment(&mut app, "test", header(), csv).expect_err("refused");
    let text = err.to_string();
    assert!(text.contains("line 2, gtin"), "{text}");
    assert!(text.contains("line 3, expiry"), "{text}");
    assert!(text.contains("line 4, quantity"), "{text}");
    // Line 1 reads, but the line's own rules (a quantity of at least 1) are checked in the same
    // pass, so its error is listed with the others.
    assert!(text.contains("line 1, quantity"), "{text}");
    assert!(
        !app.ledger()
            .expect("ledger")
            .consignments
            .contains_key(&id("con-test-csv"))
    );
}

#[test]
fn a_zero_quantity_line_is_refused_naming_it() {
    let (_dir, mut app) = app();
    let csv = "product,quantity,lot,expiry\nmed-illustrative-amoxicillin-500,0,A,2029-01-31\n";
    let err = medicines::record_consignment(&mut app, "test", header(), csv).expect_err("zero");
    assert!(err.to_string().contains("line 1, quantity"), "{err}");
    assert!(
        !app.ledger()
            .expect("ledger")
            .consignments
            .contains_key(&id("con-test-csv"))
    );
}

#[test]
fn unknown_columns_are_refused() {
    let csv = "product,quantity,colour\nmed-x,1,red\n";
    let errors = medicines::parse_packing_list(csv, day(2026, 12, 6)).expect_err("unknown column");
    assert_eq!(errors[0].field, "header");
    assert_eq!(errors[0].value, "colour");
}

#[test]
fn a_packing_list_of_100000_rows_is_refused_whole() {
    let mut csv = String::from("product,quantity,lot,expiry\n");
    for n in 0..100_000 {
        csv.push_str(&format!("med-x,1,L{n},2029-01-31\n"));
    }
    let errors = medicines::parse_packing_list(&csv, day(2026, 12, 6)).expect_err("too long");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].field, "lines");
}

#[test]
fn an_essential_medicines_list_imports_with_its_source() {
    let list = "inn,dosage_form\namoxicillin,capsule\nparacetamol,tablet\n";
    let entries =
        medicines::parse_essential_list(list, &id("src-who-eml-2023"), None).expect("list");
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].sources[0].source, id("src-who-eml-2023"));
    let errors = medicines::parse_essential_list("name\nx\n", &id("src-who-eml-2023"), None)
        .expect_err("column");
    assert_eq!(errors[0].value, "name");
}

/// The write path replays only the lots a batch touches; a movement written over a stored one
/// touches the stored one's lot too, which may break without it.
#[test]
fn rewriting_a_movement_onto_another_lot_is_refused_when_its_old_lot_would_go_negative() {
    let (_dir, mut app) = app();
    medicines::decide(
        &mut app,
        "test",
        &id(CONSIGNMENT),
        DecisionOutcome::AcceptInPart,
        vec![0, 1],
        None,
    )
    .expect("decide");
    let sent = distribute(
        &mut app,
        "AMX2611",
        "med-illustrative-amoxicillin-500",
        HOSPITAL_A,
        5000,
    )
    .expect("to A");
    medicines::record_movement(
        &mut app,
        "test",
        NewMovement {
            kind: MovementKind::Use,
            date: day(2026, 12, 2),
            consignment: id(CONSIGNMENT),
            product: id("med-illustrative-amoxicillin-500"),
            lot: "AMX2611".into(),
            from: Some(id(HOSPITAL_A)),
            to: None,
            quantity: 5000,
            note: None,
        },
    )
    .expect("used at A");
    let Some(Record::StockMovement(mut moved)) = app
        .store()
        .get(RecordKind::StockMovement, &sent)
        .expect("read")
    else {
        panic!("the distribution is stored");
    };
    moved.product = id("med-illustrative-paracetamol-500");
    moved.lot = "PCM0427".into();
    let err = app
        .put("test", vec![Record::StockMovement(moved)])
        .expect_err("hospital A would have used amoxicillin it never received");
    assert!(err.is_bad_input(), "{err}");
    assert!(err.to_string().contains("AMX2611"), "{err}");
    let ledger = app.ledger().expect("ledger");
    assert_eq!(ledger.stock_movements[&sent].lot, "AMX2611");
}
