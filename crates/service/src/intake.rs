//! Intake review queue: a pasted article becomes an `intake_draft` record holding the extractor's
//! facts; a reviewer accepts (optionally editing), or rejects each fact with a reason. Accepting
//! writes ordinary ledger records (source, organisations, activity, flow, equipment lines) in the
//! same batch as the draft's new state, so the ledger and the queue never disagree and every step
//! is in the audit chain.

use std::collections::BTreeMap;

use aidtrace_domain::error::{ProblemArg, ProblemId};
use aidtrace_domain::model::{
    Activity, ActivityStatus, Citation, Claim, ClaimKind, CountryShare, DraftFact, DraftStatus,
    EquipmentCategory, EquipmentLine, Flow, FlowKind, Instrument, IntakeDraft, OrgKind, OrgRole,
    Organisation, Participant, ParticipantRole, Source, SourceKind,
};
use aidtrace_domain::money::{Money, Qualifier, StatedEquivalent};
use aidtrace_domain::{
    CountryCode, CurrencyCode, Ledger, Record, RecordId, RecordKind, ValidationError,
};
use aidtrace_intake::checks::{CheckContext, ExistingRecord, run_checks};
use aidtrace_intake::model::{AmountKind, Instrument as IntakeInstrument};
use aidtrace_intake::{Check, ExtractOptions, Extraction, Fact, extract};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use crate::Aidtrace;
use crate::error::{ServiceError, ServiceResult};

/// The extractor, for interfaces that render its facts without depending on it themselves.
pub use aidtrace_intake;

/// The store's rate table (IMF annual plus imported rates) seen through the intake crate's
/// lookup, so the stated-equivalent check uses the same rates as the ledger's conversions.
pub struct LedgerRates(pub aidtrace_domain::fx::RateTable);

impl aidtrace_intake::RateLookup for LedgerRates {
    fn units_per_usd(&self, currency: &str, year: i32) -> Option<Decimal> {
        let code = CurrencyCode::parse(currency).ok()?;
        let day = NaiveDate::from_ymd_opt(year, 12, 31)?;
        self.0.lookup(&code, day).map(|leg| leg.units_per_usd)
    }
}

/// An article as pasted or read from a file.
#[derive(Debug, Clone, Default)]
pub struct Submission {
    pub text: String,
    pub title: Option<String>,
    pub url: Option<String>,
    pub published: Option<NaiveDate>,
}

/// Fields a reviewer may set when accepting a fact (`--set field=value`).
/// `same_as=none` is not a value: it says the fact is not the flow the checks matched, so a new
/// flow is written instead of citing the article on the matched one.
pub const EDITABLE_FIELDS: [&str; 10] = [
    "amount",
    "currency",
    "kind",
    "donor",
    "recipient_country",
    "date",
    "title",
    "equivalent_amount",
    "equivalent_currency",
    "same_as",
];

/// A refused input of the intake, with the message id a page words it by.
fn refused(field: &str, value: &str, message: &str, id: ProblemId) -> ServiceError {
    ServiceError::invalid(
        "intake",
        ValidationError::new(field, value, message).because(id),
    )
}

/// A reviewer's edit of `field` to `raw` that a code's parser refuses (`e`): the English message
/// keeps the parser's words, the message id is the parser's.
fn refused_code(field: &str, raw: &str, e: ValidationError) -> ServiceError {
    let mut refusal = ValidationError::new(field, raw, e.to_string());
    refusal.problem = e.problem;
    ServiceError::invalid("intake", refusal)
}

/// "not an editable field" for `field`, naming the fields one may edit.
fn not_editable(field: &str, value: &str) -> ServiceError {
    let expected = EDITABLE_FIELDS.join(", ");
    ServiceError::invalid(
        "intake",
        ValidationError::new(
            field,
            value,
            format!("not an editable field; expected one of {expected}"),
        )
        .because(ProblemId::NotEditable)
        .arg("expected", ProblemArg::Text(expected)),
    )
}

/// The draft's extraction, read back into the intake crate's types.
pub fn extraction_of(draft: &IntakeDraft) -> ServiceResult<Extraction> {
    serde_json::from_value(draft.extraction.clone()).map_err(|e| {
        ServiceError::Io(format!(
            "intake draft {}: stored extraction unreadable: {e}",
            draft.id
        ))
    })
}

