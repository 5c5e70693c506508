//! Synthetic fleets for benchmarks: many assets at many facilities, each with a commissioning,
//! four failures and repairs, and four work orders (20 history records per asset), all dated in
//! 2024–2025. Deterministic, so runs compare.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

use super::{
    Acquisition, Asset, AssetEvent, Criticality, DeviceModel, Downtime, DowntimeCause, Funding,
    LifecycleState, MaintenancePlan, PlanKind, PlanTrigger, Priority, ReceiptCondition, WorkOrder,
    WorkOrderKind, WorkOrderStatus,
};
use crate::model::{Facility, FacilityKind, OrgKind, Organisation};
use crate::{CountryCode, CurrencyCode, Money, Record, RecordId};

fn id(s: String) -> RecordId {
    RecordId::parse(&s).expect("generated ids are valid")
}

/// The records of a fleet of `n_assets` assets spread evenly over `n_facilities` facilities
/// (ids `as-NNNNNN`, `fac-NNNN`).
pub fn fleet(n_assets: usize, n_facilities: usize) -> Vec<Record> {
    let usd = CurrencyCode::parse("USD").expect("usd");
    let kz = CountryCode::parse("KZ").expect("kz");
    let start: NaiveDateTime = NaiveDate::from_ymd_opt(2024, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("date");
    let mut records: Vec<Record> = Vec::with_capacity(n_assets * 21 + n_facilities + 10);
    records.push(Record::Organisation(Organisation::new(
        id("org-m".into()),
        "Maker",
        OrgKind::Manufacturer,
    )));
    for m in 0..10 {
        records.push(Record::DeviceModel(DeviceModel {
            id: id(format!("dm-{m}")),
            manufacturer: id("org-m".into()),
            model_name: format!("Model {m}"),
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
        }));
        records.push(Record::MaintenancePlan(MaintenancePlan {
            id: id(format!("plan-{m}")),
            model: Some(id(format!("dm-{m}"))),
            asset: None,
            kind: PlanKind::Preventive,
            trigger: PlanTrigger::EveryDays(91),
            window_days: 14,
            description: "quarterly".into(),
            sources: vec![],
        }));
    }
    for f in 0..n_facilities {
        records.push(Record::Facility(Facility {
            id: id(format!("fac-{f:04}")),
            name: format!("Facility {f}"),
            kind: FacilityKind::DistrictHospital,
            country: kz.clone(),
            region: Some(format!("Region {}", f % 17)),
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
        }));
    }
    for a in 0..n_assets {
        let asset = id(format!("as-{a:06}"));
        records.push(Record::Asset(Asset {
            id: asset.clone(),
            inventory_tag: format!("TAG-{a}"),
            serial: None,
            udi_pi: None,
            model: id(format!("dm-{}", a % 10)),
            facility: id(format!("fac-{:04}", a % n_facilities)),
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
            cost: Some(Money {
                amount: Decimal::from(50_000 + (a % 1000) as i64 * 100),
                currency: usd.clone(),
                value_date: None,
            }),
            manufacture_date: None,
            contracts: vec![],
            criticality: Criticality::Medium,
            responsible: None,
            om_payer: None,
            note: None,
            sources: vec![],
        }));
        let offset = Duration::hours((a % 500) as i64);
        let mut n = 0;
        let mut event = |at: NaiveDateTime, state: LifecycleState, acceptance: Option<RecordId>| {
            n += 1;
            Record::AssetEvent(AssetEvent {
                id: id(format!("ev-{a:06}-{n:02}")),
                asset: asset.clone(),
                at,
                state,
                acceptance,
                to_facility: None,
                from_facility: None,
                by: None,
                note: None,
                sources: vec![],
                recorded_at: None,
                corrects: None,
                voided: None,
                disposal: None,
            })
        };
        let t0 = start + offset;
        records.push(event(t0, LifecycleState::Delivered, None));
        records.push(event(
            t0 + Duration::days(7),
            LifecycleState::Installed,
            None,
        ));
        records.push(event(
            t0 + Duration::days(14),
            LifecycleState::Commissioned,
            Some(id(format!("wo-{a:06}-0"))),
        ));
        records.push(event(
            t0 + Duration::days(15),
            LifecycleState::InService,
            None,
        ));
        for k in 0..4i64 {
            let down_at = start + Duration::days(380 + k * 80) + offset;
            let up_at = down_at + Duration::hours(6 + (a % 72) as i64);
            records.push(event(down_at, LifecycleState::Down, None));
            records.push(event(up_at, LifecycleState::InService, None));
            records.push(Record::Downtime(Downtime {
                id: id(format!("dt-{a:06}-{k}")),
                asset: asset.clone(),
                start: down_at,
                end: Some(up_at),
                cause: DowntimeCause::Wear,
                planned: false,
                work_order: None,
                reported_by: None,
                note: None,
                voided: None,
            }));
            let kind = if k == 0 {
                WorkOrderKind::Acceptance
            } else if k % 2 == 0 {
                WorkOrderKind::Preventive
            } else {
                WorkOrderKind::Corrective
            };
            records.push(Record::WorkOrder(WorkOrder {
                id: id(format!("wo-{a:06}-{k}")),
                asset: asset.clone(),
                kind,
                status: WorkOrderStatus::Done,
                priority: Priority::Normal,
                opened: up_at - Duration::hours(2),
                closed: Some(up_at),
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
                external_cost: Some(Money {
                    amount: Decimal::from(250),
                    currency: usd.clone(),
                    value_date: None,
                }),
                provider: None,
                note: None,
                notice: None,
                voided: None,
            }));
        }
    }
    records
}
