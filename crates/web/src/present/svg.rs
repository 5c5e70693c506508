//! Charts as SVG drawn on the server (the map is `map/svg.rs`): no script, nothing fetched from
//! elsewhere. Pixel geometry uses f64; the figures printed beside the bars are the exact decimals.

use aidtrace_domain::coded::Coded;
use aidtrace_domain::model::FlowKind;
use maud::{Markup, html};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::labels::label;

fn fmt_amount(d: Decimal) -> String {
    super::format::group_digits(d.round_dp(0))
}

/// The colour class of a flow kind: the same kind has the same colour in every chart and on
/// every page (`svg .k-<kind>` in app.css).
pub fn kind_class(kind: FlowKind) -> String {
    format!("k-{}", kind.code())
}

/// One bar: what it measures (a donor, a region …), the flow kind it sums, and the sum.
pub struct Bar {
    pub label: String,
    pub kind: FlowKind,
    pub value: Decimal,
}

/// Characters of a label line at the charts' font size within the label column.
const LABEL_LINE: usize = 30;

/// A label in at most two lines, cut at word boundaries; a label longer than two lines ends in
/// "…" (the full text is in the element's title, shown on hover and read by screen readers).
fn label_lines(s: &str) -> Vec<String> {
    wrap_label(s, LABEL_LINE, 2)
}

/// `s` in at most `max_lines` lines of at most `line` characters, cut at word boundaries (a
/// word longer than a line is cut too); text that does not fit ends in "…". Charts and the map
/// use it, each showing the full text in a title beside the lines.
pub fn wrap_label(s: &str, line: usize, max_lines: usize) -> Vec<String> {
    let line = line.max(2);
    let max_lines = max_lines.max(1);
    let mut lines: Vec<String> = vec![String::new()];
    for word in s.split_whitespace() {
        let last = lines.last_mut().map_or(0, |l| l.chars().count());
        if last > 0 && last + 1 + word.chars().count() > line {
            lines.push(String::new());
        }
        if let Some(l) = lines.last_mut() {
            if !l.is_empty() {
                l.push(' ');
            }
            l.push_str(word);
        }
    }
    if lines.len() > max_lines || lines.iter().any(|l| l.chars().count() > line) {
        lines.truncate(max_lines);
        for l in &mut lines {
            *l = truncate(l, line);
        }
        if let Some(l) = lines.last_mut()
            && !l.ends_with('…')
        {
            *l = truncate(&format!("{l} …"), line);
        }
    }
    lines
}

/// Horizontal bars, one per row, coloured by flow kind, with a legend of the kinds shown;
/// values are shown in full beside each bar.
pub fn bar_chart(title: &str, unit: &str, rows: &[Bar]) -> Markup {
    if rows.is_empty() {
        return html! { p class="muted empty" { (super::i18n::t("svg-no-bars")) } };
    }
    let max = rows
        .iter()
        .map(|r| r.value)
        .max()
        .unwrap_or(Decimal::ONE)
        .max(Decimal::ONE);
    let bar_h = 34.0;
    let label_w = 250.0;
    let chart_w = 330.0;
    let kinds: Vec<FlowKind> = FlowKind::all()
        .iter()
        .copied()
        .filter(|k| rows.iter().any(|r| r.kind == *k))
        .collect();
    let legend_y = (rows.len() as f64).mul_add(bar_h, 34.0);
    let legend_rows = kinds.len().div_ceil(4) as f64;
    let height = legend_rows.mul_add(18.0, legend_y + 6.0);
    // A phone scrolls the chart sideways in its box instead of shrinking its text to 5 px.
    html! { div class="chart-scroll" tabindex="0" role="group" aria-label=(title) {
        svg class="chart" role="img" viewBox=(format!("0 0 760 {height}")) width="760" height=(height) {
            title { (title) }
            @for (i, bar) in rows.iter().enumerate() {
                @let y = (i as f64).mul_add(bar_h, 20.0);
                @let w = (bar.value / max).to_f64().unwrap_or(0.0) * chart_w;
                @let full = format!("{} · {}", bar.label, label(bar.kind));
                @let lines = label_lines(&bar.label);
                text x=(label_w - 6.0) y=(if lines.len() > 1 { y + 12.0 } else { y + 19.0 }) text-anchor="end" class="axis" {
                    title { (full) }
                    @for (n, line) in lines.iter().enumerate() {
                        tspan x=(label_w - 6.0) dy=(if n == 0 { "0" } else { "13" }) { (line) }
                    }
                }
                rect x=(label_w) y=(y + 6.0) width=(w.max(1.0)) height=(bar_h - 12.0) class=(format!("bar {}", kind_class(bar.kind))) {
                    title { (full) ": " (fmt_amount(bar.value)) " " (unit) }
                }
                text x=(label_w + w + 6.0) y=(y + 21.0) class="value" { (fmt_amount(bar.value)) " " (unit) }
            }
            text x="0" y="12" class="caption" { (title) }
            (legend(&kinds, legend_y))
        }
    } }
}

