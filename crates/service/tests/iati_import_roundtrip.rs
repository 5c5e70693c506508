//! IATI import of aidtrace's own export: import → export → import gives the same ledger, and
//! equipment lines and provenance travel in the aidtrace namespace.

mod iati_import_kit;
mod kit;

use std::io::Cursor;

use aidtrace_service::Aidtrace;
use aidtrace_service::iati::{ImportOptions, Outcome};

use iati_import_kit::*;

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
