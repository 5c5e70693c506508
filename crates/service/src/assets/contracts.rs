//! Service contracts and warranties (issue #17 item 6): adding one, listing them with their
//! standing and service-level checks, expiry alerts, which work orders a contract covered, and
//! moving the contracts an asset record carried into contract records (one truth).

use std::collections::BTreeMap;

use aidtrace_domain::assets::contract::{
    self, AssetHistory, Contract, Cover, ResponseCheck, SlaStatus, Standing, UptimeCheck,
};
use aidtrace_domain::assets::kpi::Fleet;
use aidtrace_domain::error::ProblemId;
use aidtrace_domain::{Record, RecordId, RecordKind, ValidationError};
use chrono::NaiveDateTime;
use serde::Serialize;

use super::{HistorySource, put_checked_from, refuse};
use crate::Aidtrace;
use crate::error::{ServiceError, ServiceResult};

/// Default warning horizon of the expiry alerts, in days (aidtrace's choice, no source: long
/// enough to renew a contract through a public tender's shortest notice period).
pub const DEFAULT_ALERT_DAYS: u32 = 60;

/// One contract as the pages and the CLI show it.
#[derive(Debug, Clone, Serialize)]
pub struct ContractRow {
    pub contract: Contract,
    /// Read from an asset record's own `contracts` list, not yet moved into a record.
    pub embedded: bool,
    pub standing: Standing,
    /// Assets covered (present in the register).
    pub assets: Vec<RecordId>,
    /// Of those, how many are working now (commissioned or in service).
    pub in_service: u64,
    /// Of the working ones, how many no other active contract covers.
    pub in_service_uncovered: u64,
    /// Ending within the horizon, or expired with assets still in service and not covered by
    /// another contract.
    pub alert: bool,
    pub response: ResponseCheck,
    pub uptime: UptimeCheck,
}

