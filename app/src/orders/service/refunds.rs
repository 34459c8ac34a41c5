//! Cancellations and refunds by an admin: one transaction that locks the order, then Stripe with
//! an idempotency key from our own refund id.

use super::payment::cancel_unpaid;
use super::{Result, queue_email};
use crate::audit::{self, Action, Actor};
use crate::error::AppError;
use crate::ids::{OrderId, RefundId};
use crate::inventory::repo as inventory;
use crate::money::{Currency, Money, parse_price};
use crate::orders::emails;
use crate::orders::model::{OrderEventKind, OrderStatus};
use crate::orders::repo::{self, NewEvent};
use crate::state::AppState;

/// What a refund does to the order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefundKind {
    /// Refund all that is left, put the units back on the shelf and cancel the order (only
    /// before it ships).
    Cancel,
    /// Refund this much; once nothing is left the order is refunded.
    Part(Money),
}

/// An admin cancels an order with a reason: an unpaid one is simply given up, a paid one is
/// refunded in full and its units go back on the shelf.
pub async fn cancel(
    state: &AppState,
    order: OrderId,
    reason: &str,
    by: Actor,
) -> Result<OrderStatus> {
    let status = {
        let mut conn = state.db.acquire().await?;
        repo::lock(&mut conn, order)
            .await?
            .ok_or(AppError::NotFound)?
            .status
    };
    if status != OrderStatus::PendingPayment {
        return refund(state, order, RefundKind::Cancel, reason, by).await;
    }
    let reason = match reason.trim() {
        "" => "Cancelled by Olivine before payment.",
        given => given,
    };
    cancel_unpaid(state, order, OrderEventKind::Cancelled, reason, Some(by)).await?;
    Ok(OrderStatus::Cancelled)
}

/// Refund an amount typed like a price ("12,50") in the order's currency.
pub async fn refund_typed(
    state: &AppState,
    order: OrderId,
    amount: &str,
    reason: &str,
    by: Actor,
) -> Result<OrderStatus> {
    let currency = {
        let mut conn = state.db.acquire().await?;
        repo::lock(&mut conn, order)
            .await?
            .ok_or(AppError::NotFound)?
            .currency
    };
    let currency = Currency::parse(&currency).map_err(|_| AppError::Internal)?;
    let amount =
        parse_price(amount, currency).map_err(|problem| AppError::field("amount", problem))?;
    refund(state, order, RefundKind::Part(amount), reason, by).await
}

