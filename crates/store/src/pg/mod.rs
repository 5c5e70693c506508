//! The PostgreSQL backend: the same records, keys, audit chain and behaviour as [`SqliteStore`]
//! (the [`conformance`](crate::conformance) suite runs on both), for deployments that outgrow one
//! file on one disk or run several web processes on one database.
//!
//! Differences that matter to a reader of the code:
//! - the audit chain's head is a row locked with `SELECT … FOR UPDATE` at the start of every
//!   write transaction, so writers in several processes append one after another;
//! - references are `DEFERRABLE`: [`WriteBatch::defer_reference_checks`] defers them to commit;
//! - ids are ordered with the "C" collation, byte order, as SQLite's binary collation is;
//! - amounts are `NUMERIC` columns, documents are text stored byte for byte (the chain hashes them).
//!
//! [`SqliteStore`]: crate::SqliteStore

mod accounts;
mod copy;
mod migrate;
pub mod testing;
mod verify;

use std::cell::{RefCell, RefMut};
use std::collections::HashMap;
use std::path::Path;

use aidtrace_domain::fx::RateEntry;
use aidtrace_domain::{Record, RecordId, RecordKind};
use postgres::types::ToSql;
use postgres::{Client, NoTls, Transaction};

use crate::audit::{self, AuditEntry, AuditVerification};
use crate::sqlite::{FX_KIND, fx_id, key_columns, parse_record, record_write_sql, table};
use crate::{ApplyReport, Store, StoreError, StoreResult, WriteBatch};

pub use accounts::PgAccounts;
pub use migrate::SCHEMA_VERSION;

/// A record store in a PostgreSQL database.
pub struct PgStore {
    /// Queries need `&mut`; the trait reads through `&self`. The store is used by one thread at
    /// a time (`Store: Send`, not `Sync`), so a cell is enough.
    client: RefCell<Conn>,
    /// The URL without its password, for messages.
    shown_url: String,
}

/// A connection that is closed on a thread of its own. `postgres::Client` blocks on its own
/// runtime, also when dropped, and that panics on a thread that drives a tokio runtime (a
/// server task, an async test); every query of the web layer runs on blocking threads, but
/// the last owner of a store may be dropped anywhere.
pub(crate) struct Conn(Option<Client>);

impl Conn {
    fn new(client: Client) -> Self {
        Self(Some(client))
    }
}

impl std::ops::Deref for Conn {
    type Target = Client;
    fn deref(&self) -> &Client {
        // Taken only in `drop`.
        self.0.as_ref().expect("a connection is open until dropped")
    }
}

impl std::ops::DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut Client {
        self.0.as_mut().expect("a connection is open until dropped")
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        if let Some(client) = self.0.take() {
            let _ = std::thread::spawn(move || drop(client)).join();
        }
    }
}

impl PgStore {
    /// Connects to `url` (`postgres://user:password@host:port/database`) and brings the schema up
    /// to date. Two processes starting at once migrate one after the other.
    pub fn connect(url: &str) -> StoreResult<Self> {
        let shown_url = without_password(url);
        let client = Client::connect(url, NoTls).map_err(|e| {
            StoreError::Database(format!("cannot connect to PostgreSQL at {shown_url}: {e}"))
        })?;
        let mut client = Conn::new(client);
        migrate::to_latest(&mut client)
            .map_err(|e| StoreError::Database(format!("{shown_url}: {e}")))?;
        Ok(Self {
            client: RefCell::new(client),
            shown_url,
        })
    }

    pub fn url(&self) -> &str {
        &self.shown_url
    }

    pub(crate) fn reader(&self) -> StoreResult<RefMut<'_, Client>> {
        self.client
            .try_borrow_mut()
            .map(|conn| RefMut::map(conn, |c| &mut **c))
            .map_err(|_| StoreError::Database("the PostgreSQL connection is busy".into()))
    }
}

/// `url` with any password replaced, so it can appear in messages and logs.
pub fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let shown = match authority.rsplit_once('@') {
        Some((user, host)) => match user.split_once(':') {
            Some((name, _)) => format!("{name}:***@{host}"),
            None => authority.to_string(),
        },
        None => authority.to_string(),
    };
    if path.is_empty() && !rest.contains('/') {
        format!("{scheme}://{shown}")
    } else {
        format!("{scheme}://{shown}/{path}")
    }
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        use postgres::error::SqlState;
        match e.code() {
            Some(code)
                if *code == SqlState::FOREIGN_KEY_VIOLATION
                    || *code == SqlState::UNIQUE_VIOLATION
                    || *code == SqlState::CHECK_VIOLATION
                    || *code == SqlState::NOT_NULL_VIOLATION =>
            {
                let message = e
                    .as_db_error()
                    .map(|d| d.message().to_string())
                    .unwrap_or_else(|| e.to_string());
                Self::Integrity(message)
            }
            _ => Self::Database(match e.as_db_error() {
                Some(db) => db.message().to_string(),
                None => e.to_string(),
            }),
        }
    }
}

