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
mod off_runtime;
pub mod testing;
mod verify;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use aidtrace_domain::fx::RateEntry;
use aidtrace_domain::{Record, RecordId, RecordKind};
use postgres::types::ToSql;
use postgres::{Client, NoTls, Transaction};

use crate::audit::{self, AuditEntry, AuditVerification};
use crate::decode::{LedgerDecoder, parse_record};
use crate::sqlite::{FX_KIND, fx_id, key_columns, record_write_sql, table};
use crate::{ApplyReport, Store, StoreError, StoreResult, WriteBatch};

pub use accounts::PgAccounts;
pub use migrate::SCHEMA_VERSION;
use off_runtime::DropOffRuntime;
pub(crate) use off_runtime::blocking;
pub use off_runtime::on_blocking_thread;

/// A record store in a PostgreSQL database.
///
/// Callable from any thread, a tokio worker included: every call runs through [`blocking`].
/// `Sync`: its one connection sits behind a mutex, so threads sharing it take turns.
pub struct PgStore {
    /// Queries need `&mut`; the trait reads through `&self`.
    client: Mutex<Conn>,
    /// The URL without its password, for messages.
    shown_url: String,
}

/// A connection, closed through [`blocking`] (it says goodbye to the server on its runtime).
pub(crate) type Conn = DropOffRuntime<Client>;

/// The connection of a mutex, or a clear error if a panic left it in an unknown state.
pub(crate) fn lock_conn(conn: &Mutex<Conn>) -> StoreResult<MutexGuard<'_, Conn>> {
    conn.lock().map_err(|_| {
        StoreError::Database(
            "the PostgreSQL connection was left unusable by an earlier failure".into(),
        )
    })
}

/// As [`lock_conn`], for an owner with `&mut` (no waiting).
pub(crate) fn conn_mut(conn: &mut Mutex<Conn>) -> StoreResult<&mut Client> {
    conn.get_mut().map(|c| &mut **c).map_err(|_| {
        StoreError::Database(
            "the PostgreSQL connection was left unusable by an earlier failure".into(),
        )
    })
}

impl PgStore {
    /// Connects to `url` (`postgres://user:password@host:port/database`) and brings the schema up
    /// to date. Two processes starting at once migrate one after the other.
    pub fn connect(url: &str) -> StoreResult<Self> {
        let shown_url = without_password(url);
        let client = blocking(|| {
            let client = Client::connect(url, NoTls).map_err(|e| {
                // A refusal by the server (no such database, bad password) displays only as
                // "db error"; its message is what says why.
                let why = e
                    .as_db_error()
                    .map_or_else(|| e.to_string(), |db| db.message().to_string());
                StoreError::Database(format!(
                    "cannot connect to PostgreSQL at {shown_url}: {why}"
                ))
            })?;
            let mut client = Conn::new(client);
            migrate::to_latest(&mut client)
                .map_err(|e| StoreError::Database(format!("{shown_url}: {e}")))?;
            Ok::<_, StoreError>(client)
        })?;
        Ok(Self {
            client: Mutex::new(client),
            shown_url,
        })
    }

    pub fn url(&self) -> &str {
        &self.shown_url
    }

