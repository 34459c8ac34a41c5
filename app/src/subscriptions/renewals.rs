//! Renewing a subscription: the worker's work for one due delivery.
//!
//! 1. Under the subscription's lock: hold stock first expiry first out among lots that keep
//!    until the next delivery and a month more, price the delivery as checkout would (the
//!    sign-up price for the first three renewals, then the catalog's), and place its order, or
//!    — stock short — wait a day (seven at most, then skip this delivery and say so).
//! 2. With no transaction open: charge the saved card off-session under a key naming the
//!    subscription, the delivery and the attempt, and book the payment as any order's.
//! 3. The booking's transaction finishes the renewal ([`finish`], a `WhenPaid` step): the
//!    delivery is paid and the subscription moves on to the next, once, whoever booked it (this
//!    worker, a webhook, or the customer confirming on-session).
//!
//! A decline is retried 1, 3 and 5 days later, with a notice (and email) each time; a bank
//! that wants the customer present leaves the order for them to pay on its page. After the
//! last failure the subscription waits for a new card ("payment needed").
//!
//! Exactly once: the subscription row lock serialises workers; the renewal row remembers the
//! order and the attempt, so a worker killed after placing or charging resumes with the same
//! order and the same Stripe key; and the database allows one live order per delivery.
//!
//! Lock order: booking a payment locks the order, then the subscription, then the renewal row.
//! Step 1 holds the subscription and only reads an order it placed earlier, never locks it.

use super::model::{
    RenewalStatus, SubscriptionEventKind, SubscriptionStatus, add_cadence, long_date,
    renewal_unit_price,
};
use super::repo::{self, Renewal, Row};
use crate::checkout::service::{Buying, DeliveryRules, Item, Origin, PricedDelivery, write_order};
use crate::error::{AppError, ServiceError};
use crate::ids::{OrderId, SubscriptionId};
use crate::inventory::repo as inventory;
use crate::money::Money;
use crate::notifications::model::{Notice, NotificationKind};
use crate::notifications::repo::notify;
use crate::orders::hooks::PaidOrder;
use crate::orders::model::{OrderEventKind, OrderStatus};
use crate::orders::repo::{self as orders, NewEvent, Sold};
use crate::state::AppState;
use chrono::{NaiveDate, TimeDelta};
use payments::{NewIntent, PaymentsError};
use sqlx::PgConnection;

type Result<T> = std::result::Result<T, ServiceError>;

/// Days after the first decline on which the charge is tried again.
pub const RETRY_AFTER_DAYS: [i64; 3] = [1, 3, 5];

/// Days a delivery waits for stock before it is skipped.
pub const STOCK_WAIT_DAYS: i64 = 7;

/// A delivery ships lots that keep this long past the next delivery.
pub const SHELF_LIFE_MARGIN_DAYS: i64 = 30;

/// How long a renewal order holds its stock while its charge is made.
const HOLD: TimeDelta = TimeDelta::hours(1);

/// Subscriptions with a delivery to act on today, for the renewal job.
pub async fn due(state: &AppState, limit: i64, resting: &[String]) -> Result<Vec<SubscriptionId>> {
    let mut conn = state.db.acquire().await?;
    Ok(repo::due(&mut conn, state.clock.today(), limit, resting).await?)
}

/// One charge of a renewal order: the delivery it is for and the attempt it is.
struct Attempt {
    id: SubscriptionId,
    order: OrderId,
    due_on: NaiveDate,
    attempt: i32,
    total: Money,
    customer: String,
    payment_method: String,
}

/// What step 1 decided.
enum Next {
    /// Nothing to do now (not due, not active, or waiting).
    Rest,
    Charge(Attempt),
    /// Cancel the previous attempt's unpaid order, then look again.
    Replace(OrderId),
}

/// The renewal job's work for one subscription. Safe to run twice at once and again after a
/// crash at any point.
#[tracing::instrument(skip_all, fields(subscription = %id))]
pub async fn renew(state: &AppState, id: SubscriptionId) -> Result<()> {
    for _ in 0..2 {
        match place(state, id).await? {
            Next::Rest => return Ok(()),
            Next::Replace(order) => {
                crate::orders::service::cancel_unpaid(
                    state,
                    order,
                    OrderEventKind::Cancelled,
                    "The renewal payment was not completed; it is tried again with a new order.",
                    None,
                )
                .await?;
            }
            Next::Charge(attempt) => return charge(state, &attempt).await,
        }
    }
    Ok(())
}

