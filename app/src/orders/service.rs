//! What happens to an order after checkout: payment results from Stripe (webhooks, or the
//! shopper returning from the payment form), reservations that run out, fulfilment steps,
//! cancellations and refunds. Each change is one transaction that locks the order, checks the
//! state machine and appends to the order's history; Stripe calls carry idempotency keys from
//! our own ids, so retries and duplicate or reordered events have no second effect.

use super::emails;
use super::model::{OrderDetail, OrderEventKind, OrderStatus, parse_tracking_number};
use super::repo::{self, Locked, NewEvent};
use crate::audit::{self, Action, Actor};
use crate::discounts::repo as discounts;
use crate::error::{AppError, ServiceError};
use crate::ids::{OrderId, RefundId, UserId};
use crate::inventory::repo as inventory;
use crate::money::{Currency, Money, parse_price};
use crate::notifications::email;
use crate::state::AppState;
use chrono::NaiveDate;
use payments::{Intent, IntentStatus, PaymentsError};
use sqlx::PgConnection;

pub type Result<T> = std::result::Result<T, ServiceError>;

fn link(state: &AppState, order: OrderId) -> String {
    state.config.link(&format!("/orders/{order}"))
}

async fn queue_email(
    state: &AppState,
    conn: &mut PgConnection,
    order: OrderId,
    make: impl FnOnce(&OrderDetail, &str) -> email::Email,
) -> Result<()> {
    if let Some(detail) = repo::detail(conn, order).await? {
        email::enqueue(conn, &make(&detail, &link(state, order))).await?;
    }
    Ok(())
}

/// Give back what an unpaid order holds: its stock and its discount code.
async fn release_holds(conn: &mut PgConnection, order: OrderId) -> Result<()> {
    inventory::release(conn, order).await?;
    discounts::release_redemption(conn, order).await?;
    Ok(())
}

/// Hold stock again for an order whose reservations are gone (its payment arrived after they
/// were released). `false`, holding nothing, when some line can no longer be served.
async fn reserve_again(conn: &mut PgConnection, order: OrderId, today: NaiveDate) -> Result<bool> {
    for (variant, quantity) in repo::line_quantities(conn, order).await? {
        if inventory::reserve(conn, order, variant, i64::from(quantity), today)
            .await?
            .is_err()
        {
            inventory::release(conn, order).await?;
            return Ok(false);
        }
    }
    Ok(true)
}

