//! The form as HTML (maud escapes every value, so text with script in it shows as text).

use std::collections::BTreeMap;

use aidtrace_domain::RecordKind;
use axum::response::Html;
use maud::{Markup, html};

use super::specs::{Field, Group, In, NEW_SOURCE, Spec};
use super::{FieldError, Values, group_rows};
use crate::auth::{self, Caller};
use crate::i18n::{self, t, ta};
use crate::request_ctx::layout;
use crate::state::Snapshot;

pub struct Page<'a> {
    pub caller: &'a Caller,
    pub snap: &'a Snapshot,
    pub spec: &'static Spec,
    pub mode: &'a str,
    pub etag: &'a str,
}

/// A problem in the reader's language, with the refused value: the form's own checks and the
/// model's rules with a message id are worded from the catalogue; the model's other sentences go
/// through [`i18n::field_problem`].
pub fn problem_text(e: &FieldError) -> String {
    if let Some(said) = &e.said {
        return said.with_value(&e.value);
    }
    if let Some(problem) = &e.problem {
        return crate::labels::problem_text(problem, &e.value);
    }
    i18n::field_problem(&e.value, &e.message)
}

/// `countries[0].percentage` → `countries-0-percentage`, usable as an HTML id.
pub fn dom_id(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect::<String>()
        .replace("--", "-")
        .trim_matches('-')
        .to_string()
}

/// The type-ahead list of a field kind: id (or code) and the words shown beside it.
fn options(snap: &Snapshot, input: In, near: &[String]) -> Option<(String, Vec<(String, String)>)> {
    let l = &snap.ledger;
    let list: Vec<(String, String)> = match input {
        In::Country => aidtrace_domain::code_names::countries()
            .iter()
            .filter(|e| !e.withdrawn)
            // Names in the reader's language where the catalogues have them.
            .map(|e| (e.code.to_string(), crate::labels::country(e.code)))
            .collect(),
        In::Currency => aidtrace_domain::code_names::currencies()
            .iter()
            .filter(|e| !e.withdrawn)
            .map(|e| (e.code.to_string(), e.name.to_string()))
            .collect(),
        In::Sector => SECTORS
            .iter()
            .filter_map(|c| {
                aidtrace_domain::sectors::name(c)
                    .map(|_| ((*c).to_string(), crate::labels::sector_text(c)))
            })
            .collect(),
        In::Ref(
            kind @ (RecordKind::Organisation
            | RecordKind::Activity
            | RecordKind::Facility
            | RecordKind::Source),
        ) => l
            .names_of_kind(kind)
            .map(|(id, name)| (id.to_string(), name.to_string()))
            .collect(),
        // Parent flows are those of the activity the form is about, or of its parent activity
        // (a programme's envelope): every flow of a large ledger would make the page megabytes.
        // Read through the activity index, not by a walk over every flow of the ledger.
        In::Ref(RecordKind::Flow) => {
            let mut flows: Vec<(String, String)> = near
                .iter()
                .filter_map(|a| aidtrace_domain::RecordId::parse(a).ok())
                .flat_map(|a| {
                    l.flows_of(&a)
                        .map(|f| {
                            (
                                f.id.to_string(),
                                format!(
                                    "{} {} {}",
                                    f.kind.as_str(),
                                    f.money.amount,
                                    f.money.currency
                                ),
                            )
                        })
                        .collect::<Vec<_>>()
                })
                .collect();
            flows.sort();
            flows.dedup();
            flows
        }
        _ => return None,
    };
    Some((list_id(input), list))
}

/// Lists longer than this are searched on the server as a person types (see [`suggest`]).
pub const INLINE_LIMIT: usize = 500;

fn suggest_kind(input: In) -> &'static str {
    match input {
        In::Ref(k) => k.as_str(),
        _ => "",
    }
}

/// Up to 30 entries of the type-ahead list of `kind` whose id or name holds `q` (any case).
pub fn suggest(snap: &Snapshot, kind: RecordKind, q: &str) -> Vec<(String, String)> {
    let q = q.trim().to_lowercase();
    // Filtered as the names are read: a copy of 100,000 titles per keystroke is not needed for 30.
    snap.ledger
        .names_of_kind(kind)
        .filter(|(id, name)| {
            id.as_str().to_lowercase().contains(&q) || name.to_lowercase().contains(&q)
        })
        .take(30)
        .map(|(id, name)| (id.to_string(), name.to_string()))
        .collect()
}

const SECTORS: &[&str] = &[
    "12110", "12181", "12182", "12191", "12220", "12230", "12240", "12250", "12264", "12310",
    "15110", "23210", "23630", "23640", "72010", "73010", "74020",
];

fn list_id(input: In) -> String {
    match input {
        In::Country => "dl-country".into(),
        In::Currency => "dl-currency".into(),
        In::Sector => "dl-sector".into(),
        In::Ref(k) => format!("dl-{}", k.as_str()),
        _ => String::new(),
    }
}

