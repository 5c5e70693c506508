//! Storage for aidtrace. [`Store`] is the only seam between the services and a database: it speaks
//! in domain records, never in SQL rows. [`SqliteStore`] is the embedded default; a PostgreSQL
//! backend ([`PgStore`]) implements the same trait and runs the same [`conformance`] suite.

mod accounts;
mod assets;
pub mod audit;
mod changes;
pub mod conformance;
pub mod copy;
mod decode;
mod pg;
mod sqlite;
mod url;
mod verify;

use std::path::Path;

use aidtrace_domain::fx::RateEntry;
use aidtrace_domain::{Ledger, Record, RecordId, RecordKind};

pub use accounts::{Account, AccountStore, Disabled, SessionRow, SqliteAccounts};
pub use assets::AssetQueries;
pub use audit::{AuditEntry, AuditVerification};
pub use changes::{ChangeGroup, ChangeRow, ChangeState, ChangeStore};
pub use pg::testing as pg_testing;
pub use pg::{
    PgAccounts, PgStore, SCHEMA_VERSION as PG_SCHEMA_VERSION, on_blocking_thread, without_password,
};
pub use sqlite::SqliteStore;
pub use url::StoreUrl;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A write would leave a reference dangling or remove a record others point at.
    #[error("{0}")]
    Integrity(String),
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    #[error("{0}")]
    InvalidRequest(String),
    #[error("database error: {0}")]
    Database(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match &e {
            rusqlite::Error::SqliteFailure(err, msg)
                if err.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                Self::Integrity(msg.clone().unwrap_or_else(|| e.to_string()))
            }
            _ => Self::Database(e.to_string()),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// One change in a batch. A batch is applied atomically: all of it or nothing.
// Changes live only as long as one batch; boxing each record would buy nothing but allocations.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Change {
    /// Create or replace a record. Writing a record identical to the stored one changes nothing
    /// and adds no audit entry, which is what makes imports and `demo` idempotent.
    Put(Record),
    Delete(RecordKind, RecordId),
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ApplyReport {
    pub created: usize,
    pub updated: usize,
    pub deleted: usize,
    pub unchanged: usize,
}

impl ApplyReport {
    pub fn changed(&self) -> usize {
        self.created + self.updated + self.deleted
    }
}

/// An open transaction (see [`Store::begin_batch`]). Each change is audited as in
/// [`Store::apply`]; the audit entries share the transaction's time.
pub trait WriteBatch {
    /// Creates or replaces a record; an identical record changes nothing.
    fn put(&mut self, record: &Record) -> StoreResult<()>;
    fn delete(&mut self, kind: RecordKind, id: &RecordId) -> StoreResult<()>;
    fn get(&self, kind: RecordKind, id: &RecordId) -> StoreResult<Option<Record>>;
    /// Whether the record exists, without reading it.
    fn exists(&self, kind: RecordKind, id: &RecordId) -> StoreResult<bool>;
    /// Checks that references hold once, at commit, instead of at every change: for writers
    /// that have checked them already, since a failure at commit cannot name the record.
    fn defer_reference_checks(&mut self) -> StoreResult<()>;
    fn commit(self: Box<Self>) -> StoreResult<ApplyReport>;
}

/// The domain-shaped storage interface, with the indexed asset reads ([`AssetQueries`]).
pub trait Store: AssetQueries + Send {
    /// Applies a batch in one transaction, writing an audit entry for every record that changes.
    fn apply(&mut self, actor: &str, changes: &[Change]) -> StoreResult<ApplyReport> {
        let mut batch = self.begin_batch(actor)?;
        for change in changes {
            match change {
                Change::Put(record) => batch.put(record)?,
                Change::Delete(kind, id) => batch.delete(*kind, id)?,
            }
        }
        batch.commit()
    }

    /// Opens one transaction to write into change by change, for writers that cannot hold the
    /// whole batch in memory (a large import). Reads through it see its own changes; dropped
    /// without [`WriteBatch::commit`], it leaves the store as it was.
    fn begin_batch<'s>(&'s mut self, actor: &'s str) -> StoreResult<Box<dyn WriteBatch + 's>>;

    fn get(&self, kind: RecordKind, id: &RecordId) -> StoreResult<Option<Record>>;

    /// All records of a kind, ordered by id.
    fn list(&self, kind: RecordKind) -> StoreResult<Vec<Record>>;

    /// How many records of a kind are stored, without reading them.
    fn count(&self, kind: RecordKind) -> StoreResult<usize>;

    /// Up to `limit` records of a kind after the first `offset`, ordered by id: a page of a
    /// list without reading the rest.
    fn page(&self, kind: RecordKind, offset: usize, limit: usize) -> StoreResult<Vec<Record>>;

    /// A number that changes whenever the ledger does (through any connection or process):
    /// readers compare it to decide whether a read model is still current.
    fn ledger_version(&self) -> StoreResult<i64>;

    /// Every record, for rules that look across the ledger (totals, checks).
    fn ledger(&self) -> StoreResult<Ledger> {
        let mut records = Vec::new();
        for kind in RecordKind::ALL {
            records.extend(self.list(kind)?);
        }
        Ok(Ledger::from_records(records))
    }

    /// The decisions on one consignment and its stock movements, ordered by id: what the stock
    /// rules replay before a write that touches the consignment, so a write does not read every
    /// movement. Backends read them through their consignment indexes; this default filters lists.
    fn consignment_records(&self, consignment: &RecordId) -> StoreResult<Vec<Record>> {
        let mut out = Vec::new();
        for kind in [RecordKind::ConsignmentDecision, RecordKind::StockMovement] {
            out.extend(self.list(kind)?.into_iter().filter(|r| match r {
                Record::ConsignmentDecision(d) => &d.consignment == consignment,
                Record::StockMovement(m) => &m.consignment == consignment,
                _ => false,
            }));
        }
        Ok(out)
    }

    /// Adds or replaces user-supplied exchange rates in one transaction, audited like records.
    fn put_fx_rates(&mut self, actor: &str, rates: &[RateEntry]) -> StoreResult<ApplyReport>;

    fn fx_rates(&self) -> StoreResult<Vec<RateEntry>>;

    /// Audit entries about one record (or all, with `None`), oldest first.
    fn audit_log(&self, record: Option<(RecordKind, &RecordId)>) -> StoreResult<Vec<AuditEntry>>;

    /// Recomputes the hash chain and compares the live records with the last audited state.
    fn verify_audit(&self) -> StoreResult<AuditVerification>;

    /// A consistent copy of the whole store, taken while it stays open for use.
    fn backup(&self, target: &Path) -> StoreResult<()>;

    /// Everything this store holds (records, rates, the audit log and its head) as stored text,
    /// from one read transaction, for [`copy::copy_store`].
    fn copy_out(&self, sink: &mut dyn FnMut(copy::CopyItem) -> StoreResult<()>) -> StoreResult<()>;

    /// Loads what another store's [`Store::copy_out`] gave into this empty store, in one
    /// transaction, text for text (the audit chain hashes it).
    fn copy_in(
        &mut self,
        items: &mut dyn Iterator<Item = StoreResult<copy::CopyItem>>,
    ) -> StoreResult<copy::CopyReport>;
}
