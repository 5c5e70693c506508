//! Charts as SVG drawn on the server (the map is `map_svg.rs`): no script, nothing fetched from
//! elsewhere. Pixel geometry uses f64; the figures printed beside the bars are the exact decimals.

use maud::{Markup, html};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

fn fmt_amount(d: Decimal) -> String {
    crate::pages::group_digits(d.round_dp(0))
}

/// Horizontal bars, one per (label, value); values are shown in full beside each bar.
pub fn bar_chart(title: &str, unit: &str, rows: &[(String, Decimal)]) -> Markup {
    let max = rows
        .iter()
        .map(|(_, v)| *v)
        .max()
        .unwrap_or(Decimal::ONE)
        .max(Decimal::ONE);
    let bar_h = 22.0;
    let label_w = 230.0;
    let chart_w = 360.0;
    let height = (rows.len() as f64).mul_add(bar_h, 30.0);
    html! {
        svg class="chart" role="img" viewBox=(format!("0 0 760 {height}")) width="760" height=(height) {
            title { (title) }
            @for (i, (label, value)) in rows.iter().enumerate() {
                @let y = (i as f64).mul_add(bar_h, 20.0);
                @let w = (value / max).to_f64().unwrap_or(0.0) * chart_w;
                text x=(label_w - 6.0) y=(y + 15.0) text-anchor="end" class="axis" { (truncate(label, 34)) }
                rect x=(label_w) y=(y + 3.0) width=(w.max(1.0)) height=(bar_h - 6.0) class="bar" {
                    title { (label) ": " (fmt_amount(*value)) " " (unit) }
                }
                text x=(label_w + w + 6.0) y=(y + 15.0) class="value" { (fmt_amount(*value)) " " (unit) }
            }
            text x="0" y="12" class="caption" { (title) }
        }
    }
}

/// One line per series over years.
pub fn time_series(title: &str, unit: &str, series: &[crate::summary::Series]) -> Markup {
    let years: Vec<i32> = series
        .iter()
        .flat_map(|(_, pts)| pts.iter().map(|(y, _)| *y))
        .collect();
    let (Some(&first), Some(&last)) = (years.iter().min(), years.iter().max()) else {
        return html! { p class="muted" { (crate::i18n::t("svg-no-dated")) } };
    };
    // A single year still gets an axis with a year either side, so the point is readable.
    let (y0, y1) = if first == last {
        (first - 1, last + 1)
    } else {
        (first, last)
    };
    let max = series
        .iter()
        .flat_map(|(_, pts)| pts.iter().map(|(_, v)| *v))
        .max()
        .unwrap_or(Decimal::ONE)
        .max(Decimal::ONE);
    let (left, top, w, h) = (90.0, 24.0, 600.0, 180.0);
    let span = f64::from((y1 - y0).max(1));
    let x = |year: i32| left + f64::from(year - y0) / span * w;
    let y = |v: Decimal| top + h - (v / max).to_f64().unwrap_or(0.0) * h;
    html! {
        svg class="chart" role="img" viewBox="0 0 760 250" width="760" height="250" {
            title { (title) }
            text x="0" y="12" class="caption" { (title) }
            line x1=(left) y1=(top + h) x2=(left + w) y2=(top + h) class="axisline" {}
            line x1=(left) y1=(top) x2=(left) y2=(top + h) class="axisline" {}
            text x=(left - 6.0) y=(top + 4.0) text-anchor="end" class="axis" { (fmt_amount(max)) }
            text x=(left - 6.0) y=(top + h) text-anchor="end" class="axis" { "0" }
            @for year in y0..=y1 {
                text x=(x(year)) y=(top + h + 16.0) text-anchor="middle" class="axis" { (year) }
            }
            @for (i, (name, pts)) in series.iter().enumerate() {
                @let points = pts.iter().map(|(yr, v)| format!("{:.1},{:.1}", x(*yr), y(*v))).collect::<Vec<_>>().join(" ");
                polyline points=(points) class=(format!("series s{}", i % 4)) {}
                @for (yr, v) in pts {
                    circle cx=(x(*yr)) cy=(y(*v)) r="4" class=(format!("dot s{}", i % 4)) {
                        title { (crate::i18n::value(name)) " " (yr) ": " (fmt_amount(*v)) " " (unit) }
                    }
                }
                rect x=((i as f64).mul_add(140.0, left)) y="236" width="10" height="10" class=(format!("s{}", i % 4)) {}
                text x=((i as f64).mul_add(140.0, left + 14.0)) y="245" class="axis" { (crate::i18n::value(name)) }
            }
        }
    }
}

/// The (south, north, west, east) edges of a map showing every point: the points' bounding box,
/// padded so that labels stay inside the frame, and at least a region's worth of context.
pub fn map_bounds(points: impl IntoIterator<Item = (f64, f64)>) -> (f64, f64, f64, f64) {
    let (mut lat0, mut lat1, mut lon0, mut lon1) = (90.0f64, -90.0f64, 180.0f64, -180.0f64);
    for (lat, lon) in points {
        lat0 = lat0.min(lat);
        lat1 = lat1.max(lat);
        lon0 = lon0.min(lon);
        lon1 = lon1.max(lon);
    }
    let pad = ((lat1 - lat0).max(lon1 - lon0) * 0.15).max(1.0);
    let widen = |lo: f64, hi: f64, min: f64| {
        let (lo, hi) = (lo - pad, hi + pad);
        let extra = ((min - (hi - lo)) / 2.0).max(0.0);
        (lo - extra, hi + extra)
    };
    let (lat0, lat1) = widen(lat0, lat1, 10.0);
    let (lon0, lon1) = widen(lon0, lon1, 16.0);
    (lat0, lat1, lon0, lon1)
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}
