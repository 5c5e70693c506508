//! The audit trail: who changed what, when, with the record before and after. Each entry's hash
//! covers the previous entry's hash, so changing, removing or reordering any entry breaks the chain.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The columns of an audit entry in [`AuditEntry`]'s field order, as every backend selects them.
pub(crate) const ENTRY_COLUMNS: &str =
    "seq, at, actor, action, kind, record_id, before, after, prev_hash, hash";

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
    lower_hex(&h.finalize())
}

/// Lower-case hex of a digest, as `hex::encode` writes it, into one buffer of the right size:
/// every write of a record hashes its audit entry, and `hex::encode` pushed the 64 characters
/// one at a time through an iterator (half a per cent of an import's CPU).
fn lower_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
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

/// Checks the chain itself, one entry at a time in sequence order, so that a log of any length
/// is verified in constant memory: sequence without gaps, each entry linked to the previous one,
/// each hash matching its content.
pub(crate) struct ChainCheck {
    /// Stored hash of the last entry seen (the genesis hash before the first).
    prev: String,
    /// Entries seen so far.
    seen: i64,
    /// Sequence number of the last entry seen (0 before the first).
    last_seq: i64,
}

impl ChainCheck {
    pub(crate) fn new() -> Self {
        Self {
            prev: GENESIS.to_string(),
            seen: 0,
            last_seq: 0,
        }
    }

    /// Checks the next entry, whose stored hash is `stored_hash`; returns whether its content
    /// matches that hash (the caller names the record when the content came from a row).
    pub(crate) fn check(
        &mut self,
        fields: &EntryFields<'_>,
        stored_hash: &str,
        problems: &mut Problems,
    ) -> bool {
        self.seen = self.seen.saturating_add(1);
        if fields.seq != self.seen {
            problems.push(format!(
                "entry {}: expected sequence number {} (an entry is missing)",
                fields.seq, self.seen
            ));
        }
        if fields.prev_hash != self.prev {
            problems.push(format!(
                "entry {}: does not link to the previous entry's hash",
                fields.seq
            ));
        }
        let matches = entry_hash(fields) == stored_hash;
        if !matches {
            problems.push(format!(
                "entry {}: content does not match its hash (altered)",
                fields.seq
            ));
        }
        self.prev.clear();
        self.prev.push_str(stored_hash);
        self.last_seq = fields.seq;
        matches
    }

    pub(crate) fn entries(&self) -> usize {
        usize::try_from(self.seen).unwrap_or(usize::MAX)
    }

    pub(crate) fn last_seq(&self) -> i64 {
        self.last_seq
    }

    /// The stored hash of the last entry: the chain's head.
    pub(crate) fn head(&self) -> &str {
        &self.prev
    }
}

/// The problems a verification found, keeping at most `limit` of them: a store whose every row
/// was rewritten must not make the check itself hold a message per row. The rest are counted.
pub(crate) struct Problems {
    list: Vec<String>,
    limit: usize,
    left_out: usize,
}

/// How many problems `audit verify` lists; the count of the others follows them.
pub const MAX_LISTED_PROBLEMS: usize = 1000;

impl Problems {
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            list: Vec::new(),
            limit,
            left_out: 0,
        }
    }

    pub(crate) fn push(&mut self, problem: String) {
        if self.list.len() < self.limit {
            self.list.push(problem);
        } else {
            self.left_out = self.left_out.saturating_add(1);
        }
    }

    pub(crate) fn into_list(mut self) -> Vec<String> {
        if self.left_out > 0 {
            self.list.push(format!(
                "{} more problems not listed (only the first {} are)",
                self.left_out, self.limit
            ));
        }
        self.list
    }
}

#[cfg(test)]
mod tests {
    use super::lower_hex;

    #[test]
    fn lower_hex_writes_what_hex_encode_writes() {
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(lower_hex(&bytes), hex::encode(&bytes));
    }
}
