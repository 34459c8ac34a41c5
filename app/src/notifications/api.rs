//! Server functions anyone may call: an email's unsubscribe link (its token is the key), and
//! the dev mailbox (only in local development and only to this machine, a 404 anywhere else).

use super::MailboxMessage;
use super::model::Unsubscribe;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::{email, service},
    crate::state::{app_state, dev_tools},
};

/// What the unsubscribe link with `token` would stop; changes nothing.
#[server(endpoint = "email/unsubscribe-link")]
pub async fn load_unsubscribe(token: String) -> Result<Unsubscribe, AppError> {
    Ok(service::unsubscribe_link(&app_state()?.db, &token).await?)
}

/// Stop what the unsubscribe link with `token` is about.
#[server(endpoint = "email/unsubscribe")]
pub async fn stop_email(token: String) -> Result<Unsubscribe, AppError> {
    let state = app_state()?;
    Ok(service::unsubscribe(&state.db, &token, state.clock.now()).await?)
}

#[server(endpoint = "dev/mailbox")]
pub async fn load_mailbox() -> Result<Vec<MailboxMessage>, AppError> {
    let state = dev_tools().await?;
    let mut conn = state.db.acquire().await?;
    let messages = email::mailbox(&mut conn, &state.vault, 50).await;
    Ok(messages.map_err(crate::error::ServiceError::from)?)
}
