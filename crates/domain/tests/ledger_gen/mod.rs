//! Random programme/project ledgers with split percentages, shared by the property tests of
//! the totals and of the filter.

#![allow(dead_code)]

use aidtrace_domain::model::{
    Activity, ActivityStatus, CountryShare, Flow, FlowKind, Instrument, Record, SectorShare,
};
use aidtrace_domain::{CountryCode, CurrencyCode, Ledger, Money, RecordId};
use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;

pub fn id(s: String) -> RecordId {
    RecordId::parse(&s).expect("fixture id")
}

pub fn activity(name: &str, parent: Option<&str>, split: bool) -> Record {
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
pub struct FlowSpec {
    pub project: Option<usize>,
    pub kind: usize,
    pub amount: u32,
    pub currency: usize,
    pub parent: Option<usize>,
    pub year: i32,
}

pub fn flow_spec() -> impl Strategy<Value = FlowSpec> {
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

pub fn build(specs: &[FlowSpec], split: bool) -> Ledger {
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
