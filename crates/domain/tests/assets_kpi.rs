//! Indicators against hand-computed values, including the edge cases: an asset commissioned
//! mid-period, downtime still open at the period end, planned downtime, late PM; property tests
//! for the arithmetic.

use aidtrace_domain::assets::kpi::{Fleet, GroupBy, Period, Sums};
use aidtrace_domain::assets::{
    Acquisition, Asset, AssetEvent, Criticality, DeviceModel, Downtime, DowntimeCause, Funding,
    LifecycleState, MaintenancePlan, PlanKind, PlanTrigger, Priority, ReceiptCondition, WorkOrder,
    WorkOrderKind, WorkOrderStatus,
};
use aidtrace_domain::model::{Facility, FacilityKind, OrgKind, Organisation};
use aidtrace_domain::{CountryCode, Ledger, Money, Record};
use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;

mod asset_kit;
use asset_kit::{id, t};

fn d(s: &str) -> Decimal {
    s.parse().expect("decimal")
}
fn usd(amount: &str) -> Money {
    Money {
        amount: d(amount),
        currency: aidtrace_domain::CurrencyCode::parse("USD").expect("usd"),
        value_date: None,
    }
}
fn same_currency(m: &Money) -> Option<Decimal> {
    (m.currency.as_str() == "USD").then_some(m.amount)
}

fn base() -> Vec<Record> {
    vec![
        Record::Organisation(Organisation::new(
            id("org-m"),
            "Maker",
            OrgKind::Manufacturer,
        )),
        Record::Facility(Facility {
            id: id("fac-1"),
            name: "Hospital".into(),
            kind: FacilityKind::DistrictHospital,
            country: CountryCode::parse("KZ").expect("kz"),
            region: Some("Abai region".into()),
            city: None,
            operator: None,
            location: None,
            location_note: None,
            beds: None,
            population_served: None,
            sensitive: false,
            illustrative: None,
            status_history: vec![],
            sources: vec![],
        }),
        Record::DeviceModel(DeviceModel {
            id: id("dm-1"),
            manufacturer: id("org-m"),
            model_name: "X".into(),
            model_number: None,
            udi_di: vec![],
            generic_type: "ct_scanner".into(),
            codes: vec![],
            risk_class: None,
            expected_life_years: Some(10),
            support_until: None,
            power: None,
            consumables: vec![],
            manual_languages: vec![],
            sources: vec![],
        }),
    ]
}

fn asset(name: &str, cost: Option<&str>) -> Record {
    Record::Asset(Asset {
        id: id(name),
        inventory_tag: name.to_uppercase(),
        serial: None,
        udi_pi: None,
        model: id("dm-1"),
        facility: id("fac-1"),
        location: None,
        parent: None,
        owner: None,
        funding: Funding {
            activity: None,
            equipment_line: None,
            donor: None,
            acquisition: Acquisition::Donation,
            condition: ReceiptCondition::New,
        },
        cost: cost.map(usd),
        manufacture_date: None,
        contracts: vec![],
        criticality: Criticality::High,
        responsible: None,
        om_payer: None,
        note: None,
        sources: vec![],
    })
}

fn event(asset: &str, n: u32, at: &str, state: LifecycleState) -> Record {
    Record::AssetEvent(AssetEvent {
        acceptance: (state == LifecycleState::Commissioned).then(|| id("wo-acc")),
        ..asset_kit::event(&format!("ev-{asset}-{n}"), asset, t(at), state)
    })
}

fn down(name: &str, asset: &str, start: &str, end: Option<&str>, planned: bool) -> Record {
    Record::Downtime(Downtime {
        id: id(name),
        asset: id(asset),
        start: t(start),
        end: end.map(t),
        cause: if planned {
            DowntimeCause::PlannedMaintenance
        } else {
            DowntimeCause::Mechanical
        },
        planned,
        work_order: None,
        reported_by: None,
        note: None,
        voided: None,
    })
}

