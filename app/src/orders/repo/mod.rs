//! Order queries. Each takes a connection; the caller owns any transaction.

use super::model::{Address, OrderEventKind, OrderStatus, order_reference};
use crate::catalog::model::Cadence;
use crate::ids::{CartId, OrderId, SubscriptionId, UserId, VariantId};
use crate::money::{Currency, Money};
use crate::privacy::ERASED;
use crate::vault::{KeyOwner, Sealed, Vault, VaultError};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;

pub mod customers;
mod reads;
pub mod refunds;
pub mod stripe_events;

pub use reads::{Scope, detail, list};

/// Everything an order is created with.
pub struct NewOrder<'a> {
    pub id: OrderId,
    pub user: Option<UserId>,
    /// The cart it is bought from; `None` for a subscription's renewal.
    pub cart: Option<CartId>,
    pub email: &'a str,
    pub currency: Currency,
    pub subtotal: i64,
    pub discount: i64,
    /// What loyalty points took off.
    pub points: i64,
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
    pub checkout_key: Option<&'a [u8]>,
    /// A renewal: the subscription and the delivery (its due date) it is for.
    pub renews: Option<(SubscriptionId, NaiveDate)>,
}

/// What one line of a new order sells.
pub struct Sold<'a> {
    pub variant: VariantId,
    pub sku: &'a str,
    pub product_name: &'a str,
    pub variant_label: &'a str,
    /// What each is charged at (for a subscription, after its discount).
    pub unit_price: Money,
    pub quantity: i32,
    /// Starts or renews a subscription this often; its discount came off `list_price`.
    pub every: Option<Cadence>,
    pub list_price: Money,
}

/// A line as written: what it sells, and its share of the discount and tax.
pub struct NewLine<'a> {
    pub sold: &'a Sold<'a>,
    pub discount: i64,
    pub tax_rate_bp: i32,
    pub tax: i64,
}

/// Where something ships, but the country (kept in the clear: it picks the shipping method):
/// sealed with its owner's key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipTo {
    pub name: String,
    pub line1: String,
    pub line2: String,
    pub postal_code: String,
    pub city: String,
}

impl ShipTo {
    pub fn of(address: &Address) -> Self {
        ShipTo {
            name: address.name.clone(),
            line1: address.line1.clone(),
            line2: address.line2.clone(),
            postal_code: address.postal_code.clone(),
            city: address.city.clone(),
        }
    }

    /// The whole address, in `country`.
    pub fn in_country(self, country: String) -> Address {
        Address {
            name: self.name,
            line1: self.line1,
            line2: self.line2,
            postal_code: self.postal_code,
            city: self.city,
            country,
        }
    }

    /// What shows where an erased person's address was.
    pub fn erased() -> Self {
        ShipTo {
            name: ERASED.to_owned(),
            line1: ERASED.to_owned(),
            line2: String::new(),
            postal_code: ERASED.to_owned(),
            city: ERASED.to_owned(),
        }
    }
}

/// An order's buyer: the receipt's address and where the order ships. One sealed value in the
/// order's row (`order:<id>:buyer`), and what bookkeeping keeps of an erased buyer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Buyer {
    pub email: String,
    #[serde(flatten)]
    pub ship_to: ShipTo,
}

impl Buyer {
    fn erased() -> Self {
        Buyer {
            email: ERASED.to_owned(),
            ship_to: ShipTo::erased(),
        }
    }
}

/// The context an order's buyer is sealed in.
pub fn buyer_context(order: OrderId) -> String {
    format!("order:{order}:buyer")
}

