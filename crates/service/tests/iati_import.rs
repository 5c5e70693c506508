//! IATI import into a real SQLite ledger, on the annotated example and real published files.

mod kit;

use std::io::Cursor;
use std::path::PathBuf;

use aidtrace_domain::RecordKind;
use aidtrace_domain::model::Record;
use aidtrace_service::Aidtrace;
use aidtrace_service::iati::{ImportOptions, Outcome};

fn shared() -> Option<PathBuf> {
    let path = std::env::var("AIDTRACE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    if path.join("iati").is_dir() {
        return Some(path);
    }
    assert!(
        std::env::var("CI").is_err(),
        "{} is missing under CI",
        path.display()
    );
    eprintln!("skipped: {} not found", path.display());
    None
}

fn open() -> (kit::Guard, Aidtrace) {
    let (dir, app) = kit::open();
    (dir, app)
}

fn import(
    app: &mut Aidtrace,
    name: &str,
    xml: &str,
    strict: bool,
) -> aidtrace_service::iati::FileImport {
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

/// Writes `contents` to `1.xml`, `2.xml`… in `dir`, in the order a run imports them.
fn numbered_files(dir: &std::path::Path, contents: &[String]) -> Vec<PathBuf> {
    contents
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let path = dir.join(format!("{}.xml", i + 1));
            std::fs::write(&path, text).expect("write");
            path
        })
        .collect()
}

/// Imports the files in one run, as `aidtrace iati import` does.
fn run(app: &mut Aidtrace, files: &[PathBuf]) -> Vec<aidtrace_service::iati::FileImport> {
    app.import_iati_files("test", files, ImportOptions::default(), &mut |_, _, _| {})
        .expect("import")
}

fn assert_nothing_changed(reports: &[aidtrace_service::iati::FileImport]) {
    for report in reports {
        assert_eq!(
            report.records_created + report.records_updated,
            0,
            "{report:#?}"
        );
    }
}

/// The ledger's activities as IATI XML.
fn export(app: &Aidtrace) -> String {
    let mut xml = Vec::new();
    app.export_iati(&[], &mut xml).expect("export");
    String::from_utf8(xml).expect("utf-8")
}

const SMALL: &str = r#"<?xml version="1.0"?>
<iati-activities version="2.03">
 <iati-activity last-updated-datetime="2024-01-01T00:00:00Z" default-currency="JPY">
  <iati-identifier>XM-DAC-701-8-TEST1</iati-identifier>
  <reporting-org ref="XM-DAC-701-8" type="10"><narrative>JICA</narrative></reporting-org>
  <title><narrative>Medical equipment</narrative></title>
  <participating-org ref="XM-DAC-701-8" role="1" type="10"><narrative>JICA</narrative></participating-org>
  <activity-status code="2"/>
  <activity-date type="1" iso-date="2024-01-01"/>
  <recipient-country code="KZ"/>
  <sector code="12191" vocabulary="1"/>
  <budget type="1" status="2"><period-start iso-date="2024-01-01"/><period-end iso-date="2024-12-31"/><value value-date="2024-01-01">1000</value></budget>
  <transaction><transaction-type code="2"/><transaction-date iso-date="2024-02-01"/><value value-date="2024-02-01">108700000</value></transaction>
  <transaction><transaction-type code="D"/><transaction-date iso-date="2024-03-01"/><value value-date="2024-03-01" currency="USD">-50</value></transaction>
 </iati-activity>
 <iati-activity>
  <iati-identifier>BROKEN-1</iati-identifier>
  <reporting-org ref="XX-1" type="10"><narrative>X</narrative></reporting-org>
  <title><narrative>Ends before it starts, and no currency anywhere</narrative></title>
  <activity-date type="1" iso-date="2024-12-01"/>
  <activity-date type="3" iso-date="2024-01-01"/>
  <transaction><transaction-type code="3"/><transaction-date iso-date="2024-02-01"/><value value-date="2024-02-01">5</value></transaction>
 </iati-activity>
</iati-activities>"#;

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

