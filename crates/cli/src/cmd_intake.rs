//! `aidtrace intake …` subcommands. Thin: parse flags, call aidtrace-intake, print.

use crate::error::service_error;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use aidtrace_intake::checks::{CheckContext, ExistingRecord, RateTable, run_checks};
use aidtrace_intake::eval::{EvalReport, evaluate, load_jsonl};
use aidtrace_intake::{Check, ExtractOptions, Extraction, Fact, extract, extract_bytes};
use chrono::{Datelike, NaiveDate};
use clap::Subcommand;
use comfy_table::Table;

use aidtrace_domain::model::{DraftStatus, IntakeDraft};
use aidtrace_service::Aidtrace;
use aidtrace_service::intake as review;

use crate::config::Settings;
use crate::error::{CliError, CliResult, Outcome};
use crate::output::Format;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Extract draft aid facts (with the words they came from, as byte spans) from an English
    /// press release or news text, and run the intake checks.
    Extract {
        /// UTF-8 text file with one article.
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Publication date (YYYY-MM-DD): resolves "on the 29th" and gives the year of the
        /// exchange-rate check when no signing date is found.
        #[arg(long)]
        published: Option<NaiveDate>,
        /// Annual exchange rates in the IMF CSV layout
        /// (Date,Rate,Currency,Frequency,Source,Country code,Country), units per US dollar.
        /// Without it the IMF annual table shipped with aidtrace is used.
        #[arg(long)]
        rates: Option<PathBuf>,
        /// Year for the exchange-rate check when neither a signing date nor --published is known.
        #[arg(long)]
        year: Option<i32>,
        /// JSON array of existing records ({id, donor, recipient_country, amount, currency,
        /// date}) to propose "same as" links against.
        #[arg(long)]
        existing: Option<PathBuf>,
    },
    /// Score the extractor against labelled articles (JSON lines, shared/intake/FORMAT.md).
    /// Exits 1 when a target is missed: strict F1 ≥ 0.85, no prediction on a negative article,
    /// not-aid false positives ≤ 1 in 10, items F1 ≥ 0.8.
    Eval {
        /// JSON-lines file of labelled articles.
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Extract facts from an article, check them against the store's rates and flows, and put
    /// them in the review queue as a draft. Prints the draft id and its facts.
    Submit {
        /// UTF-8 text file with one article (first line: the headline).
        file: PathBuf,
        /// Title of the article (default: its first line).
        #[arg(long)]
        title: Option<String>,
        /// Where the article was published.
        #[arg(long)]
        url: Option<String>,
        /// Publication date (YYYY-MM-DD).
        #[arg(long)]
        published: Option<NaiveDate>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// The review queue: every draft's facts with their status.
    Queue {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Accept a pending fact: write it as records citing the article. A fact matched "same as"
    /// an existing flow adds the article as that flow's source instead (unless edited).
    Accept {
        /// Draft id, e.g. draft-1.
        draft: String,
        /// Fact number as shown by `intake queue`.
        fact: usize,
        /// Edit a value first (repeatable): amount, currency, kind, donor, recipient_country,
        /// date, title, equivalent_amount, equivalent_currency; same_as=none records a new flow
        /// where the checks proposed an existing one.
        #[arg(long = "set", value_name = "FIELD=VALUE")]
        set: Vec<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Reject a pending fact; the reason is kept.
    Reject {
        draft: String,
        fact: usize,
        #[arg(long)]
        reason: String,
    },
}

pub fn run(command: Command, settings: &Settings) -> CliResult {
    match command {
        Command::Extract {
            file,
            format,
            published,
            rates,
            year,
            existing,
        } => run_extract(
            &file,
            format,
            published,
            rates.as_deref(),
            year,
            existing.as_deref(),
        ),
        Command::Eval { file, format } => run_eval(&file, format),
        Command::Submit {
            file,
            title,
            url,
            published,
            format,
        } => run_submit(&file, title, url, published, format, settings),
        Command::Queue { format } => run_queue(format, settings),
        Command::Accept {
            draft,
            fact,
            set,
            format,
        } => run_accept(&draft, fact, &set, format, settings),
        Command::Reject {
            draft,
            fact,
            reason,
        } => {
            let mut app = open(settings)?;
            let d = review::reject(&mut app, &settings.actor, &draft, fact, &reason)
                .map_err(service_error)?;
            emit(&format!(
                "{} fact {fact}: rejected ({})",
                d.id,
                reason.trim()
            ))?;
            Ok(Outcome::Clean)
        }
    }
}

fn open(settings: &Settings) -> Result<Aidtrace, CliError> {
    Aidtrace::open(&settings.db).map_err(service_error)
}

/// One queue row per fact: draft, fact number, status, kind, amount, donor, recipient, checks.
fn queue_rows(d: &IntakeDraft) -> Result<Vec<Vec<String>>, CliError> {
    let extraction = review::extraction_of(d).map_err(service_error)?;
    Ok(d.facts
        .iter()
        .map(|f| {
            let fact = usize::try_from(f.index)
                .ok()
                .and_then(|i| extraction.facts.get(i));
            let status = match (&f.status, &f.reason) {
                (DraftStatus::Rejected, Some(r)) => format!("rejected: {r}"),
                (s, _) => format!("{s:?}").to_lowercase(),
            };
            let mut checks: Vec<String> = fact
                .map(|x| x.checks.iter().map(check_summary).collect())
                .unwrap_or_default();
            if !f.records.is_empty() {
                checks.push(format!(
                    "records: {}",
                    f.records
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(" ")
                ));
            }
            vec![
                d.id.to_string(),
                f.index.to_string(),
                status,
                fact.map(|x| format!("{:?}", x.amount_kind.value).to_lowercase())
                    .unwrap_or_default(),
                fact.map(money).unwrap_or_default(),
                fact.and_then(|x| x.donor.as_ref().map(|d| d.value.clone()))
                    .unwrap_or_default(),
                fact.and_then(|x| x.recipient_country.as_ref().map(|d| d.value.clone()))
                    .unwrap_or_default(),
                checks.join("; "),
            ]
        })
        .collect())
}

const QUEUE_HEADER: [&str; 8] = [
    "draft",
    "fact",
    "status",
    "kind",
    "amount",
    "donor",
    "recipient",
    "checks",
];

fn print_drafts(drafts: &[IntakeDraft], format: Format) -> CliResult {
    match format {
        Format::Json => {
            let items: Vec<serde_json::Value> = drafts
                .iter()
                .map(|d| {
                    serde_json::json!({
                        "id": d.id,
                        "title": d.title,
                        "url": d.url,
                        "published": d.published,
                        "source": d.source,
                        "review": d.facts,
                        "facts": d.extraction.get("facts"),
                    })
                })
                .collect();
            emit(
                &serde_json::to_string_pretty(&items)
                    .map_err(|e| CliError::failure(e.to_string()))?,
            )?;
        }
        Format::Csv => {
            let mut rows = vec![QUEUE_HEADER.iter().map(|s| (*s).to_string()).collect()];
            for d in drafts {
                rows.extend(queue_rows(d)?);
            }
            emit(csv_text(rows)?.trim_end())?;
        }
        Format::Table => {
            let mut t = Table::new();
            t.set_header(QUEUE_HEADER);
            for d in drafts {
                for r in queue_rows(d)? {
                    t.add_row(r);
                }
            }
            emit(&t.to_string())?;
        }
    }
    Ok(Outcome::Clean)
}

fn run_submit(
    file: &Path,
    title: Option<String>,
    url: Option<String>,
    published: Option<NaiveDate>,
    format: Format,
    settings: &Settings,
) -> CliResult {
    let bytes = read_input(file)?;
    // Same refusals as `extract` (binary, too large, not UTF-8) before anything is stored.
    extract_bytes(&bytes, &ExtractOptions::default())
        .map_err(|e| CliError::input(format!("{}: {e}", file.display())))?;
    let text = String::from_utf8(bytes)
        .map_err(|e| CliError::input(format!("{}: not UTF-8: {e}", file.display())))?;
    let mut app = open(settings)?;
    let d = review::submit(
        &mut app,
        &settings.actor,
        review::Submission {
            text,
            title,
            url,
            published,
        },
    )
    .map_err(service_error)?;
    if format == Format::Table {
        emit(&format!(
            "draft {} ({} facts): {}",
            d.id,
            d.facts.len(),
            d.title
        ))?;
    }
    print_drafts(std::slice::from_ref(&d), format)
}

fn run_queue(format: Format, settings: &Settings) -> CliResult {
    let app = open(settings)?;
    let drafts = review::queue(&app).map_err(service_error)?;
    print_drafts(&drafts, format)
}

fn run_accept(
    draft: &str,
    fact: usize,
    set: &[String],
    format: Format,
    settings: &Settings,
) -> CliResult {
    let edits = review::parse_edits(set).map_err(service_error)?;
    let mut app = open(settings)?;
    let done =
        review::accept(&mut app, &settings.actor, draft, fact, &edits).map_err(service_error)?;
    match format {
        Format::Json => emit(
            &serde_json::to_string_pretty(&done).map_err(|e| CliError::failure(e.to_string()))?,
        )?,
        _ => {
            if done.same_as.is_empty() {
                emit(&format!(
                    "{} fact {fact}: accepted; wrote {}",
                    done.draft,
                    done.records.join(", ")
                ))?;
            } else {
                emit(&format!(
                    "{} fact {fact}: same as {}; the article was added as their source",
                    done.draft,
                    done.same_as.join(", ")
                ))?;
            }
        }
    }
    Ok(Outcome::Clean)
}

/// Writes to stdout; a closed pipe (`| head`) ends the output quietly instead of panicking.
fn emit(text: &str) -> Result<(), CliError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out
        .write_all(text.as_bytes())
        .and_then(|()| out.write_all(b"\n"))
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(CliError::from),
    }
}

fn csv_text(rows: impl IntoIterator<Item = Vec<String>>) -> Result<String, CliError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(crate::output::sheet_row(&r))
            .map_err(|e| CliError::failure(format!("csv: {e}")))?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| CliError::failure(format!("csv: {e}")))?;
    String::from_utf8(bytes).map_err(|e| CliError::failure(format!("csv: {e}")))
}

