//! A donated consignment's value as an in-kind disbursement of its activity: written with the
//! accepting decision (audited), valued in full or by the accepted lines, counted once in totals
//! (also when a flow for the same goods already exists), and exported to IATI as an in-kind
//! disbursement that passes the project's validator.

mod kit;

use std::str::FromStr;

use aidtrace_domain::medicines::{Consignment, DecisionOutcome};
use aidtrace_domain::model::{Flow, FlowKind};
use aidtrace_domain::totals::{GroupBy, Sum, totals};
use aidtrace_domain::{CurrencyCode, Money, Record, RecordId};
use aidtrace_service::iati::ActivityFilter;
use aidtrace_service::medicine_in_kind::{carried_by, in_kind_flow_id};
use aidtrace_service::medicines::{self, PackingFormat};
use aidtrace_service::{Aidtrace, ServiceError};
use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

const CONSIGNMENT: &str = "con-illustrative-ua-2026-01";
const ACTIVITY: &str = "act-ua-japan-health";
const DONOR: &str = "org-illustrative-medicine-donor";

fn now() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 12, 6)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .expect("time")
}

fn id(s: &str) -> RecordId {
    RecordId::parse(s).expect("id")
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

fn consignment(app: &Aidtrace) -> Consignment {
    app.ledger()
        .expect("ledger")
        .consignments
        .get(&id(CONSIGNMENT))
        .cloned()
        .expect("demo consignment")
}

/// The demo with its illustrative consignment funded by an activity (in the test only: the demo
/// never presents the illustrative consignment as part of a seed activity).
fn app() -> (kit::Guard, Aidtrace) {
    let (dir, app) = kit::open();
    let mut app = app.with_clock(now);
    app.load_demo("test").expect("demo");
    let mut c = consignment(&app);
    c.activity = Some(id(ACTIVITY));
    app.put("test", vec![Record::Consignment(c)]).expect("link");
    (dir, app)
}

fn decide(app: &mut Aidtrace, outcome: DecisionOutcome, lines: Vec<usize>) -> RecordId {
    // A rejection needs its reason; the others may go without one.
    let reason = (outcome == DecisionOutcome::Reject).then(|| "labels unreadable".to_string());
    medicines::decide(app, "nurse-olena", &id(CONSIGNMENT), outcome, lines, reason).expect("decide")
}

fn in_kind(app: &Aidtrace) -> Option<Flow> {
    let flow = in_kind_flow_id(&id(CONSIGNMENT)).expect("id");
    app.ledger().expect("ledger").flows.get(&flow).cloned()
}

/// Every disbursement the totals count, in US dollars as recorded (the demo's are in other
/// currencies or in dollars), through the one totals implementation.
fn disbursed_usd(app: &Aidtrace) -> Decimal {
    let report = totals(
        &app.ledger().expect("ledger"),
        &app.rates().expect("rates"),
        GroupBy::Donor,
        &CurrencyCode::usd(),
    );
    report
        .rows
        .iter()
        .filter(|r| r.kind == FlowKind::Disbursement)
        .map(|r| match r.original.get(&CurrencyCode::usd()) {
            Some(Sum::Exact(d)) => *d,
            _ => Decimal::ZERO,
        })
        .sum()
}

/// What the decision added to the dollar disbursements the totals count.
fn added_by(app: &mut Aidtrace, before: Decimal) -> Decimal {
    disbursed_usd(app) - before
}

#[test]
fn accepting_writes_the_declared_value_as_an_in_kind_disbursement_of_the_activity() {
    let (_dir, mut app) = app();
    let before = disbursed_usd(&app);
    decide(&mut app, DecisionOutcome::Accept, vec![]);
    let flow = in_kind(&app).expect("in-kind flow");
    assert_eq!(flow.activity, id(ACTIVITY));
    assert_eq!(flow.kind, FlowKind::Disbursement);
    assert_eq!(flow.money.amount, dec("2130"));
    assert_eq!(flow.money.currency, CurrencyCode::usd());
    // Valued at arrival.
    assert_eq!(flow.money.value_date, NaiveDate::from_ymd_opt(2026, 11, 20));
    assert_eq!(flow.provider, Some(id(DONOR)));
    let description = flow.description.expect("description");
    assert!(description.contains("world market price"), "{description}");
    assert_eq!(consignment(&app).value_flow, Some(flow.id.clone()));
    assert_eq!(added_by(&mut app, before), dec("2130"));
}

#[test]
fn the_in_kind_flow_is_audited_with_who_decided() {
    let (_dir, mut app) = app();
    decide(&mut app, DecisionOutcome::Accept, vec![]);
    let flow = in_kind_flow_id(&id(CONSIGNMENT)).expect("id");
    let history = app
        .history(aidtrace_domain::RecordKind::Flow, &flow)
        .expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].actor, "nurse-olena");
}

#[test]
fn accepting_in_part_values_the_accepted_lines_only() {
    let (_dir, mut app) = app();
    decide(&mut app, DecisionOutcome::AcceptInPart, vec![0, 1]);
    // 20,000 × 0.04 + 50,000 × 0.005
    assert_eq!(in_kind(&app).expect("flow").money.amount, dec("1050"));
}

