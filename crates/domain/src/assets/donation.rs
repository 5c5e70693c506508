//! The WHO donation fitness check (Medical device donations, 2011): each item passes, fails or is
//! unknown. Power match, manufacturer support, manual language and market registration are
//! computed from the records when they say enough; the attested answer is kept beside the
//! computed one, and when they disagree the disagreement is reported and the worse one stands.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::{Answer, ChecklistAnswer, DeviceModel, DonationCheck, DonationItem, FacilityPower};
use crate::model::{Facility, MarketRegistration, ProductKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
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
    /// The English sentence (the CLI, the API).
    pub reason: String,
    /// The same as a message id with its figures, for pages in other languages; `None` for an
    /// attested note (free text) and for items whose reasons are not structured yet.
    #[serde(skip)]
    pub why: Option<Reason>,
    /// What people attested for this item, kept beside a computed outcome (never replaced).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attested: Option<Answer>,
    /// The computed and the attested answer disagree: said why, so someone resolves it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disagreement: Option<String>,
}

/// Why an item came out as it did, as a message id with its figures (labels on pages:
/// `donation-why-*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// The facility's supply fits the model.
    PowerFits {
        phases: u8,
        voltage: u32,
        frequency_hz: u32,
    },
    /// What in the supply does not fit the model (at least one).
    PowerProblems(Vec<PowerProblem>),
    /// Manufacturer support until a date, years left (one decimal) against the minimum.
    Support {
        until: NaiveDate,
        years_left: Decimal,
        min_years: i64,
    },
    LanguageFound {
        language: String,
    },
    LanguageMissing {
        manuals: Vec<String>,
        needed: Vec<String>,
    },
    Registered {
        country: String,
        registration: String,
    },
    /// Registrations of the country count devices of an origin but do not name the model.
    RegistrationsDoNotName {
        country: String,
        registrations: Vec<RegistrationCount>,
        model: String,
    },
    NotAnswered,
    Attested,
}

/// One registration that counts devices of an origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationCount {
    pub id: String,
    pub count: Option<u32>,
    pub origin: String,
}

/// One way a facility's supply does not fit a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PowerProblem {
    NeedsThreePhase { has: u8 },
    Frequency { needs: u32, has: u32 },
    Voltage { lo: u32, hi: u32, seen: Seen },
    Peak { peak: Decimal, available: Decimal },
    NoBackup,
}

/// The voltage a device sees on a supply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// The supply's voltage as it is.
    Volts(u32),
    /// A standard pair's phase-to-neutral voltage.
    PhaseToNeutral { phase: u32, line: u32 },
    /// Any other line voltage, seen as V/√3.
    RootThree { line: u32 },
}

impl Seen {
    fn english(self) -> String {
        match self {
            Self::Volts(v) => format!("{v} V"),
            Self::PhaseToNeutral { phase, line } => {
                format!("{phase} V phase-to-neutral ({line} V line-to-line)")
            }
            Self::RootThree { line } => {
                format!("{line}/√3 V phase-to-neutral ({line} V line-to-line)")
            }
        }
    }
}

impl PowerProblem {
    fn english(&self) -> String {
        match self {
            Self::NeedsThreePhase { has } => {
                format!("the model needs 3-phase power, the facility has {has}-phase")
            }
            Self::Frequency { needs, has } => {
                format!("the model runs on {needs} Hz, the facility supplies {has} Hz")
            }
            Self::Voltage { lo, hi, seen } => format!(
                "the model takes {lo}-{hi} V, the facility supplies {}",
                seen.english()
            ),
            Self::Peak { peak, available } => {
                format!("the model peaks at {peak} kVA, the facility has {available} kVA available")
            }
            Self::NoBackup => {
                "the model needs a UPS or backup supply, the facility has none".to_string()
            }
        }
    }
}