/// Refund a paid order through Stripe, by an admin with a reason (see [`RefundKind`]). The
/// refund row is written before Stripe is called and its id is the idempotency key, so a retry
/// after a crash or timeout can never refund twice.
pub async fn refund(
    state: &AppState,
    order: OrderId,
    kind: RefundKind,
    reason: &str,
    by: Actor,
) -> Result<OrderStatus> {
    let cancel = kind == RefundKind::Cancel;
    let actor = by.user;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::field(
            "reason",
            "Say why (up to 500 characters); the customer's history shows it.",
        )
        .into());
    }
    let (refund_id, intent, currency) = {
        let mut tx = state.db.begin().await?;
        let locked = repo::lock(&mut tx, order)
            .await?
            .ok_or(AppError::NotFound)?;
        if !locked.status.is_paid() {
            return Err(AppError::invalid(format!(
                "Only a paid order can be refunded; this one is {}.",
                locked.status.label().to_lowercase()
            ))
            .into());
        }
        if cancel && !locked.status.may_become(OrderStatus::Cancelled) {
            return Err(AppError::invalid(
                "A shipped order can't be cancelled; refund it instead.",
            )
            .into());
        }
        let pending = sqlx::query!(
            r#"SELECT refund_id AS "id: RefundId", amount_minor FROM refunds
               WHERE order_id = $1 AND stripe_refund_id IS NULL"#,
            order.0
        )
        .fetch_optional(&mut *tx)
        .await?;
        let left = locked.total - locked.refunded;
        let amount = match kind {
            RefundKind::Cancel => Money::new(
                left,
                Currency::parse(&locked.currency).map_err(|_| AppError::Internal)?,
            ),
            RefundKind::Part(amount) => amount,
        };
        if amount.currency().code() != locked.currency {
            return Err(AppError::field("amount", "Refund in the order's currency.").into());
        }
        let id = match pending {
            // An earlier attempt never heard back from Stripe: finish that one, same key.
            Some(p) if p.amount_minor == amount.minor() => p.id,
            Some(_) => {
                return Err(AppError::invalid(
                    "An earlier refund of this order is still unconfirmed; repeat that amount to finish it.",
                )
                .into());
            }
            None => {
                if amount.minor() <= 0 || amount.minor() > left {
                    return Err(AppError::field(
                        "amount",
                        format!(
                            "Refund between {} and {}.",
                            Money::new(1, amount.currency()),
                            Money::new(left, amount.currency())
                        ),
                    )
                    .into());
                }
                let id = RefundId(uuid::Uuid::now_v7());
                sqlx::query!(
                    r#"INSERT INTO refunds (refund_id, order_id, amount_minor, reason, actor_id)
                       VALUES ($1, $2, $3, $4, $5)"#,
                    id.0,
                    order.0,
                    amount.minor(),
                    reason,
                    actor.0,
                )
                .execute(&mut *tx)
                .await?;
                // The decision is audited as it is taken, with the refund it creates.
                let (action, detail) = if cancel {
                    (
                        Action::OrderCancelled,
                        serde_json::json!({ "reason": reason }),
                    )
                } else {
                    (
                        Action::OrderRefunded,
                        serde_json::json!({ "amount_minor": amount.minor(), "reason": reason }),
                    )
                };
                audit::record(&mut tx, by.entry(action, order.0, detail)).await?;
                id
            }
        };
        tx.commit().await?;
        (
            id,
            locked.payment_intent.ok_or(AppError::Internal)?,
            amount.currency(),
        )
    };

    let stripe_refund = {
        let mut conn = state.db.acquire().await?;
        let amount = sqlx::query_scalar!(
            "SELECT amount_minor FROM refunds WHERE refund_id = $1",
            refund_id.0
        )
        .fetch_one(&mut *conn)
        .await?;
        drop(conn);
        state
            .payments
            .refund(&intent, amount, &refund_id.to_string())
            .await?
    };

    let mut tx = state.db.begin().await?;
    let locked = repo::lock(&mut tx, order)
        .await?
        .ok_or(AppError::NotFound)?;
    let confirmed = sqlx::query!(
        r#"UPDATE refunds SET stripe_refund_id = $2 WHERE refund_id = $1 AND stripe_refund_id IS NULL"#,
        refund_id.0,
        stripe_refund.id,
    )
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    let mut status = locked.status;
    if confirmed {
        let refunded = repo::add_refunded(&mut tx, order, stripe_refund.amount).await?;
        let next = if cancel {
            Some(OrderStatus::Cancelled)
        } else if refunded >= locked.total {
            Some(OrderStatus::Refunded)
        } else {
            None
        };
        if let Some(next) = next.filter(|n| locked.status.may_become(*n)) {
            if next == OrderStatus::Cancelled {
                inventory::restock_allocations(
                    &mut tx,
                    order,
                    &format!("Order {} cancelled", locked.reference()),
                    Some(actor),
                )
                .await?;
            }
            repo::set_status(&mut tx, order, locked.status, next).await?;
            status = next;
        }
        let kind = if next == Some(OrderStatus::Cancelled) {
            OrderEventKind::Cancelled
        } else {
            OrderEventKind::Refunded
        };
        repo::record(
            &mut tx,
            order,
            &NewEvent {
                kind,
                status,
                detail: reason,
                amount: Some(stripe_refund.amount),
                actor: Some(actor),
            },
        )
        .await?;
        let money = Money::new(stripe_refund.amount, currency);
        queue_email(state, &mut tx, order, |d, l| emails::refunded(d, money, l)).await?;
    }
    tx.commit().await?;
    Ok(status)
}
