//! What happens to a recorded consignment, in the browser: the arrival decision (accept, accept
//! in part choosing the lines, or reject with a reason) taken with the guideline findings in
//! view, and movements of its lots (distribution to a facility, use, loss, expiry, destruction).
//! Both write through the approval workflow (`edit::write`); the service replays the stock
//! before any write, so a movement beyond what a facility holds is refused naming the lot, the
//! facility and the figures, and nothing is written.

use aidtrace_domain::coded::Coded;
use aidtrace_domain::medicines::guidelines::{Finding, GuidelineConfig};
use aidtrace_domain::medicines::{Consignment, DecisionOutcome, MovementKind};
use aidtrace_domain::{Ledger, RecordId};
use aidtrace_service::medicine_entry as entry;
use aidtrace_service::medicines::{self as service, NewMovement};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use chrono::{NaiveDate, Utc};
use maud::{Markup, html};

use crate::auth::{self, Caller, Principal};
use crate::changes::edit::{self, WriteOutcome};
use crate::changes::forms::{Values, dom_id};
use crate::changes::precondition::Precondition;
use crate::error::parse_id;
use crate::error::{ApiError, PageError, PageResult};
use crate::i18n::{self, t, ta};
use crate::labels::label;
use crate::medicines::entry::{Problem, editor};
use crate::medicines::pages::{finding, product_name};
use crate::request_ctx::layout;
use crate::state::{AppState, Snapshot, blocking};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/medicines/consignments/{id}/decide",
            get(decide_page).post(decide_submit),
        )
        .route(
            "/medicines/consignments/{id}/move",
            get(move_page).post(move_submit),
        )
}

/// The kinds of movement the form records; receipts come from the arrival decision.
const MOVE_KINDS: [MovementKind; 5] = [
    MovementKind::Distribution,
    MovementKind::Use,
    MovementKind::Loss,
    MovementKind::Expiry,
    MovementKind::Destruction,
];

fn consignment_of<'a>(snap: &'a Snapshot, raw: &str) -> Result<&'a Consignment, PageError> {
    let id = parse_id(raw)?;
    snap.ledger.consignments.get(&id).ok_or_else(|| {
        PageError(ApiError::not_found(ta(
            "medp-err-no-consignment",
            &[("id", id.as_str())],
        )))
    })
}

fn problems_box(problems: &[Problem]) -> Markup {
    html! {
        @if !problems.is_empty() {
            div class="error" id="form-errors" role="alert" {
                p { (ta("form-errors", &[("count", &problems.len().to_string())])) }
                ul { @for e in problems {
                    li { @if e.field.is_empty() { (e.text) } @else { a href=(format!("#f-{}", dom_id(&e.field))) { code { (e.field) } } ": " (e.text) } }
                } }
            }
        }
    }
}

fn error_of(problems: &[Problem], name: &str) -> Markup {
    html! {
        @if let Some(e) = problems.iter().find(|p| p.field == name) {
            span class="field-error" id=(format!("err-{}", dom_id(name))) { (e.text) }
        }
    }
}

/// A refused write as a problem on the form's field it names.
fn refused(e: &ApiError) -> Problem {
    Problem {
        field: e.field.clone().unwrap_or_default(),
        text: crate::error::error_text(e),
    }
}

fn submit_label(p: &Principal, direct: &str) -> String {
    if p.writes_directly() {
        t(direct)
    } else {
        t("form-submit")
    }
}

fn back(c: &Consignment) -> Markup {
    html! { p { a href=(format!("/medicines/consignments/{}", c.id)) id="back-to-consignment" { (ta("title-consignment", &[("id", c.id.as_str())])) } } }
}

// ---- the arrival decision --------------------------------------------------------------------