    /// The connection, for a read. Call it inside [`blocking`].
    pub(crate) fn reader(&self) -> StoreResult<MutexGuard<'_, Conn>> {
        lock_conn(&self.client)
    }

    /// Runs `read` in one read-only, repeatable-read transaction, so everything it reads is as
    /// of one moment (what SQLite's single writer gives for free): the whole-ledger read, the
    /// audit log and its verification, `store copy`'s walk.
    pub(crate) fn read_at_one_moment<T>(
        &self,
        read: impl FnOnce(&mut postgres::Transaction<'_>) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let mut client = self.reader()?;
        let mut tx = client
            .build_transaction()
            .read_only(true)
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .start()?;
        let out = read(&mut tx)?;
        tx.commit()?;
        Ok(out)
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
                // The server ended the session or the network dropped it: say so, whichever of
                // the two the client library saw first ("error communicating with the server",
                // "connection closed"); the transaction in progress was not committed.
                None if e.is_closed()
                    || std::error::Error::source(&e).is_some_and(|s| s.is::<std::io::Error>()) =>
                {
                    format!(
                        "the connection to the database was lost ({e}); the unfinished transaction was not written"
                    )
                }
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

/// An open transaction, rolled back through [`blocking`] if dropped unfinished.
type Tx<'c> = DropOffRuntime<Transaction<'c>>;

/// The transaction of a batch with `&mut`, or a clear error if a panic left it unknown.
fn tx_mut<'m, 'c>(tx: &'m mut Mutex<Tx<'c>>) -> StoreResult<&'m mut Transaction<'c>> {
    tx.get_mut().map(|t| &mut **t).map_err(|_| {
        StoreError::Database("the write was left unfinished by an earlier failure".into())
    })
}

fn tx_lock<'m, 'c>(tx: &'m Mutex<Tx<'c>>) -> StoreResult<MutexGuard<'m, Tx<'c>>> {
    tx.lock().map_err(|_| {
        StoreError::Database("the write was left unfinished by an earlier failure".into())
    })
}

/// Every method runs through [`blocking`]; `Send` and `Sync`, so its calls may hop threads.
struct PgBatch<'c> {
    /// In a mutex: the trait reads through `&self`, and the client queries through `&mut`.
    tx: Mutex<Tx<'c>>,
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
        blocking(|| self.put_here(record))
    }

    fn delete(&mut self, kind: RecordKind, id: &RecordId) -> StoreResult<()> {
        blocking(|| self.delete_here(kind, id))
    }

    fn get(&self, kind: RecordKind, id: &RecordId) -> StoreResult<Option<Record>> {
        blocking(|| {
            read_doc(&mut **tx_lock(&self.tx)?, table(kind), id.as_str())?
                .map(|doc| parse_record(&doc))
                .transpose()
        })
    }

    fn exists(&self, kind: RecordKind, id: &RecordId) -> StoreResult<bool> {
        let sql = format!("SELECT 1 FROM {} WHERE id = $1", table(kind));
        blocking(|| {
            Ok(tx_lock(&self.tx)?
                .query_opt(&sql, &[&id.as_str()])?
                .is_some())
        })
    }

    fn defer_reference_checks(&mut self) -> StoreResult<()> {
        blocking(|| Ok(tx_mut(&mut self.tx)?.batch_execute("SET CONSTRAINTS ALL DEFERRED")?))
    }

    fn commit(self: Box<Self>) -> StoreResult<ApplyReport> {
        let PgBatch {
            tx, chain, report, ..
        } = *self;
        let tx = tx.into_inner().map_err(|_| {
            StoreError::Database("the write was left unfinished by an earlier failure".into())
        })?;
        let mut tx = tx.into_inner();
        blocking(move || {
            if report.changed() > 0 {
                chain.store_head(&mut tx)?;
            }
            tx.commit()?;
            Ok(report)
        })
    }
}

