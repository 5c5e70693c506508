//! The IATI-Rulesets meta tests whose ruleset is (a case of) a standard.json rule: run the
//! meta-test XML through our rule layer and compare with `expected.tsv`. Meta tests of the
//! generic engine only (title_exists, sum, only_one_of…) have no standard.json counterpart.

mod common;

use std::io::BufReader;

use aidtrace_iati::reader::UnitReader;
use aidtrace_iati::rules::check_unit;

/// meta-test ruleset → the standard.json rule ids it exercises.
const MAPPED: &[(&str, &[&str])] = &[
    ("results_references", &["8.11.1"]),
    (
        "result_indicator_baseline_selector_with_conditions",
        &["8.8.1"],
    ),
    (
        "result_indicator_period_target_selector_with_conditions",
        &["8.9.1"],
    ),
    (
        "result_indicator_period_actual_selector_with_conditions",
        &["8.10.1"],
    ),
    ("period_time", &["7.5.3"]),
    ("time_limit", &["7.5.3"]),
    ("total_expenditure", &["7.5.3"]),
    ("recipient_region_budget", &["7.5.3"]),
    ("one_or_all", &["4.1.1", "6.7.2", "7.8.1"]),
    ("one_or_all_org", &["4.5.1", "7.8.2"]),
    ("between_dates", &["11.3.1"]),
];

#[test]
fn mapped_meta_tests_agree() {
    let Some(shared) = common::shared() else {
        return;
    };
    let dir = shared.join("iati/rulesets/meta_tests");
    let table = std::fs::read_to_string(dir.join("expected.tsv")).expect("expected.tsv");
    let today = chrono::NaiveDate::from_ymd_opt(2023, 4, 5).expect("date");
    let mut checked = 0;
    let mut failures = Vec::new();
    for line in table.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let (Some(ruleset), Some(xml), Some(expected)) = (f.first(), f.get(1), f.get(2)) else {
            continue;
        };
        let Some((_, ids)) = MAPPED.iter().find(|(r, _)| r == ruleset) else {
            continue;
        };
        let bytes = std::fs::read(dir.join(format!("{xml}.xml"))).expect("fixture");
        let mut units = UnitReader::new(BufReader::new(bytes.as_slice()));
        let mut fired = Vec::new();
        while let Some(u) = units.next_unit().expect("well-formed fixture") {
            fired.extend(
                check_unit(&u.element, today)
                    .into_iter()
                    .map(|i| i.id)
                    .filter(|id| ids.contains(id)),
            );
        }
        let valid = fired.is_empty();
        checked += 1;
        if valid != (*expected == "True") {
            failures.push(format!(
                "{ruleset} / {xml}: expected valid={expected}, got {fired:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(checked, 35);
}
