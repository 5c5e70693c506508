//! Stock on hand and expiry for 10,000 products, 200,000 lots and 2,000,000 movements across
//! 1,000 facilities (issue #15): the full recompute from movements, and one facility's stock with
//! its expiry bands from the recomputed stock.
//!
//! The string-keyed recompute it replaced runs beside it on the same data (`baseline`), and both
//! must give the same stock.
//!
//! `cargo run --release -p aidtrace-domain --example bench_medicine_stock`

#[path = "bench_medicine_stock_baseline/mod.rs"]
mod baseline;

use std::time::Instant;

use aidtrace_domain::medicines::stock::{ExpiryBand, Stock};
use aidtrace_domain::medicines::{
    Consignment, ConsignmentDecision, ConsignmentMode, DecisionOutcome, DestinationKind,
    MovementKind, PackingLine, StockMovement, ValueBasis,
};
use aidtrace_domain::{CountryCode, RecordId};
use chrono::NaiveDate;

const PRODUCTS: usize = 10_000;
const LOTS: usize = 200_000;
const LINES_PER_CONSIGNMENT: usize = 100;
const FACILITIES: usize = 1_000;
const MOVEMENTS: usize = 2_000_000;

fn id(s: String) -> RecordId {
    RecordId::parse(&s).expect("generated id")
}

