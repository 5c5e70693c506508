//! Shared state: the writing service behind a mutex (one writer at a time), a pool of reading
//! connections (`crate::readers`), the accounts store, and the read model: a snapshot of the
//! ledger with its derived reports, following each write.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use aidtrace_domain::checks::Finding;
use aidtrace_domain::filter::Filter;
use aidtrace_domain::fx::RateTable;
use aidtrace_domain::totals::GroupBy;
use aidtrace_domain::{Ledger, Record, RecordId, RecordKind};
use aidtrace_service::Aidtrace;
use aidtrace_store::{AccountStore, StoreUrl};
use rust_decimal::Decimal;

use crate::error::ApiError;

/// Settings of the web application (the CLI fills them from flags and the TOML file).
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Whether visitors who are not signed in see the read-only public view.
    pub public_view: bool,
    /// Radius (km) to which public views blur the coordinates of sensitive facilities.
    pub blur_km: Decimal,
    /// Mark cookies `Secure`. Off only for plain-HTTP use on the loopback interface.
    pub secure_cookies: bool,
    pub session_ttl: Duration,
    /// Sign-in attempts allowed per account name per minute.
    pub login_attempts_per_minute: u32,
    /// Sign-in attempts allowed per client address (an IPv6 /64) per minute.
    pub login_attempts_per_address_per_minute: u32,
    /// Password hashes (19 MiB each) computed at once; as many more attempts may wait, the rest
    /// get 503 at once. This bounds sign-in's memory to this many hash buffers.
    pub max_concurrent_hashes: usize,
    /// IATI uploads received and checked at once, one per account (`crate::iati::slots`);
    /// each costs seconds of CPU and up to `upload_limit` of disk.
    pub max_concurrent_uploads: usize,
    /// Connections the server opens, at most, for reads that need the store itself (pages of
    /// lists, single records), beside the one writing connection; see `crate::readers`.
    pub read_connections: usize,
    /// Peers whose `X-Forwarded-For` is believed (a reverse proxy in front of the server); from
    /// anyone else the header is ignored and the peer address is the client's.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// How long a client may take to send a request's headers, and how long a kept-alive
    /// connection may wait for its next request.
    pub header_read_timeout: Duration,
    /// The longest pause allowed while a request body is being received or a response sent.
    pub idle_timeout: Duration,
    /// Connections served at once; further ones wait in the listen queue.
    pub max_connections: usize,
    /// Connections one client address (an IPv6 /64) may hold at once; more are closed on
    /// accept, so one client cannot take every slot. Trusted proxies are not limited.
    pub max_connections_per_address: usize,
    /// Largest request body accepted, in bytes (forms and API writes).
    pub body_limit: usize,
    /// Largest IATI upload accepted on `/import`, in bytes. Uploads stream to a temporary file,
    /// so this bounds disk use, not memory.
    pub upload_limit: u64,
    /// How long a snapshot of the ledger serves reads before the ledger version is checked again
    /// (writes made through this server drop it at once; this bounds staleness for writes made
    /// by other processes, such as the CLI).
    pub snapshot_ttl: Duration,
    /// Days a dated commitment may go without a disbursement before LEDGER-UNDISBURSED.
    pub undisbursed_after_days: u32,
    /// The longest a write through the server waits for its change to reach the reports, and a
    /// stale read for a refresh, when refreshing is cheap (see `crate::read_model`).
    pub read_model_wait: Duration,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            public_view: true,
            blur_km: Decimal::from(10),
            secure_cookies: true,
            session_ttl: Duration::from_secs(8 * 3600),
            login_attempts_per_minute: 5,
            login_attempts_per_address_per_minute: 20,
            max_concurrent_hashes: std::thread::available_parallelism().map_or(2, |n| n.get()),
            max_concurrent_uploads: std::thread::available_parallelism().map_or(2, |n| n.get()),
            read_connections: 4,
            trusted_proxies: Vec::new(),
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            max_connections: 1024,
            max_connections_per_address: 64,
            body_limit: 256 * 1024,
            upload_limit: 256 * 1024 * 1024,
            // One `ledger_version` query (a single-row read) per ttl at most: cheap enough that
            // a write through another process (a second server, the CLI) shows within a second.
            snapshot_ttl: Duration::from_millis(250),
            undisbursed_after_days: aidtrace_domain::checks::DEFAULT_UNDISBURSED_AFTER_DAYS,
            read_model_wait: Duration::from_secs(2),
        }
    }
}

