//! Server functions for the composed Hire pages: find work, a shift, an organisation's home
//! and shift pages.

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::hire::access::{freelancer, member};
use crate::hire::postings::model::WorkPage;
use crate::hire::views::model::{OrgHome, OrgShiftDetail, ShiftDetail};
use crate::ids::PostingId;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    crate::accounts::authz::{Need, authorize},
    crate::hire::postings::model::WorkFilter,
    crate::hire::views,
    crate::state::app_state,
};

/// Shifts per page on the find-work page.
pub const SHIFTS_PER_PAGE: i64 = 20;

#[server(endpoint = "hire/work")]
pub async fn find_work(
    within_km: String,
    min_wage: String,
    skill: String,
    from: String,
    page: i64,
) -> Result<WorkPage, AppError> {
    let (state, user) = freelancer().await?;
    let filter = WorkFilter::from_query(&within_km, &min_wage, &skill, &from, page);
    Ok(views::service::find_work(&state, user, &filter, SHIFTS_PER_PAGE).await?)
}

/// A published shift, with the caller's own application if they applied.
#[server(endpoint = "hire/shift")]
pub async fn load_shift(id: PostingId) -> Result<ShiftDetail, AppError> {
    let user = authorize(Need::SignedIn).await?.viewer.user_id;
    Ok(views::service::shift(&app_state()?, user, id).await?)
}

#[server(endpoint = "hire/org/home")]
pub async fn load_org_home(slug: String) -> Result<OrgHome, AppError> {
    let principal = authorize(Need::Organisation {
        slug: &slug,
        owner: false,
    })
    .await?;
    let membership = principal.organisation(&slug)?;
    Ok(views::service::org_home(&app_state()?, membership).await?)
}

#[server(endpoint = "hire/org/shift")]
pub async fn load_org_shift(slug: String, id: PostingId) -> Result<OrgShiftDetail, AppError> {
    let (state, organisation, _) = member(&slug).await?;
    Ok(views::service::org_shift(&state, organisation, id).await?)
}
