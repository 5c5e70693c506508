//! aidtrace-energy: allocation of a donated generator fleet to health facilities
//! (`shared/energy/MODEL.md`), re-planning after losses, explanations, and backup-power
//! autonomy of one facility.
//!
//! Entry points: [`Instance::from_json_slice`] → [`solve`] → [`Plan`]; [`check_plan`] verifies a
//! plan independently; [`replan()`] and [`explain()`] work on a plan; [`autonomy::assess`]
//! simulates one facility; [`generate()`] writes benchmark instances. Version 2 of the model
//! (`shared/energy/MODEL-v2.md`) lives in [`v2`]; [`v2::AnyInstance`] tells the versions apart.

// The solver works on parallel per-facility and per-model arrays; index loops read better there.
#![allow(clippy::needless_range_loop)]

pub mod autonomy;
mod bound;
mod check;
pub mod diesel;
mod error;
mod exact;
pub mod explain;
pub mod fuel;
pub mod generate;
mod instance;
mod plan;
pub mod replan;
mod search;
pub mod sim;
mod state;
pub mod v2;

pub use check::check_plan;
pub use error::{EnergyError, Result};
pub use explain::{FacilityExplanation, explain};
pub use generate::{GenOptions, Variant, generate};
pub use instance::{Facility, GenModel, Instance};
pub use plan::{Assignment, OPTIMAL_GAP, Options, Plan, Status, solve};
pub use replan::{Events, Move, Replan, ReplanOptions, StockLoss, replan};
pub use sim::plan_units::{DEFAULT_DERATE, DEFAULT_POWER_FACTOR};
