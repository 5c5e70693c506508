//! The facility map drawn as SVG on the server: country outlines (shaded by the aid they
//! received), facilities coloured by operating status. No script and nothing from elsewhere.
//!
//! Markers never hide each other: sites closer than a marker's width are spread on a small circle
//! around their common spot (with a line back to it), and larger groups become one marker with
//! their count. A label is never clipped: a long name wraps onto a second line and is shortened
//! with "…" beyond it (the full name in the label's title), and it is drawn only where all of
//! it fits inside the frame without covering another label; a site whose label does not fit
//! keeps its name in the marker's title and in the list under the map.

use maud::{Markup, html};

use crate::map::geo::{OUTLINES, Projection};

/// Marker radius; sites whose markers would touch are spread or grouped.
const R: f64 = 6.0;
/// Groups up to this size are spread around their spot; larger ones show a count.
const SPREAD_MAX: usize = 8;
const LABEL_H: f64 = 13.0;
/// Characters of one label line, and lines of one label.
const LABEL_LINE: usize = 24;
const LABEL_LINES: usize = 2;

/// A generous width of `text` in pixels at the labels' 11 px font: capitals and wide letters
/// (Latin or Cyrillic) take more than lower case, so a placed label is never wider than its box.
fn text_width(text: &str) -> f64 {
    text.chars()
        .map(|c| {
            if c.is_whitespace() {
                3.5
            } else if c.is_uppercase() || "mwшщжюмдфыMW".contains(c) {
                8.6
            } else {
                6.6
            }
        })
        .sum()
}

/// A label's lines: wrapped and, beyond the last line, shortened with "…".
pub fn label_lines(text: &str) -> Vec<String> {
    crate::present::svg::wrap_label(text, LABEL_LINE, LABEL_LINES)
}

pub struct Site {
    pub id: String,
    pub name: String,
    pub lon: f64,
    pub lat: f64,
    /// Drawn as an area rather than a point: the public view blurred it.
    pub blurred: bool,
    /// The status's stored name (`operational`, …) or `unknown`: the marker's colour class.
    pub status: String,
    /// The status as the reader's language says it.
    pub status_label: String,
    pub href: String,
}

/// How one country is shaded: its class (0 = least aid) and the text of its tooltip.
pub struct Shade {
    pub class: usize,
    pub title: String,
}

/// A drawn marker: one site (possibly moved off a shared spot) or a group with a count.
#[derive(Debug, Clone, PartialEq)]
pub enum Marker {
    Site {
        index: usize,
        x: f64,
        y: f64,
        /// The spot the site was moved away from, for the leader line.
        from: Option<(f64, f64)>,
    },
    Group {
        indexes: Vec<usize>,
        x: f64,
        y: f64,
    },
}

impl Marker {
    fn pos(&self) -> (f64, f64) {
        match self {
            Self::Site { x, y, .. } | Self::Group { x, y, .. } => (*x, *y),
        }
    }
}

/// Groups sites whose projected spots are closer than two markers, then spreads or counts each
/// group. Input order decides grouping, so the result does not depend on anything but `points`.
pub fn markers(points: &[(f64, f64)]) -> Vec<Marker> {
    let mut groups: Vec<((f64, f64), Vec<usize>)> = Vec::new();
    for (i, &(x, y)) in points.iter().enumerate() {
        match groups
            .iter_mut()
            .find(|((gx, gy), _)| (gx - x).hypot(gy - y) < 2.0 * R + 2.0)
        {
            Some((_, members)) => members.push(i),
            None => groups.push(((x, y), vec![i])),
        }
    }
    let mut out = Vec::new();
    for ((x, y), members) in groups {
        match members.len() {
            1 => out.push(Marker::Site {
                index: members[0],
                x,
                y,
                from: None,
            }),
            n if n <= SPREAD_MAX => {
                // On a circle whose chord between neighbours exceeds a marker's width.
                let radius = (R + 2.0) / (std::f64::consts::PI / n as f64).sin();
                for (k, index) in members.into_iter().enumerate() {
                    let a =
                        std::f64::consts::TAU * k as f64 / n as f64 - std::f64::consts::FRAC_PI_2;
                    out.push(Marker::Site {
                        index,
                        x: radius.mul_add(a.cos(), x),
                        y: radius.mul_add(a.sin(), y),
                        from: Some((x, y)),
                    });
                }
            }
            _ => out.push(Marker::Group {
                indexes: members,
                x,
                y,
            }),
        }
    }
    out
}

/// A label's box: (left, top, right, bottom).
type Rect = (f64, f64, f64, f64);

