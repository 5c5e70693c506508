//! The read model behind every report: the current [`Snapshot`], replaced by a background
//! thread so that no request ever builds one while others wait.
//!
//! Requests take the published snapshot and go. A write through this server marks itself in
//! flight before it commits ([`ReadModel::write_in_flight`]) and then hands over what it wrote
//! ([`Delta`]); the refresher applies it to the published ledger (no store scan, no JSON
//! parsing) and changes the reports only where the write reaches them
//! (`crate::snapshot_delta`), or recomputes them all where it cannot. A write by another process (the CLI) shows as a
//! ledger version no delta explains (once no write of this server is in flight, or after
//! [`DEFER_AT_MOST`]); the refresher then reads the store again, through its own
//! connection (SQLite's WAL, or PostgreSQL's MVCC, lets it read while the server writes). Until the first snapshot
//! exists, requests wait for it: there is nothing older to serve.
//!
//! A write through this server (an edit, an approval) waits for its delta to be published,
//! unless the last delta took more than a quarter of `WebConfig::read_model_wait` (deltas take
//! milliseconds at a million flows); where a whole refresh is cheap too (a small ledger), a
//! stale read and a write no delta describes wait for the refresh they trigger; each waits at
//! most `read_model_wait`: a user sees what they just saved. An import does not wait for its
//! refresh; the reads after it do (`ReadModel::invalidate_later`). On a large ledger those
//! re-reads are not waited for; the reports follow one refresh later.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock, Weak};
use std::time::{Duration, Instant};

use aidtrace_domain::{Record, RecordId, RecordKind};
use aidtrace_service::Aidtrace;
use aidtrace_store::StoreUrl;

use crate::error::ApiError;
use crate::state::{Snapshot, WebConfig};

/// What one committed write through this server changed, and the ledger versions around it.
#[derive(Debug, Clone)]
pub struct Delta {
    /// The ledger version just before the write (read under the write lock).
    pub before: i64,
    /// The ledger version the write committed.
    pub after: i64,
    pub put: Vec<Record>,
    pub deleted: Vec<(RecordKind, RecordId)>,
}

#[derive(Default)]
struct Work {
    deltas: Vec<Delta>,
    /// Something changed that no delta describes: read the store again.
    rebuild: bool,
    /// Compare the store's ledger version with the published one.
    check: bool,
    /// When the published snapshot was last confirmed current.
    checked_at: Option<Instant>,
    /// How long the last refresh took; decides whether waiting for one is worth it.
    last_refresh: Option<Duration>,
    /// How long the last refresh that only applied deltas took: a write waits for its delta by
    /// this, not by a whole re-read of the store that happened to come last (an IATI import's
    /// took seconds, so the approval after it did not wait and its page showed the old ledger).
    last_delta: Option<Duration>,
    /// Counts publications (and failed attempts), so a waiter knows a refresh happened.
    refreshes: u64,
    last_error: Option<String>,
    /// A refresh is under way (its work already taken).
    running: bool,
    /// Writes through this server between "about to commit" and handing over their delta
    /// ([`InFlight`]): a version no delta explains yet may be theirs.
    in_flight: usize,
    /// Since when the refresher has put off reading the store for an in-flight write.
    deferred_since: Option<Instant>,
    /// Reads wait (when refreshes are cheap) until `refreshes` reaches this: the refresh that
    /// publishes a write whose author did not wait for it ([`ReadModel::invalidate_later`]).
    owed: u64,
    /// How many times the whole store was read (the first snapshot included).
    full_reads: u64,
    shut_down: bool,
}

pub(crate) struct ReadModel {
    db: StoreUrl,
    config: WebConfig,
    published: RwLock<Option<Arc<Snapshot>>>,
    work: Mutex<Work>,
    /// Wakes the refresher.
    wake: Condvar,
    /// Wakes requests waiting for a refresh.
    refreshed: Condvar,
}

impl ReadModel {
    /// Starts the refresher thread. The first snapshot is built when first asked for (or
    /// [`Self::warm_up`]): whoever opens the state may still be filling the store.
    pub(crate) fn start(db: StoreUrl, config: WebConfig) -> Arc<Self> {
        let model = Arc::new(Self {
            db,
            config,
            published: RwLock::new(None),
            work: Mutex::new(Work::default()),
            wake: Condvar::new(),
            refreshed: Condvar::new(),
        });
        let weak = Arc::downgrade(&model);
        let spawned = std::thread::Builder::new()
            .name("read-model".into())
            .spawn(move || refresher(&weak));
        if let Err(e) = spawned {
            eprintln!("aidtrace-web: cannot start the read model's refresher: {e}");
        }
        model
    }

