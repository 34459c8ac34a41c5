//! Back-in-stock server functions: whether the signed-in shopper asked about a variant, ask,
//! and withdraw.

use crate::error::AppError;
use crate::ids::VariantId;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::service,
    crate::accounts::authz::{Need, authorize, current_principal},
    crate::state::app_state,
};

/// Whether the signed-in shopper is waiting to hear about `variant`; `false` for a visitor.
#[server(endpoint = "restock/asked")]
pub async fn stock_request(variant: VariantId) -> Result<bool, AppError> {
    let Some(principal) = current_principal().await? else {
        return Ok(false);
    };
    let user = principal.viewer.user_id;
    Ok(service::asked(&app_state()?.db, user, variant).await?)
}

#[server(endpoint = "restock/ask")]
pub async fn ask_for_stock(variant: VariantId) -> Result<(), AppError> {
    let user = authorize(Need::SignedIn).await?.viewer.user_id;
    let state = app_state()?;
    Ok(service::ask(&state.db, user, variant, state.clock.today()).await?)
}

#[server(endpoint = "restock/withdraw")]
pub async fn withdraw_stock_request(variant: VariantId) -> Result<(), AppError> {
    let user = authorize(Need::SignedIn).await?.viewer.user_id;
    Ok(service::withdraw(&app_state()?.db, user, variant).await?)
}
