//! Stripe's webhook events as stored: each once by its id, processed in order; unreadable ones kept
//! for finance admins to review. Each query takes a connection.

use crate::ids::UserId;
use crate::orders::model::UnreadableEvent;
use sqlx::PgConnection;

/// Keep a signed Stripe event we could not read (once per event id).
pub async fn store_unreadable(
    conn: &mut PgConnection,
    event_id: Option<&str>,
    kind: Option<&str>,
    payload: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO stripe_unreadable_events (unreadable_event_id, event_id, type, payload)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (event_id) WHERE event_id IS NOT NULL DO NOTHING",
        uuid::Uuid::now_v7(),
        event_id,
        kind,
        payload,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Unreadable Stripe events nobody has reviewed yet, oldest first.
pub async fn unreviewed_unreadable(
    conn: &mut PgConnection,
) -> Result<Vec<UnreadableEvent>, sqlx::Error> {
    sqlx::query_as!(
        UnreadableEvent,
        r#"SELECT unreadable_event_id AS "id", event_id, type AS "kind", received_at
           FROM stripe_unreadable_events WHERE reviewed_at IS NULL
           ORDER BY received_at LIMIT 100"#
    )
    .fetch_all(conn)
    .await
}

pub async fn mark_unreadable_reviewed(
    conn: &mut PgConnection,
    id: uuid::Uuid,
    by: UserId,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query!(
        "UPDATE stripe_unreadable_events SET reviewed_at = now(), reviewed_by = $2
         WHERE unreadable_event_id = $1 AND reviewed_at IS NULL",
        id,
        by.0
    )
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Store a verified event by its id; `true` when it still needs processing (new, or stored
/// before and never processed), `false` for a duplicate of a processed one.
pub async fn store(
    conn: &mut PgConnection,
    id: &str,
    kind: &str,
    object_id: &str,
    payload: &serde_json::Value,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query!(
        r#"INSERT INTO stripe_events (event_id, type, object_id, payload)
           VALUES ($1, $2, $3, $4)
           ON CONFLICT (event_id) DO UPDATE SET event_id = EXCLUDED.event_id
           RETURNING processed_at IS NULL AS "unprocessed!""#,
        id,
        kind,
        object_id,
        payload,
    )
    .fetch_one(conn)
    .await?
    .unprocessed)
}

pub async fn mark_processed(conn: &mut PgConnection, event: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE stripe_events SET processed_at = now() WHERE event_id = $1",
        event
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Payment events stored but not processed for a minute, oldest first, leaving out `resting`.
pub async fn unprocessed(
    conn: &mut PgConnection,
    limit: i64,
    resting: &[String],
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT event_id FROM stripe_events
           WHERE processed_at IS NULL AND received_at < now() - interval '1 minute'
             AND (type LIKE 'payment_intent.%' OR type IN ('account.updated', 'transfer.reversed'))
             AND NOT (event_id = ANY($2))
           ORDER BY received_at LIMIT $1"#,
        limit,
        resting
    )
    .fetch_all(conn)
    .await
}

/// The type and object (a PaymentIntent, a connected account, a transfer) of a stored event
/// not processed yet.
pub async fn unprocessed_object(
    conn: &mut PgConnection,
    event_id: &str,
) -> Result<Option<(String, String)>, sqlx::Error> {
    let row = sqlx::query!(
        "SELECT type, object_id FROM stripe_events WHERE event_id = $1 AND processed_at IS NULL",
        event_id
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.r#type, r.object_id)))
}
