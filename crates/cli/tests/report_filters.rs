//! `aidtrace report totals` with the dashboard's filter as flags gives the same figures as
//! `/api/v1/reports/totals` with the same filter as parameters, served by `aidtrace serve` on
//! 127.0.0.1 from the same SQLite file; and both refuse the same bad value.

use std::io::{Read, Write};
use std::net::TcpStream;

use serde_json::Value;

mod kit;
use kit::run;

const FIXTURE: &str = r#"{"records": [
  {"record": "organisation", "id": "org-test-eu", "name": "European Union", "kind": "multilateral", "roles": ["donor"]},
  {"record": "activity", "id": "act-test-split", "title": "Split test activity", "instrument": "technical_cooperation",
   "status": "implementation", "participants": [{"org": "org-test-eu", "role": "funding"}],
   "countries": [{"country": "KZ", "percentage": "60"}, {"country": "UA", "percentage": "40"}],
   "sectors": [{"code": "12191", "percentage": "50"}, {"code": "12220", "percentage": "50"}]},
  {"record": "flow", "id": "f-test-2023", "activity": "act-test-split", "kind": "disbursement",
   "money": {"amount": "1000", "currency": "EUR", "value_date": "2023-05-01"}, "provider": "org-test-eu"},
  {"record": "flow", "id": "f-test-2024", "activity": "act-test-split", "kind": "disbursement",
   "money": {"amount": "2000", "currency": "JPY", "value_date": "2024-05-01"}, "provider": "org-test-eu"},
  {"record": "flow", "id": "f-test-jica", "activity": "act-test-split", "kind": "disbursement",
   "money": {"amount": "300", "currency": "USD", "value_date": "2024-03-01"}, "provider": "org-jica"}
]}"#;

/// One GET over a plain socket: (status, body).
fn get(port: u16, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("status");
    let (head, body) = text.split_once("\r\n\r\n").expect("headers end");
    // The server may answer in chunks; undo that for the JSON.
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        let mut out = String::new();
        let mut rest = body;
        while let Some((size, after)) = rest.split_once("\r\n") {
            let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            if n == 0 {
                break;
            }
            out.push_str(&after[..n]);
            rest = &after[n + 2..];
        }
        out
    } else {
        body.to_string()
    };
    (status, body)
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    assert_eq!(run(dir.path(), &["demo"]).status.code(), Some(0));
    let file = dir.path().join("fixture.json");
    std::fs::write(&file, FIXTURE).expect("fixture");
    let load = run(dir.path(), &["load", file.to_str().expect("path")]);
    assert_eq!(load.status.code(), Some(0), "{load:?}");
    dir
}

/// The figures of a report: key, kind, original sums and converted sum of each row.
fn figures(report: &Value) -> Vec<(String, String, String, String)> {
    report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["key"].to_string(),
                r["kind"].to_string(),
                r["original"].to_string(),
                r["converted"].to_string(),
            )
        })
        .collect()
}

#[test]
fn cli_and_web_give_the_same_figures_for_the_same_filter() {
    let dir = setup();
    let server = kit::serve(dir.path());
    for (flags, query) in [
        (
            vec![
                "--by",
                "recipient",
                "--donor",
                "org-test-eu",
                "--year-from",
                "2024",
            ],
            "by=recipient&donor=org-test-eu&year_from=2024",
        ),
        (
            vec![
                "--by",
                "donor",
                "--sector",
                "122",
                "--currency",
                "EUR",
                "--agencies",
                "false",
            ],
            "by=donor&sector=122&currency=EUR&agencies=false",
        ),
        (
            vec![
                "--by",
                "sector",
                "--recipient",
                "UA",
                "--kind",
                "disbursement",
                "--currency",
                "JPY",
            ],
            "by=sector&recipient=UA&kind=disbursement&currency=JPY",
        ),
    ] {
        let mut args = vec!["report", "totals", "--format", "json"];
        args.extend(flags);
        let out = run(dir.path(), &args);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let cli: Value = serde_json::from_slice(&out.stdout).expect("CLI JSON");
        let (status, body) = get(server.port, &format!("/api/v1/reports/totals?{query}"));
        assert_eq!(status, 200, "{body}");
        let web: Value = serde_json::from_str(&body).expect("web JSON");
        assert!(!figures(&cli).is_empty(), "{query}: some rows");
        assert_eq!(figures(&cli), figures(&web), "{query}");
        assert_eq!(cli["filter"], web["filter"], "{query}");
    }
}

#[test]
fn cli_and_web_refuse_the_same_bad_value() {
    let dir = setup();
    let out = run(
        dir.path(),
        &["report", "totals", "--by", "donor", "--year-from", "20x4"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--year-from \"20x4\""), "{err}");
    let out = run(
        dir.path(),
        &["report", "totals", "--by", "donor", "--donor", "org-nobody"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("org-nobody"));
    let server = kit::serve(dir.path());
    let (status, body) = get(
        server.port,
        "/api/v1/reports/totals?by=donor&year_from=20x4",
    );
    assert_eq!(status, 400);
    assert!(body.contains("\"field\":\"year_from\""), "{body}");
}
