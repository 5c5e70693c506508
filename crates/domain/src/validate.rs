//! Rules a record must satisfy on its own, before the store sees it. Rules that need other
//! records (does the activity exist?) live in the service.

use rust_decimal::Decimal;

use crate::error::{ProblemId, ValidationError};
use crate::model::{
    Activity, Budget, Claim, EquipmentLine, Facility, Flow, FlowKind, Organisation, Partnership,
    Record, Source, non_empty, plausible_date, plausible_dates,
};
use crate::money::{Money, within_bound};

pub fn validate(record: &Record) -> Result<(), ValidationError> {
    crate::text::plain_text(record)?;
    by_kind(record)
}

fn by_kind(record: &Record) -> Result<(), ValidationError> {
    match record {
        Record::Source(s) => source(s),
        Record::Organisation(o) => organisation(o),
        Record::Facility(f) => facility(f),
        Record::Activity(a) => activity(a),
        Record::Flow(f) => flow(f),
        Record::Budget(b) => budget(b),
        Record::EquipmentLine(e) => equipment_line(e),
        Record::Partnership(p) => partnership(p),
        Record::MarketRegistration(m) => plausible_dates(&[("as_of", m.as_of)]),
        Record::Claim(c) => claim(c),
        Record::DeviceModel(r) => crate::assets::validate::device_model(r),
        Record::FacilityPower(r) => crate::assets::validate::facility_power(r),
        Record::Population(r) => crate::assets::validate::population(r),
        Record::EquipmentStandard(r) => crate::assets::validate::equipment_standard(r),
        Record::Asset(r) => crate::assets::validate::asset(r),
        Record::MaintenancePlan(r) => crate::assets::validate::maintenance_plan(r),
        Record::WorkOrder(r) => crate::assets::validate::work_order(r),
        Record::AssetEvent(r) => crate::assets::validate::asset_event(r),
        Record::Downtime(r) => crate::assets::validate::downtime(r),
        Record::MeterReading(r) => crate::assets::validate::meter_reading(r),
        Record::DonationCheck(r) => crate::assets::validate::donation_check(r),
        Record::IntakeDraft(d) => intake_draft(d),
        Record::DensityReference(r) => crate::assets::validate::density_reference(r),
        Record::MedicineProduct(r) => crate::medicines::validate::product(r),
        Record::EssentialMedicine(r) => crate::medicines::validate::essential_medicine(r),
        Record::Consignment(r) => crate::medicines::validate::consignment(r),
        Record::ConsignmentDecision(r) => crate::medicines::validate::decision(r),
        Record::StockMovement(r) => crate::medicines::validate::movement(r),
        Record::Contract(r) => crate::assets::contract::validate(r),
        Record::SparePart(r) => crate::assets::parts::validate_part(r),
        Record::PartMovement(r) => crate::assets::parts::validate_movement(r),
        Record::Incident(r) => crate::assets::recall::validate_incident(r),
        Record::FieldSafetyNotice(r) => crate::assets::recall::validate_notice(r),
    }
}

fn intake_draft(d: &crate::model::IntakeDraft) -> Result<(), ValidationError> {
    use crate::model::DraftStatus;
    non_empty("title", &d.title)?;
    non_empty("submitted_by", &d.submitted_by)?;
    plausible_dates(&[("published", d.published)])?;
    for (i, f) in d.facts.iter().enumerate() {
        // A rejection without its reason loses the review's only output.
        if f.status == DraftStatus::Rejected
            && f.reason.as_deref().is_none_or(|r| r.trim().is_empty())
        {
            return Err(ValidationError::new(
                format!("facts[{i}].reason"),
                "",
                "a rejected fact needs a reason",
            ));
        }
    }
    Ok(())
}

fn source(s: &Source) -> Result<(), ValidationError> {
    non_empty("title", &s.title)?;
    plausible_dates(&[("published", s.published)])?;
    // Pages link to the source, so only web addresses may become links: a scheme other than
    // http(s) (javascript:, data:, file:) is refused; an address without one is a web address.
    if let Some(url) = &s.url {
        let before_path = url.split('/').next().unwrap_or_default();
        let web = url.starts_with("https://") || url.starts_with("http://");
        if before_path.contains(':') && !web {
            return Err(ValidationError::new(
                "url",
                url,
                "a source address must be a web address (https://…)",
            ));
        }
    }
    Ok(())
}

fn organisation(o: &Organisation) -> Result<(), ValidationError> {
    non_empty("name", &o.name)?;
    if o.parent.as_ref() == Some(&o.id) {
        return Err(ValidationError::new(
            "parent",
            &o.id,
            "an organisation cannot be its own parent",
        ));
    }
    for (i, alias) in o.aliases.iter().enumerate() {
        non_empty(&format!("aliases[{i}].name"), &alias.name)?;
        if alias.merged_id.as_ref() == Some(&o.id) {
            return Err(ValidationError::new(
                format!("aliases[{i}].merged_id"),
                &o.id,
                "an organisation cannot be merged into itself",
            )
            .because(ProblemId::MergeIntoItself));
        }
    }
    Ok(())
}

