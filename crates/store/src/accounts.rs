//! Storage for the web application: accounts with their scopes, sessions, API tokens and the
//! proposed changes that wait for approval. Kept apart from [`Store`](crate::Store) so that the
//! ledger's interface stays as it is: a proposed change reaches the ledger only through
//! `Store::apply`, when it is approved.
//!
//! Account and token changes are entries of the ledger's audit hash chain (kinds
//! [`ACCOUNT_KIND`] and [`TOKEN_KIND`]), holding what an auditor needs (name, role, scopes; a
//! token's account, label and dates) and never a password hash or a token hash, so the log can be
//! shown without handing out anything to sign in with. `Store::verify_audit` compares the live
//! rows with their last audited state, as it does for records. Sessions are not audited: they
//! are sign-ins, not changes of who may do what. Every audited change of an account (password,
//! role, scopes, disabling) ends its sessions in the same transaction, so nobody keeps acting
//! under the rights, or the password, the change took away; disabling also deletes its tokens.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use crate::sqlite::append_audit;
use crate::{SqliteStore, StoreError, StoreResult};

/// Audit kind of account changes (record id: the account name).
pub const ACCOUNT_KIND: &str = "account";
/// Audit kind of API token changes (record id: `account@created_at`; the token's hash stays out).
pub const TOKEN_KIND: &str = "api_token";
/// Record id of the entry that starts account auditing in a store. Accounts that existed before
/// it are recorded as they were (actor [`BASELINE_ACTOR`]); after it, an account or token row
/// without an entry was added by hand. (The log admits only create, update and delete.)
pub(crate) const AUDIT_START: &str = "*";
pub(crate) const BASELINE_ACTOR: &str = "aidtrace (accounts found when auditing started)";

/// A person or machine that signs in. `role` is kept as text here; the web layer gives it meaning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub name: String,
    pub role: String,
    pub organisations: Vec<String>,
    pub facilities: Vec<String>,
}

/// What disabling an account ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Disabled {
    pub sessions: usize,
    pub tokens: usize,
    /// Whether it was disabled already (nothing was changed or audited then).
    pub already: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub token_hash: String,
    pub account: String,
    pub csrf: String,
    pub created_at: String,
    pub expires_at: String,
}

/// The web application's own storage, domain-shaped like [`Store`](crate::Store). The queue of
/// proposed changes is its own seam, [`ChangeStore`](crate::ChangeStore), which every account
/// store also is.
pub trait AccountStore: crate::ChangeStore + Send {
    /// Names the person or process that account changes are audited as.
    fn set_actor(&mut self, actor: &str);
    /// Who account changes are audited as now.
    fn actor(&self) -> &str;

    /// Creates the account or replaces its role, password hash and scopes, enables it if it was
    /// disabled, and ends its sessions (its API tokens stay; they are revoked on their own).
    fn put_account(&mut self, account: &Account, password_hash: &str) -> StoreResult<()>;
    /// The account and its password hash; `None` for a disabled account, which can neither sign
    /// in nor act (and so looks to sign-in exactly like an unknown name).
    fn account(&self, name: &str) -> StoreResult<Option<(Account, String)>>;
    /// Every account, disabled ones included (see [`Self::disabled_at`]).
    fn accounts(&self) -> StoreResult<Vec<Account>>;
    /// When the account was disabled, if it is.
    fn disabled_at(&self, name: &str) -> StoreResult<Option<String>>;
    /// Disables the account at `at`, ends its sessions and deletes its API tokens, auditing the
    /// account change and each token's removal. `None` when there is no such account.
    fn disable_account(&mut self, name: &str, at: &str) -> StoreResult<Option<Disabled>>;

    fn create_session(&mut self, session: &SessionRow) -> StoreResult<()>;
    fn session(&self, token_hash: &str) -> StoreResult<Option<SessionRow>>;
    fn delete_session(&mut self, token_hash: &str) -> StoreResult<()>;
    /// Removes sessions that expired before `now` (RFC 3339, UTC); returns how many.
    fn purge_sessions(&mut self, now: &str) -> StoreResult<usize>;

