//! Properties of the filter over random programme/project ledgers with split percentages: a
//! filtered total equals the matching row of the unfiltered grouping (recipient, sector
//! category, year), and under any filter every grouping still adds up to the same total.

use std::collections::BTreeMap;

use aidtrace_domain::filter::Filter;
use aidtrace_domain::fx::RateTable;
use aidtrace_domain::model::{
    Activity, ActivityStatus, CountryShare, Flow, FlowKind, Instrument, Record, SectorShare,
};
use aidtrace_domain::totals::{GroupBy, TotalsReport, totals, totals_where};
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

/// Exact original-currency sums by kind and currency of the rows `keep` selects.
fn sums(
    report: &TotalsReport,
    keep: impl Fn(&str) -> bool,
) -> BTreeMap<(FlowKind, String), Decimal> {
    let mut out = BTreeMap::new();
    for row in report.rows.iter().filter(|r| keep(&r.key)) {
        for (c, s) in &row.original {
            *out.entry((row.kind, c.to_string()))
                .or_insert(Decimal::ZERO) += s.exact().expect("no overflow");
        }
    }
    out.retain(|_, v| !v.is_zero());
    out
}

fn filter(pairs: &[(&str, &str)]) -> Filter {
    Filter::parse(pairs.iter().copied(), &[]).expect("fixture filter")
}

proptest! {
    #[test]
    fn a_recipient_filter_equals_its_row(specs in proptest::collection::vec(flow_spec(), 0..20), split in any::<bool>(), ua in any::<bool>()) {
        let ledger = build(&specs, split);
        let rates = RateTable::imf_annual();
        let country = if ua { "UA" } else { "KZ" };
        let filtered = totals_where(&ledger, &rates, GroupBy::Donor, &filter(&[("recipient", country)]));
        let row = totals(&ledger, &rates, GroupBy::Recipient, &CurrencyCode::usd());
        prop_assert_eq!(sums(&filtered, |_| true), sums(&row, |k| k == country));
    }

    #[test]
    fn a_sector_category_filter_equals_its_rows(specs in proptest::collection::vec(flow_spec(), 0..20), split in any::<bool>()) {
        let ledger = build(&specs, split);
        let rates = RateTable::imf_annual();
        let filtered = totals_where(&ledger, &rates, GroupBy::Recipient, &filter(&[("sector", "122")]));
        let rows = totals(&ledger, &rates, GroupBy::Sector, &CurrencyCode::usd());
        prop_assert_eq!(sums(&filtered, |_| true), sums(&rows, |k| k.starts_with("122")));
    }

    #[test]
    fn a_year_filter_equals_its_row(specs in proptest::collection::vec(flow_spec(), 0..20), year in 2005i32..2024) {
        let ledger = build(&specs, true);
        let rates = RateTable::imf_annual();
        let y = year.to_string();
        let filtered = totals_where(&ledger, &rates, GroupBy::Sector, &filter(&[("year_from", &y), ("year_to", &y)]));
        let rows = totals(&ledger, &rates, GroupBy::Year, &CurrencyCode::usd());
        prop_assert_eq!(sums(&filtered, |_| true), sums(&rows, |k| k == y));
    }

    #[test]
    fn under_a_filter_every_grouping_adds_up(specs in proptest::collection::vec(flow_spec(), 0..20), split in any::<bool>(), from in 2005i32..2024) {
        let ledger = build(&specs, split);
        let rates = RateTable::imf_annual();
        let f = filter(&[("recipient", "KZ"), ("year_from", &from.to_string()), ("sector", "12191")]);
        let reference = sums(&totals_where(&ledger, &rates, GroupBy::Donor, &f), |_| true);
        for by in [GroupBy::Recipient, GroupBy::Sector, GroupBy::Year, GroupBy::Region, GroupBy::Facility] {
            prop_assert_eq!(&sums(&totals_where(&ledger, &rates, by, &f), |_| true), &reference, "{:?}", by);
        }
    }
}
