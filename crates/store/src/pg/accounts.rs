//! Web accounts, sessions, API tokens and the change queue on PostgreSQL: the twin of
//! [`SqliteAccounts`](crate::SqliteAccounts), with the same audited views (built by the same
//! functions) so the log reads the same on both backends and `store copy` moves it as it is.
//! Every audited change locks the chain's head as a record write does, so it chains correctly
//! beside writers in other processes.

use std::sync::{Mutex, MutexGuard};

use postgres::{GenericClient, Transaction};

use super::{Chain, Conn, PgStore, blocking, lock_conn};
use crate::accounts::{
    ACCOUNT_KIND, AUDIT_START, BASELINE_ACTOR, TOKEN_KIND, account_view_text, compare_rows,
    token_view,
};
use crate::changes::{CHANGE_COLUMNS, ChangeGroup, stored_state};
use crate::{
    Account, AccountStore, ChangeRow, ChangeState, ChangeStore, Disabled, SessionRow, StoreError,
    StoreResult,
};

/// [`AccountStore`] in the same PostgreSQL database as the records, through its own connection.
pub struct PgAccounts {
    /// Queries need `&mut`; the trait reads through `&self`. Every call runs through
    /// [`blocking`], so any thread may make it (see [`PgStore`]).
    client: Mutex<Conn>,
    actor: String,
}

impl PgAccounts {
    /// Connects to `url`, migrating the schema first, and starts account auditing if this
    /// database has not yet.
    pub fn connect(url: &str) -> StoreResult<Self> {
        let store = PgStore::connect(url)?;
        let me = Self {
            client: Mutex::new(store.client.into_inner().map_err(|_| {
                StoreError::Database(
                    "the PostgreSQL connection was left unusable by an earlier failure".into(),
                )
            })?),
            actor: "aidtrace".into(),
        };
        me.start_audit()?;
        Ok(me)
    }

    /// The connection. Call it inside [`blocking`].
    fn client(&self) -> StoreResult<MutexGuard<'_, Conn>> {
        lock_conn(&self.client)
    }

    /// As `SqliteAccounts::start_audit`: the accounts and tokens already there and the start
    /// marker, once, in one transaction (the head lock makes two processes do it one by one).
    fn start_audit(&self) -> StoreResult<()> {
        blocking(|| {
            let mut client = self.client()?;
            let mut tx = client.transaction()?;
            let mut chain = Chain::lock(&mut tx)?;
            if audit_started(&mut tx)? {
                return Ok(());
            }
            for (kind, id, view) in live_views(&mut tx)? {
                let after = Some(view.as_str());
                chain.append(
                    &mut tx,
                    BASELINE_ACTOR,
                    ("create", kind, &id),
                    None,
                    after,
                    after,
                )?;
            }
            let marker = Some(r#"{"audit":"account and token changes are logged from here on"}"#);
            chain.append(
                &mut tx,
                BASELINE_ACTOR,
                ("create", ACCOUNT_KIND, AUDIT_START),
                None,
                marker,
                marker,
            )?;
            chain.store_head(&mut tx)?;
            tx.commit()?;
            Ok(())
        })
    }

    fn load_account(
        client: &mut impl GenericClient,
        name: &str,
        role: String,
    ) -> StoreResult<Account> {
        let rows = client.query(
            "SELECT kind, record_id FROM web_account_scopes WHERE account = $1 ORDER BY kind, record_id",
            &[&name],
        )?;
        let (mut organisations, mut facilities) = (Vec::new(), Vec::new());
        for r in rows {
            let (kind, id): (String, String) = (r.get(0), r.get(1));
            if kind == "organisation" {
                organisations.push(id);
            } else {
                facilities.push(id);
            }
        }
        Ok(Account {
            name: name.to_string(),
            role,
            organisations,
            facilities,
        })
    }
}

