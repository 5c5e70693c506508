//! Field safety notices: which assets a notice names (model or UDI-DI, then serial, serial range
//! or lot), search terms, and the single-record rules of notices and incidents.

use aidtrace_domain::Record;
use aidtrace_domain::assets::recall::{self, FieldSafetyNotice, Incident, Match};
use aidtrace_domain::assets::{Asset, DeviceModel};
use aidtrace_domain::validate::validate;
use serde_json::json;

fn model(id: &str, udi: &[&str]) -> DeviceModel {
    serde_json::from_value(json!({
        "id": id, "manufacturer": "org-maker", "model_name": "Vent 5",
        "udi_di": udi, "generic_type": "ventilator"
    }))
    .expect("model")
}

fn asset(id: &str, model: &str, serial: Option<&str>, udi_pi: Option<&str>) -> Asset {
    let mut v = json!({
        "id": id, "inventory_tag": id, "model": model, "facility": "fac-1",
        "funding": {"acquisition": "donation", "condition": "new"}, "criticality": "high"
    });
    if let Some(s) = serial {
        v["serial"] = json!(s);
    }
    if let Some(p) = udi_pi {
        v["udi_pi"] = json!(p);
    }
    serde_json::from_value(v).expect("asset")
}

fn notice(extra: serde_json::Value) -> FieldSafetyNotice {
    let mut v = json!({
        "id": "fsn-1", "issuer": "org-maker", "reference": "FSN-2026-014",
        "date": "2026-01-10", "action": "replace the oxygen sensor"
    });
    for (k, x) in extra.as_object().expect("object") {
        v[k] = x.clone();
    }
    serde_json::from_value(v).expect("notice")
}

#[test]
fn a_notice_without_lots_or_serials_names_every_unit_of_the_model() {
    let n = notice(json!({"model": "dm-vent"}));
    let m = model("dm-vent", &[]);
    assert_eq!(
        recall::affects(&n, &asset("as-1", "dm-vent", None, None), &m),
        Some(Match::Affected)
    );
}

#[test]
fn a_notice_for_another_model_names_nothing() {
    let n = notice(json!({"model": "dm-other"}));
    let m = model("dm-vent", &["0761234567890"]);
    assert_eq!(
        recall::affects(&n, &asset("as-1", "dm-vent", Some("SN0150"), None), &m),
        None
    );
}

#[test]
fn the_model_is_found_by_its_udi_di_when_the_notice_names_no_catalogue_model() {
    let n = notice(json!({"udi_di": ["0761234567890"]}));
    let m = model("dm-vent", &["0761234567890"]);
    assert_eq!(
        recall::affects(&n, &asset("as-1", "dm-vent", None, None), &m),
        Some(Match::Affected)
    );
}

#[test]
fn a_serial_inside_the_range_is_affected_and_one_outside_is_not() {
    let n =
        notice(json!({"model": "dm-vent", "serial_ranges": [{"from": "SN0100", "to": "SN0199"}]}));
    let m = model("dm-vent", &[]);
    assert_eq!(
        recall::affects(&n, &asset("as-1", "dm-vent", Some("SN0150"), None), &m),
        Some(Match::Affected)
    );
    assert_eq!(
        recall::affects(&n, &asset("as-2", "dm-vent", Some("SN0200"), None), &m),
        None
    );
}

#[test]
fn a_serial_of_another_length_is_never_inside_a_range() {
    // Character order alone would put "SN015" (serial 15) between SN0100 and SN0199.
    let r = recall::SerialRange {
        from: "SN0100".into(),
        to: "SN0199".into(),
    };
    assert!(!r.contains("SN015"));
    assert!(!r.contains("SN01500"));
    assert!(r.contains("SN0100") && r.contains("SN0199"));
}