/// Existing flows as the "same as" check sees them: donor as its top-level organisation's name
/// (the check aliases Japan = Government of Japan …), recipient as the receiver's or the
/// activity's country.
pub fn existing_flows(ledger: &Ledger) -> Vec<ExistingRecord> {
    let root_name = |id: &RecordId| {
        let mut org = ledger.organisations.get(id)?;
        // Bounded walk: a cycle in parents must not hang intake.
        for _ in 0..16 {
            match org
                .parent
                .as_ref()
                .and_then(|p| ledger.organisations.get(p))
            {
                Some(p) => org = p,
                None => break,
            }
        }
        Some(org.name.clone())
    };
    ledger
        .flows
        .values()
        .filter_map(|f| {
            let donor = root_name(f.provider.as_ref()?)?;
            let recipient = f
                .receiver
                .as_ref()
                .and_then(|r| ledger.organisations.get(r))
                .and_then(|o| o.country.clone())
                .or_else(|| {
                    ledger
                        .activities
                        .get(&f.activity)
                        .and_then(|a| a.countries.first().map(|c| c.country.clone()))
                })?;
            Some(ExistingRecord {
                id: f.id.to_string(),
                donor,
                recipient_country: recipient.to_string(),
                amount: f.money.amount,
                currency: f.money.currency.to_string(),
                date: f.money.value_date,
            })
        })
        .collect()
}

