//! Rules a record must satisfy on its own, before the store sees it. Rules that need other
//! records (does the activity exist?) live in the service.
//!
//! Each rule of the kinds a person enters in the forms is checked even after another failed, so
//! [`problems`] gives them all at once; [`validate`] gives the first, as writes need only that.
//! Each refusal carries its message id ([`ProblemId`]) for pages in other languages.

use rust_decimal::Decimal;

use crate::error::{ProblemId, ValidationError};
use crate::model::{
    Activity, Budget, Claim, EquipmentLine, Facility, Flow, FlowKind, Organisation, Partnership,
    Record, Source, non_empty, plausible_date, plausible_dates,
};
use crate::money::{Money, within_bound};

pub fn validate(record: &Record) -> Result<(), ValidationError> {
    crate::text::plain_text(record)?;
    let mut found = Problems::default();
    by_kind(record, &mut found);
    found.0.into_iter().next().map_or(Ok(()), Err)
}

/// Every refusal of the record's own rules, the first [`validate`] gives among them.
pub fn problems(record: &Record) -> Vec<ValidationError> {
    let mut found = Problems::default();
    found.check(crate::text::plain_text(record));
    by_kind(record, &mut found);
    found.0
}

/// The refusals found so far.
#[derive(Default)]
struct Problems(Vec<ValidationError>);

impl Problems {
    fn check(&mut self, rule: Result<(), ValidationError>) {
        if let Err(e) = rule {
            self.0.push(e);
        }
    }

    fn add(&mut self, e: ValidationError) {
        self.0.push(e);
    }
}

fn by_kind(record: &Record, found: &mut Problems) {
    let one = match record {
        Record::Source(s) => return source(s, found),
        Record::Organisation(o) => return organisation(o, found),
        Record::Facility(f) => return facility(f, found),
        Record::Activity(a) => return activity(a, found),
        Record::Flow(f) => return flow(f, found),
        Record::Budget(b) => return budget(b, found),
        Record::EquipmentLine(e) => return equipment_line(e, found),
        Record::Partnership(p) => return partnership(p, found),
        Record::Claim(c) => return claim(c, found),
        Record::MarketRegistration(m) => plausible_dates(&[("as_of", m.as_of)]),
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
    };
    found.check(one);
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
            )
            .because(ProblemId::ReasonNeeded));
        }
    }
    Ok(())
}

fn source(s: &Source, found: &mut Problems) {
    found.check(non_empty("title", &s.title));
    plausible_each(&[("published", s.published)], found);
    // Pages link to the source, so only web addresses may become links: a scheme other than
    // http(s) (javascript:, data:, file:) is refused; an address without one is a web address.
    if let Some(url) = &s.url {
        let before_path = url.split('/').next().unwrap_or_default();
        let web = url.starts_with("https://") || url.starts_with("http://");
        if before_path.contains(':') && !web {
            found.add(
                ValidationError::new(
                    "url",
                    url,
                    "a source address must be a web address (https://…)",
                )
                .because(ProblemId::NotAWebAddress),
            );
        }
    }
}

/// "X cannot be its own parent", of the record kind named in English.
fn own_parent(field: &str, id: &crate::codes::RecordId, kind: &str) -> ValidationError {
    ValidationError::new(field, id, format!("{kind} cannot be its own parent"))
        .because(ProblemId::OwnParent)
}

fn organisation(o: &Organisation, found: &mut Problems) {
    found.check(non_empty("name", &o.name));
    if o.parent.as_ref() == Some(&o.id) {
        found.add(own_parent("parent", &o.id, "an organisation"));
    }
    for (i, alias) in o.aliases.iter().enumerate() {
        found.check(non_empty(&format!("aliases[{i}].name"), &alias.name));
        if alias.merged_id.as_ref() == Some(&o.id) {
            found.add(
                ValidationError::new(
                    format!("aliases[{i}].merged_id"),
                    &o.id,
                    "an organisation cannot be merged into itself",
                )
                .because(ProblemId::MergeIntoItself),
            );
        }
    }
}

