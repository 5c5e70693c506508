//! `/changes` and `/api/v1/changes`: the approval queue, each pending change shown as a
//! field-by-field comparison with the stored records and the findings it would add or clear.
//! The comparison and the preview are the service's (`aidtrace_service::change_review`); this
//! module only renders them in the reader's language.

use std::collections::BTreeMap;
use std::str::FromStr;

use aidtrace_domain::checks::Finding;
use aidtrace_service::change_review::{
    self, ChangeReview, FieldChange, RecordChange, RecordDiff, Shown,
};
use aidtrace_service::changes::{self, ChangeRow, ChangeState};
use aidtrace_store::ChangeGroup;
use axum::extract::State;
use axum::response::Html;
use maud::{Markup, html};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::auth::{Caller, Principal};
use crate::error::{ApiError, PageQuery, PageResult};
use crate::i18n::{self, t, ta};
use crate::request_ctx::layout;
use crate::state::{AppState, blocking};

/// A change with what it would do: the review for drafts and submitted changes, none for
/// decided ones (their records are in the ledger or were turned down).
#[derive(Debug, Serialize)]
pub struct ChangeView {
    #[serde(flatten)]
    pub change: ChangeRow,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review: Option<ChangeReview>,
    /// For decided changes: the proposed records, field by field.
    #[serde(skip)]
    pub proposed: Vec<RecordDiff>,
    /// The name of each record the comparison refers to (an organisation's name, an
    /// activity's title), so an approver reads "Government of Japan", not `org-gov-japan`.
    #[serde(skip)]
    pub names: Names,
}

/// Record id → what a person calls the record.
pub type Names = BTreeMap<String, String>;

/// The names of the records `diffs` refer to, as the ledger has them.
fn names_of(ledger: &aidtrace_domain::Ledger, diffs: &[RecordDiff]) -> Names {
    fn walk<'a>(v: &'a Shown, out: &mut Vec<&'a str>) {
        match v {
            Shown::Ref(id) => out.push(id),
            Shown::List(items) => items.iter().for_each(|x| walk(x, out)),
            Shown::Fields(fields) => fields.iter().for_each(|(_, x)| walk(x, out)),
            _ => {}
        }
    }
    let mut ids = Vec::new();
    for f in diffs.iter().flat_map(|d| &d.fields) {
        f.before
            .iter()
            .chain(&f.after)
            .for_each(|v| walk(v, &mut ids));
    }
    let mut names: Names = ids
        .into_iter()
        .filter_map(|raw| {
            let id = aidtrace_domain::RecordId::parse(raw).ok()?;
            let name = ledger.record_name(&id)?;
            Some((raw.to_string(), name.to_string()))
        })
        .collect();
    // The change's own records by the title or name proposed for them (a new record has no other),
    // else as the ledger has them: an approver reads the activity's title, not its id.
    for d in diffs {
        let proposed = d
            .fields
            .iter()
            .find_map(|f| match (f.field.as_str(), &f.after) {
                ("title" | "name", Some(Shown::Text(text))) => Some(text.clone()),
                _ => None,
            });
        let name = proposed.or_else(|| ledger.record_name(&d.id).map(str::to_string));
        if let Some(name) = name {
            names.insert(d.id.to_string(), name);
        }
    }
    names
}

/// The changes in `filter` (all with `None`), newest first, each pending one reviewed against
/// the current snapshot of the ledger.
pub fn views(state: &AppState, filter: Option<ChangeState>) -> Result<Vec<ChangeView>, ApiError> {
    let list = state.accounts().changes(filter)?;
    views_of(state, list)
}

/// Changes in `filter` (all with `None`), newest first: `limit` of them from `offset`, each
/// reviewed, and how many there are in all.
pub fn views_page(
    state: &AppState,
    filter: Option<ChangeState>,
    offset: usize,
    limit: usize,
) -> Result<(Vec<ChangeView>, usize), ApiError> {
    let list = state.accounts().changes(filter)?;
    let total = list.len();
    let rows = list.into_iter().skip(offset).take(limit).collect();
    Ok((views_of(state, rows)?, total))
}

/// `list` with what each change would do (pending ones) or did (decided ones).
fn views_of(state: &AppState, list: Vec<ChangeRow>) -> Result<Vec<ChangeView>, ApiError> {
    let snap = state.snapshot_blocking()?;
    list.into_iter()
        .map(|change| {
            let records = changes::records_of(&change)?;
            let pending = matches!(change.state, ChangeState::Draft | ChangeState::Submitted);
            let (review, proposed) = if pending {
                let outside = outside_ledger(state, &records)?;
                let review = snap.memo.review(change.id, &change.updated_at, || {
                    change_review::review(
                        &snap.ledger,
                        &outside,
                        &snap.rates,
                        &snap.check_options,
                        || snap.findings.to_vec(),
                        &records,
                    )
                });
                (Some(review), Vec::new())
            } else {
                let shown = records
                    .iter()
                    .map(|r| change_review::diff_record(None, r))
                    .collect();
                (None, shown)
            };
            let diffs = review.as_ref().map_or(&proposed[..], |r| &r.records[..]);
            let names = names_of(&snap.ledger, diffs);
            Ok(ChangeView {
                change,
                review,
                proposed,
                names,
            })
        })
        .collect()
}

