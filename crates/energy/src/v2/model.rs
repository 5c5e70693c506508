//! The indexed form of a version 2 instance, a candidate allocation with its running sums, and
//! the exact best service y for a given allocation z.
//!
//! Given z, the model separates by region: each facility serves its best tiers up to its own
//! backup E_f for free, and the kW beyond E_f carried by donated units cost `fuel_l_per_kwh` per
//! kW-hour from the region's delivered fuel. All those kW cost the same per kW, so the best y
//! is a fractional knapsack: the tier pieces above E_f of every facility in the region, highest
//! value per kW first, while fuel lasts (pieces of one facility come in tier-weight order, so
//! the concave value curve of each facility is respected).

use crate::instance::tol;
use crate::v2::instance::{InstanceV2, Tier};

#[derive(Debug, Clone)]
pub struct Prep {
    pub nf: usize,
    pub ns: usize,
    pub nr: usize,
    pub region: Vec<usize>,
    pub by_region: Vec<Vec<usize>>,
    pub o: Vec<f64>,
    /// Litres per outage hour the region can spend: F_r / o_r (infinite when o_r = 0).
    pub fuel_h: Vec<f64>,
    pub install: Vec<u32>,
    /// E_f.
    pub e: Vec<f64>,
    /// L_{f,t} by [`Tier::index`].
    pub load: Vec<[f64; 3]>,
    /// Σ_t L_{f,t}.
    pub ltot: Vec<f64>,
    /// Load above own backup, kW: the most donated units can carry at f.
    pub room: Vec<f64>,
    /// Objective value of the load carried by own backup (best tiers first), constant in z.
    pub free_value: Vec<f64>,
    /// Pieces of load above E_f as (value per kW, kW, tier), highest value first.
    pub pieces: Vec<Vec<(f64, f64, Tier)>>,
    /// Tiers by weight, highest first (the order in which a facility serves them).
    pub tier_order: [Tier; 3],
    pub p: Vec<f64>,
    /// U_s = derate · P_s.
    pub u: Vec<f64>,
    /// K_s = P_s / power factor.
    pub kva: Vec<f64>,
    pub idle: Vec<f64>,
    pub n: Vec<u32>,
    pub k: u32,
    pub a: f64,
    /// Models facility f may receive: eligible (row 5), in stock, able to add value, and one
    /// unit fits the region's fuel and installation capacity.
    pub allowed: Vec<Vec<usize>>,
}

impl Prep {
    pub fn new(inst: &InstanceV2) -> Self {
        let nf = inst.facilities.len();
        let ns = inst.fleet.len();
        let nr = inst.regions.len();
        let pf = inst.power_factor;
        let rix: std::collections::HashMap<&str, usize> = inst
            .regions
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i))
            .collect();
        let region: Vec<usize> = inst
            .facilities
            .iter()
            .map(|f| rix.get(f.region.as_str()).copied().unwrap_or(0))
            .collect();
        let mut by_region = vec![Vec::new(); nr];
        for (f, &r) in region.iter().enumerate() {
            by_region[r].push(f);
        }
        let o: Vec<f64> = inst.regions.iter().map(|r| r.outage_h_per_day).collect();
        let fuel_h: Vec<f64> = inst
            .regions
            .iter()
            .map(|r| {
                if r.outage_h_per_day > 0.0 {
                    r.fuel_l_per_day / r.outage_h_per_day
                } else {
                    f64::INFINITY
                }
            })
            .collect();
        let install: Vec<u32> = inst.regions.iter().map(|r| r.install_units).collect();
        let w = inst.tier_weights;
        let mut tier_order = Tier::ALL;
        tier_order.sort_by(|x, y| w.get(*y).total_cmp(&w.get(*x)).then(x.cmp(y)));
        let mut e = Vec::with_capacity(nf);
        let mut ltot = Vec::with_capacity(nf);
        let mut room = Vec::with_capacity(nf);
        let mut free_value = Vec::with_capacity(nf);
        let mut pieces = Vec::with_capacity(nf);
        for (fi, f) in inst.facilities.iter().enumerate() {
            let ef = f.backup_kw(pf);
            let lt = f.loads_kw.total();
            let scale = inst.horizon_days * f.population_weight * o[region[fi]];
            let mut own = ef;
            let mut fv = 0.0;
            let mut ps = Vec::with_capacity(3);
            for t in tier_order {
                let l = f.loads_kw.get(t);
                let rate = scale * w.get(t);
                let by_own = l.min(own);
                own -= by_own;
                fv += rate * by_own;
                if l - by_own > 0.0 {
                    ps.push((rate, l - by_own, t));
                }
            }
            e.push(ef);
            ltot.push(lt);
            room.push((lt - ef).max(0.0));
            free_value.push(fv);
            pieces.push(ps);
        }
        let p: Vec<f64> = inst.fleet.iter().map(|m| m.prime_kw(pf)).collect();
        let u: Vec<f64> = p.iter().map(|p| inst.derate * p).collect();
        let kva: Vec<f64> = p.iter().map(|p| p / pf).collect();
        let idle: Vec<f64> = inst.fleet.iter().map(|m| m.idle(pf)).collect();
        let n: Vec<u32> = inst.fleet.iter().map(|m| m.count).collect();
        let k = inst.max_units_per_facility;
        let allowed = (0..nf)
            .map(|f| {
                let r = region[f];
                let valuable = pieces[f].iter().any(|&(rate, _, _)| rate > 0.0);
                if k == 0 || install[r] == 0 || !valuable {
                    return Vec::new();
                }
                (0..ns)
                    .filter(|&s| {
                        n[s] > 0
                            && u[s] > 0.0
                            && eligible(inst, &kva, &p, &ltot, f, s)
                            && idle[s] <= fuel_h[r] + tol(fuel_h[r])
                    })
                    .collect()
            })
            .collect();
        Prep {
            nf,
            ns,
            nr,
            region,
            by_region,
            o,
            fuel_h,
            install,
            e,
            load: inst
                .facilities
                .iter()
                .map(|f| f.loads_kw.as_array())
                .collect(),
            ltot,
            room,
            free_value,
            pieces,
            tier_order,
            p,
            u,
            kva,
            idle,
            n,
            k,
            a: inst.slope(),
            allowed,
        }
    }

    /// Donated kW of one unit of s that can be useful at f.
    #[inline]
    pub fn m(&self, f: usize, s: usize) -> f64 {
        self.u[s].min(self.room[f])
    }

    pub fn constant(&self) -> f64 {
        self.free_value.iter().sum()
    }
}

