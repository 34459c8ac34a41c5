//! Cart server functions: anyone may call them; each works on the caller's own cart only.

use super::model::Cart;
use crate::error::AppError;
use crate::ids::VariantId;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::{model::parse_quantity, service},
    crate::accounts::session::AuthSession,
    crate::catalog::model::Cadence,
    crate::state::app_state,
};

#[server(endpoint = "cart/view")]
pub async fn load_cart() -> Result<Cart, AppError> {
    let session = AuthSession::current().await?;
    Ok(service::view(&app_state()?, &session).await?)
}

/// `every`: "once" (or absent), or "1" to "3" to subscribe to a delivery every so many months.
#[server(endpoint = "cart/add")]
pub async fn add_to_cart(
    variant: VariantId,
    quantity: String,
    #[server(default)] every: String,
) -> Result<Cart, AppError> {
    let quantity = parse_quantity(&quantity, false).map_err(AppError::with_status)?;
    let every = Cadence::parse_choice(&every).map_err(AppError::with_status)?;
    let session = AuthSession::current().await?;
    Ok(service::add(&app_state()?, &session, variant, quantity, every).await?)
}

/// Buy a line once ("once") or subscribe to it ("1" to "3" months), keeping its quantity.
#[server(endpoint = "cart/every")]
pub async fn set_cart_every(variant: VariantId, every: String) -> Result<Cart, AppError> {
    let every = Cadence::parse_choice(&every).map_err(AppError::with_status)?;
    let session = AuthSession::current().await?;
    Ok(service::set_every(&app_state()?, &session, variant, every).await?)
}

/// Quantity 0 removes the line.
#[server(endpoint = "cart/set")]
pub async fn set_cart_quantity(variant: VariantId, quantity: String) -> Result<Cart, AppError> {
    let quantity = parse_quantity(&quantity, true).map_err(AppError::with_status)?;
    let session = AuthSession::current().await?;
    Ok(service::set_quantity(&app_state()?, &session, variant, quantity).await?)
}

#[server(endpoint = "cart/remove")]
pub async fn remove_from_cart(variant: VariantId) -> Result<Cart, AppError> {
    let session = AuthSession::current().await?;
    Ok(service::remove(&app_state()?, &session, variant).await?)
}
