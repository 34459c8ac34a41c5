//! Refunds as stored: written before Stripe is asked (the row's id is the idempotency key),
//! confirmed with Stripe's refund id once it answers. Each query takes a connection; the
//! service owns the transaction.

use crate::ids::{OrderId, RefundId, UserId};
use sqlx::PgConnection;

/// An admin's refund of `order` that Stripe has not confirmed yet: its id and amount.
pub async fn unconfirmed(
    conn: &mut PgConnection,
    order: OrderId,
) -> Result<Option<(RefundId, i64)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT refund_id AS "id: RefundId", amount_minor FROM refunds
           WHERE order_id = $1 AND stripe_refund_id IS NULL"#,
        order.0
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.id, r.amount_minor)))
}

/// Write an admin's refund before Stripe is asked for it.
pub async fn open(
    conn: &mut PgConnection,
    id: RefundId,
    order: OrderId,
    amount_minor: i64,
    reason: &str,
    actor: UserId,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"INSERT INTO refunds (refund_id, order_id, amount_minor, reason, actor_id)
           VALUES ($1, $2, $3, $4, $5)"#,
        id.0,
        order.0,
        amount_minor,
        reason,
        actor.0,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn amount(conn: &mut PgConnection, id: RefundId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT amount_minor FROM refunds WHERE refund_id = $1",
        id.0
    )
    .fetch_one(conn)
    .await
}

/// Stripe answered with `stripe_refund_id`; `false` if another attempt confirmed it first.
pub async fn confirm(
    conn: &mut PgConnection,
    id: RefundId,
    stripe_refund_id: &str,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query!(
        r#"UPDATE refunds SET stripe_refund_id = $2 WHERE refund_id = $1 AND stripe_refund_id IS NULL"#,
        id.0,
        stripe_refund_id,
    )
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// A refund nobody asked for (a payment for an order we could not fulfil), recorded once per
/// Stripe refund; `false` when it already was.
pub async fn record_automatic(
    conn: &mut PgConnection,
    order: OrderId,
    amount_minor: i64,
    reason: &str,
    stripe_refund_id: &str,
) -> Result<bool, sqlx::Error> {
    let id = RefundId(uuid::Uuid::now_v7());
    Ok(sqlx::query!(
        r#"INSERT INTO refunds (refund_id, order_id, amount_minor, reason, stripe_refund_id)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (stripe_refund_id) DO NOTHING"#,
        id.0,
        order.0,
        amount_minor,
        reason,
        stripe_refund_id,
    )
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}
