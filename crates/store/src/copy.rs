//! `aidtrace store copy`: a whole store moved between backends (SQLite ⇄ PostgreSQL), text for
//! text, so the audit chain verifies at both ends. The source is read in one transaction on its
//! own thread while the target writes in one transaction: memory holds a bounded queue of items,
//! not the store.

use std::sync::mpsc;

use aidtrace_domain::RecordKind;

use crate::{AuditEntry, Store, StoreError, StoreResult};

/// One stored item, in the order a target can load them (records in [`RecordKind::ALL`] order,
/// then rates, then the web application's rows, then the log, then its head).
#[derive(Debug, Clone)]
pub enum CopyItem {
    Record {
        kind: RecordKind,
        id: String,
        doc: String,
    },
    Rate {
        id: String,
        doc: String,
    },
    /// A row of one of [`WEB_TABLES`] (accounts, scopes, sessions, tokens, proposed changes and
    /// drafts), its columns in that table's order, as text (NULL as `None`).
    WebRow {
        table: &'static str,
        values: Vec<Option<String>>,
    },
    /// As stored: a create entry's `after` may be empty (its text is the row or the next entry's
    /// `before`), exactly as the source holds it.
    Audit(AuditEntry),
    Head {
        seq: i64,
        hash: String,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CopyReport {
    pub records: usize,
    pub rates: usize,
    /// Accounts, their scopes, sessions, API tokens and proposed changes (drafts included).
    pub web_rows: usize,
    pub audit_entries: usize,
}

/// The web application's own tables with their columns, in an order a target can load them
/// (accounts before what refers to them). `web_changes.id` is the one integer column: it is read
/// as text and cast back (see [`web_select_sql`], [`web_insert_sql`]).
pub(crate) const WEB_TABLES: &[(&str, &[&str])] = &[
    (
        "web_accounts",
        &["name", "role", "password_hash", "created_at", "disabled_at"],
    ),
    ("web_account_scopes", &["account", "kind", "record_id"]),
    (
        "web_sessions",
        &["token_hash", "account", "csrf", "created_at", "expires_at"],
    ),
    (
        "web_tokens",
        &["token_hash", "account", "label", "created_at", "expires_at"],
    ),
    (
        "web_changes",
        &[
            "id",
            "kind",
            "record_id",
            "doc",
            "base_etag",
            "state",
            "author",
            "created_at",
            "updated_at",
            "decided_by",
            "note",
        ],
    ),
];

/// Reads one web table's rows as text, in key order (the same SQL on both backends).
pub(crate) fn web_select_sql(table: &str, columns: &[&str]) -> String {
    let list: Vec<String> = columns
        .iter()
        .map(|c| match *c {
            "id" => "CAST(id AS TEXT)".to_string(),
            other => other.to_string(),
        })
        .collect();
    format!(
        "SELECT {} FROM {table} ORDER BY {}",
        list.join(", "),
        columns.first().copied().unwrap_or("1")
    )
}

/// The INSERT of one web row; `placeholder(i)` is the backend's parameter `i` (from 1), `int`
/// its cast of a text parameter to an integer.
pub(crate) fn web_insert_sql(
    table: &str,
    columns: &[&str],
    placeholder: impl Fn(usize) -> String,
    int: &str,
) -> String {
    let values: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| match *c {
            "id" => format!("CAST({} AS {int})", placeholder(i + 1)),
            _ => placeholder(i + 1),
        })
        .collect();
    format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        columns.join(", "),
        values.join(", ")
    )
}

/// The columns of a web table named by a [`CopyItem::WebRow`].
pub(crate) fn web_columns(table: &str) -> StoreResult<&'static [&'static str]> {
    WEB_TABLES
        .iter()
        .find(|(t, _)| *t == table)
        .map(|(_, c)| *c)
        .ok_or_else(|| StoreError::InvalidRequest(format!("no web table named {table}")))
}

/// Batches of items in flight between the reading and the writing thread.
const QUEUE: usize = 8;
/// Items per batch: one hand-over per item woke the writer for every row, and the two threads
/// spent more time switching than copying.
const BATCH: usize = 1024;

/// Copies `from` into `to`, which must be empty, then verifies the audit chain at both ends and
/// that they end on the same head.
pub fn copy_store(from: Box<dyn Store>, to: &mut dyn Store) -> StoreResult<CopyReport> {
    let before = from.verify_audit()?;
    if !before.ok() {
        return Err(StoreError::InvalidRequest(format!(
            "the source's audit trail does not verify ({} problems, first: {}); run `aidtrace audit verify` on it",
            before.problems.len(),
            before.problems.first().cloned().unwrap_or_default()
        )));
    }
    let (send, receive) = mpsc::sync_channel::<Vec<StoreResult<CopyItem>>>(QUEUE);
    let reader = std::thread::spawn(move || {
        let stopped = || StoreError::Database("the copy's writer stopped".into());
        let mut batch = Vec::with_capacity(BATCH);
        let result = from.copy_out(&mut |item| {
            batch.push(Ok(item));
            if batch.len() == BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                send.send(full).map_err(|_| stopped())?;
            }
            Ok(())
        });
        if let Err(e) = result {
            batch.push(Err(e));
        }
        let _ = send.send(batch);
        from
    });
    let report = to.copy_in(&mut receive.iter().flatten());
    // A writer that stopped early leaves batches unread: without the receiver the reader's
    // next hand-over fails and it ends, instead of waiting on a full queue for ever.
    drop(receive);
    let from = reader
        .join()
        .map_err(|_| StoreError::Database("the copy's reader failed".into()))?;
    let report = report?;
    let after = to.verify_audit()?;
    if !after.ok() || after.head != before.head || after.entries != before.entries {
        return Err(StoreError::Corrupt(format!(
            "the copy does not verify as the source does (source head {} over {} entries; copy {} over {}, {} problems)",
            before.head,
            before.entries,
            after.head,
            after.entries,
            after.problems.len()
        )));
    }
    drop(from);
    Ok(report)
}

/// The refusal of a target that holds anything.
pub(crate) fn not_empty(what: &str) -> StoreError {
    StoreError::InvalidRequest(format!(
        "the target store is not empty (it holds {what}); copy into a new, empty store"
    ))
}
