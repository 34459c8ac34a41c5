//! Server functions for the ratings both sides give after a contract.

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::hire::access::{freelancer, member};
use crate::ids::ContractId;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {crate::hire::ratings, crate::hire::reference::model::Side};

/// The freelancer rates the organisation after a completed shift.
#[server(endpoint = "hire/work/rate")]
pub async fn rate_organisation(
    contract: ContractId,
    stars: String,
    comment: String,
) -> Result<(), AppError> {
    let (state, user) = freelancer().await?;
    let side = Side::Freelancer;
    Ok(
        ratings::service::rate_contract(&state, side, user.0, user, contract, &stars, &comment)
            .await?,
    )
}

/// The organisation rates the freelancer after a completed shift.
#[server(endpoint = "hire/org/rate")]
pub async fn rate_freelancer(
    slug: String,
    contract: ContractId,
    stars: String,
    comment: String,
) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    let side = Side::Organisation;
    let owner = organisation.0;
    Ok(
        ratings::service::rate_contract(&state, side, owner, user, contract, &stars, &comment)
            .await?,
    )
}
