//! Lot queries. Each takes a connection; the caller owns any transaction.

use super::model::{
    Allocation, LotStock, MovementReason, Shortfall, allocate_fefo, sellable_expiry_after,
};
use crate::ids::{LotId, OrderId, ProductId, UserId, VariantId};
use chrono::NaiveDate;
use sqlx::PgConnection;

/// Every lot with units to sell for any variant of `product`: on hand and not held for a
/// pending order.
pub async fn lots_with_stock(
    conn: &mut PgConnection,
    product: ProductId,
) -> Result<Vec<(VariantId, LotStock)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"
        SELECT l.lot_id AS "lot_id: LotId", l.variant_id AS "variant_id: VariantId",
               l.batch_number, l.expiry_date, l.on_hand - l.reserved AS "free!"
        FROM lots l
        JOIN variants v ON v.variant_id = l.variant_id
        WHERE v.product_id = $1 AND l.on_hand > l.reserved
        "#,
        product.0
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let lot = LotStock {
                lot_id: r.lot_id,
                batch_number: r.batch_number,
                expiry_date: r.expiry_date,
                free: i64::from(r.free),
            };
            (r.variant_id, lot)
        })
        .collect())
}

pub struct NewLot<'a> {
    pub id: LotId,
    pub variant: VariantId,
    pub batch_number: &'a str,
    pub expiry_date: NaiveDate,
    pub quantity: i32,
}

/// Record a received lot and its receipt entry; `false` when the variant already has a lot with
/// this batch number (nothing is written then). `actor` is who received it (`None`: the seed).
pub async fn receive_lot(
    conn: &mut PgConnection,
    lot: &NewLot<'_>,
    actor: Option<UserId>,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query!(
        r#"
        INSERT INTO lots (lot_id, variant_id, batch_number, expiry_date, on_hand)
        VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (variant_id, batch_number) DO NOTHING
        "#,
        lot.id.0,
        lot.variant.0,
        lot.batch_number,
        lot.expiry_date,
        lot.quantity,
    )
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if inserted && lot.quantity > 0 {
        record_movement(
            conn,
            lot.id,
            MovementReason::Received,
            lot.quantity,
            "",
            actor,
        )
        .await?;
    }
    Ok(inserted)
}

async fn record_movement(
    conn: &mut PgConnection,
    lot: LotId,
    reason: MovementReason,
    quantity: i32,
    note: &str,
    actor: Option<UserId>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"INSERT INTO stock_movements (movement_id, lot_id, reason, quantity, note, actor_id)
           VALUES ($1, $2, $3, $4, $5, $6)"#,
        uuid::Uuid::now_v7(),
        lot.0,
        reason.db_name(),
        quantity,
        note,
        actor.map(|a| a.0),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A lot's balance after a correction, or why none was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Adjusted {
    OnHand(i64),
    /// The correction would take stock below zero, or below what pending orders hold; this much
    /// is on hand, `reserved` of it held.
    TooFew {
        on_hand: i64,
        reserved: i64,
    },
    NoSuchLot,
}

