//! Single-record rules of medicines records and the WHO donation-guideline checks at arrival.

mod medicines_fixture;

use std::collections::HashMap;

use aidtrace_domain::medicines::guidelines::{
    self, GuidelineConfig, GuidelineContext, GuidelineRule as R,
};
use aidtrace_domain::medicines::{
    Consignment, EssentialMedicine, MedicineProduct, MovementKind, ValueBasis, validate,
};
use aidtrace_domain::model::Citation;
use aidtrace_domain::{CurrencyCode, Money, RecordId};
use medicines_fixture::*;
use rust_decimal::Decimal;

fn field_of(c: &Consignment) -> String {
    validate::consignment(c).expect_err("refused").field
}

#[test]
fn expiry_before_manufacture_is_refused_naming_line_and_field() {
    let mut l = line("prod-amox", "A1", 10);
    l.manufactured = Some(day(2030, 1, 1));
    let c = consignment("con-1", vec![line("prod-amox", "A0", 1), l]);
    assert_eq!(field_of(&c), "lines[1].expiry");
}

#[test]
fn expiry_in_the_past_at_shipment_is_refused() {
    let mut l = line("prod-amox", "A1", 10);
    l.manufactured = None;
    l.expiry = day(2026, 10, 1);
    assert_eq!(field_of(&consignment("con-1", vec![l])), "lines[0].expiry");
}

#[test]
fn zero_quantity_is_refused() {
    assert_eq!(
        field_of(&consignment("con-1", vec![line("prod-amox", "A1", 0)])),
        "lines[0].quantity"
    );
}

#[test]
fn negative_quantity_cannot_be_read() {
    let json = r#"{"product":"p","lot":"A","expiry":"2029-01-01","quantity":-5}"#;
    assert!(serde_json::from_str::<aidtrace_domain::medicines::PackingLine>(json).is_err());
}

#[test]
fn negative_unit_value_is_refused() {
    let mut l = line("prod-amox", "A1", 1);
    l.unit_value = Some(Decimal::new(-1, 0));
    assert_eq!(
        field_of(&consignment("con-1", vec![l])),
        "lines[0].unit_value"
    );
}

#[test]
fn empty_packing_list_and_bad_language_are_refused() {
    assert_eq!(field_of(&consignment("con-1", vec![])), "lines");
    let mut c = consignment("con-1", vec![line("prod-amox", "A1", 1)]);
    c.recipient_languages = vec!["Ukrainian".into()];
    assert_eq!(field_of(&c), "recipient_languages[0]");
}

#[test]
fn arrival_before_shipment_is_refused() {
    let mut c = consignment("con-1", vec![line("prod-amox", "A1", 1)]);
    c.arrived = Some(day(2026, 10, 1));
    assert_eq!(field_of(&c), "arrived");
}

#[test]
fn product_with_bad_gtin_or_atc_is_refused() {
    let mut p = product("prod-amox", "amoxicillin");
    p.gtin = Some("09501101020918".into());
    assert_eq!(
        validate::product(&p).expect_err("check digit").field,
        "gtin"
    );
    p.gtin = Some("09501101020917".into());
    p.atc = Some("j01".into());
    assert_eq!(validate::product(&p).expect_err("lower case").field, "atc");
    p.atc = Some("J01CA04".into());
    assert_eq!(validate::product(&p), Ok(()));
}

#[test]
fn movement_shapes_are_checked() {
    let m = movement("m1", MovementKind::Use, "con-1", "A1", None, None, 1);
    assert_eq!(validate::movement(&m).expect_err("no from").field, "from");
    let m = movement(
        "m1",
        MovementKind::Receipt,
        "con-1",
        "A1",
        Some("fac-a"),
        Some("fac-b"),
        1,
    );
    assert_eq!(
        validate::movement(&m).expect_err("receipt from").field,
        "from"
    );
    let m = movement(
        "m1",
        MovementKind::Distribution,
        "con-1",
        "A1",
        Some("fac-a"),
        Some("fac-a"),
        1,
    );
    assert_eq!(
        validate::movement(&m).expect_err("same facility").field,
        "to"
    );
    let m = movement(
        "m1",
        MovementKind::Loss,
        "con-1",
        "A1",
        Some("fac-a"),
        None,
        0,
    );
    assert_eq!(validate::movement(&m).expect_err("zero").field, "quantity");
}