    fn create_token(
        &mut self,
        token_hash: &str,
        account: &str,
        label: &str,
        created_at: &str,
        expires_at: Option<&str>,
    ) -> StoreResult<()>;
    /// The account a token belongs to, if the token exists and has not expired at `now`.
    fn token_account(&self, token_hash: &str, now: &str) -> StoreResult<Option<String>>;
    /// Deletes the account's tokens with this label; returns how many.
    fn revoke_tokens(&mut self, account: &str, label: &str) -> StoreResult<usize>;

    /// The sequence number of the latest audit entry. Every change to the ledger or the rates
    /// (from any process) moves it, so caches of derived reports can tell when to rebuild (account
    /// changes move it too, which costs at most one needless rebuild).
    fn ledger_version(&self) -> StoreResult<i64>;
}

/// [`AccountStore`] on the same SQLite file as the ledger, through its own connection (the
/// ledger's connection stays private to [`SqliteStore`]); WAL mode lets both work side by side.
pub struct SqliteAccounts {
    pub(crate) conn: Connection,
    /// Who the audit entries of account changes name.
    actor: String,
}

impl SqliteAccounts {
    /// Opens the accounts tables of the store at `path`, creating and migrating the file first.
    pub fn open(path: &Path) -> StoreResult<Self> {
        // Opening the ledger store runs every migration, this one's tables included.
        drop(SqliteStore::open(path)?);
        let conn = Connection::open(path)
            .map_err(|e| StoreError::Database(format!("cannot open {}: {e}", path.display())))?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let mut me = Self {
            conn,
            actor: "aidtrace".into(),
        };
        me.start_audit()?;
        Ok(me)
    }

    /// The first time a store is opened with account auditing, records the accounts and tokens
    /// already there and the start marker, all in one transaction.
    fn start_audit(&mut self) -> StoreResult<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if audit_started(&tx)? {
            return Ok(());
        }
        for (kind, id, view) in live_views(&tx)? {
            append_audit(&tx, BASELINE_ACTOR, "create", kind, &id, None, Some(&view))?;
        }
        let marker = r#"{"audit":"account and token changes are logged from here on"}"#;
        append_audit(
            &tx,
            BASELINE_ACTOR,
            "create",
            ACCOUNT_KIND,
            AUDIT_START,
            None,
            Some(marker),
        )?;
        tx.commit()?;
        Ok(())
    }

    fn scopes(&self, account: &str, kind: &str) -> StoreResult<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT record_id FROM web_account_scopes WHERE account = ?1 AND kind = ?2 ORDER BY record_id",
        )?;
        let rows = stmt
            .query_map(params![account, kind], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn load_account(&self, name: &str, role: String) -> StoreResult<Account> {
        Ok(Account {
            name: name.to_string(),
            role,
            organisations: self.scopes(name, "organisation")?,
            facilities: self.scopes(name, "facility")?,
        })
    }
}

fn audit_started(conn: &Connection) -> StoreResult<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM audit_log WHERE kind = ?1 AND record_id = ?2")?
        .query_row(params![ACCOUNT_KIND, AUDIT_START], |_| Ok(()))
        .optional()?
        .is_some())
}

