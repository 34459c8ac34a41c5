//! Escrow's server functions: an organisation's card for Hire and the payments for its
//! bookings.

use super::model::{Billing, CardSetup, Earnings, OrganisationCard, PayoutSetup};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::hire::access::{freelancer, member};
use crate::ids::EscrowChargeId;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::{cards, funding, payouts},
    crate::accounts::authz::{Need, authorize_confirmed},
    crate::accounts::model::Role,
    crate::state::app_state,
};

#[server(endpoint = "hire/org/billing")]
pub async fn load_billing(slug: String) -> Result<Billing, AppError> {
    let (state, organisation, _) = member(&slug).await?;
    Ok(cards::billing(&state, organisation).await?)
}

/// Start saving a card: what the browser's card form confirms.
#[server(endpoint = "hire/org/card/start")]
pub async fn start_card_setup(slug: String) -> Result<CardSetup, AppError> {
    let (state, organisation, user) = member(&slug).await?;
    Ok(cards::start_card_setup(&state, organisation, user).await?)
}

/// Record the card the browser saved with SetupIntent `setup`.
#[server(endpoint = "hire/org/card/finish")]
pub async fn finish_card_setup(slug: String, setup: String) -> Result<OrganisationCard, AppError> {
    let (state, organisation, user) = member(&slug).await?;
    Ok(cards::finish_card_setup(&state, organisation, user, &setup).await?)
}

/// Charge a payment that waits for the manager again.
#[server(endpoint = "hire/org/charge/retry")]
pub async fn retry_charge(slug: String, charge: EscrowChargeId) -> Result<(), AppError> {
    let (state, organisation, _) = member(&slug).await?;
    Ok(funding::retry_charge(&state, organisation, charge).await?)
}

/// Where the caller's payouts go (none: not set up).
#[server(endpoint = "hire/payouts/setup")]
pub async fn load_payout_setup() -> Result<Option<PayoutSetup>, AppError> {
    let (state, user) = freelancer().await?;
    Ok(payouts::setup(&state, user).await?)
}

/// Off to Stripe's onboarding form for the caller's payouts (a plain form post works too).
#[server(endpoint = "hire/payouts/connect")]
pub async fn connect_payouts() -> Result<(), AppError> {
    // Where the money goes is sensitive: a second factor from the last minutes, if they have one.
    let principal = authorize_confirmed(Need::Role(Role::Freelancer)).await?;
    let (state, user) = (app_state()?, principal.viewer.user_id);
    let url = payouts::start_onboarding(&state, user).await?;
    leptos_axum::redirect(&url);
    Ok(())
}

#[server(endpoint = "hire/work/earnings")]
pub async fn load_earnings() -> Result<Earnings, AppError> {
    let (state, user) = freelancer().await?;
    Ok(payouts::earnings(&state, user).await?)
}
