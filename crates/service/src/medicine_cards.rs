//! The medicines figures of the dashboard, counted from the stock the movements give (never a
//! stored number): consignments received, lots on hand expiring within 90 days, expired lots
//! still on hand, and the guideline findings on consignments nobody has decided on yet.

use std::collections::BTreeSet;

use aidtrace_domain::Ledger;
use aidtrace_domain::medicines::guidelines::GuidelineConfig;
use aidtrace_domain::medicines::stock::ExpiryBand;
use chrono::NaiveDate;
use serde::Serialize;

use crate::ServiceResult;
use crate::medicine_entry::check_draft;
use crate::medicines::{latest_decisions, stock_report};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MedicineCounts {
    /// Consignments with at least one lot received (accepted in whole or in part).
    pub received: usize,
    /// Lots (of one consignment) with stock on hand somewhere that expire within 90 days.
    pub expiring_90_days: usize,
    /// Lots with stock on hand past their expiry date.
    pub expired: usize,
    /// Guideline findings on consignments without a decision.
    pub open_findings: usize,
}

/// The dashboard's medicines figures as of `today`.
pub fn counts(ledger: &Ledger, today: NaiveDate) -> ServiceResult<MedicineCounts> {
    let rows = stock_report(ledger, today, None, None)?;
    let lots_in = |bands: &[ExpiryBand]| {
        rows.iter()
            .filter(|r| r.on_hand > 0 && r.band.is_some_and(|b| bands.contains(&b)))
            .map(|r| (&r.consignment, &r.product, &r.lot))
            .collect::<BTreeSet<_>>()
            .len()
    };
    let received = ledger
        .stock_movements
        .values()
        .filter(|m| m.kind == aidtrace_domain::medicines::MovementKind::Receipt)
        .map(|m| &m.consignment)
        .collect::<BTreeSet<_>>()
        .len();
    let decided = latest_decisions(ledger);
    let cfg = GuidelineConfig::default();
    let open_findings = ledger
        .consignments
        .values()
        .filter(|c| !decided.contains_key(&c.id))
        .map(|c| check_draft(ledger, c, &cfg, today).len())
        .sum();
    Ok(MedicineCounts {
        received,
        expiring_90_days: lots_in(&[ExpiryBand::Within30Days, ExpiryBand::Within90Days]),
        expired: lots_in(&[ExpiryBand::Expired]),
        open_findings,
    })
}
