//! Properties of the filter over random programme/project ledgers with split percentages: a
//! filtered total equals the matching row of the unfiltered grouping (recipient, sector
//! category, year), and under any filter every grouping still adds up to the same total.

use std::collections::BTreeMap;

use aidtrace_domain::CurrencyCode;
use aidtrace_domain::filter::Filter;
use aidtrace_domain::fx::RateTable;
use aidtrace_domain::model::FlowKind;
use aidtrace_domain::totals::{GroupBy, TotalsReport, totals, totals_where};

use proptest::prelude::*;
use rust_decimal::Decimal;

mod ledger_gen;

use ledger_gen::{build, flow_spec};

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
