//! Version 2 of the allocation model (`shared/energy/MODEL-v2.md`): a season of rolling outages
//! by region, derated sets checked against the largest step load, three tiers of critical load,
//! daily deliverable fuel and installation capacity per region, and the reason every
//! undeployed unit stays in the depot. Version 1 (`MODEL.md`) stays in the crate root.

pub mod bound;
pub mod check;
pub mod depot;
mod exact;
pub mod explain;
pub mod generate;
pub mod instance;
pub mod logistics;
pub mod model;
pub mod plan;
pub mod reason;
pub mod replan;
pub mod search;

pub use check::check_plan_v2;
pub use depot::{Binding, DepotEntry};
pub use explain::{FacilityExplanationV2, explain_v2};
pub use generate::{GenOptionsV2, VariantV2, generate_v2};
pub use instance::{BackupCondition, FacilityV2, InstanceV2, ModelV2, PerTier, Region, Tier};
pub use logistics::{Logistics, LogisticsOptions, logistics};
pub use plan::{PlanV2, served_kwh, solve_v2};
pub use reason::{BlockedAt, LogisticsAssumption, Reason};
pub use replan::{EventsV2, ReplanV2, replan_v2};

use crate::error::Result;

/// An energy instance of either version, told apart by its `version` field.
#[derive(Debug, Clone)]
pub enum AnyInstance {
    V1(crate::Instance),
    V2(InstanceV2),
}

impl AnyInstance {
    pub fn from_json_slice(bytes: &[u8]) -> Result<Self> {
        match instance::version_of(bytes)? {
            2 => Ok(AnyInstance::V2(InstanceV2::from_json_slice(bytes)?)),
            _ => Ok(AnyInstance::V1(crate::Instance::from_json_slice(bytes)?)),
        }
    }
}