/// Row 5 of MODEL-v2.md: the set starts the largest step load and runs at least at min loading.
pub fn eligible(
    inst: &InstanceV2,
    kva: &[f64],
    p: &[f64],
    ltot: &[f64],
    f: usize,
    s: usize,
) -> bool {
    let step = inst.facilities[f].largest_step_kva;
    kva[s] + tol(kva[s]) >= step && inst.min_loading * p[s] <= ltot[f] + tol(ltot[f])
}

/// Value of the pieces of one facility above E_f that donated capacity `cap` can reach, at
/// reduced rate `rate − price` (price = 0: the true value).
#[inline]
pub fn facility_value(pieces: &[(f64, f64, Tier)], cap: f64, price: f64) -> (f64, f64) {
    let mut left = cap;
    let mut v = 0.0;
    let mut kw = 0.0;
    for &(rate, len, _) in pieces {
        if left <= 0.0 || rate <= price {
            break;
        }
        let take = len.min(left);
        v += (rate - price) * take;
        kw += take;
        left -= take;
    }
    (v, kw)
}

/// Scratch space for region evaluations.
#[derive(Debug, Default, Clone)]
pub struct Scratch {
    buf: Vec<(f64, f64)>,
}

/// Best value of region r given donated capacity per facility (`cap`, with `delta` applied on
/// top) and idle litres per outage hour `idle`. NEG_INFINITY if idle fuel alone exceeds F_r/o_r.
pub fn region_value(
    prep: &Prep,
    cap: &[f64],
    r: usize,
    idle: f64,
    delta: &[(usize, f64)],
    scratch: &mut Scratch,
) -> f64 {
    let fuel = prep.fuel_h[r];
    let budget = fuel - idle;
    if budget < -tol(fuel.min(1e300)) {
        return f64::NEG_INFINITY;
    }
    let kw_budget = if prep.a > 0.0 {
        budget.max(0.0) / prep.a
    } else {
        f64::INFINITY
    };
    let cap_of = |f: usize| {
        let mut c = cap[f];
        for &(g, d) in delta {
            if g == f {
                c += d;
            }
        }
        c.max(0.0)
    };
    // Fast path: when everything the units can carry fits the fuel, no sorting is needed.
    let mut need = 0.0;
    let mut all = 0.0;
    for &f in &prep.by_region[r] {
        let c = cap_of(f);
        if c > 0.0 {
            let (v, kw) = facility_value(&prep.pieces[f], c, 0.0);
            all += v;
            need += kw;
        }
    }
    if need <= kw_budget + tol(kw_budget.min(1e300)) {
        return all;
    }
    scratch.buf.clear();
    for &f in &prep.by_region[r] {
        let mut left = cap_of(f);
        for &(rate, len, _) in &prep.pieces[f] {
            if left <= 0.0 {
                break;
            }
            let take = len.min(left);
            if rate > 0.0 {
                scratch.buf.push((rate, take));
            }
            left -= take;
        }
    }
    scratch.buf.sort_unstable_by(|x, y| y.0.total_cmp(&x.0));
    let mut left = kw_budget;
    let mut v = 0.0;
    for &(rate, len) in &scratch.buf {
        if left <= 0.0 {
            break;
        }
        let take = len.min(left);
        v += rate * take;
        left -= take;
    }
    v
}

