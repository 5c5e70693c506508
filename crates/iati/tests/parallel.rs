//! The chunked, multi-threaded validation must give exactly the reports of the sequential
//! reader: on every real file, on the schema test suite, and on files built to make the
//! fast path give up halfway (comments, text or extensions between activities, truncation).

mod common;

use std::path::{Path, PathBuf};

use aidtrace_iati::validate::{Options, Report, validate_file, validate_path};

fn opts() -> Options {
    Options {
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 21).expect("date"),
        ..Options::default()
    }
}

fn chunked(path: &Path, threads: usize) -> Report {
    let mut acts = Vec::new();
    let mut r = validate_path(path, &opts(), threads, |a| acts.push(a)).expect("readable");
    r.activities = acts;
    r
}

fn assert_same(path: &Path, threads: &[usize]) {
    let seq = validate_file(path, &opts()).expect("readable");
    for &threads in threads {
        let par = chunked(path, threads);
        assert_eq!(
            par,
            seq,
            "{} on {threads} threads differs from the sequential reader",
            path.display()
        );
    }
}

#[test]
fn chunked_reports_equal_sequential_on_every_real_file() {
    let Some(files) = common::shared_files(&["real-data"], 98) else {
        return;
    };
    for f in &files {
        assert_same(f, &[2]);
    }
}

#[test]
fn chunked_reports_equal_sequential_on_the_schema_test_suite() {
    let Some(files) = common::shared_files(&["schema-tests"], 601) else {
        return;
    };
    for f in &files {
        let seq = validate_file(f, &opts()).expect("readable");
        assert_eq!(chunked(f, 2), seq, "{}", f.display());
    }
}

/// About 4 MB of activities, one line each; activity `i` has an invalid date when `i % 997 == 0`.
fn big_file(dir: &Path, name: &str, between: impl Fn(usize) -> String, tail: &str) -> PathBuf {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- generated -->\n<iati-activities version=\"2.03\" xmlns:x=\"urn:x\" generated-datetime=\"2026-01-01T00:00:00Z\">\n",
    );
    for i in 0..12_000 {
        let date = if i % 997 == 0 {
            "2020-13-45"
        } else {
            "2020-01-01"
        };
        s.push_str(&format!(
            "  <iati-activity last-updated-datetime=\"2026-01-01T00:00:00Z\" xml:lang=\"en\" default-currency=\"EUR\"><iati-identifier>XM-T-{i}</iati-identifier><reporting-org ref=\"XM-T\" type=\"10\"><narrative>Tést ✓</narrative></reporting-org><title><narrative>Activity {i} &amp; more</narrative></title><description><narrative>d</narrative></description><participating-org role=\"1\" ref=\"XM-T\"/><activity-status code=\"2\"/><activity-date type=\"1\" iso-date=\"{date}\"/><recipient-country code=\"UA\"/><sector code=\"12191\"/><x:note>kept</x:note></iati-activity>\n"
        ));
        s.push_str(&between(i));
    }
    s.push_str(tail);
    let p = dir.join(name);
    std::fs::write(&p, s).expect("write");
    p
}

fn tmp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("aidtrace-par-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("tmp");
    d
}