fn facility(f: &Facility) -> Result<(), ValidationError> {
    non_empty("name", &f.name)?;
    if let Some(n) = &f.illustrative {
        non_empty("illustrative", n)?;
    }
    for (i, s) in f.status_history.iter().enumerate() {
        plausible_date(&format!("status_history[{i}].date"), s.date)?;
    }
    if let Some(p) = &f.location {
        if p.lat < Decimal::from(-90) || p.lat > Decimal::from(90) {
            return Err(ValidationError::new(
                "location.lat",
                p.lat,
                "latitude must be between -90 and 90",
            ));
        }
        if p.lon < Decimal::from(-180) || p.lon > Decimal::from(180) {
            return Err(ValidationError::new(
                "location.lon",
                p.lon,
                "longitude must be between -180 and 180",
            ));
        }
    }
    Ok(())
}

/// Shares must each lie in (0, 100] and add up to exactly 100, as IATI requires.
fn percentages(field: &str, values: impl Iterator<Item = Decimal>) -> Result<(), ValidationError> {
    let mut sum = Decimal::ZERO;
    let mut any = false;
    for (i, p) in values.enumerate() {
        any = true;
        if p <= Decimal::ZERO || p > Decimal::ONE_HUNDRED {
            return Err(ValidationError::new(
                format!("{field}[{i}].percentage"),
                p,
                "a percentage must be greater than 0 and at most 100",
            ));
        }
        sum += p;
    }
    if any && sum != Decimal::ONE_HUNDRED {
        return Err(ValidationError::new(
            format!("{field}.percentage"),
            sum.normalize(),
            "percentages must sum to 100",
        ));
    }
    Ok(())
}

fn activity(a: &Activity) -> Result<(), ValidationError> {
    non_empty("title", &a.title)?;
    if a.parent.as_ref() == Some(&a.id) {
        return Err(ValidationError::new(
            "parent",
            &a.id,
            "an activity cannot be its own parent",
        ));
    }
    plausible_dates(&[("start_date", a.start_date), ("end_date", a.end_date)])?;
    for (i, step) in a.legal_steps.iter().enumerate() {
        plausible_dates(&[(&format!("legal_steps[{i}].date"), step.date)])?;
    }
    if let (Some(start), Some(end)) = (a.start_date, a.end_date)
        && end < start
    {
        return Err(ValidationError::new(
            "end_date",
            end,
            format!("the end date is before the start date {start}"),
        ));
    }
    for (i, s) in a.sectors.iter().enumerate() {
        if s.code.len() != 5 || !s.code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValidationError::new(
                format!("sectors[{i}].code"),
                &s.code,
                "an OECD DAC purpose code has 5 digits, e.g. 12191",
            ));
        }
    }
    percentages("sectors", a.sectors.iter().map(|s| s.percentage))?;
    percentages("countries", a.countries.iter().map(|c| c.percentage))?;
    percentages("regions", a.regions.iter().map(|r| r.percentage))?;
    for (i, r) in a.regions.iter().enumerate() {
        non_empty(&format!("regions[{i}].name"), &r.name)?;
    }
    if let Some(c) = &a.ceiling {
        money("ceiling", c)?;
    }
    Ok(())
}

fn money(field: &str, m: &Money) -> Result<(), ValidationError> {
    m.validate().map_err(|e| e.within(field))
}

fn flow(f: &Flow) -> Result<(), ValidationError> {
    money("money", &f.money)?;
    if f.parent_flow.as_ref() == Some(&f.id) {
        return Err(ValidationError::new(
            "parent_flow",
            &f.id,
            "a flow cannot be its own parent",
        ));
    }
    if let Some(eq) = &f.stated_equivalent {
        if eq.amount.is_sign_negative() && !eq.amount.is_zero() {
            return Err(ValidationError::new(
                "stated_equivalent.amount",
                eq.amount,
                "must not be negative",
            ));
        }
        within_bound("stated_equivalent.amount", eq.amount)?;
    }
    if let Some(r) = &f.recorded_rate {
        if r.rate <= Decimal::ZERO {
            return Err(ValidationError::new(
                "recorded_rate.rate",
                r.rate,
                "a rate must be greater than zero",
            ));
        }
        plausible_date("recorded_rate.rate_date", r.rate_date)?;
    }
    Ok(())
}

/// Whether a flow of this kind may state an amount of 0 when a person enters it.
///
/// Only the scheduled parts of a loan: an interest payment or a repayment of 0 records that
/// nothing was due for the period (a zero-interest loan, a grace period), which is a fact worth
/// keeping. For every kind that moves or promises money (pledges, commitments, disbursements,
/// expenditures, incoming funds, reimbursements, equity, guarantees) a 0 says nothing moved, so
/// it is not a flow at all and is almost always a forgotten amount; a reversal of 0 takes nothing
/// back. Published IATI files do carry such zeros (hundreds of 0-value disbursements in the
/// shared real data), so [`validate`] keeps accepting them on import, where the publisher's
/// figures are recorded as published; this rule is for data entry.
pub fn zero_amount_allowed(kind: FlowKind) -> bool {
    matches!(kind, FlowKind::InterestPayment | FlowKind::LoanRepayment)
}