fn overlaps(a: Rect, b: Rect) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// The box of a label of `lines` whose first baseline starts (or, with `end`, ends) at `x, y`.
fn label_box(lines: &[String], (x, y, end): (f64, f64, bool)) -> Rect {
    let tw = lines.iter().map(|l| text_width(l)).fold(0.0, f64::max);
    let left = if end { x - tw } else { x };
    let extra = LABEL_H * (lines.len().max(1) - 1) as f64;
    (left, y - LABEL_H + 3.0, left + tw, y + 3.0 + extra)
}

/// Where each marker's label (its lines) goes: `(x, y, anchor_end)` of the first line's
/// baseline, or `None` when no position keeps all of it inside the `w`×`h` frame and clear of
/// other labels and markers.
pub fn place_labels(
    markers: &[Marker],
    texts: &[Vec<String>],
    w: f64,
    h: f64,
) -> Vec<Option<(f64, f64, bool)>> {
    let dots: Vec<Rect> = markers
        .iter()
        .map(|m| {
            let (x, y) = m.pos();
            (x - R, y - R, x + R, y + R)
        })
        .collect();
    let mut placed: Vec<Rect> = Vec::new();
    markers
        .iter()
        .zip(texts)
        .enumerate()
        .map(|(i, (m, text))| {
            let (x, y) = m.pos();
            let gap = R + 3.0;
            // Labels above the marker grow upwards.
            let up = LABEL_H * (text.len().max(1) - 1) as f64;
            // Right, left, then above and below, then further down the right side.
            let candidates = [
                (x + gap, y + 4.0, false),
                (x - gap, y + 4.0, true),
                (x + gap, y - gap - up, false),
                (x + gap, y + gap + 8.0, false),
                (x - gap, y - gap - up, true),
                (x - gap, y + gap + 8.0, true),
                (x + gap, y + 2.0 * LABEL_H + 4.0, false),
                (x + gap, y - 2.0 * LABEL_H - up, false),
            ];
            let fits = |&(lx, ly, end): &(f64, f64, bool)| {
                let r = label_box(text, (lx, ly, end));
                let inside = r.0 >= 1.0 && r.1 >= 1.0 && r.2 <= w - 1.0 && r.3 <= h - 1.0;
                let clear = !placed.iter().any(|p| overlaps(*p, r))
                    && !dots
                        .iter()
                        .enumerate()
                        .any(|(j, d)| j != i && overlaps(*d, r));
                (inside && clear).then_some(r)
            };
            let chosen = candidates.iter().find_map(|c| fits(c).map(|r| (*c, r)));
            chosen.map(|(c, r)| {
                placed.push(r);
                c
            })
        })
        .collect()
}

