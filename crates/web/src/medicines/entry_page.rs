//! The consignment entry page (`/medicines/consignments/new`): the form of
//! [`crate::medicines::entry`] as HTML, and its post. "Check" shows the guideline findings per line
//! before anything is saved; "Record" appears once a check found no field problem and writes
//! through the approval workflow (an admin's write is applied, an editor's waits for approval).

use std::collections::BTreeMap;

use aidtrace_domain::checks::Severity;
use aidtrace_domain::coded::Coded;
use aidtrace_domain::medicines::guidelines::{Finding, GuidelineConfig};
use aidtrace_domain::medicines::{ConsignmentMode, DestinationKind, ValueBasis};
use aidtrace_domain::{Ledger, Record};
use aidtrace_service::medicine_entry as entry;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use chrono::Utc;
use maud::{Markup, html};

use crate::auth::{self, Caller, Principal};
use crate::changes::edit::{self, WriteOutcome};
use crate::changes::forms::{Values, dom_id, group_rows};
use crate::changes::precondition::Precondition;
use crate::error::{PageError, PageResult};
use crate::i18n::{t, ta};
use crate::labels::label;
use crate::medicines::entry::{LINE_FIELDS, Problem, editor, read};
use crate::request_ctx::layout;
use crate::state::{AppState, Snapshot, blocking};

/// Entries a datalist carries at most; a longer list still accepts any id typed.
const LIST_LIMIT: usize = 500;

pub fn routes() -> Router<AppState> {
    Router::new().route("/medicines/consignments/new", get(new).post(submit))
}

/// How one input is drawn.
enum In<'a> {
    Text,
    Date,
    Long,
    /// A text input offering the datalist with this id.
    List(&'a str),
    Select(Vec<(String, String)>),
}

fn options<T: Coded>(label_of: fn(T) -> String) -> In<'static> {
    In::Select(
        T::all()
            .iter()
            .map(|v| ((*v).into().to_string(), label_of(*v)))
            .collect(),
    )
}

fn field(values: &Values, problems: &[Problem], name: &str, key: &str, input: In<'_>) -> Markup {
    let v = values.get(name).cloned().unwrap_or_default();
    let err = problems.iter().find(|p| p.field == name);
    let id = format!("f-{}", dom_id(name));
    let err_id = format!("err-{}", dom_id(name));
    html! {
        div class=(if err.is_some() { "field invalid" } else { "field" }) data-name=(name.rsplit('.').next().unwrap_or(name)) {
            label for=(id) { (t(key)) }
            @match input {
                In::Text => { input type="text" name=(name) id=(id) value=(v) aria-invalid=[err.map(|_| "true")] aria-describedby=[err.map(|_| err_id.as_str())]; }
                In::Date => { input type="date" name=(name) id=(id) value=(v) aria-invalid=[err.map(|_| "true")] aria-describedby=[err.map(|_| err_id.as_str())]; }
                In::Long => { textarea name=(name) id=(id) rows="4" aria-invalid=[err.map(|_| "true")] aria-describedby=[err.map(|_| err_id.as_str())] { (v) } }
                In::List(list) => { input type="text" name=(name) id=(id) value=(v) list=(list) autocomplete="off" aria-invalid=[err.map(|_| "true")] aria-describedby=[err.map(|_| err_id.as_str())]; }
                In::Select(choices) => {
                    select name=(name) id=(id) aria-invalid=[err.map(|_| "true")] aria-describedby=[err.map(|_| err_id.as_str())] {
                        @for (value, text) in &choices { option value=(value) selected[v == *value] { (text) } }
                    }
                }
            }
            @if let Some(e) = err { span class="field-error" id=(err_id) { (e.text) } }
        }
    }
}

fn datalist(id: &str, entries: impl Iterator<Item = (String, String)>) -> Markup {
    html! { datalist id=(id) { @for (value, text) in entries.take(LIST_LIMIT) { option value=(value) { (text) } } } }
}

fn lists(ledger: &Ledger) -> Markup {
    html! {
        (datalist("dl-organisation", ledger.organisations.values().map(|o| (o.id.to_string(), o.name.clone()))))
        (datalist("dl-activity", ledger.activities.values().map(|a| (a.id.to_string(), a.title.clone()))))
        (datalist("dl-facility", ledger.facilities.values().map(|f| (f.id.to_string(), f.name.clone()))))
        (datalist("dl-source", ledger.sources.values().map(|s| (s.id.to_string(), s.title.clone()))))
        (datalist("dl-product", ledger.medicine_products.keys().map(|id| (id.to_string(), crate::medicines::pages::product_name(ledger, id)))))
    }
}

fn yes_no() -> In<'static> {
    In::Select(vec![
        ("yes".into(), t("medp-yes")),
        ("no".into(), t("medp-no")),
    ])
}