/// The y of [`region_value`]: kW carried by donated units per facility and tier, and the rate
/// of the last piece fuel reached (0 when fuel does not bind).
pub fn region_fill(
    prep: &Prep,
    cap: &[f64],
    r: usize,
    idle: f64,
) -> (Vec<(usize, Tier, f64)>, f64) {
    let budget = (prep.fuel_h[r] - idle).max(0.0);
    let mut left = if prep.a > 0.0 {
        budget / prep.a
    } else {
        f64::INFINITY
    };
    let mut items: Vec<(f64, usize, Tier, f64)> = Vec::new();
    for &f in &prep.by_region[r] {
        let mut c = cap[f].max(0.0);
        for &(rate, len, t) in &prep.pieces[f] {
            if c <= 0.0 {
                break;
            }
            let take = len.min(c);
            if rate > 0.0 {
                items.push((rate, f, t, take));
            }
            c -= take;
        }
    }
    items.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    let mut out = Vec::with_capacity(items.len());
    let mut marginal: f64 = 0.0;
    for (rate, f, t, len) in items {
        if left <= 0.0 {
            marginal = marginal.max(rate);
            continue;
        }
        let take = len.min(left);
        left -= take;
        if take < len {
            marginal = rate;
        }
        out.push((f, t, take));
    }
    (out, marginal)
}

/// A candidate allocation and its running sums.
#[derive(Debug, Clone)]
pub struct State {
    pub units: Vec<Vec<usize>>,
    /// Σ_s U_s z_{f,s}.
    pub cap: Vec<f64>,
    pub used: Vec<u32>,
    pub installed: Vec<u32>,
    /// Σ idle L/h of the units in the region.
    pub idle: Vec<f64>,
    /// Cached [`region_value`] per region.
    pub rv: Vec<f64>,
}

impl State {
    pub fn empty(prep: &Prep) -> Self {
        State {
            units: vec![Vec::new(); prep.nf],
            cap: vec![0.0; prep.nf],
            used: vec![0; prep.ns],
            installed: vec![0; prep.nr],
            idle: vec![0.0; prep.nr],
            rv: vec![0.0; prep.nr],
        }
    }

    pub fn objective(&self, prep: &Prep) -> f64 {
        prep.constant() + self.rv.iter().sum::<f64>()
    }

    pub fn refresh(&mut self, prep: &Prep, r: usize, scratch: &mut Scratch) {
        self.rv[r] = region_value(prep, &self.cap, r, self.idle[r], &[], scratch);
    }

    /// Adds without re-evaluating the region (call [`State::refresh`] after).
    pub fn push(&mut self, prep: &Prep, f: usize, s: usize) {
        let r = prep.region[f];
        self.units[f].push(s);
        self.used[s] += 1;
        self.installed[r] += 1;
        self.idle[r] += prep.idle[s];
        self.cap[f] += prep.u[s];
    }

    pub fn pop(&mut self, prep: &Prep, f: usize, s: usize) -> bool {
        let Some(pos) = self.units[f].iter().position(|&x| x == s) else {
            return false;
        };
        let r = prep.region[f];
        self.units[f].swap_remove(pos);
        self.used[s] -= 1;
        self.installed[r] -= 1;
        self.idle[r] -= prep.idle[s];
        self.cap[f] = self.units[f].iter().map(|&x| prep.u[x]).sum();
        if self.units[f].is_empty() {
            self.cap[f] = 0.0;
        }
        true
    }

    pub fn add(&mut self, prep: &Prep, f: usize, s: usize, scratch: &mut Scratch) {
        self.push(prep, f, s);
        self.refresh(prep, prep.region[f], scratch);
    }

    pub fn remove(&mut self, prep: &Prep, f: usize, s: usize, scratch: &mut Scratch) -> bool {
        let ok = self.pop(prep, f, s);
        if ok {
            self.refresh(prep, prep.region[f], scratch);
        }
        ok
    }

    /// Can one more unit of s go to f (stock, slot, installation, idle fuel)?
    pub fn can_add(&self, prep: &Prep, f: usize, s: usize) -> bool {
        let r = prep.region[f];
        self.units[f].len() < prep.k as usize
            && self.used[s] < prep.n[s]
            && self.installed[r] < prep.install[r]
            && self.idle[r] + prep.idle[s] <= prep.fuel_h[r] + tol(prep.fuel_h[r])
    }

    pub fn rebuild(prep: &Prep, units: Vec<Vec<usize>>) -> Self {
        let mut st = State::empty(prep);
        for (f, list) in units.into_iter().enumerate() {
            for s in list {
                st.push(prep, f, s);
            }
        }
        let mut scratch = Scratch::default();
        for r in 0..prep.nr {
            st.refresh(prep, r, &mut scratch);
        }
        st
    }

    pub fn is_feasible(&self, prep: &Prep) -> bool {
        (0..prep.ns).all(|s| self.used[s] <= prep.n[s])
            && self.units.iter().all(|u| u.len() <= prep.k as usize)
            && (0..prep.nr).all(|r| {
                self.installed[r] <= prep.install[r]
                    && self.idle[r] <= prep.fuel_h[r] + tol(prep.fuel_h[r])
            })
            && self
                .units
                .iter()
                .enumerate()
                .all(|(f, list)| list.iter().all(|s| prep.allowed[f].contains(s)))
    }
}
