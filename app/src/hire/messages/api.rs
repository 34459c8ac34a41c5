//! Server functions for the message threads of freelancers and organisations.

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::hire::access::{connection, freelancer, member};
use crate::hire::messages::model::{Thread, ThreadSummary, Unread};
use crate::idempotency::RequestKey;
use crate::ids::ApplicationId;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    crate::accounts::authz::{Need, authorize},
    crate::hire::messages::service as messages,
    crate::state::app_state,
};

/// The caller's message threads as a freelancer.
#[server(endpoint = "hire/messages")]
pub async fn my_threads() -> Result<Vec<ThreadSummary>, AppError> {
    let (state, user) = freelancer().await?;
    let party = messages::Party::freelancer(user);
    messages::inbox(&mut *connection(&state).await?, &state.vault, party)
        .await
        .map_err(|e| AppError::from(crate::error::ServiceError::from(e)))
}

/// One of the caller's threads; opening it marks it read.
#[server(endpoint = "hire/thread")]
pub async fn my_thread(application: ApplicationId) -> Result<Thread, AppError> {
    let (state, user) = freelancer().await?;
    let party = messages::Party::freelancer(user);
    Ok(messages::open(&state, party, application).await?)
}

#[server(endpoint = "hire/message/send")]
pub async fn send_my_message(
    application: ApplicationId,
    body: String,
    key: Option<RequestKey>,
) -> Result<(), AppError> {
    let (state, user) = freelancer().await?;
    let party = messages::Party::freelancer(user);
    messages::send_once(&state, party, user, application, &body, key).await?;
    Ok(())
}

/// The organisation's message threads.
#[server(endpoint = "hire/org/messages")]
pub async fn org_threads(slug: String) -> Result<Vec<ThreadSummary>, AppError> {
    let (state, organisation, _) = member(&slug).await?;
    let party = messages::Party::organisation(organisation);
    messages::inbox(&mut *connection(&state).await?, &state.vault, party)
        .await
        .map_err(|e| AppError::from(crate::error::ServiceError::from(e)))
}

/// One of the organisation's threads; opening it marks it read for the organisation.
#[server(endpoint = "hire/org/thread")]
pub async fn org_thread(slug: String, application: ApplicationId) -> Result<Thread, AppError> {
    let (state, organisation, _) = member(&slug).await?;
    let party = messages::Party::organisation(organisation);
    Ok(messages::open(&state, party, application).await?)
}

#[server(endpoint = "hire/org/message/send")]
pub async fn send_org_message(
    slug: String,
    application: ApplicationId,
    body: String,
) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    let party = messages::Party::organisation(organisation);
    messages::send(&state, party, user, application, &body).await?;
    Ok(())
}

/// Unread messages for the Hire navigation.
#[server(endpoint = "hire/messages/unread")]
pub async fn unread_messages() -> Result<Unread, AppError> {
    let principal = authorize(Need::SignedIn).await?;
    let state = app_state()?;
    messages::unread_for(&mut *connection(&state).await?, &principal.viewer)
        .await
        .map_err(AppError::from)
}
