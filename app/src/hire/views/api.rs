//! Server functions for the composed Hire pages: find work, a shift, an organisation's home
//! and shift pages.

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::hire::access::member;
use crate::hire::postings::model::WorkPage;
use crate::hire::views::model::{OrgHome, OrgShiftDetail, ShiftDetail};
use crate::ids::PostingId;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    crate::accounts::authz::{Need, authorize, current_principal},
    crate::accounts::model::Role,
    crate::hire::postings::model::WorkFilter,
    crate::hire::views,
    crate::state::app_state,
};

/// Shifts per page on the find-work page.
pub const SHIFTS_PER_PAGE: i64 = 20;

/// Open shifts and jobs: for a freelancer, within reach of their home; for anyone else (a
/// visitor deciding whether to sign up, too), all of them, with nothing private.
#[server(endpoint = "hire/work")]
pub async fn find_work(
    within_km: String,
    min_wage: String,
    skill: String,
    from: String,
    page: i64,
) -> Result<WorkPage, AppError> {
    let seeker = seeker().await?;
    let filter = WorkFilter::from_query(&within_km, &min_wage, &skill, &from, page);
    Ok(views::service::find_work(&app_state()?, seeker, &filter, SHIFTS_PER_PAGE).await?)
}

/// A published shift: to a freelancer with their own application if they applied; to anyone
/// else without its street address.
#[server(endpoint = "hire/shift")]
pub async fn load_shift(id: PostingId) -> Result<ShiftDetail, AppError> {
    let seeker = seeker().await?;
    Ok(views::service::shift(&app_state()?, seeker, id).await?)
}

/// Who is looking for work: a visitor, a member without a freelancer profile, or a freelancer.
#[cfg(feature = "ssr")]
async fn seeker() -> Result<views::model::Seeker, AppError> {
    use views::model::Seeker;
    Ok(match current_principal().await? {
        None => Seeker::Visitor,
        Some(p) if p.viewer.has(Role::Freelancer) => Seeker::Freelancer(p.viewer.user_id),
        Some(p) => Seeker::Member(p.viewer.user_id),
    })
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
