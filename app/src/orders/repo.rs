//! Order queries. Each takes a connection; the caller owns any transaction.

use super::model::{
    Address, OrderDetail, OrderEvent, OrderEventKind, OrderLine, OrderStatus, OrderSummary,
    ShippedLot, UnreadableEvent, order_reference,
};
use crate::ids::{CartId, OrderId, UserId, VariantId};
use crate::money::{Currency, Money};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// Everything an order is created with.
pub struct NewOrder<'a> {
    pub id: OrderId,
    pub user: Option<UserId>,
    pub cart: CartId,
    pub email: &'a str,
    pub currency: Currency,
    pub subtotal: i64,
    pub discount: i64,
    pub shipping: i64,
    pub tax: i64,
    pub total: i64,
    pub prices_include_tax: bool,
    pub discount_code: Option<&'a str>,
    pub address: &'a Address,
    pub shipping_method: &'a str,
    pub carrier: &'a str,
    pub reserved_until: DateTime<Utc>,
    /// The hash of what the checkout was started with (see `checkout::service::start`).
    pub checkout_key: &'a [u8],
}

pub struct NewLine<'a> {
    pub variant: VariantId,
    pub sku: &'a str,
    pub product_name: &'a str,
    pub variant_label: &'a str,
    pub unit_price: i64,
    pub quantity: i32,
    pub discount: i64,
    pub tax_rate_bp: i32,
    pub tax: i64,
}

/// Insert the order; returns its number.
pub async fn insert(conn: &mut PgConnection, o: &NewOrder<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"
        INSERT INTO orders (order_id, user_id, cart_id, email, currency, subtotal_minor,
                            discount_minor, shipping_minor, tax_minor, total_minor,
                            prices_include_tax, discount_code, ship_name, ship_line1, ship_line2,
                            ship_postal_code, ship_city, ship_country, shipping_method, carrier,
                            reserved_until, checkout_key)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
                $19, $20, $21, $22)
        RETURNING order_number
        "#,
        o.id.0,
        o.user.map(|u| u.0),
        o.cart.0,
        o.email,
        o.currency.code(),
        o.subtotal,
        o.discount,
        o.shipping,
        o.tax,
        o.total,
        o.prices_include_tax,
        o.discount_code,
        o.address.name,
        o.address.line1,
        o.address.line2,
        o.address.postal_code,
        o.address.city,
        o.address.country,
        o.shipping_method,
        o.carrier,
        o.reserved_until,
        o.checkout_key,
    )
    .fetch_one(conn)
    .await
}

pub async fn insert_line(
    conn: &mut PgConnection,
    order: OrderId,
    number: i32,
    l: &NewLine<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        INSERT INTO order_lines (order_id, line_number, variant_id, sku, product_name,
                                 variant_label, unit_price_minor, quantity, discount_minor,
                                 tax_rate_bp, tax_minor)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
        "#,
        order.0,
        number,
        l.variant.0,
        l.sku,
        l.product_name,
        l.variant_label,
        l.unit_price,
        l.quantity,
        l.discount,
        l.tax_rate_bp,
        l.tax,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// One entry in the order's history.
pub struct NewEvent<'a> {
    pub kind: OrderEventKind,
    pub status: OrderStatus,
    pub detail: &'a str,
    pub amount: Option<i64>,
    pub actor: Option<UserId>,
}

