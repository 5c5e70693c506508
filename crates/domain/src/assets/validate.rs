//! Rules each asset record must satisfy on its own.

use rust_decimal::Decimal;

use super::{
    Asset, AssetEvent, DensityReference, DeviceModel, DonationCheck, Downtime, EquipmentStandard,
    FacilityPower, LifecycleState, MaintenancePlan, MeterReading, PlanTrigger, Population,
    WorkOrder,
};
use crate::error::{ProblemId, ValidationError};
use crate::model::{non_empty, plausible_date, plausible_dates};
use crate::money::Money;

/// Asset costs above this are refused as implausible (no device or repair costs 10^15 in any
/// currency); the cap keeps indicator arithmetic far from decimal overflow.
pub const MAX_AMOUNT: u64 = 1_000_000_000_000_000;

/// Parts on one work order above this are refused as implausible.
const MAX_PARTS: u32 = 1_000_000;

pub(crate) fn money(field: &str, m: &Money) -> Result<(), ValidationError> {
    m.validate().map_err(|e| e.within(field))?;
    if m.amount > Decimal::from(MAX_AMOUNT) {
        return Err(ValidationError::new(
            format!("{field}.amount"),
            m.amount,
            "implausibly large: amounts above 10^15 are refused",
        )
        .because(ProblemId::ImplausibleAmount)
        .with_text("max", "10^15"));
    }
    Ok(())
}

fn not_negative(field: &str, v: Option<Decimal>) -> Result<(), ValidationError> {
    match v {
        Some(v) if v.is_sign_negative() && !v.is_zero() => {
            Err(ValidationError::new(field, v, "must not be negative").because(ProblemId::Negative))
        }
        _ => Ok(()),
    }
}

fn phases(field: &str, p: Option<u8>) -> Result<(), ValidationError> {
    match p {
        Some(p) if p != 1 && p != 3 => Err(ValidationError::new(field, p, "phases are 1 or 3")
            .because(ProblemId::PhasesOneOrThree)),
        _ => Ok(()),
    }
}

fn frequency(field: &str, f: Option<u32>) -> Result<(), ValidationError> {
    match f {
        Some(f) if f != 50 && f != 60 => {
            Err(
                ValidationError::new(field, f, "mains frequency is 50 or 60 Hz")
                    .because(ProblemId::MainsFrequency),
            )
        }
        _ => Ok(()),
    }
}

pub fn device_model(m: &DeviceModel) -> Result<(), ValidationError> {
    non_empty("model_name", &m.model_name)?;
    plausible_dates(&[("support_until", m.support_until)])?;
    non_empty("generic_type", &m.generic_type)?;
    if !m
        .generic_type
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(ValidationError::new(
            "generic_type",
            &m.generic_type,
            "a generic type is lower-case letters, digits and '_', e.g. ct_scanner",
        )
        .because(ProblemId::GenericTypeFormat));
    }
    for (i, c) in m.codes.iter().enumerate() {
        non_empty(&format!("codes[{i}].code"), &c.code)?;
    }
    if m.expected_life_years == Some(0) {
        return Err(ValidationError::new(
            "expected_life_years",
            0,
            "an expected life must be at least 1 year (leave it empty when unknown)",
        )
        .because(ProblemId::LifeAtLeastOneYear));
    }
    if let Some(p) = &m.power {
        not_negative("power.idle_kw", p.idle_kw)?;
        not_negative("power.active_kw", p.active_kw)?;
        not_negative("power.peak_kva", p.peak_kva)?;
        for (field, v) in [
            ("power.idle_kw", p.idle_kw),
            ("power.active_kw", p.active_kw),
            ("power.peak_kva", p.peak_kva),
            ("power.average_kw", p.average_kw),
            ("power.peak_kw", p.peak_kw),
            ("power.starting_kva", p.starting_kva),
        ] {
            load_figure(field, v)?;
        }
        if let (Some(avg), Some(peak)) = (p.average_kw, p.peak_kw.or(p.active_kw))
            && avg > peak
        {
            return Err(ValidationError::new(
                "power.average_kw",
                avg,
                format!("above the peak {peak} kW: an average cannot exceed the peak"),
            )
            .because(ProblemId::AverageAbovePeak)
            .with_text("peak", peak));
        }
        phases("power.phases", p.phases)?;
        frequency("power.frequency_hz", p.frequency_hz)?;
        if let (Some(lo), Some(hi)) = (p.voltage_min, p.voltage_max)
            && hi < lo
        {
            return Err(ValidationError::new(
                "power.voltage_max",
                hi,
                format!("below voltage_min {lo}"),
            )
            .because(ProblemId::VoltageMaxBelowMin)
            .with_text("min", lo));
        }
    }
    Ok(())
}

