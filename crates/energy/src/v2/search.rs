//! Primal side of the version 2 solver: lazy greedy construction (by value, by value per kW, or
//! priced by Lagrange multipliers) and a first-improvement local search over remove / replace /
//! relocate moves, each evaluated exactly on the regions it touches.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::time::Instant;

use crate::v2::bound::Prices;
use crate::v2::model::{Prep, Scratch, State, facility_value, region_value};

#[derive(Debug, Clone, Copy)]
pub enum Scoring<'a> {
    /// Exact objective gain.
    Value,
    /// Exact gain per usable kW of the unit: favours units that fit the site.
    Density,
    /// The facility's own gain at Lagrangian prices (fuel, stock, installation) minus the unit's
    /// price; ignores the region's remaining fuel (the Value pass that follows respects it).
    Priced(&'a Prices),
}

struct Item {
    score: f64,
    f: usize,
    s: usize,
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

/// Exact objective change of adding one unit of s at f.
pub fn gain_add(prep: &Prep, st: &State, f: usize, s: usize, scratch: &mut Scratch) -> f64 {
    let r = prep.region[f];
    region_value(
        prep,
        &st.cap,
        r,
        st.idle[r] + prep.idle[s],
        &[(f, prep.u[s])],
        scratch,
    ) - st.rv[r]
}

fn best_addition(
    prep: &Prep,
    st: &State,
    f: usize,
    scoring: Scoring<'_>,
    scratch: &mut Scratch,
) -> Option<(f64, usize)> {
    if st.units[f].len() >= prep.k as usize || st.cap[f] >= prep.room[f] {
        return None;
    }
    let mut best: Option<(f64, usize)> = None;
    for &s in &prep.allowed[f] {
        if !st.can_add(prep, f, s) {
            continue;
        }
        let score = match scoring {
            Scoring::Value => gain_add(prep, st, f, s, scratch),
            Scoring::Density => gain_add(prep, st, f, s, scratch) / prep.u[s],
            Scoring::Priced(pr) => {
                let r = prep.region[f];
                let price = pr.lambda[r] * prep.a;
                let pieces = &prep.pieces[f];
                facility_value(pieces, st.cap[f] + prep.u[s], price).0
                    - facility_value(pieces, st.cap[f], price).0
                    - pr.cost(prep, f, s)
            }
        };
        if score > 1e-9 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, s));
        }
    }
    best
}

/// Adds units one at a time, best score first, while any addition scores above zero. Lazy: a
/// popped score is recomputed and the unit added only if it still beats the next in the queue
/// (scores only fall as units are added, so stale scores are optimistic).
pub fn greedy(prep: &Prep, mut st: State, scoring: Scoring<'_>) -> State {
    let mut scratch = Scratch::default();
    let mut heap = BinaryHeap::new();
    for f in 0..prep.nf {
        if let Some((score, s)) = best_addition(prep, &st, f, scoring, &mut scratch) {
            heap.push(Item { score, f, s });
        }
    }
    while let Some(item) = heap.pop() {
        let Some((score, s)) = best_addition(prep, &st, item.f, scoring, &mut scratch) else {
            continue;
        };
        let next = heap.peek().map_or(f64::NEG_INFINITY, |i| i.score);
        if score + 1e-12 * score.abs() >= next {
            // Priced scores ignore the region's fuel: never accept an addition that loses value.
            if matches!(scoring, Scoring::Priced(_))
                && gain_add(prep, &st, item.f, s, &mut scratch) < -1e-9
            {
                continue;
            }
            st.add(prep, item.f, s, &mut scratch);
            if let Some((score, s)) = best_addition(prep, &st, item.f, scoring, &mut scratch) {
                heap.push(Item {
                    score,
                    f: item.f,
                    s,
                });
            }
        } else {
            heap.push(Item {
                score,
                f: item.f,
                s,
            });
        }
    }
    st
}

fn eps(obj: f64) -> f64 {
    1e-9 * obj.abs().max(1.0)
}

