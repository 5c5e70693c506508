//! Entering a consignment and what happens to it, as the browser form does: every field problem
//! of a consignment not yet recorded (not only the first), its WHO guideline findings before
//! anything is saved, a scanned GS1 string turned into a packing line's fields (the product found
//! by its GTIN), and the records of a decision or a movement built without writing them, so the
//! caller sends them through the approval workflow (`changes::write`) like any other edit.

use aidtrace_domain::medicines::guidelines::{self, Finding, GuidelineConfig, GuidelineContext};
use aidtrace_domain::medicines::{
    Consignment, ConsignmentDecision, DecisionOutcome, EssentialMedicine, MedicineProduct,
    MovementKind, StockMovement, gs1, validate,
};
use aidtrace_domain::{Ledger, Record, RecordId, RecordKind, ValidationError};
use chrono::NaiveDate;
use std::collections::HashMap;

use crate::medicines::{NewMovement, fresh_id, monthly_consumption};
use crate::{Aidtrace, ServiceError, ServiceResult};

/// Every field problem of a consignment, each named by its path (`shipped`,
/// `lines[2].expiry`): the header's, then each line's on its own, so one pass fixes the form.
pub fn consignment_problems(c: &Consignment) -> Vec<ValidationError> {
    let mut out = Vec::new();
    // The header on its own: the domain rule stops at its first problem, and the lines are
    // checked one by one below.
    let mut header = c.clone();
    header.lines.clear();
    if let Err(e) = validate::consignment(&header)
        && e.field != "lines"
    {
        out.push(e);
    }
    if c.lines.is_empty() {
        out.push(validate::no_packing_lines());
    }
    for (i, line) in c.lines.iter().enumerate() {
        if let Err(e) = validate::packing_line(line, c.shipped) {
            out.push(e.within(&format!("lines[{i}]")));
        }
    }
    out
}

/// The guideline findings of a consignment that may not be stored yet (the form's "Check"
/// step), against the ledger's products, essential medicines lists and recorded consumption.
pub fn check_draft(
    ledger: &Ledger,
    c: &Consignment,
    cfg: &GuidelineConfig,
    today: NaiveDate,
) -> Vec<Finding> {
    let products: HashMap<RecordId, MedicineProduct> = ledger
        .medicine_products
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let essential: Vec<EssentialMedicine> = ledger.essential_medicines.values().cloned().collect();
    let consumption = monthly_consumption(ledger, &c.destination, c.arrived.unwrap_or(today));
    let ctx = GuidelineContext {
        products: &products,
        essential: &essential,
        monthly_consumption: &consumption,
        today,
    };
    guidelines::check(c, &ctx, cfg)
}

/// A scanned GS1 element string read into a packing line's fields, with the recorded product
/// whose GTIN it carries (a GTIN no product has leaves the product to be chosen).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannedLine {
    pub fields: gs1::Gs1Fields,
    pub product: Option<RecordId>,
}

/// Reads one scanned string; the error names the packing-line field it is about.
pub fn scan(ledger: &Ledger, text: &str, today: NaiveDate) -> Result<ScannedLine, gs1::Gs1Error> {
    let fields = gs1::parse(text, today)?;
    let product = fields
        .gtin
        .as_ref()
        .and_then(|g| product_by_gtin(ledger, g));
    Ok(ScannedLine { fields, product })
}

/// The recorded product with this GTIN. GTIN-8, -12 and -13 are the GTIN-14 with leading
/// zeros, so they compare padded to 14 digits.
pub fn product_by_gtin(ledger: &Ledger, gtin: &str) -> Option<RecordId> {
    let padded = |g: &str| format!("{g:0>14}");
    let wanted = padded(gtin.trim());
    ledger
        .medicine_products
        .values()
        .find(|p| {
            p.gtin
                .as_deref()
                .is_some_and(|g| padded(g.trim()) == wanted)
        })
        .map(|p| p.id.clone())
}

