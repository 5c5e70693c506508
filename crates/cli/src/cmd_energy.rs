//! `aidtrace energy …` subcommands. Thin: parse flags, call aidtrace-energy, print.

use crate::error::service_error;
use std::path::{Path, PathBuf};
use std::time::Duration;

use aidtrace_energy::autonomy::Profile;
use aidtrace_energy::replan::ReplanOptions;
use aidtrace_energy::{
    Assignment, Events, GenOptions, Instance, Options, Plan, Variant, check_plan, explain,
    generate, replan, solve,
};
use clap::{Subcommand, ValueEnum};
use comfy_table::Table;

use crate::config::Settings;
use crate::error::{CliError, CliResult, Outcome};
use crate::output::Format;

/// println! that returns an error instead of panicking, and treats a closed pipe
/// (`aidtrace energy plan … | head`) as a normal end of output.
macro_rules! say {
    ($($arg:tt)*) => {
        say_line(format_args!($($arg)*))?
    };
}

pub(crate) fn say_line(args: std::fmt::Arguments<'_>) -> Result<(), CliError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_fmt(args).and_then(|()| out.write_all(b"\n")) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Allocate a donated generator fleet to facilities (shared/energy/MODEL.md); prints the plan
    /// with a proven upper bound and the gap
    Plan {
        /// Instance JSON (MODEL.md input format); or give --from-db
        #[arg(required_unless_present = "from_db", conflicts_with = "from_db")]
        instance: Option<PathBuf>,
        /// Build the instance from the store: facilities, unmet critical load from their assets
        /// and backup (docs/energy.md, "Instances from the store"); the fleet from --unit/--fleet
        #[arg(long)]
        from_db: bool,
        #[command(flatten)]
        store: StoreFlags,
        /// With --from-db: model version, 1 (MODEL.md) or 2 (MODEL-v2.md: regions, tiers,
        /// derated sets; prints explain, fuel logistics and each facility's autonomy)
        #[arg(long = "version", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=2))]
        model_version: u32,
        #[command(flatten)]
        v2: crate::cmd_energy_plan_db::V2Flags,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Seconds to spend improving the plan (a feasible plan exists after milliseconds)
        #[arg(long, default_value_t = 5.0)]
        time_limit: f64,
        /// Seed of the randomised improvement phase
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Table format only: add why each facility got what it got
        #[arg(long)]
        explain: bool,
    },
    /// Re-plan after units are destroyed or facilities hit, moving as few units as possible
    Replan {
        /// Instance JSON the current plan was made for
        instance: PathBuf,
        /// Current plan (the JSON printed by `energy plan --format json`)
        #[arg(long)]
        current: PathBuf,
        /// Events JSON: destroyed_units, destroyed_stock, facilities_hit, unmet_kw
        #[arg(long)]
        events: Option<PathBuf>,
        /// A unit destroyed in place, as FACILITY:MODEL (repeatable)
        #[arg(long = "destroy", value_name = "FACILITY:MODEL")]
        destroy: Vec<String>,
        /// A facility out of service (repeatable); its units become free to move
        #[arg(long = "hit", value_name = "FACILITY")]
        hit: Vec<String>,
        /// Relocate an installed unit only if that gains at least this % of the objective
        #[arg(long, default_value_t = 0.5)]
        min_gain_percent: f64,
        #[arg(long, default_value_t = 2.0)]
        time_limit: f64,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Explain a plan: per facility its weight, load, coverage and the binding constraint
    Explain {
        instance: PathBuf,
        /// Plan JSON from `energy plan --format json`
        plan: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Check a plan against its instance with the independent checker (exit 1 if infeasible)
    Check { instance: PathBuf, plan: PathBuf },
    /// Fuel logistics of a version 2 plan: litres per day per facility and region, tank and days
    /// on site, resupply interval and deliveries, costs; what-ifs re-plan (MODEL-v2.md)
    Logistics {
        /// Version 2 instance JSON
        instance: PathBuf,
        /// Plan JSON from `energy plan --format json` (default: plan now)
        #[arg(long)]
        plan: Option<PathBuf>,
        /// Fuel price, € per litre delivered (costs are left out without it)
        #[arg(long)]
        fuel_price: Option<f64>,
        /// What-if: outage hours per day in a region, REGION=HOURS (* for all; re-plans)
        #[arg(long = "outage", value_name = "REGION=HOURS")]
        outage: Vec<String>,
        /// What-if: litres per day deliverable to a region, REGION=LITRES (* for all; re-plans)
        #[arg(long = "delivery", value_name = "REGION=LITRES")]
        delivery: Vec<String>,
        /// Days between deliveries where a facility's tank size is unknown
        #[arg(long, default_value_t = 7.0)]
        resupply_days: f64,
        /// Share of the tank left when a delivery arrives
        #[arg(long, default_value_t = 0.25)]
        reserve: f64,
        #[arg(long, default_value_t = 5.0)]
        time_limit: f64,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Hours of autonomy per tier and survival probabilities for one facility power profile
    Autonomy {
        /// Facility power profile JSON (see docs/energy.md), or a facility id in the store
        /// (anything that is not an existing file, or anything with --from-db)
        profile: PathBuf,
        /// Read PROFILE as a facility id and build its profile from the store
        #[arg(long)]
        from_db: bool,
        /// Store form: litres of fuel on site, instead of the stock recorded with `energy fuel`
        /// (neither: the fuel on site is unknown and fuel-bound hours are shown as unknown)
        #[arg(long)]
        fuel_litres: Option<f64>,
        /// Store form: kW per kVA for backup ratings and peak-kVA-only device models
        #[arg(long, default_value_t = aidtrace_service::energy::DEFAULT_POWER_FACTOR)]
        power_factor: f64,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Override the profile's seed
        #[arg(long)]
        seed: Option<u64>,
        /// Override the profile's number of Monte Carlo trials
        #[arg(long)]
        trials: Option<u32>,
        /// A published group schedule CSV (day,off_from,off_to) simulated as one more regime
        /// (repeatable)
        #[arg(long = "schedule", value_name = "FILE.csv")]
        schedule: Vec<PathBuf>,
        /// Another solar yield table (same format as crates/energy/data/solar_yield.json)
        #[arg(long, value_name = "FILE.json")]
        solar_table: Option<PathBuf>,
        /// Add the units this plan (JSON of `energy plan --format json`) assigns to --facility
        /// and print its hours of autonomy and P(survive 24/72/168 h)
        #[arg(long, value_name = "PLAN.json", requires_all = ["instance", "facility"])]
        with_plan: Option<PathBuf>,
        /// With --with-plan: the instance the plan was made for (its fleet gives the units' kW)
        #[arg(long, value_name = "INSTANCE.json", requires = "with_plan")]
        instance: Option<PathBuf>,
        /// With --with-plan: the facility id in the plan
        #[arg(long, requires = "with_plan")]
        facility: Option<String>,
    },
    /// Load survey of one facility by tier (life support, critical, essential): devices and
    /// building loads with average and peak kW, kVA and starting kVA; unknown figures shown as
    /// unknown (exit 1 when any is)
    Survey(crate::cmd_energy_loads::SurveyArgs),
    /// Print a MODEL-v2 instance (shared/energy/MODEL-v2.md) built from the store; refuses, naming
    /// facility and asset, where a load is unknown
    Instance(crate::cmd_energy_loads::InstanceArgs),
    /// Record the units a version 2 plan assigns as assets of the donating activity with their
    /// source (audited; running it twice writes nothing new)
    CommitPlan(crate::cmd_energy_plan_db::CommitArgs),
    /// Record the tank size and the fuel on hand (litres, with the day measured) of a
    /// facility's backup: the starting fuel of its autonomy
    Fuel(crate::cmd_energy_fuel::FuelArgs),
    /// Write a random instance (documented distribution in docs/energy.md)
    Gen {
        #[arg(long)]
        facilities: usize,
        #[arg(long)]
        units: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, value_enum, default_value_t = GenVariant::Normal)]
        variant: GenVariant,
        /// Model version of the instance: 1 (MODEL.md) or 2 (MODEL-v2.md; variants normal,
        /// fuel-scarce, install-scarce, step-heavy)
        #[arg(long, default_value_t = 1)]
        model_version: u32,
        /// Output file (default: stdout)
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

/// Flags of `plan --from-db`: what the store cannot say.
#[derive(Debug, clap::Args)]
pub struct StoreFlags {
    /// A donated model as MODEL:KW:COUNT, e.g. G60:60:4 (repeatable)
    #[arg(long = "unit", value_name = "MODEL:KW:COUNT")]
    units: Vec<String>,
    /// Fleet JSON: {"fleet": [{model, prime_kw, count, idle_l_per_h?}], "weights"?,
    /// "transport_kw"?, "fuel_litres"?, "hours"?}
    #[arg(long)]
    fleet: Option<PathBuf>,
    /// Planning horizon in hours (default 72, or the fleet file's)
    #[arg(long)]
    hours: Option<f64>,
    /// Fuel for the whole fleet over the horizon (default: enough to run it at the load it can
    /// cover)
    #[arg(long)]
    fuel_litres: Option<f64>,
    /// Litres per kWh (default 0.25)
    #[arg(long)]
    fuel_l_per_kwh: Option<f64>,
    /// Smallest share of prime kW a unit may run at (default 0.3)
    #[arg(long)]
    min_loading: Option<f64>,
    /// Most units one facility may receive (default 2)
    #[arg(long)]
    max_units: Option<u32>,
    /// kW per kVA for backup ratings and peak-kVA-only device models (default 0.8)
    #[arg(long)]
    power_factor: Option<f64>,
    /// Also write the instance built from the store to FILE (to re-run, check or share it)
    #[arg(long, value_name = "FILE")]
    save_instance: Option<PathBuf>,
    /// Read asset states at this UTC time (YYYY-MM-DDTHH:MM:SS; default now)
    #[arg(long)]
    at: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GenVariant {
    Normal,
    FuelScarce,
    OnePerSite,
    /// Version 2 only: little installation capacity per region.
    InstallScarce,
    /// Version 2 only: most facilities have a large step load.
    StepHeavy,
}

pub fn run(command: Command, settings: &Settings) -> CliResult {
    match command {
        Command::Plan {
            instance,
            from_db,
            store,
            model_version,
            v2,
            format,
            time_limit,
            seed,
            explain: with_explain,
        } => {
            if from_db && model_version == 2 {
                if let Some(flag) = store.v1_only() {
                    return Err(CliError::input(format!(
                        "{flag} is a version 1 flag; version 2 takes the season file (--season) and --fuel-l-per-day/--install-units"
                    )));
                }
                let shared = crate::cmd_energy_plan_db::Shared {
                    units: &store.units,
                    at: store.at.as_deref(),
                    save_instance: store.save_instance.as_ref(),
                    time_limit: seconds(time_limit)?,
                    seed,
                };
                return crate::cmd_energy_plan_db::run(settings, shared, &v2, format);
            }
            if let Some(flag) = v2.first_given() {
                return Err(CliError::input(format!(
                    "{flag} only applies with --from-db --version 2"
                )));
            }
            let inst = match (instance, from_db) {
                (Some(p), false) => {
                    if let Some(flag) = store.first_given() {
                        return Err(CliError::input(format!(
                            "{flag} only applies with --from-db (an instance file carries its own)"
                        )));
                    }
                    let bytes = read(&p)?;
                    if crate::cmd_energy_v2::is_v2(&bytes)? {
                        let inst = crate::cmd_energy_v2::load(&p, &bytes)?;
                        let opts = Options {
                            time_limit: seconds(time_limit)?,
                            seed,
                        };
                        return crate::cmd_energy_v2::plan(&inst, &opts, format, with_explain);
                    }
                    load_instance(&p)?
                }
                (None, true) => instance_from_store(settings, &store)?,
                // clap refuses both and neither; kept so a change there cannot slip through.
                _ => {
                    return Err(CliError::input(
                        "give either INSTANCE.json or --from-db, not both",
                    ));
                }
            };
            // On stderr, so that the JSON and CSV output stays exactly the plan.
            for note in inst.notes() {
                use std::io::Write;
                let _ = writeln!(std::io::stderr(), "note: {note}");
            }
            let plan = solve(
                &inst,
                &Options {
                    time_limit: seconds(time_limit)?,
                    seed,
                },
            );
            print_plan(&inst, &plan, format, with_explain)?;
            Ok(Outcome::Clean)
        }
        Command::Replan {
            instance,
            current,
            events,
            destroy,
            hit,
            min_gain_percent,
            time_limit,
            format,
        } => {
            let bytes = read(&instance)?;
            if crate::cmd_energy_v2::is_v2(&bytes)? {
                let inst = crate::cmd_energy_v2::load(&instance, &bytes)?;
                let destroyed = destroy
                    .iter()
                    .map(|d| {
                        d.split_once(':')
                            .map(|(f, m)| Assignment {
                                facility: f.to_string(),
                                model: m.to_string(),
                                units: 1,
                            })
                            .ok_or_else(|| {
                                CliError::input(format!("--destroy {d:?}: expected FACILITY:MODEL"))
                            })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                if !(min_gain_percent.is_finite() && min_gain_percent >= 0.0) {
                    return Err(CliError::input(format!(
                        "--min-gain-percent {min_gain_percent}: must be ≥ 0"
                    )));
                }
                let opts = ReplanOptions {
                    time_limit: seconds(time_limit)?,
                    min_gain_per_move: min_gain_percent / 100.0,
                };
                return crate::cmd_energy_v2::replan(
                    &inst,
                    &current,
                    events.as_deref(),
                    destroyed,
                    hit,
                    &opts,
                    format,
                );
            }
            let inst = load_instance(&instance)?;
            let cur = load_plan(&current)?;
            let mut ev = match events {
                Some(p) => serde_json::from_slice::<Events>(&read(&p)?)
                    .map_err(|e| CliError::input(format!("{}: {e}", p.display())))?,
                None => Events::default(),
            };
            for d in destroy {
                let Some((f, m)) = d.split_once(':') else {
                    return Err(CliError::input(format!(
                        "--destroy {d:?}: expected FACILITY:MODEL"
                    )));
                };
                ev.destroyed_units.push(Assignment {
                    facility: f.to_string(),
                    model: m.to_string(),
                    units: 1,
                });
            }
            ev.facilities_hit.extend(hit);
            if !(min_gain_percent.is_finite() && min_gain_percent >= 0.0) {
                return Err(CliError::input(format!(
                    "--min-gain-percent {min_gain_percent}: must be ≥ 0"
                )));
            }
            let r = replan(
                &inst,
                &cur.assignments,
                &ev,
                &ReplanOptions {
                    time_limit: seconds(time_limit)?,
                    min_gain_per_move: min_gain_percent / 100.0,
                },
            )
            .map_err(|e| CliError::input(e.to_string()))?;
            match format {
                Format::Json => say!("{}", to_json(&r)?),
                Format::Csv => {
                    let mut w = csv::Writer::from_writer(std::io::stdout());
                    w.write_record(["model", "from", "to", "units"])
                        .map_err(csv_err)?;
                    for m in &r.moves {
                        w.write_record(crate::output::sheet_row([
                            m.model.as_str(),
                            m.from.as_deref().unwrap_or("depot"),
                            m.to.as_deref().unwrap_or("depot"),
                            &m.units.to_string(),
                        ]))
                        .map_err(csv_err)?;
                    }
                    w.flush()?;
                }
                Format::Table => {
                    let mut t = Table::new();
                    t.set_header(["model", "from", "to", "units"]);
                    for m in &r.moves {
                        t.add_row([
                            m.model.clone(),
                            m.from.clone().unwrap_or_else(|| "depot".into()),
                            m.to.clone().unwrap_or_else(|| "depot".into()),
                            m.units.to_string(),
                        ]);
                    }
                    say!("{t}");
                    say!(
                        "units moved: {}; objective after losses {:.1} → after re-plan {:.1} (bound {:.1}, gap {:.3} %); a from-scratch plan would reach {:.1}",
                        r.units_moved,
                        r.objective_before,
                        r.plan.objective,
                        r.plan.upper_bound,
                        r.plan.gap * 100.0,
                        r.reoptimised_objective
                    );
                }
            }
            Ok(Outcome::Clean)
        }
        Command::Explain {
            instance,
            plan,
            format,
        } => {
            let bytes = read(&instance)?;
            if crate::cmd_energy_v2::is_v2(&bytes)? {
                let inst = crate::cmd_energy_v2::load(&instance, &bytes)?;
                let plan = crate::cmd_energy_v2::load_plan(&plan)?;
                crate::cmd_energy_v2::print_explain(&inst, &plan, format)?;
                return Ok(Outcome::Clean);
            }
            let inst = load_instance(&instance)?;
            let plan = load_plan(&plan)?;
            print_explain(&inst, &plan, format)?;
            Ok(Outcome::Clean)
        }
        Command::Check { instance, plan } => {
            let bytes = read(&instance)?;
            if crate::cmd_energy_v2::is_v2(&bytes)? {
                let inst = crate::cmd_energy_v2::load(&instance, &bytes)?;
                return crate::cmd_energy_v2::check(&inst, &plan);
            }
            let inst = load_instance(&instance)?;
            let plan = load_plan(&plan)?;
            let problems = check_plan(&inst, &plan);
            if problems.is_empty() {
                say!("plan is feasible; objective {:.3}", plan.objective);
                Ok(Outcome::Clean)
            } else {
                for p in &problems {
                    say!("{p}");
                }
                Ok(Outcome::ProblemsFound)
            }
        }
        Command::Logistics {
            instance,
            plan,
            fuel_price,
            outage,
            delivery,
            resupply_days,
            reserve,
            time_limit,
            seed,
            format,
        } => {
            let bytes = read(&instance)?;
            if !crate::cmd_energy_v2::is_v2(&bytes)? {
                return Err(CliError::input(format!(
                    "{}: fuel logistics need a version 2 instance (\"version\": 2, MODEL-v2.md): \
                     version 1 has no regions' outage hours or deliveries",
                    instance.display()
                )));
            }
            let inst = crate::cmd_energy_v2::load(&instance, &bytes)?;
            crate::cmd_energy_v2::run_logistics(
                inst,
                crate::cmd_energy_v2::LogisticsArgs {
                    plan: plan.as_deref(),
                    what_if: crate::cmd_energy_v2::WhatIf { outage, delivery },
                    opts: aidtrace_energy::v2::LogisticsOptions {
                        fuel_price_eur_per_l: fuel_price,
                        default_resupply_days: resupply_days,
                        reserve,
                    },
                    solve: Options {
                        time_limit: seconds(time_limit)?,
                        seed,
                    },
                    format,
                },
            )
        }
        Command::Autonomy {
            profile,
            from_db,
            fuel_litres,
            power_factor,
            format,
            seed,
            trials,
            schedule,
            solar_table,
            with_plan,
            instance,
            facility,
        } => {
            let table = crate::cmd_energy_autonomy::solar_table(solar_table.as_deref())?;
            let mut store = None;
            let mut p = if from_db || !profile.is_file() {
                let ledger = open_store(settings)?.ledger().map_err(service_error)?;
                if let Some(l) = fuel_litres
                    && !(l.is_finite() && l >= 0.0)
                {
                    return Err(CliError::input(format!(
                        "--fuel-litres {l}: must be a finite number ≥ 0"
                    )));
                }
                let sp = aidtrace_service::energy_autonomy_store::store_profile(
                    &ledger,
                    &profile.to_string_lossy(),
                    chrono::Utc::now().naive_utc(),
                    power_factor,
                    fuel_litres,
                )
                .map_err(service_error)?;
                if !sp.fuel.is_known() {
                    eprintln!(
                        "aidtrace: fuel on site unknown for {} (record it with `aidtrace energy fuel {} --on-hand-litres L --as-of YYYY-MM-DD`, or give --fuel-litres): hours that fuel ends are shown as unknown",
                        sp.facility, sp.facility
                    );
                }
                if let Some(st) = &sp.stale_fuel {
                    eprintln!("aidtrace: warning: {}: {}", sp.facility, st.english());
                }
                let p = sp.profile.clone();
                store = Some(sp);
                p
            } else {
                if fuel_litres.is_some() {
                    return Err(CliError::input(
                        "--fuel-litres is for a facility in the store; a profile file states its fuel_litres",
                    ));
                }
                Profile::from_json_slice_with_table(&read(&profile)?, table.as_ref())
                    .map_err(|e| CliError::input(format!("{}: {e}", profile.display())))?
            };
            if let Some(s) = seed {
                p.seed = s;
            }
            if let Some(t) = trials {
                p.trials = t;
                p.validate_with_table(table.as_ref())
                    .map_err(|e| CliError::input(e.to_string()))?;
            }
            crate::cmd_energy_autonomy::run(
                p,
                &crate::cmd_energy_autonomy::Options {
                    schedules: schedule,
                    solar_table: table,
                    with_plan,
                    instance,
                    facility,
                    format,
                    store,
                },
            )?;
            Ok(Outcome::Clean)
        }
        Command::Survey(a) => crate::cmd_energy_loads::run_survey(a, settings),
        Command::Instance(a) => crate::cmd_energy_loads::run_instance(a, settings),
        Command::CommitPlan(a) => crate::cmd_energy_plan_db::run_commit(a, settings),
        Command::Fuel(a) => crate::cmd_energy_fuel::run(a, settings),
        Command::Gen {
            facilities,
            units,
            seed,
            variant,
            model_version,
            output,
        } => {
            use aidtrace_energy::v2::{GenOptionsV2, VariantV2, generate_v2};
            let text = match (model_version, variant) {
                (1, GenVariant::Normal | GenVariant::FuelScarce | GenVariant::OnePerSite) => {
                    to_json(&generate(&GenOptions {
                        facilities,
                        units,
                        seed,
                        variant: match variant {
                            GenVariant::FuelScarce => Variant::FuelScarce,
                            GenVariant::OnePerSite => Variant::OnePerSite,
                            _ => Variant::Normal,
                        },
                    }))?
                }
                (2, v) if !matches!(v, GenVariant::OnePerSite) => {
                    to_json(&generate_v2(&GenOptionsV2 {
                        facilities,
                        units,
                        seed,
                        variant: match v {
                            GenVariant::FuelScarce => VariantV2::FuelScarce,
                            GenVariant::InstallScarce => VariantV2::InstallScarce,
                            GenVariant::StepHeavy => VariantV2::StepHeavy,
                            _ => VariantV2::Normal,
                        },
                    }))?
                }
                (1 | 2, v) => {
                    let name = v
                        .to_possible_value()
                        .map(|p| p.get_name().to_string())
                        .unwrap_or_default();
                    return Err(CliError::input(format!(
                        "--variant {name} does not exist for --model-version {model_version}"
                    )));
                }
                (other, _) => {
                    return Err(CliError::input(format!(
                        "--model-version {other}: must be 1 or 2"
                    )));
                }
            };
            match output {
                Some(p) => std::fs::write(&p, text + "\n")
                    .map_err(|e| CliError::failure(format!("cannot write {}: {e}", p.display())))?,
                None => say!("{text}"),
            }
            Ok(Outcome::Clean)
        }
    }
}

/// Opens the store for reading; a missing file is an error rather than a new empty store.
fn open_store(settings: &Settings) -> Result<aidtrace_service::Aidtrace, CliError> {
    if settings.db.is_missing_file() {
        return Err(CliError::input(format!(
            "--db {}: no such store (create it with `aidtrace ledger demo` or `ledger load`)",
            &settings.db
        )));
    }
    aidtrace_service::Aidtrace::open(&settings.db).map_err(service_error)
}

impl StoreFlags {
    /// The first flag version 2 does not read (it has a season file instead).
    fn v1_only(&self) -> Option<&'static str> {
        [
            (self.fleet.is_some(), "--fleet"),
            (self.hours.is_some(), "--hours"),
            (self.fuel_litres.is_some(), "--fuel-litres"),
            (self.fuel_l_per_kwh.is_some(), "--fuel-l-per-kwh"),
            (self.min_loading.is_some(), "--min-loading"),
            (self.max_units.is_some(), "--max-units"),
            (self.power_factor.is_some(), "--power-factor"),
        ]
        .into_iter()
        .find_map(|(given, name)| given.then_some(name))
    }

    fn first_given(&self) -> Option<&'static str> {
        [
            (!self.units.is_empty(), "--unit"),
            (self.fleet.is_some(), "--fleet"),
            (self.hours.is_some(), "--hours"),
            (self.fuel_litres.is_some(), "--fuel-litres"),
            (self.fuel_l_per_kwh.is_some(), "--fuel-l-per-kwh"),
            (self.min_loading.is_some(), "--min-loading"),
            (self.max_units.is_some(), "--max-units"),
            (self.power_factor.is_some(), "--power-factor"),
            (self.at.is_some(), "--at"),
            (self.save_instance.is_some(), "--save-instance"),
        ]
        .into_iter()
        .find_map(|(given, name)| given.then_some(name))
    }
}

fn instance_from_store(settings: &Settings, f: &StoreFlags) -> Result<Instance, CliError> {
    use aidtrace_service::energy::{FleetSpec, StoreOptions, instance_from_ledger, parse_unit};
    let mut spec = match &f.fleet {
        Some(p) => FleetSpec::from_json_slice(&read(p)?)
            .map_err(|e| CliError::input(format!("{}: {e}", p.display())))?,
        None => FleetSpec::default(),
    };
    for u in &f.units {
        spec.fleet.push(parse_unit(u).map_err(service_error)?);
    }
    let at = match &f.at {
        Some(raw) => chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S")
            .map_err(|e| CliError::input(format!("--at {raw:?}: {e} (YYYY-MM-DDTHH:MM:SS)")))?,
        None => chrono::Utc::now().naive_utc(),
    };
    let ledger = open_store(settings)?.ledger().map_err(service_error)?;
    let mut opts = StoreOptions::new(spec.fleet, at);
    opts.hours = f.hours.or(spec.hours).unwrap_or(opts.hours);
    opts.fuel_litres = f.fuel_litres.or(spec.fuel_litres);
    opts.fuel_l_per_kwh = f.fuel_l_per_kwh.unwrap_or(opts.fuel_l_per_kwh);
    opts.min_loading = f.min_loading.unwrap_or(opts.min_loading);
    opts.max_units_per_facility = f.max_units.unwrap_or(opts.max_units_per_facility);
    opts.power_factor = f.power_factor.unwrap_or(opts.power_factor);
    opts.weights = spec.weights;
    opts.transport_kw = spec.transport_kw;
    let (inst, loads) = instance_from_ledger(&ledger, &opts).map_err(service_error)?;
    // On stderr, like the instance's notes: a load with loads of unknown average kW is a lower
    // bound, and the plan cannot be read as covering that facility.
    for l in &loads {
        use std::io::Write;
        if l.unknown_loads > 0 {
            let _ = writeln!(
                std::io::stderr(),
                "note: {}: {} life-support or critical load(s) state no average kW (or no load survey); its unmet load ({:.1} kW) is a lower bound",
                l.facility,
                l.unknown_loads,
                l.unmet_kw
            );
        }
        if l.backup_unknown && l.unmet_kw > 0.0 {
            let _ = writeln!(
                std::io::stderr(),
                "note: {}: no backup kVA recorded, counted as 0 kW",
                l.facility
            );
        }
    }
    if let Some(p) = &f.save_instance {
        std::fs::write(p, to_json(&inst)? + "\n")
            .map_err(|e| CliError::failure(format!("cannot write {}: {e}", p.display())))?;
    }
    Ok(inst)
}

fn seconds(s: f64) -> Result<Duration, CliError> {
    if s.is_finite() && (0.0..=86_400.0).contains(&s) {
        Ok(Duration::from_secs_f64(s))
    } else {
        Err(CliError::input(format!(
            "--time-limit {s}: must be between 0 and 86400 seconds"
        )))
    }
}

fn read(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|e| CliError::input(format!("cannot read {}: {e}", path.display())))
}

fn load_instance(path: &Path) -> Result<Instance, CliError> {
    Instance::from_json_slice(&read(path)?)
        .map_err(|e| CliError::input(format!("{}: {e}", path.display())))
}

fn load_plan(path: &Path) -> Result<Plan, CliError> {
    serde_json::from_slice(&read(path)?)
        .map_err(|e| CliError::input(format!("{}: not a plan JSON: {e}", path.display())))
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, CliError> {
    serde_json::to_string_pretty(v)
        .map_err(|e| CliError::failure(format!("cannot encode JSON: {e}")))
}

fn csv_err(e: csv::Error) -> CliError {
    CliError::failure(format!("cannot write CSV: {e}"))
}

fn print_plan(
    inst: &Instance,
    plan: &Plan,
    format: Format,
    with_explain: bool,
) -> Result<(), CliError> {
    match format {
        Format::Json => say!("{}", to_json(plan)?),
        Format::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout());
            w.write_record(["facility", "model", "units", "covered_kw"])
                .map_err(csv_err)?;
            for a in &plan.assignments {
                let y = plan.covered_kw.get(&a.facility).copied().unwrap_or(0.0);
                w.write_record(crate::output::sheet_row([
                    a.facility.as_str(),
                    a.model.as_str(),
                    &a.units.to_string(),
                    &format!("{y:.3}"),
                ]))
                .map_err(csv_err)?;
            }
            w.flush()?;
        }
        Format::Table => {
            let mut t = Table::new();
            t.set_header(["facility", "model", "units", "covered kW"]);
            for a in &plan.assignments {
                let y = plan.covered_kw.get(&a.facility).copied().unwrap_or(0.0);
                t.add_row([
                    a.facility.clone(),
                    a.model.clone(),
                    a.units.to_string(),
                    format!("{y:.1}"),
                ]);
            }
            say!("{t}");
            say!(
                "model version 1 (MODEL.md)  objective {:.3}  upper bound {:.3}  gap {:.3} %  status {:?}  {:.2} s",
                plan.objective,
                plan.upper_bound,
                plan.gap * 100.0,
                plan.status,
                plan.seconds
            );
            if with_explain {
                print_explain(inst, plan, Format::Table)?;
            }
        }
    }
    Ok(())
}

fn print_explain(inst: &Instance, plan: &Plan, format: Format) -> Result<(), CliError> {
    let rows = explain(inst, plan).map_err(|e| CliError::input(e.to_string()))?;
    match format {
        Format::Json => say!("{}", to_json(&rows)?),
        Format::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout());
            w.write_record(crate::output::sheet_row([
                "facility",
                "region",
                "weight",
                "unmet_kw",
                "covered_kw",
                "uncovered_kw",
                "units",
                "binding",
                "reason",
            ]))
            .map_err(csv_err)?;
            for r in &rows {
                w.write_record(crate::output::sheet_row([
                    r.facility.clone(),
                    r.region.clone(),
                    r.weight.to_string(),
                    r.unmet_kw.to_string(),
                    format!("{:.3}", r.covered_kw),
                    format!("{:.3}", r.uncovered_kw),
                    r.units.join(" "),
                    r.binding.clone(),
                    r.reason.clone(),
                ]))
                .map_err(csv_err)?;
            }
            w.flush()?;
        }
        Format::Table => {
            let mut t = Table::new();
            t.set_header([
                "facility",
                "weight",
                "unmet kW",
                "covered kW",
                "units",
                "binding",
                "why",
            ]);
            for r in &rows {
                t.add_row([
                    r.facility.clone(),
                    format!("{}", r.weight),
                    format!("{:.1}", r.unmet_kw),
                    format!("{:.1}", r.covered_kw),
                    r.units.join(" "),
                    r.binding.clone(),
                    r.reason.clone(),
                ]);
            }
            say!("{t}");
        }
    }
    Ok(())
}
