//! Fleet-allocation benchmark: S, M, L, XL and stress instances × seeds × variants; prints the
//! objective, our bound and gap, the time, and (with `--highs SECONDS`) the HiGHS reference from
//! `bench/highs_reference.py` on the very same instance.
//!
//! cargo run --release -p aidtrace-energy --example bench_plan -- --seeds 5 --highs 60
//! Options: --sizes S,M,L,XL,stress  --variants normal,fuel-scarce,one-per-site  --seeds N
//!          --highs SECONDS (0 = skip)  --time-scale X (multiplies the per-size time limits)

use std::process::Command;
use std::time::Duration;

use aidtrace_energy::{GenOptions, Options, Variant, check_plan, generate, solve};

fn arg(args: &[String], name: &str, default: &str) -> String {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
        .unwrap_or_else(|| default.to_string())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let sizes = arg(&args, "--sizes", "S,M,L,XL,stress");
    let variants = arg(&args, "--variants", "normal,fuel-scarce,one-per-site");
    let seeds: u64 = arg(&args, "--seeds", "5").parse().expect("--seeds N");
    let highs: f64 = arg(&args, "--highs", "0").parse().expect("--highs SECONDS");
    let scale: f64 = arg(&args, "--time-scale", "1")
        .parse()
        .expect("--time-scale X");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/highs_reference.py");
    let dir = std::env::temp_dir().join("aidtrace-energy-bench");
    std::fs::create_dir_all(&dir).expect("temp dir");
    println!(
        "| size | variant | seed | objective | our bound | our gap | s | HiGHS obj | HiGHS bound | HiGHS s | obj/HiGHS | gap to best bound |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    let mut summary: Vec<(String, String, f64, f64, f64, f64)> = Vec::new();
    for size in sizes.split(',') {
        let (nf, nu, limit) = match size {
            "S" => (30, 15, 1.0),
            "M" => (100, 50, 1.0),
            "L" => (300, 120, 1.0),
            "XL" => (1000, 300, 5.0),
            "stress" => (2000, 1000, 5.0),
            other => panic!("unknown size {other}"),
        };
        for variant in variants.split(',') {
            let v = match variant {
                "normal" => Variant::Normal,
                "fuel-scarce" => Variant::FuelScarce,
                "one-per-site" => Variant::OnePerSite,
                other => panic!("unknown variant {other}"),
            };
            for seed in 1..=seeds {
                let inst = generate(&GenOptions {
                    facilities: nf,
                    units: nu,
                    seed,
                    variant: v,
                });
                let plan = solve(
                    &inst,
                    &Options {
                        time_limit: Duration::from_secs_f64(limit * scale),
                        seed: 0,
                    },
                );
                let problems = check_plan(&inst, &plan);
                assert!(problems.is_empty(), "{size} {variant} {seed}: {problems:?}");
                let (mut ho, mut hb, mut hs) = (f64::NAN, f64::NAN, f64::NAN);
                if highs > 0.0 {
                    let path = dir.join(format!("{size}-{variant}-{seed}.json"));
                    std::fs::write(&path, serde_json::to_vec(&inst).expect("json"))
                        .expect("write instance");
                    let out = Command::new("python3")
                        .arg(script)
                        .arg(&path)
                        .arg(highs.to_string())
                        .output()
                        .expect("python3");
                    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&out.stdout) {
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
                let ratio = plan.objective / ho;
                println!(
                    "| {size} | {variant} | {seed} | {:.1} | {:.1} | {:.3} % | {:.2} | {ho:.1} | {hb:.1} | {hs:.1} | {:.4} | {:.3} % |",
                    plan.objective,
                    plan.upper_bound,
                    plan.gap * 100.0,
                    plan.seconds,
                    ratio,
                    gap_best * 100.0
                );
                summary.push((
                    size.to_string(),
                    variant.to_string(),
                    plan.gap,
                    gap_best,
                    ratio,
                    plan.seconds,
                ));
            }
        }
    }
    println!();
    println!(
        "| size | variant | runs | mean our gap | max our gap | max gap to best bound | min obj/HiGHS | max s |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let mut keys: Vec<(String, String)> =
        summary.iter().map(|r| (r.0.clone(), r.1.clone())).collect();
    keys.dedup();
    for (s, v) in keys {
        let rows: Vec<_> = summary.iter().filter(|r| r.0 == s && r.1 == v).collect();
        let n = rows.len() as f64;
        let mean = rows.iter().map(|r| r.2).sum::<f64>() / n;
        let max = rows.iter().map(|r| r.2).fold(0.0, f64::max);
        let maxb = rows.iter().map(|r| r.3).fold(0.0, f64::max);
        let minr = rows.iter().map(|r| r.4).fold(f64::INFINITY, f64::min);
        let maxs = rows.iter().map(|r| r.5).fold(0.0, f64::max);
        println!(
            "| {s} | {v} | {} | {:.3} % | {:.3} % | {:.3} % | {minr:.4} | {maxs:.2} |",
            rows.len(),
            mean * 100.0,
            max * 100.0,
            maxb * 100.0
        );
    }
}
