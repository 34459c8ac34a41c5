//! The server's shared state, reached through [`app_state`] in server functions.

use crate::error::AppError;
use axum::extract::FromRef;
use leptos::prelude::{LeptosOptions, use_context};
use sqlx::PgPool;

#[derive(Clone, Debug)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: PgPool,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The state the router provides to every page and server function. Missing state is a
/// wiring bug; it is reported as an internal error instead of a panic.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
        AppError::Internal
    })
}
