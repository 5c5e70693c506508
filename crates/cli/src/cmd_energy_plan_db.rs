//! `aidtrace energy plan --from-db --version 2`: the MODEL-v2 plan over the store's facilities
//! with why each facility got what it got, the fuel logistics and each planned facility's
//! autonomy with its units (service `energy_plan_v2`). Thin: flags to a request, print.

use crate::error::service_error;
use std::path::PathBuf;
use std::time::Duration;

use aidtrace_domain::CountryCode;
use aidtrace_service::energy::parse_unit;
use aidtrace_service::energy_plan_v2::{PlanRequest, StorePlanV2, plan_from_store};
use aidtrace_service::energy_survey::SurveyOptions;
use aidtrace_service::energy_v2::{SeasonSpec, V2Options};

use crate::error::{CliError, CliResult, Outcome};
use crate::output::{Format, out, print_json, print_table};

/// `energy commit-plan PLAN.json --activity ACT --source SRC`.
#[derive(Debug, clap::Args)]
pub struct CommitArgs {
    /// The JSON of `energy plan --from-db --version 2 --format json`
    plan: PathBuf,
    /// The donating activity the units become assets of
    #[arg(long)]
    activity: String,
    /// The source record that states the donation
    #[arg(long)]
    source: String,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

pub fn run_commit(a: CommitArgs, settings: &crate::config::Settings) -> CliResult {
    let bytes = std::fs::read(&a.plan)
        .map_err(|e| CliError::input(format!("cannot read {}: {e}", a.plan.display())))?;
    let plan = StorePlanV2::from_json_slice(&bytes)
        .map_err(|e| CliError::input(format!("{}: {e}", a.plan.display())))?;
    if settings.db.is_missing_file() {
        return Err(CliError::input(format!(
            "--db {}: no such store (create it with `aidtrace demo` or `ledger load`)",
            &settings.db
        )));
    }
    let mut app = aidtrace_service::Aidtrace::open(&settings.db).map_err(service_error)?;
    let r = aidtrace_service::energy_commit::commit_plan(
        &mut app,
        settings.actor.as_str(),
        &plan,
        &a.activity,
        &a.source,
    )
    .map_err(service_error)?;
    match a.format {
        Format::Json => print_json(&r)?,
        _ => {
            for id in &r.catalogue {
                out(&format!("written: {id}"));
            }
            for id in &r.written {
                out(&format!("written: {id}"));
            }
            out(&format!(
                "{} asset(s) written, {} already recorded and left as they are",
                r.written.len(),
                r.kept.len()
            ));
        }
    }
    Ok(Outcome::Clean)
}

/// Flags of `plan --from-db --version 2` beyond the store flags it shares with version 1.
#[derive(Debug, clap::Args)]
pub struct V2Flags {
    /// Version 2: season JSON (fleet, regions' fuel and installation figures, weights; see
    /// `energy instance --help`)
    #[arg(long)]
    pub season: Option<PathBuf>,
    /// Version 2: litres of fuel deliverable per day to each region the season file does not give
    #[arg(long)]
    pub fuel_l_per_day: Option<f64>,
    /// Version 2: units installable in each region the season file does not give
    #[arg(long)]
    pub install_units: Option<u32>,
    /// Version 2: only facilities of this country (ISO 3166-1 alpha-2, e.g. UA)
    #[arg(long)]
    pub country: Option<String>,
    /// Version 2: leave facilities with unknown loads out (listed) instead of refusing
    #[arg(long)]
    pub skip_unknown: bool,
    /// Version 2: fuel price, € per litre delivered (costs are left out without it)
    #[arg(long)]
    pub fuel_price: Option<f64>,
    /// Version 2 what-if: outage hours per day in every region
    #[arg(long)]
    pub outage_h_per_day: Option<f64>,
    /// Version 2: litres on site at each facility when an outage starts, for its autonomy
    /// (default: its recorded stock (`energy fuel`) plus one delivery of the logistics plan;
    /// unknown where neither)
    #[arg(long)]
    pub fuel_on_site: Option<f64>,
    /// Version 2: plan the generator equipment lines of this donating activity (default with
    /// no --unit: every generator line whose sets are not yet recorded as assets)
    #[arg(long = "activity")]
    pub fleet_activity: Option<String>,
}

impl V2Flags {
    /// The first version 2 flag given, to refuse it on a version 1 plan.
    pub fn first_given(&self) -> Option<&'static str> {
        [
            (self.season.is_some(), "--season"),
            (self.fuel_l_per_day.is_some(), "--fuel-l-per-day"),
            (self.install_units.is_some(), "--install-units"),
            (self.country.is_some(), "--country"),
            (self.skip_unknown, "--skip-unknown"),
            (self.fuel_price.is_some(), "--fuel-price"),
            (self.outage_h_per_day.is_some(), "--outage-h-per-day"),
            (self.fuel_on_site.is_some(), "--fuel-on-site"),
            (self.fleet_activity.is_some(), "--activity"),
        ]
        .into_iter()
        .find_map(|(given, name)| given.then_some(name))
    }
}

/// What the version 1 store flags give to version 2.
pub struct Shared<'a> {
    pub units: &'a [String],
    pub at: Option<&'a str>,
    pub save_instance: Option<&'a PathBuf>,
    pub time_limit: Duration,
    pub seed: u64,
}

