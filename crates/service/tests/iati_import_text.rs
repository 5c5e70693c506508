//! IATI import of texts the ledger refuses: the activity that carries one is rejected on its
//! own, the rest of the file (and the run) goes in. A real d-portal page names an organisation
//! with `&#x96;` (a C1 control character) in its name; that used to stop the whole import.

use aidtrace_service::Aidtrace;
use aidtrace_service::iati::{ImportOptions, Outcome};

fn activity(id: &str, org_ref: &str, org_name: &str) -> String {
    format!(
        r#"<iati-activity last-updated-datetime="2024-01-01T00:00:00Z" default-currency="USD">
  <iati-identifier>{id}</iati-identifier>
  <reporting-org ref="XM-DAC-701-8" type="10"><narrative>JICA</narrative></reporting-org>
  <title><narrative>Title {id}</narrative></title>
  <participating-org ref="{org_ref}" role="4" type="22"><narrative>{org_name}</narrative></participating-org>
 </iati-activity>
"#
    )
}

fn import(app: &mut Aidtrace, xml: &str) -> aidtrace_service::iati::FileImport {
    app.import_iati(
        "test",
        "control.xml",
        || Ok(xml.as_bytes()),
        ImportOptions::default(),
        &mut |_, _| {},
    )
    .expect("an organisation name the ledger refuses must not stop the import")
}

#[test]
fn an_organisation_name_with_a_control_character_rejects_only_its_activity() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = Aidtrace::open_sqlite(&dir.path().join("a.db")).expect("open");
    let xml = format!(
        "<iati-activities version=\"2.03\">\n{}{}{}</iati-activities>",
        activity("XM-T-1", "XM-ORG-BAD", "Bad \u{2013}&#x96; name"),
        activity("XM-T-2", "XM-ORG-GOOD", "Good name"),
        // The same organisation named again with a clean name: the refused first mention
        // must not be the name this accepted activity writes.
        activity("XM-T-3", "XM-ORG-BAD", "Clean name"),
    );
    let report = import(&mut app, &xml);
    assert_eq!(report.accepted, 2, "{report:#?}");
    assert_eq!(report.rejected, 1, "{report:#?}");
    let rejected = report
        .activities
        .iter()
        .find(|a| a.identifier == "XM-T-1")
        .expect("XM-T-1");
    match &rejected.outcome {
        Outcome::Rejected { reasons } => assert!(
            reasons
                .iter()
                .any(|r| r.contains("organisation") && r.contains("U+0096")),
            "{reasons:?}"
        ),
        other => panic!("expected a rejection, got {other:?}"),
    }
    let ledger = app.ledger().expect("ledger");
    assert_eq!(ledger.activities.len(), 2);
    let names: Vec<&str> = ledger
        .organisations
        .values()
        .map(|o| o.name.as_str())
        .collect();
    assert!(names.contains(&"Clean name"), "{names:?}");
    assert!(!names.iter().any(|n| n.contains('\u{96}')), "{names:?}");
    assert!(app.verify_audit().expect("verify").ok());
}