pub async fn record(
    conn: &mut PgConnection,
    order: OrderId,
    e: &NewEvent<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"INSERT INTO order_events (order_id, kind, status, detail, amount_minor, actor_id)
           VALUES ($1, $2, $3, $4, $5, $6)"#,
        order.0,
        e.kind as OrderEventKind,
        e.status as OrderStatus,
        e.detail,
        e.amount,
        e.actor.map(|a| a.0),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The order's state for a change, locked until the transaction ends.
#[derive(Clone, Debug)]
pub struct Locked {
    pub id: OrderId,
    pub number: i64,
    pub status: OrderStatus,
    pub user: Option<UserId>,
    pub cart: Option<CartId>,
    pub email: String,
    pub currency: String,
    pub total: i64,
    pub refunded: i64,
    pub payment_intent: Option<String>,
    pub carrier: String,
}

impl Locked {
    pub fn reference(&self) -> String {
        order_reference(self.number)
    }
}

/// Lock one order, by id or by its PaymentIntent.
async fn lock_where(
    conn: &mut PgConnection,
    order: Option<OrderId>,
    intent: Option<&str>,
) -> Result<Option<Locked>, sqlx::Error> {
    sqlx::query_as!(
        Locked,
        r#"SELECT order_id AS "id: OrderId", order_number AS number,
                  status AS "status: OrderStatus", user_id AS "user: UserId",
                  cart_id AS "cart: CartId", email, currency, total_minor AS total,
                  refunded_minor AS refunded, payment_intent_id AS payment_intent, carrier
           FROM orders
           WHERE order_id = $1 OR payment_intent_id = $2
           FOR UPDATE"#,
        order.map(|o| o.0),
        intent,
    )
    .fetch_optional(conn)
    .await
}

pub async fn lock(conn: &mut PgConnection, order: OrderId) -> Result<Option<Locked>, sqlx::Error> {
    lock_where(conn, Some(order), None).await
}

pub async fn lock_by_intent(
    conn: &mut PgConnection,
    intent: &str,
) -> Result<Option<Locked>, sqlx::Error> {
    lock_where(conn, None, Some(intent)).await
}

/// Move the order from `from` to `to`; `false` if it was no longer in `from`.
pub async fn set_status(
    conn: &mut PgConnection,
    order: OrderId,
    from: OrderStatus,
    to: OrderStatus,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query!(
        r#"UPDATE orders
           SET status = $3,
               paid_at = CASE WHEN $3 = 'paid'::order_status THEN now() ELSE paid_at END,
               reserved_until = CASE WHEN $3 = 'pending_payment'::order_status
                                     THEN reserved_until END
           WHERE order_id = $1 AND status = $2"#,
        order.0,
        from as OrderStatus,
        to as OrderStatus,
    )
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

pub async fn set_payment_intent(
    conn: &mut PgConnection,
    order: OrderId,
    intent: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE orders SET payment_intent_id = $2 WHERE order_id = $1",
        order.0,
        intent
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_tracking(
    conn: &mut PgConnection,
    order: OrderId,
    number: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE orders SET tracking_number = $2 WHERE order_id = $1",
        order.0,
        number
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn add_refunded(
    conn: &mut PgConnection,
    order: OrderId,
    amount: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"UPDATE orders SET refunded_minor = refunded_minor + $2 WHERE order_id = $1
           RETURNING refunded_minor"#,
        order.0,
        amount
    )
    .fetch_one(conn)
    .await
}

/// Unpaid orders of `cart` (a new checkout supersedes them).
/// A pending order of a cart and the hash of what its checkout was started with.
pub struct PendingCheckout {
    pub order: OrderId,
    pub checkout_key: Option<Vec<u8>>,
}

/// The cart's orders awaiting payment; call with the cart locked, so no other checkout of it
/// can be placing one meanwhile.
pub async fn pending_checkouts(
    conn: &mut PgConnection,
    cart: CartId,
) -> Result<Vec<PendingCheckout>, sqlx::Error> {
    sqlx::query_as!(
        PendingCheckout,
        r#"SELECT order_id AS "order: OrderId", checkout_key FROM orders
           WHERE cart_id = $1 AND status = 'pending_payment'"#,
        cart.0
    )
    .fetch_all(conn)
    .await
}

/// Unpaid orders whose hold on stock has run out.
pub async fn overdue(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    limit: i64,
    resting: &[String],
) -> Result<Vec<OrderId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT order_id AS "id: OrderId" FROM orders
           WHERE status = 'pending_payment' AND reserved_until < $1
             AND NOT (order_id::text = ANY($3))
           ORDER BY reserved_until LIMIT $2"#,
        now,
        limit,
        resting
    )
    .fetch_all(conn)
    .await
}

/// The ordered variants and quantities.
pub async fn line_quantities(
    conn: &mut PgConnection,
    order: OrderId,
) -> Result<Vec<(VariantId, i32)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT variant_id AS "variant: VariantId", quantity FROM order_lines
           WHERE order_id = $1 ORDER BY variant_id"#,
        order.0
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.variant, r.quantity)).collect())
}

