//! FHIR R4 export of the equipment registry: Device (assets), DeviceDefinition (catalogue),
//! Location and Organization (facilities in the IHE mCSD shape: a Location typed `facility`
//! managed by an Organization typed `facility`), one `collection` Bundle per resource type.
//!
//! FHIR's `Device.status` only knows active / inactive / entered-in-error / unknown, so the
//! aidtrace lifecycle state travels in an extension (documented in docs/assets.md):
//! `https://aidtrace.org/fhir/StructureDefinition/lifecycle-state` (valueCode) and
//! `.../lifecycle-state-since` (valueDateTime); the grant in `.../funding-activity` (valueString).

use std::collections::BTreeMap;
use std::path::Path;

use aidtrace_domain::assets::kpi::Fleet;
use aidtrace_domain::assets::{CodeSystem, DeviceModel, LifecycleState};
use aidtrace_domain::model::FacilityStatus;
use aidtrace_domain::{Ledger, RecordId};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::error::{ServiceError, ServiceResult};

pub const EXT_BASE: &str = "https://aidtrace.org/fhir/StructureDefinition/";
pub const MCSD_TYPES: &str =
    "https://profiles.ihe.net/ITI/mCSD/CodeSystem/IHE.mCSD.Organization.Location.Types";
const STATUS_REASON: &str = "http://terminology.hl7.org/CodeSystem/device-status-reason";
const UCUM: &str = "http://unitsofmeasure.org";

/// A FHIR id is 1–64 of `[A-Za-z0-9.-]`. aidtrace ids that fit are kept; others are mapped
/// deterministically (invalid characters to `-`, plus a hash of the original so two ids never
/// collide).
pub fn fhir_id(raw: &str) -> String {
    let ok = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '.';
    if !raw.is_empty() && raw.len() <= 64 && raw.chars().all(ok) {
        return raw.to_string();
    }
    let cleaned: String = raw
        .chars()
        .map(|c| if ok(c) { c } else { '-' })
        .take(48)
        .collect();
    let hash = hex::encode(Sha256::digest(raw.as_bytes()));
    format!("{cleaned}-{}", &hash[..12])
}

fn reference(kind: &str, id: &RecordId) -> Value {
    json!({ "reference": format!("{kind}/{}", fhir_id(id.as_str())) })
}

fn code_system_uri(system: CodeSystem) -> &'static str {
    match system {
        CodeSystem::Emdn => "https://webgate.ec.europa.eu/dyna2/emdn",
        CodeSystem::Gmdn => "https://www.gmdnagency.org",
        CodeSystem::Umdns => "https://www.ecri.org/umdns",
        CodeSystem::Local => "https://aidtrace.org/fhir/CodeSystem/local-device-code",
    }
}

fn model_type(m: &DeviceModel) -> Value {
    let mut coding = vec![json!({
        "system": "https://aidtrace.org/fhir/CodeSystem/generic-type",
        "code": m.generic_type,
    })];
    for c in &m.codes {
        let mut v = json!({ "system": code_system_uri(c.system), "code": c.code });
        if let Some(d) = &c.display {
            v["display"] = json!(d);
        }
        coding.push(v);
    }
    json!({ "coding": coding, "text": m.generic_type.replace('_', " ") })
}

fn quantity_property(label: &str, value: rust_decimal::Decimal, unit: &str) -> Value {
    // FHIR decimals are JSON numbers; the exact text survives in the number's digits.
    let number: Value = serde_json::from_str(&value.normalize().to_string()).unwrap_or(Value::Null);
    json!({
        "type": { "text": label },
        "valueQuantity": [{ "value": number, "unit": unit, "system": UCUM, "code": unit }]
    })
}