fn order(name: &str, asset: &str, kind: WorkOrderKind, closed: &str, cost: Option<&str>) -> Record {
    Record::WorkOrder(WorkOrder {
        id: id(name),
        asset: id(asset),
        kind,
        status: WorkOrderStatus::Done,
        priority: Priority::Normal,
        opened: t(closed),
        closed: Some(t(closed)),
        plan: None,
        failure_cause: None,
        labour_hours: None,
        labour_cost: None,
        labour_rate: None,
        acknowledged: None,
        started: None,
        assignee: None,
        result: None,
        checklist: Vec::new(),
        readings: Vec::new(),
        parts: vec![],
        external_cost: cost.map(usd),
        provider: None,
        note: None,
        notice: None,
        voided: None,
    })
}

/// January 2025: 31 days = 744 hours.
fn january() -> Period {
    Period::days(
        NaiveDate::from_ymd_opt(2025, 1, 1).expect("d"),
        NaiveDate::from_ymd_opt(2025, 1, 31).expect("d"),
    )
    .expect("period")
}

fn ledger(extra: Vec<Record>) -> Ledger {
    let mut all = base();
    all.extend(extra);
    Ledger::from_records(all)
}

#[test]
fn uptime_mtbf_mttr_with_mid_period_commissioning_and_open_downtime() {
    use LifecycleState as S;
    let l = ledger(vec![
        asset("a1", Some("100000")),
        asset("a2", None),
        // a1: in service all month. Down 2 Jan 00:00–3 Jan 00:00 (24 h) and from 31 Jan 12:00,
        // still open at the period end (12 h counted, no repair yet). Planned PM 10 Jan 4 h.
        event("a1", 1, "2024-06-01 00:00", S::InService),
        down(
            "d1",
            "a1",
            "2025-01-02 00:00",
            Some("2025-01-03 00:00"),
            false,
        ),
        down("d2", "a1", "2025-01-31 12:00", None, false),
        down(
            "d3",
            "a1",
            "2025-01-10 08:00",
            Some("2025-01-10 12:00"),
            true,
        ),
        // a2: commissioned mid-period, 16 Jan 00:00: 16 days = 384 h of operating time.
        event("a2", 1, "2025-01-10 00:00", S::Installed),
        event("a2", 2, "2025-01-16 00:00", S::Commissioned),
        event("a2", 3, "2025-01-16 06:00", S::InService),
        order(
            "w1",
            "a1",
            WorkOrderKind::Corrective,
            "2025-01-03 00:00",
            Some("500"),
        ),
        order(
            "w2",
            "a1",
            WorkOrderKind::Installation,
            "2025-01-05 00:00",
            Some("9999"),
        ),
    ]);
    let fleet = Fleet::build(&l);
    let p = january();
    let by = fleet.grouped(GroupBy::Asset, p, &same_currency);
    let a1 = &by["a1"];
    assert_eq!(a1.operating_hours, d("744"));
    assert_eq!(a1.unplanned_downtime_hours, d("36"));
    assert_eq!(a1.planned_downtime_hours, d("4"));
    // (744 − 36) / 744 = 95.161…%
    assert_eq!(a1.uptime_pct, Some(d("95.16")));
    // Counting the 4 h of planned work too: (744 − 36 − 4) / 744 = 94.623…%
    assert_eq!(a1.uptime_all_pct, Some(d("94.62")));
    assert_eq!(a1.failures, 2);
    assert_eq!(a1.mtbf_hours, Some(d("354")));
    assert_eq!((a1.repairs, a1.mttr_hours), (1, Some(d("24"))));
    assert_eq!((a1.in_inventory, a1.functional), (1, 0));
    // COSR: corrective 500 USD in 31 days, annualised ×365.25/31 = 5891.13 → 5.89 % of 100,000.
    // Installation work is part of acquisition, not service.
    assert_eq!(a1.cosr_pct, Some(d("5.89")));

    let a2 = &by["a2"];
    assert_eq!(a2.operating_hours, d("384"));
    assert_eq!(a2.uptime_pct, Some(d("100")));
    assert_eq!(a2.mtbf_hours, None);
    assert_eq!(a2.cost_unknown, 1);

    // The facility: ratio of sums, not the mean of ratios.
    let fac = fleet.indicators(
        fleet.facility_assets(&id("fac-1")).to_vec(),
        p,
        &same_currency,
    );
    assert_eq!(fac.operating_hours, d("1128"));
    // (1128 − 36) / 1128 = 96.808…%
    assert_eq!(fac.uptime_pct, Some(d("96.81")));
    assert_eq!(fac.fleet_functional_pct, Some(d("50")));
    assert_eq!(fac.cosr_pct, Some(d("5.89")));
}