fn decide_html(
    caller: &Caller,
    p: &Principal,
    snap: &Snapshot,
    c: &Consignment,
    values: &Values,
    problems: &[Problem],
) -> Html<String> {
    let ledger = &snap.ledger;
    let found: Vec<Finding> = service::check_consignment_in(
        ledger,
        &c.id,
        &GuidelineConfig::default(),
        Utc::now().date_naive(),
    )
    .unwrap_or_default();
    let whole: Vec<&Finding> = found.iter().filter(|f| f.line.is_none()).collect();
    let outcome = values.get("outcome").map_or("", String::as_str);
    // A consignment decided already: a new decision replaces that one, and what was received
    // under it stays received, so the page says so before anyone decides again.
    let in_force = service::latest_decisions(ledger).get(&c.id).copied();
    let content = html! {
        (back(c))
        @if let Some(d) = in_force {
            p class="notice" id="decided-already" {
                (ta("medf-decided-already", &[("date", &i18n::date(d.decided_on)), ("outcome", &label(d.outcome))]))
            }
        }
        p class="muted" { (t("medf-decide-note")) }
        (problems_box(problems))
        @if !whole.is_empty() { ul class="findings" id="decide-whole-findings" { @for f in &whole { (finding(f)) } } }
        form method="post" action=(format!("/medicines/consignments/{}/decide", c.id)) class="form entry" id="decide-form" novalidate {
            input type="hidden" name="csrf" value=(p.csrf.clone().unwrap_or_default());
            fieldset class="group" id="f-lines" {
                legend { (t("medf-decide-lines")) }
                (error_of(problems, "lines"))
                @for (i, line) in c.lines.iter().enumerate() {
                    @let own: Vec<&Finding> = found.iter().filter(|f| f.line == Some(i)).collect();
                    @let name = format!("line.{i}");
                    div class=(if own.is_empty() { "row passes" } else { "row fails" }) id=(format!("decide-line-{}", i + 1)) {
                        label class="choice" {
                            input type="checkbox" name=(name) id=(format!("f-line-{i}")) checked[values.contains_key(&name)];
                            " " (i + 1) ". " (product_name(ledger, &line.product)) " · " code { (line.lot) } " · " (i18n::date(line.expiry))
                        }
                        @if own.is_empty() { span class="passes" { (t("medp-passes")) } }
                        @else { ul class="findings" { @for f in &own { (finding(f)) } } }
                    }
                }
            }
            fieldset class="main" id="f-outcome" {
                legend { (t("medp-col-decision")) }
                @for o in DecisionOutcome::all() {
                    @let v: &str = (*o).into();
                    label class="choice" { input type="radio" name="outcome" value=(v) id=(format!("outcome-{v}")) checked[outcome == v]; " " (label(*o)) }
                    br;
                }
                (error_of(problems, "outcome"))
            }
            div class=(if problems.iter().any(|p| p.field == "reason") { "field invalid" } else { "field" }) {
                label for="f-reason" { (t("medf-reason")) }
                textarea name="reason" id="f-reason" rows="3" maxlength="1000" { (values.get("reason").cloned().unwrap_or_default()) }
                (error_of(problems, "reason"))
            }
            button type="submit" id="decide" { (submit_label(p, "medf-decide")) }
        }
    };
    layout(
        &ta("title-consignment-decide", &[("id", c.id.as_str())]),
        caller,
        content,
    )
}

async fn decide_page(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
) -> PageResult<Html<String>> {
    let p = editor(&caller)?;
    let snap = state.snapshot().await?;
    let c = consignment_of(&snap, &raw)?;
    Ok(decide_html(&caller, &p, &snap, c, &Values::new(), &[]))
}

