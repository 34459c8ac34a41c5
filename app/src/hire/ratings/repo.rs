//! Rating queries.

use crate::hire::ratings::model::ValidRating;
use crate::hire::reference::model::Side;
use crate::ids::{ContractId, UserId};
use sqlx::PgConnection;

/// `false` when that side had already rated the contract.
pub async fn insert_rating(
    conn: &mut PgConnection,
    contract: ContractId,
    by: Side,
    rated_by: UserId,
    rating: &ValidRating,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query!(
        "INSERT INTO contract_ratings (contract_id, by_side, stars, comment, rated_by)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        contract.0,
        by as Side,
        rating.stars,
        rating.comment,
        rated_by.0,
    )
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}
