//! FHIR R4 export of donated medicines: `Medication` (each product, and each lot of it a
//! consignment brought, with its batch) and `SupplyDelivery` (each packing line, from the donor to
//! the consignment's destination, and each distribution from one facility to another), one
//! `collection` Bundle per resource type, as the equipment export in [`crate::fhir`] does.
//!
//! Receipts are not exported on their own: a packing line's delivery is `completed` exactly when
//! its lot was received (the decision accepted it), which is what a receipt records.

use std::collections::BTreeMap;
use std::path::Path;

use aidtrace_domain::medicines::{
    Consignment, DecisionOutcome, MedicineProduct, MovementKind, PackingLine,
};
use aidtrace_domain::{Ledger, RecordId};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::error::{ServiceError, ServiceResult};
use crate::fhir::{EXT_BASE, fhir_id};
use crate::medicines::latest_decisions;

pub const GTIN_SYSTEM: &str = "https://www.gs1.org/gtin";
pub const ATC_SYSTEM: &str = "http://www.whocc.no/atc";
const SUPPLY_ITEM_TYPE: &str = "http://terminology.hl7.org/CodeSystem/supply-item-type";
const PRODUCT_IDS: &str = "https://aidtrace.org/fhir/NamingSystem/medicine-product";
const LINE_IDS: &str = "https://aidtrace.org/fhir/NamingSystem/consignment-line";
const MOVEMENT_IDS: &str = "https://aidtrace.org/fhir/NamingSystem/stock-movement";

/// The resource types this export writes.
pub const MEDICINE_FHIR_TYPES: [&str; 2] = ["Medication", "SupplyDelivery"];

fn reference(kind: &str, raw: &str) -> Value {
    json!({ "reference": format!("{kind}/{}", fhir_id(raw)) })
}

/// The Organization a facility is exported as (the mCSD pair in [`crate::fhir`]).
fn facility_org(facility: &RecordId) -> Value {
    reference("Organization", &format!("{facility}.org"))
}

fn number(d: Decimal) -> Value {
    serde_json::from_str(&d.normalize().to_string()).unwrap_or(Value::Null)
}

/// `"500 mg"` or `"250 mg/5 mL"` as a FHIR Ratio; `None` when the text is not that shape (the
/// strength then travels in the code's text only).
fn strength_ratio(text: &str) -> Option<Value> {
    fn quantity(part: &str) -> Option<(Decimal, String)> {
        let part = part.trim();
        let split = part
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
            .unwrap_or(part.len());
        let value: Decimal = part[..split].replace(',', ".").parse().ok()?;
        let unit = part[split..].trim();
        (!unit.is_empty()).then(|| (value, unit.to_string()))
    }
    let mut parts = text.split('/');
    let (n_value, n_unit) = quantity(parts.next()?)?;
    let (d_value, d_unit) = match parts.next() {
        Some(d) => {
            let d = d.trim();
            // "500 mg/mL": one of the unit.
            quantity(d).or_else(|| (!d.is_empty()).then(|| (Decimal::ONE, d.to_string())))?
        }
        None => (Decimal::ONE, "1".to_string()),
    };
    if parts.next().is_some() {
        return None;
    }
    Some(json!({
        "numerator": { "value": number(n_value), "unit": n_unit },
        "denominator": { "value": number(d_value), "unit": d_unit },
    }))
}