pub fn run(
    settings: &crate::config::Settings,
    shared: Shared<'_>,
    f: &V2Flags,
    format: Format,
) -> CliResult {
    let at = match shared.at {
        Some(raw) => chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S")
            .map_err(|e| CliError::input(format!("--at {raw:?}: {e} (YYYY-MM-DDTHH:MM:SS)")))?,
        None => chrono::Utc::now().naive_utc(),
    };
    let mut spec = match &f.season {
        Some(p) => {
            let bytes = std::fs::read(p)
                .map_err(|e| CliError::input(format!("cannot read {}: {e}", p.display())))?;
            SeasonSpec::from_json_slice(&bytes)
                .map_err(|e| CliError::input(format!("{}: {e}", p.display())))?
        }
        None => SeasonSpec::default(),
    };
    for u in shared.units {
        spec.fleet.push(parse_unit(u).map_err(service_error)?);
    }
    // Without units, the fleet is the store's generator equipment lines (service `energy_fleet`).
    let activity = f
        .fleet_activity
        .as_deref()
        .map(|a| {
            aidtrace_domain::RecordId::parse(a)
                .map_err(|e| CliError::input(format!("--activity {a:?}: {e}")))
        })
        .transpose()?;
    let country = f
        .country
        .as_deref()
        .map(|c| {
            CountryCode::parse(c).map_err(|e| CliError::input(format!("--country {c:?}: {e}")))
        })
        .transpose()?;
    if settings.db.is_missing_file() {
        return Err(CliError::input(format!(
            "--db {}: no such store (create it with `aidtrace demo` or `ledger load`)",
            &settings.db
        )));
    }
    let ledger = aidtrace_service::Aidtrace::open(&settings.db)
        .and_then(|a| a.ledger())
        .map_err(service_error)?;
    let p = plan_from_store(
        &ledger,
        &PlanRequest {
            build: V2Options {
                spec,
                fuel_l_per_day: f.fuel_l_per_day,
                install_units: f.install_units,
                country,
                skip_unknown: f.skip_unknown,
                survey: SurveyOptions::new(at),
                activity,
            },
            fuel_price_eur_per_l: f.fuel_price,
            outage_h_per_day: f.outage_h_per_day,
            fuel_on_site_l: f.fuel_on_site,
            time_limit: shared.time_limit,
            seed: shared.seed,
        },
    )
    .map_err(service_error)?;
    if let Some(path) = shared.save_instance {
        let text = serde_json::to_string_pretty(&p.instance)
            .map_err(|e| CliError::failure(e.to_string()))?;
        std::fs::write(path, text + "\n")
            .map_err(|e| CliError::failure(format!("cannot write {}: {e}", path.display())))?;
    }
    // On stderr, so that JSON and CSV output stays exactly the plan.
    {
        use std::io::Write;
        let mut err = std::io::stderr().lock();
        for l in &p.left_out {
            let _ = writeln!(
                err,
                "left out: {} ({}): {}",
                l.facility,
                l.name,
                l.reasons.join("; ")
            );
        }
        for n in &p.notes {
            let _ = writeln!(err, "note: {n}");
        }
    }
    match format {
        Format::Json => print_json(&p)?,
        Format::Csv => crate::cmd_energy_v2::print_plan(&p.instance, &p.plan, Format::Csv)?,
        Format::Table => print_tables(&p)?,
    }
    Ok(Outcome::Clean)
}

fn print_tables(p: &StorePlanV2) -> Result<(), CliError> {
    if !p.illustrative.is_empty() {
        out(&format!(
            "ILLUSTRATIVE: {} of the facilities hold illustrative figures, not survey data",
            p.illustrative.len()
        ));
    }
    crate::cmd_energy_v2::print_plan(&p.instance, &p.plan, Format::Table)?;
    crate::cmd_energy_v2::print_explain(&p.instance, &p.plan, Format::Table)?;
    crate::cmd_energy_v2::print_logistics(&p.logistics, &p.plan, false, Format::Table)?;
    let rows: Vec<Vec<String>> = p
        .autonomy
        .iter()
        .flat_map(|a| {
            a.summary.hours.iter().map(move |h| {
                // Unknown fuel leaves fuel-bound hours unknown; a delivery without the own
                // stock makes them a lower bound.
                let b = a.bound(h);
                let surv = |d: u32| {
                    a.summary
                        .survival
                        .iter()
                        .find(|s| s.duration_h == d)
                        .map_or_else(String::new, |s| {
                            let v = match h.tier {
                                aidtrace_energy::autonomy::Tier::LifeSupport => s.life_support,
                                aidtrace_energy::autonomy::Tier::Critical => s.critical,
                                aidtrace_energy::autonomy::Tier::Other => s.other,
                            };
                            b.english(&format!("{:.0} %", v * 100.0))
                        })
                };
                vec![
                    a.facility.clone(),
                    a.summary.units_added.len().to_string(),
                    format!("{:.0}", a.fuel_on_site_l),
                    serde_json::to_value(h.tier)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    b.english(&format!("{:.1}", h.hours)),
                    surv(24),
                    surv(72),
                    surv(168),
                    h.limited_by.clone(),
                ]
            })
        })
        .collect();
    print_table(
        &[
            "autonomy: facility",
            "units added",
            "fuel on site L",
            "tier",
            "hours",
            "P(24 h)",
            "P(72 h)",
            "P(168 h)",
            "limited by",
        ],
        &rows,
    );
    for a in &p.autonomy {
        out(&format!("{}: fuel on site: {}", a.facility, a.fuel_basis));
    }
    Ok(())
}
