//! Donation fitness: power match, manufacturer support, languages and market registration are
//! computed from the records; the rest is attested.

use aidtrace_domain::assets::donation::{
    ESSENTIAL, Outcome, PHASE_PAIRS, Verdict, power_match, registration, score,
};
use aidtrace_domain::assets::{
    Answer, ChecklistAnswer, DeviceModel, DonationCheck, DonationItem, FacilityPower, PowerNeeds,
};
use aidtrace_domain::model::{Facility, FacilityKind, MarketRegistration, ProductKind};
use aidtrace_domain::{CountryCode, RecordId};
use chrono::NaiveDate;

fn id(s: &str) -> RecordId {
    RecordId::parse(s).expect("id")
}
fn kz() -> CountryCode {
    CountryCode::parse("KZ").expect("kz")
}

fn model(power: Option<PowerNeeds>) -> DeviceModel {
    DeviceModel {
        id: id("dm-1"),
        manufacturer: id("org-m"),
        model_name: "Scanner 3000".into(),
        model_number: Some("S3K".into()),
        udi_di: vec![],
        generic_type: "ct_scanner".into(),
        codes: vec![],
        risk_class: None,
        expected_life_years: None,
        support_until: NaiveDate::from_ymd_opt(2027, 1, 1),
        power,
        consumables: vec![],
        manual_languages: vec!["en".into(), "ru".into()],
        sources: vec![],
    }
}

fn ct_power() -> PowerNeeds {
    PowerNeeds {
        idle_kw: Some("2.6".parse().expect("d")),
        active_kw: None,
        peak_kva: Some("120".parse().expect("d")),
        average_kw: None,
        peak_kw: None,
        starting_kva: None,
        phases: Some(3),
        voltage_min: Some(380),
        voltage_max: Some(415),
        frequency_hz: Some(50),
        needs_ups: false,
    }
}

fn supply(phases: u8, voltage: u32, hz: u32, kva: &str) -> FacilityPower {
    FacilityPower {
        id: id("pw"),
        facility: id("fac"),
        phases,
        voltage,
        frequency_hz: hz,
        available_kva: Some(kva.parse().expect("d")),
        backup_kva: None,
        typical_outage_hours_per_day: None,
        backup_condition: None,
        building_loads: vec![],
        tier_overrides: vec![],
        fuel: None,
        note: None,
        sources: vec![],
    }
}

fn facility() -> Facility {
    Facility {
        id: id("fac"),
        name: "Hospital".into(),
        kind: FacilityKind::RegionalHospital,
        country: kz(),
        region: None,
        city: None,
        operator: None,
        location: None,
        location_note: None,
        beds: None,
        population_served: None,
        sensitive: false,
        illustrative: None,
        status_history: vec![],
        sources: vec![],
    }
}

#[test]
fn power_match_names_each_mismatch() {
    let m = model(Some(ct_power()));
    let ok = power_match(&m, Some(&supply(3, 400, 50, "150"))).expect("known");
    assert_eq!(ok.outcome, Outcome::Pass);
    let bad = power_match(&m, Some(&supply(1, 230, 60, "20"))).expect("known");
    assert_eq!(bad.outcome, Outcome::Fail);
    for words in ["3-phase", "50 Hz", "380-415 V", "120 kVA"] {
        assert!(bad.reason.contains(words), "{words}: {}", bad.reason);
    }
    assert!(
        power_match(&m, None).is_none(),
        "unknown supply decides nothing"
    );
    assert!(power_match(&model(None), Some(&supply(3, 400, 50, "150"))).is_none());
}

#[test]
fn registration_passes_only_when_the_model_is_named() {
    let m = model(None);
    let f = facility();
    let counted = MarketRegistration {
        id: id("reg-count"),
        country: kz(),
        origin_country: CountryCode::parse("JP").expect("jp"),
        product_kind: ProductKind::MedicalDevice,
        count: Some(445),
        manufacturer: None,
        products: vec![],
        as_of: None,
        sources: vec![],
    };
    let r = registration(&m, &f, &[&counted]).expect("some data");
    assert_eq!(r.outcome, Outcome::Unknown);
    assert!(r.reason.contains("445"), "{}", r.reason);
    let named = MarketRegistration {
        id: id("reg-named"),
        products: vec!["s3k".into()],
        ..counted.clone()
    };
    assert_eq!(
        registration(&m, &f, &[&counted, &named])
            .expect("named")
            .outcome,
        Outcome::Pass
    );
    let elsewhere = MarketRegistration {
        country: CountryCode::parse("UA").expect("ua"),
        ..named
    };
    assert!(registration(&m, &f, &[&elsewhere]).is_none());
}

