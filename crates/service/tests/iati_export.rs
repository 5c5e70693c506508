//! The export writes only what the project's validator accepts (schema, codelists, rules), and
//! says what it left out and what it filled in. Real SQLite.

mod kit;

use aidtrace_domain::RecordId;
use aidtrace_service::Aidtrace;
use aidtrace_service::error::ServiceError;
use aidtrace_service::iati::{ActivityFilter, ExportReport, ImportOptions};

fn open() -> (kit::Guard, Aidtrace) {
    let (dir, app) = kit::open();
    (dir, app)
}

fn export(app: &Aidtrace, filter: &ActivityFilter) -> (ExportReport, String) {
    let mut xml = Vec::new();
    let report = app.export_iati_checked(filter, &mut xml).expect("export");
    (report, String::from_utf8(xml).expect("utf-8"))
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
    assert!(errors.is_empty(), "{errors:#?}\n{xml}");
    assert!(check.summary.activities > 0);
}

fn id(raw: &str) -> RecordId {
    RecordId::parse(raw).expect("id")
}

#[test]
fn the_demo_export_passes_the_validator_and_says_what_it_left_out() {
    let (_dir, mut app) = open();
    app.load_demo("seed").expect("demo");
    let (report, xml) = export(&app, &ActivityFilter::All);
    assert_clean(&xml);
    assert!(report.activities > 0, "{report:#?}");
    // The demo's Kazakh activities record no date at all: IATI requires a start date.
    let semey = report
        .excluded
        .iter()
        .find(|x| x.activity.as_str() == "act-kz-semey-equipment")
        .expect("left out");
    assert!(semey.undated, "{semey:#?}");
    assert!(
        semey.reasons.is_empty(),
        "the missing date is its only fault, not also an element 'not expected': {semey:#?}"
    );
    assert!(
        semey.explained()[0].starts_with("nothing dates the activity"),
        "{semey:#?}"
    );
    assert!(
        xml.contains("xml:lang=\"en\""),
        "4.1.1: the language is declared"
    );
    assert!(
        report.supplied.iter().any(|s| s.contains("99810")),
        "{report:#?}"
    );
}

#[test]
fn an_export_of_named_activities_covers_only_them() {
    let (_dir, mut app) = open();
    app.load_demo("seed").expect("demo");
    let only = ActivityFilter::Only(vec![id("act-ua-jica-generators")]);
    let (report, xml) = export(&app, &only);
    assert_clean(&xml);
    assert_eq!(report.activities, 1, "{report:#?}");
    assert_eq!(xml.matches("<iati-identifier>").count(), 1);
    assert!(xml.contains("<iati-identifier>aidtrace-act-ua-jica-generators<"));
}

#[test]
fn an_export_with_nothing_valid_writes_nothing_and_says_why() {
    let (_dir, mut app) = open();
    app.load_demo("seed").expect("demo");
    let only = ActivityFilter::Only(vec![id("act-kz-semey-equipment")]);
    let mut xml = Vec::new();
    let err = app
        .export_iati_checked(&only, &mut xml)
        .expect_err("nothing to write");
    assert!(matches!(err, ServiceError::NotFound(_)), "{err:?}");
    assert!(err.to_string().contains("6.11.1"), "{err}");
    assert!(xml.is_empty());
}

#[test]
fn an_unknown_activity_is_refused() {
    let (_dir, mut app) = open();
    app.load_demo("seed").expect("demo");
    let only = ActivityFilter::Only(vec![id("act-nope")]);
    let err = app
        .export_iati_checked(&only, &mut Vec::new())
        .expect_err("unknown");
    assert!(err.to_string().contains("act-nope"), "{err}");
}

const LONG_BUDGET: &str = r#"<iati-activities version="2.03">
 <iati-activity last-updated-datetime="2024-05-01T00:00:00Z" default-currency="USD">
  <iati-identifier>XM-LONG-1</iati-identifier>
  <reporting-org ref="XM-DAC-701-8" type="10"><narrative>JICA</narrative></reporting-org>
  <title><narrative>Hospital generators</narrative></title>
  <participating-org ref="XM-DAC-701-8" role="1" type="10"><narrative>JICA</narrative></participating-org>
  <activity-date type="1" iso-date="2024-01-01"/>
  <recipient-country code="UA"/>
  <sector code="12191"/>
  <budget type="1"><period-start iso-date="2024-01-01"/><period-end iso-date="2026-12-31"/><value value-date="2024-01-01">900</value></budget>
  <budget type="1"><period-start iso-date="2024-01-01"/><period-end iso-date="2024-12-31"/><value value-date="2024-01-01">300</value></budget>
 </iati-activity>
