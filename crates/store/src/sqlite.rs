use std::collections::HashMap;
use std::path::{Path, PathBuf};

use aidtrace_domain::fx::RateEntry;
use aidtrace_domain::{Record, RecordId, RecordKind};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use rusqlite_migration::{M, Migrations};

use crate::audit::{self, AuditEntry, AuditVerification, GENESIS};
use crate::decode::{LedgerDecoder, parse_record};
use crate::{ApplyReport, Store, StoreError, StoreResult, WriteBatch};

mod copy;

/// The embedded default: one SQLite file in WAL mode with foreign keys enforced.
pub struct SqliteStore {
    pub(crate) conn: Connection,
    path: PathBuf,
}

pub(crate) const FX_KIND: &str = "fx_rate";

/// In file-name order: SQLite's `user_version` counts how many have run, so the order is part of
/// the schema and new migrations only ever go at the end.
fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("../migrations/0001_ledger.sql")),
        M::up(include_str!("../migrations/0002_web.sql")),
        M::up(include_str!("../migrations/0003_budgets.sql")),
        M::up(include_str!("../migrations/0004_assets.sql")),
        M::up(include_str!("../migrations/0005_intake.sql")),
        M::up(include_str!("../migrations/0006_density_references.sql")),
        M::up(include_str!("../migrations/0007_audit_action_check.sql")),
        M::up(include_str!("../migrations/0008_account_disabled.sql")),
        M::up(include_str!("../migrations/0009_medicines.sql")),
        M::up(include_str!("../migrations/0010_contracts_parts.sql")),
        M::up(include_str!("../migrations/0011_incidents_recalls.sql")),
    ])
}

pub(crate) fn table(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Source => "sources",
        RecordKind::Organisation => "organisations",
        RecordKind::Facility => "facilities",
        RecordKind::Activity => "activities",
        RecordKind::Flow => "flows",
        RecordKind::Budget => "budgets",
        RecordKind::EquipmentLine => "equipment_lines",
        RecordKind::Partnership => "partnerships",
        RecordKind::MarketRegistration => "market_registrations",
        RecordKind::Claim => "claims",
        RecordKind::DeviceModel => "device_models",
        RecordKind::FacilityPower => "facility_power",
        RecordKind::Population => "populations",
        RecordKind::EquipmentStandard => "equipment_standards",
        RecordKind::Asset => "assets",
        RecordKind::MaintenancePlan => "maintenance_plans",
        RecordKind::WorkOrder => "work_orders",
        RecordKind::AssetEvent => "asset_events",
        RecordKind::Downtime => "downtimes",
        RecordKind::MeterReading => "meter_readings",
        RecordKind::DonationCheck => "donation_checks",
        RecordKind::IntakeDraft => "intake_drafts",
        RecordKind::DensityReference => "density_references",
        RecordKind::MedicineProduct => "medicine_products",
        RecordKind::EssentialMedicine => "essential_medicines",
        RecordKind::Consignment => "consignments",
        RecordKind::ConsignmentDecision => "consignment_decisions",
        RecordKind::StockMovement => "stock_movements",
        RecordKind::Contract => "contracts",
        RecordKind::SparePart => "spare_parts",
        RecordKind::PartMovement => "part_movements",
        RecordKind::Incident => "incidents",
        RecordKind::FieldSafetyNotice => "field_safety_notices",
    }
}

