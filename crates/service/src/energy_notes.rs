//! What a store-built version 2 plan tells its reader besides the figures, as data: the notes
//! on the plan, why a facility is left out, and where the fuel each facility starts with comes
//! from. Each is a message id with its figures (as the planner's `Reason`), so the `/energy/v2`
//! page words it in the reader's language; `english()` is the sentence the CLI prints and the
//! JSON keeps.

use aidtrace_domain::assets::load::LoadTier;
use serde::{Deserialize, Serialize};

/// A note on a plan from the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "id", rename_all = "snake_case")]
pub enum PlanNote {
    /// A generator line without a quantity: never planned as 0 or 1 units.
    LineNoQuantity {
        line: String,
        model: String,
    },
    LineAllRecorded {
        line: String,
        model: String,
        quantity: u32,
    },
    LineSomeRecorded {
        line: String,
        model: String,
        done: u32,
        quantity: u32,
        left: u32,
    },
    /// `why` is the line's own note, data as entered.
    LineIllustrative {
        line: String,
        model: String,
        why: String,
    },
    StepLowerBound {
        facility: String,
        unknown: usize,
    },
    BackupConditionAssumed {
        facility: String,
    },
    OutageWhatIf {
        hours: f64,
    },
    ChangeoverBridged,
    UnitsDerated {
        derate: f64,
    },
}

impl PlanNote {
    pub fn english(&self) -> String {
        match self {
            Self::LineNoQuantity { line, model } => format!(
                "equipment line {line} ({model}): no quantity recorded, so its sets are not planned"
            ),
            Self::LineAllRecorded {
                line,
                model,
                quantity,
            } => format!(
                "equipment line {line} ({model}): all {quantity} sets are already recorded as assets"
            ),
            Self::LineSomeRecorded {
                line,
                model,
                done,
                quantity,
                left,
            } => format!(
                "equipment line {line} ({model}): {done} of {quantity} sets already recorded as assets; the other {left} are planned"
            ),
            Self::LineIllustrative { line, model, why } => {
                format!("equipment line {line} ({model}): illustrative: {why}")
            }
            Self::StepLowerBound { facility, unknown } => format!(
                "{facility}: largest_step_kva is a lower bound ({unknown} load(s) state no kVA)"
            ),
            Self::BackupConditionAssumed { facility } => {
                format!("{facility}: backup condition not recorded; counted as working")
            }
            Self::OutageWhatIf { hours } => format!(
                "what-if: {hours} outage hours per day in every region, replacing the recorded schedules"
            ),
            Self::ChangeoverBridged => "P(survive 24/72/168 h) assumes the changeover gap (grid loss until the generators carry the load, up to 10 s for an NFPA 110 Type 10 system) is bridged by the devices' own batteries or a UPS: the store records no UPS or battery; without one, every life-support load is interrupted at each outage start".into(),
            Self::UnitsDerated { derate } => format!(
                "autonomy: units from the plan run at their usable power, {derate} × prime kW (the instance's derate; MODEL-v2 derating, as the planner counted them); their idle fuel is that of the full prime rating; the facility's own backup likewise counts at its derated kW"
            ),
        }
    }
}

/// Why a facility of the store is not in the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "id", rename_all = "snake_case")]
pub enum LeftOutReason {
    /// Destroyed or closed (`status` is the stored value).
    Status {
        status: String,
    },
    NoSurvey,
    /// A load whose average kW nobody stated; `building`: a building load, else an asset.
    UnknownLoad {
        tier: LoadTier,
        building: bool,
        item: String,
        what: String,
    },
    BackupUnknown,
    StepUnknown,
}

impl LeftOutReason {
    pub fn english(&self) -> String {
        match self {
            Self::Status { status } => {
                format!("current status {status}: nowhere to install a unit")
            }
            Self::NoSurvey => {
                "no load survey: no powered asset and no building load recorded".into()
            }
            Self::UnknownLoad {
                tier,
                building,
                item,
                what,
            } => format!(
                "{} load of {} {item} ({what}): average kW unknown",
                tier.as_str(),
                if *building { "building load" } else { "asset" }
            ),
            Self::BackupUnknown => "existing backup unknown: no backup_kva recorded (record 0 or condition absent if there is none)".into(),
            Self::StepUnknown => {
                "largest step load unknown: no load states a kVA or starting kVA".into()
            }
        }
    }
}

/// Where the fuel a facility's autonomy starts with comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "id", rename_all = "snake_case")]
pub enum FuelBasis {
    Given,
    /// One delivery for the donated units; the facility's own stock is not recorded, so the
    /// fuel on site is at least this.
    OneDelivery {
        litres_per_day: f64,
        resupply_days: f64,
    },
    /// Fuel on site unknown: no stock recorded and no unit planned (so no delivery). Kept under
    /// its first id (`no_units`) so plan files written before still read.
    NoUnits,
    /// The facility's recorded stock (no unit planned).
    Recorded {
        litres: f64,
        as_of: String,
    },
    /// The recorded stock plus one delivery for the donated units.
    RecordedAndDelivery {
        recorded_litres: f64,
        as_of: String,
        litres_per_day: f64,
        resupply_days: f64,
    },
}

impl FuelBasis {
    pub fn english(&self) -> String {
        match self {
            Self::Given => "given by the planner".into(),
            Self::OneDelivery {
                litres_per_day,
                resupply_days,
            } => format!(
                "one delivery of the logistics plan: {litres_per_day:.0} L/day × {resupply_days:.1} days between deliveries; the facility's own stock is not recorded, so hours are at least the figures shown"
            ),
            Self::NoUnits => {
                "fuel on site unknown: no stock recorded and no unit planned (no delivery), so hours its own backup runs on fuel are unknown".into()
            }
            Self::Recorded { litres, as_of } => {
                format!("the facility's recorded stock: {litres:.0} L on {as_of}")
            }
            Self::RecordedAndDelivery {
                recorded_litres,
                as_of,
                litres_per_day,
                resupply_days,
            } => format!(
                "the facility's recorded stock ({recorded_litres:.0} L on {as_of}) plus one delivery of the logistics plan: {litres_per_day:.0} L/day × {resupply_days:.1} days"
            ),
        }
    }

    /// Whether the simulated starting fuel is the fuel on site (`Some(true)`), a lower bound
    /// of it (`Some(false)`), or unknown (`None`).
    pub fn known(&self) -> Option<bool> {
        match self {
            Self::Given | Self::Recorded { .. } | Self::RecordedAndDelivery { .. } => Some(true),
            Self::OneDelivery { .. } => Some(false),
            Self::NoUnits => None,
        }
    }
}
