//! `aidtrace energy plan / explain / replan / check / logistics` on version 2 instances
//! (MODEL-v2.md). `cmd_energy` hands a file over when its `"version"` is 2.

use std::path::Path;

use aidtrace_energy::Options;
use aidtrace_energy::replan::ReplanOptions;
use aidtrace_energy::v2::{
    EventsV2, InstanceV2, Logistics, LogisticsOptions, PlanV2, check_plan_v2, explain_v2,
    logistics, replan_v2, solve_v2,
};

use crate::error::{CliError, CliResult, Outcome};
use crate::output::{Format, out, print_csv, print_json, print_table};

/// True when the instance file says `"version": 2`; an unreadable or unparsable file is left to
/// the version 1 path, which reports it.
pub fn is_v2(bytes: &[u8]) -> Result<bool, CliError> {
    aidtrace_energy::v2::instance::version_of(bytes)
        .map(|v| v == 2)
        .map_err(|e| CliError::input(e.to_string()))
}

pub fn load(path: &Path, bytes: &[u8]) -> Result<InstanceV2, CliError> {
    let inst = InstanceV2::from_json_slice(bytes)
        .map_err(|e| CliError::input(format!("{}: {e}", path.display())))?;
    for note in inst.notes() {
        eprintln!("note: {note}");
    }
    Ok(inst)
}

pub fn load_plan(path: &Path) -> Result<PlanV2, CliError> {
    let bytes = std::fs::read(path)
        .map_err(|e| CliError::input(format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_slice(&bytes).map_err(|e| {
        CliError::input(format!(
            "{}: not a version 2 plan JSON (from `energy plan --format json` on a version 2 instance): {e}",
            path.display()
        ))
    })
}

fn f1(x: f64) -> String {
    format!("{x:.1}")
}

pub fn plan(inst: &InstanceV2, opts: &Options, format: Format, with_explain: bool) -> CliResult {
    let plan = solve_v2(inst, opts);
    print_plan(inst, &plan, format)?;
    if with_explain && format == Format::Table {
        print_explain(inst, &plan, Format::Table)?;
    }
    Ok(Outcome::Clean)
}

pub fn print_plan(inst: &InstanceV2, plan: &PlanV2, format: Format) -> Result<(), CliError> {
    match format {
        Format::Json => print_json(plan)?,
        Format::Csv => {
            let rows: Vec<Vec<String>> = plan
                .assignments
                .iter()
                .map(|a| {
                    let y = plan.served_kw.get(&a.facility);
                    vec![
                        a.facility.clone(),
                        a.model.clone(),
                        a.units.to_string(),
                        format!("{:.3}", y.map_or(0.0, |y| y.life_support)),
                        format!("{:.3}", y.map_or(0.0, |y| y.critical)),
                        format!("{:.3}", y.map_or(0.0, |y| y.essential)),
                    ]
                })
                .collect();
            print_csv(
                &[
                    "facility",
                    "model",
                    "units",
                    "served_life_support_kw",
                    "served_critical_kw",
                    "served_essential_kw",
                ],
                &rows,
            )?;
        }
        Format::Table => {
            let rows: Vec<Vec<String>> = plan
                .assignments
                .iter()
                .map(|a| {
                    let y = plan.served_kw.get(&a.facility);
                    vec![
                        a.facility.clone(),
                        a.model.clone(),
                        a.units.to_string(),
                        f1(y.map_or(0.0, |y| y.life_support)),
                        f1(y.map_or(0.0, |y| y.critical)),
                        f1(y.map_or(0.0, |y| y.essential)),
                    ]
                })
                .collect();
            print_table(
                &[
                    "facility",
                    "model",
                    "units",
                    "life support kW",
                    "critical kW",
                    "essential kW",
                ],
                &rows,
            );
            let regions: Vec<Vec<String>> = plan
                .fuel_l_per_day
                .iter()
                .map(|(r, l)| {
                    vec![
                        r.clone(),
                        plan.installed_units
                            .get(r)
                            .copied()
                            .unwrap_or(0)
                            .to_string(),
                        format!("{l:.0}"),
                    ]
                })
                .collect();
            print_table(&["region", "units installed", "fuel L/day"], &regions);
            if !plan.left_in_depot.is_empty() {
                let depot: Vec<Vec<String>> = plan
                    .left_in_depot
                    .iter()
                    .map(|d| vec![d.model.clone(), d.units.to_string(), d.reason.clone()])
                    .collect();
                print_table(&["left in depot", "units", "why"], &depot);
            }
            let kwh = aidtrace_energy::v2::served_kwh(inst, plan);
            out(&format!(
                "model version 2 (MODEL-v2.md)  critical energy served over the {:.0}-day horizon: {:.0} kWh (life support {:.0}, critical {:.0}, essential {:.0} kWh)",
                inst.horizon_days,
                kwh.life_support + kwh.critical + kwh.essential,
                kwh.life_support,
                kwh.critical,
                kwh.essential
            ));
            out(&format!(
                "objective {:.0} (the same kWh weighted by tier {}/{}/{} and facility weight: a score for comparing plans, not energy)  upper bound {:.0}  gap {:.3} %  status {:?}  {:.2} s",
                plan.objective,
                inst.tier_weights.life_support,
                inst.tier_weights.critical,
                inst.tier_weights.essential,
                plan.upper_bound,
                plan.gap * 100.0,
                plan.status,
                plan.seconds
            ));
        }
    }
    Ok(())
}

pub fn print_explain(inst: &InstanceV2, plan: &PlanV2, format: Format) -> Result<(), CliError> {
    let rows = explain_v2(inst, plan).map_err(|e| CliError::input(e.to_string()))?;
    match format {
        Format::Json => print_json(&rows)?,
        Format::Csv | Format::Table => {
            let table: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        r.facility.clone(),
                        r.region.clone(),
                        f1(r.loads_kw.total()),
                        f1(r.own_backup_kw),
                        f1(r.served_kw.life_support),
                        f1(r.served_kw.critical),
                        f1(r.served_kw.essential),
                        r.units.join(" "),
                        r.binding.key().to_string(),
                        r.reason.clone(),
                    ]
                })
                .collect();
            let header = [
                "facility",
                "region",
                "load kW",
                "own backup kW",
                "life support kW",
                "critical kW",
                "essential kW",
                "units",
                "binding",
                "why",
            ];
            if format == Format::Csv {
                print_csv(&header, &table)?;
            } else {
                print_table(&header, &table);
            }
        }
    }
    Ok(())
}

