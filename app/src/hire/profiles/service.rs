//! Freelancer profile use cases: saving a profile, reading one, days off.

use crate::accounts::model::Role;
use crate::accounts::repo as accounts;
use crate::error::AppError;
use crate::hire::error::{Result, not_found, refuse};
use crate::hire::profiles;
use crate::hire::profiles::model::{Profile, ProfileInput};
use crate::hire::reference::service::check_reference;
use crate::hire::refusal::Refusal;
use crate::ids::UserId;
use crate::state::AppState;

/// Save the caller's freelancer profile; the first save makes them a freelancer.
pub async fn save_profile(state: &AppState, user: UserId, input: &ProfileInput) -> Result<()> {
    let profile = input.check()?;
    let mut tx = state.db.begin().await?;
    check_reference(&mut tx, "profile", &profile.city, &profile.skills, &[]).await?;
    profiles::repo::save_profile(&mut tx, user, &profile).await?;
    accounts::grant_role(&mut tx, user, Role::Freelancer, None).await?;
    tx.commit().await?;
    Ok(())
}

/// A freelancer's profile as `viewer` reads it: certificates valid today; the usual week and
/// days off only for the freelancer, support admins and organisations the freelancer applied
/// to or was invited by (anyone can create an organisation, so membership alone shows nothing
/// of where a person is when).
pub async fn profile_for(
    state: &AppState,
    viewer: &crate::accounts::model::Viewer,
    support: bool,
    id: UserId,
) -> Result<Profile> {
    let mut conn = state.db.acquire().await?;
    let Some(mut profile) = profiles::repo::profile(&mut conn, &state.vault, id).await? else {
        return not_found();
    };
    let today = state.clock.now().date_naive();
    profile.certificates.retain(|c| c.valid_on(today));
    let organisations: Vec<uuid::Uuid> = viewer
        .memberships
        .iter()
        .map(|m| m.organisation_id.0)
        .collect();
    let shown = viewer.user_id == id
        || support
        || profiles::repo::knows_any_of(&mut conn, id, &organisations).await?;
    if !shown {
        profile.week.clear();
        profile.days_off.clear();
        profile.availability_shown = false;
    }
    Ok(profile)
}

pub async fn add_day_off(state: &AppState, user: UserId, day: &str, note: &str) -> Result<()> {
    let Some(day) = crate::dates::parse_form_date(day) else {
        return Err(AppError::field("day", "Enter a date like 2026-12-24.").into());
    };
    if day < state.clock.now().date_naive() {
        return Err(AppError::field("day", "Choose today or a later day.").into());
    }
    if note.trim().chars().count() > 200 {
        return Err(AppError::field("note", "Keep the note to 200 characters.").into());
    }
    let mut conn = state.db.acquire().await?;
    if !profiles::repo::has_profile(&mut conn, user).await? {
        return refuse(Refusal::NoProfile);
    }
    profiles::repo::add_day_off(&mut conn, user, day, note.trim()).await?;
    Ok(())
}
