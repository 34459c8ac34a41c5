//! Subscription queries. Each takes a connection; the caller owns any transaction.

use super::model::{
    ADMIN_PER_PAGE, AdminSubscriptionRow, RenewalLine, RenewalStatus, Schedule, SizeOption,
    SubscriptionEvent, SubscriptionEventKind, SubscriptionStatus, UnitsDue,
};
use crate::accounts::repo::reveal_email;
use crate::catalog::model::{Cadence, SubscribeOffer};
use crate::ids::{OrderId, SubscriptionId, UserId, VariantId};
use crate::money::Money;
use crate::orders::repo::ShipTo;
use crate::vault::{Sealed, Vault, VaultError};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use std::collections::HashMap;

/// The lines of a paid order that start subscriptions: (variant, quantity, every, unit price
/// charged, discount of the rule that offered it).
pub struct StartingLine {
    pub variant: VariantId,
    pub quantity: i32,
    pub every: Cadence,
    pub unit_price: Money,
    pub discount_bp: i32,
}

pub async fn starting_lines(
    conn: &mut PgConnection,
    order: OrderId,
) -> Result<Vec<StartingLine>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"
        SELECT ol.variant_id AS "variant: VariantId", ol.quantity, ol.every_months AS "every!",
               ol.unit_price_minor, o.currency,
               COALESCE(subscribe_discount_bp(v.product_id), 0) AS "discount_bp!"
        FROM order_lines ol
        JOIN orders o ON o.order_id = ol.order_id
        JOIN variants v ON v.variant_id = ol.variant_id
        WHERE ol.order_id = $1 AND ol.every_months IS NOT NULL AND o.subscription_id IS NULL
        ORDER BY ol.line_number
        "#,
        order.0
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(StartingLine {
                variant: r.variant,
                quantity: r.quantity,
                every: cadence(r.every)?,
                unit_price: money(r.unit_price_minor, &r.currency)?,
                discount_bp: r.discount_bp,
            })
        })
        .collect()
}

/// Who a new subscription belongs to and how it is delivered and paid.
pub struct NewSubscription<'a> {
    pub id: SubscriptionId,
    pub user: UserId,
    pub order: OrderId,
    pub line: &'a StartingLine,
    pub next_renewal_on: NaiveDate,
    pub stripe_customer: &'a str,
    pub payment_method: &'a str,
}

/// Start a subscription from its order's line, copying the order's address and shipping
/// method. `false` when that line already started one (a repeated payment event).
pub async fn insert(
    conn: &mut PgConnection,
    vault: &Vault,
    s: &NewSubscription<'_>,
) -> Result<bool, VaultError> {
    let Some(buyer) = sqlx::query!(
        r#"SELECT sealed_by(COALESCE(user_id, order_id), buyer_sealed) AS "buyer!: Sealed"
             FROM orders WHERE order_id = $1"#,
        s.order.0
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(false);
    };
    let ship_to = crate::orders::repo::reveal_buyer(vault, s.order, &buyer.buyer)?.ship_to;
    let done = sqlx::query!(
        r#"
        INSERT INTO subscriptions (
            subscription_id, user_id, origin_order_id, variant_id, quantity, every_months,
            next_renewal_on, locked_unit_price_minor, currency, discount_bp, ship_country,
            shipping_method, stripe_customer, payment_method)
        SELECT $1, $2, o.order_id, $4, $5, $6, $7, $8, o.currency, $9, o.ship_country,
               o.shipping_method, $10, $11
        FROM orders o WHERE o.order_id = $3
        ON CONFLICT (origin_order_id, variant_id) DO NOTHING
        "#,
        s.id.0,
        s.user.0,
        s.order.0,
        s.line.variant.0,
        s.line.quantity,
        i16::from(s.line.every.months()),
        s.next_renewal_on,
        s.line.unit_price.minor(),
        s.line.discount_bp,
        s.stripe_customer,
        s.payment_method,
    )
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    seal_ship_to(conn, vault, s.id, s.user, &ship_to).await?;
    Ok(true)
}

/// The context a subscription's delivery address is sealed in.
fn ship_to_context(id: SubscriptionId) -> String {
    format!("subscription:{id}:ship-to")
}

