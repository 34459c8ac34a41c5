//! Server functions for applications: applying, invitations, offers and their answers.

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::hire::access::{connection, freelancer, member};
use crate::hire::applications::model::MyApplication;
use crate::hire::postings::model::ShiftSummary;
use crate::ids::{ApplicationId, PostingId, UserId};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    crate::accounts::authz::{Need, authorize},
    crate::hire::applications,
    crate::state::app_state,
};

/// Apply to a shift or a job (`shift` names either), with a note and, for a job, optionally
/// one's own rate or price (`proposed`, empty for none).
#[server(endpoint = "hire/apply")]
pub async fn apply_to_shift(
    shift: PostingId,
    note: String,
    proposed: String,
) -> Result<(), AppError> {
    let (state, user) = freelancer().await?;
    applications::service::apply(&state, user, shift, &note, &proposed).await?;
    Ok(())
}

#[server(endpoint = "hire/applications/mine")]
pub async fn my_applications() -> Result<Vec<MyApplication>, AppError> {
    let (state, user) = freelancer().await?;
    applications::repo::my_applications(&mut *connection(&state).await?, user, None)
        .await
        .map_err(AppError::from)
}

/// Withdraw an application, or decline an offer.
#[server(endpoint = "hire/application/withdraw")]
pub async fn withdraw_application(
    application: ApplicationId,
    reason: String,
) -> Result<(), AppError> {
    let (state, user) = freelancer().await?;
    Ok(applications::service::step_back(&state, user, application, &reason).await?)
}

#[server(endpoint = "hire/offer/accept")]
pub async fn accept_offer(application: ApplicationId) -> Result<(), AppError> {
    let (state, user) = freelancer().await?;
    applications::service::accept_offer(&state, user, application).await?;
    Ok(())
}

/// Invite a freelancer to apply to one of the organisation's open shifts, with an optional
/// first message.
#[server(endpoint = "hire/org/invite")]
pub async fn invite_freelancer(
    slug: String,
    shift: PostingId,
    freelancer: UserId,
    message: String,
) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    applications::service::invite(&state, organisation, user, shift, freelancer, &message).await?;
    Ok(())
}

/// The open shifts of the caller's organisations they can invite `freelancer` to (empty for
/// anyone who manages none).
#[server(endpoint = "hire/invitable")]
pub async fn load_invitable_shifts(freelancer: UserId) -> Result<Vec<ShiftSummary>, AppError> {
    let viewer = authorize(Need::SignedIn).await?.viewer;
    let state = app_state()?;
    Ok(applications::service::invitable_shifts(&state, &viewer, freelancer).await?)
}

#[server(endpoint = "hire/org/offer")]
pub async fn make_offer(slug: String, application: ApplicationId) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    Ok(applications::service::offer(&state, organisation, user, application).await?)
}

/// Turn down an application, or take back an offer.
#[server(endpoint = "hire/org/reject")]
pub async fn reject_application(
    slug: String,
    application: ApplicationId,
    reason: String,
) -> Result<(), AppError> {
    let (state, organisation, _) = member(&slug).await?;
    Ok(applications::service::reject(&state, organisation, application, &reason).await?)
}
