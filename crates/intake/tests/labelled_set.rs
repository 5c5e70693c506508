//! Runs `intake eval` scoring on the project's labelled articles and fails below the targets of
//! issue 6: strict F1 ≥ 0.85 on core facts, no prediction on a negative article, not-aid false
//! positives at most 1 in 10, items F1 ≥ 0.8. The dev set was used while writing the rules; the
//! held-out set was written at the same time, scored once, then its errors were fixed with general
//! rules; the unseen set was written after that and is only scored (see docs/intake.md).

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

use aidtrace_intake::eval::{EvalReport, evaluate, load_jsonl};
use aidtrace_intake::{ExtractOptions, extract};

fn score(name: &str) -> EvalReport {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    let file = File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let articles = load_jsonl(BufReader::new(file)).expect("labelled set parses");
    let report = evaluate(&articles, |a| {
        extract(
            &a.text,
            &ExtractOptions {
                published: a.published,
                ..ExtractOptions::default()
            },
        )
    });
    println!(
        "{name}: {}",
        serde_json::to_string_pretty(&report).expect("report serialises")
    );
    report
}

fn assert_targets(r: &EvalReport, name: &str) {
    assert!(
        r.strict.f1 >= 0.85,
        "{name}: strict F1 {} < 0.85",
        r.strict.f1
    );
    assert_eq!(
        r.negative_with_predictions, 0,
        "{name}: predictions on negative articles"
    );
    assert!(
        r.not_aid_fp * 10 <= r.not_aid_facts,
        "{name}: not-aid false positives {} of {} (> 1 in 10)",
        r.not_aid_fp,
        r.not_aid_facts
    );
    assert!(r.items.f1 >= 0.8, "{name}: items F1 {} < 0.8", r.items.f1);
    assert_eq!(r.extraction_errors, 0);
}

#[test]
fn dev_set_meets_targets() {
    let r = score("dev.jsonl");
    assert!(r.articles >= 30);
    assert_targets(&r, "dev");
}

#[test]
fn heldout_set_meets_targets() {
    let r = score("heldout.jsonl");
    assert!(r.articles >= 14);
    assert_targets(&r, "heldout");
}

#[test]
fn unseen_set_meets_targets() {
    let r = score("unseen.jsonl");
    assert!(r.articles >= 14);
    assert_targets(&r, "unseen");
}

#[test]
fn unseen2_set_meets_targets() {
    let r = score("unseen2.jsonl");
    assert!(r.articles >= 10);
    assert_targets(&r, "unseen2");
}

#[test]
fn whole_set_has_the_variety_the_issue_asks_for() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut all = Vec::new();
    for name in [
        "dev.jsonl",
        "heldout.jsonl",
        "unseen.jsonl",
        "unseen2.jsonl",
    ] {
        let file = File::open(path.join(name)).expect("labelled file exists");
        all.extend(load_jsonl(BufReader::new(file)).expect("parses"));
    }
    assert!(all.len() >= 40, "only {} labelled articles", all.len());
    let facts: Vec<_> = all.iter().flat_map(|a| a.facts.iter()).collect();
    let donors: std::collections::BTreeSet<_> =
        facts.iter().filter_map(|f| f.donor.as_deref()).collect();
    let currencies: std::collections::BTreeSet<_> =
        facts.iter().filter_map(|f| f.currency.as_deref()).collect();
    assert!(donors.len() >= 12, "{donors:?}");
    assert!(currencies.len() >= 12, "{currencies:?}");
    assert!(
        facts.iter().any(|f| f.amount.is_none()),
        "an article without amounts"
    );
    assert!(
        facts
            .iter()
            .filter(|f| f.amount_kind == aidtrace_intake::AmountKind::NotAid)
            .count()
            >= 5
    );
    assert!(
        facts
            .iter()
            .filter(|f| f.amount_kind == aidtrace_intake::AmountKind::Cumulative)
            .count()
            >= 4
    );
    assert!(facts.iter().any(|f| f.is_total));
    assert!(
        facts
            .iter()
            .any(|f| f.amount_qualifier == Some(aidtrace_intake::Qualifier::UpTo))
    );
}
