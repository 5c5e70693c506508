//! `aidtrace energy autonomy`: the outage simulator's options (published schedules, another
//! solar table, a plan's units) and its output.

use std::path::{Path, PathBuf};

use aidtrace_energy::autonomy::{
    self, AutonomySummary, Profile, Regime, Survival, autonomy_with_units_in,
};
use aidtrace_energy::autonomy::{Limit, Tier};
use aidtrace_energy::sim::plan_units::units_from_plan;
use aidtrace_energy::sim::schedule::Schedule;
use aidtrace_energy::sim::solar::{MONTHS, YieldTable};
use aidtrace_service::energy_autonomy_store::{HoursBound, StoreProfile};
use comfy_table::Table;

use crate::cmd_energy::say_line;
use crate::error::CliError;
use crate::output::Format;

macro_rules! say {
    ($($arg:tt)*) => {
        say_line(format_args!($($arg)*))?
    };
}

/// What `energy autonomy` was asked besides the profile.
pub struct Options {
    pub schedules: Vec<PathBuf>,
    pub solar_table: Option<YieldTable>,
    pub with_plan: Option<PathBuf>,
    pub instance: Option<PathBuf>,
    pub facility: Option<String>,
    pub format: Format,
    /// Set when the profile was read from the store: what the store could not say, which
    /// bounds the hours (unknown loads, backup, fuel).
    pub store: Option<StoreProfile>,
}

fn read(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|e| CliError::input(format!("cannot read {}: {e}", path.display())))
}

fn input(path: &Path, e: impl std::fmt::Display) -> CliError {
    CliError::input(format!("{}: {e}", path.display()))
}

/// Reads `--solar-table` (checked month by month) before the profile, whose `region` must be in it.
pub fn solar_table(path: Option<&Path>) -> Result<Option<YieldTable>, CliError> {
    path.map(|path| YieldTable::from_json_slice(&read(path)?).map_err(|e| input(path, e)))
        .transpose()
}

pub fn run(mut p: Profile, o: &Options) -> Result<(), CliError> {
    for path in &o.schedules {
        let text = String::from_utf8(read(path)?)
            .map_err(|_| input(path, "schedule CSV must be UTF-8 text"))?;
        let schedule = Schedule::from_csv(&text).map_err(|e| input(path, e))?;
        p.regimes.push(Regime {
            name: format!(
                "schedule {}",
                path.file_name().map_or_else(
                    || path.display().to_string(),
                    |n| n.to_string_lossy().into_owned()
                )
            ),
            rolling_hours_off_per_day: 0,
            strike_probability_per_day: 0.0,
            strike_outage_h: [48, 120],
            schedule: Some(schedule),
        });
    }
    if let Some(plan) = &o.with_plan {
        let (Some(inst), Some(facility)) = (&o.instance, &o.facility) else {
            return Err(CliError::input(
                "--with-plan needs --instance (the instance the plan was made for) and --facility",
            ));
        };
        let pu =
            units_from_plan(&read(plan)?, &read(inst)?, facility).map_err(|e| input(plan, e))?;
        let mut s = autonomy_with_units_in(&p, &pu.units, o.solar_table.as_ref());
        s.assumptions.insert(0, pu.assumption);
        if let Some(sp) = &o.store {
            for (i, n) in sp.notes.iter().enumerate() {
                s.assumptions.insert(i + 1, n.clone());
            }
        }
        return print_summary(&s, o.format, o.store.as_ref());
    }
    let mut a = autonomy::assess_with_table(&p, o.solar_table.as_ref());
    if let Some(sp) = &o.store {
        for (i, n) in sp.notes.iter().enumerate() {
            a.assumptions.insert(i, n.clone());
        }
        a.assumptions.push(
            "the changeover gap is taken as bridged (the store records no UPS or battery)".into(),
        );
    }
    print_assessment(&a, o.format, o.store.as_ref())
}

/// The bound on a tier's hours where the profile came from the store (exact otherwise).
fn bound(store: Option<&StoreProfile>, tier: Tier, limit: Option<&Limit>) -> HoursBound {
    store.map_or(HoursBound::Exact, |sp| sp.bound(tier, limit))
}

