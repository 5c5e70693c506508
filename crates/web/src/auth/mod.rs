//! Accounts, roles and what each role may do; passwords (argon2id), sessions, CSRF and API tokens.

pub mod guard;
pub mod login;

use aidtrace_store::{Account, AccountStore, SessionRow};
use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, PageError};
use crate::i18n::t;
use crate::state::{AppState, blocking};

pub const SESSION_COOKIE: &str = "aidtrace_session";
pub const LOGIN_CSRF_COOKIE: &str = "aidtrace_login_csrf";

pub use aidtrace_service::policy::{Actor, Role};

/// Who is asking, once signed in: the actor the write policy judges (its methods, such as
/// `may_write`, are reached through `Deref`) and the session's CSRF token.
#[derive(Debug, Clone)]
pub struct Principal {
    pub actor: Actor,
    /// The session's CSRF token; `None` for bearer tokens (no cookies, so no CSRF).
    pub csrf: Option<String>,
}

impl std::ops::Deref for Principal {
    type Target = Actor;

    fn deref(&self) -> &Actor {
        &self.actor
    }
}

impl Principal {
    pub fn from_account(account: Account, csrf: Option<String>) -> Option<Self> {
        Some(Self {
            actor: Actor {
                role: Role::parse(&account.role)?,
                name: account.name,
                organisations: account.organisations.into_iter().collect(),
                facilities: account.facilities.into_iter().collect(),
            },
            csrf,
        })
    }

    /// For `Option::is_some_and` and the like, where auto-deref does not reach.
    pub fn writes_directly(&self) -> bool {
        self.actor.writes_directly()
    }

    pub fn can_approve(&self) -> bool {
        self.actor.can_approve()
    }

    pub fn can_edit_something(&self) -> bool {
        self.actor.can_edit_something()
    }
}

/// How expensive a password hash is. The default is OWASP's argon2id minimum (19 MiB, 2 passes);
/// tests use a cheaper one, stored in the hash itself so verification needs no setting.
#[derive(Debug, Clone, Copy)]
pub struct PasswordCost {
    pub memory_kib: u32,
    pub passes: u32,
}

impl Default for PasswordCost {
    fn default() -> Self {
        Self {
            memory_kib: 19 * 1024,
            passes: 2,
        }
    }
}

pub fn hash_password(password: &str, cost: PasswordCost) -> Result<String, ApiError> {
    let params = Params::new(cost.memory_kib, cost.passes, 1, None).map_err(ApiError::internal)?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let mut salt_bytes = [0u8; 16];
    getrandom::fill(&mut salt_bytes).map_err(ApiError::internal)?;
    let salt = SaltString::encode_b64(&salt_bytes).map_err(ApiError::internal)?;
    Ok(argon
        .hash_password(password.as_bytes(), &salt)
        .map_err(ApiError::internal)?
        .to_string())
}

/// A hash of a random password with the default cost, checked against when a name is unknown
/// (through the same bounded verifier as real ones, [`crate::auth::guard::LoginGuard::verify`]).
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let password = random_token().unwrap_or_default();
        hash_password(&password, PasswordCost::default()).unwrap_or_default()
    });
    &DUMMY
}

/// 256 random bits, hex: session ids, CSRF tokens, API tokens.
pub fn random_token() -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(ApiError::internal)?;
    Ok(hex::encode(bytes))
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Comparison whose time does not depend on where the first difference is.
pub fn same_secret(a: &str, b: &str) -> bool {
    same_secret_bytes(a.as_bytes(), b.as_bytes())
}

pub fn same_secret_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

type HmacSha256 = hmac::Hmac<Sha256>;

/// HMAC takes keys of any length, so this never fails in practice.
fn login_mac(key: &[u8; 32], body: &str) -> Option<HmacSha256> {
    let mut mac = <HmacSha256 as hmac::Mac>::new_from_slice(key).ok()?;
    hmac::Mac::update(&mut mac, body.as_bytes());
    Some(mac)
}

/// A sign-in form token: `nonce.expiry.mac`, the MAC (HMAC-SHA256 with the process's key) over
/// a random nonce and the Unix time it expires at. Only this server can make one, so a pair of
/// cookie and form field made up elsewhere (or planted in a browser) does not sign anyone in.
pub fn login_token(key: &[u8; 32], ttl_secs: i64) -> Result<String, ApiError> {
    let mut nonce = [0u8; 16];
    getrandom::fill(&mut nonce).map_err(ApiError::internal)?;
    let expires = chrono::Utc::now().timestamp().saturating_add(ttl_secs);
    let body = format!("{}.{expires}", hex::encode(nonce));
    let mac = login_mac(key, &body).ok_or_else(|| ApiError::internal("HMAC key refused"))?;
    Ok(format!(
        "{body}.{}",
        hex::encode(hmac::Mac::finalize(mac).into_bytes())
    ))
}

