//! Property: for any valid history (lifecycle events and downtime records, in whatever agreement
//! with each other), every report agrees on the asset's condition at every instant: the
//! indicators (functional at the period end, downtime in a one-second period), the gaps,
//! money-to-machine and `history::functional_at` (issue #17 item 1, "one truth").

use aidtrace_domain::assets::history::{self, Episode};
use aidtrace_domain::assets::kpi::{Fleet, Period};
use aidtrace_domain::assets::lifecycle::{self, INITIAL, allowed_next, state_at};
use aidtrace_domain::assets::{
    AssetEvent, Downtime, DowntimeCause, EquipmentStandard, LifecycleState, gaps, synthetic,
};
use aidtrace_domain::model::FacilityKind;
use aidtrace_domain::{Ledger, Record, RecordId};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use proptest::prelude::*;

mod asset_kit;

fn id(s: &str) -> RecordId {
    RecordId::parse(s).expect("id")
}
fn start() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2025, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("start")
}

/// Events from choices: each step picks one of the states allowed next, `gap` hours later.
fn events(first: usize, steps: &[(usize, i64)]) -> Vec<AssetEvent> {
    let make = |n: usize, at: NaiveDateTime, state: LifecycleState| AssetEvent {
        to_facility: (state == LifecycleState::Transferred).then(|| id("fac-0000")),
        ..asset_kit::event(&format!("ev-{n:03}"), "as-000000", at, state)
    };
    let mut at = start();
    let mut out = vec![make(0, at, INITIAL[first % INITIAL.len()])];
    for (n, &(pick, gap)) in steps.iter().enumerate() {
        let from = out.last().map(|e| e.state).expect("one event");
        let next = allowed_next(from);
        if next.is_empty() {
            break;
        }
        at += Duration::hours(gap);
        out.push(make(n + 1, at, next[pick % next.len()]));
        // A return to service that needs an earlier commissioning is not valid: stop before it.
        if lifecycle::check_sequence(&out).is_err() {
            out.pop();
            break;
        }
    }
    out
}

/// Non-overlapping downtime from (gap, length or open, planned) choices, within the history.
fn downtimes(events: &[AssetEvent], picks: &[(i64, Option<i64>, bool, u8)]) -> Vec<Downtime> {
    let retired = lifecycle::retired_at(events).unwrap_or(NaiveDateTime::MAX);
    let mut cursor = start();
    let mut out = Vec::new();
    for (n, &(gap, len, planned, cause)) in picks.iter().enumerate() {
        let begin = cursor + Duration::hours(gap);
        if begin >= retired {
            break;
        }
        let end = len.map(|l| begin + Duration::hours(l));
        let causes = [
            DowntimeCause::Mechanical,
            DowntimeCause::ExternalPower,
            DowntimeCause::AwaitingParts,
        ];
        out.push(Downtime {
            id: id(&format!("dt-{n:03}")),
            asset: id("as-000000"),
            start: begin,
            end,
            cause: causes[usize::from(cause) % causes.len()],
            planned,
            work_order: None,
            reported_by: None,
            note: None,
            voided: None,
        });
        match end {
            Some(e) => cursor = e,
            None => break,
        }
    }
    out
}

fn ledger(events: &[AssetEvent], downs: &[Downtime]) -> Ledger {
    let mut records: Vec<Record> = synthetic::fleet(1, 1)
        .into_iter()
        .filter(|r| {
            !matches!(
                r,
                Record::AssetEvent(_) | Record::Downtime(_) | Record::WorkOrder(_)
            )
        })
        .collect();
    records.push(Record::EquipmentStandard(EquipmentStandard {
        id: id("std-ct"),
        facility_kind: FacilityKind::DistrictHospital,
        generic_type: "ct_scanner".into(),
        min_quantity: 1,
        note: None,
        sources: vec![],
    }));
    records.extend(events.iter().cloned().map(Record::AssetEvent));
    records.extend(downs.iter().cloned().map(Record::Downtime));
    Ledger::from_records(records)
}

/// The instants where something changes, and one second either side.
fn instants(events: &[AssetEvent], downs: &[Downtime]) -> Vec<NaiveDateTime> {
    let mut points: Vec<NaiveDateTime> = events.iter().map(|e| e.at).collect();
    for d in downs {
        points.push(d.start);
        points.extend(d.end);
    }
    let s = Duration::seconds(1);
    let mut out: Vec<NaiveDateTime> = points.iter().flat_map(|&p| [p - s, p, p + s]).collect();
    out.sort();
    out.dedup();
    out
}

fn no_cost(_: &aidtrace_domain::Money) -> Option<rust_decimal::Decimal> {
    None
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn every_report_agrees_on_the_state_at_every_instant(
        first in 0usize..7,
        steps in proptest::collection::vec((0usize..6, 1i64..100), 0..14),
        picks in proptest::collection::vec(
            (0i64..150, proptest::option::weighted(0.8, 1i64..80), any::<bool>(), any::<u8>()),
            0..6,
        ),
    ) {
        let evs = events(first, &steps);
        let downs = downtimes(&evs, &picks);
        prop_assume!(lifecycle::check_downtimes(&[], &downs, &evs).is_ok());
        let ledger = ledger(&evs, &downs);
        let fleet = Fleet::build(&ledger);
        let i = fleet.position(&id("as-000000")).expect("asset");
        let h = &fleet.histories[i];
        let episodes: &[Episode] = &h.episodes;
        for t in instants(&evs, &downs) {
            let state = state_at(&h.events, t);
            let functional = history::functional_at(&h.events, episodes, t);
            // A device in a down state is down in the downtime, whatever was recorded.
            if matches!(state, Some(LifecycleState::Down | LifecycleState::UnderRepair)) {
                prop_assert!(history::down_at(episodes, t), "state {state:?} at {t} but up");
            }
            let ending_at_t = Period::new(t - Duration::hours(1), t + Duration::nanoseconds(1))
                .expect("period");
            let sums = fleet.sums(i, ending_at_t, &no_cost);
            prop_assert_eq!(sums.functional == 1, functional, "kpi at {}", t);
            let second = Period::new(t, t + Duration::seconds(1)).expect("period");
            let s = fleet.sums(i, second, &no_cost);
            let operating = state.is_some_and(LifecycleState::is_operational);
            prop_assert_eq!(
                s.unplanned_down_secs == 1,
                operating && history::down_at(episodes, t),
                "uptime at {}", t
            );
            if operating {
                prop_assert_eq!(s.unplanned_down_secs == 0, !history::down_at(episodes, t));
            }
            let gap = gaps::gaps(&fleet, t);
            let working: u32 = gap.iter().map(|g| g.functional).sum();
            prop_assert_eq!(working == 1, functional, "gaps at {}", t);
            let money = fleet.money_to_machine([i], t, &no_cost);
            prop_assert_eq!(money.in_service.count == 1, functional, "money at {}", t);
        }
    }
}
