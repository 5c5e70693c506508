//! Packing lists uploaded in the browser (CSV or XLSX, read by the same service code as
//! `aidtrace medicine consignment`), previewed with every line's guideline findings or every
//! line error before anything is saved; the medicines' FHIR R4 bundles as downloads; and the
//! in-kind value of consignments on activity pages and the dashboard.
//!
//! The preview is a page of its own: the lines read travel in the save form as JSON and are
//! checked again when saved, and the save carries the consignment's ETag, so a consignment that
//! changed (or was decided) since the preview is not overwritten.

use std::collections::BTreeMap;

use aidtrace_domain::filter::Filter;
use aidtrace_domain::medicines::{Consignment, PackingLine};
use aidtrace_domain::totals::{exclusion, kept_part};
use aidtrace_domain::{CurrencyCode, Money, Record, RecordId, RecordKind};
use aidtrace_service::fhir_medicines::{self, MEDICINE_FHIR_TYPES};
use aidtrace_service::medicine_in_kind;
use aidtrace_service::medicines::{
    self as service, ConsignmentPreview, LineError, PACKING_COLUMNS, PackingFormat, PackingPreview,
};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use maud::{Markup, html};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::auth::can_read;
use crate::auth::{self, Caller, Principal};
use crate::changes::edit::{self, WriteOutcome};
use crate::changes::precondition::Precondition;
use crate::error::{ApiError, PageResult};
use crate::i18n::{self, t, ta};
use crate::labels::label;
use crate::medicines::pages::finding;
use crate::present::format::{group_digits, money};
use crate::request_ctx::layout;
use crate::state::{AppState, Snapshot, blocking};

/// The largest packing-list upload: a 5,000-line list is well under it; a 100,000-row workbook
/// is refused by its line count (the service's limit), larger files by this.
pub const MAX_PACKING_BYTES: usize = 8 * 1024 * 1024;

/// Routes of this area, merged into [`crate::app`].
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/medicines/packing",
            get(form)
                .post(upload)
                .layer(DefaultBodyLimit::max(MAX_PACKING_BYTES + 64 * 1024)),
        )
        .route("/medicines/fhir/{file}", get(fhir_file))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FormQuery {
    consignment: String,
}

/// Consignments whose packing list can still be replaced: not decided yet.
fn open_consignments(snap: &Snapshot) -> Vec<&Consignment> {
    let decided = service::latest_decisions(&snap.ledger);
    snap.ledger
        .consignments
        .values()
        .filter(|c| !decided.contains_key(&c.id))
        .collect()
}

fn upload_form(snap: &Snapshot, principal: &Principal, chosen: &str) -> Markup {
    let open = open_consignments(snap);
    html! {
        @if open.is_empty() {
            p class="muted" id="packing-none" { (t("medpk-none")) }
        } @else {
            form method="post" action="/medicines/packing" enctype="multipart/form-data" class="form" id="packing-form" {
                input type="hidden" name="csrf" value=(principal.csrf.as_deref().unwrap_or_default());
                label { (t("medpk-consignment"))
                    select name="consignment" id="packing-consignment" required {
                        @for c in &open {
                            option value=(c.id) selected[c.id.as_str() == chosen] { (c.id) " — " (snap.ledger.org_name(&c.donor)) }
                        }
                    }
                }
                label { (t("medpk-file")) input type="file" name="file" id="packing-file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required; }
                // Column names are identifiers, shown as code (the same in every language).
                p class="muted" { (t("medpk-columns")) " " code { (PACKING_COLUMNS.join(", ")) } }
                button type="submit" name="action" value="preview" id="packing-preview" { (t("medpk-preview")) }
            }
        }
    }
}

/// On the medicines page: the packing-list upload and the FHIR downloads.
pub fn index_links() -> Markup {
    html! {
        p { a href="/medicines/packing" id="medicine-packing" { (t("medpk-upload-link")) } }
        (downloads())
    }
}

fn downloads() -> Markup {
    html! {
        p class="exports" id="medicine-fhir" {
            "FHIR R4: "
            @for (i, kind) in MEDICINE_FHIR_TYPES.iter().enumerate() {
                @if i > 0 { " · " }
                a href=(format!("/medicines/fhir/{kind}.json")) { (kind) }
            }
        }
    }
}

async fn form(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<FormQuery>,
) -> PageResult<Html<String>> {
    can_read(&state, &caller)?;
    let snap = state.snapshot().await?;
    let body = html! {
        p { (t("medpk-intro")) }
        @match caller.principal() {
            Some(p) if p.can_edit_something() => { (upload_form(&snap, p, &q.consignment)) }
            Some(_) => { p id="packing-read-only" { (t("medpk-read-only")) } }
            None => { p id="packing-sign-in" { (t("medpk-sign-in")) " " code { "aidtrace medicine consignment --header H.json --packing LIST.xlsx --dry-run" } } }
        }
        (downloads())
    };
    Ok(layout(&t("medpk-title"), &caller, body))
}

/// What the upload form sent.
#[derive(Default)]
struct Sent {
    csrf: String,
    action: String,
    consignment: String,
    etag: String,
    lines: String,
    file: Option<(String, Vec<u8>)>,
}

async fn receive(mut multipart: Multipart) -> Result<Sent, ApiError> {
    let mut sent = Sent::default();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| crate::multipart::unreadable("upload", &e))?
    {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or_default().to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|e| crate::multipart::unreadable("file", &e))?;
            if bytes.len() > MAX_PACKING_BYTES {
                return Err(ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    ta(
                        "medpk-err-too-large",
                        &[("limit", &(MAX_PACKING_BYTES / 1024 / 1024).to_string())],
                    ),
                )
                .with_field("file"));
            }
            if !bytes.is_empty() {
                sent.file = Some((file_name, bytes.to_vec()));
            }
            continue;
        }
        let text = field
            .text()
            .await
            .map_err(|e| crate::multipart::unreadable(&name, &e))?;
        match name.as_str() {
            "csrf" => sent.csrf = text,
            "action" => sent.action = text,
            "consignment" => sent.consignment = text,
            "etag" => sent.etag = text,
            "lines" => sent.lines = text,
            _ => {}
        }
    }
    Ok(sent)
}