fn read_input(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|e| CliError::input(format!("cannot read {}: {e}", path.display())))
}

fn run_extract(
    file: &Path,
    format: Format,
    published: Option<NaiveDate>,
    rates: Option<&Path>,
    year: Option<i32>,
    existing: Option<&Path>,
) -> CliResult {
    let bytes = read_input(file)?;
    let opts = ExtractOptions {
        published,
        ..ExtractOptions::default()
    };
    let mut extraction = extract_bytes(&bytes, &opts)
        .map_err(|e| CliError::input(format!("{}: {e}", file.display())))?;
    let table = match rates {
        Some(p) => {
            let f = File::open(p)
                .map_err(|e| CliError::input(format!("cannot read rates {}: {e}", p.display())))?;
            Some(
                RateTable::from_imf_csv(f)
                    .map_err(|e| CliError::input(format!("{}: {e}", p.display())))?,
            )
        }
        None => None,
    };
    // Without --rates, the checks use the IMF annual table aidtrace ships.
    let imf = ImfRates(aidtrace_domain::fx::RateTable::imf_annual());
    let records: Vec<ExistingRecord> = match existing {
        Some(p) => {
            let f = File::open(p)
                .map_err(|e| CliError::input(format!("cannot read {}: {e}", p.display())))?;
            serde_json::from_reader(BufReader::new(f)).map_err(|e| {
                CliError::input(format!(
                    "{}: not a JSON array of existing records: {e}",
                    p.display()
                ))
            })?
        }
        None => Vec::new(),
    };
    // With no signing or publication date, check at the latest year the IMF table has (as the
    // ledger does for undated flows) rather than leave the check undone.
    let latest = imf
        .0
        .latest_date(&aidtrace_domain::CurrencyCode::usd())
        .map(|d| d.year());
    let default_year = year.or(published.map(|d| d.year())).or(latest);
    let ctx = CheckContext::new(
        Some(
            table
                .as_ref()
                .map_or(&imf as &dyn aidtrace_intake::RateLookup, |t| {
                    t as &dyn aidtrace_intake::RateLookup
                }),
        ),
        &records,
        default_year,
    );
    run_checks(&mut extraction, &ctx);
    print_extraction(&extraction, format)?;
    Ok(Outcome::Clean)
}

