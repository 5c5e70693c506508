//! Why a facility got what it got and why units stay in the depot, as data: a message id with
//! its figures, so interfaces word it in the reader's language (the web labels each id through
//! Fluent) and the CLI prints [`Reason::english`]. The English sentence is also kept in the
//! results' `reason` field, as before.

use serde::{Deserialize, Serialize};

use crate::v2::depot::Binding;

/// One binding constraint's count among the facilities a depot model could go to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockedAt {
    pub binding: Binding,
    pub facilities: usize,
    /// Regions where it binds (installation and fuel only), at most 8.
    #[serde(default)]
    pub regions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "id", rename_all = "snake_case")]
pub enum Reason {
    CoveredByOwnBackup,
    Covered,
    NoValue {
        region: String,
        outage_h_per_day: f64,
        weight: f64,
    },
    FuelFirst {
        carried_kw: f64,
        region: String,
        fuel_l_per_day: f64,
        weight_above: f64,
    },
    NoModelStartsStep {
        step_kva: f64,
        largest_kva: f64,
    },
    BelowMinLoading {
        step_kva: f64,
        min_loading_percent: f64,
        load_kw: f64,
    },
    FleetPlaced,
    FacilityCap {
        max_units: u32,
    },
    InstallationUsed {
        region: String,
        install_units: u32,
    },
    FuelSpent {
        region: String,
        fuel_l_per_day: f64,
    },
    FuelCannotRun {
        region: String,
        fuel_l_per_day: f64,
    },
    FreeUnitReplan,
    DepotZeroKw,
    DepotEligibility {
        kva: f64,
        step_facilities: usize,
        min_loading_percent: f64,
        prime_kw: f64,
        light_facilities: usize,
    },
    DepotBlocked {
        main: Binding,
        by: Vec<BlockedAt>,
        ineligible: usize,
    },
}

impl Reason {
    /// The sentence in English (the CLI's and the JSON's `reason`).
    pub fn english(&self) -> String {
        match self {
            Reason::CoveredByOwnBackup => {
                "its whole outage load is served (own backup covers it)".into()
            }
            Reason::Covered => "its whole outage load is served".into(),
            Reason::NoValue {
                region,
                outage_h_per_day,
                weight,
            } => format!(
                "serving it adds nothing: region {region} has {outage_h_per_day} outage hours per day and its weight is {weight}"
            ),
            Reason::FuelFirst {
                carried_kw,
                region,
                fuel_l_per_day,
                weight_above,
            } => format!(
                "its units could carry {carried_kw:.1} kW but region {region} gets {fuel_l_per_day} L/day: that fuel goes \
                 first to loads of weight (population weight × tier weight) above {weight_above:.2}"
            ),
            Reason::NoModelStartsStep {
                step_kva,
                largest_kva,
            } => format!(
                "no model can start its largest step load of {step_kva} kVA (largest set {largest_kva:.0} kVA)"
            ),
            Reason::BelowMinLoading {
                step_kva,
                min_loading_percent,
                load_kw,
            } => format!(
                "every model that starts its {step_kva} kVA step load would run below {min_loading_percent:.0} % load on its {load_kw:.1} kW"
            ),
            Reason::FleetPlaced => {
                "every unit of the models that fit it is placed where it adds more".into()
            }
            Reason::FacilityCap { max_units } => {
                format!("it already has the maximum of {max_units} units")
            }
            Reason::InstallationUsed {
                region,
                install_units,
            } => format!("region {region} has used all {install_units} installations"),
            Reason::FuelSpent {
                region,
                fuel_l_per_day,
            } => format!(
                "region {region}'s {fuel_l_per_day} L/day are spent by units carrying loads worth more"
            ),
            Reason::FuelCannotRun {
                region,
                fuel_l_per_day,
            } => format!("region {region}'s {fuel_l_per_day} L/day cannot run another unit here"),
            Reason::FreeUnitReplan => {
                "a free unit would still add value here: re-plan to place it".into()
            }
            Reason::DepotZeroKw => format!("{}: no usable kW", Binding::ZeroKw.label()),
            Reason::DepotEligibility {
                kva,
                step_facilities,
                min_loading_percent,
                prime_kw,
                light_facilities,
            } => format!(
                "{}: {kva:.0} kVA cannot start the largest step load at {step_facilities} facilities; \
                 {min_loading_percent:.0} % of {prime_kw:.0} kW exceeds the whole load at {light_facilities}",
                Binding::Eligibility.label(),
            ),
            Reason::DepotBlocked {
                main,
                by,
                ineligible,
            } => {
                let mut parts: Vec<String> = by
                    .iter()
                    .map(|b| {
                        let mut what = format!("{} at {}", b.binding.key(), b.facilities);
                        if !b.regions.is_empty() {
                            what.push_str(&format!(" (regions {})", b.regions.join(", ")));
                        }
                        what
                    })
                    .collect();
                if *ineligible > 0 {
                    parts.push(format!("ineligible at {ineligible}"));
                }
                format!("{}; facilities: {}", main.label(), parts.join(", "))
            }
        }
    }
}

/// One assumption the fuel logistics rest on, as data (a message id with its figures), so the
/// `/energy/v2` page words it in the reader's language; [`LogisticsAssumption::english`] is the
/// sentence kept in `Logistics::assumptions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "id", rename_all = "snake_case")]
pub enum LogisticsAssumption {
    /// Litres per day = outage hours × (idle L/h + slope × kW carried).
    LitresPerDay {
        l_per_kwh: f64,
    },
    DonatedUnitsOnly,
    Deliveries {
        reserve_percent: f64,
        default_resupply_days: f64,
    },
    DailyRate,
    NoFuelPrice,
}

impl LogisticsAssumption {
    pub fn english(&self) -> String {
        match self {
            Self::LitresPerDay { l_per_kwh } => format!(
                "litres per day = outage hours per day × (idle L/h of the units + {l_per_kwh} L/kWh × kW the donated units carry)"
            ),
            Self::DonatedUnitsOnly => {
                "only the donated units' fuel is counted; the own backup runs on the facility's own stock".into()
            }
            Self::Deliveries {
                reserve_percent,
                default_resupply_days,
            } => format!(
                "a delivery arrives when the tank is down to {reserve_percent:.0} % (reserve); where no tank size is given, a delivery every {default_resupply_days} days, and the tank that interval needs is shown"
            ),
            Self::DailyRate => {
                "fuel is a daily rate over the season, not a schedule with lead times".into()
            }
            Self::NoFuelPrice => "no fuel price given: costs not computed (--fuel-price)".into(),
        }
    }
}
