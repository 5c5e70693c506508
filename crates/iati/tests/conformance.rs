//! The IATI-Schemas 2.03 test suite: every case must behave as its folder says.

mod common;

#[test]
fn schema_test_suite_686_of_686() {
    let Some(shared) = common::shared() else {
        return;
    };
    let report =
        aidtrace_iati::conformance::run(&shared.join("iati/schema-tests")).expect("run suite");
    let failures: Vec<String> = report
        .cases
        .iter()
        .filter(|c| !c.ok)
        .map(|c| {
            format!(
                "{} ({:?} {:?}): {:?} {:?}",
                c.path, c.expected, c.expected_kind, c.errors, c.xml_error
            )
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(report.total, 686);
    assert_eq!(report.passed, 686);
}

#[test]
fn a_broken_case_is_detected() {
    // Guard against a vacuous suite: a should-pass file with an extra forbidden attribute fails.
    let xml = r#"<iati-activities version="2.03" bogus="1"><iati-activity/></iati-activities>"#;
    let doc = aidtrace_iati::xml::parse_document(xml.as_bytes(), Default::default()).expect("xml");
    let errs = aidtrace_iati::schema::validate_document(aidtrace_iati::schema::activities(), &doc);
    let kinds: Vec<_> = errs.iter().map(|e| e.kind.code()).collect();
    assert!(kinds.contains(&"forbidden-attribute"), "{errs:?}");
    assert!(kinds.contains(&"missing-required-element"), "{errs:?}");
}
