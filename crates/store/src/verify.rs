//! `audit verify` on SQLite, streamed so that its memory does not grow with the log: one read
//! transaction (the log and the rows of the same moment), two passes, nothing collected.
//!
//! 1. The chain, in sequence order: each entry is hashed as it is read. A create entry does not
//!    store its text (see `AuditChain::append_create`); it is the `before` of the record's next
//!    entry, found through the `(kind, record_id)` index, or else the record's row, so a row
//!    changed by hand breaks that entry's hash and is named as a changed record.
//! 2. The live data against the log, kind by kind: the records' last entries (grouped from the
//!    same index, in record-id order) walked beside the table's rows (in id order), so every live
//!    record meets its last audited state and every audited record its row, one pair at a time.
//!    Accounts and tokens, a handful of rows, go through `accounts::verify_rows` as before.

use std::cmp::Ordering;
use std::collections::HashMap;

use aidtrace_domain::RecordKind;
use rusqlite::{Connection, OptionalExtension, Statement, params};

use crate::accounts::{ACCOUNT_KIND, TOKEN_KIND};
use crate::audit::{AuditVerification, ChainCheck, EntryFields, MAX_LISTED_PROBLEMS, Problems};
use crate::sqlite::{FX_KIND, table};
use crate::{StoreError, StoreResult};

/// Verifies the whole audit trail; run it inside one read transaction.
pub(crate) fn verify(conn: &Connection) -> StoreResult<AuditVerification> {
    verify_listing(conn, MAX_LISTED_PROBLEMS)
}

/// [`verify`] listing at most `limit` problems.
pub(crate) fn verify_listing(conn: &Connection, limit: usize) -> StoreResult<AuditVerification> {
    let mut problems = Problems::new(limit);
    let chain = verify_chain(conn, &mut problems)?;
    let head = chain.head().to_string();
    let stored_head: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM audit_head WHERE singleton = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let entries = chain.entries();
    let last_seq = chain.last_seq();
    match stored_head {
        None if entries > 0 => problems.push("the chain head record is missing".to_string()),
        Some((seq, hash)) if seq != last_seq || hash != head => problems.push(format!(
            "the chain head says entry {seq} is last, but the log ends at entry {last_seq} (entries removed or added outside aidtrace)"
        )),
        _ => {}
    }
    verify_live(conn, &mut problems)?;
    Ok(AuditVerification {
        entries,
        head,
        problems: problems.into_list(),
    })
}

/// Pass 1: the hash chain, entry by entry.
fn verify_chain(conn: &Connection, problems: &mut Problems) -> StoreResult<ChainCheck> {
    let mut entries = conn.prepare(
        "SELECT seq, at, actor, action, kind, record_id, before, after, prev_hash, hash
         FROM audit_log ORDER BY seq",
    )?;
    // The `(kind, record_id)` index holds the sequence number, so this is one seek.
    let mut next_before = conn.prepare(
        "SELECT before FROM audit_log WHERE kind = ?1 AND record_id = ?2 AND seq > ?3
         ORDER BY seq LIMIT 1",
    )?;
    let row_sql: Vec<String> = RecordKind::ALL
        .iter()
        .map(|k| format!("SELECT doc FROM {} WHERE id = ?1", table(*k)))
        .collect();
    let mut chain = ChainCheck::new();
    let mut rows = entries.query([])?;
    while let Some(r) = rows.next()? {
        // Borrowed from SQLite's buffers: an entry costs no copy of its texts.
        let seq: i64 = r.get(0)?;
        let action = text(r, 3)?;
        let kind = text(r, 4)?;
        let record_id = text(r, 5)?;
        let stored_after = text_or_null(r, 7)?;
        // The text of a create entry that does not store it, and whether it came from the row.
        let mut restored: Option<String> = None;
        let mut from_row = false;
        if action == "create" && stored_after.is_none() {
            let next: Option<Option<String>> = next_before
                .query_row(params![kind, record_id, seq], |n| n.get(0))
                .optional()?;
            restored = match (next, RecordKind::parse(kind)) {
                (Some(before), _) => before,
                (None, Some(k)) => {
                    from_row = true;
                    let sql = &row_sql[kind_index(k)];
                    conn.prepare_cached(sql)?
                        .query_row([record_id], |d| d.get(0))
                        .optional()?
                }
                (None, None) => None,
            };
        }
        let fields = EntryFields {
            prev_hash: text(r, 8)?,
            seq,
            at: text(r, 1)?,
            actor: text(r, 2)?,
            action,
            kind,
            record_id,
            before: text_or_null(r, 6)?,
            after: stored_after.or(restored.as_deref()),
        };
        let hash = text(r, 9)?;
        if !chain.check(&fields, hash, problems) && from_row {
            problems.push(format!(
                "{kind} {record_id}: the stored record is not what its create entry {seq} recorded (changed outside aidtrace)"
            ));
        }
    }
    Ok(chain)
}