    fn work(&self) -> MutexGuard<'_, Work> {
        self.work
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn published(&self) -> Option<Arc<Snapshot>> {
        self.published
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Whether a refresh is quick enough that waiting for one beats serving stale reports.
    fn cheap(&self, work: &Work) -> bool {
        work.last_refresh
            .is_some_and(|took| took.saturating_mul(4) <= self.config.read_model_wait)
    }

    /// Waits (at most `read_model_wait`) until a refresh that started after this call ends.
    fn wait_for_refresh<'g>(&self, mut work: MutexGuard<'g, Work>) -> MutexGuard<'g, Work> {
        let deadline = Instant::now() + self.config.read_model_wait;
        // A refresh running now may have taken its work before this call's change arrived;
        // the one after it has it. Without work queued behind it (a read that found a refresh
        // under way) no refresh comes after it, so its end is what to wait for.
        let queued = work.rebuild || work.check || !work.deltas.is_empty();
        let target = work.refreshes + if work.running && queued { 2 } else { 1 };
        while work.refreshes < target && !work.shut_down {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            work = self
                .refreshed
                .wait_timeout(work, left)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
        work
    }

    /// The snapshot to answer from; see the module comment for when this waits.
    pub(crate) fn snapshot(&self) -> Result<Arc<Snapshot>, ApiError> {
        let mut work = self.work();
        let stale = work
            .checked_at
            .is_none_or(|at| at.elapsed() >= self.config.snapshot_ttl);
        if stale && !work.check {
            work.check = true;
            self.wake.notify_one();
        }
        // Nothing to serve yet: wait for the first snapshot, however long it takes.
        if self.published().is_none() && !work.running {
            work.rebuild = true;
            self.wake.notify_one();
        }
        let snap = loop {
            if let Some(snap) = self.published() {
                break snap;
            }
            if let Some(e) = work.last_error.take() {
                return Err(ApiError::internal(e));
            }
            work = self
                .refreshed
                .wait_timeout(work, Duration::from_millis(200))
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        };
        // A write's own author waits for it in `written`; other readers are not held up by
        // writes (at a million flows ten writes a second would otherwise hold every read for
        // each refresh), only by a check or rebuild they asked for, or by the refresh an import
        // left to the reads after it (`invalidate_later`).
        let pending = work.rebuild || work.check || work.refreshes < work.owed;
        if pending && self.cheap(&work) {
            drop(self.wait_for_refresh(work));
            return Ok(self.published().unwrap_or(snap));
        }
        Ok(snap)
    }

    /// Marks a write through this server as under way, before it commits: until the returned
    /// guard hands over its delta (or is dropped), the refresher does not take the version it
    /// commits for another process's write and read the whole store again. Without this, a
    /// version check falling between the commit and [`InFlight::written`] (a few round trips
    /// on PostgreSQL) started a full rebuild under steady writes (BENCHMARKS.md, "Issue #13 on
    /// PostgreSQL beside SQLite").
    pub(crate) fn write_in_flight(self: &Arc<Self>) -> InFlight {
        self.work().in_flight += 1;
        InFlight(Some(Arc::clone(self)))
    }

    /// Hands over a committed write; the caller may wait for it to show (see module comment).
    /// A delta is applied in milliseconds even at a million flows, so the writer waits unless
    /// the last one was slow.
    fn written(&self, delta: Delta) {
        let mut work = self.work();
        work.in_flight = work.in_flight.saturating_sub(1);
        work.deltas.push(delta);
        self.wake.notify_one();
        let cheap = work
            .last_delta
            .is_none_or(|took| took.saturating_mul(4) <= self.config.read_model_wait);
        if cheap {
            drop(self.wait_for_refresh(work));
        }
    }

    /// Starts building the first snapshot now, so the first request finds it ready sooner.
    pub(crate) fn warm_up(&self) {
        self.work().rebuild = true;
        self.wake.notify_one();
    }

    /// Something was written that no delta describes (an import, a delete, an approval).
    pub(crate) fn invalidate(&self) {
        let mut work = self.work();
        work.rebuild = true;
        // When the writer does not wait (the cost of a refresh is not known yet, or it is
        // high), the reads after it owe the refresh as after an import: a refresh under way
        // that took an earlier change would otherwise let them serve the ledger before this
        // write (two imports in a row; the dashboard showed the first only, now and then).
        Self::owe_next_refresh(&mut work);
        self.wake.notify_one();
        if self.cheap(&work) {
            drop(self.wait_for_refresh(work));
        }
    }