fn code(p: &MedicineProduct) -> Value {
    let mut coding = Vec::new();
    if let Some(g) = &p.gtin {
        coding.push(json!({ "system": GTIN_SYSTEM, "code": g }));
    }
    if let Some(a) = &p.atc {
        coding.push(json!({ "system": ATC_SYSTEM, "code": a }));
    }
    let text = [
        Some(p.inn.as_str()),
        p.strength.as_deref(),
        Some(&p.dosage_form),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let mut v = json!({ "text": text });
    if !coding.is_empty() {
        v["coding"] = json!(coding);
    }
    v
}

fn medication(p: &MedicineProduct, id: String) -> Value {
    let mut ingredient = json!({
        "itemCodeableConcept": { "text": p.inn },
        "isActive": true,
    });
    if let Some(ratio) = p.strength.as_deref().and_then(strength_ratio) {
        ingredient["strength"] = ratio;
    }
    let mut r = json!({
        "resourceType": "Medication",
        "id": id,
        "identifier": [{ "system": PRODUCT_IDS, "value": p.id.as_str() }],
        "code": code(p),
        "status": "active",
        "form": { "text": p.dosage_form },
        "amount": {
            "numerator": { "value": p.pack_size, "unit": p.base_unit },
            "denominator": { "value": 1, "unit": "pack" },
        },
        "ingredient": [ingredient],
    });
    if let Some(m) = &p.manufacturer {
        r["manufacturer"] = reference("Organization", m.as_str());
    }
    r
}

/// The FHIR id of the Medication for one lot of a consignment.
pub fn lot_medication_id(consignment: &RecordId, product: &RecordId, lot: &str) -> String {
    fhir_id(&format!("{product}.{consignment}.{lot}"))
}

/// The FHIR id of the SupplyDelivery for one packing line.
pub fn line_delivery_id(consignment: &RecordId, line: usize) -> String {
    fhir_id(&format!("{consignment}.line-{line}"))
}

fn lot_medication(c: &Consignment, line: &PackingLine, product: Option<&MedicineProduct>) -> Value {
    let id = lot_medication_id(&c.id, &line.product, &line.lot);
    let mut r = match product {
        Some(p) => medication(p, id),
        // A line naming an unrecorded product (a guideline error) still exports its batch.
        None => json!({
            "resourceType": "Medication",
            "id": id,
            "identifier": [{ "system": PRODUCT_IDS, "value": line.product.as_str() }],
            "code": { "text": line.product.as_str() },
            "status": "active",
        }),
    };
    r["batch"] = json!({
        "lotNumber": line.lot,
        "expirationDate": line.expiry.to_string(),
    });
    r
}

fn supplied_item(quantity: u64, unit: &str, medication: &str) -> Value {
    json!({
        "quantity": { "value": quantity, "unit": unit },
        "itemReference": { "reference": format!("Medication/{medication}") },
    })
}

fn supply_type() -> Value {
    json!({ "coding": [{ "system": SUPPLY_ITEM_TYPE, "code": "medication", "display": "Medication" }] })
}

/// The two bundles, keyed by resource type.
pub fn export(ledger: &Ledger) -> BTreeMap<&'static str, Value> {
    let mut medications: Vec<Value> = ledger
        .medicine_products
        .values()
        .map(|p| medication(p, fhir_id(p.id.as_str())))
        .collect();
    let decisions = latest_decisions(ledger);
    let unit_of = |product: &RecordId| {
        ledger
            .medicine_products
            .get(product)
            .map_or_else(|| "1".to_string(), |p| p.base_unit.clone())
    };
    let mut deliveries = Vec::new();
    for c in ledger.consignments.values() {
        let decision = decisions.get(&c.id);
        for (i, line) in c.lines.iter().enumerate() {
            medications.push(lot_medication(
                c,
                line,
                ledger.medicine_products.get(&line.product),
            ));
            // FHIR's statuses: accepted lines were received (completed), refused ones never will
            // be (abandoned), undecided ones are still on their way or awaiting the decision.
            let status = match decision.map(|d| (d.outcome, d.accepted_lines.contains(&i))) {
                Some((DecisionOutcome::Accept, _) | (DecisionOutcome::AcceptInPart, true)) => {
                    "completed"
                }
                Some((DecisionOutcome::Reject | DecisionOutcome::AcceptInPart, _)) => "abandoned",
                None => "in-progress",
            };
            let mut r = json!({
                "resourceType": "SupplyDelivery",
                "id": line_delivery_id(&c.id, i),
                "identifier": [{ "system": LINE_IDS, "value": format!("{}#{i}", c.id) }],
                "status": status,
                "type": supply_type(),
                "suppliedItem": supplied_item(
                    line.quantity,
                    &unit_of(&line.product),
                    &lot_medication_id(&c.id, &line.product, &line.lot),
                ),
                "occurrenceDateTime": c.arrived.unwrap_or(c.shipped).to_string(),
                "supplier": reference("Organization", c.donor.as_str()),
                "destination": reference("Location", c.destination.as_str()),
            });
            if let Some(a) = &c.activity {
                r["extension"] = json!([{ "url": format!("{EXT_BASE}funding-activity"), "valueString": a.as_str() }]);
            }
            deliveries.push(r);
        }
    }
    for m in ledger
        .stock_movements
        .values()
        .filter(|m| m.kind == MovementKind::Distribution)
    {
        let line = ledger.consignments.get(&m.consignment).and_then(|c| {
            c.lines
                .iter()
                .position(|l| l.product == m.product && l.lot == m.lot)
        });
        let mut r = json!({
            "resourceType": "SupplyDelivery",
            "id": fhir_id(m.id.as_str()),
            "identifier": [{ "system": MOVEMENT_IDS, "value": m.id.as_str() }],
            "status": "completed",
            "type": supply_type(),
            "suppliedItem": supplied_item(
                m.quantity,
                &unit_of(&m.product),
                &lot_medication_id(&m.consignment, &m.product, &m.lot),
            ),
            "occurrenceDateTime": m.date.to_string(),
        });
        if let Some(i) = line {
            r["partOf"] = json!([{ "reference": format!("SupplyDelivery/{}", line_delivery_id(&m.consignment, i)) }]);
        }
        if let Some(f) = &m.from {
            r["supplier"] = facility_org(f);
        }
        if let Some(t) = &m.to {
            r["destination"] = reference("Location", t.as_str());
        }
        deliveries.push(r);
    }
    let bundle = |entries: Vec<Value>| {
        json!({
            "resourceType": "Bundle",
            "type": "collection",
            "entry": entries.into_iter().map(|r| json!({ "resource": r })).collect::<Vec<_>>(),
        })
    };
    let mut out = BTreeMap::new();
    out.insert("Medication", bundle(medications));
    out.insert("SupplyDelivery", bundle(deliveries));
    out
}

