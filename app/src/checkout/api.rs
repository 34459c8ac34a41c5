//! Checkout server functions. Anyone may call them; each works on the caller's own cart and
//! orders. Field names match the checkout form's inputs, so refusals land next to the fields.

use super::model::{CheckoutSummary, Destination};
use crate::error::AppError;
use crate::orders::model::AddressForm;
use crate::orders::model::PaymentStart;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {
    super::model::CheckoutForm,
    super::service,
    crate::accounts::session::{AuthSession, RequestMeta},
    crate::state::app_state,
};

/// What the checkout page needs before anything is typed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutOptions {
    pub destinations: Vec<Destination>,
    /// The signed-in customer's email (the receipt goes there); `None` for a guest.
    pub account_email: Option<String>,
    /// The loyalty points the customer could spend now (0 for a guest).
    pub points: i64,
}

#[server(endpoint = "checkout/options")]
pub async fn load_checkout_options() -> Result<CheckoutOptions, AppError> {
    let state = app_state()?;
    let session = AuthSession::current().await?;
    let viewer = crate::accounts::authz::principal_of(&state, &session)
        .await?
        .map(|p| p.viewer);
    let points = match &viewer {
        Some(viewer) => crate::loyalty::service::available(&state, viewer.user_id).await?,
        None => 0,
    };
    Ok(CheckoutOptions {
        destinations: service::destinations(&state).await?,
        account_email: viewer.map(|v| v.email),
        points,
    })
}

#[server(endpoint = "checkout/summary")]
pub async fn quote_checkout(
    email: String,
    address: AddressForm,
    shipping_method: String,
    discount_code: String,
    #[server(default)] use_points: String,
) -> Result<CheckoutSummary, AppError> {
    let form = CheckoutForm::new(email, address, shipping_method, discount_code, &use_points);
    let (session, meta) = (AuthSession::current().await?, RequestMeta::current().await);
    Ok(service::summary(&app_state()?, &session, &meta, &form).await?)
}

/// Place the order (holding its stock for a while, and spending the loyalty points when
/// `use_points` is "yes") and start its payment.
#[server(endpoint = "checkout/start")]
pub async fn start_checkout(
    email: String,
    address: AddressForm,
    shipping_method: String,
    discount_code: String,
    #[server(default)] use_points: String,
) -> Result<PaymentStart, AppError> {
    let form = CheckoutForm::new(email, address, shipping_method, discount_code, &use_points);
    let (session, meta) = (AuthSession::current().await?, RequestMeta::current().await);
    Ok(service::start(&app_state()?, &session, &meta, &form).await?)
}