/// The SQL type of a key column where it is not text.
fn column_type(column: &str) -> &'static str {
    match column {
        "amount" => "numeric",
        _ => "text",
    }
}

fn write_sql(table: &str, extra: &[(&'static str, Option<String>)], exists: bool) -> String {
    // Every value is sent as text and cast on the server, so one parameter type serves all.
    record_write_sql(table, extra, exists, |i, c| {
        format!("CAST(${}::text AS {})", i + 1, column_type(c))
    })
}

fn read_doc(
    tx: &mut impl postgres::GenericClient,
    table: &str,
    id: &str,
) -> StoreResult<Option<String>> {
    let row = tx.query_opt(&format!("SELECT doc FROM {table} WHERE id = $1"), &[&id])?;
    Ok(row.map(|r| r.get(0)))
}

/// The chain's head, locked for the transaction, with the time all its entries share.
struct Chain {
    seq: i64,
    hash: String,
    at: String,
}

impl Chain {
    /// Locks the head row: a second writer waits here until this transaction ends, then reads
    /// the head this one wrote.
    fn lock(tx: &mut Transaction<'_>) -> StoreResult<Self> {
        let row = tx.query_one(
            "SELECT seq, hash FROM audit_head WHERE singleton = 1 FOR UPDATE",
            &[],
        )?;
        Ok(Self {
            seq: row.get(0),
            hash: row.get(1),
            at: chrono::Utc::now()
                .format("%Y-%m-%dT%H:%M:%S%.6fZ")
                .to_string(),
        })
    }

    /// Appends one entry for `(action, kind, record_id)`; `stored_after` is what its `after`
    /// column holds (a create entry does not store the record's text a second time, as on
    /// SQLite: it is the row, or the `before` of the record's next entry).
    fn append(
        &mut self,
        tx: &mut Transaction<'_>,
        actor: &str,
        (action, kind, record_id): (&str, &str, &str),
        before: Option<&str>,
        after: Option<&str>,
        stored_after: Option<&str>,
    ) -> StoreResult<()> {
        let fields = audit::EntryFields {
            prev_hash: &self.hash,
            seq: self.seq + 1,
            at: &self.at,
            actor,
            action,
            kind,
            record_id,
            before,
            after,
        };
        let hash = audit::entry_hash(&fields);
        tx.execute(
            "INSERT INTO audit_log (seq, at, actor, action, kind, record_id, before, after, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[
                &fields.seq,
                &fields.at,
                &actor,
                &action,
                &kind,
                &record_id,
                &before,
                &stored_after,
                &fields.prev_hash,
                &hash,
            ],
        )?;
        self.seq = fields.seq;
        self.hash = hash;
        Ok(())
    }

    fn store_head(&self, tx: &mut Transaction<'_>) -> StoreResult<()> {
        tx.execute(
            "UPDATE audit_head SET seq = $1, hash = $2 WHERE singleton = 1",
            &[&self.seq, &self.hash],
        )?;
        Ok(())
    }
}

struct PgBatch<'c> {
    /// In a cell: the trait reads through `&self`, and the client queries through `&mut`.
    tx: RefCell<Transaction<'c>>,
    chain: Chain,
    actor: &'c str,
    report: ApplyReport,
    writes: HashMap<(RecordKind, bool), String>,
}

fn integrity_message(e: StoreError, kind: RecordKind, id: &str) -> StoreError {
    match e {
        StoreError::Integrity(msg) => StoreError::Integrity(format!(
            "{} {id}: {msg} (it refers to a record that does not exist, or is referred to by another)",
            kind.as_str()
        )),
        other => other,
    }
}