/// The stored versions of the batch's records that the ledger does not hold (intake drafts).
fn outside_ledger(
    state: &AppState,
    records: &[aidtrace_domain::Record],
) -> Result<Vec<aidtrace_domain::Record>, ApiError> {
    let service = state.reader()?;
    let mut out = Vec::new();
    for r in records
        .iter()
        .filter(|r| !change_review::in_ledger(r.kind()))
    {
        out.extend(service.store().get(r.kind(), r.id())?);
    }
    Ok(out)
}

fn decimal(raw: &str) -> String {
    Decimal::from_str(raw).map_or_else(|_| raw.to_string(), i18n::number)
}

fn shown(v: &Shown, names: &Names) -> Markup {
    match v {
        Shown::Text(s) => html! { (s) },
        Shown::Code(c) => html! { span class="code" title=(c) { (i18n::value(c)) } },
        Shown::Date(d) => html! { time datetime=(d.to_string()) { (i18n::date(*d)) } },
        Shown::Money {
            amount,
            currency,
            value_date,
        } => html! {
            span class="money" { (decimal(amount)) " " (currency) }
            @if let Some(d) = value_date { " (" time datetime=(d.to_string()) { (i18n::date(*d)) } ")" }
        },
        Shown::Number(n) => html! { (decimal(n)) },
        Shown::Bool(b) => html! { (if *b { t("diff-yes") } else { t("diff-no") }) },
        Shown::Ref(id) => match names.get(id) {
            Some(name) => html! { (name) " " code class="muted" { (id) } },
            None => html! { code { (id) } },
        },
        Shown::List(items) => html! {
            @for (i, item) in items.iter().enumerate() { @if i > 0 { "; " } (shown(item, names)) }
        },
        Shown::Fields(fields) => html! {
            @for (i, (k, v)) in fields.iter().enumerate() { @if i > 0 { ", " } (crate::labels::record_field(k)) ": " (shown(v, names)) }
        },
    }
}

fn change_class(c: FieldChange) -> &'static str {
    match c {
        FieldChange::Added => "added",
        FieldChange::Removed => "removed",
        FieldChange::Changed => "changed",
    }
}

fn record_status(c: RecordChange) -> (&'static str, String) {
    match c {
        RecordChange::Added => ("added", t("diff-record-added")),
        RecordChange::Changed => ("changed", t("diff-record-changed")),
        RecordChange::Unchanged => ("unchanged", t("diff-record-unchanged")),
    }
}

