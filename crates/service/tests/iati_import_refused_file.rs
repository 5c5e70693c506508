//! A file refused whole (not well-formed, or `--strict` with problems) writes nothing, and its
//! report says so: no activity of it stays "accepted" (a truncated file read "2 accepted,
//! 0 rejected" beside its refusal on the import page).

mod kit;

use aidtrace_service::Aidtrace;
use aidtrace_service::iati::{FileImport, ImportOptions, Outcome};

const ONE_ACTIVITY: &str = r#" <iati-activity last-updated-datetime="2024-01-01T00:00:00Z" default-currency="JPY">
  <iati-identifier>XM-DAC-701-8-CUT1</iati-identifier>
  <reporting-org ref="XM-DAC-701-8" type="10"><narrative>JICA</narrative></reporting-org>
  <title><narrative>Medical equipment</narrative></title>
  <participating-org ref="XM-DAC-701-8" role="1" type="10"><narrative>JICA</narrative></participating-org>
  <activity-status code="2"/>
  <activity-date type="1" iso-date="2024-01-01"/>
  <recipient-country code="KZ"/>
  <sector code="12191" vocabulary="1"/>
  <transaction><transaction-type code="2"/><transaction-date iso-date="2024-02-01"/><value value-date="2024-02-01">108700000</value></transaction>
 </iati-activity>
"#;

/// A well-formed activity, then a second one cut off in the middle (as a truncated download).
fn truncated() -> String {
    let second = ONE_ACTIVITY.replace("CUT1", "CUT2");
    let cut = second.find("<sector").unwrap_or(second.len());
    format!(
        "<?xml version=\"1.0\"?>\n<iati-activities version=\"2.03\">\n{ONE_ACTIVITY}{}",
        &second[..cut]
    )
}

fn import(app: &mut Aidtrace, xml: &str, strict: bool) -> FileImport {
    app.import_iati(
        "test",
        "cut.xml",
        || Ok(xml.as_bytes()),
        ImportOptions {
            strict,
            ..ImportOptions::default()
        },
        &mut |_, _| {},
    )
    .expect("import")
}

#[test]
fn a_truncated_file_reports_no_activity_accepted_and_every_one_read_rejected_with_the_reason() {
    let (_dir, mut app) = kit::open();
    let report = import(&mut app, &truncated(), false);
    let why = report.refused.clone().expect("refused");
    assert!(why.starts_with("not well-formed XML"), "{why}");
    assert_eq!(report.accepted, 0, "{report:#?}");
    assert_eq!(report.rejected, report.activities.len(), "{report:#?}");
    assert!(!report.activities.is_empty(), "{report:#?}");
    for a in &report.activities {
        match &a.outcome {
            Outcome::Rejected { reasons } => assert!(
                reasons.iter().any(|r| r.contains("the file was refused")),
                "{reasons:?}"
            ),
            other => panic!("{}: {other:?}", a.identifier),
        }
    }
    assert_eq!(report.records_created, 0);
}

#[test]
fn a_file_refused_under_strict_reports_no_activity_accepted() {
    let (_dir, mut app) = kit::open();
    // One good activity and one without a title: strict refuses the file.
    let bad = ONE_ACTIVITY.replace("CUT1", "CUT2").replace(
        "<title><narrative>Medical equipment</narrative></title>",
        "",
    );
    let xml = format!(
        "<?xml version=\"1.0\"?>\n<iati-activities version=\"2.03\">\n{ONE_ACTIVITY}{bad}</iati-activities>"
    );
    let report = import(&mut app, &xml, true);
    assert!(report.refused.is_some(), "{report:#?}");
    assert_eq!(report.accepted, 0, "{report:#?}");
    assert_eq!(report.rejected, 2, "{report:#?}");
}
