//! Cross-validation grouped by writer on the project's sets and the shared corpus
//! (`$AIDTRACE_SHARED/intake/corpus`), rules alone and rules + flow model, as JSON.
//!
//! ```sh
//! cargo run -p aidtrace-intake --example corpus_cv             # both reports
//! cargo run -p aidtrace-intake --example corpus_cv -- --write-weights   # also rebuild data/flow_model.json
//! ```
//! `--write-weights` trains on every writer and writes `crates/intake/data/flow_model.json` and
//! `donor_model.json` and `recipient_model.json`;
//! training is deterministic, so a rerun writes the same bytes.

use std::path::PathBuf;

use aidtrace_intake::cv::{CvReport, grouped_cv, load_writers, shared_corpus_dir, train_on};

fn print_summary(r: &CvReport) {
    println!("{}", r.method);
    println!(
        "| writer | articles | gold core | strict P / R / F1 | items F1 | not-aid FP | negatives with predictions |"
    );
    println!("|---|---|---|---|---|---|---|");
    for f in &r.folds {
        let x = &f.report;
        println!(
            "| {} | {} | {} | {:.2} / {:.2} / {:.2} | {:.2} | {} of {} | {} of {} |",
            f.writer,
            x.articles,
            x.gold_core,
            x.strict.precision,
            x.strict.recall,
            x.strict.f1,
            x.items.f1,
            x.not_aid_fp,
            x.not_aid_facts,
            x.negative_with_predictions,
            x.negative_articles
        );
    }
    println!(
        "| pooled | | | {:.2} / {:.2} / {:.2} | {:.2} | {} of {} | {} |",
        r.pooled_strict.precision,
        r.pooled_strict.recall,
        r.pooled_strict.f1,
        r.pooled_items_f1,
        r.pooled_not_aid_fp,
        r.pooled_not_aid_facts,
        r.pooled_negative_with_predictions
    );
    println!("mean per-writer strict F1 {:.3}\n", r.mean_strict_f1);
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let writers = load_writers(&manifest.join("tests/data"), &shared_corpus_dir())?;
    let baseline = grouped_cv(&writers, false);
    print_summary(&baseline);
    let learned = grouped_cv(&writers, true);
    print_summary(&learned);
    if args.iter().any(|a| a == "--json") {
        println!("{}", serde_json::to_string_pretty(&(&baseline, &learned))?);
    }
    if args.iter().any(|a| a == "--write-weights") {
        let all: Vec<_> = writers.iter().collect();
        let models = train_on(&all);
        for (file, model) in [
            ("data/flow_model.json", &models.flow),
            ("data/donor_model.json", &models.donor),
            ("data/recipient_model.json", &models.recipient),
        ] {
            let path = manifest.join(file);
            std::fs::write(&path, serde_json::to_string(model)? + "\n")?;
            println!("wrote {}", path.display());
        }
    }
    Ok(())
}
