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

#[test]
fn each_amount_of_a_list_goes_to_the_country_named_after_it() {
    let e = rules(
        "The Netherlands announced emergency health funding on Tuesday. It signed €3 million to Mali and €2 million for Niger.",
    );
    let pairs: Vec<(String, Option<String>)> = e
        .facts
        .iter()
        .map(|f| {
            (
                f.amount
                    .as_ref()
                    .map(|a| a.value.amount.to_string())
                    .unwrap_or_default(),
                f.recipient_country.as_ref().map(|c| c.value.clone()),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        vec![
            ("3000000".to_string(), Some("ML".to_string())),
            ("2000000".to_string(), Some("NE".to_string()))
        ]
    );
}

#[test]
fn a_regional_amount_has_no_single_recipient() {
    let e = rules(
        "Sweden gave Kenya SEK 40 million for clinics. It also gave SEK 25 million for the Horn of Africa.",
    );
    let regional = e
        .facts
        .iter()
        .find(|f| {
            f.amount
                .as_ref()
                .is_some_and(|a| a.value.amount == Decimal::from(25_000_000))
        })
        .expect("regional amount");
    assert_eq!(regional.recipient_country, None);
}

#[test]
fn a_un_agency_receiving_the_money_is_not_its_donor() {
    let e = rules(
        "Norway is stepping up support to Sudan. NOK 30 million will go to the World Health Organization for cholera kits.",
    );
    let f = e.facts.first().expect("one fact");
    assert_eq!(f.donor.as_ref().map(|d| d.value.as_str()), Some("Norway"));
}

#[test]
fn an_organisation_the_dictionaries_lack_is_the_donor_when_it_gives() {
    let f = only_fact(
        "Zambezi Copper Plc has donated K4 million worth of oxygen concentrators to Zambia.",
    );
    assert_eq!(
        f.donor.map(|d| d.value).as_deref(),
        Some("Zambezi Copper Plc")
    );
    let f = only_fact(
        "The new maternity ward in Ghana was funded by the Akosua Mensah Foundation at a value of GH¢2 million.",
    );
    assert_eq!(
        f.donor.map(|d| d.value).as_deref(),
        Some("Akosua Mensah Foundation")
    );
}

#[test]
fn a_known_donor_in_the_sentence_keeps_precedence_over_an_organisation() {
    let f = only_fact(
        "Japan signed a $3 million grant with Nepal; the Himalayan Health Foundation will run the clinics.",
    );
    assert_eq!(f.donor.map(|d| d.value).as_deref(), Some("Japan"));
}

#[test]
fn a_bracketed_equivalent_after_the_amounts_noun_is_not_a_second_flow() {
    let f = only_fact(
        "Germany signed a EUR 10 million hospital grant (about USD 10.9 million) with Malawi.",
    );
    assert_eq!(
        f.stated_equivalent.map(|e| e.value.currency).as_deref(),
        Some("USD")
    );
}

#[test]
fn equal_amounts_from_two_donors_are_two_flows() {
    let e = rules(
        "Japan gave $2 million to Nepal for clinics. Korea also gave $2 million to Nepal for ambulances.",
    );
    let donors: Vec<Option<String>> = e
        .facts
        .iter()
        .map(|f| f.donor.as_ref().map(|d| d.value.clone()))
        .collect();
    assert_eq!(
        donors,
        vec![
            Some("Japan".to_string()),
            Some("Republic of Korea".to_string())
        ]
    );
}

#[test]
fn an_equivalent_restated_two_sentences_later_with_an_aside_is_not_a_flow() {
    let e = rules(
        "Norway signed a NOK 40 million grant for maternity care in Uganda. The hospital lost its roof in a storm. The Norwegian funding, equivalent to about UGX 14 billion, will cover repairs.",
    );
    let flows: Vec<&Fact> = e.flows().collect();
    assert_eq!(flows.len(), 1, "{:#?}", e.facts);
    assert_eq!(
        flows[0]
            .stated_equivalent
            .as_ref()
            .map(|m| m.value.currency.as_str()),
        Some("UGX")
    );
}

#[test]
fn an_equivalent_after_a_long_aside_joined_by_and_is_not_a_flow() {
    let e = rules(
        "Germany committed EUR 28 million to rebuild hospitals in Chernihiv, Ukraine. The financing, provided by BMZ through KfW Development Bank and equivalent to about UAH 1.37 billion, will restore two hospitals.",
    );
    let flows: Vec<&Fact> = e.flows().collect();
    assert_eq!(flows.len(), 1, "{:#?}", e.facts);
    assert_eq!(
        flows[0]
            .stated_equivalent
            .as_ref()
            .map(|m| m.value.currency.as_str()),
        Some("UAH")
    );
}

fn item_names(text: &str) -> Vec<(String, Option<String>)> {
    only_fact(text)
        .items
        .into_iter()
        .map(|i| (i.name, i.canonical))
        .collect()
}

#[test]
fn an_item_keeps_the_article_words_and_its_modifiers() {
    let names =
        item_names("Japan will provide $3 million to Laos for four portable digital X-ray units.");
    assert_eq!(
        names,
        [(
            "portable digital X-ray unit".to_string(),
            Some("X-ray machine".to_string())
        )]
    );
}

#[test]
fn a_verb_before_an_item_is_not_its_modifier() {
    let names = item_names("KOICA donates CT scanners worth $2 million to Laos.");
    assert_eq!(names[0].0, "CT scanner");
}

#[test]
fn a_spelled_out_name_with_its_abbreviation_is_one_item() {
    let names =
        item_names("Japan will provide $3 million to Laos for computed tomography (CT) scanners.");
    assert_eq!(
        names,
        [("CT scanner".to_string(), Some("CT scanner".to_string()))]
    );
}

#[test]
fn a_total_cost_is_not_aid_and_a_total_since_a_year_is_cumulative() {
    let e = rules(
        "The Government of Tajikistan will cover the remaining US$7.4 million, bringing the \
         total cost to US$91 million.",
    );
    assert!(
        e.facts
            .iter()
            .all(|f| f.amount_kind.value == AmountKind::NotAid),
        "{:#?}",
        e.facts
    );
    let f = only_fact("Since 1996 Japan has provided a total of $50 million to Laos.");
    assert_eq!(f.amount_kind.value, AmountKind::Cumulative);
}

#[test]
fn an_amount_in_several_words_of_aid_to_the_region_has_no_single_recipient() {
    let e = rules(
        "Venezuela crisis funding\nSince 1994, the EU has provided more than €1.6 billion in \
         humanitarian assistance to the region, including Venezuela.",
    );
    let f = e
        .facts
        .iter()
        .find(|f| f.amount.is_some())
        .expect("an amount");
    assert_eq!(f.recipient_country, None, "{f:#?}");
}

#[test]
fn the_recipient_side_investing_its_own_money_is_not_aid() {
    let e = rules(
        "Germany will provide EUR 15 million to Kyrgyzstan for tuberculosis care. In turn, the \
         Kyrgyz side will direct 7.5 million euros to the programmes against tuberculosis.",
    );
    let own = e
        .facts
        .iter()
        .find(|f| {
            f.amount
                .as_ref()
                .is_some_and(|a| a.value.amount == Decimal::new(7_500_000, 0))
        })
        .expect("the recipient's share is found");
    assert_eq!(own.amount_kind.value, AmountKind::NotAid);
}