/// Seal where `id` (`user`'s) delivers, with their key, emptying any clear columns.
async fn seal_ship_to(
    conn: &mut PgConnection,
    vault: &Vault,
    id: SubscriptionId,
    user: UserId,
    ship_to: &ShipTo,
) -> Result<(), VaultError> {
    let sealed = vault
        .seal_json(&mut *conn, user, &ship_to_context(id), ship_to)
        .await?;
    sqlx::query!(
        "UPDATE subscriptions
            SET ship_to_sealed = $2, ship_name = NULL, ship_line1 = NULL, ship_line2 = NULL,
                ship_postal_code = NULL, ship_city = NULL
          WHERE subscription_id = $1",
        id.0,
        sealed
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Where a subscription delivers, as a query read it
/// (`sealed_by(user_id, ship_to_sealed)`), opened; an erased owner's reads as erased.
pub fn reveal_ship_to(
    vault: &Vault,
    id: SubscriptionId,
    sealed: &Sealed,
) -> Result<ShipTo, VaultError> {
    Ok(vault
        .reveal_json(&ship_to_context(id), sealed)?
        .unwrap_or_else(ShipTo::erased))
}

/// Seal the delivery addresses an older version kept in the clear; how many subscriptions.
pub async fn seal_clear_ship_tos(
    conn: &mut PgConnection,
    vault: &Vault,
) -> Result<u64, VaultError> {
    crate::vault::seal_clear_rows(
        conn,
        vault,
        |conn| {
            Box::pin(async move {
                Ok(sqlx::query!(
                    r#"SELECT subscription_id AS "id: SubscriptionId", user_id AS "user: UserId",
                              jsonb_build_object(
                                  'name', ship_name, 'line1', COALESCE(ship_line1, ''),
                                  'line2', COALESCE(ship_line2, ''),
                                  'postal_code', COALESCE(ship_postal_code, ''),
                                  'city', COALESCE(ship_city, '')
                              ) AS "ship_to!: sqlx::types::Json<ShipTo>"
                         FROM subscriptions WHERE ship_name IS NOT NULL
                        ORDER BY subscription_id LIMIT 200"#
                )
                .fetch_all(conn)
                .await?)
            })
        },
        |tx, vault, row| {
            Box::pin(async move { seal_ship_to(tx, vault, row.id, row.user, &row.ship_to).await })
        },
    )
    .await
}

/// A subscription with what the account page, its rules and its renewals need.
pub struct Row {
    pub id: SubscriptionId,
    pub user: UserId,
    pub variant: VariantId,
    pub sku: String,
    pub variant_label: String,
    pub product_name: String,
    pub product_slug: String,
    /// The product is still on sale.
    pub on_sale: bool,
    pub schedule: Schedule,
    pub locked_unit_price: Money,
    /// Today's list price and subscribe offer, for renewals past the price lock.
    pub list_price: Money,
    pub offer: Option<SubscribeOffer>,
    pub address: crate::orders::model::Address,
    pub shipping_method: String,
    pub stripe_customer: String,
    pub payment_method: String,
    pub cancel_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

fn money(minor: i64, currency: &str) -> Result<Money, sqlx::Error> {
    Money::from_parts(minor, currency).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

fn cadence(every_months: i16) -> Result<Cadence, sqlx::Error> {
    Cadence::every(i64::from(every_months))
        .ok_or_else(|| sqlx::Error::Decode("every_months out of range".into()))
}

/// A schedule from its columns; `dates` is (next renewal, paused until).
fn schedule(
    status: SubscriptionStatus,
    every_months: i16,
    quantity: i32,
    dates: (NaiveDate, Option<NaiveDate>),
    renewals_done: i32,
) -> Result<Schedule, sqlx::Error> {
    Ok(Schedule {
        status,
        every: cadence(every_months)?,
        quantity,
        next_renewal_on: dates.0,
        paused_until: dates.1,
        renewals_done: u32::try_from(renewals_done).unwrap_or(0),
    })
}

/// Subscriptions of `user` (all of them, or only `only`), or subscription `only` whoever's it
/// is: live ones first, then newest first.
async fn rows(
    conn: &mut PgConnection,
    vault: &Vault,
    user: Option<UserId>,
    only: Option<SubscriptionId>,
) -> Result<Vec<Row>, VaultError> {
    let rows = sqlx::query!(
        r#"
        SELECT s.subscription_id AS "id: SubscriptionId", s.user_id AS "user: UserId",
               s.variant_id AS "variant: VariantId", v.sku, v.label,
               p.name, p.slug, p.published_at IS NOT NULL AS "on_sale!",
               s.status AS "status: SubscriptionStatus", s.every_months, s.quantity,
               s.next_renewal_on, s.paused_until, s.renewals_done,
               s.locked_unit_price_minor, s.currency, v.price_minor, v.currency AS list_currency,
               subscribe_discount_bp(p.product_id) AS "offer_bp",
               sealed_by(s.user_id, s.ship_to_sealed) AS "ship_to!: Sealed",
               s.ship_country, s.shipping_method, s.stripe_customer, s.payment_method,
               s.cancel_reason, s.created_at
        FROM subscriptions s
        JOIN variants v ON v.variant_id = s.variant_id
        JOIN products p ON p.product_id = v.product_id
        WHERE ($1::uuid IS NULL OR s.user_id = $1)
          AND ($2::uuid IS NULL OR s.subscription_id = $2)
        ORDER BY s.status = 'cancelled', s.created_at DESC, s.subscription_id
        "#,
        user.map(|u| u.0),
        only.map(|id| id.0)
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Row {
                id: r.id,
                user: r.user,
                variant: r.variant,
                sku: r.sku,
                variant_label: r.label,
                product_name: r.name,
                product_slug: r.slug,
                on_sale: r.on_sale,
                schedule: schedule(
                    r.status,
                    r.every_months,
                    r.quantity,
                    (r.next_renewal_on, r.paused_until),
                    r.renewals_done,
                )?,
                locked_unit_price: money(r.locked_unit_price_minor, &r.currency)?,
                list_price: money(r.price_minor, &r.list_currency)?,
                offer: r.offer_bp.and_then(SubscribeOffer::from_bp),
                address: reveal_ship_to(vault, r.id, &r.ship_to)?.in_country(r.ship_country),
                shipping_method: r.shipping_method,
                stripe_customer: r.stripe_customer,
                payment_method: r.payment_method,
                cancel_reason: r.cancel_reason,
                created_at: r.created_at,
            })
        })
        .collect()
}

/// The user's subscriptions: live ones first, then newest first.
pub async fn of_user(
    conn: &mut PgConnection,
    vault: &Vault,
    user: UserId,
) -> Result<Vec<Row>, VaultError> {
    rows(conn, vault, Some(user), None).await
}

/// One of the user's subscriptions, locked until the transaction ends.
pub async fn lock(
    conn: &mut PgConnection,
    vault: &Vault,
    id: SubscriptionId,
    user: UserId,
) -> Result<Option<Row>, VaultError> {
    let found = sqlx::query_scalar!(
        "SELECT subscription_id FROM subscriptions WHERE subscription_id = $1 AND user_id = $2 FOR UPDATE",
        id.0,
        user.0
    )
    .fetch_optional(&mut *conn)
    .await?;
    if found.is_none() {
        return Ok(None);
    }
    Ok(rows(conn, vault, Some(user), Some(id))
        .await?
        .into_iter()
        .next())
}

/// Write a changed schedule (and, when cancelled, the reason).
pub async fn save(
    conn: &mut PgConnection,
    id: SubscriptionId,
    schedule: &Schedule,
    cancel_reason: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        UPDATE subscriptions
        SET status = $2, every_months = $3, quantity = $4, next_renewal_on = $5,
            paused_until = $6, renewals_done = $7,
            cancel_reason = COALESCE($8, cancel_reason),
            cancelled_at = CASE WHEN $2 = 'cancelled'::subscription_status
                                THEN COALESCE(cancelled_at, now()) END
        WHERE subscription_id = $1
        "#,
        id.0,
        schedule.status as SubscriptionStatus,
        i16::from(schedule.every.months()),
        schedule.quantity,
        schedule.next_renewal_on,
        schedule.paused_until,
        i32::try_from(schedule.renewals_done).unwrap_or(i32::MAX),
        cancel_reason,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// One entry in the subscription's history.
pub async fn record(
    conn: &mut PgConnection,
    id: SubscriptionId,
    kind: SubscriptionEventKind,
    detail: &str,
    actor: Option<UserId>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"INSERT INTO subscription_events (subscription_id, kind, detail, actor)
           VALUES ($1, $2, $3, $4)"#,
        id.0,
        kind as SubscriptionEventKind,
        detail,
        actor.map(|a| a.0),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The histories of `ids`, oldest entry first.
pub async fn histories(
    conn: &mut PgConnection,
    ids: &[SubscriptionId],
) -> Result<HashMap<SubscriptionId, Vec<SubscriptionEvent>>, sqlx::Error> {
    let ids: Vec<uuid::Uuid> = ids.iter().map(|i| i.0).collect();
    let rows = sqlx::query!(
        r#"
        SELECT subscription_id AS "id: SubscriptionId", kind AS "kind: SubscriptionEventKind",
               detail, at
        FROM subscription_events WHERE subscription_id = ANY($1)
        ORDER BY event_id
        "#,
        &ids
    )
    .fetch_all(conn)
    .await?;
    let mut out: HashMap<SubscriptionId, Vec<SubscriptionEvent>> = HashMap::new();
    for r in rows {
        out.entry(r.id).or_default().push(SubscriptionEvent {
            kind: r.kind,
            detail: r.detail,
            at: r.at,
        });
    }
    Ok(out)
}

/// Subscription `id`, whoever's it is, locked until the transaction ends (for renewing it).
pub async fn lock_for_renewal(
    conn: &mut PgConnection,
    vault: &Vault,
    id: SubscriptionId,
) -> Result<Option<Row>, VaultError> {
    let found = sqlx::query_scalar!(
        "SELECT subscription_id FROM subscriptions WHERE subscription_id = $1 FOR UPDATE",
        id.0
    )
    .fetch_optional(&mut *conn)
    .await?;
    if found.is_none() {
        return Ok(None);
    }
    Ok(rows(conn, vault, None, Some(id)).await?.into_iter().next())
}

/// Subscriptions with a delivery to act on by `today`, oldest due first, leaving out `resting`:
/// active (or paused to a date that has come) and due, unless that delivery is waiting for a
/// later retry or is settled.
pub async fn due(
    conn: &mut PgConnection,
    today: NaiveDate,
    limit: i64,
    resting: &[String],
) -> Result<Vec<SubscriptionId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"
        SELECT s.subscription_id AS "id: SubscriptionId"
        FROM subscriptions s
        LEFT JOIN subscription_renewals r
               ON r.subscription_id = s.subscription_id AND r.due_on = s.next_renewal_on
        WHERE (s.status = 'active' OR (s.status = 'paused' AND s.paused_until <= $1))
          AND s.next_renewal_on <= $1
          AND (r.status IS NULL OR r.status = 'charging'
               OR (r.status IN ('retrying', 'waiting_stock') AND r.retry_on <= $1))
          AND NOT (s.subscription_id::text = ANY($3))
        ORDER BY s.next_renewal_on, s.subscription_id
        LIMIT $2
        "#,
        today,
        limit,
        resting
    )
    .fetch_all(conn)
    .await
}

/// One due delivery as the worker left it.
#[derive(Clone, Debug)]
pub struct Renewal {
    pub status: RenewalStatus,
    pub order: Option<OrderId>,
    pub attempts: i32,
    pub retry_on: Option<NaiveDate>,
    pub waiting_since: Option<NaiveDate>,
}

/// The delivery of `id` due on `due_on`, locked until the transaction ends.
pub async fn lock_renewal(
    conn: &mut PgConnection,
    id: SubscriptionId,
    due_on: NaiveDate,
) -> Result<Option<Renewal>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT status AS "status: RenewalStatus", order_id, attempts, retry_on, waiting_since
           FROM subscription_renewals WHERE subscription_id = $1 AND due_on = $2 FOR UPDATE"#,
        id.0,
        due_on
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| Renewal {
        status: r.status,
        order: r.order_id.map(OrderId),
        attempts: r.attempts,
        retry_on: r.retry_on,
        waiting_since: r.waiting_since,
    }))
}

