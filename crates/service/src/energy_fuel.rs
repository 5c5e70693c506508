//! Fuel on site (issue 16): the tank size and the fuel on hand of a facility's backup, kept on
//! its `facility_power` record, and where the outage simulator's starting fuel comes from.
//! Without a recorded stock the fuel on site is **unknown**, never silently 0
//! (docs/energy.md, "Fuel on site").

use aidtrace_domain::assets::FacilityPower;
use aidtrace_domain::assets::load::FuelStock;
use aidtrace_domain::{Ledger, Record, RecordId, RecordKind};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use crate::energy_survey::Survey;
use crate::{Aidtrace, ServiceError, ServiceResult};

/// What to record; a figure left `None` keeps the recorded one.
#[derive(Debug, Clone, Default)]
pub struct FuelEntry {
    /// The supply record to write to; `None`: the facility's only one.
    pub record: Option<String>,
    pub tank_litres: Option<Decimal>,
    pub on_hand_litres: Option<Decimal>,
    pub as_of: Option<NaiveDate>,
}

/// Records the fuel stock on the facility's supply record (validated and audited by
/// [`Aidtrace::put`]); returns the record's id.
pub fn record_fuel(
    app: &mut Aidtrace,
    actor: &str,
    facility: &str,
    entry: &FuelEntry,
) -> ServiceResult<RecordId> {
    let updated = fuel_record(&app.ledger()?, facility, entry, app.now().date())?;
    let id = updated.id.clone();
    app.put(actor, vec![Record::FacilityPower(updated)])?;
    Ok(id)
}

/// The facility's supply records, in id order.
pub fn supply_records<'a>(ledger: &'a Ledger, facility: &RecordId) -> Vec<&'a FacilityPower> {
    ledger
        .facility_power
        .values()
        .filter(|p| &p.facility == facility)
        .collect()
}

/// Refuses, in a batch, a supply record whose fuel reading is dated after today (with the same
/// day of slack as [`fuel_record`]) unless it is stored so already: a records file must not
/// bring what the fuel page refuses.
pub fn check_fuel_dates(app: &Aidtrace, batch: &[Record]) -> ServiceResult<()> {
    let today = app.now().date();
    for p in batch.iter().filter_map(|r| match r {
        Record::FacilityPower(p) => Some(p),
        _ => None,
    }) {
        let as_of = p.fuel.as_ref().and_then(|f| f.as_of);
        let Some(ahead) = dated_ahead("fuel.as_of", as_of, today) else {
            continue;
        };
        let stored = app.store().get(RecordKind::FacilityPower, &p.id)?;
        let same = matches!(&stored, Some(Record::FacilityPower(old)) if old.fuel == p.fuel);
        if !same {
            return Err(ServiceError::invalid(
                format!("facility_power {}", p.id),
                ahead,
            ));
        }
    }
    Ok(())
}

