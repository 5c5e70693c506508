//! `/energy/v2`: the plan per oblast on a map of Ukraine (issue 16, "per-oblast view on the
//! map"). Admin-1 outlines are not available offline, so Ukraine is drawn from the country
//! outlines the site map uses ([`crate::map::geo`]) and each oblast is a proportional symbol at its
//! administrative centre (`data/ua_oblast_centres.csv`, sources in `data/SOURCE.md`): a circle
//! whose area is the fuel per day the plan must deliver there, shaded by the share of its planned
//! facilities' load the plan serves (the map's `aid0`…`aid4` classes), with the litres as text.
//! Each symbol is one link (nothing nested inside it) to the oblast's row of the table beside
//! the map, which lists the same figures and the oblast's planned facilities. No script; the
//! drawing scales down to 390 px.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use aidtrace_service::energy_plan_v2::StorePlanV2;
use maud::{Markup, html};

use crate::i18n::{self, Lang, t, ta};
use crate::map::geo::{self, BBox, Projection};

/// One oblast's administrative centre and its names.
#[derive(Debug, Clone, PartialEq)]
pub struct Centre {
    pub code: String,
    pub lat: f64,
    pub lon: f64,
    /// en, ru, uk, kk.
    pub names: [String; 4],
}

impl Centre {
    /// The oblast's name in the reader's language.
    pub fn name(&self) -> &str {
        let i = match i18n::current() {
            Lang::En => 0,
            Lang::Ru => 1,
            Lang::Uk => 2,
            Lang::Kk => 3,
        };
        &self.names[i]
    }
}

/// Parses the centres table; a malformed line is a build defect the tests catch, so it is
/// skipped rather than failing the page.
pub fn parse_centres(text: &str) -> Vec<Centre> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let c: Vec<&str> = line.split(',').map(str::trim).collect();
            let [code, lat, lon, _centre, en, ru, uk, kk] = c.as_slice() else {
                return None;
            };
            Some(Centre {
                code: (*code).to_string(),
                lat: lat.parse().ok()?,
                lon: lon.parse().ok()?,
                names: [en, ru, uk, kk].map(|s| (*s).to_string()),
            })
        })
        .collect()
}

/// Ukraine's oblasts, Kyiv city, Sevastopol and Crimea by ISO 3166-2 code.
pub static CENTRES: LazyLock<Vec<Centre>> =
    LazyLock::new(|| parse_centres(include_str!("../../data/ua_oblast_centres.csv")));

/// Crimea's box: Natural Earth 4.1 (the site map's source) draws the peninsula with Russia's
/// rings, while the plan's regions are ISO 3166-2:UA's, which include Crimea (UA-43) and
/// Sevastopol (UA-40); Ukraine's outline here is the internationally recognised one (UN General
/// Assembly resolution 68/262), so those rings are drawn as Ukraine's.
const CRIMEA: BBox = BBox {
    west: 32.0,
    south: 44.0,
    east: 37.0,
    north: 46.3,
};

/// Ukraine's outline rings, Crimea included (see [`CRIMEA`]).
pub fn ukraine_rings() -> Vec<geo::Ring> {
    let within = |r: &geo::Ring| {
        BBox::of_points(r.iter().copied()).is_some_and(|b| {
            b.west >= CRIMEA.west
                && b.east <= CRIMEA.east
                && b.south >= CRIMEA.south
                && b.north <= CRIMEA.north
        })
    };
    let mut rings = geo::OUTLINES
        .countries
        .get("UA")
        .cloned()
        .unwrap_or_default();
    if let Some(ru) = geo::OUTLINES.countries.get("RU") {
        rings.extend(ru.iter().filter(|r| within(r)).cloned());
    }
    rings
}

fn centre(code: &str) -> Option<&'static Centre> {
    CENTRES.iter().find(|c| c.code == code)
}

/// A facility of the plan in an oblast (id, name).
type Planned = (String, String);

/// What one oblast's symbol and row say.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OblastFigures {
    pub facilities: Vec<Planned>,
    pub units: u32,
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

/// Per region id: the planned facilities with their load and served kW (`explain`), the units
/// installed there and the fuel per day the logistics plan delivers there.
pub fn figures(p: &StorePlanV2) -> BTreeMap<String, OblastFigures> {
    let mut out: BTreeMap<String, OblastFigures> = BTreeMap::new();
    for e in &p.explain {
        let o = out.entry(e.region.clone()).or_default();
        o.facilities
            .push((e.facility.clone(), p.name_of(&e.facility).to_string()));
        o.load_kw += e.loads_kw.life_support + e.loads_kw.critical + e.loads_kw.essential;
        o.served_kw += e.served_kw.life_support + e.served_kw.critical + e.served_kw.essential;
    }
    for (region, n) in &p.plan.installed_units {
        out.entry(region.clone()).or_default().units = *n;
    }
    for r in &p.logistics.regions {
        out.entry(r.region.clone()).or_default().litres_per_day = r.litres_per_day;
    }
    out
}

