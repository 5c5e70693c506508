//! Plans are feasible (independent checker), never exceed their bound, and match exhaustive
//! enumeration on tiny instances.

use std::time::Duration;

use aidtrace_energy::{
    Facility, GenModel, GenOptions, Instance, Options, Status, Variant, check_plan, generate, solve,
};
use proptest::prelude::*;

fn opts(ms: u64) -> Options {
    Options {
        time_limit: Duration::from_millis(ms),
        seed: 7,
    }
}

/// Exact optimum by enumerating every z (counts per facility and model) and solving the y-LP,
/// which for fixed z is a fractional knapsack on the fuel row (written out separately here).
fn brute_force(inst: &Instance) -> f64 {
    let nf = inst.facilities.len();
    let ns = inst.fleet.len();
    let k = inst.max_units_per_facility;
    // All per-facility count vectors with Σ ≤ K.
    let mut options: Vec<Vec<u32>> = vec![vec![0; ns]];
    loop {
        let mut next = Vec::new();
        for o in &options {
            if o.iter().sum::<u32>() >= k {
                continue;
            }
            for s in 0..ns {
                let mut c = o.clone();
                c[s] += 1;
                if !options.contains(&c) && !next.contains(&c) {
                    next.push(c);
                }
            }
        }
        if next.is_empty() {
            break;
        }
        options.extend(next);
    }
    let mut best = 0.0_f64;
    let mut choice = vec![0usize; nf];
    loop {
        best = best.max(value(inst, &choice, &options));
        let mut i = 0;
        while i < nf {
            choice[i] += 1;
            if choice[i] < options.len() {
                break;
            }
            choice[i] = 0;
            i += 1;
        }
        if i == nf {
            return best;
        }
    }
}

fn value(inst: &Instance, choice: &[usize], options: &[Vec<u32>]) -> f64 {
    let ns = inst.fleet.len();
    let mut used = vec![0u32; ns];
    let mut idle = 0.0;
    let mut region: std::collections::HashMap<&str, f64> = Default::default();
    let mut caps = Vec::new();
    for (f, &c) in choice.iter().enumerate() {
        let fac = &inst.facilities[f];
        let mut cap = 0.0;
        for (s, &n) in options[c].iter().enumerate() {
            if n == 0 {
                continue;
            }
            let m = &inst.fleet[s];
            if inst.min_loading * m.prime_kw > fac.unmet_kw {
                return f64::NEG_INFINITY;
            }
            used[s] += n;
            idle += f64::from(n) * m.idle_l_per_h;
            cap += f64::from(n) * m.prime_kw.min(fac.unmet_kw);
            *region.entry(fac.region.as_str()).or_default() += f64::from(n) * m.prime_kw;
        }
        caps.push((fac.weight, cap.min(fac.unmet_kw)));
    }
    if (0..ns).any(|s| used[s] > inst.fleet[s].count) {
        return f64::NEG_INFINITY;
    }
    if let Some(t) = &inst.transport_kw {
        for (r, kw) in &region {
            if t.get(*r).is_some_and(|lim| *kw > lim + 1e-9) {
                return f64::NEG_INFINITY;
            }
        }
    }
    let mut fuel = inst.fuel_litres - inst.hours * idle;
    if fuel < -1e-9 {
        return f64::NEG_INFINITY;
    }
    caps.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut v = 0.0;
    for (w, cap) in caps {
        let per_kw = inst.hours * inst.fuel_l_per_kwh;
        let y = if per_kw > 0.0 {
            cap.min(fuel.max(0.0) / per_kw)
        } else {
            cap
        };
        fuel -= per_kw * y;
        v += w * y;
    }
    v
}