/// Writes `Medication.json` and `SupplyDelivery.json` into `dir` (created if needed); returns the
/// files written.
pub fn write(ledger: &Ledger, dir: &Path) -> ServiceResult<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(dir)
        .map_err(|e| ServiceError::Io(format!("cannot create {}: {e}", dir.display())))?;
    let mut written = Vec::new();
    for (kind, bundle) in export(ledger) {
        let path = dir.join(format!("{kind}.json"));
        let text = serde_json::to_string_pretty(&bundle)
            .map_err(|e| ServiceError::Io(format!("cannot serialise {kind}: {e}")))?;
        std::fs::write(&path, text)
            .map_err(|e| ServiceError::Io(format!("cannot write {}: {e}", path.display())))?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::strength_ratio;

    #[test]
    fn strengths_read_as_ratios() {
        let r = strength_ratio("500 mg").expect("ratio");
        assert_eq!(r["numerator"]["value"], 500);
        assert_eq!(r["numerator"]["unit"], "mg");
        assert_eq!(r["denominator"]["value"], 1);
        let r = strength_ratio("250 mg/5 mL").expect("ratio");
        assert_eq!(r["denominator"]["value"], 5);
        assert_eq!(r["denominator"]["unit"], "mL");
        let r = strength_ratio("1 g/mL").expect("ratio");
        assert_eq!(r["denominator"]["unit"], "mL");
        assert!(strength_ratio("various").is_none());
        assert!(strength_ratio("").is_none());
    }
}
