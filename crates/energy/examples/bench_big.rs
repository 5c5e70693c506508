//! A ≈47 MB instance (450,000 facilities, 20,000 units): serialise, parse + validate, plan with a
//! 3 s limit, check. cargo run --release -p aidtrace-energy --example bench_big

use std::time::{Duration, Instant};

use aidtrace_energy::{GenOptions, Instance, Options, Variant, check_plan, generate, solve};

fn main() {
    let inst = generate(&GenOptions {
        facilities: 450_000,
        units: 20_000,
        seed: 1,
        variant: Variant::Normal,
    });
    let bytes = serde_json::to_vec_pretty(&inst).expect("serialise");
    let t = Instant::now();
    let parsed = Instance::from_json_slice(&bytes).expect("parse");
    let parse_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let plan = solve(
        &parsed,
        &Options {
            time_limit: Duration::from_secs(3),
            seed: 0,
        },
    );
    let solve_s = t.elapsed().as_secs_f64();
    let problems = check_plan(&parsed, &plan);
    println!(
        "size {:.1} MB, parse+validate {parse_s:.2} s, plan {solve_s:.2} s (limit 3 s), objective {:.0}, bound {:.0}, gap {:.3} %, feasible {}",
        bytes.len() as f64 / 1e6,
        plan.objective,
        plan.upper_bound,
        plan.gap * 100.0,
        problems.is_empty()
    );
}
