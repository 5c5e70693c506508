//! Generates a large store for the web benchmarks:
//! `cargo run --release -p aidtrace-web --example bench_gen -- DB ACTIVITIES FLOWS_PER_ACTIVITY`
//! (default 100000 activities × 10 flows = 1,000,000 flows), on top of the seed scenario.
//! Then serve it (`aidtrace --db DB serve`) and run wrk against it (see docs/web.md), or move it
//! to PostgreSQL with `aidtrace store copy`.
//!
//! Records are written in batches of `BATCH` activities with their flows, one transaction each,
//! so the generator's memory does not grow with the store (10,000,000 flows held as JSON at once
//! would need well over 10 GB).

use std::time::Instant;

use aidtrace_service::Aidtrace;
use serde_json::{Value, json};

/// Activities per transaction.
const BATCH: usize = 10_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let db = args.get(1).map_or("bench.db", String::as_str);
    let activities: usize = args.get(2).map_or(Ok(100_000), |s| s.parse())?;
    let per: usize = args.get(3).map_or(Ok(10), |s| s.parse())?;
    let started = Instant::now();
    let mut service = Aidtrace::open_sqlite(std::path::Path::new(db))?;
    service.load_demo("bench")?;
    let donors = 40;
    let mut count = donors;
    let mut created = load(&mut service, donor_records(donors))?;
    for first in (0..activities).step_by(BATCH) {
        let batch = batch_records(first..activities.min(first + BATCH), per, donors);
        count += batch.len();
        created += load(&mut service, batch)?;
    }
    println!(
        "{count} records ({created} created) into {db} in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn load(service: &mut Aidtrace, records: Vec<Value>) -> Result<usize, Box<dyn std::error::Error>> {
    let text = serde_json::to_string(&json!({ "records": records }))?;
    drop(records);
    Ok(service.load_json("bench", &text)?.created)
}

fn donor_records(donors: usize) -> Vec<Value> {
    (0..donors)
        .map(|d| json!({"record":"organisation","id":format!("org-bench-{d}"),"name":format!("Bench donor {d}"),"kind":"government_agency","roles":["donor"]}))
        .collect()
}

fn batch_records(activities: std::ops::Range<usize>, per: usize, donors: usize) -> Vec<Value> {
    let countries = ["KZ", "UA", "KG", "UZ", "TJ", "MD", "GE", "AM"];
    let currencies = ["JPY", "USD", "EUR", "GBP"];
    let mut records = Vec::with_capacity(activities.len() * (per + 1));
    for a in activities {
        let country = countries[a % countries.len()];
        records.push(json!({
            "record":"activity","id":format!("act-bench-{a}"),"title":format!("Bench activity {a} for hospital equipment"),
            "instrument":"grant_aid","status":"implementation",
            "participants":[{"org":format!("org-bench-{}", a % donors),"role":"funding"}],
            "countries":[{"country":country,"percentage":"100"}],
            "regions":[{"country":country,"name":format!("Region {}", a % 17),"percentage":"100"}],
            "sectors":[{"code":"12191","percentage":"100"}],
        }));
        for f in 0..per {
            let year = 2015 + (a + f) % 10;
            records.push(json!({
                "record":"flow","id":format!("flow-bench-{a}-{f}"),"activity":format!("act-bench-{a}"),
                "kind": if f % 2 == 0 { "commitment" } else { "disbursement" },
                "money":{"amount":format!("{}.{:02}", 1000 + (a * 7 + f * 13) % 900_000, f),"currency":currencies[(a + f) % currencies.len()],"value_date":format!("{year}-06-30")},
                "provider":format!("org-bench-{}", a % donors),
            }));
        }
    }
    records
}