fn next_draft_id(app: &Aidtrace) -> ServiceResult<RecordId> {
    let n = app
        .store()
        .list(RecordKind::IntakeDraft)?
        .iter()
        .filter_map(|r| r.id().as_str().strip_prefix("draft-")?.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    RecordId::parse(&format!("draft-{}", n + 1)).map_err(|e| ServiceError::invalid("intake", e))
}

/// A draft holds at most this many facts. A press release gives a handful; a document giving
/// more is not one article to review fact by fact (a generated 220 KB text gave 2,008 facts
/// and a 20 MB draft), and is split by the person submitting it.
pub const MAX_DRAFT_FACTS: usize = 500;

/// Extracts facts from the article, runs the rate and "same as" checks against the store, and
/// stores the result as a draft with every fact pending. Returns the draft.
pub fn submit(app: &mut Aidtrace, actor: &str, sub: Submission) -> ServiceResult<IntakeDraft> {
    let draft = prepare_draft(app, actor, sub)?;
    store_draft(app, actor, draft)
}

/// Stores a draft made by [`prepare_draft`] under the next draft id.
pub fn store_draft(
    app: &mut Aidtrace,
    actor: &str,
    mut draft: IntakeDraft,
) -> ServiceResult<IntakeDraft> {
    draft.id = next_draft_id(app)?;
    app.put(actor, vec![Record::IntakeDraft(draft.clone())])?;
    Ok(draft)
}

/// The draft [`submit`] stores, not stored yet (its id is a placeholder): the extraction and
/// checks only read, so a server runs them on a reader without holding up writes.
pub fn prepare_draft(app: &Aidtrace, actor: &str, sub: Submission) -> ServiceResult<IntakeDraft> {
    let opts = ExtractOptions {
        published: sub.published,
        ..ExtractOptions::default()
    };
    let mut extraction = extract(&sub.text, &opts).map_err(|e| match e {
        // Said plainly, naming the language, instead of an empty "no aid facts" draft.
        aidtrace_intake::IntakeError::NotEnglish { language } => {
            refused("text", language, &e.to_string(), ProblemId::NotEnglish)
        }
        e => ServiceError::Parse(format!("article: {e}")),
    })?;
    if sub.text.trim().is_empty() {
        return Err(refused(
            "text",
            "",
            "the article is empty",
            ProblemId::EmptyArticle,
        ));
    }
    if let Some(u) = sub.url.as_deref().map(str::trim).filter(|u| !u.is_empty())
        && !(u.starts_with("https://") || u.starts_with("http://"))
    {
        return Err(refused(
            "url",
            u,
            "expected a web address starting with http:// or https://",
            ProblemId::NotAWebAddress,
        ));
    }
    if extraction.facts.len() > MAX_DRAFT_FACTS {
        return Err(ServiceError::invalid(
            "intake",
            ValidationError::new(
                "text",
                format!("{} facts", extraction.facts.len()),
                format!(
                    "the text gives {} facts; a draft holds at most {MAX_DRAFT_FACTS}: submit the document in parts",
                    extraction.facts.len()
                ),
            )
            .because(ProblemId::TooManyFacts)
            .with_text("found", extraction.facts.len())
            .with_text("max", MAX_DRAFT_FACTS),
        ));
    }
    // The intake compares with the annual average of the year (IMF, or an imported rate), as its
    // findings say; the ECB's daily rate of 31 December is not that.
    let rates = LedgerRates(app.rates()?.without_ecb());
    let existing = existing_flows(&app.ledger()?);
    let latest = rates.0.latest_date(&CurrencyCode::usd()).map(|d| d.year());
    let year = sub.published.map(|d| d.year()).or(latest);
    run_checks(
        &mut extraction,
        &CheckContext::new(Some(&rates), &existing, year),
    );
    let title = sub
        .title
        .filter(|t| !t.trim().is_empty())
        .or_else(|| extraction.title.as_ref().map(|t| t.value.clone()))
        .unwrap_or_else(|| "Untitled article".to_string());
    let facts = extraction
        .facts
        .iter()
        .enumerate()
        .map(|(i, f)| DraftFact {
            index: u32::try_from(i).unwrap_or(u32::MAX),
            status: DraftStatus::Pending,
            reason: None,
            reviewer: None,
            edits: BTreeMap::new(),
            records: Vec::new(),
            same_as: f
                .checks
                .iter()
                .filter_map(|c| match c {
                    Check::SameAs { record_id, .. } => RecordId::parse(record_id).ok(),
                    _ => None,
                })
                .collect(),
        })
        .collect();
    let draft = IntakeDraft {
        id: RecordId::parse("draft-new").map_err(|e| ServiceError::invalid("intake", e))?,
        title,
        url: sub.url.filter(|u| !u.trim().is_empty()),
        published: sub.published,
        text: sub.text,
        extraction: serde_json::to_value(&extraction)
            .map_err(|e| ServiceError::Io(format!("intake: {e}")))?,
        facts,
        submitted_by: actor.to_string(),
        source: None,
    };
    Ok(draft)
}

/// Every draft, oldest first.
pub fn queue(app: &Aidtrace) -> ServiceResult<Vec<IntakeDraft>> {
    let mut drafts: Vec<IntakeDraft> = app
        .store()
        .list(RecordKind::IntakeDraft)?
        .into_iter()
        .filter_map(|r| match r {
            Record::IntakeDraft(d) => Some(d),
            _ => None,
        })
        .collect();
    drafts.sort_by_key(|d| {
        d.id.as_str()
            .strip_prefix("draft-")
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(u64::MAX)
    });
    Ok(drafts)
}

pub fn draft(app: &Aidtrace, id: &str) -> ServiceResult<IntakeDraft> {
    let rid = RecordId::parse(id).map_err(|e| ServiceError::invalid("intake draft", e))?;
    match app.store().get(RecordKind::IntakeDraft, &rid)? {
        Some(Record::IntakeDraft(d)) => Ok(d),
        _ => Err(ServiceError::NotFound(format!("no intake draft {id:?}"))),
    }
}

fn pending_fact(draft: &IntakeDraft, index: usize) -> ServiceResult<usize> {
    let pos = draft
        .facts
        .iter()
        .position(|f| usize::try_from(f.index).ok() == Some(index))
        .ok_or_else(|| {
            ServiceError::NotFound(format!(
                "intake draft {} has no fact {index} (facts 0..{})",
                draft.id,
                draft.facts.len()
            ))
        })?;
    let f = &draft.facts[pos];
    if f.status != DraftStatus::Pending {
        return Err(refused(
            "fact",
            &index.to_string(),
            &format!("already {:?}; only pending facts can be reviewed", f.status).to_lowercase(),
            ProblemId::FactNotPending,
        ));
    }
    Ok(pos)
}

/// Rejects a pending fact; the reason is kept on the draft.
pub fn reject(
    app: &mut Aidtrace,
    actor: &str,
    draft_id: &str,
    index: usize,
    reason: &str,
) -> ServiceResult<IntakeDraft> {
    let mut d = draft(app, draft_id)?;
    let pos = pending_fact(&d, index)?;
    if reason.trim().is_empty() {
        return Err(refused(
            "reason",
            reason,
            "a rejection needs a reason",
            ProblemId::ReasonNeeded,
        ));
    }
    let f = &mut d.facts[pos];
    f.status = DraftStatus::Rejected;
    f.reason = Some(reason.trim().to_string());
    f.reviewer = Some(actor.to_string());
    app.put(actor, vec![Record::IntakeDraft(d.clone())])?;
    Ok(d)
}

/// The values an accepted fact is written with: the extraction's, then the reviewer's edits.
#[derive(Debug, Clone)]
struct Values {
    amount: Option<Decimal>,
    currency: Option<CurrencyCode>,
    kind: AmountKind,
    donor: Option<String>,
    recipient_country: Option<CountryCode>,
    date: Option<NaiveDate>,
    title: String,
    equivalent: Option<(Decimal, CurrencyCode)>,
}

fn parse_kind(raw: &str) -> Option<AmountKind> {
    Some(match raw {
        "commitment" => AmountKind::Commitment,
        "disbursement" => AmountKind::Disbursement,
        "pledge" => AmountKind::Pledge,
        "cumulative" => AmountKind::Cumulative,
        "not_aid" => AmountKind::NotAid,
        _ => return None,
    })
}

fn positive_decimal(field: &str, raw: &str) -> ServiceResult<Decimal> {
    // Exact: a reviewer's edit with more digits than a decimal holds is refused, not rounded.
    let refuse = |message: &str, id| refused(field, raw, message, id);
    let v = aidtrace_domain::money::parse_exact(raw).map_err(|e| {
        refuse(
            &format!("{e} (write e.g. 108700000 or 68790.50)"),
            e.problem,
        )
    })?;
    if v <= Decimal::ZERO {
        return Err(refuse(
            "must be greater than zero",
            ProblemId::MustBePositive,
        ));
    }
    Ok(v)
}

fn values(fact: &Fact, title: &str, edits: &BTreeMap<String, String>) -> ServiceResult<Values> {
    let mut v = Values {
        amount: fact.amount.as_ref().map(|a| a.value.amount),
        currency: fact
            .amount
            .as_ref()
            .and_then(|a| CurrencyCode::parse(&a.value.currency).ok()),
        kind: fact.amount_kind.value,
        donor: fact.donor.as_ref().map(|d| d.value.clone()),
        recipient_country: fact
            .recipient_country
            .as_ref()
            .and_then(|c| CountryCode::parse(&c.value).ok()),
        date: fact.date_signed.as_ref().map(|d| d.value),
        title: title.to_string(),
        equivalent: fact
            .stated_equivalent
            .as_ref()
            .and_then(|e| Some((e.value.amount, CurrencyCode::parse(&e.value.currency).ok()?))),
    };
    let mut eq_amount = v.equivalent.as_ref().map(|e| e.0);
    let mut eq_currency = v.equivalent.as_ref().map(|e| e.1.clone());
    for (field, raw) in edits {
        let raw = raw.trim();
        let refuse = |message: &str, id| refused(field, raw, message, id);
        match field.as_str() {
            "amount" => v.amount = Some(positive_decimal(field, raw)?),
            "currency" => {
                v.currency =
                    Some(CurrencyCode::parse(raw).map_err(|e| refused_code(field, raw, e))?)
            }
            "kind" => {
                let expected = "expected commitment, disbursement, pledge, cumulative or not_aid";
                v.kind =
                    parse_kind(raw).ok_or_else(|| refuse(expected, ProblemId::UnknownFactKind))?
            }
            "donor" => {
                if raw.is_empty() {
                    return Err(refuse("must not be empty", ProblemId::Empty));
                }
                v.donor = Some(raw.to_string());
            }
            "recipient_country" => {
                v.recipient_country =
                    Some(CountryCode::parse(raw).map_err(|e| refused_code(field, raw, e))?)
            }
            "date" => {
                let not_iso = |_| refuse("expected a date as YYYY-MM-DD", ProblemId::DateNotIso);
                v.date = Some(NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(not_iso)?)
            }
            "title" => {
                if raw.is_empty() {
                    return Err(refuse("must not be empty", ProblemId::Empty));
                }
                v.title = raw.to_string();
            }
            "same_as" => {
                if raw != "none" {
                    let only =
                        "only same_as=none (record a new flow instead of linking) is accepted";
                    return Err(refuse(only, ProblemId::SameAsNone));
                }
            }
            "equivalent_amount" => eq_amount = Some(positive_decimal(field, raw)?),
            "equivalent_currency" => {
                eq_currency =
                    Some(CurrencyCode::parse(raw).map_err(|e| refused_code(field, raw, e))?)
            }
            _ => {
                return Err(not_editable(field, raw));
            }
        }
    }
    v.equivalent = eq_amount.zip(eq_currency);
    Ok(v)
}

/// Parses `field=value` pairs as typed on the command line or in a form.
pub fn parse_edits(pairs: &[String]) -> ServiceResult<BTreeMap<String, String>> {
    let mut edits = BTreeMap::new();
    for p in pairs {
        let (k, v) = p.split_once('=').ok_or_else(|| {
            refused(
                "set",
                p,
                "expected field=value",
                ProblemId::FieldEqualsValue,
            )
        })?;
        let k = k.trim();
        if !EDITABLE_FIELDS.contains(&k) {
            return Err(not_editable(k, v));
        }
        edits.insert(k.to_string(), v.trim().to_string());
    }
    Ok(edits)
}

fn slug(raw: &str) -> String {
    match aidtrace_domain::text::slug(raw, 60) {
        s if s.is_empty() => "unnamed".into(),
        s => s,
    }
}

fn rid(raw: &str) -> ServiceResult<RecordId> {
    RecordId::parse(raw).map_err(|e| ServiceError::invalid("intake", e))
}

fn cite(source: &RecordId, quote: &str, field: &str) -> Citation {
    Citation {
        source: source.clone(),
        quote: Some(quote.to_string()),
        field: Some(field.to_string()),
    }
}

fn equipment_category(name: &str) -> EquipmentCategory {
    let n = name.to_lowercase();
    let has = |w: &[&str]| w.iter().any(|x| n.contains(x));
    if has(&[
        "mri",
        "magnetic",
        "ct ",
        "ct scanner",
        "x-ray",
        "ultrasound",
        "tomograph",
        "mammograph",
        "imaging",
    ]) {
        EquipmentCategory::Imaging
    } else if has(&["endoscop"]) {
        EquipmentCategory::Endoscopy
    } else if has(&[
        "ventilator",
        "intensive",
        "monitor",
        "defibrillator",
        "incubator",
    ]) {
        EquipmentCategory::IntensiveCare
    } else if has(&["platelet", "blood"]) {
        EquipmentCategory::BloodBank
    } else if has(&["generator", "solar", "power"]) {
        EquipmentCategory::Power
    } else if has(&["analy", "laborator", "microscope", "pcr", "centrifuge"]) {
        EquipmentCategory::Laboratory
    } else if has(&["surgical", "operating", "anaesthe", "anesthe"]) {
        EquipmentCategory::Surgical
    } else if has(&["ambulance", "radio"]) {
        EquipmentCategory::Communication
    } else {
        EquipmentCategory::Other
    }
}

/// Finds an organisation by name (case-insensitive) or creates one; returns its id and, when
/// created, the record to write.
fn org_for(
    ledger: &Ledger,
    name: &str,
    kind: OrgKind,
    role: OrgRole,
    country: Option<CountryCode>,
    citation: Option<Citation>,
    batch: &[Record],
) -> ServiceResult<(RecordId, Option<Organisation>)> {
    let lower = name.trim().to_lowercase();
    let gov = format!("government of {lower}");
    let found = ledger.organisations.values().find(|o| {
        let n = o.name.to_lowercase();
        n == lower || (o.parent.is_none() && n == gov)
    });
    if let Some(o) = found {
        return Ok((o.id.clone(), None));
    }
    let id = rid(&format!("org-{}", slug(name)))?;
    if batch.iter().any(|r| r.id() == &id) || ledger.organisations.contains_key(&id) {
        return Ok((id, None));
    }
    let org = Organisation {
        id: id.clone(),
        name: name.trim().to_string(),
        kind,
        roles: vec![role],
        country,
        parent: None,
        identifiers: Vec::new(),
        sources: citation.into_iter().collect(),
        skip_approval: false,
        aliases: vec![],
        reviewed: false,
    };
    // The same matching as an IATI import: a name an admin recorded as an alias, or the id of an
    // organisation merged away, links to the organisation that survives instead of recreating it.
    if let Some((existing, _)) =
        crate::orgs::OrgIndex::new(ledger.organisations.values()).find(&org)
    {
        return Ok((existing, None));
    }
    Ok((id, Some(org)))
}

/// What an acceptance wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Accepted {
    pub draft: String,
    pub fact: usize,
    /// Records written (source, organisations, activity, flow, equipment lines, claim).
    pub records: Vec<String>,
    /// Existing flows the fact was linked to instead of creating a duplicate.
    pub same_as: Vec<String>,
}