/// Change a lot's stock by `quantity` (negative removes) and record why, in one statement pair
/// on the caller's transaction. The guarded UPDATE never lets stock go below zero or below the
/// units reserved for pending orders, however many corrections and sales race.
pub async fn adjust_lot(
    conn: &mut PgConnection,
    lot: LotId,
    quantity: i32,
    reason: MovementReason,
    note: &str,
    actor: Option<UserId>,
) -> Result<Adjusted, sqlx::Error> {
    let updated = sqlx::query_scalar!(
        r#"UPDATE lots SET on_hand = on_hand + $2
           WHERE lot_id = $1 AND on_hand + $2 >= reserved
           RETURNING on_hand"#,
        lot.0,
        quantity,
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(on_hand) = updated else {
        let lot = sqlx::query!(
            "SELECT on_hand, reserved FROM lots WHERE lot_id = $1",
            lot.0
        )
        .fetch_optional(&mut *conn)
        .await?;
        return Ok(match lot {
            Some(lot) => Adjusted::TooFew {
                on_hand: i64::from(lot.on_hand),
                reserved: i64::from(lot.reserved),
            },
            None => Adjusted::NoSuchLot,
        });
    };
    record_movement(conn, lot, reason, quantity, note, actor).await?;
    Ok(Adjusted::OnHand(i64::from(on_hand)))
}

/// Hold `quantity` units of `variant` for `order` on sellable lots, earliest expiry first. The
/// candidate lots are locked, so simultaneous checkouts queue here and each sees what the
/// previous one left; the guarded UPDATE and the table's CHECK make overselling impossible even
/// if that ever changed. Returns the shortfall, writing nothing, when too few units are free.
pub async fn reserve(
    conn: &mut PgConnection,
    order: OrderId,
    variant: VariantId,
    quantity: i64,
    today: NaiveDate,
) -> Result<Result<Vec<Allocation>, Shortfall>, sqlx::Error> {
    reserve_lasting(conn, order, variant, quantity, today, today).await
}

/// Like [`reserve`], on lots that also last beyond `lasting_beyond` (a subscription's delivery
/// must keep until the next one arrives, and a month more).
pub async fn reserve_lasting(
    conn: &mut PgConnection,
    order: OrderId,
    variant: VariantId,
    quantity: i64,
    today: NaiveDate,
    lasting_beyond: NaiveDate,
) -> Result<Result<Vec<Allocation>, Shortfall>, sqlx::Error> {
    let lots = sqlx::query!(
        r#"
        SELECT lot_id AS "lot_id: LotId", batch_number, expiry_date,
               on_hand - reserved AS "free!"
        FROM lots
        WHERE variant_id = $1 AND expiry_date > $2 AND on_hand > reserved
        ORDER BY expiry_date, batch_number
        FOR UPDATE
        "#,
        variant.0,
        sellable_expiry_after(today).max(lasting_beyond),
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| LotStock {
        lot_id: r.lot_id,
        batch_number: r.batch_number,
        expiry_date: r.expiry_date,
        free: i64::from(r.free),
    })
    .collect::<Vec<_>>();
    let allocations = match allocate_fefo(&lots, quantity, today) {
        Ok(allocations) => allocations,
        Err(shortfall) => return Ok(Err(shortfall)),
    };
    for allocation in &allocations {
        let units = i32::try_from(allocation.quantity).unwrap_or(i32::MAX);
        let held = sqlx::query!(
            r#"UPDATE lots SET reserved = reserved + $2
               WHERE lot_id = $1 AND on_hand - reserved >= $2"#,
            allocation.lot_id.0,
            units,
        )
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if held != 1 {
            // Unreachable while the rows are locked; kept as a refusal, not a panic.
            return Ok(Err(Shortfall {
                requested: quantity,
                available: 0,
            }));
        }
        sqlx::query!(
            r#"INSERT INTO stock_reservations (order_id, lot_id, variant_id, quantity)
               VALUES ($1, $2, $3, $4)"#,
            order.0,
            allocation.lot_id.0,
            variant.0,
            units,
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(Ok(allocations))
}

/// Give back everything `order` holds (payment failed, timed out or was abandoned).
pub async fn release(conn: &mut PgConnection, order: OrderId) -> Result<u64, sqlx::Error> {
    sqlx::query!(
        r#"UPDATE lots SET reserved = lots.reserved - r.quantity
           FROM stock_reservations r
           WHERE r.order_id = $1 AND lots.lot_id = r.lot_id"#,
        order.0
    )
    .execute(&mut *conn)
    .await?;
    Ok(sqlx::query!(
        "DELETE FROM stock_reservations WHERE order_id = $1",
        order.0
    )
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

/// The order is paid: its reservations become allocations, the units leave the lots (a `sold`
/// entry each, noting the order) and the holds are gone.
pub async fn fulfil_reservations(
    conn: &mut PgConnection,
    order: OrderId,
    note: &str,
) -> Result<Vec<Allocation>, sqlx::Error> {
    let held = sqlx::query!(
        r#"DELETE FROM stock_reservations WHERE order_id = $1
           RETURNING lot_id AS "lot_id: LotId", variant_id, quantity"#,
        order.0
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut allocations = Vec::with_capacity(held.len());
    for row in held {
        sqlx::query!(
            r#"UPDATE lots SET on_hand = on_hand - $2, reserved = reserved - $2
               WHERE lot_id = $1"#,
            row.lot_id.0,
            row.quantity,
        )
        .execute(&mut *conn)
        .await?;
        sqlx::query!(
            r#"INSERT INTO order_allocations (order_id, lot_id, variant_id, quantity)
               VALUES ($1, $2, $3, $4)"#,
            order.0,
            row.lot_id.0,
            row.variant_id,
            row.quantity,
        )
        .execute(&mut *conn)
        .await?;
        record_movement(
            conn,
            row.lot_id,
            MovementReason::Sold,
            -row.quantity,
            note,
            None,
        )
        .await?;
        allocations.push(Allocation {
            lot_id: row.lot_id,
            quantity: i64::from(row.quantity),
        });
    }
    Ok(allocations)
}

/// A paid order cancelled before it shipped: its units go back to the lots they came from.
pub async fn restock_allocations(
    conn: &mut PgConnection,
    order: OrderId,
    note: &str,
    actor: Option<UserId>,
) -> Result<(), sqlx::Error> {
    let allocated = sqlx::query!(
        r#"SELECT lot_id AS "lot_id: LotId", quantity FROM order_allocations WHERE order_id = $1"#,
        order.0
    )
    .fetch_all(&mut *conn)
    .await?;
    for row in allocated {
        sqlx::query!(
            "UPDATE lots SET on_hand = on_hand + $2 WHERE lot_id = $1",
            row.lot_id.0,
            row.quantity
        )
        .execute(&mut *conn)
        .await?;
        record_movement(
            conn,
            row.lot_id,
            MovementReason::Restocked,
            row.quantity,
            note,
            actor,
        )
        .await?;
    }
    Ok(())
}
