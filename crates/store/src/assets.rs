//! Reads for equipment indicators that touch one facility only: its assets, their models and
//! plans, and their histories, through the per-facility and per-asset indexes of
//! `0004_assets.sql`, so a facility page does not load the whole ledger.

use std::path::Path;

use aidtrace_domain::{Record, RecordId};
use rusqlite::Connection;

use crate::{SqliteStore, StoreError, StoreResult};

/// Indexed reads of one asset's history and one facility's equipment, in domain records: the
/// hot paths of the asset rules ("device down" at 2 M history records) and facility pages. It sits
/// beside [`crate::Store`], which stays the only way to write; a backend without such indexes
/// simply does not offer it, and callers list through `Store` instead.
pub trait AssetQueries: Send {
    /// One asset's lifecycle events, downtime, meter readings and work orders.
    fn asset_records(&self, asset: &RecordId) -> StoreResult<Vec<Record>>;

    /// The facility, its assets with their models and maintenance plans, and the assets' work
    /// orders, events, downtime and meter readings.
    fn facility_records(&self, facility: &RecordId) -> StoreResult<Vec<Record>>;
}

/// A read connection to the store for facility-scoped asset queries.
pub struct SqliteAssetQueries {
    conn: Connection,
}

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
];

const ASSET_QUERIES: &[&str] = &[
    "SELECT doc FROM asset_events WHERE asset_id = ?1",
    "SELECT doc FROM downtimes WHERE asset_id = ?1",
    "SELECT doc FROM meter_readings WHERE asset_id = ?1",
    "SELECT doc FROM work_orders WHERE asset_id = ?1",
];

impl AssetQueries for SqliteAssetQueries {
    fn asset_records(&self, asset: &RecordId) -> StoreResult<Vec<Record>> {
        SqliteAssetQueries::asset_records(self, asset)
    }

    fn facility_records(&self, facility: &RecordId) -> StoreResult<Vec<Record>> {
        SqliteAssetQueries::facility_records(self, facility)
    }
}

impl SqliteAssetQueries {
    /// Opens the store at `path` (creating and migrating it first, like the ledger store).
    pub fn open(path: &Path) -> StoreResult<Self> {
        drop(SqliteStore::open(path)?);
        let conn = Connection::open(path)
            .map_err(|e| StoreError::Database(format!("cannot open {}: {e}", path.display())))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        Ok(Self { conn })
    }

    /// The records one facility's indicators need: the facility, its assets with their models
    /// and maintenance plans, and the assets' work orders, events, downtime and meter readings.
    pub fn facility_records(&self, facility: &RecordId) -> StoreResult<Vec<Record>> {
        self.read(FACILITY_QUERIES, facility)
    }

    /// One asset's history: its lifecycle events, downtime, meter readings and work orders, for
    /// the rules checked before a write.
    pub fn asset_records(&self, asset: &RecordId) -> StoreResult<Vec<Record>> {
        self.read(ASSET_QUERIES, asset)
    }

    fn read(&self, queries: &[&str], key: &RecordId) -> StoreResult<Vec<Record>> {
        let mut out = Vec::new();
        for sql in queries {
            let mut stmt = self.conn.prepare_cached(sql)?;
            let docs = stmt.query_map([key.as_str()], |r| r.get::<_, String>(0))?;
            for doc in docs {
                let doc = doc?;
                out.push(
                    serde_json::from_str(&doc)
                        .map_err(|e| StoreError::Corrupt(format!("{e}: {doc:.120}")))?,
                );
            }
        }
        Ok(out)
    }
}
