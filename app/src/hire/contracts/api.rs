//! Server functions for contracts: hours and deliveries submitted and answered, cancellations,
//! no-shows and hourly jobs ended early.

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::hire::access::{connection, freelancer, member};
use crate::hire::contracts::model::{ContractView, HoursInput, WeekInput};
use crate::idempotency::RequestKey;
use crate::ids::ContractId;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {crate::hire::contracts, crate::hire::reference::model::Side};

/// Submit (or resubmit after a dispute) a week of an hourly job.
#[server(endpoint = "hire/week/submit")]
pub async fn submit_week(contract: ContractId, week: WeekInput) -> Result<(), AppError> {
    let (state, user) = freelancer().await?;
    Ok(contracts::hours::submit_week(&state, user, contract, &week).await?)
}

/// Hand over a fixed-price job's work (again, after a dispute).
#[server(endpoint = "hire/delivery/submit")]
pub async fn submit_delivery(contract: ContractId, note: String) -> Result<(), AppError> {
    let (state, user) = freelancer().await?;
    Ok(contracts::hours::submit_delivery(&state, user, contract, &note).await?)
}

#[server(endpoint = "hire/contracts/mine")]
pub async fn my_contracts() -> Result<Vec<ContractView>, AppError> {
    let (state, user) = freelancer().await?;
    let scope = contracts::repo::ContractScope::Freelancer(user);
    let wait = crate::hire::disputes::service::escalation_wait(&state);
    contracts::repo::contracts(
        &mut *connection(&state).await?,
        &state.vault,
        scope,
        state.clock.now(),
        wait,
    )
    .await
    .map_err(|e| AppError::from(crate::error::ServiceError::from(e)))
}

#[server(endpoint = "hire/hours/submit")]
pub async fn submit_hours(
    contract: ContractId,
    hours: HoursInput,
    key: Option<RequestKey>,
) -> Result<(), AppError> {
    let (state, user) = freelancer().await?;
    Ok(contracts::hours::submit_hours_once(&state, user, contract, &hours, key).await?)
}

#[server(endpoint = "hire/contract/cancel")]
pub async fn cancel_my_contract(contract: ContractId, reason: String) -> Result<(), AppError> {
    let (state, user) = freelancer().await?;
    let side = Side::Freelancer;
    Ok(contracts::service::cancel_contract(&state, side, user.0, user, contract, &reason).await?)
}

#[server(endpoint = "hire/org/week/approve")]
pub async fn approve_week(
    slug: String,
    contract: ContractId,
    monday: chrono::NaiveDate,
) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    let answer = contracts::hours::Decision::Approve;
    Ok(contracts::hours::answer_week(&state, organisation, user, contract, monday, answer).await?)
}

/// Approve a week with different hours per day, saying why.
#[server(endpoint = "hire/org/week/adjust")]
pub async fn adjust_week(
    slug: String,
    contract: ContractId,
    monday: chrono::NaiveDate,
    week: WeekInput,
    reason: String,
) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    let answer = contracts::hours::Decision::Adjust {
        hours: &week,
        reason: &reason,
    };
    Ok(contracts::hours::answer_week(&state, organisation, user, contract, monday, answer).await?)
}

#[server(endpoint = "hire/org/week/dispute")]
pub async fn dispute_week(
    slug: String,
    contract: ContractId,
    monday: chrono::NaiveDate,
    reason: String,
) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    let answer = contracts::hours::Decision::Dispute { reason: &reason };
    Ok(contracts::hours::answer_week(&state, organisation, user, contract, monday, answer).await?)
}

#[server(endpoint = "hire/org/delivery/approve")]
pub async fn approve_delivery(slug: String, contract: ContractId) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    Ok(contracts::hours::answer_delivery(&state, organisation, user, contract, None).await?)
}

#[server(endpoint = "hire/org/delivery/dispute")]
pub async fn dispute_delivery(
    slug: String,
    contract: ContractId,
    reason: String,
) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    let reason = Some(reason.as_str());
    Ok(contracts::hours::answer_delivery(&state, organisation, user, contract, reason).await?)
}

#[server(endpoint = "hire/org/hours/approve")]
pub async fn approve_hours(slug: String, contract: ContractId) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    let answer = contracts::hours::Decision::Approve;
    Ok(contracts::hours::answer_hours(&state, organisation, user, contract, answer).await?)
}

/// Approve different hours than submitted, saying why.
#[server(endpoint = "hire/org/hours/adjust")]
pub async fn adjust_hours(
    slug: String,
    contract: ContractId,
    hours: HoursInput,
    reason: String,
) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    let answer = contracts::hours::Decision::Adjust {
        hours: &hours,
        reason: &reason,
    };
    Ok(contracts::hours::answer_hours(&state, organisation, user, contract, answer).await?)
}

/// Send the hours back to the freelancer, saying why; they can submit them again.
#[server(endpoint = "hire/org/hours/dispute")]
pub async fn dispute_hours(
    slug: String,
    contract: ContractId,
    reason: String,
) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    let answer = contracts::hours::Decision::Dispute { reason: &reason };
    Ok(contracts::hours::answer_hours(&state, organisation, user, contract, answer).await?)
}

#[server(endpoint = "hire/org/contract/cancel")]
pub async fn cancel_contract(
    slug: String,
    contract: ContractId,
    reason: String,
) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    let (side, owner) = (Side::Organisation, organisation.0);
    Ok(contracts::service::cancel_contract(&state, side, owner, user, contract, &reason).await?)
}

#[server(endpoint = "hire/org/no-show")]
pub async fn record_no_show(slug: String, contract: ContractId) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    Ok(contracts::service::record_no_show(&state, organisation, user, contract).await?)
}

/// End an hourly job early, saying why.
#[server(endpoint = "hire/org/job/end")]
pub async fn end_job(slug: String, contract: ContractId, reason: String) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    Ok(contracts::service::end_job(&state, organisation, user, contract, &reason).await?)
}
