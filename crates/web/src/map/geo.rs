//! Country outlines (Natural Earth, public domain, simplified by `scripts/build-map-data.py` into
//! `data/countries.json`) and the projection the map draws them with. Pure geometry: no IO, no
//! markup. Coordinates are degrees (longitude, latitude); pixels are SVG user units.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use aidtrace_domain::model::{Facility, GeoPoint};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Deserialize;

/// The attribution the data's source asks maps to show.
pub const ATTRIBUTION: &str = "Natural Earth";

/// One closed ring as (longitude, latitude) pairs.
pub type Ring = Vec<(f64, f64)>;

#[derive(Deserialize)]
struct Raw {
    countries: BTreeMap<String, Vec<Vec<f64>>>,
    land: Vec<Vec<f64>>,
}

pub struct Outlines {
    /// Rings by ISO 3166-1 alpha-2 code (Kosovo is XK, as in IATI's list).
    pub countries: BTreeMap<String, Vec<Ring>>,
    /// Land that belongs to no listed country (drawn, never coloured).
    pub land: Vec<Ring>,
}

fn rings(flat: Vec<Vec<f64>>) -> Vec<Ring> {
    flat.into_iter()
        .map(|r| r.chunks_exact(2).map(|p| (p[0], p[1])).collect())
        .collect()
}

/// Parsed once: the file is constant data shipped in the binary. A broken file (a build defect
/// the tests catch) leaves the map without outlines rather than failing the page.
pub static OUTLINES: LazyLock<Outlines> = LazyLock::new(|| {
    let raw: Raw = serde_json::from_str(include_str!("../../data/countries.json")).unwrap_or(Raw {
        countries: BTreeMap::new(),
        land: Vec::new(),
    });
    Outlines {
        countries: raw
            .countries
            .into_iter()
            .map(|(k, v)| (k, rings(v)))
            .collect(),
        land: rings(raw.land),
    }
});

/// A (west, south, east, north) box in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
}

impl BBox {
    pub const WORLD: BBox = BBox {
        west: -180.0,
        south: -58.0,
        east: 180.0,
        north: 84.0,
    };

    pub fn of_points(points: impl IntoIterator<Item = (f64, f64)>) -> Option<BBox> {
        let mut b: Option<BBox> = None;
        for (lon, lat) in points {
            if !lon.is_finite() || !lat.is_finite() {
                continue;
            }
            let p = BBox {
                west: lon,
                south: lat,
                east: lon,
                north: lat,
            };
            b = Some(b.map_or(p, |b| b.union(p)));
        }
        b
    }

    pub fn union(self, o: BBox) -> BBox {
        BBox {
            west: self.west.min(o.west),
            south: self.south.min(o.south),
            east: self.east.max(o.east),
            north: self.north.max(o.north),
        }
    }

    fn area(self) -> f64 {
        (self.east - self.west) * (self.north - self.south)
    }

    fn intersects(self, o: BBox) -> bool {
        self.west <= o.east && o.west <= self.east && self.south <= o.north && o.south <= self.north
    }

    /// Grown by `share` of its size on every side, and to at least `min` degrees each way, so a
    /// single site or a small country still shows its surroundings.
    pub fn padded(self, share: f64, min: f64) -> BBox {
        let grow = |lo: f64, hi: f64| {
            let pad = (hi - lo) * share;
            let (lo, hi) = (lo - pad, hi + pad);
            let extra = ((min - (hi - lo)) / 2.0).max(0.0);
            (lo - extra, hi + extra)
        };
        let (west, east) = grow(self.west, self.east);
        let (south, north) = grow(self.south, self.north);
        BBox {
            west: west.max(-180.0),
            south: south.max(-85.0),
            east: east.min(180.0),
            north: north.min(85.0),
        }
    }
}