/// First-improvement local search; returns the objective. Stops at `deadline`.
pub fn local_search(prep: &Prep, st: &mut State, deadline: Instant) -> f64 {
    let mut scratch = Scratch::default();
    let mut obj = st.objective(prep);
    for _round in 0..50 {
        let before = obj;
        *st = greedy(
            prep,
            std::mem::replace(st, State::empty(prep)),
            Scoring::Value,
        );
        obj = st.objective(prep);
        for f in 0..prep.nf {
            if Instant::now() >= deadline {
                return obj;
            }
            let mut i = 0;
            while i < st.units[f].len() {
                let s = st.units[f][i];
                if try_remove(prep, st, &mut obj, f, s, &mut scratch)
                    || try_replace(prep, st, &mut obj, f, s, &mut scratch)
                    || try_relocate(prep, st, &mut obj, f, s, &mut scratch)
                {
                    // The unit list changed; look at this facility again from the start.
                    i = 0;
                    continue;
                }
                i += 1;
            }
        }
        if obj <= before + eps(before) {
            break;
        }
    }
    obj
}

fn try_remove(
    prep: &Prep,
    st: &mut State,
    obj: &mut f64,
    f: usize,
    s: usize,
    scratch: &mut Scratch,
) -> bool {
    let r = prep.region[f];
    let v = region_value(
        prep,
        &st.cap,
        r,
        st.idle[r] - prep.idle[s],
        &[(f, -prep.u[s])],
        scratch,
    );
    if v - st.rv[r] > eps(*obj) {
        st.remove(prep, f, s, scratch);
        *obj = st.objective(prep);
        return true;
    }
    false
}

fn try_replace(
    prep: &Prep,
    st: &mut State,
    obj: &mut f64,
    f: usize,
    s: usize,
    scratch: &mut Scratch,
) -> bool {
    let r = prep.region[f];
    let mut best: Option<(f64, usize)> = None;
    for &t in &prep.allowed[f] {
        if t == s || st.used[t] >= prep.n[t] {
            continue;
        }
        let idle = st.idle[r] - prep.idle[s] + prep.idle[t];
        let v = region_value(
            prep,
            &st.cap,
            r,
            idle,
            &[(f, prep.u[t] - prep.u[s])],
            scratch,
        );
        let d = v - st.rv[r];
        if d > eps(*obj) && best.is_none_or(|(b, _)| d > b) {
            best = Some((d, t));
        }
    }
    if let Some((_, t)) = best {
        st.pop(prep, f, s);
        st.add(prep, f, t, scratch);
        *obj = st.objective(prep);
        return true;
    }
    false
}

fn try_relocate(
    prep: &Prep,
    st: &mut State,
    obj: &mut f64,
    f: usize,
    s: usize,
    scratch: &mut Scratch,
) -> bool {
    let r = prep.region[f];
    // Loss at f from taking the unit away.
    let without = region_value(
        prep,
        &st.cap,
        r,
        st.idle[r] - prep.idle[s],
        &[(f, -prep.u[s])],
        scratch,
    );
    let loss = st.rv[r] - without;
    let mut best: Option<(f64, usize)> = None;
    for g in 0..prep.nf {
        if g == f
            || st.units[g].len() >= prep.k as usize
            || st.cap[g] >= prep.room[g]
            || !prep.allowed[g].contains(&s)
        {
            continue;
        }
        let q = prep.region[g];
        let d = if q == r {
            region_value(
                prep,
                &st.cap,
                r,
                st.idle[r],
                &[(f, -prep.u[s]), (g, prep.u[s])],
                scratch,
            ) - st.rv[r]
        } else {
            if st.installed[q] >= prep.install[q]
                || st.idle[q] + prep.idle[s] > prep.fuel_h[q] + crate::instance::tol(prep.fuel_h[q])
            {
                continue;
            }
            // The gain at g can be no more than its whole value above own backup.
            if facility_value(&prep.pieces[g], prep.u[s], 0.0).0 <= loss {
                continue;
            }
            gain_add(prep, st, g, s, scratch) - loss
        };
        if d > eps(*obj) && best.is_none_or(|(b, _)| d > b) {
            best = Some((d, g));
        }
    }
    if let Some((_, g)) = best {
        st.remove(prep, f, s, scratch);
        st.add(prep, g, s, scratch);
        *obj = st.objective(prep);
        return true;
    }
    false
}
