//! Rules each medicines record must satisfy on its own. Rules across records (a movement against
//! the stock it takes from) are in [`super::stock`].

use super::{
    Consignment, ConsignmentDecision, DecisionOutcome, EssentialMedicine, MAX_QUANTITY,
    MedicineProduct, PackingLine, StockMovement, gs1,
};
use crate::error::{ProblemId, ValidationError};
use crate::model::{non_empty, plausible_date, plausible_dates};

fn language(field: &str, code: &str) -> Result<(), ValidationError> {
    if code.len() == 2 && code.bytes().all(|b| b.is_ascii_lowercase()) {
        Ok(())
    } else {
        Err(ValidationError::new(
            field,
            code,
            "a language is a two-letter ISO 639-1 code in lower case, e.g. uk",
        )
        .because(ProblemId::LanguageCode))
    }
}

fn quantity(field: &str, q: u64) -> Result<(), ValidationError> {
    if q == 0 {
        return Err(
            ValidationError::new(field, q, "a quantity is at least 1 base unit")
                .because(ProblemId::BaseUnitsAtLeastOne),
        );
    }
    if q > MAX_QUANTITY {
        return Err(ValidationError::new(
            field,
            q,
            "implausibly large: at most 10^12 base units per line",
        )
        .because(ProblemId::TooManyBaseUnits)
        .with_text("max", "10^12"));
    }
    Ok(())
}

/// "a packing list has at least one line", for a consignment without lines.
pub fn no_packing_lines() -> ValidationError {
    ValidationError::new("lines", 0, "a packing list has at least one line")
        .because(ProblemId::NoPackingLines)
}

/// A GTIN or scanned GS1 string `value` of `field` that [`gs1`] refuses, with the message id
/// pages word it by (the English message is the GS1 error's own).
pub fn gs1_refusal(field: &str, value: &str, e: &gs1::Gs1Error) -> ValidationError {
    let refusal = ValidationError::new(field, value, e.to_string());
    match e {
        gs1::Gs1Error::GtinDigits(_) => refusal.because(ProblemId::GtinDigits),
        gs1::Gs1Error::CheckDigit {
            found, expected, ..
        } => refusal
            .because(ProblemId::GtinCheckDigit)
            .with_text("found", found)
            .with_text("expected", expected),
        _ => refusal.because(ProblemId::Gs1Unreadable),
    }
}

pub fn product(p: &MedicineProduct) -> Result<(), ValidationError> {
    non_empty("inn", &p.inn)?;
    non_empty("dosage_form", &p.dosage_form)?;
    non_empty("base_unit", &p.base_unit)?;
    if p.pack_size == 0 {
        return Err(
            ValidationError::new("pack_size", 0, "a pack holds at least 1 base unit")
                .because(ProblemId::PackAtLeastOneUnit),
        );
    }
    if let Some(atc) = &p.atc {
        let b = atc.as_bytes();
        let ok = !b.is_empty()
            && b.len() <= 7
            && b[0].is_ascii_uppercase()
            && b.iter().all(u8::is_ascii_alphanumeric);
        if !ok {
            return Err(ValidationError::new(
                "atc",
                atc,
                "an ATC code is up to 7 letters and digits starting with a capital, e.g. J01CA04",
            )
            .because(ProblemId::AtcCode));
        }
    }
    if let Some(gtin) = &p.gtin {
        gs1::check_gtin(gtin).map_err(|e| gs1_refusal("gtin", gtin, &e))?;
    }
    if let Some(price) = &p.reference_unit_price {
        price
            .validate()
            .map_err(|e| e.within("reference_unit_price"))?;
    }
    Ok(())
}

/// A packing line on its own; `shipped` is the consignment's shipment date.
pub fn packing_line(l: &PackingLine, shipped: chrono::NaiveDate) -> Result<(), ValidationError> {
    non_empty("lot", &l.lot)?;
    plausible_date("expiry", l.expiry)?;
    plausible_dates(&[("manufactured", l.manufactured)])?;
    quantity("quantity", l.quantity)?;
    if let Some(m) = l.manufactured
        && l.expiry <= m
    {
        return Err(ValidationError::new(
            "expiry",
            l.expiry,
            format!("expires on or before its manufacture date {m}"),
        )
        .because(ProblemId::ExpiryNotAfterManufacture)
        .with_text("manufactured", m));
    }
    if l.expiry <= shipped {
        return Err(ValidationError::new(
            "expiry",
            l.expiry,
            format!("had already expired when shipped on {shipped}"),
        )
        .because(ProblemId::ExpiredWhenShipped)
        .with_text("shipped", shipped));
    }
    if let Some(v) = l.unit_value {
        if v.is_sign_negative() && !v.is_zero() {
            return Err(
                ValidationError::new("unit_value", v, "must not be negative")
                    .because(ProblemId::Negative),
            );
        }
        crate::money::within_bound("unit_value", v)?;
    }
    for (i, lang) in l.label_languages.iter().enumerate() {
        language(&format!("label_languages[{i}]"), lang)?;
    }
    Ok(())
}