fn facility(f: &Facility, found: &mut Problems) {
    found.check(non_empty("name", &f.name));
    if let Some(n) = &f.illustrative {
        found.check(non_empty("illustrative", n));
    }
    for (i, s) in f.status_history.iter().enumerate() {
        found.check(plausible_date(&format!("status_history[{i}].date"), s.date));
    }
    if let Some(p) = &f.location {
        if p.lat < Decimal::from(-90) || p.lat > Decimal::from(90) {
            found.add(
                ValidationError::new("location.lat", p.lat, "latitude must be between -90 and 90")
                    .because(ProblemId::LatitudeRange),
            );
        }
        if p.lon < Decimal::from(-180) || p.lon > Decimal::from(180) {
            found.add(
                ValidationError::new(
                    "location.lon",
                    p.lon,
                    "longitude must be between -180 and 180",
                )
                .because(ProblemId::LongitudeRange),
            );
        }
    }
}

/// Shares must each lie in (0, 100] and add up to exactly 100, as IATI requires. A share out
/// of range is reported alone: the sum it spoils says nothing more.
fn percentages(field: &str, values: impl Iterator<Item = Decimal>, found: &mut Problems) {
    let mut sum = Decimal::ZERO;
    let mut any = false;
    let mut in_range = true;
    for (i, p) in values.enumerate() {
        any = true;
        if p <= Decimal::ZERO || p > Decimal::ONE_HUNDRED {
            in_range = false;
            found.add(
                ValidationError::new(
                    format!("{field}[{i}].percentage"),
                    p,
                    "a percentage must be greater than 0 and at most 100",
                )
                .because(ProblemId::PercentRange),
            );
            continue;
        }
        sum += p;
    }
    if any && in_range && sum != Decimal::ONE_HUNDRED {
        found.add(
            ValidationError::new(
                format!("{field}.percentage"),
                sum.normalize(),
                "percentages must sum to 100",
            )
            .because(ProblemId::PercentSum),
        );
    }
}

/// An end before its start, with the start to compare.
fn end_before_start(
    field: &str,
    end: impl std::fmt::Display,
    start: impl std::fmt::Display,
    english: String,
) -> ValidationError {
    ValidationError::new(field, end, english)
        .because(ProblemId::EndBeforeStart)
        .with_text("start", start)
}

fn activity(a: &Activity, found: &mut Problems) {
    found.check(non_empty("title", &a.title));
    if a.parent.as_ref() == Some(&a.id) {
        found.add(own_parent("parent", &a.id, "an activity"));
    }
    plausible_each(
        &[("start_date", a.start_date), ("end_date", a.end_date)],
        found,
    );
    for (i, step) in a.legal_steps.iter().enumerate() {
        plausible_each(&[(&format!("legal_steps[{i}].date"), step.date)], found);
    }
    if let (Some(start), Some(end)) = (a.start_date, a.end_date)
        && end < start
    {
        found.add(end_before_start(
            "end_date",
            end,
            start,
            format!("the end date is before the start date {start}"),
        ));
    }
    for (i, s) in a.sectors.iter().enumerate() {
        if s.code.len() != 5 || !s.code.bytes().all(|b| b.is_ascii_digit()) {
            found.add(
                ValidationError::new(
                    format!("sectors[{i}].code"),
                    &s.code,
                    "an OECD DAC purpose code has 5 digits, e.g. 12191",
                )
                .because(ProblemId::DacPurposeCode),
            );
        }
    }
    percentages("sectors", a.sectors.iter().map(|s| s.percentage), found);
    percentages("countries", a.countries.iter().map(|c| c.percentage), found);
    percentages("regions", a.regions.iter().map(|r| r.percentage), found);
    for (i, r) in a.regions.iter().enumerate() {
        found.check(non_empty(&format!("regions[{i}].name"), &r.name));
    }
    if let Some(c) = &a.ceiling {
        found.check(money("ceiling", c));
    }
}

/// [`plausible_dates`], each date's refusal reported.
fn plausible_each(dates: &[(&str, Option<chrono::NaiveDate>)], found: &mut Problems) {
    for (field, date) in dates {
        if let Some(d) = date {
            found.check(plausible_date(field, *d));
        }
    }
}

