//! Report shape and positions of the three-layer validator.

use std::io::BufReader;

use aidtrace_iati::validate::{Options, validate_reader};

fn opts() -> Options {
    Options {
        today: chrono::NaiveDate::from_ymd_opt(2021, 6, 1).expect("date"),
        ..Options::default()
    }
}

#[test]
fn json_shape_matches_the_issue() {
    let doc = r#"<iati-activities version="2.03">
<iati-activity default-currency="XXX"><iati-identifier>A-1</iati-identifier></iati-activity>
</iati-activities>"#;
    let r = validate_reader("f.xml", BufReader::new(doc.as_bytes()), &opts());
    let v = serde_json::to_value(&r).expect("json");
    assert_eq!(v["file"], "f.xml");
    let a = &v["activities"][0];
    for key in [
        "identifier",
        "line",
        "schema_valid",
        "codelists_valid",
        "rules_valid",
        "errors",
    ] {
        assert!(a.get(key).is_some(), "missing {key}");
    }
    assert_eq!(a["identifier"], "A-1");
    assert_eq!(a["line"], 2);
    assert_eq!(a["schema_valid"], false);
    assert_eq!(a["codelists_valid"], false);
    let e = &a["errors"][0];
    for key in ["layer", "rule", "severity", "message", "line", "column"] {
        assert!(e.get(key).is_some(), "missing {key}");
    }
    assert_eq!(e["layer"], "schema");
    assert!(v["summary"]["activities"] == 1);
    assert!(
        a["errors"]
            .as_array()
            .expect("array")
            .iter()
            .any(|e| e["layer"] == "codelist" && e["rule"] == "Currency")
    );
    // A codelist finding's structured code stays out of the JSON that docs/iati.md documents.
    assert!(
        a["errors"]
            .as_array()
            .expect("array")
            .iter()
            .all(|e| e.get("code").is_none())
    );
}

#[test]
fn every_schema_error_kind_is_found_by_its_code() {
    use aidtrace_iati::schema::SchemaErrorKind;
    for kind in SchemaErrorKind::ALL {
        assert_eq!(SchemaErrorKind::from_code(kind.code()), Some(kind));
    }
    assert_eq!(SchemaErrorKind::from_code("Currency"), None);
}

#[test]
fn error_lines_are_exact_beyond_65535() {
    let mut doc = String::from("<iati-activities version=\"2.03\">\n");
    for i in 0..70_000 {
        doc.push_str(&format!(
            "<iati-activity><iati-identifier>X-{i}</iati-identifier></iati-activity>\n"
        ));
    }
    doc.push_str("<iati-activity><iati-identifier>X-last</iati-identifier><reporting-org ref=\"X\" bogus=\"1\"/></iati-activity>\n</iati-activities>\n");
    let r = validate_reader("big.xml", BufReader::new(doc.as_bytes()), &opts());
    let last = r.activities.last().expect("activities");
    assert_eq!(last.line, 70_002);
    let e = last
        .errors
        .iter()
        .find(|e| e.rule == "forbidden-attribute")
        .expect("forbidden attribute reported");
    assert_eq!((e.line, e.column), (70_002, 57));
}

#[test]
fn organisation_files_are_validated() {
    let doc = r#"<iati-organisations version="2.03"><iati-organisation><organisation-identifier>XM-DAC-7</organisation-identifier></iati-organisation></iati-organisations>"#;
    let r = validate_reader("o.xml", BufReader::new(doc.as_bytes()), &opts());
    assert_eq!(r.root.as_deref(), Some("iati-organisations"));
    assert_eq!(r.activities[0].identifier, "XM-DAC-7");
    assert!(!r.activities[0].schema_valid, "reporting-org is required");
}

#[test]
fn root_content_errors_are_file_errors() {
    let doc = r#"<iati-activities generated-datetime="yesterday"></iati-activities>"#;
    let r = validate_reader("r.xml", BufReader::new(doc.as_bytes()), &opts());
    let rules: Vec<&str> = r.file_errors.iter().map(|e| e.rule.as_str()).collect();
    assert!(rules.contains(&"missing-attribute"), "{rules:?}");
    assert!(rules.contains(&"incorrect-datatype"), "{rules:?}");
    assert!(rules.contains(&"missing-required-element"), "{rules:?}");
    assert!(!r.is_clean());
}

#[test]
fn check_source_pairs_models_with_reports() {
    use aidtrace_iati::validate::check_source;
    let doc = r#"<iati-activities version="2.03">
<iati-activity><iati-identifier>A-1</iati-identifier></iati-activity>
<iati-activity default-currency="EUR"><iati-identifier>A-2</iati-identifier><transaction><transaction-type code="D"/><transaction-date iso-date="2020-01-01"/><value value-date="2020-01-01">5</value></transaction></iati-activity>
<iati-activity><iati-identifier>A-3</iati-identifier>"#;
    let mut checked = Vec::new();
    let file =
        check_source(|| Ok(doc.as_bytes()), &opts(), 2, |c, _| checked.push(c)).expect("in memory");
    assert_eq!(
        checked.len(),
        2,
        "the truncated third activity is not handed out"
    );
    let a = &checked[0];
    assert_eq!(
        a.activity.as_ref().map(|x| x.identifier.as_str()),
        Some("A-1")
    );
    assert_eq!(a.report.identifier, "A-1");
    assert_eq!(a.position, (2, 1));
    assert!(!a.report.schema_valid);
    let b = &checked[1];
    let t = &b.activity.as_ref().expect("activity").transactions[0];
    assert_eq!(t.transaction_type.as_deref(), Some("3"));
    assert!(
        b.report.errors.iter().any(|e| e.rule == "TransactionType"),
        "letter codes are not 2.03 codes"
    );
    let e = file.xml_error.expect("truncated");
    assert!(e.message.contains("truncated"), "{e}");
}

#[test]
fn an_activity_after_a_rejected_root_child_keeps_what_the_model_lacks() {
    // After `<foo/>` the root's content model is broken and later activities are not checked
    // against a type: the import must not take them for schema-valid and skip the comparison.
    use aidtrace_iati::validate::check_source;
    let activity = |id: &str, extra: &str| {
        format!(
            r#"<iati-activity><iati-identifier>{id}</iati-identifier><title><narrative>T</narrative></title>{extra}</iati-activity>"#
        )
    };
    let doc = format!(
        "<iati-activities version=\"2.03\">{}<foo/>{}{}</iati-activities>",
        activity("XM-A", ""),
        activity("XM-B", ""),
        activity(
            "XM-C",
            "<activity-website>https://example.org</activity-website>"
        )
    );
    let mut checked = Vec::new();
    check_source(|| Ok(doc.as_bytes()), &opts(), 2, |c, _| checked.push(c)).expect("in memory");
    let c = checked
        .iter()
        .filter_map(|c| c.activity.as_ref())
        .find(|a| a.identifier == "XM-C")
        .expect("XM-C read");
    let full = aidtrace_iati::model::IatiActivity::from_element(
        &aidtrace_iati::xml::parse_document(
            activity(
                "XM-C",
                "<activity-website>https://example.org</activity-website>",
            )
            .as_bytes(),
            Default::default(),
        )
        .expect("parse"),
    );
    assert!(
        !full.kept_attrs.is_empty(),
        "the model has no room for activity-website"
    );
    assert_eq!(c.kept_attrs, full.kept_attrs);
}
