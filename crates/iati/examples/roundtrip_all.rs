//! Round trip over every real file: parse → write → parse must give the same model.
//!
//! `cargo run --release -p aidtrace-iati --example roundtrip_all`

use std::path::{Path, PathBuf};

use aidtrace_iati::reader::ActivityReader;
use aidtrace_iati::writer::write_activities;

fn shared() -> PathBuf {
    std::env::var("AIDTRACE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")))
}

fn walk(p: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for e in std::fs::read_dir(p)? {
        let p = e?.path();
        if p.is_dir() {
            walk(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "xml") {
            out.push(p);
        }
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut files = Vec::new();
    walk(&shared().join("iati/real-data"), &mut files)?;
    files.sort();
    let (mut n, mut bad) = (0usize, 0usize);
    for f in &files {
        let bytes = std::fs::read(f)?;
        let mut r = ActivityReader::new(bytes.as_slice());
        let first: Vec<_> = r.by_ref().collect::<Result<_, _>>()?;
        let mut out = Vec::new();
        write_activities(&mut out, r.header(), &first)?;
        let second: Vec<_> = ActivityReader::new(out.as_slice()).collect::<Result<_, _>>()?;
        n += first.len();
        for (a, b) in first.iter().zip(&second) {
            if a != b {
                bad += 1;
                eprintln!("{}: {} differs", f.display(), a.identifier);
            }
        }
        if first.len() != second.len() {
            bad += 1;
            eprintln!(
                "{}: {} activities became {}",
                f.display(),
                first.len(),
                second.len()
            );
        }
    }
    println!("{} files, {n} activities, {bad} differences", files.len());
    if bad > 0 {
        std::process::exit(1);
    }
    Ok(())
}
