//! A donated consignment's value in the ledger: an in-kind disbursement of the activity that
//! funds it, counted once.
//!
//! The rule (docs/medicines.md, "In-kind value"):
//! 1. A consignment's value enters totals only through the flow its `value_flow` names; the
//!    consignment itself is never added to a total.
//! 2. The first decision that accepts a consignment of an activity, when `value_flow` is empty,
//!    writes the in-kind disbursement (`<consignment>-in-kind`) and links it, in the decision's
//!    batch (hence audited with who decided). Accepted in full, its value is the declared value;
//!    in part, the accepted lines' quantity × unit value, in the declared currency. Without a
//!    declared value (or, in part, without a unit value on an accepted line) nothing is written.
//! 3. When a flow for the same goods is already recorded (say, the donor's own disbursement from
//!    IATI), the consignment names it in `value_flow` and no other flow is written: the goods
//!    are counted once, as that flow.
//! 4. Money already in the ledger is not rewritten by a later decision: a correction is a
//!    reversal flow, as for any disbursement.
//!
//! In IATI such a flow is a disbursement (transaction type 3) with finance type 110 "Standard
//! grant" ("transfers in cash or in kind for which no legal debt is incurred") and disbursement
//! channel 4 "Aid in kind: donors manage funds themselves" (mode `direct`) or 3 "Aid in kind:
//! donors utilise third party agencies" (mode `through_agency`), the two in-kind codes of the
//! IATI DisbursementChannel codelist.

use std::collections::BTreeMap;

use aidtrace_domain::error::{ProblemArg, ProblemId};
use aidtrace_domain::medicines::{
    Consignment, ConsignmentDecision, ConsignmentMode, DecisionOutcome, ValueBasis,
};
use aidtrace_domain::model::{Flow, FlowKind};
use aidtrace_domain::{Ledger, Money, Record, RecordId, RecordKind, ValidationError};
use rust_decimal::Decimal;

use crate::{Aidtrace, ServiceError, ServiceResult};

/// IATI FinanceType 110, "Standard grant": grants in cash or in kind.
pub const IN_KIND_FINANCE_TYPE: &str = "110";

/// The IATI DisbursementChannel code of an in-kind consignment.
pub fn disbursement_channel(mode: ConsignmentMode) -> &'static str {
    match mode {
        ConsignmentMode::Direct => "4",
        ConsignmentMode::ThroughAgency => "3",
    }
}

/// Each flow that carries consignments' value, with those consignments (in id order).
pub fn carried_by(ledger: &Ledger) -> BTreeMap<&RecordId, Vec<&Consignment>> {
    let mut out: BTreeMap<&RecordId, Vec<&Consignment>> = BTreeMap::new();
    for c in ledger.consignments.values() {
        if let Some(f) = &c.value_flow {
            out.entry(f).or_default().push(c);
        }
    }
    out
}

/// The id of the in-kind flow a decision writes for `consignment`.
pub fn in_kind_flow_id(consignment: &RecordId) -> ServiceResult<RecordId> {
    RecordId::parse(&format!("{consignment}-in-kind")).map_err(|e| ServiceError::invalid("id", e))
}

/// The value a decision accepts, in the declared currency, valued at the arrival date (or the
/// decision's); `None` when there is nothing to value (rule 2).
pub fn accepted_value(
    c: &Consignment,
    d: &ConsignmentDecision,
) -> Result<Option<Money>, ValidationError> {
    let Some(declared) = &c.declared_value else {
        return Ok(None);
    };
    let amount = match d.outcome {
        DecisionOutcome::Reject => return Ok(None),
        DecisionOutcome::Accept => declared.amount,
        DecisionOutcome::AcceptInPart => {
            let mut sum = Decimal::ZERO;
            for &i in &d.accepted_lines {
                let Some(line) = c.lines.get(i) else {
                    return Ok(None);
                };
                let Some(unit) = line.unit_value else {
                    return Ok(None);
                };
                // Checked: stored amounts never panic, however large.
                let value = unit
                    .checked_mul(Decimal::from(line.quantity))
                    .and_then(|v| sum.checked_add(v))
                    .ok_or_else(|| {
                        ValidationError::new(
                            format!("lines[{i}].unit_value"),
                            unit,
                            "the accepted lines' value is too large to add up",
                        )
                        .because(ProblemId::AcceptedValueOverflow)
                    })?;
                sum = value;
            }
            sum
        }
    };
    if amount.is_zero() {
        return Ok(None);
    }
    Money::new(
        amount,
        declared.currency.clone(),
        Some(c.arrived.unwrap_or(d.decided_on)),
    )
    .map(Some)
}