fn device_definition(m: &DeviceModel) -> Value {
    let mut names = vec![json!({ "name": m.model_name, "type": "model-name" })];
    if let Some(n) = &m.model_number {
        names.push(json!({ "name": n, "type": "other" }));
    }
    let mut r = json!({
        "resourceType": "DeviceDefinition",
        "id": fhir_id(m.id.as_str()),
        "manufacturerReference": reference("Organization", &m.manufacturer),
        "deviceName": names,
        "type": model_type(m),
    });
    if let Some(n) = &m.model_number {
        r["modelNumber"] = json!(n);
    }
    if !m.udi_di.is_empty() {
        r["udiDeviceIdentifier"] = json!(
            m.udi_di
                .iter()
                .map(|di| json!({
                    "deviceIdentifier": di,
                    "issuer": "http://hl7.org/fhir/NamingSystem/gs1-di",
                    "jurisdiction": "http://hl7.org/fhir/NamingSystem/fda-udi",
                }))
                .collect::<Vec<_>>()
        );
    }
    let mut props = Vec::new();
    if let Some(p) = &m.power {
        for (label, v, unit) in [
            ("idle power", p.idle_kw, "kW"),
            ("active power", p.active_kw, "kW"),
            ("peak apparent power", p.peak_kva, "kV.A"),
        ] {
            if let Some(v) = v {
                props.push(quantity_property(label, v, unit));
            }
        }
        if let Some(ph) = p.phases {
            props.push(quantity_property("phases", ph.into(), "1"));
        }
        if let Some(f) = p.frequency_hz {
            props.push(quantity_property("mains frequency", f.into(), "Hz"));
        }
    }
    if let Some(y) = m.expected_life_years {
        props.push(quantity_property("expected life", y.into(), "a"));
    }
    if !props.is_empty() {
        r["property"] = json!(props);
    }
    r
}

fn status(state: Option<LifecycleState>) -> (&'static str, Option<&'static str>) {
    use LifecycleState as S;
    match state {
        Some(S::Commissioned | S::InService) => ("active", Some("online")),
        Some(S::Down | S::UnderRepair) => ("inactive", Some("offline")),
        Some(S::Installed) => ("inactive", Some("not-ready")),
        Some(S::InStorage) => ("inactive", Some("off")),
        Some(
            S::Planned
            | S::Procured
            | S::Shipped
            | S::Delivered
            | S::Transferred
            | S::Decommissioned
            | S::Disposed
            | S::CustomsHold
            | S::DeadOnArrival
            | S::Rejected
            | S::ReturnedToDonor
            | S::Lost,
        ) => ("inactive", None),
        None => ("unknown", None),
    }
}

