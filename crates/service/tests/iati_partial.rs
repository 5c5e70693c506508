//! Keeping what is sound in a flawed activity: a budget or transaction the ledger refuses is
//! left out with a finding (file, line, reason) and the rest of the activity is imported;
//! `strict` keeps the all-or-nothing behaviour. Real SQLite.

mod kit;

use aidtrace_domain::RecordKind;
use aidtrace_service::Aidtrace;
use aidtrace_service::iati::{FileImport, ImportOptions, Outcome};

fn open() -> (kit::Guard, Aidtrace) {
    let (dir, app) = kit::open();
    (dir, app)
}

fn import(app: &mut Aidtrace, name: &str, xml: &str, strict: bool) -> FileImport {
    app.import_iati(
        "test",
        name,
        || Ok(xml.as_bytes()),
        ImportOptions {
            strict,
            ..ImportOptions::default()
        },
        &mut |_, _| {},
    )
    .expect("import")
}

/// Line 9: a budget that ends before it starts; line 10: a budget whose value is not a number;
/// line 11: a sound budget; lines 12–13: transactions, the second with a non-numeric value.
fn flawed(updated: &str, first_budget_end: &str, second_budget_value: &str) -> String {
    format!(
        r#"<?xml version="1.0"?>
<iati-activities version="2.03">
 <iati-activity last-updated-datetime="{updated}" default-currency="USD">
  <iati-identifier>XM-FLAWED-1</iati-identifier>
  <reporting-org ref="XM-DAC-701-8" type="10"><narrative>JICA</narrative></reporting-org>
  <title><narrative>Clinic equipment</narrative></title>
  <activity-status code="2"/>
  <activity-date type="1" iso-date="2024-01-01"/>
  <budget type="1"><period-start iso-date="2024-06-01"/><period-end iso-date="{first_budget_end}"/><value value-date="2024-01-01">100</value></budget>
  <budget type="1"><period-start iso-date="2025-01-01"/><period-end iso-date="2025-12-31"/><value value-date="2025-01-01">{second_budget_value}</value></budget>
  <budget type="1"><period-start iso-date="2026-01-01"/><period-end iso-date="2026-12-31"/><value value-date="2026-01-01">300</value></budget>
  <transaction><transaction-type code="2"/><transaction-date iso-date="2024-02-01"/><value value-date="2024-02-01">1000</value></transaction>
  <transaction><transaction-type code="3"/><transaction-date iso-date="2024-03-01"/><value value-date="2024-03-01">12,5 million</value></transaction>
 </iati-activity>
</iati-activities>"#
    )
}

const UPDATED: &str = "2024-05-01T00:00:00Z";

fn flawed_today() -> String {
    flawed(UPDATED, "2024-01-31", "not a number")
}

#[test]
fn a_flawed_budget_and_transaction_are_left_out_and_the_rest_is_imported() {
    let (_dir, mut app) = open();
    let report = import(&mut app, "flawed.xml", &flawed_today(), false);
    assert_eq!((report.accepted, report.rejected), (1, 0), "{report:#?}");
    assert_eq!(report.left_out, 3, "{report:#?}");
    let activity = &report.activities[0];
    assert!(matches!(activity.outcome, Outcome::Accepted { .. }));
    let found: Vec<(u64, &str)> = activity
        .left_out
        .iter()
        .map(|l| (l.line, l.element.as_str()))
        .collect();
    assert_eq!(
        found,
        vec![(13, "transaction 2"), (9, "budget 1"), (10, "budget 2")],
        "{activity:#?}"
    );
    assert!(activity.left_out.iter().all(|l| l.file == "flawed.xml"));
    assert!(
        activity.left_out[0].reason.contains("12,5 million"),
        "{activity:#?}"
    );
    assert!(
        activity.left_out[1].reason.contains("period_end"),
        "{activity:#?}"
    );
    assert!(
        activity.left_out[2].reason.contains("not a number"),
        "{activity:#?}"
    );
    let ledger = app.ledger().expect("ledger");
    assert_eq!(ledger.flows.len(), 1, "the commitment stays");
    assert_eq!(ledger.budgets.len(), 1, "the 2026 budget stays");
    let stored = ledger.activities.values().next().expect("activity");
    assert_eq!(stored.left_out, activity.left_out, "kept on the record");
}

