//! Organisation review and merge (admins): the organisations imports created, each to link to
//! an existing organisation ("link to existing" = a merge) or to keep as new, and a merge form
//! for any two — `aidtrace org review/merge/keep` in the browser. The rules and the write are
//! the service's (`service/src/orgs.rs`); this module maps forms and errors.

use aidtrace_domain::RecordId;
use aidtrace_domain::error::ProblemId;
use aidtrace_domain::model::OrgIdentifier;
use aidtrace_service::orgs::{self, ReviewItem, awaiting_review};
use aidtrace_service::{ServiceError, orgs::MergeReport};
use axum::Router;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use maud::{Markup, html};

use crate::auth::{self, Caller, Principal, Role};
use crate::error::PageQuery;
use crate::error::{ApiError, PageResult};
use crate::i18n::{t, ta};
use crate::request_ctx::layout;
use crate::state::{AppState, Snapshot, blocking};

/// Rows per page of the review list (an IATI import of the real 98-file set leaves about
/// 4,800 to review; the search narrows them).
const REVIEW_ROWS: usize = 100;

/// Routes of this area, merged into [`crate::app`].
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/organisations/review",
            get(review_page).post(review_submit),
        )
        .route("/organisations/merge", get(merge_page).post(merge_submit))
}

fn admin(caller: &Caller) -> Result<Principal, ApiError> {
    let principal = caller.require()?;
    if principal.role != Role::Admin {
        return Err(ApiError::forbidden(t("org-err-admin")));
    }
    Ok(principal.clone())
}

/// The admin's links on the organisations page: the review list (with its length) and the
/// merge form.
pub fn admin_links(caller: &Caller, snap: &Snapshot) -> Markup {
    if !caller.principal().is_some_and(|p| p.role == Role::Admin) {
        return html! {};
    }
    let waiting = snap
        .ledger
        .organisations
        .values()
        .filter(|o| awaiting_review(o))
        .count();
    html! {
        p id="org-admin-links" {
            a href="/organisations/review" id="org-review-link" { (ta("org-review-link", &[("count", &waiting.to_string())])) }
            " · "
            a href="/organisations/merge" { (t("title-org-merge")) }
        }
    }
}

/// Every organisation as a choice for the "into" fields (type-ahead by id or name).
/// The organisations to link to, for type-ahead. After an IATI import they run to thousands
/// (4,826 for the 98 real files: hundreds of kilobytes on every page of the review), so past
/// the forms' inline limit the list is filled from `/forms/suggest` as the admin types
/// (`tables.js`); an id typed without script is taken all the same.
fn choices(snap: &Snapshot) -> Markup {
    let orgs = &snap.ledger.organisations;
    html! {
        @if orgs.len() > crate::changes::forms::INLINE_LIMIT {
            datalist id="org-choices" data-suggest="/forms/suggest/organisation" {}
        } @else {
            datalist id="org-choices" {
                @for o in orgs.values() {
                    option value=(o.id) { (o.name) }
                }
            }
        }
    }
}

