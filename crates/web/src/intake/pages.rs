//! Intake pages: paste an article, see the facts drafted from it with the words each came from
//! and the checks, and accept or reject each fact (editors and admins). The queue itself and the
//! records an acceptance writes are `aidtrace_service::intake`'s; this module only renders and
//! checks the caller and the form's CSRF token.

use std::collections::BTreeMap;

use aidtrace_domain::coded::Coded;
use aidtrace_domain::model::{DraftStatus, IntakeDraft};
use aidtrace_service::intake as review;
use aidtrace_service::intake::aidtrace_intake::checks::Unchecked;
use aidtrace_service::intake::aidtrace_intake::{Check, Extraction, Fact, Span};
use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use maud::{Markup, html};
use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;

use aidtrace_domain::{Record, RecordKind};
use aidtrace_service::changes::{self, ChangeState};

use crate::auth::{self, Caller, Principal, Role};
use crate::error::{ApiError, PageError, PageResult};
use crate::format;
use crate::i18n::{self, t, ta};
use crate::labels::label;
use crate::request_ctx::layout;
use crate::state::{AppState, blocking};

/// Routes of this area, merged into [`crate::app`].
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/intake", get(page).post(submit))
        .route("/intake/{draft}/{fact}/{action}", post(decide))
}

/// Reviewing writes ledger records, so it is for editors and admins (as the queue's brief says);
/// approvers and viewers see the queue only.
fn may_review(p: &Principal) -> bool {
    matches!(p.role, Role::Admin | Role::Editor)
}

/// Drafts hold unreviewed text: signed-in users only, whatever the public view setting.
fn reader(caller: &Caller) -> Result<&Principal, PageError> {
    caller.require().map_err(PageError)
}

fn reviewer(caller: &Caller, csrf: &str) -> Result<Principal, PageError> {
    let p = reader(caller)?;
    auth::check_csrf(p, csrf)?;
    if !may_review(p) {
        return Err(PageError(ApiError::forbidden(t("intake-err-role"))));
    }
    Ok(p.clone())
}

/// The article around `span`, with the span marked; cut to ~160 bytes either side on character
/// boundaries so long articles stay readable.
fn highlighted(text: &str, span: Span) -> Markup {
    let (start, end) = (span.start.min(text.len()), span.end.min(text.len()));
    if start > end || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
        return html! {};
    }
    let mut from = start.saturating_sub(160);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let mut to = (end + 160).min(text.len());
    while !text.is_char_boundary(to) {
        to += 1;
    }
    html! {
        blockquote class="quote" {
            @if from > 0 { "… " }
            (&text[from..start]) mark { (&text[start..end]) } (&text[end..to])
            @if to < text.len() { " …" }
        }
    }
}

/// Why an equivalent was not checked, in the reader's language; a draft saved before causes were
/// recorded keeps its English sentence.
fn unchecked_text(cause: Option<&Unchecked>, english: &str) -> String {
    match cause {
        Some(Unchecked::NoRateTable) => t("intake-unchecked-no-table"),
        Some(Unchecked::NoYear) => t("intake-unchecked-no-year"),
        Some(Unchecked::NoRate {
            amount_currency,
            stated_currency,
            year,
        }) => i18n::ta(
            "intake-unchecked-no-rate",
            &[
                ("amount_currency", amount_currency),
                ("stated_currency", stated_currency),
                ("year", &year.to_string()),
            ],
        ),
        None => english.to_string(),
    }
}

fn check_line(c: &Check) -> Markup {
    match c {
        Check::EquivalentMismatch {
            year,
            amount_in_usd,
            stated_in_usd,
            ratio,
            source,
        } => html! {
            li class="finding warning" {
                (t("intake-check-fx-off")) ": " (stated_in_usd) " USD / " (amount_in_usd) " USD (IMF " (year) ", " (t("intake-ratio")) " " (ratio) "). " (source)
            }
        },
        Check::EquivalentConsistent { year, ratio, .. } => html! {
            li { (t("intake-check-fx-ok")) " (IMF " (year) ", " (t("intake-ratio")) " " (ratio) ")" }
        },
        Check::EquivalentUnchecked { reason, cause } => html! {
            li class="muted" { (t("intake-check-fx-unchecked")) ": " (unchecked_text(cause.as_ref(), reason)) }
        },
        Check::SameAs {
            record_id,
            amount_difference,
            days_apart,
        } => html! {
            li class="finding info" {
                (t("intake-check-same-as")) " " a href=(format!("/activities#{record_id}")) { (record_id) }
                " (Δ " (i18n::number(*amount_difference)) @if let Some(d) = days_apart { ", " (d) " " (t("unit-days")) } ")"
            }
        },
    }
}

