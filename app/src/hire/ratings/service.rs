//! Rating the other side after a completed contract.

use crate::hire::contracts::model::ContractStatus;
use crate::hire::contracts::service::lock_contract_for;
use crate::hire::error::{Result, refuse};
use crate::hire::ratings;
use crate::hire::ratings::model::check_rating;
use crate::hire::reference::model::Side;
use crate::hire::refusal::Refusal;
use crate::ids::{ContractId, UserId};
use crate::state::AppState;

/// `side` rates the other after a completed contract: once, 1 to 5 stars with a comment.
pub async fn rate_contract(
    state: &AppState,
    side: Side,
    owner: uuid::Uuid,
    by: UserId,
    id: ContractId,
    stars: &str,
    comment: &str,
) -> Result<()> {
    let rating = check_rating(stars, comment)?;
    let mut tx = state.db.begin().await?;
    let contract = lock_contract_for(&mut tx, id, side, owner).await?;
    if contract.status != ContractStatus::Completed {
        return refuse(Refusal::RatingTooEarly);
    }
    if !ratings::repo::insert_rating(&mut tx, id, side, by, &rating).await? {
        return refuse(Refusal::AlreadyRated);
    }
    tx.commit().await?;
    Ok(())
}
