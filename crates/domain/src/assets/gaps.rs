//! Essential-equipment gaps per facility and region, and equipment density per million
//! population by region next to national and reference figures.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde::Serialize;

use super::LifecycleState;
use super::kpi::Fleet;
use super::lifecycle::state_at;
use crate::codes::RecordId;

/// Units per million population from the literature (see docs/assets.md for sources): OECD
/// Health at a Glance (c. 2011–12) and the WHO 2010 baseline survey.
pub const REFERENCE_DENSITY: &[(&str, &str, &str)] = &[
    ("ct_scanner", "OECD average (c. 2011-12)", "23.6"),
    ("ct_scanner", "Japan (c. 2011-12)", "101.3"),
    (
        "ct_scanner",
        "low and lower-middle income countries (WHO 2010)",
        "1",
    ),
    ("mri_scanner", "OECD average (c. 2011-12)", "13.3"),
    ("mri_scanner", "Japan (c. 2011-12)", "46.9"),
];

/// An asset counts towards a standard while it is at the facility and usable or repairable.
fn present(state: Option<LifecycleState>) -> bool {
    matches!(
        state,
        Some(
            LifecycleState::Installed
                | LifecycleState::Commissioned
                | LifecycleState::InService
                | LifecycleState::Down
                | LifecycleState::UnderRepair
        )
    )
}

fn functional(state: Option<LifecycleState>) -> bool {
    matches!(
        state,
        Some(LifecycleState::Commissioned | LifecycleState::InService)
    )
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    pub facility: RecordId,
    pub region: String,
    pub generic_type: String,
    pub required: u32,
    pub present: u32,
    pub functional: u32,
    /// required − functional, at least 0.
    pub gap: u32,
}

/// Every facility against the standards for its kind, at `at`.
pub fn gaps(fleet: &Fleet<'_>, at: NaiveDateTime) -> Vec<Gap> {
    let ledger = fleet.ledger;
    let mut out = Vec::new();
    for facility in ledger.facilities.values() {
        for std in ledger
            .equipment_standards
            .values()
            .filter(|s| s.facility_kind == facility.kind)
        {
            let (mut have, mut working) = (0u32, 0u32);
            for &i in fleet.facility_assets(&facility.id) {
                let model = ledger.device_models.get(&fleet.assets[i].model);
                if model.is_none_or(|m| m.generic_type != std.generic_type) {
                    continue;
                }
                let state = state_at(&fleet.histories[i].events, at);
                if present(state) {
                    have += 1;
                }
                if functional(state) {
                    working += 1;
                }
            }
            out.push(Gap {
                facility: facility.id.clone(),
                region: facility
                    .region
                    .clone()
                    .unwrap_or_else(|| "unknown region".to_string()),
                generic_type: std.generic_type.clone(),
                required: std.min_quantity,
                present: have,
                functional: working,
                gap: std.min_quantity.saturating_sub(working),
            });
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Density {
    pub country: String,
    /// `None` for the national figure.
    pub region: Option<String>,
    pub generic_type: String,
    pub units: u64,
    pub population: Option<u64>,
    pub per_million: Option<Decimal>,
}

/// Units present at `at` per million population, per region and nationally, for each generic
/// type. Regions without a population record get counts but no density.
pub fn density(fleet: &Fleet<'_>, at: NaiveDateTime) -> Vec<Density> {
    let ledger = fleet.ledger;
    let mut counts: BTreeMap<(String, Option<String>, String), u64> = BTreeMap::new();
    for (i, asset) in fleet.assets.iter().enumerate() {
        if !present(state_at(&fleet.histories[i].events, at)) {
            continue;
        }
        let (Some(f), Some(m)) = (
            ledger.facilities.get(&asset.facility),
            ledger.device_models.get(&asset.model),
        ) else {
            continue;
        };
        let country = f.country.to_string();
        *counts
            .entry((country.clone(), f.region.clone(), m.generic_type.clone()))
            .or_default() += 1;
        *counts
            .entry((country, None, m.generic_type.clone()))
            .or_default() += 1;
    }
    let population = |country: &str, region: &Option<String>| {
        ledger
            .populations
            .values()
            .filter(|p| p.country.as_str() == country && &p.region == region)
            .max_by_key(|p| p.year)
            .map(|p| p.population)
    };
    counts
        .into_iter()
        .map(|((country, region, generic_type), units)| {
            let pop = population(&country, &region);
            Density {
                per_million: pop.map(|p| {
                    (Decimal::from(units) * Decimal::from(1_000_000) / Decimal::from(p)).round_dp(2)
                }),
                country,
                region,
                generic_type,
                units,
                population: pop,
            }
        })
        .collect()
}