/// After payment the bought lines leave the cart they came from.
pub async fn clear_bought_from_cart(
    conn: &mut PgConnection,
    order: OrderId,
    cart: CartId,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"DELETE FROM cart_lines cl USING order_lines ol
           WHERE cl.cart_id = $2 AND ol.order_id = $1 AND ol.variant_id = cl.variant_id"#,
        order.0,
        cart.0
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Guest orders placed in a browser become the account's at sign-in.
pub async fn adopt(
    conn: &mut PgConnection,
    orders: &[OrderId],
    user: UserId,
) -> Result<u64, sqlx::Error> {
    let ids: Vec<uuid::Uuid> = orders.iter().map(|o| o.0).collect();
    Ok(sqlx::query!(
        "UPDATE orders SET user_id = $2 WHERE order_id = ANY($1) AND user_id IS NULL",
        &ids,
        user.0
    )
    .execute(conn)
    .await?
    .rows_affected())
}

/// Who may look at an order: its account, or the browser session that placed it as a guest.
pub async fn owner(
    conn: &mut PgConnection,
    order: OrderId,
) -> Result<Option<Option<UserId>>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT user_id AS "user: UserId" FROM orders WHERE order_id = $1"#,
        order.0
    )
    .fetch_optional(conn)
    .await
}

/// Which orders a list shows.
pub enum Scope<'a> {
    /// A customer's own orders.
    User(UserId),
    /// A guest's, by the ids their session holds.
    Ids(&'a [OrderId]),
    /// The back office: all, optionally one status, optionally matching a search.
    All {
        status: Option<OrderStatus>,
        search: Option<&'a str>,
    },
}

pub async fn list(
    conn: &mut PgConnection,
    scope: Scope<'_>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<OrderSummary>, i64), sqlx::Error> {
    let (user, ids, status, search, all) = match scope {
        Scope::User(user) => (Some(user.0), None, None, None, false),
        Scope::Ids(ids) => (
            None,
            Some(ids.iter().map(|o| o.0).collect::<Vec<_>>()),
            None,
            None,
            false,
        ),
        Scope::All { status, search } => (
            None,
            None,
            status,
            search.map(|s| format!("%{}%", s.replace(['%', '_'], ""))),
            true,
        ),
    };
    let rows = sqlx::query!(
        r#"
        SELECT o.order_id AS "id: OrderId", o.order_number, o.status AS "status: OrderStatus",
               o.email, o.total_minor, o.refunded_minor, o.currency, o.placed_at,
               (SELECT COALESCE(sum(quantity), 0) FROM order_lines l
                WHERE l.order_id = o.order_id)::bigint AS "items!",
               count(*) OVER () AS "total!"
        FROM orders o
        WHERE (o.user_id = $1 OR o.order_id = ANY($2) OR $3)
          AND ($4::order_status IS NULL OR o.status = $4)
          AND ($5::text IS NULL OR o.email ILIKE $5 OR ('OL-' || o.order_number) ILIKE $5
               OR o.ship_name ILIKE $5)
        ORDER BY o.placed_at DESC, o.order_number DESC
        LIMIT $6 OFFSET $7
        "#,
        user,
        ids.as_deref(),
        all,
        status as Option<OrderStatus>,
        search,
        limit,
        offset,
    )
    .fetch_all(conn)
    .await?;
    let total = rows.first().map(|r| r.total).unwrap_or(0);
    let orders = rows
        .into_iter()
        .filter_map(|r| {
            Some(OrderSummary {
                id: r.id,
                reference: order_reference(r.order_number),
                status: r.status,
                email: r.email,
                total: Money::from_parts(r.total_minor, &r.currency).ok()?,
                refunded: Money::from_parts(r.refunded_minor, &r.currency).ok()?,
                items: r.items,
                placed_at: r.placed_at,
            })
        })
        .collect();
    Ok((orders, total))
}

