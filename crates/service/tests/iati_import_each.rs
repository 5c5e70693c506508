//! `import_iati_files_each`, the import the web upload uses: the same run as
//! `aidtrace iati import` (read ahead on all cores, one transaction per file, parents linked
//! across files), but a file the service refuses is that file's error and the next goes in.

mod kit;

use std::path::{Path, PathBuf};

use aidtrace_domain::{RecordId, RecordKind};
use aidtrace_service::Aidtrace;
use aidtrace_service::iati::{FileImport, ImportOptions};

fn open() -> (kit::Guard, Aidtrace) {
    let (dir, app) = kit::open();
    (dir, app)
}

/// An activity file, last updated at `updated`; each activity is (identifier, parent's
/// identifier).
fn family(updated: &str, activities: &[(&str, Option<&str>)]) -> String {
    let mut xml = String::from("<iati-activities version=\"2.03\">\n");
    for (id, parent) in activities {
        let related = parent.map_or(String::new(), |p| {
            format!(r#"<related-activity ref="{p}" type="1"/>"#)
        });
        xml += &format!(
            r#"<iati-activity last-updated-datetime="{updated}" default-currency="USD">
  <iati-identifier>{id}</iati-identifier>
  <reporting-org ref="XM-DAC-701-8" type="10"><narrative>JICA</narrative></reporting-org>
  <title><narrative>Activity {id}</narrative></title>
  {related}
</iati-activity>
"#
        );
    }
    xml + "</iati-activities>"
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

fn each(app: &mut Aidtrace, files: &[PathBuf]) -> Vec<Result<FileImport, String>> {
    app.import_iati_files_each("test", files, ImportOptions::default(), &mut |_, _, _| {})
        .expect("the run")
        .into_iter()
        .map(|r| r.map_err(|e| e.to_string()))
        .collect()
}

fn exists(app: &Aidtrace, identifier: &str) -> bool {
    let id = RecordId::parse(&format!("iati-{identifier}")).expect("id");
    app.store()
        .get(RecordKind::Activity, &id)
        .expect("read")
        .is_some()
}

/// A file whose first activity makes a loop with the ledger's parent links, followed by a
/// thousand more: refused mid-way while the reader is still on it.
fn refused_mid_way(dir: &Path) -> PathBuf {
    let mut activities = vec![("XM-A", Some("XM-B"))];
    let fillers: Vec<String> = (0..1000).map(|i| format!("XM-FILL-{i}")).collect();
    activities.extend(fillers.iter().map(|f| (f.as_str(), None)));
    write(
        dir,
        "loop.xml",
        &family("2025-01-01T00:00:00Z", &activities),
    )
}

#[test]
fn a_file_refused_mid_way_is_its_own_error_and_the_next_file_goes_in() {
    let (dir, mut app) = open();
    let first = write(
        dir.path(),
        "first.xml",
        &family(
            "2024-01-01T00:00:00Z",
            &[("XM-A", None), ("XM-B", Some("XM-A"))],
        ),
    );
    assert!(each(&mut app, &[first])[0].is_ok());
    let files = [
        refused_mid_way(dir.path()),
        write(
            dir.path(),
            "next.xml",
            &family("2024-01-01T00:00:00Z", &[("XM-NEXT", None)]),
        ),
    ];
    let results = each(&mut app, &files);
    assert_eq!(results.len(), 2);
    let refusal = results[0].as_ref().expect_err("the loop");
    assert!(
        refusal.contains("loop.xml") && refusal.contains("cycle"),
        "{refusal}"
    );
    assert!(!exists(&app, "XM-FILL-999"), "nothing of the refused file");
    let next = results[1].as_ref().expect("the next file");
    assert_eq!(next.accepted, 1);
    assert!(exists(&app, "XM-NEXT"));
}

#[test]
fn a_missing_file_is_its_own_error_and_the_next_file_goes_in() {
    let (dir, mut app) = open();
    let files = [
        dir.path().join("missing.xml"),
        write(
            dir.path(),
            "here.xml",
            &family("2024-01-01T00:00:00Z", &[("XM-HERE", None)]),
        ),
    ];
    let results = each(&mut app, &files);
    assert!(
        results[0]
            .as_ref()
            .is_err_and(|e| e.contains("missing.xml")),
        "{:?}",
        results[0]
    );
    assert!(results[1].is_ok());
    assert!(exists(&app, "XM-HERE"));
}

#[test]
fn a_parent_in_a_later_file_of_the_upload_is_linked() {
    let (dir, mut app) = open();
    let files = [
        write(
            dir.path(),
            "1.xml",
            &family("2024-01-01T00:00:00Z", &[("XM-KID", Some("XM-MUM"))]),
        ),
        write(
            dir.path(),
            "2.xml",
            &family("2024-01-01T00:00:00Z", &[("XM-MUM", None)]),
        ),
    ];
    let results = each(&mut app, &files);
    let kid = RecordId::parse("iati-XM-KID").expect("id");
    let Some(aidtrace_domain::Record::Activity(kid)) =
        app.store().get(RecordKind::Activity, &kid).expect("read")
    else {
        panic!("the child is written: {results:?}");
    };
    assert_eq!(
        kid.parent.map(|p| p.to_string()).as_deref(),
        Some("iati-XM-MUM")
    );
    let again = each(&mut app, &files);
    for report in again {
        let report = report.expect("re-import");
        assert_eq!(report.records_created + report.records_updated, 0);
    }
}
