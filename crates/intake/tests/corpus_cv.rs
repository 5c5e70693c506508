//! Cross-validation grouped by writer on the shared corpus (issue 14): the corpus stays in
//! `shared/intake/corpus` and is read from there. Outside CI a missing corpus skips these tests
//! with a note; under `CI=true` it fails them.
//!
//! The floors are today's measured figures (docs/intake.md), so a change that makes the
//! extractor generalise worse fails here. The issue's own targets (0.85 pooled, 0.75 per writer)
//! are met with little margin (0.854 pooled, c4 0.750), so the floors sit at or just under them.

use std::path::PathBuf;

use aidtrace_intake::cv::{Writer, grouped_cv, load_writers, shared_corpus_dir, train_on};
use aidtrace_intake::decide::shipped_model;

fn writers() -> Option<Vec<Writer>> {
    let corpus = shared_corpus_dir();
    if !corpus.is_dir() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the intake corpus is missing at {} and CI=true",
            corpus.display()
        );
        println!("note: {} not found; corpus tests skipped", corpus.display());
        return None;
    }
    let sets = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    Some(load_writers(&sets, &corpus).expect("corpus and labelled sets load"))
}

#[test]
fn the_corpus_has_five_writers_beside_the_project() {
    let Some(w) = writers() else { return };
    let names: Vec<&str> = w.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names, ["project", "c1", "c2", "c3", "c4", "c5"]);
    assert!(w.iter().skip(1).all(|w| w.articles.len() == 40));
}

#[test]
fn grouped_cross_validation_stays_above_the_measured_floor() {
    let Some(w) = writers() else { return };
    let rules = grouped_cv(&w, false);
    let learned = grouped_cv(&w, true);
    println!(
        "{}",
        serde_json::to_string_pretty(&(&rules, &learned)).expect("report serialises")
    );
    assert!(
        rules.pooled_strict.f1 >= 0.80,
        "rules pooled F1 {}",
        rules.pooled_strict.f1
    );
    assert!(
        learned.pooled_strict.f1 >= 0.85,
        "learned pooled F1 {}",
        learned.pooled_strict.f1
    );
    for fold in &learned.folds {
        assert!(
            fold.report.strict.f1 >= 0.74,
            "{}: strict F1 {}",
            fold.writer,
            fold.report.strict.f1
        );
    }
}

#[test]
fn the_shipped_weights_are_what_training_on_every_writer_gives() {
    let Some(w) = writers() else { return };
    let all: Vec<&Writer> = w.iter().collect();
    let trained = train_on(&all);
    let shipped = shipped_model().expect("shipped weights parse");
    assert_eq!(
        &trained.donor,
        aidtrace_intake::donor::shipped_model().expect("shipped donor weights parse"),
        "data/donor_model.json is stale: rerun `cargo run -p aidtrace-intake --example corpus_cv -- --write-weights`"
    );
    assert_eq!(
        &trained.recipient,
        aidtrace_intake::recipient::shipped_model().expect("shipped recipient weights parse"),
        "data/recipient_model.json is stale: rerun `cargo run -p aidtrace-intake --example corpus_cv -- --write-weights`"
    );
    assert_eq!(
        &trained.flow, shipped,
        "data/flow_model.json is stale: rerun `cargo run -p aidtrace-intake --example corpus_cv -- --write-weights`"
    );
}
