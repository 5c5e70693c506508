//! A posted form → the records it describes, with every field problem found at once (not the
//! first one only): each field is converted on its own, rows and sums are checked, and then each
//! record goes through the model's own rules. No IO: stored versions come from the snapshot.

use std::collections::{BTreeMap, BTreeSet};

use aidtrace_domain::assets::validate::building_load_problems;
use aidtrace_domain::validate::{entered_flow, problems};
use aidtrace_domain::{
    CountryCode, CurrencyCode, Ledger, Record, RecordId, RecordKind, ValidationError,
};
use aidtrace_service::records::record_from_json;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::specs::{Field, Group, In, NEW_SOURCE, Spec};
use super::{FieldError, Values, group_rows};
use crate::i18n::Msg;

/// What a posted form became: the records (main first) or the problems, and the values to show
/// again (with generated ids filled in, so a person sees and may still change them).
pub struct Built {
    pub records: Vec<Record>,
    pub errors: Vec<FieldError>,
    pub values: Values,
    /// The form prefix of each record (`""`, `new_source.`, `flows[0].`) with its kind and id,
    /// so an error the write reports about a record lands beside its row.
    pub located: Vec<(String, (RecordKind, RecordId))>,
}

struct Ctx<'a> {
    ledger: &'a Ledger,
    /// Ids the form itself creates, so rows may refer to them before they are stored.
    new_ids: BTreeSet<(RecordKind, String)>,
    errors: Vec<FieldError>,
    /// The form's index of each item of the main record's lists: empty rows are left out, so
    /// the model's `countries[0]` may be the form's `countries[1]`.
    form_rows: BTreeMap<&'static str, Vec<usize>>,
}

impl Ctx<'_> {
    /// A problem the form's own checks find, as a message of the catalogue.
    fn err(&mut self, field: &str, value: &str, said: Msg) {
        self.push(FieldError {
            field: field.to_string(),
            value: value.to_string(),
            message: said.id.to_string(),
            problem: None,
            said: Some(said),
        });
    }

    /// A refusal by the model's rules under the form's name of the field, with its message id
    /// where the rule gives one.
    fn refused(&mut self, field: &str, e: &ValidationError) {
        self.push(FieldError {
            field: field.to_string(),
            value: e.value.clone(),
            message: e.message.clone(),
            problem: e.problem.clone(),
            said: None,
        });
    }

    fn push(&mut self, e: FieldError) {
        if self.errors.iter().any(|x| x.field == e.field) {
            return;
        }
        self.errors.push(e);
    }

    /// The form's name of a field the main record's rules name (`countries[0].percentage` of
    /// the record is `countries[1].percentage` on a form whose first row was left empty).
    fn form_field(&self, field: &str) -> String {
        let Some((list, rest)) = field.split_once('[') else {
            return field.to_string();
        };
        let Some((k, after)) = rest.split_once(']') else {
            return field.to_string();
        };
        match (self.form_rows.get(list), k.parse::<usize>()) {
            (Some(rows), Ok(k)) if k < rows.len() => format!("{list}[{}]{after}", rows[k]),
            _ => field.to_string(),
        }
    }

    /// Whether a share of the list `group` was refused: the list's sum would then be of the
    /// shares left, which says nothing the refusal did not.
    fn share_refused(&self, group: &str) -> bool {
        self.errors.iter().any(|e| {
            e.field
                .strip_prefix(group)
                .is_some_and(|rest| rest.starts_with('[') && rest.ends_with("].percentage"))
        })
    }

    fn exists(&self, kind: RecordKind, id: &str) -> bool {
        if self.new_ids.contains(&(kind, id.to_string())) {
            return true;
        }
        let Ok(id) = RecordId::parse(id) else {
            return false;
        };
        let l = self.ledger;
        match kind {
            RecordKind::Organisation => l.organisations.contains_key(&id),
            RecordKind::Activity => l.activities.contains_key(&id),
            RecordKind::Facility => l.facilities.contains_key(&id),
            RecordKind::Flow => l.flows.contains_key(&id),
            RecordKind::Source => l.sources.contains_key(&id),
            RecordKind::EquipmentLine => l.equipment_lines.contains_key(&id),
            RecordKind::FacilityPower => l.facility_power.contains_key(&id),
            _ => false,
        }
    }

    /// A reference typed as an id, or as the exact name of one record (a person picking from
    /// the type-ahead list may type the name instead of choosing the entry).
    fn reference(&self, kind: RecordKind, raw: &str) -> Option<String> {
        if self.exists(kind, raw) {
            return Some(raw.to_string());
        }
        let want = raw.to_lowercase();
        let names: Vec<(&RecordId, &str)> = self
            .ledger
            .names_of_kind(kind)
            .filter(|(_, n)| n.to_lowercase() == want)
            .take(2)
            .collect();
        match names.as_slice() {
            [(id, _)] => Some(id.to_string()),
            _ => None,
        }
    }
}