/// Write where the delivery of `id` due on `due_on` is now.
pub async fn save_renewal(
    conn: &mut PgConnection,
    id: SubscriptionId,
    due_on: NaiveDate,
    renewal: &Renewal,
    last_error: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        INSERT INTO subscription_renewals (subscription_id, due_on, status, order_id, attempts,
                                           retry_on, waiting_since, last_error)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (subscription_id, due_on) DO UPDATE
            SET status = EXCLUDED.status, order_id = EXCLUDED.order_id,
                attempts = EXCLUDED.attempts, retry_on = EXCLUDED.retry_on,
                waiting_since = EXCLUDED.waiting_since,
                last_error = COALESCE(EXCLUDED.last_error, subscription_renewals.last_error)
        "#,
        id.0,
        due_on,
        renewal.status as RenewalStatus,
        renewal.order.map(|o| o.0),
        renewal.attempts,
        renewal.retry_on,
        renewal.waiting_since,
        last_error.map(|e| e.chars().take(500).collect::<String>()),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The subscription and delivery a renewal order is for; `None` for any other order.
pub async fn renewal_of_order(
    conn: &mut PgConnection,
    order: OrderId,
) -> Result<Option<(SubscriptionId, NaiveDate)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT subscription_id AS "id: SubscriptionId", renewal_due_on FROM orders
           WHERE order_id = $1"#,
        order.0
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.and_then(|r| r.id.zip(r.renewal_due_on)))
}