/// The stored consignment and its ETag, refused when it is unknown or decided.
fn open_consignment(state: &AppState, raw: &str) -> Result<(Consignment, String), ApiError> {
    let id = crate::error::parse_id(raw).map_err(|e| e.with_field("consignment"))?;
    let app = state.reader()?;
    let ledger = app.ledger()?;
    let c = service::lines_replaceable(&ledger, &id).map_err(|e| match e {
        aidtrace_service::ServiceError::NotFound(_) => {
            ApiError::not_found(ta("medp-err-no-consignment", &[("id", id.as_str())]))
                .with_field("consignment")
        }
        _ => ApiError::new(
            StatusCode::CONFLICT,
            "decided",
            ta("medpk-err-decided", &[("id", id.as_str())]),
        )
        .with_field("consignment"),
    })?;
    let etag = aidtrace_service::changes::current_etag(&app, RecordKind::Consignment, &id)?
        .unwrap_or_default();
    Ok((c.clone(), etag))
}

async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    multipart: Multipart,
) -> PageResult<Response> {
    let principal = caller.require()?.clone();
    // A reader's upload is refused before its body is read: parsing a workbook costs the
    // server, and only an account that may write records has a use for the preview.
    if !principal.can_edit_something() {
        return Err(ApiError::forbidden(t("medpk-read-only")).into());
    }
    let sent = receive(multipart).await?;
    auth::check_csrf(&principal, &sent.csrf)?;
    let lang = i18n::current();
    match sent.action.as_str() {
        "preview" => {
            let Some((name, bytes)) = sent.file else {
                return Err(ApiError::bad_request("invalid_upload", t("medpk-err-file"))
                    .with_field("file")
                    .into());
            };
            let st = state.clone();
            let raw = sent.consignment.clone();
            let (header, etag, preview) = blocking(move || {
                i18n::scope(lang, || {
                    let (c, etag) = open_consignment(&st, &raw)?;
                    let format = PackingFormat::detect(&name, &bytes);
                    let app = st.reader()?;
                    let preview = service::preview_packing(&app, c.clone(), &bytes, format)?;
                    Ok((c, etag, preview))
                })
            })
            .await?;
            let snap = state.snapshot().await?;
            let body = match preview {
                PackingPreview::Lines(p) => preview_page(&snap, &principal, &p, &etag),
                PackingPreview::Refused(errors) => html! {
                    (refused(&errors))
                    (upload_form(&snap, &principal, header.id.as_str()))
                },
            };
            Ok(layout(&t("medpk-title"), &caller, body).into_response())
        }
        "save" => {
            let lines: Vec<PackingLine> = serde_json::from_str(&sent.lines).map_err(|_| {
                ApiError::bad_request("invalid_upload", t("medpk-err-lines")).with_field("lines")
            })?;
            let st = state.clone();
            let raw = sent.consignment.clone();
            let etag = sent.etag.clone();
            let p = principal.clone();
            let (id, count, outcome) = blocking(move || {
                i18n::scope(lang, || {
                    let (mut c, _) = open_consignment(&st, &raw)?;
                    c.lines = lines;
                    let checked = service::check_lines(&*st.reader()?, c)?;
                    let (id, count) = (
                        checked.consignment.id.clone(),
                        checked.consignment.lines.len(),
                    );
                    let outcome = edit::write(
                        &st,
                        &p,
                        vec![Record::Consignment(checked.consignment)],
                        &Precondition::Loaded(etag),
                        false,
                    )?;
                    Ok((id, count, outcome))
                })
            })
            .await?;
            let done = match outcome {
                WriteOutcome::Applied { .. } => html! {
                    p class="ok" id="packing-saved" { (ta("medpk-saved", &[("id", id.as_str()), ("count", &count.to_string())])) " " a href=(format!("/medicines/consignments/{id}")) { (t("medpk-see-consignment")) } }
                },
                WriteOutcome::Proposed { change, .. } => html! {
                    p class="ok" id="packing-proposed" { (ta("medpk-proposed", &[("change", &change.to_string())])) " " a href=(format!("/changes/{change}")) { (t("medpk-see-change")) } }
                },
            };
            Ok(layout(&t("medpk-title"), &caller, done).into_response())
        }
        other => Err(ApiError::page_not_one_of(
            StatusCode::BAD_REQUEST,
            "invalid_upload",
            "action",
            other,
            &["preview", "save"],
        )
        .into()),
    }
}