/// One audit entry in its own chain step: lock (a no-op when this transaction holds the lock
/// already), append, store the head.
fn audit(
    tx: &mut Transaction<'_>,
    actor: &str,
    (action, kind, id): (&str, &str, &str),
    before: Option<&str>,
    after: Option<&str>,
) -> StoreResult<()> {
    let mut chain = Chain::lock(tx)?;
    chain.append(tx, actor, (action, kind, id), before, after, after)?;
    chain.store_head(tx)
}

pub(super) fn audit_started(client: &mut impl GenericClient) -> StoreResult<bool> {
    Ok(client
        .query_opt(
            "SELECT 1 FROM audit_log WHERE kind = $1 AND record_id = $2",
            &[&ACCOUNT_KIND, &AUDIT_START],
        )?
        .is_some())
}

fn account_view(client: &mut impl GenericClient, name: &str) -> StoreResult<Option<String>> {
    let Some(row) = client.query_opt(
        "SELECT role, disabled_at FROM web_accounts WHERE name = $1",
        &[&name],
    )?
    else {
        return Ok(None);
    };
    let scopes = client
        .query(
            "SELECT kind, record_id FROM web_account_scopes WHERE account = $1 ORDER BY kind, record_id",
            &[&name],
        )?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let role: String = row.get(0);
    Ok(Some(account_view_text(name, &role, row.get(1), scopes)))
}

type TokenRow = (String, String, String, Option<String>);

/// Tokens: all (`None`), or one account's (with a label: only those with it).
fn token_rows(
    client: &mut impl GenericClient,
    filter: Option<(&str, Option<&str>)>,
) -> StoreResult<Vec<TokenRow>> {
    let (account, label) = (filter.map(|f| f.0), filter.and_then(|f| f.1));
    let rows = client.query(
        "SELECT account, label, created_at, expires_at FROM web_tokens
         WHERE $1::text IS NULL OR (account = $1 AND ($2::text IS NULL OR label = $2))
         ORDER BY account, created_at",
        &[&account, &label],
    )?;
    Ok(rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect())
}

fn delete_tokens(tx: &mut Transaction<'_>, actor: &str, rows: &[TokenRow]) -> StoreResult<usize> {
    for (account, label, created, expires) in rows {
        tx.execute(
            "DELETE FROM web_tokens WHERE account = $1 AND label = $2 AND created_at = $3",
            &[account, label, created],
        )?;
        let (id, view) = token_view(account, label, created, expires.as_deref());
        audit(tx, actor, ("delete", TOKEN_KIND, &id), Some(&view), None)?;
    }
    Ok(rows.len())
}

/// Every live account and token as (audit kind, record id, audited view).
fn live_views(client: &mut impl GenericClient) -> StoreResult<Vec<(&'static str, String, String)>> {
    let mut out = Vec::new();
    let names: Vec<String> = client
        .query("SELECT name FROM web_accounts ORDER BY name", &[])?
        .iter()
        .map(|r| r.get(0))
        .collect();
    for name in names {
        if let Some(view) = account_view(client, &name)? {
            out.push((ACCOUNT_KIND, name, view));
        }
    }
    for (account, label, created, expires) in token_rows(client, None)? {
        let (id, view) = token_view(&account, &label, &created, expires.as_deref());
        out.push((TOKEN_KIND, id, view));
    }
    Ok(out)
}

/// `audit verify`'s part for accounts and tokens on PostgreSQL: their last audited states
/// against the live rows, by the same comparison as on SQLite.
pub(super) fn verify_rows(tx: &mut Transaction<'_>) -> StoreResult<Vec<String>> {
    let mut last_state = std::collections::HashMap::new();
    for r in tx.query(
        "SELECT DISTINCT ON (kind, record_id) kind, record_id, action, after
         FROM audit_log WHERE kind IN ($1, $2)
         ORDER BY kind, record_id, seq DESC",
        &[&ACCOUNT_KIND, &TOKEN_KIND],
    )? {
        let action: String = r.get(2);
        let after: Option<String> = r.get(3);
        let state = if action == "delete" { None } else { after };
        last_state.insert((r.get(0), r.get(1)), state);
    }
    let started = audit_started(tx)?;
    let live = live_views(tx)?;
    Ok(compare_rows(started, live, &mut last_state))
}

