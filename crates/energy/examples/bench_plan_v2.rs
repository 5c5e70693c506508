//! Version 2 allocation benchmark (MODEL-v2.md): S, M, L, XL × variants × seeds; prints the
//! objective, our bound and gap, the time, and (with `--highs SECONDS`) the HiGHS reference from
//! `bench/highs_reference.py` on the very same instance.
//!
//! cargo run --release -p aidtrace-energy --example bench_plan_v2 -- --seeds 3 --highs 60
//! Options: --sizes S,M,L,XL  --variants normal,fuel-scarce,install-scarce,step-heavy
//!          --seeds N  --highs SECONDS (0 = skip)  --python PATH (default python3)

use std::process::Command;
use std::time::Duration;

use aidtrace_energy::Options;
use aidtrace_energy::v2::{GenOptionsV2, VariantV2, check_plan_v2, generate_v2, solve_v2};

fn arg(args: &[String], name: &str, default: &str) -> String {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
        .unwrap_or_else(|| default.to_string())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let sizes = arg(&args, "--sizes", "S,M,L,XL");
    let variants = arg(
        &args,
        "--variants",
        "normal,fuel-scarce,install-scarce,step-heavy",
    );
    let seeds: u64 = arg(&args, "--seeds", "3").parse().expect("--seeds N");
    let highs: f64 = arg(&args, "--highs", "0").parse().expect("--highs SECONDS");
    let python = arg(&args, "--python", "python3");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/highs_reference.py");
    let dir = std::env::temp_dir().join("aidtrace-energy-bench-v2");
    std::fs::create_dir_all(&dir).expect("temp dir");
    println!(
        "| size | variant | seed | objective | our bound | our gap | s | HiGHS obj | HiGHS bound | HiGHS s | obj/HiGHS | gap to best bound |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for size in sizes.split(',') {
        let (nf, nu, limit) = match size {
            "S" => (30, 15, 1.0),
            "M" => (100, 50, 1.0),
            "L" => (300, 120, 1.0),
            "XL" => (1000, 300, 5.0),
            other => panic!("unknown size {other}"),
        };
        for variant in variants.split(',') {
            let v = VariantV2::ALL
                .into_iter()
                .find(|v| v.name() == variant)
                .unwrap_or_else(|| panic!("unknown variant {variant}"));
            for seed in 1..=seeds {
                let inst = generate_v2(&GenOptionsV2 {
                    facilities: nf,
                    units: nu,
                    seed,
                    variant: v,
                });
                let plan = solve_v2(
                    &inst,
                    &Options {
                        time_limit: Duration::from_secs_f64(limit),
                        seed: 0,
                    },
                );
                let problems = check_plan_v2(&inst, &plan);
                assert!(problems.is_empty(), "{size} {variant} {seed}: {problems:?}");
                let (mut ho, mut hb, mut hs) = (f64::NAN, f64::NAN, f64::NAN);
                if highs > 0.0 {
                    let path = dir.join(format!("{size}-{variant}-{seed}.json"));
                    std::fs::write(&path, serde_json::to_vec(&inst).expect("json"))
                        .expect("write instance");
                    let out = Command::new(&python)
                        .arg(script)
                        .arg(&path)
                        .arg(highs.to_string())
                        .output()
                        .expect("python3");
                    // HiGHS prints its banner on stdout first; the JSON is the last line.
                    let text = String::from_utf8_lossy(&out.stdout);
                    let last = text.lines().rev().find(|l| !l.trim().is_empty());
                    if let Some(Ok(v)) = last.map(serde_json::from_str::<serde_json::Value>) {
                        ho = v["objective"].as_f64().unwrap_or(f64::NAN);
                        hb = v["bound"].as_f64().unwrap_or(f64::NAN);
                        hs = v["seconds"].as_f64().unwrap_or(f64::NAN);
                    } else {
                        eprintln!("highs failed: {}", String::from_utf8_lossy(&out.stderr));
                    }
                }
                let best_bound = if hb.is_finite() {
                    plan.upper_bound.min(hb)
                } else {
                    plan.upper_bound
                };
                let gap_best = (best_bound - plan.objective) / best_bound.max(1e-12);
                println!(
                    "| {size} | {variant} | {seed} | {:.0} | {:.0} | {:.3} % | {:.2} | {ho:.0} | {hb:.0} | {hs:.1} | {:.4} | {:.3} % |",
                    plan.objective,
                    plan.upper_bound,
                    plan.gap * 100.0,
                    plan.seconds,
                    plan.objective / ho,
                    gap_best * 100.0
                );
            }
        }
    }
}