pub fn consignment(c: &Consignment) -> Result<(), ValidationError> {
    plausible_date("shipped", c.shipped)?;
    if let Some(a) = c.arrived {
        plausible_date("arrived", a)?;
        if a < c.shipped {
            return Err(ValidationError::new(
                "arrived",
                a,
                format!("arrives before it was shipped on {}", c.shipped),
            )
            .because(ProblemId::ArrivedBeforeShipped)
            .with_text("shipped", c.shipped));
        }
    }
    if c.recipient_languages.is_empty() {
        return Err(ValidationError::new(
            "recipient_languages",
            "",
            "name at least one language health workers at the recipient read",
        )
        .because(ProblemId::RecipientLanguageNeeded));
    }
    for (i, lang) in c.recipient_languages.iter().enumerate() {
        language(&format!("recipient_languages[{i}]"), lang)?;
    }
    if let Some(v) = &c.declared_value {
        v.validate().map_err(|e| e.within("declared_value"))?;
    }
    if c.lines.is_empty() {
        return Err(no_packing_lines());
    }
    for (i, line) in c.lines.iter().enumerate() {
        packing_line(line, c.shipped).map_err(|e| e.within(&format!("lines[{i}]")))?;
    }
    Ok(())
}

pub fn decision(d: &ConsignmentDecision) -> Result<(), ValidationError> {
    plausible_date("decided_on", d.decided_on)?;
    match d.outcome {
        DecisionOutcome::AcceptInPart if d.accepted_lines.is_empty() => Err(ValidationError::new(
            "accepted_lines",
            "",
            "accepting in part names the lines accepted",
        )
        .because(ProblemId::PartNamesLines)),
        DecisionOutcome::Accept | DecisionOutcome::Reject if !d.accepted_lines.is_empty() => {
            Err(ValidationError::new(
                "accepted_lines",
                format!("{:?}", d.accepted_lines),
                "only a decision to accept in part names lines",
            )
            .because(ProblemId::LinesOnlyInPart))
        }
        _ => Ok(()),
    }
}

pub fn movement(m: &StockMovement) -> Result<(), ValidationError> {
    plausible_date("date", m.date)?;
    non_empty("lot", &m.lot)?;
    quantity("quantity", m.quantity)?;
    match (m.kind.takes_from(), &m.from) {
        (true, None) => {
            return Err(ValidationError::new(
                "from",
                "",
                format!(
                    "a {} movement names the facility stock leaves",
                    <&str>::from(m.kind)
                ),
            )
            .because(ProblemId::FromFacilityNeeded));
        }
        (false, Some(f)) => {
            return Err(ValidationError::new(
                "from",
                f,
                "a receipt comes from its consignment, not from a facility",
            )
            .because(ProblemId::ReceiptFromFacility));
        }
        _ => {}
    }
    match (m.kind.puts_into(), &m.to) {
        (true, None) => {
            return Err(ValidationError::new(
                "to",
                "",
                format!(
                    "a {} movement names the facility stock arrives at",
                    <&str>::from(m.kind)
                ),
            )
            .because(ProblemId::ToFacilityNeeded));
        }
        (false, Some(t)) => {
            return Err(ValidationError::new(
                "to",
                t,
                "stock used, lost, expired or destroyed goes to no facility",
            )
            .because(ProblemId::ConsumedToFacility));
        }
        _ => {}
    }
    if let (Some(f), Some(t)) = (&m.from, &m.to)
        && f == t
    {
        return Err(ValidationError::new(
            "to",
            t,
            "a distribution goes to another facility than the one it leaves",
        )
        .because(ProblemId::DistributionToSameFacility));
    }
    Ok(())
}

pub fn essential_medicine(e: &EssentialMedicine) -> Result<(), ValidationError> {
    non_empty("inn", &e.inn)?;
    if e.sources.is_empty() {
        return Err(ValidationError::new(
            "sources",
            "",
            "an essential medicines list entry cites the list it comes from",
        )
        .because(ProblemId::EssentialListSourceNeeded));
    }
    Ok(())
}
