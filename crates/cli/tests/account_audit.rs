//! Account changes made with `aidtrace user add`, `token create` and `token revoke` are entries of
//! the audit hash chain (without password or token hashes), and `aidtrace audit verify` notices a
//! hand edit of an account row, a hand-added account and a hand edit of an account's entry.

use std::process::Output;

use serde_json::Value;

mod kit;

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    fn db(&self) -> std::path::PathBuf {
        self.dir.path().join("aidtrace.db")
    }

    fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Output {
        kit::run_with_stdin(self.dir.path(), args, stdin)
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_with_stdin(args, "")
    }

    fn sql(&self, sql: &str) {
        let conn = rusqlite::Connection::open(self.db()).expect("open");
        conn.execute_batch(sql).expect("sql");
    }

    fn verify(&self) -> (i32, Value) {
        let out = self.run(&["audit", "verify", "--format", "json"]);
        let v = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
        (out.status.code().unwrap_or(-1), v)
    }

    fn entries(&self, kind: &str) -> Vec<(String, String, Option<String>)> {
        let conn = rusqlite::Connection::open(self.db()).expect("open");
        let mut stmt = conn
            .prepare("SELECT actor, action, after FROM audit_log WHERE kind = ?1 ORDER BY seq")
            .expect("prepare");
        stmt.query_map([kind], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    }
}