/// Whether `token` was made by [`login_token`] with `key` and has not expired.
pub fn login_token_valid(key: &[u8; 32], token: &str) -> bool {
    let Some((body, mac_hex)) = token.rsplit_once('.') else {
        return false;
    };
    let Some((nonce, expires)) = body.split_once('.') else {
        return false;
    };
    let (Ok(mac_bytes), Ok(expires)) = (hex::decode(mac_hex), expires.parse::<i64>()) else {
        return false;
    };
    nonce.len() == 32
        && login_mac(key, body).is_some_and(|mac| hmac::Mac::verify_slice(mac, &mac_bytes).is_ok())
        && expires > chrono::Utc::now().timestamp()
}

pub fn now_rfc3339() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

pub use crate::present::links::cookie;

pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age_secs: u64) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{}",
        if state.config.secure_cookies {
            "; Secure"
        } else {
            ""
        }
    )
}

/// Creates a session for `account` and returns the cookie value (the raw token).
pub fn start_session(state: &AppState, account: &str) -> Result<String, ApiError> {
    let token = random_token()?;
    let now = chrono::Utc::now();
    let ttl = chrono::Duration::from_std(state.config.session_ttl).map_err(ApiError::internal)?;
    let mut accounts = state.accounts();
    accounts.purge_sessions(&now_rfc3339())?;
    accounts.create_session(&SessionRow {
        token_hash: token_hash(&token),
        account: account.to_string(),
        csrf: random_token()?,
        created_at: now_rfc3339(),
        expires_at: (now + ttl).format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
    })?;
    Ok(token)
}

/// The caller of a request: signed in, anonymous, or holding a session that is no longer valid.
#[derive(Debug, Clone)]
pub enum Caller {
    Anonymous,
    /// A session cookie that names no live session (expired, signed out, forged).
    Expired,
    Signed(Principal),
}

impl Caller {
    pub fn principal(&self) -> Option<&Principal> {
        match self {
            Self::Signed(p) => Some(p),
            _ => None,
        }
    }

    /// The principal, or the 401 that explains why there is none.
    pub fn require(&self) -> Result<&Principal, ApiError> {
        match self {
            Self::Signed(p) => Ok(p),
            Self::Expired => Err(ApiError::unauthorized(
                "your session has expired or was signed out; sign in again",
            )),
            Self::Anonymous => Err(ApiError::unauthorized(
                "sign in (or send an API token as `Authorization: Bearer …`) to do this",
            )),
        }
    }
}

fn resolve(state: &AppState, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let now = now_rfc3339();
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        let raw = auth.to_str().unwrap_or_default();
        let Some(token) = raw.strip_prefix("Bearer ") else {
            return Err(ApiError::unauthorized(
                "Authorization must be `Bearer <token>`",
            ));
        };
        let accounts = state.accounts();
        let Some(name) = accounts.token_account(&token_hash(token.trim()), &now)? else {
            return Err(ApiError::unauthorized("unknown or expired API token"));
        };
        let account = accounts.account(&name)?.map(|(a, _)| a);
        return Ok(account
            .and_then(|a| Principal::from_account(a, None))
            .map_or(Caller::Expired, Caller::Signed));
    }
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return Ok(Caller::Anonymous);
    };
    let accounts = state.accounts();
    let Some(session) = accounts.session(&token_hash(token))? else {
        return Ok(Caller::Expired);
    };
    if session.expires_at < now {
        return Ok(Caller::Expired);
    }
    let account = accounts.account(&session.account)?.map(|(a, _)| a);
    Ok(account
        .and_then(|a| Principal::from_account(a, Some(session.csrf)))
        .map_or(Caller::Expired, Caller::Signed))
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let has_credentials = parts.headers.contains_key(header::AUTHORIZATION)
            || cookie(&parts.headers, SESSION_COOKIE).is_some();
        if !has_credentials {
            return Ok(Caller::Anonymous);
        }
        let headers = parts.headers.clone();
        let state = state.clone();
        let caller = blocking(move || resolve(&state, &headers)).await?;
        if let Caller::Signed(principal) = &caller {
            check_api_write_by_cookie(parts, principal)?;
        }
        // An error page rendered after this point keeps the signed-in header.
        crate::request_ctx::remember(&caller);
        Ok(caller)
    }
}