impl AccountStore for PgAccounts {
    fn set_actor(&mut self, actor: &str) {
        self.actor = actor.to_string();
    }

    fn actor(&self) -> &str {
        &self.actor
    }

    fn put_account(&mut self, account: &Account, password_hash: &str) -> StoreResult<()> {
        blocking(|| {
            let mut client = self.client()?;
            let mut tx = client.transaction()?;
            Chain::lock(&mut tx)?;
            let before = account_view(&mut tx, &account.name)?;
            tx.execute(
                "INSERT INTO web_accounts (name, role, password_hash, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (name) DO UPDATE SET role = excluded.role,
                     password_hash = excluded.password_hash, disabled_at = NULL",
                &[
                    &account.name,
                    &account.role,
                    &password_hash,
                    &chrono::Utc::now().to_rfc3339(),
                ],
            )?;
            tx.execute(
                "DELETE FROM web_account_scopes WHERE account = $1",
                &[&account.name],
            )?;
            for (kind, ids) in [
                ("organisation", &account.organisations),
                ("facility", &account.facilities),
            ] {
                for id in ids {
                    tx.execute(
                        "INSERT INTO web_account_scopes (account, kind, record_id) VALUES ($1, $2, $3)
                         ON CONFLICT DO NOTHING",
                        &[&account.name, &kind, id],
                    )?;
                }
            }
            // A new password or narrower rights must not leave a stolen or old session working.
            tx.execute(
                "DELETE FROM web_sessions WHERE account = $1",
                &[&account.name],
            )?;
            let after = account_view(&mut tx, &account.name)?;
            // As on SQLite: always an entry, since the password is always replaced.
            let action = if before.is_some() { "update" } else { "create" };
            audit(
                &mut tx,
                &self.actor,
                (action, ACCOUNT_KIND, &account.name),
                before.as_deref(),
                after.as_deref(),
            )?;
            tx.commit()?;
            Ok(())
        })
    }

    fn account(&self, name: &str) -> StoreResult<Option<(Account, String)>> {
        blocking(|| {
            let mut client = self.client()?;
            let Some(row) = client.query_opt(
                "SELECT role, password_hash FROM web_accounts WHERE name = $1 AND disabled_at IS NULL",
                &[&name],
            )?
            else {
                return Ok(None);
            };
            let account = Self::load_account(&mut **client, name, row.get(0))?;
            Ok(Some((account, row.get(1))))
        })
    }

    fn accounts(&self) -> StoreResult<Vec<Account>> {
        blocking(|| {
            let mut client = self.client()?;
            let rows = client.query("SELECT name, role FROM web_accounts ORDER BY name", &[])?;
            rows.iter()
                .map(|r| Self::load_account(&mut **client, r.get(0), r.get(1)))
                .collect()
        })
    }

    fn disabled_at(&self, name: &str) -> StoreResult<Option<String>> {
        blocking(|| {
            Ok(self
                .client()?
                .query_opt(
                    "SELECT disabled_at FROM web_accounts WHERE name = $1",
                    &[&name],
                )?
                .and_then(|r| r.get(0)))
        })
    }

