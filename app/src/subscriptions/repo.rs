//! Subscription queries. Each takes a connection; the caller owns any transaction.

use super::model::{Schedule, SubscriptionEvent, SubscriptionEventKind, SubscriptionStatus};
use crate::catalog::model::{Cadence, SubscribeOffer};
use crate::ids::{OrderId, SubscriptionId, UserId, VariantId};
use crate::money::Money;
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
               COALESCE((SELECT d.discount_bp FROM subscribe_discounts d
                         WHERE d.product_id = v.product_id),
                        (SELECT d.discount_bp FROM subscribe_discounts d
                         JOIN products p ON p.category_id = d.category_id
                         WHERE p.product_id = v.product_id), 0) AS "discount_bp!"
        FROM order_lines ol
        JOIN orders o ON o.order_id = ol.order_id
        JOIN variants v ON v.variant_id = ol.variant_id
        WHERE ol.order_id = $1 AND ol.every_months IS NOT NULL
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
                every: Cadence::every(i64::from(r.every))
                    .ok_or_else(|| sqlx::Error::Decode("every_months out of range".into()))?,
                unit_price: Money::from_parts(r.unit_price_minor, &r.currency)
                    .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
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
pub async fn insert(conn: &mut PgConnection, s: &NewSubscription<'_>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        r#"
        INSERT INTO subscriptions (
            subscription_id, user_id, origin_order_id, variant_id, quantity, every_months,
            next_renewal_on, locked_unit_price_minor, currency, discount_bp,
            ship_name, ship_line1, ship_line2, ship_postal_code, ship_city, ship_country,
            shipping_method, stripe_customer, payment_method)
        SELECT $1, $2, o.order_id, $4, $5, $6, $7, $8, o.currency, $9,
               o.ship_name, o.ship_line1, o.ship_line2, o.ship_postal_code, o.ship_city,
               o.ship_country, o.shipping_method, $10, $11
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
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A subscription with what the account page and its rules need.
pub struct Row {
    pub id: SubscriptionId,
    pub user: UserId,
    pub variant: VariantId,
    pub sku: String,
    pub variant_label: String,
    pub product_name: String,
    pub product_slug: String,
    pub schedule: Schedule,
    pub locked_unit_price: Money,
    /// Today's list price and subscribe offer, for renewals past the price lock.
    pub list_price: Money,
    pub offer: Option<SubscribeOffer>,
    pub ship_name: String,
    pub ship_city: String,
    pub ship_country: String,
    pub shipping_method: String,
    pub cancel_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Subscriptions of `user` (all, or only `only`): live ones first, then newest first.
async fn rows(
    conn: &mut PgConnection,
    user: UserId,
    only: Option<SubscriptionId>,
) -> Result<Vec<Row>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"
        SELECT s.subscription_id AS "id: SubscriptionId", s.user_id AS "user: UserId",
               s.variant_id AS "variant: VariantId", v.sku, v.label, p.name, p.slug,
               s.status AS "status: SubscriptionStatus", s.every_months, s.quantity,
               s.next_renewal_on, s.paused_until, s.renewals_done,
               s.locked_unit_price_minor, s.currency, v.price_minor, v.currency AS list_currency,
               COALESCE((SELECT d.discount_bp FROM subscribe_discounts d
                         WHERE d.product_id = p.product_id),
                        (SELECT d.discount_bp FROM subscribe_discounts d
                         WHERE d.category_id = p.category_id)) AS "offer_bp",
               s.ship_name, s.ship_city, s.ship_country, s.shipping_method,
               s.cancel_reason, s.created_at
        FROM subscriptions s
        JOIN variants v ON v.variant_id = s.variant_id
        JOIN products p ON p.product_id = v.product_id
        WHERE s.user_id = $1 AND ($2::uuid IS NULL OR s.subscription_id = $2)
        ORDER BY s.status = 'cancelled', s.created_at DESC, s.subscription_id
        "#,
        user.0,
        only.map(|id| id.0)
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            let decode = |e: crate::money::MoneyError| sqlx::Error::Decode(Box::new(e));
            Ok(Row {
                id: r.id,
                user: r.user,
                variant: r.variant,
                sku: r.sku,
                variant_label: r.label,
                product_name: r.name,
                product_slug: r.slug,
                schedule: Schedule {
                    status: r.status,
                    every: Cadence::every(i64::from(r.every_months))
                        .ok_or_else(|| sqlx::Error::Decode("every_months out of range".into()))?,
                    quantity: r.quantity,
                    next_renewal_on: r.next_renewal_on,
                    paused_until: r.paused_until,
                    renewals_done: u32::try_from(r.renewals_done).unwrap_or(0),
                },
                locked_unit_price: Money::from_parts(r.locked_unit_price_minor, &r.currency)
                    .map_err(decode)?,
                list_price: Money::from_parts(r.price_minor, &r.list_currency).map_err(decode)?,
                offer: r.offer_bp.and_then(SubscribeOffer::from_bp),
                ship_name: r.ship_name,
                ship_city: r.ship_city,
                ship_country: r.ship_country,
                shipping_method: r.shipping_method,
                cancel_reason: r.cancel_reason,
                created_at: r.created_at,
            })
        })
        .collect()
}

/// The user's subscriptions: live ones first, then newest first.
pub async fn of_user(conn: &mut PgConnection, user: UserId) -> Result<Vec<Row>, sqlx::Error> {
    rows(conn, user, None).await
}

/// One of the user's subscriptions, locked until the transaction ends.
pub async fn lock(
    conn: &mut PgConnection,
    id: SubscriptionId,
    user: UserId,
) -> Result<Option<Row>, sqlx::Error> {
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
    Ok(rows(conn, user, Some(id)).await?.into_iter().next())
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
