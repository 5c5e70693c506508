//! The audit log read back and verified on PostgreSQL, inside one repeatable-read transaction
//! (the log and the rows of the same moment). The text a create entry does not store is put back
//! in SQL: the `before` of the record's next entry, or its row.

use aidtrace_domain::RecordKind;
use postgres::Transaction;

use crate::audit::{
    AuditEntry, AuditVerification, ChainCheck, EntryFields, MAX_LISTED_PROBLEMS, Problems,
};
use crate::sqlite::{FX_KIND, table};
use aidtrace_domain::RecordId;

use crate::StoreResult;
use crate::accounts::{ACCOUNT_KIND, TOKEN_KIND};

/// Every live record with its kind, for joining the log to the rows.
fn live_rows() -> String {
    let mut parts: Vec<String> = RecordKind::ALL
        .iter()
        .map(|k| {
            format!(
                "SELECT '{}' AS kind, id, doc FROM {}",
                k.as_str(),
                table(*k)
            )
        })
        .collect();
    parts.push(format!("SELECT '{FX_KIND}' AS kind, id, doc FROM fx_rates"));
    parts.join(" UNION ALL ")
}

/// The entries, oldest first, with each create entry's text restored.
fn entries_sql(filter: &str) -> String {
    format!(
        "SELECT l.seq, l.at, l.actor, l.action, l.kind, l.record_id, l.before,
                CASE WHEN l.action = 'create' AND l.after IS NULL
                     THEN coalesce(l.next_before, live.doc) ELSE l.after END,
                l.prev_hash, l.hash,
                (l.action = 'create' AND l.after IS NULL AND l.has_next IS NULL) AS from_row
         FROM (SELECT *,
                      lead(before) OVER w AS next_before,
                      lead(seq) OVER w AS has_next
               FROM audit_log {filter}
               WINDOW w AS (PARTITION BY kind, record_id ORDER BY seq)) l
         LEFT JOIN ({live}) live ON live.kind = l.kind AND live.id = l.record_id
         ORDER BY l.seq",
        live = live_rows()
    )
}

pub(super) fn audit_entries(
    tx: &mut Transaction<'_>,
    record: Option<(RecordKind, &RecordId)>,
) -> StoreResult<Vec<AuditEntry>> {
    let rows = match record {
        None => tx.query(&entries_sql(""), &[])?,
        Some((kind, id)) => tx.query(
            &entries_sql("WHERE kind = $1 AND record_id = $2"),
            &[&kind.as_str(), &id.as_str()],
        )?,
    };
    Ok(rows.iter().map(audit_entry_of).collect())
}

/// One audit row, selected as [`ENTRY_COLUMNS`](crate::audit::ENTRY_COLUMNS), as stored.
pub(super) fn audit_entry_of(r: &postgres::Row) -> AuditEntry {
    AuditEntry {
        seq: r.get(0),
        at: r.get(1),
        actor: r.get(2),
        action: r.get(3),
        kind: r.get(4),
        record_id: r.get(5),
        before: r.get(6),
        after: r.get(7),
        prev_hash: r.get(8),
        hash: r.get(9),
    }
}

/// Rows read per round trip while the chain is walked, so memory does not grow with the log.
const PAGE: i64 = 10_000;

pub(super) fn verify(tx: &mut Transaction<'_>) -> StoreResult<AuditVerification> {
    let mut problems = Problems::new(MAX_LISTED_PROBLEMS);
    let mut chain = ChainCheck::new();
    tx.batch_execute(&format!(
        "DECLARE audit_walk NO SCROLL CURSOR FOR {}",
        entries_sql("")
    ))?;
    loop {
        let rows = tx.query(&format!("FETCH {PAGE} FROM audit_walk"), &[])?;
        for r in &rows {
            let seq: i64 = r.get(0);
            let kind: &str = r.get(4);
            let record_id: &str = r.get(5);
            let fields = EntryFields {
                prev_hash: r.get(8),
                seq,
                at: r.get(1),
                actor: r.get(2),
                action: r.get(3),
                kind,
                record_id,
                before: r.get(6),
                after: r.get(7),
            };
            let from_row: bool = r.get(10);
            if !chain.check(&fields, r.get(9), &mut problems) && from_row {
                problems.push(format!(
                    "{kind} {record_id}: the stored record is not what its create entry {seq} recorded (changed outside aidtrace)"
                ));
            }
        }
        if (rows.len() as i64) < PAGE {
            break;
        }
    }
    tx.batch_execute("CLOSE audit_walk")?;
    let head = chain.head().to_string();
    let stored = tx.query_opt("SELECT seq, hash FROM audit_head WHERE singleton = 1", &[])?;
    let last_seq = chain.last_seq();
    match stored {
        None => problems.push("the chain head record is missing".to_string()),
        Some(row) => {
            let (seq, hash): (i64, String) = (row.get(0), row.get(1));
            if seq != last_seq || hash != head {
                problems.push(format!(
                    "the chain head says entry {seq} is last, but the log ends at entry {last_seq} (entries removed or added outside aidtrace)"
                ));
            }
        }
    }
    verify_live(tx, &mut problems)?;
    for p in super::accounts::verify_rows(tx)? {
        problems.push(p);
    }
    Ok(AuditVerification {
        entries: chain.entries(),
        head,
        problems: problems.into_list(),
    })
}

/// Every live record against its last audited state, and every audited record against its row.
fn verify_live(tx: &mut Transaction<'_>, problems: &mut Problems) -> StoreResult<()> {
    let sql = format!(
        "WITH last AS (
             SELECT DISTINCT ON (kind, record_id) kind, record_id, action, after
             FROM audit_log
             -- Accounts and tokens: compared in `accounts::verify_rows`, their views built
             -- from several tables.
             WHERE kind NOT IN ('{account}', '{token}')
             ORDER BY kind, record_id, seq DESC
         )
         SELECT coalesce(live.kind, last.kind), coalesce(live.id, last.record_id),
                live.doc IS NOT NULL, last.action, last.after, live.doc
         FROM ({live}) live
         FULL OUTER JOIN last ON last.kind = live.kind AND last.record_id = live.id
         WHERE live.doc IS NULL OR last.action IS NULL OR last.action = 'delete'
            OR (last.after IS NOT NULL AND last.after <> live.doc)
            OR (last.after IS NULL AND last.action <> 'create')
         ORDER BY 1, 2",
        live = live_rows(),
        account = ACCOUNT_KIND,
        token = TOKEN_KIND,
    );
    for r in tx.query(&sql, &[])? {
        let kind: String = r.get(0);
        let id: String = r.get(1);
        let exists: bool = r.get(2);
        let action: Option<String> = r.get(3);
        let message = match (exists, action.as_deref()) {
            (true, None) => format!("{kind} {id}: exists with no audit entry"),
            (true, Some("delete")) => {
                format!("{kind} {id}: exists although the log records its deletion")
            }
            (true, Some(_)) => {
                format!("{kind} {id}: stored record differs from its last audited state")
            }
            (false, Some("delete")) => continue,
            (false, _) => format!("{kind} {id}: audited but missing from the store"),
        };
        problems.push(message);
    }
    Ok(())
}