#[test]
fn downtime_before_commissioning_and_after_period_is_not_counted() {
    use LifecycleState as S;
    let l = ledger(vec![
        asset("a1", None),
        event("a1", 1, "2025-01-20 00:00", S::InService),
        // Started before the asset entered service: only the part from 20 Jan counts (24 h).
        down(
            "d1",
            "a1",
            "2025-01-19 00:00",
            Some("2025-01-21 00:00"),
            false,
        ),
        down(
            "d2",
            "a1",
            "2025-02-05 00:00",
            Some("2025-02-06 00:00"),
            false,
        ),
    ]);
    let fleet = Fleet::build(&l);
    let i = fleet.grouped(GroupBy::All, january(), &same_currency);
    let all = &i["all"];
    assert_eq!(all.operating_hours, d("288"));
    assert_eq!(all.unplanned_downtime_hours, d("24"));
    assert_eq!(
        all.failures, 0,
        "d1 started before the period's operating time"
    );
}

#[test]
fn pm_due_in_window_late_and_missed() {
    use LifecycleState as S;
    let mut plan_records = vec![
        asset("a1", None),
        event("a1", 1, "2024-12-01 00:00", S::InService),
        Record::MaintenancePlan(MaintenancePlan {
            id: id("p1"),
            model: Some(id("dm-1")),
            asset: None,
            kind: PlanKind::Preventive,
            trigger: PlanTrigger::EveryDays(10),
            window_days: 2,
            description: "every 10 days".into(),
            sources: vec![],
        }),
    ];
    // Due dates from 1 Dec: 11 Dec, 21 Dec, 31 Dec, 10 Jan, 20 Jan, 30 Jan (Jan: 3 due).
    plan_records.push(order(
        "w1",
        "a1",
        WorkOrderKind::Preventive,
        "2025-01-11 10:00",
        None,
    )); // on time
    plan_records.push(order(
        "w2",
        "a1",
        WorkOrderKind::Preventive,
        "2025-01-25 10:00",
        None,
    )); // late
    plan_records.push(order(
        "w3",
        "a1",
        WorkOrderKind::Corrective,
        "2025-01-30 10:00",
        None,
    )); // wrong kind
    let l = ledger(plan_records);
    let fleet = Fleet::build(&l);
    let all = &fleet.grouped(GroupBy::All, january(), &same_currency)["all"];
    assert_eq!((all.pm_due, all.pm_on_time), (3, 1));
    // w2 on 25 Jan meets the 20 Jan due late (its window closed on 22 Jan, before the next due).
    assert_eq!(all.pm_late, 1);
    assert_eq!(all.pm_completion_pct, Some(d("33.33")));
}

#[test]
fn money_to_machine_buckets() {
    use LifecycleState as S;
    let l = ledger(vec![
        asset("a1", Some("1000")),
        asset("a2", Some("2000")),
        asset("a3", None),
        event("a1", 1, "2025-01-01 00:00", S::InService),
        event("a2", 1, "2025-01-01 00:00", S::Delivered),
        event("a3", 1, "2025-01-01 00:00", S::InService),
        down("d1", "a3", "2025-01-05 00:00", None, false),
    ]);
    let fleet = Fleet::build(&l);
    let m = fleet.money_to_machine(0..3, t("2025-01-10 00:00"), &same_currency);
    assert_eq!(
        (m.donated.count, m.donated.value, m.donated.value_unknown),
        (3, d("3000"), 1)
    );
    assert_eq!((m.in_service.count, m.in_service.value), (1, d("1000")));
    assert_eq!((m.idle.count, m.idle.value_unknown), (1, 1));
    assert_eq!(
        (m.never_installed.count, m.never_installed.value),
        (1, d("2000"))
    );
    // a1 and a3 were registered already in service: baseline registrations, counted apart and
    // without months to commissioning (their first date is a registration, not a
    // commissioning), so neither lacks an agreement date either.
    assert_eq!(m.baseline.count, 2);
    assert_eq!(m.agreement_date_unknown, 0);
    assert!(m.months_to_commissioning.is_empty());
}