async fn decide_submit(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
    Form(form): Form<Values>,
) -> PageResult<Response> {
    let p = editor(&caller)?;
    auth::check_csrf(&p, form.get("csrf").map(String::as_str).unwrap_or_default())?;
    let snap = state.snapshot().await?;
    let c = consignment_of(&snap, &raw)?;
    let mut problems = Vec::new();
    let raw_outcome = form.get("outcome").map_or("", |s| s.trim());
    let outcome = DecisionOutcome::all()
        .iter()
        .copied()
        .find(|o| <&str>::from(*o) == raw_outcome);
    if outcome.is_none() {
        problems.push(Problem {
            field: "outcome".into(),
            text: if raw_outcome.is_empty() {
                t("medf-err-outcome")
            } else {
                format!("{} — «{raw_outcome}»", t("medf-err-choice"))
            },
        });
    }
    let lines: Vec<usize> = (0..c.lines.len())
        .filter(|i| form.contains_key(&format!("line.{i}")))
        .collect();
    if outcome == Some(DecisionOutcome::AcceptInPart) && lines.is_empty() {
        problems.push(Problem {
            field: "lines".into(),
            text: t("medf-err-no-lines-chosen"),
        });
    }
    let reason = form
        .get("reason")
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    if outcome == Some(DecisionOutcome::Reject) && reason.is_none() {
        problems.push(Problem {
            field: "reason".into(),
            text: crate::labels::problem_text(
                &aidtrace_domain::error::Problem::new(
                    aidtrace_domain::error::ProblemId::ReasonNeeded,
                ),
                "",
            ),
        });
    }
    let (Some(outcome), true) = (outcome, problems.is_empty()) else {
        let body = decide_html(&caller, &p, &snap, c, &form, &problems);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response());
    };
    // Lines are named only when accepting in part (the domain refuses them otherwise).
    let lines = if outcome == DecisionOutcome::AcceptInPart {
        lines
    } else {
        Vec::new()
    };
    let (st, principal, id) = (state.clone(), p.clone(), c.id.clone());
    let result = blocking(move || {
        let records = {
            let app = st.service();
            entry::decision_records(&app, &id, outcome, lines, reason)?
        };
        edit::write(&st, &principal, records, &Precondition::New, true)
    })
    .await;
    match result {
        Ok(WriteOutcome::Applied { .. }) => {
            Ok(Redirect::to(&format!("/medicines/consignments/{}", c.id)).into_response())
        }
        Ok(WriteOutcome::Proposed { change, .. }) => {
            Ok(Redirect::to(&format!("/changes#change-{change}")).into_response())
        }
        Err(e) if e.status.is_client_error() => {
            let body = decide_html(&caller, &p, &snap, c, &form, &[refused(&e)]);
            Ok((e.status, body).into_response())
        }
        Err(e) => Err(PageError(e)),
    }
}

// ---- movements ---------------------------------------------------------------------------------

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct Recorded {
    recorded: String,
}

fn text_field(values: &Values, problems: &[Problem], name: &str, key: &str, kind: &str) -> Markup {
    let err = problems.iter().any(|p| p.field == name);
    html! {
        div class=(if err { "field invalid" } else { "field" }) {
            label for=(format!("f-{name}")) { (t(key)) }
            input type=(kind) name=(name) id=(format!("f-{name}")) value=(values.get(name).cloned().unwrap_or_default()) list=[(name == "from" || name == "to").then_some("dl-facility")] autocomplete="off" aria-invalid=[err.then_some("true")];
            (error_of(problems, name))
        }
    }
}

