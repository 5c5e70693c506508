//! Test harness: a demo store with one account per role, and one client interface over two
//! transports (in-process `oneshot`, and a real socket on 127.0.0.1:0). The store is SQLite, or
//! PostgreSQL when `AIDTRACE_TEST_BACKEND=postgres` (with `AIDTRACE_TEST_PG` naming a server), as
//! in the service tests' kit.

#![allow(dead_code, clippy::unwrap_used)]

pub mod form_fields;

use std::net::SocketAddr;

use aidtrace_store::pg_testing::TestDatabase;
use aidtrace_store::{Account, AccountStore, StoreUrl};
use aidtrace_web::{AppState, PasswordCost, WebConfig};
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery";
pub const CHEAP: PasswordCost = PasswordCost {
    memory_kib: 1024,
    passes: 1,
};

pub struct Env {
    pub state: AppState,
    /// Where the store is: `web.db` in `dir`, or the test's PostgreSQL database.
    pub db: StoreUrl,
    pub dir: tempfile::TempDir,
    /// The test's PostgreSQL database, when on PostgreSQL; dropped last, after the state's
    /// connections.
    pub database: Option<TestDatabase>,
}

/// Whether this run's web tests use PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var("AIDTRACE_TEST_BACKEND").as_deref() == Ok("postgres")
}

/// A new, empty store on the backend the environment chooses (kept alive by the guard).
pub fn test_store(dir: &tempfile::TempDir) -> (StoreUrl, Option<TestDatabase>) {
    if on_postgres() {
        let database = TestDatabase::create()
            .expect("AIDTRACE_TEST_BACKEND=postgres needs AIDTRACE_TEST_PG naming a server");
        (
            StoreUrl::Postgres(database.url().to_string()),
            Some(database),
        )
    } else {
        (StoreUrl::Sqlite(dir.path().join("web.db")), None)
    }
}

/// (name, role, organisations, facilities)
pub const ACCOUNTS: &[(&str, &str, &[&str], &[&str])] = &[
    ("ada", "admin", &[], &[]),
    ("eve", "editor", &["org-embassy-japan-kz"], &[]),
    ("abe", "approver", &[], &[]),
    (
        "fen",
        "facility_engineer",
        &[],
        &["fac-semey-university-hospital"],
    ),
    ("vic", "viewer", &[], &[]),
];

pub fn env_with(mut config: WebConfig) -> Env {
    // Tests read what they just wrote; a debug build on a busy machine refreshes the read
    // model slowly, so allow it more time to count as cheap (see `read_model`).
    config.read_model_wait = config
        .read_model_wait
        .max(std::time::Duration::from_secs(30));
    let dir = tempfile::tempdir().unwrap();
    let (db, database) = test_store(&dir);
    let state = AppState::open(&db, config).unwrap();
    state.service().load_demo("seed").unwrap();
    let mut accounts = db.open_accounts().unwrap();
    for (name, role, orgs, facs) in ACCOUNTS {
        let account = Account {
            name: (*name).into(),
            role: (*role).into(),
            organisations: orgs.iter().map(|s| (*s).to_string()).collect(),
            facilities: facs.iter().map(|s| (*s).to_string()).collect(),
        };
        aidtrace_web::add_user(&mut *accounts, &account, PASSWORD, CHEAP).unwrap();
    }
    Env {
        state,
        db,
        dir,
        database,
    }
}

pub fn env() -> Env {
    env_with(WebConfig {
        secure_cookies: false,
        ..WebConfig::default()
    })
}

impl Env {
    pub fn token(&self, name: &str) -> String {
        self.with_accounts(|a| aidtrace_web::create_token(a, name, "test", Some(1)).unwrap())
    }

    /// `f` with a connection of its own to the accounts, sessions, tokens and change queue.
    pub fn with_accounts<T>(&self, f: impl FnOnce(&mut dyn AccountStore) -> T) -> T {
        f(&mut *self.db.open_accounts().unwrap())
    }

    /// `f` with the app's service.
    pub fn with_service<T>(&self, f: impl FnOnce(&mut aidtrace_service::Aidtrace) -> T) -> T {
        f(&mut self.state.service())
    }

    pub fn record_count(&self) -> usize {
        self.with_service(|s| s.counts().unwrap().values().sum())
    }
}

#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    pub bytes: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    }
    /// `name=value` of every Set-Cookie, for sending back.
    pub fn cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok()?.split(';').next().map(String::from))
            .collect()
    }
}

/// Either transport.
#[derive(Clone)]
pub enum Client {
    InProcess(AppState),
    Socket(SocketAddr),
}

