//! Review queries. Each takes a connection; the caller owns any transaction.

use super::model::{
    ADMIN_PER_PAGE, AdminReview, CheckedReview, PER_PAGE, RatingSummary, ReviewSort, ReviewStatus,
    ReviewView, public_name,
};
use crate::accounts::repo::{reveal_email, reveal_name};
use crate::ids::{OrderId, ProductId, ReviewId, UserId};
use crate::vault::{Sealed, Vault, VaultError};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// The latest delivered order of `user` that holds a variant of `product`.
pub async fn delivered_order(
    conn: &mut PgConnection,
    user: UserId,
    product: ProductId,
) -> Result<Option<OrderId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"
        SELECT o.order_id AS "id: OrderId"
        FROM orders o
        JOIN order_lines ol ON ol.order_id = o.order_id
        JOIN variants v ON v.variant_id = ol.variant_id
        WHERE o.user_id = $1 AND v.product_id = $2 AND o.status = 'delivered'
        ORDER BY o.placed_at DESC
        LIMIT 1
        "#,
        user.0,
        product.0
    )
    .fetch_optional(conn)
    .await
}

/// The product's name, for the history of what a review earned.
pub async fn product_name(
    conn: &mut PgConnection,
    product: ProductId,
) -> Result<String, sqlx::Error> {
    sqlx::query_scalar!("SELECT name FROM products WHERE product_id = $1", product.0)
        .fetch_one(conn)
        .await
}

/// Whether the product exists and is on sale.
pub async fn published(conn: &mut PgConnection, product: ProductId) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM products WHERE product_id = $1 AND published_at IS NOT NULL) AS "on!""#,
        product.0
    )
    .fetch_one(conn)
    .await
}

pub struct NewReview<'a> {
    pub id: ReviewId,
    pub product: ProductId,
    pub user: UserId,
    pub order: OrderId,
    pub review: &'a CheckedReview,
    pub status: ReviewStatus,
    pub at: DateTime<Utc>,
}

/// Insert the review; false when this person has reviewed this product already.
pub async fn insert(conn: &mut PgConnection, new: &NewReview<'_>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "INSERT INTO reviews (review_id, product_id, user_id, order_id, rating, title, body,
                              status, held_because, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (product_id, user_id) DO NOTHING",
        new.id.0,
        new.product.0,
        new.user.0,
        new.order.0,
        new.review.rating,
        new.review.title,
        new.review.body,
        new.status as ReviewStatus,
        new.review.held_because,
        new.at,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// This person's review of the product: its status and any reason it was turned down.
pub async fn own(
    conn: &mut PgConnection,
    user: UserId,
    product: ProductId,
) -> Result<Option<(ReviewStatus, Option<String>)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT status AS "status: ReviewStatus", reject_reason
           FROM reviews WHERE user_id = $1 AND product_id = $2"#,
        user.0,
        product.0
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.status, r.reject_reason)))
}

/// Published reviews per star count.
pub async fn summary(
    conn: &mut PgConnection,
    product: ProductId,
) -> Result<RatingSummary, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT rating, count(*) AS "n!" FROM reviews
           WHERE product_id = $1 AND status = 'published' GROUP BY rating"#,
        product.0
    )
    .fetch_all(conn)
    .await?;
    let mut summary = RatingSummary::default();
    for row in rows {
        let slot = usize::try_from(row.rating - 1)
            .ok()
            .and_then(|i| summary.stars.get_mut(i));
        if let Some(slot) = slot {
            *slot = row.n;
        }
    }
    Ok(summary)
}

/// One page of a product's published reviews, with what `viewer` did about each.
pub async fn page(
    conn: &mut PgConnection,
    vault: &Vault,
    product: ProductId,
    viewer: Option<UserId>,
    sort: ReviewSort,
    page: i64,
) -> Result<Vec<ReviewView>, VaultError> {
    let rows = sqlx::query!(
        r#"
        SELECT r.review_id AS "id: ReviewId", person_name(r.user_id) AS "name!: Sealed",
               r.rating, r.title, r.body,
               r.created_at, r.helpful, COALESCE(r.user_id = $2, false) AS "mine!",
               EXISTS (SELECT 1 FROM review_votes v
                       WHERE v.review_id = r.review_id AND v.user_id = $2) AS "voted!"
        FROM reviews r
        WHERE r.product_id = $1 AND r.status = 'published'
        ORDER BY CASE WHEN $3 THEN r.helpful END DESC NULLS LAST, r.created_at DESC, r.review_id
        LIMIT $4 OFFSET $5
        "#,
        product.0,
        viewer.map(|u| u.0),
        sort == ReviewSort::Helpful,
        PER_PAGE,
        crate::ui::page_offset(page, PER_PAGE),
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(ReviewView {
                id: r.id,
                author: public_name(&reveal_name(vault, &r.name)?),
                rating: r.rating,
                title: r.title,
                body: r.body,
                written_at: r.created_at,
                helpful: r.helpful,
                voted: r.voted,
                mine: r.mine,
            })
        })
        .collect()
}

