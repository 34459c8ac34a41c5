//! Checkout's tables: destinations, shipping methods, tax rates, discount codes and their
//! redemptions. Each query takes a connection; the caller owns any transaction.

use super::model::{Destination, ShippingOption};
use super::pricing::TaxRate;
use crate::catalog::model::ProductKind;
use crate::ids::VariantId;
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
