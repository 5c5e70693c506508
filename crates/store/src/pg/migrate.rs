//! Embedded migrations for PostgreSQL, run at start. A table records which have run; an advisory
//! lock held for the transaction makes two processes that start at once migrate one after the
//! other, and a database migrated by a newer aidtrace is refused rather than written to.

use postgres::Client;

/// In order; new migrations only ever go at the end (the same rule as SQLite's).
const MIGRATIONS: &[(i32, &str)] = &[
    (1, include_str!("../../migrations-pg/0001_records.sql")),
    (2, include_str!("../../migrations-pg/0002_medicines.sql")),
    (3, include_str!("../../migrations-pg/0003_web_pgserve.sql")),
    (
        4,
        include_str!("../../migrations-pg/0004_contracts_parts.sql"),
    ),
    (
        5,
        include_str!("../../migrations-pg/0005_incidents_recalls.sql"),
    ),
    (
        6,
        include_str!("../../migrations-pg/0006_id_byte_order.sql"),
    ),
];

/// The schema version this build writes: the last migration's number (numbers are given out to
/// parallel branches ahead of their merge, so the list may have a gap until then).
pub const SCHEMA_VERSION: i32 = MIGRATIONS[MIGRATIONS.len() - 1].0;

/// Any constant shared by all aidtrace processes: the key of the migration lock.
const MIGRATION_LOCK: i64 = 0x6169_6474_7261_6365; // "aidtrace"

pub(super) fn to_latest(client: &mut Client) -> Result<(), String> {
    if is_current(client)? {
        return Ok(());
    }
    let mut tx = client
        .transaction()
        .map_err(|e| format!("schema migration failed: {e}"))?;
    let step = |e: postgres::Error| match e.as_db_error() {
        Some(db) => format!("schema migration failed: {}", db.message()),
        None => format!("schema migration failed: {e}"),
    };
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(step)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS aidtrace_schema (
             version INTEGER PRIMARY KEY NOT NULL,
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
         )",
    )
    .map_err(step)?;
    let current: i32 = tx
        .query_one("SELECT coalesce(max(version), 0) FROM aidtrace_schema", &[])
        .map_err(step)?
        .get(0);
    if current > SCHEMA_VERSION {
        return Err(format!(
            "the database has schema version {current}, newer than this aidtrace knows ({SCHEMA_VERSION}); use a newer aidtrace"
        ));
    }
    if current == 0 {
        // A database that already holds other tables of the same names is not ours to migrate.
        let taken: i64 = tx
            .query_one(
                "SELECT count(*) FROM information_schema.tables
                 WHERE table_schema = current_schema() AND table_name IN ('audit_log', 'flows')",
                &[],
            )
            .map_err(step)?
            .get(0);
        if taken > 0 {
            return Err(
                "the database holds tables named like aidtrace's but no aidtrace schema version; use an empty database".into(),
            );
        }
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        tx.batch_execute(sql).map_err(step)?;
        tx.execute(
            "INSERT INTO aidtrace_schema (version) VALUES ($1)",
            &[version],
        )
        .map_err(step)?;
    }
    tx.commit().map_err(step)
}

/// Whether the schema is already this build's, read without a lock or DDL: the common start,
/// and the only one a read-only database (a hot standby, `default_transaction_read_only`) allows.
fn is_current(client: &mut Client) -> Result<bool, String> {
    let failed = |e: postgres::Error| match e.as_db_error() {
        Some(db) => format!("reading the schema version failed: {}", db.message()),
        None => format!("reading the schema version failed: {e}"),
    };
    let exists: bool = client
        .query_one("SELECT to_regclass('aidtrace_schema') IS NOT NULL", &[])
        .map_err(failed)?
        .get(0);
    if !exists {
        return Ok(false);
    }
    let current: i32 = client
        .query_one("SELECT coalesce(max(version), 0) FROM aidtrace_schema", &[])
        .map_err(failed)?
        .get(0);
    Ok(current == SCHEMA_VERSION)
}
