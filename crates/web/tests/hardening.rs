//! Issue #12 hardening, over real sockets where the defect was found that way: sign-in cannot
//! be used to exhaust memory (bounded hashing, per-address limits), account changes end
//! sessions, half-sent requests and idle connections are closed, the connection cap holds, and
//! the sign-in form's token must be one the server signed.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use aidtrace_store::Account;
use aidtrace_web::WebConfig;
use axum::http::{Method, StatusCode};
use common::{Client, Req, env_with, login};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn config() -> WebConfig {
    WebConfig {
        secure_cookies: false,
        ..WebConfig::default()
    }
}

/// A sign-in attempt with a fresh form; returns the response.
async fn attempt(c: &Client, name: &str, password: &str, extra: &[(&str, &str)]) -> common::Resp {
    let form = c.get("/login").await;
    let cookie = form.cookies().into_iter().next().unwrap();
    let token = common::hidden_csrf(&form.body);
    let mut req = Req::new(Method::POST, "/login").cookie(&cookie);
    for (k, v) in extra {
        req = req.header(k, v);
    }
    c.send(req.form(&[("name", name), ("password", password), ("csrf", &token)]))
        .await
}

/// 16 anonymous clients at once with unknown names: one hash runs, one waits, the others get
/// 503 with Retry-After without waiting for a hash, and only one hash buffer ever exists.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_logins_are_bounded_and_the_excess_is_refused_quickly() {
    let e = env_with(WebConfig {
        max_concurrent_hashes: 1,
        login_attempts_per_minute: 1000,
        login_attempts_per_address_per_minute: 1000,
        ..config()
    });
    let c = Client::Socket(common::spawn(e.state.clone()).await);
    // Forms first, so the attempts below start together.
    let mut forms = Vec::new();
    for _ in 0..16 {
        let form = c.get("/login").await;
        forms.push((
            form.cookies().into_iter().next().unwrap(),
            common::hidden_csrf(&form.body),
        ));
    }
    let tasks: Vec<_> = forms
        .into_iter()
        .enumerate()
        .map(|(i, (cookie, token))| {
            let c = c.clone();
            tokio::spawn(async move {
                let started = Instant::now();
                let name = format!("nobody-{i}");
                let r = c
                    .send(Req::new(Method::POST, "/login").cookie(&cookie).form(&[
                        ("name", &name),
                        ("password", "some password"),
                        ("csrf", &token),
                    ]))
                    .await;
                (r, started.elapsed())
            })
        })
        .collect();
    let mut busy = 0;
    for t in tasks {
        let (r, took) = t.await.unwrap();
        match r.status {
            StatusCode::UNAUTHORIZED => {}
            StatusCode::SERVICE_UNAVAILABLE => {
                busy += 1;
                assert_eq!(r.header("retry-after"), "1");
                assert!(took < Duration::from_secs(2), "503 took {took:?}");
            }
            other => panic!("unexpected {other}: {}", r.body),
        }
    }
    assert!(busy >= 8, "only {busy} of 16 were turned away");
    assert!(e.state.login_guard.buffers() <= 1);
}

/// Different names from one address share the address's allowance.
#[tokio::test]
async fn attempts_are_limited_per_client_address() {
    let e = env_with(WebConfig {
        login_attempts_per_address_per_minute: 3,
        ..config()
    });
    let c = Client::Socket(common::spawn(e.state.clone()).await);
    let mut statuses = Vec::new();
    for name in ["a1", "a2", "a3", "a4"] {
        let r = attempt(&c, name, "wrong password", &[]).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            assert!(r.header("retry-after").parse::<u64>().unwrap() >= 1);
        }
        statuses.push(r.status.as_u16());
    }
    assert_eq!(statuses, [401, 401, 401, 429]);
}