    fn disable_account(&mut self, name: &str, at: &str) -> StoreResult<Option<Disabled>> {
        blocking(|| {
            let mut client = self.client()?;
            let mut tx = client.transaction()?;
            Chain::lock(&mut tx)?;
            let Some(before) = account_view(&mut tx, name)? else {
                return Ok(None);
            };
            let already = tx.execute(
                "UPDATE web_accounts SET disabled_at = $2 WHERE name = $1 AND disabled_at IS NULL",
                &[&name, &at],
            )? == 0;
            // As on SQLite: ended even when it was disabled already.
            let sessions = tx.execute("DELETE FROM web_sessions WHERE account = $1", &[&name])?;
            let rows = token_rows(&mut tx, Some((name, None)))?;
            let tokens = delete_tokens(&mut tx, &self.actor, &rows)?;
            if !already {
                let after = account_view(&mut tx, name)?;
                audit(
                    &mut tx,
                    &self.actor,
                    ("update", ACCOUNT_KIND, name),
                    Some(&before),
                    after.as_deref(),
                )?;
            }
            tx.commit()?;
            Ok(Some(Disabled {
                sessions: usize::try_from(sessions).unwrap_or(usize::MAX),
                tokens,
                already,
            }))
        })
    }

    fn create_session(&mut self, s: &SessionRow) -> StoreResult<()> {
        blocking(|| {
            self.client()?.execute(
                "INSERT INTO web_sessions (token_hash, account, csrf, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &s.token_hash,
                    &s.account,
                    &s.csrf,
                    &s.created_at,
                    &s.expires_at,
                ],
            )?;
            Ok(())
        })
    }

    fn session(&self, token_hash: &str) -> StoreResult<Option<SessionRow>> {
        blocking(|| {
            Ok(self
                .client()?
                .query_opt(
                    "SELECT token_hash, account, csrf, created_at, expires_at FROM web_sessions
                     WHERE token_hash = $1",
                    &[&token_hash],
                )?
                .map(|r| SessionRow {
                    token_hash: r.get(0),
                    account: r.get(1),
                    csrf: r.get(2),
                    created_at: r.get(3),
                    expires_at: r.get(4),
                }))
        })
    }

    fn delete_session(&mut self, token_hash: &str) -> StoreResult<()> {
        blocking(|| {
            self.client()?.execute(
                "DELETE FROM web_sessions WHERE token_hash = $1",
                &[&token_hash],
            )?;
            Ok(())
        })
    }

    fn purge_sessions(&mut self, now: &str) -> StoreResult<usize> {
        blocking(|| {
            let n = self
                .client()?
                .execute("DELETE FROM web_sessions WHERE expires_at < $1", &[&now])?;
            Ok(usize::try_from(n).unwrap_or(usize::MAX))
        })
    }

    fn create_token(
        &mut self,
        token_hash: &str,
        account: &str,
        label: &str,
        created_at: &str,
        expires_at: Option<&str>,
    ) -> StoreResult<()> {
        blocking(|| {
            let mut client = self.client()?;
            let mut tx = client.transaction()?;
            Chain::lock(&mut tx)?;
            tx.execute(
                "INSERT INTO web_tokens (token_hash, account, label, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5)",
                &[&token_hash, &account, &label, &created_at, &expires_at],
            )?;
            let (id, view) = token_view(account, label, created_at, expires_at);
            audit(
                &mut tx,
                &self.actor,
                ("create", TOKEN_KIND, &id),
                None,
                Some(&view),
            )?;
            tx.commit()?;
            Ok(())
        })
    }

    fn token_account(&self, token_hash: &str, now: &str) -> StoreResult<Option<String>> {
        blocking(|| {
            Ok(self
                .client()?
                .query_opt(
                    "SELECT account FROM web_tokens
                     WHERE token_hash = $1 AND (expires_at IS NULL OR expires_at > $2)",
                    &[&token_hash, &now],
                )?
                .map(|r| r.get(0)))
        })
    }

    fn revoke_tokens(&mut self, account: &str, label: &str) -> StoreResult<usize> {
        blocking(|| {
            let mut client = self.client()?;
            let mut tx = client.transaction()?;
            Chain::lock(&mut tx)?;
            let rows = token_rows(&mut tx, Some((account, Some(label))))?;
            let n = delete_tokens(&mut tx, &self.actor, &rows)?;
            tx.commit()?;
            Ok(n)
        })
    }

    fn ledger_version(&self) -> StoreResult<i64> {
        blocking(|| {
            Ok(self
                .client()?
                .query_opt("SELECT seq FROM audit_head WHERE singleton = 1", &[])?
                .map_or(0, |r| r.get(0)))
        })
    }
}