/// The refusal of a fuel reading dated after `today`, under `field`. A day of slack: "today"
/// here is UTC's, and a reading of today in Almaty (UTC+5) is entered before UTC's day has
/// turned.
fn dated_ahead(
    field: &str,
    as_of: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<aidtrace_domain::ValidationError> {
    let as_of = as_of.filter(|d| *d > today.succ_opt().unwrap_or(today))?;
    Some(
        aidtrace_domain::ValidationError::new(
            field,
            as_of,
            format!("is after today ({today}): a reading is of fuel already on hand"),
        )
        .because(aidtrace_domain::error::ProblemId::DateInFuture)
        .with_text("today", today),
    )
}

/// The supply record with the entry's fuel figures, not yet written (the web writes it through
/// the write policy). The record must exist: a facility without one is refused, and so is a
/// reading dated after `today` (a reading is of fuel already in the tank: one dated next June
/// was taken as today's stock and raised a hospital's life-support autonomy from 247 to 354 h).
pub fn fuel_record(
    ledger: &Ledger,
    facility: &str,
    entry: &FuelEntry,
    today: NaiveDate,
) -> ServiceResult<FacilityPower> {
    if entry.tank_litres.is_none() && entry.on_hand_litres.is_none() && entry.as_of.is_none() {
        return Err(ServiceError::Parse(
            "fuel: give the tank size, the litres on hand with their date, or both".into(),
        ));
    }
    if let Some(ahead) = dated_ahead("as_of", entry.as_of, today) {
        return Err(ServiceError::invalid("facility_power", ahead));
    }
    let fid = RecordId::parse(facility)
        .map_err(|e| ServiceError::Parse(format!("facility {facility:?}: {e}")))?;
    if !ledger.facilities.contains_key(&fid) {
        return Err(ServiceError::NotFound(format!(
            "facility {facility:?} is not in the store"
        )));
    }
    let mine = supply_records(ledger, &fid);
    let power = match &entry.record {
        Some(r) => mine
            .iter()
            .find(|p| p.id.as_str() == r.as_str())
            .ok_or_else(|| {
                ServiceError::NotFound(format!(
                    "record {r:?}: no supply record of facility {facility:?} with this id"
                ))
            })?,
        None => match mine.as_slice() {
            [one] => one,
            [] => {
                return Err(ServiceError::NotFound(format!(
                    "facility {facility:?} has no supply record (facility_power): record its \
                     connection (phases, voltage) first, then its fuel"
                )));
            }
            many => {
                let ids: Vec<&str> = many.iter().map(|p| p.id.as_str()).collect();
                return Err(ServiceError::Parse(format!(
                    "facility {facility:?} has {} supply records ({}): name one with record",
                    many.len(),
                    ids.join(", ")
                )));
            }
        },
    };
    let mut updated = (*power).clone();
    let old = updated.fuel.clone().unwrap_or(FuelStock {
        tank_litres: None,
        on_hand_litres: None,
        as_of: None,
    });
    // A new reading replaces the old reading as a whole (litres and date together).
    let (on_hand_litres, as_of) = if entry.on_hand_litres.is_some() || entry.as_of.is_some() {
        (entry.on_hand_litres, entry.as_of)
    } else {
        (old.on_hand_litres, old.as_of)
    };
    updated.fuel = Some(FuelStock {
        tank_litres: entry.tank_litres.or(old.tank_litres),
        on_hand_litres,
        as_of,
    });
    Ok(updated)
}

/// A fuel reading older than this many days is warned about wherever it is used as today's
/// stock (`energy autonomy FACILITY`, the autonomy beside a version 2 plan).
pub const STALE_AFTER_DAYS: i64 = 30;

/// A recorded fuel reading older than [`STALE_AFTER_DAYS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaleReading {
    pub as_of: NaiveDate,
    pub age_days: i64,
    pub limit_days: i64,
}

impl StaleReading {
    pub fn english(&self) -> String {
        format!(
            "the fuel reading is {} days old (measured {}; older than {} days): consumption since then is not deducted, so the fuel on site today may be much less than the figure used; record a new reading (`aidtrace energy fuel`) or give --fuel-litres",
            self.age_days, self.as_of, self.limit_days
        )
    }
}

/// The fuel a simulation of this facility starts with, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "id", rename_all = "snake_case")]
pub enum FuelOnSite {
    /// Given on the command line or the form.
    Given { litres: f64 },
    /// The facility's recorded stock.
    Recorded { litres: f64, as_of: NaiveDate },
    /// Nothing recorded and nothing given: unknown (the simulation runs on 0 L, so hours that
    /// end for lack of fuel are not shown as a figure).
    Unknown,
}

impl FuelOnSite {
    /// Given beats recorded; neither is unknown.
    pub fn of(given: Option<f64>, s: &Survey) -> Self {
        match (given, s.fuel_on_hand_litres, s.fuel_as_of) {
            (Some(litres), _, _) => Self::Given { litres },
            (None, Some(l), Some(as_of)) => Self::Recorded {
                litres: l.to_f64().unwrap_or(0.0),
                as_of,
            },
            _ => Self::Unknown,
        }
    }

    /// Litres the simulation starts with (0 when unknown).
    pub fn litres(&self) -> f64 {
        match self {
            Self::Given { litres } | Self::Recorded { litres, .. } => *litres,
            Self::Unknown => 0.0,
        }
    }

    pub fn is_known(&self) -> bool {
        !matches!(self, Self::Unknown)
    }

    /// A recorded reading older than [`STALE_AFTER_DAYS`] on `today`: its date and age in days.
    /// Consumption since the reading is not deducted, so such a stock may be far less today.
    pub fn stale(&self, today: NaiveDate) -> Option<StaleReading> {
        match self {
            Self::Recorded { as_of, .. } => {
                let age_days = (today - *as_of).num_days();
                (age_days > STALE_AFTER_DAYS).then_some(StaleReading {
                    as_of: *as_of,
                    age_days,
                    limit_days: STALE_AFTER_DAYS,
                })
            }
            _ => None,
        }
    }

    pub fn english(&self) -> String {
        match self {
            Self::Given { litres } => format!("{litres:.0} L, given"),
            Self::Recorded { litres, as_of } => {
                format!("{litres:.0} L on hand on {as_of}, as recorded")
            }
            Self::Unknown => "fuel on site unknown (no stock recorded, none given)".into(),
        }
    }
}
