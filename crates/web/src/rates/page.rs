//! The exchange-rates page (admins): what the rate table covers per currency and source, and a
//! rate file import with a preview first — `aidtrace fx coverage` and `aidtrace fx import` in the
//! browser. The preview writes nothing; the import writes all rows or none, one audit entry per
//! changed rate (the store's `put_fx_rates`).

use aidtrace_domain::fx::RateEntry;
use aidtrace_domain::fx::coverage::CoverageRow;
use aidtrace_service::Aidtrace;
use axum::Router;
use axum::extract::{Multipart, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use maud::{Markup, html};

use crate::auth::{self, Caller, Principal, Role};
use crate::error::{ApiError, PageResult};
use crate::i18n::{self, t, ta};
use crate::multipart::{small_text, unreadable};
use crate::request_ctx::layout;
use crate::state::{AppState, blocking};

/// Rows of a file shown in its preview; the count says how many more there are.
const PREVIEW_ROWS: usize = 50;

/// Routes of this area, merged into [`crate::app`].
pub fn routes() -> Router<AppState> {
    Router::new().route("/rates", get(page).post(submit))
}

fn admin(caller: &Caller) -> Result<Principal, ApiError> {
    let principal = caller.require()?;
    if principal.role != Role::Admin {
        return Err(ApiError::forbidden(t("rates-err-admin")));
    }
    Ok(principal.clone())
}

async fn coverage(state: &AppState) -> Result<Vec<CoverageRow>, ApiError> {
    let st = state.clone();
    blocking(move || st.reader()?.rate_coverage().map_err(ApiError::from)).await
}

fn upload_form(csrf: &str) -> Markup {
    html! {
        form method="post" action="/rates" enctype="multipart/form-data" class="form" id="rates-form" {
            input type="hidden" name="csrf" value=(csrf);
            label { (t("rates-file")) " " input type="file" name="file" id="file" accept=".csv,.json,text/csv,application/json" required; }
            button type="submit" name="action" value="preview" id="preview" { (t("rates-preview")) }
        }
    }
}

fn coverage_table(rows: &[CoverageRow]) -> Markup {
    html! {
        h2 { (t("rates-coverage")) }
        table class="list" id="coverage" {
            thead { tr {
                th { (t("rates-col-currency")) } th { (t("rates-col-source")) } th { (t("rates-col-frequency")) }
                th { (t("rates-col-origin")) } th { (t("rates-col-first")) } th { (t("rates-col-last")) } th { (t("rates-col-count")) }
            } }
            tbody {
                @for r in rows {
                    tr {
                        td { (r.currency) } td { (r.source) } td { (crate::labels::label(r.frequency)) }
                        td { (crate::labels::label(r.origin)) } td { (i18n::date(r.first)) } td { (i18n::date(r.last)) } td { (r.rates) }
                    }
                }
            }
        }
        p class="muted" { (t("totals-attribution")) }
    }
}

async fn page(State(state): State<AppState>, caller: Caller) -> PageResult<Html<String>> {
    let principal = admin(&caller)?;
    let rows = coverage(&state).await?;
    let body = html! {
        p id="rates-order" { (t("rates-order")) }
        (upload_form(principal.csrf.as_deref().unwrap_or_default()))
        (coverage_table(&rows))
    };
    Ok(layout(&t("title-rates"), &caller, body))
}

struct Upload {
    csrf: String,
    action: String,
    name: String,
    text: String,
}

async fn read_upload(mut multipart: Multipart) -> Result<Upload, ApiError> {
    // The English sentence stays for the API and the logs; the page words `said`.
    let bad = |m: String, value: &str, said: &'static str| {
        ApiError::bad_request("invalid_upload", m).said(value, i18n::Msg::new(said))
    };
    let mut upload = Upload {
        csrf: String::new(),
        action: "preview".into(),
        name: String::new(),
        text: String::new(),
    };
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| unreadable("upload", &e))?
    {
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "csrf" => upload.csrf = small_text(field, "csrf").await?,
            "action" => upload.action = small_text(field, "action").await?,
            "name" => upload.name = small_text(field, "name").await?,
            // Pasted rates: bounded by the body limit, past which the answer is a 413.
            "text" => upload.text = field.text().await.map_err(|e| unreadable("text", &e))?,
            "file" => {
                upload.name = field.file_name().unwrap_or("rates.csv").to_string();
                let bytes = field.bytes().await.map_err(|e| unreadable("file", &e))?;
                upload.text = String::from_utf8(bytes.to_vec()).map_err(|_| {
                    bad(
                        format!(
                            "file {:?}: not UTF-8 text (a CSV or JSON rate file)",
                            upload.name
                        ),
                        &upload.name,
                        "rates-err-not-utf8",
                    )
                    .with_field("file")
                })?;
            }
            other => {
                return Err(bad(
                    format!("unknown form field {other:?}"),
                    other,
                    "rates-err-unknown-field",
                ));
            }
        }
    }
    if upload.text.trim().is_empty() {
        return Err(
            ApiError::bad_request("invalid_upload", t("rates-err-no-file")).with_field("file"),
        );
    }
    Ok(upload)
}

