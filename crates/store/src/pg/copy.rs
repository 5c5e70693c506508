//! [`Store::copy_out`] and [`Store::copy_in`] on PostgreSQL (see `crate::copy`).
//!
//! [`Store::copy_out`]: crate::Store::copy_out
//! [`Store::copy_in`]: crate::Store::copy_in

use aidtrace_domain::RecordKind;
use postgres::Transaction;
use postgres::types::ToSql;

use super::verify::audit_entry_of;
use super::{PgStore, write_sql};
use crate::StoreResult;
use crate::copy::{
    CopyItem, CopyReport, WEB_TABLES, not_empty, web_columns, web_insert_sql, web_select_sql,
};
use crate::decode::parse_record;
use crate::sqlite::{key_columns, table};

/// Rows per round trip while reading a table through a cursor.
const PAGE: i64 = 5_000;

/// Streams `sql` through a cursor, `PAGE` rows at a time.
fn each_row(
    tx: &mut Transaction<'_>,
    sql: &str,
    mut row: impl FnMut(&postgres::Row) -> StoreResult<()>,
) -> StoreResult<()> {
    tx.batch_execute(&format!("DECLARE copy_walk NO SCROLL CURSOR FOR {sql}"))?;
    loop {
        let rows = tx.query(&format!("FETCH {PAGE} FROM copy_walk"), &[])?;
        for r in &rows {
            row(r)?;
        }
        if (rows.len() as i64) < PAGE {
            break;
        }
    }
    tx.batch_execute("CLOSE copy_walk")?;
    Ok(())
}

impl PgStore {
    pub(super) fn copy_out_rows(
        &self,
        sink: &mut dyn FnMut(CopyItem) -> StoreResult<()>,
    ) -> StoreResult<()> {
        self.read_at_one_moment(|tx| walk(tx, sink))
    }
}

/// Hands every row `store copy` moves to `sink`, in the order the target writes them.
fn walk(
    tx: &mut Transaction<'_>,
    sink: &mut dyn FnMut(CopyItem) -> StoreResult<()>,
) -> StoreResult<()> {
    for kind in RecordKind::ALL {
        let sql = format!(
            "SELECT id, doc FROM {} ORDER BY id COLLATE \"C\"",
            table(kind)
        );
        each_row(tx, &sql, |r| {
            sink(CopyItem::Record {
                kind,
                id: r.get(0),
                doc: r.get(1),
            })
        })?;
    }
    each_row(
        tx,
        "SELECT r.id, r.doc FROM fx_rates r
             JOIN (SELECT record_id, min(seq) AS first FROM audit_log WHERE kind = 'fx_rate'
                   GROUP BY record_id) a ON a.record_id = r.id
             ORDER BY a.first",
        |r| {
            sink(CopyItem::Rate {
                id: r.get(0),
                doc: r.get(1),
            })
        },
    )?;
    for (table, columns) in WEB_TABLES {
        each_row(tx, &web_select_sql(table, columns), |r| {
            let values = (0..columns.len()).map(|i| r.get(i)).collect();
            sink(CopyItem::WebRow { table, values })
        })?;
    }
    each_row(
        tx,
        &format!(
            "SELECT {} FROM audit_log ORDER BY seq",
            crate::audit::ENTRY_COLUMNS
        ),
        |r| sink(CopyItem::Audit(audit_entry_of(r))),
    )?;
    let head = tx.query_one("SELECT seq, hash FROM audit_head WHERE singleton = 1", &[])?;
    sink(CopyItem::Head {
        seq: head.get(0),
        hash: head.get(1),
    })
}

impl PgStore {
    pub(super) fn copy_in_rows(
        &mut self,
        items: &mut dyn Iterator<Item = StoreResult<CopyItem>>,
    ) -> StoreResult<CopyReport> {
        let mut tx = super::conn_mut(&mut self.client)?.transaction()?;
        // Locked as any writer does: nothing else writes while the copy goes in.
        tx.query_one(
            "SELECT seq FROM audit_head WHERE singleton = 1 FOR UPDATE",
            &[],
        )?;
        let entries: i64 = tx.query_one("SELECT count(*) FROM audit_log", &[])?.get(0);
        if entries > 0 {
            return Err(not_empty(&format!("{entries} audit entries")));
        }
        for kind in RecordKind::ALL {
            let sql = format!("SELECT 1 FROM {} LIMIT 1", table(kind));
            if tx.query_opt(&sql, &[])?.is_some() {
                return Err(not_empty(&format!("{} records", kind.as_str())));
            }
        }
        for (table, _) in WEB_TABLES {
            if tx
                .query_opt(&format!("SELECT 1 FROM {table} LIMIT 1"), &[])?
                .is_some()
            {
                return Err(not_empty(&format!("rows in {table}")));
            }
        }
        tx.batch_execute("SET CONSTRAINTS ALL DEFERRED")?;
        let mut report = CopyReport::default();
        for item in items {
            match item? {
                CopyItem::Record { kind, id, doc } => {
                    let record = parse_record(&doc)?;
                    let extra = key_columns(&record);
                    let mut values: Vec<Option<&str>> = vec![Some(&id), Some(&doc)];
                    values.extend(extra.iter().map(|(_, v)| v.as_deref()));
                    let params: Vec<&(dyn ToSql + Sync)> =
                        values.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
                    tx.execute(&write_sql(table(kind), &extra, false), &params)?;
                    report.records += 1;
                }
                CopyItem::Rate { id, doc } => {
                    tx.execute(
                        "INSERT INTO fx_rates (id, doc) VALUES ($1, $2)",
                        &[&id, &doc],
                    )?;
                    report.rates += 1;
                }
                CopyItem::WebRow { table, values } => {
                    let sql = web_insert_sql(
                        table,
                        web_columns(table)?,
                        |i| format!("${i}::text"),
                        "bigint",
                    );
                    let params: Vec<&(dyn ToSql + Sync)> =
                        values.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
                    tx.execute(&sql, &params)?;
                    report.web_rows += 1;
                }
                CopyItem::Audit(e) => {
                    tx.execute(
                        "INSERT INTO audit_log (seq, at, actor, action, kind, record_id, before, after, prev_hash, hash)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                        &[
                            &e.seq, &e.at, &e.actor, &e.action, &e.kind, &e.record_id,
                            &e.before, &e.after, &e.prev_hash, &e.hash,
                        ],
                    )?;
                    report.audit_entries += 1;
                }
                CopyItem::Head { seq, hash } => {
                    tx.execute(
                        "UPDATE audit_head SET seq = $1, hash = $2 WHERE singleton = 1",
                        &[&seq, &hash],
                    )?;
                }
            }
        }
        // Changes came with their ids: the next one proposed follows the highest.
        tx.execute(
            "SELECT setval(pg_get_serial_sequence('web_changes', 'id'),
                           coalesce(max(id), 0) + 1, false) FROM web_changes",
            &[],
        )?;
        tx.commit()?;
        Ok(report)
    }
}