fn all_inputs(spec: &Spec) -> Vec<In> {
    let mut out: Vec<In> = Vec::new();
    let fields = spec
        .fields
        .iter()
        .chain(spec.groups.iter().flat_map(|g| g.fields.iter()));
    for f in fields {
        if !out.contains(&f.input) {
            out.push(f.input);
        }
    }
    out
}

/// The words a person sees for a field's form name, in the reader's language: "Title",
/// "Sectors, row 2: Percentage", "Countries: Percentage" for a group's sum; `None` for a name
/// the form does not show as such (a model rule's path inside a row).
fn field_words(spec: &Spec, name: &str) -> Option<String> {
    if let Some(f) = spec.fields.iter().find(|f| f.name == name) {
        return Some(t(f.label));
    }
    let (head, rest) = name.split_once('.')?;
    let (group, row) = match head.split_once('[') {
        Some((group, index)) => {
            let n: usize = index.strip_suffix(']')?.parse().ok()?;
            (group, Some(n.checked_add(1)?))
        }
        None => (head, None),
    };
    let g = spec.groups.iter().find(|g| g.name == group)?;
    let f = g.fields.iter().find(|f| f.name == rest)?;
    Some(match row {
        Some(row) => ta(
            "form-field-in-row",
            &[
                ("group", &t(g.label)),
                ("row", &row.to_string()),
                ("field", &t(f.label)),
            ],
        ),
        None => format!("{}: {}", t(g.label), t(f.label)),
    })
}

struct Ctx<'a> {
    values: &'a Values,
    errors: &'a [FieldError],
    readonly_ids: bool,
}

fn field_html(c: &Ctx, f: &Field, name: &str, row_id_stored: bool) -> Markup {
    let v = c.values.get(name).cloned().unwrap_or_default();
    let err = c.errors.iter().find(|e| e.field == name);
    let id = format!("f-{}", dom_id(name));
    let class = match (err.is_some(), f.input) {
        (true, _) => "field invalid",
        _ => "field",
    };
    html! {
        div class=(class) data-name=(f.name) {
            label for=(id) { (t(f.label)) @if f.required { " *" } }
            @match f.input {
                In::Long => { textarea name=(name) id=(id) rows="2" { (v) } }
                In::Check => { input type="checkbox" name=(name) id=(id) checked[!v.is_empty()]; }
                In::Multi(list) => {
                    span class="choices" id=(id) {
                        @for x in list {
                            @let n = format!("{name}.{x}");
                            label class="choice" { input type="checkbox" name=(n) checked[c.values.contains_key(&n)]; " " (i18n::value(x)) }
                        }
                    }
                }
                In::Choice(list) => {
                    select name=(name) id=(id) {
                        option value="" { "—" }
                        @for x in list { option value=(x) selected[v == *x] { (i18n::value(x)) } }
                    }
                }
                In::Date => { input type="date" name=(name) id=(id) value=(v); }
                In::Id => {
                    @let fixed = (c.readonly_ids && name == "id") || row_id_stored;
                    input type="text" name=(name) id=(id) value=(v) readonly[fixed] class="record-id" placeholder=(t("form-id-auto"));
                }
                In::Ref(_) | In::Country | In::Currency | In::Sector => {
                    input type="text" name=(name) id=(id) value=(v) list=(list_id(f.input)) autocomplete="off";
                }
                In::Text | In::Decimal | In::Integer => {
                    input type="text" name=(name) id=(id) value=(v) inputmode=[matches!(f.input, In::Decimal | In::Integer).then_some("decimal")];
                }
            }
            @if let Some(e) = err { span class="field-error" id=(format!("err-{}", dom_id(name))) { (problem_text(e)) } }
        }
    }
}

fn group_html(c: &Ctx, page: &Page, g: &Group) -> Markup {
    let mut rows = group_rows(c.values, g.name);
    if rows.len() < g.min_rows {
        rows.resize_with(g.min_rows, BTreeMap::new);
    }
    let sum_err = c
        .errors
        .iter()
        .find(|e| e.field == format!("{}.percentage", g.name));
    html! {
        fieldset class=(if sum_err.is_some() { "group invalid" } else { "group" }) id=(format!("group-{}", g.name)) data-group=(g.name) data-percent=[g.percent.then_some("1")] {
            legend { (t(g.label)) }
            @for (i, row) in rows.iter().enumerate() {
                @let stored = g.record.is_some_and(|k| page.mode == "edit" && row.get("id").is_some_and(|id| exists(page, k, id)));
                div class="row" data-index=(i) {
                    @for f in g.fields {
                        (field_html(c, f, &format!("{}[{i}].{}", g.name, f.name), stored && f.name == "id"))
                    }
                    button type="submit" name="_remove" value=(format!("{}.{i}", g.name)) class="remove-row" formnovalidate { (t("form-remove-row")) }
                }
            }
            @if g.percent {
                p class="sum" { (t("form-sum")) ": " output id=(format!("sum-{}", g.name)) { (sum_of(&rows)) } " %" }
            }
            @if let Some(e) = sum_err { span class="field-error" id=(format!("err-{}-percentage", g.name)) { (problem_text(e)) } }
            button type="submit" name="_add" value=(g.name) class="add-row" id=(format!("add-{}", g.name)) formnovalidate { (t("form-add-row")) }
        }
    }
}

