//! Where the time goes (CPU MB/s): raw quick-xml events vs the hardened parser vs unit trees vs the model.
//!
//! `cargo run --release -p aidtrace-iati --example bench_layers`

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

use aidtrace_iati::reader::UnitReader;
use aidtrace_iati::xml::{Limits, Parser, Token};

mod bench_common;

/// Own user+system CPU seconds (steadier than wall time on a shared machine).
fn cpu() -> f64 {
    bench_common::cpu_seconds().0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files = bench_common::real_pages()?;
    // Each stage reads every file twice to give the CPU clock (10 ms ticks) enough to count.
    let files: Vec<PathBuf> = files.iter().chain(files.iter()).cloned().collect();
    let mb: f64 = files
        .iter()
        .map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0))
        .sum::<u64>() as f64
        / 1e6;
    let open = |f: &PathBuf| -> std::io::Result<BufReader<File>> {
        Ok(BufReader::with_capacity(256 * 1024, File::open(f)?))
    };

    let t = cpu();
    let mut n = 0u64;
    for f in &files {
        let mut r = quick_xml::reader::NsReader::from_reader(open(f)?);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match r.read_event_into(&mut buf)? {
                quick_xml::events::Event::Eof => break,
                _ => n += 1,
            }
        }
    }
    println!(
        "raw NsReader events:   {:7.1} MB/s ({n} events)",
        mb / (cpu() - t)
    );

    let t = cpu();
    let mut n = 0u64;
    for f in &files {
        let mut p = Parser::new(open(f)?, Limits::default());
        loop {
            match p.next_token()? {
                Token::Eof => break,
                _ => n += 1,
            }
        }
    }
    println!(
        "hardened tokens:       {:7.1} MB/s ({n} tokens)",
        mb / (cpu() - t)
    );

    let t = cpu();
    let mut n = 0u64;
    for f in &files {
        let mut u = UnitReader::new(open(f)?);
        while let Some(unit) = u.next_unit()? {
            n += unit.element.children.len() as u64;
        }
    }
    println!("unit trees:            {:7.1} MB/s ({n})", mb / (cpu() - t));

    let t = cpu();
    let mut n = 0u64;
    for f in &files {
        let mut u = UnitReader::new(open(f)?);
        while let Some(unit) = u.next_unit()? {
            let a = aidtrace_iati::model::IatiActivity::from_element(&unit.element);
            n += a.transactions.len() as u64;
        }
    }
    println!("trees + model:         {:7.1} MB/s ({n})", mb / (cpu() - t));
    Ok(())
}
