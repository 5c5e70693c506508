//! Shared setup of the IATI import tests (`iati_import*.rs`): opening a store, importing a file or
//! a run of files, exporting, the small annotated example and builders of activity families.
//! Apart so that each test file holds one concern; not every file uses every helper.
#![allow(dead_code)]

use std::path::PathBuf;

use aidtrace_domain::RecordKind;
use aidtrace_service::Aidtrace;
use aidtrace_service::iati::{ImportOptions, Outcome};

use crate::kit;

pub fn shared() -> Option<PathBuf> {
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

pub fn open() -> (kit::Guard, Aidtrace) {
    let (dir, app) = kit::open();
    (dir, app)
}

pub fn import(
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
pub fn numbered_files(dir: &std::path::Path, contents: &[String]) -> Vec<PathBuf> {
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
pub fn run(app: &mut Aidtrace, files: &[PathBuf]) -> Vec<aidtrace_service::iati::FileImport> {
    app.import_iati_files("test", files, ImportOptions::default(), &mut |_, _, _| {})
        .expect("import")
}

pub fn assert_nothing_changed(reports: &[aidtrace_service::iati::FileImport]) {
    for report in reports {
        assert_eq!(
            report.records_created + report.records_updated,
            0,
            "{report:#?}"
        );
    }
}

/// The ledger's activities as IATI XML.
pub fn export(app: &Aidtrace) -> String {
    let mut xml = Vec::new();
    app.export_iati(&[], &mut xml).expect("export");
    String::from_utf8(xml).expect("utf-8")
}

pub const SMALL: &str = r#"<?xml version="1.0"?>
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

/// Nothing at all: no record of any kind, no audit entry.
pub fn assert_empty(app: &Aidtrace) {
    for kind in RecordKind::ALL {
        assert!(
            app.store().list(kind).expect("list").is_empty(),
            "{} written",
            kind.as_str()
        );
    }
    assert!(app.store().audit_log(None).expect("audit").is_empty());
}

/// An activity file; each activity is (identifier, title, parent's identifier).
pub fn family(activities: &[(&str, &str, Option<&str>)]) -> String {
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

pub fn parent_and_title(app: &Aidtrace, identifier: &str) -> (Option<String>, String) {
    let ledger = app.ledger().expect("ledger");
    let a = ledger
        .activities
        .values()
        .find(|a| a.iati_identifier.as_deref() == Some(identifier))
        .unwrap_or_else(|| panic!("{identifier} not in the ledger"));
    (a.parent.as_ref().map(|p| p.to_string()), a.title.clone())
}

pub fn notes_of(report: &aidtrace_service::iati::FileImport, identifier: &str) -> Vec<String> {
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

/// One activity with `transactions` disbursements of 10 USD each.
pub fn with_transactions(identifier: &str, updated: &str, transactions: usize) -> String {
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
pub fn rejected_on_its_own(identifier: &str, updated: &str) -> String {
    with_transactions(identifier, updated, 1).replace(
        "</title>\n",
        "</title>\n  <activity-date type=\"1\" iso-date=\"2024-12-01\"/><activity-date type=\"3\" iso-date=\"2024-01-01\"/>\n",
    )
}

pub fn activities(body: &[String]) -> String {
    format!(
        "<iati-activities version=\"2.03\">\n{}</iati-activities>",
        body.concat()
    )
}