/// Everything the reports need, computed once per ledger version and shared by all requests.
pub struct Snapshot {
    /// The ledger version (see `Store::ledger_version`) this snapshot shows.
    pub version: i64,
    /// The only in-memory copy of the records: API lists page the store instead of keeping a
    /// second copy here.
    pub ledger: Ledger,
    pub rates: RateTable,
    /// The checks' findings, in their order and by record.
    pub findings: crate::findings::Findings,
    /// The options the findings were judged with (the dated rules' day).
    pub check_options: aidtrace_domain::checks::Options,
    /// Records other than flows that name an activity in their `activity` field (equipment lines,
    /// budgets, partnerships, claims, donation checks), so an activity page does not scan them
    /// all. Each list in the order the kinds are listed here, then by id. Flows are found
    /// through the ledger's own index (`Ledger::flows_of`), not copied here.
    pub by_activity: imbl::HashMap<RecordId, Vec<(RecordKind, RecordId)>>,
    /// The unfiltered dashboard: USD totals for each grouping, summarised, the time series and
    /// how many flows it places by a fallback date.
    pub figures: Arc<crate::summary::Figures>,
    /// The running sums behind `figures`, which a write's delta changes.
    pub figures_acc: crate::summary::FiguresAcc,
    /// Filtered figures, lists and pages computed from this snapshot.
    pub memo: crate::flows::Memo,
    /// The dashboard JSON, serialised once: it is the most requested document.
    pub dashboard_json: bytes_like::Bytes,
    /// The dashboard page's body per language, rendered on first request.
    pub dashboard_html: Mutex<HashMap<crate::i18n::Lang, Arc<str>>>,
}

pub mod bytes_like {
    /// Serialized JSON shared between requests without copying.
    pub type Bytes = std::sync::Arc<[u8]>;
}

pub const GROUPS: [GroupBy; 5] = [
    GroupBy::Donor,
    GroupBy::Recipient,
    GroupBy::Region,
    GroupBy::Sector,
    GroupBy::Year,
];