fn tiny_instance() -> impl Strategy<Value = Instance> {
    let fac = (1.0f64..5.0, 10.0f64..400.0, 0usize..2);
    let model = (
        prop::sample::select(vec![20.0, 60.0, 100.0, 250.0, 500.0]),
        0u32..3,
    );
    (
        prop::collection::vec(fac, 1..4),
        prop::collection::vec(model, 1..3),
        1u32..3,
        0.1f64..1.2,
        prop::option::of(200.0f64..800.0),
    )
        .prop_map(|(facs, models, k, fuel_share, transport)| {
            let facilities: Vec<Facility> = facs
                .iter()
                .enumerate()
                .map(|(i, &(w, u, r))| Facility {
                    id: format!("F{i}"),
                    region: format!("R{r}"),
                    weight: (w * 100.0).round() / 100.0,
                    unmet_kw: u.round(),
                })
                .collect();
            let mut fleet: Vec<GenModel> = Vec::new();
            for (kw, count) in models {
                if fleet.iter().all(|m| m.prime_kw != kw) {
                    fleet.push(GenModel {
                        model: format!("G{kw}"),
                        prime_kw: kw,
                        count,
                        idle_l_per_h: aidtrace_energy::diesel::idle_l_per_h(kw),
                    });
                }
            }
            let need: f64 = 24.0 * 0.25 * facilities.iter().map(|f| f.unmet_kw).sum::<f64>();
            let transport =
                transport.map(|t| facilities.iter().map(|f| (f.region.clone(), t)).collect());
            Instance {
                hours: 24.0,
                fuel_litres: (need * fuel_share).round(),
                fuel_l_per_kwh: 0.25,
                min_loading: 0.3,
                max_units_per_facility: k,
                facilities,
                fleet,
                transport_kw: transport,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn tiny_instances_match_enumeration(inst in tiny_instance()) {
        inst.validate().expect("strategy builds valid instances");
        let opt = brute_force(&inst);
        let plan = solve(&inst, &opts(200));
        let problems = check_plan(&inst, &plan);
        prop_assert!(problems.is_empty(), "{problems:?}");
        // The bound is valid and the heuristic finds the optimum on instances this small.
        prop_assert!(plan.upper_bound >= opt - 1e-6 * opt.max(1.0), "bound {} < optimum {opt}", plan.upper_bound);
        prop_assert!(plan.objective <= opt + 1e-6 * opt.max(1.0));
        prop_assert!(plan.objective >= opt - 1e-6 * opt.max(1.0), "objective {} < optimum {opt}", plan.objective);
    }

    #[test]
    fn generated_plans_are_feasible_and_bounded(
        nf in 1usize..60,
        nu in 0u32..40,
        seed in 0u64..1000,
        variant in prop::sample::select(vec![Variant::Normal, Variant::FuelScarce, Variant::OnePerSite]),
    ) {
        let inst = generate(&GenOptions { facilities: nf, units: nu, seed, variant });
        inst.validate().expect("generator output is valid");
        let plan = solve(&inst, &opts(60));
        let problems = check_plan(&inst, &plan);
        prop_assert!(problems.is_empty(), "{problems:?}");
        prop_assert!(plan.objective <= plan.upper_bound);
        prop_assert!((0.0..=1.0).contains(&plan.gap));
    }
}

#[test]
fn medium_instance_is_close_to_its_bound() {
    let inst = generate(&GenOptions {
        facilities: 100,
        units: 50,
        seed: 4,
        variant: Variant::Normal,
    });
    let plan = solve(&inst, &opts(1500));
    assert!(check_plan(&inst, &plan).is_empty());
    // Debug build and a shared machine: a loose threshold that still catches a broken search
    // (plain greedy is 6–17 % off).
    assert!(plan.gap < 0.05, "gap {}", plan.gap);
}

#[test]
fn checker_rejects_a_tampered_plan() {
    let inst = generate(&GenOptions {
        facilities: 20,
        units: 10,
        seed: 2,
        variant: Variant::Normal,
    });
    let plan = solve(&inst, &opts(100));
    assert!(check_plan(&inst, &plan).is_empty());
    let mut more_units = plan.clone();
    if let Some(a) = more_units.assignments.first_mut() {
        a.units += 100;
    }
    assert!(!check_plan(&inst, &more_units).is_empty());
    let mut inflated = plan.clone();
    inflated.objective += 1.0;
    assert!(!check_plan(&inst, &inflated).is_empty());
    let mut over = plan.clone();
    if let Some((_, y)) = over.covered_kw.iter_mut().next() {
        *y += 10_000.0;
    }
    assert!(!check_plan(&inst, &over).is_empty());
}

#[test]
fn empty_fleet_and_no_facilities_are_answered() {
    let mut inst = generate(&GenOptions {
        facilities: 5,
        units: 5,
        seed: 1,
        variant: Variant::Normal,
    });
    inst.fleet.clear();
    let plan = solve(&inst, &opts(50));
    assert_eq!(plan.objective, 0.0);
    assert_eq!(plan.status, Status::Optimal);
    assert!(plan.assignments.is_empty());
    inst.facilities.clear();
    inst.transport_kw = None;
    let plan = solve(&inst, &opts(50));
    assert_eq!(plan.objective, 0.0);
    assert_eq!(plan.gap, 0.0);
}

#[test]
fn zero_count_model_is_never_assigned() {
    let mut inst = generate(&GenOptions {
        facilities: 30,
        units: 15,
        seed: 3,
        variant: Variant::Normal,
    });
    inst.fleet[0].count = 0;
    let name = inst.fleet[0].model.clone();
    let plan = solve(&inst, &opts(100));
    assert!(check_plan(&inst, &plan).is_empty());
    assert!(plan.assignments.iter().all(|a| a.model != name));
}

#[test]
fn output_json_has_exactly_the_model_md_fields() {
    let inst = generate(&GenOptions {
        facilities: 10,
        units: 5,
        seed: 1,
        variant: Variant::Normal,
    });
    let plan = solve(&inst, &opts(50));
    let v = serde_json::to_value(&plan).expect("serialises");
    let mut keys: Vec<&str> = v
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "assignments",
            "covered_kw",
            "gap",
            // MODEL-v2.md: the output says which model was solved.
            "model_version",
            "objective",
            "seconds",
            "status",
            "upper_bound"
        ]
    );
    let status = v["status"].as_str().expect("status string");
    assert!(status == "optimal" || status == "feasible");
}

#[test]
fn small_instance_is_proven_optimal_and_matches_highs() {
    // HiGHS (bench/highs_reference.py) proves 6234.9 optimal for this instance.
    let inst = generate(&GenOptions {
        facilities: 30,
        units: 15,
        seed: 1,
        variant: Variant::Normal,
    });
    let plan = solve(&inst, &opts(5000));
    assert!(check_plan(&inst, &plan).is_empty());
    assert_eq!(plan.status, Status::Optimal, "gap {}", plan.gap);
    assert!((plan.objective - 6234.9).abs() < 0.05, "{}", plan.objective);
}
