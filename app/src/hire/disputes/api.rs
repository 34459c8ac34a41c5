//! Dispute server functions: either side escalates; finance admins list, read and decide.

use super::model::{DisputeDetail, DisputeSummary};
use crate::error::AppError;
use crate::ids::DisputeId;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::service,
    crate::accounts::authz::acting_admin,
    crate::accounts::model::Role,
    crate::hire::access::{freelancer, member},
    crate::hire::reference::model::Side,
};

/// The freelancer asks Olivine to decide a dispute about their hours or work.
#[server(endpoint = "hire/dispute/escalate")]
pub async fn escalate_my_dispute(dispute: DisputeId, note: String) -> Result<(), AppError> {
    let (state, user) = freelancer().await?;
    let side = Side::Freelancer;
    Ok(service::escalate(&state, side, user.0, user, dispute, &note).await?)
}

/// A member of the organisation asks Olivine to decide a dispute.
#[server(endpoint = "hire/org/dispute/escalate")]
pub async fn escalate_org_dispute(
    slug: String,
    dispute: DisputeId,
    note: String,
) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    let side = Side::Organisation;
    Ok(service::escalate(&state, side, organisation.0, user, dispute, &note).await?)
}

/// Disputes for finance admins, waiting ones first; `status` narrows the list.
#[server(endpoint = "admin/disputes")]
pub async fn admin_disputes(status: String) -> Result<Vec<DisputeSummary>, AppError> {
    acting_admin(Role::AdminFinance).await?;
    let state = crate::state::app_state()?;
    Ok(service::list(&state, &status).await?)
}

#[server(endpoint = "admin/dispute")]
pub async fn admin_dispute(dispute: DisputeId) -> Result<DisputeDetail, AppError> {
    acting_admin(Role::AdminFinance).await?;
    let state = crate::state::app_state()?;
    Ok(service::detail(&state, dispute).await?)
}

/// Decide: `outcome` is `release`, `refund` or `split` (with `amount` for the freelancer);
/// `note` tells both sides why.
#[server(endpoint = "admin/dispute/resolve")]
pub async fn resolve_dispute(
    dispute: DisputeId,
    outcome: String,
    amount: String,
    note: String,
) -> Result<(), AppError> {
    let by = acting_admin(Role::AdminFinance).await?;
    let state = crate::state::app_state()?;
    Ok(service::resolve(&state, by.user, dispute, &outcome, &amount, &note).await?)
}
