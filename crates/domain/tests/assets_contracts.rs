//! Service contracts and warranties: single-record rules, standing and expiry, covered hours,
//! service-level checks and the cost of service, against hand-computed values.

use aidtrace_domain::assets::contract::{
    self, AssetHistory, Contract, CoveredHours, Day, SlaStatus, Standing,
};
use aidtrace_domain::assets::kpi::{Fleet, Period};
use aidtrace_domain::assets::{
    Acquisition, Asset, ContractKind, Criticality, DeviceModel, Downtime, DowntimeCause, Funding,
    LifecycleState, Priority, ReceiptCondition, ServiceContract, WorkOrder, WorkOrderKind,
    WorkOrderStatus,
};
use aidtrace_domain::model::{Facility, FacilityKind, OrgKind, Organisation};
use aidtrace_domain::{CountryCode, Ledger, Money, Record};
use chrono::NaiveDate;
use rust_decimal::Decimal;

mod asset_kit;
use asset_kit::{id, t};

fn d(s: &str) -> Decimal {
    s.parse().expect("decimal")
}
fn day(s: &str) -> NaiveDate {
    s.parse().expect("date")
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

fn contract(kind: ContractKind, start: &str, end: &str) -> Contract {
    Contract {
        id: id("ct-1"),
        vendor: Some(id("org-v")),
        kind,
        assets: vec![id("a1")],
        model: None,
        facility: None,
        start: day(start),
        end: day(end),
        annual_cost: None,
        response_hours: None,
        uptime_pct: None,
        covered_hours: None,
        reference: None,
        note: None,
        sources: vec![],
    }
}

fn office_hours() -> CoveredHours {
    CoveredHours {
        from_hour: 8,
        to_hour: 18,
        days: vec![Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri],
    }
}

fn base() -> Vec<Record> {
    let org =
        |name: &str, kind: OrgKind| Record::Organisation(Organisation::new(id(name), name, kind));
    vec![
        org("org-m", OrgKind::Manufacturer),
        org("org-v", OrgKind::Manufacturer),
        Record::Facility(Facility {
            id: id("fac-1"),
            name: "Hospital".into(),
            kind: FacilityKind::DistrictHospital,
            country: CountryCode::parse("KZ").expect("kz"),
            region: None,
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
            expected_life_years: None,
            support_until: None,
            power: None,
            consumables: vec![],
            manual_languages: vec![],
            sources: vec![],
        }),
    ]
}

fn asset(name: &str, contracts: Vec<ServiceContract>) -> Asset {
    Asset {
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
        cost: Some(usd("100000")),
        manufacture_date: None,
        contracts,
        criticality: Criticality::High,
        responsible: None,
        om_payer: None,
        note: None,
        sources: vec![],
    }
}

fn in_service(asset: &str) -> Record {
    Record::AssetEvent(asset_kit::event(
        &format!("ev-{asset}"),
        asset,
        t("2024-12-01 00:00"),
        LifecycleState::InService,
    ))
}

fn order(name: &str, kind: WorkOrderKind, opened: &str, ack: Option<&str>) -> WorkOrder {
    WorkOrder {
        id: id(name),
        asset: id("a1"),
        kind,
        status: WorkOrderStatus::Done,
        priority: Priority::Normal,
        opened: t(opened),
        closed: Some(t(opened)),
        plan: None,
        failure_cause: None,
        labour_hours: None,
        labour_cost: None,
        labour_rate: None,
        acknowledged: ack.map(t),
        started: None,
        assignee: None,
        result: None,
        checklist: Vec::new(),
        readings: Vec::new(),
        parts: vec![],
        external_cost: Some(usd("1000")),
        provider: None,
        note: None,
        notice: None,
        voided: None,
    }
}

fn down_jan_2() -> Record {
    Record::Downtime(Downtime {
        id: id("dt-1"),
        asset: id("a1"),
        start: t("2025-01-02 00:00"),
        end: Some(t("2025-01-03 00:00")),
        cause: DowntimeCause::Mechanical,
        planned: false,
        work_order: None,
        reported_by: None,
        note: None,
        voided: None,
    })
}

/// January 2025: 31 days.
fn january() -> Period {
    Period::days(day("2025-01-01"), day("2025-01-31")).expect("period")
}

fn ledger(extra: Vec<Record>) -> Ledger {
    let mut all = base();
    all.extend(extra);
    Ledger::from_records(all)
}

fn cosr(l: &Ledger) -> Option<Decimal> {
    let fleet = Fleet::build(l);
    fleet
        .indicators(0..fleet.assets.len(), january(), &same_currency)
        .cosr_pct
}

#[test]
fn a_contract_covers_listed_assets_or_a_model_at_a_facility_never_both() {
    let listed = contract(ContractKind::Warranty, "2025-01-01", "2025-12-31");
    assert!(contract::validate(&listed).is_ok());
    let model_wide = Contract {
        assets: vec![],
        model: Some(id("dm-1")),
        facility: Some(id("fac-1")),
        ..contract(ContractKind::FullService, "2025-01-01", "2025-12-31")
    };
    assert!(contract::validate(&model_wide).is_ok());
    let both = Contract {
        model: Some(id("dm-1")),
        facility: Some(id("fac-1")),
        ..contract(ContractKind::FullService, "2025-01-01", "2025-12-31")
    };
    assert_eq!(contract::validate(&both).expect_err("both").field, "assets");
    let no_facility = Contract {
        facility: None,
        ..model_wide.clone()
    };
    assert_eq!(
        contract::validate(&no_facility)
            .expect_err("facility")
            .field,
        "facility"
    );
    let nothing = Contract {
        assets: vec![],
        ..contract(ContractKind::Warranty, "2025-01-01", "2025-12-31")
    };
    assert_eq!(
        contract::validate(&nothing).expect_err("scope").field,
        "model"
    );
}

#[test]
fn bad_terms_are_refused_naming_the_field() {
    let c = || contract(ContractKind::Warranty, "2025-01-01", "2025-12-31");
    let field = |c: Contract| contract::validate(&c).expect_err("refused").field;
    assert_eq!(
        field(contract(ContractKind::Warranty, "2025-02-01", "2025-01-31")),
        "end"
    );
    assert_eq!(
        field(Contract {
            response_hours: Some(0),
            ..c()
        }),
        "response_hours"
    );
    for bad in ["0", "100.01", "-5"] {
        assert_eq!(
            field(Contract {
                uptime_pct: Some(d(bad)),
                ..c()
            }),
            "uptime_pct",
            "{bad}"
        );
    }
    assert_eq!(
        field(Contract {
            covered_hours: Some(CoveredHours {
                from_hour: 18,
                to_hour: 8,
                days: vec![Day::Mon],
            }),
            ..c()
        }),
        "covered_hours"
    );
    assert_eq!(
        field(Contract {
            covered_hours: Some(CoveredHours {
                days: vec![],
                ..office_hours()
            }),
            ..c()
        }),
        "covered_hours.days"
    );
    assert_eq!(
        field(Contract {
            annual_cost: Some(usd("-1")),
            ..c()
        })
        .split('.')
        .next()
        .map(str::to_string),
        Some("annual_cost".to_string())
    );
    assert_eq!(
        field(Contract {
            assets: vec![id("a1"), id("a1")],
            ..c()
        }),
        "assets"
    );
}

#[test]
fn standing_counts_the_warning_horizon_in_whole_days() {
    let c = contract(ContractKind::Warranty, "2025-01-01", "2025-03-01");
    assert_eq!(
        contract::standing(&c, day("2024-12-31"), 60),
        Standing::NotStarted
    );
    // 1 Jan to 1 Mar is 59 days (31 + 28): inside a 59- or 60-day horizon, not a 58-day one.
    assert_eq!(
        contract::standing(&c, day("2025-01-01"), 60),
        Standing::EndingSoon
    );
    assert_eq!(
        contract::standing(&c, day("2025-01-01"), 59),
        Standing::EndingSoon
    );
    assert_eq!(
        contract::standing(&c, day("2025-01-01"), 58),
        Standing::Active
    );
    // The last day is still covered.
    assert_eq!(
        contract::standing(&c, day("2025-03-01"), 0),
        Standing::EndingSoon
    );
    assert_eq!(
        contract::standing(&c, day("2025-03-02"), 60),
        Standing::Expired
    );
}

#[test]
fn covered_hours_count_only_the_office_hours_of_the_days_named() {
    let h = office_hours();
    // Monday 6 Jan 2025 00:00 to Monday 13 Jan 00:00: five days of 10 hours.
    assert_eq!(
        h.seconds_within(t("2025-01-06 00:00"), t("2025-01-13 00:00")),
        50 * 3600
    );
    // Friday 17:00 to Monday 09:00: one hour on Friday, one on Monday.
    assert_eq!(
        h.seconds_within(t("2025-01-10 17:00"), t("2025-01-13 09:00")),
        2 * 3600
    );
    // A weekend: nothing.
    assert_eq!(
        h.seconds_within(t("2025-01-11 00:00"), t("2025-01-12 23:00")),
        0
    );
}

#[test]
fn response_time_is_met_missed_or_not_measurable_with_the_figures() {
    let l = ledger(vec![
        Record::Asset(asset("a1", vec![])),
        in_service("a1"),
        // 3 h (Mon 08:00 → 11:00) and 64 clock hours (Fri 17:00 → Mon 09:00).
        Record::WorkOrder(order(
            "wo-1",
            WorkOrderKind::Corrective,
            "2025-01-06 08:00",
            Some("2025-01-06 11:00"),
        )),
        Record::WorkOrder(order(
            "wo-2",
            WorkOrderKind::Corrective,
            "2025-01-10 17:00",
            Some("2025-01-13 09:00"),
        )),
        // Not answered yet; a preventive order has no response time.
        Record::WorkOrder(order(
            "wo-3",
            WorkOrderKind::Corrective,
            "2025-01-20 08:00",
            None,
        )),
        Record::WorkOrder(order(
            "wo-4",
            WorkOrderKind::Preventive,
            "2025-01-21 08:00",
            Some("2025-01-28 08:00"),
        )),
    ]);
    let fleet = Fleet::build(&l);
    let h = &fleet.histories[fleet.position(&id("a1")).expect("a1")];
    let one = [AssetHistory {
        events: &h.events,
        episodes: &h.episodes,
        work_orders: &h.work_orders,
    }];
    let now = t("2025-02-15 00:00");
    let c = Contract {
        response_hours: Some(4),
        ..contract(ContractKind::FullService, "2025-01-01", "2025-12-31")
    };
    let (r, _) = contract::check_sla(&c, &one, now);
    assert_eq!(
        (r.status, r.orders, r.late, r.unmeasured),
        (SlaStatus::Missed, 2, 1, 1)
    );
    assert_eq!(r.worst_hours, Some(d("64")));
    // Counted in covered hours the weekend order took 2 h: met.
    let office = Contract {
        covered_hours: Some(office_hours()),
        ..c.clone()
    };
    let (r, _) = contract::check_sla(&office, &one, now);
    assert_eq!((r.status, r.late), (SlaStatus::Met, 0));
    assert_eq!(r.worst_hours, Some(d("3")));
    // No guarantee: not measurable, the figures still shown.
    let none = Contract {
        response_hours: None,
        ..c
    };
    let (r, _) = contract::check_sla(&none, &one, now);
    assert_eq!(
        (r.status, r.worst_hours),
        (SlaStatus::NotMeasurable, Some(d("64")))
    );
}

#[test]
fn uptime_guarantee_is_checked_over_all_hours_or_the_covered_hours() {
    let l = ledger(vec![
        Record::Asset(asset("a1", vec![])),
        in_service("a1"),
        down_jan_2(),
    ]);
    let fleet = Fleet::build(&l);
    let h = &fleet.histories[fleet.position(&id("a1")).expect("a1")];
    let one = [AssetHistory {
        events: &h.events,
        episodes: &h.episodes,
        work_orders: &h.work_orders,
    }];
    let now = t("2025-03-01 00:00");
    let jan = |pct: &str, hours: Option<CoveredHours>| Contract {
        uptime_pct: Some(d(pct)),
        covered_hours: hours,
        ..contract(ContractKind::FullService, "2025-01-01", "2025-01-31")
    };
    // 744 h, 24 h down: 720 / 744 = 96.77 %.
    let (_, u) = contract::check_sla(&jan("98", None), &one, now);
    assert_eq!(
        (u.status, u.hours, u.unplanned_down_hours),
        (SlaStatus::Missed, d("744"), d("24"))
    );
    assert_eq!(u.measured_pct, Some(d("96.77")));
    // 23 weekdays × 10 h = 230 h; Thursday 2 Jan loses its 10 office hours: 220 / 230 = 95.65 %.
    let (_, u) = contract::check_sla(&jan("95", Some(office_hours())), &one, now);
    assert_eq!(
        (u.status, u.hours, u.unplanned_down_hours),
        (SlaStatus::Met, d("230"), d("10"))
    );
    assert_eq!(u.measured_pct, Some(d("95.65")));
    // Before the contract started nothing is measurable.
    let (_, u) = contract::check_sla(&jan("95", None), &one, t("2024-12-15 00:00"));
    assert_eq!((u.status, u.measured_pct), (SlaStatus::NotMeasurable, None));
}

#[test]
fn cosr_counts_the_fee_time_weighted_and_not_what_the_vendor_bore() {
    // Fee 5,000 a year, all January: 5,000 annualised over 100,000 = 5 %. The covered repair's
    // 1,000 invoice is the vendor's.
    let warranty = Contract {
        annual_cost: Some(usd("5000")),
        ..contract(ContractKind::Warranty, "2024-06-01", "2025-06-30")
    };
    let repair = Record::WorkOrder(order(
        "wo-1",
        WorkOrderKind::Corrective,
        "2025-01-10 08:00",
        None,
    ));
    let l = ledger(vec![
        Record::Asset(asset("a1", vec![])),
        in_service("a1"),
        Record::Contract(warranty.clone()),
        repair.clone(),
    ]);
    assert_eq!(cosr(&l), Some(d("5.00")));
    // Billed per job: the invoice counts, 1,000 × 365.25 / 31 = 11,782.26 + 5,000 = 16.78 %.
    let billed = Contract {
        kind: ContractKind::TimeAndMaterials,
        ..warranty.clone()
    };
    let l = ledger(vec![
        Record::Asset(asset("a1", vec![])),
        in_service("a1"),
        Record::Contract(billed),
        repair,
    ]);
    assert_eq!(cosr(&l), Some(d("16.78")));
    // Under contract 16–31 January only (16 days): 5,000 × 16 / 365.25 annualised over the 31
    // days = 5,000 × 16 / 31 = 2,580.65 → 2.58 %.
    let half = Contract {
        start: day("2025-01-16"),
        ..warranty
    };
    let l = ledger(vec![
        Record::Asset(asset("a1", vec![])),
        in_service("a1"),
        Record::Contract(half),
    ]);
    assert_eq!(cosr(&l), Some(d("2.58")));
}

#[test]
fn a_model_contract_shares_its_fee_over_the_assets_of_that_model_at_the_facility() {
    let model_wide = Contract {
        assets: vec![],
        model: Some(id("dm-1")),
        facility: Some(id("fac-1")),
        annual_cost: Some(usd("10000")),
        ..contract(ContractKind::FullService, "2024-01-01", "2025-12-31")
    };
    let l = ledger(vec![
        Record::Asset(asset("a1", vec![])),
        Record::Asset(asset("a2", vec![])),
        in_service("a1"),
        in_service("a2"),
        Record::Contract(model_wide),
    ]);
    // 10,000 over 200,000; each asset 5,000 over 100,000.
    assert_eq!(cosr(&l), Some(d("5.00")));
    let fleet = Fleet::build(&l);
    let a2 = fleet.position(&id("a2")).expect("a2");
    let one = fleet.indicators([a2], january(), &same_currency);
    assert_eq!(one.cosr_pct, Some(d("5.00")));
}

#[test]
fn the_asset_records_own_contracts_are_read_as_contracts_with_the_same_figures() {
    let legacy = ServiceContract {
        kind: ContractKind::Warranty,
        provider: Some(id("org-v")),
        start: day("2024-06-01"),
        end: day("2025-06-30"),
        annual_cost: Some(usd("5000")),
    };
    let a = asset("a1", vec![legacy]);
    let read = contract::of_asset(&a, []);
    assert_eq!(read.len(), 1);
    assert_eq!(read[0].id, id("a1.contract-1"));
    assert_eq!(read[0].vendor, Some(id("org-v")));
    assert_eq!(read[0].assets, vec![id("a1")]);
    // The same 5 % as the record above, and the covered repair is the vendor's here too.
    let repair = Record::WorkOrder(order(
        "wo-1",
        WorkOrderKind::Corrective,
        "2025-01-10 08:00",
        None,
    ));
    let l = ledger(vec![Record::Asset(a), in_service("a1"), repair]);
    assert_eq!(cosr(&l), Some(d("5.00")));
}

#[test]
fn what_each_kind_makes_the_vendor_bear() {
    use WorkOrderKind as W;
    let c = |k| contract(k, "2025-01-01", "2025-12-31");
    let cover = |k, w| {
        let x = c(k).cover(w);
        (x.service, x.parts)
    };
    assert_eq!(cover(ContractKind::Warranty, W::Corrective), (true, true));
    assert_eq!(
        cover(ContractKind::FullService, W::Preventive),
        (true, true)
    );
    assert_eq!(
        cover(ContractKind::PreventiveOnly, W::Corrective),
        (false, false)
    );
    assert_eq!(
        cover(ContractKind::PreventiveOnly, W::Calibration),
        (true, false)
    );
    assert_eq!(cover(ContractKind::PartsOnly, W::Corrective), (false, true));
    assert_eq!(
        cover(ContractKind::TimeAndMaterials, W::Corrective),
        (false, false)
    );
    // Installation and acceptance are part of acquisition.
    assert_eq!(
        cover(ContractKind::Warranty, W::Installation),
        (false, false)
    );
    // Covered at the request time only (the last day included).
    let w = order("wo-1", W::Corrective, "2026-01-01 08:00", None);
    assert!(contract::covering(&[c(ContractKind::Warranty)], &w).is_none());
    let w = order("wo-1", W::Corrective, "2025-12-31 23:00", None);
    assert!(contract::covering(&[c(ContractKind::Warranty)], &w).is_some());
}