fn move_html(
    caller: &Caller,
    p: &Principal,
    snap: &Snapshot,
    c: &Consignment,
    values: &Values,
    problems: &[Problem],
    recorded: Option<&str>,
) -> Html<String> {
    let ledger = &snap.ledger;
    let today = Utc::now().date_naive();
    let stock: Vec<_> = service::stock_report(ledger, today, None, None)
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.consignment == c.id)
        .collect();
    let kind = values.get("kind").map_or("distribution", String::as_str);
    let lot = values.get("lot").map_or("", String::as_str);
    let content = html! {
        (back(c))
        @if let Some(id) = recorded { p class="notice" id="movement-recorded" role="status" { (ta("medf-movement-recorded", &[("id", id)])) } }
        p class="muted" { (t("medf-move-note")) }
        h2 { (t("medf-consignment-stock")) }
        @if stock.is_empty() { p class="muted" id="consignment-stock" { (t("medp-no-stock")) } }
        @else {
            table class="list" id="consignment-stock" {
                thead { tr { th { (t("medp-col-facility")) } th { (t("medp-col-product")) } th { (t("medp-col-lot")) } th { (t("medp-col-on-hand")) } } }
                tbody { @for r in &stock { tr {
                    td { a href=(format!("/medicines/stock?facility={}", r.facility)) { (ledger.facility_name(&r.facility)) } }
                    td { (product_name(ledger, &r.product)) }
                    td { code { (r.lot) } }
                    td class="num" { (r.on_hand) " " (crate::medicines::pages::unit_word(&r.base_unit)) }
                } } }
            }
        }
        h2 { (t("medf-new-movement")) }
        (problems_box(problems))
        form method="post" action=(format!("/medicines/consignments/{}/move", c.id)) class="form entry" id="move-form" novalidate {
            input type="hidden" name="csrf" value=(p.csrf.clone().unwrap_or_default());
            div class=(if problems.iter().any(|p| p.field == "kind") { "field invalid" } else { "field" }) {
                label for="f-kind" { (t("medf-movement-kind")) }
                select name="kind" id="f-kind" {
                    @for k in MOVE_KINDS { @let v: &str = k.into(); option value=(v) selected[kind == v] { (label(k)) } }
                }
                (error_of(problems, "kind"))
            }
            div class=(if problems.iter().any(|p| p.field == "lot") { "field invalid" } else { "field" }) {
                label for="f-lot" { (t("medp-col-lot")) }
                select name="lot" id="f-lot" {
                    @for (i, l) in c.lines.iter().enumerate() {
                        @let v = i.to_string();
                        option value=(v) selected[lot == v] { (i + 1) ". " (product_name(ledger, &l.product)) " · " (l.lot) " · " (i18n::date(l.expiry)) }
                    }
                }
                (error_of(problems, "lot"))
            }
            (text_field(values, problems, "from", "medf-from", "text"))
            (text_field(values, problems, "to", "medf-to", "text"))
            (text_field(values, problems, "quantity", "medp-col-quantity", "text"))
            (text_field(values, problems, "date", "medf-date", "date"))
            (text_field(values, problems, "note", "medf-note", "text"))
            datalist id="dl-facility" { @for f in ledger.facilities.values().take(500) { option value=(f.id) { (f.name) } } }
            button type="submit" id="record-movement" { (submit_label(p, "medf-record-movement")) }
        }
    };
    layout(
        &ta("title-consignment-move", &[("id", c.id.as_str())]),
        caller,
        content,
    )
}

async fn move_page(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
    Query(q): Query<Recorded>,
) -> PageResult<Html<String>> {
    let p = editor(&caller)?;
    let snap = state.snapshot().await?;
    let c = consignment_of(&snap, &raw)?;
    let mut values = Values::new();
    values.insert("from".into(), c.destination.to_string());
    values.insert("date".into(), Utc::now().date_naive().to_string());
    let recorded = Some(q.recorded.as_str()).filter(|r| !r.is_empty());
    Ok(move_html(&caller, &p, &snap, c, &values, &[], recorded))
}