pub struct Req<'a> {
    pub method: Method,
    pub uri: &'a str,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl<'a> Req<'a> {
    pub fn get(uri: &'a str) -> Self {
        Self {
            method: Method::GET,
            uri,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }
    pub fn new(method: Method, uri: &'a str) -> Self {
        Self {
            method,
            uri,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }
    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.to_string(), v.to_string()));
        self
    }
    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }
    pub fn cookie(self, c: &str) -> Self {
        self.header("cookie", c)
    }
    pub fn json(mut self, v: &serde_json::Value) -> Self {
        self.body = serde_json::to_vec(v).unwrap();
        self.header("content-type", "application/json")
    }
    pub fn raw(mut self, body: &[u8]) -> Self {
        self.body = body.to_vec();
        self.header("content-type", "application/json")
    }
    pub fn form(mut self, fields: &[(&str, &str)]) -> Self {
        let mut s = String::new();
        for (k, v) in fields {
            if !s.is_empty() {
                s.push('&');
            }
            s.push_str(&enc(k));
            s.push('=');
            s.push_str(&enc(v));
        }
        self.body = s.into_bytes();
        self.header("content-type", "application/x-www-form-urlencoded")
    }
}

pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Client {
    pub async fn send(&self, req: Req<'_>) -> Resp {
        match self {
            Client::InProcess(state) => {
                let mut b = Request::builder().method(req.method).uri(req.uri);
                for (k, v) in &req.headers {
                    b = b.header(k, v);
                }
                let resp = aidtrace_web::app(state.clone())
                    .oneshot(b.body(Body::from(req.body)).unwrap())
                    .await
                    .unwrap();
                let status = resp.status();
                let headers = resp.headers().clone();
                let bytes = resp
                    .into_body()
                    .collect()
                    .await
                    .unwrap()
                    .to_bytes()
                    .to_vec();
                Resp {
                    status,
                    headers,
                    body: String::from_utf8_lossy(&bytes).into_owned(),
                    bytes,
                }
            }
            Client::Socket(addr) => raw_http(*addr, req).await,
        }
    }

    pub async fn get(&self, uri: &str) -> Resp {
        self.send(Req::get(uri)).await
    }
}

/// A deliberately small HTTP/1.1 client: one request per connection, `Connection: close`.
async fn raw_http(addr: SocketAddr, req: Req<'_>) -> Resp {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        req.method,
        req.uri,
        req.body.len()
    );
    for (k, v) in &req.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&req.body).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut body = raw[split + 4..].to_vec();
    let mut lines = head.lines();
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let mut headers = HeaderMap::new();
    for line in lines {
        if let Some((k, v)) = line.split_once(':') {
            headers.append(
                header::HeaderName::from_bytes(k.trim().as_bytes()).unwrap(),
                v.trim().parse().unwrap(),
            );
        }
    }
    if headers
        .get(header::TRANSFER_ENCODING)
        .is_some_and(|v| v == "chunked")
    {
        body = dechunk(&body);
    }
    Resp {
        status: StatusCode::from_u16(status).unwrap(),
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        bytes: body,
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = b.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&b[..line_end]).unwrap().trim(), 16).unwrap();
        b = &b[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&b[..size]);
        b = &b[size + 2..];
    }
}

/// Starts the app on 127.0.0.1:0, through the server's own loop (timeouts, connection cap,
/// client addresses), and returns its address.
pub async fn spawn(state: AppState) -> SocketAddr {
    aidtrace_web::server::spawn_on_loopback(state)
        .await
        .unwrap()
}

/// Signs in through the login form; returns the session cookie and the session's CSRF token.
pub async fn login(client: &Client, name: &str) -> (String, String) {
    let form = client.get("/login").await;
    let login_cookie = form.cookies().into_iter().next().unwrap();
    let token = hidden_csrf(&form.body);
    let resp = client
        .send(
            Req::new(Method::POST, "/login")
                .cookie(&login_cookie)
                .form(&[("name", name), ("password", PASSWORD), ("csrf", &token)]),
        )
        .await;
    assert_eq!(
        resp.status,
        StatusCode::SEE_OTHER,
        "login {name}: {}",
        resp.body
    );
    let session = resp
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("aidtrace_session=") && c.len() > 20)
        .unwrap();
    let page = client.send(Req::get("/changes").cookie(&session)).await;
    assert_eq!(page.status, StatusCode::OK);
    (session, hidden_csrf(&page.body))
}

pub fn hidden_csrf(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    html[at..].split('"').next().unwrap().to_string()
}

/// The reference data beside the repository (or `AIDTRACE_SHARED`); `None` (test skipped with a
/// note) only outside CI, since under `CI=true` a missing copy must fail the test.
pub fn shared() -> Option<std::path::PathBuf> {
    let path = std::env::var("AIDTRACE_SHARED")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| {
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
        });
    if path.join("iati").is_dir() {
        return Some(path);
    }
    assert!(
        std::env::var("CI").is_err(),
        "{} is missing under CI",
        path.display()
    );
    eprintln!("skipped: {} not found", path.display());
    None
}

/// An editor of the embassy proposes, through the API, a disbursement on the Semey activity
/// several times its commitment.
pub async fn propose_overspend(e: &Env, c: &Client) -> i64 {
    let flow = serde_json::json!({"record": "flow", "id": "flow-review-overspend", "activity": "act-kz-semey-equipment",
        "kind": "disbursement", "money": {"amount": "500000000", "currency": "JPY", "value_date": "2024-06-01"},
        "provider": "org-gov-japan"});
    let r = c
        .send(
            Req::new(Method::PUT, "/api/v1/flows/flow-review-overspend")
                .bearer(&e.token("eve"))
                .json(&flow),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    r.json()["change"].as_i64().expect("change id")
}