/// Nothing at all: no record of any kind, no audit entry.
fn assert_empty(app: &Aidtrace) {
    for kind in RecordKind::ALL {
        assert!(
            app.store().list(kind).expect("list").is_empty(),
            "{} written",
            kind.as_str()
        );
    }
    assert!(app.store().audit_log(None).expect("audit").is_empty());
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

/// An activity file; each activity is (identifier, title, parent's identifier).
fn family(activities: &[(&str, &str, Option<&str>)]) -> String {
    let mut xml = String::from("<iati-activities version=\"2.03\">\n");
    for (id, title, parent) in activities {
        let related = parent.map_or(String::new(), |p| {
            format!(r#"<related-activity ref="{p}" type="1"/>"#)
        });
        xml += &format!(
            r#"<iati-activity last-updated-datetime="2024-01-01T00:00:00Z" default-currency="USD">
  <iati-identifier>{id}</iati-identifier>
  <reporting-org ref="XM-DAC-701-8" type="10"><narrative>JICA</narrative></reporting-org>
  <title><narrative>{title}</narrative></title>
  {related}
</iati-activity>
"#
        );
    }
    xml + "</iati-activities>"
}

fn parent_and_title(app: &Aidtrace, identifier: &str) -> (Option<String>, String) {
    let ledger = app.ledger().expect("ledger");
    let a = ledger
        .activities
        .values()
        .find(|a| a.iati_identifier.as_deref() == Some(identifier))
        .unwrap_or_else(|| panic!("{identifier} not in the ledger"));
    (a.parent.as_ref().map(|p| p.to_string()), a.title.clone())
}

fn notes_of(report: &aidtrace_service::iati::FileImport, identifier: &str) -> Vec<String> {
    report
        .activities
        .iter()
        .filter(|a| a.identifier == identifier)
        .flat_map(|a| match &a.outcome {
            Outcome::Accepted { notes } => notes.clone(),
            other => panic!("{identifier}: {other:?}"),
        })
        .collect()
}

#[test]
fn a_parent_later_in_the_file_keeps_its_link_and_a_missing_one_is_noted() {
    let (_dir, mut app) = open();
    let xml = family(&[
        ("XM-C", "grandchild", Some("XM-B")),
        ("XM-B", "child", Some("XM-A")),
        ("XM-D", "orphan", Some("XM-NOWHERE")),
        ("XM-A", "root", None),
    ]);
    let report = import(&mut app, "family.xml", &xml, false);
    assert_eq!(report.accepted, 4, "{report:#?}");
    assert_eq!(
        parent_and_title(&app, "XM-C").0.as_deref(),
        Some("iati-XM-B")
    );
    assert_eq!(
        parent_and_title(&app, "XM-B").0.as_deref(),
        Some("iati-XM-A")
    );
    assert_eq!(parent_and_title(&app, "XM-D").0, None);
    assert!(
        notes_of(&report, "XM-D")
            .iter()
            .any(|n| n.contains("parent activity iati-XM-NOWHERE is not in the ledger")),
        "{report:#?}"
    );
    assert!(notes_of(&report, "XM-C").is_empty(), "{report:#?}");
    // The link to a parent already in the ledger holds in a later file.
    let report = import(
        &mut app,
        "later.xml",
        &family(&[("XM-E", "late child", Some("XM-A"))]),
        false,
    );
    assert_eq!(report.accepted, 1);
    assert_eq!(
        parent_and_title(&app, "XM-E").0.as_deref(),
        Some("iati-XM-A")
    );
}

#[test]
fn the_last_copy_in_a_file_wins_whether_or_not_it_waits_for_its_parent() {
    let (_dir, mut app) = open();
    // The first copy waits for its parent; the second, without one, replaces it.
    let xml = family(&[
        ("XM-X", "first", Some("XM-P")),
        ("XM-X", "second", None),
        ("XM-P", "parent", None),
    ]);
    import(&mut app, "a.xml", &xml, false);
    assert_eq!(parent_and_title(&app, "XM-X"), (None, "second".to_string()));
    // The first copy is written at once; the second waits for its parent and still wins.
    let (_dir, mut app) = open();
    let xml = family(&[
        ("XM-X", "first", None),
        ("XM-X", "second", Some("XM-P")),
        ("XM-P", "parent", None),
    ]);
    import(&mut app, "a.xml", &xml, false);
    assert_eq!(
        parent_and_title(&app, "XM-X"),
        (Some("iati-XM-P".to_string()), "second".to_string())
    );
}

#[test]
fn a_loop_of_parent_links_refuses_the_file_and_writes_nothing() {
    let (_dir, mut app) = open();
    let xml = family(&[("XM-A", "a", Some("XM-B")), ("XM-B", "b", Some("XM-A"))]);
    let err = app
        .import_iati(
            "test",
            "loop.xml",
            || Ok(xml.as_bytes()),
            ImportOptions::default(),
            &mut |_, _| {},
        )
        .expect_err("a loop");
    assert!(err.to_string().contains("loop.xml"), "{err}");
    assert!(err.to_string().contains("cycle"), "{err}");
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

#[test]
fn import_export_import_gives_the_same_ledger_and_schema_valid_xml() {
    let Some(shared) = shared() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    for name in ["dportal_58.xml", "dportal_0.xml"] {
        let path = shared.join("iati/real-data/dportal-covid-2021").join(name);
        let mut first =
            Aidtrace::open_sqlite(&dir.path().join(format!("first-{name}.db"))).expect("open");
        first
            .import_iati(
                "test",
                name,
                || std::fs::File::open(&path),
                ImportOptions::default(),
                &mut |_, _| {},
            )
            .expect("first import");
        let mut xml = Vec::new();
        let exported = first.export_iati(&[], &mut xml).expect("export");
        assert!(exported.activities > 0);
        let text = String::from_utf8(xml.clone()).expect("utf-8");
        if let Ok(dump) = std::env::var("AIDTRACE_DUMP_EXPORT") {
            std::fs::write(format!("{dump}-{name}"), &text).expect("dump");
        }
        let check = aidtrace_iati::validate::validate_reader(
            name,
            Cursor::new(text.as_bytes()),
            &Default::default(),
        );
        assert!(
            check.is_clean(),
            "{name}: the export must pass the project's validator: {:?}",
            check
                .activities
                .iter()
                .flat_map(|a| &a.errors)
                .filter(|e| e.severity == aidtrace_iati::validate::Severity::Error)
                .take(3)
                .collect::<Vec<_>>()
        );
        assert!(
            exported.excluded.len() * 20 < exported.activities,
            "{name}: at most one activity in 20 left out: {:#?}",
            exported.excluded
        );
        assert_eq!(
            check.summary.schema_valid,
            check.summary.activities,
            "{name}: exported activities must be schema-valid: {:?}",
            check
                .activities
                .iter()
                .flat_map(|a| &a.errors)
                .filter(|e| matches!(e.layer, aidtrace_iati::validate::Layer::Schema))
                .take(3)
                .collect::<Vec<_>>()
        );
        let mut second =
            Aidtrace::open_sqlite(&dir.path().join(format!("second-{name}.db"))).expect("open");
        second
            .import_iati(
                "test",
                name,
                || Ok(xml.as_slice()),
                ImportOptions::default(),
                &mut |_, _| {},
            )
            .expect("second import");
        let (mut a, b) = (
            first.ledger().expect("ledger"),
            second.ledger().expect("ledger"),
        );
        // What the export left out, with its reasons, is not expected back; nor the list of
        // elements the first import left out (the second file never had them).
        let excluded: Vec<_> = exported
            .excluded
            .iter()
            .map(|x| x.activity.clone())
            .collect();
        // Activities and flows are persistent maps (shared between snapshots): rebuilt, not
        // edited in place.
        a.activities = a
            .activities
            .into_iter()
            .filter(|(id, _)| !excluded.contains(id))
            .map(|(id, mut activity)| {
                activity.left_out.clear();
                (id, activity)
            })
            .collect();
        a.flows = a
            .flows
            .into_iter()
            .filter(|(_, f)| !excluded.contains(&f.activity))
            .collect();
        a.budgets.retain(|_, f| !excluded.contains(&f.activity));
        // Organisations only the left-out activities name are not expected back either.
        let named: std::collections::HashSet<_> = a
            .activities
            .values()
            .flat_map(|x| {
                x.participants
                    .iter()
                    .map(|p| p.org.clone())
                    .chain(x.reporting_org.clone())
            })
            .chain(
                a.flows
                    .values()
                    .flat_map(|f| f.provider.iter().chain(&f.receiver).cloned()),
            )
            .chain(
                a.budgets
                    .values()
                    .flat_map(|f| f.provider.iter().chain(&f.receiver).cloned()),
            )
            .collect();
        a.organisations.retain(|id, _| named.contains(id));
        same(
            name,
            "activities",
            &plain(&a.activities),
            &plain(&b.activities),
        );
        same(name, "flows", &plain(&a.flows), &plain(&b.flows));
        same(name, "budgets", &a.budgets, &b.budgets);
        same(name, "organisations", &a.organisations, &b.organisations);
    }
}

/// A persistent record map as a plain one, to compare.
fn plain<T: Clone>(
    m: &aidtrace_domain::ledger::Map<T>,
) -> std::collections::BTreeMap<aidtrace_domain::RecordId, T> {
    m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// Compares two record maps and names the first record that differs, instead of printing both.
fn same<T: PartialEq + std::fmt::Debug>(
    file: &str,
    what: &str,
    a: &std::collections::BTreeMap<aidtrace_domain::RecordId, T>,
    b: &std::collections::BTreeMap<aidtrace_domain::RecordId, T>,
) {
    let keys_a: Vec<_> = a.keys().collect();
    let keys_b: Vec<_> = b.keys().collect();
    assert_eq!(
        keys_a.len(),
        keys_b.len(),
        "{file}: {what}: {} before, {} after the round trip",
        keys_a.len(),
        keys_b.len()
    );
    for (id, before) in a {
        let after = b.get(id);
        assert_eq!(
            Some(before),
            after,
            "{file}: {what} {id} differs after the round trip"
        );
    }
}

/// The demo with a start date on every activity: its activities record none, and IATI requires
/// one, so the export would leave them out (these tests are about what travels with them).
fn dated_demo(app: &mut Aidtrace) {
    use aidtrace_domain::model::Record;
    app.load_demo("test").expect("demo");
    let dated: Vec<Record> = app
        .ledger()
        .expect("ledger")
        .activities
        .values()
        .filter(|a| a.start_date.is_none())
        .map(|a| {
            let mut a = a.clone();
            a.start_date = chrono::NaiveDate::from_ymd_opt(2023, 4, 1);
            Record::Activity(a)
        })
        .collect();
    app.put("test", dated).expect("dated");
}

#[test]
fn equipment_lines_and_provenance_travel_in_the_aidtrace_namespace() {
    let (_dir, mut demo) = open();
    dated_demo(&mut demo);
    let before = demo.ledger().expect("ledger");
    assert!(!before.equipment_lines.is_empty());
    let text = export(&demo);
    assert!(text.contains("aidtrace:record"), "payload written");
    let check = aidtrace_iati::validate::validate_reader(
        "demo.xml",
        Cursor::new(text.as_bytes()),
        &Default::default(),
    );
    // The demo's activities miss dates IATI requires (the export says so); what matters here
    // is that the payload itself never upsets the schema (any element of another namespace).
    let payload_errors: Vec<_> = check
        .activities
        .iter()
        .flat_map(|a| &a.errors)
        .filter(|e| e.message.contains("aidtrace:"))
        .collect();
    assert!(payload_errors.is_empty(), "{payload_errors:?}");

    let (_dir2, mut other) = open();
    let report = import(&mut other, "demo.xml", &text, false);
    assert!(report.refused.is_none(), "{report:#?}");
    let after = other.ledger().expect("ledger");
    for (id, line) in &before.equipment_lines {
        let got = after
            .equipment_lines
            .get(id)
            .unwrap_or_else(|| panic!("equipment line {id} did not travel: {report:#?}"));
        assert_eq!(got.description, line.description);
        assert_eq!(got.quantity, line.quantity);
        assert_eq!(got.unit_cost, line.unit_cost);
        assert_eq!(got.category, line.category);
        assert_eq!(got.sources, line.sources, "{id}: provenance kept");
        // The receiving ledger has no facilities yet: the link is dropped with a note.
        if line.facility.is_some() {
            assert!(got.facility.is_none());
        }
        let parent = &after.activities[&got.activity];
        assert_eq!(
            parent.iati_identifier.as_deref(),
            Some(
                before.activities[&line.activity]
                    .iati_identifier
                    .clone()
                    .unwrap_or_else(|| format!("aidtrace-{}", line.activity))
                    .as_str()
            )
        );
    }
    assert!(report.activities.iter().any(|a| match &a.outcome {
        Outcome::Accepted { notes } => notes.iter().any(|n| n.contains("facility")),
        _ => false,
    }));
    // Every source a line or activity cited came along with its title.
    for a in before.activities.values() {
        for c in &a.sources {
            assert_eq!(
                after.sources[&c.source].title,
                before.sources[&c.source].title
            );
        }
    }
    assert!(other.verify_audit().expect("verify").ok());
}

#[test]
fn a_second_export_updates_the_receiving_ledger_and_keeps_what_it_recorded() {
    use aidtrace_domain::model::Record;
    let (_dir, mut a) = open();
    dated_demo(&mut a);
    let (_dir2, mut b) = open();
    let first = import(&mut b, "from-a.xml", &export(&a), false);
    assert!(first.accepted > 0, "{first:#?}");
    let ledger_a = a.ledger().expect("ledger");
    let (line_id, line) = ledger_a
        .equipment_lines
        .iter()
        .find(|(_, l)| l.facility.is_some())
        .expect("a demo line with a facility");
    // B records where the line's equipment went, with its own copy of the facility.
    let mut facility = ledger_a.facilities[line.facility.as_ref().expect("facility")].clone();
    facility.operator = None;
    let mut in_b = b.ledger().expect("ledger").equipment_lines[line_id].clone();
    in_b.facility = Some(facility.id.clone());
    b.put(
        "test",
        vec![
            Record::Facility(facility.clone()),
            Record::EquipmentLine(in_b),
        ],
    )
    .expect("B records the facility");

    // A corrects the line and exports again under the same name: B takes the change.
    let mut changed = line.clone();
    changed.description = format!("{} (corrected)", line.description);
    a.put("test", vec![Record::EquipmentLine(changed)])
        .expect("edit in A");
    let second = import(&mut b, "from-a.xml", &export(&a), false);
    assert_eq!(second.kept_newer, 0, "{second:#?}");
    assert!(second.duplicates_across_files.is_empty(), "{second:#?}");
    let got = &b.ledger().expect("ledger").equipment_lines[line_id];
    assert!(got.description.ends_with("(corrected)"), "{got:?}");
    assert_eq!(
        got.facility.as_ref(),
        Some(&facility.id),
        "B's own facility link stays"
    );

    // Importing the same file again changes nothing.
    let third = import(&mut b, "from-a.xml", &export(&a), false);
    assert_nothing_changed(&[third]);
}

#[test]
fn a_carried_line_whose_id_belongs_to_another_activity_here_is_kept_out() {
    let (_dir, mut a) = open();
    dated_demo(&mut a);
    // B already has the demo: every carried line id exists here under the demo's activity.
    let (_dir2, mut b) = open();
    b.load_demo("test").expect("demo");
    let before = b.ledger().expect("ledger").equipment_lines;
    let report = import(&mut b, "from-a.xml", &export(&a), false);
    assert!(
        report.activities.iter().any(|a| match &a.outcome {
            Outcome::Accepted { notes } => notes
                .iter()
                .any(|n| n.contains("kept out") && n.contains("equipment line")),
            _ => false,
        }),
        "{report:#?}"
    );
    assert_eq!(
        b.ledger().expect("ledger").equipment_lines,
        before,
        "local lines untouched"
    );
}

#[test]
fn files_import_one_after_the_other_and_a_missing_one_stops_the_run() {
    let (dir, mut app) = open();
    let a = dir.path().join("a.xml");
    let b = dir.path().join("b.xml");
    std::fs::write(&a, SMALL).expect("write");
    std::fs::write(
        &b,
        SMALL.replace("XM-DAC-701-8-TEST1", "XM-DAC-701-8-TEST2"),
    )
    .expect("write");
    let missing = dir.path().join("missing.xml");
    let mut seen = Vec::new();
    let reports = app
        .import_iati_files(
            "test",
            &[a.clone(), b.clone()],
            ImportOptions::default(),
            &mut |file, _, activities| seen.push((file, activities)),
        )
        .expect("import");
    assert_eq!(reports.len(), 2);
    assert_eq!((reports[0].accepted, reports[1].accepted), (1, 1));
    assert!(seen.contains(&(1, 2)), "progress names the file: {seen:?}");
    let err = app
        .import_iati_files(
            "test",
            &[missing.clone(), a],
            ImportOptions::default(),
            &mut |_, _, _| {},
        )
        .expect_err("missing file");
    assert!(err.to_string().contains("missing.xml"), "{err}");
    assert!(err.is_bad_input());
}

#[test]
fn a_parent_in_a_later_file_of_the_same_run_is_linked_and_a_rerun_changes_nothing() {
    let (dir, mut app) = open();
    let files = numbered_files(
        dir.path(),
        &[
            family(&[
                ("XM-KID", "child", Some("XM-MUM")),
                ("XM-LOST", "orphan", Some("XM-NOWHERE")),
            ]),
            family(&[("XM-MUM", "parent", None)]),
        ],
    );
    let reports = run(&mut app, &files);
    assert_eq!(
        parent_and_title(&app, "XM-KID").0.as_deref(),
        Some("iati-XM-MUM")
    );
    assert_eq!(parent_and_title(&app, "XM-LOST").0, None);
    let kid = notes_of(&reports[0], "XM-KID");
    assert!(
        kid.iter().any(|n| n.contains("linked at the end"))
            && !kid.iter().any(|n| n.contains("kept out")),
        "{kid:?}"
    );
    assert!(
        notes_of(&reports[0], "XM-LOST")
            .iter()
            .any(|n| n.contains("iati-XM-NOWHERE is not in the ledger"))
    );
    let again = run(&mut app, &files);
    assert_nothing_changed(&again);
}

/// One activity with `transactions` disbursements of 10 USD each.
fn with_transactions(identifier: &str, updated: &str, transactions: usize) -> String {
    let mut xml = format!(
        r#"<iati-activity last-updated-datetime="{updated}" default-currency="USD">
  <iati-identifier>{identifier}</iati-identifier>
  <reporting-org ref="XM-DAC-701-8" type="10"><narrative>JICA</narrative></reporting-org>
  <title><narrative>Copy with {transactions}</narrative></title>
"#
    );
    for _ in 0..transactions {
        xml += r#"  <transaction><transaction-type code="3"/><transaction-date iso-date="2024-02-01"/><value value-date="2024-02-01">10</value></transaction>
"#;
    }
    xml + "</iati-activity>\n"
}

/// One activity the ledger rejects as a whole (it ends before it starts), with one transaction.
fn rejected_on_its_own(identifier: &str, updated: &str) -> String {
    with_transactions(identifier, updated, 1).replace(
        "</title>\n",
        "</title>\n  <activity-date type=\"1\" iso-date=\"2024-12-01\"/><activity-date type=\"3\" iso-date=\"2024-01-01\"/>\n",
    )
}

fn activities(body: &[String]) -> String {
    format!(
        "<iati-activities version=\"2.03\">\n{}</iati-activities>",
        body.concat()
    )
}

#[test]
fn only_the_last_copy_in_a_file_is_written_and_a_rerun_changes_nothing() {
    let (_dir, mut app) = open();
    let when = "2024-01-01T00:00:00Z";
    let xml = activities(&[
        with_transactions("XM-TWICE", when, 3),
        with_transactions("XM-TWICE", when, 1),
    ]);
    let report = import(&mut app, "twice.xml", &xml, false);
    assert_eq!(report.duplicates_in_file, vec!["XM-TWICE".to_string()]);
    let ledger = app.ledger().expect("ledger");
    assert_eq!(
        ledger.flows.len(),
        1,
        "the first copy's flows are not written"
    );
    assert_eq!(parent_and_title(&app, "XM-TWICE").1, "Copy with 1");
    assert!(
        notes_of(&report, "XM-TWICE")
            .iter()
            .any(|n| n.contains("not written: a later copy")),
        "{report:#?}"
    );
    let again = import(&mut app, "twice.xml", &xml, false);
    assert_nothing_changed(&[again]);
    // When the last copy is rejected, the accepted earlier one stands.
    let (_dir, mut app) = open();
    let rejected = rejected_on_its_own("XM-TWICE", when);
    let xml = activities(&[with_transactions("XM-TWICE", when, 2), rejected]);
    let report = import(&mut app, "twice.xml", &xml, false);
    assert_eq!((report.accepted, report.rejected), (1, 1), "{report:#?}");
    assert_eq!(app.ledger().expect("ledger").flows.len(), 2);
}

#[test]
fn when_the_last_copy_fails_the_latest_accepted_earlier_copy_is_read_again_and_written() {
    let when = "2024-01-01T00:00:00Z";
    let rejected = rejected_on_its_own("XM-THRICE", when);
    // On one line, as minified files are: copies are found again by line and column.
    let xml = activities(&[
        with_transactions("XM-THRICE", when, 2),
        with_transactions("XM-THRICE", when, 3),
        rejected,
    ])
    .replace('\n', " ");
    let (_dir, mut app) = open();
    let report = import(&mut app, "thrice.xml", &xml, false);
    assert_eq!((report.accepted, report.rejected), (2, 1), "{report:#?}");
    assert_eq!(parent_and_title(&app, "XM-THRICE").1, "Copy with 3");
    assert_eq!(app.ledger().expect("ledger").flows.len(), 3);
    let notes: Vec<&Vec<String>> = report
        .activities
        .iter()
        .filter_map(|a| match &a.outcome {
            Outcome::Accepted { notes } => Some(notes),
            _ => None,
        })
        .collect();
    assert!(
        notes[0]
            .iter()
            .any(|n| n.contains("not written: a later copy")),
        "{notes:?}"
    );
    assert!(
        notes[1].is_empty(),
        "the copy written has no such note: {notes:?}"
    );
    assert_nothing_changed(&[import(&mut app, "thrice.xml", &xml, false)]);
    // The ledger holds a newer version than the last copy: an earlier copy newer still wins.
    let (_dir, mut app) = open();
    let stored = activities(&[with_transactions("XM-THRICE", "2024-06-01T00:00:00Z", 4)]);
    import(&mut app, "stored.xml", &stored, false);
    let xml = activities(&[
        with_transactions("XM-THRICE", "2024-09-01T00:00:00Z", 5),
        with_transactions("XM-THRICE", "2024-03-01T00:00:00Z", 6),
    ]);
    let report = import(&mut app, "stored.xml", &xml, false);
    assert_eq!(report.kept_newer, 1, "{report:#?}");
    assert_eq!(parent_and_title(&app, "XM-THRICE").1, "Copy with 5");
}

#[test]
fn a_parent_the_identifier_scan_cannot_see_is_still_linked() {
    // The comment inside the parent's identifier hides it from the byte scan, so its child does
    // not wait for it; the link is made when the run ends.
    let xml = family(&[
        ("XM-CHILD", "Child", Some("XM-HIDDEN")),
        ("XM-HIDDEN", "Parent", None),
    ])
    .replace(
        "<iati-identifier>XM-HIDDEN</iati-identifier>",
        "<iati-identifier>XM-HIDDEN<!-- no scan --></iati-identifier>",
    );
    assert!(xml.contains("<!-- no scan -->"), "{xml}");
    let (_dir, mut app) = open();
    let report = import(&mut app, "hidden.xml", &xml, false);
    assert_eq!(report.accepted, 2, "{report:#?}");
    assert_eq!(
        parent_and_title(&app, "XM-CHILD").0.as_deref(),
        Some("iati-XM-HIDDEN")
    );
    assert_nothing_changed(&[import(&mut app, "hidden.xml", &xml, false)]);
}

#[test]
fn a_copy_the_scan_did_not_count_still_replaces_an_earlier_one() {
    // The scan counts two copies (the third hides its identifier in CDATA): the second, counted
    // last, is rejected, so the first is due to be read again, but the third replaces both.
    let when = "2024-01-01T00:00:00Z";
    let rejected = rejected_on_its_own("XM-CD", when);
    let hidden = with_transactions("XM-CD", when, 3).replace(
        "<iati-identifier>XM-CD</iati-identifier>",
        "<iati-identifier><![CDATA[XM-CD]]></iati-identifier>",
    );
    let xml = activities(&[with_transactions("XM-CD", when, 2), rejected, hidden]);
    assert!(xml.contains("CDATA"), "{xml}");
    let (_dir, mut app) = open();
    let report = import(&mut app, "cdata.xml", &xml, false);
    assert_eq!((report.accepted, report.rejected), (2, 1), "{report:#?}");
    assert_eq!(parent_and_title(&app, "XM-CD").1, "Copy with 3");
    assert_eq!(app.ledger().expect("ledger").flows.len(), 3);
    let Outcome::Accepted { notes } = &report.activities[0].outcome else {
        panic!("{report:#?}");
    };
    assert!(
        notes
            .iter()
            .any(|n| n.contains("not written: a later copy")),
        "{notes:?}"
    );
    assert_nothing_changed(&[import(&mut app, "cdata.xml", &xml, false)]);
}

#[test]
fn a_copy_that_changed_before_it_could_be_read_again_is_noted_not_written() {
    let when = "2024-01-01T00:00:00Z";
    let rejected = rejected_on_its_own("XM-TWICE", when);
    let first = activities(&[with_transactions("XM-TWICE", when, 2), rejected.clone()]);
    // Same length and positions, another identifier: what a file rewritten mid-import gives.
    let changed = first.replacen("XM-TWICE", "XM-OTHER", 1);
    let opened = std::sync::atomic::AtomicUsize::new(0);
    let (_dir, mut app) = open();
    let report = app
        .import_iati(
            "test",
            "changing.xml",
            || {
                // The scan and the read come first; the third opening is the second read.
                let n = opened.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Ok(if n < 2 {
                    first.as_bytes()
                } else {
                    changed.as_bytes()
                })
            },
            ImportOptions::default(),
            &mut |_, _| {},
        )
        .expect("import");
    assert_eq!(
        opened.load(std::sync::atomic::Ordering::SeqCst),
        3,
        "the file is opened for the scan, the read and once again"
    );
    let Outcome::Accepted { notes } = &report.activities[0].outcome else {
        panic!("{report:#?}");
    };
    assert!(
        notes.iter().any(|n| n.contains("the file changed")),
        "{report:#?}"
    );
    assert!(app.ledger().expect("ledger").activities.is_empty());
}

#[test]
fn a_later_file_that_drops_a_parent_link_wins_over_linking_it_at_the_end() {
    let (dir, mut app) = open();
    let files = numbered_files(
        dir.path(),
        &[
            family(&[("XM-KID", "january", Some("XM-MUM"))]),
            family(&[("XM-KID", "june", None)]).replace("2024-01-01T", "2024-06-01T"),
            family(&[("XM-MUM", "parent", None)]),
        ],
    );
    run(&mut app, &files);
    assert_eq!(parent_and_title(&app, "XM-KID"), (None, "june".to_string()));
    let again = run(&mut app, &files);
    assert_nothing_changed(&again);
}

#[test]
fn a_refused_file_in_between_does_not_cancel_a_later_parent_link() {
    let (dir, mut app) = open();
    let kid_again = family(&[("XM-KID", "unfinished", None)]);
    let files = numbered_files(
        dir.path(),
        &[
            family(&[("XM-KID", "child", Some("XM-MUM"))]),
            kid_again[..kid_again.len() - 10].to_string(),
            family(&[("XM-MUM", "parent", None)]),
        ],
    );
    let reports = run(&mut app, &files);
    assert!(reports[1].refused.is_some(), "{:#?}", reports[1]);
    assert_eq!(
        parent_and_title(&app, "XM-KID"),
        (Some("iati-XM-MUM".to_string()), "child".to_string())
    );
}

/// The 2.03 schema requires `type` on reporting-org; an organisation without a closer code (and
/// the ledger's own stand-in reporter) is exported as 90 "Other" instead of without one.
#[test]
fn every_exported_reporting_org_has_a_type() {
    let (_dir, mut app) = open();
    app.load_demo("seed").expect("demo");
    let xml = export(&app);
    let report = aidtrace_iati::validate::validate_reader(
        "demo.xml",
        Cursor::new(xml.as_bytes()),
        &aidtrace_iati::validate::Options::default(),
    );
    let missing: Vec<_> = report
        .activities
        .iter()
        .flat_map(|a| &a.errors)
        .filter(|e| e.message.contains("'type' is required"))
        .collect();
    assert!(missing.is_empty(), "{missing:#?}");
    assert!(xml.contains("<reporting-org"), "{xml}");
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
