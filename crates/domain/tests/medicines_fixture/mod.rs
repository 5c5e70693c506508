//! Records shared by the medicines tests.
#![allow(dead_code)]

use aidtrace_domain::medicines::{
    Consignment, ConsignmentDecision, ConsignmentMode, DecisionOutcome, DestinationKind,
    MedicineProduct, MovementKind, PackingLine, StockMovement, ValueBasis,
};
use aidtrace_domain::{CountryCode, RecordId};
use chrono::NaiveDate;

pub fn id(s: &str) -> RecordId {
    RecordId::parse(s).expect("test id")
}

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("test date")
}

pub fn product(pid: &str, inn: &str) -> MedicineProduct {
    MedicineProduct {
        id: id(pid),
        inn: inn.into(),
        strength: Some("500 mg".into()),
        dosage_form: "tablet".into(),
        pack_size: 100,
        base_unit: "tablet".into(),
        atc: None,
        manufacturer: None,
        manufacturer_country: None,
        gtin: None,
        registration: Some(id("reg-1")),
        registration_waiver: None,
        short_shelf_life: false,
        reference_unit_price: None,
        sources: vec![],
    }
}

pub fn line(product: &str, lot: &str, quantity: u64) -> PackingLine {
    PackingLine {
        product: id(product),
        lot: lot.into(),
        expiry: day(2029, 6, 30),
        manufactured: Some(day(2026, 6, 1)),
        quantity,
        unit_value: None,
        label_languages: vec!["uk".into()],
        inn_on_label: true,
        serial: None,
    }
}

pub fn consignment(cid: &str, lines: Vec<PackingLine>) -> Consignment {
    Consignment {
        id: id(cid),
        donor: id("org-donor"),
        activity: None,
        mode: ConsignmentMode::Direct,
        shipped: day(2026, 11, 1),
        arrived: Some(day(2026, 11, 20)),
        destination: id("fac-warehouse"),
        destination_kind: DestinationKind::CentralWarehouse,
        recipient_country: CountryCode::parse("UA").expect("UA"),
        recipient_languages: vec!["uk".into()],
        declared_value: None,
        value_basis: ValueBasis::RecipientWholesalePrice,
        value_flow: None,
        request_reference: Some("MoH request 2026/17".into()),
        lines,
        sources: vec![],
    }
}

pub fn accept(cid: &str) -> ConsignmentDecision {
    ConsignmentDecision {
        id: id(&format!("{cid}-decision")),
        consignment: id(cid),
        decided_on: day(2026, 11, 21),
        outcome: DecisionOutcome::Accept,
        accepted_lines: vec![],
        findings_seen: vec![],
        reason: None,
    }
}

pub fn movement(
    mid: &str,
    kind: MovementKind,
    cid: &str,
    lot: &str,
    from: Option<&str>,
    to: Option<&str>,
    quantity: u64,
) -> StockMovement {
    StockMovement {
        id: id(mid),
        kind,
        date: day(2026, 11, 22),
        consignment: id(cid),
        product: id("prod-amox"),
        lot: lot.into(),
        from: from.map(id),
        to: to.map(id),
        quantity,
        note: None,
    }
}