impl ContractRow {
    /// Whether either service-level term was missed.
    pub fn sla_missed(&self) -> bool {
        self.response.status == SlaStatus::Missed || self.uptime.status == SlaStatus::Missed
    }
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct ContractFilter {
    pub facility: Option<RecordId>,
    pub asset: Option<RecordId>,
    /// Only contracts with an alert.
    pub alerts_only: bool,
    /// Warning horizon in days ([`DEFAULT_ALERT_DAYS`] when `None`).
    pub within_days: Option<u32>,
}

/// Adds (or replaces) a contract record after the single-record and reference checks. The
/// contract must cover at least one asset of the register when it lists assets; a model's
/// contract may be signed before the assets arrive.
pub fn add_contract(app: &mut Aidtrace, actor: &str, c: Contract) -> ServiceResult<()> {
    contract::validate(&c).map_err(|e| refuse("contract", &c.id, e))?;
    put_checked_from(app, HistorySource::Store, actor, vec![Record::Contract(c)])?;
    Ok(())
}

/// Contracts with their standing at `now`, covered assets and service-level checks, sorted by
/// end date then id.
pub fn contracts(
    app: &Aidtrace,
    filter: &ContractFilter,
    now: NaiveDateTime,
) -> ServiceResult<Vec<ContractRow>> {
    if let Some(f) = &filter.facility
        && app.store().get(RecordKind::Facility, f)?.is_none()
    {
        return Err(ServiceError::NotFound(format!("no facility with id {f}")));
    }
    if let Some(a) = &filter.asset
        && app.store().get(RecordKind::Asset, a)?.is_none()
    {
        return Err(ServiceError::NotFound(format!("no asset with id {a}")));
    }
    let ledger = app.ledger()?;
    let fleet = Fleet::build(&ledger);
    Ok(rows(&fleet, filter, now))
}

/// [`contracts`] on a fleet already built (the web's snapshot).
pub fn rows(fleet: &Fleet<'_>, filter: &ContractFilter, now: NaiveDateTime) -> Vec<ContractRow> {
    let within = filter.within_days.unwrap_or(DEFAULT_ALERT_DAYS);
    let today = now.date();
    // Contract id → (contract, embedded, covered asset positions).
    let mut by_id: BTreeMap<RecordId, (Contract, bool, Vec<usize>)> = BTreeMap::new();
    for (i, h) in fleet.histories.iter().enumerate() {
        for s in &h.contracts {
            let embedded = !fleet.ledger.contracts.contains_key(&s.contract.id);
            by_id
                .entry(s.contract.id.clone())
                .or_insert_with(|| (s.contract.clone(), embedded, Vec::new()))
                .2
                .push(i);
        }
    }
    // Contract records that cover no asset of the register yet still show.
    for c in fleet.ledger.contracts.values() {
        by_id
            .entry(c.id.clone())
            .or_insert_with(|| (c.clone(), false, Vec::new()));
    }
    let working = |i: usize| {
        aidtrace_domain::assets::history::functional_at(
            &fleet.histories[i].events,
            &fleet.histories[i].episodes,
            now,
        )
    };
    let mut out = Vec::new();
    for (c, embedded, covered) in by_id.into_values() {
        let wanted = filter
            .asset
            .as_ref()
            .is_none_or(|a| covered.iter().any(|&i| &fleet.assets[i].id == a))
            && filter.facility.as_ref().is_none_or(|f| {
                c.facility.as_ref() == Some(f)
                    || covered.iter().any(|&i| &fleet.assets[i].facility == f)
            });
        if !wanted {
            continue;
        }
        let standing = contract::standing(&c, today, within);
        let in_service: Vec<usize> = covered.iter().copied().filter(|&i| working(i)).collect();
        let uncovered = in_service
            .iter()
            .filter(|&&i| {
                !fleet.histories[i]
                    .contracts
                    .iter()
                    .any(|s| s.contract.id != c.id && s.contract.active_at(now))
            })
            .count() as u64;
        let alert = match standing {
            Standing::EndingSoon => true,
            Standing::Expired => uncovered > 0,
            Standing::Active | Standing::NotStarted => false,
        };
        if filter.alerts_only && !alert {
            continue;
        }
        let histories: Vec<AssetHistory<'_>> = covered
            .iter()
            .map(|&i| AssetHistory {
                events: &fleet.histories[i].events,
                episodes: &fleet.histories[i].episodes,
                work_orders: &fleet.histories[i].work_orders,
            })
            .collect();
        let (response, uptime) = contract::check_sla(&c, &histories, now);
        out.push(ContractRow {
            assets: covered
                .iter()
                .map(|&i| fleet.assets[i].id.clone())
                .collect(),
            in_service: in_service.len() as u64,
            in_service_uncovered: uncovered,
            contract: c,
            embedded,
            standing,
            alert,
            response,
            uptime,
        });
    }
    out.sort_by(|a, b| (a.contract.end, &a.contract.id).cmp(&(b.contract.end, &b.contract.id)));
    out
}

/// A work order a contract covered at its request time.
#[derive(Debug, Clone, Serialize)]
pub struct CoveredOrder {
    pub work_order: RecordId,
    pub contract: RecordId,
    pub cover: Cover,
}

/// The work orders of an asset that a warranty or contract covered when they were requested (the
/// vendor bears that part of their cost; the cost of service counts the contract's fee instead).
pub fn covered_orders(fleet: &Fleet<'_>, asset: &RecordId) -> Vec<CoveredOrder> {
    let Some(i) = fleet.position(asset) else {
        return Vec::new();
    };
    let h = &fleet.histories[i];
    let contracts: Vec<Contract> = h.contracts.iter().map(|s| s.contract.clone()).collect();
    h.work_orders
        .iter()
        .filter_map(|w| {
            contract::covering(&contracts, w).map(|(c, cover)| CoveredOrder {
                work_order: w.id.clone(),
                contract: c.id.clone(),
                cover,
            })
        })
        .collect()
}

/// One contract moved out of an asset record.
#[derive(Debug, Clone, Serialize)]
pub struct Moved {
    pub asset: RecordId,
    pub contract: RecordId,
}

/// Moves every contract an asset record carries in its own `contracts` list into a contract
/// record (id `<asset>.contract-<n>`, the id it was already shown under) and empties the list, in
/// one audited batch, so the two never disagree. Idempotent: a second run finds nothing.
pub fn migrate_embedded(
    app: &mut Aidtrace,
    actor: &str,
    dry_run: bool,
) -> ServiceResult<Vec<Moved>> {
    let ledger = app.ledger()?;
    let mut batch = Vec::new();
    let mut moved = Vec::new();
    for a in ledger.assets.values().filter(|a| !a.contracts.is_empty()) {
        let list = contract::embedded(a);
        if list.len() != a.contracts.len() {
            return Err(refuse(
                "asset",
                &a.id,
                ValidationError::new("contracts", a.contracts.len(), "gives no valid contract id")
                    .because(ProblemId::NoValidContractId),
            ));
        }
        for c in list {
            if let Some(old) = ledger.contracts.get(&c.id)
                && old != &c
            {
                return Err(refuse(
                    "contract",
                    &c.id,
                    ValidationError::new(
                        "id",
                        &c.id,
                        "a different contract record already has this id",
                    )
                    .because(ProblemId::ContractIdTaken),
                ));
            }
            moved.push(Moved {
                asset: a.id.clone(),
                contract: c.id.clone(),
            });
            batch.push(Record::Contract(c));
        }
        let mut cleared = a.clone();
        cleared.contracts.clear();
        batch.push(Record::Asset(cleared));
    }
    if !dry_run && !batch.is_empty() {
        put_checked_from(app, HistorySource::Store, actor, batch)?;
    }
    Ok(moved)
}
