//! Lot queries. Each takes a connection; the caller owns any transaction.

use super::model::LotStock;
use crate::ids::{LotId, ProductId, VariantId};
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

/// Record a received lot.
pub async fn receive_lot(conn: &mut PgConnection, lot: &NewLot<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        INSERT INTO lots (lot_id, variant_id, batch_number, expiry_date, on_hand)
        VALUES ($1, $2, $3, $4, $5)
        "#,
        lot.id.0,
        lot.variant.0,
        lot.batch_number,
        lot.expiry_date,
        lot.quantity,
    )
    .execute(conn)
    .await?;
    Ok(())
}
