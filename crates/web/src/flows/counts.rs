//! The dashboard's count cards under a filter. Unfiltered they count the whole ledger; filtered
//! they count what the filter selects, by the same rules the lists behind them use, so a card
//! and the list it opens agree:
//!
//! - activities: those `Filter::keeps_activity` keeps (the `/activities` list);
//! - flows: those with a part the filter keeps (`totals::kept_part`, the `/flows` list with its
//!   excluded flows);
//! - facilities: those the kept activities (or the programme above them) name, and only the
//!   chosen one when the filter names a facility;
//! - organisations: the participants of the kept activities and the providers and receivers of
//!   the kept flows;
//! - findings: those about one of these records or an equipment line of a kept activity.

use std::collections::HashSet;

use aidtrace_domain::checks::Severity;
use aidtrace_domain::filter::Filter;
use aidtrace_domain::totals;
use aidtrace_domain::{RecordId, RecordKind};

use crate::state::Snapshot;

/// What the dashboard's cards show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub activities: usize,
    pub flows: usize,
    pub facilities: usize,
    pub organisations: usize,
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

impl Counts {
    /// Errors and warnings: what the findings card calls problems.
    pub fn problems(&self) -> usize {
        self.errors.saturating_add(self.warnings)
    }

    fn count_finding(&mut self, severity: Severity) {
        let slot = match severity {
            Severity::Error => &mut self.errors,
            Severity::Warning => &mut self.warnings,
            Severity::Info => &mut self.notes,
        };
        *slot = slot.saturating_add(1);
    }
}

/// The cards' figures for `filter` (every flow and activity is looked at once when filtered).
/// Blocks: call off the async threads.
pub fn counts(snap: &Snapshot, filter: &Filter) -> Counts {
    let ledger = &snap.ledger;
    let mut out = Counts::default();
    if filter.is_everything() {
        out.activities = ledger.activities.len();
        out.flows = ledger.flows.len();
        out.facilities = ledger.facilities.len();
        out.organisations = ledger.organisations.len();
        for f in snap.findings.iter() {
            out.count_finding(f.severity);
        }
        return out;
    }
    let mut kept: HashSet<(RecordKind, &RecordId)> = HashSet::new();
    let mut organisations: HashSet<&RecordId> = HashSet::new();
    let mut facilities: HashSet<&RecordId> = HashSet::new();
    for a in ledger.activities.values() {
        if !filter.keeps_activity(ledger, a) {
            continue;
        }
        out.activities += 1;
        kept.insert((RecordKind::Activity, &a.id));
        organisations.extend(a.participants.iter().map(|p| &p.org));
        // An activity without its own facilities supplies those of the programme above it, as
        // the facility condition of the filter reads them.
        let named = ledger
            .lineage(&a.id)
            .into_iter()
            .find(|l| !l.facilities.is_empty())
            .map(|l| l.facilities.as_slice())
            .unwrap_or_default();
        facilities.extend(
            named
                .iter()
                .filter(|f| filter.facility.as_ref().is_none_or(|want| want == *f))
                .filter(|f| ledger.facilities.contains_key(*f)),
        );
    }
    for flow in ledger.flows.values() {
        if totals::kept_part(ledger, flow, filter).is_none() {
            continue;
        }
        out.flows += 1;
        kept.insert((RecordKind::Flow, &flow.id));
        organisations.extend(flow.provider.iter().chain(flow.receiver.iter()));
    }
    for line in ledger.equipment_lines.values() {
        if kept.contains(&(RecordKind::Activity, &line.activity)) {
            kept.insert((RecordKind::EquipmentLine, &line.id));
        }
    }
    organisations.retain(|o| ledger.organisations.contains_key(*o));
    out.facilities = facilities.len();
    out.organisations = organisations.len();
    for f in facilities {
        kept.insert((RecordKind::Facility, f));
    }
    for o in organisations {
        kept.insert((RecordKind::Organisation, o));
    }
    for f in snap.findings.iter() {
        if kept.contains(&(f.record_kind, &f.record)) {
            out.count_finding(f.severity);
        }
    }
    out
}