/// The box a zoom to `code` shows: its main shape and the shapes near it, so that France is
/// mainland France and not its overseas departments too. `None` for a code without outline.
pub fn country_bbox(code: &str) -> Option<BBox> {
    let rings = OUTLINES.countries.get(code)?;
    let boxes: Vec<BBox> = rings
        .iter()
        .filter_map(|r| BBox::of_points(r.iter().copied()))
        .collect();
    let main = boxes
        .iter()
        .copied()
        .max_by(|a, b| a.area().total_cmp(&b.area()))?;
    let reach = BBox {
        west: main.west - 10.0,
        south: main.south - 10.0,
        east: main.east + 10.0,
        north: main.north + 10.0,
    };
    Some(
        boxes
            .into_iter()
            .filter(|b| b.intersects(reach))
            .fold(main, BBox::union),
    )
}

/// An equirectangular projection of a box onto a frame `width` pixels wide, with longitudes
/// shortened by the cosine of the middle latitude so that shapes keep their proportions there.
/// The frame's height follows the box (within limits); the box is centred and widened to fill it.
#[derive(Debug, Clone, Copy)]
pub struct Projection {
    pub width: f64,
    pub height: f64,
    centre: (f64, f64),
    k: f64,
    scale: f64,
}

impl Projection {
    pub fn fit(b: BBox, width: f64, min_h: f64, max_h: f64) -> Projection {
        let mid = f64::midpoint(b.south, b.north);
        let k = mid.to_radians().cos().max(0.2);
        let span_x = ((b.east - b.west) * k).max(1e-6);
        let span_y = (b.north - b.south).max(1e-6);
        let height = (width * span_y / span_x).clamp(min_h, max_h);
        let scale = (width / span_x).min(height / span_y);
        Projection {
            width,
            height,
            centre: (f64::midpoint(b.west, b.east), mid),
            k,
            scale,
        }
    }

    pub fn xy(&self, lon: f64, lat: f64) -> (f64, f64) {
        (
            self.width / 2.0 + (lon - self.centre.0) * self.k * self.scale,
            self.height / 2.0 - (lat - self.centre.1) * self.scale,
        )
    }

    /// The degrees the frame shows (wider than the fitted box when the frame's shape differs).
    pub fn visible(&self) -> BBox {
        let half_lon = self.width / 2.0 / (self.k * self.scale);
        let half_lat = self.height / 2.0 / self.scale;
        BBox {
            west: self.centre.0 - half_lon,
            south: self.centre.1 - half_lat,
            east: self.centre.0 + half_lon,
            north: self.centre.1 + half_lat,
        }
    }

    /// An SVG path for the rings that reach into the frame, one pixel decimal, consecutive
    /// points on the same pixel dropped: a world map stays a few hundred kilobytes at most.
    pub fn path(&self, rings: &[Ring]) -> String {
        let view = self.visible();
        let mut d = String::new();
        for ring in rings {
            if !BBox::of_points(ring.iter().copied()).is_some_and(|b| b.intersects(view)) {
                continue;
            }
            let mut last = None;
            for (i, (lon, lat)) in ring.iter().enumerate() {
                let (x, y) = self.xy(*lon, *lat);
                let p = ((x * 10.0).round() as i64, (y * 10.0).round() as i64);
                if last == Some(p) {
                    continue;
                }
                last = Some(p);
                let cmd = if i == 0 { 'M' } else { 'L' };
                d.push_str(&format!("{cmd}{:.1} {:.1}", x, y));
            }
            d.push('Z');
        }
        d
    }
}

