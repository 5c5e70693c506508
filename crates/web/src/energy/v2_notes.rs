//! A store-built plan's notes, the reasons a facility is left out, the fuel each facility's
//! autonomy starts with and the logistics assumptions, in the reader's language: one Fluent
//! message per id (`energy2-note-*`, `energy2-left-*`, `energy2-fuel-basis-*`,
//! `energy2-assume-*`, `energy2-limit-*`), figures in the reader's number format. Plans read from files without
//! the ids fall back to the English sentence stored beside them.

use aidtrace_service::energy::aidtrace_energy::autonomy::Limit;
use aidtrace_service::energy::aidtrace_energy::sim::assess::TierHours;
use aidtrace_service::energy::aidtrace_energy::v2::LogisticsAssumption;
use aidtrace_service::energy_notes::{FuelBasis, LeftOutReason, PlanNote};
use aidtrace_service::energy_plan_v2::{FacilityAutonomy, StorePlanV2};
use aidtrace_service::energy_v2::LeftOut;

use crate::energy::v2_reasons::num;
use crate::i18n::{self, t, ta};

fn note(n: &PlanNote) -> String {
    match n {
        PlanNote::LineNoQuantity { line, model } => ta(
            "energy2-note-line-no-quantity",
            &[("line", line), ("model", model)],
        ),
        PlanNote::LineAllRecorded {
            line,
            model,
            quantity,
        } => ta(
            "energy2-note-line-all-recorded",
            &[
                ("line", line),
                ("model", model),
                ("quantity", &quantity.to_string()),
            ],
        ),
        PlanNote::LineSomeRecorded {
            line,
            model,
            done,
            quantity,
            left,
        } => ta(
            "energy2-note-line-some-recorded",
            &[
                ("line", line),
                ("model", model),
                ("done", &done.to_string()),
                ("quantity", &quantity.to_string()),
                ("left", &left.to_string()),
            ],
        ),
        // The line's own note is data, shown as entered.
        PlanNote::LineIllustrative { line, model, why } => ta(
            "energy2-note-line-illustrative",
            &[("line", line), ("model", model), ("why", why)],
        ),
        PlanNote::StepLowerBound { facility, unknown } => ta(
            "energy2-note-step-lower-bound",
            &[("facility", facility), ("count", &unknown.to_string())],
        ),
        PlanNote::BackupConditionAssumed { facility } => {
            ta("energy2-note-backup-condition", &[("facility", facility)])
        }
        PlanNote::OutageWhatIf { hours } => {
            ta("energy2-note-outage-what-if", &[("hours", &num(*hours, 1))])
        }
        PlanNote::ChangeoverBridged => t("energy2-note-changeover"),
        PlanNote::UnitsDerated { derate } => {
            ta("energy2-note-derated", &[("derate", &num(*derate, 2))])
        }
    }
}

/// The plan's notes; the English ones where the plan has no ids (read from an older file).
pub fn notes(p: &StorePlanV2) -> Vec<String> {
    if p.note_ids.len() == p.notes.len() {
        p.note_ids.iter().map(note).collect()
    } else {
        p.notes.clone()
    }
}

fn left_reason(r: &LeftOutReason) -> String {
    match r {
        LeftOutReason::Status { status } => {
            ta("energy2-left-status", &[("status", &i18n::value(status))])
        }
        LeftOutReason::NoSurvey => t("energy2-left-no-survey"),
        LeftOutReason::UnknownLoad {
            tier,
            building,
            item,
            what,
        } => ta(
            if *building {
                "energy2-left-unknown-building"
            } else {
                "energy2-left-unknown-asset"
            },
            &[
                ("tier", &i18n::value(tier.as_str())),
                // A building load's item is its kind, a stored value with a label.
                (
                    "item",
                    &if *building {
                        i18n::value(item)
                    } else {
                        item.clone()
                    },
                ),
                ("what", what),
            ],
        ),
        LeftOutReason::BackupUnknown => t("energy2-left-backup-unknown"),
        LeftOutReason::StepUnknown => t("energy2-left-step-unknown"),
    }
}

/// Why a facility is not in the plan, joined.
pub fn left_out(l: &LeftOut) -> String {
    if l.why.len() == l.reasons.len() {
        let parts: Vec<String> = l.why.iter().map(left_reason).collect();
        parts.join("; ")
    } else {
        l.reasons.join("; ")
    }
}

