//! A snapshot derived from the one before a write (`Snapshot::after_write`) equals the snapshot
//! computed from scratch over the ledger after it: findings, figures, the records-by-activity
//! index and the dashboard JSON, on generated ledgers (activity trees, envelopes, cancelled
//! activities, several currencies, undated flows, shares) and generated writes.

use aidtrace_domain::{Ledger, Record, RecordId, RecordKind};
use aidtrace_service::Aidtrace;
use aidtrace_web::state::{Snapshot, WebConfig};
use proptest::prelude::*;
use serde_json::{Value, json};

/// A small deterministic generator: the case is its seed, which proptest shrinks and reports.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[usize::try_from(self.below(from.len() as u64)).unwrap_or(0)]
    }
}

const ACTIVITIES: u64 = 7;

fn activity(g: &mut Gen, i: u64) -> Value {
    let mut a = json!({
        "record": "activity", "id": format!("act-{i}"), "title": format!("Activity {i}"),
        "instrument": g.pick(&["grant_aid", "grassroots_grant", "technical_cooperation"]),
        "status": g.pick(&["implementation", "implementation", "pipeline", "cancelled", "closed"]),
    });
    if i > 0 && g.chance(50) {
        // Mostly a tree; now and then a parent further down (a cycle in bad data) or none.
        a["parent"] = json!(format!("act-{}", g.below(ACTIVITIES + 1)));
    }
    if g.chance(70) {
        a["sectors"] = json!([{"code": g.pick(&["12191", "12220", "15110"]), "percentage": "60"},
                              {"code": "12191", "percentage": "40"}]);
    }
    if g.chance(70) {
        a["countries"] = json!([{"country": g.pick(&["KZ", "UA"]), "percentage": "100"}]);
    }
    if g.chance(60) {
        a["participants"] = json!([{"org": format!("org-{}", g.below(3)), "role": "funding"}]);
    }
    if g.chance(30) {
        a["start_date"] = json!("2020-01-01");
        a["end_date"] = json!(if g.chance(50) {
            "2020-06-30"
        } else {
            "2022-06-30"
        });
    }
    a
}

fn flow(g: &mut Gen, i: u64, flows: u64) -> Value {
    let mut f = json!({
        "record": "flow", "id": format!("flow-{i}"),
        "activity": format!("act-{}", g.below(ACTIVITIES)),
        "kind": g.pick(&["commitment", "disbursement", "disbursement", "expenditure", "pledge", "incoming_funds"]),
        "money": {
            "amount": format!("{}.{}", 1 + g.below(5_000_000), g.below(100)),
            "currency": g.pick(&["USD", "EUR", "JPY", "GBP"]),
        },
    });
    if g.chance(80) {
        f["money"]["value_date"] = json!(format!("{}-0{}-15", 2012 + g.below(12), 1 + g.below(9)));
    }
    if g.chance(60) {
        f["provider"] = json!(format!("org-{}", g.below(4)));
    }
    if flows > 0 && g.chance(20) {
        f["parent_flow"] = json!(format!("flow-{}", g.below(flows)));
    }
    if g.chance(10) {
        f["reversal"] = json!(true);
    }
    f
}

fn record(v: Value) -> Record {
    serde_json::from_value(v).expect("a generated record")
}

fn ledger(g: &mut Gen) -> (Vec<Record>, u64) {
    let mut out = vec![
        record(
            json!({"record": "organisation", "id": "org-0", "name": "Donor 0", "kind": "government", "parent": "org-1"}),
        ),
        record(
            json!({"record": "organisation", "id": "org-1", "name": "Donor 1", "kind": "government"}),
        ),
        record(
            json!({"record": "organisation", "id": "org-2", "name": "Donor 2", "kind": "multilateral"}),
        ),
    ];
    for i in 0..ACTIVITIES {
        out.push(record(activity(g, i)));
    }
    let flows = 4 + g.below(20);
    for i in 0..flows {
        out.push(record(flow(g, i, i)));
    }
    (out, flows)
}

