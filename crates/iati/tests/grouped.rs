//! Grouped validation reports: repeated findings of one activity become one entry with a
//! count and the first lines; the grouped reports agree with the ungrouped ones; files are
//! handed out (and JSON written) one by one, in order, while later files are still unread.

mod common;

use std::io::BufReader;
use std::path::PathBuf;

use aidtrace_iati::grouped::{
    self, ActivityGroups, FIRST_LINES, FileEvent, GroupedReport, IssueGrouper, JsonReports,
    MAX_GROUPS,
};
use aidtrace_iati::validate::{Issue, Layer, Options, Severity, validate_file, validate_reader};

fn opts() -> Options {
    Options {
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 21).expect("date"),
        ..Options::default()
    }
}

fn issue(message: &str, line: u64) -> Issue {
    Issue {
        layer: Layer::Rule,
        rule: "8.6.3".into(),
        severity: Severity::Error,
        message: message.into(),
        line,
        column: 3,
        code: None,
    }
}

#[test]
fn n_repeated_findings_become_one_group_with_count_and_first_lines() {
    let mut g = IssueGrouper::new();
    for line in 10..22 {
        g.push(issue("period-start is after period-end", line));
    }
    g.push(issue("another message", 30));
    let (groups, unlisted) = g.finish();
    assert!(unlisted.is_empty());
    assert_eq!(groups.len(), 2, "{groups:?}");
    assert_eq!(groups[0].count, 12);
    assert_eq!(groups[0].lines, vec![10, 11, 12, 13, 14]);
    assert_eq!(groups[0].lines.len(), FIRST_LINES);
    assert_eq!((groups[0].line, groups[0].column), (10, 3));
    assert_eq!(groups[1].count, 1);
    assert_eq!(groups[1].lines, vec![30]);
}

#[test]
fn distinct_groups_per_activity_are_capped_and_the_rest_counted() {
    let mut g = IssueGrouper::new();
    for i in 0..MAX_GROUPS + 7 {
        g.push(issue(&format!("message {i}"), i as u64 + 1));
    }
    // A finding of an existing group is still counted in it past the cap.
    g.push(issue("message 0", 9_999));
    let (groups, unlisted) = g.finish();
    assert_eq!(groups.len(), MAX_GROUPS);
    assert_eq!(groups[0].count, 2);
    assert_eq!((unlisted.errors, unlisted.warnings), (7, 0));
}

/// An activity whose twelve transactions all carry the same unknown transaction type, and
/// whose twelve narratives carry the same unknown language at different paths.
fn repeated_doc() -> String {
    let mut doc = String::from(
        "<iati-activities version=\"2.03\">\n<iati-activity default-currency=\"USD\">\n<iati-identifier>XM-T-1</iati-identifier>\n",
    );
    for i in 0..6 {
        doc.push_str(&format!(
            "<transaction><transaction-type code=\"99\"/><transaction-date iso-date=\"2024-01-0{}\"/><value value-date=\"2024-01-01\">1</value><description><narrative xml:lang=\"EN\">t</narrative></description></transaction>\n",
            i + 1
        ));
    }
    for _ in 0..6 {
        doc.push_str("<transaction><transaction-type code=\"99\"/><transaction-date iso-date=\"2024-01-01\"/><value value-date=\"2024-01-01\">1</value><receiver-org><narrative xml:lang=\"EN\">r</narrative></receiver-org></transaction>\n");
    }
    doc.push_str("</iati-activity>\n</iati-activities>\n");
    doc
}

#[test]
fn a_finding_repeated_in_an_activity_is_one_group_in_the_validated_report() {
    let doc = repeated_doc();
    let r = grouped::validate_reader_grouped("r.xml", BufReader::new(doc.as_bytes()), &opts());
    let a = &r.activities[0];
    let types: Vec<_> = a
        .errors
        .iter()
        .filter(|g| g.rule == "TransactionType")
        .collect();
    assert_eq!(types.len(), 1, "{:?}", a.errors);
    assert_eq!(types[0].count, 12);
    assert_eq!(types[0].lines, vec![4, 5, 6, 7, 8]);
    // Language findings at two different paths are one group: the same wrong code.
    let langs: Vec<_> = a.errors.iter().filter(|g| g.rule == "Language").collect();
    assert_eq!(langs.len(), 1, "{:?}", a.errors);
    assert_eq!(langs[0].count, 12);
    assert_eq!(
        langs[0].message,
        "'EN' is not a code of the Language codelist"
    );
    // The group carries the code as a field, so a page words it without reading the message.
    let code = langs[0].code.as_ref().expect("a codelist group's code");
    assert_eq!((code.code.as_str(), code.withdrawn), ("EN", false));
    assert!(types[0].code.as_ref().is_some_and(|c| c.code == "99"));
    // The ungrouped report has every finding; the counts agree.
    let raw = validate_reader("r.xml", BufReader::new(doc.as_bytes()), &opts());
    assert_eq!(raw.activities[0].errors.len() as u64, {
        a.errors.iter().map(|g| g.count).sum::<u64>()
    });
    assert_eq!(r.summary, raw.summary);
}

