//! Uptime over contracted hours (issue #17 item 3), hand-computed on January 2025 (1 Jan is a
//! Wednesday: 23 weekdays). An asset in service all month is down from Friday 3 Jan 16:00 to
//! Monday 6 Jan 10:00 UTC (66 h of calendar time).

mod asset_kit;

use aidtrace_domain::assets::coverage::Coverage;
use aidtrace_domain::assets::kpi::{Fleet, Period};
use aidtrace_domain::assets::{Asset, Downtime, DowntimeCause, LifecycleState};
use aidtrace_domain::{Ledger, Record};
use asset_kit::{event, id, t};
use chrono::NaiveDate;
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

fn january_with_a_weekend_failure(planned: bool) -> Ledger {
    let asset: Asset = serde_json::from_value(serde_json::json!({
        "id": "a1", "inventory_tag": "A1", "model": "dm-1", "facility": "fac-1",
        "funding": {"acquisition": "donation", "condition": "new"}, "criticality": "high"
    }))
    .expect("asset");
    Ledger::from_records(vec![
        Record::Asset(asset),
        Record::AssetEvent(event(
            "e1",
            "a1",
            t("2024-06-01 00:00"),
            LifecycleState::InService,
        )),
        Record::Downtime(Downtime {
            id: id("d1"),
            asset: id("a1"),
            start: t("2025-01-03 16:00"),
            end: Some(t("2025-01-06 10:00")),
            cause: DowntimeCause::Mechanical,
            planned,
            work_order: None,
            reported_by: None,
            note: None,
            voided: None,
        }),
    ])
}

fn january() -> Period {
    Period::days(
        NaiveDate::from_ymd_opt(2025, 1, 1).expect("d"),
        NaiveDate::from_ymd_opt(2025, 1, 31).expect("d"),
    )
    .expect("period")
}

fn contracted(l: &Ledger, coverage: &str) -> aidtrace_domain::assets::coverage::ContractedUptime {
    let fleet = Fleet::build(l);
    fleet.contracted_uptime(
        0..1,
        january(),
        &Coverage::parse(coverage).expect("coverage"),
    )
}

#[test]
fn weekday_office_hours_count_only_the_failures_hours_inside_them() {
    // 23 weekdays × 9 h = 207 h; down inside them: Fri 16–17 (1 h) + Mon 08–10 (2 h) = 3 h;
    // (207 − 3) / 207 = 98.55 %.
    let c = contracted(
        &january_with_a_weekend_failure(false),
        "mon-fri 08:00-17:00",
    );
    assert_eq!(c.contracted_hours, d("207"));
    assert_eq!(c.unplanned_downtime_hours, d("3"));
    assert_eq!(c.uptime_pct, Some(d("98.55")));
}

#[test]
fn the_window_is_read_in_the_local_time_its_offset_names() {
    // 08:00–17:00 at +05:00 is 03:00–12:00 UTC; the failure is Fri 21:00 to Mon 15:00 local,
    // so Mon 08:00–15:00 local (7 h) is inside: (207 − 7) / 207 = 96.62 %.
    let c = contracted(
        &january_with_a_weekend_failure(false),
        "mon-fri 08:00-17:00 +05:00",
    );
    assert_eq!(c.contracted_hours, d("207"));
    assert_eq!(c.unplanned_downtime_hours, d("7"));
    assert_eq!(c.uptime_pct, Some(d("96.62")));
}

#[test]
fn around_the_clock_coverage_is_calendar_uptime() {
    // 744 h, 66 h down: 678 / 744 = 91.13 %, as `uptime_pct` over the month.
    let l = january_with_a_weekend_failure(false);
    let c = contracted(&l, "24x7");
    assert_eq!(c.contracted_hours, d("744"));
    assert_eq!(c.unplanned_downtime_hours, d("66"));
    assert_eq!(c.uptime_pct, Some(d("91.13")));
    let fleet = Fleet::build(&l);
    let all = fleet.indicators(0..1, january(), &|_| None);
    assert_eq!(all.uptime_pct, c.uptime_pct);
}

#[test]
fn planned_downtime_does_not_count_against_contracted_uptime() {
    let c = contracted(&january_with_a_weekend_failure(true), "mon-fri 08:00-17:00");
    assert_eq!(c.unplanned_downtime_hours, d("0"));
    assert_eq!(c.uptime_pct, Some(d("100")));
}

