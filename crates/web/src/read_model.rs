//! The read model behind every report: the current [`Snapshot`], replaced by a background
//! thread so that no request ever builds one while others wait.
//!
//! Requests take the published snapshot and go. A write through this server hands over what it
//! wrote ([`Delta`]); the refresher applies it to the published ledger (no store scan, no JSON
//! parsing) and changes the reports only where the write reaches them
//! (`crate::snapshot_delta`), or recomputes them all where it cannot. A write by another process (the CLI) shows as a
//! ledger version no delta explains; the refresher then reads the store again, through its own
//! connection (SQLite's WAL, or PostgreSQL's MVCC, lets it read while the server writes). Until the first snapshot
//! exists, requests wait for it: there is nothing older to serve.
//!
//! Where a refresh is cheap (a small ledger: under a quarter of `WebConfig::read_model_wait`),
//! a write waits for its own change to be published, and a stale read waits for the refresh it
//! triggers, each at most `read_model_wait`: a user sees what they just saved. On a large
//! ledger nobody waits; the reports follow one refresh later.

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
    /// Counts publications (and failed attempts), so a waiter knows a refresh happened.
    refreshes: u64,
    last_error: Option<String>,
    /// A refresh is under way (its work already taken).
    running: bool,
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
        // each refresh), only by a check or rebuild they asked for.
        let pending = work.rebuild || work.check;
        if pending && self.cheap(&work) {
            drop(self.wait_for_refresh(work));
            return Ok(self.published().unwrap_or(snap));
        }
        Ok(snap)
    }

    /// Hands over a committed write; the caller may wait for it to show (see module comment).
    pub(crate) fn written(&self, delta: Delta) {
        let mut work = self.work();
        work.deltas.push(delta);
        self.wake.notify_one();
        if self.cheap(&work) {
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
        self.wake.notify_one();
        if self.cheap(&work) {
            drop(self.wait_for_refresh(work));
        }
    }

    pub(crate) fn shut_down(&self) {
        self.work().shut_down = true;
        self.wake.notify_all();
        self.refreshed.notify_all();
    }
}

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
            Ok(changed) => {
                work.checked_at = Some(Instant::now());
                if changed {
                    work.last_refresh = Some(started.elapsed());
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

/// Brings the published snapshot up to the store's ledger version; `Ok(true)` when it
/// published a new one.
fn refresh(
    m: &ReadModel,
    service: &mut Option<Aidtrace>,
    deltas: Vec<Delta>,
    rebuild: bool,
) -> Result<bool, String> {
    if service.is_none() {
        *service = Some(Aidtrace::open(&m.db).map_err(|e| e.to_string())?);
    }
    let Some(app) = service.as_ref() else {
        return Err("no store".into());
    };
    let version = app.store().ledger_version().map_err(|e| e.to_string())?;
    let current = m.published();
    let next = match current {
        Some(cur) if !rebuild => {
            if cur.version == version && deltas.iter().all(|d| d.after <= cur.version) {
                return Ok(false);
            }
            match chained(cur.version, version, deltas) {
                Some(deltas) => {
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
                        Ok(Some(next)) => Ok(next),
                        Ok(None) => {
                            let ledger = cur.ledger.clone().with_changes(put, &deleted);
                            drop(cur);
                            Snapshot::of_ledger(app, &m.config, ledger, version)
                        }
                        Err(e) => Err(e),
                    }
                }
                None => {
                    drop(cur);
                    Snapshot::build(app, &m.config)
                }
            }
        }
        _ => Snapshot::build(app, &m.config),
    }
    .map_err(|e| e.message)?;
    *m.published
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Arc::new(next));
    Ok(true)
}

/// The deltas that lead from version `from` to `to` with nothing unknown between them, in
/// order; `None` when another writer's changes are in between (the store must be read).
fn chained(from: i64, to: i64, mut deltas: Vec<Delta>) -> Option<Vec<Delta>> {
    deltas.retain(|d| d.after > from);
    deltas.sort_by_key(|d| d.before);
    let mut at = from;
    for d in &deltas {
        if d.before != at {
            return None;
        }
        at = d.after;
    }
    (at == to).then_some(deltas)
}