/// Seal `buyer` into `order`'s row: with the buyer's key (their account's, or, for a guest
/// (`user` is `None`), the order's own), found by the lookup of their address and the words of
/// their name. Clears what an older version kept in the clear.
pub async fn seal_buyer(
    conn: &mut PgConnection,
    vault: &Vault,
    order: OrderId,
    user: Option<UserId>,
    buyer: &Buyer,
) -> Result<(), VaultError> {
    let owner = user.map_or(KeyOwner::Guest(order), KeyOwner::Person);
    let sealed = vault
        .seal_json(&mut *conn, owner, &buyer_context(order), buyer)
        .await?;
    let lookup = vault.email_lookup(&mut *conn, &buyer.email).await?;
    let words = vault.name_words(&mut *conn, &buyer.ship_to.name).await?;
    sqlx::query!(
        "UPDATE orders
            SET buyer_sealed = $2, email_lookup = $3, buyer_words = $4, email = NULL,
                ship_name = NULL, ship_line1 = NULL, ship_line2 = NULL, ship_postal_code = NULL,
                ship_city = NULL
          WHERE order_id = $1",
        order.0,
        sealed,
        lookup,
        &words,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// An order's buyer as a query read it (`sealed_by(COALESCE(user_id, order_id), buyer_sealed)`),
/// opened; an erased buyer reads as [`ERASED`].
pub fn reveal_buyer(vault: &Vault, order: OrderId, sealed: &Sealed) -> Result<Buyer, VaultError> {
    Ok(vault
        .reveal_json(&buyer_context(order), sealed)?
        .unwrap_or_else(Buyer::erased))
}

/// Seal the buyers of orders an older version kept in the clear; how many orders. An erased
/// buyer's clear columns (what bookkeeping keeps is sealed under a retention key) are only
/// emptied.
pub async fn seal_clear_buyers(conn: &mut PgConnection, vault: &Vault) -> Result<u64, VaultError> {
    crate::vault::seal_clear_rows(
        conn,
        vault,
        |conn| {
            Box::pin(async move {
                Ok(sqlx::query!(
                    r#"SELECT order_id AS "order: OrderId", user_id AS "user: UserId",
                              retained IS NOT NULL AS "erased!",
                              jsonb_build_object(
                                  'email', email, 'name', COALESCE(ship_name, ''),
                                  'line1', COALESCE(ship_line1, ''),
                                  'line2', COALESCE(ship_line2, ''),
                                  'postal_code', COALESCE(ship_postal_code, ''),
                                  'city', COALESCE(ship_city, '')
                              ) AS "buyer!: sqlx::types::Json<Buyer>"
                         FROM orders WHERE email IS NOT NULL
                        ORDER BY order_id LIMIT 200"#
                )
                .fetch_all(conn)
                .await?)
            })
        },
        |tx, vault, row| {
            Box::pin(async move {
                if row.erased {
                    sqlx::query!(
                        "UPDATE orders
                            SET email = NULL, ship_name = NULL, ship_line1 = NULL,
                                ship_line2 = NULL, ship_postal_code = NULL, ship_city = NULL
                          WHERE order_id = $1",
                        row.order.0
                    )
                    .execute(tx)
                    .await?;
                    return Ok(());
                }
                seal_buyer(tx, vault, row.order, row.user, &row.buyer).await
            })
        },
    )
    .await
}

/// Insert the order, its buyer sealed; returns its number.
pub async fn insert(
    conn: &mut PgConnection,
    vault: &Vault,
    o: &NewOrder<'_>,
) -> Result<i64, VaultError> {
    let number = sqlx::query_scalar!(
        r#"
        INSERT INTO orders (order_id, user_id, cart_id, currency, subtotal_minor,
                            discount_minor, shipping_minor, tax_minor, total_minor,
                            prices_include_tax, discount_code, ship_country, shipping_method,
                            carrier, reserved_until, checkout_key, subscription_id,
                            renewal_due_on, points_minor)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
                $19)
        RETURNING order_number
        "#,
        o.id.0,
        o.user.map(|u| u.0),
        o.cart.map(|c| c.0),
        o.currency.code(),
        o.subtotal,
        o.discount,
        o.shipping,
        o.tax,
        o.total,
        o.prices_include_tax,
        o.discount_code,
        o.address.country,
        o.shipping_method,
        o.carrier,
        o.reserved_until,
        o.checkout_key,
        o.renews.map(|(s, _)| s.0),
        o.renews.map(|(_, due)| due),
        o.points,
    )
    .fetch_one(&mut *conn)
    .await?;
    let buyer = Buyer {
        email: o.email.to_owned(),
        ship_to: ShipTo::of(o.address),
    };
    seal_buyer(conn, vault, o.id, o.user, &buyer).await?;
    Ok(number)
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
                                 tax_rate_bp, tax_minor, every_months, list_price_minor)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
        "#,
        order.0,
        number,
        l.sold.variant.0,
        l.sold.sku,
        l.sold.product_name,
        l.sold.variant_label,
        l.sold.unit_price.minor(),
        l.sold.quantity,
        l.discount,
        l.tax_rate_bp,
        l.tax,
        l.sold.every.map(|e| i16::from(e.months())),
        l.sold.every.map(|_| l.sold.list_price.minor()),
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
    /// Who bought it, still sealed ([`reveal_buyer`] opens it).
    pub buyer: Sealed,
    pub total: Money,
    pub refunded: Money,
    pub payment_intent: Option<String>,
    pub carrier: String,
}

