//! The dev mailbox's server function: only in local development and only to this machine, a
//! 404 anywhere else.

use super::MailboxMessage;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::email, crate::state::dev_tools};

#[server(endpoint = "dev/mailbox")]
pub async fn load_mailbox() -> Result<Vec<MailboxMessage>, AppError> {
    let state = dev_tools().await?;
    let mut conn = state.db.acquire().await?;
    email::mailbox(&mut conn, 50).await.map_err(AppError::from)
}