/// Colour keys of the kinds shown, four to a row so every name fits.
fn legend(kinds: &[FlowKind], top: f64) -> Markup {
    html! {
        g class="legend" {
            @for (i, kind) in kinds.iter().enumerate() {
                @let x = ((i % 4) as f64).mul_add(185.0, 10.0);
                @let y = ((i / 4) as f64).mul_add(18.0, top);
                rect x=(x) y=(y) width="10" height="10" class=(kind_class(*kind)) {}
                text x=(x + 14.0) y=(y + 9.0) class="axis" { (truncate(&label(*kind), 26)) }
            }
        }
    }
}

/// One line per series over years.
pub fn time_series(
    title: &str,
    unit: &str,
    series: &[aidtrace_service::summary::Series],
) -> Markup {
    let years: Vec<i32> = series
        .iter()
        .flat_map(|(_, pts)| pts.iter().map(|(y, _)| *y))
        .collect();
    let (Some(&first), Some(&last)) = (years.iter().min(), years.iter().max()) else {
        return html! { p class="muted" { (super::i18n::t("svg-no-dated")) } };
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
    // The amount axis is as wide as its longest label, which a fixed margin clipped
    // ("1,234,567,890" is wider than 90 px at the charts' font size).
    let max_label = fmt_amount(max);
    let left = (max_label.chars().count() as f64)
        .mul_add(7.5, 12.0)
        .max(60.0);
    let (top, w, h) = (24.0, 690.0 - left, 180.0);
    // Each series is a flow kind's, named by its stored name.
    let lines: Vec<(FlowKind, &Vec<(i32, Decimal)>)> = series
        .iter()
        .filter_map(|(code, pts)| {
            let kind = FlowKind::all().iter().copied().find(|k| k.code() == code)?;
            Some((kind, pts))
        })
        .collect();
    let kinds: Vec<FlowKind> = lines.iter().map(|(k, _)| *k).collect();
    let height = (kinds.len().div_ceil(4) as f64).mul_add(18.0, top + h + 34.0);
    let span = f64::from((y1 - y0).max(1));
    let x = |year: i32| left + f64::from(year - y0) / span * w;
    let y = |v: Decimal| top + h - (v / max).to_f64().unwrap_or(0.0) * h;
    // A phone scrolls the chart sideways in its box instead of shrinking its text to 5 px.
    html! { div class="chart-scroll" tabindex="0" role="group" aria-label=(title) {
        svg class="chart" role="img" viewBox=(format!("0 0 760 {height}")) width="760" height=(height) {
            title { (title) }
            text x="0" y="12" class="caption" { (title) }
            line x1=(left) y1=(top + h) x2=(left + w) y2=(top + h) class="axisline" {}
            line x1=(left) y1=(top) x2=(left) y2=(top + h) class="axisline" {}
            text x=(left - 6.0) y=(top + 4.0) text-anchor="end" class="axis" { (max_label) }
            text x=(left - 6.0) y=(top + h) text-anchor="end" class="axis" { "0" }
            // Counted back from the last year, so the latest one is always labelled.
            @for year in (y0..=y1).rev().step_by(year_step(y0, y1)) {
                text x=(x(year)) y=(top + h + 16.0) text-anchor="middle" class="axis" { (year) }
            }
            @for (kind, pts) in &lines {
                @for run in consecutive_years(pts) {
                    @if run.len() > 1 {
                        @let points = run.iter().map(|(yr, v)| format!("{:.1},{:.1}", x(*yr), y(*v))).collect::<Vec<_>>().join(" ");
                        polyline points=(points) class=(format!("series {}", kind_class(*kind))) {}
                    }
                }
                @for (yr, v) in pts.iter() {
                    circle cx=(x(*yr)) cy=(y(*v)) r="4" class=(format!("dot {}", kind_class(*kind))) {
                        title { (label(*kind)) " " (yr) ": " (fmt_amount(*v)) " " (unit) }
                    }
                }
            }
            (legend(&kinds, top + h + 28.0))
        }
    } }
}

/// A series cut where a year has no point: a line drawn across empty years (2021 straight to
/// 2025) showed a trend the records do not hold; each run is drawn alone, its dots always.
fn consecutive_years(points: &[(i32, Decimal)]) -> Vec<&[(i32, Decimal)]> {
    let mut runs = Vec::new();
    let mut start = 0;
    for i in 1..=points.len() {
        let broken = i == points.len() || points[i].0 != points[i - 1].0.saturating_add(1);
        if broken {
            runs.push(&points[start..i]);
            start = i;
        }
    }
    runs
}

/// Years between two axis labels, so that at most about twelve are printed and none overlap.
fn year_step(first: i32, last: i32) -> usize {
    let years = usize::try_from(last.saturating_sub(first)).unwrap_or(0) + 1;
    years.div_ceil(12).max(1)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_labels_stay_on_one_line() {
        assert_eq!(
            label_lines("Government of Japan"),
            vec!["Government of Japan"]
        );
    }

    #[test]
    fn long_labels_wrap_at_words_and_are_never_cut_silently() {
        let lines = label_lines("Korea International Cooperation Agency (KOICA)");
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(
            lines.iter().all(|l| l.chars().count() <= LABEL_LINE),
            "{lines:?}"
        );
        assert_eq!(
            lines.join(" "),
            "Korea International Cooperation Agency (KOICA)"
        );
        let very = label_lines(
            "Ministry of Health of the Republic of Kazakhstan and its regional departments of Abai",
        );
        assert_eq!(very.len(), 2);
        assert!(very[1].ends_with('…'), "{very:?}");
    }

    #[test]
    fn a_series_is_cut_at_years_without_a_point() {
        let p = |y: i32| (y, Decimal::ONE);
        let pts = [p(2021), p(2025), p(2026)];
        let runs = consecutive_years(&pts);
        assert_eq!(runs, vec![&pts[..1], &pts[1..]]);
        assert!(consecutive_years(&[]).is_empty());
    }

    #[test]
    fn a_long_span_of_years_prints_about_twelve_labels() {
        assert_eq!(year_step(2021, 2026), 1);
        assert_eq!(year_step(1990, 2026), 4);
        assert_eq!(year_step(2026, 2026), 1);
    }

    #[test]
    fn the_amount_axis_is_wide_enough_for_its_largest_label() {
        let series = vec![(
            "disbursement".to_string(),
            vec![(2021, Decimal::from(1_234_567_890_123_i64))],
        )];
        let svg = crate::present::i18n::scope(crate::present::i18n::Lang::En, || {
            time_series("t", "USD", &series).into_string()
        });
        // 17 characters at 7.5 px and a 12 px gap: the axis starts at 139.5, not 90.
        assert!(svg.contains("x1=\"139.5\""), "{svg}");
    }

    #[test]
    fn a_kind_has_one_colour_everywhere() {
        assert_eq!(
            kind_class(FlowKind::IncomingCommitment),
            "k-incoming_commitment"
        );
    }
}
