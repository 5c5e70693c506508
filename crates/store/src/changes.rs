//! The queue of proposed changes: edits that wait for an approver before they reach the ledger
//! through `Store::apply`. A seam of its own ([`ChangeStore`]) so that the service, which owns
//! the approval workflow, reaches the queue without knowing where it is kept.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::{SqliteAccounts, StoreResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeState {
    Draft,
    Submitted,
    Approved,
    Rejected,
}

impl ChangeState {
    pub const ALL: [ChangeState; 4] =
        [Self::Draft, Self::Submitted, Self::Approved, Self::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Whether an approver has acted on it (approved or rejected): only then has it a decider.
    pub fn is_decided(self) -> bool {
        matches!(self, Self::Approved | Self::Rejected)
    }
}

/// A proposed create-or-replace of one or more records (`doc`: a JSON list of records in their
/// own form; the first is the main one, named by `kind` and `record_id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeRow {
    pub id: i64,
    pub kind: String,
    pub record_id: String,
    pub doc: String,
    pub base_etag: Option<String>,
    pub state: ChangeState,
    pub author: String,
    pub created_at: String,
    pub updated_at: String,
    /// The approver who approved or rejected it; `None` while it is a draft or submitted.
    pub decided_by: Option<String>,
    pub note: Option<String>,
}

/// Where proposed changes wait.
pub trait ChangeStore: Send {
    /// Records a proposed change and returns its id.
    #[allow(clippy::too_many_arguments)]
    fn add_change(
        &mut self,
        kind: &str,
        record_id: &str,
        doc: &str,
        base_etag: Option<&str>,
        state: ChangeState,
        author: &str,
        at: &str,
    ) -> StoreResult<i64>;
    fn change(&self, id: i64) -> StoreResult<Option<ChangeRow>>;
    /// Changes in a state (all with `None`), newest first.
    fn changes(&self, state: Option<ChangeState>) -> StoreResult<Vec<ChangeRow>>;
    /// One page of the changes of `group`, newest first, and how many there are in all: the
    /// queue's history grows for ever and anyone may propose, its page must not grow with them.
    fn changes_page(
        &self,
        group: ChangeGroup,
        offset: u64,
        limit: u64,
    ) -> StoreResult<(Vec<ChangeRow>, u64)>;
    /// Moves a change from `from` to `to` only if it is still in `from`: two approvers clicking at
    /// once cannot both act. Returns whether the change moved. `by` becomes the change's decider
    /// only when `to` is a decision (approved, rejected): an author submitting their own draft
    /// decides nothing.
    fn set_change_state(
        &mut self,
        id: i64,
        from: ChangeState,
        to: ChangeState,
        by: &str,
        note: Option<&str>,
        at: &str,
    ) -> StoreResult<bool>;
}

/// The two parts of the queue a page shows apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeGroup {
    /// Drafts and submitted changes: what still waits.
    Pending,
    /// Approved and rejected changes: the history.
    Decided,
}

impl ChangeGroup {
    /// The states of the group as an SQL list (constants, never user text).
    pub(crate) fn sql_states(self) -> &'static str {
        match self {
            Self::Pending => "'draft', 'submitted'",
            Self::Decided => "'approved', 'rejected'",
        }
    }
}

/// A stored state and decider as a [`ChangeRow`] holds them, on every backend.
pub(crate) fn stored_state(
    state: &str,
    decided_by: Option<String>,
) -> (ChangeState, Option<String>) {
    // The CHECK constraint admits only the four names, so the fallback is never taken.
    let state = ChangeState::parse(state).unwrap_or(ChangeState::Draft);
    // Rows written before submission stopped naming a decider may carry the author there.
    (state, decided_by.filter(|_| state.is_decided()))
}

fn change_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ChangeRow> {
    let (state, decided_by) = stored_state(&r.get::<_, String>(5)?, r.get(9)?);
    Ok(ChangeRow {
        id: r.get(0)?,
        kind: r.get(1)?,
        record_id: r.get(2)?,
        doc: r.get(3)?,
        base_etag: r.get(4)?,
        state,
        author: r.get(6)?,
        created_at: r.get(7)?,
        updated_at: r.get(8)?,
        decided_by,
        note: r.get(10)?,
    })
}