fn line_html(
    values: &Values,
    problems: &[Problem],
    i: usize,
    findings: Option<&[&Finding]>,
) -> Markup {
    let name = |f: &str| format!("lines[{i}].{f}");
    html! {
        fieldset class="row line" id=(format!("line-entry-{}", i + 1)) data-index=(i) {
            legend { (ta("medf-line", &[("n", &(i + 1).to_string())])) }
            @for f in LINE_FIELDS {
                @let key = format!("medf-line-{}", f.replace('_', "-"));
                @let input = match f {
                    "product" => In::List("dl-product"),
                    "expiry" | "manufactured" => In::Date,
                    "inn_on_label" => yes_no(),
                    _ => In::Text,
                };
                (field(values, problems, &name(f), &key, input))
            }
            @if let Some(found) = findings {
                div class="checks" id=(format!("line-checks-{}", i + 1)) {
                    @if found.is_empty() { span class="passes" { (t("medp-passes")) } }
                    @else { ul class="findings" { @for f in found { (crate::medicines::pages::finding(f)) } } }
                }
            }
            button type="submit" name="_remove" value=(i) class="remove-row" formnovalidate { (ta("medf-remove-line", &[("n", &(i + 1).to_string())])) }
        }
    }
}

/// The whole page: problems at the top and beside their fields, the findings when checked.
fn page(
    caller: &Caller,
    p: &Principal,
    snap: &Snapshot,
    values: &Values,
    problems: &[Problem],
    findings: Option<&[Finding]>,
) -> Html<String> {
    let rows = group_rows(values, "lines").len().max(1);
    let csrf = p.csrf.clone().unwrap_or_default();
    let whole: Vec<&Finding> = findings
        .unwrap_or_default()
        .iter()
        .filter(|f| f.line.is_none())
        .collect();
    let errors = findings
        .unwrap_or_default()
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings.map_or(0, |f| f.len() - errors);
    let ledger = &snap.ledger;
    let content = html! {
        p class="muted" { (t("medf-intro")) }
        @if !problems.is_empty() {
            div class="error" id="form-errors" role="alert" {
                p { (ta("form-errors", &[("count", &problems.len().to_string())])) }
                ul { @for e in problems {
                    li { @if e.field.is_empty() { (e.text) } @else { a href=(format!("#f-{}", dom_id(&e.field))) { code { (e.field) } } ": " (e.text) } }
                } }
            }
        }
        @if findings.is_some() {
            div class="notice" id="entry-findings" role="status" {
                p { strong { (t("medp-checks")) } ": " (label(Severity::Error)) " " (errors) " · " (label(Severity::Warning)) " " (warnings) }
                p class="muted" { (t("medf-checked-note")) }
                @if !whole.is_empty() { ul class="findings" id="entry-whole-findings" { @for f in &whole { (crate::medicines::pages::finding(f)) } } }
            }
        }
        form method="post" action="/medicines/consignments/new" class="form entry" id="consignment-form" novalidate {
            input type="hidden" name="csrf" value=(csrf);
            fieldset class="main" {
                legend { (t("medf-header")) }
                (field(values, problems, "donor", "medp-col-donor", In::List("dl-organisation")))
                (field(values, problems, "activity", "field-activity", In::List("dl-activity")))
                (field(values, problems, "mode", "medp-mode", options::<ConsignmentMode>(label)))
                (field(values, problems, "shipped", "medp-shipped", In::Date))
                (field(values, problems, "arrived", "medp-col-arrived", In::Date))
                (field(values, problems, "destination", "medp-col-destination", In::List("dl-facility")))
                (field(values, problems, "destination_kind", "medf-destination-kind", options::<DestinationKind>(label)))
                (field(values, problems, "recipient_country", "medf-recipient-country", In::Text))
                (field(values, problems, "recipient_languages", "medf-recipient-languages", In::Text))
                (field(values, problems, "declared_value", "medp-declared-value", In::Text))
                (field(values, problems, "currency", "medf-currency", In::Text))
                (field(values, problems, "value_basis", "medf-value-basis", options::<ValueBasis>(label)))
                (field(values, problems, "request_reference", "medp-request", In::Text))
                (field(values, problems, "source", "medf-source", In::List("dl-source")))
                (field(values, problems, "id", "medf-id", In::Text))
            }
            fieldset class="group" id="group-scan" {
                legend { (t("medf-scan")) }
                p class="muted" { (t("medf-scan-note")) }
                (field(values, problems, "paste", "medf-paste", In::Long))
                // The first submit button: a scanner's Enter after a scan fills the lines.
                button type="submit" name="_action" value="scan" id="fill-scans" formnovalidate { (t("medf-fill-scans")) }
            }
            fieldset class="group" id="group-lines" {
                legend { (t("medp-packing-list")) }
                @if let Some(e) = problems.iter().find(|e| e.field == "lines") { p class="field-error" id="err-lines" { (e.text) } }
                @for i in 0..rows {
                    @let own: Option<Vec<&Finding>> = findings.map(|f| f.iter().filter(|x| x.line == Some(i)).collect());
                    (line_html(values, problems, i, own.as_deref()))
                }
                button type="submit" name="_action" value="add_line" class="add-row" id="add-line" formnovalidate { (t("medf-add-line")) }
            }
            (lists(ledger))
            p class="actions" {
                button type="submit" name="_action" value="check" id="check" { (t("medf-check")) }
                @if findings.is_some() && problems.is_empty() {
                    " "
                    button type="submit" name="_action" value="save" id="record" {
                        @if p.writes_directly() { (t("medf-record")) } @else { (t("form-submit")) }
                    }
                }
            }
        }
    };
    layout(&t("title-consignment-new"), caller, content)
}