/// The ledger's IMF table seen through the intake crate's rate interface.
struct ImfRates(aidtrace_domain::fx::RateTable);

impl aidtrace_intake::RateLookup for ImfRates {
    fn units_per_usd(&self, currency: &str, year: i32) -> Option<rust_decimal::Decimal> {
        let code = aidtrace_domain::CurrencyCode::parse(currency).ok()?;
        let day = NaiveDate::from_ymd_opt(year, 12, 31)?;
        self.0.lookup(&code, day).map(|leg| leg.units_per_usd)
    }
}

fn money(f: &Fact) -> String {
    f.amount.as_ref().map_or(String::new(), |a| {
        format!("{} {}", a.value.amount, a.value.currency)
    })
}

fn check_summary(c: &Check) -> String {
    match c {
        Check::EquivalentMismatch {
            year,
            amount_in_usd,
            stated_in_usd,
            ratio,
            ..
        } => {
            format!(
                "equivalent off: stated {stated_in_usd} USD vs {amount_in_usd} USD at IMF {year} (ratio {ratio})"
            )
        }
        Check::EquivalentConsistent { year, ratio, .. } => {
            format!("equivalent ok at IMF {year} (ratio {ratio})")
        }
        Check::EquivalentUnchecked { reason, .. } => format!("equivalent unchecked: {reason}"),
        Check::SameAs { record_id, .. } => format!("same as {record_id}"),
    }
}