/// The indexed and foreign-key columns of a record, beside its JSON document.
pub(crate) fn key_columns(record: &Record) -> Vec<(&'static str, Option<String>)> {
    let s = |id: &RecordId| Some(id.to_string());
    let o = |id: &Option<RecordId>| id.as_ref().map(ToString::to_string);
    match record {
        Record::Source(_) | Record::MarketRegistration(_) => vec![],
        Record::Organisation(r) => vec![("parent_id", o(&r.parent))],
        Record::Facility(r) => vec![
            ("operator_id", o(&r.operator)),
            ("country", Some(r.country.to_string())),
        ],
        Record::Activity(r) => vec![
            ("parent_id", o(&r.parent)),
            (
                "status",
                serde_json::to_value(r.status)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from)),
            ),
        ],
        Record::Flow(r) => vec![
            ("activity_id", s(&r.activity)),
            ("parent_flow_id", o(&r.parent_flow)),
            ("provider_id", o(&r.provider)),
            ("receiver_id", o(&r.receiver)),
            ("kind", Some(r.kind.as_str().to_string())),
            ("currency", Some(r.money.currency.to_string())),
            ("amount", Some(r.money.amount.to_string())),
            ("value_date", r.money.value_date.map(|d| d.to_string())),
        ],
        Record::Budget(r) => vec![
            ("activity_id", s(&r.activity)),
            ("provider_id", o(&r.provider)),
            ("receiver_id", o(&r.receiver)),
        ],
        Record::EquipmentLine(r) => vec![
            ("activity_id", s(&r.activity)),
            ("facility_id", o(&r.facility)),
        ],
        Record::Partnership(r) => vec![("lead_id", s(&r.lead))],
        Record::Claim(r) => vec![("activity_id", o(&r.activity))],
        Record::DeviceModel(r) => vec![
            ("manufacturer_id", s(&r.manufacturer)),
            ("generic_type", Some(r.generic_type.clone())),
        ],
        Record::FacilityPower(r) => vec![("facility_id", s(&r.facility))],
        Record::Population(_) | Record::EquipmentStandard(_) | Record::DensityReference(_) => {
            vec![]
        }
        Record::Asset(r) => vec![
            ("model_id", s(&r.model)),
            ("facility_id", s(&r.facility)),
            ("parent_id", o(&r.parent)),
            ("activity_id", o(&r.funding.activity)),
            ("equipment_line_id", o(&r.funding.equipment_line)),
        ],
        Record::MaintenancePlan(r) => vec![("model_id", o(&r.model)), ("asset_id", o(&r.asset))],
        Record::WorkOrder(r) => vec![
            ("asset_id", s(&r.asset)),
            ("plan_id", o(&r.plan)),
            (
                "status",
                serde_json::to_value(r.status)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from)),
            ),
        ],
        Record::AssetEvent(r) => vec![
            ("asset_id", s(&r.asset)),
            ("at", Some(r.at.to_string())),
            ("state", Some(r.state.as_str().to_string())),
            ("acceptance_id", o(&r.acceptance)),
        ],
        Record::Downtime(r) => vec![
            ("asset_id", s(&r.asset)),
            ("work_order_id", o(&r.work_order)),
            ("start", Some(r.start.to_string())),
        ],
        Record::MeterReading(r) => vec![("asset_id", s(&r.asset)), ("at", Some(r.at.to_string()))],
        Record::DonationCheck(r) => vec![
            ("asset_id", o(&r.asset)),
            ("activity_id", o(&r.activity)),
            ("model_id", s(&r.model)),
            ("facility_id", s(&r.facility)),
        ],
        Record::IntakeDraft(r) => vec![("source_id", o(&r.source))],
        Record::MedicineProduct(r) => vec![("registration_id", o(&r.registration))],
        Record::EssentialMedicine(_) => vec![],
        Record::Consignment(r) => vec![
            ("donor_id", s(&r.donor)),
            ("activity_id", o(&r.activity)),
            ("destination_id", s(&r.destination)),
        ],
        Record::ConsignmentDecision(r) => vec![("consignment_id", s(&r.consignment))],
        Record::StockMovement(r) => vec![
            ("consignment_id", s(&r.consignment)),
            ("product_id", s(&r.product)),
            ("from_id", o(&r.from)),
            ("to_id", o(&r.to)),
            ("date", Some(r.date.to_string())),
        ],
        Record::Contract(r) => vec![
            ("vendor_id", o(&r.vendor)),
            ("model_id", o(&r.model)),
            ("facility_id", o(&r.facility)),
        ],
        Record::SparePart(r) => vec![("model_id", s(&r.model))],
        Record::PartMovement(r) => vec![
            ("part_id", s(&r.part)),
            ("facility_id", s(&r.facility)),
            ("work_order_id", o(&r.work_order)),
            ("at", Some(r.at.to_string())),
        ],
        Record::Incident(r) => vec![
            ("asset_id", s(&r.asset)),
            ("work_order_id", o(&r.work_order)),
            ("at", Some(r.at.to_string())),
        ],
        Record::FieldSafetyNotice(r) => {
            vec![("issuer_id", s(&r.issuer)), ("model_id", o(&r.model))]
        }
    }
}

