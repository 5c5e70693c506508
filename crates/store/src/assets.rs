//! Reads for equipment indicators that touch one facility only: its assets, their models and
//! plans, and their histories, through the per-facility and per-asset indexes (SQLite's
//! `0004_assets.sql`, the same indexes in PostgreSQL's schema), so a facility page does not load
//! the whole ledger. Every [`Store`](crate::Store) answers them: the trait is part of the seam.

use aidtrace_domain::{Record, RecordId};

use crate::{PgStore, SqliteStore, StoreError, StoreResult};

/// Indexed reads of one asset's history and one facility's equipment, in domain records: the
/// hot paths of the asset rules ("device down" at 2 M history records) and facility pages.
/// Writing stays with [`crate::Store`], of which this is a part.
pub trait AssetQueries: Send {
    /// One asset's lifecycle events, downtime, meter readings and work orders.
    fn asset_records(&self, asset: &RecordId) -> StoreResult<Vec<Record>>;

    /// The facility, its assets with their models and maintenance plans, and the assets' work
    /// orders, events, downtime and meter readings, and the contracts that may cover them.
    fn facility_records(&self, facility: &RecordId) -> StoreResult<Vec<Record>>;
}

/// Written with SQLite's `?1`; PostgreSQL's `$1` is put in its place there.
const FACILITY_QUERIES: &[&str] = &[
    "SELECT doc FROM facilities WHERE id = ?1",
    "SELECT doc FROM device_models WHERE id IN (SELECT model_id FROM assets WHERE facility_id = ?1)",
    "SELECT doc FROM assets WHERE facility_id = ?1",
    "SELECT doc FROM maintenance_plans WHERE model_id IN (SELECT model_id FROM assets WHERE facility_id = ?1)
        OR asset_id IN (SELECT id FROM assets WHERE facility_id = ?1)",
    "SELECT w.doc FROM work_orders w JOIN assets a ON a.id = w.asset_id WHERE a.facility_id = ?1",
    "SELECT e.doc FROM asset_events e JOIN assets a ON a.id = e.asset_id WHERE a.facility_id = ?1",
    "SELECT d.doc FROM downtimes d JOIN assets a ON a.id = d.asset_id WHERE a.facility_id = ?1",
    "SELECT m.doc FROM meter_readings m JOIN assets a ON a.id = m.asset_id WHERE a.facility_id = ?1",
    // Contracts for the cost of service: the facility's model contracts, and every contract that
    // lists assets (they name them only in `doc`; contracts are few beside history records).
    "SELECT doc FROM contracts WHERE facility_id = ?1 OR facility_id IS NULL",
];

const ASSET_QUERIES: &[&str] = &[
    "SELECT doc FROM asset_events WHERE asset_id = ?1",
    "SELECT doc FROM downtimes WHERE asset_id = ?1",
    "SELECT doc FROM meter_readings WHERE asset_id = ?1",
    "SELECT doc FROM work_orders WHERE asset_id = ?1",
];

fn parse(doc: &str) -> StoreResult<Record> {
    serde_json::from_str(doc).map_err(|e| StoreError::Corrupt(format!("{e}: {doc:.120}")))
}

impl SqliteStore {
    fn read_indexed(&self, queries: &[&str], key: &RecordId) -> StoreResult<Vec<Record>> {
        let mut out = Vec::new();
        for sql in queries {
            let mut stmt = self.conn.prepare_cached(sql)?;
            let docs = stmt.query_map([key.as_str()], |r| r.get::<_, String>(0))?;
            for doc in docs {
                out.push(parse(&doc?)?);
            }
        }
        Ok(out)
    }
}

impl AssetQueries for SqliteStore {
    fn asset_records(&self, asset: &RecordId) -> StoreResult<Vec<Record>> {
        self.read_indexed(ASSET_QUERIES, asset)
    }

    fn facility_records(&self, facility: &RecordId) -> StoreResult<Vec<Record>> {
        self.read_indexed(FACILITY_QUERIES, facility)
    }
}

impl PgStore {
    fn read_indexed(&self, queries: &[&str], key: &RecordId) -> StoreResult<Vec<Record>> {
        let mut client = self.reader()?;
        let mut out = Vec::new();
        for sql in queries {
            for row in client.query(&sql.replace("?1", "$1"), &[&key.as_str()])? {
                out.push(parse(row.get(0))?);
            }
        }
        Ok(out)
    }
}

impl AssetQueries for PgStore {
    fn asset_records(&self, asset: &RecordId) -> StoreResult<Vec<Record>> {
        self.read_indexed(ASSET_QUERIES, asset)
    }

    fn facility_records(&self, facility: &RecordId) -> StoreResult<Vec<Record>> {
        self.read_indexed(FACILITY_QUERIES, facility)
    }
}

/// A boxed store (`Box<dyn Store>`) answers as the store does, so a second connection opened
/// for these reads can be handed where `&dyn AssetQueries` is asked for.
impl<T: AssetQueries + ?Sized> AssetQueries for Box<T> {
    fn asset_records(&self, asset: &RecordId) -> StoreResult<Vec<Record>> {
        (**self).asset_records(asset)
    }

    fn facility_records(&self, facility: &RecordId) -> StoreResult<Vec<Record>> {
        (**self).facility_records(facility)
    }
}
