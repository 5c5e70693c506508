//! The tables of a version 2 plan (`/energy/v2`): one [`Table`] per view, shared by the page and
//! the CSV/XLSX downloads so both show the same figures; the page adds translated headers.

use aidtrace_service::energy::aidtrace_energy::autonomy::Tier as SimTier;
use aidtrace_service::energy::aidtrace_energy::sim::assess::TierHours;
use aidtrace_service::energy_autonomy_store::HoursBound;
use aidtrace_service::energy_plan_v2::{FacilityAutonomy, StorePlanV2};
use maud::{Markup, html};

use crate::i18n::{self, t, ta};
use crate::tables::Table;

fn f(v: f64, dp: usize) -> String {
    format!("{v:.dp$}")
}

fn opt(v: Option<f64>, dp: usize) -> String {
    v.map_or_else(String::new, |v| format!("{v:.dp$}"))
}

/// A machine figure of a table cell in the reader's format.
fn shown(cell: &str) -> String {
    cell.parse::<rust_decimal::Decimal>()
        .map_or_else(|_| cell.to_string(), i18n::number)
}

/// The simulator's tier as the survey's tier name (its `other` is MODEL-v2's `essential`).
fn tier_key(t: SimTier) -> &'static str {
    match t {
        SimTier::LifeSupport => "life_support",
        SimTier::Critical => "critical",
        SimTier::Other => "essential",
    }
}

/// One row per facility of the instance: its units, served kW per tier and why.
pub fn plan_table(p: &StorePlanV2) -> Table {
    let rows = p
        .explain
        .iter()
        .map(|e| {
            vec![
                e.facility.clone(),
                p.name_of(&e.facility).to_string(),
                e.region.clone(),
                f(e.loads_kw.total(), 1),
                f(e.own_backup_kw, 1),
                e.units.join(" "),
                f(e.served_kw.life_support, 1),
                f(e.served_kw.critical, 1),
                f(e.served_kw.essential, 1),
                f(e.unserved_kw.total(), 1),
                e.binding.key().to_string(),
                crate::energy::v2_reasons::facility_text(e),
            ]
        })
        .collect();
    Table {
        name: "energy-v2-plan".into(),
        headers: vec![
            "facility",
            "name",
            "region",
            "load_kw",
            "own_backup_kw",
            "units",
            "served_life_support_kw",
            "served_critical_kw",
            "served_essential_kw",
            "unserved_kw",
            "binding",
            "why",
        ],
        rows,
    }
}

const PLAN_HEADERS: [&str; 12] = [
    "energy-facility",
    "energy-facility",
    "energy-region",
    "energy2-load-kw",
    "energy2-own-backup",
    "energy-units",
    "val-life_support",
    "val-critical",
    "val-essential",
    "energy2-unserved",
    "energy-binding",
    "energy2-why",
];

/// One row per region (facility `*`), then one per supplied facility.
pub fn logistics_table(p: &StorePlanV2) -> Table {
    let l = &p.logistics;
    let mut rows: Vec<Vec<String>> = l
        .regions
        .iter()
        .map(|r| {
            vec![
                r.region.clone(),
                "*".into(),
                f(r.outage_h_per_day, 1),
                String::new(),
                f(r.litres_per_day, 0),
                f(r.deliverable_l_per_day, 0),
                f(r.utilisation * 100.0, 0),
                r.facilities_supplied.to_string(),
                r.deliveries.to_string(),
                String::new(),
                opt(r.eur_per_day, 0),
                opt(r.eur_over_horizon, 0),
            ]
        })
        .collect();
    for x in &l.facilities {
        rows.push(vec![
            x.region.clone(),
            x.facility.clone(),
            String::new(),
            x.units.to_string(),
            f(x.litres_per_day, 0),
            String::new(),
            String::new(),
            String::new(),
            x.deliveries.to_string(),
            f(x.litres_per_delivery, 0),
            opt(x.eur_per_day, 0),
            String::new(),
        ]);
    }
    Table {
        name: "energy-v2-logistics".into(),
        headers: vec![
            "region",
            "facility",
            "outage_h_per_day",
            "units",
            "litres_per_day",
            "deliverable_l_per_day",
            "utilisation_percent",
            "facilities_supplied",
            "deliveries",
            "litres_per_delivery",
            "eur_per_day",
            "eur_over_horizon",
        ],
        rows,
    }
}

const LOGISTICS_HEADERS: [&str; 12] = [
    "energy-region",
    "energy-facility",
    "energy2-outage-h",
    "energy2-units-count",
    "energy2-litres-day",
    "energy2-deliverable",
    "energy2-utilisation",
    "energy2-facilities-supplied",
    "energy2-deliveries",
    "energy2-per-delivery",
    "energy2-eur-day",
    "energy2-eur-horizon",
];