fn identifiers(ids: &[OrgIdentifier]) -> String {
    ids.iter()
        .map(|i| match i {
            OrgIdentifier::Iati(v) => v.to_string(),
            OrgIdentifier::IatiAsPublished(v)
            | OrgIdentifier::Registration(v)
            | OrgIdentifier::Other(v) => v.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The service's refusal in the reader's language, with the field it is about: worded from its
/// message id, the merge refusals in this page's own words.
fn refusal(e: &ServiceError) -> Option<(String, String)> {
    let ServiceError::Invalid { error, .. } = e else {
        return None;
    };
    let text = match error.problem.as_deref() {
        Some(p) => match p.id {
            ProblemId::MergeIntoItself => t("org-err-self"),
            // Friendlier than the rule's words: it says what "into" accepts.
            ProblemId::NoSuchRecord => ta("org-err-unknown", &[("id", &error.value)]),
            ProblemId::MergeMakesOwnParent => ta(
                "org-err-cycle",
                &[("chain", p.text_arg("chain").unwrap_or_default())],
            ),
            _ => crate::labels::problem_text(p, &error.value),
        },
        None => crate::i18n::field_problem(&error.value, &error.message),
    };
    Some((error.field.clone(), text))
}

/// An "into" value a person typed: an id, or a name or alias of exactly one organisation.
async fn resolve(state: &AppState, raw: &str) -> Result<Option<RecordId>, ApiError> {
    let st = state.clone();
    let raw = raw.to_string();
    blocking(move || {
        st.reader()?
            .resolve_organisation(&raw)
            .map_err(ApiError::from)
    })
    .await
}

/// The review list's address: what was just done, the search and the page.
#[derive(serde::Deserialize, Default)]
pub struct ReviewQuery {
    #[serde(flatten)]
    done: Done,
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: Option<usize>,
}

#[derive(serde::Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    merged: Option<String>,
    #[serde(default)]
    into: Option<String>,
    #[serde(default)]
    kept: Option<String>,
    #[serde(default)]
    already: Option<String>,
}

fn done_message(done: &Done) -> Markup {
    html! {
        @if let (Some(from), Some(into)) = (&done.merged, &done.into) {
            p id="org-done" class="ok" {
                @if done.already.is_some() {
                    (ta("org-already-merged", &[("from", from), ("into", into)]))
                } @else {
                    (ta("org-merged", &[("from", from), ("into", into)]))
                }
            }
        }
        @if let Some(id) = &done.kept { p id="org-done" class="ok" { (ta("org-kept", &[("id", id)])) } }
    }
}

async fn review_items(state: &AppState) -> Result<Vec<ReviewItem>, ApiError> {
    let st = state.clone();
    blocking(move || {
        st.reader()?
            .organisations_to_review()
            .map_err(ApiError::from)
    })
    .await
}

/// A refused decision: the organisation, the reason and the "into" as typed (kept in its box).
struct Refusal<'a> {
    org: &'a str,
    message: &'a str,
    into: &'a str,
}

/// The items whose name or id contains `q` (any case; all when it is blank), the one whose id
/// is `q` first: a refused row is shown again by searching its id, and other ids containing it
/// must not push it off page 1.
fn matching<'a>(items: &'a [ReviewItem], q: &str) -> Vec<&'a ReviewItem> {
    let q = q.trim().to_lowercase();
    let mut shown: Vec<&ReviewItem> = items
        .iter()
        .filter(|item| {
            q.is_empty()
                || item.organisation.name.to_lowercase().contains(&q)
                || item.organisation.id.as_str().to_lowercase().contains(&q)
        })
        .collect();
    // Stable: the rest keep the review's order.
    shown.sort_by_key(|item| item.organisation.id.as_str().to_lowercase() != q);
    shown
}

/// The review list narrowed by `q` at `page`; `search` is what the admin searched for, which
/// the row forms carry back (a refused row narrows the list to its own id, not the search).
fn review_body(
    items: &[ReviewItem],
    snap: &Snapshot,
    csrf: &str,
    (q, page, search): (&str, usize, &str),
    error: Option<Refusal<'_>>,
) -> Markup {
    let shown = matching(items, q);
    let pages = crate::present::pager::pages(shown.len(), REVIEW_ROWS);
    let page = page.clamp(1, pages);
    let rows = shown
        .iter()
        .skip((page - 1) * REVIEW_ROWS)
        .take(REVIEW_ROWS);
    let page_link = |n: usize| match q.trim() {
        "" => format!("/organisations/review?page={n}"),
        q => format!(
            "/organisations/review?q={}&page={n}",
            crate::present::links::urlencode(q)
        ),
    };
    html! {
        p { (t("org-review-intro")) }
        @if let Some(e) = &error { p id="org-error" class="error" role="alert" { (e.org) ": " (e.message) } }
        @if items.is_empty() {
            p id="org-review-none" { (t("org-review-none")) }
        } @else {
            form method="get" action="/organisations/review" class="inline" id="org-review-search" {
                label { (t("org-review-search")) " " input type="search" name="q" value=(q); }
                " " button type="submit" { (t("org-review-search-go")) }
            }
            p class="muted" id="org-review-count" {
                (ta("org-review-page", &[("page", &page.to_string()), ("pages", &pages.to_string()), ("count", &shown.len().to_string())]))
            }
            table class="list" id="org-review" {
                thead { tr {
                    th { (t("org-col-name")) } th { (t("org-col-id")) } th { (t("org-col-identifiers")) }
                    th { (t("org-col-suggestions")) } th { (t("org-col-decision")) }
                } }
                tbody {
                    @for item in rows {
                        @let o = &item.organisation;
                        // Only a refused row keeps what was typed; no row arrives filled in, so a
                        // merge (which cannot be undone) always names its target on purpose.
                        @let typed = error.as_ref().filter(|e| e.org == o.id.as_str()).map_or("", |e| e.into);
                        tr id=(format!("review-{}", o.id)) {
                            td { (o.name) } td { code { (o.id) } } td { (identifiers(&o.identifiers)) }
                            td { ul class="suggestions" { @for s in &item.suggestions { li {
                                (s.name) " " code { (s.id) } " "
                                span class="muted shared" { "(" (ta("org-shared-words", &[("words", &s.shared.join(", "))])) ") " }
                                form method="post" action="/organisations/review" class="inline" {
                                    input type="hidden" name="csrf" value=(csrf);
                                    input type="hidden" name="org" value=(o.id);
                                    input type="hidden" name="q" value=(search);
                                    input type="hidden" name="into" value=(s.id);
                                    button type="submit" name="action" value="link" class="link-suggested" { (ta("org-link-to-this", &[("name", &s.name)])) }
                                }
                            } } } }
                            td {
                                form method="post" action="/organisations/review" class="inline" {
                                    input type="hidden" name="csrf" value=(csrf);
                                    input type="hidden" name="org" value=(o.id);
                                    input type="hidden" name="q" value=(search);
                                    label { (t("org-merge-into")) " "
                                        input type="text" name="into" list="org-choices" class="into" value=(typed) required; }
                                    " "
                                    button type="submit" name="action" value="link" class="link" { (t("org-link-to")) }
                                }
                                form method="post" action="/organisations/review" class="inline" {
                                    input type="hidden" name="csrf" value=(csrf);
                                    input type="hidden" name="org" value=(o.id);
                                    input type="hidden" name="q" value=(search);
                                    button type="submit" name="action" value="keep" class="keep" { (t("org-keep")) }
                                }
                            }
                        }
                    }
                }
            }
            (crate::present::pager::pager("org-review-pages", page, pages, page_link))
            (choices(snap))
        }
    }
}

