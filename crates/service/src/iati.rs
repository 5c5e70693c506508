//! IATI import: streams a file, validates each activity on the three layers, maps it into the
//! ledger and writes the accepted ones in one transaction per file.
//!
//! - Each activity is accepted or rejected on its own, with reasons; `strict` rejects the file
//!   when any activity is rejected or fails a validation layer.
//! - Re-importing is idempotent: the same identifier updates the same records, and an activity
//!   is only replaced by one whose `last-updated-datetime` is at least as new.
//! - Identifiers seen twice in a file, or already imported from another file, are reported.
//! - What the ledger has no place for yet (locations, results, supranational regions, other
//!   sector vocabularies) is listed per activity as a note, never dropped silently.

use std::collections::{BTreeMap, HashMap, HashSet};

use aidtrace_domain::model::{
    Activity, ActivityStatus, Budget, BudgetKind, BudgetStatus, Citation, CountryShare, Flow,
    FlowKind, Instrument, OrgIdentifier, OrgKind, Organisation, Participant, ParticipantRole,
    Record, SectorShare, Source, SourceKind,
};
use aidtrace_domain::validate::validate;
use aidtrace_domain::{CountryCode, CurrencyCode, IatiOrgId, Money, RecordId, RecordKind};
use aidtrace_iati::model::{FlowOrg, IatiActivity, Narrative, parse_date};
use aidtrace_iati::validate::{ActivityReport, Checked, Options, check_source_then};
use chrono::DateTime;
use rust_decimal::Decimal;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{ServiceError, ServiceResult};
use crate::{Aidtrace, RecordWriter};

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Outcome {
    Accepted {
        notes: Vec<String>,
    },
    /// The stored version is newer, or as new and from another file: kept as it is (a tie
    /// between two files would otherwise flip the record on every re-import).
    KeptNewer {
        stored: String,
    },
    Rejected {
        reasons: Vec<String>,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct ActivityImport {
    pub identifier: String,
    pub line: u64,
    pub schema_valid: bool,
    pub codelists_valid: bool,
    pub rules_valid: bool,
    #[serde(flatten)]
    pub outcome: Outcome,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct LayerCounts {
    pub activities: usize,
    pub schema_valid: usize,
    pub codelists_valid: usize,
    pub rules_valid: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileImport {
    pub file: String,
    pub version: Option<String>,
    pub layers: LayerCounts,
    pub accepted: usize,
    pub rejected: usize,
    pub kept_newer: usize,
    pub records_created: usize,
    pub records_updated: usize,
    pub records_unchanged: usize,
    /// Identifiers that appear more than once in this file (the last one wins, all are reported).
    pub duplicates_in_file: Vec<String>,
    /// Identifiers already imported from another file, with that file.
    pub duplicates_across_files: Vec<(String, String)>,
    /// Set when the whole file was refused (not well-formed, or `strict` with problems).
    pub refused: Option<String>,
    pub activities: Vec<ActivityImport>,
    /// The file's three-layer validation report, as `iati validate` gives it, when
    /// [`ImportOptions::validation_report`] asked for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation: Option<aidtrace_iati::validate::Report>,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    pub strict: bool,
    /// Keep every unit's findings for [`FileImport::validation`] (one read serves both).
    pub validation_report: bool,
}

/// Turns an identifier from outside into a record id: readable, and unique (a hash is added
/// whenever characters had to be replaced, so `a/b` and `a_b` stay apart).
pub fn record_id(prefix: &str, raw: &str) -> RecordId {
    let plain = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b':');
    // The usual identifier needs no cleaning: one allocation, no hash.
    if !raw.is_empty() && prefix.len() + raw.len() <= 150 && raw.bytes().all(plain) {
        let mut id = String::with_capacity(prefix.len() + raw.len());
        id.push_str(prefix);
        id.push_str(raw);
        if let Ok(id) = RecordId::parse(&id) {
            return id;
        }
    }
    cleaned_record_id(prefix, raw)
}

fn cleaned_record_id(prefix: &str, raw: &str) -> RecordId {
    let cleaned: String = raw
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let changed = cleaned != raw || cleaned.len() + prefix.len() > 150 || cleaned.is_empty();
    let mut id = format!("{prefix}{}", cleaned.chars().take(150).collect::<String>());
    if changed {
        let digest = hex::encode(Sha256::digest(raw.as_bytes()));
        id.push('-');
        id.push_str(&digest[..10]);
    }
    // Only characters RecordId accepts were kept, and the length is bounded, so this holds.
    RecordId::parse(&id)
        .unwrap_or_else(|_| RecordId::parse("iati-invalid-id").expect("literal id is valid"))
}

fn text(narratives: &[Narrative], lang: Option<&str>) -> Option<String> {
    let pick = narratives
        .iter()
        .find(|n| n.lang.as_deref() == Some("en"))
        .or_else(|| {
            narratives
                .iter()
                .find(|n| n.lang.as_deref() == lang || n.lang.is_none())
        })
        .or_else(|| narratives.first())?;
    let t = pick.text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn org_kind(code: Option<&str>) -> OrgKind {
    match code.unwrap_or("") {
        "10" => OrgKind::Government,
        "11" | "15" => OrgKind::GovernmentAgency,
        "21" | "22" | "23" | "24" | "60" => OrgKind::Ngo,
        "40" => OrgKind::Multilateral,
        "80" => OrgKind::University,
        "70" | "71" | "72" | "73" => OrgKind::Supplier,
        _ => OrgKind::Other,
    }
}

fn status(code: Option<&str>) -> ActivityStatus {
    match code.unwrap_or("") {
        "1" => ActivityStatus::Pipeline,
        "3" => ActivityStatus::Finalisation,
        "4" => ActivityStatus::Closed,
        "5" => ActivityStatus::Cancelled,
        "6" => ActivityStatus::Suspended,
        _ => ActivityStatus::Implementation,
    }
}

fn instrument(a: &IatiActivity) -> Instrument {
    let finance = a.default_finance_type.as_deref().unwrap_or("");
    let aid: Vec<&str> = a
        .default_aid_types
        .iter()
        .filter_map(|t| t.code.as_deref())
        .collect();
    if finance.starts_with('4') || finance.starts_with('5') {
        Instrument::Loan
    } else if aid.iter().any(|c| c.starts_with("A0")) {
        Instrument::BudgetSupport
    } else if aid.iter().any(|c| matches!(*c, "D01" | "D02")) {
        Instrument::TechnicalCooperation
    } else if aid.iter().any(|c| c.starts_with('E')) {
        Instrument::TrainingExchange
    } else if finance.starts_with("11") {
        Instrument::GrantAid
    } else {
        Instrument::Other
    }
}

/// Collects the organisations an activity names, so flows and participants can point at them.
#[derive(Default)]
struct Orgs {
    records: BTreeMap<RecordId, Organisation>,
    /// Record ids of the organisation references seen so far: most activities name the same
    /// few organisations many times (every transaction names two).
    by_ref: HashMap<String, RecordId>,
    /// Source records another aidtrace exported with its activities (provenance).
    sources: BTreeMap<RecordId, Source>,
    /// Links the organisations named to those the ledger holds (`orgs.rs`).
    links: crate::orgs::ImportLinks,
}

impl Orgs {
    fn get(
        &mut self,
        r#ref: Option<&str>,
        kind: Option<&str>,
        narratives: &[Narrative],
    ) -> Option<RecordId> {
        let r#ref = r#ref.map(str::trim).filter(|r| !r.is_empty());
        if let Some(id) = r#ref.and_then(|r| self.by_ref.get(r)) {
            if let Some(known) = self.records.get_mut(id)
                && known.name.is_empty()
                && let Some(n) = text(narratives, None)
            {
                known.name = n;
            }
            return Some(id.clone());
        }
        let name = text(narratives, None);
        let id = match (r#ref, &name) {
            (Some(r), _) => record_id("org-iati-", r),
            (None, Some(n)) => record_id("org-name-", &n.to_lowercase()),
            (None, None) => return None,
        };
        let entry = self
            .records
            .entry(id.clone())
            .or_insert_with(|| Organisation {
                id: id.clone(),
                name: name
                    .clone()
                    .or_else(|| r#ref.map(String::from))
                    .unwrap_or_default(),
                kind: org_kind(kind),
                roles: vec![],
                country: None,
                parent: None,
                identifiers: r#ref
                    .map(|r| {
                        IatiOrgId::parse(r).map_or_else(
                            |_| OrgIdentifier::IatiAsPublished(r.to_string()),
                            OrgIdentifier::Iati,
                        )
                    })
                    .into_iter()
                    .collect(),
                sources: vec![],
                skip_approval: false,
                aliases: vec![],
                reviewed: false,
            });
        if entry.name.is_empty()
            && let Some(n) = name
        {
            entry.name = n;
        }
        if let Some(r) = r#ref {
            self.by_ref.insert(r.to_string(), id.clone());
        }
        Some(id)
    }

    /// Takes in the organisations and sources a later activity named: the first mention of
    /// each stays, as if one map had seen them all in file order.
    fn merge(&mut self, later: Orgs) {
        for (id, org) in later.records {
            match self.records.entry(id) {
                std::collections::btree_map::Entry::Vacant(v) => {
                    v.insert(org);
                }
                std::collections::btree_map::Entry::Occupied(mut o) => {
                    if o.get().name.is_empty() && !org.name.is_empty() {
                        o.get_mut().name = org.name;
                    }
                }
            }
        }
        for (id, source) in later.sources {
            self.sources.entry(id).or_insert(source);
        }
    }

    fn flow_org(&mut self, o: Option<&FlowOrg>) -> Option<RecordId> {
        let o = o?;
        self.get(o.r#ref.as_deref(), o.r#type.as_deref(), &o.narratives)
    }
}

/// Shares must add to 100 for the ledger; when they do not, the block is left out with a note.
fn shares<T>(
    what: &str,
    items: Vec<(String, Option<String>)>,
    make: impl Fn(&str, Decimal) -> Option<T>,
    notes: &mut Vec<String>,
) -> Vec<T> {
    if items.is_empty() {
        return vec![];
    }
    let single = items.len() == 1;
    let mut out = Vec::new();
    let mut sum = Decimal::ZERO;
    for (code, pct) in &items {
        let pct = match pct.as_deref().map(str::trim).map(str::parse::<Decimal>) {
            Some(Ok(p)) => p,
            None if single => Decimal::ONE_HUNDRED,
            _ => {
                notes.push(format!(
                    "{what} not imported: percentage missing or unreadable for {code}"
                ));
                return vec![];
            }
        };
        // Published percentages are input: a huge one must be a note, not an overflow panic.
        let Some(next) = sum.checked_add(pct) else {
            notes.push(format!(
                "{what} not imported: percentages add up to more than a decimal holds"
            ));
            return vec![];
        };
        sum = next;
        match make(code, pct) {
            Some(t) => out.push(t),
            None => {
                notes.push(format!(
                    "{what} not imported: {code} is not a code aidtrace knows"
                ));
                return vec![];
            }
        }
    }
    if sum != Decimal::ONE_HUNDRED {
        notes.push(format!(
            "{what} not imported: percentages sum to {}",
            sum.normalize()
        ));
        return vec![];
    }
    out
}

struct Mapped {
    records: Vec<Record>,
    notes: Vec<String>,
    /// `scan::identifier_key` of the parent's identifier, if the activity names one.
    parent_key: Option<u64>,
}

/// Maps an activity whose record id is `id` (`record_id("iati-", identifier)`).
fn map_activity(
    a: &IatiActivity,
    id: &RecordId,
    source: &RecordId,
    orgs: &mut Orgs,
) -> Result<Mapped, Vec<String>> {
    let mut notes = Vec::new();
    let mut reasons = Vec::new();
    let lang = a.lang.as_deref();
    let id = id.clone();
    let cite = vec![Citation {
        source: source.clone(),
        quote: None,
        field: Some(format!("iati-activity {}", a.identifier)),
    }];
    let mut participants = Vec::new();
    for p in &a.participating_orgs {
        let role = match p.role.as_deref().unwrap_or("") {
            "1" => ParticipantRole::Funding,
            "2" => ParticipantRole::Accountable,
            "3" => ParticipantRole::Extending,
            "4" => ParticipantRole::Implementing,
            other => {
                notes.push(format!("participating-org role {other:?} not imported"));
                continue;
            }
        };
        if let Some(org) = orgs.get(p.r#ref.as_deref(), p.r#type.as_deref(), &p.narratives) {
            participants.push(Participant { org, role });
        }
    }
    let reporting = a
        .reporting_org
        .as_ref()
        .and_then(|r| orgs.get(r.r#ref.as_deref(), r.r#type.as_deref(), &r.narratives));
    let date = |types: &[&str]| {
        types.iter().find_map(|t| {
            a.activity_dates
                .iter()
                .find(|d| d.r#type.as_deref() == Some(*t))
                .and_then(|d| d.iso_date.as_deref().and_then(parse_date))
        })
    };
    let sectors = shares(
        "sectors",
        a.sectors
            .iter()
            .filter(|s| matches!(s.vocabulary.as_deref(), None | Some("1")))
            .map(|s| (s.code.clone().unwrap_or_default(), s.percentage.clone()))
            .collect(),
        |code, percentage| {
            (code.len() == 5 && code.bytes().all(|b| b.is_ascii_digit())).then(|| SectorShare {
                code: code.to_string(),
                percentage,
            })
        },
        &mut notes,
    );
    let other_vocab = a
        .sectors
        .iter()
        .filter(|s| !matches!(s.vocabulary.as_deref(), None | Some("1")))
        .count();
    if other_vocab > 0 {
        notes.push(format!(
            "{other_vocab} sector(s) in vocabularies other than DAC 5-digit kept out"
        ));
    }
    let countries = shares(
        "recipient countries",
        a.recipient_countries
            .iter()
            .map(|c| (c.code.clone().unwrap_or_default(), c.percentage.clone()))
            .collect(),
        |code, percentage| {
            CountryCode::parse(code).ok().map(|country| CountryShare {
                country,
                percentage,
            })
        },
        &mut notes,
    );
    if !a.recipient_regions.is_empty() {
        notes.push(format!(
            "{} supranational recipient region(s) kept out",
            a.recipient_regions.len()
        ));
    }
    if !a.locations.is_empty() {
        notes.push(format!("{} location(s) kept out", a.locations.len()));
    }
    if !a.results.is_empty() {
        notes.push(format!("{} result(s) kept out", a.results.len()));
    }
    let parent_ref = a
        .related_activities
        .iter()
        .find(|r| r.r#type.as_deref() == Some("1"))
        .and_then(|r| r.r#ref.as_deref());
    let parent_key = parent_ref.map(|r| aidtrace_iati::scan::identifier_key(r.trim()));
    let parent = parent_ref.map(|r| record_id("iati-", r));
    // Whether the parent exists is settled after the whole file is read (it may come later).
    let parent = parent.filter(|p| *p != id);
    let title = a
        .title
        .as_deref()
        .and_then(|t| text(t, lang))
        .unwrap_or_else(|| a.identifier.clone());
    // The general description, else the first of another type; the exporter's placeholder for
    // "none published" reads back as none.
    let description = a
        .descriptions
        .iter()
        .find(|d| matches!(d.r#type.as_deref(), None | Some("1")))
        .or_else(|| a.descriptions.first())
        .and_then(|d| text(&d.narratives, lang))
        .filter(|d| d != NO_DESCRIPTION);
    let activity = Activity {
        id: id.clone(),
        title,
        instrument: instrument(a),
        status: status(a.activity_status.as_deref()),
        iati_identifier: Some(a.identifier.clone()),
        iati_last_updated: a.last_updated_datetime.clone(),
        description,
        purpose: None,
        parent,
        reporting_org: reporting.clone(),
        participants,
        legal_steps: vec![],
        start_date: date(&["2", "1"]),
        end_date: date(&["4", "3"]),
        sectors,
        countries,
        regions: vec![],
        facilities: vec![],
        target_population: None,
        ceiling: None,
        sources: cite.clone(),
    };
    let default_currency = a.default_currency.as_deref();
    let money = |value: &aidtrace_iati::model::Money,
                 fallback_date: Option<&str>,
                 what: &str|
     -> Result<(Money, bool), String> {
        let amount = value.amount.ok_or_else(|| {
            format!(
                "{what}: value {:?} is not a number, or has more digits than can be kept exactly",
                value.raw.as_deref().unwrap_or("")
            )
        })?;
        let code = value
            .currency_or(default_currency)
            .ok_or_else(|| format!("{what}: no currency and no default-currency"))?;
        let currency = CurrencyCode::parse(code).map_err(|e| format!("{what}: {e}"))?;
        let value_date = value
            .value_date()
            .or_else(|| fallback_date.and_then(parse_date));
        Ok((
            Money {
                amount: amount.abs(),
                currency,
                value_date,
            },
            amount.is_sign_negative() && !amount.is_zero(),
        ))
    };
    let mut records = vec![Record::Activity(activity)];
    for (i, t) in a.transactions.iter().enumerate() {
        let what = format!("transaction {}", i + 1);
        let Some(kind) = t
            .transaction_type
            .as_deref()
            .and_then(FlowKind::from_iati_code)
        else {
            reasons.push(format!(
                "{what}: transaction type {:?} unknown",
                t.transaction_type.as_deref().unwrap_or("")
            ));
            continue;
        };
        let Some(value) = &t.value else {
            reasons.push(format!("{what}: no value"));
            continue;
        };
        match money(value, t.transaction_date.as_deref(), &what) {
            Ok((money, reversal)) => records.push(Record::Flow(Flow {
                id: RecordId::parse(&format!("{id}-t{}", i + 1)).unwrap_or_else(|_| id.clone()),
                activity: id.clone(),
                kind,
                money,
                provider: orgs.flow_org(t.provider_org.as_ref()),
                receiver: orgs.flow_org(t.receiver_org.as_ref()),
                parent_flow: None,
                reversal,
                stated_equivalent: None,
                recorded_rate: None,
                description: t.description.as_deref().and_then(|d| text(d, lang)),
                sources: cite.clone(),
            })),
            Err(e) => reasons.push(e),
        }
    }
    let budget_lines = a
        .budgets
        .iter()
        .map(|b| {
            let kind = if b.r#type.as_deref() == Some("2") {
                BudgetKind::Revised
            } else {
                BudgetKind::Original
            };
            let status = match b.status.as_deref() {
                Some("2") => Some(BudgetStatus::Committed),
                Some("1") => Some(BudgetStatus::Indicative),
                _ => None,
            };
            (
                kind,
                status,
                &b.period_start,
                &b.period_end,
                &b.value,
                None,
                None,
            )
        })
        .chain(a.planned_disbursements.iter().map(|p| {
            (
                BudgetKind::PlannedDisbursement,
                None,
                &p.period_start,
                &p.period_end,
                &p.value,
                orgs.flow_org(p.provider_org.as_ref()),
                orgs.flow_org(p.receiver_org.as_ref()),
            )
        }))
        .collect::<Vec<_>>();
    for (i, (kind, status, start, end, value, provider, receiver)) in
        budget_lines.into_iter().enumerate()
    {
        let what = format!("budget {}", i + 1);
        let (Some(start), Some(end)) = (
            start.as_deref().and_then(parse_date),
            end.as_deref().and_then(parse_date),
        ) else {
            notes.push(format!("{what}: period missing or unreadable; kept out"));
            continue;
        };
        let Some(value) = value else {
            notes.push(format!("{what}: no value; kept out"));
            continue;
        };
        match money(value, None, &what) {
            Ok((money, false)) => records.push(Record::Budget(Budget {
                id: RecordId::parse(&format!("{id}-b{}", i + 1)).unwrap_or_else(|_| id.clone()),
                activity: id.clone(),
                kind,
                status,
                period_start: start,
                period_end: end,
                money,
                provider,
                receiver,
                sources: cite.clone(),
            })),
            Ok((_, true)) => notes.push(format!("{what}: negative budget kept out")),
            Err(e) => reasons.push(e),
        }
    }
    let lines = carried_over(a, &id, &mut records, orgs, &mut notes);
    records.extend(lines);
    for record in &records {
        if let Err(e) = validate(record) {
            reasons.push(format!("{} {}: {e}", record.kind().as_str(), record.id()));
        }
    }
    if reasons.is_empty() {
        Ok(Mapped {
            records,
            notes,
            parent_key,
        })
    } else {
        Err(reasons)
    }
}

/// Local names of the aidtrace extension elements an export writes into each activity.
const PAYLOAD_RECORD: &str = "record";
const PAYLOAD_SOURCES: &str = "sources";

/// What another aidtrace wrote into the activity in its own namespace: the activity's
/// citations, its equipment lines and the source records they cite, each as the record's
/// JSON. Lines are re-attached to this activity; what cannot be read is noted, not fatal.
fn carried_over(
    a: &IatiActivity,
    id: &RecordId,
    records: &mut [Record],
    orgs: &mut Orgs,
    notes: &mut Vec<String>,
) -> Vec<Record> {
    let payload = a
        .ext
        .elements
        .iter()
        .filter(|e| e.ns.as_deref() == Some(aidtrace_iati::model::AIDTRACE_NS));
    let mut lines = Vec::new();
    for e in payload {
        let text = e.text();
        match e.local() {
            PAYLOAD_SOURCES => match serde_json::from_str::<Vec<Citation>>(&text) {
                Ok(citations) => {
                    if let Some(Record::Activity(act)) = records
                        .iter_mut()
                        .find(|r| r.kind() == RecordKind::Activity)
                    {
                        for c in citations {
                            if !act.sources.contains(&c) {
                                act.sources.push(c);
                            }
                        }
                    }
                }
                Err(err) => notes.push(format!("aidtrace:sources unreadable ({err}); kept out")),
            },
            PAYLOAD_RECORD => match serde_json::from_str::<Record>(&text) {
                Ok(Record::EquipmentLine(mut line)) => {
                    line.activity = id.clone();
                    // Assets are registered where the equipment is, not carried between ledgers.
                    line.assets.clear();
                    lines.push(Record::EquipmentLine(line));
                }
                Ok(Record::Source(src)) => match validate(&Record::Source(src.clone())) {
                    Ok(()) => {
                        orgs.sources.entry(src.id.clone()).or_insert(src);
                    }
                    Err(err) => notes.push(format!(
                        "aidtrace:record source {}: {err}; kept out",
                        src.id
                    )),
                },
                Ok(other) => notes.push(format!(
                    "aidtrace:record of kind {} is not carried by IATI files; kept out",
                    other.kind().as_str()
                )),
                Err(err) => notes.push(format!("aidtrace:record unreadable ({err}); kept out")),
            },
            other => notes.push(format!("aidtrace:{other} is not known; kept out")),
        }
    }
    lines
}

/// For an activity another file already brought: only a strictly newer timestamp replaces
/// it; without timestamps on both sides the stored one stays.
fn strictly_newer(incoming: Option<&str>, stored: Option<&str>) -> bool {
    let parse = |s: &str| DateTime::parse_from_rfc3339(s.trim()).ok();
    match (incoming.and_then(parse), stored.and_then(parse)) {
        (Some(i), Some(s)) => i > s,
        (Some(_), None) => true,
        _ => false,
    }
}

fn newer_or_same(incoming: Option<&str>, stored: Option<&str>) -> bool {
    let parse = |s: &str| DateTime::parse_from_rfc3339(s.trim()).ok();
    match (incoming.and_then(parse), stored.and_then(parse)) {
        (Some(i), Some(s)) => i >= s,
        _ => true,
    }
}

/// An activity as the reading threads hand it to the writer: mapped into ledger records there,
/// with the organisations and sources it names.
struct ReadActivity {
    identifier: String,
    /// `record_id("iati-", identifier)` and `scan::identifier_key(identifier)`, worked out
    /// here rather than on the writer.
    id: RecordId,
    key: u64,
    last_updated: Option<String>,
    mapped: Result<Mapped, Vec<String>>,
    orgs: Orgs,
}

/// Which of the three layers a unit passed.
#[derive(Clone, Copy)]
struct Layers {
    schema_valid: bool,
    codelists_valid: bool,
    rules_valid: bool,
}

/// One unit of a file: the layers it passed, its whole report when the import gives a
/// validation report, and where it starts.
struct ReadUnit {
    layers: Layers,
    report: Option<ActivityReport>,
    position: (u64, u64),
    activity: Option<ReadActivity>,
}

/// Mapping runs on the thread that read the activity, so the writer only writes; the
/// findings are kept only when asked for.
fn read_unit(checked: Checked, file_source: &RecordId, keep_report: bool) -> ReadUnit {
    let activity = checked.activity.map(|a| {
        let mut orgs = Orgs::default();
        let id = record_id("iati-", &a.identifier);
        let mapped = if a.identifier.trim().is_empty() {
            Err(vec!["no iati-identifier".to_string()])
        } else {
            map_activity(&a, &id, file_source, &mut orgs)
        };
        ReadActivity {
            key: aidtrace_iati::scan::identifier_key(&a.identifier),
            id,
            identifier: a.identifier,
            last_updated: a.last_updated_datetime,
            mapped,
            orgs,
        }
    });
    let report = checked.report;
    ReadUnit {
        layers: Layers {
            schema_valid: report.schema_valid,
            codelists_valid: report.codelists_valid,
            rules_valid: report.rules_valid,
        },
        report: keep_report.then_some(report),
        position: checked.position,
        activity,
    }
}

/// What the reading side of an import hands to the writing side, file after file: each
/// activity with its three-layer report and the file bytes read when it was ready, then the
/// file's own findings (or why it could not be read).
enum Parsed {
    Unit(Box<ReadUnit>, u64),
    End(std::io::Result<aidtrace_iati::validate::FileChecked>),
}

/// How an import gets a file's bytes from the start (called again if the parallel reader hands
/// over to the sequential one).
type Opener<'a, R> = &'a (dyn Fn() -> std::io::Result<R> + Sync);

/// Activities read ahead of the writer at most: enough for the reader to run a few files
/// ahead while one is written, few enough to keep memory small whatever the file size.
const READ_AHEAD: usize = 512;

/// Reads and checks the files one after the other on all cores (see
/// `aidtrace_iati::validate::check_source`), sending what it finds to the writer. Stops when
/// the writer has gone.
fn read_files<R: std::io::Read>(
    sources: &[(String, Opener<'_, R>)],
    every_unit: bool,
    tx: &std::sync::mpsc::SyncSender<Parsed>,
) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    for (name, open) in sources {
        let file_source = record_id("src-iati-", name);
        let mut gone = false;
        let file = check_source_then(
            open,
            &Options::default(),
            threads,
            |checked| read_unit(checked, &file_source, every_unit),
            |unit, bytes| {
                if !gone && (every_unit || unit.activity.is_some()) {
                    gone = tx.send(Parsed::Unit(Box::new(unit), bytes)).is_err();
                }
            },
        );
        if gone || tx.send(Parsed::End(file)).is_err() {
            return;
        }
    }
}

impl Aidtrace {
    /// Imports one IATI activity file, atomically. `open` gives the file's bytes from the
    /// start (it is called again only if the parallel reader hands over to the sequential
    /// one); `progress` is told the bytes read and activities seen.
    pub fn import_iati<R: std::io::Read>(
        &mut self,
        actor: &str,
        file_name: &str,
        open: impl Fn() -> std::io::Result<R> + Sync,
        options: ImportOptions,
        progress: &mut dyn FnMut(u64, usize),
    ) -> ServiceResult<FileImport> {
        let mut reports = self.import_sources(
            actor,
            &[(file_name.to_string(), &open)],
            options,
            &mut |_, bytes, activities| progress(bytes, activities),
        )?;
        reports
            .pop()
            .ok_or_else(|| ServiceError::Io(format!("{file_name}: nothing was read")))
    }

    /// Imports files one after the other, each atomically, while the reader runs ahead on
    /// other threads (the next file is read and checked while this one is written). Stops at
    /// the first file that cannot be read or written; `progress` is told the file's index,
    /// its bytes read and its activities seen.
    pub fn import_iati_files(
        &mut self,
        actor: &str,
        files: &[std::path::PathBuf],
        options: ImportOptions,
        progress: &mut dyn FnMut(usize, u64, usize),
    ) -> ServiceResult<Vec<FileImport>> {
        let opens: Vec<_> = files
            .iter()
            .map(|f| move || std::fs::File::open(f))
            .collect();
        let named: Vec<(String, Opener<'_, std::fs::File>)> = files
            .iter()
            .zip(&opens)
            .map(|(f, open)| {
                let name = f.file_name().map_or_else(
                    || f.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                );
                (name, open as Opener<'_, std::fs::File>)
            })
            .collect();
        self.import_sources(actor, &named, options, progress)
    }

    fn import_sources<R: std::io::Read>(
        &mut self,
        actor: &str,
        sources: &[(String, Opener<'_, R>)],
        options: ImportOptions,
        progress: &mut dyn FnMut(usize, u64, usize),
    ) -> ServiceResult<Vec<FileImport>> {
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel(READ_AHEAD);
            let every_unit = options.validation_report;
            scope.spawn(move || read_files(sources, every_unit, &tx));
            let mut reports = Vec::with_capacity(sources.len());
            let mut unlinked = Vec::new();
            for (i, source) in sources.iter().enumerate() {
                let (_, open) = source;
                // A file that cannot be opened is reported by the reader; no counts then.
                let counts = open()
                    .and_then(aidtrace_iati::scan::identifier_counts)
                    .unwrap_or_default();
                // Returning drops `rx`, which stops the reader before the scope waits for it.
                let (report, missing) = self.import_parsed(
                    actor,
                    source,
                    &rx,
                    counts,
                    options,
                    &mut |bytes, activities| progress(i, bytes, activities),
                )?;
                // A later file's copy of a child replaces the earlier one, parent link and all.
                let replaced: HashSet<RecordId> = report
                    .activities
                    .iter()
                    .filter(|_| report.refused.is_none())
                    .filter(|a| matches!(a.outcome, Outcome::Accepted { .. }))
                    .map(|a| record_id("iati-", &a.identifier))
                    .collect();
                unlinked.retain(|(_, m): &(usize, MissingParent)| !replaced.contains(&m.child));
                unlinked.extend(missing.into_iter().map(|m| (i, m)));
                reports.push(report);
            }
            self.link_later_parents(actor, &unlinked, &mut reports)?;
            Ok(reports)
        })
    }

    /// A parent may come in a later file of the same run: once all files are in, such links
    /// are made (in one more transaction), so that one run gives the whole hierarchy and
    /// running it again changes nothing.
    fn link_later_parents(
        &mut self,
        actor: &str,
        unlinked: &[(usize, MissingParent)],
        reports: &mut [FileImport],
    ) -> ServiceResult<()> {
        if unlinked.is_empty() {
            return Ok(());
        }
        let mut writer = self.writer(actor)?;
        let mut linked = Vec::new();
        for (file, missing) in unlinked {
            if !writer.exists(RecordKind::Activity, &missing.parent)? {
                continue;
            }
            let Some(Record::Activity(mut child)) =
                writer.get(RecordKind::Activity, &missing.child)?
            else {
                continue;
            };
            if child.parent.is_some() {
                continue;
            }
            child.parent = Some(missing.parent.clone());
            let (note, made) = match writer.put_group(vec![Record::Activity(child)]) {
                Ok(()) => (
                    format!(
                        "parent activity {} came later in the run; linked at the end of the import",
                        missing.parent
                    ),
                    true,
                ),
                Err(ServiceError::Invalid { error, .. }) => (
                    format!(
                        "parent activity {} came later in the run; link kept out: {error}",
                        missing.parent
                    ),
                    false,
                ),
                Err(other) => return Err(other),
            };
            linked.push((*file, missing, note, made));
        }
        writer.commit()?;
        for (file, missing, note, made) in linked {
            let report = &mut reports[file];
            report.records_updated += usize::from(made);
            if let Some(ActivityImport {
                outcome: Outcome::Accepted { notes },
                ..
            }) = report.activities.get_mut(missing.entry)
            {
                notes.retain(|n| *n != missing.note);
                notes.push(note);
            }
        }
        Ok(())
    }

    /// Writes a parsed file into the ledger, atomically: activity by activity into one
    /// transaction while the reader goes on, committed when the file has been read and passes.
    /// `progress` is told the bytes read and activities seen.
    fn import_parsed<R: std::io::Read>(
        &mut self,
        actor: &str,
        (file_name, open): &(String, Opener<'_, R>),
        parsed: &std::sync::mpsc::Receiver<Parsed>,
        identifier_counts: HashMap<u64, u32>,
        options: ImportOptions,
        progress: &mut dyn FnMut(u64, usize),
    ) -> ServiceResult<(FileImport, Vec<MissingParent>)> {
        let source_id = record_id("src-iati-", file_name);
        let source = Record::Source(Source {
            id: source_id.clone(),
            title: format!("IATI file {file_name}"),
            kind: SourceKind::IatiFile,
            url: None,
            publisher: None,
            published: None,
            language: None,
        });
        let mut report = FileImport {
            file: file_name.to_string(),
            version: None,
            layers: LayerCounts::default(),
            accepted: 0,
            rejected: 0,
            kept_newer: 0,
            records_created: 0,
            records_updated: 0,
            records_unchanged: 0,
            duplicates_in_file: vec![],
            duplicates_across_files: vec![],
            refused: None,
            activities: vec![],
            validation: None,
        };
        let mut unit_reports = Vec::new();
        let links = crate::orgs::ImportLinks::for_import(self)?;
        let mut orgs = Orgs {
            links,
            ..Orgs::default()
        };
        // Copies of each identifier read so far (by `scan::identifier_key`, as the scan counts).
        let mut seen: HashMap<u64, u32> = HashMap::new();
        // What the ledger held before this file, for the activities the file names: a later
        // copy in the same file is judged against that, not against the earlier copy.
        let mut before_file: HashMap<RecordId, Option<StoredActivity>> = HashMap::new();
        let mut waiting = WaitingForParent::new(identifier_counts);
        // The last copy of an identifier the file repeats is the one written. Where the latest
        // accepted earlier copy starts is kept; if the last copy is not accepted, that copy is
        // read again and written (holding copies instead would let memory grow with the file).
        let mut earlier_copies: HashMap<RecordId, EarlierCopy> = HashMap::new();
        let mut to_read_again: Vec<EarlierCopy> = Vec::new();
        let mut writer = self.writer(actor)?;
        writer.defer_reference_checks()?;
        writer.put_group(vec![source])?;
        let file = loop {
            let (unit, bytes) = match parsed.recv() {
                Ok(Parsed::Unit(unit, bytes)) => (*unit, bytes),
                Ok(Parsed::End(Ok(file))) => break file,
                Ok(Parsed::End(Err(e))) => {
                    return Err(ServiceError::NotFound(format!("{file_name}: {e}")));
                }
                Err(_) => {
                    return Err(ServiceError::Io(format!(
                        "{file_name}: the reader stopped unexpectedly"
                    )));
                }
            };
            let check = unit.layers;
            if let Some(full) = unit.report {
                unit_reports.push(full);
            }
            let Some(activity) = unit.activity else {
                continue;
            };
            let line = unit.position.0;
            report.layers.activities += 1;
            report.layers.schema_valid += usize::from(check.schema_valid);
            report.layers.codelists_valid += usize::from(check.codelists_valid);
            report.layers.rules_valid += usize::from(check.rules_valid);
            progress(bytes, report.layers.activities);
            let key = activity.key;
            let count = seen.entry(key).or_default();
            *count += 1;
            let nth = *count;
            if nth == 2 {
                report.duplicates_in_file.push(activity.identifier.clone());
            }
            let id = activity.id;
            let copies_in_file = waiting.in_file.get(&key).copied();
            let last_copy = copies_in_file.is_none_or(|copies| nth >= copies);
            let stored = if copies_in_file == Some(1) {
                // Read once: nothing to remember (a file of a million activities stays small).
                stored_activity(&writer, &id)?
            } else {
                match before_file.get(&id) {
                    Some(stored) => stored.clone(),
                    None => {
                        let found = stored_activity(&writer, &id)?;
                        before_file.insert(id.clone(), found.clone());
                        found
                    }
                }
            };
            let entry = ActivityImport {
                identifier: activity.identifier.clone(),
                line,
                schema_valid: check.schema_valid,
                codelists_valid: check.codelists_valid,
                rules_valid: check.rules_valid,
                outcome: Outcome::Accepted { notes: vec![] },
            };
            if let Some(stored) = &stored {
                // The file an activity came from is its first citation (the import puts it
                // there); later ones are provenance another aidtrace carried along.
                let other_file = stored.origin.as_ref().filter(|s| **s != source_id);
                if let Some(other) = other_file {
                    report
                        .duplicates_across_files
                        .push((activity.identifier.clone(), other.to_string()));
                }
                let incoming = activity.last_updated.as_deref();
                let kept = stored.last_updated.as_deref();
                let wins = if other_file.is_some() {
                    strictly_newer(incoming, kept)
                } else {
                    newer_or_same(incoming, kept)
                };
                if !wins {
                    report.kept_newer += 1;
                    report.activities.push(ActivityImport {
                        outcome: Outcome::KeptNewer {
                            stored: kept.unwrap_or_default().to_string(),
                        },
                        ..entry
                    });
                    if last_copy && let Some(earlier) = earlier_copies.remove(&id) {
                        to_read_again.push(earlier);
                    }
                    continue;
                }
            }
            orgs.merge(activity.orgs);
            let mapped = activity.mapped;
            let entry_index = report.activities.len();
            match mapped {
                Ok(mapped) => {
                    report.accepted += 1;
                    report.activities.push(ActivityImport {
                        outcome: Outcome::Accepted {
                            notes: mapped.notes,
                        },
                        ..entry
                    });
                    let replaced = if last_copy {
                        Out::new(&mut writer, &mut waiting, &mut report, &orgs).write_or_wait(
                            Pending {
                                id: id.clone(),
                                records: mapped.records,
                                entry: entry_index,
                                parent_key: mapped.parent_key,
                            },
                            &source_id,
                            file_name,
                        )?;
                        // A copy the scan did not count comes after the counted last one: it
                        // replaces an earlier copy even if that was due to be read again.
                        earlier_copies.remove(&id).or_else(|| {
                            let at = to_read_again.iter().position(|c| c.id == id)?;
                            Some(to_read_again.remove(at))
                        })
                    } else {
                        let copy = EarlierCopy {
                            id: id.clone(),
                            at: unit.position,
                            entry: entry_index,
                        };
                        earlier_copies.insert(id.clone(), copy)
                    };
                    if let Some(earlier) = replaced {
                        add_note(
                            &mut report,
                            earlier.entry,
                            format!(
                                "not written: a later copy in this file (line {line}) replaces it"
                            ),
                        );
                    }
                }
                Err(reasons) => {
                    report.rejected += 1;
                    report.activities.push(ActivityImport {
                        outcome: Outcome::Rejected { reasons },
                        ..entry
                    });
                    if last_copy && let Some(earlier) = earlier_copies.remove(&id) {
                        to_read_again.push(earlier);
                    }
                }
            }
        };
        report.version = file.header.as_ref().and_then(|h| h.version.clone());
        if options.validation_report {
            report.validation = Some(file.report(file_name, unit_reports));
        }
        // Returning before the commit drops the writer, which rolls the transaction back.
        if let Some(e) = file.xml_error {
            report.refused = Some(format!("not well-formed XML: {e}"));
            return Ok((report, vec![]));
        }
        let layer_failures = report.layers.activities * 3
            - report.layers.schema_valid
            - report.layers.codelists_valid
            - report.layers.rules_valid;
        if options.strict && (report.rejected > 0 || layer_failures > 0) {
            report.refused = Some(format!(
                "strict: {} activities rejected, {} validation layer failures; nothing imported",
                report.rejected, layer_failures
            ));
            return Ok((report, vec![]));
        }
        // Copies whose last copy never came (the scan counted one the parser did not read,
        // inside a comment say) are written too.
        to_read_again.extend(earlier_copies.into_values());
        // In file order, as the copies would have been written.
        to_read_again.sort_by_key(|c| c.entry);
        if !to_read_again.is_empty() {
            let again = read_again(open, &to_read_again, &source_id)?;
            for (copy, found) in to_read_again.into_iter().zip(again) {
                match found {
                    // Its organisations were taken in when it was first read.
                    Some(mapped) => {
                        Out::new(&mut writer, &mut waiting, &mut report, &orgs).write_or_wait(
                            Pending {
                                id: copy.id,
                                records: mapped.records,
                                entry: copy.entry,
                                parent_key: mapped.parent_key,
                            },
                            &source_id,
                            file_name,
                        )?;
                    }
                    None => add_note(
                        &mut report,
                        copy.entry,
                        "not written: the file changed before this copy could be read again"
                            .to_string(),
                    ),
                }
            }
        }
        // The file has said all it will: a parent that is neither in it nor in the ledger is
        // dropped, with a note on the activity.
        let waiting_ids: HashSet<RecordId> = waiting.slot_of.into_keys().collect();
        let mut missing_parents = waiting.missing;
        let waiting: Vec<Pending> = waiting.slots.into_iter().flatten().collect();
        let mut group: Vec<Record> = Vec::new();
        let mut in_group: HashSet<(RecordKind, RecordId)> = HashSet::new();
        for Pending {
            mut records, entry, ..
        } in waiting
        {
            let mut notes = Vec::new();
            for record in &mut records {
                if let Record::Activity(a) = record
                    && let Some(parent) = &a.parent
                    && !waiting_ids.contains(parent)
                    && !writer.exists(RecordKind::Activity, parent)?
                {
                    drop_parent_link(a, entry, &mut missing_parents, &mut notes);
                }
            }
            let settled =
                settle_links(&writer, records, &orgs, &source_id, &mut |n| notes.push(n))?;
            // Organisations and sources several waiting activities name are written once; a
            // line id another waiting activity has already is kept out, as it would be if that
            // activity had been written first.
            for record in settled {
                if in_group.insert((record.kind(), record.id().clone())) {
                    group.push(record);
                } else if record.kind() == RecordKind::EquipmentLine {
                    notes.push(format!(
                        "equipment line {}: another activity of this file has a line with that id; kept out",
                        record.id()
                    ));
                }
            }
            for note in notes {
                add_note(&mut report, entry, note);
            }
        }
        if !group.is_empty() {
            writer.put_group(group).map_err(|e| in_file(file_name, e))?;
        }
        let applied = writer.commit()?;
        orgs.links.finish(self, &orgs.records);
        report.records_created = applied.created;
        report.records_updated = applied.updated;
        report.records_unchanged = applied.unchanged;
        Ok((report, missing_parents))
    }
}

/// A parent link an import kept out because the parent was in neither the file nor the
/// ledger, with the activity's report entry and the note it was given.
struct MissingParent {
    child: RecordId,
    parent: RecordId,
    entry: usize,
    note: String,
}

/// What an import needs to know of an activity the ledger held before the file.
#[derive(Clone)]
struct StoredActivity {
    /// The source it was imported from (its first citation).
    origin: Option<RecordId>,
    last_updated: Option<String>,
}

fn stored_activity(
    writer: &RecordWriter<'_>,
    id: &RecordId,
) -> ServiceResult<Option<StoredActivity>> {
    Ok(match writer.get(RecordKind::Activity, id)? {
        Some(Record::Activity(a)) => Some(StoredActivity {
            origin: a.sources.into_iter().next().map(|c| c.source),
            last_updated: a.iati_last_updated,
        }),
        _ => None,
    })
}

/// An accepted copy of a repeated identifier that a later copy may replace: where it starts in
/// the file, and its report entry.
struct EarlierCopy {
    id: RecordId,
    at: (u64, u64),
    entry: usize,
}

/// Reads the file again for the copies that turned out to be needed, mapped as on the first
/// read; `None` for a copy no longer found where it was (the file changed meanwhile).
fn read_again<R: std::io::Read>(
    open: Opener<'_, R>,
    copies: &[EarlierCopy],
    file_source: &RecordId,
) -> ServiceResult<Vec<Option<Mapped>>> {
    let wanted: HashMap<(u64, u64), usize> = copies
        .iter()
        .enumerate()
        .map(|(i, copy)| (copy.at, i))
        .collect();
    let mut found: Vec<Option<Mapped>> = copies.iter().map(|_| None).collect();
    let input = open().map_err(|e| ServiceError::Io(format!("reading the file again: {e}")))?;
    let mut reader = aidtrace_iati::reader::ActivityReader::new(std::io::BufReader::new(input));
    let mut left = copies.len();
    while left > 0
        && let Ok(Some((activity, line, column))) = reader.next_activity()
    {
        let Some(&i) = wanted.get(&(line, column)) else {
            continue;
        };
        left -= 1;
        let copy = &copies[i];
        if record_id("iati-", &activity.identifier) != copy.id {
            continue;
        }
        if let Ok(mapped) = map_activity(&activity, &copy.id, file_source, &mut Orgs::default()) {
            found[i] = Some(mapped);
        }
    }
    Ok(found)
}

/// An accepted activity's records not written yet, and its report entry.
struct Pending {
    id: RecordId,
    records: Vec<Record>,
    entry: usize,
    /// `scan::identifier_key` of its parent's identifier, if it names one.
    parent_key: Option<u64>,
}

/// Accepted activities whose parent the file has not brought yet but holds further on, written
/// at its end; a later copy of one replaces it. A parent the file does not hold at all (nor the
/// ledger) is dropped at once, with a note and a record of it in `missing`.
struct WaitingForParent {
    slots: Vec<Option<Pending>>,
    slot_of: HashMap<RecordId, usize>,
    /// How often each identifier occurs in the file (`scan::identifier_counts`).
    in_file: HashMap<u64, u32>,
    missing: Vec<MissingParent>,
}

impl WaitingForParent {
    fn new(in_file: HashMap<u64, u32>) -> Self {
        Self {
            slots: Vec::new(),
            slot_of: HashMap::new(),
            in_file,
            missing: Vec::new(),
        }
    }
}

/// Takes out a parent link the ledger cannot hold, noting it on the activity and keeping it
/// for a later file of the run to fill in.
fn drop_parent_link(
    activity: &mut aidtrace_domain::model::Activity,
    entry: usize,
    missing: &mut Vec<MissingParent>,
    notes: &mut Vec<String>,
) {
    if let Some(parent) = activity.parent.take() {
        let note = format!("parent activity {parent} is not in the ledger; link kept out");
        missing.push(MissingParent {
            child: activity.id.clone(),
            parent,
            entry,
            note: note.clone(),
        });
        notes.push(note);
    }
}

fn add_note(report: &mut FileImport, entry: usize, note: String) {
    if let Some(ActivityImport {
        outcome: Outcome::Accepted { notes },
        ..
    }) = report.activities.get_mut(entry)
    {
        notes.push(note);
    }
}

/// Where an accepted copy goes: into the transaction now, or to wait for its parent.
struct Out<'a, 'w> {
    writer: &'a mut RecordWriter<'w>,
    waiting: &'a mut WaitingForParent,
    report: &'a mut FileImport,
    orgs: &'a Orgs,
}

impl<'a, 'w> Out<'a, 'w> {
    fn new(
        writer: &'a mut RecordWriter<'w>,
        waiting: &'a mut WaitingForParent,
        report: &'a mut FileImport,
        orgs: &'a Orgs,
    ) -> Self {
        Self {
            writer,
            waiting,
            report,
            orgs,
        }
    }

    fn write_or_wait(
        &mut self,
        copy: Pending,
        file_source: &RecordId,
        file_name: &str,
    ) -> ServiceResult<()> {
        // A later copy replaces an earlier one still waiting for its parent.
        if let Some(slot) = self.waiting.slot_of.remove(&copy.id) {
            self.waiting.slots[slot] = None;
        }
        let parent = copy.records.iter().find_map(|r| match r {
            Record::Activity(a) => a.parent.clone(),
            _ => None,
        });
        let mut records = copy.records;
        let mut notes = Vec::new();
        if let Some(p) = &parent
            && !self.writer.exists(RecordKind::Activity, p)?
        {
            // Only a parent the file holds further on is worth waiting for; the scan names
            // every identifier of the file (one it cannot see is linked when the run ends).
            let in_file = copy
                .parent_key
                .is_some_and(|key| self.waiting.in_file.contains_key(&key));
            if in_file {
                self.waiting
                    .slot_of
                    .insert(copy.id.clone(), self.waiting.slots.len());
                self.waiting.slots.push(Some(Pending { records, ..copy }));
                return Ok(());
            }
            for record in &mut records {
                if let Record::Activity(a) = record {
                    drop_parent_link(a, copy.entry, &mut self.waiting.missing, &mut notes);
                }
            }
        }
        let group = settle_links(self.writer, records, self.orgs, file_source, &mut |n| {
            notes.push(n)
        })?;
        self.writer
            .put_group(group)
            .map_err(|e| in_file(file_name, e))?;
        for note in notes {
            add_note(self.report, copy.entry, note);
        }
        Ok(())
    }
}

fn in_file(file_name: &str, e: ServiceError) -> ServiceError {
    match e {
        ServiceError::Invalid { record, error } => ServiceError::Invalid {
            record: format!("{file_name}: {record}"),
            error,
        },
        other => other,
    }
}

/// Fits an activity's records to the ledger as it stands: links to records it does not hold
/// (an equipment line's facility, a cited source) are dropped with a note; what this ledger
/// recorded about a line stays (its assets, its facility when the file's is unknown here), and
/// a line whose id belongs to another activity here is kept out. The organisations and
/// sources the records name that the ledger lacks are added, so that their first mention
/// creates them.
fn settle_links(
    writer: &RecordWriter<'_>,
    records: Vec<Record>,
    orgs: &Orgs,
    file_source: &RecordId,
    note: &mut dyn FnMut(String),
) -> ServiceResult<Vec<Record>> {
    let known_source = |id: &RecordId| -> ServiceResult<bool> {
        Ok(id == file_source
            || orgs.sources.contains_key(id)
            || writer.exists(RecordKind::Source, id)?)
    };
    let mut out = Vec::with_capacity(records.len());
    for mut record in records {
        match &mut record {
            Record::Activity(a) => keep_known_citations(&mut a.sources, &known_source, note)?,
            Record::EquipmentLine(line) => {
                if let Some(Record::EquipmentLine(stored)) =
                    writer.get(RecordKind::EquipmentLine, &line.id)?
                {
                    if stored.activity != line.activity {
                        note(format!(
                            "equipment line {}: this ledger has a line with that id under activity {}; kept out",
                            line.id, stored.activity
                        ));
                        continue;
                    }
                    line.assets = stored.assets;
                    let known = match &line.facility {
                        Some(f) => writer.exists(RecordKind::Facility, f)?,
                        None => false,
                    };
                    if !known {
                        line.facility = stored.facility;
                    }
                }
                if let Some(facility) = line.facility.clone()
                    && !writer.exists(RecordKind::Facility, &facility)?
                {
                    line.facility = None;
                    note(format!(
                        "equipment line {}: facility {facility} is not in the ledger; link kept out",
                        line.id
                    ));
                }
                keep_known_citations(&mut line.sources, &known_source, note)?;
            }
            _ => {}
        }
        out.push(record);
    }
    orgs.links.link(writer, &mut out, &orgs.records)?;
    let mut parties: Vec<Record> = Vec::new();
    let mut added: HashSet<(RecordKind, RecordId)> = HashSet::new();
    for record in &out {
        for (_, kind, target) in record.references() {
            let party = match kind {
                RecordKind::Organisation => orgs
                    .records
                    .get(target)
                    .cloned()
                    .map(|o| Record::Organisation(orgs.links.with_aliases(o))),
                RecordKind::Source if target != file_source => {
                    orgs.sources.get(target).cloned().map(Record::Source)
                }
                _ => None,
            };
            if let Some(party) = party
                && !added.contains(&(kind, target.clone()))
                && !writer.exists(kind, target)?
            {
                added.insert((kind, target.clone()));
                parties.push(party);
            }
        }
    }
    out.extend(parties);
    Ok(out)
}

/// Keeps the citations whose source is in this import or already in the ledger.
fn keep_known_citations(
    citations: &mut Vec<Citation>,
    known: &dyn Fn(&RecordId) -> ServiceResult<bool>,
    note: &mut dyn FnMut(String),
) -> ServiceResult<()> {
    let mut kept = Vec::with_capacity(citations.len());
    for c in citations.drain(..) {
        if known(&c.source)? {
            kept.push(c);
        } else {
            note(format!(
                "citation of source {} kept out: no such source",
                c.source
            ));
        }
    }
    *citations = kept;
    Ok(())
}

/// Written where an activity has no description, which the 2.03 schema requires.
pub const NO_DESCRIPTION: &str = "No description was published for this activity.";

/// What an export wrote and what it could not.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExportReport {
    pub activities: usize,
    pub flows: usize,
    pub budgets: usize,
    /// Records IATI cannot carry (e.g. a flow without any date: IATI requires one), with why.
    pub left_out: Vec<String>,
}

fn narratives_of(text: &str) -> Vec<Narrative> {
    vec![Narrative {
        lang: None,
        text: text.to_string(),
    }]
}

fn org_type_code(kind: OrgKind) -> Option<String> {
    Some(
        match kind {
            OrgKind::Government | OrgKind::Ministry | OrgKind::Embassy => "10",
            OrgKind::GovernmentAgency => "15",
            OrgKind::Ngo => "21",
            OrgKind::Multilateral => "40",
            OrgKind::University => "80",
            OrgKind::Supplier | OrgKind::Manufacturer => "70",
            // "Other": the schema requires a type on reporting-org, and a facility's operator
            // or an unclassified organisation has no closer code.
            OrgKind::FacilityOperator | OrgKind::Other => "90",
        }
        .to_string(),
    )
}

fn iati_ref(org: &Organisation) -> Option<String> {
    org.identifiers.iter().find_map(|i| match i {
        OrgIdentifier::Iati(id) => Some(id.to_string()),
        OrgIdentifier::IatiAsPublished(id) => Some(id.clone()),
        _ => None,
    })
}

fn iati_money(money: &Money, negative: bool) -> aidtrace_iati::model::Money {
    aidtrace_iati::model::Money {
        amount: Some(if negative {
            -money.amount
        } else {
            money.amount
        }),
        raw: None,
        currency: Some(money.currency.to_string()),
        value_date: money.value_date.map(|d| d.to_string()),
        ext: Default::default(),
    }
}

impl Aidtrace {
    /// Writes activities (all, or those named) as IATI 2.03, children in schema order.
    pub fn export_iati<W: std::io::Write>(
        &self,
        only: &[RecordId],
        out: &mut W,
    ) -> ServiceResult<ExportReport> {
        use aidtrace_iati::model as m;
        let ledger = self.ledger()?;
        for id in only {
            if !ledger.activities.contains_key(id) {
                return Err(ServiceError::NotFound(format!(
                    "activity {id} does not exist"
                )));
            }
        }
        let mut report = ExportReport::default();
        let org = |id: &RecordId| ledger.organisations.get(id);
        let flow_org = |id: &Option<RecordId>| {
            id.as_ref().and_then(org).map(|o| m::FlowOrg {
                r#ref: iati_ref(o),
                r#type: org_type_code(o.kind),
                activity_id: None,
                narratives: narratives_of(&o.name),
            })
        };
        let mut activities = Vec::new();
        for a in ledger
            .activities
            .values()
            .filter(|a| only.is_empty() || only.contains(&a.id))
        {
            let identifier = a
                .iati_identifier
                .clone()
                .unwrap_or_else(|| format!("aidtrace-{}", a.id));
            let mut x = m::IatiActivity {
                identifier,
                last_updated_datetime: a.iati_last_updated.clone(),
                ..Default::default()
            };
            x.reporting_org = Some(match a.reporting_org.as_ref().and_then(org) {
                Some(o) => m::ReportingOrg {
                    r#ref: iati_ref(o),
                    r#type: org_type_code(o.kind),
                    secondary_reporter: None,
                    narratives: narratives_of(&o.name),
                    ext: Default::default(),
                },
                None => m::ReportingOrg {
                    r#ref: Some("XX-AIDTRACE".to_string()),
                    r#type: Some("90".to_string()),
                    secondary_reporter: None,
                    narratives: narratives_of("aidtrace ledger"),
                    ext: Default::default(),
                },
            });
            x.title = Some(narratives_of(&a.title));
            // The 2.03 schema requires a description; say plainly when none was published.
            x.descriptions.push(m::Description {
                r#type: Some("1".to_string()),
                narratives: narratives_of(a.description.as_deref().unwrap_or(NO_DESCRIPTION)),
            });
            for p in &a.participants {
                let Some(o) = org(&p.org) else { continue };
                let role = match p.role {
                    ParticipantRole::Funding => "1",
                    ParticipantRole::Accountable => "2",
                    ParticipantRole::Extending => "3",
                    ParticipantRole::Implementing => "4",
                    ParticipantRole::Beneficiary => {
                        report.left_out.push(format!(
                            "activity {}: beneficiary {} (no IATI role)",
                            a.id, o.id
                        ));
                        continue;
                    }
                };
                x.participating_orgs.push(m::ParticipatingOrg {
                    r#ref: iati_ref(o),
                    r#type: org_type_code(o.kind),
                    role: Some(role.to_string()),
                    narratives: narratives_of(&o.name),
                    ..Default::default()
                });
            }
            x.activity_status = Some(
                match a.status {
                    ActivityStatus::Pipeline => "1",
                    ActivityStatus::Implementation => "2",
                    ActivityStatus::Finalisation => "3",
                    ActivityStatus::Closed => "4",
                    ActivityStatus::Cancelled => "5",
                    ActivityStatus::Suspended => "6",
                }
                .to_string(),
            );
            for (code, date) in [("1", a.start_date), ("3", a.end_date)] {
                if let Some(d) = date {
                    x.activity_dates.push(m::ActivityDate {
                        r#type: Some(code.to_string()),
                        iso_date: Some(d.to_string()),
                        narratives: vec![],
                    });
                }
            }
            if x.activity_dates.is_empty() {
                report.left_out.push(format!(
                    "activity {}: no dates known (IATI expects a start date)",
                    a.id
                ));
            }
            for c in &a.countries {
                x.recipient_countries.push(m::Classification {
                    code: Some(c.country.to_string()),
                    percentage: Some(c.percentage.normalize().to_string()),
                    ..Default::default()
                });
            }
            for s in &a.sectors {
                x.sectors.push(m::Classification {
                    code: Some(s.code.clone()),
                    vocabulary: Some("1".to_string()),
                    percentage: Some(s.percentage.normalize().to_string()),
                    ..Default::default()
                });
            }
            if !a.regions.is_empty() {
                report.left_out.push(format!(
                    "activity {}: subnational regions (IATI carries them as locations)",
                    a.id
                ));
            }
            match a.instrument {
                Instrument::GrantAid => x.default_finance_type = Some("110".to_string()),
                Instrument::Loan => x.default_finance_type = Some("410".to_string()),
                Instrument::BudgetSupport => x.default_aid_types.push(m::AidType {
                    code: Some("A01".into()),
                    vocabulary: None,
                }),
                Instrument::TechnicalCooperation => x.default_aid_types.push(m::AidType {
                    code: Some("D02".into()),
                    vocabulary: None,
                }),
                Instrument::TrainingExchange => x.default_aid_types.push(m::AidType {
                    code: Some("E01".into()),
                    vocabulary: None,
                }),
                Instrument::GrassrootsGrant | Instrument::InKind | Instrument::Other => {}
            }
            let mut budgets: Vec<&Budget> = ledger
                .budgets
                .values()
                .filter(|b| b.activity == a.id)
                .collect();
            budgets.sort_by_key(|b| (suffix_index(&b.id, "-b"), b.id.clone()));
            for b in budgets {
                let period = (
                    Some(b.period_start.to_string()),
                    Some(b.period_end.to_string()),
                );
                if b.kind == BudgetKind::PlannedDisbursement {
                    x.planned_disbursements.push(m::PlannedDisbursement {
                        r#type: None,
                        period_start: period.0,
                        period_end: period.1,
                        value: Some(iati_money(&b.money, false)),
                        provider_org: flow_org(&b.provider),
                        receiver_org: flow_org(&b.receiver),
                        ext: Default::default(),
                    });
                } else {
                    x.budgets.push(m::Budget {
                        r#type: Some(
                            if b.kind == BudgetKind::Revised {
                                "2"
                            } else {
                                "1"
                            }
                            .to_string(),
                        ),
                        status: b.status.map(|s| {
                            if s == BudgetStatus::Committed {
                                "2"
                            } else {
                                "1"
                            }
                            .to_string()
                        }),
                        period_start: period.0,
                        period_end: period.1,
                        value: Some(iati_money(&b.money, false)),
                        ext: Default::default(),
                    });
                }
                report.budgets += 1;
            }
            let mut flows: Vec<&Flow> = ledger
                .flows
                .values()
                .filter(|f| f.activity == a.id)
                .collect();
            // Imported transactions keep their order (their ids end in -t1, -t2, …).
            flows.sort_by_key(|f| (suffix_index(&f.id, "-t"), f.id.clone()));
            for f in flows {
                let Some(date) = f.money.value_date else {
                    report
                        .left_out
                        .push(format!("flow {}: no date, and IATI requires one", f.id));
                    continue;
                };
                x.transactions.push(m::Transaction {
                    transaction_type: Some(f.kind.iati_code().to_string()),
                    transaction_date: Some(date.to_string()),
                    value: Some(iati_money(&f.money, f.reversal)),
                    description: f.description.as_deref().map(narratives_of),
                    provider_org: flow_org(&f.provider),
                    receiver_org: flow_org(&f.receiver),
                    ..Default::default()
                });
                report.flows += 1;
            }
            if let Some(parent) = a.parent.as_ref().and_then(|p| ledger.activities.get(p)) {
                x.related_activities.push(m::RelatedActivity {
                    r#ref: Some(
                        parent
                            .iati_identifier
                            .clone()
                            .unwrap_or_else(|| format!("aidtrace-{}", parent.id)),
                    ),
                    r#type: Some("1".to_string()),
                });
            }
            x.ext.elements.extend(payload(&ledger, a)?);
            activities.push(x);
            report.activities += 1;
        }
        aidtrace_iati::writer::write_activities(out, None, activities.iter())
            .map_err(|e| ServiceError::Io(format!("writing IATI: {e}")))?;
        Ok(report)
    }
}

/// aidtrace's own data on an activity, for another aidtrace to read back (IATI readers skip
/// it: the schema allows any other namespace at the end of an activity): the activity's
/// citations, its equipment lines, and every source record they cite, each as its JSON.
fn payload(
    ledger: &aidtrace_domain::ledger::Ledger,
    a: &Activity,
) -> ServiceResult<Vec<aidtrace_iati::xml::Element>> {
    use aidtrace_iati::model::{AIDTRACE_NS, AIDTRACE_PREFIX};
    use aidtrace_iati::xml::{Element, Node};
    let element = |local: &str, json: String| Element {
        name: format!("{AIDTRACE_PREFIX}:{local}").into(),
        ns: Some(AIDTRACE_NS.to_string()),
        children: vec![Node::Text(json.into())],
        ..Element::default()
    };
    fn json<T: Serialize>(value: &T, activity: &RecordId) -> ServiceResult<String> {
        serde_json::to_string(value)
            .map_err(|e| ServiceError::Io(format!("writing aidtrace data of {activity}: {e}")))
    }
    let lines: Vec<&aidtrace_domain::model::EquipmentLine> = ledger.equipment_of(&a.id).collect();
    let mut cited: Vec<&RecordId> = a.sources.iter().map(|c| &c.source).collect();
    cited.extend(
        lines
            .iter()
            .flat_map(|l| l.sources.iter().map(|c| &c.source)),
    );
    cited.sort();
    cited.dedup();
    let mut out = Vec::new();
    if !a.sources.is_empty() {
        out.push(element(PAYLOAD_SOURCES, json(&a.sources, &a.id)?));
    }
    for id in cited {
        if let Some(src) = ledger.sources.get(id) {
            out.push(element(
                PAYLOAD_RECORD,
                json(&Record::Source(src.clone()), &a.id)?,
            ));
        }
    }
    for line in lines {
        out.push(element(
            PAYLOAD_RECORD,
            json(&Record::EquipmentLine(line.clone()), &a.id)?,
        ));
    }
    Ok(out)
}

/// The position an imported record had in its activity (`…-t3` is the third transaction).
fn suffix_index(id: &RecordId, marker: &str) -> u64 {
    id.as_str()
        .rsplit_once(marker)
        .and_then(|(_, n)| n.parse().ok())
        .unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_quick_record_id_is_the_cleaned_one(
            raw in "[ -~]{0,160}|[a-zA-Z0-9._:-]{0,160}|\\PC{0,20}",
            prefix in "iati-|org-iati-|src-iati-",
        ) {
            prop_assert_eq!(record_id(&prefix, &raw), cleaned_record_id(&prefix, &raw));
        }
    }
}