/// The location a viewer may see: exact, or for a sensitive site the centre of the cell of a
/// grid `blur` km on a side that holds it, so only the cell is revealed.
pub fn shown_location(f: &Facility, p: GeoPoint, blur: Option<Decimal>) -> (GeoPoint, bool) {
    match blur {
        Some(km) if f.sensitive && km > Decimal::ZERO => {
            // About 111 km per degree of latitude. A degree of longitude is shorter by the cosine
            // of the latitude (71 km at 50°N), so its step is longer by as much: with one step
            // for both the cells were 10 × 6.4 km in Kharkiv, not 10 km. The cosine is that of
            // the cell's own latitude, so the step does not depend on where in the cell the
            // site is.
            let step = (km / Decimal::from(111)).max(Decimal::new(1, 3));
            let snap = |v: Decimal, step: Decimal| ((v / step).round() * step).round_dp(3);
            let lat = snap(p.lat, step);
            let shrink = lat.to_f64().map_or(1.0, |d| d.to_radians().cos()).max(0.1);
            let lon_step = Decimal::try_from(shrink)
                .ok()
                .and_then(|c| step.checked_div(c))
                .map_or(step, |s| s.round_dp(6));
            (
                GeoPoint {
                    lat,
                    lon: snap(p.lon, lon_step),
                },
                true,
            )
        }
        _ => (p, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sensitive() -> Facility {
        serde_json::from_value(
            serde_json::json!({"id": "fac-s", "name": "S", "kind": "regional_hospital",
            "country": "UA", "sensitive": true}),
        )
        .unwrap()
    }

    /// Neighbouring cell centres along a parallel at Kharkiv's latitude are 10 km apart, as
    /// along a meridian (they were 6.4 km apart east to west).
    #[test]
    fn a_blur_cell_is_as_wide_as_it_is_tall() {
        let f = sensitive();
        let shown = |lat: &str, lon: &str| {
            shown_location(
                &f,
                GeoPoint {
                    lat: lat.parse().unwrap(),
                    lon: lon.parse().unwrap(),
                },
                Some(Decimal::from(10)),
            )
            .0
        };
        let mut lons: Vec<Decimal> = (0..400)
            .map(|i| shown("49.99", &format!("36.{:03}", i * 2)).lon)
            .collect();
        lons.dedup();
        let km_per_degree = 111.0 * 49.99f64.to_radians().cos();
        for pair in lons.windows(2) {
            let km = (pair[1] - pair[0]).to_f64().unwrap() * km_per_degree;
            assert!((9.5..10.5).contains(&km), "{km} km between {pair:?}");
        }
        let mut lats: Vec<Decimal> = (0..400)
            .map(|i| shown(&format!("49.{:03}", i * 2), "36.2").lat)
            .collect();
        lats.dedup();
        for pair in lats.windows(2) {
            let km = (pair[1] - pair[0]).to_f64().unwrap() * 111.0;
            assert!((9.5..10.5).contains(&km), "{km} km between {pair:?}");
        }
    }

    #[test]
    fn outlines_load_with_the_seed_countries() {
        assert!(
            OUTLINES.countries.len() > 200,
            "{}",
            OUTLINES.countries.len()
        );
        for code in ["KZ", "UA", "JP", "KR", "XK", "MC"] {
            assert!(OUTLINES.countries.contains_key(code), "{code}");
        }
    }

    #[test]
    fn kazakhstan_box_is_where_kazakhstan_is() {
        let b = country_bbox("KZ").expect("KZ");
        assert!(b.west > 45.0 && b.west < 48.0, "{b:?}");
        assert!(b.east > 86.0 && b.east < 88.5, "{b:?}");
        assert!(b.south > 40.0 && b.north < 56.0, "{b:?}");
    }

    #[test]
    fn a_zoom_to_france_leaves_its_overseas_departments_out() {
        let b = country_bbox("FR").expect("FR");
        assert!(b.west > -10.0 && b.south > 40.0, "{b:?}");
    }

    #[test]
    fn unknown_codes_have_no_box() {
        assert!(country_bbox("QQ").is_none());
    }

    #[test]
    fn projection_keeps_the_box_inside_the_frame() {
        let b = country_bbox("UA").expect("UA");
        let p = Projection::fit(b, 760.0, 320.0, 560.0);
        for (lon, lat) in [(b.west, b.south), (b.east, b.north)] {
            let (x, y) = p.xy(lon, lat);
            assert!((-0.01..=760.01).contains(&x), "{x}");
            assert!((-0.01..=p.height + 0.01).contains(&y), "{y}");
        }
        let v = p.visible();
        assert!(v.west <= b.west + 1e-9 && v.east >= b.east - 1e-9);
    }

    #[test]
    fn a_point_box_is_padded_to_the_minimum() {
        let b = BBox::of_points([(80.0, 50.0)])
            .expect("box")
            .padded(0.1, 8.0);
        assert!((b.east - b.west - 8.0).abs() < 1e-9, "{b:?}");
    }
}
