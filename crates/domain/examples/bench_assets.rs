//! Indicator benchmark: 100,000 assets at 1,000 facilities with 2,000,000 history records
//! (12 lifecycle events, 4 downtime episodes and 4 work orders per asset) over one year.
//!
//! cargo run --release -p aidtrace-domain --example bench_assets
//!
//! Prints the time to load the records into a ledger (not part of the target), to build the
//! indicator index and compute every facility's indicators (the "full recompute"), and the
//! per-facility query latency on the built index (over all facilities).

use std::time::Instant;

use aidtrace_domain::assets::kpi::{Fleet, GroupBy, Period};
use aidtrace_domain::assets::synthetic;
use aidtrace_domain::{CurrencyCode, Ledger, Money, RecordId};
use chrono::NaiveDate;

const ASSETS: usize = 100_000;
const FACILITIES: usize = 1_000;

fn main() {
    let usd = CurrencyCode::parse("USD").expect("usd");
    let records = synthetic::fleet(ASSETS, FACILITIES);
    println!(
        "{ASSETS} assets, {FACILITIES} facilities, {} history records",
        ASSETS * 20
    );
    let t = Instant::now();
    let ledger = Ledger::from_records(records);
    println!(
        "load into ledger: {:.3} s (not part of the target)",
        t.elapsed().as_secs_f64()
    );

    let period = Period::days(
        NaiveDate::from_ymd_opt(2025, 1, 1).expect("d"),
        NaiveDate::from_ymd_opt(2025, 12, 31).expect("d"),
    )
    .expect("period");
    let convert = |m: &Money| (m.currency == usd).then_some(m.amount);

    let t = Instant::now();
    let fleet = Fleet::build(&ledger);
    let build = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let by_facility = fleet.grouped(GroupBy::Facility, period, &convert);
    let compute = t.elapsed().as_secs_f64();
    let all = fleet.grouped(GroupBy::All, period, &convert);
    println!(
        "full recompute: index {build:.3} s + all facilities {compute:.3} s = {:.3} s ({} groups; fleet uptime {:?} %, MTTR {:?} h)",
        build + compute,
        by_facility.len(),
        all["all"].uptime_pct,
        all["all"].mttr_hours
    );

    let mut times = Vec::with_capacity(FACILITIES);
    for f in 0..FACILITIES {
        let q = Instant::now();
        let fac = RecordId::parse(&format!("fac-{f:04}")).expect("id");
        let i = fleet.indicators(fleet.facility_assets(&fac).to_vec(), period, &convert);
        std::hint::black_box(i);
        times.push(q.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    println!(
        "per-facility query on the index: mean {mean:.3} ms, median {:.3} ms, p95 {:.3} ms, worst {:.3} ms",
        times[times.len() / 2],
        times[times.len() * 95 / 100],
        times[times.len() - 1]
    );
}