async fn review_page(
    State(state): State<AppState>,
    caller: Caller,
    PageQuery(query): PageQuery<ReviewQuery>,
) -> PageResult<Response> {
    let principal = admin(&caller)?;
    let items = review_items(&state).await?;
    let snap = state.snapshot().await?;
    let body = html! {
        (done_message(&query.done))
        (review_body(&items, &snap, principal.csrf.as_deref().unwrap_or_default(), (&query.q, query.page.unwrap_or(1), &query.q), None))
    };
    Ok(layout(&t("title-org-review"), &caller, body).into_response())
}

#[derive(serde::Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    org: String,
    #[serde(default)]
    into: String,
    #[serde(default)]
    action: String,
    /// `yes` once the admin has read what a link (a merge, which cannot be undone) does.
    #[serde(default)]
    confirm: String,
    /// The review list's search when the form was sent, so the list comes back narrowed as the
    /// admin left it (it came back whole after every merge).
    #[serde(default)]
    q: String,
}

/// `location` with the review list's search added, when there is one.
fn with_search(location: String, q: &str) -> String {
    match q.trim() {
        "" => location,
        q => format!("{location}&q={}", crate::present::links::urlencode(q)),
    }
}

/// The two organisations of a merge, the "into" given as typed; `Err` is the field and
/// message to show.
async fn merge_ends(
    state: &AppState,
    from: &str,
    into: &str,
) -> Result<Result<(RecordId, RecordId), (String, String)>, ApiError> {
    let Ok(from_id) = RecordId::parse(from.trim()) else {
        return Ok(Err(("from".into(), ta("org-err-unknown", &[("id", from)]))));
    };
    if into.trim().is_empty() {
        return Ok(Err(("into".into(), t("org-err-into-required"))));
    }
    let Some(into_id) = resolve(state, into).await? else {
        return Ok(Err(("into".into(), ta("org-err-unknown", &[("id", into)]))));
    };
    // Said before the confirmation, not after it (the service refuses it too). An unknown or
    // already merged `from` is the service's to judge: a second merge of the same pair is
    // answered as done, not refused.
    if from_id == into_id {
        return Ok(Err(("into".into(), t("org-err-self"))));
    }
    Ok(Ok((from_id, into_id)))
}

