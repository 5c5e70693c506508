//! The accept loop. `axum::serve` has no timeouts and no connection cap, so a client that opens
//! connections and sends half a request holds them for ever; this loop serves the same router
//! over hyper's HTTP/1 connection with:
//!
//! - `header_read_timeout`: a request's headers must arrive within it, and a kept-alive
//!   connection is closed when no next request starts within it (hyper's header-read timer,
//!   which runs from the moment the connection waits for a request);
//! - `idle_timeout`: a request body may pause at most this long between pieces
//!   (`tower_http::timeout::RequestBodyTimeout`), and a response write may stall at most this
//!   long on a client that does not read ([`WriteStall`]);
//! - `max_connections`: connections served at once; at the cap the loop stops accepting and new
//!   connections wait in the kernel's listen queue until one ends;
//! - `max_connections_per_address`: connections one client address may hold; more are closed
//!   on accept, so one client holding half-sent requests cannot take every slot.
//!
//! Each request carries `ConnectInfo<SocketAddr>` (the peer), which sign-in's per-address limit
//! reads.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::time::Sleep;
use tower_http::add_extension::AddExtension;
use tower_http::timeout::RequestBodyTimeout;

use crate::state::{AppState, WebConfig};

/// How long open connections get to finish after shutdown is asked for.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Serves the application on `listener` until `shutdown` completes, then lets open connections
/// finish (at most [`SHUTDOWN_GRACE`]).
pub async fn serve_on(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let config = state.config.clone();
    crate::auth::guard::spawn_cleanup(state.clone());
    let router = crate::app(state);
    let slots = Arc::new(Semaphore::new(config.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let held: Held = Arc::new(Mutex::new(HashMap::new()));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(config.header_read_timeout);
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot,
            () = &mut shutdown => break,
        };
        let Ok(slot) = slot else { break };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    eprintln!("aidtrace: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(per_address) = PerAddress::take(&held, &config, peer) else {
            // Closing at once gives the slot back for other clients.
            drop(stream);
            continue;
        };
        let service = TowerToHyperService::new(AddExtension::new(
            RequestBodyTimeout::new(router.clone(), config.idle_timeout),
            ConnectInfo(peer),
        ));
        let io = TokioIo::new(WriteStall::new(stream, config.idle_timeout));
        let conn = graceful.watch(http.serve_connection(io, service));
        tokio::spawn(async move {
            // Timeouts and resets end connections with an error; nothing to report.
            let _ = conn.await;
            drop((slot, per_address));
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
    Ok(())
}

type Held = Arc<Mutex<HashMap<IpAddr, usize>>>;

/// One connection counted against its client address; uncounted when dropped.
struct PerAddress {
    held: Held,
    key: Option<IpAddr>,
}

impl PerAddress {
    fn take(held: &Held, config: &WebConfig, peer: SocketAddr) -> Option<Self> {
        if config.trusted_proxies.contains(&peer.ip()) {
            return Some(Self {
                held: held.clone(),
                key: None,
            });
        }
        let key = crate::auth::guard::address_key(peer.ip());
        let mut map = held
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let n = map.entry(key).or_insert(0);
        if *n >= config.max_connections_per_address.max(1) {
            return None;
        }
        *n += 1;
        Some(Self {
            held: held.clone(),
            key: Some(key),
        })
    }
}

impl Drop for PerAddress {
    fn drop(&mut self) {
        let Some(key) = self.key else { return };
        let mut map = self
            .held
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(n) = map.get_mut(&key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                map.remove(&key);
            }
        }
    }
}

/// A stream whose writes fail once one has been pending for longer than `limit`: a client
/// that stops reading a response cannot hold the connection for ever.
pub struct WriteStall<T> {
    io: T,
    limit: Duration,
    stalled: Option<Pin<Box<Sleep>>>,
}

impl<T> WriteStall<T> {
    pub fn new(io: T, limit: Duration) -> Self {
        Self {
            io,
            limit,
            stalled: None,
        }
    }

    fn watch<R>(&mut self, cx: &mut Context<'_>, poll: Poll<io::Result<R>>) -> Poll<io::Result<R>> {
        if poll.is_ready() {
            self.stalled = None;
            return poll;
        }
        let limit = self.limit;
        let timer = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        if timer.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client stopped reading",
            )));
        }
        Poll::Pending
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for WriteStall<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for WriteStall<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.io).poll_write(cx, buf);
        this.watch(cx, poll)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.io).poll_write_vectored(cx, bufs);
        this.watch(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.io).poll_flush(cx);
        this.watch(cx, poll)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.io).poll_shutdown(cx);
        this.watch(cx, poll)
    }
}

/// The address the server is reached at, for tests that start it themselves.
pub async fn spawn_on_loopback(state: AppState) -> io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(serve_on(state, listener, std::future::pending()));
    Ok(addr)
}
