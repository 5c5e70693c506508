//! Shared state: the service behind a mutex (one SQLite connection is not `Sync`), the accounts
//! store, and a snapshot of the ledger with its derived reports, rebuilt after each write.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

use aidtrace_domain::checks::Finding;
use aidtrace_domain::filter::Filter;
use aidtrace_domain::fx::RateTable;
use aidtrace_domain::totals::GroupBy;
use aidtrace_domain::{Ledger, Record, RecordId, RecordKind};
use aidtrace_service::Aidtrace;
use aidtrace_store::{AccountStore, AssetQueries, SqliteAccounts, SqliteAssetQueries};
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
            trusted_proxies: Vec::new(),
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            max_connections: 1024,
            max_connections_per_address: 64,
            body_limit: 256 * 1024,
            upload_limit: 256 * 1024 * 1024,
            snapshot_ttl: Duration::from_secs(1),
            undisbursed_after_days: aidtrace_domain::checks::DEFAULT_UNDISBURSED_AFTER_DAYS,
        }
    }
}

/// Everything the reports need, computed once per ledger version and shared by all requests.
pub struct Snapshot {
    pub ledger: Ledger,
    /// Every record by kind, ordered by id (what the API lists).
    pub records: BTreeMap<RecordKind, Vec<Record>>,
    pub rates: RateTable,
    pub findings: Vec<Finding>,
    /// Records that name an activity in their `activity` field (flows, equipment lines, budgets,
    /// partnerships, claims), so an activity page does not scan every flow.
    pub by_activity: HashMap<RecordId, Vec<(RecordKind, RecordId)>>,
    /// Indexes into `findings` by record id.
    pub findings_by_record: HashMap<RecordId, Vec<usize>>,
    /// The unfiltered dashboard: USD totals for each grouping, summarised, the time series and
    /// how many flows it places by a fallback date.
    pub figures: Arc<crate::summary::Figures>,
    /// Filtered figures, lists and pages computed from this snapshot.
    pub memo: crate::filters::Memo,
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
        let mut out: Vec<usize> = ids
            .iter()
            .filter_map(|id| self.findings_by_record.get(*id))
            .flatten()
            .copied()
            .collect();
        out.sort_unstable();
        out.dedup();
        out.into_iter()
            .filter_map(|i| self.findings.get(i))
            .collect()
    }

    pub fn build(service: &Aidtrace, config: &WebConfig) -> Result<Self, ApiError> {
        let mut records = BTreeMap::new();
        for kind in RecordKind::ALL {
            records.insert(kind, service.store().list(kind)?);
        }
        let ledger = Ledger::from_records(records.values().flatten().cloned());
        let rates = service.rates()?;
        let findings = aidtrace_domain::checks::run_with(
            &ledger,
            &rates,
            &service.check_options(config.undisbursed_after_days),
        );
        let mut by_activity: HashMap<RecordId, Vec<(RecordKind, RecordId)>> = HashMap::new();
        for record in records.values().flatten() {
            for (field, kind, target) in record.references() {
                if field == "activity" && kind == RecordKind::Activity {
                    by_activity
                        .entry(target.clone())
                        .or_default()
                        .push((record.kind(), record.id().clone()));
                }
            }
        }
        let mut findings_by_record: HashMap<RecordId, Vec<usize>> = HashMap::new();
        for (i, f) in findings.iter().enumerate() {
            findings_by_record
                .entry(f.record.clone())
                .or_default()
                .push(i);
        }
        let figures = crate::summary::figures(&ledger, &rates, &GROUPS, &Filter::default());
        let dashboard = crate::api_types::Dashboard::of(&ledger, &findings, &figures.totals);
        let dashboard_json: Arc<[u8]> = serde_json::to_vec(&dashboard)
            .map_err(ApiError::internal)?
            .into();
        Ok(Self {
            ledger,
            records,
            rates,
            findings,
            by_activity,
            findings_by_record,
            figures: Arc::new(figures),
            memo: crate::filters::Memo::default(),
            dashboard_json,
            dashboard_html: Mutex::new(HashMap::new()),
        })
    }
}

pub struct Inner {
    pub service: Mutex<Aidtrace>,
    pub accounts: Mutex<SqliteAccounts>,
    /// Indexed reads of one asset's history, so the asset rules behind "device down" read that
    /// asset only instead of every event of the store.
    asset_queries: Mutex<Box<dyn AssetQueries>>,
    pub config: WebConfig,
    /// When the snapshot was last confirmed current, the ledger version it was built from, and it.
    snapshot: RwLock<Option<(Instant, i64, Arc<Snapshot>)>>,
    pub login_guard: crate::guard::LoginGuard,
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
    /// Opens the store at `db` (creating and migrating it as needed).
    pub fn open(db: &Path, config: WebConfig) -> Result<Self, ApiError> {
        let service = Aidtrace::open_sqlite(db)?;
        let accounts = SqliteAccounts::open(db)?;
        let asset_queries: Box<dyn AssetQueries> = Box::new(SqliteAssetQueries::open(db)?);
        let mut login_key = [0u8; 32];
        getrandom::fill(&mut login_key).map_err(ApiError::internal)?;
        Ok(Self(Arc::new(Inner {
            service: Mutex::new(service),
            accounts: Mutex::new(accounts),
            asset_queries: Mutex::new(asset_queries),
            snapshot: RwLock::new(None),
            login_guard: crate::guard::LoginGuard::new(&config),
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

    pub fn accounts(&self) -> MutexGuard<'_, SqliteAccounts> {
        self.0
            .accounts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Take after [`Self::service`] when both are needed, never before (one lock order).
    pub fn asset_queries(&self) -> MutexGuard<'_, Box<dyn AssetQueries>> {
        self.0
            .asset_queries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn fresh(&self) -> Option<Arc<Snapshot>> {
        let guard = self
            .snapshot
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match guard.as_ref() {
            Some((at, _, snap)) if at.elapsed() < self.config.snapshot_ttl => Some(snap.clone()),
            _ => None,
        }
    }

    /// The current snapshot. Within the TTL it is served as is; after that one cheap query on the
    /// audit head decides whether the ledger changed (through this server or any other process)
    /// and only then is it rebuilt.
    pub fn snapshot_blocking(&self) -> Result<Arc<Snapshot>, ApiError> {
        if let Some(snap) = self.fresh() {
            return Ok(snap);
        }
        let service = self.service();
        // Another request may have refreshed it while this one waited for the service lock.
        if let Some(snap) = self.fresh() {
            return Ok(snap);
        }
        let version = self.accounts().ledger_version()?;
        let mut guard = self
            .snapshot
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((at, v, snap)) = guard.as_mut()
            && *v == version
        {
            *at = Instant::now();
            return Ok(snap.clone());
        }
        let snap = Arc::new(Snapshot::build(&service, &self.0.config)?);
        *guard = Some((Instant::now(), version, snap.clone()));
        Ok(snap)
    }

    pub async fn snapshot(&self) -> Result<Arc<Snapshot>, ApiError> {
        if let Some(snap) = self.fresh() {
            return Ok(snap);
        }
        let state = self.clone();
        blocking(move || state.snapshot_blocking()).await
    }

    /// Called after every write made through the server.
    pub fn invalidate(&self) {
        *self
            .snapshot
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }
}

/// Runs database work off the async threads.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(ApiError::internal)?
}