/// The records of a decision on a stored consignment, not written: the decision with the rule
/// ids of the findings the decider saw and, when it accepts, a receipt of each accepted line at
/// the destination. A rejection gives its reason; lines accepted in part must exist.
pub fn decision_records(
    app: &Aidtrace,
    consignment: &RecordId,
    outcome: DecisionOutcome,
    accepted_lines: Vec<usize>,
    reason: Option<String>,
) -> ServiceResult<Vec<Record>> {
    let ledger = app.ledger()?;
    let today = app.now().date();
    let c = ledger
        .consignments
        .get(consignment)
        .ok_or_else(|| ServiceError::NotFound(format!("no consignment {consignment}")))?;
    let label = format!("consignment_decision {consignment}");
    let reason = reason
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    if outcome == DecisionOutcome::Reject && reason.is_none() {
        return Err(ServiceError::invalid(
            label,
            ValidationError::new("reason", "", "a rejection needs a reason")
                .because(aidtrace_domain::error::ProblemId::ReasonNeeded),
        ));
    }
    if let Some(&bad) = accepted_lines.iter().find(|&&i| i >= c.lines.len()) {
        return Err(ServiceError::invalid(
            label,
            ValidationError::new(
                "accepted_lines",
                bad,
                format!(
                    "the packing list has {} lines, numbered from 0",
                    c.lines.len()
                ),
            )
            .because(aidtrace_domain::error::ProblemId::NoSuchLine)
            .with_text("count", c.lines.len()),
        ));
    }
    let findings = check_draft(&ledger, c, &GuidelineConfig::default(), today);
    let id = fresh_id(
        app,
        RecordKind::ConsignmentDecision,
        &format!("{consignment}-decision"),
    )?;
    let mut seen: Vec<String> = findings.iter().map(|f| f.rule.id().to_string()).collect();
    seen.sort();
    seen.dedup();
    let mut accepted_lines = accepted_lines;
    accepted_lines.sort_unstable();
    accepted_lines.dedup();
    let decision = ConsignmentDecision {
        id,
        consignment: consignment.clone(),
        decided_on: today,
        outcome,
        accepted_lines: accepted_lines.clone(),
        findings_seen: seen,
        reason,
    };
    // The consignment's value as an in-kind disbursement of its activity, audited with the
    // decision (crate::medicine_in_kind).
    let in_kind = crate::medicine_in_kind::records_for_decision(app, c, &decision)?;
    let mut batch = vec![Record::ConsignmentDecision(decision)];
    batch.extend(in_kind);
    let received_on = c.arrived.unwrap_or(today);
    for (i, line) in c.lines.iter().enumerate() {
        let take = match outcome {
            DecisionOutcome::Accept => true,
            DecisionOutcome::AcceptInPart => accepted_lines.contains(&i),
            DecisionOutcome::Reject => false,
        };
        if take {
            batch.push(Record::StockMovement(StockMovement {
                id: fresh_id(
                    app,
                    RecordKind::StockMovement,
                    &format!("{consignment}-receipt-{i}"),
                )?,
                kind: MovementKind::Receipt,
                date: received_on,
                consignment: consignment.clone(),
                product: line.product.clone(),
                lot: line.lot.clone(),
                from: None,
                to: Some(c.destination.clone()),
                quantity: line.quantity,
                note: None,
            }));
        }
    }
    Ok(batch)
}

/// The record of one movement, not written, with a fresh id.
pub fn movement_record(app: &Aidtrace, m: NewMovement) -> ServiceResult<Record> {
    let stem = format!(
        "mv-{}-{}-{}",
        m.consignment,
        <&str>::from(m.kind),
        m.date.format("%Y%m%d")
    );
    let id = fresh_id(app, RecordKind::StockMovement, &stem)?;
    Ok(Record::StockMovement(StockMovement {
        id,
        kind: m.kind,
        date: m.date,
        consignment: m.consignment,
        product: m.product,
        lot: m.lot,
        from: m.from,
        to: m.to,
        quantity: m.quantity,
        note: m.note,
    }))
}

/// A fresh consignment id from the donor and the shipment date (`con-<donor>-<yyyymmdd>`).
pub fn consignment_id(
    app: &Aidtrace,
    donor: &RecordId,
    shipped: NaiveDate,
) -> ServiceResult<RecordId> {
    let donor = donor
        .as_str()
        .strip_prefix("org-")
        .unwrap_or(donor.as_str());
    fresh_id(
        app,
        RecordKind::Consignment,
        &format!("con-{donor}-{}", shipped.format("%Y%m%d")),
    )
}
