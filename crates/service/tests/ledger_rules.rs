//! The service's rules against real SQLite files: the seed scenario, bad input refused with
//! nothing written, totals that never double count.

mod kit;

use std::str::FromStr;

use aidtrace_domain::totals::{GroupBy, Sum};
use aidtrace_domain::{CurrencyCode, RecordKind};
use aidtrace_service::Aidtrace;
use rust_decimal::Decimal;

fn open() -> (kit::Guard, Aidtrace) {
    let (dir, app) = kit::open();
    (dir, app)
}

fn usd() -> CurrencyCode {
    CurrencyCode::usd()
}

#[test]
fn demo_loads_once_and_a_second_run_changes_nothing() {
    let (_dir, mut app) = open();
    let first = app.load_demo("test").expect("demo");
    assert!(first.created > 40, "{first:?}");
    let audit_len = app.store().audit_log(None).expect("audit").len();
    let second = app.load_demo("test").expect("demo again");
    assert_eq!(second.changed(), 0, "{second:?}");
    assert_eq!(app.store().audit_log(None).expect("audit").len(), audit_len);
    assert!(app.verify_audit().expect("verify").ok());
}

#[test]
fn check_flags_the_yen_dollar_mismatch_with_its_ratio() {
    let (_dir, mut app) = open();
    app.load_demo("test").expect("demo");
    let findings = app.check().expect("check");
    let mismatch = findings
        .iter()
        .find(|f| f.rule == "FX-EQUIV")
        .expect("the stated equivalent must be flagged");
    assert_eq!(mismatch.record.as_str(), "flow-kz-semey-commitment");
    let ratio = mismatch.ratio().expect("ratio");
    assert!(
        ratio > Decimal::from(9) && ratio < Decimal::from(11),
        "ratio {ratio}"
    );
    // Nothing dates the commitment, so it converts at the latest rate (ECB, 2026-10-30),
    // provisionally, and says so.
    assert!(
        mismatch.message().contains("European Central Bank")
            && mismatch.message().contains("provisional"),
        "{}",
        mismatch.message()
    );
    assert!(
        findings
            .iter()
            .any(|f| f.rule == "FX-PROVISIONAL" && f.record.as_str() == "flow-kz-semey-commitment"),
        "the undated commitment is listed as provisional"
    );
    // A newer rate would only move an undated figure; its value date settles it.
    let undated = findings
        .iter()
        .find(|f| f.rule == "FX-PROVISIONAL" && f.record.as_str() == "flow-kz-semey-commitment")
        .expect("FX-PROVISIONAL");
    assert!(
        undated
            .message()
            .ends_with("give the flow its value date to settle it"),
        "{}",
        undated.message()
    );
    // 68,790 USD is about 10.4 million yen: over the grassroots "in principle" size, but info only.
    let ggp = findings
        .iter()
        .find(|f| f.rule == "GGP-CEILING")
        .expect("ggp finding");
    assert!(!ggp.severity.is_problem());
    // That size rests on the latest rate (nothing dates the grant), and the finding says so: at
    // a 2023 rate 68,790 USD would be under the 10 million.
    assert!(
        ggp.message()
            .contains("(at the latest rate, of 2026-10-30: provisional)"),
        "{}",
        ggp.message()
    );
    assert_eq!(ggp.detail().id, "ggp-ceiling-principle-provisional");
}

