//! Cart queries. Each takes a connection; the caller owns any transaction.

use super::model::{CartLine, MAX_LINE_QUANTITY};
use crate::catalog::model::{Cadence, SubscribeOffer};
use crate::ids::{CartId, UserId, VariantId};
use crate::money::Money;
use chrono::NaiveDate;
use sqlx::PgConnection;

pub async fn cart_of_user(
    conn: &mut PgConnection,
    user: UserId,
) -> Result<Option<CartId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT cart_id AS "cart_id: CartId" FROM carts WHERE user_id = $1"#,
        user.0
    )
    .fetch_optional(conn)
    .await
}

/// The user's cart, made on first use (safe when two requests race to make it).
pub async fn ensure_user_cart(
    conn: &mut PgConnection,
    user: UserId,
) -> Result<CartId, sqlx::Error> {
    sqlx::query_scalar!(
        r#"
        INSERT INTO carts (cart_id, user_id) VALUES ($1, $2)
        ON CONFLICT (user_id) DO UPDATE SET updated_at = now()
        RETURNING cart_id AS "cart_id: CartId"
        "#,
        uuid::Uuid::now_v7(),
        user.0
    )
    .fetch_one(conn)
    .await
}

/// A guest cart by the id its session holds; `None` once it was merged or swept.
pub async fn guest_cart_exists(conn: &mut PgConnection, cart: CartId) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM carts WHERE cart_id = $1 AND user_id IS NULL) AS "exists!""#,
        cart.0
    )
    .fetch_one(conn)
    .await
}

pub async fn create_guest_cart(conn: &mut PgConnection) -> Result<CartId, sqlx::Error> {
    let id = CartId(uuid::Uuid::now_v7());
    sqlx::query!("INSERT INTO carts (cart_id) VALUES ($1)", id.0)
        .execute(conn)
        .await?;
    Ok(id)
}

/// The cart's lines with today's price and sellable stock (lots that keep enough shelf life).
pub async fn lines(
    conn: &mut PgConnection,
    cart: CartId,
    sellable_after: NaiveDate,
) -> Result<Vec<CartLine>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"
        SELECT cl.variant_id AS "variant_id: VariantId", v.sku, v.label, p.name, p.slug,
               cl.quantity, v.price_minor, v.currency, cl.seen_price_minor,
               p.published_at IS NULL AS "withdrawn!",
               COALESCE((SELECT sum(l.on_hand - l.reserved) FROM lots l
                         WHERE l.variant_id = cl.variant_id AND l.expiry_date > $2), 0)::bigint
                   AS "available!",
               cl.every_months,
               subscribe_discount_bp(p.product_id) AS "subscribe_bp"
        FROM cart_lines cl
        JOIN variants v ON v.variant_id = cl.variant_id
        JOIN products p ON p.product_id = v.product_id
        WHERE cl.cart_id = $1
        ORDER BY cl.added_at, v.sku
        "#,
        cart.0,
        sellable_after
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            let unit_price = Money::from_parts(r.price_minor, &r.currency)
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
            Ok(CartLine {
                variant_id: r.variant_id,
                sku: r.sku,
                product_name: r.name,
                product_slug: r.slug,
                variant_label: r.label,
                quantity: r.quantity,
                unit_price,
                seen_price: Money::new(r.seen_price_minor, unit_price.currency()),
                available: r.available,
                withdrawn: r.withdrawn,
                every: r.every_months.map(i64::from).and_then(Cadence::every),
                subscribe: r.subscribe_bp.and_then(SubscribeOffer::from_bp),
            })
        })
        .collect()
}

/// Hold the cart until the transaction ends, so two changes to it (two tabs, a double click)
/// apply one after the other instead of one overwriting the other.
pub async fn lock(conn: &mut PgConnection, cart: CartId) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "SELECT cart_id FROM carts WHERE cart_id = $1 FOR UPDATE",
        cart.0
    )
    .fetch_optional(conn)
    .await?;
    Ok(())
}

/// The quantity of `variant` already in the cart (0 when none).
pub async fn quantity_of(
    conn: &mut PgConnection,
    cart: CartId,
    variant: VariantId,
) -> Result<i32, sqlx::Error> {
    let quantity = sqlx::query_scalar!(
        "SELECT quantity FROM cart_lines WHERE cart_id = $1 AND variant_id = $2",
        cart.0,
        variant.0
    )
    .fetch_optional(conn)
    .await?;
    Ok(quantity.unwrap_or(0))
}

/// Put `quantity` of a published variant in the cart at today's price (the price the shopper
/// is now looking at), bought once or subscribed to as `every` says (`None` keeps a line's
/// choice; a new line is then bought once). `false` when the variant isn't on sale.
pub async fn set_line(
    conn: &mut PgConnection,
    cart: CartId,
    variant: VariantId,
    quantity: i32,
    every: Option<Option<Cadence>>,
) -> Result<bool, sqlx::Error> {
    let months = every.flatten().map(|c| i16::from(c.months()));
    let written = sqlx::query!(
        r#"
        INSERT INTO cart_lines (cart_id, variant_id, quantity, seen_price_minor, every_months)
        SELECT $1, v.variant_id, $3, v.price_minor, $4
        FROM variants v JOIN products p ON p.product_id = v.product_id
        WHERE v.variant_id = $2 AND p.published_at IS NOT NULL
        ON CONFLICT (cart_id, variant_id) DO UPDATE
            SET quantity = EXCLUDED.quantity, seen_price_minor = EXCLUDED.seen_price_minor,
                every_months = CASE WHEN $5 THEN EXCLUDED.every_months
                                    ELSE cart_lines.every_months END
        "#,
        cart.0,
        variant.0,
        quantity,
        months,
        every.is_some()
    )
    .execute(&mut *conn)
    .await?;
    touch(conn, cart).await?;
    Ok(written.rows_affected() == 1)
}

pub async fn remove_line(
    conn: &mut PgConnection,
    cart: CartId,
    variant: VariantId,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "DELETE FROM cart_lines WHERE cart_id = $1 AND variant_id = $2",
        cart.0,
        variant.0
    )
    .execute(&mut *conn)
    .await?;
    touch(conn, cart).await
}

async fn touch(conn: &mut PgConnection, cart: CartId) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE carts SET updated_at = now() WHERE cart_id = $1",
        cart.0
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Move a guest cart's lines into `into`: quantities of the same variant add up (to the line
/// cap), the price the shopper saw most recently wins. The guest cart is deleted.
pub async fn merge_into(
    conn: &mut PgConnection,
    guest: CartId,
    into: CartId,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        INSERT INTO cart_lines (cart_id, variant_id, quantity, seen_price_minor, added_at,
                                every_months)
        SELECT $2, variant_id, quantity, seen_price_minor, added_at, every_months
        FROM cart_lines WHERE cart_id = $1
        ON CONFLICT (cart_id, variant_id) DO UPDATE
            SET quantity = LEAST(cart_lines.quantity + EXCLUDED.quantity, $3),
                seen_price_minor = EXCLUDED.seen_price_minor,
                every_months = EXCLUDED.every_months
        "#,
        guest.0,
        into.0,
        MAX_LINE_QUANTITY
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "DELETE FROM carts WHERE cart_id = $1 AND user_id IS NULL",
        guest.0
    )
    .execute(&mut *conn)
    .await?;
    touch(conn, into).await
}

/// Forget guest carts untouched since `before`.
pub async fn sweep_guest_carts(
    conn: &mut PgConnection,
    before: chrono::DateTime<chrono::Utc>,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "DELETE FROM carts WHERE user_id IS NULL AND updated_at < $1",
        before
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
