//! One truth for an asset's condition over time. The lifecycle events and the downtime records
//! both say whether a device works; before, each report read one of them, so an endoscope put
//! `under_repair` by an event showed 100 % uptime beside 0 % functional, and a ventilator put
//! back `in_service` with its downtime still open was functional in the gaps, idle in
//! money-to-machine and 0 % up in the indicators (issue #17, item 1).
//!
//! [`episodes`] merges both into the **effective downtime episodes** every report reads:
//! - a recorded episode ends at its recorded end, or earlier at the first later event (not the
//!   asset's first) that puts it back to work (`commissioned`, `in_service`) or retires it: the
//!   event is the later statement, and an episode left open by mistake must not run on for ever;
//! - time in `down` or `under_repair` that no recorded unplanned episode covers is an **implied**
//!   unplanned episode (cause unstated, so it counts against the device) from the event to the
//!   next event leaving those states.
//!
//! [`functional_at`] and [`down_at`] answer for one instant from the same episodes. The service's
//! write rules keep the records in step (a `down` event opens a downtime, `in_service` closes
//! it), and `reconcile` writes what [`differences`] lists for stores from before that rule.

use std::borrow::Borrow;

use chrono::NaiveDateTime;

use super::{AssetEvent, Downtime, DowntimeCause, LifecycleState};
use crate::codes::RecordId;

/// Where an effective episode comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A stored downtime record.
    Recorded(RecordId),
    /// A `down`/`under_repair` event with no recorded episode covering it.
    Implied { event: RecordId },
}

/// One period in which the asset could not be used, as every report counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Episode {
    pub start: NaiveDateTime,
    /// `None` while open.
    pub end: Option<NaiveDateTime>,
    pub cause: DowntimeCause,
    pub planned: bool,
    pub origin: Origin,
    /// The recorded end differs from `end`: an event ended the episode first.
    pub ended_by_event: Option<RecordId>,
    /// An implied episode that continues, without a gap, a recorded one (the downtime was closed
    /// while the events still say `under_repair`): downtime, but not a new failure.
    pub continuation: bool,
}

impl Episode {
    /// Whether the episode covers instant `t` (start included, end excluded).
    pub fn covers(&self, t: NaiveDateTime) -> bool {
        self.start <= t && self.end.is_none_or(|e| e > t)
    }
}

fn is_down_state(s: LifecycleState) -> bool {
    matches!(s, LifecycleState::Down | LifecycleState::UnderRepair)
}

fn ends_downtime(s: LifecycleState) -> bool {
    matches!(s, LifecycleState::Commissioned | LifecycleState::InService) || s.is_retired()
}

/// The effective episodes of one asset, sorted by start. `events` must be time-sorted
/// ([`super::lifecycle::sort_events`]); `downtimes` may come in any order.
pub fn episodes<E: Borrow<AssetEvent>, D: Borrow<Downtime>>(
    events: &[E],
    downtimes: &[D],
) -> Vec<Episode> {
    let mut out: Vec<Episode> = downtimes
        .iter()
        .map(Borrow::borrow)
        .map(|d| {
            // The first event registers the asset; it returns nothing to work.
            let stop = events
                .iter()
                .skip(1)
                .map(Borrow::borrow)
                .find(|e| e.at > d.start && ends_downtime(e.state))
                .filter(|e| d.end.is_none_or(|end| e.at < end));
            Episode {
                start: d.start,
                end: stop.map(|e| e.at).or(d.end),
                cause: d.cause,
                planned: d.planned,
                origin: Origin::Recorded(d.id.clone()),
                ended_by_event: stop.map(|e| e.id.clone()),
                continuation: false,
            }
        })
        .collect();
    out.sort_by_key(|e| e.start);

    // Runs of down/under_repair events: [first event of the run, next event leaving them).
    let mut implied = Vec::new();
    let mut k = 0;
    while k < events.len() {
        let e = events[k].borrow();
        if !is_down_state(e.state) {
            k += 1;
            continue;
        }
        let mut next = k + 1;
        while next < events.len() && is_down_state(events[next].borrow().state) {
            next += 1;
        }
        let run_end = events.get(next).map(|n| n.borrow().at);
        implied.extend(uncovered(&out, e, run_end));
        k = next;
    }
    out.extend(implied);
    out.sort_by(|a, b| a.start.cmp(&b.start).then(a.planned.cmp(&b.planned)));
    out
}

