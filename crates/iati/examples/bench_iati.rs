//! Throughput benchmark over the real d-portal pages (run by hand, release build):
//!
//! `cargo run --release -p aidtrace-iati --example bench_iati -- [ROUNDS] [--concat N]`
//!
//! With `--concat N` the pages' activities are first written N times into one file, as the
//! issue describes the input ("concatenated several times"); without it the 98 pages are read
//! as published (1.3 MB each).
//!
//! Measures MB/s for (a) streaming parse into the model, (b) parse + schema + codelists +
//! rules on one thread and (b′) on all cores, with the findings grouped as `aidtrace iati
//! validate` reports them (whole files spread over the threads, or each file cut into chunks of
//! whole activities), and (c) `xmllint --noout --schema
//! iati-activities-schema.xsd` on the same files, if xmllint is installed. Every round reads
//! all files from disk (page cache warm). The import into SQLite is measured by
//! `cargo run --release -p aidtrace-service --example bench_import`.

use std::fs::File;
use std::io::BufReader;
use std::process::Command;
use std::time::Instant;

use aidtrace_iati::grouped::FileEvent;
use aidtrace_iati::reader::ActivityReader;
use aidtrace_iati::validate::{Options, validate_stream};

// The product binary uses mimalloc too: per-activity trees make many small allocations.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod bench_common;
use bench_common::{cpu_seconds, inputs, peak_rss_mib, rounds_arg, shared};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rounds = rounds_arg(3);
    let tmp = std::env::temp_dir().join(format!("aidtrace-bench-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let files = inputs(&tmp)?;
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
    let mut groups = 0usize;
    for _ in 0..rounds {
        // What `aidtrace iati validate` runs: grouped reports handed out file by file (the
        // command writes each one out; here they are counted and dropped).
        aidtrace_iati::grouped::validate_files_grouped(&files, &opts, threads, |_, event| {
            match event {
                FileEvent::Activity(a) => groups += a.errors.len(),
                FileEvent::Done(r) => groups += r?.file_errors.len(),
            }
            Ok(())
        })?;
    }
    let par = t.elapsed().as_secs_f64();
    println!(
        "parse+validate on {threads} threads: {:7.1} MB/s wall ({par:.2} s, {groups} finding groups); peak RSS {:.1} MiB",
        total / par,
        peak_rss_mib()
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
    std::fs::remove_dir_all(&tmp).ok();
    Ok(())
}