/// Renewals are charged to `payment_method` from now on.
pub async fn set_card(
    conn: &mut PgConnection,
    id: SubscriptionId,
    payment_method: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE subscriptions SET payment_method = $2 WHERE subscription_id = $1",
        id.0,
        payment_method
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The Stripe customer renewals of `id` are charged as.
pub async fn customer(
    conn: &mut PgConnection,
    id: SubscriptionId,
    user: UserId,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT stripe_customer FROM subscriptions
           WHERE subscription_id = $1 AND user_id = $2 AND status <> 'cancelled'"#,
        id.0,
        user.0
    )
    .fetch_optional(conn)
    .await
}

/// A delivery given up for want of payment is tried again on `today` (a new card came).
pub async fn retry_renewal_today(
    conn: &mut PgConnection,
    id: SubscriptionId,
    due_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"UPDATE subscription_renewals SET status = 'retrying', retry_on = $3
           WHERE subscription_id = $1 AND due_on = $2 AND status = 'failed'"#,
        id.0,
        due_on,
        today
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Subscriptions whose next delivery falls in the `days` after `today` and will be made (active,
/// or paused to a date no later than it), whose customer has not been reminded of it,
/// soonest first, leaving out `resting`.
pub async fn reminders_due(
    conn: &mut PgConnection,
    today: NaiveDate,
    days: i32,
    limit: i64,
    resting: &[String],
) -> Result<Vec<SubscriptionId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"
        SELECT s.subscription_id AS "id: SubscriptionId"
        FROM subscriptions s
        WHERE (s.status = 'active'
               OR (s.status = 'paused' AND s.paused_until <= s.next_renewal_on))
          AND s.next_renewal_on > $1
          AND s.next_renewal_on <= $1 + $2::integer
          AND NOT EXISTS (SELECT 1 FROM subscription_reminders r
                          WHERE r.subscription_id = s.subscription_id
                            AND r.due_on = s.next_renewal_on)
          AND NOT (s.subscription_id::text = ANY($4))
        ORDER BY s.next_renewal_on, s.subscription_id
        LIMIT $3
        "#,
        today,
        days,
        limit,
        resting
    )
    .fetch_all(conn)
    .await
}