/// What an error code says, in the reader's language.
fn code_text(e: &LineError) -> Markup {
    let id = format!("medpk-code-{}", e.code.replace('_', "-"));
    match e.code {
        "unknown_column" => html! { (t(&id)) " " code { (PACKING_COLUMNS.join(", ")) } },
        "too_many_lines" => html! {
            (ta(&id, &[("limit", &service::MAX_PACKING_LINES.to_string())]))
        },
        _ => html! { (t(&id)) },
    }
}

fn refused(errors: &[LineError]) -> Markup {
    html! {
        p class="error" id="packing-refused" role="alert" { (t("medpk-refused")) }
        table class="list" id="packing-errors" {
            thead { tr { th { (t("medpk-col-line")) } th { (t("medpk-col-field")) } th { (t("medpk-col-value")) } th { (t("medpk-col-problem")) } } }
            tbody { @for e in errors { tr data-code=(e.code) {
                td class="num" { @if e.line == 0 { (t("medpk-whole-file")) } @else { (e.line) } }
                td { code { (e.field) } }
                td { code { (e.value) } }
                td { (code_text(e)) }
            } } }
        }
    }
}

fn preview_page(
    snap: &Snapshot,
    principal: &Principal,
    p: &ConsignmentPreview,
    etag: &str,
) -> Markup {
    let c = &p.consignment;
    let ledger = &snap.ledger;
    let currency = c.declared_value.as_ref().map(|m| m.currency.to_string());
    let whole: Vec<_> = p.findings.iter().filter(|f| f.line.is_none()).collect();
    let lines_json = serde_json::to_string(&c.lines).unwrap_or_default();
    html! {
        h2 id="packing-preview-title" { (ta("medpk-preview-title", &[("count", &c.lines.len().to_string()), ("id", c.id.as_str())])) }
        @if !whole.is_empty() {
            ul class="findings" id="packing-whole-findings" { @for f in &whole { (finding(f)) } }
        }
        table class="list" id="packing-preview-lines" {
            thead { tr {
                th { (t("medp-col-line")) } th { (t("medp-col-product")) } th { (t("medp-col-checks")) } th { (t("medp-col-lot")) }
                th { (t("medp-col-expiry")) } th { (t("medp-col-quantity")) } th { (t("medp-col-unit-value")) } th { (t("medp-col-labels")) }
            } }
            tbody { @for (i, line) in c.lines.iter().enumerate() {
                @let own: Vec<_> = p.findings.iter().filter(|f| f.line == Some(i)).collect();
                tr class=(if own.is_empty() { "passes" } else { "fails" }) {
                    td class="num" { (i + 1) }
                    td { (ledger.medicine_products.get(&line.product).map_or_else(|| line.product.to_string(), |p| p.inn.clone())) }
                    td class="checks" {
                        @if own.is_empty() { span class="passes" { (t("medp-passes")) } }
                        @else { ul class="findings" { @for f in &own { (finding(f)) } } }
                    }
                    td { code { (line.lot) } }
                    td { (i18n::date(line.expiry)) }
                    td class="num" { (group_digits(line.quantity.into())) }
                    td class="num" { @if let Some(v) = line.unit_value { (i18n::number(v)) @if let Some(cur) = &currency { " " (cur) } } }
                    td { (line.label_languages.join(", ")) }
                }
            } }
        }
        form method="post" action="/medicines/packing" enctype="multipart/form-data" class="form" id="packing-save-form" {
            input type="hidden" name="csrf" value=(principal.csrf.as_deref().unwrap_or_default());
            input type="hidden" name="consignment" value=(c.id);
            input type="hidden" name="etag" value=(etag);
            input type="hidden" name="lines" value=(lines_json);
            p class="muted" { (t("medpk-save-note")) }
            button type="submit" name="action" value="save" id="packing-save" { (t("medpk-save")) }
        }
        p { a href=(format!("/medicines/packing?consignment={}", c.id)) { (t("medpk-again")) } }
    }
}