fn set_path(obj: &mut Map<String, Value>, path: &str, value: Option<Value>) {
    match path.split_once('.') {
        None => {
            match value {
                Some(v) => obj.insert(path.to_string(), v),
                None => obj.remove(path),
            };
        }
        Some((head, rest)) => {
            if value.is_none() && !obj.contains_key(head) {
                return;
            }
            let child = obj
                .entry(head.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !child.is_object() {
                *child = Value::Object(Map::new());
            }
            if let Value::Object(m) = child {
                set_path(m, rest, value);
                if m.is_empty() {
                    obj.remove(head);
                }
            }
        }
    }
}

fn get_path(obj: &Map<String, Value>, path: &str) -> Option<Value> {
    let mut parts = path.split('.');
    let first = obj.get(parts.next()?)?;
    parts.try_fold(first, |v, k| v.get(k)).cloned()
}

/// Converts one field's text, recording a problem under `name` (the form's name of the field).
fn convert(ctx: &mut Ctx, field: &Field, name: &str, raw: &str, values: &Values) -> Option<Value> {
    let raw = raw.trim();
    if let In::Multi(list) = field.input {
        let chosen: Vec<Value> = list
            .iter()
            .filter(|v| values.contains_key(&format!("{name}.{v}")))
            .map(|v| Value::String((*v).to_string()))
            .collect();
        return Some(Value::Array(chosen));
    }
    if let In::Check = field.input {
        return Some(Value::Bool(!raw.is_empty()));
    }
    if raw.is_empty() {
        if field.required {
            ctx.err(name, "", Msg::new("err-required"));
        }
        return None;
    }
    let text = |s: &str| Some(Value::String(s.to_string()));
    match field.input {
        In::Text | In::Long => text(raw),
        In::Id => match RecordId::parse(raw) {
            Ok(_) => text(raw),
            Err(e) => {
                ctx.refused(name, &e);
                None
            }
        },
        In::Date => match raw.parse::<chrono::NaiveDate>() {
            Ok(_) => text(raw),
            Err(_) => {
                ctx.err(name, raw, Msg::new("err-date"));
                None
            }
        },
        // Read as the page shows numbers in the reader's language ("68 790,50"), stored exactly.
        In::Decimal => match crate::format::parse_number(crate::i18n::current(), raw) {
            Ok(d) => text(&d.to_string()),
            Err(_) => {
                ctx.err(name, raw, Msg::new("err-decimal"));
                None
            }
        },
        In::Integer => match raw.parse::<u32>() {
            Ok(n) => Some(Value::Number(n.into())),
            Err(_) => {
                ctx.err(name, raw, Msg::new("err-whole-number"));
                None
            }
        },
        In::Choice(list) => {
            if list.contains(&raw) {
                text(raw)
            } else {
                ctx.err(name, raw, Msg::new("form-err-choice"));
                None
            }
        }
        In::Multi(_) | In::Check => None,
        In::Ref(kind) => match ctx.reference(kind, raw) {
            Some(id) => text(&id),
            None => {
                ctx.refused(name, &ValidationError::no_such_record(name, raw, kind));
                None
            }
        },
        In::Country => match CountryCode::lookup(raw) {
            Ok(c) => text(c.as_str()),
            Err(e) => {
                ctx.refused(name, &e);
                None
            }
        },
        In::Currency => match CurrencyCode::lookup(raw) {
            Ok(c) => text(c.as_str()),
            Err(e) => {
                ctx.refused(name, &e);
                None
            }
        },
        In::Sector => match aidtrace_domain::sectors::lookup(raw) {
            Some(code) => text(code),
            None if raw.len() == 5 && raw.bytes().all(|b| b.is_ascii_digit()) => {
                ctx.err(name, raw, Msg::new("form-err-sector-unknown"));
                None
            }
            None => {
                ctx.err(name, raw, Msg::new("form-err-sector"));
                None
            }
        },
    }
}

/// `text` as an id's readable part (other scripts in Latin letters), at most 60 characters.
pub fn slug(text: &str) -> String {
    aidtrace_domain::text::slug(text, 60)
}

/// A fresh id `prefix + slug`, with `-2`, `-3`, … when taken in the ledger or by the form.
fn fresh_id(ctx: &Ctx, kind: RecordKind, prefix: &str, base: &str) -> String {
    let stem = match slug(base) {
        s if s.is_empty() => format!("{prefix}new"),
        s if s.starts_with(prefix) => s,
        s => format!("{prefix}{s}"),
    };
    let mut id = stem.clone();
    let mut n = 2;
    while ctx.exists(kind, &id) {
        id = format!("{stem}-{n}");
        n += 1;
    }
    id
}

/// The id a form names, or one generated from `base` (written back into the form's values).
fn id_of(
    ctx: &mut Ctx,
    values: &mut Values,
    name: &str,
    kind: RecordKind,
    prefix: &str,
    base: &str,
) -> String {
    let typed = values
        .get(name)
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let id = if typed.is_empty() {
        fresh_id(ctx, kind, prefix, base)
    } else {
        typed
    };
    values.insert(name.to_string(), id.clone());
    ctx.new_ids.insert((kind, id.clone()));
    id
}

fn stored_json(ledger: &Ledger, kind: RecordKind, id: &str) -> Map<String, Value> {
    let Ok(rid) = RecordId::parse(id) else {
        return Map::new();
    };
    let record: Option<Record> = match kind {
        RecordKind::Activity => ledger.activities.get(&rid).cloned().map(Record::Activity),
        RecordKind::Flow => ledger.flows.get(&rid).cloned().map(Record::Flow),
        RecordKind::EquipmentLine => ledger
            .equipment_lines
            .get(&rid)
            .cloned()
            .map(Record::EquipmentLine),
        RecordKind::Organisation => ledger
            .organisations
            .get(&rid)
            .cloned()
            .map(Record::Organisation),
        RecordKind::Facility => ledger.facilities.get(&rid).cloned().map(Record::Facility),
        RecordKind::FacilityPower => ledger
            .facility_power
            .get(&rid)
            .cloned()
            .map(Record::FacilityPower),
        _ => None,
    };
    match record.map(serde_json::to_value) {
        Some(Ok(Value::Object(mut m))) => {
            m.remove("record");
            m
        }
        _ => Map::new(),
    }
}

/// Sets the spec's single fields on `obj`.
fn singles(
    ctx: &mut Ctx,
    fields: &[Field],
    prefix: &str,
    values: &Values,
    obj: &mut Map<String, Value>,
) {
    for field in fields {
        let name = format!("{prefix}{}", field.name);
        let raw = values.get(&name).cloned().unwrap_or_default();
        let v = convert(ctx, field, &name, &raw, values);
        set_path(obj, field.name, v);
    }
}

/// The rows of a group as JSON objects (empty rows skipped), with their form index.
fn rows_json(ctx: &mut Ctx, group: &Group, values: &Values) -> Vec<(usize, Map<String, Value>)> {
    let mut out = Vec::new();
    for (i, row) in group_rows(values, group.name).into_iter().enumerate() {
        if row.values().all(|v| v.trim().is_empty()) {
            continue;
        }
        let mut obj = Map::new();
        for field in group.fields {
            let name = format!("{}[{i}].{}", group.name, field.name);
            let raw = row.get(field.name).cloned().unwrap_or_default();
            // The id, source and quote of a row are handled by the caller.
            if matches!(field.name, "id" | "source" | "quote") && group.record.is_some() {
                continue;
            }
            let v = convert(ctx, field, &name, &raw, values);
            set_path(&mut obj, field.name, v);
        }
        out.push((i, obj));
    }
    out
}

fn percent_sum(ctx: &mut Ctx, group: &Group, rows: &[(usize, Map<String, Value>)]) {
    if !group.percent || rows.is_empty() {
        return;
    }
    let mut sum = Decimal::ZERO;
    for (i, row) in rows {
        let p = row
            .get("percentage")
            .and_then(Value::as_str)
            .and_then(|s| aidtrace_domain::money::parse_exact(s).ok());
        match p {
            Some(p) if p > Decimal::ZERO && p <= Decimal::ONE_HUNDRED => {
                sum = sum.checked_add(p).unwrap_or(Decimal::MAX);
            }
            Some(p) => ctx.err(
                &format!("{}[{i}].percentage", group.name),
                &p.to_string(),
                Msg::new("form-err-percent"),
            ),
            None => {}
        }
    }
    if sum != Decimal::ONE_HUNDRED && !ctx.share_refused(group.name) {
        ctx.err(
            &format!("{}.percentage", group.name),
            &sum.normalize().to_string(),
            Msg::new("form-err-percent-sum"),
        );
    }
}

/// Parses one record and applies the model's rules, reporting problems under `prefix`.
fn finish(
    ctx: &mut Ctx,
    kind: RecordKind,
    prefix: &str,
    mut obj: Map<String, Value>,
) -> Option<Record> {
    obj.insert("record".into(), Value::String(kind.as_str().into()));
    match record_from_json(Value::Object(obj.clone())) {
        Ok(record) => {
            rules(ctx, prefix, &record, &[]);
            Some(record)
        }
        // A field already refused leaves a hole the parser trips on; that is not news, but the
        // record's other rules still are (one round of corrections, not one per layer), so they
        // are checked on the record without the holes, which is not written.
        Err(_) if !ctx.errors.is_empty() => {
            if let Some((probe, cut)) = without_holes(obj) {
                rules(ctx, prefix, &probe, &cut);
            }
            None
        }
        Err(e) => {
            ctx.refused(&format!("{prefix}{}", e.field), &e);
            None
        }
    }
}

/// The record with what the parser trips on left out, and the fields so cut: a list's row (the
/// list's own rules, such as its shares' sum, then say nothing) or an optional field. `None`
/// when a required field is the hole.
fn without_holes(mut obj: Map<String, Value>) -> Option<(Record, Vec<String>)> {
    let mut cut = Vec::new();
    // Each round removes one row or field, so the rows and fields of a form bound the rounds.
    for _ in 0..64 {
        let e = match record_from_json(Value::Object(obj.clone())) {
            Ok(record) => return Some((record, cut)),
            Err(e) => e,
        };
        let head = e.field.split('.').next().unwrap_or_default();
        match head.split_once('[') {
            Some((list, rest)) => {
                let index: usize = rest.strip_suffix(']')?.parse().ok()?;
                let rows = obj.get_mut(list)?.as_array_mut()?;
                if index >= rows.len() {
                    return None;
                }
                rows.remove(index);
                cut.push(list.to_string());
            }
            None if !head.is_empty() => {
                obj.remove(head)?;
                cut.push(head.to_string());
            }
            None => return None,
        }
    }
    None
}

/// Every rule of the model `record` breaks, not only the first, beside the form's own checks;
/// none about the fields `cut` (see [`without_holes`]).
fn rules(ctx: &mut Ctx, prefix: &str, record: &Record, cut: &[String]) {
    let mut problems = problems(record);
    if let Record::Flow(f) = record
        && let Err(e) = entered_flow(f)
    {
        problems.push(e);
    }
    for e in problems {
        let head = e.field.split(['.', '[']).next().unwrap_or_default();
        if cut.iter().any(|c| c == head) {
            continue;
        }
        if let Some(list) = e.field.strip_suffix(".percentage")
            && ctx.share_refused(&format!("{prefix}{list}"))
        {
            continue;
        }
        // The model names list items `sectors[0].code` and sums `sectors.percentage`, as the
        // form does, counting only the rows given (the main record's; a row record's lists are
        // its own).
        let field = if prefix.is_empty() {
            ctx.form_field(&e.field)
        } else {
            e.field.clone()
        };
        ctx.refused(&format!("{prefix}{field}"), &e);
    }
}

/// A record row of the form (an activity page's flow or equipment line) on its way to a record.
struct Child {
    /// The form's prefix of the row (`flows[0].`).
    prefix: String,
    kind: RecordKind,
    obj: Map<String, Value>,
}

impl Child {
    /// A row whose citation names no source (none typed, none on the form to fall back on).
    fn cites_nothing(&self) -> bool {
        self.obj
            .get("sources")
            .and_then(Value::as_array)
            .is_some_and(|s| {
                s.iter()
                    .any(|c| c.get("source").and_then(Value::as_str) == Some(""))
            })
    }
}

/// Builds the records of `spec`'s form. `mode` is "new" or "edit" (the stored version is the
/// base, so fields the form does not show are kept).
pub fn build(spec: &Spec, values: &Values, mode: &str, ledger: &Ledger) -> Built {
    let mut values = values.clone();
    let mut ctx = Ctx {
        ledger,
        new_ids: BTreeSet::new(),
        errors: Vec::new(),
        form_rows: BTreeMap::new(),
    };
    // Ids first (the main record's, the new source's, the rows'), so rows can name them.
    let main_id = main_id(&mut ctx, &mut values, spec, mode);
    let new_source = new_source(&mut ctx, &mut values);
    let row_ids = row_ids(&mut ctx, &mut values, spec, &main_id);
    let mut main = main_fields(&mut ctx, &values, spec, mode, &main_id);
    // The first source cited on the form: what rows without a source of their own cite.
    let mut default_source = new_source.as_ref().map(|(id, _)| id.clone());
    let mut children = Vec::new();
    for group in spec.groups {
        let rows = rows_json(&mut ctx, group, &values);
        percent_sum(&mut ctx, group, &rows);
        match (group.name, group.record) {
            ("sources", None) => {
                let new_id = new_source.as_ref().map(|(id, _)| id.as_str());
                let cites = citations(&mut ctx, &values, &main, new_id);
                if default_source.is_none() {
                    default_source = cites
                        .first()
                        .and_then(|c| c.get("source"))
                        .and_then(Value::as_str)
                        .map(String::from);
                }
                // An activity or flow is only as good as its evidence: it needs a quoted source
                // (a flow without one is what LEDGER-NOSOURCE flags).
                if matches!(spec.kind, RecordKind::Activity | RecordKind::Flow)
                    && !cites.iter().any(|c| c.get("quote").is_some())
                {
                    ctx.err("sources[0].quote", "", Msg::new("form-err-source-needed"));
                }
                main.insert("sources".into(), Value::Array(cites));
            }
            ("facilities", None) => {
                let kept = rows
                    .iter()
                    .filter(|(_, r)| r.contains_key("facility"))
                    .map(|(i, _)| *i);
                ctx.form_rows.insert(group.name, kept.collect());
                let ids: Vec<Value> = rows
                    .into_iter()
                    .filter_map(|(_, mut r)| r.remove("facility"))
                    .collect();
                main.insert("facilities".into(), Value::Array(ids));
            }
            (name, None) => {
                if spec.kind == RecordKind::FacilityPower && name == "building_loads" {
                    load_rules(&mut ctx, &rows);
                }
                ctx.form_rows
                    .insert(group.name, rows.iter().map(|(i, _)| *i).collect());
                let items = list_items(group, rows, &main);
                main.insert(name.into(), Value::Array(items));
            }
            (_, Some(kind)) => {
                let made = RecordRows {
                    group,
                    kind,
                    row_ids: &row_ids,
                    activity: &main_id,
                    default_source: default_source.as_deref(),
                };
                children.extend(made.children(&mut ctx, rows, &values));
            }
        }
    }
    if default_source.is_none() {
        for child in children.iter().filter(|c| c.kind == RecordKind::Flow) {
            if child.cites_nothing() {
                let field = format!("{}source", child.prefix);
                ctx.err(&field, "", Msg::new("form-err-choose-source"));
            }
        }
    }
    assemble(ctx, spec.kind, main, new_source, children, values)
}

/// The model's rules of each building load row (figures not negative nor implausible, average
/// not above peak, "other" described), every row's problems at once: the model itself refuses
/// a facility on its first bad load. A row whose kind was refused is checked as if it had one,
/// so its figures are still reported.
fn load_rules(ctx: &mut Ctx, rows: &[(usize, Map<String, Value>)]) {
    use aidtrace_domain::assets::load::BuildingLoad;
    for (i, row) in rows {
        let mut row = row.clone();
        row.entry("kind")
            .or_insert_with(|| Value::String("medical_gases".into()));
        let Ok(load) = serde_json::from_value::<BuildingLoad>(Value::Object(row)) else {
            continue;
        };
        for e in building_load_problems(*i, &load) {
            ctx.refused(&e.field, &e);
        }
    }
}

/// The main record's id: as typed, else made from the title (a flow without a description from
/// its activity and kind). A stored record keeps its id.
fn main_id(ctx: &mut Ctx, values: &mut Values, spec: &Spec, mode: &str) -> String {
    if mode != "new" {
        return values.get("id").cloned().unwrap_or_default();
    }
    let title = values.get(spec.title_field).cloned().unwrap_or_default();
    let base = if title.trim().is_empty() && spec.kind == RecordKind::Flow {
        format!(
            "{}-{}",
            values
                .get("activity")
                .map(|a| a.trim_start_matches("act-"))
                .unwrap_or_default(),
            values.get("kind").cloned().unwrap_or_default()
        )
    } else {
        title.chars().take(60).collect()
    };
    id_of(ctx, values, "id", spec.kind, spec.id_prefix, &base)
}

/// A new source typed on the form (its id and JSON), cited where a row names no source.
fn new_source(ctx: &mut Ctx, values: &mut Values) -> Option<(String, Map<String, Value>)> {
    let title = values.get("new_source.title").cloned().unwrap_or_default();
    if title.trim().is_empty() {
        return None;
    }
    let id = id_of(
        ctx,
        values,
        "new_source.id",
        RecordKind::Source,
        "src-",
        &title,
    );
    let mut nested = Map::new();
    singles(ctx, NEW_SOURCE, "", values, &mut nested);
    let mut obj = match nested.remove("new_source") {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    obj.entry("kind").or_insert(Value::String("other".into()));
    Some((id, obj))
}

/// Ids of record rows, made before any row is converted so rows may name each other (a
/// disbursement whose parent is the commitment above it).
fn row_ids(
    ctx: &mut Ctx,
    values: &mut Values,
    spec: &Spec,
    main_id: &str,
) -> BTreeMap<(&'static str, usize), String> {
    let mut out = BTreeMap::new();
    for group in spec.groups {
        let Some(kind) = group.record else {
            continue;
        };
        for (i, row) in group_rows(values, group.name).into_iter().enumerate() {
            if row.iter().all(|(k, v)| k == "id" || v.trim().is_empty()) {
                continue;
            }
            let (prefix, base) = match kind {
                RecordKind::Flow => (
                    "flow-",
                    format!(
                        "{}-{}",
                        main_id.trim_start_matches(spec.id_prefix),
                        row.get("kind").cloned().unwrap_or_default()
                    ),
                ),
                _ => ("eq-", row.get("description").cloned().unwrap_or_default()),
            };
            let name = format!("{}[{i}].id", group.name);
            let id = id_of(ctx, values, &name, kind, prefix, &base);
            out.insert((group.name, i), id);
        }
    }
    out
}

/// The main record's single fields, on its stored version when it has one.
fn main_fields(
    ctx: &mut Ctx,
    values: &Values,
    spec: &Spec,
    mode: &str,
    main_id: &str,
) -> Map<String, Value> {
    let mut main = if mode == "new" {
        Map::new()
    } else {
        stored_json(ctx.ledger, spec.kind, main_id)
    };
    if mode == "new"
        && let Err(e) = RecordId::parse(main_id)
    {
        ctx.refused("id", &e);
    }
    main.insert("id".into(), Value::String(main_id.to_string()));
    for field in spec.fields.iter().filter(|f| f.name != "id") {
        let raw = values.get(field.name).cloned().unwrap_or_default();
        let v = convert(ctx, field, field.name, &raw, values);
        set_path(&mut main, field.name, v);
    }
    main
}

/// The citations of the `sources` rows: an existing source or the new one, with the quote.
fn citations(
    ctx: &mut Ctx,
    values: &Values,
    main: &Map<String, Value>,
    new_source: Option<&str>,
) -> Vec<Value> {
    let stored: Vec<Value> = main
        .get("sources")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut cites = Vec::new();
    for (i, row) in group_rows(values, "sources").into_iter().enumerate() {
        let quote = row.get("quote").map(|q| q.trim()).unwrap_or_default();
        let src = row.get("source").map(|q| q.trim()).unwrap_or_default();
        if quote.is_empty() && src.is_empty() {
            continue;
        }
        let source = if src.is_empty() {
            new_source.map(String::from)
        } else {
            ctx.reference(RecordKind::Source, src)
        };
        let Some(source) = source else {
            let field = format!("sources[{i}].source");
            if src.is_empty() {
                ctx.err(&field, src, Msg::new("form-err-choose-source"));
            } else {
                let e = ValidationError::no_such_record(&field, src, RecordKind::Source);
                ctx.refused(&field, &e);
            }
            continue;
        };
        let mut c = Map::new();
        c.insert("source".into(), Value::String(source));
        if !quote.is_empty() {
            c.insert("quote".into(), Value::String(quote.to_string()));
        }
        // The same citation as stored keeps what the form does not show (`field`).
        let same = stored
            .iter()
            .find(|s| s.get("source") == c.get("source") && s.get("quote") == c.get("quote"));
        cites.push(same.cloned().unwrap_or(Value::Object(c)));
    }
    cites
}

/// The items of a list inside the main record. A row keeps what the form does not show (a legal
/// step's signatories and sources) from the stored item at its place when that item is the same
/// kind of thing (same first field); a reordered list starts afresh.
fn list_items(
    group: &Group,
    rows: Vec<(usize, Map<String, Value>)>,
    main: &Map<String, Value>,
) -> Vec<Value> {
    let stored: Vec<Value> = main
        .get(group.name)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let lead = group.fields.first().map_or("", |f| f.name);
    let mut items = Vec::new();
    for (k, (_, row)) in rows.into_iter().enumerate() {
        let mut item = match stored.get(k) {
            Some(Value::Object(old)) if old.get(lead) == row.get(lead) => old.clone(),
            _ => Map::new(),
        };
        for f in group.fields {
            set_path(&mut item, f.name, get_path(&row, f.name));
        }
        items.push(Value::Object(item));
    }
    items
}

/// Turns the rows of a record group (flows, equipment lines) into records of the activity.
struct RecordRows<'a> {
    group: &'a Group,
    kind: RecordKind,
    row_ids: &'a BTreeMap<(&'static str, usize), String>,
    activity: &'a str,
    default_source: Option<&'a str>,
}