fn survival_of(a: &FacilityAutonomy, tier: SimTier, hours: u32) -> Option<f64> {
    a.summary
        .survival
        .iter()
        .find(|s| s.duration_h == hours)
        .map(|s| match tier {
            SimTier::LifeSupport => s.life_support,
            SimTier::Critical => s.critical,
            SimTier::Other => s.other,
        })
}

/// The `fuel_basis` code of a facility's starting fuel (its serde id).
fn fuel_basis_key(a: &FacilityAutonomy) -> String {
    a.fuel_basis_why
        .as_ref()
        .and_then(|b| serde_json::to_value(b).ok())
        .and_then(|v| v.get("id").and_then(|i| i.as_str()).map(str::to_string))
        .unwrap_or_default()
}

/// The `limit` code of what ends a tier's autonomy (its serde id).
fn limit_key(h: &TierHours) -> String {
    h.limit
        .as_ref()
        .and_then(|l| serde_json::to_value(l).ok())
        .and_then(|v| v.get("id").and_then(|i| i.as_str()).map(str::to_string))
        .unwrap_or_default()
}

/// One row per facility and tier for the CSV/XLSX download: hours of autonomy and P(survive
/// 24/72/168 h) in %, each text column (fuel basis, what limits the tier) worded in the page's
/// language with its machine code beside it. A figure that depends on what nobody recorded
/// (fuel on site unknown) is left empty with `hours_bound` = `unknown`, never written as 0.
pub fn autonomy_table(p: &StorePlanV2) -> Table {
    let rows = p
        .autonomy
        .iter()
        .flat_map(|a| {
            a.summary.hours.iter().map(move |h| {
                let b = a.bound(h);
                let known = b != HoursBound::Unknown;
                let fig = |v: Option<f64>, dp: usize| opt(v.filter(|_| known), dp);
                let fuel_known = a.fuel_basis_why.as_ref().and_then(|x| x.known()).is_some();
                vec![
                    a.facility.clone(),
                    a.name.clone(),
                    a.summary.units_added.len().to_string(),
                    opt(Some(a.fuel_on_site_l).filter(|_| fuel_known), 0),
                    fuel_basis_key(a),
                    crate::energy::v2_notes::fuel_basis(a),
                    tier_key(h.tier).to_string(),
                    fig(Some(h.hours), 1),
                    b.key().to_string(),
                    fig(survival_of(a, h.tier, 24).map(|v| v * 100.0), 0),
                    fig(survival_of(a, h.tier, 72).map(|v| v * 100.0), 0),
                    fig(survival_of(a, h.tier, 168).map(|v| v * 100.0), 0),
                    limit_key(h),
                    crate::energy::v2_notes::limit(h),
                ]
            })
        })
        .collect();
    Table {
        name: "energy-v2-autonomy".into(),
        headers: vec![
            "facility",
            "name",
            "units_added",
            "fuel_on_site_l",
            "fuel_basis",
            "fuel_basis_text",
            "tier",
            "hours",
            "hours_bound",
            "p_survive_24h_percent",
            "p_survive_72h_percent",
            "p_survive_168h_percent",
            "limit",
            "limited_by",
        ],
        rows,
    }
}

/// A figure of the page's autonomy table with its bound (`≥`, `≤`) or "unknown".
fn bounded(b: HoursBound, v: Option<f64>, dp: usize) -> String {
    let Some(v) = v else {
        return String::new();
    };
    let n = shown(&f(v, dp));
    match b {
        HoursBound::Exact => n,
        HoursBound::AtMost => format!("≤ {n}"),
        HoursBound::AtLeast => format!("≥ {n}"),
        HoursBound::Unknown => t("survey-unknown"),
    }
}

/// The page's autonomy table: the download's columns without the machine codes, figures
/// already formatted with their bounds.
fn autonomy_page_table(p: &StorePlanV2) -> Table {
    let rows = p
        .autonomy
        .iter()
        .flat_map(|a| {
            a.summary.hours.iter().map(move |h| {
                let b = a.bound(h);
                let fuel_known = a.fuel_basis_why.as_ref().and_then(|x| x.known()).is_some();
                vec![
                    a.facility.clone(),
                    a.name.clone(),
                    a.summary.units_added.len().to_string(),
                    if fuel_known {
                        shown(&f(a.fuel_on_site_l, 0))
                    } else {
                        t("survey-unknown")
                    },
                    tier_key(h.tier).to_string(),
                    bounded(b, Some(h.hours), 1),
                    bounded(b, survival_of(a, h.tier, 24).map(|v| v * 100.0), 0),
                    bounded(b, survival_of(a, h.tier, 72).map(|v| v * 100.0), 0),
                    bounded(b, survival_of(a, h.tier, 168).map(|v| v * 100.0), 0),
                    crate::energy::v2_notes::limit(h),
                ]
            })
        })
        .collect();
    Table {
        name: "energy-v2-autonomy".into(),
        headers: vec![
            "facility",
            "name",
            "units_added",
            "fuel_on_site_l",
            "tier",
            "hours",
            "p_survive_24h_percent",
            "p_survive_72h_percent",
            "p_survive_168h_percent",
            "limited_by",
        ],
        rows,
    }
}

