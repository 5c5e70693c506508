//! Primal side: greedy construction (plain, density and Lagrangian-priced) and a local search
//! over add / replace / remove / relocate / swap moves with exact acceptance.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::time::Instant;

use crate::bound::Prices;
use crate::instance::{Prepared, tol};
use crate::state::{State, fill};

#[derive(Debug, Clone, Copy)]
pub enum Scoring<'a> {
    /// Weighted kW the unit adds.
    Value,
    /// Weighted kW added per kW of fleet capacity used: favours units that fit the site.
    Density,
    /// Weighted kW added minus the Lagrangian price of the unit, its idle fuel and transport.
    Priced(&'a Prices),
}

struct Item {
    score: f64,
    f: usize,
    s: usize,
    version: u32,
}

impl PartialEq for Item {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Item {}
impl PartialOrd for Item {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Item {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then_with(|| other.f.cmp(&self.f))
            .then_with(|| other.s.cmp(&self.s))
    }
}

fn best_addition(
    prep: &Prepared,
    st: &State,
    f: usize,
    scoring: Scoring<'_>,
    fuel_left: f64,
) -> Option<(f64, usize)> {
    if st.units[f].len() >= prep.k as usize {
        return None;
    }
    let mut best: Option<(f64, usize)> = None;
    for &s in &prep.allowed[f] {
        if !st.can_add(prep, f, s, false) || prep.idle[s] > fuel_left + tol(prep.fuel_h) {
            continue;
        }
        let d = st.cap_with(prep, f, Some(s), None) - st.cap[f];
        if d <= 1e-12 {
            continue;
        }
        // Coverage beyond the fuel that is left is worth nothing to this greedy.
        let d_eff = if prep.a > 0.0 {
            d.min(((fuel_left - prep.idle[s]) / prep.a).max(0.0))
        } else {
            d
        };
        let score = match scoring {
            Scoring::Value => prep.w[f] * d_eff,
            Scoring::Density => prep.w[f] * d_eff / prep.p[s],
            Scoring::Priced(pr) => {
                (prep.w[f] - pr.lambda * prep.a) * d
                    - pr.mu[s]
                    - pr.nu[prep.region[f]] * prep.p[s]
                    - pr.lambda * prep.idle[s]
            }
        };
        if score > 1e-12 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, s));
        }
    }
    best
}

/// Slack of the lazy re-scoring test. When fuel binds, every addition lowers every score a
/// little, and an exact test would re-queue each facility after each addition (quadratic).
const LAZY_SLACK: f64 = 0.01;

/// Adds units one at a time, best score first, while any addition scores above zero.
pub fn greedy(prep: &Prepared, mut st: State, scoring: Scoring<'_>) -> State {
    let mut fuel_left = prep.fuel_h - st.idle_total - prep.a * st.cap.iter().sum::<f64>();
    let mut version = vec![0u32; prep.nf];
    // First scores go in a sorted array read front to back, re-scored entries in a heap: with one
    // heap of 450,000 entries most of the time went to cache misses.
    let mut first: Vec<Item> = (0..prep.nf)
        .filter_map(|f| {
            best_addition(prep, &st, f, scoring, fuel_left).map(|(score, s)| Item {
                score,
                f,
                s,
                version: 0,
            })
        })
        .collect();
    first.sort_unstable_by(|a, b| b.cmp(a));
    let mut cursor = 0;
    let mut heap: BinaryHeap<Item> = BinaryHeap::new();
    let mut stock_left: u64 = (0..prep.ns)
        .map(|s| u64::from(prep.n[s].saturating_sub(st.used[s])))
        .sum();
    // Everything placed: the remaining entries could only be refreshed to nothing.
    while stock_left > 0 {
        let take_array = match (first.get(cursor), heap.peek()) {
            (Some(a), Some(h)) => a >= h,
            (Some(_), None) => true,
            (None, _) => false,
        };
        let (f, version_seen) = if take_array {
            cursor += 1;
            (first[cursor - 1].f, first[cursor - 1].version)
        } else {
            match heap.pop() {
                Some(h) => (h.f, h.version),
                None => break,
            }
        };
        if version_seen != version[f] {
            continue;
        }
        // Shared resources may have been used up since this entry was scored. Scores only fall
        // as resources are used, so a refreshed score that still beats every stored one is the
        // maximum (up to the slack).
        let fresh = best_addition(prep, &st, f, scoring, fuel_left);
        let next_best = heap
            .peek()
            .map_or(f64::NEG_INFINITY, |t| t.score)
            .max(first.get(cursor).map_or(f64::NEG_INFINITY, |a| a.score));
        version[f] += 1;
        match fresh {
            Some((score, s)) if score >= next_best * (1.0 - LAZY_SLACK) => {
                let before = st.cap[f];
                st.add(prep, f, s);
                stock_left -= 1;
                fuel_left -= prep.idle[s] + prep.a * (st.cap[f] - before);
                if let Some((score, s)) = best_addition(prep, &st, f, scoring, fuel_left) {
                    heap.push(Item {
                        score,
                        f,
                        s,
                        version: version[f],
                    });
                }
            }
            Some((score, s)) => heap.push(Item {
                score,
                f,
                s,
                version: version[f],
            }),
            None => {}
        }
    }
    st
}