/// The whole map. `shades` colours countries by aid received; `focus` is the zoomed country,
/// drawn with a stronger border.
pub fn map(
    proj: &Projection,
    title: &str,
    attribution: &str,
    shades: &std::collections::BTreeMap<String, Shade>,
    sites: &[Site],
    focus: Option<&str>,
) -> Markup {
    let (w, h) = (proj.width, proj.height);
    let spots: Vec<(f64, f64)> = sites.iter().map(|s| proj.xy(s.lon, s.lat)).collect();
    let marks = markers(&spots);
    let texts: Vec<Vec<String>> = marks
        .iter()
        .map(|m| match m {
            Marker::Site { index, .. } => label_lines(&sites[*index].name),
            Marker::Group { indexes, .. } => {
                label_lines(&crate::i18n::tn("map-group", indexes.len()))
            }
        })
        .collect();
    let labels = place_labels(&marks, &texts, w, h);
    let land = proj.path(&OUTLINES.land);
    html! {
        svg class="map" id="facility-map" role="group" aria-labelledby="map-title"
            viewBox=(format!("0 0 {w:.0} {h:.0}")) width=(format!("{w:.0}")) height=(format!("{h:.0}")) {
            title id="map-title" { (title) }
            rect x="0" y="0" width=(format!("{w:.0}")) height=(format!("{h:.0}")) class="sea" {}
            @if !land.is_empty() { path d=(land) class="land" {} }
            @for (code, rings) in &OUTLINES.countries {
                @let d = proj.path(rings);
                @if !d.is_empty() {
                    @let shade = shades.get(code);
                    @let class = match (shade, focus == Some(code.as_str())) {
                        (Some(s), true) => format!("country aid{} focus", s.class),
                        (Some(s), false) => format!("country aid{}", s.class),
                        (None, true) => "country focus".to_string(),
                        (None, false) => "country".to_string(),
                    };
                    path d=(d) class=(class) data-country=(code) {
                        @if let Some(s) = shade { title { (s.title) } }
                    }
                }
            }
            @for ((m, label), lines) in marks.iter().zip(&labels).zip(&texts) {
                @match m {
                    Marker::Site { index, x, y, from } => {
                        @let s = &sites[*index];
                        @let name = format!("{} — {}", s.name, s.status_label);
                        @if let Some((fx, fy)) = from {
                            line x1=(format!("{fx:.1}")) y1=(format!("{fy:.1}")) x2=(format!("{x:.1}")) y2=(format!("{y:.1}")) class="leader" {}
                        }
                        a href=(s.href) aria-label=(name) {
                            @if s.blurred {
                                circle cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r="14" class=(format!("blurred st-{}", s.status)) {
                                    title { (name) " (" (crate::i18n::t("energy-blurred")) ")" }
                                }
                            } @else {
                                circle cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r=(R) class=(format!("site st-{}", s.status)) id=(format!("map-{}", s.id)) {
                                    title { (name) }
                                }
                            }
                            // A whole name is part of the link (its visible text is its name); a
                            // shortened one sits beside it, so the link's name holds what it shows.
                            @if let Some(at) = label && !shortened(lines, &s.name) { (label_text(*at, lines, &s.name)) }
                        }
                        @if let Some(at) = label && shortened(lines, &s.name) { (label_text(*at, lines, &s.name)) }
                    }
                    Marker::Group { indexes, x, y } => {
                        @let names = indexes.iter().map(|i| sites[*i].name.as_str()).collect::<Vec<_>>().join("; ");
                        a href="#map-sites" aria-label=(format!("{}: {names}", crate::i18n::tn("map-group", indexes.len()))) {
                            circle cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r="11" class="group" {
                                title { (names) }
                            }
                            text x=(format!("{x:.1}")) y=(format!("{:.1}", y + 4.0)) class="count" text-anchor="middle" { (indexes.len()) }
                            @if let Some(at) = label { (label_text(*at, lines, &crate::i18n::tn("map-group", indexes.len()))) }
                        }
                    }
                }
            }
            text x=(format!("{:.0}", w - 4.0)) y=(format!("{:.0}", h - 5.0)) class="attribution" text-anchor="end" { (attribution) }
        }
    }
}