fn row(i: usize, f: &Fact) -> Vec<String> {
    let v = |s: &Option<aidtrace_intake::Sourced<String>>| {
        s.as_ref().map_or(String::new(), |x| x.value.clone())
    };
    vec![
        (i + 1).to_string(),
        format!("{:?}", f.amount_kind.value).to_lowercase(),
        v(&f.donor),
        v(&f.recipient_country),
        money(f),
        f.stated_equivalent.as_ref().map_or(String::new(), |e| {
            format!("{} {}", e.value.amount, e.value.currency)
        }),
        f.instrument
            .as_ref()
            .map_or(String::new(), |x| format!("{:?}", x.value).to_lowercase()),
        f.items
            .iter()
            .map(|i| match i.quantity {
                Some(q) => format!("{} ×{q}", i.name),
                None => i.name.clone(),
            })
            .collect::<Vec<_>>()
            .join("; "),
        f.facilities
            .iter()
            .map(|x| x.value.clone())
            .collect::<Vec<_>>()
            .join("; "),
        f.checks
            .iter()
            .map(check_summary)
            .collect::<Vec<_>>()
            .join("; "),
    ]
}

const HEADER: [&str; 10] = [
    "#",
    "kind",
    "donor",
    "recipient",
    "amount",
    "stated equivalent",
    "instrument",
    "items",
    "facilities",
    "checks",
];

fn print_extraction(e: &Extraction, format: Format) -> Result<(), CliError> {
    match format {
        Format::Json => {
            let s = serde_json::to_string_pretty(e)
                .map_err(|err| CliError::failure(format!("json: {err}")))?;
            emit(&s)
        }
        Format::Csv => {
            let header = HEADER.iter().map(|h| (*h).to_string()).collect();
            let rows =
                std::iter::once(header).chain(e.facts.iter().enumerate().map(|(i, f)| row(i, f)));
            emit(csv_text(rows)?.trim_end())
        }
        Format::Table => {
            let mut t = Table::new();
            t.load_preset(comfy_table::presets::UTF8_BORDERS_ONLY);
            t.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
            t.set_header(HEADER);
            for (i, f) in e.facts.iter().enumerate() {
                t.add_row(row(i, f));
            }
            if e.facts.is_empty() {
                emit("no aid facts found")
            } else {
                emit(&t.to_string())
            }
        }
    }
}

