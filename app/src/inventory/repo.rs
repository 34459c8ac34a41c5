//! Lot queries. Each takes a connection; the caller owns any transaction.

use super::model::{LotStock, MovementReason};
use crate::ids::{LotId, ProductId, UserId, VariantId};
use chrono::NaiveDate;
use sqlx::PgConnection;

/// Every lot still holding stock for any variant of `product`.
pub async fn lots_with_stock(
    conn: &mut PgConnection,
    product: ProductId,
) -> Result<Vec<(VariantId, LotStock)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"
        SELECT l.lot_id AS "lot_id: LotId", l.variant_id AS "variant_id: VariantId",
               l.batch_number, l.expiry_date, l.on_hand
        FROM lots l
        JOIN variants v ON v.variant_id = l.variant_id
        WHERE v.product_id = $1 AND l.on_hand > 0
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
                on_hand: i64::from(r.on_hand),
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
    /// The correction would take stock below zero; this much is on hand.
    WouldGoNegative {
        on_hand: i64,
    },
    NoSuchLot,
}

/// Change a lot's stock by `quantity` (negative removes) and record why, in one statement pair
/// on the caller's transaction. The guarded UPDATE never lets stock go below zero, however
/// many corrections and sales race.
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
           WHERE lot_id = $1 AND on_hand + $2 >= 0
           RETURNING on_hand"#,
        lot.0,
        quantity,
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(on_hand) = updated else {
        let on_hand = sqlx::query_scalar!("SELECT on_hand FROM lots WHERE lot_id = $1", lot.0)
            .fetch_optional(&mut *conn)
            .await?;
        return Ok(match on_hand {
            Some(on_hand) => Adjusted::WouldGoNegative {
                on_hand: i64::from(on_hand),
            },
            None => Adjusted::NoSuchLot,
        });
    };
    record_movement(conn, lot, reason, quantity, note, actor).await?;
    Ok(Adjusted::OnHand(i64::from(on_hand)))
}
