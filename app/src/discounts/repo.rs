//! Discount codes and their redemptions. Each query takes a connection; the caller owns any
//! transaction.

use super::model::{DiscountCode, DiscountKind, DiscountTerms};
use crate::ids::OrderId;
use crate::money::Money;
use sqlx::PgConnection;

/// A discount code by its (upper-case) text; `lock` holds the row until the transaction ends,
/// so redemptions of one code queue and its limits hold.
pub async fn discount_code(
    conn: &mut PgConnection,
    code: &str,
    lock: bool,
) -> Result<Option<DiscountCode>, sqlx::Error> {
    // Two statements rather than a dynamic `FOR UPDATE`, so both stay compile-time checked.
    let row = if lock {
        sqlx::query_as!(
            DiscountRow,
            r#"SELECT code, percent_bp, amount_minor, currency, minimum_minor, starts_at, ends_at,
                      max_redemptions, max_per_customer, redemptions
               FROM discount_codes WHERE code = $1 FOR UPDATE"#,
            code
        )
        .fetch_optional(conn)
        .await?
    } else {
        sqlx::query_as!(
            DiscountRow,
            r#"SELECT code, percent_bp, amount_minor, currency, minimum_minor, starts_at, ends_at,
                      max_redemptions, max_per_customer, redemptions
               FROM discount_codes WHERE code = $1"#,
            code
        )
        .fetch_optional(conn)
        .await?
    };
    Ok(row.and_then(DiscountRow::into_code))
}

struct DiscountRow {
    code: String,
    percent_bp: Option<i32>,
    amount_minor: Option<i64>,
    currency: String,
    minimum_minor: Option<i64>,
    starts_at: chrono::DateTime<chrono::Utc>,
    ends_at: Option<chrono::DateTime<chrono::Utc>>,
    max_redemptions: Option<i32>,
    max_per_customer: Option<i32>,
    redemptions: i32,
}

impl DiscountRow {
    fn into_code(self) -> Option<DiscountCode> {
        let kind = match (self.percent_bp, self.amount_minor) {
            (Some(points), None) => DiscountKind::Percent(points.unsigned_abs()),
            (None, Some(minor)) => {
                DiscountKind::Fixed(Money::from_parts(minor, &self.currency).ok()?)
            }
            _ => return None,
        };
        let minimum = match self.minimum_minor {
            Some(minor) => Some(Money::from_parts(minor, &self.currency).ok()?),
            None => None,
        };
        Some(DiscountCode {
            terms: DiscountTerms {
                code: self.code,
                kind,
                minimum_subtotal: minimum,
                starts_at: self.starts_at,
                ends_at: self.ends_at,
            },
            max_redemptions: self.max_redemptions,
            max_per_customer: self.max_per_customer,
            redemptions: self.redemptions,
        })
    }
}

/// How many orders `customer` holds the code with.
pub async fn redemptions_by(
    conn: &mut PgConnection,
    code: &str,
    customer: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM discount_redemptions WHERE code = $1 AND customer = $2"#,
        code,
        customer
    )
    .fetch_one(conn)
    .await
}

/// Record that `order` uses the code; `false` (nothing written) when the code is used up.
pub async fn redeem(
    conn: &mut PgConnection,
    code: &str,
    order: OrderId,
    customer: &str,
) -> Result<bool, sqlx::Error> {
    let counted = sqlx::query!(
        r#"UPDATE discount_codes SET redemptions = redemptions + 1
           WHERE code = $1 AND (max_redemptions IS NULL OR redemptions < max_redemptions)"#,
        code
    )
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if counted {
        sqlx::query!(
            r#"INSERT INTO discount_redemptions (order_id, code, customer) VALUES ($1, $2, $3)"#,
            order.0,
            code,
            customer
        )
        .execute(conn)
        .await?;
    }
    Ok(counted)
}

/// An unpaid order gives its code back.
pub async fn release_redemption(
    conn: &mut PgConnection,
    order: OrderId,
) -> Result<(), sqlx::Error> {
    let released = sqlx::query_scalar!(
        "DELETE FROM discount_redemptions WHERE order_id = $1 RETURNING code",
        order.0
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(code) = released {
        sqlx::query!(
            "UPDATE discount_codes SET redemptions = redemptions - 1 WHERE code = $1",
            code
        )
        .execute(conn)
        .await?;
    }
    Ok(())
}
