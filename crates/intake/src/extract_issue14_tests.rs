//! Candidate-layer cases of issue 14 on the whole rule extractor, each in a sentence written
//! for the test.

use super::*;

fn rules(text: &str) -> Extraction {
    extract_rules(text, &ExtractOptions::default()).expect("extracts")
}

fn only_fact(text: &str) -> Fact {
    let e = rules(text);
    assert_eq!(e.facts.len(), 1, "{text}: {:#?}", e.facts);
    e.facts.into_iter().next().expect("one fact")
}

#[test]
fn a_recipient_from_the_full_iso_list() {
    let f = only_fact("Japan will provide $3 million to Côte d'Ivoire for neonatal wards.");
    assert_eq!(f.recipient_country.map(|c| c.value).as_deref(), Some("CI"));
    let f = only_fact("Korea signed a $2 million grant with North Macedonia for ambulances.");
    assert_eq!(f.recipient_country.map(|c| c.value).as_deref(), Some("MK"));
}

#[test]
fn a_dac_member_missing_before_is_a_donor() {
    let f = only_fact("Estonia handed over generators worth EUR 498,000 to Ukraine on Friday.");
    assert_eq!(f.donor.map(|d| d.value).as_deref(), Some("Estonia"));
    assert_eq!(f.recipient_country.map(|c| c.value).as_deref(), Some("UA"));
}

#[test]
fn a_development_bank_missing_before_is_a_donor() {
    let f = only_fact(
        "The European Bank for Reconstruction and Development signed a EUR 20 million loan with Moldova for hospital heating.",
    );
    assert_eq!(
        f.donor.map(|d| d.value).as_deref(),
        Some("European Bank for Reconstruction and Development")
    );
}

#[test]
fn the_not_english_refusal_names_the_language() {
    let err = extract(
        "Правительство Кореи передало больнице в Караганде аппараты УЗИ.",
        &ExtractOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "this text is in Russian; intake reads English only"
    );
}