/// A review's author, if it is published.
pub async fn published_author(
    conn: &mut PgConnection,
    review: ReviewId,
) -> Result<Option<UserId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT user_id AS "user: UserId" FROM reviews
           WHERE review_id = $1 AND status = 'published'"#,
        review.0
    )
    .fetch_optional(conn)
    .await
}

/// Count `user`'s "helpful" once: the review's new count, or None when they had voted.
pub async fn vote(
    conn: &mut PgConnection,
    review: ReviewId,
    user: UserId,
) -> Result<Option<i32>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"
        WITH vote AS (
            INSERT INTO review_votes (review_id, user_id) VALUES ($1, $2)
            ON CONFLICT DO NOTHING RETURNING review_id
        )
        UPDATE reviews SET helpful = helpful + 1
        WHERE review_id = (SELECT review_id FROM vote)
        RETURNING helpful
        "#,
        review.0,
        user.0
    )
    .fetch_optional(conn)
    .await
}

/// A review as a moderator's decision needs it.
pub struct Locked {
    pub status: ReviewStatus,
    pub author: UserId,
    pub product_name: String,
    pub product_slug: String,
}

/// The review, locked for a decision.
pub async fn lock(
    conn: &mut PgConnection,
    review: ReviewId,
) -> Result<Option<Locked>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT r.status AS "status: ReviewStatus", r.user_id AS "author: UserId", p.name, p.slug
           FROM reviews r JOIN products p ON p.product_id = r.product_id
           WHERE r.review_id = $1 FOR UPDATE OF r"#,
        review.0
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| Locked {
        status: r.status,
        author: r.author,
        product_name: r.name,
        product_slug: r.slug,
    }))
}

/// Move the review from `from` to `to` (with the reason when rejected).
pub async fn set_status(
    conn: &mut PgConnection,
    review: ReviewId,
    from: ReviewStatus,
    to: ReviewStatus,
    reason: Option<&str>,
    by: UserId,
    at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE reviews SET status = $3, reject_reason = $4, moderated_by = $5, moderated_at = $6
         WHERE review_id = $1 AND status = $2",
        review.0,
        from as ReviewStatus,
        to as ReviewStatus,
        reason,
        by.0,
        at,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One page of the reviews in `status`: waiting ones oldest first, the others newest first.
pub async fn admin_page(
    conn: &mut PgConnection,
    vault: &Vault,
    status: ReviewStatus,
    page: i64,
) -> Result<(Vec<AdminReview>, i64), VaultError> {
    let rows = sqlx::query!(
        r#"
        SELECT r.review_id AS "id: ReviewId", p.name, p.slug, person_email(u.user_id) AS "email!: Sealed",
               person_name(u.user_id) AS "author!: Sealed", r.rating, r.title, r.body,
               r.status AS "status: ReviewStatus",
               r.held_because, r.reject_reason, r.created_at, r.helpful,
               count(*) OVER () AS "total!"
        FROM reviews r
        JOIN products p ON p.product_id = r.product_id
        JOIN users u ON u.user_id = r.user_id
        WHERE r.status = $1
        ORDER BY CASE WHEN $1 = 'pending' THEN r.created_at END,
                 r.created_at DESC, r.review_id
        LIMIT $2 OFFSET $3
        "#,
        status as ReviewStatus,
        ADMIN_PER_PAGE,
        crate::ui::page_offset(page, ADMIN_PER_PAGE),
    )
    .fetch_all(conn)
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    Ok((
        rows.into_iter()
            .map(|r| {
                Ok(AdminReview {
                    id: r.id,
                    product_name: r.name,
                    product_slug: r.slug,
                    author_email: reveal_email(vault, &r.email)?,
                    author: reveal_name(vault, &r.author)?,
                    rating: r.rating,
                    title: r.title,
                    body: r.body,
                    status: r.status,
                    held_because: r.held_because,
                    reject_reason: r.reject_reason,
                    written_at: r.created_at,
                    helpful: r.helpful,
                })
            })
            .collect::<Result<_, VaultError>>()?,
        total,
    ))
}

/// How many reviews wait for a moderator.
pub async fn waiting(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM reviews WHERE status = 'pending'"#)
        .fetch_one(conn)
        .await
}
