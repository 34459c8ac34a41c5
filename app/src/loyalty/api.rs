//! Loyalty server functions: a signed-in customer reads their points; support admins look a
//! customer up by email and adjust with a reason.

use super::model::{Balance, CustomerPoints, LoyaltyAccount};
use crate::error::AppError;
use crate::ids::UserId;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::model::check_adjustment,
    super::service,
    crate::accounts::authz::{Need, acting_admin, authorize},
    crate::accounts::model::Role,
    crate::state::app_state,
};

/// The signed-in customer's balance and page `page` (from 1) of their history.
#[server(endpoint = "loyalty/mine")]
pub async fn my_points(#[server(default)] page: i64) -> Result<LoyaltyAccount, AppError> {
    let principal = authorize(Need::SignedIn).await?;
    Ok(service::account(&app_state()?, principal.viewer.user_id, page).await?)
}

/// One customer's points, found by email; nothing before an email is given.
#[server(endpoint = "admin/loyalty")]
pub async fn admin_points(
    #[server(default)] email: String,
    #[server(default)] page: i64,
) -> Result<Option<CustomerPoints>, AppError> {
    authorize(Need::Role(Role::AdminSupport)).await?;
    if email.trim().is_empty() {
        return Ok(None);
    }
    Ok(Some(service::customer(&app_state()?, &email, page).await?))
}

/// `points`: a whole number, negative to take points away; `reason`: what the customer reads.
#[server(endpoint = "admin/loyalty/adjust")]
pub async fn adjust_points(
    user: UserId,
    #[server(default)] points: String,
    #[server(default)] reason: String,
) -> Result<Balance, AppError> {
    let by = acting_admin(Role::AdminSupport).await?;
    let adjustment = check_adjustment(&points, &reason).map_err(AppError::with_status)?;
    Ok(service::adjust(&app_state()?, by, user, &adjustment).await?)
}