impl PgBatch<'_> {
    fn put_here(&mut self, record: &Record) -> StoreResult<()> {
        let kind = record.kind();
        let table = table(kind);
        let id = record.id().to_string();
        let doc =
            serde_json::to_string(record).map_err(|e| StoreError::InvalidRequest(e.to_string()))?;
        let tx = tx_mut(&mut self.tx)?;
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

    fn delete_here(&mut self, kind: RecordKind, id: &RecordId) -> StoreResult<()> {
        let table = table(kind);
        let tx = tx_mut(&mut self.tx)?;
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
}

impl Store for PgStore {
    fn begin_batch<'s>(&'s mut self, actor: &'s str) -> StoreResult<Box<dyn WriteBatch + 's>> {
        let client = conn_mut(&mut self.client)?;
        let batch = blocking(move || {
            let mut tx = client.transaction()?;
            let chain = Chain::lock(&mut tx)?;
            Ok::<_, StoreError>(PgBatch {
                tx: Mutex::new(Tx::new(tx)),
                chain,
                actor,
                report: ApplyReport::default(),
                writes: HashMap::new(),
            })
        })?;
        Ok(Box::new(batch))
    }

    fn get(&self, kind: RecordKind, id: &RecordId) -> StoreResult<Option<Record>> {
        blocking(|| {
            read_doc(&mut **self.reader()?, table(kind), id.as_str())?
                .map(|doc| parse_record(&doc))
                .transpose()
        })
    }

    fn list(&self, kind: RecordKind) -> StoreResult<Vec<Record>> {
        let sql = format!("SELECT doc FROM {} ORDER BY id COLLATE \"C\"", table(kind));
        let rows = blocking(|| self.reader()?.query(&sql, &[]).map_err(StoreError::from))?;
        rows.iter().map(|r| parse_record(r.get(0))).collect()
    }

    /// Every record, streamed row by row into [`LedgerDecoder`] (chunks decoded on every core,
    /// as on SQLite) instead of holding each table's rows and decoding them on one thread. One
    /// repeatable-read transaction, so the kinds are read as of one moment, as SQLite's single
    /// writer gives for free. Unordered: the ledger keys every record by id, and `ORDER BY id
    /// COLLATE "C"` cannot use the primary key's index, so the server would sort each table
    /// first (a million flows: 1.2 s and 233 MB spilled to disk, against 0.28 s unsorted).
    fn ledger(&self) -> StoreResult<aidtrace_domain::Ledger> {
        use postgres::fallible_iterator::FallibleIterator;
        blocking(|| {
            let ledger = self.read_at_one_moment(|tx| {
                let mut ledger = LedgerDecoder::new();
                for kind in RecordKind::ALL {
                    let sql = format!("SELECT doc FROM {}", table(kind));
                    let mut rows = tx.query_raw(&sql, std::iter::empty::<&str>())?;
                    while let Some(row) = rows.next()? {
                        ledger.push(kind, row.try_get(0)?)?;
                    }
                }
                Ok(ledger)
            })?;
            ledger.finish()
        })
    }

    fn count(&self, kind: RecordKind) -> StoreResult<usize> {
        let sql = format!("SELECT count(*) FROM {}", table(kind));
        let n: i64 = blocking(|| Ok::<_, StoreError>(self.reader()?.query_one(&sql, &[])?.get(0)))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    fn page(&self, kind: RecordKind, offset: usize, limit: usize) -> StoreResult<Vec<Record>> {
        // PostgreSQL counts in i64; a page beyond that range is empty rather than an error.
        let as_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        let sql = format!(
            "SELECT doc FROM {} ORDER BY id COLLATE \"C\" LIMIT $1 OFFSET $2",
            table(kind)
        );
        let (limit, offset) = (as_i64(limit), as_i64(offset));
        let rows = blocking(|| {
            self.reader()?
                .query(&sql, &[&limit, &offset])
                .map_err(StoreError::from)
        })?;
        rows.iter().map(|r| parse_record(r.get(0))).collect()
    }

    fn consignment_records(&self, consignment: &RecordId) -> StoreResult<Vec<Record>> {
        blocking(|| {
            let mut client = self.reader()?;
            let mut out = Vec::new();
            for table in ["consignment_decisions", "stock_movements"] {
                let sql = format!(
                    "SELECT doc FROM {table} WHERE consignment_id = $1 ORDER BY id COLLATE \"C\""
                );
                for r in &client.query(&sql, &[&consignment.as_str()])? {
                    out.push(parse_record(r.get(0))?);
                }
            }
            Ok(out)
        })
    }

    fn ledger_version(&self) -> StoreResult<i64> {
        blocking(|| {
            Ok(self
                .reader()?
                .query_one("SELECT seq FROM audit_head WHERE singleton = 1", &[])?
                .get(0))
        })
    }

    fn put_fx_rates(&mut self, actor: &str, rates: &[RateEntry]) -> StoreResult<ApplyReport> {
        let client = conn_mut(&mut self.client)?;
        blocking(move || {
            let mut tx = client.transaction()?;
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
        })
    }

    fn fx_rates(&self) -> StoreResult<Vec<RateEntry>> {
        // Insertion order, as SQLite's rowid gives: the audit log holds it.
        let rows = blocking(|| {
            self.reader()?
                .query(
                    "SELECT r.doc FROM fx_rates r
                     JOIN (SELECT record_id, min(seq) AS first FROM audit_log WHERE kind = $1
                           GROUP BY record_id) a ON a.record_id = r.id
                     ORDER BY a.first",
                    &[&FX_KIND],
                )
                .map_err(StoreError::from)
        })?;
        rows.iter()
            .map(|r| serde_json::from_str(r.get(0)).map_err(|e| StoreError::Corrupt(e.to_string())))
            .collect()
    }

    fn audit_log(&self, record: Option<(RecordKind, &RecordId)>) -> StoreResult<Vec<AuditEntry>> {
        blocking(|| self.read_at_one_moment(|tx| verify::audit_entries(tx, record)))
    }

    fn verify_audit(&self) -> StoreResult<AuditVerification> {
        blocking(|| self.read_at_one_moment(verify::verify))
    }

    /// Not through [`blocking`]: the sink and the items are not `Send`. `store copy` calls these
    /// on threads outside any runtime (the source on a thread of its own).
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