fn exists(page: &Page, kind: RecordKind, id: &str) -> bool {
    let Ok(id) = aidtrace_domain::RecordId::parse(id) else {
        return false;
    };
    match kind {
        RecordKind::Flow => page.snap.ledger.flows.contains_key(&id),
        RecordKind::EquipmentLine => page.snap.ledger.equipment_lines.contains_key(&id),
        _ => false,
    }
}

/// The server's sum of a group's percentages, as the script shows it live (exact decimals).
fn sum_of(rows: &[BTreeMap<String, String>]) -> String {
    let mut sum = rust_decimal::Decimal::ZERO;
    for r in rows {
        if let Some(p) = r
            .get("percentage")
            .and_then(|p| aidtrace_domain::money::parse_exact(p).ok())
        {
            sum = sum.checked_add(p).unwrap_or(sum);
        }
    }
    sum.normalize().to_string()
}

/// The activities whose flows a parent-flow list offers: the form's activity (its id, or the
/// activity a flow or line belongs to) and that activity's parent.
fn related_activities(page: &Page, values: &Values) -> Vec<String> {
    let own = if page.spec.kind == RecordKind::Activity {
        "id"
    } else {
        "activity"
    };
    let mut out: Vec<String> = values.get(own).into_iter().cloned().collect();
    if let Some(parent) = values.get("parent") {
        out.push(parent.clone());
    }
    let stored_parent = out
        .first()
        .and_then(|a| aidtrace_domain::RecordId::parse(a).ok())
        .and_then(|a| page.snap.ledger.activities.get(&a))
        .and_then(|a| a.parent.as_ref())
        .map(ToString::to_string);
    out.extend(stored_parent);
    out
}

/// The whole form page with `errors` beside their fields and listed at the top.
pub fn form(page: &Page, values: &Values, errors: &[FieldError]) -> Html<String> {
    let spec = page.spec;
    let csrf = page
        .caller
        .principal()
        .and_then(|p| p.csrf.clone())
        .unwrap_or_default();
    let c = Ctx {
        values,
        errors,
        readonly_ids: page.mode == "edit",
    };
    let kind_label = i18n::value(spec.kind.as_str());
    let title = if page.mode == "new" {
        ta("form-new", &[("kind", &kind_label)])
    } else {
        ta("form-edit", &[("kind", &kind_label)])
    };
    let cites = spec.groups.iter().any(|g| g.name == "sources");
    let direct = page
        .caller
        .principal()
        .is_some_and(auth::Principal::writes_directly);
    layout(
        &title,
        page.caller,
        html! {
            @if !errors.is_empty() {
                div class="error" id="form-errors" role="alert" {
                    p { (ta("form-errors", &[("count", &errors.len().to_string())])) }
                    ul {
                        @for e in errors {
                            li {
                                @if e.field.is_empty() { (problem_text(e)) }
                                @else {
                                    a href=(format!("#f-{}", dom_id(&e.field))) {
                                        @match field_words(spec, &e.field) {
                                            Some(words) => (words),
                                            None => code { (e.field) },
                                        }
                                    }
                                    ": " (problem_text(e))
                                }
                            }
                        }
                    }
                }
            }
            form method="post" action=(format!("/forms/{}", spec.collection)) class="form entry" id="record-form" novalidate data-mode=(page.mode) data-prefix=(spec.id_prefix) data-title=(spec.title_field) {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="_mode" value=(page.mode);
                input type="hidden" name="_etag" value=(page.etag);
                fieldset class="main" {
                    @for f in spec.fields { (field_html(&c, f, f.name, false)) }
                }
                @for g in spec.groups { (group_html(&c, page, g)) }
                @if cites {
                    fieldset class="group" id="group-new-source" {
                        legend { (t("form-new-source")) }
                        @for f in NEW_SOURCE { (field_html(&c, f, f.name, false)) }
                    }
                }
                @let near = related_activities(page, values);
                @for input in all_inputs(spec) {
                    @if let Some((id, list)) = options(page.snap, input, &near) {
                        @if list.len() > INLINE_LIMIT {
                            // Too many to send with every form (9,000 activities after an IATI
                            // import): the script asks `/forms/suggest` as the person types; an
                            // id or exact name typed without it is accepted all the same.
                            datalist id=(id) data-suggest=(format!("/forms/suggest/{}", suggest_kind(input))) {}
                        } @else {
                            datalist id=(id) {
                                @for (value, label) in list { option value=(value) { (label) } }
                            }
                        }
                    }
                }
                @if direct {
                    button type="submit" name="_action" value="submit" id="save" { (t("form-save")) }
                } @else {
                    button type="submit" name="_action" value="draft" id="save-draft" { (t("form-save-draft")) }
                    " "
                    button type="submit" name="_action" value="submit" id="submit-approval" { (t("form-submit")) }
                }
            }
            script src="/static/forms.js" defer {}
        },
    )
}