const AUTONOMY_HEADERS: [&str; 10] = [
    "energy-facility",
    "energy-facility",
    "energy2-units-count",
    "energy2-fuel-on-site",
    "survey-tier",
    "energy2-hours",
    "energy2-p24",
    "energy2-p72",
    "energy2-p168",
    "energy2-limited-by",
];

/// Columns whose cells are figures (right-aligned, shown in the reader's number format).
fn is_num(header: &str) -> bool {
    header.ends_with("_kw")
        || header.ends_with("_l")
        || header.ends_with("_day")
        || header.ends_with("percent")
        || header.ends_with("horizon")
        || header.ends_with("delivery")
        || matches!(
            header,
            "units" | "units_added" | "hours" | "deliveries" | "facilities_supplied"
        )
}

/// A table with translated headers; `skip` drops the machine id column shown as a link.
fn render(id: &str, table: &Table, headers: &[&str], link_col: Option<usize>) -> Markup {
    html! {
        table id=(id) {
            thead { tr {
                @for (i, h) in headers.iter().enumerate() {
                    @if Some(i) != link_col { th { (t(h)) } }
                }
            } }
            tbody {
                @for r in &table.rows {
                    tr {
                        @for (i, cell) in r.iter().enumerate() {
                            @if Some(i) == link_col {
                            } @else if link_col.is_some_and(|l| i == l + 1) {
                                td { a href=(format!("/facilities/{}", r[i - 1])) { (cell) } }
                            } @else if table.headers[i] == "binding" || table.headers[i] == "tier" {
                                td { (if table.headers[i] == "binding" { t(&format!("energy2-binding-{cell}")) } else { i18n::value(cell) }) }
                            } @else if is_num(table.headers[i]) {
                                td class="num" { (shown(cell)) }
                            } @else {
                                td { (cell) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The results of a plan: inputs, assignments, depot, facilities not planned, logistics,
/// autonomy, notes, and the download links (`query` repeats the form).
pub fn results(p: &StorePlanV2, query: &str) -> Markup {
    let plan = &p.plan;
    let fleet: Vec<String> = p
        .instance
        .fleet
        .iter()
        .map(|m| {
            format!(
                "{} ({} kW) × {}",
                m.model,
                shown(&f(m.prime_kw(p.instance.power_factor), 1)),
                m.count
            )
        })
        .collect();
    let link = |stem: &str, ext: &str| format!("/energy/v2/{stem}.{ext}{query}");
    html! {
        @if !p.illustrative.is_empty() {
            p class="notice" id="energy2-illustrative" { strong { (t("energy2-illustrative")) } }
        }
        h2 { (t("energy2-inputs")) }
        ul id="energy2-inputs" {
            li { (t("energy-fleet")) ": " (fleet.join(", ")) }
            li { (t("energy-horizon")) ": " (shown(&f(p.instance.horizon_days, 0))) " " (t("energy2-days")) "; "
                 (t("energy2-derate")) ": " (shown(&f(p.instance.derate, 2))) "; "
                 (t("energy2-min-loading")) ": " (shown(&f(p.instance.min_loading, 2))) "; "
                 (t("energy-max-units")) ": " (p.instance.max_units_per_facility) }
            li { (t("energy2-tier-weights")) ": "
                 (i18n::value("life_support")) " " (shown(&f(p.instance.tier_weights.life_support, 1))) ", "
                 (i18n::value("critical")) " " (shown(&f(p.instance.tier_weights.critical, 1))) ", "
                 (i18n::value("essential")) " " (shown(&f(p.instance.tier_weights.essential, 1))) }
            @if let Some(price) = p.logistics.fuel_price_eur_per_l {
                li { (t("energy2-fuel-price")) ": " (shown(&f(price, 2))) " €/L" }
            }
        }
        table id="energy2-regions" {
            thead { tr {
                th { (t("energy-region")) } th { (t("energy2-outage-h")) }
                th { (t("energy2-deliverable")) } th { (t("energy2-install-units")) }
            } }
            tbody {
                @for r in &p.instance.regions {
                    tr {
                        td { (r.id) } td class="num" { (shown(&f(r.outage_h_per_day, 1))) }
                        td class="num" { (shown(&f(r.fuel_l_per_day, 0))) } td class="num" { (r.install_units) }
                    }
                }
            }
        }
        @let kwh = aidtrace_service::energy::aidtrace_energy::v2::served_kwh(&p.instance, plan);
        p id="energy2-served-kwh" {
            (ta("energy2-served-kwh", &[
                ("days", &shown(&f(p.instance.horizon_days, 0))),
                ("kwh", &shown(&f(kwh.life_support + kwh.critical + kwh.essential, 0))),
                ("life", &shown(&f(kwh.life_support, 0))),
                ("critical", &shown(&f(kwh.critical, 0))),
                ("essential", &shown(&f(kwh.essential, 0))),
            ]))
        }
        p id="energy2-objective" {
            (t("energy2-objective")) ": " strong { (shown(&f(plan.objective, 0))) } " "
            span class="muted" { "(" (t("energy2-objective-why")) ")" } "; "
            (t("energy-bound")) ": " (shown(&f(plan.upper_bound, 1))) "; "
            (t("energy-gap")) ": " (shown(&f(plan.gap * 100.0, 3))) " %"
        }
        h2 id="energy2-plan-title" { (t("energy2-assignments")) }
        (render("energy2-plan", &plan_table(p), &PLAN_HEADERS, Some(0)))
        p class="exports" { (t("export")) ": " a href=(link("plan", "csv")) { "CSV" } " · " a href=(link("plan", "xlsx")) id="energy2-plan-xlsx" { "XLSX" } }
        h2 { (t("energy2-depot")) }
        @if plan.left_in_depot.is_empty() {
            p id="energy2-depot-empty" { (t("energy2-depot-empty")) }
        } @else {
            table id="energy2-depot" {
                thead { tr { th { (t("energy2-model")) } th { (t("energy2-units-count")) } th { (t("energy-binding")) } th { (t("energy2-why")) } } }
                tbody {
                    @for d in &plan.left_in_depot {
                        tr { td { (d.model) } td class="num" { (d.units) } td { (t(&format!("energy2-binding-{}", d.binding.key()))) } td { (crate::energy::v2_reasons::text(d.why.as_ref(), &d.reason)) } }
                    }
                }
            }
        }
        @if !p.left_out.is_empty() {
            h2 { (t("energy2-left-out")) }
            table id="energy2-left-out" {
                thead { tr { th { (t("energy-facility")) } th { (t("energy2-why")) } } }
                tbody {
                    @for l in &p.left_out {
                        tr { td { a href=(format!("/energy/survey/{}", l.facility)) { (l.name) } } td { (crate::energy::v2_notes::left_out(l)) } }
                    }
                }
            }
        }
        h2 { (t("energy2-logistics")) }
        (render("energy2-logistics", &logistics_table(p), &LOGISTICS_HEADERS, None))
        p {
            (t("energy2-total")) ": " (shown(&f(p.logistics.total_litres_per_day, 0))) " L/" (t("energy2-day"))
            @if let Some(e) = p.logistics.total_eur_per_day { ", " (shown(&f(e, 0))) " €/" (t("energy2-day")) }
            @if let Some(e) = p.logistics.total_eur_over_horizon { ", " (shown(&f(e, 0))) " € " (t("energy2-in-all")) }
        }
        ul class="muted" id="energy2-assumptions" { @for a in crate::energy::v2_notes::assumptions(p) { li { (a) } } }
        p class="exports" { (t("export")) ": " a href=(link("logistics", "csv")) { "CSV" } " · " a href=(link("logistics", "xlsx")) id="energy2-logistics-xlsx" { "XLSX" } }
        (crate::energy::v2_oblasts::oblast_view(p))
        h2 { (t("energy2-autonomy")) }
        (render("energy2-autonomy", &autonomy_page_table(p), &AUTONOMY_HEADERS, Some(0)))
        ul class="muted" id="energy2-fuel-basis" { @for a in &p.autonomy { li { (a.name) ": " (crate::energy::v2_notes::fuel_basis(a)) " · " a href=(format!("/energy/fuel/{}", a.facility)) { (t("fuel-title")) } } } }
        p class="exports" { (t("export")) ": " a href=(link("autonomy", "csv")) { "CSV" } " · " a href=(link("autonomy", "xlsx")) { "XLSX" } }
        h2 { (t("energy2-notes")) }
        ul id="energy2-notes" { @for n in crate::energy::v2_notes::notes(p) { li { (n) } } }
    }
}