/// A write: a few records put (changed or new) and deleted, as the server hands them over.
fn write(g: &mut Gen, flows: u64) -> (Vec<Record>, Vec<(RecordKind, RecordId)>) {
    let mut put = Vec::new();
    let mut deleted = Vec::new();
    for _ in 0..1 + g.below(3) {
        match g.below(10) {
            0..=4 => {
                let i = g.below(flows + 2);
                put.push(record(flow(g, i, flows)));
            }
            5 | 6 => {
                let i = g.below(ACTIVITIES);
                put.push(record(activity(g, i)));
            }
            7 | 8 => deleted.push((
                RecordKind::Flow,
                RecordId::parse(&format!("flow-{}", g.below(flows))).expect("an id"),
            )),
            _ => deleted.push((
                RecordKind::Activity,
                RecordId::parse(&format!("act-{}", g.below(ACTIVITIES))).expect("an id"),
            )),
        }
    }
    // One record is either put or deleted in a write.
    deleted.retain(|(k, id)| !put.iter().any(|r| r.kind() == *k && r.id() == id));
    (put, deleted)
}

fn view(s: &Snapshot) -> Value {
    let mut by_activity: Vec<_> = s
        .by_activity
        .iter()
        .map(|(a, list)| (a.to_string(), format!("{list:?}")))
        .collect();
    by_activity.sort();
    json!({
        "findings": serde_json::to_value(&s.findings).expect("findings"),
        "by_activity": by_activity,
        "series": s.figures.series,
        "fallback": s.figures.dated_by_fallback,
        "undated": s.figures.undated,
        "totals": serde_json::to_value(&s.figures.totals).expect("totals"),
        "dashboard": serde_json::from_slice::<Value>(&s.dashboard_json).expect("dashboard"),
        "flows": s.ledger.flows.len(),
    })
}

/// Where two documents first differ, briefly (the whole documents are long).
fn first_difference(at: &str, a: &Value, b: &Value) -> String {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                if y.get(k) != Some(v) {
                    return first_difference(
                        &format!("{at}/{k}"),
                        v,
                        y.get(k).unwrap_or(&Value::Null),
                    );
                }
            }
            format!(
                "{at}: keys {:?} vs {:?}",
                x.keys().collect::<Vec<_>>(),
                y.keys().collect::<Vec<_>>()
            )
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                if v != w {
                    return first_difference(&format!("{at}/{i}"), v, w);
                }
            }
            String::new()
        }
        _ => format!("{at}: incremental {a} vs full {b}"),
    }
}

fn service() -> (tempfile::TempDir, Aidtrace) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let app = Aidtrace::open_sqlite(&dir.path().join("t.db")).expect("a store");
    (dir, app)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]
    #[test]
    fn a_write_applied_incrementally_equals_a_full_rebuild(seed in 1u64..u64::MAX) {
        let (_dir, app) = service();
        let config = WebConfig::default();
        let mut g = Gen(seed);
        let (records, flows) = ledger(&mut g);
        let mut snap = Snapshot::of_ledger(&app, &config, Ledger::from_records(records), 1)
            .expect("a snapshot");
        // Several writes in a row, each followed from the snapshot the one before made.
        for step in 0..3 {
            let (put, deleted) = write(&mut g, flows);
            let full_ledger = snap.ledger.clone().with_changes(put.clone(), &deleted);
            prop_assert!(full_ledger.indexes_match_rebuild());
            let full = Snapshot::of_ledger(&app, &config, full_ledger, 2 + step).expect("full");
            let Some(next) = snap
                .after_write(&app, &config, put, &deleted, 2 + step)
                .expect("incremental")
            else {
                // Not followed (an overflow): the full rebuild is what the server does.
                snap = full;
                continue;
            };
            prop_assert!(next.ledger.indexes_match_rebuild());
            let (a, b) = (view(&next), view(&full));
            prop_assert!(a == b, "step {}: {}", step, first_difference("", &a, &b));
            snap = next;
        }
    }
}

