//! `aidtrace store copy`: a whole store moved between backends (SQLite ⇄ PostgreSQL), text for
//! text, so the audit chain verifies at both ends. The source is read in one transaction on its
//! own thread while the target writes in one transaction: memory holds a bounded queue of items,
//! not the store.

use std::sync::mpsc;

use aidtrace_domain::RecordKind;

use crate::{AuditEntry, Store, StoreError, StoreResult};

/// One stored item, in the order a target can load them (records in [`RecordKind::ALL`] order,
/// then rates, then the log, then its head).
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
    pub audit_entries: usize,
}

/// Items in flight between the reading and the writing thread.
const QUEUE: usize = 4096;

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
    let (send, receive) = mpsc::sync_channel::<StoreResult<CopyItem>>(QUEUE);
    let reader = std::thread::spawn(move || {
        let result = from.copy_out(&mut |item| {
            send.send(Ok(item))
                .map_err(|_| StoreError::Database("the copy's writer stopped".into()))
        });
        if let Err(e) = result {
            let _ = send.send(Err(e));
        }
        from
    });
    let report = to.copy_in(&mut receive.iter());
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