    /// As [`Self::invalidate`], but the writer does not wait: an import's page shows its own
    /// report, not the ledger, and reading the store again after a large import takes seconds
    /// (1.5-2 s of CPU after the 98 real IATI pages). The next reads wait for that refresh
    /// instead (as [`Self::snapshot`] says), so the author's next page still shows the import.
    pub(crate) fn invalidate_later(&self) {
        let mut work = self.work();
        work.rebuild = true;
        Self::owe_next_refresh(&mut work);
        self.wake.notify_one();
    }

    /// The reads from now on owe the refresh that will include a change just made.
    fn owe_next_refresh(work: &mut Work) {
        // A refresh under way took its work before this change; the one after it has it.
        let next = work.refreshes + if work.running { 2 } else { 1 };
        work.owed = work.owed.max(next);
    }

    pub(crate) fn shut_down(&self) {
        self.work().shut_down = true;
        self.wake.notify_all();
        self.refreshed.notify_all();
    }
}

/// A write through this server under way (see [`ReadModel::write_in_flight`]).
pub struct InFlight(Option<Arc<ReadModel>>);

impl InFlight {
    /// Hands over what the write committed; the caller may wait for it to show.
    pub fn written(mut self, delta: Delta) {
        if let Some(m) = self.0.take() {
            m.written(delta);
        }
    }
}

impl Drop for InFlight {
    /// A write that committed nothing the read model can follow (refused, proposed, or
    /// unchanged): compare versions again, in case it did change the store.
    fn drop(&mut self) {
        if let Some(m) = self.0.take() {
            let mut work = m.work();
            work.in_flight = work.in_flight.saturating_sub(1);
            work.check = true;
            m.wake.notify_one();
        }
    }
}

/// How long the refresher puts off reading the store while writes through this server are in
/// flight; past it, a version no delta explains is read from the store even under steady writes.
const DEFER_AT_MOST: Duration = Duration::from_secs(1);

/// The refresher's loop; ends when the read model is dropped or shut down.
fn refresher(model: &Weak<ReadModel>) {
    let mut service: Option<Aidtrace> = None;
    loop {
        let Some(m) = model.upgrade() else { return };
        let (deltas, rebuild) = {
            let mut work = m.work();
            while !work.shut_down && !work.rebuild && !work.check && work.deltas.is_empty() {
                // Wake now and then to notice that the model was dropped.
                work = m
                    .wake
                    .wait_timeout(work, Duration::from_secs(1))
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .0;
            }
            if work.shut_down {
                return;
            }
            // A version check is part of every refresh.
            work.check = false;
            work.running = true;
            (
                std::mem::take(&mut work.deltas),
                std::mem::take(&mut work.rebuild),
            )
        };
        let started = Instant::now();
        let outcome = refresh(&m, &mut service, deltas, rebuild);
        let mut work = m.work();
        match outcome {
            Ok(done) => {
                work.checked_at = Some(Instant::now());
                if done != Refreshed::Nothing {
                    let took = started.elapsed();
                    work.last_refresh = Some(took);
                    // Only a snapshot derived by deltas alone times what a write waits for;
                    // a whole recomputation (deltas that did not chain, a write the delta
                    // cannot follow) says nothing about the next delta.
                    if done == Refreshed::ByDelta {
                        work.last_delta = Some(took);
                    }
                    work.deferred_since = None;
                }
                work.last_error = None;
            }
            Err(e) => {
                eprintln!("aidtrace-web: read model refresh failed: {e}");
                // A store that fails now is read again from scratch next time.
                service = None;
                work.rebuild = true;
                work.last_error = Some(e);
            }
        }
        work.refreshes += 1;
        work.running = false;
        m.refreshed.notify_all();
        let failed = work.last_error.is_some();
        drop(work);
        drop(m);
        if failed {
            // Do not spin on a store that cannot be read.
            std::thread::sleep(Duration::from_millis(500));
        }
    }
}

/// What a refresh did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refreshed {
    /// The published snapshot was current.
    Nothing,
    /// Published a snapshot derived from the last one by the writes' deltas alone.
    ByDelta,
    /// Published a snapshot whose reports (or ledger) were computed again in full.
    Whole,
}