/// Frame width in SVG units (the drawing scales to the column).
const WIDTH: f64 = 600.0;
/// The largest symbol's radius; areas are proportional to litres, so radius ∝ √litres.
const MAX_R: f64 = 34.0;
/// A planned oblast that needs no fuel still gets a dot to click.
const MIN_R: f64 = 4.0;

/// The symbol radius of `litres` when the largest oblast needs `max` litres.
pub fn radius(litres: f64, max: f64) -> f64 {
    if !(litres.is_finite() && max.is_finite()) || litres <= 0.0 || max <= 0.0 {
        return MIN_R;
    }
    (MAX_R * (litres / max).min(1.0).sqrt()).max(MIN_R)
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

/// The oblast's name and code, or the region id where the table has no such oblast.
fn region_label(code: &str) -> String {
    centre(code).map_or_else(|| code.to_string(), |c| format!("{} ({code})", c.name()))
}

fn anchor(code: &str) -> String {
    format!("oblast-{code}")
}

/// The map, its legend and the table of oblasts with their facilities; nothing for a plan without
/// Ukrainian regions (the map is Ukraine's).
pub fn oblast_view(p: &StorePlanV2) -> Markup {
    let figs = figures(p);
    if !figs.keys().any(|k| centre(k).is_some()) {
        return html! {};
    }
    let outline = ukraine_rings();
    // The frame holds the outline and every centre.
    let Some(bbox) = BBox::of_points(
        outline
            .iter()
            .flat_map(|r| r.iter().copied())
            .chain(CENTRES.iter().map(|c| (c.lon, c.lat))),
    ) else {
        return html! {};
    };
    let proj = Projection::fit(bbox.padded(0.03, 0.0), WIDTH, 200.0, 520.0);
    let neighbours: Vec<String> = geo::OUTLINES
        .countries
        .iter()
        .filter(|(code, _)| code.as_str() != "UA")
        .map(|(_, rings)| proj.path(rings))
        .filter(|d| !d.is_empty())
        .collect();
    let ukraine = proj.path(&outline);
    let max = figs
        .values()
        .map(|o| o.litres_per_day)
        .fold(0.0_f64, f64::max);
    // Largest first, so a small symbol drawn later stays visible and clickable on top.
    let mut symbols: Vec<(&str, &OblastFigures, &Centre, f64)> = figs
        .iter()
        .filter_map(|(code, o)| {
            centre(code).map(|c| (code.as_str(), o, c, radius(o.litres_per_day, max)))
        })
        .collect();
    symbols.sort_by(|a, b| b.3.total_cmp(&a.3).then(a.0.cmp(b.0)));
    let (w, h) = (proj.width, proj.height);
    html! {
        h2 id="energy2-oblasts-title" { (t("energy2-oblasts")) }
        p class="muted" { (t("energy2-oblasts-intro")) }
        svg class="map oblast-map" id="energy2-oblasts" role="group" aria-labelledby="energy2-oblasts-caption"
            viewBox=(format!("0 0 {w:.0} {h:.0}")) width=(format!("{w:.0}")) height=(format!("{h:.0}")) {
            title id="energy2-oblasts-caption" { (t("energy2-oblasts")) }
            rect class="sea" x="0" y="0" width=(format!("{w:.0}")) height=(format!("{h:.0}")) {}
            @for d in &neighbours { path class="land" d=(d) {} }
            path class="country focus" id="energy2-ukraine" d=(ukraine) {}
            @for (code, o, c, r) in &symbols {
                @let (x, y) = proj.xy(c.lon, c.lat);
                @let title = ta("energy2-oblast-tile", &[
                    ("region", &region_label(code)),
                    ("coverage", &percent(o.coverage())),
                    ("litres", &litres(o.litres_per_day)),
                    ("facilities", &o.facilities.len().to_string()),
                ]);
                a class="oblast-symbol" href=(format!("#{}", anchor(code))) data-region=(code) aria-label=(title) {
                    title { (title) }
                    circle class=(format!("symbol aid{}", coverage_class(o.coverage()))) cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r=(format!("{r:.1}")) {}
                    text class="label" x=(format!("{x:.1}")) y=(format!("{:.1}", y + r + 12.0)) text-anchor="middle" { (litres(o.litres_per_day)) " L" }
                }
            }
            text class="attribution" x=(format!("{:.0}", w - 6.0)) y=(format!("{:.0}", h - 6.0)) text-anchor="end" { (t("energy2-oblast-attribution")) }
        }
        section class="legend" aria-labelledby="energy2-oblasts-legend" {
            h2 id="energy2-oblasts-legend" { (t("energy2-oblasts-legend")) }
            p { (ta("energy2-oblast-size", &[("litres", &litres(max))])) }
            ul {
                li { span class="swatch aid0" {} " " (ta("energy2-oblast-legend-range", &[("from", "0"), ("to", "25")])) }
                li { span class="swatch aid1" {} " " (ta("energy2-oblast-legend-range", &[("from", "25"), ("to", "50")])) }
                li { span class="swatch aid2" {} " " (ta("energy2-oblast-legend-range", &[("from", "50"), ("to", "75")])) }
                li { span class="swatch aid3" {} " " (ta("energy2-oblast-legend-range", &[("from", "75"), ("to", "100")])) }
                li { span class="swatch aid4" {} " " (t("energy2-oblast-legend-full")) }
            }
        }
        div class="table-scroll" {
        table id="energy2-oblast-table" {
            thead { tr {
                th { (t("energy-region")) } th { (t("energy2-oblast-facilities")) }
                th { (t("energy2-units-count")) }
                th { (t("energy2-oblast-coverage")) } th { (t("energy2-oblast-litres")) }
                th { (t("energy-facility")) }
            } }
            tbody {
                @for (code, o) in &figs {
                    tr id=(anchor(code)) {
                        td { (region_label(code)) } td class="num" { (o.facilities.len()) }
                        td class="num" { (o.units) }
                        td class="num" { (percent(o.coverage())) " %" } td class="num" { (litres(o.litres_per_day)) }
                        td {
                            @for (i, (id, name)) in o.facilities.iter().enumerate() {
                                @if i > 0 { ", " }
                                a href=(format!("/facilities/{id}")) { (name) }
                            }
                        }
                    }
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
    fn every_oblast_has_a_centre_inside_ukraine_with_four_names() {
        let codes = [
            "UA-05", "UA-07", "UA-09", "UA-12", "UA-14", "UA-18", "UA-21", "UA-23", "UA-26",
            "UA-30", "UA-32", "UA-35", "UA-40", "UA-43", "UA-46", "UA-48", "UA-51", "UA-53",
            "UA-56", "UA-59", "UA-61", "UA-63", "UA-65", "UA-68", "UA-71", "UA-74", "UA-77",
        ];
        assert_eq!(CENTRES.len(), codes.len());
        let ua = ukraine_rings()
            .iter()
            .filter_map(|r| BBox::of_points(r.iter().copied()))
            .reduce(BBox::union)
            .unwrap();
        for code in codes {
            let c = centre(code).unwrap_or_else(|| panic!("{code} has no centre"));
            assert!(
                (ua.west..=ua.east).contains(&c.lon) && (ua.south..=ua.north).contains(&c.lat),
                "{code} at {}, {} is outside Ukraine's box",
                c.lat,
                c.lon
            );
            assert!(c.names.iter().all(|n| !n.is_empty()), "{code}");
        }
    }

    #[test]
    fn ukraines_outline_includes_crimea() {
        let rings = ukraine_rings();
        assert!(rings.len() > geo::OUTLINES.countries["UA"].len());
        let south = rings
            .iter()
            .flat_map(|r| r.iter().map(|p| p.1))
            .fold(f64::MAX, f64::min);
        assert!(south < 44.5, "southernmost point {south}");
    }

    #[test]
    fn no_two_centres_share_a_place() {
        for (i, a) in CENTRES.iter().enumerate() {
            for b in &CENTRES[i + 1..] {
                let d = (a.lat - b.lat).hypot(a.lon - b.lon);
                assert!(d > 0.2, "{} and {} are {d}° apart", a.code, b.code);
            }
        }
    }

    #[test]
    fn a_malformed_line_is_skipped() {
        let text = "code,lat,lon,centre,en,ru,uk,kk\nUA-05,north,28.4,V,a,b,c,d\nUA-07,50.7,25.3,L,a,b,c\nUA-09,48.5,39.3,L,a,b,c,d\n";
        let parsed = parse_centres(text);
        assert_eq!(parsed.len(), 1);
        assert_eq!(parsed[0].code, "UA-09");
    }

    #[test]
    fn symbol_areas_are_proportional_to_litres() {
        let big = radius(4000.0, 4000.0);
        let quarter = radius(1000.0, 4000.0);
        assert!((big - MAX_R).abs() < 1e-9);
        assert!((quarter - MAX_R / 2.0).abs() < 1e-9);
        assert!((radius(0.0, 4000.0) - MIN_R).abs() < 1e-9);
        assert!((radius(f64::NAN, 4000.0) - MIN_R).abs() < 1e-9);
        assert!((radius(10.0, 0.0) - MIN_R).abs() < 1e-9);
        assert!(radius(1e12, 10.0) <= MAX_R);
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
