//! The back office's order server functions: support admins fulfil and cancel, finance admins
//! refund and review unreadable Stripe events. Every change is audited in its own transaction.

use crate::error::AppError;
use crate::ids::OrderId;
use crate::orders::model::{OrderDetail, OrderPage, OrderStatus, UnreadableEvent};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    crate::accounts::authz::{Need, acting_admin, acting_admin_confirmed, authorize},
    crate::accounts::model::Role,
    crate::orders::service,
    crate::state::app_state,
};

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
    let by = acting_admin_confirmed(Role::AdminFinance).await?;
    let state = app_state()?;
    Ok(service::refund_typed(&state, order, &amount, &reason, by).await?)
}

/// Signed Stripe events that could not be read, for finance admins to review (other admins
/// see none).
#[server(endpoint = "admin/stripe/unreadable")]
pub async fn unreadable_stripe_events() -> Result<Vec<UnreadableEvent>, AppError> {
    let principal = authorize(Need::AnyAdmin).await?;
    let finance = principal.viewer.has(Role::AdminFinance);
    Ok(service::unreadable_events(&app_state()?, finance).await?)
}

/// A finance admin has looked at an unreadable event (in Stripe's dashboard) and dealt with it.
#[server(endpoint = "admin/stripe/unreadable/review")]
pub async fn review_unreadable_stripe_event(id: uuid::Uuid) -> Result<(), AppError> {
    let by = acting_admin(Role::AdminFinance).await?;
    Ok(service::review_unreadable(&app_state()?, by, id).await?)
}