/// Runs a merge, the "into" given as typed; `Err` is the field and message to show.
async fn merge(
    state: &AppState,
    actor: &str,
    from: &str,
    into: &str,
) -> Result<Result<MergeReport, (String, String)>, ApiError> {
    let (from_id, into_id) = match merge_ends(state, from, into).await? {
        Ok(ends) => ends,
        Err(problem) => return Ok(Err(problem)),
    };
    let st = state.clone();
    let actor = actor.to_string();
    let result = blocking(move || {
        let merged = st.service().merge_organisations(&actor, &from_id, &into_id);
        Ok(match merged {
            Ok(mut report) => {
                // The account changes are audited as the admin who merged.
                let mut accounts = st.accounts();
                let usual = accounts.actor().to_string();
                accounts.set_actor(&actor);
                let moved = orgs::move_account_scopes(&mut *accounts, &from_id, &into_id);
                accounts.set_actor(&usual);
                report.accounts_rescoped = moved?;
                Ok(report)
            }
            Err(e) => Err(e),
        })
    })
    .await?;
    match result {
        Ok(report) => {
            if report.changed > 0 {
                state.invalidate();
            }
            Ok(Ok(report))
        }
        Err(e) => match refusal(&e) {
            Some(problem) => Ok(Err(problem)),
            None => Err(e.into()),
        },
    }
}

/// Where a merge sends the browser; record ids are URL-safe as they are.
fn merged_location(path: &str, report: &MergeReport) -> String {
    format!(
        "{path}?merged={}&into={}{}",
        report.from,
        report.into,
        if report.already_merged {
            "&already=1"
        } else {
            ""
        }
    )
}

async fn review_submit(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<ReviewForm>,
) -> PageResult<Response> {
    let principal = admin(&caller)?;
    auth::check_csrf(&principal, &form.csrf)?;
    let problem = match form.action.as_str() {
        "keep" => {
            let Ok(id) = RecordId::parse(form.org.trim()) else {
                return Err(ApiError::bad_request(
                    "invalid_record",
                    ta("org-err-unknown", &[("id", &form.org)]),
                )
                .with_field("org")
                .into());
            };
            let st = state.clone();
            let actor = principal.name.clone();
            let org = id.clone();
            let result = blocking(move || Ok(st.service().keep_organisation(&actor, &org))).await?;
            match result {
                Ok(report) => {
                    if report.changed() > 0 {
                        state.invalidate();
                    }
                    return Ok(Redirect::to(&with_search(
                        format!("/organisations/review?kept={id}"),
                        &form.q,
                    ))
                    .into_response());
                }
                Err(e) => match refusal(&e) {
                    Some((_, message)) => message,
                    None => return Err(ApiError::from(e).into()),
                },
            }
        }
        // A merge cannot be undone, so a link is done only once its consequences were shown.
        "link" if form.confirm != "yes" => match merge_ends(&state, &form.org, &form.into).await? {
            Ok((from, into)) => {
                let snap = state.snapshot().await?;
                let body = confirm_merge(&snap, &principal, (&from, &into), &form.q);
                return Ok(layout(&t("org-merge-confirm-title"), &caller, body).into_response());
            }
            Err((_, message)) => message,
        },
        "link" => match merge(&state, &principal.name, &form.org, &form.into).await? {
            Ok(report) => {
                return Ok(Redirect::to(&with_search(
                    merged_location("/organisations/review", &report),
                    &form.q,
                ))
                .into_response());
            }
            Err((_, message)) => message,
        },
        other => {
            return Err(ApiError::page_not_one_of(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "action",
                other,
                &["link", "keep"],
            )
            .into());
        }
    };
    // Refused: the list again, narrowed to the organisation (so its row shows whatever page it
    // was on), with the reason and the "into" as typed; nothing written.
    let items = review_items(&state).await?;
    let snap = state.snapshot().await?;
    let body = review_body(
        &items,
        &snap,
        principal.csrf.as_deref().unwrap_or_default(),
        (&form.org, 1, &form.q),
        Some(Refusal {
            org: &form.org,
            message: &problem,
            into: &form.into,
        }),
    );
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        layout(&t("title-org-review"), &caller, body),
    )
        .into_response())
}

