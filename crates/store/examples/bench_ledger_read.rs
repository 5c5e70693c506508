//! The whole-ledger read (`Store::ledger`, what the web read model starts from) of an existing
//! store, beside the same records read kind by kind and decoded on one thread (the trait's
//! default, which the PostgreSQL store used before `decode::LedgerDecoder`).
//!
//! cargo run --release -p aidtrace-store --example bench_ledger_read -- DB_URL [ROUNDS] [WAY]
//!
//! DB_URL is a path, `sqlite://…` or `postgres://…`, as `--db` takes. Wall and process CPU time
//! per round; on a shared machine compare CPU, and the two ways within one run. WAY `ledger` or
//! `lists` runs only that one, so the process's peak RSS (`/usr/bin/time -v`) is that way's.

use std::time::Instant;

use aidtrace_domain::{Ledger, RecordKind};
use aidtrace_store::{Store, StoreUrl};

/// User + system CPU time of this process so far, in seconds (Linux: /proc/self/stat, in ticks
/// of 1/100 s, the kernel's USER_HZ on every Linux this runs on).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

fn timed(label: &str, read: impl FnOnce() -> Ledger) {
    let (wall, cpu) = (Instant::now(), cpu_seconds());
    let ledger = read();
    println!(
        "{label}: {:.2} s wall, {:.2} s CPU ({} activities, {} flows)",
        wall.elapsed().as_secs_f64(),
        cpu_seconds() - cpu,
        ledger.activities.len(),
        ledger.flows.len()
    );
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(url) = args.next() else {
        eprintln!("usage: bench_ledger_read DB_URL [ROUNDS]");
        std::process::exit(2);
    };
    let rounds: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(2);
    let way = args.next().unwrap_or_default();
    let (ledger_way, lists_way) = (way != "lists", way != "ledger");
    let store = match url.parse::<StoreUrl>().and_then(|u| u.open()) {
        Ok(store) => store,
        Err(e) => {
            eprintln!("{url}: {e}");
            std::process::exit(1);
        }
    };
    let read = |f: &dyn Fn(&dyn Store) -> aidtrace_store::StoreResult<Ledger>| {
        f(&*store).unwrap_or_else(|e| {
            eprintln!("read failed: {e}");
            std::process::exit(1)
        })
    };
    for round in 1..=rounds {
        if ledger_way {
            timed(&format!("round {round}, Store::ledger"), || {
                read(&|s| s.ledger())
            });
        }
        if !lists_way {
            continue;
        }
        timed(
            &format!("round {round}, kind by kind on one thread"),
            || {
                read(&|s| {
                    let mut records = Vec::new();
                    for kind in RecordKind::ALL {
                        records.extend(s.list(kind)?);
                    }
                    Ok(Ledger::from_records(records))
                })
            },
        );
    }
}
