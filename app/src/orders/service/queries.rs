//! What a customer may see of their orders, and the guest orders that join an account at sign-in.

use super::Result;
use crate::accounts::session::AuthSession;
use crate::error::AppError;
use crate::ids::{OrderId, UserId};
use crate::orders::model::{ORDERS_PER_PAGE, OrderDetail, OrderPage, OrderStatus};
use crate::orders::repo::{self};
use crate::ratelimit;
use crate::state::AppState;

/// The order is this visitor's: their account's, or placed as a guest in this browser. Others
/// get "not found", so order ids reveal nothing.
pub async fn may_see(state: &AppState, session: &AuthSession, order: OrderId) -> Result<()> {
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
    session: &AuthSession,
    order: OrderId,
) -> Result<OrderDetail> {
    may_see(state, session, order).await?;
    let mut conn = state.db.acquire().await?;
    Ok(repo::detail(&mut conn, &state.vault, order)
        .await?
        .ok_or(AppError::NotFound)?)
}

/// Page `page` of the visitor's orders, newest first: the account's, or a guest's from this
/// browser.
pub async fn list_for_customer(
    state: &AppState,
    session: &AuthSession,
    page: i64,
) -> Result<OrderPage> {
    let principal = crate::accounts::authz::principal_of(state, session).await?;
    let guest_orders;
    let scope = match &principal {
        Some(p) => repo::Scope::User(p.viewer.user_id),
        None => {
            guest_orders = session.guest_orders().await?;
            if guest_orders.is_empty() {
                return Ok(OrderPage::of(Vec::new(), 0, page));
            }
            repo::Scope::Ids(&guest_orders)
        }
    };
    let mut conn = state.db.acquire().await?;
    let (orders, total) = repo::list(
        &mut conn,
        &state.vault,
        scope,
        ORDERS_PER_PAGE,
        OrderPage::offset(page),
    )
    .await?;
    Ok(OrderPage::of(orders, total, page))
}

/// One of the visitor's orders. With `sync`, first asks Stripe where its payment is (the
/// shopper has just come back from paying; the webhook may not have arrived yet); a few times
/// a minute per order at most, past that the page shows what is known.
pub async fn detail_after_payment(
    state: &AppState,
    session: &AuthSession,
    order: OrderId,
    sync: bool,
) -> Result<OrderDetail> {
    let sync = sync && {
        let mut conn = state.db.acquire().await?;
        ratelimit::allowed(
            &mut conn,
            ratelimit::ORDER_SYNCS_PER_ORDER,
            &order.to_string(),
        )
        .await?
    };
    if sync {
        may_see(state, session, order).await?;
        if let Err(error) = super::sync_payment(state, order).await {
            // The page still shows what we know; the webhook will bring the rest.
            tracing::warn!(%order, error = %crate::error::error_chain(&error), "payment sync failed");
        }
    }
    detail_for_customer(state, session, order).await
}

/// Page `page` of every order for the back office, by status (`""`: all) and reference or
/// email.
pub async fn list_for_admin(
    state: &AppState,
    status: &str,
    search: &str,
    page: i64,
) -> Result<OrderPage> {
    let status = OrderStatus::from_db_name(status.trim());
    let search = Some(search.trim()).filter(|s| !s.is_empty());
    let mut conn = state.db.acquire().await?;
    let (orders, total) = repo::list(
        &mut conn,
        &state.vault,
        repo::Scope::All { status, search },
        ORDERS_PER_PAGE,
        OrderPage::offset(page),
    )
    .await?;
    Ok(OrderPage::of(orders, total, page))
}

/// Any order, for the back office.
pub async fn detail_for_admin(state: &AppState, order: OrderId) -> Result<OrderDetail> {
    let mut conn = state.db.acquire().await?;
    Ok(repo::detail(&mut conn, &state.vault, order)
        .await?
        .ok_or(AppError::NotFound)?)
}

/// After sign-in, orders placed as a guest in this browser join the account.
pub async fn adopt_guest_orders(
    state: &AppState,
    session: &AuthSession,
    user: UserId,
) -> Result<()> {
    let orders = session.take_guest_orders().await?;
    if !orders.is_empty() {
        let mut conn = state.db.acquire().await?;
        repo::adopt(&mut conn, &state.vault, &orders, user).await?;
    }
    Ok(())
}
