//! Payment: what Stripe says about an order's PaymentIntent (from a webhook, or the shopper
//! returning from the payment form), unpaid orders given up or run out, and the stock and code
//! they hold.

use super::{Result, queue_email, record};
use crate::accounts::hooks::InTransaction;
use crate::accounts::session::AuthSession;
use crate::audit::{self, Action, Actor};
use crate::discounts::repo as discounts;
use crate::error::AppError;
use crate::ids::OrderId;
use crate::inventory::repo as inventory;
use crate::orders::emails;
use crate::orders::hooks::{PaidOrder, ReleasedOrder};
use crate::orders::model::{OrderEventKind, OrderStatus, PaymentStart};
use crate::orders::repo::{self, Locked, NewEvent, refunds};
use crate::state::AppState;
use chrono::NaiveDate;
use payments::{Intent, IntentStatus, NewIntent, PaymentsError};
use sqlx::PgConnection;

/// Give back what an unpaid order holds: its stock, then what [`let_go`] lets go.
async fn release_holds(state: &AppState, conn: &mut PgConnection, order: OrderId) -> Result<()> {
    inventory::release(conn, order).await?;
    let_go(state, conn, order).await
}

/// What an order given up unpaid holds besides stock: its discount code, and what other
/// domains hang on it (the loyalty points it spent).
async fn let_go(state: &AppState, conn: &mut PgConnection, order: OrderId) -> Result<()> {
    discounts::release_redemption(conn, order).await?;
    let released = ReleasedOrder {
        order,
        now: state.clock.now(),
    };
    InTransaction::run_all(state.when_released, state, conn, &released).await?;
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
            // Stripe names currencies in lower case ("eur").
            let currency = order.total.currency().code();
            if intent.amount_received != order.total.minor()
                || !intent.currency.eq_ignore_ascii_case(currency)
            {
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
                        intent.amount_received,
                        intent.currency,
                        order.total.minor(),
                        currency
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
                    let_go(state, &mut tx, order.id).await?;
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
                    let paid = PaidOrder {
                        order: order.id,
                        user: order.user,
                        customer: intent.customer.clone(),
                        payment_method: intent.payment_method.clone(),
                        today: state.clock.today(),
                        now: state.clock.now(),
                    };
                    InTransaction::run_all(state.when_paid, state, &mut tx, &paid).await?;
                    queue_email(state, &mut tx, order.id, emails::confirmation).await?;
                    crate::orders::notices::paid(&mut tx, &order).await?;
                }
            }
        }
        (OrderStatus::PendingPayment, IntentStatus::Canceled) => {
            release_holds(state, &mut tx, order.id).await?;
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
        (OrderStatus::Cancelled, IntentStatus::Succeeded) if order.refunded.minor() == 0 => {
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
    let inserted = refunds::record_automatic(
        &mut tx,
        order.id,
        amount,
        "Automatic: the order could not be fulfilled",
        &refund.id,
    )
    .await?;
    if inserted {
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
    release_holds(state, &mut tx, order).await?;
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

/// The order's PaymentIntent: created once, keyed by the order's id (a retry, or a second
/// request reusing the order before the first stored it, gets the same intent from Stripe),
/// or retrieved. Only for an order awaiting payment.
pub async fn payment_for(state: &AppState, order: OrderId) -> Result<PaymentStart> {
    let locked = {
        let mut conn = state.db.acquire().await?;
        repo::lock(&mut conn, order)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let total = locked.total;
    if locked.status != OrderStatus::PendingPayment {
        return Err(AppError::invalid(format!(
            "Order {} is {}; there is nothing to pay.",
            locked.reference(),
            locked.status.label().to_lowercase()
        ))
        .into());
    }
    let reference = locked.reference();
    if let Some(intent_id) = &locked.payment_intent {
        let intent = state.payments.retrieve_intent(intent_id).await?;
        return payment_start(state, order, reference, total, intent);
    }
    let order_text = order.to_string();
    let description = format!("Olivine order {reference}");
    let subscribes = {
        let mut conn = state.db.acquire().await?;
        repo::starts_subscription(&mut conn, order).await?
    };
    let email = repo::reveal_buyer(&state.vault, locked.id, &locked.buyer)?.email;
    // A subscription's first order saves the card on the shopper's Stripe customer.
    let customer = match (subscribes, locked.user) {
        (true, Some(user)) => Some(shop_customer(state, user, &email).await?),
        (true, None) | (false, _) => None,
    };
    let (customer, refused) = match customer {
        Some(Ok(customer)) => (Some(customer), None),
        Some(Err(error)) => (None, Some(error)),
        None => (None, None),
    };
    let key = format!("order-{order}");
    let new = NewIntent {
        idempotency_key: &key,
        amount_minor: total.minor(),
        currency: total.currency().code(),
        description: &description,
        receipt_email: Some(&email),
        metadata: &[("order_id", &order_text), ("order_reference", &reference)],
        manual_capture: false,
        customer: customer.as_deref(),
        transfer_group: None,
    };
    let created = match (refused, &customer) {
        (Some(error), _) => Err(error),
        (None, Some(_)) => state.payments.create_intent_saving_card(&new).await,
        (None, None) => state.payments.create_intent(&new).await,
    };
    let intent = match created {
        Ok(intent) => intent,
        Err(error) => {
            tracing::error!(%error, %order, "could not create the payment");
            cancel_unpaid(
                state,
                order,
                OrderEventKind::PaymentUnavailable,
                "The payment could not be started.",
                None,
            )
            .await?;
            return Err(AppError::invalid(
                "We couldn't start the payment, and nothing was charged. Please try again in a moment.",
            )
            .into());
        }
    };
    {
        let mut conn = state.db.acquire().await?;
        repo::set_payment_intent(&mut conn, order, &intent.id).await?;
    }
    payment_start(state, order, reference, total, intent)
}

/// The shopper's Stripe customer, made on first need (keyed by the account, so a retry or a
/// race makes the same one). The inner error is Stripe's.
async fn shop_customer(
    state: &AppState,
    user: crate::ids::UserId,
    email: &str,
) -> Result<std::result::Result<String, PaymentsError>> {
    {
        let mut conn = state.db.acquire().await?;
        if let Some(customer) = repo::customers::stripe_customer_of(&mut conn, user).await? {
            return Ok(Ok(customer));
        }
    }
    let made = match state
        .payments
        .create_customer(&format!("shop-customer-{user}"), email, None)
        .await
    {
        Ok(made) => made,
        Err(error) => return Ok(Err(error)),
    };
    let mut conn = state.db.acquire().await?;
    Ok(Ok(
        repo::customers::remember(&mut conn, user, &made.id).await?
    ))
}

fn payment_start(
    state: &AppState,
    order: OrderId,
    reference: String,
    total: crate::money::Money,
    intent: payments::Intent,
) -> Result<PaymentStart> {
    Ok(PaymentStart {
        order_id: order,
        reference,
        total,
        client_secret: intent.client_secret.ok_or(AppError::Internal)?,
        publishable_key: state.payments.publishable_key().to_owned(),
        stripe_js: state.payments.stripe_js().to_owned(),
    })
}

/// Pay (again) for an order awaiting payment that this shopper placed: after a decline, or
/// when the payment page is reloaded.
pub async fn resume(
    state: &AppState,
    session: &AuthSession,
    order: OrderId,
) -> Result<PaymentStart> {
    super::may_see(state, session, order).await?;
    payment_for(state, order).await
}