/// Issue #17 item 10: an asset registered as already working (first event `in_service`) was
/// counted as commissioned on its registration date.
#[test]
fn a_baseline_registration_is_counted_apart_from_commissioning() {
    use LifecycleState as S;
    let l = ledger(vec![
        asset("a1", Some("1000")),
        asset("a2", Some("2000")),
        event("a1", 1, "2025-01-01 00:00", S::Installed),
        event("a1", 2, "2025-01-02 00:00", S::Commissioned),
        event("a2", 1, "2025-01-01 00:00", S::InService),
    ]);
    let fleet = Fleet::build(&l);
    let m = fleet.money_to_machine(0..2, t("2025-01-10 00:00"), &same_currency);
    assert_eq!((m.commissioned.count, m.commissioned.value), (2, d("3000")));
    assert_eq!((m.baseline.count, m.baseline.value), (1, d("2000")));
    // Only a1's commissioning can have months from an agreement (it has no dated one here).
    assert_eq!(m.agreement_date_unknown, 1);
}

fn arb_sums() -> impl Strategy<Value = Sums> {
    (1i64..1_000_000, 0u64..50, 0u64..20).prop_flat_map(|(op, failures, due)| {
        (0..=op, 0..=due, 0u64..=1, 0u64..10_000_000).prop_map(move |(down, on_time, f, cost)| {
            Sums {
                assets: 1,
                in_inventory: 1,
                functional: f,
                operating_secs: op,
                unplanned_down_secs: down,
                failures,
                pm_due: due,
                pm_on_time: on_time,
                service_cost: Decimal::from(cost),
                acquisition_cost: Decimal::from(1_000_000),
                ..Sums::default()
            }
        })
    })
}

proptest! {
    /// Percentages stay within 0–100 and an aggregate's uptime lies between its members'.
    #[test]
    fn aggregate_uptime_is_bounded_by_members(parts in prop::collection::vec(arb_sums(), 1..20)) {
        let mut total = Sums::default();
        let mut lo = Decimal::ONE_HUNDRED;
        let mut hi = Decimal::ZERO;
        for s in &parts {
            total.add(s);
            let u = s.indicators().uptime_pct.expect("operating time > 0");
            lo = lo.min(u);
            hi = hi.max(u);
        }
        let i = total.indicators();
        let u = i.uptime_pct.expect("uptime");
        // Rounding to 2 places can move the aggregate by at most 0.005 past a member.
        prop_assert!(u >= lo - d("0.01") && u <= hi + d("0.01"), "{u} not in [{lo}, {hi}]");
        for p in [i.uptime_pct, i.fleet_functional_pct, i.pm_completion_pct].into_iter().flatten() {
            prop_assert!(p >= Decimal::ZERO && p <= Decimal::ONE_HUNDRED);
        }
        prop_assert_eq!(i.assets, parts.len() as u64);
    }

    /// Adding is order-independent: the same parts in reverse give the same indicators.
    #[test]
    fn aggregation_is_order_independent(parts in prop::collection::vec(arb_sums(), 1..10)) {
        let mut a = Sums::default();
        let mut b = Sums::default();
        for s in &parts { a.add(s); }
        for s in parts.iter().rev() { b.add(s); }
        prop_assert_eq!(a.indicators(), b.indicators());
    }

    /// Operating hours never exceed the period, downtime never exceeds operating time, whatever
    /// the episodes.
    #[test]
    fn downtime_is_clipped_to_operating_time(
        start_h in 0i64..1000, episodes in prop::collection::vec((0i64..1000, 0i64..400, any::<bool>()), 0..6)
    ) {
        use LifecycleState as S;
        let base_t = t("2025-01-01 00:00");
        let mut recs = vec![asset("a1", None), Record::AssetEvent(AssetEvent {
            id: id("e1"), asset: id("a1"), at: base_t + chrono::Duration::hours(start_h),
            state: S::InService, acceptance: None, to_facility: None, from_facility: None, by: None, note: None, sources: vec![],
            recorded_at: None,
            corrects: None,
            voided: None,
            disposal: None,
        })];
        for (k, (s, len, open)) in episodes.iter().enumerate() {
            let st = base_t + chrono::Duration::hours(*s);
            recs.push(Record::Downtime(Downtime {
                id: id(&format!("d{k}")), asset: id("a1"), start: st,
                end: (!open).then(|| st + chrono::Duration::hours(*len)),
                cause: DowntimeCause::Wear, planned: false, work_order: None, reported_by: None, note: None,
                voided: None,
            }));
        }
        let l = ledger(recs);
        let fleet = Fleet::build(&l);
        let s = fleet.sums(0, january(), &same_currency);
        prop_assert!(s.operating_secs <= january().seconds());
        // Overlapping episodes are refused on write; here they may overlap, so only the bound
        // per episode holds: each contributes at most the operating time.
        prop_assert!(s.unplanned_down_secs <= s.operating_secs * (episodes.len() as i64).max(1));
        prop_assert!(s.unplanned_down_secs >= 0);
    }
}