/// A model's probability (flow, donor or recipient) as a whole percentage in the reader's format
/// ("87%", "87 %"); `None` for facts without an amount and drafts stored before the models
/// existed. A score is not money, so the float is only rounded for display.
fn flow_score_text(score: Option<f64>) -> Option<String> {
    let p = score.filter(|p| p.is_finite())?.clamp(0.0, 1.0);
    let whole = Decimal::from_f64((p * 100.0).round())?;
    Some(format::percent(whole))
}

/// Facts whose acceptance waits for an approver: (draft id, fact index) → change id. A proposal
/// carries the draft as it would be after the acceptance; the facts it marks accepted that the
/// stored draft still has pending are the ones it proposes.
fn open_proposals(
    st: &AppState,
    drafts: &[(IntakeDraft, Extraction)],
) -> Result<BTreeMap<(String, usize), i64>, ApiError> {
    let mut out = BTreeMap::new();
    for change in st.accounts().changes(None)? {
        if change.kind != RecordKind::IntakeDraft.as_str()
            || !matches!(change.state, ChangeState::Draft | ChangeState::Submitted)
        {
            continue;
        }
        let Some((stored, _)) = drafts
            .iter()
            .find(|(d, _)| d.id.as_str() == change.record_id)
        else {
            continue;
        };
        for record in changes::records_of(&change)? {
            let Record::IntakeDraft(proposed) = record else {
                continue;
            };
            for f in &proposed.facts {
                let was_pending = stored
                    .facts
                    .iter()
                    .any(|s| s.index == f.index && s.status == DraftStatus::Pending);
                if f.status == DraftStatus::Accepted
                    && was_pending
                    && let Ok(i) = usize::try_from(f.index)
                {
                    out.insert((change.record_id.clone(), i), change.id);
                }
            }
        }
    }
    Ok(out)
}