/// Header a write to `/api/v1` signed in by the session cookie must carry: the session's CSRF
/// token, as the pages' forms carry it in a field.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A write to the JSON API signed in by the session cookie (not a bearer token) must prove it
/// comes from a page of this site: a form of another site can post `text/plain` or an empty
/// body to `/api/v1/changes/{id}/approve` with the victim's cookie (`SameSite=Strict` does not
/// stop a sibling subdomain), so the session's CSRF token is asked for in [`CSRF_HEADER`].
fn check_api_write_by_cookie(parts: &Parts, principal: &Principal) -> Result<(), ApiError> {
    if principal.csrf.is_none() || parts.method.is_safe() || !parts.uri.path().starts_with("/api/")
    {
        return Ok(());
    }
    let submitted = parts
        .headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    check_csrf(principal, submitted).map_err(|_| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "a write signed in by the session cookie must send the session's security token in the X-CSRF-Token header; programs use an API token (Authorization: Bearer …)",
        )
    })
}

/// Checks a form's CSRF token against the session's.
pub fn check_csrf(principal: &Principal, submitted: &str) -> Result<(), ApiError> {
    match &principal.csrf {
        Some(expected) if same_secret(expected, submitted) => Ok(()),
        _ => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "the form's security token does not match your session; reload the page and try again",
        )),
    }
}

/// Creates or replaces an account (the `aidtrace user add` command), enabling it if it was
/// disabled and ending its sessions: a new password or narrower rights take effect at once.
pub fn add_user(
    accounts: &mut dyn AccountStore,
    account: &Account,
    password: &str,
    cost: PasswordCost,
) -> Result<(), ApiError> {
    if Role::parse(&account.role).is_none() {
        let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        return Err(ApiError::bad_request(
            "invalid_role",
            format!("role {:?} is not one of {}", account.role, roles.join(", ")),
        )
        .with_field("role"));
    }
    if account.name.trim().is_empty() || account.name.len() > 100 {
        return Err(
            ApiError::bad_request("invalid_name", "a name is 1-100 characters").with_field("name"),
        );
    }
    if password.chars().count() < 10 {
        return Err(ApiError::bad_request(
            "weak_password",
            "a password has at least 10 characters",
        )
        .with_field("password"));
    }
    let hash = hash_password(password, cost)?;
    accounts.put_account(account, &hash)?;
    Ok(())
}

/// Creates an API token for an existing account; returns the token, shown once.
pub fn create_token(
    accounts: &mut dyn AccountStore,
    account: &str,
    label: &str,
    valid_days: Option<u32>,
) -> Result<String, ApiError> {
    if accounts.account(account)?.is_none() {
        let why = if accounts.disabled_at(account)?.is_some() {
            format!("account {account:?} is disabled; `aidtrace user add` enables it again")
        } else {
            format!("no account named {account:?}")
        };
        return Err(ApiError::not_found(why).with_field("name"));
    }
    let token = random_token()?;
    let expires = valid_days.map(|d| {
        (chrono::Utc::now() + chrono::Duration::days(i64::from(d)))
            .format("%Y-%m-%dT%H:%M:%S%.6fZ")
            .to_string()
    });
    accounts.create_token(
        &token_hash(&token),
        account,
        label,
        &now_rfc3339(),
        expires.as_deref(),
    )?;
    Ok(token)
}

/// Pages need a signed-in user unless the public view is switched on.
pub fn can_read(state: &AppState, caller: &Caller) -> Result<(), PageError> {
    match caller {
        Caller::Signed(_) => Ok(()),
        Caller::Expired => Err(PageError(ApiError::unauthorized(t("err-session-expired")))),
        Caller::Anonymous if state.config.public_view => Ok(()),
        Caller::Anonymous => Err(PageError(ApiError::unauthorized(t("err-sign-in-needed")))),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn login_tokens_verify_only_with_their_key_unaltered_and_unexpired() {
        let key = [7u8; 32];
        let token = login_token(&key, 60).unwrap();
        assert!(login_token_valid(&key, &token));
        assert!(
            !login_token_valid(&[8u8; 32], &token),
            "another process's key"
        );
        let expired = login_token(&key, -1).unwrap();
        assert!(!login_token_valid(&key, &expired));
        // Any changed character breaks it.
        for i in 0..token.len() {
            let mut bytes = token.clone().into_bytes();
            bytes[i] = if bytes[i] == b'0' { b'1' } else { b'0' };
            let changed = String::from_utf8(bytes).unwrap();
            assert!(
                changed == token || !login_token_valid(&key, &changed),
                "{i}"
            );
        }
        for junk in ["", ".", "..", "a.b.c", &"0".repeat(64)] {
            assert!(!login_token_valid(&key, junk));
        }
    }
}