fn made_in(name: &str, year: i32) -> Record {
    let Record::Asset(mut a) = asset(name, None) else {
        unreachable!("asset() builds an asset")
    };
    a.manufacture_date = NaiveDate::from_ymd_opt(year, 1, 1);
    Record::Asset(a)
}

fn age_of(l: &Ledger, name: &str) -> aidtrace_domain::assets::kpi::AgeProfile {
    let fleet = Fleet::build(l);
    fleet.grouped(GroupBy::Asset, january(), &same_currency)[name]
        .age
        .clone()
}

#[test]
fn a_2005_device_registered_in_2025_is_over_ten_years_old_and_past_its_expected_life() {
    use LifecycleState as S;
    let l = ledger(vec![
        made_in("old", 2005),
        event("old", 1, "2025-01-05 00:00", S::InService),
    ]);
    let age = age_of(&l, "old");
    assert_eq!((age.years_0_5, age.over_10), (0, 1), "{age:?}");
    // The model's expected life is 10 years.
    assert_eq!(age.past_expected_life, 1, "{age:?}");
}

#[test]
fn age_counts_from_installation_when_commissioning_came_later() {
    use LifecycleState as S;
    let l = ledger(vec![
        asset("late", None),
        event("late", 1, "2014-06-01 00:00", S::Installed),
        event("late", 2, "2016-06-01 00:00", S::Commissioned),
    ]);
    let age = age_of(&l, "late");
    assert_eq!((age.years_6_10, age.over_10), (0, 1), "{age:?}");
    assert_eq!(age.past_expected_life, 1, "{age:?}");
}

#[test]
fn the_fifth_anniversary_ends_the_first_age_band() {
    use LifecycleState as S;
    // The period ends on 31 January 2025 at midnight.
    let l = ledger(vec![
        asset("young", None),
        event("young", 1, "2020-02-01 00:00", S::InService),
        asset("older", None),
        event("older", 1, "2020-01-15 00:00", S::InService),
    ]);
    assert_eq!(age_of(&l, "young").years_0_5, 1);
    let older = age_of(&l, "older");
    assert_eq!((older.years_0_5, older.years_6_10), (0, 1), "{older:?}");
    assert_eq!(older.past_expected_life, 0, "{older:?}");
}

#[test]
fn an_asset_in_storage_never_installed_and_without_a_manufacture_date_has_an_unknown_age() {
    use LifecycleState as S;
    let l = ledger(vec![
        asset("boxed", None),
        event("boxed", 1, "2024-12-01 00:00", S::InStorage),
    ]);
    let age = age_of(&l, "boxed");
    assert_eq!((age.unknown, age.expected_life_unknown), (1, 1), "{age:?}");
    assert_eq!(age.past_expected_life, 0, "{age:?}");
}

fn down_for(name: &str, asset: &str, start: &str, end: &str, cause: DowntimeCause) -> Record {
    let Record::Downtime(mut d) = down(name, asset, start, Some(end), false) else {
        unreachable!("down() builds a downtime")
    };
    d.cause = cause;
    Record::Downtime(d)
}