/// The dashboard's figures as the domain's reports give them: each grouping's rows from
/// `totals_where`, their rates counted by (currency, rate date, rate, basis, provisional), and
/// the series and fallback count from the by-year report's rates. The running sums add parts
/// one by one (`FiguresAcc::apply`); this holds them to the one implementation of the rules.
fn figures_from_reports(ledger: &Ledger, rates: &aidtrace_domain::fx::RateTable) -> Value {
    use aidtrace_domain::totals::{GroupBy, Sum, totals_where};
    use chrono::Datelike;
    use std::collections::BTreeMap;
    let filter = aidtrace_domain::filter::Filter::default();
    let mut totals = serde_json::Map::new();
    let mut series: BTreeMap<(String, i32), Sum> = BTreeMap::new();
    let mut fallback = 0;
    let mut undated = 0;
    for by in aidtrace_web::state::GROUPS {
        let report = totals_where(ledger, rates, by, &filter);
        let rows: Vec<Value> = report
            .rows
            .iter()
            .map(|row| {
                let mut counted: BTreeMap<_, (Value, usize)> = BTreeMap::new();
                for u in &row.rates {
                    let basis: &'static str = u.rate_date_basis.into();
                    let key = (
                        u.original_currency.to_string(),
                        u.rate_date,
                        u.rate.to_string(),
                        basis,
                        u.provisional,
                    );
                    let entry = counted.entry(key).or_insert_with(|| {
                        (
                            json!({"currency": u.original_currency, "rate": u.rate,
                                   "rate_date": u.rate_date, "basis": u.rate_date_basis,
                                   "source": u.source, "provisional": u.provisional}),
                            0,
                        )
                    });
                    entry.1 += 1;
                    if by == GroupBy::Year
                        && u.rate_date_basis
                            == aidtrace_domain::ledger::RateDateBasis::LatestAvailableRate
                    {
                        undated += 1;
                    } else if by == GroupBy::Year {
                        let point = series
                            .entry((row.kind.as_str().to_string(), u.converted_for.year()))
                            .or_insert(Sum::ZERO);
                        *point = point.plus(u.converted_amount);
                        if u.rate_date_basis != aidtrace_domain::ledger::RateDateBasis::ValueDate {
                            fallback += 1;
                        }
                    }
                }
                let rates: Vec<Value> = counted
                    .into_values()
                    .map(|(mut v, n)| {
                        v["flows"] = json!(n);
                        v
                    })
                    .collect();
                json!({
                    "key": row.key, "kind": row.kind, "original": row.original,
                    "converted": row.converted, "converted_complete": row.converted_complete,
                    "flows": row.flows.len(), "unconverted": row.unconverted.len(), "rates": rates,
                })
            })
            .collect();
        totals.insert(by.as_str().to_string(), Value::Array(rows));
    }
    let mut by_kind: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for ((kind, year), sum) in series {
        if let Some(d) = sum.exact() {
            by_kind.entry(kind).or_default().push(json!([year, d]));
        }
    }
    json!({"totals": totals, "series": by_kind, "fallback": fallback, "undated": undated})
}

/// The same fields of a snapshot's figures.
fn figures_of(s: &Snapshot) -> Value {
    let mut totals = serde_json::Map::new();
    for (by, summary) in &s.figures.totals {
        let rows: Vec<Value> = summary
            .rows
            .iter()
            .map(|row| {
                let rates: Vec<Value> = row
                    .rates
                    .iter()
                    .map(|r| {
                        json!({"currency": r.currency, "rate": r.rate, "rate_date": r.rate_date,
                               "basis": r.basis, "source": r.source,
                               "provisional": r.provisional, "flows": r.flows})
                    })
                    .collect();
                json!({
                    "key": row.key, "kind": row.kind, "original": row.original,
                    "converted": row.converted, "converted_complete": row.converted_complete,
                    "flows": row.flows, "unconverted": row.unconverted, "rates": rates,
                })
            })
            .collect();
        totals.insert((*by).to_string(), Value::Array(rows));
    }
    let series: std::collections::BTreeMap<String, Vec<Value>> = s
        .figures
        .series
        .iter()
        .map(|(kind, points)| {
            let points = points.iter().map(|(y, d)| json!([y, d])).collect();
            (kind.clone(), points)
        })
        .collect();
    json!({"totals": totals, "series": series, "fallback": s.figures.dated_by_fallback, "undated": s.figures.undated})
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]
    #[test]
    fn the_dashboard_figures_equal_the_domain_reports(seed in 1u64..u64::MAX) {
        let (_dir, app) = service();
        let mut g = Gen(seed);
        let (records, _) = ledger(&mut g);
        let snap = Snapshot::of_ledger(&app, &WebConfig::default(), Ledger::from_records(records), 1)
            .expect("a snapshot");
        let (a, b) = (figures_of(&snap), figures_from_reports(&snap.ledger, &snap.rates));
        prop_assert!(a == b, "{}", first_difference("", &a, &b));
    }
}