/// Whether a label's lines leave part of `full` out.
fn shortened(lines: &[String], full: &str) -> bool {
    lines.join(" ") != full.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A placed label: its lines one under the other (each but the last ending in a space, so its
/// text reads as the name), with the full text as its title when the lines shorten it.
fn label_text((x, y, end): (f64, f64, bool), lines: &[String], full: &str) -> Markup {
    let last = lines.len().saturating_sub(1);
    html! {
        text x=(format!("{x:.1}")) y=(format!("{y:.1}")) class="label" text-anchor=(if end { "end" } else { "start" }) {
            @if shortened(lines, full) { title { (full) } }
            @for (k, line) in lines.iter().enumerate() {
                tspan x=(format!("{x:.1}")) dy=(if k == 0 { "0".to_string() } else { format!("{LABEL_H:.0}") }) { (line) @if k < last { " " } }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn min_distance(ms: &[Marker]) -> f64 {
        let mut best = f64::INFINITY;
        for (i, a) in ms.iter().enumerate() {
            for b in &ms[i + 1..] {
                let (ax, ay) = a.pos();
                let (bx, by) = b.pos();
                best = best.min((ax - bx).hypot(ay - by));
            }
        }
        best
    }

    #[test]
    fn sites_at_one_spot_are_spread_apart() {
        let ms = markers(&[(100.0, 100.0); 5]);
        assert_eq!(ms.len(), 5);
        assert!(min_distance(&ms) > 2.0 * R, "{ms:?}");
    }

    #[test]
    fn two_sites_at_one_spot_do_not_cover_each_other() {
        let ms = markers(&[(100.0, 100.0), (101.0, 100.5)]);
        assert!(min_distance(&ms) > 2.0 * R, "{ms:?}");
    }

    #[test]
    fn many_sites_at_one_spot_become_one_counted_marker() {
        let ms = markers(&[(50.0, 50.0); 12]);
        assert_eq!(ms.len(), 1);
        assert!(matches!(&ms[0], Marker::Group { indexes, .. } if indexes.len() == 12));
    }

    #[test]
    fn distant_sites_stay_where_they_are() {
        let ms = markers(&[(10.0, 10.0), (200.0, 200.0)]);
        assert_eq!(
            ms[0],
            Marker::Site {
                index: 0,
                x: 10.0,
                y: 10.0,
                from: None
            }
        );
    }

    #[test]
    fn labels_stay_inside_the_frame_and_apart() {
        let pts: Vec<(f64, f64)> = (0..20)
            .map(|i| {
                (
                    f64::from(i % 5).mul_add(150.0, 5.0),
                    f64::from(i / 5).mul_add(20.0, 3.0),
                )
            })
            .collect();
        let ms = markers(&pts);
        let texts: Vec<Vec<String>> = ms
            .iter()
            .enumerate()
            .map(|(i, _)| label_lines(&format!("Clinic no. {i}")))
            .collect();
        let labels = place_labels(&ms, &texts, 760.0, 400.0);
        let mut boxes: Vec<Rect> = Vec::new();
        for (l, t) in labels.iter().zip(&texts) {
            let Some(at) = *l else { continue };
            let r = label_box(t, at);
            assert!(
                r.0 >= 0.0 && r.2 <= 760.0 && r.1 >= 0.0 && r.3 <= 400.0,
                "{r:?}"
            );
            assert!(!boxes.iter().any(|b| overlaps(*b, r)), "{r:?} overlaps");
            boxes.push(r);
        }
        assert!(boxes.len() >= 15, "{} labels placed", boxes.len());
    }

    #[test]
    fn a_label_at_the_right_edge_goes_left() {
        let ms = markers(&[(750.0, 200.0)]);
        let labels = place_labels(&ms, &[label_lines("Hospital")], 760.0, 400.0);
        assert!(matches!(labels[0], Some((_, _, true))), "{labels:?}");
    }

    const LONG: &str = "Regional Multidisciplinary Clinical Hospital named after a Very Long Name of the Abai Region";

    #[test]
    fn a_long_name_wraps_and_is_shortened_with_its_full_text_kept() {
        let lines = label_lines(LONG);
        assert_eq!(lines.len(), LABEL_LINES, "{lines:?}");
        assert!(
            lines.iter().all(|l| l.chars().count() <= LABEL_LINE),
            "{lines:?}"
        );
        assert!(lines[1].ends_with('…'), "{lines:?}");
        let markup = label_text((10.0, 20.0, false), &lines, LONG).into_string();
        assert!(
            markup.contains(&format!("<title>{LONG}</title>")),
            "{markup}"
        );
        assert_eq!(markup.matches("<tspan").count(), 2, "{markup}");
        // A short name is neither wrapped nor given a title.
        let short = label_text((10.0, 20.0, false), &label_lines("Clinic"), "Clinic").into_string();
        assert!(
            !short.contains("<title>") && short.contains(">Clinic</tspan>"),
            "{short}"
        );
        // A wrapped name reads as the name: the first line ends in a space.
        let name = "Semey State Medical University Hospital";
        let wrapped = label_text((10.0, 20.0, false), &label_lines(name), name).into_string();
        assert!(
            wrapped.contains(">Semey State Medical </tspan>"),
            "{wrapped}"
        );
        assert!(!wrapped.contains("<title>"), "{wrapped}");
    }

    #[test]
    fn long_labels_are_placed_whole_inside_the_frame_or_not_at_all() {
        // Sites along every edge and in the corners of a phone-sized frame.
        let (w, h) = (360.0, 240.0);
        let pts = [
            (2.0, 2.0),
            (w - 2.0, 2.0),
            (2.0, h - 2.0),
            (w - 2.0, h - 2.0),
            (w / 2.0, 3.0),
            (w / 2.0, h - 3.0),
            (3.0, h / 2.0),
            (w - 3.0, h / 2.0),
            (w / 2.0, h / 2.0),
        ];
        let ms = markers(&pts);
        let names = [
            LONG,
            "ОБЛАСНА КЛІНІЧНА ЛІКАРНЯ ІМЕНІ МЕЧНИКОВА",
            "Шымкент қалалық көпбейінді аурухана",
            "W M W M W M W M W M W M W M",
        ];
        let texts: Vec<Vec<String>> = (0..ms.len())
            .map(|i| label_lines(names[i % names.len()]))
            .collect();
        let labels = place_labels(&ms, &texts, w, h);
        let mut placed = 0;
        for (l, t) in labels.iter().zip(&texts) {
            let Some(at) = *l else { continue };
            let r = label_box(t, at);
            assert!(
                r.0 >= 0.0 && r.2 <= w && r.1 >= 0.0 && r.3 <= h,
                "{t:?} at {r:?}"
            );
            placed += 1;
        }
        assert!(placed >= 4, "{placed} placed");
    }
}