fn missed_targets(r: &EvalReport) -> Vec<String> {
    let mut missed = Vec::new();
    if r.strict.f1 < 0.85 {
        missed.push(format!("strict F1 {} < 0.85", r.strict.f1));
    }
    if r.negative_with_predictions > 0 {
        missed.push(format!(
            "{} negative articles with predictions",
            r.negative_with_predictions
        ));
    }
    if r.not_aid_fp * 10 > r.not_aid_facts {
        missed.push(format!(
            "not-aid false positives {} of {} facts",
            r.not_aid_fp, r.not_aid_facts
        ));
    }
    if r.items.f1 < 0.8 {
        missed.push(format!("items F1 {} < 0.8", r.items.f1));
    }
    missed
}

fn run_eval(file: &Path, format: Format) -> CliResult {
    let f = File::open(file)
        .map_err(|e| CliError::input(format!("cannot read {}: {e}", file.display())))?;
    let articles = load_jsonl(BufReader::new(f))
        .map_err(|e| CliError::input(format!("{}: {e}", file.display())))?;
    let report = evaluate(&articles, |a| {
        extract(
            &a.text,
            &ExtractOptions {
                published: a.published,
                ..ExtractOptions::default()
            },
        )
    });
    let missed = missed_targets(&report);
    match format {
        Format::Json => {
            let s = serde_json::to_string_pretty(&report)
                .map_err(|e| CliError::failure(format!("json: {e}")))?;
            emit(&s)?;
        }
        Format::Csv | Format::Table => {
            let rows: Vec<(String, String)> = vec![
                ("articles".into(), report.articles.to_string()),
                ("gold core facts".into(), report.gold_core.to_string()),
                (
                    "predictions (facts not marked not-aid)".into(),
                    report.predicted.to_string(),
                ),
                (
                    "strict P / R / F1".into(),
                    format!(
                        "{} / {} / {}",
                        report.strict.precision, report.strict.recall, report.strict.f1
                    ),
                ),
                (
                    "lenient P / R / F1".into(),
                    format!(
                        "{} / {} / {}",
                        report.lenient.precision, report.lenient.recall, report.lenient.f1
                    ),
                ),
                (
                    "items F1 (with quantity)".into(),
                    format!("{} ({})", report.items.f1, report.items.f1_with_quantity),
                ),
                ("facilities F1".into(), report.facilities.f1.to_string()),
                (
                    "amount kind accuracy".into(),
                    report.fields.amount_kind.accuracy.to_string(),
                ),
                (
                    "instrument accuracy".into(),
                    report.fields.instrument.accuracy.to_string(),
                ),
                (
                    "stated equivalent accuracy".into(),
                    report.fields.stated_equivalent.accuracy.to_string(),
                ),
                (
                    "date signed accuracy".into(),
                    report.fields.date_signed.accuracy.to_string(),
                ),
                (
                    "not-aid false positives".into(),
                    format!("{} of {}", report.not_aid_fp, report.not_aid_facts),
                ),
                (
                    "cumulative leaks".into(),
                    report.cumulative_leaks.to_string(),
                ),
                (
                    "totals beside parts".into(),
                    report.totals_beside_parts.to_string(),
                ),
                (
                    "negative articles with predictions".into(),
                    format!(
                        "{} of {}",
                        report.negative_with_predictions, report.negative_articles
                    ),
                ),
            ];
            if format == Format::Csv {
                let all = std::iter::once(vec!["metric".to_string(), "value".to_string()])
                    .chain(rows.into_iter().map(|(k, v)| vec![k, v]));
                emit(csv_text(all)?.trim_end())?;
            } else {
                let mut t = Table::new();
                t.load_preset(comfy_table::presets::UTF8_BORDERS_ONLY);
                t.set_header(["metric", "value"]);
                for (k, v) in rows {
                    t.add_row([k, v]);
                }
                let mut text = t.to_string();
                for e in &report.errors {
                    text.push_str(&format!("\n{} {}: {}", e.article, e.kind, e.detail));
                }
                for m in &missed {
                    text.push_str(&format!("\ntarget missed: {m}"));
                }
                emit(&text)?;
            }
        }
    }
    Ok(if missed.is_empty() {
        Outcome::Clean
    } else {
        Outcome::ProblemsFound
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eval_exit_follows_the_issue_targets() {
        let mut r = EvalReport::default();
        r.strict.f1 = 0.9;
        r.items.f1 = 0.85;
        r.not_aid_facts = 10;
        r.not_aid_fp = 1;
        assert!(missed_targets(&r).is_empty());
        r.not_aid_fp = 2;
        r.negative_with_predictions = 1;
        r.strict.f1 = 0.84;
        r.items.f1 = 0.79;
        assert_eq!(missed_targets(&r).len(), 4, "{:?}", missed_targets(&r));
    }

    /// The review commands on a real SQLite file: bad draft ids, fact numbers and `--set` values
    /// are input errors (exit 2) and write nothing; a good acceptance writes.
    #[test]
    fn review_commands_exit_2_on_bad_input_and_write_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let settings = Settings {
            db: aidtrace_store::StoreUrl::Sqlite(dir.path().join("t.db")),
            actor: "tester".into(),
            serve: Default::default(),
            checks: Default::default(),
        };
        let article = dir.path().join("a.txt");
        std::fs::write(
            &article,
            "Japan grants Kazakhstan equipment\nJapan will provide 108.7 million yen \
             (approximately 7 million US dollars) in grant aid to Kazakhstan for MRI machines.",
        )
        .expect("write");
        let submit = Command::Submit {
            file: article,
            title: None,
            url: None,
            published: NaiveDate::from_ymd_opt(2024, 5, 30),
            format: Format::Json,
        };
        assert!(matches!(run(submit, &settings), Ok(Outcome::Clean)));
        let audit = || {
            let conn = rusqlite::Connection::open(settings.sqlite_path("test").expect("sqlite"))
                .expect("db");
            conn.query_row("SELECT COUNT(*) FROM audit_log", [], |r| r.get::<_, i64>(0))
                .expect("count")
        };
        let before = audit();
        let accept = |draft: &str, fact: usize, set: &[&str]| Command::Accept {
            draft: draft.into(),
            fact,
            set: set.iter().map(|s| (*s).to_string()).collect(),
            format: Format::Table,
        };
        for cmd in [
            accept("draft-9", 0, &[]),
            accept("no such id!", 0, &[]),
            accept("draft-1", 5, &[]),
            accept("draft-1", 0, &["amount=abc"]),
            accept("draft-1", 0, &["currency=yen"]),
            accept("draft-1", 0, &["colour=red"]),
            accept("draft-1", 0, &["amount"]),
            Command::Reject {
                draft: "draft-1".into(),
                fact: 0,
                reason: " ".into(),
            },
        ] {
            let shown = format!("{cmd:?}");
            match run(cmd, &settings) {
                Err(CliError::Input(msg)) => assert!(!msg.is_empty(), "{shown}"),
                other => panic!("{shown}: expected an input error, got {other:?}"),
            }
        }
        assert_eq!(audit(), before, "nothing written");
        assert!(matches!(
            run(accept("draft-1", 0, &["kind=pledge"]), &settings),
            Ok(Outcome::Clean)
        ));
        assert!(audit() > before);
    }

    #[test]
    fn csv_rows_are_quoted() {
        let text = csv_text([vec!["a,b".to_string(), "c".to_string()]]).expect("csv");
        assert_eq!(text.trim_end(), "\"a,b\",c");
    }
}
