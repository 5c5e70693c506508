//! PM compliance split by risk class (issue #17 item 3: "PM compliance on time, late, missed,
//! split by risk class"). A programme looks at the high-risk classes first (life support and
//! class III devices are where a missed inspection harms a patient), so the split is shown beside
//! the fleet figure rather than only the one percentage.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use super::RiskClass;
use super::kpi::Sums;

/// Due dates in the period and how they stand at its end.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PmCounts {
    pub due: u64,
    pub on_time: u64,
    pub late: u64,
    pub missed: u64,
}

impl PmCounts {
    pub fn add(&mut self, o: &PmCounts) {
        self.due += o.due;
        self.on_time += o.on_time;
        self.late += o.late;
        self.missed += o.missed;
    }

    pub fn compliance(&self) -> PmCompliance {
        PmCompliance {
            due: self.due,
            on_time: self.on_time,
            late: self.late,
            missed: self.missed,
            completion_pct: (self.due > 0).then(|| {
                (Decimal::from(self.on_time) * Decimal::ONE_HUNDRED / Decimal::from(self.due))
                    .round_dp(2)
            }),
        }
    }
}

/// [`PmCounts`] with on-time completion % = on time / due × 100 (the fleet's `pm_completion_pct`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PmCompliance {
    pub due: u64,
    pub on_time: u64,
    pub late: u64,
    pub missed: u64,
    pub completion_pct: Option<Decimal>,
}

/// One asset's PM counts under its model's risk class (`unknown` when the model has none); empty
/// when nothing fell due.
pub fn by_risk(risk: Option<RiskClass>, s: &Sums) -> BTreeMap<String, PmCounts> {
    let mut out = BTreeMap::new();
    if s.pm_due > 0 {
        out.insert(
            risk.map_or("unknown", RiskClass::code).to_string(),
            PmCounts {
                due: s.pm_due,
                on_time: s.pm_on_time,
                late: s.pm_late,
                missed: s.pm_missed,
            },
        );
    }
    out
}
