//! IATI import into a real SQLite ledger, on the annotated example and real published files:
//! acceptance and rejection per activity, versions, strict mode, organisations and values the
//! ledger refuses. Parent links, runs of files and the export round trip have files of their own
//! (`iati_import_parents.rs`, `iati_import_runs.rs`, `iati_import_roundtrip.rs`).

mod iati_import_kit;
mod kit;

use aidtrace_domain::RecordKind;
use aidtrace_domain::model::Record;
use aidtrace_service::Aidtrace;
use aidtrace_service::iati::{ImportOptions, Outcome};

use iati_import_kit::*;

#[test]
fn activities_are_accepted_or_rejected_on_their_own_and_reimport_changes_nothing() {
    let (_dir, mut app) = open();
    let first = import(&mut app, "small.xml", SMALL, false);
    assert_eq!(first.accepted, 1, "{first:#?}");
    assert_eq!(first.rejected, 1);
    let rejected = first
        .activities
        .iter()
        .find(|a| a.identifier == "BROKEN-1")
        .expect("broken");
    match &rejected.outcome {
        Outcome::Rejected { reasons } => {
            assert!(reasons[0].contains("end date is before"), "{reasons:?}")
        }
        other => panic!("expected rejection, got {other:?}"),
    }
    let ledger = app.ledger().expect("ledger");
    let flows: Vec<_> = ledger.flows.values().collect();
    assert_eq!(flows.len(), 2);
    assert!(
        flows
            .iter()
            .any(|f| f.kind.as_str() == "disbursement" && f.reversal),
        "1.x letter code D and a negative value"
    );
    assert_eq!(ledger.budgets.len(), 1);
    assert!(ledger.organisations.values().any(|o| o.name == "JICA"));
    let again = import(&mut app, "small.xml", SMALL, false);
    assert_eq!(
        again.records_created + again.records_updated,
        0,
        "{again:#?}"
    );
    assert!(app.verify_audit().expect("verify").ok());
}

#[test]
fn an_import_can_give_the_validation_report_from_the_same_read() {
    let (_dir, mut app) = open();
    let report = app
        .import_iati(
            "test",
            "small.xml",
            || Ok(SMALL.as_bytes()),
            ImportOptions {
                validation_report: true,
                ..ImportOptions::default()
            },
            &mut |_, _| {},
        )
        .expect("import");
    let expected = aidtrace_iati::validate::validate_reader(
        "small.xml",
        SMALL.as_bytes(),
        &aidtrace_iati::validate::Options::default(),
    );
    assert_eq!(report.validation, Some(expected));
    assert!(
        import(&mut app, "small.xml", SMALL, false)
            .validation
            .is_none()
    );
}

#[test]
fn strict_mode_refuses_the_whole_file() {
    let (_dir, mut app) = open();
    let report = import(&mut app, "small.xml", SMALL, true);
    assert!(report.refused.is_some());
    assert_empty(&app);
}

#[test]
fn an_older_version_never_replaces_a_newer_one_and_duplicates_are_reported() {
    let (_dir, mut app) = open();
    import(&mut app, "a.xml", SMALL, false);
    let older = SMALL
        .replace("2024-01-01T00:00:00Z", "2023-01-01T00:00:00Z")
        .replace("Medical equipment", "Old title");
    let report = import(&mut app, "b.xml", &older, false);
    assert_eq!(report.kept_newer, 1, "{report:#?}");
    assert!(
        report
            .duplicates_across_files
            .iter()
            .any(|(id, _)| id == "XM-DAC-701-8-TEST1")
    );
    let ledger = app.ledger().expect("ledger");
    assert!(
        ledger
            .activities
            .values()
            .any(|a| a.title == "Medical equipment")
    );
    let doubled = SMALL.replace("</iati-activities>", "").to_string()
        + &SMALL[SMALL.find("<iati-activity last").expect("first activity")..];
    let report = import(&mut app, "c.xml", &doubled, false);
    assert_eq!(
        report.duplicates_in_file,
        vec!["XM-DAC-701-8-TEST1".to_string(), "BROKEN-1".to_string()]
    );
}