/// Where the fuel a facility's autonomy starts with comes from.
/// A stored ISO day in the reader's date format.
fn day(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d").map_or_else(|_| iso.to_string(), i18n::date)
}

/// A warning when the recorded reading `as_of` is older than
/// `energy_fuel::STALE_AFTER_DAYS` today (its consumption since is not deducted), else nothing.
fn stale(as_of: &str) -> String {
    let Ok(d) = chrono::NaiveDate::parse_from_str(as_of, "%Y-%m-%d") else {
        return String::new();
    };
    let stock = aidtrace_service::energy_fuel::FuelOnSite::Recorded {
        litres: 0.0,
        as_of: d,
    };
    stock
        .stale(chrono::Utc::now().date_naive())
        .map_or_else(String::new, |st| {
            format!(
                " — {}",
                ta(
                    "energy2-fuel-stale",
                    &[
                        ("age", &st.age_days.to_string()),
                        ("date", &day(as_of)),
                        ("limit", &st.limit_days.to_string()),
                    ],
                )
            )
        })
}

pub fn fuel_basis(a: &FacilityAutonomy) -> String {
    let recorded = match &a.fuel_basis_why {
        Some(FuelBasis::Recorded { as_of, .. } | FuelBasis::RecordedAndDelivery { as_of, .. }) => {
            stale(as_of)
        }
        _ => String::new(),
    };
    let basis = match &a.fuel_basis_why {
        Some(FuelBasis::Given) => t("energy2-fuel-basis-given"),
        Some(FuelBasis::OneDelivery {
            litres_per_day,
            resupply_days,
        }) => ta(
            "energy2-fuel-basis-delivery-only",
            &[
                ("litres", &num(*litres_per_day, 0)),
                ("days", &num(*resupply_days, 1)),
            ],
        ),
        Some(FuelBasis::NoUnits) => t("energy2-fuel-basis-unknown"),
        Some(FuelBasis::Recorded { litres, as_of }) => ta(
            "energy2-fuel-basis-recorded",
            &[("litres", &num(*litres, 0)), ("date", &day(as_of))],
        ),
        Some(FuelBasis::RecordedAndDelivery {
            recorded_litres,
            as_of,
            litres_per_day,
            resupply_days,
        }) => ta(
            "energy2-fuel-basis-recorded-delivery",
            &[
                ("litres", &num(*recorded_litres, 0)),
                ("date", &day(as_of)),
                ("per_day", &num(*litres_per_day, 0)),
                ("days", &num(*resupply_days, 1)),
            ],
        ),
        None => a.fuel_basis.clone(),
    };
    basis + &recorded
}

fn assumption(a: &LogisticsAssumption) -> String {
    match a {
        LogisticsAssumption::LitresPerDay { l_per_kwh } => ta(
            "energy2-assume-litres-per-day",
            &[("slope", &num(*l_per_kwh, 3))],
        ),
        LogisticsAssumption::DonatedUnitsOnly => t("energy2-assume-donated-only"),
        LogisticsAssumption::Deliveries {
            reserve_percent,
            default_resupply_days,
        } => ta(
            "energy2-assume-deliveries",
            &[
                ("percent", &num(*reserve_percent, 0)),
                ("days", &num(*default_resupply_days, 1)),
            ],
        ),
        LogisticsAssumption::DailyRate => t("energy2-assume-daily-rate"),
        LogisticsAssumption::NoFuelPrice => t("energy2-assume-no-price"),
    }
}

/// The logistics assumptions; the English ones where the plan has no ids.
pub fn assumptions(p: &StorePlanV2) -> Vec<String> {
    let l = &p.logistics;
    if l.assumption_ids.len() == l.assumptions.len() {
        l.assumption_ids.iter().map(assumption).collect()
    } else {
        l.assumptions.clone()
    }
}

/// What ends a tier's autonomy; the English text where the plan has no id.
pub fn limit(h: &TierHours) -> String {
    match h.limit {
        Some(Limit::NoneWithinYear) => t("energy2-limit-none"),
        Some(Limit::Capacity {
            load_kw,
            generator_kw,
        }) => ta(
            "energy2-limit-capacity",
            &[("load", &num(load_kw, 1)), ("kw", &num(generator_kw, 1))],
        ),
        Some(Limit::BatteryEnergy) => t("energy2-limit-battery"),
        Some(Limit::Fuel) => t("energy2-limit-fuel"),
        None => h.limited_by.clone(),
    }
}
