//! Generates a large store for the web benchmarks:
//! `cargo run --release -p aidtrace-web --example bench_gen -- DB ACTIVITIES FLOWS_PER_ACTIVITY`
//! (default 100000 activities × 10 flows = 1,000,000 flows), on top of the seed scenario.
//! Then serve it (`aidtrace --db DB serve`) and run wrk against it (see docs/web.md).

use std::time::Instant;

use aidtrace_service::Aidtrace;
use serde_json::{Value, json};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let db = args.get(1).map_or("bench.db", String::as_str);
    let activities: usize = args.get(2).map_or(Ok(100_000), |s| s.parse())?;
    let per: usize = args.get(3).map_or(Ok(10), |s| s.parse())?;
    let started = Instant::now();
    let mut service = Aidtrace::open_sqlite(std::path::Path::new(db))?;
    service.load_demo("bench")?;
    let donors = 40;
    let countries = ["KZ", "UA", "KG", "UZ", "TJ", "MD", "GE", "AM"];
    let currencies = ["JPY", "USD", "EUR", "GBP"];
    let mut records: Vec<Value> = Vec::with_capacity(activities * (per + 1) + donors);
    for d in 0..donors {
        records.push(json!({"record":"organisation","id":format!("org-bench-{d}"),"name":format!("Bench donor {d}"),"kind":"government_agency","roles":["donor"]}));
    }
    for a in 0..activities {
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
    let count = records.len();
    let text = serde_json::to_string(&json!({ "records": records }))?;
    drop(records);
    let report = service.load_json("bench", &text)?;
    println!(
        "{count} records ({} created) into {db} in {:.1} s",
        report.created,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
