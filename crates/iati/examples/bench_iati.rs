//! Throughput benchmark over the real d-portal pages (run by hand, release build):
//!
//! `cargo run --release -p aidtrace-iati --example bench_iati -- [ROUNDS]`
//!
//! Measures MB/s for (a) streaming parse into the model, (b) parse + schema + codelists +
//! rules on one thread and (b′) on all cores (each file cut into chunks of whole activities,
//! as `aidtrace iati validate` does), and (c) `xmllint --noout --schema
//! iati-activities-schema.xsd` on the same files, if xmllint is installed. Every round reads
//! all files from disk (page cache warm). The import into SQLite is measured by
//! `cargo run --release -p aidtrace-service --example bench_import`.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use aidtrace_iati::reader::ActivityReader;
use aidtrace_iati::validate::{Options, validate_stream};

// The product binary uses mimalloc too: per-activity trees make many small allocations.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn shared() -> PathBuf {
    std::env::var("AIDTRACE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")))
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |k| k / 1024.0)
}

/// (own user+system CPU seconds, waited-for children's CPU seconds) from /proc/self/stat.
/// Under a loaded machine CPU time is steadier than wall time; both are printed.
fn cpu_seconds() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = after
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    // Fields 14..17 of stat (utime stime cutime cstime) are 11..14 after the command name.
    let tick = 100.0;
    let g = |i: usize| f.get(i).copied().unwrap_or(0.0) / tick;
    (g(11) + g(12), g(13) + g(14))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let dir = shared().join("iati/real-data/dportal-covid-2021");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    files.sort();
    let bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0))
        .sum();
    let mb = bytes as f64 / 1e6;
    println!(
        "{} files, {:.1} MB per round, {rounds} rounds",
        files.len(),
        mb
    );

    let total = mb * rounds as f64;
    let (c0, _) = cpu_seconds();
    let t = Instant::now();
    let (mut acts, mut txs) = (0usize, 0usize);
    for _ in 0..rounds {
        for f in &files {
            let mut r = ActivityReader::new(BufReader::with_capacity(256 * 1024, File::open(f)?));
            while let Some((a, _, _)) = r.next_activity()? {
                acts += 1;
                txs += a.transactions.len();
            }
        }
    }
    let parse = t.elapsed().as_secs_f64();
    let (c1, _) = cpu_seconds();
    println!(
        "parse:            {:7.1} MB/s wall, {:7.1} MB/s CPU  ({acts} activities, {txs} transactions, {parse:.2} s)",
        total / parse,
        total / (c1 - c0)
    );

    let opts = Options::default();
    let t = Instant::now();
    let (mut n, mut schema_ok, mut all_ok) = (0usize, 0usize, 0usize);
    for _ in 0..rounds {
        for f in &files {
            let input = BufReader::with_capacity(256 * 1024, File::open(f)?);
            validate_stream(&f.display().to_string(), input, &opts, |a| {
                n += 1;
                schema_ok += usize::from(a.schema_valid);
                all_ok += usize::from(a.valid());
            });
        }
    }
    let val = t.elapsed().as_secs_f64();
    let (c2, ch0) = cpu_seconds();
    let val_cpu = total / (c2 - c1);
    println!(
        "parse+validate:   {:7.1} MB/s wall, {val_cpu:7.1} MB/s CPU  ({n} activities, {schema_ok} schema-valid, {all_ok} valid in all three layers, {val:.2} s)",
        total / val
    );
    println!("peak RSS:         {:7.1} MiB", peak_rss_mib());

    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let t = Instant::now();
    for _ in 0..rounds {
        for r in aidtrace_iati::validate::validate_files(&files, &opts, threads) {
            r?;
        }
    }
    let par = t.elapsed().as_secs_f64();
    println!(
        "parse+validate on {threads} threads: {:7.1} MB/s wall ({par:.2} s)",
        total / par
    );

    let xsd = shared().join("iati/schemas/iati-activities-schema.xsd");
    let t = Instant::now();
    let mut ok = true;
    for _ in 0..rounds {
        match Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(&xsd)
            .args(&files)
            .output()
        {
            Ok(_) => {}
            Err(e) => {
                println!("xmllint not available ({e}); install libxml2-utils for the comparison");
                ok = false;
                break;
            }
        }
    }
    if ok {
        let x = t.elapsed().as_secs_f64();
        let (_, ch1) = cpu_seconds();
        let xr = total / x;
        let x_cpu = total / (ch1 - ch0);
        println!("xmllint --schema: {xr:7.1} MB/s wall, {x_cpu:7.1} MB/s CPU  ({x:.2} s)");
        println!(
            "ratio parse+validate / xmllint: {:.1}x wall, {:.1}x CPU (one thread)",
            (total / val) / xr,
            val_cpu / x_cpu
        );
        println!(
            "ratio parse+validate on {threads} threads / xmllint: {:.1}x wall (what `aidtrace iati validate` does)",
            (total / par) / xr
        );
    }
    Ok(())
}