#[test]
fn each_element_left_out_is_a_finding_on_its_activity() {
    let (_dir, mut app) = open();
    import(&mut app, "flawed.xml", &flawed_today(), false);
    let findings: Vec<_> = app
        .check()
        .expect("check")
        .into_iter()
        .filter(|f| f.rule == "IATI-LEFT-OUT")
        .collect();
    assert_eq!(findings.len(), 3, "{findings:#?}");
    assert!(
        findings
            .iter()
            .all(|f| f.record_kind == RecordKind::Activity
                && f.record.as_str() == "iati-XM-FLAWED-1")
    );
    assert!(
        findings
            .iter()
            .any(|f| f.message().contains("budget 1 (flawed.xml, line 9)")),
        "{findings:#?}"
    );
}

#[test]
fn reimporting_a_flawed_file_changes_nothing() {
    let (_dir, mut app) = open();
    import(&mut app, "flawed.xml", &flawed_today(), false);
    let again = import(&mut app, "flawed.xml", &flawed_today(), false);
    assert_eq!(
        again.records_created + again.records_updated,
        0,
        "{again:#?}"
    );
    assert_eq!(again.left_out, 3);
    assert!(app.verify_audit().expect("verify").ok());
}

#[test]
fn a_corrected_file_brings_the_elements_in_and_clears_the_findings() {
    let (_dir, mut app) = open();
    import(&mut app, "flawed.xml", &flawed_today(), false);
    let corrected =
        flawed("2024-06-01T00:00:00Z", "2024-12-31", "200").replace("12,5 million", "12500000");
    let report = import(&mut app, "flawed.xml", &corrected, false);
    assert_eq!(report.left_out, 0, "{report:#?}");
    let ledger = app.ledger().expect("ledger");
    assert_eq!((ledger.flows.len(), ledger.budgets.len()), (2, 3));
    assert!(ledger.activities.values().all(|a| a.left_out.is_empty()));
    assert!(
        app.check()
            .expect("check")
            .iter()
            .all(|f| f.rule != "IATI-LEFT-OUT")
    );
}

#[test]
fn strict_rejects_the_whole_activity_and_refuses_the_file() {
    let (_dir, mut app) = open();
    let report = import(&mut app, "flawed.xml", &flawed_today(), true);
    assert!(report.refused.is_some(), "{report:#?}");
    assert_eq!((report.accepted, report.rejected), (0, 1));
    let Outcome::Rejected { reasons } = &report.activities[0].outcome else {
        panic!("{report:#?}");
    };
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("transaction 2:") && r.contains("12,5 million")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("period_end")),
        "{reasons:?}"
    );
    assert!(app.ledger().expect("ledger").activities.is_empty());
}

#[test]
fn an_activity_the_ledger_refuses_as_a_whole_is_still_rejected() {
    let (_dir, mut app) = open();
    let xml = flawed_today().replace(
        "<activity-date type=\"1\" iso-date=\"2024-01-01\"/>",
        "<activity-date type=\"1\" iso-date=\"2024-12-01\"/><activity-date type=\"3\" iso-date=\"2024-01-01\"/>",
    );
    let report = import(&mut app, "flawed.xml", &xml, false);
    assert_eq!(
        (report.accepted, report.rejected, report.left_out),
        (0, 1, 0)
    );
    assert!(app.ledger().expect("ledger").flows.is_empty());
}

#[test]
fn an_organisation_the_ledger_refuses_is_left_out_not_the_run() {
    let (_dir, mut app) = open();
    // U+0096 (a Windows-1252 dash decoded as Latin-1) in a provider's name.
    let xml = flawed_today().replace(
        "<value value-date=\"2024-02-01\">1000</value>",
        "<value value-date=\"2024-02-01\">1000</value><provider-org><narrative>Clinic \u{96} Gaza</narrative></provider-org>",
    );
    let report = import(&mut app, "flawed.xml", &xml, false);
    assert_eq!((report.accepted, report.rejected), (1, 0), "{report:#?}");
    let activity = &report.activities[0];
    assert!(
        activity
            .left_out
            .iter()
            .any(|l| l.element.starts_with("organisation ") && l.reason.contains("U+0096")),
        "{activity:#?}"
    );
    let ledger = app.ledger().expect("ledger");
    let flow = ledger.flows.values().next().expect("the commitment stays");
    assert_eq!(flow.provider, None);
    assert!(
        ledger
            .organisations
            .values()
            .all(|o| !o.name.contains('\u{96}'))
    );
}
