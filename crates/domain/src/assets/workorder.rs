//! What a work order records beyond its status, and the indicators read from it.
//!
//! * The four times of a job: requested (`opened`), acknowledged, started and finished
//!   (`closed`). Response time runs from the request to the acknowledgement and to the start;
//!   repair time from the start to the finish. Mean time to restoration (report to return to
//!   service) is read from the downtime episodes in [`super::kpi`], so the two are never mixed.
//! * The result (pass / fail), PM checklist items with their results, and measured readings:
//!   electrical safety (IEC 62353) and calibration, each with its tolerance and the test
//!   instrument that measured it and the date that instrument was last calibrated (traceability).
//! * Labour: hours at an hourly rate when no labour cost is given, so in-house work is costed.

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{WorkOrder, WorkOrderKind, WorkOrderStatus};
use crate::error::{ProblemId, ValidationError};
use crate::money::{Money, exact_decimal};

/// The outcome of a job, a checklist item or a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum WorkResult {
    Pass,
    Fail,
}

/// One line of a preventive-maintenance checklist and what was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistItem {
    pub item: String,
    pub result: WorkResult,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What a reading was taken for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum ReadingKind {
    /// A test of IEC 62353 (recurrent test of medical electrical equipment), e.g. protective
    /// earth resistance or equipment leakage current.
    ElectricalSafety,
    /// A measured output against its reference, e.g. a delivered tidal volume or a temperature.
    Calibration,
}

/// One measured value with its tolerance and the instrument that measured it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reading {
    pub kind: ReadingKind,
    /// What was measured, as the procedure names it ("protective earth resistance").
    pub quantity: String,
    /// Unit of `value`, `min` and `max` ("Ω", "µA", "mL").
    pub unit: String,
    #[serde(with = "exact_decimal")]
    pub value: Decimal,
    /// Lowest acceptable value, if the tolerance has one.
    #[serde(
        default,
        with = "exact_decimal::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub min: Option<Decimal>,
    /// Highest acceptable value (IEC 62353 gives limits as maxima: 0.3 Ω, 500 µA …).
    #[serde(
        default,
        with = "exact_decimal::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub max: Option<Decimal>,
    /// Identifier of the test instrument (analyser serial or inventory tag).
    pub instrument: String,
    /// When that instrument was last calibrated: the reading is traceable only through it.
    pub instrument_calibrated: NaiveDate,
}

impl Reading {
    /// Whether the value lies within `[min, max]` (bounds included).
    pub fn within_tolerance(&self) -> bool {
        self.min.is_none_or(|m| self.value >= m) && self.max.is_none_or(|m| self.value <= m)
    }
}

/// Single-record rules for the substance of a work order; the caller adds them to the order's
/// other rules. Times must follow requested ≤ acknowledged ≤ started ≤ finished; a result of
/// `pass` cannot stand beside a failed checklist item or a reading out of tolerance; a reading
/// needs a tolerance, an instrument and that instrument's calibration date, not after the job.
pub fn validate(w: &WorkOrder) -> Result<(), ValidationError> {
    let steps = [
        ("acknowledged", w.acknowledged),
        ("started", w.started),
        (
            "closed",
            w.closed.filter(|_| w.status == WorkOrderStatus::Done),
        ),
    ];
    let mut before = ("opened", w.opened);
    for (field, at) in steps {
        if let Some(at) = at {
            if at < before.1 {
                return Err(ValidationError::new(
                    field,
                    at,
                    format!("is before {} ({})", before.0, before.1),
                )
                .because(ProblemId::BeforeEarlierStep)
                .with_text("step", before.0)
                .with_text("at", before.1));
            }
            before = (field, at);
        }
    }
    if w.result.is_some() && w.status != WorkOrderStatus::Done {
        return Err(ValidationError::new(
            "result",
            w.result.map(<&str>::from).unwrap_or_default(),
            "only a done work order has a result",
        )
        .because(ProblemId::ResultOnlyWhenDone));
    }
    for (i, c) in w.checklist.iter().enumerate() {
        crate::model::non_empty(&format!("checklist[{i}].item"), &c.item)?;
        if c.result == WorkResult::Fail && w.result == Some(WorkResult::Pass) {
            return Err(ValidationError::new(
                "result",
                "pass",
                format!("checklist item \"{}\" failed", c.item),
            )
            .because(ProblemId::ChecklistItemFailed)
            .with_text("item", &c.item));
        }
    }
    for (i, r) in w.readings.iter().enumerate() {
        let field = |f: &str| format!("readings[{i}].{f}");
        crate::model::non_empty(&field("quantity"), &r.quantity)?;
        crate::model::non_empty(&field("unit"), &r.unit)?;
        crate::model::non_empty(&field("instrument"), &r.instrument)?;
        if r.min.is_none() && r.max.is_none() {
            return Err(ValidationError::new(
                field("max"),
                "",
                "a reading needs a tolerance (min, max or both)",
            )
            .because(ProblemId::ToleranceNeeded));
        }
        if let (Some(lo), Some(hi)) = (r.min, r.max)
            && lo > hi
        {
            return Err(
                ValidationError::new(field("min"), lo, format!("is above max ({hi})"))
                    .because(ProblemId::MinAboveMax)
                    .with_text("max", hi),
            );
        }
        let done = w.closed.unwrap_or(w.opened).date();
        if r.instrument_calibrated > done {
            return Err(ValidationError::new(
                field("instrument_calibrated"),
                r.instrument_calibrated,
                format!("is after the work ({done})"),
            )
            .because(ProblemId::CalibratedAfterWork)
            .with_text("done", done));
        }
        if !r.within_tolerance() && w.result == Some(WorkResult::Pass) {
            return Err(ValidationError::new(
                "result",
                "pass",
                format!(
                    "reading \"{}\" = {} {} is out of tolerance",
                    r.quantity, r.value, r.unit
                ),
            )
            .because(ProblemId::OutOfTolerance)
            .with_text("quantity", &r.quantity)
            .with_text("value", r.value)
            .with_text("unit", &r.unit));
        }
    }
    if let Some(rate) = &w.labour_rate {
        rate.validate().map_err(|e| e.within("labour_rate"))?;
        if rate.amount.is_sign_negative() && !rate.amount.is_zero() {
            return Err(ValidationError::new(
                "labour_rate.amount",
                rate.amount,
                "must not be negative",
            )
            .because(ProblemId::Negative));
        }
    }
    Ok(())
}