fn money(field: &str, m: &Money) -> Result<(), ValidationError> {
    m.validate().map_err(|e| e.within(field))
}

fn flow(f: &Flow, found: &mut Problems) {
    found.check(money("money", &f.money));
    if f.parent_flow.as_ref() == Some(&f.id) {
        found.add(own_parent("parent_flow", &f.id, "a flow"));
    }
    if let Some(eq) = &f.stated_equivalent {
        if eq.amount.is_sign_negative() && !eq.amount.is_zero() {
            found.add(crate::money::negative(
                "stated_equivalent.amount",
                eq.amount,
            ));
        } else {
            found.check(within_bound("stated_equivalent.amount", eq.amount));
        }
    }
    if let Some(r) = &f.recorded_rate {
        if r.rate <= Decimal::ZERO {
            found.add(
                ValidationError::new(
                    "recorded_rate.rate",
                    r.rate,
                    "a rate must be greater than zero",
                )
                .because(ProblemId::RateNotPositive),
            );
        }
        found.check(plausible_date("recorded_rate.rate_date", r.rate_date));
    }
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

fn budget(b: &Budget, found: &mut Problems) {
    found.check(money("money", &b.money));
    found.check(plausible_date("period_start", b.period_start));
    found.check(plausible_date("period_end", b.period_end));
    if b.period_end < b.period_start {
        found.add(end_before_start(
            "period_end",
            b.period_end,
            b.period_start,
            format!("the period ends before it starts ({})", b.period_start),
        ));
    }
}

fn equipment_line(e: &EquipmentLine, found: &mut Problems) {
    found.check(non_empty("description", &e.description));
    if e.quantity == Some(0) {
        found.add(
            ValidationError::new(
                "quantity",
                0,
                "a quantity must be at least 1 (leave it empty when unknown)",
            )
            .because(ProblemId::QuantityAtLeastOne),
        );
    }
    if let Some(c) = &e.unit_cost {
        found.check(money("unit_cost", c));
    }
    if let Some(g) = &e.generator {
        found.check(non_empty("generator.model", &g.model));
        found.check(generator_rating(g));
    }
}

fn generator_rating(g: &crate::model::GeneratorRating) -> Result<(), ValidationError> {
    match (g.prime_kw, g.prime_kva) {
        (Some(_), Some(_)) => Err(ValidationError::new(
            "generator.prime_kva",
            g.prime_kva.unwrap_or_default(),
            "give prime_kw or prime_kva, not both",
        )
        .because(ProblemId::KwOrKvaNotBoth)),
        (None, None) => Err(ValidationError::new(
            "generator.prime_kw",
            "(empty)",
            "give the set's prime kW or its kVA",
        )
        .because(ProblemId::KwOrKvaNeeded)),
        (Some(v), None) | (None, Some(v)) => {
            let field = if g.prime_kw.is_some() {
                "generator.prime_kw"
            } else {
                "generator.prime_kva"
            };
            // Above 100 MW a "set" is a typing mistake, and the planner's own limit is 1e5 kW.
            if v <= Decimal::ZERO || v > Decimal::from(100_000) {
                Err(
                    ValidationError::new(field, v, "must be more than 0 and at most 100000")
                        .because(ProblemId::RatingRange),
                )
            } else {
                Ok(())
            }
        }
    }
}

fn partnership(p: &Partnership, found: &mut Problems) {
    if p.partners.is_empty() {
        found.add(
            ValidationError::new("partners", "[]", "a partnership needs at least one partner")
                .because(ProblemId::NoPartner),
        );
    }
    if p.partners.contains(&p.lead) {
        found.add(
            ValidationError::new(
                "partners",
                &p.lead,
                "the lead organisation cannot also be its own partner",
            )
            .because(ProblemId::LeadIsPartner),
        );
    }
}

fn claim(c: &Claim, found: &mut Problems) {
    found.check(non_empty("statement", &c.statement));
    if let Some(m) = &c.money {
        found.check(money("money", m));
    }
    plausible_each(
        &[
            ("period_start", c.period_start),
            ("period_end", c.period_end),
        ],
        found,
    );
    if let (Some(start), Some(end)) = (c.period_start, c.period_end)
        && end < start
    {
        found.add(end_before_start(
            "period_end",
            end,
            start,
            format!("the end is before the start {start}"),
        ));
    }
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

#[cfg(test)]
mod problems_tests {
    use super::*;

    fn activity(extra: serde_json::Value) -> Record {
        let mut json = serde_json::json!({"record": "activity", "id": "a", "title": "Grant", "instrument": "grant_aid",
            "status": "implementation"});
        if let (Some(obj), Some(more)) = (json.as_object_mut(), extra.as_object()) {
            obj.extend(more.clone());
        }
        serde_json::from_value(json).unwrap()
    }

    fn fields(record: &Record) -> Vec<(String, Option<ProblemId>)> {
        problems(record)
            .into_iter()
            .map(|e| (e.field, e.problem.map(|p| p.id)))
            .collect()
    }

    #[test]
    fn every_broken_rule_of_an_activity_is_reported_with_its_message_id() {
        let a = activity(serde_json::json!({"title": " ", "parent": "a",
            "start_date": "2026-05-01", "end_date": "2026-01-01",
            "sectors": [{"code": "121", "percentage": "60"}, {"code": "12191", "percentage": "30"}]}));
        assert_eq!(
            fields(&a),
            [
                ("title".to_string(), Some(ProblemId::Empty)),
                ("parent".to_string(), Some(ProblemId::OwnParent)),
                ("end_date".to_string(), Some(ProblemId::EndBeforeStart)),
                (
                    "sectors[0].code".to_string(),
                    Some(ProblemId::DacPurposeCode)
                ),
                (
                    "sectors.percentage".to_string(),
                    Some(ProblemId::PercentSum)
                ),
            ]
        );
        // A write needs only the first.
        assert_eq!(validate(&a).unwrap_err().field, "title");
    }

    #[test]
    fn a_share_out_of_range_is_reported_without_the_sum_it_spoils() {
        let a = activity(serde_json::json!({"countries": [
            {"country": "KZ", "percentage": "150"}, {"country": "KG", "percentage": "0"}]}));
        assert_eq!(
            fields(&a),
            [
                (
                    "countries[0].percentage".to_string(),
                    Some(ProblemId::PercentRange)
                ),
                (
                    "countries[1].percentage".to_string(),
                    Some(ProblemId::PercentRange)
                ),
            ]
        );
    }

    #[test]
    fn the_end_before_start_names_the_start() {
        let a = activity(serde_json::json!({"start_date": "2026-05-01", "end_date": "2026-01-01"}));
        let e = validate(&a).unwrap_err();
        let problem = e.problem.unwrap();
        assert_eq!(problem.text_arg("start"), Some("2026-05-01"));
    }

    #[test]
    fn a_facility_out_of_range_on_both_axes_is_reported_on_both() {
        let f: Record = serde_json::from_value(serde_json::json!({"record": "facility",
            "id": "f", "name": "Clinic", "country": "KZ", "kind": "district_hospital",
            "location": {"lat": "91", "lon": "-181"}}))
        .unwrap();
        assert_eq!(
            fields(&f),
            [
                ("location.lat".to_string(), Some(ProblemId::LatitudeRange)),
                ("location.lon".to_string(), Some(ProblemId::LongitudeRange)),
            ]
        );
    }

    #[test]
    fn a_control_character_is_reported_with_its_code() {
        let a = activity(serde_json::json!({"title": "Grant\u{7}"}));
        let e = validate(&a).unwrap_err();
        assert_eq!(e.field, "title");
        let problem = e.problem.unwrap();
        assert_eq!(problem.id, ProblemId::ControlCharacter);
        assert_eq!(problem.text_arg("code"), Some("U+0007"));
    }

    #[test]
    fn a_valid_record_has_no_problems() {
        assert!(problems(&activity(serde_json::json!({}))).is_empty());
    }
}