/// A kW or kVA figure of one load: not negative and below [`super::load::MAX_KW`].
fn load_figure(field: &str, v: Option<Decimal>) -> Result<(), ValidationError> {
    not_negative(field, v)?;
    match v {
        Some(v) if v > Decimal::from(super::load::MAX_KW) => Err(ValidationError::new(
            field,
            v,
            "implausibly large: one load above 100,000 kW is refused",
        )
        .because(ProblemId::LoadTooLarge)
        .with_text("max", super::load::MAX_KW)),
        _ => Ok(()),
    }
}

/// Every problem of building load `i` at once (a form shows them all beside their fields);
/// [`facility_power`] refuses on the first. Fields are named `building_loads[i].<field>`.
pub fn building_load_problems(i: usize, l: &super::load::BuildingLoad) -> Vec<ValidationError> {
    let f = |name: &str| format!("building_loads[{i}].{name}");
    let mut out: Vec<ValidationError> = [
        load_figure(&f("average_kw"), l.average_kw),
        load_figure(&f("peak_kw"), l.peak_kw),
        load_figure(&f("starting_kva"), l.starting_kva),
    ]
    .into_iter()
    .filter_map(Result::err)
    .collect();
    if let (Some(avg), Some(peak)) = (l.average_kw, l.peak_kw)
        && avg > peak
        && out.iter().all(|e| e.field != f("average_kw"))
    {
        out.push(
            ValidationError::new(
                f("average_kw"),
                avg,
                format!("above the peak {peak} kW: an average cannot exceed the peak"),
            )
            .because(ProblemId::AverageAbovePeak)
            .with_text("peak", peak),
        );
    }
    if l.kind == super::load::BuildingLoadKind::Other
        && l.description.as_deref().is_none_or(|d| d.trim().is_empty())
    {
        out.push(
            ValidationError::new(
                f("description"),
                "",
                "a building load of kind other needs a description",
            )
            .because(ProblemId::OtherLoadNeedsDescription),
        );
    }
    out
}

pub fn facility_power(p: &FacilityPower) -> Result<(), ValidationError> {
    phases("phases", Some(p.phases))?;
    frequency("frequency_hz", Some(p.frequency_hz))?;
    not_negative("available_kva", p.available_kva)?;
    not_negative("backup_kva", p.backup_kva)?;
    load_figure("backup_kva", p.backup_kva)?;
    for (i, l) in p.building_loads.iter().enumerate() {
        if let Some(e) = building_load_problems(i, l).into_iter().next() {
            return Err(e);
        }
    }
    for (i, o) in p.tier_overrides.iter().enumerate() {
        match (&o.asset, &o.generic_type) {
            (Some(_), None) => {}
            (None, Some(g)) if super::gaps::is_generic_type(g) => {}
            (None, Some(g)) => {
                return Err(ValidationError::new(
                    format!("tier_overrides[{i}].generic_type"),
                    g,
                    "a generic type is lower-case letters, digits and _",
                )
                .because(ProblemId::GenericTypeFormat));
            }
            _ => {
                return Err(ValidationError::new(
                    format!("tier_overrides[{i}]"),
                    "",
                    "name exactly one of asset or generic_type",
                )
                .because(ProblemId::AssetOrGenericType));
            }
        }
    }
    if let Some(fuel) = &p.fuel {
        fuel_stock(fuel)?;
    }
    if let Some(h) = p.typical_outage_hours_per_day
        && (h.is_sign_negative() && !h.is_zero() || h > Decimal::from(24))
    {
        return Err(ValidationError::new(
            "typical_outage_hours_per_day",
            h,
            "must be between 0 and 24",
        )
        .because(ProblemId::OutageHoursRange));
    }
    Ok(())
}

fn fuel_stock(s: &super::load::FuelStock) -> Result<(), ValidationError> {
    let cap = Decimal::from(super::load::MAX_FUEL_LITRES);
    for (field, v) in [
        ("fuel.tank_litres", s.tank_litres),
        ("fuel.on_hand_litres", s.on_hand_litres),
    ] {
        not_negative(field, v)?;
        if let Some(v) = v
            && v > cap
        {
            return Err(ValidationError::new(
                field,
                v,
                "implausibly large: above 10,000,000 litres is refused",
            )
            .because(ProblemId::FuelTooLarge)
            .with_text("max", super::load::MAX_FUEL_LITRES));
        }
    }
    if let (Some(tank), Some(on_hand)) = (s.tank_litres, s.on_hand_litres)
        && on_hand > tank
    {
        return Err(ValidationError::new(
            "fuel.on_hand_litres",
            on_hand,
            format!("above the tank's {tank} L: a tank cannot hold more than its size"),
        )
        .because(ProblemId::AboveTankSize)
        .with_text("tank", tank));
    }
    match (s.on_hand_litres, s.as_of) {
        (Some(_), None) => Err(ValidationError::new(
            "fuel.as_of",
            "",
            "give the day the fuel on hand was measured (YYYY-MM-DD)",
        )
        .because(ProblemId::FuelDateNeeded)),
        (None, Some(d)) => Err(ValidationError::new(
            "fuel.as_of",
            d,
            "a date without on_hand_litres says nothing: give the litres on hand",
        )
        .because(ProblemId::FuelDateWithoutLitres)),
        _ => Ok(()),
    }
}