fn basis_text(b: ValueBasis) -> &'static str {
    match b {
        ValueBasis::RecipientWholesalePrice => "the recipient country's wholesale price",
        ValueBasis::WorldMarketPrice => "the world market price",
        ValueBasis::DonorWholesalePrice => "the donor's wholesale price",
        ValueBasis::DonorRetailPrice => "the donor's retail price",
        ValueBasis::Unknown => "an unstated basis",
    }
}

/// The records a decision adds for the consignment's value: the in-kind flow and the consignment
/// linked to it, or nothing (rules 2–4).
pub(crate) fn records_for_decision(
    app: &Aidtrace,
    c: &Consignment,
    d: &ConsignmentDecision,
) -> ServiceResult<Vec<Record>> {
    let Some(activity) = &c.activity else {
        return Ok(Vec::new());
    };
    if c.value_flow.is_some() {
        return Ok(Vec::new());
    }
    let id = in_kind_flow_id(&c.id)?;
    if app.store().get(RecordKind::Flow, &id)?.is_some() {
        return Ok(Vec::new());
    }
    let Some(money) = accepted_value(c, d)
        .map_err(|e| ServiceError::invalid(format!("consignment {}", c.id), e))?
    else {
        return Ok(Vec::new());
    };
    let accepted = match d.outcome {
        DecisionOutcome::AcceptInPart => d.accepted_lines.len(),
        _ => c.lines.len(),
    };
    let flow = Flow {
        id: id.clone(),
        activity: activity.clone(),
        kind: FlowKind::Disbursement,
        money,
        provider: Some(c.donor.clone()),
        receiver: None,
        parent_flow: None,
        reversal: false,
        stated_equivalent: None,
        recorded_rate: None,
        description: Some(format!(
            "In-kind donation of medicines and supplies: consignment {}, {accepted} of {} packing \
             lines accepted ({}), valued at {}",
            c.id,
            c.lines.len(),
            d.id,
            basis_text(c.value_basis),
        )),
        sources: c.sources.clone(),
    };
    let mut linked = c.clone();
    linked.value_flow = Some(id);
    Ok(vec![Record::Flow(flow), Record::Consignment(linked)])
}

/// A consignment's `value_flow` names a disbursement of its own activity (rule 3); checked
/// before a consignment is recorded from a header.
pub fn check_value_flow(ledger: &Ledger, c: &Consignment) -> ServiceResult<()> {
    let Some(f) = &c.value_flow else {
        return Ok(());
    };
    let refuse =
        |message: String, id: ProblemId| ValidationError::new("value_flow", f, message).because(id);
    let refused =
        |e: ValidationError| Err(ServiceError::invalid(format!("consignment {}", c.id), e));
    let Some(flow) = ledger.flows.get(f) else {
        return refused(
            refuse("no such flow".into(), ProblemId::NoSuchRecord)
                .arg("kind", ProblemArg::Kind(RecordKind::Flow)),
        );
    };
    if flow.kind != FlowKind::Disbursement {
        return refused(refuse(
            "the flow carrying a consignment's value is a disbursement".into(),
            ProblemId::ValueFlowNotDisbursement,
        ));
    }
    if c.activity.as_ref() != Some(&flow.activity) {
        let activity = c.activity.as_ref().map_or("none", RecordId::as_str);
        return refused(
            refuse(
                format!(
                    "the flow is of activity {}, the consignment of {activity}",
                    flow.activity,
                ),
                ProblemId::ValueFlowOtherActivity,
            )
            .with_text("flow_activity", &flow.activity)
            // No activity is a dash on pages, not the English "none".
            .with_text(
                "activity",
                c.activity.as_ref().map_or("—", RecordId::as_str),
            ),
        );
    }
    Ok(())
}

/// One in-kind flow of an activity, for its page: the flow, its value and the consignments it
/// carries with their value basis.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InKindRow {
    pub flow: RecordId,
    pub money: Money,
    pub consignments: Vec<RecordId>,
    pub basis: Vec<ValueBasis>,
}

/// The in-kind flows of an activity.
pub fn in_kind_of_activity(ledger: &Ledger, activity: &RecordId) -> Vec<InKindRow> {
    carried_by(ledger)
        .into_iter()
        .filter_map(|(f, cs)| {
            let flow = ledger.flows.get(f)?;
            (&flow.activity == activity).then(|| InKindRow {
                flow: f.clone(),
                money: flow.money.clone(),
                consignments: cs.iter().map(|c| c.id.clone()).collect(),
                basis: cs.iter().map(|c| c.value_basis).collect(),
            })
        })
        .collect()
}
