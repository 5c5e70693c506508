//! `aidtrace energy survey FACILITY` (the load survey by tier) and `aidtrace energy instance
//! --from-db --version 2` (a MODEL-v2 instance from the store). Thin: flags to options, the
//! service builds, this prints.

use crate::error::service_error;
use std::path::PathBuf;

use aidtrace_domain::CountryCode;
use aidtrace_service::energy::parse_unit;
use aidtrace_service::energy_survey::{Survey, SurveyOptions, survey};
use aidtrace_service::energy_v2::{SeasonSpec, V2Options, instance_v2};
use rust_decimal::Decimal;

use crate::config::Settings;
use crate::error::{CliError, CliResult, Outcome};
use crate::output::{Format, out, print_csv, print_json, print_table};

#[derive(Debug, clap::Args)]
pub struct SurveyArgs {
    /// Facility id in the store
    facility: String,
    /// kW per kVA of the backup rating (default 0.8)
    #[arg(long, default_value = "0.8")]
    power_factor: Decimal,
    /// Read asset states at this UTC time (YYYY-MM-DDTHH:MM:SS; default now)
    #[arg(long)]
    at: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Debug, clap::Args)]
pub struct InstanceArgs {
    /// Build the instance from the store (the only source so far)
    #[arg(long, required = true)]
    from_db: bool,
    /// Model version; 2 is MODEL-v2.md (regions, tiers, derated sets)
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(2..=2))]
    version: u32,
    /// Season JSON: {"fleet": [...], "regions": {"UA-63": {outage_h_per_day?, fuel_l_per_day?,
    /// install_units?}}, "weights"?, "horizon_days"?, "derate"?, "power_factor"?, "min_loading"?,
    /// "max_units_per_facility"?, "tier_weights"?, "fuel_l_per_kwh"?}
    #[arg(long)]
    season: Option<PathBuf>,
    /// A donated model as MODEL:KW:COUNT, e.g. G100:100:12 (repeatable)
    #[arg(long = "unit", value_name = "MODEL:KW:COUNT")]
    units: Vec<String>,
    /// Litres of fuel deliverable per day to each region the season file does not give
    #[arg(long)]
    fuel_l_per_day: Option<f64>,
    /// Units installable in each region the season file does not give
    #[arg(long)]
    install_units: Option<u32>,
    /// Only facilities of this country (ISO 3166-1 alpha-2, e.g. UA)
    #[arg(long)]
    country: Option<String>,
    /// Leave facilities with unknown loads or backup out (listed on stderr) instead of refusing
    #[arg(long)]
    skip_unknown: bool,
    /// Read asset states at this UTC time (YYYY-MM-DDTHH:MM:SS; default now)
    #[arg(long)]
    at: Option<String>,
}

fn at_of(raw: Option<&str>) -> Result<chrono::NaiveDateTime, CliError> {
    match raw {
        Some(raw) => chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S")
            .map_err(|e| CliError::input(format!("--at {raw:?}: {e} (YYYY-MM-DDTHH:MM:SS)"))),
        None => Ok(chrono::Utc::now().naive_utc()),
    }
}

fn ledger(settings: &Settings) -> Result<aidtrace_domain::Ledger, CliError> {
    if settings.db.is_missing_file() {
        return Err(CliError::input(format!(
            "--db {}: no such store (create it with `aidtrace demo` or `ledger load`)",
            &settings.db
        )));
    }
    aidtrace_service::Aidtrace::open(&settings.db)
        .and_then(|a| a.ledger())
        .map_err(service_error)
}

/// A figure or the word `unknown`, never a blank or a 0 standing in for one.
fn fig(v: Option<Decimal>) -> String {
    v.map_or_else(|| "unknown".to_string(), |d| d.normalize().to_string())
}

const SURVEY_HEADER: [&str; 9] = [
    "tier",
    "origin",
    "item",
    "what",
    "tier_basis",
    "average_kw",
    "peak_kw",
    "kva",
    "starting_kva",
];

fn survey_rows(s: &Survey) -> Vec<Vec<String>> {
    s.lines
        .iter()
        .map(|l| {
            vec![
                l.tier.as_str().to_string(),
                name(&l.origin),
                l.item.clone(),
                l.what.clone(),
                name(&l.tier_basis),
                fig(l.average_kw),
                fig(l.peak_kw),
                fig(l.kva),
                fig(l.starting_kva),
            ]
        })
        .collect()
}

