//! Organisation pages: the `/organisations` list (filtered by role, each row linking to its
//! page), `/organisations/{id}` (the organisation as provider, receiver and participant, with
//! its totals, activities, facilities, partnerships, agencies, parent, sources and claims) and
//! `GET /api/v1/organisations/{id}/summary` with its OpenAPI schema. The figures are the
//! domain's `org_profile`. Review and merge of organisations an import created: `review.rs`.

mod api;
mod list;
mod page;
pub mod review;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

pub use api::openapi_paths;
/// Totals by kind and year, shown on an organisation's page and an activity's.
pub(crate) use page::totals_table;

/// Routes of this area, merged into [`crate::app`].
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/organisations", get(list::page))
        .route("/organisations/{id}", get(page::page))
        .route("/api/v1/organisations/{id}/summary", get(api::summary))
}
