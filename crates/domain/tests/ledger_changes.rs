//! A ledger changed in place by a committed write (`Ledger::with_changes`, how the web's read
//! model follows writes) is the ledger built from scratch from the records as they now stand:
//! same records, same envelope exclusions, same totals under every grouping.

use aidtrace_domain::fx::RateTable;
use aidtrace_domain::totals::{GroupBy, exclusion, totals};
use aidtrace_domain::{CurrencyCode, Record, RecordKind};

use proptest::prelude::*;

mod ledger_gen;

use ledger_gen::{build, flow_spec};

fn all_records(ledger: &aidtrace_domain::Ledger) -> Vec<Record> {
    let mut out: Vec<Record> = ledger
        .activities
        .values()
        .cloned()
        .map(Record::Activity)
        .collect();
    out.extend(ledger.flows.values().cloned().map(Record::Flow));
    out
}

proptest! {
    #[test]
    fn changing_a_ledger_in_place_equals_building_it_again(
        before in proptest::collection::vec(flow_spec(), 0..20),
        after in proptest::collection::vec(flow_spec(), 0..20),
        split_before in any::<bool>(),
        split_after in any::<bool>(),
    ) {
        let old = build(&before, split_before);
        let new = build(&after, split_after);
        let deleted: Vec<_> = old
            .flows
            .keys()
            .filter(|id| !new.flows.contains_key(*id))
            .map(|id| (RecordKind::Flow, id.clone()))
            .collect();
        let changed = old.clone().with_changes(all_records(&new), &deleted);
        prop_assert_eq!(&changed.flows, &new.flows);
        prop_assert_eq!(&changed.activities, &new.activities);
        for flow in new.flows.values() {
            prop_assert_eq!(exclusion(&changed, flow), exclusion(&new, flow), "flow {}", flow.id);
        }
        let rates = RateTable::imf_annual();
        let usd = CurrencyCode::usd();
        for by in [GroupBy::Donor, GroupBy::Recipient, GroupBy::Region, GroupBy::Sector, GroupBy::Year, GroupBy::Facility] {
            prop_assert_eq!(totals(&changed, &rates, by, &usd), totals(&new, &rates, by, &usd));
        }
    }
}
