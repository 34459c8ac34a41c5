//! Stock requests in the database.

use crate::ids::{UserId, VariantId};
use chrono::NaiveDate;
use sqlx::PgConnection;

/// A variant as a request needs it: whether it is on sale, how many units are sellable (lots
/// whose best-before is after `sellable_after`, less what is held), and what to call it.
pub struct Variant {
    pub published: bool,
    pub available: i64,
    pub product: String,
    pub label: String,
    pub slug: String,
}

pub async fn variant(
    conn: &mut PgConnection,
    variant: VariantId,
    sellable_after: NaiveDate,
) -> Result<Option<Variant>, sqlx::Error> {
    sqlx::query_as!(
        Variant,
        r#"SELECT p.published_at IS NOT NULL AS "published!",
                  coalesce((SELECT sum(l.on_hand - l.reserved) FROM lots l
                            WHERE l.variant_id = v.variant_id AND l.expiry_date > $2), 0)::bigint
                      AS "available!",
                  p.name AS product, v.label, p.slug
           FROM variants v JOIN products p USING (product_id)
           WHERE v.variant_id = $1"#,
        variant.0,
        sellable_after,
    )
    .fetch_optional(conn)
    .await
}

/// Whether `user` asked about `variant`.
pub async fn asked(
    conn: &mut PgConnection,
    user: UserId,
    variant: VariantId,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM stock_requests WHERE user_id = $1 AND variant_id = $2) AS "asked!""#,
        user.0,
        variant.0,
    )
    .fetch_one(conn)
    .await
}

/// `user` asks about `variant` (again: nothing changes).
pub async fn ask(
    conn: &mut PgConnection,
    user: UserId,
    variant: VariantId,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO stock_requests (user_id, variant_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        user.0,
        variant.0,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn withdraw(
    conn: &mut PgConnection,
    user: UserId,
    variant: VariantId,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "DELETE FROM stock_requests WHERE user_id = $1 AND variant_id = $2",
        user.0,
        variant.0,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Variants someone asked about that are on sale again, longest waiting first, leaving out
/// `resting`.
pub async fn back(
    conn: &mut PgConnection,
    sellable_after: NaiveDate,
    limit: i64,
    resting: &[String],
) -> Result<Vec<VariantId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT r.variant_id AS "variant: VariantId"
           FROM stock_requests r
           JOIN variants v USING (variant_id)
           JOIN products p USING (product_id)
           WHERE p.published_at IS NOT NULL
             AND NOT (r.variant_id::text = ANY($3))
             AND (SELECT sum(l.on_hand - l.reserved) FROM lots l
                  WHERE l.variant_id = r.variant_id AND l.expiry_date > $1) > 0
           GROUP BY r.variant_id
           ORDER BY min(r.created_at)
           LIMIT $2"#,
        sellable_after,
        limit,
        resting,
    )
    .fetch_all(conn)
    .await
}

/// Everyone who asked about `variant`: their requests end, and who they were is returned.
pub async fn take_all(
    conn: &mut PgConnection,
    variant: VariantId,
) -> Result<Vec<UserId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"DELETE FROM stock_requests WHERE variant_id = $1 RETURNING user_id AS "user: UserId""#,
        variant.0,
    )
    .fetch_all(conn)
    .await
}
