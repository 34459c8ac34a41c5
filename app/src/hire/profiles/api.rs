//! Server functions for freelancer profiles and their days off.

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::hire::access::{connection, freelancer};
use crate::hire::profiles::model::{Profile, ProfileInput};
use crate::ids::UserId;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    crate::accounts::authz::{Need, authorize},
    crate::hire::profiles,
    crate::state::app_state,
};

/// The caller's own freelancer profile, if they have one.
#[server(endpoint = "hire/profile/mine")]
pub async fn load_my_profile() -> Result<Option<Profile>, AppError> {
    let user = authorize(Need::SignedIn).await?.viewer.user_id;
    let state = app_state()?;
    profiles::repo::profile(&mut *connection(&state).await?, &state.vault, user)
        .await
        .map_err(|e| AppError::from(crate::error::ServiceError::from(e)))
}

#[server(endpoint = "hire/profile/save")]
pub async fn save_profile(profile: ProfileInput) -> Result<(), AppError> {
    let user = authorize(Need::SignedIn).await?.viewer.user_id;
    Ok(profiles::service::save_profile(&app_state()?, user, &profile).await?)
}

#[server(endpoint = "hire/profile/day-off")]
pub async fn add_day_off(day: String, note: String) -> Result<(), AppError> {
    let (state, user) = freelancer().await?;
    Ok(profiles::service::add_day_off(&state, user, &day, &note).await?)
}

#[server(endpoint = "hire/profile/day-off/remove")]
pub async fn remove_day_off(day: chrono::NaiveDate) -> Result<(), AppError> {
    let (state, user) = freelancer().await?;
    profiles::repo::remove_day_off(&mut *connection(&state).await?, user, day)
        .await
        .map_err(AppError::from)
}

/// A freelancer's profile: for the freelancer, support admins and hiring managers (their
/// availability only for organisations the freelancer applied to or was invited by).
#[server(endpoint = "hire/freelancer")]
pub async fn load_freelancer(id: UserId) -> Result<Profile, AppError> {
    let principal = authorize(Need::SignedIn).await?;
    let viewer = &principal.viewer;
    let support = viewer.has(crate::accounts::model::Role::AdminSupport);
    if viewer.user_id != id && viewer.memberships.is_empty() && !support {
        return Err(AppError::Forbidden.with_status());
    }
    Ok(profiles::service::profile_for(&app_state()?, viewer, support, id).await?)
}
