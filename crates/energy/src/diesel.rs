//! Diesel generator fuel use: L/h ≈ a·kW delivered + b(size). Slope a ≈ 0.25 L/kWh for every
//! size; the idle term b comes from linear fits to published 25/50/75/100 % consumption tables
//! (eventpower.ca, via shared/research/energy.md §2.3).

/// Fuel slope in litres per kWh delivered.
pub const L_PER_KWH: f64 = 0.25;

/// (rated kW, idle L/h) from the fits in MODEL.md.
pub const IDLE_TABLE: [(f64, f64); 6] = [
    (20.0, 1.35),
    (60.0, 3.20),
    (100.0, 3.45),
    (200.0, 5.10),
    (500.0, 9.15),
    (1000.0, 16.10),
];

/// Idle fuel term for a set of `kw` rated power: linear interpolation in the table, and outside
/// it the nearest row's litres per rated kW.
pub fn idle_l_per_h(kw: f64) -> f64 {
    let (k0, b0) = IDLE_TABLE[0];
    let (kn, bn) = IDLE_TABLE[IDLE_TABLE.len() - 1];
    if kw <= k0 {
        return b0 * kw / k0;
    }
    if kw >= kn {
        return bn * kw / kn;
    }
    for pair in IDLE_TABLE.windows(2) {
        let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
        if kw <= x1 {
            return y0 + (y1 - y0) * (kw - x0) / (x1 - x0);
        }
    }
    bn
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_points_are_reproduced() {
        for (kw, b) in IDLE_TABLE {
            assert!((idle_l_per_h(kw) - b).abs() < 1e-12, "{kw}");
        }
        assert!((idle_l_per_h(150.0) - 4.275).abs() < 1e-9);
        assert!((idle_l_per_h(10.0) - 0.675).abs() < 1e-9);
        assert!((idle_l_per_h(2000.0) - 32.2).abs() < 1e-9);
    }
}