impl Reason {
    /// The English sentence, as `ItemResult::reason` holds it.
    pub fn english(&self) -> String {
        match self {
            Self::PowerFits {
                phases,
                voltage,
                frequency_hz,
            } => format!("{phases}-phase {voltage} V {frequency_hz} Hz supply fits the model"),
            Self::PowerProblems(problems) => problems
                .iter()
                .map(PowerProblem::english)
                .collect::<Vec<_>>()
                .join("; "),
            Self::Support {
                until,
                years_left,
                min_years,
            } => format!(
                "manufacturer support until {until}: {years_left} years left (at least {min_years} needed, 4 preferred)"
            ),
            Self::LanguageFound { language } => format!("manuals and interface come in {language}"),
            Self::LanguageMissing { manuals, needed } => format!(
                "manuals come in {}, the recipient needs {}",
                manuals.join(", "),
                needed.join(", ")
            ),
            Self::Registered {
                country,
                registration,
            } => format!("registered in {country} ({registration})"),
            Self::RegistrationsDoNotName {
                country,
                registrations,
                model,
            } => format!(
                "registrations in {country} ({}) do not name model {model}",
                registrations
                    .iter()
                    .map(|r| format!(
                        "{} {} devices of {} origin",
                        r.id,
                        r.count
                            .map_or_else(|| "some".to_string(), |c| c.to_string()),
                        r.origin
                    ))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            Self::NotAnswered => "not answered".to_string(),
            Self::Attested => "attested".to_string(),
        }
    }
}

/// The verdict on a checklist. WHO (Medical device donations, 2011) puts the recipient's request
/// and need first, so a checklist that does not know whether the recipient asked for, accepted
/// and may register the device is not assessed, never fit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Verdict {
    Fit,
    /// At least one item failed (decisive even when other items are unknown).
    NotFit {
        failed: Vec<DonationItem>,
    },
    /// No item failed, but these essential items are unknown.
    NotAssessed {
        missing: Vec<DonationItem>,
    },
}

impl Verdict {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Fit => "fit",
            Self::NotFit { .. } => "not_fit",
            Self::NotAssessed { .. } => "not_assessed",
        }
    }

    /// The items the verdict names: failed ones for `NotFit`, missing ones for `NotAssessed`.
    pub fn items(&self) -> &[DonationItem] {
        match self {
            Self::Fit => &[],
            Self::NotFit { failed } => failed,
            Self::NotAssessed { missing } => missing,
        }
    }
}

