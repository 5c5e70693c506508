//! The binary on both backends: the same commands give the same figures on SQLite and
//! PostgreSQL, `store copy` moves a store either way with its audit chain, `serve`, accounts,
//! tokens and the change queue run on PostgreSQL, and bad URLs are refused by name. The PostgreSQL cases run when `AIDTRACE_TEST_PG` names a server (always
//! under CI).

mod kit;

use std::process::Output;

use aidtrace_store::pg_testing::TestDatabase;

fn aidtrace(dir: &std::path::Path, db: &str, args: &[&str]) -> Output {
    kit::run_on(dir, db, args)
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
fn accounts_tokens_and_the_change_queue_work_on_postgres() {
    let Some(pg) = TestDatabase::create() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    kit::add_admin_on(dir.path(), pg.url(), "ada");
    let token = ok(aidtrace(
        dir.path(),
        pg.url(),
        &["token", "create", "--name", "ada", "--label", "ci"],
    ));
    assert!(token.trim().len() > 20, "{token}");
    let users = ok(aidtrace(dir.path(), pg.url(), &["user", "list"]));
    assert!(users.starts_with("ada\tadmin"), "{users}");
    ok(aidtrace(
        dir.path(),
        pg.url(),
        &["user", "disable", "--name", "ada"],
    ));
    assert!(ok(aidtrace(dir.path(), pg.url(), &["user", "list"])).contains("disabled="));
    ok(aidtrace(dir.path(), pg.url(), &["changes", "list"]));
    // Every account and token change is in the chain (the start of account auditing, the
    // account, its token, the token's removal and the disabling), verified against the rows.
    let verify = ok(aidtrace(dir.path(), pg.url(), &["audit", "verify"]));
    assert!(verify.starts_with("5 audit entries"), "{verify}");
    assert!(verify.contains("audit trail verified"), "{verify}");
}

#[test]
fn serve_runs_on_postgres() {
    use std::io::{Read, Write};
    let Some(pg) = TestDatabase::create() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut child = kit::command_on(dir.path(), pg.url())
        .args(["serve", "--demo", "--addr", &format!("127.0.0.1:{port}")])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start aidtrace serve");
    let started = std::time::Instant::now();
    let body = loop {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(120),
            "no dashboard from the server"
        );
        let answer = std::net::TcpStream::connect(("127.0.0.1", port)).and_then(|mut s| {
            write!(
                s,
                "GET /api/v1/dashboard HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
            )?;
            let mut raw = String::new();
            s.read_to_string(&mut raw)?;
            Ok(raw)
        });
        match answer {
            Ok(raw) if raw.starts_with("HTTP/1.1 200") => break raw,
            _ => std::thread::sleep(std::time::Duration::from_millis(200)),
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    // The demo was loaded into PostgreSQL and the dashboard counts its records.
    assert!(body.contains("\"activities\""), "{body}");
    let counts = ok(aidtrace(dir.path(), pg.url(), &["audit", "verify"]));
    assert!(counts.contains("audit trail verified"), "{counts}");
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

#[test]
fn a_connection_killed_mid_import_leaves_nothing_half_written() {
    let Some(pg) = TestDatabase::create() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    ok(aidtrace(dir.path(), pg.url(), &["demo"]));
    let before = ok(aidtrace(dir.path(), pg.url(), &["audit", "verify"]));
    // Enough records that the import is still writing when its connection is ended.
    let records: Vec<_> = (0..40_000)
        .map(|i| aidtrace_store::conformance::org(&format!("org-killed-{i}")))
        .collect();
    let file = dir.path().join("many.json");
    std::fs::write(&file, serde_json::json!({ "records": records }).to_string())
        .expect("write file");
    let mut child = kit::command_on(dir.path(), pg.url())
        .args(["load", file.to_str().expect("utf-8")])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start the import");
    // A backend of the import that has written (it holds a transaction id) is ended by the
    // server, as an administrator or a failover would.
    let started = std::time::Instant::now();
    loop {
        let ended = pg
            .execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                 WHERE datname = current_database() AND pid <> pg_backend_pid()
                   AND backend_xid IS NOT NULL",
            )
            .expect("terminate");
        if ended > 0 {
            break;
        }
        assert!(
            child.try_wait().expect("wait").is_none(),
            "the import ended before its connection could be killed"
        );
        assert!(
            started.elapsed() < std::time::Duration::from_secs(300),
            "the import never wrote"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let out = child.wait_with_output().expect("wait");
    assert!(!out.status.success(), "the import reported success");
    let err = String::from_utf8_lossy(&out.stderr);
    eprintln!("the import's message: {err}");
    assert!(
        err.contains("terminat") || err.contains("connection"),
        "no clear message: {err}"
    );
    // Nothing of the import is stored, and the chain is as it was.
    let orgs = ok(aidtrace(dir.path(), pg.url(), &["list", "organisation"]));
    assert!(!orgs.contains("org-killed-"), "{orgs}");
    assert_eq!(
        ok(aidtrace(dir.path(), pg.url(), &["audit", "verify"])),
        before
    );
}