#[test]
fn two_files_that_disagree_do_not_flip_records_on_reimport() {
    let (_dir, mut app) = open();
    // Same identifier and timestamp in two files, with another title and another name for
    // the same organisation: the first file's versions stay.
    let other = SMALL.replace("Medical equipment", "Other title").replace(
        "<narrative>JICA</narrative>",
        "<narrative>Japan International Cooperation Agency</narrative>",
    );
    import(&mut app, "a.xml", SMALL, false);
    let b = import(&mut app, "b.xml", &other, false);
    assert_eq!(b.kept_newer, 1, "{b:#?}");
    assert!(
        b.duplicates_across_files
            .iter()
            .any(|(id, _)| id == "XM-DAC-701-8-TEST1")
    );
    let ledger = app.ledger().expect("ledger");
    assert!(
        ledger
            .activities
            .values()
            .any(|a| a.title == "Medical equipment")
    );
    assert!(ledger.organisations.values().any(|o| o.name == "JICA"));
    for name in ["a.xml", "b.xml"] {
        let xml = if name == "a.xml" {
            SMALL
        } else {
            other.as_str()
        };
        let again = import(&mut app, name, xml, false);
        assert_eq!(
            again.records_created + again.records_updated,
            0,
            "{name}: {again:#?}"
        );
    }
    // A strictly newer version from another file still wins.
    let newer = other.replace("2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z");
    let c = import(&mut app, "c.xml", &newer, false);
    assert_eq!(c.accepted, 1, "{c:#?}");
    let ledger = app.ledger().expect("ledger");
    assert!(ledger.activities.values().any(|a| a.title == "Other title"));
}

#[test]
fn a_malformed_file_imports_nothing() {
    let (_dir, mut app) = open();
    let truncated = &SMALL[..SMALL.len() / 2];
    let report = import(&mut app, "bad.xml", truncated, false);
    assert!(
        report
            .refused
            .as_deref()
            .is_some_and(|r| r.contains("not well-formed")),
        "{report:#?}"
    );
    assert_empty(&app);
}

#[test]
fn organisations_named_only_by_rejected_activities_are_not_written() {
    let (_dir, mut app) = open();
    let report = import(&mut app, "small.xml", SMALL, false);
    assert_eq!((report.accepted, report.rejected), (1, 1));
    let orgs: Vec<String> = app
        .store()
        .list(RecordKind::Organisation)
        .expect("list")
        .iter()
        .map(|o| o.id().to_string())
        .collect();
    assert_eq!(orgs, vec!["org-iati-XM-DAC-701-8".to_string()]);
}

#[test]
fn real_published_files_import_with_layer_counts() {
    let Some(shared) = shared() else { return };
    let (_dir, mut app) = open();
    for name in ["dportal_58.xml", "dportal_0.xml"] {
        let path = shared.join("iati/real-data/dportal-covid-2021").join(name);
        let report = app
            .import_iati(
                "test",
                name,
                || std::fs::File::open(&path),
                ImportOptions::default(),
                &mut |_, _| {},
            )
            .expect("import");
        assert!(report.refused.is_none(), "{name}: {:?}", report.refused);
        assert!(report.layers.activities > 0);
        assert!(
            report.accepted > 0,
            "{name}: nothing accepted: {:#?}",
            &report.activities[..3.min(report.activities.len())]
        );
        assert_eq!(
            report.accepted + report.rejected + report.kept_newer,
            report.layers.activities
        );
        for a in &report.activities {
            if let Outcome::Rejected { reasons } = &a.outcome {
                assert!(!reasons.is_empty(), "a rejection always says why");
            }
        }
    }
    assert!(app.verify_audit().expect("verify").ok());
    let demo_like_checks = app.check().expect("check");
    assert!(!demo_like_checks.is_empty());
}