/// A rate file's bad rows, each with its line, field, value and why; nothing was written.
fn refused(upload: &Upload, errors: &[ApiError]) -> Markup {
    html! {
        section id="rates-errors" class="error" role="alert" {
            p { (ta("rates-refused", &[("name", &upload.name), ("count", &errors.len().to_string())])) }
            ul {
                @for e in errors {
                    li { @if let Some(f) = &e.field { span class="field" { (field_label(f)) } ": " } (crate::error::error_text(e)) }
                }
            }
            @if errors.len() >= aidtrace_domain::fx::ROW_ERRORS_AT_MOST {
                p class="muted" { (ta("rates-refused-more", &[("count", &errors.len().to_string())])) }
            }
        }
    }
}

/// Where in a rate file a refused value sits, in the reader's language. The domain names a CSV
/// row's value `line 3: Date` (the column as the file's header spells it) and a header problem
/// `header` or `header column 2` (`aidtrace_domain::fx::parse_csv_rows`); "line", "header" and
/// "column" are worded here, the column names stay as the file has them. Other paths (the JSON
/// table's `[4].month`) are shown as they are. A unit test holds these to the domain's paths.
fn field_label(field: &str) -> String {
    let number = |n: &str| n.parse::<u64>().is_ok();
    if let Some((n, column)) = field
        .strip_prefix("line ")
        .and_then(|rest| rest.split_once(": "))
        .filter(|(n, _)| number(n))
    {
        let line = ta("import-line", &[("line", n)]);
        // `row`: the row as a whole could not be read.
        return if column == "row" {
            line
        } else {
            format!("{line}: {column}")
        };
    }
    match field.strip_prefix("header column ") {
        Some(n) if number(n) => ta("rates-field-header-column", &[("column", n)]),
        _ if field == "header" => t("rates-field-header"),
        _ => field.to_string(),
    }
}

fn preview(upload: &Upload, entries: &[RateEntry], csrf: &str) -> Markup {
    html! {
        h2 id="preview-title" { (ta("rates-preview-title", &[("file", &upload.name), ("count", &entries.len().to_string())])) }
        table class="list" id="preview-rows" {
            thead { tr {
                th { (t("rates-col-currency")) } th { (t("rates-col-date")) } th { (t("rates-col-frequency")) }
                th { (t("rates-col-rate")) } th { (t("rates-col-source")) }
            } }
            tbody {
                @for e in entries.iter().take(PREVIEW_ROWS) {
                    tr { td { (e.currency) } td { (i18n::date(e.date)) } td { (crate::labels::label(e.frequency)) } td { (e.units_per_usd) } td { (e.source) } }
                }
            }
        }
        @if entries.len() > PREVIEW_ROWS {
            p class="muted" { (ta("rates-preview-more", &[("count", &(entries.len() - PREVIEW_ROWS).to_string())])) }
        }
        // The confirmation sends the same text back: what is imported is exactly what was shown.
        form method="post" action="/rates" enctype="multipart/form-data" class="form" id="confirm-form" {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="name" value=(upload.name);
            textarea name="text" hidden { (upload.text) }
            button type="submit" name="action" value="import" id="import" { (t("rates-confirm")) }
        }
    }
}