pub(crate) fn fx_id(rate: &RateEntry) -> String {
    format!(
        "{}:{}:{:?}:{}",
        rate.currency, rate.date, rate.frequency, rate.source
    )
}

impl SqliteStore {
    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> StoreResult<Self> {
        let mut conn = Connection::open(path)
            .map_err(|e| StoreError::Database(format!("cannot open {}: {e}", path.display())))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // FULL: a commit that returned is on disk even if the machine loses power right after.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // A file's import is one transaction of many pages: a cache that holds them saves
        // spilling to the log mid-way, and statement journals in memory save a temp file.
        conn.pragma_update(None, "cache_size", -65536)?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        // Checkpoint when the log holds 32 MiB instead of SQLite's 4 MiB: an import of many
        // files commits once per file, and each checkpoint copied the same index and audit
        // pages back into the database again, with two more syncs. Durability is the log's
        // (synchronous=FULL above); how often it is copied back changes nothing of it. The
        // log file is cut back to this size after a checkpoint.
        conn.pragma_update(None, "wal_autocheckpoint", 8192)?;
        conn.pragma_update(None, "journal_size_limit", 32 * 1024 * 1024)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // Every record kind has its own read, upsert and audit statements; keep them all.
        conn.set_prepared_statement_cache_capacity(128);
        migrations()
            .to_latest(&mut conn)
            .map_err(|e| StoreError::Database(format!("schema migration failed: {e}")))?;
        Ok(Self {
            conn,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// SQLite's own consistency check of the file (pages, indexes, foreign keys).
    pub fn integrity_check(&self) -> StoreResult<Vec<String>> {
        let mut problems: Vec<String> = Vec::new();
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        for row in stmt.query_map([], |r| r.get::<_, String>(0))? {
            let line = row?;
            if line != "ok" {
                problems.push(line);
            }
        }
        let mut stmt = self.conn.prepare("PRAGMA foreign_key_check")?;
        let fk: Vec<String> = stmt
            .query_map([], |r| {
                Ok(format!(
                    "foreign key broken in {} row {}",
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?
                ))
            })?
            .collect::<Result<_, _>>()?;
        problems.extend(fk);
        Ok(problems)
    }

    fn begin(&mut self) -> StoreResult<Transaction<'_>> {
        // IMMEDIATE takes the write lock up front, so two writers queue instead of failing mid-way.
        Ok(self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?)
    }
}

pub(crate) fn read_doc(tx: &Connection, table: &str, id: &str) -> StoreResult<Option<String>> {
    let mut stmt = tx.prepare_cached(&format!("SELECT doc FROM {table} WHERE id = ?1"))?;
    Ok(stmt.query_row([id], |r| r.get(0)).optional()?)
}

/// The audit chain's head while one transaction appends to it: read once, written once, so
/// a batch of many records costs one audit row each and not three statements each.
pub(crate) struct AuditChain {
    seq: i64,
    hash: String,
    /// One time for the whole transaction: its changes become visible together.
    at: String,
}

impl AuditChain {
    pub(crate) fn load(tx: &Connection) -> StoreResult<Self> {
        let head: Option<(i64, String)> = tx
            .prepare_cached("SELECT seq, hash FROM audit_head WHERE singleton = 1")?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let (seq, hash) = head.unwrap_or((0, GENESIS.to_string()));
        Ok(Self {
            seq,
            hash,
            at: chrono::Utc::now()
                .format("%Y-%m-%dT%H:%M:%S%.6fZ")
                .to_string(),
        })
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn append(
        &mut self,
        tx: &Connection,
        actor: &str,
        action: &str,
        kind: &str,
        record_id: &str,
        before: Option<&str>,
        after: Option<&str>,
    ) -> StoreResult<()> {
        let change = AuditChange {
            actor,
            action,
            kind,
            record_id,
            before,
            after,
        };
        self.push(tx, &change, after)
    }

    /// The entry for a record just created in its table. Its text is not stored a second time
    /// here: until the record changes it is the record's row, afterwards the `before` of the
    /// entry that changed it, and [`Store::audit_log`] puts it back from there. The hash
    /// covers it as for any entry, so `audit verify` also proves the row is what was written.
    pub(crate) fn append_create(
        &mut self,
        tx: &Connection,
        actor: &str,
        kind: RecordKind,
        record_id: &str,
        doc: &str,
    ) -> StoreResult<()> {
        let change = AuditChange {
            actor,
            action: "create",
            kind: kind.as_str(),
            record_id,
            before: None,
            after: Some(doc),
        };
        self.push(tx, &change, None)
    }

    /// Chains one entry to the head; `stored_after` is what its `after` column holds.
    fn push(
        &mut self,
        tx: &Connection,
        change: &AuditChange<'_>,
        stored_after: Option<&str>,
    ) -> StoreResult<()> {
        let fields = audit::EntryFields {
            prev_hash: &self.hash,
            seq: self.seq + 1,
            at: &self.at,
            actor: change.actor,
            action: change.action,
            kind: change.kind,
            record_id: change.record_id,
            before: change.before,
            after: change.after,
        };
        let seq = fields.seq;
        self.hash = insert_entry(tx, &fields, stored_after)?;
        self.seq = seq;
        Ok(())
    }

    /// Writes the head back; must run before the transaction commits.
    pub(crate) fn store_head(&self, tx: &Connection) -> StoreResult<()> {
        tx.prepare_cached(
            "INSERT INTO audit_head (singleton, seq, hash) VALUES (1, ?1, ?2)
             ON CONFLICT(singleton) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
        )?
        .execute(params![self.seq, self.hash])?;
        Ok(())
    }
}

/// One change as the audit trail records it.
struct AuditChange<'a> {
    actor: &'a str,
    action: &'a str,
    kind: &'a str,
    record_id: &'a str,
    before: Option<&'a str>,
    after: Option<&'a str>,
}

/// Writes one audit row, with `stored_after` as its `after` column; returns its hash.
fn insert_entry(
    tx: &Connection,
    fields: &audit::EntryFields<'_>,
    stored_after: Option<&str>,
) -> StoreResult<String> {
    let hash = audit::entry_hash(fields);
    tx.prepare_cached(
        "INSERT INTO audit_log (seq, at, actor, action, kind, record_id, before, after, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        fields.seq,
        fields.at,
        fields.actor,
        fields.action,
        fields.kind,
        fields.record_id,
        fields.before,
        stored_after,
        fields.prev_hash,
        hash
    ])?;
    Ok(hash)
}

/// Appends one entry to the audit chain inside the caller's (immediate) transaction. Accounts
/// append through their own connection; both read the head in their transaction, and SQLite
/// lets one writer at a time, so the chain stays one.
pub(crate) fn append_audit(
    tx: &Connection,
    actor: &str,
    action: &str,
    kind: &str,
    record_id: &str,
    before: Option<&str>,
    after: Option<&str>,
) -> StoreResult<()> {
    let mut chain = AuditChain::load(tx)?;
    chain.append(tx, actor, action, kind, record_id, before, after)?;
    chain.store_head(tx)
}

/// One write transaction with the audit chain's head held in memory until commit.
struct SqliteBatch<'c> {
    tx: Transaction<'c>,
    chain: AuditChain,
    actor: &'c str,
    report: ApplyReport,
    /// Insert (false) and update (true) statements by kind, built once per transaction.
    writes: HashMap<(RecordKind, bool), String>,
    /// Whether the last record put was new: the next one is then inserted without reading
    /// first (see `put_record`).
    expect_new: bool,
}