impl Snapshot {
    /// Ids of the records of `kind` that belong to `activity`.
    pub fn of_activity(&self, activity: &RecordId, kind: RecordKind) -> Vec<&RecordId> {
        if kind == RecordKind::Flow {
            return self.ledger.flows_of(activity).map(|f| &f.id).collect();
        }
        self.by_activity
            .get(activity)
            .map(|v| {
                v.iter()
                    .filter(|(k, _)| *k == kind)
                    .map(|(_, id)| id)
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn findings_for<'a>(&'a self, ids: &[&RecordId]) -> Vec<&'a Finding> {
        self.findings.about(ids)
    }

    /// Reads every record from the store and derives the reports.
    pub fn build(service: &Aidtrace, config: &WebConfig) -> Result<Self, ApiError> {
        let started = std::time::Instant::now();
        let version = service.store().ledger_version()?;
        let ledger = service.ledger()?;
        if crate::snapshot_delta::timing() {
            eprintln!(
                "aidtrace-web: read model: store read done in {:?}{}",
                started.elapsed(),
                crate::snapshot_delta::resident()
            );
        }
        Self::of_ledger(service, config, ledger, version)
    }

    /// Derives the reports of `ledger` (findings, indexes, figures, the dashboard): everything
    /// but reading the records, so a write through this server can hand over the ledger it
    /// changed instead of the store being read again.
    pub fn of_ledger(
        service: &Aidtrace,
        config: &WebConfig,
        ledger: Ledger,
        version: i64,
    ) -> Result<Self, ApiError> {
        let timing = crate::snapshot_delta::timing();
        let started = std::time::Instant::now();
        let lap = |step: &str| {
            if timing {
                eprintln!(
                    "aidtrace-web: read model: {step} done at {:?}{}",
                    started.elapsed(),
                    crate::snapshot_delta::resident()
                );
            }
        };
        let rates = service.rates()?;
        let options = service.check_options(config.undisbursed_after_days);
        // The checks (with their index) and the rest (records by activity, the running sums)
        // read the same ledger and share nothing else: on two threads the first snapshot
        // takes about as long as the longer of the two, not their sum (issue #13). The five
        // groupings' sums, which reuse each activity's keys, take about as long as the checks,
        // so they stay on one thread (BENCHMARKS.md, eighth session).
        let (findings, (by_activity, acc)) = std::thread::scope(|scope| {
            let checks = scope.spawn(|| {
                let findings = aidtrace_domain::checks::run_with(&ledger, &rates, &options);
                lap("checks");
                let findings = crate::findings::Findings::of(findings);
                lap("findings index");
                findings
            });
            let by_activity = records_by_activity(&ledger);
            lap("records by activity");
            let acc = crate::summary::figures_acc(&ledger, &rates, &GROUPS, &Filter::default());
            lap("running sums");
            let checked = checks
                .join()
                .map_err(|_| ApiError::internal("the checks failed"));
            checked.map(|c| (c, (by_activity, acc)))
        })?;
        let figures = acc.finish();
        lap("figures");
        let snapshot = Self::assemble(
            version,
            ledger,
            rates,
            options,
            findings,
            by_activity,
            acc,
            figures,
        )?;
        lap("dashboard");
        Ok(snapshot)
    }

    /// A snapshot of its parts, with the dashboard computed and serialised.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn assemble(
        version: i64,
        ledger: Ledger,
        rates: RateTable,
        check_options: aidtrace_domain::checks::Options,
        findings: crate::findings::Findings,
        by_activity: imbl::HashMap<RecordId, Vec<(RecordKind, RecordId)>>,
        figures_acc: crate::summary::FiguresAcc,
        figures: crate::summary::Figures,
    ) -> Result<Self, ApiError> {
        let dashboard = crate::api::types::Dashboard::of(&ledger, &findings, &figures.totals);
        let dashboard_json: Arc<[u8]> = serde_json::to_vec(&dashboard)
            .map_err(ApiError::internal)?
            .into();
        Ok(Self {
            version,
            ledger,
            rates,
            findings,
            check_options,
            by_activity,
            figures: Arc::new(figures),
            figures_acc,
            memo: crate::flows::Memo::default(),
            dashboard_json,
            dashboard_html: Mutex::new(HashMap::new()),
        })
    }
}

/// Records that name an activity in their `activity` field, by that activity (see
/// `Snapshot::by_activity`).
fn records_by_activity(ledger: &Ledger) -> imbl::HashMap<RecordId, Vec<(RecordKind, RecordId)>> {
    let mut by_activity: imbl::HashMap<RecordId, Vec<(RecordKind, RecordId)>> =
        imbl::HashMap::new();
    let mut index = |record: Record| {
        for target in crate::snapshot_delta::indexed_under(&record) {
            by_activity
                .entry(target)
                .or_default()
                .push((record.kind(), record.id().clone()));
        }
    };
    // Only these kinds (and flows, which the ledger indexes) name an activity in an
    // `activity` field; cloning one record at a time keeps the index's cost to its own size.
    ledger
        .budgets
        .values()
        .for_each(|r| index(Record::Budget(r.clone())));
    ledger
        .equipment_lines
        .values()
        .for_each(|r| index(Record::EquipmentLine(r.clone())));
    ledger
        .partnerships
        .values()
        .for_each(|r| index(Record::Partnership(r.clone())));
    ledger
        .claims
        .values()
        .for_each(|r| index(Record::Claim(r.clone())));
    ledger
        .donation_checks
        .values()
        .for_each(|r| index(Record::DonationCheck(r.clone())));
    by_activity
}

