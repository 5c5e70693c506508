//! Rules that need today's date: an activity still in implementation after its end date, and a
//! commitment nothing was disbursed against for too long. The domain has no clock, so the date
//! comes in through [`Options::as_of`] (the service passes its injectable clock's date); without
//! one these rules are not run.

use chrono::NaiveDate;

use super::{Finding, Message, Options, finding};
use crate::ledger::Ledger;
use crate::model::{ActivityStatus, FlowKind, RecordKind};

pub(super) fn run(ledger: &Ledger, options: &Options, out: &mut Vec<Finding>) {
    let Some(today) = options.as_of else {
        return;
    };
    for a in ledger.activities.values() {
        if a.status == ActivityStatus::Implementation
            && let Some(end) = a.end_date.filter(|end| *end < today)
        {
            out.push(finding(
                "ACT-OVERDUE",
                RecordKind::Activity,
                &a.id,
                format!(
                    "ended on {end}, {} days before {today}, but its status is still implementation",
                    (today - end).num_days()
                ),
            )
            .said(
                Message::new("act-overdue")
                    .date("end", end)
                    .count("days", (today - end).num_days())
                    .date("today", today),
            ));
        }
        undisbursed(ledger, &a.id, a.status, today, options, out);
    }
}

/// A dated commitment older than the limit, in an activity (or below it) with no disbursement or
/// expenditure at all: the money may be stuck, or the disbursements were never recorded.
fn undisbursed(
    ledger: &Ledger,
    activity: &crate::codes::RecordId,
    status: ActivityStatus,
    today: NaiveDate,
    options: &Options,
    out: &mut Vec<Finding>,
) {
    // A cancelled activity's commitments are void; nothing is expected to be paid.
    if status == ActivityStatus::Cancelled {
        return;
    }
    let mut family = vec![activity.clone()];
    family.extend(ledger.descendants(activity));
    let paid = family.iter().any(|id| {
        ledger
            .flows_of(id)
            .any(|f| matches!(f.kind, FlowKind::Disbursement | FlowKind::Expenditure))
    });
    if paid {
        return;
    }
    let limit = i64::from(options.undisbursed_after_days);
    for c in ledger
        .flows_of(activity)
        .filter(|f| f.kind == FlowKind::Commitment && !f.reversal)
    {
        let Some(day) = c.money.value_date else {
            continue;
        };
        let age = (today - day).num_days();
        if age > limit {
            out.push(finding(
                "LEDGER-UNDISBURSED",
                RecordKind::Flow,
                &c.id,
                format!(
                    "committed on {day}, {age} days before {today} (limit {limit} days), and nothing has been disbursed for activity {activity}"
                ),
            )
            .said(
                Message::new("ledger-undisbursed")
                    .date("date", day)
                    .count("days", age)
                    .date("today", today)
                    .count("limit", limit)
                    .text("activity", activity),
            ));
        }
    }
}
