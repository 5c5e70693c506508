//! IATI import: runs of several files and several copies of one activity (which copy is written,
//! what a rerun changes).

mod iati_import_kit;
mod kit;

use aidtrace_service::iati::{ImportOptions, Outcome};

use iati_import_kit::*;

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
