//! Energy pages: generator allocation plan and map.

use axum::Router;

use crate::state::AppState;

/// Routes of this area, merged into [`crate::app`].
pub fn routes() -> Router<AppState> {
    Router::new()
}