/// Items that must be known before a donation can be called fit: the recipient asked for it,
/// accepted it, and the model may be used in the recipient's market; the recipient needs it,
/// the site's environment and staff can run it, used equipment meets the standard of new, the
/// recipient committed an O&M budget and disposal is assigned (WHO, Medical device donations,
/// 2011; WHO 2000 core principles and checklist, `shared/research/equipment.md` §2). Unknown
/// gives "not assessed", never fit.
pub const ESSENTIAL: [DonationItem; 9] = [
    DonationItem::RecipientRequest,
    DonationItem::RecipientAcceptance,
    DonationItem::MarketRegistration,
    DonationItem::RecipientNeed,
    DonationItem::Environment,
    DonationItem::StaffSkills,
    DonationItem::UsedCondition,
    DonationItem::OmBudget,
    DonationItem::DisposalResponsibility,
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FitnessReport {
    pub check: String,
    pub items: Vec<ItemResult>,
    pub passed: usize,
    pub failed: usize,
    pub unknown: usize,
    /// Fit, not fit (failed items named) or not assessed (missing essential items named).
    /// Other unknown items do not decide the verdict but are listed for follow-up.
    pub verdict: Verdict,
}

impl FitnessReport {
    pub fn is_fit(&self) -> bool {
        self.verdict == Verdict::Fit
    }
}

/// Years of manufacturer support WHO-derived guidance asks for at least (4 preferred).
pub const MIN_SUPPORT_YEARS: i64 = 2;

fn computed(item: DonationItem, outcome: Outcome, reason: String) -> Option<ItemResult> {
    Some(ItemResult {
        item,
        outcome,
        computed: true,
        reason,
        why: None,
        attested: None,
        disagreement: None,
    })
}

/// [`computed`] with its reason structured: the English sentence is the reason's.
fn computed_why(item: DonationItem, outcome: Outcome, why: Reason) -> Option<ItemResult> {
    let mut r = computed(item, outcome, why.english())?;
    r.why = Some(why);
    Some(r)
}

/// Standard three-phase systems (IEC 60038 and North American practice): line-to-line voltage
/// and the nominal phase-to-neutral voltage a single-phase device connected to one phase sees.
pub const PHASE_PAIRS: [(u32, u32); 7] = [
    (400, 230),
    (380, 220),
    (415, 240),
    (208, 120),
    (480, 277),
    (690, 400),
    (600, 347),
];

/// The voltage a single-phase device sees on a supply of `phases` at `voltage` (line-to-line for
/// three-phase), as (text to show, whether it lies within `lo..=hi`). Standard pairs use their
/// nominal phase voltage; any other line voltage V is compared exactly as V/√3 in integers
/// (3·lo² ≤ V² ≤ 3·hi²), so no float and no tolerance decides the verdict.
fn single_phase_fits(phases: u8, voltage: u32, lo: u32, hi: u32) -> (Seen, bool) {
    if phases != 3 {
        return (Seen::Volts(voltage), (lo..=hi).contains(&voltage));
    }
    if let Some((_, phase)) = PHASE_PAIRS.iter().find(|(line, _)| *line == voltage) {
        return (
            Seen::PhaseToNeutral {
                phase: *phase,
                line: voltage,
            },
            (lo..=hi).contains(phase),
        );
    }
    let sq = |v: u32| u64::from(v) * u64::from(v);
    let v2 = sq(voltage);
    (
        Seen::RootThree { line: voltage },
        3 * sq(lo) <= v2 && v2 <= 3 * sq(hi),
    )
}

/// Power needs of the model against the facility's supply. `None` when either side is unknown.
pub fn power_match(model: &DeviceModel, supply: Option<&FacilityPower>) -> Option<ItemResult> {
    let item = DonationItem::PowerMatch;
    let need = model.power.as_ref()?;
    let supply = supply?;
    let mut problems = Vec::new();
    if need.phases == Some(3) && supply.phases != 3 {
        problems.push(PowerProblem::NeedsThreePhase { has: supply.phases });
    }
    if let Some(f) = need.frequency_hz
        && f != supply.frequency_hz
    {
        problems.push(PowerProblem::Frequency {
            needs: f,
            has: supply.frequency_hz,
        });
    }
    let lo = need.voltage_min.unwrap_or(0);
    let hi = need.voltage_max.unwrap_or(u32::MAX);
    if need.voltage_min.is_some() || need.voltage_max.is_some() {
        // A three-phase supply's voltage is line-to-line. A three-phase device takes that; a
        // single-phase device is wired phase to neutral and sees V/√3. When the model does not
        // say how many phases it has, either connection that fits is enough.
        let line = (
            Seen::Volts(supply.voltage),
            (lo..=hi).contains(&supply.voltage),
        );
        let phase = single_phase_fits(supply.phases, supply.voltage, lo, hi);
        let (seen, fits) = match need.phases {
            Some(3) => line,
            Some(_) => phase,
            None if line.1 => line,
            None => phase,
        };
        if !fits {
            problems.push(PowerProblem::Voltage { lo, hi, seen });
        }
    }
    if let (Some(peak), Some(avail)) = (need.peak_kva, supply.available_kva)
        && peak > avail
    {
        problems.push(PowerProblem::Peak {
            peak,
            available: avail,
        });
    }
    if need.needs_ups && supply.backup_kva.is_none_or(|b| b.is_zero()) {
        problems.push(PowerProblem::NoBackup);
    }
    if problems.is_empty() {
        computed_why(
            item,
            Outcome::Pass,
            Reason::PowerFits {
                phases: supply.phases,
                voltage: supply.voltage,
                frequency_hz: supply.frequency_hz,
            },
        )
    } else {
        computed_why(item, Outcome::Fail, Reason::PowerProblems(problems))
    }
}

fn support(model: &DeviceModel, on: NaiveDate) -> Option<ItemResult> {
    let until = model.support_until?;
    let days = (until - on).num_days();
    // Whole days over 365.25 to one decimal, in decimals: no float reaches the reason.
    let years_left = (Decimal::from(days) / Decimal::new(36525, 2)).round_dp(1);
    let outcome = if days >= MIN_SUPPORT_YEARS * 365 {
        Outcome::Pass
    } else {
        Outcome::Fail
    };
    computed_why(
        DonationItem::ManufacturerSupport,
        outcome,
        Reason::Support {
            until,
            years_left,
            min_years: MIN_SUPPORT_YEARS,
        },
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
        Some(l) => computed_why(
            DonationItem::LocalLanguage,
            Outcome::Pass,
            Reason::LanguageFound {
                language: l.clone(),
            },
        ),
        None => computed_why(
            DonationItem::LocalLanguage,
            Outcome::Fail,
            Reason::LanguageMissing {
                manuals: model.manual_languages.clone(),
                needed: check.local_languages.clone(),
            },
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
        return computed_why(
            item,
            Outcome::Pass,
            Reason::Registered {
                country: facility.country.to_string(),
                registration: r.id.to_string(),
            },
        );
    }
    if local.is_empty() {
        return None;
    }
    let registrations = local
        .iter()
        .map(|r| RegistrationCount {
            id: r.id.to_string(),
            count: r.count,
            origin: r.origin_country.to_string(),
        })
        .collect();
    computed_why(
        item,
        Outcome::Unknown,
        Reason::RegistrationsDoNotName {
            country: facility.country.to_string(),
            registrations,
            model: model.model_name.clone(),
        },
    )
}

/// Scores a checklist. Computed evidence and the attested answer are both kept; when both are
/// known the worse one stands (a failure from either side fails the item) and a disagreement is
/// reported. An item nobody answered and the records cannot decide is unknown.
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
        items.push(combine(item, from_records, attested));
    }
    let count = |o: Outcome| items.iter().filter(|i| i.outcome == o).count();
    let (passed, failed, unknown) = (
        count(Outcome::Pass),
        count(Outcome::Fail),
        count(Outcome::Unknown),
    );
    let verdict = verdict(&items);
    FitnessReport {
        check: check.id.to_string(),
        items,
        passed,
        failed,
        unknown,
        verdict,
    }
}

