//! Connections for reads (issue #13, item 7).
//!
//! Writes go through one connection (`AppState::service`, behind a mutex: one writer at a time
//! is what both backends allow). Reads that need the store itself (a page of a list, one
//! record, an asset's history, the rate coverage) take a connection of their own from this
//! pool instead, so they run side by side and never queue behind a write: a 98-file IATI import
//! holds the writing connection for seconds, and a list page must not wait for it. SQLite in
//! WAL mode and PostgreSQL both give each reading connection the last committed state, so a
//! page read after a write returns sees that write.
//!
//! The pool is `r2d2`'s: connections are opened on first need (none at start, so a server that
//! only serves the dashboard from its read model holds no extra connection), kept while used and
//! closed after ten idle minutes.

use std::time::Duration;

use aidtrace_service::{Aidtrace, ServiceError};
use aidtrace_store::StoreUrl;
use axum::http::StatusCode;

use crate::error::ApiError;

/// Opens reading connections to one store.
pub struct ReaderManager(StoreUrl);

impl r2d2::ManageConnection for ReaderManager {
    type Connection = Aidtrace;
    type Error = ServiceError;

    fn connect(&self) -> Result<Aidtrace, ServiceError> {
        Aidtrace::open(&self.0)
    }

    /// A connection that fails a one-row read (the server restarted, the network dropped it) is
    /// replaced instead of handed out.
    fn is_valid(&self, conn: &mut Aidtrace) -> Result<(), ServiceError> {
        conn.store().ledger_version()?;
        Ok(())
    }

    fn has_broken(&self, _: &mut Aidtrace) -> bool {
        false
    }
}

/// A reading connection, back to the pool when dropped. Derefs to the service, whose reading
/// methods take `&self`; its writing methods (`&mut self`) are out of reach by construction.
pub type Reader = r2d2::PooledConnection<ReaderManager>;

pub struct Readers(r2d2::Pool<ReaderManager>);

/// How long a read waits for a free connection before the request gets 503.
const WAIT: Duration = Duration::from_secs(10);

impl Readers {
    /// A pool of at most `max` connections to `db`, none opened yet.
    pub fn new(db: &StoreUrl, max: usize) -> Self {
        let max = u32::try_from(max.max(1)).unwrap_or(u32::MAX);
        Self(
            r2d2::Pool::builder()
                .max_size(max)
                .min_idle(Some(0))
                .connection_timeout(WAIT)
                // r2d2's background threads only open connections to keep `min_idle`, which is
                // zero; one is enough.
                .thread_pool(std::sync::Arc::new(
                    scheduled_thread_pool::ScheduledThreadPool::builder()
                        .num_threads(1)
                        .thread_name_pattern("aidtrace-readers-{}")
                        .build(),
                ))
                .build_unchecked(ReaderManager(db.clone())),
        )
    }

    /// A connection to read through; blocks (on a blocking thread) until one is free.
    pub fn get(&self) -> Result<Reader, ApiError> {
        self.0.get().map_err(|e| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                format!("no connection to the store for this read: {e}"),
            )
        })
    }
}