fn products() -> HashMap<RecordId, MedicineProduct> {
    let mut p = product("prod-amox", "Amoxicillin");
    p.reference_unit_price = Some(Money {
        amount: Decimal::new(4, 2),
        currency: CurrencyCode::parse("USD").expect("USD"),
        value_date: None,
    });
    HashMap::from([(p.id.clone(), p)])
}

fn eml() -> Vec<EssentialMedicine> {
    vec![EssentialMedicine {
        id: id("eml-amox"),
        country: None,
        inn: "amoxicillin".into(),
        dosage_form: None,
        strength: None,
        sources: vec![Citation {
            source: id("src-eml"),
            quote: None,
            field: None,
        }],
    }]
}

fn rules(
    c: &Consignment,
    products: &HashMap<RecordId, MedicineProduct>,
    monthly: &HashMap<RecordId, u64>,
) -> Vec<(R, Option<usize>)> {
    let essential = eml();
    let ctx = GuidelineContext {
        products,
        essential: &essential,
        monthly_consumption: monthly,
        today: day(2026, 12, 6),
    };
    guidelines::check(c, &ctx, &GuidelineConfig::default())
        .into_iter()
        .map(|f| (f.rule, f.line))
        .collect()
}

#[test]
fn a_good_consignment_has_no_findings() {
    let c = consignment("con-1", vec![line("prod-amox", "A1", 1000)]);
    assert_eq!(rules(&c, &products(), &HashMap::new()), vec![]);
}

#[test]
fn short_shelf_life_at_arrival_is_found() {
    let mut l = line("prod-amox", "A1", 10);
    l.expiry = day(2027, 6, 1);
    let c = consignment("con-1", vec![l]);
    assert_eq!(
        rules(&c, &products(), &HashMap::new()),
        vec![(R::ShortShelfLife, Some(0))]
    );
}

#[test]
fn short_shelf_life_products_need_one_third_of_their_life() {
    let mut ps = products();
    if let Some(p) = ps.get_mut(&id("prod-amox")) {
        p.short_shelf_life = true;
    }
    let mut l = line("prod-amox", "A1", 10);
    l.manufactured = Some(day(2026, 6, 1));
    l.expiry = day(2027, 6, 1); // 12 months of life, 6 left at arrival: a third is 4.
    let c = consignment("con-1", vec![l]);
    assert_eq!(rules(&c, &ps, &HashMap::new()), vec![]);
}

#[test]
fn unannounced_and_retail_priced_consignments_are_found() {
    let mut c = consignment("con-1", vec![line("prod-amox", "A1", 10)]);
    c.request_reference = None;
    c.value_basis = ValueBasis::DonorRetailPrice;
    assert_eq!(
        rules(&c, &products(), &HashMap::new()),
        vec![
            (R::UnannouncedConsignment, None),
            (R::RetailPriceBasis, None)
        ]
    );
}

#[test]
fn not_essential_not_registered_wrong_label_no_inn_are_found() {
    let mut ps = products();
    let mut p = product("prod-x", "brandomycin");
    p.registration = None;
    ps.insert(p.id.clone(), p);
    let mut l = line("prod-x", "X1", 10);
    l.label_languages = vec!["ja".into()];
    l.inn_on_label = false;
    let c = consignment("con-1", vec![l]);
    assert_eq!(
        rules(&c, &ps, &HashMap::new()),
        vec![
            (R::NotEssential, Some(0)),
            (R::NotRegistered, Some(0)),
            (R::LabelLanguage, Some(0)),
            (R::NoInnOnLabel, Some(0)),
        ]
    );
}