/// `X-Forwarded-For` names the client only when the peer is a configured proxy.
#[tokio::test]
async fn forwarded_for_is_used_only_from_a_trusted_proxy() {
    let limited = WebConfig {
        login_attempts_per_address_per_minute: 1,
        ..config()
    };
    // Untrusted: the header is ignored, both attempts count against 127.0.0.1.
    let e = env_with(limited.clone());
    let c = Client::Socket(common::spawn(e.state.clone()).await);
    let first = attempt(&c, "n1", "x", &[("x-forwarded-for", "203.0.113.1")]).await;
    let second = attempt(&c, "n2", "x", &[("x-forwarded-for", "203.0.113.2")]).await;
    assert_eq!(
        (first.status, second.status),
        (StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS)
    );
    // Trusted proxy on 127.0.0.1: two clients behind it are counted apart.
    let e = env_with(WebConfig {
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..limited
    });
    let c = Client::Socket(common::spawn(e.state.clone()).await);
    for client in ["203.0.113.1", "203.0.113.2"] {
        let r = attempt(&c, client, "x", &[("x-forwarded-for", client)]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{client}");
    }
    let again = attempt(&c, "n3", "x", &[("x-forwarded-for", "203.0.113.1")]).await;
    assert_eq!(again.status, StatusCode::TOO_MANY_REQUESTS);
}

/// A cookie and form field made up by the client, even matching, sign nobody in; nor does a
/// real token with its expiry changed.
#[tokio::test]
async fn a_self_made_login_token_pair_is_refused() {
    let e = env_with(config());
    let c = Client::InProcess(e.state.clone());
    let made_up = "0123456789abcdef0123456789abcdef";
    let r = c
        .send(
            Req::new(Method::POST, "/login")
                .cookie(&format!("aidtrace_login_csrf={made_up}"))
                .form(&[
                    ("name", "ada"),
                    ("password", common::PASSWORD),
                    ("csrf", made_up),
                ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let real = common::hidden_csrf(&c.get("/login").await.body);
    let (nonce, rest) = real.split_once('.').unwrap();
    let (_, mac) = rest.split_once('.').unwrap();
    let later = format!("{nonce}.99999999999.{mac}");
    let r = c
        .send(
            Req::new(Method::POST, "/login")
                .cookie(&format!("aidtrace_login_csrf={later}"))
                .form(&[
                    ("name", "ada"),
                    ("password", common::PASSWORD),
                    ("csrf", &later),
                ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The real pair works.
    let r = attempt(&c, "ada", common::PASSWORD, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

/// Replacing the password (what `aidtrace user add` does) ends the account's sessions; the
/// old password no longer signs in and the new one does.
#[tokio::test]
async fn a_new_password_ends_the_accounts_sessions() {
    let e = env_with(config());
    let c = Client::InProcess(e.state.clone());
    let (session, _) = login(&c, "vic").await;
    let (other, _) = login(&c, "eve").await;
    let vic = Account {
        name: "vic".into(),
        role: "viewer".into(),
        organisations: vec![],
        facilities: vec![],
    };
    e.with_accounts(|a| {
        aidtrace_web::add_user(a, &vic, "a brand new password", common::CHEAP).unwrap()
    });
    let r = c.send(Req::get("/changes").cookie(&session)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = c.send(Req::get("/changes").cookie(&other)).await;
    assert_eq!(r.status, StatusCode::OK, "other accounts keep theirs");
    let old = attempt(&c, "vic", common::PASSWORD, &[]).await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    let new = attempt(&c, "vic", "a brand new password", &[]).await;
    assert_eq!(new.status, StatusCode::SEE_OTHER);
}

/// A role change ends the sessions made under the old role too.
#[tokio::test]
async fn a_role_change_ends_the_accounts_sessions() {
    let e = env_with(config());
    let c = Client::InProcess(e.state.clone());
    let (session, _) = login(&c, "eve").await;
    let eve = Account {
        name: "eve".into(),
        role: "viewer".into(),
        organisations: vec![],
        facilities: vec![],
    };
    e.with_accounts(|a| aidtrace_web::add_user(a, &eve, common::PASSWORD, common::CHEAP).unwrap());
    let r = c.send(Req::get("/changes").cookie(&session)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

/// Disabling ends sessions and tokens, and the right password no longer signs in.
#[tokio::test]
async fn a_disabled_account_loses_sessions_tokens_and_sign_in() {
    let e = env_with(config());
    let c = Client::InProcess(e.state.clone());
    let (session, _) = login(&c, "abe").await;
    let token = e.token("abe");
    assert_eq!(
        c.send(Req::get("/api/v1/changes").bearer(&token))
            .await
            .status,
        StatusCode::OK
    );
    let done = e.with_accounts(|a| {
        a.disable_account("abe", "2026-01-01T00:00:00Z")
            .unwrap()
            .unwrap()
    });
    assert_eq!((done.sessions, done.tokens), (1, 1));
    assert_eq!(
        c.send(Req::get("/changes").cookie(&session)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        c.send(Req::get("/api/v1/changes").bearer(&token))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let r = attempt(&c, "abe", common::PASSWORD, &[]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let refused = e.with_accounts(|a| aidtrace_web::create_token(a, "abe", "x", None).unwrap_err());
    assert!(refused.message.contains("disabled"), "{}", refused.message);
}

/// Reads until the server closes the connection; returns what it sent and how long it took.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (Vec<u8>, Duration) {
    let started = Instant::now();
    let mut got = Vec::new();
    let _ = tokio::time::timeout(limit, stream.read_to_end(&mut got))
        .await
        .unwrap_or_else(|_| panic!("still open after {limit:?}"));
    (got, started.elapsed())
}

fn short_timeouts() -> WebConfig {
    WebConfig {
        header_read_timeout: Duration::from_millis(400),
        idle_timeout: Duration::from_millis(400),
        ..config()
    }
}

/// A connection that sends half its headers is closed after the header-read timeout.
#[tokio::test]
async fn a_half_sent_header_is_closed_after_the_timeout() {
    let e = env_with(short_timeouts());
    let addr = common::spawn(e.state.clone()).await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    let (_, took) = read_until_closed(&mut s, Duration::from_secs(5)).await;
    assert!(
        took >= Duration::from_millis(300),
        "closed too soon: {took:?}"
    );
}

/// A kept-alive connection that sends no further request is closed too.
#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed() {
    let e = env_with(short_timeouts());
    let addr = common::spawn(e.state.clone()).await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /static/app.css HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let (got, _) = read_until_closed(&mut s, Duration::from_secs(5)).await;
    assert!(String::from_utf8_lossy(&got).starts_with("HTTP/1.1 200"));
}

/// A request body that stops arriving ends the request and the connection.
#[tokio::test]
async fn a_stalled_request_body_is_cut_off() {
    let e = env_with(short_timeouts());
    let addr = common::spawn(e.state.clone()).await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(
        b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nname=a",
    )
    .await
    .unwrap();
    let (got, _) = read_until_closed(&mut s, Duration::from_secs(5)).await;
    let head = String::from_utf8_lossy(&got);
    assert!(head.is_empty() || head.starts_with("HTTP/1.1 4"), "{head}");
}

/// At the connection cap a new connection waits until one ends, then is served.
#[tokio::test]
async fn the_connection_cap_holds_new_connections_until_one_ends() {
    let e = env_with(WebConfig {
        max_connections: 1,
        header_read_timeout: Duration::from_millis(800),
        ..config()
    });
    let addr = common::spawn(e.state.clone()).await;
    let mut hog = TcpStream::connect(addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let mut next = TcpStream::connect(addr).await.unwrap();
    next.write_all(b"GET /static/app.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut peek = [0u8; 1];
    let early = tokio::time::timeout(Duration::from_millis(300), next.peek(&mut peek)).await;
    assert!(early.is_err(), "served while the cap was reached");
    let (got, _) = read_until_closed(&mut next, Duration::from_secs(5)).await;
    assert!(String::from_utf8_lossy(&got).starts_with("HTTP/1.1 200"));
    assert!(started.elapsed() >= Duration::from_millis(600));
    let (_, _) = read_until_closed(&mut hog, Duration::from_secs(1)).await;
}

/// One address cannot hold more than its share of connections: the next is closed at once,
/// long before the header timeout, and other work goes on.
#[tokio::test]
async fn one_address_cannot_take_every_connection() {
    let e = env_with(WebConfig {
        max_connections_per_address: 2,
        header_read_timeout: Duration::from_secs(30),
        ..config()
    });
    let addr = common::spawn(e.state.clone()).await;
    let _a = TcpStream::connect(addr).await.unwrap();
    let _b = TcpStream::connect(addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut third = TcpStream::connect(addr).await.unwrap();
    let (got, _) = read_until_closed(&mut third, Duration::from_secs(2)).await;
    assert!(got.is_empty());
    drop((_a, _b));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let c = Client::Socket(addr);
    assert_eq!(c.get("/static/app.css").await.status, StatusCode::OK);
}