/// The unit price the customer was last told of (their latest reminder since they last
/// changed the size: a size they chose comes at the price they saw choosing it), if any.
pub async fn last_reminded_price(
    conn: &mut PgConnection,
    id: SubscriptionId,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT r.unit_price_minor FROM subscription_reminders r
           WHERE r.subscription_id = $1
             AND r.sent_at > COALESCE((SELECT max(e.at) FROM subscription_events e
                                       WHERE e.subscription_id = $1
                                         AND e.kind = 'variant_swapped'), '-infinity')
           ORDER BY r.due_on DESC LIMIT 1"#,
        id.0
    )
    .fetch_optional(conn)
    .await
}

/// Note that the customer is reminded of the delivery due on `due_on` at these prices.
/// `false` when they already were.
pub async fn insert_reminder(
    conn: &mut PgConnection,
    id: SubscriptionId,
    due_on: NaiveDate,
    unit_price: Money,
    total: Option<Money>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        r#"INSERT INTO subscription_reminders (subscription_id, due_on, unit_price_minor, total_minor)
           VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING"#,
        id.0,
        due_on,
        unit_price.minor(),
        total.map(|t| t.minor()),
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The sizes each of `variants` can be swapped to: the other variants of its product, at
/// today's subscriber price, while the product is on sale and offers subscriptions.
pub async fn sizes(
    conn: &mut PgConnection,
    variants: &[VariantId],
) -> Result<HashMap<VariantId, Vec<SizeOption>>, sqlx::Error> {
    let ids: Vec<uuid::Uuid> = variants.iter().map(|v| v.0).collect();
    let rows = sqlx::query!(
        r#"
        SELECT o.variant_id AS "of: VariantId", v.variant_id AS "variant: VariantId", v.label,
               v.price_minor, v.currency, subscribe_discount_bp(p.product_id) AS "offer_bp!"
        FROM variants o
        JOIN products p ON p.product_id = o.product_id
        JOIN variants v ON v.product_id = o.product_id AND v.variant_id <> o.variant_id
        WHERE o.variant_id = ANY($1) AND p.published_at IS NOT NULL
          AND subscribe_discount_bp(p.product_id) IS NOT NULL
        ORDER BY o.variant_id, v.position
        "#,
        &ids
    )
    .fetch_all(conn)
    .await?;
    let mut out: HashMap<VariantId, Vec<SizeOption>> = HashMap::new();
    for r in rows {
        let Some(offer) = SubscribeOffer::from_bp(r.offer_bp) else {
            continue;
        };
        out.entry(r.of).or_default().push(SizeOption {
            variant: r.variant,
            label: r.label,
            unit_price: offer.price(money(r.price_minor, &r.currency)?),
        });
    }
    Ok(out)
}

/// Deliveries are `variant` from now on, at `unit_price` for the renewals the sign-up price
/// still holds for (`discount_bp` being the discount that made it).
pub async fn set_variant(
    conn: &mut PgConnection,
    id: SubscriptionId,
    variant: VariantId,
    unit_price: Money,
    discount_bp: u16,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"UPDATE subscriptions
           SET variant_id = $2, locked_unit_price_minor = $3, currency = $4, discount_bp = $5
           WHERE subscription_id = $1"#,
        id.0,
        variant.0,
        unit_price.minor(),
        unit_price.currency().code(),
        i32::from(discount_bp),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Deliveries go to `address` by `shipping_method` from now on.
pub async fn set_address(
    conn: &mut PgConnection,
    vault: &Vault,
    subscription: (SubscriptionId, UserId),
    address: &crate::orders::model::Address,
    shipping_method: &str,
) -> Result<(), VaultError> {
    let (id, user) = subscription;
    sqlx::query!(
        "UPDATE subscriptions SET ship_country = $2, shipping_method = $3
          WHERE subscription_id = $1",
        id.0,
        address.country,
        shipping_method,
    )
    .execute(&mut *conn)
    .await?;
    seal_ship_to(conn, vault, id, user, &ShipTo::of(address)).await
}

/// Whether the delivery due on `due_on` has an order whose charge is being made now.
pub async fn being_charged(
    conn: &mut PgConnection,
    id: SubscriptionId,
    due_on: NaiveDate,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM subscription_renewals
                          WHERE subscription_id = $1 AND due_on = $2 AND status = 'charging')
           AS "charging!""#,
        id.0,
        due_on
    )
    .fetch_one(conn)
    .await
}

