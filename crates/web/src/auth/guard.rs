//! What keeps sign-in from being a way to exhaust the server: every attempt costs an argon2id
//! hash (19 MiB, by design slow), so attempts are limited per account name and per client
//! address, at most `max_concurrent_hashes` hashes run at once, each in a buffer of a pool that
//! never holds more than that many, and attempts beyond a short queue are turned away at once.

use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use argon2::password_hash::PasswordHash;
use argon2::{Algorithm, Argon2, Block, Params, Version};
use axum::http::{HeaderMap, StatusCode};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::ApiError;
use crate::state::WebConfig;

/// The largest argon2 memory cost (KiB) a stored hash may ask for. Hashes made by aidtrace use
/// 19 MiB; a hand-written hash asking for more is refused rather than allocated.
pub const MAX_HASH_MEMORY_KIB: u32 = 64 * 1024;

/// A refused attempt: the status (429 or 503), the error, and how many seconds to wait.
#[derive(Debug)]
pub struct Refused {
    pub error: Box<ApiError>,
    pub retry_after_secs: u64,
}

/// A 429 or 503 page with `Retry-After`.
impl axum::response::IntoResponse for Refused {
    fn into_response(self) -> axum::response::Response {
        let mut resp = crate::error::PageError(*self.error).into_response();
        if let Ok(v) = axum::http::HeaderValue::from_str(&self.retry_after_secs.to_string()) {
            resp.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, v);
        }
        resp
    }
}

/// Held while an attempt is admitted (waiting or hashing); dropping it admits the next one.
pub struct Admitted {
    _queued: OwnedSemaphorePermit,
    _hashing: OwnedSemaphorePermit,
}

pub struct LoginGuard {
    /// Attempts admitted at once, hashing or waiting to hash; beyond it they are refused at once.
    admitted: Arc<Semaphore>,
    /// Hashes running at once.
    hashing: Arc<Semaphore>,
    /// Argon2 memory, reused: the number of buffers never exceeds the number of hashing permits.
    buffers: Mutex<Vec<Vec<Block>>>,
    per_name: DefaultKeyedRateLimiter<String>,
    per_address: DefaultKeyedRateLimiter<IpAddr>,
    pub max_hashes: usize,
}

fn quota(per_minute: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN))
}

impl LoginGuard {
    pub fn new(config: &WebConfig) -> Self {
        let hashes = config.max_concurrent_hashes.max(1);
        Self {
            admitted: Arc::new(Semaphore::new(hashes.saturating_mul(2))),
            hashing: Arc::new(Semaphore::new(hashes)),
            buffers: Mutex::new(Vec::new()),
            per_name: RateLimiter::keyed(quota(config.login_attempts_per_minute)),
            per_address: RateLimiter::keyed(quota(config.login_attempts_per_address_per_minute)),
            max_hashes: hashes,
        }
    }

    /// Counts an attempt against its client address (when known) and its account name.
    pub fn check_limits(&self, address: Option<IpAddr>, name: &str) -> Result<(), Refused> {
        let refused = |not_until: governor::NotUntil<_>| Refused {
            error: Box::new(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                crate::i18n::t("err-login-rate"),
            )),
            retry_after_secs: not_until
                .wait_time_from(DefaultClock::default().now())
                .as_secs()
                .max(1),
        };
        // The address first: a client over its limit does not get to fill the name table.
        if let Some(address) = address {
            self.per_address
                .check_key(&address_key(address))
                .map_err(refused)?;
        }
        self.per_name.check_key(&name_key(name)).map_err(refused)
    }

    /// Admits an attempt to hash: at once if fewer than `max_concurrent_hashes` run, after a
    /// wait if the queue (as long again) has room, else refused with 503 straight away.
    pub async fn admit(&self) -> Result<Admitted, Refused> {
        let busy = || Refused {
            error: Box::new(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                crate::i18n::t("err-login-busy"),
            )),
            retry_after_secs: 1,
        };
        let queued = self
            .admitted
            .clone()
            .try_acquire_owned()
            .map_err(|_| busy())?;
        let hashing = self
            .hashing
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| busy())?;
        Ok(Admitted {
            _queued: queued,
            _hashing: hashing,
        })
    }

    /// Checks `password` against `hash` in a pooled buffer. Call only while holding an
    /// [`Admitted`]: that is what bounds the pool.
    pub fn verify(&self, _admitted: &Admitted, password: &str, hash: &str) -> bool {
        let mut buffer = self
            .buffers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop()
            .unwrap_or_default();
        let ok = verify_in(password, hash, &mut buffer);
        self.buffers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(buffer);
        ok
    }

    /// How many hash buffers exist (never more than `max_hashes`).
    pub fn buffers(&self) -> usize {
        self.buffers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len()
    }

    /// Forgets limiter entries that are back to a full allowance, so a stream of made-up names
    /// or addresses does not grow the tables for ever.
    pub fn forget_idle(&self) {
        self.per_name.retain_recent();
        self.per_name.shrink_to_fit();
        self.per_address.retain_recent();
        self.per_address.shrink_to_fit();
    }

    pub fn tracked(&self) -> (usize, usize) {
        (self.per_name.len(), self.per_address.len())
    }
}

