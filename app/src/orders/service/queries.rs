//! What a customer may see of their orders, and the guest orders that join an account at sign-in.

use super::Result;
use crate::error::AppError;
use crate::ids::{OrderId, UserId};
use crate::orders::model::OrderDetail;
use crate::orders::repo::{self};
use crate::state::AppState;

/// The order is this visitor's: their account's, or placed as a guest in this browser. Others
/// get "not found", so order ids reveal nothing.
pub async fn may_see(
    state: &AppState,
    session: &crate::accounts::session::AuthSession,
    order: OrderId,
) -> Result<()> {
    let owner = {
        let mut conn = state.db.acquire().await?;
        repo::owner(&mut conn, order).await?
    };
    let Some(owner) = owner else {
        return Err(AppError::NotFound.into());
    };
    let principal = crate::accounts::authz::principal_of(state, session).await?;
    let allowed = match (owner, principal) {
        (Some(owner), Some(p)) => owner == p.viewer.user_id,
        (None, _) => session.guest_orders().await?.contains(&order),
        (Some(_), None) => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(AppError::NotFound.into())
    }
}

/// One order for its customer.
pub async fn detail_for_customer(
    state: &AppState,
    session: &crate::accounts::session::AuthSession,
    order: OrderId,
) -> Result<OrderDetail> {
    may_see(state, session, order).await?;
    let mut conn = state.db.acquire().await?;
    Ok(repo::detail(&mut conn, order)
        .await?
        .ok_or(AppError::NotFound)?)
}

/// The visitor's orders, newest first: the account's, or a guest's from this browser.
pub async fn list_for_customer(
    state: &AppState,
    session: &crate::accounts::session::AuthSession,
    limit: i64,
    offset: i64,
) -> Result<(Vec<crate::orders::model::OrderSummary>, i64)> {
    let principal = crate::accounts::authz::principal_of(state, session).await?;
    let guest_orders;
    let scope = match &principal {
        Some(p) => repo::Scope::User(p.viewer.user_id),
        None => {
            guest_orders = session.guest_orders().await?;
            if guest_orders.is_empty() {
                return Ok((Vec::new(), 0));
            }
            repo::Scope::Ids(&guest_orders)
        }
    };
    let mut conn = state.db.acquire().await?;
    Ok(repo::list(&mut conn, scope, limit, offset).await?)
}

/// After sign-in, orders placed as a guest in this browser join the account.
pub async fn adopt_guest_orders(
    state: &AppState,
    session: &crate::accounts::session::AuthSession,
    user: UserId,
) -> Result<()> {
    let orders = session.take_guest_orders().await?;
    if !orders.is_empty() {
        let mut conn = state.db.acquire().await?;
        repo::adopt(&mut conn, &orders, user).await?;
    }
    Ok(())
}