/// Local search with first-improvement acceptance. Each candidate move is first estimated with the
/// fuel shadow price of the current fill, then applied and kept only if the exact objective rises.
pub fn local_search(prep: &Prepared, st: &mut State, deadline: Instant) -> f64 {
    let mut obj = st.objective(prep);
    let mut passes = 0;
    loop {
        passes += 1;
        let before = obj;
        obj = pass_facility_moves(prep, st, obj, deadline);
        obj = pass_pair_moves(prep, st, obj, deadline);
        if Instant::now() >= deadline || obj <= before + eps(before) || passes > 200 {
            break;
        }
        if passes % 10 == 0 {
            // Drop accumulated rounding in the running sums.
            *st = State::rebuild(prep, std::mem::take(&mut st.units));
            obj = st.objective(prep);
        }
    }
    obj
}

fn eps(obj: f64) -> f64 {
    1e-9 * obj.abs().max(1.0)
}

/// Shadow price view of the current fill: the weight at which fuel runs out (0 if it does not)
/// and the fuel left over when it does not bind.
struct Margin {
    wstar: f64,
    slack: f64,
}

fn margin(prep: &Prepared, st: &State) -> Margin {
    let (_, wstar) = fill(prep, &st.cap, st.idle_total);
    let slack = if wstar > 0.0 {
        0.0
    } else {
        prep.fuel_h - st.idle_total - prep.a * st.cap.iter().sum::<f64>()
    };
    Margin { wstar, slack }
}

/// Estimated objective change for coverage changes `dcap` (facility, Δcap) and idle change.
fn estimate(prep: &Prepared, m: &Margin, dcap: &[(usize, f64)], d_idle: f64) -> f64 {
    if m.wstar <= 0.0 {
        let need: f64 = prep.a * dcap.iter().map(|&(_, d)| d).sum::<f64>() + d_idle;
        let value: f64 = dcap.iter().map(|&(f, d)| prep.w[f] * d).sum();
        if need <= m.slack {
            return value;
        }
        // Fuel would start to bind: optimistic, the exact check decides.
        return value - (need - m.slack).max(0.0) / prep.a.max(1e-12) * min_weight(prep);
    }
    let mut v = 0.0;
    for &(f, d) in dcap {
        let w = prep.w[f];
        if w > m.wstar {
            v += (w - m.wstar) * d;
        }
    }
    if prep.a > 0.0 {
        v -= m.wstar * d_idle / prep.a;
    }
    v
}

fn min_weight(prep: &Prepared) -> f64 {
    prep.by_weight.last().map_or(0.0, |&f| prep.w[f])
}

