//! The fleet-allocation instance of `shared/energy/MODEL.md`: parsing, validation, and an indexed
//! form the solver works on.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::error::{EnergyError, Result};

/// One allocation problem, exactly the input JSON of MODEL.md.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instance {
    /// Hours H the fleet must run on the fuel budget.
    pub hours: f64,
    /// Total diesel available for the whole fleet over `hours`.
    pub fuel_litres: f64,
    /// Fuel slope a: litres per kWh delivered.
    pub fuel_l_per_kwh: f64,
    /// A unit may only go where `min_loading`·prime_kw ≤ unmet_kw (wet stacking).
    pub min_loading: f64,
    /// K: at most this many units at one facility.
    pub max_units_per_facility: u32,
    pub facilities: Vec<Facility>,
    pub fleet: Vec<GenModel>,
    /// Prime kW that can be delivered per region; a region not listed is unlimited, a listed
    /// region no facility is in limits nothing (see [`Instance::notes`]).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "regions_once"
    )]
    pub transport_kw: Option<BTreeMap<String, f64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Facility {
    pub id: String,
    pub region: String,
    pub weight: f64,
    pub unmet_kw: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenModel {
    pub model: String,
    pub prime_kw: f64,
    pub count: u32,
    pub idle_l_per_h: f64,
}

impl Instance {
    /// Parses and validates. Accepts any size that fits in memory; a 50 MB file parses in well
    /// under a second in a release build.
    pub fn from_json_slice(bytes: &[u8]) -> Result<Self> {
        let inst: Instance = crate::error::parse_json("instance JSON", bytes)?;
        inst.validate()?;
        Ok(inst)
    }

    pub fn from_json_str(text: &str) -> Result<Self> {
        Self::from_json_slice(text.as_bytes())
    }

    /// Checks every value the model depends on; the first problem found is reported.
    pub fn validate(&self) -> Result<()> {
        positive("hours", self.hours)?;
        at_most("hours", self.hours, 1e6)?;
        if self.hours < 1e-3 {
            return Err(EnergyError::invalid(
                "hours",
                self.hours,
                "must be at least 0.001",
            ));
        }
        non_negative("fuel_litres", self.fuel_litres)?;
        at_most("fuel_litres", self.fuel_litres, MAX_QUANTITY)?;
        non_negative("fuel_l_per_kwh", self.fuel_l_per_kwh)?;
        at_most("fuel_l_per_kwh", self.fuel_l_per_kwh, 1e3)?;
        non_negative("min_loading", self.min_loading)?;
        if self.min_loading > 1.0 {
            return Err(EnergyError::invalid(
                "min_loading",
                self.min_loading,
                "must be a fraction between 0 and 1",
            ));
        }
        // Ids are labels (MODEL.md puts no rule on them, and an empty one is a JSON key like any
        // other); only a duplicate makes the output ambiguous.
        let mut ids: HashMap<&str, usize> = HashMap::with_capacity(self.facilities.len());
        for (i, f) in self.facilities.iter().enumerate() {
            let at = format!("facilities[{i}] (id {:?})", f.id);
            if let Some(first) = ids.insert(&f.id, i) {
                return Err(EnergyError::invalid(
                    format!("facilities[{i}].id"),
                    format!("{:?}", f.id),
                    format!("duplicate of facilities[{first}].id"),
                ));
            }
            non_negative(&format!("{at}.weight"), f.weight)?;
            at_most(&format!("{at}.weight"), f.weight, MAX_QUANTITY)?;
            non_negative(&format!("{at}.unmet_kw"), f.unmet_kw)?;
            at_most(&format!("{at}.unmet_kw"), f.unmet_kw, MAX_QUANTITY)?;
        }
        let mut models: HashMap<&str, usize> = HashMap::with_capacity(self.fleet.len());
        for (i, m) in self.fleet.iter().enumerate() {
            if let Some(first) = models.insert(&m.model, i) {
                return Err(EnergyError::invalid(
                    format!("fleet[{i}].model"),
                    format!("{:?}", m.model),
                    format!("duplicate of fleet[{first}].model; merge the counts"),
                ));
            }
            let at = format!("fleet[{i}] (model {:?})", m.model);
            // A 0 kW unit covers nothing (min(P, U) = 0 in row 1): valid, never assigned.
            non_negative(&format!("{at}.prime_kw"), m.prime_kw)?;
            at_most(&format!("{at}.prime_kw"), m.prime_kw, MAX_QUANTITY)?;
            non_negative(&format!("{at}.idle_l_per_h"), m.idle_l_per_h)?;
            at_most(&format!("{at}.idle_l_per_h"), m.idle_l_per_h, MAX_QUANTITY)?;
        }
        if let Some(t) = &self.transport_kw {
            for (r, &kw) in t {
                non_negative(&format!("transport_kw.{r}"), kw)?;
                at_most(&format!("transport_kw.{r}"), kw, MAX_QUANTITY)?;
            }
        }
        Ok(())
    }
}

impl Instance {
    /// What a valid instance holds that the planner will not use, for the reader to check: a
    /// `transport_kw` region no facility is in (row 6 of MODEL.md is then empty, so the limit
    /// binds nothing; often a misspelt region, which leaves the intended one unlimited) and
    /// models of 0 kW (they cover nothing).
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if let Some(t) = &self.transport_kw {
            let regions: std::collections::HashSet<&str> =
                self.facilities.iter().map(|f| f.region.as_str()).collect();
            for (r, kw) in t {
                if !regions.contains(r.as_str()) {
                    notes.push(format!(
                        "transport_kw.{r} = {kw}: no facility is in region {r:?}, so this limit binds nothing (is the region's name spelt as in facilities?)"
                    ));
                }
            }
        }
        for (i, m) in self.fleet.iter().enumerate() {
            if m.prime_kw <= 0.0 && m.count > 0 {
                notes.push(format!(
                    "fleet[{i}] (model {:?}).prime_kw = 0: its units cover nothing and are not assigned",
                    m.model
                ));
            }
        }
        notes
    }
}