/// The rules for a flow a person enters, on top of [`validate`]: a 0 amount only where
/// [`zero_amount_allowed`].
pub fn entered_flow(f: &Flow) -> Result<(), ValidationError> {
    if f.money.amount.is_zero() && !zero_amount_allowed(f.kind) {
        return Err(ValidationError::new(
            "money.amount",
            f.money.amount,
            format!(
                "an amount of 0 is not a {}; enter the amount stated (0 is accepted only for interest payments and loan repayments)",
                f.kind.as_str()
            ),
        )
        .because(crate::error::ProblemId::ZeroAmount));
    }
    Ok(())
}

fn budget(b: &Budget) -> Result<(), ValidationError> {
    money("money", &b.money)?;
    plausible_date("period_start", b.period_start)?;
    plausible_date("period_end", b.period_end)?;
    if b.period_end < b.period_start {
        return Err(ValidationError::new(
            "period_end",
            b.period_end,
            format!("the period ends before it starts ({})", b.period_start),
        ));
    }
    Ok(())
}

fn equipment_line(e: &EquipmentLine) -> Result<(), ValidationError> {
    non_empty("description", &e.description)?;
    if e.quantity == Some(0) {
        return Err(ValidationError::new(
            "quantity",
            0,
            "a quantity must be at least 1 (leave it empty when unknown)",
        ));
    }
    if let Some(c) = &e.unit_cost {
        money("unit_cost", c)?;
    }
    if let Some(g) = &e.generator {
        generator_rating(g)?;
    }
    Ok(())
}

fn generator_rating(g: &crate::model::GeneratorRating) -> Result<(), ValidationError> {
    non_empty("generator.model", &g.model)?;
    match (g.prime_kw, g.prime_kva) {
        (Some(_), Some(_)) => Err(ValidationError::new(
            "generator.prime_kva",
            g.prime_kva.unwrap_or_default(),
            "give prime_kw or prime_kva, not both",
        )),
        (None, None) => Err(ValidationError::new(
            "generator.prime_kw",
            "(empty)",
            "give the set's prime kW or its kVA",
        )),
        (Some(v), None) | (None, Some(v)) => {
            let field = if g.prime_kw.is_some() {
                "generator.prime_kw"
            } else {
                "generator.prime_kva"
            };
            // Above 100 MW a "set" is a typing mistake, and the planner's own limit is 1e5 kW.
            if v <= Decimal::ZERO || v > Decimal::from(100_000) {
                Err(ValidationError::new(
                    field,
                    v,
                    "must be more than 0 and at most 100000",
                ))
            } else {
                Ok(())
            }
        }
    }
}

fn partnership(p: &Partnership) -> Result<(), ValidationError> {
    if p.partners.is_empty() {
        return Err(ValidationError::new(
            "partners",
            "[]",
            "a partnership needs at least one partner",
        ));
    }
    if p.partners.contains(&p.lead) {
        return Err(ValidationError::new(
            "partners",
            &p.lead,
            "the lead organisation cannot also be its own partner",
        ));
    }
    Ok(())
}

fn claim(c: &Claim) -> Result<(), ValidationError> {
    non_empty("statement", &c.statement)?;
    if let Some(m) = &c.money {
        money("money", m)?;
    }
    plausible_dates(&[
        ("period_start", c.period_start),
        ("period_end", c.period_end),
    ])?;
    if let (Some(start), Some(end)) = (c.period_start, c.period_end)
        && end < start
    {
        return Err(ValidationError::new(
            "period_end",
            end,
            format!("the end is before the start {start}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod entered_flow_tests {
    use super::*;
    use crate::model::Record;

    fn flow(kind: &str, amount: &str) -> Flow {
        let json = serde_json::json!({"record": "flow", "id": "f", "activity": "a", "kind": kind,
            "money": {"amount": amount, "currency": "JPY"}});
        match serde_json::from_value(json).unwrap() {
            Record::Flow(f) => f,
            _ => unreachable!(),
        }
    }

    #[test]
    fn a_zero_disbursement_is_refused_naming_the_amount() {
        let e = entered_flow(&flow("disbursement", "0")).unwrap_err();
        assert_eq!(e.field, "money.amount");
        assert!(
            e.message
                .starts_with("an amount of 0 is not a disbursement")
        );
        assert!(validate(&Record::Flow(flow("disbursement", "0"))).is_ok());
    }

    #[test]
    fn zero_is_accepted_only_for_loan_schedules() {
        for kind in FlowKind::ALL {
            let ok = entered_flow(&flow(kind.as_str(), "0.00")).is_ok();
            assert_eq!(ok, zero_amount_allowed(kind), "{kind:?}");
            assert!(entered_flow(&flow(kind.as_str(), "1")).is_ok());
        }
        assert!(zero_amount_allowed(FlowKind::InterestPayment));
        assert!(!zero_amount_allowed(FlowKind::Commitment));
    }
}