#[test]
fn rejecting_writes_no_in_kind_flow() {
    let (_dir, mut app) = app();
    let before = disbursed_usd(&app);
    decide(&mut app, DecisionOutcome::Reject, vec![]);
    assert!(in_kind(&app).is_none());
    assert_eq!(consignment(&app).value_flow, None);
    assert_eq!(added_by(&mut app, before), Decimal::ZERO);
}

#[test]
fn a_consignment_without_an_activity_has_no_in_kind_flow() {
    let (_dir, app) = kit::open();
    let mut app = app.with_clock(now);
    app.load_demo("test").expect("demo");
    decide(&mut app, DecisionOutcome::Accept, vec![]);
    assert!(in_kind(&app).is_none());
}

/// A disbursement already recorded for the same goods (e.g. the donor's own report).
fn reported_flow(app: &mut Aidtrace) -> RecordId {
    let flow = Flow {
        id: id("flow-donor-reported-medicines"),
        activity: id(ACTIVITY),
        kind: FlowKind::Disbursement,
        money: Money::new(
            dec("2000"),
            CurrencyCode::usd(),
            NaiveDate::from_ymd_opt(2026, 11, 2),
        )
        .expect("money"),
        provider: Some(id(DONOR)),
        receiver: None,
        parent_flow: None,
        reversal: false,
        stated_equivalent: None,
        recorded_rate: None,
        description: None,
        sources: vec![],
    };
    let fid = flow.id.clone();
    app.put("test", vec![Record::Flow(flow)]).expect("flow");
    fid
}

#[test]
fn a_consignment_naming_an_existing_flow_is_counted_once_as_that_flow() {
    let (_dir, mut app) = app();
    let before = disbursed_usd(&app);
    let fid = reported_flow(&mut app);
    let mut c = consignment(&app);
    c.value_flow = Some(fid.clone());
    app.put("test", vec![Record::Consignment(c)]).expect("link");
    decide(&mut app, DecisionOutcome::Accept, vec![]);
    assert!(in_kind(&app).is_none(), "no second flow for the same goods");
    assert_eq!(added_by(&mut app, before), dec("2000"));
    let ledger = app.ledger().expect("ledger");
    assert_eq!(carried_by(&ledger)[&fid].len(), 1);
}

fn header_naming(app: &Aidtrace, flow: &str) -> Consignment {
    let mut c = consignment(app);
    c.id = id("con-test-value-flow");
    c.lines.clear();
    c.value_flow = Some(id(flow));
    c
}

const PACKING: &str =
    "product,quantity,lot,expiry\nmed-illustrative-amoxicillin-500,10,A,2029-01-31\n";

#[test]
fn a_value_flow_that_does_not_exist_is_refused_and_nothing_is_written() {
    let (_dir, mut app) = app();
    let c = header_naming(&app, "flow-nowhere");
    let err = medicines::record_consignment_from(
        &mut app,
        "test",
        c,
        PACKING.as_bytes(),
        PackingFormat::Csv,
    )
    .expect_err("refused");
    assert!(matches!(err, ServiceError::Invalid { .. }), "{err}");
    assert!(err.to_string().contains("value_flow"), "{err}");
    assert!(
        !app.ledger()
            .expect("ledger")
            .consignments
            .contains_key(&id("con-test-value-flow"))
    );
}

#[test]
fn a_value_flow_of_another_activity_is_refused() {
    let (_dir, mut app) = app();
    let other = app
        .ledger()
        .expect("ledger")
        .flows
        .values()
        .find(|f| f.activity != id(ACTIVITY) && f.kind == FlowKind::Disbursement)
        .map(|f| f.id.to_string())
        .expect("a disbursement of another activity");
    let c = header_naming(&app, &other);
    let err = medicines::record_consignment_from(
        &mut app,
        "test",
        c,
        PACKING.as_bytes(),
        PackingFormat::Csv,
    )
    .expect_err("refused");
    assert!(err.to_string().contains("value_flow"), "{err}");
}

/// Asserts that `aidtrace iati validate` would find no error in `xml`.
fn assert_clean(xml: &str) {
    let check = aidtrace_iati::validate::validate_reader(
        "export.xml",
        xml.as_bytes(),
        &aidtrace_iati::validate::Options::default(),
    );
    let errors: Vec<_> = check
        .file_errors
        .iter()
        .chain(check.activities.iter().flat_map(|a| &a.errors))
        .filter(|e| e.severity == aidtrace_iati::validate::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn the_iati_export_carries_the_in_kind_disbursement_and_stays_valid() {
    let (_dir, mut app) = app();
    decide(&mut app, DecisionOutcome::Accept, vec![]);
    let mut xml = Vec::new();
    let report = app
        .export_iati_checked(&ActivityFilter::Only(vec![id(ACTIVITY)]), &mut xml)
        .expect("export");
    assert_eq!(report.activities, 1, "{report:#?}");
    let xml = String::from_utf8(xml).expect("utf-8");
    assert_clean(&xml);
    let tx = xml
        .split("<transaction>")
        .find(|t| t.contains("In-kind donation"))
        .expect("the in-kind transaction");
    assert!(tx.contains(r#"<transaction-type code="3""#), "{tx}");
    assert!(tx.contains(r#"<disbursement-channel code="4""#), "{tx}");
    assert!(tx.contains(r#"<finance-type code="110""#), "{tx}");
    assert!(tx.contains(r#"value-date="2026-11-20""#), "{tx}");
    assert!(tx.contains(">2130<"), "{tx}");
}