#[test]
fn big_file_positions_and_findings_match_and_lines_pass_65535() {
    let dir = tmp_dir("big");
    let p = big_file(&dir, "big.xml", |_| String::new(), "</iati-activities>\n");
    let r = chunked(&p, 2);
    assert_same(&p, &[1, 2, 3]);
    assert!(r.summary.well_formed);
    assert_eq!(r.summary.activities, 12_000);
    let last = r.activities.last().expect("activities");
    assert_eq!(last.identifier, "XM-T-11999");
    assert_eq!(last.line, 4 + 11_999);
    let p2 = big_file(&dir, "tall.xml", |_| "\n".repeat(6), "</iati-activities>\n");
    let r2 = chunked(&p2, 2);
    let last = r2.activities.last().expect("activities");
    assert_eq!(last.line, 4 + 11_999 * 7);
    assert!(last.line > 65_535);
    assert_same(&p2, &[2]);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn files_that_stop_the_fast_path_still_match_sequential() {
    let dir = tmp_dir("odd");
    let cases: Vec<PathBuf> = vec![
        big_file(
            &dir,
            "comment.xml",
            |i| {
                if i == 9_000 {
                    "<!-- </iati-activity> -->\n".into()
                } else {
                    String::new()
                }
            },
            "</iati-activities>",
        ),
        big_file(
            &dir,
            "text.xml",
            |i| {
                if i == 7_000 {
                    "stray text\n".into()
                } else {
                    String::new()
                }
            },
            "</iati-activities>",
        ),
        big_file(
            &dir,
            "extension.xml",
            |i| {
                if i == 5_000 {
                    "<x:between/>\n".into()
                } else {
                    String::new()
                }
            },
            "</iati-activities>",
        ),
        big_file(&dir, "truncated.xml", |_| String::new(), ""),
        big_file(
            &dir,
            "trailing.xml",
            |_| String::new(),
            "</iati-activities>\n<iati-activity/>",
        ),
        big_file(
            &dir,
            "mismatch.xml",
            |i| {
                if i == 11_000 {
                    "</iati-activity>\n".into()
                } else {
                    String::new()
                }
            },
            "</iati-activities>",
        ),
    ];
    for p in &cases {
        assert_same(p, &[2]);
    }
    let truncated = chunked(&cases[3], 2);
    assert!(!truncated.summary.well_formed);
    let text = chunked(&cases[1], 2);
    assert!(
        text.file_errors
            .iter()
            .any(|e| e.message.contains("Character content"))
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// The identifiers the parser reads more than once in a file, with their counts.
fn parsed_counts(path: &Path) -> std::collections::HashMap<u64, u32> {
    let mut counts = std::collections::HashMap::new();
    let mut reader = aidtrace_iati::reader::ActivityReader::new(std::io::BufReader::new(
        std::fs::File::open(path).expect("open"),
    ));
    while let Ok(Some((a, _, _))) = reader.next_activity() {
        *counts
            .entry(aidtrace_iati::scan::identifier_key(&a.identifier))
            .or_insert(0u32) += 1;
    }
    counts
}

#[test]
fn the_identifier_scan_counts_identifiers_as_the_parser_reads_them() {
    let Some(mut files) = common::shared_files(&["real-data"], 98) else {
        return;
    };
    let dir = tmp_dir("scan");
    // Every real file once, then a file that repeats each page's activities: every identifier
    // twice, with block boundaries falling anywhere.
    let doubled = dir.join("doubled.xml");
    let pages: Vec<String> = files
        .iter()
        .filter(|f| f.to_string_lossy().contains("dportal"))
        .take(12)
        .map(|f| std::fs::read_to_string(f).expect("read"))
        .collect();
    let inner = |t: &str| {
        let root = t.find("<iati-activities").expect("root");
        let start = root + t[root..].find('>').expect("root end") + 1;
        let end = t.rfind("</iati-activities>").expect("root close");
        (start, end)
    };
    let (first_start, _) = inner(&pages[0]);
    let mut body = pages[0][..first_start].to_string();
    for page in pages.iter().chain(&pages) {
        let (start, end) = inner(page);
        body += &page[start..end];
    }
    body += "</iati-activities>";
    std::fs::write(&doubled, body).expect("write");
    assert!(
        parsed_counts(&doubled).values().filter(|&&n| n > 1).count() > 1000,
        "the doubled file repeats"
    );
    files.push(doubled);
    for f in &files {
        let scanned = aidtrace_iati::scan::identifier_counts(std::fs::File::open(f).expect("open"))
            .expect("scan");
        assert_eq!(scanned, parsed_counts(f), "{}", f.display());
    }
}

#[test]
fn an_importer_gets_the_validation_report_from_its_own_read() {
    let Some(files) = common::shared_files(&["real-data", "schema-tests"], 98 + 601) else {
        return;
    };
    for f in &files {
        let mut units = Vec::new();
        let checked = aidtrace_iati::validate::check_source(
            || std::fs::File::open(f),
            &opts(),
            2,
            |c, _| units.push(c.report),
        )
        .expect("readable");
        let report = checked.report(&f.display().to_string(), units);
        let expected = validate_file(f, &opts()).expect("readable");
        assert_eq!(report, expected, "{}", f.display());
    }
}
