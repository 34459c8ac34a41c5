//! Reconciliation's server functions, for finance admins.

use super::model::ReconciliationPage;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::model::Trigger, crate::accounts::authz::acting_admin, crate::accounts::model::Role};

/// The latest reconciliation and the money held too long.
#[server(endpoint = "admin/finance/reconciliation")]
pub async fn admin_reconciliation() -> Result<ReconciliationPage, AppError> {
    acting_admin(Role::AdminFinance).await?;
    let state = crate::state::app_state()?;
    Ok(super::page(&state).await?)
}

/// Reconcile now, rather than wait for the daily run.
#[server(endpoint = "admin/finance/reconcile")]
pub async fn reconcile_now() -> Result<(), AppError> {
    let admin = acting_admin(Role::AdminFinance).await?;
    let state = crate::state::app_state()?;
    super::reconcile(&state, super::Run::usual(Trigger::Admin, Some(admin.user))).await?;
    Ok(())
}