/// The parts of `[event.at, run_end)` no recorded unplanned episode covers.
fn uncovered(
    recorded: &[Episode],
    event: &AssetEvent,
    run_end: Option<NaiveDateTime>,
) -> Vec<Episode> {
    let mut pieces = Vec::new();
    let mut cursor = Some(event.at);
    let mut continues: Option<DowntimeCause> = None;
    for r in recorded.iter().filter(|r| !r.planned) {
        let Some(from) = cursor else { break };
        if run_end.is_some_and(|t| r.start >= t) {
            break;
        }
        if r.end.is_some_and(|e| e <= from) {
            if r.end == Some(from) {
                continues = Some(r.cause);
            }
            continue;
        }
        if r.start > from {
            pieces.push(implied(event, from, Some(r.start), continues.take()));
        }
        cursor = r.end;
        continues = r.end.map(|_| r.cause);
    }
    if let Some(from) = cursor
        && run_end.is_none_or(|t| from < t)
    {
        pieces.push(implied(event, from, run_end, continues));
    }
    pieces
}

fn implied(
    event: &AssetEvent,
    start: NaiveDateTime,
    end: Option<NaiveDateTime>,
    continues: Option<DowntimeCause>,
) -> Episode {
    Episode {
        start,
        end,
        cause: continues.unwrap_or(DowntimeCause::Other),
        planned: false,
        origin: Origin::Implied {
            event: event.id.clone(),
        },
        ended_by_event: None,
        continuation: continues.is_some(),
    }
}

/// Whether an unplanned episode covers `t`.
pub fn down_at(episodes: &[Episode], t: NaiveDateTime) -> bool {
    episodes.iter().any(|e| !e.planned && e.covers(t))
}

/// Working at `t`: commissioned or in service, and no unplanned episode open. The one test of
/// "functional" for the indicators, the gaps, money-to-machine and the register.
pub fn functional_at<E: Borrow<AssetEvent>>(
    events: &[E],
    episodes: &[Episode],
    t: NaiveDateTime,
) -> bool {
    matches!(
        super::lifecycle::state_at(events, t),
        Some(LifecycleState::Commissioned | LifecycleState::InService)
    ) && !down_at(episodes, t)
}

/// What the records must gain so that they say what the effective episodes say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// A recorded episode still open (or ending later) although an event returned the asset to
    /// work or retired it: its end becomes that event's time.
    EndAt {
        downtime: RecordId,
        end: NaiveDateTime,
        event: RecordId,
    },
    /// A `down`/`under_repair` period with no downtime record: a new record.
    Missing {
        event: RecordId,
        start: NaiveDateTime,
        end: Option<NaiveDateTime>,
        cause: DowntimeCause,
    },
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::EndAt {
                downtime,
                end,
                event,
            } => write!(
                f,
                "downtime {downtime} ends at {end}: event {event} put the asset back to work or retired it then"
            ),
            Self::Missing {
                event, start, end, ..
            } => match end {
                Some(end) => write!(
                    f,
                    "event {event} puts the asset down from {start} to {end} without a downtime record"
                ),
                None => write!(
                    f,
                    "event {event} puts the asset down from {start} (still open) without a downtime record"
                ),
            },
        }
    }
}

/// Where stored records and events disagree, per [`episodes`]. Empty when they agree.
pub fn differences(episodes: &[Episode]) -> Vec<Difference> {
    episodes
        .iter()
        .filter_map(|e| match &e.origin {
            Origin::Recorded(id) => {
                e.ended_by_event
                    .as_ref()
                    .zip(e.end)
                    .map(|(ev, end)| Difference::EndAt {
                        downtime: id.clone(),
                        end,
                        event: ev.clone(),
                    })
            }
            Origin::Implied { event } => Some(Difference::Missing {
                event: event.clone(),
                start: e.start,
                end: e.end,
                cause: e.cause,
            }),
        })
        .collect()
}

/// Where the asset was from when: `(since, facility)` in time order, the first from the start of
/// time. The asset record names where it is now; each transfer names the facility it left
/// (`from_facility`) and the one it goes to. A transfer stored without `from_facility` (before it
/// was kept) leaves the time before it at the next known facility, as before.
pub fn locations<E: Borrow<AssetEvent>>(
    current: &RecordId,
    events: &[E],
) -> Vec<(NaiveDateTime, RecordId)> {
    let transfers: Vec<&AssetEvent> = events
        .iter()
        .map(Borrow::borrow)
        .filter(|e| e.state == LifecycleState::Transferred)
        .collect();
    let mut out = Vec::with_capacity(transfers.len() + 1);
    // Walk backwards from where the asset is now, so each period takes the nearest later fact.
    let mut after = current.clone();
    for t in transfers.iter().rev() {
        let to = t.to_facility.clone().unwrap_or_else(|| after.clone());
        out.push((t.at, to.clone()));
        after = t.from_facility.clone().unwrap_or(to);
    }
    out.push((NaiveDateTime::MIN, after));
    out.reverse();
    out
}