/// The back office's list: subscriptions with `status` (any when `None`) whose next delivery
/// is on or before `due_by` (any when `None`), whose customer's email address is `email` (any
/// when empty; addresses are sealed, so found whole), soonest delivery first; one page and the
/// count of all that match.
pub async fn admin_list(
    conn: &mut PgConnection,
    vault: &Vault,
    status: Option<SubscriptionStatus>,
    due_by: Option<NaiveDate>,
    email: &str,
    page: i64,
) -> Result<(Vec<AdminSubscriptionRow>, i64), VaultError> {
    let lookup = vault.email_lookup(conn, email).await?;
    let rows = sqlx::query!(
        r#"
        SELECT s.subscription_id AS "id: SubscriptionId",
               person_email(s.user_id) AS "email!: Sealed", p.name,
               v.label, v.sku, s.quantity, s.every_months, s.status AS "status: SubscriptionStatus",
               s.next_renewal_on, s.paused_until, s.renewals_done,
               r.status AS "renewal?: RenewalStatus", count(*) OVER () AS "total!"
        FROM subscriptions s
        JOIN users u ON u.user_id = s.user_id
        JOIN variants v ON v.variant_id = s.variant_id
        JOIN products p ON p.product_id = v.product_id
        LEFT JOIN subscription_renewals r
               ON r.subscription_id = s.subscription_id AND r.due_on = s.next_renewal_on
        WHERE ($1::subscription_status IS NULL OR s.status = $1)
          AND ($2::date IS NULL OR s.next_renewal_on <= $2)
          AND ($3 = '' OR u.email_lookup = $6)
        ORDER BY s.status = 'cancelled', s.next_renewal_on, s.subscription_id
        LIMIT $4 OFFSET $5
        "#,
        status as Option<SubscriptionStatus>,
        due_by,
        email,
        ADMIN_PER_PAGE,
        (page.max(1) - 1) * ADMIN_PER_PAGE,
        lookup,
    )
    .fetch_all(conn)
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    let rows = rows
        .into_iter()
        .map(|r| {
            Ok(AdminSubscriptionRow {
                id: r.id,
                email: reveal_email(vault, &r.email)?,
                product_name: r.name,
                variant_label: r.label,
                sku: r.sku,
                quantity: r.quantity,
                every: cadence(r.every_months)?,
                status: r.status,
                next_renewal_on: r.next_renewal_on,
                paused_until: r.paused_until,
                renewals_done: r.renewals_done,
                renewal: r.renewal,
            })
        })
        .collect::<Result<Vec<_>, VaultError>>()?;
    Ok((rows, total))
}

