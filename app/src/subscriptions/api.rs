//! Subscription server functions: a signed-in customer sees and changes their own
//! subscriptions only (another person's id is not found).

use super::model::SubscriptionView;
use crate::error::AppError;
use crate::ids::SubscriptionId;
use crate::orders::model::AddressForm;
use crate::ui::CardSetup;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::model::{Change, parse_cancel_reason},
    super::service,
    crate::accounts::authz::{Need, authorize},
    crate::cart::model::parse_quantity,
    crate::catalog::model::Cadence,
    crate::ids::VariantId,
    crate::state::app_state,
};

/// Make `change` as the signed-in customer.
#[cfg(feature = "ssr")]
async fn change_mine(id: SubscriptionId, change: Change) -> Result<SubscriptionView, AppError> {
    let principal = authorize(Need::SignedIn).await?;
    Ok(service::change(&app_state()?, principal.viewer.user_id, id, &change).await?)
}

#[server(endpoint = "subscriptions/mine")]
pub async fn my_subscriptions() -> Result<Vec<SubscriptionView>, AppError> {
    let principal = authorize(Need::SignedIn).await?;
    Ok(service::mine(&app_state()?, principal.viewer.user_id).await?)
}

/// `due` (YYYY-MM-DD, optional): skip only if the next delivery is still the one due then, as
/// a reminder's link asks.
#[server(endpoint = "subscriptions/skip")]
pub async fn skip_delivery(
    id: SubscriptionId,
    #[server(default)] due: String,
) -> Result<SubscriptionView, AppError> {
    let due = match due.trim() {
        "" => None,
        raw => Some(
            crate::dates::parse_form_date(raw)
                .ok_or_else(|| AppError::field("due", "That is not a date.").with_status())?,
        ),
    };
    change_mine(id, Change::Skip { due }).await
}

/// `until`: a date (YYYY-MM-DD) to start again by itself, or empty to pause until resumed.
#[server(endpoint = "subscriptions/pause")]
pub async fn pause_subscription(
    id: SubscriptionId,
    #[server(default)] until: String,
) -> Result<SubscriptionView, AppError> {
    let until = match until.trim() {
        "" => None,
        raw => Some(crate::dates::parse_form_date(raw).ok_or_else(|| {
            AppError::field(
                "until",
                "Choose a date, or leave it empty to pause until you resume.",
            )
            .with_status()
        })?),
    };
    change_mine(id, Change::Pause { until }).await
}

#[server(endpoint = "subscriptions/resume")]
pub async fn resume_subscription(id: SubscriptionId) -> Result<SubscriptionView, AppError> {
    change_mine(id, Change::Resume).await
}

#[server(endpoint = "subscriptions/every")]
pub async fn change_interval(
    id: SubscriptionId,
    every: String,
) -> Result<SubscriptionView, AppError> {
    let every = Cadence::parse_choice(&every)
        .map_err(AppError::with_status)?
        .ok_or_else(|| {
            AppError::field("every", "Choose a delivery every 1, 2 or 3 months.").with_status()
        })?;
    change_mine(id, Change::Every(every)).await
}

#[server(endpoint = "subscriptions/quantity")]
pub async fn change_subscription_quantity(
    id: SubscriptionId,
    quantity: String,
) -> Result<SubscriptionView, AppError> {
    let quantity = parse_quantity(&quantity, false).map_err(AppError::with_status)?;
    change_mine(id, Change::Quantity(quantity)).await
}

/// `reason`: one of the listed reasons; `details`: anything the customer adds.
#[server(endpoint = "subscriptions/cancel")]
pub async fn cancel_subscription(
    id: SubscriptionId,
    #[server(default)] reason: String,
    #[server(default)] details: String,
) -> Result<SubscriptionView, AppError> {
    let reason = parse_cancel_reason(&reason, &details).map_err(AppError::with_status)?;
    change_mine(id, Change::Cancel { reason }).await
}

/// `variant`: another size of the subscribed product.
#[server(endpoint = "subscriptions/size")]
pub async fn swap_subscription_size(
    id: SubscriptionId,
    #[server(default)] variant: String,
) -> Result<SubscriptionView, AppError> {
    let variant = variant
        .trim()
        .parse()
        .map(VariantId)
        .map_err(|_| AppError::field("variant", "Choose a size.").with_status())?;
    let principal = authorize(Need::SignedIn).await?;
    Ok(service::swap_size(&app_state()?, principal.viewer.user_id, id, variant).await?)
}

/// Deliveries go to `address` from the next one on.
#[server(endpoint = "subscriptions/address")]
pub async fn change_subscription_address(
    id: SubscriptionId,
    address: AddressForm,
) -> Result<SubscriptionView, AppError> {
    let principal = authorize(Need::SignedIn).await?;
    Ok(service::move_deliveries(&app_state()?, principal.viewer.user_id, id, &address).await?)
}

/// Start saving a new card for renewals: what Stripe's form in the browser confirms.
#[server(endpoint = "subscriptions/card-setup")]
pub async fn start_subscription_card(id: SubscriptionId) -> Result<CardSetup, AppError> {
    let principal = authorize(Need::SignedIn).await?;
    Ok(service::start_card_update(&app_state()?, principal.viewer.user_id, id).await?)
}

/// Back from Stripe's form with the SetupIntent that saved the card: renewals use it.
#[server(endpoint = "subscriptions/card-saved")]
pub async fn finish_subscription_card(
    id: SubscriptionId,
    setup: String,
) -> Result<SubscriptionView, AppError> {
    let principal = authorize(Need::SignedIn).await?;
    Ok(service::finish_card_update(&app_state()?, principal.viewer.user_id, id, &setup).await?)
}