/// What the audit log keeps of an account: everything but the password hash. `disabled_at`
/// appears only on disabled accounts, so the entries written before it existed still match.
fn account_view(conn: &Connection, name: &str) -> StoreResult<Option<String>> {
    let row: Option<(String, Option<String>)> = conn
        .prepare_cached("SELECT role, disabled_at FROM web_accounts WHERE name = ?1")?
        .query_row([name], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((role, disabled_at)) = row else {
        return Ok(None);
    };
    let mut scopes = conn.prepare_cached(
        "SELECT kind, record_id FROM web_account_scopes WHERE account = ?1 ORDER BY kind, record_id",
    )?;
    let scopes: Vec<(String, String)> = scopes
        .query_map([name], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(Some(account_view_text(name, &role, disabled_at, scopes)))
}

/// The audited view of an account from its row and its scopes (`(kind, record_id)`, ordered by
/// kind and id), the same text on every backend.
pub(crate) fn account_view_text(
    name: &str,
    role: &str,
    disabled_at: Option<String>,
    scopes: Vec<(String, String)>,
) -> String {
    let (mut organisations, mut facilities) = (Vec::new(), Vec::new());
    for (kind, id) in scopes {
        if kind == "organisation" {
            organisations.push(id);
        } else {
            facilities.push(id);
        }
    }
    let mut view = serde_json::json!({
        "name": name,
        "role": role,
        "organisations": organisations,
        "facilities": facilities,
    });
    if let Some(at) = disabled_at {
        view["disabled_at"] = serde_json::Value::String(at);
    }
    view.to_string()
}

/// Deletes the account's tokens, auditing each removal; returns how many.
fn delete_tokens(tx: &Connection, actor: &str, rows: &[TokenRow]) -> StoreResult<usize> {
    for (account, label, created, expires) in rows {
        tx.execute(
            "DELETE FROM web_tokens WHERE account = ?1 AND label = ?2 AND created_at = ?3",
            params![account, label, created],
        )?;
        let (id, view) = token_view(account, label, created, expires.as_deref());
        append_audit(tx, actor, "delete", TOKEN_KIND, &id, Some(&view), None)?;
    }
    Ok(rows.len())
}

/// What the audit log keeps of a token (never its hash), and the id it is logged under.
pub(crate) fn token_view(
    account: &str,
    label: &str,
    created: &str,
    expires: Option<&str>,
) -> (String, String) {
    (
        format!("{account}@{created}"),
        serde_json::json!({
            "account": account,
            "label": label,
            "created_at": created,
            "expires_at": expires,
        })
        .to_string(),
    )
}

type TokenRow = (String, String, String, Option<String>);

/// Tokens: all (`None`), or one account's (with a label: only those with it).
fn token_rows(
    conn: &Connection,
    filter: Option<(&str, Option<&str>)>,
) -> StoreResult<Vec<TokenRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT account, label, created_at, expires_at FROM web_tokens
         WHERE ?1 IS NULL OR (account = ?1 AND (?2 IS NULL OR label = ?2)) ORDER BY account, created_at",
    )?;
    let rows = stmt
        .query_map(params![filter.map(|f| f.0), filter.map(|f| f.1)], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Every live account and token as (audit kind, record id, audited view).
fn live_views(conn: &Connection) -> StoreResult<Vec<(&'static str, String, String)>> {
    let mut out = Vec::new();
    let names: Vec<String> = conn
        .prepare("SELECT name FROM web_accounts ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for name in names {
        if let Some(view) = account_view(conn, &name)? {
            out.push((ACCOUNT_KIND, name, view));
        }
    }
    for (account, label, created, expires) in token_rows(conn, None)? {
        let (id, view) = token_view(&account, &label, &created, expires.as_deref());
        out.push((TOKEN_KIND, id, view));
    }
    Ok(out)
}

/// Compares live accounts and tokens with their last audited state and takes their entries out
/// of `last_state` (the ledger's check reports what is left). Stores never opened with account
/// auditing have no start marker; their accounts are not reported as unaudited.
pub(crate) fn verify_rows(
    conn: &Connection,
    last_state: &mut std::collections::HashMap<(String, String), Option<String>>,
) -> StoreResult<Vec<String>> {
    Ok(compare_rows(
        audit_started(conn)?,
        live_views(conn)?,
        last_state,
    ))
}

/// [`verify_rows`] once the rows are read: the same comparison on every backend. `started`:
/// whether the log holds the start marker.
pub(crate) fn compare_rows(
    started: bool,
    live: Vec<(&'static str, String, String)>,
    last_state: &mut std::collections::HashMap<(String, String), Option<String>>,
) -> Vec<String> {
    let mut problems = Vec::new();
    last_state.remove(&(ACCOUNT_KIND.to_string(), AUDIT_START.to_string()));
    for (kind, id, view) in live {
        match last_state.remove(&(kind.to_string(), id.clone())) {
            Some(Some(after)) if after == view => {}
            Some(Some(_)) => problems.push(format!(
                "{kind} {id}: stored row differs from its last audited state (changed outside aidtrace)"
            )),
            Some(None) => problems.push(format!(
                "{kind} {id}: exists although the log records its removal"
            )),
            None if started => problems.push(format!(
                "{kind} {id}: exists with no audit entry (added outside aidtrace)"
            )),
            None => {}
        }
    }
    let left: Vec<(String, String)> = last_state
        .keys()
        .filter(|(k, _)| k == ACCOUNT_KIND || k == TOKEN_KIND)
        .cloned()
        .collect();
    for key in left {
        if let Some(Some(_)) = last_state.remove(&key) {
            problems.push(format!(
                "{} {}: audited but missing from the store",
                key.0, key.1
            ));
        }
    }
    problems
}

impl AccountStore for SqliteAccounts {
    fn set_actor(&mut self, actor: &str) {
        self.actor = actor.to_string();
    }

    fn actor(&self) -> &str {
        &self.actor
    }

    fn put_account(&mut self, account: &Account, password_hash: &str) -> StoreResult<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let before = account_view(&tx, &account.name)?;
        tx.execute(
            "INSERT INTO web_accounts (name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash,
                 disabled_at = NULL",
            params![
                account.name,
                account.role,
                password_hash,
                chrono::Utc::now().to_rfc3339()
            ],
        )?;
        tx.execute(
            "DELETE FROM web_account_scopes WHERE account = ?1",
            [&account.name],
        )?;
        for (kind, ids) in [
            ("organisation", &account.organisations),
            ("facility", &account.facilities),
        ] {
            for id in ids {
                tx.execute(
                    "INSERT OR IGNORE INTO web_account_scopes (account, kind, record_id) VALUES (?1, ?2, ?3)",
                    params![account.name, kind, id],
                )?;
            }
        }
        // A new password or narrower rights must not leave a stolen or old session working.
        tx.execute(
            "DELETE FROM web_sessions WHERE account = ?1",
            [&account.name],
        )?;
        let after = account_view(&tx, &account.name)?;
        // The password is always replaced, so there is always an entry; one with the same
        // before and after records a password change.
        let action = if before.is_some() { "update" } else { "create" };
        append_audit(
            &tx,
            &self.actor,
            action,
            ACCOUNT_KIND,
            &account.name,
            before.as_deref(),
            after.as_deref(),
        )?;
        tx.commit()?;
        Ok(())
    }

    fn account(&self, name: &str) -> StoreResult<Option<(Account, String)>> {
        let row: Option<(String, String)> = self
            .conn
            .prepare_cached(
                "SELECT role, password_hash FROM web_accounts WHERE name = ?1 AND disabled_at IS NULL",
            )?
            .query_row([name], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match row {
            None => Ok(None),
            Some((role, hash)) => Ok(Some((self.load_account(name, role)?, hash))),
        }
    }

    fn accounts(&self) -> StoreResult<Vec<Account>> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, role FROM web_accounts ORDER BY name")?;
        let rows: Vec<(String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(name, role)| self.load_account(&name, role))
            .collect()
    }

    fn disabled_at(&self, name: &str) -> StoreResult<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT disabled_at FROM web_accounts WHERE name = ?1")?
            .query_row([name], |r| r.get::<_, Option<String>>(0))
            .optional()?
            .flatten())
    }

    fn disable_account(&mut self, name: &str, at: &str) -> StoreResult<Option<Disabled>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let Some(before) = account_view(&tx, name)? else {
            return Ok(None);
        };
        let already = tx.execute(
            "UPDATE web_accounts SET disabled_at = ?2 WHERE name = ?1 AND disabled_at IS NULL",
            params![name, at],
        )? == 0;
        // Sessions and tokens are ended even when it was disabled already: a row added by hand
        // since then must not outlive the command that was meant to stop the account.
        let sessions = tx.execute("DELETE FROM web_sessions WHERE account = ?1", [name])?;
        let tokens = delete_tokens(&tx, &self.actor, &token_rows(&tx, Some((name, None)))?)?;
        if !already {
            let after = account_view(&tx, name)?;
            append_audit(
                &tx,
                &self.actor,
                "update",
                ACCOUNT_KIND,
                name,
                Some(&before),
                after.as_deref(),
            )?;
        }
        tx.commit()?;
        Ok(Some(Disabled {
            sessions,
            tokens,
            already,
        }))
    }

    fn create_session(&mut self, s: &SessionRow) -> StoreResult<()> {
        self.conn.execute(
            "INSERT INTO web_sessions (token_hash, account, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![s.token_hash, s.account, s.csrf, s.created_at, s.expires_at],
        )?;
        Ok(())
    }

    fn session(&self, token_hash: &str) -> StoreResult<Option<SessionRow>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT token_hash, account, csrf, created_at, expires_at FROM web_sessions WHERE token_hash = ?1",
            )?
            .query_row([token_hash], |r| {
                Ok(SessionRow {
                    token_hash: r.get(0)?,
                    account: r.get(1)?,
                    csrf: r.get(2)?,
                    created_at: r.get(3)?,
                    expires_at: r.get(4)?,
                })
            })
            .optional()?)
    }

    fn delete_session(&mut self, token_hash: &str) -> StoreResult<()> {
        self.conn.execute(
            "DELETE FROM web_sessions WHERE token_hash = ?1",
            [token_hash],
        )?;
        Ok(())
    }

    fn purge_sessions(&mut self, now: &str) -> StoreResult<usize> {
        Ok(self
            .conn
            .execute("DELETE FROM web_sessions WHERE expires_at < ?1", [now])?)
    }

    fn create_token(
        &mut self,
        token_hash: &str,
        account: &str,
        label: &str,
        created_at: &str,
        expires_at: Option<&str>,
    ) -> StoreResult<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO web_tokens (token_hash, account, label, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![token_hash, account, label, created_at, expires_at],
        )?;
        let (id, view) = token_view(account, label, created_at, expires_at);
        append_audit(
            &tx,
            &self.actor,
            "create",
            TOKEN_KIND,
            &id,
            None,
            Some(&view),
        )?;
        tx.commit()?;
        Ok(())
    }

    fn revoke_tokens(&mut self, account: &str, label: &str) -> StoreResult<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let rows = token_rows(&tx, Some((account, Some(label))))?;
        let n = delete_tokens(&tx, &self.actor, &rows)?;
        tx.commit()?;
        Ok(n)
    }

    fn token_account(&self, token_hash: &str, now: &str) -> StoreResult<Option<String>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT account FROM web_tokens WHERE token_hash = ?1 AND (expires_at IS NULL OR expires_at > ?2)",
            )?
            .query_row(params![token_hash, now], |r| r.get(0))
            .optional()?)
    }

    fn ledger_version(&self) -> StoreResult<i64> {
        Ok(self
            .conn
            .prepare_cached("SELECT seq FROM audit_head WHERE singleton = 1")?
            .query_row([], |r| r.get(0))
            .optional()?
            .unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open() -> (tempfile::TempDir, SqliteAccounts) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteAccounts::open(&dir.path().join("a.db")).expect("open");
        (dir, store)
    }

    /// Accounts made before auditing existed are recorded once, when the store is first opened
    /// with it; an account added by hand after that is reported.
    #[test]
    fn accounts_found_when_auditing_starts_are_recorded_once() {
        use crate::Store;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("old.db");
        drop(SqliteStore::open(&path).expect("migrate"));
        let raw = Connection::open(&path).expect("raw");
        let add = |name: &str| {
            raw.execute(
                "INSERT INTO web_accounts (name, role, password_hash, created_at) VALUES (?1, 'viewer', 'h', 't')",
                [name],
            )
            .expect("insert")
        };
        add("old");
        let mut accounts = SqliteAccounts::open(&path).expect("open");
        let verify = || {
            SqliteStore::open(&path)
                .expect("store")
                .verify_audit()
                .expect("verify")
        };
        assert!(verify().ok(), "{:?}", verify().problems);
        let log = SqliteStore::open(&path)
            .expect("store")
            .audit_log(None)
            .expect("log");
        assert_eq!(log.len(), 2, "the old account and the start marker");
        assert_eq!(log[0].actor, BASELINE_ACTOR);
        assert_eq!(log[0].record_id, "old");
        // Opening again records nothing more.
        drop(SqliteAccounts::open(&path).expect("reopen"));
        assert_eq!(verify().entries, 2);
        add("sneaky");
        assert_eq!(
            verify().problems,
            ["account sneaky: exists with no audit entry (added outside aidtrace)"]
        );
        // Replacing the password alone is still an entry.
        let old = accounts.account("old").expect("get").expect("exists").0;
        accounts.put_account(&old, "h2").expect("put");
        let last = SqliteStore::open(&path)
            .expect("store")
            .audit_log(None)
            .expect("log");
        let e = last.last().expect("entry");
        assert_eq!((e.action.as_str(), e.before == e.after), ("update", true));
    }

    fn session(s: &mut SqliteAccounts, hash: &str, account: &str) {
        s.create_session(&SessionRow {
            token_hash: hash.into(),
            account: account.into(),
            csrf: "c".into(),
            created_at: "2026-01-01T00:00:00Z".into(),
            expires_at: "2999-01-01T00:00:00Z".into(),
        })
        .expect("session");
    }

    fn viewer(name: &str) -> Account {
        Account {
            name: name.into(),
            role: "viewer".into(),
            organisations: vec![],
            facilities: vec![],
        }
    }

    /// A new password (or role, or scope) ends the account's sessions, not other accounts'.
    #[test]
    fn replacing_an_account_ends_its_sessions() {
        let (_d, mut s) = open();
        s.put_account(&viewer("vic"), "h1").expect("put");
        s.put_account(&viewer("other"), "h1").expect("put");
        session(&mut s, "s-vic", "vic");
        session(&mut s, "s-other", "other");
        s.create_token("t", "vic", "ci", "2026-01-01T00:00:00Z", None)
            .expect("token");
        let mut editor = viewer("vic");
        editor.role = "editor".into();
        s.put_account(&editor, "h2").expect("replace");
        assert!(s.session("s-vic").expect("q").is_none());
        assert!(s.session("s-other").expect("q").is_some());
        // Tokens are revoked on their own; a password change leaves them.
        assert_eq!(
            s.token_account("t", "2026-02-01T00:00:00Z")
                .expect("q")
                .as_deref(),
            Some("vic")
        );
    }

    /// Disabling ends sessions and tokens, hides the account from sign-in, is audited (the
    /// account update and each token's removal) and verifies; `put_account` enables it again.
    #[test]
    fn disabling_ends_sessions_and_tokens_and_is_audited() {
        use crate::Store;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("d.db");
        let mut s = SqliteAccounts::open(&path).expect("open");
        s.put_account(&viewer("vic"), "h1").expect("put");
        session(&mut s, "s-vic", "vic");
        s.create_token("t1", "vic", "ci", "2026-01-01T00:00:00Z", None)
            .expect("token");
        s.create_token("t2", "vic", "other", "2026-01-02T00:00:00Z", None)
            .expect("token");
        let done = s
            .disable_account("vic", "2026-03-01T00:00:00Z")
            .expect("disable")
            .expect("exists");
        assert_eq!(
            done,
            Disabled {
                sessions: 1,
                tokens: 2,
                already: false
            }
        );
        assert!(s.account("vic").expect("q").is_none(), "cannot sign in");
        assert!(s.session("s-vic").expect("q").is_none());
        assert!(
            s.token_account("t1", "2026-02-01T00:00:00Z")
                .expect("q")
                .is_none()
        );
        assert_eq!(
            s.disabled_at("vic").expect("q").as_deref(),
            Some("2026-03-01T00:00:00Z")
        );
        assert_eq!(s.accounts().expect("list").len(), 1, "still listed");
        let store = SqliteStore::open(&path).expect("store");
        let log = store.audit_log(None).expect("log");
        let tail: Vec<(&str, &str)> = log[log.len() - 3..]
            .iter()
            .map(|e| (e.kind.as_str(), e.action.as_str()))
            .collect();
        assert_eq!(
            tail,
            [
                (TOKEN_KIND, "delete"),
                (TOKEN_KIND, "delete"),
                (ACCOUNT_KIND, "update")
            ]
        );
        let last = log.last().expect("entry");
        assert!(
            last.after
                .as_deref()
                .is_some_and(|a| a.contains("\"disabled_at\":\"2026-03-01T00:00:00Z\""))
        );
        let v = store.verify_audit().expect("verify");
        assert!(v.ok(), "{:?}", v.problems);
        // Disabling again changes and audits nothing.
        let again = s
            .disable_account("vic", "2026-04-01T00:00:00Z")
            .expect("again");
        assert!(again.is_some_and(|d| d.already && d.tokens == 0));
        assert_eq!(store.audit_log(None).expect("log").len(), log.len());
        assert!(s.disable_account("nobody", "t").expect("q").is_none());
        // A hand re-enable is reported by verify.
        Connection::open(&path)
            .expect("raw")
            .execute("UPDATE web_accounts SET disabled_at = NULL", [])
            .expect("hand edit");
        assert!(!store.verify_audit().expect("verify").ok());
        // `user add` (a new password) enables it again, audited.
        s.put_account(&viewer("vic"), "h2").expect("put");
        assert!(s.account("vic").expect("q").is_some());
        assert!(store.verify_audit().expect("verify").ok());
    }

    #[test]
    fn account_scopes_round_trip_and_replace() {
        let (_d, mut s) = open();
        let mut acc = Account {
            name: "ed".into(),
            role: "editor".into(),
            organisations: vec!["org-a".into(), "org-b".into()],
            facilities: vec![],
        };
        s.put_account(&acc, "h1").expect("put");
        let (got, hash) = s.account("ed").expect("get").expect("exists");
        assert_eq!(got, acc);
        assert_eq!(hash, "h1");
        acc.organisations = vec!["org-c".into()];
        s.put_account(&acc, "h2").expect("replace");
        assert_eq!(s.account("ed").expect("get").expect("exists").0, acc);
        assert_eq!(s.accounts().expect("list").len(), 1);
        assert!(s.account("nobody").expect("get").is_none());
    }

    #[test]
    fn ledger_version_follows_the_audit_head() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("v.db");
        let accounts = SqliteAccounts::open(&path).expect("open");
        // Opening starts account auditing: one entry.
        assert_eq!(accounts.ledger_version().expect("v0"), 1);
        let mut store = SqliteStore::open(&path).expect("store");
        let source = aidtrace_domain::model::Source {
            id: aidtrace_domain::RecordId::parse("src-1").expect("id"),
            title: "t".into(),
            kind: aidtrace_domain::model::SourceKind::Other,
            url: None,
            publisher: None,
            published: None,
            language: None,
        };
        crate::Store::apply(
            &mut store,
            "t",
            &[crate::Change::Put(aidtrace_domain::Record::Source(source))],
        )
        .expect("apply");
        assert_eq!(accounts.ledger_version().expect("v1"), 2);
    }

    #[test]
    fn expired_tokens_and_sessions_are_not_honoured() {
        let (_d, mut s) = open();
        s.put_account(
            &Account {
                name: "bot".into(),
                role: "viewer".into(),
                organisations: vec![],
                facilities: vec![],
            },
            "h",
        )
        .expect("put");
        s.create_token(
            "t",
            "bot",
            "ci",
            "2026-01-01T00:00:00Z",
            Some("2026-06-01T00:00:00Z"),
        )
        .expect("token");
        assert_eq!(
            s.token_account("t", "2026-02-01T00:00:00Z")
                .expect("q")
                .as_deref(),
            Some("bot")
        );
        assert!(
            s.token_account("t", "2026-07-01T00:00:00Z")
                .expect("q")
                .is_none()
        );
        s.create_session(&SessionRow {
            token_hash: "s".into(),
            account: "bot".into(),
            csrf: "c".into(),
            created_at: "2026-01-01T00:00:00Z".into(),
            expires_at: "2026-01-02T00:00:00Z".into(),
        })
        .expect("session");
        assert_eq!(s.purge_sessions("2026-01-03T00:00:00Z").expect("purge"), 1);
        assert!(s.session("s").expect("q").is_none());
    }
}
