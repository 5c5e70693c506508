//! `for_each_part` works out a flow's keys once per activity, donor or year and reuses them for
//! the flows after it with the same basis. These properties hold its totals equal to the flows'
//! parts worked out one flow at a time (`flow_parts`, which keeps no memo), under every grouping,
//! unfiltered and filtered, on random ledgers whose flows change donor and year from one to the
//! next.

use std::collections::BTreeMap;

use aidtrace_domain::filter::Filter;
use aidtrace_domain::fx::RateTable;
use aidtrace_domain::model::{OrgKind, Organisation, Record};
use aidtrace_domain::totals::{GroupBy, Sum, exclusion, flow_parts, totals_where};
use aidtrace_domain::{Ledger, RecordId};
use proptest::prelude::*;
use rust_decimal::Decimal;

mod ledger_gen;

use ledger_gen::{build, flow_spec, id};

/// Rows as (key, kind) → (flows in order, exact sums in each currency).
type Rows = BTreeMap<(String, String), (Vec<RecordId>, BTreeMap<String, Decimal>)>;

/// The ledger of `specs` with each flow's provider taken from `donors` in turn (some flows
/// without one), and two of the three donors named.
fn with_donors(specs: &[ledger_gen::FlowSpec], split: bool, donors: &[Option<u8>]) -> Ledger {
    let ledger = build(specs, split);
    let org = |n: u8, name: &str| {
        Record::Organisation(Organisation::new(
            id(format!("org{n}")),
            name,
            OrgKind::Government,
        ))
    };
    let mut put = vec![org(0, "Donor zero"), org(1, "Donor one")];
    for (i, flow) in ledger.flows.values().enumerate() {
        let mut flow = flow.clone();
        flow.provider = donors
            .get(i % donors.len().max(1))
            .copied()
            .flatten()
            .map(|n| id(format!("org{n}")));
        put.push(Record::Flow(flow));
    }
    ledger.with_changes(put, &[])
}

fn reference(ledger: &Ledger, by: GroupBy, filter: &Filter) -> Rows {
    let unfiltered = filter.is_everything();
    let mut rows = Rows::new();
    for flow in ledger.flows.values() {
        let Some(parts) = flow_parts(ledger, flow, by, filter, unfiltered) else {
            continue;
        };
        if exclusion(ledger, flow).is_some() {
            continue;
        }
        for (key, share) in parts {
            let row = rows
                .entry((key, flow.kind.as_str().to_string()))
                .or_default();
            row.0.push(flow.id.clone());
            let part = share
                .and_then(|s| flow.money.amount.checked_mul(s))
                .and_then(|v| v.checked_mul(flow.sign()));
            if let Some(part) = part {
                *row.1.entry(flow.money.currency.to_string()).or_default() += part;
            }
        }
    }
    rows
}

fn computed(ledger: &Ledger, by: GroupBy, filter: &Filter) -> Rows {
    let report = totals_where(ledger, &RateTable::imf_annual(), by, filter);
    report
        .rows
        .into_iter()
        .map(|r| {
            let sums = r
                .original
                .iter()
                .filter_map(|(c, s)| Some((c.to_string(), Sum::exact(*s)?)))
                .collect();
            ((r.key, r.kind.as_str().to_string()), (r.flows, sums))
        })
        .collect()
}

fn filters() -> Vec<Filter> {
    let parse = |pairs: &[(&str, &str)]| Filter::parse(pairs.iter().copied(), &[]).expect("filter");
    vec![
        Filter::default(),
        parse(&[("sector", "12191")]),
        parse(&[("recipient", "KZ"), ("year_from", "2010")]),
        parse(&[("donor", "org1"), ("year_to", "2015")]),
    ]
}

proptest! {
    #[test]
    fn memoised_keys_give_the_parts_worked_out_flow_by_flow(
        specs in proptest::collection::vec(flow_spec(), 0..24),
        split in any::<bool>(),
        donors in proptest::collection::vec(proptest::option::of(0u8..3), 1..5),
    ) {
        let ledger = with_donors(&specs, split, &donors);
        for filter in filters() {
            for by in GroupBy::ALL {
                prop_assert_eq!(
                    computed(&ledger, by, &filter),
                    reference(&ledger, by, &filter),
                    "{:?} under {:?}", by, filter
                );
            }
        }
    }
}