/// Two activities: the first names an implementer by `@ref` alone, the second by its name.
const NAMED_LATER: &str = r#"<?xml version="1.0"?>
<iati-activities version="2.03">
 <iati-activity last-updated-datetime="2024-01-01T00:00:00Z" default-currency="USD">
  <iati-identifier>XM-DAC-701-8-LATER1</iati-identifier>
  <reporting-org ref="XM-DAC-701-8" type="10"><narrative>JICA</narrative></reporting-org>
  <title><narrative>First</narrative></title>
  <participating-org ref="XI-TEST-LATER" role="4" type="21"/>
  <activity-status code="2"/>
  <activity-date type="1" iso-date="2024-01-01"/>
 </iati-activity>
 <iati-activity last-updated-datetime="2024-01-01T00:00:00Z" default-currency="USD">
  <iati-identifier>XM-DAC-701-8-LATER2</iati-identifier>
  <reporting-org ref="XM-DAC-701-8" type="10"><narrative>JICA</narrative></reporting-org>
  <title><narrative>Second</narrative></title>
  <participating-org ref="XI-TEST-LATER" role="4" type="21"><narrative>Later Named Clinic Trust</narrative></participating-org>
  <activity-status code="2"/>
  <activity-date type="1" iso-date="2024-01-01"/>
 </iati-activity>
</iati-activities>"#;

fn stored_org_name(app: &Aidtrace, raw: &str) -> String {
    let id = aidtrace_domain::RecordId::parse(raw).expect("id");
    match app.store().get(RecordKind::Organisation, &id).expect("get") {
        Some(Record::Organisation(o)) => o.name,
        other => panic!("{raw}: {other:?}"),
    }
}

#[test]
fn an_organisation_named_by_a_later_activity_is_stored_with_that_name() {
    let (_dir, mut app) = open();
    let report = import(&mut app, "later.xml", NAMED_LATER, false);
    assert_eq!(report.accepted, 2, "{report:#?}");
    assert_eq!(
        stored_org_name(&app, "org-iati-XI-TEST-LATER"),
        "Later Named Clinic Trust"
    );
    assert!(app.verify_audit().expect("verify").ok());
    let again = import(&mut app, "later.xml", NAMED_LATER, false);
    assert_nothing_changed(std::slice::from_ref(&again));
}

/// GlobalGiving's activities name it first as a bare `participating-org/@ref` and only then,
/// in `reporting-org`, as "GlobalGiving": the name, not the reference, is what readers see.
#[test]
fn a_publisher_named_after_a_bare_reference_keeps_its_name() {
    let Some(shared) = shared() else { return };
    let (_dir, mut app) = open();
    let path = shared.join("iati/real-data/dportal-covid-2021/dportal_56.xml");
    app.import_iati(
        "test",
        "dportal_56.xml",
        || std::fs::File::open(&path),
        ImportOptions::default(),
        &mut |_, _| {},
    )
    .expect("import");
    let id = aidtrace_domain::RecordId::parse("org-iati-US-EIN-300108263").expect("id");
    let Some(Record::Organisation(org)) =
        app.store().get(RecordKind::Organisation, &id).expect("get")
    else {
        panic!("GlobalGiving not imported")
    };
    assert_eq!(org.name, "GlobalGiving");
}

/// Under `--strict` a transaction the ledger refuses rejects its activity (without it, the
/// transaction alone is left out: `tests/iati_partial.rs`).
fn rejection_of(xml_value: &str) -> Vec<String> {
    let (_dir, mut app) = open();
    let xml = SMALL.replace(">108700000</value>", &format!(">{xml_value}</value>"));
    let report = import(&mut app, "value.xml", &xml, true);
    let activity = report
        .activities
        .iter()
        .find(|a| a.identifier == "XM-DAC-701-8-TEST1")
        .expect("activity");
    match &activity.outcome {
        Outcome::Rejected { reasons } => reasons.clone(),
        other => panic!("expected rejection, got {other:?}"),
    }
}

#[test]
fn a_transaction_value_beyond_the_amount_bound_rejects_its_activity_naming_the_field() {
    let reasons = rejection_of("50000000000000000000000000000");
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("money.amount") && r.contains("10^18")),
        "{reasons:?}"
    );
}

#[test]
fn a_transaction_value_with_29_decimal_places_is_refused_not_rounded() {
    let reasons = rejection_of("0.12345678901234567890123456789");
    assert!(
        reasons.iter().any(|r| r.contains("kept exactly")),
        "{reasons:?}"
    );
}