/// The movement a form describes, or every problem with it.
fn read_movement(
    form: &Values,
    ledger: &Ledger,
    c: &Consignment,
) -> Result<NewMovement, Vec<Problem>> {
    let mut problems = Vec::new();
    let cell = |n: &str| form.get(n).map_or("", |s| s.trim());
    let key = |problems: &mut Vec<Problem>, field: &str, key: &str, value: &str| {
        problems.push(Problem {
            field: field.into(),
            text: if value.is_empty() {
                t(key)
            } else {
                format!("{} — «{value}»", t(key))
            },
        });
    };
    let kind = MOVE_KINDS
        .iter()
        .copied()
        .find(|k| <&str>::from(*k) == cell("kind"));
    if kind.is_none() {
        key(&mut problems, "kind", "medf-err-choice", cell("kind"));
    }
    let line = cell("lot")
        .parse::<usize>()
        .ok()
        .and_then(|i| c.lines.get(i));
    if line.is_none() {
        key(&mut problems, "lot", "medf-err-choice", cell("lot"));
    }
    let mut facility = |name: &str, wanted: bool| -> Option<RecordId> {
        let raw = cell(name);
        match (raw.is_empty(), wanted) {
            (true, true) => {
                key(&mut problems, name, "medf-err-required", "");
                None
            }
            (true, false) => None,
            // A facility given where the kind takes none (a use has no destination) is left
            // out rather than refused: the form keeps the field for every kind.
            (false, false) => None,
            (false, true) => match RecordId::parse(raw) {
                Ok(id) if ledger.facilities.contains_key(&id) => Some(id),
                _ => {
                    key(&mut problems, name, "medf-err-no-record", raw);
                    None
                }
            },
        }
    };
    let from = facility("from", kind.is_some_and(MovementKind::takes_from));
    let to = facility("to", kind.is_some_and(MovementKind::puts_into));
    let quantity = match cell("quantity").parse::<u64>() {
        Ok(q) if q > 0 => Some(q),
        _ => {
            key(
                &mut problems,
                "quantity",
                "medf-err-quantity",
                cell("quantity"),
            );
            None
        }
    };
    let date = match cell("date") {
        "" => Some(Utc::now().date_naive()),
        raw => NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok().or_else(|| {
            key(&mut problems, "date", "medf-err-date", raw);
            None
        }),
    };
    let note = Some(cell("note").to_string()).filter(|n| !n.is_empty());
    match (kind, line, quantity, date) {
        (Some(kind), Some(line), Some(quantity), Some(date)) if problems.is_empty() => {
            Ok(NewMovement {
                kind,
                date,
                consignment: c.id.clone(),
                product: line.product.clone(),
                lot: line.lot.clone(),
                from,
                to,
                quantity,
                note,
            })
        }
        _ => Err(problems),
    }
}

async fn move_submit(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
    Form(form): Form<Values>,
) -> PageResult<Response> {
    let p = editor(&caller)?;
    auth::check_csrf(&p, form.get("csrf").map(String::as_str).unwrap_or_default())?;
    let snap = state.snapshot().await?;
    let c = consignment_of(&snap, &raw)?;
    let movement = match read_movement(&form, &snap.ledger, c) {
        Ok(m) => m,
        Err(problems) => {
            let body = move_html(&caller, &p, &snap, c, &form, &problems, None);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response());
        }
    };
    let (st, principal) = (state.clone(), p.clone());
    let result = blocking(move || {
        let record = {
            let app = st.service();
            entry::movement_record(&app, movement)?
        };
        let id = record.id().clone();
        Ok((
            id,
            edit::write(&st, &principal, vec![record], &Precondition::New, true)?,
        ))
    })
    .await;
    match result {
        Ok((id, WriteOutcome::Applied { .. })) => Ok(Redirect::to(&format!(
            "/medicines/consignments/{}/move?recorded={id}",
            c.id
        ))
        .into_response()),
        Ok((_, WriteOutcome::Proposed { change, .. })) => {
            Ok(Redirect::to(&format!("/changes#change-{change}")).into_response())
        }
        Err(e) if e.status.is_client_error() => {
            let body = move_html(&caller, &p, &snap, c, &form, &[refused(&e)], None);
            Ok((e.status, body).into_response())
        }
        Err(e) => Err(PageError(e)),
    }
}

// ---- links from the medicines pages -----------------------------------------------------------

fn edits(caller: &Caller) -> bool {
    caller
        .principal()
        .is_some_and(auth::Principal::can_edit_something)
}

/// "Record a consignment" on the medicines index, for those who edit.
pub fn new_link(caller: &Caller) -> Markup {
    html! {
        @if edits(caller) {
            p { a href="/medicines/consignments/new" id="new-consignment" { (t("medf-new-consignment")) } }
        }
    }
}

/// "Decide on arrival" and "Record a movement" on a consignment's page, for those who edit.
pub fn links(caller: &Caller, id: &RecordId) -> Markup {
    html! {
        @if edits(caller) {
            p id="consignment-actions" {
                a href=(format!("/medicines/consignments/{id}/decide")) id="decide-link" { (t("medf-decide-link")) }
                " · "
                a href=(format!("/medicines/consignments/{id}/move")) id="move-link" { (t("medf-move-link")) }
            }
        }
    }
}
