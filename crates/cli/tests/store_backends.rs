//! The binary on both backends: the same commands give the same figures on SQLite and
//! PostgreSQL, `store copy` moves a store either way with its audit chain, and bad URLs are
//! refused by name. The PostgreSQL cases run when `AIDTRACE_TEST_PG` names a server (always
//! under CI).

use std::process::{Command, Output};

use aidtrace_store::pg_testing::TestDatabase;

fn aidtrace(dir: &std::path::Path, db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aidtrace"))
        .current_dir(dir)
        .env_remove("AIDTRACE_CONFIG")
        .env("AIDTRACE_DB", db)
        .env("AIDTRACE_ACTOR", "tester")
        .args(args)
        .output()
        .expect("run aidtrace")
}

fn ok(output: Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

const TOTALS: &[&str] = &["report", "totals", "--by", "donor", "--format", "json"];

#[test]
fn the_demo_gives_the_same_totals_checks_and_audit_on_both_backends() {
    let Some(pg) = TestDatabase::create() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("a.db");
    let file = file.to_str().expect("utf-8");
    for db in [file, pg.url()] {
        ok(aidtrace(dir.path(), db, &["demo"]));
        // The second run changes nothing on either backend.
        assert!(ok(aidtrace(dir.path(), db, &["demo"])).contains("0 created, 0 updated"));
    }
    assert_eq!(
        ok(aidtrace(dir.path(), file, TOTALS)),
        ok(aidtrace(dir.path(), pg.url(), TOTALS))
    );
    let check = |db: &str| {
        let out = aidtrace(dir.path(), db, &["check", "--format", "json"]);
        String::from_utf8(out.stdout).expect("utf-8")
    };
    assert_eq!(check(file), check(pg.url()));
    assert!(
        ok(aidtrace(dir.path(), pg.url(), &["audit", "verify"])).contains("audit trail verified")
    );
}

#[test]
fn store_copy_moves_a_store_both_ways_with_its_chain() {
    let Some(pg) = TestDatabase::create() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let first = dir.path().join("first.db");
    let first = first.to_str().expect("utf-8");
    ok(aidtrace(dir.path(), first, &["demo"]));
    let copied = ok(aidtrace(
        dir.path(),
        first,
        &["store", "copy", first, pg.url()],
    ));
    assert!(copied.contains("both audit chains verified"), "{copied}");
    let back = dir.path().join("back.db");
    let back = back.to_str().expect("utf-8");
    ok(aidtrace(
        dir.path(),
        first,
        &["store", "copy", pg.url(), back],
    ));
    // The same head at all three ends: the chain came across entry for entry.
    let head = |db: &str| ok(aidtrace(dir.path(), db, &["audit", "verify"]));
    assert_eq!(head(first), head(pg.url()));
    assert_eq!(head(first), head(back));
    assert_eq!(
        ok(aidtrace(dir.path(), back, TOTALS)),
        ok(aidtrace(dir.path(), pg.url(), TOTALS))
    );
    // A second copy into the filled target is refused and changes nothing.
    let again = aidtrace(dir.path(), first, &["store", "copy", first, pg.url()]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("not empty"));
    assert_eq!(head(first), head(pg.url()));
}

#[test]
fn store_copy_refuses_a_missing_source_and_unknown_schemes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = aidtrace(
        dir.path(),
        "x.db",
        &["store", "copy", "nothing.db", "copy.db"],
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("FROM nothing.db does not exist"));
    assert!(!dir.path().join("copy.db").exists());
    let scheme = aidtrace(
        dir.path(),
        "x.db",
        &["store", "copy", "mysql://h/d", "copy.db"],
    );
    assert_eq!(scheme.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&scheme.stderr).contains("FROM: db mysql://"));
}

#[test]
fn sqlite_only_commands_refuse_a_postgres_url_by_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = aidtrace(dir.path(), "postgres://nobody@127.0.0.1:1/none", &["serve"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("aidtrace serve works on an SQLite store only so far"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_unreachable_postgres_url_is_a_clear_failure() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = aidtrace(
        dir.path(),
        "postgres://me:secret@127.0.0.1:1/none",
        &["check"],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot connect to PostgreSQL at postgres://me:***@127.0.0.1:1/none"),
        "{err}"
    );
    assert!(!err.contains("secret"));
}