pub fn check(inst: &InstanceV2, plan_path: &Path) -> CliResult {
    let plan = load_plan(plan_path)?;
    let problems = check_plan_v2(inst, &plan);
    if problems.is_empty() {
        out(&format!(
            "version 2 plan is feasible; objective {:.3}",
            plan.objective
        ));
        Ok(Outcome::Clean)
    } else {
        for p in &problems {
            out(p);
        }
        Ok(Outcome::ProblemsFound)
    }
}

pub fn replan(
    inst: &InstanceV2,
    current: &Path,
    events: Option<&Path>,
    destroy: Vec<aidtrace_energy::Assignment>,
    hit: Vec<String>,
    opts: &ReplanOptions,
    format: Format,
) -> CliResult {
    let cur = load_plan(current)?;
    let mut ev = match events {
        Some(p) => {
            let bytes = std::fs::read(p)
                .map_err(|e| CliError::input(format!("cannot read {}: {e}", p.display())))?;
            serde_json::from_slice::<EventsV2>(&bytes)
                .map_err(|e| CliError::input(format!("{}: {e}", p.display())))?
        }
        None => EventsV2::default(),
    };
    ev.destroyed_units.extend(destroy);
    ev.facilities_hit.extend(hit);
    let r =
        replan_v2(inst, &cur.assignments, &ev, opts).map_err(|e| CliError::input(e.to_string()))?;
    match format {
        Format::Json => print_json(&r)?,
        Format::Csv | Format::Table => {
            let rows: Vec<Vec<String>> = r
                .moves
                .iter()
                .map(|m| {
                    vec![
                        m.model.clone(),
                        m.from.clone().unwrap_or_else(|| "depot".into()),
                        m.to.clone().unwrap_or_else(|| "depot".into()),
                        m.units.to_string(),
                    ]
                })
                .collect();
            let header = ["model", "from", "to", "units"];
            if format == Format::Csv {
                print_csv(&header, &rows)?;
            } else {
                print_table(&header, &rows);
                out(&format!(
                    "model version 2: units moved {}; objective after losses {:.1} → after re-plan {:.1} (bound {:.1}, gap {:.3} %); a from-scratch plan would reach {:.1}",
                    r.units_moved,
                    r.objective_before,
                    r.plan.objective,
                    r.plan.upper_bound,
                    r.plan.gap * 100.0,
                    r.reoptimised_objective
                ));
                for d in &r.plan.left_in_depot {
                    out(&format!(
                        "left in depot: {} × {}: {}",
                        d.units, d.model, d.reason
                    ));
                }
            }
        }
    }
    Ok(Outcome::Clean)
}