fn attested_outcome(a: Answer) -> Outcome {
    match a {
        Answer::Yes => Outcome::Pass,
        Answer::No => Outcome::Fail,
        Answer::Unknown => Outcome::Unknown,
    }
}

fn combine(
    item: DonationItem,
    from_records: Option<ItemResult>,
    attested: Option<&ChecklistAnswer>,
) -> ItemResult {
    let said = attested.map(|a| a.answer);
    let note = attested.and_then(|a| a.note.clone());
    let said_outcome = said.map_or(Outcome::Unknown, attested_outcome);
    match from_records {
        Some(mut r) if r.outcome != Outcome::Unknown => {
            r.attested = said;
            if said_outcome != Outcome::Unknown && said_outcome != r.outcome {
                let word = if said_outcome == Outcome::Pass {
                    "yes"
                } else {
                    "no"
                };
                r.disagreement = Some(format!(
                    "attested {word}{}, the records say {}",
                    note.as_ref().map(|n| format!(" ({n})")).unwrap_or_default(),
                    if r.outcome == Outcome::Pass {
                        "pass"
                    } else {
                        "fail"
                    }
                ));
                // The worse answer stands: a failure seen by either side is not overruled.
                r.outcome = Outcome::Fail;
            }
            r
        }
        computed_unknown => ItemResult {
            item,
            outcome: said_outcome,
            why: match (&note, &computed_unknown, said_outcome) {
                (Some(_), _, _) => None,
                (None, Some(c), _) => c.why.clone(),
                (None, None, Outcome::Unknown) => Some(Reason::NotAnswered),
                (None, None, _) => Some(Reason::Attested),
            },
            reason: note
                .clone()
                .unwrap_or_else(|| match (&computed_unknown, said_outcome) {
                    (Some(c), _) => c.reason.clone(),
                    (None, Outcome::Unknown) => "not answered".to_string(),
                    (None, _) => "attested".to_string(),
                }),
            // An unknown from the records with nothing attested is still the records' word.
            computed: computed_unknown.is_some() && said_outcome == Outcome::Unknown,
            attested: said,
            disagreement: None,
        },
    }
}