fn record_diff(d: &RecordDiff, compare: bool, names: &Names) -> Markup {
    let (class, status) = record_status(d.change);
    html! {
        section class=(format!("record-diff {class}")) data-kind=(d.kind.as_str()) data-id=(d.id.as_str()) {
            h4 { (crate::labels::label(d.kind)) " " @if let Some(name) = names.get(d.id.as_str()) { (name) " " code class="muted" { (d.id) } } @else { code { (d.id) } } @if compare { " — " span class="status" { (status) } } }
            @if !d.fields.is_empty() {
                table class="diff" {
                    thead { tr {
                        th { (t("diff-field")) }
                        @if compare { th { (t("diff-current")) } }
                        th { (t("diff-proposed")) }
                    } }
                    tbody {
                        @for f in &d.fields {
                            tr class=(change_class(f.change)) data-field=(f.field) {
                                th scope="row" { (crate::labels::record_field(&f.field)) }
                                @if compare {
                                    td class="before" { @if let Some(v) = &f.before { (shown(v, names)) } @else { span class="muted" { "—" } } }
                                }
                                td class="after" { @if let Some(v) = &f.after { (shown(v, names)) } @else { span class="muted" { (t("diff-removed")) } } }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn finding_item(f: &Finding) -> Markup {
    html! {
        li class=(f.severity.as_str()) data-rule=(f.rule) {
            b { (f.rule) } " " (crate::labels::label(f.severity)) " — "
            (crate::labels::label(f.record_kind)) " " code { (f.record) } ": "
            (i18n::t_opt(&format!("rule-{}", f.rule)).unwrap_or_default())
            " (" (crate::labels::finding_message(f)) ")"
        }
    }
}

fn preview(review: &ChangeReview) -> Markup {
    let f = &review.findings;
    html! {
        div class="findings-preview" {
            @if f.added.is_empty() && f.cleared.is_empty() {
                p class="muted" { (t("diff-findings-same")) }
            }
            @if !f.added.is_empty() {
                h4 { (t("diff-findings-added")) }
                ul class="findings added" { @for x in &f.added { (finding_item(x)) } }
            }
            @if !f.cleared.is_empty() {
                h4 { (t("diff-findings-cleared")) }
                ul class="findings cleared" { @for x in &f.cleared { (finding_item(x)) } }
            }
        }
    }
}

fn change_article(v: &ChangeView, p: &Principal, csrf: &str) -> Markup {
    let c = &v.change;
    html! {
        article class=(format!("change {}", c.state.as_str())) id=(format!("change-{}", c.id)) {
            h3 { "#" (c.id) " " (i18n::value(&c.kind)) " " @if let Some(name) = v.names.get(c.record_id.as_str()) { (name) " " code class="muted" { (c.record_id) } } @else { (c.record_id) } " — " span class="state" data-state=(c.state.as_str()) { (i18n::value(c.state.as_str())) } }
            p class="muted who" {
                span class="proposed-by" { (ta("changes-by", &[("author", &c.author), ("at", &crate::format::timestamp(&c.created_at))])) }
                @if let Some(d) = &c.decided_by {
                    " · " span class="decided-by" { (ta("changes-decided-by", &[("by", d), ("at", &crate::format::timestamp(&c.updated_at))])) }
                }
                @if let Some(n) = &c.note { " · " span class="note" { (n) } }
            }
            @if let Some(review) = &v.review {
                @for d in &review.records { (record_diff(d, true, &v.names)) }
                (preview(review))
            } @else {
                details { summary { (t("changes-records")) } @for d in &v.proposed { (record_diff(d, false, &v.names)) } }
            }
            @if c.state == ChangeState::Submitted && p.can_approve() {
                form method="post" action=(format!("/changes/{}/approve", c.id)) class="inline" {
                    input type="hidden" name="csrf" value=(csrf);
                    button type="submit" class="approve" id=(format!("approve-{}", c.id)) { (t("changes-approve")) }
                }
                form method="post" action=(format!("/changes/{}/reject", c.id)) class="inline" {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="text" name="note" placeholder=(t("changes-reason"));
                    button type="submit" class="reject" { (t("changes-reject")) }
                }
            }
            @if c.state == ChangeState::Draft && c.author == p.name {
                form method="post" action=(format!("/changes/{}/submit", c.id)) class="inline" {
                    input type="hidden" name="csrf" value=(csrf);
                    button type="submit" { (t("form-submit")) }
                }
            }
        }
    }
}

/// Changes shown on one page of each part of `/changes`: each shows its records (a pending one
/// with its review), and the history only grows while anyone signed in may propose, so both
/// parts are read a page at a time.
const CHANGES_PER_PAGE: u64 = 20;

/// `/changes?pending=N&page=M`: page N of the pending changes and page M of the decided ones.
#[derive(serde::Deserialize, Default)]
pub struct ChangesQuery {
    #[serde(default)]
    pending: Option<u64>,
    #[serde(default)]
    page: Option<u64>,
}

/// One page of one part of the queue.
struct QueuePage {
    views: Vec<ChangeView>,
    count: u64,
    page: u64,
    pages: u64,
}

fn queue_page(state: &AppState, group: ChangeGroup, page: u64) -> Result<QueuePage, ApiError> {
    let (_, count) = state.accounts().changes_page(group, 0, 0)?;
    let pages = count.div_ceil(CHANGES_PER_PAGE).max(1);
    let page = page.clamp(1, pages);
    let (rows, _) =
        state
            .accounts()
            .changes_page(group, (page - 1) * CHANGES_PER_PAGE, CHANGES_PER_PAGE)?;
    Ok(QueuePage {
        views: views_of(state, rows)?,
        count,
        page,
        pages,
    })
}

pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    PageQuery(query): PageQuery<ChangesQuery>,
) -> PageResult<Html<String>> {
    let p = caller.require()?.clone();
    let st = state.clone();
    let (pending_at, decided_at) = (query.pending.unwrap_or(1), query.page.unwrap_or(1));
    let (pending, decided) = blocking(move || {
        Ok((
            queue_page(&st, ChangeGroup::Pending, pending_at)?,
            queue_page(&st, ChangeGroup::Decided, decided_at)?,
        ))
    })
    .await?;
    let csrf = p.csrf.clone().unwrap_or_default();
    let to_usize = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
    let content = html! {
        p { (t("changes-intro")) }
        @if pending.count == 0 && decided.count == 0 { p class="muted" { (t("changes-none")) } }
        @if pending.count > 0 {
            h2 id="changes-pending" { (ta("changes-pending-heading", &[("count", &pending.count.to_string())])) }
            @for v in &pending.views { (change_article(v, &p, &csrf)) }
            (crate::present::pager::pager("changes-pending-pages", to_usize(pending.page), to_usize(pending.pages), |n| format!("/changes?pending={n}&page={}#changes-pending", decided.page)))
        }
        @if decided.count > 0 {
            h2 id="changes-decided" { (ta("changes-decided-heading", &[("count", &decided.count.to_string())])) }
            @for v in &decided.views { (change_article(v, &p, &csrf)) }
            (crate::present::pager::pager("changes-pages", to_usize(decided.page), to_usize(decided.pages), |n| format!("/changes?pending={}&page={n}#changes-decided", pending.page)))
        }
    };
    Ok(layout(&t("title-changes"), &caller, content))
}