/// Names are case-folded and cut to the 100 characters an account name may have, so a limiter
/// key is never larger than a name.
fn name_key(name: &str) -> String {
    name.chars().take(100).collect::<String>().to_lowercase()
}

/// One IPv6 client usually holds a whole /64, so it is counted as one address.
pub fn address_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// Argon2 verification with the caller's memory, grown to the hash's cost once and then reused
/// (argon2 writes every block before reading it, so an old buffer's content does not matter).
fn verify_in(password: &str, hash: &str, buffer: &mut Vec<Block>) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (
        Algorithm::try_from(parsed.algorithm),
        Params::try_from(&parsed),
    ) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(v) => v.unwrap_or_default(),
        Err(_) => return false,
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    if params.m_cost() > MAX_HASH_MEMORY_KIB {
        return false;
    }
    let blocks = params.block_count();
    if buffer.len() < blocks {
        buffer.resize(blocks, Block::default());
    }
    let mut out = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password.as_bytes(), salt, &mut out, &mut buffer[..])
        .is_ok()
        && crate::auth::same_secret_bytes(&out, expected.as_bytes())
}

/// The address a request came from: the peer, or, when the peer is one of `trusted_proxies`,
/// the nearest address in `X-Forwarded-For` that is not a trusted proxy. `None` when the
/// request did not come over a socket (in-process tests).
pub fn client_address(
    trusted_proxies: &[IpAddr],
    peer: Option<IpAddr>,
    headers: &HeaderMap,
) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted_proxies.contains(&peer) {
        return Some(peer);
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    // Each proxy appends the address it was talking to; only the hops our proxies appended can
    // be believed, so the walk goes from the right and stops at the first other address.
    for hop in hops.iter().rev() {
        let parsed = hop
            .parse::<IpAddr>()
            .or_else(|_| hop.parse::<std::net::SocketAddr>().map(|s| s.ip()));
        let Ok(ip) = parsed else {
            break;
        };
        client = ip;
        if !trusted_proxies.contains(&ip) {
            break;
        }
    }
    Some(client)
}