async fn new(State(state): State<AppState>, caller: Caller) -> PageResult<Html<String>> {
    let p = editor(&caller)?;
    let snap = state.snapshot().await?;
    let mut values = Values::new();
    for (k, v) in [
        ("mode", "direct"),
        ("destination_kind", "central_warehouse"),
        ("value_basis", "unknown"),
        ("lines[0].inn_on_label", "yes"),
    ] {
        values.insert(k.into(), v.into());
    }
    Ok(page(&caller, &p, &snap, &values, &[], None))
}

fn with_rows(values: &mut Values, f: impl FnOnce(&mut Vec<BTreeMap<String, String>>)) {
    let mut rows = group_rows(values, "lines");
    f(&mut rows);
    values.retain(|k, _| !k.starts_with("lines["));
    for (i, row) in rows.iter().enumerate() {
        for (k, v) in row {
            values.insert(format!("lines[{i}].{k}"), v.clone());
        }
    }
}

async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<Values>,
) -> PageResult<Response> {
    let p = editor(&caller)?;
    auth::check_csrf(&p, form.get("csrf").map(String::as_str).unwrap_or_default())?;
    let snap = state.snapshot().await?;
    let today = Utc::now().date_naive();
    let action = form.get("_action").cloned().unwrap_or_default();
    // Adding or removing a line re-renders the form as typed, without reading it.
    if form.contains_key("_remove") || action == "add_line" {
        let mut values = form.clone();
        values.retain(|k, _| !k.starts_with('_') && k != "csrf");
        let remove = form.get("_remove").and_then(|r| r.parse::<usize>().ok());
        with_rows(&mut values, |rows| match remove {
            Some(i) if i < rows.len() => {
                rows.remove(i);
            }
            Some(_) => {}
            None => rows.push(BTreeMap::from([("inn_on_label".into(), "yes".into())])),
        });
        return Ok(page(&caller, &p, &snap, &values, &[], None).into_response());
    }
    let got = read(&form, &snap.ledger, today);
    if action == "scan" {
        // Filling lines from scans shows only what is wrong with the scans themselves.
        let scans: Vec<Problem> = got
            .problems
            .into_iter()
            .filter(|e| e.field.ends_with(".gs1"))
            .collect();
        let status = if scans.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return Ok((status, page(&caller, &p, &snap, &got.values, &scans, None)).into_response());
    }
    let Some(mut consignment) = got.consignment else {
        let body = page(&caller, &p, &snap, &got.values, &got.problems, None);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response());
    };
    let findings = entry::check_draft(
        &snap.ledger,
        &consignment,
        &GuidelineConfig::default(),
        today,
    );
    if action != "save" {
        return Ok(page(&caller, &p, &snap, &got.values, &[], Some(&findings)).into_response());
    }
    let st = state.clone();
    let principal = p.clone();
    let typed_id = got.values.get("id").is_some_and(|v| !v.trim().is_empty());
    let result = blocking(move || {
        if !typed_id {
            let app = st.service();
            consignment.id = entry::consignment_id(&app, &consignment.donor, consignment.shipped)?;
        }
        let id = consignment.id.clone();
        let written = edit::write(
            &st,
            &principal,
            vec![Record::Consignment(consignment)],
            &Precondition::New,
            true,
        )?;
        Ok((id, written))
    })
    .await;
    match result {
        Ok((id, WriteOutcome::Applied { .. })) => {
            Ok(Redirect::to(&format!("/medicines/consignments/{id}")).into_response())
        }
        Ok((_, WriteOutcome::Proposed { change, .. })) => {
            Ok(Redirect::to(&format!("/changes#change-{change}")).into_response())
        }
        Err(e) if e.status.is_client_error() => {
            let field = match e.field.as_deref() {
                Some(f) => f.split('[').next().unwrap_or(f).to_string(),
                None => String::new(),
            };
            let problem = Problem {
                field: if field == "lines" {
                    e.field.clone().unwrap_or_default()
                } else {
                    field
                },
                text: crate::error::error_text(&e),
            };
            let body = page(&caller, &p, &snap, &got.values, &[problem], Some(&findings));
            Ok((e.status, body).into_response())
        }
        Err(e) => Err(PageError(e)),
    }
}