/// Step 1, in one transaction under the subscription's lock.
async fn place(state: &AppState, id: SubscriptionId) -> Result<Next> {
    let today = state.clock.today();
    let mut tx = state.db.begin().await?;
    let Some(sub) = repo::lock_for_renewal(&mut tx, &state.vault, id).await? else {
        return Ok(Next::Rest);
    };
    let schedule = sub.schedule.as_of(today);
    if schedule != sub.schedule {
        // A pause whose date has come is over: write it, so the account page agrees.
        repo::save(&mut tx, id, &schedule, None).await?;
        repo::record(
            &mut tx,
            id,
            SubscriptionEventKind::Resumed,
            "The pause ended; deliveries go on.",
            None,
        )
        .await?;
    }
    if schedule.status != SubscriptionStatus::Active || schedule.next_renewal_on > today {
        tx.commit().await?;
        return Ok(Next::Rest);
    }
    let due_on = schedule.next_renewal_on;
    let renewal = repo::lock_renewal(&mut tx, id, due_on).await?;
    let attempts = match &renewal {
        Some(r) if r.status == RenewalStatus::Charging => {
            let Some(order) = r.order else {
                return Err(ServiceError::Internal(
                    "renewing a subscription",
                    "a charging renewal without its order".into(),
                ));
            };
            // Read, not locked: booking a payment locks the order and then this subscription.
            let (status, total) = orders::status_and_total(&mut tx, order)
                .await?
                .ok_or(AppError::NotFound)?;
            tx.commit().await?;
            return Ok(match status {
                OrderStatus::PendingPayment => Next::Charge(Attempt {
                    id,
                    order,
                    due_on,
                    attempt: r.attempts,
                    total,
                    customer: sub.stripe_customer,
                    payment_method: sub.payment_method,
                }),
                // Paid: the booking finished the renewal (or will, in its transaction).
                OrderStatus::Paid
                | OrderStatus::Packed
                | OrderStatus::Shipped
                | OrderStatus::Delivered
                | OrderStatus::Refunded => Next::Rest,
                // Its hold ran out before the charge: place the delivery again.
                OrderStatus::Cancelled => {
                    let mut tx = state.db.begin().await?;
                    let again = Renewal {
                        status: RenewalStatus::Retrying,
                        retry_on: Some(today),
                        ..r.clone()
                    };
                    repo::save_renewal(&mut tx, id, due_on, &again, None).await?;
                    tx.commit().await?;
                    Next::Rest
                }
            });
        }
        Some(r)
            if matches!(
                r.status,
                RenewalStatus::Paid | RenewalStatus::Skipped | RenewalStatus::Failed
            ) =>
        {
            tx.commit().await?;
            return Ok(Next::Rest);
        }
        Some(r) if r.retry_on.is_some_and(|d| d > today) => {
            tx.commit().await?;
            return Ok(Next::Rest);
        }
        Some(r) => {
            // A retry after a decline: the previous attempt's order must be gone first.
            if let Some(order) = r.order {
                let live = orders::status_and_total(&mut tx, order)
                    .await?
                    .is_some_and(|(status, _)| status != OrderStatus::Cancelled);
                if live {
                    tx.commit().await?;
                    return Ok(Next::Replace(order));
                }
            }
            r.attempts
        }
        None => 0,
    };

    let lasting_beyond =
        add_cadence(today, schedule.every) + TimeDelta::days(SHELF_LIFE_MARGIN_DAYS);
    let order = OrderId(uuid::Uuid::now_v7());
    let unit = renewal_unit_price(
        schedule.next_renewal_number(),
        sub.locked_unit_price,
        sub.list_price,
        sub.offer,
    );
    let quantity = schedule.quantity.unsigned_abs();
    let delivery = price_next(&mut tx, &sub, unit, quantity, state.clock.now()).await?;
    let email = crate::accounts::repo::email_of(&mut tx, &state.vault, sub.user).await?;
    write_order(
        &mut tx,
        &state.vault,
        &Buying {
            order,
            user: Some(sub.user),
            email: &email,
            address: &sub.address,
            discount_code: None,
            reserved_until: state.clock.now() + HOLD,
            from: Origin::Renewal(id, due_on),
        },
        &delivery,
        &[Sold {
            variant: sub.variant,
            sku: &sub.sku,
            product_name: &sub.product_name,
            variant_label: &sub.variant_label,
            unit_price: unit,
            quantity: schedule.quantity,
            every: Some(schedule.every),
            list_price: sub.list_price,
        }],
    )
    .await?;
    let held = if sub.on_sale {
        inventory::reserve_lasting(
            &mut tx,
            order,
            sub.variant,
            i64::from(schedule.quantity),
            today,
            lasting_beyond,
        )
        .await?
        .is_ok()
    } else {
        false
    };
    if !held {
        // Dropping the transaction undoes the order; waiting (or skipping) is written anew.
        drop(tx);
        wait_for_stock(state, &sub, due_on, renewal, attempts).await?;
        return Ok(Next::Rest);
    }
    orders::record(
        &mut tx,
        order,
        &NewEvent {
            kind: OrderEventKind::Placed,
            status: OrderStatus::PendingPayment,
            detail: &format!(
                "Renewal of your subscription (delivery due {}); charged to your saved card.",
                long_date(due_on)
            ),
            amount: Some(delivery.quote.total.minor()),
            actor: None,
        },
    )
    .await?;
    let attempt = attempts + 1;
    repo::save_renewal(
        &mut tx,
        id,
        due_on,
        &Renewal {
            status: RenewalStatus::Charging,
            order: Some(order),
            attempts: attempt,
            retry_on: None,
            waiting_since: renewal.and_then(|r| r.waiting_since),
        },
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(Next::Charge(Attempt {
        id,
        order,
        due_on,
        attempt,
        total: delivery.quote.total,
        customer: sub.stripe_customer,
        payment_method: sub.payment_method,
    }))
}

/// `quantity` of `sub`'s variant at `unit` each, delivered to its address by its method, priced
/// as checkout prices (shipping, VAT).
pub(super) async fn price_next(
    conn: &mut PgConnection,
    sub: &Row,
    unit: Money,
    quantity: u32,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<PricedDelivery> {
    let items = [Item {
        variant: sub.variant,
        unit_price: unit,
        quantity,
    }];
    DeliveryRules::for_items(conn, &sub.address.country, &items)
        .await?
        .price(
            &items,
            &sub.address.country,
            &sub.shipping_method,
            None,
            0,
            now,
        )
}

/// Not enough lasting stock: wait a day and tell the customer (once), or after
/// [`STOCK_WAIT_DAYS`] skip this delivery.
async fn wait_for_stock(
    state: &AppState,
    sub: &Row,
    due_on: NaiveDate,
    renewal: Option<Renewal>,
    attempts: i32,
) -> Result<()> {
    let today = state.clock.today();
    let mut tx = state.db.begin().await?;
    // Locked again: the transaction that looked was dropped with its order.
    if repo::lock_for_renewal(&mut tx, &state.vault, sub.id)
        .await?
        .is_none()
    {
        return Ok(());
    }
    let since = renewal.as_ref().and_then(|r| r.waiting_since);
    let what = format!("{} ({})", sub.product_name, sub.variant_label);
    let link = "/account/subscriptions".to_owned();
    match since {
        Some(since) if today >= since + TimeDelta::days(STOCK_WAIT_DAYS) => {
            let schedule = sub.schedule.as_of(today);
            let next = add_cadence(due_on, schedule.every);
            let moved = super::model::Schedule {
                next_renewal_on: next,
                ..schedule
            };
            repo::save(&mut tx, sub.id, &moved, None).await?;
            let detail = format!(
                "{what} was out of stock for {STOCK_WAIT_DAYS} days, so the delivery due {} is skipped; the next one is on {}.",
                long_date(due_on),
                long_date(next)
            );
            repo::record(
                &mut tx,
                sub.id,
                SubscriptionEventKind::SkippedOutOfStock,
                &detail,
                None,
            )
            .await?;
            repo::save_renewal(
                &mut tx,
                sub.id,
                due_on,
                &Renewal {
                    status: RenewalStatus::Skipped,
                    order: renewal.and_then(|r| r.order),
                    attempts,
                    retry_on: None,
                    waiting_since: Some(since),
                },
                Some("out of stock"),
            )
            .await?;
            let notice = Notice {
                mentions: Vec::new(),
                kind: NotificationKind::RenewalSkipped,
                title: "A delivery was skipped".to_owned(),
                body: format!("{detail} Nothing was charged."),
                link,
            };
            notify(&mut tx, &[sub.user], &notice).await?;
        }
        first_or_later => {
            let since = first_or_later.unwrap_or(today);
            if first_or_later.is_none() {
                let detail = format!(
                    "{what} is out of stock with the shelf life your delivery needs. We try again every day until {}; nothing is charged until it ships.",
                    long_date(since + TimeDelta::days(STOCK_WAIT_DAYS))
                );
                repo::record(
                    &mut tx,
                    sub.id,
                    SubscriptionEventKind::WaitingForStock,
                    &detail,
                    None,
                )
                .await?;
                let notice = Notice {
                    mentions: Vec::new(),
                    kind: NotificationKind::RenewalWaiting,
                    title: "Your delivery waits for stock".to_owned(),
                    body: detail,
                    link,
                };
                notify(&mut tx, &[sub.user], &notice).await?;
            }
            repo::save_renewal(
                &mut tx,
                sub.id,
                due_on,
                &Renewal {
                    status: RenewalStatus::WaitingStock,
                    order: renewal.and_then(|r| r.order),
                    attempts,
                    retry_on: Some(today + TimeDelta::days(1)),
                    waiting_since: Some(since),
                },
                Some("out of stock"),
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Step 2: charge the saved card for the attempt's order, with no transaction open, and book
/// the result.
async fn charge(state: &AppState, attempt: &Attempt) -> Result<()> {
    let Attempt {
        id,
        order,
        due_on,
        attempt: number,
        total,
        ref customer,
        ref payment_method,
    } = *attempt;
    let key = format!("renewal-{id}-{due_on}-{number}");
    let (order_text, subscription_text) = (order.to_string(), id.to_string());
    let description = format!("Olivine subscription delivery due {due_on}");
    let charged = state
        .payments
        .charge_saved_card(
            &NewIntent {
                idempotency_key: &key,
                amount_minor: total.minor(),
                currency: total.currency().code(),
                description: &description,
                receipt_email: None,
                metadata: &[
                    ("order_id", &order_text),
                    ("subscription_id", &subscription_text),
                ],
                manual_capture: false,
                customer: Some(customer),
                transfer_group: None,
            },
            payment_method,
        )
        .await;
    match charged {
        Ok(intent) => {
            {
                let mut conn = state.db.acquire().await?;
                orders::set_payment_intent(&mut conn, order, &intent.id).await?;
            }
            // Books the order paid; its transaction finishes the renewal (`finish`).
            crate::orders::service::apply_intent(state, &intent).await?;
            Ok(())
        }
        Err(PaymentsError::Refused {
            code,
            decline_code,
            message,
        }) => {
            tracing::info!(?code, ?decline_code, "renewal charge declined");
            declined(state, attempt, code.as_deref(), &message).await
        }
        // Stripe unreachable (or anything else): the job tries again with the same key.
        Err(other) => Err(other.into()),
    }
}

/// A declined attempt: schedule the next one (or give up) and tell the customer. A bank that
/// wants the customer present leaves the order awaiting payment on its page until the retry.
async fn declined(
    state: &AppState,
    attempt: &Attempt,
    code: Option<&str>,
    message: &str,
) -> Result<()> {
    let Attempt {
        id,
        order,
        due_on,
        attempt,
        ..
    } = *attempt;
    let today = state.clock.today();
    let on_session = code == Some("authentication_required");
    let retry_after = usize::try_from(attempt - 1)
        .ok()
        .and_then(|i| RETRY_AFTER_DAYS.get(i))
        .copied();
    let mut tx = state.db.begin().await?;
    let Some(sub) = repo::lock_for_renewal(&mut tx, &state.vault, id).await? else {
        return Ok(());
    };
    let current = repo::lock_renewal(&mut tx, id, due_on).await?;
    if current
        .as_ref()
        .is_none_or(|r| r.attempts != attempt || r.status != RenewalStatus::Charging)
    {
        // Another run already booked this attempt.
        return Ok(());
    }
    let what = format!("{} ({})", sub.product_name, sub.variant_label);
    match retry_after {
        Some(days) => {
            let retry_on = (due_on + TimeDelta::days(days)).max(today + TimeDelta::days(1));
            repo::save_renewal(
                &mut tx,
                id,
                due_on,
                &Renewal {
                    status: RenewalStatus::Retrying,
                    order: Some(order),
                    attempts: attempt,
                    retry_on: Some(retry_on),
                    waiting_since: current.and_then(|r| r.waiting_since),
                },
                Some(message),
            )
            .await?;
            let detail = format!(
                "The payment for your delivery of {what} did not go through ({message}). We try again on {}.",
                long_date(retry_on)
            );
            repo::record(
                &mut tx,
                id,
                SubscriptionEventKind::PaymentFailed,
                &detail,
                None,
            )
            .await?;
            let notice = if on_session {
                let until = retry_on.and_time(chrono::NaiveTime::MIN).and_utc();
                orders::extend_hold(&mut tx, order, until).await?;
                Notice {
                    mentions: Vec::new(),
                    kind: NotificationKind::RenewalNeedsConfirmation,
                    title: "Confirm your subscription payment".to_owned(),
                    body: format!(
                        "Your bank wants to confirm the payment for your delivery of {what}. Open the order to pay it; otherwise we try again on {}.",
                        long_date(retry_on)
                    ),
                    link: format!("/orders/{order}"),
                }
            } else {
                Notice {
                    mentions: Vec::new(),
                    kind: NotificationKind::RenewalPaymentFailed,
                    title: "Your subscription payment failed".to_owned(),
                    body: format!(
                        "{detail} Check the card with your bank, or see your subscriptions."
                    ),
                    link: "/account/subscriptions".to_owned(),
                }
            };
            notify(&mut tx, &[sub.user], &notice).await?;
        }
        None => {
            let held = super::model::Schedule {
                status: SubscriptionStatus::PaymentNeeded,
                paused_until: None,
                ..sub.schedule.as_of(today)
            };
            repo::save(&mut tx, id, &held, None).await?;
            repo::save_renewal(
                &mut tx,
                id,
                due_on,
                &Renewal {
                    status: RenewalStatus::Failed,
                    order: Some(order),
                    attempts: attempt,
                    retry_on: None,
                    waiting_since: current.and_then(|r| r.waiting_since),
                },
                Some(message),
            )
            .await?;
            let detail = format!(
                "The payment for your delivery of {what} failed {attempt} times ({message}). Deliveries are on hold until you update the card on your subscriptions page."
            );
            repo::record(
                &mut tx,
                id,
                SubscriptionEventKind::PaymentNeeded,
                &detail,
                None,
            )
            .await?;
            let notice = Notice {
                mentions: Vec::new(),
                kind: NotificationKind::SubscriptionPaymentNeeded,
                title: "Your subscription is on hold".to_owned(),
                body: detail,
                link: "/account/subscriptions".to_owned(),
            };
            notify(&mut tx, &[sub.user], &notice).await?;
        }
    }
    tx.commit().await?;
    if !on_session || retry_after.is_none() {
        crate::orders::service::cancel_unpaid(
            state,
            order,
            OrderEventKind::PaymentFailed,
            &format!("The renewal payment was declined: {message}"),
            None,
        )
        .await?;
    }
    Ok(())
}

/// Step 3, in the transaction that books a renewal order paid (a `WhenPaid` step): the
/// delivery is paid and the subscription moves on to the next one. Any other order: nothing.
pub async fn finish(state: &AppState, conn: &mut PgConnection, paid: &PaidOrder) -> Result<()> {
    let Some((id, due_on)) = repo::renewal_of_order(conn, paid.order).await? else {
        return Ok(());
    };
    let Some(sub) = repo::lock_for_renewal(conn, &state.vault, id).await? else {
        return Ok(());
    };
    let renewal = repo::lock_renewal(conn, id, due_on).await?;
    if renewal
        .as_ref()
        .is_some_and(|r| r.status == RenewalStatus::Paid)
    {
        return Ok(());
    }
    let attempts = renewal.as_ref().map_or(1, |r| r.attempts);
    repo::save_renewal(
        conn,
        id,
        due_on,
        &Renewal {
            status: RenewalStatus::Paid,
            order: Some(paid.order),
            attempts,
            retry_on: None,
            waiting_since: renewal.and_then(|r| r.waiting_since),
        },
        None,
    )
    .await?;
    // The schedule moves on from this delivery (unless the customer already moved it past).
    let mut schedule = sub.schedule;
    if schedule.status == SubscriptionStatus::PaymentNeeded {
        schedule.status = SubscriptionStatus::Active;
    }
    if schedule.next_renewal_on <= due_on {
        schedule.next_renewal_on = add_cadence(due_on, schedule.every);
    }
    schedule.renewals_done = schedule.renewals_done.saturating_add(1);
    repo::save(conn, id, &schedule, None).await?;
    let detail = format!(
        "The delivery due {} is ordered and paid; the next one is on {}.",
        long_date(due_on),
        long_date(schedule.next_renewal_on)
    );
    repo::record(conn, id, SubscriptionEventKind::Renewed, &detail, None).await?;
    Ok(())
}
