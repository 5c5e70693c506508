//! aidtrace web application and JSON API.
//!
//! [`app`] builds the router (pages, `/api/v1`, static assets compiled into the binary);
//! [`serve`] runs it. Every figure shown keeps its original currency; converted figures show
//! their rate, its date and its source on demand. Nothing is loaded from outside the machine.

pub mod api;
pub mod api_docs;
pub mod api_types;
pub mod asset_contracts;
pub mod asset_pages;
pub mod asset_work_pages;
pub mod auth;
pub mod changes_page;
pub mod claims_page;
pub mod edit;
pub mod energy_fuel_page;
pub mod energy_pages;
pub mod energy_survey_pages;
pub mod energy_v2_commit;
pub mod energy_v2_notes;
pub mod energy_v2_oblasts;
pub mod energy_v2_page;
pub mod energy_v2_reasons;
pub mod energy_v2_tables;
pub mod error;
pub mod facility_filter;
pub mod filters;
pub use present::format;
pub mod forms;
pub mod geo;
pub mod guard;
pub use present::i18n;
pub mod iati_export;
pub mod import_page;
pub mod import_report;
pub mod intake_pages;
pub use present::labels;
pub mod login;
pub mod map_page;
pub mod map_svg;
pub mod medicine_import;
pub mod medicine_actions;
pub mod medicine_cards;
pub mod medicine_entry;
pub mod medicine_entry_page;
pub mod medicine_pages;
pub mod openapi;
pub mod org_pages;
pub mod orgs;
pub mod pages;
pub mod precondition;
pub mod present;
pub mod rates_page;
pub mod read_model;
pub mod recall_pages;
pub mod regions_page;
pub mod request_ctx;
pub mod server;
pub mod state;
/// Totals as pages show them live in the service, where the CLI uses them too.
pub use aidtrace_service::summary;
pub use present::svg;
pub mod tables;
pub mod upload;

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

pub use auth::{PasswordCost, Role, add_user, create_token};
pub use error::ApiError;
pub use state::{AppState, WebConfig};

const CSS: &str = include_str!("../assets/app.css");
/// Lets wide tables that scroll inside their box take keyboard focus (optional, see the file).
const TABLES_JS: &str = include_str!("../assets/tables.js");

/// No script runs inline or from elsewhere; the pages may not be framed.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

async fn security_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::CACHE_CONTROL,
        h.get(header::CACHE_CONTROL)
            .cloned()
            .unwrap_or(HeaderValue::from_static("no-store")),
    );
    resp
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
        .into_response()
}

async fn tables_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        TABLES_JS,
    )
        .into_response()
}

/// Takes the caller (when the request has credentials) so the page keeps the signed-in header.
async fn not_found(_caller: Result<auth::Caller, ApiError>, uri: axum::http::Uri) -> Response {
    let e = ApiError::not_found(format!("nothing at {}", uri.path()));
    if uri.path().starts_with("/api/") {
        e.into_response()
    } else {
        let message = i18n::ta("err-nothing-at", &[("path", uri.path())]);
        (
            StatusCode::NOT_FOUND,
            pages::error_page(StatusCode::NOT_FOUND, &message, None),
        )
            .into_response()
    }
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    let limit = state.config.body_limit;
    Router::new()
        .route("/", get(pages::dashboard))
        .route("/activities", get(pages::activities))
        .route("/activities/{id}", get(pages::activity))
        .route("/flows", get(filters::flows::page))
        .route("/totals", get(pages::totals_page))
        .route("/facilities", get(pages::facilities))
        .route("/facilities/{id}", get(pages::facility))
        .route("/quality", get(pages::quality))
        .route("/login", get(login::login_form).post(login::login))
        .route("/logout", post(pages::logout))
        .route("/changes", get(changes_page::page))
        .route("/changes/{id}/{action}", post(pages::decide))
        .route("/export/{list}/{format}", get(pages::export))
        .route("/static/app.css", get(css))
        .route("/static/tables.js", get(tables_js))
        .route("/api/v1/openapi.json", get(api::openapi_json))
        .route("/api/v1/dashboard", get(api::dashboard))
        .route("/api/v1/findings", get(api::findings))
        .route("/api/v1/reports/totals", get(api::totals))
        .route("/api/v1/changes", get(api::changes))
        .route("/api/v1/changes/{id}/{action}", post(api::decide))
        .route("/api/v1/{collection}", get(api::list))
        .route("/api/v1/{collection}/{id}", get(api::get).put(api::put))
        .merge(import_page::routes(state.config.upload_limit))
        .merge(rates_page::routes())
        .merge(org_pages::routes())
        .merge(orgs::routes())
        .merge(claims_page::routes())
        .merge(regions_page::routes())
        .merge(iati_export::routes())
        .merge(asset_pages::routes())
        .merge(asset_contracts::routes())
        .merge(recall_pages::routes())
        .merge(asset_work_pages::routes())
        .merge(energy_pages::routes())
        .merge(energy_survey_pages::routes())
        .merge(energy_v2_page::routes())
        .merge(energy_fuel_page::routes())
        .merge(intake_pages::routes())
        .merge(medicine_pages::routes())
        .merge(medicine_import::routes())
        .merge(medicine_entry_page::routes())
        .merge(medicine_actions::routes())
        .merge(forms::routes())
        .merge(map_page::routes())
        .merge(api_docs::routes())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn(i18n::middleware))
        .layer(middleware::from_fn(request_ctx::middleware))
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

/// Serves `state` on `addr` until Ctrl-C (through [`server::serve_on`]: timeouts, connection
/// cap, client addresses). Prints the address it listens on.
pub async fn serve(state: AppState, addr: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("aidtrace: serving on http://{}", listener.local_addr()?);
    // Build the first snapshot now rather than on the first visitor's request.
    let warm = state.clone();
    tokio::spawn(async move {
        if let Err(e) = warm.snapshot().await {
            eprintln!(
                "aidtrace: could not build the first snapshot: {}",
                e.message
            );
        }
    });
    server::serve_on(state, listener, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}