impl RecordRows<'_> {
    fn children(
        &self,
        ctx: &mut Ctx,
        rows: Vec<(usize, Map<String, Value>)>,
        values: &Values,
    ) -> Vec<Child> {
        let name = self.group.name;
        let all = group_rows(values, name);
        let mut out = Vec::new();
        for (i, obj) in rows {
            let Some(id) = self.row_ids.get(&(name, i)).cloned() else {
                continue;
            };
            // The stored version is the base, so what the row does not show is kept.
            let mut base = stored_json(ctx.ledger, self.kind, &id);
            let stored_sources = base.get("sources").cloned();
            for f in self
                .group
                .fields
                .iter()
                .filter(|f| !matches!(f.name, "id" | "source" | "quote"))
            {
                set_path(&mut base, f.name, get_path(&obj, f.name));
            }
            base.insert("id".into(), Value::String(id));
            base.insert("activity".into(), Value::String(self.activity.to_string()));
            let row = &all[i];
            let src = row.get("source").map(|s| s.trim()).unwrap_or_default();
            let quote = row.get("quote").map(|s| s.trim()).unwrap_or_default();
            let source = if src.is_empty() {
                None
            } else {
                ctx.reference(RecordKind::Source, src)
            };
            if !src.is_empty() && source.is_none() {
                let field = format!("{name}[{i}].source");
                let e = ValidationError::no_such_record(&field, src, RecordKind::Source);
                ctx.refused(&field, &e);
            }
            if self.kind == RecordKind::Flow && quote.is_empty() {
                ctx.err(&format!("{name}[{i}].quote"), "", Msg::new("err-required"));
            }
            if !quote.is_empty() || source.is_some() {
                let cited = source
                    .or_else(|| self.default_source.map(String::from))
                    .unwrap_or_default();
                let mut c = Map::new();
                c.insert("source".into(), Value::String(cited));
                if !quote.is_empty() {
                    c.insert("quote".into(), Value::String(quote.to_string()));
                }
                // The stored citations stay when the form shows the first one unchanged.
                let unchanged =
                    stored_sources
                        .as_ref()
                        .and_then(|s| s.get(0))
                        .is_some_and(|first| {
                            first.get("source") == c.get("source")
                                && first.get("quote") == c.get("quote")
                        });
                let cites = match (&stored_sources, unchanged) {
                    (Some(all), true) => all.clone(),
                    _ => Value::Array(vec![Value::Object(c)]),
                };
                base.insert("sources".into(), cites);
            }
            out.push(Child {
                prefix: format!("{name}[{i}]."),
                kind: self.kind,
                obj: base,
            });
        }
        out
    }
}