async fn fhir_file(
    State(state): State<AppState>,
    caller: Caller,
    Path(file): Path<String>,
) -> PageResult<Response> {
    can_read(&state, &caller)?;
    let kind = file
        .strip_suffix(".json")
        .filter(|k| MEDICINE_FHIR_TYPES.contains(k))
        .ok_or_else(|| {
            ApiError::not_found(ta("medpk-err-fhir", &[("name", file.as_str())])).with_field("file")
        })?
        .to_string();
    let snap = state.snapshot().await?;
    let mut bundles = fhir_medicines::export(&snap.ledger);
    let bundle = bundles
        .remove(kind.as_str())
        .ok_or_else(|| ApiError::not_found(kind.clone()))?;
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/fhir+json".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{kind}.json\""),
            ),
        ],
        serde_json::to_vec_pretty(&bundle).map_err(ApiError::internal)?,
    )
        .into_response())
}

/// On an activity page, under a flow: the consignments whose value it carries, in kind.
pub fn in_kind_note(snap: &Snapshot, flow: &RecordId) -> Markup {
    let carried = medicine_in_kind::carried_by(&snap.ledger);
    let Some(consignments) = carried.get(flow) else {
        return html! {};
    };
    html! {
        p class="in-kind" data-flow=(flow) {
            strong { (t("medpk-in-kind")) } ": "
            @for (i, c) in consignments.iter().enumerate() {
                @if i > 0 { ", " }
                a href=(format!("/medicines/consignments/{}", c.id)) { code { (c.id) } }
                " (" (t("medpk-valued-at")) " " (label(c.value_basis)) ")"
            }
        }
    }
}

/// On the dashboard: the in-kind disbursements among the flows its totals count (the same
/// exclusions and filter, the filter's share of each), summed in their own currencies; the
/// totals above convert them like any flow.
pub fn dashboard_in_kind(snap: &Snapshot, filter: &Filter) -> Markup {
    let ledger = &snap.ledger;
    let mut sums: BTreeMap<CurrencyCode, Decimal> = BTreeMap::new();
    let mut count = 0usize;
    for f in medicine_in_kind::carried_by(ledger).keys() {
        let Some(flow) = ledger.flows.get(*f) else {
            continue;
        };
        if exclusion(ledger, flow).is_some() {
            continue;
        }
        let Some(part) = kept_part(ledger, flow, filter) else {
            continue;
        };
        count += 1;
        let slot = sums.entry(flow.money.currency.clone()).or_default();
        let signed = if flow.reversal {
            -flow.money.amount
        } else {
            flow.money.amount
        };
        *slot = slot.saturating_add(signed.saturating_mul(part));
    }
    if count == 0 {
        return html! {};
    }
    let amounts: Vec<String> = sums
        .into_iter()
        .map(|(currency, amount)| {
            money(&Money {
                amount: amount.round_dp(2),
                currency,
                value_date: None,
            })
        })
        .collect();
    html! {
        p class="muted" id="dash-in-kind" {
            (ta("medpk-dash-in-kind", &[("count", &count.to_string()), ("amounts", &amounts.join(", "))]))
        }
    }
}
