//! The `aidtrace` binary end to end on real SQLite files: the commands of the README walkthrough,
//! their exit codes, and bad input refused with nothing written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

mod kit;
use kit::{code, stderr, stdout};

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("aidtrace.db")
    }

    fn run(&self, args: &[&str]) -> Output {
        kit::run(self.dir.path(), args)
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("write file");
        path
    }
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(out)))
}

#[test]
fn the_readme_walkthrough_works_in_the_default_database() {
    let env = Env::new();
    let first = env.run(&["demo"]);
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    assert!(
        env.dir.path().join("aidtrace.db").exists(),
        "default database is ./aidtrace.db"
    );
    let again = env.run(&["demo"]);
    assert!(
        stdout(&again).contains("0 created, 0 updated"),
        "{}",
        stdout(&again)
    );

    let totals = env.run(&["report", "totals", "--by", "donor", "--format", "json"]);
    assert_eq!(code(&totals), 0, "{}", stderr(&totals));
    let report = json(&totals);
    let rows = report["rows"].as_array().expect("rows");
    assert!(
        rows.iter()
            .any(|r| r["key"] == "Government of Japan" && r["kind"] == "commitment")
    );
    assert_eq!(
        report["attribution"],
        "Source: International Monetary Fund; European Central Bank"
    );
    // The undated Semey commitment converts at the latest rate and is marked provisional.
    let commitment = rows
        .iter()
        .find(|r| r["key"] == "Government of Japan" && r["kind"] == "commitment")
        .expect("commitment row");
    assert_eq!(commitment["rates"][0]["provisional"], "2026-10-30");
    let csv = stdout(&env.run(&["report", "totals", "--by", "donor", "--format", "csv"]));
    assert!(
        csv.contains("provisional: latest rate, of 2026-10-30"),
        "{csv}"
    );
    assert!(csv.contains("691254.78 (provisional: 1 flow(s)"), "{csv}");
    // The basis in words, not the program's name for it.
    assert!(csv.contains("(latest available rate, provisional"), "{csv}");
    assert!(!csv.contains("LatestAvailableRate"), "{csv}");

    let check = env.run(&["check", "--format", "json"]);
    assert_eq!(code(&check), 1, "check finds the mismatch, so exits 1");
    let findings = json(&check);
    let mismatch = findings["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "FX-EQUIV")
        .expect("FX-EQUIV finding")
        .clone();
    assert_eq!(mismatch["record"], "flow-kz-semey-commitment");
    let ratio: f64 = mismatch["ratio"]
        .as_str()
        .expect("ratio")
        .parse()
        .expect("number");
    assert!((9.0..11.0).contains(&ratio), "ratio {ratio}");

    let verify = env.run(&["audit", "verify"]);
    assert_eq!(code(&verify), 0, "{}", stdout(&verify));
}

#[test]
fn every_grouping_and_format_prints() {
    let env = Env::new();
    assert_eq!(code(&env.run(&["demo"])), 0);
    for by in ["donor", "recipient", "region", "sector", "year", "facility"] {
        for format in ["table", "csv", "json"] {
            let out = env.run(&["report", "totals", "--by", by, "--format", format]);
            assert_eq!(code(&out), 0, "{by} {format}: {}", stderr(&out));
            assert!(!stdout(&out).is_empty());
        }
    }
    let csv = env.run(&["report", "totals", "--by", "region", "--format", "csv"]);
    assert!(
        stdout(&csv).contains("KZ / Abai region"),
        "{}",
        stdout(&csv)
    );
    let eur = env.run(&[
        "report",
        "totals",
        "--by",
        "donor",
        "--currency",
        "EUR",
        "--format",
        "json",
    ]);
    assert_eq!(json(&eur)["currency"], "EUR");
}

#[test]
fn tampering_with_the_audit_log_makes_verify_fail() {
    let env = Env::new();
    assert_eq!(code(&env.run(&["demo"])), 0);
    let conn = rusqlite::Connection::open(env.db()).expect("open");
    conn.execute_batch(
        "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'mallory' WHERE seq = 7;",
    )
    .expect("tamper");
    drop(conn);
    let out = env.run(&["audit", "verify", "--format", "json"]);
    assert_eq!(code(&out), 1);
    let v = json(&out);
    assert_eq!(v["ok"], false);
    assert!(
        v["problems"][0]
            .as_str()
            .expect("problem")
            .contains("entry 7"),
        "{v}"
    );
}

#[test]
fn a_recorded_head_detects_a_rewritten_chain() {
    let env = Env::new();
    assert_eq!(code(&env.run(&["demo"])), 0);
    let out = env.run(&["audit", "verify", "--expect-head", "deadbeef"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
}

#[test]
fn fx_convert_prints_rate_and_source_and_refuses_bad_input() {
    let env = Env::new();
    let out = env.run(&[
        "fx",
        "convert",
        "108700000",
        "JPY",
        "--to",
        "USD",
        "--date",
        "2024-05-29",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    // The ECB daily rates of that Wednesday: 108,700,000 × 1.0857 ÷ 170.74.
    assert!(text.contains("= 691200.6 USD"), "{text}");
    assert!(text.contains("European Central Bank"), "{text}");
    assert!(text.contains("daily reference rate 2024-05-29"), "{text}");
    assert!(!text.contains("provisional"), "{text}");
    let later = stdout(&env.run(&[
        "fx",
        "convert",
        "1000",
        "JPY",
        "--to",
        "USD",
        "--date",
        "2027-01-04",
    ]));
    assert!(
        later.contains("converted at the latest rate, of 2026-10-30"),
        "{later}"
    );
    for (args, needle) in [
        (
            vec![
                "fx",
                "convert",
                "abc",
                "JPY",
                "--to",
                "USD",
                "--date",
                "2024-01-01",
            ],
            "AMOUNT",
        ),
        (
            vec![
                "fx",
                "convert",
                "-5",
                "JPY",
                "--to",
                "USD",
                "--date",
                "2024-01-01",
            ],
            "negative",
        ),
        (
            vec![
                "fx",
                "convert",
                "5",
                "XYZ",
                "--to",
                "USD",
                "--date",
                "2024-01-01",
            ],
            "XYZ",
        ),
        (
            vec![
                "fx",
                "convert",
                "5",
                "JPY",
                "--to",
                "USD",
                "--date",
                "2024-13-01",
            ],
            "--date",
        ),
        (
            vec![
                "fx",
                "convert",
                "5",
                "JPY",
                "--to",
                "USD",
                "--date",
                "1901-01-01",
            ],
            "unconverted",
        ),
    ] {
        let out = env.run(&args);
        assert_eq!(code(&out), 2, "{args:?}");
        assert!(stderr(&out).contains(needle), "{args:?}: {}", stderr(&out));
        assert_eq!(
            stderr(&out).lines().count(),
            1,
            "one clear line: {}",
            stderr(&out)
        );
    }
}

#[test]
fn loading_bad_records_exits_2_and_writes_nothing() {
    let env = Env::new();
    let bad = env.file(
        "bad.json",
        r#"{"records": [
          {"record": "activity", "id": "a1", "title": "A", "instrument": "grant_aid", "status": "implementation"},
          {"record": "flow", "id": "f1", "activity": "nowhere", "kind": "commitment", "money": {"amount": "5", "currency": "USD"}}
        ]}"#,
    );
    let out = env.run(&["load", bad.to_str().expect("path")]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("nowhere"), "{}", stderr(&out));
    let list = env.run(&["list", "activity", "--format", "json"]);
    assert_eq!(
        json(&list),
        Value::Array(vec![]),
        "the good record of the batch was written"
    );
    let broken = env.file("broken.json", "{ not json");
    assert_eq!(code(&env.run(&["load", broken.to_str().expect("path")])), 2);
    assert_eq!(code(&env.run(&["load", "missing.json"])), 2);
}

#[test]
fn fx_import_is_atomic_and_then_used() {
    let env = Env::new();
    let good = env.file(
        "rates.csv",
        "Date,Rate,Currency,Frequency,Source\n2024-05-01,156,JPY,M,Bank of Japan\n",
    );
    let out = env.run(&["fx", "import", good.to_str().expect("path")]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = env.run(&[
        "fx",
        "convert",
        "156",
        "JPY",
        "--to",
        "USD",
        "--date",
        "2024-05-15",
    ]);
    assert!(
        stdout(&out).contains("1 USD") || stdout(&out).contains("= 1.00 USD"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("Bank of Japan"));
    let bad = env.file(
        "bad.csv",
        "Date,Rate,Currency,Frequency,Source\n2024-06-01,150,JPY,M,x\n2024-07-01,150,QQQ,M,x\n",
    );
    let out = env.run(&["fx", "import", bad.to_str().expect("path")]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("line 3"), "{}", stderr(&out));
}

#[test]
fn backup_copies_and_never_overwrites() {
    let env = Env::new();
    assert_eq!(code(&env.run(&["demo"])), 0);
    let target = env.dir.path().join("copy.db");
    let out = env.run(&["backup", target.to_str().expect("path")]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = env.run(&["--db", target.to_str().expect("path"), "audit", "verify"]);
    assert_eq!(code(&out), 0, "the backup verifies on its own");
    let out = env.run(&["backup", target.to_str().expect("path")]);
    assert_eq!(code(&out), 2);
}

#[test]
fn database_comes_from_flag_env_or_config_file() {
    let env = Env::new();
    let from_config = env.dir.path().join("from-config.db");
    env.file(
        "aidtrace.toml",
        &format!("db = {:?}\n", from_config.to_str().expect("path")),
    );
    assert_eq!(code(&env.run(&["demo"])), 0);
    assert!(from_config.exists(), "aidtrace.toml's db is used");
    let from_env = env.dir.path().join("from-env.db");
    let out = Command::new(env!("CARGO_BIN_EXE_aidtrace"))
        .current_dir(env.dir.path())
        .env("AIDTRACE_DB", &from_env)
        .arg("demo")
        .output()
        .expect("run");
    assert_eq!(code(&out), 0);
    assert!(from_env.exists(), "AIDTRACE_DB beats the file");
    let from_flag = env.dir.path().join("from-flag.db");
    let out = Command::new(env!("CARGO_BIN_EXE_aidtrace"))
        .current_dir(env.dir.path())
        .env("AIDTRACE_DB", &from_env)
        .args(["--db", from_flag.to_str().expect("path"), "demo"])
        .output()
        .expect("run");
    assert_eq!(code(&out), 0);
    assert!(from_flag.exists(), "--db beats the environment");
    env.file("aidtrace.toml", "dbb = \"typo.db\"\n");
    let out = env.run(&["demo"]);
    assert_eq!(code(&out), 2, "unknown config keys are refused");
    assert!(stderr(&out).contains("dbb"), "{}", stderr(&out));
}

#[test]
fn show_prints_a_record_with_its_history() {
    let env = Env::new();
    assert_eq!(code(&env.run(&["demo"])), 0);
    let out = env.run(&[
        "show",
        "flow",
        "flow-kz-semey-commitment",
        "--format",
        "json",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["record"]["money"]["amount"], "108700000");
    assert_eq!(v["history"][0]["actor"], "tester");
    assert_eq!(code(&env.run(&["show", "flow", "nope"])), 2);
    assert_eq!(code(&env.run(&["show", "spaceship", "x"])), 2);
    let _ = Path::new(".");
}

#[test]
fn iati_import_then_export_through_the_cli() {
    let shared = std::env::var("AIDTRACE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let file = shared.join("iati/real-data/dportal-covid-2021/dportal_58.xml");
    if !file.exists() {
        assert!(
            std::env::var("CI").is_err(),
            "{} is missing under CI",
            file.display()
        );
        return;
    }
    let env = Env::new();
    let path = file.to_str().expect("path");
    let out = env.run(&["iati", "import", path, "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["files"][0]["accepted"], 100);
    let again = json(&env.run(&["iati", "import", path, "--format", "json"]));
    assert_eq!(
        again["files"][0]["records_created"], 0,
        "re-import is idempotent"
    );
    assert_eq!(again["files"][0]["records_updated"], 0);
    let target = env.dir.path().join("export.xml");
    let out = env.run(&["iati", "export", "--out", target.to_str().expect("path")]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let check = env.run(&[
        "iati",
        "validate",
        target.to_str().expect("path"),
        "--format",
        "json",
    ]);
    let report = json(&check);
    let summary = if report.is_array() {
        &report[0]["summary"]
    } else {
        &report["summary"]
    };
    assert_eq!(summary["schema_valid"], summary["activities"], "{summary}");
    assert_eq!(code(&env.run(&["iati", "import", "/no/such/file.xml"])), 2);
    assert_eq!(
        code(&env.run(&["iati", "export", "--activity", "nope", "--out", "x.xml"])),
        2
    );
}

#[test]
fn fx_coverage_prints_first_and_last_date_per_currency_and_source() {
    let env = Env::new();
    let out = env.run(&["fx", "coverage", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let rows = json(&out)["coverage"].as_array().expect("rows").clone();
    let find = |currency: &str, source: &str| {
        rows.iter()
            .find(|r| r["currency"] == currency && r["source"] == source)
            .unwrap_or_else(|| panic!("{currency} {source} in {rows:?}"))
            .clone()
    };
    let jpy = find("JPY", "European Central Bank");
    assert_eq!(jpy["first"], "1999-01-04");
    assert_eq!(jpy["last"], "2026-10-30");
    assert_eq!(jpy["frequency"], "daily");
    let kzt = find("KZT", "International Monetary Fund");
    assert_eq!(kzt["last"], "2024-12-31");
    assert_eq!(kzt["frequency"], "annual");

    let rates = env.file(
        "rates.csv",
        "Date,Rate,Currency,Frequency,Source\n2025-06-30,510.5,KZT,M,National Bank of Kazakhstan\n",
    );
    let import = env.run(&["fx", "import", rates.to_str().expect("path")]);
    assert_eq!(code(&import), 0, "{}", stderr(&import));
    let csv = stdout(&env.run(&["fx", "coverage", "--format", "csv"]));
    assert!(
        csv.starts_with("currency,source,frequency,origin,first,last,rates\n"),
        "{csv}"
    );
    assert!(
        csv.contains("KZT,National Bank of Kazakhstan,monthly,imported,2025-06-30,2025-06-30,1"),
        "{csv}"
    );
    let table = stdout(&env.run(&["fx", "coverage"]));
    assert!(table.contains("European Central Bank"), "{table}");
}

#[test]
fn a_rate_file_with_a_duplicate_date_is_refused_naming_the_line() {
    let env = Env::new();
    let rates = env.file(
        "rates.csv",
        "Date,Rate,Currency,Frequency,Source\n2025-06-02,160,JPY,D,x\n2025-06-02,161,JPY,D,x\n",
    );
    let out = env.run(&["fx", "import", rates.to_str().expect("path")]);
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    assert!(stderr(&out).contains("line 3"), "{}", stderr(&out));
    let coverage = stdout(&env.run(&["fx", "coverage", "--format", "csv"]));
    assert!(!coverage.contains(",x,"), "nothing written: {coverage}");
}

const HUGE_FLOWS: &str = r#"{"records": [
  {"record": "activity", "id": "a1", "title": "A", "instrument": "grant_aid", "status": "implementation"},
  {"record": "flow", "id": "f1", "activity": "a1", "kind": "commitment", "money": {"amount": "AMOUNT", "currency": "USD", "value_date": "2024-01-01"}},
  {"record": "flow", "id": "f2", "activity": "a1", "kind": "commitment", "money": {"amount": "1000000000000000000", "currency": "USD", "value_date": "2024-01-01"}}
]}"#;

#[test]
fn loading_a_flow_beyond_the_amount_bound_exits_2_naming_the_field() {
    let env = Env::new();
    let file = env.file(
        "huge.json",
        &HUGE_FLOWS.replace("AMOUNT", "1000000000000000001"),
    );
    let out = env.run(&["load", file.to_str().expect("path")]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("money.amount"), "{}", stderr(&out));
    assert!(stderr(&out).contains("10^18"), "{}", stderr(&out));
    let list = env.run(&["list", "flow", "--format", "json"]);
    assert_eq!(json(&list), Value::Array(vec![]), "nothing written");
}

#[test]
fn loading_an_amount_with_29_decimal_places_exits_2_instead_of_rounding() {
    let env = Env::new();
    let file = env.file(
        "precise.json",
        &HUGE_FLOWS.replace("AMOUNT", "0.12345678901234567890123456789"),
    );
    let out = env.run(&["load", file.to_str().expect("path")]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("money.amount"), "{}", stderr(&out));
}

#[test]
fn loading_a_nul_in_a_title_or_year_zero_exits_2_naming_the_field() {
    let env = Env::new();
    let nul = env.file(
        "nul.json",
        &HUGE_FLOWS
            .replace("AMOUNT", "5")
            .replace("\"title\": \"A\"", "\"title\": \"A\\u0000\""),
    );
    let out = env.run(&["load", nul.to_str().expect("path")]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("title"), "{}", stderr(&out));
    let year = env.file(
        "year.json",
        &HUGE_FLOWS
            .replace("AMOUNT", "5")
            .replacen("2024-01-01", "0000-01-01", 1),
    );
    let out = env.run(&["load", year.to_str().expect("path")]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("money.value_date"),
        "{}",
        stderr(&out)
    );
}

/// Two flows whose sum exceeds a decimal, written into the database behind validation's back
/// (as data stored before the bound existed would be): totals show an overflow cell and check
/// reports LEDGER-OVERFLOW, where both used to panic.
#[test]
fn huge_stored_flows_give_an_overflow_cell_and_finding_not_a_crash() {
    let env = Env::new();
    let file = env.file("ok.json", &HUGE_FLOWS.replace("AMOUNT", "5"));
    assert_eq!(code(&env.run(&["load", file.to_str().expect("path")])), 0);
    let conn = rusqlite::Connection::open(env.db()).expect("open");
    let changed = conn
        .execute(
            "UPDATE flows SET doc = json_set(doc, '$.money.amount', '79228162514264337593543950335')",
            [],
        )
        .expect("update");
    assert_eq!(changed, 2);
    drop(conn);

    let out = env.run(&["report", "totals", "--by", "donor", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["rows"][0]["converted"], "overflow", "{report}");
    assert_eq!(report["rows"][0]["original"]["USD"], "overflow", "{report}");
    let out = env.run(&["report", "totals", "--by", "donor"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("overflow"), "{}", stdout(&out));
    let out = env.run(&["report", "totals", "--by", "donor", "--format", "csv"]);
    assert!(stdout(&out).contains("overflow"), "{}", stdout(&out));

    let out = env.run(&["check", "--format", "json"]);
    assert_eq!(
        code(&out),
        1,
        "problems found, not a panic: {}",
        stderr(&out)
    );
    let findings = json(&out);
    let overflow: Vec<&Value> = findings["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "LEDGER-OVERFLOW")
        .collect();
    assert!(overflow.iter().any(|f| f["record"] == "a1"), "{findings}");
}

#[test]
fn backup_into_a_missing_folder_exits_2_with_a_clear_message() {
    let env = Env::new();
    assert_eq!(code(&env.run(&["demo"])), 0);
    let target = env.dir.path().join("no-such-folder").join("copy.db");
    let out = env.run(&["backup", target.to_str().expect("path")]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("does not exist"), "{}", stderr(&out));
}