#[test]
fn power_cuts_and_waits_for_parts_count_in_all_cause_mtbf_but_not_in_device_mtbf() {
    use LifecycleState as S;
    let l = ledger(vec![
        asset("a1", None),
        event("a1", 1, "2024-06-01 00:00", S::InService),
        // 744 h in January; 4 stops of 6 h each: 720 h up.
        down_for(
            "p1",
            "a1",
            "2025-01-03 00:00",
            "2025-01-03 06:00",
            DowntimeCause::ExternalPower,
        ),
        down_for(
            "p2",
            "a1",
            "2025-01-10 00:00",
            "2025-01-10 06:00",
            DowntimeCause::AwaitingParts,
        ),
        down_for(
            "m1",
            "a1",
            "2025-01-17 00:00",
            "2025-01-17 06:00",
            DowntimeCause::Mechanical,
        ),
        down_for(
            "u1",
            "a1",
            "2025-01-24 00:00",
            "2025-01-24 06:00",
            DowntimeCause::UserError,
        ),
    ]);
    let by = Fleet::build(&l).grouped(GroupBy::Asset, january(), &same_currency);
    let a1 = &by["a1"];
    assert_eq!((a1.failures, a1.device_failures), (4, 1));
    assert_eq!(a1.mtbf_hours, Some(d("180")));
    assert_eq!(a1.device_mtbf_hours, Some(d("720")));
}

fn ten_day_plan(kind: PlanKind) -> Record {
    Record::MaintenancePlan(MaintenancePlan {
        id: id("p1"),
        model: Some(id("dm-1")),
        asset: None,
        kind,
        trigger: PlanTrigger::EveryDays(10),
        window_days: 2,
        description: "every 10 days".into(),
        sources: vec![],
    })
}

fn january_schedule(l: &Ledger) -> Vec<aidtrace_domain::assets::kpi::DueItem> {
    let fleet = Fleet::build(l);
    let p = january();
    fleet.pm_schedule(0..fleet.assets.len(), p.from, p.to)
}

#[test]
fn a_due_whose_window_is_still_open_is_to_do_not_missed() {
    use LifecycleState as S;
    use aidtrace_domain::assets::kpi::PmStatus;
    let l = ledger(vec![
        asset("a1", None),
        event("a1", 1, "2024-12-01 00:00", S::InService),
        ten_day_plan(PlanKind::Preventive),
    ]);
    let items = january_schedule(&l);
    let due_10_jan = items
        .iter()
        .find(|i| i.due == t("2025-01-10 00:00"))
        .expect("10 Jan due");
    assert_eq!(due_10_jan.status(t("2025-01-11 09:00")), PmStatus::ToDo);
    assert_eq!(due_10_jan.status(t("2025-01-12 00:01")), PmStatus::Missed);
}

#[test]
fn no_maintenance_falls_due_while_the_asset_is_in_storage() {
    use LifecycleState as S;
    let l = ledger(vec![
        asset("a1", None),
        event("a1", 1, "2024-12-01 00:00", S::InService),
        event("a1", 2, "2025-01-05 00:00", S::InStorage),
        ten_day_plan(PlanKind::Preventive),
    ]);
    // Dues 10, 20 and 30 Jan fall while the device is stored (it never returns): none counts.
    let fleet = Fleet::build(&l);
    let all = &fleet.grouped(GroupBy::All, january(), &same_currency)["all"];
    assert_eq!(all.pm_due, 0);
    assert!(january_schedule(&l).is_empty());
}

#[test]
fn an_electrical_safety_plan_is_met_only_by_an_electrical_safety_test() {
    use LifecycleState as S;
    let l = ledger(vec![
        asset("a1", None),
        event("a1", 1, "2024-12-01 00:00", S::InService),
        ten_day_plan(PlanKind::ElectricalSafety),
        order(
            "w1",
            "a1",
            WorkOrderKind::Preventive,
            "2025-01-10 10:00",
            None,
        ),
        order(
            "w2",
            "a1",
            WorkOrderKind::ElectricalSafety,
            "2025-01-20 10:00",
            None,
        ),
    ]);
    let items = january_schedule(&l);
    let by_due = |s: &str| {
        items
            .iter()
            .find(|i| i.due == t(s))
            .and_then(|i| i.done_by.clone())
    };
    assert_eq!(
        by_due("2025-01-10 00:00"),
        None,
        "a PM is not a safety test"
    );
    assert_eq!(by_due("2025-01-20 00:00"), Some(id("w2")));
}