/// A text column, borrowed from the row.
fn text<'r>(row: &'r rusqlite::Row<'_>, column: usize) -> StoreResult<&'r str> {
    text_or_null(row, column)?
        .ok_or_else(|| StoreError::Corrupt(format!("audit_log column {column} is NULL")))
}

fn text_or_null<'r>(row: &'r rusqlite::Row<'_>, column: usize) -> StoreResult<Option<&'r str>> {
    row.get_ref(column)?
        .as_str_or_null()
        .map_err(|e| StoreError::Corrupt(format!("audit_log column {column}: {e}")))
}

fn kind_index(kind: RecordKind) -> usize {
    RecordKind::ALL
        .iter()
        .position(|k| *k == kind)
        .unwrap_or_default()
}

/// What the last entry of a record says it became.
enum LastState {
    /// Deleted.
    Gone,
    /// This text.
    Text(String),
    /// A create entry whose text is the row itself: pass 1 compared them through its hash.
    TheRow,
}

/// Each record's last entry, in record-id order, for one kind.
struct LastEntries<'c> {
    groups: Statement<'c>,
    entry: Statement<'c>,
}

impl<'c> LastEntries<'c> {
    fn new(conn: &'c Connection) -> StoreResult<Self> {
        Ok(Self {
            // A walk of the covering `(kind, record_id)` index: no sorting, no table reads.
            groups: conn.prepare(
                "SELECT record_id, max(seq) FROM audit_log WHERE kind = ?1
                 GROUP BY record_id ORDER BY record_id",
            )?,
            entry: conn.prepare("SELECT action, after FROM audit_log WHERE seq = ?1")?,
        })
    }

