//! `/energy/v2`: the plan per oblast as a tile grid (issue 16, "per-oblast view on the map").
//! `shared/data/geo` holds country outlines only, no admin-1 boundaries, so each oblast is one
//! square tile at its approximate place (west to east, north to south), labelled by its
//! ISO 3166-2:UA number and shaded by the share of its planned facilities' load the plan
//! serves (the map's `aid0`…`aid4` classes and swatches, [`crate::map::svg::Shade`]). Each
//! tile's title and the table under the grid give coverage, fuel per day and facilities. No
//! links inside the drawing (nothing nested to focus), no script, and it scales to 390 px.

use std::collections::BTreeMap;

use aidtrace_service::energy_plan_v2::StorePlanV2;
use maud::{Markup, html};

use crate::i18n::{self, t, ta};
use crate::map::svg::Shade;

/// Tile places (column, row) of Ukraine's oblasts, Kyiv city and Crimea by ISO 3166-2 code.
const TILES: [(&str, u8, u8); 27] = [
    ("UA-07", 1, 0),
    ("UA-56", 2, 0),
    ("UA-18", 3, 0),
    ("UA-32", 4, 0),
    ("UA-74", 5, 0),
    ("UA-59", 6, 0),
    ("UA-46", 0, 1),
    ("UA-61", 1, 1),
    ("UA-68", 2, 1),
    ("UA-05", 3, 1),
    ("UA-30", 4, 1),
    ("UA-53", 5, 1),
    ("UA-63", 6, 1),
    ("UA-09", 7, 1),
    ("UA-21", 0, 2),
    ("UA-26", 1, 2),
    ("UA-77", 2, 2),
    ("UA-35", 3, 2),
    ("UA-71", 4, 2),
    ("UA-12", 5, 2),
    ("UA-14", 6, 2),
    ("UA-51", 3, 3),
    ("UA-48", 4, 3),
    ("UA-65", 5, 3),
    ("UA-23", 6, 3),
    ("UA-40", 4, 4),
    ("UA-43", 5, 4),
];

const SIDE: f64 = 52.0;
const GAP: f64 = 4.0;

/// What one oblast's tile says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OblastFigures {
    pub facilities: usize,
    pub load_kw: f64,
    pub served_kw: f64,
    pub litres_per_day: f64,
}

impl OblastFigures {
    /// Served / load, 0 to 1 (1 when nothing is to serve).
    pub fn coverage(&self) -> f64 {
        if self.load_kw > 0.0 {
            (self.served_kw / self.load_kw).clamp(0.0, 1.0)
        } else {
            1.0
        }
    }
}

/// The shade class of a coverage: `aid4` only when everything is served.
pub fn coverage_class(c: f64) -> usize {
    if c >= 1.0 - 1e-9 {
        4
    } else if c >= 0.75 {
        3
    } else if c >= 0.5 {
        2
    } else if c >= 0.25 {
        1
    } else {
        0
    }
}

/// Per region id: the planned facilities' load and served kW (`explain`) and the fuel per day
/// the logistics plan delivers there.
pub fn figures(p: &StorePlanV2) -> BTreeMap<String, OblastFigures> {
    let mut out: BTreeMap<String, OblastFigures> = BTreeMap::new();
    for e in &p.explain {
        let o = out.entry(e.region.clone()).or_default();
        o.facilities += 1;
        o.load_kw += e.loads_kw.life_support + e.loads_kw.critical + e.loads_kw.essential;
        o.served_kw += e.served_kw.life_support + e.served_kw.critical + e.served_kw.essential;
    }
    for r in &p.logistics.regions {
        out.entry(r.region.clone()).or_default().litres_per_day = r.litres_per_day;
    }
    out
}

fn percent(c: f64) -> String {
    i18n::number(rust_decimal::Decimal::from(
        (c * 100.0).floor().clamp(0.0, 100.0) as i64,
    ))
}

fn litres(l: f64) -> String {
    i18n::number(rust_decimal::Decimal::from(
        l.round().clamp(0.0, 1e12) as i64
    ))
}

