//! Checkout's tables: destinations, shipping methods, tax rates, discount codes and their
//! redemptions. Each query takes a connection; the caller owns any transaction.

use super::model::{Destination, DiscountCode, ShippingOption};
use super::pricing::{DiscountKind, TaxRate};
use crate::catalog::model::ProductKind;
use crate::ids::{OrderId, VariantId};
use crate::money::Money;
use sqlx::PgConnection;
use std::collections::HashMap;

/// Every country we ship to with its methods, in display order.
pub async fn destinations(conn: &mut PgConnection) -> Result<Vec<Destination>, sqlx::Error> {
    let countries = sqlx::query!(
        r#"SELECT country_code, name, prices_include_tax, standard_tax_bp
           FROM shipping_countries ORDER BY position"#
    )
    .fetch_all(&mut *conn)
    .await?;
    let methods = sqlx::query!(
        r#"SELECT country_code, method_code, name, carrier, price_minor, currency,
                  free_from_minor, days_min, days_max
           FROM shipping_methods ORDER BY country_code, position"#
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut by_country: HashMap<String, Vec<ShippingOption>> = HashMap::new();
    for m in methods {
        let (Ok(price), free_from) = (
            Money::from_parts(m.price_minor, &m.currency),
            m.free_from_minor
                .map(|minor| Money::from_parts(minor, &m.currency))
                .transpose(),
        ) else {
            continue;
        };
        by_country
            .entry(m.country_code)
            .or_default()
            .push(ShippingOption {
                code: m.method_code,
                name: m.name,
                carrier: m.carrier,
                price,
                free_from: free_from.ok().flatten(),
                days_min: m.days_min,
                days_max: m.days_max,
            });
    }
    Ok(countries
        .into_iter()
        .map(|c| Destination {
            methods: by_country.remove(&c.country_code).unwrap_or_default(),
            code: c.country_code,
            name: c.name,
            prices_include_tax: c.prices_include_tax,
            shipping_tax: TaxRate(c.standard_tax_bp.unsigned_abs()),
        })
        .collect())
}

/// Whether `postal_code` fits each country's format, by country code.
pub async fn postal_code_fits(
    conn: &mut PgConnection,
    postal_code: &str,
) -> Result<HashMap<String, bool>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT country_code, $1 ~ postal_code_format AS "fits!" FROM shipping_countries"#,
        postal_code
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.country_code, r.fits)).collect())
}

/// The destination's tax rate for each kind of product.
pub async fn tax_rates(
    conn: &mut PgConnection,
    country: &str,
) -> Result<HashMap<ProductKind, TaxRate>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT product_kind AS "kind: ProductKind", rate_bp FROM tax_rates
           WHERE country_code = $1"#,
        country
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.kind, TaxRate(r.rate_bp.unsigned_abs())))
        .collect())
}

/// The kind of product each variant is (its tax class).
pub async fn variant_kinds(
    conn: &mut PgConnection,
    variants: &[VariantId],
) -> Result<HashMap<VariantId, ProductKind>, sqlx::Error> {
    let ids: Vec<uuid::Uuid> = variants.iter().map(|v| v.0).collect();
    let rows = sqlx::query!(
        r#"SELECT v.variant_id AS "variant_id: VariantId", c.kind AS "kind: ProductKind"
           FROM variants v JOIN products p USING (product_id) JOIN categories c USING (category_id)
           WHERE v.variant_id = ANY($1)"#,
        &ids
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.variant_id, r.kind)).collect())
}

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
            terms: super::pricing::DiscountTerms {
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