fn fact_view(
    d: &IntakeDraft,
    index: usize,
    fact: &Fact,
    p: &Principal,
    csrf: &str,
    proposal: Option<i64>,
) -> Markup {
    let review = d
        .facts
        .iter()
        .find(|f| usize::try_from(f.index).ok() == Some(index));
    let status = review.map_or(DraftStatus::Pending, |r| r.status);
    let span = fact
        .amount
        .as_ref()
        .map(|a| a.span)
        .or_else(|| fact.donor.as_ref().map(|x| x.span))
        .or_else(|| fact.items.first().map(|i| i.span));
    let id = format!("{}-fact-{index}", d.id);
    let action = |a: &str| format!("/intake/{}/{index}/{a}", d.id);
    html! {
        section class=(format!("fact {}", status.code())) id=(id) {
            h4 {
                "#" (index) " "
                (label(fact.amount_kind.value))
                @if let Some(a) = &fact.amount { " · " (i18n::number(a.value.amount)) " " (a.value.currency) }
                @if let Some(e) = &fact.stated_equivalent { " (≈ " (i18n::number(e.value.amount)) " " (e.value.currency) ")" }
                " — " span class="state" { (label(status)) }
            }
            p class="muted" {
                (t("intake-donor")) ": " (fact.donor.as_ref().map_or("?", |x| x.value.as_str()))
                " → " (t("intake-recipient")) ": " (fact.recipient_country.as_ref().map_or("?", |x| x.value.as_str()))
                @if !fact.items.is_empty() {
                    " · " (t("intake-items")) ": "
                    @for (k, i) in fact.items.iter().enumerate() {
                        @if k > 0 { ", " }
                        (i.name) @if let Some(q) = i.quantity { " ×" (q) }
                    }
                }
                @if !fact.facilities.is_empty() {
                    " · " @for f in &fact.facilities { (f.value) " " }
                }
            }
            @if let Some(score) = flow_score_text(fact.flow_score) {
                p class="score" id=(format!("score-{}-{index}", d.id)) {
                    (t("intake-flow-score")) ": " (score)
                    @if let Some(donor) = flow_score_text(fact.donor_score) {
                        " · " (t("intake-donor-score")) ": " (donor)
                    }
                    @if let Some(recipient) = flow_score_text(fact.recipient_score) {
                        " · " (t("intake-recipient-score")) ": " (recipient)
                    }
                }
            }
            @if let Some(s) = span { (highlighted(&d.text, s)) }
            @if !fact.checks.is_empty() { ul class="checks" { @for c in &fact.checks { (check_line(c)) } } }
            @if let Some(r) = review {
                @if let Some(reason) = &r.reason { p class="reason" { (t("intake-reason")) ": " (reason) } }
                @if let Some(by) = &r.reviewer { p class="muted" { (t("intake-reviewed-by")) " " (by) } }
                @if !r.records.is_empty() {
                    p { (t("intake-records")) ": " @for rid in &r.records { code { (rid) } " " } }
                }
            }
            @if let Some(change) = proposal.filter(|_| status == DraftStatus::Pending) {
                p class="proposed" id=(format!("proposed-{}-{index}", d.id)) {
                    (t("intake-pending-change")) " " a href=(format!("/changes#change-{change}")) { "#" (change) }
                }
            }
            @if status == DraftStatus::Pending && proposal.is_none() && may_review(p) {
                form method="post" action=(action("accept")) class="inline" {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="text" name="set" placeholder="amount=… currency=… kind=…" size="40";
                    button type="submit" class="approve" id=(format!("accept-{}-{index}", d.id)) { (t("intake-accept")) }
                }
                form method="post" action=(action("reject")) class="inline" {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="text" name="reason" placeholder=(t("intake-reason")) required;
                    button type="submit" class="reject" id=(format!("reject-{}-{index}", d.id)) { (t("intake-reject")) }
                }
            }
        }
    }
}

pub async fn page(State(state): State<AppState>, caller: Caller) -> PageResult<Html<String>> {
    let p = reader(&caller)?.clone();
    let st = state.clone();
    let (drafts, proposals) = blocking(move || {
        let app = st.reader()?;
        let drafts = review::queue(&app)?;
        drop(app);
        let drafts = drafts
            .into_iter()
            .map(|d| {
                let ex = review::extraction_of(&d)?;
                Ok((d, ex))
            })
            .collect::<Result<Vec<(IntakeDraft, Extraction)>, ApiError>>()?;
        let proposals = open_proposals(&st, &drafts)?;
        Ok((drafts, proposals))
    })
    .await?;
    let csrf = p.csrf.clone().unwrap_or_default();
    let content = html! {
        p { (t("intake-intro")) }
        @if may_review(&p) {
            form method="post" action="/intake" class="form" id="intake-submit" {
                input type="hidden" name="csrf" value=(csrf);
                label { (t("intake-title")) input type="text" name="title"; }
                label { (t("intake-url")) input type="url" name="url"; }
                label { (t("intake-published")) input type="date" name="published"; }
                label { (t("intake-text")) textarea name="text" rows="10" cols="80" required {} }
                button type="submit" id="intake-go" { (t("intake-submit")) }
            }
        }
        h2 { (t("intake-queue")) }
        @if drafts.is_empty() { p class="muted" { (t("intake-empty")) } }
        @for (d, ex) in drafts.iter().rev() {
            article class="draft" id=(d.id.as_str()) {
                h3 { (d.id) ": " (d.title) }
                p class="muted" {
                    (t("intake-submitted-by")) " " (d.submitted_by)
                    @if let Some(u) = &d.url {
                        " · "
                        // Only web addresses become links: a `javascript:` URL must not run.
                        @if u.starts_with("https://") || u.starts_with("http://") {
                            a href=(u) rel="noopener noreferrer" { (u) }
                        } @else { (u) }
                    }
                    @if let Some(pd) = d.published { " · " (i18n::date(pd)) }
                }
                @if ex.facts.is_empty() { p class="muted" { (t("intake-no-facts")) } }
                @for (i, f) in ex.facts.iter().enumerate() {
                    (fact_view(d, i, f, &p, &csrf, proposals.get(&(d.id.to_string(), i)).copied()))
                }
            }
        }
    };
    Ok(layout(&t("title-intake"), &caller, content))
}

