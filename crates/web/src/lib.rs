//! aidtrace web application and JSON API.
//!
//! [`app`] builds the router (pages, `/api/v1`, static assets compiled into the binary);
//! [`serve`] runs it. Every figure shown keeps its original currency; converted figures show
//! their rate, its date and its source on demand. Nothing is loaded from outside the machine.

pub mod api;
pub mod assets;
pub mod auth;
pub mod changes;
pub mod dashboard;
pub mod energy;
pub mod error;
pub mod findings;
pub mod flows;
pub mod iati;
pub mod intake;
pub mod map;
pub mod medicines;
pub mod multipart;
pub mod orgs;
pub mod present;
pub mod rates;
pub mod read_model;
pub mod readers;
pub mod request_ctx;
pub mod server;
pub mod snapshot_delta;
pub mod state;
pub mod tables;

/// Totals as pages show them live in the service, where the CLI uses them too.
pub use aidtrace_service::summary;
pub use present::{format, i18n, labels, svg};

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
            request_ctx::error_page(StatusCode::NOT_FOUND, &message, None),
        )
            .into_response()
    }
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    let limit = state.config.body_limit;
    Router::new()
        .route("/", get(dashboard::pages::dashboard))
        .route("/activities", get(dashboard::pages::activities))
        .route("/activities/{id}", get(dashboard::pages::activity))
        .route("/flows", get(flows::list::page))
        .route("/totals", get(dashboard::pages::totals_page))
        .route("/facilities", get(dashboard::pages::facilities))
        .route("/facilities/{id}", get(dashboard::pages::facility))
        .route("/quality", get(dashboard::pages::quality))
        .route(
            "/login",
            get(auth::login::login_form).post(auth::login::login),
        )
        .route("/logout", post(dashboard::pages::logout))
        .route("/changes", get(changes::page::page))
        .route("/changes/{id}/{action}", post(dashboard::pages::decide))
        .route("/export/{list}/{format}", get(dashboard::pages::export))
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
        .merge(iati::import_page::routes(state.config.upload_limit))
        .merge(rates::page::routes())
        .merge(orgs::review::routes())
        .merge(orgs::routes())
        .merge(map::claims::routes())
        .merge(map::regions::routes())
        .merge(iati::export::routes())
        .merge(assets::pages::routes())
        .merge(assets::contracts::routes())
        .merge(assets::parts::routes())
        .merge(assets::recalls::routes())
        .merge(assets::work::routes())
        .merge(energy::pages::routes())
        .merge(energy::survey::routes())
        .merge(energy::v2_page::routes())
        .merge(energy::fuel::routes())
        .merge(intake::pages::routes())
        .merge(medicines::pages::routes())
        .merge(medicines::import::routes())
        .merge(medicines::entry_page::routes())
        .merge(medicines::actions::routes())
        .merge(changes::forms::routes())
        .merge(map::page::routes())
        .merge(api::docs::routes())
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