pub(crate) const CHANGE_COLUMNS: &str =
    "id, kind, record_id, doc, base_etag, state, author, created_at, updated_at, decided_by, note";

impl ChangeStore for SqliteAccounts {
    fn add_change(
        &mut self,
        kind: &str,
        record_id: &str,
        doc: &str,
        base_etag: Option<&str>,
        state: ChangeState,
        author: &str,
        at: &str,
    ) -> StoreResult<i64> {
        self.conn.execute(
            "INSERT INTO web_changes (kind, record_id, doc, base_etag, state, author, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
            params![kind, record_id, doc, base_etag, state.as_str(), author, at],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    fn change(&self, id: i64) -> StoreResult<Option<ChangeRow>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {CHANGE_COLUMNS} FROM web_changes WHERE id = ?1"
            ))?
            .query_row([id], change_from_row)
            .optional()?)
    }

    fn changes(&self, state: Option<ChangeState>) -> StoreResult<Vec<ChangeRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {CHANGE_COLUMNS} FROM web_changes WHERE ?1 IS NULL OR state = ?1 ORDER BY id DESC"
        ))?;
        let rows = stmt
            .query_map([state.map(ChangeState::as_str)], change_from_row)?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn changes_page(
        &self,
        group: ChangeGroup,
        offset: u64,
        limit: u64,
    ) -> StoreResult<(Vec<ChangeRow>, u64)> {
        let states = group.sql_states();
        let count: i64 = self.conn.query_row(
            &format!("SELECT COUNT(*) FROM web_changes WHERE state IN ({states})"),
            [],
            |r| r.get(0),
        )?;
        let clamp = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {CHANGE_COLUMNS} FROM web_changes WHERE state IN ({states})
             ORDER BY id DESC LIMIT ?1 OFFSET ?2"
        ))?;
        let rows = stmt
            .query_map([clamp(limit), clamp(offset)], change_from_row)?
            .collect::<Result<_, _>>()?;
        Ok((rows, u64::try_from(count).unwrap_or(0)))
    }

    fn set_change_state(
        &mut self,
        id: i64,
        from: ChangeState,
        to: ChangeState,
        by: &str,
        note: Option<&str>,
        at: &str,
    ) -> StoreResult<bool> {
        let by = to.is_decided().then_some(by);
        let n = self.conn.execute(
            "UPDATE web_changes SET state = ?3, decided_by = ?4, note = ?5, updated_at = ?6
             WHERE id = ?1 AND state = ?2",
            params![id, from.as_str(), to.as_str(), by, note, at],
        )?;
        Ok(n == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open() -> (tempfile::TempDir, SqliteAccounts) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteAccounts::open(&dir.path().join("a.db")).expect("open");
        (dir, store)
    }

    #[test]
    fn change_state_moves_only_from_the_expected_state() {
        let (_d, mut s) = open();
        let id = s
            .add_change(
                "activity",
                "a-1",
                "{}",
                None,
                ChangeState::Submitted,
                "ed",
                "t0",
            )
            .expect("add");
        assert!(
            s.set_change_state(
                id,
                ChangeState::Submitted,
                ChangeState::Approved,
                "ap",
                None,
                "t1"
            )
            .expect("approve")
        );
        // A second approver acting on the same change finds it already decided.
        assert!(
            !s.set_change_state(
                id,
                ChangeState::Submitted,
                ChangeState::Rejected,
                "ap2",
                None,
                "t2"
            )
            .expect("second")
        );
        let row = s.change(id).expect("get").expect("exists");
        assert_eq!(row.state, ChangeState::Approved);
        assert_eq!(row.decided_by.as_deref(), Some("ap"));
        assert_eq!(
            s.changes(Some(ChangeState::Submitted)).expect("list").len(),
            0
        );
    }

    #[test]
    fn submitting_a_draft_names_no_decider() {
        let (_d, mut s) = open();
        let id = s
            .add_change("flow", "f-1", "[]", None, ChangeState::Draft, "ed", "t0")
            .expect("add");
        assert!(
            s.set_change_state(
                id,
                ChangeState::Draft,
                ChangeState::Submitted,
                "ed",
                None,
                "t1"
            )
            .expect("submit")
        );
        let row = s.change(id).expect("get").expect("exists");
        assert_eq!(row.state, ChangeState::Submitted);
        assert_eq!(row.decided_by, None);
    }
}