fn main() {
    let day0 = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
    let warehouse = id("fac-0".into());
    let facilities: Vec<RecordId> = (0..FACILITIES).map(|f| id(format!("fac-{f}"))).collect();
    let mut consignments = Vec::new();
    let mut decisions = Vec::new();
    for c in 0..LOTS / LINES_PER_CONSIGNMENT {
        let cid = id(format!("con-{c}"));
        let lines = (0..LINES_PER_CONSIGNMENT)
            .map(|l| {
                let lot = c * LINES_PER_CONSIGNMENT + l;
                PackingLine {
                    product: id(format!("prod-{}", lot % PRODUCTS)),
                    lot: format!("L{lot}"),
                    expiry: day0 + chrono::Duration::days((lot % 900) as i64),
                    manufactured: None,
                    quantity: 1_000_000,
                    unit_value: None,
                    label_languages: vec!["uk".into()],
                    inn_on_label: true,
                    serial: None,
                }
            })
            .collect();
        decisions.push(ConsignmentDecision {
            id: id(format!("dec-{c}")),
            consignment: cid.clone(),
            decided_on: day0,
            outcome: DecisionOutcome::Accept,
            accepted_lines: vec![],
            findings_seen: vec![],
            reason: None,
        });
        consignments.push(Consignment {
            id: cid,
            donor: id(format!("org-{}", c % 20)),
            activity: None,
            mode: ConsignmentMode::Direct,
            shipped: day0,
            arrived: Some(day0),
            destination: warehouse.clone(),
            destination_kind: DestinationKind::CentralWarehouse,
            recipient_country: CountryCode::parse("UA").expect("UA"),
            recipient_languages: vec!["uk".into()],
            declared_value: None,
            value_basis: ValueBasis::Unknown,
            value_flow: None,
            request_reference: None,
            lines,
            sources: vec![],
        });
    }
    // Every lot is received at the warehouse, then distributions and uses fill the rest: a
    // distribution sends 100 units of lot k to a facility, a use spends 10 of them there.
    let mut movements = Vec::with_capacity(MOVEMENTS);
    for lot in 0..LOTS {
        let c = lot / LINES_PER_CONSIGNMENT;
        movements.push(StockMovement {
            id: id(format!("r-{lot}")),
            kind: MovementKind::Receipt,
            date: day0,
            consignment: id(format!("con-{c}")),
            product: id(format!("prod-{}", lot % PRODUCTS)),
            lot: format!("L{lot}"),
            from: None,
            to: Some(warehouse.clone()),
            quantity: 1_000_000,
            note: None,
        });
    }
    let mut n = 0usize;
    while movements.len() < MOVEMENTS {
        let lot = (n * 7919) % LOTS;
        let c = lot / LINES_PER_CONSIGNMENT;
        let facility = &facilities[1 + n % (FACILITIES - 1)];
        let (kind, from, to, quantity) = if n.is_multiple_of(2) {
            (
                MovementKind::Distribution,
                warehouse.clone(),
                Some(facility.clone()),
                100,
            )
        } else {
            let prev = &facilities[1 + (n - 1) % (FACILITIES - 1)];
            (MovementKind::Use, prev.clone(), None, 10)
        };
        let lot = if n.is_multiple_of(2) {
            lot
        } else {
            ((n - 1) * 7919) % LOTS
        };
        let c = if n.is_multiple_of(2) {
            c
        } else {
            lot / LINES_PER_CONSIGNMENT
        };
        movements.push(StockMovement {
            id: id(format!("m-{n}")),
            kind,
            date: day0 + chrono::Duration::days(1 + (n / 10_000) as i64),
            consignment: id(format!("con-{c}")),
            product: id(format!("prod-{}", lot % PRODUCTS)),
            lot: format!("L{lot}"),
            from: Some(from),
            to,
            quantity,
            note: None,
        });
        n += 1;
    }

    // Baseline and interned recompute alternate, two rounds each: on a shared machine whose load
    // changes during the run, each is then measured beside the other more than once.
    let baseline_run = || {
        baseline::Stock::new(&consignments, &decisions)
            .replay(&movements)
            .expect("the generated movements never overdraw")
    };
    let interned_run = || {
        Stock::new(&consignments, &decisions)
            .replay(&movements)
            .expect("the generated movements never overdraw")
    };
    let (base, base_first) = timed(baseline_run);
    let (stock, full) = timed(interned_run);
    let (_, base_again) = timed(baseline_run);
    let (_, full_again) = timed(interned_run);
    let same = {
        let key = |f: &RecordId, c: &RecordId, p: &RecordId, l: &str, q: u64| {
            (
                f.to_string(),
                c.to_string(),
                p.to_string(),
                l.to_string(),
                q,
            )
        };
        let a: Vec<_> = base
            .all()
            .into_iter()
            .map(|(f, l, q)| key(f, &l.consignment, &l.product, &l.lot, q))
            .collect();
        let b: Vec<_> = stock
            .all()
            .into_iter()
            .map(|(f, l, q)| key(f, &l.consignment, &l.product, &l.lot, q))
            .collect();
        a == b
    };
    assert!(same, "the interned recompute differs from the baseline");
    let base_rows = base.at_facility(&facilities[500]).len();

    let expiry: std::collections::HashMap<(&RecordId, &str), NaiveDate> = consignments
        .iter()
        .flat_map(|c| {
            c.lines
                .iter()
                .map(move |l| ((&c.id, l.lot.as_str()), l.expiry))
        })
        .collect();
    let today = day0 + chrono::Duration::days(200);
    let start = Instant::now();
    let mut bands = [0usize; 5];
    let rows = stock.at_facility(&facilities[500]);
    for (lot, _) in &rows {
        if let Some(e) = expiry.get(&(&lot.consignment, lot.lot.as_str())) {
            bands[ExpiryBand::of(*e, today) as usize] += 1;
        }
    }
    let one = start.elapsed();
    println!(
        "{PRODUCTS} products, {LOTS} lots, {} movements, {FACILITIES} facilities",
        movements.len()
    );
    println!("full recompute, baseline (string keys): {base_first}, then {base_again}");
    println!(
        "full recompute, interned: {full}, then {full_again} (same stock as the baseline: {same})"
    );
    println!(
        "one facility ({} lots, bands {bands:?}): {:.3} ms",
        rows.len(),
        one.as_secs_f64() * 1000.0
    );
    assert_eq!(rows.len(), base_rows);
}

/// Wall time and this thread's time on a CPU: on a machine shared with other builds the wall
/// time includes waiting for a core, the CPU time does not.
#[derive(Debug, Clone, Copy)]
struct Took {
    wall: f64,
    cpu: Option<f64>,
}

impl std::fmt::Display for Took {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.3} s wall", self.wall)?;
        match self.cpu {
            Some(c) => write!(f, " ({c:.3} s on a CPU)"),
            None => Ok(()),
        }
    }
}

/// Nanoseconds this thread has run on a CPU (Linux `schedstat`; `None` elsewhere).
fn cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Took) {
    let cpu0 = cpu_ns();
    let start = Instant::now();
    let out = f();
    let wall = start.elapsed().as_secs_f64();
    let cpu = cpu0
        .zip(cpu_ns())
        .map(|(a, b)| b.saturating_sub(a) as f64 / 1e9);
    (out, Took { wall, cpu })
}
