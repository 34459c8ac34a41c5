//! Order server functions: customers see their own orders; support admins fulfil and cancel,
//! finance admins refund. Every back-office change is audited.

use super::model::{OrderDetail, OrderPage, OrderStatus, PaymentStart, UnreadableEvent};
use crate::error::AppError;
use crate::ids::OrderId;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::{repo, service},
    crate::accounts::authz::{Need, acting_admin, authorize},
    crate::accounts::model::Role,
    crate::accounts::session::AuthSession,
    crate::state::app_state,
};

#[server(endpoint = "orders/mine")]
pub async fn my_orders(page: i64) -> Result<OrderPage, AppError> {
    let session = AuthSession::current().await?;
    Ok(service::list_for_customer(&app_state()?, &session, page).await?)
}

/// One of the caller's orders. With `sync`, first asks Stripe where its payment is (the
/// shopper has just come back from paying; the webhook may not have arrived yet).
#[server(endpoint = "orders/detail")]
pub async fn my_order(order: OrderId, sync: bool) -> Result<OrderDetail, AppError> {
    let session = AuthSession::current().await?;
    Ok(service::detail_after_payment(&app_state()?, &session, order, sync).await?)
}

/// Support and finance admins see orders.
#[cfg(feature = "ssr")]
async fn order_viewer() -> Result<(), AppError> {
    let principal = authorize(Need::AnyAdmin).await?;
    if principal.viewer.has(Role::AdminSupport) || principal.viewer.has(Role::AdminFinance) {
        Ok(())
    } else {
        Err(AppError::Forbidden.with_status())
    }
}

#[server(endpoint = "admin/orders")]
pub async fn admin_orders(status: String, q: String, page: i64) -> Result<OrderPage, AppError> {
    order_viewer().await?;
    Ok(service::list_for_admin(&app_state()?, &status, &q, page).await?)
}

#[server(endpoint = "admin/order")]
pub async fn admin_order(order: OrderId) -> Result<OrderDetail, AppError> {
    order_viewer().await?;
    Ok(service::detail_for_admin(&app_state()?, order).await?)
}

/// Packed, shipped (with the tracking number) or delivered.
#[server(endpoint = "admin/order/advance")]
pub async fn advance_order(
    order: OrderId,
    to: String,
    tracking_number: String,
) -> Result<OrderStatus, AppError> {
    let by = acting_admin(Role::AdminSupport).await?;
    let state = app_state()?;
    let to = OrderStatus::from_db_name(to.trim())
        .ok_or_else(|| AppError::invalid("Choose the next step.").with_status())?;
    Ok(service::advance(&state, order, to, Some(&tracking_number), by).await?)
}

/// Cancel: an unpaid order is simply given up; a paid one not yet shipped is refunded in full
/// and its units go back on the shelf.
#[server(endpoint = "admin/order/cancel")]
pub async fn cancel_order(order: OrderId, reason: String) -> Result<OrderStatus, AppError> {
    let by = acting_admin(Role::AdminSupport).await?;
    let state = app_state()?;
    Ok(service::cancel(&state, order, &reason, by).await?)
}

/// Refund part or all of a paid order; the amount is typed like a price ("12,50").
#[server(endpoint = "admin/order/refund")]
pub async fn refund_order(
    order: OrderId,
    amount: String,
    reason: String,
) -> Result<OrderStatus, AppError> {
    let by = acting_admin(Role::AdminFinance).await?;
    let state = app_state()?;
    Ok(service::refund_typed(&state, order, &amount, &reason, by).await?)
}

/// Signed Stripe events that could not be read, for finance admins to review (other admins
/// see none).
#[server(endpoint = "admin/stripe/unreadable")]
pub async fn unreadable_stripe_events() -> Result<Vec<UnreadableEvent>, AppError> {
    let principal = authorize(Need::AnyAdmin).await?;
    if !principal.viewer.has(Role::AdminFinance) {
        return Ok(Vec::new());
    }
    let state = app_state()?;
    let mut conn = state.db.acquire().await?;
    repo::stripe_events::unreviewed_unreadable(&mut conn)
        .await
        .map_err(AppError::from)
}

/// A finance admin has looked at an unreadable event (in Stripe's dashboard) and dealt with it.
#[server(endpoint = "admin/stripe/unreadable/review")]
pub async fn review_unreadable_stripe_event(id: uuid::Uuid) -> Result<(), AppError> {
    let by = acting_admin(Role::AdminFinance).await?;
    let state = app_state()?;
    let mut conn = state.db.acquire().await?;
    if repo::stripe_events::mark_unreadable_reviewed(&mut conn, id, by.user).await? {
        Ok(())
    } else {
        Err(AppError::NotFound.with_status())
    }
}

/// Pay (again) for an order awaiting payment.
#[server(endpoint = "checkout/resume")]
pub async fn resume_payment(order: OrderId) -> Result<PaymentStart, AppError> {
    let session = AuthSession::current().await?;
    Ok(service::resume(&app_state()?, &session, order).await?)
}