/// Applies `apply`, keeps it if the exact objective improves, otherwise runs `undo`.
fn try_move(
    prep: &Prepared,
    st: &mut State,
    obj: &mut f64,
    apply: impl FnOnce(&mut State),
    undo: impl FnOnce(&mut State),
) -> bool {
    apply(st);
    let new = st.objective(prep);
    if new > *obj + eps(*obj) {
        *obj = new;
        true
    } else {
        undo(st);
        false
    }
}

fn pass_facility_moves(prep: &Prepared, st: &mut State, mut obj: f64, deadline: Instant) -> f64 {
    let mut m = margin(prep, st);
    for idx in 0..prep.nf {
        if idx % 64 == 0 && Instant::now() >= deadline {
            break;
        }
        let f = prep.by_weight[idx];
        if prep.allowed[f].is_empty() {
            continue;
        }
        let mut changed = true;
        while changed {
            changed = false;
            // Add a free unit.
            if st.units[f].len() < prep.k as usize {
                let mut best: Option<(f64, usize)> = None;
                for &s in &prep.allowed[f] {
                    if !st.can_add(prep, f, s, false)
                        || st.idle_total + prep.idle[s] > prep.fuel_h + tol(prep.fuel_h)
                    {
                        continue;
                    }
                    let d = st.cap_with(prep, f, Some(s), None) - st.cap[f];
                    let e = estimate(prep, &m, &[(f, d)], prep.idle[s]);
                    if e > eps(obj) && best.is_none_or(|(b, _)| e > b) {
                        best = Some((e, s));
                    }
                }
                if let Some((_, s)) = best
                    && try_move(
                        prep,
                        st,
                        &mut obj,
                        |st| st.add(prep, f, s),
                        |st| {
                            st.remove(prep, f, s);
                        },
                    )
                {
                    m = margin(prep, st);
                    changed = true;
                    continue;
                }
            }
            // Replace one of its units by a free unit of another model, or drop one.
            let mut best: Option<(f64, usize, Option<usize>)> = None;
            let mut seen: Vec<usize> = st.units[f].clone();
            seen.sort_unstable();
            seen.dedup();
            for &t in &seen {
                let d = st.cap_with(prep, f, None, Some(t)) - st.cap[f];
                let e = estimate(prep, &m, &[(f, d)], -prep.idle[t]);
                if e > eps(obj) && best.is_none_or(|(b, _, _)| e > b) {
                    best = Some((e, t, None));
                }
                for &s in &prep.allowed[f] {
                    if s == t
                        || st.used[s] >= prep.n[s]
                        || !st.region_fits(prep, f, prep.p[s] - prep.p[t])
                        || st.idle_total + prep.idle[s] - prep.idle[t]
                            > prep.fuel_h + tol(prep.fuel_h)
                    {
                        continue;
                    }
                    let d = st.cap_with(prep, f, Some(s), Some(t)) - st.cap[f];
                    let e = estimate(prep, &m, &[(f, d)], prep.idle[s] - prep.idle[t]);
                    if e > eps(obj) && best.is_none_or(|(b, _, _)| e > b) {
                        best = Some((e, t, Some(s)));
                    }
                }
            }
            if let Some((_, t, add)) = best {
                let ok = try_move(
                    prep,
                    st,
                    &mut obj,
                    |st| {
                        st.remove(prep, f, t);
                        if let Some(s) = add {
                            st.add(prep, f, s);
                        }
                    },
                    |st| {
                        if let Some(s) = add {
                            st.remove(prep, f, s);
                        }
                        st.add(prep, f, t);
                    },
                );
                if ok {
                    m = margin(prep, st);
                    changed = true;
                }
            }
        }
    }
    obj
}

/// Keeps the `n` best (value, facility) pairs.
fn push_top(top: &mut Vec<(f64, usize)>, v: f64, f: usize, n: usize) {
    if top.len() < n {
        top.push((v, f));
    } else if let Some(min_ix) = (0..top.len()).min_by(|&a, &b| top[a].0.total_cmp(&top[b].0))
        && v > top[min_ix].0
    {
        top[min_ix] = (v, f);
    }
}

