//! `aidtrace org …` end to end on a real SQLite file: merge, review, keep, aliases, and bad
//! input refused with exit code 2 and nothing written.

use std::process::Output;

use serde_json::Value;

mod kit;
use kit::{code, stderr, stdout};

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    /// A store holding the seed scenario.
    fn demo() -> Self {
        let env = Self {
            dir: tempfile::tempdir().expect("tempdir"),
        };
        let out = env.run(&["demo"]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        env
    }

    fn run(&self, args: &[&str]) -> Output {
        kit::run(self.dir.path(), args)
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
    }

    fn audit_entries(&self) -> usize {
        self.json(&["audit", "verify", "--format", "json"])["entries"]
            .as_u64()
            .expect("entries") as usize
    }
}

const MOFA_FILE: &str = r#"<?xml version="1.0"?>
<iati-activities version="2.03">
 <iati-activity last-updated-datetime="2024-01-01T00:00:00Z" default-currency="JPY">
  <iati-identifier>JP-FA-CLI1</iati-identifier>
  <reporting-org ref="JP-FA" type="10"><narrative>Japan - Ministry of Foreign Affairs</narrative></reporting-org>
  <title><narrative>Hospital equipment</narrative></title>
  <participating-org ref="JP-FA" role="1" type="10"><narrative>Japan - Ministry of Foreign Affairs</narrative></participating-org>
  <activity-status code="2"/>
  <recipient-country code="KZ"/>
  <transaction><transaction-type code="2"/><transaction-date iso-date="2024-02-01"/><value value-date="2024-02-01">1000000</value><provider-org ref="JP-FA"><narrative>Japan - Ministry of Foreign Affairs</narrative></provider-org></transaction>
 </iati-activity>
</iati-activities>"#;

#[test]
fn org_merge_links_an_imported_publisher_and_a_rerun_changes_nothing() {
    let env = Env::demo();
    std::fs::write(env.dir.path().join("mofa.xml"), MOFA_FILE).expect("write");
    let out = env.run(&["iati", "import", "mofa.xml"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let review = env.json(&["org", "review", "--format", "json"]);
    assert_eq!(
        review[0]["organisation"]["id"], "org-iati-JP-FA",
        "{review:#}"
    );
    let out = env.run(&["org", "merge", "org-iati-JP-FA", "org-gov-japan"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("merged org-iati-JP-FA into org-gov-japan"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        env.json(&["org", "review", "--format", "json"]),
        Value::Array(vec![])
    );
    let aliases = env.json(&["org", "aliases", "--format", "json"]);
    assert_eq!(aliases[0]["merged_id"], "org-iati-JP-FA", "{aliases:#}");
    let entries = env.audit_entries();
    let again = env.run(&["org", "merge", "org-iati-JP-FA", "org-gov-japan"]);
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    assert!(
        stdout(&again).contains("nothing changed"),
        "{}",
        stdout(&again)
    );
    assert_eq!(env.audit_entries(), entries);
}

#[test]
fn org_merge_into_itself_exits_2_and_names_the_field() {
    let env = Env::demo();
    let entries = env.audit_entries();
    let out = env.run(&["org", "merge", "org-jica", "org-jica"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("into = \"org-jica\""),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.audit_entries(), entries);
}

#[test]
fn org_merge_of_an_unknown_id_exits_2() {
    let env = Env::demo();
    let out = env.run(&["org", "merge", "org-nobody", "org-jica"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("from = \"org-nobody\""),
        "{}",
        stderr(&out)
    );
}

#[test]
fn org_merge_of_a_malformed_id_exits_2() {
    let env = Env::demo();
    let out = env.run(&["org", "merge", "not an id", "org-jica"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("FROM"), "{}", stderr(&out));
}

#[test]
fn org_keep_and_alias_are_audited_and_listed() {
    let env = Env::demo();
    std::fs::write(env.dir.path().join("mofa.xml"), MOFA_FILE).expect("write");
    assert_eq!(code(&env.run(&["iati", "import", "mofa.xml"])), 0);
    let out = env.run(&["org", "keep", "org-iati-JP-FA"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        env.json(&["org", "review", "--format", "json"]),
        Value::Array(vec![])
    );
    let out = env.run(&["org", "alias", "org-gov-japan", "Japan"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = env.run(&["org", "alias", "org-mofa-japan", "JAPAN"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("org-gov-japan"), "{}", stderr(&out));
    let aliases = env.json(&["org", "aliases", "--format", "json"]);
    assert_eq!(aliases.as_array().map(Vec::len), Some(1), "{aliases:#}");
}