#[derive(serde::Deserialize)]
pub struct SubmitForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    published: String,
}

pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<SubmitForm>,
) -> PageResult<Response> {
    let p = reviewer(&caller, &form.csrf)?;
    let published = match form.published.trim() {
        "" => None,
        raw => Some(NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
            PageError(
                ApiError::bad_request(
                    "invalid_form",
                    ta("intake-err-published", &[("value", raw)]),
                )
                .with_field("published"),
            )
        })?),
    };
    let sub = review::Submission {
        text: form.text,
        title: Some(form.title.trim().to_string()).filter(|s| !s.is_empty()),
        url: Some(form.url.trim().to_string()).filter(|s| !s.is_empty()),
        published,
    };
    let st = state.clone();
    // Extracted on a reader: the service's lock is held only to store the draft, so other
    // writes do not wait for an extraction (a 220 KB text held them 11 s).
    let draft = blocking(move || {
        let prepared = review::prepare_draft(&*st.reader()?, &p.name, sub)?;
        Ok(review::store_draft(&mut st.service(), &p.name, prepared)?)
    })
    .await?;
    state.invalidate();
    Ok(Redirect::to(&format!("/intake#{}", draft.id)).into_response())
}

/// Accepts a fact as the reviewer's edits say, under the service's write policy
/// (`intake::accept_or_propose`). Returns the change id when one was proposed.
fn accept(
    st: &AppState,
    p: &Principal,
    draft: &str,
    fact: usize,
    pairs: &[String],
) -> Result<Option<i64>, ApiError> {
    let edits: BTreeMap<String, String> = review::parse_edits(pairs)?;
    // Lock order as everywhere: the service, then the change queue.
    let mut app = st.service();
    let mut queue = st.accounts();
    Ok(review::accept_or_propose(
        &mut app,
        &mut *queue,
        p,
        draft,
        fact,
        &edits,
        &auth::now_rfc3339(),
    )?)
}

#[derive(serde::Deserialize)]
pub struct DecideForm {
    #[serde(default)]
    csrf: String,
    /// `field=value` pairs separated by spaces or new lines.
    #[serde(default)]
    set: String,
    #[serde(default)]
    reason: String,
}

pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path((draft, raw_fact, action)): Path<(String, String, String)>,
    Form(form): Form<DecideForm>,
) -> PageResult<Response> {
    let p = reviewer(&caller, &form.csrf)?;
    // Parsed here, not by the extractor, so a bad number gets the error page, not plain text.
    let fact: usize = raw_fact.parse().map_err(|_| {
        PageError(
            ApiError::not_found(format!("no fact {raw_fact:?} in draft {draft:?}"))
                .with_field("fact")
                .said(
                    raw_fact.as_str(),
                    crate::i18n::Msg::new("intake-err-no-fact"),
                ),
        )
    })?;
    let st = state.clone();
    let target = format!("/intake#{draft}-fact-{fact}");
    match action.as_str() {
        "accept" => {
            let pairs: Vec<String> = form.set.split_whitespace().map(String::from).collect();
            let proposed = blocking(move || accept(&st, &p, &draft, fact, &pairs)).await?;
            if proposed.is_some() {
                // Nothing entered the ledger; the queue page shows the waiting change.
                return Ok(Redirect::to(&target).into_response());
            }
        }
        "reject" => {
            blocking(move || {
                review::reject(&mut st.service(), &p.name, &draft, fact, &form.reason)?;
                Ok(())
            })
            .await?;
        }
        _ => {
            return Err(PageError(ApiError::page_not_one_of(
                axum::http::StatusCode::NOT_FOUND,
                "not_found",
                "action",
                &action,
                &["accept", "reject"],
            )));
        }
    }
    state.invalidate();
    Ok(Redirect::to(&target).into_response())
}