fn change_of(r: &postgres::Row) -> ChangeRow {
    let state: String = r.get(5);
    let (state, decided_by) = stored_state(&state, r.get(9));
    ChangeRow {
        id: r.get(0),
        kind: r.get(1),
        record_id: r.get(2),
        doc: r.get(3),
        base_etag: r.get(4),
        state,
        author: r.get(6),
        created_at: r.get(7),
        updated_at: r.get(8),
        decided_by,
        note: r.get(10),
    }
}

impl ChangeStore for PgAccounts {
    fn add_change(
        &mut self,
        kind: &str,
        record_id: &str,
        doc: &str,
        base_etag: Option<&str>,
        state: ChangeState,
        author: &str,
        at: &str,
    ) -> StoreResult<i64> {
        blocking(|| {
            Ok(self
                .client()?
                .query_one(
                    "INSERT INTO web_changes
                         (kind, record_id, doc, base_etag, state, author, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
                    &[
                        &kind,
                        &record_id,
                        &doc,
                        &base_etag,
                        &state.as_str(),
                        &author,
                        &at,
                    ],
                )?
                .get(0))
        })
    }

    fn change(&self, id: i64) -> StoreResult<Option<ChangeRow>> {
        blocking(|| {
            Ok(self
                .client()?
                .query_opt(
                    &format!("SELECT {CHANGE_COLUMNS} FROM web_changes WHERE id = $1"),
                    &[&id],
                )?
                .as_ref()
                .map(change_of))
        })
    }

    fn changes(&self, state: Option<ChangeState>) -> StoreResult<Vec<ChangeRow>> {
        blocking(|| {
            let state = state.map(ChangeState::as_str);
            Ok(self
                .client()?
                .query(
                    &format!(
                        "SELECT {CHANGE_COLUMNS} FROM web_changes
                         WHERE $1::text IS NULL OR state = $1 ORDER BY id DESC"
                    ),
                    &[&state],
                )?
                .iter()
                .map(change_of)
                .collect())
        })
    }

    fn changes_page(
        &self,
        group: ChangeGroup,
        offset: u64,
        limit: u64,
    ) -> StoreResult<(Vec<ChangeRow>, u64)> {
        blocking(|| {
            let states = group.sql_states();
            let mut client = self.client()?;
            let count: i64 = client
                .query_one(
                    &format!("SELECT COUNT(*) FROM web_changes WHERE state IN ({states})"),
                    &[],
                )?
                .get(0);
            let clamp = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
            let rows = client
                .query(
                    &format!(
                        "SELECT {CHANGE_COLUMNS} FROM web_changes
                         WHERE state IN ({states})
                         ORDER BY id DESC LIMIT $1 OFFSET $2"
                    ),
                    &[&clamp(limit), &clamp(offset)],
                )?
                .iter()
                .map(change_of)
                .collect();
            Ok((rows, u64::try_from(count).unwrap_or(0)))
        })
    }

    fn set_change_state(
        &mut self,
        id: i64,
        from: ChangeState,
        to: ChangeState,
        by: &str,
        note: Option<&str>,
        at: &str,
    ) -> StoreResult<bool> {
        blocking(|| {
            let by = to.is_decided().then_some(by);
            let n = self.client()?.execute(
                "UPDATE web_changes SET state = $3, decided_by = $4, note = $5, updated_at = $6
                 WHERE id = $1 AND state = $2",
                &[&id, &from.as_str(), &to.as_str(), &by, &note, &at],
            )?;
            Ok(n == 1)
        })
    }
}
