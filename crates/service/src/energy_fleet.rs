//! The donated generator fleet as the store records it (issue 16): equipment lines of a donating
//! activity that carry a generator rating (prime kW or kVA, fuel) and a quantity. Units already
//! recorded as assets of a line (`funding.equipment_line`, as `energy commit-plan` writes them)
//! are installed, not in the depot, so only the rest of each line is planned. A line without a
//! quantity is never planned as 0 or 1 units: it is named in a note and left out.

use std::collections::BTreeMap;

use aidtrace_domain::model::{EquipmentLine, GeneratorFuel};
use aidtrace_domain::{Ledger, RecordId};
use aidtrace_energy::fuel::FuelType;
use aidtrace_energy::v2::ModelV2;
use rust_decimal::prelude::ToPrimitive;

use crate::energy_notes::PlanNote;
use crate::{ServiceError, ServiceResult};

/// The fleet of the store's generator lines, with the line each model comes from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LineFleet {
    pub models: Vec<ModelV2>,
    /// Model name → the equipment line it comes from, so recorded units name their line.
    pub lines: BTreeMap<String, RecordId>,
    /// Lines left out or partly planned and figures marked illustrative, for the reader.
    pub notes: Vec<PlanNote>,
}

fn fuel_of(f: GeneratorFuel) -> FuelType {
    match f {
        GeneratorFuel::Diesel => FuelType::Diesel,
        GeneratorFuel::Petrol => FuelType::Petrol,
    }
}

/// Units of `line` already recorded as assets.
pub fn committed_units(ledger: &Ledger, line: &RecordId) -> u32 {
    let n = ledger
        .assets
        .values()
        .filter(|a| a.funding.equipment_line.as_ref() == Some(line))
        .count();
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The generator lines of `activity` (every activity when `None`) still to be placed.
pub fn fleet_from_lines(ledger: &Ledger, activity: Option<&RecordId>) -> ServiceResult<LineFleet> {
    if let Some(a) = activity
        && !ledger.activities.contains_key(a)
    {
        return Err(ServiceError::Parse(format!(
            "activity = {a:?}: no such activity in the store"
        )));
    }
    let mut out = LineFleet::default();
    let lines: Vec<&EquipmentLine> = ledger
        .equipment_lines
        .values()
        .filter(|l| l.generator.is_some())
        .filter(|l| activity.is_none_or(|a| &l.activity == a))
        .collect();
    for line in lines {
        let Some(g) = &line.generator else { continue };
        let Some(quantity) = line.quantity else {
            out.notes.push(PlanNote::LineNoQuantity {
                line: line.id.to_string(),
                model: g.model.clone(),
            });
            continue;
        };
        let done = committed_units(ledger, &line.id);
        let left = quantity.saturating_sub(done);
        if left == 0 {
            out.notes.push(PlanNote::LineAllRecorded {
                line: line.id.to_string(),
                model: g.model.clone(),
                quantity,
            });
            continue;
        }
        if done > 0 {
            out.notes.push(PlanNote::LineSomeRecorded {
                line: line.id.to_string(),
                model: g.model.clone(),
                done,
                quantity,
                left,
            });
        }
        if let Some(why) = &g.illustrative {
            out.notes.push(PlanNote::LineIllustrative {
                line: line.id.to_string(),
                model: g.model.clone(),
                why: why.clone(),
            });
        }
        if let Some(other) = out.lines.get(&g.model) {
            return Err(ServiceError::Parse(format!(
                "equipment line {}: generator.model = {:?}: the same name as line {other}; give each line its own model name",
                line.id, g.model
            )));
        }
        out.lines.insert(g.model.clone(), line.id.clone());
        out.models.push(ModelV2 {
            model: g.model.clone(),
            prime_kw: g.prime_kw.and_then(|d| d.to_f64()),
            prime_kva: g.prime_kva.and_then(|d| d.to_f64()),
            count: left,
            idle_l_per_h: None,
            fuel: fuel_of(g.fuel),
        });
    }
    Ok(out)
}
