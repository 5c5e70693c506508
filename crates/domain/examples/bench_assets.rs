//! Indicator benchmark: 100,000 assets at 1,000 facilities with 2,000,000 history records
//! (12 lifecycle events, 4 downtime episodes and 4 work orders per asset) over one year.
//!
//! cargo run --release -p aidtrace-domain --example bench_assets
//!
//! Prints the time to load the records into a ledger (not part of the target), to build the
//! indicator index and compute every facility's indicators (the "full recompute"), and the
//! per-facility query latency on the built index (mean and worst over all facilities).

use std::time::Instant;

use aidtrace_domain::assets::kpi::{Fleet, GroupBy, Period};
use aidtrace_domain::assets::{
    Acquisition, Asset, AssetEvent, Criticality, DeviceModel, Downtime, DowntimeCause, Funding,
    LifecycleState, MaintenancePlan, PlanKind, PlanTrigger, Priority, ReceiptCondition, WorkOrder,
    WorkOrderKind, WorkOrderStatus,
};
use aidtrace_domain::model::{Facility, FacilityKind, OrgKind, Organisation};
use aidtrace_domain::{CountryCode, CurrencyCode, Ledger, Money, Record, RecordId};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

const ASSETS: usize = 100_000;
const FACILITIES: usize = 1_000;

fn id(s: String) -> RecordId {
    RecordId::parse(&s).expect("generated ids are valid")
}

fn main() {
    let usd = CurrencyCode::parse("USD").expect("usd");
    let kz = CountryCode::parse("KZ").expect("kz");
    let start: NaiveDateTime = NaiveDate::from_ymd_opt(2024, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("date");
    let mut records: Vec<Record> = Vec::with_capacity(ASSETS * 21 + FACILITIES + 10);
    records.push(Record::Organisation(Organisation {
        id: id("org-m".into()),
        name: "Maker".into(),
        kind: OrgKind::Manufacturer,
        roles: vec![],
        country: None,
        parent: None,
        identifiers: vec![],
        sources: vec![],
    }));
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
    for f in 0..FACILITIES {
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
            status_history: vec![],
            sources: vec![],
        }));
    }
    let mut history = 0usize;
    for a in 0..ASSETS {
        let asset = id(format!("as-{a:06}"));
        records.push(Record::Asset(Asset {
            id: asset.clone(),
            inventory_tag: format!("TAG-{a}"),
            serial: None,
            udi_pi: None,
            model: id(format!("dm-{}", a % 10)),
            facility: id(format!("fac-{:04}", a % FACILITIES)),
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
                by: None,
                note: None,
                sources: vec![],
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
                parts: vec![],
                external_cost: Some(Money {
                    amount: Decimal::from(250),
                    currency: usd.clone(),
                    value_date: None,
                }),
                provider: None,
                note: None,
            }));
        }
        history += 20;
    }
    println!("{ASSETS} assets, {FACILITIES} facilities, {history} history records");

    let t = Instant::now();
    let ledger = Ledger::from_records(records);
    println!(
        "load into ledger: {:.3} s (not part of the target)",
        t.elapsed().as_secs_f64()
    );

    let period = Period::days(
        NaiveDate::from_ymd_opt(2025, 1, 1).expect("d"),
        NaiveDate::from_ymd_opt(2025, 12, 31).expect("d"),
    )
    .expect("period");
    let convert = |m: &Money| (m.currency == usd).then_some(m.amount);

    let t = Instant::now();
    let fleet = Fleet::build(&ledger);
    let build = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let by_facility = fleet.grouped(GroupBy::Facility, period, &convert);
    let compute = t.elapsed().as_secs_f64();
    let all = fleet.grouped(GroupBy::All, period, &convert);
    println!(
        "full recompute: index {build:.3} s + all facilities {compute:.3} s = {:.3} s ({} groups; fleet uptime {:?} %, MTTR {:?} h)",
        build + compute,
        by_facility.len(),
        all["all"].uptime_pct,
        all["all"].mttr_hours
    );

    let mut worst = 0f64;
    let t = Instant::now();
    for f in 0..FACILITIES {
        let q = Instant::now();
        let fac = id(format!("fac-{f:04}"));
        let i = fleet.indicators(fleet.facility_assets(&fac).to_vec(), period, &convert);
        std::hint::black_box(i);
        worst = worst.max(q.elapsed().as_secs_f64());
    }
    let mean = t.elapsed().as_secs_f64() / FACILITIES as f64;
    println!(
        "per-facility query on the index: mean {:.3} ms, worst {:.3} ms",
        mean * 1e3,
        worst * 1e3
    );
}