/// The labour cost of an order: the stated cost, else hours × hourly rate, else none.
/// `None` also when the product overflows (never a panic on stored figures).
pub fn labour_cost(w: &WorkOrder) -> Option<Money> {
    if let Some(cost) = &w.labour_cost {
        return Some(cost.clone());
    }
    let (hours, rate) = (w.labour_hours?, w.labour_rate.as_ref()?);
    let mut m = rate.clone();
    m.amount = hours.checked_mul(rate.amount)?;
    Some(m)
}

/// Response and repair times summed over work orders; add them to aggregate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ResponseSums {
    /// Corrective orders requested in the period that have an acknowledgement time.
    pub acknowledged: u64,
    pub to_acknowledge_secs: i64,
    /// Corrective orders requested in the period that have a start time.
    pub started: u64,
    pub to_start_secs: i64,
    /// Done corrective orders finished in the period with a start time.
    pub repairs: u64,
    /// Their hands-on time, start to finish.
    pub repair_work_secs: i64,
}

impl ResponseSums {
    pub fn add(&mut self, o: &ResponseSums) {
        self.acknowledged += o.acknowledged;
        self.to_acknowledge_secs += o.to_acknowledge_secs;
        self.started += o.started;
        self.to_start_secs += o.to_start_secs;
        self.repairs += o.repairs;
        self.repair_work_secs += o.repair_work_secs;
    }

    /// Adds one order. A response belongs to the period its request falls in, a repair to the
    /// period it finished in (as MTTR counts restorations where they end).
    pub fn count(&mut self, w: &WorkOrder, from: NaiveDateTime, to: NaiveDateTime) {
        if w.kind != WorkOrderKind::Corrective {
            return;
        }
        if w.opened >= from && w.opened < to {
            if let Some(a) = w.acknowledged {
                self.acknowledged += 1;
                self.to_acknowledge_secs += (a - w.opened).num_seconds();
            }
            if let Some(s) = w.started {
                self.started += 1;
                self.to_start_secs += (s - w.opened).num_seconds();
            }
        }
        if w.status == WorkOrderStatus::Done
            && let (Some(s), Some(c)) = (w.started, w.closed)
            && c >= from
            && c < to
        {
            self.repairs += 1;
            self.repair_work_secs += (c - s).num_seconds();
        }
    }

    /// Mean hours from request to acknowledgement, to start, and of hands-on repair.
    pub fn means(&self) -> ResponseTimes {
        let mean = |secs: i64, n: u64| {
            (n > 0)
                .then(|| (Decimal::from(secs) / Decimal::from(n) / Decimal::from(3600)).round_dp(2))
        };
        ResponseTimes {
            mean_hours_to_acknowledge: mean(self.to_acknowledge_secs, self.acknowledged),
            mean_hours_to_start: mean(self.to_start_secs, self.started),
            mean_repair_hours: mean(self.repair_work_secs, self.repairs),
        }
    }
}

/// Means in hours; empty when no order counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ResponseTimes {
    pub mean_hours_to_acknowledge: Option<Decimal>,
    pub mean_hours_to_start: Option<Decimal>,
    pub mean_repair_hours: Option<Decimal>,
}
