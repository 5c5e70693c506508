//! Properties of totals over random programme/project ledgers: no flow is counted together with
//! its envelope, and every grouping adds up to the same grand total.

use std::collections::BTreeSet;

use aidtrace_domain::fx::RateTable;
use aidtrace_domain::totals::{GroupBy, exclusion, totals};
use aidtrace_domain::{CurrencyCode, RecordId};

use proptest::prelude::*;
use rust_decimal::Decimal;

mod ledger_gen;

use ledger_gen::{build, flow_spec};

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