/// Accepts a pending fact, applying the reviewer's edits, and writes its records together with
/// the draft's new state in one batch. A fact the checks matched to existing flows ("same as")
/// adds the article as a further source of those flows rather than a second flow, unless the
/// reviewer says `same_as=none`; other edits are then not applied (the matched flow stays as
/// recorded) and are refused so nothing is silently dropped.
pub fn accept(
    app: &mut Aidtrace,
    actor: &str,
    draft_id: &str,
    index: usize,
    edits: &BTreeMap<String, String>,
) -> ServiceResult<Accepted> {
    let (batch, accepted) = accept_batch(app, actor, draft_id, index, edits)?;
    app.put(actor, batch)?;
    Ok(accepted)
}

/// Accepts a fact under the write policy, as every other edit: a reviewer who writes directly
/// (an admin, an editor of an organisation that skips approval) and whose scope covers every
/// ledger record of the batch writes at once (`None`); anyone else's acceptance becomes a
/// submitted change holding the whole batch, made against the current version of each of its
/// records (it also rewrites existing flows, citing the article), for an approver to decide.
pub fn accept_or_propose(
    app: &mut Aidtrace,
    queue: &mut dyn crate::changes::ChangeStore,
    actor: &crate::policy::Actor,
    draft_id: &str,
    index: usize,
    edits: &BTreeMap<String, String>,
    at: &str,
) -> crate::changes::ChangeResult<Option<i64>> {
    let (batch, _) = accept_batch(app, &actor.name, draft_id, index, edits)?;
    let ledger = crate::policy_scope::decision_ledger(app, actor, &batch)?;
    // The draft itself belongs to the review queue, which the reviewer may already edit.
    let in_scope = batch
        .iter()
        .filter(|r| r.kind() != RecordKind::IntakeDraft)
        .all(|r| actor.may_write(r, &ledger, &batch).is_ok());
    if actor.writes_directly_in(&ledger) && in_scope {
        app.put(&actor.name, batch)?;
        return Ok(None);
    }
    let id = RecordId::parse(draft_id).map_err(|e| ServiceError::invalid("draft", e))?;
    let base = crate::changes::batch_base(app, &batch)?;
    let change = crate::changes::propose(
        queue,
        (RecordKind::IntakeDraft, &id),
        &batch,
        Some(&base),
        crate::changes::ChangeState::Submitted,
        &actor.name,
        at,
    )?;
    Ok(Some(change))
}