pub struct Inner {
    /// The writing connection: one writer at a time.
    pub service: Mutex<Aidtrace>,
    /// Connections for reads, so they do not wait for a write (`crate::readers`).
    readers: crate::readers::Readers,
    pub accounts: Mutex<Box<dyn AccountStore>>,
    pub config: WebConfig,
    /// The published snapshot and the thread that keeps it current (`crate::read_model`).
    read_model: Arc<crate::read_model::ReadModel>,
    pub login_guard: crate::auth::guard::LoginGuard,
    /// Uploads in hand on `/import`, per account and in all.
    pub upload_slots: crate::iati::slots::UploadSlots,
    /// IATI exports being built (`crate::iati::export`): anyone may ask for one, and one of a
    /// large ledger takes seconds and tens of megabytes, so as many at once as uploads.
    pub exports_building: Arc<tokio::sync::Semaphore>,
    /// Signs the sign-in form's tokens; random per process (a restart voids open sign-in forms).
    pub login_key: [u8; 32],
}

/// Cheap to clone; handed to every handler.
#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Opens the store `db` names, SQLite or PostgreSQL (creating and migrating it as needed).
    pub fn open(db: &StoreUrl, config: WebConfig) -> Result<Self, ApiError> {
        let service = Aidtrace::open(db)?;
        let accounts = db.open_accounts()?;
        let mut login_key = [0u8; 32];
        getrandom::fill(&mut login_key).map_err(ApiError::internal)?;
        Ok(Self(Arc::new(Inner {
            service: Mutex::new(service),
            readers: crate::readers::Readers::new(db, config.read_connections),
            accounts: Mutex::new(accounts),
            read_model: crate::read_model::ReadModel::start(db.clone(), config.clone()),
            login_guard: crate::auth::guard::LoginGuard::new(&config),
            upload_slots: crate::iati::slots::UploadSlots::new(config.max_concurrent_uploads),
            exports_building: Arc::new(tokio::sync::Semaphore::new(
                config.max_concurrent_uploads.max(1),
            )),
            login_key,
            config,
        })))
    }

    pub fn service(&self) -> MutexGuard<'_, Aidtrace> {
        // A panic while holding the lock leaves the connection usable (SQLite rolls back the
        // open transaction), so a poisoned lock is taken over rather than failing every request.
        self.0
            .service
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A connection for a read that needs the store itself; it never waits for the writing
    /// connection. Call on a blocking thread (inside [`blocking`]).
    pub fn reader(&self) -> Result<crate::readers::Reader, ApiError> {
        self.0.readers.get()
    }

    pub fn accounts(&self) -> AccountsGuard<'_> {
        AccountsGuard(
            self.0
                .accounts
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// The current snapshot; see `crate::read_model` for when it is refreshed and when a
    /// request waits for that.
    pub fn snapshot_blocking(&self) -> Result<Arc<Snapshot>, ApiError> {
        self.read_model.snapshot()
    }

    pub async fn snapshot(&self) -> Result<Arc<Snapshot>, ApiError> {
        let state = self.clone();
        blocking(move || state.snapshot_blocking()).await
    }

    /// Called after a write made through the server that no [`Self::written`] describes.
    pub fn invalidate(&self) {
        self.read_model.invalidate();
    }

    /// As [`Self::invalidate`], without waiting for the refresh: the next reads wait for it.
    pub fn invalidate_later(&self) {
        self.read_model.invalidate_later();
    }

    /// Starts building the read model before the first request asks for it.
    pub fn warm_up(&self) {
        self.read_model.warm_up();
    }

    /// Called before a write through the server commits; hand what it wrote to the returned
    /// guard once committed (`InFlight::written`), or drop it.
    pub fn write_in_flight(&self) -> crate::read_model::InFlight {
        self.read_model.write_in_flight()
    }
}

/// The locked accounts store, seen as `dyn AccountStore` (so `&mut *guard` is handed on as the
/// store, or as its `ChangeStore`, whichever backend it is).
pub struct AccountsGuard<'a>(MutexGuard<'a, Box<dyn AccountStore>>);

impl std::ops::Deref for AccountsGuard<'_> {
    type Target = dyn AccountStore;
    fn deref(&self) -> &Self::Target {
        &**self.0
    }
}

impl std::ops::DerefMut for AccountsGuard<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut **self.0
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.read_model.shut_down();
    }
}

/// Runs database work off the async threads, on tokio's blocking pool (where the store's calls
/// may block on the spot: `on_blocking_thread`).
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(|| aidtrace_store::on_blocking_thread(f))
        .await
        .map_err(ApiError::internal)?
}
