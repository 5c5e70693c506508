//! Resident size of the web read model, step by step (issue #13's memory work). With the system
//! allocator, so `heaptrack` can run it and say which allocations each step keeps:
//!   heaptrack target/release/examples/mem_probe STORE
//!   cargo run --release -p aidtrace-web --example mem_probe -- STORE
use aidtrace_store::StoreUrl;
use aidtrace_web::WebConfig;
use aidtrace_web::state::Snapshot;

/// VmRSS in kB, from `/proc/self/status`.
fn rss() -> i64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn live(step: &str, since: i64) -> i64 {
    let now = rss();
    eprintln!(
        "{step:<28} VmRSS {:>8.1} MB (+{:.1} MB)",
        now as f64 / 1e3,
        (now - since) as f64 / 1e3
    );
    now
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let db: StoreUrl = std::env::args().nth(1).ok_or("STORE")?.parse()?;
    let start = live("start", 0);
    let service = aidtrace_service::Aidtrace::open(&db)?;
    let opened = live("service open", start);
    let ledger = service.ledger()?;
    let loaded = live("ledger", opened);
    let config = WebConfig::default();
    let snap = Snapshot::of_ledger(&service, &config, ledger, 1).map_err(|e| format!("{e:?}"))?;
    let built = live("snapshot (ledger + reports)", loaded);
    if std::env::var_os("MEM_PROBE_KEEP").is_some() {
        // Under heaptrack: what the snapshot holds shows as "leaked", by allocation site.
        std::mem::forget(snap);
        return Ok(());
    }
    let Snapshot {
        ledger,
        findings,
        by_activity,
        figures_acc,
        ..
    } = snap;
    let before = live("  (drop the rest)", built);
    drop(findings);
    let after = live("  findings", before);
    drop(by_activity);
    let after2 = live("  by_activity", after);
    drop(figures_acc);
    let after3 = live("  figures_acc", after2);
    drop(ledger);
    live("  ledger", after3);
    Ok(())
}
