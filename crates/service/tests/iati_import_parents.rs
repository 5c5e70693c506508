//! IATI import: parent links between activities, within a file and across the files of a run.

mod iati_import_kit;
mod kit;

use aidtrace_service::iati::ImportOptions;

use iati_import_kit::*;

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
