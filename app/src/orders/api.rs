//! Order server functions: customers see their own orders; support admins fulfil and cancel,
//! finance admins refund. Every back-office change is audited.

use super::model::{OrderDetail, OrderPage, PaymentStart};
use crate::error::AppError;
use crate::ids::OrderId;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::service, crate::accounts::session::AuthSession, crate::state::app_state};

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

/// Pay (again) for an order awaiting payment.
#[server(endpoint = "checkout/resume")]
pub async fn resume_payment(order: OrderId) -> Result<PaymentStart, AppError> {
    let session = AuthSession::current().await?;
    Ok(service::resume(&app_state()?, &session, order).await?)
}
