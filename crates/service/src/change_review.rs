//! What a proposed change would do, shown before anyone approves it: each record of the batch
//! compared field by field with its stored version, and the data-quality findings the change
//! would add or clear (the batch applied to an in-memory copy of the ledger, the checks run on
//! both). Pure functions over domain types; interfaces render the result in their own words.

use std::collections::BTreeMap;

use aidtrace_domain::checks::{self, Finding};
use aidtrace_domain::fx::RateTable;
use aidtrace_domain::{Ledger, Record, RecordId, RecordKind};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Map, Value};

/// A field's value, typed for display: interfaces show money with its currency, dates as dates,
/// enumerated codes by their label, references as the id they name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Shown {
    Text(String),
    /// A value of an enumeration (`grant_aid`, `disbursement`), labelled by the interface.
    Code(String),
    Date(NaiveDate),
    /// An exact decimal amount (kept as its text, never a float) in a currency.
    Money {
        amount: String,
        currency: String,
        value_date: Option<NaiveDate>,
    },
    Number(String),
    Bool(bool),
    /// The id of another record.
    Ref(String),
    List(Vec<Shown>),
    /// A nested object (a participant, a share, a citation): its fields in order.
    Fields(Vec<(String, Shown)>),
}

/// Fields whose text names a value of an enumeration.
const CODE_FIELDS: &[&str] = &[
    "kind",
    "instrument",
    "status",
    "category",
    "role",
    "roles",
    "areas",
    "area",
    "basis",
    "vocabulary",
    "condition",
    "outcome",
    "severity",
];

/// Fields whose text is the id of another record.
const REF_FIELDS: &[&str] = &[
    "activity",
    "provider",
    "receiver",
    "parent",
    "parent_flow",
    "facility",
    "facilities",
    "operator",
    "reporting_org",
    "org",
    "source",
    "lead",
    "partners",
    "assets",
    "asset",
    "device_model",
    "work_order",
];

impl Shown {
    /// The display form of `value` found in field `field`; `None` for what reads as nothing
    /// (null, an empty list or object).
    pub fn of(field: &str, value: &Value) -> Option<Self> {
        match value {
            Value::Null => None,
            Value::Bool(b) => Some(Self::Bool(*b)),
            Value::Number(n) => Some(Self::Number(n.to_string())),
            Value::String(s) if REF_FIELDS.contains(&field) => Some(Self::Ref(s.clone())),
            Value::String(s) if CODE_FIELDS.contains(&field) => Some(Self::Code(s.clone())),
            Value::String(s) => Some(
                date(s)
                    .map(Self::Date)
                    .unwrap_or_else(|| Self::Text(s.clone())),
            ),
            Value::Array(items) => {
                let items: Vec<Shown> = items.iter().filter_map(|v| Self::of(field, v)).collect();
                (!items.is_empty()).then_some(Self::List(items))
            }
            Value::Object(m) => {
                if let (Some(Value::String(amount)), Some(Value::String(currency))) =
                    (m.get("amount"), m.get("currency"))
                {
                    return Some(Self::Money {
                        amount: amount.clone(),
                        currency: currency.clone(),
                        value_date: m.get("value_date").and_then(Value::as_str).and_then(date),
                    });
                }
                let fields: Vec<(String, Shown)> = m
                    .iter()
                    .filter_map(|(k, v)| Some((k.clone(), Self::of(k, v)?)))
                    .collect();
                (!fields.is_empty()).then_some(Self::Fields(fields))
            }
        }
    }

