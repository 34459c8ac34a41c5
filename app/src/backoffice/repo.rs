//! The back office's catalog and inventory queries.

use super::model::{AdminProductRow, ExpiringLotRow, LowStockRow, ProductSort};
use crate::ids::ProductId;
use chrono::NaiveDate;
use sqlx::PgConnection;

/// `%term%` for ILIKE, with the pattern characters in `term` taken literally.
fn contains_pattern(term: &str) -> String {
    let escaped = term
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// Products whose name, slug or any SKU contains `query`, one page in `sort` order, with the
/// total count.
pub async fn products(
    conn: &mut PgConnection,
    query: &str,
    sort: ProductSort,
    sellable_after: NaiveDate,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AdminProductRow>, i64), sqlx::Error> {
    let pattern = contains_pattern(query);
    let sort_key = sort.slug();
    let rows = sqlx::query!(
        r#"WITH matching AS (
               SELECT p.product_id, p.slug, p.name, p.product_line, p.published_at, p.updated_at,
                      c.name AS category
               FROM products p JOIN categories c USING (category_id)
               WHERE $1 = '%%'
                  OR p.name ILIKE $1 OR p.slug ILIKE $1
                  OR EXISTS (SELECT 1 FROM variants v
                             WHERE v.product_id = p.product_id AND v.sku ILIKE $1)
           )
           SELECT m.product_id AS "id: ProductId", m.slug, m.name, m.product_line, m.category,
                  m.published_at IS NOT NULL AS "published!",
                  to_char(m.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS "updated!",
                  (SELECT count(*) FROM variants v WHERE v.product_id = m.product_id) AS "variants!",
                  (SELECT COALESCE(sum(l.on_hand - l.reserved), 0)::bigint FROM lots l JOIN variants v USING (variant_id)
                   WHERE v.product_id = m.product_id AND l.expiry_date > $2) AS "sellable!",
                  (SELECT count(*) FROM product_images i WHERE i.product_id = m.product_id) AS "images!",
                  count(*) OVER () AS "total!"
           FROM matching m
           ORDER BY
               CASE WHEN $3 = 'changed' THEN m.updated_at END DESC,
               CASE WHEN $3 = 'stock' THEN
                   (SELECT COALESCE(sum(l.on_hand - l.reserved), 0) FROM lots l JOIN variants v USING (variant_id)
                    WHERE v.product_id = m.product_id AND l.expiry_date > $2) END ASC,
               m.name, m.slug
           LIMIT $4 OFFSET $5"#,
        pattern,
        sellable_after,
        sort_key,
        limit,
        offset,
    )
    .fetch_all(&mut *conn)
    .await?;
    let total = match rows.first() {
        Some(r) => r.total,
        // Past the last page the window is empty; count on its own.
        None => {
            sqlx::query_scalar!(
                r#"SELECT count(*) AS "n!" FROM products p
               WHERE $1 = '%%' OR p.name ILIKE $1 OR p.slug ILIKE $1
                  OR EXISTS (SELECT 1 FROM variants v
                             WHERE v.product_id = p.product_id AND v.sku ILIKE $1)"#,
                pattern
            )
            .fetch_one(&mut *conn)
            .await?
        }
    };
    Ok((
        rows.into_iter()
            .map(|r| AdminProductRow {
                id: r.id,
                slug: r.slug,
                name: r.name,
                category: r.category,
                product_line: r.product_line,
                published: r.published,
                variants: r.variants,
                sellable_units: r.sellable,
                images: r.images,
                updated: r.updated,
            })
            .collect(),
        total,
    ))
}

/// Variants of published products with at most `threshold` sellable units, fewest first.
pub async fn low_stock(
    conn: &mut PgConnection,
    sellable_after: NaiveDate,
    threshold: i64,
) -> Result<Vec<LowStockRow>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT v.sku, v.label, p.name, p.slug,
                  COALESCE(sum(l.on_hand - l.reserved) FILTER (WHERE l.expiry_date > $1), 0)::bigint AS "sellable!"
           FROM variants v
           JOIN products p USING (product_id)
           LEFT JOIN lots l USING (variant_id)
           WHERE p.published_at IS NOT NULL
           GROUP BY v.variant_id, p.product_id
           HAVING COALESCE(sum(l.on_hand - l.reserved) FILTER (WHERE l.expiry_date > $1), 0) <= $2
           ORDER BY 5, p.name, v.sku"#,
        sellable_after,
        threshold,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| LowStockRow {
            sku: r.sku,
            product_name: r.name,
            product_slug: r.slug,
            variant_label: r.label,
            sellable_units: r.sellable,
        })
        .collect())
}

/// Lots with stock that expire on or before `until`, soonest first; `unsellable` marks those
/// at or inside the minimum remaining shelf life (`sellable_after`).
pub async fn expiring(
    conn: &mut PgConnection,
    today: NaiveDate,
    until: NaiveDate,
    sellable_after: NaiveDate,
) -> Result<Vec<ExpiringLotRow>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT l.batch_number, l.expiry_date, l.on_hand, v.sku, p.name, p.slug
           FROM lots l
           JOIN variants v USING (variant_id)
           JOIN products p USING (product_id)
           WHERE l.on_hand > 0 AND l.expiry_date <= $1
           ORDER BY l.expiry_date, p.name, l.batch_number"#,
        until,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ExpiringLotRow {
            batch_number: r.batch_number,
            sku: r.sku,
            product_name: r.name,
            product_slug: r.slug,
            expiry_date: r.expiry_date.to_string(),
            days_left: (r.expiry_date - today).num_days(),
            on_hand: i64::from(r.on_hand),
            unsellable: r.expiry_date <= sellable_after,
        })
        .collect())
}
