//! A `down` event's cause is read from the downtime recorded with it, not parsed from its note:
//! pages label the cause in the reader's language.

mod kit;

use aidtrace_domain::RecordId;
use aidtrace_domain::assets::{DowntimeCause, LifecycleState};

use aidtrace_service::assets::{self, HistorySource};
use chrono::NaiveDateTime;

#[test]
fn a_down_event_gives_the_cause_of_its_downtime() {
    let (_dir, mut app) = kit::open();
    app.load_demo("test").expect("demo");
    let mri = RecordId::parse("as-semey-mri-1").expect("id");
    let at = NaiveDateTime::parse_from_str("2026-01-05 08:00", "%Y-%m-%d %H:%M").expect("time");
    assets::report_down(
        &mut app,
        HistorySource::Store,
        "engineer",
        assets::DeviceDown {
            asset: mri.clone(),
            at,
            cause: DowntimeCause::ExternalPower,
            reported_by: None,
            note: None,
        },
    )
    .expect("down");
    let detail = assets::asset_detail(&app, &mri).expect("detail");
    let down = detail
        .events
        .iter()
        .find(|e| e.at == at && e.state == LifecycleState::Down)
        .expect("the down event");
    assert_eq!(
        assets::down_cause_of(down, &detail.downtimes),
        Some(DowntimeCause::ExternalPower)
    );
    assert_eq!(
        down.note.as_deref(),
        Some(assets::down_note(DowntimeCause::ExternalPower).as_str())
    );
    let other = detail
        .events
        .iter()
        .find(|e| e.state != LifecycleState::Down)
        .expect("an earlier event");
    assert_eq!(assets::down_cause_of(other, &detail.downtimes), None);
}
