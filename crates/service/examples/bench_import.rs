//! IATI import throughput into SQLite over the real d-portal pages (run by hand, release):
//!
//! `cargo run --release -p aidtrace-service --example bench_import -- [ROUNDS] [--concat N]`
//! (`--concat N`: the pages' activities written N times into one file, see bench_iati;
//! `--fresh-only`: only the import into a fresh store, for a profiler).
//!
//! Each round imports all 98 pages into a fresh store (parse, three validation layers,
//! mapping, audited writes), then imports them again into the same store (the idempotent
//! re-import: every activity is compared and left unchanged). `xmllint --noout --schema`
//! runs on the same files in the same run, as the reference speed.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use aidtrace_service::Aidtrace;
use aidtrace_service::iati::ImportOptions;

// As in the product binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

// The IATI benchmarks' shared helpers (real pages, `--concat N`, CPU clocks).
#[path = "../../iati/examples/bench_common/mod.rs"]
mod bench_common;
use bench_common::{cpu_seconds, inputs, peak_rss_mib, rounds_arg, shared};

fn import_all(
    app: &mut Aidtrace,
    files: &[PathBuf],
) -> Result<(usize, usize), Box<dyn std::error::Error>> {
    let reports =
        app.import_iati_files("bench", files, ImportOptions::default(), &mut |_, _, _| {})?;
    Ok(reports.iter().fold((0, 0), |(a, c), r| {
        (
            a + r.layers.activities,
            c + r.records_created + r.records_updated,
        )
    }))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rounds = rounds_arg(3);
    let tmp = tempfile::tempdir()?;
    let files = inputs(tmp.path())?;
    let mb = files
        .iter()
        .map(|f| std::fs::metadata(f).map_or(0, |m| m.len()))
        .sum::<u64>() as f64
        / 1e6;
    println!(
        "{} files, {mb:.1} MB per round, {rounds} rounds",
        files.len()
    );
    let fresh_only = std::env::args().any(|a| a == "--fresh-only");
    let (mut fresh_wall, mut fresh_cpu, mut again_wall, mut again_cpu) = (0.0, 0.0, 0.0, 0.0);
    for round in 0..rounds {
        let mut app = Aidtrace::open_sqlite(&tmp.path().join(format!("round-{round}.db")))?;
        let (c0, _) = cpu_seconds();
        let t = Instant::now();
        let (acts, changed) = import_all(&mut app, &files)?;
        let wall = t.elapsed().as_secs_f64();
        fresh_wall += wall;
        let (c1, _) = cpu_seconds();
        fresh_cpu += c1 - c0;
        if fresh_only {
            println!(
                "{acts} activities, {changed} records written: {:.1} MB/s wall, {:.1} MB/s CPU",
                mb / wall,
                mb / (c1 - c0)
            );
            continue;
        }
        let t = Instant::now();
        let (_, changed_again) = import_all(&mut app, &files)?;
        again_wall += t.elapsed().as_secs_f64();
        again_cpu += cpu_seconds().0 - c1;
        if round == 0 {
            println!(
                "{acts} activities, {changed} records written; re-import changed {changed_again}"
            );
        }
    }
    if fresh_only {
        return Ok(());
    }
    let total = mb * rounds as f64;
    println!(
        "import into a fresh store: {:7.1} MB/s wall, {:7.1} MB/s CPU",
        total / fresh_wall,
        total / fresh_cpu
    );
    println!(
        "re-import (idempotent):    {:7.1} MB/s wall, {:7.1} MB/s CPU",
        total / again_wall,
        total / again_cpu
    );
    // Before xmllint runs: a child's memory is not counted here anyway, but the figure should
    // be the import's alone.
    println!("peak memory of the process: {:.0} MiB", peak_rss_mib());
    let xsd = shared().join("iati/schemas/iati-activities-schema.xsd");
    let (_, ch0) = cpu_seconds();
    let t = Instant::now();
    for _ in 0..rounds {
        if let Err(e) = Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(&xsd)
            .args(&files)
            .output()
        {
            println!("xmllint not available ({e}); install libxml2-utils for the comparison");
            return Ok(());
        }
    }
    let x = total / t.elapsed().as_secs_f64();
    let x_cpu = total / (cpu_seconds().1 - ch0);
    println!("xmllint --schema (reference): {x:7.1} MB/s wall, {x_cpu:7.1} MB/s CPU");
    println!(
        "ratio import / xmllint: {:.2}x wall",
        (total / fresh_wall) / x
    );
    Ok(())
}
