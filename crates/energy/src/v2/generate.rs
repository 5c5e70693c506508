//! Seeded random version 2 instances for benchmarks and tests.
//!
//! Distribution (documented in docs/energy.md):
//! - regions R01…Rnn, nn = clamp(facilities/12, 5, 25); outage hours per day uniform on [4, 16),
//!   rounded to 0.5 h; each facility's region uniform;
//! - whole outage load L = 15 + 600·u² kW (u uniform): life support 10–25 %, critical 25–40 %,
//!   the rest essential; rounded to 0.1 kW;
//! - own backup: none for 30 % of facilities (condition "absent"), otherwise uniform on 0–60 %
//!   of L; population weight uniform on [0.5, 3);
//! - largest step load: 0 for 40 % of facilities, else uniform on 10–60 % of L kVA (step-heavy:
//!   80 % of facilities, 30–120 % of L);
//! - fleet as version 1 (`crate::generate`): clamp(units/10, 3, 10) models from {20 … 1000} kW,
//!   idle L/h from the diesel curve;
//! - K = 3 units per site; derate 0.75, power factor 0.8, min loading 0.3, 90 days;
//! - installation per region: ⌈1.5·units/regions⌉ (install-scarce: ⌈0.4·units/regions⌉);
//! - fuel per region: 50 % (fuel-scarce: 15 %) of o_r·(0.25·min(region load above backup,
//!   derated fleet kW/regions) + fleet idle/regions), rounded to litres.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::diesel::{L_PER_KWH, idle_l_per_h};
use crate::fuel::FuelType;
use crate::v2::instance::{BackupCondition, FacilityV2, InstanceV2, ModelV2, PerTier, Region};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum VariantV2 {
    #[default]
    Normal,
    FuelScarce,
    InstallScarce,
    StepHeavy,
}

impl VariantV2 {
    pub const ALL: [VariantV2; 4] = [
        VariantV2::Normal,
        VariantV2::FuelScarce,
        VariantV2::InstallScarce,
        VariantV2::StepHeavy,
    ];

    pub fn name(self) -> &'static str {
        match self {
            VariantV2::Normal => "normal",
            VariantV2::FuelScarce => "fuel-scarce",
            VariantV2::InstallScarce => "install-scarce",
            VariantV2::StepHeavy => "step-heavy",
        }
    }
}

#[derive(Debug, Clone)]
pub struct GenOptionsV2 {
    pub facilities: usize,
    pub units: u32,
    pub seed: u64,
    pub variant: VariantV2,
}

const SIZES: [f64; 10] = [
    20.0, 30.0, 60.0, 100.0, 150.0, 200.0, 250.0, 400.0, 500.0, 1000.0,
];

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

pub fn generate_v2(opts: &GenOptionsV2) -> InstanceV2 {
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let nr = (opts.facilities / 12).clamp(5, 25);
    let width = opts.facilities.max(1).to_string().len().max(3);
    let step_heavy = opts.variant == VariantV2::StepHeavy;
    let mut regions: Vec<Region> = (0..nr)
        .map(|r| Region {
            id: format!("R{:02}", r + 1),
            outage_h_per_day: (rng.random_range(4.0..16.0_f64) * 2.0).round() / 2.0,
            fuel_l_per_day: 0.0,
            install_units: 0,
        })
        .collect();
    let mut room_by_region = vec![0.0; nr];
    let facilities: Vec<FacilityV2> = (0..opts.facilities)
        .map(|i| {
            let u: f64 = rng.random();
            let total = 15.0 + 600.0 * u * u;
            let life = total * rng.random_range(0.10..0.25);
            let crit = total * rng.random_range(0.25..0.40);
            let loads = PerTier {
                life_support: round1(life),
                critical: round1(crit),
                essential: round1((total - life - crit).max(0.0)),
            };
            let region = rng.random_range(0..nr);
            let (existing, condition) = if rng.random_bool(0.3) {
                (None, BackupCondition::Absent)
            } else {
                (
                    Some(round1(total * rng.random_range(0.0..0.6))),
                    BackupCondition::Working,
                )
            };
            let step = if step_heavy {
                if rng.random_bool(0.8) {
                    round1(total * rng.random_range(0.3..1.2))
                } else {
                    0.0
                }
            } else if rng.random_bool(0.6) {
                round1(total * rng.random_range(0.1..0.6))
            } else {
                0.0
            };
            room_by_region[region] += (loads.total() - existing.unwrap_or(0.0)).max(0.0);
            FacilityV2 {
                id: format!("F{:0width$}", i + 1),
                region: regions[region].id.clone(),
                population_weight: (rng.random_range(0.5..3.0) * 100.0_f64).round() / 100.0,
                loads_kw: loads,
                existing_kw: existing,
                existing_kva: None,
                backup_condition: condition,
                largest_step_kva: step,
                tank_l: None,
            }
        })
        .collect();
    let n_models = ((opts.units / 10) as usize).clamp(3, SIZES.len());
    let mut sizes: Vec<f64> = SIZES.to_vec();
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
    let fleet: Vec<ModelV2> = sizes
        .iter()
        .zip(&counts)
        .map(|(&kw, &count)| ModelV2 {
            model: format!("G{kw}"),
            prime_kw: Some(kw),
            prime_kva: None,
            count,
            idle_l_per_h: Some((idle_l_per_h(kw) * 1000.0).round() / 1000.0),
            fuel: FuelType::Diesel,
        })
        .collect();
    let derate = crate::DEFAULT_DERATE;
    let fleet_kw: f64 = fleet
        .iter()
        .map(|m| derate * m.prime_kw.unwrap_or(0.0) * f64::from(m.count))
        .sum();
    let fleet_idle: f64 = fleet
        .iter()
        .map(|m| m.idle_l_per_h.unwrap_or(0.0) * f64::from(m.count))
        .sum();
    let share = if opts.variant == VariantV2::FuelScarce {
        0.15
    } else {
        0.5
    };
    let per_region_units = f64::from(opts.units) / nr as f64;
    let install = if opts.variant == VariantV2::InstallScarce {
        (0.4 * per_region_units).ceil()
    } else {
        (1.5 * per_region_units).ceil()
    };
    for (r, reg) in regions.iter_mut().enumerate() {
        let need = reg.outage_h_per_day
            * (L_PER_KWH * room_by_region[r].min(fleet_kw / nr as f64) + fleet_idle / nr as f64);
        reg.fuel_l_per_day = (share * need).round();
        reg.install_units = install as u32;
    }
    InstanceV2 {
        version: 2,
        horizon_days: 90.0,
        fuel_l_per_kwh: Some(L_PER_KWH),
        derate,
        power_factor: crate::DEFAULT_POWER_FACTOR,
        min_loading: 0.3,
        max_units_per_facility: 3,
        tier_weights: PerTier {
            life_support: 10.0,
            critical: 3.0,
            essential: 1.0,
        },
        regions,
        facilities,
        fleet,
    }
}
