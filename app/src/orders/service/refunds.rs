//! Cancellations and refunds by an admin: one transaction that locks the order, then Stripe with
//! an idempotency key from our own refund id.

use super::payment::cancel_unpaid;
use super::{Result, queue_email};
use crate::accounts::hooks::InTransaction;
use crate::audit::{self, Action, Actor};
use crate::error::AppError;
use crate::ids::{OrderId, RefundId};
use crate::inventory::repo as inventory;
use crate::money::{Currency, Money, parse_price};
use crate::orders::emails;
use crate::orders::hooks::RefundedOrder;
use crate::orders::model::{OrderEventKind, OrderStatus};
use crate::orders::repo::{self, NewEvent, refunds};
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
            .total
            .currency()
    };
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
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::field(
            "reason",
            "Say why (up to 500 characters); the customer's history shows it.",
        )
        .into());
    }
    let opened = open(state, order, kind, reason, by).await?;
    let stripe_refund = {
        let mut conn = state.db.acquire().await?;
        let amount = refunds::amount(&mut conn, opened.id).await?;
        drop(conn);
        state
            .payments
            .refund(&opened.intent, amount, &opened.id.to_string())
            .await?
    };
    settle(state, order, kind, reason, by, &opened, &stripe_refund).await
}

/// A refund written and audited, waiting for Stripe.
struct Opened {
    id: RefundId,
    intent: String,
    currency: Currency,
}

/// The decision: in one transaction that locks the order, check that `kind` may happen, then
/// write the refund with its audit entry (or pick up an earlier attempt Stripe never answered).
async fn open(
    state: &AppState,
    order: OrderId,
    kind: RefundKind,
    reason: &str,
    by: Actor,
) -> Result<Opened> {
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
    if kind == RefundKind::Cancel && !locked.status.may_become(OrderStatus::Cancelled) {
        return Err(
            AppError::invalid("A shipped order can't be cancelled; refund it instead.").into(),
        );
    }
    let currency = locked.total.currency();
    let left = locked.total.minor() - locked.refunded.minor();
    let amount = match kind {
        RefundKind::Cancel => Money::new(left, currency),
        RefundKind::Part(amount) => amount,
    };
    if amount.currency() != currency {
        return Err(AppError::field("amount", "Refund in the order's currency.").into());
    }
    let id = match refunds::unconfirmed(&mut tx, order).await? {
        // An earlier attempt never heard back from Stripe: finish that one, same key.
        Some((id, earlier)) if earlier == amount.minor() => id,
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
                        Money::new(1, currency),
                        Money::new(left, currency)
                    ),
                )
                .into());
            }
            let id = RefundId(uuid::Uuid::now_v7());
            refunds::open(&mut tx, id, order, amount.minor(), reason, by.user).await?;
            // The decision is audited as it is taken, with the refund it creates.
            let (action, detail) = match kind {
                RefundKind::Cancel => (
                    Action::OrderCancelled,
                    serde_json::json!({ "reason": reason }),
                ),
                RefundKind::Part(_) => (
                    Action::OrderRefunded,
                    serde_json::json!({ "amount_minor": amount.minor(), "reason": reason }),
                ),
            };
            audit::record(&mut tx, by.entry(action, order.0, detail)).await?;
            id
        }
    };
    tx.commit().await?;
    Ok(Opened {
        id,
        intent: locked.payment_intent.ok_or(AppError::Internal)?,
        currency,
    })
}

/// Stripe refunded: confirm the refund once, move the order on (cancelled, with its units back
/// on the shelf, or refunded once nothing is left), write its history and the customer's email.
async fn settle(
    state: &AppState,
    order: OrderId,
    kind: RefundKind,
    reason: &str,
    by: Actor,
    opened: &Opened,
    stripe_refund: &payments::Refund,
) -> Result<OrderStatus> {
    let mut tx = state.db.begin().await?;
    let locked = repo::lock(&mut tx, order)
        .await?
        .ok_or(AppError::NotFound)?;
    if !refunds::confirm(&mut tx, opened.id, &stripe_refund.id).await? {
        return Ok(locked.status);
    }
    let refunded = repo::add_refunded(&mut tx, order, stripe_refund.amount).await?;
    let change = RefundedOrder {
        order,
        refund: opened.id,
        total: locked.total.minor(),
        refunded_before: refunded - stripe_refund.amount,
        refunded_after: refunded,
        now: state.clock.now(),
    };
    InTransaction::run_all(state.when_refunded, state, &mut tx, &change).await?;
    let next = match kind {
        RefundKind::Cancel => Some(OrderStatus::Cancelled),
        RefundKind::Part(_) if refunded >= locked.total.minor() => Some(OrderStatus::Refunded),
        RefundKind::Part(_) => None,
    };
    let mut status = locked.status;
    if let Some(next) = next.filter(|n| locked.status.may_become(*n)) {
        if next == OrderStatus::Cancelled {
            inventory::restock_allocations(
                &mut tx,
                order,
                &format!("Order {} cancelled", locked.reference()),
                Some(by.user),
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
            actor: Some(by.user),
        },
    )
    .await?;
    let money = Money::new(stripe_refund.amount, opened.currency);
    queue_email(state, &mut tx, order, |d, l| emails::refunded(d, money, l)).await?;
    crate::orders::notices::refunded(&mut tx, &locked, money).await?;
    tx.commit().await?;
    Ok(status)
}