/// What-ifs of `energy logistics`: changes to the instance that call for a new plan.
#[derive(Debug, Default)]
pub struct WhatIf {
    /// REGION=HOURS.
    pub outage: Vec<String>,
    /// REGION=LITRES_PER_DAY.
    pub delivery: Vec<String>,
}

impl WhatIf {
    pub fn is_empty(&self) -> bool {
        self.outage.is_empty() && self.delivery.is_empty()
    }

    /// Applies the what-ifs to `inst`; a region not in it or a bad number names the flag.
    pub fn apply(&self, inst: &mut InstanceV2) -> Result<(), CliError> {
        for (flag, list) in [("--outage", &self.outage), ("--delivery", &self.delivery)] {
            for raw in list {
                let Some((region, value)) = raw.split_once('=') else {
                    return Err(CliError::input(format!(
                        "{flag} {raw:?}: expected REGION=NUMBER"
                    )));
                };
                let v: f64 = value.trim().parse().map_err(|_| {
                    CliError::input(format!("{flag} {raw:?}: {value:?} is not a number"))
                })?;
                let targets: Vec<usize> = if region == "*" {
                    (0..inst.regions.len()).collect()
                } else {
                    inst.regions
                        .iter()
                        .position(|r| r.id == region)
                        .into_iter()
                        .collect()
                };
                if targets.is_empty() {
                    return Err(CliError::input(format!(
                        "{flag} {raw:?}: no region {region:?} in the instance (use * for all)"
                    )));
                }
                for i in targets {
                    if flag == "--outage" {
                        inst.regions[i].outage_h_per_day = v;
                    } else {
                        inst.regions[i].fuel_l_per_day = v;
                    }
                }
            }
        }
        inst.validate()
            .map_err(|e| CliError::input(format!("after the what-ifs: {e}")))
    }
}

pub struct LogisticsArgs<'a> {
    pub plan: Option<&'a Path>,
    pub what_if: WhatIf,
    pub opts: LogisticsOptions,
    pub solve: Options,
    pub format: Format,
}

pub fn run_logistics(mut inst: InstanceV2, args: LogisticsArgs<'_>) -> CliResult {
    args.opts
        .validate()
        .map_err(|e| CliError::input(e.to_string()))?;
    let replanned = !args.what_if.is_empty() || args.plan.is_none();
    let plan = if args.what_if.is_empty()
        && let Some(p) = args.plan
    {
        load_plan(p)?
    } else {
        if args.plan.is_some() {
            eprintln!(
                "note: --outage/--delivery change the instance, so the plan is made again for them"
            );
        }
        args.what_if.apply(&mut inst)?;
        solve_v2(&inst, &args.solve)
    };
    let l = logistics(&inst, &plan, &args.opts).map_err(|e| CliError::input(e.to_string()))?;
    print_logistics(&l, &plan, replanned, args.format)
}

fn opt(x: Option<f64>, digits: usize) -> String {
    x.map_or_else(String::new, |v| format!("{v:.digits$}"))
}