/// What merging `from` into `into` does, with the button that does it and a way back.
fn confirm_merge(
    snap: &Snapshot,
    principal: &Principal,
    (from, into): (&RecordId, &RecordId),
    q: &str,
) -> Markup {
    let back = if q.trim().is_empty() {
        from.as_str()
    } else {
        q.trim()
    };
    let name = |id: &RecordId| snap.ledger.org_name(id);
    html! {
        p id="org-merge-confirm" {
            (ta("org-merge-confirm", &[
                ("from", &name(from)), ("from_id", from.as_str()),
                ("into", &name(into)), ("into_id", into.as_str()),
            ]))
        }
        form method="post" action="/organisations/review" class="inline" {
            input type="hidden" name="csrf" value=(principal.csrf.as_deref().unwrap_or_default());
            input type="hidden" name="org" value=(from);
            input type="hidden" name="into" value=(into);
            input type="hidden" name="confirm" value="yes";
            input type="hidden" name="q" value=(q);
            button type="submit" name="action" value="link" id="org-merge-confirmed" { (t("org-merge-confirm-button")) }
        }
        " "
        a href=(format!("/organisations/review?q={}", crate::present::links::urlencode(back))) id="org-merge-back" { (t("org-merge-back")) }
    }
}

#[derive(serde::Deserialize, Default)]
pub struct MergeQuery {
    #[serde(default)]
    from: String,
    #[serde(flatten)]
    done: Done,
}

fn merge_form(
    snap: &Snapshot,
    csrf: &str,
    from: &str,
    into: &str,
    error: Option<(&str, &str)>,
) -> Markup {
    let problem = |field: &str| {
        error
            .filter(|(f, _)| *f == field)
            .map(|(_, m)| m.to_string())
    };
    html! {
        p { (t("org-merge-intro")) }
        form method="post" action="/organisations/merge" class="form" id="merge-form" {
            input type="hidden" name="csrf" value=(csrf);
            label { (t("org-merge-from")) " " input type="text" name="from" id="from" list="org-choices" value=(from) required; }
            @if let Some(m) = problem("from") { p class="error" id="error-from" role="alert" { (m) } }
            label { (t("org-merge-into")) " " input type="text" name="into" id="into" list="org-choices" value=(into) required; }
            @if let Some(m) = problem("into") { p class="error" id="error-into" role="alert" { (m) } }
            button type="submit" id="merge" { (t("org-merge-go")) }
        }
        (choices(snap))
    }
}

async fn merge_page(
    State(state): State<AppState>,
    caller: Caller,
    PageQuery(q): PageQuery<MergeQuery>,
) -> PageResult<Response> {
    let principal = admin(&caller)?;
    let snap = state.snapshot().await?;
    let body = html! {
        (done_message(&q.done))
        (merge_form(&snap, principal.csrf.as_deref().unwrap_or_default(), &q.from, "", None))
    };
    Ok(layout(&t("title-org-merge"), &caller, body).into_response())
}

#[derive(serde::Deserialize)]
pub struct MergeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    into: String,
}

async fn merge_submit(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<MergeForm>,
) -> PageResult<Response> {
    let principal = admin(&caller)?;
    auth::check_csrf(&principal, &form.csrf)?;
    match merge(&state, &principal.name, &form.from, &form.into).await? {
        Ok(report) => {
            Ok(Redirect::to(&merged_location("/organisations/merge", &report)).into_response())
        }
        Err((field, message)) => {
            let snap = state.snapshot().await?;
            let body = merge_form(
                &snap,
                principal.csrf.as_deref().unwrap_or_default(),
                &form.from,
                &form.into,
                Some((&field, &message)),
            );
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                layout(&t("title-org-merge"), &caller, body),
            )
                .into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str) -> ReviewItem {
        ReviewItem {
            organisation: serde_json::from_value(serde_json::json!({
                "id": id, "name": format!("Organisation {id}"), "kind": "ngo"
            }))
            .expect("an organisation"),
            suggestions: Vec::new(),
        }
    }

    #[test]
    fn the_organisation_searched_by_its_id_comes_first() {
        // org-10 … org-19 and org-100 … org-199 all contain "org-1" and come before it.
        let mut items: Vec<ReviewItem> = (10..200).map(|n| item(&format!("org-{n}"))).collect();
        items.push(item("org-1"));
        let shown = matching(&items, "org-1");
        assert_eq!(shown[0].organisation.id.as_str(), "org-1");
        assert!(shown.len() > REVIEW_ROWS, "many ids contain it");
    }

    #[test]
    fn other_matches_keep_the_reviews_order() {
        let items = vec![item("b-x"), item("a-x"), item("x")];
        let ids: Vec<&str> = matching(&items, "x")
            .iter()
            .map(|i| i.organisation.id.as_str())
            .collect();
        assert_eq!(ids, ["x", "b-x", "a-x"]);
    }
}