/// Brings the published snapshot up to the store's ledger version.
fn refresh(
    m: &ReadModel,
    service: &mut Option<Aidtrace>,
    deltas: Vec<Delta>,
    rebuild: bool,
) -> Result<Refreshed, String> {
    if service.is_none() {
        *service = Some(Aidtrace::open(&m.db).map_err(|e| e.to_string())?);
    }
    let Some(app) = service.as_ref() else {
        return Err("no store".into());
    };
    let version = app.store().ledger_version().map_err(|e| e.to_string())?;
    let current = m.published();
    let mut by_delta = false;
    let next = match current {
        Some(cur) if !rebuild => {
            if cur.version == version && deltas.iter().all(|d| d.after <= cur.version) {
                return Ok(Refreshed::Nothing);
            }
            match chained(cur.version, version, deltas) {
                Ok(deltas) => {
                    let (put, deleted) = deltas.into_iter().fold(
                        (Vec::new(), Vec::new()),
                        |(mut put, mut deleted), d| {
                            // Later writes win: a record deleted then put again is put.
                            deleted.retain(|(k, id)| {
                                !d.put.iter().any(|r| r.kind() == *k && r.id() == id)
                            });
                            put.retain(|r: &Record| {
                                !d.deleted
                                    .iter()
                                    .any(|(k, id)| r.kind() == *k && r.id() == id)
                            });
                            put.extend(d.put);
                            deleted.extend(d.deleted);
                            (put, deleted)
                        },
                    );
                    // Derived from the published snapshot where the write allows it (see
                    // `crate::snapshot_delta`); else every report is computed again.
                    match cur.after_write(app, &m.config, put.clone(), &deleted, version) {
                        Ok(Some(next)) => {
                            by_delta = true;
                            Ok(next)
                        }
                        Ok(None) => {
                            let ledger = cur.ledger.clone().with_changes(put, &deleted);
                            drop(cur);
                            Snapshot::of_ledger(app, &m.config, ledger, version)
                        }
                        Err(e) => Err(e),
                    }
                }
                Err(deltas) => {
                    if defer(m, deltas) {
                        return Ok(Refreshed::Nothing);
                    }
                    drop(cur);
                    full_read(m, app)
                }
            }
        }
        _ => full_read(m, app),
    }
    .map_err(|e| e.message)?;
    *m.published
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Arc::new(next));
    Ok(if by_delta {
        Refreshed::ByDelta
    } else {
        Refreshed::Whole
    })
}

fn full_read(m: &ReadModel, app: &Aidtrace) -> Result<Snapshot, ApiError> {
    m.work().full_reads += 1;
    Snapshot::build(app, &m.config)
}

/// The deltas that lead from version `from` to `to` with nothing unknown between them, in
/// order; `Err` with them when changes no delta describes are in between (another process's,
/// or a write of this server still handing its delta over).
fn chained(from: i64, to: i64, mut deltas: Vec<Delta>) -> Result<Vec<Delta>, Vec<Delta>> {
    deltas.retain(|d| d.after > from);
    deltas.sort_by_key(|d| d.before);
    let mut at = from;
    for d in &deltas {
        if d.before != at {
            return Err(deltas);
        }
        at = d.after;
    }
    if at == to { Ok(deltas) } else { Err(deltas) }
}

