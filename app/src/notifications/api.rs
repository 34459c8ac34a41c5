//! The dev mailbox's server function: only in local development, a 404 anywhere else.

use super::MailboxMessage;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::email, crate::state::app_state};

#[server(endpoint = "dev/mailbox")]
pub async fn load_mailbox() -> Result<Vec<MailboxMessage>, AppError> {
    let state = app_state()?;
    if !state.config.dev_mode {
        return Err(AppError::NotFound.with_status());
    }
    let mut conn = state
        .db
        .acquire()
        .await
        .map_err(|e| AppError::internal(&e))?;
    email::mailbox(&mut conn, 50)
        .await
        .map_err(|e| AppError::internal(&e))
}