pub fn density_reference(r: &DensityReference) -> Result<(), ValidationError> {
    if !super::gaps::is_generic_type(&r.generic_type) {
        return Err(ValidationError::new(
            "generic_type",
            &r.generic_type,
            "a generic type is lower-case letters, digits and _",
        )
        .because(ProblemId::GenericTypeFormat));
    }
    non_empty("area", &r.area)?;
    if r.per_million.is_sign_negative() {
        return Err(ValidationError::new(
            "per_million",
            r.per_million,
            "must be a number of units per million, at least 0",
        )
        .because(ProblemId::Negative));
    }
    if !super::gaps::YEARS.contains(&r.year) {
        return Err(
            ValidationError::new("year", r.year, "must be a year from 1900 to 2100")
                .because(ProblemId::YearOutOfRange)
                .with_text("from", super::gaps::YEARS.start())
                .with_text("to", super::gaps::YEARS.end()),
        );
    }
    if let Some(to) = r.year_to
        && (to <= r.year || !super::gaps::YEARS.contains(&to))
    {
        return Err(ValidationError::new(
            "year_to",
            to,
            format!("must be a year after {} and at most 2100", r.year),
        )
        .because(ProblemId::YearToRange)
        .with_text("after", r.year)
        .with_text("max", super::gaps::YEARS.end()));
    }
    // A reference figure is only worth showing with the place it was published.
    if r.sources.is_empty() {
        return Err(ValidationError::new(
            "sources",
            "",
            "a reference figure must cite the source it was taken from",
        )
        .because(ProblemId::ReferenceNeedsSource));
    }
    Ok(())
}

pub fn population(p: &Population) -> Result<(), ValidationError> {
    if p.population == 0 {
        return Err(
            ValidationError::new("population", 0, "a population must be at least 1")
                .because(ProblemId::PopulationAtLeastOne),
        );
    }
    if let Some(r) = &p.region {
        non_empty("region", r)?;
    }
    Ok(())
}

pub fn equipment_standard(s: &EquipmentStandard) -> Result<(), ValidationError> {
    non_empty("generic_type", &s.generic_type)
}

pub fn asset(a: &Asset) -> Result<(), ValidationError> {
    non_empty("inventory_tag", &a.inventory_tag)?;
    if a.parent.as_ref() == Some(&a.id) {
        return Err(
            ValidationError::new("parent", &a.id, "an asset cannot be its own parent")
                .because(ProblemId::OwnParent),
        );
    }
    if let Some(c) = &a.cost {
        money("cost", c)?;
    }
    plausible_dates(&[("manufacture_date", a.manufacture_date)])?;
    for (i, c) in a.contracts.iter().enumerate() {
        plausible_date(&format!("contracts[{i}].start"), c.start)?;
        plausible_date(&format!("contracts[{i}].end"), c.end)?;
        if c.end < c.start {
            return Err(ValidationError::new(
                format!("contracts[{i}].end"),
                c.end,
                format!("the contract ends before it starts ({})", c.start),
            )
            .because(ProblemId::EndBeforeStart)
            .with_text("start", c.start));
        }
        if let Some(m) = &c.annual_cost {
            money(&format!("contracts[{i}].annual_cost"), m)?;
        }
    }
    Ok(())
}

pub fn asset_event(e: &AssetEvent) -> Result<(), ValidationError> {
    plausible_date("at", e.at.date())?;
    if e.state == LifecycleState::Commissioned && e.acceptance.is_none() {
        return Err(ValidationError::new(
            "acceptance",
            "",
            "commissioning needs the acceptance work order that passed",
        )
        .because(ProblemId::AcceptanceNeeded));
    }
    if e.state == LifecycleState::Transferred && e.to_facility.is_none() {
        return Err(ValidationError::new(
            "to_facility",
            "",
            "a transfer needs the receiving facility",
        )
        .because(ProblemId::ReceivingFacilityNeeded));
    }
    match (&e.disposal, e.state) {
        (Some(d), LifecycleState::Disposed) => super::disposal::check(d)?,
        (None, LifecycleState::Disposed) => {
            return Err(ValidationError::new(
                "disposal",
                "",
                "disposing of a device needs its disposal record: method, hazardous materials and data wipe",
            )
            .because(ProblemId::DisposalRecordNeeded));
        }
        (Some(_), other) => {
            return Err(ValidationError::new(
                "disposal",
                other.as_str(),
                "a disposal record belongs on a disposed event",
            )
            .because(ProblemId::DisposalNotDisposed));
        }
        (None, _) => {}
    }
    super::correction::check_recorded_after(e.at, e.recorded_at)?;
    if let Some(void) = &e.voided {
        super::correction::check_void(void)?;
    }
    if e.corrects.as_ref() == Some(&e.id) {
        return Err(ValidationError::new(
            "corrects",
            &e.id,
            "an event cannot correct itself; it corrects the voided event it replaces",
        )
        .because(ProblemId::CorrectsItself));
    }
    Ok(())
}

