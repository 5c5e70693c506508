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
use crate::extract::{Candidates, ExtractOptions, IntakeError, extract_candidates};
use crate::{donor, recipient};

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

fn rules_only(a: &LabelledArticle) -> Result<Candidates, IntakeError> {
    extract_candidates(&a.text, &options(a))
}

/// The learned decisions: is an amount a flow, and which country receives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Models {
    pub flow: FlowModel,
    pub donor: FlowModel,
    pub recipient: FlowModel,
}

impl Models {
    /// The rules' candidates of one article re-decided by both models, as `extract` does.
    pub fn apply(&self, text: &str, candidates: &Candidates) -> crate::model::Extraction {
        let mut extraction = candidates.extraction.clone();
        self.flow.apply(text, &mut extraction);
        donor::apply(&self.donor, text, &mut extraction, &candidates.donors);
        recipient::apply(
            &self.recipient,
            text,
            &mut extraction,
            &candidates.countries,
        );
        recipient::from_local_currency(&mut extraction);
        extraction
    }
}

/// A writer with the rules' candidates of each article, computed once: training and the choice
/// of thresholds re-decide them many times.
pub struct Prepared<'w> {
    pub writer: &'w Writer,
    candidates: Vec<Result<Candidates, String>>,
}

impl Prepared<'_> {
    fn candidates_of(&self, a: &LabelledArticle) -> Result<&Candidates, IntakeError> {
        let i = self
            .writer
            .articles
            .iter()
            .position(|x| std::ptr::eq(x, a))
            .unwrap_or(usize::MAX);
        // An extraction error is kept as its message (`IntakeError` is not `Clone`) and
        // reported through the evaluation's error list like any other.
        match self.candidates.get(i) {
            Some(Ok(c)) => Ok(c),
            Some(Err(e)) => Err(IntakeError::Model(decide::ModelError {
                file: a.id.clone(),
                reason: e.clone(),
            })),
            None => Err(IntakeError::Model(decide::ModelError {
                file: a.id.clone(),
                reason: "article not prepared".to_string(),
            })),
        }
    }

    /// Scores this writer with the given models.
    fn evaluate(&self, models: &Models) -> EvalReport {
        evaluate(&self.writer.articles, |a| {
            self.candidates_of(a).map(|c| models.apply(&a.text, c))
        })
    }
}

/// The rules' candidates of every article of each writer.
pub fn prepare(writers: &[Writer]) -> Vec<Prepared<'_>> {
    writers
        .iter()
        .map(|w| Prepared {
            writer: w,
            candidates: w
                .articles
                .iter()
                .map(|a| rules_only(a).map_err(|e| e.to_string()))
                .collect(),
        })
        .collect()
}

/// Both models trained at the default threshold.
fn train_models(writers: &[&Prepared<'_>]) -> Models {
    let mut flows = Vec::new();
    let mut recipients = Vec::new();
    let mut donors = Vec::new();
    for w in writers {
        for (a, c) in w.writer.articles.iter().zip(&w.candidates) {
            if let Ok(c) = c {
                flows.extend(decide::examples_of(a, &c.extraction));
                donors.extend(donor::examples_of(a, &c.extraction, &c.donors));
                recipients.extend(recipient::examples_of(a, &c.extraction, &c.countries));
            }
        }
    }
    Models {
        flow: decide::train(&flows),
        donor: decide::train(&donors),
        recipient: decide::train(&recipients),
    }
}

/// Thresholds tried for each model.
const FLOW_THRESHOLDS: [f64; 5] = [0.3, 0.4, 0.5, 0.6, 0.7];
const RECIPIENT_THRESHOLDS: [f64; 4] = [0.2, 0.3, 0.4, 0.5];

/// The thresholds of both models, chosen by a writer-grouped cross-validation inside the given
/// writers only (pooled strict F1; ties go to the first, i.e. the lower, pair), so a held-out
/// writer never influences its own thresholds.
fn choose_thresholds(writers: &[&Prepared<'_>]) -> (f64, f64) {
    let grid: Vec<(f64, f64)> = FLOW_THRESHOLDS
        .iter()
        .flat_map(|&f| RECIPIENT_THRESHOLDS.iter().map(move |&r| (f, r)))
        .collect();
    let mut counts = vec![(0usize, 0usize, 0usize); grid.len()];
    for (i, held_out) in writers.iter().enumerate() {
        let others: Vec<&Prepared<'_>> = writers
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .map(|(_, w)| *w)
            .collect();
        let mut models = train_models(&others);
        for (k, &(f, r)) in grid.iter().enumerate() {
            models.flow.threshold = f;
            models.recipient.threshold = r;
            let report = held_out.evaluate(&models);
            counts[k].0 += report.strict.tp;
            counts[k].1 += report.strict.fp;
            counts[k].2 += report.strict.fn_;
        }
    }
    let f1 = |&(tp, fp, fn_): &(usize, usize, usize)| Prf::from_counts(tp, fp, fn_).f1;
    let mut best = 0;
    for k in 1..grid.len() {
        if f1(&counts[k]) > f1(&counts[best]) + 1e-12 {
            best = k;
        }
    }
    grid.get(best).copied().unwrap_or((0.5, 0.5))
}

fn train_prepared(writers: &[&Prepared<'_>]) -> Models {
    let (flow, recipient) = choose_thresholds(writers);
    let mut models = train_models(writers);
    models.flow.threshold = flow;
    models.recipient.threshold = recipient;
    models
}

/// Trains both models on the given writers' articles, thresholds chosen by an inner
/// writer-grouped cross-validation over the same writers.
pub fn train_on(writers: &[&Writer]) -> Models {
    let owned: Vec<Writer> = writers
        .iter()
        .map(|w| Writer {
            name: w.name.clone(),
            articles: w.articles.clone(),
        })
        .collect();
    let prepared = prepare(&owned);
    let refs: Vec<&Prepared<'_>> = prepared.iter().collect();
    train_prepared(&refs)
}

/// Scores every writer with the rules alone (nothing is trained, so each fold is the writer's
/// plain score) or with the models trained on the other writers.
pub fn grouped_cv(writers: &[Writer], with_model: bool) -> CvReport {
    let prepared = prepare(writers);
    let mut folds = Vec::new();
    for (i, held_out) in prepared.iter().enumerate() {
        let report = if with_model {
            let others: Vec<&Prepared<'_>> = prepared
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, w)| w)
                .collect();
            let models = train_prepared(&others);
            held_out.evaluate(&models)
        } else {
            evaluate(&held_out.writer.articles, |a| {
                held_out.candidates_of(a).map(|c| c.extraction.clone())
            })
        };
        folds.push(Fold {
            writer: held_out.writer.name.clone(),
            report,
        });
    }
    summarise(
        if with_model {
            "rules + flow, donor and recipient models trained on the other writers"
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