impl WriteBatch for SqliteBatch<'_> {
    fn put(&mut self, record: &Record) -> StoreResult<()> {
        self.put_record(record)
    }

    fn delete(&mut self, kind: RecordKind, id: &RecordId) -> StoreResult<()> {
        delete_record(
            &self.tx,
            &mut self.chain,
            self.actor,
            kind,
            id,
            &mut self.report,
        )
    }

    fn get(&self, kind: RecordKind, id: &RecordId) -> StoreResult<Option<Record>> {
        read_doc(&self.tx, table(kind), id.as_str())?
            .map(|doc| parse_record(&doc))
            .transpose()
    }

    fn exists(&self, kind: RecordKind, id: &RecordId) -> StoreResult<bool> {
        let mut stmt = self
            .tx
            .prepare_cached(&format!("SELECT 1 FROM {} WHERE id = ?1", table(kind)))?;
        Ok(stmt.exists([id.as_str()])?)
    }

    fn defer_reference_checks(&mut self) -> StoreResult<()> {
        // A statement that cannot fail half-way needs no statement journal, which is a good
        // part of a large import's cost.
        self.tx.pragma_update(None, "defer_foreign_keys", "ON")?;
        Ok(())
    }

    fn commit(self: Box<Self>) -> StoreResult<ApplyReport> {
        if self.report.changed() > 0 {
            self.chain.store_head(&self.tx)?;
        }
        self.tx.commit()?;
        Ok(self.report)
    }
}

