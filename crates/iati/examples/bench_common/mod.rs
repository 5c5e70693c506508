//! What the IATI benchmarks share (also included by `crates/service/examples/bench_import.rs`):
//! where the real pages are, the input as the issue describes it, and CPU clocks.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

pub fn shared() -> PathBuf {
    std::env::var("AIDTRACE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")))
}

/// The 98 d-portal pages, sorted.
pub fn real_pages() -> std::io::Result<Vec<PathBuf>> {
    let dir = shared().join("iati/real-data/dportal-covid-2021");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    files.sort();
    Ok(files)
}

/// `--concat N` on the command line: the pages' activities written `N` times into one file
/// (the first page's prologue and root), as one large published file would be.
pub fn concat_arg() -> Option<usize> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == "--concat")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
}

/// The first number on the command line that is not `--concat`'s.
pub fn rounds_arg(default: usize) -> usize {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut skip_next = false;
    for a in &args {
        if skip_next {
            skip_next = false;
            continue;
        }
        if a == "--concat" {
            skip_next = true;
            continue;
        }
        if let Ok(n) = a.parse() {
            return n;
        }
    }
    default
}

pub fn concatenate(pages: &[PathBuf], times: usize, out: &Path) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::new(std::fs::File::create(out)?);
    let root_end = |t: &str| {
        t.find("<iati-activities")
            .and_then(|i| t[i..].find('>').map(|j| i + j + 1))
            .unwrap_or(0)
    };
    // Page by page, so the benchmark's own memory stays that of one page.
    for round in 0..times {
        for (i, page) in pages.iter().enumerate() {
            let t = std::fs::read_to_string(page)?;
            let start = root_end(&t);
            if round == 0 && i == 0 {
                w.write_all(&t.as_bytes()[..start])?;
            }
            let end = t.rfind("</iati-activities>").unwrap_or(t.len());
            w.write_all(&t.as_bytes()[start..end])?;
        }
    }
    w.write_all(b"</iati-activities>\n")?;
    w.flush()
}

/// The files to measure: the pages as published, or with `--concat N` one concatenated file
/// in `tmp`.
pub fn inputs(tmp: &Path) -> std::io::Result<Vec<PathBuf>> {
    let pages = real_pages()?;
    match concat_arg() {
        Some(n) => {
            let out = tmp.join(format!("dportal-concatenated-{n}x.xml"));
            concatenate(&pages, n, &out)?;
            Ok(vec![out])
        }
        None => Ok(pages),
    }
}

pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |k| k / 1024.0)
}

/// (own user+system CPU seconds, waited-for children's) from /proc/self/stat: steadier than
/// wall time when the machine is shared.
pub fn cpu_seconds() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = after
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    // Fields 14..17 of stat (utime stime cutime cstime) are 11..14 after the command name.
    let g = |i: usize| f.get(i).copied().unwrap_or(0.0) / 100.0;
    (g(11) + g(12), g(13) + g(14))
}