#[test]
fn a_due_that_falls_while_the_asset_awaits_parts_moves_to_its_return_to_service() {
    use LifecycleState as S;
    let l = ledger(vec![
        asset("a1", None),
        event("a1", 1, "2024-12-01 00:00", S::InService),
        event("a1", 2, "2025-01-08 00:00", S::Down),
        event("a1", 3, "2025-01-09 00:00", S::UnderRepair),
        event("a1", 4, "2025-01-14 00:00", S::InService),
        ten_day_plan(PlanKind::Preventive),
        order(
            "w1",
            "a1",
            WorkOrderKind::Preventive,
            "2025-01-15 10:00",
            None,
        ),
    ]);
    let items = january_schedule(&l);
    // The 10 Jan due is deferred to 14 Jan, and the PM of 15 Jan meets it on time.
    let deferred = items
        .iter()
        .find(|i| i.due == t("2025-01-14 00:00"))
        .expect("deferred due");
    assert_eq!(deferred.done_by, Some(id("w1")));
    assert!(!items.iter().any(|i| i.due == t("2025-01-10 00:00")));
}

fn open_order(name: &str, asset: &str, kind: WorkOrderKind, opened: &str) -> Record {
    let Record::WorkOrder(mut w) = order(name, asset, kind, opened, None) else {
        unreachable!("order() builds a work order")
    };
    w.status = WorkOrderStatus::Open;
    w.closed = None;
    Record::WorkOrder(w)
}

#[test]
fn the_backlog_counts_orders_open_at_the_period_end() {
    use LifecycleState as S;
    let l = ledger(vec![
        asset("a1", None),
        event("a1", 1, "2024-12-01 00:00", S::InService),
        // Open at the end of January: counted, one of them a repair.
        open_order(
            "w-open-repair",
            "a1",
            WorkOrderKind::Corrective,
            "2025-01-20 09:00",
        ),
        open_order(
            "w-open-pm",
            "a1",
            WorkOrderKind::Preventive,
            "2024-12-20 09:00",
        ),
        // Closed inside January: not backlog.
        order(
            "w-done",
            "a1",
            WorkOrderKind::Corrective,
            "2025-01-10 09:00",
            None,
        ),
        // Opened after the period: not yet.
        open_order(
            "w-later",
            "a1",
            WorkOrderKind::Corrective,
            "2025-02-03 09:00",
        ),
    ]);
    let by = Fleet::build(&l).grouped(GroupBy::Asset, january(), &same_currency);
    assert_eq!((by["a1"].backlog, by["a1"].backlog_corrective), (2, 1));
}

/// A corrective order with its four times, for the response and repair time tests.
fn timed_order(name: &str, times: [&str; 4], labour: Option<(&str, &str)>) -> Record {
    let Record::WorkOrder(mut w) = order(name, "a1", WorkOrderKind::Corrective, times[3], None)
    else {
        unreachable!("order builds a work order")
    };
    w.opened = t(times[0]);
    w.acknowledged = Some(t(times[1]));
    w.started = Some(t(times[2]));
    if let Some((hours, rate)) = labour {
        w.labour_hours = Some(d(hours));
        w.labour_rate = Some(usd(rate));
    }
    Record::WorkOrder(w)
}

#[test]
fn response_repair_and_restoration_times_are_separate() {
    use LifecycleState as S;
    let l = ledger(vec![
        asset("a1", None),
        event("a1", 1, "2024-06-01 00:00", S::InService),
        // Reported 5 Jan 08:00, back in service 6 Jan 14:00: 30 h to restoration.
        down(
            "d1",
            "a1",
            "2025-01-05 08:00",
            Some("2025-01-06 14:00"),
            false,
        ),
        // Acknowledged after 1.5 h, started after 4 h, 24 h of repair.
        timed_order(
            "w1",
            [
                "2025-01-05 08:00",
                "2025-01-05 09:30",
                "2025-01-05 12:00",
                "2025-01-06 12:00",
            ],
            None,
        ),
        // Acknowledged after 2.5 h, started after 24 h, 6 h of repair.
        timed_order(
            "w2",
            [
                "2025-01-20 00:00",
                "2025-01-20 02:30",
                "2025-01-21 00:00",
                "2025-01-21 06:00",
            ],
            None,
        ),
    ]);
    let fleet = Fleet::build(&l);
    let a1 = &fleet.grouped(GroupBy::Asset, january(), &same_currency)["a1"];
    // (1.5 + 2.5) / 2 = 2; (4 + 24) / 2 = 14; (24 + 6) / 2 = 15.
    assert_eq!(a1.response.mean_hours_to_acknowledge, Some(d("2")));
    assert_eq!(a1.response.mean_hours_to_start, Some(d("14")));
    assert_eq!(a1.response.mean_repair_hours, Some(d("15")));
    // Restoration (report to return) is MTTR, from the downtime: 30 h, not the 24 h repair.
    assert_eq!((a1.repairs, a1.mttr_hours), (1, Some(d("30"))));
}