#[test]
fn totals_by_donor_roll_agencies_up_and_leave_claims_out() {
    let (_dir, mut app) = open();
    app.load_demo("test").expect("demo");
    let report = app.totals(GroupBy::Donor, &usd()).expect("totals");
    let japan: Vec<_> = report
        .rows
        .iter()
        .filter(|r| r.key == "Government of Japan")
        .collect();
    assert_eq!(
        japan.len(),
        2,
        "one commitment row and one disbursement row: {:?}",
        report.rows
    );
    let commitment = japan
        .iter()
        .find(|r| r.kind.as_str() == "commitment")
        .expect("commitment");
    assert_eq!(
        commitment
            .original
            .get(&CurrencyCode::parse("JPY").expect("jpy")),
        Some(&Sum::Exact(Decimal::from(108_700_000)))
    );
    // 108,700,000 × 1.1172 ÷ 175.68: the ECB rates of 2026-10-30, the latest, since nothing
    // dates the commitment.
    assert_eq!(
        commitment.converted,
        Some(Sum::Exact(Decimal::from_str("691254.78").expect("dec")))
    );
    let rate = &commitment.rates[0];
    assert!(
        rate.source.contains("daily reference rate 2026-10-30"),
        "{}",
        rate.source
    );
    assert_eq!(
        rate.provisional,
        chrono::NaiveDate::from_ymd_opt(2026, 10, 30)
    );
    // The seed's claims: the 12 bn USD and generator figures, and the three Kazakh-language reports
    // of the Semey grant with their stated equivalents.
    assert_eq!(report.claims_not_counted.len(), 7);
    let all_usd: Decimal = report
        .rows
        .iter()
        .filter_map(|r| r.converted.and_then(Sum::exact))
        .sum();
    assert!(
        all_usd < Decimal::from(1_000_000),
        "the 12 billion claim must never enter totals: {all_usd}"
    );
}

#[test]
fn every_grouping_adds_up_to_the_same_total() {
    let (_dir, mut app) = open();
    app.load_demo("test").expect("demo");
    let grand = |by| -> Decimal {
        app.totals(by, &usd())
            .expect("totals")
            .rows
            .iter()
            .filter_map(|r| r.converted.and_then(Sum::exact))
            .sum()
    };
    let donor = grand(GroupBy::Donor);
    for by in [
        GroupBy::Recipient,
        GroupBy::Region,
        GroupBy::Sector,
        GroupBy::Year,
        GroupBy::Facility,
    ] {
        assert_eq!(grand(by), donor, "{by:?}");
    }
}

fn load(
    app: &mut Aidtrace,
    json: &str,
) -> Result<aidtrace_store::ApplyReport, aidtrace_service::ServiceError> {
    app.load_json("test", json)
}

const BASE: &str = r#"[
  {"record": "organisation", "id": "o-donor", "name": "Donor", "kind": "government"},
  {"record": "activity", "id": "a-prog", "title": "Programme", "instrument": "grant_aid", "status": "implementation"}
]"#;