#[test]
fn a_registration_waiver_clears_the_registration_finding() {
    let mut ps = products();
    if let Some(p) = ps.get_mut(&id("prod-amox")) {
        p.registration = None;
        p.registration_waiver = Some("MoH waiver 12/2026".into());
    }
    let c = consignment("con-1", vec![line("prod-amox", "A1", 10)]);
    assert_eq!(rules(&c, &ps, &HashMap::new()), vec![]);
}

#[test]
fn value_above_reference_by_more_than_the_ratio_is_found() {
    let mut l = line("prod-amox", "A1", 10);
    l.unit_value = Some(Decimal::new(10, 2)); // 0.10 against 0.04: 2.5 times.
    let mut c = consignment("con-1", vec![l]);
    c.declared_value = Some(Money {
        amount: Decimal::ONE,
        currency: CurrencyCode::parse("USD").expect("USD"),
        value_date: None,
    });
    assert_eq!(
        rules(&c, &products(), &HashMap::new()),
        vec![(R::ValueAboveReference, Some(0))]
    );
    c.lines[0].unit_value = Some(Decimal::new(5, 2));
    if let Some(declared) = &mut c.declared_value {
        declared.amount = Decimal::new(5, 1);
    }
    assert_eq!(rules(&c, &products(), &HashMap::new()), vec![]);
}

#[test]
fn a_declared_value_the_lines_do_not_add_up_to_is_found() {
    let mut l = line("prod-amox", "A1", 10);
    l.unit_value = Some(Decimal::new(4, 2)); // 10 × 0.04 = 0.40
    let mut c = consignment("con-1", vec![l]);
    c.declared_value = Some(Money {
        amount: Decimal::ONE,
        currency: CurrencyCode::parse("USD").expect("USD"),
        value_date: None,
    });
    assert_eq!(
        rules(&c, &products(), &HashMap::new()),
        vec![(R::ValueMismatch, None)]
    );
    // Within 1 %: rounding, not a disagreement.
    if let Some(declared) = &mut c.declared_value {
        declared.amount = Decimal::new(403, 3);
    }
    assert_eq!(rules(&c, &products(), &HashMap::new()), vec![]);
    // A line without its unit value leaves nothing to compare.
    c.lines[0].unit_value = None;
    if let Some(declared) = &mut c.declared_value {
        declared.amount = Decimal::ONE_HUNDRED;
    }
    assert_eq!(rules(&c, &products(), &HashMap::new()), vec![]);
}

#[test]
fn quantity_above_months_of_consumption_is_found() {
    let c = consignment("con-1", vec![line("prod-amox", "A1", 1300)]);
    let monthly = HashMap::from([(id("prod-amox"), 100u64)]);
    assert_eq!(
        rules(&c, &products(), &monthly),
        vec![(R::AboveConsumption, Some(0))]
    );
    let c = consignment("con-1", vec![line("prod-amox", "A1", 1200)]);
    assert_eq!(rules(&c, &products(), &monthly), vec![]);
}

#[test]
fn an_unknown_product_is_an_error_finding() {
    let c = consignment("con-1", vec![line("prod-none", "A1", 1)]);
    let found = rules(&c, &products(), &HashMap::new());
    assert_eq!(found, vec![(R::UnknownProduct, Some(0))]);
    assert_eq!(
        R::UnknownProduct.severity(),
        aidtrace_domain::checks::Severity::Error
    );
}

#[test]
fn every_finding_has_an_english_message_with_its_arguments() {
    let mut l = line("prod-amox", "A1", 10);
    l.expiry = day(2027, 6, 1);
    let c = consignment("con-1", vec![l]);
    let essential = eml();
    let ps = products();
    let monthly = HashMap::new();
    let ctx = GuidelineContext {
        products: &ps,
        essential: &essential,
        monthly_consumption: &monthly,
        today: day(2026, 12, 6),
    };
    let f = guidelines::check(&c, &ctx, &GuidelineConfig::default());
    assert_eq!(
        f[0].english(),
        "Amoxicillin 500 mg expires 2027-06-01 with 6 months left at arrival (at least 12 required)"
    );
    assert_eq!(f[0].rule.id(), "MED-SHELF-LIFE");
}
