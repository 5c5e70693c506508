//! Equipment lines against the commitment they are bought with: where every line of an activity
//! states a quantity and a unit cost and the lines and the commitments share one currency, their
//! sum should be the commitment. Compared in that currency only (exact, no exchange rate decides
//! it); lines in mixed currencies are left to EQ-OVERCOST, which compares converted dollars.

use rust_decimal::Decimal;

use super::{Finding, Message, finding, fmt_amount, sum_in_one_currency};
use crate::ledger::Ledger;
use crate::model::{FlowKind, RecordKind};

/// How far the lines may be from the commitment, as a share of the commitment, before it is
/// flagged: 1 % absorbs rounding of unit costs to whole currency units.
pub const EQUIPMENT_TOLERANCE: Decimal = Decimal::from_parts(1, 0, 0, false, 2);

pub(super) fn run(ledger: &Ledger, out: &mut Vec<Finding>) {
    for a in ledger.activities.values() {
        let lines: Vec<_> = ledger.equipment_of(&a.id).collect();
        if lines.is_empty() {
            continue;
        }
        let own_flows: Vec<_> = ledger.flows_of(&a.id).collect();
        let Some((currency, committed)) = sum_in_one_currency(&own_flows, FlowKind::Commitment)
        else {
            continue;
        };
        let Some(committed) = committed.exact().filter(|c| *c > Decimal::ZERO) else {
            continue;
        };
        // Every line must give both figures in the commitment's currency; otherwise the lines'
        // sum is unknown, and nothing is claimed.
        let mut sum = Some(Decimal::ZERO);
        for line in &lines {
            let (Some(qty), Some(cost)) = (line.quantity, line.unit_cost.as_ref()) else {
                sum = None;
                break;
            };
            if cost.currency != currency {
                sum = None;
                break;
            }
            sum = sum
                .and_then(|s| cost.amount.checked_mul(Decimal::from(qty)).map(|c| (s, c)))
                .and_then(|(s, c)| s.checked_add(c));
            if sum.is_none() {
                break;
            }
        }
        let Some(sum) = sum else {
            continue;
        };
        let Some(off) = sum
            .checked_sub(committed)
            .and_then(|d| d.abs().checked_div(committed))
        else {
            continue;
        };
        if off > EQUIPMENT_TOLERANCE {
            let f = finding(
                "EQ-SUM",
                RecordKind::Activity,
                &a.id,
                format!(
                    "{} (quantity × unit cost) add up to {} {currency}, but the commitments are {} {currency}",
                    match lines.len() {
                        1 => "1 equipment line".to_string(),
                        n => format!("{n} equipment lines"),
                    },
                    fmt_amount(sum),
                    fmt_amount(committed)
                ),
            )
            .with_ratio(sum.checked_div(committed).map(|r| r.round_dp(4)))
            .said(
                Message::new("eq-sum")
                    .count("lines", i64::try_from(lines.len()).unwrap_or(i64::MAX))
                    .amount("sum", sum)
                    .text("currency", &currency)
                    .amount("committed", committed),
            );
            out.push(f);
        }
    }
}
