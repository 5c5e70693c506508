//! The pure part of an import: one IATI activity into ledger records (activity, flows, budgets,
//! organisations, carried-over aidtrace data), with notes for what is kept out and reasons for
//! what the ledger refuses. No store, no IO.

use std::collections::{BTreeMap, HashMap};

use aidtrace_domain::model::{
    Activity, ActivityStatus, Budget, BudgetKind, BudgetStatus, Citation, CountryShare, Flow,
    FlowKind, Instrument, LeftOut, OrgIdentifier, OrgKind, Organisation, Participant,
    ParticipantRole, Record, SectorShare, Source,
};
use aidtrace_domain::validate::validate;
use aidtrace_domain::{CountryCode, CurrencyCode, IatiOrgId, Money, RecordId};
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
    /// Links the organisations named to those the ledger holds (`orgs.rs`).
    pub(super) links: crate::orgs::ImportLinks,
    /// Organisations known so far only by a mention without a name, so named by their
    /// reference: a later mention's name replaces it. A file often names a publisher first as a
    /// bare `participating-org/@ref` and only later, in `reporting-org`, with its name.
    pub(super) named_by_ref: std::collections::BTreeSet<RecordId>,
    /// Organisations a later activity named after an earlier one had written them under their
    /// reference: the writer gives the stored record its name (`links::settle_links`).
    pub(super) renamed: std::collections::BTreeSet<RecordId>,
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
                && (known.name.is_empty() || self.named_by_ref.contains(id))
                && let Some(n) = text(narratives, None)
            {
                known.name = n;
                self.named_by_ref.remove(id);
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
        match name {
            Some(n) if entry.name.is_empty() || self.named_by_ref.contains(&id) => {
                entry.name = n;
                self.named_by_ref.remove(&id);
            }
            None if entry.name.is_empty() || Some(entry.name.as_str()) == r#ref => {
                self.named_by_ref.insert(id.clone());
            }
            _ => {}
        }
        if let Some(r) = r#ref {
            self.by_ref.insert(r.to_string(), id.clone());
        }
        Some(id)
    }

    /// Takes in the organisations and sources a later activity named: the first mention of
    /// each stays, as if one map had seen them all in file order.
    pub(super) fn merge(&mut self, later: Orgs) {
        let later_unnamed = later.named_by_ref;
        for (id, org) in later.records {
            let named_here = !org.name.is_empty() && !later_unnamed.contains(&id);
            match self.records.entry(id) {
                std::collections::btree_map::Entry::Vacant(v) => {
                    if !named_here {
                        self.named_by_ref.insert(v.key().clone());
                    }
                    v.insert(org);
                }
                std::collections::btree_map::Entry::Occupied(mut o) => {
                    let stand_in = o.get().name.is_empty() || self.named_by_ref.contains(o.key());
                    if stand_in && named_here {
                        self.named_by_ref.remove(o.key());
                        self.renamed.insert(o.key().clone());
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

impl Mapped {
    /// What the mapping left out of the activity (on the activity record, which comes first).
    pub(super) fn left_out(&self) -> &[LeftOut] {
        match self.records.first() {
            Some(Record::Activity(a)) => &a.left_out,
            _ => &[],
        }
    }
}

/// Where an activity is read and how strictly its elements are taken.
pub(super) struct MapContext<'a> {
    /// The file's source record (`record_id("src-iati-", file)`), which every record cites.
    pub(super) source: &'a RecordId,
    /// The file's name, for the findings of elements left out.
    pub(super) file: &'a str,
    /// The activity's own line.
    pub(super) line: u64,
    /// `--strict`: an element the ledger refuses rejects the whole activity, as before partial
    /// imports; otherwise it is left out with a finding and the rest is imported.
    pub(super) strict: bool,
}

/// Maps an activity whose record id is `id` (`record_id("iati-", identifier)`).
pub(super) fn map_activity(
    a: &IatiActivity,
    id: &RecordId,
    ctx: &MapContext<'_>,
    orgs: &mut Orgs,
) -> Result<Mapped, Vec<String>> {
    let source = ctx.source;
    let mut notes = Vec::new();
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
        left_out: vec![],
    };
    let default_currency = a.default_currency.as_deref();
    let money = |value: &aidtrace_iati::model::Money,
                 fallback_date: Option<&str>|
     -> Result<(Money, bool), String> {
        let amount = value.amount.ok_or_else(|| {
            format!(
                "value {:?} is not a number, or has more digits than can be kept exactly",
                value.raw.as_deref().unwrap_or("")
            )
        })?;
        let code = value
            .currency_or(default_currency)
            .ok_or_else(|| "no currency and no default-currency".to_string())?;
        let currency = CurrencyCode::parse(code).map_err(|e| e.to_string())?;
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
    // Each transaction and budget stands on its own: one the ledger would refuse is left out
    // with a finding (or, under `strict`, rejects the activity as before).
    let mut flaws = Flaws {
        file: ctx.file,
        strict: ctx.strict,
        reasons: Vec::new(),
        left_out: Vec::new(),
    };
    let mut records = Vec::new();
    for (i, t) in a.transactions.iter().enumerate() {
        let what = format!("transaction {}", i + 1);
        let line = t.ext.line.0;
        let Some(kind) = t
            .transaction_type
            .as_deref()
            .and_then(FlowKind::from_iati_code)
        else {
            let reason = format!(
                "transaction type {:?} unknown",
                t.transaction_type.as_deref().unwrap_or("")
            );
            flaws.refuse(&what, line, reason);
            continue;
        };
        let Some(value) = &t.value else {
            flaws.refuse(&what, line, "no value".to_string());
            continue;
        };
        match money(value, t.transaction_date.as_deref()) {
            Ok((money, reversal)) => flaws.keep_valid(
                &mut records,
                &what,
                line,
                Record::Flow(Flow {
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
                }),
            ),
            Err(e) => flaws.refuse(&what, line, e),
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
                &b.ext,
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
                &p.ext,
            )
        }))
        .collect::<Vec<_>>();
    for (i, (kind, status, start, end, value, provider, receiver, ext)) in
        budget_lines.into_iter().enumerate()
    {
        let line = ext.line.0;
        let what = format!("budget {}", i + 1);
        // These were never reasons to refuse the activity, so `strict` leaves them out too.
        let (Some(start), Some(end)) = (
            start.as_deref().and_then(parse_date),
            end.as_deref().and_then(parse_date),
        ) else {
            flaws.leave_out(&what, line, "period missing or unreadable".to_string());
            continue;
        };
        let Some(value) = value else {
            flaws.leave_out(&what, line, "no value".to_string());
            continue;
        };
        match money(value, None) {
            Ok((money, false)) => flaws.keep_valid(
                &mut records,
                &what,
                line,
                Record::Budget(Budget {
                    id: exported_budget_id(ext, &id).unwrap_or_else(|| {
                        RecordId::parse(&format!("{id}-b{}", i + 1)).unwrap_or_else(|_| id.clone())
                    }),
                    activity: id.clone(),
                    kind,
                    status,
                    period_start: start,
                    period_end: end,
                    money,
                    provider,
                    receiver,
                    sources: cite.clone(),
                }),
            ),
            Ok((_, true)) => flaws.leave_out(&what, line, "negative budget".to_string()),
            Err(e) => flaws.refuse(&what, line, e),
        }
    }
    let mut activity = activity;
    let lines = carried_over(a, &mut activity, orgs, &mut notes);
    for line in lines {
        let what = format!("{} {}", line.kind().as_str(), line.id());
        // Carried-over records have no position of their own: the activity's line stands in.
        flaws.keep_valid(&mut records, &what, ctx.line, line);
    }
    drop_invalid_orgs(orgs, &mut activity, &mut records, &mut flaws, ctx.line);
    let Flaws {
        mut reasons,
        left_out,
        ..
    } = flaws;
    activity.left_out = left_out;
    let mut activity = Record::Activity(activity);
    let mut verdict = validate(&activity);
    // A description the ledger refuses (a stray control character, as in text decoded from
    // Windows-1252) is left out, not the activity with all its transactions.
    if let Err(e) = &verdict
        && e.field == "description"
        && !ctx.strict
        && let Record::Activity(a) = &mut activity
    {
        a.description = None;
        a.left_out.push(LeftOut {
            file: ctx.file.to_string(),
            line: ctx.line,
            element: "description".to_string(),
            reason: e.message.clone(),
        });
        verdict = validate(&activity);
    }
    if let Err(e) = verdict {
        reasons.push(format!(
            "{} {}: {e}",
            activity.kind().as_str(),
            activity.id()
        ));
    }
    records.insert(0, activity);
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

/// An organisation the ledger refuses (a name with a control character, say) is not created:
/// the links to it are left out with a finding (under `strict`, the activity is rejected).
fn drop_invalid_orgs(
    orgs: &mut Orgs,
    activity: &mut Activity,
    records: &mut [Record],
    flaws: &mut Flaws<'_>,
    line: u64,
) {
    let invalid: Vec<(RecordId, String)> = orgs
        .records
        .values()
        .filter_map(|o| {
            let e = validate(&Record::Organisation(o.clone())).err()?;
            Some((o.id.clone(), format!("{}: {}", e.field, e.message)))
        })
        .collect();
    for (id, reason) in invalid {
        orgs.records.remove(&id);
        orgs.by_ref.retain(|_, v| *v != id);
        let gone = |o: &mut Option<RecordId>| {
            if o.as_ref() == Some(&id) {
                *o = None;
            }
        };
        gone(&mut activity.reporting_org);
        activity.participants.retain(|p| p.org != id);
        for record in records.iter_mut() {
            match record {
                Record::Flow(f) => {
                    gone(&mut f.provider);
                    gone(&mut f.receiver);
                }
                Record::Budget(b) => {
                    gone(&mut b.provider);
                    gone(&mut b.receiver);
                }
                _ => {}
            }
        }
        flaws.refuse(&format!("organisation {id}"), line, reason);
    }
}

/// The id another aidtrace gave a budget it exported (`aidtrace:id`), if it is one of this
/// activity's budget ids.
fn exported_budget_id(ext: &aidtrace_iati::model::Ext, activity: &RecordId) -> Option<RecordId> {
    let value = ext
        .attrs
        .iter()
        .find(|a| {
            a.ns.as_deref() == Some(aidtrace_iati::model::AIDTRACE_NS)
                && a.local() == BUDGET_ID_ATTR
        })?
        .value
        .as_str();
    let suffix = value.strip_prefix(activity.as_str())?.strip_prefix("-b")?;
    (!suffix.is_empty())
        .then(|| RecordId::parse(value).ok())
        .flatten()
}

/// Elements of one activity the ledger would refuse: left out with a finding, or under
/// `strict` reasons to reject the whole activity.
struct Flaws<'a> {
    file: &'a str,
    strict: bool,
    reasons: Vec<String>,
    left_out: Vec<LeftOut>,
}

impl Flaws<'_> {
    /// An element the ledger refuses.
    fn refuse(&mut self, what: &str, line: u64, reason: String) {
        if self.strict {
            self.reasons.push(format!("{what}: {reason}"));
        } else {
            self.leave_out(what, line, reason);
        }
    }

    /// An element left out whatever the mode.
    fn leave_out(&mut self, what: &str, line: u64, reason: String) {
        self.left_out.push(LeftOut {
            file: self.file.to_string(),
            line,
            element: what.to_string(),
            reason,
        });
    }

    /// Keeps the record if the ledger's own rules accept it.
    fn keep_valid(&mut self, records: &mut Vec<Record>, what: &str, line: u64, record: Record) {
        match validate(&record) {
            Ok(()) => records.push(record),
            Err(e) if self.strict => {
                self.reasons
                    .push(format!("{} {}: {e}", record.kind().as_str(), record.id()))
            }
            Err(e) => self.leave_out(what, line, e.to_string()),
        }
    }
}

/// Local names of the aidtrace extension elements an export writes into each activity.
pub(super) const PAYLOAD_RECORD: &str = "record";
pub(super) const PAYLOAD_SOURCES: &str = "sources";
/// The fields an export filled in to meet IATI's rules (a JSON list of the names below): an
/// aidtrace importing the file leaves them empty, as the exporting ledger had them.
pub(super) const PAYLOAD_SUPPLIED: &str = "supplied";
pub(super) const SUPPLIED_START_DATE: &str = "start_date";
pub(super) const SUPPLIED_SECTOR: &str = "sectors";
/// Attribute (in aidtrace's namespace) on an exported budget naming its record id.
pub(super) const BUDGET_ID_ATTR: &str = "id";

/// What another aidtrace wrote into the activity in its own namespace: the activity's
/// citations, its equipment lines, the budgets IATI could not carry and the source records they
/// cite, each as the record's JSON. Lines and budgets are re-attached to this activity; what cannot be read is noted, not fatal.
fn carried_over(
    a: &IatiActivity,
    act: &mut Activity,
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
                    for c in citations {
                        if !act.sources.contains(&c) {
                            act.sources.push(c);
                        }
                    }
                }
                Err(err) => notes.push(format!("aidtrace:sources unreadable ({err}); kept out")),
            },
            PAYLOAD_SUPPLIED => match serde_json::from_str::<Vec<String>>(&text) {
                Ok(fields) => {
                    for field in fields {
                        match field.as_str() {
                            SUPPLIED_START_DATE => act.start_date = None,
                            SUPPLIED_SECTOR => act.sectors.clear(),
                            other => notes.push(format!(
                                "aidtrace:supplied names {other:?}, which aidtrace does not fill in"
                            )),
                        }
                    }
                }
                Err(err) => notes.push(format!("aidtrace:supplied unreadable ({err}); kept out")),
            },
            PAYLOAD_RECORD => match serde_json::from_str::<Record>(&text) {
                Ok(Record::EquipmentLine(mut line)) => {
                    line.activity = act.id.clone();
                    // Assets are registered where the equipment is, not carried between ledgers.
                    line.assets.clear();
                    lines.push(Record::EquipmentLine(line));
                }
                // A budget IATI cannot carry (a period over a year) travels as the record.
                Ok(Record::Budget(mut budget)) => {
                    budget.activity = act.id.clone();
                    lines.push(Record::Budget(budget));
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

        /// Whatever percentages are published, `shares` keeps the block only when they add to
        /// exactly 100, and never panics (a huge one is a note, not an overflow).
        #[test]
        fn shares_are_kept_only_when_they_add_to_100(
            pcts in proptest::collection::vec(proptest::option::of("-?[0-9]{1,30}(\\.[0-9]{1,5})?|x"), 1..5),
        ) {
            let items: Vec<(String, Option<String>)> = pcts
                .iter()
                .enumerate()
                .map(|(i, p)| (format!("1219{i}"), p.clone()))
                .collect();
            let mut notes = Vec::new();
            let kept = shares("sectors", items, |code, pct| Some((code.to_string(), pct)), &mut notes);
            if kept.is_empty() {
                prop_assert_eq!(notes.len(), 1);
            } else {
                let sum = kept.iter().try_fold(Decimal::ZERO, |s, (_, p)| s.checked_add(*p));
                prop_assert_eq!(sum, Some(Decimal::ONE_HUNDRED));
                prop_assert!(notes.is_empty());
            }
        }
    }

    const SOURCE: &str = "src-iati-test.xml";

    /// The first activity of `body` (inside `<iati-activities>`), as the reader gives it.
    fn read(body: &str) -> IatiActivity {
        let xml = format!("<iati-activities version=\"2.03\">\n{body}\n</iati-activities>");
        let mut reader = aidtrace_iati::reader::ActivityReader::new(xml.as_bytes());
        reader
            .next_activity()
            .expect("well-formed")
            .expect("one activity")
            .0
    }

    fn map(body: &str, strict: bool) -> Result<Mapped, Vec<String>> {
        let a = read(body);
        let source = RecordId::parse(SOURCE).expect("id");
        let ctx = MapContext {
            source: &source,
            file: "test.xml",
            line: 2,
            strict,
        };
        map_activity(
            &a,
            &record_id("iati-", &a.identifier),
            &ctx,
            &mut Orgs::default(),
        )
    }

    const ACTIVITY: &str = r#"<iati-activity default-currency="EUR">
<iati-identifier>XM-1</iati-identifier>
<reporting-org ref="XM-ORG" type="10"><narrative>Ministry</narrative></reporting-org>
<title><narrative xml:lang="en">Oxygen plant</narrative></title>
<activity-status code="4"/>
<activity-date type="2" iso-date="2024-02-01"/><activity-date type="1" iso-date="2024-01-01"/>
<sector code="12191" percentage="60"/><sector code="12220" percentage="40"/>
<transaction><transaction-type code="C"/><transaction-date iso-date="2024-02-01"/><value>-5</value><provider-org ref="XM-ORG"/></transaction>
<budget><period-start iso-date="2024-01-01"/><period-end iso-date="2023-01-01"/><value>10</value></budget>
</iati-activity>"#;

    #[test]
    fn an_activity_maps_to_its_records_with_status_dates_sectors_and_a_reversal() {
        let mapped = map(ACTIVITY, false).expect("accepted");
        let [Record::Activity(a), Record::Flow(f)] = mapped.records.as_slice() else {
            panic!("{:#?}", mapped.records);
        };
        assert_eq!(a.title, "Oxygen plant");
        assert_eq!(a.status, ActivityStatus::Closed);
        assert_eq!(a.start_date, parse_date("2024-02-01"), "actual start first");
        assert_eq!(a.sectors.len(), 2);
        assert_eq!(
            a.reporting_org.as_ref().map(RecordId::as_str),
            Some("org-iati-XM-ORG")
        );
        assert_eq!(f.kind, FlowKind::Commitment, "1.x letter C");
        assert!(f.reversal, "a negative value is a reversal");
        assert_eq!(f.money.amount, Decimal::from(5));
        assert_eq!(
            f.money.value_date,
            parse_date("2024-02-01"),
            "the transaction date stands in"
        );
        assert_eq!(f.provider, a.reporting_org);
    }

    #[test]
    fn a_budget_that_ends_before_it_starts_is_left_out_with_its_line() {
        let mapped = map(ACTIVITY, false).expect("accepted");
        assert_eq!(mapped.left_out().len(), 1);
        let l = &mapped.left_out()[0];
        // Line 1 is the root; the budget is the activity's ninth line.
        assert_eq!(
            (l.file.as_str(), l.line, l.element.as_str()),
            ("test.xml", 10, "budget 1")
        );
        assert!(l.reason.contains("ends before it starts"), "{l:?}");
    }

    #[test]
    fn under_strict_a_flawed_budget_rejects_the_activity() {
        let reasons = map(ACTIVITY, true).err().expect("rejected");
        assert_eq!(reasons.len(), 1, "{reasons:?}");
        assert!(reasons[0].contains("period_end"), "{reasons:?}");
    }

    #[test]
    fn a_budget_without_a_period_is_left_out_even_under_strict() {
        let body = ACTIVITY.replace("<period-end iso-date=\"2023-01-01\"/>", "");
        let mapped = map(&body, true).expect("accepted");
        assert_eq!(mapped.left_out()[0].reason, "period missing or unreadable");
    }

    #[test]
    fn shares_that_do_not_add_up_are_kept_out_with_a_note() {
        let body = ACTIVITY.replace("percentage=\"40\"", "percentage=\"30\"");
        let mapped = map(&body, false).expect("accepted");
        let Some(Record::Activity(a)) = mapped.records.first() else {
            panic!()
        };
        assert!(a.sectors.is_empty());
        assert!(
            mapped.notes.iter().any(|n| n.contains("sum to 90")),
            "{:?}",
            mapped.notes
        );
    }

    #[test]
    fn organisations_are_named_once_by_reference() {
        let a = read(ACTIVITY);
        let mut orgs = Orgs::default();
        let first = orgs.get(Some("XM-ORG"), Some("10"), &[]);
        let again = orgs.get(Some(" XM-ORG "), None, &a.title.clone().unwrap_or_default());
        assert_eq!(first, again);
        assert_eq!(orgs.records.len(), 1);
        let org = orgs.records.values().next().expect("one");
        // The later mention's name replaces the reference that stood in for it; the first
        // mention's kind stays.
        assert_eq!(
            (org.name.as_str(), org.kind),
            (
                a.title
                    .as_ref()
                    .and_then(|t| t.first())
                    .map_or("", |n| n.text.as_str()),
                OrgKind::Government
            )
        );
        assert_ne!(org.name, "XM-ORG");
    }

    #[test]
    fn an_organisation_never_named_goes_by_its_reference() {
        let mut orgs = Orgs::default();
        orgs.get(Some("XM-ORG"), Some("10"), &[]);
        orgs.get(Some("XM-ORG"), None, &[]);
        let org = orgs.records.values().next().expect("one");
        assert_eq!(org.name, "XM-ORG");
    }

    #[test]
    fn a_name_from_a_later_activity_replaces_the_stand_in() {
        let named = read(ACTIVITY).title.unwrap_or_default();
        let mut first = Orgs::default();
        first.get(Some("XM-ORG"), None, &[]);
        let mut later = Orgs::default();
        later.get(Some("XM-ORG"), None, &named);
        let mut unnamed_later = Orgs::default();
        unnamed_later.get(Some("XM-ORG"), None, &[]);
        first.merge(later);
        first.merge(unnamed_later);
        let org = first.records.values().next().expect("one");
        assert_ne!(org.name, "XM-ORG", "named by the later activity");
        assert!(first.named_by_ref.is_empty());
        assert_eq!(
            first.renamed.len(),
            1,
            "for the writer to name the stored record"
        );
    }
}
