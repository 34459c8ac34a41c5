//! Cart server functions: anyone may call them; each works on the caller's own cart only.

use super::model::Cart;
use crate::error::AppError;
use crate::ids::VariantId;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::{model::parse_quantity, service},
    crate::accounts::session::AuthSession,
    crate::state::app_state,
};

#[server(endpoint = "cart/view")]
pub async fn load_cart() -> Result<Cart, AppError> {
    let session = AuthSession::current().await?;
    Ok(service::view(&app_state()?, &session).await?)
}

#[server(endpoint = "cart/add")]
pub async fn add_to_cart(variant: VariantId, quantity: String) -> Result<Cart, AppError> {
    let quantity = parse_quantity(&quantity, false).map_err(AppError::with_status)?;
    let session = AuthSession::current().await?;
    Ok(service::add(&app_state()?, &session, variant, quantity).await?)
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