/// What Stripe says about an order's PaymentIntent, from a webhook or from the shopper coming
/// back from the payment form. Harmless to repeat and to receive out of order: only a pending
/// order changes, and only forward.
#[tracing::instrument(skip_all, fields(intent = %intent.id))]
pub async fn apply_intent(state: &AppState, intent: &Intent) -> Result<()> {
    let mut tx = state.db.begin().await?;
    let Some(order) = repo::lock_by_intent(&mut tx, &intent.id).await? else {
        tracing::warn!("payment intent matches no order");
        return Ok(());
    };
    let mut refund_whole = false;
    match (order.status, intent.status) {
        (OrderStatus::PendingPayment, IntentStatus::Succeeded) => {
            if intent.amount_received != order.total || intent.currency != order.currency {
                // Never expected (we created the intent for this total); keep it for a person.
                tracing::error!(
                    received = intent.amount_received,
                    "payment differs from order total"
                );
                record(
                    &mut tx,
                    &order,
                    OrderEventKind::PaymentMismatch,
                    OrderStatus::PendingPayment,
                    &format!(
                        "Stripe received {} {}; the order is {} {}.",
                        intent.amount_received, intent.currency, order.total, order.currency
                    ),
                    Some(intent.amount_received),
                )
                .await?;
            } else {
                let note = format!("Order {}", order.reference());
                let mut allocated =
                    inventory::fulfil_reservations(&mut tx, order.id, &note).await?;
                if allocated.is_empty()
                    && reserve_again(&mut tx, order.id, state.clock.today()).await?
                {
                    allocated = inventory::fulfil_reservations(&mut tx, order.id, &note).await?;
                }
                if allocated.is_empty() {
                    // Paid for stock that is gone: the shopper gets every cent back.
                    discounts::release_redemption(&mut tx, order.id).await?;
                    leave_pending(
                        &mut tx,
                        &order,
                        OrderStatus::Cancelled,
                        OrderEventKind::Cancelled,
                        "Paid after the items sold out; the payment is refunded in full.",
                        None,
                    )
                    .await?;
                    refund_whole = true;
                } else {
                    leave_pending(
                        &mut tx,
                        &order,
                        OrderStatus::Paid,
                        OrderEventKind::Paid,
                        "Payment received by card.",
                        Some(intent.amount_received),
                    )
                    .await?;
                    if let Some(cart) = order.cart {
                        repo::clear_bought_from_cart(&mut tx, order.id, cart).await?;
                    }
                    queue_email(state, &mut tx, order.id, emails::confirmation).await?;
                }
            }
        }
        (OrderStatus::PendingPayment, IntentStatus::Canceled) => {
            release_holds(&mut tx, order.id).await?;
            leave_pending(
                &mut tx,
                &order,
                OrderStatus::Cancelled,
                OrderEventKind::Cancelled,
                "The payment was cancelled; the items went back on sale.",
                None,
            )
            .await?;
        }
        (OrderStatus::PendingPayment, IntentStatus::RequiresPaymentMethod) => {
            if let Some(failure) = &intent.last_error {
                record(
                    &mut tx,
                    &order,
                    OrderEventKind::PaymentFailed,
                    OrderStatus::PendingPayment,
                    &failure.message,
                    None,
                )
                .await?;
            }
        }
        (OrderStatus::PendingPayment, IntentStatus::RequiresAction) => {
            record(
                &mut tx,
                &order,
                OrderEventKind::AuthenticationRequested,
                OrderStatus::PendingPayment,
                "The card issuer asked for 3-D Secure.",
                None,
            )
            .await?;
        }
        (OrderStatus::Cancelled, IntentStatus::Succeeded) if order.refunded == 0 => {
            // Money arrived for an order already given up (its intent could not be cancelled
            // in time): it all goes back.
            record(
                &mut tx,
                &order,
                OrderEventKind::LatePayment,
                OrderStatus::Cancelled,
                "A payment arrived after the order was cancelled; it is refunded in full.",
                Some(intent.amount_received),
            )
            .await?;
            refund_whole = true;
        }
        // Duplicates, stale or reordered events, and states that need nothing from us.
        _ => {}
    }
    tx.commit().await?;
    if refund_whole {
        refund_automatically(state, &order, intent.amount_received).await?;
    }
    Ok(())
}

/// Move a pending order on to `to` (paid or cancelled) and say why in its history.
async fn leave_pending(
    conn: &mut PgConnection,
    order: &Locked,
    to: OrderStatus,
    kind: OrderEventKind,
    detail: &str,
    amount: Option<i64>,
) -> Result<()> {
    repo::set_status(conn, order.id, OrderStatus::PendingPayment, to).await?;
    record(conn, order, kind, to, detail, amount).await
}

async fn record(
    conn: &mut PgConnection,
    order: &Locked,
    kind: OrderEventKind,
    status: OrderStatus,
    detail: &str,
    amount: Option<i64>,
) -> Result<()> {
    repo::record(
        conn,
        order.id,
        &NewEvent {
            kind,
            status,
            detail,
            amount,
            actor: None,
        },
    )
    .await?;
    Ok(())
}