/// The write of a record of a kind, with `id` as ?1, `doc` as ?2 and the key columns after:
/// an INSERT when the row is new, an UPDATE when it exists (the caller has just read it).
/// Not one upsert for both: SQLite compiles the DO UPDATE branch of an upsert on a table
/// with foreign keys as a statement that may write several rows and abort half-way, so
/// every upsert, insert or not, copied each page it touched into a statement journal
/// first (a tenth of a fresh import's writing time). A plain INSERT needs none.
pub(crate) fn write_sql(
    table: &str,
    extra: &[(&'static str, Option<String>)],
    exists: bool,
) -> String {
    record_write_sql(table, extra, exists, |i, _| format!("?{}", i + 1))
}

/// The INSERT (new row) or UPDATE (existing row, by id) of a record's id, document and key
/// columns, in that order; `value(i, column)` writes the i-th (from 0) value's placeholder in the
/// backend's dialect. Both backends build their statements here.
pub(crate) fn record_write_sql(
    table: &str,
    extra: &[(&'static str, Option<String>)],
    exists: bool,
    value: impl Fn(usize, &str) -> String,
) -> String {
    let mut columns = vec!["id", "doc"];
    columns.extend(extra.iter().map(|(c, _)| *c));
    if exists {
        let updates: Vec<String> = columns
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, c)| format!("{c} = {}", value(i, c)))
            .collect();
        return format!(
            "UPDATE {table} SET {} WHERE id = {}",
            updates.join(", "),
            value(0, "id")
        );
    }
    let values: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| value(i, c))
        .collect();
    format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        columns.join(", "),
        values.join(", ")
    )
}

/// One audit row, selected as [`audit::ENTRY_COLUMNS`], as stored.
pub(crate) fn audit_entry_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        kind: r.get(4)?,
        record_id: r.get(5)?,
        before: r.get(6)?,
        after: r.get(7)?,
        prev_hash: r.get(8)?,
        hash: r.get(9)?,
    })
}

