//! The pure part of an import: one IATI activity into ledger records (activity, flows, budgets,
//! organisations, carried-over aidtrace data), with notes for what is kept out and reasons for
//! what the ledger refuses. No store, no IO.

use std::collections::{BTreeMap, HashMap};

use aidtrace_domain::model::{
    Activity, ActivityStatus, Budget, BudgetKind, BudgetStatus, Citation, CountryShare, Flow,
    FlowKind, Instrument, OrgIdentifier, OrgKind, Organisation, Participant, ParticipantRole,
    Record, SectorShare, Source,
};
use aidtrace_domain::validate::validate;
use aidtrace_domain::{CountryCode, CurrencyCode, IatiOrgId, Money, RecordId, RecordKind};
use aidtrace_iati::model::{FlowOrg, IatiActivity, Narrative, parse_date};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use super::NO_DESCRIPTION;

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

pub(super) fn text(narratives: &[Narrative], lang: Option<&str>) -> Option<String> {
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
pub(super) struct Orgs {
    pub(super) records: BTreeMap<RecordId, Organisation>,
    /// Record ids of the organisation references seen so far: most activities name the same
    /// few organisations many times (every transaction names two).
    pub(super) by_ref: HashMap<String, RecordId>,
    /// Source records another aidtrace exported with its activities (provenance).
    pub(super) sources: BTreeMap<RecordId, Source>,
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
    pub(super) fn merge(&mut self, later: Orgs) {
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

pub(super) struct Mapped {
    pub(super) records: Vec<Record>,
    pub(super) notes: Vec<String>,
    /// `scan::identifier_key` of the parent's identifier, if the activity names one.
    pub(super) parent_key: Option<u64>,
}

/// Maps an activity whose record id is `id` (`record_id("iati-", identifier)`).
pub(super) fn map_activity(
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
pub(super) const PAYLOAD_RECORD: &str = "record";
pub(super) const PAYLOAD_SOURCES: &str = "sources";

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