#[test]
fn score_prefers_records_over_attestation_and_fails_short_support() {
    let m = model(Some(ct_power()));
    let check = DonationCheck {
        id: id("dc"),
        asset: None,
        activity: None,
        model: id("dm-1"),
        facility: id("fac"),
        checked_on: NaiveDate::from_ymd_opt(2025, 6, 1).expect("d"),
        local_languages: vec!["kk".into(), "ru".into()],
        answers: vec![
            // Attested yes, but the records show a mismatch: both are kept, the failure stands.
            ChecklistAnswer {
                item: DonationItem::PowerMatch,
                answer: Answer::Yes,
                note: None,
            },
            ChecklistAnswer {
                item: DonationItem::RecipientRequest,
                answer: Answer::Yes,
                note: None,
            },
            ChecklistAnswer {
                item: DonationItem::TrainingPlan,
                answer: Answer::No,
                note: Some("no trainer".into()),
            },
        ],
        checked_by: None,
    };
    let report = score(
        &check,
        &m,
        &facility(),
        Some(&supply(1, 230, 50, "200")),
        &[],
    );
    let outcome = |item| {
        report
            .items
            .iter()
            .find(|i| i.item == item)
            .map(|i| i.outcome)
            .expect("every item is reported")
    };
    assert_eq!(report.items.len(), DonationItem::ALL.len());
    assert_eq!(outcome(DonationItem::PowerMatch), Outcome::Fail);
    // Support ends 2027-01-01: 1.6 years after the check, under the 2-year minimum.
    assert_eq!(outcome(DonationItem::ManufacturerSupport), Outcome::Fail);
    assert_eq!(outcome(DonationItem::LocalLanguage), Outcome::Pass);
    assert_eq!(outcome(DonationItem::RecipientRequest), Outcome::Pass);
    assert_eq!(outcome(DonationItem::TrainingPlan), Outcome::Fail);
    assert_eq!(outcome(DonationItem::SparePartsLocal), Outcome::Unknown);
    assert_eq!(report.failed, 3);
    assert_eq!(
        report.verdict,
        Verdict::NotFit {
            failed: vec![
                DonationItem::PowerMatch,
                DonationItem::ManufacturerSupport,
                DonationItem::TrainingPlan
            ]
        }
    );
    assert_eq!(
        report.passed + report.failed + report.unknown,
        DonationItem::ALL.len()
    );
}

fn single_phase(lo: u32, hi: u32, phases: Option<u8>) -> PowerNeeds {
    PowerNeeds {
        phases,
        voltage_min: Some(lo),
        voltage_max: Some(hi),
        frequency_hz: Some(50),
        ..PowerNeeds::default()
    }
}

#[test]
fn a_single_phase_device_fits_a_400_v_three_phase_hospital() {
    // 400 V line-to-line is 230 V phase-to-neutral, what a single-phase device is wired to.
    let m = model(Some(single_phase(220, 240, Some(1))));
    let r = power_match(&m, Some(&supply(3, 400, 50, "150"))).expect("known");
    assert_eq!(r.outcome, Outcome::Pass, "{}", r.reason);
}

#[test]
fn a_device_of_unknown_phases_fits_when_the_phase_voltage_does() {
    let m = model(Some(single_phase(210, 230, None)));
    let r = power_match(&m, Some(&supply(3, 380, 50, "150"))).expect("known");
    assert_eq!(r.outcome, Outcome::Pass, "{}", r.reason);
}

#[test]
fn a_single_phase_device_outside_the_phase_voltage_still_fails() {
    // 208 V line-to-line (North American) is 120 V to neutral: a 220-240 V device does not fit.
    let m = model(Some(single_phase(220, 240, Some(1))));
    let r = power_match(&m, Some(&supply(3, 208, 50, "150"))).expect("known");
    assert_eq!(r.outcome, Outcome::Fail);
    assert!(r.reason.contains("120 V phase-to-neutral"), "{}", r.reason);
}

#[test]
fn a_three_phase_device_is_still_checked_against_line_voltage() {
    let m = model(Some(ct_power()));
    let r = power_match(&m, Some(&supply(3, 208, 50, "150"))).expect("known");
    assert_eq!(r.outcome, Outcome::Fail);
    assert!(r.reason.contains("208 V"), "{}", r.reason);
}

#[test]
fn a_non_standard_line_voltage_is_compared_exactly() {
    // 440 V / √3 = 254.03 V: inside 250-260, outside 220-254.
    let sup = supply(3, 440, 50, "150");
    let fits = power_match(&model(Some(single_phase(250, 260, Some(1)))), Some(&sup));
    assert_eq!(fits.expect("known").outcome, Outcome::Pass);
    let short = power_match(&model(Some(single_phase(220, 254, Some(1)))), Some(&sup));
    assert_eq!(short.expect("known").outcome, Outcome::Fail);
}

