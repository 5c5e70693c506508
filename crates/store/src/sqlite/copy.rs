//! [`Store::copy_out`] and [`Store::copy_in`] on SQLite (see `crate::copy`).
//!
//! [`Store::copy_out`]: crate::Store::copy_out
//! [`Store::copy_in`]: crate::Store::copy_in

use aidtrace_domain::RecordKind;
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{FX_KIND, SqliteStore, audit_entry_of, key_columns, parse_record, table, write_sql};
use crate::StoreResult;
use crate::copy::{
    CopyItem, CopyReport, WEB_TABLES, not_empty, web_columns, web_insert_sql, web_select_sql,
};

impl SqliteStore {
    pub(crate) fn copy_out_rows(
        &self,
        sink: &mut dyn FnMut(CopyItem) -> StoreResult<()>,
    ) -> StoreResult<()> {
        // One read transaction: the rows and the log of the same moment.
        let tx = self.conn.unchecked_transaction()?;
        for kind in RecordKind::ALL {
            let mut stmt =
                tx.prepare(&format!("SELECT id, doc FROM {} ORDER BY id", table(kind)))?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                sink(CopyItem::Record {
                    kind,
                    id: r.get(0)?,
                    doc: r.get(1)?,
                })?;
            }
        }
        let mut stmt = tx.prepare("SELECT id, doc FROM fx_rates ORDER BY rowid")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            sink(CopyItem::Rate {
                id: r.get(0)?,
                doc: r.get(1)?,
            })?;
        }
        for (table, columns) in WEB_TABLES {
            let mut stmt = tx.prepare(&web_select_sql(table, columns))?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let values = (0..columns.len())
                    .map(|i| r.get(i))
                    .collect::<Result<_, _>>()?;
                sink(CopyItem::WebRow { table, values })?;
            }
        }
        let mut stmt = tx.prepare(&format!(
            "SELECT {} FROM audit_log ORDER BY seq",
            crate::audit::ENTRY_COLUMNS
        ))?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            sink(CopyItem::Audit(audit_entry_of(r)?))?;
        }
        let head: Option<(i64, String)> = tx
            .query_row(
                "SELECT seq, hash FROM audit_head WHERE singleton = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((seq, hash)) = head {
            sink(CopyItem::Head { seq, hash })?;
        }
        Ok(())
    }

    pub(crate) fn copy_in_rows(
        &mut self,
        items: &mut dyn Iterator<Item = StoreResult<CopyItem>>,
    ) -> StoreResult<CopyReport> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let entries: i64 = tx.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))?;
        if entries > 0 {
            return Err(not_empty(&format!("{entries} audit entries")));
        }
        for kind in RecordKind::ALL {
            let any: Option<i64> = tx
                .query_row(&format!("SELECT 1 FROM {} LIMIT 1", table(kind)), [], |r| {
                    r.get(0)
                })
                .optional()?;
            if any.is_some() {
                return Err(not_empty(&format!("{} records", kind.as_str())));
            }
        }
        for (table, _) in WEB_TABLES {
            let any: Option<i64> = tx
                .query_row(&format!("SELECT 1 FROM {table} LIMIT 1"), [], |r| r.get(0))
                .optional()?;
            if any.is_some() {
                return Err(not_empty(&format!("rows in {table}")));
            }
        }
        tx.pragma_update(None, "defer_foreign_keys", "ON")?;
        let mut report = CopyReport::default();
        for item in items {
            match item? {
                CopyItem::Record { kind, id, doc } => {
                    let record = parse_record(&doc)?;
                    let extra = key_columns(&record);
                    let mut values: Vec<Option<&str>> = vec![Some(&id), Some(&doc)];
                    values.extend(extra.iter().map(|(_, v)| v.as_deref()));
                    tx.prepare_cached(&write_sql(table(kind), &extra, false))?
                        .execute(rusqlite::params_from_iter(values.iter()))?;
                    report.records += 1;
                }
                CopyItem::Rate { id, doc } => {
                    tx.prepare_cached("INSERT INTO fx_rates (id, doc) VALUES (?1, ?2)")?
                        .execute(params![id, doc])?;
                    report.rates += 1;
                }
                CopyItem::WebRow { table, values } => {
                    let sql =
                        web_insert_sql(table, web_columns(table)?, |i| format!("?{i}"), "INTEGER");
                    tx.prepare_cached(&sql)?
                        .execute(rusqlite::params_from_iter(values.iter()))?;
                    report.web_rows += 1;
                }
                CopyItem::Audit(e) => {
                    tx.prepare_cached(
                        "INSERT INTO audit_log (seq, at, actor, action, kind, record_id, before, after, prev_hash, hash)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                    )?
                    .execute(params![
                        e.seq, e.at, e.actor, e.action, e.kind, e.record_id, e.before, e.after,
                        e.prev_hash, e.hash
                    ])?;
                    report.audit_entries += 1;
                }
                CopyItem::Head { seq, hash } => {
                    tx.execute(
                        "INSERT INTO audit_head (singleton, seq, hash) VALUES (1, ?1, ?2)
                         ON CONFLICT(singleton) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
                        params![seq, hash],
                    )?;
                }
            }
        }
        tx.commit()?;
        let _ = FX_KIND;
        Ok(report)
    }
}