/// An order's row as `lock_where` reads it; its amounts become [`Money`].
struct LockedRow {
    id: OrderId,
    number: i64,
    status: OrderStatus,
    user: Option<UserId>,
    cart: Option<CartId>,
    buyer: Sealed,
    currency: String,
    total: i64,
    refunded: i64,
    payment_intent: Option<String>,
    carrier: String,
}

impl TryFrom<LockedRow> for Locked {
    type Error = sqlx::Error;

    fn try_from(row: LockedRow) -> Result<Self, sqlx::Error> {
        let currency =
            Currency::parse(&row.currency).map_err(|error| sqlx::Error::Decode(Box::new(error)))?;
        Ok(Locked {
            id: row.id,
            number: row.number,
            status: row.status,
            user: row.user,
            cart: row.cart,
            buyer: row.buyer,
            total: Money::new(row.total, currency),
            refunded: Money::new(row.refunded, currency),
            payment_intent: row.payment_intent,
            carrier: row.carrier,
        })
    }
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
    let row = sqlx::query_as!(
        LockedRow,
        r#"SELECT order_id AS "id: OrderId", order_number AS number,
                  status AS "status: OrderStatus", user_id AS "user: UserId",
                  cart_id AS "cart: CartId",
                  sealed_by(COALESCE(user_id, order_id), buyer_sealed) AS "buyer!: Sealed",
                  currency, total_minor AS total,
                  refunded_minor AS refunded, payment_intent_id AS payment_intent, carrier
           FROM orders
           WHERE order_id = $1 OR payment_intent_id = $2
           FOR UPDATE"#,
        order.map(|o| o.0),
        intent,
    )
    .fetch_optional(conn)
    .await?;
    row.map(Locked::try_from).transpose()
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

/// The order's status and total as committed now, without locking it (for callers that hold
/// other locks first and must not wait for the order's).
pub async fn status_and_total(
    conn: &mut PgConnection,
    order: OrderId,
) -> Result<Option<(OrderStatus, Money)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT status AS "status: OrderStatus", total_minor, currency FROM orders
           WHERE order_id = $1"#,
        order.0
    )
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Money::from_parts(r.total_minor, &r.currency)
            .map(|total| (r.status, total))
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))
    })
    .transpose()
}

/// Hold an unpaid order's stock until `until` (a renewal left for its customer to confirm).
pub async fn extend_hold(
    conn: &mut PgConnection,
    order: OrderId,
    until: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE orders SET reserved_until = $2 WHERE order_id = $1 AND status = 'pending_payment'",
        order.0,
        until
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The order has lines that start a subscription.
pub async fn starts_subscription(
    conn: &mut PgConnection,
    order: OrderId,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM order_lines
                          WHERE order_id = $1 AND every_months IS NOT NULL) AS "exists!""#,
        order.0
    )
    .fetch_one(conn)
    .await
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

/// Guest orders placed in a browser become the account's at sign-in: each buyer, and the mail
/// about the order the outbox keeps, is sealed again with the account's key, and the order's
/// own key goes.
pub async fn adopt(
    conn: &mut PgConnection,
    vault: &Vault,
    orders: &[OrderId],
    user: UserId,
) -> Result<u64, VaultError> {
    let ids: Vec<uuid::Uuid> = orders.iter().map(|o| o.0).collect();
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    let guests = sqlx::query!(
        r#"SELECT order_id AS "order: OrderId", buyer_sealed IS NOT NULL AS "sealed!",
                  sealed_by(order_id, buyer_sealed) AS "buyer!: Sealed"
             FROM orders WHERE order_id = ANY($1) AND user_id IS NULL
            ORDER BY order_id FOR UPDATE"#,
        &ids
    )
    .fetch_all(&mut *tx)
    .await?;
    for guest in &guests {
        sqlx::query!(
            "UPDATE orders SET user_id = $2 WHERE order_id = $1",
            guest.order.0,
            user.0
        )
        .execute(&mut *tx)
        .await?;
        if guest.sealed {
            let buyer = reveal_buyer(vault, guest.order, &guest.buyer)?;
            seal_buyer(&mut tx, vault, guest.order, Some(user), &buyer).await?;
        }
        let from = KeyOwner::Guest(guest.order);
        crate::notifications::email::hand_over(&mut tx, vault, from, user.into()).await?;
        Vault::forget(&mut tx, from).await?;
    }
    tx.commit().await?;
    Ok(u64::try_from(guests.len()).unwrap_or(u64::MAX))
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