/// Not fit when any item failed; otherwise not assessed while an essential item is unknown.
pub fn verdict(items: &[ItemResult]) -> Verdict {
    let failed: Vec<DonationItem> = items
        .iter()
        .filter(|i| i.outcome == Outcome::Fail)
        .map(|i| i.item)
        .collect();
    if !failed.is_empty() {
        return Verdict::NotFit { failed };
    }
    let missing: Vec<DonationItem> = ESSENTIAL
        .into_iter()
        .filter(|e| {
            items
                .iter()
                .find(|i| i.item == *e)
                .is_none_or(|i| i.outcome == Outcome::Unknown)
        })
        .collect();
    if missing.is_empty() {
        Verdict::Fit
    } else {
        Verdict::NotAssessed { missing }
    }
}

#[cfg(test)]
mod reason_tests {
    use super::*;

    #[test]
    fn structured_reasons_say_the_english_sentences_items_always_had() {
        let power = Reason::PowerProblems(vec![
            PowerProblem::NeedsThreePhase { has: 1 },
            PowerProblem::Voltage {
                lo: 200,
                hi: 240,
                seen: Seen::PhaseToNeutral {
                    phase: 230,
                    line: 400,
                },
            },
            PowerProblem::NoBackup,
        ]);
        assert_eq!(
            power.english(),
            "the model needs 3-phase power, the facility has 1-phase; the model takes 200-240 V, \
             the facility supplies 230 V phase-to-neutral (400 V line-to-line); the model needs a \
             UPS or backup supply, the facility has none"
        );
        let support = Reason::Support {
            until: NaiveDate::from_ymd_opt(2027, 1, 1).unwrap_or_default(),
            years_left: Decimal::new(27, 1),
            min_years: MIN_SUPPORT_YEARS,
        };
        assert_eq!(
            support.english(),
            "manufacturer support until 2027-01-01: 2.7 years left (at least 2 needed, 4 preferred)"
        );
        let counted = Reason::RegistrationsDoNotName {
            country: "KZ".into(),
            registrations: vec![RegistrationCount {
                id: "reg-1".into(),
                count: None,
                origin: "JP".into(),
            }],
            model: "S3K".into(),
        };
        assert_eq!(
            counted.english(),
            "registrations in KZ (reg-1 some devices of JP origin) do not name model S3K"
        );
    }

    #[test]
    fn a_computed_item_keeps_its_reason_beside_the_sentence() {
        let why = Reason::LanguageFound {
            language: "ru".into(),
        };
        let item = computed_why(DonationItem::LocalLanguage, Outcome::Pass, why.clone());
        assert_eq!(item.as_ref().and_then(|i| i.why.clone()), Some(why));
        assert_eq!(
            item.map(|i| i.reason),
            Some("manuals and interface come in ru".to_string())
        );
    }
}
