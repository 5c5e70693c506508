//! `aidtrace report regions` on a real SQLite file with the demo: the same columns and figures
//! as the web page's CSV, and bad flags refused with the flag named.

mod kit;
use kit::run;

fn demo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(dir.path(), &["demo"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

#[test]
fn report_regions_csv_ranks_kazakh_regions_with_hand_figures() {
    let dir = demo();
    let out = run(
        dir.path(),
        &["report", "regions", "--country", "KZ", "--format", "csv"],
    );
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "rank,region,population,population_year,population_record,kind,converted,currency,per_person,devices,devices_per_million,facilities_by_status"
        )
    );
    // 68,790 USD ÷ 1,222,513 people = 0.0563 per person; 5 devices = 4.09 per million.
    let jambyl = lines.next().expect("first row");
    assert!(
        jambyl.starts_with("1,Jambyl region,1222513,2025,pop-kz-jambyl-2025,disbursement,68790"),
        "{jambyl}"
    );
    assert!(jambyl.contains(",0.0563,5,4.09,"), "{jambyl}");
    let abai = lines.next().expect("second row");
    assert!(abai.starts_with("2,Abai region,610189,2023,"), "{abai}");
    assert!(text.contains("Kazakhstan (national)"));
}

#[test]
fn report_regions_refuses_an_unknown_kind_naming_the_flag() {
    let dir = demo();
    let out = run(
        dir.path(),
        &["report", "regions", "--country", "KZ", "--kind", "gift"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--kind") && err.contains("gift"), "{err}");
}

#[test]
fn report_regions_refuses_a_bad_country_naming_the_flag() {
    let dir = demo();
    let out = run(
        dir.path(),
        &["report", "regions", "--country", "Kazakhstan"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--country"), "{err}");
}
