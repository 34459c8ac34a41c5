//! What customers and admins read of orders: lists by scope, and one order's whole page.

use crate::ids::{OrderId, UserId, VariantId};
use crate::money::{Currency, Money};
use crate::orders::model::{
    OrderDetail, OrderEvent, OrderEventKind, OrderLine, OrderStatus, OrderSummary, ShippedLot,
    order_reference,
};
use crate::vault::{Sealed, Vault, VaultError};
use sqlx::PgConnection;

/// Which orders a list shows.
pub enum Scope<'a> {
    /// A customer's own orders.
    User(UserId),
    /// A guest's, by the ids their session holds.
    Ids(&'a [OrderId]),
    /// The back office: all, optionally one status, optionally matching a search (an order's
    /// reference or part of it, the buyer's whole email address, or whole words of their name).
    All {
        status: Option<OrderStatus>,
        search: Option<&'a str>,
    },
}

pub async fn list(
    conn: &mut PgConnection,
    vault: &Vault,
    scope: Scope<'_>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<OrderSummary>, i64), VaultError> {
    let (user, ids, status, search, all) = match scope {
        Scope::User(user) => (Some(user.0), None, None, None, false),
        Scope::Ids(ids) => (
            None,
            Some(ids.iter().map(|o| o.0).collect::<Vec<_>>()),
            None,
            None,
            false,
        ),
        Scope::All { status, search } => (None, None, status, search, true),
    };
    let (reference, lookup, words) = match search {
        Some(search) => (
            Some(format!("%{}%", search.replace(['%', '_'], ""))),
            Some(vault.email_lookup(&mut *conn, search).await?),
            vault.name_words(&mut *conn, search).await?,
        ),
        None => (None, None, Vec::new()),
    };
    let rows = sqlx::query!(
        r#"
        SELECT o.order_id AS "id: OrderId", o.order_number, o.status AS "status: OrderStatus",
               sealed_by(COALESCE(o.user_id, o.order_id), o.buyer_sealed) AS "buyer!: Sealed",
               o.total_minor, o.refunded_minor, o.currency, o.placed_at,
               (SELECT COALESCE(sum(quantity), 0) FROM order_lines l
                WHERE l.order_id = o.order_id)::bigint AS "items!",
               count(*) OVER () AS "total!"
        FROM orders o
        WHERE (o.user_id = $1 OR o.order_id = ANY($2) OR $3)
          AND ($4::order_status IS NULL OR o.status = $4)
          AND ($5::text IS NULL OR ('OL-' || o.order_number) ILIKE $5 OR o.email_lookup = $6
               OR (cardinality($7::bytea[]) > 0 AND o.buyer_words @> $7))
        ORDER BY o.placed_at DESC, o.order_number DESC
        LIMIT $8 OFFSET $9
        "#,
        user,
        ids.as_deref(),
        all,
        status as Option<OrderStatus>,
        reference,
        lookup,
        &words,
        limit,
        offset,
    )
    .fetch_all(&mut *conn)
    .await?;
    let total = rows.first().map(|r| r.total).unwrap_or(0);
    let mut orders = Vec::with_capacity(rows.len());
    for r in rows {
        let (Ok(total), Ok(refunded)) = (
            Money::from_parts(r.total_minor, &r.currency),
            Money::from_parts(r.refunded_minor, &r.currency),
        ) else {
            continue;
        };
        orders.push(OrderSummary {
            id: r.id,
            reference: order_reference(r.order_number),
            status: r.status,
            email: super::reveal_buyer(vault, r.id, &r.buyer)?.email,
            total,
            refunded,
            items: r.items,
            placed_at: r.placed_at,
        });
    }
    Ok((orders, total))
}

pub async fn detail(
    conn: &mut PgConnection,
    vault: &Vault,
    order: OrderId,
) -> Result<Option<OrderDetail>, VaultError> {
    let Some(o) = sqlx::query!(
        r#"
        SELECT order_number, status AS "status: OrderStatus",
               sealed_by(COALESCE(user_id, order_id), buyer_sealed) AS "buyer!: Sealed",
               currency, subtotal_minor, discount_minor, points_minor, shipping_minor, tax_minor,
               total_minor, refunded_minor, prices_include_tax, discount_code, ship_country,
               shipping_method, carrier,
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
    let buyer = super::reveal_buyer(vault, order, &o.buyer)?;
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
            email: buyer.email,
            total: money(o.total_minor),
            refunded: money(o.refunded_minor),
            items: o.items,
            placed_at: o.placed_at,
        },
        lines,
        subtotal: money(o.subtotal_minor),
        discount: money(o.discount_minor),
        discount_code: o.discount_code,
        points: money(o.points_minor),
        shipping: money(o.shipping_minor),
        tax: money(o.tax_minor),
        prices_include_tax: o.prices_include_tax,
        address: buyer.ship_to.in_country(o.ship_country),
        shipping_method: o.method_name.unwrap_or(o.shipping_method),
        carrier: o.carrier,
        tracking_number: o.tracking_number,
        events,
    }))
}