fn ok(out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An account, a role change and a token, all audited and verified.
fn setup() -> (Env, String) {
    let env = Env::new();
    ok(&env.run(&["demo"]));
    ok(&env.run_with_stdin(
        &[
            "user",
            "add",
            "--name",
            "eve",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        "a long password one\n",
    ));
    ok(&env.run_with_stdin(
        &[
            "user",
            "add",
            "--name",
            "eve",
            "--role",
            "editor",
            "--org",
            "org-embassy-japan-kz",
            "--password-stdin",
        ],
        "a long password two\n",
    ));
    let out = env.run(&[
        "token", "create", "--name", "eve", "--label", "ci", "--days", "3",
    ]);
    ok(&out);
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (env, token)
}

#[test]
fn account_changes_are_audited_without_secrets_and_verify() {
    let (env, token) = setup();
    let accounts = env.entries("account");
    let actions: Vec<&str> = accounts.iter().map(|e| e.1.as_str()).collect();
    assert_eq!(actions, ["create", "create", "update"], "{accounts:?}");
    assert!(
        accounts[0].0.contains("auditing started"),
        "the start marker"
    );
    assert!(
        accounts[1..].iter().all(|e| e.0 == "tester"),
        "{accounts:?}"
    );
    let after = accounts[2].2.clone().expect("after");
    assert!(after.contains("\"role\":\"editor\"") && after.contains("org-embassy-japan-kz"));
    let tokens = env.entries("api_token");
    assert_eq!(tokens.len(), 1);
    assert!(
        tokens[0]
            .2
            .as_deref()
            .is_some_and(|t| t.contains("\"label\":\"ci\""))
    );

    // No password hash, token or token hash anywhere in the log.
    let conn = rusqlite::Connection::open(env.db()).expect("open");
    let (pw, th): (String, String) = conn
        .query_row(
            "SELECT a.password_hash, t.token_hash FROM web_accounts a JOIN web_tokens t ON t.account = a.name",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("rows");
    let log: String = conn
        .query_row(
            "SELECT group_concat(coalesce(before, '') || coalesce(after, ''), '|') FROM audit_log",
            [],
            |r| r.get(0),
        )
        .expect("log");
    for secret in [&pw, &th, &token, &"argon2".to_string()] {
        assert!(
            !log.contains(secret.as_str()),
            "a secret is in the audit log"
        );
    }
    drop(conn);
    let (code, v) = env.verify();
    assert_eq!(code, 0, "{v}");

    ok(&env.run(&["token", "revoke", "--name", "eve", "--label", "ci"]));
    let tokens = env.entries("api_token");
    assert_eq!(tokens.last().map(|t| t.1.as_str()), Some("delete"));
    assert_eq!(env.verify().0, 0);
    let again = env.run(&["token", "revoke", "--name", "eve", "--label", "ci"]);
    assert_eq!(
        again.status.code(),
        Some(2),
        "nothing left to revoke is a usage error"
    );
}

#[test]
fn a_hand_edited_role_is_detected() {
    let (env, _) = setup();
    env.sql("UPDATE web_accounts SET role = 'admin' WHERE name = 'eve'");
    let (code, v) = env.verify();
    assert_eq!(code, 1, "{v}");
    assert!(
        v["problems"]
            .to_string()
            .contains("account eve: stored row differs"),
        "{v}"
    );
}

#[test]
fn a_hand_added_scope_or_account_is_detected() {
    let (env, _) = setup();
    env.sql(
        "INSERT INTO web_account_scopes (account, kind, record_id) VALUES ('eve', 'organisation', 'org-gov-japan');
         INSERT INTO web_accounts (name, role, password_hash, created_at) VALUES ('mallory', 'admin', 'x', 'now');",
    );
    let (code, v) = env.verify();
    assert_eq!(code, 1, "{v}");
    let problems = v["problems"].to_string();
    assert!(problems.contains("account eve: stored row differs"), "{v}");
    assert!(
        problems.contains("account mallory: exists with no audit entry"),
        "{v}"
    );
}

#[test]
fn a_hand_edited_account_entry_breaks_the_chain() {
    let (env, _) = setup();
    env.sql(
        "DROP TRIGGER audit_log_no_update;
         UPDATE audit_log SET after = replace(after, '\"editor\"', '\"admin\"')
         WHERE kind = 'account' AND action = 'update';",
    );
    let (code, v) = env.verify();
    assert_eq!(code, 1, "{v}");
    assert!(v["problems"].to_string().contains("altered"), "{v}");
}

fn session_count(env: &Env) -> i64 {
    let conn = rusqlite::Connection::open(env.db()).expect("open");
    conn.query_row(
        "SELECT count(*) FROM web_sessions WHERE account = 'eve'",
        [],
        |r| r.get(0),
    )
    .expect("count")
}

fn add_session(env: &Env, hash: &str) {
    env.sql(&format!(
        "INSERT INTO web_sessions (token_hash, account, csrf, created_at, expires_at)
         VALUES ('{hash}', 'eve', 'c', '2026-01-01T00:00:00Z', '2999-01-01T00:00:00Z')"
    ));
}

/// `user add` on an existing account (here only a new password) ends its sessions.
#[test]
fn replacing_a_password_ends_the_accounts_sessions() {
    let (env, _) = setup();
    add_session(&env, "s1");
    ok(&env.run_with_stdin(
        &[
            "user",
            "add",
            "--name",
            "eve",
            "--role",
            "editor",
            "--org",
            "org-embassy-japan-kz",
            "--password-stdin",
        ],
        "a long password three\n",
    ));
    assert_eq!(session_count(&env), 0);
    assert_eq!(env.verify().0, 0);
}

/// `user disable` ends sessions, revokes tokens (each audited), is an audited account update,
/// keeps `audit verify` clean, is listed, refuses new tokens, and `user add` enables again.
#[test]
fn disabling_an_account_ends_sessions_and_tokens_and_is_audited() {
    let (env, _) = setup();
    add_session(&env, "s1");
    let out = env.run(&["user", "disable", "--name", "eve"]);
    ok(&out);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("ended 1 session(s), revoked 1 token(s)"),
        "{said}"
    );
    assert_eq!(session_count(&env), 0);
    let accounts = env.entries("account");
    let last = accounts.last().expect("entry");
    assert_eq!((last.0.as_str(), last.1.as_str()), ("tester", "update"));
    assert!(last.2.as_deref().is_some_and(|a| a.contains("disabled_at")));
    let tokens = env.entries("api_token");
    assert_eq!(tokens.last().map(|t| t.1.as_str()), Some("delete"));
    assert_eq!(env.verify().0, 0);

    let list = env.run(&["user", "list"]);
    assert!(String::from_utf8_lossy(&list.stdout).contains("disabled="));
    let token = env.run(&["token", "create", "--name", "eve"]);
    assert_eq!(
        token.status.code(),
        Some(2),
        "no tokens for a disabled account"
    );
    assert!(String::from_utf8_lossy(&token.stderr).contains("disabled"));
    let again = env.run(&["user", "disable", "--name", "eve"]);
    ok(&again);
    assert!(String::from_utf8_lossy(&again.stdout).contains("already disabled"));
    assert_eq!(
        env.entries("account").len(),
        accounts.len(),
        "nothing new logged"
    );
    let unknown = env.run(&["user", "disable", "--name", "nobody"]);
    assert_eq!(unknown.status.code(), Some(2));

    // A hand re-enable is caught by verify; `user add` re-enables properly.
    env.sql("UPDATE web_accounts SET disabled_at = NULL WHERE name = 'eve'");
    assert_eq!(env.verify().0, 1);
    ok(&env.run_with_stdin(
        &[
            "user",
            "add",
            "--name",
            "eve",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        "a long password four\n",
    ));
    assert_eq!(env.verify().0, 0);
    let list = env.run(&["user", "list"]);
    assert!(!String::from_utf8_lossy(&list.stdout).contains("disabled="));
}
