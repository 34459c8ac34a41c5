//! Who is calling a Hire server function: a freelancer acting for themselves, or a member of
//! the organisation named by a slug, whose id then scopes every query underneath.

use crate::accounts::authz::{Need, authorize};
use crate::accounts::model::Role;
use crate::error::AppError;
use crate::ids::{OrganisationId, UserId};
use crate::state::{AppState, app_state};
use sqlx::Postgres;
use sqlx::pool::PoolConnection;

pub(crate) async fn connection(state: &AppState) -> Result<PoolConnection<Postgres>, AppError> {
    state.db.acquire().await.map_err(AppError::from)
}

/// The calling freelancer.
pub(crate) async fn freelancer() -> Result<(AppState, UserId), AppError> {
    let principal = authorize(Need::Role(Role::Freelancer)).await?;
    Ok((app_state()?, principal.viewer.user_id))
}

/// The calling member of the organisation `slug`: (state, organisation, member).
pub(crate) async fn member(slug: &str) -> Result<(AppState, OrganisationId, UserId), AppError> {
    let principal = authorize(Need::Organisation { slug, owner: false }).await?;
    let organisation = principal.organisation(slug)?.organisation_id;
    Ok((app_state()?, organisation, principal.viewer.user_id))
}
