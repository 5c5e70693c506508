//! The planner's reasons (`aidtrace_energy::v2::Reason`: why a facility got what it got, why
//! units stay in the depot) in the reader's language: one Fluent message per id, its figures
//! in the reader's number format. Results from files without the id fall back to the English
//! sentence the planner stored.

use aidtrace_service::energy::aidtrace_energy::v2::{Binding, Reason};

use crate::i18n::{self, t, ta};

/// A figure rounded to `dp` places in the reader's number format.
pub(crate) fn num(x: f64, dp: u32) -> String {
    rust_decimal::Decimal::from_f64_retain(x)
        .map(|d| i18n::number(d.round_dp(dp)))
        .unwrap_or_else(|| x.to_string())
}

/// A binding kind's label (the depot table's column uses the same keys).
pub fn binding(b: Binding) -> String {
    t(&format!("energy2-binding-{}", b.key()))
}

/// The reason as the reader's language says it; `fallback` where there is no id.
pub fn text(why: Option<&Reason>, fallback: &str) -> String {
    let Some(r) = why else {
        return fallback.to_string();
    };
    match r {
        Reason::CoveredByOwnBackup => t("energy2-why-covered-own"),
        Reason::Covered => t("energy2-why-covered"),
        Reason::NoValue {
            region,
            outage_h_per_day,
            weight,
        } => ta(
            "energy2-why-no-value",
            &[
                ("region", region),
                ("hours", &num(*outage_h_per_day, 1)),
                ("weight", &num(*weight, 2)),
            ],
        ),
        Reason::FuelFirst {
            carried_kw,
            region,
            fuel_l_per_day,
            weight_above,
        } => ta(
            "energy2-why-fuel-first",
            &[
                ("kw", &num(*carried_kw, 1)),
                ("region", region),
                ("litres", &num(*fuel_l_per_day, 0)),
                ("weight", &num(*weight_above, 2)),
            ],
        ),
        Reason::NoModelStartsStep {
            step_kva,
            largest_kva,
        } => ta(
            "energy2-why-no-step-model",
            &[
                ("step", &num(*step_kva, 1)),
                ("largest", &num(*largest_kva, 0)),
            ],
        ),
        Reason::BelowMinLoading {
            step_kva,
            min_loading_percent,
            load_kw,
        } => ta(
            "energy2-why-below-min-loading",
            &[
                ("step", &num(*step_kva, 1)),
                ("percent", &num(*min_loading_percent, 0)),
                ("kw", &num(*load_kw, 1)),
            ],
        ),
        Reason::FleetPlaced => t("energy2-why-fleet-placed"),
        Reason::FacilityCap { max_units } => ta(
            "energy2-why-facility-cap",
            &[("units", &max_units.to_string())],
        ),
        Reason::InstallationUsed {
            region,
            install_units,
        } => ta(
            "energy2-why-installation",
            &[("region", region), ("units", &install_units.to_string())],
        ),
        Reason::FuelSpent {
            region,
            fuel_l_per_day,
        } => ta(
            "energy2-why-fuel-spent",
            &[("region", region), ("litres", &num(*fuel_l_per_day, 0))],
        ),
        Reason::FuelCannotRun {
            region,
            fuel_l_per_day,
        } => ta(
            "energy2-why-fuel-cannot-run",
            &[("region", region), ("litres", &num(*fuel_l_per_day, 0))],
        ),
        Reason::FreeUnitReplan => t("energy2-why-replan"),
        Reason::DepotZeroKw => {
            format!("{}: {}", binding(Binding::ZeroKw), t("energy2-why-zero-kw"))
        }
        Reason::DepotEligibility {
            kva,
            step_facilities,
            min_loading_percent,
            prime_kw,
            light_facilities,
        } => format!(
            "{}: {}",
            binding(Binding::Eligibility),
            ta(
                "energy2-why-depot-eligibility",
                &[
                    ("kva", &num(*kva, 0)),
                    ("step", &step_facilities.to_string()),
                    ("percent", &num(*min_loading_percent, 0)),
                    ("kw", &num(*prime_kw, 0)),
                    ("light", &light_facilities.to_string()),
                ],
            )
        ),
        Reason::DepotBlocked {
            main,
            by,
            ineligible,
        } => {
            let mut parts: Vec<String> = by
                .iter()
                .map(|b| {
                    let at = ta(
                        "energy2-why-blocked-at",
                        &[
                            ("binding", &binding(b.binding)),
                            ("count", &b.facilities.to_string()),
                        ],
                    );
                    if b.regions.is_empty() {
                        at
                    } else {
                        format!(
                            "{at} ({})",
                            ta("energy2-why-regions", &[("regions", &b.regions.join(", "))])
                        )
                    }
                })
                .collect();
            if *ineligible > 0 {
                parts.push(ta(
                    "energy2-why-ineligible",
                    &[("count", &ineligible.to_string())],
                ));
            }
            format!(
                "{}; {}: {}",
                binding(*main),
                t("energy2-why-facilities"),
                parts.join(", ")
            )
        }
    }
}

/// A facility's reason with the note on a backup that needs repair.
pub fn facility_text(
    e: &aidtrace_service::energy::aidtrace_energy::v2::FacilityExplanationV2,
) -> String {
    let mut s = text(e.why.as_ref(), &e.reason);
    if e.why.is_some() && e.backup_needs_repair {
        s.push_str("; ");
        s.push_str(&t("energy2-why-backup-repair"));
    }
    s
}