/// The grid, its legend and the table of the tiles with figures; nothing for a plan without
/// Ukrainian regions (the tiles are Ukraine's).
pub fn oblast_view(p: &StorePlanV2) -> Markup {
    let figs = figures(p);
    if !figs.keys().any(|k| TILES.iter().any(|(c, ..)| c == k)) {
        return html! {};
    }
    let shades: BTreeMap<&str, Shade> = figs
        .iter()
        .map(|(code, o)| {
            let title = ta(
                "energy2-oblast-tile",
                &[
                    ("region", code),
                    ("coverage", &percent(o.coverage())),
                    ("litres", &litres(o.litres_per_day)),
                    ("facilities", &o.facilities.to_string()),
                ],
            );
            (
                code.as_str(),
                Shade {
                    class: coverage_class(o.coverage()),
                    title,
                },
            )
        })
        .collect();
    let cols = 8.0;
    let rows = 5.0;
    let w = cols * (SIDE + GAP) + GAP;
    let h = rows * (SIDE + GAP) + GAP;
    html! {
        h2 id="energy2-oblasts-title" { (t("energy2-oblasts")) }
        p class="muted" { (t("energy2-oblasts-intro")) }
        svg class="map oblast-grid" id="energy2-oblasts" role="group" aria-labelledby="energy2-oblasts-caption"
            viewBox=(format!("0 0 {w:.0} {h:.0}")) width=(format!("{w:.0}")) height=(format!("{h:.0}")) {
            title id="energy2-oblasts-caption" { (t("energy2-oblasts")) }
            @for (code, col, row) in TILES {
                @let x = GAP + f64::from(col) * (SIDE + GAP);
                @let y = GAP + f64::from(row) * (SIDE + GAP);
                @let shade = shades.get(code);
                @let number = code.trim_start_matches("UA-");
                g class="tile" data-region=(code) {
                    rect x=(format!("{x:.0}")) y=(format!("{y:.0}")) width=(format!("{SIDE:.0}")) height=(format!("{SIDE:.0}")) rx="4"
                        class=(shade.map_or("country".to_string(), |s| format!("country aid{}", s.class))) {
                        title { (shade.map_or_else(|| ta("energy2-oblast-none", &[("region", code)]), |s| s.title.clone())) }
                    }
                    text x=(format!("{:.0}", x + SIDE / 2.0)) y=(format!("{:.0}", y + 22.0)) class="label" text-anchor="middle" { (number) }
                    @if let Some(o) = figs.get(code) {
                        text x=(format!("{:.0}", x + SIDE / 2.0)) y=(format!("{:.0}", y + 40.0)) class="label" text-anchor="middle" { (percent(o.coverage())) " %" }
                    }
                }
            }
        }
        section class="legend" aria-labelledby="energy2-oblasts-legend" {
            h2 id="energy2-oblasts-legend" { (t("energy2-oblasts-legend")) }
            ul {
                li { span class="swatch none" {} " " (t("energy2-oblast-legend-none")) }
                li { span class="swatch aid0" {} " " (ta("energy2-oblast-legend-range", &[("from", "0"), ("to", "25")])) }
                li { span class="swatch aid1" {} " " (ta("energy2-oblast-legend-range", &[("from", "25"), ("to", "50")])) }
                li { span class="swatch aid2" {} " " (ta("energy2-oblast-legend-range", &[("from", "50"), ("to", "75")])) }
                li { span class="swatch aid3" {} " " (ta("energy2-oblast-legend-range", &[("from", "75"), ("to", "100")])) }
                li { span class="swatch aid4" {} " " (t("energy2-oblast-legend-full")) }
            }
        }
        table id="energy2-oblast-table" {
            thead { tr {
                th { (t("energy-region")) } th { (t("energy2-oblast-facilities")) }
                th { (t("energy2-oblast-coverage")) } th { (t("energy2-oblast-litres")) }
            } }
            tbody {
                @for (code, o) in &figs {
                    tr {
                        td { (code) } td class="num" { (o.facilities) }
                        td class="num" { (percent(o.coverage())) " %" } td class="num" { (litres(o.litres_per_day)) }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tile_has_its_own_place() {
        let mut seen = std::collections::BTreeSet::new();
        for (code, col, row) in TILES {
            assert!(seen.insert((col, row)), "{code} shares a place");
            assert!(col < 8 && row < 5, "{code} outside the grid");
        }
    }

    #[test]
    fn only_full_coverage_is_the_darkest_class() {
        assert_eq!(coverage_class(1.0), 4);
        assert_eq!(coverage_class(0.999), 3);
        assert_eq!(coverage_class(0.75), 3);
        assert_eq!(coverage_class(0.5), 2);
        assert_eq!(coverage_class(0.25), 1);
        assert_eq!(coverage_class(0.0), 0);
    }
}