const TOP: usize = 4;

/// Relocations (a unit moves from f to g) and swaps (f's s with g's t), searched per model pair
/// with the best few candidates on each side, so a pass is O(S²·F) rather than O(F²).
fn pass_pair_moves(prep: &Prepared, st: &mut State, mut obj: f64, deadline: Instant) -> f64 {
    for s in 0..prep.ns {
        for t in 0..=prep.ns {
            if Instant::now() >= deadline {
                return obj;
            }
            // t == ns means "relocate s"; otherwise swap s and t.
            if t == s {
                continue;
            }
            let m = margin(prep, st);
            let mut give: Vec<(f64, usize)> = Vec::new();
            let mut take: Vec<(f64, usize)> = Vec::new();
            for f in 0..prep.nf {
                let has_s = st.units[f].contains(&s);
                if t == prep.ns {
                    if has_s {
                        let d = st.cap_with(prep, f, None, Some(s)) - st.cap[f];
                        push_top(&mut give, estimate(prep, &m, &[(f, d)], 0.0), f, TOP);
                    }
                    if st.units[f].len() < prep.k as usize && prep.allowed[f].contains(&s) {
                        let d = st.cap_with(prep, f, Some(s), None) - st.cap[f];
                        push_top(&mut take, estimate(prep, &m, &[(f, d)], 0.0), f, TOP);
                    }
                } else {
                    if has_s && prep.allowed[f].contains(&t) {
                        let d = st.cap_with(prep, f, Some(t), Some(s)) - st.cap[f];
                        push_top(&mut give, estimate(prep, &m, &[(f, d)], 0.0), f, TOP);
                    }
                    if st.units[f].contains(&t) && prep.allowed[f].contains(&s) {
                        let d = st.cap_with(prep, f, Some(s), Some(t)) - st.cap[f];
                        push_top(&mut take, estimate(prep, &m, &[(f, d)], 0.0), f, TOP);
                    }
                }
            }
            let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
            for &(a, f) in &give {
                for &(b, g) in &take {
                    if f != g && a + b > eps(obj) {
                        pairs.push((a + b, f, g));
                    }
                }
            }
            pairs.sort_by(|x, y| y.0.total_cmp(&x.0));
            for (_, f, g) in pairs {
                let ok = if t == prep.ns {
                    relocate(prep, st, &mut obj, s, f, g)
                } else {
                    swap(prep, st, &mut obj, s, f, t, g)
                };
                if ok {
                    break;
                }
            }
        }
    }
    obj
}

fn relocate(prep: &Prepared, st: &mut State, obj: &mut f64, s: usize, f: usize, g: usize) -> bool {
    if !st.units[f].contains(&s) || st.units[g].len() >= prep.k as usize {
        return false;
    }
    if prep.region[f] != prep.region[g] && !st.region_fits(prep, g, prep.p[s]) {
        return false;
    }
    try_move(
        prep,
        st,
        obj,
        |st| {
            st.remove(prep, f, s);
            st.add(prep, g, s);
        },
        |st| {
            st.remove(prep, g, s);
            st.add(prep, f, s);
        },
    )
}

fn swap(
    prep: &Prepared,
    st: &mut State,
    obj: &mut f64,
    s: usize,
    f: usize,
    t: usize,
    g: usize,
) -> bool {
    if !st.units[f].contains(&s) || !st.units[g].contains(&t) {
        return false;
    }
    if prep.region[f] != prep.region[g]
        && (!st.region_fits(prep, f, prep.p[t] - prep.p[s])
            || !st.region_fits(prep, g, prep.p[s] - prep.p[t]))
    {
        return false;
    }
    try_move(
        prep,
        st,
        obj,
        |st| {
            st.remove(prep, f, s);
            st.remove(prep, g, t);
            st.add(prep, f, t);
            st.add(prep, g, s);
        },
        |st| {
            st.remove(prep, f, t);
            st.remove(prep, g, s);
            st.add(prep, f, s);
            st.add(prep, g, t);
        },
    )
}