/// The store's facility, backup and fuel, and what bounds the figures below, before the tables.
fn store_header(sp: &StoreProfile) -> Result<(), CliError> {
    say!("facility: {} ({})", sp.facility, sp.name);
    let condition = sp
        .backup_condition
        .map_or("condition not recorded", |c| c.as_str());
    match (sp.backup_kva, sp.backup_kw) {
        (Some(kva), Some(kw)) => say!("own backup: {kva} kVA, {condition}, {kw:.1} kW usable"),
        (Some(kva), None) => say!("own backup: {kva} kVA, {condition}, 0 kW usable"),
        (None, _) => say!("own backup: unknown (no kVA recorded), {condition}"),
    }
    say!(
        "fuel on site: {}{}",
        sp.fuel.english(),
        sp.tank_litres
            .map_or_else(String::new, |t| format!("; tank {t:.0} L"))
    );
    if let Some(st) = &sp.stale_fuel {
        say!("WARNING: {}", st.english());
    }
    if sp.unknown_loads.is_empty() {
        say!("loads: every surveyed load states its average kW");
    } else {
        say!(
            "loads unknown ({}): {} — hours and P of their tier and the less urgent ones are at most the figures shown; never 'covered'",
            sp.unknown_loads.len(),
            sp.unknown_loads
                .iter()
                .map(|u| format!("{} {} ({})", u.item, u.what, u.tier.as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

#[derive(serde::Serialize)]
struct WithStore<'a, T: serde::Serialize> {
    store: &'a StoreProfile,
    #[serde(flatten)]
    result: &'a T,
    /// Per tier: `exact`, `at_most` (unknown loads), `at_least` or `unknown` (fuel or backup).
    hours_bound: Vec<(Tier, &'static str)>,
}

fn p_ci(p: f64, ci: [f64; 2]) -> String {
    format!("{p:.3} [{:.3}, {:.3}]", ci[0], ci[1])
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, CliError> {
    serde_json::to_string_pretty(v).map_err(|e| CliError::failure(e.to_string()))
}

fn csv_err(e: csv::Error) -> CliError {
    CliError::failure(e.to_string())
}

fn survival_csv(rows: &[Survival]) -> Result<(), CliError> {
    let mut w = csv::Writer::from_writer(std::io::stdout());
    // The first five columns are the ones earlier versions wrote; intervals follow.
    w.write_record([
        "regime",
        "duration_h",
        "life_support",
        "critical",
        "other",
        "life_support_ci_low",
        "life_support_ci_high",
        "critical_ci_low",
        "critical_ci_high",
        "other_ci_low",
        "other_ci_high",
    ])
    .map_err(csv_err)?;
    for s in rows {
        let f = |v: f64| format!("{v:.4}");
        w.write_record(crate::output::sheet_row([
            s.regime.clone(),
            s.duration_h.to_string(),
            f(s.life_support),
            f(s.critical),
            f(s.other),
            f(s.life_support_ci[0]),
            f(s.life_support_ci[1]),
            f(s.critical_ci[0]),
            f(s.critical_ci[1]),
            f(s.other_ci[0]),
            f(s.other_ci[1]),
        ]))
        .map_err(csv_err)?;
    }
    w.flush()?;
    Ok(())
}

fn survival_table(rows: &[Survival]) -> Table {
    let mut s = Table::new();
    s.set_header([
        "regime",
        "outage h",
        "P life support [95 %]",
        "P critical [95 %]",
        "P other [95 %]",
    ]);
    for v in rows {
        s.add_row([
            v.regime.clone(),
            v.duration_h.to_string(),
            p_ci(v.life_support, v.life_support_ci),
            p_ci(v.critical, v.critical_ci),
            p_ci(v.other, v.other_ci),
        ]);
    }
    s
}

fn print_summary(
    s: &AutonomySummary,
    format: Format,
    store: Option<&StoreProfile>,
) -> Result<(), CliError> {
    match format {
        Format::Json => match store {
            Some(sp) => say!(
                "{}",
                to_json(&WithStore {
                    store: sp,
                    result: s,
                    hours_bound: s
                        .hours
                        .iter()
                        .map(|h| (h.tier, sp.bound(h.tier, h.limit.as_ref()).key()))
                        .collect(),
                })?
            ),
            None => say!("{}", to_json(s)?),
        },
        Format::Csv => survival_csv(&s.survival)?,
        Format::Table => {
            match store {
                Some(sp) => store_header(sp)?,
                None => say!("facility: {}", s.facility),
            }
            say!(
                "units from the plan: {}",
                if s.units_added.is_empty() {
                    "none".to_string()
                } else {
                    s.units_added.join(", ")
                }
            );
            let mut t = Table::new();
            t.set_header(["tier (cumulative)", "autonomy h", "L/day", "limited by"]);
            for h in &s.hours {
                t.add_row([
                    h.tier.name().to_string(),
                    bound(store, h.tier, h.limit.as_ref()).english(&format!("{:.0}", h.hours)),
                    format!("{:.0}", h.litres_per_day),
                    h.limited_by.clone(),
                ]);
            }
            say!("{t}");
            say!("{}", survival_table(&s.survival));
            say!(
                "autonomy h: continuous outage from 1 January 00:00 on the fuel on site, no failures; P: continuous outage from a random hour of the year with start failures and failures while running"
            );
            say!("assumptions:");
            for a in &s.assumptions {
                say!("  - {a}");
            }
        }
    }
    Ok(())
}

fn print_assessment(
    a: &autonomy::Assessment,
    format: Format,
    store: Option<&StoreProfile>,
) -> Result<(), CliError> {
    match format {
        Format::Json => match store {
            Some(sp) => say!(
                "{}",
                to_json(&WithStore {
                    store: sp,
                    result: a,
                    hours_bound: a
                        .autonomy
                        .iter()
                        .map(|h| (h.tier, sp.bound(h.tier, h.limit.as_ref()).key()))
                        .collect(),
                })?
            ),
            None => say!("{}", to_json(a)?),
        },
        Format::Csv => {
            survival_csv(&a.survival)?;
            for x in &a.assumptions {
                eprintln!("assumption: {x}");
            }
        }
        Format::Table => {
            match store {
                Some(sp) => store_header(sp)?,
                None => say!("facility: {}", a.facility),
            }
            let mut t = Table::new();
            t.set_header([
                "tier (cumulative)",
                "day kW",
                "night kW",
                "autonomy h",
                "with resupply h",
                "L/day",
                "limited by",
            ]);
            for (l, h) in a.loads.iter().zip(&a.autonomy) {
                let b = bound(store, h.tier, h.limit.as_ref());
                t.add_row([
                    l.tier.name().to_string(),
                    format!("{:.1}", l.day_kw),
                    format!("{:.1}", l.night_kw),
                    b.english(&format!("{:.0}", h.hours)),
                    h.hours_with_resupply
                        .map_or_else(|| "-".into(), |v| b.english(&format!("{v:.0}"))),
                    format!("{:.0}", h.litres_per_day),
                    h.limited_by.clone(),
                ]);
            }
            say!("{t}");
            if let Some(sp) = store {
                let bounded: Vec<String> = a
                    .autonomy
                    .iter()
                    .filter_map(|h| {
                        let b = sp.bound(h.tier, h.limit.as_ref());
                        (b != HoursBound::Exact).then(|| format!("{} {}", h.tier.name(), b.key()))
                    })
                    .collect();
                if !bounded.is_empty() {
                    say!(
                        "the sweep, P and unserved figures below carry the same bounds ({}): they are simulated on the known loads{}",
                        bounded.join(", "),
                        if sp.fuel.is_known() {
                            ""
                        } else {
                            " and 0 L of fuel, because the fuel on site is unknown"
                        }
                    );
                }
            }
            let sw = &a.sweep;
            say!(
                "year sweep: continuous outage starting every {} h of the year ({} starts), up to {} h, nothing failing",
                sw.every_h,
                sw.starts,
                sw.horizon_h
            );
            let mut s = Table::new();
            let mut head = vec![
                "tier".to_string(),
                "min h".into(),
                "mean h".into(),
                "max h".into(),
            ];
            if let Some(t0) = sw.tiers.first() {
                head.extend(t0.p_survive.iter().map(|d| format!("P {} h", d.duration_h)));
            }
            s.set_header(head);
            for t in &sw.tiers {
                let mut row = vec![
                    t.tier.name().to_string(),
                    format!("{:.0}", t.min_h),
                    format!("{:.1}", t.mean_h),
                    format!("{:.0}", t.max_h),
                ];
                row.extend(t.p_survive.iter().map(|d| format!("{:.3}", d.p)));
                s.add_row(row);
            }
            say!("{s}");
            let mut m = Table::new();
            let mut head = vec!["mean h by start month".to_string()];
            head.extend(MONTHS.iter().map(|s| (*s).to_string()));
            m.set_header(head);
            for t in &sw.tiers {
                let mut row = vec![t.tier.name().to_string()];
                row.extend(t.by_month_mean_h.iter().map(|v| format!("{v:.0}")));
                m.add_row(row);
            }
            say!("{m}");
            let mut h = Table::new();
            let mut head = vec!["mean h by start hour".to_string()];
            head.extend((0..24).step_by(3).map(|x| format!("{x:02}h")));
            h.set_header(head);
            for t in &sw.tiers {
                let mut row = vec![t.tier.name().to_string()];
                row.extend(
                    t.by_hour_mean_h
                        .iter()
                        .step_by(3)
                        .map(|v| format!("{v:.0}")),
                );
                h.add_row(row);
            }
            say!("{h}");
            say!("{}", survival_table(&a.survival));
            let mut u = Table::new();
            u.set_header([
                "regime",
                "horizon h",
                "unserved kWh life support",
                "critical",
                "other",
            ]);
            for r in &a.unserved {
                let c = |v: f64, h: f64| format!("{v:.1} ± {h:.1}");
                u.add_row([
                    r.regime.clone(),
                    r.horizon_h.to_string(),
                    c(r.life_support_kwh, r.ci_half_kwh[0]),
                    c(r.critical_kwh, r.ci_half_kwh[1]),
                    c(r.other_kwh, r.ci_half_kwh[2]),
                ]);
            }
            say!("{u}");
            for w in &a.warnings {
                say!("warning: {w}");
            }
            say!("assumptions:");
            for x in &a.assumptions {
                say!("  - {x}");
            }
        }
    }
    Ok(())
}
