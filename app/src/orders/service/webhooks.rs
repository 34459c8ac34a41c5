//! Stripe's webhook events: stored once on receipt, applied in order, retried until applied.

use super::Result;
use super::payment::apply_intent;
use crate::orders::repo::{self};
use crate::state::AppState;
use payments::PaymentsError;

/// How a webhook delivery went, for the HTTP answer.
#[derive(Debug, PartialEq, Eq)]
pub enum Delivery {
    /// Acted on (or about nothing of ours).
    Processed,
    /// Seen and processed before: acknowledged, nothing done.
    Duplicate,
    /// Signed by Stripe but unreadable: stored for finance admins, acknowledged.
    Unreadable,
}

/// A Stripe webhook delivery: verified by signature, stored by event id (so a duplicate is
/// recognised), applied, and marked processed. An error leaves the event unprocessed; Stripe
/// retries the delivery and the payments job retries it too.
pub async fn receive_webhook(state: &AppState, payload: &str, signature: &str) -> Result<Delivery> {
    let event = match state.payments.verify_webhook(payload, signature) {
        Ok(event) => event,
        Err(PaymentsError::UnreadableEvent { id, kind }) => {
            // Stripe's, but not for us to act on blindly: kept for finance to review.
            tracing::error!(
                event = id.as_deref().unwrap_or("-"),
                kind = kind.as_deref().unwrap_or("-"),
                "a signed Stripe event could not be read; stored for review"
            );
            let mut conn = state.db.acquire().await?;
            repo::store_unreadable_event(&mut conn, id.as_deref(), kind.as_deref(), payload)
                .await?;
            return Ok(Delivery::Unreadable);
        }
        Err(other) => return Err(other.into()),
    };
    let body: serde_json::Value = serde_json::from_str(payload).unwrap_or(serde_json::Value::Null);
    let mut conn = state.db.acquire().await?;
    let fresh = sqlx::query!(
        r#"INSERT INTO stripe_events (event_id, type, object_id, payload)
           VALUES ($1, $2, $3, $4)
           ON CONFLICT (event_id) DO UPDATE SET event_id = EXCLUDED.event_id
           RETURNING processed_at IS NULL AS "unprocessed!""#,
        event.id,
        event.kind,
        event.object_id,
        body,
    )
    .fetch_one(&mut *conn)
    .await?
    .unprocessed;
    drop(conn);
    if !fresh {
        return Ok(Delivery::Duplicate);
    }
    if let Some(intent) = &event.intent {
        apply_intent(state, intent).await?;
    }
    mark_processed(state, &event.id).await?;
    Ok(Delivery::Processed)
}

async fn mark_processed(state: &AppState, event: &str) -> Result<()> {
    sqlx::query!(
        "UPDATE stripe_events SET processed_at = now() WHERE event_id = $1",
        event
    )
    .execute(&state.db)
    .await?;
    Ok(())
}

/// Payment events stored but not processed for a minute (the process stopped, or Stripe was
/// unreachable), oldest first, leaving out `resting` event ids.
pub async fn unprocessed_events(
    state: &AppState,
    limit: i64,
    resting: &[String],
) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar!(
        r#"SELECT event_id FROM stripe_events
           WHERE processed_at IS NULL AND received_at < now() - interval '1 minute'
             AND type LIKE 'payment_intent.%' AND NOT (event_id = ANY($2))
           ORDER BY received_at LIMIT $1"#,
        limit,
        resting
    )
    .fetch_all(&state.db)
    .await?)
}

/// Finish one stored event: act on its intent's current state, then mark it processed.
pub async fn finish_event(state: &AppState, event_id: &str) -> Result<()> {
    let Some(intent_id) = sqlx::query_scalar!(
        "SELECT object_id FROM stripe_events WHERE event_id = $1 AND processed_at IS NULL",
        event_id
    )
    .fetch_optional(&state.db)
    .await?
    else {
        return Ok(());
    };
    let intent = state.payments.retrieve_intent(&intent_id).await?;
    apply_intent(state, &intent).await?;
    mark_processed(state, event_id).await
}