/// Drops idle limiter entries every minute while the server runs.
pub fn spawn_cleanup(state: crate::AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            state.login_guard.forget_idle();
        }
    });
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::auth::{PasswordCost, hash_password};

    fn config() -> WebConfig {
        WebConfig {
            login_attempts_per_minute: 3,
            login_attempts_per_address_per_minute: 5,
            max_concurrent_hashes: 2,
            ..WebConfig::default()
        }
    }

    #[test]
    fn attempts_are_limited_per_address_across_names() {
        let g = LoginGuard::new(&config());
        let a: IpAddr = "203.0.113.7".parse().unwrap();
        for i in 0..5 {
            assert!(g.check_limits(Some(a), &format!("name-{i}")).is_ok());
        }
        let refused = g.check_limits(Some(a), "yet-another").unwrap_err();
        assert_eq!(refused.error.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(refused.retry_after_secs >= 1);
        // Another address is not affected.
        assert!(
            g.check_limits(Some("203.0.113.8".parse().unwrap()), "x")
                .is_ok()
        );
    }

    #[test]
    fn attempts_are_limited_per_name_across_addresses() {
        let g = LoginGuard::new(&config());
        for i in 0..3 {
            let a: IpAddr = format!("198.51.100.{i}").parse().unwrap();
            assert!(g.check_limits(Some(a), "Vic").is_ok());
        }
        assert!(
            g.check_limits(Some("198.51.100.9".parse().unwrap()), "vic")
                .is_err()
        );
    }

    #[test]
    fn an_ipv6_slash_64_counts_as_one_address() {
        let g = LoginGuard::new(&config());
        for i in 0..5 {
            let a: IpAddr = format!("2001:db8:1:2::{i:x}").parse().unwrap();
            assert!(g.check_limits(Some(a), &format!("n{i}")).is_ok());
        }
        let other_host_same_64: IpAddr = "2001:db8:1:2:ffff::1".parse().unwrap();
        assert!(g.check_limits(Some(other_host_same_64), "n9").is_err());
    }

    #[test]
    fn huge_names_are_cut_to_a_name_length_key() {
        assert_eq!(name_key(&"A".repeat(100_000)).len(), 100);
    }

    #[tokio::test]
    async fn no_more_than_the_queue_is_admitted_and_the_rest_is_refused_at_once() {
        let g = Arc::new(LoginGuard::new(&config()));
        let first = g.admit().await.unwrap();
        let second = g.admit().await.unwrap();
        // Two more may wait for a hashing slot; the fifth is refused without waiting.
        let waiting: Vec<_> = (0..2)
            .map(|_| {
                let g = g.clone();
                tokio::spawn(async move { g.admit().await.map(|_| ()) })
            })
            .collect();
        tokio::task::yield_now().await;
        let started = std::time::Instant::now();
        let refused = g.admit().await.err().unwrap();
        assert_eq!(refused.error.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(started.elapsed() < Duration::from_millis(100));
        drop((first, second));
        for w in waiting {
            assert!(w.await.unwrap().is_ok());
        }
    }

    /// The pooled verifier agrees with argon2's own, one buffer serving hashes of several costs.
    #[test]
    fn pooled_verification_matches_argon2() {
        let g = LoginGuard::new(&config());
        let small = PasswordCost {
            memory_kib: 64,
            passes: 1,
        };
        let big = PasswordCost {
            memory_kib: 2048,
            passes: 2,
        };
        let hashes = [
            hash_password("first password", big).unwrap(),
            hash_password("second password", small).unwrap(),
        ];
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let permit = rt.block_on(g.admit()).unwrap();
        for _ in 0..2 {
            assert!(g.verify(&permit, "first password", &hashes[0]));
            assert!(!g.verify(&permit, "second password", &hashes[0]));
            assert!(g.verify(&permit, "second password", &hashes[1]));
            assert!(!g.verify(&permit, "first password", &hashes[1]));
        }
        assert!(!g.verify(&permit, "x", "not a hash"));
        assert_eq!(g.buffers(), 1);
        // A hash asking for more memory than the cap is refused, not allocated.
        let greedy = "$argon2id$v=19$m=1048576,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
        assert!(!g.verify(&permit, "x", greedy));
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "6.6.6.6, 203.0.113.5".parse().unwrap());
        // Not from a trusted proxy: the header is ignored.
        assert_eq!(client_address(&[], Some(proxy), &h), Some(proxy));
        // From the trusted proxy: the address it appended (the left one is the client's claim).
        assert_eq!(
            client_address(&[proxy], Some(proxy), &h),
            Some("203.0.113.5".parse().unwrap())
        );
        // Two trusted proxies in a row are skipped.
        let inner: IpAddr = "10.0.0.3".parse().unwrap();
        h.insert("x-forwarded-for", "203.0.113.5, 10.0.0.3".parse().unwrap());
        assert_eq!(
            client_address(&[proxy, inner], Some(proxy), &h),
            Some("203.0.113.5".parse().unwrap())
        );
        // Garbage stops the walk at the last believable hop.
        h.insert("x-forwarded-for", "junk".parse().unwrap());
        assert_eq!(client_address(&[proxy], Some(proxy), &h), Some(proxy));
        assert_eq!(client_address(&[proxy], None, &h), None);
    }
}