#[test]
fn a_window_that_ends_before_it_starts_is_refused_naming_the_field() {
    let e = Coverage::parse("mon-fri 17:00-08:00").expect_err("refused");
    assert_eq!(e.field, "coverage");
    assert_eq!(
        Coverage::parse("someday 08:00-17:00")
            .expect_err("refused")
            .field,
        "coverage"
    );
}

/// The same January with a contract record on a1: covered Mon–Fri 08–17 UTC from `start` to
/// 31 Jan, guaranteeing `guarantee` % uptime.
fn january_under_contract(start: &str, guarantee: &str) -> Ledger {
    use aidtrace_domain::assets::contract::{Contract, CoveredHours, Day};
    let mut l = january_with_a_weekend_failure(false);
    let c = Contract {
        id: id("ct-1"),
        vendor: None,
        kind: aidtrace_domain::assets::ContractKind::FullService,
        assets: vec![id("a1")],
        model: None,
        facility: None,
        start: start.parse().expect("date"),
        end: "2025-01-31".parse().expect("date"),
        annual_cost: None,
        response_hours: None,
        uptime_pct: Some(d(guarantee)),
        covered_hours: Some(CoveredHours {
            from_hour: 8,
            to_hour: 17,
            days: vec![Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri],
        }),
        reference: None,
        note: None,
        sources: vec![],
    };
    l.contracts.insert(c.id.clone(), c);
    l
}

#[test]
fn contracted_hours_are_read_from_the_contract_and_its_guarantee_checked() {
    use aidtrace_domain::assets::contract::SlaStatus;
    // Covered Mon–Fri 08–17 all January: 23 weekdays × 9 h = 207 h; down inside them Fri 3 Jan
    // 16–17 (1 h) + Mon 6 Jan 08–10 (2 h) = 3 h; (207 − 3) / 207 = 98.5507 → 98.55 %, below a
    // 99 % guarantee (missed), above 98 % (met).
    let l = january_under_contract("2025-01-01", "99");
    let fleet = Fleet::build(&l);
    let c = fleet
        .contract_uptime(0, january())
        .expect("a contract defines hours");
    assert_eq!(
        (c.contracted_hours, c.unplanned_downtime_hours, c.uptime_pct),
        (d("207"), d("3"), Some(d("98.55")))
    );
    assert_eq!(
        (c.guaranteed_pct, c.sla),
        (Some(d("99")), Some(SlaStatus::Missed))
    );
    assert_eq!(c.contracts, vec![id("ct-1")]);
    let l = january_under_contract("2025-01-01", "98");
    let c = Fleet::build(&l)
        .contract_uptime(0, january())
        .expect("hours");
    assert_eq!(c.sla, Some(SlaStatus::Met));
}

#[test]
fn contracted_hours_start_with_the_contract() {
    // From Mon 6 Jan: the 23 weekdays less Wed 1, Thu 2, Fri 3 = 20 × 9 h = 180 h; only Mon
    // 08–10 (2 h) of the failure is inside: (180 − 2) / 180 = 98.888… → 98.89 %.
    let l = january_under_contract("2025-01-06", "99");
    let c = Fleet::build(&l)
        .contract_uptime(0, january())
        .expect("hours");
    assert_eq!(
        (c.contracted_hours, c.unplanned_downtime_hours, c.uptime_pct),
        (d("180"), d("2"), Some(d("98.89")))
    );
}

#[test]
fn the_sla_check_measures_the_same_contracted_uptime() {
    use aidtrace_domain::assets::contract::{self, AssetHistory};
    let l = january_under_contract("2025-01-01", "99");
    let fleet = Fleet::build(&l);
    let h = &fleet.histories[0];
    let (_, sla) = contract::check_sla(
        &l.contracts[&id("ct-1")],
        &[AssetHistory {
            events: &h.events,
            episodes: &h.episodes,
            work_orders: &h.work_orders,
        }],
        t("2025-03-01 00:00"),
    );
    let kpi = fleet.contract_uptime(0, january()).expect("hours");
    assert_eq!(
        (sla.hours, sla.unplanned_down_hours, sla.measured_pct),
        (
            kpi.contracted_hours,
            kpi.unplanned_downtime_hours,
            kpi.uptime_pct
        )
    );
    assert_eq!(Some(sla.status), kpi.sla);
}

#[test]
fn an_asset_without_a_contract_defining_hours_has_no_contracted_uptime() {
    let l = january_with_a_weekend_failure(false);
    assert_eq!(Fleet::build(&l).contract_uptime(0, january()), None);
}
