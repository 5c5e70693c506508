//! Donation fitness: power match, manufacturer support, languages and market registration are
//! computed from the records; the rest is attested.

use aidtrace_domain::assets::donation::{Outcome, power_match, registration, score};
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
            // Attested yes, but the records show a mismatch: the records win.
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
    assert!(!report.fit);
    assert_eq!(
        report.passed + report.failed + report.unknown,
        DonationItem::ALL.len()
    );
}