/// The serde name of one of the survey's small enums, for table and CSV cells.
fn name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

pub fn run_survey(a: SurveyArgs, settings: &Settings) -> CliResult {
    let at = at_of(a.at.as_deref())?;
    let l = ledger(settings)?;
    let s = survey(
        &l,
        &a.facility,
        SurveyOptions {
            power_factor: a.power_factor,
            ..SurveyOptions::new(at)
        },
    )
    .map_err(service_error)?;
    match a.format {
        Format::Json => print_json(&s)?,
        Format::Csv => print_csv(&SURVEY_HEADER, &survey_rows(&s))?,
        Format::Table => {
            out(&format!("{} ({}), {}", s.name, s.facility, s.region));
            if let Some(n) = &s.illustrative {
                out(&format!("ILLUSTRATIVE: {n}"));
            }
            print_table(&SURVEY_HEADER, &survey_rows(&s));
            let tiers: Vec<Vec<String>> = s
                .tiers
                .iter()
                .map(|t| {
                    vec![
                        t.tier.as_str().to_string(),
                        t.lines.to_string(),
                        t.known_average_kw.normalize().to_string(),
                        t.unknown.to_string(),
                        t.coverage.as_str().to_string(),
                        t.short_kw
                            .map(|k| k.normalize().to_string())
                            .unwrap_or_default(),
                    ]
                })
                .collect();
            print_table(
                &[
                    "tier",
                    "loads",
                    "known_average_kw",
                    "unknown",
                    "coverage_through_tier",
                    "short_kw",
                ],
                &tiers,
            );
            out(&format!(
                "backup: {} kVA, condition {}, usable {} kW (kVA × power factor {} × derate {}, MODEL-v2's derating, as `energy autonomy` and the planners count it); outage {} h/day; largest step {} kVA{}",
                fig(s.backup_kva),
                s.backup_condition.map_or("not recorded", |c| c.as_str()),
                fig(s.usable_backup_kw),
                s.power_factor.normalize(),
                s.derate.normalize(),
                fig(s.outage_h_per_day),
                fig(s.largest_step_kva),
                if s.step_unknown > 0 {
                    format!(" (at least: {} load(s) state no kVA)", s.step_unknown)
                } else {
                    String::new()
                }
            ));
        }
    }
    // Unknown loads are findings a user must act on, as `check` reports problems.
    Ok(if s.unknown_lines().next().is_some() || !s.surveyed {
        Outcome::ProblemsFound
    } else {
        Outcome::Clean
    })
}

pub fn run_instance(a: InstanceArgs, settings: &Settings) -> CliResult {
    let at = at_of(a.at.as_deref())?;
    let mut spec = match &a.season {
        Some(p) => {
            let bytes = std::fs::read(p)
                .map_err(|e| CliError::input(format!("cannot read {}: {e}", p.display())))?;
            SeasonSpec::from_json_slice(&bytes)
                .map_err(|e| CliError::input(format!("{}: {e}", p.display())))?
        }
        None => SeasonSpec::default(),
    };
    for u in &a.units {
        spec.fleet.push(parse_unit(u).map_err(service_error)?);
    }
    let country = a
        .country
        .as_deref()
        .map(|c| {
            CountryCode::parse(c).map_err(|e| CliError::input(format!("--country {c:?}: {e}")))
        })
        .transpose()?;
    let l = ledger(settings)?;
    let built = instance_v2(
        &l,
        &V2Options {
            spec,
            fuel_l_per_day: a.fuel_l_per_day,
            install_units: a.install_units,
            country,
            skip_unknown: a.skip_unknown,
            survey: SurveyOptions::new(at),
            // Without units, the store's generator lines not yet recorded as assets.
            activity: None,
        },
    )
    .map_err(service_error)?;
    // On stderr, so that stdout stays exactly the instance JSON.
    {
        use std::io::Write;
        let mut err = std::io::stderr().lock();
        for l in &built.left_out {
            let _ = writeln!(
                err,
                "left out: {} ({}): {}",
                l.facility,
                l.name,
                l.reasons.join("; ")
            );
        }
        for n in &built.notes {
            let _ = writeln!(err, "note: {}", n.english());
        }
    }
    print_json(&built.instance)?;
    Ok(Outcome::Clean)
}
