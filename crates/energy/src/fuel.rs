//! Fuel types and their consumption curves: L/h ≈ slope·kW delivered + idle(rated kW).
//!
//! Diesel: [`crate::diesel`] (fits to published 25/50/75/100 % tables, research note §2.3).
//! Petrol: small portable inverter sets. Honda publishes for the EU2200i (1.8 kW rated, 3.6 L
//! tank) 8.1 h at 25 % load and 3.2 h at rated load, i.e. 0.444 L/h at 0.45 kW and 1.125 L/h
//! at 1.8 kW (figures as quoted in hotelsabruzzo.com, "How long will a Honda generator run on a
//! tank of gas", and visualfoodie.com, "Understanding Honda 2000 generator fuel use"; weak,
//! third-party copies of the maker's specification). The straight line through them has a slope
//! of 0.50 L/kWh and an idle term of 0.22 L/h, 0.12 L/h per rated kW: twice diesel's slope,
//! which is why petrol sets are a poor choice for long outages.

use serde::{Deserialize, Serialize};

/// What a generator burns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum FuelType {
    #[default]
    Diesel,
    Petrol,
}

/// Petrol slope in litres per kWh delivered (see the module comment).
pub const PETROL_L_PER_KWH: f64 = 0.50;
/// Petrol idle term in L/h per rated kW (see the module comment).
pub const PETROL_IDLE_L_PER_H_PER_KW: f64 = 0.12;

impl FuelType {
    pub fn name(self) -> &'static str {
        match self {
            FuelType::Diesel => "diesel",
            FuelType::Petrol => "petrol",
        }
    }

    /// Litres per kWh delivered.
    pub fn l_per_kwh(self) -> f64 {
        match self {
            FuelType::Diesel => crate::diesel::L_PER_KWH,
            FuelType::Petrol => PETROL_L_PER_KWH,
        }
    }

    /// Idle term (L/h) of a set of `kw` rated power.
    pub fn idle_l_per_h(self, kw: f64) -> f64 {
        match self {
            FuelType::Diesel => crate::diesel::idle_l_per_h(kw),
            FuelType::Petrol => PETROL_IDLE_L_PER_H_PER_KW * kw,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn petrol_line_passes_through_the_published_points() {
        // 0.444 L/h at 0.45 kW and 1.125 L/h at 1.8 kW delivered, set rated 1.8 kW.
        let idle = FuelType::Petrol.idle_l_per_h(1.8);
        let at = |kw: f64| idle + FuelType::Petrol.l_per_kwh() * kw;
        assert!((at(0.45) - 3.6 / 8.1).abs() < 0.01, "{}", at(0.45));
        assert!((at(1.8) - 3.6 / 3.2).abs() < 0.01, "{}", at(1.8));
    }

    #[test]
    fn diesel_uses_the_diesel_table() {
        assert!((FuelType::Diesel.idle_l_per_h(100.0) - 3.45).abs() < 1e-12);
        assert!((FuelType::Diesel.l_per_kwh() - 0.25).abs() < 1e-12);
    }
}
