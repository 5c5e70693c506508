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
    /// orders, events, downtime and meter readings, and the contracts that may cover them; with the
    /// same for every asset a transfer took from or brought to the facility (dated location).
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

/// Transfer events that may name the facility (the partial index of `0011` keeps them apart;
/// `from_facility` and `to_facility` are read from the document, the text match only narrows).
const TRANSFER_QUERIES: &[&str] = &[
    "SELECT doc FROM asset_events WHERE state = 'transferred' AND doc LIKE '%' || CAST(?1 AS TEXT) || '%'",
];

/// An asset that was at the facility before a transfer: its record, model and plans (its
/// history comes from [`ASSET_QUERIES`]).
const MOVED_ASSET_QUERIES: &[&str] = &[
    "SELECT doc FROM assets WHERE id = ?1",
    "SELECT doc FROM device_models WHERE id IN (SELECT model_id FROM assets WHERE id = ?1)",
    "SELECT doc FROM maintenance_plans WHERE model_id IN (SELECT model_id FROM assets WHERE id = ?1)
        OR asset_id = ?1",
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

/// The facility's records: its assets now, and every asset a transfer took away from it or
/// brought to it, with their whole histories, so that each period is attributed to where the
/// asset was (issue #17 item 2; the indexed path read only the assets there now).
fn facility_records_with(
    mut read: impl FnMut(&[&str], &RecordId) -> StoreResult<Vec<Record>>,
    facility: &RecordId,
) -> StoreResult<Vec<Record>> {
    let mut out = read(FACILITY_QUERIES, facility)?;
    let here: std::collections::HashSet<RecordId> = out
        .iter()
        .filter_map(|r| match r {
            Record::Asset(a) => Some(a.id.clone()),
            _ => None,
        })
        .collect();
    let mut moved: std::collections::BTreeSet<RecordId> = std::collections::BTreeSet::new();
    for r in read(TRANSFER_QUERIES, facility)? {
        if let Record::AssetEvent(e) = r
            && (e.from_facility.as_ref() == Some(facility)
                || e.to_facility.as_ref() == Some(facility))
            && !here.contains(&e.asset)
        {
            moved.insert(e.asset);
        }
    }
    for asset in &moved {
        out.extend(read(MOVED_ASSET_QUERIES, asset)?);
        out.extend(read(ASSET_QUERIES, asset)?);
    }
    Ok(out)
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
        facility_records_with(|q, k| self.read_indexed(q, k), facility)
    }
}

impl PgStore {
    fn read_indexed(&self, queries: &[&str], key: &RecordId) -> StoreResult<Vec<Record>> {
        crate::pg::blocking(|| {
            let mut client = self.reader()?;
            let mut out = Vec::new();
            for sql in queries {
                for row in client.query(&sql.replace("?1", "$1"), &[&key.as_str()])? {
                    out.push(parse(row.get(0))?);
                }
            }
            Ok(out)
        })
    }
}

impl AssetQueries for PgStore {
    fn asset_records(&self, asset: &RecordId) -> StoreResult<Vec<Record>> {
        self.read_indexed(ASSET_QUERIES, asset)
    }

    fn facility_records(&self, facility: &RecordId) -> StoreResult<Vec<Record>> {
        facility_records_with(|q, k| self.read_indexed(q, k), facility)
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
