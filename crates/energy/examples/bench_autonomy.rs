//! Year sweep × Monte Carlo for one facility, as `energy autonomy` runs it (BENCHMARKS.md):
//! `cargo run --release -p aidtrace-energy --example bench_autonomy -- [PROFILE.json] [TRIALS]`
//! prints the wall time of parsing + assessment and the number of simulated hours.

use std::time::Instant;

use aidtrace_energy::autonomy::{Profile, assess};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .unwrap_or_else(|| format!("{}/data/example_profile.json", env!("CARGO_MANIFEST_DIR")));
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            std::process::exit(2);
        }
    };
    let start = Instant::now();
    let mut p = match Profile::from_json_slice(&bytes) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    if let Some(t) = args.next().and_then(|t| t.parse().ok()) {
        p.trials = t;
    }
    let a = assess(&p);
    let secs = start.elapsed().as_secs_f64();
    let horizon = u64::from(a.sweep.horizon_h);
    // Upper bounds: sweep runs stop at the first failure; Monte Carlo runs the whole horizon for
    // the full load and stops early for the other tiers.
    let sweep_h = u64::from(a.sweep.starts) * horizon * 3;
    let mc_h = u64::from(p.trials) * p.regimes.len() as u64 * horizon * 3;
    println!(
        "{}: {} sweep starts × {} h, {} regimes × {} trials × {} h, 3 tiers: ≤ {} simulated hours in {:.3} s",
        a.facility,
        a.sweep.starts,
        horizon,
        p.regimes.len(),
        p.trials,
        horizon,
        sweep_h + mc_h,
        secs
    );
    // A few figures, so a run can be compared with docs/energy.md.
    let hours: Vec<String> = a
        .autonomy
        .iter()
        .map(|t| format!("{:.0}", t.hours))
        .collect();
    println!("autonomy h by tier: {}", hours.join(" / "));
    if let Some(s) = a.survival.iter().find(|s| s.duration_h == 168) {
        println!("{}: P(critical 168 h) = {:.3}", s.regime, s.critical);
    }
}
