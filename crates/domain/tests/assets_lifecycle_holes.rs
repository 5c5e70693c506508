//! The lifecycle completed (issue #17 item 10): customs hold, dead on arrival, rejection and return
//! to the donor, lost and found; the disposal record on `disposed`.

use aidtrace_domain::assets::disposal::{DataWipe, Disposal, DisposalMethod};
use aidtrace_domain::assets::lifecycle::check_sequence;
use aidtrace_domain::assets::{AssetEvent, LifecycleState as S, validate};

mod asset_kit;
use asset_kit::{event, t};

fn ev(n: usize, state: S) -> AssetEvent {
    let at = t("2025-01-01 00:00") + chrono::Duration::days(n as i64);
    event(&format!("e{n}"), "a1", at, state)
}
fn path(states: &[S]) -> Vec<AssetEvent> {
    states.iter().enumerate().map(|(i, s)| ev(i, *s)).collect()
}
fn record() -> Disposal {
    Disposal {
        method: DisposalMethod::Recycled,
        hazardous: vec!["lead shielding".into()],
        data_wipe: DataWipe::Done,
        certificate: Some("WEEE-2026-014".into()),
    }
}

#[test]
fn a_consignment_held_at_customs_is_delivered_after_release() {
    check_sequence(&path(&[
        S::Shipped,
        S::CustomsHold,
        S::Delivered,
        S::Installed,
    ]))
    .expect("legal");
}

#[test]
fn a_device_dead_on_arrival_goes_back_to_the_donor_and_nothing_follows() {
    check_sequence(&path(&[S::Delivered, S::DeadOnArrival, S::ReturnedToDonor])).expect("legal");
    let e = check_sequence(&path(&[
        S::Delivered,
        S::DeadOnArrival,
        S::ReturnedToDonor,
        S::Installed,
    ]))
    .expect_err("returned is final");
    assert_eq!(e.field, "state");
    assert!(e.message.contains("left for good"), "{e}");
    assert!(S::ReturnedToDonor.is_retired());
}

#[test]
fn a_device_rejected_at_acceptance_is_returned() {
    check_sequence(&path(&[
        S::Delivered,
        S::Installed,
        S::Rejected,
        S::ReturnedToDonor,
    ]))
    .expect("legal");
}

#[test]
fn a_lost_device_found_again_goes_to_storage_not_straight_to_service() {
    check_sequence(&path(&[S::InService, S::Lost, S::InStorage])).expect("found");
    let e = check_sequence(&path(&[S::InService, S::Lost, S::InService]))
        .expect_err("lost → in service");
    assert_eq!(e.value, "in_service");
    assert!(!S::Lost.is_retired() && !S::Lost.is_operational());
}

#[test]
fn disposing_without_a_disposal_record_is_refused() {
    let e = validate::asset_event(&ev(1, S::Disposed)).expect_err("no record");
    assert_eq!(e.field, "disposal");
}

#[test]
fn a_disposal_record_on_another_state_is_refused() {
    let e = validate::asset_event(&AssetEvent {
        disposal: Some(record()),
        ..ev(1, S::Decommissioned)
    })
    .expect_err("not disposed");
    assert_eq!(e.field, "disposal");
    assert_eq!(e.value, "decommissioned");
}

#[test]
fn a_hazardous_material_without_a_name_is_refused() {
    let mut d = record();
    d.hazardous.push(" ".into());
    let e = validate::asset_event(&AssetEvent {
        disposal: Some(d),
        ..ev(1, S::Disposed)
    })
    .expect_err("blank");
    assert_eq!(e.field, "disposal.hazardous[1]");
}

#[test]
fn a_full_disposal_record_is_accepted_and_reads_back() {
    let e = AssetEvent {
        disposal: Some(record()),
        ..ev(1, S::Disposed)
    };
    validate::asset_event(&e).expect("valid");
    let json = serde_json::to_string(&e).expect("json");
    assert!(json.contains("\"data_wipe\":\"done\""), "{json}");
    let back: AssetEvent = serde_json::from_str(&json).expect("read");
    assert_eq!(back, e);
}