/// The audit entries (all, or one record's), with the text of each created record put back
/// where its entry does not store it (see [`AuditChain::append_create`]): the `before` of the
/// record's next entry, or its row. Run it inside one read transaction, so the rows are those
/// of the same moment as the log. (`audit verify` streams instead: `verify.rs`.)
fn read_audit_entries(
    conn: &Connection,
    record: Option<(RecordKind, &RecordId)>,
) -> StoreResult<Vec<AuditEntry>> {
    let map = audit_entry_of;
    let columns = audit::ENTRY_COLUMNS;
    let mut entries: Vec<AuditEntry> = match record {
        None => {
            let mut stmt =
                conn.prepare(&format!("SELECT {columns} FROM audit_log ORDER BY seq"))?;
            stmt.query_map([], map)?.collect::<Result<_, _>>()?
        }
        Some((kind, id)) => {
            let mut stmt = conn.prepare(&format!(
                "SELECT {columns} FROM audit_log WHERE kind = ?1 AND record_id = ?2 ORDER BY seq"
            ))?;
            stmt.query_map(params![kind.as_str(), id.as_str()], map)?
                .collect::<Result<_, _>>()?
        }
    };
    let mut next_before: HashMap<(String, String), Option<String>> = HashMap::new();
    for e in entries.iter_mut().rev() {
        let key = (e.kind.clone(), e.record_id.clone());
        if e.action == "create" && e.after.is_none() {
            e.after = match (next_before.get(&key), RecordKind::parse(&e.kind)) {
                (Some(before), _) => before.clone(),
                (None, Some(kind)) => read_doc(conn, table(kind), &e.record_id)?,
                (None, None) => None,
            };
        }
        next_before.insert(key, e.before.clone());
    }
    Ok(entries)
}

impl SqliteBatch<'_> {
    fn put_record(&mut self, record: &Record) -> StoreResult<()> {
        let kind = record.kind();
        let table = table(kind);
        let id = record.id().to_string();
        let doc =
            serde_json::to_string(record).map_err(|e| StoreError::InvalidRequest(e.to_string()))?;
        let doc = doc.as_str();
        let extra = key_columns(record);
        // Where the last record was new (a first import), the INSERT is tried straight away:
        // the row's primary key refuses it if it exists after all, before anything is written,
        // and the record then takes the read-and-compare path below. That saves a read per new
        // record; after a record that existed (a re-import) the read comes first again, so a
        // re-import does not pay for refused INSERTs. Either way the row, the report and the
        // audit entry are the same.
        if self.expect_new {
            match self.write_row(kind, table, &id, doc, &extra, false) {
                Ok(()) => {
                    self.report.created += 1;
                    return self
                        .chain
                        .append_create(&self.tx, self.actor, kind, &id, doc);
                }
                Err(e) if is_primary_key_conflict(&e) => self.expect_new = false,
                Err(e) => return Err(integrity_message(e, kind, &id)),
            }
        }
        let before = read_doc(&self.tx, table, &id)?;
        self.expect_new = before.is_none();
        if before.as_deref() == Some(doc) {
            self.report.unchanged += 1;
            return Ok(());
        }
        self.write_row(kind, table, &id, doc, &extra, before.is_some())
            .map_err(|e| integrity_message(e, kind, &id))?;
        match before {
            Some(before) => {
                self.report.updated += 1;
                self.chain.append(
                    &self.tx,
                    self.actor,
                    "update",
                    kind.as_str(),
                    &id,
                    Some(&before),
                    Some(doc),
                )
            }
            None => {
                self.report.created += 1;
                self.chain
                    .append_create(&self.tx, self.actor, kind, &id, doc)
            }
        }
    }

    /// The INSERT (`exists` false) or UPDATE of one record's row.
    fn write_row(
        &mut self,
        kind: RecordKind,
        table: &str,
        id: &str,
        doc: &str,
        extra: &[(&'static str, Option<String>)],
        exists: bool,
    ) -> rusqlite::Result<()> {
        let sql = self
            .writes
            .entry((kind, exists))
            .or_insert_with(|| write_sql(table, extra, exists));
        // Bound one by one: no list of the values is built for each record.
        let mut stmt = self.tx.prepare_cached(sql)?;
        stmt.raw_bind_parameter(1, id)?;
        stmt.raw_bind_parameter(2, doc)?;
        for (i, (_, value)) in extra.iter().enumerate() {
            stmt.raw_bind_parameter(i + 3, value.as_deref())?;
        }
        stmt.raw_execute()?;
        Ok(())
    }
}

/// Whether an INSERT was refused because a row with its id exists (every record table has
/// `id TEXT PRIMARY KEY`; SQLite checks it before writing anything of the row).
fn is_primary_key_conflict(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(err, _)
            if err.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
    )
}

