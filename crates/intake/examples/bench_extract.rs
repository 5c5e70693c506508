//! Throughput of the extractor in MB/s of text.
//!
//! `cargo run --release -p aidtrace-intake --example bench_extract`
//!
//! Two inputs: (1) every labelled article of the project's sets, one `extract` call per article,
//! repeated; (2) one 3.9 MB document made by concatenating the articles (one call), to show the
//! cost stays linear in the text size. The baseline is the money finder alone (one regex pass),
//! the least any extractor of amounts has to do.

use std::time::Instant;

use aidtrace_intake::eval::load_jsonl;
use aidtrace_intake::money::{CurrencyContext, find_money};
use aidtrace_intake::{ExtractOptions, extract};

fn mb_per_s(bytes: usize, secs: f64) -> f64 {
    bytes as f64 / 1_000_000.0 / secs
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut texts = Vec::new();
    for name in ["dev.jsonl", "heldout.jsonl", "unseen.jsonl"] {
        let file = std::fs::File::open(dir.join(name))?;
        texts.extend(
            load_jsonl(std::io::BufReader::new(file))?
                .into_iter()
                .map(|a| a.text),
        );
    }
    let opts = ExtractOptions::default();
    // Warm the lazily compiled dictionaries before timing.
    let _ = extract(&texts[0], &opts)?;

    let rounds = 400;
    let mut bytes = 0;
    let mut facts = 0;
    let start = Instant::now();
    for _ in 0..rounds {
        for t in &texts {
            facts += extract(t, &opts)?.facts.len();
            bytes += t.len();
        }
    }
    let per_article = mb_per_s(bytes, start.elapsed().as_secs_f64());

    let mut big = String::new();
    while big.len() < 3_900_000 {
        for t in &texts {
            big.push_str(t);
            big.push_str("\n\n");
        }
    }
    let start = Instant::now();
    let big_facts = extract(&big, &opts)?.facts.len();
    let one_document = mb_per_s(big.len(), start.elapsed().as_secs_f64());

    let start = Instant::now();
    let mut found = 0;
    for _ in 0..rounds {
        for t in &texts {
            found += find_money(t, CurrencyContext::default()).len();
        }
    }
    let baseline = mb_per_s(bytes, start.elapsed().as_secs_f64());

    println!(
        "articles: {} ({} bytes per round), rounds: {rounds}",
        texts.len(),
        bytes / rounds
    );
    println!("per-article extract: {per_article:.1} MB/s ({facts} facts)");
    println!(
        "one {:.1} MB document: {one_document:.1} MB/s ({big_facts} facts)",
        big.len() as f64 / 1e6
    );
    println!("baseline money scan only: {baseline:.1} MB/s ({found} amounts)");
    println!("ratio extract / money scan: {:.2}", per_article / baseline);
    println!("ratio extract / 5 MB/s target: {:.1}", per_article / 5.0);
    Ok(())
}