</iati-activities>"#;

fn import(app: &mut Aidtrace, name: &str, xml: &str) {
    let report = app
        .import_iati(
            "test",
            name,
            || Ok(xml.as_bytes()),
            ImportOptions::default(),
            &mut |_, _| {},
        )
        .expect("import");
    assert_eq!(report.accepted, 1, "{report:#?}");
}

#[test]
fn a_budget_longer_than_a_year_travels_as_aidtrace_data_and_keeps_its_id() {
    let (_dir, mut first) = open();
    import(&mut first, "long.xml", LONG_BUDGET);
    let (report, xml) = export(&first, &ActivityFilter::All);
    assert_clean(&xml);
    assert_eq!((report.activities, report.budgets), (1, 1), "{report:#?}");
    assert!(
        report
            .left_out
            .iter()
            .any(|l| l.contains("iati-XM-LONG-1-b1") && l.contains("7.5.3")),
        "{report:#?}"
    );
    let (_dir2, mut second) = open();
    // Under the same file name, so that the budgets cite the same source.
    import(&mut second, "long.xml", &xml);
    assert_eq!(
        first.ledger().expect("ledger").budgets,
        second.ledger().expect("ledger").budgets,
        "both budgets, under their ids"
    );
}

#[test]
fn what_an_export_fills_in_is_not_taken_for_recorded_data_by_another_aidtrace() {
    let (_dir, mut first) = open();
    first.load_demo("seed").expect("demo");
    let only = ActivityFilter::Only(vec![id("act-ua-jica-generators")]);
    let (report, xml) = export(&first, &only);
    assert_eq!(
        report.supplied.len(),
        2,
        "a start date and a sector: {report:#?}"
    );
    let (_dir2, mut second) = open();
    import(&mut second, "from-first.xml", &xml);
    let ledger = second.ledger().expect("ledger");
    let a = ledger.activities.values().next().expect("activity");
    assert_eq!(a.start_date, None);
    assert!(a.sectors.is_empty());
}

#[test]
fn an_activity_with_only_an_end_date_is_left_out_as_undated() {
    let (_dir, mut app) = open();
    app.load_json(
        "test",
        r#"[
  {"record": "organisation", "id": "o-donor", "name": "Donor", "kind": "government"},
  {"record": "activity", "id": "a-dated", "title": "Dated", "instrument": "grant_aid",
   "status": "implementation", "start_date": "2024-01-01",
   "participants": [{"org": "o-donor", "role": "funding"}]},
  {"record": "activity", "id": "a-ends", "title": "Ends only", "instrument": "grant_aid",
   "status": "implementation", "end_date": "2025-06-30",
   "participants": [{"org": "o-donor", "role": "funding"}]}
]"#,
    )
    .expect("load");
    let (report, xml) = export(&app, &ActivityFilter::All);
    assert_clean(&xml);
    assert_eq!(report.activities, 1, "{report:#?}");
    let ends = &report.excluded[0];
    assert_eq!(ends.activity.as_str(), "a-ends");
    assert!(ends.undated, "an end date is not a start: {ends:#?}");
    assert!(ends.reasons.is_empty(), "{ends:#?}");
}

#[test]
fn an_activity_reported_by_an_organisation_without_an_iati_identifier_is_left_out_by_name() {
    let (_dir, mut app) = open();
    app.load_json(
        "test",
        r#"[
  {"record": "organisation", "id": "o-who", "name": "WHO Country Office", "kind": "multilateral"},
  {"record": "activity", "id": "a-who", "title": "Oxygen plants", "instrument": "grant_aid",
   "status": "implementation", "start_date": "2024-01-01", "reporting_org": "o-who",
   "participants": [{"org": "o-who", "role": "funding"}]},
  {"record": "activity", "id": "a-ledger", "title": "Reported by the ledger", "instrument": "grant_aid",
   "status": "implementation", "start_date": "2024-01-01",
   "participants": [{"org": "o-who", "role": "funding"}]}
]"#,
    )
    .expect("load");
    let (report, xml) = export(&app, &ActivityFilter::All);
    assert_clean(&xml);
    assert_eq!(report.activities, 1, "{report:#?}");
    let who = &report.excluded[0];
    assert_eq!(
        who.reporter_without_ref.as_deref(),
        Some("WHO Country Office")
    );
    // The schema's own words for it ("the attribute 'ref' is required") are not repeated.
    assert!(
        who.reasons.iter().all(|r| !r.contains("reporting-org")),
        "{who:#?}"
    );
    assert!(
        who.explained()
            .iter()
            .any(|r| r.contains("(WHO Country Office) has no IATI organisation identifier")),
        "{who:#?}"
    );
}
