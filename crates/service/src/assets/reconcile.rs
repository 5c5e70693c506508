//! Keeping lifecycle events and downtime records one truth ([`history`]): the write rule for a
//! new event and the repair of stores written before that rule (`aidtrace asset reconcile`).

use aidtrace_domain::assets::history::{self, Difference};

use super::*;

/// One change reconcile made (or would make) to bring the records in line with the events.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub asset: RecordId,
    pub downtime: RecordId,
    /// What was wrong, in words (`event ev-3 puts the asset down from … without a downtime record`).
    pub what: String,
}

/// The downtime records that make `diffs` disappear: an end for an episode an event closed, a
/// new unplanned episode (cause unstated) for a down period without one. Ids are derived from the
/// event so a second run finds the record and changes nothing.
fn records_for(
    app: &Aidtrace,
    asset: &RecordId,
    downtimes: &[Downtime],
    diffs: &[Difference],
) -> ServiceResult<Vec<(Change, Downtime)>> {
    let mut out = Vec::new();
    for diff in diffs {
        let written = match diff {
            Difference::EndAt {
                downtime,
                end,
                event,
            } => {
                let Some(stored) = downtimes.iter().find(|d| &d.id == downtime) else {
                    continue;
                };
                let mut d = stored.clone();
                d.end = Some(*end);
                let reason = format!("closed at {end}: event {event} ended it");
                d.note = Some(match d.note.take() {
                    Some(n) if !n.is_empty() => format!("{n}; {reason}"),
                    _ => reason,
                });
                d
            }
            Difference::Missing {
                event,
                start,
                end,
                cause,
            } => Downtime {
                id: fresh_id(app, RecordKind::Downtime, &format!("down-{event}"))?,
                asset: asset.clone(),
                start: *start,
                end: *end,
                cause: *cause,
                planned: false,
                work_order: None,
                reported_by: None,
                note: Some(format!(
                    "opened for event {event}, which put the asset down"
                )),
                voided: None,
            },
        };
        out.push((
            Change {
                asset: asset.clone(),
                downtime: written.id.clone(),
                what: diff.to_string(),
            },
            written,
        ));
    }
    Ok(out)
}

/// The downtime records a new lifecycle event needs so that events and downtime still agree:
/// `down` or `under_repair` without an open downtime opens one; `commissioned` or `in_service`
/// closes the one left open. (Retirement closes downtime in `close_on_retirement`.)
pub(super) fn follow_event(
    app: &Aidtrace,
    history: &StoredHistory,
    event: &AssetEvent,
) -> ServiceResult<Vec<Record>> {
    let mut events: Vec<&AssetEvent> = history.events.iter().collect();
    events.push(event);
    sort_events(&mut events);
    let before = history::differences(&history::episodes(&history.events, &history.downtimes));
    let after = history::differences(&history::episodes(&events, &history.downtimes));
    // Only what this event causes: older disagreements are reconcile's to report and fix.
    // A closed downtime is not rewritten by the write rules (reconcile may shorten it).
    let open: Vec<&RecordId> = history
        .downtimes
        .iter()
        .filter(|d| d.end.is_none())
        .map(|d| &d.id)
        .collect();
    let new: Vec<Difference> = after
        .into_iter()
        .filter(|d| !before.contains(d))
        .filter(|d| match d {
            Difference::EndAt { downtime, .. } => open.contains(&downtime),
            Difference::Missing { .. } => true,
        })
        .collect();
    Ok(records_for(app, &event.asset, &history.downtimes, &new)?
        .into_iter()
        .map(|(_, d)| Record::Downtime(d))
        .collect())
}

/// Brings stored downtime in line with the lifecycle events for every asset, and lists what it
/// changed. With `apply == false` it only lists. Running it again changes nothing. One batch:
/// all or nothing.
pub fn reconcile(app: &mut Aidtrace, actor: &str, apply: bool) -> ServiceResult<Vec<Change>> {
    let ledger = app.ledger()?;
    let fleet = Fleet::build(&ledger);
    let mut changes = Vec::new();
    let mut batch = Vec::new();
    for (i, asset) in fleet.assets.iter().enumerate() {
        let h = &fleet.histories[i];
        let diffs = history::differences(&h.episodes);
        if diffs.is_empty() {
            continue;
        }
        let downtimes: Vec<Downtime> = h.downtimes.iter().map(|d| (*d).clone()).collect();
        for (change, d) in records_for(app, &asset.id, &downtimes, &diffs)? {
            changes.push(change);
            batch.push(Record::Downtime(d));
        }
    }
    if apply && !batch.is_empty() {
        // Through the generic writer: these records repair histories that may break other rules
        // (`asset check` lists those); refusing the repair for them would keep both truths.
        app.write_batch(actor, batch)?;
    }
    Ok(changes)
}
