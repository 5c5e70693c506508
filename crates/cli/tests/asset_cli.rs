//! `aidtrace asset density` and `aidtrace asset list --line` on a real SQLite file with the demo.

use serde_json::Value;

mod kit;
use kit::{run, stderr, stdout};

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
fn density_shows_regions_national_and_sourced_references() {
    let dir = demo();
    let table = run(dir.path(), &["asset", "density", "--at", "2025-12-31"]);
    assert_eq!(table.status.code(), Some(0));
    assert!(
        stdout(&table).contains("never a sum of regions"),
        "says what is counted"
    );
    let out = run(
        dir.path(),
        &["asset", "density", "--at", "2025-12-31", "--format", "csv"],
    );
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let line = |needle: &str| {
        text.lines()
            .find(|l| l.contains("ct_scanner") && l.contains(needle))
            .unwrap_or_else(|| panic!("no CT line with {needle:?} in\n{text}"))
            .to_string()
    };
    // Abai: 1 CT / 610,189 = 1.64; Jambyl: none / 1,222,513 = 0; national: Semey's and the
    // traumatology centre's CT / 20,286,084 = 0.0986… → 0.10.
    assert!(line("KZ Abai region").contains("1.64"));
    assert!(line("KZ Jambyl region").contains("pop-kz-jambyl-2025"));
    assert!(line("KZ (national)").contains("0.10"));
    assert!(line("facilities without a region").contains("no population applies"));
    let oecd = line("reference: OECD average");
    assert!(
        oecd.contains("23.6") && oecd.contains("2011–2012"),
        "{oecd}"
    );
    assert!(
        oecd.contains("https://medivit.com.ua/en/articles/37"),
        "{oecd}"
    );
    assert!(line("reference: WHO: high-income countries").contains("> 44"));

    let out = run(
        dir.path(),
        &["asset", "density", "--at", "2025-12-31", "--format", "json"],
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let national = v["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["scope"] == "national" && r["generic_type"] == "ct_scanner")
        .expect("national CT");
    assert_eq!(national["per_million"], "0.10");
    assert_eq!(national["assets"].as_array().map(Vec::len), Some(2));
    assert!(v["references"].as_array().is_some_and(|r| r.len() >= 10));

    let bad = run(dir.path(), &["asset", "density", "--at", "31/12/2025"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("at"));
}

#[test]
fn list_the_assets_bought_by_one_equipment_line() {
    let dir = demo();
    let out = run(
        dir.path(),
        &[
            "asset",
            "list",
            "--line",
            "eq-zhezbek-platelet-storage",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let mut ids: Vec<&str> = v
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    ids.sort_unstable();
    // The grant's five platelet storage devices, and nothing else.
    assert_eq!(
        ids,
        (1..=5)
            .map(|i| format!("as-zhezbek-platelet-{i}"))
            .collect::<Vec<_>>()
    );
    let out = run(dir.path(), &["asset", "list", "--line", "eq-nowhere"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line") && err.contains("eq-nowhere"), "{err}");
}

#[test]
fn gaps_per_facility_and_per_region() {
    let dir = demo();
    let out = run(
        dir.path(),
        &[
            "asset",
            "gaps",
            "--at",
            "2025-12-31",
            "--by",
            "region",
            "--format",
            "csv",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.starts_with("region,device,facilities,required,present,functional,gap"));
    // Abai: Semey needs 6 ICU ventilators; 3 are present, 2 work: 4 short.
    assert!(
        text.lines()
            .any(|l| l == "Abai region,icu_ventilator,1,6,3,2,4"),
        "{text}"
    );
    let out = run(dir.path(), &["asset", "gaps", "--by", "country"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_down_report_dated_in_the_future_exits_2_naming_the_field_and_value() {
    let dir = demo();
    let out = run(
        dir.path(),
        &[
            "asset",
            "down",
            "as-semey-mri-1",
            "--cause",
            "mechanical",
            "--at",
            "2030-01-01",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("2030-01-01 00:00:00") && err.contains("in the future"),
        "{err}"
    );
    // Nothing was written, and a real report still goes in.
    let ok = run(
        dir.path(),
        &["asset", "down", "as-semey-mri-1", "--cause", "mechanical"],
    );
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
}

#[test]
fn a_time_with_an_offset_is_stored_as_the_utc_instant() {
    let dir = demo();
    let out = run(
        dir.path(),
        &[
            "asset",
            "down",
            "as-semey-mri-1",
            "--cause",
            "mechanical",
            "--at",
            "2026-03-01T10:00:00+05:00",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let show = run(dir.path(), &["asset", "show", "as-semey-mri-1"]);
    let detail: Value = serde_json::from_slice(&show.stdout).expect("json");
    let starts: Vec<&str> = detail["downtimes"]
        .as_array()
        .expect("downtimes")
        .iter()
        .filter_map(|d| d["start"].as_str())
        .collect();
    assert!(starts.contains(&"2026-03-01T05:00:00"), "{starts:?}");
}

#[test]
fn an_unreadable_time_exits_2_naming_the_option() {
    let dir = demo();
    let out = run(dir.path(), &["asset", "gaps", "--at", "31.12.2025"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--at = \"31.12.2025\""),
        "{}",
        stderr(&out)
    );
}

#[test]
fn fitness_gives_a_verdict_and_an_empty_checklist_is_not_assessed() {
    let dir = demo();
    let file = dir.path().join("check.json");
    std::fs::write(
        &file,
        r#"{"records":[{"record":"donation_check","id":"dc-empty","model":"dm-illustrative-mri",
            "facility":"fac-semey-university-hospital","checked_on":"2025-01-01"}]}"#,
    )
    .expect("write");
    let load = run(dir.path(), &["asset", "load", file.to_str().expect("path")]);
    assert_eq!(load.status.code(), Some(0), "{}", stderr(&load));
    let out = run(dir.path(), &["asset", "fitness", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "not fit and not assessed exit 1"
    );
    let reports: Value = serde_json::from_slice(&out.stdout).expect("json");
    let empty = reports
        .as_array()
        .expect("reports")
        .iter()
        .find(|r| r["check"] == "dc-empty")
        .expect("dc-empty");
    assert_eq!(empty["verdict"]["status"], "not_assessed");
    let missing = empty["verdict"]["missing"].to_string();
    for item in [
        "recipient_request",
        "recipient_acceptance",
        "market_registration",
    ] {
        assert!(missing.contains(item), "{missing}");
    }
    let table = run(dir.path(), &["asset", "fitness"]);
    assert!(
        stdout(&table).contains("dc-empty: not assessed (missing: recipient_request"),
        "{}",
        stdout(&table)
    );
}

/// An `under_repair` event loaded through the generic `load` (no history rules) leaves the
/// endoscope without a downtime record: `asset check` names the disagreement, `asset reconcile
/// --dry-run` lists the change and writes nothing, `asset reconcile` writes it, a second run
/// changes nothing and `asset check` is clean again.
#[test]
fn reconcile_lists_and_writes_the_downtime_an_event_implies_once() {
    let dir = demo();
    let file = dir.path().join("repair.json");
    std::fs::write(
        &file,
        r#"{"records": [{"record": "asset_event", "id": "ev-endo-1-repair",
            "asset": "as-semey-endo-1", "at": "2026-01-10T08:00:00", "state": "under_repair"}]}"#,
    )
    .expect("write");
    let load = run(dir.path(), &["load", file.to_str().expect("path")]);
    assert!(load.status.success(), "{}", stderr(&load));
    let check = run(dir.path(), &["asset", "check"]);
    assert_eq!(check.status.code(), Some(1));
    assert!(stdout(&check).contains("disagree"), "{}", stdout(&check));
    let dry = run(dir.path(), &["asset", "reconcile", "--dry-run"]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(
        stdout(&dry).contains("ev-endo-1-repair"),
        "{}",
        stdout(&dry)
    );
    assert!(stdout(&dry).contains("1 change(s) would be written"));
    let done = run(dir.path(), &["asset", "reconcile"]);
    assert!(
        stdout(&done).contains("1 change(s) written"),
        "{}",
        stdout(&done)
    );
    let again = run(dir.path(), &["asset", "reconcile"]);
    assert!(
        stdout(&again).contains("nothing to change"),
        "{}",
        stdout(&again)
    );
    let check = run(dir.path(), &["asset", "check"]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
}

fn down_event(dir: &std::path::Path, at: &str) -> String {
    let out = run(
        dir,
        &[
            "asset",
            "down",
            "as-semey-mri-1",
            "--cause",
            "mechanical",
            "--at",
            at,
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out)
        .lines()
        .find_map(|l| l.strip_prefix("recorded event "))
        .expect("event id printed")
        .trim()
        .to_string()
}

#[test]
fn void_with_a_corrected_time_records_the_correction_and_show_keeps_the_voided_event() {
    let dir = demo();
    let ev = down_event(dir.path(), "2026-03-01T09:00");
    let out = run(
        dir.path(),
        &[
            "asset",
            "void",
            &ev,
            "--reason",
            "reported two hours late",
            "--at",
            "2026-03-01T07:00",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("recorded correction"),
        "{}",
        stdout(&out)
    );
    let show = run(dir.path(), &["asset", "show", "as-semey-mri-1"]);
    let detail: Value = serde_json::from_slice(&show.stdout).expect("json");
    let voided = detail["voided_events"].as_array().expect("voided");
    assert!(voided.iter().any(|e| e["id"] == ev.as_str()), "{voided:?}");
    let events = detail["events"].as_array().expect("events");
    let fix = events
        .iter()
        .find(|e| e["corrects"] == ev.as_str())
        .expect("correction");
    assert_eq!(fix["at"], "2026-03-01T07:00:00");
    assert!(fix["recorded_at"].is_string(), "{fix}");
}

#[test]
fn void_without_a_reason_exits_2_naming_it_and_writes_nothing() {
    let dir = demo();
    let ev = down_event(dir.path(), "2026-03-01T09:00");
    let out = run(dir.path(), &["asset", "void", &ev, "--reason", " "]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("reason"), "{}", stderr(&out));
    let show = run(dir.path(), &["asset", "show", "as-semey-mri-1"]);
    let detail: Value = serde_json::from_slice(&show.stdout).expect("json");
    assert_eq!(detail["voided_events"].as_array().map(Vec::len), Some(0));
}

#[test]
fn void_with_an_unknown_state_exits_2_naming_the_option() {
    let dir = demo();
    let out = run(
        dir.path(),
        &[
            "asset", "void", "ev-x", "--reason", "typo", "--state", "broken",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--state \"broken\""),
        "{}",
        stderr(&out)
    );
}

#[test]
fn disposing_needs_the_disposal_record_and_keeps_it() {
    let dir = demo();
    let endo = "as-semey-endo-3";
    let out = run(
        dir.path(),
        &[
            "asset",
            "event",
            endo,
            "decommissioned",
            "--at",
            "2026-01-10",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let bare = run(
        dir.path(),
        &["asset", "event", endo, "disposed", "--at", "2026-01-20"],
    );
    assert_eq!(bare.status.code(), Some(2), "{}", stderr(&bare));
    assert!(stderr(&bare).contains("disposal"), "{}", stderr(&bare));
    let partial = run(
        dir.path(),
        &[
            "asset",
            "event",
            endo,
            "disposed",
            "--at",
            "2026-01-20",
            "--method",
            "recycled",
        ],
    );
    assert_eq!(partial.status.code(), Some(2));
    assert!(
        stderr(&partial).contains("--data-wipe"),
        "{}",
        stderr(&partial)
    );
    let ok = run(
        dir.path(),
        &[
            "asset",
            "event",
            endo,
            "disposed",
            "--at",
            "2026-01-20",
            "--method",
            "recycled",
            "--data-wipe",
            "not_applicable",
            "--hazardous",
            "lithium battery",
        ],
    );
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let show = run(dir.path(), &["asset", "show", endo]);
    let detail: Value = serde_json::from_slice(&show.stdout).expect("json");
    let last = detail["events"]
        .as_array()
        .and_then(|e| e.last())
        .expect("event");
    assert_eq!(last["disposal"]["method"], "recycled");
    assert_eq!(last["disposal"]["hazardous"][0], "lithium battery");
}

#[test]
fn kpi_without_a_period_takes_the_365_days_to_today_as_the_indicators_page_does() {
    let dir = demo();
    let to = chrono::Utc::now().date_naive();
    let from = aidtrace_domain::assets::kpi::Period::default_from(to);
    assert_eq!((to - from).num_days(), 364, "365 days, both ends included");
    let show = |extra: &[&str]| {
        let mut args = vec!["kpi", "show", "--by", "all", "--format", "json"];
        args.extend_from_slice(extra);
        let out = run(dir.path(), &args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        stdout(&out)
    };
    let (from, to) = (from.to_string(), to.to_string());
    assert_eq!(show(&[]), show(&["--from", &from, "--to", &to]));
}