pub fn downtime(d: &Downtime) -> Result<(), ValidationError> {
    plausible_date("start", d.start.date())?;
    plausible_dates(&[("end", d.end.map(|e| e.date()))])?;
    if let Some(end) = d.end
        && end < d.start
    {
        return Err(ValidationError::new(
            "end",
            end,
            format!("the downtime ends before it starts ({})", d.start),
        )
        .because(ProblemId::EndBeforeStart)
        .with_text("start", d.start));
    }
    if let Some(void) = &d.voided {
        super::correction::check_void(void)?;
    }
    Ok(())
}

pub fn work_order(w: &WorkOrder) -> Result<(), ValidationError> {
    if let Some(void) = &w.voided {
        super::correction::check_void(void)?;
    }
    plausible_date("opened", w.opened.date())?;
    plausible_dates(&[("closed", w.closed.map(|c| c.date()))])?;
    match (w.status.is_closed(), w.closed) {
        (true, None) => {
            return Err(ValidationError::new(
                "closed",
                "",
                "a done or cancelled work order needs the time it was closed",
            )
            .because(ProblemId::ClosedTimeNeeded));
        }
        (false, Some(c)) => {
            return Err(ValidationError::new(
                "closed",
                c,
                "an open work order has no closing time; set the status to done or cancelled",
            )
            .because(ProblemId::OpenOrderHasCloseTime));
        }
        (true, Some(c)) if c < w.opened => {
            return Err(ValidationError::new(
                "closed",
                c,
                format!("closed before it was opened ({})", w.opened),
            )
            .because(ProblemId::ClosedBeforeOpened)
            .with_text("opened", w.opened));
        }
        _ => {}
    }
    not_negative("labour_hours", w.labour_hours)?;
    if let Some(m) = &w.labour_cost {
        money("labour_cost", m)?;
    }
    if let Some(m) = &w.external_cost {
        money("external_cost", m)?;
    }
    for (i, p) in w.parts.iter().enumerate() {
        non_empty(&format!("parts[{i}].description"), &p.description)?;
        if p.quantity > MAX_PARTS {
            return Err(ValidationError::new(
                format!("parts[{i}].quantity"),
                p.quantity,
                "implausibly many parts on one work order (at most 1,000,000)",
            )
            .because(ProblemId::TooManyParts)
            .with_text("max", MAX_PARTS));
        }
        money(&format!("parts[{i}].unit_cost"), &p.unit_cost)?;
    }
    super::workorder::validate(w)?;
    Ok(())
}

pub fn maintenance_plan(p: &MaintenancePlan) -> Result<(), ValidationError> {
    non_empty("description", &p.description)?;
    if p.model.is_some() == p.asset.is_some() {
        return Err(ValidationError::new(
            "model",
            p.model
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            "a plan applies to a model or to one asset: give exactly one of model and asset",
        )
        .because(ProblemId::PlanModelOrAsset));
    }
    match p.trigger {
        PlanTrigger::EveryDays(0) => Err(ValidationError::new(
            "trigger.every_days",
            0,
            "an interval must be at least 1 day",
        )
        .because(ProblemId::IntervalAtLeastOneDay)),
        PlanTrigger::EveryMeter { every: 0, .. } => Err(ValidationError::new(
            "trigger.every_meter.every",
            0,
            "an interval must be at least 1",
        )
        .because(ProblemId::IntervalAtLeastOne)),
        _ => Ok(()),
    }
}

pub fn meter_reading(m: &MeterReading) -> Result<(), ValidationError> {
    if let Some(void) = &m.voided {
        super::correction::check_void(void)?;
    }
    plausible_date("at", m.at.date())
}

pub fn donation_check(d: &DonationCheck) -> Result<(), ValidationError> {
    plausible_date("checked_on", d.checked_on)?;
    let mut seen = std::collections::BTreeSet::new();
    for (i, a) in d.answers.iter().enumerate() {
        if !seen.insert(a.item) {
            return Err(ValidationError::new(
                format!("answers[{i}].item"),
                a.item.as_str(),
                "answered twice",
            )
            .because(ProblemId::AnsweredTwice));
        }
    }
    Ok(())
}