#[test]
fn bad_input_names_the_field_and_value_and_writes_nothing() {
    let cases = [
        (
            r#"{"record":"flow","id":"f","activity":"a-prog","kind":"commitment","money":{"amount":"5","currency":"XYZ"}}"#,
            "XYZ",
        ),
        (
            r#"{"record":"flow","id":"f","activity":"a-prog","kind":"commitment","money":{"amount":"-5","currency":"USD"}}"#,
            "money.amount",
        ),
        (
            r#"{"record":"flow","id":"f","activity":"a-prog","kind":"commitment","money":{"amount":"five","currency":"USD"}}"#,
            "five",
        ),
        (
            r#"{"record":"flow","id":"f","activity":"a-prog","kind":"commitment","money":{"amount":5.5,"currency":"USD"}}"#,
            "floating-point",
        ),
        (
            r#"{"record":"flow","id":"f","activity":"a-ghost","kind":"commitment","money":{"amount":"5","currency":"USD"}}"#,
            "a-ghost",
        ),
        (
            r#"{"record":"activity","id":"a2","title":"T","instrument":"grant_aid","status":"implementation","countries":[{"country":"QQ","percentage":"100"}]}"#,
            "QQ",
        ),
        (
            r#"{"record":"activity","id":"a2","title":"T","instrument":"grant_aid","status":"implementation","sectors":[{"code":"12191","percentage":"60"},{"code":"12220","percentage":"30"}]}"#,
            "sectors.percentage",
        ),
        (
            r#"{"record":"activity","id":"a2","title":"T","instrument":"grant_aid","status":"implementation","start_date":"2024-05-01","end_date":"2024-04-01"}"#,
            "end_date",
        ),
        (
            r#"{"record":"activity","id":"a2","title":"T","instrument":"wishes","status":"implementation"}"#,
            "instrument",
        ),
        (
            r#"{"record":"activity","id":"a2","title":"T","instrument":"grant_aid","status":"implementation","colour":"red"}"#,
            "colour",
        ),
        (
            r#"{"record":"activity","id":"a-prog","title":"T","instrument":"grant_aid","status":"implementation","parent":"a-prog"}"#,
            "parent",
        ),
        (r#"{"record":"spaceship","id":"x"}"#, "spaceship"),
    ];
    for (record, needle) in cases {
        let (_dir, mut app) = open();
        load(&mut app, BASE).expect("base");
        let before = app.store().audit_log(None).expect("audit").len();
        // The good record beside the bad one must not be written either.
        let batch = format!(
            r#"[{{"record":"organisation","id":"o-innocent","name":"Innocent","kind":"ngo"}}, {record}]"#
        );
        let err = load(&mut app, &batch).expect_err(record);
        assert!(err.is_bad_input(), "{record}: {err}");
        assert!(
            err.to_string().contains(needle),
            "{record}: message {err:?} should mention {needle}"
        );
        assert_eq!(
            app.store().audit_log(None).expect("audit").len(),
            before,
            "{record}: something was written"
        );
        assert!(
            app.store()
                .get(RecordKind::Organisation, &"o-innocent".parse().expect("id"))
                .expect("get")
                .is_none(),
            "{record}: the batch was not atomic"
        );
    }
}

#[test]
fn activity_cycles_are_refused() {
    let (_dir, mut app) = open();
    load(
        &mut app,
        r#"[{"record":"activity","id":"a1","title":"A","instrument":"grant_aid","status":"implementation"},
            {"record":"activity","id":"a2","title":"B","instrument":"grant_aid","status":"implementation","parent":"a1"}]"#,
    )
    .expect("tree");
    let err = load(
        &mut app,
        r#"[{"record":"activity","id":"a1","title":"A","instrument":"grant_aid","status":"implementation","parent":"a2"}]"#,
    )
    .expect_err("cycle");
    assert!(err.to_string().contains("cycle"), "{err}");
}

#[test]
fn a_programme_and_its_projects_are_not_counted_twice() {
    let (_dir, mut app) = open();
    load(
        &mut app,
        r#"[
      {"record":"organisation","id":"o-donor","name":"Donor","kind":"government"},
      {"record":"activity","id":"prog","title":"Programme","instrument":"grant_aid","status":"implementation"},
      {"record":"activity","id":"p1","title":"Project 1","instrument":"grant_aid","status":"implementation","parent":"prog"},
      {"record":"activity","id":"p2","title":"Project 2","instrument":"grant_aid","status":"implementation","parent":"prog"},
      {"record":"flow","id":"f-prog","activity":"prog","kind":"commitment","provider":"o-donor","money":{"amount":"100","currency":"USD","value_date":"2023-01-01"}},
      {"record":"flow","id":"f-p1","activity":"p1","kind":"commitment","provider":"o-donor","money":{"amount":"60","currency":"USD","value_date":"2023-01-01"}},
      {"record":"flow","id":"f-p2","activity":"p2","kind":"commitment","provider":"o-donor","money":{"amount":"40","currency":"USD","value_date":"2023-01-01"}},
      {"record":"flow","id":"f-env","activity":"prog","kind":"disbursement","provider":"o-donor","money":{"amount":"50","currency":"USD","value_date":"2023-02-01"}},
      {"record":"flow","id":"f-env-a","activity":"p1","kind":"disbursement","parent_flow":"f-env","money":{"amount":"30","currency":"USD","value_date":"2023-02-01"}},
      {"record":"flow","id":"f-env-b","activity":"p2","kind":"disbursement","parent_flow":"f-env","money":{"amount":"20","currency":"USD","value_date":"2023-02-01"}}
    ]"#,
    )
    .expect("ledger");
    let report = app.totals(GroupBy::Donor, &usd()).expect("totals");
    let get = |kind: &str| {
        report
            .rows
            .iter()
            .find(|r| r.key == "Donor" && r.kind.as_str() == kind)
            .and_then(|r| r.converted.and_then(Sum::exact))
    };
    assert_eq!(
        get("commitment"),
        Some(Decimal::from(100)),
        "programme + projects would be 200"
    );
    assert_eq!(
        get("disbursement"),
        Some(Decimal::from(50)),
        "children attributed to the envelope's donor"
    );
    assert_eq!(report.excluded.len(), 2);
    let findings = app.check().expect("check");
    assert!(
        findings
            .iter()
            .any(|f| f.rule == "LEDGER-ENVELOPE" && f.record.as_str() == "prog")
    );
}