/// The records, main first, each through the model's rules; none when any problem was found.
fn assemble(
    mut ctx: Ctx,
    kind: RecordKind,
    main: Map<String, Value>,
    new_source: Option<(String, Map<String, Value>)>,
    children: Vec<Child>,
    values: Values,
) -> Built {
    let mut records = Vec::new();
    let mut located = Vec::new();
    let mut keep = |prefix: &str, r: Record| {
        located.push((prefix.to_string(), (r.kind(), r.id().clone())));
        records.push(r);
    };
    if let Some(r) = finish(&mut ctx, kind, "", main) {
        keep("", r);
    }
    if let Some((_, obj)) = new_source
        && let Some(r) = finish(&mut ctx, RecordKind::Source, "new_source.", obj)
    {
        keep("new_source.", r);
    }
    for child in children {
        // Already reported above; a citation of "" would only add a parser's complaint.
        if child.cites_nothing() {
            continue;
        }
        if let Some(r) = finish(&mut ctx, child.kind, &child.prefix, child.obj) {
            keep(&child.prefix, r);
        }
    }
    if !ctx.errors.is_empty() {
        records.clear();
        located.clear();
    }
    Built {
        records,
        errors: ctx.errors,
        values,
        located,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changes::forms::specs::{ACTIVITY, FACILITY, FACILITY_POWER, FLOW};
    use proptest::prelude::*;

    /// Input names of a spec, rows 0 to 2, plus names no form has.
    fn names(spec: &Spec) -> Vec<String> {
        let mut out: Vec<String> = spec.fields.iter().map(|f| f.name.to_string()).collect();
        for g in spec.groups {
            for i in 0..3 {
                out.extend(
                    g.fields
                        .iter()
                        .map(|f| format!("{}[{i}].{}", g.name, f.name)),
                );
            }
        }
        out.extend(NEW_SOURCE.iter().map(|f| f.name.to_string()));
        out.extend(
            [
                "countries[99999999999].country",
                "flows[x].kind",
                "roles.donor",
                "sectors[",
            ]
            .map(String::from),
        );
        out
    }

    proptest! {
        #[test]
        fn any_posted_form_gives_records_or_problems_never_a_panic(
            picks in proptest::collection::vec((0usize..400, "\\PC{0,24}"), 0..40),
            which in 0usize..4,
        ) {
            let spec = [&ACTIVITY, &FLOW, &FACILITY, &FACILITY_POWER][which];
            let all = names(spec);
            let values: Values = picks
                .into_iter()
                .map(|(i, v)| (all[i % all.len()].clone(), v))
                .collect();
            let built = build(spec, &values, "new", &Ledger::default());
            if built.errors.is_empty() {
                prop_assert!(!built.records.is_empty());
                prop_assert_eq!(built.records[0].kind(), spec.kind);
            } else {
                prop_assert!(built.records.is_empty());
            }
        }

        #[test]
        fn a_slug_is_always_an_id_after_its_prefix(text in "\\PC{0,80}") {
            let s = slug(&text);
            prop_assert!(s.len() <= 61);
            prop_assert!(!s.starts_with('-') && !s.ends_with('-'));
            let id = format!("act-{s}");
            prop_assert!(RecordId::parse(&id).is_ok());
        }
    }

    #[test]
    fn a_cyrillic_title_gives_a_latin_id() {
        assert_eq!(slug("Аппараты ИВЛ"), "apparaty-ivl");
        assert_eq!(slug("  MRI -- for Semey!! "), "mri-for-semey");
    }
}
