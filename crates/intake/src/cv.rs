//! Cross-validation grouped by writer: train on every writer but one, score the one left out.
//!
//! A rule or model tuned on a writer's articles says nothing about how it does on that writer,
//! so generalisation is measured on writers the decisions never saw. The project's own labelled
//! sets count as one writer ("project"); the corpus in `$AIDTRACE_SHARED/intake/corpus` gives
//! five more (`writer-c1.jsonl` …).

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::decide::{self, FlowModel};
use crate::eval::{EvalReport, LabelledArticle, Prf, evaluate, load_jsonl};
use crate::extract::{ExtractOptions, IntakeError, extract_rules};
use crate::model::Extraction;

/// The labelled articles of one writer.
pub struct Writer {
    pub name: String,
    pub articles: Vec<LabelledArticle>,
}

#[derive(Debug, thiserror::Error)]
pub enum CvError {
    #[error("{path}: {message}")]
    File { path: String, message: String },
}

fn load_file(path: &Path) -> Result<Vec<LabelledArticle>, CvError> {
    let err = |message: String| CvError::File {
        path: path.display().to_string(),
        message,
    };
    let file = File::open(path).map_err(|e| err(e.to_string()))?;
    load_jsonl(BufReader::new(file)).map_err(|e| err(e.to_string()))
}

/// The project's own sets (one writer) and every `writer-*.jsonl` of the shared corpus, in name
/// order. A missing corpus directory is an error: a run without it would measure nothing.
pub fn load_writers(project_sets: &Path, corpus: &Path) -> Result<Vec<Writer>, CvError> {
    let mut project = Vec::new();
    for name in [
        "dev.jsonl",
        "heldout.jsonl",
        "unseen.jsonl",
        "unseen2.jsonl",
    ] {
        project.extend(load_file(&project_sets.join(name))?);
    }
    let mut writers = vec![Writer {
        name: "project".to_string(),
        articles: project,
    }];
    let entries = std::fs::read_dir(corpus).map_err(|e| CvError::File {
        path: corpus.display().to_string(),
        message: e.to_string(),
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("writer-") && n.ends_with(".jsonl"))
        })
        .collect();
    files.sort();
    for path in files {
        let name = path
            .file_stem()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .trim_start_matches("writer-")
            .to_string();
        writers.push(Writer {
            name,
            articles: load_file(&path)?,
        });
    }
    Ok(writers)
}

/// The corpus directory under `$AIDTRACE_SHARED`, else under `shared/` beside the checkout (the
/// same rule as the seed tests).
pub fn shared_corpus_dir() -> PathBuf {
    std::env::var_os("AIDTRACE_SHARED")
        .map_or_else(
            || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")),
            PathBuf::from,
        )
        .join("intake/corpus")
}

#[derive(Debug, Serialize)]
pub struct Fold {
    pub writer: String,
    pub report: EvalReport,
}

#[derive(Debug, Serialize)]
pub struct CvReport {
    pub method: &'static str,
    pub folds: Vec<Fold>,
    /// Counts summed over the folds, then P/R/F1.
    pub pooled_strict: Prf,
    pub pooled_items_f1: f64,
    pub pooled_not_aid_fp: usize,
    pub pooled_not_aid_facts: usize,
    pub pooled_negative_with_predictions: usize,
    /// Mean of the per-writer strict F1.
    pub mean_strict_f1: f64,
}

fn options(a: &LabelledArticle) -> ExtractOptions {
    ExtractOptions {
        published: a.published,
        ..ExtractOptions::default()
    }
}

fn rules_only(a: &LabelledArticle) -> Result<Extraction, IntakeError> {
    extract_rules(&a.text, &options(a))
}

/// Trains the flow model on the given writers' articles.
pub fn train_on(writers: &[&Writer]) -> FlowModel {
    let mut examples = Vec::new();
    for w in writers {
        for a in &w.articles {
            if let Ok(extraction) = rules_only(a) {
                examples.extend(decide::examples_of(a, &extraction));
            }
        }
    }
    decide::train(&examples)
}

/// Scores every writer with the rules alone (nothing is trained, so each fold is the writer's
/// plain score) or with the flow model trained on the other writers.
pub fn grouped_cv(writers: &[Writer], with_model: bool) -> CvReport {
    let mut folds = Vec::new();
    for (i, held_out) in writers.iter().enumerate() {
        let report = if with_model {
            let others: Vec<&Writer> = writers
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, w)| w)
                .collect();
            let model = train_on(&others);
            evaluate(&held_out.articles, |a| {
                let mut e = rules_only(a)?;
                model.apply(&a.text, &mut e);
                Ok(e)
            })
        } else {
            evaluate(&held_out.articles, rules_only)
        };
        folds.push(Fold {
            writer: held_out.name.clone(),
            report,
        });
    }
    summarise(
        if with_model {
            "rules + flow model trained on the other writers"
        } else {
            "rules only (no training)"
        },
        folds,
    )
}

fn summarise(method: &'static str, folds: Vec<Fold>) -> CvReport {
    let sum = |f: fn(&EvalReport) -> usize| folds.iter().map(|x| f(&x.report)).sum::<usize>();
    let pooled_strict = Prf::from_counts(
        sum(|r| r.strict.tp),
        sum(|r| r.strict.fp),
        sum(|r| r.strict.fn_),
    );
    let (gold, pred, matched) = (
        sum(|r| r.items.gold),
        sum(|r| r.items.predicted),
        sum(|r| r.items.matched),
    );
    let items = Prf::from_counts(matched, pred - matched.min(pred), gold - matched.min(gold));
    let mean = folds.iter().map(|x| x.report.strict.f1).sum::<f64>() / folds.len().max(1) as f64;
    CvReport {
        method,
        pooled_strict,
        pooled_items_f1: items.f1,
        pooled_not_aid_fp: sum(|r| r.not_aid_fp),
        pooled_not_aid_facts: sum(|r| r.not_aid_facts),
        pooled_negative_with_predictions: sum(|r| r.negative_with_predictions),
        mean_strict_f1: (mean * 10_000.0).round() / 10_000.0,
        folds,
    }
}