#[test]
fn overallocated_envelopes_and_cancelled_commitments() {
    let (_dir, mut app) = open();
    load(
        &mut app,
        r#"[
      {"record":"activity","id":"a","title":"A","instrument":"grant_aid","status":"cancelled"},
      {"record":"flow","id":"env","activity":"a","kind":"disbursement","money":{"amount":"10","currency":"USD","value_date":"2023-01-01"}},
      {"record":"flow","id":"c1","activity":"a","kind":"disbursement","parent_flow":"env","money":{"amount":"8","currency":"USD","value_date":"2023-01-01"}},
      {"record":"flow","id":"c2","activity":"a","kind":"disbursement","parent_flow":"env","money":{"amount":"8","currency":"USD","value_date":"2023-01-01"}},
      {"record":"flow","id":"k","activity":"a","kind":"commitment","money":{"amount":"99","currency":"USD","value_date":"2023-01-01"}}
    ]"#,
    )
    .expect("ledger");
    let findings = app.check().expect("check");
    assert!(
        findings
            .iter()
            .any(|f| f.rule == "LEDGER-OVERALLOC" && f.record.as_str() == "env")
    );
    let report = app.totals(GroupBy::Year, &usd()).expect("totals");
    assert!(
        report.rows.iter().all(|r| r.kind.as_str() != "commitment"),
        "void commitment counted"
    );
}

#[test]
fn missing_rates_are_reported_as_unconverted_never_zero() {
    let (_dir, mut app) = open();
    load(
        &mut app,
        r#"[
      {"record":"activity","id":"a","title":"A","instrument":"grant_aid","status":"implementation"},
      {"record":"flow","id":"f","activity":"a","kind":"disbursement","money":{"amount":"10","currency":"UAH","value_date":"1980-01-01"}}
    ]"#,
    )
    .expect("ledger");
    let report = app.totals(GroupBy::Year, &usd()).expect("totals");
    let row = &report.rows[0];
    assert_eq!(row.converted, None);
    assert!(!row.converted_complete);
    assert_eq!(row.unconverted[0].flow.as_str(), "f");
    assert!(
        app.check()
            .expect("check")
            .iter()
            .any(|f| f.rule == "FX-MISSING")
    );
}

#[test]
fn imported_rates_are_used_atomic_and_idempotent() {
    let (_dir, mut app) = open();
    let csv = "Date,Rate,Currency,Frequency,Source\n2024-05-01,156,JPY,M,Bank of Japan\n";
    assert_eq!(app.import_rates("t", csv).expect("import").created, 1);
    assert_eq!(app.import_rates("t", csv).expect("again").changed(), 0);
    let bad =
        "Date,Rate,Currency,Frequency,Source\n2024-06-01,150,JPY,M,x\n2024-07-01,oops,JPY,M,x\n";
    let err = app.import_rates("t", bad).expect_err("bad row");
    assert!(err.to_string().contains("line 3"), "{err}");
    assert_eq!(
        app.store().fx_rates().expect("rates").len(),
        1,
        "a bad file imports nothing"
    );
    let money = aidtrace_domain::Money::new(
        Decimal::from(156),
        CurrencyCode::parse("JPY").expect("jpy"),
        chrono::NaiveDate::from_ymd_opt(2024, 5, 10),
    )
    .expect("money");
    let c = app.convert(&money, &usd()).expect("convert");
    assert_eq!(c.amount, Decimal::ONE);
    assert!(c.source.contains("Bank of Japan"));
}