#[test]
fn a_listed_serial_is_affected_case_and_spaces_aside() {
    let n = notice(json!({"model": "dm-vent", "serials": ["sn0042"]}));
    let m = model("dm-vent", &[]);
    assert_eq!(
        recall::affects(&n, &asset("as-1", "dm-vent", Some(" SN0042 "), None), &m),
        Some(Match::Affected)
    );
}

#[test]
fn the_lot_is_read_from_the_gs1_udi_pi() {
    let a = asset("as-1", "dm-vent", None, Some("(17)270101(10)LOT-42(21)SN9"));
    assert_eq!(recall::lot_of(&a).as_deref(), Some("LOT-42"));
    let n = notice(json!({"model": "dm-vent", "lots": ["LOT-42"]}));
    assert_eq!(
        recall::affects(&n, &a, &model("dm-vent", &[])),
        Some(Match::Affected)
    );
}

#[test]
fn an_asset_without_serial_under_a_serial_notice_is_unverified_not_left_out() {
    let n = notice(json!({"model": "dm-vent", "serials": ["SN0042"]}));
    assert_eq!(
        recall::affects(
            &n,
            &asset("as-1", "dm-vent", None, None),
            &model("dm-vent", &[])
        ),
        Some(Match::Unverified)
    );
}

#[test]
fn an_asset_with_another_lot_and_no_serial_under_a_lot_notice_is_not_named() {
    let n = notice(json!({"model": "dm-vent", "lots": ["LOT-42"]}));
    let a = asset("as-1", "dm-vent", None, Some("(10)LOT-7"));
    assert_eq!(recall::affects(&n, &a, &model("dm-vent", &[])), None);
}

#[test]
fn search_finds_a_notice_by_model_udi_di_lot_serial_or_reference() {
    let n = notice(json!({
        "model": "dm-vent", "udi_di": ["0761234567890"], "lots": ["LOT-42"],
        "serial_ranges": [{"from": "SN0100", "to": "SN0199"}]
    }));
    for term in [
        "dm-vent",
        "0761234567890",
        "lot-42",
        "SN0123",
        "FSN-2026-014",
    ] {
        assert!(n.matches_term(term), "{term}");
    }
    for term in ["", "SN0200", "dm-other"] {
        assert!(!n.matches_term(term), "{term}");
    }
}

fn field_of(r: Record) -> String {
    validate(&r).expect_err("refused").field
}

#[test]
fn a_notice_needs_a_model_or_a_udi_di() {
    assert_eq!(
        field_of(Record::FieldSafetyNotice(notice(json!({})))),
        "model"
    );
}

#[test]
fn a_serial_range_with_ends_of_different_lengths_is_refused() {
    let n = notice(json!({"model": "dm-vent", "serial_ranges": [{"from": "SN1", "to": "SN0199"}]}));
    assert_eq!(field_of(Record::FieldSafetyNotice(n)), "serial_ranges[0]");
}

#[test]
fn a_serial_range_that_ends_before_it_starts_is_refused() {
    let n =
        notice(json!({"model": "dm-vent", "serial_ranges": [{"from": "SN0199", "to": "SN0100"}]}));
    assert_eq!(field_of(Record::FieldSafetyNotice(n)), "serial_ranges[0]");
}

#[test]
fn a_notice_without_the_action_required_is_refused() {
    let n = notice(json!({"model": "dm-vent", "action": " "}));
    assert_eq!(field_of(Record::FieldSafetyNotice(n)), "action");
}

#[test]
fn an_incident_time_with_an_offset_is_stored_in_utc_and_a_blank_description_refused() {
    let i: Incident = serde_json::from_value(json!({
        "id": "inc-1", "asset": "as-1", "at": "2026-01-05T10:00:00+05:00", "severity": "serious",
        "description": "", "patient_harm": true, "reported_to_regulator": false
    }))
    .expect("incident");
    assert_eq!(i.at.to_string(), "2026-01-05 05:00:00");
    assert_eq!(field_of(Record::Incident(i)), "description");
}
