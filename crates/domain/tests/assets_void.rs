//! Voids and corrections of lifecycle events (issue #17 item 9): a wrong event is kept, voided,
//! and read by no rule; a correction replaces it, even before the asset's latest event.

use aidtrace_domain::assets::correction::Void;
use aidtrace_domain::assets::lifecycle::check_append;
use aidtrace_domain::assets::{AssetEvent, LifecycleState as S, validate};

mod asset_kit;
use asset_kit::{event, id, t};

fn ev(n: &str, at: &str, state: S) -> AssetEvent {
    event(n, "a1", t(at), state)
}
fn void(e: &AssetEvent) -> AssetEvent {
    AssetEvent {
        voided: Some(Void {
            at: t("2025-02-01 00:00"),
            reason: "reported for the wrong machine".into(),
            by: None,
        }),
        ..e.clone()
    }
}
fn correction(n: &str, at: &str, state: S, of: &str) -> AssetEvent {
    AssetEvent {
        corrects: Some(id(of)),
        ..ev(n, at, state)
    }
}
fn stored() -> Vec<AssetEvent> {
    vec![
        ev("e1", "2025-01-01 00:00", S::InService),
        ev("e2", "2025-01-05 00:00", S::Down),
        ev("e3", "2025-01-06 00:00", S::InService),
    ]
}

#[test]
fn a_voided_event_is_left_out_of_the_live_history() {
    let s = vec![
        ev("e1", "2025-01-01 00:00", S::InService),
        ev("e2", "2025-01-05 00:00", S::Down),
    ];
    let live = check_append(&s, &[void(&s[1])]).expect("void");
    let ids: Vec<&str> = live.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["e1"]);
}

#[test]
fn after_a_void_a_new_event_need_only_follow_the_live_history() {
    // A `down` dated late locked the asset: after voiding it, an event before it goes in.
    let s = vec![
        ev("e1", "2025-01-01 00:00", S::InService),
        ev("e2", "2025-12-31 00:00", S::Down),
    ];
    check_append(&s, &[ev("e3", "2025-02-01 00:00", S::Down)]).expect_err("locked");
    let mut all = s.clone();
    all[1] = void(&s[1]);
    let live = check_append(&all, &[ev("e3", "2025-02-01 00:00", S::Down)]).expect("unlocked");
    assert_eq!(live.len(), 2);
}

#[test]
fn a_correction_may_lie_before_the_latest_event() {
    let s = stored();
    let live = check_append(
        &s,
        &[
            void(&s[1]),
            correction("e2b", "2025-01-04 08:00", S::Down, "e2"),
        ],
    )
    .expect("correction between e1 and e3");
    let ids: Vec<&str> = live.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["e1", "e2b", "e3"]);
}

#[test]
fn a_correction_of_an_event_that_is_not_voided_is_refused() {
    let s = stored();
    let e = check_append(&s, &[correction("e2b", "2025-01-04 08:00", S::Down, "e2")])
        .expect_err("e2 is live");
    assert_eq!(e.field, "corrects");
    assert_eq!(e.value, "e2");
}

#[test]
fn an_event_earlier_than_the_latest_without_a_correction_is_still_out_of_order() {
    let s = stored();
    let e = check_append(&s, &[void(&s[1]), ev("e2b", "2025-01-04 08:00", S::Down)])
        .expect_err("not a correction");
    assert_eq!(e.field, "at");
    assert!(e.message.contains("out of order"), "{e}");
}

#[test]
fn a_voided_event_is_not_changed_again() {
    let s = stored();
    let mut all = s.clone();
    all[1] = void(&s[1]);
    let e = check_append(&all, &[s[1].clone()]).expect_err("un-voiding");
    assert_eq!(e.field, "id");
    assert!(e.message.contains("voided"), "{e}");
}

#[test]
fn an_edit_beside_a_void_is_refused() {
    let s = stored();
    let mut edited = void(&s[1]);
    edited.at = t("2025-01-04 00:00");
    let e = check_append(&s, &[edited]).expect_err("a void changes nothing else");
    assert_eq!(e.field, "id");
    assert!(e.message.contains("append-only"), "{e}");
}

#[test]
fn a_void_that_breaks_the_state_machine_is_refused() {
    // Voiding the `down` between two `in_service` events leaves in_service → in_service.
    let s = stored();
    let e = check_append(&s, &[void(&s[1])]).expect_err("in_service twice");
    assert_eq!(e.field, "state");
}

#[test]
fn an_event_recorded_before_it_happened_is_refused() {
    let e = AssetEvent {
        recorded_at: Some(t("2025-01-04 00:00")),
        ..ev("e1", "2025-01-05 00:00", S::InService)
    };
    let err = validate::asset_event(&e).expect_err("recorded before");
    assert_eq!(err.field, "recorded_at");
    let ok = AssetEvent {
        recorded_at: Some(t("2025-01-05 00:05")),
        ..ev("e1", "2025-01-05 00:00", S::InService)
    };
    validate::asset_event(&ok).expect("recorded after");
}

#[test]
fn a_void_without_a_reason_is_refused() {
    let mut e = void(&ev("e1", "2025-01-05 00:00", S::InService));
    if let Some(v) = e.voided.as_mut() {
        v.reason = "  ".into();
    }
    let err = validate::asset_event(&e).expect_err("no reason");
    assert_eq!(err.field, "voided.reason");
}

#[test]
fn an_event_cannot_correct_itself() {
    let e = correction("e1", "2025-01-05 00:00", S::InService, "e1");
    let err = validate::asset_event(&e).expect_err("self");
    assert_eq!(err.field, "corrects");
}