#[test]
fn preventive_orders_have_no_response_time() {
    use LifecycleState as S;
    let Record::WorkOrder(mut w) = order(
        "w1",
        "a1",
        WorkOrderKind::Preventive,
        "2025-01-10 00:00",
        None,
    ) else {
        unreachable!("order builds a work order")
    };
    w.opened = t("2025-01-09 00:00");
    w.acknowledged = Some(t("2025-01-09 01:00"));
    w.started = Some(t("2025-01-09 02:00"));
    let l = ledger(vec![
        asset("a1", None),
        event("a1", 1, "2024-06-01 00:00", S::InService),
        Record::WorkOrder(w),
    ]);
    let fleet = Fleet::build(&l);
    let a1 = &fleet.grouped(GroupBy::Asset, january(), &same_currency)["a1"];
    assert_eq!(a1.response, Default::default());
}

#[test]
fn in_house_labour_is_costed_at_its_rate() {
    use LifecycleState as S;
    let l = ledger(vec![
        asset("a1", Some("100000")),
        event("a1", 1, "2024-06-01 00:00", S::InService),
        timed_order(
            "w1",
            [
                "2025-01-05 08:00",
                "2025-01-05 09:00",
                "2025-01-05 10:00",
                "2025-01-09 10:00",
            ],
            Some(("40", "10")),
        ),
    ]);
    let fleet = Fleet::build(&l);
    let a1 = &fleet.grouped(GroupBy::Asset, january(), &same_currency)["a1"];
    // 40 h × 10 USD = 400 USD in 31 days; × 365.25 / 31 = 4712.90 a year; / 100,000 = 4.71 %.
    assert_eq!(a1.service_cost, d("4712.90"));
    assert_eq!(a1.cosr_pct, Some(d("4.71")));
}

#[test]
fn cosr_weights_acquisition_by_time_in_inventory_and_shows_coverage() {
    use LifecycleState as S;
    let l = ledger(vec![
        // Retired on 16 Jan: in inventory 15 of 31 days, after a 500 USD repair.
        asset("a1", Some("100000")),
        event("a1", 1, "2024-06-01 00:00", S::InService),
        event("a1", 2, "2025-01-16 00:00", S::Decommissioned),
        order(
            "w1",
            "a1",
            WorkOrderKind::Corrective,
            "2025-01-10 00:00",
            Some("500"),
        ),
        // Installed on 16 Jan: in inventory 16 of 31 days, no service cost.
        asset("a2", Some("100000")),
        event("a2", 1, "2025-01-16 00:00", S::Installed),
        // Cost unknown: in the population, not in the figure.
        asset("a3", None),
        event("a3", 1, "2024-06-01 00:00", S::InService),
    ]);
    let fleet = Fleet::build(&l);
    let fac = fleet.indicators(
        fleet.facility_assets(&id("fac-1")).to_vec(),
        january(),
        &same_currency,
    );
    // Acquisition: 100,000 × 15/31 + 100,000 × 16/31 = 100,000. Service: 500 × 365.25 / 31 =
    // 5891.13 a year. COSR = 5.89 %. Before, a1 dropped out of both sides (it is retired at the
    // period end) and a2 weighed a full year: 0 %.
    assert_eq!(fac.acquisition_cost, d("100000"));
    assert_eq!(fac.service_cost, d("5891.13"));
    assert_eq!(fac.cosr_pct, Some(d("5.89")));
    assert_eq!((fac.cosr_assets, fac.cosr_population), (2, 3));
    assert_eq!(fac.cost_unknown, 1);
}

#[test]
fn the_default_period_is_the_365_days_ending_on_its_last_day() {
    let to = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).expect("date");
    let from = Period::default_from(to);
    assert_eq!(from.to_string(), "2025-12-08");
    let period = Period::days(from, to).expect("period");
    assert_eq!(period.seconds(), 365 * 86_400);
    assert_eq!(
        Period::default_from(chrono::NaiveDate::MIN),
        chrono::NaiveDate::MIN,
        "no panic at the calendar's first day"
    );
}