/// Whether to wait for a write of this server instead of reading the store: one is in flight,
/// or its delta arrived while this refresh ran, and the wait has not lasted [`DEFER_AT_MOST`].
/// If so, `deltas` go back to the queue for the next refresh.
fn defer(m: &ReadModel, deltas: Vec<Delta>) -> bool {
    let mut work = m.work();
    let waiting = work.in_flight > 0 || !work.deltas.is_empty();
    let since = *work.deferred_since.get_or_insert_with(Instant::now);
    if waiting && since.elapsed() < DEFER_AT_MOST {
        work.deltas.extend(deltas);
        if work.in_flight > 0 {
            // The write hands its delta over within a few round trips; `written` wakes us.
            drop(
                m.wake
                    .wait_timeout(work, Duration::from_millis(20))
                    .unwrap_or_else(std::sync::PoisonError::into_inner),
            );
        }
        return true;
    }
    work.deferred_since = None;
    false
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use aidtrace_domain::model::Flow;

    const WAIT: Duration = Duration::from_secs(60);

    /// A model over a demo store whose every read checks the version, with its first snapshot.
    fn model() -> (tempfile::TempDir, StoreUrl, Arc<ReadModel>) {
        model_checking_every(Duration::ZERO)
    }

    fn model_checking_every(ttl: Duration) -> (tempfile::TempDir, StoreUrl, Arc<ReadModel>) {
        let dir = tempfile::tempdir().unwrap();
        let db = StoreUrl::Sqlite(dir.path().join("t.db"));
        Aidtrace::open(&db).unwrap().load_demo("seed").unwrap();
        let config = WebConfig {
            snapshot_ttl: ttl,
            ..WebConfig::default()
        };
        let m = ReadModel::start(db.clone(), config);
        m.snapshot().unwrap();
        (dir, db, m)
    }

    fn until(what: &str, m: &ReadModel, done: impl Fn(&Work) -> bool) {
        let deadline = Instant::now() + WAIT;
        while !done(&m.work()) {
            assert!(Instant::now() < deadline, "never: {what}");
            let _ = m.snapshot();
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Writes one more flow through a connection of its own; the versions around it.
    fn write_flow(db: &StoreUrl, id: &str) -> Delta {
        let mut app = Aidtrace::open(db).unwrap();
        let before = app.store().ledger_version().unwrap();
        let ledger = app.ledger().unwrap();
        let mut flow: Flow = ledger.flows.values().next().unwrap().clone();
        flow.id = RecordId::parse(id).unwrap();
        let put = vec![Record::Flow(flow)];
        app.put("t", put.clone()).unwrap();
        let after = app.store().ledger_version().unwrap();
        Delta {
            before,
            after,
            put,
            deleted: Vec::new(),
        }
    }

    #[test]
    fn a_check_between_a_commit_and_its_delta_waits_for_the_delta_instead_of_reading_the_store() {
        let (_dir, db, m) = model();
        let in_flight = m.write_in_flight();
        let delta = write_flow(&db, "flow-in-flight-1");
        let version = delta.after;
        until("the refresher sees the new version", &m, |w| {
            w.deferred_since.is_some()
        });
        in_flight.written(delta);
        until("the write's snapshot is published", &m, |_| {
            m.published().is_some_and(|s| s.version == version)
        });
        assert_eq!(
            m.work().full_reads,
            1,
            "only the first snapshot read the store"
        );
        let snap = m.published().unwrap();
        assert!(
            snap.ledger
                .flows
                .contains_key(&RecordId::parse("flow-in-flight-1").unwrap())
        );
    }

    /// A whole re-read of the store that took long (an IATI import's) does not stop the next
    /// write through the server from waiting for its own delta: `written` returns with the
    /// write published. Before, a slow last refresh made every write return at once, and the
    /// page after an approval showed the ledger without it.
    #[test]
    fn a_write_waits_for_its_delta_after_a_slow_whole_refresh() {
        let (_dir, db, m) = model();
        m.work().last_refresh = Some(Duration::from_secs(30));
        let in_flight = m.write_in_flight();
        let delta = write_flow(&db, "flow-after-slow-refresh");
        let version = delta.after;
        in_flight.written(delta);
        assert_eq!(
            m.published().map(|s| s.version),
            Some(version),
            "published by the time written returns"
        );
    }

    #[test]
    fn a_write_that_hands_over_nothing_leaves_the_store_to_be_read() {
        let (_dir, db, m) = model();
        let in_flight = m.write_in_flight();
        let version = write_flow(&db, "flow-in-flight-2").after;
        drop(in_flight);
        until("the store is read again", &m, |_| {
            m.published().is_some_and(|s| s.version == version)
        });
        assert_eq!(m.work().full_reads, 2);
    }

    #[test]
    fn another_process_write_is_read_even_while_this_server_keeps_a_write_in_flight() {
        let (_dir, db, m) = model();
        let _in_flight = m.write_in_flight();
        let version = write_flow(&db, "flow-in-flight-3").after;
        until("the store is read after at most DEFER_AT_MOST", &m, |_| {
            m.published().is_some_and(|s| s.version == version)
        });
        assert_eq!(m.work().full_reads, 2);
    }

    #[test]
    fn a_write_that_does_not_wait_for_its_refresh_is_waited_for_by_the_next_read() {
        // No version checks on reads: only the owed refresh can make a read wait.
        let (_dir, db, m) = model_checking_every(Duration::from_secs(3600));
        let version = write_flow(&db, "flow-later-1").after;
        m.invalidate_later();
        // Best when the refresher has already taken the rebuild: a read then finds nothing
        // queued, and only what is owed makes it wait.
        let owed = m.work().owed;
        let deadline = Instant::now() + WAIT;
        loop {
            let w = m.work();
            if w.running || w.refreshes >= owed || Instant::now() > deadline {
                break;
            }
            drop(w);
            std::thread::yield_now();
        }
        let snap = m.snapshot().unwrap();
        assert_eq!(snap.version, version, "the next read shows the write");
    }
}