impl WriteBatch for PgBatch<'_> {
    fn put(&mut self, record: &Record) -> StoreResult<()> {
        let kind = record.kind();
        let table = table(kind);
        let id = record.id().to_string();
        let doc =
            serde_json::to_string(record).map_err(|e| StoreError::InvalidRequest(e.to_string()))?;
        let tx = self.tx.get_mut();
        let before = read_doc(tx, table, &id)?;
        if before.as_deref() == Some(doc.as_str()) {
            self.report.unchanged += 1;
            return Ok(());
        }
        let extra = key_columns(record);
        let sql = self
            .writes
            .entry((kind, before.is_some()))
            .or_insert_with(|| write_sql(table, &extra, before.is_some()));
        let mut values: Vec<Option<&str>> = vec![Some(&id), Some(&doc)];
        values.extend(extra.iter().map(|(_, v)| v.as_deref()));
        let params: Vec<&(dyn ToSql + Sync)> =
            values.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
        tx.execute(sql.as_str(), &params)
            .map_err(|e| integrity_message(e.into(), kind, &id))?;
        match before {
            Some(before) => {
                self.report.updated += 1;
                self.chain.append(
                    tx,
                    self.actor,
                    ("update", kind.as_str(), &id),
                    Some(&before),
                    Some(&doc),
                    Some(&doc),
                )
            }
            None => {
                self.report.created += 1;
                self.chain.append(
                    tx,
                    self.actor,
                    ("create", kind.as_str(), &id),
                    None,
                    Some(&doc),
                    None,
                )
            }
        }
    }

    fn delete(&mut self, kind: RecordKind, id: &RecordId) -> StoreResult<()> {
        let table = table(kind);
        let tx = self.tx.get_mut();
        let Some(before) = read_doc(tx, table, id.as_str())? else {
            return Err(StoreError::InvalidRequest(format!(
                "{} {id} does not exist",
                kind.as_str()
            )));
        };
        tx.execute(
            &format!("DELETE FROM {table} WHERE id = $1"),
            &[&id.as_str()],
        )
        .map_err(|e| integrity_message(e.into(), kind, id.as_str()))?;
        self.report.deleted += 1;
        self.chain.append(
            tx,
            self.actor,
            ("delete", kind.as_str(), id.as_str()),
            Some(&before),
            None,
            None,
        )
    }

    fn get(&self, kind: RecordKind, id: &RecordId) -> StoreResult<Option<Record>> {
        read_doc(&mut *self.tx.borrow_mut(), table(kind), id.as_str())?
            .map(|doc| parse_record(&doc))
            .transpose()
    }

    fn exists(&self, kind: RecordKind, id: &RecordId) -> StoreResult<bool> {
        let sql = format!("SELECT 1 FROM {} WHERE id = $1", table(kind));
        Ok(self
            .tx
            .borrow_mut()
            .query_opt(&sql, &[&id.as_str()])?
            .is_some())
    }

    fn defer_reference_checks(&mut self) -> StoreResult<()> {
        self.tx
            .get_mut()
            .batch_execute("SET CONSTRAINTS ALL DEFERRED")?;
        Ok(())
    }

    fn commit(self: Box<Self>) -> StoreResult<ApplyReport> {
        let PgBatch {
            tx, chain, report, ..
        } = *self;
        let mut tx = tx.into_inner();
        if report.changed() > 0 {
            chain.store_head(&mut tx)?;
        }
        tx.commit()?;
        Ok(report)
    }
}

impl Store for PgStore {
    fn begin_batch<'s>(&'s mut self, actor: &'s str) -> StoreResult<Box<dyn WriteBatch + 's>> {
        let mut tx = self.client.get_mut().transaction()?;
        let chain = Chain::lock(&mut tx)?;
        Ok(Box::new(PgBatch {
            tx: RefCell::new(tx),
            chain,
            actor,
            report: ApplyReport::default(),
            writes: HashMap::new(),
        }))
    }

    fn get(&self, kind: RecordKind, id: &RecordId) -> StoreResult<Option<Record>> {
        read_doc(&mut *self.reader()?, table(kind), id.as_str())?
            .map(|doc| parse_record(&doc))
            .transpose()
    }

    fn list(&self, kind: RecordKind) -> StoreResult<Vec<Record>> {
        let sql = format!("SELECT doc FROM {} ORDER BY id COLLATE \"C\"", table(kind));
        let rows = self.reader()?.query(&sql, &[])?;
        rows.iter().map(|r| parse_record(r.get(0))).collect()
    }

    fn count(&self, kind: RecordKind) -> StoreResult<usize> {
        let sql = format!("SELECT count(*) FROM {}", table(kind));
        let n: i64 = self.reader()?.query_one(&sql, &[])?.get(0);
        Ok(usize::try_from(n).unwrap_or(0))
    }