    fn state(entry: &mut Statement<'_>, seq: i64) -> StoreResult<LastState> {
        let (action, after): (String, Option<String>) =
            entry.query_row([seq], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(match (action.as_str(), after) {
            ("delete", _) => LastState::Gone,
            ("create", None) => LastState::TheRow,
            (_, Some(text)) => LastState::Text(text),
            // An update without a text was altered; its hash says so, and no row equals it.
            (_, None) => LastState::Text(String::new()),
        })
    }
}

/// Pass 2: every live record against its last audited state, and every audited record
/// against its row.
fn verify_live(conn: &Connection, problems: &mut Problems) -> StoreResult<()> {
    let mut last = LastEntries::new(conn)?;
    for kind in RecordKind::ALL {
        compare_table(conn, &mut last, kind.as_str(), table(kind), problems)?;
    }
    compare_table(conn, &mut last, FX_KIND, "fx_rates", problems)?;
    // Accounts and tokens: few rows, whose audited views are built from several tables.
    let mut accounts: HashMap<(String, String), Option<String>> = HashMap::new();
    for kind in [ACCOUNT_KIND, TOKEN_KIND] {
        let mut groups = last.groups.query([kind])?;
        while let Some(g) = groups.next()? {
            let (id, seq): (String, i64) = (g.get(0)?, g.get(1)?);
            let state = match LastEntries::state(&mut last.entry, seq)? {
                LastState::Gone | LastState::TheRow => None,
                LastState::Text(text) => Some(text),
            };
            accounts.insert((kind.to_string(), id), state);
        }
    }
    for p in crate::accounts::verify_rows(conn, &mut accounts)? {
        problems.push(p);
    }
    // A kind no table holds (an entry altered by hand): its records cannot exist.
    // The kinds the log holds, one index seek each (the log has a few dozen kinds at most).
    let mut next_kind =
        conn.prepare("SELECT kind FROM audit_log WHERE kind > ?1 ORDER BY kind LIMIT 1")?;
    let mut after = String::new();
    while let Some(kind) = next_kind
        .query_row([&after], |r| r.get::<_, String>(0))
        .optional()?
    {
        let known = RecordKind::parse(&kind).is_some()
            || [FX_KIND, ACCOUNT_KIND, TOKEN_KIND].contains(&kind.as_str());
        if !known {
            let mut groups = last.groups.query([&kind])?;
            while let Some(g) = groups.next()? {
                let (id, seq): (String, i64) = (g.get(0)?, g.get(1)?);
                if !matches!(LastEntries::state(&mut last.entry, seq)?, LastState::Gone) {
                    problems.push(format!("{kind} {id}: audited but missing from the store"));
                }
            }
        }
        after = kind;
    }
    Ok(())
}

/// Walks one kind's last entries beside its table's ids, both in id order (SQLite's binary
/// collation is Rust's byte order of `str`), reading a row's text only where an entry holds one
/// to compare it with.
fn compare_table(
    conn: &Connection,
    last: &mut LastEntries<'_>,
    kind: &str,
    table: &str,
    problems: &mut Problems,
) -> StoreResult<()> {
    let mut ids = conn.prepare_cached(&format!("SELECT id FROM {table} ORDER BY id"))?;
    let mut doc = conn.prepare_cached(&format!("SELECT doc FROM {table} WHERE id = ?1"))?;
    let mut live = ids.query([])?;
    let mut groups = last.groups.query([kind])?;
    let mut row: Option<String> = next_text(live.next()?)?;
    let mut audited: Option<(String, i64)> = match groups.next()? {
        Some(g) => Some((g.get(0)?, g.get(1)?)),
        None => None,
    };
    loop {
        let order = match (&row, &audited) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(r), Some((a, _))) => r.as_str().cmp(a.as_str()),
        };
        match order {
            Ordering::Less => {
                if let Some(id) = &row {
                    problems.push(format!("{kind} {id}: exists with no audit entry"));
                }
                row = next_text(live.next()?)?;
            }
            Ordering::Greater => {
                if let Some((id, seq)) = &audited
                    && !matches!(LastEntries::state(&mut last.entry, *seq)?, LastState::Gone)
                {
                    problems.push(format!("{kind} {id}: audited but missing from the store"));
                }
                audited = match groups.next()? {
                    Some(g) => Some((g.get(0)?, g.get(1)?)),
                    None => None,
                };
            }
            Ordering::Equal => {
                if let Some((id, seq)) = &audited {
                    match LastEntries::state(&mut last.entry, *seq)? {
                        LastState::TheRow => {}
                        LastState::Gone => problems.push(format!(
                            "{kind} {id}: exists although the log records its deletion"
                        )),
                        LastState::Text(text) => {
                            let stored: Option<String> =
                                doc.query_row([id], |r| r.get(0)).optional()?;
                            if stored.as_deref() != Some(text.as_str()) {
                                problems.push(format!(
                                    "{kind} {id}: stored record differs from its last audited state"
                                ));
                            }
                        }
                    }
                }
                row = next_text(live.next()?)?;
                audited = match groups.next()? {
                    Some(g) => Some((g.get(0)?, g.get(1)?)),
                    None => None,
                };
            }
        }
    }
    Ok(())
}

fn next_text(row: Option<&rusqlite::Row<'_>>) -> StoreResult<Option<String>> {
    Ok(match row {
        Some(r) => Some(r.get(0)?),
        None => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Change, SqliteStore, Store, conformance};

    /// A store where every organisation row was rewritten by hand lists `limit` problems and
    /// counts the rest in one line.
    #[test]
    fn problems_beyond_the_limit_are_counted_not_listed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.db");
        let mut store = SqliteStore::open(&path).expect("open");
        let changes: Vec<Change> = (0..6)
            .map(|i| Change::Put(conformance::org(&format!("o{i}"))))
            .collect();
        store.apply("t", &changes).expect("put");
        drop(store);
        let conn = Connection::open(&path).expect("raw open");
        conn.execute_batch("UPDATE organisations SET doc = replace(doc, '\"o', '\"x')")
            .expect("tamper");
        let tx = conn.unchecked_transaction().expect("tx");
        let v = verify_listing(&tx, 4).expect("verify");
        assert_eq!(v.problems.len(), 5, "{:?}", v.problems);
        // Six rows changed: an altered entry and a changed record each, twelve in all.
        assert_eq!(
            v.problems[4],
            "8 more problems not listed (only the first 4 are)"
        );
    }
}