/// Refund a whole payment nobody asked us to keep (idempotent on the order id).
async fn refund_automatically(state: &AppState, order: &Locked, amount: i64) -> Result<()> {
    let Some(intent) = &order.payment_intent else {
        return Ok(());
    };
    let refund = state
        .payments
        .refund(intent, amount, &format!("auto-refund-{}", order.id))
        .await?;
    let mut tx = state.db.begin().await?;
    let id = RefundId(uuid::Uuid::now_v7());
    let inserted = sqlx::query!(
        r#"INSERT INTO refunds (refund_id, order_id, amount_minor, reason, stripe_refund_id)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (stripe_refund_id) DO NOTHING"#,
        id.0,
        order.id.0,
        amount,
        "Automatic: the order could not be fulfilled",
        refund.id,
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 1 {
        repo::add_refunded(&mut tx, order.id, amount).await?;
        repo::record(
            &mut tx,
            order.id,
            &NewEvent {
                kind: OrderEventKind::Refunded,
                status: OrderStatus::Cancelled,
                detail: "Refunded in full automatically.",
                amount: Some(amount),
                actor: None,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Ask Stripe where an order's payment is and act on it: for the shopper returning from the
/// payment form, so the page is right even before the webhook arrives.
pub async fn sync_payment(state: &AppState, order: OrderId) -> Result<()> {
    let intent = {
        let mut conn = state.db.acquire().await?;
        repo::lock(&mut conn, order)
            .await?
            .and_then(|o| o.payment_intent)
    };
    if let Some(intent) = intent {
        let intent = state.payments.retrieve_intent(&intent).await?;
        apply_intent(state, &intent).await?;
    }
    Ok(())
}

/// Give up an unpaid order: cancel its PaymentIntent first (so it can no longer be paid), then
/// release what it holds. If the intent turns out to be paid after all, the order is paid
/// instead. `kind`/`detail` describe why in the order's history.
pub async fn cancel_unpaid(
    state: &AppState,
    order: OrderId,
    kind: OrderEventKind,
    detail: &str,
    by: Option<Actor>,
) -> Result<bool> {
    let actor = by.map(|by| by.user);
    let intent = {
        let mut conn = state.db.acquire().await?;
        match repo::lock(&mut conn, order).await? {
            Some(o) if o.status == OrderStatus::PendingPayment => o.payment_intent,
            _ => return Ok(false),
        }
    };
    if let Some(intent) = intent {
        match state.payments.cancel_intent(&intent).await {
            Ok(_) => {}
            Err(PaymentsError::Refused { .. }) => {
                let fresh = state.payments.retrieve_intent(&intent).await?;
                if fresh.status != IntentStatus::Canceled {
                    // Paid (or being paid) meanwhile: that decides, not us.
                    apply_intent(state, &fresh).await?;
                    return Ok(false);
                }
            }
            Err(other) => return Err(other.into()),
        }
    }
    let mut tx = state.db.begin().await?;
    let Some(locked) = repo::lock(&mut tx, order).await? else {
        return Ok(false);
    };
    if locked.status != OrderStatus::PendingPayment {
        return Ok(false);
    }
    release_holds(&mut tx, order).await?;
    repo::set_status(
        &mut tx,
        order,
        OrderStatus::PendingPayment,
        OrderStatus::Cancelled,
    )
    .await?;
    repo::record(
        &mut tx,
        order,
        &NewEvent {
            kind,
            status: OrderStatus::Cancelled,
            detail,
            amount: None,
            actor,
        },
    )
    .await?;
    if let Some(by) = by {
        let entry = by.entry(
            Action::OrderCancelled,
            order.0,
            serde_json::json!({ "reason": detail }),
        );
        audit::record(&mut tx, entry).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Unpaid orders whose stock hold ran out, oldest first, leaving out `resting` (ids the expiry
/// job holds or is waiting to retry).
pub async fn overdue(state: &AppState, limit: i64, resting: &[String]) -> Result<Vec<OrderId>> {
    let mut conn = state.db.acquire().await?;
    Ok(repo::overdue(&mut conn, state.clock.now(), limit, resting).await?)
}

/// The reservation job's work for one order: cancel it if it is still unpaid (its
/// PaymentIntent first), so its stock goes back on sale. Returns whether it was cancelled.
pub async fn expire_unpaid(state: &AppState, order: OrderId) -> Result<bool> {
    cancel_unpaid(
        state,
        order,
        OrderEventKind::Expired,
        "Not paid within the time we hold stock; the items went back on sale.",
        None,
    )
    .await
}

/// A fulfilment step by an admin: packed, shipped (with tracking number) or delivered.
pub async fn advance(
    state: &AppState,
    order: OrderId,
    to: OrderStatus,
    tracking_number: Option<&str>,
    by: Actor,
) -> Result<OrderStatus> {
    let actor = by.user;
    let (action, kind) = match to {
        OrderStatus::Packed => (Action::OrderPacked, OrderEventKind::Packed),
        OrderStatus::Shipped => (Action::OrderShipped, OrderEventKind::Shipped),
        OrderStatus::Delivered => (Action::OrderDelivered, OrderEventKind::Delivered),
        OrderStatus::PendingPayment
        | OrderStatus::Paid
        | OrderStatus::Cancelled
        | OrderStatus::Refunded => {
            return Err(AppError::invalid("Choose packed, shipped or delivered.").into());
        }
    };
    let tracking = if to == OrderStatus::Shipped {
        Some(parse_tracking_number(tracking_number.unwrap_or_default())?)
    } else {
        None
    };
    let mut tx = state.db.begin().await?;
    let locked = repo::lock(&mut tx, order)
        .await?
        .ok_or(AppError::NotFound)?;
    if !matches!(
        to,
        OrderStatus::Packed | OrderStatus::Shipped | OrderStatus::Delivered
    ) || !locked.status.may_become(to)
    {
        return Err(AppError::invalid(format!(
            "An order that is {} can't be marked {}.",
            locked.status.label().to_lowercase(),
            to.label().to_lowercase()
        ))
        .into());
    }
    repo::set_status(&mut tx, order, locked.status, to).await?;
    let detail = match &tracking {
        Some(number) => {
            repo::set_tracking(&mut tx, order, number).await?;
            format!("{} tracking number {number}", locked.carrier)
        }
        None => String::new(),
    };
    repo::record(
        &mut tx,
        order,
        &NewEvent {
            kind,
            status: to,
            detail: &detail,
            amount: None,
            actor: Some(actor),
        },
    )
    .await?;
    if to == OrderStatus::Shipped {
        queue_email(state, &mut tx, order, emails::shipped).await?;
    }
    let entry = by.entry(
        action,
        order.0,
        serde_json::json!({ "tracking_number": tracking.as_deref().unwrap_or_default() }),
    );
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(to)
}

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

/// The order is this visitor's: their account's, or placed as a guest in this browser. Others
/// get "not found", so order ids reveal nothing.
pub async fn may_see(
    state: &AppState,
    session: &crate::accounts::session::AuthSession,
    order: OrderId,
) -> Result<()> {
    let owner = {
        let mut conn = state.db.acquire().await?;
        repo::owner(&mut conn, order).await?
    };
    let Some(owner) = owner else {
        return Err(AppError::NotFound.into());
    };
    let principal = crate::accounts::authz::principal_of(state, session).await?;
    let allowed = match (owner, principal) {
        (Some(owner), Some(p)) => owner == p.viewer.user_id,
        (None, _) => session.guest_orders().await?.contains(&order),
        (Some(_), None) => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(AppError::NotFound.into())
    }
}

/// One order for its customer.
pub async fn detail_for_customer(
    state: &AppState,
    session: &crate::accounts::session::AuthSession,
    order: OrderId,
) -> Result<OrderDetail> {
    may_see(state, session, order).await?;
    let mut conn = state.db.acquire().await?;
    Ok(repo::detail(&mut conn, order)
        .await?
        .ok_or(AppError::NotFound)?)
}

/// The visitor's orders, newest first: the account's, or a guest's from this browser.
pub async fn list_for_customer(
    state: &AppState,
    session: &crate::accounts::session::AuthSession,
    limit: i64,
    offset: i64,
) -> Result<(Vec<super::model::OrderSummary>, i64)> {
    let principal = crate::accounts::authz::principal_of(state, session).await?;
    let guest_orders;
    let scope = match &principal {
        Some(p) => repo::Scope::User(p.viewer.user_id),
        None => {
            guest_orders = session.guest_orders().await?;
            if guest_orders.is_empty() {
                return Ok((Vec::new(), 0));
            }
            repo::Scope::Ids(&guest_orders)
        }
    };
    let mut conn = state.db.acquire().await?;
    Ok(repo::list(&mut conn, scope, limit, offset).await?)
}

/// After sign-in, orders placed as a guest in this browser join the account.
pub async fn adopt_guest_orders(
    state: &AppState,
    session: &crate::accounts::session::AuthSession,
    user: UserId,
) -> Result<()> {
    let orders = session.take_guest_orders().await?;
    if !orders.is_empty() {
        let mut conn = state.db.acquire().await?;
        repo::adopt(&mut conn, &orders, user).await?;
    }
    Ok(())
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