/// `transport_kw` with each region once: a JSON object may repeat a key, and a map would keep
/// the last value without a word, so the limit meant first would be lost.
fn regions_once<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<BTreeMap<String, f64>>, D::Error> {
    struct Regions;
    impl<'de> serde::de::Visitor<'de> for Regions {
        type Value = Option<BTreeMap<String, f64>>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object of region name to kW, or null")
        }

        fn visit_none<E: serde::de::Error>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: serde::de::Error>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D2: serde::Deserializer<'de>>(
            self,
            d: D2,
        ) -> std::result::Result<Self::Value, D2::Error> {
            d.deserialize_map(self)
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> std::result::Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some((region, kw)) = map.next_entry::<String, f64>()? {
                if out.contains_key(&region) {
                    return Err(serde::de::Error::custom(format!(
                        "region {region:?} is listed twice"
                    )));
                }
                out.insert(region, kw);
            }
            Ok(Some(out))
        }
    }
    d.deserialize_option(Regions)
}

/// Largest accepted kW, litre or weight value. Far beyond any real grid (1 TW), and small enough
/// that sums and products over millions of facilities stay finite.
pub const MAX_QUANTITY: f64 = 1e12;

fn at_most(field: &str, v: f64, max: f64) -> Result<()> {
    if v > max {
        return Err(EnergyError::invalid(
            field,
            v,
            format!("must be at most {max:e}"),
        ));
    }
    Ok(())
}

fn non_negative(field: &str, v: f64) -> Result<()> {
    if !v.is_finite() || v < 0.0 {
        return Err(EnergyError::invalid(
            field,
            v,
            "must be a finite number ≥ 0",
        ));
    }
    Ok(())
}

fn positive(field: &str, v: f64) -> Result<()> {
    if !v.is_finite() || v <= 0.0 {
        return Err(EnergyError::invalid(
            field,
            v,
            "must be a finite number > 0",
        ));
    }
    Ok(())
}