#[test]
fn grouped_reports_equal_the_grouped_ungrouped_reports_on_real_files() {
    let Some(files) = common::shared_files(&["real-data"], 98) else {
        return;
    };
    for path in files.iter().step_by(7) {
        let raw = validate_file(path, &opts()).expect("readable");
        let expected = GroupedReport::from_report(raw.clone());
        for threads in [1, 2] {
            let mut acts = Vec::new();
            let mut r = grouped::validate_path_grouped(path, &opts(), threads, |a| acts.push(a))
                .expect("readable");
            r.activities = acts;
            assert_eq!(r, expected, "{} on {threads} threads", path.display());
            assert_eq!(r.is_clean(), raw.is_clean());
        }
    }
}

fn write(dir: &std::path::Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, body).expect("write");
    p
}

fn small_file(i: usize) -> String {
    format!(
        "<iati-activities version=\"2.03\">\n<iati-activity>\n<iati-identifier>X-{i}</iati-identifier>\n</iati-activity>\n</iati-activities>\n"
    )
}

#[test]
fn files_are_handed_out_in_order_before_later_files_are_read() {
    let dir = tempfile::tempdir().expect("tmp");
    let paths: Vec<PathBuf> = (0..20)
        .map(|i| write(dir.path(), &format!("{i:02}.xml"), &small_file(i)))
        .collect();
    let last = paths[19].clone();
    let mut order = Vec::new();
    let mut last_report = None;
    grouped::validate_files_grouped(&paths, &opts(), 1, |k, event| {
        match event {
            FileEvent::Activity(a) => order.push((k, a.identifier)),
            FileEvent::Done(r) => {
                let r = r?;
                if k == 0 {
                    // Had the last file been read already, this would not show in its report.
                    std::fs::write(&last, "<broken")?;
                }
                if k == 19 {
                    last_report = Some(r);
                }
            }
        }
        Ok(())
    })
    .expect("run");
    let expected: Vec<(usize, String)> = (0..19).map(|i| (i, format!("X-{i}"))).collect();
    assert_eq!(
        order, expected,
        "activities in file order, the last file broken"
    );
    let last_report = last_report.expect("the last file is reported");
    assert!(!last_report.summary.well_formed, "{last_report:?}");
}

#[test]
fn an_error_from_the_output_stops_the_run() {
    let dir = tempfile::tempdir().expect("tmp");
    let paths: Vec<PathBuf> = (0..12)
        .map(|i| write(dir.path(), &format!("{i:02}.xml"), &small_file(i)))
        .collect();
    let mut done = 0;
    let r = grouped::validate_files_grouped(&paths, &opts(), 2, |_, event| {
        if let FileEvent::Done(_) = event {
            done += 1;
            if done == 3 {
                return Err(std::io::Error::other("closed"));
            }
        }
        Ok(())
    });
    assert!(r.is_err());
    assert_eq!(done, 3);
}

fn streamed_json(paths: &[PathBuf], threads: usize) -> (Vec<u8>, Vec<GroupedReport>) {
    let mut json = JsonReports::new(Vec::new());
    let mut collected: Vec<GroupedReport> = Vec::new();
    let mut acts: Vec<ActivityGroups> = Vec::new();
    grouped::validate_files_grouped(paths, &opts(), threads, |k, event| match event {
        FileEvent::Activity(a) => {
            json.activity(&paths[k].display().to_string(), &a)?;
            acts.push(a);
            Ok(())
        }
        FileEvent::Done(r) => {
            let mut r = r?;
            json.file(&r)?;
            r.activities = std::mem::take(&mut acts);
            collected.push(r);
            Ok(())
        }
    })
    .expect("run");
    (json.finish().expect("finish"), collected)
}

#[test]
fn streamed_json_is_the_array_of_the_files_grouped_reports() {
    let dir = tempfile::tempdir().expect("tmp");
    let repeated = write(dir.path(), "a.xml", &repeated_doc());
    let empty = write(
        dir.path(),
        "b.xml",
        "<iati-activities version=\"2.03\"></iati-activities>",
    );
    let broken = write(
        dir.path(),
        "c.xml",
        "<iati-activities version=\"2.03\"><iati-activity>",
    );
    let paths = vec![repeated.clone(), empty, broken];
    for threads in [1, 2] {
        let (bytes, collected) = streamed_json(&paths, threads);
        let streamed: serde_json::Value = serde_json::from_slice(&bytes).expect("valid JSON");
        assert_eq!(
            streamed,
            serde_json::to_value(&collected).expect("json"),
            "{}",
            String::from_utf8_lossy(&bytes)
        );
        // Grouped: one entry with a count for the twelve transaction types.
        let groups = streamed[0]["activities"][0]["errors"]
            .as_array()
            .expect("groups");
        let types: Vec<_> = groups
            .iter()
            .filter(|g| g["rule"] == "TransactionType")
            .collect();
        assert_eq!(types.len(), 1);
        assert_eq!(types[0]["count"], 12);
        assert_eq!(types[0]["lines"], serde_json::json!([4, 5, 6, 7, 8]));
        assert_eq!(streamed[2]["summary"]["well_formed"], false);
        // Each file's part is that file validated alone.
        for (k, p) in paths.iter().enumerate() {
            let (alone, _) = streamed_json(std::slice::from_ref(p), threads);
            let alone: serde_json::Value = serde_json::from_slice(&alone).expect("json");
            assert_eq!(alone[0], streamed[k]);
        }
    }
    let (none, _) = streamed_json(&[], 1);
    assert_eq!(none, b"[]\n");
}
