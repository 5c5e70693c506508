//! The audit trail: who changed what, when, with the record before and after. Each entry's hash
//! covers the previous entry's hash, so changing, removing or reordering any entry breaks the chain.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash the first entry chains to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub kind: String,
    pub record_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEntry {
    pub fn compute_hash(&self) -> String {
        entry_hash(&EntryFields {
            prev_hash: &self.prev_hash,
            seq: self.seq,
            at: &self.at,
            actor: &self.actor,
            action: &self.action,
            kind: &self.kind,
            record_id: &self.record_id,
            before: self.before.as_deref(),
            after: self.after.as_deref(),
        })
    }
}

/// An entry's content as borrowed text, so that writing one need not copy the records.
pub(crate) struct EntryFields<'a> {
    pub prev_hash: &'a str,
    pub seq: i64,
    pub at: &'a str,
    pub actor: &'a str,
    pub action: &'a str,
    pub kind: &'a str,
    pub record_id: &'a str,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
}

/// Each field is length-prefixed so that moving text from one field to the next changes the hash.
pub(crate) fn entry_hash(e: &EntryFields<'_>) -> String {
    let mut h = Sha256::new();
    let seq = e.seq.to_string();
    let fields: [Option<&str>; 9] = [
        Some(e.prev_hash),
        Some(&seq),
        Some(e.at),
        Some(e.actor),
        Some(e.action),
        Some(e.kind),
        Some(e.record_id),
        e.before,
        e.after,
    ];
    for field in fields {
        match field {
            Some(text) => {
                h.update((text.len() as u64).to_be_bytes());
                h.update(text.as_bytes());
            }
            None => h.update(u64::MAX.to_be_bytes()),
        }
    }
    hex::encode(h.finalize())
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AuditVerification {
    pub entries: usize,
    /// Hash of the last entry: record it elsewhere to detect a rewrite of the whole chain later.
    pub head: String,
    pub problems: Vec<String>,
}

impl AuditVerification {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks the chain itself: sequence without gaps, each entry linked to the previous one, each
/// hash matching its content.
pub fn verify_chain(entries: &[AuditEntry]) -> (String, Vec<String>) {
    let mut problems = Vec::new();
    let mut prev = GENESIS.to_string();
    for (i, e) in entries.iter().enumerate() {
        let expected_seq = i64::try_from(i).unwrap_or(i64::MAX) + 1;
        if e.seq != expected_seq {
            problems.push(format!(
                "entry {}: expected sequence number {expected_seq} (an entry is missing)",
                e.seq
            ));
        }
        if e.prev_hash != prev {
            problems.push(format!(
                "entry {}: does not link to the previous entry's hash",
                e.seq
            ));
        }
        if e.compute_hash() != e.hash {
            problems.push(format!(
                "entry {}: content does not match its hash (altered)",
                e.seq
            ));
        }
        prev = e.hash.clone();
    }
    (prev, problems)
}
