//! Per-facility indicator latency through SQLite: 100,000 assets at 1,000 facilities with
//! 2,000,000 history records in a store file, then one facility's records read through the
//! facility indexes and its indicators computed, for 200 facilities; then one asset's history
//! (what the write rules read) for 200 assets.
//!
//! cargo run --release -p aidtrace-store --example bench_asset_queries
//!
//! Rows are bulk-inserted with plain SQL (no audit entries): this measures reads, not imports.

use std::time::Instant;

use aidtrace_domain::assets::kpi::{Fleet, Period};
use aidtrace_domain::assets::synthetic;
use aidtrace_domain::{CurrencyCode, Ledger, Money, Record, RecordId, RecordKind};
use aidtrace_store::{AssetQueries, SqliteStore};
use chrono::NaiveDate;
use rusqlite::params_from_iter;

fn columns(r: &Record) -> (&'static str, Vec<(&'static str, Option<String>)>) {
    let s = |id: &RecordId| Some(id.to_string());
    let o = |id: &Option<RecordId>| id.as_ref().map(ToString::to_string);
    match r {
        Record::Organisation(_) => ("organisations", vec![]),
        Record::Facility(f) => ("facilities", vec![("country", Some(f.country.to_string()))]),
        Record::DeviceModel(m) => (
            "device_models",
            vec![
                ("manufacturer_id", s(&m.manufacturer)),
                ("generic_type", Some(m.generic_type.clone())),
            ],
        ),
        Record::MaintenancePlan(p) => (
            "maintenance_plans",
            vec![("model_id", o(&p.model)), ("asset_id", o(&p.asset))],
        ),
        Record::Asset(a) => (
            "assets",
            vec![("model_id", s(&a.model)), ("facility_id", s(&a.facility))],
        ),
        Record::WorkOrder(w) => (
            "work_orders",
            vec![("asset_id", s(&w.asset)), ("status", Some("done".into()))],
        ),
        Record::AssetEvent(e) => (
            "asset_events",
            vec![
                ("asset_id", s(&e.asset)),
                ("at", Some(e.at.to_string())),
                ("state", Some(e.state.as_str().into())),
                ("acceptance_id", o(&e.acceptance)),
            ],
        ),
        Record::Downtime(d) => (
            "downtimes",
            vec![
                ("asset_id", s(&d.asset)),
                ("start", Some(d.start.to_string())),
            ],
        ),
        other => panic!("the synthetic fleet has no {:?}", other.kind()),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("bench.db");
    drop(SqliteStore::open(&path)?);
    let mut records = synthetic::fleet(100_000, 1_000);
    records.sort_by_key(|r| RecordKind::ALL.iter().position(|k| *k == r.kind()));
    let t = Instant::now();
    let mut conn = rusqlite::Connection::open(&path)?;
    let tx = conn.transaction()?;
    for r in &records {
        let (table, cols) = columns(r);
        let mut names = vec!["id", "doc"];
        names.extend(cols.iter().map(|(c, _)| *c));
        let marks: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            names.join(", "),
            marks.join(", ")
        );
        let mut values = vec![Some(r.id().to_string()), Some(serde_json::to_string(r)?)];
        values.extend(cols.into_iter().map(|(_, v)| v));
        tx.prepare_cached(&sql)?.execute(params_from_iter(values))?;
    }
    tx.commit()?;
    println!(
        "{} records bulk-inserted in {:.1} s (not part of the target)",
        records.len(),
        t.elapsed().as_secs_f64()
    );
    drop(records);

    let queries = SqliteStore::open(&path)?;
    let usd = CurrencyCode::parse("USD")?;
    let convert = |m: &Money| (m.currency == usd).then_some(m.amount);
    let period = Period::days(
        NaiveDate::from_ymd_opt(2025, 1, 1).ok_or("date")?,
        NaiveDate::from_ymd_opt(2025, 12, 31).ok_or("date")?,
    )
    .ok_or("period")?;
    let mut times = Vec::new();
    for f in (0..1_000).step_by(5) {
        let fac = RecordId::parse(&format!("fac-{f:04}"))?;
        let t = Instant::now();
        let recs = queries.facility_records(&fac)?;
        let ledger = Ledger::from_records(recs);
        let fleet = Fleet::build(&ledger);
        let i = fleet.indicators(0..fleet.assets.len(), period, &convert);
        times.push(t.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(i);
    }
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    println!(
        "per-facility query from SQLite (read + parse + indicators, {} facilities): mean {mean:.2} ms, median {:.2} ms, p95 {:.2} ms, worst {:.2} ms",
        times.len(),
        times[times.len() / 2],
        times[times.len() * 95 / 100],
        times[times.len() - 1]
    );

    // What a write (e.g. "device down") reads to check the history rules: one asset's history.
    let mut times = Vec::new();
    for a in (0..100_000).step_by(500) {
        let asset = RecordId::parse(&format!("as-{a:06}"))?;
        let t = Instant::now();
        std::hint::black_box(queries.asset_records(&asset)?);
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "one asset's history for the write rules ({} assets): median {:.3} ms, p95 {:.3} ms",
        times.len(),
        times[times.len() / 2],
        times[times.len() * 95 / 100]
    );
    Ok(())
}