    fn page(&self, kind: RecordKind, offset: usize, limit: usize) -> StoreResult<Vec<Record>> {
        // PostgreSQL counts in i64; a page beyond that range is empty rather than an error.
        let as_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        let sql = format!(
            "SELECT doc FROM {} ORDER BY id COLLATE \"C\" LIMIT $1 OFFSET $2",
            table(kind)
        );
        let rows = self
            .reader()?
            .query(&sql, &[&as_i64(limit), &as_i64(offset)])?;
        rows.iter().map(|r| parse_record(r.get(0))).collect()
    }

    fn consignment_records(&self, consignment: &RecordId) -> StoreResult<Vec<Record>> {
        let mut out = Vec::new();
        for table in ["consignment_decisions", "stock_movements"] {
            let sql = format!(
                "SELECT doc FROM {table} WHERE consignment_id = $1 ORDER BY id COLLATE \"C\""
            );
            let rows = self.reader()?.query(&sql, &[&consignment.as_str()])?;
            for r in &rows {
                out.push(parse_record(r.get(0))?);
            }
        }
        Ok(out)
    }

    fn ledger_version(&self) -> StoreResult<i64> {
        Ok(self
            .reader()?
            .query_one("SELECT seq FROM audit_head WHERE singleton = 1", &[])?
            .get(0))
    }

    fn put_fx_rates(&mut self, actor: &str, rates: &[RateEntry]) -> StoreResult<ApplyReport> {
        let mut tx = self.client.get_mut().transaction()?;
        let mut chain = Chain::lock(&mut tx)?;
        let mut report = ApplyReport::default();
        for rate in rates {
            let id = fx_id(rate);
            let doc = serde_json::to_string(rate)
                .map_err(|e| StoreError::InvalidRequest(e.to_string()))?;
            let before = read_doc(&mut tx, "fx_rates", &id)?;
            if before.as_deref() == Some(doc.as_str()) {
                report.unchanged += 1;
                continue;
            }
            tx.execute(
                "INSERT INTO fx_rates (id, doc) VALUES ($1, $2)
                 ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
                &[&id, &doc],
            )?;
            let action = if before.is_some() {
                report.updated += 1;
                "update"
            } else {
                report.created += 1;
                "create"
            };
            chain.append(
                &mut tx,
                actor,
                (action, FX_KIND, &id),
                before.as_deref(),
                Some(&doc),
                Some(&doc),
            )?;
        }
        if report.changed() > 0 {
            chain.store_head(&mut tx)?;
        }
        tx.commit()?;
        Ok(report)
    }

    fn fx_rates(&self) -> StoreResult<Vec<RateEntry>> {
        // Insertion order, as SQLite's rowid gives: the audit log holds it.
        let rows = self.reader()?.query(
            "SELECT r.doc FROM fx_rates r
             JOIN (SELECT record_id, min(seq) AS first FROM audit_log WHERE kind = $1
                   GROUP BY record_id) a ON a.record_id = r.id
             ORDER BY a.first",
            &[&FX_KIND],
        )?;
        rows.iter()
            .map(|r| serde_json::from_str(r.get(0)).map_err(|e| StoreError::Corrupt(e.to_string())))
            .collect()
    }

    fn audit_log(&self, record: Option<(RecordKind, &RecordId)>) -> StoreResult<Vec<AuditEntry>> {
        let mut client = self.reader()?;
        let mut tx = client
            .build_transaction()
            .read_only(true)
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .start()?;
        let entries = verify::audit_entries(&mut tx, record)?;
        tx.commit()?;
        Ok(entries)
    }

    fn verify_audit(&self) -> StoreResult<AuditVerification> {
        let mut client = self.reader()?;
        let mut tx = client
            .build_transaction()
            .read_only(true)
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .start()?;
        let verification = verify::verify(&mut tx)?;
        tx.commit()?;
        Ok(verification)
    }

    fn copy_out(
        &self,
        sink: &mut dyn FnMut(crate::copy::CopyItem) -> StoreResult<()>,
    ) -> StoreResult<()> {
        self.copy_out_rows(sink)
    }

    fn copy_in(
        &mut self,
        items: &mut dyn Iterator<Item = StoreResult<crate::copy::CopyItem>>,
    ) -> StoreResult<crate::copy::CopyReport> {
        self.copy_in_rows(items)
    }

    fn backup(&self, _target: &Path) -> StoreResult<()> {
        Err(StoreError::InvalidRequest(format!(
            "a PostgreSQL store is backed up with the engine's own tool: pg_dump --format=custom --file=FILE '{}' (see README, PostgreSQL)",
            self.shown_url
        )))
    }
}
