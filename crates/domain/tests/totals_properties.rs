//! Properties of totals over random programme/project ledgers: no flow is counted together with
//! its envelope, and every grouping adds up to the same grand total.

use std::collections::BTreeSet;

use aidtrace_domain::fx::RateTable;
use aidtrace_domain::model::{
    Activity, ActivityStatus, CountryShare, Flow, FlowKind, Instrument, Record, SectorShare,
};
use aidtrace_domain::totals::{GroupBy, exclusion, totals};
use aidtrace_domain::{CountryCode, CurrencyCode, Ledger, Money, RecordId};
use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;

fn id(s: String) -> RecordId {
    RecordId::parse(&s).expect("fixture id")
}

fn activity(name: &str, parent: Option<&str>, split: bool) -> Record {
    let pct = |p: i64| Decimal::from(p);
    Record::Activity(Activity {
        id: id(name.to_string()),
        title: name.to_string(),
        instrument: Instrument::GrantAid,
        status: ActivityStatus::Implementation,
        iati_identifier: None,
        iati_last_updated: None,
        description: None,
        purpose: None,
        parent: parent.map(|p| id(p.to_string())),
        reporting_org: None,
        participants: vec![],
        legal_steps: vec![],
        start_date: None,
        end_date: None,
        sectors: if split {
            vec![
                SectorShare {
                    code: "12191".into(),
                    percentage: pct(70),
                },
                SectorShare {
                    code: "12220".into(),
                    percentage: pct(30),
                },
            ]
        } else {
            vec![]
        },
        countries: if split {
            vec![
                CountryShare {
                    country: CountryCode::parse("KZ").expect("KZ"),
                    percentage: pct(55),
                },
                CountryShare {
                    country: CountryCode::parse("UA").expect("UA"),
                    percentage: pct(45),
                },
            ]
        } else {
            vec![]
        },
        regions: vec![],
        facilities: vec![],
        target_population: None,
        ceiling: None,
        sources: vec![],
        left_out: vec![],
    })
}

#[derive(Debug, Clone)]
struct FlowSpec {
    project: Option<usize>,
    kind: usize,
    amount: u32,
    currency: usize,
    parent: Option<usize>,
    year: i32,
}

fn flow_spec() -> impl Strategy<Value = FlowSpec> {
    (
        proptest::option::of(0usize..3),
        0usize..4,
        1u32..10_000_000,
        0usize..3,
        proptest::option::of(0usize..20),
        2005i32..2024,
    )
        .prop_map(|(project, kind, amount, currency, parent, year)| FlowSpec {
            project,
            kind,
            amount,
            currency,
            parent,
            year,
        })
}

fn build(specs: &[FlowSpec], split: bool) -> Ledger {
    let mut records = vec![activity("prog", None, split)];
    for p in 0..3 {
        records.push(activity(&format!("proj{p}"), Some("prog"), false));
    }
    let currencies = ["USD", "JPY", "EUR"];
    for (i, s) in specs.iter().enumerate() {
        // Parent links only point backwards, so they never form a cycle.
        let parent = s.parent.filter(|p| *p < i).map(|p| id(format!("f{p}")));
        records.push(Record::Flow(Flow {
            id: id(format!("f{i}")),
            activity: id(s
                .project
                .map_or_else(|| "prog".to_string(), |p| format!("proj{p}"))),
            kind: FlowKind::ALL[s.kind],
            money: Money::new(
                Decimal::from(s.amount),
                CurrencyCode::parse(currencies[s.currency]).expect("currency"),
                NaiveDate::from_ymd_opt(s.year, 6, 1),
            )
            .expect("fixture money"),
            provider: None,
            receiver: None,
            parent_flow: parent,
            reversal: false,
            stated_equivalent: None,
            recorded_rate: None,
            description: None,
            sources: vec![],
        }));
    }
    Ledger::from_records(records)
}

proptest! {
    #[test]
    fn a_counted_flow_never_has_a_counted_envelope(specs in proptest::collection::vec(flow_spec(), 0..20)) {
        let ledger = build(&specs, false);
        let counted: BTreeSet<&RecordId> = ledger
            .flows
            .values()
            .filter(|f| exclusion(&ledger, f).is_none())
            .map(|f| &f.id)
            .collect();
        for flow in ledger.flows.values().filter(|f| counted.contains(&f.id)) {
            if let Some(parent) = &flow.parent_flow {
                prop_assert!(!counted.contains(parent), "{} counted with its envelope {}", flow.id, parent);
            }
            if flow.activity.as_str() == "prog" {
                let projects_report_kind = ledger
                    .flows
                    .values()
                    .any(|f| f.activity.as_str() != "prog" && f.kind == flow.kind);
                prop_assert!(!projects_report_kind, "programme flow {} counted beside its projects'", flow.id);
            }
        }
    }

    #[test]
    fn every_grouping_adds_up_to_the_same_total(specs in proptest::collection::vec(flow_spec(), 0..20), split in any::<bool>()) {
        let ledger = build(&specs, split);
        let rates = RateTable::imf_annual();
        let usd = CurrencyCode::usd();
        let grand = |by| -> Decimal {
            totals(&ledger, &rates, by, &usd).rows.iter().filter_map(|r| r.converted.and_then(aidtrace_domain::totals::Sum::exact)).sum()
        };
        let reference = grand(GroupBy::Donor);
        for by in [GroupBy::Recipient, GroupBy::Sector, GroupBy::Year, GroupBy::Region, GroupBy::Facility] {
            let other = grand(by);
            // Each row is rounded to the cent once, so rows may differ by half a cent each.
            prop_assert!((other - reference).abs() <= Decimal::new(5, 3) * Decimal::from(specs.len().max(1) * 2), "{by:?}: {other} vs {reference}");
        }
        // Original-currency sums are exact: shares of a flow add back to the flow.
        for by in [GroupBy::Recipient, GroupBy::Sector] {
            let report = totals(&ledger, &rates, by, &usd);
            let donor = totals(&ledger, &rates, GroupBy::Donor, &usd);
            let sum = |r: &aidtrace_domain::totals::TotalsReport| -> Decimal {
                r.rows.iter().flat_map(|row| row.original.values()).filter_map(|s| s.exact()).sum()
            };
            prop_assert_eq!(sum(&report), sum(&donor));
        }
    }
}
