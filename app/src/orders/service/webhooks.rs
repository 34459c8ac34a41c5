//! Stripe's webhook events: stored once on receipt, applied in order, retried until applied.

use super::Result;
use super::payment::apply_intent;
use crate::audit::Actor;
use crate::error::AppError;
use crate::escrow::payouts;
use crate::orders::model::UnreadableEvent;
use crate::orders::repo::stripe_events;
use crate::state::AppState;
use payments::PaymentsError;

/// Signed Stripe events that could not be read and nobody has reviewed: for finance admins
/// (`finance`); other admins see none.
pub async fn unreadable_events(state: &AppState, finance: bool) -> Result<Vec<UnreadableEvent>> {
    if !finance {
        return Ok(Vec::new());
    }
    let mut conn = state.db.acquire().await?;
    Ok(stripe_events::unreviewed_unreadable(&mut conn).await?)
}

/// A finance admin has looked at an unreadable event (in Stripe's dashboard) and dealt with it.
pub async fn review_unreadable(state: &AppState, by: Actor, id: uuid::Uuid) -> Result<()> {
    let mut conn = state.db.acquire().await?;
    if stripe_events::mark_unreadable_reviewed(&mut conn, id, by.user).await? {
        Ok(())
    } else {
        Err(AppError::NotFound.into())
    }
}

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
            stripe_events::store_unreadable(&mut conn, id.as_deref(), kind.as_deref(), payload)
                .await?;
            return Ok(Delivery::Unreadable);
        }
        Err(other) => return Err(other.into()),
    };
    let body: serde_json::Value = serde_json::from_str(payload).unwrap_or(serde_json::Value::Null);
    let fresh = {
        let mut conn = state.db.acquire().await?;
        stripe_events::store(&mut conn, &event.id, &event.kind, &event.object_id, &body).await?
    };
    if !fresh {
        return Ok(Delivery::Duplicate);
    }
    match &event.intent {
        Some(intent) => apply_intent(state, intent).await?,
        None => apply_connect(state, &event.kind, &event.object_id).await?,
    }
    let mut conn = state.db.acquire().await?;
    stripe_events::mark_processed(&mut conn, &event.id).await?;
    Ok(Delivery::Processed)
}

/// Connect's events for Hire's payouts, each read again from Stripe before acting: a
/// connected account changed, or a transfer was reversed.
async fn apply_connect(state: &AppState, kind: &str, object: &str) -> Result<()> {
    match kind {
        "account.updated" => {
            payouts::account_updated(state, object).await?;
        }
        "transfer.reversed" => payouts::transfer_changed(state, object).await?,
        _ => {}
    }
    Ok(())
}

/// Payment events stored but not processed for a minute (the process stopped, or Stripe was
/// unreachable), oldest first, leaving out `resting` event ids.
pub async fn unprocessed_events(
    state: &AppState,
    limit: i64,
    resting: &[String],
) -> Result<Vec<String>> {
    let mut conn = state.db.acquire().await?;
    Ok(stripe_events::unprocessed(&mut conn, limit, resting).await?)
}

/// Finish one stored event: act on its object's current state, then mark it processed.
pub async fn finish_event(state: &AppState, event_id: &str) -> Result<()> {
    let stored = {
        let mut conn = state.db.acquire().await?;
        stripe_events::unprocessed_object(&mut conn, event_id).await?
    };
    let Some((kind, object)) = stored else {
        return Ok(());
    };
    if kind.starts_with("payment_intent.") {
        let intent = state.payments.retrieve_intent(&object).await?;
        apply_intent(state, &intent).await?;
    } else {
        apply_connect(state, &kind, &object).await?;
    }
    let mut conn = state.db.acquire().await?;
    stripe_events::mark_processed(&mut conn, event_id).await?;
    Ok(())
}
