//! The WHO donation fitness check (Medical device donations, 2011): each item passes, fails or is
//! unknown. Power match, manufacturer support, manual language and market registration are
//! computed from the records when they say enough; otherwise the attested answer stands.

use chrono::NaiveDate;
use serde::Serialize;

use super::{Answer, DeviceModel, DonationCheck, DonationItem, FacilityPower};
use crate::model::{Facility, MarketRegistration, ProductKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    Fail,
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemResult {
    pub item: DonationItem,
    pub outcome: Outcome,
    /// Computed from records, rather than attested.
    pub computed: bool,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FitnessReport {
    pub check: String,
    pub items: Vec<ItemResult>,
    pub passed: usize,
    pub failed: usize,
    pub unknown: usize,
    /// No item failed. Unknown items do not fail a donation but are listed for follow-up.
    pub fit: bool,
}

/// Years of manufacturer support WHO-derived guidance asks for at least (4 preferred).
pub const MIN_SUPPORT_YEARS: i64 = 2;

fn computed(item: DonationItem, outcome: Outcome, reason: String) -> Option<ItemResult> {
    Some(ItemResult {
        item,
        outcome,
        computed: true,
        reason,
    })
}

/// Power needs of the model against the facility's supply. `None` when either side is unknown.
pub fn power_match(model: &DeviceModel, supply: Option<&FacilityPower>) -> Option<ItemResult> {
    let item = DonationItem::PowerMatch;
    let need = model.power.as_ref()?;
    let supply = supply?;
    let mut problems = Vec::new();
    if need.phases == Some(3) && supply.phases != 3 {
        problems.push(format!(
            "the model needs 3-phase power, the facility has {}-phase",
            supply.phases
        ));
    }
    if let Some(f) = need.frequency_hz
        && f != supply.frequency_hz
    {
        problems.push(format!(
            "the model runs on {f} Hz, the facility supplies {} Hz",
            supply.frequency_hz
        ));
    }
    let lo = need.voltage_min.unwrap_or(0);
    let hi = need.voltage_max.unwrap_or(u32::MAX);
    if (need.voltage_min.is_some() || need.voltage_max.is_some())
        && !(lo..=hi).contains(&supply.voltage)
    {
        problems.push(format!(
            "the model takes {lo}-{hi} V, the facility supplies {} V",
            supply.voltage
        ));
    }
    if let (Some(peak), Some(avail)) = (need.peak_kva, supply.available_kva)
        && peak > avail
    {
        problems.push(format!(
            "the model peaks at {peak} kVA, the facility has {avail} kVA available"
        ));
    }
    if need.needs_ups && supply.backup_kva.is_none_or(|b| b.is_zero()) {
        problems.push("the model needs a UPS or backup supply, the facility has none".to_string());
    }
    if problems.is_empty() {
        computed(
            item,
            Outcome::Pass,
            format!(
                "{}-phase {} V {} Hz supply fits the model",
                supply.phases, supply.voltage, supply.frequency_hz
            ),
        )
    } else {
        computed(item, Outcome::Fail, problems.join("; "))
    }
}

fn support(model: &DeviceModel, on: NaiveDate) -> Option<ItemResult> {
    let until = model.support_until?;
    let days = (until - on).num_days();
    let years = days as f64 / 365.25;
    let outcome = if days >= MIN_SUPPORT_YEARS * 365 {
        Outcome::Pass
    } else {
        Outcome::Fail
    };
    computed(
        DonationItem::ManufacturerSupport,
        outcome,
        format!(
            "manufacturer support until {until}: {years:.1} years left (at least {MIN_SUPPORT_YEARS} needed, 4 preferred)"
        ),
    )
}

fn language(check: &DonationCheck, model: &DeviceModel) -> Option<ItemResult> {
    if check.local_languages.is_empty() || model.manual_languages.is_empty() {
        return None;
    }
    let found = check.local_languages.iter().find(|l| {
        model
            .manual_languages
            .iter()
            .any(|m| m.eq_ignore_ascii_case(l))
    });
    match found {
        Some(l) => computed(
            DonationItem::LocalLanguage,
            Outcome::Pass,
            format!("manuals and interface come in {l}"),
        ),
        None => computed(
            DonationItem::LocalLanguage,
            Outcome::Fail,
            format!(
                "manuals come in {}, the recipient needs {}",
                model.manual_languages.join(", "),
                check.local_languages.join(", ")
            ),
        ),
    }
}

/// Is the model registered in the recipient's market? Pass only when a registration of the
/// facility's country names the model; registrations that only count products of an origin are
/// not evidence for one model.
pub fn registration(
    model: &DeviceModel,
    facility: &Facility,
    registrations: &[&MarketRegistration],
) -> Option<ItemResult> {
    let item = DonationItem::MarketRegistration;
    let local: Vec<&&MarketRegistration> = registrations
        .iter()
        .filter(|r| r.country == facility.country && r.product_kind == ProductKind::MedicalDevice)
        .collect();
    let names = |p: &String| {
        p.eq_ignore_ascii_case(&model.model_name)
            || model
                .model_number
                .as_ref()
                .is_some_and(|n| p.eq_ignore_ascii_case(n))
    };
    if let Some(r) = local.iter().find(|r| r.products.iter().any(names)) {
        return computed(
            item,
            Outcome::Pass,
            format!("registered in {} ({})", facility.country, r.id),
        );
    }
    if local.is_empty() {
        return None;
    }
    let counted: Vec<String> = local
        .iter()
        .map(|r| {
            format!(
                "{} {} devices of {} origin",
                r.id,
                r.count
                    .map_or_else(|| "some".to_string(), |c| c.to_string()),
                r.origin_country
            )
        })
        .collect();
    computed(
        item,
        Outcome::Unknown,
        format!(
            "registrations in {} ({}) do not name model {}",
            facility.country,
            counted.join("; "),
            model.model_name
        ),
    )
}

/// Scores a checklist. Computed evidence decides when it passes or fails; otherwise the attested
/// answer stands, and an item nobody answered is unknown.
pub fn score(
    check: &DonationCheck,
    model: &DeviceModel,
    facility: &Facility,
    supply: Option<&FacilityPower>,
    registrations: &[&MarketRegistration],
) -> FitnessReport {
    let mut items = Vec::new();
    for item in DonationItem::ALL {
        let from_records = match item {
            DonationItem::PowerMatch => power_match(model, supply),
            DonationItem::ManufacturerSupport => support(model, check.checked_on),
            DonationItem::LocalLanguage => language(check, model),
            DonationItem::MarketRegistration => registration(model, facility, registrations),
            _ => None,
        };
        let attested = check.answers.iter().find(|a| a.item == item);
        let result = match (from_records, attested) {
            (Some(r), _) if r.outcome != Outcome::Unknown => r,
            (computed_unknown, Some(a)) if a.answer != Answer::Unknown => ItemResult {
                item,
                outcome: if a.answer == Answer::Yes {
                    Outcome::Pass
                } else {
                    Outcome::Fail
                },
                computed: false,
                reason: a.note.clone().unwrap_or_else(|| {
                    computed_unknown.map_or_else(|| "attested".to_string(), |c| c.reason)
                }),
            },
            (Some(r), _) => r,
            (None, a) => ItemResult {
                item,
                outcome: Outcome::Unknown,
                computed: false,
                reason: a
                    .and_then(|a| a.note.clone())
                    .unwrap_or_else(|| "not answered".to_string()),
            },
        };
        items.push(result);
    }
    let count = |o: Outcome| items.iter().filter(|i| i.outcome == o).count();
    let (passed, failed, unknown) = (
        count(Outcome::Pass),
        count(Outcome::Fail),
        count(Outcome::Unknown),
    );
    FitnessReport {
        check: check.id.to_string(),
        items,
        passed,
        failed,
        unknown,
        fit: failed == 0,
    }
}
