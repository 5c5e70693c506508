//! Seeded random instances for benchmarks and tests.
//!
//! Distribution (after shared/research/energy.md §6):
//! - 8 regions R1…R8, each facility's region uniform;
//! - unmet critical load U = 15 + 600·u² kW (u uniform on [0,1)), rounded to 0.1 kW: many small
//!   sites, a few large hospitals;
//! - weight uniform on [1, 5), rounded to 0.01;
//! - M = clamp(units/10, 3, 10) distinct models drawn from {20, 30, 60, 100, 150, 200, 250, 400,
//!   500, 1000} kW; each model gets one unit, the rest go to uniformly drawn models;
//!   idle L/h from [`crate::diesel::idle_l_per_h`], slope 0.25 L/kWh;
//! - H = 72 h, min_loading 0.3, K = 2 units per site (1 in the one-per-site variant);
//! - fuel = 50 % (20 % when fuel-scarce) of H·(0.25·min(ΣU, fleet kW) + Σ idle of the fleet);
//! - transport limit per region = 80 % of the fleet's kW / 8.

use std::collections::BTreeMap;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::diesel::{L_PER_KWH, idle_l_per_h};
use crate::instance::{Facility, GenModel, Instance};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Variant {
    #[default]
    Normal,
    FuelScarce,
    OnePerSite,
}

#[derive(Debug, Clone)]
pub struct GenOptions {
    pub facilities: usize,
    pub units: u32,
    pub seed: u64,
    pub variant: Variant,
}

const SIZES: [f64; 10] = [
    20.0, 30.0, 60.0, 100.0, 150.0, 200.0, 250.0, 400.0, 500.0, 1000.0,
];
const REGIONS: usize = 8;

pub fn generate(opts: &GenOptions) -> Instance {
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let width = opts.facilities.max(1).to_string().len().max(3);
    let facilities: Vec<Facility> = (0..opts.facilities)
        .map(|i| {
            let u: f64 = rng.random();
            let region = rng.random_range(0..REGIONS) + 1;
            let unmet = ((15.0 + 600.0 * u * u) * 10.0).round() / 10.0;
            let weight = (rng.random_range(1.0..5.0) * 100.0_f64).round() / 100.0;
            Facility {
                id: format!("F{:0width$}", i + 1),
                region: format!("R{region}"),
                weight,
                unmet_kw: unmet,
            }
        })
        .collect();
    let n_models = ((opts.units / 10) as usize).clamp(3, SIZES.len());
    let mut sizes: Vec<f64> = SIZES.to_vec();
    // Partial Fisher–Yates: the first n_models entries become a uniform sample.
    for i in 0..n_models {
        let j = rng.random_range(i..sizes.len());
        sizes.swap(i, j);
    }
    sizes.truncate(n_models);
    sizes.sort_by(f64::total_cmp);
    let mut counts = vec![0u32; n_models];
    for u in 0..opts.units {
        let m = if (u as usize) < n_models {
            u as usize
        } else {
            rng.random_range(0..n_models)
        };
        counts[m] += 1;
    }
    let fleet: Vec<GenModel> = sizes
        .iter()
        .zip(&counts)
        .map(|(&kw, &count)| GenModel {
            model: format!("G{kw}"),
            prime_kw: kw,
            count,
            idle_l_per_h: (idle_l_per_h(kw) * 1000.0).round() / 1000.0,
        })
        .collect();
    let hours = 72.0;
    let fleet_kw: f64 = fleet.iter().map(|m| m.prime_kw * f64::from(m.count)).sum();
    let fleet_idle: f64 = fleet
        .iter()
        .map(|m| m.idle_l_per_h * f64::from(m.count))
        .sum();
    let total_unmet: f64 = facilities.iter().map(|f| f.unmet_kw).sum();
    let need = hours * (L_PER_KWH * total_unmet.min(fleet_kw) + fleet_idle);
    let share = if opts.variant == Variant::FuelScarce {
        0.2
    } else {
        0.5
    };
    let per_region = (0.8 * fleet_kw / REGIONS as f64).round();
    let mut transport = BTreeMap::new();
    for r in 1..=REGIONS {
        let name = format!("R{r}");
        if facilities.iter().any(|f| f.region == name) {
            transport.insert(name, per_region);
        }
    }
    Instance {
        hours,
        fuel_litres: (share * need).round(),
        fuel_l_per_kwh: L_PER_KWH,
        min_loading: 0.3,
        max_units_per_facility: if opts.variant == Variant::OnePerSite {
            1
        } else {
            2
        },
        facilities,
        fleet,
        transport_kw: Some(transport),
    }
}
