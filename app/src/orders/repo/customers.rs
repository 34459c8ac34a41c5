//! The Stripe customer that stands for a shopper: cards saved for subscriptions belong to it.

use crate::ids::UserId;
use sqlx::PgConnection;

pub async fn stripe_customer_of(
    conn: &mut PgConnection,
    user: UserId,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT stripe_customer FROM shop_customers WHERE user_id = $1",
        user.0
    )
    .fetch_optional(conn)
    .await
}

/// Remember `customer` for `user`; the one remembered first wins (the Stripe call that made it
/// is keyed by the user, so a race makes the same customer anyway). Returns the one kept.
pub async fn remember(
    conn: &mut PgConnection,
    user: UserId,
    customer: &str,
) -> Result<String, sqlx::Error> {
    sqlx::query_scalar!(
        r#"
        INSERT INTO shop_customers (user_id, stripe_customer) VALUES ($1, $2)
        ON CONFLICT (user_id) DO UPDATE SET user_id = EXCLUDED.user_id
        RETURNING stripe_customer
        "#,
        user.0,
        customer
    )
    .fetch_one(conn)
    .await
}