async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    multipart: Multipart,
) -> PageResult<Response> {
    let principal = admin(&caller)?;
    let upload = read_upload(multipart).await?;
    auth::check_csrf(&principal, &upload.csrf)?;
    let csrf = principal.csrf.clone().unwrap_or_default();
    let import = match upload.action.as_str() {
        "preview" => false,
        "import" => true,
        other => {
            return Err(ApiError::page_not_one_of(
                axum::http::StatusCode::BAD_REQUEST,
                "invalid_upload",
                "action",
                other,
                &["preview", "import"],
            )
            .into());
        }
    };
    // Parsing writes nothing and needs no lock on the store. A file with bad rows is shown here
    // with every one of them, beside the form to send it again, also when its text came back to
    // be imported: the import would name only the first, on an error page.
    let entries = match Aidtrace::read_rates_rows(&upload.text) {
        Ok(entries) => entries,
        Err(errors) => {
            let errors: Vec<ApiError> = errors.into_iter().map(ApiError::from).collect();
            let body = html! {
                (refused(&upload, &errors))
                (upload_form(&csrf))
                (coverage_table(&coverage(&state).await?))
            };
            return Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                layout(&t("title-rates"), &caller, body),
            )
                .into_response());
        }
    };
    let result = if import {
        let st = state.clone();
        let actor = principal.name.clone();
        let text = upload.text.clone();
        let report = blocking(move || {
            st.service()
                .import_rates(&actor, &text)
                .map_err(ApiError::from)
        })
        .await?;
        if report.changed() > 0 {
            // Totals, findings and conversions all depend on the rates.
            state.invalidate();
        }
        html! {
            p id="import-result" { (ta("rates-imported", &[
                ("created", &report.created.to_string()),
                ("replaced", &report.updated.to_string()),
                ("unchanged", &report.unchanged.to_string())])) }
        }
    } else {
        preview(&upload, &entries, &csrf)
    };
    let rows = coverage(&state).await?;
    let body = html! {
        (result)
        (upload_form(&csrf))
        (coverage_table(&rows))
    };
    Ok(layout(&t("title-rates"), &caller, body).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use aidtrace_domain::fx::{RateOrigin, parse_csv_rows};

    /// The fields the domain gives a rate file's refused values, worded in Ukrainian.
    fn worded_fields(file: &str) -> Vec<String> {
        let errors = parse_csv_rows(file, RateOrigin::Imported).expect_err("a refused file");
        i18n::scope(Lang::Uk, || {
            errors.iter().map(|e| field_label(&e.field)).collect()
        })
    }

    /// Held to the domain's own paths, so a change of their form shows here rather than as
    /// English on a page.
    #[test]
    fn a_refused_rows_place_is_worded_with_the_files_column_names_kept() {
        let rows = worded_fields(
            "Date,Rate,Currency,Frequency,Source\n2025-06-30,0,KZT,M,x\nlast month,1,KZT,M,x\n2025-07-31,1,QQQ,M,x\n",
        );
        assert_eq!(rows[0], "рядок 2: Rate");
        assert_eq!(rows[1], "рядок 3: Date");
        assert!(rows[2].starts_with("рядок 4: Currency"), "{rows:?}");
        let header = worded_fields("Date,Price\n2025-06-30,1\n");
        assert_eq!(header, ["рядок заголовків, стовпець 2"]);
    }

    #[test]
    fn a_whole_row_or_the_header_is_named_without_english() {
        i18n::scope(Lang::Kk, || {
            assert_eq!(field_label("line 7: row"), "7-жол");
            assert_eq!(field_label("header"), t("rates-field-header"));
            assert_ne!(field_label("header"), "header");
            // A JSON table's path is shown as it is.
            assert_eq!(field_label("[4].month"), "[4].month");
        });
        assert_eq!(field_label("line 3: Rate"), "line 3: Rate");
    }
}