pub fn print_logistics(l: &Logistics, plan: &PlanV2, replanned: bool, format: Format) -> CliResult {
    match format {
        Format::Json => {
            #[derive(serde::Serialize)]
            struct Out<'a> {
                logistics: &'a Logistics,
                /// The plan the logistics are for (made here when what-ifs or no plan were given).
                plan: &'a PlanV2,
                replanned: bool,
            }
            print_json(&Out {
                logistics: l,
                plan,
                replanned,
            })?;
        }
        Format::Csv => {
            // One sheet: a row per facility, then a row per region (facility column "*").
            let mut rows: Vec<Vec<String>> = l
                .facilities
                .iter()
                .map(|f| {
                    vec![
                        f.region.clone(),
                        f.facility.clone(),
                        f.units.to_string(),
                        format!("{:.3}", f.donated_kw),
                        format!("{:.1}", f.litres_per_day),
                        opt(f.tank_l, 0),
                        opt(f.days_of_autonomy, 2),
                        format!("{}", f.resupply_days),
                        opt(f.tank_needed_l, 0),
                        format!("{:.0}", f.litres_per_delivery),
                        f.deliveries.to_string(),
                        opt(f.eur_per_day, 2),
                        opt(f.eur_per_kw, 2),
                    ]
                })
                .collect();
            for r in &l.regions {
                rows.push(vec![
                    r.region.clone(),
                    "*".into(),
                    String::new(),
                    String::new(),
                    format!("{:.1}", r.litres_per_day),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    r.deliveries.to_string(),
                    opt(r.eur_per_day, 2),
                    String::new(),
                ]);
            }
            print_csv(
                &[
                    "region",
                    "facility",
                    "units",
                    "donated_kw",
                    "litres_per_day",
                    "tank_l",
                    "days_of_autonomy",
                    "resupply_days",
                    "tank_needed_l",
                    "litres_per_delivery",
                    "deliveries",
                    "eur_per_day",
                    "eur_per_kw",
                ],
                &rows,
            )?;
        }
        Format::Table => {
            let rows: Vec<Vec<String>> = l
                .facilities
                .iter()
                .map(|f| {
                    vec![
                        f.facility.clone(),
                        f.region.clone(),
                        f.units.to_string(),
                        f1(f.donated_kw),
                        format!("{:.0}", f.litres_per_day),
                        f.tank_l
                            .map_or_else(|| "unknown".into(), |t| format!("{t:.0}")),
                        opt(f.days_of_autonomy, 1),
                        format!("{}", f.resupply_days),
                        format!("{:.0}", f.litres_per_delivery),
                        f.deliveries.to_string(),
                        opt(f.eur_per_day, 0),
                        opt(f.eur_per_kw, 0),
                    ]
                })
                .collect();
            print_table(
                &[
                    "facility",
                    "region",
                    "units",
                    "donated kW",
                    "L/day",
                    "tank L",
                    "days on tank",
                    "resupply every (days)",
                    "L per delivery",
                    "deliveries",
                    "€/day",
                    "€ per kW",
                ],
                &rows,
            );
            let regions: Vec<Vec<String>> = l
                .regions
                .iter()
                .map(|r| {
                    vec![
                        r.region.clone(),
                        f1(r.outage_h_per_day),
                        format!("{:.0}", r.litres_per_day),
                        format!("{:.0}", r.deliverable_l_per_day),
                        format!("{:.0} %", r.utilisation * 100.0),
                        r.facilities_supplied.to_string(),
                        r.deliveries.to_string(),
                        opt(r.eur_over_horizon, 0),
                    ]
                })
                .collect();
            print_table(
                &[
                    "region",
                    "outage h/day",
                    "L/day",
                    "deliverable L/day",
                    "used",
                    "facilities",
                    "deliveries",
                    "€ over horizon",
                ],
                &regions,
            );
            out(&format!(
                "{}: {:.0} L per day (a daily rate, on every day of the {}-day horizon){}{}",
                l.fuel,
                l.total_litres_per_day,
                l.horizon_days,
                l.total_eur_per_day
                    .map_or_else(String::new, |e| format!(", €{e:.0}/day")),
                l.total_eur_over_horizon
                    .map_or_else(String::new, |e| format!(", €{e:.0} in all"))
            ));
            if replanned {
                out(&format!(
                    "plan made for these figures: objective {:.1}, gap {:.3} %",
                    plan.objective,
                    plan.gap * 100.0
                ));
            }
            out("assumptions:");
            for a in &l.assumptions {
                out(&format!("  - {a}"));
            }
        }
    }
    Ok(Outcome::Clean)
}