fn bare_check(answers: Vec<ChecklistAnswer>) -> DonationCheck {
    DonationCheck {
        id: id("dc"),
        asset: None,
        activity: None,
        model: id("dm-1"),
        facility: id("fac"),
        checked_on: NaiveDate::from_ymd_opt(2024, 1, 1).expect("d"),
        local_languages: vec![],
        answers,
        checked_by: None,
    }
}

fn yes(item: DonationItem) -> ChecklistAnswer {
    ChecklistAnswer {
        item,
        answer: Answer::Yes,
        note: None,
    }
}

#[test]
fn an_empty_checklist_is_not_assessed_naming_the_missing_items() {
    let report = score(&bare_check(vec![]), &model(None), &facility(), None, &[]);
    assert_eq!(
        report.verdict,
        Verdict::NotAssessed {
            missing: vec![
                DonationItem::RecipientRequest,
                DonationItem::RecipientAcceptance,
                DonationItem::MarketRegistration,
                DonationItem::RecipientNeed,
                DonationItem::Environment,
                DonationItem::StaffSkills,
                DonationItem::UsedCondition,
                DonationItem::OmBudget,
                DonationItem::DisposalResponsibility,
            ]
        }
    );
    assert!(!report.is_fit());
}

#[test]
fn a_checklist_with_every_essential_item_known_is_fit() {
    let check = bare_check(ESSENTIAL.into_iter().map(yes).collect());
    let report = score(&check, &model(None), &facility(), None, &[]);
    assert_eq!(report.verdict, Verdict::Fit);
}

#[test]
fn unknown_need_environment_skills_condition_budget_or_disposal_is_not_assessed() {
    let mut answers: Vec<ChecklistAnswer> = vec![
        yes(DonationItem::RecipientRequest),
        yes(DonationItem::RecipientAcceptance),
        yes(DonationItem::MarketRegistration),
    ];
    // Before, these three made a donation fit.
    let report = score(
        &bare_check(answers.clone()),
        &model(None),
        &facility(),
        None,
        &[],
    );
    assert_eq!(
        report.verdict,
        Verdict::NotAssessed {
            missing: ESSENTIAL[3..].to_vec()
        }
    );
    // All known, but the recipient has no O&M budget: not fit, naming it.
    answers.extend(
        ESSENTIAL[3..]
            .iter()
            .copied()
            .filter(|i| *i != DonationItem::OmBudget)
            .map(yes),
    );
    answers.push(ChecklistAnswer {
        item: DonationItem::OmBudget,
        answer: Answer::No,
        note: Some("no maintenance budget line".into()),
    });
    let report = score(&bare_check(answers), &model(None), &facility(), None, &[]);
    assert_eq!(
        report.verdict,
        Verdict::NotFit {
            failed: vec![DonationItem::OmBudget]
        }
    );
}

#[test]
fn an_attested_answer_is_kept_beside_the_computed_one_and_a_disagreement_reported() {
    let m = model(Some(ct_power()));
    let check = bare_check(vec![ChecklistAnswer {
        item: DonationItem::PowerMatch,
        answer: Answer::No,
        note: Some("sockets are the wrong type".into()),
    }]);
    // The records say the supply fits; the person on site said no.
    let report = score(
        &check,
        &m,
        &facility(),
        Some(&supply(3, 400, 50, "150")),
        &[],
    );
    let power = report
        .items
        .iter()
        .find(|i| i.item == DonationItem::PowerMatch)
        .expect("power");
    assert!(power.computed);
    assert_eq!(power.attested, Some(Answer::No));
    let why = power
        .disagreement
        .as_deref()
        .expect("disagreement reported");
    assert!(why.contains("sockets"), "{why}");
    assert_eq!(power.outcome, Outcome::Fail, "the failure is not overruled");
}

proptest::proptest! {
    #[test]
    fn phase_voltage_verdict_agrees_with_v_over_root_3_away_from_the_edges(
        v in 100u32..1000, lo in 50u32..600, w in 0u32..100
    ) {
        // Standard pairs use their nominal phase voltage; every other line voltage is compared
        // exactly. A float is safe as a cross-check only away from the range edges.
        proptest::prop_assume!(!PHASE_PAIRS.iter().any(|(line, _)| *line == v));
        let hi = lo + w;
        let m = model(Some(single_phase(lo, hi, Some(1))));
        let r = power_match(&m, Some(&supply(3, v, 50, "150"))).expect("known");
        let phase = f64::from(v) / 3f64.sqrt();
        if phase > f64::from(lo) + 0.01 && phase < f64::from(hi) - 0.01 {
            proptest::prop_assert_eq!(r.outcome, Outcome::Pass, "{}", r.reason);
        }
        if phase < f64::from(lo) - 0.01 || phase > f64::from(hi) + 0.01 {
            proptest::prop_assert_eq!(r.outcome, Outcome::Fail, "{}", r.reason);
        }
    }
}