/// The batch [`accept`] would write (the records, then the draft with the fact accepted) and its
/// summary, without writing it: for interfaces whose reviewers' acceptances wait for an approver.
/// The draft is the batch's last record.
pub fn accept_batch(
    app: &Aidtrace,
    actor: &str,
    draft_id: &str,
    index: usize,
    edits: &BTreeMap<String, String>,
) -> ServiceResult<(Vec<Record>, Accepted)> {
    let mut d = draft(app, draft_id)?;
    let pos = pending_fact(&d, index)?;
    let extraction = extraction_of(&d)?;
    let fact = extraction.facts.get(index).ok_or_else(|| {
        ServiceError::NotFound(format!("intake draft {} has no fact {index}", d.id))
    })?;
    let v = values(fact, &d.title, edits)?;
    let ledger = app.ledger()?;
    let mut batch: Vec<Record> = Vec::new();

    let source_id = match &d.source {
        Some(s) => s.clone(),
        None => {
            let id = rid(&format!("src-intake-{}", d.id))?;
            batch.push(Record::Source(Source {
                id: id.clone(),
                title: d.title.clone(),
                kind: SourceKind::NewsArticle,
                url: d.url.clone(),
                publisher: None,
                published: d.published,
                language: Some("en".into()),
            }));
            d.source = Some(id.clone());
            id
        }
    };
    let amount_quote = fact.amount.as_ref().map(|a| a.quote.as_str());
    if !d.facts[pos].same_as.is_empty()
        && edits.get("same_as").map(String::as_str) != Some("none")
        && !edits.is_empty()
    {
        let (field, value) = edits
            .iter()
            .next()
            .map_or(("", ""), |(k, v)| (k.as_str(), v.as_str()));
        return Err(refused(
            field,
            value,
            "this fact matches an existing flow and is linked to it, not written again; add same_as=none to record a new flow with your edits",
            ProblemId::FactLinked,
        ));
    }
    let mut written: Vec<RecordId> = Vec::new();
    let same_as = d.facts[pos].same_as.clone();

    if v.kind == AmountKind::NotAid {
        return Err(refused(
            "kind",
            "not_aid",
            "the extractor read this amount as not aid; reject it, or set kind=commitment|disbursement|pledge",
            ProblemId::FactNotAid,
        ));
    }
    let link = !same_as.is_empty() && edits.get("same_as").map(String::as_str) != Some("none");
    if link {
        // Corroboration: cite the article on the matched flows instead of duplicating them.
        for id in &same_as {
            if let Some(flow) = ledger.flows.get(id) {
                let mut flow = flow.clone();
                flow.sources
                    .push(cite(&source_id, amount_quote.unwrap_or_default(), "money"));
                written.push(flow.id.clone());
                batch.push(Record::Flow(flow));
            }
        }
    } else if v.kind == AmountKind::Cumulative {
        let id = rid(&format!("claim-{}-{index}", d.id))?;
        let money = match (v.amount, v.currency.clone()) {
            (Some(a), Some(c)) => {
                Some(Money::new(a, c, None).map_err(|e| ServiceError::invalid("intake", e))?)
            }
            _ => None,
        };
        batch.push(Record::Claim(Claim {
            id: id.clone(),
            kind: ClaimKind::CumulativeFunding,
            statement: amount_quote.unwrap_or(&d.title).to_string(),
            activity: None,
            organisation: None,
            flow: None,
            facility: None,
            country: None,
            money,
            quantity: None,
            unit: None,
            qualifier: None,
            period_start: None,
            period_end: None,
            sources: vec![cite(&source_id, amount_quote.unwrap_or_default(), "money")],
        }));
        written.push(id);
    } else {
        let (Some(amount), Some(currency)) = (v.amount, v.currency.clone()) else {
            return Err(refused(
                "amount",
                "",
                "this fact has no amount; set amount=… and currency=… to record it as a flow",
                ProblemId::FactNoAmount,
            ));
        };
        let Some(donor) = v.donor.clone() else {
            return Err(refused(
                "donor",
                "",
                "no donor found; set donor=…",
                ProblemId::NoDonor,
            ));
        };
        let donor_quote = fact
            .donor
            .as_ref()
            .map(|q| cite(&source_id, &q.quote, "donor"));
        let (donor_id, donor_rec) = org_for(
            &ledger,
            &donor,
            OrgKind::Government,
            OrgRole::Donor,
            None,
            donor_quote,
            &batch,
        )?;
        batch.extend(donor_rec.map(Record::Organisation));
        let mut receiver = None;
        if let Some(country) = &v.recipient_country {
            let existing = ledger.organisations.values().find(|o| {
                o.parent.is_none()
                    && o.kind == OrgKind::Government
                    && o.country.as_ref() == Some(country)
            });
            let id = match existing {
                Some(o) => o.id.clone(),
                None => {
                    let name = fact
                        .recipient_country
                        .as_ref()
                        .filter(|_| !edits.contains_key("recipient_country"))
                        .map_or_else(|| country.to_string(), |q| q.quote.clone());
                    let (id, rec) = org_for(
                        &ledger,
                        &format!("Government of {name}"),
                        OrgKind::Government,
                        OrgRole::Recipient,
                        Some(country.clone()),
                        fact.recipient_country
                            .as_ref()
                            .map(|q| cite(&source_id, &q.quote, "recipient_country")),
                        &batch,
                    )?;
                    batch.extend(rec.map(Record::Organisation));
                    id
                }
            };
            receiver = Some(id);
        }
        // Facilities are linked when the ledger already knows them by name; an article's name
        // alone is too thin to create a facility (no kind, no location).
        let facilities: Vec<RecordId> = fact
            .facilities
            .iter()
            .filter_map(|f| {
                let n = f.value.to_lowercase();
                ledger
                    .facilities
                    .values()
                    .find(|x| x.name.to_lowercase() == n)
                    .map(|x| x.id.clone())
            })
            .collect();
        let activity_id = rid(&format!("act-{}-{index}", d.id))?;
        let mut participants = vec![Participant {
            org: donor_id.clone(),
            role: ParticipantRole::Funding,
        }];
        if let Some(r) = &receiver {
            participants.push(Participant {
                org: r.clone(),
                role: ParticipantRole::Beneficiary,
            });
        }
        let instrument = match fact.instrument.as_ref().map(|i| i.value) {
            Some(IntakeInstrument::Loan) => Instrument::Loan,
            Some(IntakeInstrument::InKind) => Instrument::InKind,
            Some(IntakeInstrument::TechnicalCooperation) => Instrument::TechnicalCooperation,
            Some(IntakeInstrument::Grant) => Instrument::GrantAid,
            _ => Instrument::Other,
        };
        let sentence = amount_quote.unwrap_or_default();
        batch.push(Record::Activity(Activity {
            id: activity_id.clone(),
            title: v.title.clone(),
            instrument,
            status: if v.kind == AmountKind::Pledge {
                ActivityStatus::Pipeline
            } else {
                ActivityStatus::Implementation
            },
            iati_identifier: None,
            iati_last_updated: None,
            description: None,
            purpose: fact.program.as_ref().map(|p| p.value.clone()),
            parent: None,
            reporting_org: None,
            participants,
            legal_steps: Vec::new(),
            start_date: None,
            end_date: None,
            sectors: Vec::new(),
            countries: v
                .recipient_country
                .iter()
                .map(|c| CountryShare {
                    country: c.clone(),
                    percentage: Decimal::ONE_HUNDRED,
                })
                .collect(),
            regions: Vec::new(),
            facilities: facilities.clone(),
            target_population: None,
            ceiling: None,
            sources: vec![cite(&source_id, sentence, "money")],
            left_out: vec![],
        }));
        written.push(activity_id.clone());
        let kind = match v.kind {
            AmountKind::Pledge => FlowKind::Pledge,
            AmountKind::Disbursement => FlowKind::Disbursement,
            _ => FlowKind::Commitment,
        };
        let money =
            Money::new(amount, currency, v.date).map_err(|e| ServiceError::invalid("intake", e))?;
        let qualifier = fact.amount_qualifier.map(|q| match q {
            aidtrace_intake::model::Qualifier::Approx => Qualifier::Approximately,
            aidtrace_intake::model::Qualifier::MoreThan => Qualifier::MoreThan,
            aidtrace_intake::model::Qualifier::Nearly => Qualifier::Nearly,
            aidtrace_intake::model::Qualifier::UpTo => Qualifier::UpTo,
            aidtrace_intake::model::Qualifier::AtLeast => Qualifier::AtLeast,
        });
        let mut sources = vec![cite(&source_id, sentence, "money")];
        if let Some(e) = &fact.stated_equivalent {
            sources.push(cite(&source_id, &e.quote, "stated_equivalent"));
        }
        let flow_id = rid(&format!("flow-{}-{index}", d.id))?;
        batch.push(Record::Flow(Flow {
            id: flow_id.clone(),
            activity: activity_id.clone(),
            kind,
            money,
            provider: Some(donor_id),
            receiver,
            parent_flow: None,
            reversal: false,
            stated_equivalent: v.equivalent.map(|(amount, currency)| {
                Box::new(StatedEquivalent {
                    amount,
                    currency,
                    // The article's own hedge ("approximately") belongs to the equivalent too.
                    qualifier: qualifier.or(Some(Qualifier::Approximately)),
                })
            }),
            recorded_rate: None,
            description: fact
                .amount_qualifier
                .map(|q| format!("amount qualifier: {q:?}")),
            sources,
        }));
        written.push(flow_id);
        for (k, item) in fact.items.iter().enumerate() {
            let id = rid(&format!("eq-{}-{index}-{k}", d.id))?;
            batch.push(Record::EquipmentLine(EquipmentLine {
                id: id.clone(),
                activity: activity_id.clone(),
                category: equipment_category(&item.name),
                description: item.name.clone(),
                quantity: item.quantity.and_then(|q| u32::try_from(q).ok()),
                unit_cost: None,
                facility: if facilities.len() == 1 {
                    facilities.first().cloned()
                } else {
                    None
                },
                assets: Vec::new(),
                generator: None,
                sources: vec![cite(&source_id, &item.quote, "description")],
            }));
            written.push(id);
        }
    }
    // Report every record the batch writes, including the source and new organisations.
    let mut all: Vec<RecordId> = batch
        .iter()
        .filter(|r| matches!(r, Record::Source(_) | Record::Organisation(_)))
        .map(|r| r.id().clone())
        .collect();
    all.extend(written);
    let written = all;
    let f = &mut d.facts[pos];
    f.status = DraftStatus::Accepted;
    f.reviewer = Some(actor.to_string());
    f.edits = edits.clone();
    f.records = written.clone();
    batch.push(Record::IntakeDraft(d.clone()));
    let accepted = Accepted {
        draft: d.id.to_string(),
        fact: index,
        records: written.iter().map(ToString::to_string).collect(),
        same_as: same_as.iter().map(ToString::to_string).collect(),
    };
    Ok((batch, accepted))
}