#[test]
fn the_shared_monthly_table_imports_and_wins_over_the_annual_rate() {
    let shared = std::env::var("AIDTRACE_SHARED")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
        });
    let path = shared.join("data/fx/iaticloud_currency_monthlyaverage_sdr.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        assert!(
            std::env::var("CI").is_err(),
            "{} is missing under CI",
            path.display()
        );
        eprintln!("skipped: {} not found", path.display());
        return;
    };
    let (_dir, mut app) = open();
    let report = app.import_rates("test", &text).expect("import monthly");
    assert!(report.created > 10_000, "{report:?}");
    let money = aidtrace_domain::Money::new(
        Decimal::from(108_700_000),
        CurrencyCode::parse("JPY").expect("jpy"),
        chrono::NaiveDate::from_ymd_opt(2024, 5, 29),
    )
    .expect("money");
    let c = app.convert(&money, &usd()).expect("convert");
    assert!(c.source.contains("monthly average 2024-05"), "{}", c.source);
    assert!(
        c.amount > Decimal::from(690_000) && c.amount < Decimal::from(710_000),
        "{}",
        c.amount
    );
}

#[test]
fn budgets_are_kept_apart_from_flows_and_checked() {
    let (_dir, mut app) = open();
    load(
        &mut app,
        r#"[
      {"record":"activity","id":"a","title":"A","instrument":"grant_aid","status":"implementation"},
      {"record":"budget","id":"b1","activity":"a","kind":"original","status":"committed",
       "period_start":"2024-01-01","period_end":"2024-12-31","money":{"amount":"500","currency":"USD","value_date":"2024-01-01"}}
    ]"#,
    )
    .expect("budget");
    assert_eq!(app.ledger().expect("ledger").budgets.len(), 1);
    assert!(
        app.totals(GroupBy::Year, &usd())
            .expect("totals")
            .rows
            .is_empty(),
        "a budget is not a flow"
    );
    let err = load(
        &mut app,
        r#"[{"record":"budget","id":"b2","activity":"a","kind":"revised",
       "period_start":"2024-12-31","period_end":"2024-01-01","money":{"amount":"1","currency":"USD"}}]"#,
    )
    .expect_err("backwards period");
    assert!(err.to_string().contains("period_end"), "{err}");
}

#[test]
fn reversals_are_subtracted_from_totals() {
    let (_dir, mut app) = open();
    load(
        &mut app,
        r#"[
      {"record":"activity","id":"a","title":"A","instrument":"grant_aid","status":"implementation"},
      {"record":"flow","id":"d","activity":"a","kind":"disbursement","money":{"amount":"100","currency":"USD","value_date":"2023-01-01"}},
      {"record":"flow","id":"r","activity":"a","kind":"disbursement","reversal":true,"money":{"amount":"30","currency":"USD","value_date":"2023-03-01"}}
    ]"#,
    )
    .expect("ledger");
    let report = app.totals(GroupBy::Year, &usd()).expect("totals");
    assert_eq!(
        report.rows[0].converted,
        Some(Sum::Exact(Decimal::from(70)))
    );
    assert_eq!(
        report.rows[0].original.values().next(),
        Some(&Sum::Exact(Decimal::from(70)))
    );
}

#[test]
fn generic_writes_run_the_asset_history_rules_and_history_is_never_deleted() {
    let (_dir, mut app) = open();
    app.load_demo("test").expect("demo");
    let ledger = app.ledger().expect("ledger");
    let event = ledger
        .asset_events
        .values()
        .next()
        .expect("the demo has asset events")
        .clone();
    // The same event id with a different content is an edit of history, refused on the generic path too.
    let mut edited =
        serde_json::to_value(aidtrace_domain::Record::AssetEvent(event.clone())).expect("json");
    edited["note"] = serde_json::json!("rewritten");
    let err = app
        .load_json("test", &serde_json::json!([edited]).to_string())
        .expect_err("editing a stored event must be refused");
    assert!(err.is_bad_input(), "{err}");
    eprintln!("refused as: {err}");
    assert!(
        !err.to_string().contains("unknown field"),
        "refused for the wrong reason: {err}"
    );
    let err = app
        .delete("test", RecordKind::AssetEvent, &event.id)
        .expect_err("deleting history must be refused");
    assert!(err.to_string().contains("append-only"), "{err}");
    assert!(app.verify_audit().expect("verify").ok());
}