/// The four bundles, keyed by resource type.
pub fn export(ledger: &Ledger) -> BTreeMap<&'static str, Value> {
    let fleet = Fleet::build(ledger);
    let mut devices = Vec::new();
    for (i, a) in fleet.assets.iter().enumerate() {
        let last = fleet.histories[i].events.last();
        let (st, reason) = status(last.map(|e| e.state));
        let mut r = json!({
            "resourceType": "Device",
            "id": fhir_id(a.id.as_str()),
            "identifier": [{ "system": "https://aidtrace.org/fhir/NamingSystem/inventory-tag", "value": a.inventory_tag }],
            "definition": reference("DeviceDefinition", &a.model),
            "status": st,
            "location": reference("Location", &a.facility),
        });
        let mut ext = Vec::new();
        if let Some(e) = last {
            ext.push(json!({ "url": format!("{EXT_BASE}lifecycle-state"), "valueCode": e.state.as_str() }));
            ext.push(json!({
                "url": format!("{EXT_BASE}lifecycle-state-since"),
                "valueDateTime": e.at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            }));
        }
        if let Some(act) = &a.funding.activity {
            ext.push(json!({ "url": format!("{EXT_BASE}funding-activity"), "valueString": act.as_str() }));
        }
        if !ext.is_empty() {
            r["extension"] = json!(ext);
        }
        if let Some(reason) = reason {
            r["statusReason"] =
                json!([{ "coding": [{ "system": STATUS_REASON, "code": reason }] }]);
        }
        if let Some(s) = &a.serial {
            r["serialNumber"] = json!(s);
        }
        if let Some(m) = ledger.device_models.get(&a.model) {
            r["deviceName"] = json!([{ "name": m.model_name, "type": "model-name" }]);
            r["type"] = model_type(m);
            if let Some(n) = &m.model_number {
                r["modelNumber"] = json!(n);
            }
            r["manufacturer"] = json!(ledger.org_name(&m.manufacturer));
        }
        if let Some(d) = a.manufacture_date {
            r["manufactureDate"] = json!(d.to_string());
        }
        if let Some(o) = &a.owner {
            r["owner"] = reference("Organization", o);
        }
        if let Some(p) = &a.parent {
            r["parent"] = reference("Device", p);
        }
        if let Some(n) = &a.note {
            r["note"] = json!([{ "text": n }]);
        }
        devices.push(r);
    }
    let definitions: Vec<Value> = ledger
        .device_models
        .values()
        .map(device_definition)
        .collect();

    let mut locations = Vec::new();
    let mut organisations = Vec::new();
    for o in ledger.organisations.values() {
        let mut r = json!({
            "resourceType": "Organization",
            "id": fhir_id(o.id.as_str()),
            "active": true,
            "name": o.name,
        });
        if let Some(p) = &o.parent {
            r["partOf"] = reference("Organization", p);
        }
        organisations.push(r);
    }
    for f in ledger.facilities.values() {
        let org_id = RecordId::parse(&format!("{}.org", f.id)).unwrap_or_else(|_| f.id.clone());
        let facility_type = json!([{ "coding": [{ "system": MCSD_TYPES, "code": "facility", "display": "Facility" }] }]);
        let mut org = json!({
            "resourceType": "Organization",
            "id": fhir_id(org_id.as_str()),
            "active": true,
            "type": facility_type,
            "name": f.name,
        });
        if let Some(op) = &f.operator {
            org["partOf"] = reference("Organization", op);
        }
        organisations.push(org);
        let loc_status = match f.current_status().map(|s| s.status) {
            Some(FacilityStatus::Closed | FacilityStatus::Destroyed) => "inactive",
            Some(FacilityStatus::Damaged | FacilityStatus::UnderRepair) => "suspended",
            _ => "active",
        };
        let mut address = json!({ "country": f.country.as_str() });
        if let Some(c) = &f.city {
            address["city"] = json!(c);
        }
        if let Some(r) = &f.region {
            address["state"] = json!(r);
        }
        let mut loc = json!({
            "resourceType": "Location",
            "id": fhir_id(f.id.as_str()),
            "status": loc_status,
            "name": f.name,
            "mode": "instance",
            "type": facility_type,
            "physicalType": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/location-physical-type", "code": "bu", "display": "Building" }] },
            "address": address,
            "managingOrganization": reference("Organization", &org_id),
        });
        // Sensitive facilities (under attack) never leave with coordinates.
        if let (Some(p), false) = (&f.location, f.sensitive) {
            let lat: Value =
                serde_json::from_str(&p.lat.normalize().to_string()).unwrap_or(Value::Null);
            let lon: Value =
                serde_json::from_str(&p.lon.normalize().to_string()).unwrap_or(Value::Null);
            loc["position"] = json!({ "latitude": lat, "longitude": lon });
        }
        locations.push(loc);
    }
    let bundle = |entries: Vec<Value>| {
        json!({
            "resourceType": "Bundle",
            "type": "collection",
            "entry": entries.into_iter().map(|r| json!({ "resource": r })).collect::<Vec<_>>(),
        })
    };
    let mut out = BTreeMap::new();
    out.insert("Device", bundle(devices));
    out.insert("DeviceDefinition", bundle(definitions));
    out.insert("Location", bundle(locations));
    out.insert("Organization", bundle(organisations));
    out
}

/// Writes `<Type>.json` bundles into `dir` (created if needed); returns the files written.
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