/// The instance with indices instead of names, the per-hour fuel budget, and the list of models
/// each facility may receive. Built once; every solver routine reads it.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub nf: usize,
    pub ns: usize,
    pub w: Vec<f64>,
    pub u: Vec<f64>,
    /// Index into `region_cap`.
    pub region: Vec<usize>,
    pub region_names: Vec<String>,
    /// `None` = unlimited.
    pub region_cap: Vec<Option<f64>>,
    pub p: Vec<f64>,
    pub n: Vec<u32>,
    pub idle: Vec<f64>,
    pub k: u32,
    pub a: f64,
    /// Fuel budget per hour: row 5 of the model divided by H.
    pub fuel_h: f64,
    /// Models facility f may receive (row 4, stock > 0, more than 0 kW, and one unit fits the
    /// region limit).
    pub allowed: Vec<Vec<usize>>,
    /// Facilities by weight, highest first: the order in which fuel goes to coverage.
    pub by_weight: Vec<usize>,
}

impl Prepared {
    pub fn new(inst: &Instance) -> Self {
        let nf = inst.facilities.len();
        let ns = inst.fleet.len();
        let mut region_ix: HashMap<&str, usize> = HashMap::new();
        let mut region_names = Vec::new();
        let mut region = Vec::with_capacity(nf);
        for f in &inst.facilities {
            let next = region_names.len();
            let ix = *region_ix.entry(f.region.as_str()).or_insert_with(|| {
                region_names.push(f.region.clone());
                next
            });
            region.push(ix);
        }
        let region_cap: Vec<Option<f64>> = region_names
            .iter()
            .map(|r| inst.transport_kw.as_ref().and_then(|t| t.get(r).copied()))
            .collect();
        let w: Vec<f64> = inst.facilities.iter().map(|f| f.weight).collect();
        let u: Vec<f64> = inst.facilities.iter().map(|f| f.unmet_kw).collect();
        let p: Vec<f64> = inst.fleet.iter().map(|m| m.prime_kw).collect();
        let n: Vec<u32> = inst.fleet.iter().map(|m| m.count).collect();
        let idle: Vec<f64> = inst.fleet.iter().map(|m| m.idle_l_per_h).collect();
        let k = inst.max_units_per_facility;
        let allowed = (0..nf)
            .map(|f| {
                if k == 0 || w[f] <= 0.0 || u[f] <= 0.0 {
                    // Units there can cover nothing; excluding them loses no value.
                    return Vec::new();
                }
                (0..ns)
                    .filter(|&s| {
                        n[s] > 0
                            && p[s] > 0.0
                            && inst.min_loading * p[s] <= u[f]
                            && region_cap[region[f]].is_none_or(|t| p[s] <= t + tol(t))
                            && idle[s] <= inst.fuel_litres / inst.hours + tol(idle[s])
                    })
                    .collect()
            })
            .collect();
        let mut by_weight: Vec<usize> = (0..nf).collect();
        by_weight.sort_by(|&x, &y| w[y].total_cmp(&w[x]).then(x.cmp(&y)));
        Prepared {
            nf,
            ns,
            w,
            u,
            region,
            region_names,
            region_cap,
            p,
            n,
            idle,
            k,
            a: inst.fuel_l_per_kwh,
            fuel_h: inst.fuel_litres / inst.hours,
            allowed,
            by_weight,
        }
    }

    /// Coverage coefficient min(P_s, U_f) of row 1.
    #[inline]
    pub fn m(&self, f: usize, s: usize) -> f64 {
        self.p[s].min(self.u[f])
    }

    pub fn nregions(&self) -> usize {
        self.region_cap.len()
    }
}

/// Slack for comparisons of sums of kW or litres, so that exact fits are not lost to rounding.
#[inline]
pub fn tol(x: f64) -> f64 {
    1e-9 * x.abs().max(1.0)
}
