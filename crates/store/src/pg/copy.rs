//! [`Store::copy_out`] and [`Store::copy_in`] on PostgreSQL (see `crate::copy`).
//!
//! [`Store::copy_out`]: crate::Store::copy_out
//! [`Store::copy_in`]: crate::Store::copy_in

use aidtrace_domain::RecordKind;
use postgres::Transaction;
use postgres::types::ToSql;

use super::PgStore;
use super::verify::audit_entry_of;
use crate::copy::{
    CopyItem, CopyReport, WEB_TABLES, not_empty, web_columns, web_insert_sql, web_select_sql,
};
use crate::decode::parse_record;
use crate::sqlite::{key_columns, table};
use crate::{StoreError, StoreResult};

/// Rows per round trip while reading a table through a cursor.
const PAGE: i64 = 5_000;

/// Bytes of rows gathered before one `COPY` statement sends them.
const COPY_BYTES: usize = 8 << 20;

/// `audit_log`'s columns in the order [`CopyItem::Audit`] rows are written.
const AUDIT_COLUMNS: [&str; 10] = [
    "seq",
    "at",
    "actor",
    "action",
    "kind",
    "record_id",
    "before",
    "after",
    "prev_hash",
    "hash",
];

/// Rows of one table gathered in `COPY`'s text format, sent when the table changes, when
/// `COPY_BYTES` are reached and at the end. Values are cast by the server's input functions,
/// as the row-by-row `CAST(… AS …)` did; text arrives byte for byte (the audit chain hashes it).
#[derive(Default)]
struct CopyBatch {
    statement: String,
    rows: Vec<u8>,
}

impl CopyBatch {
    /// Makes the batch one for `table` with `columns`, sending what another table gathered.
    fn start(
        &mut self,
        tx: &mut Transaction<'_>,
        table: &str,
        columns: &[&str],
    ) -> StoreResult<()> {
        let statement = format!("COPY {table} ({}) FROM STDIN", columns.join(", "));
        if statement != self.statement || self.rows.len() >= COPY_BYTES {
            self.send(tx)?;
            self.statement = statement;
        }
        Ok(())
    }

    fn row<'v>(&mut self, values: impl IntoIterator<Item = Option<&'v str>>) {
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.rows.push(b'\t');
            }
            push_copy_text(&mut self.rows, value);
        }
        self.rows.push(b'\n');
    }

    fn send(&mut self, tx: &mut Transaction<'_>) -> StoreResult<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let mut writer = tx.copy_in(self.statement.as_str())?;
        std::io::Write::write_all(&mut writer, &self.rows)
            .map_err(|e| StoreError::Database(format!("{}: {e}", self.statement)))?;
        writer.finish()?;
        self.rows.clear();
        Ok(())
    }
}

/// One value in `COPY`'s text format: `\N` for NULL; backslash, tab, newline and carriage
/// return escaped, every other byte as it is.
fn push_copy_text(out: &mut Vec<u8>, value: Option<&str>) {
    let Some(value) = value else {
        out.extend_from_slice(b"\\N");
        return;
    };
    let bytes = value.as_bytes();
    let mut plain = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escaped: &[u8] = match b {
            b'\\' => b"\\\\",
            b'\t' => b"\\t",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            _ => continue,
        };
        out.extend_from_slice(&bytes[plain..i]);
        out.extend_from_slice(escaped);
        plain = i + 1;
    }
    out.extend_from_slice(&bytes[plain..]);
}

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
        // Records and audit entries, nearly all of a store, go in through `COPY … FROM STDIN`:
        // one statement per table and batch instead of a round trip per row (an `INSERT` per
        // row took about 14 minutes per million flows).
        let mut pending = CopyBatch::default();
        for item in items {
            match item? {
                CopyItem::Record { kind, id, doc } => {
                    let record = parse_record(&doc)?;
                    let extra = key_columns(&record);
                    let mut columns = vec!["id", "doc"];
                    columns.extend(extra.iter().map(|(c, _)| *c));
                    pending.start(&mut tx, table(kind), &columns)?;
                    pending.row(
                        [Some(id.as_str()), Some(doc.as_str())]
                            .into_iter()
                            .chain(extra.iter().map(|(_, v)| v.as_deref())),
                    );
                    report.records += 1;
                }
                CopyItem::Audit(e) => {
                    pending.start(&mut tx, "audit_log", &AUDIT_COLUMNS)?;
                    let seq = e.seq.to_string();
                    pending.row([
                        Some(seq.as_str()),
                        Some(&e.at),
                        Some(&e.actor),
                        Some(&e.action),
                        Some(&e.kind),
                        Some(&e.record_id),
                        e.before.as_deref(),
                        e.after.as_deref(),
                        Some(&e.prev_hash),
                        Some(&e.hash),
                    ]);
                    report.audit_entries += 1;
                }
                CopyItem::Rate { id, doc } => {
                    pending.send(&mut tx)?;
                    tx.execute(
                        "INSERT INTO fx_rates (id, doc) VALUES ($1, $2)",
                        &[&id, &doc],
                    )?;
                    report.rates += 1;
                }
                CopyItem::WebRow { table, values } => {
                    pending.send(&mut tx)?;
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
                CopyItem::Head { seq, hash } => {
                    pending.send(&mut tx)?;
                    tx.execute(
                        "UPDATE audit_head SET seq = $1, hash = $2 WHERE singleton = 1",
                        &[&seq, &hash],
                    )?;
                }
            }
        }
        pending.send(&mut tx)?;
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::push_copy_text;

    /// `COPY`'s text format read back as PostgreSQL documents it (backslash sequences; `\N`
    /// alone is NULL), written independently of the escaping under test.
    fn read_copy_text(field: &[u8]) -> Option<String> {
        if field == b"\\N" {
            return None;
        }
        let mut out = Vec::new();
        let mut bytes = field.iter();
        while let Some(&b) = bytes.next() {
            if b != b'\\' {
                out.push(b);
                continue;
            }
            out.push(match bytes.next() {
                Some(b't') => b'\t',
                Some(b'n') => b'\n',
                Some(b'r') => b'\r',
                Some(&other) => other,
                None => panic!("a lone backslash ends {field:?}"),
            });
        }
        Some(String::from_utf8(out).expect("utf-8"))
    }

    fn written(value: Option<&str>) -> Vec<u8> {
        let mut out = Vec::new();
        push_copy_text(&mut out, value);
        out
    }

    #[test]
    fn null_is_backslash_n_and_the_text_backslash_n_is_not() {
        assert_eq!(written(None), b"\\N");
        assert_eq!(written(Some("\\N")), b"\\\\N");
        assert_eq!(written(Some("")), b"");
    }

    proptest! {
        #[test]
        fn any_text_reads_back_as_written_with_no_raw_separator(
            text in "(\\PC|[\t\n\r\\\\]|\\\\N){0,40}"
        ) {
            let field = written(Some(&text));
            prop_assert!(!field.iter().any(|b| matches!(b, b'\t' | b'\n' | b'\r')));
            prop_assert_eq!(read_copy_text(&field), Some(text));
        }
    }
}