pub async fn detail(
    conn: &mut PgConnection,
    order: OrderId,
) -> Result<Option<OrderDetail>, sqlx::Error> {
    let Some(o) = sqlx::query!(
        r#"
        SELECT order_number, status AS "status: OrderStatus", email, currency, subtotal_minor,
               discount_minor, shipping_minor, tax_minor, total_minor, refunded_minor,
               prices_include_tax, discount_code, ship_name, ship_line1, ship_line2,
               ship_postal_code, ship_city, ship_country, shipping_method, carrier,
               tracking_number, placed_at,
               (SELECT COALESCE(sum(quantity), 0) FROM order_lines l
                WHERE l.order_id = o.order_id)::bigint AS "items!",
               (SELECT m.name FROM shipping_methods m
                WHERE m.country_code = o.ship_country AND m.method_code = o.shipping_method)
                   AS method_name
        FROM orders o WHERE order_id = $1
        "#,
        order.0
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let money = |minor: i64| {
        Money::from_parts(minor, &o.currency).unwrap_or_else(|_| Money::zero(Currency::Eur))
    };
    let shipped = sqlx::query!(
        r#"SELECT a.variant_id AS "variant: VariantId", l.batch_number, l.expiry_date, a.quantity
           FROM order_allocations a JOIN lots l USING (lot_id)
           WHERE a.order_id = $1 ORDER BY l.expiry_date, l.batch_number"#,
        order.0
    )
    .fetch_all(&mut *conn)
    .await?;
    let lines = sqlx::query!(
        r#"SELECT variant_id AS "variant: VariantId", sku, product_name, variant_label,
                  unit_price_minor, quantity, discount_minor, tax_minor
           FROM order_lines WHERE order_id = $1 ORDER BY line_number"#,
        order.0
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|l| OrderLine {
        lots: shipped
            .iter()
            .filter(|s| s.variant == l.variant)
            .map(|s| ShippedLot {
                batch_number: s.batch_number.clone(),
                best_before: s.expiry_date,
                quantity: s.quantity,
            })
            .collect(),
        sku: l.sku,
        product_name: l.product_name,
        variant_label: l.variant_label,
        unit_price: money(l.unit_price_minor),
        quantity: l.quantity,
        discount: money(l.discount_minor),
        tax: money(l.tax_minor),
    })
    .collect();
    let events = sqlx::query!(
        r#"SELECT kind AS "kind: OrderEventKind", status AS "status: OrderStatus", detail, amount_minor, created_at
           FROM order_events WHERE order_id = $1 ORDER BY event_id"#,
        order.0
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|e| OrderEvent {
        kind: e.kind,
        status: e.status,
        detail: e.detail,
        amount: e.amount_minor.map(money),
        at: e.created_at,
    })
    .collect();
    Ok(Some(OrderDetail {
        summary: OrderSummary {
            id: order,
            reference: order_reference(o.order_number),
            status: o.status,
            email: o.email,
            total: money(o.total_minor),
            refunded: money(o.refunded_minor),
            items: o.items,
            placed_at: o.placed_at,
        },
        lines,
        subtotal: money(o.subtotal_minor),
        discount: money(o.discount_minor),
        discount_code: o.discount_code,
        shipping: money(o.shipping_minor),
        tax: money(o.tax_minor),
        prices_include_tax: o.prices_include_tax,
        address: Address {
            name: o.ship_name,
            line1: o.ship_line1,
            line2: o.ship_line2,
            postal_code: o.ship_postal_code,
            city: o.ship_city,
            country: o.ship_country,
        },
        shipping_method: o.method_name.unwrap_or(o.shipping_method),
        carrier: o.carrier,
        tracking_number: o.tracking_number,
        events,
    }))
}

/// Keep a signed Stripe event we could not read (once per event id).
pub async fn store_unreadable_event(
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
pub async fn unreviewed_unreadable_events(
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

pub async fn mark_unreadable_event_reviewed(
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