/// Per variant, the units the deliveries due by `until` still need (those that will be made
/// and hold no stock yet), next to the free units in lots that keep past the most demanding
/// of them (its next delivery plus `margin_days`, and never before `sellable_after`). Short
/// variants first.
pub async fn units_due(
    conn: &mut PgConnection,
    until: NaiveDate,
    margin_days: i32,
    sellable_after: NaiveDate,
) -> Result<Vec<UnitsDue>, sqlx::Error> {
    sqlx::query_as!(
        UnitsDue,
        r#"
        WITH due AS (
            SELECT s.variant_id, count(*) AS deliveries, sum(s.quantity) AS units,
                   max((s.next_renewal_on + make_interval(months => s.every_months))::date
                       + $2::integer) AS lasting_beyond
            FROM subscriptions s
            WHERE (s.status = 'active'
                   OR (s.status = 'paused' AND s.paused_until <= s.next_renewal_on))
              AND s.next_renewal_on <= $1
              AND NOT EXISTS (SELECT 1 FROM subscription_renewals r
                              WHERE r.subscription_id = s.subscription_id
                                AND r.due_on = s.next_renewal_on
                                AND r.status IN ('charging', 'paid', 'skipped', 'failed'))
            GROUP BY s.variant_id
        ), supplied AS (
            SELECT d.*, COALESCE((SELECT sum(l.on_hand - l.reserved) FROM lots l
                                  WHERE l.variant_id = d.variant_id
                                    AND l.expiry_date > GREATEST(d.lasting_beyond, $3)), 0)
                        AS supply
            FROM due d
        )
        SELECT v.sku, p.name AS product_name, v.label AS variant_label,
               d.deliveries AS "deliveries!", d.units AS "units!",
               d.lasting_beyond AS "lasting_beyond!", d.supply AS "supply!"
        FROM supplied d
        JOIN variants v ON v.variant_id = d.variant_id
        JOIN products p ON p.product_id = v.product_id
        ORDER BY d.supply < d.units DESC, p.name, v.position
        "#,
        until,
        margin_days,
        sellable_after,
    )
    .fetch_all(conn)
    .await
}

/// The deliveries of `id`, newest first, with their latest order's reference.
pub async fn renewal_lines(
    conn: &mut PgConnection,
    id: SubscriptionId,
) -> Result<Vec<RenewalLine>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"
        SELECT r.due_on, r.status AS "status: RenewalStatus", r.attempts, r.retry_on,
               r.last_error, r.order_id AS "order: OrderId", o.order_number AS "number?"
        FROM subscription_renewals r
        LEFT JOIN orders o ON o.order_id = r.order_id
        WHERE r.subscription_id = $1
        ORDER BY r.due_on DESC
        "#,
        id.0
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| RenewalLine {
            due_on: r.due_on,
            status: r.status,
            attempts: r.attempts,
            retry_on: r.retry_on,
            last_error: r.last_error,
            order: r
                .order
                .zip(r.number)
                .map(|(id, n)| (id, crate::orders::model::order_reference(n))),
        })
        .collect())
}

/// Subscription `id`, whoever's it is (for the back office).
pub async fn one(
    conn: &mut PgConnection,
    vault: &Vault,
    id: SubscriptionId,
) -> Result<Option<Row>, VaultError> {
    Ok(rows(conn, vault, None, Some(id)).await?.into_iter().next())
}