fn integrity_message(e: rusqlite::Error, kind: RecordKind, id: &str) -> StoreError {
    match StoreError::from(e) {
        StoreError::Integrity(msg) => StoreError::Integrity(format!(
            "{} {id}: {msg} (it refers to a record that does not exist, or is referred to by another)",
            kind.as_str()
        )),
        other => other,
    }
}

fn delete_record(
    tx: &Connection,
    chain: &mut AuditChain,
    actor: &str,
    kind: RecordKind,
    id: &RecordId,
    report: &mut ApplyReport,
) -> StoreResult<()> {
    let table = table(kind);
    let Some(before) = read_doc(tx, table, id.as_str())? else {
        return Err(StoreError::InvalidRequest(format!(
            "{} {id} does not exist",
            kind.as_str()
        )));
    };
    tx.execute(&format!("DELETE FROM {table} WHERE id = ?1"), [id.as_str()])
        .map_err(|e| integrity_message(e, kind, id.as_str()))?;
    report.deleted += 1;
    chain.append(
        tx,
        actor,
        "delete",
        kind.as_str(),
        id.as_str(),
        Some(&before),
        None,
    )
}

impl Store for SqliteStore {
    /// Every record, streamed into [`LedgerDecoder`] (chunks decoded on every core), so only one
    /// chunk's documents and records are held beside the ledger.
    fn ledger(&self) -> StoreResult<aidtrace_domain::Ledger> {
        let mut ledger = LedgerDecoder::new();
        for kind in RecordKind::ALL {
            let mut stmt = self
                .conn
                .prepare_cached(&format!("SELECT doc FROM {} ORDER BY id", table(kind)))?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                ledger.push(kind, row.get(0)?)?;
            }
        }
        ledger.finish()
    }

    fn begin_batch<'s>(&'s mut self, actor: &'s str) -> StoreResult<Box<dyn WriteBatch + 's>> {
        let tx = self.begin()?;
        let chain = AuditChain::load(&tx)?;
        Ok(Box::new(SqliteBatch {
            tx,
            chain,
            actor,
            report: ApplyReport::default(),
            writes: HashMap::new(),
            expect_new: false,
        }))
    }

    fn get(&self, kind: RecordKind, id: &RecordId) -> StoreResult<Option<Record>> {
        read_doc(&self.conn, table(kind), id.as_str())?
            .map(|doc| parse_record(&doc))
            .transpose()
    }

    fn list(&self, kind: RecordKind) -> StoreResult<Vec<Record>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT doc FROM {} ORDER BY id", table(kind)))?;
        let docs: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        docs.iter().map(|d| parse_record(d)).collect()
    }

    fn count(&self, kind: RecordKind) -> StoreResult<usize> {
        let n: i64 = self
            .conn
            .prepare_cached(&format!("SELECT count(*) FROM {}", table(kind)))?
            .query_row([], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    fn page(&self, kind: RecordKind, offset: usize, limit: usize) -> StoreResult<Vec<Record>> {
        // SQLite counts in i64; a page beyond that range is empty rather than an error.
        let as_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT doc FROM {} ORDER BY id LIMIT ?1 OFFSET ?2",
            table(kind)
        ))?;
        let docs: Vec<String> = stmt
            .query_map(params![as_i64(limit), as_i64(offset)], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        docs.iter().map(|d| parse_record(d)).collect()
    }

    fn consignment_records(&self, consignment: &RecordId) -> StoreResult<Vec<Record>> {
        let mut out = Vec::new();
        for table in ["consignment_decisions", "stock_movements"] {
            let mut stmt = self.conn.prepare_cached(&format!(
                "SELECT doc FROM {table} WHERE consignment_id = ?1 ORDER BY id"
            ))?;
            let docs: Vec<String> = stmt
                .query_map([consignment.as_str()], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            for d in &docs {
                out.push(parse_record(d)?);
            }
        }
        Ok(out)
    }

    fn ledger_version(&self) -> StoreResult<i64> {
        Ok(self
            .conn
            .prepare_cached("SELECT seq FROM audit_head WHERE singleton = 1")?
            .query_row([], |r| r.get(0))
            .optional()?
            .unwrap_or(0))
    }

    fn put_fx_rates(&mut self, actor: &str, rates: &[RateEntry]) -> StoreResult<ApplyReport> {
        let tx = self.begin()?;
        let mut report = ApplyReport::default();
        let mut chain = AuditChain::load(&tx)?;
        for rate in rates {
            let id = fx_id(rate);
            let doc = serde_json::to_string(rate)
                .map_err(|e| StoreError::InvalidRequest(e.to_string()))?;
            let before = read_doc(&tx, "fx_rates", &id)?;
            if before.as_deref() == Some(doc.as_str()) {
                report.unchanged += 1;
                continue;
            }
            tx.prepare_cached(
                "INSERT INTO fx_rates (id, doc) VALUES (?1, ?2) ON CONFLICT(id) DO UPDATE SET doc = excluded.doc",
            )?
            .execute(params![id, doc])?;
            let action = if before.is_some() { "update" } else { "create" };
            if before.is_some() {
                report.updated += 1;
            } else {
                report.created += 1;
            }
            chain.append(
                &tx,
                actor,
                action,
                FX_KIND,
                &id,
                before.as_deref(),
                Some(&doc),
            )?;
        }
        if report.changed() > 0 {
            chain.store_head(&tx)?;
        }
        tx.commit()?;
        Ok(report)
    }

    fn fx_rates(&self) -> StoreResult<Vec<RateEntry>> {
        let mut stmt = self
            .conn
            .prepare("SELECT doc FROM fx_rates ORDER BY rowid")?;
        let docs: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        docs.iter()
            .map(|d| serde_json::from_str(d).map_err(|e| StoreError::Corrupt(e.to_string())))
            .collect()
    }

    fn audit_log(&self, record: Option<(RecordKind, &RecordId)>) -> StoreResult<Vec<AuditEntry>> {
        let tx = self.conn.unchecked_transaction()?;
        read_audit_entries(&tx, record)
    }

    fn verify_audit(&self) -> StoreResult<AuditVerification> {
        // One snapshot: the log and the rows as of the same moment.
        let tx = self.conn.unchecked_transaction()?;
        crate::verify::verify(&tx)
    }

    fn backup(&self, target: &Path) -> StoreResult<()> {
        if target.exists() {
            return Err(StoreError::InvalidRequest(format!(
                "{} already exists; choose a new file so no backup is overwritten",
                target.display()
            )));
        }
        // A folder that is not there is the caller's mistake (exit 2), not a failed backup: say
        // so before SQLite reports it as a bare "unable to open database file".
        let folder = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !folder.is_dir() {
            return Err(StoreError::InvalidRequest(format!(
                "{}: the folder {} does not exist; create it first or choose another place",
                target.display(),
                folder.display()
            )));
        }
        let target_str = target.to_str().ok_or_else(|| {
            StoreError::InvalidRequest(format!("{} is not a UTF-8 path", target.display()))
        })?;
        // VACUUM INTO reads one snapshot of the database, so the copy is consistent even while
        // other connections write.
        self.conn.execute("VACUUM INTO ?1", [target_str])?;
        let copy = Connection::open(target)?;
        let check: String = copy.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if check != "ok" {
            return Err(StoreError::Corrupt(format!(
                "backup failed its integrity check: {check}"
            )));
        }
        Ok(())
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
}