    /// A plain, language-neutral rendering (the CLI's): `1000.00 USD (2024-05-01)`, codes as
    /// stored, lists joined with `; `.
    pub fn plain(&self) -> String {
        match self {
            Self::Text(s) | Self::Code(s) | Self::Number(s) | Self::Ref(s) => s.clone(),
            Self::Date(d) => d.to_string(),
            Self::Money {
                amount,
                currency,
                value_date,
            } => match value_date {
                Some(d) => format!("{amount} {currency} ({d})"),
                None => format!("{amount} {currency}"),
            },
            Self::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
            Self::List(items) => items.iter().map(Self::plain).collect::<Vec<_>>().join("; "),
            Self::Fields(fields) => fields
                .iter()
                .map(|(k, v)| format!("{k}: {}", v.plain()))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

fn date(s: &str) -> Option<NaiveDate> {
    (s.len() == 10)
        .then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .flatten()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldChange {
    Added,
    Removed,
    Changed,
}

/// One field that differs between the stored record and the proposed one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldDiff {
    /// The field's name in the record's JSON form (`money`, `participants`).
    pub field: String,
    pub change: FieldChange,
    pub before: Option<Shown>,
    pub after: Option<Shown>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordChange {
    /// No stored record has this kind and id.
    Added,
    Changed,
    /// The proposal repeats the stored record.
    Unchanged,
}

/// One record of a batch compared with its stored version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordDiff {
    pub kind: RecordKind,
    pub id: RecordId,
    pub change: RecordChange,
    /// The fields that differ, in the order of the record's JSON form (every field of an added
    /// record).
    pub fields: Vec<FieldDiff>,
}

fn fields_of(record: &Record) -> Map<String, Value> {
    match serde_json::to_value(record) {
        Ok(Value::Object(mut m)) => {
            // The kind tag and the id name the record; they are not among its changes.
            m.remove("record");
            m.remove("id");
            m
        }
        _ => Map::new(),
    }
}

/// The record's top-level field names in the order its type declares them (title before
/// dates before money), which is the order its form asks for them. `fields_of` cannot give it:
/// `serde_json::Map` is sorted, and the comparison read alphabetically by English names.
fn declared_order(record: &Record) -> Vec<String> {
    struct Keys(Vec<String>);
    impl<'de> serde::Deserialize<'de> for Keys {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct Visit;
            impl<'de> serde::de::Visitor<'de> for Visit {
                type Value = Keys;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("a record")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> Result<Keys, A::Error> {
                    let mut keys = Vec::new();
                    while let Some((key, serde::de::IgnoredAny)) = map.next_entry::<String, _>()? {
                        keys.push(key);
                    }
                    Ok(Keys(keys))
                }
            }
            d.deserialize_map(Visit)
        }
    }
    // The streaming serializer writes fields in declaration order.
    serde_json::to_string(record)
        .ok()
        .and_then(|text| serde_json::from_str::<Keys>(&text).ok())
        .map_or_else(Vec::new, |k| k.0)
}

/// Compares `proposed` with `stored` (`None`: a new record) field by field, in the order the
/// record's type declares its fields.
pub fn diff_record(stored: Option<&Record>, proposed: &Record) -> RecordDiff {
    let after = fields_of(proposed);
    let before = stored.map(fields_of).unwrap_or_default();
    let mut names = declared_order(proposed);
    for name in stored.map(declared_order).unwrap_or_default() {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    // Anything the two orders missed (none expected: both come from the same types) still
    // counts, after the rest.
    for name in before.keys().chain(after.keys()) {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    let names: Vec<&String> = names
        .iter()
        .filter(|n| before.contains_key(*n) || after.contains_key(*n))
        .collect();
    let mut fields = Vec::new();
    for name in names {
        let old = before.get(name).and_then(|v| Shown::of(name, v));
        let new = after.get(name).and_then(|v| Shown::of(name, v));
        let change = match (&old, &new) {
            (None, None) => continue,
            (None, Some(_)) => FieldChange::Added,
            (Some(_), None) => FieldChange::Removed,
            (Some(a), Some(b)) if a == b => continue,
            (Some(_), Some(_)) => FieldChange::Changed,
        };
        fields.push(FieldDiff {
            field: name.clone(),
            change,
            before: old,
            after: new,
        });
    }
    let change = match (stored, fields.is_empty()) {
        (None, _) => RecordChange::Added,
        (Some(_), true) => RecordChange::Unchanged,
        (Some(_), false) => RecordChange::Changed,
    };
    RecordDiff {
        kind: proposed.kind(),
        id: proposed.id().clone(),
        change,
        fields,
    }
}

/// Every record of a batch compared with its stored version: the ledger's, or for kinds the
/// ledger does not hold (an intake draft that an acceptance rewrites) the one in `outside`,
/// which callers read from the store.
pub fn diff_batch(ledger: &Ledger, outside: &[Record], batch: &[Record]) -> Vec<RecordDiff> {
    batch
        .iter()
        .map(|r| {
            let stored = ledger.get(r.kind(), r.id()).or_else(|| {
                outside
                    .iter()
                    .find(|o| o.kind() == r.kind() && o.id() == r.id())
                    .cloned()
            });
            diff_record(stored.as_ref(), r)
        })
        .collect()
}

/// Whether the ledger holds records of `kind` (intake drafts are the review queue's, not facts).
pub fn in_ledger(kind: RecordKind) -> bool {
    kind != RecordKind::IntakeDraft
}

/// The findings a change would bring and those it would resolve.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FindingsPreview {
    pub added: Vec<Finding>,
    pub cleared: Vec<Finding>,
}

/// A finding's identity across the two runs: its rule and record. Messages name titles and
/// figures, so renaming an activity must not read as clearing and re-adding its findings.
fn key(f: &Finding) -> (&'static str, RecordKind, &RecordId) {
    (f.rule, f.record_kind, &f.record)
}

/// The findings of `a` beyond those `b` has for the same rule and record (counted, as a rule
/// may fire more than once on a record).
fn beyond(a: &[Finding], b: &[Finding]) -> Vec<Finding> {
    let mut have: BTreeMap<_, usize> = BTreeMap::new();
    for f in b {
        *have.entry(key(f)).or_default() += 1;
    }
    a.iter()
        .filter(|f| match have.get_mut(&key(f)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .cloned()
        .collect()
}

/// Runs the checks on the ledger with `batch` applied and compares them with `before` (gives
/// the findings of `ledger` as it is, judged with the same `options`, which callers usually
/// hold already; asked for only when the batch reaches beyond its activity families): the
/// findings a rule raises on a record only after the change are added, those it
/// raises only before are cleared. Judging the two sides with different options made every
/// dated finding of the ledger (thousands of ACT-OVERDUE after an IATI import) read as cleared
/// by any change.
///
/// A batch of activities and what hangs on them is judged on the activity families it reaches
/// alone, as the read model follows a write (`Ledger::write_families`): a page of pending
/// changes on a national ledger ran every check on the whole ledger once per change (1.2 s for
/// eight changes at 9,800 activities).
pub fn preview_findings(
    ledger: &Ledger,
    rates: &RateTable,
    options: &checks::Options,
    before: impl FnOnce() -> Vec<Finding>,
    batch: &[Record],
) -> FindingsPreview {
    if let Some(preview) = preview_in_families(ledger, rates, options, batch) {
        return preview;
    }
    let before = before();
    let after = checks::run_with(&ledger.with(batch), rates, options);
    FindingsPreview {
        added: beyond(&after, &before),
        cleared: beyond(&before, &after),
    }
}

/// [`preview_findings`] on the families the batch reaches; `None` when it holds a kind whose
/// effect reaches further (see `FAMILY_KINDS`).
fn preview_in_families(
    ledger: &Ledger,
    rates: &RateTable,
    options: &checks::Options,
    batch: &[Record],
) -> Option<FindingsPreview> {
    if !batch
        .iter()
        .all(|r| aidtrace_domain::ledger::FAMILY_KINDS.contains(&r.kind()))
    {
        return None;
    }
    // The last put of a record stands, as in `Ledger::with`.
    let put = aidtrace_domain::ledger::last_of_each(batch.to_vec());
    let touched: Vec<(RecordKind, RecordId)> =
        put.iter().map(|r| (r.kind(), r.id().clone())).collect();
    let mut after = ledger.clone();
    after.apply_changes(put, &[]);
    let family = ledger.write_families(&after, &touched);
    let judged = |side: &Ledger| -> Vec<Finding> {
        let part = side.part(&family);
        let records = part.judged_in_part(&family);
        checks::run_with(&part, rates, options)
            .into_iter()
            .filter(|f| records.contains(&(f.record_kind, f.record.clone())))
            .collect()
    };
    let (was, will) = (judged(ledger), judged(&after));
    Some(FindingsPreview {
        added: beyond(&will, &was),
        cleared: beyond(&was, &will),
    })
}

/// A change as an approver should see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeReview {
    pub records: Vec<RecordDiff>,
    pub findings: FindingsPreview,
}

/// The comparison and the findings preview of `batch` against `ledger` (`outside`: see
/// [`diff_batch`]; `options` and `before`: see [`preview_findings`]).
pub fn review(
    ledger: &Ledger,
    outside: &[Record],
    rates: &RateTable,
    options: &checks::Options,
    before: impl FnOnce() -> Vec<Finding>,
    batch: &[Record],
) -> ChangeReview {
    ChangeReview {
        records: diff_batch(ledger, outside, batch),
        findings: preview_findings(ledger, rates, options, before, batch),
    }
}

#[cfg(test)]
#[path = "change_review_tests.rs"]
mod tests;
